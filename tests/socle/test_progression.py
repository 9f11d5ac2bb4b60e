"""The one progress protocol (socle.progression): what long functions report."""

from __future__ import annotations

from socle.progression import Barres, signaler


def test_signaler_sans_rappel_ne_fait_rien():
    signaler(None, "étape", 1, 2)  # no callback: nothing to call, no error


def test_signaler_transmet_etape_compte_total_et_unite():
    vus: list[tuple[str, int, int | None, str]] = []

    def rappel(etape: str, fait: int, total: int | None, *, unite: str = "") -> None:
        vus.append((etape, fait, total, unite))

    signaler(rappel, "lecture", 3, None)
    signaler(rappel, "Téléchargement de x.zip", 10, 20, unite="o")
    assert vus == [("lecture", 3, None, ""), ("Téléchargement de x.zip", 10, 20, "o")]


def test_barres_une_barre_par_etape_fermee_quand_complete(capsys):
    barres = Barres(actif=True)
    barres("lecture", 1, 4)
    premiere = barres._barre
    assert premiere is not None and premiere.total == 4 and premiere.n == 1
    barres("lecture", 2, 4)
    assert barres._barre is premiere  # same step: same bar
    barres("nettoyage", 0, 3)
    assert barres._barre is not premiere and premiere.disable  # closed on a new step
    barres("nettoyage", 3, 3)
    assert barres._barre is None  # complete: closed
    assert "nettoyage" in capsys.readouterr().err


def test_barres_inactives_hors_terminal(capsys):
    barres = Barres(actif=False)
    barres("lecture", 1, 2)
    assert barres._barre is None
    assert capsys.readouterr().err == ""
