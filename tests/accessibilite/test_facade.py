"""The notebook façade and the floors: what importing costs, and that every name resolves."""

from __future__ import annotations

import subprocess
import sys

import pytest

import accessibilite


def _modules_charges(code: str) -> set[str]:
    """The top-level modules loaded by running ``code`` in a fresh interpreter."""
    fini = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return {nom.split(".")[0] for nom in fini.stdout.split()}


@pytest.mark.parametrize(
    "code",
    [
        "import accessibilite",
        "import accessibilite; accessibilite.DonneesInvalides",
        "from socle.ressources import fichier_donnees; fichier_donnees('gammes_sdaasp.toml')",
        "from reseau.vitesses import charger_vitesses; charger_vitesses()",
        "from poles.gammes import charger_gammes; charger_gammes()",
        "import cartes",
    ],
)
def test_lire_une_configuration_ne_charge_pas_numba(code):
    assert "numba" not in _modules_charges(code)


def test_importer_la_facade_ne_charge_ni_pandas_ni_numpy():
    charges = _modules_charges("import accessibilite")
    assert not charges & {"numba", "pandas", "numpy", "geopandas", "shapely"}


def test_chaque_nom_public_de_la_facade_se_resout():
    assert sorted(accessibilite.__all__) == sorted(accessibilite._NOMS)
    for nom in accessibilite.__all__:
        objet = getattr(accessibilite, nom)
        module = accessibilite._NOMS[nom]
        assert objet is getattr(__import__(module, fromlist=[nom]), nom)


def test_les_noms_historiques_restent_ou_ils_etaient():
    import reseau
    from accessibilite.cli import main
    from accessibilite.noyau.routage import matrice_temps, plus_proche

    assert accessibilite.matrice_temps is matrice_temps
    assert accessibilite.plus_proche is plus_proche
    assert accessibilite.Graphe is reseau.Graphe
    assert callable(reseau.construire_graphe) and callable(reseau.charger_graphe)
    assert callable(main)


def test_un_nom_inconnu_est_une_attributeerror():
    with pytest.raises(AttributeError, match="pas_un_nom"):
        _ = accessibilite.pas_un_nom
