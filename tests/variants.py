"""The LF, CRLF and BOM variants every input is tested in (no other normalising)."""

from __future__ import annotations

import re

_LONE_LF = re.compile(r"(?<!\r)\n")


def to_crlf(text: str) -> str:
    return _LONE_LF.sub("\r\n", text)


def with_bom(text: str) -> str:
    return text if text.startswith("\ufeff") else "\ufeff" + text


VARIANTS = {"lf": lambda text: text, "crlf": to_crlf, "bom": with_bom}
