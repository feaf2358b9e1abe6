"""A home-manager module is enabled only with what its assertions require."""

from __future__ import annotations

from dataclasses import replace

from nixmigrate.plan.module_requirements import MODULE_REQUIREMENTS
from nixmigrate.render.plan_tree import build_plan, option_problems
from nixmigrate.resolution import Resolution
from tests.conftest import REPO
from tests.test_planner import darwin_options, file, sample_inventory

SESH = Resolution(
    kind="formula",
    name="sesh",
    action="program",
    confidence="curated",
    reason="sample",
    program="sesh",
)


def test_sesh_is_enabled_together_with_fzfs_tmux_integration() -> None:
    inventory = sample_inventory()
    inventory = replace(inventory, resolutions=(*inventory.resolutions, SESH))
    plan = build_plan(inventory, darwin_options())
    common = file(plan, "home/common.nix")
    assert "programs.sesh.enable = true;" in common
    assert "programs.fzf.tmux.enableShellIntegration = true;" in common
    assert option_problems(inventory, darwin_options()) == ()


def test_without_sesh_nothing_extra_is_set() -> None:
    common = file(build_plan(sample_inventory(), darwin_options()), "home/common.nix")
    assert "enableShellIntegration" not in common


def test_every_required_option_exists_in_home_manager() -> None:
    known = {
        line.split("\t", 1)[0]
        for line in (REPO / "nixmigrate/render/options/home-manager-options.txt")
        .read_text(encoding="utf-8")
        .splitlines()
    }
    for module, settings in MODULE_REQUIREMENTS.items():
        assert f"programs.{module}.enable" in known
        for option, _ in settings:
            assert option in known, (module, option)
