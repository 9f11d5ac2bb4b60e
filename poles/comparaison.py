"""Comparing a new zones-grises run with a previous study.

A team revising its schema holds the previous study's result in one of three shapes
(:func:`lire_precedent` recognises them from their columns):

* ``zones_grises``: a ``zones_grises.csv`` of this tool (``code`` and
  ``zone_grise_<niveau>`` columns);
* ``liste``: the zone-grise communes of each level, columns ``code_insee, niveau`` (a
  level with no row is not compared: nothing says whether it had none or was not studied);
* ``comptes``: counts per level, columns ``niveau, communes``, and per EPCI when an
  ``epci_code`` (or ``epci_nom``) column is there; without commune lists only the counts
  are compared.

:func:`comparer` sets it against a new run's output folder: per level and per EPCI, the
counts side by side with their ratio (new / previous), the communes in zone grise in both,
only in the previous study, only in the new run, and the Jaccard index (communes in both /
communes in either). A previous study in an older commune geography is mapped to the
current codes first (:func:`socle.territoire.correspondance_codes`): a current commune
made of several former ones is in the previous zone grise when at least one of them was,
and counted once. EPCI are the new run's (current ones); a count per EPCI is matched by
code, then by name.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from poles._csv import codes_communes, lire_csv, nom_niveau, oui_non
from socle.erreurs import DonneesInvalides, DonneesManquantes

__all__ = [
    "ACCORDS",
    "Precedent",
    "ResultatComparaison",
    "comparer",
    "lire_precedent",
]

logger = logging.getLogger(__name__)

#: The agreement classes of a commune and level, as written in the outputs.
ACCORDS = ("les deux", "précédente seulement", "nouvelle seulement", "aucune")

_ZONE_GRISE = re.compile(r"^zone_grise_(?P<niveau>.+)$")


@dataclass
class Precedent:
    """A previous study, read by :func:`lire_precedent`.

    Attributes
    ----------
    format
        ``"zones_grises"``, ``"liste"`` or ``"comptes"``.
    communes
        Level → codes (as given) of the communes in zone grise; ``None`` for counts.
    comptes
        Counts: ``niveau, communes`` and ``epci_code``/``epci_nom`` when given; ``None``
        otherwise.
    fichier
        The file read.
    """

    format: str
    communes: dict[str, set[str]] | None
    comptes: pd.DataFrame | None
    fichier: str


def lire_precedent(chemin: str | Path) -> Precedent:
    """Read a previous study's result (see the module docstring for the three shapes).

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    DonneesInvalides
        Empty file, or none of the three shapes.
    """
    chemin = Path(chemin)
    quoi = "Résultat précédent"
    table = lire_csv(chemin, quoi=quoi)
    colonnes = list(table.columns)
    niveaux_zg = [m["niveau"] for c in colonnes if (m := _ZONE_GRISE.match(c))]
    code = next((c for c in ("code", "code_insee", "depcom") if c in colonnes), None)
    if code is not None and niveaux_zg:
        communes = {
            n: set(
                table.loc[
                    table[f"zone_grise_{n}"].map(
                        lambda v, n=n: oui_non(v, quoi=f"{quoi} {chemin.name}, zone_grise_{n}")
                    ),
                    code,
                ]
            )
            for n in niveaux_zg
        }
        return Precedent("zones_grises", communes, None, str(chemin))
    if code is not None and "niveau" in colonnes:
        niveaux = table["niveau"].map(nom_niveau)
        communes = {str(n): set(table.loc[niveaux == n, code]) for n in dict.fromkeys(niveaux) if n}
        return Precedent("liste", communes, None, str(chemin))
    if "niveau" in colonnes and "communes" in colonnes:
        nombres = pd.to_numeric(table["communes"], errors="coerce")
        if nombres.isna().any():
            raise DonneesInvalides(
                f"{quoi} {chemin.name} : la colonne communes doit contenir des nombres de "
                f"communes (ligne {int(nombres.isna().argmax()) + 2})."
            )
        comptes = pd.DataFrame(
            {"niveau": table["niveau"].map(nom_niveau), "communes": nombres.astype(int)}
        )
        for c in ("epci_code", "epci_nom"):
            if c in colonnes:
                comptes[c] = table[c].to_numpy()
        return Precedent("comptes", None, comptes, str(chemin))
    raise DonneesInvalides(
        f"{quoi} {chemin.name} : format non reconnu (colonnes "
        f"{', '.join(colonnes)}). Attendu : un zones_grises.csv de cet outil (code, "
        "zone_grise_<niveau>), une liste code_insee,niveau des communes en zone grise, ou "
        "des comptes niveau,communes (et epci_code ou epci_nom)."
    )


@dataclass
class ResultatComparaison:
    """What a comparison produces.

    Attributes
    ----------
    tableau
        One row per level for the département (``echelle`` = ``"département"``) then per
        EPCI and level (``"epci"``): ``echelle, epci_code, epci_nom, niveau,
        communes_precedente, communes_nouvelle, ratio, les_deux, precedente_seulement,
        nouvelle_seulement, jaccard`` (the last four empty for counts).
    communes
        The département's communes (polygons) with, per level compared,
        ``zone_grise_precedente_<n>``, ``zone_grise_nouvelle_<n>`` and ``accord_<n>``
        (:data:`ACCORDS`); empty columns for counts.
    parametres
        What was compared (files, format, levels, codes mapped).
    """

    tableau: pd.DataFrame
    communes: gpd.GeoDataFrame
    parametres: dict[str, Any] = field(default_factory=dict)


def _lire_nouveau(dossier: Path) -> tuple[gpd.GeoDataFrame, dict[str, Any], list[str]]:
    """The new run: communes with their zone-grise columns, parameters, levels."""
    if not dossier.is_dir():
        raise DonneesManquantes(
            f"Dossier de la nouvelle analyse introuvable : {dossier}. Donnez le dossier de "
            "sortie d'« accessibilite zones-grises » (--nouveau)."
        )
    from socle.dossiers import verifier_dossier

    verifier_dossier(dossier)
    for nom in ("zones_grises.csv", "zones_grises.gpkg", "parametres.json"):
        if not (dossier / nom).is_file():
            raise DonneesManquantes(
                f"Le dossier {dossier} n'a pas de fichier {nom} : ce doit être le dossier de "
                "sortie d'« accessibilite zones-grises »."
            )
    try:
        parametres: dict[str, Any] = json.loads(
            (dossier / "parametres.json").read_text(encoding="utf-8")
        )
    except (OSError, ValueError) as exc:
        raise DonneesInvalides(f"{dossier / 'parametres.json'} illisible : {exc}") from exc
    table = pd.read_csv(
        dossier / "zones_grises.csv",
        dtype={"code": str, "epci_code": str},
        keep_default_na=False,
    )
    niveaux = [m["niveau"] for c in table.columns if (m := _ZONE_GRISE.match(str(c)))]
    if "code" not in table.columns or not niveaux:
        raise DonneesInvalides(
            f"{dossier / 'zones_grises.csv'} : colonnes code et zone_grise_<niveau> attendues."
        )
    geometries = gpd.read_file(dossier / "zones_grises.gpkg", layer="communes")
    geometries["code"] = geometries["code"].astype(str)
    communes = gpd.GeoDataFrame(
        table[["code", "nom", "population", "epci_code", "epci_nom"]],
        geometry=geometries.set_index("code").geometry.reindex(table["code"]).to_numpy(),
        crs=geometries.crs,
    )
    for n in niveaux:
        communes[f"zone_grise_nouvelle_{n}"] = (
            table[f"zone_grise_{n}"].astype(str).str.strip().str.lower().isin(["true", "1"])
        ).to_numpy()
    return communes, parametres, niveaux


def _ratio(nouvelle: float, precedente: float) -> float:
    return round(nouvelle / precedente, 4) if precedente else math.nan


def _ligne(
    niveau: str,
    precedente: set[str] | None,
    nouvelle: set[str],
    n_precedente: int | None = None,
) -> dict[str, Any]:
    if precedente is None:
        compte = int(n_precedente or 0)
        return {
            "niveau": niveau,
            "communes_precedente": compte,
            "communes_nouvelle": len(nouvelle),
            "ratio": _ratio(len(nouvelle), compte),
            "les_deux": math.nan,
            "precedente_seulement": math.nan,
            "nouvelle_seulement": math.nan,
            "jaccard": math.nan,
        }
    union = precedente | nouvelle
    return {
        "niveau": niveau,
        "communes_precedente": len(precedente),
        "communes_nouvelle": len(nouvelle),
        "ratio": _ratio(len(nouvelle), len(precedente)),
        "les_deux": len(precedente & nouvelle),
        "precedente_seulement": len(precedente - nouvelle),
        "nouvelle_seulement": len(nouvelle - precedente),
        "jaccard": round(len(precedente & nouvelle) / len(union), 4) if union else math.nan,
    }


def comparer(precedent: Precedent | str | Path, nouveau: str | Path) -> ResultatComparaison:
    """Compare a previous study with a new run's output folder (see the module docstring).

    Raises
    ------
    DonneesManquantes
        The new folder or one of its files is missing.
    DonneesInvalides
        A code of the previous study (after mapping former communes) is not a commune of
        the new run's département, or a level of the previous study is not in the new run.
    """
    if not isinstance(precedent, Precedent):
        precedent = lire_precedent(precedent)
    dossier = Path(nouveau)
    communes, parametres_nouveau, niveaux_nouveau = _lire_nouveau(dossier)
    quoi = f"Résultat précédent {Path(precedent.fichier).name}"
    source = precedent.communes or {}
    comptes = precedent.comptes if precedent.comptes is not None else pd.DataFrame()
    niveaux_precedent = (
        list(source) if precedent.communes is not None else list(dict.fromkeys(comptes["niveau"]))
    )
    inconnus = [n for n in niveaux_precedent if n not in niveaux_nouveau]
    if inconnus:
        raise DonneesInvalides(
            f"{quoi} : niveau « {inconnus[0]} » absent de la nouvelle analyse (niveaux : "
            f"{', '.join(niveaux_nouveau)})."
        )
    niveaux = [n for n in niveaux_nouveau if n in niveaux_precedent]
    codes = set(communes["code"])
    remplaces = 0
    mappes: dict[str, set[str]] | None = None
    if precedent.communes is not None:
        mappes = {}
        for n in niveaux:
            bruts = pd.Series(sorted(source[n]), dtype=str)
            actuels = codes_communes(bruts, quoi=quoi) if len(bruts) else bruts
            remplaces += int((actuels.to_numpy() != bruts.to_numpy()).sum())
            hors = sorted(set(actuels) - codes)
            if hors:
                raise DonneesInvalides(
                    f"{quoi} : {len(hors)} code{'s' if len(hors) > 1 else ''} du niveau {n} "
                    f"hors du département {parametres_nouveau.get('departement', '')} : "
                    f"{', '.join(hors[:5])}{' …' if len(hors) > 5 else ''}."
                )
            mappes[n] = set(actuels)

    lignes: list[dict[str, Any]] = []
    for n in niveaux:
        nouvelle = set(communes.loc[communes[f"zone_grise_nouvelle_{n}"], "code"])
        if mappes is not None:
            lignes.append({"echelle": "département", **_ligne(n, mappes[n], nouvelle)})
        else:
            par_niveau = comptes[comptes["niveau"] == n]
            colonnes_epci = [c for c in ("epci_code", "epci_nom") if c in comptes.columns]
            ensemble = (
                (par_niveau[colonnes_epci].astype(str).apply(lambda c: c.str.strip()) == "")
                .all(axis=1)
                .to_numpy()
                if colonnes_epci
                else np.ones(len(par_niveau), dtype=bool)
            )
            # the département's own row when there is one, else the sum over the EPCI
            lignes_dep = par_niveau[ensemble]
            total = int(
                lignes_dep["communes"].iloc[0] if len(lignes_dep) else par_niveau["communes"].sum()
            )
            lignes.append({"echelle": "département", **_ligne(n, None, nouvelle, total)})
    lignes_epci = _par_epci(communes, niveaux, mappes, precedent)
    tableau = pd.DataFrame(
        [{"epci_code": "", "epci_nom": "", **ligne} for ligne in lignes] + lignes_epci
    )
    colonnes = [
        "echelle",
        "epci_code",
        "epci_nom",
        "niveau",
        "communes_precedente",
        "communes_nouvelle",
        "ratio",
        "les_deux",
        "precedente_seulement",
        "nouvelle_seulement",
        "jaccard",
    ]
    tableau = tableau[colonnes]
    for n in niveaux:
        nouvelle = communes[f"zone_grise_nouvelle_{n}"].to_numpy(dtype=bool)
        if mappes is None:
            communes[f"zone_grise_precedente_{n}"] = None
            communes[f"accord_{n}"] = ""
            continue
        avant = communes["code"].isin(mappes[n]).to_numpy()
        communes[f"zone_grise_precedente_{n}"] = avant
        communes[f"accord_{n}"] = np.select(
            [avant & nouvelle, avant & ~nouvelle, ~avant & nouvelle],
            list(ACCORDS[:3]),
            default=ACCORDS[3],
        )
    ordre = ["code", "nom", "population", "epci_code", "epci_nom"]
    for n in niveaux:
        ordre += [f"zone_grise_precedente_{n}", f"zone_grise_nouvelle_{n}", f"accord_{n}"]
    communes = gpd.GeoDataFrame(communes[[*ordre, "geometry"]], crs=communes.crs)
    parametres = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "precedent": {
            "fichier": str(Path(precedent.fichier).resolve()),
            "format": precedent.format,
            "codes_anciens_rattaches": remplaces,
        },
        "nouveau": {
            "dossier": str(dossier.resolve()),
            "regle": (parametres_nouveau.get("regle") or {}).get("description"),
            "source": (parametres_nouveau.get("source") or {}).get("description"),
        },
        "departement": parametres_nouveau.get("departement"),
        "departement_nom": parametres_nouveau.get("departement_nom"),
        "niveaux": niveaux,
        "niveaux_non_compares": [n for n in niveaux_nouveau if n not in niveaux],
        "gammes": parametres_nouveau.get("gammes"),
    }
    if remplaces:
        logger.info("%s : %d codes de communes fusionnées rattachés.", quoi, remplaces)
    return ResultatComparaison(tableau=tableau, communes=communes, parametres=parametres)


def _par_epci(
    communes: gpd.GeoDataFrame,
    niveaux: list[str],
    mappes: dict[str, set[str]] | None,
    precedent: Precedent,
) -> list[dict[str, Any]]:
    """Rows per EPCI (the new run's) and level."""
    lignes: list[dict[str, Any]] = []
    comptes = precedent.comptes if precedent.comptes is not None else pd.DataFrame()
    par_epci = bool({"epci_code", "epci_nom"} & set(comptes.columns))
    if mappes is None and not par_epci:
        return lignes
    if par_epci:
        comptes = comptes.assign(epci_cle=_cles_epci(comptes, communes))
    for (code, nom), groupe in communes.groupby(["epci_code", "epci_nom"], sort=True):
        for n in niveaux:
            nouvelle = set(groupe.loc[groupe[f"zone_grise_nouvelle_{n}"], "code"])
            if mappes is not None:
                precedente = mappes[n] & set(groupe["code"])
                ligne = _ligne(n, precedente, nouvelle)
            else:
                sel = comptes[(comptes["epci_cle"] == code) & (comptes["niveau"] == n)]
                ligne = _ligne(n, None, nouvelle, int(sel["communes"].sum()))
            lignes.append({"echelle": "epci", "epci_code": code, "epci_nom": nom, **ligne})
    return lignes


def _cles_epci(comptes: pd.DataFrame, communes: gpd.GeoDataFrame) -> pd.Series:
    """The new run's EPCI code of each row of previous counts (by code, else by name);
    ``""`` (and a warning) for an EPCI the new run does not have."""
    connus = set(communes["epci_code"].astype(str))
    noms_vers_codes = {
        nom_niveau(str(nom)): str(code)
        for code, nom in zip(communes["epci_code"], communes["epci_nom"], strict=True)
    }
    if "epci_code" in comptes.columns:
        cle = comptes["epci_code"].astype(str).str.strip()
    else:
        cle = pd.Series("", index=comptes.index)
    if "epci_nom" in comptes.columns:
        par_nom = comptes["epci_nom"].map(lambda v: noms_vers_codes.get(nom_niveau(str(v)), ""))
        cle = cle.where(cle.isin(connus), par_nom)
    vides = (
        comptes[[c for c in ("epci_code", "epci_nom") if c in comptes.columns]]
        .astype(str)
        .apply(lambda c: c.str.strip())
        .eq("")
        .all(axis=1)
    )
    inconnus = ~cle.isin(connus) & ~vides
    if inconnus.any():
        exemples = comptes.loc[inconnus].iloc[:, -1].astype(str).unique()[:5]
        logger.warning(
            "EPCI du résultat précédent introuvables dans la nouvelle analyse, comptes "
            "ignorés à l'échelle des EPCI : %s",
            ", ".join(exemples),
        )
    return cle.where(cle.isin(connus), "")
