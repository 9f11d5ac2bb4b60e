"""Writing the indicator, scenario and placement results (formats in ``docs/FORMATS.md``).

Every file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from poles.indicateurs import ResultatIndicateur, colonne_seuil
from poles.placement import ResultatPlacement
from poles.scenarios import ResultatScenario
from poles.sorties import lignes_temps, marquer_format
from socle import styles_qgis
from socle.fichiers import (
    ecrire_couches,
    ecrire_json,
    ecriture_atomique,
    preparer_dossier,
)
from socle.geopaquet import Metadonnees, Style, historique
from socle.symbologie import nombre_fr, seuil_fr, texte_fr
from socle.tableur import ecrire_classeur, ecrire_csv

__all__ = [
    "colonnes_indicateur",
    "ecrire_indicateur",
    "ecrire_placement",
    "ecrire_scenario",
    "formater_bilan",
    "formater_indicateur",
    "formater_placement",
    "metadonnees_indicateur",
    "styles_indicateur",
]

logger = logging.getLogger(__name__)


def _colonnes_communes(table: pd.DataFrame) -> list[str]:
    """The first columns of an ``indicateur.csv``: the commune, its population (and the
    sub-population counted), its EPCI (and its territory)."""
    colonnes = ["code", "nom", "population", "epci_code", "epci_nom"]
    pop = table.attrs.get("colonne_population", "population")
    if pop != "population":
        colonnes.append(pop)
    if "territoire" in table.columns:
        colonnes.append("territoire")
    return colonnes


def colonnes_indicateur(table: pd.DataFrame) -> list[str]:
    """Columns of ``indicateur.csv``, in order."""
    colonnes = _colonnes_communes(table)
    colonnes += ["nombre_equipements", "commune_equipee", "commune_equipee_nom", "temps_min"]
    colonnes += [colonne_seuil(s) for s in table.attrs["seuils_min"]]
    colonnes += [c for c in ("temps_min_bas", "temps_min_haut") if c in table.columns]
    if "apl_pour_100000" in table.columns:
        colonnes.append("apl_pour_100000")
    return colonnes


def _tables(tables: dict[str, pd.DataFrame], dossier: Path, classeur: str, csv: str) -> list[Path]:
    """Each table as CSV (dialect ``csv``) and as a sheet of the workbook ``classeur``."""
    ecrits = [ecrire_csv(t, dossier / nom, dialecte=csv) for nom, t in tables.items()]
    ecrits.append(ecrire_classeur(tables, dossier / classeur))
    return ecrits


def ecrire_indicateur(
    resultat: ResultatIndicateur, dossier: str | Path, *, csv: str = "portable"
) -> list[Path]:
    """Write ``indicateur.csv``, the summaries (CSV in the dialect ``csv`` and the sheets
    of ``indicateur.xlsx``), ``indicateur.gpkg`` and ``parametres.json``."""
    dossier = preparer_dossier(dossier)
    table = resultat.communes
    colonnes = colonnes_indicateur(table)
    tables = {
        "indicateur.csv": pd.DataFrame(table[colonnes]),
        "resume.csv": resultat.resume,
        "resume_epci.csv": resultat.resume_epci,
        "communes_les_plus_eloignees.csv": resultat.plus_eloignees,
    }
    if resultat.resume_territoires is not None:
        tables["resume_territoires.csv"] = resultat.resume_territoires
    ecrits = _tables(tables, dossier, "indicateur.xlsx", csv)
    couches = {
        "communes": gpd.GeoDataFrame(table[[*colonnes, "geometry"]], crs=table.crs),
        "equipements": resultat.equipements,
    }
    ecrits.append(
        ecrire_couches(
            couches,
            dossier / "indicateur.gpkg",
            styles=styles_indicateur(resultat.parametres, list(table.attrs["seuils_min"])),
            metadonnees=metadonnees_indicateur(resultat.parametres),
        )
    )
    ecrits.append(
        ecrire_json(marquer_format(resultat.parametres, "indicateur"), dossier / "parametres.json")
    )
    logger.info("Indicateur écrit dans %s", dossier)
    return ecrits


def ecrire_scenario(
    resultat: ResultatScenario,
    dossier: str | Path,
    *,
    texte_modifications: str | None = None,
    csv: str = "portable",
) -> list[Path]:
    """Write ``avant_apres.csv``, ``bilan.csv`` (and ``scenario.xlsx``), ``scenario.gpkg``
    and ``parametres.json``.

    ``texte_modifications`` (the scenario file's text) is copied as ``modifications.toml``.
    """
    dossier = preparer_dossier(dossier)
    tables = {"avant_apres.csv": resultat.avant_apres, "bilan.csv": resultat.bilan}
    ecrits = [
        *_tables(tables, dossier, "scenario.xlsx", csv),
        ecrire_couches(
            {"difference": resultat.difference, "poles_modifies": resultat.poles_modifies},
            dossier / "scenario.gpkg",
            styles=_styles_scenario(resultat),
            metadonnees=_metadonnees(
                resultat.parametres,
                "Scénario : avant et après",
                {
                    "difference": ("Avant / après", "Temps avant, après et variation."),
                    "poles_modifies": ("Pôles ajoutés ou retirés", "Par niveau."),
                },
            ),
        ),
        ecrire_json(marquer_format(resultat.parametres, "scenario"), dossier / "parametres.json"),
    ]
    if texte_modifications is not None:
        with ecriture_atomique(dossier / "modifications.toml") as tmp:
            tmp.write_text(texte_modifications, encoding="utf-8")
        ecrits.append(dossier / "modifications.toml")
    return ecrits


def ecrire_placement(
    resultat: ResultatPlacement, dossier: str | Path, *, csv: str = "portable"
) -> list[Path]:
    """Write ``placement.csv`` (and ``placement.xlsx``), ``placement.gpkg`` and
    ``parametres.json``."""
    dossier = preparer_dossier(dossier)
    return [
        *_tables({"placement.csv": resultat.propositions}, dossier, "placement.xlsx", csv),
        ecrire_couches(
            {"propositions": resultat.points, "zone_grise": resultat.zone_grise},
            dossier / "placement.gpkg",
            styles={
                "propositions": [styles_qgis.style_propositions()],
                "zone_grise": [styles_qgis.style_sortie_zone_grise()],
            },
            metadonnees=_metadonnees(
                resultat.parametres,
                "Placement de nouveaux pôles",
                {
                    "propositions": ("Propositions", "Communes proposées, dans l'ordre."),
                    "zone_grise": ("Zone grise", "Communes en zone grise et leur sortie."),
                },
            ),
        ),
        ecrire_json(marquer_format(resultat.parametres, "placement"), dossier / "parametres.json"),
    ]


def styles_indicateur(
    parametres: dict[str, Any], seuils_min: list[float]
) -> dict[str, list[Style]]:
    """QGIS styles of ``indicateur.gpkg``: the time classes of the maps, the communes beyond
    the first threshold hatched; equipped communes as black dots."""
    libelle = str((parametres.get("service") or {}).get("libelle", "service"))
    return {
        "communes": [
            styles_qgis.style_temps(
                "temps_min",
                colonne_zone_grise=colonne_seuil(seuils_min[0]) if seuils_min else None,
                seuil_min=seuils_min[0] if seuils_min else None,
                nom=f"Temps à « {libelle} »",
            )
        ],
        "equipements": [styles_qgis.style_points("#000000", nom="Communes équipées")],
    }


def metadonnees_indicateur(parametres: dict[str, Any]) -> Metadonnees:
    """Title, abstracts and provenance of ``indicateur.gpkg``."""
    libelle = str((parametres.get("service") or {}).get("libelle", "service"))
    return _metadonnees(
        parametres,
        f"Accès à « {libelle} »",
        {
            "communes": (
                f"Temps à « {libelle} »",
                "Temps de chaque commune à la commune équipée la plus proche.",
            ),
            "equipements": ("Communes équipées", "Nombre d'équipements du service."),
        },
    )


def _metadonnees(
    parametres: dict[str, Any], titre: str, couches: dict[str, tuple[str, str]]
) -> Metadonnees:
    lieu = str(parametres.get("departement_nom") or parametres.get("departement") or "")
    return Metadonnees(
        titre=f"{titre} — {lieu}" if lieu else titre,
        resume=titre,
        historique=historique(parametres),
        mots_cles=("SDAASP", "accessibilité"),
        couches=couches,
        date=str(parametres.get("date") or "") or None,
    )


def _styles_scenario(resultat: ResultatScenario) -> dict[str, list[Style]]:
    """One style per level on the difference layer (the first level's by default)."""
    niveaux = [
        str(c)[len("variation_") : -len("_min")]
        for c in resultat.difference.columns
        if str(c).startswith("variation_") and str(c).endswith("_min")
    ]
    return {
        "difference": [
            replace(
                styles_qgis.style_difference(f"variation_{n}_min", nom=f"Variation — {n}"),
                defaut=k == 0,
            )
            for k, n in enumerate(niveaux)
        ],
        "poles_modifies": [
            styles_qgis.style_categories_points(
                "modification",
                [("ajouté", "#1a9850", "pôle ajouté"), ("retiré", "#d73027", "pôle retiré")],
                nom="Pôles modifiés",
            )
        ],
    }


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
        "Source : " + texte_fr(str(p["source"]["description"])),
        f"{int(ligne['communes'])} communes, {_nombre(ligne['population'])} habitants ; "
        f"temps moyen pondéré par la population : {_minutes(ligne['temps_moyen_min'])}",
    ]
    for seuil in p["seuils_min"]:
        nom = f"{seuil:g}".replace(".", "_")
        texte = (
            f"  au-delà de {seuil_fr(seuil)} min : "
            f"{_pluriel(ligne[f'population_au_dela_{nom}'], 'habitant')} "
            f"({_pourcent(ligne[f'part_au_dela_{nom}'])}), "
            f"{_pluriel(ligne[f'communes_au_dela_{nom}'], 'commune')}"
        )
        if f"population_au_dela_{nom}_min" in ligne.index:
            bas, haut = (
                ligne[f"population_au_dela_{nom}_min"],
                ligne[f"population_au_dela_{nom}_max"],
            )
            if bas != haut:
                texte += (
                    f" ; {_nombre(bas)} à {_nombre(haut)} habitants selon l'incertitude des temps"
                )
        lignes.append(texte)
    lignes += lignes_temps(p)
    if "apl_moyenne_pour_100000" in ligne.index:
        lignes.append(
            f"APL moyenne : {nombre_fr(ligne['apl_moyenne_pour_100000'], 1)} équipements pour "
            "100 000 habitants"
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
            f"   {r['temps_moyen_avant_min']:.2f} → {r['temps_moyen_apres_min']:.2f} min".replace(
                ".", ","
            )
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
    if "reseau_sites" in p:
        quoi = f"prochain site du réseau ({p['reseau_sites'].get('sites')} sites)"
    lignes = [
        f"Placement : {quoi}, seuil {seuil_fr(p['seuil_min'])} min ; {p['communes_zone_grise']} "
        f"communes et {_nombre(p['population_zone_grise'])} habitants au-delà du seuil",
        "Source : " + texte_fr(str(p["source"]["description"])),
    ]
    effet = "amenés à l'objectif ou moins" if "reseau_sites" in p else "sortis de zone grise"
    for _, r in resultat.propositions.iterrows():
        lignes.append(
            f"{r['rang']:>2}. {r['nom']} ({r['code']}) : "
            f"{_pluriel(r['communes_sorties'], 'commune')}, "
            f"{_pluriel(r['population_sortie'], 'habitant')} {effet} "
            f"(cumul {_pourcent(r['part_zone_grise_cumulee'])})"
        )
    return "\n".join(lignes)
