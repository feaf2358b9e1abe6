"""Kept brews, casks and taps render every option Resolution.options holds."""

from __future__ import annotations

from dataclasses import replace

from nixmigrate.plan.phases import Phase
from nixmigrate.render.plan_tree import build_plan, option_problems
from nixmigrate.resolution import Resolution
from tests.test_planner import HOST, darwin_options, file, sample_inventory


def _kept(kind: str, name: str, action: str, **options: object) -> Resolution:
    return Resolution(
        kind=kind,  # type: ignore[arg-type]
        name=name,
        action=action,  # type: ignore[arg-type]
        confidence="rule",
        reason="sample",
        options=options,
    )


EXTRA = (
    _kept("formula", "postgresql@16", "keep-brew", restart_service="changed"),
    _kept("formula", "nginx", "keep-brew", start_service=True, args=["HEAD"]),
    _kept("cask", "wezterm", "keep-cask", greedy=True, args={"appdir": "~/Apps"}),
    _kept("tap", "me/tap", "keep-brew", clone_target="git@example.com:me/tap.git"),
    _kept("formula", "xclip", "keep-brew"),
)


def test_options_from_any_stage_render_in_nix_darwins_submodule_form() -> None:
    inventory = sample_inventory()
    xclip_linux = replace(EXTRA[-1], platforms=("linux",), condition="linux")
    inventory = replace(
        inventory, resolutions=(*inventory.resolutions, *EXTRA[:-1], xclip_linux)
    )
    options = darwin_options(through=Phase.MACOS)
    brew = file(build_plan(inventory, options), f"{HOST}/homebrew.nix")
    assert (
        '{\n        name = "postgresql@16";\n        restart_service = "changed";'
        in brew
    )
    assert (
        'name = "nginx";\n        args = [ "HEAD" ];\n        start_service = true;'
        in brew
    )
    assert (
        'args = {\n          appdir = "~/Apps";\n        };\n        greedy = true;'
        in brew
    )
    assert 'clone_target = "git@example.com:me/tap.git";' in brew
    assert "xclip" not in brew
    assert option_problems(inventory, options) == ()
