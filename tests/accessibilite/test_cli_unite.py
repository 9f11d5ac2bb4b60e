"""Commands write their result folders as one unit, and end every everyday fault in one
French line (reruns, damaged folders, closed pipes, outputs that are folders)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from accessibilite.cli import main
from socle.dossiers import MANIFESTE, verifier_dossier
from tests.conftest import FIXTURES, chemin_donnees

pytestmark = pytest.mark.donnees


def _zones_grises(sortie: Path, *options: str) -> int:
    bpe = chemin_donnees("bpe", "bpe2013.xlsx")
    return main(
        [
            "zones-grises",
            "--departement",
            "90",
            "--bpe",
            str(bpe),
            "--sortie",
            str(sortie),
            "--cartes",
            "aucune",
            *options,
        ]
    )


def _contenu(dossier: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(dossier.iterdir()) if p.is_file()}


def _erreur(capsys: pytest.CaptureFixture[str]) -> str:
    erreurs = capsys.readouterr().err.strip().splitlines()
    assert erreurs, "aucun message d'erreur"
    assert "Traceback" not in "\n".join(erreurs)
    return erreurs[-1]


def test_relance_dans_le_meme_dossier(tmp_path, capsys):
    sortie = tmp_path / "90"
    assert _zones_grises(sortie, "--sensibilite") == 0
    premier = _contenu(sortie)
    assert "sensibilite.csv" in premier and MANIFESTE in premier
    # a rerun without --ecraser is refused and leaves the first result as it was
    assert _zones_grises(sortie) == 2
    assert "--ecraser" in _erreur(capsys)
    assert _contenu(sortie) == premier
    # with --ecraser the folder is replaced whole: no sensibilite.csv of the previous rule
    assert _zones_grises(sortie, "--ecraser", "--regle", "tous") == 0
    second = _contenu(sortie)
    assert "sensibilite.csv" not in second
    assert second["zones_grises.csv"] != premier["zones_grises.csv"]
    assert verifier_dossier(sortie)["commande"] == "zones-grises"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["90"]


def test_carte_refuse_un_dossier_modifie(tmp_path, capsys):
    sortie = tmp_path / "90"
    assert _zones_grises(sortie) == 0
    table = sortie / "resume.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("proximite", "proximité"))
    assert main(["carte", "--entree", str(sortie), "--format", "html"]) == 2
    message = _erreur(capsys)
    assert "modifiés depuis le calcul : resume.csv" in message
    assert not (sortie / "carte.html").exists()


def test_carte_ajoute_ses_fichiers_au_dossier(tmp_path, capsys, monkeypatch):
    sortie = tmp_path / "90"
    assert _zones_grises(sortie) == 0
    tables = _contenu(sortie)
    assert main(["carte", "--entree", str(sortie), "--format", "pdf"]) == 0
    apres = _contenu(sortie)
    assert {n: apres[n] for n in tables if n != MANIFESTE} == {
        n: v for n, v in tables.items() if n != MANIFESTE
    }
    assert "carte_cumul.pdf" in verifier_dossier(sortie)["fichiers"]


def test_sortie_qui_est_un_dossier(tmp_path, capsys):
    pbf = FIXTURES / "reseau_mini.osm"
    graphe = tmp_path / "mini.graphe"
    assert main(["reseau", "construire", "--pbf", str(pbf), "--sortie", str(graphe)]) == 0
    import geopandas as gpd
    import shapely

    from reseau import charger_graphe

    g = charger_graphe(graphe)
    point = shapely.Point(float(g.x[0]), float(g.y[0]))
    points = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"nom": ["a"]}, geometry=[point], crs=g.crs).to_file(points)
    (tmp_path / "iso.gpkg").mkdir()
    capsys.readouterr()
    code = main(
        [
            "isochrones",
            "--reseau",
            str(graphe),
            "--points",
            str(points),
            "--temps",
            "5",
            "--sortie",
            str(tmp_path / "iso.gpkg"),
        ]
    )
    assert code == 2
    assert "iso.gpkg est un dossier" in _erreur(capsys)


def test_tuyau_ferme(tmp_path):
    pbf = FIXTURES / "reseau_mini.osm"
    graphe = tmp_path / "mini.graphe"
    assert main(["reseau", "construire", "--pbf", str(pbf), "--sortie", str(graphe)]) == 0
    # `accessibilite reseau info F | head -1`: the reader is gone before we write
    code = (
        "from accessibilite.cli import main; import sys; "
        f'sys.exit(main(["reseau", "info", "{graphe}"]))'
    )
    processus = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert processus.stdout is not None and processus.stderr is not None
    processus.stdout.close()
    erreurs = processus.stderr.read().decode()
    assert processus.wait(timeout=120) == 141
    assert "Traceback" not in erreurs and "BrokenPipe" not in erreurs
