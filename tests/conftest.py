"""Shared fixtures and the suite's rules.

- Paths to the reference data of ``../shared/data``: a test that needs a missing file is
  skipped with a reason (:func:`chemin_donnees`).
- On CI (``CI=true``, exported by ``.ci/run``) a skipped test fails the run, except the tests
  marked ``facultatif(raison)``: CI installs everything the others need (``.ci/prerequis``
  and the ``dev`` extra), so a skip there means a missing prerequisite, not a choice.
- Golden files (``tests/golden/``): :func:`golden` compares a table with its stored CSV, or
  rewrites it with ``--regenerer-golden``.
- ``ACCESSIBILITE_PAQUET_INSTALLE=1`` (set by ``.ci/installation_normale``): the suite must
  test the installed distribution, not this checkout; checked once at start.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
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
GOLDEN = Path(__file__).resolve().parent / "golden"

# tests._ci: a skipped test fails a CI run (CI=true) unless marked facultatif(raison)
pytest_plugins = ["tests._ci", "pytester"]


def chemin_donnees(*parties: str) -> Path:
    """Path of a reference file in ../shared/data, or skip the test with a reason."""
    chemin = DONNEES.joinpath(*parties)
    if not chemin.exists():
        pytest.skip(f"données de référence absentes : {chemin} (voir ../shared/data/README.md)")
    return chemin


# ---------------------------------------------------------------------------------------
# Options, installed-package check


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regenerer-golden",
        action="store_true",
        default=False,
        help="réécrire les fichiers de tests/golden/ avec les résultats actuels au lieu de "
        "les comparer (après un changement voulu ; relire le diff avant de committer)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("ACCESSIBILITE_PAQUET_INSTALLE"):
        _verifier_paquet_installe()


def _verifier_paquet_installe() -> None:
    """Refuse to run if a package of the project is imported from this checkout."""
    import importlib

    paquets = ("socle", "reseau", "accessibilite", "accessibilite.noyau", "accessibilite.data")
    for nom in (*paquets, "poles", "isochrones", "cartes"):
        module = importlib.import_module(nom)
        origine = Path(module.__file__ or "").resolve()
        if origine.is_relative_to(RACINE):
            raise pytest.UsageError(
                f"ACCESSIBILITE_PAQUET_INSTALLE : {nom} est importé depuis le dépôt ({origine}) "
                "et non depuis l'installation : lancez pytest avec --import-mode=append "
                "-o pythonpath= (voir .ci/installation_normale)."
            )


# ---------------------------------------------------------------------------------------
# Golden files


def texte_golden(table) -> str:
    """The CSV text of a golden table: comma-separated, ``\\n`` line ends, no index."""
    return str(table.to_csv(index=False, lineterminator="\n"))


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[..., None]:
    """``golden(nom, table)``: compare ``table`` with ``tests/golden/<nom>`` exactly.

    With ``--regenerer-golden`` the file is rewritten instead (the test then passes): the
    git diff of ``tests/golden/`` is what a reviewer reads.
    """
    regenerer = bool(request.config.getoption("--regenerer-golden"))

    def comparer(nom: str, table) -> None:
        texte = texte_golden(table)
        chemin = GOLDEN / nom
        if regenerer:
            chemin.parent.mkdir(parents=True, exist_ok=True)
            chemin.write_text(texte, encoding="utf-8")
            return
        commande = f"python -m pytest {request.node.path.relative_to(RACINE)} --regenerer-golden"
        if not chemin.is_file():
            pytest.fail(f"golden absent : {chemin} (le créer : {commande})", pytrace=False)
        attendu = chemin.read_text(encoding="utf-8")
        if texte != attendu:
            diff = list(
                difflib.unified_diff(
                    attendu.splitlines(),
                    texte.splitlines(),
                    f"tests/golden/{nom}",
                    "calculé",
                    lineterm="",
                    n=0,
                )
            )
            extrait = "\n".join(diff[:60]) + ("\n[...]" if len(diff) > 60 else "")
            pytest.fail(
                f"{nom} diffère du golden ({len(diff)} lignes de diff) :\n{extrait}\n"
                f"Changement voulu ? {commande}, puis relire git diff tests/golden/.",
                pytrace=False,
            )

    return comparer


# ---------------------------------------------------------------------------------------
# Shared data fixtures


@pytest.fixture(scope="session")
def graphe_andorre(tmp_path_factory: pytest.TempPathFactory):
    """The real Andorra road graph (OpenStreetMap 2024), built once per session."""
    from reseau import construire_graphe

    pbf = chemin_donnees("osm", "andorra.osm.pbf")
    return construire_graphe(
        pbf, cache=True, dossier_cache=tmp_path_factory.mktemp("cache_andorre")
    )


@pytest.fixture(scope="session")
def bpe_2013() -> str:
    """The BPE 2013 counts per commune (../shared/data)."""
    return str(chemin_donnees("bpe", "bpe2013.xlsx"))


@pytest.fixture(scope="session")
def dossier_62(tmp_path_factory: pytest.TempPathFactory, bpe_2013: str) -> Path:
    """The main job as a user runs it: ``zones-grises --departement 62`` on the BPE 2013,
    straight-line times, no maps. Read-only: copy it before writing into it."""
    from accessibilite.cli import main

    sortie = tmp_path_factory.mktemp("zg62") / "62"
    argv = ["zones-grises", "--departement", "62", "--bpe", bpe_2013, "--cartes", "aucune"]
    assert main([*argv, "--sortie", str(sortie)]) == 0
    return sortie


@pytest.fixture(scope="session")
def grille_62(tmp_path_factory: pytest.TempPathFactory):
    """A hand-made road grid (1 km steps, 60 km/h) over the 62 and its 30 km buffer, saved
    as a ``.graphe`` file: ``(Grille, path)`` (see tests/_grille.py)."""
    from poles.communes import charger_communes
    from reseau import sauvegarder_graphe
    from tests._grille import Grille

    grille = Grille.couvrant(charger_communes("62", tampon_km=30.0).total_bounds)
    chemin = sauvegarder_graphe(grille.graphe(), tmp_path_factory.mktemp("grille") / "62.graphe")
    return grille, chemin
