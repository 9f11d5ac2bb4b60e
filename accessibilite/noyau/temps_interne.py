"""Time inside the commune: the mean time of its inhabitants to its centre.

A centre-to-centre source puts a commune that holds a service at 0 min; INSEE's access
times (Metric-OSRM per 200 m square, averaged over the population) count the trip inside
the commune, 1 to 3 min. :class:`ModeleTempsInterne` estimates it as::

    minutes = a + b × d

where ``d`` is the mean straight-line distance (km) from the commune's inhabitants to its
centre and ``b`` the pace of the straight-line model (min/km). Without a population grid,
the inhabitants are spread evenly on a disc of the commune's surface ``S``, whose mean
distance to its centre is ``2/3 × √(S/π)``
(:func:`distance_moyenne_disque_km`); with a grid, ``d`` is the population-weighted mean
distance of the grid's squares to the centre.

:class:`SourceAvecTempsInterne` wraps any source and adds each origin's internal time to
every trip that starts there (the trip to itself included), so the pole and indicator code
never knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accessibilite.noyau.lieux import Lieux
from accessibilite.noyau.sources import SourceTemps
from socle.erreurs import DonneesInvalides

__all__ = [
    "A_INTERNE_MIN_DEFAUT",
    "B_INTERNE_MIN_PAR_KM_DEFAUT",
    "ModeleTempsInterne",
    "SourceAvecTempsInterne",
    "distance_moyenne_disque_km",
]

#: Constant of the internal time (minutes): the median of ``reference − 1.32 × d`` over the
#: Nord communes holding a pharmacy, a post office, a bakery or an elementary school both in
#: the BPE 2013 and in INSEE's 2025 access times (902 cases; 0.39 min, mean absolute error
#: 0.47 min): ``benchmarks/calibration.py``, ``benchmarks/RESULTS.md``.
A_INTERNE_MIN_DEFAUT = 0.4
#: Pace of the internal time (min/km): the straight-line model's published pace.
B_INTERNE_MIN_PAR_KM_DEFAUT = 1.32


def distance_moyenne_disque_km(surface_km2: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """Mean distance (km) from points spread evenly on a disc of this surface to its centre.

    For a disc of radius ``R`` the mean distance to the centre is ``2R/3``, with
    ``R = √(S/π)``.
    """
    surface = np.asarray(surface_km2, dtype=np.float64)
    if (~np.isfinite(surface) | (surface < 0)).any():
        raise DonneesInvalides("Surfaces de communes invalides (négatives ou non finies).")
    return 2.0 / 3.0 * np.sqrt(surface / np.pi)


@dataclass(frozen=True)
class ModeleTempsInterne:
    """Internal time of a commune: ``a + b × d`` minutes, ``d`` the mean distance in km.

    Attributes
    ----------
    a_min
        Constant (minutes): leaving, parking, the first and last metres.
    b_min_par_km
        Pace (minutes per straight-line km).
    """

    a_min: float = A_INTERNE_MIN_DEFAUT
    b_min_par_km: float = B_INTERNE_MIN_PAR_KM_DEFAUT

    def __post_init__(self) -> None:
        if not (np.isfinite(self.a_min) and np.isfinite(self.b_min_par_km)):
            raise DonneesInvalides("Les coefficients du temps interne doivent être finis.")
        if self.a_min < 0 or self.b_min_par_km < 0:
            raise DonneesInvalides(
                "Coefficients du temps interne invalides : il faut a >= 0 et b >= 0 "
                f"(reçu a = {self.a_min}, b = {self.b_min_par_km})."
            )

    def minutes(self, distance_km: NDArray[np.float64] | float) -> NDArray[np.float64]:
        """Internal time in minutes for a mean distance ``distance_km``."""
        d = np.asarray(distance_km, dtype=np.float64)
        if (~np.isfinite(d) | (d < 0)).any():
            raise DonneesInvalides(
                "Distances moyennes internes invalides (négatives ou non finies)."
            )
        return self.a_min + self.b_min_par_km * d

    def description(self) -> str:
        """One French line for outputs."""
        return (
            f"temps interne à la commune ajouté au départ : {self.a_min:.2f} min + "
            f"{self.b_min_par_km:.2f} min/km × distance moyenne des habitants au centre"
        )


class SourceAvecTempsInterne:
    """A source whose trips pay, at their start, the internal time of the origin commune.

    Parameters
    ----------
    source
        Any travel-time source.
    temps_s
        Internal time (seconds) of each origin code; an origin missing from it is an error.
    modele
        The model that gave the times (for descriptions and outputs).
    origine_distances
        ``"surface"`` or ``"grille"``: where the mean distances came from.
    """

    def __init__(
        self,
        source: SourceTemps,
        temps_s: Mapping[str, float],
        *,
        modele: ModeleTempsInterne | None = None,
        origine_distances: str = "surface",
    ) -> None:
        self.source = source
        self.temps_s = dict(temps_s)
        self.modele = modele or ModeleTempsInterne()
        self.origine_distances = origine_distances

    @property
    def nom(self) -> str:
        return self.source.nom

    def __getattr__(self, nom: str) -> object:
        # fichier, provenance, hors_reseau... of the wrapped source
        if nom in ("source", "temps_s", "modele", "origine_distances"):
            raise AttributeError(nom)
        return getattr(self.source, nom)

    def description(self) -> str:
        return f"{self.source.description()} ; {self.modele.description()}"

    def _internes(self, origines: Lieux) -> NDArray[np.float64]:
        codes = np.asarray(origines.codes, dtype=str)
        absentes = [c for c in codes if c not in self.temps_s]
        if absentes:
            raise DonneesInvalides(
                f"Temps interne inconnu pour {len(absentes)} communes (par exemple "
                f"{', '.join(absentes[:5])})."
            )
        return np.array([self.temps_s[c] for c in codes], dtype=np.float64)

    def plus_proche(
        self, origines: Lieux, cibles: Lieux
    ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        temps, indice = self.source.plus_proche(origines, cibles)
        return temps + self._internes(origines), indice

    def matrice(self, origines: Lieux, destinations: Lieux) -> NDArray[np.float64]:
        return self.source.matrice(origines, destinations) + self._internes(origines)[:, None]
