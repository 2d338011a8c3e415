"""Build stages and the Dockerfile-level state each instruction runs in.

This is the part of the analysis that BuildKit's frontend computes before anything
runs (moby/buildkit `dockerfile2llb/convert.go`): stages and their bases, the
environment a RUN gets (base image config Env, ENV, and ARG values, since BuildKit adds
ARG values to the environment), USER, WORKDIR and SHELL, with every value's origin.
Rules that follow the frontend exactly:
- ARGs before the first FROM are global: visible in FROM lines, and inside a stage only
  when re-declared by name (`dispatchArg` takes the global value then).
- An in-stage ARG's value is the `--build-arg` if given, else its default expanded with
  the current environment; with neither it sets nothing. An ARG set after an ENV of the
  same name overrides it for later instructions (`d.state.AddEnv`).
- `FROM <stage>` inherits the whole state, then the base stage's image config Env
  (ENV values only) is applied again on top (`dispatchStages`), so an ARG that had
  overridden an ENV in the parent does not in the child.
- Words are expanded with BuildKit's lexer and the Dockerfile's escape character.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

from . import images
from .facts import BUILTIN, Known, Origin
from .records import NamedTuple, slots_repr
from .syntax import Dockerfile, Instruction
from .words import LexError, Lexer, is_plain

DEFAULT_SHELL = ("/bin/sh", "-c")
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Set by the builder from the build platform; their values depend on the machine.
PLATFORM_ARGS = frozenset(
    {
        "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
        "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "TARGETSTAGE",
    }
)  # fmt: skip


# An environment variable as a RUN sees it: its value, where it was set, and whether it is
# certain (False when a --build-arg could change it: ARG values and what derives from them).
# The plain class, not `Known[str]`: calling a subscripted generic class is slower.
Variable = Known


# The instructions that change the state (`_Walker.step`).
_STATE_KEYWORDS = frozenset({"ENV", "ARG", "USER", "WORKDIR", "SHELL"})


class Stage:
    """One FROM and what follows it."""

    __slots__ = ("index", "name", "instruction", "base_name", "base_name_certain", "base_stage", "image",
                 "instructions")

    def __init__(
        self,
        index: int,
        name: str | None,
        instruction: Instruction,
        base_name: str,
        base_name_certain: bool,
        base_stage: Stage | None,
        image: images.ImageFacts | None,
    ) -> None:
        self.index = index
        self.name = name
        self.instruction = instruction
        self.base_name = base_name
        self.base_name_certain = base_name_certain
        self.base_stage = base_stage
        self.image = image
        self.instructions: list[Instruction] = []

    __repr__ = slots_repr

    @property
    def label(self) -> str:
        return self.name or str(self.index)


class State:
    """The frontend state an instruction runs in. Never mutated once built: each change copies.

    `env` is what a RUN's process gets and what words expand with; `config_env` is the
    image config's Env (ENV only), which child stages re-apply. `unknown` names what the
    base image may set that dockerfix does not know: "env" (its config Env is not fully
    known, so HOME or PIP_* may come from it) and "user" (its config User is not known;
    None then does not mean root). `base_name` is the stage's base (`Stage.base_name`),
    for messages.

    A state holds nothing that a position in the text decides but line numbers (no
    instruction, no `Stage`), so that the fix loop's next pass can take the same state
    object again where the text before it did not change (`_Walker`'s `memo`).
    """

    __slots__ = ("base_name", "env", "config_env", "user", "workdir", "shell", "unknown", "_values", "_doubtful")

    def __init__(
        self,
        base_name: str,
        env: dict[str, Variable],
        config_env: dict[str, Variable],
        user: Variable | None,
        workdir: Variable,
        shell: tuple[str, ...],
        unknown: frozenset[str] = frozenset(),
        _values: dict[str, str] | None = None,
    ) -> None:
        self.base_name = base_name
        self.env = env
        self.config_env = config_env
        self.user = user
        self.workdir = workdir
        self.shell = shell
        self.unknown = unknown
        self._values = _values
        self._doubtful: dict[str, Origin] | None = None

    __repr__ = slots_repr

    def values(self) -> dict[str, str]:
        """Plain name -> value mapping for the lexer, built once per state."""
        if self._values is None:
            self._values = {name: variable.value for name, variable in self.env.items()}
        return self._values

    def doubtful(self) -> dict[str, Origin]:
        """The variables a build argument can change, with their origins, built once per state."""
        if self._doubtful is None:
            self._doubtful = {name: variable.origin for name, variable in self.env.items() if not variable.certain}
        return self._doubtful

    def replace(self, **changes: object) -> State:
        """A copy with `changes`; the cached `values()` are dropped unless given."""
        state = State(self.base_name, self.env, self.config_env, self.user, self.workdir, self.shell, self.unknown)
        for name, value in changes.items():
            setattr(state, name, value)
        return state


class Expansion(NamedTuple):
    """A word after expansion, and whether a build argument or an unknown took part."""

    value: str
    certain: bool
    error: str | None = None


class StagesResult:
    """The stages, the state before each instruction (and after WORKDIR and USER), by `id()`."""

    __slots__ = ("stages", "state_before", "stage_of", "global_args", "errors", "state_after_")

    def __init__(self) -> None:
        self.stages: list[Stage] = []
        self.state_before: dict[int, State] = {}
        self.stage_of: dict[int, Stage] = {}
        self.global_args: dict[str, Variable] = {}
        self.errors: list[tuple[Instruction, str]] = []
        self.state_after_: dict[int, State] = {}

    __repr__ = slots_repr

    def state(self, instruction: Instruction) -> State | None:
        """The state an instruction runs in."""
        return self.state_before.get(id(instruction))

    def state_after(self, instruction: Instruction) -> State | None:
        """The state after an instruction (recorded for WORKDIR and USER)."""
        return self.state_after_.get(id(instruction))


def expand(word: str, env: Mapping[str, Variable], values: Mapping[str, str], escape: str) -> Expansion:
    """Expand a word as the frontend does; uncertain if it used a variable a build arg sets."""
    if is_plain(word, escape):
        return Expansion(word, True)  # most words
    lexer = Lexer(escape=escape)
    try:
        value = lexer.process_word(word, values)
    except LexError as exc:
        return Expansion(word, False, str(exc))
    return Expansion(value, expansion_certain(lexer, env))


def expansion_certain(lexer: Lexer, env: Mapping[str, Variable]) -> bool:
    """Whether what `lexer` expanded is certain: no variable a build argument can change
    was used, and no platform argument (set by the builder's machine) was asked for."""
    return not any(not env[name].certain for name in lexer.matched if name in env) and not (
        lexer.unmatched & PLATFORM_ARGS
    )


class _Walker:
    """Walks the instructions once, stage by stage, computing the state before each.

    `memo` (None: none) is kept by the caller across the fix loop's passes over one
    file, by instruction id: a step from the same state object over an instruction the
    last pass had too (`Dockerfile.moved`), at the same line, gives the state
    object that pass got, so that what the analysis works out from a state is worked out
    once (analysis.PassMemo). Each entry holds its instruction and input state, so that
    their ids stay their own while the entry lives.
    """

    def __init__(self, tree: Dockerfile, build_args: Mapping[str, str], memo: dict[object, object] | None) -> None:
        self.tree = tree
        self.escape = tree.escape
        self.build_args = dict(build_args)
        self.memo = memo
        self.moved = tree.moved  # the instructions of the last pass's tree each one is (`Dockerfile.moved`)
        self.result = StagesResult()
        self.final_states: dict[int, State] = {}
        self.named: dict[str, Stage] = {}

    def run(self) -> StagesResult:
        state: State | None = None
        stage: Stage | None = None
        stage_of, state_before = self.result.stage_of, self.result.state_before
        for instruction in self.tree.instructions:
            keyword = instruction.keyword
            if keyword == "FROM":
                if state is not None and stage is not None:
                    self.final_states[stage.index] = state
                stage, state = self.start_stage(instruction)
                state_before[id(instruction)] = state
                continue
            if state is None or stage is None:
                if keyword == "ARG":
                    self.global_arg(instruction)
                continue
            stage.instructions.append(instruction)
            stage_of[id(instruction)] = stage
            state_before[id(instruction)] = state
            if keyword in _STATE_KEYWORDS:  # the others leave the state as it is
                state = self.stepped(state, instruction)
                if keyword in ("WORKDIR", "USER"):
                    self.result.state_after_[id(instruction)] = state
        return self.result

    def stepped(self, state: State, instruction: Instruction) -> State:
        """`step`, or what the last pass got from the same state over the same instruction."""
        if self.memo is None:
            return self.step(state, instruction)
        errors = self.result.errors
        # An ARG without a default takes the global one of its name.
        arguments = tuple(self.result.global_args.items()) if instruction.keyword == "ARG" else ()
        before = self.moved.get(id(instruction), instruction) if self.moved else instruction
        found = self.memo.get(id(before))
        if (found is not None and found[0] is before and found[1] is state and found[2] == arguments
                and before.start_line == instruction.start_line):  # fmt: skip
            after, messages = found[3], found[4]  # type: ignore[index]
            errors.extend((instruction, message) for message in messages)
        else:
            count = len(errors)
            after = self.step(state, instruction)
            messages = tuple(message for _, message in errors[count:]) if len(errors) > count else ()
        self.memo[id(instruction)] = (instruction, state, arguments, after, messages)
        return after  # type: ignore[no-any-return]

    def global_arg(self, instruction: Instruction) -> None:
        for word in instruction.value:
            name, has_default, default = word.partition("=")
            origin = Origin(f"global ARG {name}", instruction.start_line)
            if name in self.build_args:
                self.result.global_args[name] = Variable(self.build_args[name], Origin(f"--build-arg {name}"), False)
            elif has_default:
                values = {k: v.value for k, v in self.result.global_args.items()}
                expanded = expand(default, self.result.global_args, values, self.escape)
                self.result.global_args[name] = Variable(expanded.value, origin, False)

    def start_stage(self, instruction: Instruction) -> tuple[Stage, State]:
        words = instruction.value
        raw_base = words[0] if words else ""
        values = {k: v.value for k, v in self.result.global_args.items()}
        base = expand(raw_base, self.result.global_args, values, self.escape)
        name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
        base_stage = self.named.get(base.value.lower())
        base_name = base.value
        image = None if base_stage or "$" in base.value else images.lookup(base.value)
        repository_fixed = "$" not in raw_base.split("@")[0].rsplit(":", 1)[0] if raw_base else False
        if image is None and base_stage is None and repository_fixed and "$" in raw_base and not base.error:
            base_name, image = self._image_of_every_tag(raw_base, base_name)
        stage = Stage(
            index=len(self.result.stages),
            name=name,
            instruction=instruction,
            base_name=base_name,
            base_name_certain=base.certain or repository_fixed,
            base_stage=base_stage,
            image=image,
        )
        self.result.stages.append(stage)
        if name is not None:
            self.named[name] = stage
        self.result.stage_of[id(instruction)] = stage
        parent = self.final_states[base_stage.index] if base_stage is not None else None
        if self.memo is None:
            return stage, self._first_state(stage, instruction, parent)
        before = self.moved.get(id(instruction), instruction) if self.moved else instruction
        found = self.memo.get(id(before))
        if not (found is not None and found[0] is before and found[1] is parent and found[2] == (base_name, image)
                and before.start_line == instruction.start_line):  # fmt: skip
            found = (before, parent, (base_name, image), self._first_state(stage, instruction, parent))
        self.memo[id(instruction)] = (instruction, *found[1:])  # type: ignore[index]
        return stage, found[3]  # type: ignore[index]

    def _first_state(self, stage: Stage, instruction: Instruction, parent: State | None) -> State:
        """The state a stage starts in: its base stage's last state (`parent`), or its image's."""
        if parent is not None:
            env = dict(parent.env)
            env.update(parent.config_env)
            return parent.replace(base_name=stage.base_name, env=env, config_env=dict(parent.config_env), _values=None)
        return self._image_state(stage, instruction)

    def _image_of_every_tag(self, raw_base: str, expanded: str) -> tuple[str, images.ImageFacts | None]:
        """Name and image of a FROM whose repository is written out but whose tag or digest
        holds a build argument that has no value here.

        BuildKit expands such an argument to nothing, so `python:"${V}"-slim` becomes
        `python:-slim`, which names no image: the build needs a --build-arg. The name is
        then the word as written, quotes removed and the arguments kept
        (`python:${V}-slim`), and the image what every tag it may name shares
        (`images.lookup` of that name). Those facts stay certain like a pinned tag's,
        since no value of the argument can change them. A word that expands to a valid
        reference keeps its expansion: that is what a build without --build-arg pulls.
        """
        if images.parse_image_reference(expanded) is not None:
            return expanded, None
        written = Lexer(escape=self.escape, skip_unset=True).process_word(raw_base, {})
        return written, images.lookup(written)

    def _image_state(self, stage: Stage, instruction: Instruction) -> State:
        """The state a stage FROM an image starts in: the image's config Env, User and Shell.

        The Env values are certain: a pinned tag's facts, or those that every tag a build
        argument may name shares (`_image_of_every_tag`). An image not in the table leaves
        Env and User unknown.
        """
        origin = Origin(f"base image {stage.base_name}", instruction.start_line)
        config: dict[str, Variable] = {}
        if stage.image is not None:
            image_origin = Origin(f"base image {stage.base_name} ({stage.image.source})", instruction.start_line)
            config = {k: Variable(v, image_origin) for k, v in stage.image.env.items()}
        config.setdefault("PATH", Variable(DEFAULT_PATH, BUILTIN))
        user = None
        image = stage.image
        if image is not None and image.user:
            user = Variable(image.user, origin)
        if image is None:
            unknown = frozenset({"env", "user"})
        else:
            unknown = frozenset(fact for fact in ("env", "user") if not image.knows(fact))
        return State(
            base_name=stage.base_name,
            env=dict(config),
            config_env=config,
            user=user,
            workdir=Variable("/", BUILTIN),
            shell=tuple(image.shell) if image is not None and image.shell else DEFAULT_SHELL,
            unknown=unknown,
        )

    def step(self, state: State, instruction: Instruction) -> State:
        keyword = instruction.keyword
        if keyword == "ENV":
            return self.env(state, instruction)
        if keyword == "ARG":
            return self.arg(state, instruction)
        if keyword == "USER" and instruction.value:
            expanded = expand(instruction.value[0], state.env, state.values(), self.escape)
            origin = Origin(f"USER {instruction.value[0]}", instruction.start_line)
            return state.replace(user=Variable(expanded.value, origin, expanded.certain), unknown=state.unknown - {"user"})
        if keyword == "WORKDIR" and instruction.value:
            expanded = expand(instruction.value[0], state.env, state.values(), self.escape)
            path = posixpath.normpath(posixpath.join("/", state.workdir.value, expanded.value))
            origin = Origin(f"WORKDIR {instruction.value[0]}", instruction.start_line)
            return state.replace(workdir=Variable(path, origin, expanded.certain))
        if keyword == "SHELL" and instruction.json and instruction.value:
            return state.replace(shell=tuple(instruction.value))
        return state

    def env(self, state: State, instruction: Instruction) -> State:
        env = dict(state.env)
        config = dict(state.config_env)
        values = dict(state.values())
        triples = instruction.value
        escape = self.escape
        for i in range(0, len(triples) - 2, 3):
            name, text = triples[i], triples[i + 1]
            if is_plain(name, escape) and is_plain(text, escape):  # most ENV lines: nothing to expand
                variable = Variable(text, Origin(f"ENV {name}", instruction.start_line))
            else:
                key = expand(name, env, values, escape)
                value = expand(text, env, values, escape)
                if key.error or value.error:
                    self.result.errors.append((instruction, key.error or value.error or ""))
                name, text = key.value, value.value
                variable = Variable(text, Origin(f"ENV {name}", instruction.start_line), value.certain)
            env[name] = config[name] = variable
            values[name] = text
        return state.replace(env=env, config_env=config, _values=values)

    def arg(self, state: State, instruction: Instruction) -> State:
        env = dict(state.env)
        values = dict(state.values())
        for word in instruction.value:
            name, has_default, default = word.partition("=")
            origin = Origin(f"ARG {name}", instruction.start_line)
            if name in self.build_args:
                variable = Variable(self.build_args[name], Origin(f"--build-arg {name}"), False)
            elif has_default:
                expanded = expand(default, env, values, self.escape)
                variable = Variable(expanded.value, origin, False)
            elif name in self.result.global_args:
                global_value = self.result.global_args[name]
                variable = Variable(global_value.value, global_value.origin, False)
            else:
                continue
            env[name] = variable
            values[name] = variable.value
        return state.replace(env=env, _values=values)


def analyse_stages(
    tree: Dockerfile, build_args: Mapping[str, str] | None = None, memo: dict[object, object] | None = None
) -> StagesResult:
    """Stages and the state before every instruction, computed once per file (`memo`:
    see `_Walker`)."""
    return _Walker(tree, build_args or {}, memo).run()
