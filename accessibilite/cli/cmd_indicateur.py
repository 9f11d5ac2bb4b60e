"""``accessibilite indicateur``: access of a département's communes to a service type."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from accessibilite.cli._base import Analyseur, liste_nombres
from accessibilite.cli._ensemble import ajouter_options_zone, plusieurs
from accessibilite.cli._options_acces import (
    AIDE_SOURCES,
    AIDE_TEMPS,
    ajouter_option_ecraser,
    ajouter_options_source,
    ajouter_options_temps,
    etape,
)
from accessibilite.cli._options_dask import AIDE_DASK, ajouter_options_dask
from accessibilite.cli._options_sites import AIDE_SITES, ajouter_options_sites
from accessibilite.cli._options_sortie import ajouter_option_csv

__all__ = ["ajouter"]

_AIDE = f"""\
Calcule, pour chaque commune du département, le temps en voiture jusqu'à la commune la plus
proche qui possède un équipement du service demandé (de centre de commune à centre de
commune, comme le SDAASP ; une commune équipée est à 0 min), puis, pour le département, par
EPCI et par territoire : le temps moyen pondéré par la population, le nombre et la part des
habitants au-delà de chaque seuil, et les communes les plus éloignées. Les équipements des
communes voisines (tampon --tampon-km) comptent.

Service (--service) : un code TYPEQU de la BPE (D201), plusieurs (C301,C302,C303) ou un nom
prédéfini ; « --services » affiche la liste des noms et leurs seuils par défaut (médecin
10 min, pharmacie 10 min, urgences 30 min, maternité, ophtalmologiste et pédiatre 20 min,
collège et lycée 15 min, Pôle emploi 20 et 35 min...).

--apl ajoute l'accessibilité potentielle localisée (APL, méthode à deux étapes de la DREES) :
équipements accessibles pour 100 000 habitants, avec la décroissance --decroissance
(défaut « drees » : poids 1 jusqu'à 10 min, 0,66 de 10 à 15 min, 0,33 de 15 à 20 min ;
« drees-2012 » : 1 jusqu'à 5 min, 0,3 jusqu'à 10, 0,1 jusqu'à 15 ; ou des paires
minutes:poids, par exemple 10:1,15:0.66,20:0.33).

Périmètre (--perimetre : SIREN d'EPCI, codes de communes, fichier de polygones) : le
tableau et les totaux ne portent que sur ses communes ; les équipements hors du périmètre
le desservent aussi.

Territoires (--territoires FICHIER.csv) : une colonne de codes (commune INSEE ou SIREN
d'EPCI) et une colonne « territoire » ; sans ce fichier, le niveau territoire est omis.
Sous-populations (moins de 6 ans, plus de 75 ans, habitants des QPV) : non disponibles hors
ligne ; donnez un fichier --population (colonnes code et NOM) et --colonne-population NOM
pour pondérer les résultats par cette population.

Plusieurs services (--services medecin,pharmacie,urgences) : un indicateur par service,
chacun une tâche (ici ou sur Dask avec --dask), dans --sortie/indicateur_<service>
(défaut : resultats/<département>/) ; relancer la même commande saute les services déjà
faits.

Un réseau de sites plutôt qu'un type d'équipement de la BPE (--sites, sans --service ni
--bpe) : pour chaque commune, le temps jusqu'au site le plus proche, et l'objectif du réseau.

{AIDE_SITES}
{AIDE_SOURCES}
{AIDE_TEMPS}Par défaut, indicateur compte le temps interne (une commune équipée n'est pas à 0 min,
comme dans les temps d'accès de l'INSEE) ; --sans-temps-interne va de centre à centre.

{AIDE_DASK}
Sorties dans --sortie : indicateur.csv, resume.csv, resume_epci.csv,
[resume_territoires.csv], communes_les_plus_eloignees.csv, indicateur.gpkg (EPSG:2154),
parametres.json ; avec --sites, aussi sites.csv (ce que dessert chaque site),
communes_au_dela_objectif.csv et les cartes du réseau (carte.html, carte.png, carte.pdf ;
--cartes).

Exemples :
  accessibilite indicateur --departement 62 --service medecin --bpe bpe2013.xlsx \\
      --sortie resultats/62/medecin
  accessibilite indicateur --departement 62 --service D301 --seuils 10,15,20 \\
      --bpe bpe2013.xlsx --apl --sortie resultats/62/pharmacie
  accessibilite indicateur --departement 62 --sites maisons_services.csv --objectif 15 \\
      --perimetre 200069037 --sortie resultats/62/capso
"""


def ajouter(sous: Any) -> None:
    """Register the ``indicateur`` sub-command."""
    p: Analyseur = sous.add_parser(
        "indicateur",
        help="accès des communes à un type de service (temps, parts au-delà de seuils, APL)",
        description=_AIDE,
    )
    ajouter_options_zone(p)
    p.add_argument(
        "--bpe",
        type=Path,
        help="fichier de la Base permanente des équipements ; sans lui, la BPE géolocalisée "
        "est téléchargée (Internet requis) puis gardée en cache",
    )
    p.add_argument("--bpe-annee", type=int, help="millésime de la BPE à télécharger sans --bpe")
    p.add_argument("--service", help="code TYPEQU, liste de codes, ou nom (voir --services)")
    p.add_argument(
        "--services",
        nargs="?",
        const="",
        metavar="LISTE",
        help="seul : afficher les services prédéfinis et quitter ; avec une liste "
        "(medecin,pharmacie,D301...) : un indicateur par service, chacun une tâche",
    )
    p.add_argument(
        "--seuils",
        type=liste_nombres,
        help="seuils en minutes, séparés par des virgules (défaut : ceux du service)",
    )
    p.add_argument("--apl", action="store_true", help="calculer aussi l'APL (2SFCA)")
    p.add_argument(
        "--decroissance",
        default="drees",
        help="décroissance de l'APL : drees (défaut), drees-2012, ou minutes:poids,...",
    )
    p.add_argument("--territoires", type=Path, help="CSV code (commune ou EPCI) → territoire")
    p.add_argument("--population", type=Path, help="CSV d'une sous-population (code, NOM)")
    p.add_argument(
        "--colonne-population",
        default="population",
        help="colonne de population pondérant les résultats (avec --population)",
    )
    ajouter_options_sites(p)
    p.add_argument(
        "--cartes",
        default="html,png,pdf",
        help="avec --sites : cartes du réseau, html,png,pdf ou « aucune » (défaut : les trois)",
    )
    ajouter_options_source(p)
    ajouter_options_temps(p, temps_interne_defaut=True)
    p.add_argument(
        "--sortie",
        type=Path,
        help="dossier des résultats (défaut : resultats/<département>/indicateur_<service>, "
        "ou reseau_<fichier des sites>)",
    )
    ajouter_option_ecraser(p)
    ajouter_option_csv(p)
    ajouter_options_dask(p)
    p.set_defaults(executer=executer)


def _lister_services() -> int:
    from poles.indicateurs import charger_services
    from socle.symbologie import seuil_fr

    for service in charger_services().values():
        seuils = " ; ".join(seuil_fr(s) for s in service.seuils_min)
        print(
            f"{service.nom:<20}{service.libelle} ({', '.join(service.typequ)}) ; "
            f"seuils : {seuils} min"
        )
    return 0


def executer(options: argparse.Namespace) -> int:
    """Compute the indicator, write the files, print the summary."""
    if options.services == "":
        return _lister_services()
    if options.sites is not None:
        return _executer_sites(options)
    from socle.territoire import selection_departements

    if options.departement is not None or options.region is not None or options.france:
        codes = selection_departements(
            options.departement, region=options.region, france=options.france
        )
        if plusieurs(options, codes):
            return _executer_ensemble(options, codes)
    if options.services is not None or options.dask is not None:
        return _executer_plusieurs(options)
    from accessibilite.cli._options_acces import (
        fichier_bpe,
        options_temps,
        source_depuis_options,
    )
    from poles.apl import Decroissance
    from poles.indicateurs import indicateur, resoudre_service
    from poles.sorties_indicateurs import ecrire_indicateur, formater_indicateur
    from socle.dossiers import dossier_resultat
    from socle.erreurs import DonneesInvalides
    from socle.territoire import code_departement

    manquantes = [f"--{nom}" for nom in ("departement", "service") if getattr(options, nom) is None]
    if manquantes:
        raise DonneesInvalides(
            f"Options obligatoires manquantes : {', '.join(manquantes)} (voir « accessibilite "
            "indicateur --help »)."
        )
    if options.colonne_population != "population" and options.population is None:
        raise DonneesInvalides("--colonne-population demande --population FICHIER.csv.")
    if options.objectif is not None:
        raise DonneesInvalides(
            "--objectif vaut pour un réseau de sites (--sites) ; pour un service, donnez les "
            "seuils (--seuils 15)."
        )
    departement = code_departement(options.departement)
    service = resoudre_service(options.service)
    decroissance = Decroissance.depuis_texte(options.decroissance)
    nom_dossier = "indicateur_" + service.nom.replace("+", "_")
    sortie = options.sortie or Path("resultats") / departement / nom_dossier
    bpe = fichier_bpe(options)
    etape("préparation de la source des temps")
    source = source_depuis_options(options)
    etape(f"communes, équipements « {service.libelle} » et temps d'accès")
    resultat = indicateur(
        departement,
        bpe,
        service,
        source=source,
        seuils_min=options.seuils,
        tampon_km=options.tampon_km,
        territoires=options.territoires,
        avec_apl=options.apl,
        decroissance=decroissance,
        population=options.population,
        colonne_population=options.colonne_population,
        perimetre=options.perimetre,
        **options_temps(options),
    )
    etape(f"écriture des résultats dans {sortie}")
    with dossier_resultat(sortie, commande="indicateur", ecraser=options.ecraser) as dossier:
        ecrire_indicateur(resultat, dossier, csv=options.csv)
    print(formater_indicateur(resultat))
    print(f"\nRésultats : {sortie}/")
    return 0


def _executer_sites(options: argparse.Namespace) -> int:
    """The coverage of a territory by a network of sites, and its maps."""
    from accessibilite.cli._options_acces import options_temps, source_depuis_options
    from accessibilite.cli._options_sites import (
        bassins_du_reseau,
        formats_cartes,
        options_geocodage,
    )
    from poles.couverture import couverture
    from poles.sorties_sites import ecrire_couverture, formater_couverture
    from socle.dossiers import dossier_resultat
    from socle.erreurs import DonneesInvalides
    from socle.territoire import code_departement

    incompatibles = [
        f"--{nom.replace('_', '-')}"
        for nom in ("service", "services", "bpe", "apl", "dask")
        if getattr(options, nom) not in (None, False)
    ]
    if incompatibles:
        raise DonneesInvalides(
            f"--sites ne se combine pas avec {', '.join(incompatibles)} : un réseau de sites "
            "remplace le type d'équipement de la BPE."
        )
    if options.departement is None or options.region is not None or options.france:
        raise DonneesInvalides(
            "--sites demande un département (--departement 62, pas --region ni --france) : les "
            "sites hors du département, ou du --perimetre, le desservent aussi."
        )
    if options.colonne_population != "population" and options.population is None:
        raise DonneesInvalides("--colonne-population demande --population FICHIER.csv.")
    formats = formats_cartes(options.cartes)
    departement = code_departement(options.departement)
    sortie = options.sortie or Path("resultats") / departement / f"reseau_{options.sites.stem}"
    etape("préparation de la source des temps")
    source = source_depuis_options(options)
    etape(f"communes, sites de {options.sites.name} et temps d'accès")
    resultat = couverture(
        departement,
        options.sites,
        source=source,
        objectif_min=options.objectif,
        seuils_min=options.seuils,
        perimetre=options.perimetre,
        tampon_km=options.tampon_km,
        territoires=options.territoires,
        population=options.population,
        colonne_population=options.colonne_population,
        **options_geocodage(options),
        **options_temps(options),
    )
    bassins = bassins_du_reseau(resultat)
    etape(f"écriture des résultats dans {sortie}")
    with dossier_resultat(sortie, commande="indicateur", ecraser=options.ecraser) as dossier:
        ecrire_couverture(resultat, dossier, bassins=bassins)
        if formats:
            from cartes import ecrire_cartes_sites

            etape("cartes du réseau")
            ecrire_cartes_sites(dossier, formats)
    print(formater_couverture(resultat))
    print(f"\nRésultats : {sortie}/")
    return 0


def _executer_ensemble(options: argparse.Namespace, codes: list[str]) -> int:
    """One service over several départements: one task each, then the union."""
    from accessibilite.cli._ensemble import executer_ensemble, nom_dossier
    from accessibilite.cli._options_acces import options_temps
    from poles.apl import Decroissance
    from poles.indicateurs import resoudre_service
    from socle.erreurs import DonneesInvalides

    if options.services is not None:
        raise DonneesInvalides(
            "Plusieurs départements : un seul service à la fois (--service), pas --services."
        )
    if options.perimetre is not None or options.objectif is not None:
        raise DonneesInvalides(
            "--perimetre et --objectif valent pour un seul département (--departement)."
        )
    if options.service is None:
        raise DonneesInvalides("Option obligatoire manquante : --service.")
    service = resoudre_service(options.service)
    defaut = (
        Path("resultats")
        / nom_dossier(options, codes)
        / ("indicateur_" + service.nom.replace("+", "_"))
    )
    resultat = executer_ensemble(
        options,
        codes,
        genre="indicateur",
        calcul={
            "service": service,
            "seuils_min": options.seuils,
            "tampon_km": options.tampon_km,
            "territoires": options.territoires,
            "avec_apl": options.apl,
            "decroissance": Decroissance.depuis_texte(options.decroissance),
            "population": options.population,
            "colonne_population": options.colonne_population,
            **options_temps(options),
        },
        description=f"{service.libelle}, tampon {options.tampon_km:g} km",
        defaut=defaut,
    )
    print(_formater_ensemble(resultat.resume))
    return 0


def _formater_ensemble(resume: Any) -> str:
    """The area's and the regions' mean times and shares beyond the thresholds."""
    lignes = []
    parts = [c for c in resume.columns if c.startswith("part_au_dela_")]
    for territoire in ("ensemble", "region"):
        for _, r in resume[resume["territoire"] == territoire].iterrows():
            moyen = f"{float(r['temps_moyen_min']):.1f}".replace(".", ",")
            au_dela = " ; ".join(
                f"{100 * float(r[c]):.1f} % au-delà de {c.removeprefix('part_au_dela_')} min"
                for c in parts
            ).replace(".", ",")
            lignes.append(f"{r['nom']} : temps moyen {moyen} min ; {au_dela}")
    return "\n".join(lignes)


def _executer_plusieurs(options: argparse.Namespace) -> int:
    """Several services (or one on Dask): one task per service."""
    from accessibilite.cli._base import barres
    from accessibilite.cli._options_acces import (
        fichier_bpe,
        options_temps,
        source_depuis_options,
    )
    from accessibilite.cli._options_dask import client_depuis_options
    from poles.apl import Decroissance
    from poles.distribue import indicateurs_services
    from socle.erreurs import DonneesInvalides
    from socle.territoire import code_departement

    if options.service is not None and options.services is not None:
        raise DonneesInvalides("Donnez --service (un service) ou --services (une liste).")
    if options.perimetre is not None or options.objectif is not None:
        raise DonneesInvalides(
            "--perimetre et --objectif valent pour un service (--service) ou un réseau de "
            "sites (--sites), pas pour plusieurs services."
        )
    demandes = (
        [options.service]
        if options.services is None
        else [s.strip() for s in options.services.split(",") if s.strip()]
    )
    manquantes = ["--departement"] if options.departement is None else []
    if manquantes or not demandes or demandes == [None]:
        raise DonneesInvalides(
            f"Options obligatoires manquantes : {', '.join(manquantes) or '--services'} (voir "
            "« accessibilite indicateur --help »)."
        )
    if options.colonne_population != "population" and options.population is None:
        raise DonneesInvalides("--colonne-population demande --population FICHIER.csv.")
    departement = code_departement(options.departement)
    sortie = options.sortie or Path("resultats") / departement
    # a road-graph source is reopened from its file by each worker, not shipped
    source = source_depuis_options(options)
    etape(f"{len(demandes)} service(s) : {', '.join(demandes)}")
    barre = barres()
    try:
        with client_depuis_options(options) as client:
            bilans = indicateurs_services(
                departement,
                fichier_bpe(options),
                demandes,
                sortie=sortie,
                source=source,
                seuils_min=options.seuils,
                tampon_km=options.tampon_km,
                territoires=options.territoires,
                avec_apl=options.apl,
                decroissance=Decroissance.depuis_texte(options.decroissance),
                population=options.population,
                colonne_population=options.colonne_population,
                **options_temps(options),
                client=client,
                tentatives=options.tentatives,
                progression=barre,
                csv=options.csv,
            )
    finally:
        barre.fermer()
    for bilan in bilans:
        print(bilan.texte)
        etat = "" if bilan.calcule else " (déjà calculé, repris tel quel)"
        print(f"Résultats : {bilan.dossier}/{etat}\n")
    return 0
