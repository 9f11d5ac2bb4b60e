"""``accessibilite scenario``: what a change of equipments or poles does to the zones grises."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from accessibilite.cli._base import Analyseur
from accessibilite.cli._options_acces import etape

__all__ = ["ajouter"]

_AIDE = """\
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

Exemple :
  accessibilite scenario --base resultats/62 --modifications scenario.toml
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
        "--modifications", type=Path, required=True, help="fichier TOML des modifications"
    )
    p.add_argument("--sortie", type=Path, help="dossier des résultats du scénario")
    p.add_argument(
        "--matrice",
        type=Path,
        help="matrice de la base, si elle a changé de place (source « matrice »)",
    )
    p.add_argument(
        "--reseau", type=Path, help="réseau de la base, s'il a changé de place (source « osm »)"
    )
    p.set_defaults(executer=executer)


def source_de_remplacement(options: argparse.Namespace) -> Any:
    """The source given again on the command line (--matrice, --reseau), or ``None``."""
    if options.matrice is not None:
        from accessibilite.sources import SourceMatrice

        return SourceMatrice.depuis_fichier(options.matrice)
    if options.reseau is not None:
        from accessibilite.source_reseau import SourceReseau

        return SourceReseau.depuis_fichier(options.reseau)
    return None


def executer(options: argparse.Namespace) -> int:
    """Run the scenario, write the files, print the balance."""
    from poles.base import lire_base
    from poles.scenarios import lire_modifications, scenario
    from poles.sorties_indicateurs import ecrire_scenario, formater_bilan

    etape("lecture du scénario")
    modifications = lire_modifications(options.modifications)
    etape(f"relecture de la base {options.base} (communes, BPE, pôles)")
    base = lire_base(options.base, source=source_de_remplacement(options))
    etape("application du scénario et recalcul des temps qui changent")
    resultat = scenario(base, modifications)
    sortie = options.sortie or Path(options.base) / f"scenario_{Path(options.modifications).stem}"
    etape(f"écriture des résultats dans {sortie}")
    ecrire_scenario(
        resultat,
        sortie,
        texte_modifications=Path(options.modifications).read_text(encoding="utf-8"),
    )
    if modifications.description:
        print(f"Scénario : {modifications.description}")
    print(f"Source : {base.source.description()}")
    print(formater_bilan(resultat))
    print(f"\nRésultats : {sortie}/")
    return 0
