"""Zones grises over several départements (a list, a region, France) in one command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from accessibilite.cli import main
from socle.dossiers import verifier_dossier
from tests.conftest import chemin_donnees

pytestmark = pytest.mark.donnees

# Two small neighbouring départements (Territoire de Belfort, Haute-Saône): fast runs.
PETITS = ("90", "70")


def _lancer(sortie: Path, *options: str) -> int:
    bpe = chemin_donnees("bpe", "bpe2013.xlsx")
    return main(
        ["zones-grises", "--bpe", str(bpe), "--sortie", str(sortie), "--cartes", "aucune", *options]
    )


def _texte(chemin: Path) -> pd.DataFrame:
    return pd.read_csv(chemin, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def seuls(tmp_path_factory):
    """Each small département run on its own."""
    racine = tmp_path_factory.mktemp("seuls")
    for code in PETITS:
        assert _lancer(racine / code, "--departement", code) == 0
    return racine


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory):
    sortie = tmp_path_factory.mktemp("ensemble") / "90-70"
    assert _lancer(sortie, "--departement", ",".join(PETITS)) == 0
    return sortie


def test_deux_departements_egalent_deux_calculs_seuls(ensemble, seuls):
    union = _texte(ensemble / "zones_grises.csv").sort_values("code").reset_index(drop=True)
    seul = (
        pd.concat([_texte(seuls / c / "zones_grises.csv") for c in PETITS])
        .sort_values("code")
        .reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(union, seul)
    # each département's own folder is the single run's, table for table
    for code in PETITS:
        for fichier in ("zones_grises.csv", "resume.csv", "resume_epci.csv"):
            assert (ensemble / "departements" / code / fichier).read_bytes() == (
                seuls / code / fichier
            ).read_bytes()
    assert verifier_dossier(ensemble) is not None


def test_resume_par_departement_region_et_ensemble(ensemble, seuls):
    resume = pd.read_csv(ensemble / "resume.csv", dtype={"code": str}, keep_default_na=False)
    assert resume.columns.tolist()[:3] == ["territoire", "code", "nom"]
    table = pd.read_csv(ensemble / "zones_grises.csv", dtype={"code": str})
    for code in PETITS:
        seul = pd.read_csv(seuls / code / "resume.csv")
        lignes = resume[(resume["territoire"] == "departement") & (resume["code"] == code)]
        cols = ["niveau", "poles", "communes", "population"]
        assert lignes[cols].reset_index(drop=True).equals(seul[cols])
        np.testing.assert_allclose(lignes["part_population"], seul["part_population"])
    tout = resume[resume["territoire"] == "ensemble"].set_index("niveau")
    region = resume[resume["territoire"] == "region"].set_index("niveau")
    assert region["nom"].iloc[0] == "Bourgogne-Franche-Comté (2 départements sur 8)"
    assert tout["nom"].iloc[0] == "Territoire de Belfort et Haute-Saône"
    total = table["population"].sum()
    for niveau in ("proximite", "intermediaire", "superieur"):
        zg = table[f"zone_grise_{niveau}"]
        # population-weighted: population in zone grise over the population, not a mean
        assert tout.loc[niveau, "population"] == table.loc[zg, "population"].sum()
        assert tout.loc[niveau, "part_population"] == pytest.approx(
            table.loc[zg, "population"].sum() / total
        )
        assert tout.loc[niveau, "communes"] == zg.sum() == region.loc[niveau, "communes"]


def test_epci_a_cheval_comptes_une_fois(ensemble):
    table = pd.read_csv(ensemble / "zones_grises.csv", dtype={"code": str, "epci_code": str})
    resume_epci = pd.read_csv(ensemble / "resume_epci.csv", dtype={"epci_code": str})
    attendu = table.groupby("epci_code")["population"].sum()
    proximite = resume_epci[resume_epci["niveau"] == "proximite"].set_index("epci_code")
    assert proximite["population_totale"].sort_index().equals(attendu.sort_index())
    assert not proximite.index.duplicated().any()


def test_cartes_lisent_l_ensemble(ensemble):
    import cartes

    d = cartes.lire_dossier(ensemble)
    assert d.departement_nom == "Territoire de Belfort et Haute-Saône"
    assert len(d.communes) == len(pd.read_csv(ensemble / "zones_grises.csv"))
    assert d.resume["niveau"].tolist() == ["proximite", "intermediaire", "superieur"]
    # a pole of one département inside the area is not "outside" the area anymore
    dedans = set(d.communes["code"].astype(str))
    assert (d.poles["hors_departement"] == ~d.poles["code"].astype(str).isin(dedans)).all()
    assert not d.poles.duplicated(["code", "niveau"]).any()


def test_reprise_apres_interruption_et_options_differentes(tmp_path, monkeypatch, capsys):
    import importlib

    module = importlib.import_module("poles.zones_grises")  # `poles.zones_grises` is a function
    vraie = module.zones_grises
    appels: list[str] = []

    def panne(code, *args, **kwargs):
        appels.append(code)
        if code == "70" and len(appels) == 2:
            raise KeyboardInterrupt
        return vraie(code, *args, **kwargs)

    monkeypatch.setattr(module, "zones_grises", panne)
    sortie = tmp_path / "90-70"
    assert _lancer(sortie, "--departement", "90,70") == 130
    assert not sortie.exists()  # nothing final before the end
    travail = list(tmp_path.glob(".90-70.ensemble-*"))
    assert len(travail) == 1 and (travail[0] / "departements" / "90" / "_tache.json").exists()
    # another buffer: refused while the interrupted run exists
    capsys.readouterr()
    assert _lancer(sortie, "--departement", "90,70", "--tampon-km", "10") == 2
    assert "d'autres options" in capsys.readouterr().err
    # the same options: 90 is taken as it was, only 70 is computed
    assert _lancer(sortie, "--departement", "90,70") == 0
    assert appels == ["90", "70", "70"]
    assert "1 département(s) déjà calculé(s)" in capsys.readouterr().err
    assert list(tmp_path.glob(".90-70.ensemble-*")) == []  # work folder removed at the end
    assert verifier_dossier(sortie) is not None
    # a complete result is not replaced without --ecraser
    assert _lancer(sortie, "--departement", "90,70") == 2


def test_region_et_france(tmp_path, monkeypatch, ensemble):
    import poles.ensemble
    import socle.territoire
    from socle.territoire import Region

    petite = Region("27", "Bourgogne-Franche-Comté", PETITS)
    regions = {**socle.territoire.regions(), "27": petite}
    monkeypatch.setattr(socle.territoire, "regions", lambda: regions)
    monkeypatch.setattr(poles.ensemble, "regions", lambda: regions)
    assert _lancer(tmp_path / "bfc", "--region", "27") == 0
    resume = pd.read_csv(tmp_path / "bfc" / "resume.csv", keep_default_na=False)
    assert set(resume.loc[resume["territoire"] == "ensemble", "nom"]) == {"Bourgogne-Franche-Comté"}
    assert set(resume.loc[resume["territoire"] == "region", "nom"]) == {"Bourgogne-Franche-Comté"}
    parametres = json.loads((tmp_path / "bfc" / "parametres.json").read_text(encoding="utf-8"))
    assert parametres["ensemble"]["type"] == "region" and parametres["ensemble"]["region"] == "27"

    monkeypatch.setattr(socle.territoire, "departements_metropole", lambda: list(PETITS))
    assert _lancer(tmp_path / "fr", "--france") == 0
    resume_fr = pd.read_csv(tmp_path / "fr" / "resume.csv", keep_default_na=False)
    assert set(resume_fr.loc[resume_fr["territoire"] == "ensemble", "nom"]) == {
        "France métropolitaine"
    }
    union = _texte(tmp_path / "fr" / "zones_grises.csv")
    assert union.equals(_texte(ensemble / "zones_grises.csv"))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--region", "99"], "Région inconnue"),
        (["--departement", "90,99,6Z"], "Département(s) inconnu(s) : 99, 6Z"),
        (["--departement", "90,90"], "deux fois"),
        (["--departement", "90", "--france"], "Choisissez une zone"),
        ([], "Choisissez une zone"),
        (["--departement", "90,70", "--sensibilite"], "--sensibilite"),
        (["--departement", "90,70", "--reseau", "g.graphe", "--source", "osm"], "graphe"),
    ],
)
def test_mauvaises_selections(tmp_path, capsys, options, message):
    assert _lancer(tmp_path / "x", *options) == 2
    erreur = capsys.readouterr().err.strip().splitlines()[-1]
    assert message in erreur and "Traceback" not in erreur
    assert not (tmp_path / "x").exists()


def _grille(communes, pas_m: float = 1500.0):
    """A small synthetic road grid (60 km/h) covering the communes' extent."""
    from reseau import Graphe

    xmin, ymin, xmax, ymax = communes.total_bounds
    xs = np.arange(xmin - 3000, xmax + 3000, pas_m)
    ys = np.arange(ymin - 3000, ymax + 3000, pas_m)
    nx, ny = len(xs), len(ys)
    gx, gy = np.meshgrid(xs, ys)
    ident = np.arange(nx * ny).reshape(ny, nx)
    a = np.concatenate([ident[:, :-1].ravel(), ident[:-1, :].ravel()])
    b = np.concatenate([ident[:, 1:].ravel(), ident[1:, :].ravel()])
    temps = np.full(a.size, pas_m / (60 / 3.6))
    return Graphe.depuis_arcs(
        np.concatenate([a, b]),
        np.concatenate([b, a]),
        np.concatenate([temps, temps]),
        nx * ny,
        x=gx.ravel(),
        y=gy.ravel(),
        crs="EPSG:2154",
    )


def test_reseau_par_departement(tmp_path, capsys):
    from poles.communes import charger_communes
    from reseau import sauvegarder_graphe

    for code in PETITS:
        sauvegarder_graphe(_grille(charger_communes(code)), tmp_path / f"{code}.graphe")
    patron = str(tmp_path / "{departement}.graphe")
    assert _lancer(tmp_path / "osm", "--departement", "90,70", "--reseau", patron) == 0
    for code in PETITS:
        parametres = json.loads(
            (tmp_path / "osm" / "departements" / code / "parametres.json").read_text()
        )
        assert parametres["source"]["nom"] == "osm"
        assert parametres["source"]["parametres"]["fichier"].endswith(f"{code}.graphe")
    # the same département alone on its graph gives the same table
    assert (
        _lancer(tmp_path / "seul90", "--departement", "90", "--reseau", str(tmp_path / "90.graphe"))
        == 0
    )
    assert (tmp_path / "osm" / "departements" / "90" / "zones_grises.csv").read_bytes() == (
        tmp_path / "seul90" / "zones_grises.csv"
    ).read_bytes()


def test_indicateur_sur_deux_departements(tmp_path, seuls):
    bpe = chemin_donnees("bpe", "bpe2013.xlsx")
    commun = ["indicateur", "--service", "medecin", "--bpe", str(bpe)]
    assert main([*commun, "--departement", "90,70", "--sortie", str(tmp_path / "med")]) == 0
    for code in PETITS:
        assert main([*commun, "--departement", code, "--sortie", str(tmp_path / code)]) == 0
    union = _texte(tmp_path / "med" / "indicateur.csv").sort_values("code").reset_index(drop=True)
    seul = (
        pd.concat([_texte(tmp_path / c / "indicateur.csv") for c in PETITS])
        .sort_values("code")
        .reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(union, seul)
    resume = pd.read_csv(tmp_path / "med" / "resume.csv", dtype={"code": str})
    table = pd.read_csv(tmp_path / "med" / "indicateur.csv", dtype={"code": str})
    for code in PETITS:
        ligne = resume[(resume["territoire"] == "departement") & (resume["code"] == code)]
        attendu = pd.read_csv(tmp_path / code / "resume.csv")
        assert ligne["temps_moyen_min"].tolist() == attendu["temps_moyen_min"].tolist()
        assert ligne["population_au_dela_10"].tolist() == attendu["population_au_dela_10"].tolist()
    tout = resume[resume["territoire"] == "ensemble"].iloc[0]
    atteint = table["temps_min"].notna()
    moyenne = (table["population"] * table["temps_min"])[atteint].sum() / table.loc[
        atteint, "population"
    ].sum()
    assert tout["temps_moyen_min"] == pytest.approx(moyenne, abs=0.005)  # weighted, 2 decimals
    assert tout["population_au_dela_10"] == table.loc[table["au_dela_10"], "population"].sum()
