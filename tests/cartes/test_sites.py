"""Maps of a network of sites, from a folder written by the coverage of hand-made communes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accessibilite.cli import main
from accessibilite.cli._options_sites import bassins_du_reseau
from cartes import (
    carte_sites_interactive,
    carte_sites_statique,
    ecrire_cartes_sites,
    est_dossier_sites,
    lire_dossier_sites,
)
from cartes.sites import classes_objectif, figure_sites
from poles.couverture import couverture
from poles.sorties_sites import ecrire_couverture
from socle.dossiers import dossier_resultat
from socle.erreurs import DonneesInvalides
from tests.poles._ligne import MINUTES_EGALES_KM
from tests.poles.test_sites import communes, lon_lat


@pytest.fixture(scope="module")
def dossier_sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    racine = tmp_path_factory.mktemp("reseau")
    lon, lat = lon_lat(32.0)
    fichier = racine / "maisons.csv"
    fichier.write_text(
        "nom;code_insee;lon;lat;type;horaires\n"
        "Maison <A>;A;;;maison France services;lundi 9h-12h\n"
        f"Antenne;;{lon};{lat};antenne;\n",
        encoding="utf-8",
    )
    resultat = couverture(
        communes(), fichier, source=MINUTES_EGALES_KM, objectif_min=9, temps_interne=False
    )
    sortie = racine / "resultat"
    with dossier_resultat(sortie, commande="indicateur") as dossier:
        ecrire_couverture(resultat, dossier, bassins=bassins_du_reseau(resultat))
    return sortie


def test_lecture_du_dossier(dossier_sites: Path, dossier_zg: Path) -> None:
    assert est_dossier_sites(dossier_sites) and not est_dossier_sites(dossier_zg)
    d = lire_dossier_sites(dossier_sites)
    assert d.objectif_min == 9 and d.colonne_objectif == "au_dela_9"
    assert d.communes["au_dela_9"].tolist() == [False, False, True, True, False]
    assert d.sites["nom"].tolist() == ["Maison <A>", "Antenne"]
    assert set(d.bassins["pole_nom"]) == {"Maison <A>", "Antenne", "Au-delà de l'objectif (9 min)"}
    with pytest.raises(DonneesInvalides, match="pas le résultat d'un réseau de sites"):
        lire_dossier_sites(dossier_zg)


def test_classes_autour_de_l_objectif() -> None:
    libelles = [c[2] for c in classes_objectif(15)]
    assert libelles == [
        "commune d'un site (0 min)",
        "5 min ou moins",
        "5 à 10 min",
        "10 à 15 min",
        "plus de 15 min : au-delà de l'objectif",
    ]
    assert classes_objectif(10)[1][2] == "3,3 min ou moins"


def test_carte_html_autonome(dossier_sites: Path, tmp_path: Path, faux_cache: Path) -> None:
    (chemin,) = ecrire_cartes_sites(dossier_sites, ["html"], sortie=tmp_path, fond="uni")
    page = chemin.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    assert "cdn.jsdelivr.net" not in page  # the libraries are embedded
    for texte in (
        "Réseau de 2 sites",
        "lundi 9h-12h",
        "plus de 9 min : au-delà de l&#x27;objectif (2)",
        "Au-delà de l&#x27;objectif de 9 min : 700 habitants",
    ):
        assert texte in page, texte
    assert "Maison <A>" not in page and "Maison &lt;A&gt;" in page  # names are escaped
    assert "tile.openstreetmap" not in page  # --fond uni: no tile server
    couches = [
        getattr(e, "layer_name", None)
        for e in carte_sites_interactive(dossier_sites, fond="uni")._children.values()
    ]
    assert [c for c in couches if c] == [  # no neighbour within 10 km: no such layer
        "Temps au site le plus proche",
        "Communes au-delà de l'objectif",
        "Bassins des sites",
        "Périmètre",
        "Sites (2)",
    ]


def test_cartes_imprimables(dossier_sites: Path, tmp_path: Path) -> None:
    png = carte_sites_statique(dossier_sites, tmp_path / "carte.png")
    from PIL import Image

    with Image.open(png) as image:
        assert image.size == (2480, 3508)
    pdf = carte_sites_statique(
        dossier_sites, tmp_path / "carte.pdf", orientation="paysage", gris=True
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    figure = figure_sites(dossier_sites)
    textes = [t.get_text() for t in figure.texts]
    assert textes[0].startswith("Réseau de 2 sites")
    assert any("Au-delà de l'objectif de 9 min : 700 habitants" in t for t in textes)
    with pytest.raises(DonneesInvalides, match="svg"):
        ecrire_cartes_sites(dossier_sites, ["svg"])


def test_commande_carte_sur_un_reseau(
    dossier_sites: Path, tmp_path: Path, faux_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sortie = tmp_path / "cartes"
    argv = ["carte", "--entree", str(dossier_sites), "--format", "html,png", "--sortie"]
    assert main([*argv, str(sortie)]) == 0
    assert sorted(p.name for p in sortie.iterdir()) == [
        "_execution.json",
        "carte.html",
        "carte.png",
    ]
    manifeste = json.loads((sortie / "_execution.json").read_text(encoding="utf-8"))
    assert manifeste["commande"] == "carte"
    code = main([*argv, str(tmp_path / "x"), "--bassins", "b.gpkg"])
    assert (
        code == 2 and "--bassins valent pour un dossier de zones grises" in capsys.readouterr().err
    )


def test_legende_sans_commune_a_zero_minute(tmp_path: Path) -> None:
    fichier = tmp_path / "maisons.csv"
    fichier.write_text("nom;code_insee\nMaison A;A\n", encoding="utf-8")
    resultat = couverture(communes(), fichier, source=MINUTES_EGALES_KM, objectif_min=9)
    assert resultat.communes["temps_min"].min() > 0  # the internal time, by default
    with dossier_resultat(tmp_path / "r", commande="indicateur") as dossier:
        ecrire_couverture(resultat, dossier, bassins=bassins_du_reseau(resultat))
    figure = figure_sites(tmp_path / "r")
    libelles = [t.get_text() for legende in figure.legends for t in legende.get_texts()]
    libelles += [
        t.get_text() for ax in figure.axes if ax.get_legend() for t in ax.get_legend().get_texts()
    ]
    assert not any("commune d'un site" in t for t in libelles)
    assert any(t.startswith("plus de 9 min : au-delà de l'objectif") for t in libelles)
