"""Written times agree with the decision taken on the exact time, at every tenth."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from poles.temps import BRUIT_S, minutes_affichees


def test_valeurs_a_la_main() -> None:
    secondes = np.array([0.0, 180.0, 180.00002, 1799.9, 1800.0, 1802.4, 1805.99, np.inf, np.nan])
    np.testing.assert_array_equal(
        minutes_affichees(secondes), [0.0, 3.0, 3.0, 30.0, 30.0, 30.1, 30.1, np.nan, np.nan]
    )


@given(
    s=st.floats(min_value=0.0, max_value=1e6, allow_nan=False),
    dixiemes=st.integers(min_value=0, max_value=2000),
)
def test_accord_avec_le_seuil(s: float, dixiemes: int) -> None:
    """A threshold of k tenths: within it exactly when the written time is."""
    ecrit = float(minutes_affichees(np.array([s]))[0])
    seuil_s = 6.0 * dixiemes
    if s <= seuil_s:
        assert ecrit <= dixiemes / 10
    if s > seuil_s + BRUIT_S:
        assert ecrit > dixiemes / 10
    # a tenth above the exact time at most
    assert s - BRUIT_S <= ecrit * 60.0 <= s + 6.0 + 1e-9 * s
