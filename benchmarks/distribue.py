"""Throughput of the distributed matrix (origin trees per second) on 1 and 2 Dask workers.

Usage (from the project root)::

    python benchmarks/distribue.py [--taille region] [--origines 1000] [--coupure-min 30]
        [--lot 50] [--workers 1,2] [--repetitions 3] [--json FILE] [--graphe FILE]

On the seeded **synthetic** region graph (``benchmarks/generateur.py``, about 1,500,000
nodes; labelled synthetic), saved as a ``.graphe`` file: ``--origines`` random origins to
5,000 random commune-like destinations with a cut-off, split in batches of ``--lot``
origins, each batch one task writing one Parquet partition
(:func:`accessibilite.noyau.matrice_distribuee.calculer_matrice`).

Configurations: the same batches in this process without Dask (1 numba thread: the
reference), then a ``LocalCluster`` of 1 and 2 worker processes, one Dask thread and one
numba thread each (each worker = one core). The cluster start and a first cold run (workers
map the graph, load the compiled kernels) are timed apart; the throughput is the median of
``--repetitions`` warm runs, each into a fresh folder. Worker memory: RSS, and USS/PSS
(pages private to the process / proportional share): the memory-mapped graph's pages are
shared between the workers of a machine. The CPU seconds the computing processes used (this
one, or the workers) give the cores actually obtained on a shared machine and the trees per
CPU second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RACINE = Path(__file__).resolve().parents[1]
if str(RACINE) not in sys.path:
    sys.path.insert(0, str(RACINE))

import numba  # noqa: E402

from accessibilite.noyau.matrice_distribuee import calculer_matrice  # noqa: E402
from accessibilite.noyau.taches import ouvrir_client  # noqa: E402
from benchmarks.generateur import graphe_synthetique, noeuds_aleatoires  # noqa: E402
from benchmarks.noyau import machine  # noqa: E402

N_DESTINATIONS = 5000


def _log(texte: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {texte}", file=sys.stderr, flush=True)


def _memoire_worker() -> dict[str, float]:
    """RSS, USS and PSS of this process (MB), read on each worker."""
    import psutil

    info = psutil.Process().memory_full_info()
    return {
        "rss_mo": info.rss / 1e6,
        "uss_mo": getattr(info, "uss", float("nan")) / 1e6,
        "pss_mo": getattr(info, "pss", float("nan")) / 1e6,
    }


def _cpu_s() -> float:
    """CPU seconds (user + system) used so far by this process (read on each worker)."""
    import psutil

    temps = psutil.Process().cpu_times()
    return float(temps.user + temps.system)


def _cpu_total(client: Any) -> float:
    if client is None:
        return _cpu_s()
    return float(sum(client.run(_cpu_s).values()))


def _une_execution(
    graphe: Path, origines: Any, destinations: Any, options: argparse.Namespace, **kw: Any
) -> dict[str, Any]:
    dossier = Path(tempfile.mkdtemp(prefix="matrice-", dir=options.dossier))
    cpu_avant = _cpu_total(kw.get("client"))
    try:
        resultat = calculer_matrice(
            graphe,
            origines,
            destinations,
            sortie=dossier / "m",
            coupure_s=options.coupure_min * 60.0,
            lot=options.lot,
            fils_numba=1,
            **kw,
        )
        return {
            "secondes": resultat.duree_s,
            "cpu_s": _cpu_total(kw.get("client")) - cpu_avant,
            "paires": resultat.paires,
            "lots": resultat.lots_calcules,
        }
    finally:
        shutil.rmtree(dossier, ignore_errors=True)


def _mesurer(
    nom: str,
    workers: int | None,
    graphe: Path,
    origines: Any,
    destinations: Any,
    options: argparse.Namespace,
    client: Any = None,
) -> dict[str, Any]:
    _log(f"{nom} : exécution à froid")
    froid = _une_execution(graphe, origines, destinations, options, client=client)
    mesures = []
    for i in range(options.repetitions):
        mesures.append(_une_execution(graphe, origines, destinations, options, client=client))
        _log(f"{nom} : mesure {i + 1} : {mesures[-1]['secondes']:.2f} s")
    secondes = [m["secondes"] for m in mesures]
    mediane = statistics.median(secondes)
    cpu = statistics.median(m["cpu_s"] for m in mesures)
    ligne: dict[str, Any] = {
        "configuration": nom,
        "workers": workers,
        "secondes_froid": froid["secondes"],
        "secondes": secondes,
        "mediane_s": mediane,
        "arbres_par_s": len(origines) / mediane,
        "cpu_s": [m["cpu_s"] for m in mesures],
        "arbres_par_s_cpu": len(origines) / cpu,
        "coeurs_obtenus": cpu / mediane,
        "paires": mesures[0]["paires"],
        "lots": mesures[0]["lots"],
    }
    if client is not None:
        ligne["memoire_workers"] = list(client.run(_memoire_worker).values())
    return ligne


def _tableau(lignes: list[dict[str, Any]]) -> str:
    ref = next((x["arbres_par_s"] for x in lignes if x["workers"] == 1), None)
    sortie = [
        "| configuration | froid (s) | médiane (s) | mesures (s) | arbres/s | × 1 worker | "
        "cœurs obtenus | arbres par s CPU | mémoire par worker (RSS / USS / PSS, Mo) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for x in lignes:
        mesures = ", ".join(f"{s:.1f}" for s in x["secondes"])
        rapport = f"{x['arbres_par_s'] / ref:.2f}" if ref else ""
        memoire = "; ".join(
            f"{m['rss_mo']:.0f} / {m['uss_mo']:.0f} / {m['pss_mo']:.0f}"
            for m in x.get("memoire_workers", [])
        )
        sortie.append(
            f"| {x['configuration']} | {x['secondes_froid']:.1f} | {x['mediane_s']:.1f} | "
            f"{mesures} | {x['arbres_par_s']:.1f} | {rapport} | {x['coeurs_obtenus']:.2f} | "
            f"{x['arbres_par_s_cpu']:.1f} | {memoire or '—'} |"
        )
    return "\n".join(sortie)


def main(argv: list[str] | None = None) -> int:
    analyseur = argparse.ArgumentParser(
        description="Débit de la matrice distribuée (arbres d'origine par seconde) sur 1 et 2 "
        "workers Dask, graphe synthétique régional."
    )
    analyseur.add_argument("--taille", default="region", help="taille du graphe (défaut : region)")
    analyseur.add_argument("--origines", type=int, default=1000, help="origines (défaut : 1000)")
    analyseur.add_argument(
        "--coupure-min", type=float, default=30.0, help="coupure en minutes (défaut : 30)"
    )
    analyseur.add_argument("--lot", type=int, default=50, help="origines par lot (défaut : 50)")
    analyseur.add_argument("--workers", default="1,2", help="workers à mesurer (défaut : 1,2)")
    analyseur.add_argument("--repetitions", type=int, default=3, help="mesures (médiane)")
    analyseur.add_argument("--sans-reference", action="store_true", help="sauter le cas sans Dask")
    analyseur.add_argument("--graphe", type=Path, help="fichier .graphe déjà écrit à réutiliser")
    analyseur.add_argument("--dossier", type=Path, help="dossier de travail (défaut : /tmp)")
    analyseur.add_argument("--json", type=Path, help="écrire aussi les résultats en JSON")
    options = analyseur.parse_args(argv)

    infos = machine()
    for module in ("dask", "distributed", "pyarrow"):
        infos["versions"][module] = __import__(module).__version__
    travail = Path(tempfile.mkdtemp(prefix="bench-distribue-", dir=options.dossier))
    options.dossier = travail
    try:
        if options.graphe is not None:
            chemin = options.graphe
            from reseau import charger_graphe

            g = charger_graphe(chemin)
        else:
            _log(f"génération du graphe synthétique « {options.taille} »")
            g = graphe_synthetique(options.taille, graine=0)
            chemin = travail / f"{options.taille}.graphe"
            from reseau import sauvegarder_graphe

            sauvegarder_graphe(g, chemin)
        taille_mo = chemin.stat().st_size / 1e6
        n_noeuds, n_arcs = g.n_noeuds, g.n_arcs
        _log(f"graphe : {n_noeuds} nœuds, {n_arcs} arcs, fichier {taille_mo:.0f} Mo")
        origines = noeuds_aleatoires(g, options.origines, graine=1)
        destinations = noeuds_aleatoires(g, min(N_DESTINATIONS, n_noeuds // 2), graine=2)
        del g
        lignes = []
        if not options.sans_reference:
            numba.set_num_threads(1)
            lignes.append(
                _mesurer(
                    "ici, sans Dask (1 fil numba)", None, chemin, origines, destinations, options
                )
            )
        demarrages = {}
        for n in (int(x) for x in options.workers.split(",")):
            debut = time.perf_counter()
            with ouvrir_client("local", workers=n) as client:
                demarrages[n] = time.perf_counter() - debut
                _log(f"grappe de {n} worker(s) démarrée en {demarrages[n]:.1f} s")
                nom = f"Dask, {n} worker{'s' if n > 1 else ''} × 1 fil"
                lignes.append(
                    _mesurer(nom, n, chemin, origines, destinations, options, client=client)
                )
        infos["charge_moyenne_fin"] = os.getloadavg()
        resultats = {
            "machine": infos,
            "graphe": {
                "taille": options.taille,
                "noeuds": n_noeuds,
                "arcs": n_arcs,
                "fichier_mo": taille_mo,
            },
            "origines": options.origines,
            "destinations": len(destinations),
            "coupure_min": options.coupure_min,
            "lot": options.lot,
            "demarrage_grappe_s": demarrages,
            "mesures": lignes,
        }
        print(_tableau(lignes))
        print(
            f"\nGraphe synthétique « {options.taille} » ({n_noeuds} nœuds, {taille_mo:.0f} Mo), "
            f"{options.origines} origines × {len(destinations)} destinations, coupure "
            f"{options.coupure_min:g} min, lots de {options.lot} ; démarrage des grappes : "
            + ", ".join(f"{n} worker(s) {s:.1f} s" for n, s in demarrages.items())
            + f" ; charge moyenne début / fin : {infos['charge_moyenne_debut']} / "
            f"{infos['charge_moyenne_fin']}"
        )
        if options.json:
            temporaire = options.json.with_suffix(options.json.suffix + ".tmp")
            temporaire.write_text(json.dumps(resultats, indent=2, ensure_ascii=False, default=str))
            os.replace(temporaire, options.json)
    finally:
        shutil.rmtree(travail, ignore_errors=True)
    _log(f"fini ({dt.datetime.now():%H:%M:%S})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
