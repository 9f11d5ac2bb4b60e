"""``accessibilite matrice``: a travel-time matrix on a road graph, in batches, on Dask."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from accessibilite.cli._base import Analyseur, barres
from accessibilite.cli._options_acces import etape
from accessibilite.cli._options_dask import (
    AIDE_DASK,
    ajouter_options_dask,
    client_depuis_options,
    fils,
)
from socle.symbologie import seuil_fr

__all__ = ["ajouter"]

_AIDE = f"""\
Calcule les temps de trajet en voiture entre les centres des communes d'un département
(--departement), ou entre des nœuds du graphe (--noeuds), sur un réseau construit par
« accessibilite reseau construire ». Les origines sont découpées en lots de --lot origines ;
chaque lot est une tâche (ici ou sur une grappe Dask) qui écrit un fichier Parquet.

Les communes sont rattachées au nœud le plus proche ; le trajet à vitesse lente entre le
centre et ce nœud compte aux deux bouts ; une commune à elle-même est à 0 s ; une commune
à plus de 2 km de toute route n'a pas de temps (elle est listée dans le manifeste).

Sortie (--sortie, un dossier) : un jeu de données Parquet partitionné, lisible par pandas,
DuckDB ou Dask : lot-000000.parquet, lot-000001.parquet... (colonnes origine,
destination, secondes en float32), _manifeste.json (graphe, entrées, lot, coupure).
Avec --coupure-min, seules les paires à moins de la coupure sont écrites.

Reprise : relancer la même commande ne recalcule que les lots manquants ; un dossier
calculé avec d'autres entrées est refusé.

{AIDE_DASK}
Exemples :
  accessibilite matrice --departement 62 --reseau reseau_62.graphe --coupure-min 60 \\
      --sortie matrice_62.parquet
  accessibilite matrice --departement 62 --reseau reseau_62.graphe --coupure-min 60 \\
      --sortie matrice_62.parquet --dask local --workers 2
  accessibilite matrice --noeuds --reseau region.graphe --origines origines.txt \\
      --coupure-min 30 --sortie isochrones.parquet --dask tcp://ordonnanceur:8786

Lecture :
  pandas.read_parquet("matrice_62.parquet")
  duckdb.sql("SELECT * FROM 'matrice_62.parquet/lot-*.parquet'")
  dask.dataframe.read_parquet("matrice_62.parquet")
"""


def ajouter(sous: Any) -> None:
    """Register the ``matrice`` sub-command."""
    p: Analyseur = sous.add_parser(
        "matrice",
        help="matrice des temps entre communes (ou nœuds), par lots, Parquet, Dask",
        description=_AIDE,
    )
    quoi = p.add_mutually_exclusive_group(required=True)
    quoi.add_argument("--departement", help="code INSEE du département (ex. 62)")
    quoi.add_argument(
        "--noeuds",
        action="store_true",
        help="entre nœuds du graphe (indices) au lieu des communes",
    )
    p.add_argument(
        "--reseau", type=Path, required=True, help="réseau routier (.graphe, reseau construire)"
    )
    p.add_argument(
        "--origines",
        type=Path,
        help="avec --noeuds : fichier d'indices de nœuds (un par ligne, ou .npy) ; "
        "défaut : tous les nœuds",
    )
    p.add_argument(
        "--destinations",
        type=Path,
        help="avec --noeuds : fichier d'indices de nœuds ; défaut : tous les nœuds",
    )
    p.add_argument(
        "--coupure-min",
        type=float,
        help="ne garder que les paires à moins de ce temps (minutes)",
    )
    p.add_argument(
        "--lot",
        type=int,
        default=None,
        help="origines par lot (une tâche, un fichier ; défaut : 128)",
    )
    p.add_argument(
        "--sortie", type=Path, required=True, help="dossier du jeu de données Parquet à écrire"
    )
    ajouter_options_dask(p)
    p.set_defaults(executer=executer)


def _nombre(n: float) -> str:
    return f"{n:,.0f}".replace(",", " ")


def executer(options: argparse.Namespace) -> int:
    """Prepare the job, run its batches, print what was done."""
    import numpy as np

    from accessibilite.noyau.matrice_distribuee import (
        LOT_DEFAUT,
        executer_matrice,
        lire_noeuds,
        preparer_matrice,
    )
    from socle.erreurs import DonneesInvalides

    coupure_s = None if options.coupure_min is None else options.coupure_min * 60.0
    lot = LOT_DEFAUT if options.lot is None else options.lot
    if options.noeuds:
        from reseau.stockage import lire_entete

        n = int(lire_entete(options.reseau)["n_noeuds"])
        origines: Any = np.arange(n) if options.origines is None else lire_noeuds(options.origines)
        destinations: Any = (
            None if options.destinations is None else lire_noeuds(options.destinations)
        )
    else:
        if options.origines is not None or options.destinations is not None:
            raise DonneesInvalides(
                "--origines et --destinations vont avec --noeuds ; avec --departement, les "
                "origines et destinations sont les communes du département."
            )
        from poles.communes import charger_communes, lieux_communes
        from socle.territoire import code_departement

        departement = code_departement(options.departement)
        etape(f"communes du département {departement}")
        communes = charger_communes(departement, tampon_km=0.0)
        origines = lieux_communes(communes[~communes["hors_departement"]])
        destinations = None
    etape("vérification du réseau et préparation des lots")
    plan = preparer_matrice(
        options.reseau, origines, destinations, sortie=options.sortie, coupure_s=coupure_s, lot=lot
    )
    barre = barres()
    try:
        with client_depuis_options(options) as client:
            lots = "1 lot" if plan.n_lots == 1 else f"{plan.n_lots} lots"
            etape(
                f"{plan.n_origines} origines en {lots} de {plan.lot}"
                + (" sur Dask" if client is not None else " ici")
            )
            resultat = executer_matrice(
                plan,
                client=client,
                tentatives=options.tentatives,
                fils_numba=fils(options),
                progression=barre,
            )
    finally:
        barre.fermer()
    destinations_texte = (
        "tous les nœuds" if plan.n_destinations is None else _nombre(plan.n_destinations)
    )
    coupure = "" if coupure_s is None else f" à moins de {seuil_fr(options.coupure_min)} min"
    print(
        f"Matrice : {_nombre(plan.n_origines)} origines × {destinations_texte} destinations, "
        f"{_nombre(resultat.paires)} paires{coupure}."
    )
    print(
        f"Lots : {resultat.lots_calcules} calculés, {resultat.lots_deja_faits} déjà faits "
        f"(sur {plan.n_lots}) en {resultat.duree_s:.1f} s".replace(".", ",")
    )
    if plan.hors_reseau:
        print(
            f"{len(plan.hors_reseau)} commune(s) à plus de 2 km du réseau, sans temps : "
            f"{', '.join(plan.hors_reseau[:10])}"
        )
    print(
        f"Résultats : {plan.dossier}/ (Parquet partitionné : pandas.read_parquet, DuckDB ou "
        "dask.dataframe.read_parquet)"
    )
    return 0
