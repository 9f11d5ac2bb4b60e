"""Running tasks here or on Dask, and what tasks share within a worker process.

* :func:`executer_taches`: one function over many arguments, one after the other in this
  process, or as Dask tasks (with retries) on a ``distributed.Client``
  (:func:`ouvrir_client`: a local cluster or a running scheduler); the project's own errors
  come back at once instead of being retried;
* :func:`en_cache`: a small per-process cache, so that a worker loads a graph
  (:func:`graphe_partage`, memory-mapped) or opens a travel-time source
  (:class:`SourceTache`) once, not once per task;
* :func:`tache_faite` and :func:`marquer_tache`: the marker a finished task leaves in its
  output folder, so that a rerun with the same inputs resumes;
* :func:`tour_du_noyau`, :func:`avec_fils_numba`: how tasks of one process share numba's threads.

The distributed matrix (:mod:`accessibilite.noyau.matrice_distribuee`) and the indicator and
scenario tasks (:mod:`poles.distribue`) are built on it. Dask (``distributed``) is optional:
``pip install "accessibilite[dask]"``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from accessibilite.noyau.sources import SourceTemps, SourceVolOiseau
from reseau.graphe import Graphe
from reseau.stockage import charger_graphe, lire_entete
from socle.erreurs import (
    DependanceManquante,
    DonneesInvalides,
    DonneesManquantes,
    ErreurAccessibilite,
    ErreurDistribuee,
)
from socle.fichiers import ecriture_atomique
from socle.progression import Progression, signaler

__all__ = [
    "MARQUE_TACHE",
    "SourceTache",
    "adresse_ordonnanceur",
    "avec_fils_numba",
    "chargements_graphe",
    "empreinte_graphe",
    "empreinte_json",
    "en_cache",
    "executer_taches",
    "graphe_partage",
    "importer_distributed",
    "marquer_tache",
    "ouvrir_client",
    "tache_faite",
    "tour_du_noyau",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

_INSTALLER = 'pip install "accessibilite[dask]"'
#: File a finished task writes in its output folder (its inputs' key and its summary).
MARQUE_TACHE = "_tache.json"

# ----------------------------------------------------------------------------------------
# Per-process cache (one per Dask worker process): the graph is loaded once, not per task.

_CACHE: OrderedDict[tuple[str, ...], Any] = OrderedDict()
_CACHE_MAX = 4
_CACHE_VERROU = threading.Lock()
_CHARGEMENTS: dict[str, int] = {}
# numba's "workqueue" threading layer refuses parallel launches from several threads at
# once: with it (or until the layer is known, after the first call) the compute-core calls
# of one process take turns. The "omp" and "tbb" layers are thread-safe: a worker with
# several Dask threads then runs several batches at once.
_VERROU_NOYAU = threading.Lock()
_COUCHE_NUMBA: list[str] = []


@contextlib.contextmanager
def tour_du_noyau() -> Iterator[None]:
    """Serialise the compute-core calls only when numba's threading layer needs it."""
    if _COUCHE_NUMBA and _COUCHE_NUMBA[0] != "workqueue":
        yield
        return
    with _VERROU_NOYAU:
        yield
        if not _COUCHE_NUMBA:
            import numba

            with contextlib.suppress(ValueError):  # no parallel call has run yet
                _COUCHE_NUMBA.append(str(numba.threading_layer()))


def en_cache(cle: tuple[str, ...], fabrique: Callable[[], T]) -> T:
    """Return the object cached under ``cle`` in this process, built by ``fabrique`` once.

    A small per-process cache (the last few keys): on a Dask worker it keeps the graph, the
    job's inputs or a travel-time source between the tasks that process runs.
    """
    with _CACHE_VERROU:
        if cle in _CACHE:
            _CACHE.move_to_end(cle)
            valeur: T = _CACHE[cle]
            return valeur
        valeur = fabrique()
        _CACHE[cle] = valeur
        while len(_CACHE) > _CACHE_MAX:
            _CACHE.popitem(last=False)
        return valeur


def chargements_graphe(chemin: str | Path | None = None) -> int:
    """How many times this process has loaded graph files (or the file ``chemin``).

    The tests read it on every worker: a graph is loaded once per process, not per task.
    """
    if chemin is None:
        return sum(_CHARGEMENTS.values())
    return _CHARGEMENTS.get(str(Path(chemin).absolute()), 0)


def empreinte_graphe(chemin: str | Path) -> str:
    """Checksum of a ``.graphe`` file, from its header only (no array is read).

    The header lists the sha256 of every array, so two files with the same header hash
    hold the same graph.

    Raises
    ------
    DonneesManquantes, CacheCorrompu
        No such file, or not a valid graph file.
    """
    entete = lire_entete(chemin)
    texte = json.dumps(entete, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(texte.encode()).hexdigest()


def graphe_partage(chemin: str | Path, empreinte: str | None = None) -> Graphe:
    """The graph of ``chemin``, memory-mapped and loaded once per process.

    Parameters
    ----------
    chemin
        The ``.graphe`` file (the same path on every machine of the cluster).
    empreinte
        Expected :func:`empreinte_graphe`; a file that does not match (another graph at the
        same path on this worker) raises. ``None``: computed here.

    Raises
    ------
    DonneesInvalides
        The file seen by this process is not the expected graph.
    """
    chemin = Path(chemin)
    attendue = empreinte if empreinte is not None else empreinte_graphe(chemin)

    def charger() -> Graphe:
        vue = empreinte_graphe(chemin) if empreinte is not None else attendue
        if vue != attendue:
            raise DonneesInvalides(
                f"Le fichier de graphe {chemin} vu par ce processus n'est pas celui du calcul "
                "(somme de contrôle différente) : le même fichier doit être visible au même "
                "chemin par tous les workers (système de fichiers partagé)."
            )
        cle = str(chemin.absolute())
        _CHARGEMENTS[cle] = _CHARGEMENTS.get(cle, 0) + 1
        logger.info("Graphe %s chargé (memory-map) dans le processus %d", chemin, os.getpid())
        return charger_graphe(chemin, verifier=False, mmap=True)

    return en_cache(("graphe", str(chemin), attendue), charger)


@contextlib.contextmanager
def avec_fils_numba(fils: int | None) -> Iterator[None]:
    """Run the block with ``fils`` numba threads (this thread only), then restore."""
    if fils is None:
        yield
        return
    import numba

    avant = numba.get_num_threads()
    numba.set_num_threads(
        max(1, min(int(fils), int(getattr(numba.config, "NUMBA_NUM_THREADS", fils))))
    )
    try:
        yield
    finally:
        numba.set_num_threads(avant)


# ----------------------------------------------------------------------------------------
# Running tasks, locally or on Dask.


def importer_distributed() -> Any:
    """Import ``distributed`` (Dask's scheduler), or say how to install it.

    Raises
    ------
    DependanceManquante
        Dask is not installed.
    """
    try:
        import distributed
    except ImportError as exc:
        raise DependanceManquante(
            f"Le calcul distribué demande Dask, qui n'est pas installé : {_INSTALLER}."
        ) from exc
    return distributed


def adresse_ordonnanceur(fichier: str | Path) -> str:
    """The scheduler address written in a Dask scheduler file (``dask scheduler
    --scheduler-file``): the ``address`` of its JSON object.

    Raises
    ------
    DonneesManquantes
        No such file.
    DonneesInvalides
        Not a JSON object with an ``address`` such as ``tcp://hote:8786``.
    """
    chemin = Path(fichier)
    if not chemin.is_file():
        raise DonneesManquantes(
            f"Fichier d'ordonnanceur Dask introuvable : {chemin}. Lancez « dask scheduler "
            "--scheduler-file CHEMIN » et donnez ce chemin, visible de cette machine."
        )
    try:
        contenu = json.loads(chemin.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DonneesInvalides(
            f"Fichier d'ordonnanceur Dask {chemin} illisible : JSON attendu, tel qu'écrit par "
            "« dask scheduler --scheduler-file » ; relancez l'ordonnanceur pour le réécrire."
        ) from exc
    adresse = contenu.get("address") if isinstance(contenu, dict) else None
    if not isinstance(adresse, str) or "://" not in adresse:
        raise DonneesInvalides(
            f"Fichier d'ordonnanceur Dask {chemin} : pas d'adresse d'ordonnanceur (clé "
            "« address », par exemple tcp://hote:8786) ; relancez « dask scheduler "
            "--scheduler-file » pour le réécrire."
        )
    return adresse


@contextlib.contextmanager
def ouvrir_client(
    adresse: str = "local",
    *,
    workers: int | None = None,
    fils_par_worker: int = 1,
    processus: bool = True,
    delai_s: float = 30.0,
) -> Iterator[Any]:
    """A Dask client on a local cluster (``"local"``) or on the scheduler at ``adresse``.

    Parameters
    ----------
    adresse
        ``"local"``: start a ``LocalCluster`` here (closed on exit); otherwise the address
        of a running scheduler (``tcp://hote:8786``) or the path of its scheduler file
        (``.json``), left running on exit.
    workers
        Worker processes of the local cluster (default: the number of cores).
    fils_par_worker
        Dask threads per local worker (1: each task uses the numba threads it is given).
    processus
        Local workers as processes (they then share the memory-mapped graph's pages).
    delai_s
        How long to try to reach a remote scheduler.

    Raises
    ------
    DependanceManquante
        Dask is not installed.
    ErreurDistribuee
        The scheduler cannot be reached.
    """
    distributed = importer_distributed()
    if adresse == "local":
        n = int(workers) if workers is not None else int(os.cpu_count() or 1)
        if n < 1:
            raise DonneesInvalides(f"Il faut au moins un worker (reçu {workers}).")
        with (
            distributed.LocalCluster(
                n_workers=n,
                threads_per_worker=int(fils_par_worker),
                processes=processus,
                dashboard_address=":0",
            ) as grappe,
            distributed.Client(grappe) as client,
        ):
            yield client
        return
    if adresse.endswith(".json") or ("://" not in adresse and Path(adresse).is_file()):
        # read here rather than by Dask: it waits forever for a missing file and fails
        # with an internal error on a malformed one
        adresse = adresse_ordonnanceur(adresse)
    try:
        client = distributed.Client(adresse, timeout=f"{delai_s}s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ErreurDistribuee(
            f"Impossible de joindre l'ordonnanceur Dask « {adresse} » ({exc}) : vérifiez "
            "l'adresse (tcp://hote:8786) ou le fichier d'ordonnanceur, et qu'il tourne."
        ) from exc
    with client:
        yield client


def executer_taches(
    fonction: Callable[[T], R],
    arguments: Sequence[T],
    *,
    client: Any = None,
    tentatives: int = 3,
    progression: Progression | None = None,
    nom: str = "tache",
    etape: str = "tâches",
) -> list[R]:
    """Run ``fonction`` on every argument, here or as Dask tasks; results in order.

    Parameters
    ----------
    fonction
        A picklable function (module-level, or a :func:`functools.partial` of one).
    arguments
        One task per argument.
    client
        A ``distributed.Client`` (see :func:`ouvrir_client`); ``None``: one after the other
        in this process.
    tentatives
        Dask retries of a task that raises (a task whose worker dies is rescheduled by
        Dask itself, up to its ``allowed-failures``).
    progression
        Told ``(etape, tasks done, total)`` after each task.
    nom
        Prefix of the Dask task keys (shown in the dashboard).
    etape
        The step's name for ``progression`` (in French).

    Raises
    ------
    ErreurDistribuee
        A task failed for good for another reason than one of the project's errors (those
        are raised as they are).
    """
    total = len(arguments)
    if client is None:
        resultats: list[R] = []
        for i, argument in enumerate(arguments):
            resultats.append(fonction(argument))
            signaler(progression, etape, i + 1, total)
        return resultats
    distributed = importer_distributed()
    jeton = uuid.uuid4().hex[:8]
    protegee = _Protegee(fonction)
    futurs = [
        client.submit(
            protegee, argument, key=f"{nom}-{jeton}-{i}", retries=int(tentatives), pure=False
        )
        for i, argument in enumerate(arguments)
    ]
    position = {f.key: i for i, f in enumerate(futurs)}
    sortie: list[Any] = [None] * total
    fait = 0
    try:
        for futur in distributed.as_completed(futurs):
            reussi, valeur = futur.result()
            if not reussi:
                raise valeur
            sortie[position[futur.key]] = valeur
            futur.release()
            fait += 1
            signaler(progression, etape, fait, total)
    except BaseException as exc:
        client.cancel(futurs)
        if isinstance(exc, ErreurAccessibilite | KeyboardInterrupt) or not isinstance(
            exc, Exception
        ):
            raise
        raise ErreurDistribuee(
            f"Une tâche du calcul distribué a échoué après {tentatives} nouvelle(s) "
            f"tentative(s) : {type(exc).__name__} : {exc}. Relancez la même commande : le "
            "travail déjà fait est gardé."
        ) from exc
    return sortie


@dataclass(frozen=True)
class _Protegee:
    """A task that returns the project's errors instead of raising them.

    An input error (:class:`~socle.erreurs.ErreurAccessibilite`) would fail again on every
    retry: it comes back as a value and is raised on the client at once, while other
    exceptions (a full disk, a lost file system) keep Dask's retries.
    """

    fonction: Callable[[Any], Any]

    def __call__(self, argument: Any) -> tuple[bool, Any]:
        try:
            return True, self.fonction(argument)
        except ErreurAccessibilite as exc:
            return False, exc


def empreinte_json(*parties: Any) -> str:
    """sha256 of JSON-serialisable parts (sorted keys): the key of a task's inputs."""
    texte = json.dumps(parties, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(texte.encode()).hexdigest()


def tache_faite(dossier: Path, cle: str) -> str | None:
    """The summary recorded by a finished task with key ``cle`` in ``dossier``, else ``None``."""
    try:
        marque = json.loads((dossier / MARQUE_TACHE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(marque, dict) and marque.get("cle") == cle:
        return str(marque.get("texte", ""))
    return None


def marquer_tache(dossier: Path, cle: str, texte: str) -> None:
    """Record that the task of key ``cle`` finished in ``dossier``, with its summary."""
    with ecriture_atomique(dossier / MARQUE_TACHE) as tmp:
        tmp.write_text(
            json.dumps({"cle": cle, "texte": texte}, ensure_ascii=False, indent=2),
            encoding="utf-8",
        )


@dataclass(frozen=True)
class SourceTache:
    """How a task gets its travel-time source: a picklable object, or a graph file.

    A road-graph source read from a file travels as the file's name and checksum: each
    worker process reopens it once (:func:`en_cache`) rather than receive the graph's
    arrays with every task.
    """

    objet: SourceTemps | None
    reseau: str | None
    empreinte_reseau: str | None

    @classmethod
    def depuis(cls, source: SourceTemps | None, reseau: str | Path | None) -> SourceTache:
        """From a source object or a ``.graphe`` path (neither: the straight line)."""
        if reseau is not None and source is not None:
            raise DonneesInvalides("Donnez soit une source, soit un réseau, pas les deux.")
        if source is not None and source.nom == "osm" and getattr(source, "fichier", None):
            reseau = getattr(source, "fichier", None)
        if reseau is not None:
            chemin = str(Path(reseau).absolute())
            return cls(None, chemin, empreinte_graphe(chemin))
        return cls(source if source is not None else SourceVolOiseau(), None, None)

    def cle(self) -> Any:
        """What identifies the source in a task key."""
        if self.objet is not None:
            return (self.objet.nom, self.objet.description(), getattr(self.objet, "fichier", None))
        return ("osm", self.empreinte_reseau)

    def ouvrir(self) -> SourceTemps:
        """The source, built once per process for a graph file."""
        if self.objet is not None:
            return self.objet
        from accessibilite.noyau.source_reseau import SourceReseau

        chemin = str(self.reseau)
        return en_cache(
            ("source-osm", chemin, str(self.empreinte_reseau)),
            lambda: SourceReseau.depuis_fichier(chemin),
        )
