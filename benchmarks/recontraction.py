"""CH or customizable CH? Re-contraction in a kept order against a fresh build.

Usage (from the project root)::

    python benchmarks/recontraction.py [--taille departement] [--json FILE]

On the synthetic graph (``benchmarks/generateur.py``): a full build (order by priority),
then new times on the same roads, as a peak-hour table or a scenario would give them
(slow roads 25 % slower, fast roads 10 % slower, one arc in 50 closed), contracted again
in the first order (:func:`accessibilite.noyau.hierarchie.recontracter`) and from scratch; the
1,000 × 1,000 matrix (60-minute cut-off) on each, checked against Dijkstra on a sample.
pyroutingkit's topology (nested dissection) and customization are timed on the same
graphs for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

RACINE = Path(__file__).resolve().parents[1]
if str(RACINE) not in sys.path:
    sys.path.insert(0, str(RACINE))

from accessibilite.noyau import hierarchie as hi  # noqa: E402
from accessibilite.noyau.routage import matrice_temps  # noqa: E402
from benchmarks.generateur import graphe_synthetique, noeuds_aleatoires  # noqa: E402
from benchmarks.pairs import PyRoutingKit  # noqa: E402
from reseau import Graphe  # noqa: E402


def _chrono(fonction):  # type: ignore[no-untyped-def]
    charge = os.getloadavg()[0]
    debut, cpu = time.perf_counter(), time.process_time()
    r = fonction()
    return r, time.perf_counter() - debut, time.process_time() - cpu, charge


def main() -> int:
    analyseur = argparse.ArgumentParser(description="Recontraction dans un ordre gardé.")
    analyseur.add_argument("--taille", default="departement")
    analyseur.add_argument("--json", type=Path)
    options = analyseur.parse_args()
    g1 = graphe_synthetique(options.taille, graine=0)
    rng = np.random.default_rng(5)
    t = g1.temps_s.astype(np.float64)
    lent = t > np.quantile(t, 0.5)  # stand-in for the slow classes (long arcs are fast roads)
    t2 = np.where(lent, t * 1.1, t * 1.25)
    t2[rng.uniform(size=t.size) < 0.02] *= 50.0  # closed (or nearly) for the scenario
    g2 = Graphe.depuis_arcs(g1.sources_arcs(), g1.indices, t2.astype(np.float32), g1.n_noeuds)
    communes = noeuds_aleatoires(g1, 1000, graine=1)
    resultats: dict[str, object] = {"taille": options.taille, "noeuds": g1.n_noeuds}
    hi.construire_hierarchie(graphe_synthetique("test"))  # warm the kernels
    h1, mur, cpu, charge = _chrono(lambda: hi.construire_hierarchie(g1))
    resultats["construction_temps_1"] = {"mur": mur, "cpu": cpu, "charge": charge, **h1.metadonnees}
    for nom, faire in (
        ("recontraction_temps_2", lambda: hi.recontracter(h1, g2)),
        ("construction_temps_2", lambda: hi.construire_hierarchie(g2)),
    ):
        h, mur, cpu, charge = _chrono(faire)
        _, q_mur, q_cpu, _ = _chrono(
            lambda h=h: hi.matrice_ch(h, communes, communes, coupure_s=3600.0)
        )
        m, q_mur, q_cpu, _ = _chrono(
            lambda h=h: hi.matrice_ch(h, communes, communes, coupure_s=3600.0)
        )
        attendu = matrice_temps(g2, communes[:50], communes, coupure_s=3600.0, methode="dijkstra")
        resultats[nom] = {
            "mur": mur,
            "cpu": cpu,
            "charge": charge,
            "raccourcis": h.metadonnees["raccourcis"],
            "niveaux": h.metadonnees["niveaux"],
            "matrice_mur": q_mur,
            "matrice_cpu": q_cpu,
            "egal_dijkstra": bool(np.array_equal(m[:50], attendu)),
        }
    if not PyRoutingKit.absent():
        for nom, g in (("pyroutingkit_temps_1", g1), ("pyroutingkit_temps_2", g2)):
            p = PyRoutingKit()
            _, mur, cpu, charge = _chrono(lambda p=p, g=g: p.preparer(g))
            _, q_mur, q_cpu, _ = _chrono(lambda p=p: p.matrice(communes, communes, 3600.0))
            resultats[nom] = {
                "mur": mur,
                "cpu": cpu,
                "charge": charge,
                **p.details,
                "matrice_mur": q_mur,
                "matrice_cpu": q_cpu,
            }
    texte = json.dumps(resultats, indent=2, ensure_ascii=False, default=float)
    print(texte)
    if options.json:
        options.json.write_text(texte)
    return 0


if __name__ == "__main__":
    sys.exit(main())
