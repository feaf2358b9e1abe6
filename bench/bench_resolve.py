"""How fast the resolver is, next to a reference run side by side.

Cases:
  * every core formula (~8,500 names from homebrew-formulae.tsv) as one inventory,
    including loading the database, rules and known names: target < 0.5 s;
  * a 500-item inventory (400 formulae, 100 casks);
  * `nixmigrate --help` start-up (the database must not be loaded for it).

References: the same name -> attribute lookups done by `nix-instantiate --eval` over
the curated mapping written as a Nix attribute set (when Nix is installed), and a bare
`python -c pass` for start-up. Each figure is the best of --repeat runs.

    python -m bench.bench_resolve [--data ../shared/data] [--repeat 5]
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from bench.table import Row, best_of, render
from nixmigrate.mapping.db import MappingDB, load_mappings
from nixmigrate.mapping.overrides import load_overrides
from nixmigrate.mapping.resolutions import resolve_inventory
from nixmigrate.mapping.resolve import Resolver, make_resolver
from nixmigrate.nixlang import nix_str
from nixmigrate.scan.inventory import BrewCask, BrewFormula, BrewInventory, Inventory

REPO: Final = Path(__file__).resolve().parent.parent
DEFAULT_DATA: Final = REPO.parent / "shared" / "data"
TARGET_SECONDS: Final = 0.5


def read_tsv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)


def all_formulae(data: Path) -> tuple[BrewFormula, ...]:
    return tuple(
        BrewFormula(name=r["name"], version=r["version"], homepage=r["homepage"])
        for r in read_tsv(data / "homebrew-formulae.tsv")
    )


def some_casks(data: Path, count: int) -> tuple[BrewCask, ...]:
    rows = list(read_tsv(data / "homebrew-casks.tsv"))
    step = max(1, len(rows) // count)
    return tuple(
        BrewCask(token=r["token"], version=r["version"]) for r in rows[::step][:count]
    )


def load_everything(mappings: Path) -> Resolver:
    db = load_mappings(mappings)
    overrides = load_overrides(mappings / "no-user-overrides.toml")
    return make_resolver(db, overrides)


def load_and_resolve(mappings: Path, inventory: Inventory) -> int:
    loaded = load_everything(mappings)
    resolutions = resolve_inventory(
        inventory,
        loaded.db,
        loaded.overrides,
        names=loaded.names,
        rules=loaded.rules,
    )
    return len(resolutions)


def nix_reference(db: MappingDB, names: list[str], repeat: int) -> float | None:
    """The same lookups in Nix: the curated formula mapping as an attribute set."""
    if shutil.which("nix-instantiate") is None:
        return None
    table = " ".join(
        f"{nix_str(name)} = {nix_str(entry.nix or entry.program or '')};"
        for name, entry in db.formulae.items()
        if entry.nix or entry.program
    )
    listed = " ".join(nix_str(name) for name in names)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "lookup.nix"
        source.write_text(
            f"let mapping = {{ {table} }}; names = [ {listed} ];\n"
            "in builtins.length (builtins.filter (a: a != null)"
            " (map (n: mapping.${n} or null) names))\n",
            encoding="utf-8",
        )
        argv = ["nix-instantiate", "--eval", "--strict", str(source)]
        return best_of(repeat, lambda: _run(argv))


def startup(argv: list[str], repeat: int) -> float:
    return best_of(repeat, lambda: _run(argv))


def _run(argv: list[str]) -> None:
    subprocess.run(argv, check=True, capture_output=True, cwd=REPO)


def measure(data: Path, mappings: Path, repeat: int) -> list[Row]:
    formulae = all_formulae(data)
    everything = Inventory(brew=BrewInventory(available=True, formulae=formulae))
    mixed = Inventory(
        brew=BrewInventory(
            available=True, formulae=formulae[::21][:400], casks=some_casks(data, 100)
        )
    )
    db = load_mappings(mappings)
    names = [f.name for f in formulae]
    lookups = nix_reference(db, names, repeat)
    reference = "nix-instantiate --eval: curated lookups in a Nix attrset"
    if lookups is None:
        reference = "(nix-instantiate not installed)"
    python = [sys.executable, "-m", "nixmigrate", "--help"]
    return [
        Row(
            "load database + rules + names",
            len(db),
            best_of(repeat, lambda: load_everything(mappings)),
            "-",
            None,
        ),
        Row(
            "all core formulae (incl. loading)",
            len(formulae),
            best_of(repeat, lambda: load_and_resolve(mappings, everything)),
            reference,
            lookups,
        ),
        Row(
            "500-item inventory (incl. loading)",
            len(mixed.brew.formulae) + len(mixed.brew.casks),
            best_of(repeat, lambda: load_and_resolve(mappings, mixed)),
            "-",
            None,
        ),
        Row(
            "`nixmigrate --help` start-up",
            0,
            startup(python, repeat),
            "`python -c pass` start-up",
            startup([sys.executable, "-c", "pass"], repeat),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--mappings", type=Path, default=REPO / "mappings")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = measure(args.data, args.mappings, args.repeat)
    print(render(rows))
    full = rows[1].ours
    verdict = "within" if full < TARGET_SECONDS else "OVER"
    print(f"\nfull set: {full:.3f} s, {verdict} the {TARGET_SECONDS} s target")


if __name__ == "__main__":
    main()
