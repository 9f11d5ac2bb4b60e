"""Snap points (commune centres, equipments) to the road graph: :func:`accrocher`.

Each point goes to its nearest node (a KD-tree on the node coordinates, in the graph's
metric CRS). The straight connector from the point to the node is a real part of the trip
(from the town hall to the street, across a car park or an unmapped lane): it is priced at
a slow speed, :data:`VITESSE_CONNECTEUR_KMH` (15 km/h: between walking and driving a
local street, because the straight line under-estimates the real path). A point farther
than ``distance_max_m`` from every node is *off the network*: it gets no node (``-1``) and
an infinite time, and the count is logged; it is never silently snapped to a far road.

The graph keeps only its largest strongly connected component, so every snapped node can
reach, and be reached from, every other.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reseau.graphe import Graphe
from socle.erreurs import DonneesInvalides

if TYPE_CHECKING:
    from scipy.spatial import cKDTree

__all__ = ["DISTANCE_MAX_M", "VITESSE_CONNECTEUR_KMH", "Accrochage", "accrocher"]

logger = logging.getLogger(__name__)

#: Default limit beyond which a point is off the network (metres).
DISTANCE_MAX_M = 2000.0
#: Default speed of the connector between a point and its node (km/h).
VITESSE_CONNECTEUR_KMH = 15.0

_ARBRES: weakref.WeakKeyDictionary[Graphe, Any] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, eq=False)
class Accrochage:
    """Where each point joins the graph.

    Attributes
    ----------
    noeud
        Node index of each point (int64); ``-1`` for a point off the network.
    distance_m
        Straight-line distance to the nearest node (metres, float64), also for the points
        off the network (to report how far they are).
    temps_s
        Connector time at the connector speed (seconds, float64); ``inf`` off the network.
    hors_reseau
        Mask of the points farther than ``distance_max_m`` (or with a NaN coordinate).
    """

    noeud: NDArray[np.int64]
    distance_m: NDArray[np.float64]
    temps_s: NDArray[np.float64]
    hors_reseau: NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.noeud.size)

    @property
    def n_hors_reseau(self) -> int:
        """Number of points off the network."""
        return int(self.hors_reseau.sum())


def _arbre(graphe: Graphe, x: NDArray[np.float64], y: NDArray[np.float64]) -> cKDTree:
    """The KD-tree of the graph's nodes, built once per graph object."""
    arbre = _ARBRES.get(graphe)
    if arbre is None:
        from scipy.spatial import cKDTree

        arbre = cKDTree(np.column_stack([np.asarray(x), np.asarray(y)]))
        _ARBRES[graphe] = arbre
    return arbre


def accrocher(
    graphe: Graphe,
    x: ArrayLike,
    y: ArrayLike,
    *,
    distance_max_m: float = DISTANCE_MAX_M,
    vitesse_connecteur_kmh: float = VITESSE_CONNECTEUR_KMH,
) -> Accrochage:
    """Snap points given in the graph's metric CRS to their nearest node.

    Parameters
    ----------
    graphe
        A graph with node coordinates (``x``, ``y`` in ``graphe.crs``).
    x, y
        Point coordinates in the same CRS (metres).
    distance_max_m
        Beyond this distance a point is off the network (default 2 km).
    vitesse_connecteur_kmh
        Speed that prices the connector (default 15 km/h).

    Returns
    -------
    Accrochage

    Raises
    ------
    DonneesInvalides
        The graph has no coordinates, x and y differ in length, a limit is not positive.
    """
    if graphe.x is None or graphe.y is None:
        raise DonneesInvalides(
            "Le graphe n'a pas de coordonnées de nœuds : impossible d'y accrocher des points."
        )
    if graphe.n_noeuds == 0:
        raise DonneesInvalides("Le graphe n'a aucun nœud : impossible d'y accrocher des points.")
    if not (np.isfinite(distance_max_m) and distance_max_m > 0):
        raise DonneesInvalides(f"distance_max_m doit être > 0 (reçu {distance_max_m}).")
    if not (np.isfinite(vitesse_connecteur_kmh) and vitesse_connecteur_kmh > 0):
        raise DonneesInvalides(
            f"vitesse_connecteur_kmh doit être > 0 (reçu {vitesse_connecteur_kmh})."
        )
    px = np.asarray(x, dtype=np.float64).ravel()
    py = np.asarray(y, dtype=np.float64).ravel()
    if px.shape != py.shape:
        raise DonneesInvalides(f"x et y de longueurs différentes ({px.size} et {py.size}).")
    finis = np.isfinite(px) & np.isfinite(py)
    distance = np.full(px.size, np.inf)
    noeud = np.full(px.size, -1, dtype=np.int64)
    if finis.any():
        d, i = _arbre(graphe, graphe.x, graphe.y).query(np.column_stack([px[finis], py[finis]]))
        distance[finis] = d
        noeud[finis] = i
    hors = ~finis | (distance > distance_max_m)
    noeud[hors] = -1
    temps = distance / (vitesse_connecteur_kmh / 3.6)
    temps[hors] = np.inf
    if hors.any():
        logger.warning(
            "%d point(s) sur %d à plus de %.0f m du réseau routier : laissés hors réseau "
            "(temps inconnu), non accrochés.",
            int(hors.sum()),
            px.size,
            distance_max_m,
        )
    return Accrochage(noeud=noeud, distance_m=distance, temps_s=temps, hors_reseau=hors)
