"""Fixtures of the reseau tests: the hand-made OSM network and helpers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import FIXTURES

OSM_MINI = FIXTURES / "reseau_mini.osm"


def ecrire_pbf(source: Path, cible: Path) -> Path:
    """Convert an OSM XML file to PBF with osmium (the PBF path reads real PBF bytes)."""
    import osmium

    cible.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(cible)) as ecrivain:
        for objet in osmium.FileProcessor(str(source)):
            ecrivain.add(objet)
    return cible


@pytest.fixture(scope="session")
def pbf_mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ecrire_pbf(OSM_MINI, tmp_path_factory.mktemp("osm") / "reseau_mini.osm.pbf")


def arcs_osm(graphe) -> dict[tuple[int, int], int]:
    """Map (OSM id of source, OSM id of target) -> forward arc index."""
    ids = np.asarray(graphe.osm_ids)
    sources = ids[graphe.sources_arcs()]
    cibles = ids[np.asarray(graphe.indices)]
    return {(int(a), int(b)): k for k, (a, b) in enumerate(zip(sources, cibles, strict=True))}
