"""Bad inputs give one clear French error, never a traceback from a library."""

from __future__ import annotations

import pytest

from reseau import DonneesManquantes, ErreurReseau, construire_graphe
from tests.conftest import chemin_donnees


def test_pbf_tronque(tmp_path, pbf_mini):
    brut = pbf_mini.read_bytes()
    tronque = tmp_path / "tronque.osm.pbf"
    tronque.write_bytes(brut[: len(brut) // 2])
    with pytest.raises(ErreurReseau, match="illisible ou tronqué"):
        construire_graphe(tronque, cache=False)


@pytest.mark.donnees
def test_pbf_reel_tronque(tmp_path):
    brut = chemin_donnees("osm", "andorra.osm.pbf").read_bytes()
    tronque = tmp_path / "andorre.osm.pbf"
    tronque.write_bytes(brut[: len(brut) * 2 // 3])
    with pytest.raises(ErreurReseau, match="retéléchargez"):
        construire_graphe(tronque, cache=False)


def test_fichier_qui_n_est_pas_un_pbf(tmp_path):
    faux = tmp_path / "zone.osm.pbf"
    faux.write_text("Ceci est un compte rendu de réunion, pas un extrait OSM.\n" * 20)
    with pytest.raises(ErreurReseau, match="OpenStreetMap illisible"):
        construire_graphe(faux, cache=False)


def test_extension_inconnue(tmp_path):
    fichier = tmp_path / "zone.shp"
    fichier.write_bytes(b"\0" * 10)
    with pytest.raises(ErreurReseau, match="Format de réseau non reconnu"):
        construire_graphe(fichier, cache=False)


def test_fichier_absent(tmp_path):
    with pytest.raises(DonneesManquantes, match="introuvable"):
        construire_graphe(tmp_path / "absent.osm.pbf", cache=False)


def test_osm_sans_route(tmp_path):
    fichier = tmp_path / "vide.osm"
    fichier.write_text(
        '<?xml version="1.0"?>\n<osm version="0.6">\n'
        '  <node id="1" version="1" lat="50.5" lon="2.5"/>\n'
        '  <way id="2" version="1"><nd ref="1"/><tag k="building" v="yes"/></way>\n</osm>\n',
        encoding="utf-8",
    )
    with pytest.raises(ErreurReseau, match="Aucune voie routière"):
        construire_graphe(fichier, cache=False)


def test_graphml_illisible(tmp_path):
    faux = tmp_path / "ville.graphml"
    faux.write_text("<graphml><pas fini", encoding="utf-8")
    with pytest.raises(ErreurReseau, match="GraphML illisible"):
        construire_graphe(faux, cache=False)
