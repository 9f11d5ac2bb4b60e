"""A tiny headless Chromium driver for the map tests: the DevTools protocol over pipes.

Chromium started with ``--remote-debugging-pipe`` reads protocol commands on its file
descriptor 3 and writes answers and events on descriptor 4, as NUL-terminated JSON. No
port, no websocket, no extra package: enough to open a page, collect every console error
and uncaught exception, evaluate JavaScript and take a screenshot.

The browser is cut off from the network (``--host-resolver-rules``): a page that tries to
load anything from the Internet fails, and the failure is reported as an error.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Chromium", "Page", "chemin_chromium"]

_OPTIONS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--mute-audio",
    "--hide-scrollbars",
    # nothing leaves the machine: every host name fails to resolve
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-pipe",
]


def chemin_chromium() -> str | None:
    """Path of a Chromium executable, or None."""
    for nom in ("chromium", "chromium-browser", "google-chrome"):
        chemin = shutil.which(nom)
        if chemin:
            return chemin
    return None


@dataclass
class Page:
    """What a page did: errors, console messages, and the handle to act on it."""

    navigateur: Chromium
    session: str
    erreurs: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def evaluer(self, expression: str) -> Any:
        """Value of a JavaScript expression (JSON-serialisable), promises awaited."""
        reponse = self.navigateur.commande(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=self.session,
        )
        if "exceptionDetails" in reponse:
            raise RuntimeError(f"JavaScript : {reponse['exceptionDetails']}")
        return reponse["result"].get("value")

    def attendre(self, condition: str, *, delai_ms: int = 15_000) -> Any:
        """Wait, frame after frame, until the JavaScript expression ``condition`` is truthy;
        return its value. No fixed sleep: the page is polled at each animation frame, and
        a condition still false after ``delai_ms`` raises (a deadline, not a timing)."""
        script = (
            "new Promise((ok, ko) => { const fin = performance.now() + " + str(int(delai_ms)) + ";"
            " (function essai() { let v; try { v = (" + condition + "); } catch (e) {"
            " v = undefined; } if (v) { ok(v); } else if (performance.now() > fin) {"
            " ko(new Error('condition jamais vraie : ' + " + json.dumps(condition) + ")); }"
            " else { requestAnimationFrame(essai); } })(); })"
        )
        return self.evaluer(script)

    def capture(self, chemin: Path) -> Path:
        """Save a PNG screenshot of the viewport."""
        reponse = self.navigateur.commande(
            "Page.captureScreenshot", {"format": "png"}, session=self.session
        )
        chemin.write_bytes(base64.b64decode(reponse["data"]))
        return chemin


class Chromium:
    """A headless Chromium process driven through the DevTools pipe (context manager)."""

    def __init__(self, executable: str, *, delai_s: float = 60.0) -> None:
        self.delai_s = delai_s
        self._profil = tempfile.mkdtemp(prefix="chromium-profil-")
        # fd 3: commands to the browser; fd 4: answers and events from it. The child's ends
        # are first moved above 4 so that placing them on 3 and 4 cannot overwrite each other.
        r, self._commandes_w = os.pipe()
        self._reponses_r, w = os.pipe()
        commandes_r = fcntl.fcntl(r, fcntl.F_DUPFD_CLOEXEC, 10)
        reponses_w = fcntl.fcntl(w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(r)
        os.close(w)

        def enfant() -> None:
            # runs in the child before it closes the descriptors not in pass_fds
            os.dup2(commandes_r, 3)
            os.dup2(reponses_w, 4)

        self._processus = subprocess.Popen(
            [executable, *_OPTIONS, f"--user-data-dir={self._profil}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=enfant,  # single-threaded test process: safe
        )
        os.close(commandes_r)
        os.close(reponses_w)
        self._tampon = b""
        self._suivant = 0
        self._evenements: list[dict[str, Any]] = []

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fermer()

    def fermer(self) -> None:
        """Stop the browser and remove its profile."""
        with contextlib.suppress(OSError):
            self.commande("Browser.close", {}, attendre=False)
        try:
            self._processus.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._processus.kill()
            self._processus.wait()
        for fd in (self._commandes_w, self._reponses_r):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._profil, ignore_errors=True)

    # protocol ---------------------------------------------------------------------------

    def _lire_message(self, fin: float) -> dict[str, Any]:
        while b"\0" not in self._tampon:
            reste = fin - time.monotonic()
            if reste <= 0:
                raise TimeoutError("Chromium ne répond pas")
            prets, _, _ = select.select([self._reponses_r], [], [], reste)
            if prets:
                bloc = os.read(self._reponses_r, 1 << 20)
                if not bloc:
                    raise OSError("Chromium s'est arrêté")
                self._tampon += bloc
        message, self._tampon = self._tampon.split(b"\0", 1)
        return dict(json.loads(message))

    def commande(
        self,
        methode: str,
        parametres: dict[str, Any],
        *,
        session: str | None = None,
        attendre: bool = True,
    ) -> dict[str, Any]:
        """Send a protocol command; return its result (events met meanwhile are kept)."""
        self._suivant += 1
        ident = self._suivant
        message: dict[str, Any] = {"id": ident, "method": methode, "params": parametres}
        if session:
            message["sessionId"] = session
        os.write(self._commandes_w, json.dumps(message).encode() + b"\0")
        if not attendre:
            return {}
        fin = time.monotonic() + self.delai_s
        while True:
            reponse = self._lire_message(fin)
            if reponse.get("id") == ident:
                if "error" in reponse:
                    raise RuntimeError(f"{methode} : {reponse['error']}")
                return dict(reponse.get("result", {}))
            self._evenements.append(reponse)

    def _evenement(self, page: Page, methode: str, fin: float) -> dict[str, Any]:
        """Wait for event ``methode`` of the page, recording errors seen meanwhile."""
        while True:
            while self._evenements:
                ev = self._evenements.pop(0)
                self._noter(page, ev)
                if ev.get("method") == methode and ev.get("sessionId") == page.session:
                    return ev
            self._evenements.append(self._lire_message(fin))

    @staticmethod
    def _noter(page: Page, ev: dict[str, Any]) -> None:
        methode, p = ev.get("method"), ev.get("params", {})
        if methode == "Runtime.exceptionThrown":
            details = p.get("exceptionDetails", {})
            texte = details.get("exception", {}).get("description") or details.get("text")
            page.erreurs.append(f"exception : {texte}")
        elif methode == "Runtime.consoleAPICalled":
            texte = " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"])
            page.messages.append(f"{p['type']} : {texte}")
            if p["type"] in ("error", "assert"):
                page.erreurs.append(f"console.{p['type']} : {texte}")
        elif methode == "Log.entryAdded":
            entree = p.get("entry", {})
            page.messages.append(f"{entree.get('level')} : {entree.get('text')}")
            if entree.get("level") == "error":
                page.erreurs.append(
                    f"{entree.get('source')} : {entree.get('text')} {entree.get('url', '')}"
                )
        elif methode == "Network.loadingFailed":
            page.erreurs.append(f"réseau : {p.get('errorText')} ({p.get('requestId')})")

    def ouvrir(self, url: str, *, largeur: int = 1400, hauteur: int = 900) -> Page:
        """Open ``url`` in a new tab; return once loaded and two frames painted."""
        cible = self.commande("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.commande("Target.attachToTarget", {"targetId": cible, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session)
        for domaine in ("Page", "Runtime", "Log", "Network"):
            self.commande(f"{domaine}.enable", {}, session=session)
        self.commande(
            "Emulation.setDeviceMetricsOverride",
            {"width": largeur, "height": hauteur, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        fin = time.monotonic() + self.delai_s
        self.commande("Page.navigate", {"url": url}, session=session)
        self._evenement(page, "Page.loadEventFired", fin)
        # let the page run its scripts and paint
        page.evaluer(
            "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"
        )
        self.vider(page)
        return page

    def vider(self, page: Page) -> None:
        """Record the events received so far (errors logged after loading included)."""
        for ev in self._evenements:
            self._noter(page, ev)
        self._evenements.clear()
