"""Every rule's documented examples as tests (see rule_harness.py for what is checked)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from fixer.rules import ALL_RULES
from rule_harness import check_example, examples

CASES = [(rule, case) for rule in ALL_RULES for case in examples(rule)]


@pytest.mark.parametrize(("rule", "case"), CASES, ids=[case[0] for _, case in CASES])
def test_rule_examples(rule, case, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, example, variant = case
    check_example(rule, example, variant, tmp_path)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_rules_are_documented_and_have_examples(rule) -> None:  # type: ignore[no-untyped-def]
    doc = rule.__doc__ or ""
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Fix safety"):
        assert heading in doc, f"{rule.code} docstring lacks {heading!r}"
    assert rule.valid and rule.invalid
    assert rule.code.startswith("DFX") and rule.name == rule.name.lower()


def test_rule_codes_and_names_are_unique() -> None:
    assert len({r.code for r in ALL_RULES}) == len(ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_docs_page_is_the_docstring(rule) -> None:  # type: ignore[no-untyped-def]
    page = Path(__file__).parents[1] / "docs" / "rules" / f"{rule.code}.md"
    expected = f"# {rule.code} `{rule.name}`\n\n{inspect.cleandoc(rule.__doc__ or '')}\n"
    assert page.read_text(encoding="utf-8") == expected, "stale: run scripts/rule-docs"
