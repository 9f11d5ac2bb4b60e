"""Numba kernels: one shortest-path core and the drivers that call it.

The core, :func:`dijkstra`, is Dijkstra's search on CSR arrays with a bucket queue (Dial's
algorithm with buckets ``pas`` seconds wide, in a circular array). Buckets are taken in
time order; inside the current bucket nodes are taken first in, first out and a node
improved again within its bucket is simply taken again (label correction), so every
time is exact when the search ends: the queue only decides the order of work. With
``pas`` below most arc times (the caller picks it from the graph) re-takes are rare
(fewer than 1 node in 1,000 on real OSM graphs) and a push or a pop costs O(1) instead
of a heap's O(log n): about 1.3 times faster than a 4-ary heap here, twice as fast as
scipy's Fibonacci heap (benchmarks/RESULTS.md).

The core is parameterised, not copied:

* **sources**: one node or several at once, each with a label (the index the caller wants
  back) and a start time;
* **k**: how many distinct labels each node keeps (k = 1: the shortest time and which
  source gave it; k > 1: the k nearest sources);
* **cut-off**: nodes farther than ``coupure`` seconds stay unreached;
* **targets**: optional early stop once every marked node is final;
* **direction**: the caller passes the forward arrays of :class:`reseau.Graphe`
  (``indptr, indices, temps_s``) or the reverse ones (``*_inv``).

Work arrays are given by the caller and reused between searches. They must be *clean* on
entry (``dist = inf``, ``compte = 0``, every bucket empty); the search lists every node it
writes in ``touches`` so that :func:`nettoyer` resets only those: no O(n) reset per
search, which matters for short cut-offs on big graphs.

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
import os
from collections.abc import Callable
from typing import Any, TypeVar

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = [
    "EspaceTravail",
    "chercher",
    "dijkstra",
    "matrice",
    "nettoyer",
    "pas_seaux",
    "plus_proches",
]

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

#: Most entries of the queue's initial pool (a search that needs more runs again).
_CAPACITE_FILE = 1 << 20
#: Most buckets in the circular array (bounds its memory; wider buckets beyond that).
_SEAUX_MAX = 1 << 20


#: Kernels compiled without an on-disk cache (no writable cache folder).
_SANS_CACHE: list[str] = []
#: Every kernel, to tell whether the first call will compile (:func:`a_compiler`).
_NOYAUX: list[Any] = []


def a_compiler() -> bool:
    """Whether a kernel has neither machine code in memory nor in numba's on-disk cache,
    so that the next computation starts by compiling it (about half a minute, once)."""
    for noyau in _NOYAUX:
        signatures = getattr(noyau, "signatures", None)
        if signatures is None or signatures:
            # NUMBA_DISABLE_JIT (plain Python, nothing to compile), or already compiled
            # (or loaded) in this process
            continue
        # numba's private API (best effort): the index of the on-disk cache, named after
        # the function and its line, so an edited source compiles again
        fichier = getattr(getattr(noyau, "_cache", None), "_cache_file", None)
        index = getattr(fichier, "_index_path", None)
        if index is None or not os.path.exists(index):
            return True
    return False


def compiler(*, suivre: bool = True, **options: Any) -> Callable[[F], F]:
    """``numba.njit(cache=True, **options)``, without the cache when it cannot be stored.

    Numba refuses ``cache=True`` at decoration time when neither the source folder nor
    its user-wide cache folder is writable; the kernels then compile in memory.
    ``suivre``: count the kernel in :func:`a_compiler` (the kernels every computation
    uses; the contraction hierarchy's are not).
    """

    def decorer(fonction: F) -> F:
        try:
            noyau = numba.njit(cache=True, **options)(fonction)
        except RuntimeError as exc:  # "cannot cache function ...: no locator available"
            if not _SANS_CACHE:
                logger.info("Cache numba indisponible (%s) : compilation en mémoire.", exc)
            _SANS_CACHE.append(fonction.__name__)
            noyau = numba.njit(cache=False, **options)(fonction)
        if suivre and options.get("inline") != "always":
            _NOYAUX.append(noyau)
        return noyau

    return decorer


# ----------------------------------------------------------------------------------------
# Bucket queue: entry ``e`` of a pool holds a key (seconds), a payload (node in the low
# 32 bits, label in the high 32 bits) and the next entry of its bucket; ``tete[b]`` and
# ``queue[b]`` are the first and last entries of bucket slot ``b`` (-1: empty).


def pas_seaux(poids: NDArray[np.float32], etendue_s: float) -> tuple[float, int]:
    """Choose the bucket width (seconds) and the number of bucket slots for a search.

    The width is the first decile of the positive arc times (few arcs shorter than a
    bucket: few re-takes), widened if needed so that the slots cover ``etendue_s`` (the
    longest arc plus the spread of the start times: every pending key lies within that
    of the current bucket) with at most ``_SEAUX_MAX`` slots (a power of two).
    """
    echantillon = poids[:: max(1, poids.shape[0] // 65536)]
    positifs = echantillon[(echantillon > 0) & np.isfinite(echantillon)]
    pas = float(np.quantile(positifs, 0.1)) if positifs.size else 1.0
    etendue = max(float(etendue_s), 0.0)
    pas = max(pas, etendue / (_SEAUX_MAX - 4), 1e-6)
    # A power of two, so that the slot of a bucket is a mask, not a division.
    n_seaux = 1
    while n_seaux < int(etendue / pas) + 2:
        n_seaux *= 2
    return pas, n_seaux


@compiler(inline="always")
def _deposer(tete, queue, p_cle, p_charge, p_suiv, libre, haut, seau, cle, charge):  # type: ignore[no-untyped-def]
    """Append an entry to bucket slot ``seau``; return the pool's ``(libre, haut)``.

    The caller makes sure the pool has room (see :func:`dijkstra`): growing it here would
    cost reference counting on every push.
    """
    if libre >= 0:
        e = libre
        libre = p_suiv[e]
    else:
        e = haut
        haut += 1
    p_cle[e] = cle
    p_charge[e] = charge
    p_suiv[e] = -1
    if tete[seau] < 0:
        tete[seau] = e
    else:
        p_suiv[queue[seau]] = e
    queue[seau] = e
    return libre, haut


@compiler(inline="always")
def _offrir(dist, etiquettes, compte, touches, n_touches, k, u, e, nd):  # type: ignore[no-untyped-def]
    """Offer time ``nd`` with label ``e`` to node ``u``; return (kept?, n_touches).

    k = 1: kept when it improves ``dist[u]``. k > 1: kept when it improves label ``e``'s
    slot at ``u``, or fills a free slot, or beats the worst of the ``k`` slots (which it
    replaces).
    """
    if k == 1:
        if nd >= dist[u]:
            return False, n_touches
        if dist[u] == np.inf:
            touches[n_touches] = u
            n_touches += 1
        dist[u] = nd
        if etiquettes.shape[0] > 0:
            etiquettes[u] = e
        return True, n_touches
    base = u * k
    c = compte[u]
    pire = base
    for j in range(base, base + c):
        if etiquettes[j] == e:
            if nd < dist[j]:
                dist[j] = nd
                return True, n_touches
            return False, n_touches
        if dist[j] > dist[pire]:
            pire = j
    if c < k:
        if c == 0:
            touches[n_touches] = u
            n_touches += 1
        dist[base + c] = nd
        etiquettes[base + c] = e
        compte[u] = c + 1
        return True, n_touches
    if nd < dist[pire]:
        dist[pire] = nd
        etiquettes[pire] = e
        return True, n_touches
    return False, n_touches


# ----------------------------------------------------------------------------------------
# The core.


@compiler()
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
    pas,
    tete,
    queue,
    p_cle,
    p_charge,
    p_suiv,
):
    """Search from one or several sources at once; return the number of touched nodes.

    Returns ``-t - 1`` instead when the entry pool is too small, ``t`` nodes having been
    touched: clean them and run again with a bigger pool (:func:`chercher` does).

    Parameters
    ----------
    indptr, indices, poids
        CSR arrays (int64, int32, float32) of the forward or the reverse graph.
    departs, etiquettes_depart, temps_depart
        Start nodes (int64), their labels (int64, 0 <= label < 2**31) and start times
        (float64, >= 0; their spread must be within the buckets' reach, see
        :func:`pas_seaux`).
    coupure
        Cut-off in seconds (``inf``: none); nodes beyond it stay unreached.
    k
        Distinct labels kept per node (>= 1).
    cibles, n_cibles
        Early stop (k = 1): ``cibles[v] >= 0`` marks a target node; the search stops once
        the ``n_cibles`` targets are final. ``n_cibles = 0`` disables it (``cibles`` may
        then be empty).
    dist
        Output, size ``n * k``, ``inf`` on entry. k = 1: ``dist[v]`` is the time of node
        ``v``; after an early stop only the targets are sure to be final. k > 1: slots
        ``dist[v * k : v * k + compte[v]]`` hold the times of node ``v``'s nearest labels,
        in no particular order.
    etiquettes
        Output, size ``n * k``: the label of each time (may be empty when k = 1 and the
        caller does not want labels).
    compte
        Size n, 0 on entry, k > 1 only (empty for k = 1): filled slots per node.
    touches
        Output, size >= n: the nodes written, ``touches[:returned]``, to read the results
        and reset with :func:`nettoyer`.
    pas, tete, queue
        Bucket width (seconds) and the bucket slots (int64, -1 on entry and on return);
        ``tete.shape[0]`` slots, a power of two, must cover the longest arc plus the
        spread of the start times (:func:`pas_seaux`).
    p_cle, p_charge, p_suiv
        Entry pool (float64, int64, int64).
    """
    n_seaux = tete.shape[0]
    masque = n_seaux - 1  # n_seaux is a power of two
    capacite = p_cle.shape[0]
    avec_etiquettes = etiquettes.shape[0] > 0
    inv = 1.0 / pas
    libre = -1
    haut = 0
    en_file = 0
    n_touches = 0
    restant = n_cibles
    borne = 0.0  # largest time of a target when first reached (an upper bound after)
    # Bucket numbers count from the earliest start, so that they stay small.
    base = np.inf
    for s in range(departs.shape[0]):
        if temps_depart[s] < base:
            base = temps_depart[s]
    if departs.shape[0] > capacite:
        return -1  # pool too small: see chercher()
    for s in range(departs.shape[0]):
        v = departs[s]
        d0 = temps_depart[s]
        if not d0 <= coupure:
            continue
        e = etiquettes_depart[s]
        deja = k == 1 and dist[v] < np.inf
        garde, n_touches = _offrir(dist, etiquettes, compte, touches, n_touches, k, v, e, d0)
        if garde:
            libre, haut = _deposer(
                tete,
                queue,
                p_cle,
                p_charge,
                p_suiv,
                libre,
                haut,
                int((d0 - base) * inv) & masque,
                d0,
                (e << 32) | v,
            )
            en_file += 1
            if restant > 0 and not deja and cibles[v] >= 0:
                restant -= 1
                borne = max(borne, d0)

    courant = 0
    while en_file > 0:
        b = courant & masque
        ent = tete[b]
        if ent < 0:
            # Bucket done: every time below its end is final.
            if n_cibles > 0 and restant == 0 and courant >= int((borne - base) * inv):
                break
            courant += 1
            continue
        tete[b] = p_suiv[ent]
        d = p_cle[ent]
        charge = p_charge[ent]
        p_suiv[ent] = libre
        libre = ent
        en_file -= 1
        v = charge & 0xFFFFFFFF
        e = charge >> 32
        # Skip stale entries: the node (or its label's slot) has a better time since.
        if k == 1:
            if d > dist[v]:
                continue
        else:
            a_jour = False
            for j in range(v * k, v * k + compte[v]):
                if etiquettes[j] == e:
                    a_jour = dist[j] == d
                    break
            if not a_jour:
                continue
        haut_e = e << 32
        # Room for one new entry per arc (the free list may have more); else give up and
        # let chercher() run again with a bigger pool (growing here would slow every push).
        if haut + (indptr[v + 1] - indptr[v]) > capacite:
            for b in range(n_seaux):
                tete[b] = -1
            return -n_touches - 1
        for a in range(indptr[v], indptr[v + 1]):
            u = indices[a]
            nd = d + poids[a]
            if not nd <= coupure:
                continue
            deja = False
            if k == 1:  # inlined by hand: this is the hot path
                if nd >= dist[u]:
                    continue
                if dist[u] == np.inf:
                    touches[n_touches] = u
                    n_touches += 1
                else:
                    deja = True
                dist[u] = nd
                if avec_etiquettes:
                    etiquettes[u] = e
            else:
                garde, n_touches = _offrir(
                    dist, etiquettes, compte, touches, n_touches, k, u, e, nd
                )
                if not garde:
                    continue
            libre, haut = _deposer(
                tete,
                queue,
                p_cle,
                p_charge,
                p_suiv,
                libre,
                haut,
                int((nd - base) * inv) & masque,
                nd,
                haut_e | u,
            )
            en_file += 1
            if restant > 0 and not deja and cibles[u] >= 0:
                restant -= 1
                borne = max(borne, nd)
    if en_file > 0:  # early stop: empty the buckets left
        for b in range(n_seaux):
            tete[b] = -1
    return n_touches


@compiler()
def chercher(  # type: ignore[no-untyped-def]
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
    pas,
    tete,
    queue,
    p_cle,
    p_charge,
    p_suiv,
):
    """:func:`dijkstra`, run again with a pool twice as big as long as it is too small.

    The bigger pools are local to this call (the caller's stay as they are): a search
    that outgrows the pool is rare, the pool starts with one entry per node.
    """
    while True:
        nt = dijkstra(
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
            pas,
            tete,
            queue,
            p_cle,
            p_charge,
            p_suiv,
        )
        if nt >= 0:
            return nt
        nettoyer(dist, compte, touches, -nt - 1, k)
        taille = 2 * p_cle.shape[0] + 1024
        p_cle = np.empty(taille, dtype=np.float64)
        p_charge = np.empty(taille, dtype=np.int64)
        p_suiv = np.empty(taille, dtype=np.int64)


@compiler()
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

    One row per numba thread: ``dist`` (inf), ``touches``, the bucket slots (-1) and the
    entry pool (grows when needed). About ``12 × n`` bytes per thread, plus the pool.
    """

    def __init__(self, n_noeuds: int, n_seaux: int, n_fils: int | None = None) -> None:
        t = int(n_fils if n_fils is not None else numba.get_num_threads())
        n = int(n_noeuds)
        capacite = min(n, _CAPACITE_FILE) + 1024
        self.n_fils = t
        self.dist: NDArray[np.float64] = np.full((t, n), np.inf)
        self.touches: NDArray[np.int32] = np.zeros((t, n), dtype=np.int32)
        self.tete: NDArray[np.int64] = np.full((t, n_seaux), -1, dtype=np.int64)
        self.queue: NDArray[np.int64] = np.full((t, n_seaux), -1, dtype=np.int64)
        self.p_cle: NDArray[np.float64] = np.zeros((t, capacite), dtype=np.float64)
        self.p_charge: NDArray[np.int64] = np.zeros((t, capacite), dtype=np.int64)
        self.p_suiv: NDArray[np.int64] = np.zeros((t, capacite), dtype=np.int64)


@compiler(parallel=True)
def matrice(  # type: ignore[no-untyped-def]
    indptr,
    indices,
    poids,
    origines,
    coupure,
    colonnes,
    cibles,
    dense,
    sortie,
    capacite,
    sortie_colonnes,
    sortie_temps,
    n_resultats,
    dist,
    touches,
    pas,
    tete,
    queue,
    p_cle,
    p_charge,
    p_suiv,
):
    """One search per origin, in parallel, written densely or as reached pairs.

    ``cibles`` are distinct nodes and ``colonnes[cibles[j]] == j`` (-1 elsewhere); the
    search from an origin stops once they are all settled. Empty ``cibles`` and
    ``colonnes`` mean every node (column = node). Work arrays: one row per thread
    (:class:`EspaceTravail`).

    * ``dense``: fill ``sortie[i, j]`` (which must hold ``inf``) with the time from
      ``origines[i]`` to column ``j``; the pair outputs are not used.
    * otherwise: origin ``i`` writes its reached pairs at ``sortie_*[i * capacite :]`` and
      their number in ``n_resultats[i]``. When it reaches more than ``capacite`` columns,
      nothing is written and ``n_resultats[i]`` holds the room needed (> ``capacite``):
      the caller runs that origin again with more room. ``sortie`` is not used.
    """
    zero = np.zeros(1)
    etiquette = np.zeros(1, dtype=np.int64)
    sans_etiquettes = np.empty(0, dtype=np.int64)
    sans_compte = np.empty(0, dtype=np.int32)
    tous = cibles.shape[0] == 0
    for i in numba.prange(origines.shape[0]):
        f = numba.get_thread_id()
        nt = chercher(
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
            pas,
            tete[f],
            queue[f],
            p_cle[f],
            p_charge[f],
            p_suiv[f],
        )
        if dense:
            if tous:
                for j in range(nt):
                    v = touches[f, j]
                    sortie[i, v] = dist[f, v]
            else:
                # Targets are settled (early stop) or every touched node is (no early stop).
                for j in range(cibles.shape[0]):
                    sortie[i, j] = dist[f, cibles[j]]
        else:
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


@compiler()
def plus_proches(  # type: ignore[no-untyped-def]
    indptr, indices, poids, departs, etiquettes_depart, temps_depart, coupure, k, pas, n_seaux
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
    capacite = min(k * n, _CAPACITE_FILE) + departs.shape[0] + 1024
    tete = np.full(n_seaux, -1, dtype=np.int64)
    queue = np.full(n_seaux, -1, dtype=np.int64)
    vide = np.empty(0, dtype=np.int32)
    nt = chercher(
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
        pas,
        tete,
        queue,
        np.empty(capacite, dtype=np.float64),
        np.empty(capacite, dtype=np.int64),
        np.empty(capacite, dtype=np.int64),
    )
    if k > 1:
        # Sort each node's slots by time (insertion sort: k is small).
        for j in range(nt):
            base = touches[j] * k
            for a in range(base + 1, base + k):
                t = dist[a]
                e = etiquettes[a]
                b = a - 1
                while b >= base and dist[b] > t:
                    dist[b + 1] = dist[b]
                    etiquettes[b + 1] = etiquettes[b]
                    b -= 1
                dist[b + 1] = t
                etiquettes[b + 1] = e
    return dist.reshape((n, k)), etiquettes.reshape((n, k))
