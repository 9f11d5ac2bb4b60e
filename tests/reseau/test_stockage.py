"""The .graphe file format and the graph cache."""

from __future__ import annotations

import logging
import os
import shutil

import numpy as np
import pytest

import reseau.construction as construction
from reseau import (
    CacheCorrompu,
    DonneesManquantes,
    Graphe,
    charger_graphe,
    construire_graphe,
    sauvegarder_graphe,
)
from reseau.cache import chemin_graphe
from reseau.stockage import lire_entete
from socle.fichiers import racine_cache
from tests.reseau.conftest import OSM_MINI, ecrire_pbf


def _graphe_exemple() -> Graphe:
    return Graphe.depuis_arcs(
        [0, 2, 0, 1, 3],
        [1, 1, 2, 3, 0],
        [5.5, 2.25, 1.0, 4.0, 7.0],
        5,
        x=[0.0, 10.0, 20.0, 30.5, 40.0],
        y=[1.0, 2.0, 3.0, 4.0, 5.0],
        crs="EPSG:2154",
        osm_ids=[10, 11, 12, 13, 14],
        attributs_arcs={
            "longueur_m": np.array([50, 20, 10, 40, 70], dtype=np.float32),
            "classe": np.array([11, 11, 4, 0, 2], dtype=np.uint8),
        },
        metadonnees={"source": {"type": "test"}, "n": np.int64(3), "liste": (1, 2)},
    )


def _egaux(a: Graphe, b: Graphe) -> None:
    for nom in (
        "indptr",
        "indices",
        "temps_s",
        "indptr_inv",
        "indices_inv",
        "temps_s_inv",
        "arc_inv",
        "x",
        "y",
        "osm_ids",
    ):
        va, vb = getattr(a, nom), getattr(b, nom)
        assert va.dtype == vb.dtype, nom
        assert np.array_equal(va, vb), nom
    assert a.crs == b.crs
    assert set(a.attributs_arcs) == set(b.attributs_arcs)
    for nom, valeurs in a.attributs_arcs.items():
        assert valeurs.dtype == b.attributs_arcs[nom].dtype
        assert np.array_equal(valeurs, b.attributs_arcs[nom])


def test_aller_retour_exact(tmp_path):
    g = _graphe_exemple()
    chemin = sauvegarder_graphe(g, tmp_path / "g.graphe")
    for mmap in (True, False):
        lu = charger_graphe(chemin, mmap=mmap)
        _egaux(g, lu)
        assert lu.metadonnees == {"source": {"type": "test"}, "n": 3, "liste": [1, 2]}
    assert isinstance(charger_graphe(chemin).indices, np.memmap)


def test_aller_retour_sans_coordonnees(tmp_path):
    g = Graphe.depuis_arcs([0], [1], [1.0], 2)
    lu = charger_graphe(sauvegarder_graphe(g, tmp_path / "g.graphe"))
    assert lu.x is None and lu.osm_ids is None and lu.n_arcs == 1
    assert lu.temps_s.tolist() == [1.0]


def test_aller_retour_graphe_osm(tmp_path, pbf_mini):
    g = construire_graphe(pbf_mini, cache=False)
    lu = charger_graphe(sauvegarder_graphe(g, tmp_path / "g.graphe"))
    _egaux(g, lu)
    assert lu.metadonnees["composantes"] == g.metadonnees["composantes"]


def test_format_documente(tmp_path):
    chemin = sauvegarder_graphe(_graphe_exemple(), tmp_path / "g.graphe")
    brut = chemin.read_bytes()
    assert brut[:8] == b"ACCGRAPH"
    entete = lire_entete(chemin)
    assert entete["format"] == "accessibilite-graphe" and entete["version_format"] == 1
    for d in entete["tableaux"]:
        assert d["decalage"] % 64 == 0
        tableau = np.frombuffer(
            brut[d["decalage"] : d["decalage"] + d["octets"]], dtype=np.dtype(d["dtype"])
        )
        assert tableau.size == int(np.prod(d["forme"]))
    noms = [d["nom"] for d in entete["tableaux"]]
    assert noms[:7] == [
        "indptr",
        "indices",
        "temps_s",
        "indptr_inv",
        "indices_inv",
        "temps_s_inv",
        "arc_inv",
    ]
    assert "arc:longueur_m" in noms


@pytest.mark.parametrize("abimer", ["tronquer", "octet_tableau", "octet_entete", "magie", "vide"])
def test_fichier_corrompu_detecte(tmp_path, abimer):
    chemin = sauvegarder_graphe(_graphe_exemple(), tmp_path / "g.graphe")
    brut = bytearray(chemin.read_bytes())
    if abimer == "tronquer":
        brut = brut[: len(brut) - 10]
    elif abimer == "octet_tableau":
        brut[-3] ^= 0xFF
    elif abimer == "octet_entete":
        brut[60] ^= 0x01
    elif abimer == "magie":
        brut[:8] = b"PASGRAPH"
    else:
        brut = bytearray()
    chemin.write_bytes(bytes(brut))
    with pytest.raises(CacheCorrompu, match="graphe"):
        charger_graphe(chemin)


def test_fichier_absent(tmp_path):
    with pytest.raises(DonneesManquantes):
        charger_graphe(tmp_path / "absent.graphe")


# ---------------------------------------------------------------------------- cache


def _compter_constructions(monkeypatch) -> list[int]:
    appels: list[int] = []
    vrai = construction.graphe_depuis_osm

    def compte(*args, **kwargs):
        appels.append(1)
        return vrai(*args, **kwargs)

    monkeypatch.setattr(construction, "graphe_depuis_osm", compte)
    return appels


def test_cache_reutilise_puis_invalide(tmp_path, monkeypatch):
    appels = _compter_constructions(monkeypatch)
    source = ecrire_pbf(OSM_MINI, tmp_path / "zone.osm.pbf")
    cache = tmp_path / "cache"
    g1 = construire_graphe(source, dossier_cache=cache)
    g2 = construire_graphe(source, dossier_cache=cache)
    assert len(appels) == 1
    assert np.array_equal(g1.temps_s, g2.temps_s)
    assert g2.metadonnees["cle_cache"] == g1.metadonnees["cle_cache"]
    assert chemin_graphe(g1.metadonnees["cle_cache"], cache).is_file()

    # the key is the content, not the name nor the date: a renamed, re-dated copy of the
    # same file is served from the cache, equal to the first build
    copie = shutil.copy(source, tmp_path / "autre_nom.osm.pbf")
    os.utime(copie, (1_000_000_000, 1_000_000_000))
    g_copie = construire_graphe(copie, dossier_cache=cache)
    assert len(appels) == 1
    assert g_copie.metadonnees["cle_cache"] == g1.metadonnees["cle_cache"]
    for nom in ("indptr", "indices", "temps_s", "osm_ids", "x", "y"):
        assert np.array_equal(getattr(g_copie, nom), getattr(g1, nom)), nom

    # same name, changed content: maxspeed=50 -> 30 on way 101
    texte = OSM_MINI.read_text(encoding="utf-8").replace(
        '<tag k="maxspeed" v="50"/>', '<tag k="maxspeed" v="30"/>'
    )
    modifie = tmp_path / "modifie.osm"
    modifie.write_text(texte, encoding="utf-8")
    ecrire_pbf(modifie, source)
    g3 = construire_graphe(source, dossier_cache=cache)
    assert len(appels) == 2
    assert g3.metadonnees["cle_cache"] != g1.metadonnees["cle_cache"]
    assert g3.temps_s.sum() > g1.temps_s.sum()

    # changed speed table: rebuilt
    table = tmp_path / "vitesses.toml"
    table.write_text("[delais]\nfeux_s = 30.0\n", encoding="utf-8")
    g4 = construire_graphe(source, dossier_cache=cache, vitesses=table)
    assert len(appels) == 3
    assert g4.temps_s.sum() > g3.temps_s.sum()
    # and the same table again: from the cache
    construire_graphe(source, dossier_cache=cache, vitesses=table)
    assert len(appels) == 3

    # changed option or polygon: rebuilt
    construire_graphe(source, dossier_cache=cache, bacs=True)
    assert len(appels) == 4

    # what the cache served for the changed file is that file's graph
    assert np.array_equal(g3.temps_s, construire_graphe(modifie, cache=False).temps_s)


def test_cache_corrompu_reconstruit(tmp_path, monkeypatch, caplog):
    appels = _compter_constructions(monkeypatch)
    source = shutil.copy(OSM_MINI, tmp_path / "zone.osm")
    cache = tmp_path / "cache"
    g1 = construire_graphe(source, dossier_cache=cache)
    fichier = chemin_graphe(g1.metadonnees["cle_cache"], cache)
    brut = fichier.read_bytes()
    fichier.write_bytes(brut[: len(brut) // 2])
    with caplog.at_level(logging.WARNING, logger="reseau.construction"):
        g2 = construire_graphe(source, dossier_cache=cache)
    assert len(appels) == 2
    assert any("corrompu" in r.getMessage() for r in caplog.records)
    assert np.array_equal(g1.temps_s, g2.temps_s)
    charger_graphe(fichier)  # repaired


def test_dossier_cache_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "ailleurs"))
    assert racine_cache() == tmp_path / "ailleurs"
    assert racine_cache(tmp_path / "x") == tmp_path / "x"
