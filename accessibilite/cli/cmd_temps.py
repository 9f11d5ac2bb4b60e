"""``accessibilite temps calibrer``: fit the travel-time model on a reference."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from accessibilite.cli._base import Analyseur
from accessibilite.cli._options_acces import etape

__all__ = ["ajouter"]

_DESCRIPTION = """\
Temps de trajet : les confronter à une référence et les calibrer.

Exemple (les temps d'accès de l'INSEE dans le Nord, la BPE 2013) :
  accessibilite temps calibrer --reference metric_acces_59.csv --departement 59 \\
      --bpe bpe2013.xlsx --sortie calibration_59.toml
puis :
  accessibilite zones-grises --departement 62 --bpe bpe2013.xlsx \\
      --calibration calibration_59.toml
"""

_AIDE_CALIBRER = """\
Ajuste le modèle de temps d'une source sur une référence, en validation croisée, et écrit
un fichier de calibration (TOML) que zones-grises, indicateur et isochrones prennent avec
--calibration FICHIER, et un rapport en français.

Référence (--reference) :
  - des temps d'accès par commune (disposition des « Données sur la localisation et l'accès
    de la population aux équipements » de l'INSEE, comme metric_acces_59.csv) : une colonne
    de codes de communes, puis des colonnes acces_<service>_moy_min en minutes ; chaque
    service est relié à ses codes TYPEQU par les services prédéfinis (« accessibilite
    indicateur --services ») ; le temps du modèle va de la commune à la commune la plus
    proche qui possède le service dans la BPE donnée (--bpe) ; sans --services, les
    colonnes sans correspondance TYPEQU sont écartées et listées dans le rapport ;
  - ou une matrice commune × commune (table Metric-OSRM, export Odomatrix, table longue ou
    large ; --colonnes-reference pour une autre disposition).

Modèles :
  - vol-oiseau (défaut) : minutes = a + b × km, une paire (a, b) par classe de densité
    avec --par-densite (moins de 250, 250 à 1 000, plus de 1 000 habitants par km²) ;
  - osm (--reseau FICHIER) : les facteurs d'heure pleine des groupes de routes (voies
    rapides, principales, secondaires, desserte) ; un fichier de vitesses est écrit à côté
    de la calibration pour reconstruire le réseau avec ces facteurs ;
  - matrice (--matrice FICHIER) : rien à ajuster sinon le temps interne ; les erreurs et la
    bande d'incertitude sont mesurées.
Le temps interne à la commune est compté par défaut pour des temps d'accès par commune (ils
le comptent) et pas pour une matrice (de centre à centre).

Ajustement robuste (perte de Huber, échelle 1 min : les équipements apparus ou disparus
entre la BPE et la référence pèsent peu), validation croisée en --plis plis tirés par
commune. Rapport : erreur absolue moyenne, biais (modèle − référence), R² et quantiles des
résidus par service et pour l'ensemble, avant (réglages par défaut) et après ; bande
d'incertitude : quantiles 10 % et 90 % des résidus par classe de temps.
"""


def ajouter(sous: Any) -> None:
    """Register ``temps`` and its sub-command ``calibrer``."""
    analyseur: Analyseur = sous.add_parser(
        "temps",
        help="calibrer les temps de trajet sur une référence (Metric, Odomatrix...)",
        description=_DESCRIPTION,
    )
    actions = analyseur.add_subparsers(dest="action", metavar="ACTION", title="actions")
    actions.required = True
    p = actions.add_parser(
        "calibrer",
        help="ajuster le modèle de temps d'une source sur une référence",
        description=_AIDE_CALIBRER,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--reference", type=Path, required=True, help="fichier CSV de référence")
    p.add_argument("--departement", required=True, help="département des communes de la référence")
    p.add_argument("--bpe", type=Path, help="BPE (obligatoire pour des temps d'accès)")
    p.add_argument(
        "--services",
        help="services de la référence à utiliser, séparés par des virgules (défaut : tous "
        "ceux qui ont une correspondance TYPEQU)",
    )
    p.add_argument(
        "--source",
        choices=["vol-oiseau", "osm", "matrice"],
        help="source à calibrer (défaut : osm avec --reseau, matrice avec --matrice, sinon "
        "vol-oiseau)",
    )
    p.add_argument("--reseau", type=Path, help="réseau routier construit (source osm)")
    p.add_argument("--matrice", type=Path, help="matrice importée à évaluer (source matrice)")
    p.add_argument("--colonnes", help="colonnes de --matrice (origine=...,destination=...)")
    p.add_argument("--heures", choices=["pointe", "creuses"], default="pointe")
    p.add_argument("--colonnes-reference", help="colonnes d'une référence matricielle (même forme)")
    p.add_argument(
        "--heures-reference",
        choices=["pointe", "creuses"],
        default="pointe",
        help="temps d'une référence Odomatrix : heures de pointe (défaut) ou creuses",
    )
    p.add_argument(
        "--par-densite", action="store_true", help="vol d'oiseau : a et b par classe de densité"
    )
    interne = p.add_mutually_exclusive_group()
    interne.add_argument("--temps-interne", dest="temps_interne", action="store_true")
    interne.add_argument("--sans-temps-interne", dest="temps_interne", action="store_false")
    p.set_defaults(temps_interne=None)
    p.add_argument("--grille-population", type=Path, help="grille de population")
    p.add_argument("--plis", type=int, default=5, help="plis de la validation croisée (5)")
    p.add_argument("--graine", type=int, default=0, help="graine du tirage des plis (0)")
    p.add_argument("--tampon-km", type=float, default=30.0, help="communes voisines (30 km)")
    p.add_argument(
        "--sortie",
        type=Path,
        default=Path("calibration.toml"),
        help="fichier de calibration à écrire (défaut : calibration.toml)",
    )
    p.add_argument("--rapport", type=Path, help="rapport Markdown (défaut : à côté, extension .md)")
    p.set_defaults(executer=executer)


def executer(options: argparse.Namespace) -> int:
    """Calibrate, write the calibration, the report and the observations; print the report."""
    from accessibilite.noyau.calibration import texte_calibration
    from accessibilite.noyau.sources import SourceMatrice, SourceTemps, SourceVolOiseau
    from poles.calibration import calibrer, lire_reference, rapport_calibration
    from socle.erreurs import DonneesInvalides
    from socle.fichiers import ecrire_table, ecriture_atomique
    from socle.territoire import code_departement

    if options.plis < 2:
        raise DonneesInvalides("--plis : au moins 2 plis.")
    departement = code_departement(options.departement)
    nom = options.source or (
        "osm" if options.reseau else "matrice" if options.matrice else "vol-oiseau"
    )
    source: SourceTemps
    if nom == "osm":
        if options.reseau is None:
            raise DonneesInvalides("--source osm demande --reseau FICHIER.")
        from accessibilite.noyau.source_reseau import SourceReseau

        source = SourceReseau.depuis_fichier(options.reseau)
    elif nom == "matrice":
        if options.matrice is None:
            raise DonneesInvalides("--source matrice demande --matrice FICHIER.")
        source = SourceMatrice.depuis_fichier(
            options.matrice, colonnes=options.colonnes, periode=options.heures
        )
    else:
        source = SourceVolOiseau()
    services = (
        [s.strip() for s in options.services.split(",") if s.strip()] if options.services else None
    )
    etape(f"lecture de la référence {options.reference.name}")
    reference = lire_reference(
        options.reference,
        services=services,
        colonnes=options.colonnes_reference,
        periode=options.heures_reference,
    )
    etape("communes, équipements, ajustement et validation croisée")
    resultat = calibrer(
        reference,
        departement,
        options.bpe,
        source=source,
        par_densite=options.par_densite,
        temps_interne=options.temps_interne,
        grille=options.grille_population,
        plis=options.plis,
        graine=options.graine,
        tampon_km=options.tampon_km,
    )
    rapport = rapport_calibration(resultat)
    entete = [
        "Calibration des temps de trajet écrite par « accessibilite temps calibrer ».",
        f"Référence : {options.reference.name} ; source : {nom}.",
        "À donner à zones-grises, indicateur ou isochrones avec --calibration FICHIER.",
    ]
    sortie = Path(options.sortie)
    with ecriture_atomique(sortie) as tmp:
        tmp.write_text(texte_calibration(resultat.calibration, entete=entete), encoding="utf-8")
    chemin_rapport = options.rapport or sortie.with_suffix(".md")
    with ecriture_atomique(chemin_rapport) as tmp:
        tmp.write_text(rapport, encoding="utf-8")
    ecrire_table(resultat.observations, sortie.with_name(sortie.stem + "_observations.csv"))
    ecrits = [sortie, chemin_rapport, sortie.with_name(sortie.stem + "_observations.csv")]
    if resultat.calibration.facteurs_pointe:
        vitesses = sortie.with_name(sortie.stem + "_vitesses.toml")
        lignes = [
            "# Facteurs d'heure pleine calibrés (accessibilite temps calibrer) : à donner à",
            "# « accessibilite reseau construire --vitesses FICHIER ».",
        ]
        for classe, facteur in resultat.calibration.facteurs_pointe.items():
            lignes += ["", f"[classes.{classe}]", f"facteur_pointe = {facteur:.4f}"]
        with ecriture_atomique(vitesses) as tmp:
            tmp.write_text("\n".join(lignes) + "\n", encoding="utf-8")
        ecrits.append(vitesses)
    print(rapport)
    print("Écrit : " + ", ".join(str(e) for e in ecrits))
    return 0
