import pandas as pd
import pytest

from poles.gammes import Gammes, Item, Niveau
from poles.regles import PoleImpose, Regle, Regroupement, SeuilNiveau, detecter_poles
from socle.erreurs import DonneesInvalides


def _gammes():
    bas = Niveau(
        "bas",
        "Bas",
        10,
        (
            Item("pain", "Pain", ("B203",)),
            Item("poste", "Poste", ("A206", "A208")),
            Item("medecin", "Médecin", ("D201",)),
            Item("pharma", "Pharmacie", ("D301",)),
        ),
    )
    haut = Niveau(
        "haut", "Haut", 30, (Item("lycee", "Lycée", ("C301",)), Item("ciné", "Cinéma", ("F303",)))
    )
    return Gammes((bas, haut), "test")


EQUIPEMENTS = pd.DataFrame(
    [
        ("A", "B203", 2),
        ("A", "A208", 1),
        ("A", "D201", 3),
        ("A", "D301", 1),
        ("B", "B203", 1),
        ("B", "A206", 1),
        ("B", "D201", 0),
        ("C", "C301", 1),
        ("C", "F303", 1),
        ("D", "B203", 1),
        ("D", "C301", 1),
    ],
    columns=["code_commune", "typequ", "nombre"],
)
CODES = ["A", "B", "C", "D", "E"]


def _poles(regle):
    res = detecter_poles(CODES, EQUIPEMENTS, _gammes(), regle)
    return {k: sorted(v.index[v["est_pole"]]) for k, v in res.items()}, res


def test_presence_et_nombre_d_items():
    _, res = _poles(Regle())
    assert res["bas"]["n_items"].to_dict() == {"A": 4, "B": 2, "C": 0, "D": 1, "E": 0}
    # a count of 0 is not a presence; a commune absent from the BPE holds nothing
    assert not res["bas"].loc["B", "medecin"]
    assert res["haut"]["n_items"].to_dict() == {"A": 0, "B": 0, "C": 2, "D": 1, "E": 0}


@pytest.mark.parametrize(
    ("regle", "bas", "haut"),
    [
        (Regle("tous"), ["A"], ["C"]),
        (Regle("n_min", n_min=2), ["A", "B"], ["C"]),
        (Regle("n_min", n_min=1), ["A", "B", "D"], ["C", "D"]),
        (Regle("part_min", part_min=0.5), ["A", "B"], ["C", "D"]),  # 2 of 4, 1 of 2
        (Regle("part_min", part_min=0.51), ["A"], ["C"]),  # 3 of 4, 2 of 2
        (Regle("n_min", n_min=9), ["A"], ["C"]),  # capped at the gamme size
    ],
)
def test_regles(regle, bas, haut):
    poles, _ = _poles(regle)
    assert poles == {"bas": bas, "haut": haut}


def test_cumul_fait_des_poles_superieurs_des_poles_inferieurs():
    poles, _ = _poles(Regle("tous", cumul=True))
    assert poles == {"bas": ["A", "C"], "haut": ["C"]}


def test_items_requis_et_regles_invalides():
    assert Regle("part_min", part_min=0.5).items_requis(13) == 7
    assert Regle("part_min", part_min=0.5).items_requis(4) == 2
    assert Regle("tous").items_requis(9) == 9
    with pytest.raises(DonneesInvalides):
        Regle("n_min")
    with pytest.raises(DonneesInvalides):
        Regle("part_min", part_min=0)
    with pytest.raises(DonneesInvalides, match="colonnes"):
        detecter_poles(CODES, EQUIPEMENTS.drop(columns="nombre"), _gammes())


# ---------------------------------------------------------------------------------------
# a rule per level


def _gammes_avec(bas_n_min=None, haut_part_min=None):
    bas, haut = _gammes().niveaux
    from dataclasses import replace

    return Gammes((replace(bas, n_min=bas_n_min), replace(haut, part_min=haut_part_min)), "test")


def test_seuil_propre_a_chaque_niveau_dans_les_gammes():
    # bas: at least 2 of 4 items (A 4, B 2, D 1); haut: all of its 2 items (C only)
    gammes = _gammes_avec(bas_n_min=2, haut_part_min=1.0)
    res = detecter_poles(CODES, EQUIPEMENTS, gammes)
    assert sorted(res["bas"].index[res["bas"]["est_pole"]]) == ["A", "B"]
    assert sorted(res["haut"].index[res["haut"]["est_pole"]]) == ["C"]
    seuils = Regle().seuils(gammes)
    assert (seuils["bas"].nom, seuils["bas"].n_min, seuils["bas"].origine) == ("n_min", 2, "gammes")
    assert seuils["haut"].items_requis(2) == 2
    # a level without its own rule takes half of its gamme
    seuils = Regle().seuils(_gammes_avec(bas_n_min=3))
    assert seuils["haut"].origine == "defaut" and seuils["haut"].items_requis(2) == 1


@pytest.mark.parametrize(
    ("regle", "bas", "haut"),
    [
        (Regle("n_min", n_min=(3, 1)), ["A"], ["C", "D"]),
        (Regle("n_min", n_min=(1, 2)), ["A", "B", "D"], ["C"]),
        (Regle("part_min", part_min=(0.5, 1.0)), ["A", "B"], ["C"]),  # 2 of 4, 2 of 2
        (Regle("part_min", part_min=(0.75,)), ["A"], ["C"]),  # one value: every level
        (Regle("n_min", n_min=2), ["A", "B"], ["C"]),
    ],
)
def test_listes_une_valeur_par_niveau(regle, bas, haut):
    # the option wins over the gammes' own rules
    res = detecter_poles(CODES, EQUIPEMENTS, _gammes_avec(bas_n_min=4, haut_part_min=0.5), regle)
    assert sorted(res["bas"].index[res["bas"]["est_pole"]]) == bas
    assert sorted(res["haut"].index[res["haut"]["est_pole"]]) == haut


def test_liste_des_seuls_niveaux_des_zones_grises():
    from dataclasses import replace

    bas, haut = _gammes().niveaux
    gammes = Gammes((bas, replace(haut, zones_grises=False, n_min=1)), "test")
    # one value for the one zones-grises level: the other level keeps its own rule
    seuils = Regle("n_min", n_min=(3,)).seuils(gammes)
    assert seuils["bas"].n_min == 3 and seuils["haut"].n_min == 3  # one value: all levels
    gammes3 = Gammes((bas, replace(bas, nom="milieu"), replace(haut, zones_grises=False)), "t")
    seuils = Regle("n_min", n_min=(3, 2)).seuils(gammes3)
    assert (seuils["bas"].n_min, seuils["milieu"].n_min) == (3, 2)
    assert seuils["haut"].origine == "defaut"
    assert Regle("n_min", n_min=(3, 2, 1)).seuils(gammes3)["haut"].n_min == 1


@pytest.mark.parametrize(
    ("regle", "message"),
    [
        (Regle("n_min", n_min=(3, 2, 1)), "--n-min : 3 valeurs pour une gamme qui attend 2"),
        (Regle("part_min", part_min=(0.5, 0.5, 0.5)), "--part-min : 3 valeurs"),
        (Regle("n_min", n_min=(2, 3)), "3 items demandés au niveau haut"),
        (
            Regle(niveaux=(("inconnu", SeuilNiveau("tous")),)),
            "niveau « inconnu » inconnu",
        ),
    ],
)
def test_listes_invalides(regle, message):
    with pytest.raises(DonneesInvalides, match=message):
        detecter_poles(CODES, EQUIPEMENTS, _gammes(), regle)


def test_description_et_parametres_par_niveau():
    gammes = _gammes_avec(bas_n_min=3, haut_part_min=1.0)
    assert Regle().description(gammes) == (
        "pôle = au moins 3 des 4 items (bas), les 2 items (haut) de la gamme présents"
    )
    assert Regle("part_min", part_min=0.5).description(gammes) == (
        "pôle = au moins 50% des items de la gamme présents"
    )
    fiche = Regle().en_dict(gammes)
    assert fiche["nom"] == "par_niveau" and fiche["n_min"] is None
    assert fiche["niveaux"]["bas"] == {
        "nom": "n_min",
        "n_min": 3,
        "part_min": None,
        "origine": "gammes",
        "items_requis": 3,
        "n_items_gamme": 4,
        "description": "au moins 3 des 4 items",
    }
    assert fiche["niveaux"]["haut"]["items_requis"] == 2
    # a rule shared by every level keeps the keys of before (maps of older folders)
    assert Regle("n_min", n_min=2).en_dict(gammes)["nom"] == "n_min"


def test_regle_des_gammes_toml(tmp_path):
    from poles.gammes import charger_gammes, texte_toml

    gammes = _gammes_avec(bas_n_min=3, haut_part_min=0.5)
    chemin = tmp_path / "g.toml"
    chemin.write_text(texte_toml(gammes, entete="essai\nsur deux lignes"), encoding="utf-8")
    relues = charger_gammes(chemin)
    assert [(n.nom, n.n_min, n.part_min) for n in relues] == [
        ("bas", 3, None),
        ("haut", None, 0.5),
    ]
    assert [n.items for n in relues] == [n.items for n in gammes]
    assert chemin.read_text(encoding="utf-8").startswith("# essai\n# sur deux lignes\n")
    texte = chemin.read_text(encoding="utf-8")
    for mauvais, message in (
        ("n_min = 3\npart_min = 0.5", "exclusifs"),
        ("n_min = 5", "entre 1 et 4"),
        ("part_min = 1.5", r"\]0, 1\]"),
    ):
        chemin.write_text(texte.replace("n_min = 3", mauvais), encoding="utf-8")
        with pytest.raises(DonneesInvalides, match=message):
            charger_gammes(chemin)


# ---------------------------------------------------------------------------------------
# imposed and grouped poles


def test_poles_imposes_l_emportent_sur_la_regle_et_le_cumul():
    imposes = (PoleImpose("B", "bas", False), PoleImpose("E", "haut", True))
    res = detecter_poles(
        CODES, EQUIPEMENTS, _gammes(), Regle("n_min", n_min=2, cumul=True), imposes=imposes
    )
    bas, haut = res["bas"], res["haut"]
    assert sorted(bas.index[bas["est_pole"]]) == ["A", "C"]  # C by cumul, B taken out
    assert sorted(haut.index[haut["est_pole"]]) == ["C", "E"]
    assert bas.loc["B", "pole_selon_regle"] and not bas.loc["B", "est_pole"]
    assert bas["origine"].to_dict() == {"A": "regle", "B": "impose", "C": "regle", "D": "", "E": ""}
    assert haut.loc["E", "origine"] == "impose" and haut.loc["E", "n_items"] == 0


@pytest.mark.parametrize(
    ("imposes", "message"),
    [
        ((PoleImpose("A", "inconnu", True),), "niveau « inconnu » inconnu"),
        ((PoleImpose("Z", "bas", True),), "commune Z n'est ni dans le département"),
        ((PoleImpose("A", "bas", True), PoleImpose("A", "bas", False)), "contradictoires"),
    ],
)
def test_poles_imposes_invalides(imposes, message):
    with pytest.raises(DonneesInvalides, match=message):
        detecter_poles(CODES, EQUIPEMENTS, _gammes(), imposes=imposes)


GROUPES_EQUIP = pd.DataFrame(
    [("X", "B203", 1), ("X", "A206", 2), ("Y", "D201", 1), ("Y", "D301", 1), ("Z", "B203", 1)],
    columns=["code_commune", "typequ", "nombre"],
)


def test_regroupement_met_les_items_en_commun():
    groupes = (Regroupement("aire XY", ("X", "Y")),)
    seul = detecter_poles(["X", "Y", "Z"], GROUPES_EQUIP, _gammes(), Regle("tous"))
    assert not seul["bas"]["est_pole"].any()  # 2 of 4 items each
    res = detecter_poles(
        ["X", "Y", "Z"], GROUPES_EQUIP, _gammes(), Regle("tous"), regroupements=groupes
    )
    bas = res["bas"]
    assert bas["est_pole"].to_dict() == {"X": True, "Y": True, "Z": False}
    assert bas["n_items"].to_dict() == {"X": 4, "Y": 4, "Z": 1}
    assert bas["origine"].to_dict() == {"X": "regroupement", "Y": "regroupement", "Z": ""}
    assert bas["regroupement"].to_dict() == {"X": "aire XY", "Y": "aire XY", "Z": ""}
    assert not res["haut"]["est_pole"].any()  # the group does not reach the upper level


@pytest.mark.parametrize(
    ("groupes", "message"),
    [
        (
            (Regroupement("g1", ("X", "Y")), Regroupement("g2", ("Y", "Z"))),
            "La commune Y est dans deux regroupements",
        ),
        ((Regroupement("g1", ("X", "W")),), "la commune W n'est ni dans le département"),
        ((Regroupement("g1", ("X",)), Regroupement("g1", ("Z",))), "défini deux fois"),
        ((Regroupement("g1", ()),), "sans commune"),
    ],
)
def test_regroupements_invalides(groupes, message):
    with pytest.raises(DonneesInvalides, match=message):
        detecter_poles(["X", "Y", "Z"], GROUPES_EQUIP, _gammes(), regroupements=groupes)
