"""Facts with provenance: what dockerfix knows, where it learned it, and how sure it is.

A rule may only make a SAFE fix from facts that are `Known` and `certain`; anything
else is reported, or fixed only on request. `Unknown` always carries the reason, so
`dockerfix explain` can say why it cannot tell instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar, Union

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a fact comes from: a Dockerfile line, a base image's known config, a default."""

    description: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.description} (line {self.line})" if self.line else self.description


@dataclass(frozen=True, slots=True)
class Known(Generic[T]):
    """A value and its origin; `certain` is False when a build argument could change it."""

    value: T
    origin: Origin
    certain: bool = True


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value dockerfix cannot know statically, and why."""

    reason: str


Fact = Union[Known[T], Unknown]


def known_value(fact: Fact[T]) -> T | None:
    """The value of a known fact, else None."""
    return fact.value if isinstance(fact, Known) else None


BUILTIN = Origin("the builder's default")
