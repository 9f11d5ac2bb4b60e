"""Isochrone quality on the real Andorra road graph (OpenStreetMap 2024)."""

import numpy as np
import pytest
import shapely

from accessibilite import plus_proche
from isochrones import ParametresGeometrie, isochrones_noeuds

pytestmark = pytest.mark.donnees

SEUILS = [5, 10, 15]


@pytest.fixture(scope="module")
def calcul(graphe_andorre):
    g = graphe_andorre
    rng = np.random.default_rng(7)
    sources = rng.choice(g.n_noeuds, 3, replace=False)
    bandes = isochrones_noeuds(g, sources, SEUILS)
    temps, _ = plus_proche(g, sources, inverse=False)
    return g, sources, bandes, temps


def test_noeuds_atteints_dedans_et_trop_loin_rarement(calcul, capsys):
    g, _, bandes, temps = calcul
    for t, poly in zip(SEUILS, bandes.geometry, strict=True):
        atteints = temps <= t * 60
        assert shapely.contains_xy(poly, g.x[atteints], g.y[atteints]).all()
        loin = temps > (t + 1) * 60
        part = shapely.contains_xy(poly, g.x[loin], g.y[loin]).mean()
        with capsys.disabled():
            print(f"\n  {t} min : {part:.1%} des nœuds à plus de {t + 1} min sont dedans")
        assert part < 0.10


def test_bandes_valides_croissantes_sans_eclats(calcul):
    _, _, bandes, _ = calcul
    aires = bandes.geometry.area.to_numpy()
    assert (np.diff(aires) > 0).all()
    minimum = ParametresGeometrie().aire_min_m2
    for poly in bandes.geometry:
        assert poly.is_valid
        assert min(p.area for p in shapely.get_parts(poly)) >= minimum
    for petit, grand in zip(bandes.geometry, bandes.geometry[1:], strict=False):
        assert grand.buffer(1e-6).contains(petit)


def test_par_source_et_anneaux(calcul):
    g, sources, bandes, _ = calcul
    par = isochrones_noeuds(g, sources, SEUILS, par_source=True, noms=["a", "b", "c"])
    assert set(par["source"]) <= {"a", "b", "c"}
    union = shapely.union_all(par[par["temps_min"] == 15].geometry.to_numpy())
    # each node goes to its nearest source: the per-source polygons cover the union one
    assert union.symmetric_difference(bandes.geometry.iloc[-1]).area / union.area < 0.05
    anneaux = isochrones_noeuds(g, sources, SEUILS, anneaux=True)
    assert anneaux.geometry.area.sum() == pytest.approx(bandes.geometry.iloc[-1].area, rel=1e-6)


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_commande_isochrones(graphe_andorre, tmp_path, capsys, caplog):
    import geopandas as gpd

    from accessibilite.cli import main
    from reseau import sauvegarder_graphe

    g = graphe_andorre
    fichier = sauvegarder_graphe(g, tmp_path / "andorre.graphe")
    points = gpd.GeoDataFrame(
        {"nom": ["centre", "loin"]},
        geometry=gpd.points_from_xy([g.x[100], g.x[100] + 50_000], [g.y[100], g.y[100]]),
        crs=g.crs,
    ).to_crs("EPSG:4326")
    points.to_file(tmp_path / "points.gpkg")
    sortie = tmp_path / "iso.geojson"
    code = main(
        [
            "isochrones",
            "--reseau",
            str(fichier),
            "--points",
            str(tmp_path / "points.gpkg"),
            "--colonne-nom",
            "nom",
            "--temps",
            "5,10",
            "--par-source",
            "--sortie",
            str(sortie),
        ]
    )
    assert code == 0
    lu = gpd.read_file(sortie)
    # the point 50 km away is off the network: reported and skipped, the other computed
    assert sorted(lu["source"]) == ["centre", "centre"] and lu.crs == "EPSG:4326"
    assert "1 point(s) sur 2 à plus de 2000 m du réseau routier" in caplog.text
    sans_crs = gpd.GeoDataFrame(geometry=gpd.points_from_xy([1.5], [42.5]))
    sans_crs.to_file(tmp_path / "sans_crs.gpkg")
    code = main(
        [
            "isochrones",
            "--reseau",
            str(fichier),
            "--points",
            str(tmp_path / "sans_crs.gpkg"),
            "--sortie",
            str(tmp_path / "x.gpkg"),
        ]
    )
    assert code == 2 and "système de coordonnées" in capsys.readouterr().err
    code = main(
        [
            "isochrones",
            "--reseau",
            str(fichier),
            "--points",
            str(tmp_path / "points.gpkg"),
            "--temps",
            "-5",
            "--sortie",
            str(tmp_path / "x.gpkg"),
        ]
    )
    assert code == 2 and "positives" in capsys.readouterr().err
