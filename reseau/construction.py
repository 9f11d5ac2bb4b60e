"""Build the car road graph from OpenStreetMap data: :func:`construire_graphe`.

Steps, each counted in the graph's ``metadonnees``:

1. read the source (a PBF/OSM file, an osmnx GraphML, or an Overpass download through
   osmnx), clipped to the area (polygon + buffer);
2. keep the ways a car may use: road classes of the speed table, ``access`` /
   ``motor_vehicle`` / ``motorcar`` / ``vehicle`` not closed, no parking aisle, ferries
   only on request; decide each way's directions (``oneway``, ``junction=roundabout``,
   implied one-way classes; ``reversible`` per the table);
3. price every arc: length (great circle between the node coordinates) over the speed of
   its way in its direction (``maxspeed`` or implicit value or class default) times the
   class peak-hour factor, plus the junction or signal delay at its end;
4. drop self-loops and keep the fastest of parallel arcs; keep only the largest strongly
   connected component; order the nodes along a Z-order curve (nearby nodes get nearby
   numbers, which helps the routing kernels' memory access);
5. project the nodes to the metric CRS (Lambert-93 in France, UTM elsewhere).

Every OSM node of a kept way stays a node: each arc is a straight segment between its
nodes' coordinates, which is the geometry the isochrone engine needs.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from reseau._osm import DonneesOsm, decouper, fusionner, lire_graphml, lire_osm
from reseau.emprise import polygone_wgs84, tamponner
from reseau.graphe import Graphe
from reseau.vitesses import (
    CODE_BAC,
    SOURCES_VITESSE,
    LectureVitesse,
    ModeleVitesses,
    charger_vitesses,
    code_classe,
    vitesse_voie,
)
from socle.erreurs import CacheCorrompu, ErreurReseau
from socle.progression import Progression
from socle.territoire import crs_metrique, verifier_crs_metrique

__all__ = [
    "VERSION_CONSTRUCTEUR",
    "construire_graphe",
    "graphe_depuis_osm",
]

logger = logging.getLogger(__name__)

#: Version of the graph builder: part of the cache key, bump it whenever a change here
#: changes the graphs built from the same input.
VERSION_CONSTRUCTEUR = "reseau-1"

_RAYON_TERRE_M = 6_371_008.8
_OUI = {"yes", "true", "1"}
_INVERSE = {"-1", "reverse"}
_NON = {"no", "false", "0"}
_REVERSIBLE = {"reversible", "alternating"}
_GIRATOIRE = {"roundabout", "circular"}
_ACCES_VOITURE_BAC = {"yes", "designated", "permissive"}


def _haversine(
    lon1: NDArray[np.float64],
    lat1: NDArray[np.float64],
    lon2: NDArray[np.float64],
    lat2: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Great-circle distance in metres (spherical Earth, mean radius)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * _RAYON_TERRE_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _morton(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.uint64]:
    """Z-order (Morton) key of points on a 2^20 × 2^20 grid over their bounding box."""

    def etaler(v: NDArray[np.uint64]) -> NDArray[np.uint64]:
        v = v & np.uint64(0xFFFFF)
        v = (v | (v << np.uint64(16))) & np.uint64(0x0000FFFF0000FFFF)
        v = (v | (v << np.uint64(8))) & np.uint64(0x00FF00FF00FF00FF)
        v = (v | (v << np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
        v = (v | (v << np.uint64(2))) & np.uint64(0x3333333333333333)
        v = (v | (v << np.uint64(1))) & np.uint64(0x5555555555555555)
        return v

    if x.size == 0:
        return np.zeros(0, dtype=np.uint64)
    etendue = max(float(np.ptp(x)), float(np.ptp(y)), 1e-9)
    qx = ((x - x.min()) / etendue * (2**20 - 1)).astype(np.uint64)
    qy = ((y - y.min()) / etendue * (2**20 - 1)).astype(np.uint64)
    return etaler(qx) | (etaler(qy) << np.uint64(1))


@dataclass(frozen=True)
class _Decision:
    """What the rules make of one combination of way tags."""

    exclusion: str | None = None  # reason, or None when kept
    classe_ecartee: str | None = None
    classe: int = 0
    sens: int = 0  # 1: drawing order only, -1: reverse only, 0: both
    vitesse: tuple[float, float] = (0.0, 0.0)  # free speed forward, backward (km/h)
    source: tuple[int, int] = (0, 0)
    facteur: float = 1.0
    illisibles: frozenset[str] = frozenset()
    oneway_inconnu: str | None = None


def _decider(
    tags: Mapping[str, str],
    modele: ModeleVitesses,
    *,
    bacs: bool,
    orientes: bool,
    memo: dict[str, LectureVitesse],
) -> _Decision:
    """Apply the access, direction and speed rules to one way's tags."""
    h = tags.get("highway", "")
    if not h:
        if tags.get("route") != "ferry":
            return _Decision(exclusion="sans highway")
        if not bacs:
            return _Decision(exclusion="bac (option bacs)")
        voiture = next((tags[c] for c in modele.cles_acces if c != "access" and tags.get(c)), "")
        if voiture not in _ACCES_VOITURE_BAC:
            return _Decision(exclusion="bac sans voitures")
        v = modele.bac_vitesse_kmh
        code = SOURCES_VITESSE.index("bac")
        return _Decision(classe=CODE_BAC, vitesse=(v, v), source=(code, code))
    parties = h.split(";")
    if not all(p in modele.classes for p in parties):
        return _Decision(exclusion="classe non circulable", classe_ecartee=h)
    if tags.get("area") == "yes":
        return _Decision(exclusion="surface (area=yes)")
    service = tags.get("service", "")
    if service and any(x in modele.services_exclus for x in service.split(";")):
        return _Decision(exclusion="voie de service exclue")
    for cle in modele.cles_acces:
        valeur = tags.get(cle, "")
        if valeur:
            if any(p.strip() in modele.acces_interdits for p in valeur.split(";")):
                return _Decision(exclusion="accès interdit aux voitures")
            break
    nom_classe = min(parties, key=lambda p: modele.classes[p].defaut_kmh)
    brut = tags.get("oneway", "")
    o = brut.strip().lower()
    inconnu = None
    if orientes:
        s = 1
        sens_unique = o in _OUI
    else:
        if o in _OUI:
            s = 1
        elif o in _INVERSE:
            s = -1
        elif o in _REVERSIBLE:
            if modele.reversible == "exclue":
                return _Decision(exclusion="sens réversible (oneway=reversible)")
            s = 0
        elif o in _NON:
            s = 0
        else:
            inconnu = brut or None
            girat = tags.get("junction", "") in _GIRATOIRE
            s = 1 if girat or any(p in modele.classes_sens_unique for p in parties) else 0
        sens_unique = s != 0
    vitesses = [0.0, 0.0]
    sources = [0, 0]
    illisibles: set[str] = set()
    for j, nom_sens in ((0, "avant"), (1, "arriere")):
        if (j == 0 and s == -1) or (j == 1 and (s == 1 or orientes)):
            continue
        kmh, src, illisible = vitesse_voie(
            tags, nom_classe, sens_unique=sens_unique, sens=nom_sens, modele=modele, memo=memo
        )
        vitesses[j], sources[j] = kmh, src
        if illisible is not None:
            illisibles.add(illisible)
    return _Decision(
        classe=code_classe(nom_classe),
        sens=s,
        vitesse=(vitesses[0], vitesses[1]),
        source=(sources[0], sources[1]),
        facteur=modele.classes[nom_classe].facteur_pointe,
        illisibles=frozenset(illisibles),
        oneway_inconnu=inconnu,
    )


def _decider_voies(
    donnees: DonneesOsm, modele: ModeleVitesses, *, bacs: bool
) -> tuple[dict[str, NDArray[Any]], dict[str, Any]]:
    """Per-way decisions: kept, class code, direction, free speeds and their sources.

    The rules run once per distinct combination of tags (most ways share theirs).
    """
    w = donnees.n_voies
    noms = list(donnees.etiquettes)
    colonnes = [donnees.etiquettes[nom].tolist() for nom in noms]
    garde = np.zeros(w, dtype=bool)
    classe = np.zeros(w, dtype=np.uint8)
    sens = np.zeros(w, dtype=np.int8)
    vitesse = np.zeros((w, 2), dtype=np.float64)  # free speed, forward / backward
    facteur = np.ones(w, dtype=np.float64)
    source = np.zeros((w, 2), dtype=np.uint8)
    exclusions: Counter[str] = Counter()
    classes_ecartees: Counter[str] = Counter()
    illisibles: Counter[str] = Counter()
    oneway_inconnus: Counter[str] = Counter()
    memo: dict[str, LectureVitesse] = {}
    decisions: dict[tuple[str, ...], _Decision] = {}
    for i, valeurs in enumerate(zip(*colonnes, strict=True)):
        d = decisions.get(valeurs)
        if d is None:
            tags = {nom: v for nom, v in zip(noms, valeurs, strict=True) if v}
            d = _decider(tags, modele, bacs=bacs, orientes=donnees.orientes, memo=memo)
            decisions[valeurs] = d
        if d.exclusion is not None:
            exclusions[d.exclusion] += 1
            if d.classe_ecartee is not None:
                classes_ecartees[d.classe_ecartee] += 1
            continue
        garde[i] = True
        classe[i] = d.classe
        sens[i] = d.sens
        vitesse[i] = d.vitesse
        source[i] = d.source
        facteur[i] = d.facteur
        illisibles.update(d.illisibles)
        if d.oneway_inconnu is not None:
            oneway_inconnus[d.oneway_inconnu] += 1

    if illisibles:
        logger.warning(
            "%d voies avec un maxspeed illisible (vitesse par défaut de la classe appliquée) : %s",
            sum(illisibles.values()),
            ", ".join(f"« {v} » ({n})" for v, n in illisibles.most_common(5)),
        )
    par_voie = {
        "garde": garde,
        "classe": classe,
        "sens": sens,
        "vitesse": vitesse,
        "facteur": facteur,
        "source": source,
    }
    faits = {
        "voies_lues": w,
        "voies_gardees": int(garde.sum()),
        "exclusions": dict(exclusions.most_common()),
        "classes_ecartees": dict(classes_ecartees.most_common(30)),
        "maxspeed_illisibles": dict(illisibles.most_common(50)),
        "maxspeed_illisibles_total": int(sum(illisibles.values())),
        "oneway_inconnus": dict(oneway_inconnus.most_common(20)),
    }
    return par_voie, faits


def _uniques(valeurs: NDArray[np.int64]) -> NDArray[np.int64]:
    """Sorted distinct values (sort-based: much faster than np.unique's hash path here)."""
    tries = np.sort(valeurs)
    if tries.size == 0:
        return tries
    garde = np.ones(tries.size, dtype=bool)
    garde[1:] = tries[1:] != tries[:-1]
    return tries[garde]


def graphe_depuis_osm(
    donnees: DonneesOsm,
    modele: ModeleVitesses,
    *,
    bacs: bool = False,
    crs: str | None = None,
    progression: Progression | None = None,
) -> Graphe:
    """Build the car graph from raw OSM road data (see the module docstring for the steps).

    Parameters
    ----------
    donnees
        Road data from :func:`reseau._osm.lire_osm`, :func:`~reseau._osm.lire_graphml` or
        a download.
    modele
        Speed table (:func:`reseau.charger_vitesses`).
    bacs
        Keep car ferries (``route=ferry`` with ``motorcar`` or ``motor_vehicle`` = yes).
    crs
        Metric CRS of the node coordinates (default: :func:`reseau.emprise.crs_metrique`
        of the median node).
    progression
        Optional progress callback (steps ``"construction"`` and ``"nettoyage"``).

    Returns
    -------
    Graphe
        With ``x``, ``y`` (metres in ``crs``), ``osm_ids`` and per-arc attributes
        ``longueur_m`` (float32), ``classe`` (uint8, see :data:`reseau.CLASSES`),
        ``vitesse_kmh`` (float32, the peak-hour speed used), ``source_vitesse`` (uint8,
        see :data:`reseau.SOURCES_VITESSE`) and ``osm_voie`` (int64 way id).

    Raises
    ------
    ErreurReseau
        No car road left after filtering.
    DonneesInvalides
        ``crs`` is unknown or not a projected CRS in metres.
    """
    if crs is not None:
        crs = verifier_crs_metrique(crs, quoi="Le CRS demandé pour le réseau (--crs)")
    debut = time.perf_counter()
    if progression is not None:
        progression("construction", 0, 4)
    par_voie, faits = _decider_voies(donnees, modele, bacs=bacs)
    seg_garde = par_voie["garde"][donnees.seg_voie]
    u = donnees.seg_u[seg_garde]
    v = donnees.seg_v[seg_garde]
    voie = donnees.seg_voie[seg_garde]
    if progression is not None:
        progression("construction", 1, 4)
    sens = par_voie["sens"][voie]
    avant = sens >= 0
    arriere = (sens <= 0) & (not donnees.orientes)
    src = np.concatenate([u[avant], v[arriere]])
    dst = np.concatenate([v[avant], u[arriere]])
    arc_voie = np.concatenate([voie[avant], voie[arriere]])
    direction = np.concatenate(
        [np.zeros(int(avant.sum()), np.int64), np.ones(int(arriere.sum()), np.int64)]
    )
    boucles = src == dst
    src, dst, arc_voie, direction = (
        src[~boucles],
        dst[~boucles],
        arc_voie[~boucles],
        direction[~boucles],
    )
    if src.size == 0:
        raise ErreurReseau(
            "Aucune route circulable en voiture dans la zone : vérifiez l'emprise (polygone, "
            "département) et que le fichier couvre bien cette zone."
        )
    longueur = _haversine(donnees.lon[src], donnees.lat[src], donnees.lon[dst], donnees.lat[dst])
    vitesse_libre = par_voie["vitesse"][arc_voie, direction]
    vitesse = vitesse_libre * par_voie["facteur"][arc_voie]
    classe = par_voie["classe"][arc_voie]
    source_vitesse = par_voie["source"][arc_voie, direction]
    if progression is not None:
        progression("construction", 2, 4)

    # junctions: nodes with at least three distinct neighbours (either direction)
    n = donnees.n_noeuds
    a, b = np.minimum(src, dst), np.maximum(src, dst)
    paires = _uniques(a * np.int64(n) + b)
    degre = np.bincount(paires // n, minlength=n) + np.bincount(paires % n, minlength=n)
    carrefour = degre >= 3
    classes_carrefour = np.zeros(256, dtype=bool)
    for nom, p in modele.classes.items():
        classes_carrefour[code_classe(nom)] = p.carrefour
    delai = np.where(carrefour[dst] & classes_carrefour[classe], modele.delai_carrefour_s, 0.0)
    delai = np.where(donnees.feux[dst], modele.delai_feux_s, delai)
    bac = classe == CODE_BAC
    if bac.any():
        # the boarding delay is spread over the ferry's arcs (in each direction) in
        # proportion to their length: a whole crossing pays it once
        trajet = arc_voie[bac] * 2 + direction[bac]
        longueur_trajet = np.bincount(trajet, weights=longueur[bac], minlength=2 * donnees.n_voies)
        part = longueur[bac] / np.maximum(longueur_trajet[trajet], 1e-9)
        delai[bac] = modele.bac_embarquement_s * part
    temps = longueur / (vitesse / 3.6) + delai
    if progression is not None:
        progression("construction", 3, 4)

    # parallel arcs: keep the fastest
    cle = src * np.int64(n) + dst
    ordre = np.lexsort((temps, cle))
    premier = np.ones(ordre.size, dtype=bool)
    premier[1:] = cle[ordre][1:] != cle[ordre][:-1]
    choix = ordre[premier]
    faits["arcs_paralleles_supprimes"] = int(ordre.size - choix.size)
    faits["boucles_supprimees"] = int(boucles.sum())
    src, dst, temps = src[choix], dst[choix], temps[choix]
    attributs: dict[str, NDArray[Any]] = {
        "longueur_m": longueur[choix].astype(np.float32),
        "classe": classe[choix].astype(np.uint8),
        "vitesse_kmh": vitesse[choix].astype(np.float32),
        "source_vitesse": source_vitesse[choix].astype(np.uint8),
        "osm_voie": donnees.voie_ids[arc_voie[choix]].astype(np.int64),
    }
    if progression is not None:
        progression("construction", 4, 4)
        progression("nettoyage", 0, 3)

    # largest strongly connected component
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    utilises = _uniques(np.concatenate([src, dst]))
    local = np.full(n, -1, dtype=np.int64)
    local[utilises] = np.arange(utilises.size)
    ls, ld = local[src], local[dst]
    m = utilises.size
    matrice = csr_matrix((np.ones(ls.size, dtype=np.int8), (ls, ld)), shape=(m, m))
    n_comp, etiquette = connected_components(matrice, directed=True, connection="strong")
    tailles = np.bincount(etiquette)
    grande = int(np.argmax(tailles))
    dans = etiquette == grande
    garde_arc = dans[ls] & dans[ld]
    faits["composantes"] = {
        "nombre": int(n_comp),
        "supprimees": int(n_comp - 1),
        "noeuds_supprimes": int(m - tailles[grande]),
        "arcs_supprimes": int((~garde_arc).sum()),
        "plus_grande_supprimee_noeuds": int(np.sort(tailles)[-2]) if n_comp > 1 else 0,
    }
    if progression is not None:
        progression("nettoyage", 1, 3)
    noeuds = utilises[dans]  # indices into donnees, increasing
    lon, lat = donnees.lon[noeuds], donnees.lat[noeuds]
    if crs is None:
        crs = crs_metrique(float(np.median(lon)), float(np.median(lat)))
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    rang = np.argsort(_morton(x, y), kind="stable")  # new node k is old node rang[k]
    nouveau = np.full(n, -1, dtype=np.int64)
    nouveau[noeuds[rang]] = np.arange(noeuds.size)
    if progression is not None:
        progression("nettoyage", 2, 3)
    arcs_sources = nouveau[src[garde_arc]]
    arcs_cibles = nouveau[dst[garde_arc]]
    sources_final = attributs["source_vitesse"][garde_arc]
    longueurs_final = attributs["longueur_m"][garde_arc].astype(np.float64)
    faits["sources_vitesse_arcs"] = {
        nom: int((sources_final == k).sum()) for k, nom in enumerate(SOURCES_VITESSE)
    }
    faits["sources_vitesse_km"] = {
        nom: round(float(longueurs_final[sources_final == k].sum()) / 1000.0, 3)
        for k, nom in enumerate(SOURCES_VITESSE)
    }
    faits["feux"] = int(donnees.feux[noeuds].sum())
    faits["carrefours"] = int(carrefour[noeuds].sum())
    faits["duree_construction_s"] = round(time.perf_counter() - debut, 3)
    graphe = Graphe.depuis_arcs(
        arcs_sources,
        arcs_cibles,
        temps[garde_arc],
        int(noeuds.size),
        x=x[rang],
        y=y[rang],
        crs=crs,
        osm_ids=donnees.noeud_ids[noeuds[rang]],
        attributs_arcs={nom: valeurs[garde_arc] for nom, valeurs in attributs.items()},
        metadonnees={
            "constructeur": VERSION_CONSTRUCTEUR,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "source": dict(donnees.description),
            "vitesses": {"origine": modele.origine, "empreinte": modele.empreinte},
            "bacs": bacs,
            **faits,
        },
    )
    if progression is not None:
        progression("nettoyage", 3, 3)
    logger.info(
        "Graphe : %d nœuds, %d arcs (%d composantes écartées, %d nœuds).",
        graphe.n_noeuds,
        graphe.n_arcs,
        faits["composantes"]["supprimees"],
        faits["composantes"]["noeuds_supprimes"],
    )
    return graphe


def _type_source(chemin: Path) -> str:
    nom = chemin.name.lower()
    if nom.endswith(".graphml"):
        return "graphml"
    if nom.endswith((".pbf", ".osm", ".osm.bz2", ".osm.gz", ".o5m")):
        return "osm"
    raise ErreurReseau(
        f"Format de réseau non reconnu : {chemin.name}. Attendu un extrait OpenStreetMap "
        "(.osm.pbf) ou un GraphML enregistré par osmnx (.graphml)."
    )


def construire_graphe(
    source: str | Path | Sequence[str | Path] | None = None,
    *,
    polygone: Any = None,
    tampon_km: float = 20.0,
    vitesses: ModeleVitesses | str | Path | None = None,
    bacs: bool = False,
    crs: str | None = None,
    cache: bool = True,
    dossier_cache: str | Path | None = None,
    rafraichir: bool = False,
    progression: Progression | None = None,
) -> Graphe:
    """Build (or take from the cache) the car road graph of an area.

    Parameters
    ----------
    source
        An OpenStreetMap file (``.osm.pbf``, ``.osm``), several ``.osm.pbf`` extracts of
        neighbouring regions (merged: nodes and ways once each), a GraphML saved by osmnx
        (``.graphml``), or ``None`` to download the area from Overpass with osmnx (needs
        internet and ``polygone``).
    polygone
        The area: a shapely (Multi)Polygon in EPSG:4326, or a GeoDataFrame / GeoSeries with
        a CRS (e.g. :func:`reseau.contour_departement`). ``None`` keeps the whole file.
    tampon_km
        Buffer around ``polygone`` in km (default 20: services across the border count).
        Ignored without a polygon.
    vitesses
        The speed table: a :class:`~reseau.ModeleVitesses`, a user TOML file overriding the
        shipped one, or ``None`` for the shipped ``data/vitesses.toml``.
    bacs
        Keep car ferries (excluded by default).
    crs
        Metric CRS of the nodes (default: Lambert-93 in France, the UTM zone elsewhere).
    cache
        Look the graph up in, and store it into, the cache folder. The key is the sha256 of
        the input file (or of the cached download), the polygon (WKB), the speed table, the
        options and :data:`VERSION_CONSTRUCTEUR`: a changed input never reuses a stale
        graph. A corrupt cached file is reported (warning) and rebuilt.
    dossier_cache
        Cache folder (default: ``$ACCESSIBILITE_CACHE`` or the user cache folder).
    rafraichir
        Download again even when a download of the same area is cached.
    progression
        Optional progress callback ``progression(etape, fait, total)``.

    Returns
    -------
    Graphe

    Raises
    ------
    DonneesManquantes
        The source file does not exist.
    ErreurReseau
        Unreadable or truncated file, no road in the area.
    SansCRS
        A polygon layer without CRS.
    DonneesInvalides
        ``crs`` is unknown or not a projected CRS in metres (a geographic CRS would count
        the 2 km snapping limit in degrees).
    ErreurTelechargement
        The download failed.
    """
    from reseau import cache as caches
    from reseau.stockage import charger_graphe, sauvegarder_graphe

    if crs is not None:
        crs = verifier_crs_metrique(crs, quoi="Le CRS demandé pour le réseau (--crs)")
    modele = vitesses if isinstance(vitesses, ModeleVitesses) else charger_vitesses(vitesses)
    zone = None
    if polygone is not None:
        zone = polygone_wgs84(polygone)
        zone = tamponner(zone, float(tampon_km) * 1000.0, crs=crs)
    chemins = (
        []
        if source is None
        else [Path(source)]
        if isinstance(source, str | Path)
        else [Path(c) for c in source]
    )
    chemin = chemins[0] if chemins else None
    type_source = "overpass" if chemin is None else _type_source(chemin)
    for fichier in chemins:
        if not fichier.is_file():
            from socle.erreurs import DonneesManquantes

            raise DonneesManquantes(f"Fichier introuvable : {fichier}. Vérifiez le chemin donné.")
    if len(chemins) > 1 and any(_type_source(c) != "osm" for c in chemins):
        raise ErreurReseau(
            "Plusieurs fichiers ne se combinent que s'ils sont tous des extraits OpenStreetMap "
            "(.osm.pbf)."
        )
    if chemin is None and zone is None:
        raise ErreurReseau(
            "Sans fichier (--pbf ou --graphml), donnez une emprise à télécharger "
            "(--departement ou --polygone)."
        )

    donnees: DonneesOsm | None = None
    if chemin is None:
        from reseau.overpass import telecharger_osm

        donnees, fichier_entree = telecharger_osm(
            zone,
            classes=modele.classes,
            bacs=bacs,
            dossier_cache=dossier_cache,
            rafraichir=rafraichir,
        )
        donnees = decouper(donnees, zone)
        fichiers_entree = [fichier_entree]
    else:
        fichiers_entree = chemins

    cle = None
    if cache:
        cle = caches.cle_graphe(
            fichiers=fichiers_entree,
            polygone=zone,
            modele=modele,
            options={"bacs": bacs, "crs": crs, "type": type_source},
            version=VERSION_CONSTRUCTEUR,
        )
        chemin_cache = caches.chemin_graphe(cle, dossier_cache)
        if chemin_cache.exists():
            try:
                graphe = charger_graphe(chemin_cache)
                if graphe.metadonnees.get("cle_cache") != cle:
                    raise CacheCorrompu("clé du cache différente de celle du fichier")
                logger.info("Graphe repris du cache : %s", chemin_cache)
                return graphe
            except CacheCorrompu as exc:
                logger.warning("Cache du graphe corrompu (%s) : reconstruction.", exc)

    if donnees is None:
        if type_source == "graphml":
            donnees = lire_graphml(chemins[0], polygone=zone)
        else:
            donnees = fusionner(
                [lire_osm(c, polygone=zone, progression=progression) for c in chemins]
            )
    graphe = graphe_depuis_osm(donnees, modele, bacs=bacs, crs=crs, progression=progression)
    meta: dict[str, Any] = dict(graphe.metadonnees)
    if zone is not None:
        meta["emprise"] = {
            "tampon_km": float(tampon_km),
            "bbox_wgs84": [round(c, 6) for c in zone.bounds],
        }
    if cle is not None:
        meta["cle_cache"] = cle
    graphe = _avec_metadonnees(graphe, meta)
    if cle is not None:
        sauvegarder_graphe(graphe, caches.chemin_graphe(cle, dossier_cache))
    return graphe


def _avec_metadonnees(graphe: Graphe, metadonnees: Mapping[str, Any]) -> Graphe:
    from dataclasses import replace

    return replace(graphe, metadonnees=dict(metadonnees))
