"""Between QGIS and the ``accessibilite`` package: layers to GeoDataFrames, QGIS feedback
as the package's progress protocol, result layers loaded into the project."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from qgis.core import (
    NULL,
    QgsFeatureSource,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
)

ANNULE = "Calcul annulé."


class Suivi:
    """QGIS feedback as a ``socle.progression.Progression``: the step as the progress text,
    the share done as the progress bar; cancelling (the dialog's button) stops the
    computation at the next report."""

    def __init__(self, feedback: QgsProcessingFeedback, debut: float = 0.0, fin: float = 100.0):
        self.feedback = feedback
        self.debut, self.fin = debut, fin
        self._etape: str | None = None

    def verifier(self) -> None:
        """Stop when the user cancelled."""
        if self.feedback.isCanceled():
            raise QgsProcessingException(ANNULE)

    def etape(self, texte: str, part: float) -> None:
        """A step of the algorithm, ``part`` (0 to 1) of the way."""
        self.verifier()
        self.feedback.setProgressText(texte)
        self.feedback.setProgress(self.debut + part * (self.fin - self.debut))

    def __call__(self, etape: str, fait: int, total: int | None, *, unite: str = "") -> None:
        self.verifier()
        if etape != self._etape:
            self._etape = etape
            self.feedback.setProgressText(etape)
        if total:
            self.feedback.setProgress(self.debut + (self.fin - self.debut) * fait / total)


def vers_gdf(source: QgsFeatureSource, suivi: Suivi, *, champs: list[str] | None = None) -> Any:
    """A QGIS feature source as a GeoDataFrame (its CRS, the chosen fields, NULL as None)."""
    import geopandas as gpd
    import shapely

    noms = champs if champs is not None else [f.name() for f in source.fields()]
    valeurs: dict[str, list[Any]] = {nom: [] for nom in noms}
    geometries: list[Any] = []
    for entite in source.getFeatures():
        suivi.verifier()
        for nom in noms:
            valeur = entite[nom]
            valeurs[nom].append(None if valeur == NULL else valeur)
        geometrie = entite.geometry()
        geometries.append(
            shapely.from_wkb(bytes(geometrie.asWkb())) if not geometrie.isNull() else None
        )
    crs = source.sourceCrs()
    return gpd.GeoDataFrame(valeurs, geometry=geometries, crs=crs.authid() or crs.toWkt() or None)


def charger(
    context: QgsProcessingContext, gpkg: str | Path, couches: list[tuple[str, str]], sortie: str
) -> None:
    """Load layers of a GeoPackage into the project when the algorithm ends: QGIS reads
    their default style from the GeoPackage (``layer_styles``)."""
    for couche, nom in couches:
        details = QgsProcessingContext.LayerDetails(nom, context.project(), sortie)
        context.addLayerToLoadOnCompletion(f"{gpkg}|layername={couche}", details)


def nombres(texte: str, quoi: str) -> list[float]:
    """Minutes from ``"10;20;30"`` (decimal comma allowed: ``"7,5;15"``) or ``"10,20,30"``
    (the command line's form), or a French error."""
    texte = texte.strip()
    if ";" in texte or " " in texte:
        morceaux = [m.replace(",", ".") for m in re.split(r"[;\s]+", texte)]
    else:
        morceaux = texte.split(",")
    try:
        valeurs = [float(m) for m in morceaux if m]
    except ValueError as exc:
        raise QgsProcessingException(
            f"{quoi} : « {texte} » n'est pas une liste de minutes (ex. 10;20;30)."
        ) from exc
    if not valeurs or any(v <= 0 for v in valeurs):
        raise QgsProcessingException(f"{quoi} : donnez des minutes positives (ex. 10;20;30).")
    return valeurs
