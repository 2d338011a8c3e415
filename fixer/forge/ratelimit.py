"""When to try a GitHub request again: GitHub's documented rate-limit rules, bounded.

From "Rate limits for the REST API" (docs.github.com): a rate-limited request gets 403 or
429. With `retry-after`, wait that many seconds; else with `x-ratelimit-remaining: 0` (the
primary limit), wait until `x-ratelimit-reset` (UTC epoch seconds); else, for a secondary
limit, wait at least a minute and back off exponentially, and give up after a number of
tries. Any other 403 is a refusal (a token without the permission), not a limit.

The bound: at most `MAX_RETRIES` waits, none longer than `MAX_WAIT` seconds, and none
shorter than `MIN_WAIT` (a `retry-after: 0` would otherwise mean no pause at all, and
githubkit takes a zero wait for "no wait given" and sleeps a minute). A limit that
resets later than that (the primary limit resets hourly) is reported with the time it
resets instead of holding a CI job for up to an hour. Nothing else is retried: a 5xx
after a POST may have created the pull request, and sending it again would make two.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

MAX_RETRIES = 3
MAX_WAIT = 300.0
MIN_WAIT = 1.0
SECONDARY_WAIT = 60.0


def retry_wait(status: int, headers: Mapping[str, str], message: str, retries: int, now: float) -> float | None:
    """Seconds to wait before sending the request again (after `retries` retries so
    far), or None: not a rate limit, or over the bound."""
    wait = limit_wait(status, headers, message, retries, now)
    if wait is None or retries >= MAX_RETRIES or wait > MAX_WAIT:
        return None
    return max(wait, MIN_WAIT)


def limit_wait(status: int, headers: Mapping[str, str], message: str, retries: int, now: float) -> float | None:
    """How long GitHub asks to wait, unbounded; None when the response is not a rate limit."""
    if status not in (403, 429):
        return None
    retry_after = headers.get("retry-after", "").strip()
    if retry_after.isdigit():
        return float(retry_after)
    if headers.get("x-ratelimit-remaining") == "0":
        reset = headers.get("x-ratelimit-reset", "").strip()
        return max(float(reset) - now, 1.0) if reset.isdigit() else SECONDARY_WAIT
    if status == 429 or "rate limit" in message.lower():
        return SECONDARY_WAIT * 2**retries
    return None


def resumes_at(wait: float, now: float | None = None) -> str:
    """When a wait ends, for a message: `14:05 UTC`."""
    return time.strftime("%H:%M UTC", time.gmtime((time.time() if now is None else now) + wait))
