"""QGIS plugin: the ``accessibilite`` computations in the Processing toolbox.

QGIS calls :func:`classFactory` when the plugin is enabled. The plugin only registers a
Processing provider (:mod:`.fournisseur`); its algorithms call the ``accessibilite``
package's Python API (not its command line), imported from QGIS's Python as explained in
:mod:`.chemin`.
"""


def classFactory(iface):  # noqa: N802 (the name QGIS looks for)
    """The plugin object QGIS asks for."""
    from .extension import Extension

    return Extension(iface)
