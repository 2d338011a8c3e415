"""The rules, listed explicitly so the order (and so the output) is stable."""

from __future__ import annotations

from .base import Context, Invalid, Rule, Valid

ALL_RULES: tuple[type[Rule], ...] = ()

__all__ = ["ALL_RULES", "Context", "Invalid", "Rule", "Valid"]
