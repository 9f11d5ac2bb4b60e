"""Compare OpenStreetMap PBF readers for the road graph: time and peak memory.

Each reader runs in a fresh process (peak memory = that process's maximum resident set
size, imports included) on the same file and must return the drivable ways with their node
coordinates:

* ``pyosmium-1passe``: what :func:`reseau._osm.lire_osm` does (one pass, node locations in
  an osmium index in C++, a C++ tag filter hands Python only the road ways);
* ``pyosmium-2passes``: ways first, then only their nodes through an osmium ``IdFilter``;
* ``pyrosm``: ``pyrosm.OSM(file).get_network("driving", nodes=True)``;
* ``osmnx-xml``: ``osmnx.graph_from_xml`` on the file converted to OSM XML (the osmnx
  route for a local file; the conversion is not timed).

Besides the real extracts, ``--copies N`` writes a **synthetic** PBF made of N copies of
the Andorra extract side by side (ids offset, coordinates shifted; seeded, labelled
synthetic) to see how each reader scales towards a 250 MB regional extract.

Usage::

    python benchmarks/lecteurs_pbf.py [--copies 20] [--lecteurs pyosmium-1passe,pyrosm] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DONNEES = Path(__file__).resolve().parents[2] / "shared" / "data" / "osm"
LECTEURS = ("pyosmium-1passe", "pyosmium-2passes", "pyrosm", "osmnx-xml")

_CODE = {
    "pyosmium-1passe": """
from reseau._osm import lire_osm
#---
d = lire_osm(CHEMIN)
resultat = (d.n_voies, d.n_noeuds)
""",
    "pyosmium-2passes": """
import numpy as np, osmium
from array import array
from reseau.vitesses import CLASSES
#---
filtre = osmium.filter.TagFilter(*(("highway", c) for c in CLASSES if c != "ferry"))
refs = array("q"); n = 0
for w in osmium.FileProcessor(CHEMIN, osmium.osm.WAY).with_filter(filtre):
    tags = {t.k: t.v for t in w.tags}
    refs.extend(nd.ref for nd in w.nodes); n += 1
besoin = np.unique(np.frombuffer(refs, dtype=np.int64))
ids = array("q"); lon = array("d"); lat = array("d")
for nd in osmium.FileProcessor(CHEMIN, osmium.osm.NODE).with_filter(
        osmium.filter.IdFilter(besoin.tolist())):
    ids.append(nd.id); lon.append(nd.location.lon); lat.append(nd.location.lat)
resultat = (n, len(ids))
""",
    "pyrosm": """
import warnings; warnings.simplefilter("ignore")
import pyrosm
#---
noeuds, aretes = pyrosm.OSM(CHEMIN).get_network(network_type="driving", nodes=True)
resultat = (len(aretes), len(noeuds))
""",
    "osmnx-xml": """
import osmnx as ox
#---
g = ox.graph_from_xml(CHEMIN_XML, simplify=False, retain_all=True)
resultat = (g.number_of_edges(), g.number_of_nodes())
""",
}


def _mesurer(lecteur: str, chemin: Path, chemin_xml: Path | None) -> dict[str, object]:
    imports, corps = _CODE[lecteur].split("#---")
    fin = "print(json.dumps({'duree_s': time.perf_counter() - debut, 'resultat': resultat}))"
    code = "\n".join(
        [
            "import time, json",
            f"CHEMIN = {str(chemin)!r}",
            f"CHEMIN_XML = {str(chemin_xml)!r}",
            imports,
            "debut = time.perf_counter()",
            corps,
            fin,
        ]
    )
    debut = time.perf_counter()
    processus = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _, statut, usage = os.wait4(processus.pid, 0)
    total = time.perf_counter() - debut
    sortie = processus.stdout.read() if processus.stdout else ""
    erreur = processus.stderr.read() if processus.stderr else ""
    if statut != 0:
        return {"lecteur": lecteur, "erreur": erreur.strip().splitlines()[-1:]}
    mesure = json.loads(sortie.strip().splitlines()[-1])
    return {
        "lecteur": lecteur,
        "fichier": chemin.name,
        "taille_mo": round(chemin.stat().st_size / 1e6, 1),
        "lecture_s": round(mesure["duree_s"], 2),
        "processus_s": round(total, 2),
        "memoire_max_mo": round(usage.ru_maxrss / 1024, 0),
        "voies_ou_aretes": mesure["resultat"][0],
        "noeuds": mesure["resultat"][1],
    }


def ecrire_copies(source: Path, cible: Path, copies: int) -> Path:
    """Write ``copies`` shifted copies of ``source`` (nodes and ways) into one synthetic PBF.

    Ids are renumbered so that they stay sorted and spread over the same range as real
    OSM ids (up to 1.2e10): the readers' id indexes see realistic ids.
    """
    import numpy as np
    import osmium
    from osmium.osm.mutable import Node, Way

    noeuds = [
        (n.id, n.location.lon, n.location.lat, dict(n.tags))
        for n in osmium.FileProcessor(str(source), osmium.osm.NODE)
        if n.location.valid()
    ]
    voies = [
        ([nd.ref for nd in w.nodes], dict(w.tags))
        for w in osmium.FileProcessor(str(source), osmium.osm.WAY)
    ]
    ids = np.array([n[0] for n in noeuds], dtype=np.int64)
    ordre = np.argsort(ids)
    ids_tries = ids[ordre]
    pas = max(1, int(1.2e10 // (len(noeuds) * copies)))
    cible.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(cible)) as ecrivain:
        for rang, i in enumerate(ordre):
            _, lon, lat, tags = noeuds[i]
            for k in range(copies):
                dx, dy = (k % 5) * 0.6, (k // 5) * 0.5
                ecrivain.add_node(
                    Node(id=(rang * copies + k + 1) * pas, location=(lon + dx, lat + dy), tags=tags)
                )
        for rang, (refs, tags) in enumerate(voies):
            position = np.searchsorted(ids_tries, np.asarray(refs, dtype=np.int64))
            position = np.minimum(position, ids_tries.size - 1)
            connus = ids_tries[position] == np.asarray(refs)
            for k in range(copies):
                noeuds_copie = ((position[connus] * copies + k + 1) * pas).tolist()
                ecrivain.add_way(Way(id=rang * copies + k + 1, nodes=noeuds_copie, tags=tags))
    return cible


def ecrire_xml(source: Path, cible: Path) -> Path:
    import osmium

    cible.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(cible)) as ecrivain:
        for objet in osmium.FileProcessor(str(source), osmium.osm.NODE | osmium.osm.WAY):
            ecrivain.add(objet)
    return cible


def main() -> int:
    analyseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analyseur.add_argument("--copies", type=int, default=0, help="copies synthétiques d'Andorre")
    analyseur.add_argument("--lecteurs", default=",".join(LECTEURS))
    analyseur.add_argument("--json", action="store_true")
    options = analyseur.parse_args()
    lecteurs = options.lecteurs.split(",")
    fichiers = [DONNEES / "liechtenstein.osm.pbf", DONNEES / "andorra.osm.pbf"]
    with tempfile.TemporaryDirectory() as dossier:
        if options.copies:
            debut = time.perf_counter()
            synthetique = Path(dossier) / f"synthetique-andorre-x{options.copies}.osm.pbf"
            fichiers.append(ecrire_copies(fichiers[1], synthetique, options.copies))
            print(
                f"fichier synthétique écrit en {time.perf_counter() - debut:.0f} s", file=sys.stderr
            )
        resultats = []
        for fichier in fichiers:
            xml = None
            if "osmnx-xml" in lecteurs:
                xml = ecrire_xml(fichier, Path(dossier) / (fichier.name + ".osm"))
            for lecteur in lecteurs:
                resultats.append(_mesurer(lecteur, fichier, xml))
                print(resultats[-1], file=sys.stderr)
    if options.json:
        print(json.dumps(resultats, indent=2))
        return 0
    print("| fichier | Mo | lecteur | lecture (s) | mémoire max (Mo) | voies / arêtes | nœuds |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for r in resultats:
        if "erreur" in r:
            print(f"| | | {r['lecteur']} | erreur : {r['erreur']} | | | |")
            continue
        print(
            f"| {r['fichier']} | {r['taille_mo']} | {r['lecteur']} | {r['lecture_s']} | "
            f"{r['memoire_max_mo']:.0f} | {r['voies_ou_aretes']} | {r['noeuds']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
