"""Benchmark of the travel-time calibration on the Nord reference (not a timed test).

The reference is INSEE's car access times (Metric-OSRM, BPE 2025, per 200 m square,
population-weighted per commune) for 266 communes of the Nord
(``../shared/data/reference/metric_acces_59.csv``); the equipment is the BPE 2013 (counts
per commune), the only recent vintage available offline. The script prints (and writes
with ``--json``):

1. per service, the mean absolute error and the bias of the straight line before (a = 2.02,
   b = 1.32) and after calibration (5-fold cross-validated), without and with the internal
   time, and the fitted coefficients (also per density class);
2. the internal time against the ``_moy_min`` of the communes holding the service, and the
   default constant of the internal time;
3. how much the BPE vintage explains: equipped communes in the BPE 2009, 2013 and in the
   reference, status changes 2009→2013, errors on the communes whose own equipment agrees
   between the BPE and the reference and on those whose nearest equipped commune is known
   unchanged;
4. the default error band of the straight line (the constants of
   ``accessibilite.noyau.incertitude``);
5. the Pas-de-Calais zone-grise counts with their ranges (BPE 2013): default, with a zero
   band (must equal the counts without band), calibrated on the Nord, calibrated with the
   internal time.

Usage::

    python benchmarks/calibration.py [--donnees ../shared/data] [--json resultats/cal.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

RACINE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RACINE))


def _table(df: pd.DataFrame) -> str:
    colonnes = [str(c) for c in df.columns]
    lignes = ["| " + " | ".join(colonnes) + " |", "|" + "---|" * len(colonnes)]
    for _, r in df.iterrows():
        valeurs = []
        for v in r.to_numpy():
            if isinstance(v, float | np.floating):
                valeurs.append("—" if not np.isfinite(v) else f"{v:.2f}")
            else:
                valeurs.append(str(v))
        lignes.append("| " + " | ".join(valeurs) + " |")
    return "\n".join(lignes)


def _erreurs(t: pd.DataFrame, groupe: str, moment: str) -> tuple[float, float]:
    ligne = t[(t["groupe"] == groupe) & (t["moment"] == moment)]
    if ligne.empty:
        return float("nan"), float("nan")
    return float(ligne["mae_min"].iloc[0]), float(ligne["biais_min"].iloc[0])


def main(argv: list[str] | None = None) -> int:
    from accessibilite.noyau.calibration import bande_depuis_residus, erreurs
    from poles.calibration import GROUPE_HORS_ECARTES, calibrer, lire_reference
    from poles.communes import charger_inventaire
    from poles.indicateurs import nombre_par_commune

    analyseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analyseur.add_argument("--donnees", type=Path, default=RACINE.parent / "shared" / "data")
    analyseur.add_argument("--json", type=Path)
    analyseur.add_argument("--sans-62", action="store_true", help="sans les zones grises du 62")
    options = analyseur.parse_args(argv)
    reference_csv = options.donnees / "reference" / "metric_acces_59.csv"
    bpe13 = options.donnees / "bpe" / "bpe2013.xlsx"
    bpe09 = options.donnees / "bpe" / "bpe2009.xlsx"
    for f in (reference_csv, bpe13, bpe09):
        if not f.is_file():
            print(f"Données absentes : {f}", file=sys.stderr)
            return 2
    debut = time.perf_counter()
    resultats: dict[str, Any] = {"date": time.strftime("%Y-%m-%d"), "reference": str(reference_csv)}
    reference = lire_reference(reference_csv)

    # 1. before / after, without / with the internal time ------------------------------
    runs = {
        "sans_ti": calibrer(reference, "59", bpe13, temps_interne=False),
        "avec_ti": calibrer(reference, "59", bpe13, temps_interne=True),
        "avec_ti_densite": calibrer(reference, "59", bpe13, temps_interne=True, par_densite=True),
    }
    services = [*sorted(reference.services), GROUPE_HORS_ECARTES, "ensemble"]
    lignes = []
    for s in services:
        ligne: dict[str, Any] = {"service": s}
        for cle, nom in (("sans_ti", "sans TI"), ("avec_ti", "avec TI")):
            t = runs[cle].erreurs
            for moment, libelle in (("avant", "avant"), ("apres", "après")):
                mae, biais = _erreurs(t, s, moment)
                ligne[f"EAM {libelle} {nom}"] = mae
                ligne[f"biais {libelle} {nom}"] = biais
        mae, biais = _erreurs(runs["avec_ti_densite"].erreurs, s, "apres")
        ligne["EAM après TI+densité"] = mae
        lignes.append(ligne)
    par_service = pd.DataFrame(lignes)
    print("## 1. Erreurs par service (minutes)\n")
    print(_table(par_service))
    coefficients = {}
    for cle, r in runs.items():
        cal = r.calibration
        coefficients[cle] = {
            "a_min": cal.vol_oiseau[0] if cal.vol_oiseau else None,
            "b_min_par_km": cal.vol_oiseau[1] if cal.vol_oiseau else None,
            "temps_interne": (
                [cal.temps_interne.a_min, cal.temps_interne.b_min_par_km]
                if cal.temps_interne
                else None
            ),
            "classes": [(c.nom, a, b) for c, a, b in cal.classes],
            "services_ecartes": r.parametres.get("services_changes"),
            "bande": cal.bande.en_dict(),
        }
    print("\n## Coefficients ajustés\n")
    print(json.dumps(coefficients, ensure_ascii=False, indent=1))
    resultats["par_service"] = par_service.to_dict("records")
    resultats["coefficients"] = coefficients

    # 2. the internal time ----------------------------------------------------------------
    obs = runs["avec_ti"].observations
    courants = ["pharmacie", "poste", "boulangerie", "ecole_elementaire"]
    equipees = obs["groupe"].isin(courants) & (obs["km"] == 0) & obs["concordante"]
    y = obs.loc[equipees, "reference_min"].to_numpy()
    d = obs.loc[equipees, "distance_interne_km"].to_numpy()
    a_interne = float(np.median(y - 1.32 * d))
    print("\n## 2. Temps interne des communes équipées\n")
    lignes_ti = []
    for s in [*courants, "ensemble"]:
        m = equipees & ((obs["groupe"] == s) if s != "ensemble" else True)
        yy = obs.loc[m, "reference_min"].to_numpy()
        dd = obs.loc[m, "distance_interne_km"].to_numpy()
        for nom, pred in (
            ("0 (centre à centre)", np.zeros_like(yy)),
            ("défaut 0,4 + 1,32 d", 0.4 + 1.32 * dd),
            ("calibré", runs["avec_ti"].calibration.temps_interne.minutes(dd)),  # type: ignore[union-attr]
        ):
            e = erreurs(pred, yy)
            lignes_ti.append(
                {"service": s, "modèle": nom, "n": e.n, "EAM": e.mae, "biais": e.biais}
            )
    print(_table(pd.DataFrame(lignes_ti)))
    print(
        f"\nmédiane de (référence − 1,32 × d) : a = {a_interne:.3f} min ({int(equipees.sum())} cas)"
    )
    resultats["temps_interne"] = {
        "lignes": lignes_ti,
        "a_median": a_interne,
        "n": int(equipees.sum()),
    }

    # 3. the BPE vintage ------------------------------------------------------------------
    from scipy.spatial import cKDTree

    communes, eq13 = charger_inventaire("59", bpe13, tampon_km=30)
    _, eq09 = charger_inventaire("59", bpe09, tampon_km=30)
    indexees = communes.set_index("code")
    xy = np.column_stack([indexees["centre"].x, indexees["centre"].y])
    codes_ref = reference.acces.index.to_numpy(dtype=str)  # type: ignore[union-attr]
    lignes_v = []
    obs_ti = runs["avec_ti"].observations.copy()
    obs_ti["stable"] = False
    for s, service in reference.services.items():
        n13 = nombre_par_commune(eq13, service)
        n09 = nombre_par_commune(eq09, service)
        e13 = np.isin(codes_ref, n13.index)
        e09 = np.isin(codes_ref, n09.index)
        minimum = reference.plus_courts[s].reindex(codes_ref).to_numpy()  # type: ignore[index]
        e25 = minimum <= 1.0 + 1e-9
        # nearest equipped commune (2013) of each non-equipped reference commune
        cibles = [c for c in n13.index if c in indexees.index]
        arbre = cKDTree(xy[indexees.index.get_indexer(cibles)])
        _, k = arbre.query(xy[indexees.index.get_indexer(codes_ref)])
        plus_proche = np.asarray(cibles)[k]
        plancher = pd.Series(minimum, index=codes_ref)
        cible_connue = np.isin(plus_proche, codes_ref)
        cible_toujours = cible_connue & (plancher.reindex(plus_proche).to_numpy() <= 1.0 + 1e-9)
        stable = (e13 & e25) | (~e13 & ~e25 & cible_toujours)
        masque = obs_ti["groupe"] == s
        obs_ti.loc[masque, "stable"] = stable[
            pd.Index(codes_ref).get_indexer(obs_ti.loc[masque, "code"])
        ]
        o = obs_ti[masque]
        e_conc = erreurs(
            o.loc[o["concordante"], "apres_min"].to_numpy(),
            o.loc[o["concordante"], "reference_min"].to_numpy(),
        )
        e_disc = erreurs(
            o.loc[~o["concordante"], "apres_min"].to_numpy(),
            o.loc[~o["concordante"], "reference_min"].to_numpy(),
        )
        e_stable = erreurs(
            o.loc[o["stable"], "apres_min"].to_numpy(),
            o.loc[o["stable"], "reference_min"].to_numpy(),
        )
        e_autre = erreurs(
            o.loc[~o["stable"], "apres_min"].to_numpy(),
            o.loc[~o["stable"], "reference_min"].to_numpy(),
        )
        lignes_v.append(
            {
                "service": s,
                "équipées 2009": int(e09.sum()),
                "équipées 2013": int(e13.sum()),
                "équipées réf. (plancher 1 min)": int(e25.sum()),
                "changements 2009→2013 (%)": 100 * float(np.mean(e09 != e13)),
                "discordance 2013/réf. (%)": 100 * float(np.mean(e13 != e25)),
                "EAM concordantes": e_conc.mae,
                "EAM discordantes": e_disc.mae,
                "n stables": e_stable.n,
                "EAM stables": e_stable.mae,
                "EAM autres": e_autre.mae,
            }
        )
    vintage = pd.DataFrame(lignes_v)
    print("\n## 3. Millésime de la BPE (modèle calibré avec temps interne)\n")
    print(_table(vintage))
    tout = erreurs(obs_ti["apres_min"].to_numpy(), obs_ti["reference_min"].to_numpy())
    st = obs_ti["stable"].to_numpy(dtype=bool)
    e_st = erreurs(
        obs_ti.loc[st, "apres_min"].to_numpy(), obs_ti.loc[st, "reference_min"].to_numpy()
    )
    e_au = erreurs(
        obs_ti.loc[~st, "apres_min"].to_numpy(), obs_ti.loc[~st, "reference_min"].to_numpy()
    )
    print(
        f"\nensemble : EAM {tout.mae:.2f} ; observations stables ({e_st.n}) : EAM {e_st.mae:.2f}, "
        f"biais {e_st.biais:.2f} ; autres ({e_au.n}) : EAM {e_au.mae:.2f}, biais {e_au.biais:.2f}"
    )
    resultats["millesime"] = vintage.to_dict("records")
    resultats["millesime_ensemble"] = {
        "tout": tout.en_dict(),
        "stables": e_st.en_dict(),
        "autres": e_au.en_dict(),
    }

    # 4. the default band of the straight line --------------------------------------------
    ecartes = set(runs["avec_ti"].parametres.get("services_changes") or {})
    m = obs["concordante"] & ~obs["groupe"].isin(list(ecartes))
    bande = bande_depuis_residus(
        obs.loc[m, "avant_min"].to_numpy(), obs.loc[m, "reference_min"].to_numpy()
    )
    print(
        "\n## 4. Bande par défaut du vol d'oiseau (modèle par défaut, temps interne par défaut)\n"
    )
    print(json.dumps(bande.en_dict(), ensure_ascii=False))
    resultats["bande_defaut"] = bande.en_dict()

    # 5. the zones grises of the Pas-de-Calais --------------------------------------------
    if not options.sans_62:
        import tempfile

        from accessibilite.noyau.calibration import texte_calibration
        from poles.zones_grises import zones_grises

        with tempfile.TemporaryDirectory() as dossier:
            fichier = Path(dossier) / "calibration_59.toml"
            fichier.write_text(texte_calibration(runs["avec_ti"].calibration), encoding="utf-8")
            variantes = {
                "défaut (bande par défaut)": {},
                "sans bande (--incertitude aucune)": {"incertitude": "aucune"},
                "avec temps interne": {"temps_interne": True},
                "calibré Nord": {"calibration": fichier},
                "calibré Nord + temps interne": {"calibration": fichier, "temps_interne": True},
            }
            lignes_zg = []
            for nom, reglages in variantes.items():
                r = zones_grises("62", bpe13, **reglages)
                for _, ligne_r in r.resume.iterrows():
                    lignes_zg.append(
                        {
                            "variante": nom,
                            "niveau": ligne_r["niveau"],
                            "communes": int(ligne_r["communes"]),
                            "min": int(ligne_r["communes_min"]),
                            "max": int(ligne_r["communes_max"]),
                            "incertaines": int(ligne_r["communes_incertaines"]),
                            "population": int(ligne_r["population"]),
                            "population min–max": (
                                f"{int(ligne_r['population_min'])}–{int(ligne_r['population_max'])}"
                            ),
                        }
                    )
        zg = pd.DataFrame(lignes_zg)
        print("\n## 5. Zones grises du Pas-de-Calais (BPE 2013)\n")
        print(_table(zg))
        resultats["zones_grises_62"] = zg.to_dict("records")
    resultats["duree_s"] = round(time.perf_counter() - debut, 1)
    print(f"\nDurée : {resultats['duree_s']} s")
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(resultats, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
