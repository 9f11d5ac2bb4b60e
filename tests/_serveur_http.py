"""A small HTTP server on 127.0.0.1 for the download tests (never the internet).

It serves in-memory files with ``ETag``, ``Last-Modified``, ``Content-Length`` and byte
ranges (``Range: bytes=N-`` guarded by ``If-Range``), records every request, and can cut the
connection after a given number of bytes or ignore ``Range`` on demand. ``POST`` requests
go to a function given with :meth:`ServeurFichiers.repondre` (a fake web service).
"""

from __future__ import annotations

import hashlib
import io
import re
import socket
import threading
import zipfile
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

__all__ = ["ServeurFichiers", "port_ferme", "zip_bpe"]

_DATE = "Wed, 01 Oct 2025 08:00:00 GMT"


class _Gestionnaire(BaseHTTPRequestHandler):
    server: _Serveur

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""

    def do_GET(self) -> None:
        etat = self.server.etat
        chemin = urlsplit(self.path).path
        with etat.verrou:
            etat.requetes.append(
                {
                    "chemin": chemin,
                    "range": self.headers.get("Range"),
                    "if_range": self.headers.get("If-Range"),
                }
            )
            contenu = etat.fichiers.get(chemin)
            coupures = etat.coupures.get(chemin, [])
            coupure = coupures.pop(0) if coupures else None
        if contenu is None:
            self.send_error(404, "Not Found")
            return
        etag = '"' + hashlib.sha256(contenu).hexdigest()[:16] + '"'
        debut = 0
        plage = self.headers.get("Range")
        if plage and not etat.ignorer_range:
            trouve = re.fullmatch(r"bytes=(\d+)-", plage)
            si = self.headers.get("If-Range")
            if trouve and (si is None or si == etag):
                debut = int(trouve.group(1))
                if debut >= len(contenu):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(contenu)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
        corps = contenu[debut:]
        self.send_response(206 if debut else 200)
        if debut:
            self.send_header("Content-Range", f"bytes {debut}-{len(contenu) - 1}/{len(contenu)}")
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(corps)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", _DATE)
        if not etat.ignorer_range:
            self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if coupure is not None:
            self.wfile.write(corps[:coupure])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(corps)

    def do_POST(self) -> None:
        etat = self.server.etat
        chemin = urlsplit(self.path).path
        corps = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type_contenu = self.headers.get("Content-Type", "")
        with etat.verrou:
            etat.requetes.append(
                {"chemin": chemin, "range": None, "if_range": None, "methode": "POST"}
            )
            etat.corps.append(corps)
            traitement = etat.traitements.get(chemin)
        if traitement is None:
            self.send_error(404, "Not Found")
            return
        statut, reponse = traitement(type_contenu, corps)
        self.send_response(statut)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", str(len(reponse)))
        self.end_headers()
        self.wfile.write(reponse)


#: A fake service: (Content-Type, body of the request) -> (HTTP status, body of the answer).
Traitement = Callable[[str, bytes], tuple[int, bytes]]


class _Etat:
    def __init__(self) -> None:
        self.verrou = threading.Lock()
        self.fichiers: dict[str, bytes] = {}
        self.traitements: dict[str, Traitement] = {}
        self.corps: list[bytes] = []
        self.requetes: list[dict[str, str | None]] = []
        self.coupures: dict[str, list[int]] = {}
        self.ignorer_range = False


class _Serveur(ThreadingHTTPServer):
    daemon_threads = True
    etat: _Etat


class ServeurFichiers:
    """Serve ``fichiers`` (URL path → bytes) on 127.0.0.1 in a background thread."""

    def __init__(self) -> None:
        self._serveur = _Serveur(("127.0.0.1", 0), _Gestionnaire)
        self._serveur.etat = _Etat()
        self._fil = threading.Thread(
            target=self._serveur.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._fil.start()
        self._arrete = False

    @property
    def etat(self) -> _Etat:
        return self._serveur.etat

    @property
    def racine(self) -> str:
        hote, port = self._serveur.server_address[:2]
        return f"http://{hote!s}:{port}"

    def url(self, chemin: str) -> str:
        return self.racine + chemin

    def publier(self, chemin: str, contenu: bytes) -> str:
        """Serve ``contenu`` at ``chemin``; return its URL."""
        with self.etat.verrou:
            self.etat.fichiers[chemin] = contenu
        return self.url(chemin)

    def repondre(self, chemin: str, traitement: Traitement) -> str:
        """Answer the ``POST`` requests to ``chemin`` with ``traitement``; return its URL."""
        with self.etat.verrou:
            self.etat.traitements[chemin] = traitement
        return self.url(chemin)

    def couper(self, chemin: str, *apres_octets: int) -> None:
        """Cut the next responses for ``chemin`` after these many bytes of body."""
        with self.etat.verrou:
            self.etat.coupures[chemin] = list(apres_octets)

    def requetes(self, chemin: str | None = None) -> list[dict[str, str | None]]:
        with self.etat.verrou:
            return [r for r in self.etat.requetes if chemin is None or r["chemin"] == chemin]

    def arreter(self) -> None:
        """Stop serving (idempotent): later connections are refused."""
        if self._arrete:
            return
        self._arrete = True
        self._serveur.shutdown()
        self._serveur.server_close()
        self._fil.join(timeout=5)


def port_ferme() -> int:
    """A local TCP port with nothing listening on it (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def zip_bpe(membre: str = "BPE24.csv", lignes: int = 2500, *, entete: str | None = None) -> bytes:
    """A zip shaped like the INSEE BPE archive: one ``;`` CSV member (stored, ~150 KB)."""
    entete = entete or (
        "AN;NOMRS;DEP;DEPCOM;DCIRIS;REG;TYPEQU;LAMBERT_X;LAMBERT_Y;EPSG;QUALITE_XY;NB_EQUIP"
    )
    types = ["B207", "D265", "A206", "C108", "D307", "F101"]
    texte = io.StringIO()
    texte.write(entete + "\n")
    for i in range(lignes):
        commune = f"62{(i * 7) % 900 + 1:03d}"
        texte.write(
            f'2024;"EQUIPEMENT {i}";62;{commune};{commune}0000;32;{types[i % len(types)]};'
            f"{600000 + (i * 37) % 90000};{7000000 + (i * 53) % 90000};2154;B;1\n"
        )
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", compression=zipfile.ZIP_STORED) as archive:
        # A fixed date: the same arguments always give the same bytes.
        info = zipfile.ZipInfo(membre, date_time=(2025, 1, 1, 0, 0, 0))
        archive.writestr(info, texte.getvalue().encode("utf-8"))
    return tampon.getvalue()
