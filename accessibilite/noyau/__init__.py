"""The compute core: travel times between places, whatever their source.

* :mod:`accessibilite.noyau._dijkstra`: the one Numba Dijkstra kernel (multi-source, start
  times, cut-off, k nearest, early stop, forward or reverse graph), parallel over origins;
* :mod:`accessibilite.noyau.routage`: matrices (dense, by blocks, long) and nearest targets
  on a :class:`reseau.Graphe` (``methode="auto" | "dijkstra" | "ch"``);
  :mod:`accessibilite.noyau._entrees`: their input checks;
* :mod:`accessibilite.noyau.hierarchie`: the contraction hierarchy of a graph (build, cache
  file, bucket matrices, PHAST nearest sources), same results as Dijkstra to the bit;
  :mod:`accessibilite.noyau._hierarchie`: its Numba kernels;
* :mod:`accessibilite.noyau.lieux`: :class:`Lieux`, the places times are computed between,
  and :func:`placer`, the one seam from places to graph nodes (reproject, snap, list the
  off-network ones);
* :mod:`accessibilite.noyau.sources`: the :class:`SourceTemps` protocol and the straight-line
  and imported-matrix sources; :mod:`accessibilite.noyau.source_reseau`: the road graph one;
* :mod:`accessibilite.noyau.taches`: the task runner shared by local and Dask runs;
  :mod:`accessibilite.noyau.matrice_distribuee`: the distributed, resumable matrix on top of it.

It sits above :mod:`reseau` and :mod:`socle` and below :mod:`poles` and :mod:`isochrones`;
it never imports them. This ``__init__`` imports nothing, so that importing a light module
of the core (:mod:`~accessibilite.noyau.lieux`) does not load numba.
"""
