import geopandas as gpd
import pytest
from shapely.geometry import box

from isochrones.bassins import HORS_BASSIN, bassins
from socle.erreurs import DonneesInvalides


def _communes():
    # four unit squares in a row: A and B go to pole A, C to pole D, D is a pole, and a
    # fifth commune E is in zone grise
    return gpd.GeoDataFrame(
        {
            "code": ["A", "B", "C", "D", "E"],
            "population": [100, 300, 50, 150, 10],
            "pole_bas": ["A", "A", "D", "D", "D"],
            "pole_bas_nom": ["Ville A", "Ville A", "Ville D", "Ville D", "Ville D"],
            "temps_bas_min": [0.0, 4.0, 6.0, 0.0, 25.0],
            "zone_grise_bas": [False, False, False, False, True],
        },
        geometry=[box(i, 0, i + 1, 1) for i in range(5)],
        crs="EPSG:2154",
    )


def test_bassins_dissous_par_pole():
    b = bassins(_communes(), "bas").set_index("pole")
    assert list(b.index) == ["A", "D", HORS_BASSIN]
    assert b.loc["A", "communes"] == 2 and b.loc["A", "population"] == 400
    assert b.loc["A", "geometry"].equals(box(0, 0, 2, 1).normalize()) or (
        b.loc["A", "geometry"].symmetric_difference(box(0, 0, 2, 1)).area < 1e-9
    )
    # population-weighted mean: (100*0 + 300*4) / 400 = 3.0
    assert b.loc["A", "temps_moyen_min"] == pytest.approx(3.0)
    assert b.loc["D", "temps_max_min"] == 6.0
    assert b.loc[HORS_BASSIN, "hors_bassin"] and b.loc[HORS_BASSIN, "population"] == 10
    assert b.crs == "EPSG:2154"


def test_colonnes_manquantes():
    with pytest.raises(DonneesInvalides, match="pole_haut"):
        bassins(_communes(), "haut")


def test_commande_bassins(tmp_path, capsys):
    from accessibilite.cli import main
    from tests.cartes.generateur import dossier_exemple

    base = dossier_exemple(tmp_path / "zg")
    sortie = tmp_path / "bassins.gpkg"
    assert main(["bassins", "--base", str(base), "--sortie", str(sortie)]) == 0
    import pyogrio

    couches = [c[0] for c in pyogrio.list_layers(sortie)]
    assert couches[:3] == ["bassins_proximite", "bassins_intermediaire", "bassins_superieur"]
    communes = gpd.read_file(base / "zones_grises.gpkg", layer="communes")
    for niveau in ("proximite", "intermediaire", "superieur"):
        b = gpd.read_file(sortie, layer=f"bassins_{niveau}")
        # every commune is in exactly one catchment, zones grises in "hors bassin"
        assert b["communes"].sum() == len(communes)
        hors = b.loc[b["hors_bassin"], "communes"].sum()
        assert hors == communes[f"zone_grise_{niveau}"].astype(bool).sum()
    assert main(["bassins", "--base", str(tmp_path / "absent"), "--sortie", str(sortie)]) == 2
