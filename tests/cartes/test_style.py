"""Classes, colours and French wording shared by the maps."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from cartes import NiveauCarte, _style, lire_dossier


def test_classes_de_temps_bornes_incluses() -> None:
    # upper bounds belong to the class: 10.0 min is not in zone grise for proximité
    temps = [0.0, 0.1, 5.0, 5.01, 10.0, 10.05, 20.0, 29.9, 30.0, 30.1, 240.0, math.nan]
    attendu = [0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, -1]
    assert _style.classe_temps(temps).tolist() == attendu


@pytest.mark.parametrize("seuil", [10.0, 20.0, 30.0])
def test_les_seuils_tombent_entre_deux_classes(seuil: float) -> None:
    """Every commune above a threshold is in a class entirely above it."""
    rng = np.random.default_rng(3)
    temps = rng.uniform(0, 60, 2000)
    classes = _style.classe_temps(temps)
    bas = np.array([c.bas for c in _style.CLASSES_TEMPS])[classes]
    haut = np.array([c.haut for c in _style.CLASSES_TEMPS])[classes]
    assert np.all((bas >= seuil) == (temps > seuil))
    assert np.all(temps <= haut)


@pytest.mark.parametrize(
    "rampe",
    [
        _style.COULEURS_TEMPS,
        _style.GRIS_TEMPS,
        tuple(_style.couleurs_cumul(3)),
        tuple(_style.couleurs_cumul(4)),
        tuple(_style.couleurs_cumul(3, gris=True)),
    ],
)
def test_rampes_lisibles_en_noir_et_blanc(rampe: tuple[str, ...]) -> None:
    """Lightness falls from class to class, by a visible step, so grey print still reads."""
    lum = [_style.luminance(c) for c in rampe]
    assert all(b < a for a, b in itertools.pairwise(lum))
    assert min(a - b for a, b in itertools.pairwise(lum)) > 0.04


def test_rampe_grise_sans_couleur() -> None:
    for c in (*_style.GRIS_TEMPS, *_style.couleurs_cumul(4, gris=True)):
        assert c[1:3] == c[3:5] == c[5:7]


def test_libelles_cumul() -> None:
    niveaux = lire_niveaux_factices(3)
    assert _style.libelles_cumul(niveaux) == [
        "aucun niveau",
        "1 niveau",
        "2 niveaux",
        "3 niveaux (tous)",
    ]


def lire_niveaux_factices(n: int) -> list[NiveauCarte]:
    return [NiveauCarte(f"n{i}", f"N{i}", 10.0 * (i + 1), (), 1) for i in range(n)]


def test_nombres_et_dates_en_francais() -> None:
    assert _style.nombre_fr(1234567.891, 1) == "1\u202f234\u202f567,9"
    assert _style.nombre_fr(12) == "12"
    assert _style.date_francaise("2026-11-25") == "25 novembre 2026"
    assert _style.date_francaise("2026-08-01T10:00:00") == "1er août 2026"
    assert _style.date_francaise("bientôt") == "bientôt"


@pytest.mark.parametrize(
    ("regle", "attendu"),
    [
        ({"nom": "tous"}, "tous les services de la gamme"),
        ({"nom": "n_min", "n_min": 7}, "au moins 7 services"),
        ({"nom": "part_min", "part_min": 0.8}, "au moins 80 % des services"),
        ({"nom": "part_min", "part_min": 75}, "au moins 75 % des services"),
        ({}, "règle non précisée"),
    ],
)
def test_texte_de_la_regle(regle: dict[str, object], attendu: str) -> None:
    texte = _style.texte_regle({"regle": regle}, lire_niveaux_factices(2))
    assert attendu in texte
    assert "n0 10 min, n1 20 min" in texte.lower()


def test_texte_de_la_regle_par_niveau() -> None:
    parametres = {
        "regle": {
            "nom": "par_niveau",
            "niveaux": {
                "n0": {"items_requis": 11, "n_items_gamme": 13},
                "n1": {"items_requis": 9, "n_items_gamme": 9},
            },
        },
        "poles_imposes": {"decisions": [{"code": "1", "pole": True}, {"code": "2", "pole": False}]},
        "regroupements": {"groupes": [{"nom": "Aire", "communes": ["1", "2"]}]},
    }
    niveaux = lire_niveaux_factices(2)
    texte = _style.texte_regle(parametres, niveaux)
    assert texte.startswith(
        "pôle : commune disposant d'au moins 11 des 13 services de la gamme (n0), "
        "tous les 9 (n1) ; pôles imposés par l'équipe (1 ajouté, 1 retiré) ; pôle regroupé "
        "(services mis en commun) : « Aire » ; zone grise"
    )
    assert _style.texte_regle_niveau(parametres, niveaux[0]) == (
        "au moins 11 des 13 services de la gamme"
    )
    # an older folder (no per-level rule): nothing per level
    assert _style.texte_regle_niveau({"regle": {"nom": "tous"}}, niveaux[0]) is None


def test_ligne_des_sources(dossier_zg: Path) -> None:
    d = lire_dossier(dossier_zg)
    texte = _style.ligne_sources(d, tuiles=True)
    assert "Base permanente des équipements 2013" in texte
    assert "© les contributeurs d'OpenStreetMap, données du 20 novembre 2026" in texte
    assert "au moins 8 services" in texte
    assert "un pôle d'un niveau supérieur compte aussi" in texte
    assert "Fond de carte" in texte
    assert "Calcul du 25 novembre 2026" in texte
    assert "Fond de carte" not in _style.ligne_sources(d, tuiles=False)


def test_source_sans_openstreetmap(copie_zg: Path) -> None:
    import json

    chemin = copie_zg / "parametres.json"
    p = json.loads(chemin.read_text(encoding="utf-8"))
    p["source"] = {"nom": "vol-oiseau", "description": "estimation à vol d'oiseau"}
    p["provenance"] = []
    chemin.write_text(json.dumps(p), encoding="utf-8")
    texte = _style.ligne_sources(lire_dossier(copie_zg))
    assert "Temps de trajet : estimation à vol d'oiseau." in texte
    assert "OpenStreetMap" not in texte


def test_titres(dossier_zg: Path) -> None:
    d = lire_dossier(dossier_zg)
    assert _style.titre_carte(d, d.niveau("proximite"))[0] == (
        "Zones grises des services de proximité — Pas-de-Calais (62)"
    )
    titre, sous_titre = _style.titre_carte(d, d.niveau("intermediaire"))
    assert titre.startswith("Zones grises des services de niveau intermédiaire")
    assert "pôle intermédiaire le plus proche" in sous_titre
    assert "au-delà de 20 min" in sous_titre
    assert _style.titre_carte(d, None)[0].startswith("Espaces à enjeux d'éloignement")
    assert _style.nom_pole(d.niveau("superieur"), pluriel=True) == "pôles supérieurs"
