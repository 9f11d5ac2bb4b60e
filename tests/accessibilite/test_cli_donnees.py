"""``accessibilite donnees``: the CLI against a local HTTP server (never the internet)."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from accessibilite.cli import main
from socle.ressources import fichier_donnees
from tests._serveur_http import ServeurFichiers, port_ferme, zip_bpe

_INSEE = "https://www.insee.fr/fr/statistiques/fichier/8217525/"
_GEOFABRIK = "https://download.geofabrik.de/europe/france/"


def _table_locale(dossier: Path, racine: str) -> Path:
    """The installed sources table with the INSEE and Geofabrik hosts replaced by ``racine``."""
    texte = fichier_donnees("sources.toml").read_text(encoding="utf-8")
    assert _INSEE in texte and _GEOFABRIK in texte
    texte = texte.replace(_INSEE, racine + "/insee/").replace(_GEOFABRIK, racine + "/geofabrik/")
    chemin = dossier / "sources.toml"
    chemin.write_text(texte, encoding="utf-8")
    return chemin


@pytest.fixture
def serveur() -> ServeurFichiers:
    s = ServeurFichiers()
    yield s
    s.arreter()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, serveur: ServeurFichiers) -> Path:
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("ACCESSIBILITE_SOURCES", str(_table_locale(tmp_path, serveur.racine)))
    for variable in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(variable, raising=False)
    return tmp_path / "cache" / "telechargements"


def _publier_pbf(serveur: ServeurFichiers, region: str, contenu: bytes) -> None:
    chemin = f"/geofabrik/{region}-latest.osm.pbf"
    serveur.publier(chemin, contenu)
    md5 = hashlib.md5(contenu).hexdigest()
    serveur.publier(chemin + ".md5", f"{md5}  {region}-latest.osm.pbf\n".encode())


def _une_ligne_d_erreur(sortie: str) -> str:
    lignes = sortie.strip().splitlines()
    assert len(lignes) == 1, sortie
    assert lignes[0].startswith("Erreur : ")
    assert "Traceback" not in sortie
    return lignes[0]


def test_telecharger_bpe_puis_cache(
    cache: Path, serveur: ServeurFichiers, capsys: pytest.CaptureFixture[str]
) -> None:
    contenu = zip_bpe(membre="BPE25.csv")
    serveur.publier("/insee/BPE25.zip", contenu)

    assert main(["donnees", "telecharger", "--departement", "62"]) == 0
    assert "BPE25.zip : téléchargé et vérifié" in capsys.readouterr().out
    assert (cache / "BPE25.zip").read_bytes() == contenu

    assert main(["donnees", "telecharger", "--departement", "62"]) == 0
    assert "BPE25.zip : déjà en cache" in capsys.readouterr().out
    assert len(serveur.requetes()) == 1

    assert main(["donnees", "telecharger", "--departement", "62", "--rafraichir"]) == 0
    assert "BPE25.zip : téléchargé et vérifié" in capsys.readouterr().out
    assert len(serveur.requetes()) == 2


def test_telecharger_bpe_annee(
    cache: Path, serveur: ServeurFichiers, capsys: pytest.CaptureFixture[str]
) -> None:
    serveur.publier("/insee/BPE24.zip", zip_bpe(membre="BPE24.csv"))

    assert main(["donnees", "telecharger", "--departement", "62", "--bpe-annee", "2024"]) == 0
    assert (cache / "BPE24.zip").is_file()

    assert main(["donnees", "telecharger", "--departement", "62", "--bpe-annee", "1990"]) == 2
    assert "1990" in _une_ligne_d_erreur(capsys.readouterr().err)


def test_telecharger_osm_deux_regions(
    cache: Path, serveur: ServeurFichiers, capsys: pytest.CaptureFixture[str]
) -> None:
    pyrosm = pytest.importorskip("pyrosm")
    pbf = Path(pyrosm.get_data("test_pbf")).read_bytes()
    _publier_pbf(serveur, "nord-pas-de-calais", pbf)
    _publier_pbf(serveur, "picardie", pbf)

    code = main(["donnees", "telecharger", "--departement", "62,80", "--osm", "--sans-bpe"])

    assert code == 0, capsys.readouterr().err
    assert (cache / "nord-pas-de-calais-latest.osm.pbf").read_bytes() == pbf
    assert (cache / "picardie-latest.osm.pbf").read_bytes() == pbf
    assert not (cache / "BPE25.zip").exists()


def test_404_une_ligne_et_code_2(
    cache: Path, serveur: ServeurFichiers, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["donnees", "telecharger", "--departement", "62"]) == 2

    ligne = _une_ligne_d_erreur(capsys.readouterr().err)
    assert "« BPE25.zip »" in ligne
    assert "HTTP 404" in ligne
    assert "--bpe FICHIER" in ligne
    assert not (cache / "BPE25.zip").exists()


def test_connexion_refusee_une_ligne_et_code_2(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ferme = f"http://127.0.0.1:{port_ferme()}"
    monkeypatch.setenv("ACCESSIBILITE_SOURCES", str(_table_locale(tmp_path, ferme)))

    code = main(["donnees", "telecharger", "--departement", "62", "--osm", "--sans-bpe"])

    assert code == 2
    ligne = _une_ligne_d_erreur(capsys.readouterr().err)
    assert "« nord-pas-de-calais-latest.osm.pbf »" in ligne
    assert "connexion refusée" in ligne
    assert "--pbf FICHIER" in ligne
    assert not (cache / "nord-pas-de-calais-latest.osm.pbf").exists()


def test_archive_corrompue_une_ligne_et_pas_en_cache(
    cache: Path, serveur: ServeurFichiers, capsys: pytest.CaptureFixture[str]
) -> None:
    serveur.publier("/insee/BPE25.zip", zip_bpe(membre="BPE24.csv"))  # wrong member

    assert main(["donnees", "telecharger", "--departement", "62"]) == 2

    ligne = _une_ligne_d_erreur(capsys.readouterr().err)
    assert "BPE25.csv" in ligne
    assert not any(cache.iterdir())


def test_departement_inconnu(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["donnees", "telecharger", "--departement", "99", "--osm"]) == 2
    assert "99" in _une_ligne_d_erreur(capsys.readouterr().err)


def test_liste_et_vider(
    cache: Path, serveur: ServeurFichiers, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["donnees", "liste"]) == 0
    sortie = capsys.readouterr().out
    assert str(cache) in sortie
    assert "Le cache est vide." in sortie

    url = serveur.publier("/insee/BPE25.zip", zip_bpe(membre="BPE25.csv"))
    assert main(["donnees", "telecharger", "--departement", "62"]) == 0
    capsys.readouterr()

    assert main(["donnees", "liste"]) == 0
    sortie = capsys.readouterr().out
    assert "BPE25.zip" in sortie
    assert url in sortie
    assert "1 fichier," in sortie

    assert main(["donnees", "vider"]) == 0
    assert "1 fichier supprimé" in capsys.readouterr().out
    assert main(["donnees", "liste"]) == 0
    assert "Le cache est vide." in capsys.readouterr().out


def test_donnees_sans_action_affiche_l_aide(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["donnees"]) == 2
    assert "telecharger" in capsys.readouterr().out


_LISTE = "https://cdn.jsdelivr.net/npm/@etalab/decoupage-administratif@6.0.0/data/"


@pytest.mark.donnees
def test_liste_officielle_telechargee_puis_utilisee(
    cache: Path,
    serveur: ServeurFichiers,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``donnees telecharger --communes`` fetches the official lists (checked against the
    sources table); ``zones-grises --communes-officielles`` then uses them, from the cache,
    as ``--liste-officielle`` does with the same files."""
    from tests.conftest import chemin_donnees

    fichiers = {
        "communes": chemin_donnees("communes", "communes-62-2026.json").read_bytes(),
        "epci": chemin_donnees("communes", "epci-62-2026.json").read_bytes(),
    }
    texte = Path(os.environ["ACCESSIBILITE_SOURCES"]).read_text(encoding="utf-8")
    for nom, contenu in fichiers.items():
        serveur.publier(f"/etalab/{nom}.json", contenu)
        section = texte.index(f"[{nom}]\n")
        fin = texte.index("\n[", section + 1)
        bloc = texte[section:fin]
        nouveau = bloc.replace(f"{_LISTE}{nom}.json", f"{serveur.racine}/etalab/{nom}.json")
        nouveau = re.sub(
            r'sha256 = "\w+"', f'sha256 = "{hashlib.sha256(contenu).hexdigest()}"', nouveau
        )
        nouveau = re.sub(r"taille = \d+", f"taille = {len(contenu)}", nouveau)
        assert nouveau != bloc
        texte = texte[:section] + nouveau + texte[fin:]
    Path(os.environ["ACCESSIBILITE_SOURCES"]).write_text(texte, encoding="utf-8")

    assert main(["donnees", "telecharger", "--departement", "62", "--sans-bpe", "--communes"]) == 0
    sortie = capsys.readouterr().out
    assert sortie.count("téléchargé et vérifié") == 2
    communes = cache / "decoupage-administratif-6.0.0-communes.json"
    assert communes.read_bytes() == fichiers["communes"]
    assert len(serveur.requetes()) == 2

    bpe = str(chemin_donnees("bpe", "bpe2013.xlsx"))
    argv = ["zones-grises", "--departement", "62", "--bpe", bpe, "--cartes", "aucune"]
    assert main([*argv, "--communes-officielles", "--sortie", str(tmp_path / "a")]) == 0
    assert len(serveur.requetes()) == 2  # from the cache, no new download
    locale = [str(chemin_donnees("communes", f"{n}-62-2026.json")) for n in ("communes", "epci")]
    assert main([*argv, "--liste-officielle", *locale, "--sortie", str(tmp_path / "b")]) == 0
    for fichier in ("zones_grises.csv", "resume.csv", "resume_epci.csv"):
        assert (tmp_path / "a" / fichier).read_bytes() == (tmp_path / "b" / fichier).read_bytes()
    resume_epci = pd.read_csv(tmp_path / "a" / "resume_epci.csv")
    assert resume_epci.groupby("niveau")["population_totale"].sum().tolist() == [1_457_905] * 3
