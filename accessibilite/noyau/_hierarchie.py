"""Numba kernels of the contraction hierarchy (CH): contraction, bucket matrix, PHAST.

Self-contained: plain CSR numpy arrays in, plain arrays out; nothing here imports the rest
of the project. :mod:`accessibilite.noyau.hierarchie` checks inputs, caches and dispatches.

Times are **integer ticks** of ``2**-K`` seconds (int64), ``K`` being the graph's
resolution: the smallest power of two that divides every float32 arc time (see
:func:`resolution`). Float32 arc times converted to ticks are exact, and so is every sum of
them: the hierarchy's results are the exact shortest-path times, independent of the order
of the additions. The Dijkstra kernel sums the same float32 times in float64; its sums are
exact too as long as they stay below ``2**(53 - K)`` seconds (then every partial sum is a
multiple of ``2**-K`` below ``2**53`` ticks), so both kernels return the same float64,
bit for bit, below that horizon (24 days for the Andorra extract, K = 32).

Contraction (:func:`contracter`):

* nodes are taken from a priority queue (indexed binary heap) by **priority** ::

      2 * added / removed  +  covered_added / covered_removed  +  depth

  where ``added`` is the number of shortcuts contracting the node would add, ``removed``
  the arcs it takes away (in + out), ``covered_*`` the original arcs those shortcuts and
  arcs stand for (a shortcut's ``covered`` is the sum of its two halves'), and ``depth``
  the node's level so far (1 + the deepest contracted neighbour): edge quotient,
  original-edge quotient and depth, the mix OSRM's contractor uses, which keeps both the
  number of shortcuts and the depth of the hierarchy low on road graphs. Priorities are
  updated lazily (recomputed when popped; re-queued when no longer the smallest) and for
  the neighbours of each contracted node;
* **witness searches**: before adding ``u -> v -> w`` the kernel runs a Dijkstra from
  ``u`` on the remaining graph, without ``v``, bounded by the shortcut's time and by a
  number of settled nodes (``limite_temoins`` when contracting, the smaller
  ``limite_simulation`` when only computing a priority); a shortcut is skipped only when
  a path no longer than it is found, so a limited search adds extra shortcuts, never a
  wrong one;
* each shortcut keeps its **middle node** (``-1`` for an original arc): any path unpacks
  into original arcs;
* with ``ordre`` given, nodes are contracted in that order instead (no priorities): the
  fast re-contraction for new weights on the same roads (a peak-hour factor, a scenario).

The result is two CSR arrays in the *internal numbering* (nodes sorted by level, then by
original number, so that every arc goes from a lower to a higher internal number and the
sweeps read memory in order): ``haut`` holds for each node its arcs to higher nodes
(``v -> w``), ``bas`` its arcs from higher nodes (``u -> v``, stored at ``v``).

Queries:

* :func:`matrice_seaux`: many-to-many with buckets (Knopp et al.): an upward search
  (with stall-on-demand, pruned at the cut-off) from every destination on ``bas`` fills
  buckets, then an upward search from every origin on ``haut`` scans them. Parallel over
  destinations, then over origins (one row each).
* :func:`phast`: one-to-all or many-to-all (PHAST, Delling et al.), as two linear sweeps:
  an upward sweep in increasing internal order (all sources at once, each with its start
  time and label), then a downward sweep in decreasing order; with a selection of nodes
  (RPHAST) the downward sweep only visits the nodes the targets depend on.
  :func:`lignes_phast`: matrix rows to many destinations (or all nodes), one upward
  search and one (restricted) downward sweep per origin, in parallel over origins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numba
import numpy as np
from numpy.typing import NDArray

from accessibilite.noyau._dijkstra import compiler

__all__ = [
    "INF",
    "contracter",
    "en_ticks",
    "lignes_phast",
    "matrice_seaux",
    "niveaux",
    "phast",
    "resolution",
    "selection_rphast",
]

F = TypeVar("F", bound=Callable[..., Any])

#: "Unreached" in ticks; sums of two reached times never reach it.
INF = 1 << 62
#: Most ticks the arc times of a graph may add up to: every time a hierarchy holds is a
#: path's, below it, and two of them add without reaching INF.
SOMME_MAX = 1 << 61


def _compiler(**options: Any) -> Callable[[F], F]:
    """:func:`~accessibilite.noyau._dijkstra.compiler`, the kernels not counted by
    ``a_compiler`` (only a contraction hierarchy uses them)."""
    return compiler(suivre=False, **options)


# ----------------------------------------------------------------------------------------
# Integer ticks


def resolution(poids: NDArray[np.floating[Any]]) -> int:
    """Smallest ``K`` such that every finite time of ``poids`` is a multiple of ``2**-K``.

    A float32 ``w > 0`` is ``M * 2**(e - 24)`` with ``M`` a 24-bit integer (``frexp``);
    its own ``K`` is ``24 - e`` less the trailing zero bits of ``M``. Zero and infinite
    times need none. Returns 0 for a graph of whole seconds (or coarser).
    """
    w = np.asarray(poids, dtype=np.float64)
    w = w[(w > 0) & np.isfinite(w)]
    if w.size == 0:
        return 0
    mantisse, exposant = np.frexp(w)
    m = (mantisse * 2.0**53).astype(np.int64)  # exact: float64 mantissas have 53 bits
    zeros = np.log2((m & -m).astype(np.float64)).astype(np.int64)
    return int(max(0, int(np.max(53 - exposant - zeros))))


def en_ticks(poids: NDArray[np.floating[Any]], k: int) -> NDArray[np.int64]:
    """Times in seconds to ticks of ``2**-k`` s (exact for multiples; ``inf`` to INF)."""
    w = np.asarray(poids, dtype=np.float64) * (2.0**k)
    sortie = np.full(w.shape, INF, dtype=np.int64)
    fini = np.isfinite(w)
    sortie[fini] = w[fini].astype(np.int64)
    return sortie


# ----------------------------------------------------------------------------------------
# Binary heaps: a lazy one keyed by int64 ticks (searches), an indexed one keyed by float
# priorities (node order).


@_compiler(inline="always")
def _tas_pousser(cles, noeuds, taille, cle, noeud):  # type: ignore[no-untyped-def]
    i = taille
    while i > 0:
        p = (i - 1) >> 1
        if cles[p] <= cle:
            break
        cles[i] = cles[p]
        noeuds[i] = noeuds[p]
        i = p
    cles[i] = cle
    noeuds[i] = noeud
    return taille + 1


@_compiler(inline="always")
def _tas_retirer(cles, noeuds, taille):  # type: ignore[no-untyped-def]
    """Remove the root; return the new size (the caller read the root before)."""
    taille -= 1
    cle = cles[taille]
    noeud = noeuds[taille]
    i = 0
    while True:
        g = 2 * i + 1
        if g >= taille:
            break
        d = g + 1
        if d < taille and cles[d] < cles[g]:
            g = d
        if cles[g] >= cle:
            break
        cles[i] = cles[g]
        noeuds[i] = noeuds[g]
        i = g
    cles[i] = cle
    noeuds[i] = noeud
    return taille


@_compiler()
def _prio_monter(cles, noeuds, pos, i):  # type: ignore[no-untyped-def]
    cle = cles[i]
    noeud = noeuds[i]
    while i > 0:
        p = (i - 1) >> 1
        if cles[p] <= cle:
            break
        cles[i] = cles[p]
        noeuds[i] = noeuds[p]
        pos[noeuds[i]] = i
        i = p
    cles[i] = cle
    noeuds[i] = noeud
    pos[noeud] = i


@_compiler()
def _prio_descendre(cles, noeuds, pos, i, taille):  # type: ignore[no-untyped-def]
    cle = cles[i]
    noeud = noeuds[i]
    while True:
        g = 2 * i + 1
        if g >= taille:
            break
        d = g + 1
        if d < taille and cles[d] < cles[g]:
            g = d
        if cles[g] >= cle:
            break
        cles[i] = cles[g]
        noeuds[i] = noeuds[g]
        pos[noeuds[i]] = i
        i = g
    cles[i] = cle
    noeuds[i] = noeud
    pos[noeud] = i


# ----------------------------------------------------------------------------------------
# Contraction


@_compiler()
def _agrandir_i32(t, n):  # type: ignore[no-untyped-def]
    nouveau = np.empty(n, dtype=t.dtype)
    nouveau[: t.shape[0]] = t
    return nouveau


@_compiler()
def _retirer(deb, nb, cib, poids, mil, couv, x, v):  # type: ignore[no-untyped-def]
    """Remove the arc to/from ``v`` from node ``x``'s list (swap with the last)."""
    d = deb[x]
    n = nb[x]
    for a in range(d, d + n):
        if cib[a] == v:
            dernier = d + n - 1
            cib[a] = cib[dernier]
            poids[a] = poids[dernier]
            mil[a] = mil[dernier]
            couv[a] = couv[dernier]
            nb[x] = n - 1
            return


@_compiler()
def _temoins(  # type: ignore[no-untyped-def]
    v,
    o_deb,
    o_nb,
    o_cib,
    o_poids,
    o_couv,
    i_deb,
    i_nb,
    i_cib,
    i_poids,
    i_couv,
    limite,
    dist,
    marque,
    touches,
    t_cles,
    t_noeuds,
    r_u,
    r_w,
    r_poids,
    r_couv,
):
    """Find the shortcuts that contracting ``v`` needs; return their number.

    Shortcut ``r`` is ``r_u[r] -> r_w[r]`` of time ``r_poids[r]`` standing for
    ``r_couv[r]`` original arcs. ``r_*`` must have room for in-degree × out-degree.
    """
    n_r = 0
    for ia in range(i_deb[v], i_deb[v] + i_nb[v]):
        u = i_cib[ia]
        pu = i_poids[ia]
        # Targets: out-neighbours of v other than u; bound: the longest u -> v -> w.
        borne = np.int64(0)
        n_cibles = 0
        for oa in range(o_deb[v], o_deb[v] + o_nb[v]):
            w = o_cib[oa]
            if w == u:
                continue
            marque[w] = 1
            n_cibles += 1
            if pu + o_poids[oa] > borne:
                borne = pu + o_poids[oa]
        if n_cibles == 0:
            continue
        # Dijkstra from u without v, bounded by time and by settled nodes.
        n_t = 0
        taille = 0
        dist[u] = 0
        touches[n_t] = u
        n_t += 1
        taille = _tas_pousser(t_cles, t_noeuds, taille, np.int64(0), np.int32(u))
        fixes = 0
        while taille > 0 and n_cibles > 0 and fixes < limite:
            d = t_cles[0]
            x = t_noeuds[0]
            taille = _tas_retirer(t_cles, t_noeuds, taille)
            if d > dist[x]:
                continue
            if d > borne:
                break
            fixes += 1
            if marque[x] == 1:
                marque[x] = 2  # settled target
                n_cibles -= 1
            for a in range(o_deb[x], o_deb[x] + o_nb[x]):
                y = o_cib[a]
                if y == v:
                    continue
                nd = d + o_poids[a]
                if nd < dist[y] and nd <= borne:
                    if dist[y] == INF:
                        touches[n_t] = y
                        n_t += 1
                    dist[y] = nd
                    taille = _tas_pousser(t_cles, t_noeuds, taille, nd, np.int32(y))
        for oa in range(o_deb[v], o_deb[v] + o_nb[v]):
            w = o_cib[oa]
            if w == u:
                continue
            via = pu + o_poids[oa]
            if dist[w] > via:
                r_u[n_r] = u
                r_w[n_r] = w
                r_poids[n_r] = via
                r_couv[n_r] = i_couv[ia] + o_couv[oa]
                n_r += 1
            marque[w] = 0
        for j in range(n_t):
            dist[touches[j]] = INF
    return n_r


@_compiler()
def _priorite(v, n_r, r_couv, o_nb, o_deb, o_couv, i_nb, i_deb, i_couv, profondeur):  # type: ignore[no-untyped-def]
    retirees = o_nb[v] + i_nb[v]
    couv_retirees = 0
    for a in range(o_deb[v], o_deb[v] + o_nb[v]):
        couv_retirees += o_couv[a]
    for a in range(i_deb[v], i_deb[v] + i_nb[v]):
        couv_retirees += i_couv[a]
    couv_ajoutees = 0
    for r in range(n_r):
        couv_ajoutees += r_couv[r]
    return (
        2.0 * n_r / max(retirees, 1) + couv_ajoutees / max(couv_retirees, 1) + float(profondeur[v])
    )


@_compiler()
def contracter(n, sources, cibles, poids, ordre, limite_temoins, limite_simulation):  # type: ignore[no-untyped-def]
    """Contract every node; return the hierarchy's arcs and the contraction rank.

    Parameters
    ----------
    n
        Number of nodes.
    sources, cibles, poids
        Arcs (int64, int64, int64 ticks; ``poids >= 0``, adding up to less than :data:`SOMME_MAX`).
        Self-loops are dropped; of parallel arcs the fastest is kept.
    ordre
        Contraction order (a permutation of the nodes), or empty: by priority.
    limite_temoins
        Most nodes settled by one witness search when contracting a node.
    limite_simulation
        The same when only computing a priority (smaller: faster, a priority may then
        count a few shortcuts the contraction will not need).

    Returns
    -------
    rang : int32 (n)
        Position of each node in the contraction order.
    a_de, a_vers, a_poids, a_milieu : arrays (m_ch)
        The hierarchy's arcs (original and shortcuts), each from its tail to its head,
        in original numbering; ``a_milieu`` is the middle node of a shortcut, -1 for an
        original arc.
    n_raccourcis : int
        Shortcuts among them.
    """
    # Dynamic adjacency: each node's out- and in-arcs in a slice of a shared pool, moved
    # to the end of the pool (twice as big) when full.
    m = sources.shape[0]
    cap_pool = 2 * m + 8 * n + 64
    o_deb = np.zeros(n, dtype=np.int64)
    o_nb = np.zeros(n, dtype=np.int64)
    o_cap = np.zeros(n, dtype=np.int64)
    i_deb = np.zeros(n, dtype=np.int64)
    i_nb = np.zeros(n, dtype=np.int64)
    i_cap = np.zeros(n, dtype=np.int64)
    deg_o = np.zeros(n, dtype=np.int64)
    deg_i = np.zeros(n, dtype=np.int64)
    for a in range(m):
        if sources[a] != cibles[a]:
            deg_o[sources[a]] += 1
            deg_i[cibles[a]] += 1
    haut_pool = 0
    for v in range(n):
        o_deb[v] = haut_pool
        o_cap[v] = deg_o[v] + 2
        haut_pool += o_cap[v]
        i_deb[v] = haut_pool
        i_cap[v] = deg_i[v] + 2
        haut_pool += i_cap[v]
    cap_pool = max(cap_pool, 2 * haut_pool)
    p_cib = np.empty(cap_pool, dtype=np.int32)
    p_poids = np.empty(cap_pool, dtype=np.int64)
    p_mil = np.empty(cap_pool, dtype=np.int32)
    p_couv = np.empty(cap_pool, dtype=np.int32)

    # Insert the original arcs (min over parallel arcs).
    for a in range(m):
        u = sources[a]
        w = cibles[a]
        if u == w:
            continue
        p = poids[a]
        trouve = False
        for b in range(o_deb[u], o_deb[u] + o_nb[u]):
            if p_cib[b] == w:
                trouve = True
                if p < p_poids[b]:
                    p_poids[b] = p
                    for c in range(i_deb[w], i_deb[w] + i_nb[w]):
                        if p_cib[c] == u:
                            p_poids[c] = p
                            break
                break
        if trouve:
            continue
        b = o_deb[u] + o_nb[u]
        p_cib[b] = w
        p_poids[b] = p
        p_mil[b] = -1
        p_couv[b] = 1
        o_nb[u] += 1
        c = i_deb[w] + i_nb[w]
        p_cib[c] = u
        p_poids[c] = p
        p_mil[c] = -1
        p_couv[c] = 1
        i_nb[w] += 1

    # Work arrays.
    dist = np.full(n, INF, dtype=np.int64)
    marque = np.zeros(n, dtype=np.int8)
    touches = np.empty(n, dtype=np.int32)
    t_cles = np.empty(n + m + 16, dtype=np.int64)
    t_noeuds = np.empty(n + m + 16, dtype=np.int32)
    cap_r = 1024
    r_u = np.empty(cap_r, dtype=np.int32)
    r_w = np.empty(cap_r, dtype=np.int32)
    r_poids = np.empty(cap_r, dtype=np.int64)
    r_couv = np.empty(cap_r, dtype=np.int32)
    profondeur = np.zeros(n, dtype=np.int32)
    mis_a_jour = np.full(n, -1, dtype=np.int64)  # last step a neighbour was updated at
    contracte = np.zeros(n, dtype=np.bool_)
    rang = np.full(n, -1, dtype=np.int32)

    # Output arcs.
    cap_s = m + n + 16
    s_de = np.empty(cap_s, dtype=np.int32)
    s_vers = np.empty(cap_s, dtype=np.int32)
    s_poids = np.empty(cap_s, dtype=np.int64)
    s_mil = np.empty(cap_s, dtype=np.int32)
    n_s = 0
    n_raccourcis = 0

    # Priority queue (or the imposed order).
    impose = ordre.shape[0] == n and n > 0
    pq_cles = np.empty(n, dtype=np.float64)
    pq_noeuds = np.empty(n, dtype=np.int32)
    pos = np.full(n, -1, dtype=np.int64)
    taille_pq = 0
    if not impose:
        for v in range(n):
            besoin = i_nb[v] * o_nb[v]
            if besoin > cap_r:
                cap_r = 2 * besoin
                r_u = np.empty(cap_r, dtype=np.int32)
                r_w = np.empty(cap_r, dtype=np.int32)
                r_poids = np.empty(cap_r, dtype=np.int64)
                r_couv = np.empty(cap_r, dtype=np.int32)
            n_r = _temoins(
                v, o_deb, o_nb, p_cib, p_poids, p_couv, i_deb, i_nb, p_cib, p_poids, p_couv,
                limite_simulation, dist, marque, touches, t_cles, t_noeuds, r_u, r_w, r_poids,
                r_couv,
            )  # fmt: skip
            pq_cles[taille_pq] = _priorite(
                v, n_r, r_couv, o_nb, o_deb, p_couv, i_nb, i_deb, p_couv, profondeur
            )
            pq_noeuds[taille_pq] = v
            pos[v] = taille_pq
            taille_pq += 1
        for i in range(taille_pq // 2 - 1, -1, -1):
            _prio_descendre(pq_cles, pq_noeuds, pos, i, taille_pq)

    prochain = 0
    for etape in range(n):
        if impose:
            v = ordre[etape]
        else:
            # Lazy update: recompute the top's priority; contract it if still smallest.
            while True:
                v = pq_noeuds[0]
                besoin = i_nb[v] * o_nb[v]
                if besoin > cap_r:
                    cap_r = 2 * besoin
                    r_u = np.empty(cap_r, dtype=np.int32)
                    r_w = np.empty(cap_r, dtype=np.int32)
                    r_poids = np.empty(cap_r, dtype=np.int64)
                    r_couv = np.empty(cap_r, dtype=np.int32)
                n_r = _temoins(
                    v, o_deb, o_nb, p_cib, p_poids, p_couv, i_deb, i_nb, p_cib, p_poids,
                    p_couv, limite_simulation, dist, marque, touches, t_cles, t_noeuds, r_u, r_w,
                    r_poids, r_couv,
                )  # fmt: skip
                pr = _priorite(v, n_r, r_couv, o_nb, o_deb, p_couv, i_nb, i_deb, p_couv, profondeur)
                pq_cles[0] = pr
                _prio_descendre(pq_cles, pq_noeuds, pos, 0, taille_pq)
                if pq_noeuds[0] == v:
                    break
            # Pop v.
            taille_pq -= 1
            dernier = pq_noeuds[taille_pq]
            pq_cles[0] = pq_cles[taille_pq]
            pq_noeuds[0] = dernier
            pos[dernier] = 0
            pos[v] = -1
            if taille_pq > 0:
                _prio_descendre(pq_cles, pq_noeuds, pos, 0, taille_pq)
        if impose or limite_simulation != limite_temoins:
            besoin = i_nb[v] * o_nb[v]
            if besoin > cap_r:
                cap_r = 2 * besoin
                r_u = np.empty(cap_r, dtype=np.int32)
                r_w = np.empty(cap_r, dtype=np.int32)
                r_poids = np.empty(cap_r, dtype=np.int64)
                r_couv = np.empty(cap_r, dtype=np.int32)
            n_r = _temoins(
                v, o_deb, o_nb, p_cib, p_poids, p_couv, i_deb, i_nb, p_cib, p_poids, p_couv,
                limite_temoins, dist, marque, touches, t_cles, t_noeuds, r_u, r_w, r_poids,
                r_couv,
            )  # fmt: skip

        # Record v's remaining arcs: they all lead to nodes contracted later.
        besoin = n_s + o_nb[v] + i_nb[v]
        if besoin > cap_s:
            cap_s = max(2 * cap_s, besoin)
            s_de = _agrandir_i32(s_de, cap_s)
            s_vers = _agrandir_i32(s_vers, cap_s)
            s_poids = _agrandir_i32(s_poids, cap_s)
            s_mil = _agrandir_i32(s_mil, cap_s)
        for a in range(o_deb[v], o_deb[v] + o_nb[v]):
            s_de[n_s] = v
            s_vers[n_s] = p_cib[a]
            s_poids[n_s] = p_poids[a]
            s_mil[n_s] = p_mil[a]
            n_s += 1
        for a in range(i_deb[v], i_deb[v] + i_nb[v]):
            s_de[n_s] = p_cib[a]
            s_vers[n_s] = v
            s_poids[n_s] = p_poids[a]
            s_mil[n_s] = p_mil[a]
            n_s += 1
        rang[v] = prochain
        prochain += 1
        contracte[v] = True

        # Take v out of its neighbours' lists.
        for a in range(o_deb[v], o_deb[v] + o_nb[v]):
            _retirer(i_deb, i_nb, p_cib, p_poids, p_mil, p_couv, p_cib[a], v)
        for a in range(i_deb[v], i_deb[v] + i_nb[v]):
            _retirer(o_deb, o_nb, p_cib, p_poids, p_mil, p_couv, p_cib[a], v)

        # Add the shortcuts (or lower an existing arc).
        for r in range(n_r):
            u = r_u[r]
            w = r_w[r]
            p = r_poids[r]
            existe = False
            for b in range(o_deb[u], o_deb[u] + o_nb[u]):
                if p_cib[b] == w:
                    existe = True
                    if p < p_poids[b]:
                        p_poids[b] = p
                        p_mil[b] = v
                        p_couv[b] = r_couv[r]
                        for c in range(i_deb[w], i_deb[w] + i_nb[w]):
                            if p_cib[c] == u:
                                p_poids[c] = p
                                p_mil[c] = v
                                p_couv[c] = r_couv[r]
                                break
                    break
            if existe:
                continue
            n_raccourcis += 1
            # Make room in u's out-list and w's in-list (move a full list to the pool end).
            for cote in range(2):
                x = u if cote == 0 else w
                plein = o_nb[x] == o_cap[x] if cote == 0 else i_nb[x] == i_cap[x]
                if not plein:
                    continue
                nb = o_nb[x] if cote == 0 else i_nb[x]
                ancien = o_deb[x] if cote == 0 else i_deb[x]
                nouvelle_cap = 2 * nb + 2
                if haut_pool + nouvelle_cap > cap_pool:
                    cap_pool = 2 * cap_pool + nouvelle_cap
                    p_cib = _agrandir_i32(p_cib, cap_pool)
                    p_poids = _agrandir_i32(p_poids, cap_pool)
                    p_mil = _agrandir_i32(p_mil, cap_pool)
                    p_couv = _agrandir_i32(p_couv, cap_pool)
                for j in range(nb):
                    p_cib[haut_pool + j] = p_cib[ancien + j]
                    p_poids[haut_pool + j] = p_poids[ancien + j]
                    p_mil[haut_pool + j] = p_mil[ancien + j]
                    p_couv[haut_pool + j] = p_couv[ancien + j]
                if cote == 0:
                    o_deb[x] = haut_pool
                    o_cap[x] = nouvelle_cap
                else:
                    i_deb[x] = haut_pool
                    i_cap[x] = nouvelle_cap
                haut_pool += nouvelle_cap
            b = o_deb[u] + o_nb[u]
            p_cib[b] = w
            p_poids[b] = p
            p_mil[b] = v
            p_couv[b] = r_couv[r]
            o_nb[u] += 1
            c = i_deb[w] + i_nb[w]
            p_cib[c] = u
            p_poids[c] = p
            p_mil[c] = v
            p_couv[c] = r_couv[r]
            i_nb[w] += 1

        # Neighbours: deeper, and (with priorities) their priority updated.
        for cote in range(2):
            deb = o_deb[v] if cote == 0 else i_deb[v]
            nb = o_nb[v] if cote == 0 else i_nb[v]
            for a in range(deb, deb + nb):
                x = p_cib[a]
                if contracte[x]:
                    continue
                if profondeur[x] < profondeur[v] + 1:
                    profondeur[x] = profondeur[v] + 1
                if impose or pos[x] < 0 or mis_a_jour[x] == etape:
                    continue  # (a two-way neighbour is in both lists: update it once)
                mis_a_jour[x] = etape
                besoin = i_nb[x] * o_nb[x]
                if besoin > cap_r:
                    cap_r = 2 * besoin
                    r_u = np.empty(cap_r, dtype=np.int32)
                    r_w = np.empty(cap_r, dtype=np.int32)
                    r_poids = np.empty(cap_r, dtype=np.int64)
                    r_couv = np.empty(cap_r, dtype=np.int32)
                n_x = _temoins(
                    x, o_deb, o_nb, p_cib, p_poids, p_couv, i_deb, i_nb, p_cib, p_poids,
                    p_couv, limite_simulation, dist, marque, touches, t_cles, t_noeuds, r_u, r_w,
                    r_poids, r_couv,
                )  # fmt: skip
                pr = _priorite(x, n_x, r_couv, o_nb, o_deb, p_couv, i_nb, i_deb, p_couv, profondeur)
                i = pos[x]
                ancien_pr = pq_cles[i]
                pq_cles[i] = pr
                if pr < ancien_pr:
                    _prio_monter(pq_cles, pq_noeuds, pos, i)
                else:
                    _prio_descendre(pq_cles, pq_noeuds, pos, i, taille_pq)
        o_nb[v] = 0
        i_nb[v] = 0
    return rang, s_de[:n_s], s_vers[:n_s], s_poids[:n_s], s_mil[:n_s], n_raccourcis


@_compiler()
def niveaux(n, rang, a_de, a_vers):  # type: ignore[no-untyped-def]
    """Level of each node: 0 without lower neighbours, else 1 + the highest lower level."""
    ordre = np.empty(n, dtype=np.int64)
    for v in range(n):
        ordre[rang[v]] = v
    # Arcs by lower endpoint.
    m = a_de.shape[0]
    bas = np.empty(m, dtype=np.int64)
    haut = np.empty(m, dtype=np.int64)
    compte = np.zeros(n + 1, dtype=np.int64)
    for a in range(m):
        if rang[a_de[a]] < rang[a_vers[a]]:
            bas[a] = a_de[a]
            haut[a] = a_vers[a]
        else:
            bas[a] = a_vers[a]
            haut[a] = a_de[a]
        compte[bas[a] + 1] += 1
    for v in range(n):
        compte[v + 1] += compte[v]
    place = compte[:-1].copy()
    voisins = np.empty(m, dtype=np.int64)
    for a in range(m):
        voisins[place[bas[a]]] = haut[a]
        place[bas[a]] += 1
    niveau = np.zeros(n, dtype=np.int32)
    for r in range(n):
        v = ordre[r]
        for j in range(compte[v], compte[v + 1]):
            w = voisins[j]
            if niveau[w] < niveau[v] + 1:
                niveau[w] = niveau[v] + 1
    return niveau


# ----------------------------------------------------------------------------------------
# Upward searches and the bucket many-to-many matrix


@_compiler()
def _montee(  # type: ignore[no-untyped-def]
    indptr,
    cib,
    poids,
    arret_indptr,
    arret_cib,
    arret_poids,
    depart,
    coupure,
    dist,
    touches,
    t_cles,
    t_noeuds,
    sortie_noeuds,
    sortie_dist,
):
    """Upward Dijkstra from ``depart`` with stall-on-demand; return the kept nodes' count.

    Relaxes ``indptr/cib/poids`` (arcs to higher nodes); ``arret_*`` are the arcs into
    the node from higher ones, used to stall: a node that a higher reached node reaches
    faster is not on a shortest up-path and is neither expanded nor kept. Writes the kept
    (settled, not stalled, within ``coupure``) nodes and times into ``sortie_*`` when
    they are not empty (else only counts them); leaves ``dist`` clean (INF).
    """
    n_t = 0
    taille = 0
    n_s = 0
    ecrire = sortie_noeuds.shape[0] > 0
    dist[depart] = 0
    touches[n_t] = depart
    n_t += 1
    taille = _tas_pousser(t_cles, t_noeuds, taille, np.int64(0), np.int32(depart))
    while taille > 0:
        d = t_cles[0]
        v = t_noeuds[0]
        taille = _tas_retirer(t_cles, t_noeuds, taille)
        if d > dist[v]:
            continue
        cale = False
        for a in range(arret_indptr[v], arret_indptr[v + 1]):
            u = arret_cib[a]
            if dist[u] < INF and dist[u] + arret_poids[a] < d:
                cale = True
                break
        if cale:
            continue
        if ecrire:
            sortie_noeuds[n_s] = v
            sortie_dist[n_s] = d
        n_s += 1
        for a in range(indptr[v], indptr[v + 1]):
            w = cib[a]
            nd = d + poids[a]
            if nd <= coupure and nd < dist[w]:
                if dist[w] == INF:
                    touches[n_t] = w
                    n_t += 1
                dist[w] = nd
                taille = _tas_pousser(t_cles, t_noeuds, taille, nd, np.int32(w))
    for j in range(n_t):
        dist[touches[j]] = INF
    return n_s


@_compiler(parallel=True)
def _espaces(  # type: ignore[no-untyped-def]
    indptr, cib, poids, a_indptr, a_cib, a_poids, departs, coupure, decalages, noeuds, temps,
    fils,
):  # fmt: skip
    """Upward search spaces of ``departs`` (counted when ``noeuds`` is empty, else written).

    Counting: ``decalages[i + 1]`` gets the size of search ``i``. Writing: search ``i``
    goes to ``noeuds/temps[decalages[i]:decalages[i + 1]]``.
    """
    n = indptr.shape[0] - 1
    dist = np.full((fils, n), INF, dtype=np.int64)
    touches = np.empty((fils, n), dtype=np.int32)
    cap = a_cib.shape[0] + cib.shape[0] + 16
    t_cles = np.empty((fils, cap), dtype=np.int64)
    t_noeuds = np.empty((fils, cap), dtype=np.int32)
    compter = noeuds.shape[0] == 0
    for i in numba.prange(departs.shape[0]):
        f = numba.get_thread_id()
        if compter:
            decalages[i + 1] = _montee(
                indptr, cib, poids, a_indptr, a_cib, a_poids, departs[i], coupure,
                dist[f], touches[f], t_cles[f], t_noeuds[f], noeuds, temps,
            )  # fmt: skip
        else:
            debut = decalages[i]
            fin = decalages[i + 1]
            _montee(
                indptr, cib, poids, a_indptr, a_cib, a_poids, departs[i], coupure,
                dist[f], touches[f], t_cles[f], t_noeuds[f], noeuds[debut:fin], temps[debut:fin],
            )  # fmt: skip


@_compiler()
def _seaux(n, decalages, noeuds, temps):  # type: ignore[no-untyped-def]
    """Buckets: the entries (destination, time) of each node, sorted by time."""
    e = noeuds.shape[0]
    indptr = np.zeros(n + 1, dtype=np.int64)
    for j in range(e):
        indptr[noeuds[j] + 1] += 1
    for v in range(n):
        indptr[v + 1] += indptr[v]
    place = indptr[:-1].copy()
    b_dest = np.empty(e, dtype=np.int32)
    b_temps = np.empty(e, dtype=np.int64)
    for i in range(decalages.shape[0] - 1):
        for j in range(decalages[i], decalages[i + 1]):
            v = noeuds[j]
            b_dest[place[v]] = i
            b_temps[place[v]] = temps[j]
            place[v] += 1
    # Insertion sort by time inside each bucket (small buckets), then a general sort for
    # the big ones at the top of the hierarchy.
    for v in range(n):
        a = indptr[v]
        b = indptr[v + 1]
        if b - a <= 32:
            for x in range(a + 1, b):
                t = b_temps[x]
                dd = b_dest[x]
                y = x - 1
                while y >= a and b_temps[y] > t:
                    b_temps[y + 1] = b_temps[y]
                    b_dest[y + 1] = b_dest[y]
                    y -= 1
                b_temps[y + 1] = t
                b_dest[y + 1] = dd
        else:
            ordre = np.argsort(b_temps[a:b], kind="mergesort")
            b_temps[a:b] = b_temps[a:b][ordre]
            b_dest[a:b] = b_dest[a:b][ordre]
    return indptr, b_dest, b_temps


@_compiler(parallel=True)
def _balayer_seaux(  # type: ignore[no-untyped-def]
    h_indptr, h_cib, h_poids, b_indptr, b_cib, b_poids, origines, coupure,
    s_indptr, s_dest, s_temps, echelle, sortie, fils,
):  # fmt: skip
    """Forward upward search from each origin, scanning the buckets of the nodes kept."""
    n = h_indptr.shape[0] - 1
    n_dest = sortie.shape[1]
    dist = np.full((fils, n), INF, dtype=np.int64)
    touches = np.empty((fils, n), dtype=np.int32)
    cap = h_cib.shape[0] + b_cib.shape[0] + 16
    t_cles = np.empty((fils, cap), dtype=np.int64)
    t_noeuds = np.empty((fils, cap), dtype=np.int32)
    e_noeuds = np.empty((fils, n), dtype=np.int32)
    e_temps = np.empty((fils, n), dtype=np.int64)
    ligne = np.full((fils, n_dest), INF, dtype=np.int64)
    for i in numba.prange(origines.shape[0]):
        f = numba.get_thread_id()
        k = _montee(
            h_indptr, h_cib, h_poids, b_indptr, b_cib, b_poids, origines[i], coupure,
            dist[f], touches[f], t_cles[f], t_noeuds[f], e_noeuds[f], e_temps[f],
        )  # fmt: skip
        lf = ligne[f]
        for j in range(k):
            x = e_noeuds[f, j]
            d = e_temps[f, j]
            reste = coupure - d
            for a in range(s_indptr[x], s_indptr[x + 1]):
                t = s_temps[a]
                if t > reste:
                    break  # buckets are sorted by time
                c = s_dest[a]
                if d + t < lf[c]:
                    lf[c] = d + t
        for c in range(n_dest):
            if lf[c] < INF:
                sortie[i, c] = lf[c] * echelle
                lf[c] = INF


def matrice_seaux(
    h_indptr: NDArray[np.int64],
    h_cib: NDArray[np.int32],
    h_poids: NDArray[np.int64],
    b_indptr: NDArray[np.int64],
    b_cib: NDArray[np.int32],
    b_poids: NDArray[np.int64],
    origines: NDArray[np.int64],
    destinations: NDArray[np.int64],
    coupure: int,
    echelle: float,
    sortie: NDArray[np.float64],
) -> int:
    """Fill ``sortie`` (``inf`` on entry) with the times origins × destinations (seconds).

    Nodes in internal numbering; ``coupure`` in ticks (pairs beyond stay ``inf``);
    ``echelle = 2**-K``. Returns the number of bucket entries (for reports).
    """
    n = h_indptr.shape[0] - 1
    fils = numba.get_num_threads()
    vide_n = np.empty(0, dtype=np.int32)
    vide_t = np.empty(0, dtype=np.int64)
    decalages = np.zeros(destinations.shape[0] + 1, dtype=np.int64)
    with numba.parallel_chunksize(1):
        _espaces(
            b_indptr, b_cib, b_poids, h_indptr, h_cib, h_poids, destinations, coupure,
            decalages, vide_n, vide_t, fils,
        )  # fmt: skip
    np.cumsum(decalages, out=decalages)
    noeuds = np.empty(int(decalages[-1]), dtype=np.int32)
    temps = np.empty(int(decalages[-1]), dtype=np.int64)
    with numba.parallel_chunksize(1):
        _espaces(
            b_indptr, b_cib, b_poids, h_indptr, h_cib, h_poids, destinations, coupure,
            decalages, noeuds, temps, fils,
        )  # fmt: skip
    s_indptr, s_dest, s_temps = _seaux(n, decalages, noeuds, temps)
    del noeuds, temps
    with numba.parallel_chunksize(1):
        _balayer_seaux(
            h_indptr, h_cib, h_poids, b_indptr, b_cib, b_poids, origines, coupure,
            s_indptr, s_dest, s_temps, echelle, sortie, fils,
        )  # fmt: skip
    return int(s_dest.shape[0])


# ----------------------------------------------------------------------------------------
# PHAST


@_compiler()
def phast(  # type: ignore[no-untyped-def]
    monte_indptr,
    monte_cib,
    monte_poids,
    tire_indptr,
    tire_cib,
    tire_poids,
    departs,
    etiquettes_depart,
    temps_depart,
    coupure,
    selection,
    dist,
    etiquettes,
):
    """Times from the sources to every node (or to the selected ones), by two sweeps.

    Internal numbering. ``monte_*``: for each node, its arcs up to higher nodes in the
    search direction (pushed in increasing order); ``tire_*``: for each node, its arcs
    from higher nodes in the search direction (pulled in decreasing order). From the
    sources to the nodes: ``monte = haut``, ``tire = bas``; from the nodes to the sources
    (reverse graph): ``monte = bas``, ``tire = haut``.

    ``departs``, ``etiquettes_depart``, ``temps_depart`` (ticks): sources, their labels
    and start times. ``coupure`` in ticks. ``selection``: nodes (increasing internal
    numbers) closed under "pulls from" (:func:`selection_rphast`), or empty: all nodes.
    ``dist`` (INF) and ``etiquettes`` (-1) are outputs of size n; beyond the cut-off a
    node stays INF, -1.
    """
    n = monte_indptr.shape[0] - 1
    for s in range(departs.shape[0]):
        v = departs[s]
        t0 = temps_depart[s]
        if t0 <= coupure and t0 < dist[v]:
            dist[v] = t0
            etiquettes[v] = etiquettes_depart[s]
    # Upward sweep: every up-path from a source, in increasing order.
    for v in range(n):
        d = dist[v]
        if d > coupure:
            continue
        e = etiquettes[v]
        for a in range(monte_indptr[v], monte_indptr[v + 1]):
            w = monte_cib[a]
            nd = d + monte_poids[a]
            if nd < dist[w]:
                dist[w] = nd
                etiquettes[w] = e
    # Downward sweep, in decreasing order: a node pulls from the higher nodes (every node,
    # or only the selected ones).
    tous = selection.shape[0] == 0
    for j in range(n - 1 if tous else selection.shape[0] - 1, -1, -1):
        v = j if tous else selection[j]
        d = dist[v]
        e = etiquettes[v]
        for a in range(tire_indptr[v], tire_indptr[v + 1]):
            u = tire_cib[a]
            nd = dist[u] + tire_poids[a]
            if nd < d:
                d = nd
                e = etiquettes[u]
        if d <= coupure:
            dist[v] = d
            etiquettes[v] = e
        else:
            dist[v] = INF
            etiquettes[v] = -1


@_compiler(parallel=True)
def _lignes_phast(  # type: ignore[no-untyped-def]
    h_indptr, h_cib, h_poids, b_indptr, b_cib, b_poids, origines, coupure, selection,
    colonnes, echelle, sortie, fils,
):  # fmt: skip
    """One-to-all PHAST per origin, in parallel: upward search, then downward sweep.

    ``h_*`` are the arcs up in the search direction, ``b_*`` the arcs from higher nodes
    (``haut``, ``bas`` forward; ``bas``, ``haut`` on the reverse graph). ``selection``
    (increasing internal numbers, closed under pulls; empty: every node) restricts the
    sweep; ``colonnes[j]`` is the internal node of output column ``j``.
    """
    n = h_indptr.shape[0] - 1
    dist = np.full((fils, n), INF, dtype=np.int64)
    touches = np.empty((fils, n), dtype=np.int32)
    cap = h_cib.shape[0] + b_cib.shape[0] + 16
    t_cles = np.empty((fils, cap), dtype=np.int64)
    t_noeuds = np.empty((fils, cap), dtype=np.int32)
    e_noeuds = np.empty((fils, n), dtype=np.int32)
    e_temps = np.empty((fils, n), dtype=np.int64)
    tout = selection.shape[0] == 0
    m = n if tout else selection.shape[0]
    for i in numba.prange(origines.shape[0]):
        f = numba.get_thread_id()
        k = _montee(
            h_indptr, h_cib, h_poids, b_indptr, b_cib, b_poids, origines[i], coupure,
            dist[f], touches[f], t_cles[f], t_noeuds[f], e_noeuds[f], e_temps[f],
        )  # fmt: skip
        d_f = dist[f]
        for j in range(k):
            d_f[e_noeuds[f, j]] = e_temps[f, j]
        for r in range(m - 1, -1, -1):
            v = r if tout else selection[r]
            d = d_f[v]
            for a in range(b_indptr[v], b_indptr[v + 1]):
                nd = d_f[b_cib[a]] + b_poids[a]
                if nd < d:
                    d = nd
            d_f[v] = d
        for j in range(colonnes.shape[0]):
            d = d_f[colonnes[j]]
            if d <= coupure:
                sortie[i, j] = d * echelle
        # Clean: every node the sweep may have written.
        for r in range(m):
            d_f[r if tout else selection[r]] = INF
        for j in range(k):
            d_f[e_noeuds[f, j]] = INF


def lignes_phast(
    h_indptr: NDArray[np.int64],
    h_cib: NDArray[np.int32],
    h_poids: NDArray[np.int64],
    b_indptr: NDArray[np.int64],
    b_cib: NDArray[np.int32],
    b_poids: NDArray[np.int64],
    origines: NDArray[np.int64],
    destinations: NDArray[np.int64] | None,
    coupure: int,
    echelle: float,
    sortie: NDArray[np.float64],
) -> None:
    """Fill ``sortie`` (``inf``) with one PHAST per origin (internal numbers; ``None``: all
    nodes, columns in internal order). For many destinations, where buckets cost more.
    Pass ``bas`` as ``h_*`` and ``haut`` as ``b_*`` to search on the reverse graph."""
    n = h_indptr.shape[0] - 1
    if destinations is None:
        selection = np.empty(0, dtype=np.int32)
        colonnes = np.arange(n, dtype=np.int64)
    else:
        selection = selection_rphast(b_indptr, b_cib, destinations)
        if selection.shape[0] > n // 2:
            selection = np.empty(0, dtype=np.int32)
        colonnes = destinations
    with numba.parallel_chunksize(1):
        _lignes_phast(
            h_indptr, h_cib, h_poids, b_indptr, b_cib, b_poids, origines, coupure, selection,
            colonnes, echelle, sortie, numba.get_num_threads(),
        )  # fmt: skip


@_compiler()
def selection_rphast(tire_indptr, tire_cib, cibles):  # type: ignore[no-untyped-def]
    """The nodes the ``cibles`` depend on in the downward sweep, in increasing order.

    Every node a target pulls from, and so on up the hierarchy (RPHAST's restriction).
    """
    n = tire_indptr.shape[0] - 1
    vu = np.zeros(n, dtype=np.bool_)
    pile = np.empty(n, dtype=np.int32)
    haut = 0
    for c in cibles:
        if not vu[c]:
            vu[c] = True
            pile[haut] = c
            haut += 1
    k = 0
    while k < haut:
        v = pile[k]
        k += 1
        for a in range(tire_indptr[v], tire_indptr[v + 1]):
            u = tire_cib[a]
            if not vu[u]:
                vu[u] = True
                pile[haut] = u
                haut += 1
    return np.sort(pile[:haut])
