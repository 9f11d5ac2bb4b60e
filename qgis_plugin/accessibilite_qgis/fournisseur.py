"""The Processing provider "Accessibilité (SDAASP)" and its algorithms."""

from __future__ import annotations

from qgis.core import QgsProcessingProvider

from .algorithmes import ALGORITHMES


class Fournisseur(QgsProcessingProvider):
    """The toolbox group of the project's algorithms."""

    def id(self) -> str:
        return "accessibilite"

    def name(self) -> str:
        return "Accessibilité (SDAASP)"

    def longName(self) -> str:  # noqa: N802 (QGIS's name)
        return "Accessibilité des services au public (SDAASP) : zones grises, isochrones"

    def loadAlgorithms(self) -> None:  # noqa: N802 (QGIS's name)
        for classe in ALGORITHMES:
            self.addAlgorithm(classe())
