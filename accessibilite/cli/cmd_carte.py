"""``accessibilite carte``: the maps of a zones-grises folder (HTML, PNG, PDF)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd

from accessibilite.cli._options_sortie import ajouter_options_cartes

__all__ = ["ajouter"]

_DESCRIPTION = """\
Cartes d'un dossier produit par « accessibilite zones-grises » : une carte interactive
autonome (carte.html, une couche par niveau, le cumul des zones grises, les pôles) et des
cartes A4 pour les documents (carte_<niveau>.png/.pdf, carte_cumul.png/.pdf), lisibles
imprimées en noir et blanc. D'un dossier de « accessibilite indicateur --sites » : la carte
du réseau de sites (carte.html, carte.png, carte.pdf : temps au site le plus proche,
communes au-delà de l'objectif hachurées, bassins des sites, sites).

La carte HTML embarque Leaflet et les autres bibliothèques JavaScript : elle s'ouvre sans
Internet. Elles sont téléchargées une fois depuis le registre npm dans le cache local
(« --preparer » le fait d'avance, sur une machine reliée à Internet).

Exemples :
  accessibilite carte --entree resultats/62
  accessibilite carte --entree resultats/62 --format png,pdf --orientation paysage --sortie cartes
  accessibilite carte --entree resultats/62 --format html --fond uni
  accessibilite carte --preparer
"""


def ajouter(sous_analyseurs: Any) -> None:
    """Register the ``carte`` sub-command."""
    analyseur = sous_analyseurs.add_parser(
        "carte",
        help="cartes interactive (HTML) et imprimables (PNG, PDF) des zones grises",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    analyseur.add_argument(
        "--entree", metavar="DOSSIER", help="dossier de sortie de « accessibilite zones-grises »"
    )
    analyseur.add_argument(
        "--format",
        default="html,png,pdf",
        metavar="LISTE",
        help="formats séparés par des virgules parmi html, png, pdf (défaut : les trois)",
    )
    analyseur.add_argument(
        "--sortie", metavar="DOSSIER", help="dossier des cartes (défaut : le dossier d'entrée)"
    )
    analyseur.add_argument(
        "--fond",
        choices=["tuiles", "uni"],
        default="tuiles",
        help="fond de la carte HTML : tuiles (plan en ligne, défaut) ou uni (aucun serveur "
        "de tuiles, pour les réseaux qui les bloquent)",
    )
    analyseur.add_argument(
        "--orientation",
        choices=["portrait", "paysage"],
        default="portrait",
        help="orientation des cartes A4 (défaut : portrait)",
    )
    analyseur.add_argument(
        "--gris", action="store_true", help="cartes imprimables en niveaux de gris"
    )
    ajouter_options_cartes(analyseur)
    analyseur.add_argument(
        "--isochrones",
        metavar="FICHIER",
        help="couche d'isochrones à ajouter (GeoPackage ou GeoJSON ; colonnes temps_min, source)",
    )
    analyseur.add_argument(
        "--bassins",
        metavar="FICHIER",
        help="couche de bassins de services à ajouter (colonnes pole, hors_bassin)",
    )
    analyseur.add_argument(
        "--liens-internet",
        action="store_true",
        help="ne pas embarquer les bibliothèques JavaScript : la carte les chargera depuis "
        "Internet",
    )
    analyseur.add_argument(
        "--preparer",
        action="store_true",
        help="télécharger une fois dans le cache les bibliothèques JavaScript de la carte "
        "(registre npm), puis continuer si --entree est donné",
    )
    analyseur.add_argument(
        "--ecraser",
        action="store_true",
        help="avec --sortie : remplacer ce dossier s'il existe déjà",
    )
    analyseur.set_defaults(executer=executer)


def _lire_couche(chemin: str | None, quoi: str) -> gpd.GeoDataFrame | None:
    if chemin is None:
        return None

    from socle.fichiers import lire_couche

    return lire_couche(chemin, quoi=quoi)


def executer(options: argparse.Namespace) -> int:
    """Run ``accessibilite carte``."""
    import cartes

    if options.preparer:
        dossier = cartes.preparer_ressources()
        print(f"Bibliothèques JavaScript des cartes prêtes dans {dossier}")
        if options.entree is None:
            return 0
    if options.entree is None:
        print(
            "Erreur : indiquez le dossier des zones grises (--entree DOSSIER) ou --preparer.",
            file=sys.stderr,
        )
        return 2
    from accessibilite.cli._base import barres
    from accessibilite.cli._options_acces import etape
    from accessibilite.cli._options_sortie import options_cartes
    from socle.dossiers import dossier_resultat

    meme_dossier = options.sortie is None or Path(options.sortie).resolve() == Path(
        options.entree
    ).resolve(strict=False)
    sortie = Path(options.entree) if meme_dossier else Path(options.sortie)
    if cartes.est_dossier_sites(options.entree):
        return _cartes_sites(options, sortie, meme_dossier)
    dossier_entree = cartes.lire_dossier(options.entree)  # checked whole before anything else
    etape("cartes (environ 5 s chacune)")
    with (
        dossier_resultat(
            sortie, commande="carte", ecraser=options.ecraser, completer=meme_dossier
        ) as dossier,
        barres() as barre,
    ):
        fichiers = cartes.ecrire_cartes(
            dossier_entree,
            options.format.split(","),
            sortie=dossier,
            fond=options.fond,
            orientation=options.orientation,
            autonome=False if options.liens_internet else None,
            gris=options.gris,
            isochrones=_lire_couche(options.isochrones, "Couche d'isochrones (--isochrones)"),
            bassins=_lire_couche(options.bassins, "Couche de bassins (--bassins)"),
            progression=barre,
            **options_cartes(options),
        )
    for f in fichiers:
        print(sortie / f.name)
    return 0


def _cartes_sites(options: argparse.Namespace, sortie: Path, meme_dossier: bool) -> int:
    """The maps of a network-of-sites folder (``indicateur --sites``)."""
    import cartes
    from socle.dossiers import dossier_resultat
    from socle.erreurs import DonneesInvalides

    if options.isochrones or options.bassins:
        raise DonneesInvalides(
            "--isochrones et --bassins valent pour un dossier de zones grises : la carte d'un "
            "réseau de sites dessine déjà ses bassins."
        )
    dossier_entree = cartes.lire_dossier_sites(options.entree)
    with dossier_resultat(
        sortie, commande="carte", ecraser=options.ecraser, completer=meme_dossier
    ) as dossier:
        fichiers = cartes.ecrire_cartes_sites(
            dossier_entree,
            options.format.split(","),
            sortie=dossier,
            fond=options.fond,
            orientation=options.orientation,
            autonome=False if options.liens_internet else None,
            gris=options.gris,
        )
    for f in fichiers:
        print(sortie / f.name)
    return 0
