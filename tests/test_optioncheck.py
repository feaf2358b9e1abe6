"""Every option the generated modules set exists in today's option lists."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nixmigrate.plan.assemble import build_config
from nixmigrate.plan.facts import gather_facts
from nixmigrate.plan.options import PlanOptions, SecondHost
from nixmigrate.plan.phases import Phase
from nixmigrate.plan.planner import build_plan
from nixmigrate.plan.steps import WriteFile
from nixmigrate.render.nixscan import NixScanError, assigned_paths
from nixmigrate.render.optioncheck import (
    OptionIndex,
    check_files,
    default_indexes,
    scoped_paths,
)
from nixmigrate.render.outputs import ModuleScope, module_scopes
from nixmigrate.scan.inventory import Inventory
from tests.test_planner import darwin_options, linux_options, sample_inventory


def _problems(inventory: Inventory, options: PlanOptions) -> list[str]:
    plan = build_plan(inventory, options)
    model = build_config(gather_facts(inventory, options), options.through)
    return [p.describe() for p in check_files(plan.files, module_scopes(model))]


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
def test_every_generated_option_exists(case: str, through: Phase) -> None:
    inventory, options = CASES[case]
    assert _problems(inventory, replace(options, through=through)) == []


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
        "raspberry-pi-nix.board",
    ):
        assert expected in options_set


SCOPES: dict[str, ModuleScope] = {"h.nix": "home", "d.nix": "darwin", "n.nix": "nixos"}


def _check(relpath: str, source: str) -> list[str]:
    found = check_files([WriteFile(relpath, source)], SCOPES)
    return [p.describe() for p in found]


@pytest.mark.parametrize(
    ("relpath", "source", "problem"),
    [
        ("h.nix", '{ programs.git.userName = "x"; }', "renamed, removed or internal"),
        ("h.nix", "{ programs.git.nosuch = true; }", "no such option"),
        ("h.nix", '{ programs.zsh.initExtra = ""; }', "renamed, removed or internal"),
        (
            "d.nix",
            "{ services.nix-daemon.enable = true; }",
            "renamed, removed or internal",
        ),
        ("d.nix", "{ home-manager.users.me.programs.git.userName = 1; }", "renamed"),
        ("n.nix", "{ services.nginx.enable = true; }", "no such option"),
    ],
)
def test_outdated_or_unknown_options_are_reported(
    relpath: str, source: str, problem: str
) -> None:
    (found,) = _check(relpath, source)
    assert problem in found


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
    ],
)
def test_current_options_pass(relpath: str, source: str) -> None:
    assert _check(relpath, source) == []


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
