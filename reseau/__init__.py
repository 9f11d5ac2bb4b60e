"""Road graph: OSM sources, speed model, compact CSR graph, snapping, cache.

The public API, importable from ``reseau``:

* :func:`construire_graphe` builds (or takes from the cache) the car graph of an area from
  a ``.osm.pbf``, an osmnx GraphML or an Overpass download; :func:`charger_graphe` and
  :func:`sauvegarder_graphe` read and write the memory-mappable ``.graphe`` file;
* :func:`accrocher` snaps points to the graph's nodes;
* :func:`graphe_en_gdf`, :func:`exporter_graphe`: the graph as GeoDataFrames and as a
  GeoPackage styled for QGIS (speed, its origin, road class);
* :func:`charger_vitesses`, :func:`lire_maxspeed`: the speed model;
* :func:`contour_departement`, :func:`lire_polygone`, :func:`crs_metrique`: the area;
* :class:`Graphe`, the compact CSR graph every layer exchanges.
"""

from reseau.accrochage import DISTANCE_MAX_M, VITESSE_CONNECTEUR_KMH, Accrochage, accrocher
from reseau.construction import VERSION_CONSTRUCTEUR, construire_graphe, graphe_depuis_osm
from reseau.description import decrire_graphe
from reseau.emprise import (
    code_departement,
    contour_departement,
    crs_metrique,
    lire_polygone,
    polygone_wgs84,
    tamponner,
)
from reseau.export import exporter_graphe, graphe_en_gdf
from reseau.graphe import Graphe
from reseau.stockage import charger_graphe, sauvegarder_graphe
from reseau.vitesses import (
    CLASSES,
    SOURCES_VITESSE,
    ModeleVitesses,
    charger_vitesses,
    lire_maxspeed,
)
from socle.erreurs import (
    CacheCorrompu,
    DonneesInvalides,
    DonneesManquantes,
    ErreurAccessibilite,
    ErreurReseau,
    SansCRS,
)

__all__ = [
    "CLASSES",
    "DISTANCE_MAX_M",
    "SOURCES_VITESSE",
    "VERSION_CONSTRUCTEUR",
    "VITESSE_CONNECTEUR_KMH",
    "Accrochage",
    "CacheCorrompu",
    "DonneesInvalides",
    "DonneesManquantes",
    "ErreurAccessibilite",
    "ErreurReseau",
    "Graphe",
    "ModeleVitesses",
    "SansCRS",
    "accrocher",
    "charger_graphe",
    "charger_vitesses",
    "code_departement",
    "construire_graphe",
    "contour_departement",
    "crs_metrique",
    "decrire_graphe",
    "exporter_graphe",
    "graphe_depuis_osm",
    "graphe_en_gdf",
    "lire_maxspeed",
    "lire_polygone",
    "polygone_wgs84",
    "sauvegarder_graphe",
    "tamponner",
]
