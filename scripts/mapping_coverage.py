"""Report how much of Homebrew the mapping database covers, and what is unverified.

Maintainer tool, run from the repository root:

    python scripts/mapping_coverage.py [--data ../shared/data] [--mappings mappings]

Prints the coverage numbers against the targets, including how the resolver decides
the formulae of real public Brewfiles (fixtures/coverage/brewfile-formulae.txt:
decided, and decided by a curated entry or a rule) and how many decisions of a
hand-verified sample (fixtures/coverage/verified-sample.tsv) are right; then every
entry whose `nix`
attribute is neither `present` in nixpkgs-attrs.tsv nor listed in
mappings/nixpkgs-verified.tsv (UNVERIFIED). Exits non-zero when a target is missed,
when a `nix` value is an alias or a removed attribute, or when a `program` names a
module home-manager does not have.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

if __package__ in {
    None,
    "",
}:  # run as a script: make `nixmigrate` and `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nixmigrate.mapping.db import MappingDB, load_mappings
from nixmigrate.mapping.decisions import Decision
from nixmigrate.mapping.resolve import make_resolver
from nixmigrate.mapping.schema import MappingEntry
from scripts.build_mappings import (
    DEFAULT_DATA,
    DEFAULT_OUT,
    FORBIDDEN_STATUS,
    VERIFIED_FILE,
    load_verified,
    read_tsv,
)

MIN_FORMULAE: Final = 1500
MIN_CASKS: Final = 500
COVERAGE_DIR: Final = Path(__file__).resolve().parent.parent / "fixtures" / "coverage"
BREWFILE_SET: Final = COVERAGE_DIR / "brewfile-formulae.txt"
VERIFIED_SAMPLE: Final = COVERAGE_DIR / "verified-sample.tsv"
MIN_DECIDED: Final = 0.95  # of the Brewfile formulae: anything but `unmapped`
MIN_CURATED_OR_RULE: Final = 0.85
MIN_RIGHT: Final = 0.97  # of the hand-verified sample


@dataclass(frozen=True)
class Reference:
    """What the fact data says about nixpkgs, home-manager and Homebrew popularity."""

    present: frozenset[str]
    verified: Mapping[str, str]
    bad: Mapping[str, str]  # attribute -> why it must not be emitted
    hm_programs: frozenset[str]
    ranked_formulae: tuple[str, ...]
    ranked_casks: tuple[str, ...]

    def attr_problem(self, attr: str) -> str | None:
        if attr in self.bad:
            return self.bad[attr]
        return None

    def attr_verified(self, attr: str) -> bool:
        return attr in self.present or attr in self.verified


def load_reference(data: Path, mappings: Path) -> Reference:
    attrs = read_tsv(data / "nixpkgs-attrs.tsv")
    bad = {
        r["attr"]: f"{r['kind']} in nixpkgs' aliases.nix"
        for r in read_tsv(data / "nixpkgs-aliases.tsv")
    }
    bad.update(
        {
            r["attr"]: f"marked {r['status']}"
            for r in attrs
            if r["status"] in FORBIDDEN_STATUS
        }
    )
    programs = read_tsv(data / "home-manager-programs.tsv")
    return Reference(
        present=frozenset(r["attr"] for r in attrs if r["status"] == "present"),
        verified=load_verified(mappings / VERIFIED_FILE),
        bad=bad,
        hm_programs=frozenset(r["name"] for r in programs if r["kind"] == "programs"),
        ranked_formulae=_ranked(data / "homebrew-formulae.tsv", "name"),
        ranked_casks=_ranked(data / "homebrew-casks.tsv", "token"),
    )


def _ranked(path: Path, key: str) -> tuple[str, ...]:
    return tuple(r[key] for r in read_tsv(path) if r["popularity_rank"])


@dataclass
class Findings:
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)


def decision(entry: MappingEntry) -> str:
    if entry.program is not None:
        return "program"
    if entry.nix is not None:
        return "nix"
    return "skip" if entry.skip else f"keep={entry.keep}"


def all_entries(db: MappingDB) -> Iterator[MappingEntry]:
    for table in (db.formulae, db.casks, db.taps):
        yield from table.values()


def check_entries(db: MappingDB, ref: Reference, found: Findings) -> None:
    for entry in all_entries(db):
        where = f"[{entry.kind}.{entry.name}]"
        if entry.nix is not None:
            problem = ref.attr_problem(entry.nix)
            if problem is not None:
                found.failures.append(f"{where} nix = {entry.nix!r} is {problem}")
            elif not ref.attr_verified(entry.nix):
                found.unverified.append(f"{where} nix = {entry.nix!r}")
        if entry.program is not None and entry.program not in ref.hm_programs:
            found.failures.append(
                f"{where} program = {entry.program!r} is not a home-manager programs module"
            )


def check_targets(db: MappingDB, ref: Reference, found: Findings) -> None:
    missing_formulae = [n for n in ref.ranked_formulae if n not in db.formulae]
    missing_casks = [t for t in ref.ranked_casks if t not in db.casks]
    rows = (
        (
            "ranked formulae with an entry",
            len(ref.ranked_formulae) - len(missing_formulae),
            len(ref.ranked_formulae),
        ),
        (
            "ranked casks with an entry",
            len(ref.ranked_casks) - len(missing_casks),
            len(ref.ranked_casks),
        ),
        ("formula entries", len(db.formulae), MIN_FORMULAE),
        ("cask entries", len(db.casks), MIN_CASKS),
    )
    for label, have, want in rows:
        ok = have >= want
        found.lines.append(f"{'ok ' if ok else 'LOW'} {label}: {have} (target {want})")
        if not ok:
            found.failures.append(f"{label}: {have} is below the target {want}")
    for name in missing_formulae:
        found.failures.append(f"ranked formula without an entry: {name}")
    for token in missing_casks:
        found.failures.append(f"ranked cask without an entry: {token}")


def describe_split(db: MappingDB, found: Findings) -> None:
    for label, table in (
        ("formulae", db.formulae),
        ("casks", db.casks),
        ("taps", db.taps),
    ):
        counts = Counter(decision(e) for e in table.values())
        split = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))
        found.lines.append(f"    {label}: {len(table)} ({split})")


def report(db: MappingDB, ref: Reference) -> Findings:
    found = Findings()
    check_targets(db, ref, found)
    describe_split(db, found)
    check_entries(db, ref, found)
    nix_values = {e.nix for e in all_entries(db) if e.nix is not None}
    by_list = sum(1 for a in nix_values if a not in ref.present and a in ref.verified)
    found.lines.append(
        f"    nix attributes: {len(nix_values)} distinct, "
        f"{len(nix_values) - by_list - len(found.unverified)} present in nixpkgs-attrs.tsv, "
        f"{by_list} confirmed by {VERIFIED_FILE}"
    )
    return found


# ---------------------------------------------------------------- real Brewfiles


@dataclass(frozen=True)
class Figure:
    label: str
    have: int
    total: int
    target: float

    @property
    def ok(self) -> bool:
        return self.total > 0 and self.have >= self.target * self.total

    def line(self) -> str:
        share = 100 * self.have / self.total if self.total else 0.0
        return (
            f"{'ok ' if self.ok else 'LOW'} {self.label}: {self.have}/{self.total} "
            f"({share:.1f}%, target {self.target:.0%})"
        )


def read_names(path: Path) -> list[str]:
    lines = (ln.strip() for ln in path.read_text(encoding="utf-8").splitlines())
    return list(dict.fromkeys(ln for ln in lines if ln and not ln.startswith("#")))


def read_sample(path: Path) -> dict[str, str]:
    """Formula -> the decision it should get (`nix:ATTR`, `program:X`, `skip`, ...)."""
    return {row["name"]: row["expected"] for row in read_tsv(path)}


def decision_key(decision: Decision) -> str:
    if decision.action == "program":
        return f"program:{decision.program}"
    if decision.action == "nix":
        return f"nix:{decision.attr}"
    return decision.action


def brewfile_figures(
    db: MappingDB, names: list[str], sample: Mapping[str, str], found: Findings
) -> list[Figure]:
    resolver = make_resolver(db, _no_overrides(db))
    decisions = {name: resolver.formula(name) for name in {*names, *sample}}
    decided = [n for n in names if decisions[n].action != "unmapped"]
    sure = [n for n in decided if decisions[n].confidence in ("curated", "rule")]
    right = [n for n, want in sample.items() if decision_key(decisions[n]) == want]
    for name in names:
        if name not in decided:
            found.lines.append(f"    unmapped Brewfile formula: {name}")
    for name in sorted(set(sample) - set(right)):
        found.lines.append(
            f"    WRONG {name}: {decision_key(decisions[name])}, "
            f"verified {sample[name]}"
        )
    return [
        Figure("Brewfile formulae decided", len(decided), len(names), MIN_DECIDED),
        Figure(
            "Brewfile formulae decided by a curated entry or a rule",
            len(sure),
            len(names),
            MIN_CURATED_OR_RULE,
        ),
        Figure("hand-verified sample right", len(right), len(sample), MIN_RIGHT),
    ]


def _no_overrides(db: MappingDB) -> MappingDB:
    return MappingDB(db.directory, "", formulae={}, casks={}, taps={})


def check_brewfiles(db: MappingDB, found: Findings) -> None:
    names, sample = read_names(BREWFILE_SET), read_sample(VERIFIED_SAMPLE)
    details = Findings()
    for figure in brewfile_figures(db, names, sample, details):
        found.lines.append(figure.line())
        if not figure.ok:
            found.failures.append(f"{figure.line()}")
    found.lines.extend(details.lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--mappings", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    db = load_mappings(args.mappings)
    found = report(db, load_reference(args.data, args.mappings))
    check_brewfiles(db, found)
    print("\n".join(found.lines))
    print(f"UNVERIFIED entries: {len(found.unverified)}")
    for line in found.unverified:
        print(f"UNVERIFIED {line}")
    for line in found.failures:
        print(f"FAIL {line}")
    return 1 if found.failures else 0


if __name__ == "__main__":
    sys.exit(main())
