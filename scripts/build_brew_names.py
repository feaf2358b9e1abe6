"""Write mappings/brew-names.toml: Homebrew's other names for formulae and casks.

From the fact tables (see the data README): formula aliases (`rg` -> `ripgrep`), old
formula and cask names (renames, chains followed to today's name), formulae that moved
to a cask or to another tap and the reverse, and, for the executable-name heuristic,
the one command of single-command formulae when that command is a known nixpkgs
attribute name that no other formula uses (mappings/nixpkgs-names.txt; build that first). Only these name maps
are kept, nothing else of the data.

    python scripts/build_nixpkgs_names.py --data ../shared/data
    python scripts/build_brew_names.py --data ../shared/data
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Final

REPO: Final = Path(__file__).resolve().parent.parent
DEFAULT_DATA: Final = REPO.parent / "shared" / "data"
MIN_COMMAND_LENGTH: Final = 3  # `rr`, `tk`, `wt` name unrelated nixpkgs packages
# formula -> command whose nixpkgs namesake is another program
NOT_THE_SAME: Final = {
    ("alexjs", "alex"),  # nixpkgs alex is the Haskell lexer generator
    ("shpotify", "spotify"),  # a shell client; nixpkgs spotify is the app itself
}
SCHEMA: Final = 1


def read_tsv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)


def follow(renames: Mapping[str, str], name: str) -> str:
    """Today's name at the end of a rename chain (stops on a cycle)."""
    seen = {name}
    while name in renames and renames[name] not in seen:
        name = renames[name]
        seen.add(name)
    return name


def formula_names(data: Path, known_attrs: set[str]) -> dict[str, Mapping[str, object]]:
    rows = list(read_tsv(data / "homebrew-formulae.tsv"))
    current = {row["name"] for row in rows}
    moves = list(read_tsv(data / "homebrew-renames-migrations.tsv"))
    raw_renames = {
        m["old_name"]: m["new_name_or_tap"]
        for m in moves
        if m["kind"] == "formula_rename"
    }
    aliases: dict[str, str] = {}
    renames: dict[str, str] = {}
    executables: dict[str, list[str]] = {}
    taken = current | {a for row in rows for a in row["aliases"].split()}
    providers = _command_providers(rows)
    for row in rows:
        name = row["name"]
        for alias in row["aliases"].split():
            if alias not in current:
                aliases[alias] = name
        for old in row["oldnames"].split():
            if old not in current:
                renames[old] = name
        commands = _useful_executables(row, known_attrs, taken, providers)
        if commands:
            executables[name] = commands
    for old in raw_renames:
        new = follow(raw_renames, old)
        if old not in current and new in current:
            renames.setdefault(old, new)
    return {
        "aliases": dict(sorted(aliases.items())),
        "renames": dict(sorted(renames.items())),
        "moved": _moved(moves, "formula_tap_migration", current),
        "executables": dict(sorted(executables.items())),
    }


def _command_providers(rows: list[dict[str, str]]) -> dict[str, int]:
    """command -> how many formulae install it."""
    counts: dict[str, int] = {}
    for row in rows:
        for command in set(row["executables"].split()):
            counts[command] = counts.get(command, 0) + 1
    return counts


def _useful_executables(
    row: Mapping[str, str],
    known_attrs: set[str],
    taken: set[str],
    providers: Mapping[str, int],
) -> list[str]:
    """Commands that can stand for this formula: a known nixpkgs attribute, installed
    by no other formula, and not itself the name or alias of another formula (the
    `fd` command of `fdclone` is not the `fd` formula)."""
    commands = row["executables"].split()
    if len(commands) != 1:
        return []  # a suite's commands do not name the suite
    return [
        c
        for c in commands
        if c != row["name"]
        and len(c) >= MIN_COMMAND_LENGTH
        and c in known_attrs
        and c not in taken
        and providers.get(c, 0) == 1
        and (row["name"], c) not in NOT_THE_SAME
    ]


def _moved(moves: list[dict[str, str]], kind: str, current: set[str]) -> dict[str, str]:
    """old name -> `tap` or `tap/new-name` for items that left their tap."""
    return dict(
        sorted(
            (m["old_name"], m["new_name_or_tap"])
            for m in moves
            if m["kind"] == kind and m["old_name"] not in current
        )
    )


def cask_names(data: Path) -> dict[str, Mapping[str, object]]:
    rows = list(read_tsv(data / "homebrew-casks.tsv"))
    current = {row["token"] for row in rows}
    moves = list(read_tsv(data / "homebrew-renames-migrations.tsv"))
    raw_renames = {
        m["old_name"]: m["new_name_or_tap"] for m in moves if m["kind"] == "cask_rename"
    }
    renames: dict[str, str] = {}
    for row in rows:
        for old in row["old_tokens"].split():
            if old not in current:
                renames[old] = row["token"]
    for old in raw_renames:
        new = follow(raw_renames, old)
        if old not in current and new in current:
            renames.setdefault(old, new)
    return {
        "renames": dict(sorted(renames.items())),
        "moved": _moved(moves, "cask_tap_migration", current),
    }


def read_known_attrs(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")}


def render(
    formula: Mapping[str, Mapping[str, object]],
    cask: Mapping[str, Mapping[str, object]],
) -> str:
    out = [
        "# Homebrew's other names for formulae and casks, and where moved items went.",
        "# Generated by scripts/build_brew_names.py from the Homebrew fact tables",
        "# (homebrew-formulae.tsv, homebrew-casks.tsv, homebrew-renames-migrations.tsv).",
        "# Do not edit by hand: fix the data or the script and regenerate.",
        f"schema_version = {SCHEMA}",
        "",
    ]
    for kind, sections in (("formula", formula), ("cask", cask)):
        for section, table in sections.items():
            out.append(f"[{kind}.{section}]")
            out.extend(f"{_key(k)} = {json.dumps(v)}" for k, v in table.items())
            out.append("")
    return "\n".join(out)


def _key(name: str) -> str:
    return json.dumps(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--names", type=Path, default=REPO / "mappings" / "nixpkgs-names.txt"
    )
    parser.add_argument(
        "--out", type=Path, default=REPO / "mappings" / "brew-names.toml"
    )
    args = parser.parse_args()
    formula = formula_names(args.data, read_known_attrs(args.names))
    cask = cask_names(args.data)
    args.out.write_text(render(formula, cask), encoding="utf-8")
    counts = {f"formula.{k}": len(v) for k, v in formula.items()}
    counts |= {f"cask.{k}": len(v) for k, v in cask.items()}
    print(f"wrote {args.out}: {counts}")


if __name__ == "__main__":
    main()
