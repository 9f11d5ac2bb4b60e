"""Hand-made folders for the report tests: a study, an indicator, a scenario, a previous study.

:func:`dossiers_rapport` writes, under one root:

* ``62/``: the zones-grises folder of :func:`tests.cartes.generateur.dossier_exemple`
  (twelve communes, two EPCI, levels proximité, intermédiaire, supérieur), stamped with the
  format version, with a ``sensibilite.csv`` (three rules);
* ``62/indicateur_medecin/``: an indicator folder (found by the report on its own), times
  set by hand, its summaries computed here the way ``accessibilite indicateur`` does;
* ``scenario_cabinet/``: a scenario folder (a new pole; two communes leave the zone grise);
* ``etude_2019/``: a previous study of the same communes (times 1.5 min longer, so the
  comparison has communes in both, and in one study only).

Numbers are small and distinct so that the tests can find each one in the report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from poles.sorties import VERSION_FORMAT
from tests.cartes.generateur import SEUILS, communes_exemple, dossier_exemple, ecrire_dossier

__all__ = [
    "NIVEAUX_RAPPORT",
    "dossiers_rapport",
    "ecrire_indicateur",
    "ecrire_scenario",
    "marquer",
]

NIVEAUX_RAPPORT = ("proximite", "intermediaire", "superieur")

# Time to the nearest commune with a GP (minutes); 0 for the three equipped communes.
_TEMPS_MEDECIN = {
    "62001": (6.8, "62006"),
    "62002": (5.9, "62006"),
    "62003": (0.0, "62003"),
    "62004": (10.7, "62003"),
    "62005": (6.1, "62006"),
    "62006": (0.0, "62006"),
    "62007": (5.2, "62003"),
    "62008": (12.4, "62011"),
    "62009": (8.3, "80002"),
    "62010": (7.6, "80002"),
    "62011": (0.0, "62011"),
    "62012": (15.3, "62011"),
}
_NOMS_EQUIPES = {
    "62003": "Chérisy-le-Grand",
    "62006": "Fontaine-lès-Arras",
    "62011": "Kerlin-sur-Scarpe",
    "80002": "Bus-lès-Artois",
}


def marquer(dossier: Path, type_: str, *, version: int = VERSION_FORMAT) -> None:
    """Add the ``format`` stamp to a folder's ``parametres.json``."""
    chemin = dossier / "parametres.json"
    parametres = json.loads(chemin.read_text(encoding="utf-8"))
    parametres["format"] = {
        "dossier": type_,
        "version": version,
        "logiciel": f"accessibilite (format {version})",
    }
    chemin.write_text(json.dumps(parametres, ensure_ascii=False, indent=2), encoding="utf-8")


def _sensibilite(dossier: Path) -> None:
    # rule, level, poles, communes, population, share (of 22 615 inhabitants)
    lignes = [
        ("pôle = tous les items de la gamme présents", "proximite", 2, 5, 3_125, 0.1382),
        ("pôle = tous les items de la gamme présents", "intermediaire", 1, 4, 2_915, 0.1289),
        ("pôle = tous les items de la gamme présents", "superieur", 1, 1, 95, 0.0042),
        ("pôle = au moins 8 items de la gamme présents", "proximite", 3, 3, 505, 0.0223),
        ("pôle = au moins 8 items de la gamme présents", "intermediaire", 1, 2, 325, 0.0144),
        ("pôle = au moins 8 items de la gamme présents", "superieur", 1, 1, 95, 0.0042),
        ("pôle = au moins 30% des items de la gamme présents", "proximite", 6, 1, 180, 0.008),
        ("pôle = au moins 30% des items de la gamme présents", "intermediaire", 3, 0, 0, 0.0),
        ("pôle = au moins 30% des items de la gamme présents", "superieur", 2, 0, 0, 0.0),
    ]
    pd.DataFrame(
        lignes, columns=["regle", "niveau", "poles", "communes", "population", "part_population"]
    ).to_csv(dossier / "sensibilite.csv", index=False)


def _resume_acces(table: pd.DataFrame, seuil: str) -> dict[str, Any]:
    t = table["temps_min"].astype(float)
    pop = table["population"].astype(float)
    au_dela = table[f"au_dela_{seuil}"]
    return {
        "communes": len(table),
        "population": int(pop.sum()),
        "temps_moyen_min": round(float((t * pop).sum() / pop.sum()), 2),
        "temps_max_min": float(t.max()),
        "communes_sans_acces": 0,
        "population_sans_acces": 0,
        f"communes_au_dela_{seuil}": int(au_dela.sum()),
        f"population_au_dela_{seuil}": int(pop[au_dela].sum()),
        f"part_au_dela_{seuil}": float(pop[au_dela].sum() / pop.sum()),
    }


def ecrire_indicateur(dossier: Path, *, departement: str = "62") -> Path:
    """An indicator folder for the GP (``medecin``, threshold 10 min)."""
    dossier.mkdir(parents=True, exist_ok=True)
    communes = communes_exemple()
    communes["nombre_equipements"] = communes["code"].map({"62003": 2, "62006": 9, "62011": 3})
    communes["nombre_equipements"] = communes["nombre_equipements"].fillna(0).astype(int)
    communes["commune_equipee"] = communes["code"].map(lambda c: _TEMPS_MEDECIN[c][1])
    communes["commune_equipee_nom"] = communes["commune_equipee"].map(_NOMS_EQUIPES)
    communes["temps_min"] = communes["code"].map(lambda c: _TEMPS_MEDECIN[c][0])
    communes["au_dela_10"] = communes["temps_min"] > 10
    colonnes = [
        "code",
        "nom",
        "population",
        "epci_code",
        "epci_nom",
        "nombre_equipements",
        "commune_equipee",
        "commune_equipee_nom",
        "temps_min",
        "au_dela_10",
    ]
    communes[colonnes].to_csv(dossier / "indicateur.csv", index=False)
    pd.DataFrame([_resume_acces(communes, "10")]).to_csv(dossier / "resume.csv", index=False)
    pd.DataFrame(
        [
            {"epci_code": code, "epci_nom": nom, **_resume_acces(groupe, "10")}
            for (code, nom), groupe in communes.groupby(["epci_code", "epci_nom"])
        ]
    ).to_csv(dossier / "resume_epci.csv", index=False)
    loin = communes.sort_values("temps_min", ascending=False).head(10)
    loin[
        [
            "code",
            "nom",
            "population",
            "epci_nom",
            "commune_equipee",
            "commune_equipee_nom",
            "temps_min",
        ]
    ].to_csv(dossier / "communes_les_plus_eloignees.csv", index=False)
    gpkg = dossier / "indicateur.gpkg"
    if gpkg.exists():
        gpkg.unlink()
    gpd.GeoDataFrame(communes[[*colonnes, "geometry"]], crs="EPSG:2154").to_file(
        gpkg, layer="communes"
    )
    equipees = communes[communes["nombre_equipements"] > 0]
    gpd.GeoDataFrame(
        {
            "code": equipees["code"],
            "nom": equipees["nom"],
            "hors_departement": False,
            "nombre": equipees["nombre_equipements"],
        },
        geometry=equipees.geometry.representative_point(),
        crs="EPSG:2154",
    ).to_file(gpkg, layer="equipements")
    parametres = {
        "departement": departement,
        "departement_nom": "Pas-de-Calais",
        "date": "2026-11-26",
        "service": {
            "nom": "medecin",
            "libelle": "Médecin généraliste",
            "typequ": ["D201"],
            "note": "",
        },
        "seuils_min": [10.0],
        "source": {"nom": "vol-oiseau", "description": "estimation à vol d'oiseau"},
        "tampon_km": 15,
        "colonne_population": "population",
        "territoires": False,
        "apl": None,
        "equipements": {
            "communes_equipees_departement": 3,
            "communes_equipees_tampon": 4,
            "nombre_departement": 14,
        },
        "bpe": {"fichier": "bpe2013.xlsx", "annee": 2013},
    }
    (dossier / "parametres.json").write_text(
        json.dumps(parametres, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    marquer(dossier, "indicateur")
    return dossier


def ecrire_scenario(dossier: Path, base: Path) -> Path:
    """A scenario: Gouy-en-Artois (62007) becomes an intermediate pole."""
    dossier.mkdir(parents=True, exist_ok=True)
    table = pd.read_csv(base / "zones_grises.csv", dtype={"code": str, "epci_code": str})
    lignes = []
    nouveaux = {"62004": 7.5, "62008": 6.0}  # intermediate times after the change
    for _, c in table.iterrows():
        for n in NIVEAUX_RAPPORT:
            avant = float(c[f"temps_{n}_min"])
            apres = nouveaux.get(c["code"], avant) if n == "intermediaire" else avant
            zg_avant, zg_apres = avant > SEUILS[n], apres > SEUILS[n]
            changement = (
                "sort de zone grise"
                if zg_avant and not zg_apres
                else "entre en zone grise"
                if zg_apres and not zg_avant
                else "temps modifié"
                if apres != avant
                else "inchangé"
            )
            lignes.append(
                {
                    "code": c["code"],
                    "nom": c["nom"],
                    "population": c["population"],
                    "epci_code": c["epci_code"],
                    "epci_nom": c["epci_nom"],
                    "niveau": n,
                    "pole_avant": c[f"pole_{n}"],
                    "pole_avant_nom": c[f"pole_{n}_nom"],
                    "temps_avant_min": avant,
                    "zone_grise_avant": zg_avant,
                    "pole_apres": "62007" if apres != avant else c[f"pole_{n}"],
                    "pole_apres_nom": "Gouy-en-Artois" if apres != avant else c[f"pole_{n}_nom"],
                    "temps_apres_min": apres,
                    "zone_grise_apres": zg_apres,
                    "variation_min": round(apres - avant, 1),
                    "recalculee": apres != avant,
                    "changement": changement,
                }
            )
    avant_apres = pd.DataFrame(lignes)
    avant_apres.to_csv(dossier / "avant_apres.csv", index=False)
    bilan = []
    for n in NIVEAUX_RAPPORT:
        sel = avant_apres[avant_apres["niveau"] == n]
        pop = sel["population"].astype(float)
        entrent = sel["changement"] == "entre en zone grise"
        sortent = sel["changement"] == "sort de zone grise"
        bilan.append(
            {
                "niveau": n,
                "seuil_min": SEUILS[n],
                "poles_avant": {"proximite": 3, "intermediaire": 1, "superieur": 1}[n],
                "poles_apres": {"proximite": 3, "intermediaire": 2, "superieur": 1}[n],
                "poles_ajoutes": "62007" if n == "intermediaire" else "",
                "poles_retires": "",
                "communes_recalculees": int(sel["recalculee"].sum()),
                "communes_zone_grise_avant": int(sel["zone_grise_avant"].sum()),
                "communes_zone_grise_apres": int(sel["zone_grise_apres"].sum()),
                "population_zone_grise_avant": int(pop[sel["zone_grise_avant"]].sum()),
                "population_zone_grise_apres": int(pop[sel["zone_grise_apres"]].sum()),
                "communes_entrant": int(entrent.sum()),
                "population_entrant": int(pop[entrent].sum()),
                "communes_sortant": int(sortent.sum()),
                "population_sortant": int(pop[sortent].sum()),
                "temps_moyen_avant_min": round(
                    float((sel["temps_avant_min"] * pop).sum() / pop.sum()), 2
                ),
                "temps_moyen_apres_min": round(
                    float((sel["temps_apres_min"] * pop).sum() / pop.sum()), 2
                ),
                "variation_temps_moyen_min": 0.0,
            }
        )
    pd.DataFrame(bilan).to_csv(dossier / "bilan.csv", index=False)
    gpkg = dossier / "scenario.gpkg"
    if gpkg.exists():
        gpkg.unlink()
    communes = communes_exemple()
    gpd.GeoDataFrame(communes[["code", "nom", "geometry"]], crs="EPSG:2154").to_file(
        gpkg, layer="difference"
    )
    gpd.GeoDataFrame(
        {"code": ["62007"], "nom": ["Gouy-en-Artois"], "niveau": ["intermediaire"]},
        geometry=[Point(667_500, 7_017_500)],
        crs="EPSG:2154",
    ).to_file(gpkg, layer="poles_modifies")
    parametres = {
        "date": "2026-11-27",
        "base": str(base),
        "departement": "62",
        "source": {"nom": "vol-oiseau", "description": "estimation à vol d'oiseau"},
        "modifications": {
            "fichier": "cabinet.toml",
            "description": "Pôle intermédiaire à Gouy-en-Artois",
            "ajouts": [],
            "retraits": [],
            "poles": [{"commune": "62007", "niveau": "intermediaire", "actif": True}],
        },
        "niveaux": list(NIVEAUX_RAPPORT),
        "methode": "recalcul partiel",
    }
    (dossier / "parametres.json").write_text(
        json.dumps(parametres, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    marquer(dossier, "scenario")
    return dossier


def _precedente(dossier: Path, base: Path) -> Path:
    """The same communes, every time 1.5 min longer, BPE 2009, computed in 2019."""
    table = pd.read_csv(base / "zones_grises.csv", dtype={"code": str})
    communes = communes_exemple()
    for n in NIVEAUX_RAPPORT:
        temps = dict(zip(table["code"], table[f"temps_{n}_min"].astype(float), strict=True))
        poles = dict(zip(table["code"], table[f"pole_{n}"].astype(str), strict=True))
        communes[f"temps_{n}_min"] = communes["code"].map(
            lambda c, t=temps: t[c] + 1.5 if t[c] > 0 else 0.0
        )
        communes[f"pole_{n}"] = communes["code"].map(poles)
    voisines = gpd.read_file(base / "zones_grises.gpkg", layer="voisines")[
        ["code", "nom", "population", "geometry"]
    ]
    couche = gpd.read_file(base / "zones_grises.gpkg", layer="poles")
    poles_niveau = {
        n: list(couche.loc[couche["niveau"] == n, "code"].astype(str)) for n in NIVEAUX_RAPPORT
    }
    ecrire_dossier(dossier, communes, voisines, poles_niveau, niveaux=list(NIVEAUX_RAPPORT))
    parametres = json.loads((dossier / "parametres.json").read_text(encoding="utf-8"))
    parametres.update(date="2019-06-03", bpe={"fichier": "bpe2009.xlsx", "annee": 2009})
    (dossier / "parametres.json").write_text(
        json.dumps(parametres, ensure_ascii=False), encoding="utf-8"
    )
    marquer(dossier, "zones-grises")
    return dossier


def dossiers_rapport(racine: Path) -> dict[str, Path]:
    """Write every folder of the module docstring under ``racine``; return them by role."""
    base = dossier_exemple(racine / "62", niveaux=NIVEAUX_RAPPORT)
    # as in zones-grises, resume.csv counts the poles of the département only
    resume = pd.read_csv(base / "resume.csv")
    table = pd.read_csv(base / "zones_grises.csv")
    resume["poles"] = [int(table[f"est_pole_{n}"].sum()) for n in resume["niveau"]]
    resume.to_csv(base / "resume.csv", index=False)
    marquer(base, "zones-grises")
    _sensibilite(base)
    return {
        "base": base,
        "indicateur": ecrire_indicateur(base / "indicateur_medecin"),
        "scenario": ecrire_scenario(racine / "scenario_cabinet", base),
        "precedente": _precedente(racine / "etude_2019", base),
    }


def population_totale(base: Path) -> float:
    """Total population of the base's communes (the denominator of every share)."""
    return float(np.sum(pd.read_csv(base / "zones_grises.csv")["population"]))
