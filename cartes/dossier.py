"""Reading and checking a zones-grises output folder (format: ``docs/FORMATS.md``).

:func:`lire_dossier` loads the folder written by ``accessibilite zones-grises`` into a
:class:`DossierZonesGrises`: the GeoPackage layers in EPSG:2154, the summaries and the
parameters, with the levels in their natural order. Every problem is reported once, here,
in French: a missing file or layer (:class:`DonneesManquantes`), a layer without a
coordinate reference system (:class:`SansCRS`), a missing column (:class:`DonneesInvalides`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from socle.dossiers import verifier_dossier
from socle.erreurs import DonneesInvalides, DonneesManquantes, SansCRS
from socle.tableur import lire_csv
from socle.territoire import CRS_LAMBERT93

__all__ = [
    "ORDRE_NIVEAUX",
    "DossierZonesGrises",
    "NiveauCarte",
    "lire_dossier",
    "restreindre",
]

logger = logging.getLogger(__name__)

#: Natural order of the levels (unknown levels come after, in file order).
ORDRE_NIVEAUX = ("proximite", "intermediaire", "superieur", "metropolitain")

_LIBELLES = {
    "proximite": "Proximité",
    "intermediaire": "Intermédiaire",
    "superieur": "Supérieur",
    "metropolitain": "Métropolitain",
}
_SEUILS_DEFAUT = {
    "proximite": 10.0,
    "intermediaire": 20.0,
    "superieur": 30.0,
    "metropolitain": 60.0,
}

_FICHIERS = ("zones_grises.gpkg", "parametres.json", "resume.csv", "resume_epci.csv")
_COUCHES = ("communes", "poles", "epci", "departement")
_COUCHES_FACULTATIVES = ("centres", "voisines", "poles_imposes")


@dataclass(frozen=True)
class NiveauCarte:
    """One level of the SDAASP method as the maps show it.

    Attributes
    ----------
    nom
        Key used in column names (``"proximite"``).
    libelle
        French label with its accents and capital (``"Proximité"``).
    seuil_min
        Acceptable car time, in minutes: above it a commune is in zone grise.
    items
        Labels of the gamme items of the level.
    n_poles
        Number of poles of the level (in and outside the département).
    """

    nom: str
    libelle: str
    seuil_min: float
    items: tuple[str, ...]
    n_poles: int

    @property
    def adjectif(self) -> str:
        """Lower-case label (``"proximité"``), for sentences."""
        return self.libelle[:1].lower() + self.libelle[1:]


@dataclass(frozen=True)
class DossierZonesGrises:
    """A zones-grises output folder, read and checked.

    Attributes
    ----------
    chemin
        The folder.
    communes
        One polygon per commune of the département with the columns of
        ``zones_grises.csv`` (``code`` as str, ``temps_<niveau>_min`` float with NaN when
        no pole is reachable, ``zone_grise_<niveau>`` bool, ``niveaux_zone_grise`` int),
        and ``incertaine_<niveau>`` (bool: the commune's ``etat_<niveau>`` is
        ``incertaine``; all False for a folder written before the error bands).
    poles
        One point per (pole commune, level): ``code, nom, niveau, hors_departement,
        items_presents, items_manquants, n_items, n_items_gamme``, ``origine``
        (``"regle"``, ``"impose"``, ``"regroupement"``; ``"regle"`` in older folders) and
        ``regroupement`` (the group's name, ``""`` outside any group).
    voisines
        Communes outside the département in the buffer (may be empty).
    epci, departement
        Boundaries.
    resume, resume_epci
        The summary tables.
    parametres
        Content of ``parametres.json``.
    niveaux
        The levels, in order.
    poles_imposes
        The team's imposed decisions (``code, nom, niveau, pole_impose`` = ``"oui"`` /
        ``"non"``, ``pole_selon_regle``...), one point each; empty when there are none.
    """

    chemin: Path
    communes: gpd.GeoDataFrame
    poles: gpd.GeoDataFrame
    voisines: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame
    departement: gpd.GeoDataFrame
    resume: pd.DataFrame
    resume_epci: pd.DataFrame
    parametres: dict[str, Any]
    niveaux: tuple[NiveauCarte, ...]
    poles_imposes: gpd.GeoDataFrame = field(
        default_factory=lambda: gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS_LAMBERT93))
    )

    def niveau(self, nom: str) -> NiveauCarte:
        """The level called ``nom``.

        Raises
        ------
        DonneesInvalides
            No such level in the folder.
        """
        for n in self.niveaux:
            if n.nom == nom:
                return n
        raise DonneesInvalides(
            f"Niveau « {nom} » absent du dossier {self.chemin} (niveaux : "
            + ", ".join(n.nom for n in self.niveaux)
            + ", ou « cumul »)."
        )

    @property
    def departement_nom(self) -> str:
        """Name and code of the département, e.g. ``"Pas-de-Calais (62)"``."""
        code = str(self.parametres.get("departement", "")).strip()
        nom = str(self.parametres.get("departement_nom", "")).strip()
        if nom and code:
            return f"{nom} ({code})"
        return nom or (f"département {code}" if code else "département")


def _booleens(serie: pd.Series) -> pd.Series:
    """Read a True/False column written as bool, 0/1 or text."""
    if serie.dtype == bool:
        return serie
    texte = serie.astype(str).str.strip().str.lower()
    return texte.isin(["true", "1", "1.0", "vrai", "oui"])


def _lire_couche(gpkg: Path, couche: str, presentes: set[str]) -> gpd.GeoDataFrame:
    if couche not in presentes:
        raise DonneesManquantes(
            f"Couche « {couche} » absente de {gpkg} (couches présentes : "
            + (", ".join(sorted(presentes)) or "aucune")
            + ") : relancez « accessibilite zones-grises » pour réécrire le dossier."
        )
    try:
        gdf = gpd.read_file(gpkg, layer=couche)
    except Exception as exc:  # pyogrio raises its own DataSourceError, sqlite errors...
        raise _geopackage_illisible(gpkg, exc) from exc
    if gdf.crs is None:
        raise SansCRS(
            f"La couche « {couche} » de {gpkg} n'a pas de système de coordonnées (CRS) : "
            "définissez-le (Lambert-93, EPSG:2154, attendu) avant de cartographier, par "
            "exemple dans QGIS ou avec gdf.set_crs('EPSG:2154')."
        )
    if gdf.crs != CRS_LAMBERT93:
        gdf = gdf.to_crs(CRS_LAMBERT93)
    return gdf


def _geopackage_illisible(gpkg: Path, exc: Exception) -> DonneesInvalides:
    # the library's own words (SQLite, GDAL) stay in the chained exception, for -v users
    return DonneesInvalides(
        f"GeoPackage {gpkg} illisible, abîmé ou tronqué : relancez « accessibilite "
        "zones-grises » pour réécrire le dossier."
    )


def _colonnes(df: pd.DataFrame, colonnes: list[str], ou: str) -> None:
    manquantes = [c for c in colonnes if c not in df.columns]
    if manquantes:
        raise DonneesInvalides(
            f"Colonnes absentes de {ou} : {', '.join(manquantes)}. Le dossier ne suit pas le "
            "format de docs/FORMATS.md : relancez « accessibilite zones-grises »."
        )


def _niveaux_des_colonnes(communes: pd.DataFrame) -> list[str]:
    noms = [
        str(c)[len("temps_") : -len("_min")]
        for c in communes.columns
        if str(c).startswith("temps_") and str(c).endswith("_min")
    ]
    connus = [n for n in ORDRE_NIVEAUX if n in noms]
    return connus + [n for n in noms if n not in connus]


def _gammes(parametres: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Levels described in ``parametres["gammes"]``, keyed by name (list or mapping form)."""
    gammes = parametres.get("gammes") or {}
    if isinstance(gammes, list):
        entrees: list[Any] = gammes
    elif isinstance(gammes, dict):
        brut = gammes.get("niveaux", gammes.get("niveau"))
        if isinstance(brut, list):
            entrees = brut
        else:
            entrees = [
                {"nom": k, **v} for k, v in gammes.items() if isinstance(v, dict) and k != "bpe"
            ]
    else:
        entrees = []
    return {str(e["nom"]): e for e in entrees if isinstance(e, dict) and "nom" in e}


def _libelles_items(items: Any) -> tuple[str, ...]:
    if not isinstance(items, list):
        return ()
    return tuple(
        str(i.get("libelle") or i.get("nom")) if isinstance(i, dict) else str(i) for i in items
    )


def lire_dossier(dossier: str | Path) -> DossierZonesGrises:
    """Read and check a zones-grises output folder.

    Parameters
    ----------
    dossier
        Folder written by ``accessibilite zones-grises`` (see ``docs/FORMATS.md``).

    Returns
    -------
    DossierZonesGrises
        Every layer in EPSG:2154, columns typed.

    Raises
    ------
    DonneesManquantes
        The folder, a file or a GeoPackage layer is missing.
    SansCRS
        A layer has no coordinate reference system.
    DonneesInvalides
        A column is missing or ``parametres.json`` is unreadable.
    """
    import pyogrio

    chemin = Path(dossier)
    if not chemin.is_dir():
        raise DonneesManquantes(
            f"Dossier {chemin} introuvable : donnez le dossier de sortie de "
            "« accessibilite zones-grises » (--entree)."
        )
    verifier_dossier(chemin)
    absents = [f for f in _FICHIERS if not (chemin / f).is_file()]
    if absents:
        raise DonneesManquantes(
            f"Fichier(s) absent(s) du dossier {chemin} : {', '.join(absents)}. Ce dossier "
            "n'est pas une sortie complète de « accessibilite zones-grises » : relancez-la."
        )
    try:
        parametres = json.loads((chemin / "parametres.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DonneesInvalides(
            f"{chemin / 'parametres.json'} est illisible ({exc}) : relancez "
            "« accessibilite zones-grises »."
        ) from exc
    if not isinstance(parametres, dict):
        raise DonneesInvalides(f"{chemin / 'parametres.json'} doit contenir un objet JSON.")

    gpkg = chemin / "zones_grises.gpkg"
    try:
        presentes = {str(c[0]) for c in pyogrio.list_layers(gpkg)}
    except Exception as exc:  # pyogrio.errors.DataSourceError, and OSError
        raise _geopackage_illisible(gpkg, exc) from exc
    couches = {c: _lire_couche(gpkg, c, presentes) for c in _COUCHES}
    for c in _COUCHES_FACULTATIVES:
        if c in presentes:
            couches[c] = _lire_couche(gpkg, c, presentes)
        else:
            logger.info("Couche « %s » absente de %s : ignorée", c, gpkg)
            couches[c] = gpd.GeoDataFrame(
                {"code": pd.Series(dtype=str), "nom": pd.Series(dtype=str)},
                geometry=gpd.GeoSeries([], crs=CRS_LAMBERT93),
            )

    communes = couches["communes"]
    if communes.empty:
        raise DonneesInvalides(
            f"La couche communes de {gpkg} est vide : relancez « accessibilite zones-grises »."
        )
    _colonnes(
        communes, ["code", "nom", "population", "epci_code", "epci_nom"], "la couche communes"
    )
    noms_niveaux = _niveaux_des_colonnes(communes)
    if not noms_niveaux:
        raise DonneesInvalides(
            f"La couche communes de {gpkg} n'a aucune colonne temps_<niveau>_min : "
            "relancez « accessibilite zones-grises »."
        )
    attendues = []
    for n in noms_niveaux:
        attendues += [f"pole_{n}_nom", f"zone_grise_{n}"]
    _colonnes(communes, attendues, "la couche communes")
    communes = communes.copy()
    for c in ("code", "epci_code"):
        communes[c] = communes[c].astype(str)
    communes["population"] = pd.to_numeric(communes["population"], errors="coerce").fillna(0)
    for n in noms_niveaux:
        communes[f"temps_{n}_min"] = pd.to_numeric(communes[f"temps_{n}_min"], errors="coerce")
        communes[f"zone_grise_{n}"] = _booleens(communes[f"zone_grise_{n}"])
        if f"est_pole_{n}" in communes.columns:
            communes[f"est_pole_{n}"] = _booleens(communes[f"est_pole_{n}"])
        communes[f"incertaine_{n}"] = (
            communes[f"etat_{n}"].astype(str).str.strip().eq("incertaine")
            if f"etat_{n}" in communes.columns
            else pd.Series(False, index=communes.index)
        )
    if "niveaux_zone_grise" in communes.columns:
        communes["niveaux_zone_grise"] = (
            pd.to_numeric(communes["niveaux_zone_grise"], errors="coerce").fillna(0).astype(int)
        )
    else:
        communes["niveaux_zone_grise"] = (
            np.sum([communes[f"zone_grise_{n}"].to_numpy() for n in noms_niveaux], axis=0)
        ).astype(int)

    poles = couches["poles"]
    _colonnes(poles, ["code", "nom", "niveau"], "la couche poles")
    poles = poles.copy()
    poles["code"] = poles["code"].astype(str)
    poles["niveau"] = poles["niveau"].astype(str)
    poles["hors_departement"] = (
        _booleens(poles["hors_departement"])
        if "hors_departement" in poles.columns
        else pd.Series(False, index=poles.index)
    )
    for c in ("items_presents", "items_manquants", "regroupement"):
        poles[c] = poles[c].fillna("").astype(str) if c in poles.columns else ""
    poles["origine"] = (
        poles["origine"].fillna("regle").replace("", "regle").astype(str)
        if "origine" in poles.columns
        else "regle"
    )

    imposes = couches["poles_imposes"].copy()
    for c in ("code", "nom", "niveau", "pole_impose", "pole_selon_regle"):
        imposes[c] = imposes[c].fillna("").astype(str) if c in imposes.columns else ""

    epci = couches["epci"]
    _colonnes(epci, ["epci_code", "epci_nom"], "la couche epci")
    epci = epci.copy()
    epci["epci_code"] = epci["epci_code"].astype(str)

    voisines = couches["voisines"].copy()
    if "code" in voisines.columns:
        voisines["code"] = voisines["code"].astype(str)

    resume = lire_csv(chemin / "resume.csv", dtype={"code": str})
    _colonnes(resume, ["niveau", "communes", "population", "part_population"], "resume.csv")
    if "territoire" in resume.columns:  # several départements: the maps show the whole area
        resume = resume[resume["territoire"] == "ensemble"].reset_index(drop=True)
    resume_epci = lire_csv(chemin / "resume_epci.csv", dtype={"epci_code": str})
    _colonnes(
        resume_epci,
        ["epci_code", "niveau", "communes", "population", "part_population"],
        "resume_epci.csv",
    )

    gammes = _gammes(parametres)
    niveaux = []
    for n in noms_niveaux:
        g = gammes.get(n, {})
        seuil = g.get("seuil_min")
        if seuil is None and "seuil_min" in resume.columns:
            lignes = resume.loc[resume["niveau"].astype(str) == n, "seuil_min"]
            seuil = lignes.iloc[0] if len(lignes) else None
        niveaux.append(
            NiveauCarte(
                nom=n,
                libelle=str(g.get("libelle") or _LIBELLES.get(n, n.capitalize())),
                seuil_min=float(seuil if seuil is not None else _SEUILS_DEFAUT.get(n, np.nan)),
                items=_libelles_items(g.get("items")),
                n_poles=int((poles["niveau"] == n).sum()),
            )
        )
        if niveaux[-1].n_poles == 0:
            logger.warning(
                "Aucun pôle de niveau %s : la carte de ce niveau sera vide (note sur la carte)",
                niveaux[-1].adjectif,
            )

    return DossierZonesGrises(
        chemin=chemin,
        communes=communes,
        poles=poles,
        voisines=voisines,
        epci=epci,
        departement=couches["departement"],
        resume=resume,
        resume_epci=resume_epci,
        parametres=parametres,
        niveaux=tuple(niveaux),
        poles_imposes=imposes,
    )


def restreindre(d: DossierZonesGrises, departements: Sequence[str], nom: str) -> DossierZonesGrises:
    """The part of a multi-département folder covering ``departements`` (a region), with
    its own summary, to draw the region's print maps."""
    codes = d.communes["code"].astype(str)
    dep = codes.str[:2].where(~codes.str.startswith("97"), codes.str[:3])
    dans = dep.isin(list(departements)).to_numpy()
    communes = d.communes[dans]
    dedans = set(communes["code"].astype(str))
    total = float(communes["population"].sum())
    lignes = []
    for n in d.niveaux:
        zg = communes[f"zone_grise_{n.nom}"].to_numpy(dtype=bool)
        population = int(communes.loc[zg, "population"].sum())
        lignes.append(
            {
                "niveau": n.nom,
                "seuil_min": n.seuil_min,
                "communes": int(zg.sum()),
                "population": population,
                "part_population": population / total if total else 0.0,
            }
        )
    epci = d.epci[d.epci["epci_code"].astype(str).isin(set(communes["epci_code"].astype(str)))]
    departement_ = d.departement
    if "code" in departement_.columns:
        departement_ = departement_[departement_["code"].astype(str).isin(list(departements))]
    hors = ~d.poles["code"].astype(str).isin(dedans)
    poles = d.poles.assign(hors_departement=hors.to_numpy())
    voisines = d.voisines
    autres = d.communes[~dans]
    if len(autres) and len(communes):
        xmin, ymin, xmax, ymax = communes.total_bounds
        marge = 0.25 * max(xmax - xmin, ymax - ymin)  # what a region's frame can show
        autres = autres.cx[xmin - marge : xmax + marge, ymin - marge : ymax + marge]
    if len(autres):  # the rest of the area is the region's neighbourhood on its map
        voisines = gpd.GeoDataFrame(
            pd.concat([voisines, autres[["code", "nom", "geometry"]]], ignore_index=True),
            crs=d.communes.crs,
        )
    imposes = d.poles_imposes
    if "code" in imposes.columns:
        imposes = imposes[imposes["code"].astype(str).isin(dedans)]
    return replace(
        d,
        communes=communes,
        poles=poles,
        poles_imposes=imposes,
        voisines=voisines,
        epci=epci,
        departement=departement_,
        resume=pd.DataFrame(lignes),
        resume_epci=d.resume_epci[
            d.resume_epci["epci_code"].astype(str).isin(set(epci["epci_code"].astype(str)))
        ],
        parametres={**d.parametres, "departement": "", "departement_nom": nom},
    )
