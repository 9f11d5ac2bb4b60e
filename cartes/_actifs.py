"""Local copies of the JavaScript and CSS libraries that Folium pages load from CDNs.

A Folium page loads Leaflet, jQuery, Bootstrap, Font Awesome and the Leaflet.awesome-markers
plugin from public CDNs, which many administrations (and the machines that build this
project) cannot reach. The same files are published on the npm registry: this module maps
each CDN address Folium uses to an npm package, version and file, downloads the package
tarballs once (checked against their pinned sha512 ``integrity``), and keeps the few files
the maps need under ``<cache>/assets/<package>@<version>-<hash>/``, where ``<cache>`` is
the project's cache root (:func:`socle.fichiers.racine_cache`).

The module uses the standard library and the standard-library-only modules of ``socle``,
so that ``.ci/prerequis`` can fill the cache before the project is installed::

    python3 cartes/_actifs.py            # or: accessibilite carte --preparer

The libraries themselves are never committed to the repository (licences and size).
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

if not __package__:  # run as a script: the repository root holds the foundations package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from socle.erreurs import ErreurTelechargement
from socle.fichiers import racine_cache

__all__ = [
    "PAQUETS",
    "REGISTRE_DEFAUT",
    "URLS",
    "URLS_OMISES",
    "Paquet",
    "dossier_actifs",
    "dossier_paquet",
    "lire_fichier",
    "paquets_manquants",
    "preparer",
    "registre",
]

logger = logging.getLogger(__name__)

#: The public npm registry; ``npm_config_registry`` (npm's own variable) overrides it.
REGISTRE_DEFAUT = "https://registry.npmjs.org/"


@dataclass(frozen=True)
class Paquet:
    """One npm package version and the files of it the maps need.

    Attributes
    ----------
    nom
        npm name (``"leaflet"``, ``"@fortawesome/fontawesome-free"``).
    version
        Exact version, the one Folium's CDN address names.
    integrite
        The registry's ``dist.integrity`` of the tarball (``"sha512-<base64>"``): the
        download is checked against it, and the cache folder is keyed by it.
    fichiers
        Paths inside the tarball (without the leading ``package/``) to keep.
    """

    nom: str
    version: str
    integrite: str
    fichiers: tuple[str, ...]

    @property
    def archive(self) -> str:
        """Path of the tarball on the registry, relative to its root."""
        return f"{self.nom}/-/{self.nom.rsplit('/', 1)[-1]}-{self.version}.tgz"

    @property
    def cle(self) -> str:
        """Name of the cache folder: package, version and a prefix of the tarball's hash."""
        empreinte = base64.b64decode(self.integrite.split("-", 1)[1]).hex()[:16]
        return f"{self.nom.replace('/', '+')}@{self.version}-{empreinte}"


#: The npm packages matching Folium 0.20's CDN resources (``folium.Map.default_js`` and
#: ``default_css``), with the files the pages reference (images and fonts included: the
#: stylesheets point to them and they are inlined as ``data:`` addresses).
PAQUETS: dict[str, Paquet] = {
    p.nom: p
    for p in (
        Paquet(
            "leaflet",
            "1.9.3",
            "sha512-iB2cR9vAkDOu5l3HAay2obcUHZ7xwUBBjph8+PGtmW/2lYhbLizWtG7nTeYht36WfOslixQF9D/uSIzhZgGMfQ==",
            (
                "dist/leaflet.js",
                "dist/leaflet.css",
                "dist/images/layers.png",
                "dist/images/layers-2x.png",
                "dist/images/marker-icon.png",
                "dist/images/marker-icon-2x.png",
                "dist/images/marker-shadow.png",
                "LICENSE",
            ),
        ),
        Paquet(
            "jquery",
            "3.7.1",
            "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
            ("dist/jquery.min.js", "LICENSE.txt"),
        ),
        Paquet(
            "bootstrap",
            "5.2.2",
            "sha512-dEtzMTV71n6Fhmbg4fYJzQsw1N29hJKO1js5ackCgIpDcGid2ETMGC6zwSYw09v05Y+oRdQ9loC54zB1La3hHQ==",
            ("dist/js/bootstrap.bundle.min.js", "dist/css/bootstrap.min.css", "LICENSE"),
        ),
        Paquet(
            "@fortawesome/fontawesome-free",
            "6.2.0",
            "sha512-CNR7qRIfCwWHNN7FnKUniva94edPdyQzil/zCwk3v6k4R6rR2Fr8i4s3PM7n/lyfPA6Zfko9z5WDzFxG9SW1uQ==",
            (
                "css/all.min.css",
                "webfonts/fa-brands-400.woff2",
                "webfonts/fa-regular-400.woff2",
                "webfonts/fa-solid-900.woff2",
                "webfonts/fa-v4compatibility.woff2",
                "LICENSE.txt",
            ),
        ),
        # The cdnjs "Leaflet.awesome-markers/2.0.2" files, republished on npm under this name.
        Paquet(
            "drmonty-leaflet-awesome-markers",
            "2.0.2",
            "sha512-g508pdnnHQr9l4kU6McvJzcSd0w1FvHFlZZCYc4oT+zjwYJi1qtj0fFBFEWMKoNfHK4UcBya1eccyjKfu4chjQ==",
            (
                "js/leaflet.awesome-markers.js",
                "css/leaflet.awesome-markers.css",
                "css/images/markers-soft.png",
                "css/images/markers-soft@2x.png",
                "css/images/markers-shadow.png",
                "css/images/markers-shadow@2x.png",
            ),
        ),
    )
}

#: CDN address used by Folium -> (npm package, file in the package).
URLS: dict[str, tuple[str, str]] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": ("leaflet", "dist/leaflet.js"),
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": (
        "leaflet",
        "dist/leaflet.css",
    ),
    "https://code.jquery.com/jquery-3.7.1.min.js": ("jquery", "dist/jquery.min.js"),
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": (
        "bootstrap",
        "dist/js/bootstrap.bundle.min.js",
    ),
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": (
        "bootstrap",
        "dist/css/bootstrap.min.css",
    ),
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": (
        "@fortawesome/fontawesome-free",
        "css/all.min.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": (  # noqa: E501
        "drmonty-leaflet-awesome-markers",
        "js/leaflet.awesome-markers.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": (  # noqa: E501
        "drmonty-leaflet-awesome-markers",
        "css/leaflet.awesome-markers.css",
    ),
}

#: CDN addresses Folium adds that are on no package registry and that our maps do not use:
#: they are dropped from a self-contained page (address -> reason).
URLS_OMISES: dict[str, str] = {
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": (
        "Glyphicons de Bootstrap 3.0 (icônes « glyphicon » des marqueurs folium.Icon), "
        "absentes du registre npm ; les cartes n'en utilisent pas"
    ),
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": (  # noqa: E501
        "rotation des marqueurs awesome-markers (feuille de style du dépôt GitHub de Folium), "
        "absente du registre npm ; les cartes n'en utilisent pas"
    ),
}


def dossier_actifs() -> Path:
    """Folder of the local copies: ``<cache>/assets`` (not created here)."""
    return racine_cache() / "assets"


def dossier_paquet(paquet: Paquet) -> Path:
    """Folder holding the files of ``paquet`` once prepared."""
    return dossier_actifs() / paquet.cle


def registre() -> str:
    """Base address of the npm registry (``npm_config_registry`` or the public one)."""
    adresse = (
        os.environ.get("npm_config_registry")  # noqa: SIM112 (npm's own spelling)
        or os.environ.get("NPM_CONFIG_REGISTRY")
        or REGISTRE_DEFAUT
    )
    return adresse if adresse.endswith("/") else adresse + "/"


def paquets_manquants(paquets: Mapping[str, Paquet] | None = None) -> list[Paquet]:
    """The packages whose files are not all in the cache."""
    paquets = PAQUETS if paquets is None else paquets
    return [
        p
        for p in paquets.values()
        if not all((dossier_paquet(p) / f).is_file() for f in p.fichiers)
    ]


def _telecharger(paquet: Paquet, *, delai_s: float) -> bytes:
    adresse = registre() + paquet.archive
    try:
        with urllib.request.urlopen(adresse, timeout=delai_s) as reponse:
            contenu: bytes = reponse.read()
    except (urllib.error.URLError, OSError) as exc:
        raise ErreurTelechargement(
            f"Les bibliothèques JavaScript de la carte (Leaflet, jQuery, Bootstrap…) ne sont "
            f"pas dans le cache {dossier_actifs()} et le registre npm est injoignable "
            f"({adresse} : {getattr(exc, 'reason', exc)}). Lancez « accessibilite carte "
            "--preparer » une fois sur une machine reliée à Internet (ou copiez-y ce dossier "
            "de cache), ou écrivez une carte qui charge ces bibliothèques depuis Internet "
            "(--liens-internet)."
        ) from exc
    algo, attendu = paquet.integrite.split("-", 1)
    obtenu = base64.b64encode(hashlib.new(algo, contenu).digest()).decode("ascii")
    if obtenu != attendu:
        raise ErreurTelechargement(
            f"L'archive {adresse} ne correspond pas à l'empreinte attendue ({algo}) : "
            "téléchargement corrompu ou registre npm non fiable ; réessayez ou vérifiez "
            "la variable npm_config_registry."
        )
    return contenu


def _extraire(paquet: Paquet, contenu: bytes) -> None:
    final = dossier_paquet(paquet)
    final.parent.mkdir(parents=True, exist_ok=True)
    temporaire = Path(tempfile.mkdtemp(prefix=f".{paquet.cle}.", dir=final.parent))
    try:
        with tarfile.open(fileobj=io.BytesIO(contenu), mode="r:gz") as archive:
            for fichier in paquet.fichiers:
                try:
                    membre = archive.extractfile(f"package/{fichier}")
                except KeyError:
                    membre = None
                if membre is None:
                    raise ErreurTelechargement(
                        f"Le fichier {fichier} manque dans l'archive npm {paquet.nom}@"
                        f"{paquet.version} : la table des ressources de cartes/_actifs.py "
                        "est à corriger."
                    )
                cible = temporaire / fichier
                cible.parent.mkdir(parents=True, exist_ok=True)
                cible.write_bytes(membre.read())
        if final.exists():
            shutil.rmtree(final)
        os.replace(temporaire, final)
    finally:
        if temporaire.exists():
            shutil.rmtree(temporaire, ignore_errors=True)


def preparer(*, forcer: bool = False, delai_s: float = 60.0) -> Path:
    """Download the missing libraries into the cache; return the cache folder.

    Parameters
    ----------
    forcer
        Download every package again, even those already in the cache.
    delai_s
        Network timeout of each download, in seconds.

    Raises
    ------
    ErreurTelechargement
        The registry cannot be reached or a tarball does not match its pinned hash.
    """
    a_faire = list(PAQUETS.values()) if forcer else paquets_manquants()
    for paquet in a_faire:
        logger.info("Téléchargement de %s@%s depuis %s", paquet.nom, paquet.version, registre())
        _extraire(paquet, _telecharger(paquet, delai_s=delai_s))
    return dossier_actifs()


def lire_fichier(paquet: str, fichier: str) -> bytes:
    """Content of ``fichier`` of the npm package ``paquet`` from the cache.

    Raises
    ------
    FileNotFoundError
        The file is not in the cache (call :func:`preparer` first).
    """
    return (dossier_paquet(PAQUETS[paquet]) / fichier).read_bytes()


if __name__ == "__main__":
    forcer = "--forcer" in sys.argv[1:]
    try:
        dossier = preparer(forcer=forcer)
    except OSError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        sys.exit(1)
    print(f"Bibliothèques JavaScript des cartes prêtes dans {dossier}")
