"""A summary of a road graph for people: :func:`decrire_graphe` (``accessibilite reseau info``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from reseau.graphe import Graphe
from reseau.vitesses import CLASSES, SOURCES_VITESSE

__all__ = ["decrire_graphe"]


def decrire_graphe(graphe: Graphe) -> dict[str, Any]:
    """Facts about a graph: sizes, km and arcs by road class, speed sources, cleaning.

    Returns
    -------
    dict
        ``n_noeuds``, ``n_arcs``, ``crs``, ``octets_routage_par_arc``, ``classes`` (class →
        ``{"arcs", "km"}``; a two-way street counts once per direction), ``sources_vitesse``
        (source → ``{"arcs", "km"}``), ``composantes`` (dropped components), and the build
        facts of the metadata (``source``, ``date``, ``vitesses``, ``exclusions``,
        ``maxspeed_illisibles``...) when present.
    """
    meta = dict(graphe.metadonnees)
    octets = sum(
        np.asarray(getattr(graphe, nom)).nbytes
        for nom in ("indices", "temps_s", "indices_inv", "temps_s_inv", "arc_inv")
    )
    faits: dict[str, Any] = {
        "n_noeuds": graphe.n_noeuds,
        "n_arcs": graphe.n_arcs,
        "crs": graphe.crs,
        "octets_routage_par_arc": octets / max(graphe.n_arcs, 1),
    }
    longueur = graphe.attributs_arcs.get("longueur_m")
    km = (
        np.asarray(longueur, dtype=np.float64) / 1000.0
        if longueur is not None
        else np.zeros(graphe.n_arcs)
    )
    for cle, noms in (("classe", CLASSES), ("source_vitesse", SOURCES_VITESSE)):
        codes = graphe.attributs_arcs.get(cle)
        if codes is None:
            continue
        codes = np.asarray(codes, dtype=np.int64)
        arcs = np.bincount(codes, minlength=len(noms))
        somme = np.bincount(codes, weights=km, minlength=len(noms))
        faits["classes" if cle == "classe" else "sources_vitesse"] = {
            (noms[k] if k < len(noms) else str(k)): {"arcs": int(arcs[k]), "km": float(somme[k])}
            for k in np.flatnonzero(arcs)
        }
    faits["km_total"] = float(km.sum())
    for cle in (
        "composantes",
        "source",
        "date",
        "constructeur",
        "vitesses",
        "emprise",
        "voies_lues",
        "voies_gardees",
        "exclusions",
        "maxspeed_illisibles",
        "maxspeed_illisibles_total",
        "oneway_inconnus",
        "arcs_paralleles_supprimes",
        "feux",
        "carrefours",
        "bacs",
        "duree_construction_s",
    ):
        if cle in meta:
            faits[cle] = meta[cle]
    return faits
