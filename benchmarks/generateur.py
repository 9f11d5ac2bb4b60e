"""Seeded synthetic road-like graphs for the benchmarks (labelled synthetic everywhere).

No real road network of département size is available offline, so the benchmarks run on a
generated one: a planar grid whose nodes are jittered, with a road hierarchy on the grid
lines (residential, secondary, primary), motorways as long arcs between sparse junctions,
towns where speeds drop, some residential streets removed and some made one-way, and
arc lengths stretched a little for curvature. The road hierarchy matters: a contraction
hierarchy does well on road graphs because fast roads carry the long trips, and worst on a
plain grid of equal roads. Nodes are numbered along a Morton (Z-order) curve, as the OSM
builder of :mod:`reseau` numbers them (``numerotation="rangees"``: row by row, the order
of the first benchmarks).

Sizes: ``departement`` (about 300,000 nodes, about 82 km across with 150 m spacing, like
the Pas-de-Calais) and ``region`` (about 1,500,000 nodes).

Usage from Python::

    from benchmarks.generateur import graphe_synthetique
    g = graphe_synthetique("departement", graine=0)
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from reseau import Graphe

__all__ = ["TAILLES", "graphe_synthetique", "noeuds_aleatoires"]

#: Target node counts of the named sizes.
TAILLES = {"departement": 300_000, "region": 1_500_000, "test": 2_500}

# Speeds (km/h) of the road classes.
_VITESSE_RESIDENTIELLE = (30.0, 50.0)
_VITESSE_SECONDAIRE = 70.0
_VITESSE_PRIMAIRE = 90.0
_VITESSE_AUTOROUTE = 130.0
# Grid lines carrying each class (every n-th line) and motorway junction spacing (nodes).
_PAS_SECONDAIRE = 6
_PAS_PRIMAIRE = 24
_PAS_AUTOROUTE = 110
_PAS_ECHANGEUR = 20
_PART_SUPPRIMEE = 0.20
_PART_SENS_UNIQUE = 0.08


def _morton(i: NDArray[np.int64], j: NDArray[np.int64]) -> NDArray[np.int64]:
    """Z-order code of grid cells (bits of ``i`` and ``j`` interleaved, 21 bits each)."""
    code = np.zeros(i.shape, dtype=np.int64)
    for b in range(21):
        code |= ((i >> b) & 1) << (2 * b)
        code |= ((j >> b) & 1) << (2 * b + 1)
    return code


def graphe_synthetique(
    taille: str | int = "departement",
    *,
    graine: int = 0,
    espacement_m: float = 150.0,
    numerotation: str = "morton",
) -> Graphe:
    """Generate a seeded synthetic road-like graph.

    Parameters
    ----------
    taille
        ``"departement"`` (about 300,000 nodes), ``"region"`` (about 1,500,000), ``"test"``
        (about 2,500) or a node count.
    graine
        Random seed: the same seed gives the same graph.
    espacement_m
        Mean distance between neighbouring grid nodes (metres).
    numerotation
        ``"morton"`` (default: Z-order of the grid cells, like the OSM builder) or
        ``"rangees"`` (row by row).

    Returns
    -------
    reseau.Graphe
        Times in seconds, coordinates in metres (no CRS: synthetic), ``metadonnees`` saying
        it is synthetic with its seed and size.
    """
    n_cible = TAILLES[taille] if isinstance(taille, str) else int(taille)
    cote = max(2, round(math.sqrt(n_cible)))
    nx_, ny_ = cote, max(2, n_cible // cote)
    n = nx_ * ny_
    rng = np.random.default_rng(graine)
    ii, jj = np.meshgrid(np.arange(nx_), np.arange(ny_), indexing="xy")
    ii, jj = ii.ravel(), jj.ravel()  # node k = j * nx_ + i (row by row)
    x = (ii + rng.uniform(-0.35, 0.35, n)) * espacement_m
    y = (jj + rng.uniform(-0.35, 0.35, n)) * espacement_m

    # Grid edges: horizontal (k, k + 1) on row j, vertical (k, k + nx_) on column i.
    noeud = np.arange(n).reshape(ny_, nx_)
    h_a, h_b = noeud[:, :-1].ravel(), noeud[:, 1:].ravel()
    v_a, v_b = noeud[:-1, :].ravel(), noeud[1:, :].ravel()
    ligne_h = np.broadcast_to(np.arange(ny_)[:, None], (ny_, nx_ - 1)).ravel()
    ligne_v = np.broadcast_to(np.arange(nx_)[None, :], (ny_ - 1, nx_)).ravel()
    a = np.concatenate([h_a, v_a])
    b = np.concatenate([h_b, v_b])
    ligne = np.concatenate([ligne_h, ligne_v])
    vitesse = rng.uniform(*_VITESSE_RESIDENTIELLE, a.size)
    classe = np.zeros(a.size, dtype=np.int8)  # 0 residential, 1 secondary, 2 primary
    classe[ligne % _PAS_SECONDAIRE == 0] = 1
    classe[ligne % _PAS_PRIMAIRE == 0] = 2
    vitesse[classe == 1] = _VITESSE_SECONDAIRE
    vitesse[classe == 2] = _VITESSE_PRIMAIRE

    # Towns: speeds capped at 50 km/h (30 on residential streets) near a few centres.
    n_villes = max(1, n // 6_000)
    centres = rng.uniform(0, 1, (n_villes, 2)) * [nx_ * espacement_m, ny_ * espacement_m]
    rayons = rng.uniform(500, 2_500, n_villes)
    mx, my = (x[a] + x[b]) / 2, (y[a] + y[b]) / 2
    en_ville = np.zeros(a.size, dtype=bool)
    for (cx, cy), r in zip(centres, rayons, strict=True):
        en_ville |= (mx - cx) ** 2 + (my - cy) ** 2 < r * r
    vitesse[en_ville] = np.minimum(vitesse[en_ville], 50.0)
    vitesse[en_ville & (classe == 0)] = 30.0

    # Remove some residential streets, make some others one-way.
    garder = (classe > 0) | (rng.uniform(0, 1, a.size) >= _PART_SUPPRIMEE)
    a, b, vitesse, classe = a[garder], b[garder], vitesse[garder], classe[garder]
    sens_unique = (classe == 0) & (rng.uniform(0, 1, a.size) < _PART_SENS_UNIQUE)
    inverser = sens_unique & (rng.uniform(0, 1, a.size) < 0.5)
    a, b = np.where(inverser, b, a), np.where(inverser, a, b)

    # Motorways: long arcs between junctions every _PAS_ECHANGEUR nodes along some rows
    # and columns (both carriageways), crossing the whole grid.
    auto_a: list[NDArray[np.int64]] = []
    auto_b: list[NDArray[np.int64]] = []
    debut = _PAS_AUTOROUTE // 2
    for j in range(debut, ny_, _PAS_AUTOROUTE):
        echangeurs = noeud[j, ::_PAS_ECHANGEUR]
        auto_a.append(echangeurs[:-1])
        auto_b.append(echangeurs[1:])
    for i in range(debut, nx_, _PAS_AUTOROUTE):
        echangeurs = noeud[::_PAS_ECHANGEUR, i]
        auto_a.append(echangeurs[:-1])
        auto_b.append(echangeurs[1:])
    aa = np.concatenate(auto_a) if auto_a else np.empty(0, dtype=np.int64)
    ab = np.concatenate(auto_b) if auto_b else np.empty(0, dtype=np.int64)

    longueur = np.hypot(x[a] - x[b], y[a] - y[b]) * rng.uniform(1.0, 1.3, a.size)
    longueur_auto = np.hypot(x[aa] - x[ab], y[aa] - y[ab]) * 1.05
    temps = longueur / (vitesse / 3.6)
    temps_auto = longueur_auto / (_VITESSE_AUTOROUTE / 3.6)
    deux_sens = ~sens_unique
    sources = np.concatenate([a, b[deux_sens], aa, ab])
    cibles = np.concatenate([b, a[deux_sens], ab, aa])
    temps_s = np.concatenate([temps, temps[deux_sens], temps_auto, temps_auto])
    if numerotation == "morton":
        # New number of node k: its rank along the Z-order curve of the grid.
        rang = np.empty(n, dtype=np.int64)
        rang[np.argsort(_morton(ii.astype(np.int64), jj.astype(np.int64)), kind="stable")] = (
            np.arange(n)
        )
        sources, cibles = rang[sources], rang[cibles]
        ordre = np.argsort(rang)
        x, y = x[ordre], y[ordre]
    elif numerotation != "rangees":
        raise ValueError(f"numérotation inconnue : {numerotation}")
    return Graphe.depuis_arcs(
        sources,
        cibles,
        temps_s,
        n,
        x=x,
        y=y,
        metadonnees={
            "source": "synthétique (benchmarks/generateur.py)",
            "synthetique": True,
            "graine": graine,
            "taille": str(taille),
            "espacement_m": espacement_m,
            "numerotation": numerotation,
        },
    )


def noeuds_aleatoires(graphe: Graphe, nombre: int, *, graine: int = 0) -> NDArray[np.int64]:
    """Draw ``nombre`` distinct nodes uniformly (seeded): commune-like places or poles."""
    rng = np.random.default_rng(graine)
    return np.sort(rng.choice(graphe.n_noeuds, size=nombre, replace=False)).astype(np.int64)
