"""apt's configuration as the build leaves it: the docker-clean hook and the settings
that decide whether downloaded packages stay in apt's cache.

The official Debian and Ubuntu images ship `/etc/apt/apt.conf.d/docker-clean`, whose
`DPkg::Post-Invoke` deletes `/var/cache/apt/archives/*.deb` after every install
(`images.SRC_DOCKER_CLEAN`): under a cache mount that leaves the mount empty. Docker's
documentation removes the file and writes `Binary::apt::APT::Keep-Downloaded-Packages
"true";` (which `apt`, unlike `apt-get`, needs) in a RUN before the cached one; this
module reads such RUNs without running them:
- `rm` of the file, or of a glob or directory that holds it, removes the hook;
- `echo`/`printf`/`cat <<EOF`/`tee` into `/etc/apt/apt.conf` or `/etc/apt/apt.conf.d/*`
  adds flat `Key "value";` settings (`filewrites`);
- any other change there (`sed -i`, `cp`, a write whose content is not static, nested
  `Key { ... };` blocks) makes the configuration not known, and the hook too when the
  change may reach docker-clean.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from types import MappingProxyType

from .facts import Known, Origin
from .filewrites import file_writes
from .records import NamedTuple
from .shell import Script

__all__ = ["DOCKER_CLEAN", "AptConfig", "after_copy", "after_run", "may_change"]

APT_DIRECTORY = "/etc/apt"
DOCKER_CLEAN = "/etc/apt/apt.conf.d/docker-clean"
_CONFIG_PARTS = "/etc/apt/apt.conf.d"
# A flat `Key "value";` statement of apt.conf(5); `//` and `#` comments are dropped first.
_STATEMENT = re.compile(r'([A-Za-z0-9:_.-]+)\s+"([^"]*)"\s*;')
_COMMENT = re.compile(r"(?://|#)[^\n]*")
# Programs that change files in place or copy them: their apt paths make the config unknown.
_EDITORS = frozenset({"sed", "perl", "cp", "mv", "ln", "install", "truncate", "patch", "awk", "dpkg-divert"})
# The commands that may change a file without a redirection.
_CHANGERS = _EDITORS | {"rm", "tee"}


class AptConfig(NamedTuple):
    """What apt's configuration files say where a RUN runs, as far as known.

    `clean_hook`: whether docker-clean deletes downloaded packages (None: not known);
    `settings`: the flat settings the build wrote, by lower-cased key (apt's keys ignore
    case); `known`: no other file may set what the cache depends on.
    """

    clean_hook: bool | None
    settings: Mapping[str, Known[str]] = MappingProxyType({})
    known: bool = False

    @classmethod
    def of_image(cls, clean_hook: bool | None) -> AptConfig:
        """An image's configuration: known when the image is one whose apt.conf.d was read
        (the official Debian and Ubuntu ones set nothing about the cache but the hook)."""
        return cls(clean_hook, known=clean_hook is not None)


def may_change(text: str) -> bool:
    """Whether a RUN's code may change apt's configuration (cheap, before any parsing)."""
    return APT_DIRECTORY in text


def after_run(config: AptConfig, script: Script, origin: Origin, before: int | None = None) -> AptConfig:
    """The configuration after a RUN's script, or where its command number `before`
    starts (`rm -f .../docker-clean && apt-get install ...` in one step)."""
    hook, known = config.clean_hook, config.known
    settings = dict(config.settings)
    for command in script.commands[:before]:
        name = command.name or ""
        if name not in _CHANGERS and not command.redirects:
            continue  # neither removes, edits nor writes a file
        operands = [word.text for word in command.effective_words[1:] if not word.text.startswith("-")]
        if name == "rm" and any(_covers(operand, DOCKER_CLEAN) for operand in operands):
            hook = False
        elif name in _EDITORS and (touched := [operand for operand in operands if _is_config_path(operand)]):
            known = False
            if any(_may_be_docker_clean(operand) for operand in touched):
                hook = None
        for path, content, _ in file_writes(script, command, None, _in_apt_directory):
            if path is None or (_is_config_path(path) and not _read(path, content, origin, settings)):
                known = False
                hook = None if path is None or path == DOCKER_CLEAN else hook
    return AptConfig(hook, MappingProxyType(settings), known)


def after_copy(config: AptConfig, destination: str) -> AptConfig:
    """The configuration after a COPY/ADD to `destination`, whose content is not read."""
    if not (destination + "/").startswith(APT_DIRECTORY + "/") and destination not in ("/", "/etc"):
        return config
    hook = None if _may_be_docker_clean(destination) or destination in ("/", "/etc", APT_DIRECTORY) else config.clean_hook
    return config._replace(clean_hook=hook, known=False)


def _read(path: str, content: str | None, origin: Origin, settings: dict[str, Known[str]]) -> bool:
    """Add the settings of a written apt config file; False when they cannot be read."""
    if content is None or not (path == "/etc/apt/apt.conf" or posixpath.dirname(path) == _CONFIG_PARTS):
        return False
    text = _COMMENT.sub("", content)
    if "{" in text:
        return False
    for key, value in _STATEMENT.findall(text):
        settings[key.lower()] = Known(value, origin)
    return True


def _covers(operand: str, path: str) -> bool:
    """Whether an `rm` operand deletes `path`: the path itself, its directory (with `-r`,
    which `rm` needs for it anyway), or a glob in that directory that matches its name."""
    if operand == path or (path + "/").startswith(operand.rstrip("/") + "/"):
        return True
    directory, _, pattern = operand.rpartition("/")
    if directory != posixpath.dirname(path) or not any(c in pattern for c in "*?["):
        return False
    import fnmatch  # only for globbed operands

    return fnmatch.fnmatchcase(posixpath.basename(path), pattern)


def _is_config_path(text: str) -> bool:
    """Whether a path may be apt's configuration (apt.conf, apt.conf.d, or a directory
    holding them), not its sources or keys."""
    return "apt.conf" in text or text.rstrip("/") in ("/etc", APT_DIRECTORY) or (text.startswith("$") and "apt" in text)


def _may_be_docker_clean(text: str) -> bool:
    return "$" in text or "*" in text or _covers(text, DOCKER_CLEAN) or text.rstrip("/") in (APT_DIRECTORY, _CONFIG_PARTS)


def _in_apt_directory(text: str) -> bool:
    """Whether a written path that is not static may be in apt's configuration."""
    return "apt" in text.lower()

