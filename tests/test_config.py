"""Configuration files, through the real command line: found by walking up from each
Dockerfile, checked with errors that name the file and the key, and overridden by flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_cli import dockerfix

# DFX103: `--no-cache-dir` under a mount (a safe fix); DFX111: an install with no mount.
BUGGY = (
    "FROM python:3.12\n"
    "RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir flask\n"
    "RUN pip install gunicorn\n"
)


def _codes(output: str) -> list[str]:
    """The rules of the findings in `concise` output."""
    return sorted({line.split()[1] for line in output.splitlines()})


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_the_nearest_configuration_decides_for_each_file(tmp_path: Path) -> None:
    _project(tmp_path, {
        "pyproject.toml": '[project]\nname = "x"\n[tool.dockerfix]\nselect = ["DFX103"]\n',
        "Dockerfile": BUGGY,
        "svc/Dockerfile": BUGGY,
        "svc/dockerfix.toml": 'select = ["DFX111"]\n',
        "svc/deep/Dockerfile": BUGGY,
        "svc/deep/pyproject.toml": '[project]\nname = "deep"\n',  # no [tool.dockerfix]: not a configuration
    })  # fmt: skip
    result = dockerfix("--check", "--format", "concise", ".", cwd=tmp_path)
    by_file = {}
    for line in result.stdout.splitlines():
        by_file.setdefault(line.split(":")[0], set()).add(line.split()[1])
    assert by_file == {"Dockerfile": {"DFX103"}, "svc/Dockerfile": {"DFX111"}, "svc/deep/Dockerfile": {"DFX111"}}


def test_a_directory_tries_dot_dockerfix_then_dockerfix_then_pyproject(tmp_path: Path) -> None:
    _project(tmp_path, {
        ".dockerfix.toml": 'select = ["DFX111"]\n',
        "dockerfix.toml": 'select = ["DFX103"]\n',
        "pyproject.toml": '[tool.dockerfix]\nselect = ["DFX101"]\n',
        "Dockerfile": BUGGY,
    })  # fmt: skip
    assert _codes(dockerfix("--check", "--format", "concise", "Dockerfile", cwd=tmp_path).stdout) == ["DFX111"]
    (tmp_path / ".dockerfix.toml").unlink()
    assert _codes(dockerfix("--check", "--format", "concise", "Dockerfile", cwd=tmp_path).stdout) == ["DFX103"]


def test_flags_win_over_the_file(tmp_path: Path) -> None:
    _project(tmp_path, {"dockerfix.toml": 'select = ["DFX103"]\nunsafe-fixes = true\n', "Dockerfile": BUGGY})
    assert _codes(dockerfix("--check", "--format", "concise", "--select", "DFX111", cwd=tmp_path).stdout) == ["DFX111"]
    both = dockerfix("--check", "--format", "concise", "--extend-select", "DFX111", cwd=tmp_path).stdout
    assert _codes(both) == ["DFX103", "DFX111"]
    assert dockerfix("--check", "--ignore", "DFX103", cwd=tmp_path).returncode == 0
    assert _codes(dockerfix("--check", "--isolated", "--format", "concise", cwd=tmp_path).stdout) == ["DFX103", "DFX111"]


def test_ignore_extend_select_and_prefixes(tmp_path: Path) -> None:
    _project(tmp_path, {"dockerfix.toml": 'select = ["DFX10"]\nextend-select = ["cache-mount-missing"]\n'
                                          'ignore = ["DFX103"]\n', "Dockerfile": BUGGY})  # fmt: skip
    assert _codes(dockerfix("--check", "--format", "concise", cwd=tmp_path).stdout) == ["DFX111"]


def test_unsafe_fixes_from_the_file_and_the_flag_that_turns_them_off(tmp_path: Path) -> None:
    # ENV HOME moves pip's cache off the mount; an image dockerfix cannot read could move it again: unsafe.
    text = ("FROM registry.example/base:1\nENV HOME=/app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install flask\n")  # fmt: skip
    _project(tmp_path, {"dockerfix.toml": "unsafe-fixes = true\n", "Dockerfile": text})
    on = dockerfix("--format", "diff", cwd=tmp_path)
    off = dockerfix("--format", "diff", "--no-unsafe-fixes", cwd=tmp_path)
    assert "+RUN --mount=type=cache" in on.stdout
    assert "+RUN --mount=type=cache" not in off.stdout and "[unsafe]" in off.stdout


def test_exclude_and_extend_exclude_prune_directory_walks_but_not_named_files(tmp_path: Path) -> None:
    _project(tmp_path, {
        "dockerfix.toml": 'extend-exclude = ["legacy/", "*.old.Dockerfile"]\n',
        "Dockerfile": BUGGY,
        "legacy/Dockerfile": BUGGY,
        "svc/api.old.Dockerfile": BUGGY,
        "svc/api.Dockerfile": BUGGY,
        ".venv/Dockerfile": BUGGY,  # excluded by default, and extend-exclude keeps the defaults
    })  # fmt: skip
    walked = {line.split(":")[0] for line in dockerfix("--check", "--format", "concise", cwd=tmp_path).stdout.splitlines()}
    assert walked == {"Dockerfile", "svc/api.Dockerfile"}
    assert dockerfix("--check", "legacy/Dockerfile", cwd=tmp_path).returncode == 1, "a named file is checked"
    forced = dockerfix("--check", "--force-exclude", "legacy/Dockerfile", cwd=tmp_path)
    assert forced.returncode == 0 and not forced.stdout


def test_exclude_replaces_the_defaults(tmp_path: Path) -> None:
    _project(tmp_path, {"dockerfix.toml": 'exclude = ["svc/"]\n', "svc/Dockerfile": BUGGY, "venv/Dockerfile": BUGGY})
    walked = {line.split(":")[0] for line in dockerfix("--check", "--format", "concise", cwd=tmp_path).stdout.splitlines()}
    assert walked == {"venv/Dockerfile"}


def test_per_file_ignores(tmp_path: Path) -> None:
    _project(tmp_path, {
        "pyproject.toml": '[tool.dockerfix.per-file-ignores]\n"docker/dev/*" = ["DFX111"]\n"*.ci.Dockerfile" = ["DFX1"]\n',
        "docker/dev/Dockerfile": BUGGY,
        "docker/prod/Dockerfile": BUGGY,
        "test.ci.Dockerfile": BUGGY,
    })  # fmt: skip
    lines = dockerfix("--check", "--format", "concise", cwd=tmp_path).stdout.splitlines()
    found = {(line.split(":")[0], line.split()[1]) for line in lines}
    assert found == {("docker/dev/Dockerfile", "DFX103"), ("docker/prod/Dockerfile", "DFX103"),
                     ("docker/prod/Dockerfile", "DFX111")}  # fmt: skip


def test_build_args_from_the_file_and_the_command_line(tmp_path: Path) -> None:
    text = "FROM python:3.12\nARG HOME=/root\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n"
    _project(tmp_path, {"dockerfix.toml": '[build-args]\nHOME = "/srv"\n', "Dockerfile": text})
    moved = dockerfix("--check", "--format", "concise", cwd=tmp_path).stdout
    assert "DFX101" in moved and "/srv/.cache/pip" in moved
    assert "DFX101" not in dockerfix("--check", "--build-arg", "HOME=/root", cwd=tmp_path).stdout


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ('selekt = ["DFX101"]\n', "unknown key 'selekt'; the keys are select, extend-select"),
        ('select = "DFX101"\n', "select must be a list of rule codes, code prefixes or names"),
        ('ignore = ["DFX999"]\n', "ignore: 'DFX999' names no rule; the rules are DFX101 (cache-mount-target)"),
        ("unsafe-fixes = 1\n", "unsafe-fixes must be true or false, not 1"),
        ('[build-args]\nHOME = 1\n', "build-args must be a table of NAME = \"value\" strings"),
        ('exclude = ["a["]\n', "exclude: 'a[' has a `[` without its `]`"),
        ("select = [\n", "not valid TOML"),
        ('[pr]\nbrnach = "x"\n', "unknown key 'pr.brnach'; the keys of pr are branch, remote, author"),
        ('pr = "x"\n', "pr must be a table of `dockerfix pr` settings: branch, remote, author (strings)"),
    ],
)
def test_a_bad_configuration_is_an_error_naming_the_file_and_the_key(tmp_path: Path, config: str, expected: str) -> None:
    _project(tmp_path, {"dockerfix.toml": config, "Dockerfile": BUGGY})
    result = dockerfix("--check", cwd=tmp_path)
    assert result.returncode == 2
    assert f"dockerfix.toml: {expected}" in result.stderr or (expected in result.stderr and "dockerfix.toml" in result.stderr)
    assert not result.stdout


def test_a_pyproject_error_names_its_table(tmp_path: Path) -> None:
    _project(tmp_path, {"pyproject.toml": "[tool.dockerfix]\nselect = [1]\n", "Dockerfile": BUGGY})
    result = dockerfix("--check", cwd=tmp_path)
    assert result.returncode == 2 and "pyproject.toml: [tool.dockerfix]: select must be" in result.stderr


def test_config_names_one_file_for_every_dockerfile(tmp_path: Path) -> None:
    _project(tmp_path, {"ci.toml": 'select = ["DFX111"]\n', "svc/dockerfix.toml": 'select = ["DFX103"]\n',
                        "svc/Dockerfile": BUGGY, "pyproject.toml": '[project]\nname = "x"\n'})  # fmt: skip
    assert _codes(dockerfix("--check", "--format", "concise", "--config", "ci.toml", cwd=tmp_path).stdout) == ["DFX111"]
    wrong = dockerfix("--check", "--config", "pyproject.toml", cwd=tmp_path)
    assert wrong.returncode == 2 and "pyproject.toml: no [tool.dockerfix] table to use (--config)" in wrong.stderr


def test_flags_name_no_unknown_rule(tmp_path: Path) -> None:
    _project(tmp_path, {"Dockerfile": BUGGY})
    result = dockerfix("--select", "DFX9", cwd=tmp_path)
    assert result.returncode == 2 and "'DFX9' names no rule" in result.stderr


def test_config_shows_each_setting_and_where_it_came_from(tmp_path: Path) -> None:
    _project(tmp_path, {
        "pyproject.toml": '[tool.dockerfix]\nselect = ["DFX1"]\nunsafe-fixes = true\n'
                          '[tool.dockerfix.per-file-ignores]\n"dev/*" = ["DFX105"]\n',
        "dev/Dockerfile": BUGGY,
    })  # fmt: skip
    result = dockerfix("config", "dev/Dockerfile", "--ignore", "DFX112", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    config = str(tmp_path / "pyproject.toml")
    assert lines[0] == f"configuration file: {config}"
    assert f'select = ["DFX1"]  # {config}' in lines
    assert 'ignore = ["DFX112"]  # command line' in lines
    assert f"unsafe-fixes = true  # {config}" in lines
    assert 'extend-exclude = []  # default' in lines
    assert f"per-file-ignores = {{'dev/*' = [\"DFX105\"]}}  # {config}" in lines
    assert "pr = {}  # default" in lines
    assert lines[-1] == ("rules in force for dev/Dockerfile: DFX101, DFX102, DFX103, DFX104, DFX106, DFX107, "
                         "DFX108, DFX109, DFX110, DFX111, DFX113")  # fmt: skip
