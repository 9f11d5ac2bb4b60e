"""Writing the results of a network of sites (formats in ``docs/FORMATS.md``).

The coverage folder holds what the maps need (:mod:`cartes.sites` reads it): the communes
with their time to the nearest site, the sites, their catchments, the perimeter and the
communes around it. Every file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd

from poles.couverture import ResultatComparaisonReseaux, ResultatCouverture
from poles.indicateurs import colonne_seuil
from poles.sites import COLONNES_SITES
from poles.sorties_indicateurs import (
    _colonnes_communes,
    _minutes,
    _nombre,
    _pluriel,
    _pourcent,
)
from socle.fichiers import ecrire_couches, ecrire_json, ecrire_table, preparer_dossier

__all__ = [
    "colonnes_couverture",
    "colonnes_sites",
    "ecrire_comparaison_reseaux",
    "ecrire_couverture",
    "formater_comparaison_reseaux",
    "formater_couverture",
]

logger = logging.getLogger(__name__)


def colonnes_couverture(table: pd.DataFrame) -> list[str]:
    """Columns of ``indicateur.csv`` for a network of sites, in order."""
    colonnes = _colonnes_communes(table)
    colonnes += ["site", "site_nom", "site_commune", "temps_min"]
    colonnes += [colonne_seuil(s) for s in table.attrs["seuils_min"]]
    if "depassement_objectif_min" in table.columns:
        colonnes.append("depassement_objectif_min")
    colonnes += [c for c in ("temps_min_bas", "temps_min_haut") if c in table.columns]
    return colonnes


def colonnes_sites(sites: pd.DataFrame) -> list[str]:
    """Columns of ``sites.csv``: the site's description, what it serves, other attributes."""
    bilan = [
        "communes_desservies",
        "population_desservie",
        "communes_dans_objectif",
        "population_dans_objectif",
        "temps_moyen_min",
        "temps_max_min",
        "site_le_plus_proche",
        "temps_site_le_plus_proche_min",
        "hors_reseau",
    ]
    connues = [c for c in [*COLONNES_SITES, *bilan] if c in sites.columns]
    autres = [c for c in sites.columns if c not in connues and c != sites.geometry.name]
    return connues + autres


def ecrire_couverture(
    resultat: ResultatCouverture,
    dossier: str | Path,
    *,
    bassins: gpd.GeoDataFrame | None = None,
) -> list[Path]:
    """Write the coverage of a territory by a network of sites.

    Files: ``indicateur.csv``, ``resume.csv``, ``resume_epci.csv``,
    [``resume_territoires.csv``], ``communes_les_plus_eloignees.csv``,
    [``communes_au_dela_objectif.csv``], ``sites.csv``, ``indicateur.gpkg`` (layers
    ``communes``, ``sites``, ``perimetre``, ``voisines`` and, when given, ``bassins``:
    the catchments, :func:`isochrones.bassins_par`), ``parametres.json``.
    """
    from socle import styles_qgis
    from socle.tableur import ecrire_classeur

    dossier = preparer_dossier(dossier)
    table = resultat.communes
    colonnes = colonnes_couverture(table)
    sites = resultat.sites
    tables = {
        "indicateur.csv": pd.DataFrame(table[colonnes]),
        "resume.csv": resultat.resume,
        "resume_epci.csv": resultat.resume_epci,
        "communes_les_plus_eloignees.csv": resultat.plus_eloignees,
        "sites.csv": pd.DataFrame(sites[colonnes_sites(sites)]),
    }
    if resultat.resume_territoires is not None:
        tables["resume_territoires.csv"] = resultat.resume_territoires
    if resultat.parametres.get("objectif_min") is not None:
        tables["communes_au_dela_objectif.csv"] = resultat.au_dela_objectif
    ecrits = [ecrire_table(t, dossier / nom) for nom, t in tables.items()]
    ecrits.append(ecrire_classeur(tables, dossier / "indicateur.xlsx"))
    couches = {
        "communes": gpd.GeoDataFrame(table[[*colonnes, "geometry"]], crs=table.crs),
        "sites": gpd.GeoDataFrame(
            sites[[*colonnes_sites(sites), sites.geometry.name]], crs=sites.crs
        ),
        "perimetre": resultat.perimetre,
        "voisines": resultat.voisines,
    }
    if bassins is not None:
        couches["bassins"] = bassins
    from poles.sorties_indicateurs import metadonnees_indicateur, styles_indicateur

    seuils = [float(s) for s in resultat.parametres.get("seuils_min") or []]
    styles = {
        **styles_indicateur(resultat.parametres, seuils),
        "sites": [styles_qgis.style_points("#000000", nom="Sites", taille_mm=2.0)],
        "perimetre": [styles_qgis.style_departement()],
        "voisines": [styles_qgis.style_voisines()],
        "bassins": [styles_qgis.style_bassins()],
    }
    ecrits.append(
        ecrire_couches(
            couches,
            dossier / "indicateur.gpkg",
            styles=styles,
            metadonnees=metadonnees_indicateur(resultat.parametres),
        )
    )
    ecrits.append(ecrire_json(resultat.parametres, dossier / "parametres.json"))
    logger.info("Couverture du réseau de sites écrite dans %s", dossier)
    return ecrits


def formater_couverture(resultat: ResultatCouverture) -> str:
    """The perimeter's summary as French text, for the terminal."""
    p = resultat.parametres
    ligne = resultat.resume.iloc[0]
    objectif = p.get("objectif_min")
    fichier = Path(str((p.get("reseau_sites") or {}).get("fichier") or "")).name
    territoire = (p.get("perimetre") or {}).get("description") or "tout le département"
    lignes = [
        f"Réseau de {_pluriel(len(resultat.sites), 'site')}"
        + (f" ({fichier})" if fichier else "")
        + (f" — objectif : {objectif:g} min" if objectif is not None else ""),
        f"Territoire : {territoire} — {p['departement_nom']} ({p['departement']}) ; "
        f"{_pluriel(ligne['communes'], 'commune')}, {_nombre(ligne['population'])} habitants",
        f"Source : {p['source']['description']}"
        + (
            " ; sites donnés par un point ou une adresse : depuis le centre de chaque commune "
            "jusqu'au point"
            if (resultat.sites["localisation"] != "commune").any()
            else ""
        ),
        f"Temps moyen pondéré par la population : {_minutes(ligne['temps_moyen_min'])} ; "
        f"le plus long : {_minutes(ligne['temps_max_min'])}",
    ]
    for seuil in p["seuils_min"]:
        nom = f"{seuil:g}".replace(".", "_")
        quoi = "de l'objectif de " if objectif is not None and seuil == objectif else "de "
        texte = (
            f"  au-delà {quoi}{seuil:g} min : "
            f"{_pluriel(ligne[f'population_au_dela_{nom}'], 'habitant')} "
            f"({_pourcent(ligne[f'part_au_dela_{nom}'])}), "
            f"{_pluriel(ligne[f'communes_au_dela_{nom}'], 'commune')}"
        )
        if f"population_au_dela_{nom}_min" in ligne.index:
            bas = ligne[f"population_au_dela_{nom}_min"]
            haut = ligne[f"population_au_dela_{nom}_max"]
            if bas != haut:
                texte += (
                    f" ; {_nombre(bas)} à {_nombre(haut)} habitants selon l'incertitude des temps"
                )
        lignes.append(texte)
    if int(ligne["communes_sans_acces"]):
        lignes.append(
            f"  sans site atteignable : {_pluriel(ligne['communes_sans_acces'], 'commune')}"
        )
    eloignees = resultat.plus_eloignees.head(5)
    if len(eloignees):
        lignes.append(
            "Plus éloignées : "
            + " ; ".join(
                f"{r['nom']} ({_minutes(r['temps_min'])})" for _, r in eloignees.iterrows()
            )
        )
    lignes.append("Sites (communes et habitants dont c'est le site le plus proche) :")
    for _, s in resultat.sites.iterrows():
        texte = (
            f"  {s['nom']} : {_pluriel(s['communes_desservies'], 'commune')}, "
            f"{_nombre(s['population_desservie'])} habitants"
        )
        if "population_dans_objectif" in s.index:
            texte += f" dont {_nombre(s['population_dans_objectif'])} dans l'objectif"
        if bool(s.get("hors_reseau", False)):
            texte += " — hors du réseau routier (plus de 2 km d'une route)"
        lignes.append(texte)
    return "\n".join(lignes)


def ecrire_comparaison_reseaux(
    resultat: ResultatComparaisonReseaux, dossier: str | Path
) -> list[Path]:
    """Write ``avant_apres.csv``, ``bilan.csv``, ``comparaison.gpkg`` and ``parametres.json``."""
    dossier = preparer_dossier(dossier)
    return [
        ecrire_table(resultat.avant_apres, dossier / "avant_apres.csv"),
        ecrire_table(resultat.bilan, dossier / "bilan.csv"),
        ecrire_couches({"difference": resultat.communes}, dossier / "comparaison.gpkg"),
        ecrire_json(resultat.parametres, dossier / "parametres.json"),
    ]


def formater_comparaison_reseaux(resultat: ResultatComparaisonReseaux) -> str:
    """The balance of a comparison as French text."""
    b = resultat.bilan.iloc[0]
    objectif = float(b["objectif_min"])
    lignes = [f"Réseau : {b['sites_avant']} sites avant, {b['sites_apres']} après"]
    if b["sites_retires"]:
        lignes.append(f"  retiré(s) : {b['sites_retires']}")
    if b["sites_ajoutes"]:
        lignes.append(f"  ajouté(s) : {b['sites_ajoutes']}")
    lignes += [
        f"Au-delà de l'objectif de {objectif:g} min : "
        f"{_nombre(b['population_au_dela_avant'])} → {_nombre(b['population_au_dela_apres'])} "
        f"habitants ({b['communes_au_dela_avant']} → {b['communes_au_dela_apres']} communes)",
        f"  passent au-delà : {_pluriel(b['communes_entrant'], 'commune')} "
        f"({_nombre(b['population_entrant'])} habitants) ; reviennent dans l'objectif : "
        f"{_pluriel(b['communes_sortant'], 'commune')} "
        f"({_nombre(b['population_sortant'])} habitants)",
        f"Temps moyen pondéré : {_minutes(b['temps_moyen_avant_min'])} → "
        f"{_minutes(b['temps_moyen_apres_min'])}",
    ]
    return "\n".join(lignes)
