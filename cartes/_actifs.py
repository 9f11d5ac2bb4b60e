"""Local copies of the JavaScript and CSS libraries that Folium pages load from CDNs.

A Folium page loads Leaflet, jQuery, Bootstrap, Font Awesome and the Leaflet.awesome-markers
plugin from public CDNs, which many administrations (and the machines that build this
project) cannot reach. The same files are published on the npm registry: this module maps
each CDN address Folium uses to an npm package, version and file, downloads the package
tarballs once (checked against their pinned sha512 ``integrity``), and keeps the few files
the maps need under ``<cache>/assets/<package>@<version>-<hash>/``, where ``<cache>`` is
the project's cache root (:func:`socle.fichiers.racine_cache`). Each file is pinned too
(its own sha512, from the same tarballs) and checked every time it is read: a cache
altered since (by hand, or a poisoned shared cache) is never inlined into a map.

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

from socle.erreurs import CacheCorrompu, ErreurTelechargement
from socle.fichiers import racine_cache

__all__ = [
    "PAQUETS",
    "REGISTRE_DEFAUT",
    "URLS",
    "URLS_OMISES",
    "Paquet",
    "dossier_actifs",
    "dossier_paquet",
    "fichier_intact",
    "integrite",
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
        ``(path, integrity)`` of each file to keep: its path inside the tarball (without
        the leading ``package/``) and its own ``"sha512-<base64>"``, checked each time the
        file is read from the cache (a cache shared between users could have been
        altered since the tarball was checked).
    """

    nom: str
    version: str
    integrite: str
    fichiers: tuple[tuple[str, str], ...]

    @property
    def archive(self) -> str:
        """Path of the tarball on the registry, relative to its root."""
        return f"{self.nom}/-/{self.nom.rsplit('/', 1)[-1]}-{self.version}.tgz"

    @property
    def cle(self) -> str:
        """Name of the cache folder: package, version and a prefix of the tarball's hash."""
        empreinte = base64.b64decode(self.integrite.split("-", 1)[1]).hex()[:16]
        return f"{self.nom.replace('/', '+')}@{self.version}-{empreinte}"

    @property
    def noms(self) -> tuple[str, ...]:
        """Paths of the files kept, in the tarball."""
        return tuple(nom for nom, _ in self.fichiers)

    def empreinte(self, fichier: str) -> str | None:
        """The pinned integrity of ``fichier``, or ``None`` when it is not one of ours."""
        return dict(self.fichiers).get(fichier)


def integrite(contenu: bytes, algorithme: str = "sha512") -> str:
    """Subresource-integrity string of ``contenu`` (``"sha512-<base64>"``), as npm's."""
    empreinte = base64.b64encode(hashlib.new(algorithme, contenu).digest()).decode("ascii")
    return f"{algorithme}-{empreinte}"


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
                (
                    "dist/leaflet.js",
                    "sha512-Dqm3h1Y4qiHUjbhxTuBGQsza0Tfppn53SHlu/uj1f+RT+xfShfe7r6czRf5r2NmllO2aKx+tYJgoxboOkn1Scg==",
                ),
                (
                    "dist/leaflet.css",
                    "sha512-mD70nAW2ThLsWH0zif8JPbfraZ8hbCtjQ+5RU1m4+ztZq6/MymyZeB55pWsi4YAX+73yvcaJyk61mzfYMvtm9w==",
                ),
                (
                    "dist/images/layers.png",
                    "sha512-fiNQ+p+Hucnpme6aZE4p8sasWTEKZ+NHfMYFFB6iAKLnBchibbVjonNfzQ1oDvrUrHyUhMZ21mX2mXerZ75SlA==",
                ),
                (
                    "dist/images/layers-2x.png",
                    "sha512-hNAodifp1Ry/svijkD1I40XLbWRVgcmPlAHS1flHXTRfJfiB0vYr0CvmvTj5+fsDaZoFdJLj9ebqc0p8ivo3YQ==",
                ),
                (
                    "dist/images/marker-icon.png",
                    "sha512-yPlkcjmYXJ64J3Qezl0UOLFOcb0tv2CGxrh/VS4DLkMYVxTNS3NqmlN0arcwqIFT3DQhf1hNX9J3mDhVJSgGXg==",
                ),
                (
                    "dist/images/marker-icon-2x.png",
                    "sha512-42CPcqEvbm4mZG4S0XZoeUvk8DVDB9CkduQiBtCobs7PXxnXvLo1VinsHnKoHlBE2tewpQ/DrHxrfpwoObrTeg==",
                ),
                (
                    "dist/images/marker-shadow.png",
                    "sha512-X1pHFYbKAjHrz3ZFNrzAlr2V0U7Mu6x7Jm6iOwvL3odWugyVNshfWaxrGxpya5Pp3WVagBIAMb2lduq3w8y27g==",
                ),
                (
                    "LICENSE",
                    "sha512-SdxL7Fyjr8UnIMPxrxXizBzC8NZv2DVdcRzmzpdorirU4xh8uDDcV9IJYjLIcFCjiNcra/3q7HnBHQ05GYu5Hw==",
                ),
            ),
        ),
        Paquet(
            "jquery",
            "3.7.1",
            "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
            (
                (
                    "dist/jquery.min.js",
                    "sha512-v2CJ7UaYy4JwqLDIrZUI/4hqeoQieOmAZNXBeQyjo21dadnwR+8ZaIJVT8EE2iyI61OV8e6M8PP2/4hpQINQ/g==",
                ),
                (
                    "LICENSE.txt",
                    "sha512-I//WQZK/IcsrwOx5Z5e2wHu5wBE6DS0Z9u8OX1Tp4AQuMICytxU4jfKhjFRTO7gyyS6bmB1zp+vC8PsvIR49GA==",
                ),
            ),
        ),
        Paquet(
            "bootstrap",
            "5.2.2",
            "sha512-dEtzMTV71n6Fhmbg4fYJzQsw1N29hJKO1js5ackCgIpDcGid2ETMGC6zwSYw09v05Y+oRdQ9loC54zB1La3hHQ==",
            (
                (
                    "dist/js/bootstrap.bundle.min.js",
                    "sha512-BOsvKbLb0dB1IVplOL9ptU1EYA+LuCKEluZWRUYG73hxqNBU85JBIBhPGwhQl7O633KtkjMv8lvxZcWP+N3V3w==",
                ),
                (
                    "dist/css/bootstrap.min.css",
                    "sha512-CpIKUSyh9QX2+zSdfGP+eWLx23C8Dj9/XmHjZY2uDtfkdLGo0uY12jgcnkX9vXOgYajEKb/jiw67EYm+kBf+6g==",
                ),
                (
                    "LICENSE",
                    "sha512-RA7lmrpfCKgUYhygPKYCv9xow6ujAOZ4IGAzyRxfLWu4w6Pxqc76LL1Ug21NaXY5z1Ei6sOE5Y7dBXgJOgYrQw==",
                ),
            ),
        ),
        Paquet(
            "@fortawesome/fontawesome-free",
            "6.2.0",
            "sha512-CNR7qRIfCwWHNN7FnKUniva94edPdyQzil/zCwk3v6k4R6rR2Fr8i4s3PM7n/lyfPA6Zfko9z5WDzFxG9SW1uQ==",
            (
                (
                    "css/all.min.css",
                    "sha512-xh6O/CkQoPOWDdYTDqeRdPCVd1SpvCA9XXcUnZS2FmJNp1coAFzvtCN9BmamE+4aHK8yyUHUSCcJHgXloTyT2A==",
                ),
                (
                    "webfonts/fa-brands-400.woff2",
                    "sha512-vuMc0ColiFybsOjqsmioNqqA77/YL3JGUtrjKmjFYHjl0Gm3+0R+MEMv7l+UVk9uB2hbVoSW/8rbB+0MUfMFzg==",
                ),
                (
                    "webfonts/fa-regular-400.woff2",
                    "sha512-WK7FrqlF88eTmAJUYoFK5aiEaYLUkiWnIyYObZEqrj4gOGHNJV/YPBV/x5UOvL9+RgnCE/Jxgz9UC4xJpsIm0Q==",
                ),
                (
                    "webfonts/fa-solid-900.woff2",
                    "sha512-N0fr6ZQbaOEif/ldXedrwqIy7k+5dbpXBAUMkNUXGG5ae7qiM1d06gTHWieIEZOfUHh1qopwpE/CynZ1mDQmRQ==",
                ),
                (
                    "webfonts/fa-v4compatibility.woff2",
                    "sha512-ILUsq7T3yEIewonAeThsd2aHLKhdxg7NkueLWl8SgvMN+VXee1fAW/X5VDG1vUY4GPZdNbI7KJLVanwv4gsFdQ==",
                ),
                (
                    "LICENSE.txt",
                    "sha512-B9iC4FekxhyYRf5QXvOAxYx93+HkJGqlkW+6t8K8nJCQEOP2QMcAPHAG/DxLB08U21jH+5Ya0QhTSmzCIAVmhQ==",
                ),
            ),
        ),
        # The cdnjs "Leaflet.awesome-markers/2.0.2" files, republished on npm under this name.
        Paquet(
            "drmonty-leaflet-awesome-markers",
            "2.0.2",
            "sha512-g508pdnnHQr9l4kU6McvJzcSd0w1FvHFlZZCYc4oT+zjwYJi1qtj0fFBFEWMKoNfHK4UcBya1eccyjKfu4chjQ==",
            (
                (
                    "js/leaflet.awesome-markers.js",
                    "sha512-Oj9plGLST4IMXFXDfqMdTP+gSInbodkyno117PSjo5R08eu6TdzY9WPnnwQZGx2O2lG/kN0MzQk95ulWsRFuLA==",
                ),
                (
                    "css/leaflet.awesome-markers.css",
                    "sha512-cUoWMYmv4H9TGP4hbm1mIjYo90WzIQFo/5jj+P5tQcDTf+iVR59RyIj/a9fRsBxzxt5Dnv/Ex7MzRIxcDwaOLw==",
                ),
                (
                    "css/images/markers-soft.png",
                    "sha512-+WQgtovzcUV//Gpk+z+9TzfGIQv0ihgsEYHQCAqClO5v1qtviFBcIRn8FNDKK9H0x/dWFAQ/rBBMlCmZaQ0Fmw==",
                ),
                (
                    "css/images/markers-soft@2x.png",
                    "sha512-iQ5m1KGgnV9N2lPLUJznpG5KETHMVTq5xXoeyhEuNNpvcaMDntgUsxzj1S+Dz5UH3iNbpuBRog+Ju9uZSnZKfg==",
                ),
                (
                    "css/images/markers-shadow.png",
                    "sha512-dO5w+StrjR2JLjeGiL1b8pXTn3aBd9TEEGe8P2MQElyF03TTpExJvCMH4fptTuN9cgfUQsLXuM+ffQ1jifQfBA==",
                ),
                (
                    "css/images/markers-shadow@2x.png",
                    "sha512-O6fn7lJnoFtf30dKPFFizHUhU0iH9qSaMCbz87jZIHwYPnp7cPBQ+bAC6+6JI8HWGe7jkgq+IvPuZzZdXptIBA==",
                ),
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


def fichier_intact(paquet: Paquet, fichier: str) -> bool:
    """True when ``fichier`` of ``paquet`` is in the cache with its pinned hash."""
    attendue = paquet.empreinte(fichier)
    if attendue is None:
        return False
    try:
        contenu = (dossier_paquet(paquet) / fichier).read_bytes()
    except OSError:
        return False
    return integrite(contenu, attendue.split("-", 1)[0]) == attendue


def paquets_manquants(paquets: Mapping[str, Paquet] | None = None) -> list[Paquet]:
    """The packages whose files are not all in the cache, intact (pinned sha512)."""
    paquets = PAQUETS if paquets is None else paquets
    manquants = []
    for p in paquets.values():
        presents = [f for f in p.noms if (dossier_paquet(p) / f).is_file()]
        alteres = [f for f in presents if not fichier_intact(p, f)]
        if alteres:
            logger.warning(
                "Copie locale de %s@%s modifiée depuis son téléchargement (%s : empreinte "
                "sha512 différente de celle du paquet npm) : elle ne sera pas utilisée.",
                p.nom,
                p.version,
                ", ".join(alteres),
            )
        if alteres or len(presents) < len(p.noms):
            manquants.append(p)
    return manquants


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
    algo = paquet.integrite.split("-", 1)[0]
    if integrite(contenu, algo) != paquet.integrite:
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
            for fichier, attendue in paquet.fichiers:
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
                contenu = membre.read()
                if integrite(contenu, attendue.split("-", 1)[0]) != attendue:
                    raise ErreurTelechargement(
                        f"Le fichier {fichier} de l'archive npm {paquet.nom}@{paquet.version} "
                        "ne correspond pas à son empreinte : la table des ressources de "
                        "cartes/_actifs.py est à corriger."
                    )
                cible = temporaire / fichier
                cible.parent.mkdir(parents=True, exist_ok=True)
                cible.write_bytes(contenu)
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
    """Content of ``fichier`` of the npm package ``paquet`` from the cache, checked.

    Only the files listed in :data:`PAQUETS` are ever read (never a path a stylesheet
    names), and each is checked against its pinned sha512 first.

    Raises
    ------
    FileNotFoundError
        The file is not one of the package's listed files, or not in the cache (call
        :func:`preparer` first).
    CacheCorrompu
        The cached copy differs from the published file (altered cache).
    """
    p = PAQUETS[paquet]
    attendue = p.empreinte(fichier)
    if attendue is None:
        raise FileNotFoundError(f"{fichier} n'est pas un fichier retenu de {paquet}")
    contenu = (dossier_paquet(p) / fichier).read_bytes()
    if integrite(contenu, attendue.split("-", 1)[0]) != attendue:
        raise CacheCorrompu(
            f"La copie locale de {fichier} ({paquet}@{p.version}, dans {dossier_paquet(p)}) "
            "a été modifiée depuis son téléchargement : elle n'est pas embarquée. Relancez "
            "« accessibilite carte --preparer » (ou videz ce dossier)."
        )
    return contenu


if __name__ == "__main__":
    forcer = "--forcer" in sys.argv[1:]
    try:
        dossier = preparer(forcer=forcer)
    except OSError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        sys.exit(1)
    print(f"Bibliothèques JavaScript des cartes prêtes dans {dossier}")
