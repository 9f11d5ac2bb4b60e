"""New peak-hour factors on a built graph, without rebuilding it.

An arc's time is ``length / (free speed × peak factor) + delay``; the graph keeps per arc
its length, class and the peak speed used (``vitesse_kmh``), so the moving part of the time
can be scaled per road class and the delays (junctions, traffic lights, ferry boarding)
kept: :func:`multiplier_temps_classes` does it for any multipliers,
:func:`appliquer_facteurs_pointe` for new factors (the old ones are the speed table's the
graph was built with, checked through its fingerprint).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from reseau.graphe import Graphe
from reseau.vitesses import CLASSES, ModeleVitesses, charger_vitesses, code_classe
from socle.erreurs import DonneesInvalides

__all__ = ["appliquer_facteurs_pointe", "facteurs_pointe", "multiplier_temps_classes"]


def facteurs_pointe(modele: ModeleVitesses | None = None) -> dict[str, float]:
    """Peak-hour factor of each road class of a speed table (default: the shipped one)."""
    modele = modele or charger_vitesses()
    return {nom: p.facteur_pointe for nom, p in modele.classes.items()}


def multiplier_temps_classes(graphe: Graphe, multiplicateurs: Mapping[str, float]) -> Graphe:
    """The same graph with the moving part of each arc's time multiplied per road class.

    ``multiplicateurs`` maps class names (``reseau.CLASSES``) to factors > 0; other classes
    keep their times. Delays are kept as they were.

    Raises
    ------
    DonneesInvalides
        The graph has no per-arc ``longueur_m``, ``classe`` and ``vitesse_kmh``, or a
        multiplier is not a positive finite number.
    """
    attributs = graphe.attributs_arcs
    manquants = [a for a in ("longueur_m", "classe", "vitesse_kmh") if a not in attributs]
    if manquants:
        raise DonneesInvalides(
            f"Le réseau n'a pas les attributs d'arc {', '.join(manquants)} : reconstruisez-le "
            "avec « accessibilite reseau construire » pour changer ses facteurs d'heure pleine."
        )
    par_code = np.ones(len(CLASSES), dtype=np.float64)
    for nom, valeur in multiplicateurs.items():
        if not np.isfinite(valeur) or valeur <= 0:
            raise DonneesInvalides(f"Multiplicateur de la classe {nom} invalide ({valeur}).")
        par_code[code_classe(nom)] = float(valeur)
    longueur = np.asarray(attributs["longueur_m"], dtype=np.float64)
    vitesse = np.asarray(attributs["vitesse_kmh"], dtype=np.float64)
    classe = np.asarray(attributs["classe"], dtype=np.int64)
    temps = np.asarray(graphe.temps_s, dtype=np.float64)
    roulage = np.where(vitesse > 0, longueur / np.maximum(vitesse, 1e-9) * 3.6, 0.0)
    roulage = np.minimum(roulage, temps)  # float32 rounding: the delay is never negative
    nouveau = (temps - roulage + roulage * par_code[classe]).astype(np.float32)
    return dataclasses.replace(
        graphe,
        temps_s=nouveau,
        temps_s_inv=nouveau[np.asarray(graphe.arc_inv, dtype=np.int64)],
    )


def appliquer_facteurs_pointe(
    graphe: Graphe,
    facteurs: Mapping[str, float],
    *,
    modele: ModeleVitesses | None = None,
) -> Graphe:
    """The graph with new peak-hour factors for some road classes.

    Parameters
    ----------
    graphe
        A graph built by ``accessibilite reseau construire``.
    facteurs
        New peak-hour factor per class name (0 < f <= 1.5).
    modele
        The speed table the graph was built with (default: the shipped one, whose
        fingerprint must match the graph's).

    Raises
    ------
    DonneesInvalides
        A factor out of range, or the graph was built with another speed table than
        ``modele``.
    """
    modele = modele or charger_vitesses()
    empreinte = (graphe.metadonnees.get("vitesses") or {}).get("empreinte")
    if empreinte is not None and empreinte != modele.empreinte:
        raise DonneesInvalides(
            "Le réseau a été construit avec une autre table de vitesses que celle de la "
            "calibration : reconstruisez-le avec les facteurs calibrés (accessibilite reseau "
            "construire --vitesses FICHIER, le fichier de vitesses écrit à côté de la "
            "calibration)."
        )
    anciens = facteurs_pointe(modele)
    multiplicateurs = {}
    for nom, f in facteurs.items():
        if nom not in anciens:
            raise DonneesInvalides(f"Classe de route inconnue dans les facteurs : {nom}.")
        if not np.isfinite(f) or not 0 < f <= 1.5:
            raise DonneesInvalides(f"Facteur d'heure pleine de {nom} hors de ]0 ; 1,5] : {f}.")
        multiplicateurs[nom] = anciens[nom] / f
    resultat = multiplier_temps_classes(graphe, multiplicateurs)
    meta = dict(resultat.metadonnees)
    meta["facteurs_pointe_recales"] = dict(facteurs)
    return dataclasses.replace(resultat, metadonnees=meta)
