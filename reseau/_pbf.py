"""The block structure of an OpenStreetMap PBF file: :func:`verifier_fin_pbf`.

A PBF file is a sequence of blobs (``BlobHeader`` then ``Blob``), the first one an
``OSMHeader``, the others ``OSMData`` blocks of at most a fixed number of objects (8,000
for osmium and osmosis). There is no end marker: a file cut exactly between two blocks
reads without any error, and builds a graph of the part that arrived (the nodes and the
first tenth of the ways, say). What gives it away is its last block: in a complete file it
holds the remainder (fewer objects than a full block); in a file cut between blocks it is
a full block like the ones before it.

Only the blob headers are read (a seek per block) and the last block and the first ones
decompressed: checking a country extract costs a fraction of a second.
"""

from __future__ import annotations

import lzma
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

from socle.erreurs import ErreurReseau

__all__ = ["objets_du_bloc", "verifier_fin_pbf"]

#: Largest BlobHeader the format allows (bytes).
_ENTETE_MAX = 64 * 1024
#: Largest Blob the format allows (bytes).
_BLOB_MAX = 32 * 1024 * 1024
#: Data blocks read at the start of the file to learn the size of a full block.
_BLOCS_TEMOINS = 3


def _varint(donnees: bytes, i: int) -> tuple[int, int]:
    valeur = decalage = 0
    while True:
        if i >= len(donnees):
            raise ValueError("varint tronqué")
        octet = donnees[i]
        i += 1
        valeur |= (octet & 0x7F) << decalage
        if octet < 0x80:
            return valeur, i
        decalage += 7
        if decalage > 63:
            raise ValueError("varint trop long")


def _champs(donnees: bytes) -> Iterator[tuple[int, int | bytes]]:
    """The (field number, value) pairs of a protobuf message (no schema needed)."""
    i = 0
    while i < len(donnees):
        cle, i = _varint(donnees, i)
        numero, genre = cle >> 3, cle & 7
        valeur: int | bytes
        if genre == 0:
            valeur, i = _varint(donnees, i)
        elif genre == 2:
            longueur, i = _varint(donnees, i)
            if i + longueur > len(donnees):
                raise ValueError("champ tronqué")
            valeur, i = donnees[i : i + longueur], i + longueur
        elif genre == 1:
            valeur, i = donnees[i : i + 8], i + 8
        elif genre == 5:
            valeur, i = donnees[i : i + 4], i + 4
        else:
            raise ValueError(f"type de champ protobuf {genre} inconnu")
        yield numero, valeur


def _blobs(chemin: Path) -> tuple[list[tuple[str, int, int]], int]:
    """(type, offset of the blob, size of the blob) of every block, and the file size.

    Raises ValueError when the framing is not a PBF's, ErreurReseau when the last blob is
    cut (the file ends inside it).
    """
    taille = chemin.stat().st_size
    blobs: list[tuple[str, int, int]] = []
    with chemin.open("rb") as f:
        position = 0
        while position < taille:
            f.seek(position)
            debut = f.read(4)
            if len(debut) < 4:
                raise _tronque(chemin, "au milieu d'un en-tête de bloc")
            (longueur,) = struct.unpack(">I", debut)
            if not 0 < longueur <= _ENTETE_MAX:
                raise ValueError("longueur d'en-tête de bloc invalide")
            entete = f.read(longueur)
            if len(entete) < longueur:
                raise _tronque(chemin, "au milieu d'un en-tête de bloc")
            champs = dict(_champs(entete))
            genre, taille_blob = champs.get(1), champs.get(3)
            if not isinstance(genre, bytes) or not isinstance(taille_blob, int):
                raise ValueError("en-tête de bloc sans type ni taille")
            if taille_blob > _BLOB_MAX:
                raise ValueError("bloc plus grand que le format ne l'autorise")
            debut_blob = position + 4 + longueur
            if debut_blob + taille_blob > taille:
                raise _tronque(chemin, "au milieu d'un bloc")
            blobs.append((genre.decode("ascii", "replace"), debut_blob, taille_blob))
            position = debut_blob + taille_blob
    return blobs, taille


def _decompresser(blob: bytes) -> bytes | None:
    """The raw content of a Blob, or ``None`` for a compression we cannot read (zstd...)."""
    champs = dict(_champs(blob))
    brut, compresse = champs.get(1), champs.get(3)
    if isinstance(brut, bytes):
        return brut
    if isinstance(compresse, bytes):
        return zlib.decompress(compresse)
    lzma_donnees = champs.get(4)
    if isinstance(lzma_donnees, bytes):
        return lzma.decompress(lzma_donnees)
    return None


def objets_du_bloc(bloc: bytes) -> int:
    """Number of OSM objects (nodes, dense nodes, ways, relations) in a PrimitiveBlock."""
    n = 0
    for numero, groupe in _champs(bloc):
        if numero != 2 or not isinstance(groupe, bytes):  # 2: PrimitiveGroup
            continue
        for genre, valeur in _champs(groupe):
            if genre in (1, 3, 4):  # Node, Way, Relation
                n += 1
            elif genre == 2 and isinstance(valeur, bytes):  # DenseNodes: count the ids
                for champ, ids in _champs(valeur):
                    if champ == 1 and isinstance(ids, bytes):  # packed sint64 varints
                        n += sum(1 for octet in ids if octet < 0x80)
    return n


def _tronque(chemin: Path, ou: str) -> ErreurReseau:
    return ErreurReseau(
        f"Fichier OpenStreetMap illisible ou tronqué : {chemin.name} ({ou}) ; un extrait "
        "incomplet donnerait un réseau amputé : retéléchargez-le (accessibilite donnees "
        "telecharger --rafraichir, ou depuis Geofabrik)."
    )


def verifier_fin_pbf(chemin: str | Path) -> None:
    """Refuse a PBF file cut short, even exactly between two blocks.

    Raises
    ------
    ErreurReseau
        The file ends inside a block, or its last block is full (as many objects as the
        full blocks at its start): the file was cut between blocks. A file whose framing
        is not a PBF's is left to the reader, which reports it.
    """
    chemin = Path(chemin)
    try:
        blobs, _ = _blobs(chemin)
        donnees = [b for b in blobs if b[0] == "OSMData"]
        if len(donnees) < 2:
            return
        temoins = donnees[: min(_BLOCS_TEMOINS, len(donnees) - 1)]
        comptes = []
        with chemin.open("rb") as f:
            for _, position, taille in [*temoins, donnees[-1]]:
                f.seek(position)
                bloc = _decompresser(f.read(taille))
                if bloc is None:
                    return  # a compression we cannot read: nothing to say
                comptes.append(objets_du_bloc(bloc))
    except ErreurReseau:  # the file ends inside a block (ErreurReseau is a ValueError)
        raise
    except (ValueError, zlib.error, lzma.LZMAError, OSError):
        return  # not a PBF framing we understand: the reader will say what is wrong
    # the size of a full block: two of the first blocks hold the same number of objects
    # (a small file of one or two blocks cannot tell, and is not checked)
    temoins_comptes = comptes[:-1]
    pleins = {n for n in temoins_comptes if temoins_comptes.count(n) >= 2}
    if not pleins:
        return
    plein = max(pleins)
    if plein > 0 and comptes[-1] >= plein:
        raise _tronque(
            chemin,
            f"son dernier bloc est plein, {comptes[-1]} objets comme les précédents : le "
            "fichier s'arrête entre deux blocs",
        )
