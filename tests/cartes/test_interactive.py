"""The interactive map: layers, legends, tooltips, sources, size, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from cartes import carte_interactive, ecrire_carte_html, lire_dossier
from socle.erreurs import DonneesInvalides, SansCRS

NOMS_COUCHES = [
    "Zones grises — proximité (seuil 10 min)",
    "Zones grises — intermédiaire (seuil 20 min)",
    "Zones grises — supérieur (seuil 30 min)",
    "Zones grises — métropolitain (seuil 60 min) : aucun pôle",
    "Espaces à enjeux d'éloignement (cumul des zones grises)",
    "Pôles métropolitains : aucun",
    "Pôles supérieurs (1)",
    "Pôles intermédiaires (2)",
    "Pôles de proximité (4)",
    "Limites des EPCI",
    "Limite du département",
    "Communes voisines (hors département)",
]


def _lisible(texte: str) -> str:
    """Undo the ``\\uXXXX`` escapes Folium's templates put in JavaScript strings."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), texte)


def _couches_du_controle(page: str) -> dict[str, str]:
    """Layer control entries: name -> JS variable, overlays only."""
    bloc = re.search(r"overlays :\s*\{(.*?)\},", page, re.S)
    assert bloc is not None
    return dict(re.findall(r'"([^"]+)"\s*:\s*(\w+)', _lisible(bloc.group(1))))


def _isochrones() -> gpd.GeoDataFrame:
    centre = Point(667_500, 7_017_500)
    return gpd.GeoDataFrame(
        {"temps_min": [5.0, 10.0], "source": ["Fontaine-lès-Arras", "Fontaine-lès-Arras"]},
        geometry=[centre.buffer(3000), centre.buffer(6000)],
        crs="EPSG:2154",
    )


def _bassins() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "pole": ["Fontaine-lès-Arras", "Chérisy-le-Grand", ""],
            "hors_bassin": [False, False, True],
        },
        geometry=[
            Point(665_000, 7_017_500).buffer(4000),
            Point(672_500, 7_022_500).buffer(4000),
            Point(677_500, 7_012_500).buffer(2000),
        ],
        crs="EPSG:2154",
    ).to_crs("EPSG:4326")


@pytest.fixture(scope="module")
def page(dossier_zg: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    carte = carte_interactive(dossier_zg, fond="uni")
    return str(carte.get_root().render())


def test_une_couche_par_niveau_et_les_autres(page: str) -> None:
    couches = _couches_du_controle(page)
    assert list(couches) == NOMS_COUCHES
    assert "base_layers : {" in page and "Fond uni" not in page  # no tiles at all
    assert "tile.openstreetmap.org" not in page and "basemaps.cartocdn" not in page


def test_une_legende_par_couche(page: str) -> None:
    legendes = re.findall(r'class=\\"zg-legende\\" data-couche=\\"([^"\\]+)\\"', page)
    couvertes = {nom for entree in legendes for nom in entree.split(" | ")}
    assert couvertes == {n.replace("'", "&#x27;") for n in NOMS_COUCHES} - {
        "Communes voisines (hors département)"
    }
    # each legend is tied to its layer(s) in the script that shows and hides it
    assert page.count("{couches: [") == len(legendes)
    for texte in (
        "pôle (0 min)",
        "10 à 20 min",
        "plus de 30 min",
        "zone grise : plus de 10 min",
        "aucun pôle atteignable",
        "4 niveaux (tous)",
        "pôle hors département",
    ):
        assert texte in page, texte
    # no commune is 5 minutes or less from a pole: the legends drop that empty class
    assert "5 min ou moins" not in page


def test_chiffres_et_note_du_niveau_sans_pole(page: str) -> None:
    assert "En zone grise : 3 communes, 505 habitants (2,2 % de la population" in page
    assert "Aucun pôle métropolitain dans la zone étudiée" in page


def test_infobulles_en_francais(page: str) -> None:
    for champ in ("Population : ", "EPCI : ", "Pôle le plus proche", "Temps", "Zone grise"):
        assert champ in page
    donnees = json.loads(re.search(r"ZG.communes = (\{.*?\});\n", page).group(1))  # type: ignore[union-attr]
    props = {f["properties"]["c"]: f["properties"] for f in donnees["features"]}
    assert len(props) == 12
    p = props["62012"]
    assert p["n"] == "Lattre-en-Ternois" and p["p"] == 95 and p["e"] == "246200002"
    assert p["t"] == [12.5, 24.0, 33.0, None]
    assert p["z"] == [1, 1, 1, 1] and p["g"] == 4
    assert p["k"] == [3, 4, 5, -1]
    assert p["pn"][:3] == ["Kerlin-sur-Scarpe", "Bus-lès-Artois", "Fontaine-lès-Arras"]
    assert p["pn"][3] is None
    zg = json.loads(re.search(r"var ZG = (\{.*?\});\n", page).group(1))  # type: ignore[union-attr]
    assert zg["epci"]["246200001"] == "Communauté de communes des Deux Vallées"
    assert zg["resume_epci"]["246200002"][0] == [
        "Proximité",
        3,
        505,
        pytest.approx(505 / 5615, abs=1e-4),
    ]


def test_coordonnees_arrondies(page: str) -> None:
    bloc = re.search(r"ZG.communes = (\{.*?\});\n", page).group(1)  # type: ignore[union-attr]
    nombres = re.findall(r"-?\d+\.(\d+)", bloc.split('"geometry"', 1)[1])
    assert nombres and max(len(d) for d in nombres) <= 5


def test_poles_avec_services_presents_et_manquants(page: str) -> None:
    assert "Services de la gamme présents : " in page and "Services manquants : " in page
    appel = re.search(r"ZG.poles\((\[\[.*?\]\]), (\[[^\]]*\]), couche\);", page)
    assert appel is not None
    poles = json.loads(appel.group(1))
    assert {p[3] for p in poles} == {"62006"}  # the first group drawn: supérieur
    assert poles[0][7] == 9 and poles[0][8] == 9
    tous = re.findall(r"ZG.poles\((\[.*?\]), \[", page)
    hors = [p for bloc in tous for p in json.loads(bloc) if p[4]]
    assert {p[3] for p in hors} == {"80002"}
    manquants = [p[6] for bloc in tous for p in json.loads(bloc) if p[6]]
    assert manquants  # the generator leaves some items missing


def test_titre_et_sources(page: str) -> None:
    assert "Zones grises des services au public — Pas-de-Calais (62)" in page
    assert "<title>Zones grises des services au public — Pas-de-Calais (62)</title>" in page
    assert "Base permanente des équipements 2013" in page
    assert "contributeurs d&#x27;OpenStreetMap, données du 20 novembre 2026" in page


def test_fond_de_tuiles(dossier_zg: Path) -> None:
    page = str(carte_interactive(dossier_zg).get_root().render())
    bases = re.search(r"base_layers : \{(.*?)\},", page, re.S).group(1)  # type: ignore[union-attr]
    assert re.findall(r'"([^"]+)"\s*:', bases) == ["Plan OpenStreetMap", "Fond uni (sans tuiles)"]
    assert "tile.openstreetmap.org" in page
    assert "Fond de carte : © les contributeurs d&#x27;OpenStreetMap" in page


def test_fond_inconnu(dossier_zg: Path) -> None:
    with pytest.raises(DonneesInvalides, match="Fond « satellite » inconnu"):
        carte_interactive(dossier_zg, fond="satellite")  # type: ignore[arg-type]


def test_isochrones_et_bassins(dossier_zg: Path) -> None:
    carte = carte_interactive(dossier_zg, fond="uni", isochrones=_isochrones(), bassins=_bassins())
    page = str(carte.get_root().render())
    couches = list(_couches_du_controle(page))
    assert couches.index("Isochrones") > couches.index("Pôles de proximité (4)")
    assert couches.index("Bassins de services") < couches.index("Limites des EPCI")
    assert "Autour de : Fontaine-lès-Arras" in page and "hors bassin : au-delà du seuil" in page
    assert "5 min ou moins" in page and "10 min ou moins" in page
    assert 'data-couche=\\"Isochrones\\"' in page
    assert 'data-couche=\\"Bassins de services\\"' in page


def test_isochrones_sans_crs(dossier_zg: Path) -> None:
    iso = _isochrones().set_crs(None, allow_override=True)
    with pytest.raises(SansCRS, match="« isochrones »"):
        carte_interactive(dossier_zg, isochrones=iso)


def test_bassins_sans_colonne(dossier_zg: Path) -> None:
    with pytest.raises(DonneesInvalides, match="hors_bassin"):
        carte_interactive(dossier_zg, bassins=_bassins().drop(columns="hors_bassin"))


def test_niveau_sans_zone_grise(copie_zg: Path) -> None:
    """A level where no commune is in zone grise: no outline layer, the map still builds."""
    d = lire_dossier(copie_zg)
    d.communes["zone_grise_superieur"] = False
    page = str(carte_interactive(d, fond="uni").get_root().render())
    assert page.count("className: 'zg-zone-grise'") == 3  # proximité, intermédiaire, métro


def test_fichier_html_autonome(dossier_zg: Path, faux_cache: Path, tmp_path: Path) -> None:
    chemin = ecrire_carte_html(dossier_zg, tmp_path / "sortie" / "carte.html", fond="uni")
    page = chemin.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", page)
    assert "cdn.jsdelivr.net" not in page
    assert [p.name for p in chemin.parent.iterdir()] == ["carte.html"]  # atomic: no leftover


def test_taille_raisonnable_et_simplification(dossier_zg: Path) -> None:
    """Wiggly commune outlines are simplified as one coverage: far fewer vertices, within
    the tolerance of the true outline, neighbours still sharing their edges."""
    import dataclasses

    import numpy as np
    import shapely

    d = lire_dossier(dossier_zg)

    def onduler(geometries: gpd.GeoSeries) -> gpd.GeoSeries:
        # a vertex every 20 m, moved by up to 8 m as a function of its position only: the
        # edge two neighbours share gets the same vertices on both sides
        def deplacer(c: np.ndarray) -> np.ndarray:
            return c + 8.0 * np.column_stack([np.sin(c[:, 1] / 37.0), np.sin(c[:, 0] / 41.0)])

        return gpd.GeoSeries(
            shapely.transform(shapely.segmentize(geometries.to_numpy(), 20.0), deplacer),
            crs=geometries.crs,
        )

    d = dataclasses.replace(
        d,
        communes=d.communes.set_geometry(onduler(d.communes.geometry)),
        voisines=d.voisines.set_geometry(onduler(d.voisines.geometry)),
    )
    brut = str(carte_interactive(d, fond="uni", tolerance_m=0).get_root().render())
    simple = str(carte_interactive(d, fond="uni").get_root().render())  # 30 m by default
    assert len(simple) < len(brut) < 2_000_000
    avant, apres = _communes_de_la_page(brut), _communes_de_la_page(simple)
    assert list(avant.index) == list(apres.index) == list(d.communes["code"])
    sommets_avant = shapely.get_num_coordinates(avant.to_numpy())
    sommets_apres = shapely.get_num_coordinates(apres.to_numpy())
    assert (sommets_apres * 5 < sommets_avant).all()
    ecarts = [a.hausdorff_distance(b) for a, b in zip(avant, apres, strict=True)]
    assert max(ecarts) <= 30.0 + 2.0  # the tolerance, plus the 1e-5° rounding of the page
    # still a coverage: no overlap, no gap between neighbours
    union = shapely.union_all(apres.to_numpy())
    assert apres.area.sum() == pytest.approx(union.area, rel=1e-4)
    assert union.area == pytest.approx(shapely.union_all(avant.to_numpy()).area, rel=1e-3)


def _communes_de_la_page(page: str) -> gpd.GeoSeries:
    """The commune polygons the page draws (``ZG.communes``), in Lambert-93, by code."""
    debut = page.index("ZG.communes = ") + len("ZG.communes = ")
    collection, _ = json.JSONDecoder().raw_decode(page, debut)
    entites = gpd.GeoDataFrame.from_features(collection["features"], crs="EPSG:4326")
    return entites.set_index(entites["c"]).geometry.to_crs("EPSG:2154")
