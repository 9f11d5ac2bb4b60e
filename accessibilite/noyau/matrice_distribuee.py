"""Travel-time matrices too big for one machine: batches of origins on Dask, Parquet output.

The origins are split in batches (*lots*) of ``lot`` origins; each batch is one task that
runs the compute core (:func:`accessibilite.matrice_temps_longue`) on the saved graph file
(``.graphe``, memory-mapped: every worker process of a node shares its pages) and writes
its pairs to one Parquet file of the output folder. The folder is a partitioned Parquet
dataset that pandas, pyarrow, DuckDB and ``dask.dataframe`` read directly::

    sortie/
        _manifeste.json        what was computed (graph checksum, inputs hash, batch, cut-off)
        _entrees.npz           the origins and destinations (nodes, connector times, codes)
        lot-000000.parquet     columns origine, destination, secondes (float32)
        lot-000001.parquet
        ...

Without a cut-off every reached pair is written; with one, only the pairs within it
(sparse). Times are seconds: in the places mode (:class:`~accessibilite.Lieux`, commune
centres) the places are placed on the graph with :func:`~accessibilite.noyau.lieux.placer` and the
connector time is added at both ends (a place to itself, same code, is at 0 s); places off
the network get no pair and are listed in the manifest. In the nodes mode, origins and
destinations are node indices and the columns hold them.

Restartable by construction:

* each partition is written atomically (temporary ``.lot-*.partiel.parquet``, then
  renamed): a file under a final name is always complete;
* a batch whose partition exists and is valid (readable footer, same job key, same batch
  number) is never recomputed, so a rerun after an interruption resumes;
* on a cluster, a task that raises is retried (``tentatives``) and a batch whose worker
  dies is recomputed by Dask on another worker;
* a rerun with other inputs (graph, origins, destinations, batch size or cut-off) into the
  same folder is refused: batches of different jobs never mix.

Workers load the graph once per process (:func:`~accessibilite.noyau.taches.graphe_partage`,
a per-process cache keyed by path and checksum), not once per task. Without a Dask client
the very same batches run one after the other in this process.

Dask (``distributed``) is optional: ``pip install "accessibilite[dask]"``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from accessibilite.noyau.lieux import Lieux, en_lieux, placer
from accessibilite.noyau.routage import matrice_temps_longue, verifier_coupure, verifier_noeuds
from accessibilite.noyau.taches import (
    avec_fils_numba,
    empreinte_graphe,
    en_cache,
    executer_taches,
    graphe_partage,
    tour_du_noyau,
)
from reseau.accrochage import DISTANCE_MAX_M
from reseau.graphe import Graphe
from reseau.stockage import charger_graphe
from socle.erreurs import DonneesInvalides, DonneesManquantes
from socle.fichiers import ecriture_atomique, preparer_dossier
from socle.progression import Progression

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "COLONNES",
    "FORMAT_MATRICE",
    "LOT_DEFAUT",
    "MANIFESTE",
    "BilanLot",
    "PlanMatrice",
    "ResultatMatrice",
    "calculer_lot",
    "calculer_matrice",
    "executer_matrice",
    "lire_manifeste",
    "lire_matrice_parquet",
    "lire_noeuds",
    "nom_partition",
    "partition_valide",
    "preparer_matrice",
]

logger = logging.getLogger(__name__)

#: Name and version of the dataset layout (in the manifest).
FORMAT_MATRICE = "accessibilite-matrice"
VERSION_FORMAT = 1
#: Columns of every partition.
COLONNES = ("origine", "destination", "secondes")
#: Default number of origins per batch (one task).
LOT_DEFAUT = 128
#: The manifest's file name (``_``: ignored by the Parquet dataset readers).
MANIFESTE = "_manifeste.json"
_ENTREES = "_entrees.npz"
_META_CLE = b"accessibilite:cle"
_META_LOT = b"accessibilite:lot"


# ----------------------------------------------------------------------------------------
# The job: inputs, plan, manifest.


@dataclass(frozen=True, eq=False)
class _Entrees:
    """Origins and destinations of a job, as stored in ``_entrees.npz``.

    ``*_code`` are the labels written in the output (commune codes, as ``<U`` arrays);
    ``None`` in the nodes mode (the node index is written). ``d_noeud`` ``None``: every
    node of the graph is a destination.
    """

    o_noeud: NDArray[np.int64]
    o_depart_s: NDArray[np.float64]
    o_code: NDArray[np.str_] | None
    d_noeud: NDArray[np.int64] | None
    d_arrivee_s: NDArray[np.float64] | None
    d_code: NDArray[np.str_] | None

    def tableaux(self) -> dict[str, NDArray[Any]]:
        return {
            nom: valeur
            for nom in ("o_noeud", "o_depart_s", "o_code", "d_noeud", "d_arrivee_s", "d_code")
            if (valeur := getattr(self, nom)) is not None
        }

    def empreinte(self, prefixe: str) -> str:
        h = hashlib.sha256()
        for nom, t in sorted(self.tableaux().items()):
            if nom.startswith(prefixe):
                t = np.ascontiguousarray(t)
                h.update(f"{nom}:{t.dtype.str}:{t.shape}".encode())
                h.update(t.view(np.uint8).data if t.size else b"")
        return h.hexdigest()


@dataclass(frozen=True)
class PlanMatrice:
    """A prepared job: where it writes, how it is split, and its key.

    Small and picklable: it is what every task receives (the inputs themselves are read
    from ``_entrees.npz`` once per worker process).

    Attributes
    ----------
    dossier
        The output folder (the Parquet dataset).
    cle
        Hash of everything that defines the result (graph checksum, inputs, batch size,
        cut-off); stored in the manifest and in every partition.
    graphe, empreinte
        The graph file and its checksum (:func:`empreinte_graphe`).
    n_origines, n_destinations
        Origins and destinations on the network (``n_destinations`` ``None``: every node).
    lot, n_lots
        Origins per batch and number of batches.
    coupure_s
        Cut-off in seconds (``None``: every reached pair).
    mode
        ``"lieux"`` (codes, connector times) or ``"noeuds"`` (node indices).
    hors_reseau
        Codes of the places left out because they are off the network.
    """

    dossier: Path
    cle: str
    graphe: str
    empreinte: str
    n_origines: int
    n_destinations: int | None
    lot: int
    n_lots: int
    coupure_s: float | None
    mode: str
    hors_reseau: tuple[str, ...] = ()

    def origines_du_lot(self, numero: int) -> tuple[int, int]:
        """Positions ``[debut, fin)`` of batch ``numero`` among the origins."""
        debut = numero * self.lot
        return debut, min(debut + self.lot, self.n_origines)


@dataclass(frozen=True)
class BilanLot:
    """What one batch task did."""

    numero: int
    paires: int
    calcule: bool
    secondes: float = 0.0


@dataclass(frozen=True)
class ResultatMatrice:
    """Summary of a run of :func:`executer_matrice`.

    Attributes
    ----------
    plan
        The job.
    lots_calcules
        Batches computed by this run.
    lots_deja_faits
        Batches found complete in the folder and left as they were.
    paires
        Pairs in the whole dataset.
    duree_s
        Wall-clock time of the run.
    """

    plan: PlanMatrice
    lots_calcules: int
    lots_deja_faits: int
    paires: int
    duree_s: float
    bilans: tuple[BilanLot, ...] = field(default=(), repr=False)

    @property
    def dossier(self) -> Path:
        return self.plan.dossier

    @property
    def arbres_par_seconde(self) -> float:
        """Origin searches per second in this run (computed batches only)."""
        fin = {b.numero for b in self.bilans if b.calcule}
        n = sum(self.plan.origines_du_lot(i)[1] - self.plan.origines_du_lot(i)[0] for i in fin)
        return n / self.duree_s if self.duree_s > 0 else float("nan")


def nom_partition(numero: int) -> str:
    """File name of batch ``numero``: ``lot-000123.parquet``."""
    return f"lot-{numero:06d}.parquet"


def _coupure(coupure_s: float | None) -> float | None:
    """The checked cut-off in seconds, ``None`` for none (``None`` or infinite)."""
    coupure = verifier_coupure(coupure_s)
    return None if math.isinf(coupure) else coupure


def _entrees_lieux(
    graphe: Graphe, origines: Lieux, destinations: Lieux | None, distance_max_m: float
) -> tuple[_Entrees, tuple[str, ...]]:
    po = placer(graphe, origines, distance_max_m=distance_max_m, role="origines")
    codes_o = np.asarray(origines.codes, dtype=str)
    hors = po.codes_hors_reseau()
    if destinations is None:
        pd_, codes_d = po, codes_o
    else:
        pd_ = placer(graphe, destinations, distance_max_m=distance_max_m, role="destinations")
        codes_d = np.asarray(destinations.codes, dtype=str)
        hors += [c for c in pd_.codes_hors_reseau() if c not in hors]
    ok_o, ok_d = po.sur_reseau, pd_.sur_reseau
    entrees = _Entrees(
        o_noeud=po.noeud[ok_o],
        o_depart_s=po.temps_s[ok_o],
        o_code=codes_o[ok_o],
        d_noeud=pd_.noeud[ok_d],
        d_arrivee_s=pd_.temps_s[ok_d],
        d_code=codes_d[ok_d],
    )
    return entrees, tuple(hors)


def lire_manifeste(dossier: str | Path) -> dict[str, Any] | None:
    """The manifest of a matrix folder, or ``None`` when there is none.

    Raises
    ------
    DonneesInvalides
        The manifest is unreadable.
    """
    chemin = Path(dossier) / MANIFESTE
    if not chemin.is_file():
        return None
    try:
        manifeste: dict[str, Any] = json.loads(chemin.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DonneesInvalides(
            f"Manifeste illisible : {chemin} ({exc}) ; supprimez le dossier et relancez."
        ) from exc
    return manifeste


def _ecrire_json(donnees: dict[str, Any], chemin: Path) -> None:
    with ecriture_atomique(chemin) as tmp:
        tmp.write_text(json.dumps(donnees, indent=2, ensure_ascii=False), encoding="utf-8")


def _nettoyer_temporaires(dossier: Path) -> int:
    """Remove temporary files left by interrupted writers (never a final name)."""
    n = 0
    for motif in (".lot-*.partiel.parquet", "._entrees.*.partiel.npz", "._manifeste.*.partiel.*"):
        for chemin in dossier.glob(motif):
            with contextlib.suppress(OSError):
                chemin.unlink()
                n += 1
    if n:
        logger.info("%d fichier(s) temporaire(s) d'un calcul interrompu supprimé(s)", n)
    return n


_CHAMPS_CLE = {
    "graphe.empreinte": "le graphe",
    "origines.empreinte": "les origines",
    "destinations.empreinte": "les destinations",
    "lot": "la taille des lots (--lot)",
    "coupure_s": "la coupure",
    "mode": "le mode (lieux ou nœuds)",
}


def _champ(manifeste: dict[str, Any], chemin: str) -> Any:
    valeur: Any = manifeste
    for partie in chemin.split("."):
        valeur = valeur.get(partie) if isinstance(valeur, dict) else None
    return valeur


def preparer_matrice(
    reseau: str | Path,
    origines: Lieux | ArrayLike,
    destinations: Lieux | ArrayLike | None = None,
    *,
    sortie: str | Path,
    coupure_s: float | None = None,
    lot: int = LOT_DEFAUT,
    distance_max_m: float = DISTANCE_MAX_M,
) -> PlanMatrice:
    """Check the inputs, create (or reopen) the output folder and return the job's plan.

    Parameters
    ----------
    reseau
        A ``.graphe`` file (``accessibilite reseau construire`` or
        :func:`reseau.sauvegarder_graphe`); its checksums are verified once here.
    origines
        :class:`~accessibilite.Lieux` or a GeoDataFrame of points or polygons with a
        ``code`` column (places mode: snapped, connector time at both ends, codes written),
        or node indices (nodes mode).
    destinations
        Same kind as ``origines``; ``None``: the origins themselves (places mode) or every
        node of the graph (nodes mode).
    sortie
        The output folder. An existing folder of the same job is reopened (its complete
        batches are kept); a folder of another job, or a non-empty folder that is not a
        matrix, is refused.
    coupure_s
        Cut-off in seconds: only the pairs within it are written. ``None``: every reached
        pair (dense output: origins × destinations rows on a connected graph).
    lot
        Origins per batch (one task, one partition file).
    distance_max_m
        Snapping limit of the places mode (farther places are off the network).

    Returns
    -------
    PlanMatrice

    Raises
    ------
    DonneesManquantes, CacheCorrompu
        Missing or damaged graph file.
    DonneesInvalides
        Bad indices, cut-off or batch size; mixed places and nodes; the folder holds another
        job.
    """
    chemin = Path(reseau).absolute()
    coupure = _coupure(coupure_s)
    if isinstance(lot, bool) or not isinstance(lot, int | np.integer) or lot < 1:
        raise DonneesInvalides(f"La taille des lots doit être un entier >= 1 (reçu {lot!r}).")
    graphe = charger_graphe(chemin, verifier=True, mmap=True)
    empreinte = empreinte_graphe(chemin)
    hors: tuple[str, ...] = ()
    # GeoDataFrames of points or polygons count as places (see lieux.en_lieux)
    if hasattr(origines, "geometry"):
        origines = en_lieux(origines)
    if destinations is not None and hasattr(destinations, "geometry"):
        destinations = en_lieux(destinations)
    if isinstance(origines, Lieux):
        if destinations is not None and not isinstance(destinations, Lieux):
            raise DonneesInvalides(
                "Origines et destinations doivent être toutes deux des lieux, ou toutes deux "
                "des indices de nœuds."
            )
        entrees, hors = _entrees_lieux(graphe, origines, destinations, distance_max_m)
        mode = "lieux"
    else:
        if isinstance(destinations, Lieux):
            raise DonneesInvalides(
                "Origines et destinations doivent être toutes deux des lieux, ou toutes deux "
                "des indices de nœuds."
            )
        n = graphe.n_noeuds
        o_noeud = verifier_noeuds(origines, n, "origines")
        entrees = _Entrees(
            o_noeud=o_noeud,
            o_depart_s=np.zeros(o_noeud.size),
            o_code=None,
            d_noeud=None
            if destinations is None
            else verifier_noeuds(destinations, n, "destinations"),
            d_arrivee_s=None,
            d_code=None,
        )
        mode = "noeuds"
    n_origines = int(entrees.o_noeud.size)
    n_destinations = None if entrees.d_noeud is None else int(entrees.d_noeud.size)
    n_lots = -(-n_origines // int(lot))
    manifeste: dict[str, Any] = {
        "format": FORMAT_MATRICE,
        "version_format": VERSION_FORMAT,
        "mode": mode,
        "graphe": {
            "fichier": str(chemin),
            "empreinte": empreinte,
            "n_noeuds": graphe.n_noeuds,
            "crs": graphe.crs,
        },
        "origines": {"nombre": n_origines, "empreinte": entrees.empreinte("o_")},
        "destinations": {
            "nombre": n_destinations,
            "tous_les_noeuds": n_destinations is None,
            "empreinte": entrees.empreinte("d_"),
        },
        "lot": int(lot),
        "coupure_s": coupure,
    }
    cle = hashlib.sha256(
        json.dumps(
            {c: _champ(manifeste, c) for c in ("format", "version_format", *_CHAMPS_CLE)},
            sort_keys=True,
        ).encode()
    ).hexdigest()
    dossier = Path(sortie).absolute()
    if dossier.exists() and not dossier.is_dir():
        raise DonneesInvalides(
            f"{dossier} est un fichier : la matrice s'écrit dans un dossier (jeu de données "
            "Parquet partitionné) ; choisissez un autre nom (--sortie)."
        )
    ancien = lire_manifeste(dossier) if dossier.is_dir() else None
    if ancien is not None and ancien.get("cle") != cle:
        differences = [
            libelle
            for c, libelle in _CHAMPS_CLE.items()
            if _champ(ancien, c) != _champ(manifeste, c)
        ]
        raise DonneesInvalides(
            f"Le dossier {dossier} contient une matrice calculée avec d'autres entrées "
            f"({', '.join(differences) or 'format différent'}) : on ne mélange pas deux "
            "calculs ; choisissez un autre dossier (--sortie) ou supprimez celui-ci."
        )
    if ancien is None and dossier.is_dir():
        autres = [p.name for p in dossier.iterdir() if not p.name.startswith(".")]
        if autres:
            raise DonneesInvalides(
                f"Le dossier {dossier} existe et n'est pas un dossier de matrice (il contient "
                f"{', '.join(sorted(autres)[:3])}...) : choisissez un dossier neuf (--sortie)."
            )
    preparer_dossier(dossier)
    _nettoyer_temporaires(dossier)
    manifeste.update(
        cle=cle,
        n_lots=n_lots,
        colonnes={
            "origine": "code de la commune d'origine (texte)"
            if mode == "lieux"
            else "indice du nœud d'origine (int32)",
            "destination": "code de la commune de destination (texte)"
            if mode == "lieux"
            else "indice du nœud de destination (int32)",
            "secondes": "temps de trajet en secondes (float32)",
        },
        partitions="lot-NNNNNN.parquet : les origines n° NNNNNN × lot à (NNNNNN + 1) × lot - 1",
        hors_reseau=list(hors),
        cree=(ancien or {}).get("cree")
        or dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        complet=bool((ancien or {}).get("complet", False)),
    )
    if entrees_a_ecrire := _entrees_invalides(dossier, cle):
        logger.debug("écriture de %s (%s)", _ENTREES, entrees_a_ecrire)
        with ecriture_atomique(dossier / _ENTREES) as tmp:
            tableaux: dict[str, Any] = {"cle": np.array(cle), **entrees.tableaux()}
            np.savez(tmp, **tableaux)
    _ecrire_json(manifeste, dossier / MANIFESTE)
    return PlanMatrice(
        dossier=dossier,
        cle=cle,
        graphe=str(chemin),
        empreinte=empreinte,
        n_origines=n_origines,
        n_destinations=n_destinations,
        lot=int(lot),
        n_lots=n_lots,
        coupure_s=coupure,
        mode=mode,
        hors_reseau=hors,
    )


def _entrees_invalides(dossier: Path, cle: str) -> str:
    """Why ``_entrees.npz`` must be (re)written, or ``""`` when it holds this job."""
    chemin = dossier / _ENTREES
    if not chemin.is_file():
        return "absent"
    try:
        with np.load(chemin, allow_pickle=False) as f:
            return "" if str(f["cle"]) == cle else "autre calcul"
    except (OSError, ValueError, KeyError) as exc:
        return f"illisible ({exc})"


def _lire_entrees(plan: PlanMatrice) -> _Entrees:
    """The job's inputs, read from the folder once per process."""

    def lire() -> _Entrees:
        chemin = plan.dossier / _ENTREES
        try:
            with np.load(chemin, allow_pickle=False) as f:
                if str(f["cle"]) != plan.cle:
                    raise DonneesInvalides(
                        f"{chemin} appartient à un autre calcul : relancez la préparation."
                    )
                t = {nom: f[nom] for nom in f.files}
        except OSError as exc:
            raise DonneesManquantes(
                f"Entrées du calcul illisibles ({chemin}) : le dossier de sortie doit être "
                f"visible au même chemin par tous les workers ({exc})."
            ) from exc
        return _Entrees(
            o_noeud=t["o_noeud"],
            o_depart_s=t["o_depart_s"],
            o_code=t.get("o_code"),
            d_noeud=t.get("d_noeud"),
            d_arrivee_s=t.get("d_arrivee_s"),
            d_code=t.get("d_code"),
        )

    return en_cache(("entrees", str(plan.dossier), plan.cle), lire)


# ----------------------------------------------------------------------------------------
# One batch.


def partition_valide(chemin: str | Path, cle: str, numero: int) -> int | None:
    """Rows of a finished partition of job ``cle``, or ``None`` if it must be computed.

    Valid means: the file exists, its Parquet footer reads, it has the expected columns
    and it records this job's key and this batch number.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    chemin = Path(chemin)
    if not chemin.is_file():
        return None
    try:
        meta = pq.read_metadata(chemin)
        cles = meta.metadata or {}
        if (
            list(meta.schema.names) != list(COLONNES)
            or cles.get(_META_CLE) != cle.encode()
            or cles.get(_META_LOT) != str(numero).encode()
        ):
            logger.warning("Partition %s d'un autre calcul : recalculée.", chemin.name)
            return None
        return int(meta.num_rows)
    except (OSError, pa.ArrowException, ValueError) as exc:
        logger.warning("Partition %s illisible (%s) : recalculée.", chemin.name, exc)
        return None


def _table_lot(
    plan: PlanMatrice, entrees: _Entrees, numero: int, graphe: Graphe, fils_numba: int | None
) -> pa.Table:
    import pyarrow as pa

    debut, fin = plan.origines_du_lot(numero)
    noeuds = entrees.o_noeud[debut:fin]
    with tour_du_noyau(), avec_fils_numba(fils_numba):
        io, idest, temps = matrice_temps_longue(
            graphe, noeuds, entrees.d_noeud, coupure_s=plan.coupure_s
        )
    if entrees.d_arrivee_s is not None:  # places mode: connectors at both ends
        temps = temps + entrees.o_depart_s[debut:fin][io] + entrees.d_arrivee_s[idest]
    if entrees.o_code is not None and entrees.d_code is not None:
        temps[entrees.o_code[debut:fin][io] == entrees.d_code[idest]] = 0.0
    if plan.coupure_s is not None:
        garder = temps <= plan.coupure_s
        io, idest, temps = io[garder], idest[garder], temps[garder]
    ordre = np.lexsort((idest, io))
    io, idest = io[ordre], idest[ordre]
    secondes = pa.array(temps[ordre].astype(np.float32))
    if entrees.o_code is not None and entrees.d_code is not None:
        origine = pa.array(entrees.o_code[debut:fin][io], type=pa.string())
        destination = pa.array(entrees.d_code[idest], type=pa.string())
    else:
        origine = pa.array(noeuds[io].astype(np.int32))
        noeuds_d = entrees.d_noeud
        destination = pa.array((idest if noeuds_d is None else noeuds_d[idest]).astype(np.int32))
    table = pa.table(dict(zip(COLONNES, (origine, destination, secondes), strict=True)))
    return table.replace_schema_metadata({_META_CLE: plan.cle, _META_LOT: str(numero)})


def calculer_lot(plan: PlanMatrice, numero: int, *, fils_numba: int | None = None) -> BilanLot:
    """Compute batch ``numero`` of ``plan`` and write its partition (the task of a worker).

    Idempotent: a batch whose partition is already valid is not recomputed. The partition is
    written under a temporary name and renamed, so a killed task leaves no file under the
    final name.

    Parameters
    ----------
    plan
        The job (:func:`preparer_matrice`).
    numero
        Batch number, 0 .. ``plan.n_lots`` - 1.
    fils_numba
        Numba threads for this task (default: numba's setting of the process).
    """
    import pyarrow.parquet as pq

    if not 0 <= numero < plan.n_lots:
        raise DonneesInvalides(f"Lot {numero} hors de 0..{plan.n_lots - 1}.")
    chemin = plan.dossier / nom_partition(numero)
    deja = partition_valide(chemin, plan.cle, numero)
    if deja is not None:
        return BilanLot(numero, deja, calcule=False)
    debut = time.perf_counter()
    entrees = _lire_entrees(plan)
    graphe = graphe_partage(plan.graphe, plan.empreinte)
    table = _table_lot(plan, entrees, numero, graphe, fils_numba)
    with ecriture_atomique(chemin) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return BilanLot(numero, table.num_rows, calcule=True, secondes=time.perf_counter() - debut)


def executer_matrice(
    plan: PlanMatrice,
    *,
    client: Any = None,
    tentatives: int = 3,
    fils_numba: int | None = None,
    progression: Progression | None = None,
) -> ResultatMatrice:
    """Compute every unfinished batch of ``plan`` and mark the dataset complete.

    Batches whose partition is already valid are not submitted at all; the others run as
    Dask tasks on ``client`` (or here, one after the other, without one).

    Parameters
    ----------
    plan
        From :func:`preparer_matrice`.
    client
        A ``distributed.Client`` or ``None``.
    tentatives
        Retries of a failed task.
    fils_numba
        Numba threads per task (on a local cluster: cores / workers).
    progression
        Told ``("lots de la matrice", batches done, batches to do)``.
    """
    debut = time.perf_counter()
    faits: list[BilanLot] = []
    a_faire: list[int] = []
    for numero in range(plan.n_lots):
        n = partition_valide(plan.dossier / nom_partition(numero), plan.cle, numero)
        if n is None:
            a_faire.append(numero)
        else:
            faits.append(BilanLot(numero, n, calcule=False))
    if faits:
        logger.info("%d lot(s) déjà calculé(s) sur %d : repris tels quels", len(faits), plan.n_lots)
    fonction = _TacheLot(plan, fils_numba)
    bilans = faits + executer_taches(
        fonction,
        a_faire,
        client=client,
        tentatives=tentatives,
        progression=progression,
        nom="lot",
        etape="lots de la matrice",
    )
    bilans.sort(key=lambda b: b.numero)
    _nettoyer_temporaires(plan.dossier)
    paires = sum(b.paires for b in bilans)
    manifeste = lire_manifeste(plan.dossier) or {}
    manifeste.update(
        complet=True,
        paires=paires,
        termine=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    )
    _ecrire_json(manifeste, plan.dossier / MANIFESTE)
    return ResultatMatrice(
        plan=plan,
        lots_calcules=sum(b.calcule for b in bilans),
        lots_deja_faits=sum(not b.calcule for b in bilans),
        paires=paires,
        duree_s=time.perf_counter() - debut,
        bilans=tuple(bilans),
    )


@dataclass(frozen=True)
class _TacheLot:
    """The picklable task of one batch (``functools.partial`` loses type hints)."""

    plan: PlanMatrice
    fils_numba: int | None

    def __call__(self, numero: int) -> BilanLot:
        return calculer_lot(self.plan, numero, fils_numba=self.fils_numba)


def calculer_matrice(
    reseau: str | Path,
    origines: Lieux | ArrayLike,
    destinations: Lieux | ArrayLike | None = None,
    *,
    sortie: str | Path,
    coupure_s: float | None = None,
    lot: int = LOT_DEFAUT,
    client: Any = None,
    tentatives: int = 3,
    fils_numba: int | None = None,
    distance_max_m: float = DISTANCE_MAX_M,
    progression: Progression | None = None,
) -> ResultatMatrice:
    """Prepare and run a matrix job: :func:`preparer_matrice` then :func:`executer_matrice`.

    Examples
    --------
    >>> from accessibilite.noyau.matrice_distribuee import calculer_matrice
    >>> from accessibilite.noyau.taches import ouvrir_client
    >>> with ouvrir_client("local", workers=2) as client:  # doctest: +SKIP
    ...     calculer_matrice("region.graphe", origines, coupure_s=3600,
    ...                      sortie="matrice.parquet", client=client, fils_numba=1)
    """
    plan = preparer_matrice(
        reseau,
        origines,
        destinations,
        sortie=sortie,
        coupure_s=coupure_s,
        lot=lot,
        distance_max_m=distance_max_m,
    )
    return executer_matrice(
        plan,
        client=client,
        tentatives=tentatives,
        fils_numba=fils_numba,
        progression=progression,
    )


def lire_matrice_parquet(dossier: str | Path, *, complet: bool = True) -> pd.DataFrame:
    """Read a matrix folder into one pandas DataFrame (``origine, destination, secondes``).

    Rows come in batch order, then origin and destination order.

    Parameters
    ----------
    dossier
        The output folder of :func:`calculer_matrice`.
    complet
        Refuse an unfinished dataset (a run interrupted before its end).

    Raises
    ------
    DonneesManquantes
        Not a matrix folder.
    DonneesInvalides
        The dataset is unfinished (with ``complet=True``).
    """
    import pyarrow.parquet as pq

    dossier = Path(dossier)
    manifeste = lire_manifeste(dossier)
    if manifeste is None:
        raise DonneesManquantes(f"{dossier} n'est pas un dossier de matrice (pas de {MANIFESTE}).")
    if complet and not manifeste.get("complet"):
        raise DonneesInvalides(
            f"La matrice de {dossier} est inachevée : relancez la même commande pour la finir."
        )
    fichiers = sorted(dossier.glob("lot-*.parquet"))
    if complet and len(fichiers) != manifeste.get("n_lots"):
        raise DonneesInvalides(
            f"La matrice de {dossier} a {len(fichiers)} partitions sur {manifeste.get('n_lots')} "
            "attendues : relancez la même commande pour recalculer celles qui manquent."
        )
    if not fichiers:
        import pandas as pd

        return pd.DataFrame({c: [] for c in COLONNES})
    return pq.ParquetDataset([str(f) for f in fichiers]).read().to_pandas()


def lire_noeuds(chemin: str | Path) -> NDArray[np.int64]:
    """Read node indices from a file: ``.npy``, or text with one integer per line.

    Raises
    ------
    DonneesManquantes
        No such file.
    DonneesInvalides
        A ``.npy`` that is unreadable or does not hold integers (an object array is refused
        without being unpickled), a line that is not an integer, a text file that is not
        UTF-8.
    """
    chemin = Path(chemin)
    if not chemin.is_file():
        raise DonneesManquantes(f"Fichier de nœuds introuvable : {chemin}.")
    if chemin.suffix == ".npy":
        try:
            tableau = np.load(chemin, allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            # an object array (pickled Python objects) raises ValueError here: never loaded
            raise DonneesInvalides(
                f"{chemin.name} : tableau numpy illisible ou d'objets Python ({exc}) ; "
                "attendu un .npy d'entiers (np.save(chemin, indices.astype('int64')))."
            ) from exc
        if not isinstance(tableau, np.ndarray) or not np.issubdtype(tableau.dtype, np.integer):
            raise DonneesInvalides(
                f"{chemin.name} : indices entiers attendus "
                f"({getattr(tableau, 'dtype', type(tableau).__name__)})."
            )
        return tableau.astype(np.int64).ravel()
    try:
        lignes = chemin.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise DonneesInvalides(
            f"{chemin.name} : ni un .npy ni un texte UTF-8 (un indice de nœud par ligne)."
        ) from exc
    valeurs: list[int] = []
    for i, ligne in enumerate(lignes, start=1):
        texte = ligne.split("#", 1)[0].strip()
        if not texte:
            continue
        try:
            valeur = int(texte)
        except ValueError:
            raise DonneesInvalides(
                f"{chemin.name}, ligne {i} : « {texte[:40]} » n'est pas un indice de nœud entier."
            ) from None
        if not 0 <= valeur < 2**63:
            raise DonneesInvalides(
                f"{chemin.name}, ligne {i} : indice de nœud {texte[:40]} hors limites (>= 0)."
            )
        valeurs.append(valeur)
    return np.asarray(valeurs, dtype=np.int64)
