"""Numba kernels: one Dijkstra core and the drivers that call it.

The core, :func:`dijkstra`, is a label-setting search on CSR arrays with a 4-ary min-heap
and lazy insertion. It is parameterised, not copied:

* **sources**: one node or several at once, each with a label (the index the caller wants
  back) and a start time;
* **k**: how many distinct labels each node keeps (k = 1: the shortest time and which
  source gave it; k > 1: the k nearest sources);
* **cut-off**: nodes farther than ``coupure`` seconds stay unreached;
* **targets**: optional early stop once every marked node is settled;
* **direction**: the caller passes the forward arrays of :class:`reseau.Graphe`
  (``indptr, indices, temps_s``) or the reverse ones (``*_inv``).

Work arrays are given by the caller and reused between searches. They must be *clean* on
entry (``dist = inf``, ``compte = 0``); the search lists every node it writes in
``touches`` so that :func:`nettoyer` resets only those: no O(n) reset per search, which
matters for short cut-offs on big graphs.

The drivers run many searches in parallel (``numba.prange`` over origins, one row of work
arrays per thread, picked with ``numba.get_thread_id()``) or one multi-source search.

Times are accumulated in float64 from float32 arc times, like
``scipy.sparse.csgraph.dijkstra``. Every function is compiled with ``cache=True``
(machine code kept in ``__pycache__`` next to this file, or in numba's user-wide cache
when that folder is read-only); when no cache folder is writable at all, the kernels
compile in memory at first use instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = [
    "EspaceTravail",
    "dijkstra",
    "matrice_dense",
    "matrice_longue",
    "nettoyer",
    "plus_proches",
]

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

#: Initial heap capacity of the per-thread work arrays (it grows if a search needs more).
_CAPACITE_TAS = 1 << 16


#: Kernels compiled without an on-disk cache (no writable cache folder).
_SANS_CACHE: list[str] = []


def _compiler(**options: Any) -> Callable[[F], F]:
    """``numba.njit(cache=True, **options)``, without the cache when it cannot be stored.

    Numba refuses ``cache=True`` at decoration time when neither the source folder nor
    its user-wide cache folder is writable; the kernels then compile in memory.
    """

    def decorer(fonction: F) -> F:
        try:
            return numba.njit(cache=True, **options)(fonction)
        except RuntimeError as exc:  # "cannot cache function ...: no locator available"
            if not _SANS_CACHE:
                logger.info("Cache numba indisponible (%s) : compilation en mémoire.", exc)
            _SANS_CACHE.append(fonction.__name__)
            return numba.njit(cache=False, **options)(fonction)

    return decorer


# ----------------------------------------------------------------------------------------
# 4-ary min-heap on (key, payload), lazy insertion. The payload packs the node (low 32
# bits) and the label (high 32 bits) in one int64, so a move copies two words.


@_compiler(inline="always")
def _pousser(cles, charges, taille, cle, charge):  # type: ignore[no-untyped-def]
    """Insert ``(cle, charge)`` into a heap of ``taille`` entries (room must exist)."""
    i = taille
    while i > 0:
        parent = (i - 1) >> 2
        cp = cles[parent]
        if cp <= cle:
            break
        cles[i] = cp
        charges[i] = charges[parent]
        i = parent
    cles[i] = cle
    charges[i] = charge


@_compiler(inline="always")
def _retirer_sommet(cles, charges, taille):  # type: ignore[no-untyped-def]
    """Remove the root of a heap of ``taille`` entries (the caller reads it first)."""
    taille -= 1
    cle = cles[taille]
    charge = charges[taille]
    i = 0
    while True:
        c = 4 * i + 1
        if c + 3 < taille:
            # Full group of four children: pick the smallest with selects, not branches.
            a0 = cles[c]
            a1 = cles[c + 1]
            a2 = cles[c + 2]
            a3 = cles[c + 3]
            i01 = c if a0 <= a1 else c + 1
            m01 = a0 if a0 <= a1 else a1
            i23 = c + 2 if a2 <= a3 else c + 3
            m23 = a2 if a2 <= a3 else a3
            meilleur = i01 if m01 <= m23 else i23
            cm = m01 if m01 <= m23 else m23
        elif c < taille:
            meilleur = c
            cm = cles[c]
            for j in range(c + 1, taille):
                if cles[j] < cm:
                    cm = cles[j]
                    meilleur = j
        else:
            break
        if cm >= cle:
            break
        cles[i] = cm
        charges[i] = charges[meilleur]
        i = meilleur
    cles[i] = cle
    charges[i] = charge


@_compiler()
def _agrandir(tableau):  # type: ignore[no-untyped-def]
    nouveau = np.empty(2 * tableau.shape[0] + 16, dtype=tableau.dtype)
    nouveau[: tableau.shape[0]] = tableau
    return nouveau


# ----------------------------------------------------------------------------------------
# The core.


@_compiler()
def dijkstra(  # type: ignore[no-untyped-def]
    indptr,
    indices,
    poids,
    departs,
    etiquettes_depart,
    temps_depart,
    coupure,
    k,
    cibles,
    n_cibles,
    dist,
    etiquettes,
    compte,
    touches,
    tas_cles,
    tas_charges,
):
    """Label-setting search from one or several sources; return the number of touched nodes.

    Parameters
    ----------
    indptr, indices, poids
        CSR arrays (int64, int32, float32) of the forward or the reverse graph.
    departs, etiquettes_depart, temps_depart
        Start nodes (int64), their labels (int64, 0 <= label < 2**31) and start times
        (float64, >= 0).
    coupure
        Cut-off in seconds (``inf``: none); nodes beyond it stay unreached.
    k
        Distinct labels kept per node (>= 1).
    cibles, n_cibles
        Early stop: ``cibles[v] >= 0`` marks a target node; the search stops once
        ``n_cibles`` targets are settled. ``n_cibles = 0`` disables it (``cibles`` may then
        be empty). Only meaningful for k = 1.
    dist
        Output, size ``n * k``, ``inf`` on entry. Node ``v``'s ``j``-th nearest label is at
        ``dist[v * k + j]`` seconds. For k = 1 it also holds tentative times: after an
        early stop only the targets are final; otherwise every touched node is final.
    etiquettes
        Output, size ``n * k``: the labels (or empty when the caller does not want them).
    compte
        Size n, 0 on entry, for k > 1 only (empty for k = 1): number of labels settled at
        each node, the valid slots of ``dist`` and ``etiquettes``.
    touches
        Output, size >= n: the nodes written, ``touches[:returned]``, to read the results
        and reset with :func:`nettoyer`.
    tas_cles, tas_charges
        Heap storage (float64, int64); grown locally when too small.
    """
    inf = np.inf
    avec_etiquettes = etiquettes.shape[0] > 0
    taille = 0
    n_touches = 0
    restant = n_cibles
    for s in range(departs.shape[0]):
        v = departs[s]
        d0 = temps_depart[s]
        if not d0 <= coupure:
            continue
        if k == 1:
            if d0 >= dist[v]:
                continue
            if dist[v] == inf:
                touches[n_touches] = v
                n_touches += 1
            dist[v] = d0
        if taille == tas_cles.shape[0]:
            tas_cles = _agrandir(tas_cles)
            tas_charges = _agrandir(tas_charges)
        _pousser(tas_cles, tas_charges, taille, d0, (etiquettes_depart[s] << 32) | v)
        taille += 1

    while taille > 0:
        d = tas_cles[0]
        charge = tas_charges[0]
        _retirer_sommet(tas_cles, tas_charges, taille)
        taille -= 1
        v = charge & 0xFFFFFFFF
        e = charge >> 32
        if k == 1:
            # Entries of one node are pushed with strictly decreasing keys: only the one
            # equal to dist[v] is current, the others are stale.
            if d > dist[v]:
                continue
            if avec_etiquettes:
                etiquettes[v] = e
            if restant > 0 and cibles[v] >= 0:
                restant -= 1
                if restant == 0:
                    break
        else:
            c = compte[v]
            if c >= k:
                continue
            deja = False
            for j in range(v * k, v * k + c):
                if etiquettes[j] == e:
                    deja = True
                    break
            if deja:
                continue
            if c == 0:
                touches[n_touches] = v
                n_touches += 1
            dist[v * k + c] = d
            etiquettes[v * k + c] = e
            compte[v] = c + 1
        haut = e << 32
        for a in range(indptr[v], indptr[v + 1]):
            u = indices[a]
            nd = d + poids[a]
            if not nd <= coupure:
                continue
            if k == 1:
                # A settled u has dist[u] <= d <= nd: this test skips it too.
                if nd >= dist[u]:
                    continue
                if dist[u] == inf:
                    touches[n_touches] = u
                    n_touches += 1
                dist[u] = nd
            else:
                cu = compte[u]
                if cu >= k:
                    continue
                deja = False
                for j in range(u * k, u * k + cu):
                    if etiquettes[j] == e:
                        deja = True
                        break
                if deja:
                    continue
            if taille == tas_cles.shape[0]:
                tas_cles = _agrandir(tas_cles)
                tas_charges = _agrandir(tas_charges)
            _pousser(tas_cles, tas_charges, taille, nd, haut | u)
            taille += 1
    return n_touches


@_compiler()
def nettoyer(dist, compte, touches, n_touches, k):  # type: ignore[no-untyped-def]
    """Put the work arrays of the touched nodes back in their clean state."""
    for j in range(n_touches):
        v = touches[j]
        if compte.shape[0] > 0:
            compte[v] = 0
        for i in range(v * k, v * k + k):
            dist[i] = np.inf


# ----------------------------------------------------------------------------------------
# Drivers.


class EspaceTravail:
    """Per-thread work arrays of single-label searches (k = 1), reused across calls.

    One row per numba thread: ``dist`` (inf), ``touches`` and the heap. About
    ``12 × n`` bytes per thread plus a heap of 16 bytes per entry (grows when needed).
    """

    def __init__(self, n_noeuds: int, n_fils: int | None = None) -> None:
        t = int(n_fils if n_fils is not None else numba.get_num_threads())
        n = int(n_noeuds)
        capacite = min(n, _CAPACITE_TAS) + 16
        self.n_fils = t
        self.dist: NDArray[np.float64] = np.full((t, n), np.inf)
        self.touches: NDArray[np.int32] = np.zeros((t, n), dtype=np.int32)
        self.tas_cles: NDArray[np.float64] = np.zeros((t, capacite), dtype=np.float64)
        self.tas_charges: NDArray[np.int64] = np.zeros((t, capacite), dtype=np.int64)


@_compiler(parallel=True)
def matrice_dense(  # type: ignore[no-untyped-def]
    indptr,
    indices,
    poids,
    origines,
    coupure,
    colonnes,
    cibles,
    sortie,
    dist,
    touches,
    tas_cles,
    tas_charges,
):
    """Fill ``sortie[i, j]`` with the time from ``origines[i]`` to ``cibles[j]``.

    ``cibles`` are distinct nodes and ``colonnes[cibles[j]] == j`` (-1 elsewhere); the
    search from an origin stops once they are all settled. Empty ``cibles`` and
    ``colonnes`` mean every node (column = node). ``sortie`` must hold ``inf``. Work
    arrays: one row per thread (:class:`EspaceTravail`).
    """
    zero = np.zeros(1)
    etiquette = np.zeros(1, dtype=np.int64)
    sans_etiquettes = np.empty(0, dtype=np.int64)
    sans_compte = np.empty(0, dtype=np.int32)
    tous = cibles.shape[0] == 0
    for i in numba.prange(origines.shape[0]):
        f = numba.get_thread_id()
        nt = dijkstra(
            indptr,
            indices,
            poids,
            origines[i : i + 1],
            etiquette,
            zero,
            coupure,
            1,
            colonnes,
            cibles.shape[0],
            dist[f],
            sans_etiquettes,
            sans_compte,
            touches[f],
            tas_cles[f],
            tas_charges[f],
        )
        if tous:
            for j in range(nt):
                v = touches[f, j]
                sortie[i, v] = dist[f, v]
        else:
            # Targets are settled (early stop) or every touched node is (no early stop).
            for j in range(cibles.shape[0]):
                sortie[i, j] = dist[f, cibles[j]]
        nettoyer(dist[f], sans_compte, touches[f], nt, 1)


@_compiler(parallel=True)
def matrice_longue(  # type: ignore[no-untyped-def]
    indptr,
    indices,
    poids,
    origines,
    coupure,
    colonnes,
    cibles,
    capacite,
    sortie_colonnes,
    sortie_temps,
    n_resultats,
    dist,
    touches,
    tas_cles,
    tas_charges,
):
    """Like :func:`matrice_dense`, writing only the reached (origin, column) pairs.

    Origin ``i`` writes its pairs at ``sortie_*[i * capacite :]`` and their number in
    ``n_resultats[i]``. When it reaches more than ``capacite`` columns, nothing is written
    and ``n_resultats[i]`` holds the room needed (> ``capacite``): the caller runs that
    origin again with more room.
    """
    zero = np.zeros(1)
    etiquette = np.zeros(1, dtype=np.int64)
    sans_etiquettes = np.empty(0, dtype=np.int64)
    sans_compte = np.empty(0, dtype=np.int32)
    tous = cibles.shape[0] == 0
    for i in numba.prange(origines.shape[0]):
        f = numba.get_thread_id()
        nt = dijkstra(
            indptr,
            indices,
            poids,
            origines[i : i + 1],
            etiquette,
            zero,
            coupure,
            1,
            colonnes,
            cibles.shape[0],
            dist[f],
            sans_etiquettes,
            sans_compte,
            touches[f],
            tas_cles[f],
            tas_charges[f],
        )
        r = 0
        if tous:
            r = nt
        else:
            for j in range(cibles.shape[0]):
                if dist[f, cibles[j]] < np.inf:
                    r += 1
        n_resultats[i] = r
        if r <= capacite:
            p = i * capacite
            if tous:
                for j in range(nt):
                    v = touches[f, j]
                    sortie_colonnes[p] = v
                    sortie_temps[p] = dist[f, v]
                    p += 1
            else:
                for j in range(cibles.shape[0]):
                    t = dist[f, cibles[j]]
                    if t < np.inf:
                        sortie_colonnes[p] = j
                        sortie_temps[p] = t
                        p += 1
        nettoyer(dist[f], sans_compte, touches[f], nt, 1)


@_compiler()
def plus_proches(  # type: ignore[no-untyped-def]
    indptr, indices, poids, departs, etiquettes_depart, temps_depart, coupure, k
):
    """Run one multi-source search; return ``(dist, etiquettes)``, both of shape (n, k).

    Row ``v`` lists the ``k`` nearest distinct labels of node ``v`` by increasing time,
    padded with ``inf`` and -1.
    """
    n = indptr.shape[0] - 1
    dist = np.full(n * k, np.inf)
    etiquettes = np.full(n * k, -1, dtype=np.int64)
    compte = np.zeros(n if k > 1 else 0, dtype=np.int32)
    touches = np.empty(n, dtype=np.int32)
    capacite = min(k * n, _CAPACITE_TAS) + departs.shape[0] + 16
    tas_cles = np.empty(capacite, dtype=np.float64)
    tas_charges = np.empty(capacite, dtype=np.int64)
    vide = np.empty(0, dtype=np.int32)
    dijkstra(
        indptr,
        indices,
        poids,
        departs,
        etiquettes_depart,
        temps_depart,
        coupure,
        k,
        vide,
        0,
        dist,
        etiquettes,
        compte,
        touches,
        tas_cles,
        tas_charges,
    )
    return dist.reshape((n, k)), etiquettes.reshape((n, k))
