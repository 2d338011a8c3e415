"""The image's users as the build changes them: /etc/passwd, homes, and what `USER` resolves to.

Why this exists: a RUN's HOME is the passwd home of its uid, or `/` for a uid that is not
there (runc, semantics.md §1.1-1.2); pip disables its cache when that home is not the
user's (§2.2); and the fix for a root-owned cache mount needs the user's numeric uid and
gid (problem.md §1c). The base image gives the starting passwd (`images.py`); RUN steps
change it with useradd/adduser/usermod/userdel, and change homes with mkdir, chown,
`install -d` and `rm -r`. This module replays those commands on an immutable `Passwd`,
one RUN at a time, and answers what a `USER` value resolves to.

Where a result depends on something that cannot be known statically (the distro's
login.defs, the adduser version, a `$VAR` without a value, a script that is not visible,
a package's postinst) the fact becomes None or the passwd becomes incomplete; nothing is
guessed. Sources read for the tool behaviour modelled here:

- shadow-maint/shadow @816e02a2 (4.20.0-11): `src/useradd.c` (options; CREATE_HOME is
  ignored for `-r`; `-M` wins over everything; default home = base dir + "/" + login;
  `create_home()` leaves an existing directory alone, creates missing parents, chowns a new
  home to the user; `-U` group prefers gid = uid), `lib/find_new_uid.c` (one above the
  highest uid in use in [UID_MIN, UID_MAX], else UID_MIN), `etc/login.defs` (UID_MIN 1000,
  UID_MAX 60000, USERGROUPS_ENAB yes, `#CREATE_HOME yes` commented out), `src/usermod.c`,
  `src/userdel.c`, `src/groupadd.c` (option tables).
- Observed on this machine (Debian 12, shadow 4.13, `useradd --prefix` into a scratch
  tree with Debian's login.defs, which has no CREATE_HOME): `useradd app` makes no home;
  `useradd -r svc` gets /home/svc, not created, uid 999 (system uids count down);
  `-N` gives gid 100 (upstream's built-in default is now 1000, so it is version-dependent);
  after `-u 1234` the next user gets 1235.
- Fedora's `shadow-utils.login.defs` (Ultramarine-Linux/pkg-shadow-utils, a fork of the
  Fedora package): `CREATE_HOME yes` ("On RH systems, we do"); its spec file links
  `adduser` to `useradd`. Amazon Linux and UBI are taken to share it (the same package
  lineage; their own files were not read).
- Debian adduser 3.118 (Debian 11) and 3.134 (Debian 12, also on this machine)
  (pexip/os-adduser tags debian/3.118, debian/3.134): normal users get DHOME/login = /home/login, created unless
  `--no-create-home` and chowned only when adduser makes it; uid = lowest free in
  FIRST_UID..LAST_UID = 1000..59999 (3.134: lowest id free both as uid and gid; 3.118:
  lowest free uid, gid lowest free gid); USERGROUPS=yes. `--system`: uid = lowest free
  in 100..999, group nogroup (65534) unless `--group`/`--ingroup`/`--gid`; home: 3.118
  /home/login, created; since 3.122 ("System account home dir defaults to /nonexistent",
  Closes: #679746; 3.130 "Specialcase /nonexistent so that it never gets created")
  /nonexistent, never created, unless `--home` is given (seen in python:3.11-slim on
  bookworm: docker-library/python#838). A system user that already exists is left alone
  (exit 0). Which adduser an Ubuntu release ships was not checked.
- BusyBox `loginutils/adduser.c`, `addgroup.c`, `deluser.c` (mirror/busybox @371fe9f7):
  options `-h -g -s -G -D -S -H -u -k` (and long spellings); home /home/login; without
  `-H` a single mkdir (no parents) then chown to the user even if the directory existed;
  uid = lowest free from 1000 (system: from 100 to 999) that, when no `-G` is given, is
  also a free gid; gid = uid then (a new group named like the user); system users default
  to group nogroup.

Scope notes: `useradd -D` (changing defaults) and edits of login.defs, /etc/default/useradd
or adduser.conf are not modelled; groups are tracked only as far as the build creates
them, and a home's writability is reduced to its owner.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from fnmatch import fnmatchcase
from functools import lru_cache, partial
from typing import TypeVar

from .facts import Origin, Spelling
from .images import ImageFacts, ImageRef, parse_image_reference
from .patterns import compile_lazily
from .records import NamedTuple
from .shell import Script, SimpleCommand, Word

__all__ = [
    "Account",
    "Group",
    "Passwd",
    "ResolvedUser",
    "UID_MAX",
    "UID_MIN",
    "apply_user_commands",
    "distro_family",
    "may_change_accounts",
    "resolve_user",
]

UID_MIN, UID_MAX = 1000, 60000  # login.defs of shadow upstream, Debian and Fedora alike
_ADDUSER_LAST = 59999  # Debian adduser.conf LAST_UID/LAST_GID
_SYSTEM_FIRST, _SYSTEM_LAST = 100, 999  # Debian adduser FIRST/LAST_SYSTEM_UID; BusyBox FIRST/LAST_SYSTEM_ID
_NOGROUP = 65534  # Debian base-passwd nogroup; adduser falls back to 65534 as well
_CREATE_HOME = {"debian": False, "rhel": True}  # login.defs CREATE_HOME; Alpine's shadow package: not sourced
_USERGROUPS = frozenset({"debian", "rhel"})  # login.defs USERGROUPS_ENAB yes
_NUMBER = re.compile(r"[0-9]+\Z")


# --------------------------------------------------------------------------- values


def _spelling(record: Account | Group, field: str) -> Spelling | None:
    """How the Dockerfile writes `field` (`uid`, `gid`, `home`, `name`) of an account or
    group where build arguments decide it (`useradd -u ${UID}`); None where none do."""
    return next((spelling for name, spelling in record.spellings if name == field), None)


class Account(NamedTuple):
    """One /etc/passwd line and what is known of its home directory.

    `uid`/`gid` are None when the tool that made the account picks them in a way that
    cannot be predicted here (a system account, an image whose passwd is partly known).
    `certain` is False when a build argument decides one of the fields
    (`useradd -u ${UID} ${USER}` with `ARG UID=1000`): the values are those of the
    argument's default; `varies` names those fields, and `spellings` say how the
    Dockerfile writes the ones it can.
    `home` is None when the tool's default depends on a version or distro that is not
    known. `home_exists`/`home_owner_uid` are None when not known; the owner only means
    something when the directory exists.
    """

    name: str
    uid: int | None
    gid: int | None
    home: str | None
    home_exists: bool | None
    home_owner_uid: int | None
    origin: Origin
    certain: bool = True
    spellings: tuple[tuple[str, Spelling], ...] = ()
    varies: tuple[str, ...] = ()

    spelling = _spelling


class Group(NamedTuple):
    """A group the build created (`groupadd`, `addgroup`, a user's own group), for gid look-ups.

    `certain`, `spellings` and `varies` as for `Account` (`gid`, `name`).
    """

    name: str
    gid: int | None
    certain: bool = True
    spellings: tuple[tuple[str, Spelling], ...] = ()
    varies: tuple[str, ...] = ()

    spelling = _spelling


class Passwd(NamedTuple):
    """The accounts of an image at one point of the build, in /etc/passwd order.

    Immutable (a named tuple), so a RUN's snapshot costs nothing to keep; every change
    returns a copy.

    - `complete`: every account is listed, so a missing name really is missing (and
      `USER name` fails the build).
    - `regular_complete`: every account with a uid in UID_MIN..UID_MAX is listed with its
      uid. Enough to predict the next normal uid, and kept when packages are installed,
      since packages only add system users (images.py `_Base.derived` makes the same
      assumption).
    - `regular_groups_complete`: likewise for gids in that range (the accounts' primary
      gids and `groups`). Base images have no groups there besides their users' own.
    - `absent_uids`: uids known not to be in passwd even when it is partial.
    - `doubts`: commands that may have changed the listed accounts in ways not modelled
      (`usermod $U`, an edit of /etc/passwd): lookups are then not certain.
    """

    accounts: tuple[Account, ...] = ()
    complete: bool = False
    regular_complete: bool = False
    regular_groups_complete: bool = False
    absent_uids: frozenset[int] = frozenset()
    groups: tuple[Group, ...] = ()
    doubts: tuple[Origin, ...] = ()

    @classmethod
    def from_image(cls, facts: ImageFacts | None, origin: Origin) -> Passwd:
        """The passwd a `FROM` starts with: empty and incomplete for an unknown image.

        `FROM scratch` knows its passwd (there is none), so it is empty and complete.
        """
        if facts is None:
            return cls()
        known = facts.knows("passwd")
        regular = known or _regular_range_known(facts)
        where = Origin(f"/etc/passwd of {facts.name}", origin.line)
        accounts = tuple(
            Account(e.name, e.uid, e.gid, e.home, e.home_exists, e.home_owner_uid, where) for e in facts.passwd
        )
        return cls(accounts, known, regular, regular, frozenset(facts.absent_uids))

    def by_name(self, name: str) -> Account | None:
        return next((a for a in self.accounts if a.name == name), None)

    def by_uid(self, uid: int) -> Account | None:
        """The first account with `uid`, as runc's lookup takes the first matching line."""
        return next((a for a in self.accounts if a.uid == uid), None)

    def gid_of_group(self, group: str) -> int | None:
        """The gid a group argument (`-g`, `--ingroup`, `USER u:group`) names, if known.

        Only numbers, `root` (gid 0 everywhere) and groups the build created are known:
        the image's /etc/group is not part of the image facts.
        """
        if _NUMBER.match(group):
            return int(group)
        if group == "root":
            return 0
        return next((g.gid for g in self.groups if g.name == group), None)

    def with_account(self, account: Account, *, replacing: str | None = None) -> Passwd:
        """`account` in place of the one named `replacing` (default: its own name), as
        usermod edits a line where it is; appended when there is none."""
        name = account.name if replacing is None else replacing
        if self.by_name(name) is None:
            return self._replace(accounts=self.accounts + (account,))
        return self._replace(accounts=tuple(account if a.name == name else a for a in self.accounts))

    def without(self, name: str) -> Passwd:
        return self._replace(accounts=tuple(a for a in self.accounts if a.name != name))

    def used_uids(self) -> set[int]:
        return {a.uid for a in self.accounts if a.uid is not None}

    def used_gids(self) -> set[int]:
        return {a.gid for a in self.accounts if a.gid is not None} | {g.gid for g in self.groups if g.gid is not None}


_BASE_LABEL = re.compile(r"\b(Debian|Alpine|Ubuntu)\b")


def _regular_range_known(facts: ImageFacts) -> bool:
    """Whether images.py's facts list every account in UID_MIN..UID_MAX, though not all.

    images.py marks the passwd of an image built on a base partial because packages add
    system users, and derives it from the base named in `facts.name`. Those bases have
    no account in that range besides the ones listed: Debian's base-passwd none, the
    Alpine minirootfs none (both in every release images.py read), Ubuntu only `ubuntu`
    1000 from 23.04 on, so its release must be pinned (uid 1000 listed or known absent).
    Packages add system users below UID_MIN (Debian Policy 9.2.2), and the users an image's
    Dockerfile adds are listed, unless the config User names one that is not.
    """
    base = _BASE_LABEL.search(facts.name)
    if base is None or not facts.knows("user"):
        return False
    user = (facts.user or "root").partition(":")[0]
    if not _NUMBER.match(user) and not any(e.name == user for e in facts.passwd):
        return False
    return base.group(1) != "Ubuntu" or 1000 in facts.absent_uids or any(e.uid == 1000 for e in facts.passwd)


class ResolvedUser(NamedTuple):
    """What a `USER` value means for a RUN, on the passwd side (the caller applies `ENV HOME`).

    None means not known, and `reason` says why. `error` is set when BuildKit fails the
    step instead (`USER name` not in a complete passwd). `certain` is False when the
    values given may be stale (see `Passwd.doubts`).
    """

    uid: int | None
    gid: int | None
    name: str | None
    home: str | None
    home_exists: bool | None
    home_owner_uid: int | None
    account: Account | None = None
    error: str | None = None
    certain: bool = True
    reason: str | None = None

    @property
    def owns_home(self) -> bool | None:
        """Whether the home exists and belongs to this uid (pip writes its cache there)."""
        if self.home_exists is False:
            return False
        if self.home_exists is None or self.uid is None or self.home_owner_uid is None:
            return None
        return self.home_owner_uid == self.uid


# --------------------------------------------------------------------------- USER


def resolve_user(passwd: Passwd, user: str | None) -> ResolvedUser:
    """Resolve a `USER` value (`name`, `uid`, `name:group`, `uid:gid`; None or "" = root).

    As moby/sys/user GetExecUser: a numeric user is always a uid, a name must be in
    passwd ("unable to find user"), a group part replaces the entry's gid. HOME is the
    home of the first passwd line with that uid, `/` when there is none (runc).
    """
    name, _, group = (user or "0").partition(":")
    if _NUMBER.match(name):
        resolved = _resolve_uid(passwd, int(name))
    else:
        resolved = _resolve_name(passwd, name)
    if group and resolved.error is None:
        gid = passwd.gid_of_group(group)
        reason = resolved.reason if gid is not None else _join(resolved.reason, f"gid of group {group} is not known")
        resolved = resolved._replace(gid=gid, reason=reason)
    if passwd.doubts:
        why = "; ".join(str(d) for d in passwd.doubts)
        resolved = resolved._replace(certain=False, reason=_join(resolved.reason, f"accounts may have changed: {why}"))
    return resolved


def _resolve_name(passwd: Passwd, name: str) -> ResolvedUser:
    account = passwd.by_name(name)
    if account is not None:
        return _from_account(account)
    if passwd.complete:
        return ResolvedUser(None, None, name, None, None, None,
                            error=f"unable to find user {name}: no matching entries in passwd file")  # fmt: skip
    return ResolvedUser(None, None, name, None, None, None,
                        reason=f"user {name} is not among the known accounts and the passwd is not fully known")


def _resolve_uid(passwd: Passwd, uid: int) -> ResolvedUser:
    account = passwd.by_uid(uid)
    if account is not None:
        return _from_account(account)
    regular = passwd.regular_complete and UID_MIN <= uid <= UID_MAX  # no normal account lacks its uid then
    unknown = [a.name for a in passwd.accounts if a.uid is None]
    if unknown and not regular:
        return ResolvedUser(uid, None, None, None, None, None,
                            reason=f"uid {uid} may belong to {', '.join(unknown)}, whose uid is not known")
    if regular or passwd.complete or uid in passwd.absent_uids:
        # No entry: gid 0 (GetExecUser's default) and HOME=/ (runc); an image's / is root's.
        return ResolvedUser(uid, 0, None, "/", True, 0)
    return ResolvedUser(uid, None, None, None, None, None,
                        reason=f"uid {uid} is not among the known accounts and the passwd is not fully known")


def _from_account(account: Account) -> ResolvedUser:
    reason = None
    if account.uid is None:
        reason = f"the uid of {account.name} is assigned by the tool that made it and cannot be predicted"
    elif account.home is None:
        reason = (
            f"the home {account.origin.description} gives {account.name} is not known here: it depends on a "
            "tool version or distro that is not known, or is written in a way not read here"
        )
    if not account.certain:
        reason = _join(reason, f"a build argument decides the account {account.name} ({account.origin.description})")
    return ResolvedUser(account.uid, account.gid, account.name, account.home, account.home_exists,
                        account.home_owner_uid, account, certain=account.certain, reason=reason)  # fmt: skip


def _join(first: str | None, second: str) -> str:
    return f"{first}; {second}" if first else second


# --------------------------------------------------------------------------- distro family

_LABEL_FAMILIES = (
    (re.compile(r"\balpine\b"), "alpine"),
    (re.compile(r"\b(?:debian|ubuntu|bitnami|minideb)\b"), "debian"),
    (compile_lazily(r"\b(?:ubi\d*|amazon ?linux|fedora|rocky ?linux|alma ?linux|centos|red ?hat|rhel)\b"), "rhel"),
)
_TAG_FAMILIES = (
    (compile_lazily(r"alpine"), "alpine"),
    (compile_lazily(r"ubuntu|debian|bookworm|bullseye|buster|trixie|jammy|noble|focal|slim"), "debian"),
    (compile_lazily(r"ubi\d|rockylinux|centos|amzn|fedora"), "rhel"),
)
_DISTRO_REPOSITORIES = {
    "debian": "debian", "ubuntu": "debian", "alpine": "alpine", "fedora": "rhel", "centos": "rhel",
    "rockylinux": "rhel", "almalinux": "rhel", "oraclelinux": "rhel", "amazonlinux": "rhel",
}  # fmt: skip
# docker-library images whose default variant is Debian and that have -alpine variants.
_DEBIAN_DEFAULT = frozenset({"python", "node", "ruby", "golang", "php", "perl", "rust", "buildpack-deps"})
# Images in images.py whose base is named only in their sources (FROM debian/ubuntu).
_KNOWN_BASES = {
    "continuumio/miniconda3": "debian", "pytorch/pytorch": "debian", "tensorflow/tensorflow": "debian",
    "jupyter": "debian",
}  # fmt: skip


def distro_family(facts: ImageFacts | None, ref: str | None = None) -> str | None:
    """'debian', 'alpine', 'rhel', or None: which user tools and defaults a RUN meets.

    It decides login.defs' CREATE_HOME for useradd (Debian/Ubuntu no, RHEL/Fedora/Amazon
    Linux yes) and which `adduser` runs (Debian's perl script, BusyBox's applet, or
    shadow's useradd under that name on RHEL). Read from the base label images.py puts
    in `facts.name`, then from the reference. `ref` serves an image images.py does not
    know (`FROM fedora:40`): only distribution images and docker-library images with
    Debian and Alpine variants are named from it. Images without a shell (scratch,
    distroless) have no user tools: None.
    """
    if facts is not None:
        if not facts.has_shell:
            return None
        found, either = _label_family(facts.name.lower())
        if either:
            return None  # a base that may be either ("Debian or Alpine"): neither's tools are certain
        return found or _family_of_ref(facts.ref, known=True)
    parsed = parse_image_reference(ref) if ref else None
    return _family_of_ref(parsed, known=False) if parsed else None


@lru_cache(maxsize=256)
def _label_family(label: str) -> tuple[str | None, bool]:
    """The family a base label names first, and whether it names more than one (worked
    out once per label: every pass over every stage asks)."""
    found = next((family for pattern, family in _LABEL_FAMILIES if pattern.search(label)), None)
    either = found is not None and " or " in label and len({f for p, f in _LABEL_FAMILIES if p.search(label)}) > 1
    return found, either


def _family_of_ref(ref: ImageRef, *, known: bool) -> str | None:
    """Family from the repository and tag; tags are trusted only on images whose naming is known."""
    parts = ref.repository.split("/")
    tag = (ref.tag or "").lower()
    if "windowsservercore" in tag or "nanoserver" in tag:
        return None
    if parts[-1] in _DISTRO_REPOSITORIES:
        return _DISTRO_REPOSITORIES[parts[-1]]
    if any(part.startswith("ubi") and part[3:4].isdigit() for part in parts):
        return "rhel"
    trusted = known or (ref.registry == "docker.io" and parts[0] == "library")
    by_tag = next((family for pattern, family in _TAG_FAMILIES if pattern.search(tag)), None) if trusted else None
    if by_tag:
        return by_tag
    if ref.registry == "docker.io" and parts[0] == "library" and parts[-1] in _DEBIAN_DEFAULT:
        return "debian"
    return (_KNOWN_BASES.get(ref.repository) or _KNOWN_BASES.get(parts[0])) if known else None


# --------------------------------------------------------------------------- option parsing

_Table = Mapping[str, tuple[str, bool]]


def _options(short: str, longs: Mapping[str, str], extra: _Table | None = None) -> _Table:
    """A getopt_long table: `short` in getopt syntax ("b:m"), `longs` name -> short letter.

    A long name mapped to "" is its own key; it takes a value when written `name=`.
    """
    table: dict[str, tuple[str, bool]] = {}
    for match in re.finditer(r"(\w)(:?)", short):
        table["-" + match.group(1)] = (match.group(1), bool(match.group(2)))
    for spelled, letter in longs.items():
        name = spelled.rstrip("=")
        table["--" + name] = table["-" + letter] if letter else (name, spelled.endswith("="))
    table.update(extra or {})
    return table


class _Parsed(NamedTuple):
    options: tuple[tuple[str, Word | None], ...]
    operands: tuple[Word, ...]

    def has(self, key: str) -> bool:
        for name, _ in self.options:
            if name == key:
                return True
        return False

    def word(self, key: str) -> Word | None:
        """The value of the last `key` option (later ones win, as getopt loops do)."""
        return next((value for name, value in reversed(self.options) if name == key), None)

    def words(self, key: str) -> list[Word]:
        return [value for name, value in self.options if name == key and value is not None]


def _long_option(table: _Table, name: str) -> tuple[str, bool] | None:
    """Exact match, else a unique abbreviation (getopt_long and Getopt::Long accept them)."""
    if name in table:
        return table[name]
    matches = {spec for spelled, spec in table.items() if spelled.startswith(name) and spelled.startswith("--")}
    return matches.pop() if len(matches) == 1 else None


def _parse(words: Sequence[Word], table: _Table) -> _Parsed | None:
    """Options and operands as getopt_long reads them: clusters (`-rm`), `-uVALUE`,
    `--opt=value`, options after operands (GNU getopt permutes), `--` ending options.

    None when an option is unknown or lacks its value: the tool would refuse the line.
    """
    options: list[tuple[str, Word | None]] = []
    operands: list[Word] = []
    i = 0
    while i < len(words):
        word, text = words[i], words[i].text
        if text == "--":
            operands.extend(words[i + 1 :])
            break
        if text.startswith("--"):
            name, equals, _ = text.partition("=")
            spec = _long_option(table, name)
            if spec is None:
                return None
            value = word.sub(len(name) + 1) if equals else None
            if spec[1] and value is None:
                i += 1
                if i >= len(words):
                    return None
                value = words[i]
            options.append((spec[0], value if spec[1] else None))
        elif text.startswith("-") and len(text) > 1:
            for k in range(1, len(text)):
                spec = table.get("-" + text[k])
                if spec is None:
                    return None
                if not spec[1]:
                    options.append((spec[0], None))
                    continue
                if k + 1 < len(text):
                    options.append((spec[0], word.sub(k + 1)))
                elif i + 1 < len(words):
                    i += 1
                    options.append((spec[0], words[i]))
                else:
                    return None
                break
        else:
            operands.append(word)
        i += 1
    return _Parsed(tuple(options), tuple(operands))


# Option tables, from the sources named in the module docstring.
_USERADD = _options("b:c:d:De:f:g:G:hk:K:lmMNop:rR:P:s:u:UZ:F", {
    "base-dir": "b", "comment": "c", "home-dir": "d", "defaults": "D", "expiredate": "e", "inactive": "f",
    "gid": "g", "groups": "G", "help": "h", "skel": "k", "key": "K", "no-log-init": "l", "create-home": "m",
    "no-create-home": "M", "no-user-group": "N", "non-unique": "o", "password": "p", "system": "r",
    "root": "R", "prefix": "P", "shell": "s", "uid": "u", "user-group": "U", "selinux-user": "Z",
    "add-subids-for-system": "F", "btrfs-subvolume-home": "", "badname": "", "badnames": "",
    "selinux-range=": "",
})  # fmt: skip
_USERMOD = _options("abc:d:e:f:g:G:hl:Lmop:rR:s:u:UP:v:w:V:W:SZ:", {
    "append": "a", "badname": "b", "badnames": "b", "comment": "c", "home": "d", "expiredate": "e",
    "inactive": "f", "gid": "g", "groups": "G", "help": "h", "login": "l", "lock": "L", "move-home": "m",
    "non-unique": "o", "password": "p", "remove": "r", "root": "R", "prefix": "P", "shell": "s", "uid": "u",
    "unlock": "U", "add-subuids": "v", "del-subuids": "V", "add-subgids": "w", "del-subgids": "W",
    "add-subids": "S", "selinux-user": "Z", "selinux-range=": "",
})  # fmt: skip
_USERDEL = _options("fhrR:P:Z", {
    "force": "f", "help": "h", "remove": "r", "root": "R", "prefix": "P", "selinux-user": "Z",
})  # fmt: skip
_GROUPADD = _options("fg:hK:op:rR:P:U:", {
    "force": "f", "gid": "g", "help": "h", "key": "K", "non-unique": "o", "password": "p", "system": "r",
    "root": "R", "prefix": "P", "users": "U",
})  # fmt: skip
# Debian's adduser/addgroup (Getopt::Long, 3.118 and 3.134 together); keys are the long names.
_DEBIAN_ADDUSER = _options("", {
    "add-extra-groups": "", "add_extra_groups": "", "allow-all-names": "", "allow-badname": "",
    "allow-bad-names": "", "comment=": "", "conf=": "", "debug": "", "disabled-login": "",
    "disabled-password": "", "encrypt-home": "", "firstgid=": "", "firstuid=": "", "force-badname": "",
    "gecos=": "", "gid=": "", "group": "", "help": "", "home=": "", "ingroup=": "", "lastgid=": "",
    "lastuid=": "", "no-create-home": "", "quiet": "", "shell=": "", "system": "", "uid=": "",
    "verbose": "", "version": "",
}, {"-c": ("conf", True), "-q": ("quiet", False), "-h": ("help", False), "-v": ("version", False)})  # fmt: skip
_BUSYBOX_ADDUSER = _options("h:g:s:G:DSHu:k:", {
    "home": "h", "gecos": "g", "shell": "s", "ingroup": "G", "disabled-password": "D",
    "empty-password": "D", "system": "S", "no-create-home": "H", "uid": "u", "skel": "k",
})  # fmt: skip
_BUSYBOX_ADDGROUP = _options("g:S", {"gid": "g", "system": "S"})
_DELUSER = _options("qc:", {
    "backup": "", "backup-to=": "", "conf": "c", "debug": "", "force": "", "group": "", "help": "",
    "no-preserve-root": "", "only-if-empty": "", "quiet": "q", "remove-all-files": "", "remove-home": "",
    "system": "", "verbose": "", "version": "",
})  # fmt: skip
_MKDIR = _options("m:pvZ", {"mode": "m", "parents": "p", "verbose": "v", "context": "Z", "help": ""})
_CHOWN = _options("cfvhRHLP", {
    "changes": "c", "silent": "f", "quiet": "f", "verbose": "v", "no-dereference": "h", "recursive": "R",
    "dereference": "", "from=": "", "no-preserve-root": "", "preserve-root": "", "reference=": "", "help": "",
})  # fmt: skip
_INSTALL = _options("bcCdDg:m:o:pst:TvS:Z", {
    "backup": "b", "compare": "C", "directory": "d", "group": "g", "mode": "m", "owner": "o",
    "preserve-timestamps": "p", "strip": "s", "target-directory": "t", "no-target-directory": "T",
    "verbose": "v", "suffix": "S", "context": "Z", "strip-program=": "", "help": "",
})  # fmt: skip
_RM = _options("dfiIrRv", {
    "dir": "d", "force": "f", "recursive": "r", "verbose": "v", "interactive=": "", "one-file-system": "",
    "no-preserve-root": "", "preserve-root": "", "help": "",
})  # fmt: skip


# --------------------------------------------------------------------------- what tools add


class _NewUser(NamedTuple):
    """An account a tool adds, its home's state already worked out, and the user's own group."""

    name: str
    uid: int | None
    gid: int | None
    home: str | None
    home_exists: bool | None
    home_owner_uid: int | None
    system: bool | None
    group: Group | None


class _NewGroup(NamedTuple):
    name: str
    gid: int | None
    system: bool | None


class _Unreadable:
    """A user tool's outcome that cannot be read from its command line."""


class _Rejected:
    """The program would refuse this command line, so the step fails and nothing changes."""


_UNREADABLE, _REJECTED = _Unreadable(), _Rejected()
_Outcome = _NewUser | _NewGroup | _Unreadable | _Rejected | None  # None: passwd unchanged


def _agree(first: _Outcome, second: _Outcome) -> _Outcome:
    """What two possible outcomes have in common: equal fields stay, others become None.

    Used when it is not known which tool (Debian or BusyBox adduser) or which version
    runs; a field that does not depend on it keeps its value.
    """
    if first == second:
        return first
    if type(first) is not type(second) or isinstance(first, _Unreadable) or first is None:
        return _UNREADABLE
    values = {name: getattr(first, name) for name in first._fields}
    for name, value in values.items():
        if getattr(second, name) != value:
            values[name] = None
    return _UNREADABLE if values["name"] is None else type(first)(**values)


def _lowest_free(used: set[int], low: int, high: int) -> int | None:
    return next((i for i in range(low, high + 1) if i not in used), None)


def _above_highest(used: set[int], low: int, high: int) -> int | None:
    """shadow's choice: one above the highest id in use in [low, high], or `low`.

    When the highest is `high` shadow searches for a gap instead; not modelled.
    """
    candidate = max((i for i in used if low <= i <= high), default=low - 1) + 1
    return candidate if candidate <= high else None


def _int(text: str | None) -> int | None:
    return int(text) if text is not None and _NUMBER.match(text) else None


# --------------------------------------------------------------------------- one RUN

_VARIABLE = compile_lazily(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_GLOB = re.compile(r"[*?\[]")
# Directories every base image the tool knows has (Debian, Ubuntu, Alpine, RHEL; FHS).
_STANDARD_DIRS = frozenset({"/", "/home", "/opt", "/srv", "/tmp", "/usr", "/usr/local", "/var", "/var/lib"})
_State = tuple[bool | None, int | None]  # (exists, owner uid) of a directory


class _Run:
    """The replay of one RUN: the current passwd and how to read the commands' words."""

    def __init__(self, passwd: Passwd, script: Script, family: str | None, origin: Origin,
                 env: Mapping[str, str], workdir: str, run_uid: int | None,
                 doubtful: Mapping[str, Origin] | frozenset[str] = frozenset()) -> None:  # fmt: skip
        self.passwd = passwd
        self.script = script
        self.family = family
        self.origin = origin
        self.env = env
        self.doubtful = doubtful  # the names in `env` whose values a build argument decides
        self.used: set[str] = set()  # those the commands read so far
        self.workdir = workdir
        self.run_uid = run_uid
        self.made: dict[str, int | None] = {}  # directories made in this RUN -> owner
        self.unseen_paths = False  # the current command's paths come from find or xargs

    # ---- reading words

    def value(self, command: SimpleCommand, word: Word | None) -> str | None:
        """A word's text with `$NAME`/`${NAME}` replaced, or None if it cannot be known.

        Values come from the script itself (`U=app; useradd $U`), from `env` (the stage's
        ENV/ARG values the caller trusts) and, for HOME, from the runtime (`home_of`).
        Other expansions (`$(...)`, `${X:-y}`) give None.
        """
        if word is None:
            return None
        if not word.has_expansion:
            return word.text
        if "'" in self.script.code[word.start : word.end]:
            return None  # partly single-quoted: which `$` expand is not tracked here
        pieces, position = [], 0
        for match in _VARIABLE.finditer(word.text):
            value = self._variable(command, match.group(1) or match.group(2))
            if value is None:
                return None
            pieces += [word.text[position : match.start()], value]
            position = match.end()
        pieces.append(word.text[position:])
        literal = "".join(pieces[::2])
        return None if "$" in literal or "`" in literal else "".join(pieces)

    def _variable(self, command: SimpleCommand, name: str) -> str | None:
        if name == "HOME":
            return self.home_of(command)
        change = self.script.context_of(command).lookup(name)
        if change is None:
            return self._stage_value(name)
        if change.kind == "set" and change.value is not None and "$" not in change.value:
            return change.value
        return None

    def home_of(self, command: SimpleCommand) -> str | None:
        """HOME as the command sees it: set by the script (`su`/`gosu` give the target's
        home), else the stage's ENV HOME, else the passwd home runc gives the step's uid."""
        change = self.script.context_of(command).lookup("HOME")
        if change is not None:
            if change.kind == "set" and change.value and "$" not in change.value:
                return change.value
            if change.kind == "home-of" and change.value:
                return resolve_user(self.passwd, change.value).home
            return None
        if self.env.get("HOME"):
            return self._stage_value("HOME")
        return None if self.run_uid is None else resolve_user(self.passwd, str(self.run_uid)).home

    def _stage_value(self, name: str) -> str | None:
        """A variable of the stage, noting those a build argument decides."""
        if name in self.doubtful:
            self.used.add(name)
        return self.env.get(name)

    def path(self, command: SimpleCommand, word: Word) -> str | None:
        """An absolute, normalised path for a path operand, or None (unknown, or relative to
        an unknown directory). `~` and `~user` expand as sh does; globs are kept as written."""
        text = self.value(command, word)
        if text is None or (word.quoted and _GLOB.search(text)):
            return None
        if text.startswith("~") and self.script.code[word.start : word.start + 1] == "~":
            text = self._tilde(command, text)
        elif not text.startswith("/"):
            cwd = self._cwd(command)
            text = None if cwd is None else posixpath.join(cwd, text)
        return None if text is None else _normalise(text)

    def _tilde(self, command: SimpleCommand, text: str) -> str | None:
        user, slash, rest = text[1:].partition("/")
        if user:
            account = self.passwd.by_name(user)
            home = account.home if account is not None else None
        else:
            home = self.home_of(command)
        return None if home is None else home + slash + rest

    def _cwd(self, command: SimpleCommand) -> str | None:
        """The directory the command runs in: WORKDIR, then the `cd`s before it."""
        directory = self.workdir
        for target in self.script.context_of(command).directories:
            if "$" in target or target.startswith("~") or target == "-":
                return None
            directory = posixpath.join(directory, target)
        return _normalise(directory)

    def runner_uid(self, command: SimpleCommand) -> int | None:
        """The uid the command runs as: the step's, or a `su`/`gosu`/`sudo -u` target's."""
        switch = self.script.context_of(command).user
        if switch is None:
            return self.run_uid
        return resolve_user(self.passwd, switch.user).uid

    def origin_of(self, command: SimpleCommand) -> Origin:
        text = " ".join(self.script.code[command.span[0] : command.span[1]].split())
        text = text if len(text) <= 60 else text[:57] + "..."
        return Origin(f"`{text}` in {self.origin.description}", self.origin.line)

    # ---- directories

    def existing(self, path: str) -> _State:
        """Whether `path` exists before a tool makes it a home, and its owner.

        Known: directories made earlier in this RUN, accounts' homes, WORKDIR and its
        parents (WORKDIR creates them), /nonexistent (never created, by convention), and
        /home/<name>, which nothing but user tools creates in a base image.
        """
        if path in self.made:
            return True, self.made[path]
        same = next((a for a in self.passwd.accounts if a.home == path and a.home_exists is not None), None)
        if same is not None:
            return same.home_exists, same.home_owner_uid
        if path == "/nonexistent":
            return False, None
        if _within(self.workdir, path) or path in _STANDARD_DIRS:
            return True, None
        if path.startswith("/home/") and path.count("/") == 2:
            return False, None
        return None, None

    def home_after(self, home: str | None, uid: int | None, creates: bool | None, *,
                   busybox: bool = False) -> _State:  # fmt: skip
        """A new account's home after the tool, which makes it when `creates` (None: unknown).

        shadow and Debian make missing parents and chown only a directory they made;
        BusyBox does one mkdir and chowns the directory whether it made it or not.
        """
        if home is None:
            return None, None
        before = self.existing(home)
        if creates is False or home == "/nonexistent":
            return before
        if busybox:
            there = before[0] is True or self.existing(posixpath.dirname(home))[0] is True
            made: _State = (True if there else None), uid
        else:
            made = True, _owner_after_mkdir(before, uid)
        return made if creates else _either(made, before)

    def make_dirs(self, target: str, runner: int | None, *, parents: bool) -> None:
        """Remember directories a mkdir makes, for a useradd later in this RUN."""
        paths = [target]
        while parents and paths[-1] != "/":
            paths.append(posixpath.dirname(paths[-1]))
        for path in paths:
            self.made[path] = _owner_after_mkdir(self.existing(path), runner)

    # ---- allocation

    def allocate(self, low: int, high: int, *, with_gids: bool = False, shadow: bool = False) -> int | None:
        """The id a tool picks in [low, high], if the ids in use there are all known.

        Debian adduser and BusyBox take the lowest free id (free as a gid too when
        `with_gids`); shadow takes one above the highest (`shadow`).
        """
        passwd = self.passwd
        if UID_MIN <= low and high <= UID_MAX:
            known = passwd.regular_complete and (passwd.regular_groups_complete or not with_gids)
        else:
            known = passwd.complete and not with_gids and all(a.uid is not None for a in passwd.accounts)
        if not known:
            return None
        used = passwd.used_uids() | (passwd.used_gids() if with_gids else set())
        return _above_highest(used, low, high) if shadow else _lowest_free(used, low, high)

    def own_group_gid(self, uid: int | None) -> int | None:
        """gid of the user's own group: the uid when that gid is free (shadow `-U`, adduser
        3.134, BusyBox), else one above the highest gid in use (shadow's find_new_gid)."""
        passwd = self.passwd
        if uid is None or not UID_MIN <= uid <= UID_MAX or not passwd.regular_groups_complete:
            return None
        used = passwd.used_gids()
        return uid if uid not in used else _above_highest(used, UID_MIN, UID_MAX)

    def lowest_free_gid(self) -> int | None:
        """adduser 3.118's gid for a user's own group: the lowest free one in 1000..59999."""
        if not self.passwd.regular_groups_complete:
            return None
        return _lowest_free(self.passwd.used_gids(), UID_MIN, _ADDUSER_LAST)

    # ---- recording

    def record(self, command: SimpleCommand, outcome: _Outcome) -> None:
        if isinstance(outcome, _Unreadable):
            self.may_add()
        elif isinstance(outcome, _NewUser):
            self._add_user(command, outcome)
        elif isinstance(outcome, _NewGroup):
            self._add_group(outcome)

    def _add_user(self, command: SimpleCommand, new: _NewUser) -> None:
        passwd = self.passwd
        if passwd.by_name(new.name) is not None:
            return  # useradd/adduser refuse an existing name; adduser --system leaves it alone
        account = Account(new.name, new.uid, new.gid, new.home, new.home_exists, new.home_owner_uid,
                          self.origin_of(command))  # fmt: skip
        regular = new.system is not True  # None: either
        absent = passwd.absent_uids - {new.uid}
        if new.uid is None:  # it took some free uid of its range: system below UID_MIN, regular from it
            absent = frozenset(u for u in absent if _outside_range(u, new.system))
        # The account appended (its name is new) and its group, in one copy.
        self.passwd = Passwd(
            passwd.accounts + (account,),
            passwd.complete,
            passwd.regular_complete and not (regular and new.uid is None),
            passwd.regular_groups_complete and not (regular and new.gid is None),
            absent,
            passwd.groups if new.group is None else passwd.groups + (new.group,),
            passwd.doubts,
        )

    def _add_group(self, new: _NewGroup) -> None:
        passwd = self.passwd
        if any(g.name == new.name for g in passwd.groups):
            return
        unknown_regular = new.gid is None and new.system is not True
        self.passwd = Passwd(passwd.accounts, passwd.complete, passwd.regular_complete,
                             passwd.regular_groups_complete and not unknown_regular, passwd.absent_uids,
                             passwd.groups + (Group(new.name, new.gid),), passwd.doubts)  # fmt: skip

    def may_add(self) -> None:
        """Accounts or groups may have been added that cannot be seen (`useradd $U`, a script)."""
        self.passwd = self.passwd._replace(complete=False, regular_complete=False,
                              regular_groups_complete=False, absent_uids=frozenset())  # fmt: skip

    def may_edit(self, command: SimpleCommand, why: str) -> None:
        """The listed accounts themselves may have changed (`usermod $U`, an edit of /etc/passwd)."""
        self.may_add()
        origin = self.origin_of(command)
        doubt = Origin(f"{origin.description}: {why}", origin.line)
        self.passwd = self.passwd._replace(doubts=self.passwd.doubts + (doubt,))

    def change_homes(self, change: Callable[[Account], Account]) -> None:
        accounts = tuple(map(change, self.passwd.accounts))
        if accounts != self.passwd.accounts:
            self.passwd = self.passwd._replace(accounts=accounts)


def _outside_range(uid: int, system: bool | None) -> bool:
    """Whether a new account with an unknown uid cannot have taken `uid`: system accounts
    get one below UID_MIN, normal ones one from it (None: not known which)."""
    if system is None:
        return False
    return uid >= UID_MIN if system else uid < UID_MIN


def _owner_after_mkdir(before: _State, maker: int | None) -> int | None:
    """Owner of a directory after a mkdir by `maker` that leaves an existing one alone."""
    exists, owner = before
    if exists is False:
        return maker
    return owner if exists is True or owner == maker else None


def _either(first: _State, second: _State) -> _State:
    """What is known when either state may hold."""
    return (first[0] if first[0] == second[0] else None), (first[1] if first[1] == second[1] else None)


def _normalise(path: str) -> str:
    path = posixpath.normpath(path)
    return "/" + path.lstrip("/") if path.startswith("//") else path


def _within(inner: str, outer: str) -> bool:
    """Whether `inner` is `outer` or below it."""
    return inner == outer or outer == "/" or inner.startswith(outer + "/")


# --------------------------------------------------------------------------- useradd & co

_Arguments = Sequence[Word]
_Handler = Callable[[_Run, SimpleCommand, _Arguments], None]


def _login(run: _Run, command: SimpleCommand, parsed: _Parsed) -> str | None:
    """The one operand a user tool takes, as a name, or None if it cannot be read."""
    if len(parsed.operands) != 1:
        return None
    name = run.value(command, parsed.operands[0])
    return name if name and "/" not in name else None


def _number_option(run: _Run, command: SimpleCommand, parsed: _Parsed, key: str) -> int | None:
    return _int(run.value(command, parsed.word(key)))


def _shadow_user(run: _Run, command: SimpleCommand, parsed: _Parsed) -> _Outcome:
    """`useradd` (and `adduser` on RHEL, a link to it)."""
    if parsed.has("D"):
        return _REJECTED if parsed.operands else None  # -D alone prints or changes defaults
    if parsed.has("R") or parsed.has("P"):
        return _UNREADABLE  # works on another root: which one is not followed
    login = _login(run, command, parsed)
    if login is None:
        return _UNREADABLE
    system = parsed.has("r")
    defs = _login_defs(run, command, parsed)
    if parsed.has("u"):
        uid = _number_option(run, command, parsed, "u")
    elif system or defs is None:
        uid = None  # system uids count down from SYS_UID_MAX, past what packages took
    else:
        uid = run.allocate(defs[1], defs[2], shadow=True)
    gid, group = _shadow_group(run, command, parsed, login, uid)
    if parsed.has("M"):
        creates: bool | None = False
    elif parsed.has("m"):
        creates = True
    else:
        creates = False if system else (defs[0] if defs else None)
    home = _shadow_home(run, command, parsed, login)
    exists, owner = run.home_after(home, uid, creates)
    return _NewUser(login, uid, gid, home, exists, owner, system, group)


def _login_defs(run: _Run, command: SimpleCommand, parsed: _Parsed) -> tuple[bool | None, int, int] | None:
    """(CREATE_HOME, UID_MIN, UID_MAX) for this useradd: the family's login.defs with `-K`
    overrides; None when a `-K` value cannot be read."""
    create, low, high = _CREATE_HOME.get(run.family or ""), UID_MIN, UID_MAX
    for word in parsed.words("K"):
        key, _, value = (run.value(command, word) or "").partition("=")
        if key == "CREATE_HOME":
            create = value.lower() == "yes"
        elif key in ("UID_MIN", "UID_MAX"):
            number = _int(value)
            if number is None:
                return None
            low, high = (number, high) if key == "UID_MIN" else (low, number)
        elif not key:
            return None
    return create, low, high


def _shadow_home(run: _Run, command: SimpleCommand, parsed: _Parsed, login: str) -> str | None:
    if parsed.has("d"):
        return run.value(command, parsed.word("d"))
    base = run.value(command, parsed.word("b")) if parsed.has("b") else "/home"
    return _normalise(f"{base}/{login}") if base else None


def _shadow_group(run: _Run, command: SimpleCommand, parsed: _Parsed, login: str,
                  uid: int | None) -> tuple[int | None, Group | None]:  # fmt: skip
    """Primary gid: `-g`; `-N`: the GROUP default (100 in shadow 4.13, 1000 upstream now);
    else a group named like the user (USERGROUPS_ENAB, or `-U`)."""
    if parsed.has("g"):
        return _group_option(run, command, parsed, "g"), None
    if parsed.has("N") or not (parsed.has("U") or run.family in _USERGROUPS):
        return None, None
    gid = None if parsed.has("r") else run.own_group_gid(uid)
    return gid, Group(login, gid)


def _group_option(run: _Run, command: SimpleCommand, parsed: _Parsed, key: str) -> int | None:
    """The gid a group option names; a group whose gid a build argument decides makes
    the command read that argument too (`groupadd -g ${GID} web`, then `useradd -g web`)."""
    group = run.value(command, parsed.word(key))
    if not group:
        return None
    made = next((g for g in run.passwd.groups if g.name == group), None)
    spelling = made.spelling("gid") if made is not None else None
    if spelling is not None:
        run.used.update(name for name, _ in spelling.variables if name in run.doubtful)
    return run.passwd.gid_of_group(group)


def _debian_adduser(run: _Run, command: SimpleCommand, parsed: _Parsed) -> _Outcome:
    """Debian's perl adduser: what versions before and after 3.122 both do."""
    return _agree(_debian_user(run, command, parsed, modern=False), _debian_user(run, command, parsed, modern=True))


def _debian_user(run: _Run, command: SimpleCommand, parsed: _Parsed, *, modern: bool) -> _Outcome:
    """Debian's adduser; `modern` = 3.122 and later (Debian 12 on)."""
    if len(parsed.operands) == 2 and not parsed.has("system"):
        return None  # adduser USER GROUP: adds a user to a group
    login = _login(run, command, parsed)
    if login is None or parsed.has("conf"):
        return _UNREADABLE  # another adduser.conf may change every default
    if parsed.has("group") and not parsed.has("system"):
        return _NewGroup(login, _number_option(run, command, parsed, "gid"), False)
    if parsed.has("system"):
        return _debian_system_user(run, command, parsed, login, modern=modern)
    return _debian_normal_user(run, command, parsed, login, modern=modern)


def _debian_normal_user(run: _Run, command: SimpleCommand, parsed: _Parsed, login: str, *,
                        modern: bool) -> _NewUser:  # fmt: skip
    own_group = not (parsed.has("gid") or parsed.has("ingroup"))
    if parsed.has("uid"):
        uid = _number_option(run, command, parsed, "uid")
    elif parsed.has("firstuid") or parsed.has("lastuid"):
        uid = None
    else:
        uid = run.allocate(UID_MIN, _ADDUSER_LAST, with_gids=modern and own_group)
    if own_group:
        gid = uid if modern else run.lowest_free_gid()
    else:
        gid = _debian_given_gid(run, command, parsed)
    home = run.value(command, parsed.word("home")) if parsed.has("home") else f"/home/{login}"
    exists, owner = run.home_after(home, uid, not parsed.has("no-create-home"))
    return _NewUser(login, uid, gid, home, exists, owner, False, Group(login, gid) if own_group else None)


def _debian_system_user(run: _Run, command: SimpleCommand, parsed: _Parsed, login: str, *,
                        modern: bool) -> _NewUser:  # fmt: skip
    if parsed.has("uid"):
        uid = _number_option(run, command, parsed, "uid")
    else:
        uid = run.allocate(_SYSTEM_FIRST, _SYSTEM_LAST)
    group = None
    if parsed.has("gid") or parsed.has("ingroup"):
        gid = _debian_given_gid(run, command, parsed)
    elif parsed.has("group"):
        gid, group = None, Group(login, None)  # first free gid in 100..999: system groups are not known
    else:
        gid = _NOGROUP
    creates = not parsed.has("no-create-home")
    if parsed.has("home"):
        home = run.value(command, parsed.word("home"))
    elif modern:
        home, creates = "/nonexistent", False
    else:
        home = f"/home/{login}"
    exists, owner = run.home_after(home, uid, creates)
    return _NewUser(login, uid, gid, home, exists, owner, True, group)


def _debian_given_gid(run: _Run, command: SimpleCommand, parsed: _Parsed) -> int | None:
    if parsed.has("gid"):
        return _number_option(run, command, parsed, "gid")
    return _group_option(run, command, parsed, "ingroup")


def _busybox_user(run: _Run, command: SimpleCommand, parsed: _Parsed) -> _Outcome:
    """BusyBox adduser (Alpine): `adduser [OPTIONS] USER [GROUP]`."""
    operands = parsed.operands
    if not parsed.options and len(operands) == 2:
        return None  # adduser USER GROUP: adds a user to a group
    if not operands or len(operands) > 2:
        return _REJECTED
    login = run.value(command, operands[0])
    if not login:
        return _UNREADABLE
    system = parsed.has("S")
    if parsed.has("u"):
        uid = _number_option(run, command, parsed, "u")
    elif system:
        uid = run.allocate(_SYSTEM_FIRST, _SYSTEM_LAST)  # group nogroup: gids are not checked
    else:
        uid = run.allocate(UID_MIN, UID_MAX, with_gids=not parsed.has("G"))
    if parsed.has("G"):
        gid, group = _group_option(run, command, parsed, "G"), None
    elif system:
        gid, group = None, None  # nogroup, whose gid in Alpine's /etc/group was not sourced
    else:
        gid, group = uid, Group(login, uid)
    home = run.value(command, parsed.word("h")) if parsed.has("h") else f"/home/{login}"
    exists, owner = run.home_after(home, uid, not parsed.has("H"), busybox=True)
    return _NewUser(login, uid, gid, home, exists, owner, system, group)


def _new_group(run: _Run, command: SimpleCommand, parsed: _Parsed, gid_key: str, system_key: str) -> _Outcome:
    """`groupadd`/`addgroup NAME` (`addgroup USER GROUP` only adds a member)."""
    if len(parsed.operands) == 2:
        return None
    name = _login(run, command, parsed)
    if name is None or parsed.has("conf") or parsed.has("R") or parsed.has("P"):
        return _UNREADABLE
    return _NewGroup(name, _number_option(run, command, parsed, gid_key), parsed.has(system_key))


_Builder = Callable[[_Run, SimpleCommand, _Parsed], _Outcome]
_Flavour = tuple[_Table, _Builder]

_ADDUSER_FLAVOURS: dict[str, _Flavour] = {
    "debian": (_DEBIAN_ADDUSER, _debian_adduser),
    "busybox": (_BUSYBOX_ADDUSER, _busybox_user),
    "shadow": (_USERADD, _shadow_user),
}
_ADDGROUP_FLAVOURS: dict[str, _Flavour] = {
    "debian": (_DEBIAN_ADDUSER, partial(_new_group, gid_key="gid", system_key="system")),
    "busybox": (_BUSYBOX_ADDGROUP, partial(_new_group, gid_key="g", system_key="S")),
}
# Which program `adduser`/`addgroup` is: Debian's script, BusyBox's applet, or (RHEL) useradd.
_FAMILY_FLAVOURS = {"debian": ("debian",), "alpine": ("busybox",), "rhel": ("shadow",)}


def _flavoured(run: _Run, command: SimpleCommand, arguments: _Arguments,
               flavours: Mapping[str, _Flavour]) -> _Outcome:  # fmt: skip
    """The outcome of a tool whose program may differ by distro, over every flavour that may run.

    `busybox adduser` is BusyBox; otherwise the family decides. When neither names one of
    `flavours` (no family; useradd is shadow's everywhere), each flavour that accepts the
    command line counts (`-D`/`-S`/`-H` only parse as BusyBox) and their outcomes are
    merged with `_agree`. When none accepts it, it is unreadable rather than a failed
    step: the option tables may lag behind the tools.
    """
    wrapped = any(w.text.rpartition("/")[2] == "busybox" for w in command.words[: command.effective_start])
    preferred = ("busybox",) if wrapped else _FAMILY_FLAVOURS.get(run.family or "", ())
    outcomes = []
    for name in [n for n in preferred if n in flavours] or list(flavours):
        table, build = flavours[name]
        parsed = _parse(arguments, table)
        outcome = _REJECTED if parsed is None else build(run, command, parsed)
        if not isinstance(outcome, _Rejected):
            outcomes.append(outcome)
    result = outcomes[0] if outcomes else _UNREADABLE
    for outcome in outcomes[1:]:
        result = _agree(result, outcome)
    return result


def _adding_tool(flavours: Mapping[str, _Flavour]) -> _Handler:
    """A handler for a tool that adds users or groups (useradd, groupadd, adduser, addgroup)."""
    return lambda run, command, arguments: run.record(command, _flavoured(run, command, arguments, flavours))


def _groupmod(run: _Run, command: SimpleCommand, arguments: _Arguments) -> None:
    """`groupmod -g` may move a gid: which gids are free is no longer known."""
    run.passwd = run.passwd._replace(regular_groups_complete=False)


def _edited_login(run: _Run, command: SimpleCommand, arguments: _Arguments, table: _Table,
                  tool: str) -> tuple[_Parsed, str] | None:  # fmt: skip
    """The options and the one account a usermod/userdel/deluser names. None when there
    is none to change; when they cannot be read, the listed accounts become doubtful."""
    parsed = _parse(arguments, table)
    if parsed is not None and tool == "deluser" and (len(parsed.operands) == 2 or parsed.has("group")):
        return None  # deluser USER GROUP, deluser --group: group membership only
    login = _login(run, command, parsed) if parsed is not None else None
    if parsed is None or login is None or parsed.has("R") or parsed.has("P"):
        run.may_edit(command, f"{tool} whose account or options cannot be read")
        return None
    return parsed, login


def _usermod(run: _Run, command: SimpleCommand, arguments: _Arguments) -> None:
    """`usermod -d DIR [-m]`, `-u UID`, `-l NEW`, `-g GROUP` on a listed account."""
    edited = _edited_login(run, command, arguments, _USERMOD, "usermod")
    account = run.passwd.by_name(edited[1]) if edited is not None else None
    if edited is None or account is None:
        return  # nothing to change, or an account that is not listed
    parsed, login = edited
    changed = _moved_home(run, command, parsed, account)
    if parsed.has("u"):
        uid = _number_option(run, command, parsed, "u")
        # The home and the files in it that the old uid owned go to the new uid.
        kept = account.uid is not None and changed.home_owner_uid == account.uid
        changed = changed._replace(uid=uid, home_owner_uid=uid if kept else None)
    if parsed.has("g"):
        changed = changed._replace(gid=_group_option(run, command, parsed, "g"))
    if parsed.has("l"):
        changed = changed._replace(name=run.value(command, parsed.word("l")) or "")
    if not changed.name:
        run.passwd = run.passwd.without(login)
        run.may_edit(command, "usermod -l to a name that cannot be read")
        return
    passwd = run.passwd.with_account(changed._replace(origin=run.origin_of(command)), replacing=login)
    lost = changed.uid is None and account.uid is not None  # -u with a value that cannot be read
    run.passwd = passwd._replace(regular_complete=passwd.regular_complete and not lost,
                         absent_uids=frozenset() if lost else passwd.absent_uids - {changed.uid})  # fmt: skip


def _moved_home(run: _Run, command: SimpleCommand, parsed: _Parsed, account: Account) -> Account:
    """`-d DIR`: the new home; with `-m` an existing old home is moved there, owner and all."""
    if not parsed.has("d"):
        return account
    home = run.value(command, parsed.word("d"))
    if home is None:
        return account._replace(home=None, home_exists=None, home_owner_uid=None)
    if parsed.has("m") and account.home_exists is not False:
        return account._replace(home=home)
    exists, owner = run.existing(home)
    return account._replace(home=home, home_exists=exists, home_owner_uid=owner)


def _userdel(run: _Run, command: SimpleCommand, arguments: _Arguments) -> None:
    edited = _edited_login(run, command, arguments, _USERDEL, "userdel")
    if edited is not None:
        _delete(run, edited[1], edited[0].has("r"))


def _deluser(run: _Run, command: SimpleCommand, arguments: _Arguments) -> None:
    """Debian's and BusyBox's deluser: `deluser [--remove-home] USER`."""
    edited = _edited_login(run, command, arguments, _DELUSER, "deluser")
    if edited is not None:
        _delete(run, edited[1], edited[0].has("remove-home") or edited[0].has("remove-all-files"))


def _delete(run: _Run, login: str, remove_home: bool) -> None:
    account = run.passwd.by_name(login)
    if account is None:
        return
    run.passwd = run.passwd.without(login)
    if remove_home and account.home is not None:
        run.change_homes(lambda a: _removed(a) if a.home == account.home else a)


# --------------------------------------------------------------------------- homes


def _removed(account: Account) -> Account:
    return account._replace(home_exists=False, home_owner_uid=None)


def _matcher(target: str, *, below: bool = False, above: bool = False) -> Callable[[str], bool]:
    """Whether a home is matched by `target` (a path or glob): the home itself, or a
    directory above it (`below`: the command works recursively), or one below it
    (`above`: `mkdir -p` makes parents).

    Built once per target, which is then tried on every account's home.
    """
    if _GLOB.search(target) is None:
        return lambda home: home == target or (below and _within(home, target)) or (above and _within(target, home))
    target_parts = [p for p in target.split("/") if p]

    def matches(home: str) -> bool:
        if not above and home.count("/") + 1 < len(target_parts):
            return False  # fewer parts than the target (the common case: a shallow home)
        home_parts = [p for p in home.split("/") if p]
        if len(home_parts) > len(target_parts) and not below:
            return False
        if len(home_parts) < len(target_parts) and not above:
            return False
        return all(fnmatchcase(h, t) for h, t in zip(home_parts, target_parts))

    return matches


def _targets(run: _Run, command: SimpleCommand, operands: Iterable[Word]) -> list[str | None]:
    """Path operands; one unknown path when they come from find or xargs."""
    return [None] if run.unseen_paths else [run.path(command, word) for word in operands]


def _mkdir(run: _Run, command: SimpleCommand, arguments: _Arguments) -> None:
    parsed = _parse(arguments, _MKDIR)
    if parsed is None:
        _make_dirs(run, command, [None], parents=True)
    else:
        _make_dirs(run, command, _targets(run, command, parsed.operands), parents=parsed.has("p"))


def _make_dirs(run: _Run, command: SimpleCommand, targets: Sequence[str | None], *, parents: bool) -> None:
    """Homes that the directories (and, with `parents`, their parents) make exist."""
    runner = run.runner_uid(command)
    for target in targets:
        if target is not None and _GLOB.search(target):
            target = None  # mkdir does not expand a pattern that matches nothing
        if target is not None:
            run.make_dirs(target, runner, parents=parents)
        matches = None if target is None else _matcher(target, above=parents)
        run.change_homes(lambda a, m=matches: _made(a, m, runner))


def _made(account: Account, matches: Callable[[str], bool] | None, runner: int | None) -> Account:
    """The account after a mkdir of the directories `matches` accepts (None: unknown ones)."""
    if account.home is None or account.home_exists is True:
        return account
    if matches is None:  # some directory was made: a missing home may be it
        return account._replace(home_exists=None) if account.home_exists is False else account
    if not matches(account.home):
        return account
    owner = _owner_after_mkdir((account.home_exists, account.home_owner_uid), runner)
    return account._replace(home_exists=True, home_owner_uid=owner)


def _chown(run: _Run, command: SimpleCommand, arguments: _Arguments) -> None:
    """`chown [-R] OWNER[:GROUP] PATH...`: homes (with -R, homes below too) change owner."""
    parsed = _parse(arguments, _CHOWN)
    if parsed is None or parsed.has("from") or parsed.has("reference"):
        _give(run, [None], None, recursive=True)
        return
    if not parsed.operands:
        return
    spec = run.value(command, parsed.operands[0])
    if spec is not None and spec.startswith(":"):
        return  # the group only
    _give(run, _targets(run, command, parsed.operands[1:]), _owner_uid(run, spec), recursive=parsed.has("R"))


def _owner_uid(run: _Run, spec: str | None) -> int | None:
    """The uid of chown's OWNER (`user`, `uid`, `user:group`, the old `user.group`)."""
    if spec is None:
        return None
    owner = spec.partition(":")[0]
    if _NUMBER.match(owner):
        return int(owner)
    account = run.passwd.by_name(owner)
    if account is None and ":" not in spec and "." in owner:
        account = run.passwd.by_name(owner.partition(".")[0])
    return account.uid if account is not None else None


def _give(run: _Run, targets: Sequence[str | None], uid: int | None, *, recursive: bool) -> None:
    for target in targets:
        matches = None if target is None else _matcher(target, below=recursive)
        for path in [p for p in run.made if matches is None or matches(p)]:
            run.made[path] = uid if target is not None else None
        run.change_homes(lambda a, m=matches: _owned(a, m, uid))


def _owned(account: Account, matches: Callable[[str], bool] | None, uid: int | None) -> Account:
    """The account after its home, if `matches` accepts it (None: any), went to `uid`."""
    if account.home is None or account.home_exists is False:
        return account  # chown of a missing path fails the step
    if matches is None:
        return account._replace(home_owner_uid=None)
    return account._replace(home_owner_uid=uid) if matches(account.home) else account


def _install(run: _Run, command: SimpleCommand, arguments: _Arguments) -> None:
    """`install -d [-o OWNER] DIR...`: makes the directories and their parents, then gives
    the named ones to OWNER (GNU install sets the owner even when they already exist)."""
    parsed = _parse(arguments, _INSTALL)
    if parsed is not None and not parsed.has("d"):
        return  # copies files
    targets = [None] if parsed is None else _targets(run, command, parsed.operands)
    _make_dirs(run, command, targets, parents=True)
    if parsed is None or parsed.has("o"):
        owner = None if parsed is None else _owner_uid(run, run.value(command, parsed.word("o")))
        _give(run, targets, owner, recursive=False)


def _rm(run: _Run, command: SimpleCommand, arguments: _Arguments) -> None:
    """`rm -r PATH...` removes homes at or below the paths (`rm -rf /home/app/*` keeps /home/app)."""
    parsed = _parse(arguments, _RM)
    if parsed is not None and not parsed.has("r"):
        return  # without -r, directories stay
    for target in [None] if parsed is None else _targets(run, command, parsed.operands):
        matches = None if target is None else _matcher(target, below=True)
        for path in [p for p in run.made if matches is None or matches(p)]:
            del run.made[path]
        run.change_homes(lambda a, m=matches: _gone(a, m))


def _gone(account: Account, matches: Callable[[str], bool] | None) -> Account:
    """The account after an `rm -r` of what `matches` accepts (None: unknown paths)."""
    if account.home is None or account.home_exists is False:
        return account
    if matches is None:
        return account._replace(home_exists=None)
    return _removed(account) if matches(account.home) else account


# --------------------------------------------------------------------------- what cannot be seen

_ADDING_TOOLS = frozenset({"useradd", "adduser", "newusers", "groupadd", "addgroup"})
_EDITING_TOOLS = frozenset({"usermod", "userdel", "deluser", "groupmod", "groupdel", "delgroup"})
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"})
_SHELL_VALUES = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})
# Files sourced to set variables (os-release, a venv's or conda's activation), not to add users.
_ENVIRONMENT_FILES = compile_lazily(r"(?:^|/)(?:os-release|lsb-release|activate|conda\.sh|mamba\.sh|env|\.?profile"
                                r"|\.?bashrc|environment|nvm\.sh)\Z")  # fmt: skip
_PACKAGE_VERBS = {
    "apt-get": {"install", "upgrade", "dist-upgrade", "full-upgrade", "reinstall"},
    "apt": {"install", "upgrade", "full-upgrade", "reinstall"},
    "aptitude": {"install", "upgrade", "full-upgrade", "safe-upgrade", "reinstall"},
    "dpkg": {"-i", "--install", "--unpack"},
    "apk": {"add", "upgrade", "fix"},
    "dnf": {"install", "upgrade", "update", "reinstall", "groupinstall", "localinstall", "distro-sync"},
    "yum": {"install", "upgrade", "update", "reinstall", "groupinstall", "localinstall", "distro-sync"},
    "microdnf": {"install", "upgrade", "update", "reinstall"},
    "tdnf": {"install", "upgrade", "update", "reinstall"},
    "zypper": {"install", "in", "update", "up", "dist-upgrade", "dup"},
}
_RPM_INSTALL = compile_lazily(r"-[a-zA-Z]*[iUF][a-zA-Z]*\Z|--(?:install|upgrade|freshen)\Z")
_ACCOUNT_FILES = frozenset({"/etc/passwd", "/etc/group"})
_READERS = frozenset({
    "cat", "grep", "egrep", "fgrep", "head", "tail", "cut", "awk", "getent", "wc", "less", "more", "test", "[",
    "ls", "stat", "diff", "cmp", "sort", "md5sum", "sha256sum", "id",
})  # fmt: skip


def _missing_home(account: Account) -> bool:
    """A home known to be missing, which a package's install scripts may create."""
    return account.home_exists is False and account.home != "/nonexistent"


def _packages(run: _Run, command: SimpleCommand, arguments: _Arguments) -> None:
    """Installing packages may add system users and make their homes (postinst scripts).

    As images.py's `_Base.derived`: passwd becomes partial below UID_MIN only, so normal
    uids stay predictable; homes known missing become unknown, except /nonexistent.
    """
    texts = [w.text for w in arguments]
    if command.name == "rpm":
        installing = any(_RPM_INSTALL.match(text) for text in texts)
    else:
        installing = not _PACKAGE_VERBS[command.name or ""].isdisjoint(texts)
    if not installing:
        return
    if any(_missing_home(account) for account in run.passwd.accounts):
        run.change_homes(lambda a: a._replace(home_exists=None) if _missing_home(a) else a)
    passwd = run.passwd
    run.passwd = passwd._replace(complete=False, absent_uids=frozenset(u for u in passwd.absent_uids if u >= UID_MIN))


def _script(run: _Run, command: SimpleCommand, arguments: _Arguments) -> None:
    """Code that is not visible here (`bash setup.sh`, `./install.sh`, `curl ... | sh`,
    `eval`, `. other.sh`) may add users: names that are missing may exist after it."""
    name = command.name or ""
    if name in _SHELLS and not _runs_hidden_code(command, arguments):
        return
    if name in (".", "source") and arguments and _ENVIRONMENT_FILES.search(arguments[0].text):
        return
    run.may_add()


def _runs_hidden_code(command: SimpleCommand, arguments: _Arguments) -> bool:
    """Whether a shell runs code that was not parsed: a script file, or piped input.

    `sh -c '...'` and here-documents were parsed as nested scripts by shell.py.
    """
    if any(r.op in ("<<", "<<-") for r in command.redirects):
        return False
    if any(r.op == "<" for r in command.redirects):
        return True
    i = 0
    while i < len(arguments) and arguments[i].text[:1] in "-+" and arguments[i].text not in ("-", "--"):
        text = arguments[i].text
        if not text.startswith("--") and "c" in text[1:]:
            return False
        i += 2 if text in _SHELL_VALUES else 1
    return i < len(arguments) or command.connector == "|"


def _find(run: _Run, command: SimpleCommand, arguments: _Arguments) -> None:
    """`find ... -exec TOOL ARGS {} +`: the tool's paths are the files found."""
    for i, word in enumerate(arguments[:-1]):
        if word.text in ("-exec", "-execdir", "-ok", "-okdir"):
            tool_words = arguments[i + 2 :]
            end = next((k for k, w in enumerate(tool_words) if w.text in (";", "+")), len(tool_words))
            _unseen(run, command, arguments[i + 1].text.rpartition("/")[2], tool_words[:end])


def _unseen(run: _Run, command: SimpleCommand, tool: str, arguments: _Arguments) -> None:
    """A user or home tool run on arguments that cannot be seen (find -exec, xargs)."""
    if tool in _ADDING_TOOLS:
        run.may_add()
    elif tool in _EDITING_TOOLS:
        run.may_edit(command, f"{tool} on arguments that are not visible")
    elif tool in _HOME_TOOLS:
        run.unseen_paths = True
        try:
            _HOME_TOOLS[tool](run, command, arguments)
        finally:
            run.unseen_paths = False


def _edits_account_files(command: SimpleCommand) -> bool:
    """A write to /etc/passwd or /etc/group by other means (`>>`, `sed -i`, `cp`)."""
    if any(r.op in (">", ">>", ">|", "<>") and r.target is not None and r.target.text in _ACCOUNT_FILES
           for r in command.redirects):  # fmt: skip
        return True
    return command.name not in _READERS and any(w.text in _ACCOUNT_FILES for w in command.effective_words[1:])


_HOME_TOOLS: dict[str, _Handler] = {"mkdir": _mkdir, "chown": _chown, "install": _install, "rm": _rm}
_HANDLERS: dict[str, _Handler] = {
    **_HOME_TOOLS,
    "useradd": _adding_tool({"shadow": (_USERADD, _shadow_user)}),
    "groupadd": _adding_tool({"shadow": (_GROUPADD, partial(_new_group, gid_key="g", system_key="r"))}),
    "adduser": _adding_tool(_ADDUSER_FLAVOURS),
    "addgroup": _adding_tool(_ADDGROUP_FLAVOURS),
    "usermod": _usermod,
    "userdel": _userdel,
    "deluser": _deluser,
    "groupmod": _groupmod,
    "newusers": lambda run, command, arguments: run.may_add(),
    "find": _find,
    "rpm": _packages,
    **dict.fromkeys(_PACKAGE_VERBS, _packages),
    **dict.fromkeys(_SHELLS | {".", "source", "eval"}, _script),
}


def _handler(command: SimpleCommand) -> _Handler | None:
    name = command.name
    if name is None:
        return None
    handler = _HANDLERS.get(name)
    if handler is None and name.endswith(".sh"):
        return _script
    return handler


# --------------------------------------------------------------------------- entry point

_LETTERS = compile_lazily(r"[A-Za-z]+")
# The letters that end the name of each command the replay acts on (`_handler`; the
# shells' `sh` also stands for `*.sh`; find and xargs act only through such commands). A
# name is a stretch of the unquoted code between characters that no name holds, so its
# last run of letters is a whole run there.
_COMMAND_LETTERS = frozenset(_LETTERS.findall(name)[-1] for name in _HANDLERS if _LETTERS.search(name))
# One of them as a whole run of letters somewhere in the text: one scan that stops at
# the first (most scripts have one early), where listing every run of letters costs
# several times as much.
_COMMAND_WORD = compile_lazily(
    r"(?<![A-Za-z])(?:" + "|".join(sorted(_COMMAND_LETTERS, key=lambda name: (-len(name), name))) + r")(?![A-Za-z])"
)
# `.` (source) as a command name: the whole word, or what follows its last `/`.
_DOT_COMMAND = compile_lazily(r"(?:^|[\s;&|()<>/`])\.(?:[\s;&|()<>`]|\Z)")


def may_change_accounts(code: str, unquoted: str | None) -> bool:
    """Whether `apply_user_commands` can change anything for a script of this code
    (`unquoted` is `shell.unquoted(code)`).

    False means it returns the passwd as it was: no command is named like one it acts
    on (or `.`), and nothing mentions the account files. So the script need not be
    parsed for it.
    """
    if unquoted is None or "/etc/passwd" in code or "/etc/group" in code:
        return True
    return _COMMAND_WORD.search(unquoted) is not None or _DOT_COMMAND.search(unquoted) is not None



def apply_user_commands(passwd: Passwd, script: Script, family: str | None, origin: Origin, *,
                        env: Mapping[str, str] | None = None, workdir: str = "/",
                        run_uid: int | None = 0, doubtful: Mapping[str, Origin] | None = None) -> Passwd:  # fmt: skip
    """The users after one RUN's commands, applied in order.

    `family` is `distro_family(...)` of the stage's base. Optional context: `env`, the
    stage's variables (for `useradd -u $UID $USER`; HOME falls back to the runtime
    home); `doubtful`, those of them whose values a build argument decides (an ARG's
    default may not be what the build gets), with their origins: the accounts made from
    them are not certain, and say how the Dockerfile writes what follows them
    (`_spelled`); `workdir`, the step's WORKDIR (relative paths, and WORKDIR exists before
    the RUN); `run_uid`, the uid the step runs as (owner of directories it makes, whose
    home `~` is; None if not known). A script without user, home or package commands
    costs a dict probe per command.
    """
    values = env or {}
    run = _replay(script, partial(_Run, passwd, script, family, origin, values, workdir, run_uid, doubtful or {}))
    if run is None:
        return passwd
    if not run.used:
        return run.passwd
    stand_ins = _stand_ins(run)
    replayed = _replay(script, partial(_Run, _evaluated(passwd, stand_ins), script, family, origin,
                                       {**values, **stand_ins}, workdir, run_uid))  # fmt: skip
    other = replayed.passwd if replayed else passwd
    return _spelled(passwd, run.passwd, other, stand_ins, {name: (values[name], doubtful[name]) for name in run.used})


def _replay(script: Script, start: Callable[[], _Run]) -> _Run | None:
    """Apply the script's account commands to the replay `start` makes, which is made
    only once a command needs it (most scripts have none); None when there are none."""
    run: _Run | None = None
    mentions_files = "/etc/passwd" in script.code or "/etc/group" in script.code
    for command in script.commands:
        handler = _handler(command)
        edits = mentions_files and _edits_account_files(command)
        if handler is None and not edits:
            continue
        run = run or start()
        arguments = command.effective_words[1:]
        if edits:
            run.may_edit(command, "writes an account file directly")
        elif any(w.text.rpartition("/")[2] == "xargs" for w in command.words[: command.effective_start]):
            _unseen(run, command, command.name or "", arguments)
        elif handler is not None:
            handler(run, command, arguments)
    return run


# --------------------------------------------------------------------------- build arguments

_SPELLED_FIELDS = ("name", "uid", "gid", "home")
_FIRST_STAND_IN_ID = 61001  # above UID_MAX: for numbers that are no regular or system id


def _stand_ins(run: _Run) -> dict[str, str]:
    """Other values for the build arguments the RUN read, unlike anything in it: a path
    for a path, a name for a name, and for a number an unused one of the same kind (a
    regular id for a regular id, a system id for a system id), so that the tools decide
    as they did (`useradd -u` gives the user's own group the same gid only in the
    regular range)."""
    taken = run.passwd.used_uids() | run.passwd.used_gids()
    stand_ins: dict[str, str] = {}
    for index, name in enumerate(sorted(run.used)):
        value = run.env.get(name, "")
        if _NUMBER.match(value):
            number = _free_id_like(int(value), taken)
            taken.add(number)
            stand_ins[name] = str(number)
        else:
            stand_ins[name] = f"{'/' if value.startswith('/') else ''}dfxarg{index}x"
    return stand_ins


def _free_id_like(value: int, taken: set[int]) -> int:
    """An id not in `taken` and not `value`, in `value`'s range, counted down from its top."""
    if UID_MIN <= value <= UID_MAX:
        low, high = UID_MIN, UID_MAX - 1
    elif _SYSTEM_FIRST <= value <= _SYSTEM_LAST:
        low, high = _SYSTEM_FIRST, _SYSTEM_LAST - 1
    else:
        low, high = _FIRST_STAND_IN_ID, 2**31
    return next(i for i in range(high, low - 1, -1) if i not in taken and i != value)


def _evaluated(passwd: Passwd, stand_ins: Mapping[str, str]) -> Passwd:
    """`passwd` with the fields that earlier RUNs spelled with these arguments evaluated
    with the stand-ins instead, so a second replay sees what a build with those values
    would (`useradd -g app` after `groupadd -g ${GID} app`)."""

    def evaluated(record: _Record) -> _Record:
        changes = {}
        for field, spelling in record.spellings:
            if any(name in stand_ins for name, _ in spelling.variables):
                text = spelling.expand(stand_ins)
                changes[field] = int(text) if isinstance(getattr(record, field), int) and _NUMBER.match(text) else text
        return record._replace(**changes) if changes else record

    return passwd._replace(accounts=tuple(map(evaluated, passwd.accounts)), groups=tuple(map(evaluated, passwd.groups)))


def _spelled(before: Passwd, after: Passwd, probe: Passwd, stand_ins: Mapping[str, str],
             used: Mapping[str, tuple[str, Origin]]) -> Passwd:  # fmt: skip
    """`after`, with each account and group the RUN made or changed marked by what a
    second replay with other values for the build arguments (`probe`) gives.

    A field that comes out the same does not depend on them. One that differs does: the
    account is not certain, and where the other value holds a stand-in (`61001`,
    `/home/dfxarg0x`), the text with each stand-in written `${NAME}` is how the
    Dockerfile spells the field (`${UID}`, `/home/${USER}`). When the replays made
    different numbers of accounts, nothing they made is certain. `used` gives each
    argument's value and origin.
    """

    def marked(records: tuple[_Record, ...], old: set[_Record], other: tuple[_Record, ...]) -> tuple[_Record, ...]:
        if len(records) != len(other):
            return tuple(r if r in old else r._replace(certain=False, spellings=(), varies=_SPELLED_FIELDS) for r in records)
        return tuple(r if r in old else _compared(r, o, stand_ins, used) for r, o in zip(records, other))

    return after._replace(
        accounts=marked(after.accounts, set(before.accounts), probe.accounts),
        groups=marked(after.groups, set(before.groups), probe.groups),
    )


def _compared(record: _Record, other: _Record, stand_ins: Mapping[str, str],
              used: Mapping[str, tuple[str, Origin]]) -> _Record:  # fmt: skip
    """`record` marked by how `other` (the same record from the second replay) differs.

    A spelling is kept only if it gives the field's value back with the arguments'
    real values: a stand-in that a tool changed on the way (a clipped name) spells nothing.
    """
    spellings = dict(record.spellings)
    varies = set(record.varies)
    for field in _SPELLED_FIELDS:
        value = getattr(record, field, None)
        if field not in record._fields or value == getattr(other, field):
            continue
        varies.add(field)
        spellings.pop(field, None)
        text = str(getattr(other, field))
        names = sorted(name for name, stand_in in stand_ins.items() if stand_in in text)
        for name in names:
            text = text.replace(stand_ins[name], "${" + name + "}")
        spelling = Spelling(text, tuple((name, used[name][1]) for name in names))
        if names and spelling.expand({name: used[name][0] for name in names}) == str(value):
            spellings[field] = spelling
    return record._replace(certain=not varies, spellings=tuple(spellings.items()), varies=tuple(sorted(varies)))


_Record = TypeVar("_Record", Account, Group)
