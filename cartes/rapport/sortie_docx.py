"""The report as an editable DOCX (python-docx), for Word and LibreOffice.

What a team edits stays structured: real headings (the built-in "Titre 1/2/3" styles, so the
navigation pane and the table of contents work), Word tables with a header row repeated on
each page, figures as pictures with "Légende" captions numbered by ``SEQ`` fields (a table
of figures can be inserted), a table of contents field (refreshed when the document is
opened in Word; "Outils > Actualiser" in LibreOffice), A4 pages numbered "Page n sur N", and
French set as the document's language (spelling, hyphenation).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from cartes.rapport._commun import DependanceManquante
from cartes.rapport.modele import (
    Bloc,
    Figure,
    Liste,
    Paragraphe,
    Rapport,
    Section,
    Tableau,
    morceaux,
)

__all__ = ["ecrire_docx", "importer_docx"]

_POLICE = "Arial"
_BLEU = "16324A"
_BLEU_CLAIR = "E6EDF2"
_GRIS = "555555"


def importer_docx() -> Any:
    """The ``docx`` module (python-docx), or a French error saying how to install it."""
    try:
        import docx
    except ImportError as exc:
        raise DependanceManquante(
            "Le rapport DOCX demande python-docx : installez-le avec pip install "
            '"accessibilite[rapport]", ou demandez --formats html,pdf.'
        ) from exc
    return docx


def _element(nom: str, **attributs: str) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(nom)
    for cle, valeur in attributs.items():
        element.set(qn(cle), valeur)
    return element


def _champ_simple(paragraphe: Any, instruction: str, resultat: str, *, gras: bool = False) -> None:
    """A field (``SEQ Figure``, ``PAGE``...) with its current result in a plain run.

    A complex field (begin, instruction, separate, result, end) rather than ``fldSimple``:
    its result is an ordinary run, which every reader of the file sees as text.
    """
    _marque_champ(paragraphe, "begin", instruction)
    _marque_champ(paragraphe, "separate")
    paragraphe.add_run(resultat).bold = gras or None
    _marque_champ(paragraphe, "end")


def _marque_champ(paragraphe: Any, type_: str, instruction: str | None = None) -> None:
    run = paragraphe.add_run()
    run._r.append(_element("w:fldChar", **{"w:fldCharType": type_}))
    if instruction is not None:
        instr = _element("w:instrText", **{"xml:space": "preserve"})
        instr.text = instruction
        run._r.append(instr)


def _styles(document: Any) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    styles = document.styles
    # French: spelling, hyphenation and the names Word shows for the built-in styles
    defaut = styles.element.find(qn("w:docDefaults"))
    rpr = defaut.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = _element("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "fr-FR")
    lang.set(qn("w:eastAsia"), "fr-FR")
    lang.set(qn("w:bidi"), "ar-SA")

    normal = styles["Normal"]
    normal.font.name = _POLICE
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.15
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for cle in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(cle), _POLICE)
    for niveau, taille in ((1, 17), (2, 13), (3, 11)):
        titre = styles[f"Heading {niveau}"]
        titre.font.name = _POLICE
        titre.font.size = Pt(taille)
        titre.font.bold = True
        titre.font.color.rgb = RGBColor.from_string(_BLEU)
        titre.paragraph_format.space_before = Pt(14 if niveau > 1 else 0)
        titre.paragraph_format.space_after = Pt(6)
        titre.paragraph_format.keep_with_next = True
        titre_rfonts = titre.element.get_or_add_rPr().get_or_add_rFonts()
        for cle in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            titre_rfonts.set(qn(cle), _POLICE)
        for cle in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            titre_rfonts.attrib.pop(qn(cle), None)
    styles["Heading 1"].paragraph_format.page_break_before = True
    legende = styles["Caption"]
    legende.font.name = _POLICE
    legende.font.size = Pt(9)
    legende.font.bold = False
    legende.font.italic = False
    legende.font.color.rgb = RGBColor.from_string(_BLEU)
    legende.paragraph_format.space_after = Pt(3)
    source = styles.add_style("Source", WD_STYLE_TYPE.PARAGRAPH)
    source.base_style = normal
    source.font.size = Pt(7.5)
    source.font.color.rgb = RGBColor.from_string(_GRIS)
    source.paragraph_format.space_after = Pt(10)
    note = styles.add_style("Note", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size = Pt(8.5)
    note.font.color.rgb = RGBColor.from_string(_GRIS)
    cellule = styles.add_style("Cellule", WD_STYLE_TYPE.PARAGRAPH)
    cellule.base_style = normal
    cellule.font.size = Pt(8.5)
    cellule.paragraph_format.space_after = Pt(0)
    cellule.paragraph_format.line_spacing = 1.0
    petite = styles.add_style("Cellule petite", WD_STYLE_TYPE.PARAGRAPH)
    petite.base_style = cellule
    petite.font.size = Pt(7.5)
    for niveau in (1, 2):
        toc = styles.add_style(f"TOC {niveau}", WD_STYLE_TYPE.PARAGRAPH)
        toc.base_style = normal
        toc.paragraph_format.left_indent = Mm(7 * (niveau - 1))
        toc.paragraph_format.space_after = Pt(2 if niveau == 2 else 4)
        toc.font.bold = niveau == 1


def _page(document: Any, rapport: Rapport) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(18)
    section.left_margin = section.right_margin = Mm(18)
    section.different_first_page_header_footer = True
    entete = section.header.paragraphs[0]
    entete.text = rapport.territoire
    entete.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for run in entete.runs:
        run.font.size = Pt(7.5)
    pied = section.footer.paragraphs[0]
    pied.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pied.add_run("Page ")
    _champ_simple(pied, "PAGE", "1")
    pied.add_run(" sur ")
    _champ_simple(pied, "NUMPAGES", "1")
    for run in pied.runs:
        run.font.size = Pt(8)


def _texte(paragraphe: Any, texte: str) -> None:
    for morceau, gras in morceaux(texte):
        run = paragraphe.add_run(morceau)
        run.bold = gras or None


def _couverture(document: Any, rapport: Rapport) -> None:
    from docx.enum.text import WD_BREAK
    from docx.shared import Mm, Pt, RGBColor

    if rapport.logo:
        document.add_picture(io.BytesIO(rapport.logo), height=Mm(25))
    for _ in range(3):
        document.add_paragraph()
    surtitre = document.add_paragraph(rapport.lignes_couverture[0])
    surtitre.runs[0].font.size = Pt(10)
    surtitre.runs[0].font.color.rgb = RGBColor.from_string("4A6F8A")
    titre = document.add_paragraph(style="Title")
    run = titre.add_run(rapport.titre)
    run.font.name = _POLICE
    run.font.size = Pt(24)
    run.font.color.rgb = RGBColor.from_string(_BLEU)
    for texte, taille in ((rapport.territoire, 15), (rapport.producteur, 12), (rapport.date, 11)):
        if texte:
            p = document.add_paragraph()
            p.add_run(texte).font.size = Pt(taille)
    for _ in range(6):
        document.add_paragraph()
    for ligne in rapport.lignes_couverture[1:]:
        p = document.add_paragraph(ligne, style="Note")
    p.add_run().add_break(WD_BREAK.PAGE)


def _sommaire(document: Any, rapport: Rapport) -> None:
    """A table of contents field, filled with the headings until Word refreshes it."""
    from docx.shared import Pt

    titre = document.add_paragraph()
    run = titre.add_run("Sommaire")
    run.bold = True
    run.font.size = Pt(16)
    entrees = [s for s in rapport.toutes_sections() if s.niveau <= 2]
    for i, section in enumerate(entrees):
        p = document.add_paragraph(style=f"TOC {section.niveau}")
        if i == 0:
            _marque_champ(p, "begin", 'TOC \\o "1-2" \\h \\z \\u')
            _marque_champ(p, "separate")
        p.add_run(section.intitule)
        if i == len(entrees) - 1:
            _marque_champ(p, "end")
    document.add_paragraph(
        "Les numéros de page du sommaire s'affichent quand le champ est mis à jour : Word le "
        "propose à l'ouverture ; dans LibreOffice, Outils > Actualiser > Tout actualiser.",
        style="Note",
    )


def _legende(document: Any, etiquette: str, numero: int, titre: str) -> Any:
    p = document.add_paragraph(style="Caption")
    run = p.add_run(f"{etiquette} ")
    run.bold = True
    _champ_simple(p, f"SEQ {etiquette} \\* ARABIC", str(numero), gras=True)
    p.add_run(f" – {titre}")
    return p


def _ombrer(cellule: Any, couleur: str) -> None:
    from docx.oxml.ns import qn

    proprietes = cellule._tc.get_or_add_tcPr()
    for ancien in proprietes.findall(qn("w:shd")):
        proprietes.remove(ancien)
    proprietes.append(_element("w:shd", **{"w:val": "clear", "w:color": "auto", "w:fill": couleur}))


def _tableau(document: Any, t: Tableau) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    legende = _legende(document, "Tableau", t.numero, t.titre)
    legende.paragraph_format.keep_with_next = True
    largeurs = t.largeurs or tuple(1.0 for _ in t.colonnes)
    total = sum(largeurs) or 1.0
    utile = 174.0  # mm between the margins
    table = document.add_table(rows=1 + len(t.lignes), cols=len(t.colonnes))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    style = "Cellule petite" if t.petit else "Cellule"
    lignes = table.rows
    entete = lignes[0]
    entete._tr.get_or_add_trPr().append(_element("w:tblHeader"))
    for j, texte in enumerate(t.colonnes):
        cellule = entete.cells[j]
        p = cellule.paragraphs[0]
        p.style = document.styles[style]
        p.add_run(texte).bold = True
        if t.numeriques[j]:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _ombrer(cellule, _BLEU_CLAIR)
    for i, valeurs in enumerate(t.lignes, start=1):
        cellules = lignes[i].cells
        for j, texte in enumerate(valeurs):
            p = cellules[j].paragraphs[0]
            p.style = document.styles[style]
            p.add_run(texte)
            if t.numeriques[j]:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    # fixed layout (autofit off, above): Word reads the cells' widths, LibreOffice the grid's
    from docx.oxml.ns import qn

    colonnes_mm = [utile * largeur / total for largeur in largeurs]
    for grille, mm in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), colonnes_mm, strict=True):
        grille.set(qn("w:w"), str(int(Mm(mm).twips)))
    # rows never split across pages; the header row, and every row of a short table, stay
    # with the next one (so that a caption never ends a page alone)
    court = len(t.lignes) <= 12
    for i, ligne in enumerate(lignes):
        # schema order: cantSplit comes before tblHeader
        ligne._tr.get_or_add_trPr().insert(0, _element("w:cantSplit"))
        garder = i == 0 or (court and i < len(lignes) - 1)
        for cellule, mm in zip(ligne.cells, colonnes_mm, strict=True):
            cellule.width = Mm(mm)
            if garder:
                for paragraphe in cellule.paragraphs:
                    paragraphe.paragraph_format.keep_with_next = True
    document.add_paragraph(t.source, style="Source")


def _figure(document: Any, f: Figure) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    p = document.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = True
    p.add_run().add_picture(io.BytesIO(f.png), width=Mm(min(f.largeur_mm, 170)))
    legende = _legende(document, "Figure", f.numero, f.titre)
    legende.paragraph_format.keep_with_next = True
    document.add_paragraph(f.source, style="Source")


def _bloc(document: Any, bloc: Bloc) -> None:
    if isinstance(bloc, Paragraphe):
        style = {"note": "Note", "encadre": "Intense Quote"}.get(bloc.style)
        p = document.add_paragraph(style=style)
        _texte(p, bloc.texte)
    elif isinstance(bloc, Liste):
        for element in bloc.elements:
            _texte(document.add_paragraph(style="List Bullet"), element)
    elif isinstance(bloc, Tableau):
        _tableau(document, bloc)
    elif isinstance(bloc, Figure):
        _figure(document, bloc)


def _section(document: Any, section: Section) -> None:
    document.add_heading(section.intitule, level=section.niveau)
    for bloc in section.blocs:
        _bloc(document, bloc)
    for sous in section.sections:
        _section(document, sous)


def ecrire_docx(rapport: Rapport, chemin: str | Path) -> Path:
    """Write the report as a DOCX file.

    Raises
    ------
    DependanceManquante
        python-docx is not installed.
    """
    docx = importer_docx()
    document = docx.Document()
    _styles(document)
    _page(document, rapport)
    proprietes = document.core_properties
    proprietes.title = f"{rapport.titre} — {rapport.territoire}"
    proprietes.subject = rapport.lignes_couverture[0]
    proprietes.author = rapport.producteur or "accessibilite"
    proprietes.language = "fr-FR"
    proprietes.keywords = "SDAASP ; zones grises ; accessibilité des services"
    _couverture(document, rapport)
    _sommaire(document, rapport)
    for section in rapport.sections:
        _section(document, section)
    # ask Word to refresh the fields (table of contents, page numbers) on opening
    reglages = document.settings.element
    reglages.append(_element("w:updateFields", **{"w:val": "true"}))
    document.save(str(chemin))
    return Path(chemin)
