"""What the interactive and the static maps share: classes, colours and French wording.

The time classes and the colours (a sequential ramp whose lightness falls steadily, so that
it still reads once printed in black and white) live in :mod:`socle.symbologie`, which the
QGIS styles of the GeoPackages read too; they are re-exported here. This module builds the
texts from ``parametres.json`` (title, rule, sources).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cartes.dossier import DossierZonesGrises, NiveauCarte
from socle import symbologie as _symbologie
from socle.symbologie import (
    CLASSES_TEMPS,
    COULEUR_SANS_TEMPS,
    COULEURS_CUMUL,
    COULEURS_TEMPS,
    GRIS_TEMPS,
    LIBELLE_SANS_TEMPS,
    ClasseTemps,
    classe_temps,
    couleurs_cumul,
    luminance,
    nombre_fr,
    texte_fr,
)

__all__ = [
    "CLASSES_TEMPS",
    "COULEURS_CUMUL",
    "COULEURS_TEMPS",
    "COULEUR_SANS_TEMPS",
    "GRIS_TEMPS",
    "LIBELLE_SANS_TEMPS",
    "ClasseTemps",
    "classe_temps",
    "couleurs_cumul",
    "date_francaise",
    "disposant",
    "libelles_cumul",
    "ligne_sources",
    "luminance",
    "nom_pole",
    "nombre_fr",
    "texte_decisions",
    "texte_regle",
    "texte_regle_niveau",
    "titre_carte",
]


def libelles_cumul(niveaux: Sequence[NiveauCarte]) -> list[str]:
    """Legend labels of the overlay classes, 0 to ``len(niveaux)`` levels."""
    return _symbologie.libelles_cumul(len(niveaux))


_MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def date_francaise(iso: Any) -> str:
    """``"2026-11-25"`` -> ``"25 novembre 2026"`` (the text itself when it is no ISO date)."""
    texte = str(iso or "").strip()
    try:
        annee, mois, jour = (int(p) for p in texte[:10].split("-"))
        return f"{'1er' if jour == 1 else jour} {_MOIS[mois - 1]} {annee}"
    except (ValueError, IndexError):
        return texte


def _regles_niveaux(parametres: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The per-level rules recorded in ``parametres.json`` (empty for older folders)."""
    regle = parametres.get("regle") or {}
    niveaux = regle.get("niveaux") if isinstance(regle, dict) else None
    if not isinstance(niveaux, dict):
        return {}
    return {str(k): v for k, v in niveaux.items() if isinstance(v, dict)}


def texte_regle_niveau(parametres: dict[str, Any], niveau: NiveauCarte) -> str | None:
    """``"au moins 9 des 11 services de la gamme"`` for one level, when recorded."""
    fiche = _regles_niveaux(parametres).get(niveau.nom)
    if not fiche or fiche.get("items_requis") is None or fiche.get("n_items_gamme") is None:
        return None
    requis, total = int(fiche["items_requis"]), int(fiche["n_items_gamme"])
    if requis >= total:
        return f"tous les {total} services de la gamme"
    return f"au moins {requis} des {total} services de la gamme"


def disposant(texte: str) -> str:
    """``"commune disposant d'au moins..."`` / ``"... de tous les..."`` (French elision)."""
    return (
        f"commune disposant d'{texte}"
        if texte[:1] in "aeiouéèh"
        else (f"commune disposant de {texte}")
    )


def _pole_par_niveau(parametres: dict[str, Any], niveaux: Sequence[NiveauCarte]) -> str | None:
    """``"pôle : au moins 11 des 13 services de la gamme (proximité), 9 des 11..."``."""
    morceaux: list[str] = []
    for n in niveaux:
        texte = texte_regle_niveau(parametres, n)
        if texte is None:
            return None
        if morceaux:
            texte = texte.replace(" services de la gamme", "")
        morceaux.append(f"{texte} ({n.adjectif})")
    if not morceaux:
        return None
    return "pôle : " + disposant(", ".join(morceaux))


def texte_regle(parametres: dict[str, Any], niveaux: Sequence[NiveauCarte]) -> str:
    """The pole rule (each level's when they differ) and the zone grise thresholds."""
    regle = parametres.get("regle") or {}
    nom = str(regle.get("nom", "")).strip()
    if nom == "tous":
        pole = "pôle : commune disposant de tous les services de la gamme du niveau"
    elif nom == "n_min" and regle.get("n_min") is not None:
        pole = (
            f"pôle : commune disposant d'au moins {int(regle['n_min'])} services de la gamme "
            "du niveau"
        )
    elif nom == "part_min" and regle.get("part_min") is not None:
        part = float(regle["part_min"])
        part = part * 100 if part <= 1 else part
        pole = (
            f"pôle : commune disposant d'au moins {nombre_fr(part)} % des services de la "
            "gamme du niveau"
        )
    else:
        pole = _pole_par_niveau(parametres, niveaux) or "pôle : règle non précisée"
    if regle.get("cumul_niveaux_superieurs"):
        pole += " (un pôle d'un niveau supérieur compte aussi pour les niveaux inférieurs)"
    decisions = texte_decisions(parametres)
    if decisions:
        pole += f" ; {decisions}"
    seuils = ", ".join(f"{n.adjectif} {nombre_fr(n.seuil_min)} min" for n in niveaux)
    return (
        f"{pole} ; zone grise : temps au pôle le plus proche supérieur au seuil du niveau "
        f"({seuils})"
    )


def texte_decisions(parametres: dict[str, Any]) -> str:
    """The team's decisions in a few words (``""`` when there are none)."""
    morceaux = []
    imposes = (parametres.get("poles_imposes") or {}).get("decisions") or []
    if imposes:
        oui = sum(1 for d in imposes if isinstance(d, dict) and d.get("pole"))
        non = len(imposes) - oui
        detail = ", ".join(
            t
            for t in (
                f"{oui} ajouté{'s' if oui > 1 else ''}" if oui else "",
                f"{non} retiré{'s' if non > 1 else ''}" if non else "",
            )
            if t
        )
        morceaux.append(f"pôles imposés par l'équipe ({detail})")
    groupes = (parametres.get("regroupements") or {}).get("groupes") or []
    if groupes:
        noms = ", ".join(f"« {g.get('nom')} »" for g in groupes if isinstance(g, dict))
        morceaux.append(
            f"pôle{'s' if len(groupes) > 1 else ''} regroupé{'s' if len(groupes) > 1 else ''} "
            f"(services mis en commun) : {noms}"
        )
    return " ; ".join(morceaux)


def _osm(parametres: dict[str, Any]) -> tuple[bool, str]:
    """Whether times come from OpenStreetMap, and the date of the OSM data if known."""
    source = parametres.get("source") or {}
    texte = f"{source.get('nom', '')} {source.get('description', '')}".lower()
    date = ""
    for p in parametres.get("provenance") or []:
        if isinstance(p, dict) and (
            "openstreetmap" in str(p.get("nom", "")).lower()
            or "osm" in str(p.get("fichier", p.get("url", ""))).lower()
        ):
            date = str(p.get("date") or "")
            break
    return ("openstreetmap" in texte or "osm" in texte or "reseau" in texte), date


def ligne_sources(
    dossier: DossierZonesGrises,
    *,
    tuiles: bool = False,
    realisation: str | None = None,
    producteur: str | None = None,
) -> str:
    """The sources line of every map: producer, BPE, travel times, rule, base map, date
    (decimal commas in every number)."""
    p = dossier.parametres
    morceaux = [f"réalisation : {producteur.strip()}"] if producteur and producteur.strip() else []
    bpe = p.get("bpe") or {}
    annee = bpe.get("annee", bpe.get("année")) if isinstance(bpe, dict) else None
    morceaux.append(
        f"Équipements : INSEE, Base permanente des équipements {annee}"
        if annee
        else "Équipements : INSEE, Base permanente des équipements"
    )
    source = p.get("source") or {}
    description = str(source.get("description") or source.get("nom") or "non précisée")
    osm, date_osm = _osm(p)
    if osm:
        quand = f", données du {date_francaise(date_osm)}" if date_osm else ""
        morceaux.append(
            f"temps de trajet : {description} (© les contributeurs d'OpenStreetMap{quand})"
        )
    else:
        morceaux.append(f"temps de trajet : {description}")
    temps = p.get("temps") or {}
    bande = temps.get("bande") if isinstance(temps, dict) else None
    if (
        isinstance(bande, dict)
        and bande.get("description")
        and any(float(v) != 0.0 for v in [*bande.get("bas_min", []), *bande.get("haut_min", [])])
    ):
        morceaux.append(
            f"{bande['description']} ; commune incertaine : l'intervalle de son temps contient "
            "le seuil"
        )
    morceaux.append(texte_regle(p, dossier.niveaux))
    for entree in p.get("provenance") or []:
        if not isinstance(entree, dict):
            continue
        nom = str(entree.get("nom") or "").strip()
        if not nom or "openstreetmap" in nom.lower() or "bpe" in nom.lower():
            continue
        detail = str(entree.get("fichier") or entree.get("url") or "").strip()
        if "/" in detail and not detail.startswith("http"):
            detail = detail.rsplit("/", 1)[-1]  # a local path: its name only
        date = f" ({date_francaise(entree['date'])})" if entree.get("date") else ""
        morceaux.append(f"{nom} : {detail}{date}" if detail else f"{nom}{date}")
    if tuiles:
        morceaux.append("fond de carte : © les contributeurs d'OpenStreetMap")
    quand = date_francaise(p.get("date")) if p.get("date") else ""
    morceaux.append(
        realisation
        or (f"calcul du {quand}, outil accessibilite" if quand else "outil accessibilite")
    )
    return texte_fr(". ".join(m[:1].upper() + m[1:] for m in morceaux) + ".")


def nom_pole(niveau: NiveauCarte, *, pluriel: bool = False) -> str:
    """``"pôle de proximité"``, ``"pôles intermédiaires"``..."""
    if niveau.nom == "proximite":
        return "pôles de proximité" if pluriel else "pôle de proximité"
    return f"pôles {niveau.adjectif}s" if pluriel else f"pôle {niveau.adjectif}"


def titre_carte(dossier: DossierZonesGrises, niveau: NiveauCarte | None) -> tuple[str, str]:
    """Title and subtitle of a map of ``niveau`` (``None``: the overlay of levels)."""
    if niveau is None:
        titre = f"Espaces à enjeux d'éloignement — {dossier.departement_nom}"
        seuils = ", ".join(f"{n.adjectif} {nombre_fr(n.seuil_min)} min" for n in dossier.niveaux)
        sous_titre = (
            "Nombre de niveaux de services pour lesquels la commune est en zone grise "
            f"(seuils : {seuils})"
        )
    else:
        services = "de proximité" if niveau.nom == "proximite" else f"de niveau {niveau.adjectif}"
        titre = f"Zones grises des services {services} — {dossier.departement_nom}"
        sous_titre = (
            f"Temps en voiture jusqu'au {nom_pole(niveau)} le plus proche ; zone grise "
            f"au-delà de {nombre_fr(niveau.seuil_min)} min"
        )
        regle = texte_regle_niveau(dossier.parametres, niveau)
        if regle:
            sous_titre += f" ; pôle : {regle}"
    return titre, sous_titre
