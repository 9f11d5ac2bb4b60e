"""Time the zones grises of all of metropolitan France with the straight-line source.

Runs ``accessibilite zones-grises --france`` (96 départements, about 35,000 communes, BPE
2013, no maps) in a child process, from scratch (no work folder left), and records wall
time, CPU time (user + system: what a quiet machine would take, about), peak memory and
the machine's load before and after::

    python benchmarks/france.py --bpe ../shared/data/bpe/bpe2013.xlsx [--json resultats/france.json]

Results: ``benchmarks/RESULTS.md``, section « La France entière ».
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    analyseur = argparse.ArgumentParser(description=__doc__)
    analyseur.add_argument("--bpe", type=Path, required=True)
    analyseur.add_argument("--json", type=Path)
    options = analyseur.parse_args(argv)
    sortie = Path(tempfile.mkdtemp(prefix="france-")) / "france"
    charge_avant = os.getloadavg()
    debut = time.perf_counter()
    fini = subprocess.run(
        [
            sys.executable,
            "-m",
            "accessibilite",
            "zones-grises",
            "--france",
            "--bpe",
            str(options.bpe),
            "--cartes",
            "aucune",
            "--sortie",
            str(sortie),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    duree = time.perf_counter() - debut
    enfants = resource.getrusage(resource.RUSAGE_CHILDREN)
    mesure = {
        "code_sortie": fini.returncode,
        "secondes": round(duree, 1),
        "cpu_secondes": round(enfants.ru_utime + enfants.ru_stime, 1),
        "pic_memoire_mo": round(enfants.ru_maxrss / 1024),
        "charge_avant": [round(c, 2) for c in charge_avant],
        "charge_apres": [round(c, 2) for c in os.getloadavg()],
        "coeurs": os.cpu_count(),
    }
    if fini.returncode == 0:
        mesure["resume"] = (sortie / "resume.csv").read_text(encoding="utf-8")
    else:
        mesure["erreur"] = fini.stderr[-2000:]
    shutil.rmtree(sortie.parent, ignore_errors=True)
    texte = json.dumps(mesure, ensure_ascii=False, indent=2)
    print(texte)
    if options.json is not None:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(texte, encoding="utf-8")
    return int(fini.returncode)


if __name__ == "__main__":
    sys.exit(main())
