"""Input checks shared by the routing entry points (Dijkstra and contraction hierarchy)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from socle.erreurs import DonneesInvalides

__all__ = ["verifier_coupure", "verifier_noeuds"]


def verifier_noeuds(valeurs: ArrayLike, n: int, quoi: str) -> NDArray[np.int64]:
    """Check an array of node indices (integers in 0..n-1) and return it as int64."""
    tableau = np.asarray(valeurs)
    if tableau.ndim == 0:
        tableau = tableau.reshape(1)
    if tableau.ndim != 1:
        raise DonneesInvalides(
            f"Les {quoi} doivent être un tableau à une dimension d'indices de nœuds "
            f"(reçu {tableau.ndim} dimensions)."
        )
    if tableau.size == 0:
        return np.empty(0, dtype=np.int64)
    if tableau.dtype == np.bool_ or not np.issubdtype(tableau.dtype, np.integer):
        raise DonneesInvalides(
            f"Les {quoi} doivent être des indices entiers de nœuds du graphe "
            f"(reçu des valeurs de type {tableau.dtype}) : rattachez d'abord les lieux au "
            "réseau pour obtenir leurs nœuds."
        )
    hors = (tableau < 0) | (tableau >= n)
    if hors.any():
        exemple = tableau[hors][0]
        raise DonneesInvalides(
            f"Indices de {quoi} hors du graphe : {int(hors.sum())} valeur(s), par exemple "
            f"{exemple}, alors que les nœuds vont de 0 à {n - 1}. Vérifiez que les lieux "
            "ont été rattachés à ce graphe-ci."
        )
    return tableau.astype(np.int64, copy=False)


def verifier_coupure(coupure_s: float | None) -> float:
    if coupure_s is None:
        return float(np.inf)
    try:
        valeur = float(coupure_s)
    except (TypeError, ValueError):
        raise DonneesInvalides(
            f"La coupure doit être un nombre de secondes (reçu {coupure_s!r})."
        ) from None
    if not valeur >= 0:
        raise DonneesInvalides(
            f"La coupure doit être un nombre de secondes positif ou nul (reçu {coupure_s!r})."
        )
    return valeur
