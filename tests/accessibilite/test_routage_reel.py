"""The routing kernels on the real OSM street networks of ../shared/data/osm.

The graphs are read with the minimal readers of ``benchmarks/reels.py`` (drivable ways,
maxspeed or a default per class): enough to check the kernels on real topology, not the
project's road model.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from accessibilite import matrice_temps, matrice_temps_longue, plus_proche
from benchmarks.reels import graphe_graphml, graphe_pbf
from reseau import Graphe
from tests.conftest import chemin_donnees

pytestmark = pytest.mark.donnees

TOLERANCE_S = 1e-3


def _scipy(g: Graphe, *, inverse: bool = False) -> sp.csr_matrix:
    if inverse:
        donnees = (g.temps_s_inv.astype(np.float64), g.indices_inv, g.indptr_inv)
    else:
        donnees = (g.temps_s.astype(np.float64), g.indices, g.indptr)
    return sp.csr_matrix(donnees, shape=(g.n_noeuds, g.n_noeuds))


def _egal(a: np.ndarray, b: np.ndarray) -> None:
    np.testing.assert_array_equal(np.isfinite(a), np.isfinite(b))
    fini = np.isfinite(a)
    assert np.max(np.abs(a[fini] - b[fini]), initial=0.0) <= TOLERANCE_S


def _verifier(g: Graphe, *, n_origines: int, avec_networkx: bool) -> None:
    rng = np.random.default_rng(0)
    n = g.n_noeuds
    origines = rng.choice(n, size=n_origines, replace=False)
    m = _scipy(g)
    # Full rows and a 5-minute cut-off.
    _egal(matrice_temps(g, origines), dijkstra(m, indices=origines))
    attendu = dijkstra(m, indices=origines, limit=300.0)
    _egal(matrice_temps(g, origines, coupure_s=300.0), attendu)
    o, d, t = matrice_temps_longue(g, origines, coupure_s=300.0)
    assert o.size == int(np.isfinite(attendu).sum())
    np.testing.assert_allclose(t, attendu[o, d], atol=TOLERANCE_S, rtol=0)
    # Commune-like subset of destinations (early stop).
    destinations = rng.choice(n, size=min(200, n), replace=False)
    _egal(matrice_temps(g, origines, destinations), dijkstra(m, indices=origines)[:, destinations])
    if avec_networkx:
        gnx = nx.DiGraph()
        gnx.add_nodes_from(range(n))
        for s, c, temps in zip(g.sources_arcs(), g.indices, g.temps_s, strict=True):
            if not gnx.has_edge(s, c) or gnx[s][c]["t"] > temps:
                gnx.add_edge(int(s), int(c), t=float(temps))
        lignes = matrice_temps(g, origines[:3])
        for i, s in enumerate(origines[:3]):
            ligne = np.full(n, np.inf)
            for noeud, temps in nx.single_source_dijkstra_path_length(
                gnx, int(s), weight="t"
            ).items():
                ligne[noeud] = temps
            _egal(lignes[i], ligne)
    # Nearest of 30 "poles", node -> pole, against scipy min_only; then the 3 nearest.
    poles = rng.choice(n, size=30, replace=False)
    mi = _scipy(g, inverse=True)
    temps, indice = plus_proche(g, poles)
    attendu_min, _, source = dijkstra(mi, indices=poles, min_only=True, return_predecessors=True)
    _egal(temps, attendu_min)
    tout = dijkstra(mi, indices=poles)
    atteint = indice >= 0
    assert np.all(np.abs(tout[indice[atteint], np.flatnonzero(atteint)] - temps[atteint]) <= 1e-3)
    with np.errstate(invalid="ignore"):
        unique = atteint & ((np.abs(tout - attendu_min) <= TOLERANCE_S).sum(axis=0) == 1)
    np.testing.assert_array_equal(poles[indice[unique]], source[unique])
    temps3, indice3 = plus_proche(g, poles, k=3)
    _egal(temps3, np.sort(tout, axis=0)[:3].T)
    ok = indice3 >= 0
    lignes_k = np.broadcast_to(np.arange(n)[:, None], indice3.shape)
    assert np.all(np.abs(tout[indice3[ok], lignes_k[ok]] - temps3[ok]) <= 1e-3)


@pytest.mark.parametrize("nom", ["maisons-laffitte.graphml", "saint-germain-en-laye.graphml"])
def test_graphml_osmnx(nom: str) -> None:
    g = graphe_graphml(chemin_donnees("osm", nom))
    assert g.n_noeuds > 500
    _verifier(g, n_origines=40, avec_networkx=True)


def test_pbf_liechtenstein() -> None:
    pytest.importorskip("pyrosm", reason="pyrosm (extra dev) lit les fichiers .osm.pbf")
    g = graphe_pbf(chemin_donnees("osm", "liechtenstein.osm.pbf"))
    assert g.n_noeuds > 10_000
    _verifier(g, n_origines=40, avec_networkx=False)
