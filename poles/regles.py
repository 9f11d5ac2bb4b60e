"""Pole detection: which communes hold enough of a level's gamme.

The SDAASP says a commune is a pole of a level when it holds "a threshold of the services
present" in that level's gamme, without saying which. Each level gets a
:class:`SeuilNiveau`:

* ``tous``: every item of the gamme is present;
* ``n_min``: at least ``n_min`` items are present;
* ``part_min``: at least that share of the items, rounded up. Half the gamme
  (``part_min=0.5``) is INSEE's own threshold for its "pôles de services" (a commune is a
  pole of a gamme when it holds at least half of the gamme's equipment types, e.g. 16 of
  the 31 intermediate types in the 2012 bassins de vie).

:class:`Regle` says where each level's threshold comes from. By default (``nom="gammes"``)
each level takes the rule its gamme file gives it (``n_min`` or ``part_min`` in its
``[[niveau]]``; the shipped SDAASP file carries the thresholds calibrated on the poles
that the Pas-de-Calais schema names, see ``poles.calibrage``), and a level without one
takes half of its gamme. ``Regle("n_min", n_min=(11, 9, 6))`` or ``Regle("part_min",
part_min=0.5)`` override the file: one value per level in gamme order, or one value for all.

Two team decisions come on top of the rule (:func:`detecter_poles`):

* a :class:`Regroupement` pools the items of its communes (an urban area the schema treats
  as one pole): every member is a pole of the levels the group reaches, so the time to the
  group is the time to its nearest member;
* a :class:`PoleImpose` forces a commune to be, or not to be, a pole of a level. Imposed
  decisions are applied last: they win over the rule, the groups and ``cumul``.

``cumul=True`` also makes every pole of a higher level a pole of the lower levels.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from poles.gammes import Gammes, Niveau
from socle.erreurs import DonneesInvalides

__all__ = [
    "PART_MIN_DEFAUT",
    "PoleImpose",
    "Regle",
    "Regroupement",
    "SeuilNiveau",
    "detecter_poles",
    "presence_items",
    "regles_sensibilite",
]

logger = logging.getLogger(__name__)

#: (level, absent items) already reported by :func:`detecter_poles` in this process.
_SIGNALES: set[tuple[str, tuple[str, ...]]] = set()

NomRegle = Literal["gammes", "tous", "n_min", "part_min"]
NomSeuil = Literal["tous", "n_min", "part_min"]

#: Share of the gamme a level needs when neither the command line nor its gamme file gives
#: it a rule: half, INSEE's reading.
PART_MIN_DEFAUT = 0.5

#: Where a level's threshold came from (``SeuilNiveau.origine``, in ``parametres.json``).
ORIGINES = ("gammes", "option", "defaut", "explicite")


@dataclass(frozen=True)
class SeuilNiveau:
    """The pole rule of one level: how many of its items make a pole.

    ``origine`` records where it came from: ``"gammes"`` (the level's own ``n_min`` or
    ``part_min`` in the gamme file), ``"option"`` (the command line or the caller),
    ``"defaut"`` (half the gamme, for a level without a rule) or ``"explicite"`` (given per
    level by name, e.g. rebuilt from a ``parametres.json``).
    """

    nom: NomSeuil = "part_min"
    n_min: int | None = None
    part_min: float | None = None
    origine: str = "option"

    def __post_init__(self) -> None:
        if self.nom not in ("tous", "n_min", "part_min"):
            raise DonneesInvalides(
                f"Règle de pôle « {self.nom} » inconnue : tous, n_min ou part_min."
            )
        if self.nom == "n_min" and (
            self.n_min is None or isinstance(self.n_min, bool) or int(self.n_min) < 1
        ):
            raise DonneesInvalides("La règle n_min demande un nombre d'items >= 1 (--n-min).")
        if self.nom == "part_min":
            part = PART_MIN_DEFAUT if self.part_min is None else float(self.part_min)
            if not 0 < part <= 1:
                raise DonneesInvalides(
                    f"La part minimale d'items doit être dans ]0, 1] (reçu {self.part_min})."
                )
            object.__setattr__(self, "part_min", part)
        if self.nom == "n_min":
            object.__setattr__(self, "n_min", int(self.n_min or 1))

    def items_requis(self, n_items: int) -> int:
        """Number of items a commune needs to be a pole of a gamme of ``n_items`` items."""
        if self.nom == "tous":
            return n_items
        if self.nom == "n_min":
            return min(int(self.n_min or 1), n_items)
        return max(1, math.ceil(float(self.part_min or PART_MIN_DEFAUT) * n_items - 1e-9))

    def meme_seuil(self, autre: SeuilNiveau) -> bool:
        """Whether two rules are the same (whatever their origin)."""
        return (self.nom, self.n_min, self.part_min) == (autre.nom, autre.n_min, autre.part_min)

    def texte(self) -> str:
        """French description without the item count: ``"au moins 50% des items"``."""
        if self.nom == "tous":
            return "tous les items"
        if self.nom == "n_min":
            return f"au moins {self.n_min} items"
        return f"au moins {float(self.part_min or PART_MIN_DEFAUT):.0%} des items"

    def texte_compte(self, n_items: int) -> str:
        """French description with the count: ``"au moins 9 des 11 items"``."""
        requis = self.items_requis(n_items)
        if requis >= n_items:
            return f"les {n_items} items"
        return f"au moins {requis} des {n_items} items"

    def en_dict(self, n_items: int | None = None) -> dict[str, Any]:
        """The rule as ``parametres.json`` records it."""
        fiche: dict[str, Any] = {
            "nom": self.nom,
            "n_min": self.n_min,
            "part_min": self.part_min if self.nom == "part_min" else None,
            "origine": self.origine,
        }
        if n_items is not None:
            fiche.update(items_requis=self.items_requis(n_items), n_items_gamme=n_items)
            fiche["description"] = self.texte_compte(n_items)
        return fiche


def _tuple_ou_valeur(valeur: Any) -> Any:
    if isinstance(valeur, list | tuple):
        return tuple(valeur)
    return valeur


@dataclass(frozen=True)
class Regle:
    """Where each level's pole threshold comes from (see the module docstring).

    Attributes
    ----------
    nom
        ``"gammes"`` (default: each level's own rule in the gamme file, else half the gamme),
        ``"tous"``, ``"n_min"`` or ``"part_min"`` (the same kind of rule for every level).
    n_min, part_min
        The value of an ``n_min`` or ``part_min`` rule: one number for every level, or one
        per level in gamme order (the levels of the zones-grises analysis only, or every
        level of the gamme file). ``part_min`` left empty means half.
    cumul
        A pole of a higher level is a pole of the lower levels too.
    niveaux
        Per-level rules by level name, winning over everything else (``(nom, SeuilNiveau)``
        pairs): a rule read back from ``parametres.json``, or a calibration's choice.
    """

    nom: NomRegle = "gammes"
    n_min: int | tuple[int, ...] | None = None
    part_min: float | tuple[float, ...] | None = None
    cumul: bool = False
    niveaux: tuple[tuple[str, SeuilNiveau], ...] = ()

    def __post_init__(self) -> None:
        if self.nom not in ("gammes", "tous", "n_min", "part_min"):
            raise DonneesInvalides(
                f"Règle de pôle « {self.nom} » inconnue : gammes, tous, n_min ou part_min."
            )
        object.__setattr__(self, "n_min", _tuple_ou_valeur(self.n_min))
        object.__setattr__(self, "part_min", _tuple_ou_valeur(self.part_min))
        object.__setattr__(self, "niveaux", tuple(tuple(p) for p in self.niveaux))
        if self.nom == "n_min":
            if self.n_min is None or self.n_min == ():
                raise DonneesInvalides("La règle n_min demande un nombre d'items >= 1 (--n-min).")
            for valeur in self._valeurs(self.n_min):
                SeuilNiveau("n_min", n_min=valeur)
        if self.nom == "part_min":
            if self.part_min == ():
                raise DonneesInvalides("La règle part_min demande une part (--part-min).")
            for valeur in self._valeurs(self.part_min):
                SeuilNiveau("part_min", part_min=valeur)

    @staticmethod
    def _valeurs(valeur: Any) -> tuple[Any, ...]:
        if valeur is None:
            return (None,)
        return valeur if isinstance(valeur, tuple) else (valeur,)

    def seuils(self, gammes: Gammes) -> dict[str, SeuilNiveau]:
        """The threshold of every level of ``gammes``, by level name.

        Raises
        ------
        DonneesInvalides
            A per-level rule names an unknown level, a list has neither one value, nor one
            per zones-grises level, nor one per level, or a per-level ``n_min`` exceeds its
            level's number of items.
        """
        noms = [n.nom for n in gammes]
        explicites = dict(self.niveaux)
        inconnus = [n for n in explicites if n not in noms]
        if inconnus:
            raise DonneesInvalides(
                f"Règle de pôle : niveau « {inconnus[0]} » inconnu (niveaux de la gamme : "
                f"{', '.join(noms)})."
            )
        par_option = self._par_option(gammes)
        resultat: dict[str, SeuilNiveau] = {}
        for niveau in gammes:
            if niveau.nom in explicites:
                seuil = explicites[niveau.nom]
            elif self.nom == "tous":
                seuil = SeuilNiveau("tous")
            elif niveau.nom in par_option:
                seuil = par_option[niveau.nom]
            elif niveau.n_min is not None:
                seuil = SeuilNiveau("n_min", n_min=niveau.n_min, origine="gammes")
            elif niveau.part_min is not None:
                seuil = SeuilNiveau("part_min", part_min=niveau.part_min, origine="gammes")
            else:
                seuil = SeuilNiveau("part_min", part_min=PART_MIN_DEFAUT, origine="defaut")
            resultat[niveau.nom] = seuil
        return resultat

    def _par_option(self, gammes: Gammes) -> dict[str, SeuilNiveau]:
        """The levels an ``n_min`` or ``part_min`` option covers, and their thresholds."""
        if self.nom not in ("n_min", "part_min"):
            return {}
        cle = "n_min" if self.nom == "n_min" else "part_min"
        valeur = getattr(self, cle)
        tous = [n.nom for n in gammes]
        if not isinstance(valeur, tuple) or len(valeur) == 1:
            unique = valeur[0] if isinstance(valeur, tuple) else valeur
            return {n: SeuilNiveau(self.nom, **{cle: unique}) for n in tous}
        zones_grises = [n.nom for n in gammes.niveaux_zones_grises]
        if len(valeur) == len(tous):
            cibles = tous
        elif len(valeur) == len(zones_grises):
            cibles = zones_grises
        else:
            attendu = f"{len(zones_grises)} ({', '.join(zones_grises)})"
            if len(tous) != len(zones_grises):
                attendu += f" ou {len(tous)} ({', '.join(tous)})"
            option = "--n-min" if cle == "n_min" else "--part-min"
            raise DonneesInvalides(
                f"{option} : {len(valeur)} valeurs pour une gamme qui attend {attendu} : donnez "
                "une valeur par niveau dans l'ordre de la gamme, ou une seule pour tous."
            )
        resultat = {}
        for nom, v in zip(cibles, valeur, strict=True):
            seuil = SeuilNiveau(self.nom, **{cle: v})
            taille = len(gammes[nom].items)
            if seuil.nom == "n_min" and (seuil.n_min or 0) > taille:
                raise DonneesInvalides(
                    f"--n-min : {seuil.n_min} items demandés au niveau {nom}, dont la gamme n'a "
                    f"que {taille} items : vérifiez l'ordre des valeurs."
                )
            resultat[nom] = seuil
        return resultat

    def uniforme(self, gammes: Gammes | None = None) -> SeuilNiveau | None:
        """The one threshold every zones-grises level shares, or ``None`` when they differ."""
        if gammes is None:
            if self.niveaux or self.nom == "gammes":
                return None
            if self.nom == "tous":
                return SeuilNiveau("tous")
            valeurs = set(self._valeurs(getattr(self, self.nom)))
            if len(valeurs) != 1:
                return None
            cle = self.nom
            return SeuilNiveau(self.nom, **{cle: valeurs.pop()})
        seuils = self.seuils(gammes)
        retenus = [seuils[n.nom] for n in gammes.niveaux_zones_grises] or list(seuils.values())
        premier = retenus[0]
        return premier if all(s.meme_seuil(premier) for s in retenus) else None

    def items_requis(self, n_items: int) -> int:
        """Items needed in a gamme of ``n_items`` items, for a rule shared by every level.

        Raises
        ------
        DonneesInvalides
            The rule depends on the level (``"gammes"``, per-level lists): use
            :meth:`seuils`.
        """
        uniforme = self.uniforme()
        if uniforme is None:
            raise DonneesInvalides(
                "Cette règle dépend du niveau : utilisez Regle.seuils(gammes)[niveau]."
            )
        return uniforme.items_requis(n_items)

    def description(self, gammes: Gammes | None = None) -> str:
        """French description, for outputs and maps (per level when the levels differ)."""
        uniforme = self.uniforme(gammes)
        if uniforme is not None:
            if uniforme.nom == "tous":
                texte = "pôle = tous les items de la gamme présents"
            else:
                texte = f"pôle = {uniforme.texte()} de la gamme présents"
        elif gammes is None:
            texte = "pôle = seuil propre à chaque niveau (fichier de gammes)"
        else:
            seuils = self.seuils(gammes)
            niveaux = gammes.niveaux_zones_grises or gammes.niveaux
            morceaux = [
                f"{seuils[n.nom].texte_compte(len(n.items))} ({n.libelle.lower()})" for n in niveaux
            ]
            texte = "pôle = " + ", ".join(morceaux) + " de la gamme présents"
        if self.cumul:
            texte += " ; un pôle d'un niveau supérieur compte aussi pour les niveaux inférieurs"
        return texte

    def en_dict(self, gammes: Gammes) -> dict[str, Any]:
        """The rule as ``parametres.json`` records it (keys read by maps and scenarios)."""
        seuils = self.seuils(gammes)
        uniforme = self.uniforme(gammes)
        du_fichier = all(seuils[n.nom].origine == "gammes" for n in gammes.niveaux_zones_grises)
        return {
            "nom": uniforme.nom if uniforme is not None else "par_niveau",
            "n_min": uniforme.n_min if uniforme is not None else None,
            "part_min": (
                uniforme.part_min if uniforme is not None and uniforme.nom == "part_min" else None
            ),
            "cumul_niveaux_superieurs": self.cumul,
            "description": self.description(gammes),
            "justification": (gammes.justification or None) if du_fichier else None,
            "niveaux": {n.nom: seuils[n.nom].en_dict(len(n.items)) for n in gammes},
        }


def regles_sensibilite() -> list[Regle]:
    """The rules a sensitivity table compares by default (``zones-grises --sensibilite``):
    every item, then at least 30, 50, 70 and 90 % of the gamme."""
    return [Regle("tous")] + [Regle("part_min", part_min=p) for p in (0.3, 0.5, 0.7, 0.9)]


@dataclass(frozen=True)
class PoleImpose:
    """A team's decision: ``code`` is (``pole=True``) or is not a pole of ``niveau``."""

    code: str
    niveau: str
    pole: bool


@dataclass(frozen=True)
class Regroupement:
    """Communes judged as one pole: their items are pooled (``nom``: the group's name)."""

    nom: str
    communes: tuple[str, ...]


def _presents(equipements: pd.DataFrame) -> dict[str, set[str]]:
    """For each TYPEQU, the communes with at least one such equipment."""
    table = equipements[["code_commune", "typequ", "nombre"]]
    table.attrs = {}  # no copy of the BPE's description at every step
    par_type = table.groupby(["code_commune", "typequ"])["nombre"].sum()
    present = par_type[par_type > 0].reset_index()
    communes: dict[str, set[str]] = {}
    for commune, typequ in zip(
        present["code_commune"].to_numpy(dtype=object),
        present["typequ"].to_numpy(dtype=object),
        strict=True,
    ):
        communes.setdefault(typequ, set()).add(commune)
    return communes


def _presence(
    presents: dict[str, set[str]], codes_communes: pd.Index, niveau: Niveau
) -> pd.DataFrame:
    # plain Python sets: pandas' Arrow-backed strings make isin a slow element loop
    index = codes_communes.to_numpy(dtype=object)
    colonnes = {}
    for item in niveau.items:
        equipees = set().union(*(presents.get(t, ()) for t in item.typequ))
        colonnes[item.nom] = np.fromiter((c in equipees for c in index), bool, len(index))
    return pd.DataFrame(colonnes, index=codes_communes)


def presence_items(
    equipements: pd.DataFrame, codes_communes: pd.Index, niveau: Niveau
) -> pd.DataFrame:
    """Which items of a level each commune holds (communes × items, bool).

    A commune absent from the equipment table holds nothing.
    """
    return _presence(_presents(equipements), codes_communes, niveau)


def verifier_regroupements(regroupements: Iterable[Regroupement], codes: pd.Index) -> None:
    """Check that groups are named once, not empty, disjoint and made of known communes.

    Raises
    ------
    DonneesInvalides
        A group is empty or named twice, a commune is in two groups, or a member is not a
        commune of the zone studied (the département and its buffer).
    """
    vus: dict[str, str] = {}
    noms: set[str] = set()
    for groupe in regroupements:
        if groupe.nom in noms:
            raise DonneesInvalides(f"Regroupement « {groupe.nom} » défini deux fois.")
        noms.add(groupe.nom)
        if not groupe.communes:
            raise DonneesInvalides(f"Regroupement « {groupe.nom} » sans commune.")
        for code in groupe.communes:
            if code in vus and vus[code] != groupe.nom:
                raise DonneesInvalides(
                    f"La commune {code} est dans deux regroupements (« {vus[code]} » et "
                    f"« {groupe.nom} ») : une commune ne peut appartenir qu'à un regroupement."
                )
            vus[code] = groupe.nom
            if code not in codes:
                raise DonneesInvalides(
                    f"Regroupement « {groupe.nom} » : la commune {code} n'est ni dans le "
                    "département ni dans sa zone tampon (code INSEE actuel attendu)."
                )


def verifier_imposes(imposes: Iterable[PoleImpose], codes: pd.Index, gammes: Gammes) -> None:
    """Check that imposed poles name known communes and levels, each once.

    Raises
    ------
    DonneesInvalides
        Unknown level or commune, or contradictory decisions for one commune and level.
    """
    noms = [n.nom for n in gammes]
    vus: dict[tuple[str, str], bool] = {}
    for decision in imposes:
        if decision.niveau not in noms:
            raise DonneesInvalides(
                f"Pôle imposé {decision.code} : niveau « {decision.niveau} » inconnu (niveaux "
                f"de la gamme : {', '.join(noms)})."
            )
        if decision.code not in codes:
            raise DonneesInvalides(
                f"Pôle imposé : la commune {decision.code} n'est ni dans le département ni "
                "dans sa zone tampon (code INSEE actuel attendu)."
            )
        cle = (decision.code, decision.niveau)
        if cle in vus and vus[cle] != decision.pole:
            raise DonneesInvalides(
                f"Pôles imposés contradictoires pour la commune {decision.code} au niveau "
                f"{decision.niveau} (oui et non)."
            )
        vus[cle] = decision.pole


def detecter_poles(
    codes_communes: pd.Index | list[str],
    equipements: pd.DataFrame,
    gammes: Gammes,
    regle: Regle | None = None,
    *,
    imposes: Sequence[PoleImpose] = (),
    regroupements: Sequence[Regroupement] = (),
) -> dict[str, pd.DataFrame]:
    """Items present and pole status of each commune, for every level of the gammes.

    Parameters
    ----------
    codes_communes
        The communes to judge (the département and its buffer).
    equipements
        Long table ``code_commune, typequ, nombre`` (see :func:`poles.bpe.lire_bpe`).
    gammes
        The levels and their items.
    regle
        The pole rule (default: each level's rule in the gammes, else half the items; no
        cumulation).
    imposes
        Team decisions, applied last (they win over the rule, the groups and ``cumul``).
    regroupements
        Groups of communes whose items are pooled: a member's item columns and ``n_items``
        are its group's.

    Returns
    -------
    dict
        Level name → DataFrame indexed by commune code with one bool column per item,
        then ``n_items``, ``est_pole``, ``pole_selon_regle`` (the status before the imposed
        decisions), ``origine`` (``"regle"``, ``"regroupement"``, ``"impose"``, or ``""``
        for a commune that is not a pole and had no decision) and ``regroupement`` (the
        group's name, ``""`` outside any group).
    """
    regle = regle or Regle()
    manquantes = {"code_commune", "typequ", "nombre"} - set(equipements.columns)
    if manquantes:
        raise DonneesInvalides(
            f"Table d'équipements sans les colonnes {', '.join(sorted(manquantes))}."
        )
    index = pd.Index(codes_communes, name="code")
    seuils = regle.seuils(gammes)
    verifier_regroupements(regroupements, index)
    verifier_imposes(imposes, index, gammes)
    # the TYPEQU codes of the whole BPE file when known (charger_inventaire records them
    # before keeping the area's communes), so that a rare equipment absent from the area is
    # not mistaken for a renumbered code
    types_presents = equipements.attrs.get("types_bpe") or set(
        equipements.loc[equipements["nombre"] > 0, "typequ"]
    )
    resultat: dict[str, pd.DataFrame] = {}
    presents = _presents(equipements)
    for niveau in gammes:
        absents = [i.libelle for i in niveau.items if not set(i.typequ) & types_presents]
        if absents and (niveau.nom, tuple(absents)) not in _SIGNALES:
            _SIGNALES.add((niveau.nom, tuple(absents)))  # once per process, not per département
            logger.warning(
                "Niveau %s : aucun équipement dans toute la BPE pour %s : vérifiez que la "
                "gamme utilise la nomenclature de ce millésime de la BPE.",
                niveau.nom,
                ", ".join(absents),
            )
        presence = _presence(presents, index, niveau)
        items = [i.nom for i in niveau.items]
        groupe = pd.Series("", index=index, dtype=object)
        for regroupement in regroupements:
            membres = list(regroupement.communes)
            commun = presence.loc[membres, items].any(axis=0).to_numpy()
            presence.loc[membres, items] = np.broadcast_to(commun, (len(membres), len(items)))
            groupe.loc[membres] = regroupement.nom
        presence["n_items"] = presence[items].sum(axis=1)
        presence["est_pole"] = presence["n_items"] >= seuils[niveau.nom].items_requis(len(items))
        presence["regroupement"] = groupe
        resultat[niveau.nom] = presence
    if regle.cumul:
        ordre = [n.nom for n in gammes]
        superieur = np.zeros(len(index), dtype=bool)
        for nom in reversed(ordre):
            table = resultat[nom]
            table["est_pole"] = table["est_pole"].to_numpy() | superieur
            superieur = table["est_pole"].to_numpy().copy()
    for table in resultat.values():
        est_pole = table["est_pole"].to_numpy(dtype=bool)
        table["pole_selon_regle"] = est_pole
        dans_groupe = table["regroupement"].to_numpy() != ""
        table["origine"] = np.where(
            est_pole, np.where(dans_groupe, "regroupement", "regle"), ""
        ).astype(object)
    for decision in imposes:
        table = resultat[decision.niveau]
        table.loc[decision.code, "est_pole"] = decision.pole
        table.loc[decision.code, "origine"] = "impose"
    return resultat
