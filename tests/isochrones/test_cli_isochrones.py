"""``accessibilite isochrones`` and ``accessibilite bassins`` as the README runs them:
straight-line discs, the poles of a level of the 62, a road graph, catchments."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from accessibilite.cli import main

A_MIN, B_MIN_PAR_KM = 2.02, 1.32  # the default straight-line estimate


def _rayon_m(minutes: float) -> float:
    return (minutes - A_MIN) / B_MIN_PAR_KM * 1000.0


def _distances_du_bord(geometrie, x: float, y: float) -> np.ndarray:
    sommets = shapely.get_coordinates(shapely.boundary(geometrie))
    return np.hypot(sommets[:, 0] - x, sommets[:, 1] - y)


def test_vol_oiseau_points_par_source_et_anneaux(tmp_path, capsys):
    points = gpd.GeoDataFrame(
        {"nom": ["Arras", "Saint-Omer"]},
        geometry=gpd.points_from_xy([2.7775, 2.2522], [50.2910, 50.7506]),
        crs="EPSG:4326",
    )
    points.to_file(tmp_path / "mairies.gpkg")
    argv = ["isochrones", "--source", "vol-oiseau", "--points", str(tmp_path / "mairies.gpkg")]
    options = ["--colonne-nom", "nom", "--temps", "10,20", "--par-source", "--anneaux"]
    assert main([*argv, *options, "--sortie", str(tmp_path / "iso.gpkg")]) == 0
    assert "4 polygones écrits" in capsys.readouterr().out
    iso = gpd.read_file(tmp_path / "iso.gpkg")
    assert iso.crs == "EPSG:2154"
    assert sorted(zip(iso["source"], iso["temps_min"], strict=True)) == [
        ("Arras", 10.0),
        ("Arras", 20.0),
        ("Saint-Omer", 10.0),
        ("Saint-Omer", 20.0),
    ]
    centres = points.to_crs("EPSG:2154").set_index("nom").geometry
    for (nom, temps), ligne in iso.set_index(["source", "temps_min"]).iterrows():
        x, y = centres[nom].x, centres[nom].y
        bord = _distances_du_bord(ligne.geometry, x, y)
        if temps == 10.0:  # a disc of radius (t - a) / b km, its vertices on the circle
            assert bord == pytest.approx(_rayon_m(10.0), rel=1e-9)
            assert ligne.geometry.contains(shapely.Point(x, y))
        else:  # --anneaux: the ring between 10 and 20 min
            assert sorted({round(d, 3) for d in bord}) == [
                round(_rayon_m(10.0), 3),
                round(_rayon_m(20.0), 3),
            ]
            assert not ligne.geometry.contains(shapely.Point(x, y))
    # GeoJSON output: WGS84, one polygon per threshold without --par-source
    assert main([*argv, "--temps", "10", "--sortie", str(tmp_path / "iso.geojson")]) == 0
    union = gpd.read_file(tmp_path / "iso.geojson")
    assert union.crs == "EPSG:4326" and union["source"].nunique() == 1 and len(union) == 1


@pytest.mark.donnees
def test_poles_vol_oiseau_egal_aux_zones_grises(dossier_62, bpe_2013, tmp_path):
    """The 30-min disc around the upper poles holds exactly the communes that are not in
    zone grise for that level in the main job (same estimate, same poles)."""
    argv = ["isochrones", "--poles", "superieur", "--departement", "62", "--bpe", bpe_2013]
    argv += ["--source", "vol-oiseau", "--temps", "30", "--sortie", str(tmp_path / "s.gpkg")]
    assert main(argv) == 0
    disque = gpd.read_file(tmp_path / "s.gpkg").geometry.iloc[0]
    table = pd.read_csv(dossier_62 / "zones_grises.csv", dtype={"code": str}).set_index("code")
    centres = gpd.read_file(dossier_62 / "zones_grises.gpkg", layer="centres").set_index("code")
    dedans = pd.Series(disque.contains(centres.geometry.to_numpy()), index=centres.index)
    temps = table.loc[centres.index, "temps_superieur_min"]
    zone_grise = table.loc[centres.index, "zone_grise_superieur"]
    # the disc is an inscribed polygon: a commune inside it is within 30 min
    resume = pd.read_csv(dossier_62 / "resume.csv").set_index("niveau")
    assert not dedans[zone_grise].any() and zone_grise.sum() == resume.loc["superieur", "communes"]
    # and every commune clearly within 30 min is inside (times are rounded to 0.1 min)
    assert dedans[temps <= 29.8].all() and (temps <= 29.8).sum() > 800


@pytest.mark.donnees
def test_poles_sur_un_reseau(bpe_2013, grille_62, tmp_path, capsys):
    """--poles with --reseau on the hand-made grid: one search towards the poles (default
    --sens vers); with --par-source each node belongs to the pole it reaches first."""
    from poles.zones_grises import lieux_poles

    grille, chemin = grille_62
    argv = ["isochrones", "--poles", "superieur", "--departement", "62", "--bpe", bpe_2013]
    argv += ["--reseau", str(chemin), "--temps", "5", "--par-source"]
    assert main([*argv, "--sortie", str(tmp_path / "p.gpkg")]) == 0
    assert "sens « vers »" in capsys.readouterr().out
    iso = gpd.read_file(tmp_path / "p.gpkg").set_index("source")
    poles = lieux_poles("62", bpe_2013, "superieur")
    assert len(poles.codes) > 40  # the département's and the buffer's
    # exact times of every grid node to every pole (the grid is two-way: to = from)
    ix, iy = np.meshgrid(np.arange(grille.nx), np.arange(grille.ny))
    x = grille.x0 + ix.ravel() * grille.pas_m
    y = grille.y0 + iy.ravel() * grille.pas_m
    temps = grille.temps_s((x, y), (poles.x, poles.y))
    proche = temps.min(axis=1)
    proprietaire = np.asarray(poles.codes)[temps.argmin(axis=1)]
    atteints = proche <= 5 * 60
    assert sorted(iso.index) == sorted(set(proprietaire[atteints]))
    for code, poly in iso.geometry.items():
        a_lui = atteints & (proprietaire == code)
        assert shapely.contains_xy(poly, x[a_lui], y[a_lui]).all(), code
    # a node one step beyond the limit is in no polygon
    loin = proche > 6 * 60
    assert not shapely.contains_xy(
        shapely.union_all(iso.geometry.to_numpy()), x[loin], y[loin]
    ).any()


@pytest.mark.donnees
def test_largeur_et_pas_de_grille(graphe_andorre, tmp_path):
    """--largeur-m and --pas-m: narrower roads give a smaller polygon that still holds every
    node reached in time."""
    from accessibilite import plus_proche
    from reseau import accrocher, sauvegarder_graphe

    chemin = sauvegarder_graphe(graphe_andorre, tmp_path / "andorre.graphe")
    point = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy([1.5218], [42.5063]), crs="EPSG:4326"
    ).to_crs(graphe_andorre.crs)
    point.to_file(tmp_path / "p.gpkg")
    argv = ["isochrones", "--reseau", str(chemin), "--points", str(tmp_path / "p.gpkg")]
    argv += ["--temps", "8"]
    assert main([*argv, "--sortie", str(tmp_path / "defaut.gpkg")]) == 0
    options = ["--largeur-m", "40", "--pas-m", "20"]
    assert main([*argv, *options, "--sortie", str(tmp_path / "fin.gpkg")]) == 0
    defaut = gpd.read_file(tmp_path / "defaut.gpkg").geometry.iloc[0]
    fin = gpd.read_file(tmp_path / "fin.gpkg").geometry.iloc[0]
    assert fin.area < 0.7 * defaut.area
    acc = accrocher(graphe_andorre, point.geometry.x.to_numpy(), point.geometry.y.to_numpy())
    temps, _ = plus_proche(graphe_andorre, acc.noeud, inverse=False, temps_depart_s=acc.temps_s)
    atteints = temps <= 8 * 60
    assert atteints.sum() > 100
    for poly in (defaut, fin):
        x, y = graphe_andorre.x[atteints], graphe_andorre.y[atteints]
        assert shapely.contains_xy(poly.buffer(1e-6), x, y).all()
    # --sens vers: the nodes from which the point is reached in time (one-way streets make
    # it another set than the nodes reached from the point)
    assert main([*argv, "--sens", "vers", "--sortie", str(tmp_path / "vers.gpkg")]) == 0
    vers = gpd.read_file(tmp_path / "vers.gpkg").geometry.iloc[0]
    inverse, _ = plus_proche(graphe_andorre, acc.noeud, inverse=True, temps_depart_s=acc.temps_s)
    arrivent = inverse <= 8 * 60
    assert (arrivent != atteints).sum() > 0
    x, y = graphe_andorre.x[arrivent], graphe_andorre.y[arrivent]
    assert shapely.contains_xy(vers.buffer(1e-6), x, y).all()
    assert not vers.equals(defaut)


@pytest.mark.donnees
def test_bassins_du_readme(dossier_62, tmp_path, capsys):
    sortie = tmp_path / "bassins.gpkg"
    argv = ["bassins", "--base", str(dossier_62), "--niveau", "proximite"]
    assert main([*argv, "--sortie", str(sortie)]) == 0
    hors = int(
        pd.read_csv(dossier_62 / "resume.csv").set_index("niveau").loc["proximite", "communes"]
    )
    assert f"{hors} communes hors bassin" in capsys.readouterr().out
    couche = gpd.read_file(sortie, layer="bassins_proximite")
    assert couche["communes"].sum() == 887
    table = pd.read_csv(dossier_62 / "zones_grises.csv", dtype={"pole_proximite": str})
    dans = table[~table["zone_grise_proximite"]]
    par_pole = dans.groupby("pole_proximite").size()
    bassins = couche[~couche["hors_bassin"]].set_index("pole")
    assert bassins["communes"].sort_index().tolist() == par_pole.sort_index().tolist()
    assert couche.loc[couche["hors_bassin"], "communes"].item() == hors
