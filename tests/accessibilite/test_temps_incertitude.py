"""Internal time, error bands and states against a threshold."""

import numpy as np
import pytest

from accessibilite import (
    Bande,
    DonneesInvalides,
    Lieux,
    ModeleTempsInterne,
    SourceAvecTempsInterne,
    SourceVolOiseau,
    bande_defaut,
)
from accessibilite.noyau.incertitude import etats
from accessibilite.noyau.temps_interne import distance_moyenne_disque_km


def _lieux(codes, xy):
    xy = np.asarray(xy, dtype=float)
    return Lieux(np.array(codes, dtype=object), xy[:, 0], xy[:, 1])


# ---- internal time ----------------------------------------------------------------------


def test_distance_moyenne_d_un_disque():
    # a disc of radius 1 km (surface π): mean distance to the centre 2/3 km
    assert distance_moyenne_disque_km(np.pi) == pytest.approx(2 / 3)
    # checked against points drawn evenly on a disc of 9 km² (radius √(9/π))
    rng = np.random.default_rng(1)
    rayon = np.sqrt(9 / np.pi)
    r = rayon * np.sqrt(rng.uniform(size=200_000))
    assert distance_moyenne_disque_km(9.0) == pytest.approx(r.mean(), rel=0.01)
    with pytest.raises(DonneesInvalides):
        distance_moyenne_disque_km(np.array([4.0, -1.0]))


def test_temps_interne_ajoute_au_depart_de_chaque_trajet():
    source = SourceVolOiseau(a_min=2.0, b_min_par_km=1.0)
    modele = ModeleTempsInterne(a_min=0.5, b_min_par_km=1.5)
    internes = {"A": modele.minutes(1.0) * 60, "B": modele.minutes(2.0) * 60}  # 2 and 3.5 min
    avec = SourceAvecTempsInterne(source, internes, modele=modele)
    o = _lieux(["A", "B"], [[0, 0], [10_000, 0]])
    cibles = _lieux(["A"], [[0, 0]])
    temps, indice = avec.plus_proche(o, cibles)
    # A holds the target: its own internal time, no longer 0; B: 12 min + its 3.5 min
    assert temps.tolist() == pytest.approx([2.0 * 60, (12.0 + 3.5) * 60])
    assert indice.tolist() == [0, 0]
    m = avec.matrice(o, o)
    np.testing.assert_allclose(m, [[120, (12 + 2) * 60], [(12 + 3.5) * 60, 3.5 * 60]])
    assert avec.nom == "vol-oiseau" and "temps interne" in avec.description()
    with pytest.raises(DonneesInvalides, match="Temps interne inconnu"):
        avec.plus_proche(_lieux(["Z"], [[0, 0]]), cibles)
    with pytest.raises(DonneesInvalides):
        ModeleTempsInterne(a_min=-1.0)


# ---- bands and states -------------------------------------------------------------------


def test_bande_nulle_donne_les_verdicts_des_temps_seuls():
    temps = np.array([0.0, 540.0, 600.0, 600.0001, 900.0, np.inf])
    bas, haut = Bande.nulle().intervalle_s(temps)
    assert bas.tolist() == temps.tolist() and haut.tolist() == temps.tolist()
    e = etats(temps, bas, haut, 600.0)
    # exactly at the threshold is not a zone grise (strictly above is)
    assert e.tolist() == ["hors zone grise"] * 3 + ["zone grise"] * 3
    assert (e == "zone grise").tolist() == (~(temps <= 600.0)).tolist()


def test_commune_exactement_au_seuil_est_incertaine():
    bande = Bande(bas_min=(-0.5, -1.0, -2.0, -3.0, -4.0), haut_min=(0.5, 1.0, 2.0, 3.0, 4.0))
    temps = np.array([10.0, 8.5, 11.5, 7.0, 13.0, 0.0]) * 60
    bas, haut = bande.intervalle_s(temps)
    # 10 min belongs to the class 5-10 (a bound belongs to the class it closes): ± 1 min
    assert bas[0] == 9 * 60 and haut[0] == 11 * 60
    # 11.5 min is in 10-20: -2, +2
    assert bas[2] == 9.5 * 60 and haut[2] == 13.5 * 60
    e = etats(temps, bas, haut, 600.0)
    assert e.tolist() == [
        "incertaine",  # 9 to 11
        "hors zone grise",  # 7.5 to 9.5
        "incertaine",  # 9.5 to 13.5
        "hors zone grise",
        "zone grise",  # 11 to 15
        "hors zone grise",  # a pole: 0, no uncertainty
    ]
    assert bas[5] == haut[5] == 0.0


def test_bande_biaisee_contient_toujours_le_temps():
    # both quantiles negative (a model too slow): the interval still holds the time
    bande = Bande(bas_min=(-3.0,) * 5, haut_min=(-1.0,) * 5)
    bas, haut = bande.intervalle_s(np.array([600.0, np.inf]))
    assert bas[0] == 420.0 and haut[0] == 600.0
    assert np.isinf(bas[1]) and np.isinf(haut[1])
    assert etats(np.array([np.inf]), bas[1:], haut[1:], 600.0).tolist() == ["zone grise"]


def test_bandes_invalides_et_par_defaut():
    with pytest.raises(DonneesInvalides, match="quantiles"):
        Bande(bas_min=(0.0,), haut_min=(0.0,))
    with pytest.raises(DonneesInvalides, match="dépasse"):
        Bande(bas_min=(1.0,) * 5, haut_min=(0.0,) * 5)
    with pytest.raises(DonneesInvalides, match="non croissantes"):
        Bande(bornes_min=(10.0, 5.0), bas_min=(0.0,) * 3, haut_min=(0.0,) * 3)
    for nom in ("vol-oiseau", "osm", "matrice"):
        b = bande_defaut(nom)
        assert not b.est_nulle and all(x <= 0 for x in b.bas_min)
    with pytest.raises(DonneesInvalides):
        bande_defaut("train")
    assert Bande.depuis_dict(bande_defaut("osm").en_dict()) == bande_defaut("osm")
