"""Pole detection: which communes hold enough of a level's gamme.

The SDAASP says a commune is a pole of a level when it holds "a threshold of the services
present" in that level's gamme, without saying which. :class:`Regle` makes it explicit:

* ``tous``: every item of the gamme is present;
* ``n_min``: at least ``n_min`` items are present;
* ``part_min`` (default, ``part_min=0.5``): at least that share of the items, rounded up.
  Half the gamme is INSEE's own threshold for its "pôles de services" (a commune is a pole
  of a gamme when it holds at least half of the gamme's equipment types, e.g. 16 of the 31
  intermediate types in the 2012 bassins de vie).

``cumul=True`` also makes every pole of a higher level a pole of the lower levels.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from poles.gammes import Gammes, Niveau
from socle.erreurs import DonneesInvalides

__all__ = ["Regle", "detecter_poles", "presence_items", "regles_sensibilite"]

logger = logging.getLogger(__name__)

#: (level, absent items) already reported by :func:`detecter_poles` in this process.
_SIGNALES: set[tuple[str, tuple[str, ...]]] = set()

NomRegle = Literal["tous", "n_min", "part_min"]


@dataclass(frozen=True)
class Regle:
    """How many items of a gamme make a pole (see the module docstring)."""

    nom: NomRegle = "part_min"
    n_min: int | None = None
    part_min: float = 0.5
    cumul: bool = False

    def __post_init__(self) -> None:
        if self.nom not in ("tous", "n_min", "part_min"):
            raise DonneesInvalides(
                f"Règle de pôle « {self.nom} » inconnue : tous, n_min ou part_min."
            )
        if self.nom == "n_min" and (self.n_min is None or self.n_min < 1):
            raise DonneesInvalides("La règle n_min demande un nombre d'items >= 1 (--n-min).")
        if self.nom == "part_min" and not 0 < self.part_min <= 1:
            raise DonneesInvalides(
                f"La part minimale d'items doit être dans ]0, 1] (reçu {self.part_min})."
            )

    def items_requis(self, n_items: int) -> int:
        """Number of items a commune needs to be a pole of a gamme of ``n_items`` items."""
        if self.nom == "tous":
            return n_items
        if self.nom == "n_min":
            return min(int(self.n_min or 1), n_items)
        return max(1, math.ceil(self.part_min * n_items - 1e-9))

    def description(self) -> str:
        """French description, for outputs and maps."""
        if self.nom == "tous":
            texte = "pôle = tous les items de la gamme présents"
        elif self.nom == "n_min":
            texte = f"pôle = au moins {self.n_min} items de la gamme présents"
        else:
            texte = f"pôle = au moins {self.part_min:.0%} des items de la gamme présents"
        if self.cumul:
            texte += " ; un pôle d'un niveau supérieur compte aussi pour les niveaux inférieurs"
        return texte


def regles_sensibilite() -> list[Regle]:
    """The rules a sensitivity table compares by default (``zones-grises --sensibilite``):
    every item, then at least 30, 50, 70 and 90 % of the gamme."""
    return [Regle("tous")] + [Regle("part_min", part_min=p) for p in (0.3, 0.5, 0.7, 0.9)]


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


def detecter_poles(
    codes_communes: pd.Index | list[str],
    equipements: pd.DataFrame,
    gammes: Gammes,
    regle: Regle | None = None,
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
        The pole rule (default: half the items, no cumulation).

    Returns
    -------
    dict
        Level name → DataFrame indexed by commune code with one bool column per item,
        then ``n_items`` and ``est_pole``.
    """
    regle = regle or Regle()
    manquantes = {"code_commune", "typequ", "nombre"} - set(equipements.columns)
    if manquantes:
        raise DonneesInvalides(
            f"Table d'équipements sans les colonnes {', '.join(sorted(manquantes))}."
        )
    index = pd.Index(codes_communes, name="code")
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
        presence["n_items"] = presence[[i.nom for i in niveau.items]].sum(axis=1)
        presence["est_pole"] = presence["n_items"] >= regle.items_requis(len(niveau.items))
        resultat[niveau.nom] = presence
    if regle.cumul:
        ordre = [n.nom for n in gammes]
        superieur = np.zeros(len(index), dtype=bool)
        for nom in reversed(ordre):
            table = resultat[nom]
            table["est_pole"] = table["est_pole"].to_numpy() | superieur
            superieur = table["est_pole"].to_numpy().copy()
    return resultat
