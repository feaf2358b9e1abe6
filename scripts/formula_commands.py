"""Commands decide: rules of scripts/build_mappings.py that look at what a formula installs.

Homebrew's command-not-found data (../shared/data/homebrew-executables.tsv) says which
commands each formula puts on PATH. Two decisions follow from it:

- a formula that installs no command at all is a library; in a Brewfile it is almost
  always there for a build or for another formula, and Nix packages bring their own,
  so it is skipped with a reason that says so (`nixmigrate map` is the way back);
- a library that does install commands (`poppler`: pdftotext, pdfinfo, ...) maps to the
  nixpkgs package that holds those commands when nixpkgs splits them out
  (`poppler-utils`), not to the bare library.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Final

Row = dict[str, str]
Entry = dict[str, object]

COMMANDS_FILE: Final = "homebrew-executables.tsv"
LIBRARY_DESC: Final = re.compile(
    r"\b(librar(y|ies)|bindings?|framework|toolkit|headers?|header-only|sdk|codec)\b",
    re.IGNORECASE,
)
# descriptions of things that install no command yet are installed on purpose
_ADD_ON_DESC: Final = re.compile(
    r"\b(zsh|bash|fish|shell|completions?|plugins?|prompt|themes?|fonts?|vim|emacs)\b",
    re.IGNORECASE,
)
# more signs of a library, for formulae that install no command
_LIBRARY_HINTS: Final = re.compile(
    r"\b(C|C\+\+|API|protocols|engine|DSP|functions|wrapper|abstractions|interface to)\b"
)
# the nixpkgs attributes that hold a library's commands, by suffix, best first
SPLIT_SUFFIXES: Final = ("-utils", "_utils", "-bin", "-tools", "-progs", "-cli")
PYTHON_LIBRARY_REASON: Final = (
    "Python library; under Nix it belongs in a python3.withPackages environment"
)


def read_commands(rows: Iterable[Row]) -> dict[str, tuple[str, ...]]:
    """Formula -> the commands it installs; formulae Homebrew never indexed are absent."""
    return {row["formula"]: tuple(row["executables"].split()) for row in rows}


def commands_file(data: Path) -> Path:
    return data / COMMANDS_FILE


def tools(commands: Iterable[str]) -> list[str]:
    """The commands a user runs: `*-config` scripts only serve builds."""
    return [c for c in commands if not c.endswith("config")]


def library_like(row: Row) -> bool:
    return row["name"].startswith("lib") or bool(LIBRARY_DESC.search(row["desc"]))


def dependency_only(
    row: Row, commands: Mapping[str, tuple[str, ...]], *, attr: str | None
) -> Entry | None:
    """`skip` for a formula that installs no command (known from Homebrew's index)."""
    name = row["name"]
    if name not in commands or tools(commands[name]) or row["has_service"] == "1":
        return None
    desc = row["desc"]
    if "plugin" in desc.lower():
        return None
    hinted = _LIBRARY_HINTS.search(desc) and not _ADD_ON_DESC.search(desc)
    if not (library_like(row) or hinted):
        return None
    python = "python" in desc.lower() or name.startswith("py")
    return {
        "skip": True,
        "reason": PYTHON_LIBRARY_REASON if python else dependency_reason(name, attr),
    }


def dependency_reason(name: str, attr: str | None) -> str:
    back = f"`nixmigrate map {name} {attr or 'ATTR'}`"
    return (
        "installs no command: a library, in a Brewfile almost always only as a "
        "dependency of a build or another formula, and Nix packages bring their own; "
        f"if you build against it yourself, {back} installs it"
    )


def library_split(
    row: Row,
    commands: Mapping[str, tuple[str, ...]],
    emittable: Callable[[str], bool],
) -> Entry | None:
    """A library whose commands nixpkgs packages apart (`poppler` -> poppler-utils)."""
    name = row["name"]
    installed = tools(commands.get(name, ()))
    if not installed or not library_like(row):
        return None
    for suffix in SPLIT_SUFFIXES:
        attr = name + suffix
        if emittable(attr):
            return {"nix": attr, "note": split_note(name, attr, installed)}
    return None


def split_note(name: str, attr: str, installed: list[str]) -> str:
    shown = ", ".join(installed[:4]) + (", ..." if len(installed) > 4 else "")
    return f"its commands ({shown}) are in {attr}; nixpkgs {name} is the library alone"
