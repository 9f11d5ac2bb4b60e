"""The report's content: every section, sentence, table and figure, built from the folders.

:func:`construire_rapport` turns :class:`~cartes.rapport.dossiers.Dossiers` into a
:class:`~cartes.rapport.modele.Rapport`, chapter after chapter (the chapters are in
:mod:`cartes.rapport.chapitres_etude` and :mod:`cartes.rapport.chapitres_avec`). Numbers are
read from the folders' files only and formatted the French way. What the folders cannot
support is listed in :attr:`Rapport.absences` and at the end of the summary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path

from cartes import _style
from cartes.rapport import chapitres_avec, chapitres_etude
from cartes.rapport._commun import DonneesInvalides, DonneesManquantes, Progression, signaler
from cartes.rapport._textes import annee_bpe, date_fr, description_source, incertitude
from cartes.rapport.contexte import Contexte, OptionsRapport
from cartes.rapport.dossiers import Dossiers
from cartes.rapport.modele import Absence, Liste, Paragraphe, Rapport, Section

__all__ = ["OptionsRapport", "construire_rapport"]


def _logo(chemin: Path | None) -> tuple[bytes | None, str]:
    if chemin is None:
        return None, ""
    if not chemin.is_file():
        raise DonneesManquantes(f"Logo {chemin} introuvable : vérifiez le chemin (--logo).")
    donnees = chemin.read_bytes()
    if donnees.startswith(b"\x89PNG\r\n\x1a\n"):
        return donnees, "image/png"
    if donnees.startswith(b"\xff\xd8\xff"):
        return donnees, "image/jpeg"
    raise DonneesInvalides(
        f"Le logo {chemin} n'est ni une image PNG ni une image JPEG : convertissez-le (--logo)."
    )


def _absences_de_l_etude(c: Contexte, dossiers: Dossiers) -> list[Absence]:
    """What the study itself lacks: levels, uncertainty bands, maps, folders left out."""
    absences = []
    noms_etude = [n.nom for n in c.etude.niveaux]
    for n in c.etude.niveaux:
        if n not in c.niveaux:
            absences.append(Absence(f"Niveau {n.adjectif}", "écarté par --niveaux"))
        elif n.n_poles == 0:
            absences.append(
                Absence(
                    f"Niveau {n.adjectif}",
                    "aucun pôle dans la zone étudiée ; les temps de ce niveau ne sont pas "
                    "calculables et toutes ses communes sont en zone grise",
                    "vérifiez la gamme et la règle de pôle",
                )
            )
    for g in (c.p.get("gammes") or {}).get("niveaux") or []:
        if isinstance(g, dict) and g.get("nom") not in noms_etude:
            absences.append(
                Absence(
                    f"Niveau {str(g.get('libelle') or g.get('nom')).lower()}",
                    "décrit par la gamme mais sans zones grises calculées",
                )
            )
    if not any(incertitude(c.table, n.nom) is not None for n in c.niveaux):
        absences.append(
            Absence(
                "Bandes d'incertitude des temps",
                "absentes du dossier ; chaque commune est classée sans marge d'erreur",
            )
        )
    if not c.options.cartes:
        absences.append(Absence("Cartes", "non dessinées (--sans-cartes)"))
    absences += [
        Absence("Dossier laissé de côté", texte.rstrip("."), "complétez-le ou retirez-le")
        for texte in dossiers.ignores
    ]
    return absences


def construire_rapport(
    dossiers: Dossiers,
    options: OptionsRapport | None = None,
    *,
    date: dt.date | None = None,
    commande: str | None = None,
    progression: Progression | None = None,
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
        Progress callback (:class:`socle.progression.Progression`), one step per chapter.

    Raises
    ------
    DonneesInvalides
        An unknown level in ``options.niveaux``, a logo that is no PNG or JPEG.
    DonneesManquantes
        The logo file does not exist.
    """
    options = options or OptionsRapport()
    date = date or dt.date.today()
    logo, logo_type = _logo(options.logo)
    c = Contexte(dossiers, options)
    # reading order: figures and tables are numbered as the chapters create them
    chapitres: list[Callable[[], Section | None]] = [
        partial(chapitres_etude.synthese, c),
        partial(chapitres_etude.methode, c),
        *[partial(chapitres_etude.niveau, c, niv) for niv in c.niveaux],
        partial(chapitres_avec.indicateurs, c),
        partial(chapitres_avec.sensibilite, c),
        partial(chapitres_avec.comparaison, c),
        partial(chapitres_avec.scenarios, c),
        partial(chapitres_avec.annexe, c, commande),
    ]
    sections: list[Section] = []
    for k, chapitre in enumerate(chapitres):
        signaler(progression, "rapport : chapitres", k, len(chapitres))
        section = chapitre()
        if section is not None:
            sections.append(section)
    signaler(progression, "rapport : chapitres", len(chapitres), len(chapitres))

    absences = [*c.absences, *_absences_de_l_etude(c, dossiers)]
    # the list of absent sections closes the summary
    sections[0].blocs.append(
        Paragraphe(
            "**Absent de ce rapport**, faute de données dans les dossiers lus :"
            if absences
            else "**Rien ne manque** : les dossiers lus couvrent toutes les sections du rapport.",
            style="encadre",
        )
    )
    if absences:
        sections[0].blocs.append(Liste(tuple(str(a) for a in absences)))

    titre = options.titre or "Diagnostic de l'accessibilité des services au public"
    lignes = [
        "Schéma départemental d'amélioration de l'accessibilité des services au public "
        "(SDAASP) — chapitre diagnostic",
        f"Équipements : INSEE, BPE {annee_bpe(c.p) or 'millésime non précisé'} ; temps : "
        f"{description_source(c.p)}",
        f"Calcul du {date_fr(c.p.get('date')) or 'jour non précisé'} ; rapport du "
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
