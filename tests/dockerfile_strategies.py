"""Hypothesis strategies that produce Dockerfile text for differential parser tests.

``dockerfiles()`` yields ``str`` (valid UTF-8 text, ASCII in every flag) that
mixes, at random: parser directives (``# syntax=``, ``# escape=``, ``# check=``,
fake directives after a comment/blank line or after FROM), the backtick escape,
line continuations with comment/blank/whitespace-only/escape-only lines inside
and trailing blanks after the escape char, LF/CRLF/mixed line endings, an
optional UTF-8 BOM, an optional final newline, stray ``\\r``, instruction
casing, unknown and argument-less instructions, ONBUILD (with flags and
heredocs), JSON and shell forms (including invalid JSON that falls back to
shell form), flags (``--mount`` with many options, quoted flags, ``--``),
heredocs of every kind with matching terminators, and ENV/ARG/LABEL in legacy
and ``k=v`` forms.

Most examples parse. With ``invalid=True`` (the default) about 7% contain one
deliberate error that BuildKit rejects (unterminated heredoc, repeated or
invalid directive, ``ENV`` without value, mixed ENV forms, non-string JSON
array, no instructions at all, ...).

``divergent=False`` (the default) avoids every construct that BuildKit v0.12.5
(the ``dockerfile`` oracle) and current BuildKit parse differently (see
``tests/corpus/README.md``), except the ENV/LABEL separator node, which is a
difference of representation only. ``divergent=True`` adds them on purpose
(tagged ``divergent:...``); some of those make only one of the two versions
raise (``divergent:json_nonstring_trailing`` fails in v0.12.5,
``divergent:check_directive`` and ``divergent:arith_shift`` can fail now).

``dockerfiles_with_features()`` yields ``(text, frozenset_of_feature_tags)``;
the tags say what the generator put in (``invalid:...`` / ``divergent:...``
tags mark the deliberate ones), e.g. for coverage statistics::

    from hypothesis import given
    from dockerfile_strategies import dockerfiles  # tests/ is on sys.path under pytest

    @given(dockerfiles())
    def test_same_as_oracle(text): ...

Generation is cheap: 2,000 examples take about 15 s on this machine (Hypothesis
repeats itself: about 75% of them are distinct texts). Over 2,000 examples the
oracle accepted 94% and rejected exactly the ones tagged ``invalid:...``.
"""

from __future__ import annotations

import json as _json

from hypothesis import strategies as st

__all__ = ["dockerfiles", "dockerfiles_with_features"]

# --------------------------------------------------------------------------- pools
# Shell words must not start with '#', must not end with an escape char, must keep
# quotes balanced and must have no '<<' outside quotes (heredoc detection scans whole lines).

IMAGES = [
    "python:3.12-slim",
    "python:3.11-slim-bookworm",
    "python:3.13-alpine",
    "python:${PYTHON_VERSION}-slim",
    "ghcr.io/astral-sh/uv:python3.12-bookworm-slim",
    "nvidia/cuda:12.4.1-runtime-ubuntu22.04",
    "mambaorg/micromamba:1.5.8",
    "$BASE_IMAGE",
]
STAGES = ["build", "builder", "deps", "runtime", "final", "base", "test", "wheels"]

RUN_COMMANDS = [
    "pip install --no-cache-dir -r requirements.txt",
    "pip install --upgrade pip setuptools wheel",
    "python -m pip install -e .",
    "python3 -m pip install --user httpx",
    "uv pip install --system -r requirements.txt",
    "uv sync --locked --no-install-project",
    "poetry install --only main --no-root",
    "pipenv install --deploy --system",
    "apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev && rm -rf /var/lib/apt/lists/*",
    "useradd --create-home --uid 1000 app",
    "python -m compileall -q /app",
    'echo "done" > /tmp/marker',
    "python -c 'import sys; print(sys.version)'",
    "mkdir -p /app/data && chown -R 1000:1000 /app",
    "pip wheel --wheel-dir /wheels -r requirements.txt",
    "python -m venv /opt/venv && /opt/venv/bin/pip install -U pip",
    "if [ -f requirements-dev.txt ]; then pip install -r requirements-dev.txt; fi",
    'echo "café ☕ naïve 日本語"',
    "export PIP_NO_CACHE_DIR=1 && pip install flask",
    "HOME=/tmp pip install --user rich",
    'python -c "print(2<<3)"',
    "pip install 'pydantic<2' \"uvicorn[standard]\"",
    "conda install -y numpy && conda clean -afy",
    "find /opt/venv -name '*.pyc' -delete",
]
HEREDOC_NAMES = ["EOF", "EOT", "PY", "SCRIPT", "END", "CONF", "DOC", "REQS", "requirements.txt"]
BODY_LINES = [
    "set -eux",
    "pip install --no-cache-dir -r requirements.txt",
    "python -m compileall -q /app",
    'echo "$HOME"',
    "export PATH=/opt/venv/bin:$PATH",
    'if [ -n "$X" ]; then echo yes; fi',
    "    indented line",
    "\ttab indented line",
    "echo café ☕",
    "",
    "import sys",
    "print(sys.version)",
    "print('<<EOF inside a body')",
    "# a comment inside the body",
    "ends with a backslash \\",
    "ends with a backtick `",
    "FROM scratch",
    "# escape=`",
    "[global]",
    "index-url = https://pypi.org/simple",
    "no-cache-dir = false",
    'bind = "0.0.0.0:8000"',
    "don't stop",
]
SHEBANGS = ["#!/usr/bin/env python3", "#!/bin/bash", "#!/bin/sh -e"]
COPY_SOURCES = ["requirements.txt", "pyproject.toml poetry.lock", ".", "src/", "app.py", "requirements/*.txt", "uv.lock"]
COPY_DESTS = ["/app/", ".", "/srv/app", "./", "/tmp/"]
WIN_PATHS = ["C:\\app", "C:\\Python312\\Scripts", "C:\\Users\\ContainerUser"]
ENV_KEYS = [
    "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PIP_NO_CACHE_DIR", "PIP_DISABLE_PIP_VERSION_CHECK",
    "PIP_CACHE_DIR", "UV_LINK_MODE", "UV_COMPILE_BYTECODE", "POETRY_VIRTUALENVS_IN_PROJECT",
    "VIRTUAL_ENV", "PATH", "HOME", "APP_ENV", "LANG",
]
ENV_PLAIN = ["1", "0", "off", "copy", "/opt/venv", "/opt/venv/bin:$PATH", "${HOME}/.cache/pip", "C.UTF-8", "production", "a=b"]
LEGACY_VALUES = ["1", "/home/app", "value with spaces", '"quoted legacy"', "C.UTF-8", "/opt/venv/bin:$PATH", "café au lait"]
LABEL_KEYS = ["maintainer", "org.opencontainers.image.title", "org.opencontainers.image.version", "description", '"com.example.quoted"']
ARG_NAMES = ["PYTHON_VERSION", "UID", "GID", "USERNAME", "TARGETPLATFORM", "HOME", "PIP_INDEX_URL", "BASE_IMAGE"]
JSON_WORDS = [
    "python", "-m", "app", "gunicorn", "app:app", "--bind", "0.0.0.0:8000", "/usr/bin/tini", "--",
    "café", "日本語", "😀", 'say "hi"', "back\\slash", "tab\there", "new\nline", "/", "", "<<EOF", "$HOME",
]
JSON_FALLBACK = [
    "['python', 'app.py']",
    '["python", "app.py",]',
    '["python" "app.py"]',
    '["python", "app.py"',
    "[python, app.py]",
    '["tab\there"]',
    '["C:\\app"]',
]
JSON_NON_STRING = ['["python", "-m", "http.server", 8000]', "[null]", '[["python"]]', "[true]", '["a", {"b": 1}]']
UNKNOWN = ["FOO bar baz", "COPPY requirements.txt /app/", "INCLUDE+ Dockerfile.base", "RUNN pip install x", "pip install flask", "EOF"]
ARGLESS = ["RUN", "CMD", "ENV", "ARG", "LABEL", "ONBUILD", "HEALTHCHECK", "EXPOSE", "COPY", "VOLUME", "WORKDIR", "USER"]
COMMENTS = ["# install dependencies", "#no space after hash", "   # indented comment", "# comment ending in a backslash \\", "# ünïcödé comment ☕", "# escape=`"]
HC_FLAGS = ["--interval=30s", "--timeout=3s", "--start-period=5s", "--retries=3", "--start-interval=2s"]
CACHE_TARGETS = ["/root/.cache/pip", "/root/.cache/uv", "/home/app/.cache/pip", "/var/cache/apt", "/root/.cache/pypoetry", ".cache/pip"]


# --------------------------------------------------------------------------- builder
class _Gen:
    """Mutable state of one example; every random choice goes through ``draw``."""

    def __init__(self, draw, divergent: bool):
        self.draw = draw
        self.divergent = divergent
        self.esc = "\\"
        self.lines: list[str] = []  # physical lines, without terminators
        self.features: set[str] = set()
        self.n_header = 0  # lines in the directive block

    # -- random helpers (all shrink towards "plain") --------------------------------
    def chance(self, p: float) -> bool:
        return self.draw(st.integers(0, 999)) >= 1000 - int(p * 1000)

    def pick(self, seq):
        return self.draw(st.sampled_from(seq))

    def weighted(self, pairs):
        total = sum(w for w, _ in pairs)
        x = self.draw(st.integers(0, total - 1))
        for w, v in pairs:
            if x < w:
                return v
            x -= w
        raise AssertionError

    def ws(self, p: float = 0.06) -> str:
        """Optional trailing blanks (spaces/tabs)."""
        if not self.chance(p):
            return ""
        self.features.add("trailing_whitespace")
        return self.pick([" ", "  ", "\t", " \t "])

    def kw(self, name: str) -> str:
        style = self.weighted([(82, "upper"), (9, "lower"), (9, "mixed")])
        if style == "upper":
            return name
        if style == "lower":
            self.features.add("lowercase_instruction")
            return name.lower()
        mask = self.draw(st.integers(1, 2 ** len(name) - 2))
        self.features.add("mixedcase_instruction")
        return "".join(c.lower() if mask >> i & 1 else c for i, c in enumerate(name))

    # -- emitting --------------------------------------------------------------------
    def emit(self, words: list[str], heredocs=()):
        """Emit one instruction; words[0] is the keyword. Maybe spread over continuation lines.

        A continuation may go between any two words, so a word must be something that
        survives being followed by blanks (JSON arrays are split after their commas).
        """
        breakable = list(range(1, len(words)))
        breaks: list[int] = []
        if breakable and self.chance(0.3):
            self.features.add("continuation")
            for i in breakable[:12]:
                if self.chance(0.45):
                    breaks.append(i)
            if not breaks:
                breaks.append(breakable[0])
            if heredocs:
                self.features.add("heredoc_marker_continued")
            if any(words[b - 1].startswith("--") or words[b].startswith("--") for b in breaks):
                self.features.add("flags_on_continuation_lines")
        pieces, start = [], 0
        for b in breaks + [len(words)]:
            pieces.append(words[start:b])
            start = b
        first_sep = " " if not self.chance(0.05) else self.pick(["\t", "   "])
        for n, piece in enumerate(pieces):
            if n == 0:
                text = piece[0] + (first_sep + " ".join(piece[1:]) if len(piece) > 1 else "")
            else:
                indent = self.pick(["    ", "  ", "\t", "", "      "])
                text = indent + " ".join(piece)
            last = n == len(pieces) - 1
            if not last:
                sep = self.pick([" ", " ", " ", "  ", "\t", ""])
                if sep == "":
                    sep = " "  # keep a blank between the words either side of the break
                text += sep + self.esc
                if self.chance(0.15):
                    self.features.add("continuation_trailing_whitespace")
                    text += self.pick([" ", "\t", "  ", " \t"])
                self.lines.append(text)
                for _ in range(self.weighted([(80, 0), (15, 1), (5, 2)])):
                    kind = self.pick(["comment", "blank", "spaces", "escape_only"])
                    if kind == "comment":
                        self.features.add("continuation_comment")
                        self.lines.append(self.pick(["    # comment inside the continuation", "# numpy \\", "\t# tab comment"]))
                    elif kind == "blank":
                        self.features.add("continuation_blank_line")
                        self.lines.append("")
                    elif kind == "spaces":
                        self.features.add("continuation_blank_line")
                        self.lines.append(self.pick(["   ", "\t"]))
                    else:
                        self.features.add("continuation_escape_only_line")
                        self.lines.append(self.pick(["", "    "]) + self.esc)
            else:
                self.lines.append(text + self.ws())
        for body, terminator in heredocs:
            self.lines.extend(body)
            self.lines.append(terminator)

    def between(self):
        """Comments / blank lines between instructions."""
        if self.chance(0.12):
            self.features.add("comment")
            # right after the directive block a directive-like comment would be a directive
            c = self.pick(COMMENTS if len(self.lines) > self.n_header else COMMENTS[:-1])
            if self.chance(0.1):
                self.features.add("stray_cr")
                c += "\rwith a stray carriage return"
            self.lines.append(c)
        if self.chance(0.15):
            self.features.add("blank_line")
            self.lines.append(self.pick(["", "", "  ", "\t"]))

    # -- pieces ------------------------------------------------------------------------
    def shell_words(self) -> list[str]:
        words = self.pick(RUN_COMMANDS).split(" ")
        if self.chance(0.05):
            self.features.add("stray_cr")
            words = words + ["x\ry"]
        return words

    def json_array(self) -> str:
        n = self.draw(st.integers(0, 4))
        if n == 0:
            self.features.add("json_empty_array")
        items = [self.pick(JSON_WORDS) for _ in range(n)]
        ascii_only = self.chance(0.3)
        text = "[" + ", ".join(_json.dumps(s, ensure_ascii=ascii_only) for s in items) + "]"
        if any(ord(c) > 127 for s in items for c in s) or any(c in s for s in items for c in '"\\\t\n'):
            self.features.add("json_escapes_or_unicode")
        if self.chance(0.1):
            text = text.replace("/", "\\/")
        if self.chance(0.1):
            text = text.replace(", ", ",").replace("[", "[ ").replace("]", " ]")
        return text

    def json_words(self, text: str) -> list[str]:
        """Split a JSON array after its commas so that the parts can go on continuation lines."""
        parts = text.split(", ")
        return [p + "," for p in parts[:-1]] + [parts[-1]]

    def mount(self) -> str:
        self.features.add("flag_mount")
        typ = self.weighted([(55, "cache"), (20, "bind"), (10, "secret"), (8, "ssh"), (7, "tmpfs")])
        quoted = self.weighted([(80, None), (10, '"'), (5, "'"), (5, "partial")])
        spaced = quoted in ('"', "'") and self.chance(0.4)
        target = self.pick(CACHE_TARGETS) + (" dir" if spaced else "")
        opts = []
        if typ != "bind" or self.chance(0.5):
            opts.append(f"type={typ}")
        tkey = self.pick(["target", "target", "dst", "destination"])
        if typ in ("cache", "tmpfs", "bind"):
            opts.append(f"{tkey}={target}")
        if typ == "cache":
            if self.chance(0.3):
                opts.append("id=" + self.pick(["pip", "uv-${UID}", "apt-cache"]))
            if self.chance(0.3):
                opts.append("sharing=" + self.pick(["locked", "private", "shared"]))
            if self.chance(0.25):
                opts += ["uid=1000", "gid=1000"]
            if self.chance(0.15):
                opts.append("mode=0755")
            if self.chance(0.1):
                opts.append("from=build")
        elif typ == "bind":
            opts.append("source=" + self.pick(["requirements.txt", "uv.lock", ".", "/wheels"]))
            if self.chance(0.3):
                opts.append("from=" + self.pick(["build", "ghcr.io/astral-sh/uv:0.4"]))
            if self.chance(0.5):
                opts.append(self.pick(["ro", "readonly", "rw", "readwrite=true"]))
        elif typ == "secret":
            opts.append("id=" + self.pick(["pypi_token", "netrc"]))
            if self.chance(0.5):
                opts.append(self.pick(["env=PIP_INDEX_URL", "target=/root/.netrc", "required=true"]))
        elif typ == "ssh":
            if self.chance(0.5):
                opts.append("id=default")
        else:
            if self.chance(0.5):
                opts.append("size=512m")
        order = self.draw(st.permutations(range(len(opts)))) if self.chance(0.2) else range(len(opts))
        body = ",".join(opts[i] for i in order)
        if self.esc == "\\" and self.chance(0.04):
            self.features.add("flag_escape")
            body = body.replace(",", "\\,", 1) if "," in body else body + "\\,x"
        if quoted in ('"', "'"):
            self.features.add("flag_quoted")
            return f"--mount={quoted}{body}{quoted}"
        if quoted == "partial" and f"={target}" in body:
            self.features.add("flag_quoted")
            return "--mount=" + body.replace(f"={target}", f'="{target}"')
        return "--mount=" + body

    def run_flags(self) -> list[str]:
        flags = []
        for _ in range(self.weighted([(55, 0), (30, 1), (10, 2), (5, 4)])):
            flags.append(self.mount())
        if self.chance(0.06):
            flags.append("--network=" + self.pick(["none", "host", "default"]))
        if self.chance(0.03):
            flags.append("--security=insecure")
        if flags:
            self.features.add("flags")
            if self.chance(0.05):
                self.features.add("flag_double_dash")
                flags.append("--")
        return flags

    def copy_flags(self, add: bool = False) -> list[str]:
        pool = ["--from=build", "--chown=1000:1000", "--chown=app:app", "--chmod=755", "--link", "--link=false",
                "--parents", "--exclude=*.pyc", '--chown="app:app"']
        if add:
            pool = ["--checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d",
                    "--keep-git-dir=true", "--chmod=644", "--link"]
        flags = [self.pick(pool) for _ in range(self.weighted([(60, 0), (25, 1), (15, 2)]))]
        if flags:
            self.features.add("flags")
        return flags

    def heredoc(self, *, chomp_ok=True, lookalikes=True, name=None):
        """-> (marker word, (body lines, terminator line))"""
        self.features.add("heredoc")
        name = name or self.pick(HEREDOC_NAMES)
        chomp = chomp_ok and self.chance(0.2)
        quote = self.weighted([(70, ""), (10, "'"), (10, '"'), (5, "partial"), (5, "backslash")])
        if quote in ("'", '"'):
            self.features.add("heredoc_quoted")
            marker_name = f"{quote}{name}{quote}"
        elif quote == "partial" and len(name) > 1:
            self.features.add("heredoc_quoted")
            marker_name = f'{name[:-1]}"{name[-1]}"'
        elif quote == "backslash":
            self.features.add("heredoc_quoted")
            marker_name = "\\" + name
        else:
            marker_name = name
        fd = ""
        if self.chance(0.06):
            self.features.add("heredoc_fd")
            fd = self.pick(["2", "3", "10"])
        marker = f"{fd}<<{'-' if chomp else ''}{marker_name}"
        body = []
        if self.chance(0.15):
            self.features.add("heredoc_shebang")
            body.append(self.pick(SHEBANGS))
        for _ in range(self.draw(st.integers(0, 4))):
            line = self.pick(BODY_LINES)
            if chomp and self.chance(0.6):
                line = "\t" + line
            body.append(line)
        if lookalikes and self.chance(0.12):
            self.features.add("heredoc_terminator_lookalike")
            body.append(self.pick([name + " ", " " + name, name + "x"] + ([] if chomp else ["\t" + name, name + "\t"])))
        body = [b for b in body if (b.lstrip("\t") if chomp else b) != name]
        terminator = name
        if chomp:
            self.features.add("heredoc_chomp")
            terminator = self.pick(["", "\t", "\t\t"]) + name
        return marker, (body, terminator)

    # -- instructions --------------------------------------------------------------------
    def i_run(self):
        kw = self.kw("RUN")
        form = self.weighted([(70, "shell"), (18, "heredoc"), (8, "json"), (4, "json_lookalike")])
        if form == "shell":
            self.emit([kw] + self.run_flags() + self.shell_words())
        elif form == "json":
            self.features.add("json_form")
            self.emit([kw] + self.run_flags() + self.json_words(self.json_array()))
        elif form == "json_lookalike":
            self.features.add("json_form")
            self.features.add("heredoc_in_json_not_heredoc")
            self.emit([kw, '["/bin/sh",', '"-c",', '"cat <<EOF"]'])
        else:
            self.run_heredoc(kw)

    def run_heredoc(self, kw):
        flags = self.run_flags()
        style = self.weighted([(45, "plain"), (20, "interp_after"), (20, "interp_before"), (15, "multi")])
        if style == "plain":
            marker, doc = self.heredoc()
            self.emit([kw] + flags + [marker], [doc])
        elif style == "interp_after":
            self.features.add("heredoc_interpreter")
            marker, doc = self.heredoc()
            tail = self.pick(["bash -ex", "bash", "sh -e", "python3", "python3 -"]).split(" ")
            self.emit([kw] + flags + [marker] + tail, [doc])
        elif style == "interp_before":
            self.features.add("heredoc_interpreter")
            marker, doc = self.heredoc()
            head = self.pick(["python3", "cat", "bash -s", "python -"]).split(" ")
            tail = self.pick(["", "| python3 -", "> /etc/pip.conf", ">> /root/.bashrc", "&& echo done"]).split(" ")
            self.emit([kw] + flags + head + [marker] + [t for t in tail if t], [doc])
        else:
            self.features.add("heredoc_multiple")
            n = self.draw(st.integers(2, 3))
            names = self.draw(st.lists(st.sampled_from(HEREDOC_NAMES), min_size=n, max_size=n))
            docs = [self.heredoc(name=nm) for nm in names]
            self.emit([kw] + flags + ["cat"] + [m for m, _ in docs] + [">", "/tmp/out"], [d for _, d in docs])

    def i_copy(self, name="COPY"):
        kw = self.kw(name)
        form = self.weighted([(65, "shell"), (15, "heredoc"), (12, "json"), (8, "json_fallback")])
        flags = self.copy_flags(add=name == "ADD")
        if form == "shell":
            src = self.pick(COPY_SOURCES).split(" ")
            dest = self.pick(COPY_DESTS)
            if self.esc == "`" and self.chance(0.3):
                self.features.add("windows_path")
                dest = self.pick(WIN_PATHS) + "\\"
                self.features.add("trailing_backslash_literal")
            self.emit([kw] + flags + src + [dest])
        elif form == "json":
            self.features.add("json_form")
            arr = '["requirements.txt", "/app/"]' if self.chance(0.5) else '["src/", "café.txt", "/app/src/"]'
            self.emit([kw] + flags + self.json_words(arr))
        elif form == "json_fallback":
            self.features.add("json_invalid_fallback")
            self.emit([kw] + flags + ['["a.txt"', '"b.txt"]', "/dst/"])
        else:
            n = self.weighted([(75, 1), (20, 2), (5, 3)])
            if n > 1:
                self.features.add("heredoc_multiple")
            docs = [self.heredoc() for _ in range(n)]
            self.emit([kw] + flags + [m for m, _ in docs] + [self.pick(["/app/", "/etc/pip.conf", "/dst/"])],
                      [d for _, d in docs])

    def env_value(self) -> str:
        kind = self.weighted([(50, "plain"), (20, "dq"), (8, "sq"), (8, "escaped_space"), (8, "empty"), (6, "escaped_quote")])
        if kind == "plain":
            return self.pick(ENV_PLAIN)
        if kind == "dq":
            return self.pick(['"/opt/venv/bin:${PATH}"', '"My App"', '"café ☕"', '""'])
        if kind == "sq":
            return self.pick(["'single quoted'", "'$NOT_EXPANDED'"])
        if kind == "escaped_space":
            self.features.add("env_escape")
            return f"a{self.esc} b"
        if kind == "empty":
            return ""
        self.features.add("env_escape")
        return f'"say {self.esc}"hi{self.esc}""'

    def i_env(self, name="ENV"):
        kw = self.kw(name)
        keys = LABEL_KEYS if name == "LABEL" else ENV_KEYS
        if self.chance(0.25):
            self.features.add(f"{name.lower()}_legacy")
            value = self.pick(LEGACY_VALUES)
            self.emit([kw, self.pick(keys)] + value.split(" "))
        else:
            self.features.add(f"{name.lower()}_kv")
            n = self.weighted([(50, 1), (30, 2), (20, 4)])
            self.emit([kw] + [f"{self.pick(keys)}={self.env_value()}" for _ in range(n)])

    def i_arg(self):
        self.features.add("arg")
        words = []
        for _ in range(self.weighted([(70, 1), (30, 2)])):
            nm = self.pick(ARG_NAMES)
            words.append(nm if self.chance(0.4) else f"{nm}={self.env_value()}")
        self.emit([self.kw("ARG")] + words)

    def i_exec(self, name):
        kw = self.kw(name)
        form = self.weighted([(60, "json"), (30, "shell"), (10, "fallback")])
        if form == "json":
            self.features.add("json_form")
            self.emit([kw] + self.json_words(self.json_array()))
        elif form == "shell":
            self.emit([kw] + self.pick(["python -m app", "gunicorn app:app --bind 0.0.0.0:8000", "exec python -m app"]).split(" "))
        else:
            self.features.add("json_invalid_fallback")
            self.emit([kw, self.pick(JSON_FALLBACK)])

    def i_healthcheck(self):
        self.features.add("healthcheck")
        kw = self.kw("HEALTHCHECK")
        form = self.weighted([(20, "none"), (45, "shell"), (35, "json")])
        if form == "none":
            self.emit([kw, "NONE"])
            return
        flags = [self.pick(HC_FLAGS) for _ in range(self.draw(st.integers(0, 3)))]
        cmd = self.kw("CMD")
        if form == "shell":
            self.emit([kw] + flags + [cmd] + "curl -f http://localhost:8000/health || exit 1".split(" "))
        else:
            self.features.add("json_form")
            self.emit([kw] + flags + [cmd] + self.json_words('["python", "-c", "import app"]'))

    def i_onbuild(self):
        self.features.add("onbuild")
        kw = self.kw("ONBUILD")
        what = self.weighted([(35, "run"), (20, "copy"), (15, "heredoc"), (15, "env"), (15, "cmd")])
        if what == "run":
            flags = self.run_flags()
            if flags:
                self.features.add("onbuild_flags")
            self.emit([kw, self.kw("RUN")] + flags + self.shell_words())
        elif what == "copy":
            flags = self.copy_flags()
            if flags:
                self.features.add("onbuild_flags")
            self.emit([kw, self.kw("COPY")] + flags + [".", "/app"])
        elif what == "heredoc":
            self.features.add("onbuild_heredoc")
            marker, doc = self.heredoc()
            if self.chance(0.5):
                self.emit([kw, self.kw("COPY"), marker, "/app/config.py"], [doc])
            else:
                self.emit([kw, self.kw("RUN"), marker], [doc])
        elif what == "env":
            self.features.add("env_kv")
            self.emit([kw, self.kw("ENV"), "APP_ENV=production", "PORT=8000"])
        else:
            self.features.add("json_form")
            self.emit([kw, self.kw("CMD")] + self.json_words('["python", "-m", "app"]'))

    def i_misc(self):
        what = self.pick(["WORKDIR", "USER", "EXPOSE", "VOLUME", "SHELL", "STOPSIGNAL", "MAINTAINER"])
        kw = self.kw(what)
        if what == "WORKDIR":
            if self.esc == "`" and self.chance(0.5):
                self.features.add("windows_path")
                self.features.add("trailing_backslash_literal")
                self.emit([kw, self.pick(WIN_PATHS) + "\\"])
            else:
                self.emit([kw] + self.pick(["/app", "/srv/my app", "$HOME/src"]).split(" "))
        elif what == "USER":
            self.emit([kw, self.pick(["app", "1000:1000", "nobody", "${UID}"])])
        elif what == "EXPOSE":
            self.emit([kw] + self.pick(["8000", "8000/tcp 9090/udp", "80 443"]).split(" "))
        elif what == "VOLUME":
            if self.chance(0.5):
                self.features.add("json_form")
                self.emit([kw] + self.json_words('["/data", "/logs"]'))
            else:
                self.emit([kw, "/data", "/logs"])
        elif what == "SHELL":
            self.features.add("json_form")
            self.emit([kw] + self.json_words('["/bin/bash", "-o", "pipefail", "-c"]'))
        elif what == "STOPSIGNAL":
            self.emit([kw, "SIGTERM"])
        else:
            self.emit([kw, "Jane", "Doe", "<jane@example.com>"])

    def i_odd(self):
        what = self.weighted([(35, "unknown"), (25, "argless"), (20, "escaped_escape"), (20, "lone_escape")])
        if what == "unknown":
            self.features.add("unknown_instruction")
            self.lines.append(self.pick(UNKNOWN) + self.ws())
        elif what == "argless":
            self.features.add("instruction_without_arguments")
            self.lines.append(self.kw(self.pick(ARGLESS)) + self.ws())
        elif what == "escaped_escape":
            # two escape chars at the end of a line: not a continuation
            self.features.add("escaped_escape_at_eol")
            self.lines.append(f"{self.kw('RUN')} echo literal {self.esc}{self.esc}" + self.ws())
        else:
            # a line holding only the escape char continues into the next instruction
            self.features.add("lone_escape_line")
            self.lines.append(self.esc + self.ws())
            if self.chance(0.3):
                self.lines.append("# comment after the lone escape")
            self.i_run()

    def instruction(self):
        self.between()
        self.weighted([
            (30, self.i_run), (12, self.i_copy), (3, lambda: self.i_copy("ADD")), (10, self.i_env),
            (4, lambda: self.i_env("LABEL")), (5, self.i_arg), (6, lambda: self.i_exec("CMD")),
            (3, lambda: self.i_exec("ENTRYPOINT")), (3, self.i_healthcheck), (5, self.i_onbuild),
            (9, self.i_misc), (5, self.i_odd),
        ])()

    def from_line(self):
        words = [self.kw("FROM")]
        if self.chance(0.12):
            self.features.add("flags")
            words.append(self.pick(["--platform=$BUILDPLATFORM", "--platform=linux/amd64"]))
        words.append(self.pick(IMAGES))
        if self.chance(0.6):
            words += [self.pick(["AS", "as", "As"]), self.pick(STAGES)]
        self.emit(words)

    # -- directives ----------------------------------------------------------------------
    def directive(self, key: str, value: str) -> str:
        k = self.pick([key, key, key.upper(), key.capitalize()])
        fmt = self.pick(["# {k}={v}", "# {k}={v}", "#{k}={v}", "# {k} = {v}", "#  {k}  =  {v}  "])
        if k != key or fmt != "# {k}={v}":
            self.features.add("directive_odd_spelling")
        return fmt.format(k=k, v=value)

    def header(self, invalid_kind):
        if invalid_kind == "repeated_directive":
            key = self.pick(["syntax", "escape"])
            v1, v2 = ("docker/dockerfile:1", "docker/dockerfile:1.7-labs") if key == "syntax" else ("\\", "`")
            self.lines += [self.directive(key, v1), self.directive(key, v2)]
            return
        if invalid_kind == "invalid_escape":
            self.lines.append(self.pick(["# escape=^", "# escape= ", "# escape=``", "# escape=\\\\", "# escape=/"]))
            return
        mode = self.weighted([(52, "none"), (15, "syntax"), (12, "escape"), (10, "both"), (6, "fake"), (5, "escape_backslash")])
        if mode == "fake":
            # a directive after a comment or blank line is just a comment
            self.features.add("fake_directive")
            self.lines.append(self.pick(["", "# Dockerfile for the API service", "# platform=linux/amd64"]))
            self.lines.append("# escape=`")
            return
        if mode in ("syntax", "both"):
            self.features.add("directive_syntax")
            self.lines.append(self.directive("syntax", self.pick(["docker/dockerfile:1", "docker/dockerfile:1.7-labs"])))
        if mode in ("escape", "both"):
            self.features.add("directive_escape")
            self.features.add("escape_backtick")
            self.lines.append(self.directive("escape", "`"))
            self.esc = "`"
        if mode == "escape_backslash":
            self.features.add("directive_escape")
            self.lines.append(self.directive("escape", "\\"))
        if mode != "none" and self.chance(0.25):
            # last in the block, so v0.12.5 (which does not know `check`) agrees
            self.features.add("directive_check")
            self.lines.append(self.directive("check", self.pick(["skip=JSONArgsRecommended", "error=true", "skip=all"])))

    # -- deliberate divergences --------------------------------------------------------------
    def divergence(self):
        kinds = ["heredoc_space", "json_trailing", "json_nonstring_trailing", "arith_shift",
                 "param_modifier_heredoc", "json_then_heredoc"]
        if self.esc == "`":
            kinds.append("backtick_flag_backslash")  # flags unescape with \\ (v0.12.5) or ` (now)
        kind = self.pick(kinds)
        self.features.add("divergent:" + kind)
        if kind == "heredoc_space":
            self.lines += ["RUN << EOF", "pip install flask", "EOF"]
        elif kind == "json_trailing":
            self.lines.append('CMD ["python", "-m", "app"] # start')
        elif kind == "json_nonstring_trailing":
            self.lines.append("CMD [8000] x")
        elif kind == "arith_shift":
            self.lines.append("RUN echo $((1 << 4))")
        elif kind == "param_modifier_heredoc":
            self.lines += ["RUN cat <<EOF > /etc/py-${PYTHON_VERSION%.*}", "x", "EOF"]
        elif kind == "json_then_heredoc":
            self.lines += ['RUN ["python3"] <<EOF', "print(1)", "EOF"]
        else:
            self.lines.append("RUN --mount=type=cache,target=C:\\pip\\cache pip install flask")

    # -- deliberate errors -------------------------------------------------------------------
    def error_tail(self, kind):
        if kind == "unterminated_heredoc":
            marker, (body, term) = self.heredoc(lookalikes=False)
            self.lines.append(f"RUN {marker}")
            self.lines += body
            if self.chance(0.5):
                self.lines.append(term + " ")  # trailing blank: not the terminator
        elif kind == "heredoc_glued_redirect":
            self.lines += ["RUN cat <<EOF>/etc/pip.conf", "[global]", "EOF"]
        elif kind == "env_missing_value":
            self.lines.append(f"{self.kw('ENV')} {self.pick(ENV_KEYS)}")
        elif kind == "label_missing_value":
            self.lines.append(f"{self.kw('LABEL')} maintainer")
        elif kind == "env_mixed_forms":
            self.lines.append(f"{self.kw('ENV')} PYTHONPATH=/app POETRY_HOME /opt/poetry")
        elif kind == "env_unicode_space":
            self.lines.append(f"{self.kw('ENV')} GREETING=hello\u00a0world")
        elif kind == "onbuild_env_missing_value":
            self.lines.append(f"{self.kw('ONBUILD')} {self.kw('ENV')} PIP_NO_CACHE_DIR")
        elif kind == "json_non_string":
            self.lines.append(f"{self.kw(self.pick(['CMD', 'RUN', 'ENTRYPOINT', 'COPY', 'VOLUME']))} {self.pick(JSON_NON_STRING)}")


@st.composite
def dockerfiles_with_features(draw, *, invalid: bool = True, divergent: bool = False):
    """Strategy of ``(dockerfile_text, frozenset_of_feature_tags)``."""
    g = _Gen(draw, divergent)
    invalid_kind = None
    if invalid and g.chance(0.07):
        invalid_kind = g.pick([
            "unterminated_heredoc", "repeated_directive", "invalid_escape", "env_missing_value",
            "label_missing_value", "env_mixed_forms", "json_non_string", "no_instructions",
            "heredoc_glued_redirect", "onbuild_env_missing_value", "env_unicode_space",
        ])
        g.features.add("invalid:" + invalid_kind)
    g.header(invalid_kind)
    if divergent and invalid_kind not in ("repeated_directive", "invalid_escape") and g.chance(0.3):
        g.features.add("divergent:check_directive")
        # `check` before `escape` (v0.12.5 stops reading directives at `check`), or repeated
        if g.chance(0.5):
            g.lines[:0] = ["# check=skip=all", "# escape=`"]
        else:
            g.lines[:0] = ["# check=skip=all", "# check=error=true"]
    g.n_header = len(g.lines)

    if invalid_kind == "no_instructions":
        for _ in range(g.draw(st.integers(0, 4))):
            g.lines.append(g.pick(["", "   ", "# only comments here", "#RUN pip install flask", "\t"]))
    else:
        if g.chance(0.3):
            g.i_arg()
        for stage in range(g.weighted([(45, 1), (35, 2), (15, 3), (5, 4)])):
            g.between()
            g.from_line()
            if stage == 0 and g.chance(0.04):
                g.features.add("directive_after_from")
                g.lines.append("# escape=`")
            for _ in range(g.draw(st.integers(1, 10))):
                g.instruction()
        if divergent and g.chance(0.5):
            g.divergence()
        if invalid_kind and invalid_kind not in ("repeated_directive", "invalid_escape"):
            g.error_tail(invalid_kind)
        elif g.chance(0.03):
            # the last instruction continues into blank lines and the end of the file
            g.features.add("empty_continuation_at_eof")
            g.lines.append(f"{g.kw('RUN')} pip install flask {g.esc}")
            g.lines += [""] * g.draw(st.integers(0, 2))

    # ------------------------------------------------------------------ render
    eol = g.weighted([(70, "lf"), (20, "crlf"), (10, "mixed")])
    if eol != "lf":
        g.features.add("eol_" + eol)
    final_newline = not g.chance(0.15)
    if not final_newline:
        g.features.add("no_final_newline")
    if eol == "mixed":
        mask = draw(st.lists(st.booleans(), min_size=len(g.lines), max_size=len(g.lines)))
        ends = ["\r\n" if m else "\n" for m in mask]
    else:
        ends = ["\r\n" if eol == "crlf" else "\n"] * len(g.lines)
    if ends and not final_newline:
        ends[-1] = ""
    text = "".join(line + end for line, end in zip(g.lines, ends))
    if g.chance(0.08):
        g.features.add("bom")
        text = "\ufeff" + text
    if any(f.startswith("heredoc") for f in g.features) and eol != "lf":
        g.features.add("heredoc_crlf")
    return text, frozenset(g.features)


def dockerfiles(*, invalid: bool = True, divergent: bool = False):
    """Strategy of Dockerfile text (see the module docstring)."""
    return dockerfiles_with_features(invalid=invalid, divergent=divergent).map(lambda pair: pair[0])
