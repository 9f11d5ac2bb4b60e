"""Contraction hierarchy of a road graph: build once, cache, answer matrices and PHAST.

* :func:`construire_hierarchie` contracts a :class:`reseau.Graphe` (Numba kernels in
  :mod:`accessibilite.noyau._hierarchie`, where the node priority, witness searches and query
  algorithms are described); :func:`recontracter` reuses a hierarchy's node order for new
  arc times on the same roads (a peak-hour factor, a scenario), several times faster;
* :func:`hierarchie_en_cache` loads it from beside the ``.graphe`` (or from the user cache,
  keyed by the graph's content) or builds and saves it; :func:`sauvegarder_hierarchie`,
  :func:`charger_hierarchie` read and write the memory-mappable file;
* :func:`matrice_ch` (bucket many-to-many, with a cut-off) and :func:`plus_proche_ch`
  (PHAST / RPHAST, many sources at once) answer like
  :func:`accessibilite.noyau.routage.matrice_temps` and
  :func:`accessibilite.noyau.routage.plus_proche`, to the same float64 bit for bit.

**Exactness.** The hierarchy works in integer ticks of ``2**-K`` s, ``K`` being the
graph's resolution (every float32 arc time is a multiple of ``2**-K``; K = 32 on the
Andorra extract): its sums are exact. The Dijkstra kernel's float64 sums of the same
float32 times are exact too below ``2**(53 - K)`` seconds (:attr:`Hierarchie.horizon_s`,
24 days at K = 32), so below it both give the same float64. Start times of
:func:`plus_proche` are rounded to ``2**-20`` s (under a microsecond) by both methods
(:func:`arrondir_departs`) so that they are on the grid too. A graph too fine for int64
ticks (K > :data:`RESOLUTION_MAX`) gets no hierarchy (:class:`HierarchieImpossible`).

**Cache file** (``<graphe>.hierarchie``, or ``<cache>/hierarchies/<empreinte>.hierarchie``):
the ``.graphe`` envelope (magic ``ACCHIERA``, header length, header sha256, JSON header,
raw little-endian arrays aligned on 64 bytes, each with its sha256), the header naming the
graph's content fingerprint (sha256 of its forward CSR arrays). Loading checks all of it;
a file that does not match is rebuilt with a logged warning, never used.
"""

from __future__ import annotations

import hashlib
import logging
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from accessibilite.noyau import _hierarchie
from accessibilite.noyau._entrees import verifier_coupure, verifier_noeuds
from reseau.graphe import Graphe
from reseau.stockage import ecrire_conteneur, lire_entete_conteneur, lire_tableaux
from socle.erreurs import CacheCorrompu, DonneesInvalides
from socle.fichiers import racine_cache

__all__ = [
    "RESOLUTION_MAX",
    "Hierarchie",
    "HierarchieImpossible",
    "arrondir_departs",
    "charger_hierarchie",
    "choisir",
    "construire_hierarchie",
    "deplier_arc",
    "empreinte_graphe",
    "hierarchie_connue",
    "hierarchie_en_cache",
    "matrice_ch",
    "plus_proche_ch",
    "recontracter",
    "sauvegarder_hierarchie",
    "sous_horizon",
]

logger = logging.getLogger(__name__)

#: Finest tick (``2**-RESOLUTION_MAX`` s) a hierarchy accepts: times up to 2**20 s
#: (12 days) then fit in 2**60 ticks.
RESOLUTION_MAX = 40
#: Grid of the start times (``2**-RESOLUTION_DEPARTS`` s), for both methods.
RESOLUTION_DEPARTS = 20
#: Most nodes settled by one witness search when contracting a node, and when only
#: computing a node's priority (benchmarks/RESULTS.md, "réglage").
LIMITE_TEMOINS = 500
LIMITE_SIMULATION = 500
#: ``methode="auto"`` builds a hierarchy for a matrix of at least this many origins on a
#: graph of at least :data:`NOEUDS_MIN_AUTO` nodes: a build costs about 60 µs a node
#: (18 s on 300,000 nodes), a Dijkstra search to 60 min about 80 ns a node on one core
#: (benchmarks/RESULTS.md), so the build pays from about 1,500 searches on two cores.
ORIGINES_MIN_AUTO = 2000
#: :func:`matrice_ch` answers by PHAST rows (one sweep per origin) rather than buckets
#: when there are more than ``n / DESTINATIONS_PHAST`` destinations.
DESTINATIONS_PHAST = 20
NOEUDS_MIN_AUTO = 20_000
FORMAT = "accessibilite-hierarchie"
VERSION_FORMAT = 1
_MAGIE = b"ACCHIERA"
_TABLEAUX = (
    "interne",
    "externe",
    "haut_indptr",
    "haut_cibles",
    "haut_poids",
    "haut_milieux",
    "bas_indptr",
    "bas_cibles",
    "bas_poids",
    "bas_milieux",
)


class HierarchieImpossible(DonneesInvalides):
    """The graph's arc times are too fine for exact integer ticks: use Dijkstra."""


@dataclass(frozen=True, eq=False)
class Hierarchie:
    """A contraction hierarchy of one graph (arrays in the internal numbering).

    Attributes
    ----------
    n_noeuds
        Nodes of the graph.
    resolution
        ``K``: times are int64 ticks of ``2**-K`` seconds.
    empreinte
        Content fingerprint of the graph it was built on (:func:`empreinte_graphe`).
    interne, externe
        Node numbering: ``interne[v]`` is the internal number of graph node ``v``,
        ``externe`` the inverse. Internal numbers grow with the level.
    haut_indptr, haut_cibles, haut_poids, haut_milieux
        CSR of the arcs from each node to higher nodes (ticks; middle node of a shortcut,
        internal, or -1 for an original arc).
    bas_indptr, bas_cibles, bas_poids, bas_milieux
        CSR of the arcs into each node from higher nodes (``bas_cibles`` are the tails).
    metadonnees
        Build facts: time, shortcuts, levels, priority, witness limit.
    """

    n_noeuds: int
    resolution: int
    empreinte: str
    interne: NDArray[np.int32]
    externe: NDArray[np.int32]
    haut_indptr: NDArray[np.int64]
    haut_cibles: NDArray[np.int32]
    haut_poids: NDArray[np.int64]
    haut_milieux: NDArray[np.int32]
    bas_indptr: NDArray[np.int64]
    bas_cibles: NDArray[np.int32]
    bas_poids: NDArray[np.int64]
    bas_milieux: NDArray[np.int32]
    metadonnees: dict[str, Any] = field(default_factory=dict)

    @property
    def echelle(self) -> float:
        """Seconds per tick."""
        return float(2.0 ** (-self.resolution))

    @property
    def horizon_s(self) -> float:
        """Times below this equal the Dijkstra kernel's float64 sums bit for bit."""
        return float(2.0 ** (53 - self.resolution))

    @property
    def n_arcs(self) -> int:
        """Arcs of the hierarchy (original arcs kept and shortcuts)."""
        return int(self.haut_cibles.shape[0] + self.bas_cibles.shape[0])

    @property
    def octets(self) -> int:
        """Memory held by the arrays (bytes)."""
        return int(sum(getattr(self, nom).nbytes for nom in _TABLEAUX))

    def ordre(self) -> NDArray[np.int64]:
        """Graph nodes in a valid contraction order (lowest first), for :func:`recontracter`."""
        return self.externe.astype(np.int64)


# ----------------------------------------------------------------------------------------
# Fingerprint, registry


_EMPREINTES: weakref.WeakKeyDictionary[Graphe, str] = weakref.WeakKeyDictionary()
_CONNUES: weakref.WeakKeyDictionary[Graphe, Hierarchie] = weakref.WeakKeyDictionary()


def empreinte_graphe(graphe: Graphe) -> str:
    """sha256 of the graph's forward CSR arrays (``indptr``, ``indices``, ``temps_s``).

    The reverse arrays derive from them. Remembered per graph object (the graph is frozen).
    """
    connue = _EMPREINTES.get(graphe)
    if connue is not None:
        return connue
    h = hashlib.sha256()
    h.update(f"n={graphe.n_noeuds};m={graphe.n_arcs}\n".encode())
    for tableau, dtype in (
        (graphe.indptr, "<i8"),
        (graphe.indices, "<i4"),
        (graphe.temps_s, "<f4"),
    ):
        h.update(np.ascontiguousarray(tableau, dtype=dtype).view(np.uint8).data)
    valeur = h.hexdigest()
    _EMPREINTES[graphe] = valeur
    return valeur


def hierarchie_connue(graphe: Graphe, *, chercher_cache: bool = True) -> Hierarchie | None:
    """The hierarchy of ``graphe`` if one is at hand, else ``None`` (never builds).

    At hand: built or loaded for this graph object in this process, or saved in the user
    cache under the graph's fingerprint (``chercher_cache``).
    """
    h = _CONNUES.get(graphe)
    if h is not None or not chercher_cache:
        return h
    chemin = _chemin_cache(empreinte_graphe(graphe))
    if not chemin.is_file():
        return None
    try:
        h = charger_hierarchie(chemin, graphe=graphe)
    except CacheCorrompu as exc:
        logger.warning("Hiérarchie en cache inutilisable (%s) : elle sera reconstruite.", exc)
        return None
    _CONNUES[graphe] = h
    return h


def _chemin_cache(empreinte: str) -> Path:
    return racine_cache() / "hierarchies" / f"{empreinte}.hierarchie"


# ----------------------------------------------------------------------------------------
# Build


def _resolution_graphe(graphe: Graphe) -> int:
    k = max(_hierarchie.resolution(graphe.temps_s), RESOLUTION_DEPARTS)
    if k > RESOLUTION_MAX:
        raise HierarchieImpossible(
            f"Temps d'arc trop fins pour une hiérarchie exacte (résolution 2^-{k} s, au plus "
            f"2^-{RESOLUTION_MAX}) : le calcul se fait par Dijkstra (methode='dijkstra')."
        )
    return k


def _verifier_graphe(graphe: Graphe) -> None:
    if not isinstance(graphe, Graphe):
        raise DonneesInvalides(
            f"Graphe attendu (reseau.Graphe), reçu {type(graphe).__name__} : construisez-le "
            "avec Graphe.depuis_arcs ou les fonctions de reseau."
        )
    t = np.asarray(graphe.temps_s)
    if t.size and not float(t.min()) >= 0.0:
        raise DonneesInvalides(
            "Temps d'arc invalides dans le graphe (NaN ou négatifs) : corrigez-les avant de "
            "construire la hiérarchie."
        )


def construire_hierarchie(
    graphe: Graphe,
    *,
    ordre: ArrayLike | None = None,
    limite_temoins: int = LIMITE_TEMOINS,
    limite_simulation: int = LIMITE_SIMULATION,
) -> Hierarchie:
    """Contract ``graphe`` into a contraction hierarchy.

    Parameters
    ----------
    graphe
        The road graph.
    ordre
        Optional contraction order (every node once, lowest first), e.g. another
        hierarchy's :meth:`Hierarchie.ordre`; default: by priority (see
        :mod:`accessibilite.noyau._hierarchie`).
    limite_temoins, limite_simulation
        Most nodes settled by one witness search when contracting a node, and when only
        computing its priority (more: fewer shortcuts, slower build).

    Returns
    -------
    Hierarchie
        Also remembered for this graph object (``methode="auto"`` then uses it).

    Raises
    ------
    HierarchieImpossible
        Arc times too fine for exact ticks.
    DonneesInvalides
        Not a graph, negative or NaN times, or a bad ``ordre``.
    """
    _verifier_graphe(graphe)
    debut = time.perf_counter()
    n = graphe.n_noeuds
    k = _resolution_graphe(graphe)
    poids = _hierarchie.en_ticks(graphe.temps_s, k)
    finis = poids < _hierarchie.INF
    if float(poids[finis].astype(np.float64).sum()) >= _hierarchie.SOMME_MAX:
        raise HierarchieImpossible(
            "Temps d'arc trop longs pour la résolution de la hiérarchie : le calcul se fait "
            "par Dijkstra (methode='dijkstra')."
        )
    sources = graphe.sources_arcs().astype(np.int64)[finis]
    cibles = np.asarray(graphe.indices, dtype=np.int64)[finis]
    poids = poids[finis]
    if ordre is None:
        impose = np.empty(0, dtype=np.int64)
    else:
        impose = np.asarray(ordre, dtype=np.int64).ravel()
        if impose.size != n or not np.array_equal(np.sort(impose), np.arange(n)):
            raise DonneesInvalides(
                f"L'ordre de contraction doit donner chaque nœud une fois (0..{n - 1})."
            )
    rang, de, vers, p, milieu, n_raccourcis = _hierarchie.contracter(
        n, sources, cibles, poids, impose, int(limite_temoins), int(limite_simulation)
    )
    h = _assembler(graphe, k, rang, de, vers, p, milieu)
    h.metadonnees.update(
        {
            "duree_construction_s": round(time.perf_counter() - debut, 3),
            "raccourcis": int(n_raccourcis),
            "arcs_originaux": int(graphe.n_arcs),
            "ordre": "impose" if ordre is not None else "priorite",
            "priorite": "2 × arcs ajoutés / retirés + arcs originaux couverts ajoutés / "
            "retirés + profondeur",
            "limite_temoins": int(limite_temoins),
            "limite_simulation": int(limite_simulation),
        }
    )
    _CONNUES[graphe] = h
    logger.info(
        "Hiérarchie de contraction : %d nœuds, %d raccourcis, %d niveaux, %.1f s.",
        n,
        n_raccourcis,
        h.metadonnees["niveaux"],
        h.metadonnees["duree_construction_s"],
    )
    return h


def recontracter(hierarchie: Hierarchie, graphe: Graphe) -> Hierarchie:
    """Contract ``graphe`` (same roads, new times) in the node order of ``hierarchie``.

    The customization step: no priorities to compute, only the witness searches; exact
    for any order (only the number of shortcuts may grow when the times change a lot).
    """
    if hierarchie.n_noeuds != graphe.n_noeuds:
        raise DonneesInvalides(
            f"La hiérarchie a {hierarchie.n_noeuds} nœuds, le graphe {graphe.n_noeuds} : "
            "recontracter demande les mêmes routes."
        )
    return construire_hierarchie(graphe, ordre=hierarchie.ordre())


def _assembler(
    graphe: Graphe,
    k: int,
    rang: NDArray[np.int32],
    de: NDArray[np.int32],
    vers: NDArray[np.int32],
    poids: NDArray[np.int64],
    milieu: NDArray[np.int32],
) -> Hierarchie:
    """Number the nodes by (level, graph number) and split the arcs into up and down CSR."""
    n = graphe.n_noeuds
    niveau = _hierarchie.niveaux(n, rang, de, vers)
    externe = np.lexsort((np.arange(n), niveau)).astype(np.int32)
    interne = np.empty(n, dtype=np.int32)
    interne[externe] = np.arange(n, dtype=np.int32)
    de_i = interne[de].astype(np.int64)
    vers_i = interne[vers].astype(np.int64)
    mil_i = np.where(milieu >= 0, interne[np.maximum(milieu, 0)], -1).astype(np.int32)
    monte = de_i < vers_i

    def csr(
        noeud: NDArray[np.int64], autre: NDArray[np.int64], choix: NDArray[np.bool_]
    ) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.int64], NDArray[np.int32]]:
        ordre_arcs = np.lexsort((autre[choix], noeud[choix]))
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(noeud[choix], minlength=n), out=indptr[1:])
        return (
            indptr,
            autre[choix][ordre_arcs].astype(np.int32),
            poids[choix][ordre_arcs].astype(np.int64),
            mil_i[choix][ordre_arcs],
        )

    h_ind, h_cib, h_p, h_m = csr(de_i, vers_i, monte)
    b_ind, b_cib, b_p, b_m = csr(vers_i, de_i, ~monte)
    return Hierarchie(
        n_noeuds=n,
        resolution=k,
        empreinte=empreinte_graphe(graphe),
        interne=interne,
        externe=externe,
        haut_indptr=h_ind,
        haut_cibles=h_cib,
        haut_poids=h_p,
        haut_milieux=h_m,
        bas_indptr=b_ind,
        bas_cibles=b_cib,
        bas_poids=b_p,
        bas_milieux=b_m,
        metadonnees={"niveaux": int(niveau.max()) + 1 if n else 0},
    )


# ----------------------------------------------------------------------------------------
# File


def sauvegarder_hierarchie(hierarchie: Hierarchie, chemin: str | Path) -> Path:
    """Write ``hierarchie`` to ``chemin`` atomically (memory-mappable file); return it."""
    entete: dict[str, Any] = {
        "format": FORMAT,
        "version_format": VERSION_FORMAT,
        "n_noeuds": hierarchie.n_noeuds,
        "resolution": hierarchie.resolution,
        "empreinte_graphe": hierarchie.empreinte,
        "metadonnees": hierarchie.metadonnees,
    }
    tableaux = {nom: getattr(hierarchie, nom) for nom in _TABLEAUX}
    return ecrire_conteneur(chemin, _MAGIE, entete, tableaux)


def charger_hierarchie(
    chemin: str | Path,
    *,
    graphe: Graphe | None = None,
    verifier: bool = True,
    mmap: bool = True,
) -> Hierarchie:
    """Load a hierarchy file, checked (and checked against ``graphe`` when given).

    Raises
    ------
    DonneesManquantes
        No such file.
    CacheCorrompu
        Not a hierarchy file, truncated, altered, or built on another graph.
    """
    chemin = Path(chemin)
    conseil = "supprimez-le : il sera reconstruit."
    entete = lire_entete_conteneur(
        chemin,
        magie=_MAGIE,
        format_attendu=FORMAT,
        version=VERSION_FORMAT,
        quoi="hiérarchie",
        conseil=conseil,
    )
    if graphe is not None and entete.get("empreinte_graphe") != empreinte_graphe(graphe):
        raise CacheCorrompu(
            f"{chemin.name} a été construite pour un autre graphe (empreinte différente) : "
            f"{conseil}"
        )
    tableaux = lire_tableaux(
        chemin,
        entete,
        requis=_TABLEAUX,
        quoi="hiérarchie",
        conseil=conseil,
        verifier=verifier,
        mmap=mmap,
    )
    return Hierarchie(
        n_noeuds=int(entete["n_noeuds"]),
        resolution=int(entete["resolution"]),
        empreinte=str(entete["empreinte_graphe"]),
        metadonnees=dict(entete.get("metadonnees") or {}),
        **{nom: tableaux[nom] for nom in _TABLEAUX},
    )


def hierarchie_en_cache(graphe: Graphe, chemin_graphe: str | Path | None = None) -> Hierarchie:
    """The hierarchy of ``graphe``: remembered, else loaded from its file, else built and saved.

    The file is ``chemin_graphe`` with the suffix ``.hierarchie`` (beside the ``.graphe``)
    when given, else ``<cache>/hierarchies/<fingerprint>.hierarchie``. A file that does not
    match the graph (altered, truncated, another graph) is rebuilt with a warning.
    """
    connue = _CONNUES.get(graphe)
    if connue is not None:
        return connue
    if chemin_graphe is not None:
        chemin = Path(chemin_graphe).with_suffix(".hierarchie")
    else:
        chemin = _chemin_cache(empreinte_graphe(graphe))
    if chemin.is_file():
        try:
            h = charger_hierarchie(chemin, graphe=graphe)
        except CacheCorrompu as exc:
            logger.warning("%s Reconstruction de la hiérarchie.", exc)
        else:
            _CONNUES[graphe] = h
            return h
    h = construire_hierarchie(graphe)
    chemin.parent.mkdir(parents=True, exist_ok=True)
    sauvegarder_hierarchie(h, chemin)
    return h


# ----------------------------------------------------------------------------------------
# Queries


def _verifier_hierarchie(h: Hierarchie) -> None:
    if not isinstance(h, Hierarchie):
        raise DonneesInvalides(
            f"Hiérarchie attendue (construire_hierarchie), reçu {type(h).__name__}."
        )


def _noeuds(valeurs: ArrayLike, n: int, quoi: str) -> NDArray[np.int64]:
    return verifier_noeuds(valeurs, n, quoi)


def _coupure_ticks(h: Hierarchie, coupure_s: float | None) -> int:
    coupure = verifier_coupure(coupure_s)
    sans = int(_hierarchie.INF) - 1
    if not np.isfinite(coupure):
        return sans
    return int(min(np.floor(coupure * 2.0**h.resolution), float(sans)))


def matrice_ch(
    hierarchie: Hierarchie,
    origines: ArrayLike,
    destinations: ArrayLike | None = None,
    *,
    coupure_s: float | None = None,
    inverse: bool = False,
    algorithme: str = "auto",
) -> NDArray[np.float64]:
    """Travel times origins × destinations (seconds) by buckets or PHAST rows.

    Same arguments and result as :func:`accessibilite.noyau.routage.matrice_temps` (``inf`` when
    unreachable or beyond ``coupure_s``; ``inverse``: the time from destination ``j`` to
    origin ``i``); ``destinations=None`` means every node. ``algorithme``: ``"seaux"``
    (bucket many-to-many), ``"phast"`` (one sweep per origin) or ``"auto"`` (PHAST for
    more than ``n / DESTINATIONS_PHAST`` destinations, else buckets).
    """
    _verifier_hierarchie(hierarchie)
    h = hierarchie
    orig = _noeuds(origines, h.n_noeuds, "origines")
    dest = (
        np.arange(h.n_noeuds, dtype=np.int64)
        if destinations is None
        else _noeuds(destinations, h.n_noeuds, "destinations")
    )
    coupure = _coupure_ticks(h, coupure_s)
    if orig.size == 0 or dest.size == 0:
        return np.full((orig.size, dest.size), np.inf)
    haut = (h.haut_indptr, h.haut_cibles, h.haut_poids)
    bas = (h.bas_indptr, h.bas_cibles, h.bas_poids)
    if algorithme not in ("auto", "seaux", "phast"):
        raise DonneesInvalides(f"Algorithme inconnu « {algorithme} » : auto, seaux ou phast.")
    if algorithme == "phast" or (
        algorithme == "auto" and dest.size > h.n_noeuds // DESTINATIONS_PHAST
    ):
        # Many destinations: one PHAST sweep per origin beats the buckets.
        sortie = np.full((orig.size, dest.size), np.inf)
        tous = destinations is None
        _hierarchie.lignes_phast(
            *(bas + haut if inverse else haut + bas),
            h.interne[orig].astype(np.int64),
            None if tous else h.interne[dest].astype(np.int64),
            coupure,
            h.echelle,
            sortie,
        )
        return sortie[:, h.interne] if tous else sortie  # all nodes: internal order
    if inverse:
        orig, dest = dest, orig
    sortie = np.full((orig.size, dest.size), np.inf)
    _hierarchie.matrice_seaux(
        *haut,
        *bas,
        h.interne[orig].astype(np.int64),
        h.interne[dest].astype(np.int64),
        coupure,
        h.echelle,
        sortie,
    )
    return sortie.T.copy() if inverse else sortie


def arrondir_departs(temps_depart_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """Start times rounded to the grid of ``2**-20`` s (both methods use it: exact sums)."""
    pas = 2.0**RESOLUTION_DEPARTS
    return np.round(np.asarray(temps_depart_s, dtype=np.float64) * pas) / pas


def plus_proche_ch(
    hierarchie: Hierarchie,
    sources: ArrayLike,
    *,
    coupure_s: float | None = None,
    inverse: bool = True,
    temps_depart_s: ArrayLike | None = None,
    cibles: ArrayLike | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Time to the nearest source and which one, for every node, by PHAST.

    Same arguments and result as :func:`accessibilite.noyau.routage.plus_proche` with
    ``k = 1``; with ``cibles`` (node indices), only those nodes are computed (RPHAST) and
    the arrays are aligned with ``cibles``.
    """
    _verifier_hierarchie(hierarchie)
    h = hierarchie
    departs = _noeuds(sources, h.n_noeuds, "sources")
    if departs.size == 0:
        raise DonneesInvalides(
            "Aucune source (pôle ou équipement) : impossible de chercher la plus proche."
        )
    coupure = _coupure_ticks(h, coupure_s)
    if temps_depart_s is None:
        depart = np.zeros(departs.size, dtype=np.int64)
    else:
        secondes = np.asarray(temps_depart_s, dtype=np.float64).ravel()
        if secondes.size != departs.size or not (
            np.isfinite(secondes).all() and (secondes >= 0).all()
        ):
            raise DonneesInvalides(
                "temps_depart_s doit donner, pour chaque source, des secondes finies et "
                "positives ou nulles."
            )
        depart = _hierarchie.en_ticks(arrondir_departs(secondes), h.resolution)
    if inverse:
        monte = (h.bas_indptr, h.bas_cibles, h.bas_poids)
        tire = (h.haut_indptr, h.haut_cibles, h.haut_poids)
    else:
        monte = (h.haut_indptr, h.haut_cibles, h.haut_poids)
        tire = (h.bas_indptr, h.bas_cibles, h.bas_poids)
    if cibles is None:
        selection = np.empty(0, dtype=np.int32)
        vues = None
    else:
        vues = h.interne[_noeuds(cibles, h.n_noeuds, "cibles")]
        selection = _hierarchie.selection_rphast(tire[0], tire[1], vues)
    dist = np.full(h.n_noeuds, _hierarchie.INF, dtype=np.int64)
    etiquettes = np.full(h.n_noeuds, -1, dtype=np.int64)
    _hierarchie.phast(
        *monte,
        *tire,
        h.interne[departs].astype(np.int64),
        np.arange(departs.size, dtype=np.int64),
        depart,
        coupure,
        selection,
        dist,
        etiquettes,
    )
    if vues is None:
        dist, etiquettes = dist[h.interne], etiquettes[h.interne]
    else:
        dist, etiquettes = dist[vues], etiquettes[vues]
    temps = np.where(dist < _hierarchie.INF, dist * h.echelle, np.inf)
    return temps, etiquettes


def _arc(h: Hierarchie, u: int, w: int) -> tuple[int, int]:
    """(time in ticks, middle) of the hierarchy arc ``u -> w`` (internal numbers)."""
    if u < w:
        debut, fin = int(h.haut_indptr[u]), int(h.haut_indptr[u + 1])
        j = debut + int(np.searchsorted(h.haut_cibles[debut:fin], w))
        if j < fin and h.haut_cibles[j] == w:
            return int(h.haut_poids[j]), int(h.haut_milieux[j])
    else:
        debut, fin = int(h.bas_indptr[w]), int(h.bas_indptr[w + 1])
        j = debut + int(np.searchsorted(h.bas_cibles[debut:fin], u))
        if j < fin and h.bas_cibles[j] == u:
            return int(h.bas_poids[j]), int(h.bas_milieux[j])
    raise DonneesInvalides(f"Pas d'arc {u} -> {w} dans la hiérarchie.")


def deplier_arc(hierarchie: Hierarchie, de: int, vers: int) -> list[int]:
    """The graph nodes of the path a hierarchy arc ``de -> vers`` stands for (graph numbers).

    A shortcut is replaced by its two halves through its middle node, recursively, down to
    original arcs: ``[de, ..., vers]``.
    """
    h = hierarchie
    pile = [(int(h.interne[de]), int(h.interne[vers]))]
    chemin = [int(de)]
    while pile:
        u, w = pile.pop()
        _, milieu = _arc(h, u, w)
        if milieu < 0:
            chemin.append(int(h.externe[w]))
        else:
            pile.append((milieu, w))
            pile.append((u, milieu))
    return chemin


def sous_horizon(h: Hierarchie, temps: NDArray[np.float64]) -> bool:
    """Whether every finite time is below :attr:`Hierarchie.horizon_s` (equal to Dijkstra's).

    Beyond the horizon Dijkstra's float64 sums may round where the hierarchy's integer
    sums do not: ``methode="auto"`` then answers with Dijkstra.
    """
    finis = temps[np.isfinite(temps)]
    if finis.size == 0 or float(finis.max()) < h.horizon_s:
        return True
    logger.info(
        "Temps au-delà de %.0f s : calcul refait par Dijkstra (arrondis des sommes).",
        h.horizon_s,
    )
    return False


def choisir(graphe: Graphe, methode: str, recherches: int) -> Hierarchie | None:
    """The hierarchy ``methode`` asks for, or ``None`` for Dijkstra.

    ``"ch"``: the graph's hierarchy, loaded or built (:func:`hierarchie_en_cache`).
    ``"auto"``: a hierarchy at hand (:func:`hierarchie_connue`); else, when
    ``recherches`` Dijkstra searches would cost more than a build (at least
    :data:`ORIGINES_MIN_AUTO` on :data:`NOEUDS_MIN_AUTO` nodes or more), one is built
    and saved in the user cache; a graph whose times are too fine gets Dijkstra.
    """
    if methode == "ch":
        return hierarchie_en_cache(graphe)
    connue = hierarchie_connue(graphe)
    if connue is not None:
        return connue
    if recherches < ORIGINES_MIN_AUTO or graphe.n_noeuds < NOEUDS_MIN_AUTO:
        return None
    try:
        logger.info(
            "%d recherches sur %d nœuds : construction de la hiérarchie de contraction.",
            recherches,
            graphe.n_noeuds,
        )
        return hierarchie_en_cache(graphe)
    except HierarchieImpossible as exc:
        logger.info("%s", exc)
        return None
