"""The compact road graph exchanged by every layer: :class:`Graphe`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from socle.erreurs import DonneesInvalides

__all__ = ["Graphe"]


def _csr(
    sources: NDArray[np.int64], cibles: NDArray[np.int64], n_noeuds: int
) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.int64]]:
    """Return ``(indptr, indices, ordre)``: CSR of the arcs sorted by source (stable)."""
    ordre = np.argsort(sources, kind="stable")
    comptes = np.bincount(sources, minlength=n_noeuds)
    indptr = np.zeros(n_noeuds + 1, dtype=np.int64)
    np.cumsum(comptes, out=indptr[1:])
    return indptr, cibles[ordre].astype(np.int32), ordre


@dataclass(frozen=True, eq=False)
class Graphe:
    """A directed road graph in compressed sparse row (CSR) form, with its reverse.

    Node ``i`` has its outgoing arcs at ``indices[indptr[i]:indptr[i + 1]]`` with travel
    times ``temps_s`` (seconds, float32); the reverse graph (``*_inv``) holds the same arcs
    turned around, so that a search on it gives times *towards* the sources. ``arc_inv[k]``
    is the forward arc that reverse arc ``k`` comes from (to find per-arc attributes).

    Build one with :meth:`Graphe.depuis_arcs` (plain arrays) or with the OSM builders of
    :mod:`reseau`. Routing arrays cost 4 + 4 bytes per arc in each direction plus 4 for
    ``arc_inv`` (20 bytes per arc), and 8 bytes per node for each ``indptr``.

    Attributes
    ----------
    indptr, indices, temps_s
        Forward CSR: int64 (n + 1), int32 (m), float32 (m).
    indptr_inv, indices_inv, temps_s_inv, arc_inv
        Reverse CSR and, for each reverse arc, the index of its forward arc (int32).
    x, y
        Node coordinates (float64) in ``crs`` (a metric CRS: EPSG:2154 for France), or
        ``None`` when the graph has no geometry.
    crs
        CRS of ``x``, ``y`` as a string understood by pyproj (``"EPSG:2154"``), or ``None``.
    osm_ids
        The OSM node id of each node (int64), or ``None``.
    attributs_arcs
        Optional per-arc arrays aligned with the forward CSR order (``longueur_m``,
        ``classe``...).
    metadonnees
        Free text facts: source file, date, speed table hash, components dropped...
    """

    indptr: NDArray[np.int64]
    indices: NDArray[np.int32]
    temps_s: NDArray[np.float32]
    indptr_inv: NDArray[np.int64]
    indices_inv: NDArray[np.int32]
    temps_s_inv: NDArray[np.float32]
    arc_inv: NDArray[np.int32]
    x: NDArray[np.float64] | None = None
    y: NDArray[np.float64] | None = None
    crs: str | None = None
    osm_ids: NDArray[np.int64] | None = None
    attributs_arcs: Mapping[str, NDArray[Any]] = field(default_factory=dict)
    metadonnees: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_noeuds(self) -> int:
        """Number of nodes."""
        return int(self.indptr.shape[0] - 1)

    @property
    def n_arcs(self) -> int:
        """Number of arcs (directed)."""
        return int(self.indices.shape[0])

    def sources_arcs(self) -> NDArray[np.int32]:
        """Return the source node of each forward arc (int32, length ``n_arcs``)."""
        return np.repeat(
            np.arange(self.n_noeuds, dtype=np.int32), np.diff(self.indptr).astype(np.int64)
        )

    @classmethod
    def depuis_arcs(
        cls,
        sources: ArrayLike,
        cibles: ArrayLike,
        temps_s: ArrayLike,
        n_noeuds: int,
        *,
        x: ArrayLike | None = None,
        y: ArrayLike | None = None,
        crs: str | None = None,
        osm_ids: ArrayLike | None = None,
        attributs_arcs: Mapping[str, ArrayLike] | None = None,
        metadonnees: Mapping[str, Any] | None = None,
    ) -> Graphe:
        """Build a graph from arc arrays.

        Parameters
        ----------
        sources, cibles
            Node index (0 .. ``n_noeuds`` - 1) at the start and end of each arc.
        temps_s
            Travel time of each arc in seconds: finite and >= 0.
        n_noeuds
            Number of nodes (nodes without arcs are allowed).
        x, y, crs
            Optional node coordinates in a metric CRS.
        osm_ids
            Optional OSM id of each node.
        attributs_arcs
            Optional per-arc arrays given in the same order as ``sources``; they are
            reordered with the arcs.
        metadonnees
            Free facts about the graph, kept as given.

        Returns
        -------
        Graphe

        Raises
        ------
        DonneesInvalides
            Arrays of different lengths, node index out of range, negative or NaN time.
        """
        n = int(n_noeuds)
        if n < 0:
            raise DonneesInvalides(f"Nombre de nœuds négatif ({n}).")
        src = np.asarray(sources, dtype=np.int64).ravel()
        dst = np.asarray(cibles, dtype=np.int64).ravel()
        t = np.asarray(temps_s, dtype=np.float64).ravel()
        if not (src.shape == dst.shape == t.shape):
            raise DonneesInvalides(
                f"Tableaux d'arcs de longueurs différentes : {src.size} sources, "
                f"{dst.size} cibles, {t.size} temps."
            )
        if src.size and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n):
            raise DonneesInvalides(
                f"Un arc désigne un nœud hors de 0..{n - 1} : vérifiez n_noeuds et les indices."
            )
        if n > np.iinfo(np.int32).max:
            raise DonneesInvalides(f"Trop de nœuds pour des indices int32 ({n}).")
        if t.size and not np.all(np.isfinite(t)):
            raise DonneesInvalides(
                f"{int((~np.isfinite(t)).sum())} temps d'arc non finis (NaN ou infini)."
            )
        if t.size and t.min() < 0:
            raise DonneesInvalides(
                f"{int((t < 0).sum())} temps d'arc négatifs : les temps doivent être >= 0."
            )
        indptr, indices, ordre = _csr(src, dst, n)
        indptr_inv, indices_inv, ordre_inv = _csr(dst[ordre], src[ordre], n)
        t32 = t[ordre].astype(np.float32)
        coords: list[NDArray[np.float64] | None] = []
        for nom, valeurs in (("x", x), ("y", y)):
            if valeurs is None:
                coords.append(None)
                continue
            tableau = np.asarray(valeurs, dtype=np.float64).ravel()
            if tableau.size != n:
                raise DonneesInvalides(f"{nom} a {tableau.size} valeurs pour {n} nœuds.")
            coords.append(tableau)
        if (coords[0] is None) != (coords[1] is None):
            raise DonneesInvalides("Donnez x et y ensemble, ou aucun des deux.")
        ids = None
        if osm_ids is not None:
            ids = np.asarray(osm_ids, dtype=np.int64).ravel()
            if ids.size != n:
                raise DonneesInvalides(f"osm_ids a {ids.size} valeurs pour {n} nœuds.")
        attributs: dict[str, NDArray[Any]] = {}
        for nom, valeurs in (attributs_arcs or {}).items():
            tableau = np.asarray(valeurs)
            if tableau.shape[0] != src.size:
                raise DonneesInvalides(
                    f"L'attribut d'arc « {nom} » a {tableau.shape[0]} valeurs pour {src.size} arcs."
                )
            attributs[nom] = tableau[ordre]
        return cls(
            indptr=indptr,
            indices=indices,
            temps_s=t32,
            indptr_inv=indptr_inv,
            indices_inv=indices_inv,
            temps_s_inv=t32[ordre_inv],
            arc_inv=ordre_inv.astype(np.int32),
            x=coords[0],
            y=coords[1],
            crs=crs,
            osm_ids=ids,
            attributs_arcs=attributs,
            metadonnees=dict(metadonnees or {}),
        )
