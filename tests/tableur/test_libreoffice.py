"""The outputs opened by a real spreadsheet: LibreOffice headless converts the workbook and
the French CSV of a zones-grises folder of the Ain (codes 01001...) and the converted
files are read back with openpyxl: codes keep their leading zeros, decimals are numbers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from accessibilite.cli import main
from tests.conftest import chemin_donnees

pytestmark = [pytest.mark.donnees, pytest.mark.tableur]


def _soffice() -> str:
    chemin = shutil.which("soffice") or shutil.which("libreoffice")
    if chemin is None:
        pytest.skip("LibreOffice absent (apt-get install libreoffice-calc-nogui)")
    return chemin


def _convertir(source: Path, sortie: Path, profil: Path, filtre: str | None = None) -> Path:
    """``source`` converted to .xlsx by LibreOffice (with an import filter for CSV)."""
    commande = [
        _soffice(),
        f"-env:UserInstallation={profil.as_uri()}",
        "--headless",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(sortie),
    ]
    if filtre:
        commande.insert(3, f"--infilter={filtre}")
    resultat = subprocess.run(
        [*commande, str(source)], capture_output=True, text=True, timeout=300, check=False
    )
    converti = sortie / (source.stem + ".xlsx")
    assert resultat.returncode == 0 and converti.exists(), resultat.stderr
    return converti


@pytest.fixture(scope="module")
def dossier_01(tmp_path_factory) -> Path:
    bpe = chemin_donnees("bpe", "bpe2013.xlsx")
    sortie = tmp_path_factory.mktemp("tableur") / "01"
    code = main(
        [
            "-q",
            "zones-grises",
            "--departement",
            "01",
            "--bpe",
            str(bpe),
            "--sortie",
            str(sortie),
            "--cartes",
            "aucune",
            "--csv",
            "excel-fr",
        ]
    )
    assert code == 0
    return sortie


def _colonnes(fichier: Path) -> dict[str, list[object]]:
    from openpyxl import load_workbook

    feuille = load_workbook(fichier, read_only=True).worksheets[0]
    lignes = list(feuille.iter_rows(values_only=True))
    return {str(nom): [ligne[k] for ligne in lignes[1:]] for k, nom in enumerate(lignes[0])}


def _verifier(colonnes: dict[str, list[object]]) -> None:
    codes = colonnes["code"]
    assert "01001" in codes and all(isinstance(c, str) and len(c) == 5 for c in codes)
    # poles may be in a neighbouring département (38..., 69...): codes all the same
    assert all(isinstance(c, str) and len(c) == 5 for c in colonnes["pole_proximite"])
    temps = [t for t in colonnes["temps_proximite_min"] if t is not None]
    assert all(isinstance(t, int | float) for t in temps)
    assert any(isinstance(t, float) and not t.is_integer() for t in temps)  # decimals
    assert all(isinstance(p, int | float) for p in colonnes["population"])


def test_classeur_relu_par_libreoffice(dossier_01, tmp_path):
    classeur = dossier_01 / "zones_grises.xlsx"
    _verifier(_colonnes(classeur))  # as written
    # re-saved by LibreOffice: what a user gets after opening and saving it
    _verifier(_colonnes(_convertir(classeur, tmp_path / "lo", tmp_path / "profil")))


def test_csv_excel_fr_relu_par_libreoffice(dossier_01, tmp_path):
    csv = dossier_01 / "zones_grises.csv"
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    # the French import of LibreOffice: ";", UTF-8, French locale, quoted fields as text
    filtre = "CSV:59,34,76,1,,1036,true,true"
    colonnes = _colonnes(_convertir(csv, tmp_path / "lo", tmp_path / "profil", filtre))
    _verifier(colonnes)
    assert set(colonnes["zone_grise_proximite"]) <= {"oui", "non"}


def test_dossier_excel_fr_relu_par_les_commandes(tmp_path):
    """A folder written with --csv excel-fr is read back by the commands that reread
    folders: the maps, a scenario replaying the base, the report."""
    bpe = chemin_donnees("bpe", "bpe2013.xlsx")
    base = tmp_path / "90"
    assert (
        main(
            [
                "-q",
                "zones-grises",
                "--departement",
                "90",
                "--bpe",
                str(bpe),
                "--sortie",
                str(base),
                "--cartes",
                "aucune",
                "--csv",
                "excel-fr",
            ]
        )
        == 0
    )
    assert main(["-q", "carte", "--entree", str(base), "--format", "html"]) == 0
    modifications = tmp_path / "ajout.toml"
    modifications.write_text(
        'description = "essai"\n[[pole]]\ncommune = "90010"\nniveau = "proximite"\nactif = true\n',
        encoding="utf-8",
    )
    assert main(["-q", "scenario", "--base", str(base), "--modifications", str(modifications)]) == 0
    assert main(["-q", "rapport", "--base", str(base), "--formats", "html"]) == 0
    assert (base / "rapport" / "rapport.html").exists()
