"""Writing the indicator, scenario and placement results (formats in ``docs/FORMATS.md``).

Every file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from poles.indicateurs import ResultatIndicateur, colonne_seuil
from poles.placement import ResultatPlacement
from poles.scenarios import ResultatScenario
from reseau.fichiers import ecriture_atomique, preparer_dossier

__all__ = [
    "colonnes_indicateur",
    "ecrire_indicateur",
    "ecrire_placement",
    "ecrire_scenario",
    "formater_bilan",
    "formater_indicateur",
    "formater_placement",
]

logger = logging.getLogger(__name__)


def _csv(table: pd.DataFrame, chemin: Path) -> Path:
    with ecriture_atomique(chemin) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8")
    return chemin


def _json(donnees: dict[str, Any], chemin: Path) -> Path:
    with ecriture_atomique(chemin) as tmp:
        tmp.write_text(
            json.dumps(donnees, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
    return chemin


def _gpkg(couches: dict[str, gpd.GeoDataFrame], chemin: Path) -> Path:
    with ecriture_atomique(chemin) as tmp:
        for nom, couche in couches.items():
            couche.to_file(tmp, layer=nom, driver="GPKG", engine="pyogrio")
    return chemin


def colonnes_indicateur(table: pd.DataFrame) -> list[str]:
    """Columns of ``indicateur.csv``, in order."""
    colonnes = ["code", "nom", "population", "epci_code", "epci_nom"]
    pop = table.attrs.get("colonne_population", "population")
    if pop != "population":
        colonnes.append(pop)
    if "territoire" in table.columns:
        colonnes.append("territoire")
    colonnes += ["nombre_equipements", "commune_equipee", "commune_equipee_nom", "temps_min"]
    colonnes += [colonne_seuil(s) for s in table.attrs["seuils_min"]]
    if "apl_pour_100000" in table.columns:
        colonnes.append("apl_pour_100000")
    return colonnes


def ecrire_indicateur(resultat: ResultatIndicateur, dossier: str | Path) -> list[Path]:
    """Write ``indicateur.csv``, the summaries, ``indicateur.gpkg`` and ``parametres.json``."""
    dossier = preparer_dossier(dossier)
    table = resultat.communes
    colonnes = colonnes_indicateur(table)
    ecrits = [
        _csv(pd.DataFrame(table[colonnes]), dossier / "indicateur.csv"),
        _csv(resultat.resume, dossier / "resume.csv"),
        _csv(resultat.resume_epci, dossier / "resume_epci.csv"),
        _csv(resultat.plus_eloignees, dossier / "communes_les_plus_eloignees.csv"),
    ]
    if resultat.resume_territoires is not None:
        ecrits.append(_csv(resultat.resume_territoires, dossier / "resume_territoires.csv"))
    couches = {
        "communes": gpd.GeoDataFrame(table[[*colonnes, "geometry"]], crs=table.crs),
        "equipements": resultat.equipements,
    }
    ecrits.append(_gpkg(couches, dossier / "indicateur.gpkg"))
    ecrits.append(_json(resultat.parametres, dossier / "parametres.json"))
    logger.info("Indicateur écrit dans %s", dossier)
    return ecrits


def ecrire_scenario(
    resultat: ResultatScenario, dossier: str | Path, *, texte_modifications: str | None = None
) -> list[Path]:
    """Write ``avant_apres.csv``, ``bilan.csv``, ``scenario.gpkg`` and ``parametres.json``.

    ``texte_modifications`` (the scenario file's text) is copied as ``modifications.toml``.
    """
    dossier = preparer_dossier(dossier)
    ecrits = [
        _csv(resultat.avant_apres, dossier / "avant_apres.csv"),
        _csv(resultat.bilan, dossier / "bilan.csv"),
        _gpkg(
            {"difference": resultat.difference, "poles_modifies": resultat.poles_modifies},
            dossier / "scenario.gpkg",
        ),
        _json(resultat.parametres, dossier / "parametres.json"),
    ]
    if texte_modifications is not None:
        with ecriture_atomique(dossier / "modifications.toml") as tmp:
            tmp.write_text(texte_modifications, encoding="utf-8")
        ecrits.append(dossier / "modifications.toml")
    return ecrits


def ecrire_placement(resultat: ResultatPlacement, dossier: str | Path) -> list[Path]:
    """Write ``placement.csv``, ``placement.gpkg`` and ``parametres.json``."""
    dossier = preparer_dossier(dossier)
    return [
        _csv(resultat.propositions, dossier / "placement.csv"),
        _gpkg(
            {"propositions": resultat.points, "zone_grise": resultat.zone_grise},
            dossier / "placement.gpkg",
        ),
        _json(resultat.parametres, dossier / "parametres.json"),
    ]


def _pluriel(n: float, mot: str) -> str:
    return f"{_nombre(n)} {mot}{'s' if abs(n) >= 2 else ''}"


def _nombre(valeur: float) -> str:
    return f"{round(valeur):,d}".replace(",", " ")


def _pourcent(valeur: float) -> str:
    return f"{100 * valeur:.1f} %".replace(".", ",")


def _minutes(valeur: float) -> str:
    return "—" if not np.isfinite(valeur) else f"{valeur:.1f} min".replace(".", ",")


def formater_indicateur(resultat: ResultatIndicateur) -> str:
    """The département summary as French text, for the terminal."""
    p = resultat.parametres
    ligne = resultat.resume.iloc[0]
    lignes = [
        f"Accès : {p['service']['libelle']} ({', '.join(p['service']['typequ'])}) — "
        f"{p['departement_nom']} ({p['departement']})",
        f"Source : {p['source']['description']}",
        f"{int(ligne['communes'])} communes, {_nombre(ligne['population'])} habitants ; "
        f"temps moyen pondéré par la population : {_minutes(ligne['temps_moyen_min'])}",
    ]
    for seuil in p["seuils_min"]:
        nom = f"{seuil:g}".replace(".", "_")
        lignes.append(
            f"  au-delà de {seuil:g} min : "
            f"{_pluriel(ligne[f'population_au_dela_{nom}'], 'habitant')} "
            f"({_pourcent(ligne[f'part_au_dela_{nom}'])}), "
            f"{_pluriel(ligne[f'communes_au_dela_{nom}'], 'commune')}"
        )
    if "apl_moyenne_pour_100000" in ligne.index:
        lignes.append(
            f"APL moyenne : {ligne['apl_moyenne_pour_100000']:.1f} équipements pour 100 000 "
            "habitants".replace(".", ",")
        )
    eloignees = resultat.plus_eloignees.head(3)
    if len(eloignees):
        lignes.append(
            "Plus éloignées : "
            + " ; ".join(
                f"{r['nom']} ({_minutes(r['temps_min'])})" for _, r in eloignees.iterrows()
            )
        )
    return "\n".join(lignes)


def formater_bilan(resultat: ResultatScenario) -> str:
    """The per-level balance of a scenario as French text."""
    lignes = [
        f"{'niveau':<15}{'pôles':>12}{'entrent':>16}{'sortent':>16}{'temps moyen':>22}",
    ]
    for _, r in resultat.bilan.iterrows():
        lignes.append(
            f"{r['niveau']:<15}{r['poles_avant']:>5d} → {r['poles_apres']:<4d}"
            f"{r['communes_entrant']:>5d} ({_nombre(r['population_entrant']):>7} h)"
            f"{r['communes_sortant']:>5d} ({_nombre(r['population_sortant']):>7} h)"
            f"   {r['temps_moyen_avant_min']:.2f} → {r['temps_moyen_apres_min']:.2f} min"
        )
    lignes.append(
        "« entrent » / « sortent » : communes (et habitants) qui entrent en zone grise ou en "
        "sortent ; temps moyen pondéré par la population."
    )
    return "\n".join(lignes)


def formater_placement(resultat: ResultatPlacement) -> str:
    """The proposals as French text."""
    p = resultat.parametres
    quoi = p.get("niveau") or p.get("service", {}).get("libelle", "")
    lignes = [
        f"Placement : {quoi}, seuil {p['seuil_min']:g} min ; {p['communes_zone_grise']} "
        f"communes et {_nombre(p['population_zone_grise'])} habitants au-delà du seuil",
        f"Source : {p['source']['description']}",
    ]
    for _, r in resultat.propositions.iterrows():
        lignes.append(
            f"{r['rang']:>2}. {r['nom']} ({r['code']}) : "
            f"{_pluriel(r['communes_sorties'], 'commune')}, "
            f"{_pluriel(r['population_sortie'], 'habitant')} sortis de zone grise "
            f"(cumul {_pourcent(r['part_zone_grise_cumulee'])})"
        )
    return "\n".join(lignes)
