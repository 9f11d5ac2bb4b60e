"""Raw OpenStreetMap road data, read from a PBF, an osmnx GraphML or an osmnx graph.

Every source is turned into the same plain-array form, :class:`DonneesOsm`: the nodes
(OSM id, longitude, latitude, traffic signal flag), the ways (OSM id and the few tags the
speed model reads) and the segments between consecutive nodes of each way. The graph
builder (:mod:`reseau.construction`) only ever sees this form.

PBF files are read with pyosmium in one streaming pass (the choice and its measurements
are in the README): node locations go to an osmium index in C++, a C++ tag filter hands
Python only the ways of a road class (or ``route=ferry``) and the traffic signals.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from reseau._pbf import verifier_fin_pbf
from reseau.vitesses import CLASSES
from socle.erreurs import DonneesManquantes, ErreurReseau
from socle.progression import Progression

__all__ = [
    "ETIQUETTES_VOIE",
    "DonneesOsm",
    "decouper",
    "depuis_osmnx",
    "lire_graphml",
    "lire_osm",
]

logger = logging.getLogger(__name__)


#: Way tags kept from the sources (everything the speed and access rules read).
ETIQUETTES_VOIE: tuple[str, ...] = (
    "highway",
    "route",
    "maxspeed",
    "maxspeed:forward",
    "maxspeed:backward",
    "maxspeed:type",
    "zone:maxspeed",
    "source:maxspeed",
    "oneway",
    "junction",
    "access",
    "motor_vehicle",
    "motorcar",
    "vehicle",
    "service",
    "area",
)
_INDICE_ETIQUETTE = {cle: i for i, cle in enumerate(ETIQUETTES_VOIE)}
_PAS_PROGRESSION = 20_000


@dataclass(frozen=True, eq=False)
class DonneesOsm:
    """Road data of one source, as plain arrays.

    Attributes
    ----------
    noeud_ids
        OSM id of each node (int64; negative for intermediate geometry points of a
        simplified GraphML, which have none).
    lon, lat
        Coordinates in EPSG:4326 (float64).
    feux
        Whether the node is a traffic signal (``highway=traffic_signals``).
    voie_ids
        OSM id of each way (int64).
    etiquettes
        For each tag of :data:`ETIQUETTES_VOIE`, one str per way (``""`` when absent).
    seg_u, seg_v, seg_voie
        Each segment: its two node indices, in the way's drawing order, and its way index.
    orientes
        ``True`` when segments are already directed arcs (a GraphML saved by osmnx, whose
        one-way rules were applied when it was made): each gives one arc, ``u`` to ``v``.
    description
        Facts about the source for the graph's metadata.
    """

    noeud_ids: NDArray[np.int64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    feux: NDArray[np.bool_]
    voie_ids: NDArray[np.int64]
    etiquettes: Mapping[str, NDArray[np.str_]]
    seg_u: NDArray[np.int64]
    seg_v: NDArray[np.int64]
    seg_voie: NDArray[np.int64]
    orientes: bool = False
    description: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_noeuds(self) -> int:
        """Number of nodes."""
        return int(self.noeud_ids.size)

    @property
    def n_voies(self) -> int:
        """Number of ways."""
        return int(self.voie_ids.size)

    def tableaux(self) -> dict[str, NDArray[Any]]:
        """All arrays by name (for saving with :func:`numpy.savez`)."""
        tout: dict[str, NDArray[Any]] = {
            "noeud_ids": self.noeud_ids,
            "lon": self.lon,
            "lat": self.lat,
            "feux": self.feux,
            "voie_ids": self.voie_ids,
            "seg_u": self.seg_u,
            "seg_v": self.seg_v,
            "seg_voie": self.seg_voie,
        }
        for cle, valeurs in self.etiquettes.items():
            tout[f"etiquette:{cle}"] = valeurs
        return tout

    @classmethod
    def depuis_tableaux(
        cls, tableaux: Mapping[str, NDArray[Any]], *, orientes: bool, description: Mapping[str, Any]
    ) -> DonneesOsm:
        """Inverse of :meth:`tableaux`."""
        etiquettes = {
            cle.split(":", 1)[1]: np.asarray(v)
            for cle, v in tableaux.items()
            if cle.startswith("etiquette:")
        }
        return cls(
            noeud_ids=np.asarray(tableaux["noeud_ids"], dtype=np.int64),
            lon=np.asarray(tableaux["lon"], dtype=np.float64),
            lat=np.asarray(tableaux["lat"], dtype=np.float64),
            feux=np.asarray(tableaux["feux"], dtype=bool),
            voie_ids=np.asarray(tableaux["voie_ids"], dtype=np.int64),
            etiquettes=etiquettes,
            seg_u=np.asarray(tableaux["seg_u"], dtype=np.int64),
            seg_v=np.asarray(tableaux["seg_v"], dtype=np.int64),
            seg_voie=np.asarray(tableaux["seg_voie"], dtype=np.int64),
            orientes=orientes,
            description=dict(description),
        )


def _tableau_etiquettes(lignes: list[tuple[str, ...]]) -> dict[str, NDArray[np.str_]]:
    if not lignes:
        return {cle: np.zeros(0, dtype="<U1") for cle in ETIQUETTES_VOIE}
    colonnes = list(zip(*lignes, strict=True))
    return {cle: np.asarray(colonnes[i], dtype=str) for i, cle in enumerate(ETIQUETTES_VOIE)}


def decouper(donnees: DonneesOsm, polygone: BaseGeometry | None) -> DonneesOsm:
    """Keep the segments with at least one end inside ``polygone`` (EPSG:4326).

    Nodes no kept segment uses are dropped and the rest renumbered; ways are kept as they
    are (a way without segments is harmless). ``None`` returns the data unchanged.
    """
    if polygone is None:
        return donnees
    shapely.prepare(polygone)
    dedans = shapely.contains_xy(polygone, donnees.lon, donnees.lat)
    garde = dedans[donnees.seg_u] | dedans[donnees.seg_v]
    return _sous_segments(donnees, garde, {"decoupe": "au moins une extrémité dans l'emprise"})


def fusionner(parts: Sequence[DonneesOsm]) -> DonneesOsm:
    """Merge the road data of several extracts (neighbouring regions) into one.

    Nodes and ways present in several extracts (along the common border: Geofabrik cuts
    with complete ways) are kept once, by OSM id; the segments of a way come from the first
    extract that holds it.
    """
    if len(parts) == 1:
        return parts[0]
    if any(p.orientes for p in parts):
        raise ErreurReseau("Seuls des extraits OpenStreetMap (.osm.pbf) se fusionnent.")
    ids = np.concatenate([p.noeud_ids for p in parts])
    uniques, premiere, inverse = np.unique(ids, return_index=True, return_inverse=True)
    lon = np.concatenate([p.lon for p in parts])[premiere]
    lat = np.concatenate([p.lat for p in parts])[premiere]
    feux = np.concatenate([p.feux for p in parts])[premiere]
    voies = np.concatenate([p.voie_ids for p in parts])
    _, voie_premiere = np.unique(voies, return_index=True)
    garde_voie = np.zeros(voies.size, dtype=bool)
    garde_voie[voie_premiere] = True
    decalage_noeuds = np.cumsum([0, *(p.n_noeuds for p in parts)])
    decalage_voies = np.cumsum([0, *(p.n_voies for p in parts)])
    seg_u, seg_v, seg_voie = [], [], []
    for k, p in enumerate(parts):
        voie_globale = p.seg_voie + decalage_voies[k]
        garde = garde_voie[voie_globale]
        seg_u.append(inverse[p.seg_u[garde] + decalage_noeuds[k]])
        seg_v.append(inverse[p.seg_v[garde] + decalage_noeuds[k]])
        seg_voie.append(voie_globale[garde])
    # renumber the kept ways 0..m-1 in their first-seen order
    rang_voie = np.cumsum(garde_voie) - 1
    etiquettes = {
        cle: np.concatenate([p.etiquettes[cle] for p in parts])[garde_voie]
        for cle in parts[0].etiquettes
    }
    return DonneesOsm(
        noeud_ids=uniques.astype(np.int64),
        lon=lon,
        lat=lat,
        feux=feux,
        voie_ids=voies[garde_voie],
        etiquettes=etiquettes,
        seg_u=np.concatenate(seg_u).astype(np.int64),
        seg_v=np.concatenate(seg_v).astype(np.int64),
        seg_voie=rang_voie[np.concatenate(seg_voie)].astype(np.int64),
        description={
            **dict(parts[0].description),
            "fichier": " + ".join(str(p.description.get("fichier", "?")) for p in parts),
            "extraits_fusionnes": len(parts),
        },
    )


def _sous_segments(
    donnees: DonneesOsm, garde: NDArray[np.bool_], faits: Mapping[str, Any]
) -> DonneesOsm:
    u, v = donnees.seg_u[garde], donnees.seg_v[garde]
    utilises = np.zeros(donnees.n_noeuds, dtype=bool)
    utilises[u] = True
    utilises[v] = True
    nouveau = np.cumsum(utilises) - 1
    return DonneesOsm(
        noeud_ids=donnees.noeud_ids[utilises],
        lon=donnees.lon[utilises],
        lat=donnees.lat[utilises],
        feux=donnees.feux[utilises],
        voie_ids=donnees.voie_ids,
        etiquettes=donnees.etiquettes,
        seg_u=nouveau[u],
        seg_v=nouveau[v],
        seg_voie=donnees.seg_voie[garde],
        orientes=donnees.orientes,
        description={**donnees.description, **faits},
    )


# --------------------------------------------------------------------------- PBF / OSM XML


def lire_osm(
    chemin: str | Path,
    *,
    polygone: BaseGeometry | None = None,
    index_noeuds: str = "sparse_mem_array",
    progression: Progression | None = None,
) -> DonneesOsm:
    """Read the road ways of an OpenStreetMap file (``.osm.pbf``, ``.osm``, ``.osm.bz2``).

    One streaming pass with pyosmium: the node locations go to an osmium index in C++
    (``index_noeuds``, 16 bytes per node of the file with the default
    ``"sparse_mem_array"``; ``"sparse_file_array,/tmp/index"`` keeps it on disk for
    country-size files), and only the ways of a road class (or ``route=ferry``) and the
    traffic-signal nodes reach Python, chosen by a C++ tag filter.

    Parameters
    ----------
    chemin
        The file; its format is told by its suffix, as osmium does.
    polygone
        Optional clipping area in EPSG:4326 (see :func:`decouper`).
    index_noeuds
        The osmium node location index (see the pyosmium manual).
    progression
        Optional progress callback (step ``"lecture"``, counting ways).

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    ErreurReseau
        Not an OSM file, truncated (also exactly between two blocks, see
        :func:`reseau._pbf.verifier_fin_pbf`), or no road in it.
    """
    import osmium

    chemin = Path(chemin)
    if not chemin.is_file():
        raise DonneesManquantes(f"Fichier OSM introuvable : {chemin}. Vérifiez le chemin donné.")
    if chemin.name.lower().endswith(".pbf"):
        verifier_fin_pbf(chemin)  # a file cut between two blocks reads without error
    filtre = osmium.filter.TagFilter(
        *(("highway", c) for c in CLASSES if c != "ferry"),
        ("route", "ferry"),
        ("highway", "traffic_signals"),
    )
    lignes: list[tuple[str, ...]] = []
    partagees: dict[tuple[str, ...], tuple[str, ...]] = {}
    voie_ids = array("q")
    refs = array("q")
    lons = array("d")
    lats = array("d")
    longueurs = array("q")
    feux = array("q")
    vide = ("",) * len(ETIQUETTES_VOIE)
    nan = float("nan")
    n = 0
    try:
        processeur = (
            osmium.FileProcessor(str(chemin), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations(index_noeuds)
            .with_filter(filtre)
        )
        for objet in processeur:
            if isinstance(objet, osmium.osm.Node):
                feux.append(objet.id)
                continue
            if not isinstance(objet, osmium.osm.Way):
                continue
            valeurs = list(vide)
            for etiquette in objet.tags:
                i = _INDICE_ETIQUETTE.get(etiquette.k)
                if i is not None:
                    valeurs[i] = etiquette.v
            ligne = tuple(valeurs)
            lignes.append(partagees.setdefault(ligne, ligne))
            voie_ids.append(objet.id)
            k = 0
            for nd in objet.nodes:
                refs.append(nd.ref)
                emplacement = nd.location
                if emplacement.valid():
                    lons.append(emplacement.lon)
                    lats.append(emplacement.lat)
                else:
                    lons.append(nan)
                    lats.append(nan)
                k += 1
            longueurs.append(k)
            n += 1
            if progression is not None and n % _PAS_PROGRESSION == 0:
                progression("lecture", n, None)
    except RuntimeError as exc:
        raise _erreur_lecture(chemin, exc) from exc
    if progression is not None:
        progression("lecture", n, n)
    if not voie_ids:
        raise ErreurReseau(
            f"Aucune voie routière (highway) dans {chemin.name} : le fichier est-il bien un "
            "extrait OpenStreetMap de la zone ?"
        )
    refs_np = np.frombuffer(refs, dtype=np.int64)
    lon_refs = np.frombuffer(lons, dtype=np.float64)
    lat_refs = np.frombuffer(lats, dtype=np.float64)
    trouve = np.isfinite(lon_refs)
    noeud_ids, premier, position = np.unique(refs_np, return_index=True, return_inverse=True)
    longueurs_np = np.frombuffer(longueurs, dtype=np.int64)
    fin_de_voie = np.zeros(refs_np.size, dtype=bool)
    fin_de_voie[np.cumsum(longueurs_np) - 1] = True
    debut = np.flatnonzero(~fin_de_voie)
    seg_voie = np.repeat(np.arange(longueurs_np.size, dtype=np.int64), longueurs_np)[debut]
    valide = trouve[debut] & trouve[debut + 1]
    manquants = int(np.unique(refs_np[~trouve]).size)
    if manquants:
        logger.info("%d nœuds sans coordonnées (extrait coupé) ignorés.", manquants)
    donnees = DonneesOsm(
        noeud_ids=noeud_ids.astype(np.int64),
        lon=lon_refs[premier],
        lat=lat_refs[premier],
        feux=np.isin(noeud_ids, np.frombuffer(feux, dtype=np.int64)),
        voie_ids=np.frombuffer(voie_ids, dtype=np.int64).copy(),
        etiquettes=_tableau_etiquettes(lignes),
        seg_u=position[debut][valide].astype(np.int64),
        seg_v=position[debut + 1][valide].astype(np.int64),
        seg_voie=seg_voie[valide],
        orientes=False,
        description={
            "type": "pbf" if chemin.name.endswith(".pbf") else "osm",
            "fichier": chemin.name,
            "noeuds_sans_coordonnees": manquants,
        },
    )
    return decouper(donnees, polygone)


def _erreur_lecture(chemin: Path, exc: Exception) -> ErreurReseau:
    return ErreurReseau(
        f"Fichier OpenStreetMap illisible ou tronqué : {chemin.name} ({exc}). Vérifiez qu'il "
        "s'agit bien d'un extrait .osm.pbf complet (par exemple téléchargé de Geofabrik) et "
        "retéléchargez-le au besoin."
    )


# --------------------------------------------------------------------------- osmnx graphs


def _texte(valeur: Any) -> str:
    """An osmnx attribute as a tag string (lists joined with ``;``)."""
    if valeur is None:
        return ""
    if isinstance(valeur, list | tuple | set):
        return ";".join(_texte(v) for v in valeur)
    if isinstance(valeur, float) and valeur != valeur:
        return ""
    texte = str(valeur)
    if texte.startswith("[") and texte.endswith("]"):  # list saved as text by osmnx 1.x
        morceaux = [m.strip().strip("'\"") for m in texte[1:-1].split(",")]
        return ";".join(m for m in morceaux if m)
    return texte


def _premier_id(valeur: Any) -> int:
    if isinstance(valeur, list | tuple):
        return int(valeur[0])
    texte = str(valeur)
    if texte.startswith("["):
        return int(texte[1:-1].split(",")[0])
    return int(texte)


#: Values osmnx reads as "one-way against the drawing order": it reverses those ways' nodes.
_OSMNX_INVERSES = {"-1", "reverse", "T"}


def depuis_osmnx(graphe: Any, *, orientes: bool, description: Mapping[str, Any]) -> DonneesOsm:
    """Convert an unprojected osmnx ``MultiDiGraph`` to :class:`DonneesOsm`.

    Parameters
    ----------
    graphe
        A graph from osmnx, in EPSG:4326 (node attributes ``x`` = longitude, ``y`` =
        latitude).
    orientes
        ``True`` for a graph whose edges are already the directed arcs (an ordinary osmnx
        graph: one-way rules applied by osmnx). ``False`` for a graph made with
        ``ox.settings.all_oneway = True`` (one edge per OSM segment, drawing order, raw
        ``oneway`` tag kept): our own one-way rules then apply. osmnx reverses the nodes of
        the ways whose ``oneway`` is ``-1``/``reverse``/``T`` even then; those edges are
        turned back here so that every source sees the drawing order.
    description
        Facts about the source.

    Simplified graphs (edges with a ``geometry``) are exploded: each intermediate point
    becomes a node (negative id), shared by the two directions of the same street.
    """
    crs = str(graphe.graph.get("crs", "epsg:4326")).lower()
    if crs not in {"epsg:4326", "wgs84", "+init=epsg:4326"}:
        raise ErreurReseau(
            f"Graphe osmnx projeté ({crs}) : fournissez le graphe non projeté (EPSG:4326)."
        )
    noeuds = list(graphe.nodes(data=True))
    if not noeuds or graphe.number_of_edges() == 0:
        raise ErreurReseau("Le graphe osmnx ne contient aucune voie.")
    indice = {nid: i for i, (nid, _) in enumerate(noeuds)}
    ids: list[int] = [int(nid) for nid, _ in noeuds]
    lons: list[float] = [float(d["x"]) for _, d in noeuds]
    lats: list[float] = [float(d["y"]) for _, d in noeuds]
    feux: list[bool] = ["traffic_signals" in _texte(d.get("highway")) for _, d in noeuds]
    intermediaires: dict[tuple[int, int, float, float], int] = {}
    lignes: list[tuple[str, ...]] = []
    voie_ids: list[int] = []
    voies_par_id: dict[int, int] = {}
    seg_u: list[int] = []
    seg_v: list[int] = []
    seg_voie: list[int] = []
    for u, v, donnees in graphe.edges(data=True):
        valeurs = tuple(_texte(donnees.get(cle)) for cle in ETIQUETTES_VOIE)
        osmid = _premier_id(donnees.get("osmid", -1))
        if orientes:
            # one "way" per edge: the edges of a simplified graph mix several ways
            w = len(voie_ids)
            voie_ids.append(osmid)
            lignes.append(valeurs)
        else:
            if osmid not in voies_par_id:
                voies_par_id[osmid] = len(voie_ids)
                voie_ids.append(osmid)
                lignes.append(valeurs)
            w = voies_par_id[osmid]
            if _texte(donnees.get("oneway")) in _OSMNX_INVERSES:
                u, v = v, u
        chaine = [indice[u]]
        geometrie = donnees.get("geometry")
        if geometrie is not None and len(geometrie.coords) > 2:
            a, b = min(int(u), int(v)), max(int(u), int(v))
            for x, y in list(geometrie.coords)[1:-1]:
                cle = (a, b, round(x, 7), round(y, 7))
                if cle not in intermediaires:
                    intermediaires[cle] = len(ids)
                    ids.append(-(len(intermediaires)))
                    lons.append(x)
                    lats.append(y)
                    feux.append(False)
                chaine.append(intermediaires[cle])
        chaine.append(indice[v])
        seg_u.extend(chaine[:-1])
        seg_v.extend(chaine[1:])
        seg_voie.extend([w] * (len(chaine) - 1))
    return DonneesOsm(
        noeud_ids=np.asarray(ids, dtype=np.int64),
        lon=np.asarray(lons, dtype=np.float64),
        lat=np.asarray(lats, dtype=np.float64),
        feux=np.asarray(feux, dtype=bool),
        voie_ids=np.asarray(voie_ids, dtype=np.int64),
        etiquettes=_tableau_etiquettes(lignes),
        seg_u=np.asarray(seg_u, dtype=np.int64),
        seg_v=np.asarray(seg_v, dtype=np.int64),
        seg_voie=np.asarray(seg_voie, dtype=np.int64),
        orientes=orientes,
        description=dict(description),
    )


def lire_graphml(chemin: str | Path, *, polygone: BaseGeometry | None = None) -> DonneesOsm:
    """Read a GraphML saved by osmnx (any network type; filtered later to car roads).

    The edges are taken as the directed arcs osmnx made (its one-way rules); the original
    ``oneway`` tag is not in the file. Tags osmnx did not keep (``motor_vehicle``,
    ``motorcar``...) cannot be honoured: the metadata says so.

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    ErreurReseau
        Not a GraphML, a projected graph, or no edge.
    """
    import osmnx as ox

    chemin = Path(chemin)
    if not chemin.is_file():
        raise DonneesManquantes(f"GraphML introuvable : {chemin}. Vérifiez le chemin donné.")
    try:
        graphe = ox.load_graphml(chemin)
    except Exception as exc:  # networkx/lxml parse errors have no common base
        raise ErreurReseau(
            f"GraphML illisible : {chemin.name} ({type(exc).__name__} : {exc}). Attendu un "
            "fichier enregistré par osmnx (ox.save_graphml)."
        ) from exc
    cles_presentes = {k for _, _, d in graphe.edges(data=True) for k in d}
    absentes = [c for c in ("motor_vehicle", "motorcar", "vehicle") if c not in cles_presentes]
    donnees = depuis_osmnx(
        graphe,
        orientes=True,
        description={
            "type": "graphml",
            "fichier": chemin.name,
            "cree_par": str(graphe.graph.get("created_with", "")),
            "date_osm": str(graphe.graph.get("created_date", "")),
            "etiquettes_absentes": absentes,
        },
    )
    return decouper(donnees, polygone)
