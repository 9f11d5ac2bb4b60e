import pandas as pd
import pytest

from poles.gammes import Gammes, Item, Niveau
from poles.regles import Regle, detecter_poles
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
