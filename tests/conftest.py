"""Shared test settings.

Hypothesis runs a `ci` profile when CI=true: many examples, derandomized so a green run
is reproducible (a red CI blocks landing, and a flaky one would hide real failures behind
luck). Locally the default profile explores new random examples on every run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

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
