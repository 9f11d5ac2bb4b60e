import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reseau import DonneesInvalides, Graphe


def test_csr_petit_graphe_exact():
    # 0 -> 1 (5 s), 0 -> 2 (1 s), 2 -> 1 (2 s), 1 -> 3 (4 s); node 4 isolated
    g = Graphe.depuis_arcs([0, 2, 0, 1], [1, 1, 2, 3], [5, 2, 1, 4], 5)
    assert g.n_noeuds == 5 and g.n_arcs == 4
    assert g.indptr.tolist() == [0, 2, 3, 4, 4, 4]
    assert g.indices.tolist() == [1, 2, 3, 1]
    assert g.temps_s.tolist() == [5, 1, 4, 2]
    # reverse: arcs into 1 come from 0 (5 s) and 2 (2 s); into 2 from 0; into 3 from 1
    assert g.indptr_inv.tolist() == [0, 0, 2, 3, 4, 4]
    assert g.indices_inv.tolist() == [0, 2, 0, 1]
    assert g.temps_s_inv.tolist() == [5, 2, 1, 4]
    assert g.sources_arcs()[g.arc_inv].tolist() == g.indices_inv.tolist()
    assert g.indices.dtype == np.int32 and g.temps_s.dtype == np.float32
    assert g.indptr.dtype == np.int64


@pytest.mark.parametrize(
    ("sources", "cibles", "temps", "message"),
    [
        ([0], [3], [1.0], "hors de"),
        ([0], [1], [-1.0], "négatifs"),
        ([0], [1], [np.nan], "non finis"),
        ([0, 1], [1], [1.0], "longueurs"),
    ],
)
def test_arcs_invalides(sources, cibles, temps, message):
    with pytest.raises(DonneesInvalides, match=message):
        Graphe.depuis_arcs(sources, cibles, temps, 3)


@settings(max_examples=50, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(0, 100)),
                max_size=40,
            ),
        )
    )
)
def test_inverse_contient_les_memes_arcs(donnees):
    n, arcs = donnees
    s = [a[0] for a in arcs]
    c = [a[1] for a in arcs]
    t = [float(a[2]) for a in arcs]
    g = Graphe.depuis_arcs(s, c, t, n, attributs_arcs={"id": np.arange(len(arcs))})
    avant = sorted(
        zip(g.sources_arcs().tolist(), g.indices.tolist(), g.temps_s.tolist(), strict=True)
    )
    assert avant == sorted(zip(s, c, t, strict=True))
    cibles_inv = np.repeat(np.arange(n), np.diff(g.indptr_inv))
    apres = sorted(
        zip(g.indices_inv.tolist(), cibles_inv.tolist(), g.temps_s_inv.tolist(), strict=True)
    )
    assert apres == avant
    # per-arc attributes follow their arcs
    ids = g.attributs_arcs["id"]
    assert [s[i] for i in ids] == g.sources_arcs().tolist()
