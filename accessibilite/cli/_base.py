"""Shared pieces of the command line: French argparse, error handling, progress."""

from __future__ import annotations

import argparse
import errno
import logging
import math
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

__all__ = ["Analyseur", "liste_nombres", "main_protegee", "nombre_fini"]

_TRADUCTIONS = {
    "usage: ": "usage : ",
    "options": "options",
    "positional arguments": "arguments",
    "show this help message and exit": "afficher cette aide et quitter",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "choix invalide : %(value)r (choisir parmi %(choices)s)"
    ),
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "expected one argument": "une valeur attendue",
    "invalid %(type)s value: %(value)r": "valeur invalide pour %(type)s : %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": (
        "option ambiguë : %(option)s peut désigner %(matches)s"
    ),
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
}


def _traduire(message: str) -> str:
    return _TRADUCTIONS.get(message, message)


# argparse looks its messages up through the module-level ``_`` at call time.
argparse._ = _traduire  # type: ignore[attr-defined]


class Analyseur(argparse.ArgumentParser):
    """An ``ArgumentParser`` speaking French, exiting with code 2 on a usage error.

    Every option declared with ``type=float`` is read by :func:`nombre_fini`: Python's
    ``float`` accepts ``nan`` and ``inf``, which no option means (and which JSON cannot
    hold in ``parametres.json``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)
        # argparse looks the type of each option up in this registry when it converts a
        # value (shared by argument groups; sub-commands are Analyseur instances too)
        self.register("type", float, nombre_fini)


def nombre_fini(texte: str) -> float:
    """Parse a finite number (argparse type): ``nan``, ``inf`` and ``1,5`` are refused."""
    try:
        valeur = float(texte)
    except ValueError:
        conseil = " (le séparateur décimal est le point : 1.5)" if "," in texte else ""
        raise argparse.ArgumentTypeError(f"« {texte} » n'est pas un nombre{conseil}") from None
    if not math.isfinite(valeur):
        raise argparse.ArgumentTypeError(f"« {texte} » n'est pas un nombre fini")
    return valeur

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {message}\n")


def liste_nombres(texte: str) -> list[float]:
    """Parse ``"10,20,30"`` into ``[10.0, 20.0, 30.0]`` (argparse type)."""
    try:
        valeurs = [float(v) for v in texte.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"« {texte} » n'est pas une liste de nombres séparés par des virgules"
        ) from None
    if not valeurs:
        raise argparse.ArgumentTypeError("liste vide")
    if not all(math.isfinite(v) for v in valeurs):
        raise argparse.ArgumentTypeError(f"« {texte} » : nombres finis attendus (ni nan ni inf)")
    return valeurs


def main_protegee(fonction: Callable[[], int]) -> int:
    """Run ``fonction``; turn every everyday fault into one French line and an exit code.

    The project's errors and file-system errors give 2; Ctrl-C gives 130 and SIGTERM or
    SIGHUP (handled like Ctrl-C, see :func:`socle.dossiers.interruptions_en_exceptions`)
    128 + the signal; a closed output pipe (``| head``) ends quietly with 141.
    """
    from socle.dossiers import Interruption, interruptions_en_exceptions
    from socle.erreurs import ErreurAccessibilite

    try:
        with interruptions_en_exceptions():
            return fonction()
    except ErreurAccessibilite as exc:
        return _erreur(str(exc))
    except KeyboardInterrupt as exc:
        print(
            "Interrompu : aucun résultat n'est laissé à moitié écrit (le dossier de sortie "
            "garde son contenu précédent ; un téléchargement interrompu reprendra au "
            "prochain lancement).",
            file=sys.stderr,
        )
        return 128 + exc.signal if isinstance(exc, Interruption) else 130
    except BrokenPipeError:
        # the reader of our output went away (``accessibilite reseau info F | head -1``)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except PermissionError as exc:
        return _erreur(
            f"écriture impossible ({exc.filename or exc}) : choisissez un dossier où vous "
            "avez le droit d'écrire."
        )
    except IsADirectoryError as exc:
        return _erreur(
            f"{exc.filename or exc} est un dossier : donnez un nom de fichier (--sortie)."
        )
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            return _erreur(
                f"disque plein ({exc.filename or ''}) : libérez de la place ou écrivez "
                "ailleurs ; aucun résultat n'est laissé à moitié écrit."
            )
        return _erreur(
            f"{exc.strerror or exc}{f' ({exc.filename})' if exc.filename else ''} : vérifiez "
            "le chemin et l'espace disque."
        )
    except MemoryError:
        return _erreur(
            "mémoire insuffisante : réduisez la zone (--tampon-km) ou découpez le calcul."
        )


def _erreur(message: str) -> int:
    print(f"Erreur : {message}", file=sys.stderr)
    return 2


def configurer_journal(verbeux: bool) -> None:
    """Show the library's log messages (INFO with ``-v``, else WARNING) on stderr."""
    logging.basicConfig(
        level=logging.INFO if verbeux else logging.WARNING,
        format="%(levelname)s : %(message)s",
        stream=sys.stderr,
    )
