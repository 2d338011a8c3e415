"""An independent model of where pip and uv cache inside a BuildKit RUN: the yardstick.

`tests/test_convergence.py` checks dockerfix's fixes against this model. It reads a
Dockerfile of a restricted grammar, simulates the build the way BuildKit's Dockerfile
frontend, runc and the tools do (as `shared/docs/semantics.md` describes; sections are
cited as §), and says for every installer call its user, HOME, cache directory (or why
the cache is off), the RUN's cache mounts, and whether the call is *served*: its cache
is enabled, sits on (at or inside) one of the RUN's cache mounts, and the call's user
may write that mount.

It imports nothing from `fixer/`. Input outside the grammar raises `Unsupported`: a fix
that writes something this model cannot read fails loudly instead of being guessed at.

The grammar (what the generator in test_convergence.py writes, and what fixes may turn
it into):
- LF or CRLF lines; `#` comments; `\\` continuations (comment and blank lines inside
  are dropped, §6); no parser directives, heredocs or BOM.
- `FROM python:3.12-slim [AS name]` or `FROM <earlier stage> [AS name]`; `ARG NAME[=v]`
  (one per line), `ENV k=v ...`, `USER name|uid[:gid]`, `WORKDIR dir`; `COPY`, `CMD`,
  `ENTRYPOINT`, `EXPOSE`, `LABEL` are read and ignored. Values may use `$V`, `${V}`,
  `${V:-w}`, `${V-w}` and quotes.
- `RUN` with only `--mount=` flags, in shell form (simple commands joined by `&&` or
  `;`) or exec form (a JSON array). Commands: `VAR=x` prefixes, `env VAR=x cmd`,
  `su USER -c 'script'`, `gosu USER cmd`, `useradd`, `groupadd`,
  `pip|pip3|python[3] -m pip install ...`, `pip config --global set KEY VALUE`,
  `printf 'FMT' > /etc/pip.conf` (or `/etc/xdg/pip/pip.conf`), `uv pip install ...`,
  `uv sync ...`.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field

__all__ = ["Unsupported", "Mount", "User", "Call", "analyse"]


class Unsupported(ValueError):
    """The input is outside the model's grammar (or would fail to build)."""


# --------------------------------------------------------------------------- the base image
# §1.1: the official python image's config has no HOME, USER or PIP_*; its passwd is Debian's.
BASE_IMAGE = "python:3.12-slim"
BASE_ENV = {
    "PATH": "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
    "PYTHON_VERSION": "3.12.11",
}


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int
    home: str


BASE_PASSWD = (
    Account("root", 0, 0, "/root"),
    Account("daemon", 1, 1, "/usr/sbin"),
    Account("www-data", 33, 33, "/var/www"),
    Account("_apt", 42, 65534, "/nonexistent"),
    Account("nobody", 65534, 65534, "/nonexistent"),
)
BASE_GROUPS = {"root": 0, "daemon": 1, "www-data": 33, "staff": 50, "users": 100, "nogroup": 65534}


# --------------------------------------------------------------------------- words and variables
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.S)


class _Op(str):
    """A shell operator token (`&&`, `;`, `>`, `>>`), kept apart from words."""


def _expand_dollar(s: str, i: int, env: dict[str, str]) -> tuple[str, int]:
    """`$V`, `${V}`, `${V:-w}`, `${V-w}` at s[i]; an undefined variable is empty (§1.4)."""
    if s.startswith("${", i):
        end = s.find("}", i)
        if end < 0:
            raise Unsupported(f"unterminated ${{ in {s!r}")
        body = s[i + 2 : end]
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)(.*))?", body, re.S)
        if not m:
            raise Unsupported(f"variable form ${{{body}}} is outside the grammar")
        name, op, word = m.groups()
        value = env.get(name)
        if op == ":-" and not value or op == "-" and value is None:
            return "".join(w for w in _lex(word, env, shell=False)) if word else "", end + 1
        return value or "", end + 1
    m = _NAME.match(s, i + 1)
    if not m:
        raise Unsupported(f"a lone $ in {s!r}")
    return env.get(m.group()) or "", m.end()


def _lex(s: str, env: dict[str, str], *, shell: bool) -> list[str]:
    """Split into words, removing quotes and expanding variables from `env`.

    `shell=False` is BuildKit's word lexer for ENV/ARG/USER/WORKDIR and mount options
    (§1.4: `~` stays literal); `shell=True` is sh for RUN (operators become `_Op`).
    """
    out: list[str] = []
    cur: str | None = None
    i = 0
    while i < len(s):
        c = s[i]
        if c in " \t\r\n":
            if cur is not None:
                out.append(cur)
            cur, i = None, i + 1
            continue
        if shell:
            op = next((o for o in ("&&", ">>", ";", ">") if s.startswith(o, i)), None)
            if op:
                if cur is not None:
                    out.append(cur)
                out.append(_Op(op))
                cur, i = None, i + len(op)
                continue
            if c in "|&<()`!*?[{}" or c in "~#" and cur is None:
                raise Unsupported(f"shell syntax {c!r} in {s!r} is outside the grammar")
        cur = cur or ""
        if c == "'":
            end = s.find("'", i + 1)
            if end < 0:
                raise Unsupported(f"unbalanced ' in {s!r}")
            cur, i = cur + s[i + 1 : end], end + 1
        elif c == '"':
            i += 1
            while i < len(s) and s[i] != '"':
                if s[i] == "\\" and i + 1 < len(s) and s[i + 1] in '$`"\\':
                    cur, i = cur + s[i + 1], i + 2
                elif s[i] == "$":
                    value, i = _expand_dollar(s, i, env)
                    cur += value
                elif s[i] == "`":
                    raise Unsupported("command substitution")
                else:
                    cur, i = cur + s[i], i + 1
            if i >= len(s):
                raise Unsupported(f'unbalanced " in {s!r}')
            i += 1
        elif c == "\\" and i + 1 < len(s):
            cur, i = cur + s[i + 1], i + 2
        elif c == "$":
            value, i = _expand_dollar(s, i, env)
            if shell and re.search(r"\s", value):
                raise Unsupported("an unquoted expansion with blanks would be field-split")
            cur += value
        else:
            cur, i = cur + c, i + 1
    if cur is not None:
        out.append(cur)
    return out


# --------------------------------------------------------------------------- Dockerfile text
@dataclass(frozen=True)
class Instruction:
    keyword: str
    flags: tuple[str, ...]
    args: str  # the joined text after keyword and flags
    start_line: int  # 1-based, like the parser's
    end_line: int
    start: int  # character offsets of [first line, end of last line incl. its line break)
    end: int


def instructions(text: str) -> list[Instruction]:
    """Logical instructions, joining `\\` continuations as BuildKit does (§6)."""
    if text.startswith("\ufeff"):
        raise Unsupported("a BOM")
    lines = [
        (m.start(), m.end(), m.group().rstrip("\n").removesuffix("\r"))
        for m in re.finditer(r"[^\n]*\n|[^\n]+$", text)
    ]
    skip = lambda body: not body.strip() or body.lstrip().startswith("#")  # noqa: E731
    out, i = [], 0
    while i < len(lines):
        if skip(lines[i][2]):
            if i == 0 and re.match(r"#\s*escape\s*=", lines[i][2]):
                raise Unsupported("an escape directive")
            i += 1
            continue
        first, parts, body = i, [], lines[i][2]
        while body.rstrip(" \t").endswith("\\"):
            parts.append(body.rstrip(" \t")[:-1])
            i += 1
            while i < len(lines) and skip(lines[i][2]):
                i += 1
            if i == len(lines):
                raise Unsupported("a continuation at the end of the file")
            body = lines[i][2]
        parts.append(body)
        logical = "".join(parts).strip()
        if "<<" in logical:
            raise Unsupported("heredocs are outside the grammar")
        keyword, rest = (re.split(r"[ \t]+", logical, maxsplit=1) + [""])[:2]
        flags: list[str] = []
        while keyword.upper() == "RUN" and rest.startswith("--"):
            flag, rest = (re.split(r"[ \t]+", rest, maxsplit=1) + [""])[:2]
            flags.append(flag)
        out.append(Instruction(keyword.upper(), tuple(flags), rest, first + 1, i + 1, lines[first][0], lines[i][1]))
        i += 1
    return out


# --------------------------------------------------------------------------- cache mounts (§2.1)
@dataclass(frozen=True)
class Mount:
    written: str  # the target as written
    target: str  # expanded, joined to WORKDIR, normalised
    uid: int = 0
    gid: int = 0
    mode: int = 0o755
    readonly: bool = False

    def meant_for(self, tool: str) -> bool:
        """Named for the tool (pip: `pip` not followed by `env`/`x`; uv: a component starting
        with `uv`) or a parent such as `~/.cache` (last component `.cache`)."""
        for path in (self.written, self.target):
            if posixpath.basename(path.rstrip("/")) == ".cache":
                return True
            if tool == "pip" and re.search(r"pip(?!env|x)", path):
                return True
            if tool == "uv" and any(part.startswith("uv") for part in path.split("/")):
                return True
        return False

    def __str__(self) -> str:
        written = "" if self.written == self.target else f" (written {self.written})"
        ro = " ro" if self.readonly else ""
        return f"{self.target}{written} [uid {self.uid} gid {self.gid} mode {self.mode:04o}{ro}]"


_MOUNT_KEYS = {
    "type", "target", "dst", "destination", "id", "sharing", "mode", "uid", "gid", "ro", "readonly", "rw", "readwrite"
}


def parse_mount(flag: str, env: dict[str, str], workdir: str) -> Mount | None:
    """A `--mount=` flag: CSV `key=value`, keys case-insensitive, every value expanded from
    the stage's ENV/ARG only (undefined -> empty, `~` literal); a relative target joins
    WORKDIR; uid/gid default 0, mode 0755 (§1.4, §2.1). Non-cache mounts give None."""
    if not flag.startswith("--mount="):
        raise Unsupported(f"RUN flag {flag!r} is outside the grammar")
    if any(q in flag for q in "\"'"):
        raise Unsupported("quoted mount flags are outside the grammar")
    options: dict[str, str] = {}
    for item in flag[len("--mount=") :].split(","):
        key, eq, value = item.partition("=")
        options[key.lower()] = "".join(_lex(value, env, shell=False)) if eq else "true"
    if options.get("type", "bind") != "cache":
        return None
    unknown = set(options) - _MOUNT_KEYS
    if unknown:
        raise Unsupported(f"mount options {sorted(unknown)} are outside the grammar")
    if options.get("sharing", "shared") not in ("shared", "private", "locked"):
        raise Unsupported("invalid sharing")
    written = next((v for k, v in options.items() if k in ("target", "dst", "destination")), None)
    raw = re.search(r"(?:^|,)(?:target|dst|destination)=([^,]*)", flag[len("--mount=") :], re.I)
    if not written or not raw:
        raise Unsupported("a cache mount without a target")
    target = posixpath.normpath(posixpath.join("/", workdir, written))
    if target == "/":
        raise Unsupported("a mount at / is rejected by BuildKit")
    try:
        uid, gid, mode = int(options.get("uid", "0")), int(options.get("gid", "0")), int(options.get("mode", "0755"), 8)
    except ValueError as e:
        raise Unsupported(f"mount uid/gid/mode: {e}") from None
    readonly = any(options.get(k, "false").lower() in ("true", "1") for k in ("ro", "readonly"))
    return Mount(raw.group(1), target, uid, gid, mode, readonly)


# --------------------------------------------------------------------------- verdicts
@dataclass(frozen=True)
class User:
    name: str | None  # None for a uid without passwd entry
    uid: int
    gid: int

    def __str__(self) -> str:
        return f"{self.name or '?'} (uid {self.uid}, gid {self.gid})"


@dataclass
class Call:
    """One installer call and what the model says about it."""

    index: int
    tool: str  # "pip" or "uv"
    command: str
    run: Instruction
    user: User
    home: str
    home_origin: str
    cache_dir: str | None  # None when disabled
    why: str  # where the directory comes from, or what disables the cache
    mounts: tuple[Mount, ...]
    mount: Mount | None = None  # the cache mount the directory is on
    served: bool = False
    why_not: str = ""

    @property
    def in_domain(self) -> bool:
        """The property's domain: a cache mount of the RUN is meant for this tool."""
        return any(m.meant_for(self.tool) for m in self.mounts)

    def describe(self) -> str:
        cache = f"cache {self.cache_dir} ({self.why})" if self.cache_dir else f"cache DISABLED: {self.why}"
        mounts = "; ".join(f"{m}{' meant for ' + self.tool if m.meant_for(self.tool) else ''}" for m in self.mounts)
        verdict = "SERVED" if self.served else f"NOT SERVED: {self.why_not}"
        return (
            f"call {self.index} (RUN lines {self.run.start_line}-{self.run.end_line}) {self.tool}: {self.command}\n"
            f"    user {self.user}, HOME={self.home} ({self.home_origin})\n    {cache}\n"
            f"    mounts: {mounts or 'none'}\n    {verdict}"
        )


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _may_write(tool: str, user: User, mount: Mount) -> str:
    """Why `user` may not write the mount root, or "" (§2.2, §3.4): pip as root requires
    owner uid 0 (check_path_owner); uv as root writes anything; a non-root user needs the
    POSIX write bit of the class it falls in (owner, else group, else other)."""
    if mount.readonly:
        return "the mount is read-only"
    if user.uid == 0:
        if tool == "pip" and mount.uid != 0:
            return f"pip as root disables a cache owned by uid {mount.uid} (check_path_owner, §2.2)"
        return ""
    if mount.uid == user.uid:
        bit, who = 0o200, "owner"
    elif mount.gid == user.gid:
        bit, who = 0o020, "group"
    else:
        bit, who = 0o002, "other"
    if mount.mode & bit:
        return ""
    return f"uid {user.uid} (gid {user.gid}) is in the mount's {who} class; mode {mount.mode:04o} gives it no write"


_PIP_TRUTH = {"1", "0", "true", "false", "on", "off", "yes", "no", "y", "n", "t", "f"}
_UV_TRUE, _UV_FALSE = {"y", "yes", "t", "true", "on", "1"}, {"n", "no", "f", "false", "off", "0"}


def _path(value: str, home: str, cwd: str) -> str:
    """A directory option's value: `~` expanded, relative joined to cwd (§3.2 value handling)."""
    if value == "~" or value.startswith("~/"):
        value = home + value[1:]
    return posixpath.normpath(posixpath.join(cwd, value))


def _option(args: list[str], i: int, name: str, shortest: str, takes_value: bool) -> tuple[str | None, int] | None:
    """Does args[i] spell option `name` (an optparse prefix at least `shortest` long)?
    -> (its value, the index after it), or None."""
    word, eq, value = args[i].partition("=")
    if not (len(word) >= len(shortest) and name.startswith(word)):
        return None
    if not takes_value:
        if eq:
            raise Unsupported(f"{args[i]} takes no value")
        return None, i + 1
    if eq:
        return value, i + 1
    if i + 1 >= len(args):
        raise Unsupported(f"{args[i]} without a value")
    return args[i + 1], i + 2


def pip_cache(args: list[str], env: dict[str, str], home: str, cwd: str, conf: dict) -> tuple[str | None, str]:
    """pip's cache directory (§3.1-§3.3): the last of `--cache-dir`/`--no-cache-dir` (any
    abbreviation down to `--ca`/`--no-ca`) wins; else a non-empty PIP_NO_CACHE_DIR (any
    boolean) or a config file's `no-cache-dir` disables; else PIP_CACHE_DIR; else a config
    `cache-dir` ([install] beats [global]); else $XDG_CACHE_HOME/pip (absolute only);
    else $HOME/.cache/pip."""
    cli: tuple[str | None, str] | None = None
    i = 0
    while i < len(args):
        start = i
        if args[i].startswith("--no-c"):
            found = _option(args, i, "--no-cache-dir", "--no-ca", False)
            if found is None:
                raise Unsupported(f"pip option {args[i]} is outside the grammar")
            i = found[1]
            cli = (None, f"`{args[start]}` on the command line (§3.2: the last of --cache-dir/--no-cache-dir wins)")
        elif args[i].startswith("--ca"):
            found = _option(args, i, "--cache-dir", "--ca", True)
            if found is None:
                raise Unsupported(f"pip option {args[i]} is outside the grammar")
            i = found[1]
            cli = (_path(found[0], home, cwd), f"`{' '.join(args[start:i])}` on the command line")
        elif args[i] == "--isolated" or args[i].startswith("--config"):
            raise Unsupported(f"pip option {args[i]}")
        else:
            i += 1
    if cli:
        return cli
    for name in env:
        if name.upper() in ("PIP_NO_CACHE_DIR", "PIP_CACHE_DIR") and name != name.upper() or name == "PIP_CONFIG_FILE":
            raise Unsupported(f"variable {name} is outside the grammar")
    value = env.get("PIP_NO_CACHE_DIR", "")
    if value:
        if value.lower() not in _PIP_TRUTH:
            raise Unsupported(f"PIP_NO_CACHE_DIR={value} makes pip fail")
        return None, f"PIP_NO_CACHE_DIR={value} in the environment (any boolean disables, §3.3)"
    configured = None
    for section in ("global", "install"):  # section first, then file (§3.2)
        for path, sections in conf.items():
            for key, val in sections.get(section, {}).items():
                if key == "no-cache-dir" and val:
                    if val.lower() not in _PIP_TRUTH:
                        raise Unsupported(f"no-cache-dir = {val}")
                    where = f"[{section}] of {path}"
                    return None, f"`no-cache-dir = {val}` in {where} (§3.2: only a CLI --cache-dir beats it)"
                if key == "cache-dir" and val:
                    configured = (val, f"cache-dir in [{section}] of {path}")
    if env.get("PIP_CACHE_DIR"):
        return _path(env["PIP_CACHE_DIR"], home, cwd), "PIP_CACHE_DIR"
    if configured:
        return _path(configured[0], home, cwd), configured[1]
    xdg = env.get("XDG_CACHE_HOME", "").strip()
    if xdg.startswith("/"):
        return posixpath.join(posixpath.normpath(xdg), "pip"), "$XDG_CACHE_HOME/pip"
    return posixpath.join(home, ".cache/pip"), "$HOME/.cache/pip"


def uv_cache(args: list[str], env: dict[str, str], home: str, cwd: str) -> tuple[str | None, str]:
    """uv's cache directory (§4.1): `--no-cache`/`-n`/`--no-cache-dir`, or UV_NO_CACHE truthy
    (clap boolish: 1/true/yes/on/y/t; 0/false/off/no/n/f are false) disables; else
    `--cache-dir` / UV_CACHE_DIR; else $XDG_CACHE_HOME/uv; else $HOME/.cache/uv."""
    no_cache, cache_dir = None, None
    i = 0
    while i < len(args):
        word = args[i]
        if word in ("--no-cache", "-n", "--no-cache-dir"):
            no_cache, i = f"`{word}` on the command line", i + 1
        elif word.startswith("--cache-dir"):
            if word.startswith("--cache-dir="):
                cache_dir, i = word.partition("=")[2], i + 1
            elif word == "--cache-dir" and i + 1 < len(args):
                cache_dir, i = args[i + 1], i + 2
            else:
                raise Unsupported(f"uv option {word}")
            if cache_dir.startswith("~"):
                raise Unsupported("uv does not expand ~")
        elif word.startswith("--no-c") or re.fullmatch(r"-[a-zA-Z]*n[a-zA-Z]*", word) and word != "-n":
            raise Unsupported(f"uv option {word}")
        else:
            i += 1
    if no_cache:
        return None, no_cache
    flag = env.get("UV_NO_CACHE")
    if flag is not None:
        if flag.lower() in _UV_TRUE:
            return None, f"UV_NO_CACHE={flag} in the environment"
        if flag.lower() not in _UV_FALSE:
            raise Unsupported(f"UV_NO_CACHE={flag!r}")
    if cache_dir is not None:
        return posixpath.normpath(posixpath.join(cwd, cache_dir)), "`--cache-dir` on the command line"
    if "UV_CACHE_DIR" in env:
        if not env["UV_CACHE_DIR"]:
            raise Unsupported("an empty UV_CACHE_DIR")
        return posixpath.normpath(posixpath.join(cwd, env["UV_CACHE_DIR"])), "UV_CACHE_DIR"
    xdg = env.get("XDG_CACHE_HOME")
    if xdg is not None:
        if not xdg.startswith("/"):
            raise Unsupported("a relative XDG_CACHE_HOME (uv's handling is unconfirmed)")
        return posixpath.join(posixpath.normpath(xdg), "uv"), "$XDG_CACHE_HOME/uv"
    return posixpath.join(home, ".cache/uv"), "$HOME/.cache/uv"


# --------------------------------------------------------------------------- the build
@dataclass
class Stage:
    """The frontend state of a stage (§1.3): env (ENV and ARG values, in the LLB state),
    the image config's ENV, USER, WORKDIR, and the filesystem facts the model tracks."""

    env: dict[str, str] = field(default_factory=lambda: dict(BASE_ENV))
    origin: dict[str, str] = field(default_factory=dict)
    config_env: dict[str, str] = field(default_factory=lambda: dict(BASE_ENV))
    config_origin: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    workdir: str = "/"
    passwd: list[Account] = field(default_factory=lambda: list(BASE_PASSWD))
    groups: dict[str, int] = field(default_factory=lambda: dict(BASE_GROUPS))
    pip_conf: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def child(self) -> Stage:
        """`FROM <stage>`: the parent's whole state, then its image-config ENV re-applied (§1.3)."""
        env, origin = {**self.env, **self.config_env}, {**self.origin, **self.config_origin}
        return Stage(env, origin, dict(self.config_env), dict(self.config_origin), self.user, self.workdir,
                     list(self.passwd), dict(self.groups), json.loads(json.dumps(self.pip_conf)))

    def account(self, *, uid: int | None = None, name: str | None = None) -> Account | None:
        """First passwd entry with that uid or name (lookup by numeric uid, first match, §1.1)."""
        return next((a for a in self.passwd if a.uid == uid or a.name == name), None)

    def resolve_user(self, spec: str | None) -> User:
        """USER name|uid[:gid] (§1.2 c1-c4): a name must be in passwd; a uid without entry has gid 0."""
        if spec is None:
            return User("root", 0, 0)
        who, _, group = spec.partition(":")
        entry = self.account(uid=int(who)) if who.isdigit() else self.account(name=who)
        if entry is None and not who.isdigit():
            raise Unsupported(f"unable to find user {who}: no matching entries in passwd file")
        uid = int(who) if who.isdigit() else entry.uid
        gid = entry.gid if entry else 0
        if group:
            if not group.isdigit() and group not in self.groups:
                raise Unsupported(f"unknown group {group}")
            gid = int(group) if group.isdigit() else self.groups[group]
        return User(entry.name if entry else None, uid, gid)

    def home_of(self, uid: int) -> tuple[str, str]:
        """runc: the passwd home of the uid, else / (§1.1)."""
        entry = self.account(uid=uid)
        return (entry.home, f"passwd home of uid {uid}") if entry else ("/", f"uid {uid} has no passwd entry")


class _Build:
    def __init__(self, build_args: dict[str, str]):
        self.build_args = build_args
        self.stages: dict[str, Stage] = {}
        self.global_args: dict[str, str] = {}
        self.stage: Stage | None = None
        self.calls: list[Call] = []

    # ---- instructions
    def run(self, text: str) -> list[Call]:
        for ins in instructions(text):
            handler = getattr(self, "i_" + ins.keyword.lower(), None)
            if handler is None:
                raise Unsupported(f"line {ins.start_line}: {ins.keyword} is outside the grammar")
            if self.stage is None and ins.keyword not in ("FROM", "ARG"):
                raise Unsupported(f"line {ins.start_line}: {ins.keyword} before FROM")
            handler(ins)
        return self.calls

    def i_from(self, ins: Instruction) -> None:
        words = _lex(ins.args, self.global_args, shell=False)
        if len(words) not in (1, 3) or len(words) == 3 and words[1].lower() != "as":
            raise Unsupported(f"FROM {ins.args}")
        image = words[0]
        if image.lower() in self.stages:
            self.stage = self.stages[image.lower()].child()
        elif image == BASE_IMAGE:
            self.stage = Stage()
        else:
            raise Unsupported(f"base image {image} is outside the grammar")
        if len(words) == 3:
            self.stages[words[2].lower()] = self.stage

    def i_arg(self, ins: Instruction) -> None:
        """ARG (§1.2 d1-d3, §1.3): a `--build-arg` beats the default; a value joins the RUN
        environment (overriding an earlier ENV of the same name); no value, no effect. Before
        FROM: a global ARG, visible in a stage only where re-declared."""
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?", ins.args, re.S)
        if not m:
            raise Unsupported(f"ARG {ins.args}")
        name, default = m.groups()
        env = self.stage.env if self.stage else self.global_args
        if default is not None:
            words = _lex(default, env, shell=False)
            if len(words) > 1:
                raise Unsupported(f"ARG {ins.args}")
            default = words[0] if words else ""
        if self.stage is not None and default is None:
            default = self.global_args.get(name)
        value = self.build_args.get(name, default)
        if value is None:
            return
        if self.stage is None:
            self.global_args[name] = value
        else:
            self.stage.env[name] = value
            self.stage.origin[name] = f"ARG {name} (line {ins.start_line})"

    def i_env(self, ins: Instruction) -> None:
        """ENV k=v ...: values expanded with the environment before the instruction."""
        pairs = [_ASSIGNMENT.fullmatch(w) for w in _lex(ins.args, self.stage.env, shell=False)]
        if not pairs or not all(pairs):
            raise Unsupported(f"ENV {ins.args}: only the k=v form is in the grammar")
        for m in pairs:
            self.stage.env[m[1]] = self.stage.config_env[m[1]] = m[2]
            self.stage.origin[m[1]] = self.stage.config_origin[m[1]] = f"ENV {m[1]} (line {ins.start_line})"

    def i_user(self, ins: Instruction) -> None:
        words = _lex(ins.args, self.stage.env, shell=False)
        if len(words) != 1:
            raise Unsupported(f"USER {ins.args}")
        self.stage.user = words[0]

    def i_workdir(self, ins: Instruction) -> None:
        words = _lex(ins.args, self.stage.env, shell=False)
        if len(words) != 1:
            raise Unsupported(f"WORKDIR {ins.args}")
        self.stage.workdir = posixpath.normpath(posixpath.join(self.stage.workdir, words[0]))

    def i_copy(self, ins: Instruction) -> None:
        if ins.args.startswith("--") or "<<" in ins.args:
            raise Unsupported(f"COPY {ins.args}")

    i_cmd = i_entrypoint = i_expose = i_label = lambda self, ins: None

    def i_run(self, ins: Instruction) -> None:
        """A RUN: its cache mounts (§1.4, §2.1), its user (§1.2), HOME as runc sets it (a
        non-empty HOME in the environment wins, else the passwd home of the uid, else /),
        then its commands in shell or exec form (§6)."""
        stage = self.stage
        mounts = tuple(m for m in (parse_mount(f, stage.env, stage.workdir) for f in ins.flags) if m)
        user = stage.resolve_user(stage.user)
        env = dict(stage.env)
        if env.get("HOME"):
            origin = stage.origin.get("HOME", "HOME")
        else:
            env["HOME"], origin = stage.home_of(user.uid)
        ctx = (ins, mounts)
        if ins.args.startswith("["):
            try:
                words = json.loads(ins.args)
            except ValueError:
                raise Unsupported("invalid JSON in an exec form RUN") from None
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise Unsupported("exec form must be an array of strings")
            if not words or _ASSIGNMENT.fullmatch(words[0]):
                raise Unsupported("exec form runs its first element as the program")
            self.command(words, None, env, user, origin, ctx)
        else:
            self.script(ins.args, env, user, origin, ctx)

    # ---- shell
    def script(self, text: str, env: dict, user: User, origin: str, ctx) -> None:
        """Simple commands joined by `&&`/`;`, words expanded from the shell's environment."""
        tokens = _lex(text, env, shell=True)
        command: list[str] = []
        for token in tokens + [_Op(";")]:
            if isinstance(token, _Op) and token in ("&&", ";"):
                if not command:
                    raise Unsupported(f"an empty command in {text!r}")
                redirect = None
                if len(command) >= 2 and isinstance(command[-2], _Op):
                    if command[-2] not in (">", ">>") or isinstance(command[-1], _Op):
                        raise Unsupported(f"redirection in {text!r}")
                    redirect, command = (str(command[-2]), command[-1]), command[:-2]
                if any(isinstance(w, _Op) for w in command):
                    raise Unsupported(f"operators in {text!r}")
                self.command([str(w) for w in command], redirect, env, user, origin, ctx)
                command = []
            else:
                command.append(token)

    def command(self, words: list[str], redirect, env: dict, user: User, origin: str, ctx) -> None:
        """One simple command. `VAR=x cmd` and `env VAR=x cmd` change env for cmd only;
        `su USER -c S` and `gosu USER cmd` switch to the target's uid, gid and passwd home
        (gosu: or /), keeping the rest of the environment (§6)."""
        env = dict(env)
        while words and _ASSIGNMENT.fullmatch(words[0]):
            name, value = _ASSIGNMENT.fullmatch(words[0]).groups()
            env[name] = value
            origin = f"`{words[0]}` on the command" if name == "HOME" else origin
            words = words[1:]
        if not words:
            raise Unsupported("a bare assignment")
        name, args = words[0], words[1:]
        if redirect and name != "printf":
            raise Unsupported(f"redirection of {name}")
        stage = self.stage
        if name == "env":
            if args and args[0].startswith("-"):
                raise Unsupported(f"env {args[0]}")
            return self.command(args, redirect, env, user, origin, ctx)
        if name in ("su", "gosu"):
            if user.uid != 0:
                raise Unsupported(f"{name} by a non-root user")
            if name == "su" and (len(args) != 3 or args[1] != "-c"):
                raise Unsupported(f"su {' '.join(args)}: only `su USER -c SCRIPT` is in the grammar")
            if name == "gosu" and len(args) < 2:
                raise Unsupported("gosu without a command")
            if name == "su" and args[0].isdigit():
                raise Unsupported("su takes a name")
            target = stage.resolve_user(args[0])
            home, why = stage.home_of(target.uid)
            env["HOME"] = home
            origin = f"{why}, set by {name}"
            if name == "su":
                env["USER"] = env["LOGNAME"] = target.name
                return self.script(args[2], env, target, origin, ctx)
            return self.command(args[1:], None, env, target, origin, ctx)
        if name in ("useradd", "groupadd"):
            if user.uid != 0:
                raise Unsupported(f"{name} by a non-root user")
            return self.useradd(args) if name == "useradd" else self.groupadd(args)
        if name == "printf":
            return self.printf(args, redirect, user)
        tool, tool_args = None, args
        if re.fullmatch(r"(?:.*/)?pip(?:3(?:\.\d+)?)?", name):
            tool = "pip"
        elif re.fullmatch(r"(?:.*/)?python(?:3(?:\.\d+)?)?", name) and args[:2] == ["-m", "pip"]:
            tool, tool_args = "pip", args[2:]
        elif name == "uv":
            tool = "uv"
        if tool is None:
            raise Unsupported(f"command {name!r} is outside the grammar")
        positional = [w for w in tool_args if not w.startswith("-")]
        if tool == "pip" and positional[:1] == ["config"]:
            return self.pip_config(tool_args, user)
        wanted = {"pip": (["install"],), "uv": (["sync"], ["pip", "install"])}[tool]
        if not any(positional[: len(w)] == w for w in wanted):
            raise Unsupported(f"{name} {' '.join(args)}: only installs are in the grammar")
        self.call(tool, tool_args, " ".join(words), env, user, origin, ctx)

    def call(self, tool: str, args: list[str], text: str, env: dict, user: User, origin: str, ctx) -> None:
        """Resolve the call's cache and decide whether it is served."""
        ins, mounts = ctx
        home, cwd = env["HOME"], self.stage.workdir
        if tool == "pip":
            files = ("/etc/xdg/pip/pip.conf", "/etc/pip.conf")  # the global files, in pip's order
            conf = {p: self.stage.pip_conf[p] for p in files if p in self.stage.pip_conf}
            cache_dir, why = pip_cache(args, env, home, cwd, conf)
        else:
            cache_dir, why = uv_cache(args, env, home, cwd)
        c = Call(len(self.calls), tool, text, ins, user, home, origin, cache_dir, why, mounts)
        if cache_dir is None:
            c.why_not = f"the cache is disabled by {why}"
        else:
            on = [m for m in mounts if _inside(cache_dir, m.target)]
            if not on:
                c.why_not = f"{cache_dir} is on none of the RUN's cache mounts"
            else:
                c.mount = max(on, key=lambda m: len(m.target))  # the deepest (a later equal one wins)
                c.why_not = _may_write(tool, user, c.mount)
                c.served = not c.why_not
        self.calls.append(c)

    # ---- what the build writes
    def groupadd(self, args: list[str]) -> None:
        """groupadd [-g|--gid G] NAME; without -g the next free gid from 1000."""
        gid, name = None, None
        it = iter(args)
        for w in it:
            if w in ("-g", "--gid"):
                gid = int(next(it))
            elif w.startswith("--gid="):
                gid = int(w.partition("=")[2])
            elif w.startswith("-") or name:
                raise Unsupported(f"groupadd {' '.join(args)}")
            else:
                name = w
        if not name or name in self.stage.groups or gid in self.stage.groups.values():
            raise Unsupported(f"groupadd {' '.join(args)} fails (missing or duplicate)")
        self.stage.groups[name] = gid if gid is not None else self._free(set(self.stage.groups.values()), 1000)

    def useradd(self, args: list[str]) -> None:
        """useradd [-m|-M] [-u UID] [-g GROUP] [-d HOME] [-s SHELL] NAME (Debian: home
        /home/NAME; uid the next free from 1000; without -g a new group NAME with gid = uid
        when free, and an error when a group NAME exists)."""
        opts, name = {}, None
        long = {"--uid": "-u", "--gid": "-g", "--home-dir": "-d", "--shell": "-s"}
        it = iter(args)
        for w in it:
            key, eq, value = w.partition("=")
            key = long.get(key, key)
            if key in ("-u", "-g", "-d", "-s"):
                opts[key] = value if eq else next(it, None)
            elif w in ("-m", "--create-home", "-M", "--no-create-home"):
                pass
            elif w.startswith("-") or name:
                raise Unsupported(f"useradd {' '.join(args)}")
            else:
                name = w
        if not name or self.stage.account(name=name) or None in opts.values():
            raise Unsupported(f"useradd {' '.join(args)} fails or is outside the grammar")
        taken = {a.uid for a in self.stage.passwd}
        uid = int(opts["-u"]) if "-u" in opts else self._free(taken, 1000)
        if uid in taken:
            raise Unsupported(f"useradd: uid {uid} is not unique")
        if "-g" in opts:
            g = opts["-g"]
            if not g.isdigit() and g not in self.stage.groups:
                raise Unsupported(f"useradd: group {g} does not exist")
            gid = int(g) if g.isdigit() else self.stage.groups[g]
        else:
            if name in self.stage.groups:
                raise Unsupported(f"useradd: group {name} exists - use -g")
            used = set(self.stage.groups.values())
            gid = uid if uid not in used else self._free(used, 1000)
            self.stage.groups[name] = gid
        self.stage.passwd.append(Account(name, uid, gid, opts.get("-d") or f"/home/{name}"))

    @staticmethod
    def _free(taken: set[int], start: int) -> int:
        return next(n for n in range(start, 60000) if n not in taken)

    def pip_config(self, args: list[str], user: User) -> None:
        """`pip config --global set SECTION.KEY VALUE` writes /etc/pip.conf (a global file)."""
        rest = [w for w in args if w != "--global"]
        if "--global" not in args or len(rest) != 4 or rest[:2] != ["config", "set"] or "." not in rest[2]:
            raise Unsupported(f"pip {' '.join(args)}")
        section, key = rest[2].split(".", 1)
        self._write_conf("/etc/pip.conf", f"[{section}]\n{key} = {rest[3]}\n", True, user)

    def printf(self, args: list[str], redirect, user: User) -> None:
        if not redirect or len(args) != 1 or re.search(r"%(?!%)", args[0]):
            raise Unsupported(f"printf {' '.join(args)}")
        escapes = {"n": "\n", "t": "\t", "\\": "\\"}
        text = re.sub(r"\\(.)", lambda m: escapes.get(m[1], "\\" + m[1]), args[0]).replace("%%", "%")
        self._write_conf(redirect[1], text, redirect[0] == ">>", user)

    def _write_conf(self, path: str, text: str, append: bool, user: User) -> None:
        """A global pip config file (§3.2): INI sections and `key = value` lines."""
        if path not in ("/etc/pip.conf", "/etc/xdg/pip/pip.conf"):
            raise Unsupported(f"writing {path} is outside the grammar")
        if user.uid != 0:
            raise Unsupported(f"uid {user.uid} cannot write {path}")
        conf = self.stage.pip_conf.get(path, {}) if append else {}
        section = None
        for line in text.splitlines():
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if m := re.fullmatch(r"\[([^\]]+)\]", line):
                section = m[1]
            elif (m := re.fullmatch(r"([\w.-]+)\s*[=:]\s*(.*)", line)) and section:
                conf.setdefault(section, {})[m[1]] = m[2]
            else:
                raise Unsupported(f"pip.conf line {line!r}")
        self.stage.pip_conf[path] = conf


def analyse(text: str, build_args: dict[str, str] | None = None) -> list[Call]:
    """Every installer call in the file, in order, with the model's verdict."""
    return _Build(dict(build_args or {})).run(text)


def report(calls: list[Call]) -> str:
    return "\n".join(c.describe() for c in calls) or "(no installer calls)"
