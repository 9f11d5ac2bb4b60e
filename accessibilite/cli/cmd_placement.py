"""``accessibilite placement``: where K new poles or equipments would help the most."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accessibilite.cli._base import Analyseur
from accessibilite.cli._options_acces import (
    AIDE_SOURCES,
    ajouter_option_ecraser,
    ajouter_options_source,
    ajouter_options_temps,
    etape,
)
from accessibilite.cli._options_sites import AIDE_SITES, ajouter_options_sites
from accessibilite.cli._options_sortie import ajouter_option_csv

if TYPE_CHECKING:
    from poles.placement import ResultatPlacement

__all__ = ["ajouter"]

_AIDE = f"""\
Propose les K communes où un nouveau pôle (ou un nouvel équipement) ferait sortir de zone
grise le plus d'habitants : à chaque étape, la commune qui sort le plus d'habitants pas
encore sortis (choix glouton de couverture maximale sur la matrice des temps entre les
communes en zone grise et les communes candidates), avec le gain de chaque étape.

Deux façons de l'utiliser :
  sur un niveau d'un résultat de zones grises (--base DOSSIER --niveau NIVEAU) : candidates,
  les communes du département qui ne sont pas pôles de ce niveau ; la source des temps est
  celle de la base ;
  sur un type de service (--departement, --bpe, --service, --seuil) : candidates, les
  communes du département sans cet équipement ;
  sur un réseau de sites (--departement, --sites, --objectif) : le prochain site, celui
  qui amène le plus d'habitants à l'objectif ou moins ; candidates, les communes du
  --perimetre sans site, ou les lieux d'un fichier --candidats (même format que les sites :
  codes de communes, points, adresses).

{AIDE_SITES}
{AIDE_SOURCES}
Sorties dans --sortie (facultatif) : placement.csv, placement.gpkg (couches propositions et
zone_grise), parametres.json.

Exemples :
  accessibilite placement --base resultats/62 --niveau proximite -k 3
  accessibilite placement --departement 62 --bpe bpe2013.xlsx --service medecin --seuil 10 -k 5
  accessibilite placement --departement 62 --sites maisons_services.csv --objectif 15 \\
      --perimetre 200069037 -k 2
"""


def ajouter(sous: Any) -> None:
    """Register the ``placement`` sub-command."""
    p: Analyseur = sous.add_parser(
        "placement",
        help="communes où un nouveau pôle sortirait le plus d'habitants de zone grise",
        description=_AIDE,
    )
    p.add_argument("--base", type=Path, help="dossier de sortie d'accessibilite zones-grises")
    p.add_argument("--niveau", help="niveau de la base (proximite, intermediaire, superieur)")
    p.add_argument("--departement", help="code INSEE du département (avec --service)")
    p.add_argument("--bpe", type=Path, help="fichier de la BPE (avec --service)")
    p.add_argument("--service", help="code TYPEQU ou nom de service (voir indicateur --services)")
    p.add_argument("--seuil", type=float, help="seuil en minutes (avec --service)")
    p.add_argument("-k", type=int, default=3, help="nombre de communes à proposer (défaut 3)")
    ajouter_options_sites(p)
    p.add_argument(
        "--candidats",
        type=Path,
        help="avec --sites : fichier des lieux candidats (défaut : les communes sans site)",
    )
    ajouter_options_temps(p, temps_interne_defaut=True)
    ajouter_options_source(p)
    p.add_argument("--sortie", type=Path, help="dossier où écrire les propositions")
    ajouter_option_ecraser(p)
    ajouter_option_csv(p)
    p.set_defaults(executer=executer)


def _placement_base(options: argparse.Namespace) -> ResultatPlacement:
    from accessibilite.cli._options_acces import source_de_remplacement
    from poles.base import lire_base
    from poles.placement import placement_niveau
    from socle.erreurs import DonneesInvalides

    if options.niveau is None:
        raise DonneesInvalides("--base demande --niveau (par exemple --niveau proximite).")
    etape(f"relecture de la base {options.base}")
    base = lire_base(options.base, source=source_de_remplacement(options))
    etape(f"matrice des temps et choix glouton ({options.k} communes)")
    return placement_niveau(base, options.niveau, options.k)


def _placement_service(options: argparse.Namespace) -> ResultatPlacement:
    from accessibilite.cli._options_acces import source_depuis_options
    from poles.bpe import actualiser_codes, lire_bpe
    from poles.communes import charger_communes
    from poles.indicateurs import resoudre_service
    from poles.placement import placement_service
    from socle.erreurs import DonneesInvalides
    from socle.territoire import code_departement

    manquantes = [
        f"--{nom}" for nom in ("departement", "bpe", "service") if getattr(options, nom) is None
    ]
    if manquantes:
        raise DonneesInvalides(
            f"Sans --base, il faut {', '.join(manquantes)} (voir « accessibilite placement "
            "--help »)."
        )
    service = resoudre_service(options.service)
    seuil = options.seuil
    if seuil is None:
        if not service.seuils_min:
            raise DonneesInvalides("Donnez --seuil (minutes) pour ce service.")
        seuil = service.seuils_min[0]
    departement = code_departement(options.departement)
    source = source_depuis_options(options)
    etape("communes et équipements")
    communes = charger_communes(departement, tampon_km=options.tampon_km)
    equipements = actualiser_codes(lire_bpe(options.bpe))
    equipements = equipements[equipements["code_commune"].isin(communes["code"])]
    etape(f"temps d'accès, matrice des temps et choix glouton ({options.k} communes)")
    resultat = placement_service(communes, equipements, service, source, seuil, options.k)
    resultat.parametres["departement"] = departement
    return resultat


def executer(options: argparse.Namespace) -> int:
    """Compute the proposals, print them, write them if asked."""
    from poles.sorties_indicateurs import formater_placement
    from socle.erreurs import DonneesInvalides

    if options.k < 1:
        raise DonneesInvalides("-k doit être un entier >= 1.")
    if options.sites is not None:
        resultat = _placement_sites(options)
        print(formater_placement(resultat))
        _ecrire(options, resultat)
        return 0
    if options.candidats is not None:
        raise DonneesInvalides("--candidats vaut pour un réseau de sites (--sites).")
    from accessibilite.cli._options_sites import refuser_temps_sans_sites

    refuser_temps_sans_sites(options)
    if options.base is not None and options.service is not None:
        raise DonneesInvalides("Choisissez --base (niveau) ou --service, pas les deux.")
    if options.base is None and options.service is None:
        raise DonneesInvalides(
            "Donnez --base DOSSIER --niveau NIVEAU, ou --service avec --departement et --bpe."
        )
    resultat = _placement_base(options) if options.base is not None else _placement_service(options)
    print(formater_placement(resultat))
    _ecrire(options, resultat)
    return 0


def _ecrire(options: argparse.Namespace, resultat: ResultatPlacement) -> None:
    from poles.sorties_indicateurs import ecrire_placement

    if options.sortie is not None:
        from socle.dossiers import dossier_resultat

        etape(f"écriture des propositions dans {options.sortie}")
        with dossier_resultat(
            options.sortie, commande="placement", ecraser=options.ecraser
        ) as dossier:
            ecrire_placement(resultat, dossier, csv=options.csv)
        print(f"\nRésultats : {options.sortie}/")


def _placement_sites(options: argparse.Namespace) -> ResultatPlacement:
    from accessibilite.cli._options_acces import options_temps, source_depuis_options
    from accessibilite.cli._options_sites import options_geocodage
    from poles.couverture import placement_sites
    from socle.erreurs import DonneesInvalides
    from socle.territoire import code_departement

    autres = [f"--{n}" for n in ("base", "service", "bpe") if getattr(options, n) is not None]
    if autres:
        raise DonneesInvalides(f"--sites ne se combine pas avec {', '.join(autres)}.")
    objectif = options.objectif if options.objectif is not None else options.seuil
    manquantes = [
        nom
        for nom, valeur in (("--departement", options.departement), ("--objectif", objectif))
        if valeur is None
    ]
    if manquantes:
        raise DonneesInvalides(f"--sites demande {' et '.join(manquantes)}.")
    etape(f"temps au réseau de {options.sites.name} et choix glouton ({options.k} sites)")
    return placement_sites(
        code_departement(options.departement),
        options.sites,
        objectif,
        options.k,
        source=source_depuis_options(options),
        candidats=options.candidats,
        perimetre=options.perimetre,
        tampon_km=options.tampon_km,
        **options_geocodage(options),
        **options_temps(options),
    )
