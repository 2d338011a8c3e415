"""DFX111 (`cache-mount-missing`) in a real builder: what the issue promises for its fix.

The fix adds `RUN --mount=type=cache,target=<pip's cache>` to an install that has none,
and takes in DFX103's removal of that call's `--no-cache-dir`. Two claims, each
proven with the real command line (`python -m fixer --write --unsafe-fixes`, on a copy:
the fix is unsafe, as nothing shows the file is built with BuildKit: no BuildKit-only
syntax in it, no git work tree, no build file in the context) and `buildah bud
--layers=false` (every RUN runs; cache mounts persist in the builder's TMPDIR):

1. **The image stays the same.** `--no-cache-dir` kept pip's cache out of the image; the
   mount keeps it out too. The original and the fixed file are built (the fixed one with
   cold cache mounts) and both images are opened (`buildah from` + `buildah mount`): the
   same regular files with the same sizes, anywhere in the image (so nothing under the
   user's `~/.cache`: 0 files in both), and the same `pip freeze` when the image runs
   (as its own USER); and pip did fill the fixed build's cache mount (buildah's
   `$TMPDIR/buildah-cache`). As root, and as `USER app` (useradd -m, HOME /home/app).
2. **A rebuild after one requirement changes downloads only that package.** The root
   variant's fixed file, after the cold build above, gets one more pinned requirement
   (`python-dateutil`, whose one dependency, `six`, is already pinned) and is built
   again over the same cache: pip prints `Downloading` for that wheel alone and `Using
   cached` for the other six, and the index serves that one wheel file. pip still asks
   for the index pages (every project, each build): counted apart, not as downloads.

5 builds. The figures go to `.cache/e2e/results/cache_mount_added.json` (and `.txt`) and
to pytest's terminal summary.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .builder import Builder, BuildResult
from .conftest import PackageIndex, record_results, wheel_file
from .test_cache_rules import (
    INDEX_ARGS,
    assert_buildah_1_28_accepts,
    dockerfix,
    fixed_by_dockerfix,
    reported_codes,
    write_context,
)

# requests and its four dependencies, and six: 6 wheels. The rebuild adds python-dateutil,
# whose only dependency is six: one wheel more, and nothing else to resolve.
REQUIREMENTS = ["requests==2.32.3", "six==1.16.0"]
ADDED = "python-dateutil==2.9.0.post0"
APP = {"app/__init__.py": "", "app/__main__.py": "import requests, six\nprint(requests.__version__, six.__version__)\n"}


@dataclass(frozen=True)
class Variant:
    id: str
    home: str  # the HOME pip runs with: its cache is <home>/.cache/pip
    dockerfile: str
    rules: tuple[str, ...]  # the findings with a fix that `--unsafe-fixes` reports, DFX111 first
    joined: tuple[str, ...]  # the rules whose fixes DFX111's takes in


VARIANTS = {
    "root": Variant(
        "root",
        "/root",
        f"""\
FROM debian:bookworm
{INDEX_ARGS}WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY app/ ./app/
CMD ["python3", "-m", "app"]
""",
        ("DFX111",),
        ("DFX103",),
    ),
    "user-app": Variant(
        "user-app",
        "/home/app",
        f"""\
FROM debian:bookworm
{INDEX_ARGS}RUN useradd --create-home --uid 1000 app
USER app
WORKDIR /home/app
COPY requirements.txt .
RUN pip install --user --no-cache-dir -r requirements.txt
COPY app/ ./app/
CMD ["python3", "-m", "app"]
""",
        # DFX102 pins --cache-dir: pip's cache is on the mount only through app's HOME.
        ("DFX111",),
        ("DFX102", "DFX103"),
    ),
}


def wheel_name(index: PackageIndex, requirement: str) -> str:
    """The file name of the wheel the index serves for `name==version`."""
    found = wheel_file(index.wheel_dir, requirement)
    assert found is not None, f"the index has no wheel for {requirement}"
    return found.name


def make_context(directory: Path, dockerfile: str, requirements: list[str]) -> Path:
    context = write_context(directory, dockerfile)
    (context / "requirements.txt").write_text("\n".join(requirements) + "\n")
    for name, text in APP.items():
        (context / name).parent.mkdir(exist_ok=True)
        (context / name).write_text(text)
    return context


# ------------------------------------------------------------------------ the images
@dataclass(frozen=True)
class ImageContents:
    files: dict[str, int]  # every regular file in the image: path -> size
    freeze: list[str]  # `pip freeze` in a container of the image, as its USER

    def under(self, directory: str) -> list[str]:
        return sorted(path for path in self.files if path.startswith(directory.rstrip("/") + "/"))

    @property
    def total_bytes(self) -> int:
        return sum(self.files.values())


def _buildah(*args: str) -> str:
    done = subprocess.run(["buildah", *args], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, f"buildah {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout.strip()


def image_contents(builder: Builder, image_id: str) -> ImageContents:
    """The image's files (from its mounted root filesystem) and what `pip freeze` says in it.

    Inside `builder.exclusive()`: the working container is this test's, and is removed.
    """
    with builder.exclusive():
        container = _buildah("from", "--pull=never", image_id)
        try:
            root = Path(_buildah("mount", container))
            files = {}
            for directory, _, names in os.walk(root):
                for name in names:
                    path = Path(directory, name)
                    if path.is_file() and not path.is_symlink():
                        files["/" + str(path.relative_to(root))] = path.lstat().st_size
            freeze = _buildah("run", "--isolation", "chroot", container, "--", "python3", "-m", "pip", "freeze")
        finally:
            subprocess.run(["buildah", "rm", container], capture_output=True, check=False)
    return ImageContents(files, freeze.splitlines())


# ----------------------------------------------------------------------------- results
_ROWS: list[dict[str, object]] = []


@pytest.fixture(scope="module", autouse=True)
def results_table() -> Iterator[None]:
    yield
    if _ROWS:
        title = "e2e DFX111: the image with the added cache mount, and a rebuild"
        record_results("cache_mount_added", title, _ROWS, format_table(_ROWS))


def format_table(rows: list[dict[str, object]]) -> str:
    columns = ["~/.cache in image", "on the mount", "image original", "image fixed", "pip freeze", "rebuild +1 req."]
    header = f"{'variant':9} " + " ".join(f"{c:20}" for c in columns)
    lines = [header, "-" * len(header)]
    for row in rows:
        cache, mount, image = row["cache_files"], row["mount_files"], row["image"]
        rebuild: dict[str, object] = row.get("rebuild") or {}  # type: ignore[assignment]
        served = [rebuild.get(k) for k in ("downloading", "using_cached", "wheels_served", "page_requests")]
        cells = [
            f"{cache['original']} / {cache['fixed']}",  # type: ignore[index]
            f"{mount['fixed']}",  # type: ignore[index]
            f"{image['original']['files']} / {image['original']['bytes']}",  # type: ignore[index]
            f"{image['fixed']['files']} / {image['fixed']['bytes']}",  # type: ignore[index]
            "same" if row["same_freeze"] else "differs",
            "/".join(map(str, served)) if rebuild else "-",
        ]
        lines.append(f"{row['variant']:9} " + " ".join(f"{c:20}" for c in cells))
    lines.append(
        "~/.cache in image: regular files under HOME/.cache, original / fixed image. On the mount: files the fixed"
        " cold build left in its cache mount. Image: regular files / their bytes. Rebuild (the fixed file with one"
        " requirement added, same cache): pip's `Downloading` / `Using cached` lines / wheel files the index"
        " served / index pages asked for."
    )
    return "\n".join(lines)


# ------------------------------------------------------------------------------- tests
def fix(context: Path, variant: Variant) -> str:
    """The Dockerfile `dockerfix --write --unsafe-fixes` leaves, after checking what it reports."""
    unsafe_report = dockerfix("--unsafe-fixes", "Dockerfile", cwd=context).stdout
    applied = reported_codes(unsafe_report)
    report, fixed = fixed_by_dockerfix(context, unsafe=True)
    assert reported_codes(report) == {"DFX111": "[unsafe]"}, f"no sign of BuildKit: DFX111 unsafe, alone\n{report}"
    assert applied == dict.fromkeys(variant.rules, "[*]"), applied
    title = re.search(r"^#   fix: (Add `--mount=.*)$", unsafe_report, re.MULTILINE)
    assert title is not None and all(f"({code})" in title.group(1) for code in variant.joined), unsafe_report
    assert f"RUN --mount=type=cache,target={variant.home}/.cache/pip" in fixed, fixed
    assert_buildah_1_28_accepts(fixed)
    return fixed


def build_and_compare(
    variant: Variant, builder: Builder, package_index: PackageIndex, tmp_path: Path
) -> tuple[Path, BuildResult, dict[str, object]]:
    """Claim 1 for `variant`: (the fixed context, its cold build, the row for the table)."""
    wheels = sorted(set(package_index.files) - {wheel_name(package_index, ADDED)})  # what REQUIREMENTS installs
    contexts = {name: make_context(tmp_path / name, variant.dockerfile, REQUIREMENTS) for name in ("original", "fixed")}
    dockerfiles = {"original": variant.dockerfile, "fixed": fix(contexts["fixed"], variant)}

    builds: dict[str, BuildResult] = {}
    contents: dict[str, ImageContents] = {}
    mount_files: dict[str, int] = {}  # files the build left in its cache mounts (buildah's cache directory)
    for name, context in contexts.items():
        builder.fresh_tmpdir()  # cold cache mounts
        builds[name] = builder.build_ok(context)
        assert builds[name].image_id, builds[name].output
        mount_files[name] = sum(1 for path in builder.cache_root.rglob("*") if path.is_file())
        contents[name] = image_contents(builder, builds[name].image_id)

    cache = f"{variant.home}/.cache"
    row: dict[str, object] = {
        "variant": variant.id,
        "dockerfiles": dockerfiles,
        "builds": {name: result.summary() for name, result in builds.items()},
        "cache_files": {name: len(image.under(cache)) for name, image in contents.items()},
        "mount_files": mount_files,
        "image": {name: {"files": len(image.files), "bytes": image.total_bytes} for name, image in contents.items()},
        "freeze": {name: image.freeze for name, image in contents.items()},
        "same_freeze": contents["original"].freeze == contents["fixed"].freeze,
    }
    _ROWS.append(row)

    for name, result in builds.items():
        show = f"\n--- {name} Dockerfile:\n{dockerfiles[name]}--- build output:\n{result.output}"
        assert sorted(result.downloading) == wheels, "a cold build must download every wheel" + show
        assert sorted(result.index_downloads) == wheels, show
        assert not result.cache_disabled, "pip warned that its cache is disabled" + show
    original, fixed = contents["original"], contents["fixed"]
    assert original.under(cache) == [], f"the original keeps pip's cache out of the image: {original.under(cache)}"
    assert fixed.under(cache) == [], f"pip's cache is in the fixed image: {fixed.under(cache)}"
    assert mount_files["fixed"] > 0, f"pip cached nothing on the mount\n{dockerfiles['fixed']}{builds['fixed'].output}"
    only_original = {p: s for p, s in original.files.items() if fixed.files.get(p) != s}
    only_fixed = {p: s for p, s in fixed.files.items() if original.files.get(p) != s}
    assert (only_original, only_fixed) == ({}, {}), "the images differ in these files (path: size)"
    assert set(REQUIREMENTS) <= set(original.freeze), f"pip freeze in the original image: {original.freeze}"
    assert fixed.freeze == original.freeze, "pip freeze differs between the images"
    return contexts["fixed"], builds["fixed"], row


def test_the_fixed_image_is_the_original_image_and_a_new_requirement_downloads_alone(
    builder: Builder, package_index: PackageIndex, tmp_path: Path
) -> None:
    """Root: claim 1, then claim 2 on the fixed file's cache from its cold build."""
    context, cold, row = build_and_compare(VARIANTS["root"], builder, package_index, tmp_path)
    added = wheel_name(package_index, ADDED)
    (context / "requirements.txt").write_text("\n".join([*REQUIREMENTS, ADDED]) + "\n")
    pages = sum(package_index.page_requests.values())
    rebuild = builder.build_ok(context)  # the same TMPDIR: the cache the cold build filled
    pages = sum(package_index.page_requests.values()) - pages
    row["rebuild"] = {
        **rebuild.summary(),
        "downloaded": rebuild.downloading,
        "wheels_served": len(rebuild.index_downloads),
        "page_requests": pages,
    }

    show = f"\n--- the fixed Dockerfile, {ADDED} added to requirements.txt; build output:\n{rebuild.output}"
    assert rebuild.downloading == [added], "the rebuild should download the added package alone" + show
    assert sorted(rebuild.using_cached) == sorted(cold.downloading), "the rest should come from the cache" + show
    assert dict(rebuild.index_downloads) == {added: 1}, f"the index served {dict(rebuild.index_downloads)}" + show
    assert not rebuild.cache_disabled, show


def test_the_fixed_image_is_the_original_image_as_a_user(
    builder: Builder, package_index: PackageIndex, tmp_path: Path
) -> None:
    """USER app with its HOME: the mount is app's (uid/gid 1000), the image unchanged."""
    build_and_compare(VARIANTS["user-app"], builder, package_index, tmp_path)


def test_variant_dockerfiles_avoid_what_buildah_1_28_rejects() -> None:
    for variant in VARIANTS.values():
        assert_buildah_1_28_accepts(variant.dockerfile)
