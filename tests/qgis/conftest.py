"""Fixtures of the real-QGIS tests: a zones-grises folder of the Pas-de-Calais."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import chemin_donnees


@pytest.fixture(scope="session")
def dossier_62(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``accessibilite zones-grises`` on the 62 (BPE 2013, straight line), without maps."""
    from accessibilite.cli import main

    bpe = chemin_donnees("bpe", "bpe2013.xlsx")
    sortie = tmp_path_factory.mktemp("qgis") / "62"
    code = main(
        [
            "-q",
            "zones-grises",
            "--departement",
            "62",
            "--bpe",
            str(bpe),
            "--sortie",
            str(sortie),
            "--cartes",
            "aucune",
        ]
    )
    assert code == 0
    return sortie
