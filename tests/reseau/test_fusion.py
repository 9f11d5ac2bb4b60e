"""Several extracts of neighbouring regions merge into the graph of the whole area."""

from pathlib import Path

import numpy as np
import osmium
import pytest

from reseau import construire_graphe
from tests.reseau.conftest import OSM_MINI


def _extrait(cible: Path, garder_voie) -> Path:
    """A PBF with every node of the mini network and the ways ``garder_voie`` keeps."""
    cible.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(cible)) as ecrivain:
        rang = 0
        for objet in osmium.FileProcessor(str(OSM_MINI)):
            if objet.is_way():
                if garder_voie(rang):
                    ecrivain.add(objet)
                rang += 1
            else:
                ecrivain.add(objet)
    return cible


def _arcs(graphe):
    ids = np.asarray(graphe.osm_ids)
    return sorted(
        zip(
            ids[graphe.sources_arcs()].tolist(),
            ids[np.asarray(graphe.indices)].tolist(),
            np.round(np.asarray(graphe.temps_s), 3).tolist(),
            strict=True,
        )
    )


def test_deux_extraits_qui_se_recouvrent_donnent_le_graphe_entier(tmp_path, pbf_mini):
    n_voies = sum(1 for o in osmium.FileProcessor(str(OSM_MINI)) if o.is_way())
    moitie = n_voies // 2
    # the two extracts share one way (the border), as Geofabrik's complete ways do
    a = _extrait(tmp_path / "a.osm.pbf", lambda i: i <= moitie)
    b = _extrait(tmp_path / "b.osm.pbf", lambda i: i >= moitie)
    entier = construire_graphe(pbf_mini, cache=False)
    fusion = construire_graphe([a, b], cache=False)
    assert fusion.n_noeuds == entier.n_noeuds and fusion.n_arcs == entier.n_arcs
    assert _arcs(fusion) == _arcs(entier)
    assert fusion.metadonnees["source"]["extraits_fusionnes"] == 2
    # the same file twice changes nothing
    assert _arcs(construire_graphe([pbf_mini, pbf_mini], cache=False)) == _arcs(entier)


def test_cle_de_cache_depend_de_tous_les_extraits(tmp_path, pbf_mini):
    pairs = _extrait(tmp_path / "pairs.osm.pbf", lambda i: i % 2 == 0)
    impairs = _extrait(tmp_path / "impairs.osm.pbf", lambda i: i % 2 == 1)
    cache = tmp_path / "cache"
    premier = construire_graphe([pairs, impairs], dossier_cache=cache)
    assert _arcs(premier) == _arcs(construire_graphe(pbf_mini, cache=False))
    _extrait(impairs, lambda i: i == 1)  # the second extract changes: no stale reuse
    second = construire_graphe([pairs, impairs], dossier_cache=cache)
    assert premier.metadonnees["cle_cache"] != second.metadonnees["cle_cache"]
    # the graph served is the one of the new content, not the cached one of the old
    assert _arcs(second) == _arcs(construire_graphe([pairs, impairs], cache=False))
    assert len(_arcs(second)) < len(_arcs(premier))


def test_melange_de_formats_refuse(tmp_path, pbf_mini):
    graphml = tmp_path / "x.graphml"
    graphml.write_text("<graphml/>")
    from reseau import ErreurReseau

    with pytest.raises(ErreurReseau, match=r"osm\.pbf"):
        construire_graphe([pbf_mini, graphml], cache=False)


def test_construire_sans_fichier_telecharge_les_extraits_geofabrik(
    tmp_path, pbf_mini, monkeypatch, capsys
):
    import geopandas as gpd
    import shapely

    import socle.catalogue
    from accessibilite.cli import main

    demandes = []

    def faux(source, **options):
        demandes.append(source.url)
        return pbf_mini

    monkeypatch.setattr(socle.catalogue, "telecharger_source", faux)
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "cache"))
    zone = gpd.GeoDataFrame(geometry=[shapely.box(2.495, 50.495, 2.512, 50.515)], crs=4326)
    zone.to_file(tmp_path / "zone.gpkg")
    sortie = tmp_path / "mini.graphe"
    code = main(
        [
            "reseau",
            "construire",
            "--polygone",
            str(tmp_path / "zone.gpkg"),
            "--tampon-km",
            "1",
            "--sortie",
            str(sortie),
        ]
    )
    assert code == 0 and sortie.exists()
    # the area lies in the Pas-de-Calais: one regional extract, from Geofabrik
    assert demandes == [
        "https://download.geofabrik.de/europe/france/nord-pas-de-calais-latest.osm.pbf"
    ]
    assert "extrait OpenStreetMap" in capsys.readouterr().err
