"""Placement helper: greedy against brute force, and a hand-made case with a known answer."""

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poles.base import base_en_memoire
from poles.gammes import Gammes, Item, Niveau
from poles.indicateurs import Service
from poles.placement import (
    couverture_exhaustive,
    couverture_gloutonne,
    placement_niveau,
    placement_service,
)
from poles.regles import Regle
from socle.erreurs import DonneesInvalides
from tests.poles._ligne import MINUTES_EGALES_KM, communes_ligne


def _valeur(couverture, poids, choix):
    return float(poids[couverture[:, list(choix)].any(axis=1)].sum()) if choix else 0.0


def _graine(aleatoire):
    return np.random.default_rng(aleatoire.randint(0, 2**32 - 1))


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 12), st.integers(1, 8), st.randoms(use_true_random=False))
def test_un_seul_choix_est_optimal(n_lignes, n_colonnes, aleatoire):
    rng = _graine(aleatoire)
    couverture = rng.random((n_lignes, n_colonnes)) < 0.3
    poids = rng.integers(1, 100, n_lignes).astype(float)
    _, gains = couverture_gloutonne(couverture, poids, 1)
    assert sum(gains) == couverture_exhaustive(couverture, poids, 1)[1]


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 12), st.integers(1, 7), st.integers(1, 4), st.randoms(use_true_random=False))
def test_zones_disjointes_glouton_optimal(n_lignes, n_colonnes, k, aleatoire):
    # each commune reachable from at most one candidate: greedy is exact
    rng = _graine(aleatoire)
    qui = rng.integers(-1, n_colonnes, n_lignes)
    couverture = qui[:, None] == np.arange(n_colonnes)[None, :]
    poids = rng.integers(1, 100, n_lignes).astype(float)
    choix, gains = couverture_gloutonne(couverture, poids, k)
    assert sum(gains) == _valeur(couverture, poids, choix)
    assert sum(gains) == couverture_exhaustive(couverture, poids, k)[1]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.randoms(use_true_random=False))
def test_zones_emboitees_glouton_optimal(k, aleatoire):
    # a laminar family (dyadic intervals of 8 communes): catchments nested or disjoint
    rng = _graine(aleatoire)
    intervalles = [(d, d + t) for t in (8, 4, 2, 1) for d in range(0, 8, t)]
    garder = rng.random(len(intervalles)) < 0.6
    couverture = np.array(
        [[a <= i < b for (a, b), g in zip(intervalles, garder, strict=True) if g] for i in range(8)]
    ).reshape(8, int(garder.sum()))
    if couverture.shape[1] == 0:
        return
    poids = rng.integers(1, 100, 8).astype(float)
    _, gains = couverture_gloutonne(couverture, poids, k)
    assert sum(gains) == couverture_exhaustive(couverture, poids, k)[1]


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 10), st.integers(1, 7), st.integers(1, 4), st.randoms(use_true_random=False))
def test_garantie_du_glouton(n_lignes, n_colonnes, k, aleatoire):
    # in general greedy is within 1 - 1/e of the best, and each step gains no more than
    # the one before
    rng = _graine(aleatoire)
    couverture = rng.random((n_lignes, n_colonnes)) < 0.4
    poids = rng.integers(1, 100, n_lignes).astype(float)
    _, gains = couverture_gloutonne(couverture, poids, k)
    optimum = couverture_exhaustive(couverture, poids, k)[1]
    assert sum(gains) >= (1 - 1 / np.e) * optimum - 1e-9
    assert all(a >= b for a, b in itertools.pairwise(gains))


def test_cas_ou_le_glouton_se_trompe():
    # the classic trap: one big set first, then two halves would have been better
    couverture = np.array(
        [[1, 1, 0], [1, 1, 0], [1, 0, 1], [1, 0, 1], [0, 1, 0], [0, 0, 1]], dtype=bool
    )
    poids = np.ones(6)
    choix, gains = couverture_gloutonne(couverture, poids, 2)
    assert choix == [0, 1] and sum(gains) == 5
    assert couverture_exhaustive(couverture, poids, 2) == ((1, 2), 6.0)


# The line: A pole at 0 km, G not in zone grise, V a neighbour's pole at 60 km.
#   D (20 km): 20 min to A   → zone grise, reachable in 10 min from C (10) or D itself
#   E (40 km): 20 min to V   → zone grise, reachable from E, F (45) or G (50)
#   F (45 km): 15 min to V   → zone grise, reachable from E, F, G
POSITIONS = {"A": 0, "B": 5, "C": 10, "D": 20, "E": 40, "F": 45, "G": 50, "V": 60}
POPULATIONS = {"A": 5000, "B": 200, "C": 300, "D": 400, "E": 500, "F": 600, "G": 100, "V": 1}
GAMMES = Gammes((Niveau("bas", "Bas", 10, (Item("pain", "Pain", ("B203",)),)),), "test")
EQUIP = pd.DataFrame({"code_commune": ["A", "V"], "typequ": ["B203", "B203"], "nombre": [1, 1]})


def _communes():
    return communes_ligne(POSITIONS, POPULATIONS, dict.fromkeys(POSITIONS, "e"), {"V"})


def test_cas_connu_sur_la_ligne():
    base = base_en_memoire(_communes(), EQUIP, GAMMES, MINUTES_EGALES_KM, regle=Regle("tous"))
    assert base.etat["zone_grise_bas"].tolist() == [False] * 3 + [True] * 3 + [False]
    resultat = placement_niveau(base, "bas", 3)
    props = resultat.propositions
    # step 1: E, F or G take E and F out (1100 inhabitants); the largest commune, F, wins
    # the tie. Step 2: C or D take D out (400); D is larger. Then nothing is left: 2 steps.
    assert props["code"].tolist() == ["F", "D"]
    assert props["population_sortie"].tolist() == [1100, 400]
    assert props["communes_sorties"].tolist() == [2, 1]
    assert props["part_zone_grise_cumulee"].tolist() == pytest.approx([1100 / 1500, 1.0])
    zg = resultat.zone_grise.set_index("code")
    assert zg["sortie_par"].to_dict() == {"D": "D", "E": "F", "F": "F"}
    assert resultat.points.crs == "EPSG:2154" and len(resultat.points) == 2
    with pytest.raises(DonneesInvalides, match="Niveau"):
        placement_niveau(base, "haut", 1)


def test_placement_d_un_service():
    equip = EQUIP.assign(typequ="D201")
    service = Service("medecin", "Médecin", ("D201",), (10,))
    resultat = placement_service(_communes(), equip, service, MINUTES_EGALES_KM, 10, 1)
    assert resultat.propositions["code"].tolist() == ["F"]
    # at 15 min only D and E (20 min each) are beyond; F (15 min) is not
    resultat = placement_service(_communes(), equip, service, MINUTES_EGALES_KM, 15, 2)
    assert resultat.parametres["communes_zone_grise"] == 2
    assert resultat.propositions["population_sortie"].sum() == 900
