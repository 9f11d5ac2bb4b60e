"""The configuration files of data/, installed as accessibilite.data, or read from the
checkout when the checkout shadows a non-editable installation."""

from __future__ import annotations

import importlib.resources

import pytest

from socle import ressources
from socle.erreurs import DonneesManquantes
from tests.conftest import RACINE


def test_fichier_installe_egal_au_depot():
    texte = ressources.fichier_donnees("gammes_sdaasp.toml").read_text(encoding="utf-8")
    assert texte == (RACINE / "data" / "gammes_sdaasp.toml").read_text(encoding="utf-8")
    with pytest.raises(DonneesManquantes, match=r"absent\.toml"):
        ressources.fichier_donnees("absent.toml")


def test_sans_paquet_accessibilite_data(monkeypatch):
    """A checkout first on sys.path with the project installed non-editable: the checkout's
    ``accessibilite`` has no ``data`` sub-package; the files come from its data/ folder."""

    def introuvable(nom):
        raise ModuleNotFoundError(f"No module named {nom!r}")

    monkeypatch.setattr(ressources, "files", introuvable)
    with pytest.raises(ModuleNotFoundError):
        importlib.resources.files("accessibilite.data_absent")
    if ressources._DOSSIER_SOURCE.is_dir():  # a checkout
        assert ressources.dossier_donnees() == RACINE / "data"
        chemin = ressources.fichier_donnees("vitesses.toml")
        assert chemin.read_bytes() == (RACINE / "data" / "vitesses.toml").read_bytes()
    else:  # an installed wheel has no data/ beside its packages: the French error
        with pytest.raises(DonneesManquantes, match="réinstallez le paquet"):
            ressources.fichier_donnees("vitesses.toml")
