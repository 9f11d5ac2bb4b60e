"""Service catchments (bassins de services): communes grouped by their nearest pole."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from socle.erreurs import DonneesInvalides

__all__ = ["HORS_BASSIN", "bassins"]

#: Value of ``pole`` for the communes beyond the level's threshold (the zones grises).
HORS_BASSIN = "hors bassin"


def bassins(communes: gpd.GeoDataFrame, niveau: str) -> gpd.GeoDataFrame:
    """Dissolve the communes into one catchment per pole of a level.

    Works with every travel-time source: it only reads the zones-grises classification
    (``pole_<niveau>``, ``pole_<niveau>_nom``, ``temps_<niveau>_min``,
    ``zone_grise_<niveau>``; see ``docs/FORMATS.md``).

    Parameters
    ----------
    communes
        The ``communes`` layer of a zones-grises result (polygons, metric CRS).
    niveau
        ``proximite``, ``intermediaire`` or ``superieur``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per pole: ``pole`` (code), ``pole_nom``, ``communes`` (count),
        ``population``, ``temps_moyen_min`` (population-weighted), ``temps_max_min``,
        ``hors_bassin`` (False), polygon; plus one row ``pole == "hors bassin"``
        (``hors_bassin`` True) gathering the communes in zone grise, when there are any.
    """
    colonnes = [
        f"pole_{niveau}",
        f"pole_{niveau}_nom",
        f"temps_{niveau}_min",
        f"zone_grise_{niveau}",
    ]
    manquantes = [c for c in colonnes if c not in communes.columns]
    if manquantes:
        raise DonneesInvalides(
            f"Couche des communes sans les colonnes {', '.join(manquantes)} : donnez le "
            f"résultat de « zones-grises » calculé pour le niveau {niveau}."
        )
    if communes.crs is None:
        from socle.erreurs import SansCRS

        raise SansCRS("La couche des communes n'a pas de CRS.")
    table = communes.copy()
    hors = table[f"zone_grise_{niveau}"].astype(bool).to_numpy()
    table["pole"] = np.where(hors, HORS_BASSIN, table[f"pole_{niveau}"].astype(str))
    table["pole_nom"] = np.where(hors, "Hors bassin (zone grise)", table[f"pole_{niveau}_nom"])
    temps = table[f"temps_{niveau}_min"].astype(float)
    table["_pondere"] = temps * table["population"]
    groupes = table.dissolve(
        by=["pole", "pole_nom"],
        aggfunc={
            "code": "count",
            "population": "sum",
            "_pondere": "sum",
            f"temps_{niveau}_min": "max",
        },
    ).reset_index()
    groupes = groupes.rename(columns={"code": "communes", f"temps_{niveau}_min": "temps_max_min"})
    with np.errstate(invalid="ignore", divide="ignore"):
        groupes["temps_moyen_min"] = np.round(
            groupes["_pondere"] / groupes["population"].replace(0, np.nan), 1
        )
    groupes["hors_bassin"] = groupes["pole"] == HORS_BASSIN
    groupes["niveau"] = niveau
    groupes = groupes.sort_values(["hors_bassin", "population"], ascending=[True, False])
    colonnes_sortie = [
        "niveau",
        "pole",
        "pole_nom",
        "communes",
        "population",
        "temps_moyen_min",
        "temps_max_min",
        "hors_bassin",
        "geometry",
    ]
    return gpd.GeoDataFrame(pd.DataFrame(groupes[colonnes_sortie]), crs=communes.crs)
