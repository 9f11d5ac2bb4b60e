"""Print the line coverage per package from the ``.coverage`` data file (for the README).

Run after the test command of the README: ``.venv/bin/python .ci/couverture_par_paquet.py``.
Packages are the top-level folders; a sub-package (``accessibilite.cli``,
``accessibilite.noyau``, ``cartes.rapport``...) gets a line of its own.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import coverage


def main() -> int:
    racine = Path.cwd().resolve()
    cov = coverage.Coverage()
    cov.load()
    totaux: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for fichier in sorted(cov.get_data().measured_files()):
        chemin = Path(fichier).resolve()
        if not chemin.is_relative_to(racine) or chemin.suffix != ".py":
            continue
        parties = chemin.relative_to(racine).parts
        paquet = parties[0] if len(parties) <= 2 else f"{parties[0]}.{parties[1]}"
        _, executables, _, manquantes, _ = cov.analysis2(str(chemin))
        totaux[paquet][0] += len(executables)
        totaux[paquet][1] += len(manquantes)
    print(f"{'paquet':<22}{'lignes':>8}{'non couvertes':>15}{'couverture':>12}")
    lignes = manquantes = 0
    for paquet, (n, m) in sorted(totaux.items()):
        lignes, manquantes = lignes + n, manquantes + m
        print(f"{paquet:<22}{n:>8}{m:>15}{100 * (n - m) / max(n, 1):>11.1f}%")
    print(f"{'total':<22}{lignes:>8}{manquantes:>15}{100 * (lignes - manquantes) / lignes:>11.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
