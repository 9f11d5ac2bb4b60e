"""Download manager for upstream data: streamed, resumable, checked, cached.

Every file the project fetches from the internet (the INSEE BPE archive, a Geofabrik
OpenStreetMap extract, the official commune list) goes through :func:`telecharger`:

* the body is streamed to ``<nom>.partiel`` in the cache folder, with a progress bar on a
  terminal;
* after a cut connection the partial file is kept and the next attempt (in the same call, up
  to ``tentatives`` times, or in a later call) asks only for the missing bytes with an HTTP
  ``Range`` request guarded by ``If-Range`` (the ETag or Last-Modified date of the partial
  copy): a server that ignores ranges, or a file that changed upstream in between, answers
  with the whole file and the download restarts cleanly;
* once complete, the file is checked (size announced by ``Content-Length``, size and sha256
  when known in advance, the checksum the source publishes next to the file, and a format
  check: zip member present, PBF ``OSMHeader`` block, CSV header columns, JSON parse) and only
  then renamed to its final name; a file that fails a check is deleted, never cached;
* a manifest ``<nom>.manifeste.json`` (URL, date, size, sha256, ETag, Last-Modified) is
  written atomically next to it. A later call with the same URL uses the cached file
  without any request (offline-friendly) once its sha256 matches the manifest's (a copy
  altered since is downloaded again); ``rafraichir=True`` downloads it again.

The cache folder is ``platformdirs.user_cache_dir("accessibilite")/telechargements``, or
``$ACCESSIBILITE_CACHE/telechargements`` when that variable is set.

:func:`provenance` describes a file (downloaded or local) for the outputs to cite.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import http.client
import io
import json
import logging
import os
import re
import shutil
import socket
import ssl
import struct
import sys
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

from socle.erreurs import (
    DonneesInvalides,
    DonneesManquantes,
    ErreurEcriture,
    ErreurTelechargement,
)
from socle.fichiers import VARIABLE_CACHE, ecriture_atomique, preparer_dossier, racine_cache
from socle.progression import Progression, signaler

__all__ = [
    "SOUS_DOSSIER",
    "EntreeCache",
    "Verification",
    "dossier_telechargements",
    "fichier_en_cache",
    "formater_taille",
    "lister_cache",
    "lister_partiels",
    "provenance",
    "supprimer_du_cache",
    "telecharger",
    "verifier_format",
]

logger = logging.getLogger(__name__)

#: Environment variable that moves the cache folder.
#: Sub-folder of the cache holding the downloads (other caches live beside it).
SOUS_DOSSIER = "telechargements"

_SUFFIXE_PARTIEL = ".partiel"
_SUFFIXE_META_PARTIEL = ".partiel.json"
_SUFFIXE_MANIFESTE = ".manifeste.json"
_SUFFIXE_VERROU = ".verrou"
_SUFFIXES_RESERVES = (_SUFFIXE_PARTIEL, _SUFFIXE_META_PARTIEL, _SUFFIXE_MANIFESTE, _SUFFIXE_VERROU)
_TAILLE_BLOC = 1 << 20
_AGENT = "accessibilite/0.1.0 (Python urllib; +https://pypi.org/project/accessibilite/)"
_FORMATS = ("zip", "pbf", "csv", "json")
_LONGUEURS_SOMME = {"md5": 32, "sha256": 64}

Format = Literal["zip", "pbf", "csv", "json"]


@dataclass(frozen=True)
class Verification:
    """What a downloaded file must satisfy before it enters the cache.

    Parameters
    ----------
    format
        ``"zip"`` (the archive opens; with ``membre``, it holds that member), ``"pbf"`` (an
        OpenStreetMap PBF starting with an ``OSMHeader`` block), ``"csv"`` (a text file whose
        header holds ``colonnes``), ``"json"`` (the whole file parses), or ``None``.
    membre
        For a zip: the member that must be present (a ``fnmatch`` pattern, case-insensitive,
        e.g. ``"BPE24.csv"`` or ``"*.csv"``). With ``colonnes``, its header is checked too.
    colonnes
        CSV header columns that must be present (case-insensitive, quotes and BOM ignored).
    separateur
        CSV field separator.
    taille
        Exact size in bytes, when known in advance.
    sha256, md5
        Expected checksums (hexadecimal), when known in advance.
    url_somme
        URL of a checksum file the source publishes next to the data (e.g. Geofabrik's
        ``.md5``); it is fetched after the download and its first word compared with the
        file's ``algorithme_somme``.
    algorithme_somme
        ``"md5"`` or ``"sha256"``: the algorithm of ``url_somme``.
    """

    format: Format | None = None
    membre: str | None = None
    colonnes: tuple[str, ...] = ()
    separateur: str = ";"
    taille: int | None = None
    sha256: str | None = None
    md5: str | None = None
    url_somme: str | None = None
    algorithme_somme: Literal["md5", "sha256"] = "md5"

    def __post_init__(self) -> None:
        if self.format is not None and self.format not in _FORMATS:
            raise DonneesInvalides(
                f"Format de vérification inconnu « {self.format} » : choisissez parmi "
                f"{', '.join(_FORMATS)}."
            )
        if self.algorithme_somme not in _LONGUEURS_SOMME:
            raise DonneesInvalides(
                f"Algorithme de somme inconnu « {self.algorithme_somme} » : md5 ou sha256."
            )
        for nom_algo, valeur in (("sha256", self.sha256), ("md5", self.md5)):
            if valeur is not None and not _est_hexa(valeur, _LONGUEURS_SOMME[nom_algo]):
                raise DonneesInvalides(
                    f"Somme {nom_algo} attendue invalide « {valeur} » : "
                    f"{_LONGUEURS_SOMME[nom_algo]} chiffres hexadécimaux attendus."
                )
        if self.taille is not None and self.taille < 0:
            raise DonneesInvalides(f"Taille attendue négative : {self.taille}.")
        object.__setattr__(self, "colonnes", tuple(self.colonnes))


@dataclass(frozen=True)
class EntreeCache:
    """One downloaded file of the cache and its manifest.

    Attributes
    ----------
    nom
        File name in the cache folder.
    chemin
        Full path of the cached file.
    url
        URL it was downloaded from.
    date
        Date of the download (ISO 8601, UTC).
    taille
        Size in bytes.
    sha256
        sha256 of the file (hexadecimal).
    etag, last_modified
        The server's ``ETag`` and ``Last-Modified`` headers, when sent.
    somme_publiee
        The checksum published by the source and checked, as ``"md5:<hex>"``, or ``None``.
    format
        The format that was checked (``"zip"``, ``"pbf"``...), or ``None``.
    """

    nom: str
    chemin: Path
    url: str
    date: str
    taille: int
    sha256: str
    etag: str | None = None
    last_modified: str | None = None
    somme_publiee: str | None = None
    format: str | None = None

    def en_dict(self) -> dict[str, Any]:
        """The manifest's content (JSON-serialisable)."""
        donnees = asdict(self)
        donnees["chemin"] = str(self.chemin)
        return donnees


@dataclass
class _Resultat:
    """What one successful transfer learned from the server."""

    etag: str | None = None
    last_modified: str | None = None
    total: int | None = None


class _Coupure(Exception):
    """The transfer stopped before the end (the partial file is kept)."""

    def __init__(self, recu: int, total: int | None, cause: str) -> None:
        super().__init__(cause)
        self.recu = recu
        self.total = total
        self.cause = cause


# --------------------------------------------------------------------------------------------
# Cache folder and names
# --------------------------------------------------------------------------------------------


def dossier_telechargements(dossier: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding the downloads, created if needed.

    Parameters
    ----------
    dossier
        Explicit cache root; by default the project's cache root
        (:func:`socle.fichiers.racine_cache`). The downloads go in its
        ``telechargements`` sub-folder.
    """
    return preparer_dossier(racine_cache(dossier) / SOUS_DOSSIER)


def _valider_nom(nom: str) -> str:
    if (
        not nom
        or nom in {".", ".."}
        or nom.startswith(".")
        or any(c in nom for c in "/\\:\0")
        or nom.endswith(_SUFFIXES_RESERVES)
    ):
        raise DonneesInvalides(
            f"Nom de fichier de cache invalide « {nom} » : donnez un simple nom de fichier "
            "(sans dossier), par exemple « BPE24.zip »."
        )
    return nom


def _nom_depuis_url(url: str) -> str:
    chemin = urllib.parse.urlsplit(url).path
    nom = urllib.parse.unquote(chemin.rstrip("/").rsplit("/", 1)[-1])
    if not nom:
        raise DonneesInvalides(
            f"Impossible de déduire un nom de fichier de l'adresse {url} : passez nom=..."
        )
    return _valider_nom(nom)


def _chemins(dossier: Path, nom: str) -> tuple[Path, Path, Path, Path]:
    """Final file, partial file, partial metadata, manifest."""
    return (
        dossier / nom,
        dossier / (nom + _SUFFIXE_PARTIEL),
        dossier / (nom + _SUFFIXE_META_PARTIEL),
        dossier / (nom + _SUFFIXE_MANIFESTE),
    )


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _est_hexa(texte: str, longueur: int) -> bool:
    return len(texte) == longueur and re.fullmatch(r"[0-9a-fA-F]+", texte) is not None


def formater_taille(octets: int | None) -> str:
    """Format a size in French units (``"136,3 Mo"``)."""
    if octets is None:
        return "taille inconnue"
    valeur = float(octets)
    for unite in ("o", "ko", "Mo", "Go"):
        if valeur < 1024 or unite == "Go":
            texte = f"{valeur:.0f}" if unite == "o" else f"{valeur:.1f}"
            return f"{texte.replace('.', ',')} {unite}"
        valeur /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def _maintenant() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _sommes(chemin: Path) -> tuple[str, str]:
    """sha256 and md5 of a file, in one pass."""
    sha = hashlib.sha256()
    md5 = hashlib.md5(usedforsecurity=False)
    with chemin.open("rb") as f:
        while bloc := f.read(_TAILLE_BLOC):
            sha.update(bloc)
            md5.update(bloc)
    return sha.hexdigest(), md5.hexdigest()


def _ecrire_json_atomique(chemin: Path, donnees: dict[str, Any]) -> None:
    """Write JSON to a temporary file of the same folder, then rename it."""
    with ecriture_atomique(chemin) as temporaire, open(temporaire, "w", encoding="utf-8") as f:
        json.dump(donnees, f, ensure_ascii=False, indent=2)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())


def _lire_json(chemin: Path) -> dict[str, Any] | None:
    try:
        with chemin.open(encoding="utf-8") as f:
            donnees = json.load(f)
    except (OSError, ValueError):
        return None
    return donnees if isinstance(donnees, dict) else None


def _lire_entree(manifeste: Path) -> EntreeCache | None:
    donnees = _lire_json(manifeste)
    if donnees is None:
        return None
    try:
        nom = str(donnees["nom"])
        return EntreeCache(
            nom=nom,
            chemin=manifeste.with_name(nom),
            url=str(donnees["url"]),
            date=str(donnees["date"]),
            taille=int(donnees["taille"]),
            sha256=str(donnees["sha256"]),
            etag=donnees.get("etag"),
            last_modified=donnees.get("last_modified"),
            somme_publiee=donnees.get("somme_publiee"),
            format=donnees.get("format"),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _supprimer(*chemins: Path) -> None:
    for chemin in chemins:
        with contextlib.suppress(FileNotFoundError):
            chemin.unlink()


@contextlib.contextmanager
def _verrou(chemin: Path, nom: str) -> Iterator[None]:
    """An exclusive lock so that two processes never write the same partial file."""
    with chemin.open("a+b") as f:
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise ErreurTelechargement(
                f"« {nom} » est déjà en cours de téléchargement par un autre processus : "
                "attendez qu'il se termine puis relancez la commande."
            ) from exc
        try:
            yield
        finally:
            # Removed while still held, so that no lock file is left behind (Windows refuses
            # to delete an open file: the empty lock then stays, harmlessly).
            with contextlib.suppress(OSError):
                chemin.unlink()


# --------------------------------------------------------------------------------------------
# Format checks
# --------------------------------------------------------------------------------------------


def _entete_csv(flux: IO[bytes], separateur: str) -> list[str]:
    ligne = flux.readline(1 << 16)
    texte = ligne.decode("utf-8-sig", errors="replace").strip("\r\n")
    return [c.strip().strip('"').strip().upper() for c in texte.split(separateur)]


def _verifier_colonnes(colonnes: list[str], attendues: tuple[str, ...], quoi: str) -> None:
    manquantes = [c for c in attendues if c.upper() not in colonnes]
    if manquantes:
        raise DonneesInvalides(
            f"{quoi} : colonnes {', '.join(manquantes)} absentes de l'en-tête "
            f"(trouvé : {', '.join(colonnes[:12]) or 'rien'})"
        )


def _verifier_pbf(chemin: Path) -> None:
    with chemin.open("rb") as f:
        debut = f.read(4)
        if len(debut) < 4:
            raise DonneesInvalides("fichier PBF vide ou tronqué")
        (longueur,) = struct.unpack(">I", debut)
        if not 0 < longueur <= 64 * 1024:
            raise DonneesInvalides("ce n'est pas un fichier OpenStreetMap PBF (en-tête invalide)")
        entete = f.read(longueur)
    # BlobHeader: field 1 (tag 0x0A) is the block type, a length-prefixed string.
    if len(entete) < 2 or entete[0] != 0x0A:
        raise DonneesInvalides("ce n'est pas un fichier OpenStreetMap PBF (en-tête invalide)")
    taille, position, decalage = 0, 1, 0
    while position < len(entete):
        octet = entete[position]
        taille |= (octet & 0x7F) << decalage
        position += 1
        if not octet & 0x80:
            break
        decalage += 7
    if entete[position : position + taille] != b"OSMHeader":
        raise DonneesInvalides(
            "ce n'est pas un fichier OpenStreetMap PBF (premier bloc autre que OSMHeader)"
        )


def verifier_format(chemin: str | os.PathLike[str], verification: Verification) -> None:
    """Check that a file has the expected format; raise :class:`DonneesInvalides` if not.

    Only the container and the header are read (a zip's directory and the first line of its
    member, the first block of a PBF, the first line of a CSV): the contents are the
    loaders' business.
    """
    chemin = Path(chemin)
    if verification.format == "zip":
        if not zipfile.is_zipfile(chemin):
            raise DonneesInvalides("ce n'est pas une archive zip valide")
        try:
            with zipfile.ZipFile(chemin) as archive:
                noms = [n for n in archive.namelist() if not n.endswith("/")]
                membre = None
                if verification.membre is not None:
                    motif = verification.membre.lower()
                    trouves = [
                        n for n in noms if fnmatch.fnmatchcase(n.rsplit("/", 1)[-1].lower(), motif)
                    ]
                    if not trouves:
                        raise DonneesInvalides(
                            f"l'archive ne contient pas « {verification.membre} » "
                            f"(contenu : {', '.join(noms[:8]) or 'vide'})"
                        )
                    membre = trouves[0]
                if verification.colonnes:
                    if membre is None:
                        raise DonneesInvalides(
                            "vérification des colonnes demandée sans membre de l'archive"
                        )
                    with archive.open(membre) as flux:
                        colonnes = _entete_csv(flux, verification.separateur)
                    _verifier_colonnes(colonnes, verification.colonnes, membre)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
            raise DonneesInvalides(f"archive zip illisible ({exc})") from exc
    elif verification.format == "pbf":
        _verifier_pbf(chemin)
    elif verification.format == "csv":
        with chemin.open("rb") as flux:
            colonnes = _entete_csv(flux, verification.separateur)
        if verification.colonnes:
            _verifier_colonnes(colonnes, verification.colonnes, chemin.name)
    elif verification.format == "json":
        try:
            with chemin.open("rb") as f:
                json.load(io.TextIOWrapper(f, encoding="utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise DonneesInvalides(f"JSON illisible ({exc})") from exc


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


def _hote(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


def _message_connexion(url: str, exc: BaseException) -> str:
    raison: object = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(raison, ConnectionRefusedError):
        detail = "connexion refusée"
    elif isinstance(raison, TimeoutError):
        detail = "délai d'attente dépassé"
    elif isinstance(raison, socket.gaierror):
        detail = "nom de serveur introuvable : pas d'accès à internet ?"
    elif isinstance(raison, ssl.SSLError):
        detail = (
            f"certificat HTTPS refusé : {getattr(raison, 'reason', None) or raison} ; derrière "
            "un proxy d'entreprise, indiquez son certificat avec la variable SSL_CERT_FILE"
        )
    elif isinstance(raison, OSError) and raison.strerror:
        detail = raison.strerror
    else:
        detail = str(raison)
    return f"pas de connexion à {_hote(url)} ({detail})"


def _ouvrir(url: str, entetes: dict[str, str], delai_s: float) -> http.client.HTTPResponse:
    """Open ``url``; HTTP and connection errors become :class:`ErreurTelechargement`."""
    requete = urllib.request.Request(url, headers={"User-Agent": _AGENT, **entetes})
    try:
        reponse: http.client.HTTPResponse = urllib.request.urlopen(requete, timeout=delai_s)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise ErreurTelechargement(
            f"le serveur {_hote(url)} répond HTTP {exc.code} ({exc.reason}) pour {url}"
        ) from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise ErreurTelechargement(_message_connexion(url, exc)) from exc
    return reponse


def _lire_somme_publiee(url: str, algorithme: str, delai_s: float) -> str:
    reponse = _ouvrir(url, {}, delai_s)
    with reponse:
        try:
            texte = reponse.read(4096).decode("ascii", errors="replace")
        except (OSError, http.client.HTTPException) as exc:
            raise ErreurTelechargement(_message_connexion(url, exc)) from exc
    mots = texte.split()
    somme = mots[0].lower() if mots else ""
    if not _est_hexa(somme, _LONGUEURS_SOMME[algorithme]):
        raise ErreurTelechargement(f"somme de contrôle publiée illisible à {url}")
    return somme


def _content_range(valeur: str | None) -> tuple[int, int | None] | None:
    """``"bytes 100-199/200"`` → ``(100, 200)``; total ``None`` when ``*``."""
    if not valeur:
        return None
    trouve = re.fullmatch(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*", valeur)
    if trouve is None:
        return None
    total = None if trouve.group(3) == "*" else int(trouve.group(3))
    return int(trouve.group(1)), total


def _transferer(
    url: str,
    partiel: Path,
    meta_partiel: Path,
    *,
    nom: str,
    delai_s: float,
    progression: Progression | None,
) -> _Resultat:
    """One attempt: fetch what is missing of ``partiel`` (all of it when nothing is there)."""
    deja = partiel.stat().st_size if partiel.exists() else 0
    validateur = None
    if deja:
        meta = _lire_json(meta_partiel) or {}
        if meta.get("url") == url:
            validateur = meta.get("etag") or meta.get("last_modified")
        if not validateur:
            # Without a validator the server cannot tell us whether the bytes we hold
            # still belong to the same file: start again.
            _supprimer(partiel, meta_partiel)
            deja = 0
    entetes = {"Accept-Encoding": "identity"}
    if deja:
        entetes["Range"] = f"bytes={deja}-"
        entetes["If-Range"] = str(validateur)
    try:
        reponse = _ouvrir(url, entetes, delai_s)
    except ErreurTelechargement as exc:
        cause = exc.__cause__
        if deja and isinstance(cause, urllib.error.HTTPError) and cause.code == 416:
            # Range not satisfiable: our partial copy is not a prefix of the file.
            _supprimer(partiel, meta_partiel)
            return _transferer(
                url, partiel, meta_partiel, nom=nom, delai_s=delai_s, progression=progression
            )
        raise

    with reponse:
        etag = reponse.headers.get("ETag")
        last_modified = reponse.headers.get("Last-Modified")
        longueur_texte = reponse.headers.get("Content-Length")
        longueur = int(longueur_texte) if longueur_texte and longueur_texte.isdigit() else None
        if reponse.status == 206 and deja:
            plage = _content_range(reponse.headers.get("Content-Range"))
            if plage is None or plage[0] != deja:
                _supprimer(partiel, meta_partiel)
                raise _Coupure(0, None, "réponse partielle incohérente du serveur")
            total = (
                plage[1]
                if plage[1] is not None
                else (deja + longueur if longueur is not None else None)
            )
            mode = "ab"
            logger.info("Reprise de %s à %s.", nom, formater_taille(deja))
        else:
            if deja:
                logger.info("Le serveur renvoie %s en entier : téléchargement repris à zéro.", nom)
            deja = 0
            total = longueur
            mode = "wb"
        _ecrire_json_atomique(
            meta_partiel,
            {"url": url, "etag": etag, "last_modified": last_modified, "total": total},
        )
        if total is not None:
            libre = shutil.disk_usage(partiel.parent).free
            if total - deja > libre:
                raise ErreurEcriture(
                    f"Espace disque insuffisant pour « {nom} » ({formater_taille(total)} ; "
                    f"libre : {formater_taille(libre)}) dans {partiel.parent} : libérez de la "
                    f"place ou déplacez le cache avec la variable {VARIABLE_CACHE}."
                )
        recu = deja
        etape = f"Téléchargement de {nom}"
        signaler(progression, etape, recu, total, unite="o")
        with partiel.open(mode) as sortie:
            while True:
                try:
                    bloc = reponse.read(_TAILLE_BLOC)
                except (http.client.HTTPException, OSError) as exc:
                    raise _Coupure(recu, total, type(exc).__name__) from exc
                if not bloc:
                    break
                try:
                    sortie.write(bloc)
                except OSError as exc:
                    raise ErreurEcriture(
                        f"Écriture impossible de « {nom} » dans {partiel.parent} "
                        f"({exc.strerror or exc}) : libérez de la place ou déplacez le cache "
                        f"avec la variable {VARIABLE_CACHE}."
                    ) from exc
                recu += len(bloc)
                signaler(progression, etape, recu, total, unite="o")
    if total is not None and recu < total:
        raise _Coupure(recu, total, "connexion fermée avant la fin")
    return _Resultat(etag=etag, last_modified=last_modified, total=total)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def _entree_valide(
    dossier: Path, nom: str, url: str | None, *, contenu: bool = True
) -> EntreeCache | None:
    """The cached file ``nom`` and its manifest, when they agree.

    With ``contenu`` (the default), the file's sha256 is computed and compared with the
    manifest's: a copy altered since it was downloaded (edited, damaged, replaced with a
    file of the same size) is not used. Without it, only the size is compared (listing).
    """
    final, _, _, manifeste = _chemins(dossier, nom)
    if not final.is_file():
        return None
    entree = _lire_entree(manifeste)
    if entree is None or entree.nom != nom or (url is not None and entree.url != url):
        return None
    if entree.taille != final.stat().st_size:
        return None
    if contenu and _sommes(final)[0] != entree.sha256.lower():
        logger.warning(
            "%s : la copie en cache a changé depuis son téléchargement du %s (sha256 différent "
            "de celui du manifeste) : elle n'est pas utilisée.",
            nom,
            entree.date,
        )
        return None
    return EntreeCache(**{**asdict(entree), "chemin": final})


def fichier_en_cache(
    url: str | None = None,
    *,
    nom: str | None = None,
    dossier: str | os.PathLike[str] | None = None,
) -> Path | None:
    """The cached copy of ``url`` (or of the file ``nom``), or ``None`` when absent.

    A file counts as cached when its manifest exists, names the same URL (when ``url`` is
    given), the same size and the same sha256 (computed). No request is made.
    """
    if nom is None:
        if url is None:
            raise DonneesInvalides("Donnez l'adresse ou le nom du fichier recherché.")
        nom = _nom_depuis_url(url)
    entree = _entree_valide(dossier_telechargements(dossier), _valider_nom(nom), url)
    return entree.chemin if entree is not None else None


def telecharger(
    url: str,
    *,
    nom: str | None = None,
    verification: Verification | None = None,
    rafraichir: bool = False,
    conseil: str | None = None,
    progression: Progression | None = None,
    tentatives: int = 3,
    delai_s: float = 60.0,
    dossier: str | os.PathLike[str] | None = None,
) -> Path:
    """Download ``url`` into the cache (or reuse the cached copy) and return its path.

    Parameters
    ----------
    url
        Address of the file (``http``, ``https``).
    nom
        File name in the cache; by default the last segment of the URL.
    verification
        Checks the file must pass before it is cached (see :class:`Verification`).
    rafraichir
        Download again even when a cached copy exists (the old copy stays in place until
        the new one is complete and checked).
    conseil
        A French sentence appended to every error message, naming the local alternative
        (e.g. ``"passez une copie locale avec --bpe FICHIER"``).
    progression
        Progress callback (bytes received of the file's size), e.g.
        :class:`socle.progression.Barres`; ``None``: silent.
    tentatives
        Number of transfers tried, each resuming where the previous one stopped.
    delai_s
        Network timeout in seconds (connection and each read).
    dossier
        Cache root (default: :func:`dossier_telechargements`).

    Returns
    -------
    pathlib.Path
        The checked file in the cache.

    Raises
    ------
    ErreurTelechargement
        Offline, HTTP error, interrupted transfer, or a file that fails a check (it is then
        deleted). The message is one French line.
    ErreurEcriture
        The cache folder is not writable or the disk is full.
    """
    verification = verification or Verification()
    nom = _valider_nom(nom) if nom is not None else _nom_depuis_url(url)
    schema = urllib.parse.urlsplit(url).scheme.lower()
    if schema not in {"http", "https"}:
        raise DonneesInvalides(f"Adresse non prise en charge (http ou https attendu) : {url}")
    if tentatives < 1:
        raise DonneesInvalides(f"tentatives doit valoir au moins 1 (reçu {tentatives}).")
    fin = f" {conseil.strip()}" if conseil else ""
    rep = dossier_telechargements(dossier)
    final, partiel, meta_partiel, manifeste = _chemins(rep, nom)

    if not rafraichir:
        entree = _entree_valide(rep, nom, url)
        if entree is not None:
            logger.info("%s : copie en cache du %s utilisée (%s).", nom, entree.date, final)
            return final

    with _verrou(rep / (nom + _SUFFIXE_VERROU), nom):
        logger.info("Téléchargement de %s depuis %s.", nom, url)
        resultat: _Resultat | None = None
        derniere: _Coupure | None = None
        for numero in range(tentatives):
            try:
                resultat = _transferer(
                    url, partiel, meta_partiel, nom=nom, delai_s=delai_s, progression=progression
                )
                break
            except _Coupure as exc:
                derniere = exc
                logger.warning(
                    "Téléchargement de %s interrompu à %s (%s) : tentative %d sur %d.",
                    nom,
                    formater_taille(exc.recu),
                    exc.cause,
                    numero + 1,
                    tentatives,
                )
            except ErreurTelechargement as exc:
                raise ErreurTelechargement(
                    f"Téléchargement de « {nom} » impossible : {exc}.{fin}"
                ) from exc
        if resultat is None:
            recu = derniere.recu if derniere is not None else 0
            total = derniere.total if derniere is not None else None
            sur = f" sur {formater_taille(total)}" if total else ""
            raise ErreurTelechargement(
                f"Téléchargement de « {nom} » interrompu après {formater_taille(recu)}"
                f"{sur} ({tentatives} tentative{'s' if tentatives > 1 else ''}) : relancez la "
                f"même commande, il reprendra là où il s'est arrêté.{fin}"
            )

        try:
            somme_publiee, sha256 = _verifier(
                partiel, url, resultat, verification, nom=nom, delai_s=delai_s
            )
        except DonneesInvalides as exc:
            _supprimer(partiel, meta_partiel)
            raise ErreurTelechargement(
                f"Le fichier téléchargé « {nom} » depuis {url} est rejeté : {exc} ; il n'a "
                f"pas été mis en cache. Relancez la commande ; si l'erreur persiste, la "
                f"source a peut-être changé de format.{fin}"
            ) from exc
        except ErreurTelechargement as exc:
            # The checksum file could not be fetched: keep the data for the next attempt.
            raise ErreurTelechargement(
                f"Vérification de « {nom} » impossible : {exc}.{fin}"
            ) from exc

        entree = EntreeCache(
            nom=nom,
            chemin=final,
            url=url,
            date=_maintenant(),
            taille=partiel.stat().st_size,
            sha256=sha256,
            etag=resultat.etag,
            last_modified=resultat.last_modified,
            somme_publiee=somme_publiee,
            format=verification.format,
        )
        # Drop the old manifest first: a crash between the two steps leaves a file without
        # manifest (downloaded again next time), never a manifest describing another file.
        _supprimer(manifeste)
        os.replace(partiel, final)
        _ecrire_json_atomique(manifeste, entree.en_dict())
        _supprimer(meta_partiel)
    logger.info("%s téléchargé (%s) : %s", nom, formater_taille(entree.taille), final)
    return final


def _verifier(
    partiel: Path,
    url: str,
    resultat: _Resultat,
    verification: Verification,
    *,
    nom: str,
    delai_s: float,
) -> tuple[str | None, str]:
    """Run every check on the complete partial file.

    Returns the published checksum (``"md5:<hex>"`` or ``None``) and the file's sha256.
    Raises :class:`DonneesInvalides` for a bad file, :class:`ErreurTelechargement` when the
    published checksum cannot be fetched.
    """
    taille = partiel.stat().st_size
    if resultat.total is not None and taille != resultat.total:
        raise DonneesInvalides(
            f"taille {taille} octets au lieu des {resultat.total} annoncés par le serveur"
        )
    if verification.taille is not None and taille != verification.taille:
        raise DonneesInvalides(f"taille {taille} octets au lieu de {verification.taille} attendus")
    sha256, md5 = _sommes(partiel)
    calculees = {"sha256": sha256, "md5": md5}
    if verification.sha256 is not None and sha256 != verification.sha256.lower():
        raise DonneesInvalides("somme sha256 différente de celle attendue")
    if verification.md5 is not None and md5 != verification.md5.lower():
        raise DonneesInvalides("somme md5 différente de celle attendue")
    publiee = None
    if verification.url_somme is not None:
        algorithme = verification.algorithme_somme
        attendue = _lire_somme_publiee(verification.url_somme, algorithme, delai_s)
        if calculees[algorithme] != attendue:
            raise DonneesInvalides(
                f"somme {algorithme} différente de celle publiée ({verification.url_somme} ; "
                "le fichier a peut-être été mis à jour pendant le téléchargement)"
            )
        publiee = f"{algorithme}:{attendue}"
    verifier_format(partiel, verification)
    logger.info("%s vérifié (sha256 %s).", nom, sha256)
    return publiee, sha256


def lister_cache(dossier: str | os.PathLike[str] | None = None) -> list[EntreeCache]:
    """Every complete file of the cache with its manifest, sorted by name.

    Files are listed on their size; their sha256 is checked when they are used
    (:func:`telecharger`, :func:`fichier_en_cache`, :func:`provenance`).
    """
    rep = dossier_telechargements(dossier)
    entrees = []
    for manifeste in sorted(rep.glob("*" + _SUFFIXE_MANIFESTE)):
        nom = manifeste.name[: -len(_SUFFIXE_MANIFESTE)]
        entree = _entree_valide(rep, nom, None, contenu=False)
        if entree is not None:
            entrees.append(entree)
    return entrees


def lister_partiels(dossier: str | os.PathLike[str] | None = None) -> list[tuple[str, int]]:
    """Interrupted downloads waiting to be resumed: ``(name, bytes received)``."""
    rep = dossier_telechargements(dossier)
    return [
        (p.name[: -len(_SUFFIXE_PARTIEL)], p.stat().st_size)
        for p in sorted(rep.glob("*" + _SUFFIXE_PARTIEL))
    ]


def supprimer_du_cache(
    noms: list[str] | None = None, *, dossier: str | os.PathLike[str] | None = None
) -> int:
    """Delete cached files (all of them when ``noms`` is ``None``); return how many.

    The manifests, partial files and locks of those names go too.
    """
    rep = dossier_telechargements(dossier)
    if noms is None:
        cibles = set()
        for fichier in rep.iterdir():
            if fichier.name.startswith(".") and fichier.name.endswith(".tmp"):
                _supprimer(fichier)  # leftover of an interrupted atomic write
                continue
            suffixe = next((s for s in _SUFFIXES_RESERVES if fichier.name.endswith(s)), "")
            if fichier.is_file() and not fichier.name.startswith("."):
                cibles.add(fichier.name[: len(fichier.name) - len(suffixe)])
    else:
        cibles = {_valider_nom(n) for n in noms}
        inconnus = sorted(
            n
            for n in cibles
            if not any((rep / (n + s)).exists() for s in ("", *_SUFFIXES_RESERVES))
        )
        if inconnus:
            raise DonneesManquantes(
                f"Pas de fichier « {', '.join(inconnus)} » dans le cache {rep} : "
                "« accessibilite donnees liste » montre son contenu."
            )
    compte = 0
    for nom in sorted(cibles):
        final, partiel, meta_partiel, manifeste = _chemins(rep, nom)
        compte += int(final.exists() or partiel.exists())
        _supprimer(manifeste, final, partiel, meta_partiel, rep / (nom + _SUFFIXE_VERROU))
    return compte


def provenance(chemin: str | os.PathLike[str]) -> dict[str, Any]:
    """Describe an input file for the outputs to cite.

    A file of the download cache is described by its manifest (``nom``, ``url``, ``date``
    of the download, ``taille``, ``sha256``); any other file (a local copy passed with
    ``--bpe`` or ``--pbf``) by ``nom``, ``fichier`` (absolute path), ``date`` (modification
    time, UTC), ``taille`` and ``sha256`` (computed).
    """
    p = Path(chemin)
    if not p.is_file():
        raise DonneesManquantes(f"Fichier introuvable : {p}.")
    entree = _lire_entree(p.with_name(p.name + _SUFFIXE_MANIFESTE))
    stat = p.stat()
    sha256, _ = _sommes(p)
    if entree is not None and entree.nom == p.name and entree.taille == stat.st_size:
        if entree.sha256.lower() == sha256:
            return {
                "nom": entree.nom,
                "url": entree.url,
                "date": entree.date,
                "taille": entree.taille,
                "sha256": entree.sha256,
            }
        # the outputs must not certify the download for a file changed since
        logger.warning(
            "%s a changé depuis son téléchargement (sha256 différent du manifeste) : décrit "
            "comme un fichier local.",
            p.name,
        )
    return {
        "nom": p.name,
        "fichier": str(p.resolve()),
        "date": datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds"),
        "taille": stat.st_size,
        "sha256": sha256,
    }
