"""The report as plain data: sections holding paragraphs, lists, tables and figures.

:mod:`cartes.rapport.contenu` builds one :class:`Rapport` from the folders; the HTML (and
PDF) and DOCX writers render the same object, so the three formats carry the same text, the
same numbers and the same figure and table numbers. Every text is final French: numbers are
already formatted. In paragraphs and list items, ``**texte**`` marks bold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "Absence",
    "Bloc",
    "Figure",
    "Liste",
    "Paragraphe",
    "Rapport",
    "Section",
    "Tableau",
    "morceaux",
]


@dataclass(frozen=True)
class Paragraphe:
    """A paragraph; ``style`` is ``""``, ``"note"`` (small, grey) or ``"encadre"`` (boxed)."""

    texte: str
    style: str = ""


@dataclass(frozen=True)
class Liste:
    """A bulleted list."""

    elements: tuple[str, ...]


@dataclass(frozen=True)
class Tableau:
    """A numbered table with its caption (above) and source (below).

    Attributes
    ----------
    numero
        Number in the report (Tableau 1, 2...).
    titre
        Caption, without the number.
    colonnes
        Column headers.
    lignes
        Cells, as formatted text.
    numeriques
        For each column, whether it holds numbers (right-aligned).
    source
        Where the numbers come from (file names).
    largeurs
        Relative column widths (``None``: even).
    petit
        Smaller type, for long lists.
    """

    numero: int
    titre: str
    colonnes: tuple[str, ...]
    lignes: tuple[tuple[str, ...], ...]
    numeriques: tuple[bool, ...]
    source: str
    largeurs: tuple[float, ...] | None = None
    petit: bool = False


@dataclass(frozen=True)
class Figure:
    """A numbered figure (PNG) with its caption and source (below).

    ``largeur_mm`` is the printed width; ``pleine_page`` asks for a page of its own.
    """

    numero: int
    titre: str
    png: bytes
    largeur_mm: float
    hauteur_mm: float
    source: str
    pleine_page: bool = False


Bloc = Paragraphe | Liste | Tableau | Figure


@dataclass(frozen=True)
class Absence:
    """A section the folders cannot support: which, why, and how to get it.

    ``str(absence)`` is the sentence the report prints (``"Scénarios : aucun dossier de
    scénario."``); the command line adds ``conseil``.
    """

    section: str
    raison: str
    conseil: str = ""

    def __str__(self) -> str:
        return f"{self.section} : {self.raison}."


@dataclass
class Section:
    """A numbered section (``numero`` ``"3"`` or ``"3.2"``), level 1 to 3."""

    numero: str
    titre: str
    niveau: int
    blocs: list[Bloc] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    @property
    def ancre(self) -> str:
        """HTML id of the heading (``"s3-2"``)."""
        return "s" + self.numero.replace(".", "-")

    @property
    def intitule(self) -> str:
        """Number and title, as printed (``"3.2 Pôles"``)."""
        return f"{self.numero} {self.titre}" if self.numero else self.titre

    def toutes(self) -> list[Section]:
        """This section and all its sub-sections, in reading order."""
        return [self, *[s for sous in self.sections for s in sous.toutes()]]


@dataclass
class Rapport:
    """The whole report.

    Attributes
    ----------
    titre, territoire, producteur
        Cover page texts (``producteur`` may be empty).
    logo
        PNG or JPEG bytes of the producer's logo, or ``None``.
    date
        Date of the report, in French (``"1er décembre 2026"``).
    lignes_couverture
        Further lines of the cover page (source, computation date).
    sections
        Level-1 sections, in order.
    absences
        What the folders cannot support.
    """

    titre: str
    territoire: str
    producteur: str
    logo: bytes | None
    logo_type: str
    date: str
    lignes_couverture: list[str]
    sections: list[Section]
    absences: list[Absence]

    def toutes_sections(self) -> list[Section]:
        """Every section, in reading order."""
        return [s for section in self.sections for s in section.toutes()]

    def blocs(self) -> list[Bloc]:
        """Every block, in reading order."""
        return [b for s in self.toutes_sections() for b in s.blocs]

    def figures(self) -> list[Figure]:
        """Every figure, in order."""
        return [b for b in self.blocs() if isinstance(b, Figure)]

    def tableaux(self) -> list[Tableau]:
        """Every table, in order."""
        return [b for b in self.blocs() if isinstance(b, Tableau)]


_GRAS = re.compile(r"\*\*(.+?)\*\*")


def morceaux(texte: str) -> list[tuple[str, bool]]:
    """Split ``texte`` into ``(piece, bold)`` pairs along its ``**bold**`` marks."""
    resultat: list[tuple[str, bool]] = []
    debut = 0
    for m in _GRAS.finditer(texte):
        if m.start() > debut:
            resultat.append((texte[debut : m.start()], False))
        resultat.append((m.group(1), True))
        debut = m.end()
    if debut < len(texte):
        resultat.append((texte[debut:], False))
    return resultat
