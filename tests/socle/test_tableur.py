"""CSV dialects and workbooks, read back with pandas and openpyxl."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socle.erreurs import DonneesInvalides
from socle.tableur import ajouter_au_classeur, dialecte_de, ecrire_classeur, ecrire_csv, lire_csv


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["01001", "2A004", "62001"],
            "nom": ['L\'Abergement "bas"', "Ajaccio", "Ablain-Saint-Nazaire"],
            "population": np.array([832, 68_916, 1_772], dtype=np.int64),
            "temps_min": [12.5, np.nan, 0.0],
            "zone_grise": [True, False, False],
            "part_population": [0.013, 0.5, 0.0],
        }
    )


def test_portable_identique_a_pandas(tmp_path, table):
    chemin = ecrire_csv(table, tmp_path / "t.csv")
    assert chemin.read_bytes() == table.to_csv(index=False).encode("utf-8")
    assert dialecte_de(chemin) == "portable"


def test_excel_fr(tmp_path, table):
    chemin = ecrire_csv(table, tmp_path / "t.csv", dialecte="excel-fr")
    octets = chemin.read_bytes()
    assert octets.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: accents right in Excel
    lignes = octets[3:].decode("utf-8").split("\r\n")
    assert lignes[0] == '"code";"nom";"population";"temps_min";"zone_grise";"part_population"'
    assert lignes[1] == '"01001";"L\'Abergement ""bas""";832;12,5;oui;0,013'
    assert lignes[2] == '"2A004";"Ajaccio";68916;;non;0,5'
    # read back by the project's readers as the same table
    relue = lire_csv(chemin, dtype={"code": str})
    assert list(relue["code"]) == ["01001", "2A004", "62001"]
    assert relue["temps_min"].tolist()[0] == 12.5 and np.isnan(relue["temps_min"][1])
    assert relue["zone_grise"].tolist() == [True, False, False]
    assert relue["population"].tolist() == [832, 68_916, 1_772]


def test_dialecte_inconnu(tmp_path, table):
    with pytest.raises(DonneesInvalides, match="excel-fr"):
        ecrire_csv(table, tmp_path / "t.csv", dialecte="excel")


def test_classeur_types_et_mise_en_forme(tmp_path, table):
    from openpyxl import load_workbook

    chemin = ecrire_classeur(
        {"zones_grises.csv": table, "resume": table.head(1)}, tmp_path / "t.xlsx"
    )
    ajouter_au_classeur(chemin, {"sensibilite": table.tail(1)})
    classeur = load_workbook(chemin)
    assert classeur.sheetnames == ["zones_grises", "resume", "sensibilite"]
    feuille = classeur["zones_grises"]
    lignes = list(feuille.iter_rows(values_only=True))
    assert lignes[0] == tuple(table.columns)
    assert lignes[1] == ("01001", 'L\'Abergement "bas"', 832, 12.5, True, 0.013)
    assert lignes[2][0] == "2A004" and lignes[2][3] is None  # NaN: an empty cell
    assert feuille["A2"].number_format == "@"  # codes typed as text
    assert feuille["F2"].number_format == "0.0%"  # shares shown as percentages
    assert feuille.freeze_panes == "A2"  # header frozen
    assert feuille.auto_filter.ref == "A1:F4"
    assert feuille.column_dimensions["B"].width >= len("Ablain-Saint-Nazaire")


def test_classeur_reproductible(tmp_path, table):
    """The same tables give the same bytes (dates inside the file fixed), and the file
    still opens with its content."""
    from openpyxl import load_workbook

    premier = ecrire_classeur({"t": table}, tmp_path / "a.xlsx").read_bytes()
    second = ecrire_classeur({"t": table}, tmp_path / "b.xlsx").read_bytes()
    assert premier == second
    autre = ecrire_classeur({"t": table.head(2)}, tmp_path / "c.xlsx").read_bytes()
    assert autre != premier
    classeur = load_workbook(tmp_path / "a.xlsx")
    assert classeur.properties.created.year == 1980
    assert classeur["t"]["A2"].value == "01001"
