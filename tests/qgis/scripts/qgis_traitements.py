"""Run by QGIS's Python (``/usr/bin/python3``): install the plugin's Processing provider
as QGIS does, run each algorithm with ``processing.run`` and report (JSON, last line of
stdout) the outputs, the layers loaded into the project with their default style, the
progress messages and what a cancelled run does.

Usage: ``python3 qgis_traitements.py DOSSIER_GREFFON BPE GRAPHE_ANDORRE TRAVAIL``
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
)


class Retour(QgsProcessingFeedback):
    """Feedback that keeps the progress texts and values."""

    def __init__(self) -> None:
        super().__init__()
        self.textes: list[str] = []
        self.valeurs: list[float] = []

    def setProgressText(self, texte: str) -> None:  # noqa: N802 (QGIS's name)
        self.textes.append(texte)
        super().setProgressText(texte)

    def setProgress(self, valeur: float) -> None:  # noqa: N802 (QGIS's name)
        self.valeurs.append(valeur)
        super().setProgress(valeur)


def lancer(processing, nom: str, parametres: dict) -> dict:  # type: ignore[no-untyped-def]
    """Run one algorithm; describe its outputs and the layers it loads."""
    contexte = QgsProcessingContext()
    contexte.setProject(QgsProject.instance())
    retour = Retour()
    resultat = processing.run(f"accessibilite:{nom}", parametres, context=contexte, feedback=retour)
    couches = {}
    for uri, details in contexte.layersToLoadOnCompletion().items():
        layer = QgsVectorLayer(uri, details.name, "ogr")
        rendu = layer.renderer()
        couches[details.name] = {
            "valide": layer.isValid(),
            "entites": layer.featureCount(),
            "rendu": rendu.type() if rendu else None,
        }
    sortie = resultat.get("SORTIE")
    return {
        "sorties": {k: str(v) for k, v in resultat.items() if not hasattr(v, "featureCount")},
        "couches": couches,
        "textes": retour.textes,
        "progression_max": max(retour.valeurs, default=0),
        "sortie_entites": sortie.featureCount() if hasattr(sortie, "featureCount") else None,
        "sortie_champs": [f.name() for f in sortie.fields()] if hasattr(sortie, "fields") else [],
    }


def points_andorre() -> QgsVectorLayer:
    """Two points in Andorra (EPSG:4326): Andorra la Vella and Encamp."""
    couche = QgsVectorLayer("Point?crs=EPSG:4326&field=nom:string", "points", "memory")
    entites = []
    for nom, lon, lat in (("Andorra la Vella", 1.5218, 42.5063), ("Encamp", 1.5801, 42.5345)):
        entite = QgsFeature(couche.fields())
        entite.setAttributes([nom])
        entite.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(lon, lat)))
        entites.append(entite)
    couche.dataProvider().addFeatures(entites)
    return couche


def main() -> int:
    greffon, bpe, graphe, travail = sys.argv[1:5]
    travail_dir = Path(travail)
    app = QgsApplication([], False)
    app.initQgis()
    sys.path.append("/usr/share/qgis/python/plugins")
    sys.path.insert(0, greffon)
    import processing
    from processing.core.Processing import Processing

    Processing.initialize()
    from accessibilite_qgis import classFactory

    extension = classFactory(None)
    extension.initProcessing()
    rapport: dict = {}
    try:
        fournisseur = QgsApplication.processingRegistry().providerById("accessibilite")
        rapport["algorithmes"] = sorted(a.id() for a in fournisseur.algorithms())
        rapport["zones_grises"] = lancer(
            processing,
            "zones_grises",
            {
                "DEPARTEMENT": "90",
                "BPE": bpe,
                "SOURCE": 0,
                "SORTIE": str(travail_dir / "zg90"),
            },
        )
        gpkg = travail_dir / "zg90" / "zones_grises.gpkg"
        communes = QgsVectorLayer(f"{gpkg}|layername=communes", "communes", "ogr")
        centres = QgsVectorLayer(f"{gpkg}|layername=centres", "centres", "ogr")
        # the département read from a commune layer's codes, other thresholds, French CSV
        rapport["zones_grises_couche"] = lancer(
            processing,
            "zones_grises",
            {
                "COMMUNES": communes,
                "CHAMP_CODE": "code",
                "BPE": bpe,
                "SOURCE": 0,
                "SEUILS": "8;15;25",
                "CSV": 1,
                "SORTIE": str(travail_dir / "zg90b"),
            },
        )
        rapport["bassins"] = lancer(
            processing,
            "bassins",
            {"COMMUNES": communes, "NIVEAU": 0, "SORTIE": str(travail_dir / "bassins.gpkg")},
        )
        rapport["isochrones"] = lancer(
            processing,
            "isochrones",
            {
                "POINTS": points_andorre(),
                "CHAMP_ID": "nom",
                "SOURCE": 1,
                "RESEAU": graphe,
                "TEMPS": "5;10",
                "PAR_SOURCE": True,
                "SORTIE": str(travail_dir / "isochrones.gpkg"),
            },
        )
        rapport["indicateur"] = lancer(
            processing,
            "indicateur",
            {
                "DEPARTEMENT": "90",
                "BPE": bpe,
                "SERVICE": "pharmacie",
                "SEUILS": "5;10",
                "SOURCE": 0,
                "SORTIE": str(travail_dir / "pharmacie"),
            },
        )
        rapport["matrice"] = lancer(
            processing,
            "matrice_temps",
            {
                "ORIGINES": centres,
                "CHAMP_ORIGINES": "code",
                "SOURCE": 0,
                "COUPURE_MIN": 15,
                "SORTIE": "TEMPORARY_OUTPUT",
            },
        )
        # a cancelled run stops with the French message, and writes nothing
        annule = Retour()
        annule.cancel()
        try:
            processing.run(
                "accessibilite:zones_grises",
                {"DEPARTEMENT": "90", "BPE": bpe, "SORTIE": str(travail_dir / "annule")},
                feedback=annule,
            )
            rapport["annulation"] = "terminé"
        except Exception as exc:  # QgsProcessingException
            rapport["annulation"] = str(exc)
        rapport["annule_ecrit"] = (travail_dir / "annule" / "zones_grises.gpkg").exists()
        # a French error of the package reaches the user as it is
        try:
            processing.run(
                "accessibilite:zones_grises",
                {"DEPARTEMENT": "999", "BPE": bpe, "SORTIE": str(travail_dir / "faux")},
                feedback=Retour(),
            )
            rapport["erreur"] = ""
        except Exception as exc:  # QgsProcessingException
            rapport["erreur"] = str(exc)
        print(json.dumps(rapport, ensure_ascii=False), flush=True)
    finally:
        QgsProject.instance().removeAllMapLayers()
        extension.unload()
    return 0


if __name__ == "__main__":
    code = 1
    try:
        code = main()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        # leave without tearing QGIS down: layers created by this script outliving
        # QgsApplication.exitQgis() crash the interpreter on exit (a known PyQGIS issue)
        os._exit(code)
