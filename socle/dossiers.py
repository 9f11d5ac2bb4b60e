"""Result folders written as one unit: whole or absent, never a mix of two runs.

A command that writes a folder of results (``zones-grises``, ``indicateur``, ``carte``...)
does it through :func:`dossier_resultat`:

* a lock (``.<nom>.verrou`` beside the folder, an OS file lock released even when the
  process is killed) refuses a second run on the same folder, naming the other process;
* everything is written into a sibling temporary folder (``.<nom>.partiel-<pid>-<hasard>``);
* at the end a manifest (:data:`MANIFESTE`: one run id, the command, the date, every
  file with its size and sha256) is written and the temporary folder replaces the final
  one in one step (``renameat2(RENAME_EXCHANGE)`` on Linux, else two renames that the next
  run completes if it was interrupted between them);
* an existing non-empty folder is replaced only when asked (``ecraser``), and the previous
  complete result stays in place until the new one is complete; ``completer`` starts from
  the existing folder (hard links) to add files to it (maps added by ``carte``);
* on any error, Ctrl-C or SIGTERM (see :func:`interruptions_en_exceptions`) the temporary
  folder is removed; after a SIGKILL or a power cut it is left behind and removed by the
  next run on the same folder.

Readers check a folder with :func:`verifier_dossier` before using it: a folder whose files
do not match its manifest (edited, mixed, truncated) is refused with the files named.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import signal
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any, ClassVar

from socle.erreurs import DonneesInvalides, ErreurEcriture
from socle.fichiers import empreinte_fichier, preparer_dossier

__all__ = [
    "MANIFESTE",
    "Interruption",
    "Verrou",
    "dossier_resultat",
    "interruptions_en_exceptions",
    "lire_manifeste",
    "nettoyer_temporaires",
    "sceller",
    "verifier_dossier",
    "verrou_de",
]

logger = logging.getLogger(__name__)

#: The manifest of a result folder.
MANIFESTE = "_execution.json"
FORMAT_MANIFESTE = "accessibilite-execution"


class Interruption(KeyboardInterrupt):
    """The process was asked to stop by a signal (SIGTERM, SIGHUP): handled like Ctrl-C."""

    def __init__(self, signal_recu: int) -> None:
        super().__init__(signal_recu)
        self.signal = signal_recu


@contextlib.contextmanager
def interruptions_en_exceptions() -> Iterator[None]:
    """Turn SIGTERM (sent by ``timeout``, ``docker stop``, ``scancel``) and SIGHUP into
    :class:`Interruption` within the block, so that cleanups run as for Ctrl-C."""

    def lever(signal_recu: int, _cadre: FrameType | None) -> None:
        raise Interruption(signal_recu)

    anciens: dict[int, Any] = {}
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is None:
            continue
        with contextlib.suppress(ValueError):  # not the main thread: signals left as they are
            anciens[sig] = signal.signal(sig, lever)
    try:
        yield
    finally:
        for sig, ancien in anciens.items():
            signal.signal(sig, ancien)


class Verrou:
    """An exclusive lock on a path, held by this process (``with Verrou(...):``).

    An OS lock (``flock``) on the file ``chemin``: released by the system when the process
    dies, so a killed run never blocks the next one. The file records who holds it, for
    the message given to a second run. Re-entrant within a process: a run that holds the
    lock of a folder (a multi-département run) may open the folder's unit inside it.
    """

    #: Locks held by this process (path -> depth).
    _tenus: ClassVar[dict[Path, int]] = {}

    def __init__(self, chemin: Path, *, quoi: Path, commande: str) -> None:
        self.chemin = chemin
        self.quoi = quoi
        self.commande = commande
        self._fd: int | None = None
        self._imbrique = False

    def __enter__(self) -> Verrou:
        cle = Path(os.path.abspath(self.chemin))
        if Verrou._tenus.get(cle):
            Verrou._tenus[cle] += 1
            self._imbrique = True
            return self
        self._prendre_fichier()
        Verrou._tenus[cle] = 1
        return self

    def _prendre_fichier(self) -> None:
        for _ in range(5):
            fd = os.open(self.chemin, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                self._prendre(fd)
            except BaseException:
                os.close(fd)
                raise
            # the file may have been removed and recreated by its previous holder between
            # our open and our lock: then our lock protects nothing, try again
            try:
                meme = os.stat(self.chemin).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                meme = False
            if meme:
                self._fd = fd
                fiche = {
                    "pid": os.getpid(),
                    "hote": socket.gethostname(),
                    "commande": self.commande,
                    "debut": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                }
                os.ftruncate(fd, 0)
                os.write(fd, json.dumps(fiche, ensure_ascii=False).encode())
                return
            os.close(fd)
        raise ErreurEcriture(f"Impossible de verrouiller {self.quoi} : réessayez.")

    def _prendre(self, fd: int) -> None:
        if sys.platform == "win32":  # an exclusive lock on the file's first byte
            import msvcrt

            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            except OSError:
                raise self._occupe(fd) from None
        else:
            import fcntl

            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise self._occupe(fd) from None

    def _occupe(self, fd: int) -> ErreurEcriture:
        try:
            fiche = json.loads(os.pread(fd, 4096, 0) or b"{}")
        except (OSError, ValueError, AttributeError):
            fiche = {}
        qui = (
            f"processus {fiche.get('pid', '?')} sur {fiche.get('hote', '?')}, "
            f"« accessibilite {fiche.get('commande', '?')} » lancé le {fiche.get('debut', '?')}"
            if fiche
            else "un autre processus"
        )
        return ErreurEcriture(
            f"Un autre calcul écrit déjà dans {self.quoi} ({qui}) : attendez qu'il se termine "
            "ou choisissez un autre dossier (--sortie)."
        )

    def __exit__(self, *exc: object) -> None:
        cle = Path(os.path.abspath(self.chemin))
        Verrou._tenus[cle] = Verrou._tenus.get(cle, 1) - 1
        if Verrou._tenus[cle] <= 0:
            del Verrou._tenus[cle]
        if self._imbrique:
            self._imbrique = False
            return
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.chemin)
            os.close(self._fd)
            self._fd = None


def _temporaires(final: Path) -> list[Path]:
    return sorted(final.parent.glob(f".{final.name}.partiel-*")) + sorted(
        final.parent.glob(f".{final.name}.ancien-*")
    )


def verrou_de(final: str | Path, *, commande: str) -> Verrou:
    """The lock of the result folder ``final`` (``.<nom>.verrou`` beside it)."""
    final = Path(final)
    parent = preparer_dossier(final.parent)
    return Verrou(parent / f".{final.name}.verrou", quoi=final, commande=commande)


def nettoyer_temporaires(final: Path) -> int:
    """Remove what killed runs left beside ``final`` (call with its lock held).

    An interrupted swap (the previous result moved aside, the new one not yet in place)
    is completed first: the previous result is put back.
    """
    if not final.exists():
        anciens = sorted(final.parent.glob(f".{final.name}.ancien-*"))
        if anciens:
            os.rename(anciens[-1], final)
            logger.warning(
                "Résultat précédent de %s remis en place (un remplacement avait été interrompu).",
                final,
            )
    n = 0
    for chemin in _temporaires(final):
        shutil.rmtree(chemin, ignore_errors=True)
        n += 1
    if n:
        logger.info("%d dossier(s) temporaire(s) d'un calcul interrompu supprimé(s)", n)
    return n


def _fichiers(dossier: Path) -> list[Path]:
    """The files a manifest lists: the folder's top-level regular files, not hidden."""
    return sorted(
        p
        for p in dossier.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.name != MANIFESTE
    )


def sceller(dossier: str | Path, *, commande: str) -> dict[str, Any]:
    """Write the manifest of ``dossier``: a new run id, and every file's size and sha256.

    Returns
    -------
    dict
        The manifest written.
    """
    dossier = Path(dossier)
    manifeste: dict[str, Any] = {
        "format": FORMAT_MANIFESTE,
        "version": 1,
        "execution": uuid.uuid4().hex,
        "commande": commande,
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "fichiers": {
            p.name: {"taille": p.stat().st_size, "sha256": empreinte_fichier(p)}
            for p in _fichiers(dossier)
        },
    }
    texte = json.dumps(manifeste, ensure_ascii=False, indent=2, allow_nan=False)
    chemin = dossier / MANIFESTE
    chemin.unlink(missing_ok=True)  # never write through a hard link to a previous result
    chemin.write_text(texte + "\n", encoding="utf-8")
    return manifeste


def lire_manifeste(dossier: str | Path) -> dict[str, Any] | None:
    """The manifest of a result folder, ``None`` when it has none.

    Raises
    ------
    DonneesInvalides
        The manifest is unreadable.
    """
    chemin = Path(dossier) / MANIFESTE
    if not chemin.is_file():
        return None
    try:
        manifeste = json.loads(chemin.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DonneesInvalides(
            f"Manifeste illisible dans {dossier} ({exc}) : le dossier est endommagé ; "
            "relancez la commande qui l'a produit."
        ) from exc
    if not isinstance(manifeste, dict) or manifeste.get("format") != FORMAT_MANIFESTE:
        raise DonneesInvalides(
            f"{chemin} n'est pas un manifeste d'accessibilite : relancez la commande qui a "
            "produit le dossier."
        )
    return manifeste


def verifier_dossier(dossier: str | Path, *, empreintes: bool = True) -> dict[str, Any] | None:
    """Check that a result folder is whole and from one run (its files match its manifest).

    A folder without a manifest (written by the Python API, or by an older version) is
    accepted as it is (``None``).

    Parameters
    ----------
    dossier
        The folder.
    empreintes
        Also compare the files' sha256 (else sizes only).

    Raises
    ------
    DonneesInvalides
        A file of the manifest is missing, or its size or content changed since the run.
    """
    dossier = Path(dossier)
    manifeste = lire_manifeste(dossier)
    if manifeste is None:
        return None
    manquants, changes = [], []
    for nom, fiche in dict(manifeste.get("fichiers", {})).items():
        chemin = dossier / nom
        if not chemin.is_file():
            manquants.append(nom)
        elif chemin.stat().st_size != fiche.get("taille") or (
            empreintes and empreinte_fichier(chemin) != fiche.get("sha256")
        ):
            changes.append(nom)
    if manquants or changes:
        details = []
        if manquants:
            details.append("absents : " + ", ".join(manquants))
        if changes:
            details.append("modifiés depuis le calcul : " + ", ".join(changes))
        raise DonneesInvalides(
            f"Le dossier {dossier} n'est plus celui qu'a écrit « accessibilite "
            f"{manifeste.get('commande', '?')} » le {manifeste.get('date', '?')} "
            f"({' ; '.join(details)}) : relancez la commande pour le réécrire en entier."
        )
    inattendus = [p.name for p in _fichiers(dossier) if p.name not in manifeste["fichiers"]]
    if inattendus:
        logger.warning(
            "Fichiers ajoutés à %s après le calcul (ignorés) : %s", dossier, ", ".join(inattendus)
        )
    return manifeste


def _echanger(temporaire: Path, final: Path) -> None:
    """Put ``temporaire`` in the place of ``final`` (which may exist) in one step."""
    if not final.exists():
        os.rename(temporaire, final)
        return
    if _echange_atomique(temporaire, final):
        shutil.rmtree(temporaire, ignore_errors=True)  # now the previous result
        return
    ancien = final.parent / f".{final.name}.ancien-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    os.rename(final, ancien)
    os.rename(temporaire, final)  # killed between the two: the next run puts ancien back
    shutil.rmtree(ancien, ignore_errors=True)


def _echange_atomique(a: Path, b: Path) -> bool:
    """Swap two folders with Linux's ``renameat2(RENAME_EXCHANGE)``; False if unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    retour = renameat2(
        at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), ctypes.c_uint(rename_exchange)
    )
    return bool(retour == 0)


def _copier_liens(source: Path, cible: Path) -> None:
    """Copy a folder with hard links (no data copied; a rewritten file replaces its link)."""

    def lier(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:  # a file system without hard links
            shutil.copy2(src, dst)

    shutil.copytree(source, cible, copy_function=lier)


@contextlib.contextmanager
def dossier_resultat(
    final: str | Path,
    *,
    commande: str,
    ecraser: bool = False,
    completer: bool = False,
) -> Iterator[Path]:
    """Write a result folder as one unit; yield the temporary folder to write into.

    Parameters
    ----------
    final
        The result folder.
    commande
        The command writing it (recorded in the manifest and in the lock).
    ecraser
        Replace an existing non-empty folder (the previous result stays whole until the new
        one is complete). Without it such a folder is an error.
    completer
        Start from the existing folder's files (hard links) and add to them (``carte``
        writing maps into a results folder); the folder must be whole (its manifest).

    Raises
    ------
    ErreurEcriture
        Another run holds the folder, the folder exists and ``ecraser`` is not set, or the
        folder cannot be written.
    """
    final = Path(final)
    parent = preparer_dossier(final.parent)
    with verrou_de(final, commande=commande):
        nettoyer_temporaires(final)
        if final.exists() and not final.is_dir():
            raise ErreurEcriture(
                f"{final} est un fichier, pas un dossier : choisissez un dossier de sortie "
                "(--sortie)."
            )
        plein = final.is_dir() and any(final.iterdir())
        if plein and not (ecraser or completer):
            raise ErreurEcriture(
                f"Le dossier {final} existe déjà et n'est pas vide : ajoutez --ecraser pour le "
                "remplacer (l'ancien résultat reste en place jusqu'à ce que le nouveau soit "
                "complet), ou choisissez un autre dossier (--sortie)."
            )
        temporaire = parent / f".{final.name}.partiel-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            if completer and plein:
                verifier_dossier(final)
                _copier_liens(final, temporaire)
            else:
                temporaire.mkdir()
            yield temporaire
            sceller(temporaire, commande=commande)
            _echanger(temporaire, final)
        except BaseException:
            shutil.rmtree(temporaire, ignore_errors=True)
            raise
