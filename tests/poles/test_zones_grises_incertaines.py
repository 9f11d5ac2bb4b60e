"""Zones grises with an error band: bounds, the ``incertaine`` state, ranges in the
summaries; a zero-width band gives today's result; the internal time in the flow."""

import numpy as np
import pandas as pd
import pytest

from accessibilite import Bande, DonneesInvalides, SourceVolOiseau
from poles.regles import Regle, detecter_poles
from poles.sorties import formater_fourchette
from poles.temps import preparer_temps
from poles.zones_grises import classer, resumer, resumer_par_epci
from tests.poles.test_zones_grises import EQUIP, GAMMES, _communes

# minutes = kilometres: A 0 (pole), B 5, C 10 (exactly at the threshold), D 20, E 20 (V)
SOURCE = SourceVolOiseau(a_min=0.0, b_min_par_km=1.0)
BANDE = Bande(bas_min=(-1.0, -1.0, -2.0, -3.0, -3.0), haut_min=(1.0, 1.0, 2.0, 3.0, 3.0))


def _classees(bande):
    communes = _communes()
    poles = detecter_poles(communes["code"], EQUIP, GAMMES, Regle("tous"))
    return classer(communes, poles, SOURCE, GAMMES, bande=bande)


def test_commune_au_seuil_incertaine_et_bornes():
    res = _classees(BANDE)
    assert res["etat_bas"].tolist() == [
        "hors zone grise",  # the pole: 0 min, no uncertainty
        "hors zone grise",  # 5 min: 4 to 6
        "incertaine",  # exactly 10 min: 9 to 11
        "zone grise",  # 20 min: 18 to 22 (class 10-20: the bound closes it)
        "zone grise",
    ]
    assert res["temps_bas_min_bas"].tolist() == [0.0, 4.0, 9.0, 18.0, 18.0]
    assert res["temps_bas_min_haut"].tolist() == [0.0, 6.0, 11.0, 22.0, 22.0]
    # the central verdict is unchanged: 10 min is not above the threshold
    assert res["zone_grise_bas"].tolist() == [False, False, False, True, True]
    resume = resumer(res, GAMMES).iloc[0]
    assert (resume["communes"], resume["communes_min"], resume["communes_max"]) == (2, 2, 3)
    assert resume["communes_incertaines"] == 1
    assert (resume["population_min"], resume["population_max"]) == (900, 1200)
    epci = resumer_par_epci(res).set_index("epci_code")
    assert epci.loc["e1", "communes_max"] == 1 and epci.loc["e1", "communes_min"] == 0
    assert formater_fourchette("Proximité", 2, 2, 3) == (
        "Proximité : 2 communes en zone grise, 2 à 3 selon l'incertitude des temps"
    )


def test_bande_nulle_reproduit_le_resultat_sans_bande():
    sans = _classees(None)
    nulle = _classees(Bande.nulle())
    pd.testing.assert_frame_equal(
        pd.DataFrame(sans.drop(columns="geometry")), pd.DataFrame(nulle.drop(columns="geometry"))
    )
    assert (sans["etat_bas"] == "incertaine").sum() == 0
    assert (sans["zone_grise_bas"] == (sans["etat_bas"] == "zone grise")).all()
    assert (sans["temps_bas_min_bas"] == sans["temps_bas_min"]).all()
    resume = resumer(sans, GAMMES).iloc[0]
    assert resume["communes_min"] == resume["communes"] == resume["communes_max"]


def test_bande_large_tout_devient_incertain_sauf_les_poles():
    large = Bande(bas_min=(-30.0,) * 5, haut_min=(30.0,) * 5)
    res = _classees(large)
    assert res["etat_bas"].tolist() == ["hors zone grise"] + ["incertaine"] * 4
    resume = resumer(res, GAMMES).iloc[0]
    assert (resume["communes_min"], resume["communes"], resume["communes_max"]) == (0, 2, 4)


def test_temps_interne_et_calibration_dans_la_preparation():
    communes = _communes()
    prepare = preparer_temps(SOURCE, communes, temps_interne=True)
    # the 800 m squares: mean distance 2/3 × √(0.64/π) km; default a = 0.4, b = 1.32
    attendu = 0.4 + 1.32 * 2 / 3 * np.sqrt(0.64 / np.pi)
    poles = detecter_poles(communes["code"], EQUIP, GAMMES, Regle("tous"))
    res = classer(communes, poles, prepare.source, GAMMES, bande=prepare.bande)
    assert res["temps_bas_min"].iloc[0] == pytest.approx(round(attendu, 1))  # the pole itself
    assert res["temps_bas_min"].iloc[1] == pytest.approx(round(5 + attendu, 1))
    assert prepare.description["temps_interne"]["distances"] == "surface"
    assert prepare.bande == Bande.depuis_dict(prepare.bande.en_dict())  # the source's default
    assert preparer_temps(SOURCE, communes, incertitude="aucune").bande.est_nulle


def test_temps_interne_d_apres_une_grille_de_population(tmp_path):
    from poles.temps import distances_internes, lire_grille_population

    communes = _communes()
    # commune A (centre at x = 0): 300 inhabitants 300 m east, 100 inhabitants 100 m west;
    # commune B: no square, so its surface is used; a square outside every commune ignored
    grille = tmp_path / "carreaux.csv"
    grille.write_text(
        "x;y;ind\n300;0;300\n-100;0;100\n5000;2000;50\n",
        encoding="utf-8",
    )
    distances, origine = distances_internes(communes, lire_grille_population(grille))
    assert origine == "grille"
    assert distances["A"] == pytest.approx((300 * 0.3 + 100 * 0.1) / 400)
    assert distances["B"] == pytest.approx(2 / 3 * np.sqrt(0.64 / np.pi))
    prepare = preparer_temps(SOURCE, communes, temps_interne=True, grille=grille)
    assert prepare.description["temps_interne"]["distances"] == "grille"
    assert prepare.description["temps_interne"]["grille"] == str(grille.resolve())
    grille.write_text("x;y;habitants\n300;0;3\n", encoding="utf-8")
    with pytest.raises(DonneesInvalides, match="aucune colonne de population"):
        lire_grille_population(grille)
