"""Writing a zones-grises result to a folder (format in ``docs/FORMATS.md``), atomically."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from poles.zones_grises import ResultatZonesGrises
from socle.fichiers import ecrire_couches, ecrire_json, ecrire_table, preparer_dossier

__all__ = [
    "VERSION_FORMAT",
    "colonnes_table",
    "ecrire_resultats",
    "ecrire_sensibilite",
    "formater_fourchette",
    "formater_resume",
    "lignes_temps",
    "marquer_format",
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


def ecrire_resultats(resultat: ResultatZonesGrises, dossier: str | Path) -> list[Path]:
    """Write the tables, the GeoPackage and ``parametres.json`` into ``dossier``.

    Every file is written under a temporary name and renamed when complete: an
    interrupted run leaves the previous files (or none), never a half file.

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

    chemin = dossier / "zones_grises.csv"
    ecrire_table(pd.DataFrame(communes[colonnes]), chemin)
    ecrits.append(chemin)
    for nom, table in (("resume.csv", resultat.resume), ("resume_epci.csv", resultat.resume_epci)):
        ecrire_table(table, dossier / nom)
        ecrits.append(dossier / nom)

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
    if imposes is not None and len(imposes):
        couches["poles_imposes"] = imposes
        chemin = dossier / "poles_imposes.csv"
        ecrire_table(pd.DataFrame(imposes.drop(columns="geometry")), chemin)
        ecrits.append(chemin)
    if resultat.regroupements is not None and len(resultat.regroupements):
        chemin = dossier / "regroupements.csv"
        ecrire_table(resultat.regroupements, chemin)
        ecrits.append(chemin)
    ecrits.append(ecrire_couches(couches, dossier / "zones_grises.gpkg"))
    ecrits.append(
        ecrire_json(
            marquer_format(resultat.parametres, "zones-grises"), dossier / "parametres.json"
        )
    )
    logger.info("Résultats écrits dans %s", dossier)
    return ecrits


def ecrire_sensibilite(table: pd.DataFrame, dossier: str | Path) -> Path:
    """Write a sensitivity table (:func:`poles.zones_grises.sensibilite`) as
    ``sensibilite.csv`` in ``dossier``, atomically."""
    return ecrire_table(table, Path(dossier) / "sensibilite.csv")


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
        f"{resultat.parametres['source']['description']}",
        f"Règle : {resultat.parametres['regle']['description']}",
        "",
        f"{'niveau':<15}{'seuil':>7}{'pôles':>7}{'communes':>10}{'population':>12}{'part':>8}",
    ]
    for _, ligne in resultat.resume.iterrows():
        lignes.append(
            f"{libelles.get(ligne['niveau'], ligne['niveau']):<15}"
            f"{ligne['seuil_min']:>5.0f} mn{ligne['poles']:>6d}{ligne['communes']:>10d}"
            f"{ligne['population']:>12,d}{ligne['part_population']:>8.1%}".replace(",", " ")
        )
    lignes += _lignes_decisions(resultat)
    total = int(resultat.communes["population"].sum())
    lignes.append("")
    lignes.append(
        f"{len(resultat.communes)} communes, {total:,d} habitants".replace(",", " ")
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
