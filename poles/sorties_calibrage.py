"""Writing a calibration (:func:`poles.calibrage.calibrer_seuils`) to a folder, and its summary.

Files (format in ``docs/FORMATS.md``): ``calibrage.csv``, ``disaccords.csv``,
``gammes_calibrees.toml`` (usable as it is with ``--gammes``) and ``parametres.json``, each
written atomically through :mod:`socle.fichiers`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from poles.calibrage import ResultatCalibrage
from poles.gammes import texte_toml
from socle.fichiers import ecrire_json, ecrire_table, ecriture_atomique, preparer_dossier

__all__ = ["ecrire_calibrage", "formater_calibrage"]

logger = logging.getLogger(__name__)


def ecrire_calibrage(resultat: ResultatCalibrage, dossier: str | Path) -> list[Path]:
    """Write ``calibrage.csv``, ``disaccords.csv``, ``gammes_calibrees.toml`` and
    ``parametres.json`` into ``dossier``; returns the files written."""
    dossier = preparer_dossier(dossier)
    ecrits = [
        ecrire_table(resultat.evaluation, dossier / "calibrage.csv"),
        ecrire_table(resultat.disaccords, dossier / "disaccords.csv"),
    ]
    p = resultat.parametres
    bpe = p.get("bpe", {})
    entete = [
        "Gammes de services avec les seuils de pôle calés par « accessibilite poles calibrer ».",
        f"Département {p['departement_nom']} ({p['departement']}), BPE "
        f"{bpe.get('annee') or ''} ({Path(str(bpe.get('fichier', ''))).name}), référence "
        f"{Path(p['reference']['fichier']).name}, gammes d'origine {Path(p['gammes']).name}, "
        f"le {p['date'][:10]}.",
        "",
        p["regle_de_choix"],
        "",
    ]
    for nom, choix in p["choix"].items():
        seuil = f"n_min = {choix['n_min']}" if choix["n_min"] is not None else "non calé"
        entete.append(f"{nom} : {seuil} ; {choix['justification']}.")
    entete.append("")
    entete.append("Utilisation : accessibilite zones-grises ... --gammes gammes_calibrees.toml")
    import textwrap

    texte = texte_toml(
        resultat.gammes,
        entete="\n".join(
            "\n".join(textwrap.wrap(ligne, width=92)) if ligne else "" for ligne in entete
        ),
    )
    chemin = dossier / "gammes_calibrees.toml"
    with ecriture_atomique(chemin) as tmp:
        tmp.write_text(texte, encoding="utf-8")
    ecrits.append(chemin)
    ecrits.append(ecrire_json(resultat.parametres, dossier / "parametres.json"))
    logger.info("Calibrage écrit dans %s", dossier)
    return ecrits


def formater_calibrage(resultat: ResultatCalibrage) -> str:
    """A short French summary of a calibration, for the terminal."""
    p = resultat.parametres
    ev = resultat.evaluation
    lignes = [
        f"Calage des seuils de pôle — {p['departement_nom']} ({p['departement']}), référence "
        f"{Path(p['reference']['fichier']).name} ({p['reference']['communes']} communes, "
        f"{p['reference']['enonces']} énoncés distincts)",
        "",
        f"{'niveau':<15}{'seuil retenu':>15}{'pôles nommés':>15}{'non-pôles':>12}"
        f"{'pôles du dép.':>15}",
        f"{'':<15}{'':>15}{'trouvés':>15}{'faits pôles':>12}{'':>15}",
    ]
    for niveau in resultat.gammes:
        choix = resultat.choix[niveau.nom]
        if choix.n_min is None:
            lignes.append(f"{niveau.libelle:<15}{'non calé':>15}")
            continue
        r = ev[(ev["niveau"] == niveau.nom) & (ev["n_min"] == choix.n_min)].iloc[0]
        part = f"{100 * choix.n_min / len(niveau.items):.0f}\u00a0%"
        seuil = f"{choix.n_min}/{len(niveau.items)} ({part})"
        trouves = f"{int(r['poles_trouves'])}/{int(r['poles_reference'])}"
        faux = (
            f"{int(r['faux_poles'])}/{int(r['non_poles_reference'])}"
            if r["non_poles_reference"]
            else "—"
        )
        lignes.append(
            f"{niveau.libelle:<15}{seuil:>15}{trouves:>15}{faux:>12}"
            f"{int(r['poles_departement']):>15d}"
        )
    lignes.append("")
    for niveau in resultat.gammes:
        lignes.append(f"{niveau.libelle} : {resultat.choix[niveau.nom].justification}.")
    d = resultat.disaccords
    lignes.append("")
    if d.empty:
        lignes.append("Aucun désaccord avec la référence.")
    else:
        lignes.append(f"Désaccords avec la référence ({len(d)}, détail dans disaccords.csv) :")
        for e in d.to_dict("records"):
            detail = (
                f"{e['n_items']} items sur {e['items_requis']} requis, manquent : "
                f"{e['items_manquants']}"
                if e["affirmation"] == "pole"
                else f"{e['n_items']} items, {e['items_requis']} suffisent"
            )
            groupe = f", regroupement « {e['regroupement']} »" if e["regroupement"] else ""
            niveau_texte = resultat.gammes[str(e["niveau"])].libelle.lower()
            lignes.append(
                f"  {e['nom']} ({e['code_insee']}), {niveau_texte}, {e['verdict']}{groupe} : "
                f"{detail}"
            )
    return "\n".join(lignes)
