"""The notebook guide docs/CARNET.md: its code blocks run, in order, in one namespace,
from a project folder with ``../shared/data`` beside it."""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import DONNEES, RACINE, chemin_donnees

pytestmark = pytest.mark.donnees


def _blocs() -> list[str]:
    texte = (RACINE / "docs" / "CARNET.md").read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", texte, flags=re.S | re.M)


def test_guide_execute(tmp_path, monkeypatch, capsys):
    chemin_donnees("bpe", "bpe2013.xlsx")
    chemin_donnees("osm", "andorra.osm.pbf")
    projet = tmp_path / "projet"
    projet.mkdir()
    (tmp_path / "shared").mkdir()
    os.symlink(DONNEES, tmp_path / "shared" / "data")  # ../shared/data from the project
    monkeypatch.chdir(projet)
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "cache"))
    blocs = _blocs()
    assert len(blocs) >= 6
    espace: dict[str, object] = {}
    for numero, bloc in enumerate(blocs, start=1):
        try:
            exec(compile(bloc, f"CARNET.md, bloc {numero}", "exec"), espace)
        except Exception as exc:  # the block's number in the failure
            raise AssertionError(f"bloc {numero} de docs/CARNET.md :\n{bloc}") from exc
    sortie = capsys.readouterr().out
    assert "origine" in sortie and "Andorra la Vella" in sortie
    assert (projet / "isochrones.gpkg").exists()
