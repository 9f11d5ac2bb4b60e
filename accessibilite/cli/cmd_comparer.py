"""``accessibilite comparer``: a new zones-grises run against a previous study."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from accessibilite.cli._base import Analyseur
from accessibilite.cli._options_acces import ajouter_option_ecraser, etape

__all__ = ["ajouter", "executer"]

_AIDE = """\
Compare les zones grises d'une nouvelle analyse (dossier de sortie de « accessibilite
zones-grises », --nouveau) à celles d'une étude précédente (--precedent), dans l'un de ces
formats (reconnus à leurs colonnes ; séparateur , ou ; , UTF-8 ou Latin-1) :
  - un zones_grises.csv de cet outil (colonnes code et zone_grise_<niveau>) ;
  - la liste des communes en zone grise de chaque niveau (colonnes code_insee, niveau) ;
  - des comptes par niveau (colonnes niveau, communes), et par EPCI avec une colonne
    epci_code ou epci_nom.
Les codes de communes fusionnées depuis l'étude précédente sont rattachés à leur commune
actuelle (une commune actuelle est en zone grise « avant » si l'une de ses anciennes
communes l'était).

Par niveau et par EPCI : communes en zone grise dans chaque étude, ratio (nouvelle /
précédente), communes dans les deux, dans l'une seulement, indice de Jaccard.

Sorties dans --sortie : comparaison.csv, comparaison_communes.csv, comparaison.gpkg (couche
accord), parametres.json, carte_comparaison.html et carte_comparaison.png.

Exemple :
  accessibilite comparer --precedent etude_2017/zones_grises.csv --nouveau resultats/62 \\
      --sortie resultats/62/comparaison
"""


def ajouter(sous: Any) -> None:
    """Register the ``comparer`` sub-command."""
    p: Analyseur = sous.add_parser(
        "comparer",
        help="comparer une nouvelle analyse des zones grises à une étude précédente",
        description=_AIDE,
    )
    p.add_argument(
        "--precedent",
        type=Path,
        required=True,
        metavar="FICHIER.csv",
        help="résultat de l'étude précédente (zones_grises.csv, liste ou comptes)",
    )
    p.add_argument(
        "--nouveau",
        type=Path,
        required=True,
        metavar="DOSSIER",
        help="dossier de sortie de « accessibilite zones-grises »",
    )
    p.add_argument(
        "--sortie", type=Path, help="dossier des résultats (défaut : <nouveau>/comparaison)"
    )
    ajouter_option_ecraser(p)
    p.add_argument(
        "--cartes",
        default="html,png",
        help="cartes d'accord à produire : html,png ou « aucune » (défaut : html,png)",
    )
    p.set_defaults(executer=executer)


def executer(options: argparse.Namespace) -> int:
    """Compare, write the files and maps, print the summary."""
    from poles.comparaison import comparer, lire_precedent
    from poles.sorties_comparaison import ecrire_comparaison, formater_comparaison
    from socle.dossiers import dossier_resultat
    from socle.erreurs import DonneesInvalides

    texte = str(options.cartes).strip().lower()
    formats = (
        ()
        if texte in ("aucune", "non", "")
        else tuple(f.strip() for f in texte.split(",") if f.strip())
    )
    inconnus = set(formats) - {"html", "png"}
    if inconnus:
        raise DonneesInvalides(
            f"Format de carte inconnu : {', '.join(sorted(inconnus))} (html, png)."
        )
    sortie = options.sortie or Path(options.nouveau) / "comparaison"
    precedent = lire_precedent(options.precedent)
    etape("comparaison")
    resultat = comparer(precedent, options.nouveau)
    etape(f"écriture des résultats dans {sortie}")
    with dossier_resultat(sortie, commande="comparer", ecraser=options.ecraser) as dossier:
        ecrire_comparaison(resultat, dossier)
        if formats and precedent.communes is not None:
            from cartes.comparaison import ecrire_cartes_comparaison

            etape("cartes d'accord")
            ecrire_cartes_comparaison(dossier, formats)
    print(formater_comparaison(resultat))
    print(f"\nRésultats : {sortie}/")
    return 0
