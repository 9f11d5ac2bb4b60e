"""Strict numbers where they enter: counts, coordinates, thresholds, CRS, node indices,
and strict JSON out. Each bad value is refused with how many there are and the first one."""

from __future__ import annotations

import argparse
import json
import math

import numpy as np
import pandas as pd
import pytest

from accessibilite.cli._base import liste_nombres, nombre_fini
from accessibilite.noyau.lieux import Lieux, placer
from accessibilite.noyau.matrice_distribuee import lire_noeuds
from accessibilite.noyau.taches import adresse_ordonnanceur
from poles.bpe import NOMBRE_MAX, lire_bpe
from poles.gammes import charger_gammes
from reseau import Graphe, construire_graphe
from reseau._pbf import verifier_fin_pbf
from socle.erreurs import DonneesInvalides, DonneesManquantes, ErreurReseau
from socle.fichiers import ecrire_json
from socle.territoire import verifier_crs_metrique
from tests.conftest import chemin_donnees
from tests.hostile._outils import limites_blocs, pbf_grille
from tests.reseau.conftest import OSM_MINI


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "cache"))


# --------------------------------------------------------------------------- BPE counts


def _csv(tmp_path, corps: str, entete: str = "DEPCOM;TYPEQU;NB_EQUIP"):
    f = tmp_path / "bpe.csv"
    f.write_text(f"{entete}\n{corps}", encoding="utf-8")
    return f


@pytest.mark.parametrize(
    ("valeur", "raison"),
    [
        ("3 équip.", "pas un nombre"),
        ("3,0", "virgule décimale"),
        ("-1", "négatif"),
        ("2.5", "pas un nombre entier"),
        (str(NOMBRE_MAX + 1), "au-delà de 100 000"),
        ("99999999999999999999999", "au-delà de 100 000"),
        ("inf", "pas un nombre fini"),
        ("nan", "pas un nombre"),
        ("0x10", "pas un nombre"),
        ("", "case vide"),
    ],
)
def test_compte_csv_refuse(tmp_path, valeur, raison):
    f = _csv(tmp_path, f"62041;D201;1\n62160;D201;{valeur}\n")
    with pytest.raises(DonneesInvalides, match=r"1 valeur invalide de NB_EQUIP") as err:
        lire_bpe(f, cache=False)
    assert "ligne 3" in str(err.value) and raison in str(err.value)


def test_comptes_csv_nombre_et_premier_exemple(tmp_path):
    f = _csv(tmp_path, "62041;D201;1\n62042;D201;x\n62043;D201;2\n62044;D201;-3\n62045;D201;y\n")
    with pytest.raises(DonneesInvalides, match="3 valeurs invalides") as err:
        lire_bpe(f, cache=False)
    assert "ligne 3 : « x »" in str(err.value)


def test_comptes_csv_acceptes(tmp_path):
    f = _csv(tmp_path, "62041;D201; 1 \n62041;D201;3.0\n62160;D201;0\n62160;B203;100000\n")
    t = lire_bpe(f, cache=False).set_index(["code_commune", "typequ"])["nombre"]
    assert t.to_dict() == {("62041", "D201"): 4, ("62160", "B203"): 100000, ("62160", "D201"): 0}


def test_comptes_de_nombreux_blocs(tmp_path):
    """Bad values spread over several blocks of the streamed reader are all counted."""
    lignes = ["62041;D201;1"] * 1_200_000
    for i in (10, 600_000, 1_199_999):
        lignes[i] = "62041;D201;-1"
    f = _csv(tmp_path, "\n".join(lignes) + "\n")
    with pytest.raises(DonneesInvalides, match="3 valeurs invalides") as err:
        lire_bpe(f, cache=False)
    assert "ligne 12 :" in str(err.value)


@pytest.mark.parametrize(
    ("valeur", "raison"),
    [
        ("3 équip.", "pas un nombre"),
        ("3,0", "virgule décimale"),
        (-1, "négatif"),
        (-0.5, "négatif"),
        (1.5, "pas un nombre entier"),
        (float("inf"), "pas un nombre fini"),
        (NOMBRE_MAX * 10, "au-delà"),
        (True, "un booléen"),
        ("1e3", "écriture non reconnue"),
    ],
)
def test_compte_xlsx_refuse(tmp_path, valeur, raison):
    f = tmp_path / "bpe.xlsx"
    pd.DataFrame(
        {"depcom": ["62001", "62002"], "Boulangerie": [2, 1], "Pharmacie": [None, valeur]}
    ).to_excel(f, index=False)
    with pytest.raises(DonneesInvalides, match="1 valeur invalide") as err:
        lire_bpe(f, cache=False)
    assert "cellule C3" in str(err.value) and "commune 62002" in str(err.value)
    assert raison in str(err.value)


def test_xlsx_cellules_vides_et_chiffres_en_texte(tmp_path):
    f = tmp_path / "bpe.xlsx"
    pd.DataFrame(
        {"depcom": ["62001", "62002", "62003"], "Boulangerie": ["  ", "4", None]}
    ).to_excel(f, index=False)
    t = lire_bpe(f, cache=False)
    assert t[["code_commune", "nombre"]].values.tolist() == [["62002", 4]]


def test_bpe_sans_aucun_equipement(tmp_path):
    with pytest.raises(DonneesInvalides, match="aucun équipement"):
        lire_bpe(_csv(tmp_path, ""), cache=False)


def test_lignes_mal_formees(tmp_path):
    f = _csv(tmp_path, "62041;D201;1\n62042;D201\n62043;D201;1;9\n")
    with pytest.raises(DonneesInvalides, match="2 lignes sans le bon nombre de champs"):
        lire_bpe(f, cache=False)


# --------------------------------------------------------------------------- coordinates


@pytest.mark.parametrize(
    ("x", "y"),
    [("abc", "50.1"), ("2.5", "95"), ("200", "50"), ("inf", "50"), ("1e999", "50"), ("nan", "1")],
)
def test_coordonnees_geographiques_refusees(tmp_path, x, y):
    f = _csv(
        tmp_path, f"62041;D201;2.7;50.3\n62160;D201;{x};{y}\n", "DEPCOM;TYPEQU;LONGITUDE;LATITUDE"
    )
    with pytest.raises(DonneesInvalides, match="1 valeur invalide de coordonnées") as err:
        lire_bpe(f, cache=False)
    assert "ligne 3" in str(err.value)


def test_coordonnees_lambert_et_vides(tmp_path):
    f = _csv(
        tmp_path,
        "62041;D201;684000,5;7019000\n62160;D201;;\n62161;D201;1e12;7e6\n",
        "DEPCOM;TYPEQU;LAMBERT_X;LAMBERT_Y",
    )
    with pytest.raises(DonneesInvalides, match="1 valeur invalide de coordonnées"):
        lire_bpe(f, cache=False)  # 1e12 m: a unit mistake
    f.write_text(
        "DEPCOM;TYPEQU;LAMBERT_X;LAMBERT_Y\n62041;D201;684000,5;7019000\n62160;D201;;\n",
        encoding="utf-8",
    )
    t = lire_bpe(f, cache=False)
    assert t["x"].iloc[0] == 684000.5 and math.isnan(t["x"].iloc[1])
    assert t.attrs["bpe"]["sans_coordonnees"] == 1 and t.attrs["bpe"]["crs"] == "EPSG:2154"


# --------------------------------------------------------------------------- thresholds


@pytest.mark.parametrize("seuil", ["nan", "inf", "-inf", "0", "-5", '"10"', "true"])
def test_seuil_de_gamme_refuse(tmp_path, seuil):
    f = tmp_path / "g.toml"
    f.write_text(
        f'[[niveau]]\nnom = "p"\nseuil_min = {seuil}\nitems = [{{nom = "b", typequ = "B203"}}]\n',
        encoding="utf-8",
    )
    with pytest.raises(DonneesInvalides, match="seuil_min doit être un nombre fini"):
        charger_gammes(f)


@pytest.mark.parametrize("texte", ["nan", "inf", "-inf", "NaN", "1,5", "dix", ""])
def test_option_nombre_fini(texte):
    with pytest.raises(argparse.ArgumentTypeError):
        nombre_fini(texte)


def test_option_nombres_acceptes():
    assert nombre_fini("1.5") == 1.5 and nombre_fini("-3") == -3.0
    assert liste_nombres("10,20.5") == [10.0, 20.5]
    with pytest.raises(argparse.ArgumentTypeError):
        liste_nombres("10,inf")


# --------------------------------------------------------------------------- JSON out


def test_json_strict(tmp_path):
    cible = tmp_path / "parametres.json"
    with pytest.raises(DonneesInvalides, match=r"gammes\.niveaux\.1\.seuil_min"):
        ecrire_json({"gammes": {"niveaux": [{"seuil_min": 10}, {"seuil_min": math.nan}]}}, cible)
    with pytest.raises(DonneesInvalides, match="tampon_km"):
        ecrire_json({"tampon_km": np.float64(np.inf)}, cible)
    assert not cible.exists() and list(tmp_path.iterdir()) == []
    ecrire_json({"a": 1.5, "b": [1, None]}, cible)
    assert json.loads(cible.read_text(encoding="utf-8")) == {"a": 1.5, "b": [1, None]}


# --------------------------------------------------------------------------- CRS


@pytest.mark.parametrize("crs", ["EPSG:2154", "EPSG:32631", "EPSG:5490"])
def test_crs_metriques_acceptes(crs):
    assert verifier_crs_metrique(crs) == crs


@pytest.mark.parametrize(
    ("crs", "motif"),
    [
        ("EPSG:4326", "n'est pas projeté"),
        ("EPSG:4171", "n'est pas projeté"),
        ("EPSG:2227", "pas en mètres"),
        ("EPSG:0", "inconnu"),
        ("", "inconnu"),
        (None, "inconnu"),
    ],
)
def test_crs_refuses(crs, motif):
    with pytest.raises(DonneesInvalides, match=motif):
        verifier_crs_metrique(crs)


def test_graphe_construit_en_degres_refuse():
    with pytest.raises(DonneesInvalides, match="n'est pas projeté"):
        construire_graphe(OSM_MINI, crs="EPSG:4326", cache=False)


def test_placer_refuse_un_reseau_en_degres():
    """A graph built before the check (coordinates in degrees) cannot place places: its
    2 km snapping limit would be 2,000 degrees, and no commune would ever be off it."""
    g = Graphe.depuis_arcs(
        [0, 1], [1, 0], [10.0, 10.0], 2, x=[2.70, 2.71], y=[50.2, 50.2], crs="EPSG:4326"
    )
    lieux = Lieux(np.array(["a"], dtype=object), np.array([684000.0]), np.array([7019000.0]))
    with pytest.raises(DonneesInvalides, match="Le CRS du réseau « EPSG:4326 » n'est pas projeté"):
        placer(g, lieux)


# --------------------------------------------------------------------------- PBF


def test_pbf_coupe_a_chaque_frontiere_de_bloc(tmp_path):
    entier = pbf_grille(tmp_path / "grille.osm.pbf")
    verifier_fin_pbf(entier)  # complete: nothing to say
    complet = construire_graphe(entier, cache=False)
    limites = limites_blocs(entier)
    coupe = tmp_path / "coupe.osm.pbf"
    for fin in limites[1:-1]:
        coupe.write_bytes(entier.read_bytes()[:fin])
        try:
            g = construire_graphe(coupe, cache=False)
        except ErreurReseau as exc:
            assert "tronqué" in str(exc) or "Aucune voie" in str(exc)
        else:  # never a partial graph
            assert g.n_arcs == complet.n_arcs, fin


def test_pbf_coupe_au_milieu_d_un_bloc(tmp_path):
    entier = pbf_grille(tmp_path / "grille.osm.pbf")
    coupe = tmp_path / "coupe.osm.pbf"
    coupe.write_bytes(entier.read_bytes()[:50_000])
    with pytest.raises(ErreurReseau, match="au milieu d'un bloc"):
        verifier_fin_pbf(coupe)


@pytest.mark.donnees
def test_pbf_reels_complets_acceptes():
    for nom in ("andorra.osm.pbf", "liechtenstein.osm.pbf"):
        verifier_fin_pbf(chemin_donnees("osm", nom))


@pytest.mark.donnees
def test_pbf_reel_coupe_dans_les_relations_garde_le_reseau_entier(tmp_path):
    """Cut in its relations (after every way) an extract still gives the whole network."""
    andorre = chemin_donnees("osm", "andorra.osm.pbf")
    limites = limites_blocs(andorre)
    coupe = tmp_path / "andorre.osm.pbf"
    coupe.write_bytes(andorre.read_bytes()[: limites[-2]])
    verifier_fin_pbf(coupe)


# --------------------------------------------------------------------------- node indices


@pytest.mark.parametrize(
    ("contenu", "motif"),
    [
        (b"3\n-1\n", "hors limites"),
        (b"3\n99999999999999999999999\n", "hors limites"),
        (b"3\n1.5\n", "pas un indice"),
        (b"\xff\xfe3\n", "ni un .npy ni un texte UTF-8"),
    ],
)
def test_fichier_de_noeuds_texte(tmp_path, contenu, motif):
    f = tmp_path / "noeuds.txt"
    f.write_bytes(contenu)
    with pytest.raises(DonneesInvalides, match=motif):
        lire_noeuds(f)


@pytest.mark.parametrize(
    "tableau",
    [np.array(["1", "2"]), np.array([1.0, 2.0]), np.array([True, False])],
    ids=["texte", "reels", "booleens"],
)
def test_npy_non_entier(tmp_path, tableau):
    f = tmp_path / "n.npy"
    np.save(f, tableau)
    with pytest.raises(DonneesInvalides, match="entiers attendus"):
        lire_noeuds(f)


def test_npy_tronque(tmp_path):
    f = tmp_path / "n.npy"
    np.save(f, np.arange(1000))
    f.write_bytes(f.read_bytes()[:200])
    with pytest.raises(DonneesInvalides, match="illisible"):
        lire_noeuds(f)


# --------------------------------------------------------------------------- Dask


def test_fichier_d_ordonnanceur_absent_sans_attente(tmp_path):
    with pytest.raises(DonneesManquantes, match="introuvable"):
        adresse_ordonnanceur(tmp_path / "absent.json")


def test_fichier_d_ordonnanceur_valide(tmp_path):
    f = tmp_path / "o.json"
    f.write_text(json.dumps({"address": "tcp://10.0.0.1:8786", "type": "Scheduler"}))
    assert adresse_ordonnanceur(f) == "tcp://10.0.0.1:8786"


def test_lieux_en_degres_ou_infinis_refuses():
    codes = np.array(["a", "b"], dtype=object)
    with pytest.raises(DonneesInvalides, match="Le CRS des lieux « EPSG:4326 »"):
        Lieux(codes, np.array([2.7, 2.8]), np.array([50.2, 50.3]), crs="EPSG:4326")
    with pytest.raises(DonneesInvalides, match=r"1 lieu.*infinies.*premier : b"):
        Lieux(codes, np.array([684000.0, np.inf]), np.array([7019000.0, 7019000.0]))
    sans_position = Lieux(codes, np.array([684000.0, np.nan]), np.array([7019000.0, np.nan]))
    assert len(sans_position) == 2  # an unknown position is allowed (off the network)
