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
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from accessibilite.noyau.lieux import Lieux
from socle.erreurs import DonneesInvalides, DonneesManquantes

__all__ = [
    "A_MIN_DEFAUT",
    "B_MIN_PAR_KM_DEFAUT",
    "Ajustement",
    "SourceMatrice",
    "SourceTemps",
    "SourceVolOiseau",
    "ajuster_vol_oiseau",
    "lire_matrice",
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
    (a = 2.02 min, b = 1.32 min/km, R² 0.93); refit them with :func:`ajuster_vol_oiseau`.
    """

    a_min: float = A_MIN_DEFAUT
    b_min_par_km: float = B_MIN_PAR_KM_DEFAUT
    nom: str = "vol-oiseau"

    def __post_init__(self) -> None:
        if not (np.isfinite(self.a_min) and np.isfinite(self.b_min_par_km)):
            raise DonneesInvalides("Les coefficients a et b du vol d'oiseau doivent être finis.")
        if self.a_min < 0 or self.b_min_par_km <= 0:
            raise DonneesInvalides(
                "Coefficients du vol d'oiseau invalides : il faut a >= 0 et b > 0 "
                f"(reçu a = {self.a_min}, b = {self.b_min_par_km})."
            )

    def description(self) -> str:
        return (
            f"estimation à vol d'oiseau : {self.a_min:.2f} min + {self.b_min_par_km:.2f} "
            "min/km entre centres de communes"
        )

    def _temps_s(self, km: NDArray[np.float64]) -> NDArray[np.float64]:
        return (self.a_min + self.b_min_par_km * km) * 60.0

    def matrice(self, origines: Lieux, destinations: Lieux) -> NDArray[np.float64]:
        km = (
            np.hypot(
                origines.x[:, None] - destinations.x[None, :],
                origines.y[:, None] - destinations.y[None, :],
            )
            / 1000.0
        )
        temps = self._temps_s(km)
        temps[memes_codes(origines, destinations)] = 0.0
        return temps

    def plus_proche(
        self, origines: Lieux, cibles: Lieux
    ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        _verifier_cibles(cibles)
        from scipy.spatial import cKDTree

        arbre = cKDTree(np.column_stack([cibles.x, cibles.y]))
        distance_m, indice = arbre.query(np.column_stack([origines.x, origines.y]))
        temps = self._temps_s(np.asarray(distance_m, dtype=np.float64) / 1000.0)
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


def lire_matrice(chemin: str | Path) -> pd.DataFrame:
    """Read a commune × commune matrix (CSV) into a square table of minutes.

    Two layouts are accepted, with ``,`` or ``;`` separators and ``.`` or ``,`` decimals:

    * long: columns ``origine, destination, minutes`` (one row per pair);
    * wide: first column the origin codes, one column per destination code.

    Returns
    -------
    pandas.DataFrame
        Index: origin codes (str), columns: destination codes (str), values in minutes
        (NaN where the file has no value).
    """
    chemin = Path(chemin)
    if not chemin.is_file():
        raise DonneesManquantes(f"Matrice introuvable : {chemin}. Vérifiez le chemin donné.")
    try:
        brut = pd.read_csv(chemin, sep=None, engine="python", dtype=str)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DonneesInvalides(f"Matrice illisible ({chemin.name}) : {exc}") from exc
    colonnes = {c.strip().lower(): c for c in brut.columns}
    if {"origine", "destination", "minutes"} <= colonnes.keys():
        long = pd.DataFrame(
            {
                "origine": brut[colonnes["origine"]].str.strip(),
                "destination": brut[colonnes["destination"]].str.strip(),
                "minutes": _nombres(brut[colonnes["minutes"]], chemin),
            }
        )
        if long.duplicated(["origine", "destination"]).any():
            n = int(long.duplicated(["origine", "destination"]).sum())
            raise DonneesInvalides(f"Matrice {chemin.name} : {n} paires en double.")
        large = long.pivot(index="origine", columns="destination", values="minutes")
    elif brut.shape[1] >= 2:
        large = brut.set_index(brut.columns[0])
        large.index = large.index.astype(str).str.strip()
        large.columns = [str(c).strip() for c in large.columns]
        large = large.apply(lambda s: _nombres(s, chemin))
    else:
        raise DonneesInvalides(
            f"Matrice {chemin.name} : format non reconnu. Attendu un CSV long "
            "(colonnes origine, destination, minutes) ou large (codes en ligne et en colonne)."
        )
    large.index.name, large.columns.name = "origine", "destination"
    if (large < 0).any().any():
        raise DonneesInvalides(f"Matrice {chemin.name} : temps négatifs.")
    return large.astype(np.float64)


def _nombres(serie: pd.Series, chemin: Path) -> pd.Series:
    texte = serie.astype(str).str.strip().str.replace(",", ".", regex=False)
    texte = texte.where(~texte.isin(["", "nan", "NA", "None"]))
    valeurs = pd.to_numeric(texte, errors="coerce")
    mauvais = valeurs.isna() & texte.notna()
    if mauvais.any():
        exemple = serie[mauvais].iloc[0]
        raise DonneesInvalides(
            f"Matrice {chemin.name} : {int(mauvais.sum())} valeurs non numériques "
            f"(par exemple « {exemple} »)."
        )
    return valeurs


class SourceMatrice:
    """Times read from a commune × commune matrix (Odomatrix, Metric...).

    Missing pairs are reported (counted in :attr:`paires_manquantes` and logged), never
    guessed: they count as unknown (``inf``). An origin absent from the matrix is an error.
    """

    nom = "matrice"

    def __init__(
        self,
        minutes: pd.DataFrame,
        *,
        libelle: str = "matrice importée",
        fichier: str | None = None,
    ) -> None:
        self._minutes = minutes
        self._libelle = libelle
        self.paires_manquantes = 0
        #: The file the matrix was read from (recorded in outputs to recompute them).
        self.fichier = fichier

    @classmethod
    def depuis_fichier(cls, chemin: str | Path) -> SourceMatrice:
        """Read the matrix file (see :func:`lire_matrice`)."""
        return cls(
            lire_matrice(chemin),
            libelle=f"matrice importée ({Path(chemin).name})",
            fichier=str(Path(chemin).resolve()),
        )

    def description(self) -> str:
        return self._libelle

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
