"""The ``accessibilite reseau`` commands, run in-process."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from accessibilite.cli import main
from tests.reseau.conftest import OSM_MINI


@pytest.fixture(autouse=True)
def cache_temporaire(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "cache"))


def test_construire_puis_info(tmp_path, capsys):
    sortie = tmp_path / "mini.graphe"
    code = main(["reseau", "construire", "--pbf", str(OSM_MINI), "--sortie", str(sortie)])
    assert code == 0 and sortie.is_file()
    assert "Graphe enregistré" in capsys.readouterr().out
    assert any((tmp_path / "cache" / "reseau").glob("*.graphe"))

    assert main(["reseau", "info", str(sortie)]) == 0
    texte = capsys.readouterr().out
    assert "nœuds : 14 ; arcs : 24" in texte
    assert "composantes écartées" in texte and "1 (2 nœuds, 2 arcs)" in texte
    assert "« signals » (1)" in texte
    assert "residential" in texte and "repli (maxspeed illisible)" in texte

    assert main(["reseau", "info", str(sortie), "--json"]) == 0
    faits = json.loads(capsys.readouterr().out)
    assert faits["n_noeuds"] == 14 and faits["sources_vitesse"]["repli"]["arcs"] == 2


def test_construire_departement(tmp_path, capsys):
    sortie = tmp_path / "62.graphe"
    code = main(
        [
            "reseau",
            "construire",
            "--departement",
            "62",
            "--pbf",
            str(OSM_MINI),
            "--tampon-km",
            "5",
            "--sans-cache",
            "--sortie",
            str(sortie),
        ]
    )
    assert code == 0
    assert "EPSG:2154" in capsys.readouterr().out
    assert not (tmp_path / "cache" / "reseau").exists()


def test_polygone_sans_crs(tmp_path, capsys):
    couche = tmp_path / "zone.gpkg"
    with pytest.warns(UserWarning):
        gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)]).to_file(couche)
    code = main(
        [
            "reseau",
            "construire",
            "--polygone",
            str(couche),
            "--pbf",
            str(OSM_MINI),
            "--sortie",
            str(tmp_path / "x.graphe"),
        ]
    )
    assert code == 2
    erreur = capsys.readouterr().err
    assert erreur.startswith("Erreur : ") and "CRS" in erreur and "Traceback" not in erreur


def test_fichier_corrompu(tmp_path, capsys):
    faux = tmp_path / "faux.graphe"
    faux.write_bytes(b"rien")
    assert main(["reseau", "info", str(faux)]) == 2
    assert "n'est pas un fichier de graphe" in capsys.readouterr().err


def test_pbf_invalide(tmp_path, capsys):
    faux = tmp_path / "faux.osm.pbf"
    faux.write_text("pas un pbf " * 50)
    assert main(["reseau", "construire", "--pbf", str(faux), "--sortie", str(tmp_path / "x")]) == 2
    assert "illisible ou tronqué" in capsys.readouterr().err


def test_options_exclusives(tmp_path):
    with pytest.raises(SystemExit) as fin:
        main(
            ["reseau", "construire", "--departement", "62", "--polygone", "a.gpkg", "--sortie", "x"]
        )
    assert fin.value.code == 2
