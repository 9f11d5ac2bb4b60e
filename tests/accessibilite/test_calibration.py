"""The calibration core: fits that recover known coefficients, folds by commune, errors,
bands from residuals, the calibration file, peak-hour factors on a graph."""

import numpy as np
import pytest

from accessibilite import Bande, Calibration, DonneesInvalides, ModeleTempsInterne
from accessibilite.noyau.calibration import (
    ClasseDensite,
    CoefficientsVolOiseau,
    Observations,
    ajuster_multiplicateurs,
    ajuster_vol_oiseau_obs,
    bande_depuis_residus,
    classes_densite,
    erreurs,
    lire_calibration,
    predire_vol_oiseau,
    texte_calibration,
    valider_croise,
)


def _observations(rng, n=1200, *, a=1.5, b=1.1, ai=0.8, bi=0.6, bruit=0.3, classes=None):
    """A synthetic reference: communes, nearest targets at 0 (holds it) to 25 km."""
    code = np.array([f"{59000 + i % 300:05d}" for i in range(n)])
    km = np.where(rng.uniform(size=n) < 0.2, 0.0, rng.uniform(0.5, 25, n))
    d = rng.uniform(0.3, 2.5, n)
    classe = np.zeros(n, dtype=np.int64) if classes is None else rng.integers(0, 3, n)
    a_k, b_k = (a, b) if classes is None else (np.asarray(c)[classe] for c in classes)
    vrai = np.where(km > 0, a_k + b_k * km, 0.0) + ai + bi * d
    ref = np.maximum(vrai + rng.normal(0, bruit, n), 0.0)
    return Observations(
        code=code,
        groupe=np.full(n, "service"),
        reference_min=ref,
        km=km,
        distance_interne_km=d,
        classe=classe,
    )


def test_ajustement_retrouve_a_b_et_le_temps_interne():
    obs = _observations(np.random.default_rng(0))
    coef = ajuster_vol_oiseau_obs(obs, temps_interne=True)
    assert coef.a_min[0] == pytest.approx(1.5, abs=0.1)
    assert coef.b_min_par_km[0] == pytest.approx(1.1, abs=0.01)
    assert coef.interne.a_min == pytest.approx(0.8, abs=0.1)
    assert coef.interne.b_min_par_km == pytest.approx(0.6, abs=0.08)


def test_ajustement_robuste_aux_equipements_changes():
    rng = np.random.default_rng(2)
    obs = _observations(rng)
    # a tenth of the observations: the nearest equipment closed or opened (±8 to 15 min)
    ref = obs.reference_min.copy()
    faux = rng.uniform(size=len(ref)) < 0.1
    ref[faux] += rng.choice([-1, 1], faux.sum()) * rng.uniform(8, 15, faux.sum())
    abime = Observations(
        obs.code, obs.groupe, np.maximum(ref, 0), obs.km, obs.distance_interne_km, obs.classe
    )
    coef = ajuster_vol_oiseau_obs(abime, temps_interne=True)
    assert coef.b_min_par_km[0] == pytest.approx(1.1, abs=0.05)
    assert coef.a_min[0] == pytest.approx(1.5, abs=0.4)


def test_ajustement_par_classe_de_densite():
    obs = _observations(
        np.random.default_rng(3), n=3000, classes=((2.5, 1.0, 0.3), (1.4, 1.2, 1.6))
    )
    coef = ajuster_vol_oiseau_obs(obs, n_classes=3, temps_interne=True)
    assert coef.a_min == pytest.approx((2.5, 1.0, 0.3), abs=0.2)
    assert coef.b_min_par_km == pytest.approx((1.4, 1.2, 1.6), abs=0.03)
    assert classes_densite(np.array([10.0, 250.0, 251.0, 5000.0])).tolist() == [0, 0, 1, 2]
    with pytest.raises(DonneesInvalides):
        classes_densite(np.zeros(1), [ClasseDensite("x", None), ClasseDensite("y", None)])


def test_ajustement_sans_temps_interne_ignore_les_communes_equipees():
    obs = _observations(np.random.default_rng(4), ai=0.0, bi=0.0)
    coef = ajuster_vol_oiseau_obs(obs)
    assert coef.interne is None
    assert (coef.a_min[0], coef.b_min_par_km[0]) == pytest.approx((1.5, 1.1), abs=0.1)
    pred = predire_vol_oiseau(obs, coef)
    assert (pred[obs.km == 0] == 0).all()
    with pytest.raises(DonneesInvalides, match="distances différentes"):
        ajuster_vol_oiseau_obs(obs.sous_ensemble(obs.km == 0))


def test_observations_refusent_les_temps_negatifs_ou_non_finis():
    for mauvais in (-1.0, np.inf, np.nan):
        with pytest.raises(DonneesInvalides, match="négatifs ou non finis"):
            Observations(
                np.array(["A"]),
                np.array(["s"]),
                np.array([mauvais]),
                np.ones(1),
                np.ones(1),
                np.zeros(1, dtype=np.int64),
            )


def test_validation_croisee_par_commune():
    codes = np.repeat(np.array([f"c{i}" for i in range(20)]), 3)
    vus: list[set[str]] = []

    def ajuster(masque):
        vus.append(set(codes[masque]))
        return set(codes[masque])

    def predire(appris, masque):
        # a commune of the test fold never belongs to the communes the model learnt from
        assert not set(codes[masque]) & appris
        return np.zeros(int(masque.sum()))

    pred = valider_croise(codes, ajuster, predire, plis=4, graine=7)
    assert len(vus) == 4 and np.isfinite(pred).all()
    assert all(len(v) == 15 for v in vus)  # 20 communes, 4 folds of 5
    with pytest.raises(DonneesInvalides, match="plis"):
        valider_croise(codes, ajuster, predire, plis=1)


def test_erreurs_et_bande_des_residus():
    e = erreurs(np.array([10.0, 12.0, 8.0, np.nan]), np.array([11.0, 11.0, 11.0, 5.0]))
    assert e.n == 3 and e.mae == pytest.approx(5 / 3) and e.biais == pytest.approx(-1.0)
    rng = np.random.default_rng(5)
    predit = np.concatenate([np.zeros(50), rng.uniform(0.1, 5, 500), rng.uniform(5, 10, 500)])
    residus = np.concatenate([np.full(50, 9.0), rng.uniform(-1, 1, 500), rng.uniform(-2, 3, 500)])
    bande = bande_depuis_residus(predit, predit + residus)
    # zero predictions left out; 0-5: ±1 → 10 %/90 % near ∓0.8; 5-10: near -1.5 / +2.5
    assert bande.bas_min[0] == pytest.approx(-0.8, abs=0.15)
    assert bande.haut_min[0] == pytest.approx(0.8, abs=0.15)
    assert bande.bas_min[1] == pytest.approx(-1.5, abs=0.3)
    assert bande.haut_min[1] == pytest.approx(2.5, abs=0.3)
    # no residual above 10 min: 10-20 repeats 5-10 (×1), 20-30 ×2, beyond 30 ×3
    assert bande.haut_min[2] == pytest.approx(bande.haut_min[1])
    assert bande.haut_min[3] == pytest.approx(2 * bande.haut_min[1], abs=0.002)
    assert bande.bas_min[4] == pytest.approx(3 * bande.bas_min[1], abs=0.002)


def test_fichier_de_calibration_aller_retour(tmp_path):
    cal = Calibration(
        source="vol-oiseau",
        vol_oiseau=(1.25, 1.05),
        classes=(
            (ClasseDensite("peu dense", 250.0), 1.5, 1.0),
            (ClasseDensite("dense", None), 0.5, 1.2),
        ),
        temps_interne=ModeleTempsInterne(1.6, 0.3),
        bande=Bande(bas_min=(-1.0, -2, -3, -4, -5), haut_min=(1.0, 2, 3, 4, 5)),
        meta={"reference": "/x/ref.csv", "departement": "59", "plis": 5},
    )
    chemin = tmp_path / "cal.toml"
    chemin.write_text(texte_calibration(cal, entete=["essai"]), encoding="utf-8")
    lu = lire_calibration(chemin)
    assert lu.vol_oiseau == cal.vol_oiseau and lu.temps_interne == cal.temps_interne
    assert lu.classes == cal.classes
    assert lu.bande.bas_min == cal.bande.bas_min and lu.meta["departement"] == "59"
    texte = chemin.read_text(encoding="utf-8")
    chemin.write_text(texte + "\n[inconnue]\nx = 1\n", encoding="utf-8")
    with pytest.raises(DonneesInvalides, match="clés inconnues"):
        lire_calibration(chemin)
    chemin.write_text(texte.split("[bande]")[0].replace("# Bande", "#"), encoding="utf-8")
    with pytest.raises(DonneesInvalides, match=r"\[bande\]"):
        lire_calibration(chemin)


def test_multiplicateurs_et_facteurs_d_heure_pleine_sur_un_graphe():
    from reseau import Graphe
    from reseau.recalage import appliquer_facteurs_pointe, facteurs_pointe

    # two arcs: a primary road (1 km at 64 km/h at peak, with a 3 s junction delay) and a
    # residential street (500 m at 19.5 km/h, no delay)
    longueur = np.array([1000.0, 500.0])
    vitesse = np.array([64.0, 19.5])
    delai = np.array([3.0, 0.0])
    temps = longueur / (vitesse / 3.6) + delai
    graphe = Graphe.depuis_arcs(
        [0, 1],
        [1, 2],
        temps,
        3,
        attributs_arcs={
            "longueur_m": longueur.astype(np.float32),
            "classe": np.array([4, 11], dtype=np.uint8),
            "vitesse_kmh": vitesse.astype(np.float32),
        },
    )
    anciens = facteurs_pointe()
    recale = appliquer_facteurs_pointe(graphe, {"primary": 0.64, "residential": 0.65})
    # primary: 0.80 → 0.64, its moving time × 1.25, the delay kept; residential unchanged
    assert recale.temps_s[0] == pytest.approx(56.25 * 1.25 + 3.0, rel=1e-5)
    assert recale.temps_s[1] == pytest.approx(temps[1], rel=1e-5)
    assert anciens["primary"] == 0.8
    assert recale.temps_s_inv[recale.arc_inv == 0][0] == recale.temps_s[0]
    with pytest.raises(DonneesInvalides, match="1,5"):
        appliquer_facteurs_pointe(graphe, {"primary": 2.0})
    # the multipliers of the time on each group are recovered from routes' decompositions
    rng = np.random.default_rng(6)
    groupes = rng.uniform(0, 10, (400, 4))
    reste = rng.uniform(0, 1, 400)
    ref = groupes @ np.array([0.9, 1.2, 1.5, 1.1]) + reste + rng.normal(0, 0.05, 400)
    x = ajuster_multiplicateurs(groupes, reste, ref)
    assert x == pytest.approx([0.9, 1.2, 1.5, 1.1], abs=0.02)


def test_prediction_avec_coefficients_par_classe():
    obs = Observations(
        np.array(["a", "b", "c"]),
        np.array(["s"] * 3),
        np.zeros(3),
        np.array([0.0, 10.0, 10.0]),
        np.array([1.0, 1.0, 1.0]),
        np.array([0, 0, 1]),
    )
    coef = CoefficientsVolOiseau((1.0, 2.0), (1.0, 0.5), ModeleTempsInterne(0.5, 1.0))
    assert predire_vol_oiseau(obs, coef).tolist() == pytest.approx([1.5, 12.5, 8.5])
