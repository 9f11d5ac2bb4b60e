"""Geocoding of addresses with the national address base (BAN), cached.

The BAN "adresse" API geocodes a whole CSV file in one request: ``POST /search/csv/``
(``multipart/form-data``) with the file as ``data``, the address column(s) as
``columns``, and optional filters naming a column (``citycode=code_insee`` restricts each
row to its commune). The answer is the same CSV with the best match of each row appended:
``latitude``, ``longitude``, ``result_label``, ``result_score`` (0–1), ``result_type``,
``result_citycode``... (empty when nothing matched). See the addok-csv plugin that serves it.

:func:`geocoder` sends the addresses, reads the matches and keeps the raw answer in the
cache (``<cache>/geocodage/<sha256 of the request>.csv``): the same addresses sent to the
same service are never asked twice; a changed address changes the key. Deciding which
matches are good enough (the score threshold) is the caller's job: nothing here guesses.

The service address is :data:`URL_BAN`, or ``$ACCESSIBILITE_GEOCODAGE`` (a mirror or a
self-hosted addok), or the ``url`` argument.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import http.client
import io
import json
import logging
import os
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from socle.erreurs import ErreurTelechargement
from socle.fichiers import dossier_cache, ecriture_atomique

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SCORE_MIN_DEFAUT",
    "URL_BAN",
    "VARIABLE_URL",
    "AdresseAGeocoder",
    "geocoder",
    "url_geocodage",
]

logger = logging.getLogger(__name__)

#: The BAN CSV geocoding endpoint.
URL_BAN = "https://api-adresse.data.gouv.fr/search/csv/"
#: Environment variable naming another endpoint (mirror, self-hosted addok).
VARIABLE_URL = "ACCESSIBILITE_GEOCODAGE"
#: Below this score a match is refused by default (the BAN's scores run from 0 to 1; a
#: full house-number match is usually above 0.8, a street or town only match below 0.6).
SCORE_MIN_DEFAUT = 0.6

_SOUS_DOSSIER = "geocodage"
_AGENT = "accessibilite/0.1.0 (Python urllib; +https://pypi.org/project/accessibilite/)"
_COLONNES_REPONSE = ("latitude", "longitude", "result_label", "result_score")


@dataclass(frozen=True)
class AdresseAGeocoder:
    """One address to geocode: an identifier, the text, and optionally its commune code
    (then the match is searched in that commune only)."""

    ident: str
    adresse: str
    code_insee: str | None = None


def url_geocodage(url: str | None = None) -> str:
    """The endpoint used: ``url``, else ``$ACCESSIBILITE_GEOCODAGE``, else :data:`URL_BAN`."""
    return url or os.environ.get(VARIABLE_URL) or URL_BAN


def _csv_demande(adresses: Sequence[AdresseAGeocoder], avec_commune: bool) -> bytes:
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, lineterminator="\n")
    ecrivain.writerow(["ident", "adresse", "code_insee"] if avec_commune else ["ident", "adresse"])
    for a in adresses:
        ligne = [a.ident, a.adresse.replace("\n", " ").strip()]
        ecrivain.writerow([*ligne, a.code_insee or ""] if avec_commune else ligne)
    return tampon.getvalue().encode("utf-8")


def _corps_multipart(csv_octets: bytes, avec_commune: bool) -> tuple[bytes, str]:
    frontiere = "accessibilite-" + uuid.uuid4().hex
    champs = [("columns", "adresse")]
    if avec_commune:
        champs.append(("citycode", "code_insee"))
    morceaux: list[bytes] = []
    for nom, valeur in champs:
        morceaux.append(
            f'--{frontiere}\r\nContent-Disposition: form-data; name="{nom}"\r\n\r\n'
            f"{valeur}\r\n".encode()
        )
    morceaux.append(
        f'--{frontiere}\r\nContent-Disposition: form-data; name="data"; '
        f'filename="adresses.csv"\r\nContent-Type: text/csv; charset=utf-8\r\n\r\n'.encode()
    )
    morceaux.append(csv_octets)
    morceaux.append(f"\r\n--{frontiere}--\r\n".encode())
    return b"".join(morceaux), f"multipart/form-data; boundary={frontiere}"


def _message(url: str, exc: BaseException) -> str:
    from socle.telechargement import _message_connexion

    return (
        f"Géocodage des adresses impossible : {_message_connexion(url, exc)}. Donnez les "
        "sites par leur code_insee ou leurs coordonnées (lon, lat), ou relancez avec un accès "
        f"à Internet (service : {url})."
    )


def _envoyer(url: str, corps: bytes, type_contenu: str, delai_s: float) -> bytes:
    requete = urllib.request.Request(
        url,
        data=corps,
        method="POST",
        headers={"User-Agent": _AGENT, "Content-Type": type_contenu},
    )
    try:
        with urllib.request.urlopen(requete, timeout=delai_s) as reponse:
            contenu: bytes = reponse.read()
            return contenu
    except urllib.error.HTTPError as exc:
        exc.close()
        raise ErreurTelechargement(
            f"Géocodage des adresses impossible : le service {url} répond HTTP {exc.code} "
            f"({exc.reason}). Donnez les sites par leur code_insee ou leurs coordonnées "
            "(lon, lat), ou réessayez plus tard."
        ) from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise ErreurTelechargement(_message(url, exc)) from exc


def _lire_reponse(contenu: bytes, url: str) -> pd.DataFrame:
    import pandas as pd

    try:
        texte = contenu.decode("utf-8-sig")
        table = pd.read_csv(
            io.StringIO(texte), dtype=str, keep_default_na=False, sep=None, engine="python"
        )
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ErreurTelechargement(
            f"Géocodage des adresses : réponse illisible du service {url} ({exc})."
        ) from exc
    manquantes = [c for c in ("ident", *_COLONNES_REPONSE) if c not in table.columns]
    if manquantes:
        raise ErreurTelechargement(
            f"Géocodage des adresses : réponse inattendue du service {url} (colonnes "
            f"{', '.join(manquantes)} absentes) : est-ce bien un service /search/csv/ de "
            "l'API Adresse ?"
        )
    return table


def geocoder(
    adresses: Sequence[AdresseAGeocoder],
    *,
    url: str | None = None,
    delai_s: float = 120.0,
    cache: bool = True,
) -> pd.DataFrame:
    """Geocode addresses with the BAN CSV service (one request), through the cache.

    Parameters
    ----------
    adresses
        The addresses (identifiers unique).
    url
        The ``/search/csv/`` endpoint (default: see :func:`url_geocodage`).
    delai_s
        Time-out of the request, in seconds.
    cache
        Read and keep the answer in ``<cache>/geocodage`` (:func:`socle.fichiers.racine_cache`).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``ident``, in the order given: ``longitude``, ``latitude`` (float, NaN
        when nothing matched), ``label`` (the matched address), ``score`` (0–1, NaN when
        nothing matched), ``type`` (``housenumber``, ``street``, ``locality``,
        ``municipality``), ``code_insee`` (of the match). ``attrs["geocodage"]`` records the
        service, the date of the answer and whether it came from the cache.

    Raises
    ------
    ErreurTelechargement
        The service cannot be reached, answers an HTTP error, or answers something that is
        not a geocoded CSV.
    """
    import numpy as np
    import pandas as pd

    cible = url_geocodage(url)
    if not adresses:
        vide = pd.DataFrame(
            columns=["longitude", "latitude", "label", "score", "type", "code_insee"]
        )
        vide.index.name = "ident"
        return vide
    avec_commune = any(a.code_insee for a in adresses)
    demande = _csv_demande(adresses, avec_commune)
    cle = hashlib.sha256(
        cible.encode() + b"\0" + (b"citycode" if avec_commune else b"") + b"\0" + demande
    ).hexdigest()
    chemin: Path | None = dossier_cache(_SOUS_DOSSIER) / f"{cle}.csv" if cache else None
    manifeste = chemin.with_suffix(".json") if chemin is not None else None
    date = datetime.now(UTC).isoformat(timespec="seconds")
    depuis_cache = False
    if chemin is not None and chemin.is_file():
        contenu = chemin.read_bytes()
        depuis_cache = True
        if manifeste is not None and manifeste.is_file():
            with contextlib.suppress(OSError, ValueError):
                date = str(json.loads(manifeste.read_text(encoding="utf-8")).get("date", date))
        logger.info("Géocodage : %d adresses lues dans le cache (%s)", len(adresses), chemin)
    else:
        corps, type_contenu = _corps_multipart(demande, avec_commune)
        logger.info("Géocodage de %d adresses par %s", len(adresses), cible)
        contenu = _envoyer(cible, corps, type_contenu, delai_s)
    table = _lire_reponse(contenu, cible)
    if chemin is not None and not depuis_cache and manifeste is not None:
        with ecriture_atomique(chemin) as tmp:
            tmp.write_bytes(contenu)
        with ecriture_atomique(manifeste) as tmp:
            tmp.write_text(
                json.dumps({"url": cible, "date": date, "adresses": len(adresses)}, indent=2),
                encoding="utf-8",
            )

    def nombres(colonne: str) -> pd.Series:
        return pd.to_numeric(
            table[colonne].str.strip().str.replace(",", ".", regex=False), errors="coerce"
        )

    resultat = pd.DataFrame(
        {
            "longitude": nombres("longitude").to_numpy(dtype=np.float64),
            "latitude": nombres("latitude").to_numpy(dtype=np.float64),
            "label": table["result_label"].to_numpy(),
            "score": nombres("result_score").to_numpy(dtype=np.float64),
            "type": table["result_type"].to_numpy() if "result_type" in table else "",
            "code_insee": (
                table["result_citycode"].to_numpy() if "result_citycode" in table else ""
            ),
        },
        index=pd.Index(table["ident"].astype(str).to_numpy(), name="ident"),
    )
    resultat = resultat[~resultat.index.duplicated()]
    resultat = resultat.reindex([a.ident for a in adresses])
    resultat.attrs["geocodage"] = {"url": cible, "date": date, "cache": depuis_cache}
    return resultat
