"""Hypothesis-driven fuzzing of the parsers: every input gives a correct result or one of
the project's clean errors (:class:`ErreurAccessibilite`), never another exception.

The matrix reader (``accessibilite.noyau.import_matrice``) is fuzzed on its layouts'
headers (Metric, Odomatrix, long, wide) with hostile cells, separators and encodings.

Profiles (``tests/conftest.py``): ``ci`` when ``CI=true`` (20 examples a test), ``local``
by default (60), ``approfondi`` for a long hunt (``HYPOTHESIS_PROFILE=approfondi``, 1,000).
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, event, given, note
from hypothesis import strategies as st

from accessibilite.noyau.import_matrice import lire_matrice
from accessibilite.noyau.matrice_distribuee import lire_noeuds
from isochrones.calcul import lire_points
from poles.bpe import NOMBRE_MAX, lire_bpe, nomenclature
from poles.calibration import lire_reference
from poles.indicateurs import lire_territoires
from poles.scenarios import lire_modifications
from reseau import construire_graphe
from reseau.stockage import charger_graphe, sauvegarder_graphe
from reseau.vitesses import ModeleVitesses, charger_vitesses, lire_maxspeed
from socle.erreurs import ErreurAccessibilite
from tests.hostile._outils import pbf_grille, reecrire_entete_graphe
from tests.reseau.conftest import OSM_MINI


@contextmanager
def dossier() -> Iterator[Path]:
    """A fresh temporary folder per example (function fixtures are shared by examples)."""
    chemin = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        yield chemin
    finally:
        shutil.rmtree(chemin, ignore_errors=True)


def _texte_quelconque() -> st.SearchStrategy[str]:
    return st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40
    ) | st.sampled_from(["", " ", "nan", "inf", "-inf", "1e999", "0", "-0", "1,5", "\x00"])


# --------------------------------------------------------------------------- maxspeed


@pytest.fixture(scope="module")
def modele() -> ModeleVitesses:
    return charger_vitesses()


_MAXSPEED = st.one_of(
    _texte_quelconque(),
    st.builds(
        lambda n, u: f"{n}{u}",
        st.one_of(st.integers(-300, 300), st.floats(allow_nan=True, allow_infinity=True)),
        st.sampled_from(["", " mph", " km/h", "mph", " knots", "kmh", " kph"]),
    ),
    st.tuples(
        st.sampled_from([";", "|", ","]),
        st.lists(
            st.sampled_from(["50", "30", "FR:urban", "FR:zone30", "walk", "signals", "", "x"]),
            max_size=4,
        ),
    ).map(lambda t: t[0].join(t[1])),
    st.lists(st.sampled_from(["50", "30", "nan", "x", "FR:rural"]), max_size=3).map(str),
)


@given(_MAXSPEED)
def test_maxspeed_jamais_d_exception(modele, valeur):
    lecture = lire_maxspeed(valeur, modele)
    assert lecture.source in ("maxspeed", "implicite", "absente", "illisible")
    if lecture.kmh is None:
        assert lecture.source in ("absente", "illisible")
    else:
        assert math.isfinite(lecture.kmh)
        assert 0 < lecture.kmh <= modele.maximum_plausible_kmh


@given(st.integers(1, 130), st.sampled_from(["", " km/h", " mph"]))
def test_maxspeed_nombres_corrects(modele, n, unite):
    attendu = n * (1.609344 if "mph" in unite else 1.0)
    lecture = lire_maxspeed(f"{n}{unite}", modele)
    if attendu <= modele.maximum_plausible_kmh:
        assert lecture.source == "maxspeed" and lecture.kmh == pytest.approx(attendu)
    else:
        assert lecture.kmh is None


# --------------------------------------------------------------------------- BPE tables

_CODES = st.sampled_from(["62041", "62160", "1001", "2A004", "97411", " 62001 "])
_TYPES = st.sampled_from(["D201", "B203", "d201", " C104 "])
_BONS = st.integers(0, NOMBRE_MAX).map(str) | st.integers(0, 50).map(lambda n: f"{n}.0")
_MAUVAIS = st.sampled_from(
    ["-1", "3 équip.", "3,0", "2.5", "x", "", "inf", "nan", str(NOMBRE_MAX + 1), "1e3", "--"]
)


def _attendu(lignes: list[tuple[str, str, str]]) -> dict[tuple[str, str], int]:
    somme: dict[tuple[str, str], int] = {}
    for code, typequ, nombre in lignes:
        code = code.strip().upper()
        code = code.zfill(5) if code.isdigit() else code
        cle = (code, typequ.strip().upper())
        somme[cle] = somme.get(cle, 0) + int(float(nombre))
    return somme


@given(
    st.lists(st.tuples(_CODES, _TYPES, st.one_of(_BONS, _MAUVAIS)), min_size=1, max_size=30),
    st.sampled_from([";", ",", "\t"]),
)
def test_bpe_csv_resultat_exact_ou_erreur_qui_compte(lignes, separateur):
    mauvais = [i for i, (_, _, n) in enumerate(lignes) if not _BONS_RE(n)]
    casses = [i for i, ligne in enumerate(lignes) if any(separateur in v for v in ligne)]
    with dossier() as d:
        f = d / "bpe.csv"
        texte = separateur.join(["DEPCOM", "TYPEQU", "NB_EQUIP"]) + "\n"
        texte += "".join(separateur.join(ligne) + "\n" for ligne in lignes)
        f.write_text(texte, encoding="utf-8")
        try:
            table = lire_bpe(f, cache=False)
        except ErreurAccessibilite as exc:
            note(str(exc))
            if casses:  # "3,0" in a comma-separated file: one field too many
                assert f"{len(casses)} ligne" in str(exc) and "nombre de champs" in str(exc)
            elif mauvais:
                n = len(mauvais)
                assert f"{n} valeur{'s' if n > 1 else ''} invalide" in str(exc)
                assert f"ligne {mauvais[0] + 2} " in str(exc)
            else:
                assert "aucun équipement" in str(exc)
                assert all(int(float(n)) == 0 for _, _, n in lignes)
            return
    assert not mauvais and not casses
    obtenu = {
        (c, t): int(n)
        for c, t, n in zip(table["code_commune"], table["typequ"], table["nombre"], strict=True)
    }
    assert obtenu == _attendu(lignes)


def _BONS_RE(texte: str) -> bool:  # noqa: N802 (mirrors the strategy's name)
    import re

    return bool(re.fullmatch(r"\d{1,9}(\.0*)?", texte.strip())) and int(float(texte)) <= NOMBRE_MAX


@given(st.binary(max_size=400), st.sampled_from([".csv", ".zip", ".xlsx", ".txt"]))
def test_bpe_octets_quelconques(contenu, suffixe):
    with dossier() as d:
        f = d / f"bpe{suffixe}"
        f.write_bytes(contenu)
        try:
            table = lire_bpe(f, cache=False)
        except ErreurAccessibilite:
            return
    assert list(table.columns[:3]) == ["code_commune", "typequ", "nombre"]
    assert ((table["nombre"] >= 0) & (table["nombre"] <= NOMBRE_MAX)).all()


@given(
    st.lists(
        st.text(st.sampled_from('DEPCOM;TYPEQU,NB_EQUIPLAMBERTXY"\n 0123456789.-é'), max_size=60),
        min_size=1,
        max_size=8,
    )
)
def test_bpe_csv_presque_valide(lignes):
    with dossier() as d:
        f = d / "bpe.csv"
        f.write_text("DEPCOM;TYPEQU;NB_EQUIP;LAMBERT_X;LAMBERT_Y\n" + "\n".join(lignes))
        try:
            table = lire_bpe(f, cache=False)
        except ErreurAccessibilite:
            return
    assert ((table["nombre"] >= 0) & (table["nombre"] <= NOMBRE_MAX)).all()
    assert np.isfinite(table["x"].dropna()).all() and np.isfinite(table["y"].dropna()).all()


_CELLULES = st.one_of(
    st.none(),
    st.integers(0, 500),
    st.integers(-(10**6), 10**15),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.booleans(),
    st.sampled_from(["3 équip.", "3,0", "4", " ", "", "x", "-1", "12"]),
)


@given(st.lists(st.tuples(_CELLULES, _CELLULES), min_size=1, max_size=6))
def test_bpe_xlsx_cellules_quelconques(cellules):
    def valeur_ok(v: Any) -> bool:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return True
        if isinstance(v, bool):
            return False
        if isinstance(v, str):
            return not v.strip() or (v.strip().isdigit() and int(v) <= NOMBRE_MAX)
        return math.isfinite(v) and v >= 0 and v == int(v) and v <= NOMBRE_MAX

    codes = [f"62{i:03d}" for i in range(1, len(cellules) + 1)]
    with dossier() as d:
        f = d / "bpe2013.xlsx"
        pd.DataFrame(
            {
                "depcom": codes,
                "Boulangerie": [a for a, _ in cellules],
                "Pharmacie": [b for _, b in cellules],
            }
        ).to_excel(f, index=False)
        mauvais = sum(not valeur_ok(v) for paire in cellules for v in paire)
        try:
            table = lire_bpe(f, cache=False)
        except ErreurAccessibilite as exc:
            if mauvais:
                assert f"{mauvais} valeur{'s' if mauvais > 1 else ''} invalide" in str(exc)
            else:
                assert "aucun équipement" in str(exc)
            return
    assert mauvais == 0
    attendu = {}
    for code, (a, b) in zip(codes, cellules, strict=True):
        for typequ, v in (("B203", a), ("D301", b)):
            n = 0 if v is None or (isinstance(v, float) and math.isnan(v)) else v
            n = int(n.strip() or 0) if isinstance(n, str) else int(n)
            if n > 0:
                attendu[(code, typequ)] = n
    obtenu = {
        (c, t): int(n)
        for c, t, n in zip(table["code_commune"], table["typequ"], table["nombre"], strict=True)
    }
    assert obtenu == attendu


# --------------------------------------------------------------------------- TOML files

_VALEURS_TOML = st.sampled_from(
    [
        "50",
        "0",
        "-10",
        "1.2",
        "nan",
        "inf",
        "-inf",
        '"50"',
        "true",
        "[1, 2]",
        "{ a = 1 }",
        '"min"',
        '"max"',
        '"premiere"',
        '"exclue"',
        '"circulable"',
        '["yes"]',
        "[]",
        "1e400",
    ]
)
_CLES_VITESSES = st.sampled_from(
    [
        "[maxspeed]\nregle_listes",
        "[maxspeed]\nmaximum_plausible_kmh",
        "[classes.motorway]\ndefaut_kmh",
        "[classes.motorway]\nfacteur_pointe",
        "[classes.residential]\ndefaut_sens_unique_kmh",
        "[classes.residential]\ncarrefour",
        "[classes.inconnue]\ndefaut_kmh",
        '[implicites]\n"fr:urban"',
        "[implicites]\nnouveau",
        "[delais]\ncarrefour_s",
        "[delais]\nfeux_s",
        "[acces]\ncles",
        "[sens_unique]\nreversible",
        "[bacs]\nvitesse_kmh",
        "[bacs]\nembarquement_s",
        "[inconnu]\ncle",
        "classes",
        "implicites",
    ]
)


def _modele_valide(m: ModeleVitesses) -> None:
    for nom, p in m.classes.items():
        assert math.isfinite(p.defaut_kmh) and p.defaut_kmh > 0, nom
        assert 0 < p.facteur_pointe <= 1.5, nom
    assert all(math.isfinite(v) and v > 0 for v in m.implicites.values())
    assert math.isfinite(m.delai_carrefour_s) and m.delai_carrefour_s >= 0


@given(st.lists(st.tuples(_CLES_VITESSES, _VALEURS_TOML), max_size=4) | st.text(max_size=200))
def test_table_de_vitesses(contenu):
    if isinstance(contenu, list):
        texte = "\n".join(f"{cle} = {valeur}" for cle, valeur in contenu)
    else:
        texte = contenu
    with dossier() as d:
        f = d / "vitesses.toml"
        f.write_text(texte, encoding="utf-8")
        try:
            m = charger_vitesses(f)
        except ErreurAccessibilite:
            return
    _modele_valide(m)


@given(st.binary(max_size=200))
def test_table_de_vitesses_octets(contenu):
    with dossier() as d:
        f = d / "vitesses.toml"
        f.write_bytes(contenu)
        try:
            m = charger_vitesses(f)
        except ErreurAccessibilite:
            return
    _modele_valide(m)


_SECTIONS_SCENARIO = st.sampled_from(["[[ajout]]", "[[retrait]]", "[[pole]]", "[ajout]", ""])
_CHAMPS_SCENARIO = st.sampled_from(
    [
        'commune = "62001"',
        "commune = 62001",
        "commune = 1.5",
        "commune = true",
        'typequ = "D201"',
        'typequ = "Z999"',
        "typequ = 3",
        "nombre = 2",
        "nombre = 0",
        "nombre = -1",
        "nombre = 2.5",
        "nombre = nan",
        "nombre = true",
        'niveau = "superieur"',
        "niveau = 3",
        "actif = false",
        'actif = "non"',
        'autre = "x"',
        'description = "d"',
    ]
)


@given(st.lists(st.tuples(_SECTIONS_SCENARIO, st.lists(_CHAMPS_SCENARIO, max_size=4)), max_size=4))
def test_fichier_de_scenario(sections):
    texte = "\n".join(f"{s}\n" + "\n".join(dict.fromkeys(champs)) for s, champs in sections)
    with dossier() as d:
        f = d / "scenario.toml"
        f.write_text(texte, encoding="utf-8")
        try:
            m = lire_modifications(f)
        except ErreurAccessibilite:
            return
    connus = set(nomenclature().index)
    for e in (*m.ajouts, *m.retraits):
        assert isinstance(e.commune, str) and e.typequ in connus
        assert e.nombre is None or (isinstance(e.nombre, int) and e.nombre >= 1)
    for p in m.poles:
        assert isinstance(p.actif, bool) and isinstance(p.commune, str)


@given(st.binary(max_size=200))
def test_fichier_de_scenario_octets(contenu):
    with dossier() as d:
        f = d / "scenario.toml"
        f.write_bytes(contenu)
        try:
            lire_modifications(f)
        except ErreurAccessibilite:
            return


# --------------------------------------------------------------------------- points, codes

_COORDONNEE = st.one_of(
    st.floats(-200, 200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 0.0]),
)
_GEOMETRIE = st.one_of(
    st.none(),
    st.builds(lambda x, y: {"type": "Point", "coordinates": [x, y]}, _COORDONNEE, _COORDONNEE),
    st.just({"type": "Point", "coordinates": []}),
    st.just({"type": "LineString", "coordinates": [[2.7, 50.2], [2.8, 50.3]]}),
    st.just({"type": "Point", "coordinates": "x"}),
)


@given(st.lists(_GEOMETRIE, max_size=5), st.booleans())
def test_couche_de_points(geometries, avec_crs):
    collection: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": str(i)}, "geometry": g}
            for i, g in enumerate(geometries)
        ],
    }
    if avec_crs:
        collection["crs"] = {"type": "name", "properties": {"name": "EPSG:4326"}}
    with dossier() as d:
        f = d / "points.geojson"
        f.write_text(json.dumps(collection), encoding="utf-8")  # NaN written as NaN (JSON5)
        try:
            points = lire_points(f)
        except ErreurAccessibilite:
            return
    assert len(points) > 0 and points.crs is not None
    assert (points.geom_type == "Point").all()
    assert np.isfinite(points.geometry.x).all() and np.isfinite(points.geometry.y).all()


@given(st.binary(max_size=300))
def test_couche_de_points_octets(contenu):
    with dossier() as d:
        f = d / "points.gpkg"
        f.write_bytes(contenu)
        try:
            lire_points(f)
        except ErreurAccessibilite:
            return


@given(st.lists(_texte_quelconque() | st.integers(-5, 2**70).map(str), max_size=8))
def test_fichier_de_noeuds(lignes):
    with dossier() as d:
        f = d / "noeuds.txt"
        f.write_text("\n".join(lignes), encoding="utf-8")
        try:
            noeuds = lire_noeuds(f)
        except ErreurAccessibilite:
            return
    assert noeuds.dtype == np.int64 and (noeuds >= 0).all()


@given(st.binary(max_size=300))
def test_fichier_de_noeuds_npy_octets(contenu):
    with dossier() as d:
        f = d / "noeuds.npy"
        f.write_bytes(b"\x93NUMPY" + contenu)
        try:
            noeuds = lire_noeuds(f)
        except ErreurAccessibilite:
            return
    assert noeuds.dtype == np.int64


@given(
    st.lists(
        st.text(st.sampled_from('code;territoire,\t"62001 AB\n'), max_size=30),
        max_size=6,
    )
)
def test_fichier_de_territoires(lignes):
    with dossier() as d:
        f = d / "territoires.csv"
        f.write_text("\n".join(lignes), encoding="utf-8")
        try:
            table = lire_territoires(f)
        except ErreurAccessibilite:
            return
    assert list(table.columns) == ["code", "territoire"]
    assert not table["code"].duplicated().any()


_CELLULES_REFERENCE = st.one_of(
    st.sampled_from(
        ["62001", "62002", "2A004", "1001", "", "x", "nan", "inf", "-1", "3,5", "3.5", "1e400"]
    ),
    st.text(max_size=6),
)
_COLONNES_REFERENCE = st.sampled_from(
    [
        "code",
        "codgeo",
        "acces_pharmacie_moy_min",
        "acces_pharmacie_min_min",
        "acces_inconnu_moy_min",
        "acces_medecin_moy_min",
        "PMUN",
        "x",
    ]
)


@given(
    st.lists(_COLONNES_REFERENCE, min_size=1, max_size=4),
    st.lists(st.lists(_CELLULES_REFERENCE, min_size=1, max_size=4), max_size=5),
    st.sampled_from([";", ","]),
)
def test_fichier_de_reference(colonnes, lignes, separateur):
    """Per-commune access times of a reference (``poles.calibration.lire_reference``)."""
    with dossier() as d:
        f = d / "reference.csv"
        texte = separateur.join(colonnes) + "\n"
        f.write_text(texte + "\n".join(separateur.join(ligne) for ligne in lignes))
        try:
            reference = lire_reference(f)
        except ErreurAccessibilite:
            return
    if reference.acces is not None:
        valeurs = reference.acces.to_numpy(dtype=np.float64)
        assert (valeurs[~np.isnan(valeurs)] >= 0).all()
        assert not np.isinf(valeurs).any()
        assert not reference.acces.index.duplicated().any()


_ENTETES_MATRICE = st.sampled_from(
    [
        ["ID", "idSrc", "lonSrc", "latSrc", "idDst", "lonDst", "latDst", "duree", "distance"],
        ["CODGEO_ORIG", "CODGEO_DEST", "TPS_HC", "TPS_HP", "KM"],
        ["origine", "destination", "minutes"],
        ["origine", "destination", "secondes"],
        ["", "62001", "62002", "2A004"],
        ["code", "62001", "x"],
        ["a", "b"],
    ]
)
# well-formed cells twice as often as hostile ones, so that many files get read
_CELLULES_MATRICE = st.one_of(
    st.sampled_from(["62001", "62002", "2A004", "62001", "1001", "59350"]),
    st.sampled_from(["2.35", "50.6", "0", "12", "7,5", "3", "12.25"]),
    _CELLULES_REFERENCE,
    st.sampled_from(['"62001"', "062001", "99999", "1 234,5", "-3", "nan", ""]),
)


@given(
    _ENTETES_MATRICE,
    st.data(),
    st.sampled_from([";", ",", "\t", "|"]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_matrice_importee(entete, data, separateur, encodage):
    """A commune × commune matrix (``--matrice``): a table of minutes >= 0 or a clean error."""
    # rows as wide as the header (most files), or ragged ones
    largeur = st.just(len(entete)) | st.integers(1, 9)
    lignes = data.draw(
        st.lists(largeur.flatmap(lambda n: st.lists(_CELLULES_MATRICE, min_size=n, max_size=n)))
    )
    with dossier() as d:
        f = d / "matrice.csv"
        texte = "\r\n".join(separateur.join(ligne) for ligne in [entete, *lignes])
        f.write_bytes(texte.encode(encodage, errors="replace"))
        try:
            matrice = lire_matrice(f)
        except ErreurAccessibilite as erreur:
            event(f"refusée : {type(erreur).__name__}")
            return
    event(f"lue : format {matrice.attrs['format']}")
    valeurs = matrice.to_numpy(dtype=np.float64)
    assert (valeurs[~np.isnan(valeurs)] >= 0).all()
    assert not np.isinf(valeurs).any()
    assert matrice.index.is_unique and matrice.columns.is_unique


# --------------------------------------------------------------------------- .graphe, PBF


@pytest.fixture(scope="module")
def graphe_mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chemin = tmp_path_factory.mktemp("graphe") / "mini.graphe"
    return sauvegarder_graphe(construire_graphe(OSM_MINI, cache=False), chemin)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=6),
    lambda enfants: st.lists(enfants, max_size=3) | st.dictionaries(st.text(max_size=4), enfants),
    max_leaves=5,
)


@given(
    st.integers(0, 20),
    st.sampled_from(["nom", "dtype", "forme", "octets", "decalage", "sha256", "tout"]),
    _JSON,
)
def test_entete_de_graphe_altere(graphe_mini, rang, champ, valeur):
    with dossier() as d:
        g = Path(shutil.copy(graphe_mini, d / "g.graphe"))

        def changer(entete: dict[str, Any]) -> None:
            tableaux = entete["tableaux"]
            if champ == "tout":
                entete["tableaux"] = valeur
            else:
                tableaux[rang % len(tableaux)][champ] = valeur

        try:
            reecrire_entete_graphe(g, changer)
        except AssertionError:
            assume(False)  # the new header does not fit in the old one's room
        try:
            relu = charger_graphe(g)
        except ErreurAccessibilite:
            return
        original = charger_graphe(graphe_mini)
        assert relu.n_noeuds == original.n_noeuds
        assert np.array_equal(relu.temps_s, original.temps_s)


@pytest.fixture(scope="module")
def grille(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, int]:
    chemin = pbf_grille(tmp_path_factory.mktemp("pbf") / "grille.osm.pbf")
    return chemin.read_bytes(), construire_graphe(chemin, cache=False).n_arcs


@given(st.floats(0.0, 1.0))
def test_pbf_coupe_n_importe_ou(grille, part):
    brut, arcs = grille
    with dossier() as d:
        f = d / "coupe.osm.pbf"
        f.write_bytes(brut[: int(len(brut) * part)])
        try:
            g = construire_graphe(f, cache=False)
        except ErreurAccessibilite:
            return
    assert g.n_arcs == arcs  # never a part of the network


# --------------------------------------------------------------------------- sites, perimeters

_CELLULES_SITES = st.one_of(
    _texte_quelconque(),
    st.sampled_from(["A", "B", "E", "62765", "62294", "1001", "99999", "2.25", "50.7", "-"]),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
_COLONNES_SITES = st.lists(
    st.sampled_from(["nom", "code_insee", "lon", "lat", "id", "horaires", "Nom ", "x"]),
    min_size=1,
    max_size=5,
    unique=True,
)


@pytest.fixture(scope="module")
def communes_sites():
    from tests.poles.test_sites import communes

    return communes()


@given(
    _COLONNES_SITES,
    st.lists(st.lists(_CELLULES_SITES, min_size=5, max_size=5), max_size=5),
    st.sampled_from([",", ";", "\t"]),
)
def test_fichier_de_sites(communes_sites, colonnes, lignes, separateur):
    from poles.sites import lire_sites

    with dossier() as d:
        f = d / "sites.csv"
        texte = separateur.join(colonnes) + "\n"
        texte += "".join(
            separateur.join(c.replace(separateur, " ").replace("\n", " ") for c in ligne) + "\n"
            for ligne in lignes
        )
        f.write_text(texte, encoding="utf-8")
        try:
            sites = lire_sites(f, communes=communes_sites)
        except ErreurAccessibilite:
            return
    note(repr(sites.drop(columns="geometry")))
    assert len(sites) > 0 and sites["id"].is_unique
    assert (sites["nom"].str.len() > 0).all()
    assert set(sites["localisation"]) <= {"commune", "point"}
    assert np.isfinite(sites.geometry.x).all() and np.isfinite(sites.geometry.y).all()


@given(st.binary(max_size=300), st.sampled_from([".csv", ".gpkg", ".geojson"]))
def test_fichier_de_sites_octets(communes_sites, contenu, suffixe):
    from poles.sites import lire_sites

    with dossier() as d:
        f = d / f"sites{suffixe}"
        f.write_bytes(contenu)
        try:
            lire_sites(f, communes=communes_sites)
        except ErreurAccessibilite:
            return


@given(
    st.lists(
        st.sampled_from(["A", "b", "E", "e1", "e2", "V", "62765", "1001", "", " "])
        | _texte_quelconque(),
        max_size=4,
    )
)
def test_perimetre(communes_sites, jetons):
    from poles.perimetre import choisir_perimetre

    try:
        perimetre = choisir_perimetre(communes_sites, ",".join(jetons))
    except ErreurAccessibilite:
        return
    interieur = set(communes_sites.loc[~communes_sites["hors_departement"], "code"])
    assert perimetre.codes and set(perimetre.codes) <= interieur
