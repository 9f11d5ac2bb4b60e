"""Atomic file output and content hashing, shared by every package.

An interrupted run never leaves a half-written file under its final name: each output is
written to a temporary file in the same folder, then renamed with :func:`os.replace`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from reseau.erreurs import ErreurEcriture

__all__ = [
    "dossier_cache",
    "ecrire_couches",
    "ecrire_json",
    "ecrire_table",
    "ecriture_atomique",
    "empreinte_fichier",
    "preparer_dossier",
    "racine_cache",
]


def preparer_dossier(dossier: str | Path) -> Path:
    """Create ``dossier`` (and parents) if needed and check it can be written.

    Raises
    ------
    ErreurEcriture
        The folder cannot be created or is not writable.
    """
    dossier = Path(dossier)
    try:
        dossier.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ErreurEcriture(
            f"Impossible de créer le dossier de sortie {dossier} ({exc.strerror or exc}) : "
            "choisissez un dossier où vous avez le droit d'écrire."
        ) from exc
    if not os.access(dossier, os.W_OK):
        raise ErreurEcriture(
            f"Le dossier de sortie {dossier} n'est pas accessible en écriture : "
            "choisissez un autre dossier (--sortie)."
        )
    return dossier


@contextlib.contextmanager
def ecriture_atomique(chemin: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``chemin``; rename it to ``chemin`` on success.

    The temporary file keeps the final suffix (drivers such as GeoPackage need it). On any
    error the temporary file is removed and the previous file, if any, is left untouched.

    Examples
    --------
    >>> with ecriture_atomique("resultats/table.csv") as tmp:  # doctest: +SKIP
    ...     table.to_csv(tmp)
    """
    chemin = Path(chemin)
    dossier = preparer_dossier(chemin.parent)
    try:
        descripteur, nom = tempfile.mkstemp(
            prefix=f".{chemin.stem}.", suffix=f".partiel{chemin.suffix}", dir=dossier
        )
    except OSError as exc:
        raise ErreurEcriture(
            f"Impossible d'écrire dans {dossier} ({exc.strerror or exc})."
        ) from exc
    os.close(descripteur)
    temporaire = Path(nom)
    temporaire.unlink()  # let writers create it (some refuse to open an existing file)
    try:
        yield temporaire
        if not temporaire.exists():
            raise ErreurEcriture(f"Rien n'a été écrit pour {chemin.name}.")
        os.replace(temporaire, chemin)
    except BaseException:
        with contextlib.suppress(OSError):
            temporaire.unlink()
        raise


def empreinte_fichier(chemin: str | Path, *, taille_bloc: int = 1 << 20) -> str:
    """Return the sha256 hex digest of a file, read in blocks."""
    h = hashlib.sha256()
    with open(chemin, "rb") as f:
        while bloc := f.read(taille_bloc):
            h.update(bloc)
    return h.hexdigest()


def racine_cache(dossier: str | os.PathLike[str] | None = None) -> Path:
    """The cache root (not created): ``dossier`` if given, else ``$ACCESSIBILITE_CACHE``,
    else ``platformdirs.user_cache_dir("accessibilite")``. Never inside the repository."""
    if dossier is not None:
        return Path(dossier).expanduser()
    racine = os.environ.get("ACCESSIBILITE_CACHE")
    if racine:
        return Path(racine).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("accessibilite"))


def dossier_cache(*sous_dossiers: str) -> Path:
    """A sub-folder of the cache root (see :func:`racine_cache`), created if needed."""
    return preparer_dossier(racine_cache().joinpath(*sous_dossiers))


def ecrire_table(table: Any, chemin: str | Path) -> Path:
    """Write a pandas table as UTF-8 CSV (no index), atomically."""
    chemin = Path(chemin)
    with ecriture_atomique(chemin) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8")
    return chemin


def ecrire_json(donnees: Any, chemin: str | Path) -> Path:
    """Write JSON (UTF-8, indented, non-JSON values as text), atomically."""
    import json

    chemin = Path(chemin)
    with ecriture_atomique(chemin) as tmp:
        tmp.write_text(
            json.dumps(donnees, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
    return chemin


def ecrire_couches(couches: Mapping[str, Any], chemin: str | Path) -> Path:
    """Write GeoDataFrames to a GeoPackage (one layer each) or a GeoJSON file, atomically.

    A ``.geojson`` file holds a single layer and is written in EPSG:4326 (RFC 7946);
    a ``.gpkg`` keeps each layer's CRS.

    Raises
    ------
    DonneesInvalides
        Unknown extension, or several layers for a GeoJSON file.
    """
    from reseau.erreurs import DonneesInvalides

    chemin = Path(chemin)
    suffixe = chemin.suffix.lower()
    if suffixe not in (".gpkg", ".geojson", ".json"):
        raise DonneesInvalides(
            f"Format de sortie non reconnu ({chemin.name}) : .gpkg (GeoPackage) ou .geojson."
        )
    if suffixe != ".gpkg" and len(couches) != 1:
        raise DonneesInvalides(
            f"Un fichier GeoJSON ne contient qu'une couche ({len(couches)} demandées) : "
            "écrivez un .gpkg."
        )
    with ecriture_atomique(chemin) as tmp:
        for nom, couche in couches.items():
            if suffixe == ".gpkg":
                couche.to_file(tmp, layer=nom, driver="GPKG", engine="pyogrio")
            else:
                couche.to_crs("EPSG:4326").to_file(tmp, driver="GeoJSON", engine="pyogrio")
    return chemin
