"""Tables for spreadsheets: the French CSV dialect and one ``.xlsx`` workbook per folder.

Two CSV dialects (:data:`DIALECTES`):

* ``portable`` (default): UTF-8, ``,`` separator, ``.`` decimals, ``True``/``False``:
  what pandas, R, QGIS and DuckDB read without options;
* ``excel-fr``: what a French Excel or LibreOffice opens in columns with a double click:
  UTF-8 with a byte order mark, ``;`` separator, decimal comma, ``oui``/``non``, text
  quoted (so that LibreOffice, with "format quoted fields as text", keeps ``01001``).

The workbook (:func:`ecrire_classeur`) has one sheet per table: codes stay text (``01001``,
``2A004`` keep their zeros), numbers are numbers, shares are percentages, the header row
is frozen and filtered, the column widths fit the content. Its bytes depend on the tables
only: the dates inside the file are fixed (:data:`DATE_FIXE`; the run's date is in
``parametres.json``), so the same results give the same file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Integral, Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socle.erreurs import DonneesInvalides

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DIALECTES",
    "ajouter_au_classeur",
    "dialecte_de",
    "ecrire_classeur",
    "ecrire_csv",
    "lire_csv",
    "nom_feuille",
]

#: CSV dialects: ``portable`` (default) and ``excel-fr``.
DIALECTES = ("portable", "excel-fr")

#: The date written inside workbooks (zip entries and document properties).
DATE_FIXE = (1980, 1, 1, 0, 0, 0)

_LARGEUR_MAX = 60


def verifier_dialecte(dialecte: str) -> str:
    """``dialecte`` when known, else a French error."""
    if dialecte not in DIALECTES:
        raise DonneesInvalides(
            f"Format CSV inconnu « {dialecte} » : choisissez {' ou '.join(DIALECTES)}."
        )
    return dialecte


def _texte_fr(valeur: Any) -> str:
    """One cell of the ``excel-fr`` dialect."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool) or type(valeur).__name__ == "bool_":
        return "oui" if valeur else "non"
    if isinstance(valeur, Integral):
        return str(int(valeur))
    if isinstance(valeur, Real):
        nombre = float(valeur)
        if math.isnan(nombre):
            return ""
        if nombre.is_integer() and abs(nombre) < 1e15:
            return str(int(nombre))
        return repr(nombre).replace(".", ",")
    texte = str(valeur)
    if texte in ("nan", "NaT", "<NA>"):
        return ""
    return '"' + texte.replace('"', '""') + '"'


def ecrire_csv(table: pd.DataFrame, chemin: str | Path, *, dialecte: str = "portable") -> Path:
    """Write ``table`` as CSV in ``dialecte``, atomically.

    The ``portable`` bytes are those of ``table.to_csv(index=False)`` (UTF-8).
    """
    from socle.fichiers import ecrire_table, ecriture_atomique

    verifier_dialecte(dialecte)
    chemin = Path(chemin)
    if dialecte == "portable":
        return ecrire_table(table, chemin)
    with ecriture_atomique(chemin) as tmp:
        lignes = [";".join(_texte_fr(str(c)) for c in table.columns)]
        for ligne in table.astype(object).itertuples(index=False, name=None):
            lignes.append(";".join(_texte_fr(v) for v in ligne))
        with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
            f.write("\r\n".join(lignes) + "\r\n")
    return chemin


def dialecte_de(chemin: str | Path) -> str:
    """The dialect of a CSV file this project wrote: ``excel-fr`` when it starts with a
    byte order mark, else ``portable``."""
    with open(chemin, "rb") as f:
        return "excel-fr" if f.read(3) == b"\xef\xbb\xbf" else "portable"


def lire_csv(chemin: str | Path, **options: Any) -> pd.DataFrame:
    """Read a table written by :func:`ecrire_csv`, in either dialect.

    ``options`` go to :func:`pandas.read_csv` (``dtype``, ``keep_default_na``...); in the
    ``excel-fr`` dialect, columns holding only ``oui``/``non`` come back as booleans.
    """
    import pandas as pd

    if dialecte_de(chemin) == "portable":
        return pd.read_csv(chemin, **options)
    table = pd.read_csv(chemin, sep=";", decimal=",", encoding="utf-8-sig", **options)
    for colonne in table.columns:
        valeurs = table[colonne]
        if valeurs.dtype == object or pd.api.types.is_string_dtype(valeurs):
            texte = valeurs.fillna("").astype(str)
            if texte.isin(["oui", "non"]).all() or (
                texte.isin(["oui", "non", ""]).all() and texte.isin(["oui", "non"]).any()
            ):
                table[colonne] = texte.eq("oui")
    return table


def nom_feuille(nom: str) -> str:
    """A valid sheet name from a file name (``resume_epci.csv`` -> ``resume_epci``)."""
    base = Path(nom).stem if nom.lower().endswith(".csv") else nom
    for interdit in "[]:*?/\\":
        base = base.replace(interdit, "_")
    return base[:31] or "table"


def _cellule(valeur: Any) -> Any:
    if valeur is None:
        return None
    if isinstance(valeur, bool) or type(valeur).__name__ == "bool_":
        return bool(valeur)
    if isinstance(valeur, Integral):
        return int(valeur)
    if isinstance(valeur, Real):
        nombre = float(valeur)
        return None if math.isnan(nombre) or math.isinf(nombre) else nombre
    texte = str(valeur)
    return None if texte in ("nan", "NaT", "<NA>") else texte


def _format(colonne: str, serie: pd.Series) -> str | None:
    """Number format of a column: text for strings, percent for shares."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(serie):
        return None
    if pd.api.types.is_numeric_dtype(serie):
        if colonne.startswith("part_") or colonne == "part":
            return "0.0%"
        if pd.api.types.is_integer_dtype(serie):
            return "#,##0" if colonne.startswith("population") else "0"
        return "0.0##"
    return "@"


def _remplir(feuille: Any, table: pd.DataFrame) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    colonnes = [str(c) for c in table.columns]
    feuille.append(colonnes)
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    formats = [_format(c, table[c]) for c in colonnes]
    for ligne in table.astype(object).itertuples(index=False, name=None):
        feuille.append([_cellule(v) for v in ligne])
    for k, (colonne, format_) in enumerate(zip(colonnes, formats, strict=True), start=1):
        lettre = get_column_letter(k)
        if format_ is not None:
            for (cellule,) in feuille.iter_rows(min_row=2, min_col=k, max_col=k):
                cellule.number_format = format_
        longueurs = [len(colonne)] + [
            len(str(v)) for v in table[colonne].head(2000).tolist() if v is not None
        ]
        feuille.column_dimensions[lettre].width = min(_LARGEUR_MAX, max(longueurs) + 2)
    feuille.freeze_panes = "A2"
    if colonnes:
        feuille.auto_filter.ref = f"A1:{get_column_letter(len(colonnes))}{len(table) + 1}"


def ecrire_classeur(feuilles: Mapping[str, pd.DataFrame], chemin: str | Path) -> Path:
    """Write one ``.xlsx`` workbook, a sheet per table (in order), atomically."""
    from openpyxl import Workbook

    from socle.fichiers import ecriture_atomique

    classeur = Workbook()
    premiere = classeur.active
    for rang, (nom, table) in enumerate(feuilles.items()):
        feuille = premiere if rang == 0 else classeur.create_sheet()
        feuille.title = nom_feuille(nom)
        _remplir(feuille, table)
    chemin = Path(chemin)
    with ecriture_atomique(chemin) as tmp:
        _enregistrer(classeur, tmp)
    return chemin


def _enregistrer(classeur: Any, chemin: Path) -> None:
    """Save the workbook with fixed dates, so that its bytes depend on its content only."""
    import io
    import re
    import zipfile

    tampon = io.BytesIO()
    classeur.save(tampon)
    date = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*DATE_FIXE)
    with (
        zipfile.ZipFile(io.BytesIO(tampon.getvalue())) as source,
        zipfile.ZipFile(chemin, "w", compression=zipfile.ZIP_DEFLATED) as cible,
    ):
        for entree in source.infolist():
            donnees = source.read(entree.filename)
            if entree.filename == "docProps/core.xml":
                donnees = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + date.encode() + rb"\g<2>",
                    donnees,
                )
            info = zipfile.ZipInfo(entree.filename, date_time=DATE_FIXE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = entree.external_attr
            cible.writestr(info, donnees)


def ajouter_au_classeur(chemin: str | Path, feuilles: Mapping[str, pd.DataFrame]) -> Path:
    """Add (or replace) sheets in an existing workbook, atomically; create it if absent."""
    chemin = Path(chemin)
    if not chemin.exists():
        return ecrire_classeur(feuilles, chemin)
    from openpyxl import load_workbook

    from socle.fichiers import ecriture_atomique

    classeur = load_workbook(chemin)
    for nom, table in feuilles.items():
        titre = nom_feuille(nom)
        if titre in classeur.sheetnames:
            del classeur[titre]
        _remplir(classeur.create_sheet(titre), table)
    with ecriture_atomique(chemin) as tmp:
        _enregistrer(classeur, tmp)
    return chemin
