"""Making the ``accessibilite`` package importable from QGIS's Python.

QGIS runs its own Python interpreter. The package and its dependencies (numpy, pandas,
geopandas, numba...) must be importable there, in versions newer than some Linux
distributions ship. Three ways, tried in this order:

1. they already are (``PYTHONPATH`` set before QGIS starts, or QGIS > Options > System >
   Environment: ``PYTHONPATH``, "prepend");
2. the environment variable ``ACCESSIBILITE_PYTHONPATH``: folders separated by ``:``
   (``;`` on Windows), put in front of ``sys.path``;
3. the QGIS setting ``accessibilite/chemins_python`` (same format).

The folders are the project's source folder and the ``site-packages`` of a virtual
environment made with the same Python version as QGIS's (README, "QGIS").
"""

from __future__ import annotations

import os
import sys

VARIABLE = "ACCESSIBILITE_PYTHONPATH"
REGLAGE = "accessibilite/chemins_python"

_AIDE = (
    "Le paquet Python « accessibilite » est introuvable depuis le Python de QGIS ({erreur}). "
    "Installez-le dans un environnement de même version de Python que QGIS, puis donnez à "
    "QGIS le dossier du projet et le site-packages de cet environnement : variable "
    f"d'environnement {VARIABLE}, ou PYTHONPATH dans Options > Système > Environnement "
    "(voir le README du projet, section « QGIS »)."
)


def _chemins() -> list[str]:
    chemins = os.environ.get(VARIABLE, "").split(os.pathsep)
    try:
        from qgis.core import QgsSettings

        chemins += str(QgsSettings().value(REGLAGE, "") or "").split(os.pathsep)
    except ImportError:  # outside QGIS (tests of this module)
        pass
    return [c for c in chemins if c.strip()]


def importer_accessibilite() -> None:
    """Import the package (adding the configured folders first when needed).

    Raises
    ------
    ImportError
        With a French message saying how to make it importable.
    """
    for chemin in reversed(_chemins()):
        if chemin not in sys.path:
            sys.path.insert(0, chemin)
    try:
        import geopandas  # noqa: F401

        import accessibilite  # noqa: F401
    except ImportError as exc:
        raise ImportError(_AIDE.format(erreur=exc)) from exc
