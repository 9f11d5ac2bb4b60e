"""The times an analysis uses: a source with its calibration, the internal time, the band.

* :func:`distances_internes`: the mean distance of each commune's inhabitants to its centre,
  from its surface (an even disc) or from a population grid;
* :func:`densites`: inhabitants per km² of each commune;
* :func:`preparer_temps`: the source an analysis runs on (a calibration's coefficients
  applied, the internal time added when asked) and the error band of its times.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from accessibilite.noyau.calibration import Calibration, classes_densite, lire_calibration
from accessibilite.noyau.incertitude import Bande, bande_defaut
from accessibilite.noyau.sources import SourceTemps, SourceVolOiseau
from accessibilite.noyau.temps_interne import (
    ModeleTempsInterne,
    SourceAvecTempsInterne,
    distance_moyenne_disque_km,
)
from socle.erreurs import DonneesInvalides

__all__ = [
    "BRUIT_S",
    "INCERTITUDES",
    "TempsPrepare",
    "densites",
    "distances_internes",
    "lire_grille_population",
    "minutes_affichees",
    "preparer_temps",
    "source_brute",
]

logger = logging.getLogger(__name__)

#: ``--incertitude``: the calibration's band or the source's default (``defaut``), or none.
INCERTITUDES = ("defaut", "aucune")

#: Noise of a computed time (s): within it, :func:`minutes_affichees` takes a time as the
#: tenth of a minute it is close to.
BRUIT_S = 1e-3

_COLONNES_POPULATION = ("population", "ind", "pop", "men", "nb_ind", "individus")


def minutes_affichees(secondes: np.ndarray) -> np.ndarray:
    """Times in seconds as minutes to one decimal, rounded up (NaN when unreachable).

    Rounded up, so that a written time and the decision taken on the exact one agree at
    every threshold in tenths of a minute: 1 800.0 s shows ``30.0`` and is within 30 min,
    1 802.4 s shows ``30.1`` and is beyond (rounded to the nearest, it would show ``30.0``
    in zone grise). The bounds of a time's interval are written the same way, so that
    ``etat`` agrees with them too. Within :data:`BRUIT_S` of a tenth, a time is taken as
    that tenth (float32 sums along a road graph and reprojected points leave such noise):
    an exact 180 s computed as 180.00002 s shows ``3.0``.
    """
    s = np.asarray(secondes, dtype=np.float64)
    fini = np.isfinite(s)
    dixiemes = np.zeros_like(s)
    dixiemes[fini] = np.ceil((s[fini] - BRUIT_S) / 6.0)  # a tenth of a minute is 6 s
    return np.where(fini, np.maximum(dixiemes, 0.0) / 10.0, np.nan)


def densites(communes: gpd.GeoDataFrame) -> pd.Series:
    """Inhabitants per km² of each commune (by code); surfaces in the communes' metric CRS."""
    surface = communes.geometry.area.to_numpy(dtype=np.float64) / 1e6
    population = communes["population"].to_numpy(dtype=np.float64)
    valeurs = np.where(surface > 0, population / np.maximum(surface, 1e-9), 0.0)
    return pd.Series(valeurs, index=communes["code"].astype(str).to_numpy())


def lire_grille_population(chemin: str | Path) -> gpd.GeoDataFrame:
    """Read a population grid: points or squares with a population column.

    A GeoPackage, GeoJSON or Shapefile (INSEE's 200 m squares: column ``Ind``), or a CSV
    with ``x, y`` (EPSG:2154) or ``lon, lat`` (EPSG:4326) and a population column
    (``population``, ``ind``, ``pop``...).

    Raises
    ------
    DonneesManquantes, DonneesInvalides
        Missing or unreadable file, no population column, negative populations.
    """
    from accessibilite.noyau.import_matrice import lire_csv, nombres

    chemin = Path(chemin)
    if chemin.suffix.lower() in (".csv", ".txt"):
        brut, _, _ = lire_csv(chemin, quoi="Grille de population")
        colonnes = {c.lower(): c for c in brut.columns}
        if {"x", "y"} <= colonnes.keys():
            cx, cy, crs = colonnes["x"], colonnes["y"], "EPSG:2154"
        elif {"lon", "lat"} <= colonnes.keys():
            cx, cy, crs = colonnes["lon"], colonnes["lat"], "EPSG:4326"
        else:
            raise DonneesInvalides(
                f"Grille de population {chemin.name} : colonnes x, y (Lambert-93) ou lon, lat "
                "attendues."
            )
        x = nombres(brut[cx], chemin.name, cx, quoi="Grille de population")
        y = nombres(brut[cy], chemin.name, cy, quoi="Grille de population")
        grille = gpd.GeoDataFrame(brut, geometry=gpd.points_from_xy(x, y), crs=crs)
    else:
        from socle.fichiers import lire_couche

        grille = lire_couche(chemin, quoi="Grille de population")
        if grille.crs is None:
            raise DonneesInvalides(f"Grille de population {chemin.name} sans CRS.")
    colonnes = {str(c).lower(): c for c in grille.columns}
    nom = next((colonnes[c] for c in _COLONNES_POPULATION if c in colonnes), None)
    if nom is None:
        raise DonneesInvalides(
            f"Grille de population {chemin.name} : aucune colonne de population "
            f"({', '.join(_COLONNES_POPULATION)})."
        )
    from accessibilite.noyau.import_matrice import nombres as lire_nombres

    population = lire_nombres(
        grille[nom].astype(str), chemin.name, str(nom), quoi="Grille de population"
    )
    if (population < 0).any():
        raise DonneesInvalides(f"Grille de population {chemin.name} : populations négatives.")
    return gpd.GeoDataFrame(
        {"population": population.fillna(0.0).to_numpy()}, geometry=grille.geometry, crs=grille.crs
    )


def distances_internes(
    communes: gpd.GeoDataFrame, grille: gpd.GeoDataFrame | None = None
) -> tuple[pd.Series, str]:
    """Mean distance (km) of each commune's inhabitants to its centre, by code.

    Without a grid, from the commune's surface (inhabitants spread evenly on a disc). With a
    grid (points or squares with ``population``), the population-weighted mean distance of
    the grid's points (square centres) inside the commune to its centre; a commune the grid
    does not cover falls back on its surface (counted in the log).

    Returns the distances and ``"surface"`` or ``"grille"``.
    """
    surface = communes.geometry.area.to_numpy(dtype=np.float64) / 1e6
    codes = communes["code"].astype(str).to_numpy()
    distances = pd.Series(distance_moyenne_disque_km(surface), index=codes)
    if grille is None:
        return distances, "surface"
    points = grille.to_crs(communes.crs)
    points = gpd.GeoDataFrame(
        {"population": points["population"].to_numpy()},
        geometry=points.geometry.representative_point().to_numpy()
        if not (points.geom_type == "Point").all()
        else points.geometry.to_numpy(),
        crs=communes.crs,
    )
    points = points[points["population"] > 0]
    polygones = gpd.GeoDataFrame(
        {"code": codes}, geometry=communes.geometry.values, crs=communes.crs
    )
    jointes = gpd.sjoin(points, polygones, predicate="within", how="inner")
    centres = communes.set_index(communes["code"].astype(str))["centre"]
    centre = gpd.GeoSeries(centres.loc[jointes["code"]].to_numpy(), crs=communes.crs)
    d_km = jointes.geometry.reset_index(drop=True).distance(centre).to_numpy() / 1000.0
    poids = jointes["population"].to_numpy(dtype=np.float64)
    table = pd.DataFrame({"code": jointes["code"].to_numpy(), "pd": poids * d_km, "p": poids})
    sommes = table.groupby("code")[["pd", "p"]].sum()
    moyennes = sommes["pd"] / sommes["p"]
    couvertes = moyennes.index.intersection(distances.index)
    distances.loc[couvertes] = moyennes.loc[couvertes].to_numpy()
    sans = len(distances) - len(couvertes)
    if sans:
        logger.warning(
            "Grille de population : %d communes sans carreau habité, temps interne estimé "
            "d'après leur surface.",
            sans,
        )
    return distances, "grille"


def source_brute(source: SourceTemps) -> SourceTemps:
    """The source without the internal-time wrapper."""
    return source.source if isinstance(source, SourceAvecTempsInterne) else source


@dataclass
class TempsPrepare:
    """The source an analysis runs on and the band of its times.

    Attributes
    ----------
    source
        The source, calibrated and with the internal time when asked.
    bande
        The error band of its times.
    description
        What was done, for ``parametres.json`` (``temps_interne``, ``calibration``,
        ``bande``).
    """

    source: SourceTemps
    bande: Bande
    description: dict[str, Any] = field(default_factory=dict)


def _source_calibree(
    source: SourceTemps, calibration: Calibration, communes: gpd.GeoDataFrame
) -> SourceTemps:
    if calibration.source != source.nom:
        raise DonneesInvalides(
            f"La calibration {Path(calibration.fichier or '').name} a été faite pour la source "
            f"« {calibration.source} » ; la source de ce calcul est « {source.nom} » : "
            "calibrez cette source ou changez de source (--source)."
        )
    if source.nom == "vol-oiseau" and calibration.vol_oiseau is not None:
        a, b = calibration.vol_oiseau
        par_code = None
        libelle = (
            f"estimation à vol d'oiseau calibrée ({calibration.description()}) : "
            f"{a:.2f} min + {b:.2f} min/km entre centres de communes"
        )
        if calibration.classes:
            classes = [c for c, _, _ in calibration.classes]
            indices = classes_densite(densites(communes).to_numpy(), classes)
            coefficients = [(ca, cb) for _, ca, cb in calibration.classes]
            par_code = {
                str(code): coefficients[int(k)]
                for code, k in zip(communes["code"], indices, strict=True)
            }
            libelle = (
                f"estimation à vol d'oiseau calibrée par classe de densité "
                f"({calibration.description()}) : "
                + " ; ".join(
                    f"{c.nom} {ca:.2f} min + {cb:.2f} min/km" for c, ca, cb in calibration.classes
                )
            )
        return SourceVolOiseau(a_min=a, b_min_par_km=b, par_code=par_code, libelle=libelle)
    if source.nom == "osm" and calibration.facteurs_pointe:
        from accessibilite.noyau.source_reseau import SourceReseau
        from reseau.recalage import appliquer_facteurs_pointe

        if not isinstance(source, SourceReseau):
            raise DonneesInvalides("Calibration OSM : la source n'est pas un réseau routier.")
        recale = SourceReseau(
            appliquer_facteurs_pointe(source.graphe, calibration.facteurs_pointe),
            distance_max_m=source.distance_max_m,
            libelle=f"{source.description()} ; facteurs d'heure pleine de la "
            f"{calibration.description()}",
        )
        recale.fichier = source.fichier
        return recale
    return source


def preparer_temps(
    source: SourceTemps,
    communes: gpd.GeoDataFrame,
    *,
    calibration: Calibration | str | Path | None = None,
    temps_interne: bool | ModeleTempsInterne = False,
    grille: gpd.GeoDataFrame | str | Path | None = None,
    incertitude: str = "defaut",
) -> TempsPrepare:
    """The source an analysis runs on, and the error band of its times.

    Parameters
    ----------
    source
        The travel-time source chosen (straight line, matrix, road graph).
    communes
        The communes of the analysis (département and buffer): their surfaces, densities
        and centres.
    calibration
        A calibration (or its file) made for this source: its coefficients (straight line,
        per density class) or peak-hour factors (road graph) are applied, its band used,
        its internal-time model used when the internal time is on.
    temps_interne
        ``True`` (the calibration's model, else the default one), a model, or ``False``.
    grille
        A population grid (or its file) for the internal time's mean distances.
    incertitude
        ``defaut``: the calibration's band, else the source's default
        (:func:`accessibilite.noyau.incertitude.bande_defaut`); ``aucune``: a zero-width
        band (the verdicts of the times alone).

    Raises
    ------
    DonneesInvalides
        A calibration made for another source, an unknown ``incertitude``.
    """
    if incertitude not in INCERTITUDES:
        raise DonneesInvalides(
            f"--incertitude « {incertitude} » inconnue : {' ou '.join(INCERTITUDES)}."
        )
    cal = lire_calibration(calibration) if isinstance(calibration, str | Path) else calibration
    active = _source_calibree(source, cal, communes) if cal is not None else source
    description: dict[str, Any] = {
        "calibration": (
            {"fichier": cal.fichier, "description": cal.description(), "source": cal.source}
            if cal is not None
            else None
        ),
        "temps_interne": None,
    }
    if temps_interne is not False:
        modele = (
            temps_interne
            if isinstance(temps_interne, ModeleTempsInterne)
            else (cal.temps_interne if cal is not None and cal.temps_interne else None)
            or ModeleTempsInterne()
        )
        fichier_grille = str(Path(grille).resolve()) if isinstance(grille, str | Path) else None
        if isinstance(grille, str | Path):
            grille = lire_grille_population(grille)
        distances, origine = distances_internes(communes, grille)
        secondes = modele.minutes(distances.to_numpy()) * 60.0
        active = SourceAvecTempsInterne(
            active,
            dict(zip(distances.index, secondes, strict=True)),
            modele=modele,
            origine_distances=origine,
        )
        description["temps_interne"] = {
            "a_min": modele.a_min,
            "b_min_par_km": modele.b_min_par_km,
            "distances": origine,
            "grille": fichier_grille,
            "description": modele.description(),
        }
    if incertitude == "aucune":
        bande = Bande.nulle()
    elif cal is not None:
        bande = cal.bande
    else:
        bande = bande_defaut(source.nom)
    description["bande"] = {**bande.en_dict(), "description": bande.description()}
    return TempsPrepare(source=active, bande=bande, description=description)
