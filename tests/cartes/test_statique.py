"""Static A4 maps: page size, content drawn where expected, black-and-white, PDF."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from cartes import _style, carte_statique, figure_statique, lire_dossier
from socle.erreurs import DonneesInvalides


def _rgb(couleur: str) -> tuple[int, int, int]:
    return (int(couleur[1:3], 16), int(couleur[3:5], 16), int(couleur[5:7], 16))


def _pixels(chemin: Path) -> np.ndarray:
    return np.asarray(Image.open(chemin).convert("RGB"))


def _legendes(ax: Any) -> list[Any]:
    """Legends of an axes: its own and those added as artists."""
    from matplotlib.legend import Legend

    return [a for a in ax.get_children() if isinstance(a, Legend)]


def _part(pixels: np.ndarray, couleur: str) -> float:
    return float(np.all(pixels == _rgb(couleur), axis=-1).mean())


@pytest.fixture(scope="module")
def portrait(dossier_zg: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return carte_statique(
        dossier_zg,
        "proximite",
        tmp_path_factory.mktemp("png") / "carte_proximite.png",
        date_carte=dt.date(2026, 11, 26),
    )


def test_a4_portrait_300_dpi(portrait: Path) -> None:
    image = Image.open(portrait)
    assert image.size == (2480, 3508)
    assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)


def test_contenu_de_la_carte(portrait: Path) -> None:
    pixels = _pixels(portrait)
    # the page is mostly white, but far from empty
    blanc = np.all(pixels == 255, axis=-1).mean()
    assert 0.25 < blanc < 0.85
    # the classes of the hand-made folder are drawn: poles (3 communes), 5-10 min (6),
    # 10-20 min (3, hatched); the classes absent from the data are not drawn, not even in
    # the legend (the legends drop empty classes)
    assert _part(pixels, _style.COULEURS_TEMPS[0]) > 0.03
    assert _part(pixels, _style.COULEURS_TEMPS[2]) > 0.06
    assert _part(pixels, _style.COULEURS_TEMPS[3]) > 0.01
    for absente in (_style.COULEURS_TEMPS[4], _style.COULEURS_TEMPS[5]):
        assert _part(pixels, absente) == 0
    # dark ink: outlines, hatching, text, scale bar, north arrow
    noir = (pixels.max(axis=-1) < 60).mean()
    assert noir > 0.01


def test_zone_grise_hachuree(portrait: Path) -> None:
    """The right-hand column of communes (zone grise) is hatched, the left one is not."""
    pixels = _pixels(portrait).astype(int)
    hauteur, largeur, _ = pixels.shape
    bande = pixels[int(hauteur * 0.35) : int(hauteur * 0.55)]
    # columns of the grid: 4 communes across the map frame (12 mm margins, 186 mm wide)
    x0, x1 = int(largeur * 20 / 210), int(largeur * 200 / 210)

    def sombres(a: float, b: float) -> float:
        zone = bande[:, x0 + int((x1 - x0) * a) : x0 + int((x1 - x0) * b)]
        return float((zone.max(axis=-1) < 80).mean())

    assert sombres(0.80, 0.95) > 0.05  # hatch lines
    assert sombres(0.05, 0.20) < 0.01


def test_paysage_en_niveaux_de_gris(dossier_zg: Path, tmp_path: Path) -> None:
    chemin = carte_statique(
        dossier_zg, "cumul", tmp_path / "cumul.png", orientation="paysage", gris=True
    )
    pixels = _pixels(chemin).astype(int)
    assert pixels.shape[:2] == (2480, 3508)
    # no colour at all: every pixel is a shade of grey
    assert int((pixels.max(axis=-1) - pixels.min(axis=-1)).max()) <= 2
    gris = _style.couleurs_cumul(4, gris=True)
    # 62006 in zone grise for 1 level (métropolitain), 62012 for 4
    assert _part(pixels, gris[1]) > 0.01
    assert _part(pixels, gris[4]) > 0.003


def test_niveau_sans_pole(dossier_zg: Path) -> None:
    fig = figure_statique(dossier_zg, "metropolitain")
    textes = [t.get_text() for a in fig.axes for t in a.texts] + [t.get_text() for t in fig.texts]
    assert any("Aucun pôle métropolitain dans la zone étudiée" in t for t in textes)
    (legende,) = [
        lg for a in fig.axes for lg in _legendes(a) if lg.get_title().get_text().startswith("Temps")
    ]
    etiquettes = [t.get_text() for t in legende.get_texts()]
    assert etiquettes == ["aucun pôle atteignable (12)", "zone grise : plus de 60 min"]


def test_habillage(dossier_zg: Path) -> None:
    fig = figure_statique(dossier_zg, "intermediaire", date_carte=dt.date(2026, 1, 1))
    textes = [t.get_text() for a in fig.axes for t in a.texts] + [t.get_text() for t in fig.texts]
    tout = "\n".join(textes)
    assert "Zones grises des services de niveau intermédiaire —" in tout
    assert "Pas-de-Calais (62)" in tout
    assert "En zone grise : 2 communes, 325 habitants (1,4 % de la population" in tout
    assert "N" in textes  # north arrow
    assert "2 km" in textes  # scale bar
    assert "CC des Deux\nVallées" in textes  # EPCI labels
    assert "Carte réalisée le 1er janvier 2026" in tout.replace("\n", " ")
    assert "Base permanente des équipements 2013" in tout.replace("\n", " ")
    etiquettes = [
        t.get_text() for a in fig.axes if a.get_legend() for t in a.get_legend().get_texts()
    ]
    assert "10 à 20 min (3)" in etiquettes  # 62003, 62008, 62011
    assert "20 à 30 min (2)" in etiquettes  # 62004, 62012
    assert "zone grise : plus de 20 min" in etiquettes
    assert "Pôle intermédiaire (1)" in etiquettes
    assert "pôle intermédiaire hors département (1)" in etiquettes


def test_pdf_a4(dossier_zg: Path, tmp_path: Path) -> None:
    chemin = carte_statique(dossier_zg, "superieur", tmp_path / "carte.pdf", orientation="paysage")
    contenu = chemin.read_bytes()
    assert contenu.startswith(b"%PDF")
    boite = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", contenu)
    assert boite is not None
    largeur_mm, hauteur_mm = (float(v) / 72 * 25.4 for v in boite.groups())
    assert largeur_mm == pytest.approx(297, abs=0.2)
    assert hauteur_mm == pytest.approx(210, abs=0.2)
    assert [p.name for p in tmp_path.iterdir()] == ["carte.pdf"]
    # the text of the page (fonts embedded as TrueType: extractable, searchable)
    import pypdf

    lecteur = pypdf.PdfReader(chemin)
    assert len(lecteur.pages) == 1
    assert lecteur.metadata is not None
    assert lecteur.metadata.title.startswith("Zones grises des services de niveau supérieur —")
    texte = lecteur.pages[0].extract_text().replace("\n", " ")
    assert "zone grise : plus de 30 min" in texte
    assert "Pôle supérieur (1)" in texte  # 62006, the only upper pole of the département
    assert "Base permanente des équipements 2013" in texte


def test_mauvais_arguments(dossier_zg: Path, tmp_path: Path) -> None:
    with pytest.raises(DonneesInvalides, match="Format « svg » inconnu"):
        carte_statique(dossier_zg, "proximite", tmp_path / "c.svg")
    with pytest.raises(DonneesInvalides, match="Niveau « regional » absent"):
        carte_statique(dossier_zg, "regional", tmp_path / "c.png")
    with pytest.raises(DonneesInvalides, match="Orientation"):
        carte_statique(dossier_zg, "cumul", tmp_path / "c.png", orientation="carre")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_lecture_unique(dossier_zg: Path) -> None:
    """A folder already read is accepted as is (the pipeline passes its own)."""
    d = lire_dossier(dossier_zg)
    assert figure_statique(d, "cumul").get_size_inches() == pytest.approx((2480 / 300, 3508 / 300))


def test_titre_sous_titre_producteur_et_logo(dossier_zg: Path, tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    logo = tmp_path / "logo.png"
    fond = Figure(figsize=(2, 1), dpi=50)
    fond.patch.set_facecolor("#1f4e9c")
    fond.savefig(logo, facecolor="#1f4e9c")
    fig = figure_statique(
        dossier_zg,
        "proximite",
        titre="Éloignement des services : {niveau}",
        sous_titre="Schéma {niveau}, version de travail",
        producteur="Département du Pas-de-Calais",
        logo=logo,
    )
    textes = [t.get_text() for t in fig.texts]
    assert textes[0] == "Éloignement des services : proximité"
    assert textes[1].startswith("Schéma proximité, version de travail")
    sources = next(t for t in textes if t.startswith("Sources : "))
    assert sources.startswith("Sources : Réalisation : Département du Pas-de-Calais.")
    # the logo: an image in the title band, at the top right of the page
    images = [a for a in fig.axes if a.images]
    assert len(images) == 1
    _x0, _y0, x1, y1 = images[0].get_position().extents
    assert x1 == pytest.approx(1 - 12 / 210, abs=0.01) and y1 > 0.9
    cumul = figure_statique(dossier_zg, "cumul", titre="Cumul : {niveau}")
    assert cumul.texts[0].get_text() == "Cumul : tous niveaux"


def test_logo_illisible(dossier_zg: Path, tmp_path: Path) -> None:
    from socle.erreurs import DonneesInvalides, DonneesManquantes

    with pytest.raises(DonneesManquantes, match="Logo introuvable"):
        figure_statique(dossier_zg, "proximite", logo=tmp_path / "absent.png")
    faux = tmp_path / "logo.png"
    faux.write_text("pas une image")
    with pytest.raises(DonneesInvalides, match="Logo illisible"):
        figure_statique(dossier_zg, "proximite", logo=faux)
