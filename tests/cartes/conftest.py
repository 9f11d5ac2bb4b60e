"""Fixtures of the map tests: a hand-made zones-grises folder and a fake asset cache."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cartes import _actifs
from tests.cartes.generateur import dossier_exemple


@pytest.fixture(scope="session")
def dossier_zg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small hand-made folder (read-only: copy it before changing anything)."""
    return dossier_exemple(tmp_path_factory.mktemp("zg") / "62")


@pytest.fixture
def copie_zg(dossier_zg: Path, tmp_path: Path) -> Path:
    """A writable copy of the hand-made folder."""
    return Path(shutil.copytree(dossier_zg, tmp_path / "62"))


# Contents of the fake asset cache: enough to check the inlining, not to run in a browser.
_FAUX = {
    ".js": b"/* faux script %s */\nvar x = '</script>';\n//# sourceMappingURL=x.js.map\n",
    ".css": (
        b"/* fausse feuille %s */ .a{background:url(images/layers.png)}"
        b" .b{background-image:url('images/markers-soft.png')} .c{background:url(#default#VML)}"
        b' @font-face{font-family:"Font Awesome 6 Free";src:url(../webfonts/fa-solid-900.woff2)'
        b' format("woff2"),url(../webfonts/fa-solid-900.ttf) format("truetype")}'
        b' @font-face{font-family:"FontAwesome";src:url(../webfonts/fa-solid-900.woff2)'
        b' format("woff2"),url(../webfonts/fa-solid-900.ttf) format("truetype")}'
    ),
}


@pytest.fixture
def faux_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An asset cache filled with small fake files, under ACCESSIBILITE_CACHE."""
    racine = tmp_path / "cache"
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(racine))
    pinces = {}
    for paquet in _actifs.PAQUETS.values():
        empreintes = []
        for fichier in paquet.noms:
            chemin = _actifs.dossier_paquet(paquet) / fichier
            chemin.parent.mkdir(parents=True, exist_ok=True)
            modele = _FAUX.get(chemin.suffix)
            contenu = (
                modele.replace(b"%s", fichier.encode())
                if modele
                else b"\x89PNG-faux-" + fichier.encode()
            )
            chemin.write_bytes(contenu)
            empreintes.append((fichier, _actifs.integrite(contenu)))
        # the fake files are pinned as if published: every read checks them
        pinces[paquet.nom] = dataclasses.replace(paquet, fichiers=tuple(empreintes))
    monkeypatch.setattr(_actifs, "PAQUETS", pinces)
    yield racine


@pytest.fixture
def cache_vide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty asset cache, and no network: every download fails."""
    import urllib.error
    import urllib.request

    racine = tmp_path / "cache-vide"
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(racine))

    def hors_ligne(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("réseau coupé (test)")

    monkeypatch.setattr(urllib.request, "urlopen", hors_ligne)
    return racine
