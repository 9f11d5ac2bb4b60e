"""Running scripts in real QGIS (Debian's ``python3-qgis``, headless) from the tests.

QGIS's Python is the system interpreter (``/usr/bin/python3``), not the test virtual
environment. It imports the project from the repository (``PYTHONPATH``) and its
dependencies from this environment's ``site-packages``, added after the repository:
both interpreters are CPython of the same minor version, so the compiled wheels load
(the README says how to do the same on a desktop QGIS). Without QGIS, or with another
Python version, the tests are skipped with the reason.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RACINE

__all__ = ["PYTHON_QGIS", "SCRIPTS", "environnement_qgis", "lancer_qgis", "qgis_ou_sauter"]

#: QGIS's Python interpreter (Debian).
PYTHON_QGIS = Path(os.environ.get("ACCESSIBILITE_PYTHON_QGIS", "/usr/bin/python3"))
SCRIPTS = Path(__file__).resolve().parent / "scripts"


def environnement_qgis() -> dict[str, str]:
    """The environment of a headless QGIS run that imports the project and its
    dependencies (this environment's site-packages)."""
    chemins = [str(RACINE), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    env = dict(os.environ)
    env.update(
        {
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHONPATH": os.pathsep.join(dict.fromkeys(chemins)),
            "XDG_RUNTIME_DIR": env.get("XDG_RUNTIME_DIR") or "/tmp",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


@functools.cache
def _raison_absence() -> str | None:
    if not PYTHON_QGIS.exists():
        return f"QGIS absent : {PYTHON_QGIS} introuvable (apt-get install python3-qgis)"
    try:
        sortie = subprocess.run(
            [
                str(PYTHON_QGIS),
                "-c",
                "import sys; from qgis.core import Qgis; "
                "print(Qgis.QGIS_VERSION, '%d.%d' % sys.version_info[:2])",
            ],
            capture_output=True,
            text=True,
            env=environnement_qgis(),
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"QGIS inutilisable : {exc}"
    if sortie.returncode != 0:
        return (
            "QGIS absent (module qgis introuvable pour "
            f"{PYTHON_QGIS} ; apt-get install python3-qgis) : {sortie.stderr.strip()[-300:]}"
        )
    version_qgis, version_python = sortie.stdout.split()[-2:]
    ici = "{}.{}".format(*sys.version_info[:2])
    if version_python != ici:
        return (
            f"QGIS {version_qgis} tourne sous Python {version_python}, les tests sous "
            f"Python {ici} : les paquets compilés de l'environnement ne s'y chargent pas"
        )
    return None


def qgis_ou_sauter() -> None:
    """Skip the test, with the reason, when real QGIS cannot run the project."""
    raison = _raison_absence()
    if raison is not None:
        pytest.skip(raison)


def lancer_qgis(script: str, *arguments: str, delai_s: float = 900) -> dict[str, Any]:
    """Run ``scripts/<script>`` with QGIS's Python; return the JSON of its last line.

    Raises
    ------
    AssertionError
        The script failed (its stderr is in the message).
    """
    qgis_ou_sauter()
    sortie = subprocess.run(
        [str(PYTHON_QGIS), str(SCRIPTS / script), *arguments],
        capture_output=True,
        text=True,
        env=environnement_qgis(),
        timeout=delai_s,
        check=False,
    )
    lignes = sortie.stdout.strip().splitlines()
    assert sortie.returncode == 0 and lignes, (
        f"{script} a échoué (code {sortie.returncode}) :\n{sortie.stderr[-4000:]}"
    )
    resultat: dict[str, Any] = json.loads(lignes[-1])
    resultat["_stderr"] = sortie.stderr
    return resultat
