"""Options shared by the access commands (indicateur, placement): the travel-time source."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["AIDE_SOURCES", "ajouter_options_source", "etape"]

AIDE_SOURCES = """\
Sources des temps (--source) :
  vol-oiseau  estimation a + b × km entre centres (a = 2,02 min, b = 1,32 min/km) : rapide,
              sans réseau, toujours présentée comme une estimation ;
  matrice     matrice commune × commune importée (Odomatrix, Metric) : --matrice FICHIER ;
  osm         réseau routier OpenStreetMap (« accessibilite reseau construire ») :
              --reseau FICHIER.
Par défaut : osm si --reseau est donné, matrice si --matrice est donné, sinon vol-oiseau.
"""


def ajouter_options_source(p: argparse.ArgumentParser) -> None:
    """The travel-time source options, read by ``cmd_zones_grises.source_depuis_options``."""
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
    """Print a progress step on stderr."""
    print(f"… {texte}", file=sys.stderr, flush=True)
