"""The QGIS plugin's Processing provider in real QGIS 3.22, headless: its five algorithms
run with ``processing.run`` from QGIS layers and parameters, load styled layers into the
project, report their steps to QGIS's feedback, stop when cancelled, and pass the
package's French errors on."""

from __future__ import annotations

import configparser
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import RACINE, chemin_donnees
from tests.qgis._qgis import lancer_qgis

GREFFON = RACINE / "qgis_plugin"


def test_zip_installable(tmp_path):
    sys.path.insert(0, str(GREFFON))
    try:
        from empaqueter import empaqueter
    finally:
        sys.path.remove(str(GREFFON))
    archive = empaqueter(tmp_path / "accessibilite_qgis.zip")
    with zipfile.ZipFile(archive) as z:
        noms = z.namelist()
        metadonnees = configparser.ConfigParser()
        metadonnees.read_string(z.read("accessibilite_qgis/metadata.txt").decode("utf-8"))
    assert {n.split("/")[0] for n in noms} == {"accessibilite_qgis"}  # one folder
    assert "accessibilite_qgis/__init__.py" in noms
    assert not any("__pycache__" in n for n in noms)
    general = metadonnees["general"]
    for cle in ("name", "qgisMinimumVersion", "description", "version", "author", "email"):
        assert general[cle].strip(), cle
    assert general["hasProcessingProvider"] == "yes"
    assert general["qgisMinimumVersion"] == "3.22"


@pytest.mark.donnees
@pytest.mark.qgis
def test_algorithmes_dans_qgis(graphe_andorre, tmp_path):
    from reseau import sauvegarder_graphe

    graphe = tmp_path / "andorre.graphe"
    sauvegarder_graphe(graphe_andorre, graphe)
    bpe = chemin_donnees("bpe", "bpe2013.xlsx")
    travail = tmp_path / "travail"
    travail.mkdir()
    r = lancer_qgis("qgis_traitements.py", str(GREFFON), str(bpe), str(graphe), str(travail))

    assert r["algorithmes"] == [
        f"accessibilite:{n}"
        for n in ("bassins", "indicateur", "isochrones", "matrice_temps", "zones_grises")
    ]
    zg = r["zones_grises"]
    # the styled layers land in the project: one per level, the overlay, poles, boundaries
    assert {n: c["rendu"] for n, c in zg["couches"].items()} == {
        "Département": "singleSymbol",
        "EPCI": "singleSymbol",
        "Pôles de services": "RuleRenderer",
        "Zones grises — proximite": "RuleRenderer",
        "Zones grises — intermediaire": "RuleRenderer",
        "Zones grises — superieur": "RuleRenderer",
        "Niveaux en zone grise": "categorizedSymbol",
    }
    assert all(c["valide"] for c in zg["couches"].values())
    assert zg["couches"]["Niveaux en zone grise"]["entites"] == 101  # Territoire de Belfort
    # steps reported to QGIS's progress bar, in French, up to 100 %
    assert zg["textes"][0] == "département et BPE" and zg["textes"][-1] == "terminé"
    assert zg["progression_max"] == 100.0
    assert (Path(zg["sorties"]["SORTIE"]) / "zones_grises.xlsx").exists()

    # the département read from a commune layer; other thresholds; French CSV
    autre = Path(r["zones_grises_couche"]["sorties"]["SORTIE"])
    import json

    parametres = json.loads((autre / "parametres.json").read_text(encoding="utf-8"))
    assert parametres["departement"] == "90"
    seuils = {n["nom"]: n["seuil_min"] for n in parametres["gammes"]["niveaux"]}
    assert [seuils[n] for n in ("proximite", "intermediaire", "superieur")] == [8, 15, 25]
    assert (autre / "zones_grises.csv").read_bytes().startswith(b"\xef\xbb\xbf")

    assert r["bassins"]["couches"]["Bassins — proximite"]["rendu"] == "RuleRenderer"
    iso = r["isochrones"]["couches"]["Isochrones"]
    assert iso["valide"] and iso["entites"] == 4  # two points, two bands each
    assert iso["rendu"] == "categorizedSymbol"
    assert set(r["indicateur"]["couches"]) == {"Accès — Pharmacie", "Communes équipées"}
    matrice = r["matrice"]
    assert matrice["sortie_champs"] == ["origine", "destination", "minutes"]
    assert 101 <= matrice["sortie_entites"] < 101 * 101  # the cut-off keeps some pairs

    # cancelled: the French message, nothing written; the package's errors as they are
    assert r["annulation"] == "Calcul annulé."
    assert r["annule_ecrit"] is False
    assert "Code de département inconnu" in r["erreur"]
