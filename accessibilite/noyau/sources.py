"""Travel-time sources behind one interface.

Three implementations answer the same two questions, in seconds:

* ``plus_proche(origines, cibles)``: for each origin, the time to the nearest target and
  which one;
* ``matrice(origines, destinations)``: the full origins × destinations matrix.

:class:`SourceVolOiseau` (straight line: minutes = a + b × km), :class:`SourceMatrice`
(a commune × commune matrix imported from Odomatrix or Metric) and the road-graph source
(:mod:`accessibilite.noyau.source_reseau`). The pole and indicator code never knows which
one it has.

Conventions shared by all sources: a place to itself (same code) is at 0 s; an unknown or
unreachable pair is ``inf`` and never the nearest.

Places are commune centres (their code is the commune's INSEE code) or free points (a
site given by its coordinates, with any other identifier). The straight-line and road-graph
sources time any point; a commune × commune matrix knows communes only: a source says so
with ``accepte_points = False``, and :func:`verifier_points` turns free points given to it
into a clear error instead of unknown times.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from accessibilite.noyau.import_matrice import (
    Colonnes,
    lire_matrice,
    verifier_coordonnees,
    verifier_vitesses,
)
from accessibilite.noyau.lieux import Lieux
from socle.erreurs import DonneesInvalides

__all__ = [
    "A_MIN_DEFAUT",
    "B_MIN_PAR_KM_DEFAUT",
    "Ajustement",
    "SourceMatrice",
    "SourceTemps",
    "SourceVolOiseau",
    "accepte_points",
    "ajuster_vol_oiseau",
    "lire_matrice",
    "verifier_points",
]

logger = logging.getLogger(__name__)

#: Published fit on Metric-OSRM car times in the Hauts-de-France (R² 0.93).
A_MIN_DEFAUT = 2.02
B_MIN_PAR_KM_DEFAUT = 1.32


@runtime_checkable
class SourceTemps(Protocol):
    """What every travel-time source answers (times in seconds, ``inf`` = unknown)."""

    @property
    def nom(self) -> str:
        """Short name: ``vol-oiseau``, ``matrice`` or ``osm``."""
        ...

    def description(self) -> str:
        """One French line naming the source, for outputs and maps."""
        ...

    def plus_proche(
        self, origines: Lieux, cibles: Lieux
    ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Time from each origin to its nearest target, and that target's index (-1: none)."""
        ...

    def matrice(self, origines: Lieux, destinations: Lieux) -> NDArray[np.float64]:
        """Times from every origin to every destination (origins × destinations)."""
        ...


def accepte_points(source: SourceTemps) -> bool:
    """Whether ``source`` times free points (not only commune centres).

    A source declares it with a class attribute ``accepte_points``; one that does not
    declare it is assumed to (it works on coordinates).
    """
    return bool(getattr(source, "accepte_points", True))


def verifier_points(source: SourceTemps, noms_points: list[str], *, role: str = "sites") -> None:
    """Refuse free points given to a source that knows communes only.

    Parameters
    ----------
    source
        The travel-time source.
    noms_points
        Names of the places given by coordinates (not by a commune code); empty: nothing to
        check.
    role
        What the places are, for the message.

    Raises
    ------
    DonneesInvalides
        ``source`` does not accept points and ``noms_points`` is not empty.
    """
    if not noms_points or accepte_points(source):
        return
    exemples = ", ".join(f"« {n} »" for n in noms_points[:5])
    suite = " …" if len(noms_points) > 5 else ""
    raise DonneesInvalides(
        f"La source « {source.nom} » ne connaît que des communes (temps de commune à "
        f"commune) : {len(noms_points)} {role} donnés par un point ou une adresse ne peuvent "
        f"pas être servis ({exemples}{suite}). Donnez leur code_insee (le site est alors au "
        "centre de sa commune) ou utilisez --source vol-oiseau ou --reseau."
    )


def _verifier_cibles(cibles: Lieux) -> None:
    if len(cibles) == 0:
        raise DonneesInvalides(
            "Aucune cible (pôle ou équipement) : impossible de chercher la plus proche. "
            "Vérifiez la règle de pôle ou le type d'équipement demandé."
        )


def memes_codes(origines: Lieux, destinations: Lieux) -> NDArray[np.bool_]:
    """Mask (origins × destinations) of the pairs of a place with itself (same code)."""
    return (
        np.asarray(origines.codes, dtype=str)[:, None]
        == np.asarray(destinations.codes, dtype=str)[None, :]
    )


def ramener_memes_codes(
    origines: Lieux,
    cibles: Lieux,
    temps: NDArray[np.float64],
    indice: NDArray[np.int64],
) -> None:
    """Set to 0 s, in place, the origins that are themselves a target (same code)."""
    position = {code: i for i, code in enumerate(np.asarray(cibles.codes, dtype=str))}
    for i, code in enumerate(np.asarray(origines.codes, dtype=str)):
        j = position.get(code)
        if j is not None:
            temps[i], indice[i] = 0.0, j


def _plus_proche_par_matrice(
    temps: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    if temps.shape[1] == 0:
        return np.full(temps.shape[0], np.inf), np.full(temps.shape[0], -1, dtype=np.int64)
    indice = np.argmin(temps, axis=1).astype(np.int64)
    meilleur = temps[np.arange(temps.shape[0]), indice]
    indice[~np.isfinite(meilleur)] = -1
    return meilleur, indice


@dataclass(frozen=True)
class SourceVolOiseau:
    """Straight-line estimate: minutes = a + b × kilometres between centres.

    A screening tool with no network; always labelled as an estimate. The default
    coefficients are a published fit on Metric-OSRM car times in the Hauts-de-France
    (a = 2.02 min, b = 1.32 min/km, R² 0.93); refit them with :func:`ajuster_vol_oiseau` or
    ``accessibilite temps calibrer``. ``par_code`` gives some origins their own
    coefficients (a calibration per density class): for a fixed origin the time still grows
    with the distance, so the nearest target is the nearest in kilometres.
    """

    a_min: float = A_MIN_DEFAUT
    b_min_par_km: float = B_MIN_PAR_KM_DEFAUT
    nom: str = "vol-oiseau"
    par_code: Mapping[str, tuple[float, float]] | None = field(
        default=None, compare=False, repr=False
    )
    libelle: str = ""
    #: Times any point (the distance is taken from the coordinates).
    accepte_points: ClassVar[bool] = True

    def __post_init__(self) -> None:
        couples = [(self.a_min, self.b_min_par_km), *(self.par_code or {}).values()]
        for a, b in couples:
            if not (np.isfinite(a) and np.isfinite(b)):
                raise DonneesInvalides(
                    "Les coefficients a et b du vol d'oiseau doivent être finis."
                )
            if a < 0 or b <= 0:
                raise DonneesInvalides(
                    "Coefficients du vol d'oiseau invalides : il faut a >= 0 et b > 0 "
                    f"(reçu a = {a}, b = {b})."
                )

    def description(self) -> str:
        if self.libelle:
            return self.libelle
        return (
            f"estimation à vol d'oiseau : {self.a_min:.2f} min + {self.b_min_par_km:.2f} "
            "min/km entre centres de communes"
        )

    def _coefficients(self, origines: Lieux) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        a = np.full(len(origines), self.a_min, dtype=np.float64)
        b = np.full(len(origines), self.b_min_par_km, dtype=np.float64)
        if self.par_code:
            for i, code in enumerate(np.asarray(origines.codes, dtype=str)):
                couple = self.par_code.get(code)
                if couple is not None:
                    a[i], b[i] = couple
        return a, b

    def matrice(self, origines: Lieux, destinations: Lieux) -> NDArray[np.float64]:
        km = (
            np.hypot(
                origines.x[:, None] - destinations.x[None, :],
                origines.y[:, None] - destinations.y[None, :],
            )
            / 1000.0
        )
        a, b = self._coefficients(origines)
        temps = (a[:, None] + b[:, None] * km) * 60.0
        temps[memes_codes(origines, destinations)] = 0.0
        return temps

    def plus_proche(
        self, origines: Lieux, cibles: Lieux
    ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        _verifier_cibles(cibles)
        from scipy.spatial import cKDTree

        arbre = cKDTree(np.column_stack([cibles.x, cibles.y]))
        distance_m, indice = arbre.query(np.column_stack([origines.x, origines.y]))
        a, b = self._coefficients(origines)
        temps = (a + b * np.asarray(distance_m, dtype=np.float64) / 1000.0) * 60.0
        indice = np.asarray(indice, dtype=np.int64)
        ramener_memes_codes(origines, cibles, temps, indice)
        return temps, indice


@dataclass(frozen=True)
class Ajustement:
    """Result of a straight-line model fit on a reference matrix."""

    a_min: float
    b_min_par_km: float
    r2: float
    erreur_moyenne_min: float
    erreur_quadratique_min: float
    n_paires: int

    def source(self) -> SourceVolOiseau:
        """The straight-line source with these coefficients."""
        return SourceVolOiseau(a_min=self.a_min, b_min_par_km=self.b_min_par_km)


def ajuster_vol_oiseau(km: NDArray[np.float64], minutes: NDArray[np.float64]) -> Ajustement:
    """Fit minutes = a + b × km by least squares and report R² and errors.

    Pairs where either value is missing or not finite, and pairs at 0 km (a place to
    itself), are left out.

    Raises
    ------
    DonneesInvalides
        Fewer than 3 usable pairs, or all pairs at the same distance.
    """
    km = np.asarray(km, dtype=np.float64).ravel()
    minutes = np.asarray(minutes, dtype=np.float64).ravel()
    garder = np.isfinite(km) & np.isfinite(minutes) & (km > 0)
    km, minutes = km[garder], minutes[garder]
    if km.size < 3 or np.ptp(km) == 0:
        raise DonneesInvalides(
            "Pas assez de paires de communes à des distances différentes pour ajuster "
            f"a et b ({km.size} paires utilisables)."
        )
    b, a = np.polyfit(km, minutes, 1)
    predit = a + b * km
    residus = minutes - predit
    total = float(np.sum((minutes - minutes.mean()) ** 2))
    r2 = 1.0 - float(np.sum(residus**2)) / total if total > 0 else 1.0
    return Ajustement(
        a_min=float(a),
        b_min_par_km=float(b),
        r2=r2,
        erreur_moyenne_min=float(np.mean(np.abs(residus))),
        erreur_quadratique_min=float(np.sqrt(np.mean(residus**2))),
        n_paires=int(km.size),
    )


class SourceMatrice:
    """Times read from a commune × commune matrix (Odomatrix, Metric...).

    Missing pairs are reported (counted in :attr:`paires_manquantes` and logged), never
    guessed: they count as unknown (``inf``). An origin absent from the matrix is an error.
    The first computation checks the units on the centre-to-centre distances
    (:func:`~accessibilite.noyau.import_matrice.verifier_vitesses`) and, for a Metric table,
    its points against the commune centres. It knows communes only
    (``accepte_points = False``): see :func:`verifier_points`.
    """

    nom = "matrice"
    accepte_points: ClassVar[bool] = False

    def __init__(
        self,
        minutes: pd.DataFrame,
        *,
        libelle: str = "matrice importée",
        fichier: str | None = None,
        reglages: dict[str, str] | None = None,
        verifier: bool = True,
    ) -> None:
        self._minutes = minutes
        self._libelle = libelle
        self.paires_manquantes = 0
        #: The file the matrix was read from (recorded in outputs to recompute them).
        self.fichier = fichier
        #: How the file was read (``colonnes``, ``periode``), recorded to read it again.
        self.reglages: dict[str, str] = dict(reglages or {})
        #: ``False`` skips the unit check (hand-made minutes unrelated to the coordinates).
        self._verifiee = not verifier

    @classmethod
    def depuis_fichier(
        cls,
        chemin: str | Path,
        *,
        colonnes: Colonnes | str | None = None,
        periode: str = "pointe",
    ) -> SourceMatrice:
        """Read the matrix file (see :func:`~accessibilite.noyau.import_matrice.lire_matrice`)."""
        table = lire_matrice(chemin, colonnes=colonnes, periode=periode)
        heures = "de pointe" if periode == "pointe" else "creuses"
        details = {
            "metric": "table Metric-OSRM",
            "odomatrix": f"export Odomatrix, heures {heures}",
            "colonnes": f"colonne {table.attrs.get('colonne_temps')}",
        }.get(str(table.attrs.get("format")), "")
        reglages: dict[str, str] = {}
        if colonnes is not None:
            reglages["colonnes"] = colonnes if isinstance(colonnes, str) else colonnes.texte()
        if table.attrs.get("format") == "odomatrix":
            reglages["periode"] = periode
        return cls(
            table,
            libelle=f"matrice importée ({Path(chemin).name}{', ' + details if details else ''})",
            fichier=str(Path(chemin).resolve()),
            reglages=reglages,
        )

    def description(self) -> str:
        return self._libelle

    def _verifier(self, origines: Lieux, destinations: Lieux, temps_s: NDArray[np.float64]) -> None:
        """Units (centre-to-centre speeds) and Metric ids, checked once per source."""
        if self._verifiee:
            return
        self._verifiee = True
        d = destinations.vers_crs(origines.crs)
        km = np.hypot(origines.x[:, None] - d.x[None, :], origines.y[:, None] - d.y[None, :])
        verifier_vitesses(temps_s / 60.0, km / 1000.0, quoi=self._libelle.capitalize())
        coordonnees = self._minutes.attrs.get("coordonnees")
        if isinstance(coordonnees, pd.DataFrame):
            verifier_coordonnees(
                coordonnees,
                np.asarray(origines.codes, dtype=str),
                origines.x,
                origines.y,
                origines.crs,
                quoi=self._libelle.capitalize(),
            )

    def matrice(self, origines: Lieux, destinations: Lieux) -> NDArray[np.float64]:
        codes_o = np.asarray(origines.codes, dtype=str)
        codes_d = np.asarray(destinations.codes, dtype=str)
        absentes = sorted(set(codes_o) - set(self._minutes.index))
        if absentes:
            raise DonneesInvalides(
                f"{len(absentes)} communes absentes de la matrice en origine "
                f"(par exemple {', '.join(absentes[:5])}) : exportez la matrice sur toutes "
                "les communes du département et de sa zone tampon."
            )
        table = self._minutes.reindex(index=codes_o, columns=codes_d)
        temps = table.to_numpy(dtype=np.float64) * 60.0
        meme = memes_codes(origines, destinations)
        temps[meme] = 0.0
        self._verifier(origines, destinations, temps)
        manquantes = np.isnan(temps)
        self.paires_manquantes = int(manquantes.sum())
        if self.paires_manquantes:
            logger.warning(
                "Matrice : %d paires origine-destination sans temps (comptées inconnues).",
                self.paires_manquantes,
            )
        temps[manquantes] = np.inf
        return temps

    def plus_proche(
        self, origines: Lieux, cibles: Lieux
    ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        _verifier_cibles(cibles)
        return _plus_proche_par_matrice(self.matrice(origines, cibles))
