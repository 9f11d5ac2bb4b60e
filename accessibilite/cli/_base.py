"""Shared pieces of the command line: French argparse, error handling, progress."""

from __future__ import annotations

import argparse
import errno
import logging
import math
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from socle.progression import Barres

__all__ = [
    "Analyseur",
    "ajouter_options_journal",
    "barres",
    "configurer_journal",
    "liste_nombres",
    "main_protegee",
    "nombre_fini",
    "silencieux",
]

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


#: Log level names as a French reader expects them.
NIVEAUX_JOURNAL = {
    "DEBUG": "DÉTAIL",
    "INFO": "INFO",
    "WARNING": "AVERTISSEMENT",
    "ERROR": "ERREUR",
    "CRITICAL": "ERREUR GRAVE",
}

#: Libraries whose informative messages (in English: pyogrio's "Created 887 records",
#: numba's compilation notes...) are shown only with ``-vv``.
BIBLIOTHEQUES_BAVARDES = (
    "pyogrio",
    "fiona",
    "numba",
    "matplotlib",
    "PIL",
    "urllib3",
    "asyncio",
    "distributed",
    "fontTools",
    "osmnx",
)

#: ``-q`` was given: the CLI's step lines and progress bars stay quiet.
_SILENCE = {"actif": False}


def silencieux() -> bool:
    """Whether ``-q`` was given (step lines and bars are not shown)."""
    return _SILENCE["actif"]


class _SortieErreur(logging.StreamHandler):
    """A handler writing to the current ``sys.stderr`` (replaced by tests and notebooks)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _valeur: Any) -> None:
        pass


class _FormatFrancais(logging.Formatter):
    """``AVERTISSEMENT : 21,4 km² ...``: French level names and decimal commas."""

    def format(self, record: logging.LogRecord) -> str:
        from socle.symbologie import texte_fr

        if getattr(record, "etape", False):  # a step announced by the library
            return f"… {texte_fr(record.getMessage())}"
        niveau = NIVEAUX_JOURNAL.get(record.levelname, record.levelname)
        return f"{niveau} : {texte_fr(record.getMessage())}"


def ajouter_options_journal(
    analyseur: argparse.ArgumentParser, *, sous_commandes: bool = False
) -> None:
    """``-v`` (repeatable) and ``-q`` on ``analyseur``, or, with ``sous_commandes``, on
    each of its sub-commands (at every depth) so that they may come after the command.

    On the sub-commands the options default to "not given", so that ``accessibilite -v
    zones-grises ...`` keeps the ``-v`` given before the command.
    """
    if not sous_commandes:
        analyseur.add_argument(
            "-v",
            "--verbeux",
            action="count",
            default=0,
            help="afficher le détail des étapes (-vv : aussi les messages des bibliothèques)",
        )
        analyseur.add_argument(
            "-q",
            "--silencieux",
            action="store_true",
            help="n'afficher que les avertissements, les erreurs et le résultat",
        )
        return
    for action in analyseur._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for sous in dict.fromkeys(action.choices.values()):
            sous.add_argument(
                "-v",
                "--verbeux",
                action="count",
                default=argparse.SUPPRESS,
                help="afficher le détail des étapes (-vv : aussi les bibliothèques)",
            )
            sous.add_argument(
                "-q",
                "--silencieux",
                action="store_true",
                default=argparse.SUPPRESS,
                help="n'afficher que les avertissements, les erreurs et le résultat",
            )
            ajouter_options_journal(sous, sous_commandes=True)


def configurer_journal(verbeux: int | bool, *, silencieux: bool = False) -> None:
    """Show log messages on stderr in French: WARNING by default, INFO with ``-v``,
    everything with ``-vv``, only errors with ``-q``; the libraries' informative chatter
    (:data:`BIBLIOTHEQUES_BAVARDES`) only with ``-vv``."""
    niveau = logging.DEBUG if int(verbeux) >= 2 else logging.INFO if verbeux else logging.WARNING
    _SILENCE["actif"] = bool(silencieux)
    sortie = _SortieErreur()
    sortie.setFormatter(_FormatFrancais())
    # -q filters at the handler, not at the loggers: other handlers (a notebook's, pytest's)
    # still receive the warnings
    sortie.setLevel(logging.ERROR if silencieux else logging.NOTSET)
    racine = logging.getLogger()
    for ancien in list(racine.handlers):
        if getattr(ancien, "_accessibilite", False):
            racine.removeHandler(ancien)
    sortie._accessibilite = True  # type: ignore[attr-defined]
    racine.addHandler(sortie)
    racine.setLevel(niveau)
    for nom in BIBLIOTHEQUES_BAVARDES:
        logging.getLogger(nom).setLevel(logging.NOTSET if int(verbeux) >= 2 else logging.WARNING)
    from socle.progression import JOURNAL_ETAPES

    # the steps the library announces show like the CLI's own "… étape" lines
    logging.getLogger(JOURNAL_ETAPES).setLevel(logging.INFO)


def barres() -> Barres:
    """Progress bars on a terminal (none with ``-q``)."""
    from socle.progression import Barres

    return Barres(actif=False) if silencieux() else Barres()
