"""The chapters drawn from the other folders: indicators, sensitivity, comparison, scenarios,
and the annex listing every file read.

Numbers come from the indicator folders' ``resume.csv``, ``resume_epci.csv``,
``indicateur.csv`` and ``communes_les_plus_eloignees.csv``, the base's ``sensibilite.csv``,
the previous studies' ``resume.csv``, ``resume_epci.csv`` and ``zones_grises.csv``, and the
scenarios' ``bilan.csv`` and ``avant_apres.csv``. A chapter the folders cannot support is
recorded as an :class:`~cartes.rapport.modele.Absence`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cartes.rapport import figures
from cartes.rapport._commun import TIRET, decimal, entier, minutes, pluriel, pourcent
from cartes.rapport._textes import (
    annee_bpe,
    date_fr,
    description_source,
    empreinte,
    epci_court,
    ligne_source,
    minutes_seuil,
    sha256,
    texte,
)
from cartes.rapport.contexte import Contexte
from cartes.rapport.dossiers import EtudePrecedente, Indicateur, Scenario
from cartes.rapport.modele import Liste, Paragraphe, Section

__all__ = ["annexe", "comparaison", "indicateurs", "scenarios", "sensibilite"]


def indicateurs(c: Contexte) -> Section | None:
    """One section per indicator folder (``None`` and an absence when there is none)."""
    if not c.d.indicateurs:
        c.absent(
            "Indicateurs d'accès par service",
            "aucun dossier d'indicateur",
            "produisez-les avec « accessibilite indicateur » et donnez-les avec --avec, ou "
            "rangez-les dans le dossier de base",
        )
        return None
    s = c.section("Accès aux services : indicateurs")
    s.blocs.append(
        Paragraphe(
            "Pour chaque service, le temps en voiture de chaque commune à la commune "
            "équipée la plus proche (0 min pour une commune équipée ; les équipements des "
            "communes voisines comptent), le temps moyen pondéré par la population et la "
            "part des habitants au-delà du seuil du service."
        )
    )
    for ind in c.d.indicateurs:
        _indicateur(c, s, ind)
    return s


def _indicateur(c: Contexte, parent: Section, ind: Indicateur) -> None:
    service = ind.parametres.get("service") or {}
    codes = ", ".join(str(c) for c in service.get("typequ") or [])
    s = c.sous(parent, f"{ind.libelle}" + (f" ({codes})" if codes else ""))
    r = ind.resume
    premier = ind.seuils[0]
    nom_seuil = [f"{x:g}".replace(".", "_") for x in ind.seuils]
    source = ligne_source(ind.parametres)
    phrases = [
        f"{pluriel(r['communes'], 'commune')}, {pluriel(r['population'], 'habitant')} ; "
        f"temps moyen à la commune équipée la plus proche, pondéré par la population : "
        f"**{minutes(r['temps_moyen_min'])}** ; temps le plus long : "
        f"{minutes(r['temps_max_min'])}."
    ]
    for seuil, cle in zip(ind.seuils, nom_seuil, strict=True):
        phrases.append(
            f"Au-delà de {minutes_seuil(seuil)} : "
            f"**{pluriel(r[f'population_au_dela_{cle}'], 'habitant')}** "
            f"({pourcent(r[f'part_au_dela_{cle}'])}), "
            f"{pluriel(r[f'communes_au_dela_{cle}'], 'commune')}."
        )
    if int(r.get("communes_sans_acces", 0) or 0):
        phrases.append(
            f"Sans équipement atteignable : {pluriel(r['communes_sans_acces'], 'commune')}."
        )
    if "apl_moyenne_pour_100000" in r.index:
        phrases.append(
            "Accessibilité potentielle localisée (APL) moyenne : "
            f"{decimal(r['apl_moyenne_pour_100000'])} équipements pour 100 000 habitants."
        )
    equipements = ind.parametres.get("equipements") or {}
    if isinstance(equipements, dict) and equipements.get("nombre_departement") is not None:
        phrases.append(
            f"Équipements dans le département : {entier(equipements['nombre_departement'])}, "
            f"dans {pluriel(equipements.get('communes_equipees_departement'), 'commune')}."
        )
    if service.get("note"):
        phrases.append(str(service["note"]))
    pop_col = str(ind.parametres.get("colonne_population") or "population")
    if pop_col != "population":
        phrases.append(f"Population pondérant les résultats : {pop_col}.")
    s.blocs.append(Liste(tuple(phrases)))
    if c.options.cartes and ind.communes is not None:
        s.blocs.append(
            c.figure(
                f"{ind.libelle} : temps en voiture à la commune équipée la plus proche",
                figures.carte_indicateur(ind.communes, premier),
                170,
                112,
                source.removesuffix(".") + " (fichier indicateur.gpkg).",
            )
        )
    temps = pd.to_numeric(ind.table["temps_min"], errors="coerce").to_numpy(dtype=float)
    poids = pd.to_numeric(
        ind.table[pop_col] if pop_col in ind.table else ind.table["population"], errors="coerce"
    ).fillna(0)
    s.blocs.append(
        c.figure(
            f"{ind.libelle} : habitants par classe de temps à la commune équipée la plus proche",
            figures.graphique_distribution(temps, poids.to_numpy(dtype=float), premier),
            160,
            75,
            source.removesuffix(".") + " (fichier indicateur.csv).",
        )
    )
    cle = nom_seuil[0]
    epci = ind.resume_epci.sort_values([f"part_au_dela_{cle}", "epci_nom"], ascending=[False, True])
    s.blocs.append(
        c.tableau(
            f"{ind.libelle} par EPCI",
            [
                "EPCI",
                "Communes",
                "Habitants",
                "Temps moyen",
                "Temps max.",
                f"Habitants au-delà de {minutes_seuil(premier)}",
                "Part",
            ],
            [
                (
                    epci_court(e["epci_nom"]),
                    entier(e["communes"]),
                    entier(e["population"]),
                    minutes(e["temps_moyen_min"]),
                    minutes(e["temps_max_min"]),
                    entier(e[f"population_au_dela_{cle}"]),
                    pourcent(e[f"part_au_dela_{cle}"]),
                )
                for _, e in epci.iterrows()
            ],
            [False, True, True, True, True, True, True],
            source.removesuffix(".") + " (fichier resume_epci.csv).",
            largeurs=[3, 1, 1.2, 1, 1, 1.3, 0.9],
        )
    )
    loin = ind.plus_eloignees
    s.blocs.append(
        c.tableau(
            f"{ind.libelle} : communes les plus éloignées",
            ["Commune", "Code", "EPCI", "Habitants", "Temps", "Commune équipée la plus proche"],
            [
                (
                    str(com["nom"]),
                    str(com["code"]),
                    epci_court(com.get("epci_nom")),
                    entier(com["population"]),
                    minutes(com["temps_min"]) if pd.notna(com["temps_min"]) else "aucun accès",
                    texte(com.get("commune_equipee_nom")),
                )
                for _, com in loin.iterrows()
            ],
            [False, False, False, True, True, False],
            source.removesuffix(".") + " (fichier communes_les_plus_eloignees.csv).",
            largeurs=[2.1, 0.8, 2.7, 0.9, 0.9, 2.1],
            petit=True,
        )
    )


# -- sensitivity ------------------------------------------------------------------


def sensibilite(c: Contexte) -> Section | None:
    """Zones grises under other pole rules (``sensibilite.csv``), as a chart and a table."""
    table = c.etude.sensibilite
    if table is None:
        c.absent(
            "Sensibilité à la règle de pôle",
            "le dossier n'a pas de sensibilite.csv",
            "relancez « accessibilite zones-grises » avec --sensibilite",
        )
        return None
    noms = [n.nom for n in c.niveaux]
    table = table[table["niveau"].astype(str).isin(noms)]
    s = c.section("Sensibilité à la règle de pôle")
    regle_etude = str((c.p.get("regle") or {}).get("description") or "")
    s.blocs.append(
        Paragraphe(
            "Le SDAASP ne fixe pas le nombre d'items qui fait un pôle. Le même calcul, "
            "refait avec d'autres règles, montre combien de communes et d'habitants "
            "passent en zone grise ou en sortent selon ce choix."
        )
    )
    libelles = [(n.nom, n.libelle) for n in c.niveaux]
    s.blocs.append(
        c.figure(
            "Communes en zone grise et part de la population selon la règle de pôle",
            figures.graphique_sensibilite(table, libelles, regle_etude or None),
            160,
            100,
            ligne_source(c.p, "sensibilite.csv"),
        )
    )
    libelle_de = dict(libelles)
    s.blocs.append(
        c.tableau(
            "Pôles et zones grises selon la règle de pôle",
            ["Règle", "Niveau", "Pôles", "Communes en zone grise", "Habitants", "Part"],
            [
                (
                    str(r["regle"]).removeprefix("pôle = ")
                    + (" (règle de l'étude)" if str(r["regle"]) == regle_etude else ""),
                    libelle_de.get(str(r["niveau"]), str(r["niveau"])),
                    entier(r["poles"]),
                    entier(r["communes"]),
                    entier(r["population"]),
                    pourcent(r["part_population"]),
                )
                for _, r in table.iterrows()
            ],
            [False, False, True, True, True, True],
            ligne_source(c.p, "sensibilite.csv"),
            largeurs=[3.2, 1.2, 0.8, 1, 1.1, 0.8],
            petit=True,
        )
    )
    return s


# -- comparison with previous studies ---------------------------------------------


def comparaison(c: Contexte) -> Section | None:
    """The study against each previous one: counts, overlap, Jaccard index, per EPCI."""
    if not c.d.precedentes:
        c.absent(
            "Comparaison avec une étude précédente",
            "aucune étude précédente",
            "donnez son dossier de zones grises avec --avec",
        )
        return None
    s = c.section("Comparaison avec l'étude précédente")
    for prec in c.d.precedentes:
        _comparaison(c, s, prec)
    return s


def _comparaison(c: Contexte, parent: Section, prec: EtudePrecedente) -> None:
    quand = date_fr(prec.parametres.get("date")) or prec.chemin.name
    s = c.sous(parent, f"Étude du {quand}")
    pp = prec.parametres
    s.blocs.append(
        Paragraphe(
            f"Étude précédente : dossier {prec.chemin.name}, BPE "
            f"{annee_bpe(pp) or 'non précisée'}, temps : {description_source(pp)}, "
            f"règle : {(pp.get('regle') or {}).get('description') or 'non précisée'}. "
            f"Étude actuelle : BPE {annee_bpe(c.p) or 'non précisée'}, temps : "
            f"{description_source(c.p)}, règle : "
            f"{(c.p.get('regle') or {}).get('description') or 'non précisée'}."
        )
    )
    actuels = set(c.table["code"])
    anciens = set(prec.table["code"])
    if actuels != anciens:
        s.blocs.append(
            Paragraphe(
                f"Géographie : {pluriel(len(anciens - actuels), 'code')} de commune de "
                f"l'étude précédente absent(s) de l'actuelle, {entier(len(actuels - anciens))} "
                "nouveau(x) (fusions de communes) ; les communes sont comparées sur leurs "
                "codes communs.",
                style="note",
            )
        )
    communs = actuels & anciens
    lignes = []
    libelles, avant, apres = [], [], []
    for niv in c.niveaux:
        colonne = f"zone_grise_{niv.nom}"
        if colonne not in prec.table.columns:
            lignes.append((niv.libelle, *([TIRET] * 8)))
            continue
        a = set(prec.table.loc[prec.table[colonne], "code"]) & communs
        b = set(c.table.loc[c.table[colonne], "code"]) & communs
        r_avant = prec.resume[prec.resume["niveau"].astype(str) == niv.nom]
        r_apres = c.resume(niv.nom)
        n_avant = float(r_avant["communes"].iloc[0]) if len(r_avant) else np.nan
        pop_avant = float(r_avant["population"].iloc[0]) if len(r_avant) else np.nan
        union = a | b
        lignes.append(
            (
                niv.libelle,
                entier(n_avant),
                entier(r_apres["communes"]),
                decimal(float(r_apres["communes"]) / n_avant, 2) if n_avant else TIRET,
                entier(pop_avant),
                entier(r_apres["population"]),
                entier(len(a & b)),
                f"{entier(len(a - b))} / {entier(len(b - a))}",
                decimal(len(a & b) / len(union), 2) if union else TIRET,
            )
        )
        libelles.append(niv.libelle)
        avant.append(n_avant)
        apres.append(float(r_apres["communes"]))
    s.blocs.append(
        c.tableau(
            "Communes et habitants en zone grise : étude précédente et étude actuelle",
            [
                "Niveau",
                "Communes (précédente)",
                "Communes (actuelle)",
                "Rapport",
                "Habitants (précédente)",
                "Habitants (actuelle)",
                "Dans les deux",
                "Seulement précédente / actuelle",
                "Indice de Jaccard",
            ],
            lignes,
            [False] + [True] * 8,
            f"Source : resume.csv et zones_grises.csv des dossiers {prec.chemin.name} et "
            f"{c.etude.chemin.name}.",
            petit=True,
        )
    )
    s.blocs.append(
        Paragraphe(
            "Rapport : communes de l'étude actuelle divisées par celles de la précédente. "
            "Indice de Jaccard : communes en zone grise dans les deux études, divisées par "
            "celles qui le sont dans l'une au moins (1 : mêmes communes).",
            style="note",
        )
    )
    if libelles:
        s.blocs.append(
            c.figure(
                "Communes en zone grise par niveau, étude précédente et étude actuelle",
                figures.graphique_comparaison(
                    libelles, avant, apres, (f"étude du {quand}", "étude actuelle")
                ),
                150,
                65,
                f"Source : resume.csv des dossiers {prec.chemin.name} et {c.etude.chemin.name}.",
            )
        )
    # per EPCI, side by side
    actuel = c.etude.carto.resume_epci
    colonnes = ["EPCI"]
    for niv in c.niveaux:
        colonnes += [f"{niv.libelle} (préc.)", f"{niv.libelle} (act.)"]
    lignes_epci = []
    for code, groupe in actuel.groupby("epci_code"):
        ligne = [epci_court(groupe["epci_nom"].iloc[0])]
        for niv in c.niveaux:
            ancien = prec.resume_epci[
                (prec.resume_epci["epci_code"] == code)
                & (prec.resume_epci["niveau"].astype(str) == niv.nom)
            ]
            nouveau = groupe[groupe["niveau"].astype(str) == niv.nom]
            ligne += [
                entier(ancien["communes"].iloc[0]) if len(ancien) else TIRET,
                entier(nouveau["communes"].iloc[0]) if len(nouveau) else TIRET,
            ]
        lignes_epci.append(tuple(ligne))
    lignes_epci.sort(key=lambda ligne: ligne[0])
    s.blocs.append(
        c.tableau(
            "Communes en zone grise par EPCI : étude précédente et étude actuelle",
            colonnes,
            lignes_epci,
            [False] + [True] * (len(colonnes) - 1),
            f"Source : resume_epci.csv des dossiers {prec.chemin.name} et {c.etude.chemin.name}.",
            petit=True,
        )
    )


# -- scenarios --------------------------------------------------------------------


def scenarios(c: Contexte) -> Section | None:
    """One section per scenario folder: its changes, balance and communes that move."""
    if not c.d.scenarios:
        c.absent(
            "Scénarios",
            "aucun dossier de scénario",
            "produisez-les avec « accessibilite scenario » et donnez-les avec --avec, ou "
            "rangez-les dans le dossier de base",
        )
        return None
    s = c.section("Scénarios")
    s.blocs.append(
        Paragraphe(
            "Chaque scénario modifie les équipements ou les pôles de l'étude, puis recalcule "
            "les temps qui changent : il montre les communes qui entrent en zone grise ou "
            "en sortent."
        )
    )
    for sc in c.d.scenarios:
        _scenario(c, s, sc)
    return s


def _scenario(c: Contexte, parent: Section, sc: Scenario) -> None:
    s = c.sous(parent, sc.description)
    modifs = sc.parametres.get("modifications") or {}
    libelles_niveaux = {n.nom: n.adjectif for n in c.etude.niveaux}
    elements = []
    for ajout in modifs.get("ajouts") or []:
        elements.append(
            f"Ajout : {entier(ajout.get('nombre', 1))} équipement(s) {ajout.get('typequ')} "
            f"à {c.nom_commune(ajout.get('commune'))}."
        )
    for retrait in modifs.get("retraits") or []:
        nombre = retrait.get("nombre")
        elements.append(
            f"Retrait : {entier(nombre) + ' ' if nombre else 'tous les '}équipement(s) "
            f"{retrait.get('typequ')} de {c.nom_commune(retrait.get('commune'))}."
        )
    for pole in modifs.get("poles") or []:
        quoi = "pôle forcé" if pole.get("actif", True) else "pôle supprimé"
        elements.append(
            f"{quoi.capitalize()} : {c.nom_commune(pole.get('commune'))}, niveau "
            f"{libelles_niveaux.get(str(pole.get('niveau')), pole.get('niveau'))}."
        )
    if elements:
        s.blocs.append(Liste(tuple(elements)))
    noms = [n.nom for n in c.niveaux]
    libelle_de = {n.nom: n.libelle for n in c.niveaux}
    bilan = sc.bilan[sc.bilan["niveau"].astype(str).isin(noms)]
    source = f"Source : bilan.csv et avant_apres.csv du dossier {sc.chemin.name}."
    s.blocs.append(
        c.tableau(
            f"Bilan du scénario « {sc.description} » par niveau",
            [
                "Niveau",
                "Pôles avant → après",
                "Communes en zone grise avant → après",
                "Habitants en zone grise avant → après",
                "Entrent (communes, habitants)",
                "Sortent (communes, habitants)",
                "Temps moyen avant → après",
            ],
            [
                (
                    libelle_de.get(str(b["niveau"]), str(b["niveau"])),
                    f"{entier(b['poles_avant'])} → {entier(b['poles_apres'])}",
                    f"{entier(b['communes_zone_grise_avant'])} → "
                    f"{entier(b['communes_zone_grise_apres'])}",
                    f"{entier(b['population_zone_grise_avant'])} → "
                    f"{entier(b['population_zone_grise_apres'])}",
                    f"{entier(b['communes_entrant'])}, {entier(b['population_entrant'])}",
                    f"{entier(b['communes_sortant'])}, {entier(b['population_sortant'])}",
                    f"{minutes(b['temps_moyen_avant_min'], 2)} → "
                    f"{minutes(b['temps_moyen_apres_min'], 2)}",
                )
                for _, b in bilan.iterrows()
            ],
            [False] + [True] * 6,
            source,
            petit=True,
        )
    )
    changes = sc.avant_apres[
        sc.avant_apres["niveau"].astype(str).isin(noms)
        & sc.avant_apres["changement"]
        .astype(str)
        .isin(["entre en zone grise", "sort de zone grise"])
    ].copy()
    if changes.empty:
        s.blocs.append(Paragraphe("Aucune commune n'entre en zone grise ni n'en sort."))
        return
    changes["_ordre"] = changes["niveau"].map({n: i for i, n in enumerate(noms)})
    changes = changes.sort_values(["_ordre", "changement", "nom"])
    s.blocs.append(
        c.tableau(
            f"Communes qui entrent en zone grise ou en sortent (scénario « {sc.description} »)",
            [
                "Niveau",
                "Commune",
                "EPCI",
                "Habitants",
                "Temps avant",
                "Temps après",
                "Pôle après",
                "Changement",
            ],
            [
                (
                    libelle_de.get(str(com["niveau"]), str(com["niveau"])),
                    str(com["nom"]),
                    epci_court(com["epci_nom"]),
                    entier(com["population"]),
                    minutes(com["temps_avant_min"]),
                    minutes(com["temps_apres_min"]),
                    texte(com["pole_apres_nom"]),
                    str(com["changement"]),
                )
                for _, com in changes.iterrows()
            ],
            [False, False, False, True, True, True, False, False],
            source,
            largeurs=[1.1, 1.8, 2.1, 0.9, 0.8, 0.8, 1.6, 1.9],
            petit=True,
        )
    )


def annexe(c: Contexte, commande: str | None) -> Section:
    """The last chapter: every file read with its size and SHA-256, and the command."""
    s = c.section("À propos de ce rapport")
    s.blocs.append(
        Paragraphe(
            "Les chiffres, tableaux et cartes de ce rapport sont lus dans les fichiers "
            "ci-dessous, et seulement dans eux : les mêmes fichiers donnent le même rapport. "
            "Les empreintes SHA-256 permettent de vérifier qu'un fichier n'a pas changé."
        )
    )
    lignes = []
    dossiers: list[tuple[Path, Sequence[Path]]] = [(c.etude.chemin, c.etude.fichiers)]
    dossiers += [(i.chemin, i.fichiers) for i in c.d.indicateurs]
    dossiers += [(sc.chemin, sc.fichiers) for sc in c.d.scenarios]
    dossiers += [(pr.chemin, pr.fichiers) for pr in c.d.precedentes]
    racine = c.etude.chemin
    for chemin, fichiers in dossiers:
        for f in fichiers:
            try:
                nom = str(f.relative_to(racine.parent))
            except ValueError:
                nom = f"{chemin.name}/{f.name}"
            lignes.append((nom, entier(f.stat().st_size), empreinte(sha256(f))))
    s.blocs.append(
        c.tableau(
            "Fichiers lus et leurs empreintes",
            ["Fichier", "Octets", "Empreinte SHA-256"],
            lignes,
            [False, True, False],
            "Source : les dossiers de résultats donnés au rapport.",
            largeurs=[1.7, 0.6, 3.7],
            petit=True,
        )
    )
    if commande:
        s.blocs.append(Paragraphe(f"Commande : {commande}", style="note"))
    return s
