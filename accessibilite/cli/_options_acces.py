"""Options shared by the commands and what they mean: the travel-time source, the pole
rule, the BPE file and the official commune list (each command module only adds its own)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accessibilite.cli._base import barres

if TYPE_CHECKING:
    from accessibilite.noyau.sources import SourceTemps
    from poles.regles import Regle

__all__ = [
    "AIDE_SOURCES",
    "AIDE_TEMPS",
    "ajouter_option_ecraser",
    "ajouter_options_source",
    "ajouter_options_temps",
    "etape",
    "fichier_bpe",
    "liste_officielle",
    "options_temps",
    "regle_depuis_options",
    "source_de_remplacement",
    "source_depuis_options",
]

AIDE_SOURCES = """\
Sources des temps (--source) :
  vol-oiseau  estimation a + b × km entre centres (a = 2,02 min, b = 1,32 min/km) : rapide,
              sans réseau, toujours présentée comme une estimation ;
  matrice     matrice commune × commune importée : --matrice FICHIER ; lue telle qu'elle
              vient : table Metric-OSRM (idSrc, idDst, duree en minutes, distance en km),
              export Odomatrix (heures de pointe par défaut, --heures creuses sinon),
              table origine;destination;minutes ou matrice large ; toute autre disposition
              avec --colonnes origine=A,destination=B,minutes=C (ou secondes=, heures=) ;
              les unités sont contrôlées (vitesses implicites) ;
  osm         réseau routier OpenStreetMap (« accessibilite reseau construire ») :
              --reseau FICHIER.
Par défaut : osm si --reseau est donné, matrice si --matrice est donné, sinon vol-oiseau.
"""

AIDE_TEMPS = """\
Temps et incertitude :
  --temps-interne / --sans-temps-interne  ajouter au départ de chaque trajet le temps moyen
              des habitants de la commune jusqu'à son centre (d'après sa surface, ou
              --grille-population FICHIER) ;
  --calibration FICHIER  coefficients et bande d'incertitude écrits par « accessibilite
              temps calibrer » pour la même source ;
  --incertitude defaut|aucune  bande d'incertitude des temps : celle de la calibration,
              sinon celle documentée de la source (défaut) ; « aucune » : temps pris comme
              exacts.
"""


def ajouter_option_ecraser(p: argparse.ArgumentParser) -> None:
    """``--ecraser``: replace an existing result folder (see :mod:`socle.dossiers`)."""
    p.add_argument(
        "--ecraser",
        action="store_true",
        help="remplacer le dossier de sortie s'il existe déjà (l'ancien résultat reste en place "
        "jusqu'à ce que le nouveau soit complet)",
    )


def ajouter_options_source(p: argparse.ArgumentParser) -> None:
    """The travel-time source options, read by :func:`source_depuis_options`."""
    p.add_argument(
        "--source",
        choices=["vol-oiseau", "matrice", "osm"],
        help="source des temps de trajet (voir plus haut)",
    )
    p.add_argument("--matrice", type=Path, help="matrice CSV commune × commune (voir plus haut)")
    p.add_argument(
        "--colonnes",
        help="colonnes de la matrice : origine=A,destination=B,minutes=C (ou secondes=, "
        "heures=), [km=D]",
    )
    p.add_argument(
        "--heures",
        choices=["pointe", "creuses"],
        default="pointe",
        help="temps d'un export Odomatrix : heures de pointe (défaut) ou heures creuses",
    )
    p.add_argument("--reseau", type=Path, help="réseau routier construit (reseau construire)")
    p.add_argument(
        "--vol-oiseau-a", type=float, default=None, help="constante a en minutes (défaut 2,02)"
    )
    p.add_argument(
        "--vol-oiseau-b", type=float, default=None, help="pente b en min/km (défaut 1,32)"
    )
    p.add_argument(
        "--tampon-km",
        type=float,
        default=30.0,
        help="communes voisines dont les pôles et équipements comptent (défaut 30 km)",
    )


def ajouter_options_temps(p: argparse.ArgumentParser, *, temps_interne_defaut: bool) -> None:
    """Internal time, calibration and error band options (read by :func:`options_temps`)."""
    interne = p.add_mutually_exclusive_group()
    defaut = " (défaut)" if temps_interne_defaut else ""
    interne.add_argument(
        "--temps-interne",
        dest="temps_interne",
        action="store_true",
        help="ajouter le temps moyen des habitants jusqu'au centre de leur commune" + defaut,
    )
    interne.add_argument(
        "--sans-temps-interne",
        dest="temps_interne",
        action="store_false",
        help="de centre de commune à centre de commune" + ("" if defaut else " (défaut)"),
    )
    p.set_defaults(temps_interne=temps_interne_defaut)
    p.add_argument(
        "--grille-population",
        type=Path,
        help="grille de population (carreaux ou points avec une colonne de population) pour "
        "le temps interne",
    )
    p.add_argument(
        "--calibration", type=Path, help="fichier écrit par « accessibilite temps calibrer »"
    )
    p.add_argument(
        "--incertitude",
        choices=["defaut", "aucune"],
        default="defaut",
        help="bande d'incertitude des temps : celle de la calibration ou de la source "
        "(défaut), ou aucune",
    )


def options_temps(options: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of the analyses for the time options."""
    return {
        "calibration": options.calibration,
        "temps_interne": bool(options.temps_interne),
        "grille_population": options.grille_population,
        "incertitude": options.incertitude,
    }


def etape(texte: str) -> None:
    """Print a progress step on stderr (not with ``-q``)."""
    from accessibilite.cli._base import silencieux

    if not silencieux():
        from socle.symbologie import texte_fr

        print(f"… {texte_fr(texte)}", file=sys.stderr, flush=True)


def regle_depuis_options(options: argparse.Namespace) -> Regle:
    """The pole rule chosen on the command line."""
    from poles.regles import Regle

    nom = options.regle.replace("-", "_")
    if nom == "n_min" and options.n_min is None:
        from socle.erreurs import DonneesInvalides

        raise DonneesInvalides("--regle n-min demande --n-min N (par exemple --n-min 8).")
    return Regle(nom=nom, n_min=options.n_min, part_min=options.part_min, cumul=options.cumul)


def source_depuis_options(options: argparse.Namespace) -> SourceTemps:
    """The travel-time source chosen on the command line."""
    from accessibilite.noyau.sources import (
        A_MIN_DEFAUT,
        B_MIN_PAR_KM_DEFAUT,
        SourceMatrice,
        SourceVolOiseau,
    )
    from socle.erreurs import DonneesInvalides

    nom = options.source or (
        "osm" if options.reseau else "matrice" if options.matrice else "vol-oiseau"
    )
    if nom == "matrice":
        if options.matrice is None:
            raise DonneesInvalides("--source matrice demande --matrice FICHIER.csv.")
        return SourceMatrice.depuis_fichier(
            options.matrice, colonnes=options.colonnes, periode=options.heures
        )
    if nom == "osm":
        if options.reseau is None:
            raise DonneesInvalides(
                "--source osm demande --reseau FICHIER (construit avec « accessibilite "
                "reseau construire »)."
            )
        from accessibilite.noyau.source_reseau import SourceReseau

        return SourceReseau.depuis_fichier(options.reseau)
    a = A_MIN_DEFAUT if options.vol_oiseau_a is None else options.vol_oiseau_a
    b = B_MIN_PAR_KM_DEFAUT if options.vol_oiseau_b is None else options.vol_oiseau_b
    return SourceVolOiseau(a_min=a, b_min_par_km=b)


def source_de_remplacement(options: argparse.Namespace) -> SourceTemps | None:
    """The source given again on the command line (--matrice, --reseau), or ``None``."""
    if options.matrice is not None:
        from accessibilite.noyau.sources import SourceMatrice

        return SourceMatrice.depuis_fichier(
            options.matrice,
            colonnes=getattr(options, "colonnes", None),
            periode=getattr(options, "heures", "pointe"),
        )
    if options.reseau is not None:
        from accessibilite.noyau.source_reseau import SourceReseau

        return SourceReseau.depuis_fichier(options.reseau)
    return None


def liste_officielle(options: argparse.Namespace) -> tuple[Path, Path] | None:
    """The official commune and EPCI lists asked for, downloaded when needed."""
    if getattr(options, "liste_officielle", None):
        communes, epci = options.liste_officielle
        return Path(communes), Path(epci)
    if not getattr(options, "communes_officielles", False):
        return None
    from socle.catalogue import source_communes, source_epci, telecharger_source

    return (
        telecharger_source(source_communes(), progression=barres()),
        telecharger_source(source_epci(), progression=barres()),
    )


def fichier_bpe(options: argparse.Namespace) -> Path:
    """The BPE file given with --bpe, or the INSEE archive downloaded into the cache."""
    if options.bpe is not None:
        return Path(options.bpe)
    from socle.catalogue import source_bpe, telecharger_source

    source = source_bpe(options.bpe_annee)
    etape(f"BPE absente de la ligne de commande : {source.description} ({source.url})")
    return telecharger_source(source, progression=barres())
