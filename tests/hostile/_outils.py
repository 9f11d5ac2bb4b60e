"""Helpers of the hostile-input tests: run the CLI, build small inputs, damage files."""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from accessibilite.cli import main


def lancer(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the CLI in this process: exit code and the last line of its error output.

    Checks on the way that the output has no Python traceback.
    """
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    erreurs = capsys.readouterr().err
    assert "Traceback" not in erreurs, erreurs
    lignes = [ligne for ligne in erreurs.splitlines() if ligne.strip()]
    return code, lignes[-1] if lignes else ""


def echoue_proprement(argv: Sequence[str], capsys: pytest.CaptureFixture[str], *motifs: str) -> str:
    """Run the CLI and check it ends with exit 2 and one French ``Erreur :`` line."""
    code, ligne = lancer(argv, capsys)
    assert code == 2, (code, ligne)
    assert ligne.startswith(("Erreur : ", "accessibilite")), ligne
    for motif in motifs:
        assert motif in ligne, (motif, ligne)
    return ligne


def pbf_grille(cible: Path, n: int = 130) -> Path:
    """A PBF of an ``n`` × ``n`` street grid near Arras (one way per street segment).

    130 × 130 gives two full node blocks (8,000 objects, osmium's block size), a partial
    one, four full way blocks and a partial one: enough to cut it between two blocks.
    """
    import osmium

    cible.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(cible)) as ecrivain:
        for i in range(n):
            for j in range(n):
                ecrivain.add_node(
                    osmium.osm.mutable.Node(
                        id=i * n + j + 1, location=(2.70 + j * 0.001, 50.20 + i * 0.001)
                    )
                )
        k = 1
        for i in range(n):
            for j in range(n):
                a = i * n + j + 1
                for b in ((a + 1) if j + 1 < n else None, (a + n) if i + 1 < n else None):
                    if b is not None:
                        ecrivain.add_way(
                            osmium.osm.mutable.Way(
                                id=k, nodes=[a, b], tags={"highway": "residential"}
                            )
                        )
                        k += 1
    return cible


def limites_blocs(chemin: Path) -> list[int]:
    """Byte offsets where each block of a PBF file starts, then the file's end."""
    from reseau._pbf import _blobs

    blobs, taille = _blobs(chemin)
    return [0] + [position + longueur for _, position, longueur in blobs[:-1]] + [taille]


def reecrire_entete_graphe(chemin: Path, modifier: Callable[[dict[str, Any]], None]) -> None:
    """Change the JSON header of a ``.graphe`` file and re-sign it (a valid checksum)."""
    brut = chemin.read_bytes()
    (longueur,) = struct.unpack("<Q", brut[8:16])
    entete = json.loads(brut[48 : 48 + longueur].decode())
    modifier(entete)
    texte = json.dumps(entete, ensure_ascii=False).encode()
    assert len(texte) <= longueur, "en-tête réécrit plus long que l'original"
    texte += b" " * (longueur - len(texte))
    chemin.write_bytes(brut[:16] + hashlib.sha256(texte).digest() + texte + brut[48 + longueur :])
