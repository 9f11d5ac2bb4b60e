"""Scenarios: add or remove equipments, force poles on or off, and see what changes.

A scenario is a small TOML file (see ``docs/exemples/scenario.toml``)::

    description = "Fermeture de la pharmacie de X, ouverture d'une maison de santé à Y"

    [[ajout]]                  # new equipments
    commune = "62001"
    typequ = "D201"
    nombre = 2                 # default 1

    [[retrait]]                # equipments removed
    commune = "62041"
    typequ = "D301"
    nombre = 1                 # default: all of that type in the commune

    [[pole]]                   # a whole pole forced on (actif = true) or off (false)
    commune = "62160"
    niveau = "superieur"
    actif = false

It is applied to a base (:class:`poles.base.BaseZonesGrises`): the equipment changes are
applied to the BPE counts, the poles detected again with the base's rule, the forced poles
set, and for every level whose pole set changed only what changes is recomputed:

* communes whose nearest pole was removed get a new nearest-pole search, restricted to them;
* poles added: one search from all the other communes to the new poles only, and the
  minimum with their current time (a tie keeps the current pole).

The result equals a full recomputation (checked by the tests on random scenarios).
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from accessibilite.noyau.lieux import Lieux
from accessibilite.noyau.sources import SourceTemps
from poles.base import BaseZonesGrises
from poles.bpe import nomenclature
from poles.communes import lieux_communes
from poles.regles import detecter_poles
from poles.temps import minutes_affichees
from socle.erreurs import DonneesInvalides, DonneesManquantes

__all__ = [
    "ForcagePole",
    "ModificationEquipement",
    "Modifications",
    "ResultatScenario",
    "appliquer_equipements",
    "lire_modifications",
    "mettre_a_jour_plus_proches",
    "poles_apres",
    "scenario",
]

logger = logging.getLogger(__name__)

_CLES = {"description", "ajout", "retrait", "pole"}
_CLES_EQUIPEMENT = {"commune", "typequ", "nombre", "note"}
_CLES_POLE = {"commune", "niveau", "actif", "note"}


@dataclass(frozen=True)
class ModificationEquipement:
    """Equipments added to or removed from a commune (``nombre=None``: all of the type)."""

    commune: str
    typequ: str
    nombre: int | None = 1


@dataclass(frozen=True)
class ForcagePole:
    """A commune forced to be (``actif=True``) or not to be a pole of a level."""

    commune: str
    niveau: str
    actif: bool


@dataclass(frozen=True)
class Modifications:
    """The changes of a scenario."""

    ajouts: tuple[ModificationEquipement, ...] = ()
    retraits: tuple[ModificationEquipement, ...] = ()
    poles: tuple[ForcagePole, ...] = ()
    description: str = ""
    fichier: str = ""

    def __post_init__(self) -> None:
        if not (self.ajouts or self.retraits or self.poles):
            raise DonneesInvalides(
                "Scénario vide : ajoutez au moins une section [[ajout]], [[retrait]] ou "
                "[[pole]] (voir docs/exemples/scenario.toml)."
            )


def _code_commune(valeur: Any, ou: str) -> str:
    if isinstance(valeur, bool) or not isinstance(valeur, str | int):
        raise DonneesInvalides(f'{ou} : « commune » doit être un code INSEE ("62001").')
    return str(valeur).strip().upper().zfill(5) if isinstance(valeur, int) else valeur.strip()


def _equipement(brut: Any, ou: str, *, retrait: bool) -> ModificationEquipement:
    if not isinstance(brut, dict):
        raise DonneesInvalides(f"{ou} : section mal formée.")
    inconnues = set(brut) - _CLES_EQUIPEMENT
    if inconnues:
        raise DonneesInvalides(
            f"{ou} : clés inconnues {', '.join(sorted(inconnues))} (attendu commune, typequ, "
            "nombre)."
        )
    if "commune" not in brut or "typequ" not in brut:
        raise DonneesInvalides(f"{ou} : « commune » et « typequ » sont obligatoires.")
    typequ = str(brut["typequ"]).strip().upper()
    if typequ not in nomenclature().index:
        raise DonneesInvalides(
            f"{ou} : code TYPEQU « {typequ} » inconnu de la nomenclature de la BPE "
            "(par exemple D201 pour le médecin généraliste)."
        )
    nombre = brut.get("nombre", None if retrait else 1)
    if nombre is not None and (
        isinstance(nombre, bool) or not isinstance(nombre, int) or nombre < 1
    ):
        raise DonneesInvalides(f"{ou} : « nombre » doit être un entier >= 1.")
    return ModificationEquipement(_code_commune(brut["commune"], ou), typequ, nombre)


def _forcage(brut: Any, ou: str) -> ForcagePole:
    if not isinstance(brut, dict):
        raise DonneesInvalides(f"{ou} : section mal formée.")
    inconnues = set(brut) - _CLES_POLE
    if inconnues:
        raise DonneesInvalides(
            f"{ou} : clés inconnues {', '.join(sorted(inconnues))} (attendu commune, niveau, "
            "actif)."
        )
    if not {"commune", "niveau", "actif"} <= brut.keys() or not isinstance(brut["actif"], bool):
        raise DonneesInvalides(
            f"{ou} : « commune », « niveau » et « actif » (true ou false) sont obligatoires."
        )
    return ForcagePole(_code_commune(brut["commune"], ou), str(brut["niveau"]), brut["actif"])


def lire_modifications(chemin: str | Path) -> Modifications:
    """Read and validate a scenario file (TOML; format in the module docstring).

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    DonneesInvalides
        Unreadable TOML, unknown keys, a code outside the BPE nomenclature, a count < 1, or
        no modification at all.
    """
    chemin = Path(chemin)
    if not chemin.is_file():
        raise DonneesManquantes(f"Fichier de modifications introuvable : {chemin}.")
    try:
        brut = tomllib.loads(chemin.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DonneesInvalides(f"Fichier de modifications {chemin.name} illisible : {exc}") from exc
    inconnues = set(brut) - _CLES
    if inconnues:
        raise DonneesInvalides(
            f"Fichier de modifications {chemin.name} : clés inconnues "
            f"{', '.join(sorted(inconnues))} (attendu description, [[ajout]], [[retrait]], "
            "[[pole]])."
        )
    sections = {}
    for cle in ("ajout", "retrait", "pole"):
        valeur = brut.get(cle, [])
        if not isinstance(valeur, list):
            raise DonneesInvalides(
                f"Fichier de modifications {chemin.name} : écrivez [[{cle}]] (liste de sections)."
            )
        sections[cle] = valeur
    nom = chemin.name
    return Modifications(
        ajouts=tuple(
            _equipement(e, f"{nom}, ajout n° {i + 1}", retrait=False)
            for i, e in enumerate(sections["ajout"])
        ),
        retraits=tuple(
            _equipement(e, f"{nom}, retrait n° {i + 1}", retrait=True)
            for i, e in enumerate(sections["retrait"])
        ),
        poles=tuple(_forcage(p, f"{nom}, pôle n° {i + 1}") for i, p in enumerate(sections["pole"])),
        description=str(brut.get("description", "")),
        fichier=str(chemin.resolve()),
    )


def appliquer_equipements(
    equipements: pd.DataFrame, modifications: Modifications, codes_communes: pd.Index
) -> pd.DataFrame:
    """The equipment counts after the scenario's additions and removals.

    Raises
    ------
    DonneesInvalides
        A commune outside the département and its buffer, or a removal of more equipments
        than the commune holds.
    """
    connus = set(codes_communes)
    table = (
        equipements.groupby(["code_commune", "typequ"], as_index=False)["nombre"].sum()
        if len(equipements)
        else pd.DataFrame({"code_commune": [], "typequ": [], "nombre": []})
    )
    comptes: dict[tuple[str, str], int] = {
        (c, t): int(n)
        for c, t, n in zip(table["code_commune"], table["typequ"], table["nombre"], strict=True)
    }
    for modif in (*modifications.ajouts, *modifications.retraits):
        if modif.commune not in connus:
            raise DonneesInvalides(
                f"Commune {modif.commune} inconnue, ou hors du département et de sa zone "
                "tampon : vérifiez le code INSEE."
            )
    for modif in modifications.ajouts:
        cle = (modif.commune, modif.typequ)
        comptes[cle] = comptes.get(cle, 0) + int(modif.nombre or 1)
    for modif in modifications.retraits:
        cle = (modif.commune, modif.typequ)
        present = comptes.get(cle, 0)
        retire = present if modif.nombre is None else modif.nombre
        if present == 0 or retire > present:
            raise DonneesInvalides(
                f"Retrait impossible : la commune {modif.commune} a {present} équipement(s) "
                f"{modif.typequ} dans la BPE, le scénario en retire {retire}."
            )
        comptes[cle] = present - retire
    return pd.DataFrame(
        {
            "code_commune": [c for c, _ in comptes],
            "typequ": [t for _, t in comptes],
            "nombre": np.array(list(comptes.values()), dtype=np.int64),
        }
    )


def poles_apres(base: BaseZonesGrises, modifications: Modifications) -> dict[str, pd.DataFrame]:
    """Poles of every level after the scenario: detection on the new counts, then forcings.

    Raises
    ------
    DonneesInvalides
        A forced pole names an unknown commune or a level the base did not classify.
    """
    codes = pd.Index(base.communes["code"])
    equipements = appliquer_equipements(base.equipements, modifications, codes)
    poles = detecter_poles(
        codes,
        equipements,
        base.gammes,
        base.regle,
        imposes=base.imposes,
        regroupements=base.regroupements,
    )
    for forcage in modifications.poles:
        if forcage.niveau not in base.niveaux:
            raise DonneesInvalides(
                f"Pôle forcé : niveau « {forcage.niveau} » non analysé dans la base (niveaux : "
                f"{', '.join(base.niveaux)})."
            )
        if forcage.commune not in codes:
            raise DonneesInvalides(
                f"Pôle forcé : commune {forcage.commune} inconnue, ou hors du département et de "
                "sa zone tampon."
            )
        poles[forcage.niveau].loc[forcage.commune, "est_pole"] = forcage.actif
    return poles


def mettre_a_jour_plus_proches(
    origines: Lieux,
    pole: NDArray[Any],
    temps_s: NDArray[np.float64],
    cibles: Lieux,
    retires: set[str],
    ajoutes: set[str],
    source: SourceTemps,
) -> tuple[NDArray[Any], NDArray[np.float64], NDArray[np.bool_]]:
    """Update each origin's nearest target after targets were removed and added.

    Parameters
    ----------
    origines
        The communes whose nearest target is tracked.
    pole, temps_s
        Their current nearest target code (``""``: none) and time in seconds (``inf``).
    cibles
        All the targets after the change.
    retires, ajoutes
        Codes of the targets removed and added.
    source
        The travel-time source.

    Returns
    -------
    tuple
        New nearest codes, new times, and which origins changed (new search or a closer
        added target).
    """
    pole = np.asarray(pole, dtype=object).copy()
    temps = np.asarray(temps_s, dtype=np.float64).copy()
    codes_cibles = np.asarray(cibles.codes, dtype=object)
    touchees = np.isin(pole.astype(str), sorted(retires)) if retires else np.zeros(len(pole), bool)
    change = touchees.copy()
    if touchees.any():
        t, i = source.plus_proche(origines.sous_ensemble(touchees), cibles)
        pole[touchees] = np.where(i >= 0, codes_cibles[np.maximum(i, 0)], "")
        temps[touchees] = np.where(i >= 0, t, np.inf)
    nouvelles = np.isin(np.asarray(cibles.codes, dtype=str), sorted(ajoutes))
    autres = ~touchees
    if nouvelles.any() and autres.any():
        sous_cibles = cibles.sous_ensemble(nouvelles)
        t, i = source.plus_proche(origines.sous_ensemble(autres), sous_cibles)
        indices = np.flatnonzero(autres)
        mieux = (i >= 0) & (t < temps[indices])
        cibles_ajoutees = np.asarray(sous_cibles.codes, dtype=object)
        pole[indices[mieux]] = cibles_ajoutees[i[mieux]]
        temps[indices[mieux]] = t[mieux]
        change[indices[mieux]] = True
    return pole, temps, change


@dataclass
class ResultatScenario:
    """Before and after a scenario.

    Attributes
    ----------
    avant_apres
        One row per (commune, level): before/after nearest pole, time, zone grise.
    bilan
        One row per level: poles added and removed, communes and population entering and
        leaving zone grise, change in the population-weighted mean time.
    difference
        The département's communes (polygons) with the before/after columns of every level.
    poles_modifies
        One point per (pole added or removed, level).
    etat
        The state after the scenario, in the shape of :attr:`BaseZonesGrises.etat`.
    parametres
        What was computed and from what.
    """

    avant_apres: pd.DataFrame
    bilan: pd.DataFrame
    difference: gpd.GeoDataFrame
    poles_modifies: gpd.GeoDataFrame
    etat: pd.DataFrame
    parametres: dict[str, Any] = field(default_factory=dict)


def _moyenne(population: NDArray[np.float64], temps_s: NDArray[np.float64]) -> float:
    atteint = np.isfinite(temps_s)
    poids = float(population[atteint].sum())
    return float((population[atteint] * temps_s[atteint]).sum() / poids / 60.0) if poids else np.nan


def _changement(
    zg_avant: NDArray[np.bool_], zg_apres: NDArray[np.bool_], modifie: NDArray[np.bool_]
) -> NDArray[Any]:
    return np.select(
        [~zg_avant & zg_apres, zg_avant & ~zg_apres, modifie],
        ["entre en zone grise", "sort de zone grise", "temps modifié"],
        default="inchangé",
    )


def scenario(base: BaseZonesGrises, modifications: Modifications) -> ResultatScenario:
    """Apply a scenario to a base and recompute only what changes.

    Raises
    ------
    DonneesInvalides
        Invalid modifications (see :func:`appliquer_equipements`, :func:`poles_apres`), or a
        level left without any pole.
    """
    apres = poles_apres(base, modifications)
    communes = base.communes
    interieur = base.interieur
    origines = lieux_communes(interieur)
    noms = dict(zip(communes["code"], communes["nom"], strict=True))
    hors = dict(zip(communes["code"], communes["hors_departement"], strict=True))
    population = interieur["population"].to_numpy(dtype=np.float64)
    etat = base.etat.copy()
    lignes_bilan, morceaux, modifies = [], [], []
    difference = gpd.GeoDataFrame(
        interieur[["code", "nom", "population", "epci_code", "epci_nom"]].copy(),
        geometry=interieur.geometry.values,
        crs=communes.crs,
    )
    niveaux_changes = np.zeros(len(interieur), dtype=np.int64)
    for nom in base.niveaux:
        niveau = base.gammes[nom]
        avant_pole = base.poles[nom]["est_pole"].reindex(communes["code"]).fillna(False)
        apres_pole = apres[nom]["est_pole"].reindex(communes["code"]).fillna(False)
        avant_set = set(communes["code"][avant_pole.to_numpy(bool)])
        apres_set = set(communes["code"][apres_pole.to_numpy(bool)])
        retires, ajoutes = avant_set - apres_set, apres_set - avant_set
        if not apres_set:
            raise DonneesInvalides(
                f"Le scénario supprime tous les pôles de niveau {niveau.libelle.lower()} : "
                "impossible de calculer les temps d'accès."
            )
        pole_avant = base.etat[f"pole_{nom}"].to_numpy(dtype=object)
        temps_avant = base.etat[f"temps_{nom}_s"].to_numpy(dtype=np.float64)
        zg_avant = base.etat[f"zone_grise_{nom}"].to_numpy(dtype=bool)
        if retires or ajoutes:
            cibles = lieux_communes(communes[apres_pole.to_numpy(bool)])
            pole, temps, recalculee = mettre_a_jour_plus_proches(
                origines, pole_avant, temps_avant, cibles, retires, ajoutes, base.source
            )
        else:
            pole, temps, recalculee = (
                pole_avant.copy(),
                temps_avant.copy(),
                np.zeros(len(pole_avant), bool),
            )
        # unchanged communes keep the base's own verdict (its times may be rounded)
        zg_apres = np.where(recalculee, ~(temps <= niveau.seuil_s), zg_avant)
        etat[f"pole_{nom}"] = pole
        etat[f"temps_{nom}_s"] = temps
        etat[f"zone_grise_{nom}"] = zg_apres
        modifie = recalculee & ((pole != pole_avant) | (temps != temps_avant))
        changement = _changement(zg_avant, zg_apres, modifie)
        niveaux_changes += changement != "inchangé"
        variation = np.round(minutes_affichees(temps) - minutes_affichees(temps_avant), 1)
        morceaux.append(
            pd.DataFrame(
                {
                    "code": interieur["code"].to_numpy(),
                    "nom": interieur["nom"].to_numpy(),
                    "population": interieur["population"].to_numpy(),
                    "epci_code": interieur["epci_code"].to_numpy(),
                    "epci_nom": interieur["epci_nom"].to_numpy(),
                    "niveau": nom,
                    "pole_avant": pole_avant,
                    "pole_avant_nom": [noms.get(c, "") for c in pole_avant],
                    "temps_avant_min": minutes_affichees(temps_avant),
                    "zone_grise_avant": zg_avant,
                    "pole_apres": pole,
                    "pole_apres_nom": [noms.get(c, "") for c in pole],
                    "temps_apres_min": minutes_affichees(temps),
                    "zone_grise_apres": zg_apres,
                    "variation_min": variation,
                    "recalculee": recalculee,
                    "changement": changement,
                }
            )
        )
        difference[f"temps_avant_{nom}_min"] = minutes_affichees(temps_avant)
        difference[f"temps_apres_{nom}_min"] = minutes_affichees(temps)
        difference[f"variation_{nom}_min"] = variation
        difference[f"zone_grise_avant_{nom}"] = zg_avant
        difference[f"zone_grise_apres_{nom}"] = zg_apres
        difference[f"changement_{nom}"] = changement
        entrant, sortant = ~zg_avant & zg_apres, zg_avant & ~zg_apres
        moyenne_avant, moyenne_apres = (
            _moyenne(population, temps_avant),
            _moyenne(population, temps),
        )
        dans_dep_avant = avant_pole.to_numpy(bool) & ~communes["hors_departement"].to_numpy(bool)
        dans_dep_apres = apres_pole.to_numpy(bool) & ~communes["hors_departement"].to_numpy(bool)
        lignes_bilan.append(
            {
                "niveau": nom,
                "seuil_min": niveau.seuil_min,
                "poles_avant": int(dans_dep_avant.sum()),
                "poles_apres": int(dans_dep_apres.sum()),
                "poles_ajoutes": " ; ".join(sorted(ajoutes)),
                "poles_retires": " ; ".join(sorted(retires)),
                "communes_recalculees": int(recalculee.sum()),
                "communes_zone_grise_avant": int(zg_avant.sum()),
                "communes_zone_grise_apres": int(zg_apres.sum()),
                "population_zone_grise_avant": int(population[zg_avant].sum()),
                "population_zone_grise_apres": int(population[zg_apres].sum()),
                "communes_entrant": int(entrant.sum()),
                "population_entrant": int(population[entrant].sum()),
                "communes_sortant": int(sortant.sum()),
                "population_sortant": int(population[sortant].sum()),
                "temps_moyen_avant_min": round(moyenne_avant, 2),
                "temps_moyen_apres_min": round(moyenne_apres, 2),
                "variation_temps_moyen_min": round(moyenne_apres - moyenne_avant, 2),
            }
        )
        for code in sorted(ajoutes):
            modifies.append((code, nom, "ajouté"))
        for code in sorted(retires):
            modifies.append((code, nom, "retiré"))
    difference["niveaux_changes"] = niveaux_changes
    centres = communes.set_index("code")["centre"]
    poles_modifies = gpd.GeoDataFrame(
        {
            "code": [c for c, _, _ in modifies],
            "nom": [noms[c] for c, _, _ in modifies],
            "niveau": [n for _, n, _ in modifies],
            "modification": [m for _, _, m in modifies],
            "hors_departement": [bool(hors[c]) for c, _, _ in modifies],
        },
        geometry=[centres[c] for c, _, _ in modifies],
        crs=communes.crs,
    )
    parametres = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "base": str(base.dossier) if base.dossier else None,
        "departement": base.parametres.get("departement"),
        "source": {"nom": base.source.nom, "description": base.source.description()},
        "modifications": {
            "fichier": modifications.fichier,
            "description": modifications.description,
            "ajouts": [vars(m) for m in modifications.ajouts],
            "retraits": [vars(m) for m in modifications.retraits],
            "poles": [vars(p) for p in modifications.poles],
        },
        "niveaux": list(base.niveaux),
        "methode": (
            "recalcul partiel : recherche du pôle le plus proche pour les seules communes dont "
            "le pôle a disparu ; temps vers les nouveaux pôles pour les autres, et minimum"
        ),
    }
    return ResultatScenario(
        avant_apres=pd.concat(morceaux, ignore_index=True),
        bilan=pd.DataFrame(lignes_bilan),
        difference=difference,
        poles_modifies=poles_modifies,
        etat=etat,
        parametres=parametres,
    )
