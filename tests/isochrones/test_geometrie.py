import itertools

import numpy as np
import pytest
import shapely
from hypothesis import example, given, settings
from hypothesis import strategies as st

from isochrones.geometrie import ParametresGeometrie, Segments, polygones_bandes
from socle.erreurs import DonneesInvalides


def _route(*arcs):
    a = np.array(arcs, dtype=float)
    return Segments(a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4], a[:, 5])


def test_route_droite_forme_exacte_en_vecteur():
    # a road from (0,0) to (1000,0) driven in 100 s from t = 0
    seg = _route((0, 0, 1000, 0, 0, 100))
    p = ParametresGeometrie(methode="vecteur", largeur_m=100, aire_min_m2=0)
    dix, vingt = polygones_bandes(seg, [50, 200], parametres=p)
    # half the road is reached in 50 s, all of it in 200 s: exact capsules
    attendu = shapely.LineString([(0, 0), (500, 0)]).buffer(100, quad_segs=4)
    assert dix.symmetric_difference(attendu).area == pytest.approx(0, abs=1e-6)
    attendu = shapely.LineString([(0, 0), (1000, 0)]).buffer(100, quad_segs=4)
    assert vingt.symmetric_difference(attendu).area == pytest.approx(0, abs=1e-6)


def test_raster_proche_du_vecteur():
    seg = _route((0, 0, 1000, 0, 0, 100), (1000, 0, 1000, 1000, 100, 100))
    vec = polygones_bandes(seg, [150], parametres=ParametresGeometrie(methode="vecteur"))[0]
    ras = polygones_bandes(seg, [150], parametres=ParametresGeometrie(methode="raster", pas_m=10))[
        0
    ]
    assert ras.symmetric_difference(vec).area / vec.area < 0.08
    assert ras.hausdorff_distance(vec) <= 2 * 10 * np.sqrt(2)


def test_arc_non_atteint_et_depart_tardif():
    # the second road starts at 300 s: outside a 200 s band
    seg = _route((0, 0, 100, 0, 0, 10), (5000, 0, 6000, 0, 300, 10))
    (p,) = polygones_bandes(seg, [200], parametres=ParametresGeometrie(methode="vecteur"))
    assert p.bounds[2] < 300


def test_trous_petits_combles_et_grands_gardes():
    # a square ring of roads 400 m wide (small hole) and one 3 km wide (large hole)
    def carre(c):
        return [(0, 0, c, 0, 0, 1), (c, 0, c, c, 0, 1), (c, c, 0, c, 0, 1), (0, c, 0, 0, 0, 1)]

    p = ParametresGeometrie(methode="vecteur", largeur_m=50, trou_min_m2=500_000)
    (petit,) = polygones_bandes(_route(*carre(400)), [10], parametres=p)
    (grand,) = polygones_bandes(_route(*carre(3000)), [10], parametres=p)
    assert len(petit.interiors) == 0 and petit.area == pytest.approx((400 + 100) ** 2, rel=0.01)
    assert len(grand.interiors) == 1


def test_seuils_invalides():
    seg = _route((0, 0, 1, 0, 0, 1))
    with pytest.raises(DonneesInvalides):
        polygones_bandes(seg, [-5])
    with pytest.raises(DonneesInvalides):
        polygones_bandes(seg, [20, 10])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["vecteur", "raster"]))
@example(1859, "vecteur")  # a filled hole held another piece: the parts overlapped
def test_bandes_emboitees_et_noeuds_inclus(graine, methode):
    rng = np.random.default_rng(graine)
    n = 30
    x, y = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n)
    t = rng.uniform(0, 600, n)
    a, b = rng.integers(0, n, 60), rng.integers(0, n, 60)
    seg = Segments(x[a], y[a], x[b], y[b], t[a], rng.uniform(1, 100, 60))
    bandes = polygones_bandes(
        seg, [200, 400, 600], parametres=ParametresGeometrie(methode=methode, aire_min_m2=0)
    )
    for petit, grand in itertools.pairwise(bandes):
        assert grand.buffer(1e-6).contains(petit)
        assert grand.area >= petit.area
    for limite, poly in zip([200, 400, 600], bandes, strict=True):
        assert poly.is_valid
        atteints = np.unique(a[t[a] <= limite])
        assert poly.buffer(1e-6).contains(shapely.points(x[atteints], y[atteints])).all()
