"""The ``zones-grises`` command on the real 62 data, and its answers to bad input."""

import json

import pandas as pd
import pytest

from accessibilite.cli import main
from tests.conftest import chemin_donnees

pytestmark = pytest.mark.donnees


@pytest.fixture(scope="module")
def sortie_62(dossier_62):
    """The main job run through the command line (tests/conftest.py)."""
    return dossier_62


def test_fichiers_et_colonnes(sortie_62, capsys):
    table = pd.read_csv(sortie_62 / "zones_grises.csv", dtype={"code": str, "epci_code": str})
    attendues = ["code", "nom", "population", "epci_code", "epci_nom"]
    for n in ("proximite", "intermediaire", "superieur"):
        attendues += [
            f"pole_{n}",
            f"pole_{n}_nom",
            f"temps_{n}_min",
            f"zone_grise_{n}",
            f"est_pole_{n}",
            f"temps_{n}_min_bas",
            f"temps_{n}_min_haut",
            f"etat_{n}",
        ]
    assert table.columns.tolist() == [*attendues, "niveaux_zone_grise"]
    assert len(table) == 887
    resume = pd.read_csv(sortie_62 / "resume.csv")
    assert resume.columns.tolist() == [
        "niveau",
        "seuil_min",
        "poles",
        "communes",
        "population",
        "part_population",
        "communes_min",
        "communes_max",
        "communes_incertaines",
        "population_min",
        "population_max",
    ]
    assert resume["communes"].tolist() == [
        int(table[f"zone_grise_{n}"].sum()) for n in ("proximite", "intermediaire", "superieur")
    ]
    import pyogrio

    couches = [c[0] for c in pyogrio.list_layers(sortie_62 / "zones_grises.gpkg")]
    niveaux = ("proximite", "intermediaire", "superieur")
    assert couches == [
        "communes",
        "centres",
        "poles",
        "voisines",
        "epci",
        "departement",
        *(f"zones_grises_{n}" for n in niveaux),  # views, one per level, with its style
        "layer_styles",  # the QGIS styles, as QGIS itself stores them
    ]
    assert pyogrio.read_info(sortie_62 / "zones_grises.gpkg", layer="communes")["crs"] == (
        "EPSG:2154"
    )
    parametres = json.loads((sortie_62 / "parametres.json").read_text())
    assert parametres["regle"]["nom"] == "par_niveau" and parametres["bpe"]["annee"] == 2013
    assert [f["items_requis"] for f in parametres["regle"]["niveaux"].values()] == [11, 9, 6, 2]
    assert not list(sortie_62.glob("*partiel*"))


def _erreur(capsys, argv):
    code = main(argv)
    sortie = capsys.readouterr()
    assert code == 2
    lignes = [ligne for ligne in sortie.err.splitlines() if ligne.startswith("Erreur")]
    assert len(lignes) == 1 and "Traceback" not in sortie.err
    return lignes[0]


def test_mauvaises_entrees(tmp_path, capsys):
    bpe = str(chemin_donnees("bpe", "bpe2013.xlsx"))
    base = ["zones-grises", "--cartes", "aucune", "--sortie", str(tmp_path / "s")]
    assert "inconnu" in _erreur(capsys, [*base, "--departement", "99", "--bpe", bpe])
    faux = tmp_path / "faux.csv"
    faux.write_text("x;y\n1;2\n")
    assert "DEPCOM" in _erreur(capsys, [*base, "--departement", "62", "--bpe", str(faux)])
    gamme = tmp_path / "g.toml"
    gamme.write_text('[[niveau]]\nnom="x"\nseuil_min=5\nitems=[{nom="a", typequ=["Q123"]}]\n')
    assert "Q123" in _erreur(
        capsys, [*base, "--departement", "62", "--bpe", bpe, "--gammes", str(gamme)]
    )
    matrice = tmp_path / "m.csv"
    matrice.write_text("origine,destination,minutes\n62001,62002,5\n")
    assert "absentes de la matrice" in _erreur(
        capsys, [*base, "--departement", "62", "--bpe", bpe, "--matrice", str(matrice)]
    )
    fichier = tmp_path / "un_fichier"
    fichier.write_text("")
    message = _erreur(
        capsys,
        [
            "zones-grises",
            "--cartes",
            "aucune",
            "--departement",
            "62",
            "--bpe",
            bpe,
            "--sortie",
            str(fichier / "sous"),
        ],
    )
    assert "dossier" in message
    assert not (tmp_path / "s").exists() or not list((tmp_path / "s").iterdir())
