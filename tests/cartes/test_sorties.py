"""All maps at once (``ecrire_cartes``) and the ``accessibilite carte`` command."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessibilite.cli import main
from cartes import ecrire_cartes
from socle.dossiers import MANIFESTE, verifier_dossier
from socle.erreurs import DonneesInvalides


def test_ecrire_cartes_dans_le_dossier(copie_zg: Path, faux_cache: Path) -> None:
    avant = {p.name for p in copie_zg.iterdir()}
    fichiers = ecrire_cartes(copie_zg, ("html", "pdf"), fond="uni")
    noms = [f.name for f in fichiers]
    assert noms == [
        "carte.html",
        "carte_proximite.pdf",
        "carte_intermediaire.pdf",
        "carte_superieur.pdf",
        "carte_metropolitain.pdf",
        "carte_cumul.pdf",
    ]
    assert {p.name for p in copie_zg.iterdir()} == avant | set(noms)  # nothing else left
    assert "cdn.jsdelivr.net" not in (copie_zg / "carte.html").read_text(encoding="utf-8")
    # each PDF is the map of its level (its title, its threshold)
    assert _titres_pdf(copie_zg) == TITRES


TITRES = {
    "proximite": ("Zones grises des services de proximité", "plus de 10 min"),
    "intermediaire": ("Zones grises des services de niveau intermédiaire", "plus de 20 min"),
    "superieur": ("Zones grises des services de niveau supérieur", "plus de 30 min"),
    "metropolitain": ("Zones grises des services de niveau métropolitain", "plus de 60 min"),
    "cumul": ("Espaces à enjeux d'éloignement", "Nombre de niveaux en zone grise"),
}


def _titres_pdf(dossier: Path) -> dict[str, tuple[str, str]]:
    """For each carte_<nom>.pdf: its title and the first expected phrase found in its text."""
    import pypdf

    titres = {}
    for nom, (_, phrase) in TITRES.items():
        lecteur = pypdf.PdfReader(dossier / f"carte_{nom}.pdf")
        assert lecteur.metadata is not None
        titre = str(lecteur.metadata.title).split(" —")[0]
        texte = lecteur.pages[0].extract_text().replace("\n", " ")
        titres[nom] = (titre, phrase if phrase in texte else texte[:200])
    return titres


def test_format_inconnu(copie_zg: Path) -> None:
    with pytest.raises(DonneesInvalides, match="svg"):
        ecrire_cartes(copie_zg, ("html", "svg"))
    with pytest.raises(DonneesInvalides, match="aucun"):
        ecrire_cartes(copie_zg, ())


def test_commande_carte(
    dossier_zg: Path, tmp_path: Path, faux_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sortie = tmp_path / "cartes"
    code = main(
        [
            "carte",
            "--entree",
            str(dossier_zg),
            "--format",
            "html,pdf",
            "--sortie",
            str(sortie),
            "--fond",
            "uni",
            "--orientation",
            "paysage",
        ]
    )
    assert code == 0
    cartes_attendues = ["carte.html"] + [
        f"carte_{n}.pdf"
        for n in ("proximite", "intermediaire", "superieur", "metropolitain", "cumul")
    ]
    assert sorted(p.name for p in sortie.iterdir()) == sorted([*cartes_attendues, MANIFESTE])
    # the folder of maps is one unit: its manifest lists every map with its checksum
    assert sorted(verifier_dossier(sortie)["fichiers"]) == sorted(cartes_attendues)
    assert str(sortie / "carte.html") in capsys.readouterr().out
    assert _titres_pdf(sortie) == TITRES
    import pypdf

    boite = pypdf.PdfReader(sortie / "carte_cumul.pdf").pages[0].mediabox
    assert float(boite.width) > float(boite.height)  # --orientation paysage


def test_commande_carte_liens_internet(dossier_zg: Path, tmp_path: Path, cache_vide: Path) -> None:
    assert (
        main(
            [
                "carte",
                "--entree",
                str(dossier_zg),
                "--format",
                "html",
                "--sortie",
                str(tmp_path),
                "--liens-internet",
            ]
        )
        == 0
    )
    assert "cdn.jsdelivr.net" in (tmp_path / "carte.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--entree", "/nulle/part"], "Dossier /nulle/part introuvable"),
        ([], "indiquez le dossier des zones grises"),
        (["--preparer"], "registre npm est injoignable"),
    ],
)
def test_commande_carte_erreurs(
    arguments: list[str], message: str, cache_vide: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["carte", *arguments]) == 2
    erreur = capsys.readouterr().err
    assert message in erreur
    assert "Traceback" not in erreur


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_commande_carte_couche_sans_crs(
    dossier_zg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    iso = tmp_path / "iso.gpkg"
    gpd.GeoDataFrame(
        {"temps_min": [10.0], "source": ["x"]}, geometry=[Point(0, 0).buffer(1)]
    ).to_file(iso)
    code = main(
        [
            "carte",
            "--entree",
            str(dossier_zg),
            "--format",
            "html",
            "--sortie",
            str(tmp_path / "s"),
            "--isochrones",
            str(iso),
        ]
    )
    assert code == 2
    assert "« isochrones » n'a pas de système de coordonnées" in capsys.readouterr().err


def test_commande_carte_gris_et_bassins(
    dossier_zg: Path, tmp_path: Path, faux_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--gris``: print maps in shades of grey only; ``--bassins``: the catchment layer of
    ``accessibilite bassins`` added to the interactive map."""
    import numpy as np
    from PIL import Image

    from tests.cartes.test_interactive import _bassins

    _bassins().to_file(tmp_path / "bassins.gpkg")
    argv = ["carte", "--entree", str(dossier_zg), "--format", "html,png", "--fond", "uni"]
    for nom, options in (("couleur", []), ("gris", ["--gris"])):
        options += ["--bassins", str(tmp_path / "bassins.gpkg")]
        assert main([*argv, *options, "--sortie", str(tmp_path / nom)]) == 0
    capsys.readouterr()

    def part_coloree(dossier: Path) -> float:
        pixels = np.asarray(Image.open(dossier / "carte_proximite.png").convert("RGB"))
        ecart = pixels.max(axis=-1).astype(int) - pixels.min(axis=-1).astype(int)
        return float((ecart > 12).mean())

    assert part_coloree(tmp_path / "couleur") > 0.05
    assert part_coloree(tmp_path / "gris") < 0.001
    for nom in ("couleur", "gris"):
        page = (tmp_path / nom / "carte.html").read_text(encoding="utf-8")
        assert "Bassins de services" in page and "Chérisy-le-Grand" in page
