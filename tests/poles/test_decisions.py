"""Files of a team's decisions (imposed and grouped poles), and times to a group."""

import numpy as np
import pandas as pd
import pytest

from accessibilite import SourceVolOiseau
from poles.decisions import lire_poles_imposes, lire_regroupements
from poles.gammes import Gammes, Item, Niveau
from poles.regles import PoleImpose, Regle, Regroupement, detecter_poles
from poles.zones_grises import classer
from socle.erreurs import DonneesInvalides, DonneesManquantes
from tests.poles.test_zones_grises import _communes


def test_poles_imposes_tolerants(tmp_path):
    chemin = tmp_path / "imposes.csv"
    # a spreadsheet export: Windows-1252, ';', capitals and accents, a code without its
    # leading zero, a former commune (62461, merged into 62447 Hesdin-la-Forêt), extra column
    texte = (
        "Code_INSEE;Niveau;Pôle;commentaire\n"
        "62045;Intermédiaire;OUI;décision du comité\n"
        "62461;supérieur;non;\n"
        "1004;Proximité;oui;\n"
    )
    chemin.write_bytes(texte.encode("cp1252"))
    assert lire_poles_imposes(chemin) == (
        PoleImpose("62045", "intermediaire", True),
        PoleImpose("62447", "superieur", False),
        PoleImpose("01004", "proximite", True),
    )
    chemin.write_bytes(("\ufeffcode_insee,niveau,pole\n62045,superieur,non\n").encode())
    assert lire_poles_imposes(chemin) == (PoleImpose("62045", "superieur", False),)


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        ("", "est vide"),
        ("code_insee,niveau,pole\n", "aucune ligne"),
        ("code_insee,niveau\n62045,superieur\n", "colonne « pole » absente"),
        ("code_insee,niveau,pole\n62045,superieur,peut-être\n", "ni oui ni non"),
        ("code_insee,niveau,pole\n62045,superieur,oui\n62045,supérieur,non\n", "à la fois"),
        ("code_insee,niveau,pole\n62045,superieur,oui,en trop\n", "plus de valeurs que l'en-tête"),
    ],
)
def test_poles_imposes_invalides(tmp_path, contenu, message):
    chemin = tmp_path / "imposes.csv"
    chemin.write_text(contenu, encoding="utf-8")
    with pytest.raises(DonneesInvalides, match=message):
        lire_poles_imposes(chemin)


def test_fichiers_absents(tmp_path):
    with pytest.raises(DonneesManquantes, match="introuvable"):
        lire_regroupements(tmp_path / "absent.csv")


def test_regroupements(tmp_path):
    chemin = tmp_path / "groupes.csv"
    chemin.write_text(
        "groupe;code_insee;nom\n"
        "Aire de Saint-Omer;62765;Saint-Omer\n"
        "Aire de Saint-Omer;62040;Arques\n"
        "Aire de Saint-Omer;62525;Longuenesse\n"
        "Béthune-Bruay;62119;Béthune\n"
        "Béthune-Bruay;62178;Bruay-la-Buissière\n"
        "Béthune-Bruay;62482;ancienne commune rattachée à Bruay\n",
        encoding="utf-8",
    )
    assert lire_regroupements(chemin) == (
        Regroupement("Aire de Saint-Omer", ("62765", "62040", "62525")),
        Regroupement("Béthune-Bruay", ("62119", "62178")),
    )
    chemin.write_text("groupe,code_insee\ng1,62765\ng1,62040\ng2,62040\n", encoding="utf-8")
    with pytest.raises(DonneesInvalides, match="62040 est dans deux regroupements"):
        lire_regroupements(chemin)


def test_temps_au_groupe_est_le_temps_a_son_membre_le_plus_proche():
    # communes on a line (km): A 0, B 5, C 10, D 20, E 40, V 60 (neighbour); the group
    # {A, D} pools A's bread and D's doctor: each alone is no pole, together they are
    communes = _communes()
    gammes = Gammes(
        (
            Niveau(
                "bas",
                "Bas",
                10,
                (Item("pain", "Pain", ("B203",)), Item("medecin", "Médecin", ("D201",))),
            ),
        ),
        "test",
    )
    equip = pd.DataFrame({"code_commune": ["A", "D"], "typequ": ["B203", "D201"], "nombre": [1, 1]})
    source = SourceVolOiseau(a_min=0.0, b_min_par_km=1.0)  # minutes = kilometres
    groupe = (Regroupement("A+D", ("A", "D")),)
    poles = detecter_poles(communes["code"], equip, gammes, Regle("tous"), regroupements=groupe)
    res = classer(communes, poles, source, gammes)
    assert res["pole_bas"].tolist() == ["A", "A", "A", "D", "D"]
    assert res["temps_bas_min"].tolist() == [0.0, 5.0, 10.0, 0.0, 20.0]
    assert res["zone_grise_bas"].tolist() == [False, False, False, False, True]
    # without the group there is no pole at all
    seuls = detecter_poles(communes["code"], equip, gammes, Regle("tous"))
    assert not np.any(seuls["bas"]["est_pole"])
