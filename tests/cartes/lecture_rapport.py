"""Reading a report back: its tables and texts from the HTML and the DOCX, French numbers.

The tests compare what a reader sees (the cells and sentences as printed) with the CSV files
of the folders, so the report is read here the way a person would read it, not through the
objects that produced it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

__all__ = ["TableauLu", "lire_docx", "lire_html", "nombre"]

_LEGENDE = re.compile(r"^Tableau (\d+) – (.+)$")


def _espaces(texte: str) -> str:
    """Collapse the layout's spaces and line breaks (not the no-break spaces of numbers)."""
    return re.sub(r"[ \t\r\n]+", " ", texte).strip()


@dataclass
class TableauLu:
    """A table as printed: caption, headers and cells (text)."""

    numero: int
    titre: str
    colonnes: list[str] = field(default_factory=list)
    lignes: list[list[str]] = field(default_factory=list)

    def colonne(self, nom: str) -> list[str]:
        """The cells of the column called ``nom``."""
        j = self.colonnes.index(nom)
        return [ligne[j] for ligne in self.lignes]


def nombre(texte: str) -> float:
    """``"19 708"`` -> 19708, ``"1,3 %"`` -> 1.3, ``"12,5 min"`` -> 12.5, ``"—"`` -> NaN.

    Thousands are separated by a narrow no-break space (U+202F) in the report; any other
    space in a number makes it fail, so a wrong separator is caught.
    """
    t = texte.strip().removesuffix("%").removesuffix("min").strip()
    if t in ("—", ""):
        return math.nan
    if not re.fullmatch(r"-?\d{1,3}(\u202f\d{3})*(,\d+)?", t):
        raise ValueError(f"pas un nombre à la française : {texte!r}")
    return float(t.replace("\u202f", "").replace(",", "."))


class _Lecteur(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tableaux: dict[int, TableauLu] = {}
        self.textes: list[str] = []
        self.titres: list[tuple[int, str, str]] = []  # level, id, text
        self._pile: list[str] = []
        self._texte: list[str] | None = None
        self._cellule: list[str] | None = None
        self._ligne: list[str] | None = None
        self._tableau: TableauLu | None = None
        self._legende: str | None = None
        self._titre: tuple[int, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("p", "li") and self._cellule is None:
            self._texte = []
        elif tag in ("h1", "h2", "h3"):
            self._titre = (int(tag[1]), a.get("id") or "")
            self._texte = []
        elif tag == "table":
            if self._legende is None:
                raise AssertionError("tableau sans légende « Tableau n – … » juste avant")
            m = _LEGENDE.match(self._legende)
            assert m, self._legende
            self._tableau = TableauLu(int(m.group(1)), m.group(2))
            self._legende = None
        elif tag == "tr":
            self._ligne = []
        elif tag in ("td", "th"):
            self._cellule = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cellule is not None and self._ligne is not None:
            self._ligne.append("".join(self._cellule).strip())
            self._cellule = None
        elif tag == "tr" and self._ligne is not None and self._tableau is not None:
            if self._tableau.colonnes:
                self._tableau.lignes.append(self._ligne)
            else:
                self._tableau.colonnes = self._ligne
            self._ligne = None
        elif tag == "table" and self._tableau is not None:
            self.tableaux[self._tableau.numero] = self._tableau
            self._tableau = None
        elif tag in ("h1", "h2", "h3") and self._titre is not None and self._texte is not None:
            self.titres.append((*self._titre, _espaces("".join(self._texte))))
            self._titre, self._texte = None, None
        elif tag in ("p", "li") and self._texte is not None and self._cellule is None:
            texte = "".join(self._texte).strip()
            if texte.startswith("Tableau "):
                self._legende = texte
            self.textes.append(texte)
            self._texte = None

    def handle_data(self, data: str) -> None:
        if self._cellule is not None:
            self._cellule.append(data)
        elif self._texte is not None:
            self._texte.append(data)


@dataclass
class RapportLu:
    """What a reader finds in a report file."""

    tableaux: dict[int, TableauLu]
    textes: list[str]
    titres: list[tuple[int, str]]  # level, text (number and title)
    figures: list[str]  # captions "Figure n – …"

    def tableau(self, debut: str) -> TableauLu:
        """The one table whose caption starts with ``debut``."""
        trouves = [t for t in self.tableaux.values() if t.titre.startswith(debut)]
        assert len(trouves) == 1, (debut, [t.titre for t in self.tableaux.values()])
        return trouves[0]


def lire_html(chemin: Path) -> RapportLu:
    """Tables, paragraphs, headings and figure captions of the HTML report."""
    html = chemin.read_text(encoding="utf-8")
    lecteur = _Lecteur()
    lecteur.feed(html)
    figures = [
        _espaces(re.sub(r"<[^>]+>", "", m))
        for m in re.findall(r"<figcaption>(.*?)<span class=\"source\">", html, flags=re.S)
    ]
    return RapportLu(
        tableaux=lecteur.tableaux,
        textes=lecteur.textes,
        titres=[(niveau, texte) for niveau, _id, texte in lecteur.titres],
        figures=figures,
    )


def lire_docx(chemin: Path) -> RapportLu:
    """The same from the DOCX: Word tables with the caption paragraph before each."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(chemin))
    tableaux: dict[int, TableauLu] = {}
    textes: list[str] = []
    titres: list[tuple[int, str]] = []
    figures: list[str] = []
    legende: str | None = None
    for element in document.iter_inner_content():
        if isinstance(element, Paragraph):
            texte = element.text.strip()
            style = element.style.name if element.style is not None else ""
            if style.startswith("Heading "):
                titres.append((int(style.split()[-1]), texte))
            elif style == "Caption" and texte.startswith("Tableau "):
                legende = texte
            elif style == "Caption" and texte.startswith("Figure "):
                figures.append(texte)
            elif texte:
                textes.append(texte)
        elif isinstance(element, Table):
            assert legende is not None, "tableau Word sans légende juste avant"
            m = _LEGENDE.match(legende)
            assert m, legende
            lignes = [[c.text.strip() for c in rangee.cells] for rangee in element.rows]
            tableaux[int(m.group(1))] = TableauLu(
                int(m.group(1)), m.group(2), lignes[0], lignes[1:]
            )
            legende = None
    return RapportLu(tableaux=tableaux, textes=textes, titres=titres, figures=figures)
