"""The notebook API: GeoDataFrames as places, labelled travel-time tables, the road graph
as GeoDataFrames, isochrone bands with their bounds and area."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

import accessibilite as acc
from reseau.graphe import Graphe
from reseau.vitesses import CLASSES, SOURCES_VITESSE
from socle.erreurs import DonneesInvalides, SansCRS

# A straight road of 5 nodes 1 km apart (Lambert-93, near Arras), 60 s per arc both ways.
_X0, _Y0 = 680_000.0, 7_020_000.0


@pytest.fixture(scope="module")
def route() -> Graphe:
    n = 5
    de = [*range(n - 1), *range(1, n)]
    vers = [*range(1, n), *range(n - 1)]
    return Graphe.depuis_arcs(
        de,
        vers,
        [60.0] * len(de),
        n,
        x=_X0 + 1000.0 * np.arange(n),
        y=np.full(n, _Y0),
        crs="EPSG:2154",
        attributs_arcs={
            "longueur_m": np.full(len(de), 1000.0, dtype=np.float32),
            "classe": np.array([CLASSES.index("primary")] * 4 + [CLASSES.index("residential")] * 4),
            "vitesse_kmh": np.full(len(de), 60.0, dtype=np.float32),
            "source_vitesse": np.array([SOURCES_VITESSE.index("maxspeed")] * len(de)),
        },
    )


def _points(*km: float, crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    lambert = gpd.GeoDataFrame(
        {"insee": [f"0100{i}" for i in range(len(km))]},
        geometry=[shapely.Point(_X0 + 1000.0 * k, _Y0 + 5.0) for k in km],
        crs="EPSG:2154",
    )
    return lambert.to_crs(crs)


def test_en_lieux_points_polygones_et_identifiants():
    points = _points(0, 2)
    lieux = acc.en_lieux(points, colonne_id="insee")
    assert list(lieux.codes) == ["01000", "01001"]
    assert lieux.crs == "EPSG:2154"  # a geographic layer in France: Lambert-93
    assert lieux.x[1] - lieux.x[0] == pytest.approx(2000.0, abs=0.5)
    carres = points.to_crs("EPSG:2154").assign(geometry=lambda g: g.buffer(100).envelope)
    depuis_polygones = acc.en_lieux(carres, colonne_id="insee")
    assert depuis_polygones.x == pytest.approx(lieux.x, abs=1.0)  # a point inside each one
    sans_colonne = acc.en_lieux(points.drop(columns="insee"))
    assert list(sans_colonne.codes) == ["0", "1"]  # the index when no id column is given
    with pytest.raises(DonneesInvalides, match="en double"):
        acc.en_lieux(points.assign(insee="x"), colonne_id="insee")
    with pytest.raises(SansCRS):
        acc.en_lieux(points.set_crs(None, allow_override=True))
    with pytest.raises(DonneesInvalides, match="absente"):
        acc.en_lieux(points, colonne_id="code_insee")


def test_temps_trajets_longue_et_large(route):
    points = _points(0, 2, 4)
    longue = acc.temps_trajets(route, points, colonne_id="insee")
    assert list(longue.columns) == ["origine", "destination", "minutes"]
    assert len(longue) == 9
    paire = longue.set_index(["origine", "destination"])["minutes"]
    # 2 arcs of 60 s, plus the two connectors (5 m each at 15 km/h)
    connecteurs = 2 * 5.0 / (15 / 3.6) / 60.0
    assert paire[("01000", "01001")] == pytest.approx(2.0 + connecteurs, abs=1e-3)
    assert paire[("01000", "01000")] == 0.0
    proches = acc.temps_trajets(route, points, colonne_id="insee", coupure_min=3)
    assert set(zip(proches["origine"], proches["destination"], strict=True)) == {
        ("01000", "01000"),
        ("01000", "01001"),
        ("01001", "01000"),
        ("01001", "01001"),
        ("01001", "01002"),
        ("01002", "01001"),
        ("01002", "01002"),
    }
    large = acc.temps_trajets(route, points, colonne_id="insee", coupure_min=3, forme="large")
    assert large.shape == (3, 3) and np.isnan(large.loc["01000", "01002"])
    assert large.loc["01002", "01001"] == pytest.approx(paire[("01002", "01001")])


def test_vol_oiseau_et_plus_proche(route):
    points = _points(0, 4)
    estime = acc.temps_trajets(None, points, colonne_id="insee")
    a, b = 2.02, 1.32
    assert estime.set_index(["origine", "destination"]).loc[("01000", "01001"), "minutes"] == (
        pytest.approx(a + b * 4.0, abs=1e-3)
    )
    cibles = _points(3, 1).assign(insee=["C3", "C1"])
    proche = acc.plus_proche_lieu(route, _points(0, 4), cibles, colonne_id="insee")
    assert list(proche["destination"]) == ["C1", "C3"]
    assert proche["minutes"].to_numpy() == pytest.approx([1.04, 1.04], abs=0.01)


def test_isochrones_depuis_un_geodataframe(route):
    bandes = acc.isochrones_points(route, _points(0), [1.5, 3], colonne_id="insee")
    assert list(bandes.columns[:5]) == ["source", "de_min", "a_min", "temps_min", "surface_km2"]
    assert list(bandes["de_min"]) == [0.0, 0.0] and list(bandes["a_min"]) == [1.5, 3.0]
    assert bandes["surface_km2"].to_numpy() == pytest.approx(bandes.area / 1e6, abs=5e-4)
    anneaux = acc.isochrones_points(
        route, _points(0), [1.5, 3], colonne_id="insee", par_source=True, anneaux=True
    )
    assert list(anneaux["source"]) == ["01000", "01000"]  # the id column names the source
    assert list(anneaux["de_min"]) == [0.0, 1.5]


def test_graphe_en_geodataframes_et_geopackage(route, tmp_path):
    noeuds, arcs = acc.graphe_en_gdf(route)
    assert len(noeuds) == 5 and len(arcs) == 8
    assert set(arcs["classe"]) == {"primary", "residential"}
    assert set(arcs["origine_vitesse"]) == {"maxspeed"}
    assert arcs["vitesse_kmh"].unique().tolist() == [60.0]
    assert arcs.geometry.length.to_numpy() == pytest.approx(1000.0)
    emprise = shapely.box(_X0 - 10, _Y0 - 10, _X0 + 2010, _Y0 + 10)
    _, partie = acc.graphe_en_gdf(route, emprise=emprise)
    assert len(partie) == 4  # both ends inside
    from socle.geopaquet import lire_styles

    chemin = acc.exporter_graphe(route, tmp_path / "graphe.gpkg", avec_noeuds=True)
    styles = {(s["couche"], s["nom"]): s["defaut"] for s in lire_styles(chemin)}
    assert styles[("arcs", "Vitesses à l'heure pleine")] is True
    assert styles[("arcs", "Origine de la vitesse")] is False
    assert ("noeuds", "Nœuds") in styles
