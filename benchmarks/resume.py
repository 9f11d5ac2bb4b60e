"""Merge several ``benchmarks/noyau.py --json`` runs into one table of medians.

Usage::

    python benchmarks/resume.py benchmarks/resultats/departement-*.json

Each line gives the median over the runs of each run's median, the range, and the ratio
to our median on the same task (the machine is shared: single runs are noisy).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any


def resumer(fichiers: list[Path]) -> str:
    """Return the markdown table of medians across the given JSON runs."""
    groupes: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for fichier in fichiers:
        for mesure in json.loads(fichier.read_text())["mesures"]:
            cle = (mesure["graphe"], mesure["tache"], mesure["outil"])
            groupes.setdefault(cle, []).append(mesure)
    medianes: dict[tuple[str, str, str], float] = {}
    for cle, mesures in groupes.items():
        valeurs = [m["secondes"] for m in mesures if m["secondes"] is not None]
        if valeurs:
            medianes[cle] = statistics.median(valeurs)
    reference: dict[tuple[str, str], float] = {}
    for (graphe, tache, outil), valeur in medianes.items():
        if outil.startswith("accessibilite") and "1 fil" not in outil:
            reference.setdefault((graphe, tache), valeur)
    lignes = [
        "| graphe | tâche | outil | médiane (s) | étendue (s) | séries | ratio (outil / nous) "
        "| égal | note |",
        "|---|---|---|---:|---|---:|---:|---|---|",
    ]
    for cle, mesures in groupes.items():
        graphe, tache, outil = cle
        valeurs = [m["secondes"] for m in mesures if m["secondes"] is not None]
        if not valeurs:
            note = mesures[-1]["note"]
            lignes.append(f"| {graphe} | {tache} | {outil} | — |  | 0 |  |  | {note} |")
            continue
        mediane = medianes[cle]
        ref = reference.get((graphe, tache))
        ratio = f"{mediane / ref:.2f}" if ref else ""
        etendue = f"{min(valeurs):.3f} – {max(valeurs):.3f}"
        egaux = [m["egal"] for m in mesures if m["egal"] is not None]
        egal = "" if not egaux else ("oui" if all(egaux) else "NON")
        extrapole = " (extrapolé)" if mesures[-1]["extrapole"] else ""
        note = "; ".join(x for x in (mesures[-1]["extrapole"], mesures[-1]["note"]) if x)
        lignes.append(
            f"| {graphe} | {tache} | {outil} | {mediane:.3f}{extrapole} | {etendue} "
            f"| {len(valeurs)} | {ratio} | {egal} | {note} |"
        )
    return "\n".join(lignes)


def main(argv: list[str] | None = None) -> int:
    analyseur = argparse.ArgumentParser(
        description="Médianes de plusieurs séries du banc d'essai (fichiers --json)."
    )
    analyseur.add_argument("fichiers", nargs="+", type=Path, help="fichiers JSON du banc d'essai")
    options = analyseur.parse_args(argv)
    print(resumer(options.fichiers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
