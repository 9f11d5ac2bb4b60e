"""The report from hand-made folders: sections, figures, tables, numbers, PDF, DOCX, errors.

One full report (maps, the three formats) is built once from the folders of
:mod:`tests.cartes.generateur_rapport`; the other tests build small HTML-only reports.
Numbers are read back from the HTML and the DOCX as a reader sees them (French formatting)
and compared with the CSV files of the folders.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from accessibilite.cli import main
from cartes.rapport import (
    VERSIONS_LUES,
    OptionsRapport,
    ResultatRapport,
    ecrire_rapport,
    type_dossier,
)
from cartes.rapport._commun import entier, minutes, pluriel, pourcent
from tests.cartes.generateur_rapport import (
    NIVEAUX_RAPPORT,
    dossiers_rapport,
    ecrire_indicateur,
    marquer,
)
from tests.cartes.lecture_rapport import RapportLu, lire_docx, lire_html, nombre

pytest.importorskip("weasyprint", reason="WeasyPrint absent : pip install -e '.[rapport]'")
pytest.importorskip("docx", reason="python-docx absent : pip install -e '.[rapport]'")

DATE = dt.date(2026, 11, 30)
LIBELLES = {"proximite": "Proximité", "intermediaire": "Intermédiaire", "superieur": "Supérieur"}
SERVICES = {
    "proximite": "services de proximité",
    "intermediaire": "services de niveau intermédiaire",
    "superieur": "services de niveau supérieur",
}
#: Pages of the full report of the hand-made folders: cover, contents, summary (key figures
#: and overlay map), method (3 pages), one chapter of 2 pages per level (the A4 map with the
#: chapter's title, then the tables), indicators (2), sensitivity (1), comparison (1),
#: scenarios (1), annex (1).
PAGES_ATTENDUES = 18


@pytest.fixture(scope="module")
def dossiers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return dossiers_rapport(tmp_path_factory.mktemp("rapport"))


@pytest.fixture(scope="module")
def complet(dossiers: dict[str, Path]) -> ResultatRapport:
    """The full report: maps, every section, the three formats."""
    return ecrire_rapport(
        dossiers["base"],
        avec=[dossiers["scenario"], dossiers["precedente"]],
        sortie=dossiers["base"].parent / "rapport_complet",
        date=DATE,
    )


@pytest.fixture(scope="module")
def html(complet: ResultatRapport) -> RapportLu:
    return lire_html(complet.fichiers["html"])


@pytest.fixture(scope="module")
def word(complet: ResultatRapport) -> RapportLu:
    return lire_docx(complet.fichiers["docx"])


def _copie(dossiers: dict[str, Path], tmp_path: Path) -> Path:
    """A writable copy of the base, without its indicator sub-folder."""
    copie = Path(shutil.copytree(dossiers["base"], tmp_path / "62"))
    shutil.rmtree(copie / "indicateur_medecin")
    return copie


# ---- content ---------------------------------------------------------------------------

TITRES_ATTENDUS = [
    (1, "1 Synthèse"),
    (1, "2 Méthode"),
    (2, "2.1 Sources et millésimes"),
    (2, "2.2 Gammes de services"),
    (2, "2.3 Règle de pôle par niveau"),
    (2, "2.4 Seuils de temps et zones grises"),
    (2, "2.5 Limites"),
    (1, "3 Services de proximité (10\u00a0min)"),
    (2, "3.1 Résumé"),
    (2, "3.2 Par intercommunalité (EPCI)"),
    (2, "3.3 Pôles"),
    (2, "3.4 Communes en zone grise"),
    (1, "4 Services de niveau intermédiaire (20\u00a0min)"),
    (2, "4.1 Résumé"),
    (2, "4.2 Par intercommunalité (EPCI)"),
    (2, "4.3 Pôles"),
    (2, "4.4 Communes en zone grise"),
    (1, "5 Services de niveau supérieur (30\u00a0min)"),
    (2, "5.1 Résumé"),
    (2, "5.2 Par intercommunalité (EPCI)"),
    (2, "5.3 Pôles"),
    (2, "5.4 Communes en zone grise"),
    (1, "6 Accès aux services : indicateurs"),
    (2, "6.1 Médecin généraliste (D201)"),
    (1, "7 Sensibilité à la règle de pôle"),
    (1, "8 Comparaison avec l'étude précédente"),
    (2, "8.1 Étude du 3 juin 2019"),
    (1, "9 Scénarios"),
    (2, "9.1 Pôle intermédiaire à Gouy-en-Artois"),
    (1, "10 À propos de ce rapport"),
]

FIGURES_ATTENDUES = [
    "Nombre de niveaux de services pour lesquels chaque commune est en zone grise",
    "Zones grises des services de proximité",
    "Zones grises des services de niveau intermédiaire",
    "Zones grises des services de niveau supérieur",
    "Médecin généraliste : temps en voiture",
    "Médecin généraliste : habitants par classe de temps",
    "Communes en zone grise et part de la population selon la règle de pôle",
    "Communes en zone grise par niveau, étude précédente et étude actuelle",
]


def test_toutes_les_sections_du_dossier_complet(
    complet: ResultatRapport, html: RapportLu, word: RapportLu
) -> None:
    titres = [(s.niveau, s.intitule) for s in complet.rapport.toutes_sections()]
    assert titres == TITRES_ATTENDUS
    assert html.titres == TITRES_ATTENDUS
    assert word.titres == TITRES_ATTENDUS
    # the folders support every section but the uncertainty bands
    assert [a.section for a in complet.rapport.absences] == ["Bandes d'incertitude des temps"]


def test_figures_numerotees_legendees_avec_sources(
    complet: ResultatRapport, html: RapportLu, word: RapportLu
) -> None:
    for lu in (html, word):
        assert len(lu.figures) == len(FIGURES_ATTENDUES)
        for k, (legende, debut) in enumerate(zip(lu.figures, FIGURES_ATTENDUES, strict=True)):
            assert legende.startswith(f"Figure {k + 1} – {debut}"), legende
    for figure in complet.rapport.figures():
        assert figure.png.startswith(b"\x89PNG") and figure.source.startswith("Source : ")
    texte = complet.fichiers["html"].read_text(encoding="utf-8")
    assert texte.count('src="data:image/png;base64,') == len(FIGURES_ATTENDUES)
    assert "http://" not in texte and "https://" not in texte  # self-contained
    import docx

    assert len(docx.Document(str(complet.fichiers["docx"])).inline_shapes) == len(FIGURES_ATTENDUES)


def test_tableaux_numerotes_dans_l_ordre(html: RapportLu, word: RapportLu) -> None:
    assert sorted(html.tableaux) == list(range(1, len(html.tableaux) + 1))
    assert [t.titre for t in html.tableaux.values()] == [t.titre for t in word.tableaux.values()]
    for t in html.tableaux.values():
        assert t.lignes, t.titre  # no empty table
        assert all(len(ligne) == len(t.colonnes) for ligne in t.lignes)


# ---- numbers: the report's against the CSV files --------------------------------------


def _verifier_chiffres(lu: RapportLu, dossiers: dict[str, Path]) -> None:
    base = dossiers["base"]
    resume = pd.read_csv(base / "resume.csv").set_index("niveau")
    table = pd.read_csv(base / "zones_grises.csv", dtype={"code": str})

    # key figures: one row per level, as in resume.csv
    cles = lu.tableau("Chiffres clés par niveau de services")
    assert [ligne[0] for ligne in cles.lignes] == [LIBELLES[n] for n in NIVEAUX_RAPPORT]
    for ligne, n in zip(cles.lignes, NIVEAUX_RAPPORT, strict=True):
        r = resume.loc[n]
        assert nombre(ligne[1]) == r["seuil_min"]
        assert nombre(ligne[2]) == r["poles"]
        assert nombre(ligne[3]) == r["communes"]
        assert nombre(ligne[4]) == r["population"]
        assert nombre(ligne[5]) == pytest.approx(round(100 * r["part_population"], 1))
        # and the sentence of the summary says the same
        phrase = next(t for t in lu.textes if t.startswith(f"{LIBELLES[n]} (seuil "))
        chiffres = [nombre(x) for x in re.findall(r"\d[\d\u202f]*(?:,\d+)?", phrase)]
        assert chiffres == [
            r["seuil_min"],
            r["communes"],
            r["population"],
            pytest.approx(round(100 * r["part_population"], 1)),
        ]

    # per EPCI, per level: resume_epci.csv
    epci = pd.read_csv(base / "resume_epci.csv", dtype={"epci_code": str})
    for n in NIVEAUX_RAPPORT:
        t = lu.tableau(f"Zones grises des {SERVICES[n]} par EPCI")
        attendu = epci[epci["niveau"] == n]
        assert len(t.lignes) == len(attendu)
        for _, e in attendu.iterrows():
            nom = (
                str(e["epci_nom"])
                .replace("Communauté de communes", "CC")
                .replace("Communauté d'agglomération", "CA")
            )
            ligne = next(ligne for ligne in t.lignes if ligne[0] == nom)
            assert [nombre(c) for c in ligne[1:5]] == [
                e["communes_total"],
                e["population_totale"],
                e["communes"],
                e["population"],
            ]
            assert nombre(ligne[5]) == pytest.approx(round(100 * e["part_population"], 1))

        # the communes in zone grise, with their time and nearest pole: zones_grises.csv
        t = lu.tableau(f"Communes en zone grise des {SERVICES[n]}")
        zg = table[table[f"zone_grise_{n}"]].set_index("code")
        assert sorted(t.colonne("Code")) == sorted(zg.index)
        for code, temps, pole in zip(
            t.colonne("Code"),
            t.colonne("Temps au pôle"),
            t.colonne("Pôle le plus proche"),
            strict=True,
        ):
            assert nombre(temps) == zg.loc[code, f"temps_{n}_min"]
            assert pole == zg.loc[code, f"pole_{n}_nom"]
        temps = [nombre(x) for x in t.colonne("Temps au pôle")]
        assert temps == sorted(temps, reverse=True)

    # the indicator: resume.csv, resume_epci.csv, communes_les_plus_eloignees.csv
    ind = dossiers["indicateur"]
    r_ind = pd.read_csv(ind / "resume.csv").iloc[0]
    phrase = next(t for t in lu.textes if t.startswith("Au-delà de 10\u00a0min"))
    assert f"{entier(r_ind['population_au_dela_10'])} habitants" in phrase
    assert f"({pourcent(r_ind['part_au_dela_10'])})" in phrase
    assert pluriel(r_ind["communes_au_dela_10"], "commune") in phrase
    assert any(f"{minutes(r_ind['temps_moyen_min'])}" in t for t in lu.textes)
    t = lu.tableau("Médecin généraliste par EPCI")
    e_ind = pd.read_csv(ind / "resume_epci.csv")
    assert sorted(nombre(x) for x in t.colonne("Habitants")) == sorted(e_ind["population"])
    assert sorted(nombre(x) for x in t.colonne("Temps moyen")) == sorted(
        e_ind["temps_moyen_min"].round(1)
    )
    t = lu.tableau("Médecin généraliste : communes les plus éloignées")
    loin = pd.read_csv(ind / "communes_les_plus_eloignees.csv", dtype={"code": str})
    assert t.colonne("Code") == list(loin["code"])
    assert [nombre(x) for x in t.colonne("Temps")] == list(loin["temps_min"])

    # sensitivity: sensibilite.csv, row by row
    t = lu.tableau("Pôles et zones grises selon la règle de pôle")
    sens = pd.read_csv(base / "sensibilite.csv")
    assert [nombre(x) for x in t.colonne("Communes en zone grise")] == list(sens["communes"])
    assert [nombre(x) for x in t.colonne("Habitants")] == list(sens["population"])

    # scenario: bilan.csv
    t = lu.tableau("Bilan du scénario")
    bilan = pd.read_csv(dossiers["scenario"] / "bilan.csv")
    for ligne, (_, b) in zip(t.lignes, bilan.iterrows(), strict=True):
        avant, apres = ligne[2].split(" → ")
        assert (nombre(avant), nombre(apres)) == (
            b["communes_zone_grise_avant"],
            b["communes_zone_grise_apres"],
        )

    # comparison: counts of both studies
    t = lu.tableau("Communes et habitants en zone grise : étude précédente")
    ancien = pd.read_csv(dossiers["precedente"] / "resume.csv").set_index("niveau")
    for ligne, n in zip(t.lignes, NIVEAUX_RAPPORT, strict=True):
        assert nombre(ligne[1]) == ancien.loc[n, "communes"]
        assert nombre(ligne[2]) == resume.loc[n, "communes"]


def test_chiffres_du_html_egaux_aux_csv(html: RapportLu, dossiers: dict[str, Path]) -> None:
    _verifier_chiffres(html, dossiers)


def test_chiffres_du_docx_egaux_aux_csv(word: RapportLu, dossiers: dict[str, Path]) -> None:
    _verifier_chiffres(word, dossiers)


def test_nombres_a_la_francaise() -> None:
    assert entier(1468018) == "1\u202f468\u202f018"
    assert pourcent(0.013424903) == "1,3\u00a0%"
    assert minutes(12.25) == "12,2\u00a0min" or minutes(12.25) == "12,3\u00a0min"
    assert minutes(float("nan")) == "—" and entier(None) == "—"
    assert pluriel(1, "commune") == "1 commune" and pluriel(2, "commune") == "2 communes"
    assert nombre("19\u202f708") == 19708 and nombre("2,2\u00a0%") == 2.2
    with pytest.raises(ValueError):
        nombre("19 708")  # an ordinary space is not the report's separator
    assert math.isnan(nombre("—"))


# ---- PDF -------------------------------------------------------------------------------


def test_pdf_a4_sommaire_pagine_et_nombre_de_pages(complet: ResultatRapport) -> None:
    from pypdf import PdfReader

    pdf = PdfReader(complet.fichiers["pdf"])
    assert len(pdf.pages) == complet.pages_pdf == PAGES_ATTENDUES
    for page in pdf.pages:
        largeur, hauteur = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(largeur / 72 * 25.4), round(hauteur / 72 * 25.4)) == (210, 297)
    textes = [page.extract_text() for page in pdf.pages]
    # page numbers in the footer of every page but the cover
    for k, texte in enumerate(textes[1:], start=2):
        assert f"Page {k} sur {PAGES_ATTENDUES}" in texte
    # the table of contents (page 2) gives each chapter's page, and the chapter is there
    assert textes[1].lstrip().startswith("Sommaire")
    chapitres = [(n, t) for n, t in TITRES_ATTENDUS if n == 1]
    for _niveau, titre in chapitres:
        numero, nom = titre.split(" ", 1)
        m = re.search(
            re.escape(numero) + r"\s+" + re.escape(nom.replace("\u00a0", " ")) + r"[ .]*(\d+)",
            textes[1].replace("\u00a0", " "),
        )
        assert m, titre
        page = int(m.group(1))
        assert nom.split(" (")[0] in textes[page - 1].replace("\u00a0", " "), (titre, page)
    # PDF bookmarks: the table of contents, then every heading
    signets = [s.title for s in pdf.outline if not isinstance(s, list)]
    assert signets[0] == "Sommaire"
    assert [s.replace("\u00a0", " ") for s in signets[1:]] == [
        t.replace("\u00a0", " ") for _n, t in chapitres
    ]
    metadonnees = pdf.metadata
    assert metadonnees is not None
    assert metadonnees.title == f"{complet.rapport.titre} — {complet.rapport.territoire}"


def test_feuille_de_style_comprise_par_weasyprint(
    dossiers: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """WeasyPrint logs each CSS rule it ignores: the report's style sheet has none."""
    import logging

    caplog.set_level(logging.WARNING, logger="weasyprint")
    resultat = ecrire_rapport(
        _copie(dossiers, tmp_path),
        formats=["pdf"],
        options=OptionsRapport(cartes=False),
        sortie=tmp_path / "pdf",
    )
    assert resultat.pages_pdf and resultat.pages_pdf > 5
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


# ---- DOCX in LibreOffice --------------------------------------------------------------


def test_docx_s_ouvre_dans_libreoffice_et_devient_pdf(
    complet: ResultatRapport, tmp_path: Path
) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice absent (paquet Debian libreoffice-writer-nogui, .ci/prerequis)")
    from pypdf import PdfReader

    profil = (tmp_path / "profil").as_uri()
    resultat = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profil}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(complet.fichiers["docx"]),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    sortie = tmp_path / "rapport.pdf"
    assert resultat.returncode == 0 and sortie.is_file(), resultat.stderr
    pdf = PdfReader(sortie)
    texte = "\n".join(page.extract_text() for page in pdf.pages)
    assert len(pdf.pages) >= PAGES_ATTENDUES - 4
    for attendu in ("Sommaire", "1 Synthèse", "Tableau 1", "Figure 8", "10 À propos de ce rapport"):
        assert attendu in texte, attendu
    assert f"sur {len(pdf.pages)}" in texte  # the NUMPAGES field, computed by LibreOffice


# ---- absent sections -------------------------------------------------------------------


def test_dossier_minimal_dit_ce_qui_manque(dossiers: dict[str, Path], tmp_path: Path) -> None:
    copie = _copie(dossiers, tmp_path)
    (copie / "sensibilite.csv").unlink()
    resultat = ecrire_rapport(
        copie, formats=["html"], options=OptionsRapport(cartes=False), date=DATE
    )
    assert resultat.dossier == copie / "rapport"
    assert list(resultat.fichiers) == ["html"]
    assert not (copie / "rapport" / "rapport.pdf").exists()
    absences = [str(a) for a in resultat.rapport.absences]
    assert [a.section for a in resultat.rapport.absences] == [
        "Indicateurs d'accès par service",
        "Sensibilité à la règle de pôle",
        "Comparaison avec une étude précédente",
        "Scénarios",
        "Bandes d'incertitude des temps",
        "Cartes",
    ]
    lu = lire_html(resultat.fichiers["html"])
    i = lu.textes.index("Absent de ce rapport, faute de données dans les dossiers lus :")
    assert lu.textes[i + 1 : i + 1 + len(absences)] == absences
    assert [t for _n, t in lu.titres if _n == 1] == [
        "1 Synthèse",
        "2 Méthode",
        "3 Services de proximité (10\u00a0min)",
        "4 Services de niveau intermédiaire (20\u00a0min)",
        "5 Services de niveau supérieur (30\u00a0min)",
        "6 À propos de ce rapport",
    ]
    assert lu.figures == []


def test_niveau_sans_pole_et_niveau_ecarte(tmp_path: Path) -> None:
    from tests.cartes.generateur import dossier_exemple

    base = dossier_exemple(tmp_path / "62")  # métropolitain has no pole
    resultat = ecrire_rapport(
        base,
        formats=["html"],
        options=OptionsRapport(cartes=False, niveaux=("proximite", "metropolitain")),
    )
    absences = [str(a) for a in resultat.rapport.absences]
    assert any(a.startswith("Niveau métropolitain : aucun pôle") for a in absences)
    assert "Niveau intermédiaire : écarté par --niveaux." in absences
    lu = lire_html(resultat.fichiers["html"])
    assert "Aucun pôle métropolitain" in " ".join(lu.textes)
    t = lu.tableau("Communes en zone grise des services de niveau métropolitain")
    assert set(t.colonne("Temps au pôle")) == {"aucun pôle"}


def test_bandes_d_incertitude_quand_le_dossier_en_a(
    dossiers: dict[str, Path], tmp_path: Path
) -> None:
    copie = _copie(dossiers, tmp_path)
    table = pd.read_csv(copie / "zones_grises.csv", dtype=str)
    temps = table["temps_proximite_min"].astype(float)
    table["temps_proximite_min_bas"] = (temps - 3).clip(lower=0).round(1)
    table["temps_proximite_min_haut"] = (temps + 3).round(1)
    # 62001 (7 min) and 62004 (10.5 min, in zone grise) straddle the 10 min threshold
    table["incertaine_proximite"] = table["code"].isin(["62001", "62004"])
    table.to_csv(copie / "zones_grises.csv", index=False)
    resultat = ecrire_rapport(copie, formats=["html"], options=OptionsRapport(cartes=False))
    assert "Bandes d'incertitude des temps" not in [a.section for a in resultat.rapport.absences]
    lu = lire_html(resultat.fichiers["html"])
    assert (
        "Proximité : 2 communes incertaine(s) : l'intervalle d'erreur de leur temps enjambe "
        "le seuil." in lu.textes
    )
    t = lu.tableau("Communes en zone grise des services de proximité (et incertaines)")
    etats = dict(zip(t.colonne("Code"), t.colonne("État"), strict=True))
    assert sorted(etats) == ["62001", "62004", "62008", "62012"]
    assert etats["62001"] == "incertaine (4,0\u00a0min à 10,0\u00a0min)"
    assert etats["62008"].startswith("zone grise (")


# ---- command line ----------------------------------------------------------------------


def _png(chemin: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (40, 20), "#16324a").save(chemin)
    return chemin


def test_commande_options(dossiers: dict[str, Path], tmp_path: Path, capsys) -> None:
    copie = _copie(dossiers, tmp_path)
    sortie = tmp_path / "chapitre"
    sortie.mkdir()  # an empty folder is not a result to protect
    code = main(
        [
            "rapport",
            "--base",
            str(copie),
            "--avec",
            str(dossiers["indicateur"]),
            "--sortie",
            str(sortie),
            "--formats",
            "html,docx",
            "--titre",
            "Diagnostic de l'accès aux services",
            "--territoire",
            "Artois",
            "--producteur",
            "Département du Pas-de-Calais",
            "--logo",
            str(_png(tmp_path / "logo.png")),
            "--niveaux",
            "proximite,superieur",
            "--sans-cartes",
        ]
    )
    sortie_texte = capsys.readouterr().out
    assert code == 0
    assert sorted(p.name for p in sortie.iterdir()) == [
        "_execution.json",
        "rapport.docx",
        "rapport.html",
    ]
    assert str(sortie / "rapport.html") in sortie_texte and "Absent du rapport" in sortie_texte
    texte = (sortie / "rapport.html").read_text(encoding="utf-8")
    assert "<title>Diagnostic de l&#39;accès aux services — Artois</title>" in texte
    assert "Département du Pas-de-Calais" in texte and "data:image/png;base64" in texte
    lu = lire_html(sortie / "rapport.html")
    chapitres = [t for n, t in lu.titres if n == 1]
    assert "3 Services de proximité (10\u00a0min)" in chapitres
    assert "4 Services de niveau supérieur (30\u00a0min)" in chapitres
    assert not any("intermédiaire" in t for t in chapitres)
    assert "5.1 Médecin généraliste (D201)" in [t for _n, t in lu.titres]
    commande = next(t for t in lu.textes if t.startswith("Commande : "))
    assert "--niveaux proximite,superieur" in commande and "--sans-cartes" in commande
    import docx

    proprietes = docx.Document(str(sortie / "rapport.docx")).core_properties
    assert proprietes.title == "Diagnostic de l'accès aux services — Artois"
    assert proprietes.language == "fr-FR"


def test_aide_en_francais_avec_exemples(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["rapport", "--help"])
    aide = capsys.readouterr().out
    for attendu in ("Exemples :", "--avec", "--sans-cartes", "--formats", "rapport.docx"):
        assert attendu in aide


def _erreur(capsys, argv: list[str]) -> str:
    code = main(argv)
    sortie = capsys.readouterr()
    assert code == 2, sortie
    lignes = [ligne for ligne in sortie.err.splitlines() if ligne.startswith("Erreur")]
    assert len(lignes) == 1 and "Traceback" not in sortie.err, sortie.err
    return lignes[0]


def _rien_ecrit(parent: Path, sortie: Path) -> None:
    assert not sortie.exists()
    assert not [p for p in parent.rglob("*") if "partiel" in p.name or "ancien" in p.name]


def test_dossier_d_une_autre_version(dossiers: dict[str, Path], tmp_path: Path, capsys) -> None:
    copie = _copie(dossiers, tmp_path)
    marquer(copie, "zones-grises", version=max(VERSIONS_LUES) + 1)
    ligne = _erreur(capsys, ["rapport", "--base", str(copie), "--formats", "html"])
    assert f"version {max(VERSIONS_LUES) + 1}" in ligne and "relancez" in ligne
    _rien_ecrit(tmp_path, copie / "rapport")


def test_indicateur_d_une_autre_version(dossiers: dict[str, Path], tmp_path: Path, capsys) -> None:
    copie = _copie(dossiers, tmp_path)
    autre = ecrire_indicateur(tmp_path / "medecin")
    marquer(autre, "indicateur", version=99)
    ligne = _erreur(
        capsys, ["rapport", "--base", str(copie), "--avec", str(autre), "--formats", "html"]
    )
    assert "version 99" in ligne
    _rien_ecrit(tmp_path, copie / "rapport")


@pytest.mark.parametrize(
    "fichier", ["resume_epci.csv", "zones_grises.csv", "zones_grises.gpkg", "parametres.json"]
)
def test_dossier_incomplet(dossiers: dict[str, Path], tmp_path: Path, capsys, fichier: str) -> None:
    copie = _copie(dossiers, tmp_path)
    (copie / fichier).unlink()
    ligne = _erreur(capsys, ["rapport", "--base", str(copie), "--formats", "html,pdf"])
    assert fichier in ligne
    _rien_ecrit(tmp_path, copie / "rapport")


def test_colonne_absente_ou_fichiers_de_deux_calculs(
    dossiers: dict[str, Path], tmp_path: Path, capsys
) -> None:
    copie = _copie(dossiers, tmp_path)
    table = pd.read_csv(copie / "zones_grises.csv", dtype=str)
    table.drop(columns=["temps_superieur_min"]).to_csv(copie / "zones_grises.csv", index=False)
    assert "temps_superieur_min" in _erreur(capsys, ["rapport", "--base", str(copie)])
    table.iloc[:-1].to_csv(copie / "zones_grises.csv", index=False)
    assert "deux calculs" in _erreur(capsys, ["rapport", "--base", str(copie)])
    _rien_ecrit(tmp_path, copie / "rapport")


def test_autre_departement(dossiers: dict[str, Path], tmp_path: Path, capsys) -> None:
    copie = _copie(dossiers, tmp_path)
    autre = ecrire_indicateur(tmp_path / "medecin_59", departement="59")
    ligne = _erreur(
        capsys, ["rapport", "--base", str(copie), "--avec", str(autre), "--formats", "html"]
    )
    assert "département 59" in ligne


@pytest.mark.parametrize(
    ("options", "attendu"),
    [
        (["--niveaux", "proximite,regional"], "regional"),
        (["--formats", "html,odt"], "odt"),
        (["--logo", "{base}/parametres.json"], "PNG"),
        (["--avec", "{base}/../nulle_part"], "introuvable"),
    ],
)
def test_options_invalides(
    dossiers: dict[str, Path], tmp_path: Path, capsys, options: list[str], attendu: str
) -> None:
    copie = _copie(dossiers, tmp_path)
    options = [o.format(base=copie) for o in options]
    ligne = _erreur(capsys, ["rapport", "--base", str(copie), "--sans-cartes", *options])
    assert attendu in ligne
    _rien_ecrit(tmp_path, copie / "rapport")


def test_weasyprint_absent(
    dossiers: dict[str, Path], tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint -> ImportError
    copie = _copie(dossiers, tmp_path)
    ligne = _erreur(capsys, ["rapport", "--base", str(copie)])
    assert 'pip install "accessibilite[rapport]"' in ligne and "--formats html,docx" in ligne
    _rien_ecrit(tmp_path, copie / "rapport")


def test_ecriture_d_un_seul_bloc(dossiers: dict[str, Path], tmp_path: Path, capsys) -> None:
    copie = _copie(dossiers, tmp_path)
    argv = ["rapport", "--base", str(copie), "--formats", "html", "--sans-cartes"]
    assert main(argv) == 0
    sortie = copie / "rapport"
    assert sorted(p.name for p in sortie.iterdir()) == ["_execution.json", "rapport.html"]
    premier = (sortie / "rapport.html").read_bytes()
    # an existing report is replaced only with --ecraser, and then as a whole
    assert "--ecraser" in _erreur(capsys, [*argv, "--titre", "Deuxième version"])
    assert (sortie / "rapport.html").read_bytes() == premier
    assert main([*argv, "--titre", "Deuxième version", "--ecraser"]) == 0
    assert "Deuxième version" in (sortie / "rapport.html").read_text(encoding="utf-8")
    assert not [p.name for p in copie.iterdir() if p.name.startswith(".")]
    # a failed run leaves the previous report untouched
    deuxieme = (sortie / "rapport.html").read_bytes()
    (copie / "resume.csv").unlink()
    _erreur(capsys, [*argv, "--ecraser"])
    assert (sortie / "rapport.html").read_bytes() == deuxieme
    assert not [p.name for p in copie.iterdir() if p.name.startswith(".")]
    # a folder holding other files is never replaced, even with --ecraser
    autre = tmp_path / "documents"
    autre.mkdir()
    (autre / "notes.txt").write_text("à garder", encoding="utf-8")
    shutil.copy(dossiers["base"] / "resume.csv", copie / "resume.csv")
    ligne = _erreur(capsys, [*argv, "--sortie", str(autre), "--ecraser"])
    assert "notes.txt" in ligne and (autre / "notes.txt").is_file()


def test_dossier_modifie_depuis_son_calcul(
    dossiers: dict[str, Path], tmp_path: Path, capsys
) -> None:
    from socle.dossiers import sceller

    copie = _copie(dossiers, tmp_path)
    scenario = Path(shutil.copytree(dossiers["scenario"], tmp_path / "scenario"))
    for dossier, commande in ((copie, "zones-grises"), (scenario, "scenario")):
        sceller(dossier, commande=commande)
    argv = ["rapport", "--base", str(copie), "--avec", str(scenario), "--formats", "html"]
    assert main([*argv, "--sans-cartes", "--sortie", str(tmp_path / "r1")]) == 0
    bilan = pd.read_csv(scenario / "bilan.csv")
    bilan.loc[0, "communes_entrant"] = 12
    bilan.to_csv(scenario / "bilan.csv", index=False)
    ligne = _erreur(capsys, [*argv, "--sortie", str(tmp_path / "r2")])
    assert "bilan.csv" in ligne and "modifiés depuis le calcul" in ligne
    _rien_ecrit(tmp_path, tmp_path / "r2")


def test_types_de_dossiers(dossiers: dict[str, Path]) -> None:
    assert type_dossier(dossiers["base"]) == "zones-grises"
    assert type_dossier(dossiers["indicateur"]) == "indicateur"
    assert type_dossier(dossiers["scenario"]) == "scenario"
    assert type_dossier(dossiers["base"] / "rapport_inexistant") is None


def test_la_version_ecrite_est_lue() -> None:
    from poles.sorties import VERSION_FORMAT, marquer_format

    assert VERSION_FORMAT in VERSIONS_LUES
    marque = marquer_format({"departement": "62"}, "zones-grises")["format"]
    assert marque["dossier"] == "zones-grises" and marque["version"] == VERSION_FORMAT
    assert marque["logiciel"].startswith("accessibilite")
