"""Tables that tests print in pytest's terminal summary (the e2e builds' measurements).

They are printed by the process that prints the summary: with pytest-xdist that is the
controlling process, which runs no test, so each worker hands its tables over when it
finishes (`tests/conftest.py`).
"""

from __future__ import annotations

TABLES: list[tuple[str, str]] = []
