"""The interactive map of a zones-grises folder: one self-contained Folium/Leaflet page.

Layers (each listed in the layer control, with its own legend shown and hidden with it):

* one per level: communes coloured by car time to the nearest pole of the level, in the
  classes of :data:`cartes._style.CLASSES_TEMPS`, the zone grise hatched and outlined;
* the overlay of levels (number of levels for which a commune is in zone grise: the
  SDAASP's "espaces à enjeux d'éloignement");
* the poles of each level (circles sized by level; a popup lists the gamme items present
  and missing), isochrones and catchments when given, EPCI and département boundaries,
  and the communes of the buffer outside the département for context.

The commune polygons are sent once (simplified as a coverage, coordinates rounded) and
styled in the browser by each layer, which keeps a département map of 900 communes small.
The level layers behave like radio buttons: showing one hides the others.
"""

from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from cartes import _style
from cartes.dossier import DossierZonesGrises, NiveauCarte, lire_dossier
from cartes.ressources import rendre_html
from socle.erreurs import DonneesInvalides, SansCRS
from socle.territoire import CRS_LAMBERT93

__all__ = ["carte_interactive", "ecrire_carte_html"]

logger = logging.getLogger(__name__)

#: Decimal places of longitudes/latitudes in the page (5: about a metre).
DECIMALES = 5

#: Pole symbols by level: radius (px), fill colour.
_SYMBOLES_POLES = {
    "metropolitain": (11.0, "#3f007d"),
    "superieur": (9.0, "#08306b"),
    "intermediaire": (6.5, "#2171b5"),
    "proximite": (4.5, "#6baed6"),
}
_SYMBOLE_DEFAUT = (5.0, "#4292c6")

#: Colours of catchments (qualitative, ColorBrewer Set3), cycled over the poles.
_COULEURS_BASSINS = (
    "#8dd3c7",
    "#ffffb3",
    "#bebada",
    "#fb8072",
    "#80b1d3",
    "#fdb462",
    "#b3de69",
    "#fccde5",
    "#bc80bd",
    "#ccebc5",
    "#ffed6f",
)
#: Isochrone bands, nearest first (ColorBrewer Blues).
_COULEURS_ISOCHRONES = ("#08519c", "#3182bd", "#6baed6", "#9ecae1", "#c6dbef", "#eff3ff")


# ---------------------------------------------------------------------------------------
# geometry for the page
# ---------------------------------------------------------------------------------------


def _simplifier(geometries: gpd.GeoSeries, tolerance_m: float) -> gpd.GeoSeries:
    """Simplify polygons as one coverage (shared edges stay shared), in metres."""
    if tolerance_m <= 0 or geometries.empty:
        return geometries
    try:
        return geometries.simplify_coverage(tolerance_m)
    except (ValueError, shapely.errors.GEOSException, AttributeError) as exc:
        # not a clean coverage (overlaps) or an old GEOS: simplify each polygon alone
        logger.info("Simplification polygone par polygone (%s)", exc)
        return geometries.simplify(tolerance_m, preserve_topology=True)


def _arrondir(geometrie: Any) -> Any:
    return shapely.transform(geometrie, lambda c: np.round(c, DECIMALES))


def _geometrie_json(geometrie: Any) -> Any:
    if geometrie is None or geometrie.is_empty:
        return None
    return json.loads(shapely.to_geojson(_arrondir(geometrie)))


def _collection(
    geometries: gpd.GeoSeries, proprietes: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection in WGS 84 with rounded coordinates."""
    wgs = geometries.to_crs("EPSG:4326")
    entites = []
    for i, g in enumerate(wgs):
        geo = _geometrie_json(g)
        if geo is None:
            continue
        entites.append(
            {"type": "Feature", "properties": proprietes[i] if proprietes else {}, "geometry": geo}
        )
    return {"type": "FeatureCollection", "features": entites}


def _js(valeur: Any) -> str:
    """JSON for inline JavaScript (``</`` escaped so that no string closes the script)."""
    texte = json.dumps(valeur, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return texte.replace("</", "<\\/")


def _nombre(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(v) else round(v, 1)


# ---------------------------------------------------------------------------------------
# optional layers given by the caller
# ---------------------------------------------------------------------------------------


def _verifier_couche(gdf: Any, nom: str, colonnes: list[str]) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise DonneesInvalides(
            f"« {nom} » doit être un GeoDataFrame (reçu : {type(gdf).__name__})."
        )
    if gdf.crs is None:
        raise SansCRS(
            f"La couche « {nom} » n'a pas de système de coordonnées (CRS) : définissez-le, "
            "par exemple gdf.set_crs('EPSG:2154')."
        )
    manquantes = [c for c in colonnes if c not in gdf.columns]
    if manquantes:
        raise DonneesInvalides(
            f"Colonnes absentes de la couche « {nom} » : {', '.join(manquantes)} "
            f"(attendues : {', '.join(colonnes)})."
        )
    return gdf.to_crs(CRS_LAMBERT93)


def _bornes_isochrones(temps: np.ndarray) -> list[float]:
    return sorted({float(t) for t in temps if np.isfinite(t)})


# ---------------------------------------------------------------------------------------
# HTML snippets
# ---------------------------------------------------------------------------------------

_CSS = """
.leaflet-container { background: #f4f3ef; font-family: system-ui, -apple-system, "Segoe UI",
  Roboto, "Helvetica Neue", Arial, sans-serif; }
.zg-titre { position: absolute; z-index: 1000; top: 10px; left: 56px;
  max-width: calc(100% - 480px); min-width: 260px; background: rgba(255,255,255,0.94);
  padding: 6px 14px; border-radius: 4px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.35); pointer-events: none; }
.zg-titre h1 { font-size: 17px; font-weight: 700; margin: 0; color: #222; }
.zg-titre p { font-size: 12px; margin: 2px 0 0; color: #444; }
.zg-sources { background: rgba(255,255,255,0.9); padding: 3px 8px; font-size: 10.5px;
  line-height: 1.3; max-width: 540px; color: #333; border-radius: 3px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); }
.zg-legendes { background: rgba(255,255,255,0.95); padding: 6px 10px; border-radius: 4px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.35); font-size: 12px; line-height: 1.35;
  max-height: 60vh; overflow-y: auto; max-width: 300px; }
.zg-legende { border-top: 1px solid #ddd; margin-top: 5px; padding-top: 5px; }
.zg-legende.zg-premiere { border-top: none; margin-top: 0; padding-top: 0; }
.zg-legende-titre { font-weight: 700; margin-bottom: 3px; }
.zg-legende .zg-ligne { display: flex; align-items: center; gap: 6px; margin: 1px 0; }
.zg-legende .zg-case { width: 18px; height: 12px; flex: none; border: 1px solid #777; }
.zg-legende .zg-note { font-style: italic; color: #8a1c1c; margin-top: 3px; max-width: 270px; }
.zg-legende .zg-chiffres { color: #555; font-size: 11px; margin-top: 2px; }
.zg-zone-grise { fill: url(#zg-hachures); }
.zg-incertaine { fill: url(#zg-hachures-incertaines); }
.zg-hors-bassin { fill: url(#zg-hachures-fines); }
.zg-info { font-size: 12px; }
.zg-info table { border-collapse: collapse; margin-top: 4px; }
.zg-info th, .zg-info td { padding: 1px 6px 1px 0; text-align: left; vertical-align: top; }
.zg-info th { font-weight: 600; color: #555; border-bottom: 1px solid #ccc; }
.zg-info tr.zg-oui td:last-child { font-weight: 700; color: #8a1c1c; }
.zg-info tr.zg-courant td { background: #f3f0e6; }
.zg-info .zg-code { color: #777; font-weight: normal; }
.leaflet-control-layers { font-size: 12.5px; line-height: 1.25; }
.leaflet-control-layers-expanded { padding: 4px 10px 6px 6px; }
.leaflet-control-layers label { margin-bottom: 1px; }
.zg-groupe { font-weight: 700; color: #444; margin: 5px 0 2px; font-size: 11.5px;
  text-transform: uppercase; letter-spacing: 0.03em; }
.leaflet-control-layers-overlays .zg-groupe:first-child { margin-top: 0; }
.zg-pole { font-size: 12px; line-height: 1.3; }
.zg-pole ul { margin: 2px 0 4px 16px; padding: 0; }
.zg-pole .zg-manquant { color: #8a1c1c; }
.zg-pole-retire { color: #d7301f; font: 700 18px/16px Arial, sans-serif; text-align: center;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff; }
"""

_SVG_MOTIFS = """
<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>
<pattern id="zg-hachures" patternUnits="userSpaceOnUse" width="7" height="7"
  patternTransform="rotate(45)"><line x1="0.7" y1="0" x2="0.7" y2="7" stroke="#1b1b1b"
  stroke-width="1.4"/><line x1="2.1" y1="0" x2="2.1" y2="7" stroke="#ffffff"
  stroke-width="0.9" stroke-opacity="0.75"/></pattern>
<pattern id="zg-hachures-incertaines" patternUnits="userSpaceOnUse" width="8" height="8"
  patternTransform="rotate(-45)"><line x1="1" y1="0" x2="1" y2="8" stroke="#1b1b1b"
  stroke-width="1" stroke-dasharray="2 2"/><line x1="2.4" y1="0" x2="2.4" y2="8"
  stroke="#ffffff" stroke-width="0.8" stroke-opacity="0.75" stroke-dasharray="2 2"/></pattern>
<pattern id="zg-hachures-fines" patternUnits="userSpaceOnUse" width="5" height="5"
  patternTransform="rotate(-45)"><line x1="0" y1="0" x2="0" y2="5" stroke="#555"
  stroke-width="0.8"/></pattern>
</defs></svg>
"""

# Functions shared by every layer: tooltips, commune and pole popups, styles.
_JS_COMMUN = r"""
var ZG = %(donnees)s;
ZG.communes = %(communes)s;
ZG.echapper = function (s) {
  return String(s === null || s === undefined ? "" : s).replace(/[&<>"]/g, function (c) {
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c];
  });
};
ZG.nombre = function (x, d) {
  return Number(x).toLocaleString("fr-FR", {minimumFractionDigits: d || 0,
    maximumFractionDigits: d || 0});
};
ZG.minutes = function (t) {
  return t === null ? "aucun pôle" : ZG.nombre(t, 1) + " min";
};
ZG.infobulle = function (p, courant) {
  var h = '<div class="zg-info"><b>' + ZG.echapper(p.n) + '</b> <span class="zg-code">(' +
    ZG.echapper(p.c) + ')</span><br>Population : ' + ZG.nombre(p.p) + ' hab.<br>EPCI : ' +
    ZG.echapper(ZG.epci[p.e] || "—") +
    '<table><tr><th>Niveau</th><th>Pôle le plus proche</th><th>Temps</th><th>Zone grise</th></tr>';
  ZG.niveaux.forEach(function (nv, i) {
    var classes = (p.z[i] ? "zg-oui" : "") + (i === courant ? " zg-courant" : "");
    h += '<tr class="' + classes + '"><td>' + ZG.echapper(nv.libelle) + '</td><td>' +
      (p.pn[i] ? ZG.echapper(p.pn[i]) : "—") + '</td><td>' + ZG.minutes(p.t[i]) +
      (p.b && p.b[i] ? ' <span class="zg-code">(' + ZG.nombre(p.b[i][0], 1) + ' à ' +
        ZG.nombre(p.b[i][1], 1) + ')</span>' : '') +
      '</td><td>' + (p.z[i] ? "oui" : "non") + (p.u && p.u[i] ? ", incertaine" : "") +
      '</td></tr>';
  });
  h += '</table>';
  h += 'Zone grise pour ' + p.g + ' niveau' + (p.g > 1 ? 'x' : '') + ' sur ' +
    ZG.niveaux.length + '.</div>';
  return h;
};
ZG.fiche = function (p, courant) {
  var h = ZG.infobulle(p, courant);
  var lignes = ZG.resume_epci[p.e];
  if (lignes) {
    h += '<div class="zg-info" style="margin-top:6px"><b>' + ZG.echapper(ZG.epci[p.e]) +
      '</b> : population en zone grise<table>';
    lignes.forEach(function (l) {
      h += '<tr><td>' + ZG.echapper(l[0]) + '</td><td>' + ZG.nombre(l[1]) + ' commune' +
        (l[1] > 1 ? 's' : '') + '</td><td>' + ZG.nombre(l[2]) + ' hab.</td><td>' +
        ZG.nombre(100 * l[3], 1) + ' %</td></tr>';
    });
    h += '</table></div>';
  }
  return h;
};
ZG.surligner = function (e) { e.target.setStyle({weight: 2.5, color: "#000"}); };
ZG.couche = function (style, courant) {
  return L.geoJson(ZG.communes, {
    style: style,
    onEachFeature: function (f, couche) {
      couche.bindTooltip(function () { return ZG.infobulle(f.properties, courant); },
        {sticky: true, direction: "top", offset: [0, -8], opacity: 0.97});
      couche.bindPopup(function () { return ZG.fiche(f.properties, courant); },
        {maxWidth: 420, autoPanPaddingTopLeft: [20, 90]});
      couche.on("mouseover", ZG.surligner);
      couche.on("mouseout", function (e) { e.target.setStyle(style(f)); });
    }
  });
};
ZG.style_niveau = function (i) {
  return function (f) {
    var k = f.properties.k[i];
    return {fillColor: k < 0 ? ZG.sans_temps : ZG.couleurs[k], fillOpacity: 0.82,
      color: "#ffffff", weight: 0.6, opacity: 0.9};
  };
};
ZG.style_cumul = function (f) {
  return {fillColor: ZG.couleurs_cumul[Math.min(f.properties.g, ZG.couleurs_cumul.length - 1)],
    fillOpacity: 0.85, color: "#ffffff", weight: 0.6, opacity: 0.9};
};
ZG.DECISIONS = {impose: "#d7301f", regroupement: "#6a3d9a"};
ZG.poles = function (liste, symbole, groupe) {
  liste.forEach(function (p) {
    var decision = ZG.DECISIONS[p[9]];
    var m = L.circleMarker([p[0], p[1]], {pane: "zg_poles", radius: symbole[0],
      color: decision || (p[4] ? symbole[1] : "#fff"), weight: decision ? 3 : (p[4] ? 2 : 1.3),
      fillColor: p[4] ? "#fff" : symbole[1], fillOpacity: 1,
      dashArray: p[4] ? "3 2" : null,
      className: "zg-marqueur-pole" + (p[9] && p[9] !== "regle" ? " zg-pole-" + p[9] : "")});
    var qualite = p[9] === "impose" ? " (imposé par l'équipe)" :
      (p[9] === "regroupement" ? " (regroupement « " + p[10] + " »)" : "");
    m.bindTooltip(ZG.echapper(p[2]) + " — " + ZG.echapper(symbole[2] + qualite));
    m.bindPopup(function () {
      var h = '<div class="zg-pole"><b>' + ZG.echapper(p[2]) + '</b> (' + ZG.echapper(p[3]) +
        ') — ' + ZG.echapper(symbole[2]) + (p[4] ? '<br><i>hors département</i>' : '');
      if (p[9] === "impose") {
        h += '<br><b>Pôle imposé par l\'équipe</b> (décision qui l\'emporte sur la règle)';
      } else if (p[9] === "regroupement") {
        h += '<br><b>Pôle du regroupement « ' + ZG.echapper(p[10]) + ' »</b> : services ' +
          'mis en commun entre ses communes';
      }
      var presents = p[5] ? p[5].split(" ; ") : [], manquants = p[6] ? p[6].split(" ; ") : [];
      h += '<br>Services de la gamme présents : ' + p[7] + ' sur ' + p[8] + '<ul>';
      presents.forEach(function (s) { h += '<li>' + ZG.echapper(s) + '</li>'; });
      h += '</ul>Services manquants : ' + (manquants.length ? '' : 'aucun');
      if (manquants.length) {
        h += '<ul class="zg-manquant">';
        manquants.forEach(function (s) { h += '<li>' + ZG.echapper(s) + '</li>'; });
        h += '</ul>';
      }
      return h + '</div>';
    }, {maxWidth: 360, autoPanPaddingTopLeft: [20, 90]});
    m.addTo(groupe);
  });
};
ZG.retires = function (liste, groupe) {
  liste.forEach(function (p) {
    var m = L.marker([p[0], p[1]], {pane: "zg_poles", icon: L.divIcon({
      className: "zg-pole-retire", html: "\u00d7", iconSize: [16, 16], iconAnchor: [8, 8]})});
    var texte = ZG.echapper(p[2]) + " (" + ZG.echapper(p[3]) + ") — retiré des " +
      ZG.echapper(p[4]) + " par l'équipe" + (p[5] ? " (la règle en faisait un pôle)" : "");
    m.bindTooltip(texte);
    m.bindPopup('<div class="zg-pole">' + texte + '<br>Services de la gamme présents : ' +
      p[6] + ' sur ' + p[7] + '</div>');
    m.addTo(groupe);
  });
};
"""


def _case(
    couleur: str, *, hachure: bool = False, incertaine: bool = False, bord: str = "#777"
) -> str:
    if hachure or incertaine:
        classe, trait = (
            ("zg-incertaine", ' stroke-dasharray="3 2"')
            if incertaine
            else (
                "zg-zone-grise",
                "",
            )
        )
        return (
            '<svg class="zg-case" style="border:none" width="18" height="12">'
            f'<rect x="0.5" y="0.5" width="17" height="11" fill="{couleur}" stroke="#111" '
            f'stroke-width="1.2"{trait}/><rect x="0.5" y="0.5" width="17" height="11" '
            f'class="{classe}" stroke="none"/></svg>'
        )
    return f'<span class="zg-case" style="background:{couleur};border-color:{bord}"></span>'


def _ligne(symbole: str, texte: str) -> str:
    return f'<div class="zg-ligne">{symbole}<span>{html.escape(texte)}</span></div>'


def _legende(couches: str, titre: str, lignes: list[str], notes: list[str]) -> str:
    """One legend block; ``data-couche`` names the layer(s) it belongs to."""
    return (
        f'<div class="zg-legende" data-couche="{html.escape(couches)}">'
        f'<div class="zg-legende-titre">{html.escape(titre)}</div>'
        + "".join(lignes)
        + "".join(notes)
        + "</div>"
    )


def _chiffres_niveau(dossier: DossierZonesGrises, niveau: NiveauCarte) -> str:
    lignes = dossier.resume.loc[dossier.resume["niveau"].astype(str) == niveau.nom]
    if lignes.empty:
        return ""
    r = lignes.iloc[0]
    n = int(r["communes"])
    fourchette = ""
    if "communes_min" in r.index and not (int(r["communes_min"]) == int(r["communes_max"]) == n):
        fourchette = (
            f" ; de {_style.nombre_fr(int(r['communes_min']))} à "
            f"{_style.nombre_fr(int(r['communes_max']))} communes selon l'incertitude des temps"
        )
    return (
        f'<div class="zg-chiffres">En zone grise : {_style.nombre_fr(n)} commune'
        f"{'s' if n > 1 else ''}, {_style.nombre_fr(float(r['population']))} habitants "
        f"({_style.nombre_fr(100 * float(r['part_population']), 1)} % de la population du "
        f"département){fourchette}</div>"
    )


# ---------------------------------------------------------------------------------------
# the map
# ---------------------------------------------------------------------------------------


def _script(code: str, *, dans_couche: bool = True) -> Any:
    """A Folium element running ``code``; with ``dans_couche``, its parent layer is ``couche``.

    The code is a template variable, never template source: the JSON data it carries is
    inserted verbatim.
    """
    from branca.element import MacroElement
    from jinja2 import Template

    element: Any = MacroElement()
    element._name = "ZgScript"
    element.code = code
    if dans_couche:
        element._template = Template(
            "{% macro script(this, kwargs) %}(function (couche) {\n{{ this.code }}\n})"
            "({{ this._parent.get_name() }});\n{% endmacro %}"
        )
    else:
        element._template = Template(
            "{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}"
        )
    return element


def _donnees_communes(
    dossier: DossierZonesGrises, geometries: gpd.GeoSeries
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    c = dossier.communes
    niveaux = dossier.niveaux
    classes = {n.nom: _style.classe_temps(c[f"temps_{n.nom}_min"].to_numpy()) for n in niveaux}
    proprietes = []
    for i in range(len(c)):
        ligne = c.iloc[i]
        proprietes.append(
            {
                "c": str(ligne["code"]),
                "n": str(ligne["nom"]),
                "p": int(ligne["population"]),
                "e": str(ligne["epci_code"]),
                "t": [_nombre(ligne[f"temps_{n.nom}_min"]) for n in niveaux],
                "k": [int(classes[n.nom][i]) for n in niveaux],
                "z": [int(bool(ligne[f"zone_grise_{n.nom}"])) for n in niveaux],
                "u": [int(bool(ligne[f"incertaine_{n.nom}"])) for n in niveaux],
                "b": [_bornes(ligne, n.nom) for n in niveaux],
                "pn": [
                    None if pd.isna(ligne[f"pole_{n.nom}_nom"]) else str(ligne[f"pole_{n.nom}_nom"])
                    for n in niveaux
                ],
                "g": int(ligne["niveaux_zone_grise"]),
            }
        )
    return _collection(geometries, proprietes), proprietes


def _bornes(ligne: pd.Series, niveau: str) -> list[float] | None:
    """The interval of a commune's time, when the folder has one wider than the time."""
    bas, haut = ligne.get(f"temps_{niveau}_min_bas"), ligne.get(f"temps_{niveau}_min_haut")
    valeurs = [_nombre(bas), _nombre(haut)]
    if valeurs[0] is None or valeurs[1] is None or valeurs[0] == valeurs[1]:
        return None
    return [float(v) for v in valeurs if v is not None]


def _resume_epci(dossier: DossierZonesGrises) -> dict[str, list[list[Any]]]:
    libelles = {n.nom: n.libelle for n in dossier.niveaux}
    resultat: dict[str, list[list[Any]]] = {}
    for _, r in dossier.resume_epci.iterrows():
        niveau = str(r["niveau"])
        if niveau not in libelles:
            continue
        resultat.setdefault(str(r["epci_code"]), []).append(
            [
                libelles[niveau],
                int(r["communes"]),
                int(r["population"]),
                float(r["part_population"]),
            ]
        )
    return resultat


def carte_interactive(
    dossier: str | Path | DossierZonesGrises,
    *,
    fond: Literal["tuiles", "uni"] = "tuiles",
    isochrones: gpd.GeoDataFrame | None = None,
    bassins: gpd.GeoDataFrame | None = None,
    titre: str | None = None,
    tolerance_m: float | None = None,
    producteur: str | None = None,
) -> Any:
    """Build the interactive map of a zones-grises folder.

    Parameters
    ----------
    dossier
        Output folder of ``accessibilite zones-grises`` (or the result of
        :func:`cartes.lire_dossier`).
    fond
        ``"tuiles"``: the OpenStreetMap plan, with a plain background to switch to;
        ``"uni"``: no tile server at all (for networks that block tiles).
    isochrones
        Optional polygons with columns ``temps_min`` and ``source`` (any CRS).
    bassins
        Optional catchments with columns ``pole`` and ``hors_bassin`` (any CRS).
    titre
        Title of the page (default: "Zones grises des services au public — <département>").
    tolerance_m
        Simplification tolerance of the polygons, in metres (0: none); by default 30 m up
        to 1,000 communes and proportionally more beyond (about 1 km for all of France),
        so that the page of a region or of France stays light enough to open.
    producteur
        The organisation that made the map, at the start of the sources box.

    Returns
    -------
    folium.Map
        The map; its page loads the libraries from CDNs until written with
        :func:`ecrire_carte_html`, which embeds them.

    Raises
    ------
    DonneesManquantes, SansCRS, DonneesInvalides
        See :func:`cartes.lire_dossier`; also for ``isochrones`` and ``bassins``.
    """
    import folium

    if fond not in ("tuiles", "uni"):
        raise DonneesInvalides(f"Fond « {fond} » inconnu : choisissez « tuiles » ou « uni ».")
    d = dossier if isinstance(dossier, DossierZonesGrises) else lire_dossier(dossier)
    if isochrones is not None:
        isochrones = _verifier_couche(isochrones, "isochrones", ["temps_min", "source"])
    if bassins is not None:
        bassins = _verifier_couche(bassins, "bassins", ["pole", "hors_bassin"])

    if tolerance_m is None:
        tolerance_m = 30.0 * max(1.0, len(d.communes) / 1000.0)
    page = _page(d, fond=fond, titre=titre, tolerance_m=tolerance_m)
    _couches_niveaux(page)
    _couche_cumul(page)
    groupes_poles = _couches_poles(page)
    autres = []
    if isochrones is not None:
        autres.append(_couche_isochrones(page, isochrones))
    if bassins is not None:
        autres.append(_couche_bassins(page, bassins))
    autres += _couches_limites(page)
    _couche_voisines(page)
    folium.LayerControl(collapsed=False, position="topright").add_to(page.carte)
    _controles(page, fond=fond, premiers=(groupes_poles[0], autres[0]), producteur=producteur)
    return page.carte


@dataclass
class _Page:
    """The map being built and what its layer builders share."""

    carte: Any
    d: DossierZonesGrises
    geo_communes: gpd.GeoSeries
    geo_voisines: gpd.GeoSeries
    bornes: NDArray[np.float64]
    tolerance_m: float
    #: the layers of each legend block (a group or a list of groups) and its HTML
    legendes: list[tuple[Any, str]] = field(default_factory=list)
    #: the level layers, shown one at a time
    themes: list[Any] = field(default_factory=list)


def _page(d: DossierZonesGrises, *, fond: str, titre: str | None, tolerance_m: float) -> _Page:
    """The map with its title, styles, panes, base layers and the shared communes script."""
    import folium
    from branca.element import Element

    # one coverage: the communes and their neighbours, simplified together
    n_communes = len(d.communes)
    ensemble = pd.concat([d.communes.geometry, d.voisines.geometry], ignore_index=True).set_crs(
        CRS_LAMBERT93, allow_override=True
    )
    simplifiees = _simplifier(gpd.GeoSeries(ensemble, crs=CRS_LAMBERT93), tolerance_m)
    geo_communes = gpd.GeoSeries(simplifiees.iloc[:n_communes].to_numpy(), crs=CRS_LAMBERT93)
    geo_voisines = gpd.GeoSeries(simplifiees.iloc[n_communes:].to_numpy(), crs=CRS_LAMBERT93)

    collection, _ = _donnees_communes(d, geo_communes)
    bornes = gpd.GeoSeries(geo_communes, crs=CRS_LAMBERT93).to_crs("EPSG:4326").total_bounds

    carte = folium.Map(
        location=[(bornes[1] + bornes[3]) / 2, (bornes[0] + bornes[2]) / 2],
        zoom_start=9,
        tiles=None,
        control_scale=False,
        zoom_snap=0.25,
    )
    racine: Any = carte.get_root()
    racine.header.add_child(Element(f"<style>{_CSS}</style>"), name="zg_css")
    racine.html.add_child(Element(_SVG_MOTIFS), name="zg_motifs")
    titre = titre or f"Zones grises des services au public — {d.departement_nom}"
    sous_titre = (
        "Temps d'accès en voiture au pôle de services le plus proche, par niveau de la gamme "
        "du schéma départemental (SDAASP)"
    )
    racine.html.add_child(
        Element(
            f'<div class="zg-titre" id="zg-titre"><h1>{html.escape(titre)}</h1>'
            f"<p>{html.escape(sous_titre)}</p></div>"
        ),
        name="zg_titre",
    )
    racine.title = titre  # the page's <title>

    if fond == "tuiles":
        folium.TileLayer("OpenStreetMap", name="Plan OpenStreetMap", control=True).add_to(carte)
        # a second base layer, offered in the control but not shown: one base at a time
        folium.FeatureGroup(name="Fond uni (sans tuiles)", overlay=False, show=False).add_to(carte)

    for nom, z, actif in (
        ("zg_couches", 410, False),
        ("zg_zones", 420, False),
        ("zg_limites", 440, False),
        ("zg_poles", 460, True),
    ):
        folium.map.CustomPane(nom, z_index=z, pointer_events=actif).add_to(carte)

    donnees = {
        "niveaux": [{"nom": n.nom, "libelle": n.libelle, "seuil": n.seuil_min} for n in d.niveaux],
        "couleurs": list(_style.COULEURS_TEMPS),
        "sans_temps": _style.COULEUR_SANS_TEMPS,
        "couleurs_cumul": _style.couleurs_cumul(len(d.niveaux)),
        "epci": dict(
            zip(d.epci["epci_code"].astype(str), d.epci["epci_nom"].astype(str), strict=False)
        )
        | dict(
            zip(
                d.communes["epci_code"].astype(str),
                d.communes["epci_nom"].astype(str),
                strict=False,
            )
        ),
        "resume_epci": _resume_epci(d),
    }

    commun = _script(
        _JS_COMMUN.replace("%(donnees)s", _js(donnees)).replace("%(communes)s", _js(collection)),
        dans_couche=False,
    )
    carte.add_child(commun, name="zg_commun")

    return _Page(carte, d, geo_communes, geo_voisines, bornes, tolerance_m)


def _couches_niveaux(page: _Page) -> None:
    """One layer per level (times to the nearest pole, zones grises outlined)."""
    import folium

    carte, d, c, geo_communes = page.carte, page.d, page.d.communes, page.geo_communes
    legendes, themes = page.legendes, page.themes
    for i, niveau in enumerate(d.niveaux):
        sans_pole = niveau.n_poles == 0
        nom_couche = (
            f"Zones grises — {niveau.adjectif} (seuil {_style.nombre_fr(niveau.seuil_min)} min)"
            + (" : aucun pôle" if sans_pole else "")
        )
        fg = folium.FeatureGroup(name=nom_couche, show=(i == 0))
        incertaines = c[f"incertaine_{niveau.nom}"].to_numpy(dtype=bool)
        # an uncertain commune gets its own hatching, not the zone grise's
        zg_sures = c[f"zone_grise_{niveau.nom}"].to_numpy(dtype=bool) & ~incertaines
        code = f"ZG.couche(ZG.style_niveau({i}), {i}).addTo(couche);"
        for masque, classe, trait in (
            (zg_sures, "zg-zone-grise", ""),
            (incertaines, "zg-incertaine", ", dashArray: '5 3'"),
        ):
            if not masque.any():
                continue
            union = geo_communes[masque].union_all()
            code += (
                f"L.geoJson({_js(_collection(gpd.GeoSeries([union], crs=CRS_LAMBERT93)))}, "
                f"{{pane: 'zg_zones', interactive: false, className: '{classe}', "
                f"style: {{color: '#111111', weight: 2, fillOpacity: 1{trait}}}}}).addTo(couche);"
            )
        fg.add_child(_script(code))
        fg.add_to(carte)
        themes.append(fg)

        presents = set(_style.classe_temps(c[f"temps_{niveau.nom}_min"].to_numpy()).tolist())
        lignes = [
            _ligne(_case(couleur), classe.libelle)
            for k, (classe, couleur) in enumerate(
                zip(_style.CLASSES_TEMPS, _style.COULEURS_TEMPS, strict=True)
            )
            if k in presents  # the legend shows only the classes the map shows
        ]
        if -1 in presents:
            lignes.append(_ligne(_case(_style.COULEUR_SANS_TEMPS), _style.LIBELLE_SANS_TEMPS))
        lignes.append(
            _ligne(
                _case("transparent", hachure=True),
                f"zone grise : plus de {_style.nombre_fr(niveau.seuil_min)} min",
            )
        )
        if incertaines.any():
            lignes.append(
                _ligne(
                    _case("transparent", incertaine=True),
                    f"incertaine : l'intervalle d'incertitude du temps contient le seuil "
                    f"({_style.nombre_fr(int(incertaines.sum()))} commune"
                    f"{'s' if incertaines.sum() > 1 else ''})",
                )
            )
        notes = [_chiffres_niveau(d, niveau)]
        regle = _style.texte_regle_niveau(d.parametres, niveau)
        if regle:
            notes.append(
                f'<div class="zg-chiffres">Pôle : {html.escape(_style.disposant(regle))}</div>'
            )
        if sans_pole:
            notes.append(
                f'<div class="zg-note">Aucun {_style.nom_pole(niveau)} dans la zone étudiée : '
                "aucun temps n'est calculable, la couche ne montre que les communes "
                f"({_style.nombre_fr(int(c[f'zone_grise_{niveau.nom}'].sum()))} en zone "
                "grise).</div>"
            )
        legendes.append(
            (
                fg,
                _legende(
                    nom_couche,
                    f"Temps au {_style.nom_pole(niveau)} le plus proche (voiture)",
                    lignes,
                    notes,
                ),
            )
        )


def _couche_cumul(page: _Page) -> None:
    """The overlay of levels: for how many levels each commune is in zone grise."""
    import folium

    carte, d, c = page.carte, page.d, page.d.communes
    legendes, themes = page.legendes, page.themes
    fg_cumul = folium.FeatureGroup(
        name="Espaces à enjeux d'éloignement (cumul des zones grises)", show=False
    )
    fg_cumul.add_child(_script("ZG.couche(ZG.style_cumul, -1).addTo(couche);"))
    fg_cumul.add_to(carte)
    themes.append(fg_cumul)
    comptes = c["niveaux_zone_grise"].value_counts()
    lignes = [
        _ligne(
            _case(couleur),
            f"{libelle} ({_style.nombre_fr(int(comptes.get(k, 0)))} commune"
            f"{'s' if comptes.get(k, 0) > 1 else ''})",
        )
        for k, (couleur, libelle) in enumerate(
            zip(
                _style.couleurs_cumul(len(d.niveaux)),
                _style.libelles_cumul(d.niveaux),
                strict=True,
            )
        )
        if comptes.get(k, 0) > 0  # the legend shows only the classes the map shows
    ]
    legendes.append(
        (
            fg_cumul,
            _legende(
                fg_cumul.layer_name,
                "Nombre de niveaux pour lesquels la commune est en zone grise",
                lignes,
                [
                    '<div class="zg-chiffres">Niveaux : '
                    + html.escape(", ".join(n.adjectif for n in d.niveaux))
                    + "</div>"
                ],
            ),
        )
    )


def _couches_poles(page: _Page) -> list[Any]:
    """The poles of each level in their own pane; returns their layers."""
    import folium

    carte, d, legendes = page.carte, page.d, page.legendes
    # poles, in their own pane; the largest level first so that smaller circles stay visible
    poles_wgs = d.poles.to_crs("EPSG:4326")
    groupes_poles = []
    symboles_legende = []
    for niveau in reversed(d.niveaux):
        rayon, couleur = _SYMBOLES_POLES.get(niveau.nom, _SYMBOLE_DEFAUT)
        sel = poles_wgs[poles_wgs["niveau"] == niveau.nom]
        nom_couche = _style.nom_pole(niveau, pluriel=True).capitalize() + (
            f" ({_style.nombre_fr(len(sel))})" if len(sel) else " : aucun"
        )
        fg = folium.FeatureGroup(name=nom_couche, show=niveau.nom != "proximite")
        liste = [
            [
                round(float(g.y), DECIMALES),
                round(float(g.x), DECIMALES),
                str(r["nom"]),
                str(r["code"]),
                int(bool(r["hors_departement"])),
                str(r["items_presents"]),
                str(r["items_manquants"]),
                int(r["n_items"]) if "n_items" in r and pd.notna(r["n_items"]) else 0,
                int(r["n_items_gamme"])
                if "n_items_gamme" in r and pd.notna(r["n_items_gamme"])
                else len(niveau.items),
                str(r.get("origine", "regle") or "regle"),
                str(r.get("regroupement", "") or ""),
            ]
            for (_, r), g in zip(sel.iterrows(), sel.geometry.representative_point(), strict=True)
        ]
        fg.add_child(
            _script(
                f"ZG.poles({_js(liste)}, {_js([rayon, couleur, _style.nom_pole(niveau)])}, couche);"
            )
        )
        groupes_poles.append(fg)
        symboles_legende.append((niveau, rayon, couleur, len(sel)))
    retires = _couche_poles_retires(page)
    if retires is not None:
        groupes_poles.append(retires)
    for fg in groupes_poles:
        fg.add_to(carte)
    lignes = []
    for niveau, rayon, couleur, n in reversed(symboles_legende):
        taille = int(2 * rayon + 3)
        lignes.append(
            _ligne(
                f'<svg width="24" height="{taille}" style="flex:none">'
                f'<circle cx="12" cy="{taille / 2}" r="{rayon}" fill="{couleur}" stroke="#fff" '
                'stroke-width="1.3"/></svg>',
                _style.nom_pole(niveau).capitalize() + ("" if n else " (aucun)"),
            )
        )
    lignes.append(
        _ligne(
            '<svg width="24" height="16" style="flex:none"><circle cx="12" cy="8" r="6" '
            'fill="#fff" stroke="#2171b5" stroke-width="2" stroke-dasharray="3 2"/></svg>',
            "pôle hors département",
        )
    )
    origines = set(d.poles["origine"].astype(str)) if "origine" in d.poles else set()
    for origine, couleur, texte in (
        ("impose", "#d7301f", "pôle imposé par l'équipe"),
        ("regroupement", "#6a3d9a", "pôle d'un regroupement (services mis en commun)"),
    ):
        if origine in origines:
            lignes.append(
                _ligne(
                    '<svg width="24" height="16" style="flex:none"><circle cx="12" cy="8" '
                    f'r="6" fill="#2171b5" stroke="{couleur}" stroke-width="3"/></svg>',
                    texte,
                )
            )
    if retires is not None:
        lignes.append(
            _ligne(
                '<span style="width:24px;flex:none;text-align:center;color:#d7301f;'
                'font:700 18px Arial">\u00d7</span>',
                "pôle retiré par l'équipe",
            )
        )
    legendes.append(
        (
            groupes_poles,
            _legende(
                " | ".join(g.layer_name for g in groupes_poles),
                "Pôles de services",
                lignes,
                [
                    '<div class="zg-chiffres">Un pôle de plusieurs niveaux apparaît en cercles '
                    "emboîtés. Cliquer un pôle : services présents et manquants.</div>"
                ],
            ),
        )
    )

    return groupes_poles


def _couche_poles_retires(page: _Page) -> Any | None:
    """The communes the team took out of the poles of a level (``None`` when none)."""
    import folium

    d = page.d
    imposes = d.poles_imposes
    if imposes.empty or "pole_impose" not in imposes.columns:
        return None
    retires = imposes[imposes["pole_impose"].astype(str) == "non"]
    niveaux = {n.nom: n for n in d.niveaux}
    retires = retires[retires["niveau"].astype(str).isin(list(niveaux))]
    if retires.empty:
        return None
    points = retires.to_crs("EPSG:4326").geometry.representative_point()
    liste = [
        [
            round(float(g.y), DECIMALES),
            round(float(g.x), DECIMALES),
            str(r["nom"]),
            str(r["code"]),
            _style.nom_pole(niveaux[str(r["niveau"])], pluriel=True),
            int(str(r.get("pole_selon_regle", "")) == "oui"),
            int(r["n_items"]) if pd.notna(r.get("n_items")) else 0,
            int(r["n_items_gamme"]) if pd.notna(r.get("n_items_gamme")) else 0,
        ]
        for (_, r), g in zip(retires.iterrows(), points, strict=True)
    ]
    fg = folium.FeatureGroup(
        name=f"Pôles retirés par l'équipe ({_style.nombre_fr(len(liste))})", show=True
    )
    fg.add_child(_script(f"ZG.retires({_js(liste)}, couche);"))
    return fg


def _couche_isochrones(page: _Page, isochrones: gpd.GeoDataFrame) -> Any:
    """Isochrone polygons, one colour per band; returns the layer."""
    import folium

    carte, legendes, tolerance_m = page.carte, page.legendes, page.tolerance_m
    fg_iso = folium.FeatureGroup(name="Isochrones", show=False)
    iso = isochrones.sort_values("temps_min", ascending=False).reset_index(drop=True)
    valeurs = _bornes_isochrones(iso["temps_min"].to_numpy(dtype=float))
    couleurs = {
        v: _COULEURS_ISOCHRONES[min(k, len(_COULEURS_ISOCHRONES) - 1)]
        for k, v in enumerate(valeurs)
    }
    props = [
        {
            "t": _nombre(r["temps_min"]),
            "s": str(r["source"]),
            "c": couleurs.get(float(r["temps_min"]), "#999999"),
        }
        for _, r in iso.iterrows()
    ]
    fg_iso.add_child(
        _script(
            f"L.geoJson({_js(_collection(_simplifier(iso.geometry, tolerance_m), props))}, "
            "{pane: 'zg_couches', interactive: false, style: function (f) { return "
            "{color: f.properties.c, weight: 1.6, fillColor: f.properties.c, "
            "fillOpacity: 0.22}; }}).addTo(couche);"
        )
    )
    fg_iso.add_to(carte)
    legendes.append(
        (
            fg_iso,
            _legende(
                fg_iso.layer_name,
                "Isochrones (temps en voiture)",
                [
                    _ligne(_case(couleurs[v]), f"{_style.nombre_fr(v)} min ou moins")
                    for v in valeurs
                ],
                [
                    '<div class="zg-chiffres">Autour de : '
                    + html.escape(", ".join(sorted({str(x) for x in iso["source"]})))
                    + "</div>"
                ],
            ),
        )
    )
    return fg_iso


def _couche_bassins(page: _Page, bassins: gpd.GeoDataFrame) -> Any:
    """Service catchments, one colour per pole, "hors bassin" hatched; returns the layer."""
    import folium

    carte, legendes, tolerance_m = page.carte, page.legendes, page.tolerance_m
    fg_bassins = folium.FeatureGroup(name="Bassins de services", show=False)
    hors = bassins["hors_bassin"].astype(str).str.lower().isin(["true", "1", "vrai"])
    poles_bassins = sorted({str(p) for p in bassins.loc[~hors, "pole"]})
    teinte = {p: _COULEURS_BASSINS[k % len(_COULEURS_BASSINS)] for k, p in enumerate(poles_bassins)}
    props = [
        {"p": str(p), "h": bool(h), "c": teinte.get(str(p), "#bbbbbb")}
        for p, h in zip(bassins["pole"], hors, strict=True)
    ]
    fg_bassins.add_child(
        _script(
            f"L.geoJson({_js(_collection(_simplifier(bassins.geometry, tolerance_m), props))}, "
            "{pane: 'zg_couches', interactive: false, style: function (f) { return "
            "f.properties.h ? {color: '#555', weight: 0.8, fillOpacity: 1, "
            "className: 'zg-hors-bassin'} : {color: '#333', weight: 1.4, "
            "fillColor: f.properties.c, fillOpacity: 0.6}; }}).addTo(couche);"
        )
    )
    fg_bassins.add_to(carte)
    legendes.append(
        (
            fg_bassins,
            _legende(
                fg_bassins.layer_name,
                "Bassins de services",
                [
                    _ligne(_case(_COULEURS_BASSINS[0]), "bassin d'un pôle (une couleur par pôle)"),
                    _ligne(
                        '<svg class="zg-case" style="border:1px solid #555" width="18" '
                        'height="12"><rect width="18" height="12" class="zg-hors-bassin"/>'
                        "</svg>",
                        "hors bassin",
                    ),
                ],
                [
                    f'<div class="zg-chiffres">{_style.nombre_fr(len(poles_bassins))} '
                    "bassins (un par pôle) ; hors bassin : au-delà du seuil du niveau</div>"
                ],
            ),
        )
    )

    return fg_bassins


def _couches_limites(page: _Page) -> list[Any]:
    """EPCI and département boundaries; returns their layers."""
    import folium

    carte, c, geo_communes, legendes = page.carte, page.d.communes, page.geo_communes, page.legendes
    fg_epci = folium.FeatureGroup(name="Limites des EPCI", show=True)
    epci_geo = (
        gpd.GeoSeries(geo_communes.to_numpy(), crs=CRS_LAMBERT93)
        .groupby(c["epci_code"].to_numpy())
        .agg(lambda s: shapely.union_all(s.to_numpy()))
    )
    epci_geo = gpd.GeoSeries(epci_geo.to_numpy(), crs=CRS_LAMBERT93).boundary
    fg_epci.add_child(
        _script(
            f"L.geoJson({_js(_collection(epci_geo))}, {{pane: 'zg_limites', interactive: false, "
            "style: {color: '#3b3b3b', weight: 1.6, opacity: 0.9, dashArray: '6 3'}})"
            ".addTo(couche);"
        )
    )
    fg_epci.add_to(carte)
    fg_dep = folium.FeatureGroup(name="Limite du département", show=True)
    contour = gpd.GeoSeries(
        [shapely.union_all(geo_communes.to_numpy())], crs=CRS_LAMBERT93
    ).boundary
    fg_dep.add_child(
        _script(
            f"L.geoJson({_js(_collection(contour))}, {{pane: 'zg_limites', interactive: false, "
            "style: {color: '#000000', weight: 2.6, opacity: 1}}).addTo(couche);"
        )
    )
    fg_dep.add_to(carte)
    legendes.append(
        (
            [fg_epci, fg_dep],
            _legende(
                " | ".join(g.layer_name for g in (fg_epci, fg_dep)),
                "Limites",
                [
                    _ligne(
                        '<svg class="zg-case" style="border:none" width="18" height="12">'
                        '<line x1="0" y1="6" x2="18" y2="6" stroke="#3b3b3b" stroke-width="1.6" '
                        'stroke-dasharray="6 3"/></svg>',
                        "EPCI",
                    ),
                    _ligne(
                        '<svg class="zg-case" style="border:none" width="18" height="12">'
                        '<line x1="0" y1="6" x2="18" y2="6" stroke="#000" stroke-width="2.6"/>'
                        "</svg>",
                        "département",
                    ),
                ],
                [],
            ),
        )
    )

    return [fg_epci, fg_dep]


def _couche_voisines(page: _Page) -> None:
    """The neighbouring communes, as context (they never overlap the département's)."""
    import folium

    carte, d, geo_voisines = page.carte, page.d, page.geo_voisines
    voisines_fg = folium.FeatureGroup(name="Communes voisines (hors département)", show=True)
    if len(d.voisines):
        vois = _collection(
            geo_voisines, [{"n": str(n)} for n in d.voisines.get("nom", [""] * len(d.voisines))]
        )
        voisines_fg.add_child(
            _script(
                f"L.geoJson({_js(vois)}, {{style: {{fillColor: '#e6e4dc', fillOpacity: 0.9, "
                "color: '#ffffff', weight: 0.6}, onEachFeature: function (f, l) { "
                "l.bindTooltip(ZG.echapper(f.properties.n) + ' (hors département)', "
                "{sticky: true}); }}).addTo(couche);"
            )
        )
    voisines_fg.add_to(carte)


def _controles(
    page: _Page, *, fond: str, premiers: tuple[Any, Any], producteur: str | None = None
) -> None:
    """Legends (bottom left), sources (bottom right), headings in the layer control, one
    level layer at a time, initial view."""
    from branca.element import MacroElement
    from jinja2 import Template

    carte, d, legendes, themes, bornes = page.carte, page.d, page.legendes, page.themes, page.bornes
    premier_pole, premiere_autre = premiers
    entrees = []
    for couches, contenu in legendes:
        groupes = couches if isinstance(couches, list) else [couches]
        entrees.append(([g.get_name() for g in groupes], _js(contenu)))
    sources = _style.ligne_sources(d, tuiles=fond == "tuiles", producteur=producteur)
    controles: Any = MacroElement()
    controles._template = Template(
        """{% macro script(this, kwargs) %}
(function (carte) {
  var themes = [{{ this.themes|join(", ") }}];
  var entrees = [
  {%- for noms, contenu in this.entrees %}
    {couches: [{{ noms|join(", ") }}], html: {{ contenu }}},
  {%- endfor %}
  ];
  var boite = L.control({position: "bottomleft"});
  boite.onAdd = function () {
    var div = L.DomUtil.create("div", "zg-legendes");
    div.id = "zg-legendes";
    entrees.forEach(function (e) {
      div.insertAdjacentHTML("beforeend", e.html);
      e.element = div.lastElementChild;
    });
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  L.control.scale({imperial: false, position: "bottomleft", maxWidth: 160}).addTo(carte);
  boite.addTo(carte);
  var sources = L.control({position: "bottomright"});
  sources.onAdd = function () {
    var div = L.DomUtil.create("div", "zg-sources");
    div.id = "zg-sources";
    div.innerHTML = {{ this.sources }};
    return div;
  };
  sources.addTo(carte);
  var boiteSources = document.getElementById("zg-sources");
  function majLegendes() {
    var premiere = true;
    entrees.forEach(function (e) {
      var visible = e.couches.some(function (c) { return carte.hasLayer(c); });
      e.element.style.display = visible ? "" : "none";
      e.element.classList.toggle("zg-premiere", visible && premiere);
      if (visible) { premiere = false; }
    });
  }
  // headings in the layer control, put back each time Leaflet rebuilds its list
  var groupes = {{ this.groupes }};
  function intertitres() {
    var liste = document.querySelector(".leaflet-control-layers-overlays");
    if (!liste) { return; }
    liste.querySelectorAll(".zg-groupe").forEach(function (e) { e.remove(); });
    liste.querySelectorAll("label").forEach(function (label) {
      var nom = label.textContent.trim();
      if (Object.prototype.hasOwnProperty.call(groupes, nom)) {
        var titre = document.createElement("div");
        titre.className = "zg-groupe";
        titre.textContent = groupes[nom];
        liste.insertBefore(titre, label);
      }
    });
  }
  function apres() { majLegendes(); intertitres(); }
  carte.on("overlayadd", function (ev) {
    if (themes.indexOf(ev.layer) >= 0) {
      // only one level at a time, once the layer control has finished with the click
      setTimeout(function () {
        themes.forEach(function (t) {
          if (t !== ev.layer && carte.hasLayer(t)) { carte.removeLayer(t); }
        });
        apres();
      }, 0);
    }
    apres();
  });
  carte.on("overlayremove", apres);
  carte.on("baselayerchange", intertitres);
  apres();
  // the territory fits above the sources box (bottom right), never under it
  // (the box sits over the attribution: measure from its top to the map's bottom)
  var basSources = boiteSources ? Math.max(10, carte.getContainer().getBoundingClientRect()
    .bottom - boiteSources.getBoundingClientRect().top + 6) : 10;
  carte.fitBounds({{ this.bornes }},
    {paddingTopLeft: [10, 60], paddingBottomRight: [10, basSources], animate: false});
})({{ this._parent.get_name() }});
{% endmacro %}"""
    )
    controles.themes = [t.get_name() for t in themes]
    controles.groupes = _js(
        {
            themes[0].layer_name: "Zones grises par niveau",
            premier_pole.layer_name: "Pôles de services",
            premiere_autre.layer_name: "Repères et autres couches",
        }
    )
    controles.entrees = entrees
    controles.sources = _js(html.escape(sources))
    controles.bornes = _js(
        [[float(bornes[1]), float(bornes[0])], [float(bornes[3]), float(bornes[2])]]
    )
    carte.add_child(controles, name="zg_controles")
    return carte


def ecrire_carte_html(
    dossier: str | Path | DossierZonesGrises,
    chemin: str | Path,
    *,
    autonome: bool | None = None,
    **options: Any,
) -> Path:
    """Write the interactive map as one self-contained HTML file (atomically).

    Parameters
    ----------
    dossier
        Output folder of ``accessibilite zones-grises``.
    chemin
        HTML file to write.
    autonome
        ``True``: embed Leaflet and the other libraries (error if they are neither in the
        asset cache nor downloadable); ``False``: link them from their CDNs (the page then
        needs Internet); ``None``: embed when possible, else link and log a warning.
    **options
        Passed to :func:`carte_interactive` (``fond``, ``isochrones``, ``bassins``...).

    Returns
    -------
    Path
        The file written.
    """
    from socle.fichiers import ecriture_atomique

    carte = carte_interactive(dossier, **options)
    page = rendre_html(carte, autonome=autonome).replace("<html>", '<html lang="fr">', 1)
    chemin = Path(chemin)
    with ecriture_atomique(chemin) as temporaire:
        temporaire.write_text(page, encoding="utf-8")
    logger.info("Carte interactive écrite : %s (%.1f Mo)", chemin, chemin.stat().st_size / 1e6)
    return chemin
