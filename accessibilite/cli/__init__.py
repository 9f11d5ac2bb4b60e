"""The ``accessibilite`` command: parses options, calls the packages, prints French.

Each sub-command lives in its own module of this package and exposes
``ajouter(sous_analyseurs)``, which registers its parser and sets ``executer``.
The CLI holds no logic: it chains package functions.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from accessibilite.cli._base import (
    Analyseur,
    ajouter_options_journal,
    configurer_journal,
    main_protegee,
)

__all__ = ["main"]

#: Sub-command modules, in the order ``--help`` lists them.
_COMMANDES: list[str] = [
    "cmd_zones_grises",
    "cmd_poles",
    "cmd_comparer",
    "cmd_indicateur",
    "cmd_scenario",
    "cmd_placement",
    "cmd_isochrones",
    "cmd_matrice",
    "cmd_temps",
    "cmd_carte",
    "cmd_rapport",
    "cmd_reseau",
    "cmd_donnees",
]

_DESCRIPTION = """\
Temps d'accès en voiture aux services, pôles de services et zones grises (SDAASP).

Exemple, les zones grises du Pas-de-Calais à vol d'oiseau avec la BPE 2013 :
  accessibilite zones-grises --departement 62 --bpe bpe2013.xlsx --sortie resultats/62

« accessibilite COMMANDE --help » détaille chaque commande.
"""


def construire_analyseur() -> Analyseur:
    """Build the full parser with every sub-command."""
    analyseur = Analyseur(prog="accessibilite", description=_DESCRIPTION)
    ajouter_options_journal(analyseur)
    analyseur.add_argument(
        "--version", action="version", version="%(prog)s 0.1.0", help="afficher la version"
    )
    sous = analyseur.add_subparsers(dest="commande", metavar="COMMANDE", title="commandes")
    for nom in _COMMANDES:
        importlib.import_module(f"accessibilite.cli.{nom}").ajouter(sous)
    # -v and -q are accepted after the sub-command too (accessibilite zones-grises ... -q)
    ajouter_options_journal(analyseur, sous_commandes=True)
    return analyseur


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``accessibilite`` console script."""
    try:
        analyseur = construire_analyseur()
        options = analyseur.parse_args(argv)
    except KeyboardInterrupt:  # Ctrl-C while the commands load
        print("Interrompu.", file=sys.stderr)
        return 130
    if options.commande is None:
        analyseur.print_help()
        return 2
    configurer_journal(options.verbeux, silencieux=options.silencieux)
    return main_protegee(lambda: int(options.executer(options)))


if __name__ == "__main__":
    sys.exit(main())
