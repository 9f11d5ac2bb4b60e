"""Caches are verified on read: the BPE table cache, downloaded files and the map assets
(a cache edited by hand or poisoned is detected, never trusted)."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import folium
import pyarrow.parquet as pq
import pytest

from cartes import _actifs
from cartes.ressources import html_autonome, rendre_html
from poles.bpe import lire_bpe
from socle.erreurs import CacheCorrompu, ErreurTelechargement
from socle.telechargement import fichier_en_cache, provenance, telecharger
from tests._serveur_http import ServeurFichiers, zip_bpe

# --------------------------------------------------------------------------- BPE cache


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    racine = tmp_path / "cache"
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(racine))
    for variable in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(variable, raising=False)
    return racine


def _bpe(tmp_path: Path) -> Path:
    f = tmp_path / "bpe.csv"
    f.write_text(
        "DEPCOM;TYPEQU;NB_EQUIP\n62041;D201;3\n62041;B203;2\n62160;D201;1\n", encoding="utf-8"
    )
    return f


def test_cache_bpe_modifie_detecte_et_reconstruit(tmp_path, cache, caplog):
    source = _bpe(tmp_path)
    premiere = lire_bpe(source)
    (fichier,) = (cache / "bpe").glob("*.parquet")
    assert (fichier.parent / (fichier.name + ".sha256")).is_file()
    # someone edits the cached table (3 doctors become 30), keeping its metadata
    table = pq.read_table(fichier)
    nombres = table.column("nombre").to_pylist()
    nombres[table.column("typequ").to_pylist().index("D201")] = 30
    import pyarrow as pa

    table = table.set_column(table.schema.get_field_index("nombre"), "nombre", pa.array(nombres))
    pq.write_table(table, fichier)
    with caplog.at_level(logging.WARNING, logger="poles.bpe"):
        relue = lire_bpe(source)
    assert "modifié depuis son écriture" in caplog.text
    assert relue.equals(premiere)  # read again from the source, not from the edited cache
    assert 30 not in relue["nombre"].tolist()
    # and the cache was rewritten: the next read takes it without a warning
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="poles.bpe"):
        assert lire_bpe(source).equals(premiere)
    assert caplog.text == ""


def test_cache_bpe_sans_empreinte_relu_depuis_la_source(tmp_path, cache, caplog):
    source = _bpe(tmp_path)
    premiere = lire_bpe(source)
    (empreinte,) = (cache / "bpe").glob("*.sha256")
    empreinte.unlink()
    with caplog.at_level(logging.WARNING, logger="poles.bpe"):
        assert lire_bpe(source).equals(premiere)
    assert "modifié depuis son écriture" in caplog.text
    assert empreinte.is_file()


# --------------------------------------------------------------------------- downloads


@pytest.fixture
def serveur() -> ServeurFichiers:
    s = ServeurFichiers()
    yield s
    s.arreter()


def test_telechargement_altere_a_taille_egale_n_est_pas_reutilise(cache, serveur, caplog):
    contenu = zip_bpe(lignes=50)
    url = serveur.publier("/insee/BPE24.zip", contenu)
    chemin = telecharger(url)
    assert fichier_en_cache(url) == chemin
    # same size, different bytes: a size check alone would reuse it
    altere = bytearray(contenu)
    altere[len(altere) // 2] ^= 0xFF
    chemin.write_bytes(bytes(altere))
    assert fichier_en_cache(url) is None
    # provenance does not certify the download for the altered file
    decrit = provenance(chemin)
    assert "url" not in decrit and decrit["sha256"] != provenance_attendue(contenu)
    with caplog.at_level(logging.WARNING, logger="socle.telechargement"):
        assert telecharger(url) == chemin
    assert "a changé depuis son téléchargement" in caplog.text
    assert chemin.read_bytes() == contenu  # downloaded again
    assert len(serveur.requetes()) == 2
    assert provenance(chemin)["url"] == url


def provenance_attendue(contenu: bytes) -> str:
    import hashlib

    return hashlib.sha256(contenu).hexdigest()


# --------------------------------------------------------------------------- map assets


@pytest.fixture
def actifs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small asset cache whose files are pinned, as the real table pins the npm files."""
    racine = tmp_path / "cache"
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(racine))
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"SECRET-DU-DISQUE")
    contenus = {
        ".js": b"/* script %s */",
        ".css": (
            b".a{background:url(images/layers.png)}"
            b" .b{background:url(" + str(secret).encode() + b")}"
            b" .c{background:url(../../../../../../../../" + str(secret).encode() + b")}"
        ),
    }
    pinces = {}
    for paquet in _actifs.PAQUETS.values():
        empreintes = []
        for fichier in paquet.noms:
            chemin = _actifs.dossier_paquet(paquet) / fichier
            chemin.parent.mkdir(parents=True, exist_ok=True)
            modele = contenus.get(chemin.suffix, b"PNG-%s")
            contenu = modele.replace(b"%s", fichier.encode())
            chemin.write_bytes(contenu)
            empreintes.append((fichier, _actifs.integrite(contenu)))
        pinces[paquet.nom] = dataclasses.replace(paquet, fichiers=tuple(empreintes))
    monkeypatch.setattr(_actifs, "PAQUETS", pinces)
    return racine


def _page() -> str:
    return str(folium.Map(tiles=None).get_root().render())


def test_actif_empoisonne_jamais_embarque(actifs, caplog, monkeypatch):
    import urllib.error
    import urllib.request

    def hors_ligne(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("réseau coupé (test)")

    monkeypatch.setattr(urllib.request, "urlopen", hors_ligne)
    leaflet = _actifs.PAQUETS["leaflet"]
    js = _actifs.dossier_paquet(leaflet) / "dist/leaflet.js"
    taille = len(js.read_bytes())
    poison = b"alert(1);//"
    js.write_bytes((poison + b" " * taille)[:taille])  # same size, other content
    assert not _actifs.fichier_intact(leaflet, "dist/leaflet.js")
    with pytest.raises(CacheCorrompu, match="modifiée depuis son téléchargement"):
        _actifs.lire_fichier("leaflet", "dist/leaflet.js")
    with pytest.raises(ErreurTelechargement, match="modifiées"):
        html_autonome(_page(), telecharger=False)
    with caplog.at_level(logging.WARNING):
        page = rendre_html(folium.Map(tiles=None), autonome=None)
    assert "alert(1)" not in page
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in page
    assert "modifiée depuis son téléchargement" in caplog.text


def test_css_ne_peut_embarquer_un_fichier_du_disque(actifs):
    page = html_autonome(_page(), telecharger=False)
    assert "script dist/leaflet.js" in page  # the pinned files are inlined
    assert 'url("data:image/png;base64,' in page
    import base64

    secret = base64.b64encode(b"SECRET-DU-DISQUE").decode()
    assert secret not in page and "SECRET-DU-DISQUE" not in page
    assert page.count("url(data:,)") >= 2


def test_seuls_les_fichiers_retenus_sont_lus(actifs):
    with pytest.raises(FileNotFoundError):
        _actifs.lire_fichier("leaflet", "package.json")
    with pytest.raises(FileNotFoundError):
        _actifs.lire_fichier("leaflet", "../../../../etc/passwd")


def test_les_empreintes_de_la_table_sont_celles_des_vrais_fichiers():
    """Every pinned file of the real table, when the real assets are in the cache."""
    if _actifs.paquets_manquants():
        pytest.skip("bibliothèques des cartes absentes du cache (bash .ci/prerequis)")
    for paquet in _actifs.PAQUETS.values():
        for fichier in paquet.noms:
            assert _actifs.fichier_intact(paquet, fichier), (paquet.nom, fichier)
