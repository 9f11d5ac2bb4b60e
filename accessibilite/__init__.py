"""accessibilite: car travel times, service poles and SDAASP zones grises.

The notebook façade: every public function of the project, from one import::

    import accessibilite as acc

    resultat = acc.zones_grises("62", "bpe2013.xlsx")
    acc.ecrire_resultats(resultat, "resultats/62")
    temps = acc.matrice_temps(acc.charger_graphe("reseau_62.graphe"), origines, destinations)

The names are resolved on first use (PEP 562), so ``import accessibilite`` loads neither
numba nor pandas; each comes from the floor that defines it (``socle``, ``reseau``, the
compute core ``accessibilite.noyau``, ``poles``, ``isochrones``, ``cartes``). The package
also holds the command-line interface (:mod:`accessibilite.cli`), which sits above all of
them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> module defining it.
_NOMS: dict[str, str] = {
    # errors
    **dict.fromkeys(
        [
            "CacheCorrompu",
            "DependanceManquante",
            "DonneesInvalides",
            "DonneesManquantes",
            "ErreurAccessibilite",
            "ErreurDistribuee",
            "ErreurEcriture",
            "ErreurReseau",
            "ErreurTelechargement",
            "SansCRS",
        ],
        "socle.erreurs",
    ),
    "CRS_LAMBERT93": "socle.territoire",
    "code_departement": "socle.territoire",
    # the road graph
    **dict.fromkeys(
        [
            "Graphe",
            "construire_graphe",
            "charger_graphe",
            "sauvegarder_graphe",
            "accrocher",
            "graphe_en_gdf",
            "exporter_graphe",
        ],
        "reseau",
    ),
    # the compute core
    **dict.fromkeys(
        ["matrice_temps", "matrice_temps_blocs", "matrice_temps_longue", "plus_proche"],
        "accessibilite.noyau.routage",
    ),
    **dict.fromkeys(
        [
            "Hierarchie",
            "charger_hierarchie",
            "construire_hierarchie",
            "hierarchie_en_cache",
            "matrice_ch",
            "plus_proche_ch",
            "recontracter",
            "sauvegarder_hierarchie",
        ],
        "accessibilite.noyau.hierarchie",
    ),
    "Lieux": "accessibilite.noyau.lieux",
    "en_lieux": "accessibilite.noyau.lieux",
    "placer": "accessibilite.noyau.lieux",
    **dict.fromkeys(["temps_trajets", "plus_proche_lieu"], "accessibilite.noyau.trajets"),
    **dict.fromkeys(
        [
            "Ajustement",
            "SourceMatrice",
            "SourceTemps",
            "SourceVolOiseau",
            "ajuster_vol_oiseau",
            "lire_matrice",
        ],
        "accessibilite.noyau.sources",
    ),
    "SourceReseau": "accessibilite.noyau.source_reseau",
    **dict.fromkeys(["Bande", "bande_defaut"], "accessibilite.noyau.incertitude"),
    **dict.fromkeys(
        ["ModeleTempsInterne", "SourceAvecTempsInterne"], "accessibilite.noyau.temps_interne"
    ),
    **dict.fromkeys(["Calibration", "lire_calibration"], "accessibilite.noyau.calibration"),
    **dict.fromkeys(["calibrer", "lire_reference", "rapport_calibration"], "poles.calibration"),
    # poles, zones grises, indicators
    **dict.fromkeys(
        [
            "charger_communes",
            "charger_gammes",
            "comparer_reseaux",
            "couverture",
            "detecter_poles",
            "ecrire_couverture",
            "ecrire_indicateur",
            "ecrire_resultats",
            "indicateur",
            "lire_bpe",
            "lire_sites",
            "placement_sites",
            "scenario",
            "sensibilite",
            "zones_grises",
            "Regle",
            "calibrer_seuils",
            "comparer",
            "lire_poles_imposes",
            "lire_regroupements",
        ],
        "poles",
    ),
    # isochrones and catchments
    **dict.fromkeys(["bassins", "isochrones_points", "isochrones_source"], "isochrones"),
    # maps
    **dict.fromkeys(
        ["carte_interactive", "carte_statique", "ecrire_cartes", "ecrire_cartes_sites"], "cartes"
    ),
}

__all__ = [
    "CRS_LAMBERT93",
    "Ajustement",
    "Bande",
    "CacheCorrompu",
    "Calibration",
    "DependanceManquante",
    "DonneesInvalides",
    "DonneesManquantes",
    "ErreurAccessibilite",
    "ErreurDistribuee",
    "ErreurEcriture",
    "ErreurReseau",
    "ErreurTelechargement",
    "Graphe",
    "Hierarchie",
    "Lieux",
    "ModeleTempsInterne",
    "Regle",
    "SansCRS",
    "SourceAvecTempsInterne",
    "SourceMatrice",
    "SourceReseau",
    "SourceTemps",
    "SourceVolOiseau",
    "accrocher",
    "ajuster_vol_oiseau",
    "bande_defaut",
    "bassins",
    "calibrer",
    "calibrer_seuils",
    "carte_interactive",
    "carte_statique",
    "charger_communes",
    "charger_gammes",
    "charger_graphe",
    "charger_hierarchie",
    "code_departement",
    "comparer",
    "comparer_reseaux",
    "construire_graphe",
    "construire_hierarchie",
    "couverture",
    "detecter_poles",
    "ecrire_cartes",
    "ecrire_cartes_sites",
    "ecrire_couverture",
    "ecrire_indicateur",
    "ecrire_resultats",
    "en_lieux",
    "exporter_graphe",
    "graphe_en_gdf",
    "hierarchie_en_cache",
    "indicateur",
    "isochrones_points",
    "isochrones_source",
    "lire_bpe",
    "lire_calibration",
    "lire_matrice",
    "lire_poles_imposes",
    "lire_reference",
    "lire_regroupements",
    "lire_sites",
    "matrice_ch",
    "matrice_temps",
    "matrice_temps_blocs",
    "matrice_temps_longue",
    "placement_sites",
    "placer",
    "plus_proche",
    "plus_proche_ch",
    "plus_proche_lieu",
    "rapport_calibration",
    "recontracter",
    "sauvegarder_graphe",
    "sauvegarder_hierarchie",
    "scenario",
    "sensibilite",
    "temps_trajets",
    "zones_grises",
]


def __getattr__(nom: str) -> Any:
    module = _NOMS.get(nom)
    if module is None:
        raise AttributeError(f"module 'accessibilite' has no attribute {nom!r}")
    valeur = getattr(importlib.import_module(module), nom)
    globals()[nom] = valeur  # resolved once
    return valeur


def __dir__() -> list[str]:
    return sorted([*globals(), *_NOMS])


if TYPE_CHECKING:  # static names for type checkers and IDEs
    from accessibilite.noyau.calibration import Calibration, lire_calibration
    from accessibilite.noyau.hierarchie import (
        Hierarchie,
        charger_hierarchie,
        construire_hierarchie,
        hierarchie_en_cache,
        matrice_ch,
        plus_proche_ch,
        recontracter,
        sauvegarder_hierarchie,
    )
    from accessibilite.noyau.incertitude import Bande, bande_defaut
    from accessibilite.noyau.lieux import Lieux, en_lieux, placer
    from accessibilite.noyau.routage import (
        matrice_temps,
        matrice_temps_blocs,
        matrice_temps_longue,
        plus_proche,
    )
    from accessibilite.noyau.source_reseau import SourceReseau
    from accessibilite.noyau.sources import (
        Ajustement,
        SourceMatrice,
        SourceTemps,
        SourceVolOiseau,
        ajuster_vol_oiseau,
        lire_matrice,
    )
    from accessibilite.noyau.temps_interne import ModeleTempsInterne, SourceAvecTempsInterne
    from accessibilite.noyau.trajets import plus_proche_lieu, temps_trajets
    from cartes import carte_interactive, carte_statique, ecrire_cartes, ecrire_cartes_sites
    from isochrones import bassins, isochrones_points, isochrones_source
    from poles import (
        Regle,
        calibrer_seuils,
        charger_communes,
        charger_gammes,
        comparer,
        comparer_reseaux,
        couverture,
        detecter_poles,
        ecrire_couverture,
        ecrire_indicateur,
        ecrire_resultats,
        indicateur,
        lire_bpe,
        lire_poles_imposes,
        lire_regroupements,
        lire_sites,
        placement_sites,
        scenario,
        sensibilite,
        zones_grises,
    )
    from poles.calibration import calibrer, lire_reference, rapport_calibration
    from reseau import (
        Graphe,
        accrocher,
        charger_graphe,
        construire_graphe,
        exporter_graphe,
        graphe_en_gdf,
        sauvegarder_graphe,
    )
    from socle.erreurs import (
        CacheCorrompu,
        DependanceManquante,
        DonneesInvalides,
        DonneesManquantes,
        ErreurAccessibilite,
        ErreurDistribuee,
        ErreurEcriture,
        ErreurReseau,
        ErreurTelechargement,
        SansCRS,
    )
    from socle.territoire import CRS_LAMBERT93, code_departement
