"""Minimal readers of the real OSM test graphs, for the benchmarks and the kernel tests.

Not the project's road-network builder (that is :mod:`reseau`, with the French speed
model, the peak-hour factors and the junction delays): just enough to route on a real
street network. Drivable ways only, speed = the first number of ``maxspeed`` or a default
per road class, time = length / speed, ``oneway`` respected.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from reseau import Graphe

__all__ = ["VITESSES_DEFAUT", "graphe_graphml", "graphe_pbf"]

#: Default speeds (km/h) of the drivable road classes when ``maxspeed`` is missing.
VITESSES_DEFAUT = {
    "motorway": 130.0,
    "motorway_link": 70.0,
    "trunk": 110.0,
    "trunk_link": 60.0,
    "primary": 80.0,
    "primary_link": 50.0,
    "secondary": 80.0,
    "secondary_link": 50.0,
    "tertiary": 70.0,
    "tertiary_link": 40.0,
    "unclassified": 50.0,
    "residential": 30.0,
    "living_street": 20.0,
    "service": 20.0,
    "road": 30.0,
}

_NOMBRE = re.compile(r"\d+(?:\.\d+)?")


def _classe(valeur: Any) -> str | None:
    """The first drivable class of a ``highway`` value (str or list), or None."""
    if isinstance(valeur, str) and valeur.startswith("["):
        valeurs = re.findall(r"'([^']+)'", valeur)
    elif isinstance(valeur, list | tuple):
        valeurs = [str(v) for v in valeur]
    else:
        valeurs = [str(valeur)]
    for v in valeurs:
        if v in VITESSES_DEFAUT:
            return v
    return None


def _vitesse(maxspeed: Any, classe: str) -> float:
    if maxspeed is not None and not (isinstance(maxspeed, float) and np.isnan(maxspeed)):
        trouve = _NOMBRE.search(str(maxspeed))
        if trouve and float(trouve.group()) > 0:
            return float(trouve.group())
    return VITESSES_DEFAUT[classe]


def _graphe(u: list[int], v: list[int], temps: list[float], metadonnees: dict[str, Any]) -> Graphe:
    ids, inverse = np.unique(np.asarray(u + v, dtype=np.int64), return_inverse=True)
    m = len(u)
    return Graphe.depuis_arcs(
        inverse[:m], inverse[m:], temps, ids.size, osm_ids=ids, metadonnees=metadonnees
    )


def graphe_graphml(chemin: str | Path) -> Graphe:
    """Read an osmnx GraphML file (already directed) into a :class:`reseau.Graphe`."""
    import osmnx as ox

    g = ox.load_graphml(chemin)
    u: list[int] = []
    v: list[int] = []
    temps: list[float] = []
    for a, b, donnees in g.edges(data=True):
        classe = _classe(donnees.get("highway"))
        if classe is None:
            continue
        u.append(int(a))
        v.append(int(b))
        temps.append(float(donnees["length"]) / (_vitesse(donnees.get("maxspeed"), classe) / 3.6))
    return _graphe(u, v, temps, {"source": str(chemin), "lecteur": "benchmarks.reels"})


def graphe_pbf(chemin: str | Path) -> Graphe:
    """Read the drivable network of an ``.osm.pbf`` file (pyrosm) into a :class:`reseau.Graphe`."""
    import pyrosm

    _, aretes = pyrosm.OSM(str(chemin)).get_network(network_type="driving", nodes=True)
    u: list[int] = []
    v: list[int] = []
    temps: list[float] = []
    colonnes = ["u", "v", "length", "highway", "maxspeed", "oneway", "junction"]
    for a, b, longueur, highway, maxspeed, oneway, junction in aretes[colonnes].itertuples(
        index=False
    ):
        classe = _classe(highway)
        if classe is None:
            continue
        t = float(longueur) / (_vitesse(maxspeed, classe) / 3.6)
        sens = str(oneway).lower()
        direct = sens != "-1"
        retour = sens not in ("yes", "true", "1", "-1") and junction != "roundabout"
        if sens == "-1":
            retour = True
        if direct:
            u.append(int(a))
            v.append(int(b))
            temps.append(t)
        if retour:
            u.append(int(b))
            v.append(int(a))
            temps.append(t)
    return _graphe(u, v, temps, {"source": str(chemin), "lecteur": "benchmarks.reels"})
