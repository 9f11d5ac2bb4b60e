"""Places between which travel times are computed, and how they join a road graph.

* :class:`Lieux`: identified points in a metric CRS (commune centres, poles, equipments);
* :func:`placer`: the one seam from places to graph nodes, used by every caller (the
  road-graph source, the distributed matrix, the isochrones): reproject to the graph's CRS,
  snap with :func:`reseau.accrocher`, list the places off the network, and apply one policy
  to them (a clear error when too many are off, the codes logged otherwise).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from socle.erreurs import DonneesInvalides, SansCRS
from socle.territoire import CRS_LAMBERT93

if TYPE_CHECKING:
    from reseau.graphe import Graphe

__all__ = ["Lieux", "Placement", "en_lieux", "placer"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Lieux:
    """A set of identified points in a metric CRS (commune centres, poles, equipments).

    Attributes
    ----------
    codes
        Identifier of each point (str; a commune code for communes).
    x, y
        Coordinates in ``crs`` (metres).
    crs
        A metric CRS (``"EPSG:2154"`` for France).
    """

    codes: NDArray[Any]
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    crs: str = CRS_LAMBERT93

    def __post_init__(self) -> None:
        if not (len(self.codes) == len(self.x) == len(self.y)):
            raise DonneesInvalides("Lieux : codes, x et y doivent avoir la même longueur.")
        from socle.territoire import verifier_crs_metrique

        # distances and the snapping limit are in metres: degrees would be silently wrong
        verifier_crs_metrique(self.crs, quoi="Le CRS des lieux")
        infinis = np.isinf(np.asarray(self.x, dtype=np.float64)) | np.isinf(
            np.asarray(self.y, dtype=np.float64)
        )
        if infinis.any():
            premier = int(np.flatnonzero(infinis)[0])
            raise DonneesInvalides(
                f"Lieux : {int(infinis.sum())} lieu(x) aux coordonnées infinies (premier : "
                f"{self.codes[premier]}) ; une position inconnue s'écrit NaN."
            )

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def depuis_points(
        cls,
        points: Any,
        *,
        colonne_code: str = "code",
        geometrie: str | None = None,
        crs: str = CRS_LAMBERT93,
    ) -> Lieux:
        """Build from a GeoDataFrame of points (reprojected to ``crs``).

        Parameters
        ----------
        points
            A GeoDataFrame with a CRS and a column ``colonne_code``.
        colonne_code
            Column holding the identifiers (read as str).
        geometrie
            Name of the point column to use (default: the active geometry); for communes,
            ``"centre"``.
        crs
            Target metric CRS.
        """
        import geopandas as gpd

        serie = points.geometry if geometrie is None else points[geometrie]
        serie = gpd.GeoSeries(serie)
        if serie.crs is None:
            raise SansCRS(
                "La couche de points n'a pas de système de coordonnées (CRS) : "
                "définissez-le (par exemple gdf.set_crs('EPSG:4326'))."
            )
        if colonne_code not in points.columns:
            raise DonneesInvalides(
                f"Colonne « {colonne_code} » absente de la couche de points "
                f"(colonnes : {', '.join(map(str, points.columns))})."
            )
        serie = serie.to_crs(crs)
        if len(serie) and not (serie.geom_type == "Point").all():
            serie = serie.representative_point()
        return cls(
            codes=points[colonne_code].astype(str).to_numpy(dtype=object),
            x=serie.x.to_numpy(dtype=np.float64),
            y=serie.y.to_numpy(dtype=np.float64),
            crs=crs,
        )

    def vers_crs(self, crs: str) -> Lieux:
        """The same places with coordinates in ``crs`` (itself when already there)."""
        if crs == self.crs:
            return self
        from pyproj import Transformer

        x, y = Transformer.from_crs(self.crs, crs, always_xy=True).transform(self.x, self.y)
        return Lieux(
            codes=self.codes,
            x=np.asarray(x, dtype=np.float64),
            y=np.asarray(y, dtype=np.float64),
            crs=crs,
        )

    def sous_ensemble(self, masque_ou_indices: NDArray[Any]) -> Lieux:
        """Return the places selected by a boolean mask or an index array."""
        return Lieux(
            codes=self.codes[masque_ou_indices],
            x=self.x[masque_ou_indices],
            y=self.y[masque_ou_indices],
            crs=self.crs,
        )


def en_lieux(lieux: Any, *, colonne_id: str | None = None, crs: str | None = None) -> Lieux:
    """Places from what a notebook holds: :class:`Lieux`, or a GeoDataFrame (or GeoSeries)
    of points or polygons in any CRS.

    Parameters
    ----------
    lieux
        :class:`Lieux` (returned as they are), or a GeoDataFrame/GeoSeries with a CRS;
        a polygon stands for a point inside it (``representative_point``).
    colonne_id
        Column holding the identifiers (default: ``code`` when present, else the index).
    crs
        Metric CRS of the places (default: the layer's own when it is projected, else
        Lambert-93 in France, else the local UTM zone).

    Raises
    ------
    SansCRS
        The layer has no CRS.
    DonneesInvalides
        Unknown column, duplicated identifiers, or not a GeoDataFrame.
    """
    if isinstance(lieux, Lieux):
        return lieux if crs is None else lieux.vers_crs(crs)
    import geopandas as gpd

    if isinstance(lieux, gpd.GeoSeries):
        lieux = gpd.GeoDataFrame(geometry=lieux)
    if not isinstance(lieux, gpd.GeoDataFrame):
        raise DonneesInvalides(
            f"Lieux attendus : un GeoDataFrame (points ou polygones) ou des Lieux, reçu "
            f"{type(lieux).__name__}."
        )
    if lieux.crs is None:
        raise SansCRS(
            "La couche n'a pas de système de coordonnées (CRS) : définissez-le, par exemple "
            "gdf.set_crs('EPSG:4326')."
        )
    if colonne_id is None:
        colonne_id = "code" if "code" in lieux.columns else None
    table = lieux.copy()
    if colonne_id is None:
        table["_id"] = [str(i) for i in table.index]
        colonne_id = "_id"
    elif colonne_id not in table.columns:
        raise DonneesInvalides(
            f"Colonne d'identifiants « {colonne_id} » absente (colonnes : "
            f"{', '.join(map(str, lieux.columns))})."
        )
    ids = table[colonne_id].astype(str)
    if ids.duplicated().any():
        doublons = sorted(set(ids[ids.duplicated()]))[:5]
        raise DonneesInvalides(
            f"Identifiants en double dans « {colonne_id} » ({', '.join(doublons)}) : chaque "
            "lieu doit avoir le sien (colonne_id=...)."
        )
    if crs is None:
        if lieux.crs.is_projected:
            crs = lieux.crs.to_string()
        else:
            from socle.territoire import crs_metrique

            centre = lieux.geometry.union_all().centroid
            crs = crs_metrique(float(centre.x), float(centre.y))
    return Lieux.depuis_points(table, colonne_code=colonne_id, crs=crs)


@dataclass(frozen=True, eq=False)
class Placement:
    """Where each place joins a graph (see :func:`placer`).

    Attributes
    ----------
    lieux
        The places, in the graph's CRS.
    noeud
        Node index of each place (int64); ``-1`` off the network.
    temps_s
        Connector time from the place to its node (seconds, float64); ``inf`` off the
        network.
    hors_reseau
        Mask of the places off the network.
    """

    lieux: Lieux
    noeud: NDArray[np.int64]
    temps_s: NDArray[np.float64]
    hors_reseau: NDArray[np.bool_]

    @property
    def sur_reseau(self) -> NDArray[np.int64]:
        """Indices of the places on the network."""
        return np.flatnonzero(~self.hors_reseau)

    @property
    def n_hors_reseau(self) -> int:
        """Number of places off the network."""
        return int(self.hors_reseau.sum())

    def codes_hors_reseau(self) -> list[str]:
        """Codes of the places off the network, in input order."""
        return [str(c) for c in np.asarray(self.lieux.codes)[self.hors_reseau]]


def placer(
    graphe: Graphe,
    lieux: Lieux,
    *,
    distance_max_m: float | None = None,
    role: str = "lieux",
    part_max_hors_reseau: float | None = None,
    au_moins_un: bool = False,
) -> Placement:
    """Place ``lieux`` on ``graphe``: reproject, snap to the nearest node, list the off ones.

    A place farther than ``distance_max_m`` from every node is off the network: it gets no
    node and an infinite time; its code is logged, never silently snapped to a far road.

    Parameters
    ----------
    graphe
        A graph with node coordinates and a CRS.
    lieux
        The places, in any CRS (reprojected to the graph's): :class:`Lieux` or a
        GeoDataFrame of points or polygons (see :func:`en_lieux`).
    distance_max_m
        Snapping limit in metres (default :data:`reseau.accrochage.DISTANCE_MAX_M`, 2 km).
    role
        What the places are (``"origines"``, ``"cibles"``, ``"points"``), for messages.
    part_max_hors_reseau
        When more than this share of the places (and more than 10 of them) are off the
        network, the network does not cover the area: raise instead of listing them.
    au_moins_un
        Raise when no place at all is on the network.

    Raises
    ------
    DonneesInvalides
        The graph has no coordinates or CRS, its CRS is not projected in metres (the
        snapping limit would count degrees), or the policy above is broken.
    """
    from reseau.accrochage import DISTANCE_MAX_M, accrocher
    from socle.territoire import verifier_crs_metrique

    lieux = en_lieux(lieux)
    if graphe.x is None or graphe.y is None or graphe.crs is None:
        raise DonneesInvalides(
            "Le réseau n'a pas de coordonnées de nœuds ou de CRS : impossible d'y placer des "
            "lieux (donnez des indices de nœuds)."
        )
    verifier_crs_metrique(
        graphe.crs,
        quoi="Le CRS du réseau",
        conseil="reconstruisez le réseau sans --crs (Lambert-93 en France) ou avec un CRS "
        "projeté en mètres",
    )
    projetes = lieux.vers_crs(str(graphe.crs))
    limite = DISTANCE_MAX_M if distance_max_m is None else float(distance_max_m)
    acc = accrocher(graphe, projetes.x, projetes.y, distance_max_m=limite)
    placement = Placement(
        lieux=projetes, noeud=acc.noeud, temps_s=acc.temps_s, hors_reseau=acc.hors_reseau
    )
    n_hors = placement.n_hors_reseau
    if n_hors == 0:
        return placement
    if part_max_hors_reseau is not None and n_hors > max(part_max_hors_reseau * len(lieux), 10):
        raise DonneesInvalides(
            f"{n_hors} {role} sur {len(lieux)} sont à plus de {limite:.0f} m de toute route du "
            "réseau : le réseau ne couvre pas la zone étudiée. Construisez-le sur le "
            "département avec son tampon (accessibilite reseau construire --departement ...)."
        )
    if au_moins_un and n_hors == len(lieux):
        raise DonneesInvalides(
            f"Aucun des {len(lieux)} {role} n'est sur le réseau (tous à plus de {limite:.0f} m "
            "d'une route) : vérifiez l'emprise du réseau et le système de coordonnées des "
            "lieux."
        )
    codes = placement.codes_hors_reseau()
    logger.info(  # reseau.accrocher has warned with the count
        "%d %s hors du réseau, sans temps : %s%s",
        n_hors,
        role,
        ", ".join(codes[:20]),
        " …" if len(codes) > 20 else "",
    )
    return placement
