"""The territory a study covers: an EPCI, a list of communes, or a polygon.

Results, totals and maps cover the perimeter's communes; the services (sites, equipped
communes) outside it still serve it, as the buffer's do for a département.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from socle.erreurs import DonneesInvalides, DonneesManquantes, SansCRS

__all__ = ["Perimetre", "choisir_perimetre"]

logger = logging.getLogger(__name__)

_EXTENSIONS_POLYGONES = (".gpkg", ".geojson", ".json", ".shp")
_EXTENSIONS_LISTES = (".csv", ".txt")


@dataclass(frozen=True)
class Perimetre:
    """The communes of a study's territory.

    Attributes
    ----------
    codes
        INSEE codes of the perimeter's communes (all in the département).
    description
        French description for outputs (``"Communauté d'agglomération du Pays de
        Saint-Omer (200069037)"``).
    demande
        What was asked (the option's text), recorded in the parameters.
    """

    codes: tuple[str, ...]
    description: str
    demande: str

    def masque(self, communes: pd.DataFrame) -> np.ndarray:
        """Mask of the communes of ``communes`` in the perimeter."""
        return communes["code"].astype(str).isin(self.codes).to_numpy(dtype=bool)


def _codes_fichier(chemin: Path) -> list[str]:
    table = pd.read_csv(
        chemin, sep=None, engine="python", dtype=str, encoding="utf-8-sig", header=None
    )
    valeurs = [str(v).strip() for v in table.to_numpy().ravel() if pd.notna(v)]
    return [v for v in valeurs if re.fullmatch(r"[0-9AB]{5}|\d{9}|\d{4}", v.upper())]


def _depuis_polygones(interieur: gpd.GeoDataFrame, chemin: Path) -> tuple[list[str], str]:
    from socle.fichiers import lire_couche

    couche = lire_couche(chemin, quoi="Périmètre")
    if couche.crs is None:
        raise SansCRS(
            f"Le périmètre {chemin.name} n'a pas de système de coordonnées : définissez-le "
            "(par exemple dans QGIS)."
        )
    polygones = couche[couche.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polygones.empty:
        raise DonneesInvalides(
            f"Le périmètre {chemin.name} ne contient aucun polygone (trouvé "
            f"{', '.join(sorted(set(couche.geom_type.dropna())))})."
        )
    zone = polygones.to_crs(interieur.crs).union_all()
    centres = gpd.GeoSeries(interieur["centre"].values, crs=interieur.crs)
    dedans = centres.within(zone).to_numpy()
    return list(interieur.loc[dedans, "code"]), f"communes dont le centre est dans {chemin.name}"


def choisir_perimetre(
    communes: gpd.GeoDataFrame, perimetre: str | Path | Sequence[str]
) -> Perimetre:
    """The perimeter's communes among the département's.

    Parameters
    ----------
    communes
        The communes (:func:`poles.communes.charger_communes`); only those of the
        département (``hors_departement`` False) can be in the perimeter.
    perimetre
        An EPCI SIREN (``"200069037"``), commune codes (``"62765,62014"`` or a list),
        EPCI and commune codes mixed, a CSV or text file of such codes, or a polygon file
        (GeoPackage, GeoJSON: the communes whose centre lies inside).

    Raises
    ------
    DonneesManquantes
        A file that does not exist.
    DonneesInvalides
        A code that is neither a commune of the département nor one of its EPCI, or a
        perimeter with no commune of the département.
    """
    interieur = communes[~communes["hors_departement"].to_numpy(dtype=bool)]
    departements = sorted(set(interieur["departement"].astype(str))) if len(interieur) else []
    nom_dep = ", ".join(departements) or "?"
    chemin: Path | None
    if isinstance(perimetre, Path):
        chemin = perimetre
    elif isinstance(perimetre, str) and (
        Path(perimetre).suffix.lower() in _EXTENSIONS_POLYGONES + _EXTENSIONS_LISTES
        or Path(perimetre).is_file()
    ):
        chemin = Path(perimetre)
    else:
        chemin = None
    demande = str(perimetre) if isinstance(perimetre, str | Path) else ",".join(perimetre)
    if chemin is not None:
        if not chemin.is_file():
            raise DonneesManquantes(f"Fichier de périmètre introuvable : {chemin}.")
        if chemin.suffix.lower() in _EXTENSIONS_POLYGONES:
            codes, description = _depuis_polygones(interieur, chemin)
            if not codes:
                raise DonneesInvalides(
                    f"Le périmètre {chemin.name} ne contient le centre d'aucune commune du "
                    f"département {nom_dep} : vérifiez le département et le fichier."
                )
            return Perimetre(tuple(codes), description, demande)
        jetons = _codes_fichier(chemin)
        if not jetons:
            raise DonneesInvalides(
                f"Fichier de périmètre {chemin.name} : aucun code de commune (5 caractères) "
                "ni SIREN d'EPCI (9 chiffres)."
            )
    elif isinstance(perimetre, str):
        jetons = [j for j in re.split(r"[,;\s]+", perimetre.strip()) if j]
    elif not isinstance(perimetre, Path):
        jetons = [str(j).strip() for j in perimetre if str(j).strip()]
    if not jetons:
        raise DonneesInvalides(
            "Périmètre vide : donnez un SIREN d'EPCI, des codes de communes ou un fichier."
        )
    codes_dep = set(interieur["code"].astype(str))
    noms_epci = dict(
        zip(interieur["epci_code"].astype(str), interieur["epci_nom"].astype(str), strict=False)
    )
    choisis: list[str] = []
    descriptions: list[str] = []
    inconnus: list[str] = []
    communes_seules: list[str] = []
    codes_epci = set(interieur["epci_code"].astype(str)) - {""}
    for jeton in jetons:
        code = jeton if jeton in codes_epci | codes_dep else jeton.upper()
        if re.fullmatch(r"\d{4}", code):
            code = code.zfill(5)  # a code read as a number by a spreadsheet: 01001
        if code in codes_epci:
            choisis += list(interieur.loc[interieur["epci_code"].astype(str) == code, "code"])
            descriptions.append(f"{noms_epci.get(code) or 'EPCI'} ({code})")
        elif code in codes_dep:
            choisis.append(code)
            communes_seules.append(code)
        else:
            inconnus.append(code)
    if inconnus:
        raise DonneesInvalides(
            f"Périmètre : {', '.join(inconnus[:10])}{' …' if len(inconnus) > 10 else ''} "
            f"n'{'est' if len(inconnus) == 1 else 'sont'} ni une commune du département "
            f"{nom_dep}, ni un EPCI qui en compte : donnez des codes INSEE de communes du "
            "département ou des SIREN d'EPCI (9 chiffres, par exemple 200069037)."
        )
    if communes_seules:
        descriptions.append(
            f"{len(communes_seules)} commune{'s' if len(communes_seules) > 1 else ''}"
        )
    codes = list(dict.fromkeys(choisis))
    logger.info("Périmètre : %d communes (%s)", len(codes), " + ".join(descriptions))
    return Perimetre(tuple(codes), " + ".join(descriptions), demande)
