"""Coverage of a territory by a network of sites, on hand-made communes (minutes = km).

Communes on a line in the Pas-de-Calais (Lambert-93 x = 600 km + position, y = 7000 km):
A 0, B 5, C 10, D 20, E 40 km in the département (EPCI e1: A B C; e2: D E), V at 60 km in
the buffer. With the straight-line source a = 0, b = 1, minutes = kilometres.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from accessibilite import SourceMatrice
from accessibilite.noyau.sources import SourceVolOiseau, accepte_points
from poles.couverture import (
    acces_sites,
    comparer_reseaux,
    couverture,
    placement_sites,
    seuils_objectif,
)
from poles.perimetre import choisir_perimetre
from poles.sites import lire_sites
from socle.erreurs import DonneesInvalides
from tests.poles._ligne import MINUTES_EGALES_KM
from tests.poles.test_sites import VERS_WGS84, communes, lon_lat


def _sites(tmp_path: Path, lignes: str, nom: str = "sites.csv") -> Path:
    chemin = tmp_path / nom
    chemin.write_text("nom;code_insee;lon;lat\n" + lignes, encoding="utf-8")
    return chemin


def _point(x_km: float) -> str:
    lon, lat = lon_lat(x_km)
    return f"{lon:.9f};{lat:.9f}"


def test_sites_par_code_la_commune_a_zero(tmp_path: Path) -> None:
    chemin = _sites(tmp_path, "Maison A;A;;\nMaison D;D;;\n")
    r = couverture(
        communes(), chemin, source=MINUTES_EGALES_KM, temps_interne=False, objectif_min=10
    )
    t = r.communes.set_index("code")
    assert t["temps_min"].to_dict() == {"A": 0.0, "B": 5.0, "C": 10.0, "D": 0.0, "E": 20.0}
    assert t["site_nom"].to_dict()["C"] == "Maison A"  # 10 km to A and D: the first wins
    assert t["au_dela_10"].tolist() == [False, False, False, False, True]
    assert t["depassement_objectif_min"].to_dict() == {"A": 0, "B": 0, "C": 0, "D": 0, "E": 10}
    resume = r.resume.iloc[0]
    assert resume["population"] == 2400 and resume["population_au_dela_10"] == 500
    assert resume["communes_au_dela_10"] == 1
    assert r.au_dela_objectif["code"].tolist() == ["E"]
    assert r.plus_eloignees["code"].tolist()[:2] == ["E", "C"]
    assert list(r.plus_eloignees.columns[4:6]) == ["site", "site_nom"]
    s = r.sites.set_index("id")
    assert s.loc["1", "communes_desservies"] == 3 and s.loc["1", "population_desservie"] == 1500
    assert s.loc["2", "population_dans_objectif"] == 400  # D in, E beyond
    assert s.loc["1", "site_le_plus_proche"] == "2"
    assert s.loc["1", "temps_site_le_plus_proche_min"] == 20.0
    assert r.parametres["objectif_min"] == 10 and r.parametres["seuils_min"] == [10.0]


def test_site_donne_par_un_point(tmp_path: Path) -> None:
    # a point 3 km east of B: the straight line from each commune centre to the point
    chemin = _sites(tmp_path, f"Antenne;;{_point(8.0)}\n")
    r = couverture(
        communes(), chemin, source=MINUTES_EGALES_KM, temps_interne=False, objectif_min=10
    )
    t = r.communes.set_index("code")["temps_min"]
    assert t.to_dict() == pytest.approx({"A": 8.0, "B": 3.0, "C": 2.0, "D": 12.0, "E": 32.0})
    # no commune is at 0: the point is not a commune centre
    assert r.communes["site"].tolist() == ["1"] * 5


def test_fichier_mixte(tmp_path: Path) -> None:
    chemin = _sites(tmp_path, f"Maison A;A;;\nAntenne;;{_point(32.0)}\n")
    r = couverture(
        communes(),
        chemin,
        source=MINUTES_EGALES_KM,
        temps_interne=False,
        objectif_min=9,
        seuils_min=[12.5],
    )
    t = r.communes.set_index("code")
    assert t["site_nom"].tolist() == ["Maison A", "Maison A", "Maison A", "Antenne", "Antenne"]
    assert t["temps_min"].tolist() == pytest.approx([0, 5, 10, 12, 8])
    assert t["au_dela_9"].tolist() == [False, False, True, True, False]
    assert t["au_dela_12_5"].tolist() == [False] * 5
    assert r.parametres["seuils_min"] == [9.0, 12.5]


def test_site_hors_perimetre_dessert_le_perimetre(tmp_path: Path) -> None:
    # the perimeter is EPCI e2 (D, E); sites in A (another EPCI) and in V (buffer commune)
    chemin = _sites(tmp_path, "Maison A;A;;\nMaison V;V;;\n")
    r = couverture(
        communes(),
        chemin,
        source=MINUTES_EGALES_KM,
        temps_interne=False,
        objectif_min=15,
        perimetre="e2",
    )
    t = r.communes.set_index("code")
    assert t.index.tolist() == ["D", "E"]  # results cover the perimeter only
    assert t["site_nom"].tolist() == ["Maison A", "Maison V"]
    assert t["temps_min"].tolist() == [20.0, 20.0]
    assert r.resume.iloc[0]["population"] == 900  # the perimeter's total
    assert r.resume_epci["epci_code"].tolist() == ["e2"]
    assert r.parametres["perimetre"]["communes"] == 2
    # the sites outside serve it; their catchments count only the perimeter's communes
    assert r.sites["population_desservie"].tolist() == [400, 500]
    assert set(r.voisines["code"]) == {"C"}  # within 10 km of the perimeter


def test_perimetres(tmp_path: Path) -> None:
    c = communes()
    assert choisir_perimetre(c, "B, D").codes == ("B", "D")
    assert choisir_perimetre(c, ["e1", "E"]).codes == ("A", "B", "C", "E")
    liste = tmp_path / "communes.txt"
    liste.write_text("D\nE\n", encoding="utf-8")  # codes are 5 characters in real life
    zone = tmp_path / "zone.geojson"
    gpd.GeoDataFrame(geometry=[box(604_000, 6_990_000, 621_000, 7_010_000)], crs=2154).to_file(zone)
    p = choisir_perimetre(c, str(zone))
    assert p.codes == ("B", "C", "D") and "zone.geojson" in p.description
    with pytest.raises(DonneesInvalides, match="V n'est ni une commune du département 62"):
        choisir_perimetre(c, "A,V")  # V is a buffer commune, not of the département
    with pytest.raises(DonneesInvalides, match="200069037 n'est ni une commune"):
        choisir_perimetre(c, "200069037")
    loin = tmp_path / "loin.geojson"
    gpd.GeoDataFrame(geometry=[box(0, 0, 10, 10)], crs=2154).to_file(loin)
    with pytest.raises(DonneesInvalides, match="ne contient le centre d'aucune commune"):
        choisir_perimetre(c, loin)


def test_matrice_ne_sert_que_les_sites_par_code(tmp_path: Path) -> None:
    codes = ["A", "B", "C", "D", "E", "V"]
    km = pd.Series({"A": 0, "B": 5, "C": 10, "D": 20, "E": 40, "V": 60})
    minutes = pd.DataFrame(
        np.abs(km.to_numpy()[:, None] - km.to_numpy()[None, :]) * 1.5, index=codes, columns=codes
    )
    source = SourceMatrice(minutes)
    assert not accepte_points(source) and accepte_points(MINUTES_EGALES_KM)
    par_code = _sites(tmp_path, "Maison A;A;;\nMaison E;E;;\n")
    r = couverture(communes(), par_code, source=source, objectif_min=15, temps_interne=False)
    assert r.communes["temps_min"].tolist() == [0.0, 7.5, 15.0, 30.0, 0.0]
    mixte = _sites(tmp_path, f"Maison A;A;;\nAntenne;;{_point(8.0)}\n", "mixte.csv")
    with pytest.raises(DonneesInvalides) as erreur:
        couverture(communes(), mixte, source=source, objectif_min=15, temps_interne=False)
    message = str(erreur.value)
    assert "ne connaît que des communes" in message and "« Antenne »" in message
    assert "code_insee" in message and "--source vol-oiseau" in message


def test_placement_gain_egal_au_recalcul_complet(tmp_path: Path) -> None:
    rng = np.random.default_rng(20)
    c = communes()
    # more communes, scattered around the line, with random populations
    extra = []
    for k in range(25):
        x, y = 600_000 + rng.uniform(0, 60_000), 7_000_000 + rng.uniform(-15_000, 15_000)
        extra.append(
            {
                "code": f"R{k:02d}",
                "nom": f"Commune R{k:02d}",
                "population": int(rng.integers(50, 3000)),
                "epci_code": "e2",
                "epci_nom": "E2",
                "departement": "62",
                "hors_departement": False,
                "centre": Point(x, y),
                "centre_source": "mairie",
                "geometry": box(x - 300, y - 300, x + 300, y + 300),
            }
        )
    c = gpd.GeoDataFrame(
        pd.concat([c, gpd.GeoDataFrame(extra, geometry="geometry", crs=2154)], ignore_index=True),
        crs=2154,
    )
    c["centre"] = gpd.GeoSeries(c["centre"].values, crs=2154)
    sites = _sites(tmp_path, f"Maison A;A;;\nAntenne;;{_point(30.0)}\n")
    candidats = tmp_path / "candidats.csv"
    candidats.write_text(
        "nom;code_insee;lon;lat\n"
        + "".join(f"Point {k};;{_point(rng.uniform(0, 60))}\n" for k in range(6))
        + "Commune R03;R03;;\nCommune E;E;;\n",
        encoding="utf-8",
    )
    objectif = 9.0
    source = SourceVolOiseau(a_min=1.0, b_min_par_km=1.0)
    for fichier in (None, candidats):
        resultat = placement_sites(
            c,
            sites,
            objectif,
            3,
            source=source,
            candidats=fichier,
            tampon_km=0,
            temps_interne=False,
        )
        props = resultat.propositions
        assert len(props) >= 2
        reseau = lire_sites(sites, communes=c)
        interieur = c[~c["hors_departement"]].reset_index(drop=True)
        avant = acces_sites(interieur, reseau, source, seuils_min=[objectif], objectif_min=objectif)
        pop = interieur["population"].to_numpy(dtype=float)
        au_dela = float(pop[avant["au_dela_9"].to_numpy(dtype=bool)].sum())
        lieux = lire_sites(fichier, communes=c) if fichier is not None else None
        for _, etape in props.iterrows():
            if lieux is None:
                ajout = pd.DataFrame({"nom": [etape["nom"]], "code_insee": [etape["code"]]})
            else:
                ligne = lieux[(lieux["nom"] == etape["nom"])].iloc[0]
                ajout = pd.DataFrame(
                    {"nom": [ligne["nom"]], "lon": [ligne["lon"]], "lat": [ligne["lat"]]}
                    if ligne["localisation"] == "point"
                    else {"nom": [ligne["nom"]], "code_insee": [ligne["code_insee"]]}
                )
            nouveau = lire_sites(ajout, communes=c)
            nouveau["id"] = f"n{etape['rang']}"
            reseau = pd.concat([reseau, nouveau.to_crs(reseau.crs)], ignore_index=True)
            apres = acces_sites(
                interieur, reseau, source, seuils_min=[objectif], objectif_min=objectif
            )
            au_dela_apres = float(pop[apres["au_dela_9"].to_numpy(dtype=bool)].sum())
            # the gain of each step equals a full recomputation with the site added
            assert etape["population_sortie"] == round(au_dela - au_dela_apres)
            au_dela = au_dela_apres
        assert props["population_sortie"].is_monotonic_decreasing


def test_comparaison_avec_et_sans_un_site(tmp_path: Path) -> None:
    chemin = _sites(tmp_path, "Maison A;A;;\nMaison D;D;;\n")
    ajout = _sites(tmp_path, "Maison E;E;;\n", "ajout.csv")
    r = comparer_reseaux(
        communes(),
        chemin,
        10,
        sans=["Maison D"],
        avec=ajout,
        source=MINUTES_EGALES_KM,
        temps_interne=False,
    )
    t = r.avant_apres.set_index("code")
    assert t["temps_avant_min"].tolist() == [0, 5, 10, 0, 20]
    assert t["temps_apres_min"].tolist() == [0, 5, 10, 20, 0]
    assert t.loc["D", "changement"] == "passe au-delà de l'objectif"
    assert t.loc["E", "changement"] == "revient dans l'objectif"
    assert t.loc["B", "changement"] == "inchangé"
    b = r.bilan.iloc[0]
    assert (b["population_au_dela_avant"], b["population_au_dela_apres"]) == (500, 400)
    assert b["sites_retires"] == "Maison D" and b["sites_ajoutes"] == "Maison E"
    with pytest.raises(DonneesInvalides, match="Rien à comparer"):
        comparer_reseaux(communes(), chemin, 10, source=MINUTES_EGALES_KM, temps_interne=False)


def test_objectif_ou_seuils_obligatoires() -> None:
    with pytest.raises(DonneesInvalides, match="--objectif 15"):
        seuils_objectif(None, None)
    with pytest.raises(DonneesInvalides, match="minutes > 0"):
        seuils_objectif(-5, None)
    assert seuils_objectif(15, [10, 15]) == (10.0, 15.0)


def test_indicateur_d_un_service_sur_un_perimetre() -> None:
    from poles.indicateurs import indicateur

    # médecins in Saint-Omer (in the CAPSO) and in Calais (outside): only the CAPSO reported
    equipements = pd.DataFrame(
        {"code_commune": ["62765", "62193"], "typequ": ["D201", "D201"], "nombre": [3, 9]}
    )
    r = indicateur(
        "62", equipements, "D201", seuils_min=[15], perimetre="200069037", temps_interne=False
    )
    t = r.communes.set_index("code")
    assert len(t) == 53 and r.resume.iloc[0]["population"] == 105_743
    assert t.loc["62765", "temps_min"] == 0 and (t["commune_equipee"] == "62765").all()
    assert r.resume_epci["epci_code"].tolist() == ["200069037"]
    assert r.parametres["perimetre"]["communes"] == 53
    with pytest.raises(DonneesInvalides, match="ni une commune du département 62"):
        indicateur("62", equipements, "D201", seuils_min=[15], perimetre="59350")


def test_reseau_routier_fait_main(tmp_path: Path) -> None:
    from accessibilite import SourceReseau
    from reseau import Graphe
    from reseau.accrochage import VITESSE_CONNECTEUR_KMH

    # a two-way road along the communes, a node every km, 60 s per km: minutes = km
    n = 61
    x = 600_000.0 + 1000.0 * np.arange(n)
    y = np.full(n, 7_000_000.0)
    debut = np.r_[np.arange(n - 1), np.arange(1, n)]
    fin = np.r_[np.arange(1, n), np.arange(n - 1)]
    graphe = Graphe.depuis_arcs(debut, fin, np.full(debut.size, 60.0), n, x=x, y=y, crs=2154)
    source = SourceReseau(graphe)
    lon_p, lat_p = VERS_WGS84.transform(632_000.0, 7_000_300.0)  # 300 m from the road
    lon_q, lat_q = VERS_WGS84.transform(650_000.0, 7_005_000.0)  # 5 km from it
    chemin = _sites(
        tmp_path,
        f"Maison A;A;;\nAntenne;;{lon_p:.9f};{lat_p:.9f}\nIsolée;;{lon_q:.9f};{lat_q:.9f}\n",
    )
    r = couverture(communes(), chemin, source=source, objectif_min=12, temps_interne=False)
    connecteur = 300 / (VITESSE_CONNECTEUR_KMH / 3.6) / 60  # 300 m from the road: 1.2 min
    t = r.communes.set_index("code")
    assert t["temps_min"].tolist() == pytest.approx(
        [0.0, 5.0, 10.0, round(12 + connecteur, 1), round(8 + connecteur, 1)]
    )
    assert t["site_nom"].tolist() == ["Maison A", "Maison A", "Maison A", "Antenne", "Antenne"]
    assert t["au_dela_12"].tolist() == [False, False, False, True, False]  # 13.2 min for D
    s = r.sites.set_index("nom")
    # 5 km from any road: off the network (never snapped to a far road), serves nobody
    assert s["hors_reseau"].tolist() == [False, False, True]
    assert s.loc["Isolée", "communes_desservies"] == 0
    assert r.parametres["sites_hors_reseau"] == ["Isolée"]
    assert s.loc["Maison A", "temps_site_le_plus_proche_min"] == round(32 + connecteur, 1)


def test_temps_interne_par_defaut(tmp_path: Path) -> None:
    chemin = _sites(tmp_path, "Maison A;A;;\nMaison E;E;;\n")
    sans = couverture(
        communes(), chemin, source=MINUTES_EGALES_KM, objectif_min=10, temps_interne=False
    )
    avec = couverture(communes(), chemin, source=MINUTES_EGALES_KM, objectif_min=10)
    ecart = avec.communes["temps_min"].to_numpy() - sans.communes["temps_min"].to_numpy()
    # every hand-made commune is the same 800 m square: the same internal time for all,
    # the site's own commune included (its inhabitants are not all at the town hall)
    assert ecart.min() > 0 and np.ptp(ecart) < 0.11
    assert avec.communes["temps_min"].iloc[0] > 0
    assert avec.parametres["temps"]["temps_interne"] is not None
    assert sans.parametres["temps"]["temps_interne"] is None
    # from site to site there is no commune's internal time
    assert (
        avec.sites["temps_site_le_plus_proche_min"].tolist()
        == sans.sites["temps_site_le_plus_proche_min"].tolist()
        == [40.0, 40.0]
    )
    # the band of the straight-line source gives each time its interval
    assert (avec.communes["temps_min_bas"] <= avec.communes["temps_min"]).all()
    assert (avec.communes["temps_min_haut"] >= avec.communes["temps_min"]).all()
