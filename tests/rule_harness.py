"""The one test every rule's documented examples go through, in LF, CRLF and BOM variants.

For a valid example: the rule finds nothing. For an invalid one: the rule finds
something (with the rules the example names in `together`, for a file with several
problems); the fixed text is exactly `fixed` (or, without a fix, the file is untouched);
an UNSAFE fix is written only with --unsafe-fixes; the fix removes the finding; a
second run changes nothing; the result parses with our parser and with BuildKit's
(where its bindings are installed). No whitespace is normalised anywhere.
"""

from __future__ import annotations

from pathlib import Path

from fixer.engine import Settings, check_text
from fixer.parser import parse
from fixer.rules import ALL_RULES
from fixer.rules.base import Invalid, Rule, Valid
from variants import VARIANTS



def examples(rule: type[Rule]) -> list[tuple[str, Valid | Invalid, str]]:
    """(id, example, variant) for every example of a rule."""
    cases = []
    for kind, items in (("valid", rule.valid), ("invalid", rule.invalid)):
        for index, example in enumerate(items):
            for variant in VARIANTS:
                cases.append((f"{rule.code}-{kind}{index}-{variant}", example, variant))
    return cases


def _context(tmp_path: Path, example: Valid | Invalid) -> Path:
    for name, content in example.context.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return tmp_path


def check_example(rule: type[Rule], example: Valid | Invalid, variant: str, tmp_path: Path) -> None:
    convert = VARIANTS[variant]
    source = convert(example.source)
    context = _context(tmp_path, example)
    together = example.together
    rules = [rule, *(other for other in ALL_RULES if other.code in together)]
    only = Settings(select=frozenset({rule.code, *together}))
    result = check_text("Dockerfile", source, rules, only, context)
    assert not result.parse_errors, result.parse_errors
    assert result.error is None, result.error
    if isinstance(example, Valid):
        assert result.diagnostics == (), [d.message for d in result.diagnostics]
        assert result.output == source
        return
    assert any(d.code == rule.code for d in result.diagnostics), f"{rule.code} found nothing in an invalid example"
    unsafe = Settings(select=only.select, unsafe_fixes=True)
    fixed = check_text("Dockerfile", source, rules, unsafe, context)
    assert fixed.error is None, fixed.error
    if example.fixed is None:
        assert fixed.output == source, "an example without `fixed` must not be changed"
        return
    assert fixed.output == convert(example.fixed)
    if example.unsafe:
        assert result.output == source, "an UNSAFE fix was written without --unsafe-fixes"
    else:
        assert result.output == convert(example.fixed)
    again = check_text("Dockerfile", fixed.output, rules, unsafe, context)
    assert again.output == fixed.output, "a second run changed the fixed file"
    assert not any(d.code == rule.code for d in again.diagnostics), "the fix did not remove the finding"
    assert not parse(fixed.output).errors
    _buildkit_parses(fixed.output)


def _buildkit_parses(text: str) -> None:
    try:
        import dockerfile
    except ImportError:  # BuildKit's bindings ship for x86-64 only
        return
    dockerfile.parse_string(text)
