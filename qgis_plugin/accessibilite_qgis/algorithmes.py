"""The Processing algorithms: zones grises, isochrones, bassins, indicator, travel-time
matrix. Each reads QGIS layers and parameters, calls the ``accessibilite`` Python API,
writes styled GeoPackages (or a table) and loads the result layers into the project."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from .chemin import importer_accessibilite
from .couches import Suivi, charger, nombres, vers_gdf

_SOURCES = ["vol d'oiseau (estimation a + b × km)", "réseau routier (.graphe)", "matrice (CSV)"]
_NIVEAUX = ["proximite", "intermediaire", "superieur"]
_REGLES = ["part-min", "n-min", "tous"]
_CSV = ["portable", "excel-fr"]


class _Algorithme(QgsProcessingAlgorithm):
    """What the project's algorithms share: group, French help, the package import."""

    NOM = ""
    TITRE = ""
    AIDE = ""

    def name(self) -> str:
        return self.NOM

    def displayName(self) -> str:  # noqa: N802 (QGIS's name)
        return self.TITRE

    def group(self) -> str:
        return "Accessibilité (SDAASP)"

    def groupId(self) -> str:  # noqa: N802 (QGIS's name)
        return "accessibilite"

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS's name)
        return self.AIDE

    def createInstance(self) -> _Algorithme:  # noqa: N802 (QGIS's name)
        return type(self)()

    def processAlgorithm(  # noqa: N802 (QGIS's name)
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        try:
            importer_accessibilite()
        except ImportError as exc:
            raise QgsProcessingException(str(exc)) from exc
        from socle.erreurs import ErreurAccessibilite

        suivi = Suivi(feedback)
        try:
            return self.calculer(parameters, context, suivi)
        except ErreurAccessibilite as exc:  # the package's French messages, as they are
            raise QgsProcessingException(str(exc)) from exc

    def calculer(
        self, parameters: dict[str, Any], context: QgsProcessingContext, suivi: Suivi
    ) -> dict[str, Any]:
        raise NotImplementedError

    # -- parameters shared by several algorithms ------------------------------------------

    def _ajouter_source(self, *, matrice: bool = True) -> None:
        choix = _SOURCES if matrice else _SOURCES[:2]
        self.addParameter(
            QgsProcessingParameterEnum("SOURCE", "Source des temps", options=choix, defaultValue=0)
        )
        self.addParameter(
            QgsProcessingParameterFile(
                "RESEAU",
                "Réseau routier (.graphe, « accessibilite reseau construire »)",
                optional=True,
                fileFilter="Graphe routier (*.graphe)",
            )
        )
        if matrice:
            self.addParameter(
                QgsProcessingParameterFile(
                    "MATRICE",
                    "Matrice commune × commune (CSV, minutes)",
                    optional=True,
                    fileFilter="CSV (*.csv *.txt)",
                )
            )

    def _source(self, parameters: dict[str, Any], context: QgsProcessingContext) -> Any:
        from accessibilite.noyau.sources import SourceMatrice, SourceVolOiseau

        choix = self.parameterAsEnum(parameters, "SOURCE", context)
        if choix == 1:
            reseau = self.parameterAsFile(parameters, "RESEAU", context)
            if not reseau:
                raise QgsProcessingException(
                    "Source « réseau routier » : donnez le fichier .graphe (paramètre Réseau)."
                )
            from accessibilite.noyau.source_reseau import SourceReseau

            return SourceReseau.depuis_fichier(reseau)
        if choix == 2:
            matrice = self.parameterAsFile(parameters, "MATRICE", context)
            if not matrice:
                raise QgsProcessingException(
                    "Source « matrice » : donnez le fichier CSV (paramètre Matrice)."
                )
            return SourceMatrice.depuis_fichier(matrice)
        return SourceVolOiseau()

    def _ajouter_departement(self) -> None:
        self.addParameter(
            QgsProcessingParameterString(
                "DEPARTEMENT", "Département (code INSEE, ex. 62)", optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                "COMMUNES",
                "ou couche des communes (son champ code INSEE donne le département)",
                [QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeVectorPoint],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                "CHAMP_CODE",
                "Champ du code INSEE des communes",
                parentLayerParameterName="COMMUNES",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                "BPE",
                "Base permanente des équipements (xlsx, CSV ou zip ; vide : téléchargée)",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "TAMPON_KM",
                "Tampon des communes voisines (km)",
                type=QgsProcessingParameterNumber.Double,
                defaultValue=30.0,
                minValue=0.0,
            )
        )

    def _departement(
        self, parameters: dict[str, Any], context: QgsProcessingContext, suivi: Suivi
    ) -> str:
        from socle.territoire import code_departement

        texte = self.parameterAsString(parameters, "DEPARTEMENT", context).strip()
        if texte:
            return code_departement(texte)
        couche = self.parameterAsSource(parameters, "COMMUNES", context)
        champ = self.parameterAsString(parameters, "CHAMP_CODE", context)
        if couche is None or not champ:
            raise QgsProcessingException(
                "Donnez le département (code INSEE) ou une couche de communes avec son champ "
                "de code INSEE."
            )
        codes = vers_gdf(couche, suivi, champs=[champ])[champ].dropna().astype(str)
        prefixes = Counter(c[:3] if c.startswith("97") else c[:2] for c in codes if len(c) == 5)
        if not prefixes:
            raise QgsProcessingException(
                f"Aucun code INSEE de commune (5 caractères) dans le champ « {champ} »."
            )
        return code_departement(prefixes.most_common(1)[0][0])

    def _bpe(self, parameters: dict[str, Any], context: QgsProcessingContext, suivi: Suivi) -> Path:
        chemin = self.parameterAsFile(parameters, "BPE", context)
        if chemin:
            return Path(chemin)
        from socle.catalogue import source_bpe, telecharger_source

        source = source_bpe(None)
        suivi.feedback.pushInfo(f"BPE non donnée : téléchargement de {source.description}")
        return telecharger_source(source, progression=suivi)


class ZonesGrises(_Algorithme):
    NOM = "zones_grises"
    TITRE = "Zones grises d'un département"
    AIDE = (
        "Temps en voiture de chaque commune du département au pôle de services le plus proche "
        "de chaque niveau (proximité, intermédiaire, supérieur) ; zone grise au-delà du "
        "seuil du niveau. Un pôle est une commune qui possède assez d'items de la gamme du "
        "niveau (règle). Écrit le dossier de résultats (tableaux CSV et classeur .xlsx, "
        "GeoPackage stylé, parametres.json) et charge dans le projet une couche par niveau "
        "(classes de temps, zone grise hachurée), le cumul, les pôles et les EPCI."
    )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802 (QGIS's name)
        self._ajouter_departement()
        self._ajouter_source()
        self.addParameter(
            QgsProcessingParameterEnum("REGLE", "Règle de pôle", options=_REGLES, defaultValue=0)
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "PART_MIN",
                "Part minimale des items (règle part-min)",
                type=QgsProcessingParameterNumber.Double,
                defaultValue=0.5,
                minValue=0.0,
                maxValue=1.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "N_MIN", "Nombre minimal d'items (règle n-min)", defaultValue=8, minValue=1
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                "SEUILS",
                "Seuils des niveaux en minutes (vide : 10;20;30)",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum("CSV", "Forme des CSV", options=_CSV, defaultValue=0)
        )
        self.addParameter(
            QgsProcessingParameterFolderDestination("SORTIE", "Dossier des résultats")
        )

    def calculer(
        self, parameters: dict[str, Any], context: QgsProcessingContext, suivi: Suivi
    ) -> dict[str, Any]:
        from dataclasses import replace

        from poles.gammes import Gammes, charger_gammes
        from poles.regles import Regle
        from poles.sorties import ecrire_resultats
        from poles.zones_grises import zones_grises
        from socle.dossiers import dossier_resultat

        suivi.etape("département et BPE", 0.02)
        departement = self._departement(parameters, context, suivi)
        bpe = self._bpe(parameters, context, suivi)
        suivi.etape("source des temps", 0.05)
        source = self._source(parameters, context)
        regle = Regle(
            nom=_REGLES[self.parameterAsEnum(parameters, "REGLE", context)].replace("-", "_"),
            n_min=self.parameterAsInt(parameters, "N_MIN", context),
            part_min=self.parameterAsDouble(parameters, "PART_MIN", context),
            cumul=False,
        )
        gammes = charger_gammes()
        texte_seuils = self.parameterAsString(parameters, "SEUILS", context)
        if texte_seuils.strip():
            seuils = nombres(texte_seuils, "Seuils")
            classes = [n for n in gammes.niveaux if n.zones_grises]
            if len(seuils) != len(classes):
                raise QgsProcessingException(
                    f"Seuils : {len(classes)} valeurs attendues "
                    f"({', '.join(n.nom for n in classes)})."
                )
            nouveaux = dict(zip((n.nom for n in classes), seuils, strict=True))
            gammes = Gammes(
                tuple(replace(n, seuil_min=nouveaux.get(n.nom, n.seuil_min)) for n in gammes),
                gammes.fichier,
            )
        suivi.etape(f"communes, équipements, pôles et temps d'accès ({departement})", 0.1)
        resultat = zones_grises(
            departement,
            bpe,
            source=source,
            regle=regle,
            gammes=gammes,
            tampon_km=self.parameterAsDouble(parameters, "TAMPON_KM", context),
        )
        suivi.etape("écriture des résultats", 0.85)
        sortie = Path(self.parameterAsString(parameters, "SORTIE", context))
        with dossier_resultat(sortie, commande="qgis zones_grises", ecraser=True) as dossier:
            ecrire_resultats(
                resultat, dossier, csv=_CSV[self.parameterAsEnum(parameters, "CSV", context)]
            )
        gpkg = sortie / "zones_grises.gpkg"
        niveaux = [str(n) for n in resultat.parametres["niveaux"]]
        charger(
            context,
            gpkg,
            [
                ("departement", "Département"),
                ("epci", "EPCI"),
                ("poles", "Pôles de services"),
                *((f"zones_grises_{n}", f"Zones grises — {n}") for n in niveaux),
                ("communes", "Niveaux en zone grise"),
            ],
            "SORTIE",
        )
        suivi.etape("terminé", 1.0)
        return {"SORTIE": str(sortie), "GEOPACKAGE": str(gpkg)}


class Isochrones(_Algorithme):
    NOM = "isochrones"
    TITRE = "Isochrones"
    AIDE = (
        "Ce qui est atteignable en voiture en 10, 20, 30 minutes autour des points (ou des "
        "polygones : un point intérieur) de la couche, en une seule recherche sur le réseau "
        "routier ; à vol d'oiseau, le disque de rayon (t − a) / b km (une estimation). Chaque "
        "bande porte ses bornes (de_min, a_min), sa surface (km²) et l'identifiant de son "
        "point (source)."
    )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802 (QGIS's name)
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                "POINTS",
                "Points de départ (ou polygones)",
                [QgsProcessing.TypeVectorPoint, QgsProcessing.TypeVectorPolygon],
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                "CHAMP_ID", "Champ identifiant", parentLayerParameterName="POINTS", optional=True
            )
        )
        self._ajouter_source(matrice=False)
        self.addParameter(
            QgsProcessingParameterString("TEMPS", "Temps en minutes", defaultValue="10;20;30")
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                "SENS",
                "Sens",
                options=["depuis les points", "vers les points"],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean("PAR_SOURCE", "Un polygone par point", False)
        )
        self.addParameter(
            QgsProcessingParameterBoolean("ANNEAUX", "Couronnes au lieu de bandes", False)
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                "SORTIE", "Isochrones", fileFilter="GeoPackage (*.gpkg)"
            )
        )

    def calculer(
        self, parameters: dict[str, Any], context: QgsProcessingContext, suivi: Suivi
    ) -> dict[str, Any]:
        from isochrones import isochrones_points, isochrones_vol_oiseau
        from socle.fichiers import ecrire_couches
        from socle.geopaquet import Metadonnees
        from socle.styles_qgis import style_isochrones

        suivi.etape("lecture des points", 0.02)
        couche = self.parameterAsSource(parameters, "POINTS", context)
        champ = self.parameterAsString(parameters, "CHAMP_ID", context) or None
        points = vers_gdf(couche, suivi, champs=[champ] if champ else [])
        temps = nombres(self.parameterAsString(parameters, "TEMPS", context), "Temps")
        options = {
            "par_source": self.parameterAsBool(parameters, "PAR_SOURCE", context),
            "anneaux": self.parameterAsBool(parameters, "ANNEAUX", context),
        }
        source = self._source(parameters, context)
        suivi.etape(f"isochrones de {len(points)} points", 0.1)
        if getattr(source, "graphe", None) is not None:
            sens = "vers" if self.parameterAsEnum(parameters, "SENS", context) == 1 else "depuis"
            resultat = isochrones_points(
                source.graphe, points, temps, colonne_id=champ, sens=sens, **options
            )
        else:
            resultat = isochrones_vol_oiseau(points, temps, colonne_id=champ, **options)
        suivi.etape("écriture", 0.9)
        sortie = self.parameterAsFileOutput(parameters, "SORTIE", context)
        if not sortie.lower().endswith(".gpkg"):
            sortie += ".gpkg"
        ecrire_couches(
            {"isochrones": resultat},
            sortie,
            styles={"isochrones": [style_isochrones(temps)]},
            metadonnees=Metadonnees(
                titre="Isochrones",
                resume=f"Atteignable en voiture ; source : {source.description()}.",
            ),
        )
        charger(context, sortie, [("isochrones", "Isochrones")], "SORTIE")
        suivi.etape("terminé", 1.0)
        return {"SORTIE": sortie}


class Bassins(_Algorithme):
    NOM = "bassins"
    TITRE = "Bassins de services"
    AIDE = (
        "Regroupe les communes par pôle le plus proche d'un niveau (la couche « communes » "
        "ou « zones_grises_<niveau> » d'un GeoPackage de zones grises) ; les communes en "
        "zone grise forment la classe « hors bassin »."
    )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802 (QGIS's name)
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                "COMMUNES",
                "Communes d'un résultat de zones grises",
                [QgsProcessing.TypeVectorPolygon],
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum("NIVEAU", "Niveau", options=_NIVEAUX, defaultValue=0)
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                "SORTIE", "Bassins", fileFilter="GeoPackage (*.gpkg)"
            )
        )

    def calculer(
        self, parameters: dict[str, Any], context: QgsProcessingContext, suivi: Suivi
    ) -> dict[str, Any]:
        from isochrones import bassins
        from socle.fichiers import ecrire_couches
        from socle.geopaquet import Metadonnees
        from socle.styles_qgis import style_bassins

        niveau = _NIVEAUX[self.parameterAsEnum(parameters, "NIVEAU", context)]
        suivi.etape("lecture des communes", 0.05)
        communes = vers_gdf(self.parameterAsSource(parameters, "COMMUNES", context), suivi)
        for colonne in (f"zone_grise_{niveau}",):
            if colonne in communes.columns:
                communes[colonne] = communes[colonne].fillna(False).astype(bool)
        if "population" in communes.columns:
            communes["population"] = communes["population"].fillna(0)
        suivi.etape(f"bassins ({niveau})", 0.3)
        resultat = bassins(communes, niveau)
        sortie = self.parameterAsFileOutput(parameters, "SORTIE", context)
        if not sortie.lower().endswith(".gpkg"):
            sortie += ".gpkg"
        nom = f"bassins_{niveau}"
        ecrire_couches(
            {nom: resultat},
            sortie,
            styles={nom: [style_bassins()]},
            metadonnees=Metadonnees(titre=f"Bassins de services — {niveau}", resume=""),
        )
        charger(context, sortie, [(nom, f"Bassins — {niveau}")], "SORTIE")
        suivi.etape("terminé", 1.0)
        return {"SORTIE": sortie}


class Indicateur(_Algorithme):
    NOM = "indicateur"
    TITRE = "Indicateur d'accès à un service"
    AIDE = (
        "Temps en voiture de chaque commune à la commune la plus proche qui possède un "
        "équipement du service (code TYPEQU de la BPE ou nom prédéfini : medecin, pharmacie, "
        "urgences...), part de la population au-delà des seuils, par EPCI."
    )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802 (QGIS's name)
        self._ajouter_departement()
        self.addParameter(
            QgsProcessingParameterString(
                "SERVICE", "Service (code TYPEQU ou nom : medecin, pharmacie...)", "medecin"
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                "SEUILS", "Seuils en minutes (vide : ceux du service)", optional=True
            )
        )
        self._ajouter_source()
        self.addParameter(
            QgsProcessingParameterEnum("CSV", "Forme des CSV", options=_CSV, defaultValue=0)
        )
        self.addParameter(
            QgsProcessingParameterFolderDestination("SORTIE", "Dossier des résultats")
        )

    def calculer(
        self, parameters: dict[str, Any], context: QgsProcessingContext, suivi: Suivi
    ) -> dict[str, Any]:
        from poles.indicateurs import indicateur, resoudre_service
        from poles.sorties_indicateurs import ecrire_indicateur
        from socle.dossiers import dossier_resultat

        suivi.etape("département et BPE", 0.02)
        departement = self._departement(parameters, context, suivi)
        bpe = self._bpe(parameters, context, suivi)
        service = resoudre_service(self.parameterAsString(parameters, "SERVICE", context))
        texte = self.parameterAsString(parameters, "SEUILS", context)
        seuils = nombres(texte, "Seuils") if texte.strip() else None
        source = self._source(parameters, context)
        suivi.etape(f"temps d'accès à « {service.libelle} »", 0.1)
        resultat = indicateur(
            departement,
            bpe,
            service,
            source=source,
            seuils_min=seuils,
            tampon_km=self.parameterAsDouble(parameters, "TAMPON_KM", context),
        )
        suivi.etape("écriture des résultats", 0.85)
        sortie = Path(self.parameterAsString(parameters, "SORTIE", context))
        with dossier_resultat(sortie, commande="qgis indicateur", ecraser=True) as dossier:
            ecrire_indicateur(
                resultat, dossier, csv=_CSV[self.parameterAsEnum(parameters, "CSV", context)]
            )
        gpkg = sortie / "indicateur.gpkg"
        charger(
            context,
            gpkg,
            [("equipements", "Communes équipées"), ("communes", f"Accès — {service.libelle}")],
            "SORTIE",
        )
        suivi.etape("terminé", 1.0)
        return {"SORTIE": str(sortie), "GEOPACKAGE": str(gpkg)}


class MatriceTemps(_Algorithme):
    NOM = "matrice_temps"
    TITRE = "Matrice de temps de trajet"
    AIDE = (
        "Temps en voiture de chaque origine à chaque destination (points, ou polygones : un "
        "point intérieur), en table longue origine, destination, minutes ; avec une coupure, "
        "seules les paires à moins de la coupure (sur le réseau, seules celles-là sont "
        "calculées)."
    )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802 (QGIS's name)
        types = [QgsProcessing.TypeVectorPoint, QgsProcessing.TypeVectorPolygon]
        self.addParameter(QgsProcessingParameterFeatureSource("ORIGINES", "Origines", types))
        self.addParameter(
            QgsProcessingParameterField(
                "CHAMP_ORIGINES",
                "Identifiant des origines",
                parentLayerParameterName="ORIGINES",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                "DESTINATIONS", "Destinations (vide : les origines)", types, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                "CHAMP_DESTINATIONS",
                "Identifiant des destinations",
                parentLayerParameterName="DESTINATIONS",
                optional=True,
            )
        )
        self._ajouter_source()
        self.addParameter(
            QgsProcessingParameterNumber(
                "COUPURE_MIN",
                "Coupure en minutes (0 : aucune)",
                type=QgsProcessingParameterNumber.Double,
                defaultValue=0.0,
                minValue=0.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                "SORTIE", "Temps de trajet", type=QgsProcessing.TypeVector
            )
        )

    def calculer(
        self, parameters: dict[str, Any], context: QgsProcessingContext, suivi: Suivi
    ) -> dict[str, Any]:
        from accessibilite.noyau.trajets import temps_trajets

        suivi.etape("lecture des lieux", 0.02)
        champ_o = self.parameterAsString(parameters, "CHAMP_ORIGINES", context) or None
        origines = vers_gdf(
            self.parameterAsSource(parameters, "ORIGINES", context),
            suivi,
            champs=[champ_o] if champ_o else [],
        )
        destinations = None
        champ_d = None
        source_d = self.parameterAsSource(parameters, "DESTINATIONS", context)
        if source_d is not None:
            champ_d = self.parameterAsString(parameters, "CHAMP_DESTINATIONS", context) or None
            destinations = vers_gdf(source_d, suivi, champs=[champ_d] if champ_d else [])
        coupure = self.parameterAsDouble(parameters, "COUPURE_MIN", context)
        source = self._source(parameters, context)
        suivi.etape(f"temps de trajet ({len(origines)} origines)", 0.1)
        table = temps_trajets(
            source,
            origines,
            destinations,
            colonne_id=champ_o,
            colonne_id_destinations=champ_d,
            coupure_min=coupure if coupure > 0 else None,
        )
        champs = QgsFields()
        champs.append(QgsField("origine", QVariant.String))
        champs.append(QgsField("destination", QVariant.String))
        champs.append(QgsField("minutes", QVariant.Double))
        puits, destination = self.parameterAsSink(
            parameters, "SORTIE", context, champs, QgsWkbTypes.NoGeometry
        )
        suivi.etape(f"écriture de {len(table)} paires", 0.8)
        for k, (origine, dest, minutes) in enumerate(table.itertuples(index=False, name=None)):
            if k % 10000 == 0:
                suivi.etape(f"écriture de {len(table)} paires", 0.8 + 0.2 * k / max(len(table), 1))
            entite = QgsFeature(champs)
            entite.setAttributes([str(origine), str(dest), float(minutes)])
            puits.addFeature(entite, QgsFeatureSink.FastInsert)
        suivi.etape("terminé", 1.0)
        return {"SORTIE": destination}


ALGORITHMES = (ZonesGrises, Isochrones, Bassins, Indicateur, MatriceTemps)
