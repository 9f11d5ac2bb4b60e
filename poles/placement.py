"""Placement helper: where would K new poles or equipments take the most people out of zone grise.

A maximal-coverage problem on the travel-time matrix from the communes in zone grise to the
candidate communes: a new pole (or equipment) in candidate *j* takes commune *i* out of zone
grise when ``t_ij <= seuil``. The greedy choice (each step the candidate that takes out the
most population not yet taken out) is within ``1 - 1/e`` (about 63 %) of the best choice of
K, and exact in the common cases where the candidates' catchments do not overlap or nest;
:func:`couverture_exhaustive` checks it on small cases.

Two entry points: :func:`placement_niveau` (a level of a zones-grises base: the zone-grise
communes of that level, candidates the communes that are not poles of it) and
:func:`placement_service` (a service type and a threshold: the communes beyond it,
candidates the communes without the equipment).
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from accessibilite.noyau.lieux import Lieux
from accessibilite.noyau.sources import SourceTemps
from poles.base import BaseZonesGrises
from poles.communes import lieux_communes
from poles.indicateurs import Service, acces_service, colonne_seuil, nombre_par_commune
from socle.erreurs import DonneesInvalides

__all__ = [
    "ResultatPlacement",
    "couverture_exhaustive",
    "couverture_gloutonne",
    "placement_niveau",
    "placement_service",
    "proposer_placements",
]

logger = logging.getLogger(__name__)


def couverture_gloutonne(
    couverture: NDArray[np.bool_], poids: NDArray[np.float64], k: int
) -> tuple[list[int], list[float]]:
    """Greedy maximal coverage: ``k`` columns covering the most weight of rows.

    Parameters
    ----------
    couverture
        rows (communes) × columns (candidates): True when the candidate covers the row.
    poids
        Weight of each row (population).
    k
        Number of candidates to choose.

    Returns
    -------
    tuple
        Chosen column indices, in order, and the weight gained at each step. Stops early
        when no candidate gains anything (fewer than ``k`` choices). A tie goes to the
        first column.
    """
    couverture = np.asarray(couverture, dtype=bool)
    poids = np.asarray(poids, dtype=np.float64)
    if couverture.ndim != 2 or couverture.shape[0] != poids.size:
        raise DonneesInvalides("Couverture : matrice et poids de tailles incompatibles.")
    if k < 1:
        raise DonneesInvalides("Le nombre de propositions (-k) doit être >= 1.")
    restant = poids.copy()
    choix: list[int] = []
    gains: list[float] = []
    ponderee = couverture.astype(np.float64)
    for _ in range(min(k, couverture.shape[1])):
        gain = restant @ ponderee
        if choix:
            gain[choix] = -1.0
        meilleur = int(np.argmax(gain))
        if gain[meilleur] <= 0:
            break
        choix.append(meilleur)
        gains.append(float(gain[meilleur]))
        restant[couverture[:, meilleur]] = 0.0
    return choix, gains


def couverture_exhaustive(
    couverture: NDArray[np.bool_], poids: NDArray[np.float64], k: int
) -> tuple[tuple[int, ...], float]:
    """Best choice of ``k`` columns by trying them all (small cases only, for checking)."""
    couverture = np.asarray(couverture, dtype=bool)
    poids = np.asarray(poids, dtype=np.float64)
    n = couverture.shape[1]
    if n > 25:
        raise DonneesInvalides("Recherche exhaustive limitée à 25 candidats.")
    meilleur: tuple[tuple[int, ...], float] = ((), 0.0)
    for combinaison in itertools.combinations(range(n), min(k, n)):
        valeur = float(poids[couverture[:, list(combinaison)].any(axis=1)].sum())
        if valeur > meilleur[1]:
            meilleur = (combinaison, valeur)
    return meilleur


@dataclass
class ResultatPlacement:
    """The proposed placements.

    Attributes
    ----------
    propositions
        One row per step: ``rang, code, nom, epci_nom, communes_sorties,
        population_sortie, population_cumulee, part_zone_grise_cumulee,
        communes_sorties_noms``.
    zone_grise
        The communes in zone grise (polygons) with ``sortie_par`` (code of the proposal
        that takes them out, empty if none) and ``rang``.
    points
        The proposals as points (commune centres).
    parametres
        What was computed and from what.
    """

    propositions: pd.DataFrame
    zone_grise: gpd.GeoDataFrame
    points: gpd.GeoDataFrame
    parametres: dict[str, Any] = field(default_factory=dict)


def proposer_placements(
    zone_grise: gpd.GeoDataFrame,
    candidats: gpd.GeoDataFrame,
    source: SourceTemps,
    seuil_min: float,
    k: int,
    *,
    colonne_population: str = "population",
    lieux_candidats: Lieux | None = None,
) -> ResultatPlacement:
    """Greedy placement of ``k`` new poles among ``candidats`` to serve ``zone_grise``.

    Candidates are tried in decreasing population order, so that a tie goes to the larger
    commune. ``lieux_candidats`` (one per row of ``candidats``) replaces their centres as
    places (candidate points of a file, whose codes are not commune codes).

    Raises
    ------
    DonneesInvalides
        No commune in zone grise, no candidate, or ``k < 1``.
    """
    if k < 1:
        raise DonneesInvalides("Le nombre de propositions (-k) doit être >= 1.")
    if zone_grise.empty:
        raise DonneesInvalides("Aucune commune en zone grise : rien à améliorer.")
    if candidats.empty:
        raise DonneesInvalides("Aucune commune candidate pour un nouveau pôle.")
    if lieux_candidats is not None and len(lieux_candidats) != len(candidats):
        raise DonneesInvalides("Placement : un lieu par candidat est attendu.")
    candidats = candidats.reset_index(drop=True)
    ordre = candidats.sort_values(
        [colonne_population, "code"], ascending=[False, True], kind="mergesort"
    ).index.to_numpy()
    candidats = candidats.iloc[ordre].reset_index(drop=True)
    lieux = (
        lieux_communes(candidats)
        if lieux_candidats is None
        else lieux_candidats.sous_ensemble(ordre)
    )
    zone_grise = zone_grise.reset_index(drop=True)
    temps = source.matrice(lieux_communes(zone_grise), lieux)
    couverture = temps <= seuil_min * 60.0
    population = zone_grise[colonne_population].fillna(0).to_numpy(dtype=np.float64)
    choix, gains = couverture_gloutonne(couverture, population, k)
    if len(choix) < k:
        logger.warning(
            "Seulement %d propositions utiles sur %d demandées : aucune autre commune ne sort "
            "qui que ce soit de zone grise.",
            len(choix),
            k,
        )
    total = float(population.sum())
    sortie_par = np.full(len(zone_grise), "", dtype=object)
    rang = np.zeros(len(zone_grise), dtype=np.int64)
    lignes, cumul = [], 0.0
    for etape, (j, gain) in enumerate(zip(choix, gains, strict=True), start=1):
        nouvelles = couverture[:, j] & (sortie_par == "")
        sortie_par[nouvelles] = candidats["code"].iloc[j]
        rang[nouvelles] = etape
        cumul += gain
        lignes.append(
            {
                "rang": etape,
                "code": candidats["code"].iloc[j],
                "nom": candidats["nom"].iloc[j],
                "epci_nom": candidats["epci_nom"].iloc[j],
                "communes_sorties": int(nouvelles.sum()),
                "population_sortie": round(gain),
                "population_cumulee": round(cumul),
                "part_zone_grise_cumulee": cumul / total if total else 0.0,
                "communes_sorties_noms": " ; ".join(zone_grise["nom"][nouvelles]),
            }
        )
    propositions = pd.DataFrame(
        lignes,
        columns=[
            "rang",
            "code",
            "nom",
            "epci_nom",
            "communes_sorties",
            "population_sortie",
            "population_cumulee",
            "part_zone_grise_cumulee",
            "communes_sorties_noms",
        ],
    )
    couche = gpd.GeoDataFrame(
        zone_grise[["code", "nom", colonne_population, "epci_code", "epci_nom"]].copy(),
        geometry=zone_grise.geometry.values,
        crs=zone_grise.crs,
    )
    couche["sortie_par"] = sortie_par
    couche["rang"] = rang
    choisis = candidats.iloc[choix]
    points = gpd.GeoDataFrame(
        propositions.drop(columns=["communes_sorties_noms"]),
        geometry=choisis["centre"].values,
        crs=candidats.crs,
    )
    parametres = {
        "seuil_min": seuil_min,
        "k": k,
        "source": {"nom": source.nom, "description": source.description()},
        "communes_zone_grise": len(zone_grise),
        "population_zone_grise": int(total),
        "candidats": len(candidats),
        "methode": "couverture maximale gloutonne sur la matrice des temps zone grise × candidats",
    }
    return ResultatPlacement(propositions, couche, points, parametres)


def placement_niveau(
    base: BaseZonesGrises, niveau: str, k: int, *, candidats_hors_departement: bool = False
) -> ResultatPlacement:
    """Placement of ``k`` new poles of a level of a zones-grises base.

    Candidates: the communes of the département (and of its buffer with
    ``candidats_hors_departement``) that are not already poles of the level.
    """
    if niveau not in base.niveaux:
        raise DonneesInvalides(
            f"Niveau « {niveau} » non analysé dans la base (niveaux : {', '.join(base.niveaux)})."
        )
    interieur = base.interieur
    zone_grise = interieur[base.etat[f"zone_grise_{niveau}"].to_numpy(dtype=bool)]
    est_pole = base.poles[niveau]["est_pole"].reindex(base.communes["code"]).fillna(False)
    garder = ~est_pole.to_numpy(bool)
    if not candidats_hors_departement:
        garder &= ~base.communes["hors_departement"].to_numpy(bool)
    resultat = proposer_placements(
        zone_grise, base.communes[garder], base.source, base.gammes[niveau].seuil_min, k
    )
    resultat.parametres.update(
        niveau=niveau,
        departement=base.parametres.get("departement"),
        base=str(base.dossier) if base.dossier else None,
    )
    return resultat


def placement_service(
    communes: gpd.GeoDataFrame,
    equipements: pd.DataFrame,
    service: Service,
    source: SourceTemps,
    seuil_min: float,
    k: int,
    *,
    colonne_population: str = "population",
) -> ResultatPlacement:
    """Placement of ``k`` new equipments of a service, for the communes beyond ``seuil_min``.

    Candidates: the communes of the département without the equipment.
    """
    table = acces_service(
        communes,
        equipements,
        service,
        source,
        seuils_min=[seuil_min],
        colonne_population=colonne_population,
    )
    zone_grise = table[table[colonne_seuil(seuil_min)].to_numpy(dtype=bool)]
    possede = communes["code"].isin(nombre_par_commune(equipements, service).index)
    candidats = communes[~possede & ~communes["hors_departement"]]
    resultat = proposer_placements(
        zone_grise, candidats, source, seuil_min, k, colonne_population=colonne_population
    )
    resultat.parametres.update(
        service={"nom": service.nom, "libelle": service.libelle, "typequ": list(service.typequ)}
    )
    return resultat
