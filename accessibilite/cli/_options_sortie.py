"""Options on the shape of the outputs, shared by the commands that write a folder: the
CSV dialect (``--csv``) and the texts of the print maps (``--titre``, ``--sous-titre``,
``--producteur``, ``--logo``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["ajouter_option_csv", "ajouter_options_cartes", "options_cartes"]


def ajouter_option_csv(p: argparse.ArgumentParser) -> None:
    """``--csv portable|excel-fr`` (the tables are also in one .xlsx workbook)."""
    p.add_argument(
        "--csv",
        choices=["portable", "excel-fr"],
        default="portable",
        help="forme des CSV : portable (défaut : UTF-8, « , », point décimal, lue par tous "
        "les outils) ou excel-fr (« ; », virgule décimale, UTF-8 avec BOM, oui/non : "
        "s'ouvre en colonnes dans un tableur français) ; les tableaux sont aussi dans un "
        "classeur .xlsx",
    )


def ajouter_options_cartes(p: argparse.ArgumentParser) -> None:
    """The texts of the print maps: title, subtitle, producer, logo."""
    p.add_argument("--titre", help="titre des cartes imprimables (défaut : selon le niveau)")
    p.add_argument("--sous-titre", help="sous-titre des cartes imprimables")
    p.add_argument(
        "--producteur",
        help="organisme producteur, écrit dans les sources des cartes (ex. « Département du "
        "Pas-de-Calais, direction de l'aménagement »)",
    )
    p.add_argument(
        "--logo", type=Path, help="image PNG ou JPEG du logo, en haut à droite des cartes"
    )


def options_cartes(options: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments of :func:`cartes.ecrire_cartes` from the options."""
    return {
        "titre": getattr(options, "titre", None),
        "sous_titre": getattr(options, "sous_titre", None),
        "producteur": getattr(options, "producteur", None),
        "logo": getattr(options, "logo", None),
    }
