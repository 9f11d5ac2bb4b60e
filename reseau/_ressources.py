"""Access to the configuration files installed in ``accessibilite.data``."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

__all__ = ["fichier_donnees"]


def fichier_donnees(nom: str) -> Traversable:
    """Return the installed configuration file ``nom`` (e.g. ``"gammes_sdaasp.toml"``).

    The files live in the repository's ``data/`` folder and are installed as the package
    ``accessibilite.data``; they are never read by a path relative to the source tree.
    """
    ressource = files("accessibilite.data") / nom
    if not ressource.is_file():
        from reseau.erreurs import DonneesManquantes

        raise DonneesManquantes(
            f"Fichier de configuration « {nom} » introuvable dans l'installation : "
            "réinstallez le paquet (pip install -e .)."
        )
    return ressource
