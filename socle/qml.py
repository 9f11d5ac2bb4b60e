"""QGIS layer styles (QML documents) built from plain Python values, with no QGIS installed.

A QML document is what QGIS stores in a GeoPackage's ``layer_styles`` table and in a
``.qml`` file: the renderer (single symbol, categories, graduated ranges or rules), its
symbols, and the labels. Only what the project's layers need is written; QGIS fills every
other setting with its defaults. The documents follow the format of QGIS 3.22 (symbol
layer properties written both as ``<Option>`` maps and as the older ``<prop>`` elements,
which every QGIS 3 reads).

Sizes are in millimetres, colours ``#rrggbb`` (or ``#rrggbbaa``), filters QGIS expressions.

Examples
--------
>>> rouge = remplissage("#e31a1c", bordure="#ffffff")
>>> texte = document(rendu_unique(rouge))
>>> texte.startswith("<!DOCTYPE qgis")
True
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Categorie",
    "CoucheSymbole",
    "Etiquettes",
    "Plage",
    "Regle",
    "Rendu",
    "Symbole",
    "contour",
    "document",
    "hachures",
    "ligne",
    "remplissage",
    "rendu_categories",
    "rendu_gradue",
    "rendu_regles",
    "rendu_unique",
    "rond",
]

#: QGIS version written in the documents (the oldest long-term release users run).
VERSION_QGIS = "3.22.0-Białowieża"


@dataclass(frozen=True)
class CoucheSymbole:
    """One symbol layer: a QGIS class (``SimpleFill``, ``LinePatternFill``, ``SimpleLine``,
    ``SimpleMarker``), its properties, and the sub-symbol some classes hold (the lines of a
    pattern fill)."""

    classe: str
    proprietes: Mapping[str, str]
    sous_symbole: Symbole | None = None


@dataclass(frozen=True)
class Symbole:
    """A symbol: its type (``fill``, ``line``, ``marker``) and its layers, bottom first."""

    type: str
    couches: tuple[CoucheSymbole, ...]

    def plus(self, autre: Symbole) -> Symbole:
        """This symbol with the layers of ``autre`` drawn over it."""
        return Symbole(self.type, self.couches + autre.couches)


@dataclass(frozen=True)
class Categorie:
    """A category of a categorized renderer: the value, its symbol and legend label."""

    valeur: str | int | float | bool
    symbole: Symbole
    libelle: str


@dataclass(frozen=True)
class Plage:
    """A range ``[bas, haut]`` of a graduated renderer."""

    bas: float
    haut: float
    symbole: Symbole
    libelle: str


@dataclass(frozen=True)
class Regle:
    """A rule of a rule-based renderer: features matching ``filtre`` get ``symbole``.

    Every matching rule draws (a hatched rule over a coloured one); ``filtre`` ``None``
    is the ``ELSE`` rule.
    """

    libelle: str
    filtre: str | None
    symbole: Symbole


@dataclass(frozen=True)
class Rendu:
    """A renderer: ``type`` is the QGIS name (``singleSymbol``, ``categorizedSymbol``,
    ``graduatedSymbol``, ``RuleRenderer``)."""

    type: str
    colonne: str | None = None
    symbole: Symbole | None = None
    categories: tuple[Categorie, ...] = ()
    plages: tuple[Plage, ...] = ()
    regles: tuple[Regle, ...] = ()

    @property
    def n_classes(self) -> int:
        """Number of legend classes (categories, ranges or rules; 1 for a single symbol)."""
        return len(self.categories) or len(self.plages) or len(self.regles) or 1


@dataclass(frozen=True)
class Etiquettes:
    """Labels: a column (or an expression), font size in points, italic, colour, a halo.

    ``retour`` wraps the text at that many characters (0: no wrapping); ``dans_polygone``
    places the label over a point inside the polygon.
    """

    champ: str
    expression: bool = False
    taille_pt: float = 8.0
    italique: bool = False
    gras: bool = False
    couleur: str = "#1a1a1a"
    halo_mm: float = 0.6
    retour: int = 0
    dans_polygone: bool = True
    police: str = "DejaVu Sans"
    options: Mapping[str, str] = field(default_factory=dict)


def _rgba(couleur: str) -> str:
    """``#rrggbb[aa]`` -> ``"r,g,b,a"`` as QGIS writes colours."""
    texte = couleur.lstrip("#")
    if couleur == "transparent":
        return "0,0,0,0"
    r, g, b = (int(texte[i : i + 2], 16) for i in (0, 2, 4))
    a = int(texte[6:8], 16) if len(texte) == 8 else 255
    return f"{r},{g},{b},{a}"


def _mm(valeur: float) -> str:
    return f"{valeur:.4g}"


def remplissage(
    couleur: str,
    *,
    bordure: str | None = None,
    largeur_bordure_mm: float = 0.06,
    style_bordure: str = "solid",
) -> Symbole:
    """A plain fill with an optional outline (``None``: no outline)."""
    return Symbole(
        "fill",
        (
            CoucheSymbole(
                "SimpleFill",
                {
                    "color": _rgba(couleur),
                    "style": "solid",
                    "outline_color": _rgba(bordure or "transparent"),
                    "outline_style": style_bordure if bordure else "no",
                    "outline_width": _mm(largeur_bordure_mm),
                    "outline_width_unit": "MM",
                    "joinstyle": "bevel",
                },
            ),
        ),
    )


def contour(couleur: str, largeur_mm: float, *, tirets: bool = False) -> Symbole:
    """An outline with no fill (boundaries), solid or dashed."""
    return Symbole(
        "fill",
        (
            CoucheSymbole(
                "SimpleFill",
                {
                    "color": "0,0,0,0",
                    "style": "no",
                    "outline_color": _rgba(couleur),
                    "outline_style": "dash" if tirets else "solid",
                    "outline_width": _mm(largeur_mm),
                    "outline_width_unit": "MM",
                    "joinstyle": "round",
                },
            ),
        ),
    )


def ligne(couleur: str, largeur_mm: float, *, tirets: bool = False) -> Symbole:
    """A line symbol (for line layers)."""
    return Symbole(
        "line",
        (
            CoucheSymbole(
                "SimpleLine",
                {
                    "line_color": _rgba(couleur),
                    "line_width": _mm(largeur_mm),
                    "line_width_unit": "MM",
                    "line_style": "dash" if tirets else "solid",
                    "capstyle": "round",
                    "joinstyle": "round",
                },
            ),
        ),
    )


def hachures(
    couleur: str,
    *,
    angle: float = 45.0,
    ecart_mm: float = 1.0,
    largeur_mm: float = 0.12,
    bordure: str | None = None,
    largeur_bordure_mm: float = 0.3,
    tirets: bool = False,
) -> Symbole:
    """Parallel hatching lines (and an optional outline, dashed with ``tirets``), drawn over
    another symbol."""
    trait = ligne(couleur, largeur_mm)
    couches = [
        CoucheSymbole(
            "LinePatternFill",
            {
                "angle": _mm(angle),
                "distance": _mm(ecart_mm),
                "distance_unit": "MM",
                "line_width": _mm(largeur_mm),
                "line_width_unit": "MM",
                "color": _rgba(couleur),
                "offset": "0",
                "offset_unit": "MM",
            },
            sous_symbole=trait,
        )
    ]
    if bordure:
        couches.append(
            CoucheSymbole(
                "SimpleLine",
                {
                    "line_color": _rgba(bordure),
                    "line_width": _mm(largeur_bordure_mm),
                    "line_width_unit": "MM",
                    "line_style": "dash" if tirets else "solid",
                    "joinstyle": "round",
                },
            )
        )
    return Symbole("fill", tuple(couches))


def rond(
    couleur: str, *, bordure: str, taille_mm: float, largeur_bordure_mm: float = 0.15
) -> Symbole:
    """A round marker (points)."""
    return Symbole(
        "marker",
        (
            CoucheSymbole(
                "SimpleMarker",
                {
                    "name": "circle",
                    "color": _rgba(couleur),
                    "outline_color": _rgba(bordure),
                    "outline_style": "solid",
                    "outline_width": _mm(largeur_bordure_mm),
                    "outline_width_unit": "MM",
                    "size": _mm(taille_mm),
                    "size_unit": "MM",
                    "scale_method": "diameter",
                },
            ),
        ),
    )


def rendu_unique(symbole: Symbole) -> Rendu:
    """Every feature with the same symbol."""
    return Rendu("singleSymbol", symbole=symbole)


def rendu_categories(colonne: str, categories: Sequence[Categorie]) -> Rendu:
    """One symbol per value of ``colonne``."""
    return Rendu("categorizedSymbol", colonne=colonne, categories=tuple(categories))


def rendu_gradue(colonne: str, plages: Sequence[Plage]) -> Rendu:
    """One symbol per range of ``colonne``."""
    return Rendu("graduatedSymbol", colonne=colonne, plages=tuple(plages))


def rendu_regles(regles: Sequence[Regle]) -> Rendu:
    """Rules with filters; every matching rule draws its symbol."""
    return Rendu("RuleRenderer", regles=tuple(regles))


def _options(parent: ET.Element, proprietes: Mapping[str, str]) -> None:
    carte = ET.SubElement(parent, "Option", type="Map")
    for cle, valeur in proprietes.items():
        ET.SubElement(carte, "Option", type="QString", name=cle, value=valeur)
    for cle, valeur in proprietes.items():
        ET.SubElement(parent, "prop", k=cle, v=valeur)


def _symbole(parent: ET.Element, symbole: Symbole, nom: str) -> None:
    element = ET.SubElement(
        parent,
        "symbol",
        type=symbole.type,
        name=nom,
        alpha="1",
        clip_to_extent="1",
        force_rhr="0",
    )
    for k, couche in enumerate(symbole.couches):
        sous = ET.SubElement(
            element, "layer", {"class": couche.classe, "enabled": "1", "locked": "0", "pass": "0"}
        )
        _options(sous, couche.proprietes)
        if couche.sous_symbole is not None:
            _symbole(sous, couche.sous_symbole, f"@{nom}@{k}")


def _valeur(valeur: str | int | float | bool) -> str:
    if isinstance(valeur, bool):
        return "1" if valeur else "0"
    return str(valeur)


def _cle() -> str:
    return "{" + str(uuid.uuid4()) + "}"


def _rendu(racine: ET.Element, rendu: Rendu) -> None:
    attributs = {
        "type": rendu.type,
        "enableorderby": "0",
        "forceraster": "0",
        "symbollevels": "0",
        "referencescale": "-1",
    }
    if rendu.colonne is not None:
        attributs["attr"] = rendu.colonne
    element = ET.SubElement(racine, "renderer-v2", attributs)
    symboles: list[Symbole] = []
    if rendu.type == "singleSymbol":
        if rendu.symbole is None:
            raise ValueError("a single-symbol renderer needs its symbol (rendu_unique)")
        symboles.append(rendu.symbole)
    elif rendu.type == "categorizedSymbol":
        liste = ET.SubElement(element, "categories")
        for k, c in enumerate(rendu.categories):
            ET.SubElement(
                liste,
                "category",
                render="true",
                value=_valeur(c.valeur),
                label=c.libelle,
                symbol=str(k),
            )
            symboles.append(c.symbole)
    elif rendu.type == "graduatedSymbol":
        element.set("graduatedMethod", "GraduatedColor")
        liste = ET.SubElement(element, "ranges")
        for k, p in enumerate(rendu.plages):
            ET.SubElement(
                liste,
                "range",
                render="true",
                lower=repr(float(p.bas)),
                upper=repr(float(p.haut)),
                label=p.libelle,
                symbol=str(k),
            )
            symboles.append(p.symbole)
        ET.SubElement(element, "mode", name="manual")
    elif rendu.type == "RuleRenderer":
        liste = ET.SubElement(element, "rules", key=_cle())
        for k, r in enumerate(rendu.regles):
            attributs_regle = {"key": _cle(), "label": r.libelle, "symbol": str(k)}
            if r.filtre is None:
                attributs_regle["filter"] = "ELSE"
            else:
                attributs_regle["filter"] = r.filtre
            ET.SubElement(liste, "rule", attributs_regle)
            symboles.append(r.symbole)
    else:
        raise ValueError(f"unknown renderer type {rendu.type!r}")
    conteneur = ET.SubElement(element, "symbols")
    for k, s in enumerate(symboles):
        _symbole(conteneur, s, str(k))


def _etiquettes(racine: ET.Element, e: Etiquettes) -> None:
    labeling = ET.SubElement(racine, "labeling", type="simple")
    reglages = ET.SubElement(labeling, "settings", calloutType="simple")
    ET.SubElement(
        reglages,
        "text-style",
        {
            "fieldName": e.champ,
            "isExpression": "1" if e.expression else "0",
            "fontFamily": e.police,
            "fontSize": _mm(e.taille_pt),
            "fontSizeUnit": "Point",
            "fontItalic": "1" if e.italique else "0",
            "fontWeight": "75" if e.gras else "50",
            "textColor": _rgba(e.couleur),
            "textOpacity": "1",
            "multilineHeight": "1",
        },
    )
    ET.SubElement(
        reglages[0],  # the text-style element just added
        "text-buffer",
        {
            "bufferDraw": "1" if e.halo_mm > 0 else "0",
            "bufferSize": _mm(e.halo_mm),
            "bufferSizeUnits": "MM",
            "bufferColor": "255,255,255,230",
            "bufferNoFill": "1",
            "bufferJoinStyle": "128",
            "bufferOpacity": "1",
        },
    )
    ET.SubElement(
        reglages,
        "text-format",
        {
            "wrapChar": "",
            "autoWrapLength": str(e.retour),
            "useMaxLineLengthForAutoWrap": "1",
            "multilineAlign": "1",
        },
    )
    ET.SubElement(
        reglages,
        "placement",
        {
            # 1: over the point (a point inside the polygon); 0: around the point
            "placement": "1" if e.dans_polygone else "0",
            "centroidInside": "1",
            "centroidWhole": "1",
            "fitInPolygonOnly": "0",
            "dist": "0",
            **dict(e.options),
        },
    )
    ET.SubElement(
        reglages,
        "rendering",
        # every label shown, as on the print maps (a halo keeps them readable)
        {"drawLabels": "1", "obstacle": "1", "displayAll": "1", "upsidedownLabels": "0"},
    )


def document(rendu: Rendu, etiquettes: Etiquettes | None = None, *, opacite: float = 1.0) -> str:
    """The QML document of a layer style: the renderer and, when given, the labels."""
    racine = ET.Element(
        "qgis",
        {
            "version": VERSION_QGIS,
            "styleCategories": "Symbology|Labeling|Rendering",
            "labelsEnabled": "1" if etiquettes is not None else "0",
            "hasScaleBasedVisibilityFlag": "0",
        },
    )
    _rendu(racine, rendu)
    if etiquettes is not None:
        _etiquettes(racine, etiquettes)
    ET.SubElement(racine, "blendMode").text = "0"
    ET.SubElement(racine, "featureBlendMode").text = "0"
    ET.SubElement(racine, "layerOpacity").text = _mm(opacite)
    ET.indent(racine, space=" ")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        racine, encoding="unicode"
    )
