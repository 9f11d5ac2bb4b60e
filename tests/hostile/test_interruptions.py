"""``zones-grises`` interrupted at several points of its write (Ctrl-C, SIGTERM, SIGKILL):
the previous result stays whole, nothing stray is left, and a rerun gives the same result
as a run never interrupted.

The command runs in a child process whose atomic file writer sends the signal to its own
process when it starts its ``n``-th file: the interruption lands exactly there, with no
timing involved.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from socle.dossiers import MANIFESTE
from tests.conftest import RACINE

pytestmark = pytest.mark.lent

_ENFANT = """
import os, signal, sys
sys.path.insert(0, {racine!r})
import socle.fichiers as fichiers
from accessibilite.cli import main

SIGNAL, RANG = {signal_envoye!r}, {rang!r}
original = fichiers.ecriture_atomique
compte = [0]

def interrompue(chemin):
    compte[0] += 1
    if compte[0] == RANG:
        os.kill(os.getpid(), SIGNAL)
    return original(chemin)

fichiers.ecriture_atomique = interrompue
sys.exit(main({argv!r}))
"""


def _argv(bpe: Path, gammes: Path, sortie: Path, seuil: str) -> list[str]:
    return [
        "zones-grises",
        "--departement",
        "90",
        "--bpe",
        str(bpe),
        "--gammes",
        str(gammes.with_name(f"gammes_{seuil}.toml")),
        "--sortie",
        str(sortie),
        "--cartes",
        "aucune",
        "--ecraser",
    ]


def _lancer(
    argv: list[str], cache: Path, *, signal_envoye: int = 0, rang: int = 0
) -> subprocess.CompletedProcess[str]:
    code = _ENFANT.format(
        racine=str(RACINE), signal_envoye=int(signal_envoye), rang=rang, argv=argv
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "ACCESSIBILITE_CACHE": str(cache)},
    )


def _contenu(dossier: Path) -> dict[str, bytes]:
    """The folder's files, without what changes from run to run (dates, run id)."""
    fichiers = {}
    for p in sorted(dossier.iterdir()):
        if p.name == MANIFESTE:
            continue
        contenu = p.read_bytes()
        if p.name == "parametres.json":
            donnees = json.loads(contenu)
            donnees.pop("date", None)
            contenu = json.dumps(donnees, sort_keys=True).encode()
        elif p.suffix == ".gpkg":
            continue  # GeoPackages carry their write time; their tables are in the CSVs
        fichiers[p.name] = contenu
    return fichiers


def _restes(dossier: Path) -> list[str]:
    return sorted(p.name for p in dossier.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def etat(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The inputs, a shared cache, the expected result, and a previous result to replace."""
    d = tmp_path_factory.mktemp("entrees")
    bpe = d / "bpe.csv"
    bpe.write_text(
        "DEPCOM;TYPEQU;NB_EQUIP\n90010;B203;2\n90065;B203;1\n90033;B203;1\n90044;B203;1\n",
        encoding="utf-8",
    )
    for seuil in ("10", "15"):
        (d / f"gammes_{seuil}.toml").write_text(
            f'[[niveau]]\nnom = "proximite"\nseuil_min = {seuil}\n'
            'items = [{nom = "boulangerie", typequ = "B203"}]\n',
            encoding="utf-8",
        )
    gammes = d / "gammes.toml"
    cache = d / "cache"  # filled by these runs: the interrupted ones write outputs only
    for nom, seuil in (("reference", "10"), ("precedent", "15")):
        assert _lancer(_argv(bpe, gammes, d / nom, seuil), cache).returncode == 0
    return {"bpe": bpe, "gammes": gammes, "cache": cache, "dossiers": d}


@pytest.mark.parametrize(
    ("signal_envoye", "rang", "code_attendu"),
    [
        (signal.SIGINT, 1, 130),
        (signal.SIGTERM, 3, 143),
        (signal.SIGKILL, 5, -signal.SIGKILL),
    ],
    ids=["ctrl-c-1er-fichier", "sigterm-3e-fichier", "sigkill-5e-fichier"],
)
def test_interruption_puis_relance(tmp_path, etat, signal_envoye, rang, code_attendu):
    bpe, gammes, cache = etat["bpe"], etat["gammes"], etat["cache"]
    attendu = _contenu(etat["dossiers"] / "reference")
    sortie = Path(shutil.copytree(etat["dossiers"] / "precedent", tmp_path / "90"))
    precedent = _contenu(sortie)
    assert precedent != attendu

    interrompu = _lancer(
        _argv(bpe, gammes, sortie, "10"), cache, signal_envoye=signal_envoye, rang=rang
    )
    assert interrompu.returncode == code_attendu, interrompu.stderr
    assert "Traceback" not in interrompu.stderr
    assert _contenu(sortie) == precedent  # the previous result, whole
    if signal_envoye != signal.SIGKILL:
        assert _restes(tmp_path) == []  # nothing stray
    relance = _lancer(_argv(bpe, gammes, sortie, "10"), cache)
    assert relance.returncode == 0, relance.stderr
    assert _contenu(sortie) == attendu  # as if never interrupted
    assert _restes(tmp_path) == []  # a killed run's leftovers are removed by the next run
