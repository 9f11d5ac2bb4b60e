"""Where cached road graphs and downloads live, and their content-hash keys.

The cache root is :func:`socle.fichiers.racine_cache`; road graphs go to its ``reseau/``
sub-folder (one ``<key>.graphe`` file each, see :mod:`reseau.stockage`), Overpass downloads
to ``osm/`` and osmnx's own HTTP cache to ``overpass/``. Nothing is ever cached in the
repository.

A key is the sha256 of everything that decides the result: the input files' content (not
their name or date), the clipping polygon (WKB), the speed table (its canonical content),
the options and the builder version. A changed input never reuses a stale cache.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from reseau.vitesses import ModeleVitesses
from socle.fichiers import empreinte_fichier, racine_cache

__all__ = ["chemin_graphe", "cle_graphe"]


def chemin_graphe(cle: str, dossier: str | Path | None = None) -> Path:
    """Path of the cached graph of key ``cle``."""
    return racine_cache(dossier) / "reseau" / f"{cle}.graphe"


def cle_graphe(
    *,
    fichiers: Iterable[str | Path],
    polygone: BaseGeometry | None,
    modele: ModeleVitesses,
    options: Mapping[str, Any],
    version: str,
) -> str:
    """sha256 key of a graph build (see the module docstring)."""
    h = hashlib.sha256()
    h.update(f"version={version}\n".encode())
    for fichier in fichiers:
        h.update(f"fichier={empreinte_fichier(fichier)}\n".encode())
    if polygone is not None:
        h.update(b"polygone=")
        h.update(shapely.to_wkb(shapely.normalize(polygone), output_dimension=2, byte_order=1))
        h.update(b"\n")
    h.update(f"vitesses={modele.empreinte}\n".encode())
    h.update(f"options={json.dumps(dict(options), sort_keys=True, default=str)}\n".encode())
    return h.hexdigest()
