"""The report as an A4 PDF: the HTML page printed by WeasyPrint (no LaTeX).

WeasyPrint follows the page's print style sheet: A4 pages, running headers, "Page n sur N"
footers, a table of contents whose page numbers come from the headings' real pages
(``target-counter``), and PDF bookmarks for every heading.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from cartes.rapport._commun import DependanceManquante

__all__ = ["ecrire_pdf", "importer_weasyprint"]

logger = logging.getLogger(__name__)

_AIDE = (
    'installez-le avec pip install "accessibilite[rapport]" (WeasyPrint demande aussi la '
    "bibliothèque Pango : paquet Debian/Ubuntu libpango-1.0-0, voir la documentation de "
    "WeasyPrint pour Windows et macOS), ou demandez --formats html,docx"
)


def importer_weasyprint() -> Any:
    """The ``weasyprint`` module, or a French error saying how to install it.

    Raises
    ------
    DependanceManquante
        WeasyPrint or its system library Pango is missing.
    """
    try:
        import weasyprint
    except ImportError as exc:
        raise DependanceManquante(f"Le rapport PDF demande WeasyPrint : {_AIDE}.") from exc
    except OSError as exc:  # WeasyPrint is there, but not the Pango shared library
        raise DependanceManquante(
            f"WeasyPrint ne trouve pas la bibliothèque Pango ({str(exc).splitlines()[0]}) : "
            f"{_AIDE}."
        ) from exc
    return weasyprint


def ecrire_pdf(html: str, chemin: str | Path, *, titre: str = "", auteur: str = "") -> int:
    """Print ``html`` to the PDF file ``chemin``; return its number of pages.

    Raises
    ------
    DependanceManquante
        WeasyPrint or Pango is missing.
    """
    weasyprint = importer_weasyprint()
    document = weasyprint.HTML(string=html, base_url=None).render()
    if titre:
        document.metadata.title = titre
    if auteur:
        document.metadata.authors = [auteur]
    document.metadata.generator = "accessibilite (WeasyPrint)"
    document.write_pdf(str(chemin))
    return len(document.pages)
