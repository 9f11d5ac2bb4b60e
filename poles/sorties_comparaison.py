"""Writing a comparison (:func:`poles.comparaison.comparer`) to a folder, and its summary.

Files (format in ``docs/FORMATS.md``): ``comparaison.csv``, ``comparaison_communes.csv``,
``comparaison.gpkg`` (layer ``accord``) and ``parametres.json``, each written atomically
through :mod:`socle.fichiers`; the maps read this folder (:mod:`cartes.comparaison`).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import pandas as pd

from poles.comparaison import ResultatComparaison
from socle.fichiers import ecrire_couches, ecrire_json, ecrire_table, preparer_dossier
from socle.geopaquet import Metadonnees, historique
from socle.styles_qgis import style_accord
from socle.tableur import ecrire_classeur

__all__ = ["ecrire_comparaison", "formater_comparaison"]

logger = logging.getLogger(__name__)


def ecrire_comparaison(resultat: ResultatComparaison, dossier: str | Path) -> list[Path]:
    """Write the comparison's tables, GeoPackage and parameters into ``dossier``."""
    dossier = preparer_dossier(dossier)
    communes = resultat.communes
    tables = {
        "comparaison.csv": resultat.tableau,
        "comparaison_communes.csv": pd.DataFrame(communes.drop(columns="geometry")),
    }
    niveaux = [str(c)[len("accord_") :] for c in communes.columns if str(c).startswith("accord_")]
    styles = [
        style_accord(f"accord_{n}", nom=f"Accord des deux études — {n}", defaut=k == 0)
        for k, n in enumerate(niveaux)
    ]
    ecrits = [
        *(ecrire_table(table, dossier / nom) for nom, table in tables.items()),
        ecrire_classeur(tables, dossier / "comparaison.xlsx"),
        ecrire_couches(
            {"accord": communes},
            dossier / "comparaison.gpkg",
            styles={"accord": styles} if styles else None,
            metadonnees=Metadonnees(
                titre="Comparaison avec une étude précédente",
                resume="Communes en zone grise dans l'une, l'autre ou les deux études.",
                historique=historique(resultat.parametres),
            ),
        ),
        ecrire_json(resultat.parametres, dossier / "parametres.json"),
    ]
    logger.info("Comparaison écrite dans %s", dossier)
    return ecrits


def _nombre(x: float) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{int(x)}"


def _decimal(x: float, decimales: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:.{decimales}f}".replace(".", ",")


def formater_comparaison(resultat: ResultatComparaison) -> str:
    """A short French summary of a comparison, for the terminal."""
    p = resultat.parametres
    t = resultat.tableau
    dep = t[t["echelle"] == "département"]
    lignes = [
        f"Comparaison des zones grises — {p.get('departement_nom') or ''} "
        f"({p.get('departement') or ''}) : étude précédente "
        f"{Path(p['precedent']['fichier']).name} ({p['precedent']['format']}) et nouvelle "
        f"analyse {Path(p['nouveau']['dossier']).name}",
        "",
        f"{'niveau':<15}{'précédente':>11}{'nouvelle':>10}{'ratio':>7}{'les deux':>10}"
        f"{'préc. seule':>12}{'nouv. seule':>12}{'Jaccard':>9}",
    ]
    gammes = (p.get("gammes") or {}).get("niveaux") or []
    libelles = {str(g.get("nom")): str(g.get("libelle")) for g in gammes if isinstance(g, dict)}
    for r in dep.to_dict("records"):
        libelle = libelles.get(str(r["niveau"]), str(r["niveau"]))
        lignes.append(
            f"{libelle:<15}{_nombre(r['communes_precedente']):>11}"
            f"{_nombre(r['communes_nouvelle']):>10}{_decimal(r['ratio']):>7}"
            f"{_nombre(r['les_deux']):>10}{_nombre(r['precedente_seulement']):>12}"
            f"{_nombre(r['nouvelle_seulement']):>12}{_decimal(r['jaccard']):>9}"
        )
    if p["precedent"].get("codes_anciens_rattaches"):
        lignes.append(
            f"\n{p['precedent']['codes_anciens_rattaches']} codes de communes fusionnées depuis "
            "l'étude précédente ont été rattachés à leur commune actuelle."
        )
    if p.get("niveaux_non_compares"):
        lignes.append(
            "Niveaux non comparés (absents de l'étude précédente) : "
            + ", ".join(p["niveaux_non_compares"])
            + "."
        )
    n_epci = t.loc[t["echelle"] == "epci", "epci_code"].nunique()
    if n_epci:
        lignes.append(f"Détail par EPCI ({n_epci}) : comparaison.csv.")
    lignes.append(
        "Ratio = nouvelle / précédente ; Jaccard = communes en zone grise dans les deux / "
        "dans l'une ou l'autre."
    )
    return "\n".join(lignes)
