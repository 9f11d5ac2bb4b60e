"""A network of sites on the command line: the CAPSO's service houses, and bad input.

The Pays de Saint-Omer community (CAPSO, EPCI 200069037) opened its service houses on five
sites (Éperlecques, Thérouanne, Aire-sur-la-Lys, Saint-Omer, Fauquembergues) with the goal
of 15 minutes at most for every inhabitant; ``tests/fixtures/sites_capso.csv`` gives them
by commune code. Times: the straight-line estimate (2.02 min + 1.32 min/km).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from accessibilite.cli import main
from tests._ban import faux_ban
from tests._serveur_http import ServeurFichiers
from tests.conftest import FIXTURES, chemin_donnees

SITES_CAPSO = FIXTURES / "sites_capso.csv"
CAPSO = "200069037"


def _erreur(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = main(argv)
    sortie = capsys.readouterr()
    assert code == 2
    lignes = [ligne for ligne in sortie.err.splitlines() if ligne.startswith("Erreur")]
    assert len(lignes) == 1 and "Traceback" not in sortie.err
    return lignes[0]


@pytest.fixture
def sans_reseau(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache and no network at all (the maps' libraries cannot be fetched)."""
    import urllib.error
    import urllib.request

    def hors_ligne(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("réseau coupé (test)")

    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(urllib.request, "urlopen", hors_ligne)
    return tmp_path / "cache"


@pytest.mark.donnees
def test_capso_cinq_maisons_objectif_15_min(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sans_reseau: Path
) -> None:
    membres = json.loads(
        chemin_donnees("communes", "epci-62-2026.json").read_text(encoding="utf-8")
    )
    officiel = {m["code"] for e in membres if e["code"] == CAPSO for m in e["membres"]}
    sortie = tmp_path / "capso"
    argv = ["indicateur", "--departement", "62", "--sites", str(SITES_CAPSO), "--objectif"]
    argv += ["15", "--perimetre", CAPSO, "--cartes", "png", "--sortie", str(sortie)]
    assert main(argv) == 0
    texte = capsys.readouterr().out
    assert "Réseau de 5 sites (sites_capso.csv) — objectif : 15 min" in texte
    # with each commune's internal time (the default, as for indicateur)
    assert "au-delà de l'objectif de 15 min : 1 682 habitants (1,6 %), 4 communes" in texte
    table = pd.read_csv(sortie / "indicateur.csv", dtype={"code": str, "site_commune": str})
    # the perimeter: the 53 communes of the CAPSO, as in the official 2026 list
    assert len(table) == 53 and set(table["code"]) == officiel
    assert table["population"].sum() == 105_743
    au_dela = pd.read_csv(sortie / "communes_au_dela_objectif.csv", dtype={"code": str})
    assert au_dela["nom"].tolist() == ["Febvin-Palfart", "Laires", "Beaumetz-lès-Aire", "Fléchin"]
    assert au_dela["temps_min"].tolist() == [19.5, 17.8, 17.7, 15.9]
    assert au_dela["population"].sum() == 1682
    assert set(au_dela["site_nom"]) == {"Maison des services de Thérouanne"}
    # from commune centre to site: the five sites' communes at 0 min, three communes beyond
    centre = tmp_path / "capso_centre"
    argv_centre = [*argv[: argv.index("--cartes")], "--sans-temps-interne", "--cartes", "aucune"]
    assert main([*argv_centre, "--sortie", str(centre)]) == 0
    assert "1 203 habitants (1,1 %), 3 communes" in capsys.readouterr().out
    t_centre = pd.read_csv(centre / "indicateur.csv", dtype={"code": str})
    sieges = t_centre[t_centre["temps_min"] == 0]
    assert set(sieges["code"]) == {"62297", "62811", "62014", "62765", "62325"}
    au_dela_centre = pd.read_csv(centre / "communes_au_dela_objectif.csv")
    assert au_dela_centre["nom"].tolist() == ["Febvin-Palfart", "Beaumetz-lès-Aire", "Laires"]
    assert au_dela_centre["temps_min"].tolist() == [17.2, 16.3, 16.0]
    resume = pd.read_csv(sortie / "resume.csv").iloc[0]
    assert resume["population_au_dela_15"] == 1682 and resume["communes_au_dela_15"] == 4
    sites = pd.read_csv(sortie / "sites.csv", dtype={"code_insee": str})
    assert sites["population_desservie"].sum() == 105_743
    assert sites["population_dans_objectif"].sum() == 105_743 - 1682
    assert sites["temps_site_le_plus_proche_min"].min() == 14.2  # Éperlecques – Saint-Omer
    couches = gpd.list_layers(sortie / "indicateur.gpkg")["name"].tolist()
    assert {"communes", "sites", "bassins", "perimetre", "voisines"} <= set(couches)
    bassins = gpd.read_file(sortie / "indicateur.gpkg", layer="bassins")
    assert bassins["hors_bassin"].sum() == 1 and bassins["communes"].sum() == 53
    parametres = json.loads((sortie / "parametres.json").read_text(encoding="utf-8"))
    assert parametres["perimetre"]["communes"] == 53 and parametres["objectif_min"] == 15
    from PIL import Image

    with Image.open(sortie / "carte.png") as image:
        assert image.size == (2480, 3508)
    # the map command reads the folder again (a network of sites: its own maps)
    assert main(["carte", "--entree", str(sortie), "--format", "pdf"]) == 0
    assert (sortie / "carte.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.donnees
def test_capso_sixieme_site_et_comparaison(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chemin_donnees("communes", "epci-62-2026.json")
    argv = ["placement", "--departement", "62", "--sites", str(SITES_CAPSO), "--objectif"]
    argv += ["15", "--perimetre", CAPSO, "-k", "2", "--sortie", str(tmp_path / "placement")]
    assert main(argv) == 0
    texte = capsys.readouterr().out
    assert "1 682 habitants au-delà du seuil" in texte
    propositions = pd.read_csv(tmp_path / "placement" / "placement.csv", dtype={"code": str})
    # one more site brings the four communes within the goal: a second one is useless
    assert len(propositions) == 1
    premier = propositions.iloc[0]
    assert (premier["code"], premier["nom"]) == ("62295", "Enquin-lez-Guinegatte")
    assert premier["population_sortie"] == 1682 and premier["communes_sorties"] == 4
    assert set(premier["communes_sorties_noms"].split(" ; ")) == {
        "Febvin-Palfart",
        "Beaumetz-lès-Aire",
        "Laires",
        "Fléchin",
    }
    # the network with the proposed site: nobody left beyond 15 min
    ajout = tmp_path / "ajout.csv"
    ajout.write_text(f"nom,code_insee\nSixième maison,{premier['code']}\n", encoding="utf-8")
    argv = ["scenario", "--departement", "62", "--sites", str(SITES_CAPSO), "--objectif", "15"]
    argv += ["--perimetre", CAPSO, "--avec", str(ajout), "--sans", "Thérouanne"]
    argv += ["--sortie", str(tmp_path / "comparaison")]
    assert main(argv) == 0
    bilan = pd.read_csv(tmp_path / "comparaison" / "bilan.csv").iloc[0]
    assert bilan["population_au_dela_avant"] == 1682
    assert bilan["sites_retires"] == "Maison des services de Thérouanne"
    assert bilan["sites_ajoutes"] == "Sixième maison"
    argv = ["bassins", "--departement", "62", "--sites", str(SITES_CAPSO), "--objectif", "15"]
    argv += ["--perimetre", CAPSO, "--sortie", str(tmp_path / "bassins.gpkg")]
    assert main(argv) == 0
    bassins = gpd.read_file(tmp_path / "bassins.gpkg")
    assert (
        len(bassins) == 6 and int(bassins.loc[bassins["hors_bassin"], "population"].sum()) == 1682
    )
    argv = ["isochrones", "--sites", str(SITES_CAPSO), "--source", "vol-oiseau", "--temps", "15"]
    argv += ["--par-source", "--sortie", str(tmp_path / "iso.gpkg")]
    assert main(argv) == 0
    iso = gpd.read_file(tmp_path / "iso.gpkg")
    assert sorted(iso["source"]) == sorted(pd.read_csv(SITES_CAPSO)["nom"])


@pytest.mark.parametrize(
    ("contenu", "options", "attendu"),
    [
        ("nom,code_insee\nMaison,62765\nFausse,62999\n", [], "ligne 3 (Fausse) : code commune"),
        ("nom,lon,lat\nInversée,50.75,2.25\n", [], "ligne 2 (Inversée) : point hors de France"),
        ("site,code_insee\nMaison,62765\n", [], "colonne « nom » absente"),
        ("", [], "vide"),
        ("nom,code_insee\nMaison,62765\n", ["--perimetre", "200093201"], "200093201 n'est ni"),
        ("nom,code_insee\nMaison,62765\n", ["--perimetre", "59350"], "ni une commune du"),
        ("nom,code_insee\nMaison,62765\n", [], "Donnez l'objectif de temps du réseau"),
    ],
)
def test_entrees_invalides_une_ligne_code_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    contenu: str,
    options: list[str],
    attendu: str,
) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text(contenu, encoding="utf-8")
    argv = ["indicateur", "--departement", "62", "--sites", str(sites), "--cartes", "aucune"]
    if "Donnez l'objectif" not in attendu:
        argv += ["--objectif", "15"]
    ligne = _erreur(capsys, [*argv, *options, "--sortie", str(tmp_path / "r")])
    assert attendu in ligne
    assert not (tmp_path / "r").exists()


def test_matrice_et_site_par_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text("nom,lon,lat\nAntenne,2.2522,50.7506\n", encoding="utf-8")
    matrice = tmp_path / "matrice.csv"
    matrice.write_text("origine,destination,minutes\n62765,62014,20\n", encoding="utf-8")
    argv = ["indicateur", "--departement", "62", "--sites", str(sites), "--objectif", "15"]
    argv += ["--matrice", str(matrice), "--perimetre", "62765", "--cartes", "aucune"]
    ligne = _erreur(capsys, [*argv, "--sortie", str(tmp_path / "r")])
    assert "ne connaît que des communes" in ligne and "« Antenne »" in ligne


def test_options_incompatibles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["indicateur", "--departement", "62", "--sites", str(SITES_CAPSO), "--service"]
    ligne = _erreur(capsys, [*argv, "medecin", "--objectif", "15"])
    assert "--sites ne se combine pas avec --service" in ligne
    ligne = _erreur(capsys, ["scenario", "--sites", str(SITES_CAPSO), "--objectif", "15"])
    assert "--sites demande --departement" in ligne
    ligne = _erreur(capsys, ["scenario", "--base", str(tmp_path)])
    assert "--modifications" in ligne
    ligne = _erreur(capsys, ["bassins", "--sortie", str(tmp_path / "b.gpkg")])
    assert "--base DOSSIER" in ligne and "--sites FICHIER" in ligne
    argv = ["placement", "--base", str(tmp_path), "--niveau", "proximite", "--incertitude"]
    ligne = _erreur(capsys, [*argv, "aucune", "--sans-temps-interne"])
    assert "--sans-temps-interne, --incertitude : ces options valent pour un réseau" in ligne
    argv = ["indicateur", "--departement", "62", "--service", "medecin", "--objectif", "15"]
    assert "--objectif vaut pour un réseau de sites" in _erreur(capsys, argv)
    argv = ["indicateur", "--departement", "62", "--services", "medecin,pharmacie"]
    ligne = _erreur(capsys, [*argv, "--perimetre", CAPSO])
    assert "pas pour plusieurs services" in ligne


@pytest.fixture
def ban(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "cache"))
    serveur = ServeurFichiers()
    url = serveur.repondre(
        "/search/csv/",
        faux_ban(
            {
                "Place Victor Hugo 62500 Saint-Omer": (
                    2.2522,
                    50.7506,
                    0.92,
                    "Place Victor Hugo 62500 Saint-Omer",
                    "62765",
                ),
                "Grand Place Aire": (2.3976, 50.6389, 0.38, "Aire-sur-la-Lys", "62014"),
            }
        ),
    )
    yield url
    serveur.arreter()


def test_adresses_geocodees_par_la_ban(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ban: str
) -> None:
    sites = tmp_path / "maisons.csv"
    sites.write_text(
        "nom;adresse;code_insee;horaires\n"
        "Maison de Saint-Omer;Place Victor Hugo 62500 Saint-Omer;;lundi-vendredi 9h-17h\n"
        "Maison d'Éperlecques;;62297;mardi\n",
        encoding="utf-8",
    )
    sortie = tmp_path / "r"
    argv = ["indicateur", "--departement", "62", "--sites", str(sites), "--objectif", "15"]
    argv += ["--perimetre", "62765,62297,62014", "--geocodage", ban, "--cartes", "aucune"]
    assert main([*argv, "--sortie", str(sortie)]) == 0
    lus = pd.read_csv(sortie / "sites.csv", dtype={"code_insee": str})
    assert lus["localisation"].tolist() == ["adresse", "commune"]
    assert lus["score_geocodage"].iloc[0] == pytest.approx(0.92)
    assert lus["code_insee"].iloc[0] == "62765"
    assert lus["horaires"].tolist() == ["lundi-vendredi 9h-17h", "mardi"]
    parametres = json.loads((sortie / "parametres.json").read_text(encoding="utf-8"))
    assert parametres["reseau_sites"]["geocodage"]["url"] == ban
    # a low score: listed and refused, nothing computed
    sites.write_text("nom;adresse\nMaison d'Aire;Grand Place Aire\n", encoding="utf-8")
    ligne = _erreur(capsys, [*argv, "--sortie", str(tmp_path / "r2")])
    assert "ligne 2 (Maison d'Aire) « Grand Place Aire » : trouvé « Aire-sur-la-Lys »" in ligne
    assert "score 0,38" in ligne and not (tmp_path / "r2").exists()


def test_sites_un_seul_departement(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["indicateur", "--region", "32", "--sites", str(SITES_CAPSO), "--objectif", "15"]
    assert "--sites demande un département" in _erreur(capsys, argv)
