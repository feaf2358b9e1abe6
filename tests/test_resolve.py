from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from nixmigrate.mapping.db import MappingDB, load_mappings
from nixmigrate.mapping.resolutions import explain_name, resolve_inventory
from nixmigrate.mapping.resolve import Resolver
from nixmigrate.mapping.rules import Rules, VersionedFamily
from nixmigrate.mapping.schema import EntryKind, MappingEntry, entry_from_toml
from nixmigrate.resolution import Resolution
from nixmigrate.scan.inventory import (
    BrewCask,
    Brewfile,
    BrewfileEntry,
    BrewFormula,
    BrewInventory,
    Inventory,
    MasApp,
)
from tests.conftest import REPO

Tables = Mapping[str, Mapping[str, Any]]

RULES = Rules(
    families={
        "python": VersionedFamily(
            name="python",
            versions=(((3, 11), "3.11", "python311"), ((3, 12), "3.12", "python312")),
        )
    },
    formula_aliases={"rg": "ripgrep", "loop-a": "loop-b", "loop-b": "loop-a"},
    formula_renames={"exa": "eza"},
    formula_moved={"chromedriver": "homebrew/cask"},
    formula_executables={"kraftkit": ("kraft",)},
    cask_renames={"old-app": "new-app"},
)
KNOWN = frozenset({"ripgrep", "eza", "jq", "foo-bar", "kraft", "nodejs", "wezterm"})


def make_db(
    formula: Tables | None = None, cask: Tables | None = None, tap: Tables | None = None
) -> MappingDB:
    def entries(kind: EntryKind, tables: Tables | None) -> dict[str, MappingEntry]:
        return {
            name: entry_from_toml(kind, name, raw, "test")
            for name, raw in (tables or {}).items()
        }

    return MappingDB(
        directory=Path("/nonexistent"),
        digest="test",
        formulae=entries("formula", formula),
        casks=entries("cask", cask),
        taps=entries("tap", tap),
    )


EMPTY = make_db()
CURATED = make_db(
    formula={
        "ripgrep": {"nix": "ripgrep"},
        "eza": {"nix": "eza"},
        "git": {"program": "git", "nix": "git"},
        "gnu-sed": {"nix": "gnused", "platforms": ["darwin"]},
        "terraform": {"nix": "terraform", "unfree": True},
        "pinentry-mac": {"keep": "brew", "reason": "macOS keychain integration"},
        "pkgconf": {"skip": True, "reason": "build tool; Nix brings its own"},
    },
    cask={"iterm2": {"keep": "cask", "reason": "no Nix build for macOS"}},
    tap={"hashicorp/tap": {"keep": "tap", "reason": "vendor builds"}},
)


def resolver(db: MappingDB = CURATED, overrides: MappingDB = EMPTY) -> Resolver:
    return Resolver(db=db, overrides=overrides, rules=RULES, names=KNOWN)


def resolve(inventory: Inventory, overrides: MappingDB = EMPTY) -> list[Resolution]:
    return list(
        resolve_inventory(inventory, CURATED, overrides, names=KNOWN, rules=RULES)
    )


def brew(*formulae: BrewFormula, **kwargs: Any) -> Inventory:
    return Inventory(brew=BrewInventory(available=True, formulae=formulae, **kwargs))


def one(resolutions: list[Resolution], name: str) -> Resolution:
    found = [r for r in resolutions if r.name == name]
    assert len(found) == 1, f"{name}: {found}"
    return found[0]


# ---------------------------------------------------------------- database


def test_a_user_override_beats_the_curated_database() -> None:
    overrides = make_db(formula={"ripgrep": {"nix": "ripgrep-all", "reason": "mine"}})
    decision = resolver(overrides=overrides).formula("ripgrep")
    assert (decision.action, decision.attr, decision.confidence) == (
        "nix",
        "ripgrep-all",
        "override",
    )
    assert decision.reason == "mine"
    assert decision.chain == ("override [formula.ripgrep]: nix = ripgrep-all",)


def test_curated_entries_decide_with_curated_confidence() -> None:
    r = resolver()
    assert (r.formula("ripgrep").action, r.formula("ripgrep").confidence) == (
        "nix",
        "curated",
    )
    git = r.formula("git")
    assert (git.action, git.program, git.attr) == ("program", "git", "git")
    kept = r.formula("pinentry-mac")
    assert (kept.action, kept.reason) == ("keep-brew", "macOS keychain integration")
    assert r.formula("pkgconf").action == "skip"
    assert r.cask("iterm2").action == "keep-cask"


def test_platforms_and_unfree_are_carried_from_the_database() -> None:
    resolutions = resolve(
        brew(BrewFormula("gnu-sed", "4.9"), BrewFormula("terraform", "1.5.7"))
    )
    assert one(resolutions, "gnu-sed").platforms == ("darwin",)
    assert one(resolutions, "terraform").unfree is True


# ---------------------------------------------------------------- rules


def test_versioned_formula_maps_to_its_versioned_attribute() -> None:
    decision = resolver().formula("python@3.12")
    assert (decision.attr, decision.confidence) == ("python312", "rule")


def test_a_version_gone_from_nixpkgs_takes_the_nearest_newer_and_says_so() -> None:
    decision = resolver().formula("python@3.10")
    assert decision.attr == "python311"
    assert "no longer has python 3.10" in decision.reason
    assert "nearest newer" in decision.reason


def test_a_homebrew_alias_resolves_through_its_formula() -> None:
    decision = resolver().formula("rg")
    assert (decision.attr, decision.confidence) == ("ripgrep", "rule")
    assert "rg is a Homebrew alias of ripgrep" in decision.reason
    assert decision.chain[-1] == "curated [formula.ripgrep]: nix = ripgrep"


def test_an_old_name_resolves_through_the_renamed_formula() -> None:
    decision = resolver().formula("exa")
    assert decision.attr == "eza"
    assert "old Homebrew name of eza" in decision.reason


def test_a_formula_moved_to_a_cask_resolves_as_that_cask() -> None:
    decision = resolver().formula("chromedriver")
    assert decision.action == "keep-cask"
    assert "moved from homebrew/core to homebrew/cask" in decision.reason


def test_core_tap_qualified_name_is_the_short_name() -> None:
    decision = resolver().formula("homebrew/core/ripgrep")
    assert (decision.attr, decision.confidence) == ("ripgrep", "curated")


def test_tap_qualified_name_follows_the_taps_keep_entry() -> None:
    decision = resolver().formula("hashicorp/tap/terraform")
    assert decision.action == "keep-brew"
    assert "vendor builds" in decision.reason


def test_tap_qualified_name_without_a_tap_entry_uses_the_short_name() -> None:
    decision = resolver().formula("someone/tools/ripgrep")
    assert (decision.attr, decision.confidence) == ("ripgrep", "rule")
    assert "ripgrep from the someone/tools tap" in decision.reason


def test_a_tap_qualified_entry_in_the_database_wins_over_the_short_name() -> None:
    db = make_db(formula={"someone/tools/ripgrep": {"nix": "ripgrep-fork"}})
    assert resolver(db).formula("someone/tools/ripgrep").attr == "ripgrep-fork"


def test_a_loop_in_the_name_tables_ends_as_unmapped() -> None:
    assert resolver().formula("loop-a").action == "unmapped"


# ---------------------------------------------------------------- heuristics


@pytest.mark.parametrize(
    ("name", "homepage", "attr", "how"),
    [
        ("jq", "", "jq", "same name"),
        ("Foo_Bar", "", "foo-bar", "normalised name"),
        ("foo_bar@2", "", "foo-bar", "without its version @2"),
        ("kraftkit", "", "kraft", "its command `kraft`"),
        ("node", "https://nodejs.org/", "nodejs", "its homepage"),
    ],
)
def test_heuristics_pick_known_attributes(
    name: str, homepage: str, attr: str, how: str
) -> None:
    decision = resolver(db=EMPTY).formula(name, homepage=homepage)
    assert (decision.action, decision.attr, decision.confidence) == (
        "nix",
        attr,
        "heuristic",
    )
    assert how in decision.reason


def test_heuristics_never_invent_an_attribute() -> None:
    decision = resolver(db=EMPTY).formula(
        "zoxide", homepage="https://github.com/ajeetdsouza/zoxide"
    )
    assert (decision.action, decision.attr, decision.confidence) == (
        "unmapped",
        None,
        "none",
    )


def test_unmapped_says_what_was_tried_and_how_to_map_it() -> None:
    rules = Rules(formula_executables={"ripgrep": ("rg",)})
    r = Resolver(db=EMPTY, overrides=EMPTY, rules=rules, names=frozenset())
    decision = r.formula("ripgrep")
    assert decision.reason == (
        "no nixpkgs attribute found under ripgrep, rg; "
        "map it with `nixmigrate map ripgrep ATTR`"
    )
    assert "heuristic its command `rg` rg: not a known attribute" in decision.chain


def test_a_homepage_of_a_bigger_project_is_not_taken_for_the_formula() -> None:
    r = Resolver(db=EMPTY, overrides=EMPTY, rules=RULES, names=frozenset({"sqlite"}))
    decision = r.formula("dbhash", homepage="https://www.sqlite.org/dbhash.html")
    assert decision.action == "unmapped"


def test_an_unknown_cask_stays_a_cask_and_notes_a_same_name_attribute() -> None:
    decision = resolver().cask("wezterm")
    assert (decision.action, decision.platforms) == ("keep-cask", ("darwin",))
    assert decision.note is not None
    assert "map --cask wezterm wezterm" in decision.note


# ---------------------------------------------------------------- inventories


def test_dependencies_are_skipped_and_name_their_dependents() -> None:
    resolutions = resolve(
        brew(
            BrewFormula("eza", "0.20", dependencies=("libgit2",)),
            BrewFormula("jq", "1.7", dependencies=("oniguruma", "libgit2")),
            BrewFormula("libgit2", "1.8", on_request=False),
            BrewFormula("orphan", "1.0", on_request=False),
        )
    )
    dependency = one(resolutions, "libgit2")
    assert dependency.action == "skip"
    assert dependency.on_request is False
    assert dependency.reason == "dependency of eza, jq; comes with their Nix packages"
    assert "nothing installed needs it" in one(resolutions, "orphan").reason


def test_brewfile_entries_become_resolutions_of_their_kind() -> None:
    inventory = Inventory(
        brewfile=Brewfile(
            path="Brewfile",
            entries=(
                BrewfileEntry("tap", "hashicorp/tap", 1),
                BrewfileEntry("brew", "ripgrep", 2),
                BrewfileEntry("cask", "iterm2", 3),
                BrewfileEntry("mas", "Xcode", 4, options={"id": 497799835}),
                BrewfileEntry("vscode", "ms-python.python", 5),
                BrewfileEntry("cask_args", "appdir", 6),
            ),
        )
    )
    resolutions = resolve(inventory)
    kinds = {(r.kind, r.name, r.source, r.line) for r in resolutions}
    assert kinds == {
        ("tap", "hashicorp/tap", "brewfile", 1),
        ("formula", "ripgrep", "brewfile", 2),
        ("cask", "iterm2", "brewfile", 3),
        ("mas", "Xcode", "brewfile", 4),
        ("vscode", "ms-python.python", "brewfile", 5),
    }
    assert one(resolutions, "Xcode").mas_id == 497799835
    assert one(resolutions, "Xcode").options == {}  # the id is not an option


def test_an_item_installed_and_in_the_brewfile_appears_once_as_brew() -> None:
    inventory = Inventory(
        brew=BrewInventory(
            formulae=(BrewFormula("ripgrep", "14.1.1"),),
            casks=(BrewCask("iterm2", "3.5"),),
        ),
        brewfile=Brewfile(
            path="Brewfile",
            entries=(
                BrewfileEntry("brew", "rg", 1),  # an alias of the installed formula
                BrewfileEntry("cask", "homebrew/cask/iterm2", 2),
            ),
        ),
    )
    resolutions = resolve(inventory)
    assert [(r.kind, r.name, r.source) for r in resolutions] == [
        ("formula", "ripgrep", "brew"),
        ("cask", "iterm2", "brew"),
    ]


def test_a_dependency_listed_in_the_brewfile_is_wanted() -> None:
    inventory = Inventory(
        brew=BrewInventory(formulae=(BrewFormula("jq", "1.7", on_request=False),)),
        brewfile=Brewfile(path="Brewfile", entries=(BrewfileEntry("brew", "jq", 1),)),
    )
    resolution = one(resolve(inventory), "jq")
    assert (resolution.action, resolution.on_request) == ("nix", True)


def test_a_brewfile_os_condition_limits_the_platforms() -> None:
    inventory = Inventory(
        brewfile=Brewfile(
            path="Brewfile",
            entries=(
                BrewfileEntry("brew", "jq", 1, condition="macos"),
                BrewfileEntry("brew", "ripgrep", 2, condition="linux and ENV['CI']"),
            ),
        )
    )
    resolutions = resolve(inventory)
    assert one(resolutions, "jq").platforms == ("darwin",)
    assert one(resolutions, "ripgrep").platforms == ("linux",)


def test_taps_are_kept_only_while_something_from_them_stays_in_homebrew() -> None:
    inventory = brew(
        BrewFormula("ripgrep", "14", tap="someone/tools"),
        BrewFormula("zoxide", "0.9", tap="other/stuff"),
        BrewFormula("unknown", "1", tap="implied/tap"),
        taps=("homebrew/core", "someone/tools", "other/stuff", "idle/tap"),
    )
    resolutions = resolve(inventory)
    taps = {r.name: r for r in resolutions if r.kind == "tap"}
    assert taps["homebrew/core"].action == "skip"
    assert taps["someone/tools"].action == "skip"  # ripgrep maps to Nix
    assert "moves to Nix" in taps["someone/tools"].reason
    assert taps["other/stuff"].action == "keep-brew"  # zoxide stays unmapped
    assert "needed by zoxide" in taps["other/stuff"].reason
    assert taps["idle/tap"].reason == "nothing installed comes from this tap"
    assert taps["implied/tap"].action == "keep-brew"  # no tap line, still needed


def test_a_brewfile_tap_stays_while_brewfile_items_of_unknown_tap_stay_in_brew() -> (
    None
):
    entries = (
        BrewfileEntry("tap", "someone/tools", 1),
        BrewfileEntry("brew", "their-tool", 2),  # short name: tap unknown, unmapped
    )
    inventory = Inventory(brewfile=Brewfile(path="Brewfile", entries=entries))
    tap = one(resolve(inventory), "someone/tools")
    assert tap.action == "keep-brew"
    assert "their-tool stays in Homebrew and may come from it" in tap.reason
    mapped_only = Inventory(
        brewfile=Brewfile(
            path="Brewfile", entries=(entries[0], BrewfileEntry("brew", "jq", 2))
        )
    )
    assert one(resolve(mapped_only), "someone/tools").action == "skip"


def test_app_store_apps_are_kept_with_their_id() -> None:
    resolution = one(resolve(brew(mas=(MasApp("Xcode", 497799835),))), "Xcode")
    assert (resolution.action, resolution.mas_id) == ("mas", 497799835)
    assert resolution.platforms == ("darwin",)


def test_third_party_formulae_from_brew_are_resolved_by_their_full_name() -> None:
    inventory = brew(BrewFormula("terraform", "1.5", tap="hashicorp/tap"))
    assert one(resolve(inventory), "terraform").action == "keep-brew"


# ---------------------------------------------------------------- explain_name


def test_an_unknown_name_is_explained_as_an_unmapped_formula() -> None:
    resolution = explain_name(resolver(), "no-such-thing")
    assert (resolution.kind, resolution.action) == ("formula", "unmapped")


def test_a_name_only_a_cask_has_is_explained_as_that_cask() -> None:
    resolution = explain_name(resolver(), "iterm2")
    assert (resolution.kind, resolution.action) == ("cask", "keep-cask")


# ---------------------------------------------------------------- shipped mappings


def test_the_shipped_database_resolves_common_formulae() -> None:
    db = load_mappings(REPO / "mappings")
    inventory = brew(BrewFormula("ripgrep", "14.1.1"), BrewFormula("python@3.12", "3"))
    resolutions = list(resolve_inventory(inventory, db, EMPTY))
    ripgrep = one(resolutions, "ripgrep")
    assert (ripgrep.action in ("nix", "program"), ripgrep.confidence) == (
        True,
        "curated",
    )
    assert one(resolutions, "python@3.12").attr == "python312"
