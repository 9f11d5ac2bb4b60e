"""Isochrones from points, nodes or all the poles of a level, with any travel-time source.

* On the road graph: one multi-source search with the compute core
  (:func:`accessibilite.plus_proche`, cut off at the largest band), then the reached road
  is turned into polygons (:mod:`isochrones.geometrie`).
* With the straight-line source: the honest disc, radius (t − a) / b kilometres; it is an
  estimate, labelled as such.
* With an imported matrix: no geometry exists between communes; only catchments
  (:func:`isochrones.bassins`) can be drawn.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray

from accessibilite.noyau.lieux import Lieux, en_lieux, placer
from accessibilite.noyau.sources import SourceTemps, SourceVolOiseau
from isochrones.geometrie import ParametresGeometrie, Segments, polygones_bandes
from reseau.graphe import Graphe
from socle.erreurs import DonneesInvalides, SansCRS

__all__ = [
    "TOUTES_SOURCES",
    "en_anneaux",
    "isochrones_noeuds",
    "isochrones_points",
    "isochrones_source",
    "isochrones_vol_oiseau",
    "lire_points",
]

logger = logging.getLogger(__name__)

Sens = Literal["depuis", "vers"]

#: Value of ``source`` for an isochrone drawn around all the sources at once.
TOUTES_SOURCES = "toutes"


def _seuils_s(seuils_min: ArrayLike) -> list[float]:
    valeurs = [float(v) for v in np.atleast_1d(np.asarray(seuils_min, dtype=np.float64))]
    if not valeurs or any(not np.isfinite(v) or v <= 0 for v in valeurs):
        raise DonneesInvalides(
            "Les temps des isochrones doivent être des minutes positives (ex. 10,20,30)."
        )
    return sorted(set(v * 60.0 for v in valeurs))


def _segments(graphe: Graphe, temps: NDArray[np.float64], sens: Sens) -> Segments:
    if graphe.x is None or graphe.y is None:
        raise DonneesInvalides("Le graphe n'a pas de coordonnées : isochrones impossibles.")
    queue = graphe.sources_arcs()
    tete = graphe.indices
    debut, fin = (queue, tete) if sens == "depuis" else (tete, queue)
    return Segments(
        x0=graphe.x[debut],
        y0=graphe.y[debut],
        x1=graphe.x[fin],
        y1=graphe.y[fin],
        temps_depart_s=temps[debut],
        duree_s=graphe.temps_s.astype(np.float64),
    )


def en_anneaux(bandes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Turn nested bands into rings: each band minus the previous one, per source (the
    lower bound ``de_min`` becomes the previous band's time, the area the ring's)."""
    morceaux = []
    for _, groupe in bandes.groupby("source", sort=False):
        groupe = groupe.sort_values("temps_min")
        precedent = shapely.MultiPolygon()
        geometries = []
        for geometrie in groupe.geometry:
            geometries.append(shapely.difference(geometrie, precedent))
            precedent = geometrie
        debuts = [0.0, *groupe["temps_min"].to_list()[:-1]]
        morceaux.append(groupe.assign(geometry=geometries, de_min=debuts))
    resultat = pd.concat(morceaux, ignore_index=True)
    return completer_bandes(gpd.GeoDataFrame(resultat, geometry="geometry", crs=bandes.crs))


#: Columns of an isochrone layer, in order (``docs/FORMATS.md``).
COLONNES_ISOCHRONES = ("source", "de_min", "a_min", "temps_min", "surface_km2")


def completer_bandes(bandes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give each band its bounds and area: ``de_min`` (0 for nested bands), ``a_min``
    (= ``temps_min``, the band's time) and ``surface_km2`` (in the layer's metric CRS)."""
    resultat = bandes.copy()
    if "de_min" not in resultat.columns:
        resultat["de_min"] = 0.0
    resultat["a_min"] = resultat["temps_min"].astype(float)
    resultat["surface_km2"] = np.round(resultat.geometry.area.to_numpy() / 1e6, 3)
    autres = [c for c in resultat.columns if c not in (*COLONNES_ISOCHRONES, "geometry")]
    return gpd.GeoDataFrame(
        resultat[[*COLONNES_ISOCHRONES, *autres, "geometry"]], geometry="geometry", crs=bandes.crs
    )


def isochrones_noeuds(
    graphe: Graphe,
    noeuds: ArrayLike,
    seuils_min: ArrayLike = (10, 20, 30),
    *,
    sens: Sens = "depuis",
    noms: ArrayLike | None = None,
    par_source: bool = False,
    anneaux: bool = False,
    temps_depart_s: ArrayLike | None = None,
    parametres: ParametresGeometrie | None = None,
) -> gpd.GeoDataFrame:
    """Isochrones around graph nodes, from one multi-source search.

    Parameters
    ----------
    graphe
        The road graph (node coordinates in a metric CRS).
    noeuds
        Node indices of the sources.
    seuils_min
        Band limits in minutes (default 10, 20, 30).
    sens
        ``depuis``: what can be reached from the sources; ``vers``: from where the
        sources can be reached (the time to a pole).
    noms
        Name of each source (default: its position).
    par_source
        ``False``: one polygon per band around all the sources together. ``True``: one
        per source and band, each node going to its nearest source (the area each source
        serves first within the band).
    anneaux
        Rings (band minus the previous one) instead of nested bands.
    temps_depart_s
        Time already spent at each source (the connector from a point to its node).
    parametres
        Width, grid step, hole and sliver thresholds.

    Returns
    -------
    geopandas.GeoDataFrame
        ``source`` (the source's id, or ``"toutes"``), ``de_min`` and ``a_min`` (the band's
        bounds in minutes), ``temps_min`` (= ``a_min``), ``surface_km2``, polygon, in the
        graph's CRS.
    """
    seuils = _seuils_s(seuils_min)
    sources = np.asarray(noeuds, dtype=np.int64).ravel()
    if sources.size == 0:
        raise DonneesInvalides(
            "Aucun point de départ pour les isochrones (ensemble de pôles vide ?)."
        )
    if sens not in ("depuis", "vers"):
        raise DonneesInvalides(f"Sens inconnu « {sens} » : depuis ou vers.")
    noms_sources = (
        np.arange(sources.size).astype(str)
        if noms is None
        else np.asarray(noms, dtype=object).ravel()
    )
    from accessibilite.noyau.routage import plus_proche  # numba: loaded when used

    temps, indice = plus_proche(
        graphe,
        sources,
        coupure_s=seuils[-1],
        inverse=(sens == "vers"),
        temps_depart_s=temps_depart_s,
    )
    segments = _segments(graphe, temps, sens)
    lignes: list[dict[str, Any]] = []
    if par_source:
        depart_arc = graphe.sources_arcs() if sens == "depuis" else graphe.indices
        source_arc = indice[depart_arc]
        for s in np.unique(indice[temps <= seuils[-1]]):
            masque = source_arc == s
            polygones = polygones_bandes(
                segments.selection(masque),
                seuils,
                parametres=parametres,
                points_atteints=_points(graphe, sources[s : s + 1], temps),
            )
            lignes += _lignes(polygones, seuils, str(noms_sources[s]))
    else:
        polygones = polygones_bandes(
            segments,
            seuils,
            parametres=parametres,
            points_atteints=_points(graphe, np.unique(sources), temps),
        )
        lignes += _lignes(polygones, seuils, TOUTES_SOURCES)
    resultat = gpd.GeoDataFrame(lignes, geometry="geometry", crs=graphe.crs)
    return en_anneaux(resultat) if anneaux else completer_bandes(resultat)


def _points(
    graphe: Graphe, noeuds: NDArray[np.int64], temps: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    x = np.asarray(graphe.x)
    y = np.asarray(graphe.y)
    return x[noeuds], y[noeuds], temps[noeuds]


def _lignes(polygones: list[Any], seuils: list[float], source: str) -> list[dict[str, Any]]:
    return [
        {"temps_min": s / 60.0, "source": source, "geometry": p}
        for s, p in zip(seuils, polygones, strict=True)
    ]


def isochrones_points(
    graphe: Graphe,
    lieux: Lieux | gpd.GeoDataFrame,
    seuils_min: ArrayLike = (10, 20, 30),
    *,
    distance_max_m: float | None = None,
    colonne_id: str | None = None,
    **options: Any,
) -> gpd.GeoDataFrame:
    """Isochrones around points (snapped to the graph, connector time included).

    ``lieux``: :class:`Lieux` or a GeoDataFrame of points or polygons in any CRS, its ids
    in ``colonne_id`` (default ``code``, else the index): they fill the ``source`` column.

    Points farther than ``distance_max_m`` from the network are reported (logged and
    listed in ``attrs["hors_reseau"]``) and skipped; the others are computed. All points
    off the network is an error.

    Other keyword arguments go to :func:`isochrones_noeuds`.
    """
    lieux = en_lieux(lieux, colonne_id=colonne_id)
    placement = placer(
        graphe, lieux, distance_max_m=distance_max_m, role="points", au_moins_un=True
    )
    garder = placement.sur_reseau
    resultat = isochrones_noeuds(
        graphe,
        placement.noeud[garder],
        seuils_min,
        noms=np.asarray(lieux.codes)[garder],
        temps_depart_s=placement.temps_s[garder],
        **options,
    )
    resultat.attrs["hors_reseau"] = placement.codes_hors_reseau()
    return resultat


def isochrones_vol_oiseau(
    lieux: Lieux | gpd.GeoDataFrame,
    seuils_min: ArrayLike = (10, 20, 30),
    *,
    source: SourceVolOiseau | None = None,
    par_source: bool = False,
    anneaux: bool = False,
    colonne_id: str | None = None,
) -> gpd.GeoDataFrame:
    """The straight-line isochrone: a disc of radius (t − a) / b km around each point.

    An estimate with no network (documented as such): below ``a`` minutes nothing is
    reachable. ``lieux``: :class:`Lieux` or a GeoDataFrame (see :func:`isochrones_points`).
    """
    lieux = en_lieux(lieux, colonne_id=colonne_id)
    source = source or SourceVolOiseau()
    seuils = _seuils_s(seuils_min)
    if len(lieux) == 0:
        raise DonneesInvalides("Aucun point de départ pour les isochrones.")
    points = shapely.points(lieux.x, lieux.y)
    lignes: list[dict[str, Any]] = []
    groupes = (
        [(str(c), np.array([i])) for i, c in enumerate(lieux.codes)]
        if par_source
        else [(TOUTES_SOURCES, np.arange(len(lieux)))]
    )
    for nom, indices in groupes:
        for s in seuils:
            rayon_km = (s / 60.0 - source.a_min) / source.b_min_par_km
            geometrie = (
                shapely.union_all(shapely.buffer(points[indices], rayon_km * 1000.0))
                if rayon_km > 0
                else shapely.MultiPolygon()
            )
            lignes.append({"temps_min": s / 60.0, "source": nom, "geometry": geometrie})
    resultat = gpd.GeoDataFrame(lignes, geometry="geometry", crs=lieux.crs)
    return en_anneaux(resultat) if anneaux else completer_bandes(resultat)


def lire_points(chemin: str | Path) -> gpd.GeoDataFrame:
    """Read a point layer (GeoPackage, GeoJSON, shapefile) that has a CRS.

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    SansCRS
        The layer has no CRS.
    DonneesInvalides
        Unreadable, empty, not made of points, or points without a valid position (no
        geometry, empty, non-finite coordinates, outside the longitude and latitude ranges
        of a geographic CRS).
    """
    from socle.fichiers import lire_couche

    chemin = Path(chemin)
    points: gpd.GeoDataFrame = lire_couche(chemin, quoi="Couche de points")
    if points.crs is None:
        raise SansCRS(
            f"La couche {chemin.name} n'a pas de système de coordonnées : définissez-le "
            "(par exemple dans QGIS, ou gdf.set_crs('EPSG:4326'))."
        )
    absentes = points.geometry.isna().to_numpy()
    if not points.geom_type[~absentes].isin(["Point"]).all():
        raise DonneesInvalides(
            f"La couche {chemin.name} doit contenir des points (trouvé "
            f"{', '.join(sorted(set(points.geom_type.dropna())))})."
        )
    _verifier_coordonnees(points, absentes, chemin.name)
    return points


def _verifier_coordonnees(points: gpd.GeoDataFrame, absentes: NDArray[np.bool_], nom: str) -> None:
    """Refuse points without a location, with non-finite coordinates, or, in a geographic
    CRS, outside the longitude and latitude ranges (count and first one in the message)."""
    vides = absentes.copy()
    vides[~absentes] = points.geometry[~absentes].is_empty.to_numpy()
    x = np.full(len(points), np.nan)
    y = np.full(len(points), np.nan)
    pleins = ~vides
    x[pleins] = shapely.get_x(points.geometry[pleins].to_numpy())
    y[pleins] = shapely.get_y(points.geometry[pleins].to_numpy())
    with np.errstate(invalid="ignore"):
        finis = np.isfinite(x) & np.isfinite(y)
        if points.crs is not None and points.crs.is_geographic:
            finis &= (np.abs(x) <= 180.0) & (np.abs(y) <= 90.0)
    mauvais = vides | ~finis
    if mauvais.any():
        i = int(np.flatnonzero(mauvais)[0])
        raison = (
            "sans géométrie"
            if absentes[i]
            else "point vide"
            if vides[i]
            else f"coordonnées ({x[i]:g}, {y[i]:g}) non finies ou hors des bornes du CRS"
        )
        n = int(mauvais.sum())
        raise DonneesInvalides(
            f"La couche {nom} : {n} point{'s' if n > 1 else ''} sans position valide ; "
            f"premier : entité n° {i + 1} ({raison}). Corrigez ou retirez ces points."
        )


def isochrones_source(
    source: SourceTemps,
    lieux: Lieux | gpd.GeoDataFrame,
    seuils_min: ArrayLike = (10, 20, 30),
    **options: Any,
) -> gpd.GeoDataFrame:
    """Isochrones with any travel-time source (road graph, straight line).

    Raises
    ------
    DonneesInvalides
        With a matrix source: a commune × commune matrix has no geometry between
        communes; draw the catchments instead (``accessibilite bassins``).
    """
    if isinstance(source, SourceVolOiseau):
        return isochrones_vol_oiseau(lieux, seuils_min, source=source, **options)
    graphe = getattr(source, "graphe", None)
    if isinstance(graphe, Graphe):
        return isochrones_points(graphe, lieux, seuils_min, **options)
    raise DonneesInvalides(
        f"Isochrones impossibles avec la source « {source.nom} » : une matrice commune × "
        "commune ne dit rien entre les communes. Seuls les bassins sont disponibles "
        "(accessibilite bassins) ; pour des isochrones, utilisez --reseau ou vol-oiseau."
    )
