"""Writing the report's files as one unit, like every result folder of the project.

All formats are written into a temporary folder beside the final one, sealed with a manifest
and swapped in at the end (:func:`socle.dossiers.dossier_resultat`): an interrupted or failed
run leaves the previous report (or nothing) under the final name, never a PDF from this run
beside a DOCX from the last one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cartes.rapport._commun import (
    MANIFESTE,
    DonneesInvalides,
    ErreurEcriture,
    Progression,
    dossier_resultat,
    signaler,
)
from cartes.rapport.contenu import OptionsRapport, construire_rapport
from cartes.rapport.dossiers import lire_dossiers
from cartes.rapport.modele import Rapport

__all__ = [
    "FORMATS_RAPPORT",
    "NOMS_FICHIERS",
    "ResultatRapport",
    "ecrire_rapport",
    "verifier_formats",
]

logger = logging.getLogger(__name__)

#: Output formats, in the order they are written.
FORMATS_RAPPORT = ("html", "pdf", "docx")
#: File name of each format in the output folder.
NOMS_FICHIERS = {"html": "rapport.html", "pdf": "rapport.pdf", "docx": "rapport.docx"}
_ETAPE = "rapport : fichiers"


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
    """Refuse an output path that is a file, or a folder holding more than a report."""
    if sortie.exists() and not sortie.is_dir():
        raise ErreurEcriture(
            f"{sortie} est un fichier : donnez un dossier pour le rapport (--sortie)."
        )
    if sortie.is_dir():
        a_nous = {*NOMS_FICHIERS.values(), MANIFESTE}
        autres = sorted(p.name for p in sortie.iterdir() if p.name not in a_nous)
        if autres:
            raise ErreurEcriture(
                f"Le dossier {sortie} contient autre chose qu'un rapport "
                f"({', '.join(autres[:3])}{'…' if len(autres) > 3 else ''}) : choisissez un "
                "dossier nouveau ou vide (--sortie), un rapport ne le remplacera pas."
            )


def ecrire_rapport(
    base: str | Path,
    *,
    avec: Sequence[str | Path] = (),
    sortie: str | Path | None = None,
    formats: Iterable[str] = FORMATS_RAPPORT,
    options: OptionsRapport | None = None,
    ecraser: bool = False,
    date: dt.date | None = None,
    commande: str | None = None,
    progression: Progression | None = None,
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
        Output folder (default: ``<base>/rapport``): ``rapport.html``, ``rapport.pdf``,
        ``rapport.docx`` and the manifest ``_execution.json``.
    formats
        Any of ``"html"``, ``"pdf"``, ``"docx"``.
    options
        Title, territory, producer, logo, levels, maps.
    ecraser
        Replace an existing report (it stays whole until the new one is complete). A folder
        holding anything else than a report is never replaced.
    date
        Date printed on the report (default: today).
    commande
        Command line printed in the annex.
    progression
        Progress callback (:class:`socle.progression.Progression`).

    Returns
    -------
    ResultatRapport

    Raises
    ------
    DonneesManquantes, DonneesInvalides
        A folder is missing, incomplete, changed since its run, of another format version
        or of another département; an unknown format or level; a logo that is no PNG or JPEG.
    DependanceManquante
        WeasyPrint (PDF) or python-docx (DOCX) is not installed.
    ErreurEcriture
        The output folder exists (without ``ecraser``), holds other files, is being written by
        another run, or cannot be written.
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

    dossiers = lire_dossiers(base, avec, cartes=options.cartes, exclus=[dossier_sortie])
    rapport = construire_rapport(
        dossiers, options, date=date, commande=commande, progression=progression
    )
    pages = None
    with dossier_resultat(dossier_sortie, commande="rapport", ecraser=ecraser) as temporaire:
        signaler(progression, _ETAPE, 0, len(choisis))
        html = rendre_html(rapport, date=date)
        if "html" in choisis:
            (temporaire / NOMS_FICHIERS["html"]).write_text(html, encoding="utf-8")
            signaler(progression, _ETAPE, 1, len(choisis))
        if "pdf" in choisis:
            pages = ecrire_pdf(
                html,
                temporaire / NOMS_FICHIERS["pdf"],
                titre=f"{rapport.titre} — {rapport.territoire}",
                auteur=rapport.producteur,
            )
            signaler(progression, _ETAPE, choisis.index("pdf") + 1, len(choisis))
        if "docx" in choisis:
            ecrire_docx(rapport, temporaire / NOMS_FICHIERS["docx"])
            signaler(progression, _ETAPE, len(choisis), len(choisis))
    logger.info("Rapport écrit dans %s", dossier_sortie)
    return ResultatRapport(
        dossier=dossier_sortie,
        fichiers={f: dossier_sortie / NOMS_FICHIERS[f] for f in choisis},
        pages_pdf=pages,
        rapport=rapport,
    )
