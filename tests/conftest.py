"""Shared test settings.

Hypothesis runs a `ci` profile when CI=true: many examples, derandomized so a green run
is reproducible (a red CI blocks landing, and a flaky one would hide real failures behind
luck). Locally the default profile explores new random examples on every run.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import summary_tables

settings.register_profile(
    "ci",
    max_examples=2000,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("dev", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a pytest-xdist worker: hand the summary tables to the controlling process."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["summary_tables"] = list(summary_tables.TABLES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """In the controlling process: the tables a worker made."""
    summary_tables.TABLES.extend(tuple(table) for table in getattr(node, "workeroutput", {}).get("summary_tables", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for title, text in summary_tables.TABLES:
        terminalreporter.write_sep("-", title)
        terminalreporter.write_line(text)
