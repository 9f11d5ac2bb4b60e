"""Build the installable zip of the QGIS plugin (QGIS > Extensions > Installer depuis un
ZIP): ``python3 qgis_plugin/empaqueter.py [dist/accessibilite_qgis.zip]``.

Standard library only. The zip holds one folder, ``accessibilite_qgis/``, with
``metadata.txt`` and the plugin's modules (no caches).
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

DOSSIER = Path(__file__).resolve().parent / "accessibilite_qgis"


def empaqueter(zip_: str | Path) -> Path:
    """Write the plugin's zip; return its path."""
    zip_ = Path(zip_)
    zip_.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for fichier in sorted(DOSSIER.rglob("*")):
            if fichier.is_dir() or "__pycache__" in fichier.parts or fichier.suffix == ".pyc":
                continue
            archive.write(fichier, Path(DOSSIER.name) / fichier.relative_to(DOSSIER))
    return zip_


if __name__ == "__main__":
    cible = sys.argv[1] if len(sys.argv) > 1 else "dist/accessibilite_qgis.zip"
    print(f"Greffon QGIS : {empaqueter(cible)}")
