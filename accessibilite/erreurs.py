"""The project's errors (defined in :mod:`reseau.erreurs`, the lowest layer)."""

from reseau.erreurs import (
    CacheCorrompu,
    DependanceManquante,
    DonneesInvalides,
    DonneesManquantes,
    ErreurAccessibilite,
    ErreurDistribuee,
    ErreurEcriture,
    ErreurReseau,
    ErreurTelechargement,
    SansCRS,
)

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
