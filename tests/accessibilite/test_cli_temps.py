"""``accessibilite temps calibrer`` and the time options of the analyses, on the real Nord
reference (``../shared/data/reference/metric_acces_59.csv``) and on bad input."""

import json
import tomllib

import pandas as pd
import pytest

from accessibilite.cli import main
from tests.conftest import chemin_donnees


def _erreur(capsys, argv):
    code = main(argv)
    sortie = capsys.readouterr()
    assert code == 2
    lignes = [ligne for ligne in sortie.err.splitlines() if ligne.startswith("Erreur")]
    assert len(lignes) == 1 and "Traceback" not in sortie.err
    return lignes[0]


def test_mauvaises_references_une_ligne_et_code_2(tmp_path, capsys):
    bpe = tmp_path / "bpe.csv"
    bpe.write_text("DEPCOM;TYPEQU;NB_EQUIP\n59350;D301;3\n59009;D301;1\n", encoding="utf-8")
    ref = tmp_path / "ref.csv"
    base = ["temps", "calibrer", "--reference", str(ref), "--bpe", str(bpe)]
    base += ["--sortie", str(tmp_path / "cal.toml")]
    cas = [
        ("code;x\n59350;1\n", [], "aucune colonne utilisable"),
        ("code,acces_pharmacie_moy_min\n59350,2\n62001,3\n", [], "hors du département 59"),
        (
            "code,acces_pharmacie_moy_min,acces_decheterie_moy_min\n59350,2,3\n",
            ["--services", "decheterie"],
            "correspondance TYPEQU",
        ),
        ("code,acces_pharmacie_moy_min\n59350,-2\n", [], "négatifs"),
        ("code,acces_pharmacie_moy_min\n59350,inf\n", [], "infinies"),
        ("code,acces_pharmacie_moy_min\n59350,nan\n59009,1e400\n", [], "infinies"),
    ]
    for texte, options, message in cas:
        ref.write_text(texte, encoding="utf-8")
        assert message in _erreur(capsys, [*base, "--departement", "59", *options])
    ref.write_text("code,acces_pharmacie_moy_min\n59350,2\n", encoding="utf-8")
    assert "inconnu" in _erreur(capsys, [*base, "--departement", "99"])
    assert "--reseau" in _erreur(capsys, [*base, "--departement", "59", "--source", "osm"])
    assert not (tmp_path / "cal.toml").exists()


def test_zones_grises_matrice_en_secondes_refusee(tmp_path, capsys):
    bpe = chemin_donnees("bpe", "bpe2013.xlsx")
    matrice = tmp_path / "m.csv"
    matrice.write_text(
        "idSrc;idDst;duree;distance\n62001;62002;720;9\n62002;62001;730;9\n62001;62003;900;12\n",
        encoding="utf-8",
    )
    argv = ["zones-grises", "--departement", "62", "--bpe", str(bpe), "--cartes", "aucune"]
    argv += ["--matrice", str(matrice), "--sortie", str(tmp_path / "s")]
    assert "secondes" in _erreur(capsys, argv)


@pytest.mark.donnees
def test_calibrer_sur_la_reference_du_nord_puis_zones_grises(tmp_path, capsys):
    reference = chemin_donnees("reference", "metric_acces_59.csv")
    bpe = chemin_donnees("bpe", "bpe2013.xlsx")
    cal = tmp_path / "cal59.toml"
    argv = ["temps", "calibrer", "--reference", str(reference), "--departement", "59"]
    assert main([*argv, "--bpe", str(bpe), "--sortie", str(cal)]) == 0
    texte = capsys.readouterr().out
    assert "Calibration des temps de trajet" in texte and "acces_decheterie_moy_min" in texte
    assert "msp (6 communes équipées dans la BPE, 85 dans la référence)" in texte
    contenu = tomllib.loads(cal.read_text(encoding="utf-8"))
    a, b = contenu["vol_oiseau"]["a_min"], contenu["vol_oiseau"]["b_min_par_km"]
    assert 0 <= a < 2.02 and 1.0 < b < 1.5  # Metric-OSRM is faster than the default line
    avant, apres = contenu["erreurs"]["avant"], contenu["erreurs"]["apres"]
    assert apres["mae_min"] < avant["mae_min"] and abs(apres["biais_min"]) < abs(avant["biais_min"])
    observations = pd.read_csv(tmp_path / "cal59_observations.csv", dtype={"code": str})
    assert len(observations) == 15 * 266 and (tmp_path / "cal59.md").is_file()

    # the calibration in zones-grises: calibrated coefficients and band, recorded
    sortie = tmp_path / "62"
    argv = ["zones-grises", "--departement", "62", "--bpe", str(bpe), "--cartes", "aucune"]
    assert main([*argv, "--calibration", str(cal), "--sortie", str(sortie)]) == 0
    texte = capsys.readouterr().out
    assert "Calibration : calibration cal59.toml" in texte
    assert "selon l'incertitude des temps" in texte
    parametres = json.loads((sortie / "parametres.json").read_text())
    assert parametres["source"]["parametres"]["a_min"] == pytest.approx(a)
    assert parametres["temps"]["bande"]["bas_min"] == contenu["bande"]["bas_min"]
    resume = pd.read_csv(sortie / "resume.csv")
    assert (resume["communes_min"] <= resume["communes"]).all()
    assert (resume["communes"] <= resume["communes_max"]).all()
    # a calibration made for another source is refused
    matrice = tmp_path / "m.csv"
    matrice.write_text("origine,destination,minutes\n62001,62002,5\n", encoding="utf-8")
    message = _erreur(
        capsys,
        [
            *argv,
            "--calibration",
            str(cal),
            "--matrice",
            str(matrice),
            "--sortie",
            str(tmp_path / "x"),
        ],
    )
    assert "faite pour la source « vol-oiseau »" in message


@pytest.mark.donnees
def test_temps_interne_contre_les_communes_equipees_de_la_reference(tmp_path):
    """The default internal time against INSEE's ``_moy_min`` of equipped communes."""
    import numpy as np

    from poles.communes import charger_inventaire
    from poles.indicateurs import charger_services, nombre_par_commune
    from poles.temps import distances_internes

    reference = pd.read_csv(
        chemin_donnees("reference", "metric_acces_59.csv"), dtype={"code_insee": str}
    ).set_index("code_insee")
    communes, equipements = charger_inventaire(
        "59", chemin_donnees("bpe", "bpe2013.xlsx"), tampon_km=0
    )
    distances, _ = distances_internes(communes)
    services = charger_services()
    for nom, colonne in (("pharmacie", "pharmacie"), ("poste", "poste")):
        equipees = nombre_par_commune(equipements, services[nom]).index
        # equipped in the BPE and in the reference (a square at INSEE's 1-minute floor)
        codes = [
            c
            for c in reference.index
            if c in equipees and reference.loc[c, f"acces_{colonne}_min_min"] <= 1.0
        ]
        y = reference.loc[codes, f"acces_{colonne}_moy_min"].to_numpy()
        modele = 0.4 + 1.32 * distances.reindex(codes).to_numpy()
        assert len(codes) > 150
        assert np.mean(np.abs(modele - y)) < 0.6  # centre to centre (0 min) is ~1.9 off
        assert np.mean(np.abs(0 - y)) > 1.5
        assert abs(np.mean(modele - y)) < 0.25
