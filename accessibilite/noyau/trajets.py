"""Travel times as labelled tables, for notebooks: the long form ``origine, destination,
minutes`` (as r5py's and pandana's) or an origins × destinations table.

Places are GeoDataFrames of points or polygons in any CRS with an id column, or
:class:`~accessibilite.noyau.lieux.Lieux`; the source is any travel-time source, a road
graph (:class:`reseau.Graphe` or its ``.graphe`` file) or nothing (the straight-line
estimate).

Examples
--------
>>> import accessibilite as acc  # doctest: +SKIP
>>> temps = acc.temps_trajets("reseau_62.graphe", mairies, colonne_id="insee")  # doctest: +SKIP
>>> temps.head()  # doctest: +SKIP
  origine destination  minutes
0   62001       62001     0.00
1   62001       62002    27.45
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from accessibilite.noyau.lieux import Lieux, en_lieux, placer
from accessibilite.noyau.sources import SourceTemps, SourceVolOiseau, memes_codes
from socle.erreurs import DonneesInvalides

if TYPE_CHECKING:
    from reseau.graphe import Graphe

__all__ = ["plus_proche_lieu", "source_temps", "temps_trajets"]


def source_temps(source: SourceTemps | Graphe | str | Path | None) -> SourceTemps:
    """The travel-time source meant by ``source``: itself, a road graph (object or
    ``.graphe`` file) wrapped as :class:`SourceReseau`, or the straight line for ``None``."""
    from reseau.graphe import Graphe

    if source is None:
        return SourceVolOiseau()
    if isinstance(source, Graphe):
        from accessibilite.noyau.source_reseau import SourceReseau

        return SourceReseau(source)
    if isinstance(source, str | Path):
        from accessibilite.noyau.source_reseau import SourceReseau

        return SourceReseau.depuis_fichier(source)
    if isinstance(source, SourceTemps):
        return source
    raise DonneesInvalides(
        f"Source des temps inconnue ({type(source).__name__}) : donnez un graphe routier, "
        "un fichier .graphe, une source (SourceVolOiseau, SourceMatrice...) ou None."
    )


def _longue_reseau(
    graphe: Graphe, origines: Lieux, destinations: Lieux, coupure_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reached pairs within the cut-off on a road graph, memory following the pairs."""
    from accessibilite.noyau.routage import matrice_temps_longue

    acc_o = placer(graphe, origines, role="origines")
    acc_d = placer(graphe, destinations, role="destinations")
    ok_o, ok_d = acc_o.sur_reseau, acc_d.sur_reseau
    if ok_o.size == 0 or ok_d.size == 0:
        vide = np.empty(0, dtype=np.int64)
        return vide, vide, np.empty(0)
    i, j, t = matrice_temps_longue(
        graphe, acc_o.noeud[ok_o], acc_d.noeud[ok_d], coupure_s=coupure_s
    )
    o, d = ok_o[i], ok_d[j]
    t = t + acc_o.temps_s[o] + acc_d.temps_s[d]
    garder = t <= coupure_s
    o, d, t = o[garder], d[garder], t[garder]
    # a place to itself is at 0 (same code), even when off the network
    meme = np.flatnonzero(memes_codes(origines, destinations).any(axis=1))
    if meme.size:
        codes_d = {str(c): k for k, c in enumerate(destinations.codes)}
        paires = {(int(a), int(b)) for a, b in zip(o, d, strict=True)}
        ajout = [
            (int(k), codes_d[str(origines.codes[k])])
            for k in meme
            if (int(k), codes_d[str(origines.codes[k])]) not in paires
        ]
        if ajout:
            o = np.concatenate([o, [a for a, _ in ajout]])
            d = np.concatenate([d, [b for _, b in ajout]])
            t = np.concatenate([t, np.zeros(len(ajout))])
        t[origines.codes[o].astype(str) == destinations.codes[d].astype(str)] = 0.0
    ordre = np.lexsort((d, o))
    return o[ordre], d[ordre], t[ordre]


def temps_trajets(
    source: SourceTemps | Graphe | str | Path | None,
    origines: Any,
    destinations: Any = None,
    *,
    colonne_id: str | None = None,
    colonne_id_destinations: str | None = None,
    coupure_min: float | None = None,
    forme: Literal["longue", "large"] = "longue",
) -> pd.DataFrame:
    """Car travel times between places, as a labelled table.

    Parameters
    ----------
    source
        A road graph (:class:`reseau.Graphe` or a ``.graphe`` file), a travel-time source
        (:class:`SourceVolOiseau`, :class:`SourceMatrice`, :class:`SourceReseau`), or
        ``None`` for the straight-line estimate.
    origines, destinations
        GeoDataFrames of points or polygons (any CRS) or :class:`Lieux`; destinations
        default to the origins.
    colonne_id, colonne_id_destinations
        Id columns (default: ``code`` when present, else the index).
    coupure_min
        Keep only the pairs within this many minutes (on a road graph, only those are
        computed: memory follows the pairs, not origins × destinations).
    forme
        ``"longue"``: one row per reached pair, ``origine``, ``destination``, ``minutes``
        (pairs not reached, or beyond the cut-off, are absent); ``"large"``: origins as
        rows, destinations as columns, ``NaN`` when not reached.

    Returns
    -------
    pandas.DataFrame
        Ids as text, minutes as float64. A place to itself is at 0 min.
    """
    lieux_o = en_lieux(origines, colonne_id=colonne_id)
    lieux_d = (
        lieux_o
        if destinations is None
        else en_lieux(destinations, colonne_id=colonne_id_destinations or colonne_id)
    )
    if forme not in ("longue", "large"):
        raise DonneesInvalides(f"Forme « {forme} » inconnue : « longue » ou « large ».")
    if coupure_min is not None and not (np.isfinite(coupure_min) and coupure_min > 0):
        raise DonneesInvalides("coupure_min doit être un nombre de minutes positif.")
    src = source_temps(source)
    graphe = getattr(src, "graphe", None)
    if coupure_min is not None and graphe is not None:
        o, d, secondes = _longue_reseau(graphe, lieux_o, lieux_d, coupure_min * 60.0)
    else:
        matrice = src.matrice(lieux_o, lieux_d)
        if coupure_min is not None:
            matrice = np.where(matrice <= coupure_min * 60.0, matrice, np.inf)
        o, d = np.nonzero(np.isfinite(matrice))
        secondes = matrice[o, d]
    longue = pd.DataFrame(
        {
            "origine": pd.Series(np.asarray(lieux_o.codes)[o], dtype=str),
            "destination": pd.Series(np.asarray(lieux_d.codes)[d], dtype=str),
            "minutes": np.asarray(secondes, dtype=np.float64) / 60.0,
        }
    )
    longue.attrs["source"] = src.description()
    if forme == "longue":
        return longue
    large = longue.pivot(index="origine", columns="destination", values="minutes")
    large = large.reindex(
        index=pd.Index(np.asarray(lieux_o.codes, dtype=str), name="origine"),
        columns=pd.Index(np.asarray(lieux_d.codes, dtype=str), name="destination"),
    )
    large.attrs["source"] = src.description()
    return large


def plus_proche_lieu(
    source: SourceTemps | Graphe | str | Path | None,
    origines: Any,
    cibles: Any,
    *,
    colonne_id: str | None = None,
    colonne_id_cibles: str | None = None,
) -> pd.DataFrame:
    """For each origin, the nearest target and the time to it (one search on a graph).

    Returns
    -------
    pandas.DataFrame
        ``origine``, ``destination`` (the nearest target's id, empty when none is
        reachable), ``minutes`` (``NaN`` when none is reachable).
    """
    lieux_o = en_lieux(origines, colonne_id=colonne_id)
    lieux_c = en_lieux(cibles, colonne_id=colonne_id_cibles or colonne_id)
    src = source_temps(source)
    secondes, indice = src.plus_proche(lieux_o, lieux_c)
    codes_c = np.asarray(lieux_c.codes, dtype=object)
    table = pd.DataFrame(
        {
            "origine": pd.Series(np.asarray(lieux_o.codes), dtype=str),
            "destination": pd.Series(
                np.where(indice >= 0, codes_c[np.maximum(indice, 0)], ""), dtype=str
            ),
            "minutes": np.where(np.isfinite(secondes), secondes / 60.0, np.nan),
        }
    )
    table.attrs["source"] = src.description()
    return table
