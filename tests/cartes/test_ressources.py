"""Offline copies of the JavaScript/CSS libraries and their inlining in the page.

No test here touches the network: downloads are served from in-memory tarballs or fail.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import re
import tarfile
import urllib.request
from pathlib import Path
from typing import Any

import folium
import pytest

from cartes import _actifs, html_autonome, ressources_pretes
from cartes.ressources import rendre_html
from socle.erreurs import DonneesInvalides, ErreurTelechargement


def _adresses_folium() -> list[str]:
    # the default resources of every Folium page (plugins add their own; our maps use none)
    import folium.plugins

    return [u for _, u in folium.Map.default_js + folium.Map.default_css]


def test_chaque_ressource_de_folium_a_une_copie_ou_une_raison() -> None:
    """Fails on a Folium upgrade that changes its CDN files: update cartes/_actifs.py."""
    for url in _adresses_folium():
        assert url in _actifs.URLS or url in _actifs.URLS_OMISES, url
    for paquet, fichier in _actifs.URLS.values():
        assert fichier in _actifs.PAQUETS[paquet].noms
    for url, (paquet, _) in _actifs.URLS.items():
        version = _actifs.PAQUETS[paquet].version
        assert version in url, (url, version)


def test_cle_de_cache_depend_du_contenu() -> None:
    p = _actifs.PAQUETS["leaflet"]
    assert p.cle == "leaflet@1.9.3-881d9c47dbc09033"
    assert p.archive == "leaflet/-/leaflet-1.9.3.tgz"
    scope = _actifs.PAQUETS["@fortawesome/fontawesome-free"]
    assert scope.archive == "@fortawesome/fontawesome-free/-/fontawesome-free-6.2.0.tgz"
    assert "/" not in scope.cle


def test_dossier_du_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path))
    assert _actifs.dossier_actifs() == tmp_path / "assets"
    monkeypatch.delenv("ACCESSIBILITE_CACHE")
    import platformdirs

    assert _actifs.dossier_actifs() == Path(platformdirs.user_cache_dir("accessibilite")) / "assets"


def _page_folium() -> str:
    return str(folium.Map(tiles=None).get_root().render())


def test_page_autonome_sans_cdn(faux_cache: Path) -> None:
    assert ressources_pretes()
    page = html_autonome(_page_folium(), telecharger=False)
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+stylesheet", page)
    for cdn in ("cdn.jsdelivr.net", "cdnjs.cloudflare.com", "code.jquery.com", "netdna"):
        assert cdn not in page
    assert "faux script dist/leaflet.js" in page
    assert "fausse feuille dist/leaflet.css" in page
    # inline code cannot close its element early; source maps are dropped
    assert "var x = '<\\/script>'" in page
    assert "sourceMappingURL" not in page
    # images and fonts inlined, the IE-only address kept
    assert "url(images/" not in page and "url('images/" not in page
    assert 'url("data:image/png;base64,' in page
    assert 'url("data:font/woff2;base64,' in page
    assert "url(#default#VML)" in page
    assert ".ttf" not in page
    # each font inlined once (Font Awesome's compatibility aliases dropped)
    css_fa = page.split("@fortawesome/fontawesome-free@6.2.0 css/all.min.css")[1].split("</style>")[
        0
    ]
    assert css_fa.count("@font-face") == 1
    # Leaflet's default marker images given directly
    assert 'L.Icon.Default.mergeOptions({iconUrl: "data:image/png;base64,' in page


def test_ressource_inconnue(faux_cache: Path) -> None:
    page = _page_folium().replace(
        "</head>", '<script src="https://exemple.org/x.js"></script></head>'
    )
    with pytest.raises(DonneesInvalides, match=r"exemple\.org/x\.js"):
        html_autonome(page)


def test_ni_cache_ni_reseau(cache_vide: Path) -> None:
    assert not ressources_pretes()
    with pytest.raises(ErreurTelechargement, match="accessibilite carte --preparer") as err:
        html_autonome(_page_folium())
    assert "registre npm est injoignable" in str(err.value)
    assert isinstance(err.value, OSError)
    with pytest.raises(ErreurTelechargement, match="--preparer"):
        html_autonome(_page_folium(), telecharger=False)


def test_repli_sur_les_liens_internet(cache_vide: Path, caplog: pytest.LogCaptureFixture) -> None:
    carte = folium.Map(tiles=None)
    with caplog.at_level(logging.WARNING, logger="cartes.ressources"):
        page = rendre_html(carte, autonome=None)
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in page
    assert "ne s'affichera pas sans connexion" in caplog.text
    with pytest.raises(ErreurTelechargement):
        rendre_html(carte, autonome=True)
    assert "cdn.jsdelivr.net" in rendre_html(carte, autonome=False)


def _archive(fichiers: dict[str, bytes]) -> bytes:
    tampon = io.BytesIO()
    with tarfile.open(fileobj=tampon, mode="w:gz") as tar:
        for nom, contenu in fichiers.items():
            info = tarfile.TarInfo(f"package/{nom}")
            info.size = len(contenu)
            tar.addfile(info, io.BytesIO(contenu))
    return tampon.getvalue()


class _Reponse(io.BytesIO):
    def __enter__(self) -> _Reponse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _registre_factice(monkeypatch: pytest.MonkeyPatch, archive: bytes, integrite: str) -> list[str]:
    fichiers = (
        ("dist/a.js", _actifs.integrite(b"var a;")),
        ("dist/img/b.png", _actifs.integrite(b"png")),
    )
    paquet = _actifs.Paquet("demo", "1.0.0", integrite, fichiers)
    monkeypatch.setattr(_actifs, "PAQUETS", {"demo": paquet})
    demandes: list[str] = []

    def servir(url: str, timeout: float) -> Any:
        demandes.append(url)
        return _Reponse(archive)

    monkeypatch.setattr(urllib.request, "urlopen", servir)
    return demandes


def test_preparer_verifie_et_extrait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "c"))
    monkeypatch.setenv("npm_config_registry", "https://miroir.exemple/npm")
    archive = _archive({"dist/a.js": b"var a;", "dist/img/b.png": b"png", "README": b"x"})
    integrite = "sha512-" + base64.b64encode(hashlib.sha512(archive).digest()).decode()
    demandes = _registre_factice(monkeypatch, archive, integrite)
    dossier = _actifs.preparer()
    assert demandes == ["https://miroir.exemple/npm/demo/-/demo-1.0.0.tgz"]
    paquet = _actifs.PAQUETS["demo"]
    assert (dossier / paquet.cle / "dist" / "a.js").read_bytes() == b"var a;"
    assert (dossier / paquet.cle / "dist" / "img" / "b.png").read_bytes() == b"png"
    assert not (dossier / paquet.cle / "README").exists()
    assert _actifs.lire_fichier("demo", "dist/a.js") == b"var a;"
    # already there: nothing downloaded again, unless forced
    _actifs.preparer()
    assert len(demandes) == 1
    _actifs.preparer(forcer=True)
    assert len(demandes) == 2
    assert [p.name for p in dossier.iterdir()] == [paquet.cle]  # no temporary folder left


def test_preparer_refuse_une_archive_alteree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "c"))
    archive = _archive({"dist/a.js": b"var a;", "dist/img/b.png": b"png"})
    autre = "sha512-" + base64.b64encode(hashlib.sha512(b"autre").digest()).decode()
    _registre_factice(monkeypatch, archive, autre)
    with pytest.raises(ErreurTelechargement, match="empreinte attendue"):
        _actifs.preparer()
    assert not (tmp_path / "c" / "assets" / _actifs.PAQUETS["demo"].cle).exists()


def test_preparer_fichier_absent_de_l_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "c"))
    archive = _archive({"dist/a.js": b"var a;"})
    integrite = "sha512-" + base64.b64encode(hashlib.sha512(archive).digest()).decode()
    _registre_factice(monkeypatch, archive, integrite)
    with pytest.raises(ErreurTelechargement, match=r"dist/img/b\.png manque"):
        _actifs.preparer()
    assert list((tmp_path / "c" / "assets").iterdir()) == []
