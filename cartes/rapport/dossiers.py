"""Reading the folders a report is made of, and refusing those it cannot trust.

The base is a zones-grises folder; ``--avec`` adds indicator folders, scenario folders and
previous studies (another zones-grises folder of the same département). Indicator and
scenario folders stored inside the base (their default place) are found on their own.

Every number of the report comes from the files read here (``docs/FORMATS.md``), so a
report can be rebuilt from its folders alone. A folder is refused, with one French line,
when it was written by a format version this code does not read (key ``format`` of
``parametres.json``), when a file or a column is missing, when its files are no longer those
its run wrote (manifest ``_execution.json``, :func:`socle.dossiers.verifier_dossier`), or
when it covers another département than the base.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from cartes.dossier import DossierZonesGrises, NiveauCarte, lire_dossier
from cartes.rapport._commun import DonneesInvalides, DonneesManquantes, est_vrai, verifier_dossier
from socle.tableur import lire_csv

__all__ = [
    "VERSIONS_LUES",
    "Dossiers",
    "Etude",
    "EtudePrecedente",
    "Indicateur",
    "Scenario",
    "lire_dossiers",
    "type_dossier",
]

logger = logging.getLogger(__name__)

#: Versions of the output folder format (``parametres.json`` → ``format.version``) this
#: report reads. A folder without the key predates the stamp: it is read as version 1 when
#: its files and columns are those of ``docs/FORMATS.md``.
VERSIONS_LUES = frozenset({1})

#: Files that make a complete folder, per folder type.
FICHIERS = {
    "zones-grises": (
        "zones_grises.csv",
        "resume.csv",
        "resume_epci.csv",
        "zones_grises.gpkg",
        "parametres.json",
    ),
    "indicateur": (
        "indicateur.csv",
        "resume.csv",
        "resume_epci.csv",
        "communes_les_plus_eloignees.csv",
        "indicateur.gpkg",
        "parametres.json",
    ),
    "scenario": ("avant_apres.csv", "bilan.csv", "scenario.gpkg", "parametres.json"),
}
_COMMANDE = {
    "zones-grises": "accessibilite zones-grises",
    "indicateur": "accessibilite indicateur",
    "scenario": "accessibilite scenario",
    "placement": "accessibilite placement",
}


@dataclass(frozen=True)
class Etude:
    """The base: a zones-grises folder.

    Attributes
    ----------
    carto
        The folder as the maps read it (GeoPackage layers, levels).
    table
        ``zones_grises.csv`` (``code`` and ``epci_code`` as text).
    sensibilite
        ``sensibilite.csv`` when present.
    fichiers
        Every file read, for the report's list of sources.
    """

    carto: DossierZonesGrises
    table: pd.DataFrame
    sensibilite: pd.DataFrame | None
    fichiers: tuple[Path, ...]

    @property
    def chemin(self) -> Path:
        """The folder."""
        return self.carto.chemin

    @property
    def parametres(self) -> dict[str, Any]:
        """``parametres.json``."""
        return self.carto.parametres

    @property
    def niveaux(self) -> tuple[NiveauCarte, ...]:
        """The levels of the study, in order."""
        return self.carto.niveaux


@dataclass(frozen=True)
class Indicateur:
    """An indicator folder (``accessibilite indicateur``).

    ``communes`` holds the polygons of ``indicateur.gpkg`` (``None`` when the report has no
    maps); ``resume`` is the one row of ``resume.csv``.
    """

    chemin: Path
    parametres: dict[str, Any]
    table: pd.DataFrame
    resume: pd.Series
    resume_epci: pd.DataFrame
    plus_eloignees: pd.DataFrame
    communes: gpd.GeoDataFrame | None
    fichiers: tuple[Path, ...]

    @property
    def seuils(self) -> tuple[float, ...]:
        """Thresholds in minutes, in the order of the columns."""
        return tuple(float(s) for s in self.parametres.get("seuils_min") or ())

    @property
    def libelle(self) -> str:
        """Name of the service (``"Médecin généraliste"``)."""
        service = self.parametres.get("service") or {}
        return str(service.get("libelle") or service.get("nom") or self.chemin.name)


@dataclass(frozen=True)
class Scenario:
    """A scenario folder (``accessibilite scenario``)."""

    chemin: Path
    parametres: dict[str, Any]
    bilan: pd.DataFrame
    avant_apres: pd.DataFrame
    fichiers: tuple[Path, ...]

    @property
    def description(self) -> str:
        """The description of the scenario file, or the folder name."""
        modifications = self.parametres.get("modifications") or {}
        return str(modifications.get("description") or self.chemin.name)


@dataclass(frozen=True)
class EtudePrecedente:
    """A previous study to compare with: another zones-grises folder (its tables only)."""

    chemin: Path
    parametres: dict[str, Any]
    table: pd.DataFrame
    resume: pd.DataFrame
    resume_epci: pd.DataFrame
    fichiers: tuple[Path, ...]


@dataclass(frozen=True)
class Dossiers:
    """Everything a report is built from.

    ``ignores`` lists, in French, the folders found in the base but left out (incomplete).
    """

    base: Etude
    indicateurs: tuple[Indicateur, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    precedentes: tuple[EtudePrecedente, ...] = ()
    ignores: tuple[str, ...] = field(default=())


# ---- checks ----------------------------------------------------------------------------


def _parametres(chemin: Path) -> dict[str, Any]:
    fichier = chemin / "parametres.json"
    if not fichier.is_file():
        raise DonneesManquantes(
            f"Fichier parametres.json absent du dossier {chemin} : ce n'est pas un dossier "
            "complet d'accessibilite ; relancez la commande qui l'a produit."
        )
    try:
        donnees = json.loads(fichier.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DonneesInvalides(
            f"{fichier} est illisible ({str(exc).splitlines()[0]}) : relancez la commande qui "
            "a produit le dossier."
        ) from exc
    if not isinstance(donnees, dict):
        raise DonneesInvalides(f"{fichier} doit contenir un objet JSON.")
    return donnees


def type_dossier(chemin: str | Path) -> str | None:
    """The type of an output folder (``"zones-grises"``, ``"indicateur"``, ``"scenario"``,
    ``"placement"``), from the stamp of its ``parametres.json`` or from its files; ``None``
    when it is none of them."""
    chemin = Path(chemin)
    fichier = chemin / "parametres.json"
    if fichier.is_file():
        try:
            donnees = json.loads(fichier.read_text(encoding="utf-8"))
            stamp = donnees.get("format") if isinstance(donnees, dict) else None
            if isinstance(stamp, dict) and stamp.get("dossier"):
                return str(stamp["dossier"])
        except (OSError, ValueError):
            pass
    for nom, indice in (
        ("zones-grises", "zones_grises.csv"),
        ("indicateur", "indicateur.csv"),
        ("scenario", "bilan.csv"),
        ("placement", "placement.csv"),
    ):
        if (chemin / indice).is_file():
            return nom
    return None


def _verifier_format(chemin: Path, parametres: dict[str, Any], attendu: str) -> None:
    stamp = parametres.get("format")
    if stamp is None:
        logger.info("%s : pas de version de format (dossier antérieur au marquage)", chemin)
        return
    if not isinstance(stamp, dict):
        raise DonneesInvalides(
            f"Clé « format » illisible dans {chemin / 'parametres.json'} : relancez "
            f"« {_COMMANDE[attendu]} »."
        )
    dossier = str(stamp.get("dossier", ""))
    if dossier != attendu:
        raise DonneesInvalides(
            f"Le dossier {chemin} est un dossier « {dossier} », pas « {attendu} » : donnez "
            f"un dossier écrit par « {_COMMANDE[attendu]} »."
        )
    version = stamp.get("version")
    if version not in VERSIONS_LUES:
        logiciel = stamp.get("logiciel") or "une autre version d'accessibilite"
        lues = ", ".join(str(v) for v in sorted(VERSIONS_LUES))
        raise DonneesInvalides(
            f"Le dossier {chemin} a été écrit par {logiciel} (format « {dossier} » version "
            f"{version}) ; ce rapport lit la version {lues} : relancez « {_COMMANDE[attendu]} » "
            "avec la version installée, ou produisez le rapport avec la version qui a écrit "
            "le dossier."
        )


def _fichiers(chemin: Path, type_: str) -> tuple[Path, ...]:
    if not chemin.is_dir():
        raise DonneesManquantes(
            f"Dossier {chemin} introuvable : donnez le dossier de sortie de « {_COMMANDE[type_]} »."
        )
    absents = [f for f in FICHIERS[type_] if not (chemin / f).is_file()]
    if absents:
        raise DonneesManquantes(
            f"Fichier(s) absent(s) du dossier {chemin} : {', '.join(absents)}. Ce dossier "
            f"n'est pas une sortie complète de « {_COMMANDE[type_]} » : relancez-la."
        )
    return tuple(chemin / f for f in FICHIERS[type_])


def _lire_csv(chemin: Path, colonnes: Sequence[str], *, texte: Sequence[str] = ()) -> pd.DataFrame:
    """A CSV of an output folder, with the columns it must have (codes kept as text)."""
    try:
        # either CSV form of the folders (portable or excel-fr, see socle.tableur)
        table = lire_csv(chemin, dtype={c: str for c in texte}, keep_default_na=True)
    except (OSError, ValueError) as exc:
        raise DonneesInvalides(
            f"{chemin} est illisible ({str(exc).splitlines()[0]}) : relancez la commande qui "
            "a produit le dossier."
        ) from exc
    manquantes = [c for c in colonnes if c not in table.columns]
    if manquantes:
        raise DonneesInvalides(
            f"Colonnes absentes de {chemin} : {', '.join(manquantes)}. Le dossier ne suit pas "
            "le format de docs/FORMATS.md (autre version d'accessibilite ?) : relancez la "
            "commande qui l'a produit."
        )
    return table


def _booleens(table: pd.DataFrame, colonnes: Iterable[str]) -> None:
    for c in colonnes:
        if c in table.columns:
            table[c] = table[c].map(est_vrai).astype(bool)


def _meme_departement(base: dict[str, Any], autre: dict[str, Any], chemin: Path) -> None:
    a, b = str(base.get("departement", "")), str(autre.get("departement", ""))
    if b and a and a != b:
        raise DonneesInvalides(
            f"Le dossier {chemin} porte sur le département {b}, la base sur le {a} : un "
            "rapport ne mêle pas deux départements."
        )


# ---- readers ---------------------------------------------------------------------------


def lire_etude(chemin: str | Path) -> Etude:
    """Read the base zones-grises folder, checked.

    Raises
    ------
    DonneesManquantes
        Missing folder or file.
    DonneesInvalides
        Another format version, a missing column, tables that disagree.
    """
    chemin = Path(chemin)
    fichiers = _fichiers(chemin, "zones-grises")
    parametres = _parametres(chemin)
    _verifier_format(chemin, parametres, "zones-grises")
    for cle in ("departement", "source", "regle", "gammes"):
        if cle not in parametres:
            raise DonneesInvalides(
                f"Clé « {cle} » absente de {chemin / 'parametres.json'} : le dossier vient "
                "d'une autre version d'accessibilite ; relancez « accessibilite zones-grises »."
            )
    carto = lire_dossier(chemin)
    niveaux = [n.nom for n in carto.niveaux]
    colonnes = ["code", "nom", "population", "epci_code", "epci_nom"]
    for n in niveaux:
        colonnes += [f"pole_{n}_nom", f"temps_{n}_min", f"zone_grise_{n}"]
    table = _lire_csv(
        chemin / "zones_grises.csv",
        colonnes,
        texte=["code", "epci_code", *[f"pole_{n}" for n in niveaux]],
    )
    _booleens(table, [f"zone_grise_{n}" for n in niveaux] + [f"est_pole_{n}" for n in niveaux])
    if set(table["code"]) != set(carto.communes["code"]):
        raise DonneesInvalides(
            f"zones_grises.csv et zones_grises.gpkg du dossier {chemin} ne portent pas sur "
            "les mêmes communes (fichiers de deux calculs différents ?) : relancez "
            "« accessibilite zones-grises »."
        )
    resume_niveaux = set(carto.resume["niveau"].astype(str))
    if not set(niveaux) <= resume_niveaux:
        raise DonneesInvalides(
            f"resume.csv du dossier {chemin} ne résume pas tous les niveaux de "
            "zones_grises.csv (fichiers de deux calculs différents ?) : relancez "
            "« accessibilite zones-grises »."
        )
    sensibilite = None
    lus = list(fichiers)
    if (chemin / "sensibilite.csv").is_file():
        sensibilite = _lire_csv(
            chemin / "sensibilite.csv",
            ["regle", "niveau", "poles", "communes", "population", "part_population"],
        )
        lus.append(chemin / "sensibilite.csv")
    return Etude(carto=carto, table=table, sensibilite=sensibilite, fichiers=tuple(lus))


def lire_indicateur(chemin: str | Path, *, cartes: bool = True) -> Indicateur:
    """Read an indicator folder, checked (see :func:`lire_etude` for the errors)."""
    chemin = Path(chemin)
    fichiers = _fichiers(chemin, "indicateur")
    verifier_dossier(chemin)
    parametres = _parametres(chemin)
    _verifier_format(chemin, parametres, "indicateur")
    if not parametres.get("seuils_min") or "service" not in parametres:
        raise DonneesInvalides(
            f"Clés « service » ou « seuils_min » absentes de {chemin / 'parametres.json'} : "
            "relancez « accessibilite indicateur »."
        )
    seuils = [f"{float(s):g}".replace(".", "_") for s in parametres["seuils_min"]]
    table = _lire_csv(
        chemin / "indicateur.csv",
        ["code", "nom", "population", "epci_code", "epci_nom", "temps_min"]
        + [f"au_dela_{s}" for s in seuils],
        texte=["code", "epci_code", "commune_equipee"],
    )
    _booleens(table, [f"au_dela_{s}" for s in seuils])
    par_seuil = []
    for s in seuils:
        par_seuil += [f"communes_au_dela_{s}", f"population_au_dela_{s}", f"part_au_dela_{s}"]
    colonnes_resume = ["communes", "population", "temps_moyen_min", "temps_max_min", *par_seuil]
    resume = _lire_csv(chemin / "resume.csv", colonnes_resume)
    if len(resume) != 1:
        raise DonneesInvalides(f"{chemin / 'resume.csv'} doit avoir une ligne (le département).")
    resume_epci = _lire_csv(
        chemin / "resume_epci.csv", ["epci_code", "epci_nom", *colonnes_resume], texte=["epci_code"]
    )
    plus_eloignees = _lire_csv(
        chemin / "communes_les_plus_eloignees.csv",
        ["code", "nom", "population", "temps_min"],
        texte=["code", "commune_equipee"],
    )
    communes = None
    if cartes:
        try:
            communes = gpd.read_file(chemin / "indicateur.gpkg", layer="communes")
        except Exception as exc:  # pyogrio raises its own errors for a damaged file
            raise DonneesInvalides(
                f"Couche « communes » illisible dans {chemin / 'indicateur.gpkg'} ({exc}) : "
                "relancez « accessibilite indicateur »."
            ) from exc
        if communes.crs is None:
            raise DonneesInvalides(
                f"La couche communes de {chemin / 'indicateur.gpkg'} n'a pas de système de "
                "coordonnées : relancez « accessibilite indicateur »."
            )
        communes = communes.to_crs("EPSG:2154")
        communes["code"] = communes["code"].astype(str)
    return Indicateur(
        chemin=chemin,
        parametres=parametres,
        table=table,
        resume=resume.iloc[0],
        resume_epci=resume_epci,
        plus_eloignees=plus_eloignees,
        communes=communes,
        fichiers=fichiers,
    )


def lire_scenario(chemin: str | Path) -> Scenario:
    """Read a scenario folder, checked (see :func:`lire_etude` for the errors)."""
    chemin = Path(chemin)
    fichiers = _fichiers(chemin, "scenario")
    verifier_dossier(chemin)
    parametres = _parametres(chemin)
    _verifier_format(chemin, parametres, "scenario")
    bilan = _lire_csv(
        chemin / "bilan.csv",
        [
            "niveau",
            "seuil_min",
            "poles_avant",
            "poles_apres",
            "communes_zone_grise_avant",
            "communes_zone_grise_apres",
            "population_zone_grise_avant",
            "population_zone_grise_apres",
            "communes_entrant",
            "population_entrant",
            "communes_sortant",
            "population_sortant",
            "temps_moyen_avant_min",
            "temps_moyen_apres_min",
        ],
    )
    avant_apres = _lire_csv(
        chemin / "avant_apres.csv",
        [
            "code",
            "nom",
            "population",
            "epci_nom",
            "niveau",
            "temps_avant_min",
            "temps_apres_min",
            "pole_apres_nom",
            "changement",
        ],
        texte=["code", "epci_code", "pole_avant", "pole_apres"],
    )
    return Scenario(
        chemin=chemin,
        parametres=parametres,
        bilan=bilan,
        avant_apres=avant_apres,
        fichiers=fichiers,
    )


def lire_precedente(chemin: str | Path) -> EtudePrecedente:
    """Read a previous zones-grises study (tables only), checked."""
    chemin = Path(chemin)
    fichiers = ("zones_grises.csv", "resume.csv", "resume_epci.csv", "parametres.json")
    absents = [f for f in fichiers if not (chemin / f).is_file()]
    if absents:
        raise DonneesManquantes(
            f"Fichier(s) absent(s) de l'étude précédente {chemin} : {', '.join(absents)}. "
            "Donnez un dossier complet de « accessibilite zones-grises »."
        )
    verifier_dossier(chemin)
    parametres = _parametres(chemin)
    _verifier_format(chemin, parametres, "zones-grises")
    table = _lire_csv(
        chemin / "zones_grises.csv", ["code", "nom", "population"], texte=["code", "epci_code"]
    )
    niveaux = [
        str(c)[len("zone_grise_") :] for c in table.columns if str(c).startswith("zone_grise_")
    ]
    _booleens(table, [f"zone_grise_{n}" for n in niveaux])
    resume = _lire_csv(chemin / "resume.csv", ["niveau", "communes", "population"])
    resume_epci = _lire_csv(
        chemin / "resume_epci.csv", ["epci_code", "niveau", "communes"], texte=["epci_code"]
    )
    return EtudePrecedente(
        chemin=chemin,
        parametres=parametres,
        table=table,
        resume=resume,
        resume_epci=resume_epci,
        fichiers=tuple(chemin / f for f in fichiers),
    )


def _sous_dossiers(chemin: Path, exclus: set[Path]) -> list[tuple[str, Path]]:
    """Indicator and scenario folders directly inside ``chemin``, by name."""
    trouves = []
    for sous in sorted(p for p in chemin.iterdir() if p.is_dir()):
        if sous.name.startswith(".") or sous.resolve() in exclus:
            continue
        type_ = type_dossier(sous)
        if type_ in ("indicateur", "scenario"):
            trouves.append((type_, sous))
    return trouves


def lire_dossiers(
    base: str | Path,
    avec: Sequence[str | Path] = (),
    *,
    cartes: bool = True,
    exclus: Iterable[str | Path] = (),
) -> Dossiers:
    """Read the base and the ``avec`` folders, by type.

    Parameters
    ----------
    base
        A zones-grises folder. Its ``indicateur_*``/``scenario_*`` sub-folders (any
        indicator or scenario folder inside it) are added; an incomplete one is left out
        and listed in :attr:`Dossiers.ignores`.
    avec
        Indicator, scenario or zones-grises folders (a zones-grises folder is a previous
        study to compare with), or folders holding such folders (``--services`` writes one
        per service).
    cartes
        Whether the indicator maps will be drawn (their GeoPackage is read only then).
    exclus
        Folders never to pick up (the report's own output folder).

    Raises
    ------
    DonneesManquantes, DonneesInvalides
        A folder is missing, incomplete, of another version or of another département, or
        is of no known type.
    """
    chemin_base = Path(base)
    if type_dossier(chemin_base) not in (None, "zones-grises"):
        raise DonneesInvalides(
            f"--base {chemin_base} est un dossier « {type_dossier(chemin_base)} » : donnez le "
            "dossier de « accessibilite zones-grises » et ce dossier avec --avec."
        )
    etude = lire_etude(chemin_base)
    deja = {etude.chemin.resolve()} | {Path(e).resolve() for e in exclus}
    indicateurs: list[Indicateur] = []
    scenarios: list[Scenario] = []
    precedentes: list[EtudePrecedente] = []
    ignores: list[str] = []

    def ajouter(type_: str, chemin: Path) -> None:
        if type_ == "indicateur":
            ind = lire_indicateur(chemin, cartes=cartes)
            _meme_departement(etude.parametres, ind.parametres, chemin)
            indicateurs.append(ind)
        elif type_ == "scenario":
            sc = lire_scenario(chemin)
            _meme_departement(etude.parametres, sc.parametres, chemin)
            scenarios.append(sc)
        else:
            prec = lire_precedente(chemin)
            _meme_departement(etude.parametres, prec.parametres, chemin)
            precedentes.append(prec)
        deja.add(chemin.resolve())

    for type_, sous in _sous_dossiers(etude.chemin, deja):
        try:
            ajouter(type_, sous)
        except (DonneesManquantes, DonneesInvalides) as exc:
            logger.warning("Dossier %s laissé de côté : %s", sous, exc)
            ignores.append(f"{sous.name} : {exc}")

    for entree in avec:
        chemin = Path(entree)
        if not chemin.is_dir():
            raise DonneesManquantes(f"Dossier {chemin} (--avec) introuvable : vérifiez le chemin.")
        if chemin.resolve() in deja:
            continue
        trouve = type_dossier(chemin)
        if trouve is None:
            contenus = _sous_dossiers(chemin, deja)
            if not contenus:
                raise DonneesInvalides(
                    f"{chemin} (--avec) n'est ni un dossier d'indicateur, ni un scénario, ni "
                    "une étude de zones grises, et n'en contient aucun : donnez la sortie "
                    "de « accessibilite indicateur », « scenario » ou « zones-grises »."
                )
            for t, sous in contenus:
                ajouter(t, sous)
        elif trouve in ("indicateur", "scenario", "zones-grises"):
            ajouter(trouve, chemin)
        else:
            raise DonneesInvalides(
                f"{chemin} (--avec) est un dossier « {trouve} » : le rapport prend les "
                "dossiers d'indicateur, de scénario et de zones grises (étude précédente)."
            )
    return Dossiers(
        base=etude,
        indicateurs=tuple(indicateurs),
        scenarios=tuple(scenarios),
        precedentes=tuple(precedentes),
        ignores=tuple(ignores),
    )
