"""Result folders as one unit (socle.dossiers): whole or absent, never two runs mixed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from socle.dossiers import (
    MANIFESTE,
    Verrou,
    dossier_resultat,
    sceller,
    verifier_dossier,
)
from socle.erreurs import DonneesInvalides, ErreurEcriture

RACINE = Path(__file__).resolve().parents[2]


def _ecrire(dossier: Path, **fichiers: str) -> None:
    for nom, texte in fichiers.items():
        (dossier / nom.replace("_csv", ".csv")).write_text(texte, encoding="utf-8")


def _contenu(dossier: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(dossier.iterdir()) if p.is_file()}


def _restes(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".partiel-" in p.name or ".ancien-" in p.name)


def test_premier_resultat_scelle(tmp_path):
    final = tmp_path / "res"
    with dossier_resultat(final, commande="essai") as d:
        assert d != final and not final.exists()  # written aside, nothing final yet
        _ecrire(d, a_csv="1\n", b_csv="2\n")
    manifeste = verifier_dossier(final)
    assert manifeste is not None and manifeste["commande"] == "essai"
    assert sorted(manifeste["fichiers"]) == ["a.csv", "b.csv"]
    assert manifeste["fichiers"]["a.csv"]["taille"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]  # no lock, no temporary left


def test_dossier_existant_refuse_sans_ecraser(tmp_path):
    final = tmp_path / "res"
    with dossier_resultat(final, commande="essai") as d:
        _ecrire(d, a_csv="ancien\n")
    avant = _contenu(final)
    with (
        pytest.raises(ErreurEcriture, match=r"existe déjà.*--ecraser"),
        dossier_resultat(final, commande="essai"),
    ):
        pass
    assert _contenu(final) == avant


def test_ecraser_remplace_tout_le_dossier(tmp_path):
    final = tmp_path / "res"
    with dossier_resultat(final, commande="essai") as d:
        _ecrire(d, a_csv="ancien\n", sensibilite_csv="d'une autre règle\n")
    with dossier_resultat(final, commande="essai", ecraser=True) as d:
        _ecrire(d, a_csv="nouveau\n")
    # the previous run's extra file does not survive beside the new tables
    assert sorted(_contenu(final)) == [MANIFESTE, "a.csv"]
    assert _contenu(final)["a.csv"] == "nouveau\n"
    assert _restes(tmp_path) == []


def test_erreur_pendant_l_ecriture_garde_le_resultat_precedent(tmp_path):
    final = tmp_path / "res"
    with dossier_resultat(final, commande="essai") as d:
        _ecrire(d, a_csv="ancien\n")
    avant = _contenu(final)
    with (
        pytest.raises(KeyboardInterrupt),
        dossier_resultat(final, commande="essai", ecraser=True) as d,
    ):
        _ecrire(d, a_csv="moitié")
        raise KeyboardInterrupt
    assert _contenu(final) == avant
    assert _restes(tmp_path) == []


def test_completer_ne_touche_pas_l_original_avant_la_fin(tmp_path):
    final = tmp_path / "res"
    with dossier_resultat(final, commande="essai") as d:
        _ecrire(d, a_csv="table\n")
    avant = _contenu(final)
    with (
        pytest.raises(RuntimeError),
        dossier_resultat(final, commande="carte", completer=True) as d,
    ):
        assert (d / "a.csv").read_text() == "table\n"  # the existing files are there
        _ecrire(d, carte_csv="carte\n")
        sceller(d, commande="carte")  # even rewriting the manifest through the hard link
        raise RuntimeError("panne")
    assert _contenu(final) == avant  # original untouched, manifest included
    with dossier_resultat(final, commande="carte", completer=True) as d:
        _ecrire(d, carte_csv="carte\n")
    assert sorted(verifier_dossier(final)["fichiers"]) == ["a.csv", "carte.csv"]


def test_verifier_refuse_un_dossier_modifie_ou_incomplet(tmp_path, caplog):
    final = tmp_path / "res"
    with dossier_resultat(final, commande="zones-grises") as d:
        _ecrire(d, a_csv="1\n", b_csv="2\n")
    (final / "notes.txt").write_text("ajouté à la main")
    assert verifier_dossier(final) is not None  # an added file is only reported
    assert "notes.txt" in caplog.text
    (final / "a.csv").write_text("9\n")  # same size, other content
    with pytest.raises(DonneesInvalides, match=r"modifiés depuis le calcul : a\.csv"):
        verifier_dossier(final)
    assert verifier_dossier(final, empreintes=False) is not None
    (final / "b.csv").unlink()
    with pytest.raises(DonneesInvalides, match=r"absents : b\.csv"):
        verifier_dossier(final)


def test_sans_manifeste_le_dossier_est_accepte(tmp_path):
    (tmp_path / "a.csv").write_text("1\n")
    assert verifier_dossier(tmp_path) is None


def test_manifeste_illisible(tmp_path):
    (tmp_path / MANIFESTE).write_text("{pas du json")
    with pytest.raises(DonneesInvalides, match="Manifeste illisible"):
        verifier_dossier(tmp_path)


def test_un_fichier_a_la_place_du_dossier(tmp_path):
    (tmp_path / "res").write_text("x")
    with (
        pytest.raises(ErreurEcriture, match="est un fichier"),
        dossier_resultat(tmp_path / "res", commande="essai"),
    ):
        pass


def test_remplacement_interrompu_remis_en_place(tmp_path):
    # killed between "move the previous result aside" and "move the new one in"
    ancien = tmp_path / ".res.ancien-4242-abcd"
    ancien.mkdir()
    _ecrire(ancien, a_csv="précédent\n")
    sceller(ancien, commande="essai")
    temporaire = tmp_path / ".res.partiel-4242-abcd"
    temporaire.mkdir()
    _ecrire(temporaire, a_csv="nouveau mais non scellé\n")
    with (
        pytest.raises(ErreurEcriture, match="existe déjà"),
        dossier_resultat(tmp_path / "res", commande="essai"),
    ):
        pass
    assert _contenu(tmp_path / "res")["a.csv"] == "précédent\n"
    assert verifier_dossier(tmp_path / "res") is not None
    assert _restes(tmp_path) == []


_ECRIVAIN = """
import sys, time
from pathlib import Path
sys.path.insert(0, {racine!r})
from accessibilite.cli._base import main_protegee
from socle.dossiers import dossier_resultat

def travail():
    with dossier_resultat({final!r}, commande="essai", ecraser=True) as d:
        (d / "a.csv").write_text("moitié")
        Path({pret!r}).write_text("prêt")
        time.sleep(60)
    return 0

sys.exit(main_protegee(travail))
"""


def _lancer_ecrivain(tmp_path: Path, final: Path) -> tuple[subprocess.Popen[str], Path]:
    pret = tmp_path / "pret"
    code = _ECRIVAIN.format(racine=str(RACINE), final=str(final), pret=str(pret))
    processus = subprocess.Popen(
        [sys.executable, "-c", code], stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    limite = time.monotonic() + 60
    while not pret.exists():  # wait for the writer to be inside its folder, no fixed sleep
        assert processus.poll() is None, processus.communicate()
        assert time.monotonic() < limite
        time.sleep(0.02)
    return processus, pret


@pytest.mark.parametrize(("signal_envoye", "code_attendu"), [(signal.SIGTERM, 143), (2, 130)])
def test_signal_pendant_l_ecriture(tmp_path, signal_envoye, code_attendu):
    final = tmp_path / "res"
    with dossier_resultat(final, commande="essai") as d:
        _ecrire(d, a_csv="complet\n")
    avant = _contenu(final)
    processus, _ = _lancer_ecrivain(tmp_path, final)
    processus.send_signal(signal_envoye)
    _, erreurs = processus.communicate(timeout=60)
    assert processus.returncode == code_attendu
    assert "Interrompu" in erreurs and "Traceback" not in erreurs
    assert _contenu(final) == avant
    assert _restes(tmp_path) == [] and not (tmp_path / ".res.verrou").exists()


def test_sigkill_puis_relance(tmp_path):
    final = tmp_path / "res"
    with dossier_resultat(final, commande="essai") as d:
        _ecrire(d, a_csv="complet\n")
    avant = _contenu(final)
    processus, _ = _lancer_ecrivain(tmp_path, final)
    processus.kill()
    processus.communicate(timeout=60)
    assert _contenu(final) == avant  # the previous result is whole
    assert len(_restes(tmp_path)) == 1  # what the killed run left...
    with dossier_resultat(final, commande="essai", ecraser=True) as d:
        _ecrire(d, a_csv="relance\n")
    assert _restes(tmp_path) == []  # ...is removed by the next run
    assert _contenu(final)["a.csv"] == "relance\n"


def test_deux_calculs_sur_le_meme_dossier(tmp_path):
    final = tmp_path / "res"
    processus, _ = _lancer_ecrivain(tmp_path, final)
    try:
        with (
            pytest.raises(ErreurEcriture, match=rf"Un autre calcul écrit déjà.*{processus.pid}"),
            dossier_resultat(final, commande="essai", ecraser=True),
        ):
            pass
    finally:
        processus.send_signal(signal.SIGTERM)
        processus.communicate(timeout=60)
    assert not final.exists()  # the first run was stopped: nothing half-written


def test_verrou_libere_a_la_mort_du_processus(tmp_path):
    chemin = tmp_path / ".x.verrou"
    code = (
        f"import sys; sys.path.insert(0, {str(RACINE)!r}); import os, pathlib\n"
        "from socle.dossiers import Verrou\n"
        f"v = Verrou(pathlib.Path({str(chemin)!r}), quoi=pathlib.Path('x'), commande='essai')\n"
        "v.__enter__(); os.kill(os.getpid(), 9)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=False)
    assert json.loads(chemin.read_text())["commande"] == "essai"  # its file is left...
    with Verrou(chemin, quoi=tmp_path / "x", commande="suite"):  # ...but not its lock
        assert os.getpid() == json.loads(chemin.read_text())["pid"]
    assert not chemin.exists()
