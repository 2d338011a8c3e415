"""Tests for fixer.shell: shell code -> simple commands with spans and context."""

from __future__ import annotations

import shlex
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixer.shell import EnvChange, UserSwitch, Word, parse_script, script_from_argv


def texts(command):
    return [w.text for w in command.words]


def programs(script):
    return [texts(c) for c in script.commands]


def raw(code: str, word: Word) -> str:
    return code[word.start : word.end]


def effective(script):
    return [[w.text for w in c.effective_words] for c in script.commands]


# --------------------------------------------------------------------------- lists


def test_operators_give_connectors_in_source_order():
    code = "apt-get update && pip install a || true; pip install b | tee log & wait\necho done"
    script = parse_script(code)
    assert programs(script) == [
        ["apt-get", "update"], ["pip", "install", "a"], ["true"], ["pip", "install", "b"],
        ["tee", "log"], ["wait"], ["echo", "done"],
    ]
    assert [c.connector for c in script.commands] == ["", "&&", "||", ";", "|", "&", "\n"]
    assert not script.errors


def test_pipeline_parts_and_background_jobs_run_in_subshells():
    script = parse_script("a | b && c & d")
    a, b, c, d = script.commands
    assert a.in_subshell and b.in_subshell and a.shell != b.shell
    assert c.in_subshell  # the whole `a | b && c` list runs in the background
    assert not d.in_subshell and d.shell == (0,)


def test_leading_blank_lines_and_comments_give_no_connector():
    script = parse_script("# install\n\npip install x")
    assert [c.connector for c in script.commands] == [""]


def test_subshells_groups_and_substitutions_nest():
    code = "(cd /src && make) ; { pip install a; } ; echo $(pip --version) `uv --version`"
    script = parse_script(code)
    cd, make, group, echo, pip, uv = script.commands
    assert programs(script) == [["cd", "/src"], ["make"], ["pip", "install", "a"],
                                ["echo", "$(pip --version)", "`uv --version`"],
                                ["pip", "--version"], ["uv", "--version"]]
    assert (cd.depth, cd.in_subshell, make.connector) == (1, True, "&&")
    assert (group.depth, group.in_subshell) == (1, False)  # a group is no new process
    assert (echo.depth, echo.in_subshell) == (0, False)
    assert (pip.depth, pip.in_subshell, uv.depth, uv.in_subshell) == (1, True, 1, True)
    assert pip.shell != uv.shell


def test_compound_commands_are_flattened_and_reserved_words_are_not_commands():
    code = """if [ -f requirements.txt ]; then
    pip install -r requirements.txt
elif test -f pyproject.toml; then pip install .
else echo nothing; fi
for p in a b $(cat extra.txt); do pip install "$p"; done
while read -r line; do echo "$line"; done < reqs.txt
until false; do :; done
case "$MODE" in
  dev|test) pip install -e . ;;
  (*) pip install . ;;
esac
! pip check || echo broken"""
    script = parse_script(code)
    assert programs(script) == [
        ["[", "-f", "requirements.txt", "]"], ["pip", "install", "-r", "requirements.txt"],
        ["test", "-f", "pyproject.toml"], ["pip", "install", "."], ["echo", "nothing"],
        ["cat", "extra.txt"], ["pip", "install", "$p"], ["read", "-r", "line"],
        ["echo", "$line"], ["false"], [":"], ["pip", "install", "-e", "."],
        ["pip", "install", "."], ["pip", "check"], ["echo", "broken"],
    ]
    assert not script.errors


def test_bash_only_constructs():
    code = ("[[ -f x && $(pip list) ]] && ((n++)); for ((i=0; i<2; i++)); do pip install $i; done;"
            " diff <(pip freeze) r.txt; function setup { pip install y; }; setup")
    script = parse_script(code)
    assert programs(script) == [
        ["pip", "list"], ["pip", "install", "$i"], ["diff", "<(pip freeze)", "r.txt"],
        ["pip", "freeze"], ["pip", "install", "y"], ["setup"],
    ]
    assert not script.errors


def test_function_definitions_keep_their_body():
    script = parse_script("install() { pip install x; }; install")
    assert programs(script) == [["pip", "install", "x"], ["install"]]


# --------------------------------------------------------------------------- words


def test_quote_removal_keeps_expansions_as_written():
    code = ("""pip install "$HOME/x" '$HOME' ${PKG:-a b} a\\ b "q\\"r" $'t\\tu'"""
            """ "$(id -u)" $((1+2))""")
    words = parse_script(code).commands[0].words
    assert [w.text for w in words[2:]] == [
        "$HOME/x", "$HOME", "${PKG:-a b}", "a b", 'q"r', "t\tu", "$(id -u)", "$((1+2))",
    ]
    assert [w.quoted for w in words[2:]] == [True, True, False, True, True, True, True, False]
    assert [w.has_expansion for w in words[2:]] == [True, False, True, False, False, False,
                                                    True, True]
    for word in words:
        assert raw(code, word).strip() == raw(code, word)


def test_raw_spans_cover_quotes():
    code = """pip install --cache-dir="/c d" 'x y' z"""
    words = parse_script(code).commands[0].words
    assert [raw(code, w) for w in words] == ["pip", "install", '--cache-dir="/c d"', "'x y'", "z"]


def test_offset_of_maps_text_back_through_quotes_and_escapes():
    code = '''echo "a\\"b"'c'd'''
    word = parse_script(code).commands[0].words[1]
    assert word.text == 'a"bcd'
    assert [code[word.offset_of(i)] for i in range(len(word.text))] == list(word.text)
    assert word.offset_of(len(word.text)) == len(code)
    plain = parse_script("pip install x").commands[0].words[2]
    assert plain.segments is None and plain.offset_of(0) == 12


def test_sub_word_spans_only_its_characters():
    code = 'pip install --cache-dir="/c d"'
    word = parse_script(code).commands[0].words[2]
    value = word.sub(len("--cache-dir="))
    assert value.text == "/c d"
    assert code[value.start : value.end] == "/c d"  # rewriting it keeps the quotes


def test_line_continuations_join_words():
    code = 'pip install \\\n    --no-cache-dir \\\n    req\\\nuests "a\\\nb"'
    words = parse_script(code).commands[0].words
    assert [w.text for w in words] == ["pip", "install", "--no-cache-dir", "requests", "ab"]
    assert raw(code, words[3]) == "req\\\nuests"


def test_comments_are_skipped_only_at_word_start():
    code = "pip install a#b # comment && not-a-command\necho c;#d\necho e"
    assert programs(parse_script(code)) == [["pip", "install", "a#b"], ["echo", "c"], ["echo", "e"]]


def test_assignments_only_before_the_command_name():
    code = 'HOME=/app PIP_NO_CACHE_DIR="1" pip install X=1'
    command = parse_script(code).commands[0]
    assert [(a.name, a.value.text, code[a.span[0] : a.span[1]]) for a in command.assignments] == [
        ("HOME", "/app", "HOME=/app"), ("PIP_NO_CACHE_DIR", "1", 'PIP_NO_CACHE_DIR="1"'),
    ]
    assert texts(command) == ["pip", "install", "X=1"]
    quoted_name = parse_script('"A"=1 run').commands[0]
    assert texts(quoted_name) == ["A=1", "run"] and not quoted_name.assignments


# --------------------------------------------------------------------------- redirections


def test_redirections_are_not_words():
    code = ">log pip install x 2>&1 >>out <in 3<>f &>all <<<'here' >|clobber"
    command = parse_script(code).commands[0]
    assert texts(command) == ["pip", "install", "x"]
    assert [(r.op, r.fd, r.target.text) for r in command.redirects] == [
        (">", None, "log"), (">&", "2", "1"), (">>", None, "out"), ("<", None, "in"),
        ("<>", "3", "f"), ("&>", None, "all"), ("<<<", None, "here"), (">|", None, "clobber"),
    ]


def test_here_document_bodies_are_not_commands():
    code = """cat <<EOF > /etc/pip.conf && pip install a
[global]
no-cache-dir = true
EOF
cat <<-'END' >f; cat <<"Q"
\tpip install not-run $(nor-this)
\tEND
body
Q
pip install b"""
    script = parse_script(code)
    assert programs(script) == [["cat"], ["pip", "install", "a"], ["cat"], ["cat"],
                                ["pip", "install", "b"]]
    conf = script.commands[0].redirects[0]
    assert conf.op == "<<" and not conf.target.quoted
    assert conf.body_text(code) == "[global]\nno-cache-dir = true\n"
    stripped = script.commands[2].redirects[0]
    assert stripped.target.quoted
    assert stripped.body_text(code) == "pip install not-run $(nor-this)\n"
    assert script.commands[3].redirects[0].body_text(code) == "body\n"
    assert not script.errors


def test_unterminated_here_document_is_reported():
    script = parse_script("cat <<EOF\nstill body\npip install x")
    assert programs(script) == [["cat"]]
    assert [e.message for e in script.errors] == ["here-document 'EOF' is not terminated"]


# --------------------------------------------------------------------------- nested shells


def test_sh_c_strings_are_parsed_with_spans_in_the_outer_code():
    code = ("""sh -c 'pip install --no-cache-dir "a b" && export X=1'"""
            """ && bash -lc "cd /x && pip install -e ." """)
    script = parse_script(code)
    nested = [c for c in script.commands if c.nested_level]
    assert programs(script)[1:3] == [["pip", "install", "--no-cache-dir", "a b"], ["export", "X=1"]]
    assert [raw(code, w) for w in nested[0].words] == ["pip", "install", "--no-cache-dir", '"a b"']
    assert [texts(c) for c in nested[2:]] == [["cd", "/x"], ["pip", "install", "-e", "."]]
    assert all(c.in_subshell and c.launcher is not None for c in nested)
    assert nested[3].launcher == 3 and texts(script.commands[3])[0] == "bash"
    assert raw(code, nested[3].words[3]) == "."


def test_shell_option_clusters_and_doubly_nested_strings():
    code = """sh -eu -o pipefail -c "bash -exc 'pip install \\"q r\\" --cache-dir=/c'" """
    script = parse_script(code)
    inner = script.commands[-1]
    assert texts(inner) == ["pip", "install", "q r", "--cache-dir=/c"]
    assert inner.nested_level == 2 and inner.depth == 2
    assert raw(code, inner.words[2]) == '\\"q r\\"'
    value = inner.words[3]
    assert [code[value.offset_of(i)] for i in range(len(value.text))] == list(value.text)


def test_here_document_inside_a_nested_script():
    code = "sh -c 'cat <<EOF >/etc/pip.conf\n[global]\nEOF\npip install z'"
    script = parse_script(code)
    assert programs(script)[1:] == [["cat"], ["pip", "install", "z"]]
    heredoc = script.commands[1].redirects[0]
    assert code[heredoc.body[0] : heredoc.body[1]] == "[global]\n"


def test_shells_reading_a_here_document_run_it_as_a_script():
    # what BuildKit hands to /bin/sh for `RUN <<EOF bash -ex`
    code = "<<EOF bash -ex\nexport PIP_NO_CACHE_DIR=1\npip install -r r.txt\nEOF"
    script = parse_script(code)
    assert programs(script) == [["bash", "-ex"], ["export", "PIP_NO_CACHE_DIR=1"],
                                ["pip", "install", "-r", "r.txt"]]
    pip = script.commands[2]
    assert (pip.launcher, pip.nested_level, raw(code, pip.words[3])) == (0, 1, "r.txt")
    assert [e.name for e in script.context_of(pip).env] == ["PIP_NO_CACHE_DIR"]


@pytest.mark.parametrize(("code", "nested"), [
    ("su app <<'EOF'\npip install --user x\nEOF\necho after", [["pip", "install", "--user", "x"]]),
    ("bash <<< 'pip install y'", [["pip", "install", "y"]]),
    ("sudo -u app sh -s <<-EOF\n\tpip install z\n\tEOF", [["pip", "install", "z"]]),
    ("sh script.sh <<EOF\npip install data\nEOF", []),
    ("sh -s < script.sh", []),
    ("python3 <<EOF\nimport pip\nEOF", []),
])
def test_which_here_documents_are_scripts(code, nested):
    script = parse_script(code)
    assert [texts(c) for c in script.commands if c.nested_level] == nested


def test_statements_after_a_launcher_do_not_reach_its_script():
    code = "export A=1; bash -s <<EOF && export B=2\npip install z\nEOF\npip install q"
    script = parse_script(code)
    assert programs(script)[3:] == [["pip", "install", "z"], ["pip", "install", "q"]]
    assert [e.name for e in script.context_of(script.commands[3]).env] == ["A"]
    assert [e.name for e in script.context_of(script.commands[4]).env] == ["A", "B"]


def test_commands_are_in_source_order():
    script = parse_script("sh -c 'a' $(b) && c")
    assert programs(script) == [["sh", "-c", "a", "$(b)"], ["a"], ["b"], ["c"]]
    assert [c.index for c in script.commands] == [0, 1, 2, 3]


def test_backquotes_unescape_their_body():
    code = "echo `echo \\`pip --version\\``"
    script = parse_script(code)
    assert programs(script)[1:] == [["echo", "`pip --version`"], ["pip", "--version"]]
    assert raw(code, script.commands[2].words[0]) == "pip"


def test_exec_form_argv():
    script = script_from_argv(["/bin/sh", "-c", "pip install x && echo hi"])
    assert script.code == "/bin/sh -c pip install x && echo hi"
    assert programs(script) == [["/bin/sh", "-c", "pip install x && echo hi"],
                                ["pip", "install", "x"], ["echo", "hi"]]
    assert raw(script.code, script.commands[1].words[2]) == "x"


# --------------------------------------------------------------------------- wrappers


@pytest.mark.parametrize("code", [
    "env PIP_NO_CACHE_DIR=1 pip install x",
    "exec pip install x",
    "nohup pip install x",
    "time -p pip install x",
    "command pip install x",
    "nice -n 10 pip install x",
    "timeout -s KILL 10m pip install x",
    "xargs -r -n 1 pip install x",
    "sudo -u app -- pip install x",
    "gosu app pip install x",
    "su-exec app:app pip install x",
    "runuser -u app -- pip install x",
    "setpriv --reuid=1000 --init-groups pip install x",
    "busybox nohup env -i pip install x",
    "/usr/bin/env pip install x",
])
def test_wrappers_are_unwrapped(code):
    command = parse_script(code).commands[0]
    assert [w.text for w in command.effective_words] == ["pip", "install", "x"]
    assert command.name == "pip" and texts(command)[0] != "pip"


@pytest.mark.parametrize("code", ["command -v pip", "sudo -l", "env", "su app", "$PIP install"])
def test_commands_that_run_no_other_program(code):
    command = parse_script(code).commands[0]
    assert command.effective_words == command.words


# --------------------------------------------------------------------------- context


def env_of(script, index):
    context = script.context_of(script.commands[index])
    return [(e.name, e.value, e.kind, e.exported) for e in context.env]


def test_prefix_assignments_apply_to_one_command():
    script = parse_script("PIP_NO_CACHE_DIR=1 pip install a; pip install b")
    assert env_of(script, 0) == [("PIP_NO_CACHE_DIR", "1", "set", True)]
    assert env_of(script, 1) == []


def test_export_and_assignments_last_for_the_rest_of_the_shell():
    code = "export PIP_CACHE_DIR=/c; HOME=/app; X=1; export X; unset PIP_CACHE_DIR; pip install a"
    script = parse_script(code)
    assert env_of(script, 5) == [
        ("PIP_CACHE_DIR", "/c", "set", True),
        ("HOME", "/app", "set", False),  # exported only because HOME is inherited
        ("X", "1", "set", False),
        ("X", "1", "set", True),
        ("PIP_CACHE_DIR", None, "unset", True),
    ]
    context = script.context_of(script.commands[5])
    assert context.lookup("PIP_CACHE_DIR").kind == "unset"
    assert context.lookup("PATH") is None


def test_subshell_changes_do_not_leak():
    code = ("cd /app && (cd sub; export A=1; pip install .) && pip install -r r.txt; "
            "echo $(export B=2) | sh -c 'export C=3'; pip install x")
    script = parse_script(code)
    inner = script.context_of(script.commands[3])
    assert inner.directories == ("/app", "sub") and [e.name for e in inner.env] == ["A"]
    after = script.context_of(script.commands[4])
    assert after.directories == ("/app",) and after.env == ()
    last = script.context_of(script.commands[-1])
    assert last.env == () and last.directories == ("/app",)


def test_env_wrapper_clears_and_unsets():
    script = parse_script("env -i HOME=/tmp pip install a; env -u PIP_NO_CACHE_DIR pip install b")
    assert env_of(script, 0) == [("*", None, "unset", True), ("HOME", "/tmp", "set", True)]
    assert env_of(script, 1) == [("PIP_NO_CACHE_DIR", None, "unset", True)]


def test_nested_script_inherits_its_launchers_environment_and_user():
    code = "export PIP_NO_CACHE_DIR=0; env XDG_CACHE_HOME=/x su app -c 'HOME=/h pip install a'"
    script = parse_script(code)
    pip = script.commands[-1]
    assert texts(pip) == ["pip", "install", "a"] and pip.launcher == 1
    context = script.context_of(pip)
    assert [(e.name, e.value, e.kind) for e in context.env] == [
        ("PIP_NO_CACHE_DIR", "0", "set"), ("XDG_CACHE_HOME", "/x", "set"),
        ("HOME", "app", "home-of"), ("HOME", "/h", "set"),
    ]
    assert context.user == UserSwitch("su", "app")


@pytest.mark.parametrize(("code", "user", "env"), [
    ("su app -c 'pip install x'", "app", [("HOME", "app", "home-of")]),
    ("su - app -c 'pip install x'", "app", [("*", None, "unset"), ("HOME", "app", "home-of")]),
    ("su -m app -c 'pip install x'", "app", []),
    ("su -c 'pip install x' app", "app", [("HOME", "app", "home-of")]),
    ("su -c 'pip install x'", "root", [("HOME", "root", "home-of")]),
    ("runuser -l app -c 'pip install x'", "app",
     [("*", None, "unset"), ("HOME", "app", "home-of")]),
    ("runuser -u app -- pip install x", "app", [("HOME", "app", "home-of")]),
    ("gosu 1000:1000 pip install x", "1000:1000", [("HOME", "1000", "home-of")]),
    ("su-exec app pip install x", "app", [("HOME", "app", "home-of")]),
    ("sudo -u app pip install x", "app", [("*", None, "unknown"), ("HOME", None, "unknown")]),
    ("sudo -H -u app pip install x", "app", [("*", None, "unknown"), ("HOME", "app", "home-of")]),
    ("sudo -i pip install x", "root", [("*", None, "unset"), ("HOME", "root", "home-of")]),
    ("sudo -E pip install x", "root", [("HOME", None, "unknown")]),
    ("setpriv --reuid=app pip install x", "app", []),
    ("setpriv --reuid app --reset-env pip install x", "app",
     [("*", None, "unset"), ("HOME", "app", "home-of")]),
])
def test_user_switches(code, user, env):
    script = parse_script(code)
    pip = next(c for c in script.commands if c.name == "pip")
    context = script.context_of(pip)
    assert context.user.user == user
    assert [(e.name, e.value, e.kind) for e in context.env] == env


def test_context_of_each_command_is_computed_once():
    script = parse_script("export A=1; pip install x")
    assert script.context_of(script.commands[1]) is script.context_of(script.commands[1])
    expected = (EnvChange("A", "1", "set", True, "export"),)
    assert script.context_of(script.commands[1]).env == expected


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("code", "message"), [
    ("pip install x; echo 'unterminated", "unterminated single quote"),
    ('echo "unterminated $(pip --version)', "unterminated double quote"),
    ("echo $(pip install b", "unterminated command substitution"),
    ("(pip install a", "unterminated subshell"),
    ("if true; then pip install a", "unterminated if"),
    ("for x in a; do pip install $x", "unterminated loop"),
    ("case x in a) pip install a;;", "unterminated case"),
    ("echo `pip", "unterminated backquote"),
    ("pip install x; echo ${X", "unterminated {...}"),
    ("pip install x >", "missing target after '>'"),
    ("fi; pip install a", "unexpected 'fi'"),
])
def test_bad_shell_is_reported_and_the_rest_is_still_parsed(code, message):
    script = parse_script(code)
    assert message in [e.message for e in script.errors]
    assert any(c.name == "pip" for c in script.commands)


# --------------------------------------------------------------------------- properties


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*"ab =$'\"\\`(){};&|<>#\n\t-*!?$",
    "if ", "then ", "fi", "done", "do ", "case ", " in ", "esac", "<<E\n", "\nE\n", "sh -c ",
    "su u -c ", "[[ ", " ]]", "$(", "${", "((", "<<-E", "\\\n"]), max_size=60).map("".join))
def test_parsing_never_raises_and_spans_are_sane(code):
    script = parse_script(code)
    for command in script.commands:
        pieces = [(a.span[0], a.span[1]) for a in command.assignments]
        pieces += [(w.start, w.end) for w in command.words]
        for start, end in pieces:
            assert 0 <= start <= end <= len(code)
        for (_, end), (start, _) in pairwise(pieces):
            assert end <= start
        assert 0 <= command.span[0] <= command.span[1] <= len(code)
    for error in script.errors:
        assert 0 <= error.offset <= len(code)


def double_quote(text: str) -> str:
    return '"' + "".join("\\" + c if c in '"\\$`' else c for c in text) + '"'


_arguments = st.text(alphabet=st.characters(codec="ascii", exclude_characters="\x00"), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_arguments, st.booleans()), min_size=1, max_size=6))
def test_quote_removal_inverts_quoting(arguments):
    quoted = [shlex.quote(text) if single else double_quote(text) for text, single in arguments]
    code = "cmd " + " ".join(quoted)
    words = parse_script(code).commands[0].words[1:]
    assert [w.text for w in words] == [text for text, _ in arguments]
    for word, written in zip(words, quoted, strict=True):
        assert raw(code, word) == written
        assert [code[word.offset_of(i)] for i in range(len(word.text))] == list(word.text)


@settings(max_examples=200, deadline=None)
@given(st.lists(_arguments.filter(lambda t: t.strip()), min_size=1, max_size=5))
def test_nested_sh_c_words_map_back_to_the_outer_code(arguments):
    inner = "cmd " + " ".join(shlex.quote(t) for t in arguments)
    code = "sh -c " + double_quote(inner)
    script = parse_script(code)
    nested = script.commands[1]
    assert [w.text for w in nested.words[1:]] == arguments
    for word in nested.words:
        assert [code[word.offset_of(i)] for i in range(len(word.text))] == list(word.text)
