"""Supply-demand accessibility: the two-step floating catchment (2SFCA) and the DREES APL.

The *accessibilité potentielle localisée* (APL) of the DREES and the IRDES is a 2SFCA whose
distance decay is a step function of the car time, applied in both steps:

1. for each supply point *j*, the supply-to-demand ratio
   ``R_j = S_j / Σ_i w(t_ij) P_i`` (the equipment of *j* shared among the population that
   can reach it, each commune weighted by its time to *j*);
2. for each commune *i*, the accessibility ``A_i = Σ_j w(t_ij) R_j`` (the shares of every
   supply point it can reach, weighted again).

Here supply ``S_j`` is the number of equipments of the chosen types in commune *j* (the BPE
counts; the DREES uses full-time equivalents of activity), demand ``P_i`` the municipal
population (the DREES standardises it by age; no age data here), and ``A_i`` is given per
100,000 inhabitants. Supply and demand include the buffer communes of the neighbouring
départements, so that border communes share their neighbours' doctors and patients.

The decay is a :class:`Decroissance`: the weight is ``poids[k]`` when the time is in
``(bornes_min[k-1], bornes_min[k]]`` (``[0, bornes_min[0]]`` for the first step) and 0
beyond the last bound. Two presets:

* :data:`DECROISSANCE_DREES` (default): the method revised by the DREES in 2015–2017 for the
  zonages of health professionals: weight 1 up to 10 min, 0.66 from 10 to 15 min, 0.33 from
  15 to 20 min, 0 beyond;
* :data:`DECROISSANCE_DREES_2012`: the original DREES-IRDES steps (Barlet et al., 2012):
  1 up to 5 min, 0.3 from 5 to 10 min, 0.1 from 10 to 15 min, 0 beyond.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from accessibilite.noyau.lieux import Lieux
from accessibilite.noyau.sources import SourceTemps
from socle.erreurs import DonneesInvalides

__all__ = [
    "DECROISSANCE_DREES",
    "DECROISSANCE_DREES_2012",
    "POUR_HABITANTS",
    "Decroissance",
    "apl",
    "deux_sfca",
]

logger = logging.getLogger(__name__)

#: APL values are given per this many inhabitants.
POUR_HABITANTS = 100_000


@dataclass(frozen=True)
class Decroissance:
    """A stepwise distance decay: weight ``poids[k]`` up to ``bornes_min[k]`` minutes.

    Attributes
    ----------
    bornes_min
        Upper bounds of the steps, in minutes, strictly increasing (a time equal to a bound
        belongs to the step it closes).
    poids
        Weight of each step (>= 0); the weight is 0 beyond the last bound.
    nom
        Short label, for outputs.
    """

    bornes_min: tuple[float, ...]
    poids: tuple[float, ...]
    nom: str = ""

    def __post_init__(self) -> None:
        bornes = np.asarray(self.bornes_min, dtype=np.float64)
        poids = np.asarray(self.poids, dtype=np.float64)
        if bornes.size == 0 or bornes.size != poids.size:
            raise DonneesInvalides(
                "Décroissance : il faut autant de bornes que de poids, et au moins un palier "
                "(par exemple 10:1,15:0.66,20:0.33)."
            )
        if not (np.isfinite(bornes).all() and np.isfinite(poids).all()):
            raise DonneesInvalides("Décroissance : bornes et poids doivent être des nombres finis.")
        if bornes[0] <= 0 or (np.diff(bornes) <= 0).any():
            raise DonneesInvalides(
                "Décroissance : les bornes (minutes) doivent être positives et croissantes."
            )
        if (poids < 0).any():
            raise DonneesInvalides("Décroissance : les poids doivent être positifs ou nuls.")

    @classmethod
    def depuis_texte(cls, texte: str) -> Decroissance:
        """Parse ``"drees"``, ``"drees-2012"`` or ``"10:1,15:0.66,20:0.33"`` (minutes:weight).

        Raises
        ------
        DonneesInvalides
            The text is neither a preset name nor a list of ``minutes:weight`` pairs.
        """
        cle = texte.strip().lower()
        if cle in ("drees", "apl", "defaut", "défaut"):
            return DECROISSANCE_DREES
        if cle in ("drees-2012", "drees2012", "irdes-2012", "2012"):
            return DECROISSANCE_DREES_2012
        paires = [p.strip() for p in re.split(r"[;,]", texte) if p.strip()]
        bornes, poids = [], []
        for paire in paires:
            morceaux = paire.split(":")
            try:
                if len(morceaux) != 2:
                    raise ValueError
                bornes.append(float(morceaux[0]))
                poids.append(float(morceaux[1]))
            except ValueError:
                raise DonneesInvalides(
                    f"Décroissance « {texte} » illisible : donnez « drees », « drees-2012 » ou "
                    "des paires minutes:poids séparées par des virgules (10:1,15:0.66,20:0.33)."
                ) from None
        return cls(tuple(bornes), tuple(poids), nom="personnalisée")

    def poids_de(self, temps_s: NDArray[np.float64]) -> NDArray[np.float64]:
        """Weight of each time (seconds); unknown (``inf``, NaN) times weigh 0."""
        temps = np.asarray(temps_s, dtype=np.float64)
        bornes_s = np.asarray(self.bornes_min, dtype=np.float64) * 60.0
        paliers = np.append(np.asarray(self.poids, dtype=np.float64), 0.0)
        rang = np.searchsorted(bornes_s, np.where(np.isfinite(temps), temps, np.inf), "left")
        return paliers[rang]

    @property
    def portee_min(self) -> float:
        """Time beyond which the weight is 0 (minutes)."""
        return float(self.bornes_min[-1])

    def description(self) -> str:
        """French description of the steps, for outputs."""
        morceaux, bas = [], 0.0
        for borne, poids in zip(self.bornes_min, self.poids, strict=True):
            morceaux.append(f"{bas:g}–{borne:g} min : {poids:g}")
            bas = borne
        texte = " ; ".join(morceaux) + f" ; au-delà de {bas:g} min : 0"
        return f"{self.nom} ({texte})" if self.nom else texte


#: The DREES APL decay as revised in 2015–2017 (zonages of health professionals).
DECROISSANCE_DREES = Decroissance(
    (10.0, 15.0, 20.0), (1.0, 0.66, 0.33), nom="APL DREES (méthode 2015-2017)"
)
#: The original DREES-IRDES APL decay (Barlet, Coldefy, Collin, Lucas-Gabrielli, 2012).
DECROISSANCE_DREES_2012 = Decroissance(
    (5.0, 10.0, 15.0), (1.0, 0.3, 0.1), nom="APL DREES-IRDES 2012"
)


def deux_sfca(
    temps_s: NDArray[np.float64],
    offre: NDArray[np.float64],
    demande: NDArray[np.float64],
    decroissance: Decroissance = DECROISSANCE_DREES,
) -> NDArray[np.float64]:
    """Two-step floating catchment accessibility, per inhabitant.

    Parameters
    ----------
    temps_s
        Times in seconds, demand points × supply points (``inf`` = unreachable).
    offre
        Supply of each supply point (equipment counts, full-time equivalents...).
    demande
        Demand of each demand point (population).
    decroissance
        The stepwise decay, applied in both steps.

    Returns
    -------
    numpy.ndarray
        Accessibility of each demand point, in supply units per inhabitant. A supply point
        that no demand reaches is shared by nobody and adds nothing.
    """
    temps = np.asarray(temps_s, dtype=np.float64)
    offre = np.asarray(offre, dtype=np.float64)
    demande = np.asarray(demande, dtype=np.float64)
    if temps.shape != (demande.size, offre.size):
        raise DonneesInvalides(
            f"2SFCA : matrice de temps {temps.shape} incompatible avec {demande.size} points "
            f"de demande et {offre.size} points d'offre."
        )
    if (offre < 0).any() or (demande < 0).any():
        raise DonneesInvalides("2SFCA : l'offre et la demande doivent être positives ou nulles.")
    poids = decroissance.poids_de(temps)
    demande_vue = poids.T @ demande
    ratio = np.divide(offre, demande_vue, out=np.zeros_like(offre), where=demande_vue > 0)
    orphelins = int(((demande_vue <= 0) & (offre > 0)).sum())
    if orphelins:
        logger.info("2SFCA : %d points d'offre sans demande à portée (ignorés).", orphelins)
    return np.asarray(poids @ ratio, dtype=np.float64)


def apl(
    communes: gpd.GeoDataFrame,
    nombre: pd.Series,
    source: SourceTemps,
    *,
    decroissance: Decroissance = DECROISSANCE_DREES,
    colonne_population: str = "population",
) -> pd.Series:
    """APL of each commune of the département, per 100,000 inhabitants.

    Parameters
    ----------
    communes
        Communes of the département and its buffer (``code``, ``centre``, population,
        ``hors_departement``), as :func:`poles.communes.charger_communes` returns them.
    nombre
        Supply per commune code (equipment counts of the service); absent codes hold none.
    source
        Travel-time source (the matrix from every commune to every supplied commune).
    decroissance
        The decay (default: the DREES APL steps 10/15/20 min, weights 1/0.66/0.33).
    colonne_population
        Demand column (default: the municipal population).

    Returns
    -------
    pandas.Series
        Indexed by the département's commune codes, named ``apl_pour_100000``.
    """
    if colonne_population not in communes.columns:
        raise DonneesInvalides(f"Colonne de population « {colonne_population} » absente.")
    offre = nombre.reindex(communes["code"]).fillna(0).to_numpy(dtype=np.float64)
    avec_offre = offre > 0
    if not avec_offre.any():
        raise DonneesInvalides(
            "APL : aucun équipement dans le département ni sa zone tampon : rien à partager."
        )
    tous = Lieux.depuis_points(communes, geometrie="centre", crs=str(communes.crs))
    temps = source.matrice(tous, tous.sous_ensemble(avec_offre))
    demande = communes[colonne_population].fillna(0).to_numpy(dtype=np.float64)
    par_habitant = deux_sfca(temps, offre[avec_offre], demande, decroissance)
    interieur = ~communes["hors_departement"].to_numpy(dtype=bool)
    return pd.Series(
        par_habitant[interieur] * POUR_HABITANTS,
        index=pd.Index(communes["code"].to_numpy()[interieur], name="code"),
        name="apl_pour_100000",
    )
