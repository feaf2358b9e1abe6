"""Every option the generated modules set exists in today's option lists.

The package ships a subset of the home-manager and nix-darwin lists (what the
templates can write, built by scripts/build_option_lists.py); the truth is the full
lists in ../shared/data. Where that directory exists, every check runs against both,
and the shipped subset must be exactly what the script builds from it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from nixmigrate.plan.assemble import build_config
from nixmigrate.plan.facts import gather_facts
from nixmigrate.plan.options import PlanOptions, SecondHost
from nixmigrate.plan.phases import Phase
from nixmigrate.plan.steps import WriteFile
from nixmigrate.render.nixscan import NixScanError, assigned_paths
from nixmigrate.render.optioncheck import (
    OptionIndex,
    check_files,
    default_indexes,
    scoped_paths,
)
from nixmigrate.render.outputs import ModuleScope, module_scopes
from nixmigrate.render.plan_tree import build_plan
from nixmigrate.scan.inventory import Inventory
from scripts.build_option_lists import (
    ANY,
    HOME_MANAGER_FILE,
    NIX_DARWIN_FILE,
    SUBSET_NOTE,
    Selection,
    build,
    disagreements,
    main,
    subset,
)
from tests.conftest import REPO
from tests.test_planner import darwin_options, linux_options, sample_inventory

Indexes = Mapping[ModuleScope, OptionIndex]

DATA = REPO.parent / "shared" / "data"
SHIPPED = REPO / "nixmigrate" / "render" / "options"
FULL_LISTS = (HOME_MANAGER_FILE, NIX_DARWIN_FILE)
HAVE_DATA = all((DATA / name).is_file() for name in FULL_LISTS)
NO_DATA = (
    f"{DATA} is absent: the full home-manager and nix-darwin option lists "
    "(the reference the shipped subset is checked against) are not available"
)
needs_data = pytest.mark.skipif(not HAVE_DATA, reason=NO_DATA)


def _read(folder: Path, name: str) -> str:
    return (folder / name).read_text(encoding="utf-8")


@cache
def full_indexes() -> Indexes:
    """The option check's indexes built from the full lists (nix-homebrew and NixOS
    have no full list: their shipped ones are used as they are)."""
    return {
        "darwin": OptionIndex.parse(
            _read(DATA, NIX_DARWIN_FILE), _read(SHIPPED, "nix-homebrew-options.txt")
        ),
        "home": OptionIndex.parse(_read(DATA, HOME_MANAGER_FILE)),
        "nixos": OptionIndex.parse(_read(SHIPPED, "nixos-options.txt")),
    }


@pytest.fixture(params=["shipped", "full"])
def indexes(request: pytest.FixtureRequest) -> Indexes:
    """Each check runs against the shipped subset and against the full lists."""
    which: str = request.param
    if which == "shipped":
        return default_indexes()
    if not HAVE_DATA:
        pytest.skip(NO_DATA)
    return full_indexes()


def _problems(
    inventory: Inventory, options: PlanOptions, indexes: Indexes | None = None
) -> list[str]:
    plan = build_plan(inventory, options)
    model = build_config(gather_facts(inventory, options), options.through)
    found = check_files(plan.files, module_scopes(model), indexes)
    return [p.describe() for p in found]


CASES = {
    "darwin-pi-sops": (sample_inventory(), darwin_options(sops=True)),
    "darwin-standalone": (
        sample_inventory(),
        darwin_options(second_host=SecondHost("box", "x86_64-linux", "standalone")),
    ),
    "darwin-determinate-zap": (
        sample_inventory(),
        darwin_options(determinate_nix=True, homebrew_zap=True, touch_id=False),
    ),
    "linux-nixos": (sample_inventory(darwin=False), linux_options()),
    "linux-pi-sops": (
        sample_inventory(darwin=False),
        linux_options(
            sops=True, second_host=SecondHost("pi", "aarch64-linux", "raspberry-pi")
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("through", list(Phase))
def test_every_generated_option_exists(
    case: str, through: Phase, indexes: Indexes
) -> None:
    inventory, options = CASES[case]
    assert _problems(inventory, replace(options, through=through), indexes) == []


def _generated_paths() -> Iterator[tuple[str, ModuleScope, tuple[str, ...]]]:
    """Every option path the sample plans set, darwin and linux, through each phase."""
    for name, (inventory, options) in sorted(CASES.items()):
        for through in Phase:
            chosen = replace(options, through=through)
            plan = build_plan(inventory, chosen)
            scopes = module_scopes(
                build_config(gather_facts(inventory, chosen), chosen.through)
            )
            for item in plan.files:
                if item.relpath in scopes:
                    for tree, path in scoped_paths(item.content, scopes[item.relpath]):
                        yield f"{name}/{through.name}/{item.relpath}", tree, path


@needs_data
def test_every_option_the_sample_plans_set_is_in_the_full_lists() -> None:
    """The full lists are the truth; the shipped subset must judge each path alike."""
    full, shipped = full_indexes(), default_indexes()
    seen: set[tuple[ModuleScope, tuple[str, ...]]] = set()
    wrong: list[str] = []
    for where, tree, path in _generated_paths():
        seen.add((tree, path))
        want = full[tree].problem(path)
        if want is not None or shipped[tree].problem(path) != want:
            got = shipped[tree].problem(path)
            wrong.append(f"{where}: {'.'.join(path)}: full {want}, shipped {got}")
    assert wrong == []
    assert {tree for tree, _ in seen} == {"darwin", "home", "nixos"}


def test_the_check_sees_every_module_of_a_full_plan() -> None:
    inventory, options = CASES["darwin-pi-sops"]
    plan = build_plan(inventory, options)
    scopes = module_scopes(
        build_config(gather_facts(inventory, options), options.through)
    )
    nix_files = {f.relpath for f in plan.files if f.relpath.endswith(".nix")}
    assert nix_files - set(scopes) == {"flake.nix", "unfree.nix"}
    options_set = {
        ".".join(path)
        for f in plan.files
        if f.relpath in scopes
        for _, path in scoped_paths(f.content, scopes[f.relpath])
    }
    for expected in (
        "system.primaryUser",
        "security.pam.services.sudo_local.touchIdAuth",
        "homebrew.onActivation.cleanup",
        "nix-homebrew.autoMigrate",
        "programs.git.settings.user.name",
        "programs.git.includes.*.path",
        "xdg.configFile.nvim.source",
        "networking.hostName",
    ):
        assert expected in options_set


SCOPES: dict[str, ModuleScope] = {"h.nix": "home", "d.nix": "darwin", "n.nix": "nixos"}


def _check(relpath: str, source: str, indexes: Indexes | None = None) -> list[str]:
    found = check_files([WriteFile(relpath, source)], SCOPES, indexes)
    return [p.describe() for p in found]


@pytest.mark.parametrize(
    ("relpath", "source", "problem"),
    [
        ("h.nix", '{ programs.git.userName = "x"; }', "renamed, removed or internal"),
        ("h.nix", "{ programs.git.nosuch = true; }", "no such option"),
        ("h.nix", '{ programs.zsh.initExtra = ""; }', "renamed, removed or internal"),
        ("h.nix", "{ programs.thefuck.enable = true; }", "renamed, removed"),
        ("h.nix", "{ programs.nosuchmodule.enable = true; }", "no such option"),
        ("d.nix", '{ nix.trustedUsers = [ "me" ]; }', "renamed, removed or internal"),
        ("d.nix", "{ homebrew.cleanup = true; }", "renamed, removed or internal"),
        ("d.nix", "{ system.defaults.dock.nosuch = 1; }", "no such option"),
        ("d.nix", "{ home-manager.users.me.programs.git.userName = 1; }", "renamed"),
        ("n.nix", "{ services.nginx.enable = true; }", "no such option"),
    ],
)
def test_outdated_or_unknown_options_are_reported(
    relpath: str, source: str, problem: str, indexes: Indexes
) -> None:
    (found,) = _check(relpath, source, indexes)
    assert problem in found


@needs_data
def test_options_nixmigrate_never_writes_are_left_to_the_full_lists() -> None:
    source = "{ fonts.fontDir.enable = true; }"
    (full,) = _check("d.nix", source, full_indexes())
    assert "renamed, removed or internal" in full
    (shipped,) = _check("d.nix", source)  # no template writes fonts.*
    assert "no such option" in shipped


@pytest.mark.parametrize(
    ("relpath", "source"),
    [
        ("h.nix", '{ programs.git.settings.core.editor = "nvim"; }'),  # free-form value
        ("h.nix", '{ xdg.configFile."a/b".source = ./x; }'),  # <name>
        ("h.nix", '{ programs.zsh.initContent = "x"; }'),
        (
            "d.nix",
            "{ nix.settings.max-jobs = 4; nix.settings.whatever = 1; }",
        ),  # freeform
        ("d.nix", '{ homebrew.brews = [ { name = "x"; args = [ ]; } ]; }'),  # * element
        ("d.nix", '{ system.defaults.CustomUserPreferences."com.x".y = 1; }'),
        (
            "d.nix",
            "{ imports = [ ./a.nix ]; home-manager.users.me = { imports = [ ]; }; }",
        ),
        ("h.nix", "{ programs.helix.enable = true; }"),  # any module a mapping names
        ("h.nix", "{ programs.helix.package = pkgs.helix; }"),
    ],
)
def test_current_options_pass(relpath: str, source: str, indexes: Indexes) -> None:
    assert _check(relpath, source, indexes) == []


def test_paths_are_read_from_real_module_syntax() -> None:
    source = """
    # comment with { braces ;
    { config, lib, ... }@args:
    let
      x = { a = 1; };
    in
    {
      a.b = 1;
      c = { d = "}; ${lib.e { f = 1; }}"; "g h".i = ''
        multi ${"line"} ''${not} } ;
      ''; };
      j = [ { k = 1; } "s" { l.m = 2; } ];
      n = lib.mkForce { o = 1; };
      p = { inherit x; };
      q = { };
      r = pkg: { s = 1; };
      /* block */ t = [ ];
    }
    """
    assert assigned_paths(source) == (
        ("a", "b"),
        ("c", "d"),
        ("c", "g h", "i"),
        ("j", "*", "k"),
        ("j", "*", "l", "m"),
        ("n",),
        ("p",),
        ("q",),
        ("r",),
        ("t",),
    )


def test_unreadable_source_is_an_error() -> None:
    with pytest.raises(NixScanError):
        assigned_paths('{ a = "unterminated; }')


def test_shipped_lists_cover_all_module_kinds() -> None:
    indexes = default_indexes()
    assert set(indexes) == {"darwin", "home", "nixos"}
    assert indexes["darwin"].problem(("nix-homebrew", "enable")) is None
    assert indexes["home"].problem(("home", "stateVersion")) is None


def test_index_matches_placeholders_only_where_the_list_has_them() -> None:
    index = OptionIndex.parse(
        "a.<name>.b\tbool\t\nc.*.d\tstr\t\ne\tsubmodule\t\ne.f\tbool\t"
    )
    assert index.problem(("a", "anything", "b")) is None
    assert index.problem(("c", "*", "d")) is None
    assert index.problem(("c", "x", "d")) == "no such option"
    assert index.problem(("e", "g")) == "no such option"  # e has declared children


# ---------------------------------------------------------------- the shipped subset


@needs_data
def test_shipped_lists_are_what_the_script_builds_from_the_full_lists() -> None:
    wanted = build(DATA)
    assert set(wanted) == set(FULL_LISTS)
    for name, text in wanted.items():
        assert _read(SHIPPED, name) == text, "run python scripts/build_option_lists.py"
    assert main(["--check", "--data", str(DATA)]) == 0


@needs_data
@pytest.mark.parametrize("name", FULL_LISTS)
def test_shipped_lists_are_a_pruned_subset_with_rows_unchanged(name: str) -> None:
    full = _read(DATA, name).splitlines()
    shipped = _read(SHIPPED, name).splitlines()
    header = [line for line in full if line.startswith("#")]
    assert shipped[: len(header) + 1] == [*header, SUBSET_NOTE]
    rows = shipped[len(header) + 1 :]
    assert set(rows) <= set(full)  # type and flags columns exactly as listed
    assert rows == [line for line in full if line in set(rows)]  # original order
    assert len(rows) < len(full) // 2


def test_shipped_lists_say_they_are_a_derived_subset() -> None:
    for name in FULL_LISTS:
        assert SUBSET_NOTE in _read(SHIPPED, name).splitlines()


_TOY_LIST: tuple[str, ...] = (
    "# header",
    "a\tsubmodule\t",
    "a.b\tbool\t",
    "a.c\tbool\t",
    "d.<name>.e\tbool\t",
    "d.<name>.f\tbool\t",
    "d.x\tbool\thidden",
    "g\tbool\t",
)


def test_the_subset_keeps_namespaces_rows_above_them_and_placeholders() -> None:
    full = "\n".join(_TOY_LIST)
    selection = Selection(subtrees=(("a", "b"),), options=(("d", ANY, "e"),))
    assert subset(full, selection).splitlines() == [
        "# header",
        SUBSET_NOTE,
        "a\tsubmodule\t",
        "a.b\tbool\t",
        "d.<name>.e\tbool\t",
        "d.x\tbool\thidden",
    ]


def test_the_build_refuses_a_subset_that_would_judge_differently() -> None:
    full = "a\tsubmodule\t\na.b\tbool\t\n"
    # keeping `a` without any of its children would make it accept `a.anything`
    pruned = subset(full, Selection(subtrees=(), options=(("a",),)))
    assert disagreements(full, pruned) == [
        "a.undeclared: full list 'no such option', subset None"
    ]
    assert disagreements(full, subset(full, Selection(subtrees=(("a",),)))) == []
