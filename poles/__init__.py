"""Poles: communes, BPE inventory, gammes, pole rules, zones grises, indicators, scenarios.

The main job in one call::

    import poles
    resultat = poles.zones_grises("62", "bpe2013.xlsx")
    poles.ecrire_resultats(resultat, "resultats/62")
"""

from poles.apl import DECROISSANCE_DREES, DECROISSANCE_DREES_2012, Decroissance, apl, deux_sfca
from poles.base import BaseZonesGrises, base_en_memoire, lire_base
from poles.bpe import actualiser_codes, lire_bpe, nomenclature
from poles.communes import (
    appliquer_liste_officielle,
    charger_communes,
    charger_inventaire,
    lieux_communes,
)
from poles.gammes import Gammes, Item, Niveau, charger_gammes
from poles.indicateurs import ResultatIndicateur, Service, acces_service, indicateur
from poles.placement import ResultatPlacement, placement_niveau, placement_service
from poles.regles import Regle, detecter_poles
from poles.scenarios import Modifications, ResultatScenario, lire_modifications, scenario
from poles.sorties import ecrire_resultats, formater_resume
from poles.sorties_indicateurs import ecrire_indicateur, ecrire_placement, ecrire_scenario
from poles.zones_grises import (
    ResultatZonesGrises,
    classer,
    lieux_poles,
    resumer,
    resumer_par_epci,
    sensibilite,
    zones_grises,
)

__all__ = [
    "DECROISSANCE_DREES",
    "DECROISSANCE_DREES_2012",
    "BaseZonesGrises",
    "Decroissance",
    "Gammes",
    "Item",
    "Modifications",
    "Niveau",
    "Regle",
    "ResultatIndicateur",
    "ResultatPlacement",
    "ResultatScenario",
    "ResultatZonesGrises",
    "Service",
    "acces_service",
    "actualiser_codes",
    "apl",
    "appliquer_liste_officielle",
    "base_en_memoire",
    "charger_communes",
    "charger_gammes",
    "charger_inventaire",
    "classer",
    "detecter_poles",
    "deux_sfca",
    "ecrire_indicateur",
    "ecrire_placement",
    "ecrire_resultats",
    "ecrire_scenario",
    "formater_resume",
    "indicateur",
    "lieux_communes",
    "lieux_poles",
    "lire_base",
    "lire_bpe",
    "lire_modifications",
    "nomenclature",
    "placement_niveau",
    "placement_service",
    "resumer",
    "resumer_par_epci",
    "scenario",
    "sensibilite",
    "zones_grises",
]
