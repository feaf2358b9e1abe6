"""Write the shipped home-manager and nix-darwin option lists: the rows nixmigrate can set.

Maintainer tool, run from the repository root:

    python scripts/build_option_lists.py            # rewrite both files
    python scripts/build_option_lists.py --check    # exit 1 when they are out of date

The full lists (home-manager-options.txt, nix-darwin-options.txt in ../shared/data, see
its README) name every option of today's home-manager and nix-darwin. The package
ships only the part under the namespaces the templates (nixmigrate/render/templates)
write, so nixmigrate/render/options/ holds a derived subset, never a copy:

- home-manager: `home.*` and `xdg.*` (home.nix.j2, home-host.nix.j2, plan/links.py);
  the whole `programs.<module>` of every module a mapping names (`program = ...` in
  mappings/*.toml), that phase 4 converts or turns on (plan/declarative.py) and
  `programs.home-manager` (home.nix.j2); and `programs.<module>.enable` / `.package`
  of every other module, because the user's own mappings may name any of them.
- nix-darwin: `nixpkgs.*`, `nix.*`, `system.primaryUser`, `system.stateVersion`,
  `system.defaults.*`, `users.users.*`, `home-manager.*` and
  `security.pam.services.sudo_local.*` and `services.<module>.enable` /
  `.package` (darwin-host.nix.j2), and `homebrew.*` (homebrew.nix.j2).

Rows are copied unchanged (type and flags included, `hidden` ones too, so a renamed
option is still reported as renamed), in their original order, together with every
row above a kept namespace. The build then asks both lists about each kept option,
and about a name below each one, and stops unless every answer is the same: for what
the templates can write, the subset accepts and rejects exactly what the full list
does. Output is deterministic (no dates).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

if __package__ in {None, ""}:  # run as a script: make `nixmigrate` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nixmigrate.mapping.db import load_mappings
from nixmigrate.plan.declarative import CONVERTERS, SHELL_TOOLS
from nixmigrate.render.optioncheck import OptionIndex

REPO: Final = Path(__file__).resolve().parent.parent
DEFAULT_DATA: Final = REPO.parent / "shared" / "data"
DEFAULT_OUT: Final = REPO / "nixmigrate" / "render" / "options"
MAPPINGS: Final = REPO / "mappings"
HOME_MANAGER_FILE: Final = "home-manager-options.txt"
NIX_DARWIN_FILE: Final = "nix-darwin-options.txt"
SUBSET_NOTE: Final = (
    "# subset derived by scripts/build_option_lists.py from the full list in the "
    "shared data: only the namespaces nixmigrate's templates write"
)

Pattern = tuple[str, ...]
ANY: Final = "?"  # in a pattern: any one attribute name
_ANY_NAME: Final = "<name>"  # in a list row: any attribute name
_LIST_ITEM: Final = "*"
_PROBE_NAME: Final = "name"
_PROBE_BELOW: Final = "undeclared"

# programs.<module> written by the templates or the planner themselves
_HOME_MANAGER_MODULE: Final = "home-manager"  # home.nix.j2 (programs.home-manager)
_HOME_NAMESPACES: Final[tuple[Pattern, ...]] = (("home",), ("xdg",))
# home.nix.j2, for whatever module a mapping (possibly the user's own) names
_ANY_PROGRAM_OPTIONS: Final[tuple[Pattern, ...]] = (
    ("programs", ANY, "enable"),
    ("programs", ANY, "package"),
)
_DARWIN_NAMESPACES: Final[tuple[Pattern, ...]] = (
    ("nixpkgs",),  # hostPlatform, config.allowUnfreePredicate
    ("nix",),  # enable, settings.experimental-features
    ("system", "primaryUser"),
    ("system", "stateVersion"),
    ("system", "defaults"),  # plan/macos_defaults.py groups
    ("users", "users"),  # users.users.<user>.home
    ("home-manager",),  # the home-manager nix-darwin module
    ("security", "pam", "services", "sudo_local"),  # touchIdAuth
    ("homebrew",),  # homebrew.nix.j2
    ("services", ANY, "enable"),  # nix-darwin services (mapping/services/table.py)
    ("services", ANY, "package"),
)


@dataclass(frozen=True, slots=True)
class Selection:
    """Which rows of a full list to keep.

    A row is kept when it lies in (or above) one of `subtrees`, or is one of `options`
    or lies above one of them.
    """

    subtrees: tuple[Pattern, ...]
    options: tuple[Pattern, ...] = ()

    def keeps(self, path: Pattern) -> bool:
        return any(_compatible(path, s) for s in self.subtrees) or any(
            len(path) <= len(o) and _compatible(path, o) for o in self.options
        )


def _compatible(path: Pattern, pattern: Pattern) -> bool:
    """The row `path` and `pattern` agree on every component both have."""
    return all(
        part == want or want == ANY or (part == _ANY_NAME and want != _LIST_ITEM)
        for part, want in zip(path, pattern, strict=False)
    )


def home_programs(mappings: Path = MAPPINGS) -> tuple[str, ...]:
    """The home-manager modules nixmigrate's own mappings and planner turn on."""
    db = load_mappings(mappings)
    named = {
        entry.program
        for table in (db.formulae, db.casks, db.taps)
        for entry in table.values()
        if entry.program is not None
    }
    planner = {c.program for c in CONVERTERS} | set(SHELL_TOOLS)
    return tuple(sorted(named | planner | {_HOME_MANAGER_MODULE}))


def selections(mappings: Path = MAPPINGS) -> Mapping[str, Selection]:
    """Output file name -> what it keeps of the full list of the same name."""
    programs = tuple(("programs", name) for name in home_programs(mappings))
    return {
        HOME_MANAGER_FILE: Selection(
            subtrees=(*_HOME_NAMESPACES, *programs), options=_ANY_PROGRAM_OPTIONS
        ),
        NIX_DARWIN_FILE: Selection(subtrees=_DARWIN_NAMESPACES),
    }


def _row_path(line: str) -> Pattern:
    return tuple(line.split("\t", 1)[0].split("."))


def subset(full_text: str, selection: Selection) -> str:
    """The header of `full_text`, a note saying what this is, and the kept rows."""
    lines = full_text.splitlines()
    header = [line for line in lines if line.startswith("#")]
    rows = [
        line
        for line in lines
        if line.strip()
        and not line.startswith("#")
        and selection.keeps(_row_path(line))
    ]
    return "\n".join([*header, SUBSET_NOTE, *rows]) + "\n"


def probes(text: str) -> Iterator[Pattern]:
    """For each row: its option (`<name>` made a name), and a name just below it."""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        path = tuple(
            _PROBE_NAME if part == _ANY_NAME else part for part in _row_path(line)
        )
        yield path
        yield (*path, _PROBE_BELOW)


def disagreements(full_text: str, subset_text: str) -> list[str]:
    """Paths under the kept rows that the subset judges differently from the full list."""
    full = OptionIndex.parse(full_text)
    part = OptionIndex.parse(subset_text)
    found: list[str] = []
    for path in probes(subset_text):
        want, got = full.problem(path), part.problem(path)
        if want != got:
            found.append(f"{'.'.join(path)}: full list {want!r}, subset {got!r}")
    return found


def build(data: Path, mappings: Path = MAPPINGS) -> dict[str, str]:
    """Output file name -> its text. Stops when a subset would judge differently."""
    wanted: dict[str, str] = {}
    for name, selection in selections(mappings).items():
        source = data / name
        if not source.is_file():
            msg = f"{source}: no such file (pass --data DIR, the shared fact data)"
            raise SystemExit(msg)
        full_text = source.read_text(encoding="utf-8")
        text = subset(full_text, selection)
        wrong = disagreements(full_text, text)
        if wrong:
            shown = "\n  ".join(wrong[:20])
            msg = f"{name}: the subset would change the option check:\n  {shown}"
            raise SystemExit(msg)
        wanted[name] = text
    return wanted


def stale_files(out: Path, wanted: Mapping[str, str]) -> Iterator[str]:
    for name, text in wanted.items():
        path = out / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            yield name


def _report(lines: Iterable[str]) -> None:
    for line in lines:
        print(line)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="directory with the full option lists (default: %(default)s)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    wanted = build(args.data)
    stale = list(stale_files(args.out, wanted))
    if args.check:
        _report(
            f"{name} is out of date: run scripts/build_option_lists.py"
            for name in stale
        )
        return 1 if stale else 0
    for name in stale:
        (args.out / name).write_text(wanted[name], encoding="utf-8")
    _report(
        f"{name}: {len(text.splitlines())} lines"
        + (" (written)" if name in stale else "")
        for name, text in wanted.items()
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
