"""-v and -q before or after the sub-command, French log levels, quiet libraries."""

from __future__ import annotations

import logging

import pytest

from accessibilite.cli import construire_analyseur, main
from accessibilite.cli._base import configurer_journal
from tests.conftest import chemin_donnees


@pytest.mark.parametrize(
    ("argv", "verbeux", "silencieux"),
    [
        (["-v", "reseau", "info", "x.graphe"], 1, False),
        (["reseau", "info", "x.graphe", "-v"], 1, False),
        (["reseau", "info", "-vv", "x.graphe"], 2, False),
        (["-q", "carte", "--preparer"], 0, True),
        (["carte", "--preparer", "-q"], 0, True),
        (["zones-grises", "--departement", "62", "--silencieux"], 0, True),
        (["carte", "--preparer"], 0, False),
    ],
)
def test_options_avant_ou_apres_la_commande(argv, verbeux, silencieux):
    options = construire_analyseur().parse_args(argv)
    assert options.verbeux == verbeux
    assert options.silencieux is silencieux


def test_niveaux_en_francais_et_bibliotheques_muettes(capsys):
    configurer_journal(1)
    logging.getLogger("poles.essai").warning("Lacune de %.1f km²", 21.4)
    logging.getLogger("poles.essai").info("1.1.0 reste une version")
    logging.getLogger("pyogrio._io").info("Created 887 records")
    erreurs = capsys.readouterr().err
    assert "AVERTISSEMENT : Lacune de 21,4 km²" in erreurs
    assert "INFO : 1.1.0 reste une version" in erreurs
    assert "Created" not in erreurs  # library chatter only with -vv
    configurer_journal(2)
    logging.getLogger("pyogrio._io").info("Created 887 records")
    assert "INFO : Created 887 records" in capsys.readouterr().err
    configurer_journal(0, silencieux=True)
    logging.getLogger("poles.essai").warning("caché")
    logging.getLogger("poles.essai").error("montré")
    erreurs = capsys.readouterr().err
    assert "caché" not in erreurs and "ERREUR : montré" in erreurs
    configurer_journal(0)


@pytest.mark.donnees
def test_silencieux_apres_la_commande(tmp_path, capsys):
    bpe = chemin_donnees("bpe", "bpe2013.xlsx")
    argv = ["zones-grises", "--departement", "90", "--bpe", str(bpe), "--cartes", "aucune"]
    assert main([*argv, "--sortie", str(tmp_path / "a"), "-q"]) == 0
    sortie = capsys.readouterr()
    assert "…" not in sortie.err  # no step lines
    assert "Zones grises — Territoire de Belfort (90)" in sortie.out  # the result still shows
    # decimal commas in the summary a person reads
    assert "2,02 min + 1,32 min/km" in sortie.out and "2.02" not in sortie.out
    assert main([*argv, "--sortie", str(tmp_path / "b"), "-v"]) == 0
    erreurs = capsys.readouterr().err
    assert "… communes, équipements, pôles et temps d'accès" in erreurs
    assert "INFO : " in erreurs and "Created" not in erreurs
    configurer_journal(0)


@pytest.mark.donnees
def test_lecture_de_la_bpe_annoncee(tmp_path, monkeypatch, capsys):
    """The BPE read is announced when the file is parsed (not when it comes from the cache)."""
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "cache"))
    bpe = chemin_donnees("bpe", "bpe2013.xlsx")
    argv = ["zones-grises", "--departement", "90", "--bpe", str(bpe), "--cartes", "aucune"]
    assert main([*argv, "--sortie", str(tmp_path / "a")]) == 0
    assert "… lecture de la BPE bpe2013.xlsx (3,3 Mo) ; gardée ensuite en cache" in (
        capsys.readouterr().err
    )
    assert main([*argv, "--sortie", str(tmp_path / "b")]) == 0
    assert "lecture de la BPE" not in capsys.readouterr().err  # from the cache: quick
    configurer_journal(0)


def test_compilation_annoncee_une_fois(monkeypatch, caplog):
    from accessibilite.noyau import _dijkstra, routage
    from reseau.graphe import Graphe
    from socle.progression import JOURNAL_ETAPES

    graphe = Graphe.depuis_arcs([0, 1], [1, 2], [1.0, 2.0], 3)
    routage.plus_proche(graphe, [0])  # the kernel is compiled (or loaded) now
    assert _dijkstra.a_compiler() is False or not _dijkstra._NOYAUX[0].signatures
    monkeypatch.setattr(_dijkstra, "a_compiler", lambda: True)  # as on a fresh machine
    monkeypatch.setattr(routage, "_COMPILATION_ANNONCEE", [])
    caplog.clear()  # an announcement of a real first compilation above does not count
    with caplog.at_level(logging.INFO, logger=JOURNAL_ETAPES):
        routage.plus_proche(graphe, [0])
        routage.matrice_temps(graphe, [0])
    annonces = [r for r in caplog.records if getattr(r, "etape", False)]
    assert len(annonces) == 1
    assert "une seule fois" in annonces[0].getMessage()
