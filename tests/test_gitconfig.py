from __future__ import annotations

from pathlib import Path

import pytest

from nixmigrate.errors import CommandFailedError
from nixmigrate.plan.gitconfig import GitKey, git_value, gitconfig_to_settings
from nixmigrate.plan.secrets import SecretFinding
from nixmigrate.scan.gitconfig import (
    GitConfigEntries,
    GitConfigEntry,
    parse_git_config_list,
    read_gitconfig,
)
from nixmigrate.system.runner import SubprocessRunner
from tests.fakes import canned


def _entries(*pairs: tuple[str, str | None]) -> GitConfigEntries:
    return GitConfigEntries(
        "~/.gitconfig", tuple(GitConfigEntry(k, v) for k, v in pairs)
    )


# ---------------------------------------------------------------- the real git


@pytest.mark.needs_git
def test_a_typical_gitconfig_becomes_settings_includes_and_secrets(
    fixtures_dir: Path,
) -> None:
    path = fixtures_dir / "gitconfig" / "gitconfig"

    conversion = gitconfig_to_settings(read_gitconfig(SubprocessRunner(), path))

    assert conversion.settings == {
        "user": {"name": "Ada Lovelace", "email": "ada@example.org"},
        "core": {
            "editor": "nvim",
            "autocrlf": "input",
            "excludesfile": "~/.config/git/ignore",
            "sharedrepository": "0644",
        },
        "init": {"defaultbranch": "main"},
        "pull": {"rebase": True},
        "fetch": {"prune": True},
        "merge": {"conflictstyle": "zdiff3"},
        "diff": {"renamelimit": 5000},
        "alias": {
            "co": "checkout",
            "st": "status --short --branch",
            "lg": "log --graph --oneline --decorate --all",
            "amend": "commit --amend --no-edit",
        },
        "url": {
            "git@github.com:": {"insteadof": ["https://github.com/", "gh:"]},
            "ssh://git@git.example.co.uk:2222/": {
                "insteadof": "https://git.example.co.uk/"
            },
        },
        "credential": {
            "helper": "osxkeychain",
            "https://dev.azure.com": {"usehttppath": True},
        },
        "push": {"autosetupremote": True},
        "github": {"user": "ada"},
    }
    assert conversion.includes == (
        {"condition": "gitdir:~/Work/", "path": "~/.config/git/work.inc"},
        {"path": "~/.config/git/local.inc"},
    )
    assert [(s.location, s.path) for s in conversion.secrets] == [
        ("user.signingkey", str(path)),
        ("github.token", str(path)),
    ]
    assert conversion.skipped == ()


@pytest.mark.needs_git
def test_the_secret_value_never_reaches_settings_or_findings(tmp_path: Path) -> None:
    config = tmp_path / "gitconfig"
    config.write_text(
        '[url "https://ada:s3cretpassw0rd@git.example.org/"]\n'
        "\tinsteadOf = https://git.example.org/\n"
        "[sendemail]\n\tsmtpPass = s3cretpassw0rd\n"
        '[http "https://git.example.org/"]\n'
        "\textraHeader = Authorization: Bearer s3cretpassw0rd\n",
        encoding="utf-8",
    )

    conversion = gitconfig_to_settings(read_gitconfig(SubprocessRunner(), config))

    assert conversion.settings == {}
    assert len(conversion.secrets) == 3
    assert "s3cretpassw0rd" not in repr(conversion)
    assert conversion.secrets[0].location == (
        "url.https://ada:****@git.example.org/.insteadof"
    )


@pytest.mark.needs_git
def test_a_missing_file_fails_with_a_hint_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope"

    with pytest.raises(CommandFailedError) as caught:
        read_gitconfig(SubprocessRunner(), missing)

    assert caught.value.hint is not None
    assert str(missing) in caught.value.hint


# ---------------------------------------------------------------- parsing


def test_git_is_asked_for_the_file_alone_without_following_includes() -> None:
    runner = canned()

    read_gitconfig(runner, "/home/ada/.gitconfig")

    assert runner.calls == [
        [
            "git",
            "config",
            "--file",
            "/home/ada/.gitconfig",
            "--no-includes",
            "--list",
            "--null",
        ]
    ]


def test_records_keep_newlines_in_values_and_mark_keys_without_a_value() -> None:
    output = "alias.lg\nlog --graph\n --oneline\0core.bare\0user.name\n\0"

    assert parse_git_config_list(output) == (
        GitConfigEntry("alias.lg", "log --graph\n --oneline"),
        GitConfigEntry("core.bare", None),
        GitConfigEntry("user.name", ""),
    )


def test_git_failure_is_reported_with_its_message() -> None:
    runner = canned(returncode=128, stderr="fatal: bad config line 3\n")

    with pytest.raises(CommandFailedError, match="bad config line 3"):
        read_gitconfig(runner, "/home/ada/.gitconfig")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("user.name", GitKey("user", None, "name")),
        (
            "url.git@github.com:.insteadof",
            GitKey("url", "git@github.com:", "insteadof"),
        ),
        (
            "includeif.gitdir:~/src/a.b/.path",
            GitKey("includeif", "gitdir:~/src/a.b/", "path"),
        ),
    ],
)
def test_keys_split_at_the_first_and_last_dot(key: str, expected: GitKey) -> None:
    assert GitKey.parse(key) == expected


# ---------------------------------------------------------------- converting


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, True),
        ("true", True),
        ("false", False),
        ("True", "True"),
        ("yes", "yes"),
        ("42", 42),
        ("-3", -3),
        ("0", 0),
        ("0644", "0644"),
        ("500m", "500m"),
        ("99999999999999999999", "99999999999999999999"),
        ("", ""),
    ],
)
def test_values_are_typed_conservatively(
    raw: str | None, expected: bool | int | str
) -> None:
    value = git_value(raw)

    assert value == expected
    assert type(value) is type(expected)


def test_a_repeated_key_becomes_a_list_in_file_order() -> None:
    entries = _entries(
        ("remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*"),
        ("remote.origin.fetch", "+refs/pull/*:refs/remotes/origin/pr/*"),
        ("remote.origin.fetch", "+refs/tags/*:refs/tags/*"),
    )

    settings = gitconfig_to_settings(entries).settings

    assert settings == {
        "remote": {
            "origin": {
                "fetch": [
                    "+refs/heads/*:refs/remotes/origin/*",
                    "+refs/pull/*:refs/remotes/origin/pr/*",
                    "+refs/tags/*:refs/tags/*",
                ]
            }
        }
    }


def test_a_name_that_clashes_with_a_subsection_is_left_out_and_said() -> None:
    entries = _entries(("foo.bar", "1"), ("foo.bar.baz", "2"))

    conversion = gitconfig_to_settings(entries)

    assert conversion.settings == {"foo": {"bar": 1}}
    assert conversion.skipped == (
        "foo.bar.baz: clashes with a subsection of that name",
    )


def test_include_keys_other_than_path_are_not_settings() -> None:
    entries = _entries(
        ("includeif.onbranch:main.path", "~/main.inc"), ("include.x", "y")
    )

    conversion = gitconfig_to_settings(entries)

    assert conversion.includes == (
        {"condition": "onbranch:main", "path": "~/main.inc"},
    )
    assert conversion.settings == {}
    assert conversion.skipped == ("include.x: not an include path",)


def test_credential_helpers_and_plain_headers_are_not_secrets() -> None:
    entries = _entries(
        ("credential.helper", "osxkeychain"),
        ("credential.https://github.com.username", "ada"),
        ("http.extraheader", "X-Trace: on"),
    )

    conversion = gitconfig_to_settings(entries)

    assert conversion.secrets == ()
    assert conversion.settings["http"] == {"extraheader": "X-Trace: on"}


def test_a_token_pasted_into_an_alias_is_found() -> None:
    token = "ghp_" + "Ab3d" * 9
    entries = _entries(("alias.api", f"!curl -H 'x: {token}' https://api.github.com"))

    conversion = gitconfig_to_settings(entries)

    assert conversion.secrets == (
        SecretFinding(
            "~/.gitconfig",
            "alias.api contains a GitHub access token",
            "alias.api",
            "alias.api = ****",
        ),
    )
    assert conversion.settings == {}
