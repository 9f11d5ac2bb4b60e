"""Many indicators or scenarios at once, one task each, here or on Dask.

* :func:`indicateurs_services`: the access indicator (:func:`poles.indicateurs.indicateur`)
  of several service types of a département, each service one task writing its folder
  ``<sortie>/indicateur_<service>`` (same files as ``accessibilite indicateur``);
* :func:`scenarios`: several scenario files applied to one zones-grises base
  (:func:`poles.scenarios.scenario`), each one task writing ``scenario_<file name>``.

Tasks run through :func:`accessibilite.noyau.taches.executer_taches`: one after the other in
this process without a Dask client, as Dask tasks (with retries) with one. Each task ends by
writing a small ``_tache.json`` holding a key of its inputs and its French summary: a rerun
with the same inputs skips the tasks already done (it resumes), a changed input recomputes.

With a road-graph source (``reseau=``, or a :class:`~accessibilite.noyau.source_reseau.SourceReseau`
read from a file), each worker process opens the graph once (cached per process, see
:func:`accessibilite.noyau.taches.en_cache`), not once per task and never shipped with the
tasks; the scenario base is likewise read once per worker process.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
from poles.apl import DECROISSANCE_DREES, Decroissance
from poles.indicateurs import Service, resoudre_service
from socle.erreurs import DonneesInvalides
from socle.fichiers import empreinte_fichier
from socle.progression import Progression

__all__ = ["BilanTache", "indicateurs_services", "scenarios"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BilanTache:
    """What one indicator or scenario task gave.

    Attributes
    ----------
    nom
        The service name or the scenario file's stem.
    dossier
        Its output folder.
    texte
        Its French summary (as ``accessibilite indicateur`` or ``scenario`` prints it).
    calcule
        ``False`` when it was found done by an earlier run and left as it was.
    """

    nom: str
    dossier: Path
    texte: str
    calcule: bool


@dataclass(frozen=True, eq=False)
class _TacheIndicateur:
    departement: str
    equipements: pd.DataFrame
    source: SourceTache
    options: dict[str, Any]
    racine: Path
    cle_commune: str
    csv: str = "portable"

    def dossier(self, service: Service) -> Path:
        return self.racine / ("indicateur_" + service.nom.replace("+", "_"))

    def cle(self, service: Service) -> str:
        if self.csv != "portable":  # the same results in other files: another task
            return empreinte_json(self.cle_commune, service, self.csv)
        return empreinte_json(self.cle_commune, service)

    def __call__(self, service: Service) -> BilanTache:
        from poles.indicateurs import indicateur
        from poles.sorties_indicateurs import ecrire_indicateur, formater_indicateur

        dossier, cle = self.dossier(service), self.cle(service)
        texte = tache_faite(dossier, cle)
        if texte is not None:
            return BilanTache(service.nom, dossier, texte, calcule=False)
        resultat = indicateur(
            self.departement,
            self.equipements,
            service,
            source=self.source.ouvrir(),
            **self.options,
        )
        ecrire_indicateur(resultat, dossier, csv=self.csv)
        texte = formater_indicateur(resultat)
        marquer_tache(dossier, cle, texte)
        return BilanTache(service.nom, dossier, texte, calcule=True)


def indicateurs_services(
    departement_code: str,
    bpe: str | Path | pd.DataFrame,
    services: Sequence[str | Service],
    *,
    sortie: str | Path,
    source: SourceTemps | None = None,
    reseau: str | Path | None = None,
    seuils_min: Sequence[float] | None = None,
    tampon_km: float = 30.0,
    territoires: str | Path | pd.DataFrame | None = None,
    avec_apl: bool = False,
    decroissance: Decroissance = DECROISSANCE_DREES,
    population: str | Path | pd.DataFrame | None = None,
    colonne_population: str = "population",
    calibration: str | Path | None = None,
    temps_interne: bool = True,
    grille_population: str | Path | None = None,
    incertitude: str = "defaut",
    client: Any = None,
    tentatives: int = 3,
    progression: Progression | None = None,
    csv: str = "portable",
) -> list[BilanTache]:
    """Run the access indicator of several service types, one task per service.

    The BPE is read and cut to the département and its buffer once, here; each task runs
    :func:`poles.indicateurs.indicateur` and writes ``<sortie>/indicateur_<service>`` (the
    files of ``accessibilite indicateur``).

    Parameters
    ----------
    departement_code, bpe, seuils_min, tampon_km, territoires, avec_apl, decroissance
        As for :func:`poles.indicateurs.indicateur` (``seuils_min`` applies to every service;
        default: each service's own thresholds).
    population, colonne_population, calibration, temps_interne, grille_population, incertitude
        As for :func:`poles.indicateurs.indicateur` (files, not objects: a task key holds
        their sha256).
    services
        Preset names, TYPEQU codes or :class:`~poles.indicateurs.Service` objects.
    sortie
        Folder holding one sub-folder per service.
    source
        A travel-time source (picklable: straight line or imported matrix).
    reseau
        Instead of ``source``: a ``.graphe`` file, opened once per worker process.
    client, tentatives, progression
        See :func:`accessibilite.noyau.taches.executer_taches`.
    csv
        CSV dialect of the tables (``portable`` or ``excel-fr``, :mod:`socle.tableur`).

    Returns
    -------
    list of BilanTache
        In the order of ``services``.

    Raises
    ------
    DonneesInvalides
        No service, an unknown service or the same service twice (checked before any task).
    """
    from poles.bpe import actualiser_codes, lire_bpe
    from poles.communes import charger_communes
    from socle.territoire import departement

    choisis = [s if isinstance(s, Service) else resoudre_service(s) for s in services]
    if not choisis:
        raise DonneesInvalides("Aucun service demandé : donnez au moins un service.")
    noms = [s.nom for s in choisis]
    doubles = sorted({n for n in noms if noms.count(n) > 1})
    if doubles:
        raise DonneesInvalides(f"Service demandé deux fois : {', '.join(doubles)}.")
    dep = departement(departement_code)
    communes = charger_communes(dep.code, tampon_km=tampon_km)
    equipements = bpe if isinstance(bpe, pd.DataFrame) else lire_bpe(bpe)
    meta = dict(equipements.attrs)
    equipements = actualiser_codes(equipements)
    equipements = equipements[equipements["code_commune"].isin(communes["code"])].reset_index(
        drop=True
    )
    equipements.attrs = meta
    source_tache = SourceTache.depuis(source, reseau)
    options: dict[str, Any] = {
        "seuils_min": None if seuils_min is None else list(seuils_min),
        "tampon_km": tampon_km,
        "territoires": territoires,
        "avec_apl": avec_apl,
        "decroissance": decroissance,
        "population": population,
        "colonne_population": colonne_population,
        "calibration": None if calibration is None else str(Path(calibration).resolve()),
        "temps_interne": bool(temps_interne),
        "grille_population": (
            None if grille_population is None else str(Path(grille_population).resolve())
        ),
        "incertitude": incertitude,
    }
    fichiers_temps = [
        empreinte_fichier(f)
        for f in (calibration, grille_population)
        if f is not None and Path(f).is_file()
    ]
    cle_commune = empreinte_json(
        "indicateur",
        dep.code,
        int(pd.util.hash_pandas_object(equipements, index=False).sum()),
        source_tache.cle(),
        {k: v for k, v in options.items() if not isinstance(v, pd.DataFrame)},
        [
            int(pd.util.hash_pandas_object(v, index=False).sum())
            for v in (territoires, population)
            if isinstance(v, pd.DataFrame)
        ],
        fichiers_temps,
    )
    tache = _TacheIndicateur(
        dep.code, equipements, source_tache, options, Path(sortie), cle_commune, csv
    )
    return executer_taches(
        tache,
        choisis,
        client=client,
        tentatives=tentatives,
        progression=progression,
        nom="indicateur",
        etape="services",
    )


@dataclass(frozen=True)
class _TacheScenario:
    base: Path
    source: SourceTache | None
    cle_base: str
    csv: str = "portable"

    def __call__(self, travail: tuple[Path, Path]) -> BilanTache:
        from poles.base import BaseZonesGrises, lire_base
        from poles.scenarios import lire_modifications, scenario
        from poles.sorties_indicateurs import ecrire_scenario, formater_bilan

        fichier, dossier = travail
        texte_modifications = fichier.read_text(encoding="utf-8")
        cle = empreinte_json(self.cle_base, texte_modifications)
        if self.csv != "portable":
            cle = empreinte_json(cle, self.csv)
        texte = tache_faite(dossier, cle)
        if texte is not None:
            return BilanTache(fichier.stem, dossier, texte, calcule=False)
        modifications = lire_modifications(fichier)
        source = self.source

        def lire() -> BaseZonesGrises:
            return lire_base(self.base, source=None if source is None else source.ouvrir())

        base = en_cache(("base", str(self.base), self.cle_base), lire)
        resultat = scenario(base, modifications)
        ecrire_scenario(resultat, dossier, texte_modifications=texte_modifications, csv=self.csv)
        texte = formater_bilan(resultat)
        if modifications.description:
            texte = f"Scénario : {modifications.description}\n{texte}"
        marquer_tache(dossier, cle, texte)
        return BilanTache(fichier.stem, dossier, texte, calcule=True)


def scenarios(
    base: str | Path,
    modifications: Sequence[str | Path],
    *,
    sortie: str | Path | None = None,
    source: SourceTemps | None = None,
    reseau: str | Path | None = None,
    client: Any = None,
    tentatives: int = 3,
    progression: Progression | None = None,
    csv: str = "portable",
) -> list[BilanTache]:
    """Apply several scenario files to one zones-grises base, one task per file.

    Parameters
    ----------
    base
        A folder written by ``accessibilite zones-grises`` (read once per worker process).
    modifications
        Scenario files (TOML, see :mod:`poles.scenarios`); all are checked here first.
    sortie
        Folder holding one ``scenario_<file name>`` sub-folder per file (default: ``base``).
    source, reseau
        The base's source when the recorded one cannot be rebuilt (see
        :func:`poles.base.lire_base`): an object, or a ``.graphe`` file.
    client, tentatives, progression
        See :func:`accessibilite.noyau.taches.executer_taches`.
    csv
        CSV dialect of the tables (``portable`` or ``excel-fr``, :mod:`socle.tableur`).

    Raises
    ------
    DonneesManquantes
        The base folder or a scenario file is missing.
    DonneesInvalides
        A scenario file is invalid, or two files share a name.
    """
    from poles.base import _lire_parametres
    from poles.scenarios import lire_modifications

    dossier_base = Path(base).absolute()
    parametres = _lire_parametres(dossier_base)
    fichiers = [Path(f).absolute() for f in modifications]
    if not fichiers:
        raise DonneesInvalides("Aucun fichier de modifications.")
    for fichier in fichiers:
        lire_modifications(fichier)  # every file checked before any task runs
    noms = [f.stem for f in fichiers]
    doubles = sorted({n for n in noms if noms.count(n) > 1})
    if doubles:
        raise DonneesInvalides(
            f"Plusieurs fichiers de modifications s'appellent {', '.join(doubles)} : leurs "
            "dossiers de sortie se confondraient ; renommez-les."
        )
    racine = Path(sortie) if sortie is not None else dossier_base
    source_tache = None if source is None and reseau is None else SourceTache.depuis(source, reseau)
    cle_base = empreinte_json(
        "scenario",
        parametres,
        empreinte_fichier(dossier_base / "zones_grises.csv"),
        None if source_tache is None else source_tache.cle(),
    )
    tache = _TacheScenario(dossier_base, source_tache, cle_base, csv)
    travaux = [(f, racine / f"scenario_{f.stem}") for f in fichiers]
    return executer_taches(
        tache,
        travaux,
        client=client,
        tentatives=tentatives,
        progression=progression,
        nom="scenario",
        etape="scénarios",
    )
