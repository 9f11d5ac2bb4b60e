"""Options shared by the commands and what they mean: the travel-time source, the pole
rule, the BPE file and the official commune list (each command module only adds its own)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from accessibilite.cli._base import barres

if TYPE_CHECKING:
    from accessibilite.noyau.sources import SourceTemps
    from poles.regles import Regle

__all__ = [
    "AIDE_SOURCES",
    "ajouter_option_ecraser",
    "ajouter_options_source",
    "etape",
    "fichier_bpe",
    "liste_officielle",
    "regle_depuis_options",
    "source_de_remplacement",
    "source_depuis_options",
]

AIDE_SOURCES = """\
Sources des temps (--source) :
  vol-oiseau  estimation a + b × km entre centres (a = 2,02 min, b = 1,32 min/km) : rapide,
              sans réseau, toujours présentée comme une estimation ;
  matrice     matrice commune × commune importée (Odomatrix, Metric) : --matrice FICHIER ;
  osm         réseau routier OpenStreetMap (« accessibilite reseau construire ») :
              --reseau FICHIER.
Par défaut : osm si --reseau est donné, matrice si --matrice est donné, sinon vol-oiseau.
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
    p.add_argument("--matrice", type=Path, help="matrice CSV commune × commune (minutes)")
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
        return SourceMatrice.depuis_fichier(options.matrice)
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

        return SourceMatrice.depuis_fichier(options.matrice)
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
