"""``accessibilite poles calibrer``: pole thresholds calibrated on the poles a schema names."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from accessibilite.cli._base import Analyseur
from accessibilite.cli._options_acces import ajouter_option_ecraser, etape

__all__ = ["ajouter", "executer_calibrer"]

_DESCRIPTION = """\
Outils sur les pôles de services.

Exemple :
  accessibilite poles calibrer --departement 62 --bpe bpe2013.xlsx \\
      --reference poles_nommes_sdaasp62.csv --sortie resultats/62-calibrage
"""

_AIDE_CALIBRER = """\
Cale le seuil de pôle de chaque niveau sur les pôles qu'un schéma nomme.

La référence (--reference) est un CSV avec les colonnes code_insee, niveau et affirmation
(pole ou pas_pole : le document dit que la commune est, ou n'est pas, un pôle de ce
niveau) ; les autres colonnes sont ignorées (séparateur , ou ; , UTF-8 ou Latin-1). Chaque
seuil de chaque niveau (au moins 1, 2 … n items de la gamme) est évalué : pôles nommés
trouvés, non-pôles nommés faits pôles, pôles du département. Règle de choix :
  1. pôles et non-pôles nommés : meilleur indice de Youden (sensibilité + spécificité − 1),
     à égalité le seuil le plus exigeant ;
  2. pôles seuls : le seuil le plus exigeant qui trouve encore au moins 90 % des pôles
     nommés (--rappel-min), sans jamais plus de pôles que le niveau inférieur ;
  3. non-pôles seuls : le seuil le plus bas qui en écarte au moins 90 % ;
  4. niveau absent de la référence : règle inchangée.

Sorties dans --sortie : calibrage.csv (une ligne par niveau et seuil), disaccords.csv (les
communes de la référence que les seuils retenus contredisent, avec les items présents et
manquants), gammes_calibrees.toml (à donner tel quel à --gammes) et parametres.json.

Exemple :
  accessibilite poles calibrer --departement 62 --bpe bpe2013.xlsx \\
      --reference poles_nommes_sdaasp62.csv --sortie resultats/62-calibrage
  accessibilite zones-grises --departement 62 --bpe bpe2013.xlsx \\
      --gammes resultats/62-calibrage/gammes_calibrees.toml --sortie resultats/62
"""


def ajouter(sous_analyseurs: Any) -> None:
    """Register ``poles`` and its sub-command ``calibrer``."""
    analyseur: Analyseur = sous_analyseurs.add_parser(
        "poles",
        help="caler les seuils de pôle sur les pôles nommés par un schéma",
        description=_DESCRIPTION,
    )
    sous = analyseur.add_subparsers(dest="action", metavar="ACTION", title="actions")
    sous.required = True
    p: Analyseur = sous.add_parser(
        "calibrer",
        help="évaluer chaque seuil de chaque niveau sur une référence et en choisir un",
        description=_AIDE_CALIBRER,
    )
    p.add_argument("--departement", required=True, help="code INSEE du département (ex. 62)")
    p.add_argument(
        "--reference",
        type=Path,
        required=True,
        metavar="FICHIER.csv",
        help="pôles nommés : colonnes code_insee, niveau, affirmation (pole ou pas_pole)",
    )
    p.add_argument(
        "--bpe",
        type=Path,
        help="fichier de la Base permanente des équipements (sans lui : téléchargement)",
    )
    p.add_argument("--bpe-annee", type=int, help="millésime à télécharger sans --bpe")
    p.add_argument("--gammes", type=Path, help="fichier de gammes TOML (défaut : SDAASP)")
    p.add_argument(
        "--regroupements",
        type=Path,
        metavar="FICHIER.csv",
        help="communes jugées ensemble (colonnes groupe, code_insee) : items mis en commun",
    )
    p.add_argument(
        "--rappel-min",
        type=float,
        default=0.9,
        help="part des pôles (ou non-pôles) nommés à retrouver quand la référence n'en nomme "
        "que d'une sorte à un niveau (défaut 0,9)",
    )
    p.add_argument(
        "--sortie",
        type=Path,
        help="dossier des résultats (défaut : resultats/<département>-calibrage)",
    )
    ajouter_option_ecraser(p)
    p.set_defaults(executer=executer_calibrer)


def executer_calibrer(options: argparse.Namespace) -> int:
    """Calibrate, write the files, print the summary."""
    from accessibilite.cli._options_acces import fichier_bpe
    from poles.calibrage import calibrer_seuils, lire_poles_nommes
    from poles.decisions import lire_regroupements
    from poles.sorties_calibrage import ecrire_calibrage, formater_calibrage
    from socle.dossiers import dossier_resultat
    from socle.territoire import code_departement

    departement = code_departement(options.departement)
    sortie = options.sortie or Path("resultats") / f"{departement}-calibrage"
    reference = lire_poles_nommes(options.reference)
    groupes = lire_regroupements(options.regroupements) if options.regroupements else ()
    bpe = fichier_bpe(options)
    etape("communes, équipements et évaluation des seuils")
    resultat = calibrer_seuils(
        departement,
        bpe,
        reference,
        gammes=options.gammes,
        regroupements=groupes,
        rappel_min=options.rappel_min,
    )
    etape(f"écriture des résultats dans {sortie}")
    with dossier_resultat(sortie, commande="poles calibrer", ecraser=options.ecraser) as dossier:
        ecrire_calibrage(resultat, dossier)
    print(formater_calibrage(resultat))
    print(f"\nRésultats : {sortie}/ (gammes calées : {sortie / 'gammes_calibrees.toml'})")
    return 0
