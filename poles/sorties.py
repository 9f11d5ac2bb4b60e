"""Writing a zones-grises result to a folder (format in ``docs/FORMATS.md``), atomically."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from poles.zones_grises import ResultatZonesGrises
from socle import styles_qgis
from socle.fichiers import ecrire_couches, ecrire_json, preparer_dossier
from socle.geopaquet import Metadonnees, Style, Vue, historique
from socle.symbologie import nombre_fr, seuil_fr, texte_fr
from socle.tableur import ajouter_au_classeur, ecrire_classeur, ecrire_csv

__all__ = [
    "VERSION_FORMAT",
    "colonnes_table",
    "ecrire_resultats",
    "ecrire_sensibilite",
    "formater_fourchette",
    "formater_resume",
    "lignes_temps",
    "marquer_format",
    "metadonnees_zones_grises",
    "styles_zones_grises",
]

logger = logging.getLogger(__name__)

#: Version of the output folder formats of ``docs/FORMATS.md``, written into every
#: ``parametres.json`` (key ``format``). Readers of the folders (``accessibilite rapport``)
#: refuse a version they do not know: raise it whenever a file or column changes meaning.
VERSION_FORMAT = 1


def marquer_format(parametres: dict[str, Any], dossier: str) -> dict[str, Any]:
    """``parametres`` with the ``format`` stamp of a ``dossier`` folder (``"zones-grises"``...).

    The stamp is ``{"dossier": ..., "version": VERSION_FORMAT, "logiciel": "accessibilite X.Y.Z"}``.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        logiciel = f"accessibilite {version('accessibilite')}"
    except PackageNotFoundError:  # running from a source tree that is not installed
        logiciel = "accessibilite"
    return {
        **parametres,
        "format": {"dossier": dossier, "version": VERSION_FORMAT, "logiciel": logiciel},
    }


#: The workbook of a zones-grises folder: one sheet per table.
CLASSEUR = "zones_grises.xlsx"


def colonnes_table(niveaux: list[str]) -> list[str]:
    """Columns of ``zones_grises.csv``, in order."""
    colonnes = ["code", "nom", "population", "epci_code", "epci_nom"]
    for nom in niveaux:
        colonnes += [
            f"pole_{nom}",
            f"pole_{nom}_nom",
            f"temps_{nom}_min",
            f"zone_grise_{nom}",
            f"est_pole_{nom}",
            f"temps_{nom}_min_bas",
            f"temps_{nom}_min_haut",
            f"etat_{nom}",
        ]
    return [*colonnes, "niveaux_zone_grise"]


def ecrire_resultats(
    resultat: ResultatZonesGrises, dossier: str | Path, *, csv: str = "portable"
) -> list[Path]:
    """Write the tables, the GeoPackage and ``parametres.json`` into ``dossier``.

    Every file is written under a temporary name and renamed when complete: an
    interrupted run leaves the previous files (or none), never a half file. The tables
    are CSV files (``csv``: ``portable`` or ``excel-fr``, see :mod:`socle.tableur`) and
    the sheets of one workbook, ``zones_grises.xlsx``.

    Returns
    -------
    list of Path
        The files written.
    """
    dossier = preparer_dossier(dossier)
    communes = resultat.communes
    niveaux = list(communes.attrs["niveaux"])
    colonnes = colonnes_table(niveaux)
    ecrits = []

    tables = {
        "zones_grises.csv": pd.DataFrame(communes[colonnes]),
        "resume.csv": resultat.resume,
        "resume_epci.csv": resultat.resume_epci,
    }
    for nom, table in tables.items():
        ecrits.append(ecrire_csv(table, dossier / nom, dialecte=csv))
    ecrits.append(ecrire_classeur(tables, dossier / CLASSEUR))

    couches: dict[str, gpd.GeoDataFrame] = {
        "communes": gpd.GeoDataFrame(communes[[*colonnes, "geometry"]], crs=communes.crs),
        "centres": gpd.GeoDataFrame(
            communes[[*colonnes, "centre_source"]],
            geometry=communes["centre"].values,
            crs=communes.crs,
        ),
        "poles": resultat.poles,
        "voisines": gpd.GeoDataFrame(
            resultat.voisines.drop(columns=["centre", "centre_source"], errors="ignore"),
            crs=communes.crs,
        ),
        "epci": _epci(communes),
        "departement": gpd.GeoDataFrame(
            {
                "code": [resultat.parametres.get("departement", "")],
                "nom": [resultat.parametres.get("departement_nom", "")],
            },
            geometry=[communes.geometry.union_all()],
            crs=communes.crs,
        ),
    }
    imposes = resultat.poles_imposes
    decisions: dict[str, pd.DataFrame] = {}
    if imposes is not None and len(imposes):
        couches["poles_imposes"] = imposes
        decisions["poles_imposes.csv"] = pd.DataFrame(imposes.drop(columns="geometry"))
    if resultat.regroupements is not None and len(resultat.regroupements):
        decisions["regroupements.csv"] = resultat.regroupements
    for nom, table in decisions.items():
        ecrits.append(ecrire_csv(table, dossier / nom, dialecte=csv))
    if decisions:
        ajouter_au_classeur(dossier / CLASSEUR, decisions)
    styles, vues = styles_zones_grises(resultat.parametres, colonnes)
    ecrits.append(
        ecrire_couches(
            couches,
            dossier / "zones_grises.gpkg",
            styles=styles,
            vues=vues,
            metadonnees=metadonnees_zones_grises(resultat.parametres),
        )
    )
    ecrits.append(
        ecrire_json(
            marquer_format(resultat.parametres, "zones-grises"), dossier / "parametres.json"
        )
    )
    logger.info("Résultats écrits dans %s", dossier)
    return ecrits


def _niveaux(
    parametres: dict[str, Any], *, tous: bool = False
) -> list[tuple[str, str, float | None]]:
    """``(nom, libelle, seuil_min)`` of the classified levels of ``parametres.json`` (with
    ``tous``: of every level of the gammes, poles of levels without zones grises
    included)."""
    gammes = parametres.get("gammes") or {}
    decrits = {str(n["nom"]): n for n in gammes.get("niveaux", []) if isinstance(n, dict)}
    noms = list(decrits) if tous else parametres.get("niveaux") or list(decrits)
    return [
        (
            str(nom),
            str(decrits.get(nom, {}).get("libelle") or str(nom).capitalize()),
            decrits.get(nom, {}).get("seuil_min"),
        )
        for nom in noms
    ]


def styles_zones_grises(
    parametres: dict[str, Any], colonnes: list[str] | None = None
) -> tuple[dict[str, list[Style]], dict[str, Vue]]:
    """The QGIS styles of ``zones_grises.gpkg`` (the maps' classes and colours) and its
    per-level views ``zones_grises_<niveau>``.

    The ``communes`` layer opens as the overlay map (number of levels in zone grise), with
    one more style per level; each view ``zones_grises_<niveau>`` opens as that level's
    map (time classes, zone grise hatched; uncertain communes hatched the other way when
    ``colonnes``, those of the ``communes`` layer, hold ``etat_<niveau>``).
    """
    niveaux = _niveaux(parametres)
    presentes = set(colonnes or [])
    par_niveau = {
        nom: styles_qgis.style_temps(
            f"temps_{nom}_min",
            colonne_zone_grise=f"zone_grise_{nom}",
            seuil_min=seuil,
            nom=f"Zones grises — {libelle.lower()}",
            colonne_etat=f"etat_{nom}" if f"etat_{nom}" in presentes else None,
        )
        for nom, libelle, seuil in niveaux
    }
    styles: dict[str, list[Style]] = {
        "communes": [
            styles_qgis.style_cumul("niveaux_zone_grise", len(niveaux)),
            *(replace(style, defaut=False) for style in par_niveau.values()),
        ],
        "centres": [styles_qgis.style_points(nom="Centres des communes", taille_mm=0.9)],
        "poles": [
            styles_qgis.style_poles(
                [(n, libelle) for n, libelle, _ in _niveaux(parametres, tous=True)]
            )
        ],
        "voisines": [styles_qgis.style_voisines()],
        "poles_imposes": [
            styles_qgis.style_categories_points(
                "pole_impose",
                [("oui", "#d7301f", "pôle imposé par l'équipe"), ("non", "#ffffff", "pôle retiré")],
                nom="Décisions de l'équipe",
                taille_mm=2.4,
            )
        ],
        "epci": [styles_qgis.style_epci()],
        "departement": [styles_qgis.style_departement()],
    }
    vues: dict[str, Vue] = {}
    for nom, libelle, seuil in niveaux:
        vue = f"zones_grises_{nom}"
        seuil_texte = f" (au-delà de {seuil_fr(seuil)} min)" if seuil else ""
        vues[vue] = Vue(
            "communes",
            (
                "code",
                "nom",
                "population",
                "epci_code",
                "epci_nom",
                f"pole_{nom}",
                f"pole_{nom}_nom",
                f"temps_{nom}_min",
                f"zone_grise_{nom}",
                f"est_pole_{nom}",
                *(
                    c
                    for c in (f"temps_{nom}_min_bas", f"temps_{nom}_min_haut", f"etat_{nom}")
                    if c in presentes
                ),
            ),
            titre=f"Zones grises — {libelle.lower()}",
            description=f"Temps au {styles_qgis.nom_pole(nom, libelle)} le plus proche ; zone "
            f"grise{seuil_texte} hachurée.",
        )
        styles[vue] = [par_niveau[nom]]
    return styles, vues


def metadonnees_zones_grises(parametres: dict[str, Any]) -> Metadonnees:
    """Title, abstracts and provenance of ``zones_grises.gpkg`` (``gpkg_metadata``)."""
    lieu = f"{parametres.get('departement_nom', '')} ({parametres.get('departement', '')})"
    couches = {
        "communes": (
            "Communes et zones grises",
            f"Communes du département {lieu} : pôle le plus proche, temps et zone grise par "
            "niveau ; style par défaut : nombre de niveaux en zone grise (autres styles : un "
            "par niveau).",
        ),
        "centres": ("Centres des communes", "Point de départ des temps (mairie)."),
        "poles": ("Pôles de services", "Une ligne par pôle et par niveau."),
        "voisines": (
            "Communes hors département",
            "Communes voisines de la zone tampon (pôles possibles).",
        ),
        "epci": ("EPCI", "Intercommunalités (population)."),
        "departement": ("Département", f"Contour du département {lieu}."),
    }
    for nom, libelle, _ in _niveaux(parametres):
        couches[f"zones_grises_{nom}"] = (
            f"Zones grises — {libelle.lower()}",
            f"Temps au {styles_qgis.nom_pole(nom, libelle)} le plus proche, zone grise "
            f"hachurée ({lieu}).",
        )
    return Metadonnees(
        titre=f"Zones grises des services (SDAASP) — {lieu}",
        resume="Temps en voiture de chaque commune au pôle de services le plus proche de "
        "chaque niveau ; zones grises : communes au-delà du seuil du niveau.",
        historique=historique(parametres),
        mots_cles=("SDAASP", "zones grises", "accessibilité", "pôles de services", "BPE"),
        couches=couches,
        date=str(parametres.get("date") or "") or None,
    )


def ecrire_sensibilite(table: pd.DataFrame, dossier: str | Path, *, csv: str = "portable") -> Path:
    """Write a sensitivity table (:func:`poles.zones_grises.sensibilite`) as
    ``sensibilite.csv`` in ``dossier`` (and as a sheet of ``zones_grises.xlsx``),
    atomically."""
    ajouter_au_classeur(Path(dossier) / CLASSEUR, {"sensibilite": table})
    return ecrire_csv(table, Path(dossier) / "sensibilite.csv", dialecte=csv)


def _epci(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    groupes = communes[["epci_code", "epci_nom", "population", "geometry"]].dissolve(
        by=["epci_code", "epci_nom"], aggfunc={"population": "sum"}
    )
    return groupes.reset_index()


def formater_resume(resultat: ResultatZonesGrises) -> str:
    """The summary table as French text, for the terminal."""
    libelles = {n["nom"]: n["libelle"] for n in resultat.parametres["gammes"]["niveaux"]}
    lignes = [
        f"Zones grises — {resultat.parametres['departement_nom']} "
        f"({resultat.parametres['departement']}), source : "
        + texte_fr(str(resultat.parametres["source"]["description"])),
        "Règle : " + texte_fr(str(resultat.parametres["regle"]["description"])),
        "",
        f"{'niveau':<15}{'seuil':>7}{'pôles':>7}{'communes':>10}{'population':>12}{'part':>8}",
    ]
    for _, ligne in resultat.resume.iterrows():
        lignes.append(
            f"{libelles.get(ligne['niveau'], ligne['niveau']):<15}"
            f"{seuil_fr(ligne['seuil_min']):>5} mn{ligne['poles']:>6d}{ligne['communes']:>10d}"
            + f"{nombre_fr(ligne['population']):>12}"
            + f"{nombre_fr(100 * ligne['part_population'], 1) + ' %':>8}"
        )
    lignes += _lignes_decisions(resultat)
    total = int(resultat.communes["population"].sum())
    lignes.append("")
    lignes.append(
        f"{nombre_fr(len(resultat.communes))} communes, {nombre_fr(total)} habitants"
        + " ; « communes » et « population » comptent celles en zone grise (temps au pôle"
        " le plus proche au-delà du seuil)."
    )
    lignes += ["", *lignes_temps(resultat.parametres)]
    if "communes_min" in resultat.resume.columns:
        for _, ligne in resultat.resume.iterrows():
            lignes.append(
                formater_fourchette(
                    libelles.get(ligne["niveau"], ligne["niveau"]),
                    int(ligne["communes"]),
                    int(ligne["communes_min"]),
                    int(ligne["communes_max"]),
                )
            )
    return "\n".join(lignes)


def _lignes_decisions(resultat: ResultatZonesGrises) -> list[str]:
    """French lines on the team's decisions (imposed and grouped poles), if any."""
    lignes: list[str] = []
    imposes = resultat.poles_imposes
    if imposes is not None and len(imposes):
        changes = imposes[imposes["pole_impose"] != imposes["pole_selon_regle"]]
        lignes.append(
            f"Pôles imposés : {len(imposes)} décisions, dont {len(changes)} contraires à la "
            "règle (poles_imposes.csv)."
        )
    groupes = resultat.regroupements
    libelles = {
        n["nom"]: str(n["libelle"]).lower() for n in resultat.parametres["gammes"]["niveaux"]
    }
    if groupes is not None and len(groupes):
        for nom, lignes_groupe in groupes.groupby("groupe", sort=False):
            atteints = [
                libelles.get(n, n) for n in lignes_groupe.loc[lignes_groupe["est_pole"], "niveau"]
            ]
            lignes.append(
                f"Regroupement « {nom} » ({lignes_groupe['noms'].iloc[0]}) : pôle "
                + (", ".join(atteints) if atteints else "d'aucun niveau")
                + "."
            )
    return ["", *lignes] if lignes else []


def lignes_temps(parametres: dict[str, Any]) -> list[str]:
    """French lines saying whether the internal time, a calibration and a band were used."""
    temps = parametres.get("temps") or {}
    interne = temps.get("temps_interne")
    if interne:
        origine = (
            "la grille de population" if interne.get("distances") == "grille" else "la surface"
        )
        a, b = (f"{interne[k]:.2f}".replace(".", ",") for k in ("a_min", "b_min_par_km"))
        texte = (
            f"ajouté ({a} min + {b} min/km × distance moyenne des habitants au centre, "
            f"d'après {origine})."
        )
    else:
        texte = "non compté (de centre de commune à centre de commune)."
    lignes = [f"Temps interne à la commune : {texte}"]
    calibration = temps.get("calibration")
    if calibration:
        lignes.append(f"Calibration : {calibration['description']}.")
    bande = temps.get("bande")
    if bande:
        lignes.append(f"Incertitude : {bande['description']}.")
    return lignes


def formater_fourchette(libelle: str, communes: int, minimum: int, maximum: int) -> str:
    """``proximité : 74 communes en zone grise, 52 à 131 selon l'incertitude des temps``."""
    texte = f"{libelle} : {communes} commune{'s' if communes > 1 else ''} en zone grise"
    if minimum == maximum == communes:
        return texte + " (aucune commune incertaine)"
    return texte + f", {minimum} à {maximum} selon l'incertitude des temps"
