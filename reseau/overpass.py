"""Download the roads of an area from Overpass with osmnx, cached on disk.

:func:`telecharger_osm` asks osmnx for the ways of the speed table's road classes (and car
ferries on request) inside the polygon, unsimplified, with ``ox.settings.all_oneway = True``
so that each edge is one OSM segment in its drawing order with its raw tags: the same raw
form as a PBF, priced by the same rules. The osmnx settings it needs are set for the call
only and restored after.

The raw download is cached as ``osm/<key>.npz`` (plain arrays, no pickle) in the cache
folder, keyed by the polygon, the Overpass filter and :data:`VERSION_TELECHARGEMENT`; its
sha256 then enters the graph's cache key. OpenStreetMap changes: ``rafraichir=True``
downloads the area again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from reseau._osm import ETIQUETTES_VOIE, DonneesOsm, depuis_osmnx
from socle.erreurs import ErreurReseau, ErreurTelechargement
from socle.fichiers import ecriture_atomique, racine_cache

__all__ = ["VERSION_TELECHARGEMENT", "filtres_overpass", "telecharger_osm"]

logger = logging.getLogger(__name__)

#: Part of the download cache key; bump it when the query or the conversion changes.
VERSION_TELECHARGEMENT = "overpass-1"


def filtres_overpass(classes: Iterable[str], *, bacs: bool) -> list[str]:
    """The osmnx ``custom_filter`` list: road classes, plus car ferries with ``bacs``."""
    motif = "|".join(sorted(set(classes)))
    filtres = [f'["highway"~"^({motif})$"]["area"!~"yes"]']
    if bacs:
        filtres.append('["route"="ferry"]')
    return filtres


@contextlib.contextmanager
def _reglages_osmnx(dossier: Path) -> Iterator[Any]:
    """Set the osmnx settings a raw download needs, and restore them afterwards."""
    import osmnx as ox

    noms = ("all_oneway", "useful_tags_way", "useful_tags_node", "use_cache", "cache_folder")
    avant = {nom: getattr(ox.settings, nom) for nom in noms}
    ox.settings.all_oneway = True
    ox.settings.useful_tags_way = list(ETIQUETTES_VOIE)
    ox.settings.useful_tags_node = ["highway"]
    ox.settings.use_cache = True
    ox.settings.cache_folder = str(dossier)
    try:
        yield ox
    finally:
        for nom, valeur in avant.items():
            setattr(ox.settings, nom, valeur)


def _telecharger(polygone: BaseGeometry, filtres: list[str], dossier: Path) -> Any:
    """Run the osmnx query (the one place that touches the network)."""
    import requests

    with _reglages_osmnx(dossier) as ox:
        try:
            return ox.graph_from_polygon(
                polygone,
                custom_filter=filtres,
                simplify=False,
                retain_all=True,
                truncate_by_edge=True,
            )
        except ox._errors.InsufficientResponseError as exc:
            raise ErreurReseau(
                "Overpass n'a renvoyé aucune route dans l'emprise : vérifiez le polygone "
                f"(il doit être en longitude, latitude) ({exc})."
            ) from exc
        except (requests.RequestException, ox._errors.ResponseStatusCodeError) as exc:
            raise ErreurTelechargement(
                f"Téléchargement Overpass impossible ({exc}) : vérifiez la connexion à "
                "internet, réessayez plus tard, ou donnez un extrait local (--pbf)."
            ) from exc


def _lire_npz(chemin: Path) -> DonneesOsm:
    with np.load(chemin, allow_pickle=False) as archive:
        tableaux = {nom: archive[nom] for nom in archive.files}
    description = json.loads(str(tableaux.pop("description")))
    return DonneesOsm.depuis_tableaux(tableaux, orientes=False, description=description)


def telecharger_osm(
    polygone: BaseGeometry,
    *,
    classes: Iterable[str],
    bacs: bool = False,
    dossier_cache: str | Path | None = None,
    rafraichir: bool = False,
) -> tuple[DonneesOsm, Path]:
    """Download (or take from the cache) the roads inside ``polygone``.

    Parameters
    ----------
    polygone
        The area, EPSG:4326 (buffer included).
    classes
        The OSM ``highway`` values to ask for (the speed table's classes).
    bacs
        Also ask for ferry routes.
    dossier_cache
        Cache root (see :func:`socle.fichiers.racine_cache`).
    rafraichir
        Ignore a cached download of the same area and download again.

    Returns
    -------
    tuple
        The raw road data and the path of its cached ``.npz`` (hashed into the graph key).

    Raises
    ------
    ErreurTelechargement
        No connection, or Overpass refused the query.
    ErreurReseau
        No road in the area.
    """
    filtres = filtres_overpass(classes, bacs=bacs)
    h = hashlib.sha256()
    h.update(VERSION_TELECHARGEMENT.encode())
    h.update(json.dumps(filtres).encode())
    h.update(shapely.to_wkb(shapely.normalize(polygone), output_dimension=2, byte_order=1))
    racine = racine_cache(dossier_cache)
    chemin = racine / "osm" / f"{h.hexdigest()}.npz"
    if chemin.exists() and not rafraichir:
        try:
            donnees = _lire_npz(chemin)
            logger.info("Téléchargement Overpass repris du cache : %s", chemin)
            return donnees, chemin
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            logger.warning("Téléchargement en cache illisible (%s) : nouveau téléchargement.", exc)
    logger.info("Téléchargement des routes depuis Overpass (osmnx)...")
    graphe = _telecharger(polygone, filtres, racine / "overpass")
    donnees = depuis_osmnx(
        graphe,
        orientes=False,
        description={
            "type": "overpass",
            "fichier": chemin.name,
            "date_telechargement": datetime.now(UTC).isoformat(timespec="seconds"),
            "filtres": filtres,
        },
    )
    tableaux = donnees.tableaux()
    tableaux["description"] = np.asarray(json.dumps(dict(donnees.description)))
    enregistrer: Any = np.savez  # its stubs do not type **arrays
    with ecriture_atomique(chemin) as temporaire, open(temporaire, "wb") as f:
        enregistrer(f, **tableaux)
    return donnees, chemin
