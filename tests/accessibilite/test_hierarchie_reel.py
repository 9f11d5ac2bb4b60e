"""The contraction hierarchy on the real Andorra graph (OSM), against the Dijkstra kernel.

Kept apart from ``test_hierarchie.py``, whose tests also run without JIT (marker ``noyau``)
to measure the kernels' coverage: in plain Python this graph takes 40 s.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from accessibilite.noyau import hierarchie as hi
from accessibilite.noyau.routage import matrice_temps, plus_proche
from reseau import Graphe
from tests.accessibilite.test_hierarchie import _scipy

pytestmark = pytest.mark.donnees


def test_andorre_egale_dijkstra(graphe_andorre: Graphe) -> None:
    """The real Andorra graph (OSM): matrices, nearest sources and RPHAST, to the bit."""
    g = graphe_andorre
    h = hi.construire_hierarchie(g)
    rng = np.random.default_rng(0)
    n = g.n_noeuds
    origines = rng.choice(n, 150, replace=False)
    destinations = rng.choice(n, 400, replace=False)
    for coupure in (None, 600.0):
        for inverse in (False, True):
            attendu = matrice_temps(
                g, origines, destinations, coupure_s=coupure, inverse=inverse, methode="dijkstra"
            )
            for algorithme in ("seaux", "phast"):
                np.testing.assert_array_equal(
                    hi.matrice_ch(
                        h,
                        origines,
                        destinations,
                        coupure_s=coupure,
                        inverse=inverse,
                        algorithme=algorithme,
                    ),
                    attendu,
                )
    np.testing.assert_array_equal(
        hi.matrice_ch(h, origines[:40]), dijkstra(_scipy(g), indices=origines[:40])
    )
    poles = rng.choice(n, 60, replace=False)
    departs = rng.uniform(0, 200, poles.size)
    for inverse in (True, False):
        attendu, _ = plus_proche(
            g, poles, inverse=inverse, temps_depart_s=departs, coupure_s=1800, methode="dijkstra"
        )
        obtenu, _ = hi.plus_proche_ch(
            h, poles, inverse=inverse, temps_depart_s=departs, coupure_s=1800
        )
        np.testing.assert_array_equal(obtenu, attendu)
        restreint, _ = hi.plus_proche_ch(
            h, poles, inverse=inverse, temps_depart_s=departs, coupure_s=1800, cibles=destinations
        )
        np.testing.assert_array_equal(restreint, attendu[destinations])
