"""``accessibilite scenario``: what a change of equipments or poles does to the zones grises."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from accessibilite.cli._base import Analyseur
from accessibilite.cli._options_acces import (
    ajouter_option_ecraser,
    etape,
    source_de_remplacement,
)
from accessibilite.cli._options_dask import AIDE_DASK, ajouter_options_dask
from accessibilite.cli._options_sortie import ajouter_option_csv

__all__ = ["ajouter"]

_AIDE = f"""\
Applique un scénario (ajout ou retrait d'équipements, pôles forcés ou supprimés) à un
résultat de « accessibilite zones-grises » et ne recalcule que ce qui change : les communes
dont le pôle le plus proche disparaît cherchent un nouveau pôle ; pour les pôles ajoutés, un
seul calcul des temps vers les nouveaux pôles. La base est rejouée à l'identique à partir de
son parametres.json (même BPE, mêmes gammes, même règle, même source, même tampon).

Fichier de modifications (TOML), par exemple :

  description = "Fermeture d'une pharmacie, ouverture d'un cabinet médical"

  [[retrait]]
  commune = "62041"      # code INSEE, entre guillemets
  typequ = "D301"
  nombre = 1             # facultatif : par défaut tous les équipements de ce type

  [[ajout]]
  commune = "62001"
  typequ = "D201"
  nombre = 2             # facultatif : 1 par défaut

  [[pole]]
  commune = "62160"
  niveau = "superieur"
  actif = false          # true : pôle forcé ; false : pôle supprimé

Sorties dans --sortie (défaut : <base>/scenario_<nom du fichier>) : avant_apres.csv (par
commune et niveau : pôle, temps et zone grise avant/après), bilan.csv (par niveau : communes
et population qui entrent en zone grise ou en sortent, variation du temps moyen),
scenario.gpkg (couches difference et poles_modifies), parametres.json, modifications.toml.

Plusieurs fichiers (--modifications a.toml b.toml c.toml) : un scénario par fichier, chacun
une tâche (ici ou sur Dask avec --dask), dans <--sortie ou base>/scenario_<nom du fichier> ;
relancer la même commande saute les scénarios déjà faits.

{AIDE_DASK}
Exemples :
  accessibilite scenario --base resultats/62 --modifications scenario.toml
  accessibilite scenario --base resultats/62 --modifications scenarios/*.toml --dask local
"""


def ajouter(sous: Any) -> None:
    """Register the ``scenario`` sub-command."""
    p: Analyseur = sous.add_parser(
        "scenario",
        help="avant/après d'un scénario (équipements ou pôles ajoutés ou retirés)",
        description=_AIDE,
    )
    p.add_argument(
        "--base", type=Path, required=True, help="dossier de sortie d'accessibilite zones-grises"
    )
    p.add_argument(
        "--modifications",
        type=Path,
        nargs="+",
        required=True,
        help="fichier(s) TOML des modifications (plusieurs : un scénario par fichier)",
    )
    p.add_argument(
        "--sortie",
        type=Path,
        help="dossier des résultats du scénario (plusieurs fichiers : dossier qui reçoit "
        "un scenario_<nom> par fichier)",
    )
    ajouter_option_ecraser(p)
    p.add_argument(
        "--matrice",
        type=Path,
        help="matrice de la base, si elle a changé de place (source « matrice »)",
    )
    p.add_argument(
        "--reseau", type=Path, help="réseau de la base, s'il a changé de place (source « osm »)"
    )
    ajouter_option_csv(p)
    ajouter_options_dask(p)
    p.set_defaults(executer=executer)


def executer(options: argparse.Namespace) -> int:
    """Run the scenario, write the files, print the balance."""
    from poles.base import lire_base
    from poles.scenarios import lire_modifications, scenario
    from poles.sorties_indicateurs import ecrire_scenario, formater_bilan
    from socle.dossiers import dossier_resultat
    from socle.symbologie import texte_fr

    if len(options.modifications) > 1 or options.dask is not None:
        return _executer_plusieurs(options)
    fichier = options.modifications[0]
    etape("lecture du scénario")
    modifications = lire_modifications(fichier)
    etape(f"relecture de la base {options.base} (communes, BPE, pôles)")
    base = lire_base(options.base, source=source_de_remplacement(options))
    etape("application du scénario et recalcul des temps qui changent")
    resultat = scenario(base, modifications)
    sortie = options.sortie or Path(options.base) / f"scenario_{Path(fichier).stem}"
    etape(f"écriture des résultats dans {sortie}")
    texte = Path(fichier).read_text(encoding="utf-8")
    with dossier_resultat(sortie, commande="scenario", ecraser=options.ecraser) as dossier:
        ecrire_scenario(resultat, dossier, texte_modifications=texte, csv=options.csv)
    if modifications.description:
        print(f"Scénario : {modifications.description}")
    print(f"Source : {texte_fr(base.source.description())}")
    print(formater_bilan(resultat))
    print(f"\nRésultats : {sortie}/")
    return 0


def _executer_plusieurs(options: argparse.Namespace) -> int:
    """Several scenario files (or one on Dask): one task per file."""
    from accessibilite.cli._base import barres
    from accessibilite.cli._options_dask import client_depuis_options
    from poles.distribue import scenarios

    source = source_de_remplacement(options)  # a road graph is reopened by each worker
    etape(f"{len(options.modifications)} scénario(s) sur la base {options.base}")
    barre = barres()
    try:
        with client_depuis_options(options) as client:
            bilans = scenarios(
                options.base,
                options.modifications,
                sortie=options.sortie,
                source=source,
                client=client,
                tentatives=options.tentatives,
                progression=barre,
                csv=options.csv,
            )
    finally:
        barre.fermer()
    for bilan in bilans:
        etat = "" if bilan.calcule else " (déjà calculé, repris tel quel)"
        print(f"— {bilan.nom}{etat}")
        print(bilan.texte)
        print(f"Résultats : {bilan.dossier}/\n")
    return 0
