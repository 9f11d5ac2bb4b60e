"""Commune × commune matrices read as they come: Metric-OSRM tables, Odomatrix exports, any
long or wide CSV, with their units checked.

Layouts recognised by :func:`lire_matrice`, in this order:

* ``--colonnes``: the user names the origin, destination and time columns (and the unit:
  ``minutes=``, ``secondes=`` or ``heures=``; optionally ``km=`` for a road distance);
* the table of INSEE's Metric-OSRM (``metricOsrmTable``): ``ID idSrc lonSrc latSrc idDst
  lonDst latDst duree distance``, ``duree`` in minutes, ``distance`` in km; the coordinates
  are kept to check the ids against the commune centres (:func:`verifier_coordonnees`);
* a long table ``origine, destination, minutes``;
* an Odomatrix export (INRAE): one row per pair of communes with a road distance and two
  times, off-peak (« heures creuses ») and peak (« heures de pointe » or « heures
  pleines »). The exact column names of Odomatrix files could not be checked offline; they
  are recognised by pattern (a time column marked ``HC``/``creuse`` and one marked
  ``HP``/``pointe``/``pleine``, two columns of commune codes). The peak time is used by
  default (the SDAASP method reasons at peak hour), ``periode="creuses"`` takes the other;
* another long table whose two code columns and one time column can be told apart;
* a wide matrix: first column the origin codes, one column per destination code.

Text: UTF-8 with or without BOM, UTF-16 with BOM, or Latin-1 (Windows-1252); separator
``;``, ``,``, tab or ``|``; quoted fields; ``.`` or ``,`` decimals.

Units are checked, not assumed (:func:`verifier_vitesses`): when most pairs imply a speed
outside 5–150 km/h (on the road distance of the file, or centre to centre once the commune
centres are known), the matrix is refused with a line saying which unit it looks like.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from socle.erreurs import DonneesInvalides, DonneesManquantes

__all__ = [
    "PERIODES",
    "VITESSE_MAX_KMH",
    "VITESSE_MIN_KMH",
    "Colonnes",
    "codes_communes",
    "lire_colonnes",
    "lire_csv",
    "lire_matrice",
    "nombres",
    "verifier_coordonnees",
    "verifier_vitesses",
]

logger = logging.getLogger(__name__)

#: Plausible centre-to-centre (or road) car speeds; outside for most pairs = wrong unit.
VITESSE_MIN_KMH = 5.0
VITESSE_MAX_KMH = 150.0
#: Share of the checked pairs that may fall outside the plausible speeds.
PART_IMPLAUSIBLE_MAX = 0.5
#: Pairs closer than this are not used to check units (a few hundred metres say nothing).
KM_MIN_CONTROLE = 2.0
#: A Metric point farther than this from its commune centre makes its id suspect.
KM_MAX_COORDONNEES = 10.0

#: Odomatrix periods: ``pointe`` (peak, « heures pleines », default) and ``creuses``.
PERIODES = ("pointe", "creuses")

_UNITES_TEMPS = {"minutes": 1.0, "secondes": 1.0 / 60.0, "heures": 60.0}
_CODE_COMMUNE = re.compile(r"^(\d{5}|2[AB]\d{3}|\d{4})$", flags=re.IGNORECASE)


@dataclass(frozen=True)
class Colonnes:
    """Which columns of a long table hold what (``--colonnes``).

    Attributes
    ----------
    origine, destination
        Columns of the origin and destination commune codes.
    temps
        Column of the travel time.
    unite
        Unit of ``temps``: ``minutes``, ``secondes`` or ``heures``.
    km
        Optional column of the road distance in km (used to check the time unit).
    """

    origine: str
    destination: str
    temps: str
    unite: str = "minutes"
    km: str | None = None

    def texte(self) -> str:
        """The ``--colonnes`` text that gives these columns back."""
        morceaux = [
            f"origine={self.origine}",
            f"destination={self.destination}",
            f"{self.unite}={self.temps}",
        ]
        if self.km:
            morceaux.append(f"km={self.km}")
        return ",".join(morceaux)


def lire_colonnes(texte: str) -> Colonnes:
    """Parse ``origine=A,destination=B,minutes=C[,km=D]`` (or ``secondes=``, ``heures=``).

    Raises
    ------
    DonneesInvalides
        A missing key, an unknown key, or no time column.
    """
    valeurs: dict[str, str] = {}
    for morceau in texte.split(","):
        if not morceau.strip():
            continue
        cle, egal, valeur = morceau.partition("=")
        cle = cle.strip().lower()
        if not egal or not valeur.strip():
            raise DonneesInvalides(
                f"--colonnes : « {morceau.strip()} » n'est pas de la forme cle=colonne "
                "(par exemple origine=idSrc,destination=idDst,minutes=duree)."
            )
        if cle not in {"origine", "destination", "km", *_UNITES_TEMPS}:
            raise DonneesInvalides(
                f"--colonnes : clé « {cle} » inconnue (origine, destination, minutes, "
                "secondes, heures, km)."
            )
        valeurs[cle] = valeur.strip()
    unites = [u for u in _UNITES_TEMPS if u in valeurs]
    manquantes = [c for c in ("origine", "destination") if c not in valeurs]
    if manquantes or len(unites) != 1:
        raise DonneesInvalides(
            "--colonnes doit nommer origine, destination et une colonne de temps (minutes=, "
            "secondes= ou heures=), par exemple origine=idSrc,destination=idDst,minutes=duree."
        )
    return Colonnes(
        origine=valeurs["origine"],
        destination=valeurs["destination"],
        temps=valeurs[unites[0]],
        unite=unites[0],
        km=valeurs.get("km"),
    )


def _cle(nom: object) -> str:
    """Column name in lowercase ASCII letters and digits (``Durée (min)`` → ``dureemin``)."""
    texte = unicodedata.normalize("NFKD", str(nom))
    texte = "".join(c for c in texte if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", texte.lower())


def _decoder(contenu: bytes, nom: str) -> tuple[str, str]:
    """Text of a file and the encoding used: BOM first, then UTF-8, then Windows-1252."""
    if contenu.startswith(b"\xef\xbb\xbf"):
        return contenu[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if contenu.startswith((b"\xff\xfe", b"\xfe\xff")):
        return contenu.decode("utf-16"), "utf-16"
    try:
        return contenu.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return contenu.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        logger.info("%s : ni UTF-8 ni Windows-1252, lu en Latin-1.", nom)
        return contenu.decode("latin-1"), "latin-1"


def _separateur(texte: str) -> str:
    """The field separator: the candidate that splits the first lines most consistently."""
    lignes = [ligne for ligne in texte.splitlines() if ligne.strip()][:20]
    if not lignes:
        return ","
    meilleur, score = ",", (-1, -1)
    for sep in (";", "\t", "|", ","):
        comptes = [len(r) for r in csv.reader(lignes, delimiter=sep, quotechar='"')]
        entete = comptes[0]
        if entete < 2:
            continue
        reguliers = sum(1 for c in comptes if c == entete)
        candidat = (reguliers, entete)
        if candidat > score:
            meilleur, score = sep, candidat
    return meilleur


def lire_csv(chemin: str | Path, *, quoi: str = "Matrice") -> tuple[pd.DataFrame, str, str]:
    """Read a CSV as text cells, whatever its encoding and separator.

    Returns the table (every cell a str, column names stripped), the encoding and the
    separator found. ``quoi`` names the file in messages (``Matrice``, ``Référence``).

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    DonneesInvalides
        Unreadable, fewer than two columns, or no row.
    """
    chemin = Path(chemin)
    if not chemin.is_file():
        raise DonneesManquantes(f"{quoi} introuvable : {chemin}. Vérifiez le chemin donné.")
    contenu = chemin.read_bytes()
    texte, encodage = _decoder(contenu, chemin.name)
    sep = _separateur(texte)
    try:
        brut = pd.read_csv(
            io.StringIO(texte),
            sep=sep,
            dtype=str,
            quotechar='"',
            skipinitialspace=True,
            keep_default_na=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DonneesInvalides(f"{quoi} illisible ({chemin.name}) : {exc}") from exc
    brut.columns = pd.Index([str(c).strip() for c in brut.columns])
    brut = _sans_cases_vides_d_excel(brut, chemin.name)
    if brut.shape[1] < 2 or brut.empty:
        raise DonneesInvalides(
            f"{quoi} {chemin.name} : moins de deux colonnes ou aucune ligne (séparateur "
            f"détecté « {sep} »)."
        )
    return brut, encodage, sep


def _sans_cases_vides_d_excel(brut: pd.DataFrame, nom: str) -> pd.DataFrame:
    """Without the empty rows and the unnamed empty columns a spreadsheet leaves at the
    end of a table saved as CSV (``62001;0;7,5;;``, ``;;;;``)."""
    vide = brut.apply(lambda s: s.astype(str).str.strip().eq("")).to_numpy(dtype=bool)
    sans_nom = np.array([c == "" or c.startswith("Unnamed:") for c in brut.columns])
    colonnes = sans_nom & vide.all(axis=0)
    lignes = vide[:, ~colonnes].all(axis=1)
    if colonnes.any() or lignes.any():
        logger.info(
            "%s : %d colonnes sans nom et %d lignes vides ignorées (cases vides d'un tableur).",
            nom,
            int(colonnes.sum()),
            int(lignes.sum()),
        )
    return brut.loc[~lignes, ~colonnes].reset_index(drop=True)


def nombres(serie: pd.Series, nom: str, colonne: str, *, quoi: str = "Matrice") -> pd.Series:
    """Numbers of a text column (``,`` or ``.`` decimals); text or infinite values raise."""
    texte = serie.astype(str).str.strip().str.replace("\u00a0", "", regex=False)
    texte = texte.str.replace(" ", "", regex=False).str.replace(",", ".", regex=False)
    texte = texte.where(~texte.str.lower().isin(["", "nan", "na", "none", "null", "-"]))
    valeurs = pd.to_numeric(texte, errors="coerce")
    mauvais = valeurs.isna() & texte.notna()
    if mauvais.any():
        exemple = serie[mauvais].iloc[0]
        raise DonneesInvalides(
            f"{quoi} {nom} : {int(mauvais.sum())} valeurs non numériques dans « {colonne} » "
            f"(par exemple « {exemple} »)."
        )
    infinies = ~np.isfinite(valeurs.fillna(0.0).to_numpy(dtype=np.float64))
    if infinies.any():
        raise DonneesInvalides(
            f"{quoi} {nom} : {int(infinies.sum())} valeurs infinies dans « {colonne} »."
        )
    return valeurs


def codes_communes(serie: pd.Series) -> pd.Series:
    """Commune codes as text; a 4-digit code lost its leading zero in a spreadsheet."""
    codes = serie.astype(str).str.strip().str.upper()
    return codes.where(~codes.str.fullmatch(r"\d{4}"), "0" + codes)


def _part_codes(serie: pd.Series) -> float:
    valeurs = serie.astype(str).str.strip()
    valeurs = valeurs[valeurs != ""]
    if valeurs.empty:
        return 0.0
    return float(valeurs.str.match(_CODE_COMMUNE).mean())


# name patterns of the heuristic long layout (on :func:`_cle` names)
_MOTIFS_ORIGINE = re.compile(r"^(orig|depart|source|src|from|idsrc|codeo|coma$)|(a|1|ori|orig)$")
_MOTIFS_DESTINATION = re.compile(r"^(dest|arrivee|cible|dst|to|iddst|coded|comb$)|(b|2|des|dest)$")
_MOTIFS_TEMPS = re.compile(r"(temps|tps|duree|time|minute|min$|^min|trajet|hc$|hp$)")
_MOTIFS_CREUSES = re.compile(r"(hc$|hc[^a-z]|creuse|horspointe|offpeak|fluide)")
_MOTIFS_POINTE = re.compile(r"(hp$|hp[^a-z]|pointe|pleine|peak|charge)")
_MOTIFS_KM = re.compile(r"(distance|dist|km|kilometre|longueur)")


@dataclass(frozen=True)
class _Choix:
    """What :func:`_reconnaitre` decided."""

    format: str
    colonnes: Colonnes
    periode: str | None = None
    coordonnees: tuple[str, str, str, str] | None = None  # lonSrc, latSrc, lonDst, latDst


def _reconnaitre(brut: pd.DataFrame, nom: str, periode: str) -> _Choix | None:
    """Recognise a long layout; ``None`` means: try the wide one."""
    cles = {_cle(c): c for c in brut.columns}
    # Metric-OSRM
    if {"idsrc", "iddst", "duree"} <= cles.keys():
        coords = ("lonsrc", "latsrc", "londst", "latdst")
        return _Choix(
            format="metric",
            colonnes=Colonnes(
                origine=cles["idsrc"],
                destination=cles["iddst"],
                temps=cles["duree"],
                km=cles.get("distance"),
            ),
            coordonnees=(
                tuple(cles[c] for c in coords)  # type: ignore[arg-type]
                if set(coords) <= cles.keys()
                else None
            ),
        )
    # the project's own long layout
    if {"origine", "destination", "minutes"} <= cles.keys():
        return _Choix(
            format="long",
            colonnes=Colonnes(
                origine=cles["origine"],
                destination=cles["destination"],
                temps=cles["minutes"],
                km=cles.get("km") or cles.get("distance"),
            ),
        )
    # a long table told apart by its column names and contents
    codes = [c for c in brut.columns if _part_codes(brut[c]) >= 0.9]
    if len(codes) < 2:
        return None
    origine = next((c for c in codes if _MOTIFS_ORIGINE.search(_cle(c))), None)
    destination = next(
        (c for c in codes if c != origine and _MOTIFS_DESTINATION.search(_cle(c))), None
    )
    if origine is None or destination is None:
        origine, destination = codes[0], codes[1]
    autres = [c for c in brut.columns if c not in codes]
    temps = [c for c in autres if _MOTIFS_TEMPS.search(_cle(c)) and not _MOTIFS_KM.search(_cle(c))]
    km = next((c for c in autres if _MOTIFS_KM.search(_cle(c)) and c not in temps), None)
    if not temps:
        if len(codes) == brut.shape[1] - 1 or _part_codes(pd.Series(brut.columns[1:])) >= 0.5:
            return None  # looks like a wide matrix
        raise DonneesInvalides(
            f"Matrice {nom} : aucune colonne de temps reconnue parmi {', '.join(autres)} : "
            f"nommez-la avec --colonnes (par exemple --colonnes origine={origine},"
            f"destination={destination},minutes=NOM)."
        )
    creuses = [c for c in temps if _MOTIFS_CREUSES.search(_cle(c))]
    pointe = [c for c in temps if _MOTIFS_POINTE.search(_cle(c))]
    if len(creuses) == 1 and len(pointe) == 1:
        choisie = pointe[0] if periode == "pointe" else creuses[0]
        return _Choix(
            format="odomatrix",
            colonnes=Colonnes(origine=origine, destination=destination, temps=choisie, km=km),
            periode=periode,
        )
    if len(temps) == 1:
        return _Choix(
            format="long",
            colonnes=Colonnes(origine=origine, destination=destination, temps=temps[0], km=km),
        )
    raise DonneesInvalides(
        f"Matrice {nom} : plusieurs colonnes de temps possibles ({', '.join(temps)}) : "
        f"choisissez avec --colonnes origine={origine},destination={destination},minutes=NOM."
    )


def _depuis_colonnes(brut: pd.DataFrame, colonnes: Colonnes, nom: str) -> Colonnes:
    """Check that the named columns exist (names compared without case nor accents)."""
    cles = {_cle(c): c for c in brut.columns}
    trouvees: dict[str, str | None] = {}
    for role in ("origine", "destination", "temps", "km"):
        voulue = getattr(colonnes, role)
        if voulue is None:
            trouvees[role] = None
            continue
        reelle = voulue if voulue in brut.columns else cles.get(_cle(voulue))
        if reelle is None:
            raise DonneesInvalides(
                f"Matrice {nom} : colonne « {voulue} » absente (colonnes du fichier : "
                f"{', '.join(map(str, brut.columns))})."
            )
        trouvees[role] = reelle
    return Colonnes(
        origine=str(trouvees["origine"]),
        destination=str(trouvees["destination"]),
        temps=str(trouvees["temps"]),
        unite=colonnes.unite,
        km=trouvees["km"],
    )


def lire_matrice(
    chemin: str | Path,
    *,
    colonnes: Colonnes | str | None = None,
    periode: str = "pointe",
) -> pd.DataFrame:
    """Read a commune × commune matrix into a square table of minutes.

    Parameters
    ----------
    chemin
        A CSV file in any layout of the module docstring.
    colonnes
        The columns to use (a :class:`Colonnes` or the ``--colonnes`` text), for a layout
        that is not recognised.
    periode
        For an Odomatrix export with off-peak and peak times: ``"pointe"`` (peak, default)
        or ``"creuses"``.

    Returns
    -------
    pandas.DataFrame
        Index: origin codes (str), columns: destination codes (str), values in minutes
        (NaN where the file has no value). ``attrs``: ``format`` (``metric``,
        ``odomatrix``, ``long``, ``colonnes`` or ``large``), ``colonne_temps``,
        ``periode`` (Odomatrix), ``encodage``, ``separateur``, ``km_route`` (the road
        distances as a table of the same shape, when the file has them) and
        ``coordonnees`` (Metric: one row per id with ``lon``, ``lat``).

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    DonneesInvalides
        Unreadable file, unknown layout, non-numeric, negative or infinite times, duplicate
        pairs, or implausible speeds on the file's own road distances (wrong unit).
    """
    chemin = Path(chemin)
    if periode not in PERIODES:
        raise DonneesInvalides(f"Période « {periode} » inconnue : {' ou '.join(PERIODES)}.")
    brut, encodage, sep = lire_csv(chemin)
    nom = chemin.name
    if isinstance(colonnes, str):
        colonnes = lire_colonnes(colonnes)
    choix: _Choix | None
    if colonnes is not None:
        choix = _Choix(format="colonnes", colonnes=_depuis_colonnes(brut, colonnes, nom))
    else:
        choix = _reconnaitre(brut, nom, periode)
    if choix is None:
        large = _large(brut, nom)
        attrs: dict[str, object] = {"format": "large", "colonne_temps": None}
    else:
        large, attrs = _long(brut, choix, nom)
    large.index.name, large.columns.name = "origine", "destination"
    valeurs = large.to_numpy(dtype=np.float64)
    if (valeurs < 0).any():
        n = int((valeurs < 0).sum())
        raise DonneesInvalides(f"Matrice {nom} : {n} temps négatifs.")
    attrs.update(encodage=encodage, separateur=sep)
    large = large.astype(np.float64)
    large.attrs.update(attrs)
    km = attrs.get("km_route")
    if isinstance(km, pd.DataFrame):
        verifier_vitesses(
            large.to_numpy(dtype=np.float64),
            km.reindex(index=large.index, columns=large.columns).to_numpy(dtype=np.float64),
            quoi=f"Matrice {nom}",
            distance="route",
        )
    logger.info(
        "Matrice %s lue : format %s, %d origines × %d destinations, colonne de temps %s",
        nom,
        attrs["format"],
        large.shape[0],
        large.shape[1],
        attrs.get("colonne_temps"),
    )
    return large


def _long(brut: pd.DataFrame, choix: _Choix, nom: str) -> tuple[pd.DataFrame, dict[str, object]]:
    col = choix.colonnes
    long = pd.DataFrame(
        {
            "origine": codes_communes(brut[col.origine]),
            "destination": codes_communes(brut[col.destination]),
            "minutes": nombres(brut[col.temps], nom, col.temps) * _UNITES_TEMPS[col.unite],
        }
    )
    if col.km is not None:
        long["km"] = nombres(brut[col.km], nom, col.km)
    vides = (long["origine"] == "") | (long["destination"] == "")
    if vides.any():
        raise DonneesInvalides(f"Matrice {nom} : {int(vides.sum())} lignes sans code de commune.")
    doublons = long.duplicated(["origine", "destination"])
    if doublons.any():
        exemple = long.loc[doublons, ["origine", "destination"]].iloc[0]
        raise DonneesInvalides(
            f"Matrice {nom} : {int(doublons.sum())} paires en double (par exemple "
            f"{exemple['origine']} → {exemple['destination']})."
        )
    large = long.pivot(index="origine", columns="destination", values="minutes")
    attrs: dict[str, object] = {
        "format": choix.format,
        "colonne_temps": col.temps,
        "colonnes": col.texte(),
        "periode": choix.periode,
        "km_route": None,
        "coordonnees": None,
    }
    if "km" in long.columns:
        km = long.pivot(index="origine", columns="destination", values="km")
        attrs["km_route"] = km.reindex(index=large.index, columns=large.columns)
    if choix.coordonnees is not None:
        attrs["coordonnees"] = _coordonnees(brut, long, choix.coordonnees, nom)
    return large, attrs


def _coordonnees(
    brut: pd.DataFrame, long: pd.DataFrame, noms: tuple[str, str, str, str], nom: str
) -> pd.DataFrame:
    """One ``lon, lat`` per id of a Metric table; an id with two far-apart points is an error."""
    lon_s, lat_s, lon_d, lat_d = (nombres(brut[c], nom, c) for c in noms)
    points = pd.concat(
        [
            pd.DataFrame({"code": long["origine"], "lon": lon_s, "lat": lat_s}),
            pd.DataFrame({"code": long["destination"], "lon": lon_d, "lat": lat_d}),
        ],
        ignore_index=True,
    ).dropna()
    groupes = points.groupby("code")[["lon", "lat"]]
    etendue = groupes.max() - groupes.min()
    ecart_km = pd.Series(
        np.hypot(etendue["lon"].to_numpy() * 70.0, etendue["lat"].to_numpy() * 111.0),
        index=etendue.index,
    )
    incoherents = ecart_km[ecart_km > 1.0]
    if len(incoherents):
        raise DonneesInvalides(
            f"Matrice {nom} : {len(incoherents)} identifiants ont des coordonnées différentes "
            f"d'une ligne à l'autre (par exemple {incoherents.index[0]}, à "
            f"{incoherents.iloc[0]:.0f} km d'écart) : la colonne d'identifiants ne désigne pas "
            "un seul lieu."
        )
    return points.groupby("code")[["lon", "lat"]].first()


def _large(brut: pd.DataFrame, nom: str) -> pd.DataFrame:
    premiere = brut.columns[0]
    destinations = pd.Series(brut.columns[1:], dtype=str)
    if _part_codes(destinations) < 0.5 or _part_codes(brut[premiere]) < 0.5:
        colonnes = ", ".join(map(str, brut.columns[:8]))
        raise DonneesInvalides(
            f"Matrice {nom} : format non reconnu (colonnes {colonnes}"
            f"{'…' if brut.shape[1] > 8 else ''}). Formats lus : table Metric-OSRM (idSrc, "
            "idDst, duree, distance), export Odomatrix, table longue origine, destination, "
            "minutes, ou matrice large (codes en ligne et en colonne) ; sinon nommez les "
            "colonnes avec --colonnes origine=...,destination=...,minutes=..."
        )
    large = brut.set_index(premiere)
    large.index = codes_communes(pd.Series(large.index.astype(str))).to_numpy()
    large.columns = codes_communes(pd.Series([str(c) for c in large.columns])).to_numpy()
    if large.index.duplicated().any():
        raise DonneesInvalides(f"Matrice {nom} : codes d'origine en double.")
    return large.apply(lambda s: nombres(s, nom, str(s.name)))


def verifier_vitesses(
    minutes: NDArray[np.float64],
    km: NDArray[np.float64],
    *,
    quoi: str = "Matrice",
    distance: str = "centre à centre",
) -> None:
    """Refuse times whose implied speeds are implausible for most pairs (a wrong unit).

    Pairs at least :data:`KM_MIN_CONTROLE` apart with a finite positive time are checked:
    when more than half imply a speed outside :data:`VITESSE_MIN_KMH` –
    :data:`VITESSE_MAX_KMH`, the unit is wrong. The message says which unit the values look
    like (seconds, hours, or, for road distances, metres instead of km).

    Raises
    ------
    DonneesInvalides
        Most pairs are implausible.
    """
    minutes = np.asarray(minutes, dtype=np.float64).ravel()
    km = np.asarray(km, dtype=np.float64).ravel()
    garder = np.isfinite(minutes) & np.isfinite(km) & (minutes > 0) & (km >= KM_MIN_CONTROLE)
    route = distance == "route"
    if garder.sum() < 3:
        return
    t, d = minutes[garder], km[garder]

    def part_plausible(facteur_temps: float, facteur_km: float = 1.0) -> float:
        vitesse = d * facteur_km / (t * facteur_temps / 60.0)
        return float(np.mean((vitesse >= VITESSE_MIN_KMH) & (vitesse <= VITESSE_MAX_KMH)))

    if 1.0 - part_plausible(1.0) <= PART_IMPLAUSIBLE_MAX:
        return
    mediane = float(np.median(d / (t / 60.0)))
    candidats = [("secondes", 1.0 / 60.0, 1.0), ("heures", 60.0, 1.0)]
    if route:
        candidats.append(("mètres pour les distances", 1.0, 1.0 / 1000.0))
    meilleur = max(candidats, key=lambda c: part_plausible(c[1], c[2]))
    if part_plausible(meilleur[1], meilleur[2]) > 1.0 - PART_IMPLAUSIBLE_MAX:
        if meilleur[0].startswith("mètres"):
            indice = "les distances semblent être en mètres, pas en kilomètres"
            remede = "convertissez-les en km"
        else:
            indice = f"les temps semblent être en {meilleur[0]}, pas en minutes"
            remede = f"donnez l'unité avec --colonnes ...,{meilleur[0]}=COLONNE"
    else:
        indice, remede = "l'unité des temps n'est pas reconnue", "vérifiez le fichier"
    raise DonneesInvalides(
        f"{quoi} : {1.0 - part_plausible(1.0):.0%} des paires donnent une vitesse "
        f"invraisemblable ({distance}, médiane {mediane:.3g} km/h, hors de "
        f"{VITESSE_MIN_KMH:g}–{VITESSE_MAX_KMH:g} km/h) : {indice} ; {remede}."
    )


def verifier_coordonnees(
    coordonnees: pd.DataFrame,
    codes: NDArray[np.str_],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    crs: str,
    *,
    quoi: str = "Matrice",
) -> list[str]:
    """Compare the points of a Metric table with the commune centres of the same codes.

    Returns the codes whose point lies more than :data:`KM_MAX_COORDONNEES` from the
    centre (logged). When most compared codes are that far, the ids are not these
    communes' codes.

    Raises
    ------
    DonneesInvalides
        Most ids are far from the commune of the same code.
    """
    codes = np.asarray(codes, dtype=str)
    communs = np.isin(codes, coordonnees.index.to_numpy(dtype=str))
    if not communs.any():
        return []
    from pyproj import Transformer

    points = coordonnees.reindex(pd.Index(codes[communs]))
    px, py = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(
        points["lon"].to_numpy(), points["lat"].to_numpy()
    )
    ecart_km = np.hypot(np.asarray(px) - x[communs], np.asarray(py) - y[communs]) / 1000.0
    loin = ecart_km > KM_MAX_COORDONNEES
    suspects = [str(c) for c in codes[communs][loin]]
    if loin.mean() > PART_IMPLAUSIBLE_MAX and loin.sum() >= 3:
        raise DonneesInvalides(
            f"{quoi} : {int(loin.sum())} identifiants sur {int(communs.sum())} désignent un "
            f"point à plus de {KM_MAX_COORDONNEES:g} km de la commune du même code (par "
            f"exemple {suspects[0]} à {float(ecart_km[loin][0]):.0f} km) : les identifiants "
            "ne sont pas des codes INSEE de communes."
        )
    if suspects:
        logger.warning(
            "%s : %d identifiants à plus de %g km du centre de la commune du même code (%s).",
            quoi,
            len(suspects),
            KM_MAX_COORDONNEES,
            ", ".join(suspects[:10]),
        )
    return suspects
