"""Service catchments (bassins de services): communes grouped by their nearest pole."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from socle.erreurs import DonneesInvalides

__all__ = ["HORS_BASSIN", "bassins", "bassins_par"]

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
    return bassins_par(
        communes,
        colonne_pole=f"pole_{niveau}",
        colonne_nom=f"pole_{niveau}_nom",
        colonne_temps=f"temps_{niveau}_min",
        colonne_hors=f"zone_grise_{niveau}",
        niveau=niveau,
        quoi=f"le résultat de « zones-grises » calculé pour le niveau {niveau}",
    )


def bassins_par(
    communes: gpd.GeoDataFrame,
    *,
    colonne_pole: str,
    colonne_nom: str,
    colonne_temps: str,
    colonne_hors: str,
    niveau: str,
    libelle_hors: str = "Hors bassin (zone grise)",
    colonne_population: str = "population",
    quoi: str = "une table par commune",
) -> gpd.GeoDataFrame:
    """Dissolve the communes by the place they are assigned to (a pole, a site).

    Parameters
    ----------
    communes
        Polygons (metric CRS) with the columns named below and ``code``.
    colonne_pole, colonne_nom
        Code and name of each commune's nearest pole or site.
    colonne_temps
        Time to it (minutes).
    colonne_hors
        True for the communes beyond the threshold or goal: they form the "hors bassin"
        class instead of joining their nearest pole.
    niveau
        Value of the ``niveau`` column of the result.
    libelle_hors
        ``pole_nom`` of the "hors bassin" class.
    colonne_population
        Population column summed and weighting the mean time.
    quoi
        What ``communes`` should be, for the error message.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`bassins`.
    """
    colonnes = [colonne_pole, colonne_nom, colonne_temps, colonne_hors, colonne_population]
    manquantes = [c for c in colonnes if c not in communes.columns]
    if manquantes:
        raise DonneesInvalides(
            f"Couche des communes sans les colonnes {', '.join(manquantes)} : donnez {quoi}."
        )
    if communes.crs is None:
        from socle.erreurs import SansCRS

        raise SansCRS("La couche des communes n'a pas de CRS.")
    table = gpd.GeoDataFrame(
        communes[["code", *colonnes]].rename(columns={colonne_population: "population"}),
        geometry=communes.geometry.values,
        crs=communes.crs,
    )
    hors = table[colonne_hors].astype(bool).to_numpy()
    table["pole"] = np.where(hors, HORS_BASSIN, table[colonne_pole].astype(str))
    table["pole_nom"] = np.where(hors, libelle_hors, table[colonne_nom])
    temps = table[colonne_temps].astype(float)
    table["_pondere"] = temps * table["population"]
    groupes = table.dissolve(
        by=["pole", "pole_nom"],
        aggfunc={
            "code": "count",
            "population": "sum",
            "_pondere": "sum",
            colonne_temps: "max",
        },
    ).reset_index()
    groupes = groupes.rename(columns={"code": "communes", colonne_temps: "temps_max_min"})
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
