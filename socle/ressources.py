"""The project's configuration files (the repository's ``data/`` folder).

They are installed as the package ``accessibilite.data`` (setuptools maps ``data/`` to it).
From a source tree that is not installed under that name (tests run against the checkout
with ``pythonpath = ["."]`` while the package is installed elsewhere, or a plain copy), the
``data/`` folder beside this package is used. Reading a file never imports numba or the
compute core: ``accessibilite/__init__`` is a lazy façade.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from socle.erreurs import DonneesManquantes

__all__ = ["dossier_donnees", "fichier_donnees"]

#: The source tree's ``data/`` folder (present in a checkout, absent from a wheel install).
_DOSSIER_SOURCE = Path(__file__).resolve().parent.parent / "data"


def dossier_donnees() -> Traversable:
    """The folder of the configuration files: installed package, else the source tree."""
    try:
        installe = files("accessibilite.data")
    except ModuleNotFoundError:
        installe = None
    if installe is not None and installe.joinpath("gammes_sdaasp.toml").is_file():
        return installe
    return _DOSSIER_SOURCE


def fichier_donnees(nom: str) -> Traversable:
    """Return the configuration file ``nom`` (e.g. ``"gammes_sdaasp.toml"``).

    Raises
    ------
    DonneesManquantes
        The file is in neither the installation nor the source tree.
    """
    ressource = dossier_donnees() / nom
    if not ressource.is_file():
        raise DonneesManquantes(
            f"Fichier de configuration « {nom} » introuvable dans l'installation : "
            "réinstallez le paquet (pip install .)."
        )
    return ressource
