"""The report's content: every section, sentence, table and figure, built from the folders.

:func:`construire_rapport` turns :class:`~cartes.rapport.dossiers.Dossiers` into a
:class:`~cartes.rapport.modele.Rapport`. Numbers are read from the folders' files only
(``resume.csv`` for the key figures, ``resume_epci.csv`` for the EPCI tables,
``zones_grises.csv`` for the communes, the ``poles`` layer for the poles, the indicator,
scenario and sensitivity tables), and formatted the French way. What the folders cannot
support is listed in :attr:`Rapport.absences`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cartes import _style
from cartes.dossier import Niveau
from cartes.rapport import figures
from cartes.rapport._commun import (
    TIRET,
    DonneesInvalides,
    decimal,
    entier,
    minutes,
    pluriel,
    pourcent,
)
from cartes.rapport.dossiers import Dossiers, Etude, EtudePrecedente, Indicateur, Scenario
from cartes.rapport.modele import Bloc, Figure, Liste, Paragraphe, Rapport, Section, Tableau
from cartes.statique import _nom_court_epci

__all__ = ["OptionsRapport", "construire_rapport"]

#: Printed size of the A4 maps in the report (portrait, 210 × 297 scaled).
_LARGEUR_A4_MM = 155.0
_HAUTEUR_A4_MM = _LARGEUR_A4_MM * 297 / 210


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


class _Numeros:
    """Running numbers of the figures and tables, in reading order."""

    def __init__(self) -> None:
        self.figure = 0
        self.tableau = 0

    def tableau_(
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
        self.tableau += 1
        return Tableau(
            numero=self.tableau,
            titre=titre,
            colonnes=tuple(colonnes),
            lignes=tuple(tuple(ligne) for ligne in lignes),
            numeriques=tuple(numeriques),
            source=source,
            largeurs=tuple(largeurs) if largeurs else None,
            petit=petit,
        )

    def figure_(
        self,
        titre: str,
        png: bytes,
        largeur_mm: float,
        hauteur_mm: float,
        source: str,
        *,
        pleine_page: bool = False,
    ) -> Figure:
        self.figure += 1
        return Figure(
            numero=self.figure,
            titre=titre,
            png=png,
            largeur_mm=largeur_mm,
            hauteur_mm=hauteur_mm,
            source=source,
            pleine_page=pleine_page,
        )


# ---- texts from parametres.json ------------------------------------------------------


def _date_fr(valeur: Any) -> str:
    return _style.date_francaise(str(valeur or "")[:10]) if valeur else ""


def _description_source(parametres: dict[str, Any]) -> str:
    """The travel-time source in French, numbers with a decimal comma."""
    source = parametres.get("source") or {}
    nom = str(source.get("nom") or "")
    reglages = source.get("parametres") or {}
    if nom == "vol-oiseau" and "a_min" in reglages and "b_min_par_km" in reglages:
        return (
            f"estimation à vol d'oiseau ({decimal(reglages['a_min'], 2)} min + "
            f"{decimal(reglages['b_min_par_km'], 2)} min/km entre centres de communes)"
        )
    return str(source.get("description") or nom or "source non précisée")


def _annee_bpe(parametres: dict[str, Any]) -> str:
    bpe = parametres.get("bpe") or {}
    annee = bpe.get("annee") if isinstance(bpe, dict) else None
    return str(annee) if annee else ""


def _ligne_source(parametres: dict[str, Any], *fichiers: str) -> str:
    """``"Source : INSEE, BPE 2013 ; temps : ... ; calcul du ... (resume.csv)."``"""
    morceaux = []
    annee = _annee_bpe(parametres)
    morceaux.append(f"INSEE, BPE {annee}" if annee else "INSEE, BPE")
    morceaux.append(f"temps : {_description_source(parametres)}")
    if parametres.get("date"):
        morceaux.append(f"calcul du {_date_fr(parametres['date'])}")
    texte = "Source : " + " ; ".join(morceaux)
    if fichiers:
        texte += f" (fichier{'s' if len(fichiers) > 1 else ''} {', '.join(fichiers)})"
    return texte + "."


def _regle_niveau(parametres: dict[str, Any], nom: str) -> dict[str, Any]:
    """The pole rule of a level: its own in the gammes when given, else the study's."""
    for n in (parametres.get("gammes") or {}).get("niveaux") or []:
        if isinstance(n, dict) and n.get("nom") == nom and isinstance(n.get("regle"), dict):
            return dict(n["regle"])
    return dict(parametres.get("regle") or {})


def _items_gamme(parametres: dict[str, Any], nom: str) -> list[dict[str, Any]]:
    for n in (parametres.get("gammes") or {}).get("niveaux") or []:
        if isinstance(n, dict) and n.get("nom") == nom:
            return [i if isinstance(i, dict) else {"libelle": str(i)} for i in n.get("items") or []]
    return []


def _texte_regle(regle: dict[str, Any], n_items: int) -> str:
    nom = str(regle.get("nom") or "")
    if nom == "tous":
        return f"les {n_items} items de la gamme"
    if nom == "n_min" and regle.get("n_min") is not None:
        return f"au moins {entier(min(int(regle['n_min']), n_items))} items sur {n_items}"
    if nom == "part_min" and regle.get("part_min") is not None:
        part = float(regle["part_min"])
        requis = max(1, math.ceil(part * n_items - 1e-9)) if n_items else 0
        return f"au moins {pourcent(part, 0)} des {n_items} items, soit {requis}"
    return str(regle.get("description") or "règle non précisée")


def _est_regle_defaut(regle: dict[str, Any]) -> bool:
    return (
        regle.get("nom") == "part_min"
        and regle.get("part_min") is not None
        and abs(float(regle["part_min"]) - 0.5) < 1e-9
        and not regle.get("cumul_niveaux_superieurs")
    )


def _minutes_seuil(seuil: float) -> str:
    """A threshold in minutes, without a useless decimal (``10 min``, ``12,5 min``)."""
    return minutes(seuil, 0 if float(seuil).is_integer() else 1)


def _services(niveau: Niveau) -> str:
    """``"services de proximité"``, ``"services de niveau intermédiaire"``."""
    if niveau.nom == "proximite":
        return "services de proximité"
    return f"services de niveau {niveau.adjectif}"


def _epci_court(nom: Any) -> str:
    return _nom_court_epci(str(nom)) if isinstance(nom, str) and nom else TIRET


def _texte(valeur: Any) -> str:
    if valeur is None or (isinstance(valeur, float) and math.isnan(valeur)):
        return TIRET
    texte = str(valeur).strip()
    return texte or TIRET


def _incertitude(table: pd.DataFrame, nom: str) -> pd.Series | None:
    """Communes whose state is uncertain for a level, when the folder has such a column.

    Read: ``incertaine_<niveau>`` (True/False) or ``etat_<niveau>`` (``incertaine``).
    """
    if f"incertaine_{nom}" in table.columns:
        return table[f"incertaine_{nom}"].map(
            lambda v: str(v).strip().lower() in ("true", "1", "vrai", "oui")
        )
    if f"etat_{nom}" in table.columns:
        return table[f"etat_{nom}"].astype(str).str.lower().str.startswith("incertain")
    return None


def _bornes_temps(table: pd.DataFrame, nom: str) -> tuple[str, str] | None:
    for bas, haut in (
        (f"temps_{nom}_min_bas", f"temps_{nom}_min_haut"),
        (f"temps_{nom}_bas_min", f"temps_{nom}_haut_min"),
    ):
        if bas in table.columns and haut in table.columns:
            return bas, haut
    return None


# ---- the chapters --------------------------------------------------------------------


class _Constructeur:
    """Builds the sections in reading order (figure and table numbers follow it)."""

    def __init__(self, dossiers: Dossiers, options: OptionsRapport, date: dt.date) -> None:
        self.d = dossiers
        self.options = options
        self.date = date
        self.n = _Numeros()
        self.etude: Etude = dossiers.base
        self.p = dossiers.base.parametres
        self.niveaux = self._niveaux()
        self.table = self.etude.table
        self.population_totale = float(
            pd.to_numeric(self.table["population"], errors="coerce").fillna(0).sum()
        )
        self.absences: list[str] = []
        self.chapitre = 0

    def _niveaux(self) -> list[Niveau]:
        tous = list(self.etude.niveaux)
        if self.options.niveaux is None:
            return tous
        noms = [n.nom for n in tous]
        inconnus = [n for n in self.options.niveaux if n not in noms]
        if inconnus:
            raise DonneesInvalides(
                f"Niveau(x) inconnu(s) dans --niveaux : {', '.join(inconnus)} (niveaux de "
                f"l'étude : {', '.join(noms)})."
            )
        if not self.options.niveaux:
            raise DonneesInvalides("--niveaux est vide : donnez au moins un niveau.")
        return [n for n in tous if n.nom in self.options.niveaux]

    def _section(self, titre: str) -> Section:
        self.chapitre += 1
        return Section(numero=str(self.chapitre), titre=titre, niveau=1)

    @staticmethod
    def _sous(parent: Section, titre: str) -> Section:
        sous = Section(
            numero=f"{parent.numero}.{len(parent.sections) + 1}",
            titre=titre,
            niveau=parent.niveau + 1,
        )
        parent.sections.append(sous)
        return sous

    def _resume(self, nom: str) -> pd.Series:
        lignes = self.etude.carto.resume[self.etude.carto.resume["niveau"].astype(str) == nom]
        return lignes.iloc[0]

    # -- 1. summary ------------------------------------------------------------------

    def synthese(self) -> Section:
        s = self._section("Synthèse")
        pop = self.population_totale
        s.blocs.append(
            Paragraphe(
                f"Ce rapport présente le diagnostic de l'accès en voiture aux services au "
                f"public de **{self.territoire}** : {pluriel(len(self.table), 'commune')}, "
                f"{pluriel(pop, 'habitant')}. Pour chaque niveau de services du schéma, une "
                "commune est en **zone grise** quand son temps en voiture jusqu'au pôle de "
                "services le plus proche dépasse le seuil du niveau."
            )
        )
        lignes = []
        phrases = []
        for niv in self.niveaux:
            r = self._resume(niv.nom)
            lignes.append(
                (
                    niv.libelle,
                    minutes(r.get("seuil_min", niv.seuil_min), 0),
                    entier(r.get("poles", np.nan)),
                    entier(r["communes"]),
                    entier(r["population"]),
                    pourcent(r["part_population"]),
                )
            )
            phrases.append(
                f"**{niv.libelle}** (seuil {minutes(niv.seuil_min, 0)}) : "
                f"{pluriel(r['communes'], 'commune')} en zone grise, "
                f"{pluriel(r['population'], 'habitant')} ({pourcent(r['part_population'])} "
                "de la population)."
            )
        s.blocs.append(
            self.n.tableau_(
                "Chiffres clés par niveau de services",
                [
                    "Niveau",
                    "Seuil",
                    "Pôles du département",
                    "Communes en zone grise",
                    "Habitants en zone grise",
                    "Part de la population",
                ],
                lignes,
                [False, True, True, True, True, True],
                _ligne_source(self.p, "resume.csv"),
            )
        )
        s.blocs.append(Liste(tuple(phrases)))
        if len(self.niveaux) > 1:
            comptes = np.sum(
                [self.table[f"zone_grise_{n.nom}"].to_numpy(dtype=bool) for n in self.niveaux],
                axis=0,
            )
            population = pd.to_numeric(self.table["population"], errors="coerce").fillna(0)
            un = comptes > 0
            tous = comptes == len(self.niveaux)
            s.blocs.append(
                Paragraphe(
                    f"En zone grise pour au moins un niveau : "
                    f"{pluriel(un.sum(), 'commune')}, "
                    f"{pluriel(population[un].sum(), 'habitant')} "
                    f"({pourcent(population[un].sum() / pop if pop else np.nan)}) ; pour les "
                    f"{len(self.niveaux)} niveaux à la fois : {pluriel(tous.sum(), 'commune')}, "
                    f"{pluriel(population[tous].sum(), 'habitant')}."
                )
            )
            if self.options.cartes:
                s.blocs.append(
                    self.n.figure_(
                        "Nombre de niveaux de services pour lesquels chaque commune est en "
                        "zone grise",
                        figures.carte_cumul(self.etude.carto, [n.nom for n in self.niveaux]),
                        170,
                        112,
                        _ligne_source(self.p, "zones_grises.gpkg"),
                    )
                )
        return s

    # -- 2. method -------------------------------------------------------------------

    def methode(self) -> Section:
        s = self._section("Méthode")
        p = self.p
        s.blocs.append(
            Paragraphe(
                "La méthode suit le SDAASP : des niveaux de services, chacun avec sa gamme "
                "d'équipements de la Base permanente des équipements (BPE) de l'INSEE ; des "
                "pôles, communes qui possèdent assez d'items de la gamme ; un temps en voiture "
                "de chaque commune au pôle le plus proche ; une zone grise au-delà du seuil du "
                "niveau. Tout ce qui suit est lu dans le dossier de résultats : le rapport se "
                "reconstruit à l'identique à partir de lui."
            )
        )
        # sources
        sources = self._sous(s, "Sources et millésimes")
        lignes = self._lignes_sources()
        sources.blocs.append(
            self.n.tableau_(
                "Sources des données, millésimes et empreintes",
                ["Donnée", "Source", "Millésime ou date", "Fichier", "Empreinte SHA-256"],
                lignes,
                [False] * 5,
                "Source : parametres.json du dossier de résultats.",
                largeurs=[1.2, 2.2, 1.1, 1.6, 2.6],
                petit=True,
            )
        )
        controles = []
        communes = p.get("communes") or {}
        if isinstance(communes, dict) and communes.get("centres_point_interieur") is not None:
            controles.append(
                f"Centres de communes : la mairie, sauf pour "
                f"{pluriel(communes['centres_point_interieur'], 'commune')} dont la mairie est "
                "placée hors de la commune, remplacée par un point intérieur."
            )
        if isinstance(communes, dict) and communes.get("voisines") is not None:
            controles.append(
                f"Zone tampon : {pluriel(communes['voisines'], 'commune')} des départements "
                f"voisins à moins de {decimal(p.get('tampon_km'), 0)} km comptent comme pôles "
                "possibles, mais pas dans les totaux."
            )
        bpe = p.get("bpe") or {}
        if isinstance(bpe, dict) and bpe.get("codes_actualises") is not None:
            controles.append(
                f"BPE : {pluriel(bpe.get('codes_actualises'), 'ligne')} portant un code de "
                "commune fusionnée depuis le millésime rattachée(s) à la commune actuelle ; "
                f"{pluriel(bpe.get('codes_inconnus') or 0, 'ligne')} de code inconnu, "
                "ignorée(s)."
            )
        format_ = p.get("format") or {}
        logiciel = format_.get("logiciel") if isinstance(format_, dict) else None
        controles.append(
            f"Calcul du {_date_fr(p.get('date')) or 'jour non précisé'}"
            + (f", avec {logiciel}" if logiciel else "")
            + "."
        )
        sources.blocs.append(Liste(tuple(controles)))
        # gammes
        gammes = self._sous(s, "Gammes de services")
        gammes.blocs.append(
            Paragraphe(
                "Chaque item de la gamme d'un niveau est présent dans une commune quand la BPE "
                "y compte au moins un équipement d'un de ses types (codes TYPEQU). Fichier des "
                f"gammes : {(p.get('gammes') or {}).get('fichier') or 'non précisé'}."
            )
        )
        for niv in self.niveaux:
            items = _items_gamme(p, niv.nom)
            if not items:
                gammes.blocs.append(
                    Paragraphe(f"{niv.libelle} : la gamme n'est pas décrite dans le dossier.")
                )
                continue
            gammes.blocs.append(
                self.n.tableau_(
                    f"Gamme du niveau {niv.adjectif} ({len(items)} items)",
                    ["Item", "Codes TYPEQU de la BPE"],
                    [
                        (
                            str(i.get("libelle") or i.get("nom")),
                            ", ".join(str(c) for c in i.get("typequ") or []) or TIRET,
                        )
                        for i in items
                    ],
                    [False, False],
                    "Source : parametres.json (gammes).",
                    largeurs=[3, 2],
                    petit=True,
                )
            )
        # pole rule
        regle = self._sous(s, "Règle de pôle par niveau")
        lignes = []
        for niv in self.niveaux:
            r = _regle_niveau(p, niv.nom)
            poles = self.etude.carto.poles
            du_niveau = poles[poles["niveau"] == niv.nom]
            hors = du_niveau["hors_departement"].to_numpy(dtype=bool)
            lignes.append(
                (
                    niv.libelle,
                    _texte_regle(r, len(_items_gamme(p, niv.nom))),
                    entier((~hors).sum()),
                    entier(hors.sum()),
                )
            )
        regle.blocs.append(
            self.n.tableau_(
                "Règle de pôle et nombre de pôles par niveau",
                [
                    "Niveau",
                    "Une commune est pôle si elle possède",
                    "Pôles du département",
                    "Pôles hors département",
                ],
                lignes,
                [False, False, True, True],
                "Source : parametres.json (règle, gammes) et couche poles de zones_grises.gpkg.",
                largeurs=[1.2, 3, 1.1, 1.1],
            )
        )
        regle_etude = dict(p.get("regle") or {})
        if regle_etude.get("cumul_niveaux_superieurs"):
            regle.blocs.append(
                Paragraphe(
                    "Un pôle d'un niveau supérieur compte aussi comme pôle des niveaux "
                    "inférieurs (option --cumul)."
                )
            )
        if regle_etude.get("justification") or regle_etude.get("origine"):
            choix = str(regle_etude.get("justification") or regle_etude.get("origine"))
        elif _est_regle_defaut(regle_etude):
            choix = (
                "Le SDAASP dit seulement qu'une commune est pôle quand elle possède « un seuil "
                "des services présents » dans la gamme, sans fixer ce seuil. La règle appliquée "
                "est celle de l'outil par défaut : au moins la moitié des items, le seuil que "
                "l'INSEE retient pour ses « pôles de services » des bassins de vie. Chaque "
                "niveau est jugé sur sa propre gamme."
            )
        else:
            choix = (
                "Le SDAASP ne fixe pas le seuil d'items qui fait un pôle : la règle ci-dessus a "
                "été choisie par l'équipe au lancement du calcul (options --regle, --n-min, "
                "--part-min de « accessibilite zones-grises »)."
            )
        if self.etude.sensibilite is not None:
            choix += (
                " La section « Sensibilité à la règle de pôle » montre comment les zones "
                "grises changent avec elle."
            )
        regle.blocs.append(Paragraphe(choix))
        # thresholds
        seuils = self._sous(s, "Seuils de temps et zones grises")
        seuils.blocs.append(
            self.n.tableau_(
                "Seuil de temps acceptable par niveau",
                ["Niveau", "Seuil", "Une commune est en zone grise si"],
                [
                    (
                        niv.libelle,
                        minutes(niv.seuil_min, 0),
                        f"son temps au {_style.nom_pole(niv)} le plus proche dépasse "
                        f"{minutes(niv.seuil_min, 0)}, ou aucun pôle n'est atteignable",
                    )
                    for niv in self.niveaux
                ],
                [False, True, False],
                "Source : parametres.json (gammes, seuils).",
                largeurs=[1.2, 0.8, 4],
            )
        )
        seuils.blocs.append(
            Paragraphe(
                "Les temps vont du centre de la commune (la mairie) au centre de la commune "
                "pôle, en voiture ; une commune pôle est à 0 min de ses propres services. "
                f"Source des temps : {_description_source(p)}."
            )
        )
        # limits
        limites = self._sous(s, "Limites")
        limites.blocs.append(Liste(tuple(self._limites())))
        return s

    def _lignes_sources(self) -> list[tuple[str, ...]]:
        p = self.p
        lignes: list[tuple[str, ...]] = []
        bpe = p.get("bpe") or {}
        provenance = [e for e in p.get("provenance") or [] if isinstance(e, dict)]
        vus = set()
        if isinstance(bpe, dict) and bpe:
            lignes.append(
                (
                    "Équipements",
                    "INSEE, Base permanente des équipements"
                    + (f" ({bpe['format']})" if bpe.get("format") else ""),
                    str(bpe.get("annee") or TIRET),
                    Path(str(bpe.get("fichier") or TIRET)).name,
                    _empreinte(bpe.get("sha256")),
                )
            )
            vus.add("bpe")
        communes = p.get("communes") or {}
        source = p.get("source") or {}
        for entree in provenance:
            nom = str(entree.get("nom") or "")
            if nom.lower() == "bpe" and "bpe" in vus:
                continue
            fichier = str(entree.get("fichier") or entree.get("url") or TIRET)
            if "/" in fichier and not fichier.startswith("http"):
                fichier = Path(fichier).name
            quand = _date_fr(entree.get("date")) or str(entree.get("annee") or TIRET)
            libelle = nom or "Source"
            detail = libelle
            if nom.lower().startswith("communes") and isinstance(communes, dict):
                detail = str(communes.get("source") or nom)
                libelle = "Communes"
            lignes.append((libelle, detail, quand, fichier, _empreinte(entree.get("sha256"))))
        lignes.append(
            (
                "Temps de trajet",
                _description_source(p),
                TIRET,
                Path(str((source.get("parametres") or {}).get("fichier") or TIRET)).name,
                TIRET,
            )
        )
        return lignes

    def _limites(self) -> list[str]:
        p = self.p
        source = p.get("source") or {}
        nom = str(source.get("nom") or "")
        limites = []
        if nom == "vol-oiseau":
            limites.append(
                "**Les temps sont une estimation** à vol d'oiseau "
                f"({_description_source(p).split('(', 1)[-1].rstrip(')')}), ajustée sur les "
                "temps Metric-OSRM en Hauts-de-France (R² 0,93) : ni le tracé des routes, ni "
                "les coupures (fleuves, relief), ni la circulation ne sont pris en compte. "
                "Une commune proche d'un seuil peut changer de classe avec des temps routiers."
            )
        elif nom == "matrice":
            limites.append(
                "Les temps viennent d'une matrice importée (Odomatrix ou Metric) : ils valent "
                "ce que vaut cette matrice (heure, réseau, millésime)."
            )
        else:
            limites.append(
                "Les temps viennent du réseau routier OpenStreetMap avec un modèle de vitesses "
                "à l'heure pleine : ce modèle n'observe pas la circulation réelle."
            )
        limites.append(
            "Temps de centre à centre : le trajet à l'intérieur de la commune n'est pas "
            "compté, et une commune pôle est à 0 min de ses services."
        )
        annee = _annee_bpe(p)
        if annee:
            limites.append(
                f"Équipements de la BPE {annee} : l'offre a pu changer depuis ; la BPE compte "
                "les équipements, pas leurs horaires ni leur capacité."
            )
        limites.append(
            "Un item est présent dès qu'un équipement existe dans la commune : la règle de "
            "pôle ne pèse ni le nombre ni la taille des équipements."
        )
        bandes = False
        for niv in self.niveaux:
            incertaines = _incertitude(self.table, niv.nom)
            if incertaines is not None:
                bandes = True
                limites.append(
                    f"{niv.libelle} : {pluriel(incertaines.sum(), 'commune')} "
                    "incertaine(s) : l'intervalle d'erreur de leur temps enjambe le seuil."
                )
        if not bandes:
            proches = []
            for niv in self.niveaux:
                t = pd.to_numeric(self.table[f"temps_{niv.nom}_min"], errors="coerce")
                proches.append(f"{niv.adjectif} {entier(((t - niv.seuil_min).abs() <= 1).sum())}")
            limites.append(
                "Pas de bande d'incertitude dans ce dossier : chaque commune est classée sans "
                "marge. Communes à moins d'une minute du seuil, qu'une petite erreur de temps "
                f"ferait changer de côté : {', '.join(proches)}."
            )
        return limites

    # -- one chapter per level -------------------------------------------------------

    def niveau(self, niv: Niveau) -> Section:
        s = self._section(f"{_services(niv).capitalize()} ({minutes(niv.seuil_min, 0)})")
        source = _ligne_source(self.p, "zones_grises.gpkg")
        if self.options.cartes:
            # the map right under the chapter's title: both fill the chapter's first page
            s.blocs.append(
                self.n.figure_(
                    f"Zones grises des {_services(niv)} — temps au {_style.nom_pole(niv)} le "
                    "plus proche",
                    figures.carte_niveau(self.etude.carto, niv.nom),
                    _LARGEUR_A4_MM,
                    _HAUTEUR_A4_MM,
                    source,
                    pleine_page=True,
                )
            )
        resume = self._sous(s, "Résumé")
        r = self._resume(niv.nom)
        t = pd.to_numeric(self.table[f"temps_{niv.nom}_min"], errors="coerce")
        population = pd.to_numeric(self.table["population"], errors="coerce").fillna(0)
        atteint = t.notna()
        moyen = (
            float((t[atteint] * population[atteint]).sum() / population[atteint].sum())
            if population[atteint].sum() > 0
            else np.nan
        )
        poles = self.etude.carto.poles
        du_niveau = poles[poles["niveau"] == niv.nom]
        hors = int(du_niveau["hors_departement"].to_numpy(dtype=bool).sum())
        sans_pole = int((~atteint).sum())
        noms_pole = (_style.nom_pole(niv), _style.nom_pole(niv, pluriel=True))
        texte = (
            f"{pluriel(len(du_niveau) - hors, *noms_pole)} "
            f"dans le département et {entier(hors)} hors département (zone tampon). "
            f"En zone grise (plus de {minutes(niv.seuil_min, 0)}) : "
            f"**{pluriel(r['communes'], 'commune')}**, **{pluriel(r['population'], 'habitant')}**, "
            f"soit **{pourcent(r['part_population'])}** de la population du département. "
            f"Temps moyen au pôle le plus proche, pondéré par la population : {minutes(moyen)} ; "
            f"temps le plus long : {minutes(t.max())}."
        )
        if sans_pole:
            texte += (
                f" {pluriel(sans_pole, 'commune')} sans pôle atteignable, comptée(s) en zone grise."
            )
        resume.blocs.append(Paragraphe(texte))
        # per EPCI
        par_epci = self._sous(s, "Par intercommunalité (EPCI)")
        epci = self.etude.carto.resume_epci
        epci = epci[epci["niveau"].astype(str) == niv.nom].copy()
        epci = epci.sort_values(["part_population", "epci_nom"], ascending=[False, True])
        par_epci.blocs.append(
            self.n.tableau_(
                f"Zones grises des {_services(niv)} par EPCI",
                [
                    "EPCI",
                    "Communes",
                    "Habitants",
                    "Communes en zone grise",
                    "Habitants en zone grise",
                    "Part des habitants",
                ],
                [
                    (
                        _epci_court(e["epci_nom"]),
                        entier(e.get("communes_total", np.nan)),
                        entier(e.get("population_totale", np.nan)),
                        entier(e["communes"]),
                        entier(e["population"]),
                        pourcent(e["part_population"]),
                    )
                    for _, e in epci.iterrows()
                ],
                [False, True, True, True, True, True],
                _ligne_source(self.p, "resume_epci.csv"),
                largeurs=[3, 1, 1.2, 1.1, 1.2, 1],
            )
        )
        # poles
        liste = self._sous(s, "Pôles")
        liste.blocs.append(self._tableau_poles(niv, du_niveau))
        # communes in zone grise
        zg = self._sous(s, "Communes en zone grise")
        zg.blocs.append(self._communes_zone_grise(niv))
        return s

    def _tableau_poles(self, niv: Niveau, poles: pd.DataFrame) -> Bloc:
        if poles.empty:
            return Paragraphe(
                f"Aucun {_style.nom_pole(niv)} : aucune commune de la zone étudiée ne possède "
                "assez d'items de la gamme ; aucun temps n'est calculable pour ce niveau."
            )
        epci_de = dict(zip(self.table["code"], self.table["epci_nom"], strict=False))

        def nom(ligne: pd.Series) -> str:
            n_items, n_gamme = ligne.get("n_items"), ligne.get("n_items_gamme")
            if pd.notna(n_items) and pd.notna(n_gamme):
                return f"{ligne['nom']} ({int(n_items)}/{int(n_gamme)})"
            return str(ligne["nom"])

        # outside the département, only the poles that serve a commune of it
        servis = set(self.table[f"pole_{niv.nom}"].dropna().astype(str))
        hors = poles["hors_departement"].to_numpy(dtype=bool)
        groupes: dict[str, list[str]] = {}
        for _, ligne in poles.sort_values("nom").iterrows():
            if bool(ligne["hors_departement"]):
                if str(ligne["code"]) not in servis:
                    continue
                cle = "~hors"
            else:
                cle = str(epci_de.get(str(ligne["code"]), "") or "EPCI inconnu")
            groupes.setdefault(cle, []).append(nom(ligne))
        lignes = []
        tampon = decimal(self.p.get("tampon_km"), 0)
        for cle in sorted(groupes, key=lambda c: (c == "~hors", c)):
            libelle = (
                f"Hors du département : les plus proches d'une commune du département (sur "
                f"{entier(hors.sum())} dans la zone tampon de {tampon} km)"
                if cle == "~hors"
                else _epci_court(cle)
            )
            lignes.append((libelle, entier(len(groupes[cle])), ", ".join(groupes[cle])))
        return self.n.tableau_(
            f"{_style.nom_pole(niv, pluriel=True).capitalize()} par EPCI (entre parenthèses : "
            "items de la gamme présents / items de la gamme)",
            ["EPCI", "Pôles", "Communes pôles"],
            lignes,
            [False, True, False],
            "Source : couche poles de zones_grises.gpkg ; EPCI de zones_grises.csv.",
            largeurs=[1.6, 0.6, 5],
            petit=True,
        )

    def _communes_zone_grise(self, niv: Niveau) -> Bloc:
        table = self.table
        incertaines = _incertitude(table, niv.nom)
        masque = table[f"zone_grise_{niv.nom}"].to_numpy(dtype=bool)
        if incertaines is not None:
            masque = masque | incertaines.to_numpy(dtype=bool)
        choisies = table[masque].copy()
        if choisies.empty:
            return Paragraphe(f"Aucune commune en zone grise pour les {_services(niv)}.")
        choisies["_t"] = pd.to_numeric(choisies[f"temps_{niv.nom}_min"], errors="coerce")
        choisies = choisies.sort_values(["_t", "nom"], ascending=[False, True], na_position="first")
        colonnes = ["Commune", "Code", "EPCI", "Habitants", "Temps au pôle", "Pôle le plus proche"]
        numeriques = [False, False, False, True, True, False]
        bornes = _bornes_temps(table, niv.nom)
        lignes = []
        for _, c in choisies.iterrows():
            ligne = [
                str(c["nom"]),
                str(c["code"]),
                _epci_court(c["epci_nom"]),
                entier(c["population"]),
                minutes(c["_t"]) if pd.notna(c["_t"]) else "aucun pôle",
                _texte(c.get(f"pole_{niv.nom}_nom")),
            ]
            if incertaines is not None:
                etat = "incertaine" if bool(incertaines.at[c.name]) else "zone grise"
                if bornes:
                    etat += f" ({minutes(c[bornes[0]])} à {minutes(c[bornes[1]])})"
                ligne.append(etat)
            lignes.append(tuple(ligne))
        if incertaines is not None:
            colonnes.append("État")
            numeriques.append(False)
        return self.n.tableau_(
            f"Communes en zone grise des {_services(niv)}"
            + (" (et incertaines)" if incertaines is not None else "")
            + ", de la plus éloignée à la moins éloignée",
            colonnes,
            lignes,
            numeriques,
            _ligne_source(self.p, "zones_grises.csv"),
            largeurs=[2.2, 0.9, 2.2, 1, 1, 2.2],
            petit=True,
        )

    # -- indicators -------------------------------------------------------------------

    def indicateurs(self) -> Section | None:
        if not self.d.indicateurs:
            self.absences.append(
                "Indicateurs d'accès par service : aucun dossier d'indicateur (produisez-les "
                "avec « accessibilite indicateur » et donnez-les avec --avec, ou rangez-les "
                "dans le dossier de base)."
            )
            return None
        s = self._section("Accès aux services : indicateurs")
        s.blocs.append(
            Paragraphe(
                "Pour chaque service, le temps en voiture de chaque commune à la commune "
                "équipée la plus proche (0 min pour une commune équipée ; les équipements des "
                "communes voisines comptent), le temps moyen pondéré par la population et la "
                "part des habitants au-delà du seuil du service."
            )
        )
        for ind in self.d.indicateurs:
            self._indicateur(s, ind)
        return s

    def _indicateur(self, parent: Section, ind: Indicateur) -> None:
        service = ind.parametres.get("service") or {}
        codes = ", ".join(str(c) for c in service.get("typequ") or [])
        s = self._sous(parent, f"{ind.libelle}" + (f" ({codes})" if codes else ""))
        r = ind.resume
        premier = ind.seuils[0]
        nom_seuil = [f"{x:g}".replace(".", "_") for x in ind.seuils]
        source = _ligne_source(ind.parametres)
        phrases = [
            f"{pluriel(r['communes'], 'commune')}, {pluriel(r['population'], 'habitant')} ; "
            f"temps moyen à la commune équipée la plus proche, pondéré par la population : "
            f"**{minutes(r['temps_moyen_min'])}** ; temps le plus long : "
            f"{minutes(r['temps_max_min'])}."
        ]
        for seuil, cle in zip(ind.seuils, nom_seuil, strict=True):
            phrases.append(
                f"Au-delà de {_minutes_seuil(seuil)} : "
                f"**{pluriel(r[f'population_au_dela_{cle}'], 'habitant')}** "
                f"({pourcent(r[f'part_au_dela_{cle}'])}), "
                f"{pluriel(r[f'communes_au_dela_{cle}'], 'commune')}."
            )
        if int(r.get("communes_sans_acces", 0) or 0):
            phrases.append(
                f"Sans équipement atteignable : {pluriel(r['communes_sans_acces'], 'commune')}."
            )
        if "apl_moyenne_pour_100000" in r.index:
            phrases.append(
                "Accessibilité potentielle localisée (APL) moyenne : "
                f"{decimal(r['apl_moyenne_pour_100000'])} équipements pour 100 000 habitants."
            )
        equipements = ind.parametres.get("equipements") or {}
        if isinstance(equipements, dict) and equipements.get("nombre_departement") is not None:
            phrases.append(
                f"Équipements dans le département : {entier(equipements['nombre_departement'])}, "
                f"dans {pluriel(equipements.get('communes_equipees_departement'), 'commune')}."
            )
        if service.get("note"):
            phrases.append(str(service["note"]))
        pop_col = str(ind.parametres.get("colonne_population") or "population")
        if pop_col != "population":
            phrases.append(f"Population pondérant les résultats : {pop_col}.")
        s.blocs.append(Liste(tuple(phrases)))
        if self.options.cartes and ind.communes is not None:
            s.blocs.append(
                self.n.figure_(
                    f"{ind.libelle} : temps en voiture à la commune équipée la plus proche",
                    figures.carte_indicateur(ind.communes, premier),
                    170,
                    112,
                    source.removesuffix(".") + " (fichier indicateur.gpkg).",
                )
            )
        temps = pd.to_numeric(ind.table["temps_min"], errors="coerce").to_numpy(dtype=float)
        poids = pd.to_numeric(
            ind.table[pop_col] if pop_col in ind.table else ind.table["population"], errors="coerce"
        ).fillna(0)
        s.blocs.append(
            self.n.figure_(
                f"{ind.libelle} : habitants par classe de temps à la commune équipée la plus "
                "proche",
                figures.graphique_distribution(temps, poids.to_numpy(dtype=float), premier),
                160,
                75,
                source.removesuffix(".") + " (fichier indicateur.csv).",
            )
        )
        cle = nom_seuil[0]
        epci = ind.resume_epci.sort_values(
            [f"part_au_dela_{cle}", "epci_nom"], ascending=[False, True]
        )
        s.blocs.append(
            self.n.tableau_(
                f"{ind.libelle} par EPCI",
                [
                    "EPCI",
                    "Communes",
                    "Habitants",
                    "Temps moyen",
                    "Temps max.",
                    f"Habitants au-delà de {_minutes_seuil(premier)}",
                    "Part",
                ],
                [
                    (
                        _epci_court(e["epci_nom"]),
                        entier(e["communes"]),
                        entier(e["population"]),
                        minutes(e["temps_moyen_min"]),
                        minutes(e["temps_max_min"]),
                        entier(e[f"population_au_dela_{cle}"]),
                        pourcent(e[f"part_au_dela_{cle}"]),
                    )
                    for _, e in epci.iterrows()
                ],
                [False, True, True, True, True, True, True],
                source.removesuffix(".") + " (fichier resume_epci.csv).",
                largeurs=[3, 1, 1.2, 1, 1, 1.3, 0.9],
            )
        )
        loin = ind.plus_eloignees
        s.blocs.append(
            self.n.tableau_(
                f"{ind.libelle} : communes les plus éloignées",
                ["Commune", "Code", "EPCI", "Habitants", "Temps", "Commune équipée la plus proche"],
                [
                    (
                        str(c["nom"]),
                        str(c["code"]),
                        _epci_court(c.get("epci_nom")),
                        entier(c["population"]),
                        minutes(c["temps_min"]) if pd.notna(c["temps_min"]) else "aucun accès",
                        _texte(c.get("commune_equipee_nom")),
                    )
                    for _, c in loin.iterrows()
                ],
                [False, False, False, True, True, False],
                source.removesuffix(".") + " (fichier communes_les_plus_eloignees.csv).",
                largeurs=[2.2, 0.9, 2.2, 1, 1, 2.2],
                petit=True,
            )
        )

    # -- sensitivity ------------------------------------------------------------------

    def sensibilite(self) -> Section | None:
        table = self.etude.sensibilite
        if table is None:
            self.absences.append(
                "Sensibilité à la règle de pôle : le dossier n'a pas de sensibilite.csv "
                "(relancez « accessibilite zones-grises » avec --sensibilite)."
            )
            return None
        noms = [n.nom for n in self.niveaux]
        table = table[table["niveau"].astype(str).isin(noms)]
        s = self._section("Sensibilité à la règle de pôle")
        regle_etude = str((self.p.get("regle") or {}).get("description") or "")
        s.blocs.append(
            Paragraphe(
                "Le SDAASP ne fixe pas le nombre d'items qui fait un pôle. Le même calcul, "
                "refait avec d'autres règles, montre combien de communes et d'habitants "
                "passent en zone grise ou en sortent selon ce choix."
            )
        )
        libelles = [(n.nom, n.libelle) for n in self.niveaux]
        s.blocs.append(
            self.n.figure_(
                "Communes en zone grise et part de la population selon la règle de pôle",
                figures.graphique_sensibilite(table, libelles, regle_etude or None),
                160,
                120,
                _ligne_source(self.p, "sensibilite.csv"),
            )
        )
        libelle_de = dict(libelles)
        s.blocs.append(
            self.n.tableau_(
                "Pôles et zones grises selon la règle de pôle",
                ["Règle", "Niveau", "Pôles", "Communes en zone grise", "Habitants", "Part"],
                [
                    (
                        str(r["regle"]).removeprefix("pôle = ")
                        + (" (règle de l'étude)" if str(r["regle"]) == regle_etude else ""),
                        libelle_de.get(str(r["niveau"]), str(r["niveau"])),
                        entier(r["poles"]),
                        entier(r["communes"]),
                        entier(r["population"]),
                        pourcent(r["part_population"]),
                    )
                    for _, r in table.iterrows()
                ],
                [False, False, True, True, True, True],
                _ligne_source(self.p, "sensibilite.csv"),
                largeurs=[3.2, 1.2, 0.8, 1, 1.1, 0.8],
                petit=True,
            )
        )
        return s

    # -- comparison with previous studies ---------------------------------------------

    def comparaison(self) -> Section | None:
        if not self.d.precedentes:
            self.absences.append(
                "Comparaison avec une étude précédente : aucune (donnez le dossier de zones "
                "grises de l'étude précédente avec --avec)."
            )
            return None
        s = self._section("Comparaison avec l'étude précédente")
        for prec in self.d.precedentes:
            self._comparaison(s, prec)
        return s

    def _comparaison(self, parent: Section, prec: EtudePrecedente) -> None:
        quand = _date_fr(prec.parametres.get("date")) or prec.chemin.name
        s = self._sous(parent, f"Étude du {quand}")
        pp = prec.parametres
        s.blocs.append(
            Paragraphe(
                f"Étude précédente : dossier {prec.chemin.name}, BPE "
                f"{_annee_bpe(pp) or 'non précisée'}, temps : {_description_source(pp)}, "
                f"règle : {(pp.get('regle') or {}).get('description') or 'non précisée'}. "
                f"Étude actuelle : BPE {_annee_bpe(self.p) or 'non précisée'}, temps : "
                f"{_description_source(self.p)}, règle : "
                f"{(self.p.get('regle') or {}).get('description') or 'non précisée'}."
            )
        )
        actuels = set(self.table["code"])
        anciens = set(prec.table["code"])
        if actuels != anciens:
            s.blocs.append(
                Paragraphe(
                    f"Géographie : {pluriel(len(anciens - actuels), 'code')} de commune de "
                    f"l'étude précédente absent(s) de l'actuelle, {entier(len(actuels - anciens))} "
                    "nouveau(x) (fusions de communes) ; les communes sont comparées sur leurs "
                    "codes communs.",
                    style="note",
                )
            )
        communs = actuels & anciens
        lignes = []
        libelles, avant, apres = [], [], []
        for niv in self.niveaux:
            colonne = f"zone_grise_{niv.nom}"
            if colonne not in prec.table.columns:
                lignes.append((niv.libelle, *([TIRET] * 8)))
                continue
            a = set(prec.table.loc[prec.table[colonne], "code"]) & communs
            b = set(self.table.loc[self.table[colonne], "code"]) & communs
            r_avant = prec.resume[prec.resume["niveau"].astype(str) == niv.nom]
            r_apres = self._resume(niv.nom)
            n_avant = float(r_avant["communes"].iloc[0]) if len(r_avant) else np.nan
            pop_avant = float(r_avant["population"].iloc[0]) if len(r_avant) else np.nan
            union = a | b
            lignes.append(
                (
                    niv.libelle,
                    entier(n_avant),
                    entier(r_apres["communes"]),
                    decimal(float(r_apres["communes"]) / n_avant, 2) if n_avant else TIRET,
                    entier(pop_avant),
                    entier(r_apres["population"]),
                    entier(len(a & b)),
                    f"{entier(len(a - b))} / {entier(len(b - a))}",
                    decimal(len(a & b) / len(union), 2) if union else TIRET,
                )
            )
            libelles.append(niv.libelle)
            avant.append(n_avant)
            apres.append(float(r_apres["communes"]))
        s.blocs.append(
            self.n.tableau_(
                "Communes et habitants en zone grise : étude précédente et étude actuelle",
                [
                    "Niveau",
                    "Communes (précédente)",
                    "Communes (actuelle)",
                    "Rapport",
                    "Habitants (précédente)",
                    "Habitants (actuelle)",
                    "Dans les deux",
                    "Seulement précédente / actuelle",
                    "Indice de Jaccard",
                ],
                lignes,
                [False] + [True] * 8,
                f"Source : resume.csv et zones_grises.csv des dossiers {prec.chemin.name} et "
                f"{self.etude.chemin.name}.",
                petit=True,
            )
        )
        s.blocs.append(
            Paragraphe(
                "Rapport : communes de l'étude actuelle divisées par celles de la précédente. "
                "Indice de Jaccard : communes en zone grise dans les deux études, divisées par "
                "celles qui le sont dans l'une au moins (1 : mêmes communes).",
                style="note",
            )
        )
        if libelles:
            s.blocs.append(
                self.n.figure_(
                    "Communes en zone grise par niveau, étude précédente et étude actuelle",
                    figures.graphique_comparaison(
                        libelles, avant, apres, (f"étude du {quand}", "étude actuelle")
                    ),
                    150,
                    65,
                    f"Source : resume.csv des dossiers {prec.chemin.name} et "
                    f"{self.etude.chemin.name}.",
                )
            )
        # per EPCI, side by side
        actuel = self.etude.carto.resume_epci
        colonnes = ["EPCI"]
        for niv in self.niveaux:
            colonnes += [f"{niv.libelle} (préc.)", f"{niv.libelle} (act.)"]
        lignes_epci = []
        for code, groupe in actuel.groupby("epci_code"):
            ligne = [_epci_court(groupe["epci_nom"].iloc[0])]
            for niv in self.niveaux:
                ancien = prec.resume_epci[
                    (prec.resume_epci["epci_code"] == code)
                    & (prec.resume_epci["niveau"].astype(str) == niv.nom)
                ]
                nouveau = groupe[groupe["niveau"].astype(str) == niv.nom]
                ligne += [
                    entier(ancien["communes"].iloc[0]) if len(ancien) else TIRET,
                    entier(nouveau["communes"].iloc[0]) if len(nouveau) else TIRET,
                ]
            lignes_epci.append(tuple(ligne))
        lignes_epci.sort(key=lambda ligne: ligne[0])
        s.blocs.append(
            self.n.tableau_(
                "Communes en zone grise par EPCI : étude précédente et étude actuelle",
                colonnes,
                lignes_epci,
                [False] + [True] * (len(colonnes) - 1),
                f"Source : resume_epci.csv des dossiers {prec.chemin.name} et "
                f"{self.etude.chemin.name}.",
                petit=True,
            )
        )

    # -- scenarios --------------------------------------------------------------------

    def scenarios(self) -> Section | None:
        if not self.d.scenarios:
            self.absences.append(
                "Scénarios : aucun (produisez-les avec « accessibilite scenario » et donnez-les "
                "avec --avec, ou rangez-les dans le dossier de base)."
            )
            return None
        s = self._section("Scénarios")
        s.blocs.append(
            Paragraphe(
                "Chaque scénario modifie les équipements ou les pôles de l'étude, puis recalcule "
                "les temps qui changent : il montre les communes qui entrent en zone grise ou "
                "en sortent."
            )
        )
        for sc in self.d.scenarios:
            self._scenario(s, sc)
        return s

    def _scenario(self, parent: Section, sc: Scenario) -> None:
        s = self._sous(parent, sc.description)
        modifs = sc.parametres.get("modifications") or {}
        elements = []
        for ajout in modifs.get("ajouts") or []:
            elements.append(
                f"Ajout : {entier(ajout.get('nombre', 1))} équipement(s) {ajout.get('typequ')} "
                f"à {self._nom_commune(ajout.get('commune'))}."
            )
        for retrait in modifs.get("retraits") or []:
            nombre = retrait.get("nombre")
            elements.append(
                f"Retrait : {entier(nombre) + ' ' if nombre else 'tous les '}équipement(s) "
                f"{retrait.get('typequ')} de {self._nom_commune(retrait.get('commune'))}."
            )
        for pole in modifs.get("poles") or []:
            quoi = "pôle forcé" if pole.get("actif", True) else "pôle supprimé"
            elements.append(
                f"{quoi.capitalize()} : {self._nom_commune(pole.get('commune'))}, niveau "
                f"{pole.get('niveau')}."
            )
        if elements:
            s.blocs.append(Liste(tuple(elements)))
        noms = [n.nom for n in self.niveaux]
        libelle_de = {n.nom: n.libelle for n in self.niveaux}
        bilan = sc.bilan[sc.bilan["niveau"].astype(str).isin(noms)]
        source = f"Source : bilan.csv et avant_apres.csv du dossier {sc.chemin.name}."
        s.blocs.append(
            self.n.tableau_(
                f"Bilan du scénario « {sc.description} » par niveau",
                [
                    "Niveau",
                    "Pôles avant → après",
                    "Communes en zone grise avant → après",
                    "Habitants en zone grise avant → après",
                    "Entrent (communes, habitants)",
                    "Sortent (communes, habitants)",
                    "Temps moyen avant → après",
                ],
                [
                    (
                        libelle_de.get(str(b["niveau"]), str(b["niveau"])),
                        f"{entier(b['poles_avant'])} → {entier(b['poles_apres'])}",
                        f"{entier(b['communes_zone_grise_avant'])} → "
                        f"{entier(b['communes_zone_grise_apres'])}",
                        f"{entier(b['population_zone_grise_avant'])} → "
                        f"{entier(b['population_zone_grise_apres'])}",
                        f"{entier(b['communes_entrant'])}, {entier(b['population_entrant'])}",
                        f"{entier(b['communes_sortant'])}, {entier(b['population_sortant'])}",
                        f"{minutes(b['temps_moyen_avant_min'], 2)} → "
                        f"{minutes(b['temps_moyen_apres_min'], 2)}",
                    )
                    for _, b in bilan.iterrows()
                ],
                [False] + [True] * 6,
                source,
                petit=True,
            )
        )
        changes = sc.avant_apres[
            sc.avant_apres["niveau"].astype(str).isin(noms)
            & sc.avant_apres["changement"]
            .astype(str)
            .isin(["entre en zone grise", "sort de zone grise"])
        ].copy()
        if changes.empty:
            s.blocs.append(Paragraphe("Aucune commune n'entre en zone grise ni n'en sort."))
            return
        changes["_ordre"] = changes["niveau"].map({n: i for i, n in enumerate(noms)})
        changes = changes.sort_values(["_ordre", "changement", "nom"])
        s.blocs.append(
            self.n.tableau_(
                f"Communes qui entrent en zone grise ou en sortent (scénario « {sc.description} »)",
                [
                    "Niveau",
                    "Commune",
                    "EPCI",
                    "Habitants",
                    "Temps avant",
                    "Temps après",
                    "Pôle après",
                    "Changement",
                ],
                [
                    (
                        libelle_de.get(str(c["niveau"]), str(c["niveau"])),
                        str(c["nom"]),
                        _epci_court(c["epci_nom"]),
                        entier(c["population"]),
                        minutes(c["temps_avant_min"]),
                        minutes(c["temps_apres_min"]),
                        _texte(c["pole_apres_nom"]),
                        str(c["changement"]),
                    )
                    for _, c in changes.iterrows()
                ],
                [False, False, False, True, True, True, False, False],
                source,
                largeurs=[1.1, 2, 2, 1, 1, 1, 2, 1.4],
                petit=True,
            )
        )

    def _nom_commune(self, code: Any) -> str:
        code = str(code or "")
        noms = dict(zip(self.table["code"], self.table["nom"], strict=False))
        return f"{noms[code]} ({code})" if code in noms else code or TIRET

    # -- annex ------------------------------------------------------------------------

    def annexe(self, commande: str | None) -> Section:
        s = self._section("À propos de ce rapport")
        s.blocs.append(
            Paragraphe(
                "Les chiffres, tableaux et cartes de ce rapport sont lus dans les fichiers "
                "ci-dessous, et seulement dans eux : les mêmes fichiers donnent le même rapport. "
                "Les empreintes SHA-256 permettent de vérifier qu'un fichier n'a pas changé."
            )
        )
        lignes = []
        dossiers: list[tuple[Path, Sequence[Path]]] = [(self.etude.chemin, self.etude.fichiers)]
        dossiers += [(i.chemin, i.fichiers) for i in self.d.indicateurs]
        dossiers += [(sc.chemin, sc.fichiers) for sc in self.d.scenarios]
        dossiers += [(pr.chemin, pr.fichiers) for pr in self.d.precedentes]
        racine = self.etude.chemin
        for chemin, fichiers in dossiers:
            for f in fichiers:
                try:
                    nom = str(f.relative_to(racine.parent))
                except ValueError:
                    nom = f"{chemin.name}/{f.name}"
                lignes.append((nom, entier(f.stat().st_size), _empreinte(_sha256(f))))
        s.blocs.append(
            self.n.tableau_(
                "Fichiers lus et leurs empreintes",
                ["Fichier", "Octets", "Empreinte SHA-256"],
                lignes,
                [False, True, False],
                "Source : les dossiers de résultats donnés au rapport.",
                largeurs=[1.7, 0.6, 3.7],
                petit=True,
            )
        )
        if commande:
            s.blocs.append(Paragraphe(f"Commande : {commande}", style="note"))
        return s

    @property
    def territoire(self) -> str:
        return self.options.territoire or self.etude.carto.departement_nom


def _empreinte(valeur: Any) -> str:
    """A SHA-256 in four groups of 16 characters (so that a table cell can wrap it)."""
    texte = str(valeur or "").strip()
    if len(texte) != 64:
        return texte or TIRET
    return " ".join(texte[i : i + 16] for i in range(0, 64, 16))


def _sha256(chemin: Path) -> str:
    h = hashlib.sha256()
    with chemin.open("rb") as f:
        for bloc in iter(lambda: f.read(1 << 20), b""):
            h.update(bloc)
    return h.hexdigest()


def _logo(chemin: Path | None) -> tuple[bytes | None, str]:
    if chemin is None:
        return None, ""
    if not chemin.is_file():
        from cartes.rapport._commun import DonneesManquantes

        raise DonneesManquantes(f"Logo {chemin} introuvable : vérifiez le chemin (--logo).")
    donnees = chemin.read_bytes()
    if donnees.startswith(b"\x89PNG\r\n\x1a\n"):
        return donnees, "image/png"
    if donnees.startswith(b"\xff\xd8\xff"):
        return donnees, "image/jpeg"
    raise DonneesInvalides(
        f"Le logo {chemin} n'est ni une image PNG ni une image JPEG : convertissez-le (--logo)."
    )


def construire_rapport(
    dossiers: Dossiers,
    options: OptionsRapport | None = None,
    *,
    date: dt.date | None = None,
    commande: str | None = None,
    progression: Callable[[str], None] | None = None,
) -> Rapport:
    """Build the report's content from the folders.

    Parameters
    ----------
    dossiers
        The folders, read by :func:`cartes.rapport.lire_dossiers`.
    options
        Title, territory, producer, logo, levels, maps.
    date
        Date of the report (default: today).
    commande
        The command line that made the report, printed in the annex.
    progression
        Called with the name of each chapter as it starts.

    Raises
    ------
    DonneesInvalides
        An unknown level in ``options.niveaux``, a logo that is no PNG or JPEG.
    """
    options = options or OptionsRapport()
    date = date or dt.date.today()
    logo, logo_type = _logo(options.logo)
    c = _Constructeur(dossiers, options, date)
    etape = progression or (lambda _nom: None)
    sections: list[Section] = []
    etape("synthèse")
    sections.append(c.synthese())
    etape("méthode")
    sections.append(c.methode())
    for niv in c.niveaux:
        etape(f"niveau {niv.adjectif}")
        sections.append(c.niveau(niv))
    etape("indicateurs")
    for chapitre in (c.indicateurs(), c.sensibilite(), c.comparaison(), c.scenarios()):
        if chapitre is not None:
            sections.append(chapitre)
    sections.append(c.annexe(commande))

    absences = list(c.absences)
    noms_etude = [n.nom for n in c.etude.niveaux]
    for n in c.etude.niveaux:
        if n not in c.niveaux:
            absences.append(f"Niveau {n.adjectif} : écarté par --niveaux.")
        elif n.n_poles == 0:
            absences.append(
                f"Niveau {n.adjectif} : aucun pôle dans la zone étudiée ; les temps de ce niveau "
                "ne sont pas calculables et toutes ses communes sont en zone grise."
            )
    for g in (c.p.get("gammes") or {}).get("niveaux") or []:
        if isinstance(g, dict) and g.get("nom") not in noms_etude:
            absences.append(
                f"Niveau {str(g.get('libelle') or g.get('nom')).lower()} : décrit par la gamme "
                "mais non étudié (pas de zones grises calculées pour ce niveau)."
            )
    if not any(_incertitude(c.table, n.nom) is not None for n in c.niveaux):
        absences.append(
            "Bandes d'incertitude des temps : absentes du dossier (chaque commune est classée "
            "sans marge d'erreur)."
        )
    if not options.cartes:
        absences.append("Cartes : non dessinées (--sans-cartes).")
    absences += [f"Dossier laissé de côté, {texte}" for texte in dossiers.ignores]

    # the list of absent sections goes at the end of the summary
    sections[0].blocs.append(
        Paragraphe(
            "**Absent de ce rapport**, faute de données dans les dossiers lus :"
            if absences
            else "**Rien ne manque** : les dossiers lus couvrent toutes les sections du rapport.",
            style="encadre",
        )
    )
    if absences:
        sections[0].blocs.append(Liste(tuple(absences)))

    titre = options.titre or (
        "Diagnostic de l'accessibilité des services au public — " + c.territoire
    )
    lignes = [
        "Schéma départemental d'amélioration de l'accessibilité des services au public "
        "(SDAASP) — chapitre diagnostic",
        f"Équipements : INSEE, BPE {_annee_bpe(c.p) or 'millésime non précisé'} ; temps : "
        f"{_description_source(c.p)}",
        f"Calcul du {_date_fr(c.p.get('date')) or 'jour non précisé'} ; rapport du "
        f"{_style.date_francaise(date.isoformat())}",
    ]
    return Rapport(
        titre=titre,
        territoire=c.territoire,
        producteur=options.producteur or "",
        logo=logo,
        logo_type=logo_type,
        date=_style.date_francaise(date.isoformat()),
        lignes_couverture=lignes,
        sections=sections,
        absences=absences,
    )
