"""The suite's CI rule (tests/_ci.py): with CI=true a skipped test fails the run."""

from __future__ import annotations

import pytest

TESTS = """
import pytest

def test_saute():
    pytest.skip("Chromium absent")

@pytest.mark.facultatif(raison="demande une carte graphique")
def test_facultatif():
    pytest.skip("pas de carte graphique")

@pytest.mark.xfail(reason="bogue connu", strict=True)
def test_echec_attendu():
    assert False

def test_passe():
    pass
"""


@pytest.fixture
def projet(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_exemple=TESTS)
    return pytester


def test_en_ci_un_saut_echoue(projet: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    resultat = projet.runpytest("-p", "tests._ci", "-rA")
    resultat.assert_outcomes(passed=1, failed=1, skipped=1, xfailed=1)
    assert resultat.ret == pytest.ExitCode.TESTS_FAILED
    resultat.stdout.fnmatch_lines(["*test sauté en CI (CI=true) : Chromium absent*"])
    resultat.stdout.fnmatch_lines(["SKIPPED*pas de carte graphique*"])


def test_hors_ci_un_saut_reste_un_saut(
    projet: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    resultat = projet.runpytest("-p", "tests._ci")
    resultat.assert_outcomes(passed=1, skipped=2, xfailed=1)
    assert resultat.ret == pytest.ExitCode.OK


def test_module_saute_a_la_collecte(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        test_module="""
        import pytest
        pytest.importorskip("module_absent_de_test")

        def test_rien():
            pass
        """
    )
    monkeypatch.setenv("CI", "1")
    resultat = pytester.runpytest("-p", "tests._ci")
    assert resultat.ret != pytest.ExitCode.OK
    resultat.stdout.fnmatch_lines(["*module sauté en CI (CI=true)*module_absent_de_test*"])
    monkeypatch.setenv("CI", "false")
    assert pytester.runpytest("-p", "tests._ci").ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_facultatif_sans_raison_refuse(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        test_sans_raison="""
        import pytest

        @pytest.mark.facultatif
        def test_x():
            pass
        """
    )
    monkeypatch.delenv("CI", raising=False)
    resultat = pytester.runpytest("-p", "tests._ci")
    assert resultat.ret == pytest.ExitCode.USAGE_ERROR
    resultat.stderr.fnmatch_lines(["*facultatif demande sa raison*"])
