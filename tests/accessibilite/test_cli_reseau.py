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


@pytest.mark.donnees
def test_construire_graphml_crs_vitesses(tmp_path, capsys):
    """``--graphml``, ``--crs``, ``--vitesses``, ``--sans-cache``: the graph the API builds
    with the same settings, and the settings recorded in the file."""
    import numpy as np

    from reseau import charger_graphe, construire_graphe
    from tests.conftest import chemin_donnees

    graphml = chemin_donnees("osm", "maisons-laffitte.graphml")
    table = tmp_path / "lent.toml"
    table.write_text("[delais]\ncarrefour_s = 10.0\n", encoding="utf-8")
    sortie = tmp_path / "ml.graphe"
    argv = ["reseau", "construire", "--graphml", str(graphml), "--crs", "EPSG:32631"]
    assert main([*argv, "--vitesses", str(table), "--sans-cache", "--sortie", str(sortie)]) == 0
    assert not (tmp_path / "cache" / "reseau").exists()  # --sans-cache
    capsys.readouterr()
    assert main(["reseau", "info", str(sortie), "--json"]) == 0
    faits = json.loads(capsys.readouterr().out)
    assert faits["crs"] == "EPSG:32631"
    assert faits["vitesses"]["origine"] == "vitesses.toml (fournie) + lent.toml"
    lu = charger_graphe(sortie)
    attendu = construire_graphe(graphml, crs="EPSG:32631", vitesses=table, cache=False)
    for nom in ("indptr", "indices", "temps_s", "x", "y"):
        assert np.array_equal(getattr(lu, nom), getattr(attendu, nom)), nom
    defaut = construire_graphe(graphml, crs="EPSG:32631", cache=False)
    assert lu.temps_s.sum() > defaut.temps_s.sum()  # 10 s at each junction instead of 3


def test_construire_bacs(tmp_path, capsys):
    """``--bacs`` keeps the ferry of the mini network (route=ferry), excluded by default."""
    from reseau import charger_graphe

    for nom, options in (("sans", []), ("avec", ["--bacs"])):
        argv = ["reseau", "construire", "--pbf", str(OSM_MINI), *options]
        assert main([*argv, "--sortie", str(tmp_path / f"{nom}.graphe")]) == 0
    sans, avec = (charger_graphe(tmp_path / f"{n}.graphe") for n in ("sans", "avec"))
    assert sans.metadonnees["exclusions"]["bac (option bacs)"] == 1
    assert "bac (option bacs)" not in avec.metadonnees["exclusions"]
    assert avec.n_arcs > sans.n_arcs


def test_verbeux_et_version(tmp_path, capsys):
    """``-v`` shows the library's INFO lines on stderr (a new process: the logging set-up of
    the command is the one a user gets); ``--version``."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "ACCESSIBILITE_CACHE": str(tmp_path / "cache")}
    from pathlib import Path

    commande = [str(Path(sys.executable).with_name("accessibilite"))]  # the console script
    construire = ["reseau", "construire", "--pbf", str(OSM_MINI), "--sans-cache", "--sortie"]
    bavard = subprocess.run(
        [*commande, "-v", *construire, str(tmp_path / "a.graphe")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    muet = subprocess.run(
        [*commande, *construire, str(tmp_path / "b.graphe")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "INFO : " in bavard.stderr and "INFO" not in muet.stderr
    with pytest.raises(SystemExit) as fin:
        main(["--version"])
    assert fin.value.code == 0
    assert capsys.readouterr().out.strip() == "accessibilite 0.1.0"
