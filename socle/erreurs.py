"""The project's error hierarchy.

Every error raised on purpose by the project's packages derives from
:class:`ErreurAccessibilite` and, where it fits, from a builtin too (``ValueError``,
``FileNotFoundError``...), so that callers can catch either. Messages are in French and say
what to do: the CLI prints them as one line and exits with code 2. It lives in ``socle``,
the lowest floor: every other package may import it.
"""

from __future__ import annotations

__all__ = [
    "CacheCorrompu",
    "DependanceManquante",
    "DonneesInvalides",
    "DonneesManquantes",
    "ErreurAccessibilite",
    "ErreurDistribuee",
    "ErreurEcriture",
    "ErreurReseau",
    "ErreurTelechargement",
    "SansCRS",
]


class ErreurAccessibilite(Exception):
    """Base class of every error raised on purpose by the project."""


class DonneesInvalides(ValueError, ErreurAccessibilite):
    """An input has the wrong shape or values (missing column, unknown code, negative time)."""


class SansCRS(DonneesInvalides):
    """A geographic layer has no coordinate reference system."""


class DonneesManquantes(FileNotFoundError, ErreurAccessibilite):
    """A file or dataset that is needed cannot be found."""


class DependanceManquante(ImportError, ErreurAccessibilite):
    """An optional dependency is not installed (the message gives the pip command)."""


class ErreurEcriture(OSError, ErreurAccessibilite):
    """An output cannot be written (folder not writable, disk full)."""


class ErreurDistribuee(OSError, ErreurAccessibilite):
    """A Dask cluster cannot be reached, or a distributed task failed for good."""


class ErreurReseau(DonneesInvalides):
    """The road network cannot be built or used (no road in the area, corrupt PBF)."""


class CacheCorrompu(DonneesInvalides):
    """A cached file is unreadable or does not match its key."""


class ErreurTelechargement(OSError, ErreurAccessibilite):
    """A download failed (offline, HTTP error, checksum mismatch)."""
