"""Scenarios: a case with a known answer, and partial recomputation = full recomputation."""

import numpy as np
import pandas as pd
import pytest

from accessibilite import SourceVolOiseau
from poles.base import base_en_memoire
from poles.gammes import Gammes, Item, Niveau
from poles.regles import Regle
from poles.scenarios import (
    ForcagePole,
    ModificationEquipement,
    Modifications,
    lire_modifications,
    poles_apres,
    scenario,
)
from poles.zones_grises import plus_proches_poles as etat_plus_proches
from socle.erreurs import DonneesInvalides, DonneesManquantes
from tests.poles._ligne import MINUTES_EGALES_KM, communes_ligne

# five communes on a line (km = minutes) and a neighbour pole V
POSITIONS = {"A": 0, "B": 5, "C": 10, "D": 20, "E": 40, "V": 60}
POPULATIONS = {"A": 1000, "B": 200, "C": 300, "D": 400, "E": 500, "V": 9999}
GAMMES = Gammes((Niveau("bas", "Bas", 10, (Item("pain", "Pain", ("B203",)),)),), "test")
EQUIP = pd.DataFrame({"code_commune": ["A", "V"], "typequ": ["B203", "B203"], "nombre": [1, 1]})


class SourceEspion:
    """A source that records the size of every nearest-target search."""

    def __init__(self, source):
        self.source = source
        self.nom = source.nom
        self.appels = []

    def description(self):
        return self.source.description()

    def plus_proche(self, origines, cibles):
        self.appels.append((list(origines.codes), list(cibles.codes)))
        return self.source.plus_proche(origines, cibles)

    def matrice(self, origines, destinations):
        return self.source.matrice(origines, destinations)


def _base(source=MINUTES_EGALES_KM):
    communes = communes_ligne(POSITIONS, POPULATIONS, dict.fromkeys(POSITIONS, "e"), {"V"})
    return base_en_memoire(communes, EQUIP, GAMMES, source, regle=Regle("tous"))


def _minutes(resultat):
    return (resultat.etat["temps_bas_s"] / 60).tolist()


def test_base_sur_la_ligne():
    base = _base()
    assert _minutes(base) == [0, 5, 10, 20, 20]
    assert base.etat["zone_grise_bas"].tolist() == [False, False, False, True, True]


def test_ajout_d_un_pole():
    espion = SourceEspion(MINUTES_EGALES_KM)
    base = _base(espion)
    espion.appels.clear()
    res = scenario(base, Modifications(ajouts=(ModificationEquipement("D", "B203", 1),)))
    # D becomes a pole: D at 0; E stays with V (20 min to D or V: a tie keeps V)
    assert _minutes(res) == [0, 5, 10, 0, 20]
    assert res.etat["pole_bas"].tolist() == ["A", "A", "A", "D", "V"]
    # only one search: every commune towards the single new pole
    assert espion.appels == [(["A", "B", "C", "D", "E"], ["D"])]
    bilan = res.bilan.iloc[0]
    assert bilan["poles_ajoutes"] == "D" and bilan["poles_retires"] == ""
    assert (bilan["communes_sortant"], bilan["population_sortant"]) == (1, 400)
    assert bilan["communes_entrant"] == 0
    # mean time: (5×200 + 10×300 + 20×400 + 20×500) / 2400 → (5×200 + 10×300 + 20×500) / 2400
    assert bilan["temps_moyen_avant_min"] == pytest.approx(22000 / 2400, abs=0.005)
    assert bilan["temps_moyen_apres_min"] == pytest.approx(14000 / 2400, abs=0.005)
    ligne = res.avant_apres.set_index("code").loc["D"]
    assert ligne["changement"] == "sort de zone grise" and ligne["variation_min"] == -20
    assert res.poles_modifies[["code", "modification"]].values.tolist() == [["D", "ajouté"]]


def test_retrait_d_un_pole():
    espion = SourceEspion(MINUTES_EGALES_KM)
    base = _base(espion)
    espion.appels.clear()
    res = scenario(base, Modifications(retraits=(ModificationEquipement("A", "B203", None),)))
    # A loses its only bakery: A, B, C, D search again (towards V only); E is untouched
    assert espion.appels == [(["A", "B", "C", "D"], ["V"])]
    assert _minutes(res) == [60, 55, 50, 40, 20]
    bilan = res.bilan.iloc[0]
    assert bilan["communes_recalculees"] == 4
    assert (bilan["communes_entrant"], bilan["population_entrant"]) == (3, 1500)
    assert bilan["communes_zone_grise_apres"] == 5
    assert res.difference.set_index("code").loc["E", "changement_bas"] == "inchangé"


def test_poles_forces():
    base = _base()
    res = scenario(
        base,
        Modifications(
            poles=(ForcagePole("C", "bas", True), ForcagePole("V", "bas", False)),
        ),
    )
    # C forced on: D at 10 min (not zone grise); V forced off: E now 30 min from C
    assert _minutes(res) == [0, 5, 0, 10, 30]
    assert res.etat["zone_grise_bas"].tolist() == [False, False, False, False, True]
    with pytest.raises(DonneesInvalides, match="niveau"):
        scenario(base, Modifications(poles=(ForcagePole("C", "haut", True),)))
    with pytest.raises(DonneesInvalides, match="tous les pôles"):
        scenario(
            base,
            Modifications(poles=(ForcagePole("A", "bas", False), ForcagePole("V", "bas", False))),
        )


def test_retraits_impossibles():
    base = _base()
    with pytest.raises(DonneesInvalides, match="Retrait impossible"):
        scenario(base, Modifications(retraits=(ModificationEquipement("B", "B203", 1),)))
    with pytest.raises(DonneesInvalides, match="Retrait impossible"):
        scenario(base, Modifications(retraits=(ModificationEquipement("A", "B203", 2),)))
    with pytest.raises(DonneesInvalides, match="inconnue"):
        scenario(base, Modifications(ajouts=(ModificationEquipement("Z", "B203", 1),)))
    with pytest.raises(DonneesInvalides, match="vide"):
        Modifications()


# ---- partial recomputation equals full recomputation on random scenarios --------------

TYPES = ["B203", "D201", "D301", "C201", "A206"]
GAMMES_ALEA = Gammes(
    (
        Niveau("bas", "Bas", 8, tuple(Item(t, t, (t,)) for t in TYPES[:3])),
        Niveau("haut", "Haut", 15, tuple(Item(t, t, (t,)) for t in TYPES)),
    ),
    "test",
)


def _cas_aleatoire(rng):
    n = int(rng.integers(6, 16))
    codes = [f"C{i:02d}" for i in range(n)]
    hors = {c for c in codes if rng.random() < 0.2}
    communes = communes_ligne(
        dict(zip(codes, rng.uniform(0, 40, n), strict=True)),
        dict(zip(codes, rng.integers(0, 3000, n).tolist(), strict=True)),
        dict(zip(codes, rng.choice(["e1", "e2"], n).tolist(), strict=True)),
        hors,
        y_km=dict(zip(codes, rng.uniform(0, 30, n), strict=True)),
    )
    lignes = [(c, t, int(rng.integers(1, 3))) for c in codes for t in TYPES if rng.random() < 0.45]
    equip = pd.DataFrame(lignes, columns=["code_commune", "typequ", "nombre"])
    presents = list(zip(equip["code_commune"], equip["typequ"], strict=True))
    modifs = {"ajouts": [], "retraits": [], "poles": []}
    for _ in range(int(rng.integers(1, 5))):
        sorte = rng.choice(["ajout", "retrait", "pole"])
        if sorte == "retrait" and presents:
            c, t = presents.pop(int(rng.integers(len(presents))))
            modifs["retraits"].append(ModificationEquipement(c, t, None))
        elif sorte == "pole":
            niveau = str(rng.choice(["bas", "haut"]))
            modifs["poles"].append(ForcagePole(str(rng.choice(codes)), niveau, rng.random() < 0.5))
        else:
            c, t = str(rng.choice(codes)), str(rng.choice(TYPES))
            modifs["ajouts"].append(ModificationEquipement(c, t, 1))
    if not any(modifs.values()):
        modifs["ajouts"].append(ModificationEquipement(codes[0], "B203", 1))
    return (
        communes,
        equip,
        Modifications(
            ajouts=tuple(modifs["ajouts"]),
            retraits=tuple(modifs["retraits"]),
            poles=tuple(modifs["poles"]),
        ),
    )


def test_recalcul_partiel_egal_au_recalcul_complet():
    rng = np.random.default_rng(20240607)
    source = SourceVolOiseau(a_min=2.0, b_min_par_km=1.3)
    verifies = 0
    for _ in range(80):
        communes, equip, modifs = _cas_aleatoire(rng)
        regle = Regle("part_min", part_min=float(rng.choice([0.3, 0.5, 0.7])))
        try:
            base = base_en_memoire(communes, equip, GAMMES_ALEA, source, regle=regle)
        except DonneesInvalides:
            continue  # a level without any pole in the base
        apres = poles_apres(base, modifs)
        try:
            complet = etat_plus_proches(communes, apres, source, GAMMES_ALEA, ["bas", "haut"])
        except DonneesInvalides:
            with pytest.raises(DonneesInvalides, match="tous les pôles"):
                scenario(base, modifs)
            continue
        partiel = scenario(base, modifs).etat
        pd.testing.assert_frame_equal(partiel.reset_index(drop=True), complet, check_dtype=False)
        verifies += 1
    assert verifies > 50


# ---- the scenario file ------------------------------------------------------------------


def test_fichier_de_modifications(tmp_path):
    chemin = tmp_path / "s.toml"
    chemin.write_text(
        'description = "essai"\n'
        '[[ajout]]\ncommune = "62001"\ntypequ = "d201"\n'
        '[[retrait]]\ncommune = "62002"\ntypequ = "D301"\nnombre = 2\n'
        '[[pole]]\ncommune = "62003"\nniveau = "proximite"\nactif = false\n',
        encoding="utf-8",
    )
    modifs = lire_modifications(chemin)
    assert modifs.description == "essai"
    assert modifs.ajouts == (ModificationEquipement("62001", "D201", 1),)
    assert modifs.retraits == (ModificationEquipement("62002", "D301", 2),)
    assert modifs.poles == (ForcagePole("62003", "proximite", False),)
    mauvais = {
        '[[ajout]]\ncommune = "1"\ntypequ = "Q999"\n': "Q999",
        '[[ajout]]\ncommune = "1"\ntypequ = "D201"\nnombre = 0\n': "nombre",
        '[[ajout]]\ncommune = "1"\ntypequ = "D201"\nquantite = 2\n': "quantite",
        '[[pole]]\ncommune = "1"\nniveau = "x"\n': "actif",
        '[ajout]\ncommune = "1"\n': r"\[\[ajout\]\]",
        "ajouts = []\n": "ajouts",
        'description = "rien"\n': "vide",
        "[[ajout\n": "illisible",
    }
    for texte, motif in mauvais.items():
        chemin.write_text(texte, encoding="utf-8")
        with pytest.raises(DonneesInvalides, match=motif):
            lire_modifications(chemin)
    with pytest.raises(DonneesManquantes):
        lire_modifications(tmp_path / "absent.toml")


def test_exemple_de_la_documentation():
    from tests.conftest import RACINE

    modifs = lire_modifications(RACINE / "docs" / "exemples" / "scenario.toml")
    assert modifs.poles and modifs.retraits and modifs.ajouts and modifs.description
