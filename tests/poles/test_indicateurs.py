"""Access to a service type on hand-made communes (minutes = km), presets and territories."""

import numpy as np
import pandas as pd
import pytest

from accessibilite import SourceMatrice
from poles.indicateurs import (
    Service,
    acces_service,
    ajouter_territoires,
    charger_services,
    colonne_seuil,
    communes_les_plus_eloignees,
    joindre_population,
    lire_territoires,
    resoudre_service,
    resumer_acces,
)
from socle.erreurs import DonneesInvalides, DonneesManquantes
from tests.poles._ligne import MINUTES_EGALES_KM, communes_ligne

# five communes of the département on a line (km) and a neighbour V of the buffer
POSITIONS = {"A": 0, "B": 5, "C": 10, "D": 20, "E": 40, "V": 60}
POPULATIONS = {"A": 1000, "B": 200, "C": 300, "D": 400, "E": 500, "V": 9999}
EPCI = {"A": "e1", "B": "e1", "C": "e1", "D": "e2", "E": "e2", "V": "x"}
EQUIP = pd.DataFrame(
    {
        "code_commune": ["A", "V", "C"],
        "typequ": ["D201", "D201", "D301"],
        "nombre": [2, 1, 1],
    }
)
MEDECIN = Service("medecin", "Médecin généraliste", ("D201",), (10.0,))


def _communes():
    return communes_ligne(POSITIONS, POPULATIONS, EPCI, {"V"})


def test_temps_et_seuils_exacts():
    table = acces_service(_communes(), EQUIP, MEDECIN, MINUTES_EGALES_KM, seuils_min=[15, 10])
    assert table["code"].tolist() == ["A", "B", "C", "D", "E"]  # V is not reported
    assert table["temps_min"].tolist() == [0.0, 5.0, 10.0, 20.0, 20.0]
    assert table["commune_equipee"].tolist() == ["A", "A", "A", "A", "V"]
    assert table["nombre_equipements"].tolist() == [2, 0, 0, 0, 0]
    # exactly at the threshold is not beyond it
    assert table["au_dela_10"].tolist() == [False, False, False, True, True]
    assert table.attrs["seuils_min"] == [10.0, 15.0]


def test_resumes_departement_epci_territoire():
    table = acces_service(_communes(), EQUIP, MEDECIN, MINUTES_EGALES_KM, seuils_min=[10, 15])
    resume = resumer_acces(table).iloc[0]
    # (0×1000 + 5×200 + 10×300 + 20×400 + 20×500) / 2400 = 22000 / 2400
    assert resume["temps_moyen_min"] == pytest.approx(22000 / 2400, abs=0.005)
    assert resume["population"] == 2400 and resume["temps_max_min"] == 20.0
    assert resume["population_au_dela_10"] == 900 and resume["communes_au_dela_10"] == 2
    assert resume["part_au_dela_10"] == pytest.approx(900 / 2400)
    epci = resumer_acces(table, par="epci").set_index("epci_code")
    assert epci.loc["e1", "temps_moyen_min"] == pytest.approx(4000 / 1500, abs=0.005)
    assert epci.loc["e2", "part_au_dela_15"] == pytest.approx(1.0)
    # territories: by EPCI, and a commune code overriding its EPCI
    territoires = pd.DataFrame({"code": ["e1", "e2", "E"], "territoire": ["Nord", "Sud", "Lit"]})
    avec = ajouter_territoires(table, territoires)
    assert avec["territoire"].tolist() == ["Nord", "Nord", "Nord", "Sud", "Lit"]
    parties = resumer_acces(avec, par="territoire").set_index("territoire")
    assert parties.loc["Sud", "population"] == 400 and parties.loc["Lit", "population"] == 500
    with pytest.raises(DonneesInvalides, match="territoire"):
        resumer_acces(table, par="territoire")
    eloignees = communes_les_plus_eloignees(table, 3)
    assert eloignees["code"].tolist() == ["D", "E", "C"]


def test_commune_sans_equipement_atteignable():
    codes = list(POSITIONS)
    minutes = pd.DataFrame(np.nan, index=codes, columns=codes)
    minutes.loc["B", "A"] = 4.0
    table = acces_service(_communes(), EQUIP, MEDECIN, SourceMatrice(minutes))
    assert table["commune_equipee"].tolist() == ["A", "A", "", "", ""]
    assert table["au_dela_10"].tolist() == [False, False, True, True, True]
    resume = resumer_acces(table).iloc[0]
    assert resume["communes_sans_acces"] == 3 and resume["population_sans_acces"] == 1200
    # the mean is over the communes that reach one: (0×1000 + 4×200) / 1200
    assert resume["temps_moyen_min"] == pytest.approx(800 / 1200, abs=0.005)


def test_sous_population():
    communes = joindre_population(
        _communes(),
        pd.DataFrame({"code": list("ABCDE"), "plus_75": [10, 0, 0, 30, 60]}),
        "plus_75",
    )
    table = acces_service(communes, EQUIP, MEDECIN, MINUTES_EGALES_KM, colonne_population="plus_75")
    resume = resumer_acces(table).iloc[0]
    assert resume["population"] == 100 and resume["population_au_dela_10"] == 90
    with pytest.raises(DonneesInvalides, match="absentes"):
        joindre_population(_communes(), pd.DataFrame({"code": ["A"], "x": [1]}), "x")


def test_aucun_equipement():
    with pytest.raises(DonneesInvalides, match="Aucun équipement"):
        acces_service(
            _communes(), EQUIP, Service("x", "Urgences", ("D106",), (30,)), MINUTES_EGALES_KM
        )


def test_services_predefinis():
    services = charger_services()
    for nom in (
        "medecin",
        "pharmacie",
        "urgences",
        "maternite",
        "ophtalmologiste",
        "pediatre",
        "college",
        "lycee",
        "poste",
        "police_gendarmerie",
        "pole_emploi",
        "gare",
    ):
        assert services[nom].seuils_min, nom
    assert services["medecin"].typequ == ("D201",) and services["medecin"].seuils_min == (10,)
    assert services["lycee"].typequ == ("C301", "C302", "C303")
    assert services["pole_emploi"].seuils_min == (20, 35)
    assert resoudre_service("D201").nom == "medecin"  # a preset's codes give the preset
    assert resoudre_service("Médecin généraliste").nom == "medecin"  # by alias
    assert resoudre_service("c303, c301,C302").nom == "lycee"
    libre = resoudre_service("D202")
    assert libre.typequ == ("D202",) and libre.seuils_min == ()
    with pytest.raises(DonneesInvalides, match="TYPEQU"):
        resoudre_service("Z999")
    with pytest.raises(DonneesInvalides, match="medecin"):
        resoudre_service("boulanger")
    with pytest.raises(DonneesInvalides, match="seuil"):
        acces_service(_communes(), EQUIP, libre, MINUTES_EGALES_KM)
    assert colonne_seuil(12.5) == "au_dela_12_5"


def test_fichier_de_territoires(tmp_path):
    chemin = tmp_path / "territoires.csv"
    chemin.write_text("code_epci;territoire\ne1;Nord\ne2;Sud\n", encoding="utf-8")
    assert lire_territoires(chemin).to_dict("list") == {
        "code": ["e1", "e2"],
        "territoire": ["Nord", "Sud"],
    }
    faux = tmp_path / "faux.csv"
    faux.write_text("code;nom\n1;x\n", encoding="utf-8")
    with pytest.raises(DonneesInvalides, match="territoire"):
        lire_territoires(faux)
    with pytest.raises(DonneesManquantes):
        lire_territoires(tmp_path / "absent.csv")
    table = acces_service(_communes(), EQUIP, MEDECIN, MINUTES_EGALES_KM)
    with pytest.raises(DonneesInvalides, match="Aucune commune"):
        ajouter_territoires(table, pd.DataFrame({"code": ["zz"], "territoire": ["T"]}))
