"""2SFCA / APL against values computed by hand, and its conservation property."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poles.apl import (
    DECROISSANCE_DREES,
    DECROISSANCE_DREES_2012,
    Decroissance,
    apl,
    deux_sfca,
)
from socle.erreurs import DonneesInvalides
from tests.poles._ligne import MINUTES_EGALES_KM, communes_ligne


def test_paliers_de_la_decroissance_drees():
    minutes = np.array([0, 5, 10, 10.01, 15, 15.5, 20, 20.01, 60, np.inf, np.nan])
    attendu = [1, 1, 1, 0.66, 0.66, 0.33, 0.33, 0, 0, 0, 0]
    assert DECROISSANCE_DREES.poids_de(minutes * 60.0).tolist() == attendu
    # the original 2012 steps: 1 up to 5 min, 0.3 up to 10, 0.1 up to 15
    assert DECROISSANCE_DREES_2012.poids_de(np.array([5, 6, 10, 15, 16]) * 60.0).tolist() == [
        1,
        0.3,
        0.3,
        0.1,
        0,
    ]


def test_decroissance_depuis_texte():
    assert Decroissance.depuis_texte("drees") is DECROISSANCE_DREES
    assert Decroissance.depuis_texte("drees-2012") is DECROISSANCE_DREES_2012
    perso = Decroissance.depuis_texte("10:1, 30:0.5")
    assert perso.bornes_min == (10.0, 30.0) and perso.poids == (1.0, 0.5)
    for faux in ("10-1", "abc", "10:1,5:0.5", "10:-1", ""):
        with pytest.raises(DonneesInvalides):
            Decroissance.depuis_texte(faux)


# Four communes on a line, minutes = km:   A(0)  B(12)  C(18)  D(30)
# populations 1000, 500, 2000, 100; doctors: A 2, C 1.
POSITIONS = {"A": 0, "B": 12, "C": 18, "D": 30}
POPULATIONS = {"A": 1000, "B": 500, "C": 2000, "D": 100}


def _attendu_pour_100000():
    # Times: A-B 12, A-C 18, A-D 30, B-C 6, B-D 18, C-D 12 (min); DREES weights:
    # <=10: 1, <=15: 0.66, <=20: 0.33, beyond: 0.
    # Step 1, population weighted by its time to each supply point:
    #   A: 1×1000 (A) + 0.66×500 (B, 12 min) + 0.33×2000 (C, 18 min) + 0 (D, 30) = 1990
    #   C: 0.33×1000 (A, 18) + 1×500 (B, 6) + 1×2000 (C) + 0.66×100 (D, 12)    = 2896
    r_a, r_c = 2 / 1990, 1 / 2896
    # Step 2, each commune sums the ratios it reaches, weighted again:
    return {
        "A": 1 * r_a + 0.33 * r_c,  # A at 0 min of A, 18 of C
        "B": 0.66 * r_a + 1 * r_c,  # 12 and 6 min
        "C": 0.33 * r_a + 1 * r_c,  # 18 and 0 min
        "D": 0 * r_a + 0.66 * r_c,  # 30 and 12 min
    }


def test_deux_sfca_calcule_a_la_main():
    codes = list(POSITIONS)
    x = np.array([POSITIONS[c] for c in codes], dtype=float)
    temps = np.abs(x[:, None] - x[None, [0, 2]]) * 60.0  # demand × supply (A, C)
    demande = np.array([POPULATIONS[c] for c in codes], dtype=float)
    resultat = deux_sfca(temps, np.array([2.0, 1.0]), demande)
    attendu = _attendu_pour_100000()
    assert resultat == pytest.approx([attendu[c] for c in codes], rel=1e-12)
    # A: 2/1990 + 0.33/2896 = 0.0010050 + 0.0001140 = 111.8975 per 100,000
    assert resultat[0] * 100_000 == pytest.approx(111.8975, abs=1e-4)


def test_apl_compte_l_offre_et_la_demande_du_tampon():
    # C and D are in the neighbouring département: they still share A's doctors and
    # bring C's doctor, but they are not reported.
    communes = communes_ligne(POSITIONS, POPULATIONS, dict.fromkeys(POSITIONS, "e"), {"C", "D"})
    nombre = pd.Series({"A": 2, "C": 1})
    valeurs = apl(communes, nombre, MINUTES_EGALES_KM)
    attendu = _attendu_pour_100000()
    assert valeurs.index.tolist() == ["A", "B"]
    assert valeurs.to_numpy() == pytest.approx([attendu["A"] * 1e5, attendu["B"] * 1e5])


def test_entrees_invalides():
    with pytest.raises(DonneesInvalides, match="incompatible"):
        deux_sfca(np.zeros((2, 3)), np.ones(2), np.ones(2))
    with pytest.raises(DonneesInvalides, match="positives"):
        deux_sfca(np.zeros((1, 1)), np.array([-1.0]), np.ones(1))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 8),
    st.integers(1, 6),
    st.randoms(use_true_random=False),
)
def test_conservation_de_l_offre(n_demande, n_offre, aleatoire):
    # Σ_i P_i A_i = Σ_j S_j over the supply points that some demand reaches: each
    # equipment is shared out exactly once, whatever the decay.
    rng = np.random.default_rng(aleatoire.randint(0, 2**32 - 1))
    temps = rng.uniform(0, 30, (n_demande, n_offre)) * 60.0
    offre = rng.integers(0, 5, n_offre).astype(float)
    demande = rng.integers(0, 1000, n_demande).astype(float)
    acces = deux_sfca(temps, offre, demande)
    atteinte = (DECROISSANCE_DREES.poids_de(temps).T @ demande) > 0
    assert float(demande @ acces) == pytest.approx(float(offre[atteinte].sum()), rel=1e-9)
