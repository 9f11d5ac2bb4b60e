"""BAN CSV geocoding against a fake service on 127.0.0.1: request, answer, cache, errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from socle.erreurs import ErreurTelechargement
from socle.geocodage import AdresseAGeocoder, geocoder
from tests._ban import champs_multipart, faux_ban
from tests._serveur_http import ServeurFichiers, port_ferme

MAIRIE = "Place Victor Hugo 62500 Saint-Omer"
RUE = "3 rue de Nulle Part 62500 Saint-Omer"


@pytest.fixture
def serveur(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServeurFichiers]:
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("ACCESSIBILITE_GEOCODAGE", raising=False)
    s = ServeurFichiers()
    s.repondre(
        "/search/csv/",
        faux_ban(
            {
                MAIRIE: (2.2522, 50.7506, 0.93, "Place Victor Hugo 62500 Saint-Omer", "62765"),
                RUE: (2.26, 50.75, 0.31, "Saint-Omer", "62765"),
            }
        ),
    )
    yield s
    s.arreter()


def test_requete_reponse_et_cache(serveur: ServeurFichiers) -> None:
    url = serveur.url("/search/csv/")
    demandes = [
        AdresseAGeocoder("2", MAIRIE, "62765"),
        AdresseAGeocoder("3", RUE),
        AdresseAGeocoder("4", "Ailleurs"),
    ]
    table = geocoder(demandes, url=url)
    assert table.index.tolist() == ["2", "3", "4"]
    assert table.loc["2", "score"] == pytest.approx(0.93)
    assert (table.loc["2", "longitude"], table.loc["2", "latitude"]) == (2.2522, 50.7506)
    assert table.loc["2", "code_insee"] == "62765"
    assert table.loc["3", "score"] == pytest.approx(0.31)  # returned, judged by the caller
    assert np.isnan(table.loc["4", "score"]) and np.isnan(table.loc["4", "longitude"])
    assert table.attrs["geocodage"]["cache"] is False
    # the request: one multipart POST, the address column and the commune filter
    (corps,) = serveur.etat.corps
    champs = champs_multipart(
        "multipart/form-data; boundary=" + corps.split(b"\r\n", 1)[0][2:].decode(), corps
    )
    assert champs["columns"] == [b"adresse"] and champs["citycode"] == [b"code_insee"]
    assert champs["data"][0].decode().splitlines()[0] == "ident,adresse,code_insee"
    # the same addresses again: from the cache, no request
    encore = geocoder(demandes, url=url)
    assert len(serveur.requetes()) == 1 and encore.attrs["geocodage"]["cache"] is True
    assert encore.loc["2", "label"] == table.loc["2", "label"]
    # a changed address is a new request
    geocoder([AdresseAGeocoder("2", MAIRIE + " France")], url=url)
    assert len(serveur.requetes()) == 2


def test_service_injoignable_une_ligne_en_francais(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ACCESSIBILITE_CACHE", str(tmp_path / "cache"))
    url = f"http://127.0.0.1:{port_ferme()}/search/csv/"
    with pytest.raises(ErreurTelechargement) as erreur:
        geocoder([AdresseAGeocoder("2", MAIRIE)], url=url)
    message = str(erreur.value)
    assert "\n" not in message and "Géocodage des adresses impossible" in message
    assert "connexion refusée" in message and "code_insee" in message
    assert not list((tmp_path / "cache" / "geocodage").glob("*.csv"))  # nothing cached


def test_reponse_qui_n_est_pas_un_geocodage(serveur: ServeurFichiers) -> None:
    serveur.repondre("/autre/", lambda _t, _c: (200, b"a,b\n1,2\n"))
    with pytest.raises(ErreurTelechargement, match="réponse inattendue"):
        geocoder([AdresseAGeocoder("2", MAIRIE)], url=serveur.url("/autre/"))
    serveur.repondre("/panne/", lambda _t, _c: (503, b"indisponible"))
    with pytest.raises(ErreurTelechargement, match="HTTP 503"):
        geocoder([AdresseAGeocoder("2", MAIRIE)], url=serveur.url("/panne/"))
