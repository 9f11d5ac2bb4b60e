"""Gammes: the levels of service of the SDAASP and the items of each level.

Loaded from ``data/gammes_sdaasp.toml`` (the Pas-de-Calais SDAASP's gammes) or from a user
file of the same shape. Every TYPEQU code is checked against the BPE nomenclature.

A level may carry its own pole rule: ``n_min`` (at least that many items) or ``part_min``
(at least that share of the items), never both. :mod:`poles.regles` applies it unless the
command line gives another rule.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socle.erreurs import DonneesInvalides, DonneesManquantes
from socle.ressources import fichier_donnees

__all__ = ["Gammes", "Item", "Niveau", "charger_gammes", "texte_toml"]

_CODE = re.compile(r"^[A-G]\d{3}$")


@dataclass(frozen=True)
class Item:
    """One representative service: present when the commune has any of its TYPEQU codes."""

    nom: str
    libelle: str
    typequ: tuple[str, ...]


@dataclass(frozen=True)
class Niveau:
    """A level of service: its acceptable car time (minutes) and its gamme of items."""

    nom: str
    libelle: str
    seuil_min: float
    items: tuple[Item, ...]
    zones_grises: bool = True
    n_min: int | None = None
    part_min: float | None = None

    @property
    def seuil_s(self) -> float:
        """The threshold in seconds."""
        return self.seuil_min * 60.0


@dataclass(frozen=True)
class Gammes:
    """The ordered levels (lowest first), the file they came from, and why their pole
    thresholds are what they are (``justification``, French, from the file; ``""`` if none).
    """

    niveaux: tuple[Niveau, ...]
    fichier: str
    justification: str = ""

    def __iter__(self) -> Iterator[Niveau]:
        return iter(self.niveaux)

    def __getitem__(self, nom: str) -> Niveau:
        for niveau in self.niveaux:
            if niveau.nom == nom:
                return niveau
        raise DonneesInvalides(
            f"Niveau « {nom} » inconnu : niveaux de la gamme : "
            f"{', '.join(n.nom for n in self.niveaux)}."
        )

    @property
    def niveaux_zones_grises(self) -> tuple[Niveau, ...]:
        """The levels that enter the zones-grises analysis."""
        return tuple(n for n in self.niveaux if n.zones_grises)


def _lire_texte(chemin: Path) -> str:
    """The file as UTF-8 text (TOML files are UTF-8); a clear error otherwise."""
    try:
        return chemin.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DonneesInvalides(
            f"Fichier de gammes {chemin} : pas en UTF-8 (octet {exc.object[exc.start]:#04x} à "
            f"la position {exc.start}) ; enregistrez-le en UTF-8 (« Enregistrer sous », "
            "encodage UTF-8)."
        ) from exc
    except OSError as exc:
        raise DonneesInvalides(f"Fichier de gammes {chemin} illisible ({exc}).") from exc


def _minutes_valides(valeur: Any) -> bool:
    """A number of minutes: int or float (not bool), finite and > 0 (TOML allows nan, inf)."""
    return (
        isinstance(valeur, int | float)
        and not isinstance(valeur, bool)
        and math.isfinite(valeur)
        and valeur > 0
    )


def charger_gammes(chemin: str | Path | None = None) -> Gammes:
    """Load and validate a gamme file (default: the SDAASP gammes shipped with the project).

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    DonneesInvalides
        Unreadable TOML, a missing key, a non-positive threshold, an empty or duplicated
        item, or a TYPEQU code that is not in the BPE nomenclature.
    """
    if chemin is None:
        ressource = fichier_donnees("gammes_sdaasp.toml")
        texte, nom = ressource.read_text(encoding="utf-8"), "gammes_sdaasp.toml"
    else:
        chemin = Path(chemin)
        if not chemin.is_file():
            raise DonneesManquantes(f"Fichier de gammes introuvable : {chemin}.")
        texte, nom = _lire_texte(chemin), str(chemin)
    try:
        brut = tomllib.loads(texte)
    except tomllib.TOMLDecodeError as exc:
        raise DonneesInvalides(f"Fichier de gammes {nom} illisible (TOML) : {exc}") from exc
    niveaux = brut.get("niveau")
    if not isinstance(niveaux, list) or not niveaux:
        raise DonneesInvalides(
            f"Fichier de gammes {nom} : aucune section [[niveau]] (voir data/gammes_sdaasp.toml)."
        )
    from poles.bpe import nomenclature

    codes_connus = set(nomenclature().index)
    resultat = tuple(_niveau(n, nom, codes_connus) for n in niveaux)
    noms = [n.nom for n in resultat]
    if len(set(noms)) != len(noms):
        raise DonneesInvalides(f"Fichier de gammes {nom} : noms de niveaux en double.")
    justification = brut.get("justification", "")
    if not isinstance(justification, str):
        raise DonneesInvalides(
            f"Fichier de gammes {nom} : justification doit être un texte (entre guillemets)."
        )
    return Gammes(niveaux=resultat, fichier=nom, justification=" ".join(justification.split()))


def _niveau(brut: Any, fichier: str, codes_connus: set[str]) -> Niveau:
    if not isinstance(brut, dict):
        raise DonneesInvalides(f"Fichier de gammes {fichier} : niveau mal formé.")
    manquantes = [c for c in ("nom", "seuil_min", "items") if c not in brut]
    if manquantes:
        raise DonneesInvalides(
            f"Fichier de gammes {fichier} : un niveau n'a pas {', '.join(manquantes)}."
        )
    nom = str(brut["nom"])
    seuil = brut["seuil_min"]
    if not _minutes_valides(seuil):
        raise DonneesInvalides(
            f"Gammes, niveau {nom} : seuil_min doit être un nombre fini de minutes > 0 "
            f"(reçu {seuil!r})."
        )
    items = []
    for item in brut["items"]:
        if not isinstance(item, dict) or "nom" not in item or "typequ" not in item:
            raise DonneesInvalides(
                f"Gammes, niveau {nom} : chaque item doit avoir un nom et des codes typequ."
            )
        codes = item["typequ"]
        codes = [codes] if isinstance(codes, str) else list(codes)
        if not codes:
            raise DonneesInvalides(f"Gammes, niveau {nom}, item {item['nom']} : aucun code.")
        inconnus = [c for c in codes if not _CODE.match(str(c)) or c not in codes_connus]
        if inconnus:
            raise DonneesInvalides(
                f"Gammes, niveau {nom}, item {item['nom']} : code TYPEQU inconnu "
                f"{', '.join(map(str, inconnus))} (codes de la nomenclature BPE, par exemple "
                "D201 pour le médecin généraliste)."
            )
        items.append(
            Item(
                nom=str(item["nom"]),
                libelle=str(item.get("libelle", item["nom"])),
                typequ=tuple(codes),
            )
        )
    if not items:
        raise DonneesInvalides(f"Gammes, niveau {nom} : aucun item.")
    if len({i.nom for i in items}) != len(items):
        raise DonneesInvalides(f"Gammes, niveau {nom} : items en double.")
    n_min, part_min = _regle_niveau(brut, nom, len(items))
    return Niveau(
        nom=nom,
        libelle=str(brut.get("libelle", nom)),
        seuil_min=float(seuil),
        items=tuple(items),
        zones_grises=bool(brut.get("zones_grises", True)),
        n_min=n_min,
        part_min=part_min,
    )


def _regle_niveau(brut: dict[str, Any], nom: str, n_items: int) -> tuple[int | None, float | None]:
    """The level's own pole rule (``n_min`` or ``part_min``), checked."""
    n_min, part_min = brut.get("n_min"), brut.get("part_min")
    if n_min is not None and part_min is not None:
        raise DonneesInvalides(
            f"Gammes, niveau {nom} : n_min et part_min sont exclusifs : gardez l'un des deux."
        )
    if n_min is not None:
        if isinstance(n_min, bool) or not isinstance(n_min, int) or not 1 <= n_min <= n_items:
            raise DonneesInvalides(
                f"Gammes, niveau {nom} : n_min doit être un entier entre 1 et {n_items} "
                f"(le nombre d'items du niveau), reçu {n_min!r}."
            )
        return n_min, None
    if part_min is not None:
        if (
            isinstance(part_min, bool)
            or not isinstance(part_min, int | float)
            or not 0 < part_min <= 1
        ):
            raise DonneesInvalides(
                f"Gammes, niveau {nom} : part_min doit être une part dans ]0, 1] "
                f"(0.5 pour la moitié des items), reçu {part_min!r}."
            )
        return None, float(part_min)
    return None, None


def _chaine(texte: str) -> str:
    """A TOML basic string (JSON escapes are valid TOML escapes)."""
    import json

    return json.dumps(texte, ensure_ascii=False)


def texte_toml(gammes: Gammes, *, entete: str = "") -> str:
    """The gammes as a gamme file (the format :func:`charger_gammes` reads).

    Parameters
    ----------
    gammes
        The levels, their items and their own rules (``n_min`` or ``part_min``).
    entete
        Comment lines put at the top (each line prefixed with ``#``).
    """
    lignes = [f"# {ligne}".rstrip() for ligne in entete.splitlines()]
    if gammes.justification:
        lignes += ["", f"justification = {_chaine(gammes.justification)}"]
    for niveau in gammes:
        lignes += [
            "",
            "[[niveau]]",
            f"nom = {_chaine(niveau.nom)}",
            f"libelle = {_chaine(niveau.libelle)}",
            f"seuil_min = {niveau.seuil_min:g}",
        ]
        if not niveau.zones_grises:
            lignes.append("zones_grises = false")
        if niveau.n_min is not None:
            lignes.append(f"n_min = {int(niveau.n_min)}")
        elif niveau.part_min is not None:
            lignes.append(f"part_min = {float(niveau.part_min)!r}")
        lignes.append("items = [")
        for item in niveau.items:
            codes = ", ".join(_chaine(c) for c in item.typequ)
            lignes.append(
                f"  {{ nom = {_chaine(item.nom)}, libelle = {_chaine(item.libelle)}, "
                f"typequ = [{codes}] }},"
            )
        lignes.append("]")
    return "\n".join(lignes).lstrip("\n") + "\n"
