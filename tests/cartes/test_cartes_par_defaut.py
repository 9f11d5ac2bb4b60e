"""The main job with its default maps, as the README's first command runs it
(``zones-grises --departement 62 --bpe ...`` without ``--cartes``): every map file, checked
by its content against the tables of the same folder."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from PIL import Image

from accessibilite.cli import main

pytestmark = pytest.mark.donnees

NIVEAUX = ("proximite", "intermediaire", "superieur")
LIBELLES = {"proximite": "proximité", "intermediaire": "intermédiaire", "superieur": "supérieur"}
POLES = {
    "proximite": "ôle de proximité",
    "intermediaire": "ôle intermédiaire",
    "superieur": "ôle supérieur",
}
TITRES = {
    "proximite": "de proximité",
    "intermediaire": "de niveau intermédiaire",
    "superieur": "de niveau supérieur",
}
SEUILS = {"proximite": 10, "intermediaire": 20, "superieur": 30}


@pytest.fixture(scope="module")
def dossier(tmp_path_factory: pytest.TempPathFactory, bpe_2013: str) -> Path:
    from tests.cartes.conftest import remplir_faux_cache

    racine = tmp_path_factory.mktemp("cartes62")
    with pytest.MonkeyPatch.context() as m:
        remplir_faux_cache(racine / "cache", m)
        sortie = racine / "62"
        argv = ["zones-grises", "--departement", "62", "--bpe", bpe_2013]
        assert main([*argv, "--sortie", str(sortie)]) == 0
    return sortie


def _nombre(n: int) -> str:
    """French thousands, with the narrow no-break space the maps use."""
    return f"{n:,}".replace(",", "\u202f")


def test_fichiers(dossier: Path) -> None:
    from socle.dossiers import MANIFESTE, verifier_dossier

    cartes = [f"carte_{n}.{f}" for n in (*NIVEAUX, "cumul") for f in ("png", "pdf")]
    attendus = [
        "carte.html",
        *cartes,
        "parametres.json",
        "resume.csv",
        "resume_epci.csv",
        "zones_grises.csv",
        "zones_grises.gpkg",
        "zones_grises.xlsx",
    ]
    assert sorted(p.name for p in dossier.iterdir()) == sorted([*attendus, MANIFESTE])
    # the maps belong to the run: its manifest lists them with their checksums
    manifeste = verifier_dossier(dossier)
    assert manifeste is not None and sorted(manifeste["fichiers"]) == sorted(attendus)


def test_png_a4_portrait_300_dpi(dossier: Path) -> None:
    for nom in (*NIVEAUX, "cumul"):
        with Image.open(dossier / f"carte_{nom}.png") as image:
            assert image.size == (2480, 3508)
            assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
            assert len(image.convert("RGB").getcolors(1 << 20) or []) > 20  # not blank


def test_pdf_contenu(dossier: Path) -> None:
    import pypdf

    resume = pd.read_csv(dossier / "resume.csv").set_index("niveau")
    table = pd.read_csv(dossier / "zones_grises.csv")
    poles = gpd.read_file(dossier / "zones_grises.gpkg", layer="poles")
    for niveau in NIVEAUX:
        lecteur = pypdf.PdfReader(dossier / f"carte_{niveau}.pdf")
        assert len(lecteur.pages) == 1
        boite = lecteur.pages[0].mediabox
        assert float(boite.width) / 72 * 25.4 == pytest.approx(210, abs=0.2)
        assert float(boite.height) / 72 * 25.4 == pytest.approx(297, abs=0.2)
        titre = f"Zones grises des services {TITRES[niveau]} —\nPas-de-Calais (62)"
        assert lecteur.metadata is not None and lecteur.metadata.title == titre
        texte = lecteur.pages[0].extract_text()
        ligne = resume.loc[niveau]
        part = f"{100 * ligne['part_population']:.1f}".replace(".", ",")
        communes, population = int(ligne["communes"]), _nombre(int(ligne["population"]))
        assert (
            f"En zone grise : {communes} communes, {population} habitants ({part} % de la "
            "population du département)"
        ) in texte.replace("\n", " ")
        assert f"zone grise : plus de {SEUILS[niveau]} min" in texte
        # the legend counts the communes of each time class (times as shown, 0.1 min)
        temps = table[f"temps_{niveau}_min"]
        assert f"pôle (0 min) ({(temps == 0).sum()})" in texte
        assert f"5 à 10 min ({((temps > 5) & (temps <= 10)).sum()})" in texte
        assert f"P{POLES[niveau]} ({int(ligne['poles'])})" in texte
        dehors = int((poles["niveau"] == niveau).sum() - ligne["poles"])
        assert f"p{POLES[niveau]} hors département ({dehors})" in texte
        assert "Base permanente des équipements 2013" in texte.replace("\n", " ")


def test_html_par_defaut(dossier: Path) -> None:
    page = (dossier / "carte.html").read_text(encoding="utf-8")
    for niveau in NIVEAUX:
        assert f"Zones grises — {LIBELLES[niveau]} (seuil {SEUILS[niveau]} min)" in page
    assert "Pas-de-Calais (62)" in page
    # default background: the OpenStreetMap tiles; the libraries inlined from the cache
    assert "tile.openstreetmap.org" in page
    assert "faux script" in page and "cdn.jsdelivr.net" not in page
