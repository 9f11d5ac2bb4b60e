"""A network of sites from a user's file: France services, a community's service houses...

A site is one row of a CSV, GeoPackage or GeoJSON file, with a name (column ``nom``) and
where it is, by the first of these that the row gives:

* a **point**: ``lon`` and ``lat`` in WGS 84 (CSV), or the row's geometry in any CRS
  (GeoPackage, GeoJSON): the site is exactly there;
* an **address** (``adresse``): geocoded with the national address base
  (:mod:`socle.geocodage`); a match whose score is under the threshold is refused, with the
  others, in one message: never guessed;
* a **commune code** (``code_insee``): the site is at the commune's centre (its town hall),
  and the commune itself is at 0 min, as a pole is.

Optional columns are kept: ``id`` (unique; default the rank of the site in the file),
``type``, ``horaires`` (opening hours, free text) and any other. A file may mix the three
ways. A row that gives no usable location is an error naming its line.

:func:`lire_sites` returns one point per site in a metric CRS; :func:`lieux_sites` turns
them into the :class:`~accessibilite.noyau.lieux.Lieux` every travel-time source takes (a
site given by its commune carries the commune's code, so that a commune × commune matrix
can time it; a site given by a point carries ``site:<id>``).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from accessibilite.noyau.lieux import Lieux
from socle.erreurs import DonneesInvalides, DonneesManquantes, SansCRS
from socle.geocodage import SCORE_MIN_DEFAUT
from socle.territoire import CRS_LAMBERT93

__all__ = [
    "COLONNES_SITES",
    "PREFIXE_POINT",
    "lieux_sites",
    "lire_sites",
    "noms_sites_points",
    "retirer_sites",
]

logger = logging.getLogger(__name__)

#: Prefix of the place code of a site given by a point (never an INSEE code).
PREFIXE_POINT = "site:"

#: Columns of the table returned by :func:`lire_sites`, in order (other attributes follow).
COLONNES_SITES = [
    "id",
    "nom",
    "localisation",
    "code_insee",
    "commune_nom",
    "type",
    "horaires",
    "adresse",
    "adresse_trouvee",
    "score_geocodage",
    "lon",
    "lat",
    "ligne",
]

_NOMS = ("nom", "name", "libelle", "intitule", "nom_site", "denomination")
_CODES = ("code_insee", "insee", "code_commune", "codgeo", "depcom", "citycode", "com")
_LON = ("lon", "longitude", "lng", "long")
_LAT = ("lat", "latitude")
_ADRESSES = ("adresse", "address", "adresse_postale")
_IDS = ("id", "identifiant")
_TYPES = ("type", "categorie")
_HORAIRES = ("horaires", "horaires_ouverture", "heures_ouverture")
_VIDES = {"", "nan", "none", "null", "na", "n/a"}


def _cle(texte: str) -> str:
    texte = unicodedata.normalize("NFKD", str(texte))
    texte = "".join(c for c in texte if not unicodedata.combining(c))
    return re.sub(r"[\s\-']+", "_", texte.strip().lower())


def _colonne(colonnes: dict[str, str], noms: Sequence[str]) -> str | None:
    return next((colonnes[n] for n in noms if n in colonnes), None)


def _texte(valeur: Any) -> str:
    if valeur is None or (isinstance(valeur, float) and np.isnan(valeur)):
        return ""
    texte = str(valeur).strip()
    return "" if texte.lower() in _VIDES else texte


def _nombre(texte: str) -> float:
    try:
        return float(texte.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        return np.nan


def _lire_fichier(chemin: Path) -> tuple[pd.DataFrame, gpd.GeoSeries | None, str]:
    """The attribute table, the geometries (vector files) and how rows are named."""
    if not chemin.is_file():
        raise DonneesManquantes(f"Fichier de sites introuvable : {chemin}. Vérifiez le chemin.")
    suffixe = chemin.suffix.lower()
    if suffixe in (".csv", ".txt", ".tsv"):
        contenu = chemin.read_bytes()
        if not contenu.strip():
            raise DonneesInvalides(
                f"Fichier de sites {chemin.name} vide : une ligne d'en-tête (nom, code_insee "
                "ou lon et lat, ou adresse) puis une ligne par site sont attendues."
            )
        try:
            texte = contenu.decode("utf-8-sig")
        except UnicodeDecodeError:  # a spreadsheet's export on Windows
            texte = contenu.decode("cp1252", errors="replace")
        try:
            separateur = csv.Sniffer().sniff(texte[:8192], delimiters=",;\t|").delimiter
        except csv.Error:  # one column: no separator to find
            separateur = ","
        try:
            table = pd.read_csv(
                io.StringIO(texte.replace("\x00", "")),
                sep=separateur,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as exc:
            raise DonneesInvalides(
                f"Fichier de sites {chemin.name} illisible ({exc}) : un CSV séparé par des "
                "virgules ou des points-virgules est attendu."
            ) from exc
        table.index = pd.RangeIndex(2, len(table) + 2)  # line numbers in the file
        vides = table.apply(lambda r: all(_texte(v) == "" for v in r), axis=1)
        return table[~vides.to_numpy(dtype=bool)], None, "ligne"
    if suffixe in (".gpkg", ".geojson", ".json", ".shp"):
        try:
            couche = gpd.read_file(chemin)
        except Exception as exc:  # pyogrio raises its own errors, and OSError
            raise DonneesInvalides(
                f"Fichier de sites {chemin.name} illisible ({exc}) : un GeoPackage, un "
                "GeoJSON ou un CSV est attendu."
            ) from exc
        couche.index = pd.RangeIndex(1, len(couche) + 1)
        geometries = couche.geometry if "geometry" in couche.columns else None
        if geometries is not None and geometries.notna().any() and couche.crs is None:
            raise SansCRS(
                f"La couche de sites {chemin.name} n'a pas de système de coordonnées : "
                "définissez-le (par exemple dans QGIS, ou gdf.set_crs('EPSG:4326'))."
            )
        table = pd.DataFrame(couche.drop(columns="geometry", errors="ignore"))
        return table, geometries, "entité"
    raise DonneesInvalides(
        f"Format de fichier de sites non reconnu ({chemin.name}) : CSV, GeoPackage (.gpkg) ou "
        "GeoJSON (.geojson)."
    )


def _depuis_table(
    donnees: pd.DataFrame,
) -> tuple[pd.DataFrame, gpd.GeoSeries | None, str]:
    if isinstance(donnees, gpd.GeoDataFrame):
        geometries = donnees.geometry
        if geometries.notna().any() and donnees.crs is None:
            raise SansCRS("La table de sites n'a pas de système de coordonnées (CRS).")
        table = pd.DataFrame(donnees.drop(columns=donnees.geometry.name))
    else:
        geometries, table = None, pd.DataFrame(donnees)
    rangs = pd.RangeIndex(1, len(table) + 1)
    table = table.set_axis(rangs)
    if geometries is not None:
        geometries = geometries.set_axis(rangs)
    return table, geometries, "ligne"


def _normaliser_code(texte: str) -> str:
    code = texte.strip().upper()
    if re.fullmatch(r"\d+(\.0+)?", code):
        code = code.split(".")[0].zfill(5)  # 1001 read as a number by a spreadsheet: 01001
    return code


def lire_sites(
    source: str | Path | pd.DataFrame,
    *,
    communes: gpd.GeoDataFrame | None = None,
    crs: str | None = None,
    score_min: float = SCORE_MIN_DEFAUT,
    url_geocodage: str | None = None,
    quoi: str = "sites",
) -> gpd.GeoDataFrame:
    """Read a list of sites and place each one (point, address or commune centre).

    Parameters
    ----------
    source
        A CSV, GeoPackage or GeoJSON file, or a (Geo)DataFrame with the same columns.
    communes
        Communes with their ``centre`` (e.g. :func:`poles.communes.charger_communes`): a
        site given by a commune code in it is placed at that centre, and a site given by a
        point gets the commune it lies in. Other codes are looked up in the whole of France.
    crs
        Metric CRS of the result (default: that of ``communes``, else Lambert-93).
    score_min
        Geocoding matches under this score (0–1) are refused.
    url_geocodage
        The BAN ``/search/csv/`` endpoint (default: :func:`socle.geocodage.url_geocodage`).
    quoi
        What the rows are (``"sites"``, ``"candidats"``), for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        One point per site, in file order, columns :data:`COLONNES_SITES` then the file's
        other columns: ``id`` (str, unique), ``nom``, ``localisation`` (``point``,
        ``adresse`` or ``commune``), ``code_insee`` and ``commune_nom`` (the site's commune,
        empty when unknown), ``type``, ``horaires``, ``adresse``, ``adresse_trouvee`` and
        ``score_geocodage`` (geocoded rows), ``lon``, ``lat`` (WGS 84), ``ligne`` (line of
        the file). ``attrs["sites"]`` describes the file and the geocoding.

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    DonneesInvalides
        Empty file, no name column, a duplicated ``id``, a row with neither a valid point,
        nor an address, nor a known commune code (the message names the line), a point
        outside France, or addresses refused by the geocoding (all listed).
    ErreurTelechargement
        The geocoding service cannot be reached.
    """
    from socle.territoire import dans_france

    if isinstance(source, pd.DataFrame):
        table, geometries, unite = _depuis_table(source)
        nom_fichier = "table de sites"
        chemin: Path | None = None
    else:
        chemin = Path(source)
        table, geometries, unite = _lire_fichier(chemin)
        nom_fichier = chemin.name
    quoi_maj = quoi[:1].upper() + quoi[1:]
    if table.empty:
        raise DonneesInvalides(
            f"Fichier de {quoi} {nom_fichier} vide : aucune ligne après l'en-tête."
        )
    colonnes: dict[str, str] = {}
    for c in table.columns:
        colonnes.setdefault(_cle(str(c)), str(c))
    c_nom = _colonne(colonnes, _NOMS)
    if c_nom is None:
        raise DonneesInvalides(
            f"Fichier de {quoi} {nom_fichier} : colonne « nom » absente (colonnes : "
            f"{', '.join(map(str, table.columns))}). Chaque site a un nom, et un code_insee, "
            "ou lon et lat, ou une adresse."
        )
    c_code = _colonne(colonnes, _CODES)
    c_lon, c_lat = _colonne(colonnes, _LON), _colonne(colonnes, _LAT)
    if (c_lon is None) != (c_lat is None):
        raise DonneesInvalides(
            f"Fichier de {quoi} {nom_fichier} : une colonne lon sans lat (ou l'inverse) ; "
            "donnez les deux, en degrés WGS 84."
        )
    c_adresse = _colonne(colonnes, _ADRESSES)
    c_id = _colonne(colonnes, _IDS)
    c_type, c_horaires = _colonne(colonnes, _TYPES), _colonne(colonnes, _HORAIRES)
    if c_code is None and c_lon is None and c_adresse is None and geometries is None:
        raise DonneesInvalides(
            f"Fichier de {quoi} {nom_fichier} : ni colonne code_insee, ni colonnes lon et lat, "
            "ni colonne adresse : impossible de placer les sites."
        )
    crs_sortie = crs or (str(communes.crs) if communes is not None else CRS_LAMBERT93)

    n = len(table)
    lignes = table.index.to_numpy()
    noms = [_texte(v) for v in table[c_nom]]
    sans_nom = [int(lignes[i]) for i in range(n) if not noms[i]]
    if sans_nom:
        autres = f" ; aussi {unite}s {', '.join(map(str, sans_nom[1:6]))}" if sans_nom[1:] else ""
        raise DonneesInvalides(
            f"Fichier de {quoi} {nom_fichier}, {unite} {sans_nom[0]} : site sans nom (colonne "
            f"« {c_nom} » vide{autres})."
        )
    ids = [_texte(v) for v in table[c_id]] if c_id else [str(k + 1) for k in range(n)]
    if c_id:
        manque = [int(lignes[i]) for i in range(n) if not ids[i]]
        if manque:
            raise DonneesInvalides(
                f"Fichier de {quoi} {nom_fichier}, {unite} {manque[0]} : identifiant "
                f"(colonne « {c_id} ») vide."
            )
    vus: dict[str, int] = {}
    for i, ident in enumerate(ids):
        if ident in vus:
            raise DonneesInvalides(
                f"Fichier de {quoi} {nom_fichier}, {unite} {lignes[i]} : identifiant « {ident} » "
                f"déjà donné {unite} {vus[ident]} ; les identifiants (colonne « {c_id} ») "
                "doivent être uniques."
            )
        vus[ident] = int(lignes[i])

    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    localisation = np.full(n, "", dtype=object)
    # 1. points: lon/lat columns, or the geometry of a vector file
    if c_lon is not None and c_lat is not None:
        for i in range(n):
            texte_lon, texte_lat = _texte(table[c_lon].iloc[i]), _texte(table[c_lat].iloc[i])
            if not texte_lon and not texte_lat:
                continue
            x, y = _nombre(texte_lon), _nombre(texte_lat)
            if not (np.isfinite(x) and np.isfinite(y)) or abs(x) > 180 or abs(y) > 90:
                raise DonneesInvalides(
                    f"Fichier de {quoi} {nom_fichier}, {unite} {lignes[i]} ({noms[i]}) : point "
                    f"invalide (lon « {texte_lon} », lat « {texte_lat} ») : des degrés WGS 84 "
                    "sont attendus, par exemple lon 2.2583, lat 50.7494."
                )
            lon[i], lat[i], localisation[i] = x, y, "point"
    if geometries is not None:
        presentes = geometries.notna().to_numpy() & ~geometries.is_empty.to_numpy()
        if presentes.any():
            wgs = geometries[presentes].to_crs("EPSG:4326")
            pas_point = ~wgs.geom_type.isin(["Point"]).to_numpy()
            if pas_point.any():
                wgs = wgs.representative_point()
            for k, j in enumerate(np.flatnonzero(presentes)):
                if localisation[j] == "":
                    lon[j], lat[j], localisation[j] = wgs.iloc[k].x, wgs.iloc[k].y, "point"
    points = localisation == "point"
    if points.any():
        hors = points.copy()
        hors[points] = ~dans_france(lon[points], lat[points])
        if hors.any():
            i = int(np.flatnonzero(hors)[0])
            raise DonneesInvalides(
                f"Fichier de {quoi} {nom_fichier}, {unite} {lignes[i]} ({noms[i]}) : point hors "
                f"de France (lon {lon[i]:.5f}, lat {lat[i]:.5f}) : longitude et latitude "
                "inversées, ou coordonnées dans un autre système que le WGS 84 ?"
                + (f" ({int(hors.sum())} points dans ce cas)" if hors.sum() > 1 else "")
            )

    codes_donnes = [_normaliser_code(_texte(v)) for v in table[c_code]] if c_code else [""] * n
    adresses = [_texte(v) for v in table[c_adresse]] if c_adresse else [""] * n
    # 2. addresses
    adresse_trouvee = np.full(n, "", dtype=object)
    score = np.full(n, np.nan)
    code_geocode = np.full(n, "", dtype=object)
    a_geocoder = [i for i in range(n) if localisation[i] == "" and adresses[i]]
    meta_geocodage: dict[str, Any] | None = None
    if a_geocoder:
        meta_geocodage = _geocoder(
            a_geocoder,
            adresses,
            codes_donnes,
            lignes,
            noms,
            score_min=score_min,
            url=url_geocodage,
            nom_fichier=nom_fichier,
            unite=unite,
            quoi=quoi,
            sorties=(lon, lat, adresse_trouvee, score, code_geocode),
        )
        for i in a_geocoder:
            localisation[i] = "adresse"
    # 3. commune codes
    reste = [i for i in range(n) if localisation[i] == ""]
    code_site = np.array(codes_donnes, dtype=object)
    for i in range(n):
        if code_geocode[i] and not code_site[i]:
            code_site[i] = code_geocode[i]
    centres: dict[str, tuple[str, tuple[float, float, str, Any]]] = {}
    if reste:
        sans_rien = [i for i in reste if not codes_donnes[i]]
        if sans_rien:
            i = sans_rien[0]
            raise DonneesInvalides(
                f"Fichier de {quoi} {nom_fichier}, {unite} {lignes[i]} ({noms[i]}) : ni "
                "code_insee, ni point (lon et lat), ni adresse : impossible de placer ce site."
            )
        centres = _centres_par_code(
            [codes_donnes[i] for i in reste],
            communes,
            crs_sortie,
            quoi,
            nom_fichier,
            unite,
            {codes_donnes[i]: (int(lignes[i]), noms[i]) for i in reversed(reste)},
        )
        for i in reste:
            actuel, (x, y, _, _) = centres[codes_donnes[i]]
            code_site[i] = actuel
            lon[i], lat[i], localisation[i] = x, y, "commune"

    geometrie = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(crs_sortie)
    resultat = gpd.GeoDataFrame(
        {
            "id": ids,
            "nom": noms,
            "localisation": localisation.astype(str),
            "code_insee": code_site.astype(str),
            "commune_nom": "",
            "type": [_texte(v) for v in table[c_type]] if c_type else "",
            "horaires": [_texte(v) for v in table[c_horaires]] if c_horaires else "",
            "adresse": adresses,
            "adresse_trouvee": adresse_trouvee.astype(str),
            "score_geocodage": score,
            "lon": np.round(lon, 6),
            "lat": np.round(lat, 6),
            "ligne": lignes.astype(np.int64),
        },
        geometry=geometrie.values,
        crs=crs_sortie,
    )
    # the commune-given sites sit exactly at the commune's centre (no round trip by degrees)
    for i in reste:
        _, (_, _, nom_commune, point) = centres[codes_donnes[i]]
        resultat.iloc[i, resultat.columns.get_loc("commune_nom")] = nom_commune
        resultat.iloc[i, resultat.columns.get_loc("geometry")] = point
    _communes_des_points(resultat, communes)
    connues = {
        _cle(c) for c in (c_nom, c_code, c_lon, c_lat, c_adresse, c_id, c_type, c_horaires) if c
    }
    for cle, colonne in colonnes.items():
        if cle not in connues and cle not in resultat.columns and cle != "geometry":
            resultat[cle] = [_texte(v) for v in table[colonne]]
    comptes = pd.Series(resultat["localisation"]).value_counts().to_dict()
    resultat.attrs["sites"] = {
        "fichier": str(chemin.resolve()) if chemin is not None else None,
        "nombre": n,
        "localisation": {str(k): int(v) for k, v in comptes.items()},
        "geocodage": meta_geocodage,
    }
    if chemin is not None:
        from socle.fichiers import empreinte_fichier

        resultat.attrs["sites"]["sha256"] = empreinte_fichier(chemin)
    logger.info(
        "%s : %d (%s)",
        quoi_maj,
        n,
        ", ".join(f"{v} par {k}" for k, v in comptes.items()),
    )
    return resultat


def _geocoder(
    indices: list[int],
    adresses: list[str],
    codes: list[str],
    lignes: Any,
    noms: list[str],
    *,
    score_min: float,
    url: str | None,
    nom_fichier: str,
    unite: str,
    quoi: str,
    sorties: tuple[Any, Any, Any, Any, Any],
) -> dict[str, Any]:
    """Geocode the rows ``indices``; refuse (all listed) the matches under ``score_min``."""
    from socle.geocodage import AdresseAGeocoder, geocoder
    from socle.territoire import dans_france

    if not 0 <= score_min <= 1:
        raise DonneesInvalides(f"Score minimal du géocodage entre 0 et 1 (reçu {score_min}).")
    lon, lat, trouvee, score, code_geocode = sorties
    demandes = [AdresseAGeocoder(str(lignes[i]), adresses[i], codes[i] or None) for i in indices]
    reponse = geocoder(demandes, url=url)
    refus = []
    scores = reponse["score"].to_numpy(dtype=np.float64)
    longitudes = reponse["longitude"].to_numpy(dtype=np.float64)
    latitudes = reponse["latitude"].to_numpy(dtype=np.float64)
    libelles = [_texte(v) for v in reponse["label"]]
    communes = [_texte(v) for v in reponse["code_insee"]]
    for k, i in enumerate(indices):  # the answer comes in the order asked
        s, x, y = float(scores[k]), float(longitudes[k]), float(latitudes[k])
        ok = np.isfinite(s) and s >= score_min and np.isfinite(x) and np.isfinite(y)
        if ok and not dans_france([x], [y])[0]:
            ok = False
        if not ok:
            trouve = libelles[k]
            detail = (
                f"trouvé « {trouve} », score {s:.2f}".replace(".", ",")
                if np.isfinite(s) and trouve
                else "introuvable"
            )
            refus.append(f"{unite} {lignes[i]} ({noms[i]}) « {adresses[i]} » : {detail}")
            continue
        lon[i], lat[i] = x, y
        trouvee[i] = libelles[k]
        score[i] = round(s, 4)
        code_geocode[i] = communes[k]
    if refus:
        raise DonneesInvalides(
            f"Fichier de {quoi} {nom_fichier} : {len(refus)} adresse(s) refusée(s) par le "
            f"géocodage (score inférieur à {score_min:g}".replace(".", ",")
            + ") : "
            + " ; ".join(refus)
            + ". Corrigez ces adresses, ou donnez lon et lat ou le code_insee de ces sites "
            "(--score-min abaisse le seuil, à vos risques)."
        )
    meta = dict(reponse.attrs.get("geocodage", {}))
    meta.update(adresses=len(indices), score_min=score_min)
    return meta


def _centres_par_code(
    codes: list[str],
    communes: gpd.GeoDataFrame | None,
    crs: str,
    quoi: str,
    nom_fichier: str,
    unite: str,
    ou: dict[str, tuple[int, str]],
) -> dict[str, tuple[str, tuple[float, float, str, Any]]]:
    """Commune code → (current code, (lon, lat, name, metric point) of its centre), or an
    error naming the line of an unknown code."""
    from poles.communes import communes_par_codes
    from socle.territoire import codes_actuels, correspondance_codes

    donnes = set(communes["code"].astype(str)) if communes is not None else set()
    actuels = codes_actuels()
    anciens = correspondance_codes()
    cible: dict[str, str] = {}
    for code in dict.fromkeys(codes):
        if code in donnes or code in actuels:
            cible[code] = code
        elif code in anciens:
            cible[code] = anciens[code]
            logger.info("Site en %s : ancienne commune rattachée à %s", code, anciens[code])
        else:
            ligne, nom = ou[code]
            raise DonneesInvalides(
                f"Fichier de {quoi} {nom_fichier}, {unite} {ligne} ({nom}) : code commune "
                f"« {code} » inconnu : donnez un code INSEE de commune (5 caractères, par "
                "exemple 62765), ou les coordonnées du site (lon, lat)."
            )
    voulus = set(cible.values())
    morceaux = []
    if communes is not None:
        morceaux.append(communes[communes["code"].isin(list(voulus))])
    trouves = set(morceaux[0]["code"]) if morceaux else set()
    if voulus - trouves:
        morceaux.append(communes_par_codes(sorted(voulus - trouves), crs=crs))
    position: dict[str, tuple[float, float, str, Any]] = {}
    for morceau in morceaux:
        metriques = gpd.GeoSeries(morceau["centre"].values, crs=morceau.crs).to_crs(crs)
        degres = metriques.to_crs("EPSG:4326")
        for c, p, n, m in zip(morceau["code"], degres, morceau["nom"], metriques, strict=True):
            position[str(c)] = (float(p.x), float(p.y), str(n), m)
    return {code: (actuel, position[actuel]) for code, actuel in cible.items()}


def _communes_des_points(sites: gpd.GeoDataFrame, communes: gpd.GeoDataFrame | None) -> None:
    """Fill ``code_insee`` and ``commune_nom`` of the point sites from the communes."""
    if communes is None or communes.empty:
        return
    a_trouver = (sites["localisation"] != "commune").to_numpy()
    if not a_trouver.any():
        return
    polygones = gpd.GeoDataFrame(
        communes[["code", "nom"]], geometry=communes.geometry.values, crs=communes.crs
    ).to_crs(sites.crs)
    jointure = gpd.sjoin(
        sites.loc[a_trouver, ["geometry"]], polygones, how="left", predicate="within"
    )
    jointure = jointure[~jointure.index.duplicated()]
    for i, (code, nom) in zip(
        np.flatnonzero(a_trouver), zip(jointure["code"], jointure["nom"], strict=True), strict=True
    ):
        if isinstance(code, str):
            if not sites["code_insee"].iloc[i]:
                sites.iloc[i, sites.columns.get_loc("code_insee")] = code
            if sites["code_insee"].iloc[i] == code:
                sites.iloc[i, sites.columns.get_loc("commune_nom")] = nom


def lieux_sites(sites: gpd.GeoDataFrame) -> Lieux:
    """The sites as places: a commune-given site carries the commune's code (the commune is
    then at 0 min of it, and a commune × commune matrix knows it), a point ``site:<id>``."""
    codes = np.where(
        sites["localisation"].to_numpy() == "commune",
        sites["code_insee"].astype(str).to_numpy(),
        np.array([PREFIXE_POINT + str(i) for i in sites["id"]], dtype=object),
    ).astype(object)
    return Lieux(
        codes=codes,
        x=sites.geometry.x.to_numpy(dtype=np.float64),
        y=sites.geometry.y.to_numpy(dtype=np.float64),
        crs=str(sites.crs),
    )


def noms_sites_points(sites: gpd.GeoDataFrame) -> list[str]:
    """Names of the sites given by a point or an address (not by a commune code)."""
    return [str(n) for n in sites.loc[sites["localisation"] != "commune", "nom"]]


def retirer_sites(sites: gpd.GeoDataFrame, demandes: Sequence[str]) -> gpd.GeoDataFrame:
    """The sites without those named in ``demandes`` (by id, name, commune code or name).

    Raises
    ------
    DonneesInvalides
        A request matches no site, or several (then give the id).
    """
    garder = np.ones(len(sites), dtype=bool)
    for demande in demandes:
        cle = _cle(demande)
        touches = (
            (sites["id"].map(_cle) == cle)
            | (sites["nom"].map(_cle) == cle)
            | (sites["commune_nom"].map(_cle) == cle)
            | ((sites["code_insee"] == demande.strip()) & (sites["localisation"] == "commune"))
        ).to_numpy()
        if not touches.any():
            raise DonneesInvalides(
                f"Site « {demande} » inconnu : donnez l'id, le nom, la commune ou le code_insee "
                f"d'un site du fichier ({', '.join(sites['nom'].astype(str).head(10))}"
                f"{' …' if len(sites) > 10 else ''})."
            )
        if touches.sum() > 1:
            raise DonneesInvalides(
                f"« {demande} » désigne {int(touches.sum())} sites : donnez leur id "
                f"({', '.join(sites.loc[touches, 'id'].astype(str))})."
            )
        garder &= ~touches
    return sites[garder].reset_index(drop=True)
