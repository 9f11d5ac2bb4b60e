"""The download manager against a local HTTP server (127.0.0.1 only, never the internet)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest

from socle.erreurs import DonneesInvalides, DonneesManquantes, ErreurTelechargement
from socle.telechargement import (
    Verification,
    dossier_telechargements,
    fichier_en_cache,
    formater_taille,
    lister_cache,
    lister_partiels,
    provenance,
    supprimer_du_cache,
    telecharger,
    verifier_format,
)
from tests._serveur_http import ServeurFichiers, port_ferme, zip_bpe

VERIF_BPE = Verification(
    format="zip", membre="BPE24.csv", colonnes=("DEPCOM", "TYPEQU", "LAMBERT_X", "LAMBERT_Y")
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache root in tmp_path, and no proxy between us and 127.0.0.1."""
    racine = tmp_path / "cache"
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(racine))
    for variable in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(variable, raising=False)
    return racine / "telechargements"


@pytest.fixture
def serveur() -> ServeurFichiers:
    s = ServeurFichiers()
    yield s
    s.arreter()


@pytest.fixture(scope="module")
def octets_pbf() -> bytes:
    pyrosm = pytest.importorskip("pyrosm")
    return Path(pyrosm.get_data("test_pbf")).read_bytes()


def _fichiers(dossier: Path) -> set[str]:
    return {p.name for p in dossier.iterdir()} if dossier.exists() else set()


# --------------------------------------------------------------------------------------------
# Complete download, manifest, cache reuse, refresh
# --------------------------------------------------------------------------------------------


def test_telechargement_complet_et_manifeste(cache: Path, serveur: ServeurFichiers) -> None:
    contenu = zip_bpe()
    url = serveur.publier("/insee/BPE24.zip", contenu)

    chemin = telecharger(url, verification=VERIF_BPE)

    assert chemin == cache / "BPE24.zip"
    assert chemin.read_bytes() == contenu
    assert _fichiers(cache) == {"BPE24.zip", "BPE24.zip.manifeste.json"}
    manifeste = json.loads((cache / "BPE24.zip.manifeste.json").read_text(encoding="utf-8"))
    assert manifeste["nom"] == "BPE24.zip"
    assert manifeste["url"] == url
    assert manifeste["taille"] == len(contenu)
    assert manifeste["sha256"] == hashlib.sha256(contenu).hexdigest()
    assert manifeste["etag"] == '"' + hashlib.sha256(contenu).hexdigest()[:16] + '"'
    assert manifeste["last_modified"] == "Wed, 01 Oct 2025 08:00:00 GMT"
    assert manifeste["format"] == "zip"
    assert manifeste["somme_publiee"] is None
    assert datetime.fromisoformat(manifeste["date"]).utcoffset() is not None
    assert [r["range"] for r in serveur.requetes()] == [None]


def test_second_appel_utilise_le_cache_sans_requete(cache: Path, serveur: ServeurFichiers) -> None:
    url = serveur.publier("/insee/BPE24.zip", zip_bpe())
    premier = telecharger(url, verification=VERIF_BPE)
    serveur.arreter()  # the second call must not even try to connect

    assert telecharger(url, verification=VERIF_BPE) == premier
    assert fichier_en_cache(url) == premier
    assert len(serveur.requetes()) == 1


def test_rafraichir_retelecharge(cache: Path, serveur: ServeurFichiers) -> None:
    url = serveur.publier("/insee/BPE24.zip", zip_bpe(lignes=100))
    telecharger(url, verification=VERIF_BPE)
    nouveau = zip_bpe(lignes=200)
    serveur.publier("/insee/BPE24.zip", nouveau)

    assert telecharger(url, verification=VERIF_BPE).read_bytes() != nouveau  # cache reused
    chemin = telecharger(url, verification=VERIF_BPE, rafraichir=True)

    assert chemin.read_bytes() == nouveau
    assert len(serveur.requetes()) == 2
    (entree,) = lister_cache()
    assert entree.sha256 == hashlib.sha256(nouveau).hexdigest()
    assert entree.taille == len(nouveau)


def test_meme_nom_autre_url_retelecharge(cache: Path, serveur: ServeurFichiers) -> None:
    ancien = serveur.publier("/a/BPE24.zip", zip_bpe(lignes=10))
    nouveau = serveur.publier("/b/BPE24.zip", zip_bpe(lignes=20))
    telecharger(ancien, verification=VERIF_BPE)

    assert fichier_en_cache(nouveau) is None
    chemin = telecharger(nouveau, verification=VERIF_BPE)

    assert chemin.read_bytes() == zip_bpe(lignes=20)
    assert lister_cache()[0].url == nouveau


def test_fichier_modifie_a_la_main_n_est_plus_en_cache(
    cache: Path, serveur: ServeurFichiers
) -> None:
    url = serveur.publier("/insee/BPE24.zip", zip_bpe())
    chemin = telecharger(url, verification=VERIF_BPE)
    with chemin.open("ab") as f:
        f.write(b"ajout")

    assert fichier_en_cache(url) is None
    assert telecharger(url, verification=VERIF_BPE).read_bytes() == zip_bpe()
    assert len(serveur.requetes()) == 2


# --------------------------------------------------------------------------------------------
# Interruptions and resumption
# --------------------------------------------------------------------------------------------


def test_reprise_apres_coupure_dans_le_meme_appel(cache: Path, serveur: ServeurFichiers) -> None:
    contenu = zip_bpe()
    url = serveur.publier("/insee/BPE24.zip", contenu)
    serveur.couper("/insee/BPE24.zip", 50_000)

    chemin = telecharger(url, verification=VERIF_BPE)

    assert chemin.read_bytes() == contenu
    requetes = serveur.requetes()
    assert [r["range"] for r in requetes] == [None, "bytes=50000-"]
    assert requetes[1]["if_range"] == '"' + hashlib.sha256(contenu).hexdigest()[:16] + '"'
    assert _fichiers(cache) == {"BPE24.zip", "BPE24.zip.manifeste.json"}


def test_reprise_dans_un_second_appel(cache: Path, serveur: ServeurFichiers) -> None:
    contenu = zip_bpe()
    url = serveur.publier("/insee/BPE24.zip", contenu)
    serveur.couper("/insee/BPE24.zip", 40_000)

    with pytest.raises(ErreurTelechargement, match="interrompu après") as info:
        telecharger(url, verification=VERIF_BPE, tentatives=1, conseil="Passez --bpe FICHIER.")
    message = str(info.value)
    assert "\n" not in message
    assert message.endswith("Passez --bpe FICHIER.")
    # Nothing under the final name, the partial copy kept for the next call.
    assert not (cache / "BPE24.zip").exists()
    assert (cache / "BPE24.zip.partiel").stat().st_size == 40_000
    assert lister_cache() == []
    assert lister_partiels() == [("BPE24.zip", 40_000)]

    chemin = telecharger(url, verification=VERIF_BPE, tentatives=1)

    assert chemin.read_bytes() == contenu
    assert serveur.requetes()[-1]["range"] == "bytes=40000-"
    assert lister_partiels() == []


def test_serveur_sans_range_recommence_proprement(cache: Path, serveur: ServeurFichiers) -> None:
    contenu = zip_bpe()
    url = serveur.publier("/insee/BPE24.zip", contenu)
    serveur.etat.ignorer_range = True
    serveur.couper("/insee/BPE24.zip", 60_000)

    chemin = telecharger(url, verification=VERIF_BPE)

    # The second request asked for a range, got the whole file and started again at zero.
    assert [r["range"] for r in serveur.requetes()] == [None, "bytes=60000-"]
    assert chemin.read_bytes() == contenu


def test_fichier_change_entre_deux_appels_recommence(cache: Path, serveur: ServeurFichiers) -> None:
    url = serveur.publier("/geofabrik/region-latest.zip", zip_bpe(lignes=2500))
    serveur.couper("/geofabrik/region-latest.zip", 30_000)
    with pytest.raises(ErreurTelechargement):
        telecharger(url, verification=VERIF_BPE, tentatives=1)
    nouveau = zip_bpe(lignes=2600)  # upstream rebuilt the file: a new ETag
    serveur.publier("/geofabrik/region-latest.zip", nouveau)

    chemin = telecharger(url, verification=VERIF_BPE)

    # If-Range did not match: the server sent the whole new file, not its tail.
    assert serveur.requetes()[-1]["range"] == "bytes=30000-"
    assert chemin.read_bytes() == nouveau


def test_partiel_plus_long_que_le_fichier(cache: Path, serveur: ServeurFichiers) -> None:
    contenu = zip_bpe(lignes=100)
    url = serveur.publier("/insee/BPE24.zip", contenu)
    cache.mkdir(parents=True)
    (cache / "BPE24.zip.partiel").write_bytes(b"x" * (len(contenu) + 10))
    etag = '"' + hashlib.sha256(contenu).hexdigest()[:16] + '"'
    (cache / "BPE24.zip.partiel.json").write_text(json.dumps({"url": url, "etag": etag}))

    assert telecharger(url, verification=VERIF_BPE).read_bytes() == contenu  # 416, then restart


# --------------------------------------------------------------------------------------------
# Checks: checksum, published md5, format; rejected files never enter the cache
# --------------------------------------------------------------------------------------------


def test_somme_incorrecte_rejetee_et_pas_en_cache(cache: Path, serveur: ServeurFichiers) -> None:
    url = serveur.publier("/insee/BPE24.zip", zip_bpe())
    verification = Verification(format="zip", sha256="0" * 64)

    with pytest.raises(ErreurTelechargement, match="sha256") as info:
        telecharger(url, verification=verification)

    assert "\n" not in str(info.value)
    assert _fichiers(cache) == set()
    assert fichier_en_cache(url) is None


def test_zip_corrompu_rejete(cache: Path, serveur: ServeurFichiers) -> None:
    contenu = zip_bpe()
    url = serveur.publier("/insee/BPE24.zip", contenu[: len(contenu) // 2])

    with pytest.raises(ErreurTelechargement, match="zip"):
        telecharger(url, verification=VERIF_BPE)

    assert _fichiers(cache) == set()


def test_page_html_au_lieu_du_zip_rejetee(cache: Path, serveur: ServeurFichiers) -> None:
    url = serveur.publier("/insee/BPE24.zip", b"<html><body>Maintenance</body></html>")

    with pytest.raises(ErreurTelechargement, match="pas une archive zip"):
        telecharger(url, verification=VERIF_BPE)

    assert _fichiers(cache) == set()


def test_zip_sans_le_membre_attendu_rejete(cache: Path, serveur: ServeurFichiers) -> None:
    url = serveur.publier("/insee/BPE24.zip", zip_bpe(membre="autre.csv"))

    with pytest.raises(ErreurTelechargement, match=r"ne contient pas « BPE24\.csv »"):
        telecharger(url, verification=VERIF_BPE)


def test_colonnes_manquantes_rejetees(cache: Path, serveur: ServeurFichiers) -> None:
    url = serveur.publier("/insee/BPE24.zip", zip_bpe(entete="AN;DEP;TYPEQU", lignes=0))

    with pytest.raises(ErreurTelechargement, match="DEPCOM, LAMBERT_X, LAMBERT_Y"):
        telecharger(url, verification=VERIF_BPE)

    assert _fichiers(cache) == set()


def test_pbf_avec_md5_publie(cache: Path, serveur: ServeurFichiers, octets_pbf: bytes) -> None:
    url = serveur.publier("/geofabrik/test-latest.osm.pbf", octets_pbf)
    md5 = hashlib.md5(octets_pbf).hexdigest()
    serveur.publier("/geofabrik/test-latest.osm.pbf.md5", f"{md5}  test-latest.osm.pbf\n".encode())
    verification = Verification(format="pbf", url_somme=url + ".md5")

    chemin = telecharger(url, verification=verification)

    assert chemin.read_bytes() == octets_pbf
    assert lister_cache()[0].somme_publiee == f"md5:{md5}"


def test_pbf_md5_publie_different_rejete(
    cache: Path, serveur: ServeurFichiers, octets_pbf: bytes
) -> None:
    url = serveur.publier("/geofabrik/test-latest.osm.pbf", octets_pbf)
    serveur.publier("/geofabrik/test-latest.osm.pbf.md5", b"0123456789abcdef0123456789abcdef  x\n")

    with pytest.raises(ErreurTelechargement, match="md5 différente de celle publiée"):
        telecharger(url, verification=Verification(format="pbf", url_somme=url + ".md5"))

    assert _fichiers(cache) == set()


def test_pas_un_pbf_rejete(cache: Path, serveur: ServeurFichiers) -> None:
    url = serveur.publier("/geofabrik/test-latest.osm.pbf", zip_bpe(lignes=10))

    with pytest.raises(ErreurTelechargement, match="OpenStreetMap PBF"):
        telecharger(url, verification=Verification(format="pbf"))

    assert _fichiers(cache) == set()


def test_verifier_format_csv_entete_guillemets_bom_minuscules(tmp_path: Path) -> None:
    chemin = tmp_path / "bpe.csv"
    chemin.write_bytes('\ufeff"depcom";"TypEqu";lambert_x;LAMBERT_Y\n62001;B207;1;2\n'.encode())
    colonnes = ("DEPCOM", "TYPEQU", "LAMBERT_X", "LAMBERT_Y")

    verifier_format(chemin, Verification(format="csv", colonnes=colonnes))
    with pytest.raises(DonneesInvalides, match="NB_EQUIP"):
        verifier_format(chemin, Verification(format="csv", colonnes=("NB_EQUIP",)))
    with pytest.raises(DonneesInvalides, match="DEPCOM"):
        verifier_format(chemin, Verification(format="csv", colonnes=colonnes, separateur=","))


def test_verifier_format_json(tmp_path: Path) -> None:
    bon, mauvais = tmp_path / "a.json", tmp_path / "b.json"
    bon.write_text('[{"code": "62001"}]', encoding="utf-8")
    mauvais.write_text('[{"code": "62001"', encoding="utf-8")

    verifier_format(bon, Verification(format="json"))
    with pytest.raises(DonneesInvalides, match="JSON"):
        verifier_format(mauvais, Verification(format="json"))


def test_verification_refuse_les_valeurs_invalides() -> None:
    with pytest.raises(DonneesInvalides, match="Format"):
        Verification(format="tar")  # type: ignore[arg-type]
    with pytest.raises(DonneesInvalides, match="sha256"):
        Verification(sha256="abc")


# --------------------------------------------------------------------------------------------
# Errors: HTTP, refused connection, bad names
# --------------------------------------------------------------------------------------------


def test_404_une_ligne_en_francais(cache: Path, serveur: ServeurFichiers) -> None:
    url = serveur.url("/insee/BPE99.zip")

    with pytest.raises(ErreurTelechargement) as info:
        telecharger(url, conseil="Passez une copie locale avec --bpe FICHIER.")

    message = str(info.value)
    assert "\n" not in message
    assert "« BPE99.zip »" in message
    assert "HTTP 404" in message
    assert url in message
    assert message.endswith("--bpe FICHIER.")
    assert _fichiers(cache) == set()


def test_connexion_refusee_une_ligne_en_francais(cache: Path) -> None:
    url = f"http://127.0.0.1:{port_ferme()}/geofabrik/x-latest.osm.pbf"

    with pytest.raises(ErreurTelechargement, match="connexion refusée") as info:
        telecharger(url, conseil="Passez --pbf FICHIER.")

    assert "\n" not in str(info.value)
    assert "« x-latest.osm.pbf »" in str(info.value)
    assert _fichiers(cache) == set()


@pytest.mark.parametrize("nom", ["../x.zip", "a/b.zip", ".cache", "x.zip.partiel", ""])
def test_nom_de_cache_invalide(cache: Path, nom: str) -> None:
    with pytest.raises(DonneesInvalides):
        telecharger("http://127.0.0.1:9/x.zip", nom=nom)


def test_adresse_non_http_refusee(cache: Path) -> None:
    with pytest.raises(DonneesInvalides, match="http ou https"):
        telecharger("file:///etc/passwd", nom="x")


# --------------------------------------------------------------------------------------------
# Cache folder, listing, clearing, provenance
# --------------------------------------------------------------------------------------------


def test_dossier_cache_suit_la_variable(cache: Path, tmp_path: Path) -> None:
    assert dossier_telechargements() == cache
    assert (
        dossier_telechargements(tmp_path / "ailleurs") == tmp_path / "ailleurs" / "telechargements"
    )


def test_supprimer_du_cache(cache: Path, serveur: ServeurFichiers) -> None:
    a = serveur.publier("/a.zip", zip_bpe(lignes=5))
    b = serveur.publier("/b.zip", zip_bpe(lignes=6))
    telecharger(a, verification=VERIF_BPE)
    telecharger(b, verification=VERIF_BPE)

    assert supprimer_du_cache(["a.zip"]) == 1
    assert [e.nom for e in lister_cache()] == ["b.zip"]
    with pytest.raises(DonneesManquantes, match=r"a\.zip"):
        supprimer_du_cache(["a.zip"])
    assert supprimer_du_cache() == 1
    assert _fichiers(cache) == set()


def test_provenance_fichier_telecharge(cache: Path, serveur: ServeurFichiers) -> None:
    contenu = zip_bpe(lignes=10)
    url = serveur.publier("/insee/BPE24.zip", contenu)
    chemin = telecharger(url, verification=VERIF_BPE)

    prov = provenance(chemin)

    assert prov["nom"] == "BPE24.zip"
    assert prov["url"] == url
    assert prov["taille"] == len(contenu)
    assert prov["sha256"] == hashlib.sha256(contenu).hexdigest()
    assert prov["date"] == lister_cache()[0].date
    assert "fichier" not in prov


def test_provenance_fichier_local(tmp_path: Path) -> None:
    chemin = tmp_path / "bpe2013.xlsx"
    chemin.write_bytes(b"contenu local")

    prov = provenance(chemin)

    assert prov["nom"] == "bpe2013.xlsx"
    assert prov["fichier"] == str(chemin.resolve())
    assert prov["sha256"] == hashlib.sha256(b"contenu local").hexdigest()
    assert prov["taille"] == 13
    assert "url" not in prov
    with pytest.raises(DonneesManquantes):
        provenance(tmp_path / "absent.csv")


@pytest.mark.parametrize(
    ("octets", "texte"),
    [
        (0, "0 o"),
        (1023, "1023 o"),
        (1536, "1,5 ko"),
        (142_884_474, "136,3 Mo"),
        (5 << 30, "5,0 Go"),
    ],
)
def test_formater_taille(octets: int, texte: str) -> None:
    assert formater_taille(octets) == texte


def test_serveur_muet_delai_depasse(cache: Path) -> None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as ecoute:
        ecoute.bind(("127.0.0.1", 0))
        ecoute.listen(1)  # accepts the TCP connection, never answers
        url = f"http://127.0.0.1:{ecoute.getsockname()[1]}/BPE24.zip"
        with pytest.raises(ErreurTelechargement, match="délai d'attente dépassé"):
            telecharger(url, delai_s=0.2)
    assert _fichiers(cache) == set()


@pytest.mark.parametrize(
    ("raison", "attendu"),
    [
        ("dns", "nom de serveur introuvable"),
        ("ssl", "SSL_CERT_FILE"),
        ("refus", "connexion refusée"),
    ],
)
def test_messages_de_connexion(raison: str, attendu: str) -> None:
    import socket
    import ssl
    import urllib.error

    from socle.telechargement import _message_connexion

    causes: dict[str, OSError] = {
        "dns": socket.gaierror(-2, "Name or service not known"),
        "ssl": ssl.SSLCertVerificationError(1, "certificate verify failed"),
        "refus": ConnectionRefusedError(111, "Connection refused"),
    }
    message = _message_connexion(
        "https://www.insee.fr/x.zip", urllib.error.URLError(causes[raison])
    )
    assert message.startswith("pas de connexion à www.insee.fr (")
    assert attendu in message
