"""Isochrones of all the poles of a level: ours against osmnx's documented approach.

osmnx's documented recipe (its "isochrones" example notebook) is, for each centre,
``networkx.ego_graph(G, centre, radius=t, distance="time")`` then the convex hull of the
reached nodes. We run it on the same graph with the same travel times, for a sample of
centres (networkx is slow on large graphs: the total for every pole is extrapolated from
the sample and labelled so), and compare with one multi-source search plus the vectorised
reached-road polygons of :mod:`isochrones`.

Usage::

    python benchmarks/isochrones.py [--taille departement] [--poles 300] [--json FILE]

Graphs: the real Andorra extract (OpenStreetMap 2024, ../shared/data/osm/andorra.osm.pbf)
and the seeded synthetic département graph (labelled synthetic).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

RACINE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RACINE))

from benchmarks.generateur import graphe_synthetique, noeuds_aleatoires  # noqa: E402
from isochrones import isochrones_noeuds  # noqa: E402
from reseau import Graphe  # noqa: E402

SEUILS_MIN = (10, 20, 30)


def _nx(graphe: Graphe) -> Any:
    import networkx as nx

    g = nx.DiGraph()
    sources = graphe.sources_arcs()
    g.add_weighted_edges_from(
        zip(
            sources.tolist(),
            graphe.indices.tolist(),
            graphe.temps_s.astype(float).tolist(),
            strict=True,
        ),
        weight="time",
    )
    return g


def _osmnx_recette(g_nx: Any, graphe: Graphe, centre: int) -> list[Any]:
    """ego_graph + convex hull per band, as osmnx's example does."""
    import networkx as nx
    import shapely

    polygones = []
    for t in SEUILS_MIN:
        sous = nx.ego_graph(g_nx, centre, radius=t * 60.0, distance="time")
        noeuds = np.fromiter(sous.nodes, dtype=np.int64)
        points = shapely.points(graphe.x[noeuds], graphe.y[noeuds])
        polygones.append(shapely.convex_hull(shapely.multipoints(points)))
    return polygones


def mesurer(nom: str, graphe: Graphe, n_poles: int, echantillon: int) -> dict[str, Any]:
    poles = noeuds_aleatoires(graphe, n_poles, graine=1)
    isochrones_noeuds(graphe, poles[:2], (5,))  # JIT warm-up
    debut = time.perf_counter()
    union = isochrones_noeuds(graphe, poles, SEUILS_MIN)
    t_union = time.perf_counter() - debut
    debut = time.perf_counter()
    par_pole = isochrones_noeuds(graphe, poles, SEUILS_MIN, par_source=True)
    t_par_pole = time.perf_counter() - debut
    debut = time.perf_counter()
    g_nx = _nx(graphe)
    t_conversion = time.perf_counter() - debut
    debut = time.perf_counter()
    for centre in poles[:echantillon]:
        _osmnx_recette(g_nx, graphe, int(centre))
    t_osmnx = (time.perf_counter() - debut) / echantillon * n_poles
    return {
        "graphe": nom,
        "noeuds": graphe.n_noeuds,
        "arcs": graphe.n_arcs,
        "poles": n_poles,
        "nous_union_s": round(t_union, 2),
        "nous_par_pole_s": round(t_par_pole, 2),
        "osmnx_ego_hull_s_extrapole": round(t_osmnx, 1),
        "osmnx_conversion_s": round(t_conversion, 1),
        "echantillon_osmnx": echantillon,
        "ratio_par_pole": round(t_osmnx / t_par_pole, 1),
        "aire_30min_km2": round(float(union.geometry.iloc[-1].area) / 1e6, 1),
        "polygones_par_pole": len(par_pole),
    }


def main() -> None:
    analyseur = argparse.ArgumentParser(description=__doc__)
    analyseur.add_argument("--taille", default="departement")
    analyseur.add_argument("--poles", type=int, default=300)
    analyseur.add_argument("--echantillon", type=int, default=5)
    analyseur.add_argument("--json", type=Path)
    options = analyseur.parse_args()
    lignes = []
    pbf = RACINE.parent / "shared" / "data" / "osm" / "andorra.osm.pbf"
    if pbf.exists():
        from reseau import construire_graphe

        g = construire_graphe(pbf, cache=False)
        lignes.append(mesurer("Andorre (OSM réel)", g, min(options.poles, 30), options.echantillon))
    g = graphe_synthetique(options.taille, graine=0)
    lignes.append(mesurer(f"{options.taille} (synthétique)", g, options.poles, options.echantillon))
    entete = list(lignes[0])
    print(" | ".join(entete))
    for ligne in lignes:
        print(" | ".join(str(ligne[c]) for c in entete))
    if options.json:
        options.json.write_text(
            json.dumps(
                {"machine": platform.platform(), "python": sys.version, "resultats": lignes},
                indent=2,
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    main()
