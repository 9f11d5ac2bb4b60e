"""Static print maps of a zones-grises folder: A4 PNG (300 dpi) and PDF, with Matplotlib.

Each page carries what a printed map needs: title and subtitle, the map itself (communes
coloured by time class, or by number of levels in zone grise), the zone grise hatched and
outlined, EPCI boundaries and labels, the poles, a legend with the counts, a scale bar, a
north arrow, the sources and the date. The colour ramps lose lightness class after class
and the zone grise is hatched, so the page still reads once printed in black and white
(``gris=True`` draws it in shades of grey from the start).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import textwrap
import weakref
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import shapely

from cartes import _style
from cartes.dossier import DossierZonesGrises, NiveauCarte, lire_dossier
from socle.erreurs import DonneesInvalides
from socle.territoire import CRS_LAMBERT93

__all__ = ["A4_MM", "carte_statique", "figure_statique"]

logger = logging.getLogger(__name__)

#: A4 in millimetres (portrait).
A4_MM = (210.0, 297.0)
_MM = 1 / 25.4
_DPI = 300

_COULEUR_VOISINES = "#f4f4f4"
_BORD_VOISINES = "#c4c4c4"
_COULEUR_FOND = "#ffffff"

_ABREVIATIONS = (
    ("Communauté d'agglomération", "CA"),
    ("Communauté de communes", "CC"),
    ("Communauté urbaine", "CU"),
    ("Métropole", "Métropole"),
)


def _nom_court_epci(nom: str) -> str:
    """``"Communauté de communes du Ternois"`` -> ``"CC du Ternois"``."""
    for long, court in _ABREVIATIONS:
        if nom.lower().startswith(long.lower()):
            return court + nom[len(long) :]
    return nom


def _bornes_cadre(
    bornes: np.ndarray, largeur_mm: float, hauteur_mm: float, marge: float = 0.04
) -> tuple[float, float, float, float]:
    """Map extent around ``bornes`` (xmin, ymin, xmax, ymax) with the frame's aspect."""
    xmin, ymin, xmax, ymax = bornes
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    w, h = (xmax - xmin) * (1 + 2 * marge), (ymax - ymin) * (1 + 2 * marge)
    rapport = largeur_mm / hauteur_mm
    if w / h > rapport:
        h = w / rapport
    else:
        w = h * rapport
    return cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2


def _longueur_echelle(largeur_m: float) -> float:
    """A round length (m) close to a fifth of the map width: 1, 2 or 5 × 10^n."""
    cible = largeur_m / 5
    puissance = 10 ** math.floor(math.log10(cible))
    for facteur in (5, 2, 1):
        if facteur * puissance <= cible:
            return float(facteur * puissance)
    return float(puissance)


def _echelle(ax: Any, x0: float, y0: float, longueur: float) -> None:
    """Scale bar: two black and white halves, labels in km, starting at (x0, y0)."""
    from matplotlib.patches import Rectangle

    hauteur = longueur * 0.045
    for k in range(4):
        ax.add_patch(
            Rectangle(
                (x0 + k * longueur / 4, y0),
                longueur / 4,
                hauteur,
                facecolor="black" if k % 2 == 0 else "white",
                edgecolor="black",
                linewidth=0.6,
                zorder=20,
            )
        )
    for valeur in (0, longueur / 2, longueur):
        texte = _style.nombre_fr(valeur / 1000, 0 if (valeur / 1000).is_integer() else 1)
        ax.text(
            x0 + valeur,
            y0 + hauteur * 1.6,
            texte + (" km" if valeur == longueur else ""),
            ha="center" if valeur < longueur else "left",
            va="bottom",
            fontsize=6.5,
            zorder=20,
        )


def _fleche_nord(ax: Any, x: float, y: float, taille: float) -> None:
    """North arrow: a half-black, half-white arrowhead with an N, tip at (x, y)."""
    from matplotlib.patches import Polygon

    base = y - taille
    ax.add_patch(
        Polygon(
            [(x, y), (x - taille * 0.32, base), (x, base + taille * 0.28)],
            closed=True,
            facecolor="black",
            edgecolor="black",
            linewidth=0.6,
            zorder=20,
        )
    )
    ax.add_patch(
        Polygon(
            [(x, y), (x + taille * 0.32, base), (x, base + taille * 0.28)],
            closed=True,
            facecolor="white",
            edgecolor="black",
            linewidth=0.6,
            zorder=20,
        )
    )
    ax.text(
        x, y + taille * 0.1, "N", ha="center", va="bottom", fontsize=9, weight="bold", zorder=20
    )


def _halo(largeur: float = 2.2) -> list[Any]:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=largeur, foreground="white", alpha=0.9)]


def _etiquettes_epci(ax: Any, epci: gpd.GeoDataFrame) -> None:
    """EPCI names at a point inside each EPCI, wrapped, with a white halo."""
    for _, ligne in epci.iterrows():
        geometrie = ligne.geometry
        if geometrie is None or geometrie.is_empty:
            continue
        # a point well inside: the centre of the largest inscribed circle
        point = shapely.maximum_inscribed_circle(geometrie, 50.0).boundary.geoms[0]
        texte = "\n".join(textwrap.wrap(_nom_court_epci(str(ligne["epci_nom"])), width=16))
        ax.text(
            point.x,
            point.y,
            texte,
            ha="center",
            va="center",
            fontsize=5.6,
            color="#1a1a1a",
            style="italic",
            linespacing=1.05,
            zorder=15,
            path_effects=_halo(1.8),
        )


#: Line heights (mm) of the title (14 pt) and subtitle (8.5 pt) blocks.
_LIGNE_TITRE_MM = 14 * 1.2 / 72 * 25.4
_LIGNE_SOUS_TITRE_MM = 8.5 * 1.3 / 72 * 25.4


def _mise_en_page(
    orientation: str, hauteur_titre: float
) -> dict[str, tuple[float, float, float, float]]:
    """Boxes (left, bottom, width, height) in mm of the page parts.

    ``hauteur_titre`` is the height of the title block (title and subtitle lines).
    """
    marge = 12.0
    if orientation == "portrait":
        largeur, hauteur = A4_MM
        haut_carte = hauteur - 10 - hauteur_titre - 3
        return {
            "page": (0, 0, largeur, hauteur),
            "titre": (marge, hauteur - 10 - hauteur_titre, largeur - 2 * marge, hauteur_titre),
            "carte": (marge, 72, largeur - 2 * marge, haut_carte - 72),
            "legende": (marge, 26, largeur - 2 * marge, 44),
            "sources": (marge, 8, largeur - 2 * marge, 16),
        }
    largeur, hauteur = A4_MM[1], A4_MM[0]
    haut_carte = hauteur - 10 - hauteur_titre - 3
    return {
        "page": (0, 0, largeur, hauteur),
        "titre": (marge, hauteur - 10 - hauteur_titre, largeur - 2 * marge, hauteur_titre),
        "carte": (marge, 25, 196, haut_carte - 25),
        "legende": (213, 25, largeur - 213 - marge, haut_carte - 25),
        "sources": (marge, 6, largeur - 2 * marge, 16),
    }


def _axes(fig: Any, boite: tuple[float, float, float, float], page: tuple[float, ...]) -> Any:
    x, y, w, h = boite
    return fig.add_axes((x / page[2], y / page[3], w / page[2], h / page[3]))


def figure_statique(
    dossier: str | Path | DossierZonesGrises,
    niveau: str,
    *,
    orientation: Literal["portrait", "paysage"] = "portrait",
    gris: bool = False,
    titre: str | None = None,
    date_carte: dt.date | None = None,
    sous_titre: str | None = None,
    producteur: str | None = None,
    logo: str | Path | None = None,
) -> Any:
    """Draw the A4 page of one level (or ``"cumul"``) on a Matplotlib figure.

    Parameters
    ----------
    dossier
        Output folder of ``accessibilite zones-grises`` (or :func:`cartes.lire_dossier`).
    niveau
        A level name (``"proximite"``...) or ``"cumul"`` for the overlay of levels.
    orientation
        ``"portrait"`` or ``"paysage"`` (landscape).
    gris
        Shades of grey instead of the colour ramps.
    titre, sous_titre
        Replace the default title and subtitle; ``{niveau}`` in them becomes the level's
        name (``"proximité"``; ``"tous niveaux"`` on the overlay map).
    date_carte
        Date printed on the map (default: today).
    producteur
        The organisation that made the map, written at the start of the sources line
        ("Réalisation : ...").
    logo
        A PNG or JPEG image drawn at the top right of the page, beside the title.

    Returns
    -------
    matplotlib.figure.Figure
        Not attached to pyplot (no global state); save it with ``savefig``.
    """
    from matplotlib.figure import Figure

    if orientation not in ("portrait", "paysage"):
        raise DonneesInvalides(
            f"Orientation « {orientation} » inconnue : choisissez « portrait » ou « paysage »."
        )
    d = dossier if isinstance(dossier, DossierZonesGrises) else lire_dossier(dossier)
    niv: NiveauCarte | None = None if niveau == "cumul" else d.niveau(niveau)
    image_logo = _lire_logo(logo) if logo is not None else None
    lignes_titre, lignes_sous_titre = _lignes_titre(
        d, niv, titre, orientation == "portrait", sous_titre=sous_titre, logo=image_logo is not None
    )
    hauteur_titre = (
        len(lignes_titre) * _LIGNE_TITRE_MM + 2.5 + len(lignes_sous_titre) * _LIGNE_SOUS_TITRE_MM
    )
    boites = _mise_en_page(orientation, hauteur_titre)
    page = boites["page"]
    # whole pixels at 300 dpi: 2480 × 3508 (A4 is 2480.3 × 3507.9)
    pixels = (round(page[2] * _MM * _DPI), round(page[3] * _MM * _DPI))
    fig = Figure(figsize=(pixels[0] / _DPI, pixels[1] / _DPI), dpi=_DPI, facecolor="white")
    fig.set_layout_engine(None)

    communes = d.communes

    ax = _axes(fig, boites["carte"], page)
    ax.set_facecolor(_COULEUR_FOND)
    bornes_dep = d.departement.total_bounds
    if not np.all(np.isfinite(bornes_dep)):
        bornes_dep = communes.total_bounds
    x0, x1, y0, y1 = _bornes_cadre(bornes_dep, boites["carte"][2], boites["carte"][3])
    echelle_mm = (x1 - x0) / boites["carte"][2]  # metres per mm of paper

    if len(d.voisines):
        d.voisines.plot(ax=ax, facecolor=_COULEUR_VOISINES, edgecolor=_BORD_VOISINES, linewidth=0.2)
    if niv is not None:
        poignees, titre_legende = _communes_niveau(ax, communes, niv, gris=gris)
    else:
        poignees, titre_legende = _communes_cumul(ax, d, gris=gris)
    epci = _limites(ax, communes)
    poles_legende = _poles(ax, d, niv)
    _etiquettes_epci(ax, epci)
    _habiller(ax, (x0, x1, y0, y1), echelle_mm, niv)
    _titre(fig, boites, lignes_titre, lignes_sous_titre)
    if image_logo is not None:
        _logo(fig, boites, image_logo)
    _legendes(fig, boites, orientation, (poignees, titre_legende), poles_legende)
    _sources(fig, boites, d, date_carte, producteur)
    return fig


#: Largest size of the logo on the page (mm).
_LOGO_MM = (38.0, 16.0)


def _lire_logo(chemin: str | Path) -> Any:
    """The logo's pixels, or a French error when the file is missing or no image."""
    from matplotlib import image

    from socle.erreurs import DonneesManquantes

    chemin = Path(chemin)
    if not chemin.is_file():
        raise DonneesManquantes(f"Logo introuvable : {chemin}. Donnez une image PNG ou JPEG.")
    try:
        return image.imread(chemin)
    except Exception as exc:  # Pillow and Matplotlib raise several kinds
        raise DonneesInvalides(
            f"Logo illisible ({chemin.name}) : donnez une image PNG ou JPEG ({exc})."
        ) from exc


def _logo(fig: Any, boites: dict[str, tuple[float, float, float, float]], pixels: Any) -> None:
    """The logo at the top right of the title band, its proportions kept."""
    page = boites["page"]
    tx, ty, tw, th = boites["titre"]
    hauteur_px, largeur_px = pixels.shape[:2]
    echelle = min(_LOGO_MM[0] / largeur_px, min(_LOGO_MM[1], th) / hauteur_px)
    largeur, hauteur = largeur_px * echelle, hauteur_px * echelle
    axe = fig.add_axes(
        (
            (tx + tw - largeur) / page[2],
            (ty + th - hauteur) / page[3],
            largeur / page[2],
            hauteur / page[3],
        )
    )
    axe.imshow(pixels, interpolation="lanczos")
    axe.set_axis_off()


def _lignes_titre(
    d: DossierZonesGrises,
    niv: NiveauCarte | None,
    titre: str | None,
    portrait: bool,
    *,
    sous_titre: str | None = None,
    logo: bool = False,
) -> tuple[list[str], list[str]]:
    """The title's lines (broken before the place name) and the subtitle's lines."""
    defaut, sous_titre_defaut = _style.titre_carte(d, niv)
    quel = niv.adjectif if niv is not None else "tous niveaux"
    texte_titre = titre.replace("{niveau}", quel) if titre else defaut
    sous_titre = sous_titre.replace("{niveau}", quel) if sous_titre else sous_titre_defaut
    largeur_titre = (58 if portrait else 88) - (18 if logo else 0)
    if len(texte_titre) > largeur_titre and " — " in texte_titre:
        # break before the place name rather than anywhere
        avant, apres = texte_titre.rsplit(" — ", 1)
        lignes_titre = [*textwrap.wrap(avant + " —", width=largeur_titre), apres]
    else:
        lignes_titre = textwrap.wrap(texte_titre, width=largeur_titre)
    largeur_car = (112 if portrait else 165) - (30 if logo else 0)
    lignes_sous_titre = textwrap.wrap(sous_titre, width=largeur_car) + textwrap.wrap(
        _chiffres(d, niv), width=largeur_car
    )
    return lignes_titre, lignes_sous_titre


def _communes_niveau(
    ax: Any, communes: gpd.GeoDataFrame, niv: NiveauCarte, *, gris: bool
) -> tuple[list[Any], str]:
    """Communes coloured by time class, zones grises hatched; legend handles and title."""
    from matplotlib.patches import Patch

    poignees: list[Any] = []
    couleurs = _style.GRIS_TEMPS if gris else _style.COULEURS_TEMPS
    classes = _style.classe_temps(communes[f"temps_{niv.nom}_min"].to_numpy())
    remplissage = np.array(
        [couleurs[k] if k >= 0 else _style.COULEUR_SANS_TEMPS for k in classes], dtype=object
    )
    communes.plot(ax=ax, color=list(remplissage), edgecolor="white", linewidth=0.18)
    for k, (classe, couleur) in enumerate(zip(_style.CLASSES_TEMPS, couleurs, strict=True)):
        n = int((classes == k).sum())
        if n == 0:
            continue  # the legend shows only the classes the map shows
        poignees.append(
            Patch(
                facecolor=couleur,
                edgecolor="#555555",
                linewidth=0.4,
                label=f"{classe.libelle} ({_style.nombre_fr(n)})",
            )
        )
    n_sans = int((classes < 0).sum())
    if n_sans:
        poignees.append(
            Patch(
                facecolor=_style.COULEUR_SANS_TEMPS,
                edgecolor="#555555",
                linewidth=0.4,
                label=f"{_style.LIBELLE_SANS_TEMPS} ({_style.nombre_fr(n_sans)})",
            )
        )
    incertaines = communes[f"incertaine_{niv.nom}"].to_numpy(dtype=bool)
    # an uncertain commune gets its own hatching (crossing the other way, dashed outline)
    masque = communes[f"zone_grise_{niv.nom}"].to_numpy(dtype=bool) & ~incertaines
    sombre = np.array([_style.luminance(c) < 0.12 for c in remplissage], dtype=bool)
    for choix, motif, trait in ((masque, "//////", "solid"), (incertaines, "\\" * 6, "dashed")):
        if not choix.any():
            continue
        # black hatching, white over the darkest fills where black would not show; the
        # hatch pattern is anchored to the page, so both parts join seamlessly
        for partie, couleur_hachure in ((choix & ~sombre, "#111111"), (choix & sombre, "white")):
            if partie.any():
                gpd.GeoSeries([communes.geometry[partie].union_all()], crs=CRS_LAMBERT93).plot(
                    ax=ax,
                    facecolor="none",
                    edgecolor=couleur_hachure,
                    hatch=motif,
                    linewidth=0,
                )
        zone = gpd.GeoSeries([communes.geometry[choix].union_all()], crs=CRS_LAMBERT93)
        zone.boundary.plot(ax=ax, color="#111111", linewidth=1.0, linestyle=trait)
    poignees.append(
        Patch(
            facecolor="white",
            edgecolor="#111111",
            hatch="//////",
            linewidth=0.9,
            label=f"zone grise : plus de {_style.nombre_fr(niv.seuil_min)} min",
        )
    )
    if incertaines.any():
        poignees.append(
            Patch(
                facecolor="white",
                edgecolor="#111111",
                hatch="\\" * 6,
                linewidth=0.9,
                linestyle="dashed",
                label="incertaine : l'intervalle du temps\ncontient le seuil "
                f"({_style.nombre_fr(int(incertaines.sum()))})",
            )
        )
    titre_legende = f"Temps en voiture au {_style.nom_pole(niv)}\nle plus proche (communes)"
    return poignees, titre_legende


def _communes_cumul(ax: Any, d: DossierZonesGrises, *, gris: bool) -> tuple[list[Any], str]:
    """Communes coloured by their number of levels in zone grise; legend handles and title."""
    from matplotlib.patches import Patch

    communes = d.communes
    poignees: list[Any] = []
    couleurs_c = _style.couleurs_cumul(len(d.niveaux), gris=gris)
    comptes = communes["niveaux_zone_grise"].clip(0, len(d.niveaux)).to_numpy(dtype=int)
    communes.plot(ax=ax, color=[couleurs_c[k] for k in comptes], edgecolor="white", linewidth=0.18)
    for k, (couleur, libelle) in enumerate(
        zip(couleurs_c, _style.libelles_cumul(d.niveaux), strict=True)
    ):
        n = int((comptes == k).sum())
        if n == 0:
            continue  # the legend shows only the classes the map shows
        poignees.append(
            Patch(
                facecolor=couleur,
                edgecolor="#555555",
                linewidth=0.4,
                label=f"{libelle} ({_style.nombre_fr(n)})",
            )
        )
    titre_legende = "Nombre de niveaux en zone grise (communes)"
    return poignees, titre_legende


#: EPCI polygons and the département's outline of the last communes drawn: every map of a
#: folder (each level and the overlay) draws the same boundaries, dissolved once.
_LIMITES: dict[int, tuple[weakref.ref[gpd.GeoDataFrame], gpd.GeoDataFrame, gpd.GeoSeries]] = {}


def _epci_et_contour(communes: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoSeries]:
    entree = _LIMITES.get(id(communes))
    if entree is not None and entree[0]() is communes:
        return entree[1], entree[2]
    epci = communes.dissolve(by="epci_code", as_index=False)[["epci_code", "epci_nom", "geometry"]]
    contour = gpd.GeoSeries([communes.union_all()], crs=CRS_LAMBERT93)
    _LIMITES.clear()
    _LIMITES[id(communes)] = (weakref.ref(communes), epci, contour)
    return epci, contour


def _limites(ax: Any, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """EPCI boundaries from the communes (exactly on their edges), then the département's;
    returns the EPCI polygons."""
    epci, contour = _epci_et_contour(communes)
    epci.boundary.plot(ax=ax, color="#2b2b2b", linewidth=0.6, linestyle=(0, (4, 1.5)))
    contour.boundary.plot(ax=ax, color="black", linewidth=1.3)
    return epci


def _poles(ax: Any, d: DossierZonesGrises, niv: NiveauCarte | None) -> list[Any]:
    """The poles of the level (the superior ones on the overlay map); legend handles."""
    from matplotlib.lines import Line2D

    poles_legende: list[Any] = []
    niveaux_poles = [niv] if niv is not None else [n for n in d.niveaux if n.nom == "superieur"]
    for nv in niveaux_poles:
        sel = d.poles[d.poles["niveau"] == nv.nom]
        if sel.empty:
            continue
        points = sel.geometry.representative_point()
        dans = ~sel["hors_departement"].to_numpy(dtype=bool)
        taille = {"proximite": 10, "intermediaire": 18, "superieur": 30, "metropolitain": 40}.get(
            nv.nom, 16
        )
        ax.scatter(
            points.x[dans],
            points.y[dans],
            s=taille,
            c="black",
            edgecolors="white",
            linewidths=0.5,
            zorder=12,
        )
        ax.scatter(
            points.x[~dans],
            points.y[~dans],
            s=taille,
            c="white",
            edgecolors="black",
            linewidths=0.7,
            zorder=12,
        )
        poles_legende.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=math.sqrt(taille),
                markerfacecolor="black",
                markeredgecolor="white",
                label=f"{_style.nom_pole(nv).capitalize()} ({_style.nombre_fr(int(dans.sum()))})",
            )
        )
        if (~dans).any():
            poles_legende.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=math.sqrt(taille),
                    markerfacecolor="white",
                    markeredgecolor="black",
                    label=f"{_style.nom_pole(nv)} hors département "
                    f"({_style.nombre_fr(int((~dans).sum()))})",
                )
            )
        poles_legende += _decisions(ax, d, nv, sel, points, taille)

    return poles_legende


#: Outline colours of the poles the team decided (imposed) or grouped.
_COULEURS_DECISIONS = {"impose": "#d7301f", "regroupement": "#6a3d9a"}


def _decisions(
    ax: Any, d: DossierZonesGrises, nv: NiveauCarte, sel: Any, points: Any, taille: float
) -> list[Any]:
    """Mark the imposed and grouped poles of a level, and the poles the team took out."""
    from matplotlib.lines import Line2D

    legende: list[Any] = []
    origine = sel["origine"].astype(str).to_numpy() if "origine" in sel.columns else None
    for cle, texte in (
        ("impose", "imposé par l'équipe"),
        ("regroupement", "d'un regroupement (services mis en commun)"),
    ):
        if origine is None or not (origine == cle).any():
            continue
        masque = origine == cle
        couleur = _COULEURS_DECISIONS[cle]
        ax.scatter(
            points.x[masque],
            points.y[masque],
            s=taille * 2.6,
            facecolors="none",
            edgecolors=couleur,
            linewidths=1.4,
            zorder=13,
        )
        legende.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=math.sqrt(taille * 2.6),
                markerfacecolor="none",
                markeredgecolor=couleur,
                markeredgewidth=1.4,
                label=f"{_style.nom_pole(nv)} {texte} ({_style.nombre_fr(int(masque.sum()))})",
            )
        )
    imposes = d.poles_imposes
    if not imposes.empty and "pole_impose" in imposes.columns:
        retires = imposes[
            (imposes["pole_impose"].astype(str) == "non")
            & (imposes["niveau"].astype(str) == nv.nom)
        ]
        if len(retires):
            pts = retires.geometry.representative_point()
            ax.scatter(
                pts.x, pts.y, s=taille * 4, marker="x", c="#d7301f", linewidths=2.2, zorder=13
            )
            legende.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="x",
                    markersize=math.sqrt(taille * 1.6),
                    markeredgecolor="#d7301f",
                    markeredgewidth=1.5,
                    label=f"{_style.nom_pole(nv)} retiré par l'équipe "
                    f"({_style.nombre_fr(len(retires))})",
                )
            )
    return legende


def _habiller(
    ax: Any,
    cadre: tuple[float, float, float, float],
    echelle_mm: float,
    niv: NiveauCarte | None,
) -> None:
    """Frame, scale bar, north arrow, and the notice of a level without any pole."""
    x0, x1, y0, y1 = cadre
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for bord in ax.spines.values():
        bord.set_linewidth(0.6)
        bord.set_color("#333333")

    longueur = _longueur_echelle(x1 - x0)
    _echelle(ax, x0 + 5 * echelle_mm, y0 + 5 * echelle_mm, longueur)
    _fleche_nord(ax, x1 - 8 * echelle_mm, y1 - 6 * echelle_mm, 11 * echelle_mm)

    if niv is not None and niv.n_poles == 0:
        ax.text(
            (x0 + x1) / 2,
            (y0 + y1) / 2,
            f"Aucun {_style.nom_pole(niv)} dans la zone étudiée :\n"
            "aucun temps n'est calculable pour ce niveau.",
            ha="center",
            va="center",
            fontsize=10,
            zorder=30,
            bbox={"boxstyle": "round,pad=0.6", "facecolor": "white", "edgecolor": "black"},
        )


def _titre(
    fig: Any,
    boites: dict[str, tuple[float, float, float, float]],
    lignes_titre: list[str],
    sous_titre: list[str],
) -> None:
    """The title and subtitle above the map."""
    page = boites["page"]
    lignes_sous_titre = sous_titre
    tx, ty, _, th = boites["titre"]
    fig.text(
        tx / page[2],
        (ty + th) / page[3],
        "\n".join(lignes_titre),
        ha="left",
        va="top",
        fontsize=14,
        weight="bold",
        linespacing=1.2,
    )
    fig.text(
        tx / page[2],
        (ty + th - len(lignes_titre) * _LIGNE_TITRE_MM - 2.5) / page[3],
        "\n".join(lignes_sous_titre),
        ha="left",
        va="top",
        fontsize=8.5,
        color="#333333",
        linespacing=1.3,
    )


def _legendes(
    fig: Any,
    boites: dict[str, tuple[float, float, float, float]],
    orientation: str,
    communes: tuple[list[Any], str],
    poles_legende: list[Any],
) -> None:
    """The communes' legend and the poles-and-boundaries one: side by side under a portrait
    map, one under the other right of a landscape one."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    page = boites["page"]
    poignees, titre_legende = communes
    lx, ly, lw, lh = boites["legende"]
    limites = [
        Line2D([], [], color="black", linewidth=1.3, label="limite du département"),
        Line2D(
            [],
            [],
            color="#2b2b2b",
            linewidth=0.6,
            linestyle=(0, (4, 1.5)),
            label="limite d'EPCI (nom en italique)",
        ),
        Patch(
            facecolor=_COULEUR_VOISINES,
            edgecolor=_BORD_VOISINES,
            linewidth=0.4,
            label="communes hors département",
        ),
    ]
    kwargs_legende: dict[str, Any] = {
        "frameon": False,
        "fontsize": 7.5,
        "title_fontsize": 8,
        "alignment": "left",
        "handlelength": 2.2,
        "handleheight": 1.3,
        "borderaxespad": 0,
    }
    if orientation == "portrait":
        # two columns side by side under the map
        gauche = fig.add_axes((lx / page[2], ly / page[3], 0.48 * lw / page[2], lh / page[3]))
        droite = fig.add_axes(
            ((lx + 0.52 * lw) / page[2], ly / page[3], 0.48 * lw / page[2], lh / page[3])
        )
        for a in (gauche, droite):
            a.set_axis_off()
        gauche.legend(handles=poignees, title=titre_legende, loc="upper left", **kwargs_legende)
        droite.legend(
            handles=poles_legende + limites,
            title="Pôles et limites",
            loc="upper left",
            **kwargs_legende,
        )
    else:
        # one column right of the map: the second legend just under the first
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        colonne = fig.add_axes((lx / page[2], ly / page[3], lw / page[2], lh / page[3]))
        colonne.set_axis_off()
        premiere = colonne.legend(
            handles=poignees, title=titre_legende, loc="upper left", **kwargs_legende
        )
        colonne.add_artist(premiere)
        boite = premiere.get_window_extent(FigureCanvasAgg(fig).get_renderer())
        haut = (boite.y0 - colonne.bbox.y0) / colonne.bbox.height - 0.05
        colonne.legend(
            handles=poles_legende + limites,
            title="Pôles et limites",
            loc="upper left",
            bbox_to_anchor=(0, haut),
            **kwargs_legende,
        )


def _sources(
    fig: Any,
    boites: dict[str, tuple[float, float, float, float]],
    d: DossierZonesGrises,
    date_carte: dt.date | None,
    producteur: str | None = None,
) -> None:
    """The sources line (the producer first, and the map's date) at the bottom of the page."""
    page = boites["page"]
    quand = date_carte or dt.date.today()
    sources = (
        _style.ligne_sources(d, producteur=producteur)
        + f" Carte réalisée le {_style.date_francaise(quand.isoformat())}."
    )
    sx, sy, sw, sh = boites["sources"]
    largeur_car = int(sw / 1.2)
    fig.text(
        sx / page[2],
        (sy + sh) / page[3],
        "Sources : " + "\n".join(textwrap.wrap(sources, width=largeur_car)),
        ha="left",
        va="top",
        fontsize=6,
        color="#333333",
        linespacing=1.25,
    )


def _chiffres(d: DossierZonesGrises, niv: NiveauCarte | None) -> str:
    if niv is None:
        n = int((d.communes["niveaux_zone_grise"] > 0).sum())
        pop = float(d.communes.loc[d.communes["niveaux_zone_grise"] > 0, "population"].sum())
        total = float(d.communes["population"].sum()) or 1.0
        return (
            f"En zone grise pour au moins un niveau : {_style.nombre_fr(n)} communes, "
            f"{_style.nombre_fr(pop)} habitants ({_style.nombre_fr(100 * pop / total, 1)} % "
            "de la population du département)."
        )
    lignes = d.resume.loc[d.resume["niveau"].astype(str) == niv.nom]
    if lignes.empty:
        return ""
    r = lignes.iloc[0]
    texte = (
        f"En zone grise : {_style.nombre_fr(int(r['communes']))} communes, "
        f"{_style.nombre_fr(float(r['population']))} habitants "
        f"({_style.nombre_fr(100 * float(r['part_population']), 1)} % de la population du "
        "département)"
    )
    if "communes_min" in r.index and int(r["communes_min"]) != int(r["communes_max"]):
        texte += (
            f" ; de {_style.nombre_fr(int(r['communes_min']))} à "
            f"{_style.nombre_fr(int(r['communes_max']))} communes selon l'incertitude des temps"
        )
    return texte + "."


def carte_statique(
    dossier: str | Path | DossierZonesGrises,
    niveau: str,
    chemin: str | Path,
    *,
    format: Literal["png", "pdf"] | None = None,
    orientation: Literal["portrait", "paysage"] = "portrait",
    gris: bool = False,
    titre: str | None = None,
    date_carte: dt.date | None = None,
    sous_titre: str | None = None,
    producteur: str | None = None,
    logo: str | Path | None = None,
) -> Path:
    """Write the A4 print map of one level (or ``"cumul"``) as PNG (300 dpi) or PDF.

    Parameters
    ----------
    dossier
        Output folder of ``accessibilite zones-grises``.
    niveau
        A level name (``"proximite"``, ``"intermediaire"``...) or ``"cumul"``.
    chemin
        File to write (atomically).
    format
        ``"png"`` or ``"pdf"``; default: from the suffix of ``chemin``.
    orientation, gris, titre, date_carte, sous_titre, producteur, logo
        See :func:`figure_statique`.

    Returns
    -------
    Path
        The file written: 2480 × 3508 pixels in portrait PNG, 3508 × 2480 in landscape.

    Raises
    ------
    DonneesManquantes, SansCRS, DonneesInvalides
        Unreadable folder (see :func:`cartes.lire_dossier`), unknown level or format.
    """
    chemin = Path(chemin)
    format_ = (format or chemin.suffix.lstrip(".")).lower()
    return cartes_statiques(
        dossier,
        niveau,
        {format_: chemin},
        orientation=orientation,
        gris=gris,
        titre=titre,
        date_carte=date_carte,
        sous_titre=sous_titre,
        producteur=producteur,
        logo=logo,
    )[0]


def cartes_statiques(
    dossier: str | Path | DossierZonesGrises,
    niveau: str,
    chemins: dict[str, str | Path],
    *,
    orientation: Literal["portrait", "paysage"] = "portrait",
    gris: bool = False,
    titre: str | None = None,
    date_carte: dt.date | None = None,
    sous_titre: str | None = None,
    producteur: str | None = None,
    logo: str | Path | None = None,
) -> list[Path]:
    """The A4 print map of one level drawn once and written in several formats
    (``{"png": chemin, "pdf": chemin}``); see :func:`carte_statique`."""
    import matplotlib

    from socle.fichiers import ecriture_atomique

    inconnus = [f for f in chemins if f not in ("png", "pdf")]
    if inconnus:
        raise DonneesInvalides(
            f"Format « {inconnus[0]} » inconnu pour une carte statique : choisissez png ou pdf."
        )
    ecrits = []
    with matplotlib.rc_context(
        {
            "hatch.linewidth": 0.35,
            "pdf.fonttype": 42,
            "font.family": "DejaVu Sans",
            "svg.fonttype": "none",
        }
    ):
        fig = figure_statique(
            dossier,
            niveau,
            orientation=orientation,
            gris=gris,
            titre=titre,
            date_carte=date_carte,
            sous_titre=sous_titre,
            producteur=producteur,
            logo=logo,
        )
        for format_, chemin in chemins.items():
            metadonnees = (
                {"Title": fig.texts[0].get_text(), "Creator": "accessibilite"}
                if format_ == "pdf"
                else {"Title": fig.texts[0].get_text(), "Software": "accessibilite"}
            )
            with ecriture_atomique(chemin) as temporaire:
                fig.savefig(temporaire, format=format_, dpi=_DPI, metadata=metadonnees)
            logger.info("Carte statique écrite : %s", chemin)
            ecrits.append(Path(chemin))
    return ecrits
