"""Distributed matrices: Dask result = local result, exactly; resume; retries; readers.

One 2-worker ``LocalCluster`` (processes: the workers map the saved graph file) is started
once for the module. Graphs: a seeded synthetic one (``benchmarks/generateur.py``) and the
real Andorra extract.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import reseau
from accessibilite import Lieux, matrice_temps, matrice_temps_longue
from accessibilite.noyau.matrice_distribuee import (
    MANIFESTE,
    BilanLot,
    PlanMatrice,
    calculer_lot,
    calculer_matrice,
    executer_matrice,
    lire_matrice_parquet,
    lire_noeuds,
    nom_partition,
    partition_valide,
    preparer_matrice,
)
from accessibilite.noyau.taches import chargements_graphe, executer_taches, ouvrir_client
from socle.erreurs import DependanceManquante, DonneesInvalides, ErreurDistribuee
from tests.conftest import chemin_donnees

distributed = pytest.importorskip("distributed")
import cloudpickle  # noqa: E402  (installed with distributed)

# The hooks below run on the workers: ship them by value (the workers cannot import a
# pytest test module by name).
cloudpickle.register_pickle_by_value(sys.modules[__name__])

COUPURE_S = 600.0


@pytest.fixture(scope="module")
def client():
    with ouvrir_client("local", workers=2) as c:
        yield c


@pytest.fixture(scope="module")
def synthetique(tmp_path_factory):
    from benchmarks.generateur import graphe_synthetique

    g = graphe_synthetique("test", graine=3)
    chemin = tmp_path_factory.mktemp("graphe") / "synthetique.graphe"
    reseau.sauvegarder_graphe(g, chemin)
    return g, chemin


@pytest.fixture(scope="module")
def andorre(tmp_path_factory):
    pbf = chemin_donnees("osm", "andorra.osm.pbf")
    g = reseau.construire_graphe(pbf, cache=False)
    chemin = tmp_path_factory.mktemp("andorre") / "andorre.graphe"
    reseau.sauvegarder_graphe(g, chemin)
    return g, chemin


def _origines(g, n=230, graine=0):
    rng = np.random.default_rng(graine)
    return np.sort(rng.choice(g.n_noeuds, size=n, replace=False))


def _reference_noeuds(g, origines, destinations, coupure_s):
    """The pairs straight from the compute core, sorted, seconds in float32."""
    io, idest, t = matrice_temps_longue(g, origines, destinations, coupure_s=coupure_s)
    ordre = np.lexsort((idest, io))
    d = np.arange(g.n_noeuds) if destinations is None else np.asarray(destinations)
    return pd.DataFrame(
        {
            "origine": origines[io[ordre]].astype(np.int32),
            "destination": d[idest[ordre]].astype(np.int32),
            "secondes": t[ordre].astype(np.float32),
        }
    )


# ----------------------------------------------------------------------------------------
# Local runs: the batches give the compute core's answer.


def test_lots_locaux_egaux_au_noyau(synthetique, tmp_path):
    g, chemin = synthetique
    origines = _origines(g)
    destinations = _origines(g, 400, graine=1)
    resultat = calculer_matrice(
        chemin, origines, destinations, sortie=tmp_path / "m", coupure_s=COUPURE_S, lot=32
    )
    assert resultat.plan.n_lots == 8 and resultat.lots_calcules == 8
    lu = lire_matrice_parquet(tmp_path / "m")
    pd.testing.assert_frame_equal(lu, _reference_noeuds(g, origines, destinations, COUPURE_S))
    assert resultat.paires == len(lu) and lu["secondes"].max() <= COUPURE_S
    # every pair of the dense matrix within the cut-off is there, and only those
    dense = matrice_temps(g, origines, destinations)
    i, j = np.nonzero(dense <= COUPURE_S)
    assert len(lu) == i.size
    attendu = dense[i, j].astype(np.float32)
    np.testing.assert_allclose(lu["secondes"].to_numpy(), attendu, rtol=1e-6)
    # no temporary file is left, the manifest says complete
    assert not list((tmp_path / "m").glob(".*"))
    manifeste = json.loads((tmp_path / "m" / MANIFESTE).read_text())
    assert manifeste["complet"] and manifeste["paires"] == len(lu) and manifeste["lot"] == 32


def test_lots_en_parallele_dans_un_processus(synthetique, tmp_path):
    """Several threads of one worker computing batches at once (thread-safe numba layer)."""
    from concurrent.futures import ThreadPoolExecutor

    g, chemin = synthetique
    origines = _origines(g, 120)
    plan = preparer_matrice(chemin, origines, sortie=tmp_path / "m", coupure_s=COUPURE_S, lot=10)
    with ThreadPoolExecutor(3) as fils:
        bilans = list(fils.map(lambda n: calculer_lot(plan, n, fils_numba=1), range(plan.n_lots)))
    assert all(b.calcule for b in bilans)
    executer_matrice(plan)
    pd.testing.assert_frame_equal(
        lire_matrice_parquet(tmp_path / "m"), _reference_noeuds(g, origines, None, COUPURE_S)
    )


def test_sans_coupure_toutes_les_paires(synthetique, tmp_path):
    g, chemin = synthetique
    origines = _origines(g, 20)
    resultat = calculer_matrice(chemin, origines, sortie=tmp_path / "m", lot=7)
    lu = lire_matrice_parquet(tmp_path / "m")
    assert resultat.plan.n_destinations is None  # every node
    dense = matrice_temps(g, origines)
    atteint = np.isfinite(dense)
    assert len(lu) == atteint.sum() > 0.9 * dense.size  # every reached pair, dense output
    np.testing.assert_allclose(
        lu["secondes"].to_numpy(), dense[atteint].astype(np.float32), rtol=1e-6
    )


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # inside dask.dataframe, pandas 3
def test_lecteurs_pandas_pyarrow_duckdb_dask(synthetique, tmp_path):
    g, chemin = synthetique
    origines = _origines(g, 50)
    calculer_matrice(chemin, origines, sortie=tmp_path / "m", coupure_s=COUPURE_S, lot=16)
    reference = lire_matrice_parquet(tmp_path / "m")
    cles = ["origine", "destination"]

    def normal(df):
        df = pd.DataFrame(df)[["origine", "destination", "secondes"]]
        return df.sort_values(cles).reset_index(drop=True).astype(reference.dtypes.to_dict())

    par_pandas = pd.read_parquet(tmp_path / "m")
    pd.testing.assert_frame_equal(normal(par_pandas), normal(reference))
    assert par_pandas["secondes"].dtype == np.float32
    import pyarrow.dataset as ds

    pd.testing.assert_frame_equal(
        normal(ds.dataset(tmp_path / "m", format="parquet").to_table().to_pandas()),
        normal(reference),
    )
    import dask.dataframe as dd

    pd.testing.assert_frame_equal(
        normal(dd.read_parquet(tmp_path / "m").compute()), normal(reference)
    )
    duckdb = pytest.importorskip("duckdb")
    motif = str(tmp_path / "m" / "lot-*.parquet")
    par_duckdb = duckdb.sql(f"SELECT * FROM read_parquet('{motif}')").df()
    pd.testing.assert_frame_equal(normal(par_duckdb), normal(reference))
    n = duckdb.sql(f"SELECT count(*) FROM '{motif}' WHERE secondes <= 300").fetchall()[0][0]
    assert n == int((reference["secondes"] <= 300).sum())


# ----------------------------------------------------------------------------------------
# Restart: finished partitions kept, interrupted runs resumed, other inputs refused.


def test_reprise_partitions_existantes_et_temporaire_perime(synthetique, tmp_path, client):
    g, chemin = synthetique
    origines = _origines(g)
    reference = _reference_noeuds(g, origines, None, COUPURE_S)
    plan = preparer_matrice(chemin, origines, sortie=tmp_path / "m", coupure_s=COUPURE_S, lot=40)
    faits = [calculer_lot(plan, 0), calculer_lot(plan, 3)]
    assert all(b.calcule for b in faits)
    dates = {n: (tmp_path / "m" / nom_partition(n)).stat().st_mtime_ns for n in (0, 3)}
    perime = tmp_path / "m" / ".lot-000001.a1b2c3.partiel.parquet"
    perime.write_bytes(b"PAR1 morceau d'une partition interrompue")
    # a rerun prepares the same job: the folder is reopened, the stale temporary removed
    plan2 = preparer_matrice(chemin, origines, sortie=tmp_path / "m", coupure_s=COUPURE_S, lot=40)
    assert plan2 == plan and not perime.exists()
    perime.write_bytes(b"PAR1")
    resultat = executer_matrice(plan2, client=client, fils_numba=1)
    assert (resultat.lots_calcules, resultat.lots_deja_faits) == (plan.n_lots - 2, 2)
    assert {b.numero for b in resultat.bilans if not b.calcule} == {0, 3}
    for n, date in dates.items():
        assert (tmp_path / "m" / nom_partition(n)).stat().st_mtime_ns == date
    assert not perime.exists()
    pd.testing.assert_frame_equal(lire_matrice_parquet(tmp_path / "m"), reference)
    # a third run computes nothing
    encore = executer_matrice(plan2, client=client)
    assert (encore.lots_calcules, encore.lots_deja_faits) == (0, plan.n_lots)


def test_interruption_puis_reprise(synthetique, tmp_path):
    g, chemin = synthetique
    origines = _origines(g)
    plan = preparer_matrice(chemin, origines, sortie=tmp_path / "m", coupure_s=COUPURE_S, lot=30)

    def couper(etape, fait, total, unite=""):
        assert etape == "lots de la matrice"
        if fait == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        executer_matrice(plan, progression=couper)
    assert sorted(p.name for p in (tmp_path / "m").glob("lot-*")) == [
        nom_partition(n) for n in range(3)
    ]
    with pytest.raises(DonneesInvalides, match="inachevée"):
        lire_matrice_parquet(tmp_path / "m")
    repris = calculer_matrice(chemin, origines, sortie=tmp_path / "m", coupure_s=COUPURE_S, lot=30)
    assert (repris.lots_calcules, repris.lots_deja_faits) == (plan.n_lots - 3, 3)
    pd.testing.assert_frame_equal(
        lire_matrice_parquet(tmp_path / "m"), _reference_noeuds(g, origines, None, COUPURE_S)
    )


def test_partition_abimee_recalculee(synthetique, tmp_path):
    g, chemin = synthetique
    origines = _origines(g, 60)
    premier = calculer_matrice(chemin, origines, sortie=tmp_path / "m", coupure_s=300, lot=20)
    reference = lire_matrice_parquet(tmp_path / "m")
    abimee = tmp_path / "m" / nom_partition(1)
    abimee.write_bytes(abimee.read_bytes()[:100])  # truncated by hand, not by us
    assert partition_valide(abimee, premier.plan.cle, 1) is None
    assert partition_valide(tmp_path / "m" / nom_partition(0), premier.plan.cle, 0) is not None
    assert partition_valide(tmp_path / "m" / nom_partition(0), premier.plan.cle, 2) is None
    second = calculer_matrice(chemin, origines, sortie=tmp_path / "m", coupure_s=300, lot=20)
    assert [b.numero for b in second.bilans if b.calcule] == [1]
    pd.testing.assert_frame_equal(lire_matrice_parquet(tmp_path / "m"), reference)


def test_autres_entrees_refusees(synthetique, tmp_path):
    g, chemin = synthetique
    origines = _origines(g, 50)
    calculer_matrice(chemin, origines, sortie=tmp_path / "m", coupure_s=COUPURE_S, lot=16)
    for autres, motif in [
        ({"coupure_s": 300.0, "lot": 16}, "la coupure"),
        ({"coupure_s": COUPURE_S, "lot": 10}, "taille des lots"),
    ]:
        with pytest.raises(DonneesInvalides, match=motif):
            preparer_matrice(chemin, origines, sortie=tmp_path / "m", **autres)
    with pytest.raises(DonneesInvalides, match="origines"):
        preparer_matrice(chemin, origines[1:], sortie=tmp_path / "m", coupure_s=COUPURE_S, lot=16)
    # another graph at the same place
    autre = tmp_path / "autre.graphe"
    from benchmarks.generateur import graphe_synthetique

    reseau.sauvegarder_graphe(graphe_synthetique("test", graine=4), autre)
    with pytest.raises(DonneesInvalides, match="le graphe"):
        preparer_matrice(autre, origines, sortie=tmp_path / "m", coupure_s=COUPURE_S, lot=16)
    # a folder that is not a matrix, a file, bad inputs
    (tmp_path / "divers").mkdir()
    (tmp_path / "divers" / "notes.txt").write_text("à garder")
    with pytest.raises(DonneesInvalides, match="pas un dossier de matrice"):
        preparer_matrice(chemin, origines, sortie=tmp_path / "divers")
    with pytest.raises(DonneesInvalides, match="est un fichier"):
        preparer_matrice(chemin, origines, sortie=tmp_path / "divers" / "notes.txt")
    with pytest.raises(DonneesInvalides, match="hors du graphe"):
        preparer_matrice(chemin, [0, g.n_noeuds], sortie=tmp_path / "x")
    with pytest.raises(DonneesInvalides, match="lots"):
        preparer_matrice(chemin, origines, sortie=tmp_path / "x", lot=0)
    with pytest.raises(DonneesInvalides, match="coupure"):
        preparer_matrice(chemin, origines, sortie=tmp_path / "x", coupure_s=-1)


# ----------------------------------------------------------------------------------------
# On the cluster: same result, graph loaded once per worker, retries, killed worker.


def test_dask_egal_local_et_graphe_charge_une_fois(synthetique, tmp_path, client):
    g, chemin = synthetique
    origines = _origines(g)
    destinations = _origines(g, 500, graine=2)
    local = calculer_matrice(
        chemin, origines, destinations, sortie=tmp_path / "local", coupure_s=COUPURE_S, lot=23
    )
    reparti = calculer_matrice(
        chemin,
        origines,
        destinations,
        sortie=tmp_path / "dask",
        coupure_s=COUPURE_S,
        lot=23,
        client=client,
        fils_numba=1,
    )
    assert reparti.lots_calcules == local.lots_calcules == 10
    pd.testing.assert_frame_equal(
        lire_matrice_parquet(tmp_path / "dask"), lire_matrice_parquet(tmp_path / "local")
    )
    for n in range(10):  # partition by partition, byte-identical tables
        a = pd.read_parquet(tmp_path / "dask" / nom_partition(n))
        b = pd.read_parquet(tmp_path / "local" / nom_partition(n))
        pd.testing.assert_frame_equal(a, b)
    # 10 tasks on 2 worker processes, the graph loaded at most once in each
    comptes = client.run(chargements_graphe, str(chemin))
    assert len(comptes) == 2 and set(comptes.values()) <= {0, 1} and sum(comptes.values()) >= 1
    pids = client.run(os.getpid)
    assert os.getpid() not in pids.values()  # real processes, not threads of this one


def test_andorre_lieux_dask_egal_local(andorre, tmp_path, client):
    g, chemin = andorre
    rng = np.random.default_rng(5)
    choisis = rng.choice(g.n_noeuds, size=70, replace=False)
    x = g.x[choisis] + rng.uniform(-150, 150, choisis.size)
    y = g.y[choisis] + rng.uniform(-150, 150, choisis.size)
    codes = np.array([f"P{i:03d}" for i in range(choisis.size)], dtype=object)
    # one place far from every road
    x, y = np.append(x, x.max() + 50_000), np.append(y, y.max())
    codes = np.append(codes, "LOIN")
    lieux = Lieux(codes=codes, x=x, y=y, crs=g.crs)
    coupure = 900.0
    local = calculer_matrice(chemin, lieux, sortie=tmp_path / "local", coupure_s=coupure, lot=16)
    reparti = calculer_matrice(
        chemin,
        lieux,
        sortie=tmp_path / "dask",
        coupure_s=coupure,
        lot=16,
        client=client,
        fils_numba=1,
    )
    assert local.plan.hors_reseau == reparti.plan.hors_reseau == ("LOIN",)
    a, b = lire_matrice_parquet(tmp_path / "dask"), lire_matrice_parquet(tmp_path / "local")
    pd.testing.assert_frame_equal(a, b)
    assert pd.api.types.is_string_dtype(a["origine"]) and "LOIN" not in set(a["origine"]) | set(
        a["destination"]
    )
    # against the dense core with the connectors added at both ends
    acc = reseau.accrocher(g, x[:-1], y[:-1])
    dense = matrice_temps(g, acc.noeud, acc.noeud)
    totale = dense + acc.temps_s[:, None] + acc.temps_s[None, :]
    np.fill_diagonal(totale, 0.0)  # a place to itself
    i, j = np.nonzero(totale <= coupure)
    attendu = pd.DataFrame(
        {"origine": codes[i], "destination": codes[j], "secondes": totale[i, j]}
    ).astype(a.dtypes.to_dict())
    assert len(a) == len(attendu) > 70
    pd.testing.assert_frame_equal(
        a[["origine", "destination"]], attendu[["origine", "destination"]]
    )
    np.testing.assert_allclose(a["secondes"], attendu["secondes"], rtol=1e-6)
    assert (a.loc[a["origine"] == a["destination"], "secondes"] == 0).all()


@dataclass(frozen=True)
class _LotFragile:
    """A batch task that fails once per batch (a marker file per batch), then works."""

    plan: PlanMatrice
    marques: Path
    mourir: bool = False

    def __call__(self, numero: int) -> BilanLot:
        marque = self.marques / f"{numero}.essai"
        if numero % 2 == 1 and not marque.exists():
            marque.write_text(str(os.getpid()))
            if self.mourir:
                os._exit(1)  # the worker process dies in the middle of the task
            raise OSError("disque réseau momentanément indisponible")
        return calculer_lot(self.plan, numero, fils_numba=1)


def test_tache_en_echec_relancee(synthetique, tmp_path, client):
    g, chemin = synthetique
    origines = _origines(g, 120)
    plan = preparer_matrice(chemin, origines, sortie=tmp_path / "m", coupure_s=COUPURE_S, lot=20)
    (tmp_path / "marques").mkdir()
    fragile = _LotFragile(plan, tmp_path / "marques")
    with pytest.raises(ErreurDistribuee, match="disque réseau"):
        executer_taches(fragile, list(range(plan.n_lots)), client=client, tentatives=0)
    for marque in (tmp_path / "marques").iterdir():
        marque.unlink()
    bilans = executer_taches(fragile, list(range(plan.n_lots)), client=client, tentatives=2)
    assert [b.numero for b in bilans] == list(range(plan.n_lots))
    assert len(list((tmp_path / "marques").iterdir())) == 3  # lots 1, 3, 5 failed once
    fin = executer_matrice(plan, client=client)
    assert fin.lots_calcules == 0
    pd.testing.assert_frame_equal(
        lire_matrice_parquet(tmp_path / "m"), _reference_noeuds(g, origines, None, COUPURE_S)
    )


def test_erreur_du_projet_remontee_sans_relance(client):
    essais: list[int] = []

    with pytest.raises(DonneesInvalides, match="Lot 7 hors"):
        executer_taches(
            _LotHors(),
            [7],
            client=client,
            tentatives=3,
            progression=lambda e, f, t, unite="": essais.append(f),
        )
    assert essais == []


@dataclass(frozen=True)
class _LotHors:
    def __call__(self, numero: int) -> None:
        raise DonneesInvalides(f"Lot {numero} hors de 0..3.")


# ----------------------------------------------------------------------------------------
# Indicators over several services and several scenarios, one task each (département 90).


@pytest.fixture(scope="module")
def bpe():
    return str(chemin_donnees("bpe", "bpe2013.xlsx"))


def _lire(dossier, nom):
    return (dossier / nom).read_bytes()


@pytest.mark.donnees
def test_indicateurs_plusieurs_services_dask_egal_local(bpe, tmp_path, client, capsys):
    from accessibilite.cli import main
    from poles.distribue import indicateurs_services

    services = ["medecin", "urgences"]
    # here, through the command line (one task per service, one after the other)
    argv = ["indicateur", "--departement", "90", "--bpe", bpe, "--services", ",".join(services)]
    assert main([*argv, "--sortie", str(tmp_path / "local")]) == 0
    sortie = capsys.readouterr().out
    assert sortie.count("Résultats :") == 2 and "indicateur_urgences" in sortie
    assert (tmp_path / "local" / "indicateur_urgences" / "indicateur.gpkg").is_file()
    # on the cluster
    reparti = indicateurs_services("90", bpe, services, sortie=tmp_path / "dask", client=client)
    assert [b.nom for b in reparti] == services and all(b.calcule for b in reparti)
    for b in reparti:
        assert b.texte in sortie and "Territoire de Belfort" in b.texte
        for fichier in ("indicateur.csv", "resume.csv", "resume_epci.csv"):
            assert _lire(b.dossier, fichier) == _lire(tmp_path / "local" / b.dossier.name, fichier)
    # the README's command: --dask local from the command line, its own cluster
    argv = ["indicateur", "--departement", "90", "--bpe", bpe, "--services", ",".join(services)]
    assert (
        main([*argv, "--dask", "local", "--workers", "2", "--sortie", str(tmp_path / "cli")]) == 0
    )
    assert "grappe Dask local : 2 worker(s)" in capsys.readouterr().err
    for service in services:
        for fichier in ("indicateur.csv", "resume.csv", "resume_epci.csv"):
            nom = f"indicateur_{service}"
            assert _lire(tmp_path / "cli" / nom, fichier) == _lire(
                tmp_path / "local" / nom, fichier
            )
    # the same as the one-service command
    seul = tmp_path / "seul"
    argv = ["indicateur", "--departement", "90", "--service", "urgences", "--bpe", bpe]
    assert main([*argv, "--sortie", str(seul)]) == 0
    assert _lire(seul, "indicateur.csv") == _lire(reparti[1].dossier, "indicateur.csv")
    # a rerun skips what is done; --services alone still lists the presets
    encore = indicateurs_services("90", bpe, services, sortie=tmp_path / "dask", client=client)
    assert [b.calcule for b in encore] == [False, False]
    assert [b.texte for b in encore] == [b.texte for b in reparti]
    capsys.readouterr()
    assert main(["indicateur", "--services"]) == 0 and "pharmacie" in capsys.readouterr().out


@pytest.mark.donnees
def test_indicateur_source_reseau_rouverte_par_les_workers(bpe, tmp_path, client):
    """A road-graph source travels as its file name; the result equals the local one."""
    import dataclasses

    from accessibilite.noyau.source_reseau import SourceReseau
    from accessibilite.noyau.taches import SourceTache
    from benchmarks.generateur import graphe_synthetique
    from poles.distribue import indicateurs_services

    # a synthetic road grid laid over the Territoire de Belfort and its 30 km buffer
    g = graphe_synthetique(40_000, graine=9, espacement_m=600.0)
    g = dataclasses.replace(g, x=g.x + 945_000.0, y=g.y + 6_676_000.0, crs="EPSG:2154")
    reseau.sauvegarder_graphe(g, tmp_path / "belfort.graphe")
    source = SourceReseau.depuis_fichier(tmp_path / "belfort.graphe")
    portable = SourceTache.depuis(source, None)
    assert portable.objet is None and portable.reseau == str(tmp_path / "belfort.graphe")
    local = indicateurs_services("90", bpe, ["urgences"], sortie=tmp_path / "l", source=source)
    reparti = indicateurs_services(
        "90", bpe, ["urgences"], sortie=tmp_path / "d", source=source, client=client
    )
    assert "réseau routier OpenStreetMap (belfort.graphe)" in reparti[0].texte
    assert local[0].texte == reparti[0].texte
    for fichier in ("indicateur.csv", "resume.csv"):
        assert _lire(local[0].dossier, fichier) == _lire(reparti[0].dossier, fichier)


@pytest.mark.donnees
def test_scenarios_dask_egaux_local(bpe, tmp_path, client, capsys):
    from accessibilite.cli import main
    from poles.distribue import scenarios

    base = tmp_path / "90"
    argv = ["zones-grises", "--departement", "90", "--bpe", bpe, "--cartes", "aucune"]
    assert main([*argv, "--sortie", str(base)]) == 0
    table = pd.read_csv(base / "zones_grises.csv", dtype={"code": str})
    pole = table.loc[table["est_pole_proximite"], "code"].iloc[0]
    non_pole = table.loc[~table["est_pole_proximite"], "code"].iloc[-1]
    fichiers = []
    for nom, code, actif in [("ouvre", non_pole, "true"), ("ferme", pole, "false")]:
        fichier = tmp_path / f"{nom}.toml"
        fichier.write_text(
            f'description = "{nom}"\n[[pole]]\ncommune = "{code}"\nniveau = "proximite"\n'
            f"actif = {actif}\n"
        )
        fichiers.append(fichier)
    local = scenarios(base, fichiers, sortie=tmp_path / "local")
    reparti = scenarios(base, fichiers, sortie=tmp_path / "dask", client=client)
    assert [b.nom for b in reparti] == ["ouvre", "ferme"]
    for a, b in zip(local, reparti, strict=True):
        assert a.texte == b.texte
        assert _lire(a.dossier, "avant_apres.csv") == _lire(b.dossier, "avant_apres.csv")
        assert _lire(a.dossier, "bilan.csv") == _lire(b.dossier, "bilan.csv")
    # the same as the one-file command
    seul = tmp_path / "seul"
    argv = ["scenario", "--base", str(base), "--modifications", str(fichiers[1])]
    assert main([*argv, "--sortie", str(seul)]) == 0
    assert _lire(seul, "avant_apres.csv") == _lire(reparti[1].dossier, "avant_apres.csv")
    bilan = pd.read_csv(seul / "bilan.csv")
    assert bilan.loc[bilan["niveau"] == "proximite", "poles_apres"].item() == (
        bilan.loc[bilan["niveau"] == "proximite", "poles_avant"].item() - 1
    )
    # rerun: nothing recomputed; the command line with several files
    assert not any(b.calcule for b in scenarios(base, fichiers, sortie=tmp_path / "dask"))
    capsys.readouterr()
    argv = ["scenario", "--base", str(base), "--modifications", *map(str, fichiers)]
    assert main([*argv, "--sortie", str(tmp_path / "cli")]) == 0
    assert capsys.readouterr().out.count("Résultats :") == 2
    assert (tmp_path / "cli" / "scenario_ferme" / "scenario.gpkg").is_file()
    # and on a local cluster started by the command (README: --dask local)
    assert main([*argv, "--dask", "local", "--workers", "1", "--sortie", str(tmp_path / "d")]) == 0
    assert "grappe Dask local : 1 worker(s)" in capsys.readouterr().err
    for nom in ("scenario_ouvre", "scenario_ferme"):
        for fichier in ("avant_apres.csv", "bilan.csv"):
            assert _lire(tmp_path / "d" / nom, fichier) == _lire(tmp_path / "cli" / nom, fichier)


def test_worker_tue_lot_recalcule(synthetique, tmp_path, client):
    """Last cluster test: it kills a worker process (the nanny starts a new one)."""
    g, chemin = synthetique
    origines = _origines(g, 80)
    plan = preparer_matrice(chemin, origines, sortie=tmp_path / "m", coupure_s=COUPURE_S, lot=20)
    (tmp_path / "marques").mkdir()
    fragile = _LotFragile(plan, tmp_path / "marques", mourir=True)
    executer_taches(fragile, list(range(plan.n_lots)), client=client, tentatives=0)
    morts = {int(m.read_text()) for m in (tmp_path / "marques").iterdir()}
    assert len(morts) >= 1 and not morts & set(client.run(os.getpid).values())
    assert not list((tmp_path / "m").glob(".*"))  # the killed tasks wrote nothing
    fin = executer_matrice(plan, client=client)
    assert (fin.lots_calcules, fin.lots_deja_faits) == (0, plan.n_lots)
    pd.testing.assert_frame_equal(
        lire_matrice_parquet(tmp_path / "m"), _reference_noeuds(g, origines, None, COUPURE_S)
    )


# ----------------------------------------------------------------------------------------
# The command line.


def _erreur(capsys, argv):
    from accessibilite.cli import main

    assert main(argv) == 2
    lignes = [ligne for ligne in capsys.readouterr().err.splitlines() if ligne.startswith("Erreur")]
    assert len(lignes) == 1
    return lignes[0]


def test_cli_matrice_noeuds(synthetique, tmp_path, capsys):
    from accessibilite.cli import main

    g, chemin = synthetique
    origines, destinations = _origines(g, 90), _origines(g, 300, graine=7)
    (tmp_path / "o.txt").write_text("\n".join(map(str, origines)))
    np.save(tmp_path / "d.npy", destinations)
    argv = ["matrice", "--noeuds", "--reseau", str(chemin), "--origines", str(tmp_path / "o.txt")]
    argv += ["--destinations", str(tmp_path / "d.npy"), "--lot", "25", "--sortie"]
    argv += [str(tmp_path / "m")]
    assert main([*argv, "--coupure-min", "10"]) == 0
    sortie = capsys.readouterr().out
    assert "90 origines × 300 destinations" in sortie and "4 calculés, 0 déjà faits" in sortie
    pd.testing.assert_frame_equal(
        lire_matrice_parquet(tmp_path / "m"), _reference_noeuds(g, origines, destinations, 600.0)
    )
    assert main([*argv, "--coupure-min", "10"]) == 0
    assert "0 calculés, 4 déjà faits" in capsys.readouterr().out
    # the README's cluster run, from the command line: its own local cluster, same result
    reparti = [*argv[:-1], str(tmp_path / "dask"), "--coupure-min", "10"]
    assert main([*reparti, "--dask", "local", "--workers", "2", "--fils-numba", "1"]) == 0
    sortie = capsys.readouterr()
    assert "grappe Dask local : 2 worker(s)" in sortie.err
    assert "4 calculés, 0 déjà faits" in sortie.out
    pd.testing.assert_frame_equal(
        lire_matrice_parquet(tmp_path / "dask"), lire_matrice_parquet(tmp_path / "m")
    )
    assert "la coupure" in _erreur(capsys, [*argv, "--coupure-min", "20"])
    assert "--workers demande --dask" in _erreur(
        capsys, [*argv, "--coupure-min", "10", "--workers", "2"]
    )
    assert "--tentatives doit être >= 0" in _erreur(
        capsys, [*argv, "--coupure-min", "10", "--tentatives", "-1"]
    )
    argv = ["matrice", "--departement", "62", "--reseau", str(chemin), "--origines", "o.txt"]
    assert "vont avec --noeuds" in _erreur(capsys, [*argv, "--sortie", str(tmp_path / "x")])


@pytest.mark.donnees
def test_cli_matrice_departement(tmp_path, capsys):
    """Communes of the Yvelines on the real Saint-Germain-en-Laye street network."""
    from accessibilite.cli import main

    g = reseau.construire_graphe(
        chemin_donnees("osm", "saint-germain-en-laye.graphml"), cache=False
    )
    reseau.sauvegarder_graphe(g, tmp_path / "sg.graphe")
    argv = ["matrice", "--departement", "78", "--reseau", str(tmp_path / "sg.graphe")]
    assert main([*argv, "--coupure-min", "30", "--sortie", str(tmp_path / "m")]) == 0
    sortie = capsys.readouterr().out
    lu = lire_matrice_parquet(tmp_path / "m")
    codes = set(lu["origine"])
    assert "78551" in codes and codes == set(lu["destination"])  # Saint-Germain-en-Laye
    assert len(codes) < 30 and "à plus de 2 km du réseau" in sortie  # the rest is off it
    manifeste = json.loads((tmp_path / "m" / MANIFESTE).read_text())
    assert len(manifeste["hors_reseau"]) + len(codes) == 259  # the 259 communes of 78
    assert (lu.loc[lu["origine"] == lu["destination"], "secondes"] == 0).all()
    assert lu["secondes"].between(0, 1800).all()
    # both ways within the cut-off: times differ (one-way streets) but not by much
    aller = lu.set_index(["origine", "destination"])["secondes"]
    retour = lu.set_index(["destination", "origine"])["secondes"]
    commun = aller.index.intersection(retour.index)
    assert len(commun) > 20
    ecart = (aller[commun] - retour.reindex(commun)).abs()
    assert ecart.max() < 0.25 * aller[commun].max()


# ----------------------------------------------------------------------------------------
# Odds and ends.


def test_sans_dask_message_d_installation(monkeypatch):
    from accessibilite.noyau import taches

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(DependanceManquante, match=r'pip install "accessibilite\[dask\]"'):
        taches.importer_distributed()
    with pytest.raises(DependanceManquante), taches.ouvrir_client("local"):
        pass


def test_ordonnanceur_injoignable():
    with (
        pytest.raises(ErreurDistribuee, match="Impossible de joindre"),
        ouvrir_client("tcp://127.0.0.1:9", delai_s=1),
    ):
        pass


def test_lire_noeuds(tmp_path):
    (tmp_path / "o.txt").write_text("# origines\n3\n\n17  \n5 # commentaire\n")
    assert lire_noeuds(tmp_path / "o.txt").tolist() == [3, 17, 5]
    np.save(tmp_path / "o.npy", np.array([4, 2], dtype=np.int32))
    assert lire_noeuds(tmp_path / "o.npy").tolist() == [4, 2]
    (tmp_path / "mauvais.txt").write_text("3\ntrois\n")
    with pytest.raises(DonneesInvalides, match="ligne 2"):
        lire_noeuds(tmp_path / "mauvais.txt")
