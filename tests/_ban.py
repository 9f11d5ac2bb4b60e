"""A fake BAN CSV geocoder (``POST /search/csv/``) for :mod:`tests._serveur_http`.

It answers like the addok-csv plugin behind the API Adresse: the CSV sent, with the best
match of each row appended (``latitude``, ``longitude``, ``result_label``,
``result_score``, ``result_type``, ``result_citycode``...), empty when nothing matches.
"""

from __future__ import annotations

import csv
import io
from email.parser import BytesParser
from email.policy import default

from tests._serveur_http import Traitement

__all__ = ["Correspondance", "champs_multipart", "faux_ban"]

#: address text -> (longitude, latitude, score, matched label, INSEE code)
Correspondance = dict[str, tuple[float, float, float, str, str]]

_COLONNES = [
    "latitude",
    "longitude",
    "result_label",
    "result_score",
    "result_type",
    "result_id",
    "result_housenumber",
    "result_name",
    "result_postcode",
    "result_city",
    "result_context",
    "result_citycode",
]


def champs_multipart(type_contenu: str, corps: bytes) -> dict[str, list[bytes]]:
    """The fields of a ``multipart/form-data`` body, by name."""
    message = BytesParser(policy=default).parsebytes(
        f"Content-Type: {type_contenu}\r\n\r\n".encode() + corps
    )
    champs: dict[str, list[bytes]] = {}
    for partie in message.iter_parts():
        nom = partie.get_param("name", header="content-disposition")
        champs.setdefault(str(nom), []).append(partie.get_payload(decode=True) or b"")
    return champs


def faux_ban(correspondances: Correspondance) -> Traitement:
    """A ``/search/csv/`` service matching the addresses of ``correspondances``."""

    def traiter(type_contenu: str, corps: bytes) -> tuple[int, bytes]:
        champs = champs_multipart(type_contenu, corps)
        if "data" not in champs:
            return 400, b"Missing file"
        lecteur = csv.DictReader(io.StringIO(champs["data"][0].decode("utf-8-sig")))
        colonnes = [c.decode() for c in champs.get("columns", [])] or list(lecteur.fieldnames or [])
        filtre = champs.get("citycode", [b""])[0].decode()
        sortie = io.StringIO()
        ecrivain = csv.DictWriter(
            sortie, [*(lecteur.fieldnames or []), *_COLONNES], lineterminator="\r\n"
        )
        ecrivain.writeheader()
        for ligne in lecteur:
            q = " ".join(ligne[c] or "" for c in colonnes)
            trouve = correspondances.get(q)
            if trouve and filtre and ligne.get(filtre) and ligne[filtre] != trouve[4]:
                trouve = None  # the citycode filter leaves nothing
            if trouve:
                lon, lat, score, label, code = trouve
                ligne.update(
                    latitude=str(lat),
                    longitude=str(lon),
                    result_label=label,
                    result_score=str(score),
                    result_type="housenumber",
                    result_citycode=code,
                )
            ecrivain.writerow(ligne)
        return 200, sortie.getvalue().encode("utf-8")

    return traiter
