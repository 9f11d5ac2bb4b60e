"""Places between which travel times are computed: :class:`Lieux`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from reseau.erreurs import DonneesInvalides, SansCRS

__all__ = ["CRS_METRIQUE", "Lieux"]

#: Metric CRS of all work on France (Lambert-93).
CRS_METRIQUE = "EPSG:2154"


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
    crs: str = CRS_METRIQUE

    def __post_init__(self) -> None:
        if not (len(self.codes) == len(self.x) == len(self.y)):
            raise DonneesInvalides("Lieux : codes, x et y doivent avoir la même longueur.")

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def depuis_points(
        cls,
        points: Any,
        *,
        colonne_code: str = "code",
        geometrie: str | None = None,
        crs: str = CRS_METRIQUE,
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
