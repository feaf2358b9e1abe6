"""Read a git config file with git itself: `git config --file F --list --null`.

git does the parsing (quoting, escapes, continuation lines, `[section "sub"]` headers),
so the records are exactly what git would use. With `--null` each record is
`key\\nvalue\\0`, or `key\\0` for a key written without `=` (git reads it as true).
Keys come back as git prints them: section and name lower-cased, the subsection as
written. `include.*` / `includeIf.*` directives are listed, not followed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nixmigrate.errors import CommandFailedError
from nixmigrate.system.runner import Runner


@dataclass(frozen=True, slots=True)
class GitConfigEntry:
    key: str  # section.name or section.subsection.name (the subsection may hold dots)
    value: str | None  # None: the key had no `=` (git's implicit true)


@dataclass(frozen=True, slots=True)
class GitConfigEntries:
    """Every record of one config file, in file order (multi-valued keys repeat)."""

    path: str
    entries: tuple[GitConfigEntry, ...] = ()


def git_config_list_argv(path: Path | str) -> list[str]:
    return ["git", "config", "--file", str(path), "--no-includes", "--list", "--null"]


def parse_git_config_list(output: str) -> tuple[GitConfigEntry, ...]:
    """Parse the NUL-separated output of `git config --list --null`."""
    entries: list[GitConfigEntry] = []
    for record in output.split("\0"):
        if not record:
            continue
        key, newline, value = record.partition("\n")
        entries.append(GitConfigEntry(key, value if newline else None))
    return tuple(entries)


def read_gitconfig(runner: Runner, path: Path | str) -> GitConfigEntries:
    """Read `path` through git; a missing or malformed file raises CommandFailedError."""
    argv = git_config_list_argv(path)
    done = runner.run(argv, check=False)
    if done.returncode != 0:
        hint = f"check that {path} is a readable git config file"
        raise CommandFailedError(tuple(argv), done.returncode, done.stderr, hint=hint)
    return GitConfigEntries(str(path), parse_git_config_list(done.stdout))
