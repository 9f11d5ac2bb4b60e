"""Hand-made zones-grises output folders for the map tests (format: docs/FORMATS.md).

:func:`dossier_exemple` writes a small valid folder: twelve square communes of 5 km in
Lambert-93 south-west of Arras (a 4 × 3 grid), two EPCI, three communes of the Somme in the
buffer (one of them a pole outside the département), poles of each level, communes in zone
grise for 1, 2 and 3 levels, and the level ``metropolitain`` with no pole at all.

:func:`ecrire_dossier` writes any such folder from a table of communes with their times; it
derives everything else (zone grise flags, centres, EPCI and département outlines, summaries).
"""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from socle.ressources import fichier_donnees

__all__ = ["NIVEAUX", "SEUILS", "communes_exemple", "dossier_exemple", "ecrire_dossier", "gammes"]

NIVEAUX = ("proximite", "intermediaire", "superieur", "metropolitain")
_LIBELLES = {
    "proximite": "Proximité",
    "intermediaire": "Intermédiaire",
    "superieur": "Supérieur",
    "metropolitain": "Métropolitain",
}
SEUILS = {"proximite": 10.0, "intermediaire": 20.0, "superieur": 30.0, "metropolitain": 60.0}

# Lower-left corner of the grid (Lambert-93, metres): a few km south-west of Arras.
_X0, _Y0, _COTE = 660_000.0, 7_010_000.0, 5_000.0

# code, name, column, row (row 2 is the north), population, EPCI
_COMMUNES = [
    ("62001", "Aubigny-en-Plaine", 0, 2, 820, "A"),
    ("62002", "Berles-au-Bois", 1, 2, 410, "A"),
    ("62003", "Chérisy-le-Grand", 2, 2, 1_950, "B"),
    ("62004", "Douchy-sur-Crinchon", 3, 2, 230, "B"),
    ("62005", "Écoust-Saint-Éloi", 0, 1, 640, "A"),
    ("62006", "Fontaine-lès-Arras", 1, 1, 14_300, "A"),
    ("62007", "Gouy-en-Artois", 2, 1, 760, "B"),
    ("62008", "Hénin-la-Vallée", 3, 1, 180, "B"),
    ("62009", "Izel-lès-Hameau", 0, 0, 530, "A"),
    ("62010", "Jumel-Saint-Pierre", 1, 0, 300, "A"),
    ("62011", "Kerlin-sur-Scarpe", 2, 0, 2_400, "B"),
    ("62012", "Lattre-en-Ternois", 3, 0, 95, "B"),
]
_EPCI = {
    "A": ("246200001", "Communauté de communes des Deux Vallées"),
    "B": ("246200002", "Communauté d'agglomération du Plateau d'Artois"),
}
# Somme communes in the buffer, south of the grid (row -1)
_VOISINES = [
    ("80001", "Authie-sur-Somme", 0, -1, 350),
    ("80002", "Bus-lès-Artois", 1, -1, 5_200),
    ("80003", "Coigneux-Saint-Pol", 2, -1, 270),
]

# Hand-set car times in minutes (proximité, intermédiaire, supérieur) and nearest poles.
# Poles: supérieur 62006; intermédiaire 62006 and 80002 (Somme); proximité 62003, 62006,
# 62011 and 80002. Zone grise (time above 10 / 20 / 30 min): 62008 for one level
# (proximité), 62004 for two (proximité, intermédiaire), 62012 for three. Métropolitain has
# no pole at all: every time is empty and every commune is in zone grise for it.
_TEMPS = {
    "62001": ((7.0, "62006"), (8.5, "62006"), (8.5, "62006")),
    "62002": ((6.5, "62006"), (7.0, "62006"), (7.0, "62006")),
    "62003": ((0.0, "62003"), (12.0, "62006"), (12.0, "62006")),
    "62004": ((10.5, "62003"), (21.5, "62006"), (21.5, "62006")),
    "62005": ((6.5, "62006"), (6.5, "62006"), (6.5, "62006")),
    "62006": ((0.0, "62006"), (0.0, "62006"), (0.0, "62006")),
    "62007": ((6.0, "62003"), (6.5, "62006"), (6.5, "62006")),
    "62008": ((11.5, "62011"), (18.0, "62006"), (18.0, "62006")),
    "62009": ((9.0, "80002"), (9.5, "80002"), (9.5, "62006")),
    "62010": ((8.0, "80002"), (8.0, "80002"), (8.0, "62006")),
    "62011": ((0.0, "62011"), (15.0, "80002"), (15.0, "62006")),
    "62012": ((12.5, "62011"), (24.0, "80002"), (33.0, "62006")),
}
_POLES = {
    "proximite": ["62003", "62006", "62011", "80002"],
    "intermediaire": ["62006", "80002"],
    "superieur": ["62006"],
    "metropolitain": [],
}


def gammes() -> dict[str, list[str]]:
    """Item labels of each level, from the project's gammes file."""
    with fichier_donnees("gammes_sdaasp.toml").open("rb") as f:
        donnees = tomllib.load(f)
    return {n["nom"]: [i["libelle"] for i in n["items"]] for n in donnees["niveau"]}


def _carre(colonne: int, ligne: int) -> Any:
    x, y = _X0 + colonne * _COTE, _Y0 + ligne * _COTE
    return box(x, y, x + _COTE, y + _COTE)


def _parametres(niveaux: list[str], departement: str, departement_nom: str) -> dict[str, Any]:
    items = gammes()
    return {
        "departement": departement,
        "departement_nom": departement_nom,
        "date": "2026-11-25",
        "source": {
            "nom": "reseau-osm",
            "description": "réseau routier OpenStreetMap, voiture à l'heure pleine",
        },
        "regle": {"nom": "n_min", "n_min": 8, "part_min": None, "cumul_niveaux_superieurs": True},
        "gammes": {
            "fichier": "gammes_sdaasp.toml",
            "niveaux": [
                {
                    "nom": n,
                    "libelle": _LIBELLES[n],
                    "seuil_min": SEUILS[n],
                    "items": items.get(n, []),
                }
                for n in niveaux
            ],
        },
        "bpe": {"fichier": "bpe2013.xlsx", "annee": 2013},
        "tampon_km": 15,
        "provenance": [
            {
                "nom": "OpenStreetMap",
                "fichier": "nord-pas-de-calais-latest.osm.pbf",
                "date": "2026-11-20",
                "sha256": "0" * 64,
            },
            {
                "nom": "INSEE BPE 2013",
                "fichier": "bpe2013.xlsx",
                "date": "2014-09-01",
                "sha256": "1" * 64,
            },
        ],
    }


def ecrire_dossier(
    dossier: str | Path,
    communes: gpd.GeoDataFrame,
    voisines: gpd.GeoDataFrame,
    poles: dict[str, list[str]],
    *,
    niveaux: list[str],
    parametres: dict[str, Any] | None = None,
    departement: str = "62",
    departement_nom: str = "Pas-de-Calais",
) -> Path:
    """Write a zones-grises folder from communes with their times.

    Parameters
    ----------
    communes
        EPSG:2154 polygons with ``code, nom, population, epci_code, epci_nom`` and, for each
        level, ``temps_<niveau>_min`` (NaN: no pole) and ``pole_<niveau>`` (code).
    voisines
        Communes of the buffer outside the département: ``code, nom, population``.
    poles
        Level -> codes of its pole communes (in ``communes`` or ``voisines``).
    """
    dossier = Path(dossier)
    dossier.mkdir(parents=True, exist_ok=True)
    parametres = parametres or _parametres(niveaux, departement, departement_nom)
    items = gammes()
    toutes = pd.concat(
        [communes[["code", "nom", "geometry"]], voisines[["code", "nom", "geometry"]]]
    ).set_index("code")
    noms = toutes["nom"]

    communes = communes.copy()
    for n in niveaux:
        t = communes[f"temps_{n}_min"].astype(float)
        communes[f"pole_{n}"] = communes[f"pole_{n}"].where(t.notna(), None)
        communes[f"pole_{n}_nom"] = communes[f"pole_{n}"].map(noms)
        communes[f"zone_grise_{n}"] = ~(t <= SEUILS[n])
        communes[f"est_pole_{n}"] = communes["code"].isin(poles[n])
    communes["niveaux_zone_grise"] = sum(communes[f"zone_grise_{n}"].astype(int) for n in niveaux)
    colonnes = ["code", "nom", "population", "epci_code", "epci_nom"]
    for n in niveaux:
        colonnes += [f"pole_{n}", f"pole_{n}_nom", f"temps_{n}_min"]
        colonnes += [f"zone_grise_{n}", f"est_pole_{n}"]
    colonnes.append("niveaux_zone_grise")
    communes = gpd.GeoDataFrame(communes[[*colonnes, "geometry"]], crs="EPSG:2154")
    communes.drop(columns="geometry").to_csv(dossier / "zones_grises.csv", index=False)

    gpkg = dossier / "zones_grises.gpkg"
    if gpkg.exists():
        gpkg.unlink()
    communes.to_file(gpkg, layer="communes")
    centres = communes.copy()
    centres["geometry"] = communes.geometry.representative_point()
    centres.to_file(gpkg, layer="centres")

    lignes = []
    for n in niveaux:
        gamme = items.get(n, [])
        for i, code in enumerate(poles[n]):
            manquants = gamme[len(gamme) - (i % 3) :] if i % 3 else []
            presents = [g for g in gamme if g not in manquants]
            lignes.append(
                {
                    "code": code,
                    "nom": noms[code],
                    "niveau": n,
                    "hors_departement": code not in set(communes["code"]),
                    "items_presents": " ; ".join(presents),
                    "items_manquants": " ; ".join(manquants),
                    "n_items": len(presents),
                    "n_items_gamme": len(gamme),
                    "geometry": toutes.geometry[code].representative_point(),
                }
            )
    couche_poles = gpd.GeoDataFrame(
        lignes,
        columns=[
            "code",
            "nom",
            "niveau",
            "hors_departement",
            "items_presents",
            "items_manquants",
            "n_items",
            "n_items_gamme",
            "geometry",
        ],
        geometry="geometry",
        crs="EPSG:2154",
    )
    couche_poles.to_file(gpkg, layer="poles")

    voisines = voisines.copy()
    for n in niveaux:
        voisines[f"est_pole_{n}"] = voisines["code"].isin(poles[n])
    gpd.GeoDataFrame(voisines, crs="EPSG:2154").to_file(gpkg, layer="voisines")

    epci = communes.dissolve(by=["epci_code", "epci_nom"], aggfunc={"population": "sum"})
    epci = epci.reset_index()[["epci_code", "epci_nom", "population", "geometry"]]
    epci.to_file(gpkg, layer="epci")
    departement = gpd.GeoDataFrame(
        {"code": [departement], "nom": [departement_nom]},
        geometry=[communes.union_all()],
        crs="EPSG:2154",
    )
    departement.to_file(gpkg, layer="departement")

    pop_totale = float(communes["population"].sum())
    resume = []
    resume_epci = []
    for n in niveaux:
        zg = communes[communes[f"zone_grise_{n}"]]
        resume.append(
            {
                "niveau": n,
                "seuil_min": SEUILS[n],
                "poles": len(poles[n]),
                "communes": len(zg),
                "population": int(zg["population"].sum()),
                "part_population": round(float(zg["population"].sum()) / pop_totale, 4),
            }
        )
        for (code, nom), groupe in communes.groupby(["epci_code", "epci_nom"]):
            g_zg = groupe[groupe[f"zone_grise_{n}"]]
            resume_epci.append(
                {
                    "epci_code": code,
                    "epci_nom": nom,
                    "niveau": n,
                    "communes_total": len(groupe),
                    "population_totale": int(groupe["population"].sum()),
                    "communes": len(g_zg),
                    "population": int(g_zg["population"].sum()),
                    "part_population": round(
                        float(g_zg["population"].sum()) / float(groupe["population"].sum()), 4
                    ),
                }
            )
    pd.DataFrame(resume).to_csv(dossier / "resume.csv", index=False)
    pd.DataFrame(resume_epci).to_csv(dossier / "resume_epci.csv", index=False)
    (dossier / "parametres.json").write_text(
        json.dumps(parametres, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return dossier


def communes_exemple() -> gpd.GeoDataFrame:
    """The twelve communes of the grid: ``code, nom, population, epci_code, epci_nom``."""
    return gpd.GeoDataFrame(
        [
            {
                "code": code,
                "nom": nom,
                "population": pop,
                "epci_code": _EPCI[e][0],
                "epci_nom": _EPCI[e][1],
                "geometry": _carre(col, lig),
            }
            for code, nom, col, lig, pop, e in _COMMUNES
        ],
        crs="EPSG:2154",
    )


def dossier_exemple(dossier: str | Path, *, niveaux: tuple[str, ...] = NIVEAUX) -> Path:
    """Write the small hand-made folder described in the module docstring.

    Parameters
    ----------
    niveaux
        Levels to write (a subset of :data:`NIVEAUX`); ``metropolitain`` has no pole.
    """
    lignes = []
    for code, nom, col, lig, pop, e in _COMMUNES:
        ligne: dict[str, Any] = {
            "code": code,
            "nom": nom,
            "population": pop,
            "epci_code": _EPCI[e][0],
            "epci_nom": _EPCI[e][1],
            "geometry": _carre(col, lig),
        }
        for n, (t, pole) in zip(NIVEAUX[:3], _TEMPS[code], strict=True):
            ligne[f"temps_{n}_min"], ligne[f"pole_{n}"] = t, pole
        ligne["temps_metropolitain_min"], ligne["pole_metropolitain"] = math.nan, None
        lignes.append(ligne)
    communes = gpd.GeoDataFrame(lignes, crs="EPSG:2154")
    voisines = gpd.GeoDataFrame(
        [
            {"code": c, "nom": n, "population": p, "geometry": _carre(col, lig)}
            for c, n, col, lig, p in _VOISINES
        ],
        crs="EPSG:2154",
    )
    return ecrire_dossier(
        dossier,
        communes,
        voisines,
        {n: _POLES[n] for n in niveaux},
        niveaux=list(niveaux),
    )
