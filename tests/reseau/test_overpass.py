"""The Overpass download path, with osmnx's network call replaced (never the network).

The fake ``ox.graph_from_polygon`` parses the hand-made OSM XML with osmnx's own
``graph_from_xml``, under the settings our download sets (``all_oneway``, tags): everything
but the HTTP request runs for real, and the graph must equal the one read from the PBF.
"""

from __future__ import annotations

import numpy as np
import osmnx as ox
import pytest
import requests
import shapely

from reseau import ErreurReseau, construire_graphe
from socle.erreurs import ErreurTelechargement
from tests.reseau.conftest import OSM_MINI

ZONE = shapely.box(2.495, 50.495, 2.512, 50.515)


@pytest.fixture
def faux_overpass(monkeypatch):
    appels: list[dict] = []

    def faux(polygone, **options):
        # osmnx's own XML reader, honouring the options that shape the graph: a simplified
        # or trimmed download would give another graph than the PBF
        appels.append({"polygone": polygone, **options})
        return ox.graph_from_xml(
            OSM_MINI,
            simplify=options.get("simplify", True),
            retain_all=options.get("retain_all", False),
        )

    monkeypatch.setattr(ox, "graph_from_polygon", faux)
    return appels


def test_telechargement_egal_au_pbf(tmp_path, faux_overpass, pbf_mini):
    reglages = (ox.settings.all_oneway, list(ox.settings.useful_tags_way))
    g = construire_graphe(None, polygone=ZONE, tampon_km=1, dossier_cache=tmp_path)
    ref = construire_graphe(pbf_mini, polygone=ZONE, tampon_km=1, cache=False)
    for nom in ("indptr", "indices", "temps_s", "osm_ids", "x", "y"):
        assert np.array_equal(getattr(g, nom), getattr(ref, nom)), nom
    assert g.metadonnees["source"]["type"] == "overpass"
    # the intermediate nodes of the ways are kept: osmnx's simplification would drop some
    simplifie = ox.graph_from_xml(OSM_MINI, simplify=True, retain_all=True)
    assert set(g.osm_ids.tolist()) - set(simplifie.nodes)
    # the query: the buffered polygon, our road filter
    (appel,) = faux_overpass
    assert appel["polygone"].contains(ZONE)
    assert "residential" in appel["custom_filter"][0] and len(appel["custom_filter"]) == 1
    # osmnx settings restored
    assert (ox.settings.all_oneway, list(ox.settings.useful_tags_way)) == reglages


def test_telechargement_en_cache(tmp_path, faux_overpass):
    construire_graphe(None, polygone=ZONE, dossier_cache=tmp_path, cache=False)
    construire_graphe(None, polygone=ZONE, dossier_cache=tmp_path, cache=False)
    assert len(faux_overpass) == 1
    construire_graphe(None, polygone=ZONE, dossier_cache=tmp_path, cache=False, rafraichir=True)
    assert len(faux_overpass) == 2
    # a corrupt cached download is downloaded again
    (fichier,) = (tmp_path / "osm").glob("*.npz")
    fichier.write_bytes(b"abime")
    construire_graphe(None, polygone=ZONE, dossier_cache=tmp_path, cache=False)
    assert len(faux_overpass) == 3


def test_bacs_demandes(tmp_path, faux_overpass):
    g = construire_graphe(None, polygone=ZONE, dossier_cache=tmp_path, bacs=True)
    assert faux_overpass[0]["custom_filter"][1] == '["route"="ferry"]'
    assert 12 in g.osm_ids.tolist()


def test_sans_reseau(tmp_path, monkeypatch):
    def hors_ligne(*args, **kwargs):
        raise requests.ConnectionError("pas de réseau")

    monkeypatch.setattr(ox, "graph_from_polygon", hors_ligne)
    with pytest.raises(ErreurTelechargement, match="--pbf"):
        construire_graphe(None, polygone=ZONE, dossier_cache=tmp_path)


def test_zone_sans_route(tmp_path, monkeypatch):
    def vide(*args, **kwargs):
        raise ox._errors.InsufficientResponseError("No data elements in server response.")

    monkeypatch.setattr(ox, "graph_from_polygon", vide)
    with pytest.raises(ErreurReseau, match="aucune route"):
        construire_graphe(None, polygone=ZONE, dossier_cache=tmp_path)


def test_sans_emprise():
    with pytest.raises(ErreurReseau, match="--departement"):
        construire_graphe(None)
