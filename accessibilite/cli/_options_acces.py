"""Options shared by the commands and what they mean: the travel-time source, the pole
rule, the BPE file and the official commune list (each command module only adds its own)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from accessibilite.cli._base import barres

if TYPE_CHECKING:
    from accessibilite.noyau.sources import SourceTemps
    from poles.regles import NomRegle, PoleImpose, Regle, Regroupement

__all__ = [
    "AIDE_REGLE",
    "AIDE_SOURCES",
    "AIDE_TEMPS",
    "ajouter_option_ecraser",
    "ajouter_options_regle",
    "ajouter_options_source",
    "ajouter_options_temps",
    "decisions_depuis_options",
    "etape",
    "fichier_bpe",
    "liste_officielle",
    "options_temps",
    "regle_depuis_options",
    "source_de_remplacement",
    "source_depuis_options",
]

AIDE_SOURCES = """\
Sources des temps (--source) :
  vol-oiseau  estimation a + b × km entre centres (a = 2,02 min, b = 1,32 min/km) : rapide,
              sans réseau, toujours présentée comme une estimation ;
  matrice     matrice commune × commune importée : --matrice FICHIER ; lue telle qu'elle
              vient : table Metric-OSRM (idSrc, idDst, duree en minutes, distance en km),
              export Odomatrix (heures de pointe par défaut, --heures creuses sinon),
              table origine;destination;minutes ou matrice large ; toute autre disposition
              avec --colonnes origine=A,destination=B,minutes=C (ou secondes=, heures=) ;
              les unités sont contrôlées (vitesses implicites) ;
  osm         réseau routier OpenStreetMap (« accessibilite reseau construire ») :
              --reseau FICHIER.
Par défaut : osm si --reseau est donné, matrice si --matrice est donné, sinon vol-oiseau.
"""

AIDE_TEMPS = """\
Temps et incertitude :
  --temps-interne / --sans-temps-interne  ajouter au départ de chaque trajet le temps moyen
              des habitants de la commune jusqu'à son centre (d'après sa surface, ou
              --grille-population FICHIER) ;
  --calibration FICHIER  coefficients et bande d'incertitude écrits par « accessibilite
              temps calibrer » pour la même source ;
  --incertitude defaut|aucune  bande d'incertitude des temps : celle de la calibration,
              sinon celle documentée de la source (défaut) ; « aucune » : temps pris comme
              exacts.
"""


def ajouter_option_ecraser(p: argparse.ArgumentParser) -> None:
    """``--ecraser``: replace an existing result folder (see :mod:`socle.dossiers`)."""
    p.add_argument(
        "--ecraser",
        action="store_true",
        help="remplacer le dossier de sortie s'il existe déjà (l'ancien résultat reste en place "
        "jusqu'à ce que le nouveau soit complet)",
    )


def ajouter_options_source(p: argparse.ArgumentParser, *, fichiers: bool = True) -> None:
    """The travel-time source options, read by :func:`source_depuis_options`.

    ``fichiers=False`` leaves out ``--matrice`` and ``--reseau`` (a command that already
    has them).
    """
    p.add_argument(
        "--source",
        choices=["vol-oiseau", "matrice", "osm"],
        help="source des temps de trajet (voir plus haut)",
    )
    if fichiers:
        p.add_argument(
            "--matrice", type=Path, help="matrice CSV commune × commune (voir plus haut)"
        )
    p.add_argument(
        "--colonnes",
        help="colonnes de la matrice : origine=A,destination=B,minutes=C (ou secondes=, "
        "heures=), [km=D]",
    )
    p.add_argument(
        "--heures",
        choices=["pointe", "creuses"],
        default="pointe",
        help="temps d'un export Odomatrix : heures de pointe (défaut) ou heures creuses",
    )
    if fichiers:
        p.add_argument("--reseau", type=Path, help="réseau routier construit (reseau construire)")
    p.add_argument(
        "--vol-oiseau-a", type=float, default=None, help="constante a en minutes (défaut 2,02)"
    )
    p.add_argument(
        "--vol-oiseau-b", type=float, default=None, help="pente b en min/km (défaut 1,32)"
    )
    p.add_argument(
        "--tampon-km",
        type=float,
        default=30.0,
        help="communes voisines dont les pôles et équipements comptent (défaut 30 km)",
    )


def ajouter_options_temps(p: argparse.ArgumentParser, *, temps_interne_defaut: bool) -> None:
    """Internal time, calibration and error band options (read by :func:`options_temps`)."""
    interne = p.add_mutually_exclusive_group()
    defaut = " (défaut)" if temps_interne_defaut else ""
    interne.add_argument(
        "--temps-interne",
        dest="temps_interne",
        action="store_true",
        help="ajouter le temps moyen des habitants jusqu'au centre de leur commune" + defaut,
    )
    interne.add_argument(
        "--sans-temps-interne",
        dest="temps_interne",
        action="store_false",
        help="de centre de commune à centre de commune" + ("" if defaut else " (défaut)"),
    )
    p.set_defaults(temps_interne=temps_interne_defaut)
    p.add_argument(
        "--grille-population",
        type=Path,
        help="grille de population (carreaux ou points avec une colonne de population) pour "
        "le temps interne",
    )
    p.add_argument(
        "--calibration", type=Path, help="fichier écrit par « accessibilite temps calibrer »"
    )
    p.add_argument(
        "--incertitude",
        choices=["defaut", "aucune"],
        default="defaut",
        help="bande d'incertitude des temps : celle de la calibration ou de la source "
        "(défaut), ou aucune",
    )


def options_temps(options: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of the analyses for the time options."""
    return {
        "calibration": options.calibration,
        "temps_interne": bool(options.temps_interne),
        "grille_population": options.grille_population,
        "incertitude": options.incertitude,
    }


def etape(texte: str) -> None:
    """Print a progress step on stderr (not with ``-q``)."""
    from accessibilite.cli._base import silencieux

    if not silencieux():
        from socle.symbologie import texte_fr

        print(f"… {texte_fr(texte)}", file=sys.stderr, flush=True)


AIDE_REGLE = """\
Règle de pôle : une commune est pôle d'un niveau quand elle possède assez d'items de la
gamme du niveau. Par défaut, chaque niveau prend le seuil de son fichier de gammes (celui
du projet porte les seuils calés sur les pôles que nomme le SDAASP du Pas-de-Calais :
au moins 11 des 13 items de proximité, 9 des 11 intermédiaires, 6 des 9 supérieurs) ;
--n-min 11,9,6 ou --part-min 0.85,0.8,0.65 donnent un seuil par niveau dans l'ordre de la
gamme, une seule valeur vaut pour tous les niveaux (--part-min 0.5 : la moitié de la
gamme, lecture de l'INSEE). --poles-imposes et --regroupements ajoutent les décisions de
l'équipe.
"""


def _liste_entiers(texte: str) -> tuple[int, ...]:
    """Parse ``"11,9,6"`` into ``(11, 9, 6)`` (argparse type)."""
    try:
        valeurs = tuple(int(v) for v in texte.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"« {texte} » n'est pas une liste d'entiers séparés par des virgules"
        ) from None
    if not valeurs:
        raise argparse.ArgumentTypeError("liste vide")
    return valeurs


def _liste_parts(texte: str) -> tuple[float, ...]:
    """Parse ``"0.85,0.8,0.65"`` into a tuple of finite floats (argparse type)."""
    from accessibilite.cli._base import nombre_fini

    valeurs = tuple(nombre_fini(v.strip()) for v in texte.split(",") if v.strip())
    if not valeurs:
        raise argparse.ArgumentTypeError("liste vide")
    return valeurs


def ajouter_options_regle(p: argparse.ArgumentParser, *, decisions: bool = True) -> None:
    """The pole-rule options (and the team's decisions), read by :func:`regle_depuis_options`
    and :func:`decisions_depuis_options`."""
    p.add_argument(
        "--regle",
        choices=["gammes", "part-min", "n-min", "tous"],
        help="règle de pôle : seuils du fichier de gammes (défaut), part des items, nombre "
        "d'items, ou tous les items ; --n-min ou --part-min seuls suffisent",
    )
    p.add_argument(
        "--n-min",
        type=_liste_entiers,
        metavar="N[,N...]",
        help="nombre minimal d'items : un par niveau dans l'ordre de la gamme (11,9,6) ou un "
        "seul pour tous",
    )
    p.add_argument(
        "--part-min",
        type=_liste_parts,
        metavar="P[,P...]",
        help="part minimale des items, entre 0 et 1 : une par niveau (0.85,0.8,0.65) ou une "
        "seule pour tous (0.5 : la moitié de la gamme, lecture de l'INSEE)",
    )
    p.add_argument(
        "--cumul",
        action="store_true",
        help="un pôle d'un niveau supérieur compte aussi pour les niveaux inférieurs",
    )
    if decisions:
        p.add_argument(
            "--poles-imposes",
            type=Path,
            metavar="FICHIER.csv",
            help="décisions de l'équipe (colonnes code_insee, niveau, pole = oui/non) : elles "
            "l'emportent sur la règle",
        )
        p.add_argument(
            "--regroupements",
            type=Path,
            metavar="FICHIER.csv",
            help="communes jugées ensemble comme un seul pôle (colonnes groupe, code_insee) : "
            "items mis en commun, chaque membre pôle des niveaux atteints par le groupe",
        )


def regle_depuis_options(options: argparse.Namespace) -> Regle:
    """The pole rule chosen on the command line (default: the gammes file's thresholds)."""
    from poles.regles import Regle
    from socle.erreurs import DonneesInvalides

    n_min = getattr(options, "n_min", None)
    part_min = getattr(options, "part_min", None)
    if n_min is not None and part_min is not None:
        raise DonneesInvalides("Choisissez --n-min ou --part-min, pas les deux.")
    choix = getattr(options, "regle", None)
    if choix is None:
        choix = "n-min" if n_min is not None else "part-min" if part_min is not None else "gammes"
    nom = cast("NomRegle", choix.replace("-", "_"))
    if nom == "n_min" and n_min is None:
        raise DonneesInvalides("--regle n-min demande --n-min N (par exemple --n-min 11,9,6).")
    if nom in ("gammes", "tous") and (n_min is not None or part_min is not None):
        raise DonneesInvalides(
            f"--regle {choix} ne prend ni --n-min ni --part-min : retirez-les, ou choisissez "
            "--regle n-min ou --regle part-min."
        )
    if nom == "part_min" and n_min is not None:
        raise DonneesInvalides("--regle part-min prend --part-min, pas --n-min.")
    return Regle(
        nom=nom,
        n_min=n_min if nom == "n_min" else None,
        part_min=part_min if nom == "part_min" else None,
        cumul=bool(getattr(options, "cumul", False)),
    )


def decisions_depuis_options(
    options: argparse.Namespace,
) -> tuple[tuple[PoleImpose, ...], tuple[Regroupement, ...]]:
    """The imposed and grouped poles given with --poles-imposes and --regroupements."""
    from poles.decisions import lire_poles_imposes, lire_regroupements

    fichier = getattr(options, "poles_imposes", None)
    imposes = lire_poles_imposes(fichier) if fichier is not None else ()
    fichier = getattr(options, "regroupements", None)
    groupes = lire_regroupements(fichier) if fichier is not None else ()
    return imposes, groupes


def source_depuis_options(options: argparse.Namespace) -> SourceTemps:
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
        return SourceMatrice.depuis_fichier(
            options.matrice, colonnes=options.colonnes, periode=options.heures
        )
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


def source_de_remplacement(options: argparse.Namespace) -> SourceTemps | None:
    """The source given again on the command line (--matrice, --reseau), or ``None``."""
    if options.matrice is not None:
        from accessibilite.noyau.sources import SourceMatrice

        return SourceMatrice.depuis_fichier(
            options.matrice,
            colonnes=getattr(options, "colonnes", None),
            periode=getattr(options, "heures", "pointe"),
        )
    if options.reseau is not None:
        from accessibilite.noyau.source_reseau import SourceReseau

        return SourceReseau.depuis_fichier(options.reseau)
    return None


def liste_officielle(options: argparse.Namespace) -> tuple[Path, Path] | None:
    """The official commune and EPCI lists asked for, downloaded when needed."""
    if getattr(options, "liste_officielle", None):
        communes, epci = options.liste_officielle
        return Path(communes), Path(epci)
    if not getattr(options, "communes_officielles", False):
        return None
    from socle.catalogue import source_communes, source_epci, telecharger_source

    return (
        telecharger_source(source_communes(), progression=barres()),
        telecharger_source(source_epci(), progression=barres()),
    )


def fichier_bpe(options: argparse.Namespace) -> Path:
    """The BPE file given with --bpe, or the INSEE archive downloaded into the cache."""
    if options.bpe is not None:
        return Path(options.bpe)
    from socle.catalogue import source_bpe, telecharger_source

    source = source_bpe(options.bpe_annee)
    etape(f"BPE absente de la ligne de commande : {source.description} ({source.url})")
    return telecharger_source(source, progression=barres())
