"""Save and load a :class:`~reseau.Graphe` in one memory-mappable file.

The format (``.graphe``, documented in ``docs/RESEAU.md``) is a small binary envelope:

=========  ========  ============================================================
offset     size      content
=========  ========  ============================================================
0          8         magic ``b"ACCGRAPH"``
8          8         header length ``H`` (uint64, little-endian)
16         32        sha256 of the header bytes
48         ``H``     header: UTF-8 JSON (format version, sizes, CRS, metadata, and
                     for each array its name, dtype, shape, offset, byte count,
                     sha256)
...                  the arrays, raw little-endian C order, each starting at a
                     multiple of 64 bytes
=========  ========  ============================================================

:func:`charger_graphe` maps the arrays with :class:`numpy.memmap` (read-only): several
processes (Dask workers) reading the same file share its pages. It checks the magic, the
header checksum, the file size and, unless ``verifier=False``, every array's sha256: a
truncated or altered file raises :class:`~reseau.CacheCorrompu`, never a wrong graph.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from reseau.graphe import Graphe
from socle.erreurs import CacheCorrompu, DonneesManquantes
from socle.fichiers import ecriture_atomique

__all__ = [
    "FORMAT",
    "VERSION_FORMAT",
    "charger_graphe",
    "ecrire_conteneur",
    "lire_entete",
    "lire_entete_conteneur",
    "lire_tableaux",
    "sauvegarder_graphe",
]

#: Name of the format in the header.
FORMAT = "accessibilite-graphe"
#: Version of the on-disk format (bump on any incompatible change).
VERSION_FORMAT = 1
_MAGIE = b"ACCGRAPH"
_ALIGNEMENT = 64
_PREFIXE = 8 + 8 + 32
_CONSEIL = "reconstruisez-le (accessibilite reseau construire) ou supprimez-le du cache."
_ROUTAGE = ("indptr", "indices", "temps_s", "indptr_inv", "indices_inv", "temps_s_inv", "arc_inv")


def _json_par_defaut(valeur: Any) -> Any:
    if isinstance(valeur, np.integer):
        return int(valeur)
    if isinstance(valeur, np.floating):
        return float(valeur)
    if isinstance(valeur, np.bool_):
        return bool(valeur)
    if isinstance(valeur, np.ndarray):
        return valeur.tolist()
    if isinstance(valeur, set | frozenset | tuple):
        return list(valeur)
    if isinstance(valeur, Path):
        return str(valeur)
    raise TypeError(f"métadonnée non sérialisable en JSON : {type(valeur).__name__}")


def _tableaux(graphe: Graphe) -> dict[str, NDArray[Any]]:
    tout: dict[str, NDArray[Any]] = {nom: getattr(graphe, nom) for nom in _ROUTAGE}
    for nom in ("x", "y", "osm_ids"):
        valeur = getattr(graphe, nom)
        if valeur is not None:
            tout[nom] = valeur
    for nom, valeur in graphe.attributs_arcs.items():
        tout[f"arc:{nom}"] = valeur
    return tout


def _somme(tableau: NDArray[Any]) -> str:
    """sha256 of an array's raw bytes (C order)."""
    return hashlib.sha256(np.ascontiguousarray(tableau).view(np.uint8).data).hexdigest()


def _aligner(position: int) -> int:
    return -(-position // _ALIGNEMENT) * _ALIGNEMENT


def ecrire_conteneur(
    chemin: str | Path, magie: bytes, entete: dict[str, Any], tableaux: dict[str, NDArray[Any]]
) -> Path:
    """Write the envelope of this module: ``magie``, then ``entete`` (a JSON object, to
    which the arrays' descriptions are added as ``tableaux``), then the arrays, atomically
    (temporary file, then rename). Also the format of the ``.hierarchie`` files.

    Raises
    ------
    ErreurEcriture
        The folder cannot be written.
    """
    chemin = Path(chemin)
    contigus = {
        nom: np.ascontiguousarray(t, dtype=np.asarray(t).dtype.newbyteorder("<"))
        for nom, t in tableaux.items()
    }
    descriptions: list[dict[str, Any]] = []
    for nom, t in contigus.items():
        if t.dtype.hasobject:
            raise TypeError(f"tableau « {nom} » de type objet : non enregistrable")
        descriptions.append(
            {
                "nom": nom,
                "dtype": t.dtype.str,
                "forme": list(t.shape),
                "octets": int(t.nbytes),
                "sha256": _somme(t),
            }
        )
    entete = {**entete, "tableaux": descriptions}
    # offsets depend on the header length, which depends on the offsets: place the arrays
    # after a header reserved with room to spare, then pad the header with spaces.
    brouillon = json.dumps(entete, default=_json_par_defaut, ensure_ascii=False).encode()
    reserve = _aligner(_PREFIXE + len(brouillon) + 32 * len(descriptions) + 64) - _PREFIXE
    position = _PREFIXE + reserve
    for d in descriptions:
        position = _aligner(position)
        d["decalage"] = position
        position += d["octets"]
    texte = json.dumps(entete, default=_json_par_defaut, ensure_ascii=False).encode()
    if len(texte) > reserve:  # pragma: no cover - the margin above is generous
        raise RuntimeError("en-tête plus long que prévu")
    texte = texte + b" " * (reserve - len(texte))
    with ecriture_atomique(chemin) as temporaire, open(temporaire, "wb") as f:
        f.write(magie)
        f.write(struct.pack("<Q", len(texte)))
        f.write(hashlib.sha256(texte).digest())
        f.write(texte)
        for d in descriptions:
            f.write(b"\0" * (d["decalage"] - f.tell()))
            f.write(contigus[d["nom"]].data)
    return chemin


def sauvegarder_graphe(graphe: Graphe, chemin: str | Path) -> Path:
    """Write ``graphe`` to ``chemin`` (atomically: temporary file, then rename).

    Returns
    -------
    Path
        ``chemin``.

    Raises
    ------
    ErreurEcriture
        The folder cannot be written.
    """
    entete: dict[str, Any] = {
        "format": FORMAT,
        "version_format": VERSION_FORMAT,
        "n_noeuds": graphe.n_noeuds,
        "n_arcs": graphe.n_arcs,
        "crs": graphe.crs,
        "metadonnees": dict(graphe.metadonnees),
    }
    return ecrire_conteneur(chemin, _MAGIE, entete, _tableaux(graphe))


def lire_entete(chemin: str | Path) -> dict[str, Any]:
    """Read and check the header of a graph file (no array is read).

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    CacheCorrompu
        Not a graph file, header altered, or file shorter than its arrays need.
    """
    return lire_entete_conteneur(
        chemin,
        magie=_MAGIE,
        format_attendu=FORMAT,
        version=VERSION_FORMAT,
        quoi="graphe",
        conseil=_CONSEIL,
        types_attendus=_TYPES_ATTENDUS,
    )


def lire_entete_conteneur(
    chemin: str | Path,
    *,
    magie: bytes,
    format_attendu: str,
    version: int,
    quoi: str,
    conseil: str,
    types_attendus: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Read and check the header of a file written by :func:`ecrire_conteneur`.

    ``quoi`` names the kind of file in messages (``graphe``), ``conseil`` says what to do
    about a bad one; ``types_attendus`` gives the dtype of the arrays that need one (the
    others may be any plain number type).

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    CacheCorrompu
        Not such a file, header altered, or file shorter than its arrays need.
    """
    chemin = Path(chemin)
    if not chemin.is_file():
        raise DonneesManquantes(f"Fichier de {quoi} introuvable : {chemin}.")
    taille = chemin.stat().st_size
    with open(chemin, "rb") as f:
        prefixe = f.read(_PREFIXE)
        if len(prefixe) < _PREFIXE or prefixe[:8] != magie:
            raise CacheCorrompu(
                f"{chemin.name} n'est pas un fichier de {quoi} d'accessibilite (en-tête "
                f"absent ou tronqué) : {conseil}"
            )
        (longueur,) = struct.unpack("<Q", prefixe[8:16])
        if longueur > taille:
            raise CacheCorrompu(f"Fichier de {quoi} tronqué : {chemin.name} ; {conseil}")
        texte = f.read(longueur)
    if len(texte) != longueur or hashlib.sha256(texte).digest() != prefixe[16:48]:
        raise CacheCorrompu(
            f"En-tête du fichier de {quoi} {chemin.name} altéré (somme de contrôle) : {conseil}"
        )
    try:
        entete: dict[str, Any] = json.loads(texte.decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CacheCorrompu(f"En-tête illisible dans {chemin.name} : {conseil}") from exc
    if not isinstance(entete, dict) or (
        entete.get("format") != format_attendu or entete.get("version_format") != version
    ):
        trouve = entete if isinstance(entete, dict) else {}
        raise CacheCorrompu(
            f"{chemin.name} : format {trouve.get('format')} version "
            f"{trouve.get('version_format')} ; attendu {format_attendu} version {version} : "
            f"{conseil}"
        )
    debut_donnees = _PREFIXE + longueur
    descriptions = entete.get("tableaux")
    if not isinstance(descriptions, list):
        raise CacheCorrompu(f"{chemin.name} : liste des tableaux absente de l'en-tête ; {conseil}")
    for d in descriptions:
        _verifier_description(d, chemin.name, debut_donnees, conseil, types_attendus or {})
    fin = max((d["decalage"] + d["octets"] for d in descriptions), default=0)
    if taille < fin:
        raise CacheCorrompu(
            f"Fichier de {quoi} tronqué : {chemin.name} ({taille} octets, {fin} attendus) ; "
            f"{conseil}"
        )
    return entete


def lire_tableaux(
    chemin: str | Path,
    entete: dict[str, Any],
    *,
    requis: tuple[str, ...],
    quoi: str,
    conseil: str,
    verifier: bool = True,
    mmap: bool = True,
) -> dict[str, NDArray[Any]]:
    """The arrays of a file whose header :func:`lire_entete_conteneur` checked, by name.

    ``verifier`` checks every array's sha256; ``mmap`` maps them read-only from the file
    (pages shared between processes) instead of reading them into memory.

    Raises
    ------
    CacheCorrompu
        An array's checksum does not match, or one of ``requis`` is absent.
    """
    chemin = Path(chemin)
    tableaux: dict[str, NDArray[Any]] = {}
    for d in entete["tableaux"]:
        dtype = np.dtype(d["dtype"])
        forme = tuple(d["forme"])
        if mmap and d["octets"] > 0:
            t: NDArray[Any] = np.memmap(
                chemin, dtype=dtype, mode="r", offset=d["decalage"], shape=forme
            )
        else:
            with open(chemin, "rb") as f:
                f.seek(d["decalage"])
                t = np.frombuffer(f.read(d["octets"]), dtype=dtype).reshape(forme).copy()
        if verifier and _somme(t) != d["sha256"]:
            raise CacheCorrompu(
                f"Fichier de {quoi} {chemin.name} altéré : la somme de contrôle du tableau "
                f"« {d['nom']} » ne correspond pas ; {conseil}"
            )
        tableaux[d["nom"]] = t
    manquants = [nom for nom in requis if nom not in tableaux]
    if manquants:
        raise CacheCorrompu(f"{chemin.name} : tableaux absents ({', '.join(manquants)}).")
    return tableaux


#: The dtype of each array the graph needs; the other arrays (arc attributes) may be any
#: plain number type (booleans, integers, floats; never Python objects).
_TYPES_ATTENDUS = {
    "indptr": "<i8",
    "indices": "<i4",
    "temps_s": "<f4",
    "indptr_inv": "<i8",
    "indices_inv": "<i4",
    "temps_s_inv": "<f4",
    "arc_inv": "<i4",
    "x": "<f8",
    "y": "<f8",
    "osm_ids": "<i8",
}


def _verifier_description(
    d: Any, nom_fichier: str, debut: int, conseil: str, types_attendus: dict[str, str]
) -> None:
    """Check one array entry of the header (name, dtype, shape, offset, size)."""
    if not isinstance(d, dict) or not isinstance(d.get("nom"), str):
        raise CacheCorrompu(f"{nom_fichier} : description de tableau mal formée ; {conseil}")
    nom = d["nom"]
    texte = d.get("dtype")
    try:
        dtype = np.dtype(texte) if isinstance(texte, str) else None
    except (TypeError, ValueError):
        dtype = None
    attendu = types_attendus.get(nom)
    if (
        dtype is None
        or dtype.kind not in "biuf"
        or dtype.itemsize > 8
        or (dtype.itemsize > 1 and dtype.byteorder not in "<=")
        or (attendu is not None and dtype != np.dtype(attendu))
    ):
        raise CacheCorrompu(
            f"{nom_fichier} : type {texte!r} non pris en charge pour le tableau « {nom} » "
            f"(attendu {attendu or 'un nombre : booléen, entier ou réel'}) ; {conseil}"
        )
    forme, octets, decalage = d.get("forme"), d.get("octets"), d.get("decalage")
    if (
        not isinstance(forme, list)
        or not all(isinstance(k, int) and not isinstance(k, bool) and k >= 0 for k in forme)
        or not isinstance(octets, int)
        or not isinstance(decalage, int)
        or octets != int(np.prod(forme, dtype=np.int64)) * dtype.itemsize
    ):
        raise CacheCorrompu(
            f"{nom_fichier} : forme ou taille incohérente pour le tableau « {nom} » ; {conseil}"
        )
    if decalage < debut or decalage % _ALIGNEMENT:
        raise CacheCorrompu(
            f"{nom_fichier} : position du tableau « {nom} » invalide dans le fichier ; {conseil}"
        )
    if not isinstance(d.get("sha256"), str):
        raise CacheCorrompu(f"{nom_fichier} : somme du tableau « {nom} » absente ; {conseil}")


def charger_graphe(chemin: str | Path, *, verifier: bool = True, mmap: bool = True) -> Graphe:
    """Load a graph saved by :func:`sauvegarder_graphe`.

    Parameters
    ----------
    chemin
        The ``.graphe`` file.
    verifier
        Check every array's sha256 (reads the whole file once). Workers that load a file
        already checked may pass ``False``.
    mmap
        Map the arrays read-only from the file (shared between processes) instead of
        reading them into memory.

    Returns
    -------
    Graphe
        Equal, array for array, to the saved one.

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    CacheCorrompu
        Not a graph file, truncated, or a checksum does not match.
    """
    entete = lire_entete(chemin)
    tableaux = lire_tableaux(
        chemin,
        entete,
        requis=_ROUTAGE,
        quoi="graphe",
        conseil=_CONSEIL,
        verifier=verifier,
        mmap=mmap,
    )
    return Graphe(
        **{nom: tableaux[nom] for nom in _ROUTAGE},
        x=tableaux.get("x"),
        y=tableaux.get("y"),
        crs=entete.get("crs"),
        osm_ids=tableaux.get("osm_ids"),
        attributs_arcs={
            nom.split(":", 1)[1]: t for nom, t in tableaux.items() if nom.startswith("arc:")
        },
        metadonnees=entete.get("metadonnees", {}),
    )
