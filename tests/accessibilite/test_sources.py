import numpy as np
import pandas as pd
import pytest

from accessibilite import (
    DonneesInvalides,
    Lieux,
    SourceMatrice,
    SourceVolOiseau,
    ajuster_vol_oiseau,
    lire_matrice,
)


def _lieux(codes, xy):
    xy = np.asarray(xy, dtype=float)
    return Lieux(np.array(codes, dtype=object), xy[:, 0], xy[:, 1])


def test_vol_oiseau_valeurs_exactes():
    src = SourceVolOiseau()
    o = _lieux(["A", "B"], [[0, 0], [3000, 4000]])
    d = _lieux(["B", "C"], [[3000, 4000], [0, 10000]])
    m = src.matrice(o, d)
    # A-B 5 km: 2.02 + 1.32*5 = 8.62 min; A-C 10 km: 15.22 min; B-B same code: 0
    assert m[0, 0] == pytest.approx(8.62 * 60)
    assert m[0, 1] == pytest.approx(15.22 * 60)
    assert m[1, 0] == 0.0
    temps, indice = src.plus_proche(o, d)
    assert indice.tolist() == [0, 0]
    assert temps.tolist() == pytest.approx([8.62 * 60, 0.0])


def test_vol_oiseau_refuse_cibles_vides():
    with pytest.raises(DonneesInvalides, match="Aucune cible"):
        SourceVolOiseau().plus_proche(_lieux(["A"], [[0, 0]]), _lieux([], np.zeros((0, 2))))


def test_ajustement_retrouve_les_coefficients():
    rng = np.random.default_rng(0)
    km = rng.uniform(1, 60, 500)
    minutes = 3.0 + 1.1 * km + rng.normal(0, 0.5, km.size)
    fit = ajuster_vol_oiseau(km, minutes)
    assert fit.a_min == pytest.approx(3.0, abs=0.15)
    assert fit.b_min_par_km == pytest.approx(1.1, abs=0.01)
    assert fit.r2 > 0.99
    assert fit.n_paires == 500
    exact = ajuster_vol_oiseau(np.array([1.0, 2, 3]), np.array([5.0, 7, 9]))
    assert (exact.a_min, exact.b_min_par_km, exact.r2) == pytest.approx((3.0, 2.0, 1.0))


def test_matrice_longue_et_large(tmp_path):
    long = tmp_path / "long.csv"
    long.write_text("origine;destination;minutes\n62001;62002;12,5\n62002;62001;13\n")
    large = tmp_path / "large.csv"
    large.write_text("code,62001,62002\n62001,0,12.5\n62002,13,0\n")
    a = lire_matrice(long)
    b = lire_matrice(large)
    assert a.loc["62001", "62002"] == 12.5 and b.loc["62002", "62001"] == 13
    assert np.isnan(a.loc["62001", "62001"])
    src = SourceMatrice(a)
    lieux = _lieux(["62001", "62002"], [[0, 0], [1, 1]])
    m = src.matrice(lieux, lieux)
    assert m.tolist() == [[0.0, 750.0], [780.0, 0.0]]
    assert src.paires_manquantes == 0


def test_matrice_paires_manquantes_signalees_et_communes_absentes():
    table = pd.DataFrame([[0.0, np.nan], [5.0, 0.0]], index=["A", "B"], columns=["A", "B"])
    src = SourceMatrice(table)
    o = _lieux(["A", "B"], [[0, 0], [0, 0]])
    c = _lieux(["B"], [[0, 0]])
    temps, indice = src.plus_proche(o, c)
    assert np.isinf(temps[0]) and indice[0] == -1
    assert temps[1] == 0.0 and indice[1] == 0
    assert src.paires_manquantes == 1
    with pytest.raises(DonneesInvalides, match="absentes de la matrice"):
        src.matrice(_lieux(["Z"], [[0, 0]]), c)


def test_matrice_valeur_non_numerique(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("origine,destination,minutes\nA,B,douze\n")
    with pytest.raises(DonneesInvalides, match="non numériques"):
        lire_matrice(f)
