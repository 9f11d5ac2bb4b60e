"""Calibrating the travel times on a reference: ``accessibilite temps calibrer``.

A reference is either

* per-commune access times to services, the layout of INSEE's « Données sur la localisation
  et l'accès de la population aux équipements » (``metric_acces_59.csv``): a commune code
  column, then ``acces_<service>_moy_min`` columns (minutes, population-weighted mean over
  the commune's 200 m squares, to the nearest equipment of the service). Each service maps
  to TYPEQU codes through the indicator presets (``data/services.toml``, names and
  aliases); the model's time is the one from the commune to the nearest commune holding
  the service in the BPE given (itself when it holds it);
* or a commune × commune matrix in any layout that
  :func:`accessibilite.noyau.import_matrice.lire_matrice` reads (centre-to-centre times).

:func:`calibrer` builds the observations, fits the model of the source (the straight line's
``a + b × km``, per density class if asked, with the internal time when asked; the road
graph's peak-hour factors; nothing for an imported matrix but its internal time), scores it
before (default settings) and after (k-fold cross-validated), and derives the error band.
:func:`rapport_calibration` writes the French report.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from accessibilite.noyau.calibration import (
    CLASSES_DENSITE_DEFAUT,
    GROUPES_ROUTES,
    Calibration,
    ClasseDensite,
    CoefficientsVolOiseau,
    Erreurs,
    Observations,
    ajuster_multiplicateurs,
    ajuster_vol_oiseau_obs,
    bande_depuis_residus,
    classes_densite,
    erreurs,
    predire_vol_oiseau,
    valider_croise,
)
from accessibilite.noyau.import_matrice import codes_communes, lire_csv, lire_matrice, nombres
from accessibilite.noyau.sources import A_MIN_DEFAUT, B_MIN_PAR_KM_DEFAUT, SourceTemps
from accessibilite.noyau.temps_interne import ModeleTempsInterne
from poles.communes import charger_inventaire, lieux_communes
from poles.indicateurs import Service, charger_services, nombre_par_commune
from poles.temps import densites, distances_internes, lire_grille_population
from socle.erreurs import DonneesInvalides
from socle.fichiers import empreinte_fichier
from socle.territoire import departement

__all__ = [
    "Reference",
    "ResultatCalibration",
    "calibrer",
    "lire_reference",
    "rapport_calibration",
]

logger = logging.getLogger(__name__)

_ACCES = re.compile(r"^acces_(.+)_moy_min$", flags=re.IGNORECASE)
#: INSEE floors the shortest square's time at 1 min: a commune with a square at the floor
#: most likely holds the service in the reference's year.
PLANCHER_MIN_MIN = 1.0
#: A service whose number of equipped communes (among the reference's) differs by more than
#: this ratio between the BPE and the reference changed too much between the two vintages
#: (or is not the same thing in both nomenclatures): it is left out of the fits.
RAPPORT_EQUIPEES_MAX = 1.5
#: The error table's row over every service but those left out of the fits.
GROUPE_HORS_ECARTES = "ensemble hors services écartés"
_COLONNES_CODE = ("code", "code_insee", "codgeo", "depcom", "code_commune", "insee", "com")


@dataclass
class Reference:
    """A reference read from a file.

    Attributes
    ----------
    fichier
        The file.
    genre
        ``acces`` (per-commune access times) or ``matrice`` (commune × commune).
    acces
        Per-commune: index the commune codes, one column per service name (minutes, NaN
        where the file has no value).
    services
        Per-commune: the service of each column.
    colonnes
        Per-commune: the file's column of each service.
    ecartes
        Per-commune: the file's access columns left out, and why (French).
    matrice
        Commune × commune: origins × destinations (minutes).
    plus_courts
        Per-commune, when the file has ``acces_<service>_min_min``: the shortest square's
        time (floored at 1 min), which tells whether the commune held the service in the
        reference's year.
    """

    fichier: Path
    genre: str
    acces: pd.DataFrame | None = None
    services: dict[str, Service] = field(default_factory=dict)
    colonnes: dict[str, str] = field(default_factory=dict)
    ecartes: dict[str, str] = field(default_factory=dict)
    matrice: pd.DataFrame | None = None
    plus_courts: pd.DataFrame | None = None

    @property
    def codes(self) -> list[str]:
        """The commune codes the reference speaks of (origins for a matrix)."""
        table = self.acces if self.acces is not None else self.matrice
        assert table is not None  # one of the two is always set
        return [str(c) for c in table.index]


def _service_de(nom: str, presets: dict[str, Service]) -> Service | None:
    from poles.indicateurs import _cle

    cle = _cle(nom)
    for service in presets.values():
        if cle == service.nom or cle in service.alias:
            return service
    return None


def lire_reference(
    chemin: str | Path,
    *,
    services: list[str] | None = None,
    colonnes: str | None = None,
    periode: str = "pointe",
) -> Reference:
    """Read a reference: per-commune access times, or else a commune × commune matrix.

    Parameters
    ----------
    chemin
        The CSV file.
    services
        Per-commune: the services to use (names of the ``acces_<service>_moy_min``
        columns); a named service with no column or no TYPEQU mapping is an error. Without
        it, every access column with a mapping is used, the others listed in
        :attr:`Reference.ecartes`.
    colonnes, periode
        Matrix: see :func:`accessibilite.noyau.import_matrice.lire_matrice`.

    Raises
    ------
    DonneesInvalides
        No usable column, a requested service unknown or unmapped, negative or non-finite
        times, duplicate communes.
    """
    chemin = Path(chemin)
    brut, _, _ = lire_csv(chemin, quoi="Référence")
    acces = {c: m.group(1).lower() for c in brut.columns if (m := _ACCES.match(str(c)))}
    if not acces:
        if services:
            raise DonneesInvalides(
                f"Référence {chemin.name} : aucune colonne acces_<service>_moy_min ; --services "
                "ne s'applique qu'à une référence de temps d'accès par commune."
            )
        try:
            matrice = lire_matrice(chemin, colonnes=colonnes, periode=periode)
        except DonneesInvalides as exc:
            if "format non reconnu" not in str(exc) and "aucune colonne de temps" not in str(exc):
                raise
            raise DonneesInvalides(
                f"Référence {chemin.name} : aucune colonne utilisable. Attendu des temps "
                "d'accès par commune (une colonne de codes et des colonnes "
                "acces_<service>_moy_min) ou une matrice commune × commune (table Metric-OSRM, "
                "export Odomatrix, origine/destination/minutes, matrice large)."
            ) from exc
        return Reference(fichier=chemin, genre="matrice", matrice=matrice)

    cles = {str(c).strip().lower(): c for c in brut.columns}
    code = next((cles[c] for c in _COLONNES_CODE if c in cles), brut.columns[0])
    codes = codes_communes(brut[code])
    if not codes.str.fullmatch(r"\d{5}|2[AB]\d{3}").all():
        mauvais = codes[~codes.str.fullmatch(r"\d{5}|2[AB]\d{3}")].iloc[0]
        raise DonneesInvalides(
            f"Référence {chemin.name} : la colonne « {code} » ne contient pas que des codes "
            f"INSEE de communes (par exemple « {mauvais} »)."
        )
    if codes.duplicated().any():
        raise DonneesInvalides(
            f"Référence {chemin.name} : commune {codes[codes.duplicated()].iloc[0]} en double."
        )
    presets = charger_services()
    demandes = None if services is None else [s.strip().lower() for s in services if s.strip()]
    if demandes is not None:
        inconnus = [s for s in demandes if s not in acces.values()]
        if inconnus:
            raise DonneesInvalides(
                f"Référence {chemin.name} : pas de colonne acces_{inconnus[0]}_moy_min "
                f"(services présents : {', '.join(sorted(acces.values()))})."
            )
    table: dict[str, pd.Series] = {}
    plus_courts: dict[str, pd.Series] = {}
    reference = Reference(fichier=chemin, genre="acces")
    for colonne, nom in acces.items():
        if demandes is not None and nom not in demandes:
            continue
        service = _service_de(nom, presets)
        if service is None:
            raison = (
                "aucun service prédéfini de ce nom, donc aucun code TYPEQU (data/services.toml)"
            )
            if demandes is not None:
                raise DonneesInvalides(
                    f"Référence {chemin.name} : le service « {nom} » n'a pas de correspondance "
                    "TYPEQU (aucun service prédéfini de ce nom dans data/services.toml)."
                )
            reference.ecartes[colonne] = raison
            continue
        valeurs = nombres(brut[colonne], chemin.name, colonne, quoi="Référence")
        negatifs = valeurs < 0
        if negatifs.any():
            raise DonneesInvalides(
                f"Référence {chemin.name} : {int(negatifs.sum())} temps négatifs dans "
                f"« {colonne} » (par exemple la commune {codes[negatifs].iloc[0]})."
            )
        table[service.nom] = pd.Series(valeurs.to_numpy(dtype=np.float64), index=codes.to_numpy())
        colonne_min = re.sub(r"_moy_min$", "_min_min", str(colonne), flags=re.IGNORECASE)
        if colonne_min in brut.columns:
            minimum = nombres(brut[colonne_min], chemin.name, colonne_min, quoi="Référence")
            if (minimum < 0).any():
                raise DonneesInvalides(
                    f"Référence {chemin.name} : temps négatifs dans « {colonne_min} »."
                )
            plus_courts[service.nom] = pd.Series(
                minimum.to_numpy(dtype=np.float64), index=codes.to_numpy()
            )
        reference.services[service.nom] = service
        reference.colonnes[service.nom] = colonne
    if not table:
        raise DonneesInvalides(
            f"Référence {chemin.name} : aucune colonne utilisable (colonnes d'accès sans "
            f"correspondance TYPEQU : {', '.join(reference.ecartes) or 'aucune'})."
        )
    reference.acces = pd.DataFrame(table)
    reference.acces.index.name = "code"
    if plus_courts:
        reference.plus_courts = pd.DataFrame(plus_courts).reindex(columns=reference.acces.columns)
    for colonne, raison in reference.ecartes.items():
        logger.warning("Référence %s : colonne %s écartée (%s).", chemin.name, colonne, raison)
    return reference


@dataclass
class ResultatCalibration:
    """What :func:`calibrer` gives.

    Attributes
    ----------
    calibration
        The calibration (:func:`accessibilite.noyau.calibration.texte_calibration` writes
        it as TOML).
    erreurs
        One row per (group, moment): ``groupe`` (service, ``paires`` or ``ensemble``),
        ``moment`` (``avant``: default settings; ``apres``: fitted, cross-validated),
        ``n, mae_min, biais_min, r2, q10_min, q50_min, q90_min``.
    observations
        One row per observation: ``code, groupe, reference_min, avant_min, apres_min``
        (the cross-validated prediction) and ``km`` (straight line; ``NaN`` for other
        sources).
    parametres
        What was done (reference, source, BPE, folds, services used and left out...).
    """

    calibration: Calibration
    erreurs: pd.DataFrame
    observations: pd.DataFrame
    parametres: dict[str, Any]


def _erreurs_par_groupe(
    groupes: np.ndarray, ref: np.ndarray, predictions: dict[str, np.ndarray]
) -> pd.DataFrame:
    lignes = []
    for moment, pred in predictions.items():
        noms = [*sorted(set(groupes.tolist())), "ensemble"]
        for nom in noms:
            masque = np.ones(len(ref), dtype=bool) if nom == "ensemble" else groupes == nom
            e: Erreurs = erreurs(pred[masque], ref[masque])
            lignes.append({"groupe": nom, "moment": moment, **e.en_dict()})
    return pd.DataFrame(lignes)


def _observations_acces(
    reference: Reference,
    communes: gpd.GeoDataFrame,
    equipements: pd.DataFrame,
    source: SourceTemps | None,
    distances: pd.Series,
    classe: pd.Series,
) -> tuple[Observations, np.ndarray | None, np.ndarray, list[str]]:
    """Observations of a per-commune reference; with a non-straight-line source, its times;
    and whether each commune's own equipment agrees between the BPE and the reference."""
    from scipy.spatial import cKDTree

    assert reference.acces is not None
    codes_ref = reference.acces.index.to_numpy(dtype=str)
    indexees = communes.set_index(communes["code"].astype(str))
    origines = lieux_communes(indexees.loc[codes_ref].reset_index(drop=True))
    morceaux: list[dict[str, np.ndarray]] = []
    temps_source: list[np.ndarray] = []
    concordances: list[np.ndarray] = []
    sans_equipement: list[str] = []
    for nom, service in reference.services.items():
        nombre = nombre_par_commune(equipements, service)
        cibles_codes = [c for c in nombre.index.astype(str) if c in indexees.index]
        if not cibles_codes:
            sans_equipement.append(nom)
            continue
        cibles = lieux_communes(indexees.loc[cibles_codes].reset_index(drop=True))
        d, _ = cKDTree(np.column_stack([cibles.x, cibles.y])).query(
            np.column_stack([origines.x, origines.y])
        )
        km = np.asarray(d, dtype=np.float64) / 1000.0
        km[np.isin(codes_ref, cibles_codes)] = 0.0
        ref = reference.acces[nom].to_numpy(dtype=np.float64)
        garder = np.isfinite(ref)
        equipee = np.isin(codes_ref, cibles_codes)
        if reference.plus_courts is not None and nom in reference.plus_courts.columns:
            minimum = reference.plus_courts[nom].to_numpy(dtype=np.float64)
            concorde = ~np.isfinite(minimum) | (equipee == (minimum <= PLANCHER_MIN_MIN + 1e-9))
        else:
            concorde = np.ones(len(codes_ref), dtype=bool)
        concordances.append(concorde[garder])
        if source is not None:
            t, _ = source.plus_proche(origines, cibles)
            temps_source.append(t[garder] / 60.0)
        morceaux.append(
            {
                "code": codes_ref[garder],
                "groupe": np.full(int(garder.sum()), nom),
                "reference_min": ref[garder],
                "km": km[garder],
            }
        )
    if not morceaux:
        raise DonneesInvalides(
            "Aucun service de la référence n'a d'équipement dans la BPE donnée sur le "
            "département et son tampon : vérifiez le millésime de la BPE."
        )
    code = np.concatenate([m["code"] for m in morceaux])
    obs = Observations(
        code=code,
        groupe=np.concatenate([m["groupe"] for m in morceaux]),
        reference_min=np.concatenate([m["reference_min"] for m in morceaux]),
        km=np.concatenate([m["km"] for m in morceaux]),
        distance_interne_km=distances.reindex(code).to_numpy(dtype=np.float64),
        classe=classe.reindex(code).to_numpy(dtype=np.int64),
    )
    return (
        obs,
        (np.concatenate(temps_source) if source is not None else None),
        np.concatenate(concordances),
        sans_equipement,
    )


def _observations_matrice(
    reference: Reference,
    communes: gpd.GeoDataFrame,
    source: SourceTemps | None,
    distances: pd.Series,
    classe: pd.Series,
    dep: str,
) -> tuple[Observations, np.ndarray | None]:
    assert reference.matrice is not None
    m = reference.matrice
    connues = set(communes["code"].astype(str))
    interieur = set(communes.loc[~communes["hors_departement"], "code"].astype(str))
    hors = [c for c in m.index.astype(str) if c not in interieur]
    if hors:
        raise DonneesInvalides(
            f"Référence {reference.fichier.name} : {len(hors)} communes d'origine hors du "
            f"département {dep} (par exemple {', '.join(hors[:3])}) : donnez le bon "
            "--departement ou une matrice dont les origines sont dans le département."
        )
    colonnes = [c for c in m.columns.astype(str) if c in connues]
    ignorees = m.shape[1] - len(colonnes)
    if ignorees:
        logger.warning(
            "Référence : %d destinations hors du département et de son tampon ignorées.",
            ignorees,
        )
    m = m.loc[:, colonnes]
    indexees = communes.set_index(communes["code"].astype(str))
    o = lieux_communes(indexees.loc[m.index.astype(str)].reset_index(drop=True))
    d = lieux_communes(indexees.loc[colonnes].reset_index(drop=True))
    km = np.hypot(o.x[:, None] - d.x[None, :], o.y[:, None] - d.y[None, :]) / 1000.0
    ref = m.to_numpy(dtype=np.float64)
    garder = np.isfinite(ref) & (km > 0)
    if garder.sum() < 3:
        raise DonneesInvalides(
            f"Référence {reference.fichier.name} : moins de 3 paires de communes distinctes."
        )
    i, j = np.nonzero(garder)
    code = np.asarray(m.index.astype(str))[i]
    obs = Observations(
        code=code,
        groupe=np.full(i.size, "paires"),
        reference_min=ref[i, j],
        km=km[i, j],
        distance_interne_km=distances.reindex(code).to_numpy(dtype=np.float64),
        classe=classe.reindex(code).to_numpy(dtype=np.int64),
    )
    temps = None
    if source is not None:
        temps = source.matrice(o, d)[i, j] / 60.0
    return obs, temps


def _calibrer_osm(
    source: SourceTemps,
    reference: Reference,
    communes: gpd.GeoDataFrame,
    equipements: pd.DataFrame,
    distances: pd.Series,
    classe: pd.Series,
    interne: ModeleTempsInterne | None,
    dep: str,
    iterations: int,
    apprend: np.ndarray,
) -> tuple[dict[str, float], Any]:
    """Peak-hour factors of the road graph: fit, reroute, fit again; returns the factors and
    a function giving, for given factors, the observations and the per-group times."""
    from accessibilite.noyau.source_reseau import SourceReseau
    from reseau.recalage import appliquer_facteurs_pointe, facteurs_pointe, multiplier_temps_classes

    if not isinstance(source, SourceReseau):
        raise DonneesInvalides("--source osm demande un réseau routier (--reseau FICHIER).")
    defaut = facteurs_pointe()
    facteurs = dict(defaut)
    pas = 0.05

    def evaluer(f: dict[str, float]) -> tuple[Observations, np.ndarray, np.ndarray]:
        graphe = appliquer_facteurs_pointe(source.graphe, {k: f[k] for k in defaut})
        base = SourceReseau(graphe, distance_max_m=source.distance_max_m)
        obs, t0, _ = _observations(reference, communes, equipements, base, distances, classe, dep)
        colonnes = []
        for classes in GROUPES_ROUTES.values():
            perturbe = SourceReseau(
                multiplier_temps_classes(graphe, {c: 1.0 + pas for c in classes}),
                distance_max_m=source.distance_max_m,
            )
            _, t, _ = _observations(
                reference, communes, equipements, perturbe, distances, classe, dep
            )
            colonnes.append((np.asarray(t) - np.asarray(t0)) / pas)
        groupes = np.clip(np.column_stack(colonnes), 0.0, None)
        reste = np.asarray(t0) - groupes.sum(axis=1)
        if interne is not None:
            reste = reste + interne.minutes(obs.distance_interne_km)
        return obs, groupes, reste

    for _ in range(iterations):
        obs, groupes, reste = evaluer(facteurs)
        fini = np.isfinite(reste) & apprend
        x = ajuster_multiplicateurs(groupes[fini], reste[fini], obs.reference_min[fini])
        for classes, multiplicateur in zip(GROUPES_ROUTES.values(), x, strict=True):
            for c in classes:
                facteurs[c] = float(np.clip(facteurs[c] / multiplicateur, 0.05, 1.5))
        logger.info(
            "Facteurs d'heure pleine : %s",
            {g: round(v, 3) for g, v in zip(GROUPES_ROUTES, x, strict=True)},
        )
    return facteurs, evaluer


def _observations(
    reference: Reference,
    communes: gpd.GeoDataFrame,
    equipements: pd.DataFrame,
    source: SourceTemps | None,
    distances: pd.Series,
    classe: pd.Series,
    dep: str,
) -> tuple[Observations, np.ndarray | None, np.ndarray]:
    """The observations, a non-straight-line source's times (minutes), and the concordance."""
    if reference.genre == "acces":
        obs, temps, concorde, _ = _observations_acces(
            reference, communes, equipements, source, distances, classe
        )
        return obs, temps, concorde
    obs, temps = _observations_matrice(reference, communes, source, distances, classe, dep)
    return obs, temps, np.ones(len(obs), dtype=bool)


def calibrer(
    reference: Reference | str | Path,
    departement_code: str,
    bpe: str | Path | pd.DataFrame | None,
    *,
    source: SourceTemps | None = None,
    par_densite: bool = False,
    classes: tuple[ClasseDensite, ...] = CLASSES_DENSITE_DEFAUT,
    temps_interne: bool | None = None,
    grille: gpd.GeoDataFrame | str | Path | None = None,
    plis: int = 5,
    graine: int = 0,
    tampon_km: float = 30.0,
    couverture: float = 0.8,
    iterations_osm: int = 3,
    toutes_observations: bool = False,
) -> ResultatCalibration:
    """Fit the time model of a source on a reference, cross-validated.

    Parameters
    ----------
    reference
        A :class:`Reference` or its file.
    departement_code
        The département the reference's communes belong to (a commune outside it is an
        error; the buffer's communes count as equipment or destinations).
    bpe
        The BPE file or table (per-commune references: where the services are).
    source
        The source to calibrate (default: the straight line). ``osm``: its peak-hour
        factors are fitted; ``matrice``: nothing but the internal time is fitted, the
        errors and the band are measured.
    par_densite
        The straight line: one ``a, b`` per density class of the origin commune.
    temps_interne
        Whether the model counts the internal time (default: yes for per-commune access
        times, which count it; no for a commune × commune matrix, centre to centre).
    grille
        A population grid for the internal time's mean distances.
    plis, graine
        k-fold cross-validation by commune, and the seed of the folds.
    couverture
        Share of the residuals the band covers (0.8: 10 %–90 % quantiles).
    toutes_observations
        Fit on every observation. By default, with a reference that gives the shortest
        square's time (``acces_<service>_min_min``), the fits and the band leave out the
        observations whose commune holds the service in the BPE but not in the reference,
        or the other way round (its shortest square at the 1-minute floor): the equipment
        changed between the two vintages, which no time model can fix. The errors are
        given on all observations and on the concordant ones.
    """
    from accessibilite.noyau.sources import SourceVolOiseau

    ref = reference if isinstance(reference, Reference) else lire_reference(reference)
    dep = departement(departement_code)
    source = source if source is not None else SourceVolOiseau()
    if temps_interne is None:
        temps_interne = ref.genre == "acces"
    if ref.genre == "acces" and bpe is None:
        raise DonneesInvalides(
            "Une référence de temps d'accès par commune demande la BPE (--bpe) pour savoir "
            "où sont les équipements."
        )
    if bpe is not None:
        communes, equipements = charger_inventaire(dep.code, bpe, tampon_km=tampon_km)
    else:
        from poles.communes import charger_communes

        communes = charger_communes(dep.code, tampon_km=tampon_km)
        equipements = pd.DataFrame(columns=["code_commune", "typequ", "nombre"])
    interieur = set(communes.loc[~communes["hors_departement"], "code"].astype(str))
    if ref.genre == "acces":
        hors = [c for c in ref.codes if c not in interieur]
        if hors:
            raise DonneesInvalides(
                f"Référence {ref.fichier.name} : {len(hors)} communes sur {len(ref.codes)} hors "
                f"du département {dep.code} (par exemple {', '.join(hors[:3])}) : donnez le "
                "département de la référence (--departement)."
            )
    if isinstance(grille, str | Path):
        grille = lire_grille_population(grille)
    distances, origine_distances = distances_internes(communes, grille)
    classe = pd.Series(
        classes_densite(densites(communes).to_numpy(), classes),
        index=communes["code"].astype(str).to_numpy(),
    )
    n_classes = len(classes) if par_densite else 1
    interne_defaut = ModeleTempsInterne() if temps_interne else None

    facteurs: dict[str, float] = {}
    obs, temps_source, concorde = _observations(
        ref,
        communes,
        equipements,
        None if source.nom == "vol-oiseau" else source,
        distances,
        classe,
        dep.code,
    )
    # the fits learn from the observations whose commune's own equipment agrees between
    # the BPE and the reference; the errors are given on all of them and on those
    apprend = np.ones(len(obs), dtype=bool) if toutes_observations else concorde.copy()
    changes = {} if toutes_observations else _services_changes(ref, obs)
    for nom in changes:
        apprend &= obs.groupe != nom
    if apprend.sum() < 3:
        raise DonneesInvalides(
            "Moins de 3 observations dont l'équipement concorde entre la BPE et la référence : "
            "la BPE n'est pas celle de la référence ? (--toutes-observations pour les garder)"
        )
    tout = np.ones(len(obs), dtype=bool)
    vol: tuple[float, float] | None = None
    classes_cal: tuple[tuple[ClasseDensite, float, float], ...] = ()
    interne_final: ModeleTempsInterne | None = None
    if source.nom == "vol-oiseau":
        defaut = CoefficientsVolOiseau((A_MIN_DEFAUT,), (B_MIN_PAR_KM_DEFAUT,), interne_defaut)
        avant = predire_vol_oiseau(obs, defaut)

        def ajuster(masque: np.ndarray) -> CoefficientsVolOiseau:
            return ajuster_vol_oiseau_obs(
                obs.sous_ensemble(masque & apprend),
                n_classes=n_classes,
                temps_interne=bool(temps_interne),
            )

        def predire(coef: CoefficientsVolOiseau, masque: np.ndarray) -> np.ndarray:
            return predire_vol_oiseau(obs.sous_ensemble(masque), coef)

        apres = valider_croise(obs.code, ajuster, predire, plis=plis, graine=graine)
        final = ajuster(tout)
        interne_final = final.interne
        if n_classes > 1:
            global_ = ajuster_vol_oiseau_obs(
                obs.sous_ensemble(apprend), temps_interne=bool(temps_interne)
            )
            vol = (global_.a_min[0], global_.b_min_par_km[0])
            classes_cal = tuple(
                (c, final.a_min[k], final.b_min_par_km[k]) for k, c in enumerate(classes)
            )
        else:
            vol = (final.a_min[0], final.b_min_par_km[0])
        km = obs.km
    elif source.nom == "osm":
        assert temps_source is not None
        avant = np.asarray(temps_source, dtype=np.float64)
        if interne_defaut is not None:
            avant = avant + interne_defaut.minutes(obs.distance_interne_km)
        facteurs, evaluer = _calibrer_osm(
            source,
            ref,
            communes,
            equipements,
            distances,
            classe,
            interne_defaut,
            dep.code,
            iterations_osm,
            apprend,
        )
        _, groupes, reste = evaluer(facteurs)

        def ajuster_o(masque: np.ndarray) -> np.ndarray:
            fini = masque & apprend & np.isfinite(reste)
            return ajuster_multiplicateurs(groupes[fini], reste[fini], obs.reference_min[fini])

        def predire_o(x: np.ndarray, masque: np.ndarray) -> np.ndarray:
            return np.asarray(groupes[masque] @ x + reste[masque])

        apres = valider_croise(obs.code, ajuster_o, predire_o, plis=plis, graine=graine)
        interne_final = interne_defaut
        km = np.full(len(obs), np.nan)
    else:
        assert temps_source is not None
        temps = np.asarray(temps_source, dtype=np.float64)
        avant = temps.copy()
        apres = temps.copy()
        if interne_defaut is not None:
            avant = temps + interne_defaut.minutes(obs.distance_interne_km)

            def ajuster_i(masque: np.ndarray) -> ModeleTempsInterne:
                return _ajuster_interne(obs, temps, masque & apprend)

            def predire_i(m: ModeleTempsInterne, masque: np.ndarray) -> np.ndarray:
                return np.asarray(temps[masque] + m.minutes(obs.distance_interne_km[masque]))

            apres = valider_croise(obs.code, ajuster_i, predire_i, plis=plis, graine=graine)
            interne_final = ajuster_i(tout)
        km = np.full(len(obs), np.nan)

    tableau = pd.concat(
        [
            _erreurs_par_groupe(obs.groupe, obs.reference_min, {"avant": avant, "apres": apres}),
            _erreurs_par_groupe(
                obs.groupe[concorde],
                obs.reference_min[concorde],
                {"avant_concordantes": avant[concorde], "apres_concordantes": apres[concorde]},
            ),
        ],
        ignore_index=True,
    )
    if changes:
        garde = ~np.isin(obs.groupe, list(changes))
        supplement = [
            {
                "groupe": GROUPE_HORS_ECARTES,
                "moment": moment,
                **erreurs(pred[m], obs.reference_min[m]).en_dict(),
            }
            for moment, pred, m in (
                ("avant", avant, garde),
                ("apres", apres, garde),
                ("avant_concordantes", avant, garde & concorde),
                ("apres_concordantes", apres, garde & concorde),
            )
        ]
        tableau = pd.concat([tableau, pd.DataFrame(supplement)], ignore_index=True)
    bande = bande_depuis_residus(
        apres[apprend],
        obs.reference_min[apprend],
        couverture=couverture,
        origine=f"calibration sur {ref.fichier.name} (validation croisée en {plis} plis)",
    )
    ensemble = tableau[tableau["groupe"] == "ensemble"].set_index("moment")
    meta: dict[str, Any] = {
        "version": 1,
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "reference": str(ref.fichier.resolve()),
        "reference_sha256": empreinte_fichier(ref.fichier),
        "reference_genre": ref.genre,
        "departement": dep.code,
        "bpe": (str(Path(bpe).resolve()) if isinstance(bpe, str | Path) else None),
        "temps_interne": bool(temps_interne),
        "distances_internes": origine_distances,
        "par_densite": bool(par_densite),
        "plis": plis,
        "graine": graine,
        "observations": len(obs),
        "observations_apprises": int(apprend.sum()),
        "services_ecartes_ajustement": sorted(changes),
        "communes": int(np.unique(obs.code).size),
        "erreurs": {
            moment: {
                k: v
                for k, v in ensemble.loc[moment].items()
                if k in ("n", "mae_min", "biais_min", "r2", "q10_min", "q50_min", "q90_min")
            }
            for moment in ("avant", "apres")
        },
    }
    calibration = Calibration(
        source=source.nom,
        vol_oiseau=vol,
        classes=classes_cal,
        temps_interne=interne_final,
        facteurs_pointe=facteurs,
        bande=bande,
        meta=meta,
    )
    observations = pd.DataFrame(
        {
            "code": obs.code,
            "groupe": obs.groupe,
            "reference_min": obs.reference_min,
            "avant_min": avant,
            "apres_min": apres,
            "km": km,
            "distance_interne_km": obs.distance_interne_km,
            "classe_densite": [classes[int(k)].nom for k in obs.classe],
            "concordante": concorde,
        }
    )
    parametres = {
        "reference": str(ref.fichier),
        "genre": ref.genre,
        "source": source.nom,
        "source_description": source.description(),
        "departement": dep.code,
        "departement_nom": dep.nom,
        "services": {n: list(s.typequ) for n, s in ref.services.items()},
        "ecartes": dict(ref.ecartes),
        "services_changes": changes,
        "temps_interne": bool(temps_interne),
        "par_densite": bool(par_densite),
        "classes": [(c.nom, c.densite_max) for c in classes],
        "plis": plis,
        "bpe": meta["bpe"],
    }
    return ResultatCalibration(
        calibration=calibration, erreurs=tableau, observations=observations, parametres=parametres
    )


def _services_changes(ref: Reference, obs: Observations) -> dict[str, tuple[int, int]]:
    """Services whose equipped communes changed too much between the BPE and the reference.

    Returns, per such service, the number of the reference's communes holding it in the BPE
    and in the reference (shortest square at the 1-minute floor).
    """
    if ref.plus_courts is None:
        return {}
    changes = {}
    for nom in ref.plus_courts.columns:
        dans = obs.groupe == nom
        if not dans.any():
            continue
        bpe = int(np.sum(obs.km[dans] == 0))
        minimum = ref.plus_courts[nom].reindex(obs.code[dans]).to_numpy(dtype=np.float64)
        reference = int(np.sum(minimum <= PLANCHER_MIN_MIN + 1e-9))
        if max(bpe, reference) > RAPPORT_EQUIPEES_MAX * max(min(bpe, reference), 1):
            changes[str(nom)] = (bpe, reference)
    if changes:
        logger.warning(
            "Services écartés de l'ajustement (équipement trop différent entre la BPE et la "
            "référence) : %s.",
            ", ".join(
                f"{n} ({b} communes équipées dans la BPE, {r} dans la référence)"
                for n, (b, r) in changes.items()
            ),
        )
    return changes


def _ajuster_interne(
    obs: Observations, temps: np.ndarray, masque: np.ndarray
) -> ModeleTempsInterne:
    """Internal time ``a + b × d`` (>= 0) fitted on the residuals of a fixed source."""
    from accessibilite.noyau.calibration import ajuster_lineaire

    garder = masque & np.isfinite(temps)
    x = np.column_stack([np.ones(int(garder.sum())), obs.distance_interne_km[garder]])
    theta = ajuster_lineaire(x, obs.reference_min[garder] - temps[garder])
    return ModeleTempsInterne(a_min=float(theta[0]), b_min_par_km=float(theta[1]))


def _nombre(x: Any, decimales: int = 2) -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "—"
    return f"{x:.{decimales}f}".replace(".", ",").replace("-", "−")


def rapport_calibration(resultat: ResultatCalibration) -> str:
    """The French report of a calibration (Markdown)."""
    p = resultat.parametres
    cal = resultat.calibration
    source = {
        "vol-oiseau": "vol d'oiseau",
        "osm": "réseau OpenStreetMap",
        "matrice": "matrice importée",
    }[cal.source]
    genre = (
        "temps d'accès par commune et par service"
        if p["genre"] == "acces"
        else "matrice commune × commune"
    )
    lignes = [
        f"# Calibration des temps de trajet — {Path(p['reference']).name}",
        "",
        f"- Source calibrée : {source} ({p['source_description']}).",
        f"- Référence : {p['reference']} ({genre}).",
        f"- Département : {p['departement_nom']} ({p['departement']}) ; BPE : {p['bpe'] or '—'}.",
        f"- {cal.meta['observations']} observations, {cal.meta['communes']} communes ; validation "
        f"croisée en {p['plis']} plis (par commune : une commune n'aide jamais à prédire ses "
        "propres temps).",
        f"- Temps interne à la commune : {'compté' if p['temps_interne'] else 'non compté'}"
        + (
            " (distances moyennes des habitants au centre d'après la surface des communes)."
            if p["temps_interne"]
            else "."
        ),
    ]
    if p["services"]:
        lignes.append(
            "- Services (codes TYPEQU de la BPE) : "
            + " ; ".join(f"{n} ({', '.join(c)})" for n, c in p["services"].items())
            + "."
        )
    if p["ecartes"]:
        lignes.append(
            "- Colonnes écartées : "
            + " ; ".join(f"{c} ({r})" for c, r in p["ecartes"].items())
            + "."
        )
    if p.get("services_changes"):
        lignes.append(
            "- Services écartés de l'ajustement et de la bande (leurs communes équipées diffèrent "
            "de plus de moitié entre la BPE et la référence : l'équipement a changé entre les "
            "deux millésimes, ou n'est pas le même dans les deux nomenclatures) : "
            + " ; ".join(
                f"{n} ({b} communes équipées dans la BPE, {r} dans la référence)"
                for n, (b, r) in p["services_changes"].items()
            )
            + "."
        )
    lignes += ["", "## Modèle ajusté", ""]
    if cal.vol_oiseau is not None:
        a, b = cal.vol_oiseau
        lignes.append(
            f"- Vol d'oiseau : a = {_nombre(a)} min, b = {_nombre(b, 3)} min/km "
            f"(défaut : a = {_nombre(A_MIN_DEFAUT)}, b = {_nombre(B_MIN_PAR_KM_DEFAUT)})."
        )
        for c, ca, cb in cal.classes:
            borne = f"moins de {c.densite_max:g} hab./km²" if c.densite_max else "au-delà"
            lignes.append(
                f"  - {c.nom} ({borne}) : a = {_nombre(ca)} min, b = {_nombre(cb, 3)} min/km."
            )
    if cal.facteurs_pointe:
        lignes.append(
            "- Facteurs d'heure pleine : "
            + ", ".join(f"{k} {_nombre(v)}" for k, v in cal.facteurs_pointe.items())
            + "."
        )
    if cal.temps_interne is not None:
        lignes.append(
            f"- Temps interne : {_nombre(cal.temps_interne.a_min)} min + "
            f"{_nombre(cal.temps_interne.b_min_par_km)} min/km × distance moyenne au centre."
        )
    lignes += [
        "",
        "## Erreurs (minutes)",
        "",
        "« Avant » : réglages par défaut ; « après » : modèle ajusté, prédictions de validation "
        "croisée. EAM : erreur absolue moyenne ; biais : moyenne de (modèle − référence), "
        "positif quand le modèle est trop lent ; résidus : quantiles de (référence − modèle). "
        "Concordance : part des communes dont l'équipement propre est le même dans la BPE et "
        "dans la référence (une maille à 1 min, le plancher de l'INSEE, vaut « équipée ») ; "
        "les ajustements n'apprennent que sur celles-là ; la dernière colonne donne l'EAM "
        "après calibration sur elles seules.",
        "",
        "| service | n | concordance | EAM avant | biais avant | EAM après | biais après "
        "| R² après | résidus 10 % / 50 % / 90 % | EAM après (concordantes) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    t = resultat.erreurs
    obs = resultat.observations

    def ligne(groupe: str, moment: str) -> pd.Series:
        choix = t[(t["groupe"] == groupe) & (t["moment"] == moment)]
        return choix.iloc[0] if len(choix) else pd.Series(dtype=float)

    for groupe in t.loc[t["moment"] == "apres", "groupe"]:
        av, ap, co = (
            ligne(groupe, "avant"),
            ligne(groupe, "apres"),
            ligne(groupe, "apres_concordantes"),
        )
        dans = obs if groupe == "ensemble" else obs[obs["groupe"] == groupe]
        concordance = float(dans["concordante"].mean()) if len(dans) else float("nan")
        nom = f"**{groupe}**" if groupe.startswith("ensemble") else groupe
        if groupe == GROUPE_HORS_ECARTES:
            dans = obs[~obs["groupe"].isin(list(p.get("services_changes") or {}))]
            concordance = float(dans["concordante"].mean()) if len(dans) else float("nan")
        lignes.append(
            f"| {nom} | {int(ap['n'])} | {round(100 * concordance)} % | {_nombre(av['mae_min'])} | "
            f"{_nombre(av['biais_min'])} | {_nombre(ap['mae_min'])} | {_nombre(ap['biais_min'])} | "
            f"{_nombre(ap['r2'])} | {_nombre(ap['q10_min'])} / {_nombre(ap['q50_min'])} / "
            f"{_nombre(ap['q90_min'])} | {_nombre(co.get('mae_min'))} |"
        )
    bande = cal.bande
    bornes = (0.0, *bande.bornes_min)
    lignes += [
        "",
        f"## Bande d'incertitude ({round(100 * bande.couverture)} % des résidus)",
        "",
        "Quantiles des résidus (référence − modèle) par classe de temps calculé ; un temps t "
        "reçoit l'intervalle [t + bas ; t + haut]. Une classe avec moins de 20 résidus reprend "
        "la classe inférieure peuplée, agrandie dans le rapport des temps.",
        "",
        "| temps calculé | résidus observés | bas | haut |",
        "|---|---:|---:|---:|",
    ]
    apprises = resultat.observations
    if cal.meta.get("observations_apprises") != len(apprises):
        apprises = apprises[apprises["concordante"]]
    k = bande.classe(apprises["apres_min"].to_numpy())
    for i in range(len(bornes)):
        libelle = (
            f"{bornes[i]:g} à {bande.bornes_min[i]:g} min"
            if i < len(bande.bornes_min)
            else f"plus de {bornes[i]:g} min"
        )
        lignes.append(
            f"| {libelle} | {int((k == i).sum())} | {_nombre(bande.bas_min[i])} | "
            f"{_nombre(bande.haut_min[i])} |"
        )
    return "\n".join(lignes) + "\n"
