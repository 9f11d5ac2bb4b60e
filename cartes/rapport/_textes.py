"""French texts built from an output folder's ``parametres.json`` and tables.

Small pure functions the chapters share: the source line of a caption, the travel-time
source, the pole rule of a level, the label of a level, an EPCI's short name, SHA-256
checksums, and the optional uncertainty columns of a zones-grises table.
"""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from cartes import _style
from cartes.dossier import NiveauCarte
from cartes.rapport._commun import TIRET, decimal, entier, minutes, pourcent
from cartes.statique import _nom_court_epci

__all__ = [
    "annee_bpe",
    "bornes_temps",
    "date_fr",
    "description_source",
    "empreinte",
    "epci_court",
    "est_regle_defaut",
    "incertitude",
    "items_gamme",
    "ligne_source",
    "minutes_seuil",
    "regle_niveau",
    "services",
    "sha256",
    "texte",
    "texte_regle",
]


def date_fr(valeur: Any) -> str:
    return _style.date_francaise(str(valeur or "")[:10]) if valeur else ""


def description_source(parametres: dict[str, Any]) -> str:
    """The travel-time source in French, numbers with a decimal comma."""
    source = parametres.get("source") or {}
    nom = str(source.get("nom") or "")
    reglages = source.get("parametres") or {}
    if nom == "vol-oiseau" and "a_min" in reglages and "b_min_par_km" in reglages:
        return (
            f"estimation à vol d'oiseau ({decimal(reglages['a_min'], 2)} min + "
            f"{decimal(reglages['b_min_par_km'], 2)} min/km entre centres de communes)"
        )
    texte = str(source.get("description") or nom or "source non précisée")
    return re.sub(r"(\d)\.(\d)", r"\1,\2", texte)  # French decimal comma


def annee_bpe(parametres: dict[str, Any]) -> str:
    bpe = parametres.get("bpe") or {}
    annee = bpe.get("annee") if isinstance(bpe, dict) else None
    return str(annee) if annee else ""


def ligne_source(parametres: dict[str, Any], *fichiers: str) -> str:
    """``"Source : INSEE, BPE 2013 ; temps : ... ; calcul du ... (resume.csv)."``"""
    morceaux = []
    annee = annee_bpe(parametres)
    morceaux.append(f"INSEE, BPE {annee}" if annee else "INSEE, BPE")
    morceaux.append(f"temps : {description_source(parametres)}")
    if parametres.get("date"):
        morceaux.append(f"calcul du {date_fr(parametres['date'])}")
    texte = "Source : " + " ; ".join(morceaux)
    if fichiers:
        texte += f" (fichier{'s' if len(fichiers) > 1 else ''} {', '.join(fichiers)})"
    return texte + "."


def regle_niveau(parametres: dict[str, Any], nom: str) -> dict[str, Any]:
    """The pole rule of a level: its own in the gammes when given, else the study's."""
    for n in (parametres.get("gammes") or {}).get("niveaux") or []:
        if isinstance(n, dict) and n.get("nom") == nom and isinstance(n.get("regle"), dict):
            return dict(n["regle"])
    return dict(parametres.get("regle") or {})


def items_gamme(parametres: dict[str, Any], nom: str) -> list[dict[str, Any]]:
    for n in (parametres.get("gammes") or {}).get("niveaux") or []:
        if isinstance(n, dict) and n.get("nom") == nom:
            return [i if isinstance(i, dict) else {"libelle": str(i)} for i in n.get("items") or []]
    return []


def texte_regle(regle: dict[str, Any], n_items: int) -> str:
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


def est_regle_defaut(regle: dict[str, Any]) -> bool:
    return (
        regle.get("nom") == "part_min"
        and regle.get("part_min") is not None
        and abs(float(regle["part_min"]) - 0.5) < 1e-9
        and not regle.get("cumul_niveaux_superieurs")
    )


def minutes_seuil(seuil: float) -> str:
    """A threshold in minutes, without a useless decimal (``10 min``, ``12,5 min``)."""
    return minutes(seuil, 0 if float(seuil).is_integer() else 1)


def services(niveau: NiveauCarte) -> str:
    """``"services de proximité"``, ``"services de niveau intermédiaire"``."""
    if niveau.nom == "proximite":
        return "services de proximité"
    return f"services de niveau {niveau.adjectif}"


def epci_court(nom: Any) -> str:
    return _nom_court_epci(str(nom)) if isinstance(nom, str) and nom else TIRET


def texte(valeur: Any) -> str:
    if valeur is None or (isinstance(valeur, float) and math.isnan(valeur)):
        return TIRET
    texte = str(valeur).strip()
    return texte or TIRET


def incertitude(table: pd.DataFrame, nom: str) -> pd.Series | None:
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


def bornes_temps(table: pd.DataFrame, nom: str) -> tuple[str, str] | None:
    for bas, haut in (
        (f"temps_{nom}_min_bas", f"temps_{nom}_min_haut"),
        (f"temps_{nom}_bas_min", f"temps_{nom}_haut_min"),
    ):
        if bas in table.columns and haut in table.columns:
            return bas, haut
    return None


# ---- the chapters --------------------------------------------------------------------


def empreinte(valeur: Any) -> str:
    """A SHA-256 in four groups of 16 characters (so that a table cell can wrap it)."""
    texte = str(valeur or "").strip()
    if len(texte) != 64:
        return texte or TIRET
    return " ".join(texte[i : i + 16] for i in range(0, 64, 16))


def sha256(chemin: Path) -> str:
    h = hashlib.sha256()
    with chemin.open("rb") as f:
        for bloc in iter(lambda: f.read(1 << 20), b""):
            h.update(bloc)
    return h.hexdigest()
