"""The symbology every output shares: time classes, colours, line styles, French numbers.

The print maps (:mod:`cartes`), the interactive map and the QGIS styles written into the
GeoPackages (:mod:`socle.styles_qgis`) read their classes and colours here, so that a
layer opened in QGIS looks like the map in the report. The colour ramps lose lightness
class after class, so that they still read once printed in black and white.

Line widths and marker sizes are in typographic points (1 pt = 0.3528 mm), as Matplotlib
draws them; :func:`pt_en_mm` converts them for QGIS.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "BORD_VOISINES",
    "CLASSES_TEMPS",
    "COULEURS_ACCORD",
    "COULEURS_CUMUL",
    "COULEURS_TEMPS",
    "COULEUR_BORD_COMMUNES",
    "COULEUR_EPCI",
    "COULEUR_HACHURES",
    "COULEUR_SANS_TEMPS",
    "COULEUR_VOISINES",
    "GRIS_CUMUL",
    "GRIS_TEMPS",
    "LARGEUR_BORD_COMMUNES_PT",
    "LARGEUR_DEPARTEMENT_PT",
    "LARGEUR_EPCI_PT",
    "LARGEUR_ZONE_GRISE_PT",
    "LIBELLES_ACCORD",
    "LIBELLE_SANS_TEMPS",
    "SEUIL_SOMBRE",
    "TAILLES_POLES",
    "ClasseTemps",
    "classe_temps",
    "couleurs_cumul",
    "libelles_cumul",
    "luminance",
    "nombre_fr",
    "pt_en_mm",
    "seuil_fr",
    "texte_fr",
]


@dataclass(frozen=True)
class ClasseTemps:
    """A class of car time: ``(bas, haut]`` minutes (``bas == haut == 0`` for the poles)."""

    bas: float
    haut: float
    libelle: str


#: Classes of the time to the nearest pole; the upper bound belongs to the class, so the
#: thresholds 10, 20 and 30 min split classes exactly where zones grises start.
CLASSES_TEMPS: tuple[ClasseTemps, ...] = (
    ClasseTemps(0.0, 0.0, "pôle (0 min)"),
    ClasseTemps(0.0, 5.0, "5 min ou moins"),
    ClasseTemps(5.0, 10.0, "5 à 10 min"),
    ClasseTemps(10.0, 20.0, "10 à 20 min"),
    ClasseTemps(20.0, 30.0, "20 à 30 min"),
    ClasseTemps(30.0, math.inf, "plus de 30 min"),
)

#: Colours of :data:`CLASSES_TEMPS` (ColorBrewer YlOrRd): lightness falls class after class.
COULEURS_TEMPS: tuple[str, ...] = (
    "#ffffb2",
    "#fed976",
    "#feb24c",
    "#fd8d3c",
    "#e31a1c",
    "#b10026",
)
#: The same classes in shades of grey, for print without colour.
GRIS_TEMPS: tuple[str, ...] = ("#ffffff", "#e3e3e3", "#c6c6c6", "#9c9c9c", "#6b6b6b", "#3a3a3a")
#: Communes with no reachable pole (no time).
COULEUR_SANS_TEMPS = "#d0d0d0"
LIBELLE_SANS_TEMPS = "aucun pôle atteignable"

#: Colours of the overlay map, from 0 to 4 levels in zone grise (ColorBrewer Purples).
COULEURS_CUMUL: tuple[str, ...] = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")
GRIS_CUMUL: tuple[str, ...] = ("#ffffff", "#d4d4d4", "#a8a8a8", "#7c7c7c", "#505050")

#: Zone grise hatching: dark lines, white ones over fills darker than :data:`SEUIL_SOMBRE`.
COULEUR_HACHURES = "#111111"
#: Relative luminance under which a fill is dark (white hatching and outlines over it).
SEUIL_SOMBRE = 0.12
#: Outline of the union of the communes in zone grise.
LARGEUR_ZONE_GRISE_PT = 1.0

#: Commune edges (thin white lines between the coloured communes).
COULEUR_BORD_COMMUNES = "#ffffff"
LARGEUR_BORD_COMMUNES_PT = 0.18
#: EPCI boundaries (dashed) and their labels.
COULEUR_EPCI = "#2b2b2b"
LARGEUR_EPCI_PT = 0.6
#: The département's outline.
LARGEUR_DEPARTEMENT_PT = 1.3
#: Communes of the buffer outside the département.
COULEUR_VOISINES = "#f4f4f4"
BORD_VOISINES = "#c4c4c4"

#: Pole markers: area in pt² (Matplotlib ``s``) per level; the diameter is its square root.
TAILLES_POLES: dict[str, float] = {
    "proximite": 10.0,
    "intermediaire": 18.0,
    "superieur": 30.0,
    "metropolitain": 40.0,
}


#: Agreement of two studies on a commune (``accord_<niveau>`` of a comparison): colour and
#: legend label of each class.
COULEURS_ACCORD: dict[str, str] = {
    "les deux": "#54278f",
    "précédente seulement": "#e6550d",
    "nouvelle seulement": "#3182bd",
    "aucune": "#f2f0eb",
}
LIBELLES_ACCORD: dict[str, str] = {
    "les deux": "en zone grise dans les deux études",
    "précédente seulement": "seulement dans l'étude précédente",
    "nouvelle seulement": "seulement dans la nouvelle analyse",
    "aucune": "en zone grise dans aucune",
}


def pt_en_mm(points: float) -> float:
    """Typographic points to millimetres (1 pt = 25.4 / 72 mm)."""
    return points * 25.4 / 72.0


def classe_temps(minutes: Sequence[float] | NDArray[np.float64]) -> NDArray[np.int64]:
    """Index in :data:`CLASSES_TEMPS` of each time, ``-1`` for NaN (no reachable pole)."""
    import numpy as np

    t = np.asarray(minutes, dtype=np.float64)
    bornes = np.array([c.haut for c in CLASSES_TEMPS[1:-1]])
    indices = 1 + np.searchsorted(bornes, t, side="left")
    indices = np.where(t <= 0.0, 0, indices)
    return np.where(np.isnan(t), -1, indices).astype(np.int64)


def couleurs_cumul(n_niveaux: int, *, gris: bool = False) -> list[str]:
    """Colours for 0 to ``n_niveaux`` levels in zone grise, evenly spread on the ramp."""
    rampe = GRIS_CUMUL if gris else COULEURS_CUMUL
    pas = (len(rampe) - 1) / max(n_niveaux, 1)
    # round half to even, as numpy's linspace(...).round() of the first version did
    return [rampe[round(k * pas)] for k in range(max(n_niveaux, 1) + 1)]


def libelles_cumul(n_niveaux: int) -> list[str]:
    """Legend labels of the overlay classes, 0 to ``n_niveaux`` levels."""
    libelles = ["aucun niveau"]
    for k in range(1, n_niveaux + 1):
        libelles.append(
            f"{k} niveau{'x' if k > 1 else ''}" + (" (tous)" if k == n_niveaux > 1 else "")
        )
    return libelles


def luminance(couleur: str) -> float:
    """Relative luminance (0 black to 1 white) of a ``#rrggbb`` colour (WCAG formula)."""
    r, g, b = (int(couleur[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def lineaire(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * lineaire(r) + 0.7152 * lineaire(g) + 0.0722 * lineaire(b)


def nombre_fr(valeur: float, decimales: int = 0) -> str:
    """French number: thin no-break space between thousands, decimal comma."""
    texte = f"{valeur:,.{decimales}f}"
    return texte.replace(",", "\u202f").replace(".", ",")


def seuil_fr(minutes: float) -> str:
    """A threshold in minutes without a useless decimal: ``10`` -> ``"10"``, ``12.5`` ->
    ``"12,5"``."""
    valeur = float(minutes)
    return nombre_fr(valeur, 0 if valeur.is_integer() else 1)


_DECIMAL = re.compile(r"(?<![\d.,])(\d+)\.(\d+)(?!\.?\d)")
_POURCENT = re.compile(r"(\d)%")


def texte_fr(texte: str) -> str:
    """Decimal commas in a French sentence built elsewhere (``"2.02 min"`` -> ``"2,02
    min"``, ``"50%"`` -> ``"50 %"``), leaving versions and addresses (``1.1.0``) alone."""
    return _POURCENT.sub("\\1\u202f%", _DECIMAL.sub(r"\1,\2", texte))
