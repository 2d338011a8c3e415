"""The rules as users look them up: `dockerfix rules` (a table), `dockerfix rules CODE`
(one rule's page), and the pages in `docs/rules/` that `scripts/rule-docs` writes from
the same text, so the command and the files never differ."""

from __future__ import annotations

import inspect

from .rules import ALL_RULES, Rule
from .rules.base import fix_availability, fix_safety, rule_page


def page(rule: type[Rule]) -> str:
    """A rule's page: its code and name, then its docstring."""
    return f"# {rule.code} `{rule.name}`\n\n{inspect.cleandoc(rule.__doc__ or '')}\n"


def rule_lines() -> list[str]:
    """One line a rule: code, name, whether it fixes, the fixes' default safety, what it finds."""
    rows = [("code", "name", "fix", "safety", "finds")]
    rows += [(r.code, r.name, fix_availability(r), fix_safety(r), r.summary) for r in ALL_RULES]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4] for row in rows]
    return [*lines, "", "`dockerfix rules CODE` prints a rule's page; every page is also at", rule_page("CODE")]


def rule_page_text(selector: str) -> str | None:
    """The page of the rule with this code (any case) or name; None when no rule has it."""
    for rule in ALL_RULES:
        if selector.upper() == rule.code or selector == rule.name:
            return page(rule) + f"\n{rule_page(rule.code)}\n"
    return None
