"""One adapter per routing engine, so that every benchmark drives them the same way.

An adapter prepares itself once for a graph (:meth:`Pair.preparer`: conversions and, for
the hierarchies, their build, timed apart) and answers three questions on node indices:

* :meth:`Pair.matrice`: origins × destinations in seconds, ``inf`` beyond the cut-off;
* :meth:`Pair.plus_proche`: for every node, the time to the nearest source *from the
  node* (node → pole, the zones grises question), ``inf`` beyond the cut-off;
* :meth:`Pair.depuis`: for every node, the time *from* the nearest source within the
  cut-off (the search behind the isochrones of all the poles of a level).

``echantillon`` says how many origins an adapter runs for a matrix (slow peers run a
sample and the caller extrapolates, saying so); ``None`` in an answer means "not offered".
Peers: ours (Dijkstra kernel, contraction hierarchy), scipy, pyroutingkit (RoutingKit's
customizable CH), pandana (CH), networkit, igraph.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from reseau import Graphe

__all__ = ["PAIRS", "Pair", "silencieux"]

Tableau = NDArray[np.float64]


def silencieux(fonction: Callable[[], Any]) -> Any:
    """Run ``fonction`` with the C-level stdout/stderr muted (pandana prints progress)."""
    sys.stdout.flush()
    sys.stderr.flush()
    sauve = os.dup(1), os.dup(2)
    nul = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(nul, 1)
        os.dup2(nul, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fonction()
    finally:
        os.dup2(sauve[0], 1)
        os.dup2(sauve[1], 2)
        os.close(nul)
        os.close(sauve[0])
        os.close(sauve[1])


def _couper(t: Tableau, coupure: float) -> Tableau:
    t = np.asarray(t, dtype=np.float64)
    t[t > coupure] = np.inf
    return t


class Pair:
    """Base adapter: no question offered until a subclass says so."""

    nom = "?"
    #: Origins run for a 1,000-origin matrix (None: all of them).
    echantillon: int | None = None
    #: Exact (same float64 as ours) or rounded times.
    note = ""

    def __init__(self) -> None:
        self.g: Graphe | None = None
        self.preparation_s = 0.0
        self.details: dict[str, float] = {}

    @classmethod
    def absent(cls) -> str:
        """Why this peer cannot run here ("" when it can)."""
        return ""

    def preparer(self, g: Graphe) -> None:
        debut = time.perf_counter()
        self.g = g
        self._preparer(g)
        self.preparation_s = time.perf_counter() - debut

    def _preparer(self, g: Graphe) -> None:
        pass

    def matrice(
        self, origines: NDArray[np.int64], destinations: NDArray[np.int64], coupure: float
    ) -> Tableau | None:
        return None

    def plus_proche(self, sources: NDArray[np.int64], coupure: float) -> Tableau | None:
        return None

    def depuis(self, sources: NDArray[np.int64], coupure: float) -> Tableau | None:
        return None


class NousDijkstra(Pair):
    nom = "accessibilite Dijkstra"

    def matrice(self, origines, destinations, coupure):  # type: ignore[no-untyped-def]
        import accessibilite

        return accessibilite.matrice_temps(
            self.g, origines, destinations, coupure_s=coupure, methode="dijkstra"
        )

    def plus_proche(self, sources, coupure):  # type: ignore[no-untyped-def]
        import accessibilite

        return accessibilite.plus_proche(self.g, sources, coupure_s=coupure, methode="dijkstra")[0]

    def depuis(self, sources, coupure):  # type: ignore[no-untyped-def]
        import accessibilite

        return accessibilite.plus_proche(
            self.g, sources, coupure_s=coupure, inverse=False, methode="dijkstra"
        )[0]


class NousCH(Pair):
    nom = "accessibilite CH"

    def _preparer(self, g: Graphe) -> None:
        from accessibilite.noyau.hierarchie import construire_hierarchie

        self.h = construire_hierarchie(g)
        self.details = {
            "raccourcis": self.h.metadonnees["raccourcis"],
            "niveaux": self.h.metadonnees["niveaux"],
            "octets": self.h.octets,
        }

    def matrice(self, origines, destinations, coupure):  # type: ignore[no-untyped-def]
        from accessibilite.noyau.hierarchie import matrice_ch

        return matrice_ch(self.h, origines, destinations, coupure_s=coupure)

    def plus_proche(self, sources, coupure):  # type: ignore[no-untyped-def]
        from accessibilite.noyau.hierarchie import plus_proche_ch

        return plus_proche_ch(self.h, sources, coupure_s=coupure)[0]

    def depuis(self, sources, coupure):  # type: ignore[no-untyped-def]
        from accessibilite.noyau.hierarchie import plus_proche_ch

        return plus_proche_ch(self.h, sources, coupure_s=coupure, inverse=False)[0]


class Scipy(Pair):
    nom = "scipy dijkstra"
    echantillon = 100
    note = "1 cœur ; même sommes float64"

    def _preparer(self, g: Graphe) -> None:
        self.m = sp.csr_matrix(
            (g.temps_s.astype(np.float64), g.indices, g.indptr), shape=(g.n_noeuds,) * 2
        )
        self.mi = sp.csr_matrix(
            (g.temps_s_inv.astype(np.float64), g.indices_inv, g.indptr_inv),
            shape=(g.n_noeuds,) * 2,
        )

    def matrice(self, origines, destinations, coupure):  # type: ignore[no-untyped-def]
        sortie = np.empty((origines.size, destinations.size))
        for debut in range(0, origines.size, 50):
            bloc = dijkstra(self.m, indices=origines[debut : debut + 50], limit=coupure)
            sortie[debut : debut + 50] = bloc[:, destinations]
        return sortie

    def plus_proche(self, sources, coupure):  # type: ignore[no-untyped-def]
        return dijkstra(self.mi, indices=sources, min_only=True, limit=coupure)

    def depuis(self, sources, coupure):  # type: ignore[no-untyped-def]
        return dijkstra(self.m, indices=sources, min_only=True, limit=coupure)


class PyRoutingKit(Pair):
    nom = "pyroutingkit (CCH)"
    note = "temps entiers en millisecondes (arrondis)"

    @classmethod
    def absent(cls) -> str:
        try:
            import pyroutingkit  # noqa: F401
        except ImportError as exc:
            return f"pyroutingkit non installé ({exc})"
        return ""

    def _preparer(self, g: Graphe) -> None:
        from pyroutingkit import CCHMetric, CCHTopology

        x = g.x if g.x is not None else np.arange(g.n_noeuds, dtype=np.float64)
        y = g.y if g.y is not None else np.zeros(g.n_noeuds)
        debut = time.perf_counter()
        self.topo = CCHTopology()
        # Coordinates only guide the nested dissection: metres scaled to "degrees".
        silencieux(
            lambda: self.topo.build(
                g.sources_arcs().astype(np.uint32),
                g.indices.astype(np.uint32),
                (y / 1e5).astype(np.float32),
                (x / 1e5).astype(np.float32),
                g.n_noeuds,
            )
        )
        ordre = time.perf_counter() - debut
        debut = time.perf_counter()
        self.metrique = CCHMetric(self.topo)
        self.metrique.customize(np.round(g.temps_s.astype(np.float64) * 1000).astype(np.uint32))
        self.details = {
            "ordre_topologie_s": ordre,
            "personnalisation_s": time.perf_counter() - debut,
        }

    def matrice(self, origines, destinations, coupure):  # type: ignore[no-untyped-def]
        from pyroutingkit import INF_WEIGHT

        brut = self.metrique.distances_many_to_many(
            origines.astype(np.uint32), destinations.astype(np.uint32)
        )
        t = np.where(brut >= INF_WEIGHT, np.inf, brut / 1000.0)
        return _couper(t, coupure)


class Pandana(Pair):
    nom = "pandana (CH)"
    echantillon = 100
    note = "temps arrondis à la milliseconde"

    @classmethod
    def absent(cls) -> str:
        try:
            import pandana  # noqa: F401
        except ImportError as exc:
            return f"pandana non installé ({exc})"
        return ""

    def _preparer(self, g: Graphe) -> None:
        import pandana
        import pandas as pd

        self.x = g.x if g.x is not None else np.arange(g.n_noeuds, dtype=np.float64)
        self.y = g.y if g.y is not None else np.zeros(g.n_noeuds)
        self.reseau = silencieux(
            lambda: pandana.Network(
                pd.Series(self.x),
                pd.Series(self.y),
                pd.Series(g.sources_arcs()),
                pd.Series(g.indices),
                pd.DataFrame({"t": g.temps_s.astype(np.float64)}),
                twoway=False,
            )
        )
        self._poi = 0

    def matrice(self, origines, destinations, coupure):  # type: ignore[no-untyped-def]
        o = np.repeat(origines, destinations.size)
        d = np.tile(destinations, origines.size)
        t = np.asarray(
            silencieux(lambda: self.reseau.shortest_path_lengths(o, d)), dtype=np.float64
        ).reshape(origines.size, destinations.size)
        t[t >= 4294967.0] = np.inf
        return _couper(t, coupure)

    def plus_proche(self, sources, coupure):  # type: ignore[no-untyped-def]
        import pandas as pd

        self._poi += 1
        categorie = f"p{self._poi}"
        silencieux(
            lambda: self.reseau.set_pois(
                categorie,
                coupure,
                1,
                pd.Series(self.x[sources]),
                pd.Series(self.y[sources]),
            )
        )
        r = silencieux(lambda: self.reseau.nearest_pois(coupure, categorie, num_pois=1))
        t = r[1].to_numpy(dtype=np.float64, copy=True)
        t[t >= coupure] = np.inf
        return t


class Networkit(Pair):
    nom = "networkit"
    echantillon = 100

    @classmethod
    def absent(cls) -> str:
        try:
            import networkit  # noqa: F401
        except ImportError as exc:
            return f"networkit non installé ({exc})"
        return ""

    def _graphe(self, g: Graphe, inverse: bool, super_source: NDArray[np.int64] | None) -> Any:
        import networkit as nk

        s, c = g.sources_arcs().astype(np.int64), g.indices.astype(np.int64)
        if inverse:
            s, c = c, s
        w = g.temps_s.astype(np.float64)
        n = g.n_noeuds
        if super_source is not None:
            s = np.concatenate([s, np.full(super_source.size, n)])
            c = np.concatenate([c, super_source])
            w = np.concatenate([w, np.zeros(super_source.size)])
            n += 1
        graphe = nk.graph.Graph(n, weighted=True, directed=True)
        graphe.addEdges((w, (s, c)))
        return graphe

    def _preparer(self, g: Graphe) -> None:
        self.graphe = self._graphe(g, False, None)

    def matrice(self, origines, destinations, coupure):  # type: ignore[no-untyped-def]
        import networkit as nk

        a = nk.distance.SPSP(self.graphe, origines.tolist())
        a.setTargets(destinations.tolist())
        a.run()
        t = np.asarray(a.getDistances(), dtype=np.float64)
        t[t > 1e300] = np.inf
        return _couper(t, coupure)

    def _super(self, sources: NDArray[np.int64], coupure: float, inverse: bool) -> Tableau:
        import networkit as nk

        assert self.g is not None
        graphe = _graphe_super(self, sources, inverse)
        d = nk.distance.Dijkstra(graphe, self.g.n_noeuds, storePaths=False)
        d.run()
        t = np.asarray(d.getDistances(), dtype=np.float64)[:-1]
        t[t > 1e300] = np.inf
        return _couper(t, coupure)

    def plus_proche(self, sources, coupure):  # type: ignore[no-untyped-def]
        return self._super(sources, coupure, True)

    def depuis(self, sources, coupure):  # type: ignore[no-untyped-def]
        return self._super(sources, coupure, False)


def _graphe_super(pair: Any, sources: NDArray[np.int64], inverse: bool) -> Any:
    """The peer's graph with an extra node linked at 0 s to ``sources`` (kept per sources:
    built on the first call, which the medians leave out)."""
    cle = (hash(np.asarray(sources).tobytes()), inverse)
    caches = pair.__dict__.setdefault("_supers", {})
    if cle not in caches:
        caches[cle] = pair._graphe(pair.g, inverse, sources)
    return caches[cle]


class Igraph(Pair):
    nom = "igraph"
    echantillon = 50
    note = "pas de coupure : recherches complètes"

    @classmethod
    def absent(cls) -> str:
        try:
            import igraph  # noqa: F401
        except ImportError as exc:
            return f"igraph non installé ({exc})"
        return ""

    def _graphe(self, g: Graphe, inverse: bool, super_source: NDArray[np.int64] | None) -> Any:
        import igraph as ig

        s, c = g.sources_arcs().astype(np.int64), g.indices.astype(np.int64)
        if inverse:
            s, c = c, s
        w = g.temps_s.astype(np.float64)
        n = g.n_noeuds
        if super_source is not None:
            s = np.concatenate([s, np.full(super_source.size, n)])
            c = np.concatenate([c, super_source])
            w = np.concatenate([w, np.zeros(super_source.size)])
            n += 1
        graphe = ig.Graph(n=n, edges=np.column_stack([s, c]), directed=True)
        graphe.es["t"] = w
        return graphe

    def _preparer(self, g: Graphe) -> None:
        self.graphe = self._graphe(g, False, None)

    def matrice(self, origines, destinations, coupure):  # type: ignore[no-untyped-def]
        t = np.asarray(
            self.graphe.distances(
                source=origines.tolist(), target=destinations.tolist(), weights="t"
            ),
            dtype=np.float64,
        )
        return _couper(t, coupure)

    def _super(self, sources: NDArray[np.int64], coupure: float, inverse: bool) -> Tableau:
        assert self.g is not None
        graphe = _graphe_super(self, sources, inverse)
        t = np.asarray(graphe.distances(source=[self.g.n_noeuds], weights="t")[0][:-1])
        return _couper(t, coupure)

    def plus_proche(self, sources, coupure):  # type: ignore[no-untyped-def]
        return self._super(sources, coupure, True)

    def depuis(self, sources, coupure):  # type: ignore[no-untyped-def]
        return self._super(sources, coupure, False)


#: Every adapter, ours first (the reference of the ratios is the first one).
PAIRS: dict[str, type[Pair]] = {
    "dijkstra": NousDijkstra,
    "ch": NousCH,
    "scipy": Scipy,
    "pyroutingkit": PyRoutingKit,
    "pandana": Pandana,
    "networkit": Networkit,
    "igraph": Igraph,
}
