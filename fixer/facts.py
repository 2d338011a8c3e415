"""Facts with provenance: what dockerfix knows, where it learned it, and how sure it is.

A rule may only make a SAFE fix from facts that are `Known` and `certain`; anything
else is reported, or fixed only on request. `Unknown` always carries the reason, so
`dockerfix explain` can say why it cannot tell instead of guessing.

The value types are named tuples or slotted classes rather than frozen dataclasses:
the analysis makes thousands of them per second, and a frozen dataclass costs several
times as much to build and about half a millisecond just to define at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Generic, TypeVar, Union

from .records import NamedTuple

T = TypeVar("T")


class Origin(NamedTuple):
    """Where a fact comes from: a Dockerfile line, a base image's known config, a default."""

    description: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.description} (line {self.line})" if self.line else self.description


class Known(Generic[T]):
    """A value and its origin; `certain` is False when a build argument could change it.

    Immutable by convention, compared and hashed by value. (Not a named tuple: those
    cannot be generic before Python 3.11.)
    """

    __slots__ = ("value", "origin", "certain")

    def __init__(self, value: T, origin: Origin, certain: bool = True) -> None:
        self.value = value
        self.origin = origin
        self.certain = certain

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.value, self.origin, self.certain) == (other.value, other.origin, other.certain)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.value, self.origin, self.certain))

    def __repr__(self) -> str:
        return f"Known(value={self.value!r}, origin={self.origin!r}, certain={self.certain!r})"


class Unknown(NamedTuple):
    """A value dockerfix cannot know statically, and why."""

    reason: str


Fact = Union[Known[T], Unknown]


class Spelling(NamedTuple):
    """How the Dockerfile writes a value that build arguments decide: `${UID}`, `/home/${USER}`.

    A fix that writes the spelling instead of today's value stays right whatever
    `--build-arg` says, because BuildKit expands it in `--mount` options with the same
    variables (semantics.md §1.4; proven in tests/e2e/test_mount_expansion.py).
    `variables` are the build arguments it uses, each with the origin of the value the
    spelling was taken from: at a later instruction it means the same value only while
    each variable still has that origin (`holds`).
    """

    text: str
    variables: tuple[tuple[str, Origin], ...]

    def expand(self, values: Mapping[str, str]) -> str:
        """The text with each of its variables replaced by its value in `values` ('' if none)."""
        text = self.text
        for name, _ in self.variables:
            text = text.replace("${" + name + "}", values.get(name, ""))
        return text

    def holds(self, env: Mapping[str, Known[str]], value: object) -> bool:
        """Whether the spelling, expanded with `env`, still gives `value` there."""
        values = {}
        for name, origin in self.variables:
            variable = env.get(name)
            if variable is None or variable.origin != origin:
                return False
            values[name] = variable.value
        return self.expand(values) == str(value)


def known_value(fact: Fact[T]) -> T | None:
    """The value of a known fact, else None."""
    return fact.value if isinstance(fact, Known) else None


BUILTIN = Origin("the builder's default")
