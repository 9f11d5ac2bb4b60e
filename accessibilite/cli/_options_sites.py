"""Options of a network of sites, shared by ``indicateur``, ``isochrones``, ``bassins``,
``scenario`` and ``placement``: the sites file, the perimeter, the goal, the geocoding."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd

    from poles.couverture import ResultatCouverture

__all__ = [
    "AIDE_SITES",
    "ajouter_options_sites",
    "bassins_du_reseau",
    "formats_cartes",
    "options_geocodage",
    "refuser_temps_sans_sites",
]

AIDE_SITES = """\
Réseau de sites (--sites FICHIER : CSV, GeoPackage ou GeoJSON ; maisons France services,
maisons de services d'une intercommunalité, points d'accueil du département...) : une ligne
par site, avec son nom (colonne « nom ») et sa place, au choix selon les lignes :
  code_insee  le site est au centre (mairie) de la commune, qui est à 0 min ;
  lon, lat    un point en degrés WGS 84 (ou la géométrie d'un GeoPackage, tout CRS) ;
  adresse     géocodée par la Base adresse nationale (API Adresse, Internet requis) ; une
              adresse dont le score est sous --score-min (0,6) est refusée, jamais devinée.
Colonnes facultatives : id, type, horaires, et toute autre (gardée). Une ligne sans place
valide (code inconnu, point hors de France) arrête le calcul en nommant la ligne. Une
matrice commune × commune (--matrice) ne sert que les sites donnés par leur code_insee.
--perimetre : un SIREN d'EPCI (200069037), des codes de communes (62765,62014), ou un
fichier de polygones : résultats, totaux et cartes portent sur ses communes ; les sites
hors du périmètre le desservent aussi.
--objectif 15 : l'objectif de temps du réseau, en minutes (population et communes au-delà,
communes les plus éloignées, carte du réseau).
Temps : comme pour « indicateur », chaque commune compte par défaut son temps interne (ses
habitants ne sont pas tous à la mairie : la commune d'un site n'est pas à 0 min) ;
--sans-temps-interne va du centre de chaque commune au site. --calibration et
--incertitude comme plus bas.
"""


def ajouter_options_sites(
    p: argparse.ArgumentParser,
    *,
    sites: bool = True,
    perimetre: bool = True,
    objectif: bool = True,
) -> None:
    """``--sites``, ``--perimetre``, ``--objectif``, ``--score-min`` and ``--geocodage``."""
    from socle.geocodage import SCORE_MIN_DEFAUT

    if sites:
        p.add_argument(
            "--sites",
            type=Path,
            help="fichier des sites du réseau (CSV, GeoPackage, GeoJSON ; voir plus haut)",
        )
    if perimetre:
        p.add_argument(
            "--perimetre",
            help="territoire étudié : SIREN d'EPCI, codes de communes séparés par des "
            "virgules, ou fichier de polygones (défaut : tout le département)",
        )
    if objectif:
        p.add_argument(
            "--objectif", type=float, help="objectif de temps du réseau, en minutes (ex. 15)"
        )
    p.add_argument(
        "--score-min",
        type=float,
        default=SCORE_MIN_DEFAUT,
        help=f"score minimal d'une adresse géocodée, entre 0 et 1 (défaut {SCORE_MIN_DEFAUT:g})",
    )
    p.add_argument(
        "--geocodage",
        metavar="URL",
        help="service de géocodage /search/csv/ (défaut : l'API Adresse, "
        "https://api-adresse.data.gouv.fr/search/csv/, ou $ACCESSIBILITE_GEOCODAGE)",
    )


def refuser_temps_sans_sites(options: argparse.Namespace) -> None:
    """The time options of a command that has them for its ``--sites`` mode only."""
    from socle.erreurs import DonneesInvalides

    donnees = [
        nom
        for nom, donnee in (
            ("--calibration", options.calibration is not None),
            ("--grille-population", options.grille_population is not None),
            ("--sans-temps-interne", options.temps_interne is False),
            ("--incertitude", options.incertitude != "defaut"),
        )
        if donnee
    ]
    if donnees:
        raise DonneesInvalides(
            f"{', '.join(donnees)} : ces options valent pour un réseau de sites (--sites) dans "
            "cette commande."
        )


def options_geocodage(options: argparse.Namespace) -> dict[str, Any]:
    """``score_min`` and ``url_geocodage`` for the package functions."""
    return {"score_min": options.score_min, "url_geocodage": options.geocodage}


def formats_cartes(texte: str) -> tuple[str, ...]:
    """``html,png,pdf`` → the formats; ``aucune`` → none."""
    from socle.erreurs import DonneesInvalides

    if texte.strip().lower() in ("aucune", "non", ""):
        return ()
    formats = tuple(f.strip().lower() for f in texte.split(",") if f.strip())
    inconnus = set(formats) - {"html", "png", "pdf"}
    if inconnus:
        raise DonneesInvalides(
            f"Format de carte inconnu : {', '.join(sorted(inconnus))} (html, png, pdf, aucune)."
        )
    return formats


def bassins_du_reseau(resultat: ResultatCouverture) -> gpd.GeoDataFrame:
    """The catchments of the sites: communes dissolved by nearest site, those beyond the goal
    (or reaching no site) apart."""
    import numpy as np

    from isochrones import bassins_par
    from poles.indicateurs import colonne_seuil

    objectif = resultat.parametres.get("objectif_min")
    table = resultat.communes.copy()
    if objectif is not None:
        table["_hors"] = table[colonne_seuil(objectif)].to_numpy(dtype=bool)
        libelle = f"Au-delà de l'objectif ({objectif:g} min)"
    else:
        table["_hors"] = (table["site"] == "").to_numpy()
        libelle = "Aucun site atteignable"
    table["_hors"] |= (table["site"] == "").to_numpy(dtype=bool)
    table["_temps"] = table["temps_min"].astype(float).fillna(np.nan)
    return bassins_par(
        table,
        colonne_pole="site",
        colonne_nom="site_nom",
        colonne_temps="_temps",
        colonne_hors="_hors",
        niveau="reseau",
        libelle_hors=libelle,
        colonne_population=table.attrs.get("colonne_population", "population"),
    )
