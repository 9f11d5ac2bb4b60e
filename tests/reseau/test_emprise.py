import geopandas as gpd
import pytest
import shapely

from reseau import (
    DonneesInvalides,
    DonneesManquantes,
    SansCRS,
    code_departement,
    contour_departement,
    crs_metrique,
    lire_polygone,
    polygone_wgs84,
    tamponner,
)


def test_contour_pas_de_calais():
    contour = contour_departement("62")
    xmin, ymin, xmax, ymax = contour.bounds
    assert 1.5 < xmin < 1.7 and 3.1 < xmax < 3.3 and 50.0 < ymin < 50.1 and 51.0 < ymax < 51.1
    assert contour.contains(shapely.Point(2.78, 50.29))  # Arras
    assert not contour.contains(shapely.Point(3.06, 50.63))  # Lille (59)
    assert contour_departement(62).equals(contour)


def test_contour_corse_et_outre_mer():
    assert contour_departement("2A").contains(shapely.Point(8.74, 41.93))  # Ajaccio
    assert contour_departement("974").contains(shapely.Point(55.45, -20.88))  # Saint-Denis


@pytest.mark.parametrize(
    ("code", "attendu"), [("62", "62"), (1, "01"), ("2a", "2A"), (" 974 ", "974")]
)
def test_code_departement(code, attendu):
    assert code_departement(code) == attendu


@pytest.mark.parametrize("code", ["00", "620", "97", "2C", "abc", ""])
def test_code_departement_invalide(code):
    with pytest.raises(DonneesInvalides, match="département"):
        code_departement(code)


@pytest.mark.parametrize(
    ("lon", "lat", "crs"),
    [
        (2.78, 50.29, "EPSG:2154"),  # Arras
        (8.74, 41.93, "EPSG:2154"),  # Ajaccio
        (1.52, 42.51, "EPSG:32631"),  # Andorra
        (9.52, 47.14, "EPSG:32632"),  # Liechtenstein
        (24.94, 60.17, "EPSG:32635"),  # Helsinki
        (55.45, -20.88, "EPSG:2975"),  # La Réunion
        (-61.53, 16.24, "EPSG:5490"),  # Guadeloupe
        (151.2, -33.9, "EPSG:32756"),  # Sydney
    ],
)
def test_crs_metrique(lon, lat, crs):
    assert crs_metrique(lon, lat) == crs


def test_tampon_en_metres():
    carre = shapely.box(2.0, 50.0, 2.1, 50.1)
    tampon = tamponner(carre, 20_000)
    assert tampon.contains(carre)
    # 20 km is about 0.18 degree of latitude
    assert tampon.bounds[3] - 50.1 == pytest.approx(20_000 / 111_200, rel=0.02)
    assert tamponner(carre, 0).equals(carre)
    with pytest.raises(DonneesInvalides):
        tamponner(carre, -1)


def test_lire_polygone(tmp_path):
    gdf = gpd.GeoDataFrame(geometry=[shapely.box(700_000, 7_000_000, 710_000, 7_010_000)], crs=2154)
    gdf.to_file(tmp_path / "zone.gpkg")
    poly = lire_polygone(tmp_path / "zone.gpkg")
    assert poly.bounds[0] == pytest.approx(3.0, abs=0.2)  # reprojected to lon/lat


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_couche_sans_crs(tmp_path):
    gdf = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)])
    gdf.to_file(tmp_path / "sans_crs.gpkg")
    with pytest.raises(SansCRS, match="CRS"):
        lire_polygone(tmp_path / "sans_crs.gpkg")
    with pytest.raises(SansCRS):
        polygone_wgs84(gdf)


def test_polygone_invalide(tmp_path):
    with pytest.raises(DonneesInvalides, match="EPSG:4326"):
        polygone_wgs84(shapely.box(700_000, 7_000_000, 710_000, 7_010_000))
    with pytest.raises(DonneesInvalides, match="polygone"):
        polygone_wgs84(shapely.Point(2, 50))
    with pytest.raises(DonneesManquantes):
        lire_polygone(tmp_path / "absent.gpkg")
    (tmp_path / "texte.gpkg").write_text("pas un geopackage", encoding="utf-8")
    with pytest.raises(DonneesInvalides, match="illisible"):
        lire_polygone(tmp_path / "texte.gpkg")
