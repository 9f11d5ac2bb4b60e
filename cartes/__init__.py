"""Maps of the zones grises: a self-contained interactive HTML page and A4 print maps.

Everything reads the output folder of ``accessibilite zones-grises`` (``docs/FORMATS.md``):

* :func:`carte_interactive` / :func:`ecrire_carte_html`: the Folium/Leaflet page, which
  opens with no network once the JavaScript libraries are in the local cache
  (:func:`preparer_ressources`, or ``accessibilite carte --preparer``);
* :func:`carte_statique`: A4 PNG (300 dpi) or PDF of one level or of the overlay;
* :func:`ecrire_cartes`: all of them at once, into the folder;
* :func:`ecrire_cartes_sites`: the maps of a network of sites (``indicateur --sites``).
"""

from cartes.dossier import DossierZonesGrises, NiveauCarte, lire_dossier
from cartes.interactive import carte_interactive, ecrire_carte_html
from cartes.ressources import html_autonome, preparer_ressources, ressources_pretes
from cartes.sites import (
    DossierSites,
    carte_sites_interactive,
    carte_sites_statique,
    ecrire_carte_sites_html,
    ecrire_cartes_sites,
    est_dossier_sites,
    lire_dossier_sites,
)
from cartes.sorties import FORMATS, ecrire_cartes
from cartes.statique import carte_statique, cartes_statiques, figure_statique

__all__ = [
    "FORMATS",
    "DossierSites",
    "DossierZonesGrises",
    "NiveauCarte",
    "carte_interactive",
    "carte_sites_interactive",
    "carte_sites_statique",
    "carte_statique",
    "cartes_statiques",
    "ecrire_carte_html",
    "ecrire_carte_sites_html",
    "ecrire_cartes",
    "ecrire_cartes_sites",
    "est_dossier_sites",
    "figure_statique",
    "html_autonome",
    "lire_dossier",
    "lire_dossier_sites",
    "preparer_ressources",
    "ressources_pretes",
]
