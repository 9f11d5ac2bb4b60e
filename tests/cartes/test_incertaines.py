"""Uncertain communes on the maps: their own hatching and legend entry, interactive and
print; none of it for a folder with no uncertain commune (or written before the bands)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from cartes import carte_interactive, figure_statique, lire_dossier


def _avec_incertaines(dossier: Path, codes: list[str]) -> None:
    """Give every commune bounds and a state; ``codes`` are uncertain for proximité."""
    gpkg = dossier / "zones_grises.gpkg"
    communes = gpd.read_file(gpkg, layer="communes")
    temps = pd.to_numeric(communes["temps_proximite_min"], errors="coerce")
    communes["temps_proximite_min_bas"] = temps - 1.5
    communes["temps_proximite_min_haut"] = temps + 1.5
    zg = communes["zone_grise_proximite"].astype(str).str.lower() == "true"
    communes["etat_proximite"] = ["zone grise" if z else "hors zone grise" for z in zg]
    communes.loc[communes["code"].isin(codes), "etat_proximite"] = "incertaine"
    couches = {c: gpd.read_file(gpkg, layer=c) for c in gpd.list_layers(gpkg)["name"]}
    couches["communes"] = communes
    gpkg.unlink()
    for nom, couche in couches.items():
        couche.to_file(gpkg, layer=nom, driver="GPKG")
    resume = pd.read_csv(dossier / "resume.csv")
    resume["communes_min"] = resume["communes"] - 1
    resume["communes_max"] = resume["communes"] + 1
    resume.to_csv(dossier / "resume.csv", index=False)


def _textes_legende(fig: Any) -> list[str]:
    from matplotlib.legend import Legend

    textes = []
    for ax in fig.axes:
        for enfant in ax.get_children():
            if isinstance(enfant, Legend):
                textes += [t.get_text() for t in enfant.get_texts()]
    return textes


def test_communes_incertaines_hachurees_avec_leur_legende(copie_zg: Path) -> None:
    avant = lire_dossier(copie_zg)
    zg = avant.communes.loc[avant.communes["zone_grise_proximite"], "code"].tolist()
    hors = avant.communes.loc[~avant.communes["zone_grise_proximite"], "code"].tolist()
    _avec_incertaines(copie_zg, [zg[0], hors[-1]])
    d = lire_dossier(copie_zg)
    assert d.communes["incertaine_proximite"].sum() == 2
    assert not d.communes["incertaine_intermediaire"].any()  # no etat column: all certain

    page = str(carte_interactive(d, fond="uni").get_root().render())
    assert 'id="zg-hachures-incertaines"' in page and "className: 'zg-incertaine'" in page
    assert (
        "incertaine : l&#x27;intervalle d&#x27;incertitude du temps contient le seuil (2 communes)"
        in page
    )
    n = int(d.resume.loc[d.resume["niveau"] == "proximite", "communes"].iloc[0])
    assert f"; de {n - 1} à {n + 1} communes selon l'incertitude des temps" in page

    textes = _textes_legende(figure_statique(d, "proximite"))
    assert any(t.startswith("incertaine : l'intervalle du temps") and "(2)" in t for t in textes)
    assert any(t.startswith("zone grise : plus de 10 min") for t in textes)
    # the intermediate level has no uncertain commune: no such entry
    assert not any("incertaine" in t for t in _textes_legende(figure_statique(d, "intermediaire")))


def test_dossier_sans_bande_inchange(dossier_zg: Path) -> None:
    d = lire_dossier(dossier_zg)
    assert not d.communes["incertaine_proximite"].any()
    page = str(carte_interactive(d, fond="uni").get_root().render())
    assert "className: 'zg-incertaine'" not in page and "incertaine : l" not in page
    assert not any("incertaine" in t for t in _textes_legende(figure_statique(d, "proximite")))
