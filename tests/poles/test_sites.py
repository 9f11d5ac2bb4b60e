"""Reading a network of sites: commune codes, points, addresses, mixed files, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Transformer
from shapely.geometry import Point

from poles.sites import PREFIXE_POINT, lieux_sites, lire_sites, retirer_sites
from socle.erreurs import DonneesInvalides, DonneesManquantes, ErreurTelechargement, SansCRS
from tests._ban import faux_ban
from tests._serveur_http import ServeurFichiers, port_ferme
from tests.poles._ligne import communes_ligne

#: communes on a line in the Pas-de-Calais (Lambert-93 x = 600 km + position, y = 7000 km)
X0_KM, Y_KM = 600.0, 7000.0
POSITIONS = {"A": 0, "B": 5, "C": 10, "D": 20, "E": 40, "V": 60}
VERS_WGS84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)


def communes() -> gpd.GeoDataFrame:
    return communes_ligne(
        {c: X0_KM + p for c, p in POSITIONS.items()},
        {"A": 1000, "B": 200, "C": 300, "D": 400, "E": 500, "V": 9999},
        {"A": "e1", "B": "e1", "C": "e1", "D": "e2", "E": "e2", "V": "x"},
        {"V"},
        {c: Y_KM for c in POSITIONS},
    )


def lon_lat(x_km: float) -> tuple[float, float]:
    lon, lat = VERS_WGS84.transform((X0_KM + x_km) * 1000.0, Y_KM * 1000.0)
    return float(lon), float(lat)


def _csv(tmp_path: Path, texte: str, nom: str = "sites.csv") -> Path:
    chemin = tmp_path / nom
    chemin.write_text(texte, encoding="utf-8")
    return chemin


def test_fichier_mixte_codes_et_points(tmp_path: Path) -> None:
    lon, lat = lon_lat(0.2)
    chemin = _csv(
        tmp_path,
        "nom;code_insee;lon;lat;horaires;telephone\n"
        "Maison A;A;;;lundi 9h-12h;0321\n"
        "\n"  # a blank line: skipped, the numbering of the next lines is kept
        f"Antenne;;{lon:.7f};{lat:.7f};;\n"
        f"Bureau E;E;;;mardi;\n",
    )
    sites = lire_sites(chemin, communes=communes())
    assert sites["id"].tolist() == ["1", "2", "3"]
    assert sites["localisation"].tolist() == ["commune", "point", "commune"]
    assert sites["ligne"].tolist() == [2, 4, 5]
    assert sites["code_insee"].tolist() == ["A", "A", "E"]  # the point lies in commune A
    assert sites["commune_nom"].tolist() == ["Commune A", "Commune A", "Commune E"]
    assert sites["horaires"].tolist() == ["lundi 9h-12h", "", "mardi"]
    assert sites["telephone"].tolist() == ["0321", "", ""]  # other columns are kept
    # a commune site sits exactly at the commune's centre; the point where it was given
    assert sites.geometry.iloc[0].equals(Point(600_000, 7_000_000))
    assert sites.geometry.iloc[1].x == pytest.approx(600_200, abs=0.01)
    lieux = lieux_sites(sites)
    assert list(lieux.codes) == ["A", PREFIXE_POINT + "2", "E"]
    assert sites.attrs["sites"]["localisation"] == {"commune": 2, "point": 1}


def test_geopackage_geometrie_dans_un_autre_crs(tmp_path: Path) -> None:
    couche = gpd.GeoDataFrame(
        {"Nom": ["Point", "Par code"], "id": ["p1", "c2"], "code_insee": [None, "D"]},
        geometry=[Point(605_000, 7_000_000), None],
        crs="EPSG:2154",
    ).to_crs("EPSG:3857")
    chemin = tmp_path / "sites.gpkg"
    couche.to_file(chemin, layer="sites")
    sites = lire_sites(chemin, communes=communes())
    assert sites["id"].tolist() == ["p1", "c2"]
    assert sites["localisation"].tolist() == ["point", "commune"]
    assert sites.geometry.iloc[0].x == pytest.approx(605_000, abs=0.05)
    assert sites.geometry.iloc[1].equals(Point(620_000, 7_000_000))
    sans_crs = tmp_path / "sans_crs.geojson"
    sans_crs.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"nom":"x"},'
        '"geometry":{"type":"Point","coordinates":[605000,7000000]}}]}',
        encoding="utf-8",
    )
    # a GeoJSON is WGS 84 by definition: metres there are a point outside France
    with pytest.raises(DonneesInvalides, match="hors de France"):
        lire_sites(sans_crs, communes=communes())


def test_code_ancien_et_code_de_toute_la_france(tmp_path: Path) -> None:
    chemin = _csv(tmp_path, "nom,code_insee\nAncienne,62294\nLille,59350\nRéunion,97411\n")
    sites = lire_sites(chemin)  # no communes given: the whole of France
    assert sites["code_insee"].tolist() == ["62295", "59350", "97411"]
    assert sites["commune_nom"].iloc[1] == "Lille"
    assert (sites["localisation"] == "commune").all()
    # Saint-Denis de La Réunion in Lambert-93 is far away but placed: the source decides
    assert np.isfinite(sites.geometry.x).all()


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        ("", "vide"),
        ("nom;code_insee\n", "aucune ligne"),
        ("libre;code_insee\nx;A\n", "colonne « nom » absente"),
        ("nom;commune\nx;A\n", "ni colonne code_insee"),
        ("nom\nx\n", "ni colonne code_insee"),
        ("nom;code_insee\nx;A\ny;ZZ999\n", "ligne 3 \\(y\\) : code commune « ZZ999 » inconnu"),
        ("nom;code_insee;lon;lat\nx;A;;\ny;;;\n", "ligne 3 \\(y\\) : ni code_insee"),
        ("nom;lon;lat\nx;50.7;2.25\n", "ligne 2 \\(x\\) : point hors de France"),
        ("nom;lon;lat\nx;abc;50\n", "ligne 2 \\(x\\) : point invalide"),
        ("nom;lon\nx;2.2\n", "lon sans lat"),
        ("nom;code_insee\n;A\n", "ligne 2 : site sans nom"),
        ("id;nom;code_insee\n1;x;A\n1;y;B\n", "ligne 3 : identifiant « 1 » déjà donné ligne 2"),
    ],
)
def test_entrees_invalides(tmp_path: Path, contenu: str, message: str) -> None:
    chemin = _csv(tmp_path, contenu)
    with pytest.raises(DonneesInvalides, match=message) as erreur:
        lire_sites(chemin, communes=communes())
    assert "\n" not in str(erreur.value)


def test_fichier_absent_ou_format_inconnu(tmp_path: Path) -> None:
    with pytest.raises(DonneesManquantes):
        lire_sites(tmp_path / "absent.csv")
    (tmp_path / "sites.xlsx").write_bytes(b"PK")
    with pytest.raises(DonneesInvalides, match="Format de fichier de sites non reconnu"):
        lire_sites(tmp_path / "sites.xlsx")
    couche = gpd.GeoDataFrame({"nom": ["x"]}, geometry=[Point(600_000, 7_000_000)])
    with pytest.raises(SansCRS):
        lire_sites(couche)


def test_retirer_des_sites(tmp_path: Path) -> None:
    chemin = _csv(tmp_path, "id,nom,code_insee\nm1,Maison A,A\nm2,Maison C,C\nm3,Maison C,E\n")
    sites = lire_sites(chemin, communes=communes())
    assert retirer_sites(sites, ["m1"])["id"].tolist() == ["m2", "m3"]
    assert retirer_sites(sites, ["commune e"])["id"].tolist() == ["m1", "m2"]  # its commune
    assert retirer_sites(sites, ["A", "m3"])["id"].tolist() == ["m2"]
    with pytest.raises(DonneesInvalides, match="désigne 2 sites : donnez leur id \\(m2, m3\\)"):
        retirer_sites(sites, ["Maison C"])
    with pytest.raises(DonneesInvalides, match="Site « Z » inconnu"):
        retirer_sites(sites, ["Z"])


# --- addresses, against a fake BAN service on 127.0.0.1 --------------------------------


@pytest.fixture
def ban(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "cache"))
    lon_b, lat_b = lon_lat(5.5)
    lon_x, lat_x = lon_lat(30.0)
    serveur = ServeurFichiers()
    url = serveur.repondre(
        "/search/csv/",
        faux_ban(
            {
                "1 place de la Mairie, B": (lon_b, lat_b, 0.91, "1 Place de la Mairie B", "B"),
                "Lieu-dit vague": (lon_x, lat_x, 0.42, "Vague (commune D)", "D"),
            }
        ),
    )
    yield url
    serveur.arreter()


def test_adresse_geocodee_avec_son_score(tmp_path: Path, ban: str) -> None:
    chemin = _csv(
        tmp_path,
        "nom;adresse;code_insee\nMaison B;1 place de la Mairie, B;\nMaison C;;C\n",
    )
    sites = lire_sites(chemin, communes=communes(), url_geocodage=ban)
    assert sites["localisation"].tolist() == ["adresse", "commune"]
    assert sites["score_geocodage"].iloc[0] == pytest.approx(0.91)
    assert sites["adresse_trouvee"].iloc[0] == "1 Place de la Mairie B"
    assert sites["code_insee"].iloc[0] == "B"
    assert sites.geometry.iloc[0].x == pytest.approx(605_500, abs=0.5)
    assert sites.attrs["sites"]["geocodage"]["url"] == ban


def test_adresses_sous_le_seuil_refusees_jamais_devinees(tmp_path: Path, ban: str) -> None:
    chemin = _csv(
        tmp_path,
        "nom;adresse;code_insee\n"
        "Maison B;1 place de la Mairie, B;\n"
        "Vague;Lieu-dit vague;D\n"  # found, but with a low score: refused, not put in D
        "Inconnue;Rue qui n'existe pas;\n",
    )
    with pytest.raises(DonneesInvalides) as erreur:
        lire_sites(chemin, communes=communes(), url_geocodage=ban)
    message = str(erreur.value)
    assert "2 adresse(s) refusée(s)" in message and "score inférieur à 0,6" in message
    assert (
        "ligne 3 (Vague) « Lieu-dit vague » : trouvé « Vague (commune D) », score 0,42" in message
    )
    assert "ligne 4 (Inconnue) « Rue qui n'existe pas » : introuvable" in message
    assert "\n" not in message


def test_seuil_abaisse_accepte_le_score(tmp_path: Path, ban: str) -> None:
    chemin = _csv(tmp_path, "nom;adresse\nVague;Lieu-dit vague\n")
    sites = lire_sites(chemin, communes=communes(), url_geocodage=ban, score_min=0.4)
    assert sites["score_geocodage"].iloc[0] == pytest.approx(0.42)
    assert sites["code_insee"].iloc[0] == "D"


def test_geocodage_injoignable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "cache"))
    chemin = _csv(tmp_path, "nom;adresse\nMaison;1 place de la Mairie, B\n")
    with pytest.raises(ErreurTelechargement, match="Géocodage des adresses impossible"):
        lire_sites(
            chemin,
            communes=communes(),
            url_geocodage=f"http://127.0.0.1:{port_ferme()}/search/csv/",
        )
