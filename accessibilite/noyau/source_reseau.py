"""The road-graph travel-time source: :class:`SourceReseau`.

Places are snapped to their nearest node (:func:`~accessibilite.noyau.lieux.placer`); the
straight connector from the place to its node is priced at a slow speed at both ends of the
trip; a place farther than the snapping limit from every road is off the network: reported,
its times are ``inf`` (never silently snapped to a far road). The nearest target of every
place costs one multi-source search (:func:`~accessibilite.noyau.routage.plus_proche`) on
the reverse graph.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from accessibilite.noyau.lieux import Lieux, Placement, placer
from accessibilite.noyau.sources import memes_codes, ramener_memes_codes
from reseau.accrochage import DISTANCE_MAX_M
from reseau.graphe import Graphe
from socle.erreurs import DonneesInvalides

__all__ = ["PART_HORS_RESEAU_MAX", "SourceReseau"]

#: Above this share of origins off the network (and more than 10 of them), the network
#: does not cover the area: an error rather than a list of unknown times.
PART_HORS_RESEAU_MAX = 0.05

logger = logging.getLogger(__name__)


class SourceReseau:
    """Car travel times on an OpenStreetMap road graph (peak-hour speed model).

    Parameters
    ----------
    graphe
        The road graph (built by ``accessibilite reseau construire``).
    distance_max_m
        A place farther than this from every node is off the network.
    libelle
        Text naming the network in outputs (default: from the graph's metadata).
    """

    nom = "osm"
    #: Any point is snapped to the graph (within the snapping limit).
    accepte_points = True

    def __init__(
        self,
        graphe: Graphe,
        *,
        distance_max_m: float = DISTANCE_MAX_M,
        libelle: str | None = None,
    ) -> None:
        if graphe.x is None or graphe.y is None or graphe.crs is None:
            raise DonneesInvalides(
                "Le réseau n'a pas de coordonnées ou de CRS : impossible d'y placer les communes."
            )
        self.graphe = graphe
        self.distance_max_m = distance_max_m
        self._libelle = libelle
        self.fichier: Path | None = None
        self.hors_reseau: list[str] = []

    @classmethod
    def depuis_fichier(cls, chemin: str | Path, **options: float) -> SourceReseau:
        """Load a saved graph (memory-mapped) and wrap it."""
        from reseau.stockage import charger_graphe

        graphe = charger_graphe(chemin)
        source = cls(
            graphe, libelle=f"réseau routier OpenStreetMap ({Path(chemin).name})", **options
        )
        source.fichier = Path(chemin)
        return source

    def description(self) -> str:
        texte = self._libelle or "réseau routier OpenStreetMap"
        date = self.date_osm()
        if date:
            texte += f", données OSM du {date}"
        return (
            f"{texte} : temps en voiture à l'heure pleine ({self.graphe.n_noeuds:,} nœuds)"
        ).replace(",", " ")

    def date_osm(self) -> str:
        """Date of the OpenStreetMap data (``YYYY-MM-DD``) when the source file gave it."""
        source = self.graphe.metadonnees.get("source") or {}
        date = source.get("date_osm") if isinstance(source, dict) else None
        return str(date)[:10] if date else ""

    def provenance(self) -> dict[str, object]:
        """What the times were computed on, for the outputs to cite."""
        fiche: dict[str, object] = {"nom": "OpenStreetMap (réseau routier)"}
        if self.fichier is not None:
            from socle.telechargement import provenance

            fiche.update(provenance(self.fichier))
            fiche["nom"] = "OpenStreetMap (réseau routier)"
        source = self.graphe.metadonnees.get("source") or {}
        if isinstance(source, dict) and source.get("fichier"):
            fiche["extrait"] = source["fichier"]
        fiche["date"] = self.date_osm() or fiche.get("date", "")
        fiche["vitesses"] = self.graphe.metadonnees.get("vitesses")
        return fiche

    def _placer(self, lieux: Lieux, role: str) -> Placement:
        placement = placer(
            self.graphe,
            lieux,
            distance_max_m=self.distance_max_m,
            role=role,
            part_max_hors_reseau=PART_HORS_RESEAU_MAX if role == "origines" else None,
        )
        self.hors_reseau += placement.codes_hors_reseau()
        return placement

    def plus_proche(
        self, origines: Lieux, cibles: Lieux
    ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        if len(cibles) == 0:
            raise DonneesInvalides(
                "Aucune cible (pôle ou équipement) : impossible de chercher la plus proche."
            )
        acc_c = self._placer(cibles, "cibles")
        sur_reseau = acc_c.sur_reseau
        if sur_reseau.size == 0:
            raise DonneesInvalides(
                "Aucune cible n'est sur le réseau routier : vérifiez son emprise."
            )
        acc_o = self._placer(origines, "origines")
        from accessibilite.noyau.routage import plus_proche  # numba: loaded when used

        temps_noeud, quelle = plus_proche(
            self.graphe,
            acc_c.noeud[sur_reseau],
            inverse=True,
            temps_depart_s=acc_c.temps_s[sur_reseau],
        )
        temps = np.full(len(origines), np.inf)
        indice = np.full(len(origines), -1, dtype=np.int64)
        ok = ~acc_o.hors_reseau
        noeuds = acc_o.noeud[ok]
        trouve = quelle[noeuds] >= 0
        temps_ok = np.where(trouve, temps_noeud[noeuds] + acc_o.temps_s[ok], np.inf)
        indice_ok = np.where(trouve, sur_reseau[np.maximum(quelle[noeuds], 0)], -1)
        temps[ok], indice[ok] = temps_ok, indice_ok
        ramener_memes_codes(origines, cibles, temps, indice)
        return temps, indice

    def matrice(self, origines: Lieux, destinations: Lieux) -> NDArray[np.float64]:
        acc_o = self._placer(origines, "origines")
        acc_d = self._placer(destinations, "destinations")
        temps = np.full((len(origines), len(destinations)), np.inf)
        ok_o, ok_d = acc_o.sur_reseau, acc_d.sur_reseau
        if ok_o.size and ok_d.size:
            from accessibilite.noyau.routage import matrice_temps

            bloc = matrice_temps(self.graphe, acc_o.noeud[ok_o], acc_d.noeud[ok_d])
            bloc = bloc + acc_o.temps_s[ok_o][:, None] + acc_d.temps_s[ok_d][None, :]
            temps[np.ix_(ok_o, ok_d)] = bloc
        temps[memes_codes(origines, destinations)] = 0.0
        return temps
