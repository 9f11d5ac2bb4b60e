"""The contraction hierarchy answers exactly like the Dijkstra kernel (and scipy).

Exact means ``assert_array_equal`` on float64: the hierarchy sums integer ticks, the
Dijkstra kernel float64 sums of the same float32 times; both are exact here.
"""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra

from accessibilite.noyau import hierarchie as hi
from accessibilite.noyau.routage import matrice_temps, plus_proche
from reseau import Graphe
from socle.erreurs import CacheCorrompu, DonneesInvalides

pytestmark = pytest.mark.noyau


def _scipy(g: Graphe, *, inverse: bool = False) -> sp.csr_matrix:
    """scipy's CSR of the graph (float32 times as float64; parallel arcs: the fastest)."""
    sources, cibles = g.sources_arcs(), g.indices
    if inverse:
        sources, cibles = cibles, sources
    poids = g.temps_s.astype(np.float64)
    meilleur: dict[tuple[int, int], float] = {}
    for s, c, t in zip(sources.tolist(), cibles.tolist(), poids.tolist(), strict=True):
        if s != c and t < meilleur.get((s, c), np.inf):
            meilleur[(s, c)] = t
    if not meilleur:
        return sp.csr_matrix((g.n_noeuds, g.n_noeuds))
    cles = np.array(list(meilleur))
    valeurs = np.array(list(meilleur.values()))
    # Zero-time arcs stay explicit entries of the CSR: scipy takes them as arcs.
    return sp.csr_matrix((valeurs, (cles[:, 0], cles[:, 1])), shape=(g.n_noeuds, g.n_noeuds))


# Times: zero, whole seconds, or float32 between a millisecond and 90 minutes.
_TEMPS = st.one_of(
    st.just(0.0),
    st.integers(1, 600).map(float),
    st.floats(min_value=2.0**-10, max_value=5400.0, width=32),
)


@st.composite
def graphes(draw: st.DrawFn) -> Graphe:
    """Small random directed graphs: one-way and two-way arcs, parallel arcs, loops,
    zero-time arcs, and often several disconnected parts."""
    n = draw(st.integers(1, 40))
    m = draw(st.integers(0, 4 * n))
    sources = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    cibles = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    temps = draw(st.lists(_TEMPS, min_size=m, max_size=m))
    deux_sens = draw(st.lists(st.booleans(), min_size=m, max_size=m))
    s = list(sources) + [c for c, d in zip(cibles, deux_sens, strict=True) if d]
    c = list(cibles) + [a for a, d in zip(sources, deux_sens, strict=True) if d]
    t = list(temps) + [x for x, d in zip(temps, deux_sens, strict=True) if d]
    return Graphe.depuis_arcs(s, c, t, n)


_REGLAGES = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_REGLAGES
@given(g=graphes(), coupure=st.sampled_from([None, 0.0, 30.0, 900.0]), data=st.data())
def test_matrice_egale_dijkstra_et_scipy(g: Graphe, coupure: float | None, data) -> None:  # type: ignore[no-untyped-def]
    h = hi.construire_hierarchie(g)
    n = g.n_noeuds
    origines = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=8))
    destinations = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=8))
    for inverse in (False, True):
        attendu = matrice_temps(
            g, origines, destinations, coupure_s=coupure, inverse=inverse, methode="dijkstra"
        )
        for algorithme in ("seaux", "phast"):
            obtenu = hi.matrice_ch(
                h,
                origines,
                destinations,
                coupure_s=coupure,
                inverse=inverse,
                algorithme=algorithme,
            )
            np.testing.assert_array_equal(obtenu, attendu)
    limite = np.inf if coupure is None else coupure
    for inverse in (False, True):
        tout = dijkstra(_scipy(g, inverse=inverse), indices=origines, limit=limite)
        for algorithme in ("seaux", "phast"):
            np.testing.assert_array_equal(
                hi.matrice_ch(
                    h, origines, coupure_s=coupure, inverse=inverse, algorithme=algorithme
                ),
                tout,
            )


@_REGLAGES
@given(g=graphes(), coupure=st.sampled_from([None, 45.0, 900.0]), data=st.data())
def test_plus_proche_egal_dijkstra(g: Graphe, coupure: float | None, data) -> None:  # type: ignore[no-untyped-def]
    h = hi.construire_hierarchie(g)
    n = g.n_noeuds
    sources = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=6))
    departs = data.draw(
        st.one_of(
            st.none(),
            st.lists(
                st.floats(0, 120, allow_nan=False), min_size=len(sources), max_size=len(sources)
            ),
        )
    )
    for inverse in (True, False):
        temps, quelle = plus_proche(
            g,
            sources,
            coupure_s=coupure,
            inverse=inverse,
            temps_depart_s=departs,
            methode="dijkstra",
        )
        t_ch, q_ch = hi.plus_proche_ch(
            h,
            sources,
            coupure_s=coupure,
            inverse=inverse,
            temps_depart_s=departs,
        )
        np.testing.assert_array_equal(t_ch, temps)
        np.testing.assert_array_equal(q_ch >= 0, quelle >= 0)
        # Ties may name another source: the one named must be at that time.
        depart = np.zeros(len(sources)) if departs is None else hi.arrondir_departs(departs)
        m = hi.matrice_ch(h, sources, None, inverse=inverse)
        atteints = np.flatnonzero(q_ch >= 0)
        np.testing.assert_array_equal(
            m[q_ch[atteints], atteints] + depart[q_ch[atteints]], t_ch[atteints]
        )
        # RPHAST on a selection gives the same values there.
        cibles = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=6))
        t_r, _ = hi.plus_proche_ch(
            h, sources, coupure_s=coupure, inverse=inverse, temps_depart_s=departs, cibles=cibles
        )
        np.testing.assert_array_equal(t_r, temps[cibles])


@_REGLAGES
@given(g=graphes())
def test_raccourcis_deplies(g: Graphe) -> None:
    """Every arc of the hierarchy unpacks into original arcs adding up to its time."""
    h = hi.construire_hierarchie(g)
    meilleur: dict[tuple[int, int], int] = {}
    poids = hi._hierarchie.en_ticks(g.temps_s, h.resolution)
    for s, c, t in zip(g.sources_arcs().tolist(), g.indices.tolist(), poids.tolist(), strict=True):
        meilleur[(s, c)] = min(t, meilleur.get((s, c), t))
    for u in range(g.n_noeuds):
        iu = int(h.interne[u])
        for j in range(int(h.haut_indptr[iu]), int(h.haut_indptr[iu + 1])):
            w = int(h.externe[h.haut_cibles[j]])
            chemin = hi.deplier_arc(h, u, w)
            assert chemin[0] == u and chemin[-1] == w
            total = sum(meilleur[(a, b)] for a, b in itertools.pairwise(chemin))
            assert total == int(h.haut_poids[j])


def test_petit_graphe_et_raccourci() -> None:
    # A line 0 - 1 - 2 with a slow direct arc 0 -> 2: the hierarchy must find 0 -> 2 via 1.
    g = Graphe.depuis_arcs([0, 1, 1, 2, 0], [1, 0, 2, 1, 2], [1.5, 1.5, 2.25, 2.25, 10], 3)
    h = hi.construire_hierarchie(g)
    np.testing.assert_array_equal(
        hi.matrice_ch(h, [0, 1, 2]), [[0, 1.5, 3.75], [1.5, 0, 2.25], [3.75, 2.25, 0]]
    )
    assert h.resolution >= hi.RESOLUTION_DEPARTS
    assert h.horizon_s == 2.0 ** (53 - h.resolution)


def test_recontracter_nouveaux_temps() -> None:
    rng = np.random.default_rng(3)
    n, m = 300, 1200
    s, c = rng.integers(0, n, m), rng.integers(0, n, m)
    t = rng.uniform(1, 100, m).astype(np.float32)
    g1 = Graphe.depuis_arcs(s, c, t, n)
    h1 = hi.construire_hierarchie(g1)
    # Peak hour: a third of the arcs 1.5 times slower, on the same roads.
    t2 = np.where(rng.uniform(size=m) < 1 / 3, t * np.float32(1.5), t)
    g2 = Graphe.depuis_arcs(s, c, t2, n)
    h2 = hi.recontracter(h1, g2)
    assert h2.metadonnees["ordre"] == "impose"
    np.testing.assert_array_equal(
        hi.matrice_ch(h2, np.arange(n)), matrice_temps(g2, np.arange(n), methode="dijkstra")
    )
    with pytest.raises(DonneesInvalides, match="mêmes routes"):
        hi.recontracter(h1, Graphe.depuis_arcs([0], [1], [1.0], 2))


def test_resolution_exacte() -> None:
    t = np.array([0.5, 0.375, 3.0, 0.0, np.float32(0.1)], dtype=np.float32)
    k = hi._hierarchie.resolution(t)
    ticks = hi._hierarchie.en_ticks(t, k)
    np.testing.assert_array_equal(ticks * 2.0**-k, t.astype(np.float64))
    assert hi._hierarchie.resolution(np.array([1.0, 2.0, 0.0], dtype=np.float32)) == 0
    assert hi._hierarchie.resolution(np.array([0.75], dtype=np.float32)) == 2


def test_temps_trop_fins_dijkstra() -> None:
    g = Graphe.depuis_arcs([0, 1], [1, 2], [1e-20, 1.0], 3)
    with pytest.raises(hi.HierarchieImpossible, match="trop fins"):
        hi.construire_hierarchie(g)
    # auto on such a graph: Dijkstra, same answer.
    np.testing.assert_array_equal(
        matrice_temps(g, [0], methode="auto"), matrice_temps(g, [0], methode="dijkstra")
    )


def test_methode_dans_routage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path))
    rng = np.random.default_rng(0)
    n, m = 200, 800
    g = Graphe.depuis_arcs(rng.integers(0, n, m), rng.integers(0, n, m), rng.uniform(1, 60, m), n)
    assert hi.hierarchie_connue(g) is None
    origines = np.arange(0, n, 7)
    attendu = matrice_temps(g, origines, coupure_s=120.0, methode="dijkstra")
    np.testing.assert_array_equal(
        matrice_temps(g, origines, coupure_s=120.0, methode="ch"), attendu
    )
    # "ch" built it and saved it under the graph's fingerprint: auto now finds it.
    assert hi.hierarchie_connue(g) is not None
    assert (tmp_path / "hierarchies" / f"{hi.empreinte_graphe(g)}.hierarchie").is_file()
    np.testing.assert_array_equal(matrice_temps(g, origines, coupure_s=120.0), attendu)
    t, _ = plus_proche(g, [3, 50], methode="dijkstra")
    t2, _ = plus_proche(g, [3, 50], methode="ch")
    np.testing.assert_array_equal(t2, t)
    np.testing.assert_array_equal(
        plus_proche(g, [3, 50], k=2)[0], plus_proche(g, [3, 50], k=2, methode="dijkstra")[0]
    )
    with pytest.raises(DonneesInvalides, match="k = 1"):
        plus_proche(g, [3], k=2, methode="ch")
    with pytest.raises(DonneesInvalides, match="Méthode inconnue"):
        matrice_temps(g, [0], methode="astar")  # type: ignore[arg-type]


def test_fichier_cache(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    rng = np.random.default_rng(1)
    n, m = 150, 600
    g = Graphe.depuis_arcs(rng.integers(0, n, m), rng.integers(0, n, m), rng.uniform(1, 60, m), n)
    chemin_graphe = tmp_path / "zone.graphe"
    h = hi.hierarchie_en_cache(g, chemin_graphe)
    fichier = tmp_path / "zone.hierarchie"
    assert fichier.is_file()
    relue = hi.charger_hierarchie(fichier, graphe=g)
    assert isinstance(relue.haut_poids, np.memmap)
    np.testing.assert_array_equal(
        hi.matrice_ch(relue, np.arange(n)), hi.matrice_ch(h, np.arange(n))
    )
    # Another graph: refused on load, rebuilt (with a warning) by hierarchie_en_cache.
    autre = Graphe.depuis_arcs([0, 1], [1, 2], [1.0, 1.0], n)
    with pytest.raises(CacheCorrompu, match="autre graphe"):
        hi.charger_hierarchie(fichier, graphe=autre)
    # One byte altered in the arrays: refused, then rebuilt with a warning.
    donnees = bytearray(fichier.read_bytes())
    donnees[-3] ^= 0xFF
    fichier.write_bytes(bytes(donnees))
    with pytest.raises(CacheCorrompu, match="altéré"):
        hi.charger_hierarchie(fichier)
    g_bis = Graphe.depuis_arcs(g.sources_arcs(), g.indices, g.temps_s, n)  # not remembered
    with caplog.at_level(logging.WARNING):
        reconstruite = hi.hierarchie_en_cache(g_bis, chemin_graphe)
    assert "Reconstruction" in caplog.text
    np.testing.assert_array_equal(
        hi.matrice_ch(reconstruite, np.arange(n)), hi.matrice_ch(h, np.arange(n))
    )
    hi.charger_hierarchie(fichier, graphe=g_bis)  # replaced by a good one
    # Truncated, and not a hierarchy at all.
    fichier.write_bytes(fichier.read_bytes()[:100])
    with pytest.raises(CacheCorrompu):
        hi.charger_hierarchie(fichier)
    fichier.write_bytes(b"pas une hierarchie")
    with pytest.raises(CacheCorrompu, match="pas un fichier de hiérarchie"):
        hi.charger_hierarchie(fichier)


def test_au_dela_de_l_horizon() -> None:
    """Past 2**(53 - K) s the float64 sums of Dijkstra round; "auto" then uses Dijkstra."""
    fin = 2.0**-40
    g = Graphe.depuis_arcs([0, 1, 2], [1, 2, 3], [9000.0, fin, fin], 4)
    h = hi.construire_hierarchie(g)
    assert h.resolution == 40 and h.horizon_s == 2.0**13
    dijkstra_seul = matrice_temps(g, [0], methode="dijkstra")
    assert dijkstra_seul[0, 3] == 9000.0  # (9000 + 2**-40) rounds to 9000, twice
    exact = hi.matrice_ch(h, [0])
    assert exact[0, 3] == 9000.0 + 2.0**-39  # integer ticks: the exact sum
    np.testing.assert_array_equal(matrice_temps(g, [0], methode="ch"), exact)
    np.testing.assert_array_equal(matrice_temps(g, [0], methode="auto"), dijkstra_seul)
    np.testing.assert_array_equal(
        plus_proche(g, [3], inverse=True, methode="auto")[0],
        plus_proche(g, [3], inverse=True, methode="dijkstra")[0],
    )
