"""accessibilite: car travel times, service poles and SDAASP zones grises.

The compute core: travel-time sources and the routing kernels. The upper packages
(``poles``, ``isochrones``, ``cartes``) and the CLI are not imported here.
"""

from accessibilite.erreurs import (
    CacheCorrompu,
    DonneesInvalides,
    DonneesManquantes,
    ErreurAccessibilite,
    ErreurEcriture,
    ErreurReseau,
    ErreurTelechargement,
    SansCRS,
)
from accessibilite.lieux import CRS_METRIQUE, Lieux
from accessibilite.routage import (
    matrice_temps,
    matrice_temps_blocs,
    matrice_temps_longue,
    plus_proche,
)
from accessibilite.source_reseau import SourceReseau
from accessibilite.sources import (
    Ajustement,
    SourceMatrice,
    SourceTemps,
    SourceVolOiseau,
    ajuster_vol_oiseau,
    lire_matrice,
)

__version__ = "0.1.0"

__all__ = [
    "CRS_METRIQUE",
    "Ajustement",
    "CacheCorrompu",
    "DonneesInvalides",
    "DonneesManquantes",
    "ErreurAccessibilite",
    "ErreurEcriture",
    "ErreurReseau",
    "ErreurTelechargement",
    "Lieux",
    "SansCRS",
    "SourceMatrice",
    "SourceReseau",
    "SourceTemps",
    "SourceVolOiseau",
    "ajuster_vol_oiseau",
    "lire_matrice",
    "matrice_temps",
    "matrice_temps_blocs",
    "matrice_temps_longue",
    "plus_proche",
]
