"""The shipped mapping database, checked against the fact data in ../shared/data."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

from nixmigrate.mapping.db import MappingDB, load_mappings
from nixmigrate.mapping.schema import MappingEntry
from scripts.build_mappings import build
from scripts.mapping_coverage import MIN_CASKS, MIN_FORMULAE
from tests.conftest import REPO

DATA = REPO.parent / "shared" / "data"
MAPPINGS = REPO / "mappings"

pytestmark = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"fact data not found at {DATA} (a shared/ checkout)"
)


def read_tsv(path: Path) -> list[dict[str, str]]:
    lines = [
        ln for ln in path.read_text("utf-8").splitlines() if not ln.startswith("#")
    ]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


@cache
def database() -> MappingDB:
    return load_mappings(MAPPINGS)


@cache
def present_attrs() -> frozenset[str]:
    rows = read_tsv(DATA / "nixpkgs-attrs.tsv")
    return frozenset(r["attr"] for r in rows if r["status"] == "present")


@cache
def verified_attrs() -> dict[str, str]:
    return {
        r["attr"]: r["evidence"] for r in read_tsv(MAPPINGS / "nixpkgs-verified.tsv")
    }


@cache
def retired_attrs() -> frozenset[str]:
    """Aliases, warnings and removals: names nixpkgs no longer defines as packages."""
    aliases = {r["attr"] for r in read_tsv(DATA / "nixpkgs-aliases.tsv")}
    marked = {
        r["attr"]
        for r in read_tsv(DATA / "nixpkgs-attrs.tsv")
        if r["status"] not in {"present", "not-found-in-index"}
    }
    return frozenset(aliases | marked)


def all_entries() -> list[MappingEntry]:
    db = database()
    return [*db.formulae.values(), *db.casks.values(), *db.taps.values()]


def ranked(file_name: str, key: str) -> list[str]:
    return [r[key] for r in read_tsv(DATA / file_name) if r["popularity_rank"]]


# ---------------------------------------------------------------- correctness


def test_every_nix_attribute_is_confirmed() -> None:
    known = present_attrs() | verified_attrs().keys()
    unconfirmed = sorted(
        f"{e.kind}.{e.name} -> {e.nix}"
        for e in all_entries()
        if e.nix and e.nix not in known
    )
    assert unconfirmed == []


def test_no_nix_attribute_is_an_alias_or_removed() -> None:
    retired = retired_attrs()
    bad = sorted(
        f"{e.kind}.{e.name} -> {e.nix}" for e in all_entries() if e.nix in retired
    )
    assert bad == []


def test_names_the_rules_and_heuristics_may_emit_are_current() -> None:
    """Versioned rules and heuristics only choose from nixpkgs-names.txt."""
    names = {
        ln
        for ln in (MAPPINGS / "nixpkgs-names.txt").read_text("utf-8").splitlines()
        if ln and not ln.startswith("#")
    }
    assert len(names) > 1000
    assert sorted(names & retired_attrs()) == []
    assert sorted(names - (present_attrs() | verified_attrs().keys())) == []


def test_verified_list_holds_no_retired_name_and_gives_evidence() -> None:
    verified = verified_attrs()
    assert verified, "mappings/nixpkgs-verified.tsv is empty"
    assert sorted(set(verified) & retired_attrs()) == []
    assert all(evidence.startswith("pkgs/") for evidence in verified.values())


def test_every_program_is_a_home_manager_module() -> None:
    modules = {
        r["name"]
        for r in read_tsv(DATA / "home-manager-programs.tsv")
        if r["kind"] == "programs"
    }
    unknown = sorted(
        f"{e.kind}.{e.name}" for e in all_entries() if e.program not in {None, *modules}
    )
    assert unknown == []


def test_generated_files_are_up_to_date_with_the_seed() -> None:
    wanted = build(DATA, MAPPINGS)
    stale = sorted(
        name
        for name, text in wanted.items()
        if (MAPPINGS / name).read_text("utf-8") != text
    )
    assert stale == [], "run python scripts/build_mappings.py"


# ---------------------------------------------------------------- coverage


def test_every_ranked_formula_has_an_entry() -> None:
    missing = [
        n
        for n in ranked("homebrew-formulae.tsv", "name")
        if n not in database().formulae
    ]
    assert missing == []


def test_every_ranked_cask_has_an_entry() -> None:
    missing = [
        t for t in ranked("homebrew-casks.tsv", "token") if t not in database().casks
    ]
    assert missing == []


def test_size_targets_are_met() -> None:
    assert len(database().formulae) >= MIN_FORMULAE
    assert len(database().casks) >= MIN_CASKS


def test_taps_from_the_analytics_are_covered() -> None:
    taps = {
        r["tap"] for r in read_tsv(DATA / "homebrew-analytics-2021.tsv") if r["tap"]
    }
    assert sorted(t for t in taps if database().tap(t) is None) == []


# ---------------------------------------------------------------- what a user sees


@pytest.mark.parametrize(
    ("formula", "attr"),
    [
        ("wget", "wget"),
        ("node", "nodejs"),
        ("kubernetes-cli", "kubectl"),
        ("gnu-sed", "gnused"),
        ("the_silver_searcher", "silver-searcher"),
        ("python@3.12", "python312"),
        ("postgresql@16", "postgresql_16"),
        ("yq", "yq-go"),
        ("aws-cdk", "aws-cdk-cli"),
        ("composer", "phpPackages.composer"),
        ("awk", "nawk"),
        ("xsv", "qsv"),
    ],
)
def test_well_known_formulae_map_to_their_nixpkgs_attribute(
    formula: str, attr: str
) -> None:
    entry = database().formula(formula)
    assert entry is not None
    assert entry.nix == attr


@pytest.mark.parametrize(
    ("formula", "module"),
    [("git", "git"), ("ripgrep", "ripgrep"), ("git-delta", "delta")],
)
def test_formulae_with_a_home_manager_module_use_it(formula: str, module: str) -> None:
    entry = database().formula(formula)
    assert entry is not None
    assert entry.program == module


def test_a_formula_nixpkgs_builds_only_for_linux_stays_in_homebrew() -> None:
    entry = database().formula("dmd")
    assert entry is not None
    assert entry.keep == "brew"
    assert entry.reason is not None and "Linux" in entry.reason


@pytest.mark.parametrize(
    ("cask", "attr"),
    [
        ("font-jetbrains-mono", "jetbrains-mono"),
        ("font-lato", "lato"),
        ("font-roboto", "roboto"),
    ],
)
def test_font_casks_with_a_nixpkgs_font_map_to_it(cask: str, attr: str) -> None:
    entry = database().cask(cask)
    assert entry is not None
    assert entry.nix == attr


def test_libraries_are_skipped_with_a_reason() -> None:
    entry = database().formula("openssl@3")
    assert entry is not None
    assert entry.skip
    assert entry.reason == "library; Nix packages bring their own"


def test_bsl_licensed_tools_are_marked_unfree() -> None:
    entry = database().formula("hashicorp/tap/terraform")
    assert entry is not None
    assert (entry.nix, entry.unfree) == ("terraform", True)


def test_nerd_font_casks_map_to_the_nerd_fonts_set() -> None:
    entry = database().cask("font-jetbrains-mono-nerd-font")
    assert entry is not None
    assert entry.nix == "nerd-fonts.jetbrains-mono"


def test_most_gui_apps_stay_casks_with_a_specific_reason() -> None:
    kept = [e for e in database().casks.values() if e.keep == "cask"]
    assert len(kept) > len(database().casks) / 2
    assert all(e.reason for e in kept)
    karabiner = database().cask("karabiner-elements")
    assert karabiner is not None
    assert ".pkg" in (karabiner.reason or "")


def test_merged_homebrew_taps_are_skipped() -> None:
    for tap in (
        "homebrew/cask-fonts",
        "homebrew/cask-versions",
        "Homebrew/homebrew-core",
    ):
        entry = database().tap(tap)
        assert entry is not None, tap
        assert entry.skip
