"""Self-contained HTML: Folium's CDN scripts and stylesheets replaced by inline copies.

:func:`html_autonome` takes the HTML Folium renders and replaces every ``<script src>`` and
``<link rel="stylesheet">`` pointing to a CDN by the same file, read from the local asset
cache (:mod:`cartes._actifs`), with the images and fonts the stylesheets use inlined as
``data:`` addresses. The page then opens with no network at all.

Nothing but the pinned files of the packages of :mod:`cartes._actifs` is ever inlined: each
is checked against its sha512 when read, and a ``url(...)`` of a stylesheet that names any
other file (a path of the user's disk) becomes an empty address.
"""

from __future__ import annotations

import base64
import logging
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cartes import _actifs
from socle.erreurs import DonneesInvalides, ErreurTelechargement

__all__ = ["html_autonome", "preparer_ressources", "rendre_html", "ressources_pretes"]

logger = logging.getLogger(__name__)

_SCRIPT = re.compile(r'<script\s+src="(?P<url>[^"]+)"\s*>\s*</script>')
_FEUILLE = re.compile(r'<link\s+rel="stylesheet"\s+href="(?P<url>[^"]+)"\s*/?>')
_URL_CSS = re.compile(r"url\((?P<guillemet>['\"]?)(?P<cible>[^'\")]+)(?P=guillemet)\)")
_SOURCE_MAP = re.compile(r"^\s*(//# sourceMappingURL=\S+|/\*# sourceMappingURL=\S+ \*/)\s*$", re.M)
# Font Awesome declares each font as woff2 then truetype: the woff2 copy is enough for
# every browser able to run Leaflet 1.9.
_POLICE_TTF = re.compile(r",\s*url\([^)]*\.ttf\)\s*format\([\"']truetype[\"']\)")
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")

_TYPES = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".gif": "image/gif",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}

# Leaflet finds its default marker images through a path read from its stylesheet; with
# inlined images there is no such path, so the images are given to it directly.
_ICONES_LEAFLET = """
L.Icon.Default.imagePath = "";
L.Icon.Default.mergeOptions({{iconUrl: "{icone}", iconRetinaUrl: "{icone2x}",
  shadowUrl: "{ombre}"}});
"""


def ressources_pretes() -> bool:
    """True when every library of the maps is in the local asset cache."""
    return not _actifs.paquets_manquants()


def preparer_ressources(*, forcer: bool = False) -> Path:
    """Download once the JavaScript/CSS libraries of the maps into the asset cache.

    The files come from the npm registry (``npm_config_registry`` overrides its address),
    are checked against pinned sha512 hashes and kept under
    ``<cache>/assets`` (``ACCESSIBILITE_CACHE`` overrides ``<cache>``).

    Parameters
    ----------
    forcer
        Download them again even if present.

    Returns
    -------
    Path
        The asset folder.

    Raises
    ------
    ErreurTelechargement
        The registry cannot be reached (no cache and no network) or a file is corrupt.
    """
    dossier = _actifs.preparer(forcer=forcer)
    return dossier


def _data_uri(contenu: bytes, nom: str) -> str:
    type_mime = _TYPES.get(Path(nom).suffix.lower(), "application/octet-stream")
    return f"data:{type_mime};base64,{base64.b64encode(contenu).decode('ascii')}"


def _premiere_declaration() -> Callable[[re.Match[str]], str]:
    """Keep only the first ``@font-face`` of each font file.

    Font Awesome 6 declares each font again under its version 4 and 5 family names, for
    older style sheets; inlined, each alias would repeat the whole font. Folium's markers
    use the version 6 names.
    """
    vues: set[str] = set()

    def garder(m: re.Match[str]) -> str:
        fichiers = frozenset(c.group("cible") for c in _URL_CSS.finditer(m.group(0)))
        if fichiers and fichiers <= vues:
            return ""
        vues.update(fichiers)
        return m.group(0)

    return garder


def _css_autonome(paquet: str, fichier: str) -> str:
    texte = _actifs.lire_fichier(paquet, fichier).decode("utf-8")
    texte = _SOURCE_MAP.sub("", texte)
    texte = _POLICE_TTF.sub("", texte)
    texte = _FONT_FACE.sub(_premiere_declaration(), texte)
    base = posixpath.dirname(fichier)

    def remplacer(m: re.Match[str]) -> str:
        cible = m.group("cible")
        if cible.startswith(("data:", "#")):
            return m.group(0)
        chemin = posixpath.normpath(posixpath.join(base, cible.split("?")[0].split("#")[0]))
        if chemin not in _actifs.PAQUETS[paquet].noms:
            # only the package's own pinned files are ever embedded: never a path the
            # stylesheet names (an absolute path, ../.., a file of the user's disk), nor a
            # file the maps never display (e.g. a font format we drop). An empty address
            # keeps the browser from requesting a relative file that does not exist.
            logger.debug("Ressource %s de %s non embarquée", cible, paquet)
            return "url(data:,)"
        contenu = _actifs.lire_fichier(paquet, chemin)
        return f'url("{_data_uri(contenu, chemin)}")'

    return _URL_CSS.sub(remplacer, texte)


def _js_autonome(paquet: str, fichier: str) -> str:
    texte = _actifs.lire_fichier(paquet, fichier).decode("utf-8")
    texte = _SOURCE_MAP.sub("", texte)
    # "</script" inside inline code would close the element early
    texte = texte.replace("</script", "<\\/script")
    if paquet == "leaflet" and fichier == "dist/leaflet.js":
        images = {
            cle: _data_uri(_actifs.lire_fichier(paquet, f"dist/images/{nom}"), nom)
            for cle, nom in (
                ("icone", "marker-icon.png"),
                ("icone2x", "marker-icon-2x.png"),
                ("ombre", "marker-shadow.png"),
            )
        }
        texte += _ICONES_LEAFLET.format(**images)
    return texte


def _adresses(html: str) -> list[str]:
    return [m.group("url") for m in _SCRIPT.finditer(html)] + [
        m.group("url") for m in _FEUILLE.finditer(html)
    ]


def html_autonome(html: str, *, telecharger: bool = True) -> str:
    """Replace the CDN scripts and stylesheets of a Folium page by inline copies.

    Parameters
    ----------
    html
        A page rendered by Folium (``carte.get_root().render()``).
    telecharger
        Fetch the libraries from the npm registry when the cache lacks them (once).

    Returns
    -------
    str
        The same page, opening with no network (apart from map tiles, if any).

    Raises
    ------
    ErreurTelechargement
        A library is neither in the cache nor downloadable.
    DonneesInvalides
        The page loads a resource this module does not know (a Folium plugin or version
        that the table of :mod:`cartes._actifs` does not cover).
    """
    inconnues = [
        u for u in _adresses(html) if u not in _actifs.URLS and u not in _actifs.URLS_OMISES
    ]
    if inconnues:
        raise DonneesInvalides(
            "Ressources sans copie locale connue : "
            + ", ".join(inconnues)
            + ". Complétez la table de cartes/_actifs.py (paquet npm, version, fichier) ou "
            "écrivez la carte avec les liens Internet (autonome=False)."
        )
    if not ressources_pretes():  # absent, or altered since downloaded (pinned sha512)
        if not telecharger:
            raise ErreurTelechargement(
                f"Les bibliothèques JavaScript de la carte sont absentes du cache "
                f"{_actifs.dossier_actifs()}, ou y ont été modifiées : lancez « accessibilite "
                "carte --preparer »."
            )
        _actifs.preparer()

    def script(m: re.Match[str]) -> str:
        url = m.group("url")
        if url in _actifs.URLS_OMISES:
            return f"<!-- omis : {url} -->"
        paquet, fichier = _actifs.URLS[url]
        version = _actifs.PAQUETS[paquet].version
        return (
            f"<!-- {paquet}@{version} {fichier} -->\n"
            f"<script>{_js_autonome(paquet, fichier)}</script>"
        )

    def feuille(m: re.Match[str]) -> str:
        url = m.group("url")
        if url in _actifs.URLS_OMISES:
            return f"<!-- omis : {posixpath.basename(url)} -->"
        paquet, fichier = _actifs.URLS[url]
        version = _actifs.PAQUETS[paquet].version
        return (
            f"<!-- {paquet}@{version} {fichier} -->\n"
            f"<style>{_css_autonome(paquet, fichier)}</style>"
        )

    # a function as replacement: the inline code is inserted verbatim (no escape handling)
    return _FEUILLE.sub(feuille, _SCRIPT.sub(script, html))


def rendre_html(carte: Any, *, autonome: bool | None = None) -> str:
    """Render a Folium map to one HTML page.

    Parameters
    ----------
    carte
        A ``folium.Map``.
    autonome
        ``True``: embed the libraries (error if they are neither cached nor
        downloadable); ``False``: keep Folium's CDN links (the page then needs Internet);
        ``None`` (default): embed when possible, otherwise keep the links and log a warning.
    """
    html: str = carte.get_root().render()
    if autonome is False:
        return html
    try:
        return html_autonome(html)
    except (ErreurTelechargement, DonneesInvalides) as exc:  # CacheCorrompu included
        if autonome:
            raise
        logger.warning(
            "Carte écrite avec des liens Internet vers Leaflet et les autres bibliothèques "
            "(elle ne s'affichera pas sans connexion) : %s",
            exc,
        )
        return html
