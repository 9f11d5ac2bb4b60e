"""Comparing a new run with a previous study, in the current or an older geography.

The new run is a hand-made output folder on five real communes of the Pas-de-Calais; the
previous study names communes merged since (Huby-Saint-Leu 62461 and Marconne 62549, now
in Hesdin-la-Forêt 62447; Berguette 62110, now in Isbergues 62473).
"""

import json
import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from accessibilite.cli import main
from poles.comparaison import comparer, lire_precedent
from poles.sorties_comparaison import ecrire_comparaison, formater_comparaison
from socle.erreurs import DonneesInvalides

# code, name, EPCI, zone grise (bas, haut) in the new run
NOUVEAU = [
    ("62447", "Hesdin-la-Forêt", "e1", True, True),
    ("62178", "Bruay-la-Buissière", "e2", False, False),
    ("62473", "Isbergues", "e2", True, False),
    ("62119", "Béthune", "e2", True, False),
    ("62041", "Arras", "e3", False, False),
]


@pytest.fixture
def nouveau(tmp_path):
    dossier = tmp_path / "nouveau"
    dossier.mkdir()
    codes, noms, epci, bas, haut = zip(*NOUVEAU, strict=True)
    table = pd.DataFrame(
        {
            "code": codes,
            "nom": noms,
            "population": [1000] * 5,
            "epci_code": epci,
            "epci_nom": [f"EPCI {e[-1]}" for e in epci],
            "zone_grise_bas": bas,
            "zone_grise_haut": haut,
        }
    )
    table.to_csv(dossier / "zones_grises.csv", index=False)
    gpd.GeoDataFrame(
        table, geometry=[box(k * 1000, 0, k * 1000 + 900, 900) for k in range(5)], crs=2154
    ).to_file(dossier / "zones_grises.gpkg", layer="communes")
    parametres = {
        "departement": "62",
        "departement_nom": "Pas-de-Calais",
        "regle": {"description": "pôle = au moins 2 des 3 items"},
        "gammes": {
            "niveaux": [{"nom": "bas", "libelle": "Bas"}, {"nom": "haut", "libelle": "Haut"}]
        },
    }
    (dossier / "parametres.json").write_text(json.dumps(parametres), encoding="utf-8")
    return dossier


def _ecrire(tmp_path, texte, nom="precedent.csv"):
    chemin = tmp_path / nom
    chemin.write_text(texte, encoding="utf-8")
    return chemin


LISTE_2018 = "code_insee;niveau\n62461;bas\n62549;Bas\n62110;bas\n62178;bas\n62041;haut\n"


def test_liste_dans_l_ancienne_geographie(nouveau, tmp_path):
    res = comparer(_ecrire(tmp_path, LISTE_2018), nouveau)
    t = res.tableau
    dep = t[t["echelle"] == "département"].set_index("niveau")
    # before (current codes): bas {62447, 62473, 62178}, haut {62041}
    assert dep.loc["bas", ["communes_precedente", "communes_nouvelle"]].tolist() == [3, 3]
    assert dep.loc["bas", ["les_deux", "precedente_seulement", "nouvelle_seulement"]].tolist() == [
        2,
        1,
        1,
    ]
    assert dep.loc["bas", "jaccard"] == 0.5 and dep.loc["bas", "ratio"] == 1.0
    assert dep.loc["haut", ["les_deux", "jaccard"]].tolist() == [0, 0.0]
    e2 = t[(t["echelle"] == "epci") & (t["epci_code"] == "e2")].set_index("niveau")
    assert e2.loc["bas", ["communes_precedente", "communes_nouvelle", "les_deux"]].tolist() == [
        2,
        2,
        1,
    ]
    assert e2.loc["bas", "jaccard"] == pytest.approx(0.3333, abs=1e-4)
    e3 = t[(t["echelle"] == "epci") & (t["epci_code"] == "e3")].set_index("niveau")
    assert e3.loc["haut", "ratio"] == 0.0 and e3.loc["bas", "communes_precedente"] == 0
    assert math.isnan(e3.loc["bas", "ratio"]) and math.isnan(e3.loc["bas", "jaccard"])
    accord = res.communes.set_index("code")["accord_bas"].to_dict()
    assert accord == {
        "62447": "les deux",
        "62178": "précédente seulement",
        "62473": "les deux",
        "62119": "nouvelle seulement",
        "62041": "aucune",
    }
    assert res.parametres["precedent"]["codes_anciens_rattaches"] == 3
    assert "3 codes de communes fusionnées" in formater_comparaison(res)


def test_zones_grises_csv_de_l_outil(nouveau, tmp_path):
    precedent = _ecrire(
        tmp_path,
        "code,nom,zone_grise_bas,temps_bas_min\n"
        "62447,Hesdin,True,12\n62178,Bruay,False,3\n62473,Isbergues,False,4\n"
        "62119,Béthune,False,2\n62041,Arras,True,11\n",
    )
    assert lire_precedent(precedent).format == "zones_grises"
    res = comparer(precedent, nouveau)
    dep = res.tableau[res.tableau["echelle"] == "département"]
    assert dep["niveau"].tolist() == ["bas"]  # the previous study had only this level
    assert dep[["communes_precedente", "communes_nouvelle", "les_deux"]].values.tolist() == [
        [2, 3, 1]
    ]
    assert res.parametres["niveaux_non_compares"] == ["haut"]


def test_comptes_par_niveau_et_epci(nouveau, tmp_path):
    precedent = _ecrire(
        tmp_path,
        "niveau,epci_nom,communes\nbas,,4\nbas,EPCI 2,1\nbas,epci 1,2\nhaut,EPCI 1,3\n",
    )
    assert lire_precedent(precedent).format == "comptes"
    res = comparer(precedent, nouveau)
    t = res.tableau.set_index(["echelle", "epci_code", "niveau"])
    assert t.loc[
        ("département", "", "bas"), ["communes_precedente", "communes_nouvelle"]
    ].tolist() == [4, 3]
    assert t.loc[("département", "", "bas"), "ratio"] == 0.75
    assert t.loc[("département", "", "haut"), "communes_precedente"] == 3  # sum of the EPCI
    assert t.loc[("epci", "e2", "bas"), ["communes_precedente", "communes_nouvelle"]].tolist() == [
        1,
        2,
    ]
    assert t.loc[("epci", "e1", "bas"), "communes_precedente"] == 2  # matched by name
    assert math.isnan(t.loc[("epci", "e2", "bas"), "jaccard"])  # no commune lists


@pytest.mark.parametrize(
    ("texte", "message"),
    [
        ("", "est vide"),
        ("code_insee;niveau\n59350;bas\n", "1 code du niveau bas hors du département 62 : 59350"),
        ("code_insee;niveau\n62447;metropole\n", "niveau « metropole » absent"),
        ("commune;valeur\n62447;1\n", "format non reconnu"),
    ],
)
def test_precedents_invalides(nouveau, tmp_path, texte, message):
    with pytest.raises(DonneesInvalides, match=message):
        comparer(_ecrire(tmp_path, texte), nouveau)


def test_sorties_et_cartes(nouveau, tmp_path):
    from cartes.comparaison import ecrire_cartes_comparaison

    res = comparer(_ecrire(tmp_path, LISTE_2018), nouveau)
    ecrits = ecrire_comparaison(res, tmp_path / "cmp")
    assert sorted(p.name for p in ecrits) == [
        "comparaison.csv",
        "comparaison.gpkg",
        "comparaison.xlsx",  # the two tables, one sheet each
        "comparaison_communes.csv",
        "parametres.json",
    ]
    couche = gpd.read_file(tmp_path / "cmp" / "comparaison.gpkg", layer="accord")
    assert couche.crs == "EPSG:2154" and len(couche) == 5
    assert couche.set_index("code").loc["62119", "accord_bas"] == "nouvelle seulement"
    # QGIS opens the layer in the maps' agreement classes
    from socle.geopaquet import lire_styles

    (style,) = [x for x in lire_styles(tmp_path / "cmp" / "comparaison.gpkg") if x["defaut"]]
    assert 'attr="accord_' in str(style["qml"])
    assert str(style["qml"]).count("<category ") == 4
    cartes = ecrire_cartes_comparaison(tmp_path / "cmp", ("html", "png"), autonome=False)
    page = cartes[0].read_text(encoding="utf-8")
    assert "seulement dans la nouvelle analyse (1)" in page and "<b>Bas</b>" in page
    assert cartes[1].stat().st_size > 10_000


def test_commande_comparer(nouveau, tmp_path, capsys):
    sortie = tmp_path / "cmp"
    argv = [
        "comparer",
        "--precedent",
        str(_ecrire(tmp_path, LISTE_2018)),
        "--nouveau",
        str(nouveau),
    ]
    assert main([*argv, "--sortie", str(sortie), "--cartes", "png"]) == 0
    texte = capsys.readouterr().out
    assert "Jaccard" in texte and "0,50" in texte
    assert (sortie / "carte_comparaison.png").is_file()
    vide = tmp_path / "rien"
    code = main(
        [
            "comparer",
            "--precedent",
            str(_ecrire(tmp_path, "", "vide.csv")),
            "--nouveau",
            str(nouveau),
            "--sortie",
            str(vide),
        ]
    )
    sortie_err = capsys.readouterr().err
    assert code == 2 and sortie_err.count("Erreur") == 1 and "est vide" in sortie_err
    assert not vide.exists()
