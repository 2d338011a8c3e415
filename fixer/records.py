"""Record types that cost little to define: a lighter `NamedTuple`, and `slots_repr`.

Start-up matters (a `dockerfix --check FILE` in a pre-commit hook should not take longer
than hadolint), and defining classes was most of it: a frozen dataclass runs its code
generator, about half a millisecond each. Value types are therefore named tuples, and
records with identity (built once, then cached into or read) plain classes with
`__slots__`, which cost nothing to define; `slots_repr` gives them a dataclass's repr.

`typing.NamedTuple` checks every field annotation, and under `from __future__ import
annotations` that means compiling each annotation string: about 0.1 ms per class, 7 ms
for dockerfix's seventy. `NamedTuple` here builds the same class (a
`collections.namedtuple` with the class body's annotations, defaults, docstring and
methods) without that check; type checkers see `typing.NamedTuple`.
"""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:

    class _NamedTupleMeta(type):
        def __new__(cls, typename: str, bases: tuple[type, ...], namespace: dict[str, object]) -> type:
            fields = namespace.get("__annotations__", {})
            defaults = [namespace[name] for name in fields if name in namespace]
            if any(name not in namespace for name in list(fields)[len(fields) - len(defaults) :]):
                raise TypeError(f"{typename}: a field without a default follows one with a default")
            record = namedtuple(typename, fields, defaults=defaults, module=namespace["__module__"])
            for key, value in namespace.items():
                if key not in fields and key not in ("__module__", "__annotations__"):
                    setattr(record, key, value)
            record.__annotations__ = fields
            return record

    NamedTuple = type.__new__(_NamedTupleMeta, "NamedTuple", (), {})


# Builds a named tuple from a tuple of all its fields, skipping its Python-level `__new__`
# (argument binding and defaults): half the cost, for the records the parser and the shell
# reader make by the thousand (`new_record(Span, (start, end))`).
new_record = tuple.__new__


def slots_repr(self: object) -> str:
    """`Name(field=value, ...)` over the class's `__slots__`, as a dataclass prints itself."""
    fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in type(self).__slots__)  # type: ignore[attr-defined]
    return f"{type(self).__name__}({fields})"
