import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from accessibilite import SourceMatrice, SourceVolOiseau
from poles.gammes import Gammes, Item, Niveau
from poles.regles import Regle, detecter_poles
from poles.zones_grises import classer, resumer, resumer_par_epci
from socle.erreurs import DonneesInvalides

# five communes of the département on a line (x in km) and one neighbour pole
POSITIONS = {"A": 0, "B": 5, "C": 10, "D": 20, "E": 40, "V": 60}
POPULATIONS = {"A": 1000, "B": 200, "C": 300, "D": 400, "E": 500, "V": 9999}
EPCI = {"A": "e1", "B": "e1", "C": "e1", "D": "e2", "E": "e2", "V": "x"}


def _communes():
    codes = list(POSITIONS)
    x = np.array([POSITIONS[c] * 1000.0 for c in codes])
    return gpd.GeoDataFrame(
        {
            "code": codes,
            "nom": [f"Commune {c}" for c in codes],
            "population": [POPULATIONS[c] for c in codes],
            "epci_code": [EPCI[c] for c in codes],
            "epci_nom": [EPCI[c].upper() for c in codes],
            "departement": ["62"] * 5 + ["80"],
            "hors_departement": [False] * 5 + [True],
            "centre": gpd.GeoSeries([Point(v, 0) for v in x], crs="EPSG:2154"),
            "centre_source": "mairie",
        },
        geometry=[box(v - 400, -400, v + 400, 400) for v in x],
        crs="EPSG:2154",
    )


GAMMES = Gammes((Niveau("bas", "Bas", 10, (Item("pain", "Pain", ("B203",)),)),), "test")
EQUIP = pd.DataFrame({"code_commune": ["A", "V"], "typequ": ["B203", "B203"], "nombre": [1, 1]})


def test_classement_exact_a_vol_d_oiseau():
    communes = _communes()
    poles = detecter_poles(communes["code"], EQUIP, GAMMES, Regle("tous"))
    # minutes = kilometres
    res = classer(communes, poles, SourceVolOiseau(a_min=0.0, b_min_par_km=1.0), GAMMES)
    assert res["code"].tolist() == ["A", "B", "C", "D", "E"]  # the neighbour is not counted
    assert res["temps_bas_min"].tolist() == [0.0, 5.0, 10.0, 20.0, 20.0]
    assert res["pole_bas"].tolist() == ["A", "A", "A", "A", "V"]
    assert res["pole_bas_nom"].iloc[4] == "Commune V"
    # exactly at the threshold is not a zone grise; above is
    assert res["zone_grise_bas"].tolist() == [False, False, False, True, True]
    assert res["est_pole_bas"].tolist() == [True, False, False, False, False]
    assert res["niveaux_zone_grise"].tolist() == [0, 0, 0, 1, 1]
    resume = resumer(res, GAMMES)
    assert resume.to_dict("records") == [
        {
            "niveau": "bas",
            "seuil_min": 10.0,
            "poles": 1,
            "communes": 2,
            "population": 900,
            "part_population": pytest.approx(900 / 2400),
            # no band given: zero width, the range is the central count
            "communes_min": 2,
            "communes_max": 2,
            "communes_incertaines": 0,
            "population_min": 900,
            "population_max": 900,
        }
    ]
    assert res["etat_bas"].tolist() == ["hors zone grise"] * 3 + ["zone grise"] * 2
    epci = resumer_par_epci(res).set_index("epci_code")
    assert epci.loc["e1", "communes"] == 0 and epci.loc["e2", "communes"] == 2
    assert epci.loc["e2", "part_population"] == pytest.approx(1.0)


def test_classement_avec_matrice_et_paire_manquante():
    communes = _communes()
    codes = list(POSITIONS)
    minutes = pd.DataFrame(12.0, index=codes, columns=codes)
    minutes.loc["E", "A"] = np.nan  # unknown pair: never the nearest
    minutes.loc["E", "V"] = 3.0
    minutes.loc["B", "A"] = 9.0
    poles = detecter_poles(communes["code"], EQUIP, GAMMES, Regle("tous"))
    # hand-made minutes, unrelated to the distances: no unit check
    res = classer(communes, poles, SourceMatrice(minutes, verifier=False), GAMMES)
    assert res["temps_bas_min"].tolist() == [0.0, 9.0, 12.0, 12.0, 3.0]
    assert res["pole_bas"].tolist() == ["A", "A", "A", "A", "V"]
    assert res["zone_grise_bas"].tolist() == [False, False, True, True, False]


def test_commune_sans_pole_atteignable_est_en_zone_grise():
    communes = _communes()
    codes = list(POSITIONS)
    minutes = pd.DataFrame(np.nan, index=codes, columns=codes)
    minutes.loc["B", "A"] = 4.0
    poles = detecter_poles(communes["code"], EQUIP, GAMMES, Regle("tous"))
    # hand-made minutes, unrelated to the distances: no unit check
    res = classer(communes, poles, SourceMatrice(minutes, verifier=False), GAMMES)
    assert res["pole_bas"].tolist() == ["A", "A", "", "", ""]
    assert np.isnan(res["temps_bas_min"].iloc[2])
    assert res["zone_grise_bas"].tolist() == [False, False, True, True, True]


def test_niveau_sans_pole_message_clair():
    communes = _communes()
    vide = EQUIP.assign(nombre=0)
    poles = detecter_poles(communes["code"], vide, GAMMES, Regle("tous"))
    with pytest.raises(DonneesInvalides, match="Aucun pôle"):
        classer(communes, poles, SourceVolOiseau(), GAMMES)


def test_classement_sur_graphe_routier():
    from accessibilite import SourceReseau
    from reseau import Graphe

    communes = _communes()
    # a road through every centre (x = 0..60 km), 1 km per minute, two-way
    km = np.array([POSITIONS[c] for c in POSITIONS], dtype=float)
    ordre = np.argsort(km)
    s = np.concatenate([ordre[:-1], ordre[1:]])
    c = np.concatenate([ordre[1:], ordre[:-1]])
    t = np.abs(km[s] - km[c]) * 60.0
    graphe = Graphe.depuis_arcs(s, c, t, len(km), x=km * 1000, y=np.zeros(len(km)), crs="EPSG:2154")
    poles = detecter_poles(communes["code"], EQUIP, GAMMES, Regle("tous"))
    res = classer(communes, poles, SourceReseau(graphe), GAMMES)
    # centres sit on their nodes (no connector): same answer as minutes = km
    assert res["temps_bas_min"].tolist() == [0.0, 5.0, 10.0, 20.0, 20.0]
    assert res["pole_bas"].tolist() == ["A", "A", "A", "A", "V"]
    assert res["zone_grise_bas"].tolist() == [False, False, False, True, True]
