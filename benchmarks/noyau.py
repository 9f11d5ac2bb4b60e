"""Benchmark of the compute core against scipy, igraph, networkx and pandana.

Usage (from the project root)::

    python benchmarks/noyau.py [--taille departement|region] [--json FILE] [--repetitions N]

In one run, on the same inputs, with every result checked against ours:

* a seeded **synthetic** road-like graph (``benchmarks/generateur.py``; labelled
  synthetic): 1,000 × 1,000 commune-like nodes with a 60-minute cut-off; the nearest pole
  for 3 levels of 300 random poles (node → pole); the 3 nearest poles; every node within
  20 minutes of each commune (long output); the peak memory of a run of ours (RSS,
  measured in a separate process);
* the **real** OSM graphs of Andorra and Liechtenstein (``../shared/data/osm``, read with
  the minimal reader of ``benchmarks/reels.py``).

Timings are wall-clock seconds after JIT warm-up, the median of ``--repetitions`` runs.
Slow peers run on a sample of origins and are extrapolated (said so in the table).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

RACINE = Path(__file__).resolve().parents[1]
if str(RACINE) not in sys.path:
    sys.path.insert(0, str(RACINE))

import numba  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from scipy.sparse.csgraph import dijkstra  # noqa: E402

import accessibilite  # noqa: E402
from benchmarks.generateur import graphe_synthetique, noeuds_aleatoires  # noqa: E402
from reseau import Graphe  # noqa: E402

TOLERANCE_S = 1e-3
COUPURE_MATRICE_S = 3600.0
COUPURE_ISOCHRONE_S = 1200.0
N_COMMUNES = 1000
N_POLES = 300
N_NIVEAUX = 3
DONNEES_OSM = RACINE.parent / "shared" / "data" / "osm"
NX_MAX_NOEUDS = 1_000_000


@dataclass
class Mesure:
    """One line of the results table."""

    graphe: str
    tache: str
    outil: str
    secondes: float | None
    mesures: list[float] = field(default_factory=list)
    extrapole: str = ""
    ecart_max_s: float | None = None
    egal: bool | None = None
    note: str = ""
    cpu_s: float | None = None
    charge: float | None = None


# ----------------------------------------------------------------------------------------
# Helpers


def _mesurer(fonction: Callable[[], Any], repetitions: int) -> tuple[float, list[float], Any]:
    """Median wall time of ``repetitions`` calls, all times, last result.

    The median CPU time of the process (all threads) and the 1-minute load average are
    kept in ``_DERNIER`` for the next :class:`Mesure` made with :func:`_mesure`.
    """
    temps: list[float] = []
    cpu: list[float] = []
    resultat = None
    for _ in range(repetitions):
        debut, debut_cpu = time.perf_counter(), time.process_time()
        resultat = fonction()
        temps.append(time.perf_counter() - debut)
        cpu.append(time.process_time() - debut_cpu)
    _DERNIER["cpu_s"] = statistics.median(cpu)
    _DERNIER["charge"] = os.getloadavg()[0]
    return statistics.median(temps), temps, resultat


_DERNIER: dict[str, float] = {}


def _mesure(*args: Any, **kwargs: Any) -> Mesure:
    """A :class:`Mesure` carrying the CPU time and load of the last :func:`_mesurer`."""
    kwargs.setdefault("cpu_s", _DERNIER.pop("cpu_s", None))
    kwargs.setdefault("charge", _DERNIER.pop("charge", None))
    return Mesure(*args, **kwargs)


def _comparer(nous: np.ndarray, eux: np.ndarray) -> tuple[float, bool]:
    """Max |difference| on pairs both reach, and whether reachability and times agree."""
    nous = np.asarray(nous, dtype=np.float64)
    eux = np.asarray(eux, dtype=np.float64)
    meme = bool(np.array_equal(np.isfinite(nous), np.isfinite(eux)))
    fini = np.isfinite(nous) & np.isfinite(eux)
    ecart = float(np.max(np.abs(nous[fini] - eux[fini]), initial=0.0))
    return ecart, meme and ecart <= TOLERANCE_S


def _csr(g: Graphe, *, inverse: bool = False) -> sp.csr_matrix:
    if inverse:
        donnees = (g.temps_s_inv.astype(np.float64), g.indices_inv, g.indptr_inv)
    else:
        donnees = (g.temps_s.astype(np.float64), g.indices, g.indptr)
    return sp.csr_matrix(donnees, shape=(g.n_noeuds, g.n_noeuds))


def _igraph(g: Graphe, *, inverse: bool = False, super_source: np.ndarray | None = None) -> Any:
    """An igraph graph (optionally with an extra node n linked at 0 s to ``super_source``)."""
    import igraph as ig

    sources, cibles = g.sources_arcs(), g.indices
    if inverse:
        sources, cibles = cibles, sources
    poids = g.temps_s.astype(np.float64)
    n = g.n_noeuds
    if super_source is not None:
        sources = np.concatenate([sources, np.full(super_source.size, n)])
        cibles = np.concatenate([cibles, super_source])
        poids = np.concatenate([poids, np.zeros(super_source.size)])
        n += 1
    graphe = ig.Graph(n=n, edges=np.column_stack([sources, cibles]).tolist(), directed=True)
    graphe.es["t"] = poids.tolist()
    return graphe


def _networkx(g: Graphe, *, inverse: bool = False) -> Any:
    import networkx as nx

    sources, cibles = g.sources_arcs(), g.indices
    if inverse:
        sources, cibles = cibles, sources
    graphe = nx.DiGraph()
    graphe.add_nodes_from(range(g.n_noeuds))
    meilleur: dict[tuple[int, int], float] = {}
    for s, c, t in zip(sources.tolist(), cibles.tolist(), g.temps_s.tolist(), strict=True):
        if t < meilleur.get((s, c), np.inf):
            meilleur[(s, c)] = t
    graphe.add_weighted_edges_from(((s, c, t) for (s, c), t in meilleur.items()), weight="t")
    return graphe


def _pandana(g: Graphe) -> Any:
    import pandana
    import pandas as pd

    x = g.x if g.x is not None else np.arange(g.n_noeuds, dtype=np.float64)
    y = g.y if g.y is not None else np.zeros(g.n_noeuds)
    return pandana.Network(
        pd.Series(x),
        pd.Series(y),
        pd.Series(g.sources_arcs()),
        pd.Series(g.indices),
        pd.DataFrame({"t": g.temps_s.astype(np.float64)}),
        twoway=False,
    )


def _silencieux(fonction: Callable[[], Any]) -> Any:
    """Run ``fonction`` with the C-level stdout/stderr muted (pandana prints progress)."""
    sys.stdout.flush()
    sys.stderr.flush()
    sauve = os.dup(1), os.dup(2)
    nul = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(nul, 1)
        os.dup2(nul, 2)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fonction()
    finally:
        os.dup2(sauve[0], 1)
        os.dup2(sauve[1], 2)
        os.close(nul)
        os.close(sauve[0])
        os.close(sauve[1])


def _pandana_disponible() -> str:
    try:
        import pandana  # noqa: F401
    except ImportError as exc:
        return f"pandana non installé ({exc}) : pip install pandana"
    return ""


def _echauffer() -> None:
    """Compile (or load from the numba cache) every kernel on a tiny graph."""
    g = Graphe.depuis_arcs([0, 1], [1, 2], [1.0, 1.0], 3)
    accessibilite.matrice_temps(g, [0], [2], coupure_s=10.0)
    accessibilite.matrice_temps(g, [0])
    accessibilite.matrice_temps_longue(g, [0], coupure_s=10.0)
    accessibilite.plus_proche(g, [2])
    accessibilite.plus_proche(g, [2], k=2)


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------
# Tasks


def matrice_communes(g: Graphe, nom: str, repetitions: int, *, pairs: bool = True) -> list[Mesure]:
    """1,000 × 1,000 commune-like nodes with a 60-minute cut-off."""
    tache = f"matrice {N_COMMUNES} × {N_COMMUNES}, coupure 60 min"
    communes = noeuds_aleatoires(g, N_COMMUNES, graine=1)
    mesures: list[Mesure] = []
    _log(f"{nom} : {tache}, nous")
    med, tout, nous = _mesurer(
        lambda: accessibilite.matrice_temps(g, communes, communes, coupure_s=COUPURE_MATRICE_S),
        repetitions,
    )
    fils = numba.get_num_threads()
    mesures.append(_mesure(nom, tache, f"accessibilite ({fils} fils)", med, tout))

    # Parallel speed-up on a subset: one thread against all.
    sous = communes[:250]
    avant = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        t1, _, _ = _mesurer(
            lambda: accessibilite.matrice_temps(g, sous, communes, coupure_s=COUPURE_MATRICE_S),
            repetitions,
        )
    finally:
        numba.set_num_threads(avant)
    tn, _, _ = _mesurer(
        lambda: accessibilite.matrice_temps(g, sous, communes, coupure_s=COUPURE_MATRICE_S),
        repetitions,
    )
    mesures.append(
        Mesure(
            nom,
            tache,
            "accessibilite (1 fil)",
            t1 * len(communes) / len(sous),
            extrapole=f"250 origines × {len(communes) / len(sous):g}",
            note=f"accélération parallèle {t1 / tn:.2f}× avec {fils} fils",
        )
    )

    _log(f"{nom} : {tache}, scipy")
    m = _csr(g)

    def scipy_limite() -> np.ndarray:
        sortie = np.empty((communes.size, communes.size))
        for debut in range(0, communes.size, 100):
            morceau = communes[debut : debut + 100]
            sortie[debut : debut + morceau.size] = dijkstra(
                m, indices=morceau, limit=COUPURE_MATRICE_S
            )[:, communes]
        return sortie

    med, tout, eux = _mesurer(scipy_limite, repetitions)
    ecart, egal = _comparer(nous, eux)
    mesures.append(
        _mesure(
            nom,
            tache,
            "scipy dijkstra(limit)",
            med,
            tout,
            ecart_max_s=ecart,
            egal=egal,
            note="1 cœur, lignes denses par blocs de 100 origines",
        )
    )
    if not pairs:
        return mesures

    _log(f"{nom} : {tache}, igraph")
    gi = _igraph(g)
    echantillon = communes[:100]
    debut = time.perf_counter()
    eux = np.array(gi.distances(source=echantillon.tolist(), target=communes.tolist(), weights="t"))
    duree = time.perf_counter() - debut
    eux[eux > COUPURE_MATRICE_S] = np.inf
    ecart, egal = _comparer(nous[: echantillon.size], eux)
    mesures.append(
        Mesure(
            nom,
            tache,
            "igraph distances",
            duree * communes.size / echantillon.size,
            [duree],
            extrapole=f"100 origines × {communes.size / echantillon.size:g}",
            ecart_max_s=ecart,
            egal=egal,
            note="pas de coupure dans igraph : recherche complète",
        )
    )
    del gi

    _log(f"{nom} : {tache}, networkx")
    import networkx as nx

    if g.n_noeuds > NX_MAX_NOEUDS:
        mesures.append(
            Mesure(
                nom,
                tache,
                "networkx single_source_dijkstra",
                None,
                note=f"non mesuré au-delà de {NX_MAX_NOEUDS:,} nœuds (graphe networkx de "
                "plusieurs Go)".replace(",", " "),
            )
        )
        return mesures + _pandana_matrice(g, nom, tache, communes, nous)

    debut = time.perf_counter()
    gnx = _networkx(g)
    construction = time.perf_counter() - debut
    echantillon = communes[:5]
    position = {int(v): j for j, v in enumerate(communes)}
    eux = np.full((echantillon.size, communes.size), np.inf)
    debut = time.perf_counter()
    for i, s in enumerate(echantillon):
        longueurs = nx.single_source_dijkstra_path_length(
            gnx, int(s), cutoff=COUPURE_MATRICE_S, weight="t"
        )
        for v, t in longueurs.items():
            j = position.get(v)
            if j is not None:
                eux[i, j] = t
    duree = time.perf_counter() - debut
    ecart, egal = _comparer(nous[: echantillon.size], eux)
    mesures.append(
        Mesure(
            nom,
            tache,
            "networkx single_source_dijkstra",
            duree * communes.size / echantillon.size,
            [duree],
            extrapole=f"5 origines × {communes.size / echantillon.size:g}",
            ecart_max_s=ecart,
            egal=egal,
            note=f"construction du graphe networkx {construction:.1f} s non comptée",
        )
    )
    del gnx
    return mesures + _pandana_matrice(g, nom, tache, communes, nous)


def _pandana_matrice(
    g: Graphe, nom: str, tache: str, communes: np.ndarray, nous: np.ndarray
) -> list[Mesure]:
    """pandana's contraction hierarchy on the commune pairs (a sample, extrapolated)."""
    absent = _pandana_disponible()
    if absent:
        return [Mesure(nom, tache, "pandana", None, note=absent)]
    _log(f"{nom} : {tache}, pandana")
    debut = time.perf_counter()
    reseau_pandana = _silencieux(lambda: _pandana(g))
    preparation = time.perf_counter() - debut
    echantillon = communes[:100]
    origines = np.repeat(echantillon, communes.size)
    destinations = np.tile(communes, echantillon.size)
    debut = time.perf_counter()
    eux = np.asarray(
        _silencieux(lambda: reseau_pandana.shortest_path_lengths(origines, destinations)),
        dtype=np.float64,
    ).reshape(echantillon.size, communes.size)
    duree = time.perf_counter() - debut
    eux[eux > COUPURE_MATRICE_S] = np.inf  # unreachable pairs come back as 4294967.295
    ecart, egal = _comparer(nous[: echantillon.size], eux)
    return [
        Mesure(
            nom,
            tache,
            "pandana shortest_path_lengths (CH)",
            duree * communes.size / echantillon.size,
            [duree],
            extrapole=f"100 origines × {communes.size / echantillon.size:g}",
            ecart_max_s=ecart,
            egal=egal,
            note=(
                f"hiérarchie de contraction préparée en {preparation:.1f} s (non comptée) ; "
                "temps d'arc arrondis à la milliseconde"
            ),
        )
    ]


def pole_le_plus_proche(
    g: Graphe, nom: str, repetitions: int, *, pairs: bool = True
) -> list[Mesure]:
    """Nearest pole, node → pole, for 3 levels of 300 random poles (whole graph)."""
    n_poles = min(N_POLES, max(1, g.n_noeuds // 100))
    tache = f"pôle le plus proche, {N_NIVEAUX} niveaux × {n_poles} pôles"
    niveaux = [noeuds_aleatoires(g, n_poles, graine=10 + i) for i in range(N_NIVEAUX)]
    mesures: list[Mesure] = []
    _log(f"{nom} : {tache}")

    def nous_tous() -> list[tuple[np.ndarray, np.ndarray]]:
        return [accessibilite.plus_proche(g, poles) for poles in niveaux]

    med, tout, nous = _mesurer(nous_tous, repetitions)
    mesures.append(_mesure(nom, tache, "accessibilite plus_proche", med, tout))

    mi = _csr(g, inverse=True)

    def scipy_tous() -> list[tuple[np.ndarray, np.ndarray]]:
        return [
            dijkstra(mi, indices=poles, min_only=True, return_predecessors=True)
            for poles in niveaux
        ]

    med, tout, eux = _mesurer(scipy_tous, repetitions)
    ligne_scipy = _mesure(nom, tache, "scipy dijkstra(min_only)", med, tout)
    ecarts = [_comparer(a[0], b[0]) for a, b in zip(nous, eux, strict=True)]
    # Same pole as scipy wherever both agree on time (ties may pick another pole).
    meme_pole = np.mean(
        [
            np.mean(np.asarray(poles)[a[1][a[1] >= 0]] == b[2][a[1] >= 0])
            for poles, a, b in zip(niveaux, nous, eux, strict=True)
        ]
    )
    ligne_scipy.ecart_max_s = max(e for e, _ in ecarts)
    ligne_scipy.egal = all(ok for _, ok in ecarts)
    ligne_scipy.note = (
        f"même pôle que scipy pour {100 * meme_pole:.2f} % des nœuds (le reste : ex æquo)"
    )
    mesures.append(ligne_scipy)

    communes = noeuds_aleatoires(g, min(900, g.n_noeuds), graine=3)
    m = _csr(g)
    echantillon = communes[:20]
    debut = time.perf_counter()
    dijkstra(m, indices=echantillon)
    duree = time.perf_counter() - debut
    mesures.append(
        Mesure(
            nom,
            tache,
            f"scipy, {communes.size} recherches simples × {N_NIVEAUX} niveaux",
            duree * communes.size / echantillon.size * N_NIVEAUX,
            [duree],
            extrapole=f"20 recherches × {communes.size * N_NIVEAUX / echantillon.size:g}",
            note="l'approche naïve : une recherche par commune",
        )
    )
    if not pairs:
        return mesures

    duree_ig = []
    ecarts = []
    for poles, a in zip(niveaux, nous, strict=True):
        gi = _igraph(g, inverse=True, super_source=poles)
        debut = time.perf_counter()
        eux_ig = np.array(gi.distances(source=[g.n_noeuds], weights="t")[0][:-1])
        duree_ig.append(time.perf_counter() - debut)
        ecarts.append(_comparer(a[0], eux_ig))
        del gi
    mesures.append(
        Mesure(
            nom,
            tache,
            "igraph distances (super-source)",
            sum(duree_ig),
            duree_ig,
            ecart_max_s=max(e for e, _ in ecarts),
            egal=all(ok for _, ok in ecarts),
            note="nœud fictif relié aux pôles à 0 s ; construction non comptée",
        )
    )

    mesures.append(_networkx_plus_proche(g, nom, tache, niveaux[0], nous[0][0]))

    absent = _pandana_disponible()
    if absent:
        mesures.append(Mesure(nom, tache + ", coupure 60 min", "pandana", None, note=absent))
        return mesures
    import pandas as pd

    tache_c = tache + ", coupure 60 min"
    med, tout, nous_c = _mesurer(
        lambda: [
            accessibilite.plus_proche(g, poles, coupure_s=COUPURE_MATRICE_S) for poles in niveaux
        ],
        repetitions,
    )
    mesures.append(_mesure(nom, tache_c, "accessibilite plus_proche", med, tout))
    reseau_pandana = _silencieux(lambda: _pandana(g))
    x = g.x if g.x is not None else np.arange(g.n_noeuds, dtype=np.float64)
    y = g.y if g.y is not None else np.zeros(g.n_noeuds)
    duree_pd = []
    ecarts = []
    for i, (poles, a) in enumerate(zip(niveaux, nous_c, strict=True)):
        categorie = f"niveau{i}"
        _silencieux(
            lambda c=categorie, p=poles: reseau_pandana.set_pois(
                c, COUPURE_MATRICE_S, 1, pd.Series(x[p]), pd.Series(y[p])
            )
        )
        debut = time.perf_counter()
        resultat = _silencieux(
            lambda c=categorie: reseau_pandana.nearest_pois(COUPURE_MATRICE_S, c, num_pois=1)
        )
        duree_pd.append(time.perf_counter() - debut)
        eux_pd = resultat[1].to_numpy(dtype=np.float64, copy=True)
        eux_pd[eux_pd >= COUPURE_MATRICE_S] = np.inf
        nous_a = a[0].copy()
        nous_a[nous_a >= COUPURE_MATRICE_S] = np.inf
        ecarts.append(_comparer(nous_a, eux_pd))
    mesures.append(
        Mesure(
            nom,
            tache_c,
            "pandana nearest_pois (CH)",
            sum(duree_pd),
            duree_pd,
            ecart_max_s=max(e for e, _ in ecarts),
            egal=all(ok for _, ok in ecarts),
            note="pôles rattachés par coordonnées ; préparation CH non comptée ; temps float32",
        )
    )
    return mesures


def _networkx_plus_proche(
    g: Graphe, nom: str, tache: str, poles: np.ndarray, nous: np.ndarray
) -> Mesure:
    """networkx multi-source Dijkstra for one level (times 3 levels, extrapolated)."""
    import networkx as nx

    if g.n_noeuds > NX_MAX_NOEUDS:
        return Mesure(
            nom,
            tache,
            "networkx multi_source_dijkstra",
            None,
            note=f"non mesuré au-delà de {NX_MAX_NOEUDS:,} nœuds".replace(",", " "),
        )
    gnx = _networkx(g, inverse=True)
    debut = time.perf_counter()
    longueurs = nx.multi_source_dijkstra_path_length(gnx, set(poles.tolist()), weight="t")
    duree = time.perf_counter() - debut
    eux = np.full(g.n_noeuds, np.inf)
    for v, t in longueurs.items():
        eux[v] = t
    ecart, egal = _comparer(nous, eux)
    return Mesure(
        nom,
        tache,
        "networkx multi_source_dijkstra",
        duree * N_NIVEAUX,
        [duree],
        extrapole=f"1 niveau × {N_NIVEAUX}",
        ecart_max_s=ecart,
        egal=egal,
    )


def k_plus_proches(g: Graphe, nom: str, repetitions: int) -> list[Mesure]:
    """The 3 nearest poles of every node (one level), checked against scipy brute force."""
    n_poles = min(N_POLES, max(1, g.n_noeuds // 100))
    poles = noeuds_aleatoires(g, n_poles, graine=10)
    tache = f"3 pôles les plus proches, {n_poles} pôles"
    med, tout, (temps, _) = _mesurer(lambda: accessibilite.plus_proche(g, poles, k=3), repetitions)
    mesures = [_mesure(nom, tache, "accessibilite plus_proche(k=3)", med, tout)]
    # Brute force: every pole to every node, then the 3 smallest per node (scipy, timed).
    mi = _csr(g, inverse=True)
    debut = time.perf_counter()
    attendu = np.empty((g.n_noeuds, 3))
    tous = np.full((3, g.n_noeuds), np.inf)
    for morceau in range(0, poles.size, 50):
        bloc = dijkstra(mi, indices=poles[morceau : morceau + 50])
        tous = np.sort(np.vstack([tous, bloc]), axis=0)[:3]
    attendu[:] = tous.T
    duree = time.perf_counter() - debut
    ecart, egal = _comparer(temps, attendu)
    mesures.append(
        Mesure(
            nom,
            tache,
            "scipy, une recherche par pôle + tri",
            duree,
            [duree],
            ecart_max_s=ecart,
            egal=egal,
            note="force brute",
        )
    )
    return mesures


def isochrones_longues(g: Graphe, nom: str, repetitions: int) -> list[Mesure]:
    """Every node within 20 minutes of each of the 1,000 communes (long output)."""
    communes = noeuds_aleatoires(g, N_COMMUNES, graine=1)
    tache = f"{N_COMMUNES} communes → tous les nœuds à moins de 20 min (sortie longue)"
    med, tout, (o, d, t) = _mesurer(
        lambda: accessibilite.matrice_temps_longue(g, communes, coupure_s=COUPURE_ISOCHRONE_S),
        repetitions,
    )
    octets = o.nbytes + d.nbytes + t.nbytes
    mesures = [
        _mesure(
            nom,
            tache,
            "accessibilite matrice_temps_longue",
            med,
            tout,
            note=f"{o.size:,} paires, {octets / 1024**2:.0f} Mo".replace(",", " "),
        )
    ]
    m = _csr(g)
    ecart = 0.0
    egal = True
    debut_total = time.perf_counter()
    for debut in range(0, communes.size, 50):
        bloc = dijkstra(m, indices=communes[debut : debut + 50], limit=COUPURE_ISOCHRONE_S)
        dans = (o >= debut) & (o < debut + 50)
        n_atteints = int(np.isfinite(bloc).sum())
        e = float(np.max(np.abs(bloc[o[dans] - debut, d[dans]] - t[dans]), initial=0.0))
        ecart = max(ecart, e)
        egal = egal and n_atteints == int(dans.sum()) and e <= TOLERANCE_S
    duree = time.perf_counter() - debut_total
    mesures.append(
        Mesure(
            nom,
            tache,
            "scipy dijkstra(limit)",
            duree,
            [duree],
            ecart_max_s=ecart,
            egal=egal,
            note="lignes denses par blocs de 50 (la matrice entière ferait "
            f"{N_COMMUNES * g.n_noeuds * 8 / 1024**3:.1f} Go)",
        )
    )
    return mesures


def matrice_reelle(g: Graphe, nom: str, repetitions: int) -> list[Mesure]:
    """Real graph: 1,000 origins (or every node) × every node, no cut-off."""
    origines = noeuds_aleatoires(g, min(N_COMMUNES, g.n_noeuds), graine=1)
    tache = f"{origines.size} origines × tous les nœuds"
    mesures: list[Mesure] = []
    med, tout, nous = _mesurer(lambda: accessibilite.matrice_temps(g, origines), repetitions)
    mesures.append(
        _mesure(nom, tache, f"accessibilite ({numba.get_num_threads()} fils)", med, tout)
    )
    m = _csr(g)
    med, tout, eux = _mesurer(lambda: dijkstra(m, indices=origines), repetitions)
    ecart, egal = _comparer(nous, eux)
    mesures.append(_mesure(nom, tache, "scipy dijkstra", med, tout, ecart_max_s=ecart, egal=egal))
    gi = _igraph(g)
    echantillon = origines[:200]
    debut = time.perf_counter()
    eux = np.array(gi.distances(source=echantillon.tolist(), weights="t"))
    duree = time.perf_counter() - debut
    ecart, egal = _comparer(nous[: echantillon.size], eux)
    mesures.append(
        Mesure(
            nom,
            tache,
            "igraph distances",
            duree * origines.size / echantillon.size,
            [duree],
            extrapole=f"200 origines × {origines.size / echantillon.size:g}",
            ecart_max_s=ecart,
            egal=egal,
        )
    )
    import networkx as nx

    gnx = _networkx(g)
    echantillon = origines[:20]
    eux = np.full((echantillon.size, g.n_noeuds), np.inf)
    debut = time.perf_counter()
    for i, s in enumerate(echantillon):
        for v, t in nx.single_source_dijkstra_path_length(gnx, int(s), weight="t").items():
            eux[i, v] = t
    duree = time.perf_counter() - debut
    ecart, egal = _comparer(nous[: echantillon.size], eux)
    mesures.append(
        Mesure(
            nom,
            tache,
            "networkx single_source_dijkstra",
            duree * origines.size / echantillon.size,
            [duree],
            extrapole=f"20 origines × {origines.size / echantillon.size:g}",
            ecart_max_s=ecart,
            egal=egal,
        )
    )
    absent = _pandana_disponible()
    if absent:
        mesures.append(Mesure(nom, tache, "pandana", None, note=absent))
        return mesures
    debut = time.perf_counter()
    reseau_pandana = _silencieux(lambda: _pandana(g))
    preparation = time.perf_counter() - debut
    echantillon = origines[:20]
    o = np.repeat(echantillon, g.n_noeuds)
    d = np.tile(np.arange(g.n_noeuds), echantillon.size)
    debut = time.perf_counter()
    eux = np.asarray(
        _silencieux(lambda: reseau_pandana.shortest_path_lengths(o, d)), dtype=np.float64
    ).reshape(echantillon.size, g.n_noeuds)
    duree = time.perf_counter() - debut
    eux[eux >= 4294967.0] = np.inf
    ecart, egal = _comparer(nous[: echantillon.size], eux)
    mesures.append(
        Mesure(
            nom,
            tache,
            "pandana shortest_path_lengths (CH)",
            duree * origines.size / echantillon.size,
            [duree],
            extrapole=f"20 origines × {origines.size / echantillon.size:g}",
            ecart_max_s=ecart,
            egal=egal,
            note=f"préparation CH {preparation:.1f} s non comptée ; arcs arrondis à la ms",
        )
    )
    return mesures


# ----------------------------------------------------------------------------------------
# Memory: a separate process running only our side of a département job.


def _pic_memoire_mo() -> float:
    """Peak resident memory of this process (MiB): VmHWM, else ru_maxrss.

    ``ru_maxrss`` of a child started by ``subprocess`` can carry the parent's peak (it is
    taken from the memory map replaced at ``exec``); VmHWM belongs to the new map only.
    """
    try:
        for ligne in Path("/proc/self/status").read_text().splitlines():
            if ligne.startswith("VmHWM:"):
                return int(ligne.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def mesure_memoire(taille: str) -> dict[str, float]:
    """Run our kernels on the synthetic graph and return peak RSS figures (MiB)."""
    _echauffer()
    depart = _pic_memoire_mo()
    g = graphe_synthetique(taille, graine=0)
    apres_graphe = _pic_memoire_mo()
    communes = noeuds_aleatoires(g, N_COMMUNES, graine=1)
    accessibilite.matrice_temps(g, communes, communes, coupure_s=COUPURE_MATRICE_S)
    for i in range(N_NIVEAUX):
        accessibilite.plus_proche(g, noeuds_aleatoires(g, N_POLES, graine=10 + i))
    accessibilite.plus_proche(g, noeuds_aleatoires(g, N_POLES, graine=10), k=3)
    apres_matrice_poles = _pic_memoire_mo()
    o, d, t = accessibilite.matrice_temps_longue(g, communes, coupure_s=COUPURE_ISOCHRONE_S)
    fin = _pic_memoire_mo()
    return {
        "rss_max_mo_apres_import": depart,
        "rss_max_mo_apres_graphe": apres_graphe,
        "rss_max_mo_matrice_et_poles": apres_matrice_poles,
        "rss_max_mo": fin,
        "sortie_longue_mo": (o.nbytes + d.nbytes + t.nbytes) / 1024**2,
    }


def _memoire_sous_processus(taille: str) -> dict[str, float]:
    fini = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--taille", taille, "--mesure-memoire"],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(fini.stdout.strip().splitlines()[-1]))


# ----------------------------------------------------------------------------------------
# Report


def machine() -> dict[str, Any]:
    """Machine and library facts for the report."""
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        modele = next(
            (
                ligne.split(":", 1)[1].strip()
                for ligne in lscpu.splitlines()
                if "Model name" in ligne
            ),
            platform.processor(),
        )
    except OSError:
        modele = platform.processor()
    versions = {"python": platform.python_version()}
    for module in ("numpy", "scipy", "numba", "igraph", "networkx", "pandana"):
        try:
            versions[module] = __import__(module).__version__
        except (ImportError, AttributeError):
            versions[module] = "absent"
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "processeur": modele,
        "coeurs": os.cpu_count(),
        "memoire_go": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
        "fils_numba": numba.get_num_threads(),
        "couche_fils_numba": numba.threading_layer(),
        "charge_moyenne_debut": os.getloadavg(),
        "versions": versions,
    }


def _tableau(mesures: list[Mesure]) -> str:
    lignes = [
        "| graphe | tâche | outil | secondes | ratio (outil / nous) | CPU (s) | charge "
        "| écart max (s) | égal | note |",
        "|---|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    reference: dict[tuple[str, str], float] = {}
    for m in mesures:
        if m.outil.startswith("accessibilite") and "1 fil" not in m.outil and m.secondes:
            reference.setdefault((m.graphe, m.tache), m.secondes)
    for m in mesures:
        ref = reference.get((m.graphe, m.tache))
        ratio = f"{m.secondes / ref:.2f}" if (m.secondes is not None and ref) else ""
        secondes = "—" if m.secondes is None else f"{m.secondes:.3f}"
        if m.extrapole:
            secondes += " (extrapolé)"
        ecart = "" if m.ecart_max_s is None else f"{m.ecart_max_s:.1e}"
        egal = "" if m.egal is None else ("oui" if m.egal else "NON")
        cpu = "" if m.cpu_s is None else f"{m.cpu_s:.2f}"
        charge = "" if m.charge is None else f"{m.charge:.1f}"
        note = "; ".join(x for x in (m.extrapole, m.note) if x)
        lignes.append(
            f"| {m.graphe} | {m.tache} | {m.outil} | {secondes} | {ratio} | {cpu} | {charge} "
            f"| {ecart} | {egal} | {note} |"
        )
    return "\n".join(lignes)


def main(argv: list[str] | None = None) -> int:
    analyseur = argparse.ArgumentParser(
        description="Banc d'essai du noyau de calcul (Dijkstra Numba) face à scipy, igraph, "
        "networkx et pandana."
    )
    analyseur.add_argument(
        "--taille",
        choices=["departement", "region", "test"],
        default="departement",
        help="taille du graphe synthétique (défaut : departement, 300 000 nœuds)",
    )
    analyseur.add_argument(
        "--json", type=Path, help="écrire aussi les résultats dans ce fichier JSON"
    )
    analyseur.add_argument(
        "--repetitions",
        type=int,
        default=3,
        help="mesures par tâche, on garde la médiane (défaut : 3)",
    )
    analyseur.add_argument(
        "--sans-reels",
        action="store_true",
        help="sauter les graphes OSM réels (Andorre, Liechtenstein)",
    )
    analyseur.add_argument(
        "--sans-pairs-lents",
        action="store_true",
        help="sauter igraph, networkx et pandana (garder scipy)",
    )
    analyseur.add_argument(
        "--cibles",
        action="store_true",
        help="seulement les trois objectifs (matrice et pôles face à scipy, mémoire) : "
        "rapide à répéter",
    )
    analyseur.add_argument("--mesure-memoire", action="store_true", help=argparse.SUPPRESS)
    options = analyseur.parse_args(argv)

    if options.mesure_memoire:
        print(json.dumps(mesure_memoire(options.taille)))
        return 0

    infos = machine()
    _log(
        f"machine : {infos['processeur']}, {infos['coeurs']} cœurs, "
        f"numba {infos['fils_numba']} fils"
    )
    debut = time.perf_counter()
    _echauffer()
    infos["echauffement_s"] = time.perf_counter() - debut
    mesures: list[Mesure] = []
    resultats: dict[str, Any] = {"machine": infos, "taille": options.taille}

    _log(f"génération du graphe synthétique « {options.taille} »")
    debut = time.perf_counter()
    g = graphe_synthetique(options.taille, graine=0)
    resultats["graphe_synthetique"] = {
        "noeuds": g.n_noeuds,
        "arcs": g.n_arcs,
        "generation_s": time.perf_counter() - debut,
    }
    nom = f"synthétique {options.taille} ({g.n_noeuds:,} nœuds)".replace(",", " ")
    pairs = not (options.sans_pairs_lents or options.cibles)
    mesures += matrice_communes(g, nom, options.repetitions, pairs=pairs)
    mesures += pole_le_plus_proche(g, nom, options.repetitions, pairs=pairs)
    if not options.cibles:
        mesures += k_plus_proches(g, nom, options.repetitions)
        mesures += isochrones_longues(g, nom, options.repetitions)
    del g

    _log("mémoire (processus séparé)")
    resultats["memoire"] = _memoire_sous_processus(options.taille)

    if not (options.sans_reels or options.cibles):
        for fichier in ("andorra.osm.pbf", "liechtenstein.osm.pbf"):
            chemin = DONNEES_OSM / fichier
            if not chemin.exists():
                _log(f"{chemin} absent : graphe réel sauté")
                continue
            from benchmarks.reels import graphe_pbf

            _log(f"lecture de {fichier}")
            gr = _silencieux(lambda c=chemin: graphe_pbf(c))
            nom_r = f"OSM {fichier.split('.')[0]} ({gr.n_noeuds:,} nœuds)".replace(",", " ")
            mesures += matrice_reelle(gr, nom_r, options.repetitions)
            mesures += pole_le_plus_proche(gr, nom_r, options.repetitions, pairs=pairs)

    infos["charge_moyenne_fin"] = os.getloadavg()
    resultats["mesures"] = [asdict(m) for m in mesures]
    print(_tableau(mesures))
    memoire = resultats["memoire"]
    print(
        f"\nMémoire (pic RSS, processus séparé, {options.taille}) : "
        f"{memoire['rss_max_mo_matrice_et_poles']:.0f} Mo pour matrice + pôles + k = 3 "
        f"(dont {memoire['rss_max_mo_apres_graphe']:.0f} Mo imports et graphe compris), "
        f"{memoire['rss_max_mo']:.0f} Mo avec la sortie longue "
        f"({memoire['sortie_longue_mo']:.0f} Mo de résultats)."
    )
    print(
        f"Charge moyenne au début / à la fin : {infos['charge_moyenne_debut']} / "
        f"{infos['charge_moyenne_fin']}"
    )
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        temporaire = options.json.with_suffix(options.json.suffix + ".tmp")
        temporaire.write_text(json.dumps(resultats, indent=2, ensure_ascii=False, default=float))
        os.replace(temporaire, options.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
