"""The chapters drawn from the study itself: summary, method, and one chapter per level.

Each function appends its sections in reading order to the report being built
(:class:`~cartes.rapport.contexte.Contexte` numbers the figures and tables as they come).
Numbers come from ``resume.csv``, ``resume_epci.csv``, ``zones_grises.csv``, the ``poles``
layer and ``parametres.json`` of the zones-grises folder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cartes import _style
from cartes.dossier import NiveauCarte
from cartes.rapport import figures
from cartes.rapport._commun import TIRET, decimal, entier, minutes, pluriel, pourcent
from cartes.rapport._textes import (
    annee_bpe,
    bornes_temps,
    date_fr,
    description_source,
    empreinte,
    epci_court,
    est_regle_defaut,
    incertitude,
    items_gamme,
    ligne_source,
    regle_niveau,
    services,
    texte,
    texte_regle,
)
from cartes.rapport.contexte import Contexte
from cartes.rapport.modele import Bloc, Liste, Paragraphe, Section

__all__ = ["methode", "niveau", "synthese"]

#: Printed size of the A4 maps in the report (portrait, 210 × 297 scaled).
LARGEUR_A4_MM = 155.0
HAUTEUR_A4_MM = LARGEUR_A4_MM * 297 / 210


def synthese(c: Contexte) -> Section:
    """Chapter 1: key figures per level (``resume.csv``) and the overlay map."""
    s = c.section("Synthèse")
    pop = c.population_totale
    s.blocs.append(
        Paragraphe(
            f"Ce rapport présente le diagnostic de l'accès en voiture aux services au "
            f"public de **{c.territoire}** : {pluriel(len(c.table), 'commune')}, "
            f"{pluriel(pop, 'habitant')}. Pour chaque niveau de services du schéma, une "
            "commune est en **zone grise** quand son temps en voiture jusqu'au pôle de "
            "services le plus proche dépasse le seuil du niveau."
        )
    )
    lignes = []
    phrases = []
    for niv in c.niveaux:
        r = c.resume(niv.nom)
        lignes.append(
            (
                niv.libelle,
                minutes(r.get("seuil_min", niv.seuil_min), 0),
                entier(r.get("poles", np.nan)),
                entier(r["communes"]),
                entier(r["population"]),
                pourcent(r["part_population"]),
            )
        )
        phrases.append(
            f"**{niv.libelle}** (seuil {minutes(niv.seuil_min, 0)}) : "
            f"{pluriel(r['communes'], 'commune')} en zone grise, "
            f"{pluriel(r['population'], 'habitant')} ({pourcent(r['part_population'])} "
            "de la population)."
        )
    s.blocs.append(
        c.tableau(
            "Chiffres clés par niveau de services",
            [
                "Niveau",
                "Seuil",
                "Pôles du département",
                "Communes en zone grise",
                "Habitants en zone grise",
                "Part de la population",
            ],
            lignes,
            [False, True, True, True, True, True],
            ligne_source(c.p, "resume.csv"),
        )
    )
    s.blocs.append(Liste(tuple(phrases)))
    if len(c.niveaux) > 1:
        comptes = np.sum(
            [c.table[f"zone_grise_{n.nom}"].to_numpy(dtype=bool) for n in c.niveaux],
            axis=0,
        )
        population = pd.to_numeric(c.table["population"], errors="coerce").fillna(0)
        un = comptes > 0
        tous = comptes == len(c.niveaux)
        s.blocs.append(
            Paragraphe(
                f"En zone grise pour au moins un niveau : "
                f"{pluriel(un.sum(), 'commune')}, "
                f"{pluriel(population[un].sum(), 'habitant')} "
                f"({pourcent(population[un].sum() / pop if pop else np.nan)}) ; pour les "
                f"{len(c.niveaux)} niveaux à la fois : {pluriel(tous.sum(), 'commune')}, "
                f"{pluriel(population[tous].sum(), 'habitant')}."
            )
        )
        if c.options.cartes:
            s.blocs.append(
                c.figure(
                    "Nombre de niveaux de services pour lesquels chaque commune est en zone grise",
                    figures.carte_cumul(c.etude.carto, [n.nom for n in c.niveaux]),
                    170,
                    figures.HAUTEUR_CUMUL_MM,
                    ligne_source(c.p, "zones_grises.gpkg"),
                )
            )
    return s


# -- 2. method -------------------------------------------------------------------


def methode(c: Contexte) -> Section:
    """Chapter 2: sources and checksums, gammes, pole rule, thresholds, limits."""
    s = c.section("Méthode")
    p = c.p
    s.blocs.append(
        Paragraphe(
            "La méthode suit le SDAASP : des niveaux de services, chacun avec sa gamme "
            "d'équipements de la Base permanente des équipements (BPE) de l'INSEE ; des "
            "pôles, communes qui possèdent assez d'items de la gamme ; un temps en voiture "
            "de chaque commune au pôle le plus proche ; une zone grise au-delà du seuil du "
            "niveau. Tout ce qui suit est lu dans le dossier de résultats : le rapport se "
            "reconstruit à l'identique à partir de lui."
        )
    )
    # sources
    sources = c.sous(s, "Sources et millésimes")
    lignes = _lignes_sources(c)
    sources.blocs.append(
        c.tableau(
            "Sources des données, millésimes et empreintes",
            ["Donnée", "Source", "Millésime ou date", "Fichier", "Empreinte SHA-256"],
            lignes,
            [False] * 5,
            "Source : parametres.json du dossier de résultats.",
            largeurs=[1.2, 2.2, 1.1, 1.6, 2.6],
            petit=True,
        )
    )
    controles = []
    communes = p.get("communes") or {}
    if isinstance(communes, dict) and communes.get("centres_point_interieur") is not None:
        controles.append(
            f"Centres de communes : la mairie, sauf pour "
            f"{pluriel(communes['centres_point_interieur'], 'commune')} dont la mairie est "
            "placée hors de la commune, remplacée par un point intérieur."
        )
    if isinstance(communes, dict) and communes.get("voisines") is not None:
        controles.append(
            f"Zone tampon : {pluriel(communes['voisines'], 'commune')} des départements "
            f"voisins à moins de {decimal(p.get('tampon_km'), 0)} km comptent comme pôles "
            "possibles, mais pas dans les totaux."
        )
    bpe = p.get("bpe") or {}
    if isinstance(bpe, dict) and bpe.get("codes_actualises") is not None:
        controles.append(
            f"Fichier BPE : {pluriel(bpe.get('codes_actualises'), 'ligne')} (commune × type "
            "d'équipement) sous le code d'une commune fusionnée depuis le millésime, "
            "rattachée(s) à la commune actuelle ; "
            f"{pluriel(bpe.get('codes_inconnus') or 0, 'code')} de commune inconnu(s), "
            "ignoré(s)."
        )
    format_ = p.get("format") or {}
    logiciel = format_.get("logiciel") if isinstance(format_, dict) else None
    controles.append(
        f"Calcul du {date_fr(p.get('date')) or 'jour non précisé'}"
        + (f", avec {logiciel}" if logiciel else "")
        + "."
    )
    sources.blocs.append(Liste(tuple(controles)))
    # gammes
    gammes = c.sous(s, "Gammes de services")
    gammes.blocs.append(
        Paragraphe(
            "Chaque item de la gamme d'un niveau est présent dans une commune quand la BPE "
            "y compte au moins un équipement d'un de ses types (codes TYPEQU). Fichier des "
            f"gammes : {(p.get('gammes') or {}).get('fichier') or 'non précisé'}."
        )
    )
    for niv in c.niveaux:
        items = items_gamme(p, niv.nom)
        if not items:
            gammes.blocs.append(
                Paragraphe(f"{niv.libelle} : la gamme n'est pas décrite dans le dossier.")
            )
            continue
        gammes.blocs.append(
            c.tableau(
                f"Gamme du niveau {niv.adjectif} ({len(items)} items)",
                ["Item", "Codes TYPEQU de la BPE"],
                [
                    (
                        str(i.get("libelle") or i.get("nom")),
                        ", ".join(str(c) for c in i.get("typequ") or []) or TIRET,
                    )
                    for i in items
                ],
                [False, False],
                "Source : parametres.json (gammes).",
                largeurs=[3, 2],
                petit=True,
            )
        )
    # pole rule
    regle = c.sous(s, "Règle de pôle par niveau")
    lignes = []
    for niv in c.niveaux:
        r = regle_niveau(p, niv.nom)
        poles = c.etude.carto.poles
        du_niveau = poles[poles["niveau"] == niv.nom]
        hors = du_niveau["hors_departement"].to_numpy(dtype=bool)
        lignes.append(
            (
                niv.libelle,
                texte_regle(r, len(items_gamme(p, niv.nom))),
                entier((~hors).sum()),
                entier(hors.sum()),
            )
        )
    regle.blocs.append(
        c.tableau(
            "Règle de pôle et nombre de pôles par niveau",
            [
                "Niveau",
                "Une commune est pôle si elle possède",
                "Pôles du département",
                "Pôles hors département",
            ],
            lignes,
            [False, False, True, True],
            "Source : parametres.json (règle, gammes) et couche poles de zones_grises.gpkg.",
            largeurs=[1.2, 3, 1.1, 1.1],
        )
    )
    regle_etude = dict(p.get("regle") or {})
    if regle_etude.get("cumul_niveaux_superieurs"):
        regle.blocs.append(
            Paragraphe(
                "Un pôle d'un niveau supérieur compte aussi comme pôle des niveaux "
                "inférieurs (option --cumul)."
            )
        )
    if regle_etude.get("justification") or regle_etude.get("origine"):
        choix = str(regle_etude.get("justification") or regle_etude.get("origine"))
    elif est_regle_defaut(regle_etude):
        choix = (
            "Le SDAASP dit seulement qu'une commune est pôle quand elle possède « un seuil "
            "des services présents » dans la gamme, sans fixer ce seuil. La règle appliquée "
            "est celle de l'outil par défaut : au moins la moitié des items, le seuil que "
            "l'INSEE retient pour ses « pôles de services » des bassins de vie. Chaque "
            "niveau est jugé sur sa propre gamme."
        )
    else:
        choix = (
            "Le SDAASP ne fixe pas le seuil d'items qui fait un pôle : la règle ci-dessus a "
            "été choisie par l'équipe au lancement du calcul (options --regle, --n-min, "
            "--part-min de « accessibilite zones-grises »)."
        )
    if c.etude.sensibilite is not None:
        choix += (
            " La section « Sensibilité à la règle de pôle » montre comment les zones "
            "grises changent avec elle."
        )
    regle.blocs.append(Paragraphe(choix))
    # thresholds
    seuils = c.sous(s, "Seuils de temps et zones grises")
    seuils.blocs.append(
        c.tableau(
            "Seuil de temps acceptable par niveau",
            ["Niveau", "Seuil", "Une commune est en zone grise si"],
            [
                (
                    niv.libelle,
                    minutes(niv.seuil_min, 0),
                    f"son temps au {_style.nom_pole(niv)} le plus proche dépasse "
                    f"{minutes(niv.seuil_min, 0)}, ou aucun pôle n'est atteignable",
                )
                for niv in c.niveaux
            ],
            [False, True, False],
            "Source : parametres.json (gammes, seuils).",
            largeurs=[1.2, 0.8, 4],
        )
    )
    seuils.blocs.append(
        Paragraphe(
            "Les temps vont du centre de la commune (la mairie) au centre de la commune "
            "pôle, en voiture ; une commune pôle est à 0 min de ses propres services. "
            f"Source des temps : {description_source(p)}."
        )
    )
    # limits
    limites = c.sous(s, "Limites")
    limites.blocs.append(Liste(tuple(_limites(c))))
    return s


def _lignes_sources(c: Contexte) -> list[tuple[str, ...]]:
    p = c.p
    lignes: list[tuple[str, ...]] = []
    bpe = p.get("bpe") or {}
    provenance = [e for e in p.get("provenance") or [] if isinstance(e, dict)]
    vus = set()
    if isinstance(bpe, dict) and bpe:
        lignes.append(
            (
                "Équipements",
                "INSEE, Base permanente des équipements"
                + (f" ({bpe['format']})" if bpe.get("format") else ""),
                str(bpe.get("annee") or TIRET),
                Path(str(bpe.get("fichier") or TIRET)).name,
                empreinte(bpe.get("sha256")),
            )
        )
        vus.add("bpe")
    communes = p.get("communes") or {}
    source = p.get("source") or {}
    for entree in provenance:
        nom = str(entree.get("nom") or "")
        if nom.lower() == "bpe" and "bpe" in vus:
            continue
        fichier = str(entree.get("fichier") or entree.get("url") or TIRET)
        if "/" in fichier and not fichier.startswith("http"):
            fichier = Path(fichier).name
        quand = date_fr(entree.get("date")) or str(entree.get("annee") or TIRET)
        libelle = nom or "Source"
        detail = libelle
        if nom.lower().startswith("communes") and isinstance(communes, dict):
            detail = str(communes.get("source") or nom)
            libelle = "Communes"
        lignes.append((libelle, detail, quand, fichier, empreinte(entree.get("sha256"))))
    lignes.append(
        (
            "Temps de trajet",
            description_source(p),
            TIRET,
            Path(str((source.get("parametres") or {}).get("fichier") or TIRET)).name,
            TIRET,
        )
    )
    return lignes


def _limites(c: Contexte) -> list[str]:
    p = c.p
    source = p.get("source") or {}
    nom = str(source.get("nom") or "")
    limites = []
    if nom == "vol-oiseau":
        limites.append(
            "**Les temps sont une estimation** à vol d'oiseau "
            f"({description_source(p).split('(', 1)[-1].rstrip(')')}), ajustée sur les "
            "temps Metric-OSRM en Hauts-de-France (R² 0,93) : ni le tracé des routes, ni "
            "les coupures (fleuves, relief), ni la circulation ne sont pris en compte. "
            "Une commune proche d'un seuil peut changer de classe avec des temps routiers."
        )
    elif nom == "matrice":
        limites.append(
            "Les temps viennent d'une matrice importée (Odomatrix ou Metric) : ils valent "
            "ce que vaut cette matrice (heure, réseau, millésime)."
        )
    else:
        limites.append(
            "Les temps viennent du réseau routier OpenStreetMap avec un modèle de vitesses "
            "à l'heure pleine : ce modèle n'observe pas la circulation réelle."
        )
    limites.append(
        "Temps de centre à centre : le trajet à l'intérieur de la commune n'est pas "
        "compté, et une commune pôle est à 0 min de ses services."
    )
    annee = annee_bpe(p)
    if annee:
        limites.append(
            f"Équipements de la BPE {annee} : l'offre a pu changer depuis ; la BPE compte "
            "les équipements, pas leurs horaires ni leur capacité."
        )
    limites.append(
        "Un item est présent dès qu'un équipement existe dans la commune : la règle de "
        "pôle ne pèse ni le nombre ni la taille des équipements."
    )
    bandes = False
    for niv in c.niveaux:
        incertaines = incertitude(c.table, niv.nom)
        if incertaines is not None:
            bandes = True
            limites.append(
                f"{niv.libelle} : {pluriel(incertaines.sum(), 'commune')} "
                "incertaine(s) : l'intervalle d'erreur de leur temps enjambe le seuil."
            )
    if not bandes:
        proches = []
        for niv in c.niveaux:
            t = pd.to_numeric(c.table[f"temps_{niv.nom}_min"], errors="coerce")
            proches.append(f"{niv.adjectif} {entier(((t - niv.seuil_min).abs() <= 1).sum())}")
        limites.append(
            "Pas de bande d'incertitude dans ce dossier : chaque commune est classée sans "
            "marge. Communes à moins d'une minute du seuil, qu'une petite erreur de temps "
            f"ferait changer de côté : {', '.join(proches)}."
        )
    return limites


# -- one chapter per level -------------------------------------------------------


def niveau(c: Contexte, niv: NiveauCarte) -> Section:
    """One chapter per level: A4 map, summary, EPCI table, poles, communes in zone grise."""
    s = c.section(f"{services(niv).capitalize()} ({minutes(niv.seuil_min, 0)})")
    source = ligne_source(c.p, "zones_grises.gpkg")
    if c.options.cartes:
        # the map right under the chapter's title: both fill the chapter's first page
        s.blocs.append(
            c.figure(
                f"Zones grises des {services(niv)} — temps au {_style.nom_pole(niv)} le "
                "plus proche",
                figures.carte_niveau(c.etude.carto, niv.nom),
                LARGEUR_A4_MM,
                HAUTEUR_A4_MM,
                source,
                pleine_page=True,
            )
        )
    resume = c.sous(s, "Résumé")
    r = c.resume(niv.nom)
    t = pd.to_numeric(c.table[f"temps_{niv.nom}_min"], errors="coerce")
    population = pd.to_numeric(c.table["population"], errors="coerce").fillna(0)
    atteint = t.notna()
    moyen = (
        float((t[atteint] * population[atteint]).sum() / population[atteint].sum())
        if population[atteint].sum() > 0
        else np.nan
    )
    poles = c.etude.carto.poles
    du_niveau = poles[poles["niveau"] == niv.nom]
    hors = int(du_niveau["hors_departement"].to_numpy(dtype=bool).sum())
    sans_pole = int((~atteint).sum())
    noms_pole = (_style.nom_pole(niv), _style.nom_pole(niv, pluriel=True))
    texte = (
        f"{pluriel(len(du_niveau) - hors, *noms_pole)} "
        f"dans le département et {entier(hors)} hors département (zone tampon). "
        f"En zone grise (plus de {minutes(niv.seuil_min, 0)}) : "
        f"**{pluriel(r['communes'], 'commune')}**, **{pluriel(r['population'], 'habitant')}**, "
        f"soit **{pourcent(r['part_population'])}** de la population du département. "
        f"Temps moyen au pôle le plus proche, pondéré par la population : {minutes(moyen)} ; "
        f"temps le plus long : {minutes(t.max())}."
    )
    if sans_pole:
        texte += (
            f" {pluriel(sans_pole, 'commune')} sans pôle atteignable, comptée(s) en zone grise."
        )
    resume.blocs.append(Paragraphe(texte))
    # per EPCI
    par_epci = c.sous(s, "Par intercommunalité (EPCI)")
    epci = c.etude.carto.resume_epci
    epci = epci[epci["niveau"].astype(str) == niv.nom].copy()
    epci = epci.sort_values(["part_population", "epci_nom"], ascending=[False, True])
    par_epci.blocs.append(
        c.tableau(
            f"Zones grises des {services(niv)} par EPCI",
            [
                "EPCI",
                "Communes",
                "Habitants",
                "Communes en zone grise",
                "Habitants en zone grise",
                "Part des habitants",
            ],
            [
                (
                    epci_court(e["epci_nom"]),
                    entier(e.get("communes_total", np.nan)),
                    entier(e.get("population_totale", np.nan)),
                    entier(e["communes"]),
                    entier(e["population"]),
                    pourcent(e["part_population"]),
                )
                for _, e in epci.iterrows()
            ],
            [False, True, True, True, True, True],
            ligne_source(c.p, "resume_epci.csv"),
            largeurs=[3, 1, 1.2, 1.1, 1.2, 1],
        )
    )
    # poles
    liste = c.sous(s, "Pôles")
    liste.blocs.append(_tableau_poles(c, niv, du_niveau))
    # communes in zone grise
    zg = c.sous(s, "Communes en zone grise")
    zg.blocs.extend(_communes_zone_grise(c, niv))
    return s


def _tableau_poles(c: Contexte, niv: NiveauCarte, poles: pd.DataFrame) -> Bloc:
    if poles.empty:
        return Paragraphe(
            f"Aucun {_style.nom_pole(niv)} : aucune commune de la zone étudiée ne possède "
            "assez d'items de la gamme ; aucun temps n'est calculable pour ce niveau."
        )
    epci_de = dict(zip(c.table["code"], c.table["epci_nom"], strict=False))

    def nom(ligne: pd.Series) -> str:
        n_items, n_gamme = ligne.get("n_items"), ligne.get("n_items_gamme")
        if pd.notna(n_items) and pd.notna(n_gamme):
            return f"{ligne['nom']} ({int(n_items)}/{int(n_gamme)})"
        return str(ligne["nom"])

    # outside the département, only the poles that serve a commune of it
    servis = set(c.table[f"pole_{niv.nom}"].dropna().astype(str))
    hors = poles["hors_departement"].to_numpy(dtype=bool)
    groupes: dict[str, list[str]] = {}
    for _, ligne in poles.sort_values("nom").iterrows():
        if bool(ligne["hors_departement"]):
            if str(ligne["code"]) not in servis:
                continue
            cle = "~hors"
        else:
            cle = str(epci_de.get(str(ligne["code"]), "") or "EPCI inconnu")
        groupes.setdefault(cle, []).append(nom(ligne))
    lignes = []
    tampon = decimal(c.p.get("tampon_km"), 0)
    for cle in sorted(groupes, key=lambda c: (c == "~hors", c)):
        libelle = (
            f"Hors du département : les plus proches d'une commune du département (sur "
            f"{entier(hors.sum())} dans la zone tampon de {tampon} km)"
            if cle == "~hors"
            else epci_court(cle)
        )
        lignes.append((libelle, entier(len(groupes[cle])), ", ".join(groupes[cle])))
    return c.tableau(
        f"{_style.nom_pole(niv, pluriel=True).capitalize()} par EPCI (entre parenthèses : "
        "items de la gamme présents / items de la gamme)",
        ["EPCI", "Pôles", "Communes pôles"],
        lignes,
        [False, True, False],
        "Source : couche poles de zones_grises.gpkg ; EPCI de zones_grises.csv.",
        largeurs=[1.6, 0.6, 5],
        petit=True,
    )


def _communes_zone_grise(c: Contexte, niv: NiveauCarte) -> list[Bloc]:
    table = c.table
    incertaines = incertitude(table, niv.nom)
    masque = table[f"zone_grise_{niv.nom}"].to_numpy(dtype=bool)
    if incertaines is not None:
        masque = masque | incertaines.to_numpy(dtype=bool)
    choisies = table[masque].copy()
    if choisies.empty:
        return [Paragraphe(f"Aucune commune en zone grise pour les {services(niv)}.")]
    choisies["_t"] = pd.to_numeric(choisies[f"temps_{niv.nom}_min"], errors="coerce")
    choisies = choisies.sort_values(["_t", "nom"], ascending=[False, True], na_position="first")
    colonnes = ["Commune", "Code", "EPCI", "Habitants", "Temps au pôle", "Pôle le plus proche"]
    numeriques = [False, False, False, True, True, False]
    bornes = bornes_temps(table, niv.nom)
    lignes = []
    for _, com in choisies.iterrows():
        ligne = [
            str(com["nom"]),
            str(com["code"]),
            epci_court(com["epci_nom"]),
            entier(com["population"]),
            minutes(com["_t"]) if pd.notna(com["_t"]) else "aucun pôle",
            texte(com.get(f"pole_{niv.nom}_nom")),
        ]
        if incertaines is not None:
            etat = "incertaine" if bool(incertaines.at[com.name]) else "zone grise"
            if bornes:
                etat += f" ({minutes(com[bornes[0]])} à {minutes(com[bornes[1]])})"
            ligne.append(etat)
        lignes.append(tuple(ligne))
    largeurs = [2.1, 0.8, 2.7, 0.9, 0.9, 2.1]
    if incertaines is not None:
        colonnes.append("État")
        numeriques.append(False)
        largeurs.append(1.6)
    blocs: list[Bloc] = [
        c.tableau(
            f"Communes en zone grise des {services(niv)}"
            + (" (et incertaines)" if incertaines is not None else "")
            + ", de la plus éloignée à la moins éloignée",
            colonnes,
            lignes,
            numeriques,
            ligne_source(c.p, "zones_grises.csv"),
            largeurs=largeurs,
            petit=True,
        )
    ]
    blocs.append(
        Paragraphe(
            "Temps arrondis au dixième de minute supérieur : une commune écrite à "
            f"{minutes(niv.seuil_min)} est dans le seuil, une commune au-delà est écrite "
            "au-delà.",
            style="note",
        )
    )
    return blocs


# -- indicators -------------------------------------------------------------------
