"""The interactive map in a real browser: headless Chromium, cut off from the network.

Skipped with a reason when Chromium or the JavaScript libraries are missing locally; CI
installs both (``.ci/prerequis``). Set ``ACCESSIBILITE_CAPTURES=<folder>`` to keep the
screenshots.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cartes import _style, ecrire_carte_html, ressources_pretes
from tests.cartes.chromium import Chromium, Page, chemin_chromium
from tests.cartes.test_interactive import NOMS_COUCHES, _bassins, _isochrones

pytestmark = pytest.mark.navigateur


@pytest.fixture(scope="module")
def navigateur() -> Iterator[Chromium]:
    executable = chemin_chromium()
    if executable is None:
        pytest.skip("Chromium absent (apt-get install chromium ; la CI l'installe)")
    with Chromium(executable) as nav:
        yield nav


@pytest.fixture(scope="module")
def carte_html(dossier_zg: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not ressources_pretes():
        pytest.skip(
            "bibliothèques JavaScript absentes du cache : lancez « accessibilite carte "
            "--preparer » (la CI le fait dans .ci/prerequis)"
        )
    return ecrire_carte_html(
        dossier_zg,
        tmp_path_factory.mktemp("html") / "carte.html",
        autonome=True,
        fond="uni",
        isochrones=_isochrones(),
        bassins=_bassins(),
    )


def _garder(capture: Path) -> None:
    dossier = os.environ.get("ACCESSIBILITE_CAPTURES")
    if dossier:
        Path(dossier).mkdir(parents=True, exist_ok=True)
        shutil.copy(capture, Path(dossier) / capture.name)


def _cases(page: Page) -> dict[str, bool]:
    return dict(
        page.evaluer(
            "[...document.querySelectorAll('.leaflet-control-layers-overlays label')]"
            ".map(l => [l.textContent.trim(), l.querySelector('input').checked])"
        )
    )


def _legendes_visibles(page: Page) -> list[str]:
    return list(
        page.evaluer(
            "[...document.querySelectorAll('#zg-legendes .zg-legende')]"
            ".filter(e => e.style.display !== 'none').map(e => e.dataset.couche)"
        )
    )


def _cocher(page: Page, debut: str) -> None:
    """Click the layer box whose label starts with ``debut``, then wait until the box has
    flipped and the layer's legend shows (or hides) accordingly."""
    etiquette = (
        "[...document.querySelectorAll('.leaflet-control-layers-overlays label')]"
        f".find(l => l.textContent.trim().startsWith({debut!r}))"
    )
    avant = page.evaluer(f"{etiquette}.querySelector('input').checked")
    page.evaluer(f"{etiquette}.querySelector('input').click()")
    page.attendre(
        f"(() => {{ const l = {etiquette}; const coche = l.querySelector('input').checked;"
        f" if (coche === {str(avant).lower()}) return false;"
        " const leg = [...document.querySelectorAll('#zg-legendes .zg-legende')]"
        ".find(e => e.dataset.couche.split(' | ').includes(l.textContent.trim()));"
        " return !leg || (leg.style.display !== 'none') === coche; })()"
    )


def test_carte_sans_erreur_et_complete(
    navigateur: Chromium, carte_html: Path, tmp_path: Path
) -> None:
    page = navigateur.ouvrir(carte_html.as_uri())
    capture = page.capture(tmp_path / "carte_navigateur.png")
    _garder(capture)
    navigateur.vider(page)
    assert page.erreurs == []

    # every layer in the layer control, level layers first, only the first one shown
    cases = _cases(page)
    attendues = [*NOMS_COUCHES[:9], "Isochrones", "Bassins de services", *NOMS_COUCHES[9:]]
    assert list(cases) == attendues
    assert [n for n, c in cases.items() if c and n.startswith("Zones grises")] == [
        "Zones grises — proximité (seuil 10 min)"
    ]
    assert page.evaluer("[...document.querySelectorAll('.zg-groupe')].map(e => e.textContent)") == [
        "Zones grises par niveau",
        "Pôles de services",
        "Repères et autres couches",
    ]
    # every layer has its legend in the DOM; only those of the visible layers show
    legendes = page.evaluer(
        "[...document.querySelectorAll('#zg-legendes .zg-legende')].map(e => e.dataset.couche)"
    )
    couvertes = {nom for entree in legendes for nom in entree.split(" | ")}
    assert couvertes == set(attendues) - {"Communes voisines (hors département)"}
    visibles = _legendes_visibles(page)
    assert visibles[0] == "Zones grises — proximité (seuil 10 min)"
    assert not any("enjeux" in v or "Isochrones" in v for v in visibles)
    # title and sources on the page
    assert "Pas-de-Calais (62)" in page.evaluer("document.getElementById('zg-titre').textContent")
    sources = page.evaluer("document.getElementById('zg-sources').textContent")
    assert "Base permanente des équipements 2013" in sources
    # the communes are drawn, in the class colours, the zone grise hatched
    remplissages = page.evaluer(
        "[...document.querySelectorAll('.leaflet-overlay-pane path')]"
        ".map(p => p.getAttribute('fill'))"
    )
    assert remplissages.count(_style.COULEURS_TEMPS[2]) == 6  # 5-10 min: six communes
    assert page.evaluer("document.querySelectorAll('path.zg-zone-grise').length") == 1
    pixels = np.asarray(Image.open(capture).convert("RGB"))
    assert pixels.shape == (900, 1400, 3)
    couleur = np.array([int(_style.COULEURS_TEMPS[2][i : i + 2], 16) for i in (1, 3, 5)])
    assert np.all(np.abs(pixels.astype(int) - couleur) <= 40, axis=-1).mean() > 0.05


def test_couches_exclusives_et_legendes(navigateur: Chromium, carte_html: Path) -> None:
    page = navigateur.ouvrir(carte_html.as_uri())
    _cocher(page, "Zones grises — intermédiaire")
    cases = _cases(page)
    assert cases["Zones grises — intermédiaire (seuil 20 min)"]
    assert not cases["Zones grises — proximité (seuil 10 min)"]
    assert _legendes_visibles(page)[0] == "Zones grises — intermédiaire (seuil 20 min)"
    _cocher(page, "Espaces à enjeux")
    cases = _cases(page)
    assert [n for n, c in cases.items() if c and (n.startswith("Zones") or "enjeux" in n)] == [
        "Espaces à enjeux d'éloignement (cumul des zones grises)"
    ]
    assert "Espaces à enjeux d'éloignement (cumul des zones grises)" in _legendes_visibles(page)
    _cocher(page, "Isochrones")
    assert "Isochrones" in _legendes_visibles(page)
    _cocher(page, "Isochrones")
    assert "Isochrones" not in _legendes_visibles(page)
    navigateur.vider(page)
    assert page.erreurs == []


def test_infobulle_et_fiche_de_pole(navigateur: Chromium, carte_html: Path, tmp_path: Path) -> None:
    page = navigateur.ouvrir(carte_html.as_uri())
    # hover the centre of a commune that no control box covers (62012 if free)
    code, x, y = page.evaluer(
        "(() => { const m = Object.values(window).find(v => v instanceof L.Map);"
        " const libres = [];"
        " m.eachLayer(l => { if (l.feature && l.feature.properties.z && l._path) {"
        "   const c = m.latLngToContainerPoint(l.getBounds().getCenter());"
        "   if (document.elementFromPoint(c.x, c.y) === l._path) {"
        "     libres.push([l.feature.properties.c, c.x, c.y]); } } });"
        " libres.sort((a, b) => (b[0] === '62012') - (a[0] === '62012'));"
        " return libres[0]; })()"
    )
    navigateur.commande(
        "Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y}, session=page.session
    )
    infobulle = page.attendre(
        "document.querySelector('.leaflet-tooltip') &&"
        " document.querySelector('.leaflet-tooltip').textContent"
    )
    attendus = {
        "62012": [
            "Lattre-en-Ternois",
            "Population : 95 hab.",
            "12,5 min",
            "aucun pôle",
            "Zone grise pour 4 niveaux sur 4",
        ],
        "62004": [
            "Douchy-sur-Crinchon",
            "Population : 230 hab.",
            "21,5 min",
            "Zone grise pour 3 niveaux sur 4",
        ],
        "62008": [
            "Hénin-la-Vallée",
            "Population : 180 hab.",
            "11,5 min",
            "Zone grise pour 2 niveaux sur 4",
        ],
    }
    for texte in [*attendus.get(code, [code]), "EPCI : Communauté", "Pôle le plus proche"]:
        assert texte in infobulle, texte
    _garder(page.capture(tmp_path / "carte_infobulle.png"))
    # a pole's popup lists the gamme items present and missing
    page.evaluer(
        "document.querySelector('path.zg-marqueur-pole').dispatchEvent("
        "new MouseEvent('click', {bubbles: true}))"
    )
    fiche = page.attendre(
        "document.querySelector('.leaflet-popup-content') &&"
        " document.querySelector('.leaflet-popup-content').textContent"
    )
    assert "Fontaine-lès-Arras" in fiche and "pôle supérieur" in fiche
    assert "Services de la gamme présents : 9 sur 9" in fiche and "Hypermarché" in fiche
    navigateur.vider(page)
    assert page.erreurs == []


def test_le_controle_detecte_les_erreurs(navigateur: Chromium) -> None:
    """The harness itself: an uncaught exception and a console error are reported."""
    page = navigateur.ouvrir(
        "data:text/html,<script>console.error('aie'); fonction_absente();</script>"
    )
    navigateur.vider(page)
    assert any("aie" in e for e in page.erreurs)
    assert any("fonction_absente" in e for e in page.erreurs)


def test_sans_embarquer_la_carte_est_vide_hors_ligne(
    navigateur: Chromium, dossier_zg: Path, tmp_path: Path
) -> None:
    """Why the libraries are embedded: with CDN links and no network, nothing works."""
    chemin = ecrire_carte_html(dossier_zg, tmp_path / "cdn.html", autonome=False, fond="uni")
    page = navigateur.ouvrir(chemin.as_uri())
    navigateur.vider(page)
    assert page.erreurs  # failed downloads and "L is not defined"
    assert page.evaluer("typeof L") == "undefined"


def test_fond_de_tuiles_sans_autre_erreur_que_les_tuiles(
    navigateur: Chromium, dossier_zg: Path, tmp_path: Path
) -> None:
    """With tiles and no network, the only failures are the tile downloads."""
    if not ressources_pretes():
        pytest.skip("bibliothèques JavaScript absentes du cache (accessibilite carte --preparer)")
    chemin = ecrire_carte_html(dossier_zg, tmp_path / "tuiles.html", autonome=True)
    page = navigateur.ouvrir(chemin.as_uri())
    navigateur.vider(page)
    autres = [
        e for e in page.erreurs if "tile.openstreetmap.org" not in e and not e.startswith("réseau")
    ]
    assert autres == []
    assert any("tile.openstreetmap.org" in e for e in page.erreurs)
    assert (
        page.evaluer("document.querySelectorAll('.leaflet-control-layers-base label').length") == 2
    )


def test_un_seul_fond_et_sources_hors_du_territoire(
    navigateur: Chromium, dossier_zg: Path, tmp_path: Path
) -> None:
    """One base layer shown (the plan), the plain one only offered; the box of sources
    (bottom right) never covers the communes of the département."""
    if not ressources_pretes():
        pytest.skip("bibliothèques JavaScript absentes du cache (accessibilite carte --preparer)")
    chemin = ecrire_carte_html(dossier_zg, tmp_path / "fonds.html", autonome=True)
    page = navigateur.ouvrir(chemin.as_uri())
    navigateur.vider(page)
    coches = page.evaluer(
        "[...document.querySelectorAll('.leaflet-control-layers-base label')]"
        ".filter(l => l.querySelector('input').checked).map(l => l.textContent.trim())"
    )
    assert coches == ["Plan OpenStreetMap"]
    # the plain background is not on the map too (it would hide nothing but lie in the control)
    assert (
        page.evaluer("document.querySelectorAll('.leaflet-tile-pane .leaflet-layer').length") == 1
    )
    couleurs = [*_style.COULEURS_TEMPS, _style.COULEUR_SANS_TEMPS]
    rectangles = page.evaluer(
        "(() => { const s = document.getElementById('zg-sources').getBoundingClientRect();"
        f" const couleurs = {couleurs!r};"
        " const c = [...document.querySelectorAll('.leaflet-overlay-pane path')]"
        "   .filter(p => couleurs.includes(p.getAttribute('fill')))"
        "   .map(p => p.getBoundingClientRect());"
        " return {s: [s.left, s.top, s.right, s.bottom],"
        "  c: [Math.min(...c.map(r => r.left)), Math.min(...c.map(r => r.top)),"
        "      Math.max(...c.map(r => r.right)), Math.max(...c.map(r => r.bottom))]}; })()"
    )
    gauche, haut, _droite, _bas = rectangles["s"]
    c_gauche, c_haut, c_droite, c_bas = rectangles["c"]
    assert c_droite > c_gauche and c_bas > c_haut  # the communes are drawn
    assert c_bas <= haut or c_droite <= gauche  # above or left of the sources, never under
