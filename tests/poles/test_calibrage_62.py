"""The Pas-de-Calais SDAASP reference (named poles, 2017) against the BPE 2013.

These numbers are the source of the default thresholds of data/gammes_sdaasp.toml
(README, « D'où viennent les seuils de pôle »): a change here must change them too.
"""

import pandas as pd
import pytest

from poles.calibrage import calibrer_seuils, lire_poles_nommes
from poles.regles import Regle, Regroupement
from poles.zones_grises import zones_grises
from tests.conftest import chemin_donnees

pytestmark = pytest.mark.donnees

AIRE_SAINT_OMER = Regroupement("Aire de Saint-Omer", ("62765", "62040", "62525"))


@pytest.fixture(scope="module")
def bpe_2013():
    return chemin_donnees("bpe", "bpe2013.xlsx")


@pytest.fixture(scope="module")
def reference():
    return chemin_donnees("reference", "poles_nommes_sdaasp62.csv")


@pytest.fixture(scope="module")
def calibrage_62(bpe_2013, reference):
    return calibrer_seuils("62", bpe_2013, reference)


def test_reference_lue(reference):
    ref = lire_poles_nommes(reference)
    # 108 statements, 75 distinct (commune, level, affirmation), 41 communes
    assert len(ref) == 75 and ref["code_insee"].nunique() == 41
    compte = ref.groupby(["niveau", "affirmation"]).size().to_dict()
    assert compte == {
        ("intermediaire", "pas_pole"): 10,
        ("intermediaire", "pole"): 14,
        ("proximite", "pole"): 10,
        ("superieur", "pas_pole"): 25,
        ("superieur", "pole"): 16,
    }


def test_seuils_cales_sur_le_62(calibrage_62):
    res = calibrage_62
    assert {n: c.n_min for n, c in res.choix.items()} == {
        "proximite": 11,
        "intermediaire": 9,
        "superieur": 6,
        "metropolitain": None,
    }
    assert [c.cas for c in res.choix.values()] == [2, 1, 1, 4]
    ev = res.evaluation.set_index(["niveau", "n_min"])
    colonnes = ["poles_trouves", "faux_poles", "poles_departement"]
    assert ev.loc[("proximite", 11), colonnes].tolist() == [10, 0, 157]
    assert ev.loc[("proximite", 12), colonnes].tolist() == [4, 0, 119]
    assert ev.loc[("proximite", 10), colonnes].tolist() == [10, 0, 183]
    assert ev.loc[("intermediaire", 9), colonnes].tolist() == [11, 0, 56]
    assert ev.loc[("intermediaire", 8), colonnes].tolist() == [14, 3, 78]
    assert ev.loc[("superieur", 6), colonnes].tolist() == [14, 0, 16]
    assert ev.loc[("superieur", 5), colonnes].tolist() == [15, 3, 21]
    # the former default, half of each gamme: 7, 6 and 5 items
    assert ev.loc[("proximite", 7), "poles_departement"] == 248
    assert ev.loc[("intermediaire", 6), colonnes].tolist() == [14, 4, 102]
    assert ev.loc[("superieur", 5), "youden"] == 0.8175


def test_desaccords_et_items_manquants(calibrage_62):
    d = calibrage_62.disaccords.set_index(["code_insee", "niveau"])
    assert sorted(d.index) == [
        ("62040", "intermediaire"),  # Arques
        ("62040", "superieur"),
        ("62045", "intermediaire"),  # Aubigny-en-Artois
        ("62525", "superieur"),  # Longuenesse
        ("62588", "intermediaire"),  # Montreuil-sur-Mer
    ]
    assert (d["affirmation"] == "pole").all()  # no named non-pole is made a pole
    assert d.loc[("62588", "intermediaire"), "items_manquants"] == (
        "Police ou gendarmerie ; Garde d'enfants d'âge préscolaire ; Salle non spécialisée couverte"
    )
    assert d.loc[("62040", "superieur"), "n_items"] == 2


def test_aire_de_saint_omer_regroupee(bpe_2013, reference):
    res = calibrer_seuils("62", bpe_2013, reference, regroupements=[AIRE_SAINT_OMER])
    assert {n: c.n_min for n, c in res.choix.items() if c.n_min} == {
        "proximite": 11,
        "intermediaire": 9,
        "superieur": 6,
    }
    ev = res.evaluation.set_index(["niveau", "n_min"])
    assert ev.loc[("superieur", 6), ["poles_trouves", "faux_poles"]].tolist() == [16, 0]
    assert sorted(res.disaccords["code_insee"]) == ["62045", "62588"]


def test_zones_grises_ancien_et_nouveau_defaut(bpe_2013):
    nouveau = zones_grises("62", bpe_2013)
    ancien = zones_grises("62", bpe_2013, regle=Regle("part_min", part_min=0.5))
    lignes = pd.concat(
        [nouveau.resume.assign(regle="nouveau"), ancien.resume.assign(regle="ancien")]
    ).set_index(["regle", "niveau"])
    assert lignes.loc["nouveau", "poles"].tolist() == [157, 56, 16]
    assert lignes.loc["ancien", "poles"].tolist() == [248, 102, 21]
    assert lignes.loc["nouveau", "communes"].tolist() == [156, 51, 60]
    assert lignes.loc["ancien", "communes"].tolist() == [74, 7, 8]
    regle = nouveau.parametres["regle"]
    assert regle["niveaux"]["intermediaire"]["items_requis"] == 9
    assert "calés par « accessibilite poles calibrer »" in regle["justification"]
    niveaux = nouveau.parametres["gammes"]["niveaux"]
    assert [n["regle"]["items_requis"] for n in niveaux] == [11, 9, 6, 2]
    assert ancien.parametres["regle"]["justification"] is None  # the option, not the file
