"""``accessibilite scenario``: what a change of equipments or poles does to the zones grises."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from accessibilite.cli._base import Analyseur
from accessibilite.cli._options_acces import (
    ajouter_option_ecraser,
    ajouter_options_source,
    ajouter_options_temps,
    etape,
    source_de_remplacement,
)
from accessibilite.cli._options_dask import AIDE_DASK, ajouter_options_dask
from accessibilite.cli._options_sites import AIDE_SITES, ajouter_options_sites
from accessibilite.cli._options_sortie import ajouter_option_csv

__all__ = ["ajouter"]

_AIDE = f"""\
Applique un scénario (ajout ou retrait d'équipements, pôles forcés ou supprimés) à un
résultat de « accessibilite zones-grises » et ne recalcule que ce qui change : les communes
dont le pôle le plus proche disparaît cherchent un nouveau pôle ; pour les pôles ajoutés, un
seul calcul des temps vers les nouveaux pôles. La base est rejouée à l'identique à partir de
son parametres.json (même BPE, mêmes gammes, même règle, même source, même tampon).

Fichier de modifications (TOML), par exemple :

  description = "Fermeture d'une pharmacie, ouverture d'un cabinet médical"

  [[retrait]]
  commune = "62041"      # code INSEE, entre guillemets
  typequ = "D301"
  nombre = 1             # facultatif : par défaut tous les équipements de ce type

  [[ajout]]
  commune = "62001"
  typequ = "D201"
  nombre = 2             # facultatif : 1 par défaut

  [[pole]]
  commune = "62160"
  niveau = "superieur"
  actif = false          # true : pôle forcé ; false : pôle supprimé

Sorties dans --sortie (défaut : <base>/scenario_<nom du fichier>) : avant_apres.csv (par
commune et niveau : pôle, temps et zone grise avant/après), bilan.csv (par niveau : communes
et population qui entrent en zone grise ou en sortent, variation du temps moyen),
scenario.gpkg (couches difference et poles_modifies), parametres.json, modifications.toml.

Plusieurs fichiers (--modifications a.toml b.toml c.toml) : un scénario par fichier, chacun
une tâche (ici ou sur Dask avec --dask), dans <--sortie ou base>/scenario_<nom du fichier> ;
relancer la même commande saute les scénarios déjà faits.

{AIDE_DASK}
Un réseau de sites avec et sans un site (--sites, --departement, --objectif, et --sans
ID_OU_NOM[,...] ou --avec FICHIER) : les deux réseaux sont calculés en entier sur les mêmes
communes (--perimetre) et la même source ; sorties dans --sortie (défaut :
resultats/<département>/comparaison_<fichier des sites>) : avant_apres.csv (par commune :
site, temps, au-delà de l'objectif avant et après), bilan.csv (population au-delà avant et
après, communes qui passent au-delà ou reviennent dans l'objectif), comparaison.gpkg,
parametres.json.

{AIDE_SITES}
Exemples :
  accessibilite scenario --base resultats/62 --modifications scenario.toml
  accessibilite scenario --base resultats/62 --modifications scenarios/*.toml --dask local
  accessibilite scenario --departement 62 --sites maisons_services.csv --objectif 15 \\
      --perimetre 200069037 --sans Thérouanne
"""


def ajouter(sous: Any) -> None:
    """Register the ``scenario`` sub-command."""
    p: Analyseur = sous.add_parser(
        "scenario",
        help="avant/après d'un scénario (équipements ou pôles ajoutés ou retirés)",
        description=_AIDE,
    )
    p.add_argument("--base", type=Path, help="dossier de sortie d'accessibilite zones-grises")
    p.add_argument(
        "--modifications",
        type=Path,
        nargs="+",
        help="fichier(s) TOML des modifications (plusieurs : un scénario par fichier)",
    )
    p.add_argument(
        "--sortie",
        type=Path,
        help="dossier des résultats du scénario (plusieurs fichiers : dossier qui reçoit "
        "un scenario_<nom> par fichier)",
    )
    ajouter_option_ecraser(p)
    p.add_argument(
        "--matrice",
        type=Path,
        help="matrice de la base, si elle a changé de place (source « matrice »)",
    )
    p.add_argument(
        "--reseau", type=Path, help="réseau de la base, s'il a changé de place (source « osm »)"
    )
    p.add_argument("--departement", help="département du réseau de sites (avec --sites)")
    ajouter_options_sites(p)
    p.add_argument(
        "--sans", help="sites retirés du réseau : id, nom ou code_insee, séparés par des virgules"
    )
    p.add_argument("--avec", type=Path, help="fichier de sites ajoutés au réseau")
    ajouter_options_source(p, fichiers=False)
    ajouter_options_temps(p, temps_interne_defaut=True)
    ajouter_option_csv(p)
    ajouter_options_dask(p)
    p.set_defaults(executer=executer)


def executer(options: argparse.Namespace) -> int:
    """Run the scenario, write the files, print the balance."""
    from poles.base import lire_base
    from poles.scenarios import lire_modifications, scenario
    from poles.sorties_indicateurs import ecrire_scenario, formater_bilan
    from socle.dossiers import dossier_resultat
    from socle.erreurs import DonneesInvalides
    from socle.symbologie import texte_fr

    if options.sites is not None:
        return _executer_sites(options)
    from accessibilite.cli._options_sites import refuser_temps_sans_sites

    refuser_temps_sans_sites(options)
    if options.base is None or options.modifications is None:
        raise DonneesInvalides(
            "Donnez --base DOSSIER et --modifications FICHIER.toml (scénario de zones grises), "
            "ou --sites FICHIER avec --departement, --objectif et --sans ou --avec (réseau de "
            "sites)."
        )
    if len(options.modifications) > 1 or options.dask is not None:
        return _executer_plusieurs(options)
    fichier = options.modifications[0]
    etape("lecture du scénario")
    modifications = lire_modifications(fichier)
    etape(f"relecture de la base {options.base} (communes, BPE, pôles)")
    base = lire_base(options.base, source=source_de_remplacement(options))
    etape("application du scénario et recalcul des temps qui changent")
    resultat = scenario(base, modifications)
    sortie = options.sortie or Path(options.base) / f"scenario_{Path(fichier).stem}"
    etape(f"écriture des résultats dans {sortie}")
    texte = Path(fichier).read_text(encoding="utf-8")
    with dossier_resultat(sortie, commande="scenario", ecraser=options.ecraser) as dossier:
        ecrire_scenario(resultat, dossier, texte_modifications=texte, csv=options.csv)
    if modifications.description:
        print(f"Scénario : {modifications.description}")
    print(f"Source : {texte_fr(base.source.description())}")
    print(formater_bilan(resultat))
    print(f"\nRésultats : {sortie}/")
    return 0


def _executer_sites(options: argparse.Namespace) -> int:
    """A network of sites with and without some sites."""
    from accessibilite.cli._options_acces import options_temps, source_depuis_options
    from accessibilite.cli._options_sites import options_geocodage
    from poles.couverture import comparer_reseaux
    from poles.sorties_sites import ecrire_comparaison_reseaux, formater_comparaison_reseaux
    from socle.dossiers import dossier_resultat
    from socle.erreurs import DonneesInvalides
    from socle.territoire import code_departement

    if options.base is not None or options.modifications is not None:
        raise DonneesInvalides(
            "--sites ne se combine pas avec --base ni --modifications : un réseau de sites se "
            "compare avec --sans ou --avec."
        )
    manquantes = [f"--{n}" for n in ("departement", "objectif") if getattr(options, n) is None]
    if manquantes:
        raise DonneesInvalides(f"--sites demande {' et '.join(manquantes)}.")
    departement = code_departement(options.departement)
    sans = [s.strip() for s in (options.sans or "").split(",") if s.strip()]
    etape(f"réseau de {options.sites.name} avec et sans les sites demandés")
    resultat = comparer_reseaux(
        departement,
        options.sites,
        options.objectif,
        sans=sans,
        avec=options.avec,
        source=source_depuis_options(options),
        perimetre=options.perimetre,
        tampon_km=options.tampon_km,
        **options_geocodage(options),
        **options_temps(options),
    )
    sortie = options.sortie or (
        Path("resultats") / departement / f"comparaison_{options.sites.stem}"
    )
    etape(f"écriture des résultats dans {sortie}")
    with dossier_resultat(sortie, commande="scenario", ecraser=options.ecraser) as dossier:
        ecrire_comparaison_reseaux(resultat, dossier)
    print(f"Source : {resultat.parametres['source']['description']}")
    print(formater_comparaison_reseaux(resultat))
    print(f"\nRésultats : {sortie}/")
    return 0


def _executer_plusieurs(options: argparse.Namespace) -> int:
    """Several scenario files (or one on Dask): one task per file."""
    from accessibilite.cli._base import barres
    from accessibilite.cli._options_dask import client_depuis_options
    from poles.distribue import scenarios

    source = source_de_remplacement(options)  # a road graph is reopened by each worker
    etape(f"{len(options.modifications)} scénario(s) sur la base {options.base}")
    barre = barres()
    try:
        with client_depuis_options(options) as client:
            bilans = scenarios(
                options.base,
                options.modifications,
                sortie=options.sortie,
                source=source,
                client=client,
                tentatives=options.tentatives,
                progression=barre,
                csv=options.csv,
            )
    finally:
        barre.fermer()
    for bilan in bilans:
        etat = "" if bilan.calcule else " (déjà calculé, repris tel quel)"
        print(f"— {bilan.nom}{etat}")
        print(bilan.texte)
        print(f"Résultats : {bilan.dossier}/\n")
    return 0
