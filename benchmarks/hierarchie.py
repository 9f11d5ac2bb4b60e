"""Benchmark of the contraction hierarchy against our Dijkstra and every peer, interleaved.

Usage (from the project root)::

    python benchmarks/hierarchie.py [--taille departement|region|test] [--repetitions 3]
        [--pairs dijkstra,ch,scipy,pyroutingkit,pandana,networkit,igraph] [--json FILE]

On a seeded **synthetic** graph (``benchmarks/generateur.py``: grid with a road hierarchy,
nodes in Morton order), with the adapters of ``benchmarks/pairs.py``:

* build / preparation of each engine (timed once, reported with every figure);
* the 1,000 × 1,000 matrix with a 60-minute cut-off (commune-like nodes);
* the nearest pole, 3 levels × 300 poles, node → pole, no cut-off (pandana: 60 min);
* the 300-pole isochrone search: from the poles, 30-minute cut-off;
* peak memory of ours (separate process).

Every repetition runs every engine in turn (A B C A B C...): a burst of load hits them all
alike. Each line keeps the median wall time, the median CPU time (all threads) and the
machine's 1-minute load at each run; slow peers run a sample of origins, extrapolated and
said so. Every answer is compared with our Dijkstra's: ``bit à bit`` (same float64),
else the largest difference.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

RACINE = Path(__file__).resolve().parents[1]
if str(RACINE) not in sys.path:
    sys.path.insert(0, str(RACINE))

import numba  # noqa: E402

from benchmarks.generateur import graphe_synthetique, noeuds_aleatoires  # noqa: E402
from benchmarks.pairs import PAIRS, Pair  # noqa: E402

N_COMMUNES = 1000
COUPURE_MATRICE_S = 3600.0
N_POLES = 300
N_NIVEAUX = 3
COUPURE_ISOCHRONE_S = 1800.0
COUPURE_PANDANA_S = 3600.0


@dataclass
class Ligne:
    """One engine on one task."""

    tache: str
    outil: str
    murs: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    charges: list[float] = field(default_factory=list)
    facteur: float = 1.0
    note: str = ""
    bit_a_bit: bool | None = None
    ecart_max_s: float | None = None
    atteignabilite_differente: int = 0

    @property
    def mur(self) -> float | None:
        return statistics.median(self.murs) * self.facteur if self.murs else None

    @property
    def cpu(self) -> float | None:
        return statistics.median(self.cpus) * self.facteur if self.cpus else None


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _comparer(nous: np.ndarray, eux: np.ndarray) -> tuple[bool, float, int]:
    """(same float64 everywhere?, largest difference where both reach, pairs reached by
    one side only)."""
    nous = np.asarray(nous, dtype=np.float64)
    eux = np.asarray(eux, dtype=np.float64)
    if nous.shape != eux.shape:
        return False, float("nan"), -1
    fini = np.isfinite(nous) & np.isfinite(eux)
    ecart = float(np.max(np.abs(nous[fini] - eux[fini]), initial=0.0))
    atteint = int((np.isfinite(nous) != np.isfinite(eux)).sum())
    return bool(np.array_equal(nous, eux)), ecart, atteint


def _taches(g: Any) -> list[tuple[str, str, dict[str, Any]]]:
    communes = noeuds_aleatoires(g, N_COMMUNES, graine=1)
    n_poles = min(N_POLES, max(1, g.n_noeuds // 100))
    niveaux = [noeuds_aleatoires(g, n_poles, graine=10 + i) for i in range(N_NIVEAUX)]
    return [
        (
            f"matrice {N_COMMUNES} × {N_COMMUNES}, coupure 60 min",
            "matrice",
            {"origines": communes, "destinations": communes, "coupure": COUPURE_MATRICE_S},
        ),
        (
            f"pôle le plus proche, {N_NIVEAUX} niveaux × {n_poles} pôles",
            "plus_proche",
            {"niveaux": niveaux, "coupure": np.inf},
        ),
        (
            f"isochrones de {n_poles} pôles (une recherche, 30 min)",
            "depuis",
            {"niveaux": niveaux[:1], "coupure": COUPURE_ISOCHRONE_S},
        ),
    ]


def _lancer(pair: Pair, question: str, args: dict[str, Any]) -> tuple[Any, float]:
    """Run one question; return (answer or None, extrapolation factor)."""
    if question == "matrice":
        origines = args["origines"]
        if pair.echantillon is not None and pair.echantillon < origines.size:
            origines = origines[: pair.echantillon]
        r = pair.matrice(origines, args["destinations"], args["coupure"])
        return r, args["origines"].size / origines.size
    coupure = args["coupure"]
    if isinstance(pair, PAIRS["pandana"]) and not np.isfinite(coupure):
        coupure = COUPURE_PANDANA_S  # pandana needs a search radius
    fonction = pair.plus_proche if question == "plus_proche" else pair.depuis
    reponses = []
    for poles in args["niveaux"]:
        r = fonction(poles, coupure)
        if r is None:
            return None, 1.0
        reponses.append(r)
    return reponses, 1.0


def mesurer(g: Any, pairs: list[Pair], repetitions: int) -> list[Ligne]:
    lignes: list[Ligne] = []
    for tache, question, args in _taches(g):
        par_pair = {p.nom: Ligne(tache, p.nom) for p in pairs}
        references: dict[str, Any] = {}
        for rep in range(repetitions):
            for p in pairs:
                ligne = par_pair[p.nom]
                _log(f"{tache} : {p.nom} ({rep + 1}/{repetitions})")
                charge = os.getloadavg()[0]
                debut, debut_cpu = time.perf_counter(), time.process_time()
                r, facteur = _lancer(p, question, args)
                mur = time.perf_counter() - debut
                cpu = time.process_time() - debut_cpu
                if r is None:
                    ligne.note = "non proposé"
                    continue
                ligne.murs.append(mur)
                ligne.cpus.append(cpu)
                ligne.charges.append(charge)
                ligne.facteur = facteur
                if rep == 0:
                    if p.nom == "accessibilite Dijkstra":
                        references[question] = r
                    elif question in references:
                        ref = references[question]
                        if question == "matrice":
                            ref = [ref[: np.asarray(r).shape[0]]]
                            r = [r]
                        comp = [_comparer(a, b) for a, b in zip(ref, r, strict=True)]
                        ligne.bit_a_bit = all(c[0] for c in comp)
                        ligne.ecart_max_s = max(c[1] for c in comp)
                        ligne.atteignabilite_differente = sum(c[2] for c in comp)
                    if facteur != 1.0:
                        ligne.note = f"{round(args['origines'].size / facteur)} origines, extrapolé"
        lignes += par_pair.values()
    return lignes


# ----------------------------------------------------------------------------------------
# Memory (ours), in a fresh process


def _pic_mo() -> float:
    for ligne in Path("/proc/self/status").read_text().splitlines():
        if ligne.startswith("VmHWM:"):
            return int(ligne.split()[1]) / 1024
    return float("nan")


def _rss_mo() -> float:
    for ligne in Path("/proc/self/status").read_text().splitlines():
        if ligne.startswith("VmRSS:"):
            return int(ligne.split()[1]) / 1024
    return float("nan")


def mesure_memoire(taille: str) -> dict[str, float]:
    from accessibilite.noyau import hierarchie as hi

    g = graphe_synthetique(taille, graine=0)
    apres_graphe = _rss_mo()
    h = hi.construire_hierarchie(g)
    pic_construction = _pic_mo()
    apres_construction = _rss_mo()
    (_, _, args), (_, _, args_p), _ = _taches(g)
    hi.matrice_ch(h, args["origines"], args["destinations"], coupure_s=COUPURE_MATRICE_S)
    for poles in args_p["niveaux"]:
        hi.plus_proche_ch(h, poles)
    return {
        "rss_mo_graphe": apres_graphe,
        "pic_mo_construction": pic_construction,
        "rss_mo_apres_construction": apres_construction,
        "pic_mo_total": _pic_mo(),
        "hierarchie_mo": h.octets / 1024**2,
        "graphe_routage_mo": sum(
            getattr(g, a).nbytes
            for a in (
                "indptr",
                "indices",
                "temps_s",
                "indptr_inv",
                "indices_inv",
                "temps_s_inv",
                "arc_inv",
            )
        )
        / 1024**2,
    }


# ----------------------------------------------------------------------------------------
# Report


def _tableau(lignes: list[Ligne], preparations: dict[str, float]) -> str:
    sortie = [
        "| tâche | outil | mur (s) | CPU (s) | cœurs (CPU/mur) | × Dijkstra (mur) "
        "| × Dijkstra (CPU) | × CH (mur) | × CH (CPU) | préparation (s) | charge "
        "| résultat | note |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    ref: dict[tuple[str, str], Ligne] = {(lg.tache, lg.outil): lg for lg in lignes}
    for lg in lignes:
        dij = ref.get((lg.tache, "accessibilite Dijkstra"))
        ch = ref.get((lg.tache, "accessibilite CH"))

        def ratio(a: float | None, b: float | None) -> str:
            return f"{a / b:.2f}" if a and b else ""

        mur, cpu = lg.mur, lg.cpu
        charge = f"{min(lg.charges):.1f}–{max(lg.charges):.1f}" if lg.charges else ""
        if lg.bit_a_bit is None:
            resultat = "référence" if lg.outil == "accessibilite Dijkstra" else ""
        elif lg.bit_a_bit:
            resultat = "bit à bit"
        else:
            resultat = f"écart ≤ {lg.ecart_max_s:.1e} s"
            if lg.atteignabilite_differente:
                resultat += f", {lg.atteignabilite_differente} atteints d'un seul côté"
        sortie.append(
            f"| {lg.tache} | {lg.outil} | {'—' if mur is None else f'{mur:.3f}'} "
            f"| {'' if cpu is None else f'{cpu:.2f}'} "
            f"| {ratio(cpu, mur)} "
            f"| {ratio(mur, dij.mur if dij else None)} | {ratio(cpu, dij.cpu if dij else None)} "
            f"| {ratio(mur, ch.mur if ch else None)} | {ratio(cpu, ch.cpu if ch else None)} "
            f"| {preparations.get(lg.outil, 0.0):.1f} | {charge} | {resultat} | {lg.note} |"
        )
    return "\n".join(sortie)


def machine() -> dict[str, Any]:
    versions = {"python": platform.python_version()}
    for module in ("numpy", "scipy", "numba", "igraph", "networkit", "pandana", "pyroutingkit"):
        try:
            versions[module] = str(getattr(__import__(module), "__version__", "?"))
        except ImportError:
            versions[module] = "absent"
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "coeurs": os.cpu_count(),
        "fils_numba": numba.get_num_threads(),
        "charge_debut": os.getloadavg(),
        "versions": versions,
    }


def main(argv: list[str] | None = None) -> int:
    analyseur = argparse.ArgumentParser(
        description="Hiérarchie de contraction face à notre Dijkstra et aux autres moteurs."
    )
    analyseur.add_argument("--taille", default="departement")
    analyseur.add_argument("--repetitions", type=int, default=3)
    analyseur.add_argument("--pairs", default=",".join(PAIRS))
    analyseur.add_argument("--json", type=Path)
    analyseur.add_argument(
        "--pbf", type=Path, help="un extrait OSM réel (graphe de reseau) au lieu du synthétique"
    )
    analyseur.add_argument("--sans-memoire", action="store_true")
    analyseur.add_argument("--mesure-memoire", action="store_true", help=argparse.SUPPRESS)
    options = analyseur.parse_args(argv)
    if options.mesure_memoire:
        print(json.dumps(mesure_memoire(options.taille)))
        return 0

    infos = machine()
    _log(
        f"{infos['coeurs']} cœurs, numba {infos['fils_numba']} fils, charge {infos['charge_debut']}"
    )
    # Warm the kernels (numba cache) on a tiny graph.
    petit = graphe_synthetique("test", graine=0)
    for classe in (PAIRS["dijkstra"], PAIRS["ch"]):
        p = classe()
        p.preparer(petit)
        c = noeuds_aleatoires(petit, 20, graine=0)
        p.matrice(c, c, 600.0)
        p.plus_proche(c, np.inf)
        p.depuis(c, 600.0)
    debut = time.perf_counter()
    if options.pbf is not None:
        from reseau import construire_graphe

        g = construire_graphe(options.pbf, cache=False)
        options.taille = f"OSM {options.pbf.name}"
        options.sans_memoire = True
    else:
        g = graphe_synthetique(options.taille, graine=0)
    generation = time.perf_counter() - debut
    _log(f"graphe {options.taille} : {g.n_noeuds} nœuds, {g.n_arcs} arcs")
    pairs: list[Pair] = []
    preparations: dict[str, float] = {}
    details: dict[str, Any] = {}
    for nom in options.pairs.split(","):
        classe = PAIRS[nom]
        absent = classe.absent()
        if absent:
            _log(f"{nom} sauté : {absent}")
            continue
        p = classe()
        _log(f"préparation de {p.nom}")
        charge = os.getloadavg()[0]
        debut_cpu = time.process_time()
        p.preparer(g)
        preparations[p.nom] = p.preparation_s
        details[p.nom] = {
            "preparation_s": p.preparation_s,
            "preparation_cpu_s": time.process_time() - debut_cpu,
            "charge": charge,
            **p.details,
        }
        _log(f"{p.nom} prêt en {p.preparation_s:.1f} s {p.details}")
        pairs.append(p)
    lignes = mesurer(g, pairs, options.repetitions)
    memoire: dict[str, float] = {}
    if not options.sans_memoire:
        fini = subprocess.run(
            [sys.executable, __file__, "--taille", options.taille, "--mesure-memoire"],
            capture_output=True,
            text=True,
            check=True,
        )
        memoire = json.loads(fini.stdout.strip().splitlines()[-1])
    infos["charge_fin"] = os.getloadavg()
    print(
        f"Graphe « {options.taille} » : {g.n_noeuds} nœuds, {g.n_arcs} arcs "
        f"(obtenu en {generation:.1f} s), numérotation de Morton, {infos['fils_numba']} fils numba."
    )
    print(_tableau(lignes, preparations))
    print("\nPréparations :", json.dumps(details, ensure_ascii=False, default=float))
    if memoire:
        print("Mémoire (nous, processus séparé, Mo) :", json.dumps(memoire))
    print(f"Charge au début / à la fin : {infos['charge_debut']} / {infos['charge_fin']}")
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(
            json.dumps(
                {
                    "machine": infos,
                    "taille": options.taille,
                    "graphe": {"noeuds": g.n_noeuds, "arcs": g.n_arcs},
                    "preparations": details,
                    "memoire": memoire,
                    "lignes": [{**asdict(lg), "mur": lg.mur, "cpu": lg.cpu} for lg in lignes],
                },
                indent=2,
                ensure_ascii=False,
                default=float,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
