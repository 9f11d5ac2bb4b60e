"""Running a command over several départements (``--departement`` list, ``--region``,
``--france``): the options, the output folder's name, and the run (:mod:`poles.ensemble`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accessibilite.cli._options_acces import etape

if TYPE_CHECKING:
    from poles.ensemble import ResultatEnsemble, ResultatEnsembleIndicateur, Zone

__all__ = ["ajouter_options_zone", "executer_ensemble", "nom_dossier", "plusieurs"]


def ajouter_options_zone(p: argparse.ArgumentParser) -> None:
    """``--departement`` (one code or a list), ``--region`` and ``--france``."""
    p.add_argument(
        "--departement", help="code INSEE du département (ex. 62), ou une liste (59,62,80)"
    )
    p.add_argument("--region", help="code INSEE d'une région (ex. 32) : tous ses départements")
    p.add_argument(
        "--france", action="store_true", help="tous les départements de France métropolitaine"
    )


def plusieurs(options: argparse.Namespace, codes: list[str]) -> bool:
    """True when the run covers several départements (a list, a region or France)."""
    return len(codes) > 1 or options.region is not None or options.france


def nom_dossier(options: argparse.Namespace, codes: list[str]) -> str:
    """The default output folder's name: ``france``, ``region_32`` or ``59-62-80``."""
    if options.france:
        return "france"
    if options.region is not None:
        from socle.territoire import code_region

        return f"region_{code_region(options.region)}"
    return "-".join(codes)


def executer_ensemble(
    options: argparse.Namespace,
    codes: list[str],
    *,
    genre: str,
    calcul: dict[str, Any],
    description: str,
    defaut: Path | None = None,
    cartes: Callable[[Path, Zone], None] | None = None,
) -> ResultatEnsemble | ResultatEnsembleIndicateur:
    """Lock the output, prepare (or resume) the run, compute the départements here or on
    Dask, then write the union as one unit (``cartes`` adding the maps to it)."""
    from accessibilite.cli._options_acces import fichier_bpe, source_depuis_options
    from accessibilite.cli._options_dask import client_depuis_options
    from poles.ensemble import calculer_departements, preparer_ensemble, terminer, zone
    from socle.dossiers import verrou_de
    from socle.progression import Barres
    from socle.territoire import code_region

    region = None if options.region is None else code_region(options.region)
    zone_ = zone(codes, region=region, france=options.france)
    sortie = options.sortie or defaut or Path("resultats") / nom_dossier(options, codes)
    bpe = fichier_bpe(options)
    reseau = str(options.reseau) if options.reseau else ""
    patron = reseau if "{departement}" in reseau else None
    source = None
    if patron is None:
        etape("préparation de la source des temps")
        source = source_depuis_options(options)
    etape(f"{zone_.nom} : {len(codes)} départements")
    with verrou_de(sortie, commande=genre):
        plan = preparer_ensemble(
            zone_,
            bpe,
            sortie=sortie,
            genre=genre,
            source=source,
            reseau_patron=patron,
            options=calcul,
            description=description,
            ecraser=options.ecraser,
        )
        with client_depuis_options(options) as client, Barres() as barres:
            bilans = calculer_departements(
                plan, client=client, tentatives=options.tentatives, progression=barres
            )
        repris = sum(not b.calcule for b in bilans)
        if repris:
            etape(f"{repris} département(s) déjà calculé(s) lors d'un lancement précédent")
        etape(f"réunion des départements dans {sortie}")

        def completer(dossier: Path) -> None:
            if cartes is not None:
                etape("cartes")
                cartes(dossier, zone_)

        resultat = terminer(plan, completer=completer)
    print(f"Résultats : {sortie}/")
    return resultat
