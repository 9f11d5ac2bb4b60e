"""Run by QGIS's Python (``/usr/bin/python3``): open every layer of a GeoPackage as a user
would (no project file), report its default style, metadata and feature count as JSON on
the last line of stdout, and render a map of the given layers to PNG.

Usage: ``python3 qgis_geopackage.py FICHIER.gpkg [--png CARTE.png --couches a,b,c]``
"""

from __future__ import annotations

import argparse
import json
import sys

from qgis.core import (
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsDataProvider,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsGraduatedSymbolRenderer,
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutPoint,
    QgsPrintLayout,
    QgsProject,
    QgsRuleBasedRenderer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QRectF
from qgis.PyQt.QtGui import QFont


def classes(layer: QgsVectorLayer) -> int:
    """Number of legend classes of the layer's renderer."""
    rendu = layer.renderer()
    if isinstance(rendu, QgsCategorizedSymbolRenderer):
        return len(rendu.categories())
    if isinstance(rendu, QgsGraduatedSymbolRenderer):
        return len(rendu.ranges())
    if isinstance(rendu, QgsRuleBasedRenderer):
        return len(rendu.rootRule().children())
    return 1


def decrire(layer: QgsVectorLayer) -> dict[str, object]:
    rendu = layer.renderer()
    faits: dict[str, object] = {
        "valide": layer.isValid(),
        "entites": layer.featureCount(),
        "rendu": rendu.type() if rendu else None,
        "classes": classes(layer) if rendu else 0,
        "etiquettes": layer.labelsEnabled(),
        "champs": [f.name() for f in layer.fields()],
        "titre": layer.metadata().title(),
        "resume": layer.metadata().abstract(),
        "historique": list(layer.metadata().history()),
    }
    if isinstance(rendu, QgsRuleBasedRenderer):
        # how many features each rule draws, evaluated in QGIS as the renderer does (not
        # compiled to SQL, where a boolean compares differently)
        regles = rendu.rootRule().children()
        contexte = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
        expressions = {r.label(): QgsExpression(r.filterExpression()) for r in regles}
        comptes = dict.fromkeys(expressions, 0)
        for entite in layer.getFeatures():
            contexte.setFeature(entite)
            for libelle, expression in expressions.items():
                if expression.evaluate(contexte):
                    comptes[libelle] += 1
        faits["libelles"] = [r.label() for r in regles]
        faits["comptes"] = comptes
    elif isinstance(rendu, QgsCategorizedSymbolRenderer):
        faits["libelles"] = [c.label() for c in rendu.categories()]
        faits["couleurs"] = [c.symbol().color().name() for c in rendu.categories()]
    elif isinstance(rendu, QgsGraduatedSymbolRenderer):
        faits["libelles"] = [r.label() for r in rendu.ranges()]
    return faits


def rendre(dessin: list, cadre: QgsVectorLayer, titre: str, png: str) -> bool:
    """An A4 landscape print layout: title, the map of ``dessin``, the legend of the
    layers' default styles; exported to PNG at 150 dpi."""
    projet = QgsProject.instance()
    for layer in dessin:
        layer.setName(layer.metadata().title() or layer.name())  # the GeoPackage's titles
        projet.addMapLayer(layer, False)
    mise_en_page = QgsPrintLayout(projet)
    mise_en_page.initializeDefaults()  # one A4 landscape page
    carte = QgsLayoutItemMap(mise_en_page)
    carte.attemptSetSceneRect(QRectF(8, 18, 190, 184))
    carte.setLayers(dessin)
    carte.setCrs(cadre.crs())
    etendue = cadre.extent()
    etendue.scale(1.04)
    carte.setExtent(etendue)
    carte.setFrameEnabled(True)
    mise_en_page.addLayoutItem(carte)
    etiquette = QgsLayoutItemLabel(mise_en_page)
    etiquette.setText(titre)
    etiquette.setFont(QFont("DejaVu Sans", 16, QFont.Bold))
    etiquette.attemptSetSceneRect(QRectF(8, 4, 280, 12))
    mise_en_page.addLayoutItem(etiquette)
    legende = QgsLayoutItemLegend(mise_en_page)
    legende.setLinkedMap(carte)
    legende.setAutoUpdateModel(False)
    modele = legende.model().rootGroup()
    modele.clear()
    for layer in dessin:
        modele.addLayer(layer)
    legende.setTitle("Légende")
    legende.attemptMove(QgsLayoutPoint(202, 18))
    mise_en_page.addLayoutItem(legende)
    exportateur = QgsLayoutExporter(mise_en_page)
    reglages = QgsLayoutExporter.ImageExportSettings()
    reglages.dpi = 150
    return exportateur.exportToImage(png, reglages) == QgsLayoutExporter.Success


def main() -> int:
    analyseur = argparse.ArgumentParser()
    analyseur.add_argument("gpkg")
    analyseur.add_argument("--png")
    analyseur.add_argument("--couches", default="", help="drawn layers, the top one first")
    analyseur.add_argument("--etendue", default="departement", help="layer giving the extent")
    analyseur.add_argument("--titre", default="")
    options = analyseur.parse_args()

    app = QgsApplication([], False)
    app.initQgis()
    couches: dict[str, QgsVectorLayer] = {}
    try:
        # the layers QGIS offers when the GeoPackage is dropped on the map
        fichier = QgsVectorLayer(options.gpkg, "gpkg", "ogr")
        separateur = QgsDataProvider.sublayerSeparator()
        noms = [s.split(separateur)[1] for s in fichier.dataProvider().subLayers()]
        for nom in noms:
            layer = QgsVectorLayer(f"{options.gpkg}|layername={nom}", nom, "ogr")
            couches[nom] = layer
        del fichier, layer
        rapport = {"couches": {nom: decrire(layer) for nom, layer in couches.items()}}
        if options.png:
            dessin = [couches[n] for n in options.couches.split(",") if n]
            rapport["png"] = rendre(dessin, couches[options.etendue], options.titre, options.png)
        print(json.dumps(rapport, ensure_ascii=False), flush=True)
    finally:
        # layers must go before QGIS does, or the interpreter crashes on exit
        QgsProject.instance().removeAllMapLayers()
        couches.clear()
        app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
