import zipfile

import pandas as pd
import pytest

from poles.bpe import lire_bpe
from socle.erreurs import DonneesInvalides, DonneesManquantes
from tests.conftest import chemin_donnees


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "cache"))


def test_classeur_par_libelle(tmp_path):
    f = tmp_path / "bpe2013.xlsx"
    pd.DataFrame(
        {
            "depcom": ["62001", "62002", "01001"],
            "Total de nb_equip": [5, 1, 1],
            "Boulangerie": [2, None, 1],
            "Médecin omnipraticien": [3, None, None],
            "Espace public numérique et autre": [1, None, None],
            "Ecole élémentaire": [None, 1, None],  # 2009 spelling, no accent
        }
    ).to_excel(f, index=False)
    t = lire_bpe(f)
    assert sorted(map(tuple, t[["code_commune", "typequ", "nombre"]].to_numpy().tolist())) == [
        ("01001", "B203", 1),
        ("62001", "B203", 2),
        ("62001", "D201", 3),
        ("62002", "C104", 1),
    ]
    assert t.attrs["bpe"]["annee"] == 2013
    assert t.attrs["bpe"]["libelles_sans_code"] == ["Espace public numérique et autre"]
    # second read comes from the cache and is identical
    assert lire_bpe(f).equals(t)


def test_csv_long_somme_les_iris(tmp_path):
    f = tmp_path / "educ.csv"
    f.write_text(
        "REG;DEP;DEPCOM;DCIRIS;AN;TYPEQU;NB_EQUIP\n"
        "32;62;62041;62041_0101;2018;C104;2\n"
        "32;62;62041;62041_0102;2018;C104;1\n"
        "32;62;62041;62041_0102;2018;C201;1\n"
    )
    t = lire_bpe(f, cache=False)
    assert t.set_index("typequ")["nombre"].to_dict() == {"C104": 3, "C201": 1}
    assert t.attrs["bpe"]["annee"] == 2018


def test_zip_geolocalise(tmp_path):
    csv = (
        "AN;DEPCOM;TYPEQU;LAMBERT_X;LAMBERT_Y;QUALITE_XY\n"
        "2023;62041;D201;684000.5;7019000;Bonne\n"
        "2023;62041;D201;684100;7019100;Bonne\n"
        "2023;62160;D301;;;Non géolocalisé\n"
    )
    f = tmp_path / "bpe23_ensemble_xy_csv.zip"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("varmod_bpe23.csv", "COD_VAR;LIB\n")
        z.writestr("bpe23_ensemble_xy.csv", csv)
    t = lire_bpe(f, cache=False)
    assert len(t) == 3 and t["nombre"].tolist() == [1, 1, 1]
    assert t["x"].iloc[0] == 684000.5 and t["x"].isna().sum() == 1
    assert t.attrs["bpe"]["format"] == "géolocalisé" and t.attrs["bpe"]["annee"] == 2023


def test_erreurs_claires(tmp_path):
    with pytest.raises(DonneesManquantes, match="introuvable"):
        lire_bpe(tmp_path / "absent.xlsx")
    f = tmp_path / "autre.csv"
    f.write_text("a;b;c\n1;2;3\n")
    with pytest.raises(DonneesInvalides, match="DEPCOM et TYPEQU"):
        lire_bpe(f, cache=False)
    f = tmp_path / "faux.zip"
    f.write_bytes(b"pas un zip")
    with pytest.raises(DonneesInvalides, match="corrompue"):
        lire_bpe(f, cache=False)
    f = tmp_path / "x.xlsx"
    pd.DataFrame({"commune": ["1"], "Boulangerie": [1]}).to_excel(f, index=False)
    with pytest.raises(DonneesInvalides, match="première colonne"):
        lire_bpe(f, cache=False)


@pytest.mark.donnees
def test_bpe_2013_reelle_valeurs_verifiees_a_la_main():
    t = lire_bpe(chemin_donnees("bpe", "bpe2013.xlsx"))
    par = t.set_index(["code_commune", "typequ"])["nombre"]
    # Arras (62041): 15 ophthalmologists, 2 hypermarkets; Boulogne-sur-Mer (62160): none
    assert par[("62041", "D208")] == 15
    assert par[("62041", "B101")] == 2
    assert ("62160", "B101") not in par.index
    # "Gare sous convention avec l'Etat" and TAGV both count as E107
    assert t["code_commune"].nunique() == 35179


def test_bpe_2013_grandes_villes_par_arrondissement():
    # the BPE gives Paris, Lyon and Marseille per municipal arrondissement: their
    # equipment belongs to the commune (without it, Marseille was no pole at all and its
    # 863,000 inhabitants fell in the proximité zone grise)
    from poles.bpe import actualiser_codes

    t = actualiser_codes(lire_bpe(chemin_donnees("bpe", "bpe2013.xlsx")))
    par = t.set_index(["code_commune", "typequ"])["nombre"]
    assert not t["code_commune"].str.match(r"^(751\d\d|6938\d|132\d\d)$").any()
    for commune in ("75056", "69123", "13055"):
        assert par[(commune, "D201")] > 100  # general practitioners
        assert par[(commune, "B101")] >= 1  # hypermarkets
