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
    "colonnes_table",
    "ecrire_resultats",
    "ecrire_sensibilite",
    "formater_resume",
    "metadonnees_zones_grises",
    "styles_zones_grises",
]

logger = logging.getLogger(__name__)

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
    styles, vues = styles_zones_grises(resultat.parametres)
    ecrits.append(
        ecrire_couches(
            couches,
            dossier / "zones_grises.gpkg",
            styles=styles,
            vues=vues,
            metadonnees=metadonnees_zones_grises(resultat.parametres),
        )
    )
    ecrits.append(ecrire_json(resultat.parametres, dossier / "parametres.json"))
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
    parametres: dict[str, Any],
) -> tuple[dict[str, list[Style]], dict[str, Vue]]:
    """The QGIS styles of ``zones_grises.gpkg`` (the maps' classes and colours) and its
    per-level views ``zones_grises_<niveau>``.

    The ``communes`` layer opens as the overlay map (number of levels in zone grise), with
    one more style per level; each view ``zones_grises_<niveau>`` opens as that level's
    map (time classes, zone grise hatched).
    """
    niveaux = _niveaux(parametres)
    par_niveau = {
        nom: styles_qgis.style_temps(
            f"temps_{nom}_min",
            colonne_zone_grise=f"zone_grise_{nom}",
            seuil_min=seuil,
            nom=f"Zones grises — {libelle.lower()}",
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
    total = int(resultat.communes["population"].sum())
    lignes.append("")
    lignes.append(
        f"{nombre_fr(len(resultat.communes))} communes, {nombre_fr(total)} habitants"
        + " ; « communes » et « population » comptent celles en zone grise (temps au pôle"
        " le plus proche au-delà du seuil)."
    )
    return "\n".join(lignes)
