"""What the report modules share: the project's errors and French number formatting.

What the report takes from the foundations (``socle``: errors, result folders, progress)
is imported here once, so that the report's modules name it in one place.
Numbers follow French usage: decimal comma, a narrow no-break space between thousands
(U+202F) and a no-break space before a unit (U+00A0: ``12,5 min``, ``1,3 %``).
"""

from __future__ import annotations

import math
from typing import Any

from cartes._style import nombre_fr
from socle.dossiers import MANIFESTE, dossier_resultat, verifier_dossier
from socle.erreurs import (
    DependanceManquante,
    DonneesInvalides,
    DonneesManquantes,
    ErreurAccessibilite,
    ErreurEcriture,
)
from socle.progression import Progression, signaler

__all__ = [
    "ESPACE_FINE",
    "ESPACE_INSECABLE",
    "MANIFESTE",
    "TIRET",
    "DependanceManquante",
    "DonneesInvalides",
    "DonneesManquantes",
    "ErreurAccessibilite",
    "ErreurEcriture",
    "Progression",
    "decimal",
    "dossier_resultat",
    "entier",
    "est_vrai",
    "minutes",
    "pluriel",
    "pourcent",
    "signaler",
    "verifier_dossier",
]

#: Thousands separator (narrow no-break space).
ESPACE_FINE = "\u202f"
#: Space between a number and its unit (no-break space).
ESPACE_INSECABLE = "\u00a0"
#: Shown in a table cell that has no value.
TIRET = "—"


def _fini(valeur: Any) -> float | None:
    try:
        x = float(valeur)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def entier(valeur: Any) -> str:
    """``19708`` -> ``"19 708"`` (narrow no-break space); a dash when there is no value."""
    x = _fini(valeur)
    return TIRET if x is None else nombre_fr(round(x))


def decimal(valeur: Any, decimales: int = 1) -> str:
    """``2.02`` -> ``"2,02"`` with ``decimales=2``; a dash when there is no value."""
    x = _fini(valeur)
    return TIRET if x is None else nombre_fr(x, decimales)


def pourcent(part: Any, decimales: int = 1) -> str:
    """A share (0–1) as a percentage: ``0.0134`` -> ``"1,3 %"``."""
    x = _fini(part)
    return TIRET if x is None else f"{nombre_fr(100 * x, decimales)}{ESPACE_INSECABLE}%"


def minutes(valeur: Any, decimales: int = 1) -> str:
    """``12.5`` -> ``"12,5 min"``; a dash for no time (no pole reachable)."""
    x = _fini(valeur)
    return TIRET if x is None else f"{nombre_fr(x, decimales)}{ESPACE_INSECABLE}min"


def pluriel(n: Any, singulier: str, pluriel_: str | None = None) -> str:
    """``"19 708 habitants"``, ``"1 commune"`` (French: plural from 2)."""
    x = _fini(n) or 0.0
    mot = singulier if abs(x) < 2 else (pluriel_ or singulier + "s")
    return f"{entier(x)} {mot}"


def est_vrai(valeur: Any) -> bool:
    """A True/False cell read from a CSV (``True``, ``true``, ``1``, ``vrai``, ``oui``)."""
    if isinstance(valeur, bool):
        return valeur
    return str(valeur).strip().lower() in ("true", "1", "1.0", "vrai", "oui")
