"""The car speed model: ``maxspeed`` parsing, class defaults, peak-hour factors, delays.

The model is a table (``data/vitesses.toml``, documented there and in the README) that a
user file may override key by key. :func:`charger_vitesses` reads and validates it into a
frozen :class:`ModeleVitesses`; :func:`lire_maxspeed` parses one ``maxspeed`` value;
:func:`vitesse_voie` gives the speed of one OSM way in one direction and where it came from.

Road classes are stored per arc as a ``uint8`` code: the index of the OSM ``highway`` value
in :data:`CLASSES` (``route=ferry`` ways get the code of ``"ferry"``). The codes are fixed
here, not in the table, so that a saved graph keeps its meaning whatever table built it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from socle.erreurs import DonneesInvalides, DonneesManquantes
from socle.ressources import fichier_donnees

__all__ = [
    "CLASSES",
    "CODE_BAC",
    "SOURCES_VITESSE",
    "LectureVitesse",
    "ModeleVitesses",
    "ParametresClasse",
    "charger_vitesses",
    "code_classe",
    "lire_maxspeed",
    "vitesse_voie",
]

#: Road class of each ``uint8`` code stored in ``Graphe.attributs_arcs["classe"]``.
CLASSES: tuple[str, ...] = (
    "motorway",  # 0
    "motorway_link",  # 1
    "trunk",  # 2
    "trunk_link",  # 3
    "primary",  # 4
    "primary_link",  # 5
    "secondary",  # 6
    "secondary_link",  # 7
    "tertiary",  # 8
    "tertiary_link",  # 9
    "unclassified",  # 10
    "residential",  # 11
    "living_street",  # 12
    "service",  # 13
    "road",  # 14
    "track",  # 15
    "busway",  # 16
    "ferry",  # 17: route=ferry (bac)
)
_CODES = {nom: i for i, nom in enumerate(CLASSES)}
#: Class code of ferry links (``route=ferry``).
CODE_BAC = _CODES["ferry"]

#: Where the speed of an arc comes from: ``Graphe.attributs_arcs["source_vitesse"]`` holds
#: the index in this tuple. ``repli``: a ``maxspeed`` was present but unreadable, the class
#: default was used (and counted).
SOURCES_VITESSE: tuple[str, ...] = ("maxspeed", "implicite", "defaut_classe", "repli", "bac")

_REGLES_LISTES = ("min", "max", "premiere")
_REVERSIBLE = ("exclue", "double_sens")
_NOMBRE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|km|mph|knots)?\s*$", flags=re.IGNORECASE)
_FACTEURS_UNITE = {"mph": 1.609344, "knots": 1.852}
#: Tags read for an implicit speed when ``maxspeed`` is missing, in this order.
CLES_IMPLICITES = ("maxspeed:type", "zone:maxspeed", "source:maxspeed")


def code_classe(nom: str) -> int:
    """Return the ``uint8`` code of a road class name (``"primary"`` → 4).

    Raises
    ------
    DonneesInvalides
        The name is not in :data:`CLASSES`.
    """
    try:
        return _CODES[nom]
    except KeyError:
        raise DonneesInvalides(
            f"Classe de route inconnue « {nom} » : classes possibles {', '.join(CLASSES)}."
        ) from None


@dataclass(frozen=True)
class ParametresClasse:
    """Speed parameters of one road class.

    Attributes
    ----------
    defaut_kmh
        Speed when no limit is read from the tags.
    facteur_pointe
        Peak-hour factor applied to every speed of the class (0 < f <= 1.5).
    defaut_sens_unique_kmh
        Default speed of a one-way way of this class (dual carriageway), or ``None``.
    carrefour
        Whether arcs of this class pay the junction delay.
    """

    defaut_kmh: float
    facteur_pointe: float
    defaut_sens_unique_kmh: float | None = None
    carrefour: bool = True


@dataclass(frozen=True, eq=False)
class ModeleVitesses:
    """A validated speed table (see ``data/vitesses.toml`` for the meaning of each key).

    Build it with :func:`charger_vitesses`. :attr:`empreinte` (sha256 of the canonical
    content) enters the graph cache key: a changed table never reuses a cached graph.
    """

    classes: Mapping[str, ParametresClasse]
    implicites: Mapping[str, float]
    regle_listes: str
    maximum_plausible_kmh: float
    delai_carrefour_s: float
    delai_feux_s: float
    cles_acces: tuple[str, ...]
    acces_interdits: frozenset[str]
    services_exclus: frozenset[str]
    reversible: str
    classes_sens_unique: frozenset[str]
    bac_vitesse_kmh: float
    bac_embarquement_s: float
    contenu: Mapping[str, Any]
    origine: str

    @property
    def empreinte(self) -> str:
        """sha256 of the canonical JSON of the table (comments and layout do not count)."""
        texte = json.dumps(self.contenu, sort_keys=True, ensure_ascii=True)
        return hashlib.sha256(texte.encode()).hexdigest()

    def defaut(self, classe: str, *, sens_unique: bool) -> float:
        """Default speed (km/h) of ``classe``; the dual-carriageway one for a one-way way."""
        p = self.classes[classe]
        if sens_unique and p.defaut_sens_unique_kmh is not None:
            return p.defaut_sens_unique_kmh
        return p.defaut_kmh


def _lire_toml(source: Any, nom: str) -> dict[str, Any]:
    try:
        with source.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise DonneesInvalides(f"Table de vitesses {nom} illisible (TOML) : {exc}.") from exc
    except UnicodeDecodeError as exc:
        raise DonneesInvalides(
            f"Table de vitesses {nom} : pas en UTF-8 (octet {exc.object[exc.start]:#04x} à la "
            f"position {exc.start}) ; enregistrez-la en UTF-8."
        ) from exc


def _fusionner(base: dict[str, Any], ajout: Mapping[str, Any], chemin: str) -> None:
    """Merge ``ajout`` into ``base`` in place, refusing keys ``base`` does not know."""
    ouvertes = {"implicites", "classes"}  # tables whose keys the user may add
    for cle, valeur in ajout.items():
        ici = f"{chemin}.{cle}" if chemin else cle
        if cle not in base:
            if chemin in ouvertes:
                base[cle] = copy.deepcopy(valeur)
                continue
            raise DonneesInvalides(
                f"Clé inconnue « {ici} » dans la table de vitesses : vérifiez l'orthographe "
                "(voir data/vitesses.toml)."
            )
        if isinstance(base[cle], dict):
            if not isinstance(valeur, dict):
                raise DonneesInvalides(
                    f"« {ici} » doit être une table dans le fichier de vitesses."
                )
            _fusionner(base[cle], valeur, ici)
        else:
            base[cle] = copy.deepcopy(valeur)


def _nombre(valeur: Any, ou: str, *, minimum: float = 0.0, strict: bool = True) -> float:
    if isinstance(valeur, bool) or not isinstance(valeur, int | float):
        raise DonneesInvalides(f"« {ou} » doit être un nombre (reçu {valeur!r}).")
    v = float(valeur)
    if not (v > minimum if strict else v >= minimum) or v != v or v == float("inf"):
        signe = ">" if strict else ">="
        raise DonneesInvalides(f"« {ou} » doit être fini et {signe} {minimum} (reçu {v}).")
    return v


def _liste_textes(valeur: Any, ou: str) -> tuple[str, ...]:
    if not isinstance(valeur, list) or not all(isinstance(v, str) for v in valeur):
        raise DonneesInvalides(f"« {ou} » doit être une liste de textes.")
    return tuple(valeur)


def charger_vitesses(chemin: str | Path | None = None) -> ModeleVitesses:
    """Read the speed table: the shipped ``data/vitesses.toml``, overridden by ``chemin``.

    Parameters
    ----------
    chemin
        Optional user TOML file of the same shape; its keys replace the shipped ones (lists
        are replaced whole). New keys are accepted only under ``[implicites]`` and
        ``[classes]`` (a class must be an OSM ``highway`` value of :data:`CLASSES`).

    Returns
    -------
    ModeleVitesses

    Raises
    ------
    DonneesManquantes
        ``chemin`` does not exist.
    DonneesInvalides
        Unreadable TOML, unknown key, value of the wrong type or out of range.
    """
    contenu = _lire_toml(fichier_donnees("vitesses.toml"), "vitesses.toml")
    origine = "vitesses.toml (fournie)"
    if chemin is not None:
        chemin = Path(chemin)
        if not chemin.is_file():
            raise DonneesManquantes(
                f"Table de vitesses introuvable : {chemin}. Vérifiez le chemin donné."
            )
        _fusionner(contenu, _lire_toml(chemin, chemin.name), "")
        origine = f"vitesses.toml (fournie) + {chemin.name}"
    return _valider(contenu, origine)


def _valider(contenu: dict[str, Any], origine: str) -> ModeleVitesses:
    ms = contenu["maxspeed"]
    regle = ms["regle_listes"]
    if regle not in _REGLES_LISTES:
        raise DonneesInvalides(
            f"maxspeed.regle_listes = {regle!r} : valeurs possibles {', '.join(_REGLES_LISTES)}."
        )
    classes: dict[str, ParametresClasse] = {}
    for nom, p in contenu["classes"].items():
        if nom not in _CODES or nom == "ferry":
            raise DonneesInvalides(
                f"Classe « {nom} » inconnue dans la table de vitesses : classes possibles "
                f"{', '.join(c for c in CLASSES if c != 'ferry')}."
            )
        if not isinstance(p, dict):
            raise DonneesInvalides(f"« classes.{nom} » doit être une table.")
        inconnues = set(p) - {"defaut_kmh", "facteur_pointe", "defaut_sens_unique_kmh", "carrefour"}
        if inconnues:
            raise DonneesInvalides(
                f"Clé inconnue « classes.{nom}.{sorted(inconnues)[0]} » dans la table de vitesses."
            )
        if "defaut_kmh" not in p or "facteur_pointe" not in p:
            raise DonneesInvalides(f"« classes.{nom} » doit donner defaut_kmh et facteur_pointe.")
        facteur = _nombre(p["facteur_pointe"], f"classes.{nom}.facteur_pointe")
        if facteur > 1.5:
            raise DonneesInvalides(
                f"classes.{nom}.facteur_pointe = {facteur} : attendu entre 0 et 1,5."
            )
        sens_unique = p.get("defaut_sens_unique_kmh")
        carrefour = p.get("carrefour", True)
        if not isinstance(carrefour, bool):
            raise DonneesInvalides(f"« classes.{nom}.carrefour » doit valoir true ou false.")
        classes[nom] = ParametresClasse(
            defaut_kmh=_nombre(p["defaut_kmh"], f"classes.{nom}.defaut_kmh"),
            facteur_pointe=facteur,
            defaut_sens_unique_kmh=None
            if sens_unique is None
            else _nombre(sens_unique, f"classes.{nom}.defaut_sens_unique_kmh"),
            carrefour=carrefour,
        )
    if not classes:
        raise DonneesInvalides("La table de vitesses ne garde aucune classe de route.")
    implicites = {
        str(k).lower(): _nombre(v, f"implicites.{k}") for k, v in contenu["implicites"].items()
    }
    reversible = contenu["sens_unique"]["reversible"]
    if reversible not in _REVERSIBLE:
        raise DonneesInvalides(
            f"sens_unique.reversible = {reversible!r} : valeurs possibles {', '.join(_REVERSIBLE)}."
        )
    return ModeleVitesses(
        classes=classes,
        implicites=implicites,
        regle_listes=regle,
        maximum_plausible_kmh=_nombre(
            ms["maximum_plausible_kmh"], "maxspeed.maximum_plausible_kmh"
        ),
        delai_carrefour_s=_nombre(
            contenu["delais"]["carrefour_s"], "delais.carrefour_s", strict=False
        ),
        delai_feux_s=_nombre(contenu["delais"]["feux_s"], "delais.feux_s", strict=False),
        cles_acces=_liste_textes(contenu["acces"]["cles"], "acces.cles"),
        acces_interdits=frozenset(
            _liste_textes(contenu["acces"]["interdites"], "acces.interdites")
        ),
        services_exclus=frozenset(
            _liste_textes(contenu["acces"]["services_exclus"], "acces.services_exclus")
        ),
        reversible=reversible,
        classes_sens_unique=frozenset(
            _liste_textes(
                contenu["sens_unique"]["classes_implicites"], "sens_unique.classes_implicites"
            )
        ),
        bac_vitesse_kmh=_nombre(contenu["bacs"]["vitesse_kmh"], "bacs.vitesse_kmh"),
        bac_embarquement_s=_nombre(
            contenu["bacs"]["embarquement_s"], "bacs.embarquement_s", strict=False
        ),
        contenu=contenu,
        origine=origine,
    )


class LectureVitesse(NamedTuple):
    """A parsed speed: ``kmh`` (``None`` when there is none) and its ``source``.

    ``source`` is ``"maxspeed"`` (a number), ``"implicite"`` (a code such as ``FR:urban``,
    ``walk``, ``none``), ``"absente"`` (no value) or ``"illisible"`` (a value that is not a
    speed: ``signals``, ``variable``, ``0``...).
    """

    kmh: float | None
    source: str


def _une_valeur(texte: str, modele: ModeleVitesses) -> LectureVitesse:
    m = _NOMBRE.match(texte)
    if m is not None:
        v = float(m.group(1))
        unite = (m.group(2) or "").lower()
        v *= _FACTEURS_UNITE.get(unite, 1.0)
        if v <= 0 or v > modele.maximum_plausible_kmh:
            return LectureVitesse(None, "illisible")
        return LectureVitesse(v, "maxspeed")
    cle = texte.strip().lower()
    if cle in modele.implicites:
        return LectureVitesse(modele.implicites[cle], "implicite")
    if ":" in cle:
        suffixe = cle.split(":", 1)[1]
        generique = "*:" + suffixe
        if generique in modele.implicites:
            return LectureVitesse(modele.implicites[generique], "implicite")
        nombre = _NOMBRE.match(suffixe)  # zone:maxspeed = "FR:30"
        if nombre is not None and nombre.group(2) is None:
            v = float(nombre.group(1))
            if 0 < v <= modele.maximum_plausible_kmh:
                return LectureVitesse(v, "implicite")
    return LectureVitesse(None, "illisible")


def lire_maxspeed(valeur: str | None, modele: ModeleVitesses) -> LectureVitesse:
    """Parse one ``maxspeed`` value into km/h.

    Rules (tested on real-world values):

    * a number, with an optional unit: ``"50"``, ``"50 km/h"``; ``"30 mph"`` is converted
      (× 1.609344), ``knots`` too; 0, negative or above ``maximum_plausible_kmh`` is
      ``illisible``;
    * an implicit code from the table's ``[implicites]``: ``"FR:urban"`` (50),
      ``"FR:rural"`` (80), ``"FR:zone30"`` (30), ``"FR:motorway"`` (130), ``"walk"``,
      ``"none"``; a code of another country falls back to ``"*:<type>"`` (``"AD:urban"``);
    * a list ``"50;70"`` (also ``|`` or ``,`` separators, and the ``"['50', '30']"`` lists of
      simplified osmnx GraphML): each item parsed, unreadable items ignored, then the
      table's ``regle_listes`` (default: the lowest);
    * anything else (``"signals"``, ``"variable"``, ``"national"``) is ``illisible``: the
      caller falls back to the class default and counts it, never zero.
    """
    if valeur is None:
        return LectureVitesse(None, "absente")
    texte = str(valeur).strip()
    if not texte or texte.lower() == "nan":
        return LectureVitesse(None, "absente")
    if texte.startswith("[") and texte.endswith("]"):
        morceaux = [a or b for a, b in re.findall(r"'([^']*)'|\"([^\"]*)\"", texte)]
    else:
        entier = _une_valeur(texte, modele)
        if entier.source != "illisible":
            return entier
        morceaux = re.split(r"[;|,]", texte)
    lectures = [_une_valeur(m, modele) for m in morceaux if m.strip()]
    valides = [lec for lec in lectures if lec.kmh is not None]
    if not valides:
        return LectureVitesse(None, "illisible")
    if modele.regle_listes == "min":
        return min(valides, key=lambda lec: lec.kmh or 0.0)
    if modele.regle_listes == "max":
        return max(valides, key=lambda lec: lec.kmh or 0.0)
    return valides[0]


def vitesse_voie(
    etiquettes: Mapping[str, str],
    classe: str,
    *,
    sens_unique: bool,
    sens: str,
    modele: ModeleVitesses,
    memo: dict[str, LectureVitesse] | None = None,
) -> tuple[float, int, str | None]:
    """Free speed (km/h, before the peak factor) of a way in one direction.

    Parameters
    ----------
    etiquettes
        The way's tags (only those read here matter: ``maxspeed``, ``maxspeed:forward``,
        ``maxspeed:backward`` and :data:`CLES_IMPLICITES`).
    classe
        Its road class (a key of ``modele.classes``).
    sens_unique
        Whether the way is one-way (the default of a one-way trunk is the dual-carriageway
        one).
    sens
        ``"avant"`` (digitised direction) or ``"arriere"``.
    modele
        The speed table.
    memo
        Optional cache of parsed values shared across calls.

    Returns
    -------
    tuple
        ``(kmh, code of the source in SOURCES_VITESSE, unreadable value or None)``.
    """
    cache: dict[str, LectureVitesse] = {} if memo is None else memo

    def lire(v: str | None) -> LectureVitesse:
        if v is None:
            return LectureVitesse(None, "absente")
        if v not in cache:
            cache[v] = lire_maxspeed(v, modele)
        return cache[v]

    illisible: str | None = None
    cle_sens = "maxspeed:forward" if sens == "avant" else "maxspeed:backward"
    for cle in (cle_sens, "maxspeed"):
        brut = etiquettes.get(cle)
        lecture = lire(brut)
        if lecture.kmh is not None:
            return lecture.kmh, SOURCES_VITESSE.index(lecture.source), None
        if lecture.source == "illisible" and illisible is None:
            illisible = brut
    if illisible is None:
        for cle in CLES_IMPLICITES:
            brut = etiquettes.get(cle)
            if brut is None or _NOMBRE.match(brut):
                continue
            lecture = lire(brut)
            if lecture.kmh is not None:
                return lecture.kmh, SOURCES_VITESSE.index("implicite"), None
    source = "repli" if illisible is not None else "defaut_classe"
    return modele.defaut(classe, sens_unique=sens_unique), SOURCES_VITESSE.index(source), illisible
