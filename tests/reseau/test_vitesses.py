import math

import pytest

from reseau import DonneesInvalides, DonneesManquantes, charger_vitesses, lire_maxspeed
from reseau.vitesses import CLASSES, SOURCES_VITESSE, code_classe, vitesse_voie


@pytest.fixture(scope="module")
def modele():
    return charger_vitesses()


# Real-world maxspeed values: from the Andorra, Liechtenstein and Helsinki extracts, the
# French osmnx GraphML files, and common OSM values (taginfo).
CAS_MAXSPEED = [
    ("50", 50.0, "maxspeed"),
    ("30", 30.0, "maxspeed"),
    ("5", 5.0, "maxspeed"),
    ("110", 110.0, "maxspeed"),
    ("50 km/h", 50.0, "maxspeed"),
    ("50kmh", 50.0, "maxspeed"),
    (" 70 ", 70.0, "maxspeed"),
    ("30 mph", 30 * 1.609344, "maxspeed"),
    ("20mph", 20 * 1.609344, "maxspeed"),
    ("5 knots", 5 * 1.852, "maxspeed"),
    ("FR:urban", 50.0, "implicite"),
    ("FR:rural", 80.0, "implicite"),
    ("FR:zone30", 30.0, "implicite"),
    ("FR:motorway", 130.0, "implicite"),
    ("FR:walk", 6.0, "implicite"),
    ("FR:living_street", 20.0, "implicite"),
    ("fr:urban", 50.0, "implicite"),
    ("AD:urban", 50.0, "implicite"),
    ("AD:rural", 80.0, "implicite"),
    ("DE:zone30", 30.0, "implicite"),
    ("FR:30", 30.0, "implicite"),
    ("walk", 6.0, "implicite"),
    ("none", 130.0, "implicite"),
    ("50;70", 50.0, "maxspeed"),
    ("50; 70", 50.0, "maxspeed"),
    ("70|50", 50.0, "maxspeed"),
    ("90;signals", 90.0, "maxspeed"),
    ("FR:urban;FR:zone30", 30.0, "implicite"),
    ("['50', '30']", 30.0, "maxspeed"),
    ("['70', '45']", 45.0, "maxspeed"),
    ("signals", None, "illisible"),
    ("variable", None, "illisible"),
    ("national", None, "illisible"),
    ("0", None, "illisible"),
    ("300", None, "illisible"),
    ("FR:unknown", None, "illisible"),
    ("unbekannt", None, "illisible"),
    ("", None, "absente"),
    ("   ", None, "absente"),
    (None, None, "absente"),
]


@pytest.mark.parametrize(("valeur", "kmh", "source"), CAS_MAXSPEED)
def test_lire_maxspeed_valeurs_reelles(modele, valeur, kmh, source):
    lecture = lire_maxspeed(valeur, modele)
    assert lecture.source == source
    if kmh is None:
        assert lecture.kmh is None
    else:
        assert lecture.kmh == pytest.approx(kmh)


def test_jamais_zero(modele):
    for valeur, _, _ in CAS_MAXSPEED:
        lecture = lire_maxspeed(valeur, modele)
        assert lecture.kmh is None or lecture.kmh > 0


def test_regle_des_listes_configurable(tmp_path):
    fichier = tmp_path / "v.toml"
    fichier.write_text('[maxspeed]\nregle_listes = "max"\n', encoding="utf-8")
    assert lire_maxspeed("50;70", charger_vitesses(fichier)).kmh == 70.0
    fichier.write_text('[maxspeed]\nregle_listes = "premiere"\n', encoding="utf-8")
    assert lire_maxspeed("70;50", charger_vitesses(fichier)).kmh == 70.0


def test_vitesse_voie_sens_et_sources(modele):
    i = SOURCES_VITESSE.index
    tags = {"maxspeed:forward": "70", "maxspeed:backward": "30", "maxspeed": "50"}
    assert vitesse_voie(tags, "tertiary", sens_unique=False, sens="avant", modele=modele) == (
        70.0,
        i("maxspeed"),
        None,
    )
    assert vitesse_voie(tags, "tertiary", sens_unique=False, sens="arriere", modele=modele)[0] == 30
    # implicit speed from source:maxspeed when maxspeed is missing
    v, src, _ = vitesse_voie(
        {"source:maxspeed": "FR:urban"}, "primary", sens_unique=False, sens="avant", modele=modele
    )
    assert (v, src) == (50.0, i("implicite"))
    # "sign" in maxspeed:type says nothing: class default, not a fallback
    v, src, illisible = vitesse_voie(
        {"maxspeed:type": "sign"}, "primary", sens_unique=False, sens="avant", modele=modele
    )
    assert (v, src, illisible) == (80.0, i("defaut_classe"), None)
    # unreadable maxspeed: class default, counted as a fallback with its value
    v, src, illisible = vitesse_voie(
        {"maxspeed": "signals"}, "residential", sens_unique=False, sens="avant", modele=modele
    )
    assert (v, src, illisible) == (30.0, i("repli"), "signals")
    # one-way trunk: dual carriageway default 110; two-way trunk: 80
    assert vitesse_voie({}, "trunk", sens_unique=True, sens="avant", modele=modele)[0] == 110.0
    assert vitesse_voie({}, "trunk", sens_unique=False, sens="avant", modele=modele)[0] == 80.0


def test_table_fournie_coherente(modele):
    assert set(modele.classes) <= set(CLASSES)
    assert "track" not in modele.classes and "footway" not in modele.classes
    for p in modele.classes.values():
        assert p.defaut_kmh > 0 and 0 < p.facteur_pointe <= 1
    assert modele.implicites["fr:rural"] == 80.0
    assert code_classe("motorway") == 0 and CLASSES[code_classe("ferry")] == "ferry"


def test_surcharge_utilisateur(tmp_path, modele):
    fichier = tmp_path / "v.toml"
    fichier.write_text(
        '[implicites]\n"FR:rural" = 90\n\n[classes.track]\ndefaut_kmh = 15\nfacteur_pointe = 0.7\n',
        encoding="utf-8",
    )
    perso = charger_vitesses(fichier)
    assert lire_maxspeed("FR:rural", perso).kmh == 90.0
    assert lire_maxspeed("FR:urban", perso).kmh == 50.0  # untouched keys kept
    assert perso.classes["track"].defaut_kmh == 15.0
    assert perso.empreinte != modele.empreinte
    assert charger_vitesses().empreinte == modele.empreinte


@pytest.mark.parametrize(
    ("texte", "message"),
    [
        ("[delais]\ncarefour_s = 2\n", "Clé inconnue"),
        ("[classes.footpath]\ndefaut_kmh = 5\nfacteur_pointe = 1\n", "inconnue"),
        ("[classes.primary]\nfacteur_pointe = -1\n", "facteur_pointe"),
        ("[classes.primary]\ndefaut_kmh = 'vite'\n", "nombre"),
        ('[maxspeed]\nregle_listes = "moyenne"\n', "regle_listes"),
        ('[sens_unique]\nreversible = "peut-etre"\n', "reversible"),
        ("[delais\n", "TOML"),
    ],
)
def test_table_invalide(tmp_path, texte, message):
    fichier = tmp_path / "v.toml"
    fichier.write_text(texte, encoding="utf-8")
    with pytest.raises(DonneesInvalides, match=message):
        charger_vitesses(fichier)


def test_table_absente(tmp_path):
    with pytest.raises(DonneesManquantes, match="introuvable"):
        charger_vitesses(tmp_path / "absente.toml")


def test_mph_exact(modele):
    assert math.isclose(lire_maxspeed("60 mph", modele).kmh or 0, 96.56064)
