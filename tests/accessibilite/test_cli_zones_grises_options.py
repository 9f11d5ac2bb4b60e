"""Every option of ``accessibilite zones-grises`` that the README documents, run through the
command line on the real 62 data, each checked against an independent result: another run,
the hand-checked poles, or the exact times of a hand-made road grid."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from accessibilite.cli import main
from poles.temps import BRUIT_S
from tests.conftest import chemin_donnees

pytestmark = pytest.mark.donnees

NIVEAUX = ("proximite", "intermediaire", "superieur")
SEUILS = {"proximite": 10.0, "intermediaire": 20.0, "superieur": 30.0}


def _zones_grises(sortie: Path, bpe: str, *options: str) -> Path:
    argv = ["zones-grises", "--departement", "62", "--bpe", bpe, "--cartes", "aucune"]
    assert main([*argv, *options, "--sortie", str(sortie)]) == 0
    return sortie


def _table(dossier: Path) -> pd.DataFrame:
    return pd.read_csv(
        dossier / "zones_grises.csv",
        dtype={"code": str, "epci_code": str, **{f"pole_{n}": str for n in NIVEAUX}},
    ).set_index("code")


def _resume(dossier: Path) -> pd.DataFrame:
    return pd.read_csv(dossier / "resume.csv").set_index("niveau")


def _etats(table: pd.DataFrame) -> pd.DataFrame:
    colonnes = [f"{c}_{n}" for n in NIVEAUX for c in ("pole", "zone_grise", "est_pole")]
    return table[[*colonnes, *(f"temps_{n}_min" for n in NIVEAUX)]]


def test_sensibilite(dossier_62, bpe_2013, tmp_path):
    dossier = _zones_grises(tmp_path / "s", bpe_2013, "--sensibilite")
    table = pd.read_csv(dossier / "sensibilite.csv")
    assert table.columns.tolist() == [
        "regle",
        "niveau",
        "poles",
        "communes",
        "population",
        "part_population",
    ]
    regles = list(dict.fromkeys(table["regle"]))
    parts = [f"pôle = au moins {p}% des items de la gamme présents" for p in (30, 50, 70, 90)]
    assert regles[:5] == ["pôle = tous les items de la gamme présents", *parts]
    par_regle = table.set_index(["regle", "niveau"])
    # the run's own rule (the default) is in the table too: its rows are the folder's summary
    parametres = json.loads((dossier_62 / "parametres.json").read_text(encoding="utf-8"))
    defaut = par_regle.loc[parametres["regle"]["description"]]
    resume = _resume(dossier_62)
    for colonne in ("poles", "communes", "population", "part_population"):
        assert defaut[colonne].tolist() == resume[colonne].tolist(), colonne
    # Arras, Berck, Calais, Liévin hold every item of the upper gamme (checked by hand)
    assert par_regle.loc[(regles[0], "superieur"), "poles"] == 4
    # a stricter share never adds a pole nor takes a commune out of zone grise
    for niveau in NIVEAUX:
        lignes = table[(table["niveau"] == niveau) & table["regle"].isin(parts)]
        assert lignes["poles"].is_monotonic_decreasing
        assert lignes["communes"].is_monotonic_increasing


def test_regle_n_min_et_api_sensibilite(bpe_2013, tmp_path):
    from poles.regles import Regle
    from poles.zones_grises import sensibilite

    dossier = _zones_grises(tmp_path / "n6", bpe_2013, "--regle", "n-min", "--n-min", "6")
    parametres = json.loads((dossier / "parametres.json").read_text(encoding="utf-8"))
    assert parametres["regle"]["nom"] == "n_min" and parametres["regle"]["n_min"] == 6
    table = sensibilite("62", bpe_2013, [Regle("n_min", n_min=6), Regle("tous")])
    n6 = table[table["regle"] == "pôle = au moins 6 items de la gamme présents"]
    resume = _resume(dossier)
    assert n6["niveau"].tolist() == list(NIVEAUX)
    for colonne in ("poles", "communes", "population"):
        assert n6[colonne].tolist() == resume[colonne].tolist(), colonne
    # poles: communes holding at least 6 items, and exactly those
    poles = gpd.read_file(dossier / "zones_grises.gpkg", layer="poles")
    assert (poles["n_items"] >= 6).all()
    assert set(table.loc[table["regle"].str.startswith("pôle = tous"), "niveau"]) == set(NIVEAUX)


def test_part_min(bpe_2013, tmp_path):
    dossier = _zones_grises(tmp_path / "p7", bpe_2013, "--part-min", "0.7")
    poles = gpd.read_file(dossier / "zones_grises.gpkg", layer="poles")
    assert (poles["n_items"] >= np.ceil(0.7 * poles["n_items_gamme"] - 1e-9)).all()
    parametres = json.loads((dossier / "parametres.json").read_text(encoding="utf-8"))
    assert parametres["regle"]["part_min"] == 0.7


def test_regle_tous_et_cumul(bpe_2013, tmp_path):
    seul = _table(_zones_grises(tmp_path / "tous", bpe_2013, "--regle", "tous"))
    assert sorted(seul.index[seul["est_pole_superieur"]]) == [
        "62041",  # Arras
        "62108",  # Berck
        "62193",  # Calais
        "62510",  # Liévin
    ]
    cumul = _table(_zones_grises(tmp_path / "cumul", bpe_2013, "--regle", "tous", "--cumul"))
    # with --cumul a pole of a higher level also counts for the lower ones, nothing else
    attendu = seul["est_pole_superieur"]
    for niveau in ("superieur", "intermediaire", "proximite"):
        attendu = attendu | seul[f"est_pole_{niveau}"]
        assert cumul[f"est_pole_{niveau}"].equals(attendu), niveau
    assert (cumul["est_pole_proximite"] != seul["est_pole_proximite"]).sum() == 2
    for niveau in NIVEAUX:
        assert (cumul[f"temps_{niveau}_min"] <= seul[f"temps_{niveau}_min"]).all()
    assert (cumul["temps_proximite_min"] < seul["temps_proximite_min"]).any()


def test_tampon(dossier_62, bpe_2013, tmp_path):
    """Without a buffer only the département's poles count."""
    sans = _table(_zones_grises(tmp_path / "t0", bpe_2013, "--tampon-km", "0"))
    avec = _table(dossier_62)
    for n in NIVEAUX:
        interieur = avec[f"pole_{n}"].str.startswith("62")
        assert sans[f"pole_{n}"].str.startswith("62").all()
        assert sans.loc[interieur, f"pole_{n}"].equals(avec.loc[interieur, f"pole_{n}"])
        assert sans.loc[interieur, f"temps_{n}_min"].equals(avec.loc[interieur, f"temps_{n}_min"])
        assert (
            sans.loc[~interieur, f"temps_{n}_min"] >= avec.loc[~interieur, f"temps_{n}_min"]
        ).all()
    assert (~avec["pole_proximite"].str.startswith("62")).sum() > 10


def test_source_osm_sur_une_grille_faite_main(dossier_62, bpe_2013, grille_62, tmp_path):
    """``--source osm`` on a hand-made grid: every time equals the grid's exact time."""
    grille, chemin = grille_62
    dossier = _zones_grises(tmp_path / "osm", bpe_2013, "--source", "osm", "--reseau", str(chemin))
    table = _table(dossier)
    parametres = json.loads((dossier / "parametres.json").read_text(encoding="utf-8"))
    assert parametres["source"]["nom"] == "osm"
    assert parametres["source"]["parametres"]["fichier"] == str(chemin.resolve())
    # the poles do not depend on the source
    for n in NIVEAUX:
        assert table[f"est_pole_{n}"].equals(_table(dossier_62)[f"est_pole_{n}"])
    centres = gpd.read_file(dossier / "zones_grises.gpkg", layer="centres").set_index("code")
    centres = centres.loc[table.index]
    poles = gpd.read_file(dossier / "zones_grises.gpkg", layer="poles")
    for n in NIVEAUX:
        p = poles[poles["niveau"] == n]
        temps = grille.temps_s(
            (centres.geometry.x.to_numpy(), centres.geometry.y.to_numpy()),
            (p.geometry.x.to_numpy(), p.geometry.y.to_numpy()),
        )
        temps[table.index.to_numpy()[:, None] == p["code"].to_numpy()[None, :]] = 0.0
        meilleur = temps.min(axis=1)
        ecart = table[f"temps_{n}_min"].to_numpy() - meilleur / 60.0  # rounded up to 0.1
        assert ecart.min() >= -BRUIT_S / 60.0 and ecart.max() <= 0.1 + 1e-9
        assert table[f"zone_grise_{n}"].tolist() == (meilleur > SEUILS[n] * 60.0).tolist()
        choisi = p["code"].to_numpy()[temps.argmin(axis=1)]
        ex_aequo = np.sort(temps, axis=1)[:, 1] - meilleur < 1e-6
        assert ((table[f"pole_{n}"].to_numpy() == choisi) | ex_aequo).all()
    assert table["zone_grise_proximite"].sum() > 0  # the grid is slower than the estimate


def _minutes_vol_oiseau(dossier: Path, a: float, b: float) -> pd.DataFrame:
    """Straight-line minutes from every commune of the 62 to every pole of the folder."""
    from accessibilite import Lieux, SourceVolOiseau

    centres = gpd.read_file(dossier / "zones_grises.gpkg", layer="centres")
    poles = gpd.read_file(dossier / "zones_grises.gpkg", layer="poles").drop_duplicates("code")
    origines = Lieux.depuis_points(centres)
    cibles = Lieux.depuis_points(poles)
    minutes = SourceVolOiseau(a_min=a, b_min_par_km=b).matrice(origines, cibles) / 60.0
    return pd.DataFrame(minutes, index=centres["code"], columns=poles["code"])


def test_source_matrice_et_coefficients_du_vol_d_oiseau(dossier_62, bpe_2013, tmp_path):
    """A matrix of straight-line minutes gives what the straight line itself gives."""
    a, b = "3", "1.1"
    estimation = _zones_grises(tmp_path / "vo", bpe_2013, "--vol-oiseau-a", a, "--vol-oiseau-b", b)
    parametres = json.loads((estimation / "parametres.json").read_text(encoding="utf-8"))
    assert parametres["source"]["parametres"] == {"a_min": 3.0, "b_min_par_km": 1.1}
    matrice = tmp_path / "matrice.csv"
    large = _minutes_vol_oiseau(dossier_62, float(a), float(b))
    large.rename_axis("origine").to_csv(matrice, float_format="%.17g")
    importee = _zones_grises(
        tmp_path / "m", bpe_2013, "--source", "matrice", "--matrice", str(matrice)
    )
    assert _etats(_table(importee)).equals(_etats(_table(estimation)))
    assert (importee / "resume.csv").read_bytes() == (estimation / "resume.csv").read_bytes()
    parametres = json.loads((importee / "parametres.json").read_text(encoding="utf-8"))
    assert parametres["source"]["nom"] == "matrice"
    # and the coefficients matter: the default estimate gives other times
    assert not _table(estimation)["temps_superieur_min"].equals(
        _table(dossier_62)["temps_superieur_min"]
    )


def test_liste_officielle(bpe_2013, tmp_path):
    communes = chemin_donnees("communes", "communes-62-2026.json")
    epci = chemin_donnees("communes", "epci-62-2026.json")
    dossier = _zones_grises(
        tmp_path / "o", bpe_2013, "--liste-officielle", str(communes), str(epci)
    )
    resume_epci = pd.read_csv(dossier / "resume_epci.csv")
    proximite = resume_epci[resume_epci["niveau"] == "proximite"]
    assert proximite["population_totale"].sum() == 1_457_905  # the official 2026 list
    assert "CC de Desvres-Samer" in set(proximite["epci_nom"])
    parametres = json.loads((dossier / "parametres.json").read_text(encoding="utf-8"))
    assert any("communes-62-2026.json" in json.dumps(p) for p in parametres["provenance"])


def test_gammes_de_l_utilisateur(bpe_2013, tmp_path):
    """``--gammes FICHIER.toml``: the user's levels, thresholds and items; with the default
    rule (half of the items) a commune holding a bakery or a pharmacy is a pole."""
    from poles.bpe import actualiser_codes, lire_bpe

    gammes = tmp_path / "gammes.toml"
    gammes.write_text(
        '[[niveau]]\nnom = "courant"\nlibelle = "Courant"\nseuil_min = 12\n'
        'items = [{ nom = "pain", typequ = ["B203"] }, { nom = "pharmacie", typequ = ["D301"] }]\n',
        encoding="utf-8",
    )
    dossier = _zones_grises(tmp_path / "g", bpe_2013, "--gammes", str(gammes))
    resume = pd.read_csv(dossier / "resume.csv")
    assert resume["niveau"].tolist() == ["courant"] and resume["seuil_min"].tolist() == [12.0]
    table = pd.read_csv(dossier / "zones_grises.csv", dtype={"code": str}).set_index("code")
    equipements = actualiser_codes(lire_bpe(bpe_2013))
    equipees = equipements[
        equipements["typequ"].isin(["B203", "D301"]) & (equipements["nombre"] > 0)
    ]
    attendu = table.index.isin(equipees["code_commune"])
    assert table["est_pole_courant"].tolist() == attendu.tolist()
    # the exact times decide: a time shown as 12.0 may be just above 12
    temps, zone_grise = table["temps_courant_min"], table["zone_grise_courant"]
    assert ((temps > 12) <= zone_grise).all() and (zone_grise <= (temps >= 12)).all()
    assert zone_grise.sum() > 0
