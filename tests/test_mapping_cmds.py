from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from nixmigrate.cli import cli
from nixmigrate.cli.mapping_cmds import COMMANDS
from nixmigrate.resolution import Resolution
from nixmigrate.scan.inventory import (
    BrewFormula,
    BrewInventory,
    Inventory,
    inventory_from_json,
    inventory_to_json,
)
from nixmigrate.system.paths import Paths
from tests.conftest import FIXTURES
from tests.helpers import make_tree

STANDIN = FIXTURES / "nixpkgs-standin"


@pytest.fixture
def mappings(tmp_path: Path) -> Path:
    root = tmp_path / "mappings"
    make_tree(
        root,
        {
            "formulae.toml": """\
                schema_version = 1
                [formula.ripgrep]
                nix = "ripgrep"
                [formula.eza]
                nix = "eza"
                [formula.exa]
                nix = "exa"
                [formula.libgit2]
                skip = true
                reason = "library"
                """,
            "casks.toml": """\
                schema_version = 1
                [cask.iterm2]
                keep = "cask"
                reason = "no Nix build for macOS"
                """,
            "taps.toml": "schema_version = 1\n",
            "nixpkgs-names.txt": "ripgrep\neza\njq\n",
        },
    )
    return root


def run(*args: str) -> Result:
    """Run nixmigrate with these commands registered next to the others."""
    group = click.Group(
        name="nixmigrate",
        commands={**cli.commands, **{c.name or "": c for c in COMMANDS}},
    )
    return CliRunner().invoke(group, list(args))


def save_inventory(
    *resolutions: Resolution, formulae: tuple[BrewFormula, ...] = ()
) -> Path:
    path = Paths.from_env().inventory_file
    path.parent.mkdir(parents=True, exist_ok=True)
    inventory = Inventory(
        brew=BrewInventory(available=True, formulae=formulae), resolutions=resolutions
    )
    path.write_text(inventory_to_json(inventory), encoding="utf-8")
    return path


def mapped(name: str, attr: str) -> Resolution:
    return Resolution(
        kind="formula",
        name=name,
        action="nix",
        confidence="curated",
        reason=f"curated mapping to {attr}",
        attr=attr,
    )


# ---------------------------------------------------------------- explain


def test_explain_prints_the_decision_and_every_step(mappings: Path) -> None:
    result = run("explain", "ripgrep", "--mappings", str(mappings))
    assert result.exit_code == 0, result.stderr
    assert "ripgrep (formula): nix ripgrep  [curated]" in result.stdout
    assert "1. override [formula.ripgrep]: no entry" in result.stdout
    assert "2. curated [formula.ripgrep]: nix = ripgrep" in result.stdout


def test_explain_an_unknown_name_as_unmapped_with_the_next_step(mappings: Path) -> None:
    result = run("explain", "no-such-tool", "--mappings", str(mappings))
    assert result.exit_code == 0, result.stderr
    assert "no-such-tool (formula): unmapped  [none]" in result.stdout
    assert "nixmigrate map no-such-tool ATTR" in result.stdout


def test_the_command_explain_suggests_is_quoted_for_the_shell(mappings: Path) -> None:
    result = run("explain", 'my"tool${HOME}', "--mappings", str(mappings))
    assert result.exit_code == 0, result.stderr
    assert "nixmigrate map 'my\"tool${HOME}' ATTR" in result.stdout


def test_explain_finds_a_cask(mappings: Path) -> None:
    result = run("explain", "--cask", "iterm2", "--mappings", str(mappings))
    assert result.exit_code == 0, result.stderr
    assert "iterm2 (cask): keep-cask  [curated]" in result.stdout
    assert "why: no Nix build for macOS" in result.stdout


def test_explain_uses_the_saved_inventory_for_context(mappings: Path) -> None:
    save_inventory(
        formulae=(
            BrewFormula("eza", "0.20", dependencies=("libgit2",)),
            BrewFormula("libgit2", "1.8", on_request=False),
        )
    )
    result = run("explain", "libgit2", "--mappings", str(mappings))
    assert result.exit_code == 0, result.stderr
    assert "libgit2 (formula): skip" in result.stdout
    assert "dependency of eza" in result.stdout
    assert "installed: as a dependency" in result.stdout


def test_a_broken_override_file_is_reported_with_its_path(mappings: Path) -> None:
    user_file = Paths.from_env().user_mappings
    make_tree(user_file.parent, {user_file.name: "[formula.ripgrep\n"})
    result = run("explain", "ripgrep", "--mappings", str(mappings))
    assert result.exit_code == 1
    assert f"error: {user_file}: invalid TOML" in result.stderr
    assert result.stdout == ""


def test_a_missing_mappings_directory_is_an_error(tmp_path: Path) -> None:
    result = run("explain", "ripgrep", "--mappings", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert "does not exist" in result.stderr


# ---------------------------------------------------------------- map


def test_map_records_an_override_and_shows_the_change(mappings: Path) -> None:
    result = run("map", "fd", "fd", "--mappings", str(mappings))
    assert result.exit_code == 0, result.stderr
    assert "formula fd: unmapped (none) -> nix fd (override)" in result.stdout
    assert "fd is not in nixmigrate's list of known nixpkgs attributes" in result.stderr
    user_file = Paths.from_env().user_mappings
    assert '[formula.fd]\nnix = "fd"\n' in user_file.read_text(encoding="utf-8")
    explained = run("explain", "fd", "--mappings", str(mappings))
    assert "fd (formula): nix fd  [override]" in explained.stdout


def test_map_updates_the_saved_scan_so_plan_follows(mappings: Path) -> None:
    path = save_inventory(formulae=(BrewFormula(name="fd", version="10.2.0"),))
    scanned = run("map", "fd", "fd", "--mappings", str(mappings))
    assert scanned.exit_code == 0, scanned.stderr
    assert "the saved scan now uses it" in scanned.stdout
    saved = inventory_from_json(path.read_text(encoding="utf-8"))
    fd = next(r for r in saved.resolutions if r.name == "fd")
    assert (fd.action, fd.attr, fd.confidence) == ("nix", "fd", "override")


def test_map_without_a_saved_scan_only_records_the_choice(mappings: Path) -> None:
    result = run("map", "fd", "fd", "--mappings", str(mappings))
    assert result.exit_code == 0, result.stderr
    assert "the saved scan" not in result.stdout
    assert not Paths.from_env().inventory_file.exists()


def test_map_over_a_curated_entry_says_what_it_was(mappings: Path) -> None:
    result = run("map", "ripgrep", "ripgrep-all", "--mappings", str(mappings))
    assert result.exit_code == 0, result.stderr
    assert (
        "formula ripgrep: nix ripgrep (curated) -> nix ripgrep-all (override)"
        in result.stdout
    )


def test_map_keep_with_a_reason(mappings: Path) -> None:
    args = ["map", "--cask", "firefox", "--keep", "--reason", "profiles"]
    result = run(*args, "--mappings", str(mappings))
    assert result.exit_code == 0, result.stderr
    assert "cask firefox: keep-cask (rule) -> keep-cask (override)" in result.stdout
    text = Paths.from_env().user_mappings.read_text(encoding="utf-8")
    assert '[cask.firefox]\nkeep = "cask"\nreason = "profiles"\n' in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["map", "fd"], "give a nixpkgs attribute or --keep"),
        (["map", "fd", "fd", "--keep"], "give a nixpkgs attribute or --keep"),
        (["map", "fd", "not an attr"], "'not an attr' is not a nixpkgs attribute path"),
        (["map", "--tap", "a/b", "x"], "a tap can only be kept"),
        (["map", "--tap", "--cask", "a", "--keep"], "cannot be used together"),
    ],
)
def test_map_usage_errors_exit_2_and_write_nothing(
    mappings: Path, args: list[str], message: str
) -> None:
    result = run(*args, "--mappings", str(mappings))
    assert result.exit_code == 2
    assert message in result.stderr
    assert not Paths.from_env().user_mappings.exists()


# ---------------------------------------------------------------- verify


def test_verify_needs_a_saved_inventory(mappings: Path) -> None:
    result = run("verify", "--mappings", str(mappings))
    assert result.exit_code == 1
    assert "no saved inventory" in result.stderr
    assert "nixmigrate scan" in result.stderr


def test_verify_with_nothing_mapped_to_nix_succeeds(mappings: Path) -> None:
    save_inventory()
    result = run("verify", "--mappings", str(mappings))
    assert result.exit_code == 0, result.stderr
    assert "nothing to verify" in result.stderr


@pytest.mark.needs_nix
def test_verify_reports_every_attribute_and_fails_on_a_broken_one(
    mappings: Path,
) -> None:
    path = save_inventory(mapped("ripgrep", "ripgrep"), mapped("exa", "exa"))
    args = ["verify", "--json", "--nixpkgs", str(STANDIN), "--mappings", str(mappings)]
    result = run(*args)
    assert result.exit_code == 1, result.stderr
    report = json.loads(result.stdout)
    assert {c["attr"]: c["status"] for c in report["checks"]} == {
        "ripgrep": "ok",
        "exa": "broken",
    }
    assert report["failed"] == 1
    saved = inventory_from_json(path.read_text(encoding="utf-8"))
    assert [(r.name, r.action) for r in saved.resolutions] == [
        ("ripgrep", "nix"),
        ("exa", "unmapped"),
    ]


@pytest.mark.needs_nix
def test_verify_table_names_the_items_of_a_missing_attribute(mappings: Path) -> None:
    save_inventory(mapped("ripgrep", "ripgrep"), mapped("old-tool", "no-such-attr"))
    result = run("verify", "--nixpkgs", str(STANDIN), "--mappings", str(mappings))
    assert result.exit_code == 1, result.stderr
    row = next(line for line in result.stdout.splitlines() if "no-such-attr" in line)
    assert "missing" in row
    assert "old-tool" in row
    assert "2 attributes checked, 1 missing or broken" in result.stdout


@pytest.mark.needs_nix
def test_verify_passes_when_every_attribute_exists(mappings: Path) -> None:
    save_inventory(mapped("ripgrep", "ripgrep"))
    result = run("verify", "--nixpkgs", str(STANDIN), "--mappings", str(mappings))
    assert result.exit_code == 0, result.stderr
    assert "ripgrep" in result.stdout
    assert "1 attributes checked, 0 missing or broken" in result.stdout
