"""The access commands as the README runs them, on the real 62 data (BPE 2013):
``placement --service``, ``indicateur --population``, the README's table of results, and a
base folder written by an older version (its ``parametres.json`` without the source's
settings) replayed by ``placement --base``."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from accessibilite.cli import main
from tests.conftest import RACINE

pytestmark = pytest.mark.donnees


def _ligne_readme(debut: str) -> str:
    """The result cell of the README's table row starting with ``debut``."""
    for ligne in (RACINE / "README.md").read_text(encoding="utf-8").splitlines():
        if ligne.startswith(f"| {debut} |"):
            return ligne.split("|")[2].strip()
    raise AssertionError(f"ligne « {debut} » absente du README")


def _fr(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _entier(texte: str) -> int:
    return int(texte.replace(" ", "").replace("\u202f", ""))


def _erreur(capsys, argv) -> str:
    code = main(argv)
    sortie = capsys.readouterr()
    assert code == 2 and "Traceback" not in sortie.err
    (ligne,) = [x for x in sortie.err.splitlines() if x.startswith("Erreur")]
    return ligne


def _indicateur(sortie: Path, bpe: str, service: str, *options: str) -> Path:
    argv = ["indicateur", "--departement", "62", "--service", service, "--bpe", bpe]
    assert main([*argv, *options, "--sortie", str(sortie)]) == 0
    return sortie


@pytest.fixture(scope="module")
def medecin(tmp_path_factory, bpe_2013) -> Path:
    """Doctors, centre to centre (as ``placement`` computes its times), with the APL."""
    sortie = tmp_path_factory.mktemp("medecin")
    return _indicateur(sortie, bpe_2013, "medecin", "--apl", "--sans-temps-interne")


def test_chiffres_du_readme_indicateurs(medecin, bpe_2013, tmp_path):
    """The README's table of 62 results is what the commands give."""
    lignes = [
        (
            _indicateur(tmp_path / "m", bpe_2013, "medecin"),
            "habitants à plus de 10 min d'un médecin généraliste, avec le temps interne (défaut)",
        ),
        (medecin, "la même chose de centre à centre (`--sans-temps-interne`)"),
        (
            _indicateur(tmp_path / "p", bpe_2013, "pharmacie"),
            "habitants à plus de 10 min d'une pharmacie, avec le temps interne (défaut)",
        ),
        (
            _indicateur(tmp_path / "pc", bpe_2013, "pharmacie", "--sans-temps-interne"),
            "la même chose de centre à centre",
        ),
    ]
    for dossier, debut in lignes:
        resume = pd.read_csv(dossier / "resume.csv").iloc[0]
        trouve = re.fullmatch(
            r"([\d ]+) \(([\d,]+) %\), (\d+) communes(?: ; ([\d ]+) à ([\d ]+) habitants.*)?",
            _ligne_readme(debut),
        )
        assert trouve is not None, debut
        assert _entier(trouve[1]) == resume["population_au_dela_10"], debut
        assert trouve[2] == f"{100 * resume['part_au_dela_10']:.1f}".replace(".", ","), debut
        assert int(trouve[3]) == resume["communes_au_dela_10"], debut
        if trouve[4] is not None:  # the range the uncertainty of the times gives
            assert _entier(trouve[4]) == resume["population_au_dela_10_min"], debut
            assert _entier(trouve[5]) == resume["population_au_dela_10_max"], debut
    apl = pd.read_csv(medecin / "resume.csv").iloc[0]["apl_moyenne_pour_100000"]
    texte = _ligne_readme("APL médecins généralistes (BPE, défaut DREES)")
    assert texte.startswith(f"{apl:.1f}".replace(".", ",") + " pour 100 000 habitants")


def test_chiffres_du_readme_placement(dossier_62, tmp_path, capsys):
    argv = ["placement", "--base", str(dossier_62), "--niveau", "proximite", "-k", "3"]
    assert main([*argv, "--sortie", str(tmp_path / "pl")]) == 0
    propositions = pd.read_csv(tmp_path / "pl" / "placement.csv")
    parametres = json.loads((tmp_path / "pl" / "parametres.json").read_text(encoding="utf-8"))
    noms, gains = propositions["nom"], propositions["population_sortie"].map(_fr)
    part = f"{100 * propositions['part_zone_grise_cumulee'].iloc[-1]:.1f}".replace(".", ",")
    attendu = (
        f"1. {noms[0]} ({gains[0]} habitants sortis), 2. {noms[1]} ({gains[1]}), "
        f"3. {noms[2]} ({gains[2]}) : {part} % de la population en zone grise"
    )
    debut = (
        f"placement, niveau proximité ({parametres['communes_zone_grise']} communes, "
        f"{_fr(parametres['population_zone_grise'])} habitants en zone grise)"
    )
    assert _ligne_readme(debut) == attendu


def test_placement_service(medecin, bpe_2013, tmp_path, capsys):
    """``placement --service medecin --seuil 10``: a doctor in the first proposed commune
    takes out of the 10-minute zone exactly the population the proposal announces.
    ``placement`` computes centre to centre (no internal time), like the ``medecin``
    indicator it is compared with."""
    from poles.bpe import actualiser_codes, lire_bpe
    from poles.indicateurs import indicateur

    argv = ["placement", "--departement", "62", "--bpe", bpe_2013, "--service", "medecin"]
    argv += ["--seuil", "10", "-k", "3", "--sortie", str(tmp_path / "pl")]
    assert main(argv) == 0
    assert "Placement" in capsys.readouterr().out
    propositions = pd.read_csv(tmp_path / "pl" / "placement.csv", dtype={"code": str})
    parametres = json.loads((tmp_path / "pl" / "parametres.json").read_text(encoding="utf-8"))
    resume = pd.read_csv(medecin / "resume.csv").iloc[0]
    # the zone to serve is the indicator's: the communes beyond 10 min of a doctor
    assert parametres["communes_zone_grise"] == resume["communes_au_dela_10"]
    assert parametres["population_zone_grise"] == resume["population_au_dela_10"]
    assert parametres["service"]["nom"] == "medecin" and parametres["seuil_min"] == 10
    assert len(propositions) == 3 and propositions["population_sortie"].is_monotonic_decreasing
    indicateur_csv = pd.read_csv(medecin / "indicateur.csv", dtype={"code": str})
    sans = indicateur_csv.loc[indicateur_csv["nombre_equipements"] == 0, "code"]
    assert set(propositions["code"]) <= set(sans)  # candidates: communes without a doctor
    # add that doctor and compute the indicator again
    premier = propositions.iloc[0]
    equipements = actualiser_codes(lire_bpe(bpe_2013))
    ajout = pd.DataFrame({"code_commune": [premier["code"]], "typequ": ["D201"], "nombre": [1]})
    avec = indicateur(
        "62", pd.concat([equipements, ajout], ignore_index=True), "medecin", temps_interne=False
    )
    apres = avec.resume.iloc[0]
    assert (
        resume["population_au_dela_10"] - apres["population_au_dela_10"]
        == (premier["population_sortie"])
    )
    assert (
        resume["communes_au_dela_10"] - apres["communes_au_dela_10"]
        == (premier["communes_sorties"])
    )


def test_sous_population(bpe_2013, dossier_62, tmp_path):
    """``--population FICHIER --colonne-population NOM`` weights every result."""
    table = pd.read_csv(dossier_62 / "zones_grises.csv", dtype={"code": str})
    enfants = pd.DataFrame({"code": table["code"], "enfants": table["population"] // 13 + 1})
    enfants.to_csv(tmp_path / "enfants.csv", index=False, sep=";")
    argv = ["indicateur", "--departement", "62", "--service", "pharmacie", "--bpe", bpe_2013]
    argv += ["--population", str(tmp_path / "enfants.csv"), "--colonne-population", "enfants"]
    assert main([*argv, "--sortie", str(tmp_path / "s")]) == 0
    resultat = pd.read_csv(tmp_path / "s" / "indicateur.csv", dtype={"code": str})
    assert (
        resultat["enfants"].tolist()
        == enfants.set_index("code").loc[resultat["code"], "enfants"].tolist()
    )
    resume = pd.read_csv(tmp_path / "s" / "resume.csv").iloc[0]
    assert resume["population"] == enfants["enfants"].sum()
    au_dela = resultat["au_dela_10"]
    assert resume["population_au_dela_10"] == resultat.loc[au_dela, "enfants"].sum()
    moyenne = (resultat["enfants"] * resultat["temps_min"]).sum() / resultat["enfants"].sum()
    assert resume["temps_moyen_min"] == pytest.approx(moyenne, abs=0.01)


def _base_ancienne(dossier: Path, cible: Path, *, sans: str) -> Path:
    """A copy of a base folder as an older version wrote it: its parametres.json without
    ``source.<sans>``, and no manifest of the run (older versions wrote none)."""
    from socle.dossiers import MANIFESTE

    shutil.copytree(dossier, cible)
    (cible / MANIFESTE).unlink()
    parametres = json.loads((cible / "parametres.json").read_text(encoding="utf-8"))
    reglages = parametres["source"]
    if sans == "parametres":
        del reglages["parametres"]
    else:
        del reglages["parametres"][sans]
    (cible / "parametres.json").write_text(json.dumps(parametres), encoding="utf-8")
    return cible


def test_source_rebatie_depuis_un_ancien_parametres_json(bpe_2013, tmp_path, capsys):
    from accessibilite import SourceVolOiseau
    from poles.base import lire_base

    base = tmp_path / "base"
    argv = ["zones-grises", "--departement", "62", "--bpe", bpe_2013, "--cartes", "aucune"]
    argv += ["--vol-oiseau-a", "3", "--vol-oiseau-b", "1.1"]
    assert main([*argv, "--sortie", str(base)]) == 0
    ancienne = _base_ancienne(base, tmp_path / "ancienne", sans="parametres")
    # the coefficients are read back from the description of the older folder
    assert lire_base(ancienne).source == SourceVolOiseau(a_min=3.0, b_min_par_km=1.1)
    for dossier in (base, ancienne):
        argv = ["placement", "--base", str(dossier), "--niveau", "intermediaire", "-k", "2"]
        assert main([*argv, "--sortie", str(tmp_path / f"pl_{dossier.name}")]) == 0
    assert (tmp_path / "pl_ancienne" / "placement.csv").read_bytes() == (
        tmp_path / "pl_base" / "placement.csv"
    ).read_bytes()
    # a description without coefficients: one French line saying what to do
    parametres = json.loads((ancienne / "parametres.json").read_text(encoding="utf-8"))
    parametres["source"]["description"] = "estimation à vol d'oiseau"
    (ancienne / "parametres.json").write_text(json.dumps(parametres), encoding="utf-8")
    message = _erreur(capsys, ["placement", "--base", str(ancienne), "--niveau", "proximite"])
    assert "coefficients du vol d'oiseau non enregistrés" in message


def test_source_osm_d_un_ancien_parametres_json(bpe_2013, grille_62, tmp_path, capsys):
    """An older osm base did not record its graph file: the command asks for --reseau, and
    with it replays the base as the current format does."""
    _, graphe = grille_62
    base = tmp_path / "base"
    argv = ["zones-grises", "--departement", "62", "--bpe", bpe_2013, "--cartes", "aucune"]
    assert main([*argv, "--reseau", str(graphe), "--sortie", str(base)]) == 0
    ancienne = _base_ancienne(base, tmp_path / "ancienne", sans="fichier")
    placement = ["placement", "--niveau", "proximite", "-k", "2"]
    message = _erreur(capsys, [*placement, "--base", str(ancienne)])
    assert "--reseau FICHIER" in message
    assert main([*placement, "--base", str(base), "--sortie", str(tmp_path / "a")]) == 0
    argv = [*placement, "--base", str(ancienne), "--reseau", str(graphe)]
    assert main([*argv, "--sortie", str(tmp_path / "b")]) == 0
    assert (tmp_path / "a" / "placement.csv").read_bytes() == (
        tmp_path / "b" / "placement.csv"
    ).read_bytes()
