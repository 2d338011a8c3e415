"""Users as the build changes them (fixer.users): passwd per image, useradd & co, USER.

Base passwds come from images.py's table, so a case on `debian:bookworm` runs against
the observed Debian passwd. Cases cite the row they check: "§2: ..." is the table of
problem.md §2 (which HOME a RUN sees), "§7 row N" is semantics.md §7, "§1.2 (x)" the
resolution table of semantics.md §1.2. Tool behaviour is from the sources listed in the
module docstring of fixer/users.py.
"""

from __future__ import annotations


import pytest

from fixer.facts import Origin, Spelling
from fixer.images import lookup
from fixer.shell import parse_script
from fixer.users import Account, Passwd, ResolvedUser, apply_user_commands, distro_family, resolve_user

FROM = Origin("FROM", 1)
RUN = Origin("RUN", 2)
_FAMILY_OF_IMAGE = object()


def build(image: str | None, *scripts: str, family: object = _FAMILY_OF_IMAGE, **context: object) -> Passwd:
    """The passwd after `FROM image` and one RUN per script."""
    facts = lookup(image) if image else None
    passwd = Passwd.from_image(facts, FROM)
    chosen = distro_family(facts, image) if family is _FAMILY_OF_IMAGE else family
    for code in scripts:
        passwd = apply_user_commands(passwd, parse_script(code), chosen, RUN, **context)  # type: ignore[arg-type]
    return passwd


def user(image: str | None, code: str, name: str | None, **context: object) -> ResolvedUser:
    """`USER name` after `FROM image` and `RUN code`."""
    return resolve_user(build(image, code, **context), name)


def home(resolved: ResolvedUser) -> tuple[str | None, bool | None, int | None]:
    return resolved.home, resolved.home_exists, resolved.home_owner_uid


# ----------------------------------------------------------------------------- the image's passwd


def test_unknown_image_knows_nothing() -> None:
    # problem.md §2 "otherwise say Unknown": nothing about an image not in images.py.
    passwd = build(None)
    assert passwd == Passwd()
    assert not passwd.complete
    app = resolve_user(passwd, "app")
    assert (app.error, app.uid, app.home) == (None, None, None)
    assert "not fully known" in (app.reason or "")
    numeric = resolve_user(passwd, "1234")
    assert (numeric.uid, numeric.home) == (1234, None)


def test_scratch_is_empty_and_complete_so_root_gets_slash() -> None:
    # §1.2 (a): no /etc/passwd -> HOME=/.
    passwd = build("scratch")
    assert passwd.accounts == () and passwd.complete
    assert home(resolve_user(passwd, None)) == ("/", True, 0)


def test_root_by_default() -> None:
    # §2: "nothing | /root"; §7 row 1.
    root = user("python:3.12", "true", None)
    assert (root.uid, root.gid, root.name) == (0, 0, "root")
    assert home(root) == ("/root", True, 0)
    assert root.owns_home


def test_user_nobody_has_a_home_that_does_not_exist() -> None:
    # §2: "USER nobody | /nonexistent | disabled".
    nobody = user("debian:bookworm", "true", "nobody")
    assert (nobody.uid, nobody.home, nobody.home_exists) == (65534, "/nonexistent", False)
    assert nobody.owns_home is False


@pytest.mark.parametrize("spec", ["1234", "1234:1234"])
def test_numeric_user_not_in_passwd_gets_slash(spec: str) -> None:
    # §2: "USER 1234 or 1234:1234, not in passwd | /"; §7 row 6; §1.2 (c3), (c4).
    resolved = user("debian:bookworm", "true", spec)
    assert resolved.uid == 1234
    assert resolved.gid == (1234 if ":" in spec else 0)
    assert home(resolved) == ("/", True, 0)
    assert resolved.owns_home is False and resolved.error is None


def test_name_not_in_a_complete_passwd_fails_the_build() -> None:
    # §1.2 (c2): "unable to find user name: no matching entries in passwd file".
    ghost = user("debian:bookworm", "true", "ghost")
    assert ghost.error == "unable to find user ghost: no matching entries in passwd file"


def test_partial_passwd_with_known_absent_uid() -> None:
    # ubuntu:22.04 has no uid 1000 (images.py), though its passwd is only partly known:
    # packages may have added system users, so uid 500 and names stay open.
    passwd = build("ubuntu:22.04")
    assert not passwd.complete
    assert home(resolve_user(passwd, "1000")) == ("/", True, 0)
    assert resolve_user(passwd, "500").home is None
    assert resolve_user(passwd, "ghost").error is None


def test_user_root_after_another_user() -> None:
    # §2: "USER appuser, then USER root | /root".
    passwd = build("debian:bookworm", "useradd -m -u 1000 appuser")
    assert resolve_user(passwd, "appuser").home == "/home/appuser"
    assert home(resolve_user(passwd, "root")) == ("/root", True, 0)


def test_by_uid_takes_the_first_line_like_runc() -> None:
    # §2: "USER 1000, and uid 1000 is appuser | /home/appuser"; runc takes the first match.
    passwd = build("debian:bookworm", "useradd -m -u 1000 appuser && useradd -o -u 1000 -d /srv/twin twin")
    assert [a.name for a in passwd.accounts if a.uid == 1000] == ["appuser", "twin"]
    assert passwd.by_uid(1000) is passwd.by_name("appuser")
    by_uid = resolve_user(passwd, "1000")
    assert (by_uid.name, by_uid.home) == ("appuser", "/home/appuser")
    assert resolve_user(passwd, "twin").home == "/srv/twin"


def test_group_part_of_user() -> None:
    passwd = build("debian:bookworm", "groupadd -g 2000 web && useradd -m app")
    assert resolve_user(passwd, "app:web").gid == 2000
    assert resolve_user(passwd, "app:root").gid == 0
    staff = resolve_user(passwd, "app:staff")
    assert staff.gid is None and "group staff" in (staff.reason or "")
    assert staff.home == "/home/app"


def test_passwd_is_copy_on_write() -> None:
    base = build("debian:bookworm")
    after = apply_user_commands(base, parse_script("useradd -m app"), "debian", RUN)
    assert base.by_name("app") is None and after.by_name("app") is not None
    assert after.without("app").accounts == base.accounts
    with pytest.raises(AttributeError):
        base.complete = False  # type: ignore[misc]
    replaced = after.with_account(after.by_name("app")._replace(home="/x"))  # type: ignore[union-attr]
    assert [a.name for a in replaced.accounts] == [a.name for a in after.accounts]
    assert replaced.by_name("app").home == "/x"  # type: ignore[union-attr]


def test_script_without_user_commands_returns_the_same_passwd() -> None:
    passwd = build("debian:bookworm")
    script = parse_script("pip install --no-cache-dir -r requirements.txt && python -m compileall .")
    assert apply_user_commands(passwd, script, "debian", RUN) is passwd


# ----------------------------------------------------------------------------- useradd


def test_problem_1c_useradd_with_uid() -> None:
    # problem.md §1c; §2: "useradd -m -u 1000 appuser, USER appuser | /home/appuser"; §7 row 4.
    appuser = user("debian:bookworm", "useradd -m -u 1000 appuser", "appuser")
    assert (appuser.uid, appuser.gid) == (1000, 1000)
    assert home(appuser) == ("/home/appuser", True, 1000)
    assert appuser.owns_home and appuser.certain and appuser.reason is None


def test_useradd_on_a_python_image() -> None:
    # python:* installs packages on Debian: its passwd is partial, but only below uid 1000,
    # so normal uids and gids stay predictable (§2: "useradd -m -u 1000 appuser").
    passwd = build("python:3.12-slim")
    assert not passwd.complete and passwd.regular_complete
    appuser = user("python:3.12-slim", "useradd -m -u 1000 appuser", "appuser")
    assert (appuser.uid, appuser.gid) == (1000, 1000)
    assert home(appuser) == ("/home/appuser", True, 1000)
    assert user("python:3.12-slim", "useradd -m app", "app").uid == 1000
    assert user("python:3.12-slim", "useradd -m app", "ghost").error is None  # a package may have added it


@pytest.mark.parametrize(
    ("image", "regular"),
    [
        ("python:3.12-alpine", True),
        ("node:20", True),  # node 1000 is listed
        ("ubuntu:22.04", True),  # no uid 1000
        ("ubuntu:latest", False),  # release not pinned: `ubuntu` 1000 may exist
        ("ubuntu:22.10", False),
        ("mambaorg/micromamba:1.4.0", False),  # config User mambauser, uid not known
        ("continuumio/miniconda3", False),  # base named only in its sources
        ("amazonlinux:2023", False),
    ],
)
def test_normal_uid_range_known_from_the_base(image: str, regular: bool) -> None:
    passwd = build(image)
    assert passwd.regular_complete is regular
    assert (resolve_user(passwd, "1234").home == "/") is regular  # §2: "USER 1234 ... not in passwd | /"


def test_next_uid_after_ubuntu_user() -> None:
    # ubuntu:24.04 ships `ubuntu` with uid 1000, so the next normal user gets 1001.
    app = user("ubuntu:24.04", "useradd -m app", "app")
    assert (app.uid, app.gid) == (1001, 1001)
    assert home(app) == ("/home/app", True, 1001)


def test_uid_is_one_above_the_highest() -> None:
    # shadow find_new_uid; observed with shadow 4.13: after -u 1234 the next user gets 1235.
    passwd = build("debian:bookworm", "useradd -m first && useradd -m -u 1234 second && useradd -m third")
    uids = [account.uid for account in passwd.accounts if account.name in ("first", "second", "third")]
    assert uids == [1000, 1234, 1235]


@pytest.mark.parametrize(
    ("image", "family", "exists"),
    [
        ("debian:bookworm", None, False),  # Debian's login.defs has no CREATE_HOME
        ("ubuntu:24.04", None, False),
        (None, "rhel", True),  # Fedora/RHEL login.defs: CREATE_HOME yes
        (None, None, None),  # unknown distro: unknown
        (None, "alpine", None),  # Alpine's shadow package was not sourced
    ],
)
def test_useradd_default_home_creation_depends_on_login_defs(image: str | None, family: str | None,
                                                             exists: bool | None) -> None:  # fmt: skip
    # §7 row 5: a home useradd did not create.
    passwd = build(image, "useradd app", family=family or distro_family(lookup(image) if image else None))
    app = passwd.by_name("app")
    assert app is not None and app.home == "/home/app" and app.home_exists is exists


def test_useradd_on_fedora_by_reference() -> None:
    # fedora is not in images.py: the family still comes from the reference.
    app = user("fedora:40", "useradd app", "app")
    assert (app.home, app.home_exists) == ("/home/app", True)
    assert app.uid is None  # fedora's passwd is not known


@pytest.mark.parametrize("family", ["debian", "rhel", None])
def test_system_user_home_is_not_created(family: str | None) -> None:
    # §2: "useradd -r svc, USER svc (no home created) | /home/svc | disabled: does not exist".
    svc = user("debian:bookworm", "useradd -r svc", "svc", family=family)
    assert home(svc) == ("/home/svc", False, None)
    assert svc.uid is None and "cannot be predicted" in (svc.reason or "")
    assert svc.owns_home is False


def test_clustered_system_user_with_home() -> None:
    svc = user("debian:bookworm", "useradd -rm svc", "svc")
    assert (svc.home, svc.home_exists) == ("/home/svc", True)


def test_useradd_no_create_home_with_home_dir() -> None:
    # §2: "useradd -M -d /app appuser, USER appuser | /app | disabled unless /app writable".
    appuser = user("debian:bookworm", "useradd -M -d /app appuser", "appuser")
    assert home(appuser) == ("/app", None, None)
    # With WORKDIR /app the directory exists, made by the builder, not by the user.
    in_workdir = user("debian:bookworm", "useradd -M -d /app appuser", "appuser", workdir="/app")
    assert home(in_workdir) == ("/app", True, None)


def test_chown_gives_the_home_to_the_user() -> None:
    # §2: "... disabled unless /app writable": here the build makes it the user's.
    appuser = user("debian:bookworm", "useradd -M -d /app appuser && mkdir -p /app && chown -R appuser:appuser /app",
                   "appuser")  # fmt: skip
    assert home(appuser) == ("/app", True, 1000)
    assert appuser.owns_home


ARGS = {"UID": Origin("ARG UID", 3), "GID": Origin("ARG GID", 4), "USER": Origin("ARG USER", 5)}
ARG_VALUES = {"UID": "1000", "GID": "2000", "USER": "user"}


def with_args(*scripts: str) -> Passwd:
    """The passwd after RUNs whose build arguments (UID, GID, USER) keep their defaults."""
    return build("debian:bookworm", *scripts, env=ARG_VALUES, doubtful=ARGS)


def test_ids_from_build_arguments_are_facts_that_say_how_they_are_written() -> None:
    account = with_args("useradd -m -u ${UID} app").by_name("app")
    assert account is not None and (account.uid, account.gid) == (1000, 1000)
    assert not account.certain and account.varies == ("gid", "uid")
    assert account.spelling("uid") == Spelling("${UID}", (("UID", ARGS["UID"]),))
    assert account.spelling("gid").text == "${UID}"  # its own group takes the uid's number
    assert account.spelling("home") is None and account.home == "/home/app"


def test_a_name_from_a_build_argument_spells_the_home_and_leaves_the_allocated_uid_alone() -> None:
    account = with_args("useradd -m $USER").by_name("user")
    assert account is not None and account.uid == 1000 and "uid" not in account.varies
    assert account.spelling("name").text == "${USER}" and account.spelling("home").text == "/home/${USER}"


def test_a_group_made_from_a_build_argument_gives_its_spelling_to_its_members() -> None:
    same_run = with_args("groupadd -g ${GID} web && useradd -m -u ${UID} -g web app").by_name("app")
    later_run = with_args("groupadd -g $GID web", "useradd -m -u 1001 -g web app").by_name("app")
    assert same_run is not None and same_run.spelling("gid").text == "${GID}"
    assert later_run is not None and (later_run.uid, later_run.gid) == (1001, 2000)
    assert later_run.varies == ("gid",) and later_run.spelling("gid").text == "${GID}"


def test_literal_accounts_stay_certain_beside_build_arguments() -> None:
    account = with_args("useradd -m -u 1234 app").by_name("app")
    assert account is not None and account.certain and account.spellings == ()


def test_a_resolved_user_made_from_build_arguments_is_not_certain() -> None:
    resolved = resolve_user(with_args("useradd -m -u ${UID} app"), "app")
    assert resolved.uid == 1000 and not resolved.certain and "a build argument decides" in (resolved.reason or "")


@pytest.mark.parametrize(
    "code",
    [
        "useradd --create-home --uid=1234 --home-dir=/home/app app",
        "useradd --create --uid 1234 app",  # getopt_long accepts unique abbreviations
        "useradd -mu1234 app",
        "useradd app -m -u 1234",  # GNU getopt permutes
        "useradd -l -o -u 1234 -U -s /bin/bash -G sudo,users -c 'App user' -m -k /etc/skel -p '*' -e '' -f -1 app",
        "useradd -m -u 1234 -- app",
    ],
)
def test_useradd_spellings(code: str) -> None:
    app = user("debian:bookworm", code, "app")
    assert (app.uid, app.gid) == (1234, 1234)
    assert home(app) == ("/home/app", True, 1234)


def test_useradd_base_dir_and_key_overrides() -> None:
    srv = build("debian:bookworm", "useradd -m -b /srv app").by_name("app")
    assert srv is not None and (srv.home, srv.home_exists) == ("/srv/app", True)
    keyed = build("debian:bookworm", "useradd -K CREATE_HOME=yes -K UID_MIN=2000 app").by_name("app")
    assert keyed is not None and (keyed.uid, keyed.home_exists) == (2000, True)


@pytest.mark.parametrize(
    ("code", "uid", "gid"),
    [
        ("useradd -m -N app", 1000, None),  # GROUP default: 100 in shadow 4.13, 1000 upstream now
        ("useradd -m -g 0 app", 1000, 0),
        ("useradd -m -g root app", 1000, 0),
        ("groupadd -g 1001 app && useradd -m -u 1001 -g app app", 1001, 1001),
        ("groupadd app && useradd -m -g app app", 1000, None),  # the group's gid was picked by groupadd
        ("groupadd -g 1000 other && useradd -m app", 1000, 1001),  # own group: gid 1000 is taken
        ("groupadd -g 2000 other && useradd -m app", 1000, 1000),
    ],
)
def test_useradd_primary_group(code: str, uid: int, gid: int | None) -> None:
    app = user("debian:bookworm", code, "app")
    assert (app.uid, app.gid) == (uid, gid)


def test_useradd_defaults_mode_changes_no_account() -> None:
    passwd = build("debian:bookworm")
    assert build("debian:bookworm", "useradd -D") == passwd
    assert build("debian:bookworm", "useradd -D -b /srv") == passwd


def test_useradd_with_a_variable_login() -> None:
    passwd = build("debian:bookworm", "useradd -m $APP_USER")
    assert not passwd.complete and not passwd.regular_complete
    assert resolve_user(passwd, "app").error is None  # may exist now
    assert passwd.doubts == ()  # useradd adds; it changes no listed account


def test_useradd_variables_from_the_stage_and_the_script() -> None:
    env = {"APP_UID": "1500", "APP_USER": "app"}
    assert user("debian:bookworm", 'useradd -m -u "$APP_UID" ${APP_USER}', "app", env=env).uid == 1500
    assert user("debian:bookworm", 'NAME=web && useradd -m "$NAME"', "web").uid == 1000
    assert build("debian:bookworm", "useradd -m -u $(id -u) app").by_name("app").uid is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "code",
    ["echo app | xargs useradd -m", "useradd --no-such-option app", "newusers /tmp/users.txt",
     "useradd -R /mnt/root app"],  # fmt: skip
)
def test_user_additions_that_cannot_be_read(code: str) -> None:
    passwd = build("debian:bookworm", code)
    assert not passwd.complete
    assert resolve_user(passwd, "app").error is None
    assert build("debian:bookworm", code, "useradd -m next").by_name("next").uid is None  # type: ignore[union-attr]


def test_useradd_inside_su_and_sh_c() -> None:
    assert user("debian:bookworm", "su root -c 'useradd -m app'", "app").uid == 1000
    assert user("debian:bookworm", "bash -c 'useradd -m app'", "app").uid == 1000
    assert user("debian:bookworm", "sudo useradd -m app", "app").uid == 1000


def test_existing_name_is_left_alone() -> None:
    # useradd refuses an existing name: uid 65534's home stays /nonexistent.
    assert user("debian:bookworm", "useradd -m nobody", "nobody").home == "/nonexistent"


# ----------------------------------------------------------------------------- Debian adduser


def test_debian_adduser_creates_the_home() -> None:
    app = user("debian:bookworm", 'adduser --disabled-password --gecos "" app', "app")
    assert (app.uid, app.gid) == (1000, 1000)
    assert home(app) == ("/home/app", True, 1000)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("adduser --no-create-home --disabled-password app", ("/home/app", False, None)),
        ("adduser --home /srv/app --uid 1500 --shell /bin/bash --disabled-login app", ("/srv/app", True, None)),
        ("adduser --home=/home/app --uid=1500 app", ("/home/app", True, 1500)),
        ("adduser --quiet --gid 0 --uid 1500 app", ("/home/app", True, 1500)),
    ],
)
def test_debian_adduser_options(code: str, expected: tuple[object, ...]) -> None:
    # A home the tool did not make may have existed (WORKDIR, COPY): its owner is then not known.
    assert home(user("debian:bookworm", code, "app")) == expected


def test_debian_adduser_system_user() -> None:
    # adduser 3.118: /home/svc, created; 3.122 and later: /nonexistent, never created.
    svc = user("debian:bookworm", "adduser --system svc", "svc")
    assert (svc.uid, svc.gid) == (100, 65534)  # lowest free in 100..999; group nogroup
    assert svc.home is None and "version" in (svc.reason or "")
    kept_out = user("debian:bookworm", "adduser --system --no-create-home svc", "svc")
    assert (kept_out.home, kept_out.home_exists) == (None, False)  # not created in either version
    with_home = user("debian:bookworm", "adduser --system --group --home /var/lib/svc svc", "svc")
    assert (with_home.home, with_home.home_exists, with_home.gid) == ("/var/lib/svc", True, None)


def test_debian_adduser_adds_to_a_group_or_leaves_an_existing_system_user() -> None:
    passwd = build("debian:bookworm", "useradd -m app")
    assert build("debian:bookworm", "useradd -m app", "adduser app sudo") == passwd
    assert build("debian:bookworm", "useradd -m app", "adduser --system app").by_name("app") == passwd.by_name("app")


def test_debian_adduser_ingroup() -> None:
    # --ingroup: no group of the user's own; the uid is the lowest free one either way.
    app = user("debian:bookworm", "groupadd -g 1500 web && adduser --ingroup web --disabled-password app", "app")
    assert (app.uid, app.gid) == (1000, 1500)


def test_adduser_group_only() -> None:
    passwd = build("debian:bookworm", "adduser --group --gid 1500 web && useradd -m -g web app")
    assert passwd.by_name("app").gid == 1500  # type: ignore[union-attr]


# ----------------------------------------------------------------------------- BusyBox adduser


def test_busybox_adduser_on_alpine() -> None:
    app = user("alpine:3.20", "adduser -D app", "app")
    assert (app.uid, app.gid) == (1000, 1000)
    assert home(app) == ("/home/app", True, 1000)


def test_busybox_no_home_and_explicit_home() -> None:
    assert home(user("alpine:3.20", "adduser -D -H app", "app")) == ("/home/app", False, None)
    # BusyBox chowns the home even when it already existed.
    explicit = user("alpine:3.20", 'adduser -D -u 1234 -h /app -s /bin/sh -g "App" -k /etc/skel app', "app",
                    workdir="/app")  # fmt: skip
    assert home(explicit) == ("/app", True, 1234)


def test_busybox_system_user_gets_a_home() -> None:
    # BusyBox makes the home of a system user too; uid: lowest free from 100.
    svc = user("alpine:3.20", "addgroup -S svc && adduser -S -G svc svc", "svc")
    assert svc.uid == 100 and svc.gid is None
    assert home(svc) == ("/home/svc", True, 100)


def test_busybox_skips_a_uid_taken_as_a_gid() -> None:
    assert user("alpine:3.20", "addgroup -g 1000 other && adduser -D app", "app").uid == 1001


def test_busybox_long_options_and_membership() -> None:
    app = user("alpine:3.20", "adduser --disabled-password --home /home/app --uid 1500 app", "app")
    assert home(app) == ("/home/app", True, 1500)
    passwd = build("alpine:3.20", "adduser -D app")
    assert build("alpine:3.20", "adduser -D app", "adduser app wheel") == passwd


def test_busybox_wrapper_on_debian() -> None:
    assert home(user("debian:bookworm", "busybox adduser -D app", "app")) == ("/home/app", True, 1000)


def test_adduser_flavour_from_options_when_the_distro_is_unknown() -> None:
    # -D only parses as BusyBox; long options parse as both, and both make the home.
    busybox = build(None, "adduser -D app").by_name("app")
    assert busybox is not None and (busybox.home, busybox.home_exists) == ("/home/app", True)
    either = build(None, "adduser --disabled-password app").by_name("app")
    assert either is not None and (either.home, either.home_exists, either.uid) == ("/home/app", True, None)


def test_adduser_on_rhel_is_useradd() -> None:
    app = build(None, "adduser app", family="rhel").by_name("app")
    assert app is not None and (app.home, app.home_exists) == ("/home/app", True)


# ----------------------------------------------------------------------------- usermod, userdel


def test_usermod_uid_moves_the_home_owner() -> None:
    app = user("debian:bookworm", "useradd -m app && usermod -u 2000 app", "app")
    assert (app.uid, app.home_owner_uid) == (2000, 2000)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("useradd -m app && usermod -d /srv/app -m app", ("/srv/app", True, 1000)),
        ("useradd -m app && usermod --home /srv/app app", ("/srv/app", None, None)),
        ("useradd -m app && usermod -d /home/other app", ("/home/other", False, None)),
    ],
)
def test_usermod_home(code: str, expected: tuple[object, ...]) -> None:
    assert home(user("debian:bookworm", code, "app")) == expected


def test_usermod_rename_and_group() -> None:
    passwd = build("debian:bookworm", "useradd -m app && usermod -l web -g 0 app")
    assert passwd.by_name("app") is None
    web = resolve_user(passwd, "web")
    assert (web.uid, web.gid, web.home) == (1000, 0, "/home/app")


def test_usermod_of_an_unknown_account_casts_doubt() -> None:
    passwd = build("debian:bookworm", "useradd -m app && usermod -d /x $SOMEONE")
    app = resolve_user(passwd, "app")
    assert app.home == "/home/app" and not app.certain
    assert "usermod" in (app.reason or "")


@pytest.mark.parametrize("code", ["userdel -r app", "userdel --remove app", "deluser --remove-home app"])
def test_deleting_a_user(code: str) -> None:
    passwd = build("debian:bookworm", "useradd -m app && useradd -M -d /home/app twin", code)
    assert resolve_user(passwd, "app").error is not None
    assert passwd.by_name("twin").home_exists is False  # type: ignore[union-attr]


def test_deluser_from_a_group_keeps_the_user() -> None:
    passwd = build("debian:bookworm", "useradd -m app")
    assert build("debian:bookworm", "useradd -m app", "deluser app sudo") == passwd


@pytest.mark.parametrize(
    "code", ["groupadd -r svc", "addgroup --system svc", "groupmod -g 3000 users", "groupdel staff", "delgroup x"]
)
def test_group_commands_do_not_crash_or_touch_accounts(code: str) -> None:
    passwd = build("debian:bookworm", code)
    assert passwd.accounts == build("debian:bookworm").accounts
    assert passwd.complete


# ----------------------------------------------------------------------------- homes


@pytest.mark.parametrize(
    "code",
    [
        "useradd app && mkdir -p /home/app/.cache && chown -R app:app /home/app",
        "useradd app && install -d -o app -g app -m 0755 /home/app",
        "useradd app && cd /home && mkdir app && chown app app",
        "useradd app && su app -c 'mkdir -p ~/.cache'",
        "useradd app && gosu app mkdir -p /home/app",
    ],
)
def test_making_the_home_of_a_user(code: str) -> None:
    # §7 row 5 fixed by the build: the home exists and is the user's.
    app = user("debian:bookworm", code, "app")
    assert home(app) == ("/home/app", True, 1000) and app.owns_home


def test_chown_relative_to_workdir() -> None:
    app = user("debian:bookworm", "useradd -m app && chown -R 2000 .", "app", workdir="/home")
    assert app.home_owner_uid == 2000


def test_a_directory_made_before_the_user_stays_roots() -> None:
    # shadow's create_home leaves an existing directory alone.
    app = user("debian:bookworm", "mkdir -p /home/app/.cache && useradd -m app", "app")
    assert home(app) == ("/home/app", True, 0) and app.owns_home is False


@pytest.mark.parametrize(
    ("code", "exists"),
    [
        ("useradd -m app && rm -rf /home/app", False),
        ("useradd -m app && rm -rf /home", False),
        ("useradd -m app && rm -rf /home/app/* /home/app/.cache", True),
        ("useradd -m app && rm -rf ~app/.cache", True),
        ("useradd -m app && rm /home/app", True),  # without -r a directory stays
        ("useradd -m app && rm -rf $SOMETHING", None),
    ],
)
def test_removing_homes(code: str, exists: bool | None) -> None:
    assert user("debian:bookworm", code, "app").home_exists is exists


def test_tilde_and_home_of_root() -> None:
    # Without ENV HOME, `~` and $HOME are root's passwd home for a root step (§1.1).
    passwd = build("debian:bookworm", "rm -rf ~/.cache $HOME/.cache/pip")
    assert resolve_user(passwd, "root").home_exists is True
    gone = build("debian:bookworm", "rm -rf ~", env={"HOME": "/srv"})
    assert resolve_user(gone, "root").home_exists is True  # HOME=/srv, not /root
    assert resolve_user(build("debian:bookworm", "rm -rf ~"), "root").home_exists is False


def test_paths_from_find_or_xargs_make_owners_unknown() -> None:
    app = user("debian:bookworm", "useradd -m app && find /home -exec chown root {} +", "app")
    assert (app.home_exists, app.home_owner_uid) == (True, None)
    fed = user("debian:bookworm", "useradd -m app && echo /home/app | xargs rm -rf", "app")
    assert fed.home_exists is None


# ----------------------------------------------------------------------------- changes not visible


@pytest.mark.parametrize(
    "code",
    ["bash setup.sh", "sh -e ./install-users.sh", "curl -fsSL https://example.com/x | sh", "./setup.sh",
     "eval \"$(cat users)\"", ". ./users.sh", "bash < users.sh"],  # fmt: skip
)
def test_scripts_that_are_not_visible_may_add_users(code: str) -> None:
    passwd = build("debian:bookworm", code)
    assert not passwd.complete
    assert resolve_user(passwd, "ghost").error is None


@pytest.mark.parametrize(
    "code",
    [". /etc/os-release && echo $VERSION_CODENAME", ". /opt/venv/bin/activate && pip install x",
     "bash -lc 'pip install x'", "bash <<'EOF'\npip install x\nEOF"],  # fmt: skip
)
def test_visible_or_harmless_shell_code_keeps_the_passwd(code: str) -> None:
    assert build("debian:bookworm", code).complete


def test_direct_edit_of_account_files() -> None:
    passwd = build("debian:bookworm", "echo 'app:x:1000:1000::/home/app:/bin/sh' >> /etc/passwd")
    root = resolve_user(passwd, "root")
    assert root.home == "/root" and not root.certain
    assert "account file" in (root.reason or "")
    assert build("debian:bookworm", "grep -q app /etc/passwd || useradd -m app").doubts == ()


def test_packages_add_only_system_users() -> None:
    # images.py `_Base.derived`: packages add system users; normal uids stay predictable.
    passwd = build("debian:bookworm", "apt-get update && apt-get install -y --no-install-recommends curl")
    assert not passwd.complete and passwd.regular_complete
    assert resolve_user(passwd, "postgres").error is None
    assert passwd.by_name("www-data").home_exists is None  # type: ignore[union-attr]  # a package may make /var/www
    assert passwd.by_name("nobody").home_exists is False  # type: ignore[union-attr]  # never created
    app = user("debian:bookworm", "apt-get install -y curl && useradd -m app", "app")
    assert app.uid == 1000


@pytest.mark.parametrize(
    "code", ["apk add --no-cache curl", "dnf install -y gcc", "rpm -Uvh x.rpm", "dpkg -i x.deb", "yum -y install x"]
)
def test_other_package_managers(code: str) -> None:
    assert not build("debian:bookworm", code).complete


def test_package_queries_change_nothing() -> None:
    assert build("debian:bookworm", "apt-get update && apk info && rpm -q bash").complete


# ----------------------------------------------------------------------------- distro family


@pytest.mark.parametrize(
    ("ref", "family"),
    [
        ("python:3.12", "debian"),
        ("python:3.12-slim-bookworm", "debian"),
        ("python:3.12-alpine", "alpine"),
        ("node:20", "debian"),
        ("node:20-alpine3.20", "alpine"),
        ("ubuntu:24.04", "debian"),
        ("debian:bookworm-slim", "debian"),
        ("alpine:3.20", "alpine"),
        ("buildpack-deps:bookworm", "debian"),
        ("nvidia/cuda:12.6.3-base-ubuntu24.04", "debian"),
        ("jupyter/base-notebook", "debian"),
        ("quay.io/jupyter/scipy-notebook:latest", "debian"),
        ("continuumio/miniconda3", "debian"),
        ("mambaorg/micromamba:1.5.8-alpine", "alpine"),
        ("amazonlinux:2023", "rhel"),
        ("registry.access.redhat.com/ubi9/python-312", "rhel"),
        ("ghcr.io/astral-sh/uv:python3.12-bookworm-slim", "debian"),
        ("scratch", None),  # no shell, no user tools
        ("gcr.io/distroless/python3-debian12", None),
        # Not in images.py: the reference alone.
        ("fedora:40", "rhel"),
        ("rockylinux:9", "rhel"),
        ("quay.io/centos/centos:stream9", "rhel"),
        ("registry.access.redhat.com/ubi9/ubi-minimal", "rhel"),
        ("golang:1.22-alpine", "alpine"),
        ("ruby:3.3", "debian"),
        ("myorg/app:1.0-alpine", None),  # a third-party tag is not trusted
        ("nvcr.io/nvidia/pytorch:23.08-py3", None),
        ("$BASE", None),
    ],
)
def test_distro_family(ref: str, family: str | None) -> None:
    assert distro_family(lookup(ref), ref) == family


def test_distro_family_of_nothing() -> None:
    assert distro_family(None) is None


# ----------------------------------------------------------------------------- origins


def test_accounts_say_where_they_come_from() -> None:
    passwd = build("debian:bookworm", "useradd -m app")
    root = passwd.by_name("root")
    app = passwd.by_name("app")
    assert isinstance(root, Account) and root.origin == Origin("/etc/passwd of debian (Debian bookworm)", 1)
    assert isinstance(app, Account) and app.origin == Origin("`useradd -m app` in RUN", 2)
