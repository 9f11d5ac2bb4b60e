"""Reading and checking a zones-grises folder: values, order, and the French errors."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from cartes import lire_dossier
from socle.erreurs import DonneesInvalides, DonneesManquantes, ErreurAccessibilite, SansCRS


def test_lecture_du_dossier_exemple(dossier_zg: Path) -> None:
    d = lire_dossier(dossier_zg)
    assert [n.nom for n in d.niveaux] == [
        "proximite",
        "intermediaire",
        "superieur",
        "metropolitain",
    ]
    assert [n.seuil_min for n in d.niveaux] == [10.0, 20.0, 30.0, 60.0]
    assert [n.n_poles for n in d.niveaux] == [4, 2, 1, 0]
    assert d.niveau("proximite").libelle == "Proximité"
    assert d.niveau("superieur").adjectif == "supérieur"
    assert len(d.niveau("superieur").items) == 9
    assert d.departement_nom == "Pas-de-Calais (62)"
    assert d.communes.crs == "EPSG:2154"
    assert d.communes["code"].tolist()[:2] == ["62001", "62002"]
    # hand-set values: 62012 is in zone grise for the three levels with poles (and
    # métropolitain, which has none), 62004 for two, 62008 for one
    par_code = d.communes.set_index("code")
    assert par_code.loc["62012", "niveaux_zone_grise"] == 4
    assert par_code.loc["62004", "niveaux_zone_grise"] == 3
    assert par_code.loc["62008", "niveaux_zone_grise"] == 2
    assert par_code.loc["62006", "niveaux_zone_grise"] == 1
    assert par_code["zone_grise_proximite"].dtype == bool
    assert np.isnan(par_code.loc["62001", "temps_metropolitain_min"])
    assert par_code.loc["62004", "temps_intermediaire_min"] == pytest.approx(21.5)
    assert d.poles.loc[d.poles["code"] == "80002", "hors_departement"].all()
    assert d.voisines["code"].tolist() == ["80001", "80002", "80003"]


def test_niveau_inconnu(dossier_zg: Path) -> None:
    with pytest.raises(DonneesInvalides, match="Niveau « regional » absent"):
        lire_dossier(dossier_zg).niveau("regional")


@pytest.mark.parametrize(
    "fichier", ["zones_grises.gpkg", "parametres.json", "resume.csv", "resume_epci.csv"]
)
def test_fichier_manquant(copie_zg: Path, fichier: str) -> None:
    (copie_zg / fichier).unlink()
    with pytest.raises(DonneesManquantes, match=f"absent.*{fichier}.*relancez") as err:
        lire_dossier(copie_zg)
    assert isinstance(err.value, FileNotFoundError)


def test_dossier_introuvable(tmp_path: Path) -> None:
    with pytest.raises(DonneesManquantes, match="introuvable"):
        lire_dossier(tmp_path / "absent")


def _reecrire_gpkg(dossier: Path, *, sauf: str | None = None, sans_crs: str | None = None) -> None:
    import pyogrio

    gpkg = dossier / "zones_grises.gpkg"
    couches = {str(c[0]): gpd.read_file(gpkg, layer=str(c[0])) for c in pyogrio.list_layers(gpkg)}
    gpkg.unlink()
    for nom, gdf in couches.items():
        if nom == sauf:
            continue
        if nom == sans_crs:
            gdf = gdf.set_crs(None, allow_override=True)
        gdf.to_file(gpkg, layer=nom)


def test_couche_manquante(copie_zg: Path) -> None:
    _reecrire_gpkg(copie_zg, sauf="poles")
    with pytest.raises(DonneesManquantes, match="Couche « poles » absente"):
        lire_dossier(copie_zg)


def test_couche_facultative_absente(copie_zg: Path) -> None:
    _reecrire_gpkg(copie_zg, sauf="voisines")
    assert lire_dossier(copie_zg).voisines.empty


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_couche_sans_crs(copie_zg: Path) -> None:
    _reecrire_gpkg(copie_zg, sans_crs="communes")
    with pytest.raises(SansCRS, match=r"« communes ».*EPSG:2154") as err:
        lire_dossier(copie_zg)
    assert isinstance(err.value, ValueError)
    assert isinstance(err.value, ErreurAccessibilite)


def test_autre_crs_reprojete(copie_zg: Path) -> None:
    import pyogrio

    gpkg = copie_zg / "zones_grises.gpkg"
    couches = {str(c[0]): gpd.read_file(gpkg, layer=str(c[0])) for c in pyogrio.list_layers(gpkg)}
    gpkg.unlink()
    for nom, gdf in couches.items():
        (gdf.to_crs("EPSG:4326") if nom == "epci" else gdf).to_file(gpkg, layer=nom)
    d = lire_dossier(copie_zg)
    assert d.epci.crs == "EPSG:2154"
    assert d.epci.total_bounds[0] == pytest.approx(660_000, abs=1)


def test_colonne_manquante(copie_zg: Path) -> None:
    gpkg = copie_zg / "zones_grises.gpkg"
    communes = gpd.read_file(gpkg, layer="communes").drop(columns="zone_grise_superieur")
    communes.to_file(gpkg, layer="communes", mode="w")
    with pytest.raises(DonneesInvalides, match="zone_grise_superieur"):
        lire_dossier(copie_zg)


def test_parametres_illisibles(copie_zg: Path) -> None:
    (copie_zg / "parametres.json").write_text("{pas du json", encoding="utf-8")
    with pytest.raises(DonneesInvalides, match=r"parametres\.json"):
        lire_dossier(copie_zg)


def test_gammes_sous_forme_de_dictionnaire(copie_zg: Path) -> None:
    """``gammes`` keyed by level instead of a list: labels and thresholds still read."""
    chemin = copie_zg / "parametres.json"
    p = json.loads(chemin.read_text(encoding="utf-8"))
    p["gammes"] = {
        "fichier": "g.toml",
        **{n["nom"]: {k: v for k, v in n.items() if k != "nom"} for n in p["gammes"]["niveaux"]},
    }
    p["gammes"]["superieur"]["seuil_min"] = 45
    chemin.write_text(json.dumps(p), encoding="utf-8")
    d = lire_dossier(copie_zg)
    assert d.niveau("superieur").seuil_min == 45
    assert d.niveau("intermediaire").libelle == "Intermédiaire"


def test_couche_communes_vide(copie_zg: Path) -> None:
    gpkg = copie_zg / "zones_grises.gpkg"
    communes = gpd.read_file(gpkg, layer="communes")
    communes.iloc[:0].to_file(gpkg, layer="communes", mode="w")
    with pytest.raises(DonneesInvalides, match=r"couche communes .* est vide"):
        lire_dossier(copie_zg)
