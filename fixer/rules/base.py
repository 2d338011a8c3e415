"""The rule interface: one class per rule, whose docstring is its documentation and whose
`valid`/`invalid` examples are its tests (one generic test runs them all).

A rule reads facts from `Context` (the syntax tree and the analysis) and never
re-derives build state itself. It yields `Diagnostic`s made with `report`, each with a
message that states what is wrong with the values involved and, where it can, a `Fix`
whose title is the imperative remedy.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar

from .. import REPOSITORY
from ..analysis import FileFacts
from ..diagnostics import Applicability, Diagnostic, Fix
from ..records import NamedTuple
from ..suppressions import NONE, Suppressions
from ..syntax import Dockerfile, Span


class Valid(NamedTuple):
    """A Dockerfile the rule must accept (checked with the rules named in `together` too;
    `context` holds build-context files, path -> content, as for `Invalid`)."""

    source: str
    note: str = ""
    together: tuple[str, ...] = ()
    context: Mapping[str, str] = MappingProxyType({})


class Invalid(NamedTuple):
    """A Dockerfile the rule must flag.

    `fixed` is the exact text after the fix (None: reported without a fix); `unsafe`
    says the fix is written only with `--unsafe-fixes`; `context` holds build-context
    files (path -> content) the rule reads, e.g. requirements files. `together` names
    the other rules whose fixes the example needs as well: a file with several problems
    at once, each rule fixing its own in the fix loop's passes.
    """

    source: str
    fixed: str | None = None
    unsafe: bool = False
    context: Mapping[str, str] = MappingProxyType({})
    note: str = ""
    together: tuple[str, ...] = ()


def rule_page(code: str) -> str:
    """The documentation page of the rule `code`, for every finding to point at: the
    generated `docs/rules/` page in dockerfix's repository, until the project has a site."""
    return f"{REPOSITORY}/blob/main/docs/rules/{code}.md"


def fix_availability(rule: type[Rule]) -> str:
    """Whether the rule's findings come with a fix, as its examples show: `always`,
    `sometimes` or `never`."""
    fixed = [example.fixed is not None for example in rule.invalid]
    return "always" if all(fixed) else "sometimes" if any(fixed) else "never"


def fix_safety(rule: type[Rule]) -> str:
    """The safety of the rule's fixes, as its examples show: `safe`, `unsafe`, `safe or
    unsafe` (the rule's page says when each), or `-` for a rule without fixes."""
    kinds = {"unsafe" if example.unsafe else "safe" for example in rule.invalid if example.fixed is not None}
    return " or ".join(sorted(kinds)) or "-"


def safety(problems: Iterable[str]) -> Applicability:
    """SAFE when nothing stands against a fix, else UNSAFE (the problems say why)."""
    return Applicability.UNSAFE if any(problems) else Applicability.SAFE


class Context(NamedTuple):
    """What a rule sees for one Dockerfile.

    `followers` are the selected rules whose findings are all about cache mounts
    (`Rule.about_cache_mounts`), which a fix that adds mounts asks what they would find
    once the mounts are in (`rules.followers`); `suppressions` the file's comment lines
    that silence rules (`suppressions.find`); `unsafe_fixes` whether this run writes
    unsafe fixes too; `selected` every rule this run checks.
    """

    name: str
    tree: Dockerfile
    facts: FileFacts
    build_context: Path | None = None
    followers: tuple[Rule, ...] = ()
    suppressions: Suppressions = NONE
    unsafe_fixes: bool = False
    selected: tuple[Rule, ...] = ()

    @property
    def source(self) -> str:
        return self.tree.source


class Rule(ABC):
    """Base class: subclasses set `code`, `name`, examples, and implement `check`."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]  # one line: what it finds, for `dockerfix rules` and SARIF
    valid: ClassVar[tuple[Valid, ...]] = ()
    invalid: ClassVar[tuple[Invalid, ...]] = ()
    # Every finding is about a cache mount the RUN has: a RUN without one gets none, and
    # a fix that adds mounts asks this rule what it would find once they are in.
    about_cache_mounts: ClassVar[bool] = False
    # Runs only when named by its code or name (not by a prefix or ALL).
    opt_in: ClassVar[bool] = False
    # Checks after the other rules' findings have met the suppressions (`Context.suppressions.used`).
    after_suppressions: ClassVar[bool] = False

    @abstractmethod
    def check(self, context: Context) -> Iterator[Diagnostic]:
        """The rule's findings in this Dockerfile."""

    def report(
        self, span: Span, message: str, fix: Fix | None = None, detail: str = "", no_fix: str = "", kind: str = ""
    ) -> Diagnostic:
        return Diagnostic(self.code, self.name, message, span, fix, detail, no_fix, kind)
