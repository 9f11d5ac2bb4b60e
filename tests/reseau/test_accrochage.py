import numpy as np
import pytest

from reseau import DonneesInvalides, Graphe, accrocher


@pytest.fixture
def carre():
    # four nodes on a 1 km square (metres), two-way ring
    return Graphe.depuis_arcs(
        [0, 1, 1, 2, 2, 3, 3, 0],
        [1, 0, 2, 1, 3, 2, 0, 3],
        [60.0] * 8,
        4,
        x=[0.0, 1000.0, 1000.0, 0.0],
        y=[0.0, 0.0, 1000.0, 1000.0],
        crs="EPSG:2154",
    )


def test_accrochage_exact(carre):
    a = accrocher(carre, [30.0, 1000.0, 990.0], [40.0, 2500.0, 1010.0], distance_max_m=2000)
    assert a.noeud.tolist() == [0, 2, 2]
    assert a.distance_m[0] == pytest.approx(50.0)
    assert a.distance_m[1] == pytest.approx(1500.0)
    # 50 m at 15 km/h = 12 s
    assert a.temps_s[0] == pytest.approx(12.0)
    assert a.temps_s[1] == pytest.approx(1500.0 / (15 / 3.6))
    assert not a.hors_reseau.any() and a.n_hors_reseau == 0


def test_hors_reseau_signale_pas_accroche(carre, caplog):
    a = accrocher(carre, [0.0, 0.0, np.nan], [-2500.0, -10.0, 0.0], vitesse_connecteur_kmh=30)
    assert a.hors_reseau.tolist() == [True, False, True]
    assert a.noeud.tolist() == [-1, 0, -1]
    assert a.distance_m[0] == pytest.approx(2500.0)  # still reported
    assert np.isinf(a.temps_s[0]) and np.isinf(a.temps_s[2])
    assert a.temps_s[1] == pytest.approx(10.0 / (30 / 3.6))
    assert "hors réseau" in caplog.text


def test_limite_reglable(carre):
    a = accrocher(carre, [0.0], [-600.0], distance_max_m=500)
    assert a.hors_reseau.tolist() == [True]
    assert accrocher(carre, [0.0], [-600.0]).noeud.tolist() == [0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"distance_max_m": 0}, "distance_max_m"), ({"vitesse_connecteur_kmh": -1}, "vitesse")],
)
def test_parametres_invalides(carre, kwargs, message):
    with pytest.raises(DonneesInvalides, match=message):
        accrocher(carre, [0.0], [0.0], **kwargs)


def test_graphe_sans_coordonnees():
    g = Graphe.depuis_arcs([0], [1], [1.0], 2)
    with pytest.raises(DonneesInvalides, match="coordonnées"):
        accrocher(g, [0.0], [0.0])


def test_longueurs_differentes(carre):
    with pytest.raises(DonneesInvalides, match="longueurs"):
        accrocher(carre, [0.0, 1.0], [0.0])
