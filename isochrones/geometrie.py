"""Polygons of the reachable road: from node times to isochrone bands.

Given, for every node, the time from (or to) the sources, each arc contributes the part of
it that is reached within a band: the whole arc when its far end is reached in time, the
reachable fraction (interpolated along the arc's straight segment) otherwise. That road is
widened by a small width and dissolved. Two interchangeable methods:

* ``vecteur``: exact shapely buffers of the reached segments, dissolved (small graphs);
* ``raster``: the reached road is sampled on a grid of ``pas_m`` metres, each cell keeping
  the lowest time of the road inside it, widened by a minimum filter of radius
  ``largeur_m`` and contoured once per band (large graphs: seconds for a département).

Both fill holes smaller than ``trou_min_m2`` (real holes, such as a lake with no road,
stay) and drop pieces smaller than ``aire_min_m2``. Bands are nested: each polygon
contains the previous one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from socle.erreurs import DonneesInvalides

__all__ = ["ParametresGeometrie", "Segments", "polygones_bandes"]

Methode = Literal["auto", "vecteur", "raster"]


@dataclass(frozen=True)
class ParametresGeometrie:
    """How reached road becomes polygons.

    Attributes
    ----------
    largeur_m
        Half-width of the band drawn around the reached road (metres).
    pas_m
        Grid step of the raster method (metres).
    trou_min_m2
        Holes smaller than this are filled (default 0.5 km²).
    aire_min_m2
        Pieces smaller than this are dropped (default: a disc of radius ``largeur_m``
        would not be dropped).
    methode
        ``auto`` picks ``vecteur`` up to ``seuil_vecteur`` reached arcs, else ``raster``.
    """

    largeur_m: float = 100.0
    pas_m: float = 50.0
    trou_min_m2: float = 500_000.0
    aire_min_m2: float = 20_000.0
    methode: Methode = "auto"
    seuil_vecteur: int = 200

    def __post_init__(self) -> None:
        if not (self.largeur_m > 0 and self.pas_m > 0):
            raise DonneesInvalides("La largeur et le pas des isochrones doivent être > 0 m.")
        if self.trou_min_m2 < 0 or self.aire_min_m2 < 0:
            raise DonneesInvalides("Les seuils de surface des isochrones doivent être >= 0.")
        if self.methode not in ("auto", "vecteur", "raster"):
            raise DonneesInvalides(f"Méthode de polygones inconnue : {self.methode}.")


@dataclass(frozen=True)
class Segments:
    """Arcs as straight segments walked from a start point reached at ``temps_depart_s``.

    For a search from the sources (``depuis``), the start is the arc's tail; for a search
    towards the sources (``vers``), the start is its head and the arc is walked backwards.
    """

    x0: NDArray[np.float64]
    y0: NDArray[np.float64]
    x1: NDArray[np.float64]
    y1: NDArray[np.float64]
    temps_depart_s: NDArray[np.float64]
    duree_s: NDArray[np.float64]

    def selection(self, masque: NDArray[np.bool_]) -> Segments:
        """The segments selected by a boolean mask."""
        return Segments(
            self.x0[masque],
            self.y0[masque],
            self.x1[masque],
            self.y1[masque],
            self.temps_depart_s[masque],
            self.duree_s[masque],
        )

    def __len__(self) -> int:
        return int(self.x0.shape[0])


def _parties_atteintes(
    seg: Segments, limite_s: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """End points of the part of each segment reached within ``limite_s``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(seg.duree_s > 0, (limite_s - seg.temps_depart_s) / seg.duree_s, 1.0)
    fraction = np.clip(fraction, 0.0, 1.0)
    return (
        seg.x0,
        seg.y0,
        seg.x0 + fraction * (seg.x1 - seg.x0),
        seg.y0 + fraction * (seg.y1 - seg.y0),
    )


def _nettoyer(geometrie: BaseGeometry, p: ParametresGeometrie) -> BaseGeometry:
    """Fill small holes, drop small pieces, return a valid (Multi)Polygon."""
    geometrie = shapely.make_valid(geometrie)
    morceaux = shapely.get_parts(geometrie)
    morceaux = morceaux[shapely.get_type_id(morceaux) == 3]  # polygons only
    gardes = []
    for poly in morceaux:
        if poly.area < p.aire_min_m2:
            continue
        trous = [
            anneau
            for anneau in poly.interiors
            if shapely.area(shapely.Polygon(anneau)) >= p.trou_min_m2
        ]
        gardes.append(shapely.Polygon(poly.exterior, trous))
    if len(gardes) == 1:
        return gardes[0]
    # the parts of a valid geometry are disjoint: no union needed, unless a filled hole
    # now covers another part (an island in a lake): then the union absorbs it
    multi = shapely.MultiPolygon(gardes)
    return multi if multi.is_valid else shapely.union_all(gardes)


def _vecteur(seg: Segments, limite_s: float, p: ParametresGeometrie) -> BaseGeometry:
    atteint = seg.temps_depart_s <= limite_s
    x0, y0, x1, y1 = _parties_atteintes(seg.selection(atteint), limite_s)
    if x0.size == 0:
        return shapely.MultiPolygon()
    coords = np.stack([np.column_stack([x0, y0]), np.column_stack([x1, y1])], axis=1)
    lignes = shapely.linestrings(coords)
    # the start points too: a zero-length part (self-loop, reached exactly at the limit)
    # has an empty buffer as a line
    departs = shapely.multipoints(np.column_stack([x0, y0]))
    return shapely.buffer(shapely.union_all([*lignes, departs]), p.largeur_m, quad_segs=4)


class _Grille:
    """The raster of the lowest reached time, widened by the road half-width."""

    def __init__(self, seg: Segments, limite_s: float, p: ParametresGeometrie) -> None:
        from scipy import ndimage

        atteint = seg.temps_depart_s <= limite_s
        s = seg.selection(atteint)
        pas = p.pas_m
        longueur = np.hypot(s.x1 - s.x0, s.y1 - s.y0)
        n = np.maximum(np.ceil(longueur / (pas / 2.0)).astype(np.int64), 1) + 1
        quel = np.repeat(np.arange(len(s)), n)
        debut = np.repeat(np.cumsum(n) - n, n)
        f = (np.arange(quel.size) - debut) / np.repeat(n - 1, n)
        temps = s.temps_depart_s[quel] + f * s.duree_s[quel]
        garder = temps <= limite_s
        px = s.x0[quel][garder] + f[garder] * (s.x1 - s.x0)[quel][garder]
        py = s.y0[quel][garder] + f[garder] * (s.y1 - s.y0)[quel][garder]
        temps = temps[garder]
        # the contour runs half a cell beyond the last marked cell centre
        rayon = max((p.largeur_m - pas / 2.0) / pas, 1.5)
        marge = math.ceil(rayon) + 2
        # grids aligned on multiples of the step: polygons of different sources match
        self.x_min = math.floor((px.min() if px.size else 0.0) / pas - marge) * pas
        self.y_min = math.floor((py.min() if py.size else 0.0) / pas - marge) * pas
        nx = math.ceil(((px.max() if px.size else 0.0) - self.x_min) / pas) + marge + 1
        ny = math.ceil(((py.max() if py.size else 0.0) - self.y_min) / pas) + marge + 1
        ix = np.floor((px - self.x_min) / pas).astype(np.int64)
        iy = np.floor((py - self.y_min) / pas).astype(np.int64)
        grille = np.full(ny * nx, np.inf, dtype=np.float64)
        np.minimum.at(grille, iy * nx + ix, temps)
        r = math.floor(rayon)
        yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
        empreinte = xx**2 + yy**2 <= rayon**2
        self.temps = ndimage.minimum_filter(
            grille.reshape(ny, nx), footprint=empreinte, mode="constant", cval=np.inf
        )
        self.pas = pas
        # cell centres
        self.cx = self.x_min + (np.arange(nx) + 0.5) * pas
        self.cy = self.y_min + (np.arange(ny) + 0.5) * pas

    def polygone(self, limite_s: float) -> BaseGeometry:
        import contourpy

        masque = (self.temps <= limite_s).astype(np.float64)
        if not masque.any():
            return shapely.MultiPolygon()
        generateur = contourpy.contour_generator(
            self.cx, self.cy, masque, fill_type=contourpy.FillType.OuterOffset
        )
        rempli = generateur.filled(0.5, 1.5)
        points: list[Any] = list(rempli[0] or [])
        decalages: list[Any] = list(rempli[1] or [])
        polygones = []
        for pts, dec in zip(points, decalages, strict=True):
            anneaux = [pts[dec[i] : dec[i + 1]] for i in range(len(dec) - 1)]
            polygones.append(shapely.Polygon(anneaux[0], anneaux[1:]))
        # contourpy's filled polygons (outer ring and its holes) are disjoint
        return shapely.MultiPolygon(polygones)


def polygones_bandes(
    segments: Segments,
    seuils_s: list[float],
    *,
    parametres: ParametresGeometrie | None = None,
    points_atteints: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]
    | None = None,
) -> list[BaseGeometry]:
    """One polygon per band (nested, lowest first) from walked segments.

    Parameters
    ----------
    segments
        The arcs with the time at their start point.
    seuils_s
        Band limits in seconds, increasing.
    parametres
        Width, grid step, hole and sliver thresholds, method.
    points_atteints
        Optional ``(x, y, temps_s)`` of reached points (the sources: an isolated source
        node has no reached arc); drawn like a zero-length road.

    Returns
    -------
    list of shapely geometries
        ``(Multi)Polygon`` per band, each containing the previous one; empty when nothing
        is reached.
    """
    p = parametres or ParametresGeometrie()
    seuils = [float(s) for s in seuils_s]
    if not seuils or any(s <= 0 for s in seuils) or seuils != sorted(seuils):
        raise DonneesInvalides(
            "Les temps des isochrones doivent être positifs et croissants (ex. 10,20,30)."
        )
    if points_atteints is not None:
        # reached points as zero-length segments: drawn like the road, in one pass
        px, py, pt = (np.asarray(v, dtype=np.float64) for v in points_atteints)
        segments = Segments(
            np.concatenate([segments.x0, px]),
            np.concatenate([segments.y0, py]),
            np.concatenate([segments.x1, px]),
            np.concatenate([segments.y1, py]),
            np.concatenate([segments.temps_depart_s, pt]),
            np.concatenate([segments.duree_s, np.zeros_like(pt)]),
        )
    utiles = segments.selection(segments.temps_depart_s <= seuils[-1])
    methode = p.methode
    if methode == "auto":
        methode = "vecteur" if len(utiles) <= p.seuil_vecteur else "raster"
    grille = _Grille(utiles, seuils[-1], p) if methode == "raster" and len(utiles) else None
    resultat: list[BaseGeometry] = []
    precedent: BaseGeometry = shapely.MultiPolygon()
    for limite in seuils:
        brut = grille.polygone(limite) if grille is not None else _vecteur(utiles, limite, p)
        courant = _nettoyer(shapely.union(brut, precedent), p)
        resultat.append(courant)
        precedent = courant
    return resultat
