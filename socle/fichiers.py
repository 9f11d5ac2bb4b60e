"""Files shared by every package: atomic output, content hashing, the cache root, layers.

An interrupted run never leaves a half-written file under its final name: each output is
written to a temporary file in the same folder, then renamed with :func:`os.replace`.

The cache root is computed here and only here (:func:`racine_cache`): the folder given, else
``$ACCESSIBILITE_CACHE`` (:data:`VARIABLE_CACHE`), else the user cache folder of
``platformdirs``. This module imports the standard library only (``platformdirs``,
``geopandas`` are imported when used), so that scripts run before the project is installed
(``cartes/_actifs.py``) share the same root.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socle.erreurs import DonneesInvalides, DonneesManquantes, ErreurEcriture

if TYPE_CHECKING:
    import geopandas as gpd

    from socle.geopaquet import Metadonnees, Style, Vue

#: Environment variable that moves the cache root.
VARIABLE_CACHE = "ACCESSIBILITE_CACHE"

__all__ = [
    "VARIABLE_CACHE",
    "dossier_cache",
    "ecrire_couches",
    "ecrire_json",
    "ecrire_table",
    "ecriture_atomique",
    "empreinte_fichier",
    "lire_couche",
    "nettoyer_partiels",
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
    if chemin.is_dir():
        raise ErreurEcriture(f"{chemin} est un dossier : donnez un nom de fichier (--sortie).")
    dossier = preparer_dossier(chemin.parent)
    nettoyer_partiels(dossier, chemin.stem)
    try:
        descripteur, nom = tempfile.mkstemp(
            prefix=f".{chemin.stem}.{os.getpid()}.", suffix=f".partiel{chemin.suffix}", dir=dossier
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


#: A temporary file of a killed writer is removed after this long (seconds): on a shared
#: file system its process id may belong to another machine, so age is the safe test.
AGE_PARTIEL_S = 3600.0


def nettoyer_partiels(dossier: str | Path, nom: str = "*", *, age_s: float = AGE_PARTIEL_S) -> int:
    """Remove the temporary files that killed writers left in ``dossier``.

    Only files of :func:`ecriture_atomique` (``.<nom>.<pid>.<hasard>.partiel<suffixe>``)
    whose process is gone and that are older than ``age_s`` are removed; returns their
    number.
    """
    import time

    n = 0
    maintenant = time.time()
    for chemin in Path(dossier).glob(f".{nom}.*.partiel*"):
        morceaux = chemin.name.split(".")
        pid = next((int(m) for m in morceaux[2:3] if m.isdigit()), None)
        try:
            vieux = maintenant - chemin.stat().st_mtime > age_s
        except OSError:
            continue
        if not vieux or (pid is not None and _processus_vivant(pid)):
            continue
        with contextlib.suppress(OSError):
            if chemin.is_dir():
                import shutil

                shutil.rmtree(chemin)
            else:
                chemin.unlink()
            n += 1
    return n


def _processus_vivant(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: exists, another user's
        return True
    return True


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
    racine = os.environ.get(VARIABLE_CACHE)
    if racine:
        return Path(racine).expanduser()
    try:
        import platformdirs
    except ImportError:  # a script run before the project (and platformdirs) is installed
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(xdg) / "accessibilite"
    return Path(platformdirs.user_cache_dir("accessibilite"))


def dossier_cache(*sous_dossiers: str) -> Path:
    """A sub-folder of the cache root (see :func:`racine_cache`), created if needed."""
    return preparer_dossier(racine_cache().joinpath(*sous_dossiers))


def ecrire_table(table: Any, chemin: str | Path) -> Path:
    """Write a pandas table as UTF-8 CSV (no index), atomically (other dialects and
    workbooks: :mod:`socle.tableur`)."""
    chemin = Path(chemin)
    with ecriture_atomique(chemin) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8")
    return chemin


def ecrire_json(donnees: Any, chemin: str | Path) -> Path:
    """Write strict JSON (UTF-8, indented, non-JSON values as text), atomically.

    Raises
    ------
    DonneesInvalides
        A number is not finite (NaN or infinite: not JSON); the message names its key.
        Such values are refused where they enter (options, files); this is the last guard.
    """
    import json

    chemin = Path(chemin)
    try:
        texte = json.dumps(donnees, ensure_ascii=False, indent=2, default=str, allow_nan=False)
    except ValueError as exc:
        raise DonneesInvalides(
            f"{chemin.name} non écrit : la valeur de {_cle_non_finie(donnees) or 'une clé'} "
            "n'est pas un nombre fini (NaN ou infini), ce que JSON ne représente pas ; "
            "vérifiez les nombres donnés en entrée."
        ) from exc
    with ecriture_atomique(chemin) as tmp:
        tmp.write_text(texte, encoding="utf-8")
    return chemin


def _cle_non_finie(donnees: Any, chemin: str = "") -> str | None:
    """Dotted path of the first non-finite float in nested dicts and lists, or ``None``."""
    import math

    if isinstance(donnees, float) and not math.isfinite(donnees):
        return chemin or "la racine"
    if isinstance(donnees, dict):
        elements: Any = ((str(k), v) for k, v in donnees.items())
    elif isinstance(donnees, list | tuple):
        elements = ((str(i), v) for i, v in enumerate(donnees))
    else:
        return None
    for cle, valeur in elements:
        trouve = _cle_non_finie(valeur, f"{chemin}.{cle}" if chemin else cle)
        if trouve is not None:
            return trouve
    return None


def ecrire_couches(
    couches: Mapping[str, Any],
    chemin: str | Path,
    *,
    styles: Mapping[str, Sequence[Style]] | None = None,
    vues: Mapping[str, Vue] | None = None,
    metadonnees: Metadonnees | None = None,
) -> Path:
    """Write GeoDataFrames to a GeoPackage (one layer each) or a GeoJSON file, atomically.

    A ``.gpkg`` keeps each layer's CRS and is a GeoPackage 1.2 (what QGIS 3.22 reads
    without a warning), with the QGIS ``styles`` of its layers (``layer_styles``: QGIS
    loads the default one when the layer is opened), its ``vues`` (layers defined as views
    of another, with their own style) and the provenance ``metadonnees``
    (``gpkg_metadata``). A ``.geojson`` file holds a single layer in EPSG:4326 (RFC 7946),
    named after the file; its default style goes beside it as ``<nom>.qml``, which QGIS
    loads too.

    Raises
    ------
    DonneesInvalides
        Unknown extension, or several layers for a GeoJSON file.
    """
    from socle.geopaquet import VERSION_GPKG, creer_vue, ecrire_metadonnees, ecrire_styles

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
        for rang, (nom, couche) in enumerate(couches.items()):
            if suffixe == ".gpkg":
                options = {"dataset_options": {"VERSION": VERSION_GPKG}} if rang == 0 else {}
                couche.to_file(tmp, layer=nom, driver="GPKG", engine="pyogrio", **options)
            else:
                # the layer name is the GeoJSON "name" member: the file's, not the temporary's
                couche.to_crs("EPSG:4326").to_file(
                    tmp, layer=chemin.stem, driver="GeoJSON", engine="pyogrio"
                )
        if suffixe == ".gpkg":
            for nom, vue in (vues or {}).items():
                creer_vue(tmp, nom, vue)
            if styles:
                ecrire_styles(tmp, styles)
            if metadonnees is not None:
                ecrire_metadonnees(tmp, metadonnees)
    if suffixe != ".gpkg" and styles:
        (seule,) = couches
        defaut = next((s for s in styles.get(seule, ()) if s.defaut), None)
        if defaut is not None:
            with ecriture_atomique(chemin.with_suffix(".qml")) as tmp_qml:
                tmp_qml.write_text(defaut.qml, encoding="utf-8")
    return chemin


def lire_couche(chemin: str | Path, *, quoi: str = "Couche") -> gpd.GeoDataFrame:
    """Read a vector layer (GeoJSON, GeoPackage, Shapefile) as a GeoDataFrame.

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    DonneesInvalides
        Unreadable or empty.
    """
    import geopandas as gpd

    chemin = Path(chemin)
    if not chemin.is_file():
        raise DonneesManquantes(f"{quoi} introuvable : {chemin}. Vérifiez le chemin donné.")
    try:
        couche = gpd.read_file(chemin, layer=_premiere_couche(chemin))
    except Exception as exc:  # pyogrio raises its own DataSourceError, and OSError
        cause = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise DonneesInvalides(
            f"{quoi} {chemin.name} illisible, abîmée ou tronquée ({cause}) : attendu un "
            "GeoJSON ou un GeoPackage complet."
        ) from exc
    if len(couche) == 0:
        raise DonneesInvalides(f"{quoi} {chemin.name} : la couche est vide.")
    return couche


def _premiere_couche(chemin: Path) -> str | None:
    """The first data layer of a file: a GeoPackage's ``layer_styles`` table (the QGIS
    styles the project writes) is not one; ``None`` lets the driver choose."""
    if chemin.suffix.lower() != ".gpkg":
        return None
    try:
        import pyogrio

        noms = [str(c[0]) for c in pyogrio.list_layers(chemin)]
    except Exception:  # unreadable: read_file gives the error
        return None
    donnees = [n for n in noms if n not in ("layer_styles", "gpkg_metadata")]
    return donnees[0] if donnees else None
