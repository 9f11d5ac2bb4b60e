"""The report's figures as PNG bytes: maps and charts, drawn with Matplotlib.

* :func:`carte_niveau`: the A4 print map of a level (the very page of
  :func:`cartes.figure_statique`, at a lower resolution);
* :func:`carte_cumul`, :func:`carte_indicateur`: compact maps for a report page (map,
  legend on the right, scale bar and north arrow);
* :func:`graphique_distribution`, :func:`graphique_sensibilite`,
  :func:`graphique_comparaison`: bar charts with French numbers.

Figures are never attached to pyplot (no global state). Sizes are in millimetres, at the
printed size, so that the type keeps its size on paper.
"""

from __future__ import annotations

import io
import itertools
import math
import textwrap
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from cartes import _style
from cartes.dossier import DossierZonesGrises
from cartes.rapport._commun import entier
from cartes.statique import _bornes_cadre, _echelle, _fleche_nord, _longueur_echelle

__all__ = [
    "DPI",
    "HAUTEUR_CUMUL_MM",
    "carte_cumul",
    "carte_indicateur",
    "carte_niveau",
    "graphique_comparaison",
    "graphique_distribution",
    "graphique_sensibilite",
]

#: Resolution of the PNG figures (dots per inch at the printed size).
DPI = 200
#: Printed height of the overlay map (it shares the summary page with the key figures).
HAUTEUR_CUMUL_MM = 100.0
_MM = 1 / 25.4
_RC: Any = {
    "hatch.linewidth": 0.35,
    "font.family": "DejaVu Sans",
    "font.size": 7.5,
    "axes.titlesize": 8,
    "axes.labelsize": 7.5,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
}
_BLEU = "#4a6f8a"
_ORANGE = "#e6550d"
_GRIS = "#9e9e9e"


def _png(fig: Any, dpi: int = DPI) -> bytes:
    tampon = io.BytesIO()
    fig.savefig(tampon, format="png", dpi=dpi, metadata={"Software": "accessibilite"})
    return tampon.getvalue()


def _figure(largeur_mm: float, hauteur_mm: float) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(largeur_mm * _MM, hauteur_mm * _MM), dpi=DPI, facecolor="white")
    return fig


def carte_niveau(dossier: DossierZonesGrises, niveau: str) -> bytes:
    """The A4 portrait print map of ``niveau`` (or ``"cumul"``), as PNG at :data:`DPI`."""
    import matplotlib

    from cartes.statique import figure_statique

    with matplotlib.rc_context({"hatch.linewidth": 0.35, "font.family": "DejaVu Sans"}):
        fig = figure_statique(dossier, niveau)
        return _png(fig)


def _formateur_milliers() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: _style.nombre_fr(x, 0 if float(x).is_integer() else 1))


# ---- compact maps ----------------------------------------------------------------------


def _carte_compacte(
    communes: gpd.GeoDataFrame,
    couleurs: Sequence[str],
    legende: list[tuple[str, str]],
    *,
    titre_legende: str,
    hachures: np.ndarray | None = None,
    libelle_hachures: str = "",
    points: gpd.GeoSeries | None = None,
    libelle_points: str = "",
    largeur_mm: float = 170.0,
    hauteur_mm: float = 112.0,
) -> bytes:
    """A map of ``communes`` filled with ``couleurs``, the legend on its right."""
    import matplotlib
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    with matplotlib.rc_context(_RC):
        fig = _figure(largeur_mm, hauteur_mm)
        largeur_carte = largeur_mm * 0.64
        ax = fig.add_axes((0.0, 0.0, largeur_carte / largeur_mm, 1.0))
        x0, x1, y0, y1 = _bornes_cadre(communes.total_bounds, largeur_carte, hauteur_mm, 0.03)
        echelle_mm = (x1 - x0) / largeur_carte
        communes.plot(ax=ax, color=list(couleurs), edgecolor="white", linewidth=0.15)
        poignees: list[Any] = [
            Patch(facecolor=c, edgecolor="#555555", linewidth=0.4, label=libelle)
            for c, libelle in legende
        ]
        if hachures is not None and hachures.any():
            zone = gpd.GeoSeries([communes.geometry[hachures].union_all()], crs=communes.crs)
            zone.plot(ax=ax, facecolor="none", edgecolor="#111111", hatch="//////", linewidth=0)
            zone.boundary.plot(ax=ax, color="#111111", linewidth=0.8)
            poignees.append(
                Patch(
                    facecolor="white",
                    edgecolor="#111111",
                    hatch="//////",
                    linewidth=0.8,
                    label=libelle_hachures,
                )
            )
        epci = communes.dissolve(by="epci_code", as_index=False)
        epci.boundary.plot(ax=ax, color="#2b2b2b", linewidth=0.45, linestyle=(0, (4, 1.5)))
        contour = gpd.GeoSeries([communes.union_all()], crs=communes.crs)
        contour.boundary.plot(ax=ax, color="black", linewidth=1.0)
        if points is not None and len(points):
            ax.scatter(
                points.x, points.y, s=6, c="black", edgecolors="white", linewidths=0.4, zorder=12
            )
            poignees.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=3.5,
                    markerfacecolor="black",
                    markeredgecolor="white",
                    label=libelle_points,
                )
            )
        poignees += [
            Line2D([], [], color="black", linewidth=1.0, label="limite du département"),
            Line2D(
                [],
                [],
                color="#2b2b2b",
                linewidth=0.45,
                linestyle=(0, (4, 1.5)),
                label="limite d'EPCI",
            ),
        ]
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal")
        ax.set_axis_off()
        longueur = _longueur_echelle(x1 - x0)
        _echelle(ax, x0 + 3 * echelle_mm, y0 + 3 * echelle_mm, longueur)
        _fleche_nord(ax, x1 - 5 * echelle_mm, y1 - 4 * echelle_mm, 8 * echelle_mm)
        colonne = fig.add_axes((largeur_carte / largeur_mm + 0.02, 0.02, 0.34, 0.96))
        colonne.set_axis_off()
        colonne.legend(
            handles=poignees,
            title=titre_legende,
            loc="upper left",
            frameon=False,
            alignment="left",
            handlelength=2.0,
            handleheight=1.2,
            borderaxespad=0,
            title_fontsize=7.5,
        )
        return _png(fig)


def carte_cumul(dossier: DossierZonesGrises, niveaux: Sequence[str]) -> bytes:
    """The overlay map: each commune by its number of ``niveaux`` in zone grise."""
    communes = dossier.communes
    choisis = [n for n in dossier.niveaux if n.nom in niveaux]
    comptes = np.sum(
        [communes[f"zone_grise_{n.nom}"].to_numpy(dtype=bool) for n in choisis], axis=0
    ).astype(int)
    teintes = _style.couleurs_cumul(len(choisis))
    legende = [
        (teinte, f"{libelle} ({entier((comptes == k).sum())})")
        for k, (teinte, libelle) in enumerate(
            zip(teintes, _style.libelles_cumul(choisis), strict=True)
        )
    ]
    return _carte_compacte(
        communes,
        [teintes[k] for k in comptes],
        legende,
        titre_legende="Niveaux de services pour lesquels\nla commune est en zone grise\n"
        "(nombre de communes)",
        hauteur_mm=HAUTEUR_CUMUL_MM,
    )


def carte_indicateur(
    communes: gpd.GeoDataFrame, seuil_min: float, *, libelle_equipee: str = "commune équipée"
) -> bytes:
    """Time to the nearest equipped commune, by class; beyond ``seuil_min`` hatched."""
    temps = pd.to_numeric(communes["temps_min"], errors="coerce").to_numpy(dtype=float)
    classes = _style.classe_temps(temps)
    teintes = [_style.COULEURS_TEMPS[k] if k >= 0 else _style.COULEUR_SANS_TEMPS for k in classes]
    legende = []
    for k, classe in enumerate(_style.CLASSES_TEMPS):
        n = int((classes == k).sum())
        libelle = f"{libelle_equipee} (0 min)" if k == 0 else classe.libelle
        legende.append((_style.COULEURS_TEMPS[k], f"{libelle} ({entier(n)})"))
    if (classes < 0).any():
        legende.append(
            (
                _style.COULEUR_SANS_TEMPS,
                f"aucun équipement atteignable ({entier((classes < 0).sum())})",
            )
        )
    au_dela = ~(temps <= seuil_min)
    return _carte_compacte(
        communes,
        teintes,
        legende,
        titre_legende="Temps en voiture à la commune\néquipée la plus proche\n(nombre de communes)",
        hachures=au_dela,
        libelle_hachures=f"au-delà de {_style.nombre_fr(seuil_min)} min",
    )


# ---- charts ----------------------------------------------------------------------------


def _bornes_distribution(seuils: Sequence[float], maximum: float) -> list[float]:
    bornes = {0.0, 5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, *map(float, seuils)}
    retenues = sorted(b for b in bornes if b < maximum)
    return [*retenues, math.inf] if retenues else [0.0, math.inf]


def graphique_distribution(
    temps: Sequence[float] | np.ndarray,
    population: Sequence[float] | np.ndarray,
    seuil_min: float,
) -> bytes:
    """Population by class of time to the nearest equipped commune (0: equipped)."""
    import matplotlib

    t = np.asarray(temps, dtype=float)
    pop = np.asarray(population, dtype=float)
    bornes = _bornes_distribution([seuil_min], float(np.nanmax(t)) if np.isfinite(t).any() else 0)
    libelles = ["commune\néquipée"]
    valeurs = [pop[t <= 0].sum()]
    communes = [int((t <= 0).sum())]
    au_dela = [False]
    for bas, haut in itertools.pairwise(bornes):
        dans = (t > bas) & (t <= haut)
        if math.isinf(haut):
            libelles.append(f"plus de\n{_style.nombre_fr(bas)} min")
        else:
            libelles.append(f"{_style.nombre_fr(bas)} à\n{_style.nombre_fr(haut)} min")
        valeurs.append(pop[dans].sum())
        communes.append(int(dans.sum()))
        au_dela.append(bas >= seuil_min)
    if np.isnan(t).any():
        libelles.append("aucun\naccès")
        valeurs.append(pop[np.isnan(t)].sum())
        communes.append(int(np.isnan(t).sum()))
        au_dela.append(True)
    with matplotlib.rc_context(_RC):
        fig = _figure(160, 75)
        ax = fig.add_axes((0.1, 0.2, 0.88, 0.72))
        x = np.arange(len(valeurs))
        barres = ax.bar(x, valeurs, color=[_ORANGE if a else _BLEU for a in au_dela], width=0.7)
        for barre, v, n in zip(barres, valeurs, communes, strict=True):
            ax.annotate(
                f"{entier(v)} hab.\n{entier(n)} comm.",
                (barre.get_x() + barre.get_width() / 2, barre.get_height()),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=6,
            )
        ax.set_xticks(x, libelles)
        ax.yaxis.set_major_formatter(_formateur_milliers())
        ax.set_ylabel("habitants")
        ax.set_ylim(0, max(max(valeurs), 1) * 1.25)
        for cote in ("top", "right"):
            ax.spines[cote].set_visible(False)
        from matplotlib.patches import Patch

        ax.legend(
            handles=[
                Patch(color=_BLEU, label=f"jusqu'à {_style.nombre_fr(seuil_min)} min"),
                Patch(color=_ORANGE, label=f"au-delà de {_style.nombre_fr(seuil_min)} min"),
            ],
            loc="upper right",
            frameon=False,
        )
        return _png(fig)


def _libelle_regle(texte: str) -> str:
    court = str(texte).removeprefix("pôle = ").replace(" de la gamme présents", "")
    return "\n".join(textwrap.wrap(court, width=18))


def graphique_sensibilite(
    table: pd.DataFrame, niveaux: Sequence[tuple[str, str]], regle_etude: str | None
) -> bytes:
    """Communes in zone grise and share of the population, by pole rule and level.

    ``niveaux`` pairs each level's name with its label; ``regle_etude`` is the description of
    the rule of the study (its tick label is marked).
    """
    import matplotlib

    regles = list(dict.fromkeys(table["regle"].astype(str)))
    teintes = ["#fdae6b", "#e6550d", "#a63603", "#7f2704"]
    with matplotlib.rc_context(_RC):
        fig = _figure(160, 100)
        haut = fig.add_axes((0.1, 0.6, 0.88, 0.34))
        bas = fig.add_axes((0.1, 0.17, 0.88, 0.34))
        x = np.arange(len(regles))
        largeur = 0.8 / max(len(niveaux), 1)
        for k, (nom, libelle) in enumerate(niveaux):
            lignes = table[table["niveau"].astype(str) == nom].set_index("regle")
            communes = [float(lignes["communes"].get(r, np.nan)) for r in regles]
            parts = [100 * float(lignes["part_population"].get(r, np.nan)) for r in regles]
            decalage = (k - (len(niveaux) - 1) / 2) * largeur
            teinte = teintes[k % len(teintes)]
            b = haut.bar(x + decalage, communes, largeur, color=teinte, label=libelle)
            haut.bar_label(b, labels=[entier(v) for v in communes], fontsize=5.5, padding=1)
            bas.bar(x + decalage, parts, largeur, color=teinte)
        haut.set_ylabel("communes en zone grise")
        bas.set_ylabel("part de la population (%)")
        haut.yaxis.set_major_formatter(_formateur_milliers())
        bas.yaxis.set_major_formatter(_formateur_milliers())
        haut.set_xticks(x, [""] * len(regles))
        etiquettes = [
            _libelle_regle(r) + ("\n(règle de l'étude)" if r == regle_etude else "") for r in regles
        ]
        bas.set_xticks(x, etiquettes)
        for tick, r in zip(bas.get_xticklabels(), regles, strict=True):
            if r == regle_etude:
                tick.set_fontweight("bold")
        haut.legend(loc="upper right", frameon=False, ncols=len(niveaux))
        for ax in (haut, bas):
            for cote in ("top", "right"):
                ax.spines[cote].set_visible(False)
            ax.set_ylim(0, ax.get_ylim()[1] * 1.15)
        return _png(fig)


def graphique_comparaison(
    niveaux: Sequence[str], avant: Sequence[float], apres: Sequence[float], libelles: Sequence[str]
) -> bytes:
    """Communes in zone grise per level, in the previous study and in this one.

    ``libelles`` names the two series (previous, current).
    """
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig = _figure(150, 65)
        ax = fig.add_axes((0.1, 0.15, 0.88, 0.78))
        x = np.arange(len(niveaux))
        b1 = ax.bar(x - 0.2, avant, 0.38, color=_GRIS, label=libelles[0])
        b2 = ax.bar(x + 0.2, apres, 0.38, color=_ORANGE, label=libelles[1])
        for b, valeurs in ((b1, avant), (b2, apres)):
            ax.bar_label(b, labels=[entier(v) for v in valeurs], fontsize=6, padding=1)
        ax.set_xticks(x, list(niveaux))
        ax.set_ylabel("communes en zone grise")
        ax.yaxis.set_major_formatter(_formateur_milliers())
        ax.set_ylim(0, max([*avant, *apres, 1]) * 1.2)
        ax.legend(frameon=False, loc="upper right")
        for cote in ("top", "right"):
            ax.spines[cote].set_visible(False)
        return _png(fig)
