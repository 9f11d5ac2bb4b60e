"""The builder on a hand-made network (tests/fixtures/reseau_mini.osm), checked exactly.

The fixture (21 nodes near 2.50 E, 50.50 N, in the Pas-de-Calais) has one way for each rule:

=====  ==========================================  =========================================
way    tags                                        expected
=====  ==========================================  =========================================
101    residential maxspeed=50, nodes 1-2-3        both ways, 50 km/h x 0.65
102    primary oneway=yes maxspeed=FR:urban, 3-4   3->4 only, 50 km/h (implicit) x 0.80
103    secondary oneway=-1, drawn 1-4              4->1 only, class default 80 x 0.75
104    tertiary oneway=reversible, 4-5             excluded (table: reversible = exclue)
105    unclassified junction=roundabout, 6-7-8-6   one way, drawing order
106    residential maxspeed=signals, 2-6           both ways, fallback to 30 km/h, counted
107    residential access=private, 3-9             excluded
108    residential access=no motor_vehicle=yes     kept (the most specific tag decides)
109    footway, 10-11                              excluded
110    route=ferry motorcar=yes, 10-12             excluded unless bacs=True
111    track, 1-13                                 excluded (not in the table)
112    tertiary maxspeed:forward=70 :backward=30   70 then 30 km/h, x 0.75
113    residential 20-21, disconnected             dropped (not the largest component)
114    motorway 14-15-16 (no oneway tag)           one way (implied), 130 x 0.85
115    motorway 16-17-14                           one way (implied)
116    trunk oneway=yes 16-18                      110 km/h (dual carriageway) x 0.85
117    trunk 18-19-16                              both ways, 80 x 0.85
=====  ==========================================  =========================================

Node 3 is a traffic signal (15 s); nodes 2, 4, 6, 14, 16 are junctions (3 s, not for
motorway and trunk arcs).
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from reseau import (
    SOURCES_VITESSE,
    ErreurReseau,
    charger_vitesses,
    construire_graphe,
    graphe_depuis_osm,
)
from reseau._osm import lire_osm
from reseau.vitesses import CODE_BAC, code_classe
from tests.reseau.conftest import OSM_MINI, arcs_osm

ARCS_ATTENDUS = {
    # (from, to): (free speed km/h, peak factor, delay s, class, source)
    (1, 2): (50, 0.65, 3, "residential", "maxspeed"),
    (2, 1): (50, 0.65, 0, "residential", "maxspeed"),
    (2, 3): (50, 0.65, 15, "residential", "maxspeed"),
    (3, 2): (50, 0.65, 3, "residential", "maxspeed"),
    (3, 4): (50, 0.80, 3, "primary", "implicite"),
    (4, 1): (80, 0.75, 0, "secondary", "defaut_classe"),
    (6, 7): (50, 0.70, 0, "unclassified", "defaut_classe"),
    (7, 8): (50, 0.70, 0, "unclassified", "defaut_classe"),
    (8, 6): (50, 0.70, 3, "unclassified", "defaut_classe"),
    (2, 6): (30, 0.65, 3, "residential", "repli"),
    (6, 2): (30, 0.65, 3, "residential", "repli"),
    (3, 10): (30, 0.65, 0, "residential", "defaut_classe"),
    (10, 3): (30, 0.65, 15, "residential", "defaut_classe"),
    (4, 14): (70, 0.75, 3, "tertiary", "maxspeed"),
    (14, 4): (30, 0.75, 3, "tertiary", "maxspeed"),
    (14, 15): (130, 0.85, 0, "motorway", "defaut_classe"),
    (15, 16): (130, 0.85, 0, "motorway", "defaut_classe"),
    (16, 17): (130, 0.85, 0, "motorway", "defaut_classe"),
    (17, 14): (130, 0.85, 0, "motorway", "defaut_classe"),
    (16, 18): (110, 0.85, 0, "trunk", "defaut_classe"),
    (18, 19): (80, 0.85, 0, "trunk", "defaut_classe"),
    (19, 18): (80, 0.85, 0, "trunk", "defaut_classe"),
    (19, 16): (80, 0.85, 0, "trunk", "defaut_classe"),
    (16, 19): (80, 0.85, 0, "trunk", "defaut_classe"),
}


@pytest.fixture(scope="module")
def modele():
    return charger_vitesses()


@pytest.fixture(scope="module")
def mini(modele):
    return graphe_depuis_osm(lire_osm(OSM_MINI), modele)


def test_arcs_exacts(mini):
    arcs = arcs_osm(mini)
    assert set(arcs) == set(ARCS_ATTENDUS)
    assert mini.n_noeuds == 14 and mini.n_arcs == 24
    assert mini.crs == "EPSG:2154"


def test_temps_exacts(mini):
    arcs = arcs_osm(mini)
    att = mini.attributs_arcs
    for paire, (kmh, facteur, delai, classe, source) in ARCS_ATTENDUS.items():
        k = arcs[paire]
        longueur = float(att["longueur_m"][k])
        attendu = longueur / (kmh * facteur / 3.6) + delai
        assert float(mini.temps_s[k]) == pytest.approx(attendu, rel=1e-6), paire
        assert int(att["classe"][k]) == code_classe(classe), paire
        assert SOURCES_VITESSE[int(att["source_vitesse"][k])] == source, paire
        assert float(att["vitesse_kmh"][k]) == pytest.approx(kmh * facteur), paire


def test_longueurs_geodesiques(mini):
    """Arc lengths agree with pyproj's ellipsoidal distance (spherical model: < 0.5 %)."""
    donnees = lire_osm(OSM_MINI)
    position = {int(i): k for k, i in enumerate(donnees.noeud_ids)}
    geod = Geod(ellps="WGS84")
    for (a, b), k in arcs_osm(mini).items():
        ia, ib = position[a], position[b]
        _, _, d = geod.inv(donnees.lon[ia], donnees.lat[ia], donnees.lon[ib], donnees.lat[ib])
        assert float(mini.attributs_arcs["longueur_m"][k]) == pytest.approx(d, rel=5e-3)


def test_sens_uniques(mini):
    arcs = arcs_osm(mini)
    assert (3, 4) in arcs and (4, 3) not in arcs  # oneway=yes
    assert (4, 1) in arcs and (1, 4) not in arcs  # oneway=-1
    assert (6, 8) not in arcs and (8, 7) not in arcs  # roundabout
    assert (15, 14) not in arcs and (14, 17) not in arcs  # motorway implies oneway
    assert all(4 not in p or 5 not in p for p in arcs)  # reversible excluded


def test_coordonnees_et_ids(mini):
    """Every node is an OSM node, at its coordinates projected to Lambert-93."""
    from pyproj import Transformer

    donnees = lire_osm(OSM_MINI)
    position = {int(i): k for k, i in enumerate(donnees.noeud_ids)}
    t = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    for i, osm in enumerate(mini.osm_ids):
        x, y = t.transform(donnees.lon[position[int(osm)]], donnees.lat[position[int(osm)]])
        assert mini.x[i] == pytest.approx(x, abs=1e-6) and mini.y[i] == pytest.approx(y, abs=1e-6)


def test_comptes_dans_metadonnees(mini):
    meta = mini.metadonnees
    assert meta["composantes"] == {
        "nombre": 2,
        "supprimees": 1,
        "noeuds_supprimes": 2,
        "arcs_supprimes": 2,
        "plus_grande_supprimee_noeuds": 2,
    }
    assert meta["maxspeed_illisibles"] == {"signals": 1}
    assert meta["exclusions"] == {
        "sens réversible (oneway=reversible)": 1,
        "accès interdit aux voitures": 1,
        "bac (option bacs)": 1,
        "classe non circulable": 1,
    }
    assert meta["sources_vitesse_arcs"] == {
        "maxspeed": 6,
        "implicite": 1,
        "defaut_classe": 15,
        "repli": 2,
        "bac": 0,
    }
    assert meta["feux"] == 1 and meta["carrefours"] == 5 + 1


def test_bacs_sur_option(modele):
    g = graphe_depuis_osm(lire_osm(OSM_MINI), modele, bacs=True)
    arcs = arcs_osm(g)
    assert (10, 12) in arcs and (12, 10) in arcs
    k = arcs[(10, 12)]
    assert int(g.attributs_arcs["classe"][k]) == CODE_BAC
    longueur = float(g.attributs_arcs["longueur_m"][k])
    # single-segment ferry: the whole 900 s boarding delay, at 15 km/h
    assert float(g.temps_s[k]) == pytest.approx(longueur / (15 / 3.6) + 900, rel=1e-6)


def test_reversible_double_sens(tmp_path):
    fichier = tmp_path / "v.toml"
    fichier.write_text('[sens_unique]\nreversible = "double_sens"\n', encoding="utf-8")
    g = graphe_depuis_osm(lire_osm(OSM_MINI), charger_vitesses(fichier))
    arcs = arcs_osm(g)
    assert (4, 5) in arcs and (5, 4) in arcs


def test_decoupe_par_polygone(pbf_mini):
    # a polygon around the southern part only (nodes 1-10): motorway and trunk are cut
    zone = shapely.box(2.4995, 50.4970, 2.5065, 50.5020)
    g = construire_graphe(pbf_mini, polygone=zone, tampon_km=0, cache=False)
    ids = set(g.osm_ids.tolist())
    assert ids == {1, 2, 3, 4, 6, 7, 8, 10, 14}  # 4-14 has one end inside
    assert g.metadonnees["emprise"]["tampon_km"] == 0


def test_polygone_sans_route(pbf_mini):
    with pytest.raises(ErreurReseau, match="Aucune route circulable"):
        construire_graphe(pbf_mini, polygone=shapely.box(3.0, 45.0, 3.1, 45.1), cache=False)


def test_meme_graphe_depuis_pbf_et_xml(pbf_mini, mini):
    g = construire_graphe(pbf_mini, cache=False)
    for nom in ("indptr", "indices", "temps_s", "osm_ids", "x", "y"):
        assert np.array_equal(getattr(g, nom), getattr(mini, nom)), nom


def test_morton_voisins_proches(mini):
    """Nodes are numbered along a Z-order curve: consecutive ones are close on average."""
    sauts = np.hypot(np.diff(mini.x), np.diff(mini.y))
    aleatoire = np.random.default_rng(0).permutation(mini.n_noeuds)
    sauts_aleatoires = np.hypot(np.diff(mini.x[aleatoire]), np.diff(mini.y[aleatoire]))
    assert sauts.mean() < sauts_aleatoires.mean()
