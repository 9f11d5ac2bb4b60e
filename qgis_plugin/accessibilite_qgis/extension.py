"""The plugin object: registers the Processing provider, and removes it when unloaded."""

from __future__ import annotations

from qgis.core import QgsApplication


class Extension:
    """What QGIS loads: a Processing provider and nothing else (no menus, no toolbars)."""

    def __init__(self, iface: object) -> None:
        self.iface = iface
        self.fournisseur = None

    def initProcessing(self) -> None:  # noqa: N802 (QGIS's name)
        from .fournisseur import Fournisseur

        self.fournisseur = Fournisseur()
        QgsApplication.processingRegistry().addProvider(self.fournisseur)

    def initGui(self) -> None:  # noqa: N802 (QGIS's name)
        self.initProcessing()

    def unload(self) -> None:
        if self.fournisseur is not None:
            QgsApplication.processingRegistry().removeProvider(self.fournisseur)
            self.fournisseur = None
