"""Golden outputs: the headline results, stored in ``tests/golden/`` and compared exactly.

- The main job as a user runs it, ``accessibilite zones-grises --departement 62 --bpe
  bpe2013.xlsx`` (straight-line times): ``resume.csv`` and ``resume_epci.csv`` as written,
  and the computed state of every commune from ``zones_grises.csv`` (code; per level the
  nearest pole, the minutes and the zone grise flag as written, whether it is a pole, the
  bounds of the time's uncertainty band and the resulting state; the number of levels in
  zone grise), without the copied data (names, populations).
- An access indicator on the real Andorra road graph (OpenStreetMap 2024): eleven
  hand-placed localities with hand-made populations and pharmacies.
- The ``accessibilite isochrones`` command on the same graph: per polygon, its area, parts
  and holes.

Any change of a pole rule, a rounding, the speed model or the isochrone geometry shows
here as a diff. After an intended change, regenerate and read the diff::

    python -m pytest tests/test_golden.py --regenerer-golden
    git diff tests/golden/
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from accessibilite.cli import main

pytestmark = pytest.mark.donnees

NIVEAUX = ("proximite", "intermediaire", "superieur")


def _lire(chemin: Path) -> pd.DataFrame:
    """A CSV as written: every cell as its text."""
    return pd.read_csv(chemin, dtype=str, keep_default_na=False)


def _rang_niveau(niveaux: pd.Series) -> pd.Series:
    return niveaux.map({n: i for i, n in enumerate(NIVEAUX)})


# ---------------------------------------------------------------------------------------
# The Pas-de-Calais, BPE 2013, straight-line times


def test_golden_62_resume(dossier_62, golden):
    golden("zones_grises_62_resume.csv", _lire(dossier_62 / "resume.csv"))


def test_golden_62_resume_epci(dossier_62, golden):
    table = _lire(dossier_62 / "resume_epci.csv")
    table = table.sort_values(
        ["epci_code", "niveau"], key=lambda s: _rang_niveau(s) if s.name == "niveau" else s
    )
    golden("zones_grises_62_resume_epci.csv", table)


def test_golden_62_communes(dossier_62, golden):
    table = _lire(dossier_62 / "zones_grises.csv")
    colonnes = ["code"]
    for n in NIVEAUX:
        colonnes += [f"pole_{n}", f"temps_{n}_min", f"zone_grise_{n}", f"est_pole_{n}"]
        colonnes += [f"temps_{n}_min_bas", f"temps_{n}_min_haut", f"etat_{n}"]
    colonnes.append("niveaux_zone_grise")
    golden("zones_grises_62_communes.csv", table[colonnes].sort_values("code"))


# ---------------------------------------------------------------------------------------
# Andorra, real road graph

# Hand-placed localities (WGS84 lon, lat of the centre), hand-made populations, two groups
# standing for EPCI, and the pharmacies the test gives them.
LOCALITES = [
    ("AD01", "Canillo", 1.5990, 42.5676, 1_800, "nord"),
    ("AD02", "Encamp", 1.5834, 42.5344, 6_000, "nord"),
    ("AD03", "Ordino", 1.5334, 42.5559, 2_500, "nord"),
    ("AD04", "La Massana", 1.5148, 42.5450, 5_000, "nord"),
    ("AD05", "Andorra la Vella", 1.5218, 42.5063, 20_000, "sud"),
    ("AD06", "Sant Julià de Lòria", 1.4913, 42.4637, 9_000, "sud"),
    ("AD07", "Escaldes-Engordany", 1.5341, 42.5097, 14_000, "sud"),
    ("AD08", "Pas de la Casa", 1.7334, 42.5426, 2_600, "nord"),
    ("AD09", "Soldeu", 1.6673, 42.5766, 600, "nord"),
    ("AD10", "Arinsal", 1.4843, 42.5722, 1_500, "nord"),
    ("AD11", "El Serrat", 1.5393, 42.6189, 150, "nord"),
]
PHARMACIES = {"AD02": 1, "AD05": 3, "AD06": 1}


@pytest.fixture(scope="module")
def localites(graphe_andorre) -> gpd.GeoDataFrame:
    codes, noms, lon, lat, population, groupe = zip(*LOCALITES, strict=True)
    centres = gpd.GeoSeries.from_xy(lon, lat, crs="EPSG:4326").to_crs(graphe_andorre.crs)
    return gpd.GeoDataFrame(
        {
            "code": list(codes),
            "nom": list(noms),
            "population": list(population),
            "epci_code": list(groupe),
            "epci_nom": [f"groupe {g}" for g in groupe],
            "hors_departement": False,
            "centre": centres,
        },
        geometry=centres.buffer(500.0),
        crs=graphe_andorre.crs,
    )


def test_golden_andorre_indicateur(graphe_andorre, localites, golden):
    from accessibilite import SourceReseau
    from poles.indicateurs import acces_service, resoudre_service, resumer_acces

    equipements = pd.DataFrame(
        {
            "code_commune": list(PHARMACIES),
            "typequ": "D301",
            "nombre": list(PHARMACIES.values()),
        }
    )
    service = resoudre_service("pharmacie")
    table = acces_service(
        localites, equipements, service, SourceReseau(graphe_andorre), seuils_min=[10, 20]
    )
    colonnes = ["code", "nombre_equipements", "commune_equipee", "temps_min"]
    colonnes += ["au_dela_10", "au_dela_20"]
    golden("andorre_indicateur.csv", table[colonnes].sort_values("code"))
    par_epci = resumer_acces(table, par="epci")
    ensemble = resumer_acces(table).assign(epci_code="tous", epci_nom="ensemble")
    resume = pd.concat([ensemble[par_epci.columns], par_epci], ignore_index=True)
    golden("andorre_indicateur_resume.csv", resume)


def test_golden_andorre_isochrones(graphe_andorre, localites, tmp_path, golden):
    from reseau import sauvegarder_graphe

    graphe = sauvegarder_graphe(graphe_andorre, tmp_path / "andorre.graphe")
    points = localites[localites["code"].isin(["AD01", "AD05", "AD06"])]
    gpd.GeoDataFrame(
        {"nom": points["nom"]}, geometry=points["centre"].to_numpy(), crs=points.crs
    ).to_crs("EPSG:4326").to_file(tmp_path / "points.gpkg")
    sortie = tmp_path / "iso.gpkg"
    argv = ["isochrones", "--reseau", str(graphe), "--points", str(tmp_path / "points.gpkg")]
    argv += ["--colonne-nom", "nom", "--temps", "5,10,15", "--par-source"]
    assert main([*argv, "--sortie", str(sortie)]) == 0
    iso = gpd.read_file(sortie, layer="isochrones")
    assert iso.crs == graphe_andorre.crs
    parties = [shapely.get_parts(g) for g in iso.geometry]
    table = pd.DataFrame(
        {
            "source": iso["source"],
            "temps_min": iso["temps_min"],
            "aire_km2": np.round(iso.geometry.area.to_numpy() / 1e6, 3),
            "parties": [len(p) for p in parties],
            "trous": [int(sum(shapely.get_num_interior_rings(p))) for p in parties],
        }
    ).sort_values(["source", "temps_min"])
    golden("andorre_isochrones.csv", table)
