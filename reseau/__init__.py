"""Road graph: OSM sources, speed model, compact CSR graph, snapping, cache."""

from reseau.erreurs import (
    CacheCorrompu,
    DonneesInvalides,
    DonneesManquantes,
    ErreurAccessibilite,
    ErreurReseau,
    SansCRS,
)
from reseau.graphe import Graphe

__all__ = [
    "CacheCorrompu",
    "DonneesInvalides",
    "DonneesManquantes",
    "ErreurAccessibilite",
    "ErreurReseau",
    "Graphe",
    "SansCRS",
]
