"""``accessibilite isochrones`` and ``accessibilite bassins``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accessibilite.cli._base import Analyseur, liste_nombres
from accessibilite.cli._options_acces import (
    ajouter_options_regle,
    ajouter_options_source,
    ajouter_options_temps,
    etape,
)
from accessibilite.cli._options_sites import AIDE_SITES, ajouter_options_sites

if TYPE_CHECKING:
    from accessibilite.noyau.lieux import Lieux

__all__ = ["ajouter"]

_AIDE_ISOCHRONES = f"""\
Dessine ce qui est atteignable en voiture en 10, 20, 30 minutes (--temps) autour de points
(--points), des sites d'un réseau (--sites) ou de tous les pôles d'un niveau (--poles), en
une seule recherche sur le réseau.

Sur le réseau routier (--reseau), le polygone suit les routes atteintes : un tronçon en
partie atteint compte pour la partie atteinte, élargie de --largeur-m mètres ; les petits
trous sont comblés, les vrais (lac, zone sans route) restent ; chaque bande contient la
précédente (--anneaux pour des couronnes). Sans réseau (--source vol-oiseau), l'isochrone
est le disque honnête de rayon (t − a) / b km : une estimation. Une matrice commune ×
commune ne permet pas d'isochrone : utilisez « accessibilite bassins ».

--calibration FICHIER (écrit par « accessibilite temps calibrer ») : pour le vol d'oiseau,
ses a et b (ceux de l'ensemble des communes : un point n'a pas de classe de densité) ; pour
le réseau, ses facteurs d'heure pleine.

{AIDE_SITES}
Exemples :
  accessibilite isochrones --reseau 62.graphe --points mairies.gpkg --sortie iso.gpkg
  accessibilite isochrones --reseau 62.graphe --poles superieur --departement 62 \\
      --bpe bpe2013.xlsx --temps 10,20,30 --sortie iso_superieur.gpkg
  accessibilite isochrones --source vol-oiseau --sites maisons_services.csv --temps 15 \\
      --par-source --sortie iso_maisons.gpkg
"""

_AIDE_BASSINS = f"""\
Regroupe les communes par pôle le plus proche d'un niveau (bassins de services théoriques),
à partir d'un dossier produit par « accessibilite zones-grises » ; les communes au-delà du
seuil forment la classe « hors bassin » (les zones grises). Fonctionne avec toutes les
sources de temps.

Avec un réseau de sites (--sites, --departement) : les communes (du --perimetre) par site
le plus proche ; celles au-delà de --objectif forment la classe « hors bassin ».

{AIDE_SITES}
Exemples :
  accessibilite bassins --base resultats/62 --niveau proximite --sortie bassins.gpkg
  accessibilite bassins --departement 62 --sites maisons_services.csv --objectif 15 \\
      --perimetre 200069037 --sortie bassins_maisons.gpkg
"""


def ajouter(sous: Any) -> None:
    """Register the ``isochrones`` and ``bassins`` sub-commands."""
    p: Analyseur = sous.add_parser(
        "isochrones", help="isochrones autour de points ou des pôles", description=_AIDE_ISOCHRONES
    )
    depart = p.add_mutually_exclusive_group(required=True)
    depart.add_argument(
        "--points", type=Path, help="couche de points (GeoPackage, GeoJSON) avec son CRS"
    )
    depart.add_argument(
        "--sites",
        type=Path,
        help="fichier des sites d'un réseau (CSV, GeoPackage, GeoJSON ; voir plus bas)",
    )
    depart.add_argument(
        "--poles",
        choices=["proximite", "intermediaire", "superieur", "metropolitain"],
        help="tous les pôles de ce niveau (demande --departement et --bpe)",
    )
    p.add_argument("--colonne-nom", help="colonne des noms des points (défaut : rang)")
    ajouter_options_sites(p, sites=False, perimetre=False, objectif=False)
    p.add_argument("--reseau", type=Path, help="réseau routier construit (reseau construire)")
    p.add_argument(
        "--source",
        choices=["osm", "vol-oiseau"],
        help="osm (défaut avec --reseau) ou vol-oiseau (disques, estimation)",
    )
    p.add_argument("--departement", help="département des pôles (avec --poles)")
    p.add_argument("--bpe", type=Path, help="fichier BPE (avec --poles)")
    p.add_argument("--tampon-km", type=float, default=30.0, help="communes voisines (30 km)")
    ajouter_options_regle(p)
    p.add_argument("--gammes", type=Path, help="fichier de gammes TOML")
    p.add_argument(
        "--temps", type=liste_nombres, default=[10.0, 20.0, 30.0], help="minutes (10,20,30)"
    )
    p.add_argument(
        "--sens",
        choices=["depuis", "vers"],
        help="depuis les points (défaut avec --points) ou vers eux (défaut avec --poles)",
    )
    p.add_argument("--par-source", action="store_true", help="un polygone par point ou pôle")
    p.add_argument("--anneaux", action="store_true", help="couronnes au lieu de bandes emboîtées")
    p.add_argument("--largeur-m", type=float, default=100.0, help="demi-largeur des routes (100)")
    p.add_argument("--pas-m", type=float, default=50.0, help="pas de la grille de calcul (50)")
    p.add_argument("--sortie", type=Path, required=True, help="fichier .gpkg ou .geojson à écrire")
    p.add_argument(
        "--calibration", type=Path, help="fichier écrit par « accessibilite temps calibrer »"
    )
    p.set_defaults(executer=executer_isochrones)

    b: Analyseur = sous.add_parser(
        "bassins", help="bassins de services autour des pôles", description=_AIDE_BASSINS
    )
    b.add_argument("--base", type=Path, help="dossier de « zones-grises »")
    b.add_argument(
        "--niveau",
        choices=["proximite", "intermediaire", "superieur"],
        help="niveau (défaut : tous, une couche chacun)",
    )
    b.add_argument("--departement", help="département du réseau de sites (avec --sites)")
    ajouter_options_sites(b)
    b.add_argument("--seuils", type=liste_nombres, help="autres seuils en minutes (avec --sites)")
    ajouter_options_source(b)
    ajouter_options_temps(b, temps_interne_defaut=True)
    b.add_argument("--sortie", type=Path, required=True, help="fichier .gpkg ou .geojson")
    b.set_defaults(executer=executer_bassins)


def _lieux_depart(options: argparse.Namespace) -> Lieux:
    from accessibilite.noyau.lieux import Lieux
    from socle.erreurs import DonneesInvalides

    if options.sites is not None:
        from accessibilite.cli._options_sites import options_geocodage
        from poles.sites import lire_sites
        from socle.territoire import crs_departement

        crs = crs_departement(options.departement) if options.departement else None
        sites = lire_sites(options.sites, crs=crs, **options_geocodage(options))
        # the isochrones are named after the sites
        return Lieux(
            codes=sites["nom"].astype(str).to_numpy(dtype=object),
            x=sites.geometry.x.to_numpy(),
            y=sites.geometry.y.to_numpy(),
            crs=str(sites.crs),
        )
    if options.points is not None:
        from isochrones import lire_points

        points = lire_points(options.points)
        if options.colonne_nom:
            if options.colonne_nom not in points.columns:
                raise DonneesInvalides(
                    f"Colonne « {options.colonne_nom} » absente de {options.points.name}."
                )
            points["_nom"] = points[options.colonne_nom].astype(str)
        else:
            points["_nom"] = [str(i) for i in range(len(points))]
        return Lieux.depuis_points(points, colonne_code="_nom")
    if options.departement is None:
        raise DonneesInvalides("--poles demande --departement (ex. --departement 62).")
    from accessibilite.cli._options_acces import (
        decisions_depuis_options,
        fichier_bpe,
        regle_depuis_options,
    )
    from poles.zones_grises import lieux_poles

    options.bpe_annee = None
    regle = regle_depuis_options(options)
    imposes, regroupements = decisions_depuis_options(options)
    return lieux_poles(
        options.departement,
        fichier_bpe(options),
        options.poles,
        regle=regle,
        gammes=options.gammes,
        tampon_km=options.tampon_km,
        poles_imposes=imposes,
        regroupements=regroupements,
    )


def executer_isochrones(options: argparse.Namespace) -> int:
    """Compute the isochrones and write them."""
    from isochrones import ParametresGeometrie, isochrones_points, isochrones_vol_oiseau
    from socle.erreurs import DonneesInvalides
    from socle.fichiers import ecrire_couches
    from socle.geopaquet import Metadonnees
    from socle.styles_qgis import style_isochrones
    from socle.symbologie import seuil_fr

    source = options.source or ("osm" if options.reseau else None)
    if source is None:
        raise DonneesInvalides(
            "Donnez le réseau routier (--reseau FICHIER) ou --source vol-oiseau pour des "
            "disques à vol d'oiseau."
        )
    etape("points de départ")
    lieux = _lieux_depart(options)
    sens = options.sens or ("vers" if options.poles or options.sites else "depuis")
    calibration = None
    if options.calibration is not None:
        from accessibilite.noyau.calibration import lire_calibration

        calibration = lire_calibration(options.calibration)
        if calibration.source != source:
            raise DonneesInvalides(
                f"La calibration {options.calibration.name} a été faite pour la source "
                f"« {calibration.source} » ; ces isochrones utilisent « {source} »."
            )
    etape(f"isochrones de {len(lieux)} points ({'; '.join(map(seuil_fr, options.temps))} min)")
    if source == "vol-oiseau":
        from accessibilite.noyau.sources import SourceVolOiseau

        vol = SourceVolOiseau()
        if calibration is not None and calibration.vol_oiseau is not None:
            vol = SourceVolOiseau(*calibration.vol_oiseau)
            etape(f"vol d'oiseau calibré : {vol.description()}")
        resultat = isochrones_vol_oiseau(
            lieux,
            options.temps,
            source=vol,
            par_source=options.par_source,
            anneaux=options.anneaux,
        )
    else:
        if options.reseau is None:
            raise DonneesInvalides("--source osm demande --reseau FICHIER.")
        from reseau.stockage import charger_graphe

        graphe = charger_graphe(options.reseau)
        if calibration is not None and calibration.facteurs_pointe:
            from reseau.recalage import appliquer_facteurs_pointe

            graphe = appliquer_facteurs_pointe(graphe, calibration.facteurs_pointe)
            etape("facteurs d'heure pleine de la calibration appliqués au réseau")
        resultat = isochrones_points(
            graphe,
            lieux,
            options.temps,
            sens=sens,
            par_source=options.par_source,
            anneaux=options.anneaux,
            parametres=ParametresGeometrie(largeur_m=options.largeur_m, pas_m=options.pas_m),
        )
    ecrire_couches(
        {"isochrones": resultat},
        options.sortie,
        styles={"isochrones": [style_isochrones(options.temps)]},
        metadonnees=Metadonnees(
            titre="Isochrones",
            resume=f"Atteignable en voiture en {'; '.join(map(seuil_fr, options.temps))} "
            f"min (sens « {sens} »).",
            historique=(
                "Source des temps : "
                + (f"réseau routier {options.reseau}." if source == "osm" else "vol d'oiseau."),
                f"Points : {options.points or 'pôles ' + str(options.poles)}.",
            ),
        ),
    )
    print(
        f"{len(resultat)} polygones écrits dans {options.sortie} "
        f"({resultat['source'].nunique()} source(s), sens « {sens} »)."
    )
    return 0


def executer_bassins(options: argparse.Namespace) -> int:
    """Dissolve the communes of a zones-grises folder by nearest pole."""
    from cartes.dossier import lire_dossier
    from isochrones import bassins
    from socle.erreurs import DonneesInvalides
    from socle.fichiers import ecrire_couches
    from socle.geopaquet import Metadonnees, historique
    from socle.styles_qgis import style_bassins
    from socle.symbologie import seuil_fr

    if options.sites is not None:
        if options.base is not None:
            raise DonneesInvalides(
                "Donnez --base (zones grises) ou --sites (réseau), pas les deux."
            )
        return _bassins_sites(options)
    if options.base is None:
        raise DonneesInvalides(
            "Donnez --base DOSSIER (résultat de zones-grises) ou --sites FICHIER avec "
            "--departement (réseau de sites)."
        )
    from accessibilite.cli._options_sites import refuser_temps_sans_sites

    refuser_temps_sans_sites(options)
    dossier = lire_dossier(options.base)
    niveaux = [options.niveau] if options.niveau else [n.nom for n in dossier.niveaux]
    couches = {f"bassins_{n}": bassins(dossier.communes, n) for n in niveaux}
    ecrire_couches(
        couches,
        options.sortie,
        styles={nom: [style_bassins()] for nom in couches},
        metadonnees=Metadonnees(
            titre=f"Bassins de services — {dossier.departement_nom}",
            resume="Communes regroupées par pôle le plus proche ; hors bassin : zone grise.",
            historique=historique(dossier.parametres),
            couches={
                f"bassins_{n.nom}": (
                    f"Bassins — {n.adjectif}",
                    f"Seuil {seuil_fr(n.seuil_min)} min.",
                )
                for n in dossier.niveaux
                if n.nom in niveaux
            },
        ),
    )
    for nom, couche in couches.items():
        hors = couche[couche["hors_bassin"]]
        print(
            f"{nom} : {int((~couche['hors_bassin']).sum())} bassins, "
            f"{int(hors['communes'].sum()) if len(hors) else 0} communes hors bassin."
        )
    print(f"Écrit : {options.sortie}")
    return 0


def _bassins_sites(options: argparse.Namespace) -> int:
    """The catchments of a network of sites."""
    from accessibilite.cli._options_acces import options_temps, source_depuis_options
    from accessibilite.cli._options_sites import bassins_du_reseau, options_geocodage
    from poles.couverture import couverture
    from socle.erreurs import DonneesInvalides
    from socle.fichiers import ecrire_couches
    from socle.territoire import code_departement

    if options.departement is None:
        raise DonneesInvalides("--sites demande --departement (par exemple --departement 62).")
    if options.niveau is not None:
        raise DonneesInvalides("--niveau vaut pour --base (zones grises), pas pour --sites.")
    etape(f"communes, sites de {options.sites.name} et temps d'accès")
    resultat = couverture(
        code_departement(options.departement),
        options.sites,
        source=source_depuis_options(options),
        objectif_min=options.objectif,
        seuils_min=options.seuils,
        perimetre=options.perimetre,
        tampon_km=options.tampon_km,
        **options_geocodage(options),
        **options_temps(options),
    )
    couche = bassins_du_reseau(resultat)
    ecrire_couches({"bassins_sites": couche}, options.sortie)
    hors = couche[couche["hors_bassin"]]
    print(
        f"bassins_sites : {int((~couche['hors_bassin']).sum())} bassins, "
        f"{int(hors['communes'].sum()) if len(hors) else 0} communes hors bassin "
        f"({int(hors['population'].sum()) if len(hors) else 0} habitants)."
    )
    print(f"Écrit : {options.sortie}")
    return 0
