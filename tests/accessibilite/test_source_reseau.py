import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from accessibilite import Lieux, SourceReseau
from reseau import DonneesInvalides, Graphe
from reseau.accrochage import VITESSE_CONNECTEUR_KMH

V = VITESSE_CONNECTEUR_KMH / 3.6  # connector speed in m/s


def _graphe():
    # a path 0 - 1 - 2 - 3 along x (1 km apart), two-way, 60 s per arc, and 3 -> 4 one-way
    x = np.array([0.0, 1000, 2000, 3000, 4000])
    y = np.zeros(5)
    s = [0, 1, 1, 2, 2, 3, 3]
    c = [1, 0, 2, 1, 3, 2, 4]
    t = [60, 60, 60, 60, 60, 60, 30]
    return Graphe.depuis_arcs(s, c, t, 5, x=x, y=y, crs="EPSG:2154")


def _lieux(codes, xy):
    xy = np.asarray(xy, dtype=float)
    return Lieux(np.array(codes, dtype=object), xy[:, 0], xy[:, 1])


def test_plus_proche_exact_avec_connecteurs():
    src = SourceReseau(_graphe())
    origines = _lieux(["A", "B", "P", "Z"], [[0, 100], [3000, 0], [1000, 50], [0, 9000]])
    cibles = _lieux(["P", "Q"], [[1000, 50], [4000, 0]])
    temps, indice = src.plus_proche(origines, cibles)
    # A: 100 m connector, 60 s to node 1, then the 50 m connector of P
    assert temps[0] == pytest.approx(100 / V + 60 + 50 / V)
    assert indice[0] == 0
    # B sits on node 3: Q is reached in 30 s (one-way 3 -> 4), P in 120 s + 50 m
    assert temps[1] == pytest.approx(30.0) and indice[1] == 1
    # P is itself a target: 0
    assert temps[2] == 0.0 and indice[2] == 0
    # Z is 9 km from any road: off the network, reported, never snapped
    assert np.isinf(temps[3]) and indice[3] == -1
    assert src.hors_reseau == ["Z"]


def test_sens_unique_respecte():
    src = SourceReseau(_graphe())
    # from node 4 nothing can be reached (one-way 3 -> 4 only)
    temps, indice = src.plus_proche(_lieux(["D"], [[4000, 0]]), _lieux(["P"], [[1000, 0]]))
    assert np.isinf(temps[0]) and indice[0] == -1


def test_matrice_egale_scipy_plus_connecteurs():
    g = _graphe()
    src = SourceReseau(g)
    o = _lieux(["A", "B"], [[10, 0], [2000, 20]])
    d = _lieux(["C", "D", "B"], [[3000, 5], [4000, 0], [2000, 20]])
    m = src.matrice(o, d)
    n = g.n_noeuds
    ref = dijkstra(csr_matrix((g.temps_s.astype(float), g.indices, g.indptr), shape=(n, n)))
    attendu = np.array(
        [
            [10 / V + ref[0, 3] + 5 / V, 10 / V + ref[0, 4], 10 / V + ref[0, 2] + 20 / V],
            [20 / V + ref[2, 3] + 5 / V, 20 / V + ref[2, 4], 0.0],
        ]
    )
    assert m == pytest.approx(attendu)


def test_cibles_vides_ou_hors_reseau():
    src = SourceReseau(_graphe())
    o = _lieux(["A"], [[0, 0]])
    with pytest.raises(DonneesInvalides, match="Aucune cible"):
        src.plus_proche(o, _lieux([], np.zeros((0, 2))))
    with pytest.raises(DonneesInvalides, match="réseau"):
        src.plus_proche(o, _lieux(["X"], [[50_000, 0]]))


@pytest.mark.donnees
def test_andorre_plus_proche_egale_scipy(graphe_andorre):
    g = graphe_andorre
    rng = np.random.default_rng(3)
    noeuds = rng.choice(g.n_noeuds, 40, replace=False)
    lieux = Lieux(
        np.array([f"n{i}" for i in noeuds], dtype=object), g.x[noeuds], g.y[noeuds], crs=g.crs
    )
    origines, cibles = lieux.sous_ensemble(np.arange(30)), lieux.sous_ensemble(np.arange(30, 40))
    temps, indice = SourceReseau(g).plus_proche(origines, cibles)
    n = g.n_noeuds
    ref = dijkstra(
        csr_matrix((g.temps_s.astype(float), g.indices, g.indptr), shape=(n, n)),
        indices=noeuds[:30],
    )[:, noeuds[30:]]
    assert temps == pytest.approx(ref.min(axis=1), abs=1e-3)
    assert np.allclose(ref[np.arange(30), indice], temps, atol=1e-3)
