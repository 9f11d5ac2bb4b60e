"""Atomic files (socle.fichiers): temporaries of killed writers, outputs that are folders."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from socle.erreurs import ErreurEcriture
from socle.fichiers import ecriture_atomique, nettoyer_partiels


def _pid_mort() -> int:
    fini = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(fini.stdout)


def _vieillir(chemin, secondes: float) -> None:
    passe = time.time() - secondes
    os.utime(chemin, (passe, passe))


def test_temporaires_d_un_processus_mort_supprimes(tmp_path):
    mort = tmp_path / f".table.{_pid_mort()}.ab12.partiel.csv"
    vivant = tmp_path / f".table.{os.getpid()}.cd34.partiel.csv"
    recent = tmp_path / f".autre.{_pid_mort()}.ef56.partiel.gpkg"
    final = tmp_path / "table.csv"
    for chemin in (mort, vivant, recent, final):
        chemin.write_text("x")
    for chemin in (mort, vivant, final):
        _vieillir(chemin, 7200)
    assert nettoyer_partiels(tmp_path) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [vivant.name, recent.name, final.name]
    )
    # a young temporary may be another machine's writer on a shared disk: kept unless asked
    assert nettoyer_partiels(tmp_path, age_s=0) == 1
    assert not recent.exists() and vivant.exists()


def test_ecriture_atomique_nettoie_les_restes_du_meme_fichier(tmp_path):
    reste = tmp_path / f".table.{_pid_mort()}.ab12.partiel.csv"
    reste.write_text("moitié")
    _vieillir(reste, 7200)
    with ecriture_atomique(tmp_path / "table.csv") as tmp:
        tmp.write_text("complet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]


def test_sortie_qui_est_un_dossier(tmp_path):
    (tmp_path / "iso.gpkg").mkdir()
    with (
        pytest.raises(ErreurEcriture, match=r"iso\.gpkg est un dossier"),
        ecriture_atomique(tmp_path / "iso.gpkg"),
    ):
        pass
