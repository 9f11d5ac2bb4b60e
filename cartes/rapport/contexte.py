"""The state of a report being built: the folders, the options, the running numbers.

The chapters (:mod:`cartes.rapport.chapitres_etude`, :mod:`cartes.rapport.chapitres_avec`)
are plain functions of a :class:`Contexte`: it holds what they read (the folders, the levels
chosen, the département's population), numbers the figures and tables in the order the
chapters create them, which is the reading order, and collects what is absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from cartes.dossier import NiveauCarte
from cartes.rapport._commun import TIRET, DonneesInvalides
from cartes.rapport.dossiers import Dossiers, Etude
from cartes.rapport.modele import Absence, Figure, Section, Tableau

__all__ = ["Contexte", "OptionsRapport"]


@dataclass(frozen=True)
class OptionsRapport:
    """What the user chooses (the ``rapport`` command's options).

    Attributes
    ----------
    titre
        Title of the report (default: from the département).
    territoire
        Name of the territory on the cover (default: the département's name and code).
    producteur
        Who publishes the report (cover and PDF metadata).
    logo
        A PNG or JPEG file shown on the cover.
    niveaux
        Levels to report on (default: every level of the study).
    cartes
        Draw the maps (``False``: tables and charts only, much faster).
    """

    titre: str | None = None
    territoire: str | None = None
    producteur: str | None = None
    logo: Path | None = None
    niveaux: tuple[str, ...] | None = None
    cartes: bool = True


class Contexte:
    """The folders and options of one report, and its running numbers.

    Attributes
    ----------
    d
        The folders.
    options
        The user's options.
    etude, p, table
        The base study, its ``parametres.json`` and its ``zones_grises.csv``.
    niveaux
        The levels to report on, in order.
    population_totale
        Population of the département (sum over ``zones_grises.csv``).
    absences
        What the folders cannot support, in the order found.
    """

    def __init__(self, dossiers: Dossiers, options: OptionsRapport) -> None:
        self.d = dossiers
        self.options = options
        self.etude: Etude = dossiers.base
        self.p = dossiers.base.parametres
        self.table = self.etude.table
        self.niveaux = _niveaux(self.etude, options)
        self.population_totale = float(
            pd.to_numeric(self.table["population"], errors="coerce").fillna(0).sum()
        )
        self.absences: list[Absence] = []
        self._chapitre = 0
        self._figure = 0
        self._tableau = 0

    @property
    def territoire(self) -> str:
        """The territory's name (``--territoire``, or the département's)."""
        return self.options.territoire or self.etude.carto.departement_nom

    def section(self, titre: str) -> Section:
        """A new chapter, numbered after the previous one."""
        self._chapitre += 1
        return Section(numero=str(self._chapitre), titre=titre, niveau=1)

    @staticmethod
    def sous(parent: Section, titre: str) -> Section:
        """A new sub-section of ``parent``, numbered after its last one."""
        sous = Section(
            numero=f"{parent.numero}.{len(parent.sections) + 1}",
            titre=titre,
            niveau=parent.niveau + 1,
        )
        parent.sections.append(sous)
        return sous

    def tableau(
        self,
        titre: str,
        colonnes: Sequence[str],
        lignes: Sequence[Sequence[str]],
        numeriques: Sequence[bool],
        source: str,
        *,
        largeurs: Sequence[float] | None = None,
        petit: bool = False,
    ) -> Tableau:
        """The next numbered table (see :class:`~cartes.rapport.modele.Tableau`)."""
        largeur = len(colonnes)
        if (largeurs and len(largeurs) != largeur) or any(len(x) != largeur for x in lignes):
            raise ValueError(f"table « {titre} »: rows or widths do not match its columns")
        self._tableau += 1
        return Tableau(
            numero=self._tableau,
            titre=titre,
            colonnes=tuple(colonnes),
            lignes=tuple(tuple(ligne) for ligne in lignes),
            numeriques=tuple(numeriques),
            source=source,
            largeurs=tuple(largeurs) if largeurs else None,
            petit=petit,
        )

    def figure(
        self,
        titre: str,
        png: bytes,
        largeur_mm: float,
        hauteur_mm: float,
        source: str,
        *,
        pleine_page: bool = False,
    ) -> Figure:
        """The next numbered figure (see :class:`~cartes.rapport.modele.Figure`)."""
        self._figure += 1
        return Figure(
            numero=self._figure,
            titre=titre,
            png=png,
            largeur_mm=largeur_mm,
            hauteur_mm=hauteur_mm,
            source=source,
            pleine_page=pleine_page,
        )

    def absent(self, section: str, raison: str, conseil: str = "") -> None:
        """Record that ``section`` is absent, and why (``conseil``: how to get it)."""
        self.absences.append(Absence(section, raison, conseil))

    def resume(self, nom: str) -> pd.Series:
        """The row of ``resume.csv`` of level ``nom``."""
        resume = self.etude.carto.resume
        return resume[resume["niveau"].astype(str) == nom].iloc[0]

    def nom_commune(self, code: Any) -> str:
        """``"Desvres (62268)"`` for a commune of the département, else the code."""
        code = str(code or "")
        noms = dict(zip(self.table["code"], self.table["nom"], strict=False))
        return f"{noms[code]} ({code})" if code in noms else code or TIRET


def _niveaux(etude: Etude, options: OptionsRapport) -> list[NiveauCarte]:
    tous = list(etude.niveaux)
    if options.niveaux is None:
        return tous
    noms = [n.nom for n in tous]
    inconnus = [n for n in options.niveaux if n not in noms]
    if inconnus:
        raise DonneesInvalides(
            f"Niveau(x) inconnu(s) dans --niveaux : {', '.join(inconnus)} (niveaux de "
            f"l'étude : {', '.join(noms)})."
        )
    if not options.niveaux:
        raise DonneesInvalides("--niveaux est vide : donnez au moins un niveau.")
    return [n for n in tous if n.nom in options.niveaux]
