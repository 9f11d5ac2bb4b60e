"""A hand-made road graph: a square grid of two-way roads at one speed, in Lambert-93.

On such a grid the shortest time between two nodes is known without any search: the
Manhattan distance in steps times the time of one step. :class:`Grille` builds the graph
and gives that reference for places snapped to it, with the connector priced like
:class:`accessibilite.SourceReseau` does (straight line to the nearest node at 15 km/h,
at both ends).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from reseau import VITESSE_CONNECTEUR_KMH, Graphe

__all__ = ["Grille"]


@dataclass(frozen=True)
class Grille:
    """``nx`` × ``ny`` nodes ``pas_m`` apart from (``x0``, ``y0``); ``pas_s`` per step."""

    x0: float
    y0: float
    nx: int
    ny: int
    pas_m: float = 1000.0
    pas_s: float = 60.0

    @classmethod
    def couvrant(cls, bornes: NDArray[np.float64], *, marge_m: float = 3000.0) -> Grille:
        """The grid covering ``(xmin, ymin, xmax, ymax)`` plus a margin, 1 km steps."""
        xmin, ymin, xmax, ymax = (float(v) for v in bornes)
        pas = 1000.0
        x0, y0 = np.floor((xmin - marge_m) / pas) * pas, np.floor((ymin - marge_m) / pas) * pas
        nx = int(np.ceil((xmax + marge_m - x0) / pas)) + 1
        ny = int(np.ceil((ymax + marge_m - y0) / pas)) + 1
        return cls(float(x0), float(y0), nx, ny, pas)

    def graphe(self) -> Graphe:
        ix, iy = np.meshgrid(np.arange(self.nx), np.arange(self.ny))
        ident = (iy * self.nx + ix).ravel()
        droite = (ix < self.nx - 1).ravel()
        haut = (iy < self.ny - 1).ravel()
        a = np.concatenate([ident[droite], ident[haut]])
        b = np.concatenate([ident[droite] + 1, ident[haut] + self.nx])
        return Graphe.depuis_arcs(
            np.concatenate([a, b]),
            np.concatenate([b, a]),
            np.full(2 * a.size, self.pas_s),
            self.nx * self.ny,
            x=self.x0 + ix.ravel() * self.pas_m,
            y=self.y0 + iy.ravel() * self.pas_m,
            crs="EPSG:2154",
            metadonnees={"source": {"type": "grille de test"}},
        )

    def _accrocher(
        self, x: NDArray[np.float64], y: NDArray[np.float64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        ix = np.rint((np.asarray(x) - self.x0) / self.pas_m).astype(np.int64)
        iy = np.rint((np.asarray(y) - self.y0) / self.pas_m).astype(np.int64)
        distance = np.hypot(x - (self.x0 + ix * self.pas_m), y - (self.y0 + iy * self.pas_m))
        return ix, iy, distance / (VITESSE_CONNECTEUR_KMH / 3.6)

    def temps_s(
        self,
        origines: tuple[NDArray[np.float64], NDArray[np.float64]],
        cibles: tuple[NDArray[np.float64], NDArray[np.float64]],
    ) -> NDArray[np.float64]:
        """Times (s) from each origin to each target point: connectors + grid steps."""
        ox, oy, oc = self._accrocher(*origines)
        cx, cy, cc = self._accrocher(*cibles)
        pas = np.abs(ox[:, None] - cx[None, :]) + np.abs(oy[:, None] - cy[None, :])
        return oc[:, None] + pas * self.pas_s + cc[None, :]
