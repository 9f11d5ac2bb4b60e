"""``accessibilite rapport``: the diagnostic chapter of a schema (HTML, PDF, DOCX)."""

from __future__ import annotations

import argparse
import shlex
import time
from pathlib import Path
from typing import Any

from accessibilite.cli._base import Analyseur
from accessibilite.cli._options_acces import ajouter_option_ecraser, etape

__all__ = ["ajouter"]

_AIDE = """\
Rédige le chapitre « diagnostic » d'un SDAASP à partir d'un dossier produit par
« accessibilite zones-grises » : un rapport en français, en trois formats, dans
--sortie (défaut : <base>/rapport) :
  rapport.html  une page autonome (cartes et graphiques inclus), à ouvrir ou imprimer ;
  rapport.pdf   A4, sommaire paginé, pages numérotées, figures et tableaux numérotés avec
                leurs sources ;
  rapport.docx  à reprendre dans Word ou LibreOffice : vrais titres, tableaux Word,
                figures légendées, styles français.

Contenu : une synthèse (chiffres clés par niveau, carte des trois niveaux) ; la méthode
(sources et millésimes avec leurs empreintes, gammes, règle de pôle par niveau, seuils,
limites) ; pour chaque niveau, la carte A4, un résumé, le tableau par EPCI, la liste des
pôles et les communes en zone grise avec leur temps et leur pôle le plus proche ; pour
chaque indicateur de service, sa carte, la répartition des habitants par temps, le tableau
par EPCI et les communes les plus éloignées ; la sensibilité à la règle de pôle
(sensibilite.csv, écrit par « zones-grises --sensibilite ») ; la comparaison avec une étude
précédente et les scénarios quand ils sont donnés. Ce que les dossiers ne permettent pas
d'écrire est listé, dans la synthèse, comme absent.

Tous les chiffres sont lus dans les fichiers des dossiers : les mêmes dossiers donnent le
même rapport. Un dossier incomplet, modifié depuis son calcul, écrit par une autre version
d'accessibilite ou portant sur un autre département est refusé, et rien n'est écrit. Le
dossier du rapport est écrit d'un seul bloc ; un rapport existant n'est remplacé qu'avec
--ecraser.

Dossiers ajoutés (--avec) : sorties de « accessibilite indicateur » et de « accessibilite
scenario », ou un autre dossier de « zones-grises » (l'étude précédente, à comparer), ou un
dossier qui en contient (« indicateur --services » en écrit un par service). Les dossiers
d'indicateur et de scénario rangés dans la base (leur place par défaut) sont pris d'office.

Le PDF demande WeasyPrint (et la bibliothèque Pango), le DOCX python-docx :
  pip install "accessibilite[rapport]"

Exemples :
  accessibilite rapport --base resultats/62
  accessibilite rapport --base resultats/62 --ecraser
  accessibilite rapport --base resultats/62 --avec resultats/62_medecin resultats/2019/62 \\
      --titre "Diagnostic de l'accès aux services" --producteur "Département du Pas-de-Calais" \\
      --logo logo.png
  accessibilite rapport --base resultats/62 --niveaux proximite,intermediaire --sans-cartes \\
      --formats docx --sortie chapitre_diagnostic
"""


def ajouter(sous: Any) -> None:
    """Register the ``rapport`` sub-command."""
    p: Analyseur = sous.add_parser(
        "rapport",
        help="rapport de diagnostic en HTML, PDF et DOCX (chapitre d'un SDAASP)",
        description=_AIDE,
    )
    p.add_argument(
        "--base",
        type=Path,
        required=True,
        metavar="DOSSIER",
        help="dossier de sortie de « accessibilite zones-grises »",
    )
    p.add_argument(
        "--avec",
        type=Path,
        nargs="+",
        action="extend",
        default=[],
        metavar="DOSSIER",
        help="dossiers d'indicateur, de scénario ou d'une étude précédente (zones-grises)",
    )
    p.add_argument(
        "--sortie",
        type=Path,
        metavar="DOSSIER",
        help="dossier du rapport (défaut : <base>/rapport)",
    )
    p.add_argument(
        "--formats",
        default="html,pdf,docx",
        metavar="LISTE",
        help="formats séparés par des virgules parmi html, pdf, docx (défaut : les trois)",
    )
    p.add_argument(
        "--titre",
        help="titre du rapport (défaut : « Diagnostic de l'accessibilité "
        "des services au public — <département> »)",
    )
    p.add_argument(
        "--territoire", help="nom du territoire sur la couverture (défaut : le département)"
    )
    p.add_argument(
        "--producteur", help="organisme qui publie le rapport (couverture, propriétés du PDF)"
    )
    p.add_argument("--logo", type=Path, metavar="FICHIER", help="logo PNG ou JPEG (couverture)")
    p.add_argument(
        "--niveaux",
        metavar="LISTE",
        help="niveaux à présenter, séparés par des virgules (défaut : tous ceux de l'étude)",
    )
    p.add_argument(
        "--sans-cartes",
        action="store_true",
        help="pas de cartes (tableaux et graphiques seulement, bien plus rapide)",
    )
    ajouter_option_ecraser(p)
    p.set_defaults(executer=executer)


def _commande(options: argparse.Namespace) -> str:
    """The command line of this report, rebuilt from its options (for the annex)."""
    mots = ["accessibilite", "rapport", "--base", str(options.base)]
    if options.avec:
        mots += ["--avec", *map(str, options.avec)]
    for option in ("sortie", "formats", "titre", "territoire", "producteur", "logo", "niveaux"):
        valeur = getattr(options, option)
        if valeur is not None and not (option == "formats" and valeur == "html,pdf,docx"):
            mots += [f"--{option}", str(valeur)]
    if options.sans_cartes:
        mots.append("--sans-cartes")
    if options.ecraser:
        mots.append("--ecraser")
    return shlex.join(mots)


def executer(options: argparse.Namespace) -> int:
    """Build the report, print the files written and what is absent."""
    from cartes.rapport import OptionsRapport, ecrire_rapport, verifier_formats
    from socle.progression import Barres

    debut = time.perf_counter()
    etape(f"rapport de {options.base} : lecture des dossiers, chapitres, fichiers")
    formats = verifier_formats(options.formats.split(","))
    niveaux = (
        tuple(n.strip() for n in options.niveaux.split(",") if n.strip())
        if options.niveaux is not None
        else None
    )
    resultat = ecrire_rapport(
        options.base,
        avec=options.avec,
        sortie=options.sortie,
        formats=formats,
        options=OptionsRapport(
            titre=options.titre,
            territoire=options.territoire,
            producteur=options.producteur,
            logo=options.logo,
            niveaux=niveaux,
            cartes=not options.sans_cartes,
        ),
        ecraser=options.ecraser,
        commande=_commande(options),
        progression=Barres(),
    )
    r = resultat.rapport
    print(
        f"Rapport : {len(r.toutes_sections())} sections, {len(r.figures())} figures, "
        f"{len(r.tableaux())} tableaux"
        + (f", {resultat.pages_pdf} pages A4" if resultat.pages_pdf else "")
        + f" ({time.perf_counter() - debut:.0f} s)"
    )
    for fichier in resultat.fichiers.values():
        print(f"  {fichier}")
    if r.absences:
        print("Absent du rapport, faute de données dans les dossiers :")
        for absence in r.absences:
            conseil = f" ({absence.conseil})" if absence.conseil else ""
            print(f"  - {absence.section} : {absence.raison}{conseil}.")
    return 0
