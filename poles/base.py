"""A zones-grises result as the starting point of scenarios and placements.

:func:`lire_base` reads a folder written by ``accessibilite zones-grises`` and rebuilds what
the scenario engine needs: the communes (département and buffer), the equipment table, the
gammes, the pole rule, the travel-time source (all from ``parametres.json``), the poles
(recomputed exactly from the BPE, and checked against the folder's table) and, for every
level, the nearest pole and time of each commune as the folder gives them (times are read
from ``zones_grises.csv``, to a tenth of a minute).

:func:`base_en_memoire` builds the same object from data in memory, with exact times: for
notebooks and tests.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from accessibilite.noyau.source_reseau import SourceReseau
from accessibilite.noyau.sources import SourceMatrice, SourceTemps, SourceVolOiseau
from poles.communes import charger_inventaire
from poles.gammes import Gammes, Item, Niveau
from poles.regles import PoleImpose, Regle, Regroupement, SeuilNiveau, detecter_poles
from poles.zones_grises import plus_proches_poles
from socle.dossiers import verifier_dossier
from socle.erreurs import DonneesInvalides, DonneesManquantes
from socle.fichiers import empreinte_fichier
from socle.tableur import lire_csv

__all__ = [
    "BaseZonesGrises",
    "base_en_memoire",
    "decisions_depuis_parametres",
    "gammes_depuis_parametres",
    "lire_base",
    "regle_depuis_parametres",
    "source_depuis_parametres",
]

logger = logging.getLogger(__name__)


@dataclass
class BaseZonesGrises:
    """The state of a zones-grises analysis that a scenario starts from.

    Attributes
    ----------
    communes
        Communes of the département and of its buffer (``code``, ``nom``, ``population``,
        ``epci_code``, ``epci_nom``, ``hors_departement``, polygon, ``centre``).
    equipements
        Equipment counts ``code_commune, typequ, nombre`` of these communes.
    gammes, regle, source
        How the poles and the times were obtained.
    niveaux
        The levels classified.
    poles
        Output of :func:`poles.regles.detecter_poles` (per level, ``est_pole`` per commune).
    etat
        One row per commune of the département, in the order of ``communes``: ``code`` and
        per level ``pole_<n>`` (code of the nearest pole, ``""`` if none is reachable),
        ``temps_<n>_s`` (seconds, ``inf`` if none) and ``zone_grise_<n>``.
    parametres
        The ``parametres.json`` of the folder (or the settings given in memory).
    dossier
        The folder read, if any.
    imposes, regroupements
        The team's decisions the poles were detected with.
    """

    communes: gpd.GeoDataFrame
    equipements: pd.DataFrame
    gammes: Gammes
    regle: Regle
    source: SourceTemps
    niveaux: list[str]
    poles: dict[str, pd.DataFrame]
    etat: pd.DataFrame
    parametres: dict[str, Any] = field(default_factory=dict)
    dossier: Path | None = None
    imposes: tuple[PoleImpose, ...] = ()
    regroupements: tuple[Regroupement, ...] = ()

    @property
    def interieur(self) -> gpd.GeoDataFrame:
        """The communes of the département (without the buffer), in ``etat`` order."""
        return self.communes[~self.communes["hors_departement"]].reset_index(drop=True)


def base_en_memoire(
    communes: gpd.GeoDataFrame,
    equipements: pd.DataFrame,
    gammes: Gammes,
    source: SourceTemps,
    *,
    regle: Regle | None = None,
    niveaux: list[str] | None = None,
    imposes: tuple[PoleImpose, ...] = (),
    regroupements: tuple[Regroupement, ...] = (),
) -> BaseZonesGrises:
    """A base computed from data in memory, with exact times (for notebooks and tests)."""
    regle = regle or Regle()
    noms = niveaux or [n.nom for n in gammes.niveaux_zones_grises]
    poles = detecter_poles(
        communes["code"],
        equipements,
        gammes,
        regle,
        imposes=imposes,
        regroupements=regroupements,
    )
    etat = plus_proches_poles(communes, poles, source, gammes, noms)
    return BaseZonesGrises(
        communes=communes,
        equipements=equipements,
        gammes=gammes,
        regle=regle,
        source=source,
        niveaux=noms,
        poles=poles,
        etat=etat,
        parametres={"source": {"nom": source.nom, "description": source.description()}},
        imposes=tuple(imposes),
        regroupements=tuple(regroupements),
    )


def gammes_depuis_parametres(parametres: dict[str, Any]) -> Gammes:
    """Rebuild the gammes recorded in a ``parametres.json``."""
    try:
        brut = parametres["gammes"]
        niveaux = tuple(
            Niveau(
                nom=str(n["nom"]),
                libelle=str(n.get("libelle", n["nom"])),
                seuil_min=float(n["seuil_min"]),
                items=tuple(
                    Item(str(i["nom"]), str(i.get("libelle", i["nom"])), tuple(i["typequ"]))
                    for i in n["items"]
                ),
                zones_grises=bool(n.get("zones_grises", True)),
                n_min=None if n.get("n_min") is None else int(n["n_min"]),
                part_min=None if n.get("part_min") is None else float(n["part_min"]),
            )
            for n in brut["niveaux"]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DonneesInvalides(
            f"parametres.json : gammes incomplètes ({exc}) : relancez « accessibilite "
            "zones-grises » pour refaire le dossier de base."
        ) from exc
    return Gammes(
        niveaux=niveaux,
        fichier=str(brut.get("fichier", "parametres.json")),
        justification=str(brut.get("justification") or ""),
    )


def regle_depuis_parametres(parametres: dict[str, Any]) -> Regle:
    """Rebuild the pole rule recorded in a ``parametres.json`` (per level when recorded)."""
    try:
        brut = parametres["regle"]
        cumul = bool(brut.get("cumul_niveaux_superieurs", False))
        niveaux = brut.get("niveaux")
        regles = {
            (f.get("nom"), f.get("n_min"), f.get("part_min"))
            for f in (niveaux.values() if isinstance(niveaux, dict) else [])
        }
        if isinstance(niveaux, dict) and niveaux and len(regles) > 1:
            return Regle(
                cumul=cumul,
                niveaux=tuple(
                    (
                        str(nom),
                        SeuilNiveau(
                            nom=fiche["nom"],
                            n_min=fiche.get("n_min"),
                            part_min=fiche.get("part_min"),
                            origine="explicite",
                        ),
                    )
                    for nom, fiche in niveaux.items()
                ),
            )
        nom = brut["nom"]
        part = brut.get("part_min")
        return Regle(
            nom=nom,
            n_min=brut.get("n_min") if nom == "n_min" else None,
            part_min=(0.5 if part is None else float(part)) if nom == "part_min" else None,
            cumul=cumul,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise DonneesInvalides(f"parametres.json : règle de pôle incomplète ({exc}).") from exc


def decisions_depuis_parametres(
    parametres: dict[str, Any],
) -> tuple[tuple[PoleImpose, ...], tuple[Regroupement, ...]]:
    """The imposed and grouped poles recorded in a ``parametres.json`` (none in older ones)."""
    try:
        imposes = tuple(
            PoleImpose(code=str(d["code"]), niveau=str(d["niveau"]), pole=bool(d["pole"]))
            for d in (parametres.get("poles_imposes") or {}).get("decisions", [])
        )
        groupes = tuple(
            Regroupement(nom=str(g["nom"]), communes=tuple(str(c) for c in g["communes"]))
            for g in (parametres.get("regroupements") or {}).get("groupes", [])
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise DonneesInvalides(
            f"parametres.json : pôles imposés ou regroupements illisibles ({exc})."
        ) from exc
    return imposes, groupes


def source_depuis_parametres(source: dict[str, Any]) -> SourceTemps:
    """Rebuild the travel-time source recorded in a ``parametres.json``.

    Raises
    ------
    DonneesInvalides
        Unknown source, or a matrix or road-graph source whose file was not recorded.
    DonneesManquantes
        The recorded file no longer exists.
    """
    nom = source.get("nom")
    reglages = source.get("parametres") or {}
    if nom == "vol-oiseau":
        if "a_min" in reglages and "b_min_par_km" in reglages:
            return SourceVolOiseau(
                a_min=float(reglages["a_min"]), b_min_par_km=float(reglages["b_min_par_km"])
            )
        # older folders: the coefficients only appear in the description
        trouve = re.search(r"([\d.]+) min \+ ([\d.]+) min/km", str(source.get("description")))
        if trouve is None:
            raise DonneesInvalides(
                "parametres.json : coefficients du vol d'oiseau non enregistrés : relancez "
                "« accessibilite zones-grises » pour refaire le dossier de base."
            )
        return SourceVolOiseau(a_min=float(trouve[1]), b_min_par_km=float(trouve[2]))
    if nom in ("matrice", "osm"):
        fichier = reglages.get("fichier")
        if not fichier:
            option = "--matrice" if nom == "matrice" else "--reseau"
            raise DonneesInvalides(
                f"parametres.json : le fichier de la source « {nom} » n'est pas enregistré : "
                f"redonnez-le ({option} FICHIER)."
            )
        if not Path(fichier).exists():
            raise DonneesManquantes(
                f"Fichier de la source des temps de la base introuvable : {fichier}."
            )
        if nom == "matrice":
            return SourceMatrice.depuis_fichier(fichier)
        return SourceReseau.depuis_fichier(fichier)
    raise DonneesInvalides(f"parametres.json : source des temps « {nom} » inconnue.")


def _temps_de_la_base(
    parametres: dict[str, Any], source: SourceTemps, communes: gpd.GeoDataFrame
) -> SourceTemps:
    """The base's source with the calibration and the internal time it was computed with."""
    from accessibilite.noyau.temps_interne import ModeleTempsInterne
    from poles.temps import preparer_temps

    temps = parametres.get("temps") or {}
    calibration = (temps.get("calibration") or {}).get("fichier")
    interne = temps.get("temps_interne")
    if not calibration and not interne:
        return source
    if calibration and not Path(calibration).is_file():
        raise DonneesManquantes(
            f"Fichier de calibration de la base introuvable : {calibration}. Il doit rester à "
            "sa place pour rejouer la base."
        )
    modele: bool | ModeleTempsInterne = False
    if interne:
        modele = ModeleTempsInterne(
            a_min=float(interne["a_min"]), b_min_par_km=float(interne["b_min_par_km"])
        )
    return preparer_temps(
        source,
        communes,
        calibration=calibration,
        temps_interne=modele,
        grille=(interne or {}).get("grille"),
        incertitude="aucune",
    ).source


def _lire_parametres(dossier: Path) -> dict[str, Any]:
    if not dossier.is_dir():
        raise DonneesManquantes(
            f"Dossier de base introuvable : {dossier}. Donnez le dossier de sortie d'« "
            "accessibilite zones-grises » (--base)."
        )
    for nom in ("parametres.json", "zones_grises.csv"):
        if not (dossier / nom).is_file():
            raise DonneesManquantes(
                f"Le dossier de base {dossier} n'a pas de fichier {nom} : ce doit être le "
                "dossier de sortie d'« accessibilite zones-grises »."
            )
    try:
        parametres: dict[str, Any] = json.loads(
            (dossier / "parametres.json").read_text(encoding="utf-8")
        )
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DonneesInvalides(f"{dossier / 'parametres.json'} illisible : {exc}") from exc
    manquantes = [
        c for c in ("departement", "regle", "gammes", "bpe", "source") if c not in parametres
    ]
    if manquantes:
        raise DonneesInvalides(
            f"{dossier / 'parametres.json'} incomplet (clés {', '.join(manquantes)}) : "
            "relancez « accessibilite zones-grises »."
        )
    return parametres


def _fichier_bpe(parametres: dict[str, Any], dossier: Path) -> Path:
    bpe = parametres["bpe"]
    candidats = [bpe.get("chemin_absolu"), bpe.get("fichier")]
    for candidat in candidats:
        if candidat:
            for chemin in (Path(candidat), dossier / candidat):
                if chemin.is_file():
                    return chemin
    if not any(candidats):
        raise DonneesInvalides(
            "parametres.json : aucun fichier BPE enregistré (la base a été calculée sur une "
            "table en mémoire) : impossible de la recalculer."
        )
    raise DonneesManquantes(
        f"Fichier BPE de la base introuvable : {candidats[0] or candidats[1]}. Il doit rester "
        "à sa place pour rejouer la base."
    )


def _lire_table(dossier: Path, niveaux: list[str]) -> pd.DataFrame:
    colonnes_texte = {"code": str, "epci_code": str}
    for nom in niveaux:
        colonnes_texte[f"pole_{nom}"] = str
    table = lire_csv(dossier / "zones_grises.csv", dtype=colonnes_texte, keep_default_na=False)
    attendues = ["code"] + [
        c
        for n in niveaux
        for c in (f"pole_{n}", f"temps_{n}_min", f"zone_grise_{n}", f"est_pole_{n}")
    ]
    manquantes = [c for c in attendues if c not in table.columns]
    if manquantes:
        raise DonneesInvalides(
            f"{dossier / 'zones_grises.csv'} : colonnes {', '.join(manquantes)} absentes."
        )
    return table


def _booleens(serie: pd.Series) -> np.ndarray:
    return serie.astype(str).str.strip().str.lower().isin(["true", "1", "vrai", "oui"]).to_numpy()


def lire_base(dossier: str | Path, *, source: SourceTemps | None = None) -> BaseZonesGrises:
    """Read a zones-grises result folder and rebuild its base state.

    Parameters
    ----------
    dossier
        A folder written by ``accessibilite zones-grises`` (``parametres.json`` and
        ``zones_grises.csv`` are read).
    source
        The travel-time source, when the one recorded cannot be rebuilt (a matrix or road
        graph whose file moved). It must be the source the base was computed with.

    Raises
    ------
    DonneesManquantes
        The folder, one of its files, or the BPE file it was computed from is missing.
    DonneesInvalides
        ``parametres.json`` is incomplete, the BPE file changed since, or the poles
        recomputed from it differ from the folder's table.
    """
    dossier = Path(dossier)
    if dossier.is_dir():
        verifier_dossier(dossier)
    parametres = _lire_parametres(dossier)
    gammes = gammes_depuis_parametres(parametres)
    regle = regle_depuis_parametres(parametres)
    niveaux = list(
        parametres.get("niveaux")
        or [n["nom"] for n in parametres["gammes"]["niveaux"] if n.get("zones_grises", True)]
    )
    chemin_bpe = _fichier_bpe(parametres, dossier)
    empreinte = parametres["bpe"].get("sha256")
    if empreinte and empreinte_fichier(chemin_bpe) != empreinte:
        raise DonneesInvalides(
            f"Le fichier BPE {chemin_bpe} a changé depuis le calcul de la base : relancez "
            "« accessibilite zones-grises » avant le scénario."
        )
    nom_source = parametres["source"].get("nom")
    if source is not None and source.nom != nom_source:
        raise DonneesInvalides(
            f"La base a été calculée avec la source « {nom_source} » : on ne peut la remplacer "
            f"que par une source du même type (reçu « {source.nom} »)."
        )
    source_active = source if source is not None else source_depuis_parametres(parametres["source"])
    tampon = float(parametres.get("tampon_km", 30.0))
    communes, equipements = charger_inventaire(
        str(parametres["departement"]), chemin_bpe, tampon_km=tampon
    )
    source_active = _temps_de_la_base(parametres, source_active, communes)
    imposes, regroupements = decisions_depuis_parametres(parametres)
    poles = detecter_poles(
        communes["code"],
        equipements,
        gammes,
        regle,
        imposes=imposes,
        regroupements=regroupements,
    )

    table = _lire_table(dossier, niveaux)
    interieur = communes.loc[~communes["hors_departement"], "code"].to_numpy()
    if sorted(table["code"]) != sorted(interieur):
        raise DonneesInvalides(
            f"{dossier / 'zones_grises.csv'} ne liste pas les communes actuelles du "
            f"département {parametres['departement']} : relancez « accessibilite zones-grises »."
        )
    table = table.set_index("code").loc[interieur].reset_index()
    etat = pd.DataFrame({"code": interieur})
    for nom in niveaux:
        attendu = poles[nom]["est_pole"].reindex(interieur).fillna(False).to_numpy(bool)
        lu = _booleens(table[f"est_pole_{nom}"])
        if (attendu != lu).any():
            exemple = interieur[attendu != lu][0]
            raise DonneesInvalides(
                f"Les pôles de niveau {nom} recalculés depuis la BPE diffèrent de ceux du "
                f"dossier de base (par exemple la commune {exemple}) : relancez « accessibilite "
                "zones-grises »."
            )
        minutes = pd.to_numeric(table[f"temps_{nom}_min"], errors="coerce").to_numpy(float)
        etat[f"pole_{nom}"] = table[f"pole_{nom}"].fillna("").astype(str).to_numpy()
        etat[f"temps_{nom}_s"] = np.where(np.isfinite(minutes), minutes * 60.0, np.inf)
        etat[f"zone_grise_{nom}"] = _booleens(table[f"zone_grise_{nom}"])
    logger.info("Base relue : %s (%d communes, niveaux %s)", dossier, len(etat), niveaux)
    return BaseZonesGrises(
        communes=communes,
        equipements=equipements,
        gammes=gammes,
        regle=regle,
        source=source_active,
        niveaux=niveaux,
        poles=poles,
        etat=etat,
        parametres=parametres,
        dossier=dossier,
        imposes=imposes,
        regroupements=regroupements,
    )
