"""The project's errors (defined in :mod:`reseau.erreurs`, the lowest layer)."""

from reseau.erreurs import (
    CacheCorrompu,
    DonneesInvalides,
    DonneesManquantes,
    ErreurAccessibilite,
    ErreurEcriture,
    ErreurReseau,
    ErreurTelechargement,
    SansCRS,
)

__all__ = [
    "CacheCorrompu",
    "DonneesInvalides",
    "DonneesManquantes",
    "ErreurAccessibilite",
    "ErreurEcriture",
    "ErreurReseau",
    "ErreurTelechargement",
    "SansCRS",
]
