"""Poles: communes, BPE inventory, gammes, pole rules, zones grises, indicators, scenarios.

Networks of sites (France services, a community's service houses): :func:`lire_sites`,
:func:`choisir_perimetre`, :func:`couverture`, :func:`placement_sites`,
:func:`comparer_reseaux`.

The main job in one call::

    import poles
    resultat = poles.zones_grises("62", "bpe2013.xlsx")
    poles.ecrire_resultats(resultat, "resultats/62")
"""

from poles.apl import DECROISSANCE_DREES, DECROISSANCE_DREES_2012, Decroissance, apl, deux_sfca
from poles.base import BaseZonesGrises, base_en_memoire, lire_base
from poles.bpe import actualiser_codes, lire_bpe, nomenclature
from poles.calibrage import ResultatCalibrage, calibrer_seuils, lire_poles_nommes
from poles.communes import (
    appliquer_liste_officielle,
    charger_communes,
    charger_inventaire,
    lieux_communes,
)
from poles.comparaison import ResultatComparaison, comparer, lire_precedent
from poles.couverture import (
    ResultatComparaisonReseaux,
    ResultatCouverture,
    comparer_reseaux,
    couverture,
    placement_sites,
)
from poles.decisions import lire_poles_imposes, lire_regroupements
from poles.gammes import Gammes, Item, Niveau, charger_gammes
from poles.indicateurs import ResultatIndicateur, Service, acces_service, indicateur
from poles.perimetre import Perimetre, choisir_perimetre
from poles.placement import ResultatPlacement, placement_niveau, placement_service
from poles.regles import PoleImpose, Regle, Regroupement, SeuilNiveau, detecter_poles
from poles.scenarios import Modifications, ResultatScenario, lire_modifications, scenario
from poles.sites import lire_sites
from poles.sorties import ecrire_resultats, formater_resume
from poles.sorties_calibrage import ecrire_calibrage, formater_calibrage
from poles.sorties_comparaison import ecrire_comparaison, formater_comparaison
from poles.sorties_indicateurs import ecrire_indicateur, ecrire_placement, ecrire_scenario
from poles.sorties_sites import ecrire_comparaison_reseaux, ecrire_couverture
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
    "Perimetre",
    "PoleImpose",
    "Regle",
    "Regroupement",
    "ResultatCalibrage",
    "ResultatComparaison",
    "ResultatComparaisonReseaux",
    "ResultatCouverture",
    "ResultatIndicateur",
    "ResultatPlacement",
    "ResultatScenario",
    "ResultatZonesGrises",
    "Service",
    "SeuilNiveau",
    "acces_service",
    "actualiser_codes",
    "apl",
    "appliquer_liste_officielle",
    "base_en_memoire",
    "calibrer_seuils",
    "charger_communes",
    "charger_gammes",
    "charger_inventaire",
    "choisir_perimetre",
    "classer",
    "comparer",
    "comparer_reseaux",
    "couverture",
    "detecter_poles",
    "deux_sfca",
    "ecrire_calibrage",
    "ecrire_comparaison",
    "ecrire_comparaison_reseaux",
    "ecrire_couverture",
    "ecrire_indicateur",
    "ecrire_placement",
    "ecrire_resultats",
    "ecrire_scenario",
    "formater_calibrage",
    "formater_comparaison",
    "formater_resume",
    "indicateur",
    "lieux_communes",
    "lieux_poles",
    "lire_base",
    "lire_bpe",
    "lire_modifications",
    "lire_poles_imposes",
    "lire_poles_nommes",
    "lire_precedent",
    "lire_regroupements",
    "lire_sites",
    "nomenclature",
    "placement_niveau",
    "placement_service",
    "placement_sites",
    "resumer",
    "resumer_par_epci",
    "scenario",
    "sensibilite",
    "zones_grises",
]
