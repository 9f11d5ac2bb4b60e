import pandas as pd
import pytest

from poles.bpe import nomenclature, normaliser_libelle, table_libelles
from poles.gammes import charger_gammes
from socle.erreurs import DonneesInvalides
from tests.conftest import chemin_donnees


def test_gammes_sdaasp_par_defaut():
    g = charger_gammes()
    assert [(n.nom, n.seuil_min, len(n.items)) for n in g] == [
        ("proximite", 10, 13),
        ("intermediaire", 20, 11),
        ("superieur", 30, 9),
        ("metropolitain", 60, 4),
    ]
    assert [n.nom for n in g.niveaux_zones_grises] == ["proximite", "intermediaire", "superieur"]
    assert g["proximite"].items[8].typequ == ("D201",)


def test_fichier_de_gamme_invalide(tmp_path):
    f = tmp_path / "g.toml"
    f.write_text('[[niveau]]\nnom="x"\nseuil_min=10\nitems=[{nom="a", typequ=["Z999"]}]\n')
    with pytest.raises(DonneesInvalides, match="Z999"):
        charger_gammes(f)
    f.write_text("[[niveau]\n")
    with pytest.raises(DonneesInvalides, match="TOML"):
        charger_gammes(f)
    f.write_text('[[niveau]]\nnom="x"\nseuil_min=-1\nitems=[{nom="a", typequ=["D201"]}]\n')
    with pytest.raises(DonneesInvalides, match="seuil_min"):
        charger_gammes(f)
    f.write_text('[[niveau]]\nnom="x"\nseuil_min=5\nitems=[{nom="a", typequ="D201"}]\n')
    assert charger_gammes(f)["x"].items[0].typequ == ("D201",)


@pytest.mark.donnees
def test_table_des_libelles_conforme_a_la_nomenclature_2018():
    tsv = chemin_donnees("bpe", "bpe2018-types.tsv")
    types = pd.read_csv(tsv, sep="\t", header=None, names=["code", "libelle"], dtype=str)
    codes_2018 = set(types["code"][types["code"].str.len() == 4])
    table = table_libelles()
    utilises = set(table["typequ"][table["typequ"] != ""])
    assert utilises <= codes_2018
    assert set(nomenclature().index) == codes_2018
    # every item of every gamme is reachable from a 2013 label
    for niveau in charger_gammes():
        for item in niveau.items:
            assert set(item.typequ) & utilises, item.nom


@pytest.mark.donnees
@pytest.mark.parametrize("fichier", ["bpe2013.xlsx", "bpe2009.xlsx"])
def test_tous_les_libelles_des_classeurs_sont_dans_la_table(fichier):
    import openpyxl

    classeur = openpyxl.load_workbook(chemin_donnees("bpe", fichier), read_only=True)
    entete = next(classeur.active.iter_rows(max_row=1, values_only=True))
    libelles = [c for c in entete[1:] if not str(c).lower().startswith("total")]
    cles = set(table_libelles()["cle"])
    assert [c for c in libelles if normaliser_libelle(c) not in cles] == []
