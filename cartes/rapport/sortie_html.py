"""The report as one self-contained HTML page (Jinja2), the source of the PDF too.

Figures are embedded as ``data:`` addresses and the style sheet is inline: the page opens
with no network and no side file, and prints on A4 (a browser's "Imprimer" or WeasyPrint).
"""

from __future__ import annotations

import base64
import datetime as dt
from importlib.resources import files
from typing import Any

from cartes.rapport.modele import Figure, Liste, Paragraphe, Rapport, Tableau, morceaux

__all__ = ["rendre_html"]


def _image(donnees: bytes, type_: str = "image/png") -> str:
    return f"data:{type_};base64,{base64.b64encode(donnees).decode('ascii')}"


def _largeurs(tableau: Tableau) -> list[str]:
    largeurs = tableau.largeurs or tuple(1.0 for _ in tableau.colonnes)
    total = sum(largeurs) or 1.0
    return [f"{100 * w / total:.1f}" for w in largeurs]


def _environnement() -> Any:
    import jinja2

    modeles = files("cartes.rapport") / "modeles"
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda nom: (modeles / nom).read_text(encoding="utf-8")),
        autoescape=True,
        trim_blocks=False,
        lstrip_blocks=False,
        undefined=jinja2.StrictUndefined,
    )
    env.tests.update(
        paragraphe=lambda b: isinstance(b, Paragraphe),
        liste=lambda b: isinstance(b, Liste),
        tableau=lambda b: isinstance(b, Tableau),
        figure=lambda b: isinstance(b, Figure),
    )
    env.globals.update(image=_image, largeurs=_largeurs, morceaux=morceaux)
    return env


def rendre_html(rapport: Rapport, *, date: dt.date | None = None) -> str:
    """The report's HTML page, as text (UTF-8 when written)."""
    env = _environnement()
    css = (files("cartes.rapport") / "modeles" / "rapport.css").read_text(encoding="utf-8")
    return str(
        env.get_template("rapport.html.j2").render(
            r=rapport, css=css, date_iso=(date or dt.date.today()).isoformat()
        )
    )
