"""Shared fixtures: paths to the reference data, skipped with a reason when absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis profiles of the fuzzing tests (tests/hostile/): short in CI (CI=true), longer
# locally, and "approfondi" for a long hunt (HYPOTHESIS_PROFILE=approfondi); see the README.
settings.register_profile(
    "ci", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "local", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "approfondi", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE")
    or ("ci" if os.environ.get("CI", "").lower() in ("true", "1") else "local")
)

RACINE = Path(__file__).resolve().parents[1]
DONNEES = RACINE.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def chemin_donnees(*parties: str) -> Path:
    """Path of a reference file in ../shared/data, or skip the test with a reason."""
    chemin = DONNEES.joinpath(*parties)
    if not chemin.exists():
        pytest.skip(f"données de référence absentes : {chemin} (voir ../shared/data/README.md)")
    return chemin


@pytest.fixture(scope="session")
def graphe_andorre(tmp_path_factory: pytest.TempPathFactory):
    """The real Andorra road graph (OpenStreetMap 2024), built once per session."""
    from reseau import construire_graphe

    pbf = chemin_donnees("osm", "andorra.osm.pbf")
    return construire_graphe(
        pbf, cache=True, dossier_cache=tmp_path_factory.mktemp("cache_andorre")
    )
