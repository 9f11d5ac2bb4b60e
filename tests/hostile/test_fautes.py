"""Everyday faults of issue 15, through the command line: each ends with exit code 2 and
one French line (never a traceback, never a wrong result with exit 0)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reseau import construire_graphe
from reseau.stockage import sauvegarder_graphe
from tests.cartes.generateur import dossier_exemple
from tests.conftest import chemin_donnees
from tests.hostile._outils import (
    echoue_proprement,
    lancer,
    limites_blocs,
    pbf_grille,
    reecrire_entete_graphe,
)
from tests.reseau.conftest import OSM_MINI


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def graphe_mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chemin = tmp_path_factory.mktemp("graphe") / "mini.graphe"
    return sauvegarder_graphe(construire_graphe(OSM_MINI, cache=False), chemin)


@pytest.fixture(scope="module")
def dossier_zg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dossier_exemple(tmp_path_factory.mktemp("zg") / "62")


def _zones_grises(bpe: Path, sortie: Path, *options: str) -> list[str]:
    return [
        "zones-grises",
        "--departement",
        "90",
        "--bpe",
        str(bpe),
        "--sortie",
        str(sortie),
        "--cartes",
        "aucune",
        *options,
    ]


# --------------------------------------------------------------------------- BPE files


@pytest.mark.parametrize(
    "contenu",
    [
        pytest.param(b"", id="vide"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 100, id="tronque"),
        pytest.param(b"depcom;Boulangerie\n62001;3\n", id="csv-renomme-en-xlsx"),
    ],
)
def test_classeur_bpe_illisible(tmp_path, capsys, contenu):
    bpe = tmp_path / "bpe.xlsx"
    bpe.write_bytes(contenu)
    echoue_proprement(
        _zones_grises(bpe, tmp_path / "r"), capsys, "Classeur BPE illisible", "bpe.xlsx"
    )
    assert not (tmp_path / "r").exists()


def test_classeur_bpe_reel_tronque(tmp_path, capsys):
    brut = chemin_donnees("bpe", "bpe2013.xlsx").read_bytes()
    bpe = tmp_path / "bpe2013.xlsx"
    bpe.write_bytes(brut[: len(brut) // 3])
    echoue_proprement(_zones_grises(bpe, tmp_path / "r"), capsys, "Classeur BPE illisible")


@pytest.mark.parametrize(
    ("valeur", "raison"),
    [
        ("3 équip.", "pas un nombre"),
        ("3,0", "virgule décimale"),
        (-2, "négatif"),
        (10**15, "au-delà de 100 000"),
        (2.5, "pas un nombre entier"),
    ],
)
def test_comptes_bpe_invalides_refuses(tmp_path, capsys, valeur, raison):
    bpe = tmp_path / "bpe.xlsx"
    pd.DataFrame(
        {
            "depcom": ["90010", "90001", "90002"],
            "Boulangerie": [1, None, 2],
            "Pharmacie": [1, valeur, 1],
        }
    ).to_excel(bpe, index=False)
    ligne = echoue_proprement(
        _zones_grises(bpe, tmp_path / "r"), capsys, "1 valeur invalide", "cellule C3", raison
    )
    assert "commune 90001" in ligne


def test_comptes_bpe_csv_invalides_comptes_et_premiere_ligne(tmp_path, capsys):
    bpe = tmp_path / "bpe.csv"
    bpe.write_text(
        "DEPCOM;TYPEQU;NB_EQUIP\n90010;B203;1\n90001;D301;3 équip.\n90002;D301;-1\n",
        encoding="utf-8",
    )
    echoue_proprement(
        _zones_grises(bpe, tmp_path / "r"), capsys, "2 valeurs invalides de NB_EQUIP", "ligne 3"
    )


# --------------------------------------------------------------------------- gammes


def test_gammes_pas_en_utf8(tmp_path, capsys):
    gammes = tmp_path / "gammes.toml"
    gammes.write_bytes(
        '[[niveau]]\nnom = "proximité"\nseuil_min = 10\nitems = [{nom = "boulangerie", '
        'typequ = "B203"}]\n'.encode("cp1252")
    )
    bpe = tmp_path / "bpe.csv"
    bpe.write_text("DEPCOM;TYPEQU;NB_EQUIP\n90010;B203;1\n", encoding="utf-8")
    echoue_proprement(
        _zones_grises(bpe, tmp_path / "r", "--gammes", str(gammes)), capsys, "pas en UTF-8"
    )


@pytest.mark.parametrize("seuil", ["nan", "inf", "-inf"])
def test_seuil_non_fini_dans_les_gammes(tmp_path, capsys, seuil):
    gammes = tmp_path / "gammes.toml"
    gammes.write_text(
        f'[[niveau]]\nnom = "p"\nseuil_min = {seuil}\nitems = [{{nom = "b", typequ = "B203"}}]\n',
        encoding="utf-8",
    )
    bpe = tmp_path / "bpe.csv"
    bpe.write_text("DEPCOM;TYPEQU;NB_EQUIP\n90010;B203;1\n", encoding="utf-8")
    echoue_proprement(
        _zones_grises(bpe, tmp_path / "r", "--gammes", str(gammes)),
        capsys,
        "seuil_min doit être un nombre fini",
    )
    assert not (tmp_path / "r").exists()


# --------------------------------------------------------------------------- options


@pytest.mark.parametrize(
    "options",
    [
        ["--tampon-km", "nan"],
        ["--tampon-km", "inf"],
        ["--source", "vol-oiseau", "--vol-oiseau-a", "nan"],
        ["--part-min", "inf"],
    ],
)
def test_option_non_finie(tmp_path, capsys, options):
    code, ligne = lancer(_zones_grises(tmp_path / "bpe.csv", tmp_path / "r", *options), capsys)
    assert code == 2 and "n'est pas un nombre fini" in ligne


def test_liste_de_temps_non_finie(tmp_path, capsys):
    code, ligne = lancer(
        ["isochrones", "--points", "p.gpkg", "--temps", "10,nan", "--sortie", "i.gpkg"], capsys
    )
    assert code == 2 and "nombres finis attendus" in ligne


# --------------------------------------------------------------------------- CRS


@pytest.mark.parametrize(
    ("crs", "motif"),
    [
        ("EPSG:999999", "inconnu de PROJ"),
        ("pas-un-crs", "inconnu de PROJ"),
        ("EPSG:4326", "n'est pas projeté"),
        ("EPSG:2227", "pas en mètres"),
    ],
)
def test_crs_du_reseau_refuse(tmp_path, capsys, crs, motif):
    echoue_proprement(
        [
            "reseau",
            "construire",
            "--pbf",
            str(OSM_MINI),
            "--crs",
            crs,
            "--sans-cache",
            "--sortie",
            str(tmp_path / "g.graphe"),
        ],
        capsys,
        motif,
    )
    assert not (tmp_path / "g.graphe").exists()


# --------------------------------------------------------------------------- damaged layers


def _abimer(gpkg: Path) -> None:
    brut = bytearray(gpkg.read_bytes())
    brut[100:4096] = b"\x00" * (4096 - 100)
    gpkg.write_bytes(bytes(brut))


@pytest.fixture
def zg_abime(dossier_zg: Path, tmp_path: Path) -> Path:
    copie = Path(shutil.copytree(dossier_zg, tmp_path / "62"))
    _abimer(copie / "zones_grises.gpkg")
    return copie


def test_bassins_sur_un_geopackage_abime(zg_abime, tmp_path, capsys):
    echoue_proprement(
        [
            "bassins",
            "--base",
            str(zg_abime),
            "--niveau",
            "proximite",
            "--sortie",
            str(tmp_path / "b.gpkg"),
        ],
        capsys,
        "GeoPackage",
        "abîmé",
    )


def test_carte_sur_un_geopackage_abime(zg_abime, tmp_path, capsys):
    echoue_proprement(
        ["carte", "--entree", str(zg_abime), "--format", "html", "--sortie", str(tmp_path / "c")],
        capsys,
        "GeoPackage",
        "abîmé",
    )


@pytest.mark.parametrize("option", ["--isochrones", "--bassins"])
def test_carte_avec_une_couche_abimee(dossier_zg, tmp_path, capsys, option):
    couche = tmp_path / "couche.gpkg"
    shutil.copy(dossier_zg / "zones_grises.gpkg", couche)
    couche.write_bytes(couche.read_bytes()[:3000])
    echoue_proprement(
        [
            "carte",
            "--entree",
            str(dossier_zg),
            "--format",
            "html",
            "--sortie",
            str(tmp_path / "c"),
            option,
            str(couche),
        ],
        capsys,
        "couche.gpkg illisible",
    )
    assert not (tmp_path / "c").exists()


# --------------------------------------------------------------------------- node files


def test_npy_d_objets_refuse_sans_etre_lu(graphe_mini, tmp_path, capsys):
    noeuds = tmp_path / "origines.npy"
    np.save(noeuds, np.array([{"code": 1}, "x"], dtype=object), allow_pickle=True)
    echoue_proprement(
        [
            "matrice",
            "--noeuds",
            "--reseau",
            str(graphe_mini),
            "--origines",
            str(noeuds),
            "--sortie",
            str(tmp_path / "m.parquet"),
        ],
        capsys,
        "origines.npy",
        "objets Python",
    )


# --------------------------------------------------------------------------- Dask


@pytest.mark.parametrize(
    "contenu",
    [
        pytest.param("", id="vide"),
        pytest.param("{pas du json", id="pas-json"),
        pytest.param("{}", id="sans-adresse"),
        pytest.param("[1, 2]", id="liste"),
        pytest.param('{"address": 8786}', id="adresse-nombre"),
    ],
)
def test_fichier_d_ordonnanceur_mal_forme(graphe_mini, tmp_path, capsys, contenu):
    pytest.importorskip("distributed")
    ordonnanceur = tmp_path / "ordonnanceur.json"
    ordonnanceur.write_text(contenu, encoding="utf-8")
    echoue_proprement(
        [
            "matrice",
            "--noeuds",
            "--reseau",
            str(graphe_mini),
            "--sortie",
            str(tmp_path / "m.parquet"),
            "--dask",
            str(ordonnanceur),
        ],
        capsys,
        "Fichier d'ordonnanceur Dask",
    )


# --------------------------------------------------------------------------- .graphe


@pytest.mark.parametrize(
    "dtype", ["|O", "<c16", "<U8", "pas-un-type", ">f4", "<f8"], ids=lambda d: d
)
def test_entete_graphe_type_non_pris_en_charge(graphe_mini, tmp_path, capsys, dtype):
    graphe = Path(shutil.copy(graphe_mini, tmp_path / "g.graphe"))

    def changer(entete):
        for d in entete["tableaux"]:
            if d["nom"] == "temps_s":
                d["dtype"] = dtype

    reecrire_entete_graphe(graphe, changer)
    echoue_proprement(["reseau", "info", str(graphe)], capsys, "non pris en charge", "temps_s")


def test_entete_graphe_forme_incoherente(graphe_mini, tmp_path, capsys):
    graphe = Path(shutil.copy(graphe_mini, tmp_path / "g.graphe"))

    def changer(entete):
        entete["tableaux"][0]["forme"] = [10**12]

    reecrire_entete_graphe(graphe, changer)
    echoue_proprement(["reseau", "info", str(graphe)], capsys, "incohérente")


# --------------------------------------------------------------------------- PBF


def test_pbf_coupe_entre_deux_blocs(tmp_path, capsys):
    entier = pbf_grille(tmp_path / "grille.osm.pbf")
    limites = limites_blocs(entier)
    coupe = tmp_path / "coupe.osm.pbf"
    coupe.write_bytes(entier.read_bytes()[: limites[-3]])  # two way blocks short
    echoue_proprement(
        [
            "reseau",
            "construire",
            "--pbf",
            str(coupe),
            "--sans-cache",
            "--sortie",
            str(tmp_path / "g.graphe"),
        ],
        capsys,
        "tronqué",
        "entre deux blocs",
    )
    assert not (tmp_path / "g.graphe").exists()


@pytest.mark.donnees
def test_pbf_reel_coupe_entre_deux_blocs(tmp_path, capsys):
    andorre = chemin_donnees("osm", "andorra.osm.pbf")
    limites = limites_blocs(andorre)
    for k in (len(limites) - 3, len(limites) - 4):  # after the 2nd and 1st full way blocks
        coupe = tmp_path / "andorre.osm.pbf"
        coupe.write_bytes(andorre.read_bytes()[: limites[k]])
        echoue_proprement(
            ["reseau", "construire", "--pbf", str(coupe), "--sans-cache", "--sortie", "x"],
            capsys,
            "entre deux blocs",
        )


# --------------------------------------------------------------------------- zip BPE


def test_archive_bpe_corrompue_en_cours_de_lecture(tmp_path, capsys):
    rng = np.random.default_rng(0)
    lignes = "".join(
        f"90010;B203;{x};{y}\n"
        for x, y in zip(rng.uniform(0, 1e6, 40_000), rng.uniform(6e6, 7e6, 40_000), strict=True)
    )
    archive = tmp_path / "bpe.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("bpe.csv", "DEPCOM;TYPEQU;LAMBERT_X;LAMBERT_Y\n" + lignes)
    brut = bytearray(archive.read_bytes())
    brut[len(brut) // 2 : len(brut) // 2 + 16] = b"\xff" * 16
    archive.write_bytes(bytes(brut))
    echoue_proprement(_zones_grises(archive, tmp_path / "r"), capsys, "Archive BPE corrompue")


def test_parametres_json_strict(tmp_path, capsys):
    bpe = tmp_path / "bpe.csv"
    bpe.write_text("DEPCOM;TYPEQU;NB_EQUIP\n90010;B203;1\n", encoding="utf-8")
    gammes = tmp_path / "gammes.toml"
    gammes.write_text(
        '[[niveau]]\nnom = "p"\nseuil_min = 10\nitems = [{nom = "b", typequ = "B203"}]\n',
        encoding="utf-8",
    )
    options = ("--gammes", str(gammes))
    assert lancer(_zones_grises(bpe, tmp_path / "r", *options), capsys)[0] == 0
    texte = (tmp_path / "r" / "parametres.json").read_text(encoding="utf-8")

    def refuser(constante: str) -> float:
        raise AssertionError(f"{constante} dans parametres.json")

    json.loads(texte, parse_constant=refuser)


# --------------------------------------------------------------------------- sites files


def test_sites_enregistres_par_un_tableur(tmp_path, capsys):
    # Windows-1252, semicolons, a code that lost its leading zero, a blank line, a lon/lat
    # pair with decimal commas: read as meant
    sites = tmp_path / "maisons.csv"
    sites.write_bytes(
        "nom;code_insee;lon;lat\r\n"
        "Maison d'Éperlecques;62297;;\r\n"
        ";;;\r\n"
        "Antenne de l'Ain;1001;;\r\n"
        "Point de Saint-Omer;;2,2522;50,7506\r\n".encode("cp1252")
    )
    sortie = tmp_path / "r"
    argv = ["indicateur", "--departement", "62", "--sites", str(sites), "--objectif", "15"]
    argv += ["--perimetre", "62765,62297", "--cartes", "aucune", "--sortie", str(sortie)]
    assert lancer(argv, capsys)[0] == 0
    lus = pd.read_csv(sortie / "sites.csv", dtype={"code_insee": str})
    assert lus["nom"].tolist() == [
        "Maison d'Éperlecques",
        "Antenne de l'Ain",
        "Point de Saint-Omer",
    ]
    assert lus["code_insee"].tolist() == ["62297", "01001", "62765"]
    assert lus["ligne"].tolist() == [2, 4, 5]


def test_sites_lon_lat_inverses(tmp_path, capsys):
    sites = tmp_path / "maisons.csv"
    sites.write_text("nom,lon,lat\nMaison,50.7506,2.2522\n", encoding="utf-8")
    argv = ["indicateur", "--departement", "62", "--sites", str(sites), "--objectif", "15"]
    echoue_proprement(
        [*argv, "--sortie", str(tmp_path / "r")], capsys, "ligne 2 (Maison)", "hors de France"
    )
    assert not (tmp_path / "r").exists()
