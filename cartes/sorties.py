"""All the maps of a zones-grises folder in one call (used at the end of ``zones-grises``)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from cartes.dossier import DossierZonesGrises, lire_dossier
from cartes.interactive import ecrire_carte_html
from cartes.statique import cartes_statiques
from socle.erreurs import DonneesInvalides
from socle.progression import Progression, signaler

__all__ = ["FORMATS", "ecrire_cartes"]

logger = logging.getLogger(__name__)

#: Output formats of :func:`ecrire_cartes`.
FORMATS = ("html", "png", "pdf")


def ecrire_cartes(
    dossier: str | Path | DossierZonesGrises,
    formats: Iterable[str] = FORMATS,
    *,
    sortie: str | Path | None = None,
    fond: Literal["tuiles", "uni"] = "tuiles",
    orientation: Literal["portrait", "paysage"] = "portrait",
    autonome: bool | None = None,
    gris: bool = False,
    isochrones: Any = None,
    bassins: Any = None,
    titre: str | None = None,
    sous_titre: str | None = None,
    producteur: str | None = None,
    logo: str | Path | None = None,
    progression: Progression | None = None,
) -> list[Path]:
    """Write the maps of a zones-grises folder, each file atomically.

    Writes ``carte.html`` (interactive, self-contained when the JavaScript libraries are
    available, see :func:`cartes.preparer_ressources`), ``carte_<niveau>.png/.pdf`` for
    each level and ``carte_cumul.png/.pdf`` (overlay of levels).

    Parameters
    ----------
    dossier
        Output folder of ``accessibilite zones-grises``.
    formats
        Any of ``"html"``, ``"png"``, ``"pdf"``.
    sortie
        Folder for the maps (default: ``dossier`` itself).
    fond, autonome, isochrones, bassins
        See :func:`cartes.ecrire_carte_html`.
    orientation, gris, titre, sous_titre, producteur, logo
        See :func:`cartes.carte_statique` (the titles of the print maps; the producer is
        also written in the sources of the interactive map).
    progression
        Progress callback: step ``"cartes"``, one unit per file written.

    Returns
    -------
    list[Path]
        The files written.

    Raises
    ------
    DonneesInvalides
        Unknown format.
    DonneesManquantes, SansCRS
        Unreadable folder (see :func:`cartes.lire_dossier`).
    ErreurTelechargement
        ``autonome=True`` and the JavaScript libraries are neither cached nor downloadable.
    """
    demandes = [f.strip().lower() for f in formats if f.strip()]
    inconnus = [f for f in demandes if f not in FORMATS]
    if inconnus or not demandes:
        raise DonneesInvalides(
            f"Format(s) de carte inconnu(s) : {', '.join(inconnus) or 'aucun'} "
            f"(choisir parmi {', '.join(FORMATS)})."
        )
    d = dossier if isinstance(dossier, DossierZonesGrises) else lire_dossier(dossier)
    cible = Path(sortie) if sortie is not None else d.chemin
    ecrits: list[Path] = []
    niveaux = [n.nom for n in d.niveaux] + ["cumul"]
    total = ("html" in demandes) + len(niveaux) * sum(f in demandes for f in ("png", "pdf"))
    etape = "cartes"
    signaler(progression, etape, 0, total)
    if "html" in demandes:
        ecrits.append(
            ecrire_carte_html(
                d,
                cible / "carte.html",
                autonome=autonome,
                fond=fond,
                isochrones=isochrones,
                bassins=bassins,
                producteur=producteur,
            )
        )
        signaler(progression, etape, len(ecrits), total)
    imprimables = [f for f in ("png", "pdf") if f in demandes]
    if imprimables:
        for niveau in niveaux:
            # each page drawn once, then saved in every format asked for
            ecrits += cartes_statiques(
                d,
                niveau,
                {f: cible / f"carte_{niveau}.{f}" for f in imprimables},
                orientation=orientation,
                gris=gris,
                titre=titre,
                sous_titre=sous_titre,
                producteur=producteur,
                logo=logo,
            )
            signaler(progression, etape, len(ecrits), total)
    logger.info("%d cartes écrites dans %s", len(ecrits), cible)
    return ecrits
