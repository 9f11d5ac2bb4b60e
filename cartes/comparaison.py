"""Maps of a comparison folder (``accessibilite comparer``): where the previous study and the
new run agree on the zones grises.

Reads the folder only (``comparaison.gpkg`` layer ``accord`` and ``parametres.json``, format
in ``docs/FORMATS.md``) and writes:

* ``carte_comparaison.html``: one layer per level (shown one at a time), each commune
  coloured by its agreement class (in zone grise in both, only in the previous study, only
  in the new run, in neither), a legend with the counts, the sources;
* ``carte_comparaison.png``: the same classes, one panel per level, on an A4 landscape page.
"""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path
from typing import Any

import geopandas as gpd

from cartes import _style
from cartes.ressources import rendre_html
from socle.erreurs import DonneesInvalides, DonneesManquantes
from socle.fichiers import ecriture_atomique
from socle.symbologie import COULEURS_ACCORD, LIBELLES_ACCORD
from socle.territoire import CRS_LAMBERT93

__all__ = ["COULEURS_ACCORD", "ecrire_cartes_comparaison", "lire_comparaison"]

logger = logging.getLogger(__name__)

# Colour and label of each agreement class (``accord_<niveau>``): in socle.symbologie, which
# the QGIS style of comparaison.gpkg reads too.
_LIBELLES_ACCORD = LIBELLES_ACCORD


def lire_comparaison(dossier: str | Path) -> tuple[gpd.GeoDataFrame, dict[str, Any], list[str]]:
    """The ``accord`` layer (EPSG:2154), the parameters and the levels compared.

    Raises
    ------
    DonneesManquantes
        A file is missing.
    DonneesInvalides
        No ``accord_<niveau>`` column with commune classes (a comparison of counts only).
    """
    from socle.dossiers import verifier_dossier

    chemin = Path(dossier)
    if chemin.is_dir():
        verifier_dossier(chemin)
    for nom in ("comparaison.gpkg", "parametres.json"):
        if not (chemin / nom).is_file():
            raise DonneesManquantes(
                f"{chemin / nom} introuvable : donnez le dossier de sortie d'« accessibilite "
                "comparer »."
            )
    parametres = json.loads((chemin / "parametres.json").read_text(encoding="utf-8"))
    communes = gpd.read_file(chemin / "comparaison.gpkg", layer="accord")
    if communes.crs is not None and communes.crs != CRS_LAMBERT93:
        communes = communes.to_crs(CRS_LAMBERT93)
    niveaux = [
        str(n)
        for n in parametres.get("niveaux", [])
        if f"accord_{n}" in communes.columns and communes[f"accord_{n}"].fillna("").ne("").any()
    ]
    if not niveaux:
        raise DonneesInvalides(
            "La comparaison ne porte que sur des comptes (pas de liste de communes) : aucune "
            "carte d'accord n'est possible."
        )
    return communes, parametres, niveaux


def _libelles(parametres: dict[str, Any]) -> dict[str, str]:
    gammes = (parametres.get("gammes") or {}).get("niveaux") or []
    return {str(g.get("nom")): str(g.get("libelle")) for g in gammes if isinstance(g, dict)}


def _sources(parametres: dict[str, Any]) -> str:
    precedent = parametres.get("precedent") or {}
    nouveau = parametres.get("nouveau") or {}
    morceaux = [
        f"Étude précédente : {Path(str(precedent.get('fichier', ''))).name}",
        f"nouvelle analyse : {Path(str(nouveau.get('dossier', ''))).name}"
        + (f" ({nouveau['regle']})" if nouveau.get("regle") else ""),
    ]
    if nouveau.get("source"):
        morceaux.append(f"temps : {nouveau['source']}")
    if precedent.get("codes_anciens_rattaches"):
        morceaux.append(
            f"{precedent['codes_anciens_rattaches']} communes fusionnées depuis rattachées à "
            "leur commune actuelle"
        )
    morceaux.append(f"comparaison du {_style.date_francaise(parametres.get('date'))}")
    return ". ".join(m[:1].upper() + m[1:] for m in morceaux) + "."


def _titre(parametres: dict[str, Any]) -> str:
    nom, code = parametres.get("departement_nom"), parametres.get("departement")
    territoire = f"{nom} ({code})" if nom and code else str(nom or code or "")
    return f"Zones grises : étude précédente et nouvelle analyse — {territoire}"


def _carte_html(communes: gpd.GeoDataFrame, parametres: dict[str, Any], niveaux: list[str]) -> Any:
    import folium
    import shapely
    from branca.element import Element

    wgs = communes.to_crs("EPSG:4326")
    simplifiees = wgs.geometry.simplify(0.0003, preserve_topology=True)
    wgs["geometry"] = shapely.set_precision(simplifiees.to_numpy(), 1e-5)
    bornes = wgs.total_bounds
    carte = folium.Map(
        location=[(bornes[1] + bornes[3]) / 2, (bornes[0] + bornes[2]) / 2],
        zoom_start=9,
        tiles="OpenStreetMap",
        control_scale=True,
    )
    racine: Any = carte.get_root()
    titre = _titre(parametres)
    racine.html.add_child(
        Element(
            '<div style="position:absolute;z-index:1000;top:10px;left:56px;background:'
            "rgba(255,255,255,.94);padding:6px 14px;border-radius:4px;box-shadow:0 1px 5px "
            f'rgba(0,0,0,.35);font:13px system-ui,sans-serif"><b>{html.escape(titre)}</b>'
            "<br>Accord des deux études sur les communes en zone grise, par niveau</div>"
        )
    )
    racine.title = titre
    libelles = _libelles(parametres)
    legende = [
        '<div style="font:12px system-ui,sans-serif;background:rgba(255,255,255,.95);'
        'padding:6px 10px;border-radius:4px;box-shadow:0 1px 5px rgba(0,0,0,.35)">'
    ]
    for i, n in enumerate(niveaux):
        colonne = f"accord_{n}"
        donnees = wgs[["code", "nom", colonne, "geometry"]].copy()
        donnees[colonne] = donnees[colonne].fillna("aucune")
        libelle = libelles.get(n, n)
        groupe = folium.FeatureGroup(name=f"Accord — {libelle.lower()}", show=i == 0)
        folium.GeoJson(
            donnees.__geo_interface__,
            style_function=lambda f, c=colonne: {
                "fillColor": COULEURS_ACCORD.get(f["properties"][c], "#cccccc"),
                "fillOpacity": 0.85,
                "color": "#ffffff",
                "weight": 0.6,
            },
            tooltip=folium.GeoJsonTooltip(
                fields=["nom", "code", colonne], aliases=["Commune", "Code", "Zone grise"]
            ),
        ).add_to(groupe)
        groupe.add_to(carte)
        comptes = donnees[colonne].value_counts()
        legende.append(f"<b>{html.escape(libelle)}</b>")
        for classe, couleur in COULEURS_ACCORD.items():
            legende.append(
                f'<div><span style="display:inline-block;width:16px;height:11px;'
                f'background:{couleur};border:1px solid #777;margin-right:5px"></span>'
                f"{html.escape(_LIBELLES_ACCORD[classe])} "
                f"({_style.nombre_fr(int(comptes.get(classe, 0)))})</div>"
            )
    legende.append(
        f'<div style="max-width:300px;color:#555;font-size:10.5px;margin-top:4px">'
        f"{html.escape(_sources(parametres))}</div></div>"
    )
    folium.LayerControl(collapsed=False).add_to(carte)
    macro = Element(
        '<div style="position:absolute;z-index:1000;bottom:24px;right:10px;max-height:60vh;'
        f'overflow-y:auto">{"".join(legende)}</div>'
    )
    racine.html.add_child(macro)
    return carte


def _carte_png(
    communes: gpd.GeoDataFrame, parametres: dict[str, Any], niveaux: list[str], chemin: Path
) -> None:
    import textwrap

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    libelles = _libelles(parametres)
    fig, axes = plt.subplots(1, len(niveaux), figsize=(11.69, 8.27), squeeze=False)
    for ax, n in zip(axes[0], niveaux, strict=True):
        classes = communes[f"accord_{n}"].fillna("aucune")
        communes.plot(
            ax=ax,
            color=[COULEURS_ACCORD.get(c, "#cccccc") for c in classes],
            edgecolor="white",
            linewidth=0.15,
        )
        communes.dissolve().boundary.plot(ax=ax, color="black", linewidth=0.6)
        ax.set_title(libelles.get(n, n), fontsize=11)
        ax.set_axis_off()
    fig.subplots_adjust(left=0.01, right=0.99, top=0.9, bottom=0.16, wspace=0.02)
    fig.suptitle(_titre(parametres), fontsize=13, fontweight="bold")
    fig.legend(
        handles=[
            Patch(facecolor=c, edgecolor="#777", label=_LIBELLES_ACCORD[k])
            for k, c in COULEURS_ACCORD.items()
        ],
        loc="lower center",
        ncol=4,
        frameon=False,
        fontsize=9,
        bbox_to_anchor=(0.5, 0.07),
    )
    fig.text(
        0.02,
        0.02,
        "Sources : " + "\n".join(textwrap.wrap(_sources(parametres), width=190)),
        fontsize=6.5,
        color="#333333",
        va="bottom",
    )
    with ecriture_atomique(chemin) as tmp:
        fig.savefig(tmp, dpi=200, format="png")
    plt.close(fig)


def ecrire_cartes_comparaison(
    dossier: str | Path,
    formats: tuple[str, ...] = ("html", "png"),
    *,
    autonome: bool | None = None,
) -> list[Path]:
    """Write ``carte_comparaison.html`` and/or ``carte_comparaison.png`` into ``dossier``."""
    communes, parametres, niveaux = lire_comparaison(dossier)
    ecrits: list[Path] = []
    if "html" in formats:
        chemin = Path(dossier) / "carte_comparaison.html"
        page = rendre_html(_carte_html(communes, parametres, niveaux), autonome=autonome)
        with ecriture_atomique(chemin) as tmp:
            tmp.write_text(page.replace("<html>", '<html lang="fr">', 1), encoding="utf-8")
        ecrits.append(chemin)
    if "png" in formats:
        chemin = Path(dossier) / "carte_comparaison.png"
        _carte_png(communes, parametres, niveaux, chemin)
        ecrits.append(chemin)
    return ecrits
