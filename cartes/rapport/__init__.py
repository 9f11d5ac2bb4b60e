"""The diagnostic chapter of a schema, from output folders: HTML, PDF and DOCX.

``accessibilite rapport`` calls :func:`ecrire_rapport`. The report reads output folders only
(a zones-grises base, and indicator, scenario and previous-study folders); every number in it
comes from their files, so the same folders give the same report.

* :func:`lire_dossiers`: read and check the folders (format version, completeness,
  département);
* :func:`construire_rapport`: the content as plain data (:class:`Rapport`);
* :func:`rendre_html`, :func:`ecrire_pdf`, :func:`ecrire_docx`: the three renderings;
* :func:`ecrire_rapport`: all of it, written atomically into one folder.

HTML needs Jinja2 (installed with the project); PDF needs WeasyPrint and DOCX python-docx:
``pip install "accessibilite[rapport]"``.
"""

from cartes.rapport.contenu import OptionsRapport, construire_rapport
from cartes.rapport.dossiers import VERSIONS_LUES, Dossiers, lire_dossiers, type_dossier
from cartes.rapport.ecriture import (
    FORMATS_RAPPORT,
    NOMS_FICHIERS,
    ResultatRapport,
    ecrire_rapport,
    verifier_formats,
)
from cartes.rapport.modele import Absence, Figure, Liste, Paragraphe, Rapport, Section, Tableau
from cartes.rapport.sortie_docx import ecrire_docx
from cartes.rapport.sortie_html import rendre_html
from cartes.rapport.sortie_pdf import ecrire_pdf

__all__ = [
    "FORMATS_RAPPORT",
    "NOMS_FICHIERS",
    "VERSIONS_LUES",
    "Absence",
    "Dossiers",
    "Figure",
    "Liste",
    "OptionsRapport",
    "Paragraphe",
    "Rapport",
    "ResultatRapport",
    "Section",
    "Tableau",
    "construire_rapport",
    "ecrire_docx",
    "ecrire_pdf",
    "ecrire_rapport",
    "lire_dossiers",
    "rendre_html",
    "type_dossier",
    "verifier_formats",
]
