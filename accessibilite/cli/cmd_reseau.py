"""``accessibilite reseau``: build a road graph from OpenStreetMap, describe a graph file."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from accessibilite.cli._base import Analyseur, barres

__all__ = ["ajouter"]

_DESCRIPTION = """\
Graphe routier voiture depuis OpenStreetMap.

Exemples :
  accessibilite reseau exporter reseau_62.graphe --autour 2.78 50.29 5 --sortie arras.gpkg
  accessibilite reseau construire --departement 62 --pbf nord-pas-de-calais-latest.osm.pbf \\
      --sortie reseau_62.graphe
  accessibilite reseau construire --polygone zone.gpkg --tampon-km 10 --sortie zone.graphe
  accessibilite reseau info reseau_62.graphe
"""

_SOURCES_LIBELLES = {
    "maxspeed": "maxspeed (limite lue)",
    "implicite": "valeur implicite (FR:urban...)",
    "defaut_classe": "défaut de la classe (pas de limite)",
    "repli": "repli (maxspeed illisible)",
    "bac": "bac",
}


def ajouter(sous_analyseurs: Any) -> None:
    """Register ``reseau`` and its sub-commands ``construire`` and ``info``."""
    analyseur: Analyseur = sous_analyseurs.add_parser(
        "reseau",
        help="construire ou décrire un graphe routier OpenStreetMap",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sous = analyseur.add_subparsers(dest="action", metavar="ACTION", title="actions")
    sous.required = True

    construire = sous.add_parser(
        "construire",
        help="construire le graphe d'une zone (département ou polygone + tampon)",
        description=(
            "Construit le graphe routier voiture d'une zone, depuis un ou plusieurs extraits "
            "OpenStreetMap (--pbf, répétable : régions voisines), un GraphML osmnx (--graphml) "
            "ou, sans fichier, en téléchargeant les extraits Geofabrik des régions touchées "
            "par la zone et son tampon (ou la zone seule depuis Overpass avec --overpass) : "
            "internet nécessaire, fichiers gardés en cache. Le graphe est aussi gardé en cache."
        ),
    )
    emprise = construire.add_mutually_exclusive_group()
    emprise.add_argument(
        "--departement", metavar="CODE", help="code du département (62, 2A, 974...)"
    )
    emprise.add_argument(
        "--polygone",
        metavar="FICHIER",
        type=Path,
        help="zone à couvrir : couche de polygones (GeoJSON, GeoPackage) avec son CRS",
    )
    source = construire.add_mutually_exclusive_group()
    source.add_argument(
        "--pbf",
        metavar="FICHIER",
        type=Path,
        action="append",
        help="extrait OpenStreetMap local (.osm.pbf) ; répétable pour des régions voisines",
    )
    source.add_argument(
        "--overpass",
        action="store_true",
        help="sans fichier : télécharger la zone depuis Overpass (osmnx) plutôt que Geofabrik",
    )
    source.add_argument(
        "--graphml",
        metavar="FICHIER",
        type=Path,
        help="graphe enregistré par osmnx (.graphml), filtré aux routes circulables",
    )
    construire.add_argument(
        "--tampon-km",
        type=float,
        default=20.0,
        metavar="KM",
        help="tampon autour de la zone, en km (défaut : 20)",
    )
    construire.add_argument(
        "--vitesses",
        metavar="FICHIER",
        type=Path,
        help="table de vitesses TOML qui remplace, clé par clé, la table fournie",
    )
    construire.add_argument(
        "--bacs", action="store_true", help="garder les liaisons par bac (écartées par défaut)"
    )
    construire.add_argument(
        "--crs",
        metavar="CRS",
        help="CRS métrique des nœuds (défaut : EPSG:2154 en France, zone UTM ailleurs)",
    )
    construire.add_argument(
        "--sans-cache", action="store_true", help="ne pas lire ni écrire le cache des graphes"
    )
    construire.add_argument(
        "--rafraichir",
        action="store_true",
        help="télécharger de nouveau la zone même si un téléchargement est en cache",
    )
    construire.add_argument(
        "--sortie", metavar="FICHIER", type=Path, required=True, help="fichier .graphe à écrire"
    )
    construire.set_defaults(executer=executer_construire)

    info = sous.add_parser(
        "info",
        help="décrire un fichier de graphe",
        description=(
            "Nœuds, arcs, kilomètres par classe de route, origine des vitesses, composantes "
            "écartées d'un fichier .graphe."
        ),
    )
    info.add_argument("fichier", metavar="FICHIER", type=Path, help="fichier .graphe")
    info.add_argument("--json", action="store_true", help="écrire la description en JSON")
    info.set_defaults(executer=executer_info)

    exporter = sous.add_parser(
        "exporter",
        help="écrire le graphe en GeoPackage stylé pour QGIS (vitesses, leur origine, classes)",
        description=(
            "Écrit les arcs du graphe (un par sens) dans un GeoPackage que QGIS ouvre avec "
            "son style : vitesse à l'heure pleine ; autres styles : origine de la vitesse "
            "(maxspeed lu, valeur implicite, défaut de la classe, repli), classe de route. "
            "Pour vérifier le modèle de vitesses sur une commune ou un quartier, limitez "
            "l'emprise (--polygone, --autour)."
        ),
    )
    exporter.add_argument("fichier", metavar="FICHIER", type=Path, help="fichier .graphe")
    exporter.add_argument(
        "--sortie", metavar="FICHIER", type=Path, required=True, help="fichier .gpkg à écrire"
    )
    limite = exporter.add_mutually_exclusive_group()
    limite.add_argument(
        "--polygone", metavar="FICHIER", type=Path, help="ne garder que les arcs de cette zone"
    )
    limite.add_argument(
        "--autour",
        nargs=3,
        type=float,
        metavar=("LON", "LAT", "KM"),
        help="ne garder que les arcs à moins de KM km du point (longitude, latitude)",
    )
    exporter.add_argument("--noeuds", action="store_true", help="écrire aussi les nœuds")
    exporter.set_defaults(executer=executer_exporter)


def _nombre(n: float, decimales: int = 0) -> str:
    texte = f"{n:,.{decimales}f}".replace(",", " ").replace(".", ",")
    return texte


def _extraits_geofabrik(polygone: Any, tampon_km: float, rafraichir: bool) -> list[Path]:
    """Download (or take from the cache) the Geofabrik extracts the area and buffer need."""
    from reseau.emprise import departements_touches, polygone_wgs84, tamponner
    from socle.catalogue import sources_osm, telecharger_source

    zone = tamponner(polygone_wgs84(polygone), tampon_km * 1000.0)
    extraits = sources_osm(departements_touches(zone))
    chemins = []
    for source in extraits:
        print(f"… extrait OpenStreetMap : {source.description} ({source.url})", file=sys.stderr)
        chemins.append(telecharger_source(source, rafraichir=rafraichir, progression=barres()))
    return chemins


def executer_construire(options: argparse.Namespace) -> int:
    """Build the graph and write it to ``--sortie``."""
    import reseau

    polygone = None
    if options.departement is not None:
        polygone = reseau.contour_departement(options.departement)
    elif options.polygone is not None:
        polygone = reseau.lire_polygone(options.polygone)
    source: Any = options.pbf if options.pbf is not None else options.graphml
    if source is None and not options.overpass and polygone is not None:
        source = _extraits_geofabrik(polygone, options.tampon_km, options.rafraichir)
    barre = barres()
    debut = time.perf_counter()
    try:
        graphe = reseau.construire_graphe(
            source,
            polygone=polygone,
            tampon_km=options.tampon_km,
            vitesses=options.vitesses,
            bacs=options.bacs,
            crs=options.crs,
            cache=not options.sans_cache,
            rafraichir=options.rafraichir,
            progression=barre,
        )
    finally:
        barre.fermer()
    reseau.sauvegarder_graphe(graphe, options.sortie)
    duree = time.perf_counter() - debut
    faits = reseau.decrire_graphe(graphe)
    taille = options.sortie.stat().st_size / 1e6
    print(
        f"Graphe enregistré : {options.sortie} ({_nombre(faits['n_noeuds'])} nœuds, "
        f"{_nombre(faits['n_arcs'])} arcs, {_nombre(taille, 1)} Mo, {faits['crs']}) "
        f"en {_nombre(duree, 1)} s."
    )
    replis = faits.get("maxspeed_illisibles_total", 0)
    if replis:
        print(
            f"{_nombre(replis)} voies avec un maxspeed illisible : vitesse par défaut de la "
            "classe (détail : accessibilite reseau info)."
        )
    return 0


def executer_info(options: argparse.Namespace) -> int:
    """Print what a graph file holds."""
    import reseau

    graphe = reseau.charger_graphe(options.fichier)
    faits = reseau.decrire_graphe(graphe)
    if options.json:
        print(json.dumps(faits, ensure_ascii=False, indent=2, default=str))
        return 0
    taille = options.fichier.stat().st_size / 1e6
    print(f"Graphe routier : {options.fichier} ({_nombre(taille, 1)} Mo)")
    source = faits.get("source", {})
    if source:
        print(
            f"  source : {source.get('type', '?')} {source.get('fichier', '')}, "
            f"construit le {faits.get('date', '?')} ({faits.get('constructeur', '?')})"
        )
    vitesses = faits.get("vitesses", {})
    if vitesses:
        print(f"  table de vitesses : {vitesses.get('origine', '?')}")
    print(
        f"  nœuds : {_nombre(faits['n_noeuds'])} ; arcs : {_nombre(faits['n_arcs'])} ; "
        f"{_nombre(faits['km_total'], 1)} km d'arcs ; CRS : {faits['crs']} ; "
        f"{_nombre(faits['octets_routage_par_arc'], 1)} octets de routage par arc"
    )
    composantes = faits.get("composantes")
    if composantes:
        print(
            f"  composantes écartées (hors de la plus grande composante fortement connexe) : "
            f"{_nombre(composantes['supprimees'])} ({_nombre(composantes['noeuds_supprimes'])} "
            f"nœuds, {_nombre(composantes['arcs_supprimes'])} arcs)"
        )
    if "classes" in faits:
        print("Classes de route (arcs ; une rue à double sens compte deux fois) :")
        for nom, valeurs in faits["classes"].items():
            arcs, km = _nombre(valeurs["arcs"]), _nombre(valeurs["km"], 1)
            print(f"  {nom:<16} {arcs:>10} arcs {km:>10} km")
    if "sources_vitesse" in faits:
        print("Origine des vitesses :")
        for nom, valeurs in faits["sources_vitesse"].items():
            print(
                f"  {_SOURCES_LIBELLES.get(nom, nom):<38} {_nombre(valeurs['arcs']):>10} arcs "
                f"{_nombre(valeurs['km'], 1):>10} km"
            )
    exclusions = faits.get("exclusions")
    if exclusions:
        print("Voies OSM écartées :")
        for raison, n in exclusions.items():
            print(f"  {raison:<38} {_nombre(n):>10}")
    illisibles = faits.get("maxspeed_illisibles")
    if illisibles:
        valeurs = ", ".join(f"« {v} » ({n})" for v, n in list(illisibles.items())[:10])
        print(f"maxspeed illisibles (défaut de la classe appliqué) : {valeurs}")
    return 0


def executer_exporter(options: argparse.Namespace) -> int:
    """Write the graph's arcs to a styled GeoPackage."""
    import reseau
    from accessibilite.cli._options_acces import etape

    graphe = reseau.charger_graphe(options.fichier)
    emprise = None
    if options.polygone is not None or options.autour is not None:
        import geopandas as gpd
        import shapely

        if options.polygone is not None:  # EPSG:4326
            zone = gpd.GeoSeries([reseau.lire_polygone(options.polygone)], crs="EPSG:4326")
            emprise = zone.to_crs(graphe.crs).union_all()
        else:
            lon, lat, km = options.autour
            point = gpd.GeoSeries([shapely.Point(lon, lat)], crs="EPSG:4326")
            emprise = point.to_crs(graphe.crs).buffer(km * 1000.0).union_all()
    etape(f"écriture des arcs de {options.fichier.name} dans {options.sortie}")
    reseau.exporter_graphe(graphe, options.sortie, emprise=emprise, avec_noeuds=options.noeuds)
    import pyogrio

    n = pyogrio.read_info(options.sortie, layer="arcs")["features"]
    print(f"{_nombre(n)} arcs écrits dans {options.sortie} (style QGIS : vitesses).")
    return 0
