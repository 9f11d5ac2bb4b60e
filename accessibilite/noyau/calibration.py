"""Fitting travel-time models on a reference, cross-validated, and the calibration file.

The reference gives, for observations (a commune and a service, or a pair of communes), a
time in minutes; the models predict it from what the sources know:

* the straight line, ``a + b × km`` (optionally one ``a, b`` per density class of the
  origin commune), plus, with the internal time, ``a_i + b_i × d`` (``d`` the mean distance
  of the commune's inhabitants to its centre): a linear model with non-negative
  coefficients, fitted by robust (Huber) least squares (:func:`ajuster_vol_oiseau_obs`);
* the road graph's peak-hour factors: with the routes fixed, the time is linear in the
  multiplier of the time spent on each group of road classes (:func:`ajuster_multiplicateurs`);
  the caller recomputes the routes with the new factors and fits again.

:func:`valider_croise` gives k-fold cross-validated predictions, the folds drawn by origin
commune (all the observations of a commune in the same fold); :func:`erreurs` the MAE, bias
(model − reference), R² and residual quantiles (reference − model);
:func:`bande_depuis_residus` the error band per class of computed time.

:class:`Calibration` is what ``accessibilite temps calibrer`` writes (a TOML file, see
:func:`texte_calibration`) and what ``--calibration FICHIER`` reads
(:func:`lire_calibration`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accessibilite.noyau.incertitude import BORNES_CLASSES_MIN, Bande
from accessibilite.noyau.temps_interne import ModeleTempsInterne
from socle.erreurs import DonneesInvalides, DonneesManquantes

__all__ = [
    "CLASSES_DENSITE_DEFAUT",
    "GROUPES_ROUTES",
    "Calibration",
    "ClasseDensite",
    "CoefficientsVolOiseau",
    "Erreurs",
    "Observations",
    "ajuster_lineaire",
    "ajuster_multiplicateurs",
    "ajuster_vol_oiseau_obs",
    "bande_depuis_residus",
    "classes_densite",
    "erreurs",
    "lire_calibration",
    "predire_vol_oiseau",
    "texte_calibration",
    "valider_croise",
]


@dataclass(frozen=True)
class ClasseDensite:
    """A density class of communes: up to ``densite_max`` inhabitants per km² (None: open)."""

    nom: str
    densite_max: float | None


#: Default density classes (inhabitants per km² of the commune): below 250, 250 to 1,000,
#: above. Not INSEE's grid (it needs 1 km² squares); a commune-level stand-in.
CLASSES_DENSITE_DEFAUT: tuple[ClasseDensite, ...] = (
    ClasseDensite("peu dense", 250.0),
    ClasseDensite("intermédiaire", 1000.0),
    ClasseDensite("dense", None),
)

#: Road classes grouped for the peak-hour factors fit (names of ``reseau.CLASSES``).
GROUPES_ROUTES: dict[str, tuple[str, ...]] = {
    "voies_rapides": ("motorway", "motorway_link", "trunk", "trunk_link"),
    "principales": ("primary", "primary_link"),
    "secondaires": ("secondary", "secondary_link", "tertiary", "tertiary_link"),
    "desserte": ("unclassified", "residential", "living_street", "service", "road"),
}


def classes_densite(
    densite: NDArray[np.float64], classes: Sequence[ClasseDensite] = CLASSES_DENSITE_DEFAUT
) -> NDArray[np.int64]:
    """Index of the density class of each commune (inhabitants per km²)."""
    bornes = [c.densite_max for c in classes]
    if any(b is None for b in bornes[:-1]) or bornes[-1] is not None:
        raise DonneesInvalides("Classes de densité : seule la dernière est ouverte.")
    seuils = np.asarray(bornes[:-1], dtype=np.float64)
    if np.any(np.diff(seuils) <= 0):
        raise DonneesInvalides("Classes de densité : bornes non croissantes.")
    d = np.asarray(densite, dtype=np.float64)
    return np.searchsorted(seuils, np.where(np.isfinite(d), d, 0.0), side="left").astype(np.int64)


@dataclass(frozen=True)
class Observations:
    """Reference times and what the straight-line model needs, one row per observation.

    Attributes
    ----------
    code
        Origin commune of each observation (the folds are drawn on it).
    groupe
        What the observation measures (a service name, or ``paires`` for a matrix).
    reference_min
        The reference time (minutes).
    km
        Straight-line km from the origin centre to the nearest target (0: the origin itself
        holds the service).
    distance_interne_km
        Mean distance of the origin's inhabitants to its centre.
    classe
        Density class index of the origin.
    """

    code: NDArray[np.str_]
    groupe: NDArray[np.str_]
    reference_min: NDArray[np.float64]
    km: NDArray[np.float64]
    distance_interne_km: NDArray[np.float64]
    classe: NDArray[np.int64]

    def __post_init__(self) -> None:
        n = len(self.code)
        for nom in ("groupe", "reference_min", "km", "distance_interne_km", "classe"):
            if len(getattr(self, nom)) != n:
                raise DonneesInvalides(f"Observations : « {nom} » n'a pas {n} valeurs.")
        ref = np.asarray(self.reference_min, dtype=np.float64)
        if (~np.isfinite(ref)).any() or (ref < 0).any():
            raise DonneesInvalides(
                "Référence : temps négatifs ou non finis (ils doivent être en minutes, >= 0)."
            )

    def __len__(self) -> int:
        return len(self.code)

    def sous_ensemble(self, masque: NDArray[np.bool_]) -> Observations:
        """The observations selected by a mask."""
        return Observations(
            code=self.code[masque],
            groupe=self.groupe[masque],
            reference_min=self.reference_min[masque],
            km=self.km[masque],
            distance_interne_km=self.distance_interne_km[masque],
            classe=self.classe[masque],
        )


@dataclass(frozen=True)
class CoefficientsVolOiseau:
    """Fitted straight-line coefficients: one ``(a, b)`` per class and the internal time.

    ``a_min[k], b_min_par_km[k]`` are those of density class ``k`` (one class when the fit
    is not per class); ``interne`` is ``None`` without internal time.
    """

    a_min: tuple[float, ...]
    b_min_par_km: tuple[float, ...]
    interne: ModeleTempsInterne | None = None


#: Scale (minutes) of the Huber loss of the fits: residuals beyond it weigh linearly, not
#: quadratically, so the few communes whose equipment changed between the BPE vintage and
#: the reference (new health centres, closed maternity wards) do not drag the coefficients.
ECHELLE_HUBER_MIN = 1.0


def ajuster_lineaire(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    *,
    bornes: tuple[float, float] = (0.0, np.inf),
    perte: str = "huber",
    echelle: float = ECHELLE_HUBER_MIN,
) -> NDArray[np.float64]:
    """Coefficients ``θ`` (within ``bornes``) of ``y ≈ x θ``, robust (Huber) by default.

    ``perte="linear"`` gives plain bounded least squares.
    """
    from scipy.optimize import least_squares, lsq_linear

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    depart = lsq_linear(x, y, bounds=bornes).x
    if perte == "linear":
        return np.asarray(depart, dtype=np.float64)
    bas, haut = bornes
    depart = np.clip(depart, bas + 1e-9, haut - 1e-9)  # least_squares starts strictly inside
    fit = least_squares(lambda t: x @ t - y, x0=depart, bounds=bornes, loss=perte, f_scale=echelle)
    return np.asarray(fit.x, dtype=np.float64)


def predire_vol_oiseau(obs: Observations, coef: CoefficientsVolOiseau) -> NDArray[np.float64]:
    """Times (minutes) the straight line predicts for the observations."""
    k = np.minimum(obs.classe, len(coef.a_min) - 1) if len(coef.a_min) > 1 else 0
    a = np.asarray(coef.a_min)[k]
    b = np.asarray(coef.b_min_par_km)[k]
    temps = np.where(obs.km > 0, a + b * obs.km, 0.0)
    if coef.interne is not None:
        temps = temps + coef.interne.minutes(obs.distance_interne_km)
    return np.asarray(temps, dtype=np.float64)


def ajuster_vol_oiseau_obs(
    obs: Observations,
    *,
    n_classes: int = 1,
    temps_interne: bool = False,
    interne_fixe: ModeleTempsInterne | None = None,
) -> CoefficientsVolOiseau:
    """Fit ``a + b × km`` (per class) and, optionally, the internal time, all >= 0.

    Parameters
    ----------
    obs
        The observations.
    n_classes
        1 for a single ``a, b``; the number of density classes for one pair per class (a
        class with fewer than 10 observations away from their commune takes the all-class
        fit).
    temps_interne
        Whether the prediction includes the internal time.
    interne_fixe
        The internal-time model to keep as it is; ``None`` with ``temps_interne`` fits it.

    Raises
    ------
    DonneesInvalides
        Fewer than 3 observations away from their commune, or all at the same distance.
    """
    dehors = obs.km > 0
    if dehors.sum() < 3 or np.ptp(obs.km[dehors]) == 0:
        raise DonneesInvalides(
            "Pas assez d'observations à des distances différentes pour ajuster a et b "
            f"({int(dehors.sum())} utilisables)."
        )
    # without the internal time, a commune holding the service is predicted 0 whatever a, b
    lignes = np.ones(len(obs), dtype=bool) if temps_interne else dehors
    y = obs.reference_min.astype(np.float64).copy()
    colonnes: list[NDArray[np.float64]] = []
    classes = obs.classe if n_classes > 1 else np.zeros(len(obs), dtype=np.int64)
    actives = [c for c in range(n_classes) if (dehors & (classes == c)).sum() >= 10]
    if not actives:
        actives, classes = [0], np.zeros(len(obs), dtype=np.int64)
    repli = np.isin(classes, actives, invert=True)
    for c in actives:
        dans = (classes == c) | (repli if c == actives[0] else False)
        colonnes.append((dehors & dans).astype(np.float64))
        colonnes.append(np.where(dans, obs.km, 0.0))
    if temps_interne and interne_fixe is not None:
        y = y - interne_fixe.minutes(obs.distance_interne_km)
    elif temps_interne:
        colonnes.append(np.ones(len(obs)))
        colonnes.append(obs.distance_interne_km.astype(np.float64))
    x = np.column_stack(colonnes)[lignes]
    theta = ajuster_lineaire(x, y[lignes])
    a_par, b_par = theta[0 : 2 * len(actives) : 2], theta[1 : 2 * len(actives) : 2]
    a_classes = np.full(max(n_classes, 1), a_par[0])
    b_classes = np.full(max(n_classes, 1), b_par[0])
    for i, c in enumerate(actives):
        a_classes[c], b_classes[c] = a_par[i], b_par[i]
    if np.any(b_classes <= 0):
        raise DonneesInvalides(
            "L'ajustement donne une pente b nulle : la référence ne dépend pas de la distance "
            "(vérifiez les colonnes et les codes de la référence)."
        )
    interne: ModeleTempsInterne | None = None
    if temps_interne:
        interne = interne_fixe or ModeleTempsInterne(
            a_min=float(theta[-2]), b_min_par_km=float(theta[-1])
        )
    return CoefficientsVolOiseau(
        a_min=tuple(float(v) for v in a_classes),
        b_min_par_km=tuple(float(v) for v in b_classes),
        interne=interne,
    )


def ajuster_multiplicateurs(
    temps_groupes_min: NDArray[np.float64],
    reste_min: NDArray[np.float64],
    reference_min: NDArray[np.float64],
    *,
    bornes: tuple[float, float] = (0.5, 3.0),
) -> NDArray[np.float64]:
    """Multipliers ``x_g`` of the time on each road group: ``ref ≈ Σ x_g T_g + reste``.

    ``temps_groupes_min`` is (observations × groups), the minutes spent on each group by
    the current routes; ``reste_min`` the rest (junction delays, connectors, internal
    time). Bounded robust least squares (:func:`ajuster_lineaire`); a group no route uses
    keeps 1.
    """
    t = np.asarray(temps_groupes_min, dtype=np.float64)
    y = np.asarray(reference_min, dtype=np.float64) - np.asarray(reste_min, dtype=np.float64)
    garder = np.isfinite(y) & np.isfinite(t).all(axis=1)
    t, y = t[garder], y[garder]
    utilises = t.sum(axis=0) > 1e-6
    x = np.ones(t.shape[1])
    if utilises.any() and len(y) >= 3:
        x[utilises] = ajuster_lineaire(t[:, utilises], y, bornes=bornes)
    return x


def valider_croise(
    codes: NDArray[np.str_],
    ajuster: Callable[[NDArray[np.bool_]], Any],
    predire: Callable[[Any, NDArray[np.bool_]], NDArray[np.float64]],
    *,
    plis: int = 5,
    graine: int = 0,
) -> NDArray[np.float64]:
    """Cross-validated predictions: each fold predicted by a model fitted on the others.

    Folds are drawn by origin code (seeded), so a commune never helps predict itself.
    ``ajuster(masque_apprentissage)`` returns a fitted model, ``predire(modele,
    masque_test)`` the predictions for the test observations.
    """
    codes = np.asarray(codes, dtype=str)
    uniques = np.unique(codes)
    if plis < 2 or plis > uniques.size:
        raise DonneesInvalides(
            f"Validation croisée : {plis} plis pour {uniques.size} communes (il faut entre 2 "
            "et le nombre de communes)."
        )
    rng = np.random.default_rng(graine)
    pli_de = dict(zip(rng.permutation(uniques), np.arange(uniques.size) % plis, strict=True))
    pli = np.array([pli_de[c] for c in codes])
    predictions = np.full(codes.size, np.nan)
    for k in range(plis):
        test = pli == k
        modele = ajuster(~test)
        predictions[test] = predire(modele, test)
    return predictions


@dataclass(frozen=True)
class Erreurs:
    """Errors of predictions against a reference (minutes).

    ``biais`` is the mean of (model − reference): positive, the model is too slow;
    ``q10, q50, q90`` are quantiles of the residuals (reference − model).
    """

    n: int
    mae: float
    biais: float
    r2: float
    q10: float
    q50: float
    q90: float

    def en_dict(self) -> dict[str, float | int]:
        return {
            "n": self.n,
            "mae_min": round(self.mae, 3),
            "biais_min": round(self.biais, 3),
            "r2": round(self.r2, 3),
            "q10_min": round(self.q10, 3),
            "q50_min": round(self.q50, 3),
            "q90_min": round(self.q90, 3),
        }


def erreurs(predit_min: NDArray[np.float64], reference_min: NDArray[np.float64]) -> Erreurs:
    """MAE, bias, R² and residual quantiles over the finite pairs."""
    p = np.asarray(predit_min, dtype=np.float64)
    r = np.asarray(reference_min, dtype=np.float64)
    ok = np.isfinite(p) & np.isfinite(r)
    p, r = p[ok], r[ok]
    if p.size == 0:
        nan = float("nan")
        return Erreurs(0, nan, nan, nan, nan, nan, nan)
    residus = r - p
    total = float(np.sum((r - r.mean()) ** 2))
    r2 = 1.0 - float(np.sum(residus**2)) / total if total > 0 else float("nan")
    q10, q50, q90 = (float(v) for v in np.quantile(residus, [0.1, 0.5, 0.9]))
    return Erreurs(
        n=int(p.size),
        mae=float(np.mean(np.abs(residus))),
        biais=float(np.mean(p - r)),
        r2=r2,
        q10=q10,
        q50=q50,
        q90=q90,
    )


def bande_depuis_residus(
    predit_min: NDArray[np.float64],
    reference_min: NDArray[np.float64],
    *,
    bornes_min: tuple[float, ...] = BORNES_CLASSES_MIN,
    couverture: float = 0.8,
    n_min: int = 20,
    origine: str = "calibration",
) -> Bande:
    """Residual quantiles per class of predicted time: the error band.

    Predictions of exactly 0 (a commune holding the service, without internal time) are
    left out: the band never widens a zero time (see
    :meth:`accessibilite.noyau.incertitude.Bande.intervalle_s`). A class with fewer than
    ``n_min`` residuals takes the quantiles of the nearest class below that has enough,
    scaled by ``max(1, lower bound of the class / upper bound of the donor)`` (the relative
    error kept at the donor's upper end); a class below every populated one takes the first
    populated class's quantiles unscaled.
    """
    p = np.asarray(predit_min, dtype=np.float64)
    r = np.asarray(reference_min, dtype=np.float64)
    ok = np.isfinite(p) & np.isfinite(r) & (p > 0)
    p, r = p[ok], r[ok]
    if p.size < n_min:
        raise DonneesInvalides(
            f"Trop peu d'observations ({p.size}) pour estimer la bande d'incertitude "
            f"(au moins {n_min})."
        )
    classes = np.searchsorted(np.asarray(bornes_min), p, side="left")
    n = len(bornes_min) + 1
    niveaux = ((1 - couverture) / 2, (1 + couverture) / 2)
    bas: list[float | None] = [None] * n
    haut: list[float | None] = [None] * n
    for k in range(n):
        residus = (r - p)[classes == k]
        if residus.size >= n_min:
            q = np.quantile(residus, niveaux)
            bas[k], haut[k] = float(q[0]), float(q[1])
    peuplees = [k for k in range(n) if bas[k] is not None]
    if not peuplees:
        q = np.quantile(r - p, niveaux)
        bas = [float(q[0])] * n
        haut = [float(q[1])] * n
        peuplees = list(range(n))
    bornes_bas = (0.0, *bornes_min)
    for k in range(n):
        if bas[k] is not None:
            continue
        dessous = [j for j in peuplees if j < k]
        donneur = dessous[-1] if dessous else peuplees[0]
        facteur = 1.0
        if dessous and donneur < len(bornes_min):
            facteur = max(1.0, bornes_bas[k] / bornes_min[donneur])
        bas[k] = float(bas[donneur]) * facteur  # type: ignore[arg-type]
        haut[k] = float(haut[donneur]) * facteur  # type: ignore[arg-type]
    return Bande(
        bornes_min=tuple(bornes_min),
        bas_min=tuple(round(float(v), 3) for v in bas),  # type: ignore[arg-type]
        haut_min=tuple(round(float(v), 3) for v in haut),  # type: ignore[arg-type]
        couverture=couverture,
        origine=origine,
    )


# ---------------------------------------------------------------------------------------
# The calibration file


@dataclass(frozen=True)
class Calibration:
    """What a calibration file holds (``accessibilite temps calibrer``).

    Attributes
    ----------
    source
        The source it calibrates: ``vol-oiseau``, ``osm`` or ``matrice``.
    vol_oiseau
        Straight-line ``(a, b)`` for all communes, or ``None``.
    classes
        Per density class: ``(classe, a, b)`` (empty without a fit per class).
    temps_interne
        Fitted internal-time model, or ``None``.
    facteurs_pointe
        Peak-hour factor per road class (``osm``), or empty.
    bande
        The error band of the calibrated source.
    meta
        The ``[calibration]`` table: reference, date, département, BPE, folds, errors...
    fichier
        The file it was read from.
    """

    source: str
    vol_oiseau: tuple[float, float] | None = None
    classes: tuple[tuple[ClasseDensite, float, float], ...] = ()
    temps_interne: ModeleTempsInterne | None = None
    facteurs_pointe: Mapping[str, float] = field(default_factory=dict)
    bande: Bande = field(default_factory=Bande)
    meta: Mapping[str, Any] = field(default_factory=dict)
    fichier: str | None = None

    def description(self) -> str:
        """One French line naming the calibration."""
        nom = Path(self.fichier).name if self.fichier else "calibration"
        reference = Path(str(self.meta.get("reference", ""))).name
        return f"calibration {nom}" + (f" (référence {reference})" if reference else "")


def _toml(valeur: Any) -> str:
    if isinstance(valeur, np.generic):
        valeur = valeur.item()
    if isinstance(valeur, bool):
        return "true" if valeur else "false"
    if isinstance(valeur, int | float):
        return repr(round(float(valeur), 6)) if isinstance(valeur, float) else str(valeur)
    if isinstance(valeur, list | tuple):
        return "[" + ", ".join(_toml(v) for v in valeur) + "]"
    texte = str(valeur).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{texte}"'


def texte_calibration(cal: Calibration, *, entete: Sequence[str] = ()) -> str:
    """The calibration as TOML text, with French comments (``entete``: first lines)."""
    lignes = [f"# {ligne}" if ligne else "#" for ligne in entete]
    lignes += ["", "[calibration]", f"source = {_toml(cal.source)}"]
    for cle, valeur in cal.meta.items():
        if valeur is not None and not isinstance(valeur, dict):
            lignes.append(f"{cle} = {_toml(valeur)}")
    if cal.vol_oiseau is not None:
        lignes += [
            "",
            "# Vol d'oiseau : minutes = a + b × km entre centres de communes.",
            "[vol_oiseau]",
            f"a_min = {_toml(cal.vol_oiseau[0])}",
            f"b_min_par_km = {_toml(cal.vol_oiseau[1])}",
        ]
        for classe, a, b in cal.classes:
            lignes += [
                "",
                "[[vol_oiseau.classes]]",
                f"nom = {_toml(classe.nom)}",
            ]
            if classe.densite_max is not None:
                lignes.append(f"densite_max = {_toml(classe.densite_max)}")
            lignes += [f"a_min = {_toml(a)}", f"b_min_par_km = {_toml(b)}"]
    if cal.temps_interne is not None:
        lignes += [
            "",
            "# Temps interne : a + b × distance moyenne (km) des habitants au centre.",
            "[temps_interne]",
            f"a_min = {_toml(cal.temps_interne.a_min)}",
            f"b_min_par_km = {_toml(cal.temps_interne.b_min_par_km)}",
        ]
    if cal.facteurs_pointe:
        lignes += ["", "# Facteurs d'heure pleine par classe de route (réseau OSM)."]
        lignes.append("[osm.facteurs_pointe]")
        lignes += [f"{cle} = {_toml(v)}" for cle, v in cal.facteurs_pointe.items()]
    bande = cal.bande.en_dict()
    lignes += [
        "",
        "# Bande d'incertitude : quantiles des résidus (référence − modèle, minutes) par",
        "# classe de temps calculé (bornes hautes en minutes ; la dernière classe est ouverte).",
        "[bande]",
    ]
    lignes += [f"{cle} = {_toml(v)}" for cle, v in bande.items()]
    erreurs_meta = cal.meta.get("erreurs")
    if isinstance(erreurs_meta, dict):
        lignes += ["", "# Erreurs (minutes) avant et après calibration, validation croisée."]
        for moment, table in erreurs_meta.items():
            lignes.append(f"[erreurs.{moment}]")
            lignes += [f"{cle} = {_toml(v)}" for cle, v in table.items()]
    return "\n".join(lignes) + "\n"


_CLES = {
    "calibration": None,
    "vol_oiseau": {"a_min", "b_min_par_km", "classes"},
    "temps_interne": {"a_min", "b_min_par_km"},
    "osm": {"facteurs_pointe"},
    "bande": {"bornes_min", "bas_min", "haut_min", "couverture", "origine"},
    "erreurs": None,
}


def _nombre(valeur: Any, ou: str) -> float:
    if isinstance(valeur, bool) or not isinstance(valeur, int | float) or not np.isfinite(valeur):
        raise DonneesInvalides(f"Fichier de calibration : {ou} doit être un nombre fini.")
    return float(valeur)


def lire_calibration(chemin: str | Path) -> Calibration:
    """Read and validate a calibration file (unknown keys are refused).

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    DonneesInvalides
        Unreadable TOML, an unknown key, a missing or invalid value.
    """
    chemin = Path(chemin)
    if not chemin.is_file():
        raise DonneesManquantes(f"Fichier de calibration introuvable : {chemin}.")
    try:
        brut = tomllib.loads(chemin.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DonneesInvalides(f"Fichier de calibration {chemin.name} illisible : {exc}") from exc
    inconnues = [k for k in brut if k not in _CLES]
    for table, cles in _CLES.items():
        if cles is not None and isinstance(brut.get(table), dict):
            inconnues += [f"{table}.{k}" for k in brut[table] if k not in cles]
    if inconnues:
        raise DonneesInvalides(
            f"Fichier de calibration {chemin.name} : clés inconnues {', '.join(inconnues)}."
        )
    meta = dict(brut.get("calibration") or {})
    source = meta.pop("source", None)
    if source not in ("vol-oiseau", "osm", "matrice"):
        raise DonneesInvalides(
            f"Fichier de calibration {chemin.name} : [calibration] source doit valoir "
            "vol-oiseau, osm ou matrice."
        )
    if "bande" not in brut:
        raise DonneesInvalides(f"Fichier de calibration {chemin.name} : table [bande] absente.")
    vol = brut.get("vol_oiseau")
    couple: tuple[float, float] | None = None
    classes: list[tuple[ClasseDensite, float, float]] = []
    if isinstance(vol, dict):
        couple = (
            _nombre(vol.get("a_min"), "vol_oiseau.a_min"),
            _nombre(vol.get("b_min_par_km"), "vol_oiseau.b_min_par_km"),
        )
        for i, c in enumerate(vol.get("classes", [])):
            ou = f"vol_oiseau.classes[{i}]"
            maxi = c.get("densite_max")
            classes.append(
                (
                    ClasseDensite(
                        str(c.get("nom", f"classe {i + 1}")),
                        None if maxi is None else _nombre(maxi, ou),
                    ),
                    _nombre(c.get("a_min"), f"{ou}.a_min"),
                    _nombre(c.get("b_min_par_km"), f"{ou}.b_min_par_km"),
                )
            )
        if classes:
            classes_densite(np.zeros(1), [c for c, _, _ in classes])  # validates the bounds
    interne = None
    if isinstance(brut.get("temps_interne"), dict):
        ti = brut["temps_interne"]
        interne = ModeleTempsInterne(
            a_min=_nombre(ti.get("a_min"), "temps_interne.a_min"),
            b_min_par_km=_nombre(ti.get("b_min_par_km"), "temps_interne.b_min_par_km"),
        )
    facteurs = {}
    if isinstance(brut.get("osm"), dict):
        for cle, v in (brut["osm"].get("facteurs_pointe") or {}).items():
            f = _nombre(v, f"osm.facteurs_pointe.{cle}")
            if not 0 < f <= 1.5:
                raise DonneesInvalides(
                    f"Fichier de calibration {chemin.name} : facteur d'heure pleine {cle} = {f} "
                    "hors de ]0 ; 1,5]."
                )
            facteurs[str(cle)] = f
    bande = Bande.depuis_dict(brut["bande"], origine=f"calibration {chemin.name}")
    if source == "vol-oiseau" and couple is None:
        raise DonneesInvalides(
            f"Fichier de calibration {chemin.name} : table [vol_oiseau] absente pour la source "
            "vol-oiseau."
        )
    return Calibration(
        source=str(source),
        vol_oiseau=couple,
        classes=tuple(classes),
        temps_interne=interne,
        facteurs_pointe=facteurs,
        bande=bande,
        meta={**meta, "erreurs": brut.get("erreurs")},
        fichier=str(chemin.resolve()),
    )
