"""Options shared by the commands that can run on Dask (matrice, indicateur, scenario)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from typing import Any

__all__ = ["AIDE_DASK", "ajouter_options_dask", "client_depuis_options", "fils"]

AIDE_DASK = """\
Calcul distribué (--dask, facultatif ; pip install "accessibilite[dask]") :
  --dask local            grappe Dask locale (--workers processus, un fil Dask chacun) ;
  --dask tcp://hote:8786  ordonnanceur Dask déjà lancé (ou son fichier .json) : les
                          fichiers (réseau, BPE, sortie) doivent être visibles au même
                          chemin par tous les workers (système de fichiers partagé).
Sans --dask, les mêmes tâches tournent ici, l'une après l'autre. Une tâche en échec est
relancée (--tentatives) ; relancer la même commande reprend le travail là où il s'est
arrêté.
"""


def ajouter_options_dask(p: argparse.ArgumentParser) -> None:
    """Add ``--dask``, ``--workers``, ``--fils-numba`` and ``--tentatives``."""
    groupe = p.add_argument_group("calcul distribué (Dask)")
    groupe.add_argument(
        "--dask",
        metavar="ADRESSE",
        help="« local » (grappe locale) ou adresse de l'ordonnanceur Dask (tcp://hote:8786)",
    )
    groupe.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="workers de la grappe locale (défaut : nombre de cœurs)",
    )
    groupe.add_argument(
        "--fils-numba",
        type=int,
        metavar="N",
        help="fils de calcul par tâche (défaut : cœurs / workers en local, tous les cœurs du "
        "worker sinon)",
    )
    groupe.add_argument(
        "--tentatives",
        type=int,
        default=3,
        metavar="N",
        help="nouvelles tentatives d'une tâche en échec (défaut : 3)",
    )


def _workers(options: argparse.Namespace) -> int:
    return int(options.workers or os.cpu_count() or 1)


def fils(options: argparse.Namespace) -> int | None:
    """Numba threads per task: given, else cores / workers on a local cluster, else None."""
    if options.fils_numba is not None:
        return int(options.fils_numba)
    if options.dask == "local":
        return max(1, (os.cpu_count() or 1) // _workers(options))
    return None


@contextlib.contextmanager
def client_depuis_options(options: argparse.Namespace) -> Iterator[Any]:
    """The Dask client asked for (``None`` without ``--dask``)."""
    from socle.erreurs import DonneesInvalides

    if options.tentatives < 0:
        raise DonneesInvalides("--tentatives doit être >= 0.")
    if options.workers is not None and options.workers < 1:
        raise DonneesInvalides("--workers doit être >= 1.")
    if options.dask is None:
        if options.workers is not None:
            raise DonneesInvalides("--workers demande --dask local.")
        yield None
        return
    from accessibilite.noyau.taches import importer_distributed, ouvrir_client

    importer_distributed()
    if not getattr(options, "verbeux", False):
        # Dask's own INFO lines (scheduler, nannies) only with -v: its loggers carry their
        # own levels, set when distributed is imported.
        for nom in list(logging.root.manager.loggerDict):
            if nom == "distributed" or nom.startswith("distributed."):
                logging.getLogger(nom).setLevel(logging.WARNING)
    with ouvrir_client(options.dask, workers=_workers(options)) as client:
        n = len(client.scheduler_info().get("workers", {}))
        print(f"… grappe Dask {options.dask} : {n} worker(s)", file=sys.stderr, flush=True)
        yield client
