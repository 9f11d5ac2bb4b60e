"""An error band on every travel time, and the state of a time against a threshold.

A :class:`Bande` holds, for classes of the computed time, quantiles of the residuals
``reference − model`` (minutes): a time ``t`` gets the interval ``[t + bas, t + haut]``
(never below 0). The quantiles come from a calibration on a reference
(``accessibilite temps calibrer``), or, without one, from the documented defaults of each
source (:func:`bande_defaut`). A band of zero width (:meth:`Bande.nulle`) gives every time
itself: the verdicts are those of the times alone.

Against a threshold ``s`` (:func:`etats`): ``zone grise`` when the whole interval is above
(``bas > s``), ``hors zone grise`` when it is all at or below (``haut <= s``), ``incertaine``
when it straddles the threshold. With a zero-width band the state is the plain rule "time
strictly above the threshold", so the verdicts are exactly those without a band. A pair
with no time (``inf``) is ``zone grise`` whatever the band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from socle.erreurs import DonneesInvalides

__all__ = [
    "BORNES_CLASSES_MIN",
    "ETATS",
    "Bande",
    "bande_defaut",
    "etats",
]

#: Upper bounds (minutes) of the classes of computed time; the last class is open.
BORNES_CLASSES_MIN: tuple[float, ...] = (5.0, 10.0, 20.0, 30.0)

#: The three states of a commune against a threshold.
ETATS = ("hors zone grise", "incertaine", "zone grise")

# Default residual quantiles (10 % and 90 %, minutes) of the straight-line estimate per
# class of computed time (0-5, 5-10, 10-20, 20-30, > 30 min): measured on the Nord reference
# (INSEE Metric-OSRM 2025, 266 communes, 14 services mapped to the BPE 2013, the communes
# whose own equipment agrees between the two), for the default model a = 2.02 min,
# b = 1.32 min/km with the default internal time (the reference counts it), nothing fitted:
# ``benchmarks/calibration.py``, ``benchmarks/RESULTS.md``. The model is biased there (it
# overestimates by 0.7 min on average), hence the lopsided band. Above 20 min the Nord has
# few residuals: the 30 min and more class repeats the 20-30 one (an assumption). The band
# is applied to centre-to-centre times too, as the uncertainty of the trip between
# communes.
_VOL_OISEAU_BAS = (-0.81, -3.24, -4.75, -7.25, -7.25)
_VOL_OISEAU_HAUT = (0.99, 0.88, 1.70, 0.88, 0.88)


@dataclass(frozen=True)
class Bande:
    """Residual quantiles per class of computed time (minutes).

    Attributes
    ----------
    bornes_min
        Increasing upper bounds of the classes; ``len(bornes_min) + 1`` classes, the last
        one open (a time equal to a bound belongs to the class it closes).
    bas_min, haut_min
        Lower and upper residual quantile of each class (``bas <= 0 <= haut`` is not
        required: a biased model has a shifted band).
    couverture
        Share of the reference the interval covers (0.8 for the 10 %–90 % quantiles).
    origine
        Where the quantiles come from (French, for outputs).
    """

    bornes_min: tuple[float, ...] = BORNES_CLASSES_MIN
    bas_min: tuple[float, ...] = (0.0,) * (len(BORNES_CLASSES_MIN) + 1)
    haut_min: tuple[float, ...] = (0.0,) * (len(BORNES_CLASSES_MIN) + 1)
    couverture: float = 0.8
    origine: str = "aucune incertitude"

    def __post_init__(self) -> None:
        n = len(self.bornes_min) + 1
        if len(self.bas_min) != n or len(self.haut_min) != n:
            raise DonneesInvalides(
                f"Bande d'incertitude : {n} classes de temps, il faut {n} quantiles bas et "
                f"{n} quantiles hauts (reçu {len(self.bas_min)} et {len(self.haut_min)})."
            )
        valeurs = np.array([*self.bornes_min, *self.bas_min, *self.haut_min], dtype=float)
        if not np.isfinite(valeurs).all():
            raise DonneesInvalides("Bande d'incertitude : valeurs non finies.")
        if any(b >= c for b, c in zip(self.bornes_min, self.bornes_min[1:], strict=False)):
            raise DonneesInvalides("Bande d'incertitude : bornes de classes non croissantes.")
        if any(b > h for b, h in zip(self.bas_min, self.haut_min, strict=True)):
            raise DonneesInvalides("Bande d'incertitude : un quantile bas dépasse le haut.")
        if not 0 < self.couverture < 1:
            raise DonneesInvalides("Bande d'incertitude : couverture entre 0 et 1.")

    @classmethod
    def nulle(cls) -> Bande:
        """The zero-width band: every interval is the time itself."""
        return cls(origine="aucune (--incertitude aucune)")

    @property
    def est_nulle(self) -> bool:
        """Whether every interval is the time itself."""
        return not any(self.bas_min) and not any(self.haut_min)

    def classe(self, temps_min: NDArray[np.float64]) -> NDArray[np.int64]:
        """Index of the class of each time (minutes)."""
        return np.searchsorted(
            np.asarray(self.bornes_min, dtype=np.float64),
            np.asarray(temps_min, dtype=np.float64),
            side="left",
        ).astype(np.int64)

    def intervalle_s(
        self, temps_s: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Lower and upper bound (seconds) of each time; ``inf`` stays ``inf``, 0 stays 0.

        A time of 0 (a commune that is itself a pole, without internal time) has no
        uncertainty: nothing is travelled. The interval always contains the time itself: a
        biased model (both quantiles of one sign) widens it towards the time
        (``[t + min(bas, 0), t + max(haut, 0)]``), so the verdict on the time alone lies
        within the range.
        """
        temps = np.asarray(temps_s, dtype=np.float64)
        if self.est_nulle:
            return temps.copy(), temps.copy()
        fini = np.isfinite(temps)
        k = self.classe(np.where(fini, temps, 0.0) / 60.0)
        q_bas = np.minimum(np.asarray(self.bas_min), 0.0)[k] * 60.0
        q_haut = np.maximum(np.asarray(self.haut_min), 0.0)[k] * 60.0
        bas = np.where(fini, np.maximum(temps + q_bas, 0.0), np.inf)
        haut = np.where(fini, temps + q_haut, np.inf)
        nul = temps == 0.0
        bas[nul], haut[nul] = 0.0, 0.0
        return bas, np.maximum(haut, bas)

    def description(self) -> str:
        """One French line for outputs and maps."""
        if self.est_nulle:
            return "aucune bande d'incertitude (temps pris comme exacts)"
        return f"bande d'incertitude à {round(100 * self.couverture)} % des temps : {self.origine}"

    def en_dict(self) -> dict[str, object]:
        """The band as plain values (``parametres.json``, calibration files)."""
        return {
            "bornes_min": list(self.bornes_min),
            "bas_min": list(self.bas_min),
            "haut_min": list(self.haut_min),
            "couverture": self.couverture,
            "origine": self.origine,
        }

    @classmethod
    def depuis_dict(cls, valeurs: dict[str, object], *, origine: str | None = None) -> Bande:
        """Rebuild a band from :meth:`en_dict` values (a calibration file's ``[bande]``)."""
        try:
            return cls(
                bornes_min=_nombres(valeurs["bornes_min"]),
                bas_min=_nombres(valeurs["bas_min"]),
                haut_min=_nombres(valeurs["haut_min"]),
                couverture=float(valeurs.get("couverture", 0.8)),  # type: ignore[arg-type]
                origine=str(origine or valeurs.get("origine", "calibration")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DonneesInvalides(
                f"Bande d'incertitude incomplète ou illisible ({exc}) : clés bornes_min, "
                "bas_min, haut_min attendues."
            ) from exc


def _nombres(valeur: object) -> tuple[float, ...]:
    if not isinstance(valeur, list | tuple):
        raise TypeError("une liste est attendue")
    return tuple(float(v) for v in valeur)


def bande_defaut(nom_source: str) -> Bande:
    """The documented default band of a source (``vol-oiseau``, ``matrice``, ``osm``).

    * ``vol-oiseau``: residual quantiles (10 %, 90 %) of the default straight line on the
      Nord reference (see the module constants);
    * ``osm`` and ``matrice``: no reference of their own is available offline; they take
      the straight line's quantiles, an upper bound (a road graph or an imported matrix
      should do better). Calibrate them on a reference (``accessibilite temps calibrer``)
      to narrow the band.
    """
    if nom_source not in ("vol-oiseau", "osm", "matrice"):
        raise DonneesInvalides(f"Source des temps « {nom_source} » inconnue pour la bande.")
    origine = (
        "quantiles par défaut du vol d'oiseau, mesurés sur la référence Metric-OSRM du Nord"
        if nom_source == "vol-oiseau"
        else "quantiles par défaut du vol d'oiseau (majorant, faute de référence pour cette "
        "source : calibrez-la)"
    )
    return Bande(bas_min=_VOL_OISEAU_BAS, haut_min=_VOL_OISEAU_HAUT, origine=origine)


def etats(
    temps_s: NDArray[np.float64],
    bas_s: NDArray[np.float64],
    haut_s: NDArray[np.float64],
    seuil_s: float,
) -> NDArray[np.object_]:
    """State of each time against a threshold (see the module docstring).

    ``zone grise`` when ``bas > seuil`` (or no time), ``hors zone grise`` when
    ``haut <= seuil``, ``incertaine`` otherwise. ``temps_s`` only serves to mark the
    missing times.
    """
    temps = np.asarray(temps_s, dtype=np.float64)
    bas = np.asarray(bas_s, dtype=np.float64)
    haut = np.asarray(haut_s, dtype=np.float64)
    resultat = np.full(temps.shape, ETATS[1], dtype=object)
    resultat[~(haut > seuil_s)] = ETATS[0]
    resultat[(bas > seuil_s) | ~np.isfinite(temps)] = ETATS[2]
    return resultat
