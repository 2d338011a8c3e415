"""A RUN's `--mount` flags as BuildKit resolves them at build time.

Option values are expanded by the Dockerfile frontend with the stage's environment (base
image Env, ENV and ARG values), never with the runtime HOME and never with `~`:
`target=$HOME/.cache/pip` on an image without `ENV HOME` mounts at `/.cache/pip`
(moby/buildkit `instructions/commands_runmount.go` parseMount, semantics.md §1.4). A
relative target is joined to WORKDIR; a cache mount's id defaults to its target as
written (after expansion, before WORKDIR is joined); `uid`, `gid` and `mode` set the
owner of a cache directory when it is first created, and are part of its identity.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

from .records import slots_repr
from .stages import State, Variable, expansion_certain
from .syntax import Flag, MountOption, Span
from .words import LexError, Lexer, is_plain

TARGET_KEYS = frozenset({"target", "dst", "destination"})  # the keys that hold a mount's target
_SHARING = ("shared", "private", "locked")
DEFAULT_CACHE_MODE = 0o755


class Mount:
    """One `--mount` flag, resolved. Options not given keep BuildKit's defaults."""

    __slots__ = ("flag", "type", "target", "id", "uid", "gid", "mode", "sharing", "source", "from_", "readonly",
                 "certain", "explicit", "undefined", "errors", "uncertain")

    def __init__(
        self,
        flag: Flag,
        type: str,
        target: str | None,
        id: str | None,
        uid: int,
        gid: int,
        mode: int,
        sharing: str,
        source: str | None,
        from_: str | None,
        readonly: bool,
        certain: bool,
        explicit: frozenset[str],
        undefined: frozenset[str],
        errors: tuple[str, ...] = (),
        uncertain: frozenset[str] = frozenset(),
    ) -> None:
        self.flag = flag
        self.type = type
        self.target = target
        self.id = id
        self.uid = uid
        self.gid = gid
        self.mode = mode
        self.sharing = sharing
        self.source = source
        self.from_ = from_
        self.readonly = readonly
        self.certain = certain
        self.explicit = explicit
        self.undefined = undefined
        self.errors = errors
        # The option keys whose values a build argument decides (`certain` is False
        # when there is any).
        self.uncertain = uncertain

    __repr__ = slots_repr

    def changed(self, **values: object) -> Mount:
        """The same mount with some resolved values changed (`target=`, `uid=`...): what a
        fix would make of it, for checking that the fix works before proposing it."""
        fields = {name: getattr(self, name) for name in self.__slots__}
        fields.update(values)
        return Mount(**fields)  # type: ignore[arg-type]

    def option(self, *keys: str) -> MountOption | None:
        """The last written option among `keys` (BuildKit lets a later one win)."""
        found = None
        for option in self.flag.mount_options:
            if option.key in keys:
                found = option
        return found

    @property
    def target_option(self) -> MountOption | None:
        return self.option(*TARGET_KEYS)

    def covers(self, path: str) -> bool:
        """Whether `path` is the target or inside it."""
        if self.target is None:
            return False
        return path == self.target or path.startswith(self.target.rstrip("/") + "/")


def resolve_mounts(flags: tuple[Flag, ...], state: State, escape: str) -> tuple[Mount, ...]:
    """The mounts of a RUN, in order, with options expanded in `state`."""
    if not flags:
        return ()
    return tuple(_resolve(flag, state.env, state.values(), state.workdir.value, escape) for flag in flags if flag.name == "mount")


def _resolve(flag: Flag, env: Mapping[str, Variable], values: Mapping[str, str], workdir: str, escape: str) -> Mount:
    value = flag.value or ""
    if is_plain(value, escape):  # nothing to expand (most mounts): its text and WORKDIR decide
        key = (value, workdir)
        fields = _PLAIN_FIELDS.get(key)
        if fields is None:
            if len(_PLAIN_FIELDS) >= _PLAIN_FIELDS_KEPT:
                _PLAIN_FIELDS.clear()
            options = {option.key: option.value for option in flag.mount_options}
            fields = _PLAIN_FIELDS[key] = _fields(options, workdir, [], frozenset(), frozenset())
        return Mount(flag, *fields)
    options: dict[str, str | None] = {}
    errors: list[str] = []
    uncertain: frozenset[str] = frozenset()
    unmatched: frozenset[str] = frozenset()
    for option in flag.mount_options:
        if option.value is None or is_plain(option.value, escape):
            options[option.key] = option.value
            continue
        lexer = Lexer(escape=escape)  # one per value that needs expanding
        try:
            options[option.key] = lexer.process_word(option.value, values)
        except LexError as exc:
            errors.append(f"{option.key}: {exc}")
            options[option.key] = option.value
        if not expansion_certain(lexer, env):
            uncertain |= {option.key}
        unmatched |= lexer.unmatched
    return Mount(flag, *_fields(options, workdir, errors, uncertain, unmatched))


def planned_mount(value: str, state: State, escape: str, at: int) -> Mount:
    """The mount a fix adds as `--mount=value` (plain, without quotes), resolved as
    BuildKit will, for asking what the rules would find once it is in.

    The flag is not in the text yet: every span of it is the empty span at `at`, where
    the fix inserts it, so that an edit another rule would make to it lands on the
    insertion itself (and is refused with it) instead of on text that is there.
    """
    here = Span(at, at)
    options = []
    for field in value.split(","):
        key, has_value, option = field.partition("=")
        options.append(MountOption(key.lower(), option if has_value else None, here, here if has_value else None))
    flag = Flag(f"--mount={value}", here, "mount", value, here, tuple(options))
    return _resolve(flag, state.env, state.values(), state.workdir.value, escape)


# The fields of the mounts that need no expansion, by (value, WORKDIR): a repository's
# Dockerfiles write the same few mounts again and again.
_PLAIN_FIELDS: dict[tuple[str, str], tuple[object, ...]] = {}
_PLAIN_FIELDS_KEPT = 4096


def _fields(
    options: dict[str, str | None], workdir: str, errors: list[str], uncertain: frozenset[str], unmatched: frozenset[str]
) -> tuple[object, ...]:
    """A mount's fields after `flag` (`Mount`), from its options as expanded."""
    mount_type = (options.get("type") or "bind").lower()
    written_target = next((options[k] for k in reversed(list(options)) if k in TARGET_KEYS), None)
    target = None
    if written_target:
        # posixpath.join drops what comes before an absolute path (the usual target).
        joined = written_target if written_target.startswith("/") else posixpath.join("/", workdir, written_target)
        target = posixpath.normpath(joined)
    cache_id = options.get("id") or (posixpath.normpath(written_target) if written_target else None)
    sharing = (options.get("sharing") or "shared").lower()
    if sharing not in _SHARING:
        errors.append(f"unsupported sharing value {sharing!r}")
    return (
        mount_type,
        target,
        cache_id if mount_type == "cache" else None,  # id
        _number(options.get("uid"), 10, 0, "uid", errors),
        _number(options.get("gid"), 10, 0, "gid", errors),
        _number(options.get("mode"), 8, DEFAULT_CACHE_MODE, "mode", errors),
        sharing,
        options.get("source") or options.get("src"),
        options.get("from"),
        _readonly(options, mount_type),
        not uncertain,
        frozenset(k for k in options if k in ("uid", "gid", "mode", "id", "sharing", "from")),  # explicit
        unmatched,  # undefined
        tuple(errors),
        uncertain,
    )


def _number(text: str | None, base: int, default: int, key: str, errors: list[str]) -> int:
    if text is None:
        return default
    try:
        return int(text, base)
    except ValueError:
        errors.append(f"invalid value {text} for {key}")
        return default


def _readonly(options: Mapping[str, str | None], mount_type: str) -> bool:
    for key in reversed(list(options)):
        value = options[key]
        if key in ("ro", "readonly"):
            return value is None or value.lower() in ("1", "t", "true")
        if key in ("rw", "readwrite"):
            return not (value is None or value.lower() in ("1", "t", "true"))
    return mount_type not in ("cache", "tmpfs")
