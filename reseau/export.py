"""The road graph as GeoDataFrames and as a styled GeoPackage, to inspect the speed model
(in a notebook, or in QGIS): :func:`graphe_en_gdf` and :func:`exporter_graphe`.

Each arc is a straight line between its two nodes (the graph keeps every OSM node of the
roads, so the lines follow them) with its road class, its peak-hour speed and where that
speed comes from (a ``maxspeed`` tag, an implicit value such as ``FR:urban``, the class
default, a fallback for an unreadable ``maxspeed``, a ferry).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from reseau.graphe import Graphe
from reseau.vitesses import CLASSES, SOURCES_VITESSE
from socle.erreurs import DonneesInvalides

if TYPE_CHECKING:
    import geopandas as gpd
    import shapely

__all__ = ["LIBELLES_ORIGINE_VITESSE", "exporter_graphe", "graphe_en_gdf"]

#: French label of each speed origin (``Graphe.attributs_arcs["source_vitesse"]``).
LIBELLES_ORIGINE_VITESSE: dict[str, str] = {
    "maxspeed": "maxspeed (limite lue)",
    "implicite": "valeur implicite (FR:urban...)",
    "defaut_classe": "défaut de la classe (pas de limite)",
    "repli": "repli (maxspeed illisible)",
    "bac": "bac",
}


def _noms(codes: np.ndarray, noms: tuple[str, ...]) -> np.ndarray:
    table = np.array([*noms, ""], dtype=object)
    return table[np.where((codes >= 0) & (codes < len(noms)), codes, len(noms))]


def graphe_en_gdf(
    graphe: Graphe, *, emprise: shapely.Geometry | None = None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The graph's nodes and arcs as GeoDataFrames (in the graph's CRS).

    Parameters
    ----------
    graphe
        A graph with node coordinates and a CRS.
    emprise
        Keep only the arcs whose both ends are in this polygon (graph CRS).

    Returns
    -------
    noeuds : geopandas.GeoDataFrame
        ``noeud`` (index in the graph), ``osm_id`` when known, ``degre`` (outgoing arcs),
        point.
    arcs : geopandas.GeoDataFrame
        ``de``, ``vers`` (node indices), ``temps_s``, and when the graph has them
        ``longueur_m``, ``classe`` (OSM ``highway``), ``vitesse_kmh`` (peak hour),
        ``origine_vitesse`` (see :data:`LIBELLES_ORIGINE_VITESSE`), ``osm_voie``; line.

    Raises
    ------
    DonneesInvalides
        The graph has no coordinates or CRS.
    """
    import geopandas as gpd
    import shapely

    if graphe.x is None or graphe.y is None or graphe.crs is None:
        raise DonneesInvalides(
            "Le graphe n'a pas de coordonnées ou de CRS : impossible de le dessiner."
        )
    x, y = np.asarray(graphe.x), np.asarray(graphe.y)
    de = graphe.sources_arcs().astype(np.int64)
    vers = np.asarray(graphe.indices, dtype=np.int64)
    garder = np.ones(de.size, dtype=bool)
    if emprise is not None:
        dedans = shapely.contains_xy(emprise, x, y)
        garder = dedans[de] & dedans[vers]
    de, vers = de[garder], vers[garder]
    colonnes: dict[str, object] = {
        "de": de,
        "vers": vers,
        "temps_s": np.asarray(graphe.temps_s, dtype=np.float64)[garder].round(2),
    }
    attributs = graphe.attributs_arcs
    if "longueur_m" in attributs:
        colonnes["longueur_m"] = np.asarray(attributs["longueur_m"], dtype=np.float64)[
            garder
        ].round(1)
    if "classe" in attributs:
        colonnes["classe"] = _noms(np.asarray(attributs["classe"], dtype=np.int64)[garder], CLASSES)
    if "vitesse_kmh" in attributs:
        colonnes["vitesse_kmh"] = np.asarray(attributs["vitesse_kmh"], dtype=np.float64)[
            garder
        ].round(1)
    if "source_vitesse" in attributs:
        codes = np.asarray(attributs["source_vitesse"], dtype=np.int64)[garder]
        colonnes["origine_vitesse"] = _noms(codes, SOURCES_VITESSE)
    if "osm_voie" in attributs:
        colonnes["osm_voie"] = np.asarray(attributs["osm_voie"], dtype=np.int64)[garder]
    lignes = shapely.linestrings(
        np.stack([np.stack([x[de], y[de]], axis=1), np.stack([x[vers], y[vers]], axis=1)], axis=1)
    )
    arcs = gpd.GeoDataFrame(colonnes, geometry=lignes, crs=graphe.crs)
    utiles = np.unique(np.concatenate([de, vers]))
    noeuds_colonnes: dict[str, object] = {
        "noeud": utiles,
        "degre": np.diff(np.asarray(graphe.indptr))[utiles],
    }
    if graphe.osm_ids is not None:
        noeuds_colonnes["osm_id"] = np.asarray(graphe.osm_ids)[utiles]
    noeuds = gpd.GeoDataFrame(
        noeuds_colonnes, geometry=shapely.points(x[utiles], y[utiles]), crs=graphe.crs
    )
    return noeuds, arcs


def exporter_graphe(
    graphe: Graphe | str | Path,
    chemin: str | Path,
    *,
    emprise: shapely.Geometry | None = None,
    avec_noeuds: bool = False,
) -> Path:
    """Write the graph's arcs (and nodes) to a GeoPackage styled for QGIS, atomically.

    The ``arcs`` layer opens coloured by peak-hour speed; its other styles (Layer
    properties > Style) colour it by speed origin and by road class.

    Parameters
    ----------
    graphe
        A :class:`Graphe` or a ``.graphe`` file.
    chemin
        The ``.gpkg`` to write.
    emprise
        Keep only the arcs inside this polygon (graph CRS): a whole département holds
        about a million arcs.
    avec_noeuds
        Also write the ``noeuds`` layer.
    """
    from dataclasses import replace

    from socle import styles_qgis
    from socle.fichiers import ecrire_couches
    from socle.geopaquet import Metadonnees

    if not isinstance(graphe, Graphe):
        from reseau.stockage import charger_graphe

        graphe = charger_graphe(graphe)
    noeuds, arcs = graphe_en_gdf(graphe, emprise=emprise)
    couches = {"arcs": arcs}
    if avec_noeuds:
        couches["noeuds"] = noeuds
    styles = {
        "arcs": [
            styles_qgis.style_vitesses(),
            replace(
                styles_qgis.style_categories_lignes(
                    "origine_vitesse",
                    [
                        ("maxspeed", "#1a9850", LIBELLES_ORIGINE_VITESSE["maxspeed"]),
                        ("implicite", "#91cf60", LIBELLES_ORIGINE_VITESSE["implicite"]),
                        ("defaut_classe", "#fc8d59", LIBELLES_ORIGINE_VITESSE["defaut_classe"]),
                        ("repli", "#d73027", LIBELLES_ORIGINE_VITESSE["repli"]),
                        ("bac", "#4575b4", LIBELLES_ORIGINE_VITESSE["bac"]),
                    ],
                    nom="Origine de la vitesse",
                ),
                defaut=False,
            ),
            replace(styles_qgis.style_classes_routes("classe", CLASSES), defaut=False),
        ],
        "noeuds": [styles_qgis.style_points("#555555", nom="Nœuds", taille_mm=0.6)],
    }
    meta = dict(graphe.metadonnees)
    source: dict[str, object] = meta["source"] if isinstance(meta.get("source"), dict) else {}
    historique = [
        f"Graphe construit le {meta.get('date', '?')} ({meta.get('constructeur', '?')}).",
        f"Source OpenStreetMap : {source.get('type', '?')} {source.get('fichier', '')}, "
        f"données du {source.get('date_osm', '?')}.",
        f"Table de vitesses : {(meta.get('vitesses') or {}).get('origine', '?')}.",
    ]
    return ecrire_couches(
        couches,
        chemin,
        styles={k: v for k, v in styles.items() if k in couches},
        metadonnees=Metadonnees(
            titre="Graphe routier (modèle de vitesses à l'heure pleine)",
            resume="Arcs du graphe voiture : classe de route, vitesse à l'heure pleine et "
            "origine de cette vitesse.",
            historique=tuple(historique),
            mots_cles=("OpenStreetMap", "vitesses", "réseau routier"),
            couches={
                "arcs": ("Arcs du graphe routier", "Un arc par sens de circulation."),
                "noeuds": ("Nœuds du graphe routier", "Carrefours et points des voies."),
            },
        ),
    )
