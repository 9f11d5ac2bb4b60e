"""Access to the configuration files installed in ``accessibilite.data``."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["fichier_donnees"]

#: The repository's ``data/`` folder, seen from this module in a source checkout.
_DOSSIER_SOURCES = Path(__file__).resolve().parents[1] / "data"


def _dossier_donnees() -> Traversable:
    """The folder of the configuration files: the installed package, else the checkout's.

    ``pip install`` (editable or not) installs ``data/`` as the package
    ``accessibilite.data``. When the source tree shadows the installed distribution (tests
    run from a checkout with the project installed non-editable: the checkout's
    ``accessibilite`` has no ``data`` sub-package), the same files are read from the
    checkout's ``data/`` folder, next to the code that asks for them.
    """
    try:
        return files("accessibilite.data")
    except ModuleNotFoundError:
        return _DOSSIER_SOURCES


def fichier_donnees(nom: str) -> Traversable:
    """Return the configuration file ``nom`` (e.g. ``"gammes_sdaasp.toml"``).

    The files live in the repository's ``data/`` folder and are installed as the package
    ``accessibilite.data`` (see :func:`_dossier_donnees` for a source checkout).
    """
    ressource = _dossier_donnees() / nom
    if not ressource.is_file():
        from reseau.erreurs import DonneesManquantes

        raise DonneesManquantes(
            f"Fichier de configuration « {nom} » introuvable dans l'installation : "
            "réinstallez le paquet (pip install .)."
        )
    return ressource
