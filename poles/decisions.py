"""A team's decisions on poles, read from their files: imposed poles and grouped poles.

* Imposed poles (``--poles-imposes``): columns ``code_insee``, ``niveau``, ``pole``
  (``oui``/``non``); other columns are ignored. A commune is then a pole of that level, or
  not, whatever the rule says.
* Groups (``--regroupements``): columns ``groupe`` (the group's name) and ``code_insee``,
  one row per member commune. The members' items are pooled; every member is a pole of
  the levels the group reaches.

Both accept a UTF-8 byte-order mark, ``;``/``,``/tab separators, Windows-1252 or Latin-1
text, level names with accents or capitals, and former commune codes (moved to the current
commune). What they name is checked against the communes and levels in
:func:`poles.regles.detecter_poles`.
"""

from __future__ import annotations

from pathlib import Path

from poles._csv import codes_communes, colonne, lire_csv, nom_niveau, oui_non
from poles.regles import PoleImpose, Regroupement
from socle.erreurs import DonneesInvalides

__all__ = ["decrire_decisions", "lire_poles_imposes", "lire_regroupements"]


def lire_poles_imposes(chemin: str | Path) -> tuple[PoleImpose, ...]:
    """Read a file of imposed poles (``code_insee, niveau, pole``).

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    DonneesInvalides
        Empty file, a missing column, a ``pole`` value that is neither oui nor non, or
        contradictory lines.
    """
    chemin = Path(chemin)
    quoi = "Fichier des pôles imposés"
    table = lire_csv(chemin, quoi=quoi)
    code = colonne(table, ("code_insee", "code", "depcom"), quoi=quoi, chemin=chemin)
    niveau = colonne(table, ("niveau",), quoi=quoi, chemin=chemin)
    pole = colonne(table, ("pole", "est_pole"), quoi=quoi, chemin=chemin)
    codes = codes_communes(table[code], quoi=f"{quoi} {chemin.name}")
    decisions: dict[tuple[str, str], PoleImpose] = {}
    for rang, (c, n, p) in enumerate(zip(codes, table[niveau], table[pole], strict=True)):
        decision = PoleImpose(
            code=c,
            niveau=nom_niveau(n),
            pole=oui_non(p, quoi=f"{quoi} {chemin.name}, ligne {rang + 2}, colonne {pole}"),
        )
        precedente = decisions.get((decision.code, decision.niveau))
        if precedente is not None and precedente.pole != decision.pole:
            raise DonneesInvalides(
                f"{quoi} {chemin.name} : la commune {c} est déclarée à la fois pôle et non pôle "
                f"au niveau {decision.niveau}."
            )
        decisions[(decision.code, decision.niveau)] = decision
    return tuple(decisions.values())


def lire_regroupements(chemin: str | Path) -> tuple[Regroupement, ...]:
    """Read a file of grouped poles (``groupe, code_insee``, one row per member).

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    DonneesInvalides
        Empty file, a missing column, an empty group name, or a commune in two groups.
    """
    chemin = Path(chemin)
    quoi = "Fichier des regroupements"
    table = lire_csv(chemin, quoi=quoi)
    groupe = colonne(table, ("groupe", "regroupement", "nom_groupe"), quoi=quoi, chemin=chemin)
    code = colonne(table, ("code_insee", "code", "depcom"), quoi=quoi, chemin=chemin)
    codes = codes_communes(table[code], quoi=f"{quoi} {chemin.name}")
    membres: dict[str, list[str]] = {}
    vus: dict[str, str] = {}
    for rang, (g, c) in enumerate(zip(table[groupe], codes, strict=True)):
        if not g:
            raise DonneesInvalides(
                f"{quoi} {chemin.name} : nom de regroupement vide à la ligne {rang + 2}."
            )
        if c in vus and vus[c] != g:
            raise DonneesInvalides(
                f"{quoi} {chemin.name} : la commune {c} est dans deux regroupements (« {vus[c]} » "
                f"et « {g} ») : une commune ne peut appartenir qu'à un regroupement."
            )
        vus[c] = g
        liste = membres.setdefault(g, [])
        if c not in liste:
            liste.append(c)
    return tuple(Regroupement(nom=g, communes=tuple(cs)) for g, cs in membres.items())


def decrire_decisions(
    imposes: tuple[PoleImpose, ...],
    regroupements: tuple[Regroupement, ...],
    *,
    fichier_imposes: str | Path | None = None,
    fichier_regroupements: str | Path | None = None,
) -> dict[str, object]:
    """The decisions as ``parametres.json`` records them (enough to apply them again)."""
    return {
        "poles_imposes": {
            "fichier": str(Path(fichier_imposes).resolve()) if fichier_imposes else None,
            "decisions": [{"code": d.code, "niveau": d.niveau, "pole": d.pole} for d in imposes],
        },
        "regroupements": {
            "fichier": (
                str(Path(fichier_regroupements).resolve()) if fichier_regroupements else None
            ),
            "groupes": [{"nom": g.nom, "communes": list(g.communes)} for g in regroupements],
        },
    }
