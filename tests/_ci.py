"""pytest plugin: on CI, a skipped test fails the run.

With ``CI`` set to ``true`` (``.ci/run`` exports it; CI services set it too), a test that
skips (missing reference data, Chromium, a JavaScript library, an optional package) is
reported as failed with its skip reason: CI installs everything the suite needs
(``.ci/prerequis``, the ``dev`` extra, ``../shared/data``), so a skip there hides a missing
prerequisite. The one exception is a test marked ``@pytest.mark.facultatif(raison="...")``,
the reason saying why it may not run on CI. A module skipped at collection (a module-level
``pytest.importorskip``) fails the same way. Outside CI, skips stay skips.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

__all__ = ["en_ci"]


def en_ci() -> bool:
    """True on CI (``CI`` set to ``true``, ``1`` or ``yes``, as CI services do)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "facultatif(raison): may be skipped on CI (CI=true), for the reason given; any other "
        "skipped test fails a CI run",
    )


def _raison(marque: pytest.Mark) -> str:
    return str(marque.kwargs.get("raison", marque.args[0] if marque.args else "")).strip()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        marque = item.get_closest_marker("facultatif")
        if marque is not None and not _raison(marque):
            raise pytest.UsageError(
                f"{item.nodeid} : @pytest.mark.facultatif demande sa raison "
                '(facultatif(raison="...")).'
            )


def _motif(rapport: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = rapport.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    rapport = yield
    if (
        rapport.skipped
        and not hasattr(rapport, "wasxfail")
        and item.get_closest_marker("facultatif") is None
        and en_ci()
    ):
        rapport.outcome = "failed"
        rapport.longrepr = (
            f"test sauté en CI (CI=true) : {_motif(rapport)}\n"
            "En CI, un test ne doit pas être sauté : installez ce qui manque (.ci/prerequis, "
            "extra dev, ../shared/data) ou marquez le test "
            '@pytest.mark.facultatif(raison="...").'
        )
    return rapport


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    rapport = yield
    if rapport.skipped and en_ci():
        rapport.outcome = "failed"
        rapport.longrepr = f"module sauté en CI (CI=true) : {_motif(rapport)}"
    return rapport
