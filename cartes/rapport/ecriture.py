"""Writing the report's files as one unit: all formats into a temporary folder, then a rename.

An interrupted or failed run leaves the previous report (or nothing) under the final name,
never a folder with a PDF from this run and a DOCX from the last one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cartes.rapport._commun import DonneesInvalides, ErreurEcriture
from cartes.rapport.contenu import OptionsRapport, construire_rapport
from cartes.rapport.dossiers import lire_dossiers
from cartes.rapport.modele import Rapport

__all__ = ["FORMATS_RAPPORT", "NOMS_FICHIERS", "ResultatRapport", "ecrire_rapport"]

logger = logging.getLogger(__name__)

#: Output formats, in the order they are written.
FORMATS_RAPPORT = ("html", "pdf", "docx")
#: File name of each format in the output folder.
NOMS_FICHIERS = {"html": "rapport.html", "pdf": "rapport.pdf", "docx": "rapport.docx"}


@dataclass(frozen=True)
class ResultatRapport:
    """What :func:`ecrire_rapport` wrote.

    Attributes
    ----------
    dossier
        The output folder.
    fichiers
        The files, by format.
    pages_pdf
        Number of pages of the PDF (``None`` without PDF).
    rapport
        The content (sections, figures, tables, absent sections).
    """

    dossier: Path
    fichiers: dict[str, Path]
    pages_pdf: int | None
    rapport: Rapport


def verifier_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """The formats asked for, checked, in :data:`FORMATS_RAPPORT` order.

    Raises
    ------
    DonneesInvalides
        Empty list or unknown format.
    """
    demandes = {f.strip().lower() for f in formats if f.strip()}
    inconnus = sorted(demandes - set(FORMATS_RAPPORT))
    if inconnus or not demandes:
        raise DonneesInvalides(
            f"Format(s) de rapport inconnu(s) : {', '.join(inconnus) or 'aucun'} (choisir "
            f"parmi {', '.join(FORMATS_RAPPORT)})."
        )
    return tuple(f for f in FORMATS_RAPPORT if f in demandes)


def _verifier_sortie(sortie: Path) -> None:
    if sortie.exists() and not sortie.is_dir():
        raise ErreurEcriture(
            f"{sortie} est un fichier : donnez un dossier pour le rapport (--sortie)."
        )
    if sortie.is_dir():
        autres = sorted(p.name for p in sortie.iterdir() if p.name not in NOMS_FICHIERS.values())
        if autres:
            raise ErreurEcriture(
                f"Le dossier {sortie} contient d'autres fichiers que ceux d'un rapport "
                f"({', '.join(autres[:3])}{'…' if len(autres) > 3 else ''}) : choisissez un "
                "dossier vide ou nouveau (--sortie), il sera remplacé en entier."
            )


def _remplacer(temporaire: Path, sortie: Path) -> None:
    """Put ``temporaire`` in place of ``sortie`` (kept until the new folder is in place)."""
    ancien = None
    if sortie.exists():
        ancien = sortie.with_name(f".{sortie.name}.ancien-{os.getpid()}")
        os.replace(sortie, ancien)
    try:
        os.replace(temporaire, sortie)
    except OSError:
        if ancien is not None:
            os.replace(ancien, sortie)
        raise
    if ancien is not None:
        shutil.rmtree(ancien, ignore_errors=True)


def ecrire_rapport(
    base: str | Path,
    *,
    avec: Sequence[str | Path] = (),
    sortie: str | Path | None = None,
    formats: Iterable[str] = FORMATS_RAPPORT,
    options: OptionsRapport | None = None,
    date: dt.date | None = None,
    commande: str | None = None,
    progression: Callable[[str], None] | None = None,
) -> ResultatRapport:
    """Build the report of a zones-grises folder and write it in each format.

    Parameters
    ----------
    base
        Output folder of ``accessibilite zones-grises``.
    avec
        Indicator, scenario and previous zones-grises folders (see
        :func:`cartes.rapport.lire_dossiers`).
    sortie
        Output folder (default: ``<base>/rapport``), written as one unit: ``rapport.html``,
        ``rapport.pdf``, ``rapport.docx``. An existing folder is replaced when it holds
        nothing but a previous report.
    formats
        Any of ``"html"``, ``"pdf"``, ``"docx"``.
    options
        Title, territory, producer, logo, levels, maps.
    date
        Date printed on the report (default: today).
    commande
        Command line printed in the annex.
    progression
        Called with a French step name as the work goes.

    Returns
    -------
    ResultatRapport

    Raises
    ------
    DonneesManquantes, DonneesInvalides
        A folder is missing, incomplete, of another version or another département; an
        unknown format or level; a logo that is no PNG or JPEG.
    DependanceManquante
        WeasyPrint (PDF) or python-docx (DOCX) is not installed.
    ErreurEcriture
        The output folder cannot be written.
    """
    from cartes.rapport.sortie_docx import ecrire_docx, importer_docx
    from cartes.rapport.sortie_html import rendre_html
    from cartes.rapport.sortie_pdf import ecrire_pdf, importer_weasyprint

    choisis = verifier_formats(formats)
    # missing libraries are reported before any work
    if "pdf" in choisis:
        importer_weasyprint()
    if "docx" in choisis:
        importer_docx()
    options = options or OptionsRapport()
    date = date or dt.date.today()
    dossier_sortie = Path(sortie) if sortie is not None else Path(base) / "rapport"
    _verifier_sortie(dossier_sortie)
    etape = progression or (lambda _texte: None)

    etape("lecture des dossiers")
    dossiers = lire_dossiers(base, avec, cartes=options.cartes, exclus=[dossier_sortie])
    rapport = construire_rapport(
        dossiers,
        options,
        date=date,
        commande=commande,
        progression=lambda nom: etape(f"contenu : {nom}"),
    )

    parent = dossier_sortie.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        temporaire = Path(tempfile.mkdtemp(prefix=f".{dossier_sortie.name}.partiel-", dir=parent))
    except OSError as exc:
        raise ErreurEcriture(
            f"Impossible d'écrire dans {parent} ({exc.strerror or exc}) : choisissez un "
            "dossier où vous avez le droit d'écrire (--sortie)."
        ) from exc
    fichiers: dict[str, Path] = {}
    pages = None
    try:
        etape("HTML")
        html = rendre_html(rapport, date=date)
        if "html" in choisis:
            (temporaire / NOMS_FICHIERS["html"]).write_text(html, encoding="utf-8")
        if "pdf" in choisis:
            etape("PDF")
            pages = ecrire_pdf(
                html,
                temporaire / NOMS_FICHIERS["pdf"],
                titre=f"{rapport.titre} — {rapport.territoire}",
                auteur=rapport.producteur,
            )
        if "docx" in choisis:
            etape("DOCX")
            ecrire_docx(rapport, temporaire / NOMS_FICHIERS["docx"])
        os.chmod(temporaire, 0o755)
        _remplacer(temporaire, dossier_sortie)
    except OSError as exc:
        shutil.rmtree(temporaire, ignore_errors=True)
        raise ErreurEcriture(
            f"Écriture du rapport impossible dans {parent} ({exc.strerror or exc}) : vérifiez "
            "la place disque et les droits (--sortie)."
        ) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(temporaire, ignore_errors=True)
        raise
    for format_ in choisis:
        fichiers[format_] = dossier_sortie / NOMS_FICHIERS[format_]
    logger.info("Rapport écrit dans %s", dossier_sortie)
    return ResultatRapport(
        dossier=dossier_sortie, fichiers=fichiers, pages_pdf=pages, rapport=rapport
    )
