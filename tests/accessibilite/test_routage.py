"""The routing kernels against hand-checked values, scipy, networkx and brute force."""

from __future__ import annotations

import networkx as nx
import numba
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra

from accessibilite import (
    DonneesInvalides,
    matrice_temps,
    matrice_temps_blocs,
    matrice_temps_longue,
    plus_proche,
)
from reseau import Graphe

# also run without JIT (NUMBA_DISABLE_JIT=1) to measure the kernels' coverage
pytestmark = pytest.mark.noyau

INF = np.inf
TOLERANCE_S = 1e-3


# ----------------------------------------------------------------------------------------
# Helpers


def _graphe(arcs: list[tuple[int, int, float]], n: int) -> Graphe:
    return Graphe.depuis_arcs([a[0] for a in arcs], [a[1] for a in arcs], [a[2] for a in arcs], n)


def _scipy(g: Graphe, *, inverse: bool = False) -> sp.csr_matrix:
    """The graph as a scipy matrix, parallel arcs reduced to the fastest (explicit zeros
    are arcs for scipy.sparse.csgraph)."""
    if inverse:
        indptr, indices, poids = g.indptr_inv, g.indices_inv, g.temps_s_inv
    else:
        indptr, indices, poids = g.indptr, g.indices, g.temps_s
    sources = np.repeat(np.arange(g.n_noeuds), np.diff(indptr))
    meilleur: dict[tuple[int, int], float] = {}
    for s, c, t in zip(sources.tolist(), indices.tolist(), poids.tolist(), strict=True):
        meilleur[(s, c)] = min(t, meilleur.get((s, c), INF))
    if not meilleur:
        return sp.csr_matrix((g.n_noeuds, g.n_noeuds))
    cles = list(meilleur)
    return sp.csr_matrix(
        (
            np.array([meilleur[c] for c in cles], dtype=np.float64),
            ([c[0] for c in cles], [c[1] for c in cles]),
        ),
        shape=(g.n_noeuds, g.n_noeuds),
    )


def _networkx(g: Graphe) -> nx.DiGraph:
    graphe = nx.DiGraph()
    graphe.add_nodes_from(range(g.n_noeuds))
    for s, c, t in zip(
        g.sources_arcs().tolist(), g.indices.tolist(), g.temps_s.tolist(), strict=True
    ):
        if not graphe.has_edge(s, c) or graphe[s][c]["t"] > t:
            graphe.add_edge(s, c, t=float(t))
    return graphe


def _egal(a: np.ndarray, b: np.ndarray) -> None:
    """Same reachability, and times within TOLERANCE_S."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape
    np.testing.assert_array_equal(np.isfinite(a), np.isfinite(b))
    fini = np.isfinite(a)
    if fini.any():
        assert np.max(np.abs(a[fini] - b[fini])) <= TOLERANCE_S


# Random graphs of many shapes: isolated nodes and disconnected parts (few arcs for the
# nodes), zero-weight arcs, parallel arcs and self-loops (drawn freely), a single node.
_POIDS_ENTIERS = st.integers(0, 30).map(float)
_POIDS_REELS = st.one_of(st.just(0.0), st.floats(0.0, 500.0, allow_nan=False, width=32).map(float))


def _graphes(poids: st.SearchStrategy[float]) -> st.SearchStrategy[tuple[int, list]]:
    return st.integers(1, 14).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), poids), max_size=45),
        )
    )


# ----------------------------------------------------------------------------------------
# Hand-checked graph


@pytest.fixture
def petit() -> Graphe:
    # 0 -> 1 (5 s), 0 -> 2 (1 s), 2 -> 1 (2 s), 1 -> 3 (4 s), 3 -> 0 (10 s); 4 isolated
    return _graphe([(0, 1, 5), (0, 2, 1), (2, 1, 2), (1, 3, 4), (3, 0, 10)], 5)


def test_matrice_petit_graphe_exact(petit: Graphe) -> None:
    m = matrice_temps(petit, [0, 3], [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(m, [[0, 3, 1, 7, INF], [10, 13, 11, 0, INF]])
    assert m.dtype == np.float64
    # every node when destinations is None
    np.testing.assert_array_equal(matrice_temps(petit, [0]), [[0, 3, 1, 7, INF]])
    # cut-off: a node exactly at the cut-off is kept, beyond it is inf
    np.testing.assert_array_equal(matrice_temps(petit, [0], coupure_s=3), [[0, 3, 1, INF, INF]])
    # reverse graph: times towards the origin
    np.testing.assert_array_equal(matrice_temps(petit, [0], inverse=True), [[0, 14, 16, 10, INF]])


def test_destinations_repetees_et_vides(petit: Graphe) -> None:
    m = matrice_temps(petit, [0, 0], [3, 1, 3, 4])
    np.testing.assert_array_equal(m, [[7, 3, 7, INF], [7, 3, 7, INF]])
    assert matrice_temps(petit, [0], []).shape == (1, 0)
    assert matrice_temps(petit, [], [1, 2]).shape == (0, 2)
    o, d, t = matrice_temps_longue(petit, [0, 3], [3, 1, 3, 4])
    trouve = sorted(zip(o.tolist(), d.tolist(), t.tolist(), strict=True))
    assert trouve == [(0, 0, 7), (0, 1, 3), (0, 2, 7), (1, 0, 0), (1, 1, 13), (1, 2, 0)]


def test_plus_proche_petit_graphe(petit: Graphe) -> None:
    # Time from each node to the nearest of nodes 1 and 3 (reverse search).
    temps, indice = plus_proche(petit, [1, 3])
    np.testing.assert_array_equal(temps, [3, 0, 2, 0, INF])
    np.testing.assert_array_equal(indice, [0, 0, 0, 1, -1])
    # From the sources to the nodes instead.
    temps, indice = plus_proche(petit, [1, 3], inverse=False)
    np.testing.assert_array_equal(temps, [10, 0, 11, 0, INF])
    np.testing.assert_array_equal(indice, [1, 0, 1, 1, -1])
    # Cut-off, start times, k nearest.
    temps, indice = plus_proche(petit, [1, 3], coupure_s=2)
    np.testing.assert_array_equal(temps, [INF, 0, 2, 0, INF])
    np.testing.assert_array_equal(indice, [-1, 0, 0, 1, -1])
    temps, indice = plus_proche(petit, [1, 3], temps_depart_s=[5, 0])
    np.testing.assert_array_equal(temps, [7, 4, 6, 0, INF])
    np.testing.assert_array_equal(indice, [1, 1, 1, 1, -1])
    temps, indice = plus_proche(petit, [1, 3], k=2)
    np.testing.assert_array_equal(temps, [[3, 7], [0, 4], [2, 6], [0, 13], [INF, INF]])
    np.testing.assert_array_equal(indice, [[0, 1], [0, 1], [0, 1], [1, 0], [-1, -1]])


def test_deux_sources_sur_le_meme_noeud(petit: Graphe) -> None:
    temps, indice = plus_proche(petit, [1, 1], k=2)
    np.testing.assert_array_equal(temps[1], [0, 0])
    assert sorted(indice[1].tolist()) == [0, 1]
    temps, indice = plus_proche(petit, [1, 1])
    assert temps[0] == 3 and indice[0] in (0, 1)


def test_un_seul_noeud_et_graphe_sans_arc() -> None:
    g = Graphe.depuis_arcs([], [], [], 1)
    np.testing.assert_array_equal(matrice_temps(g, [0]), [[0.0]])
    temps, indice = plus_proche(g, [0], k=3)
    np.testing.assert_array_equal(temps, [[0, INF, INF]])
    np.testing.assert_array_equal(indice, [[0, -1, -1]])
    o, d, t = matrice_temps_longue(g, [0, 0], coupure_s=0)
    assert o.tolist() == [0, 1] and d.tolist() == [0, 0] and t.tolist() == [0, 0]


# ----------------------------------------------------------------------------------------
# Bad input: a clear French error before any kernel runs


def _graphe_brut(poids: list[float]) -> Graphe:
    # Built directly (not with depuis_arcs, which would refuse): as a loaded file could be.
    g = _graphe([(0, 1, 1.0), (1, 2, 1.0)], 3)
    t = np.asarray(poids, dtype=np.float32)
    return Graphe(
        indptr=g.indptr,
        indices=g.indices,
        temps_s=t,
        indptr_inv=g.indptr_inv,
        indices_inv=g.indices_inv,
        temps_s_inv=t[g.arc_inv],
        arc_inv=g.arc_inv,
    )


@pytest.mark.parametrize(
    ("appel", "message"),
    [
        (lambda g: matrice_temps(_graphe_brut([1.0, -2.0]), [0]), "négatifs"),
        (lambda g: plus_proche(_graphe_brut([np.nan, 1.0]), [0]), "NaN"),
        (lambda g: matrice_temps(g, [0, 5]), "hors du graphe"),
        (lambda g: matrice_temps(g, [-1]), "hors du graphe"),
        (lambda g: matrice_temps(g, [0], [7]), "Indices de destinations hors du graphe"),
        (lambda g: matrice_temps(g, [0.5]), "indices entiers"),
        (lambda g: matrice_temps(g, [True]), "indices entiers"),
        (lambda g: matrice_temps(g, [[0]]), "une dimension"),
        (lambda g: matrice_temps(g, [0], coupure_s=-1), "positif ou nul"),
        (lambda g: matrice_temps(g, [0], coupure_s=float("nan")), "positif ou nul"),
        (lambda g: matrice_temps(g, [0], coupure_s="vite"), "nombre de secondes"),
        (lambda g: plus_proche(g, []), "Aucune source"),
        (lambda g: plus_proche(g, [0], k=0), "k doit"),
        (lambda g: plus_proche(g, [0], k=1.5), "k doit"),
        (lambda g: plus_proche(g, [0, 1], temps_depart_s=[1]), "valeurs pour 2"),
        (lambda g: plus_proche(g, [0], temps_depart_s=[-1]), "positives ou nulles"),
        (lambda g: matrice_temps_longue(g, [9]), "hors du graphe"),
        (lambda g: matrice_temps("graphe", [0]), "Graphe attendu"),
        (lambda g: matrice_temps_blocs(g, [0], taille_bloc=0), "taille_bloc"),
    ],
)
def test_entrees_invalides(petit: Graphe, appel, message: str) -> None:
    with pytest.raises(DonneesInvalides, match=message):
        appel(petit)


def test_blocs_verifie_avant_le_premier_bloc(petit: Graphe) -> None:
    # The error comes at the call, not at the first next().
    with pytest.raises(DonneesInvalides):
        matrice_temps_blocs(petit, [0, 99])


def test_graphe_csr_incoherent() -> None:
    g = _graphe([(0, 1, 1.0), (1, 2, 1.0)], 3)
    casse = Graphe(
        indptr=g.indptr,
        indices=np.array([1, 7], dtype=np.int32),
        temps_s=g.temps_s,
        indptr_inv=g.indptr_inv,
        indices_inv=g.indices_inv,
        temps_s_inv=g.temps_s_inv,
        arc_inv=g.arc_inv,
    )
    with pytest.raises(DonneesInvalides, match=r"hors de 0\.\.2"):
        matrice_temps(casse, [0])


# ----------------------------------------------------------------------------------------
# Agreement with scipy and networkx on random graphs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _graphes(_POIDS_ENTIERS),
    st.lists(st.integers(0, 13), min_size=1, max_size=6),
    st.one_of(st.none(), st.integers(0, 60).map(float)),
    st.booleans(),
)
def test_matrice_comme_scipy_et_networkx(donnees, origines, coupure, inverse) -> None:
    n, arcs = donnees
    g = _graphe(arcs, n)
    origines = [o % n for o in origines]
    attendu = dijkstra(
        _scipy(g, inverse=inverse),
        indices=origines,
        limit=np.inf if coupure is None else coupure,
    )
    _egal(matrice_temps(g, origines, coupure_s=coupure, inverse=inverse), attendu)
    # networkx (forward): one search per origin
    if not inverse:
        gnx = _networkx(g)
        for i, o in enumerate(origines):
            longueurs = nx.single_source_dijkstra_path_length(gnx, o, cutoff=coupure, weight="t")
            ligne = np.full(n, INF)
            for noeud, t in longueurs.items():
                ligne[noeud] = t
            _egal(ligne, attendu[i])
    # destinations subset with repeats (early stop), blocks, long output
    destinations = [(o * 7 + 3) % n for o in origines] + origines[:1]
    dense = matrice_temps(g, origines, destinations, coupure_s=coupure, inverse=inverse)
    _egal(dense, attendu[:, destinations])
    blocs = list(
        matrice_temps_blocs(
            g, origines, destinations, coupure_s=coupure, inverse=inverse, taille_bloc=2
        )
    )
    assert [d for d, _ in blocs] == list(range(0, len(origines), 2))
    np.testing.assert_array_equal(np.vstack([b for _, b in blocs]), dense)
    o, d, t = matrice_temps_longue(g, origines, destinations, coupure_s=coupure, inverse=inverse)
    assert np.all(np.diff(o) >= 0)
    reconstruit = np.full_like(dense, INF)
    reconstruit[o, d] = t
    np.testing.assert_array_equal(reconstruit, dense)
    assert o.size == int(np.isfinite(dense).sum())


@settings(max_examples=100, deadline=None)
@given(_graphes(_POIDS_REELS), st.lists(st.integers(0, 13), min_size=1, max_size=5))
def test_matrice_poids_reels_comme_scipy(donnees, origines) -> None:
    n, arcs = donnees
    g = _graphe(arcs, n)
    origines = [o % n for o in origines]
    _egal(matrice_temps(g, origines), dijkstra(_scipy(g), indices=origines))


@settings(max_examples=150, deadline=None)
@given(
    _graphes(_POIDS_REELS),
    st.lists(st.integers(0, 13), min_size=1, max_size=5),
    st.booleans(),
)
def test_plus_proche_comme_scipy_min_only(donnees, sources, inverse) -> None:
    n, arcs = donnees
    g = _graphe(arcs, n)
    sources = [s % n for s in sources]
    m = _scipy(g, inverse=inverse)
    attendu, _, source_scipy = dijkstra(m, indices=sources, min_only=True, return_predecessors=True)
    temps, indice = plus_proche(g, sources, inverse=inverse)
    _egal(temps, attendu)
    np.testing.assert_array_equal(indice == -1, ~np.isfinite(attendu))
    # The source given is one at the minimum time (ties allowed), checked one by one...
    par_source = dijkstra(m, indices=sources)
    atteint = indice >= 0
    assert np.all(
        np.abs(par_source[indice[atteint], np.flatnonzero(atteint)] - temps[atteint]) <= TOLERANCE_S
    )
    # ... and the same node as scipy's whenever the minimum is unique.
    with np.errstate(invalid="ignore"):  # inf - inf
        au_minimum = np.abs(par_source - attendu) <= TOLERANCE_S
    unique = atteint & (au_minimum.sum(axis=0) == 1)
    np.testing.assert_array_equal(np.asarray(sources)[indice[unique]], source_scipy[unique])


@settings(max_examples=100, deadline=None)
@given(
    _graphes(_POIDS_ENTIERS),
    st.lists(st.integers(0, 13), min_size=1, max_size=6),
    st.integers(1, 4),
    st.one_of(st.none(), st.integers(0, 40).map(float)),
)
def test_k_plus_proches_force_brute(donnees, sources, k, coupure) -> None:
    n, arcs = donnees
    g = _graphe(arcs, n)
    sources = [s % n for s in sources]
    temps, indice = plus_proche(g, sources, k=k, coupure_s=coupure)
    if k == 1:  # (n,) arrays, as without k
        assert temps.shape == indice.shape == (n,)
        temps, indice = temps[:, None], indice[:, None]
    assert temps.shape == indice.shape == (n, k)
    # Brute force: time from every node to every source (reverse search from each).
    tout = dijkstra(_scipy(g, inverse=True), indices=sources)  # sources × nodes
    if coupure is not None:
        tout[tout > coupure] = INF
    attendu = np.sort(tout, axis=0)[:k].T  # nodes × k, nearest first
    if attendu.shape[1] < k:
        attendu = np.hstack([attendu, np.full((n, k - attendu.shape[1]), INF)])
    _egal(temps, attendu)
    for v in range(n):
        valides = indice[v][indice[v] >= 0]
        assert len(set(valides.tolist())) == valides.size  # distinct sources
        assert valides.size == int(np.isfinite(temps[v]).sum())
        for j, s in enumerate(valides):
            assert abs(tout[s, v] - temps[v, j]) <= TOLERANCE_S


def test_un_fil_ou_tous_memes_resultats() -> None:
    rng = np.random.default_rng(3)
    n = 400
    s, c = rng.integers(0, n, 1600), rng.integers(0, n, 1600)
    g = Graphe.depuis_arcs(s, c, rng.uniform(0, 100, 1600), n)
    origines = rng.integers(0, n, 64)
    attendu = dijkstra(_scipy(g), indices=origines, limit=150)
    tous = matrice_temps(g, origines, coupure_s=150)
    avant = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        un = matrice_temps(g, origines, coupure_s=150)
    finally:
        numba.set_num_threads(avant)
    np.testing.assert_array_equal(un, tous)
    _egal(tous, attendu)
    o, d, t = matrice_temps_longue(g, origines, coupure_s=150)
    reconstruit = np.full_like(tous, INF)
    reconstruit[o, d] = t
    np.testing.assert_array_equal(reconstruit, tous)


def test_longue_capacite_depassee_reprend_les_origines(monkeypatch) -> None:
    # With a tiny block budget the first guess of room per origin is too small: the
    # overflowing origins must run again and every pair come back, in origin order.
    from accessibilite.noyau import routage

    monkeypatch.setattr(routage, "OCTETS_BLOC", 1)
    rng = np.random.default_rng(5)
    n = 6000
    s = np.concatenate([np.arange(n - 1), np.arange(1, n)])
    c = np.concatenate([np.arange(1, n), np.arange(n - 1)])
    g = Graphe.depuis_arcs(s, c, rng.uniform(0, 2, s.size), n)
    origines = rng.integers(0, n, 9)
    o, d, t = matrice_temps_longue(g, origines)
    assert np.all(np.diff(o) >= 0)
    dense = matrice_temps(g, origines)
    reconstruit = np.full_like(dense, INF)
    reconstruit[o, d] = t
    np.testing.assert_array_equal(reconstruit, dense)


def test_sans_dossier_de_cache_inscriptible(tmp_path) -> None:
    # Installed where numba cannot write its cache (read-only folder, no user cache):
    # the kernels must still import and run, compiled in memory.
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    racine = Path(__file__).resolve().parents[2]
    for paquet in ("accessibilite", "reseau", "socle"):
        shutil.copytree(
            racine / paquet, tmp_path / paquet, ignore=shutil.ignore_patterns("__pycache__")
        )
    # A file where the cache folders should go: creating them fails, even for root.
    (tmp_path / "accessibilite" / "noyau" / "__pycache__").write_text("")
    (tmp_path / "bloque").write_text("")
    code = (
        "import accessibilite as A; from accessibilite.noyau import _dijkstra as K; "
        "from reseau import Graphe; "
        "g = Graphe.depuis_arcs([0, 1], [1, 2], [1.0, 2.0], 3); "
        "t, i = A.plus_proche(g, [2]); "
        "assert t.tolist() == [3.0, 2.0, 0.0] and i.tolist() == [0, 0, 0]; "
        "assert 'dijkstra' in K._SANS_CACHE; print('ok')"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(tmp_path),
        "HOME": str(tmp_path / "bloque"),
        "NUMBA_CACHE_DIR": str(tmp_path / "bloque" / "numba"),
        "XDG_CACHE_HOME": str(tmp_path / "bloque"),
    }
    fini = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert fini.returncode == 0, fini.stderr
    assert fini.stdout.strip() == "ok"


@pytest.mark.parametrize("pas", [1e-3, 0.7, 1e4])
def test_largeur_des_seaux_sans_effet_sur_les_temps(monkeypatch, pas: float) -> None:
    # The bucket width only orders the work: very narrow buckets (many empty ones) or one
    # bucket holding everything (every node re-taken until nothing improves) must give
    # the same times, nearest sources and k nearest as scipy.
    from accessibilite.noyau import _dijkstra

    def pas_force(poids, etendue_s):
        return pas, 1 << int(np.ceil(np.log2(int(max(etendue_s, 0.0) / pas) + 2)))

    monkeypatch.setattr(_dijkstra, "pas_seaux", pas_force)
    rng = np.random.default_rng(11)
    n = 300
    s, c = rng.integers(0, n, 1500), rng.integers(0, n, 1500)
    t = np.where(rng.uniform(size=1500) < 0.1, 0.0, rng.uniform(0, 20, 1500))
    g = Graphe.depuis_arcs(s, c, t, n)
    origines = rng.integers(0, n, 20)
    m = _scipy(g)
    _egal(matrice_temps(g, origines), dijkstra(m, indices=origines))
    _egal(matrice_temps(g, origines, coupure_s=25.0), dijkstra(m, indices=origines, limit=25.0))
    destinations = rng.integers(0, n, 15)
    _egal(
        matrice_temps(g, origines, destinations),
        dijkstra(m, indices=origines)[:, destinations],
    )
    sources = rng.integers(0, n, 8)
    mi = _scipy(g, inverse=True)
    temps, _ = plus_proche(g, sources)
    _egal(temps, dijkstra(mi, indices=sources, min_only=True))
    temps3, indice3 = plus_proche(g, sources, k=3)
    tout = dijkstra(mi, indices=sources)
    _egal(temps3, np.sort(tout, axis=0)[:3].T)
    ok = indice3 >= 0
    lignes = np.broadcast_to(np.arange(n)[:, None], indice3.shape)
    assert np.all(np.abs(tout[indice3[ok], lignes[ok]] - temps3[ok]) <= TOLERANCE_S)


def test_file_trop_petite_relance(monkeypatch) -> None:
    # A node with 3,000 arcs needs more queue entries than a pool of ~1,000: the search
    # must run again with a bigger pool and give the same times.
    from accessibilite.noyau import _dijkstra

    monkeypatch.setattr(_dijkstra, "_CAPACITE_FILE", 1)
    n = 3001
    rng = np.random.default_rng(2)
    s = np.concatenate([np.zeros(n - 1, dtype=np.int64), np.arange(1, n)])
    c = np.concatenate([np.arange(1, n), rng.integers(0, n, n - 1)])
    g = Graphe.depuis_arcs(s, c, rng.uniform(0, 10, s.size), n)
    origines = np.array([0, 0, 5, 0])
    _egal(matrice_temps(g, origines), dijkstra(_scipy(g), indices=origines))
    o, d, t = matrice_temps_longue(g, origines)
    np.testing.assert_allclose(t, dijkstra(_scipy(g), indices=origines)[o, d], atol=TOLERANCE_S)


def test_pas_seaux() -> None:
    from accessibilite.noyau._dijkstra import _SEAUX_MAX, pas_seaux

    poids = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], dtype=np.float32)
    pas, n = pas_seaux(poids, 10.0)
    assert 1.0 <= pas <= 2.0  # first decile of the positive times
    assert n & (n - 1) == 0 and n * pas >= 10.0 + 2 * pas  # power of two covering the span
    pas, n = pas_seaux(poids, 1e12)  # a huge span: wider buckets, bounded slot count
    assert n <= _SEAUX_MAX and n * pas >= 1e12
    pas, n = pas_seaux(np.zeros(3, dtype=np.float32), 0.0)  # only zero-time arcs
    assert pas > 0 and n >= 2


def test_arret_anticipe_attend_la_fin_du_seau(monkeypatch) -> None:
    # The target is first reached at 10.3 s (bucket 10 with 1-second buckets), then
    # improved to 10.2 s by a node of the same bucket: the search may stop only once
    # bucket 10 is done.
    from accessibilite.noyau import _dijkstra

    monkeypatch.setattr(_dijkstra, "pas_seaux", lambda poids, etendue_s: (1.0, 32))
    g = _graphe([(0, 1, 10.3), (0, 2, 10.1), (2, 1, 0.1), (1, 3, 1.0)], 4)
    np.testing.assert_allclose(matrice_temps(g, [0], [1]), [[10.2]], atol=1e-6)
    np.testing.assert_allclose(matrice_temps(g, [0], [1], coupure_s=11.0), [[10.2]], atol=1e-6)
    o, d, t = matrice_temps_longue(g, [0], [1])
    assert o.tolist() == [0] and d.tolist() == [0]
    np.testing.assert_allclose(t, [10.2], atol=1e-6)
