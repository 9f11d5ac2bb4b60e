"""Calibrating the pole thresholds on the poles a schema names.

A schema document rarely states its pole rule, but it names poles level by level, and
sometimes says that a commune is *not* a pole of a level. :func:`calibrer_seuils` reads such a
reference (columns ``code_insee``, ``niveau``, ``affirmation`` = ``pole`` | ``pas_pole``),
counts the items of every commune of the département, and evaluates every threshold of
every level (at least ``k`` items, ``k`` = 1 … number of items of the gamme):

* ``poles_trouves``: named poles that hold at least ``k`` items (sensitivity =
  ``poles_trouves / poles_reference``);
* ``faux_poles``: named non-poles that hold at least ``k`` items (specificity =
  ``1 - faux_poles / non_poles_reference``);
* ``poles_departement``: communes of the département the threshold makes poles.

The threshold of each level is chosen by :func:`choisir_seuil`, a rule stated in
:data:`REGLE_DE_CHOIX` (printed with the result and written into the calibrated gammes):

1. **The reference names poles and non-poles of the level**: the threshold with the best
   Youden index (sensitivity + specificity − 1, i.e. the best balanced accuracy: a missed
   pole and a wrongly made pole weigh by the size of their class, so twenty named poles do
   not drown five named non-poles). Ties go to the higher threshold: with the same
   evidence, fewer poles (parsimony).
2. **Only poles are named**: sensitivity alone would choose one item, and every commune
   would be a pole. The threshold is the *highest* one that still finds at least
   ``rappel_min`` (90 % by default) of the named poles: every lower threshold only adds
   poles the reference does not ask for. The hierarchy then caps it: a level never has
   more poles than the level below it (the threshold is raised until it does not).
3. **Only non-poles are named**: symmetrically, the lowest threshold that keeps at least
   ``rappel_min`` of them out, capped by the same hierarchy.
4. **The level is absent from the reference**: its rule is kept (the gamme file's, else
   half the gamme) and the level is reported as not calibrated.

The communes the chosen thresholds still get wrong are listed with the items they hold and
lack (:attr:`ResultatCalibrage.disaccords`), and :attr:`ResultatCalibrage.gammes` carries
the chosen thresholds as ``n_min`` of each level (written as a gamme file usable with
``--gammes``). Groups of communes (:class:`poles.regles.Regroupement`) are judged on their
pooled items, as in the zones-grises analysis.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from poles._csv import codes_communes, colonne, lire_csv, nom_niveau
from poles.gammes import Gammes, charger_gammes
from poles.regles import Regle, Regroupement, SeuilNiveau, detecter_poles
from socle.erreurs import DonneesInvalides
from socle.territoire import departement

__all__ = [
    "RAPPEL_MIN_DEFAUT",
    "REGLE_DE_CHOIX",
    "ChoixSeuil",
    "ResultatCalibrage",
    "calibrer_seuils",
    "choisir_seuil",
    "evaluer_seuils",
    "lire_poles_nommes",
]

logger = logging.getLogger(__name__)

#: Share of the named poles (or non-poles) a one-sided reference's threshold must keep.
RAPPEL_MIN_DEFAUT = 0.9

#: The choice rule, in French, as printed and written with the result.
REGLE_DE_CHOIX = (
    "Seuil choisi par niveau : (1) si la référence nomme des pôles et des non-pôles du "
    "niveau, le seuil au meilleur indice de Youden (sensibilité + spécificité − 1 : pôles "
    "nommés trouvés et non-pôles nommés écartés, chacun rapporté à son effectif), à égalité "
    "le plus exigeant ; (2) si elle ne nomme que des pôles, le seuil le plus exigeant qui "
    "trouve encore au moins {rappel} d'entre eux (tout seuil plus bas n'ajoute que des "
    "pôles que la référence ne demande pas), relevé si besoin pour qu'un niveau n'ait "
    "jamais plus de pôles que le niveau inférieur ; (3) si elle ne nomme que des non-pôles, "
    "le seuil le plus bas qui en écarte au moins {rappel}, avec la même borne ; (4) un "
    "niveau absent de la référence garde sa règle."
)

_AFFIRMATIONS = {
    "pole": "pole",
    "oui": "pole",
    "pas_pole": "pas_pole",
    "pas pole": "pas_pole",
    "non_pole": "pas_pole",
    "non": "pas_pole",
}


def lire_poles_nommes(chemin: str | Path) -> pd.DataFrame:
    """Read a reference of named poles.

    Columns ``code_insee``, ``niveau`` and ``affirmation`` (``pole`` or ``pas_pole``); any
    other column is ignored. A byte-order mark, ``;`` or ``,`` separators and Latin-1 text
    are accepted; level names are compared without accents or capitals; codes of communes
    merged since are moved to their current commune. A statement repeated (several passages
    of the document) counts once.

    Returns
    -------
    pandas.DataFrame
        ``code_insee, niveau, affirmation``, one row per distinct statement, and ``nom``
        when the file has it.

    Raises
    ------
    DonneesManquantes
        The file does not exist.
    DonneesInvalides
        Empty file, a missing column, an unknown ``affirmation``, or a commune said to be
        both a pole and not a pole of the same level.
    """
    chemin = Path(chemin)
    quoi = "Référence des pôles nommés"
    brut = lire_csv(chemin, quoi=quoi)
    code = colonne(brut, ("code_insee", "code", "depcom"), quoi=quoi, chemin=chemin)
    niveau = colonne(brut, ("niveau",), quoi=quoi, chemin=chemin)
    affirmation = colonne(brut, ("affirmation", "pole"), quoi=quoi, chemin=chemin)
    table = pd.DataFrame(
        {
            "code_insee": codes_communes(brut[code], quoi=f"{quoi} {chemin.name}").to_numpy(),
            "niveau": brut[niveau].map(nom_niveau).to_numpy(),
            "affirmation": brut[affirmation].map(
                lambda v: (
                    _AFFIRMATIONS.get(nom_niveau(v).replace("_", " "), "")
                    or _AFFIRMATIONS.get(nom_niveau(v), "")
                )
            ),
        }
    )
    if "nom" in brut.columns:
        table["nom"] = brut["nom"].to_numpy()
    inconnues = brut.loc[table["affirmation"] == "", affirmation]
    if len(inconnues):
        raise DonneesInvalides(
            f"{quoi} {chemin.name} : affirmation « {inconnues.iloc[0]} » inconnue à la ligne "
            f"{int(inconnues.index[0]) + 2} (pole ou pas_pole attendu)."
        )
    table = table.drop_duplicates(["code_insee", "niveau", "affirmation"]).reset_index(drop=True)
    doubles = table[table.duplicated(["code_insee", "niveau"], keep=False)]
    if len(doubles):
        ligne = doubles.iloc[0]
        raise DonneesInvalides(
            f"{quoi} {chemin.name} : la commune {ligne['code_insee']} est à la fois pôle et "
            f"pas_pole au niveau {ligne['niveau']} : gardez l'un des deux énoncés."
        )
    table.attrs["fichier"] = str(chemin)
    return table


def _verifier_reference(
    reference: pd.DataFrame, gammes: Gammes, codes: pd.Index, dep: str, chemin: str
) -> None:
    noms = [n.nom for n in gammes]
    inconnus = sorted(set(reference["niveau"]) - set(noms))
    if inconnus:
        raise DonneesInvalides(
            f"Référence {chemin} : niveau « {inconnus[0]} » inconnu (niveaux de la gamme : "
            f"{', '.join(noms)})."
        )
    hors = sorted(set(reference["code_insee"]) - set(codes))
    if hors:
        verbe = "ne sont pas des communes" if len(hors) > 1 else "n'est pas une commune"
        raise DonneesInvalides(
            f"Référence {chemin} : {len(hors)} code{'s' if len(hors) > 1 else ''} "
            f"{verbe} "
            f"du département {dep} : {', '.join(hors[:5])}{' …' if len(hors) > 5 else ''} "
            "(codes INSEE ; ceux des communes fusionnées sont rattachés à leur commune "
            "actuelle)."
        )


def evaluer_seuils(
    items: dict[str, pd.DataFrame],
    reference: pd.DataFrame,
    gammes: Gammes,
    codes_departement: pd.Index,
) -> pd.DataFrame:
    """Every threshold of every level of the reference, scored against it.

    Parameters
    ----------
    items
        Output of :func:`poles.regles.detecter_poles` (``n_items`` per commune and level).
    reference
        Output of :func:`lire_poles_nommes`.
    gammes
        The levels.
    codes_departement
        The communes of the département (for ``poles_departement``).

    Returns
    -------
    pandas.DataFrame
        One row per level present in the reference and threshold ``n_min`` (1 … items of
        the gamme): ``niveau, n_items_gamme, n_min, part_gamme, poles_reference,
        poles_trouves, poles_manques, non_poles_reference, faux_poles, sensibilite,
        specificite, youden, poles_departement, part_communes``. Sensitivity, specificity
        and Youden are empty when the reference has no pole or no non-pole of the level.
    """
    lignes = []
    total = len(codes_departement)
    for niveau in gammes:
        ref = reference[reference["niveau"] == niveau.nom]
        if ref.empty:
            continue
        n_items = items[niveau.nom]["n_items"]
        poles = n_items.reindex(ref.loc[ref["affirmation"] == "pole", "code_insee"]).to_numpy()
        non = n_items.reindex(ref.loc[ref["affirmation"] == "pas_pole", "code_insee"]).to_numpy()
        departement_items = n_items.reindex(codes_departement).fillna(0).to_numpy()
        taille = len(niveau.items)
        for k in range(1, taille + 1):
            trouves = int((poles >= k).sum())
            faux = int((non >= k).sum())
            sens = trouves / len(poles) if len(poles) else math.nan
            spec = 1 - faux / len(non) if len(non) else math.nan
            n_poles = int((departement_items >= k).sum())
            lignes.append(
                {
                    "niveau": niveau.nom,
                    "n_items_gamme": taille,
                    "n_min": k,
                    "part_gamme": round(k / taille, 4),
                    "poles_reference": len(poles),
                    "poles_trouves": trouves,
                    "poles_manques": len(poles) - trouves,
                    "non_poles_reference": len(non),
                    "faux_poles": faux,
                    "sensibilite": round(sens, 4) if len(poles) else math.nan,
                    "specificite": round(spec, 4) if len(non) else math.nan,
                    "youden": round(sens + spec - 1, 4) if len(poles) and len(non) else math.nan,
                    "poles_departement": n_poles,
                    "part_communes": round(n_poles / total, 4) if total else math.nan,
                }
            )
    return pd.DataFrame(lignes)


@dataclass(frozen=True)
class ChoixSeuil:
    """The threshold chosen for a level and why (``cas``: 1 to 4 of the module docstring)."""

    niveau: str
    n_min: int | None
    cas: int
    justification: str


def choisir_seuil(
    evaluation: pd.DataFrame,
    *,
    rappel_min: float = RAPPEL_MIN_DEFAUT,
    plafond_poles: int | None = None,
) -> ChoixSeuil:
    """Choose the threshold of one level from its rows of :func:`evaluer_seuils`.

    Parameters
    ----------
    evaluation
        The rows of one level, thresholds 1 … n.
    rappel_min
        Share of the named poles (only poles named) or non-poles (only non-poles named)
        the threshold must keep.
    plafond_poles
        Poles of the level below at its chosen threshold: a one-sided choice is raised
        until the level has no more poles than that (the hierarchy of levels).
    """
    if not 0 < rappel_min <= 1:
        raise DonneesInvalides(f"rappel_min doit être dans ]0, 1] (reçu {rappel_min}).")
    table = evaluation.sort_values("n_min").reset_index(drop=True)
    nom = str(table["niveau"].iloc[0])
    n_poles = int(table["poles_reference"].iloc[0])
    n_non = int(table["non_poles_reference"].iloc[0])
    if n_poles and n_non:
        meilleur = table["youden"].max()
        ex_aequo = table[np.isclose(table["youden"], meilleur)]
        ligne = ex_aequo.iloc[-1]
        texte = (
            f"indice de Youden maximal ({_fr(meilleur, 3)} : {int(ligne['poles_trouves'])} pôles "
            f"nommés sur {n_poles} trouvés, {int(ligne['faux_poles'])} non-pôles nommés sur "
            f"{n_non} faits pôles)"
        )
        if len(ex_aequo) > 1:
            texte += (
                f", à égalité avec {_liste_seuils(ex_aequo['n_min'].iloc[:-1])} : le plus "
                "exigeant est retenu"
            )
        return ChoixSeuil(nom, int(ligne["n_min"]), 1, texte)
    if n_poles:
        ok = table[table["sensibilite"] >= rappel_min - 1e-9]
        ligne = ok.iloc[-1]
        texte = (
            f"seule la présence de pôles est affirmée : seuil le plus exigeant qui trouve au "
            f"moins {_pourcent(rappel_min)} des {n_poles} pôles nommés "
            f"({int(ligne['poles_trouves'])} trouvés)"
        )
        texte += _voisins(table, int(ligne["n_min"]))
        cas = 2
    elif n_non:
        ok = table[table["specificite"] >= rappel_min - 1e-9]
        ligne = ok.iloc[0]
        texte = (
            f"seule l'absence de pôles est affirmée : seuil le plus bas qui écarte au moins "
            f"{_pourcent(rappel_min)} des {n_non} non-pôles nommés"
        )
        cas = 3
    else:  # pragma: no cover - evaluer_seuils only scores levels of the reference
        return ChoixSeuil(nom, None, 4, "niveau absent de la référence")
    if plafond_poles is not None and int(ligne["poles_departement"]) > plafond_poles:
        plus_hauts = table[
            (table["n_min"] > ligne["n_min"]) & (table["poles_departement"] <= plafond_poles)
        ]
        if len(plus_hauts):
            ancien = int(ligne["n_min"])
            ligne = plus_hauts.iloc[0]
            texte += (
                f" ; relevé de {ancien} à {int(ligne['n_min'])} items pour ne pas compter plus "
                f"de pôles que le niveau inférieur ({plafond_poles})"
            )
    return ChoixSeuil(nom, int(ligne["n_min"]), cas, texte)


def _voisins(table: pd.DataFrame, k: int) -> str:
    """What one item more or one item less would change (only poles named)."""
    trouves = dict(zip(table["n_min"].astype(int), table["poles_trouves"].astype(int), strict=True))
    poles = dict(
        zip(table["n_min"].astype(int), table["poles_departement"].astype(int), strict=True)
    )
    morceaux: list[str] = []
    if k + 1 in trouves:
        morceaux.append(f"un item de plus n'en trouverait que {trouves[k + 1]}")
    if k - 1 in trouves:
        ajout = poles[k - 1] - poles[k]
        gagnes = trouves[k - 1] - trouves[k]
        s = "s" if gagnes > 1 else ""
        morceaux.append(
            f"un de moins ferait {ajout} pôles de plus dans le département "
            + (
                f"pour {gagnes} pôle{s} nommé{s} de plus"
                if gagnes
                else "sans trouver un pôle nommé de plus"
            )
        )
    return " ; " + ", ".join(morceaux) if morceaux else ""


def _liste_seuils(valeurs: pd.Series) -> str:
    noms = [str(int(v)) for v in valeurs]
    return (", ".join(noms[:-1]) + " et " + noms[-1] if len(noms) > 1 else noms[0]) + " items"


def _pourcent(part: float) -> str:
    """``0.9`` → ``"90 %"`` (French typography, no-break space)."""
    return f"{100 * part:.0f}\u00a0%"


def _fr(valeur: float, decimales: int) -> str:
    return f"{valeur:.{decimales}f}".replace(".", ",")


@dataclass
class ResultatCalibrage:
    """What a calibration produces.

    Attributes
    ----------
    evaluation
        :func:`evaluer_seuils`, with a ``retenu`` column (the chosen threshold of each
        level).
    choix
        The choice of each level of the gammes (``cas`` 4, ``n_min`` None: not calibrated).
    disaccords
        The reference statements the chosen thresholds contradict: ``code_insee, nom,
        niveau, affirmation, verdict, n_items, items_requis, n_items_gamme,
        items_presents, items_manquants, regroupement``.
    gammes
        The gammes with the chosen thresholds (``n_min`` of each calibrated level).
    regle
        The per-level rule of :attr:`gammes` (to run the analysis in memory).
    parametres
        What was calibrated and from what.
    """

    evaluation: pd.DataFrame
    choix: dict[str, ChoixSeuil]
    disaccords: pd.DataFrame
    gammes: Gammes
    regle: Regle
    parametres: dict[str, Any] = field(default_factory=dict)


def calibrer_seuils(
    departement_code: str,
    bpe: str | Path | pd.DataFrame,
    reference: str | Path | pd.DataFrame,
    *,
    gammes: Gammes | str | Path | None = None,
    regroupements: tuple[Regroupement, ...] | list[Regroupement] = (),
    rappel_min: float = RAPPEL_MIN_DEFAUT,
) -> ResultatCalibrage:
    """Evaluate every threshold of every level on a reference and choose one per level.

    Parameters
    ----------
    departement_code
        The département whose communes are judged (the reference's communes must be
        among them).
    bpe
        A BPE file or an equipment table.
    reference
        A reference file (:func:`lire_poles_nommes`) or its table.
    gammes
        The gammes (default: the SDAASP gammes shipped with the project).
    regroupements
        Groups of communes judged on their pooled items.
    rappel_min
        See :func:`choisir_seuil`.

    Raises
    ------
    DonneesInvalides
        An unknown level or a code that is not a commune of the département in the
        reference, bad groups, or a bad ``rappel_min``.
    """
    from poles.communes import charger_inventaire

    dep = departement(departement_code)
    if not isinstance(gammes, Gammes):
        gammes = charger_gammes(gammes)
    if not isinstance(reference, pd.DataFrame):
        reference = lire_poles_nommes(reference)
    fichier_reference = str(reference.attrs.get("fichier", "référence en mémoire"))
    communes, equipements = charger_inventaire(dep.code, bpe, tampon_km=0.0)
    codes = pd.Index(communes["code"])
    _verifier_reference(reference, gammes, codes, dep.code, Path(fichier_reference).name)
    items = detecter_poles(codes, equipements, gammes, Regle(), regroupements=regroupements)
    evaluation = evaluer_seuils(items, reference, gammes, codes)
    initiales = Regle().seuils(gammes)

    choix: dict[str, ChoixSeuil] = {}
    poles_dessous: int | None = None
    for niveau in gammes:
        lignes = evaluation[evaluation["niveau"] == niveau.nom]
        if lignes.empty:
            initial = initiales[niveau.nom]
            garde = initial.texte_compte(len(niveau.items))
            choix[niveau.nom] = ChoixSeuil(
                niveau.nom, None, 4, f"niveau absent de la référence : règle inchangée ({garde})"
            )
            requis = initial.items_requis(len(niveau.items))
            poles_dessous = int((items[niveau.nom]["n_items"] >= requis).sum())
            continue
        retenu = choisir_seuil(lignes, rappel_min=rappel_min, plafond_poles=poles_dessous)
        choix[niveau.nom] = retenu
        poles_dessous = int(
            lignes.loc[lignes["n_min"] == retenu.n_min, "poles_departement"].iloc[0]
        )
    evaluation["retenu"] = [
        choix[n].n_min == k for n, k in zip(evaluation["niveau"], evaluation["n_min"], strict=True)
    ]

    calibrees = Gammes(
        niveaux=tuple(
            replace(n, n_min=choix[n.nom].n_min, part_min=None)
            if choix[n.nom].n_min is not None
            else n
            for n in gammes
        ),
        fichier=gammes.fichier,
        justification=_justification(dep.nom, fichier_reference, equipements, choix, gammes),
    )
    regle = Regle(
        niveaux=tuple(
            (n.nom, SeuilNiveau("n_min", n_min=c.n_min, origine="explicite"))
            for n in gammes
            if (c := choix[n.nom]).n_min is not None
        )
    )
    disaccords = _disaccords(items, reference, calibrees, communes)
    meta_bpe = dict(equipements.attrs.get("bpe", {}))
    parametres = {
        "departement": dep.code,
        "departement_nom": dep.nom,
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "reference": {
            "fichier": fichier_reference,
            "enonces": len(reference),
            "communes": int(reference["code_insee"].nunique()),
        },
        "bpe": {k: v for k, v in meta_bpe.items() if k != "libelles_sans_code"},
        "gammes": gammes.fichier,
        "regroupements": [{"nom": g.nom, "communes": list(g.communes)} for g in regroupements],
        "rappel_min": rappel_min,
        "regle_de_choix": REGLE_DE_CHOIX.format(rappel=_pourcent(rappel_min)),
        "choix": {
            nom: {"n_min": c.n_min, "cas": c.cas, "justification": c.justification}
            for nom, c in choix.items()
        },
    }
    logger.info("Calibrage : %s", {n: c.n_min for n, c in choix.items()})
    return ResultatCalibrage(
        evaluation=evaluation,
        choix=choix,
        disaccords=disaccords,
        gammes=calibrees,
        regle=regle,
        parametres=parametres,
    )


def _justification(
    nom_departement: str,
    fichier_reference: str,
    equipements: pd.DataFrame,
    choix: dict[str, ChoixSeuil],
    gammes: Gammes,
) -> str:
    """Why the calibrated thresholds are what they are, in French (for reports)."""
    annee = dict(equipements.attrs.get("bpe", {})).get("annee")
    cales = [
        f"{c.n_min} des {len(gammes[n].items)} items ({gammes[n].libelle.lower()})"
        for n, c in choix.items()
        if c.n_min is not None
    ]
    if not cales:
        return gammes.justification
    return (
        f"Seuils calés par « accessibilite poles calibrer » sur les pôles nommés de "
        f"{Path(fichier_reference).name} ({nom_departement}), avec la BPE {annee or ''} : "
        f"au moins {', '.join(cales)}. Chaque seuil est celui qui s'accorde le mieux avec "
        "les pôles et non-pôles que la référence nomme (indice de Youden), ou, quand elle ne "
        "nomme que des pôles, le plus exigeant qui les trouve presque tous."
    ).replace("  ", " ")


def _disaccords(
    items: dict[str, pd.DataFrame],
    reference: pd.DataFrame,
    gammes: Gammes,
    communes: pd.DataFrame,
) -> pd.DataFrame:
    """The reference statements the gammes' thresholds contradict, with the items."""
    noms = communes.set_index("code")["nom"]
    seuils = Regle().seuils(gammes)
    lignes = []
    for ligne in reference.itertuples(index=False):
        niveau = gammes[str(ligne.niveau)]
        table = items[niveau.nom]
        requis = seuils[niveau.nom].items_requis(len(niveau.items))
        code = str(ligne.code_insee)
        n = int(table["n_items"].get(code, 0))
        est_pole = n >= requis
        if est_pole == (ligne.affirmation == "pole"):
            continue
        presence = table.loc[code, [i.nom for i in niveau.items]].to_numpy(dtype=bool)
        libelles = np.array([i.libelle for i in niveau.items], dtype=object)
        lignes.append(
            {
                "code_insee": code,
                "nom": str(noms.get(code, getattr(ligne, "nom", ""))),
                "niveau": niveau.nom,
                "affirmation": ligne.affirmation,
                "verdict": (
                    "pôle nommé, non retenu par le seuil"
                    if ligne.affirmation == "pole"
                    else "non-pôle nommé, fait pôle par le seuil"
                ),
                "n_items": n,
                "items_requis": requis,
                "n_items_gamme": len(niveau.items),
                "items_presents": " ; ".join(libelles[presence]),
                "items_manquants": " ; ".join(libelles[~presence]),
                "regroupement": str(table["regroupement"].get(code, "")),
            }
        )
    colonnes = [
        "code_insee",
        "nom",
        "niveau",
        "affirmation",
        "verdict",
        "n_items",
        "items_requis",
        "n_items_gamme",
        "items_presents",
        "items_manquants",
        "regroupement",
    ]
    ordre = {n.nom: i for i, n in enumerate(gammes)}
    table = pd.DataFrame(lignes, columns=colonnes)
    if len(table):
        table = table.sort_values(
            ["niveau", "affirmation", "n_items", "code_insee"],
            key=lambda s: s.map(ordre) if s.name == "niveau" else s,
        ).reset_index(drop=True)
    return table
