"""Isochrone polygons and service catchments (bassins).

* :func:`isochrones_noeuds`, :func:`isochrones_points`: reached-road polygons on the road
  graph, from one multi-source search (all the poles of a level at once);
* :func:`isochrones_vol_oiseau`: the straight-line disc (an estimate);
* :func:`bassins`: communes dissolved by nearest pole, with the "hors bassin" zones grises;
  :func:`bassins_par` the same for any assignment (the sites of a network and its goal).
"""

from isochrones.bassins import HORS_BASSIN, bassins, bassins_par
from isochrones.calcul import (
    TOUTES_SOURCES,
    en_anneaux,
    isochrones_noeuds,
    isochrones_points,
    isochrones_source,
    isochrones_vol_oiseau,
    lire_points,
)
from isochrones.geometrie import ParametresGeometrie, Segments, polygones_bandes

__all__ = [
    "HORS_BASSIN",
    "TOUTES_SOURCES",
    "ParametresGeometrie",
    "Segments",
    "bassins",
    "bassins_par",
    "en_anneaux",
    "isochrones_noeuds",
    "isochrones_points",
    "isochrones_source",
    "isochrones_vol_oiseau",
    "lire_points",
    "polygones_bandes",
]
