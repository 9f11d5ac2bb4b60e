"""Matrices read as they come: Metric-OSRM tables, Odomatrix-like exports, any layout with
``--colonnes``, encodings, separators, quoted fields, and units checked."""

import numpy as np
import pytest

from accessibilite import DonneesInvalides, Lieux, SourceMatrice, lire_matrice
from accessibilite.noyau.import_matrice import lire_colonnes, verifier_vitesses

# Three communes on a line in Lambert-93, 8 km apart (metric x, y); their WGS84 points
# (computed once with pyproj) for the Metric tables.
CODES = ["62001", "62002", "62003"]
X = np.array([650_000.0, 658_000.0, 666_000.0])
Y = np.array([7_030_000.0, 7_030_000.0, 7_030_000.0])


def _lieux(codes=CODES, x=X, y=Y):
    return Lieux(np.array(codes, dtype=object), np.asarray(x, float), np.asarray(y, float))


def _lonlat():
    from pyproj import Transformer

    lon, lat = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True).transform(X, Y)
    return dict(zip(CODES, zip(lon, lat, strict=True), strict=True))


def _metric(sep=";", decimale=",", bom=False, echange=None, decalage_lon=0.0):
    """A Metric-OSRM table (metricOsrmTable) between the three communes, 12 min per 8 km."""
    points = _lonlat()
    if echange:  # the ids of two communes swapped, their points kept
        a, b = echange
        points[a], points[b] = points[b], points[a]
    points = {c: (lon + decalage_lon, lat) for c, (lon, lat) in points.items()}

    def nombre(x):
        return f"{x:.6f}".replace(".", decimale)

    entete = ["ID", "idSrc", "lonSrc", "latSrc", "idDst", "lonDst", "latDst", "duree", "distance"]
    lignes = [sep.join(entete)]
    k = 0
    for i, o in enumerate(CODES):
        for j, d in enumerate(CODES):
            if i == j:
                continue
            k += 1
            km = 10.0 * abs(i - j)
            valeurs = [str(k), o, nombre(points[o][0]), nombre(points[o][1]), d]
            valeurs += [nombre(points[d][0]), nombre(points[d][1]), nombre(1.2 * km), nombre(km)]
            lignes.append(sep.join(valeurs))
    return ("\ufeff" if bom else "") + "\n".join(lignes) + "\n"


def test_table_metric_avec_coordonnees_point_virgule_et_bom(tmp_path):
    f = tmp_path / "metric.csv"
    f.write_text(_metric(bom=True), encoding="utf-8")
    m = lire_matrice(f)
    assert m.attrs["format"] == "metric" and m.attrs["colonne_temps"] == "duree"
    assert m.loc["62001", "62002"] == pytest.approx(12.0)
    assert m.loc["62001", "62003"] == pytest.approx(24.0)
    assert list(m.attrs["coordonnees"].index) == CODES
    source = SourceMatrice.depuis_fichier(f)
    assert "Metric-OSRM" in source.description()
    temps, indice = source.plus_proche(_lieux(), _lieux(["62003"], X[2:], Y[2:]))
    assert temps.tolist() == pytest.approx([24 * 60.0, 12 * 60.0, 0.0])
    assert indice.tolist() == [0, 0, 0]


def test_table_metric_virgule_et_champs_entre_guillemets(tmp_path):
    texte = _metric(sep=",", decimale=".")
    lignes = texte.splitlines()
    # quote every field, and a decimal comma inside quotes in one row
    cites = [",".join(f'"{v}"' for v in ligne.split(",")) for ligne in lignes]
    cites[1] = cites[1].replace('"12.000000"', '"12,000000"')
    f = tmp_path / "metric.csv"
    f.write_text("\n".join(cites) + "\n", encoding="utf-8")
    m = lire_matrice(f)
    assert m.loc["62001", "62002"] == pytest.approx(12.0)
    assert m.shape == (3, 3)


def test_table_metric_identifiants_controles_par_les_coordonnees(tmp_path, caplog):
    f = tmp_path / "metric.csv"
    cibles = _lieux(["62002"], X[1:2], Y[1:2])
    # two ids swapped: their points lie 16 km from the commune of their code, reported
    f.write_text(_metric(echange=("62001", "62003")), encoding="utf-8")
    SourceMatrice.depuis_fichier(f).plus_proche(_lieux(), cibles)
    assert "2 identifiants à plus de 10 km" in caplog.text and "62001, 62003" in caplog.text
    # every point 70 km away: the ids are not these communes' codes
    f.write_text(_metric(decalage_lon=1.0), encoding="utf-8")
    with pytest.raises(DonneesInvalides, match="codes INSEE"):
        SourceMatrice.depuis_fichier(f).plus_proche(_lieux(), cibles)


def test_export_odomatrix_latin1_heures_de_pointe_par_defaut(tmp_path):
    texte = (
        "CODGEO_A;LIBGEO_A;CODGEO_B;LIBGEO_B;DIST_KM;TPS_HC;TPS_HP\n"
        "62001;Ablain-Saint-Nazaire;62002;Écoivres;9,8;9;11,5\n"
        "62002;Écoivres;62001;Ablain-Saint-Nazaire;9,8;9,2;12\n"
    )
    f = tmp_path / "odomatrix.csv"
    f.write_bytes(texte.encode("latin-1"))
    pointe = lire_matrice(f)
    assert pointe.attrs["format"] == "odomatrix" and pointe.attrs["encodage"] == "cp1252"
    assert pointe.loc["62001", "62002"] == 11.5 and pointe.attrs["colonne_temps"] == "TPS_HP"
    creuses = lire_matrice(f, periode="creuses")
    assert creuses.loc["62002", "62001"] == 9.2
    source = SourceMatrice.depuis_fichier(f)
    assert "Odomatrix, heures de pointe" in source.description()
    assert source.reglages == {"periode": "pointe"}


def test_colonnes_nommees_et_secondes_converties(tmp_path):
    f = tmp_path / "export.csv"
    f.write_text(
        "depart\tarrivee\tt_sec\tautre\n62001\t62002\t720\tx\n62002\t62001\t750\ty\n",
        encoding="utf-8",
    )
    with pytest.raises(DonneesInvalides, match="--colonnes"):
        lire_matrice(f)
    m = lire_matrice(f, colonnes="origine=depart,destination=arrivee,secondes=t_sec")
    assert m.loc["62001", "62002"] == 12.0 and m.loc["62002", "62001"] == 12.5
    with pytest.raises(DonneesInvalides, match="absente"):
        lire_matrice(f, colonnes="origine=depart,destination=arrivee,minutes=duree")


def test_lire_colonnes_refuse_les_formes_incompletes():
    assert lire_colonnes("origine=a, destination=b, heures=c, km=d").unite == "heures"
    for texte in ("origine=a,destination=b", "origine=a,minutes=c", "a=b,c=d", "origine"):
        with pytest.raises(DonneesInvalides, match="--colonnes"):
            lire_colonnes(texte)


def test_secondes_refusees_avec_la_distance_du_fichier(tmp_path):
    f = tmp_path / "secondes.csv"
    f.write_text(
        "origine;destination;minutes;km\n62001;62002;600;10\n62002;62003;720;12\n"
        "62001;62003;1260;21\n62003;62001;1200;20\n",
        encoding="utf-8",
    )
    with pytest.raises(DonneesInvalides, match="semblent être en secondes"):
        lire_matrice(f)


def test_secondes_refusees_centre_a_centre_a_la_premiere_utilisation(tmp_path):
    f = tmp_path / "secondes.csv"
    lignes = ["origine,destination,minutes"]
    for i, o in enumerate(CODES):
        for j, d in enumerate(CODES):
            if i != j:
                lignes.append(f"{o},{d},{abs(i - j) * 8 * 1.2 * 60:.0f}")
    f.write_text("\n".join(lignes) + "\n", encoding="utf-8")
    source = SourceMatrice.depuis_fichier(f)  # no distance in the file: checked when used
    with pytest.raises(DonneesInvalides, match="secondes"):
        source.matrice(_lieux(), _lieux())
    # the same values in minutes are plausible (40 km/h centre to centre)
    f.write_text("\n".join(lignes).replace(",576", ",9.6").replace(",1152", ",19.2") + "\n")
    assert SourceMatrice.depuis_fichier(f).matrice(_lieux(), _lieux())[0, 1] == 9.6 * 60


def test_heures_reconnues():
    km = np.array([10.0, 20.0, 30.0, 40.0])
    with pytest.raises(DonneesInvalides, match="en heures"):
        verifier_vitesses(km / 50.0, km)  # 50 km/h written in hours
    verifier_vitesses(km / 50.0 * 60.0, km)  # the same in minutes passes


def test_codes_a_quatre_chiffres_et_mauvaises_valeurs(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("origine;destination;minutes\n1001;1002;5\n1002;1001;6\n", encoding="utf-8")
    assert lire_matrice(f).loc["01001", "01002"] == 5.0  # leading zero lost in a spreadsheet
    for ligne, message in (
        ("62001;62002;-3", "négatifs"),
        ("62001;62002;inf", "infinies"),
        ("62001;62002;cinq", "non numériques"),
    ):
        f.write_text(f"origine;destination;minutes\n{ligne}\n62002;62001;6\n", encoding="utf-8")
        with pytest.raises(DonneesInvalides, match=message):
            lire_matrice(f)
    f.write_text("origine;destination;minutes\n62001;62002;5\n62001;62002;6\n", encoding="utf-8")
    with pytest.raises(DonneesInvalides, match="en double"):
        lire_matrice(f)


def test_cases_vides_d_un_tableur_ignorees(tmp_path):
    """Saved from Excel: BOM, ``;``, decimal commas, trailing empty columns and rows."""
    f = tmp_path / "m.csv"
    f.write_bytes(b"\xef\xbb\xbfcode;62001;62002;;\r\n62001;0;7,5;;\r\n62002;7,4;0;;\r\n;;;;\r\n")
    m = lire_matrice(f)
    assert m.attrs["format"] == "large"
    assert m.index.tolist() == m.columns.tolist() == ["62001", "62002"]
    assert m.to_numpy().tolist() == [[0.0, 7.5], [7.4, 0.0]]
    longue = tmp_path / "l.csv"
    longue.write_text("origine;destination;minutes;\n62001;62002;5;\n;;;\n", encoding="utf-8")
    assert lire_matrice(longue).loc["62001", "62002"] == 5.0
    # a named column is kept, even empty, and an unnamed one holding values too
    f.write_text("code;62001;62002;\n62001;0;7;x\n62002;7;0;\n", encoding="utf-8")
    with pytest.raises(DonneesInvalides):
        lire_matrice(f)


def test_format_non_reconnu_dit_quoi_faire(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("a;b;c\nx;y;z\n", encoding="utf-8")
    with pytest.raises(DonneesInvalides, match="--colonnes origine="):
        lire_matrice(f)
