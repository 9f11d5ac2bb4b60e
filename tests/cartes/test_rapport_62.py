"""The Pas-de-Calais report written by the README's first command, read back.

The first command of the README (which CI runs before the tests) computes
``resultats/62`` (BPE 2013, straight-line times, ``--sensibilite``) and writes its report
in ``resultats/62/rapport``. These tests check that report against the folder's CSV files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from tests.cartes.lecture_rapport import RapportLu, lire_docx, lire_html, nombre
from tests.conftest import RACINE

pytestmark = pytest.mark.donnees

RESULTATS = RACINE / "resultats" / "62"
NIVEAUX = {"proximite": "Proximité", "intermediaire": "Intermédiaire", "superieur": "Supérieur"}
SERVICES = {
    "proximite": "services de proximité",
    "intermediaire": "services de niveau intermédiaire",
    "superieur": "services de niveau supérieur",
}


@pytest.fixture(scope="module")
def rapport_62() -> Path:
    dossier = RESULTATS / "rapport"
    if not all((dossier / f"rapport.{f}").is_file() for f in ("html", "pdf", "docx")):
        pytest.skip(
            f"rapport du 62 absent de {dossier} : lancez la première commande du README "
            "(zones-grises puis rapport, données de ../shared/data)"
        )
    return dossier


@pytest.fixture(scope="module", params=["html", "docx"])
def lu(rapport_62: Path, request: pytest.FixtureRequest) -> RapportLu:
    lecteur = lire_html if request.param == "html" else lire_docx
    return lecteur(rapport_62 / f"rapport.{request.param}")


def test_rapport_62_fait_de_ce_dossier(rapport_62: Path) -> None:
    """The annex's checksums are those of the folder's files as they are now."""
    lu = lire_html(rapport_62 / "rapport.html")
    fichiers = lu.tableau("Fichiers lus et leurs empreintes")
    empreintes = dict(
        zip(fichiers.colonne("Fichier"), fichiers.colonne("Empreinte SHA-256"), strict=True)
    )
    for nom in ("resume.csv", "resume_epci.csv", "zones_grises.csv", "parametres.json"):
        attendu = hashlib.sha256((RESULTATS / nom).read_bytes()).hexdigest()
        assert empreintes[f"62/{nom}"].replace(" ", "") == attendu, nom


def test_chiffres_du_62_egaux_aux_csv(lu: RapportLu) -> None:
    resume = pd.read_csv(RESULTATS / "resume.csv").set_index("niveau")
    epci = pd.read_csv(RESULTATS / "resume_epci.csv", dtype={"epci_code": str})
    table = pd.read_csv(RESULTATS / "zones_grises.csv", dtype={"code": str})
    cles = lu.tableau("Chiffres clés par niveau de services")
    assert [ligne[0] for ligne in cles.lignes] == list(NIVEAUX.values())
    for ligne, n in zip(cles.lignes, NIVEAUX, strict=True):
        r = resume.loc[n]
        assert [nombre(c) for c in ligne[2:5]] == [r["poles"], r["communes"], r["population"]]
        assert nombre(ligne[5]) == pytest.approx(round(100 * r["part_population"], 1))
    for n in NIVEAUX:
        t = lu.tableau(f"Zones grises des {SERVICES[n]} par EPCI")
        attendu = epci[epci["niveau"] == n]
        assert len(t.lignes) == len(attendu) == attendu["epci_code"].nunique()
        assert (
            sum(nombre(x) for x in t.colonne("Habitants en zone grise"))
            == attendu["population"].sum()
        )
        assert sum(nombre(x) for x in t.colonne("Habitants")) == table["population"].sum()
        t = lu.tableau(f"Communes en zone grise des {SERVICES[n]}")
        listees = table[f"zone_grise_{n}"].astype(str) == "True"
        if f"etat_{n}" in table.columns:  # with an error band, the uncertain ones are listed too
            listees |= table[f"etat_{n}"] == "incertaine"
        zg = table[listees].set_index("code")
        assert sorted(t.colonne("Code")) == sorted(zg.index)
        for code, temps in zip(t.colonne("Code"), t.colonne("Temps au pôle"), strict=True):
            assert nombre(temps) == zg.loc[code, f"temps_{n}_min"]


def test_pdf_du_62(rapport_62: Path) -> None:
    from pypdf import PdfReader

    pdf = PdfReader(rapport_62 / "rapport.pdf")
    n = len(pdf.pages)
    assert 15 <= n <= 60
    assert pdf.pages[1].extract_text().lstrip().startswith("Sommaire")
    assert f"Page {n} sur {n}" in pdf.pages[-1].extract_text()
    signets = [s.title.replace("\u00a0", " ") for s in pdf.outline if not isinstance(s, list)]
    attendus = ["Sommaire", "1 Synthèse", "2 Méthode", "3 Services de proximité (10 min)"]
    assert signets[:4] == attendus
    if (RESULTATS / "sensibilite.csv").is_file():
        assert "Sensibilité à la règle de pôle" in " ".join(signets)
