"""The QGIS styles of the project's layers, drawn like the maps (:mod:`socle.symbologie`).

Each function returns a :class:`socle.geopaquet.Style` (a QML document) for one kind of
layer: the time to the nearest pole by class with the zone grise hatched, the number of
levels in zone grise, the poles, the EPCI and département boundaries with their labels,
the neighbouring communes, isochrone bands, catchments, and the road graph's speeds. The
writers of each package (``poles.sorties``, ``isochrones``, the road graph export) choose
which style goes with which layer.
"""

from __future__ import annotations

from collections.abc import Sequence

from socle import qml
from socle import symbologie as s
from socle.geopaquet import Style

__all__ = [
    "NOMS_COURTS_EPCI",
    "nom_pole",
    "style_accord",
    "style_bassins",
    "style_categories_lignes",
    "style_categories_points",
    "style_classes_routes",
    "style_cumul",
    "style_departement",
    "style_difference",
    "style_epci",
    "style_isochrones",
    "style_points",
    "style_poles",
    "style_propositions",
    "style_sortie_zone_grise",
    "style_temps",
    "style_vitesses",
    "style_voisines",
]

_BORD = s.pt_en_mm(s.LARGEUR_BORD_COMMUNES_PT)


def _hachures(
    couleur: str,
    *,
    bordure: str | None = None,
    largeur_bordure_mm: float = 0.3,
    angle: float = 45.0,
    tirets: bool = False,
) -> qml.Symbole:
    """The zone grise hatching of the maps (1.1 mm apart, thin lines)."""
    return qml.hachures(
        couleur,
        angle=angle,
        ecart_mm=1.1,
        largeur_mm=0.12,
        bordure=bordure,
        largeur_bordure_mm=largeur_bordure_mm,
        tirets=tirets,
    )


#: Long EPCI name prefixes and their usual abbreviations (labels, as on the maps).
NOMS_COURTS_EPCI: tuple[tuple[str, str], ...] = (
    ("Communauté d'agglomération", "CA"),
    ("Communauté de communes", "CC"),
    ("Communauté urbaine", "CU"),
)


def _champ(nom: str) -> str:
    return '"' + nom.replace('"', '""') + '"'


def _texte(valeur: str) -> str:
    return "'" + valeur.replace("'", "''") + "'"


def _commune(couleur: str) -> qml.Symbole:
    return qml.remplissage(couleur, bordure=s.COULEUR_BORD_COMMUNES, largeur_bordure_mm=_BORD)


def _filtre_classe(colonne: str, k: int) -> str:
    classe = s.CLASSES_TEMPS[k]
    c = _champ(colonne)
    if k == 0:
        return f"{c} <= 0"
    if classe.haut == float("inf"):
        return f"{c} > {classe.bas:g}"
    return f"{c} > {classe.bas:g} AND {c} <= {classe.haut:g}"


def style_temps(
    colonne_temps: str,
    *,
    colonne_zone_grise: str | None = None,
    seuil_min: float | None = None,
    nom: str = "Temps au pôle le plus proche",
    gris: bool = False,
    defaut: bool = True,
    colonne_etat: str | None = None,
) -> Style:
    """Communes coloured by time class (the maps' ramp), zones grises hatched.

    Rules: one per time class (``pole (0 min)``, ``5 min ou moins``...), one for the
    communes with no reachable pole, then the hatching of the zone grise (black, white
    over the darkest class) when ``colonne_zone_grise`` is given. With ``colonne_etat``
    (``etat_<niveau>``: ``incertaine`` when the time's error band holds the threshold),
    the uncertain communes are hatched the other way with a dashed outline, as on the
    maps, and left out of the zone grise hatching.
    """
    couleurs = s.GRIS_TEMPS if gris else s.COULEURS_TEMPS
    regles = [
        qml.Regle(classe.libelle, _filtre_classe(colonne_temps, k), _commune(couleur))
        for k, (classe, couleur) in enumerate(zip(s.CLASSES_TEMPS, couleurs, strict=True))
    ]
    regles.append(
        qml.Regle(
            s.LIBELLE_SANS_TEMPS,
            f"{_champ(colonne_temps)} IS NULL",
            _commune(s.COULEUR_SANS_TEMPS),
        )
    )
    if colonne_zone_grise is not None:
        sombres = [
            _filtre_classe(colonne_temps, k)
            for k, couleur in enumerate(couleurs)
            if s.luminance(couleur) < s.SEUIL_SOMBRE
        ]
        # a boolean column is a condition by itself (``= 1`` is false on QGIS booleans)
        zg = _champ(colonne_zone_grise)
        incertaine = (
            f"coalesce({_champ(colonne_etat)} = 'incertaine', FALSE)" if colonne_etat else None
        )
        if incertaine is not None:
            zg = f"{zg} AND NOT {incertaine}"
        seuil = f"plus de {s.seuil_fr(seuil_min)} min" if seuil_min is not None else "zone grise"
        libelle = f"zone grise : {seuil}" if seuil_min is not None else seuil
        sombre = " OR ".join(f"({f})" for f in sombres) if sombres else "FALSE"
        regles.append(
            qml.Regle(
                libelle,
                f"{zg} AND NOT ({sombre})",
                _hachures(
                    s.COULEUR_HACHURES,
                    bordure=s.COULEUR_HACHURES,
                    largeur_bordure_mm=0.25,
                ),
            )
        )
        if sombres:
            regles.append(
                qml.Regle(
                    f"{libelle} (sur fond sombre)",
                    f"{zg} AND ({sombre})",
                    _hachures(
                        "#ffffff",
                        bordure=s.COULEUR_HACHURES,
                        largeur_bordure_mm=0.25,
                    ),
                )
            )
        if incertaine is not None:
            regles.append(
                qml.Regle(
                    "incertaine : l'intervalle du temps contient le seuil",
                    incertaine,
                    _hachures(
                        s.COULEUR_HACHURES,
                        bordure=s.COULEUR_HACHURES,
                        largeur_bordure_mm=0.25,
                        tirets=True,
                        angle=-45.0,
                    ),
                )
            )
    return Style(
        nom,
        qml.document(qml.rendu_regles(regles)),
        defaut=defaut,
        description="classes de temps des cartes ; zone grise hachurée",
    )


def style_cumul(
    colonne: str, n_niveaux: int, *, nom: str = "Niveaux en zone grise", defaut: bool = True
) -> Style:
    """Communes coloured by their number of levels in zone grise (0 to ``n_niveaux``)."""
    categories = [
        qml.Categorie(k, _commune(couleur), libelle)
        for k, (couleur, libelle) in enumerate(
            zip(s.couleurs_cumul(n_niveaux), s.libelles_cumul(n_niveaux), strict=True)
        )
    ]
    return Style(
        nom,
        qml.document(qml.rendu_categories(colonne, categories)),
        defaut=defaut,
        description="nombre de niveaux de services pour lesquels la commune est en zone grise",
    )


def _expression_nom_court(colonne: str) -> str:
    expression = _champ(colonne)
    for long, court in NOMS_COURTS_EPCI:
        expression = f"regexp_replace({expression}, {_texte('^' + long)}, {_texte(court)})"
    return expression


def style_epci(colonne_nom: str = "epci_nom") -> Style:
    """EPCI boundaries (dashed) with their short names in italics, as on the maps."""
    return Style(
        "Limites d'EPCI",
        qml.document(
            qml.rendu_unique(
                qml.contour(s.COULEUR_EPCI, s.pt_en_mm(s.LARGEUR_EPCI_PT), tirets=True)
            ),
            qml.Etiquettes(
                _expression_nom_court(colonne_nom),
                expression=True,
                taille_pt=8.0,
                italique=True,
                couleur="#1a1a1a",
                halo_mm=0.5,
                retour=16,
            ),
        ),
        description="limites d'EPCI en tirets, nom en italique",
    )


def style_departement() -> Style:
    """The département's outline."""
    return Style(
        "Limite du département",
        qml.document(
            qml.rendu_unique(qml.contour("#000000", s.pt_en_mm(s.LARGEUR_DEPARTEMENT_PT)))
        ),
    )


def style_voisines() -> Style:
    """Communes of the buffer outside the département, in light grey."""
    return Style(
        "Communes hors département",
        qml.document(
            qml.rendu_unique(
                qml.remplissage(
                    s.COULEUR_VOISINES, bordure=s.BORD_VOISINES, largeur_bordure_mm=0.07
                )
            )
        ),
    )


def _diametre_mm(niveau: str) -> float:
    return s.pt_en_mm(s.TAILLES_POLES.get(niveau, 16.0) ** 0.5)


def nom_pole(nom: str, libelle: str) -> str:
    """``"pôle de proximité"``, ``"pôle intermédiaire"``... (as on the maps)."""
    return "pôle de proximité" if nom == "proximite" else f"pôle {libelle.lower()}"


def style_poles(niveaux: Sequence[tuple[str, str]]) -> Style:
    """Poles as on the maps: black dots sized by level, white ones outside the
    département. ``niveaux``: ``(nom, libelle)`` in order, the largest drawn first."""
    regles = []
    for nom, libelle in reversed(list(niveaux)):
        taille = _diametre_mm(nom)
        niveau = f"{_champ('niveau')} = {_texte(nom)}"
        regles.append(
            qml.Regle(
                nom_pole(nom, libelle),
                f"{niveau} AND NOT coalesce({_champ('hors_departement')}, FALSE)",
                qml.rond("#000000", bordure="#ffffff", taille_mm=taille),
            )
        )
        regles.append(
            qml.Regle(
                f"{nom_pole(nom, libelle)} hors département",
                f"{niveau} AND coalesce({_champ('hors_departement')}, FALSE)",
                qml.rond("#ffffff", bordure="#000000", taille_mm=taille),
            )
        )
    return Style("Pôles", qml.document(qml.rendu_regles(regles)))


def style_points(couleur: str = "#333333", *, nom: str = "Points", taille_mm: float = 1.2) -> Style:
    """Plain round markers (commune centres, equipped communes, proposals)."""
    return Style(
        nom,
        qml.document(qml.rendu_unique(qml.rond(couleur, bordure="#ffffff", taille_mm=taille_mm))),
    )


def style_isochrones(seuils_min: Sequence[float], *, colonne: str = "temps_min") -> Style:
    """Isochrone bands: one category per band, lighter for the farther ones (drawn
    half-transparent, the nearest on top)."""
    bandes = sorted({float(v) for v in seuils_min})
    rampe = ("#08519c", "#3182bd", "#6baed6", "#9ecae1", "#c6dbef", "#deebf7")
    categories = []
    for k, borne in enumerate(reversed(bandes)):
        couleur = rampe[min(len(bandes) - 1 - k, len(rampe) - 1)]
        categories.append(
            qml.Categorie(
                borne,
                qml.remplissage(couleur, bordure="#08306b", largeur_bordure_mm=0.2),
                f"{s.seuil_fr(borne)} min",
            )
        )
    return Style(
        "Isochrones",
        qml.document(qml.rendu_categories(colonne, categories), opacite=0.6),
        description="une couleur par bande de temps",
    )


def style_bassins(colonne_hors: str = "hors_bassin", colonne_nom: str = "pole_nom") -> Style:
    """Catchments: light green with their pole's name, the communes beyond the threshold
    ("hors bassin", the zone grise) grey and hatched."""
    regles = [
        qml.Regle(
            "bassin d'un pôle",
            f"NOT {_champ(colonne_hors)}",
            qml.remplissage("#c7e9c0", bordure="#238b45", largeur_bordure_mm=0.3),
        ),
        qml.Regle(
            "hors bassin (zone grise)",
            f"{_champ(colonne_hors)}",
            qml.remplissage(s.COULEUR_SANS_TEMPS).plus(
                _hachures(s.COULEUR_HACHURES, bordure=s.COULEUR_HACHURES)
            ),
        ),
    ]
    return Style(
        "Bassins de services",
        qml.document(
            qml.rendu_regles(regles),
            qml.Etiquettes(colonne_nom, taille_pt=7.0, couleur="#00441b", halo_mm=0.5, retour=18),
        ),
    )


def style_accord(colonne: str, *, nom: str, defaut: bool = True) -> Style:
    """Agreement of two studies on each commune (the comparison maps' classes)."""
    categories = [
        qml.Categorie(valeur, _commune(couleur), s.LIBELLES_ACCORD[valeur])
        for valeur, couleur in s.COULEURS_ACCORD.items()
    ]
    return Style(nom, qml.document(qml.rendu_categories(colonne, categories)), defaut=defaut)


def style_difference(colonne: str, *, nom: str = "Variation du temps") -> Style:
    """A before/after time difference (minutes): blue when shorter, red when longer."""
    plages = [
        qml.Plage(-1e9, -5.0, _commune("#2166ac"), "gain de plus de 5 min"),
        qml.Plage(-5.0, -0.05, _commune("#92c5de"), "gain jusqu'à 5 min"),
        qml.Plage(-0.05, 0.05, _commune("#f7f7f7"), "inchangé"),
        qml.Plage(0.05, 5.0, _commune("#f4a582"), "perte jusqu'à 5 min"),
        qml.Plage(5.0, 1e9, _commune("#b2182b"), "perte de plus de 5 min"),
    ]
    return Style(nom, qml.document(qml.rendu_gradue(colonne, plages)))


def style_categories_points(
    colonne: str, valeurs: Sequence[tuple[str, str, str]], *, nom: str, taille_mm: float = 2.0
) -> Style:
    """Points by category: ``(valeur, couleur, libelle)``."""
    categories = [
        qml.Categorie(valeur, qml.rond(couleur, bordure="#000000", taille_mm=taille_mm), libelle)
        for valeur, couleur, libelle in valeurs
    ]
    return Style(nom, qml.document(qml.rendu_categories(colonne, categories)))


def style_propositions(colonne_rang: str = "rang", colonne_nom: str = "nom") -> Style:
    """Proposed poles: large black dots labelled ``rang. nom``."""
    return Style(
        "Propositions",
        qml.document(
            qml.rendu_unique(qml.rond("#000000", bordure="#ffffff", taille_mm=2.6)),
            qml.Etiquettes(
                f"{_champ(colonne_rang)} || '. ' || {_champ(colonne_nom)}",
                expression=True,
                taille_pt=8.0,
                gras=True,
                halo_mm=0.7,
                dans_polygone=False,
            ),
        ),
    )


def style_sortie_zone_grise(colonne: str = "sortie_par") -> Style:
    """Communes in zone grise: green when a proposal takes them out of it, grey and
    hatched when none does."""
    regles = [
        qml.Regle(
            "sortie de zone grise par une proposition",
            f"coalesce({_champ(colonne)}, '') <> ''",
            _commune("#74c476"),
        ),
        qml.Regle(
            "reste en zone grise",
            f"coalesce({_champ(colonne)}, '') = ''",
            _commune(s.COULEUR_SANS_TEMPS).plus(
                _hachures(s.COULEUR_HACHURES, bordure=s.COULEUR_HACHURES)
            ),
        ),
    ]
    return Style("Sorties de zone grise", qml.document(qml.rendu_regles(regles)))


def style_categories_lignes(
    colonne: str,
    valeurs: Sequence[tuple[str, str, str]],
    *,
    nom: str,
    largeur_mm: float = 0.4,
) -> Style:
    """Lines by category: ``(valeur, couleur, libelle)``."""
    categories = [
        qml.Categorie(valeur, qml.ligne(couleur, largeur_mm), libelle)
        for valeur, couleur, libelle in valeurs
    ]
    return Style(nom, qml.document(qml.rendu_categories(colonne, categories)))


#: Colour and width (mm) of the main OSM road classes, as on usual road maps.
_ROUTES: dict[str, tuple[str, float]] = {
    "motorway": ("#e31a1c", 0.9),
    "motorway_link": ("#e31a1c", 0.5),
    "trunk": ("#fd8d3c", 0.8),
    "trunk_link": ("#fd8d3c", 0.45),
    "primary": ("#fecc5c", 0.7),
    "primary_link": ("#fecc5c", 0.4),
    "secondary": ("#c2e699", 0.6),
    "secondary_link": ("#c2e699", 0.35),
    "tertiary": ("#78c679", 0.45),
    "tertiary_link": ("#78c679", 0.3),
    "unclassified": ("#969696", 0.3),
    "residential": ("#bdbdbd", 0.25),
    "living_street": ("#d9d9d9", 0.2),
    "service": ("#d9d9d9", 0.15),
    "road": ("#969696", 0.25),
    "ferry": ("#3182bd", 0.4),
}


def style_classes_routes(colonne: str, classes: Sequence[str]) -> Style:
    """Road arcs by OSM class (``highway``)."""
    categories = [
        qml.Categorie(
            nom,
            qml.ligne(_ROUTES.get(nom, ("#737373", 0.25))[0], _ROUTES.get(nom, ("", 0.25))[1]),
            nom,
        )
        for nom in classes
    ]
    return Style("Classes de route", qml.document(qml.rendu_categories(colonne, categories)))


def style_vitesses(colonne: str = "vitesse_kmh") -> Style:
    """Road arcs by peak-hour speed (km/h): distinct hues (purple for the slowest, dark
    red for the fastest) and widths growing with the speed, readable on a white or an
    aerial background."""
    classes = (
        (0.0, 20.0, "#7b3294", 0.25, "20 km/h ou moins"),
        (20.0, 35.0, "#2c7bb6", 0.3, "20 à 35 km/h"),
        (35.0, 50.0, "#1a9641", 0.35, "35 à 50 km/h"),
        (50.0, 70.0, "#fdae61", 0.45, "50 à 70 km/h"),
        (70.0, 90.0, "#d7191c", 0.6, "70 à 90 km/h"),
        (90.0, 1000.0, "#67000d", 0.75, "plus de 90 km/h"),
    )
    plages = [
        qml.Plage(bas, haut, qml.ligne(couleur, largeur), libelle)
        for bas, haut, couleur, largeur, libelle in classes
    ]
    return Style(
        "Vitesses à l'heure pleine",
        qml.document(qml.rendu_gradue(colonne, plages)),
        description="vitesse du modèle à l'heure pleine, en km/h",
    )
