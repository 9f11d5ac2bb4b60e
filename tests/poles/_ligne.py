"""Hand-made communes for the indicator, scenario and placement tests.

Communes on a line (x in km, y = 0) in a fake département, plus neighbours of the buffer;
with the straight-line source a = 0, b = 1, minutes = kilometres.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely.geometry import Point, box

from accessibilite import SourceVolOiseau

#: minutes = kilometres
MINUTES_EGALES_KM = SourceVolOiseau(a_min=0.0, b_min_par_km=1.0)


def communes_ligne(
    positions_km: dict[str, float],
    populations: dict[str, int],
    epci: dict[str, str],
    hors: frozenset[str] | set[str] = frozenset(),
    y_km: dict[str, float] | None = None,
) -> gpd.GeoDataFrame:
    """Communes at the given positions (buffer communes listed in ``hors``)."""
    codes = list(positions_km)
    x = np.array([positions_km[c] * 1000.0 for c in codes])
    y = np.array([(y_km or {}).get(c, 0.0) * 1000.0 for c in codes])
    return gpd.GeoDataFrame(
        {
            "code": codes,
            "nom": [f"Commune {c}" for c in codes],
            "population": [populations[c] for c in codes],
            "epci_code": [epci[c] for c in codes],
            "epci_nom": [epci[c].upper() for c in codes],
            "departement": ["80" if c in hors else "62" for c in codes],
            "hors_departement": [c in hors for c in codes],
            "centre": gpd.GeoSeries(
                [Point(a, b) for a, b in zip(x, y, strict=True)], crs="EPSG:2154"
            ),
            "centre_source": "mairie",
        },
        geometry=[box(a - 400, b - 400, a + 400, b + 400) for a, b in zip(x, y, strict=True)],
        crs="EPSG:2154",
    )
