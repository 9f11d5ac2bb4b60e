"""Reading the small CSV files a team writes by hand (reference poles, decisions, studies).

They come from spreadsheets: a UTF-8 byte-order mark, ``;`` or tab instead of ``,``,
Windows-1252 or Latin-1 accents, codes that lost their leading zero, level names with
capitals and accents. :func:`lire_csv` accepts all of these and returns text columns with
lower-case names; :func:`codes_communes` and :func:`nom_niveau` normalise the values.
"""

from __future__ import annotations

import csv
import io
import logging
import unicodedata
import warnings
from pathlib import Path

import pandas as pd

from socle.erreurs import DonneesInvalides, DonneesManquantes

__all__ = ["codes_communes", "colonne", "lire_csv", "nom_niveau", "oui_non"]

logger = logging.getLogger(__name__)


def _decoder(contenu: bytes) -> str:
    for encodage in ("utf-8-sig", "cp1252"):
        try:
            return contenu.decode(encodage)
        except UnicodeDecodeError:
            continue
    return contenu.decode("latin-1")


def lire_csv(chemin: str | Path, *, quoi: str) -> pd.DataFrame:
    """Read a hand-made CSV as text columns (names stripped, lower-case, no accents).

    Parameters
    ----------
    chemin
        The file.
    quoi
        What the file is, in French, for messages (``"Fichier des pôles imposés"``).

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    DonneesInvalides
        The file is empty, has no data row, or cannot be parsed.
    """
    chemin = Path(chemin)
    if not chemin.is_file():
        raise DonneesManquantes(f"{quoi} introuvable : {chemin}. Vérifiez le chemin donné.")
    texte = _decoder(chemin.read_bytes()).lstrip("\ufeff")
    lignes = [ligne for ligne in texte.splitlines() if ligne.strip()]
    if not lignes:
        raise DonneesInvalides(f"{quoi} {chemin.name} est vide : une ligne d'en-tête attendue.")
    try:
        separateur = csv.Sniffer().sniff(lignes[0], delimiters=";,\t").delimiter
    except csv.Error:
        separateur = ","
    try:
        with warnings.catch_warnings():
            # a row longer than the header: refused, not silently cut or turned into an index
            warnings.simplefilter("error", pd.errors.ParserWarning)
            table = pd.read_csv(
                io.StringIO("\n".join(lignes)),
                sep=separateur,
                dtype=str,
                keep_default_na=False,
                skipinitialspace=True,
                index_col=False,
            )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, pd.errors.ParserWarning) as exc:
        raise DonneesInvalides(
            f"{quoi} {chemin.name} illisible (CSV) : une ligne a plus de valeurs que l'en-tête, "
            "ou un guillemet n'est pas refermé ; vérifiez le fichier (séparateur , ou ;)."
        ) from exc
    if table.empty:
        raise DonneesInvalides(f"{quoi} {chemin.name} n'a aucune ligne après l'en-tête.")
    table.columns = pd.Index([_sans_accents(str(c)).strip().strip('"').lower() for c in table])
    return table.apply(lambda s: s.str.strip())


def colonne(table: pd.DataFrame, noms: tuple[str, ...], *, quoi: str, chemin: Path) -> str:
    """The first of ``noms`` that is a column of ``table``.

    Raises
    ------
    DonneesInvalides
        None of them is: the message names the expected column and those found.
    """
    for nom in noms:
        if nom in table.columns:
            return nom
    raise DonneesInvalides(
        f"{quoi} {chemin.name} : colonne « {noms[0]} » absente (colonnes trouvées : "
        f"{', '.join(map(str, table.columns))})."
    )


def _sans_accents(texte: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", texte) if not unicodedata.combining(c))


def nom_niveau(texte: str) -> str:
    """``"Intermédiaire"`` → ``"intermediaire"`` (lower case, no accents, ``_`` for spaces)."""
    return "_".join(_sans_accents(str(texte)).strip().lower().replace("-", " ").split())


def oui_non(valeur: str, *, quoi: str) -> bool:
    """``oui``/``non`` (also ``vrai``/``faux``, ``1``/``0``, ``true``/``false``) as a bool.

    Raises
    ------
    DonneesInvalides
        Anything else.
    """
    texte = _sans_accents(str(valeur)).strip().lower()
    if texte in ("oui", "o", "vrai", "1", "true", "yes", "pole"):
        return True
    if texte in ("non", "n", "faux", "0", "false", "no", "pas_pole"):
        return False
    raise DonneesInvalides(f"{quoi} : « {valeur} » n'est ni oui ni non.")


def codes_communes(valeurs: pd.Series, *, quoi: str) -> pd.Series:
    """Commune codes as current INSEE codes (5 characters, former communes moved to the
    commune they merged into, counted in the log).

    Raises
    ------
    DonneesInvalides
        An empty code.
    """
    from socle.territoire import codes_actuels, correspondance_codes

    codes = valeurs.astype(str).str.strip().str.upper()
    codes = codes.where(~codes.str.fullmatch(r"\d{4}"), "0" + codes)
    vides = codes == ""
    if vides.any():
        raise DonneesInvalides(f"{quoi} : code commune vide à la ligne {int(vides.argmax()) + 2}.")
    actuels = codes_actuels()
    passage = correspondance_codes()
    anciens = ~codes.isin(actuels) & codes.isin(passage)
    if anciens.any():
        logger.info(
            "%s : %d codes de communes fusionnées rattachés à leur commune actuelle (%s).",
            quoi,
            int(anciens.sum()),
            ", ".join(f"{a} → {passage[a]}" for a in codes[anciens].unique()[:5]),
        )
        codes = codes.where(~anciens, codes.map(passage))
    return codes
