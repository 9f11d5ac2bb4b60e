"""Travel times on a road graph: matrices and nearest sources (Numba kernels).

Four functions, all in seconds, all on a :class:`reseau.Graphe`:

* :func:`matrice_temps`: the dense origins × destinations matrix (``inf``: unreachable
  or beyond the cut-off);
* :func:`matrice_temps_blocs`: the same, one block of origins at a time, so that a
  France-sized job never holds the whole matrix;
* :func:`matrice_temps_longue`: only the reached pairs, as three arrays (origin,
  destination, seconds), for cut-off queries;
* :func:`plus_proche`: one multi-source search from all the sources at once, giving every
  node its time to the nearest source (or its k nearest) and which one.

Inputs are checked here, before any kernel runs; the kernels are in
:mod:`accessibilite.noyau._dijkstra`. Searches from many origins run in parallel on all numba
threads (``numba.set_num_threads`` limits them).

:func:`matrice_temps` and :func:`plus_proche` take ``methode="auto" | "dijkstra" | "ch"``:
``"ch"`` answers with the graph's contraction hierarchy (:mod:`accessibilite.noyau.hierarchie`,
same float64 results), built if needed; ``"auto"`` uses it when one is at hand, or, for a
matrix, when the searches would cost more than building it (:func:`hierarchie.choisir`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from accessibilite.noyau import _dijkstra
from accessibilite.noyau._entrees import verifier_coupure, verifier_noeuds
from reseau.graphe import Graphe
from socle.erreurs import DonneesInvalides
from socle.progression import annoncer

if TYPE_CHECKING:
    from accessibilite.noyau.hierarchie import Hierarchie

__all__ = [
    "matrice_temps",
    "matrice_temps_blocs",
    "matrice_temps_longue",
    "plus_proche",
    "verifier_coupure",
    "verifier_noeuds",
]

logger = logging.getLogger(__name__)

#: Default memory budget of one block of results (bytes).
OCTETS_BLOC = 256 * 1024**2

Methode = Literal["auto", "dijkstra", "ch"]


@dataclass(frozen=True)
class _Csr:
    """The routing arrays of one direction, checked and in the kernels' dtypes."""

    indptr: NDArray[np.int64]
    indices: NDArray[np.int32]
    poids: NDArray[np.float32]
    poids_max: float

    @property
    def n(self) -> int:
        return int(self.indptr.shape[0] - 1)

    def seaux(self, coupure: float, etalement_departs: float = 0.0) -> tuple[float, int]:
        """Bucket width and slot count of the kernels' queue for a search on this graph.

        Pending times lie within the longest arc (plus the spread of the start times) of
        the current bucket, and below the cut-off.
        """
        etendue = min(self.poids_max + etalement_departs, coupure)
        return _dijkstra.pas_seaux(self.poids, etendue)


#: The compilation was announced in this process (once is enough).
_COMPILATION_ANNONCEE: list[bool] = []


def _annoncer_compilation() -> None:
    """Say it when the kernels are about to be compiled (first run on a machine)."""
    if not _COMPILATION_ANNONCEE and _dijkstra.a_compiler():
        _COMPILATION_ANNONCEE.append(True)
        annoncer(
            "compilation du noyau de calcul (Numba) : une seule fois sur cette machine, "
            "jusqu'à une minute ; les calculs suivants la réutilisent"
        )


def _csr(graphe: Graphe, inverse: bool) -> _Csr:
    """Return the checked CSR arrays of ``graphe`` (reverse ones when ``inverse``)."""
    _annoncer_compilation()
    if not isinstance(graphe, Graphe):
        raise DonneesInvalides(
            f"Graphe attendu (reseau.Graphe), reçu {type(graphe).__name__} : construisez-le "
            "avec Graphe.depuis_arcs ou les fonctions de reseau."
        )
    if inverse:
        brut = (graphe.indptr_inv, graphe.indices_inv, graphe.temps_s_inv)
    else:
        brut = (graphe.indptr, graphe.indices, graphe.temps_s)
    indptr = np.ascontiguousarray(brut[0], dtype=np.int64)
    indices = np.ascontiguousarray(brut[1], dtype=np.int32)
    poids = np.ascontiguousarray(brut[2], dtype=np.float32)
    sens = "inverse" if inverse else "direct"
    n = indptr.shape[0] - 1
    if (
        indptr.ndim != 1
        or n < 0
        or indptr[0] != 0
        or indptr[-1] != indices.shape[0]
        or indices.shape != poids.shape
        or (n > 0 and bool(np.any(np.diff(indptr) < 0)))
    ):
        raise DonneesInvalides(
            f"Graphe {sens} incohérent (indptr, indices et temps_s ne forment pas un CSR "
            "valide) : reconstruisez-le avec Graphe.depuis_arcs."
        )
    if indices.size:
        if int(indices.min()) < 0 or int(indices.max()) >= n:
            raise DonneesInvalides(
                f"Graphe {sens} incohérent : un arc mène à un nœud hors de 0..{n - 1}. "
                "Reconstruisez-le avec Graphe.depuis_arcs."
            )
        # min() is NaN as soon as one value is NaN: one pass catches NaN and negatives.
        if not float(poids.min()) >= 0.0:
            n_nan = int(np.isnan(poids).sum())
            n_neg = int((poids < 0).sum())
            raise DonneesInvalides(
                f"Temps d'arc invalides dans le graphe : {n_nan} NaN et {n_neg} négatifs. "
                "Les temps doivent être des secondes >= 0 : corrigez les vitesses ou les "
                "longueurs des tronçons avant de construire le graphe."
            )
    poids_max = float(poids.max()) if poids.size else 0.0
    if not np.isfinite(poids_max):  # infinite arcs are never taken
        finis = poids[np.isfinite(poids)]
        poids_max = float(finis.max()) if finis.size else 0.0
    return _Csr(indptr, indices, poids, poids_max)


@dataclass(frozen=True)
class _Colonnes:
    """Where each destination node goes in the output.

    ``noeuds``: the distinct destination nodes (empty: every node, column = node);
    ``par_noeud[v]``: column of node ``v`` among them (-1: not a destination).
    ``vers_position``: for each position of ``destinations`` as given, its distinct
    column (``None`` when there are no duplicates and columns are the positions).
    """

    noeuds: NDArray[np.int64]
    par_noeud: NDArray[np.int32]
    n_distinctes: int
    n_colonnes: int
    vers_position: NDArray[np.int64] | None


def _colonnes(destinations: NDArray[np.int64] | None, n: int) -> _Colonnes:
    if destinations is None:
        return _Colonnes(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32), n, n, None)
    distinctes, position = np.unique(destinations, return_inverse=True)
    par_noeud = np.full(n, -1, dtype=np.int32)
    if distinctes.size == destinations.size:
        par_noeud[destinations] = np.arange(destinations.size, dtype=np.int32)
        return _Colonnes(
            destinations, par_noeud, int(destinations.size), int(destinations.size), None
        )
    par_noeud[distinctes] = np.arange(distinctes.size, dtype=np.int32)
    return _Colonnes(
        distinctes.astype(np.int64),
        par_noeud,
        int(distinctes.size),
        int(destinations.size),
        position.astype(np.int64),
    )


def _lignes_par_bloc(n_colonnes: int, octets_par_valeur: int, taille_bloc: int | None) -> int:
    if taille_bloc is not None:
        if int(taille_bloc) < 1:
            raise DonneesInvalides(f"taille_bloc doit être >= 1 (reçu {taille_bloc}).")
        return int(taille_bloc)
    fils = numba.get_num_threads()
    lignes = OCTETS_BLOC // max(1, n_colonnes * octets_par_valeur)
    return int(max(fils, min(lignes, 4096)))


def matrice_temps_blocs(
    graphe: Graphe,
    origines: ArrayLike,
    destinations: ArrayLike | None = None,
    *,
    coupure_s: float | None = None,
    inverse: bool = False,
    taille_bloc: int | None = None,
) -> Iterator[tuple[int, NDArray[np.float64]]]:
    """Yield the travel-time matrix one block of origins at a time.

    Parameters
    ----------
    graphe
        The road graph.
    origines
        Node indices of the origins (int, 0..n-1).
    destinations
        Node indices of the destinations; ``None``: every node of the graph.
    coupure_s
        Cut-off in seconds: pairs farther apart are ``inf`` (and the searches stop there,
        which is much faster on big graphs).
    inverse
        Search on the reverse graph: the value at ``[i, j]`` is then the time *from*
        destination ``j`` *to* origin ``i``.
    taille_bloc
        Origins per block; by default as many as fit in about 256 MB of results (at least
        one per thread).

    Yields
    ------
    debut : int
        Position in ``origines`` of the block's first row.
    temps : numpy.ndarray
        float64 array (rows of the block × destinations), seconds, ``inf`` when
        unreachable or beyond the cut-off.

    Raises
    ------
    DonneesInvalides
        Invalid graph (negative or NaN times), node indices out of range, bad cut-off.
        Checked before the first block is computed.
    """
    csr = _csr(graphe, inverse)
    orig = verifier_noeuds(origines, csr.n, "origines")
    dest = None if destinations is None else verifier_noeuds(destinations, csr.n, "destinations")
    coupure = verifier_coupure(coupure_s)
    lignes = _lignes_par_bloc(csr.n if dest is None else int(dest.size), 8, taille_bloc)
    return _blocs(csr, orig, dest, coupure, lignes)


def _blocs(
    csr: _Csr,
    orig: NDArray[np.int64],
    dest: NDArray[np.int64] | None,
    coupure: float,
    lignes: int,
) -> Iterator[tuple[int, NDArray[np.float64]]]:
    colonnes = _colonnes(dest, csr.n)
    espace = _espace(csr, coupure)
    for debut in range(0, orig.size, lignes):
        bloc = np.full((min(lignes, orig.size - debut), colonnes.n_distinctes), np.inf)
        _remplir(csr, orig[debut : debut + lignes], colonnes, coupure, espace, bloc)
        if colonnes.vers_position is not None:
            bloc = bloc[:, colonnes.vers_position]
        yield debut, bloc


def _espace(csr: _Csr, coupure: float) -> tuple[_dijkstra.EspaceTravail, float]:
    """Per-thread work arrays and bucket width for single-source searches on ``csr``."""
    pas, n_seaux = csr.seaux(coupure)
    return _dijkstra.EspaceTravail(csr.n, n_seaux), pas


def _remplir(
    csr: _Csr,
    origines: NDArray[np.int64],
    colonnes: _Colonnes,
    coupure: float,
    espace: tuple[_dijkstra.EspaceTravail, float],
    sortie: NDArray[np.float64],
) -> None:
    """Write the times from ``origines`` to the distinct destinations into ``sortie`` (inf)."""
    if colonnes.n_distinctes == 0 or origines.size == 0:
        return
    travail, pas = espace
    # Dynamic scheduling, one origin at a time: searches differ in length, and another
    # process may hold a core.
    with numba.parallel_chunksize(1):
        _dijkstra.matrice(
            csr.indptr,
            csr.indices,
            csr.poids,
            origines,
            coupure,
            colonnes.par_noeud,
            colonnes.noeuds,
            True,
            sortie,
            0,
            np.empty(0, dtype=np.int32),
            np.empty(0, dtype=np.float64),
            np.empty(0, dtype=np.int64),
            travail.dist,
            travail.touches,
            pas,
            travail.tete,
            travail.queue,
            travail.p_cle,
            travail.p_charge,
            travail.p_suiv,
        )


def matrice_temps(
    graphe: Graphe,
    origines: ArrayLike,
    destinations: ArrayLike | None = None,
    *,
    coupure_s: float | None = None,
    inverse: bool = False,
    methode: Methode = "auto",
) -> NDArray[np.float64]:
    """Compute the travel times from every origin to every destination (seconds).

    One Dijkstra search per origin, in parallel over the origins on all numba threads;
    with ``destinations`` given, each search stops as soon as all of them are reached.
    Or, with the contraction hierarchy, the bucket many-to-many algorithm (same result).

    Parameters
    ----------
    graphe
        The road graph.
    origines
        Node indices of the origins (int, 0..n-1).
    destinations
        Node indices of the destinations (repeats allowed); ``None``: every node.
    coupure_s
        Cut-off in seconds: pairs farther apart are ``inf``.
    inverse
        Search on the reverse graph: ``[i, j]`` is then the time from destination ``j``
        to origin ``i``.
    methode
        ``"dijkstra"``, ``"ch"`` (contraction hierarchy, built and cached if needed) or
        ``"auto"`` (the hierarchy when one is at hand or when the matrix pays for its
        build, see :func:`accessibilite.noyau.hierarchie.choisir`).

    Returns
    -------
    numpy.ndarray
        float64, shape (origins, destinations) (or (origins, nodes)); ``inf`` when
        unreachable or beyond the cut-off. A node to itself is 0.

    Raises
    ------
    DonneesInvalides
        Invalid graph (negative or NaN times), node indices out of range, bad cut-off.

    See Also
    --------
    matrice_temps_blocs : the same, block by block, for matrices too big for memory.
    matrice_temps_longue : only the reached pairs, for cut-off queries.
    """
    csr = _csr(graphe, inverse)
    orig = verifier_noeuds(origines, csr.n, "origines")
    dest = None if destinations is None else verifier_noeuds(destinations, csr.n, "destinations")
    coupure = verifier_coupure(coupure_s)
    h = _hierarchie_pour(graphe, methode, int(orig.size))
    if h is not None:
        from accessibilite.noyau.hierarchie import matrice_ch, sous_horizon

        resultat = matrice_ch(h, orig, dest, coupure_s=coupure, inverse=inverse)
        if methode == "ch" or sous_horizon(h, resultat):
            return resultat
    octets = orig.size * (csr.n if dest is None else int(dest.size)) * 8
    if octets > 2 * 1024**3:
        logger.warning(
            "Matrice dense de %.1f Go : préférez matrice_temps_blocs ou matrice_temps_longue.",
            octets / 1024**3,
        )
    colonnes = _colonnes(dest, csr.n)
    sortie = np.full((orig.size, colonnes.n_distinctes), np.inf)
    _remplir(csr, orig, colonnes, coupure, _espace(csr, coupure), sortie)
    if colonnes.vers_position is not None:
        return sortie[:, colonnes.vers_position]
    return sortie


def _hierarchie_pour(graphe: Graphe, methode: str, recherches: int) -> Hierarchie | None:
    """The hierarchy to answer with, or ``None`` for Dijkstra (checks ``methode``)."""
    if methode == "dijkstra":
        return None
    if methode not in ("auto", "ch"):
        raise DonneesInvalides(f"Méthode inconnue « {methode} » : auto, dijkstra ou ch.")
    from accessibilite.noyau.hierarchie import choisir

    return choisir(graphe, methode, recherches)


def matrice_temps_longue(
    graphe: Graphe,
    origines: ArrayLike,
    destinations: ArrayLike | None = None,
    *,
    coupure_s: float | None = None,
    inverse: bool = False,
) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.float64]]:
    """Compute the reached (origin, destination) pairs only, as three aligned arrays.

    Made for cut-off queries on big graphs ("every node within 20 min of each commune"):
    memory follows the number of pairs reached, never origins × destinations, and each
    search costs only the nodes it reaches.

    Parameters
    ----------
    graphe
        The road graph.
    origines
        Node indices of the origins (int, 0..n-1).
    destinations
        Node indices of the destinations (repeats allowed); ``None``: every node.
    coupure_s
        Cut-off in seconds. Without it every reachable pair is returned (as many as a
        dense matrix on a connected graph).
    inverse
        Search on the reverse graph: each time is then from the destination to the origin.

    Returns
    -------
    origine : numpy.ndarray
        int32, position of the pair's origin in ``origines``.
    destination : numpy.ndarray
        int32, position of the pair's destination in ``destinations`` (or the node index
        when ``destinations`` is ``None``).
    temps_s : numpy.ndarray
        float64, seconds.
        Pairs are grouped by origin, in the order of ``origines``; within one origin the
        destinations come in no particular order. Unreached pairs are absent.

    Raises
    ------
    DonneesInvalides
        Invalid graph (negative or NaN times), node indices out of range, bad cut-off.
    """
    csr = _csr(graphe, inverse)
    orig = verifier_noeuds(origines, csr.n, "origines")
    dest = None if destinations is None else verifier_noeuds(destinations, csr.n, "destinations")
    coupure = verifier_coupure(coupure_s)
    colonnes = _colonnes(dest, csr.n)
    if orig.size == 0 or colonnes.n_distinctes == 0:
        return (
            np.empty(0, dtype=np.int32),
            np.empty(0, dtype=np.int32),
            np.empty(0, dtype=np.float64),
        )
    espace, pas = _espace(csr, coupure)
    fils = numba.get_num_threads()

    def lancer(lot: NDArray[np.int64], capacite: int) -> _Paires:
        """Search from ``orig[lot]``; keep the origins whose pairs fit in ``capacite``."""
        n_res = np.zeros(lot.size, dtype=np.int64)
        sortie_c = np.empty(lot.size * capacite, dtype=np.int32)
        sortie_t = np.empty(lot.size * capacite, dtype=np.float64)
        with numba.parallel_chunksize(1):
            _dijkstra.matrice(
                csr.indptr,
                csr.indices,
                csr.poids,
                orig[lot],
                coupure,
                colonnes.par_noeud,
                colonnes.noeuds,
                False,
                np.empty((0, 0), dtype=np.float64),
                capacite,
                sortie_c,
                sortie_t,
                n_res,
                espace.dist,
                espace.touches,
                pas,
                espace.tete,
                espace.queue,
                espace.p_cle,
                espace.p_charge,
                espace.p_suiv,
            )
        fait = n_res <= capacite
        longueurs = np.where(fait, n_res, 0)
        decalages = np.arange(lot.size, dtype=np.int64) * capacite - (
            np.cumsum(longueurs) - longueurs
        )
        garder = np.arange(int(longueurs.sum()), dtype=np.int64) + np.repeat(decalages, longueurs)
        return _Paires(
            np.repeat(lot.astype(np.int32), longueurs), sortie_c[garder], sortie_t[garder], n_res
        )

    def lignes_pour(capacite: int) -> int:
        return int(max(fils, min(4096, OCTETS_BLOC // (12 * capacite))))

    # Room per origin: every distinct destination when that is small, else a guess that
    # follows what the searches actually reach (origins that overflow run again).
    capacite = min(colonnes.n_distinctes, max(4096, OCTETS_BLOC // (12 * 64 * fils)))
    sortie = _Accumulateur()
    debut = 0
    while debut < orig.size:
        lot = np.arange(debut, min(orig.size, debut + lignes_pour(capacite)), dtype=np.int64)
        paires = lancer(lot, capacite)
        trop = lot[paires.n_resultats > capacite]
        if trop.size:
            # Run the overflowing origins again with room for the largest, then put the
            # block's pairs back in origin order.
            besoin = int(min(colonnes.n_distinctes, paires.n_resultats.max()))
            morceaux = [paires]
            for i in range(0, trop.size, lignes_pour(besoin)):
                morceaux.append(lancer(trop[i : i + lignes_pour(besoin)], besoin))
            paires = _Paires.reunir(morceaux)
        sortie.ajouter(paires)
        debut += lot.size
        if debut < orig.size:
            # Reserve the expected total once, and size the next blocks on what we saw.
            sortie.reserver(int(sortie.taille / debut * orig.size * 1.05) + 1)
            capacite = int(min(colonnes.n_distinctes, max(1024, 1.25 * paires.n_resultats.max())))
    origine, colonne, temps = sortie.resultat()
    if colonnes.vers_position is not None:
        return _vers_positions(origine, colonne, temps, colonnes.vers_position)
    return origine, colonne, temps


@dataclass(frozen=True)
class _Paires:
    """Reached pairs of a block of origins (``n_resultats``: pairs per origin run)."""

    origine: NDArray[np.int32]
    colonne: NDArray[np.int32]
    temps: NDArray[np.float64]
    n_resultats: NDArray[np.int64]

    @staticmethod
    def reunir(morceaux: list[_Paires]) -> _Paires:
        """Concatenate, in origin order (stable: each origin's pairs stay together)."""
        origine = np.concatenate([m.origine for m in morceaux])
        ordre = np.argsort(origine, kind="stable")
        return _Paires(
            origine[ordre],
            np.concatenate([m.colonne for m in morceaux])[ordre],
            np.concatenate([m.temps for m in morceaux])[ordre],
            np.concatenate([m.n_resultats for m in morceaux]),
        )


class _Accumulateur:
    """Growable output arrays, so that the pairs are not held twice at the end."""

    def __init__(self) -> None:
        self.taille = 0
        self._o = np.empty(0, dtype=np.int32)
        self._c = np.empty(0, dtype=np.int32)
        self._t = np.empty(0, dtype=np.float64)

    def reserver(self, capacite: int) -> None:
        if capacite <= self._o.size:
            return
        for nom in ("_o", "_c", "_t"):
            ancien = getattr(self, nom)
            nouveau = np.empty(capacite, dtype=ancien.dtype)
            nouveau[: self.taille] = ancien[: self.taille]
            setattr(self, nom, nouveau)

    def ajouter(self, paires: _Paires) -> None:
        k = paires.origine.size
        if self.taille + k > self._o.size:
            self.reserver(max(2 * self._o.size, self.taille + k))
        fin = self.taille + k
        self._o[self.taille : fin] = paires.origine
        self._c[self.taille : fin] = paires.colonne
        self._t[self.taille : fin] = paires.temps
        self.taille = fin

    def resultat(self) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.float64]]:
        n = self.taille
        if self._o.size > 1.25 * n + 1024:  # much room left over: give it back
            return self._o[:n].copy(), self._c[:n].copy(), self._t[:n].copy()
        return self._o[:n], self._c[:n], self._t[:n]


def _vers_positions(
    origine: NDArray[np.int32],
    colonne: NDArray[np.int32],
    temps: NDArray[np.float64],
    vers_position: NDArray[np.int64],
) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.float64]]:
    """Expand pairs on distinct destination nodes to every position that repeats them."""
    ordre = np.argsort(vers_position, kind="stable")  # positions grouped by column
    par_colonne = np.bincount(vers_position)
    premiere = np.concatenate([[0], np.cumsum(par_colonne)[:-1]])
    repetitions = par_colonne[colonne]
    origine2 = np.repeat(origine, repetitions)
    temps2 = np.repeat(temps, repetitions)
    rang = np.arange(origine2.size) - np.repeat(np.cumsum(repetitions) - repetitions, repetitions)
    position = ordre[np.repeat(premiere[colonne], repetitions) + rang]
    return origine2, position.astype(np.int32), temps2


def plus_proche(
    graphe: Graphe,
    sources: ArrayLike,
    *,
    coupure_s: float | None = None,
    inverse: bool = True,
    k: int = 1,
    temps_depart_s: ArrayLike | None = None,
    methode: Methode = "auto",
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Give every node its time to the nearest source and which source, in one search.

    A single multi-source Dijkstra from all the sources at once (the poles of one level,
    say): the zones grises of a level cost one search, not one per commune.

    Parameters
    ----------
    graphe
        The road graph.
    sources
        Node indices of the sources (int, 0..n-1; at least one; repeats allowed: two
        poles on the same node stay two sources).
    coupure_s
        Cut-off in seconds: nodes farther than this from every source get ``inf``, -1.
    inverse
        ``True`` (default): search on the reverse graph, so the time is *from the node to
        the source* (commune → pole). ``False``: from the source to the node.
    k
        Number of nearest sources per node; with ``k > 1`` the results are (n, k) arrays,
        nearest first, padded with ``inf`` and -1 when fewer sources are reachable.
    temps_depart_s
        Optional time added at each source (seconds, >= 0), e.g. the access from the
        place to its node; rounded to ``2**-20`` s (under a microsecond) so that every
        sum is exact and both methods agree to the bit.
    methode
        ``"dijkstra"``, ``"ch"`` (PHAST on the contraction hierarchy, built and cached if
        needed; ``k = 1`` only) or ``"auto"`` (the hierarchy when one is at hand).

    Returns
    -------
    temps_s : numpy.ndarray
        float64, shape (n,) (or (n, k)): seconds to the nearest source, ``inf`` if none is
        reachable within the cut-off. A source node is at its start time (0).
    indice_source : numpy.ndarray
        int64, same shape: position in ``sources`` of that source, -1 if none. Among
        sources at exactly the same time, any one may be given.

    Raises
    ------
    DonneesInvalides
        No source, indices out of range, invalid graph (negative or NaN times), bad
        cut-off, ``k`` < 1, bad start times.
    """
    csr = _csr(graphe, inverse)
    departs = verifier_noeuds(sources, csr.n, "sources")
    if departs.size == 0:
        raise DonneesInvalides(
            "Aucune source (pôle ou équipement) : impossible de chercher la plus proche. "
            "Vérifiez la règle de pôle ou le type d'équipement demandé."
        )
    if departs.size >= 2**31:
        raise DonneesInvalides(f"Trop de sources ({departs.size}) : au plus 2**31 - 1.")
    coupure = verifier_coupure(coupure_s)
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise DonneesInvalides(f"k doit être un entier >= 1 (reçu {k!r}).")
    if temps_depart_s is None:
        depart = np.zeros(departs.size, dtype=np.float64)
    else:
        depart = np.asarray(temps_depart_s, dtype=np.float64).ravel()
        if depart.size != departs.size:
            raise DonneesInvalides(
                f"temps_depart_s a {depart.size} valeurs pour {departs.size} sources."
            )
        if not (np.isfinite(depart).all() and (depart >= 0).all()):
            raise DonneesInvalides(
                "temps_depart_s doit contenir des secondes finies et positives ou nulles."
            )
        from accessibilite.noyau.hierarchie import arrondir_departs

        depart = arrondir_departs(depart)
    if k > 1 and methode == "ch":
        raise DonneesInvalides(
            "La hiérarchie de contraction ne donne que la source la plus proche (k = 1) : "
            "pour k > 1, utilisez methode='dijkstra' ou 'auto'."
        )
    h = _hierarchie_pour(graphe, methode, 0) if k == 1 else None
    if h is not None:
        from accessibilite.noyau.hierarchie import plus_proche_ch, sous_horizon

        temps, indice = plus_proche_ch(
            h, departs, coupure_s=coupure, inverse=inverse, temps_depart_s=depart
        )
        if methode == "ch" or sous_horizon(h, temps):
            return temps, indice
    etiquettes = np.arange(departs.size, dtype=np.int64)
    pas, n_seaux = csr.seaux(coupure - float(depart.min()), float(np.ptp(depart)))
    dist, source = _dijkstra.plus_proches(
        csr.indptr,
        csr.indices,
        csr.poids,
        departs,
        etiquettes,
        depart,
        coupure,
        int(k),
        pas,
        n_seaux,
    )
    if k == 1:
        return dist[:, 0].copy(), source[:, 0].copy()
    return dist, source
