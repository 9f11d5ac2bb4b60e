"""The one progress protocol of the project, and its terminal implementation.

Every long function takes ``progression: Progression | None = None`` and reports
``progression(etape, fait, total)``: the name of the step (in French, as a person reads
it), the work done so far and the total (``None`` while unknown). ``unite="o"`` says the
counts are bytes. The library never draws anything by itself; a caller passes
:class:`Barres` (one tqdm bar per step, on a terminal only), a notebook passes its own, a
test passes a list's ``append``.

A long step with nothing to count (a spreadsheet being parsed, the first compilation of
the kernels) is announced with :func:`annoncer`: one French line on the logger
:data:`JOURNAL_ETAPES`, which the command line shows as ``… texte`` (not with ``-q``).
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Protocol

__all__ = ["JOURNAL_ETAPES", "Barres", "Progression", "annoncer", "signaler"]

#: Name of the logger of the announced steps.
JOURNAL_ETAPES = "accessibilite.etapes"


def annoncer(texte: str) -> None:
    """Say, in French, what a step of more than a few seconds is waiting for.

    Logged at INFO on :data:`JOURNAL_ETAPES` with the record attribute ``etape``; the
    command line shows it by default as ``… texte``.
    """
    logging.getLogger(JOURNAL_ETAPES).info(texte, extra={"etape": True})


class Progression(Protocol):
    """A progress callback: ``progression(etape, fait, total, unite="")``."""

    def __call__(self, etape: str, fait: int, total: int | None, *, unite: str = "") -> None:
        """Report that ``fait`` units of ``total`` (``None``: unknown) of ``etape`` are done."""


def signaler(
    progression: Progression | None, etape: str, fait: int, total: int | None, *, unite: str = ""
) -> None:
    """Call ``progression`` when there is one."""
    if progression is not None:
        progression(etape, fait, total, unite=unite)


class Barres:
    """:class:`Progression` drawn as one tqdm bar per step on stderr, when it is a terminal.

    A step's bar closes when it is complete or when another step starts.

    Parameters
    ----------
    actif
        Draw the bars (default: when stderr is a terminal).
    """

    def __init__(self, *, actif: bool | None = None) -> None:
        self._actif = sys.stderr.isatty() if actif is None else actif
        self._etape: str | None = None
        self._barre: Any = None

    def __call__(self, etape: str, fait: int, total: int | None, *, unite: str = "") -> None:
        if not self._actif:
            return
        from tqdm import tqdm

        if etape != self._etape:
            self.fermer()
            self._etape = etape
            octets = unite == "o"
            self._barre = tqdm(
                desc=etape,
                total=total,
                unit="o" if octets else unite,
                unit_scale=octets,
                unit_divisor=1024 if octets else 1000,
                leave=False,
            )
        if total is not None and self._barre.total != total:
            self._barre.total = total
        self._barre.n = fait
        self._barre.refresh()
        if total is not None and fait >= total:
            self.fermer()

    def fermer(self) -> None:
        """Close the current bar."""
        if self._barre is not None:
            self._barre.close()
            self._barre = None
            self._etape = None

    def __enter__(self) -> Barres:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fermer()
