"""Real-shaped Brewfiles, end to end: nothing that applies to a Mac is silently lost.

Each Brewfile under fixtures/brewfile/real-shapes is read, resolved with the shipped
database and planned through phase 7 for a Mac. Every entry that applies to macOS is
then in the generated `homebrew` module with the same options (evaluated by the
real `nix-instantiate`), or a Nix package, program or service, or skipped with a
reason; no `if OS.linux?` entry is in a darwin file.
"""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from nixmigrate.mapping.db import MappingDB, load_mappings
from nixmigrate.mapping.resolutions import resolve_inventory
from nixmigrate.plan.model import Plan
from nixmigrate.plan.options import PlanOptions
from nixmigrate.plan.phases import Phase
from nixmigrate.render.plan_tree import build_plan
from nixmigrate.report.accounting import AccountingRow, accounted, build_accounting
from nixmigrate.scan.brewfile import read_brewfile
from nixmigrate.scan.inventory import Brewfile, BrewfileEntry, HostInfo, Inventory
from tests.conftest import REPO

SHAPES = REPO / "fixtures" / "brewfile" / "real-shapes"
BREWFILES = (
    "split-hosts/Brewfile",
    "os-blocks.Brewfile",
    "options.Brewfile",
    "vscode-dump.Brewfile",
    "hostile.Brewfile",
)
HOST = "mac"
HOMEBREW_NIX = f"hosts/{HOST}/homebrew.nix"
DARWIN_FILES = (HOMEBREW_NIX, f"hosts/{HOST}/default.nix", "home/darwin.nix")
HOMEBREW_LIST = {"brew": "brews", "cask": "casks", "tap": "taps"}
HOSTILE = ('"', "#{", "${", "\n", "system(")


@cache
def database() -> MappingDB:
    return load_mappings(REPO / "mappings")


def mac_inventory(brewfile: Brewfile) -> Inventory:
    host = HostInfo(
        os="darwin",
        system="aarch64-darwin",
        hostname=HOST,
        user="jane",
        home="/Users/jane",
    )
    inventory = Inventory(host=host, brewfile=brewfile)
    empty = MappingDB(REPO / "mappings", "none", {}, {}, {})
    return inventory.with_resolutions(resolve_inventory(inventory, database(), empty))


def mac_plan(inventory: Inventory) -> Plan:
    options = PlanOptions(
        config_dir="/Users/jane/nix-config",
        hostname=HOST,
        user="jane",
        system="aarch64-darwin",
        home="/Users/jane",
        through=Phase.CLEANUP,
    )
    return build_plan(inventory, options)


@cache
def planned(relpath: str) -> tuple[Inventory, dict[str, str]]:
    inventory = mac_inventory(read_brewfile(SHAPES / relpath))
    files = {f.relpath: f.content for f in mac_plan(inventory).files}
    return inventory, files


def evaluated_homebrew(files: dict[str, str], tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "homebrew.nix"
    path.write_text(files[HOMEBREW_NIX], encoding="utf-8")
    expression = f"(import {path} {{ }}).homebrew"
    done = subprocess.run(
        ["nix-instantiate", "--eval", "--strict", "--json", "-E", expression],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def applies_to_mac(entry: BrewfileEntry) -> bool:
    return "linux" not in (entry.condition or "").split(" and ")


def listed_options(homebrew: dict[str, Any], entry: BrewfileEntry) -> dict[str, Any]:
    """The options nix-darwin got for the entry (raises KeyError when not listed)."""
    for item in homebrew[HOMEBREW_LIST[entry.kind]]:
        name = item if isinstance(item, str) else item["name"]
        if name == entry.name:
            return {} if isinstance(item, str) else {**item} | {"name": None}
    raise KeyError(entry.name)


def row_for(rows: tuple[AccountingRow, ...], entry: BrewfileEntry) -> AccountingRow:
    return next(r for r in rows if r.source == "brewfile" and r.line == entry.line)


@pytest.mark.needs_nix
@pytest.mark.parametrize("relpath", BREWFILES)
def test_every_mac_entry_lands_with_its_options_or_is_skipped_with_a_reason(
    relpath: str, tmp_path: Path
) -> None:
    inventory, files = planned(relpath)
    assert inventory.brewfile is not None
    homebrew = evaluated_homebrew(files, tmp_path)
    rows = build_accounting(inventory, hostname=HOST, system="aarch64-darwin")
    for entry in inventory.brewfile.entries:
        if not applies_to_mac(entry) or entry.kind == "cask_args":
            continue
        row = row_for(rows, entry)
        assert row.reason, entry
        if row.where.startswith(HOMEBREW_NIX) and entry.kind in HOMEBREW_LIST:
            carried = listed_options(homebrew, entry)
            for key, value in entry.options.items():
                if key in carried:
                    assert carried[key] == value, (entry, key)
                else:  # not carried: the report says why
                    assert f"{key}" in row.reason and "dropped" in row.reason, row
        elif row.where.startswith(HOMEBREW_NIX):
            option = row.where.split(": ")[1].removeprefix("homebrew.")
            assert entry.name in json.dumps(homebrew[option]), row
        elif row.destination in ("nix", "program", "service"):
            file, _, option = row.where.partition(": ")
            assert option.split(".")[0] in files[file], row
        else:
            assert row.destination in ("skipped", "unmapped"), row
            assert row.where == "", row


@pytest.mark.parametrize("relpath", BREWFILES)
def test_no_linux_only_entry_is_in_a_darwin_file(relpath: str) -> None:
    inventory, files = planned(relpath)
    assert inventory.brewfile is not None
    linux_only = {
        e.name for e in inventory.brewfile.entries if not applies_to_mac(e)
    } - {e.name for e in inventory.brewfile.entries if applies_to_mac(e)}
    assert linux_only or relpath in (
        "options.Brewfile",
        "vscode-dump.Brewfile",
        "hostile.Brewfile",
    )
    for relpath_darwin in DARWIN_FILES:
        text = files.get(relpath_darwin, "")
        for name in linux_only:
            assert f'"{name}"' not in text, (relpath_darwin, name)


@pytest.mark.parametrize("relpath", BREWFILES)
def test_the_report_accounts_for_every_input_entry(relpath: str) -> None:
    inventory, _ = planned(relpath)
    assert inventory.brewfile is not None
    rows = build_accounting(inventory, hostname=HOST, system="aarch64-darwin")
    expected = len(inventory.brewfile.entries) + len(inventory.brewfile.skipped)
    assert len(rows) == expected
    assert accounted(rows) == expected


def test_split_host_files_and_os_blocks_decide_the_host() -> None:
    _, files = planned("split-hosts/Brewfile")
    assert '"koekeishiya/formulae"' in files[HOMEBREW_NIX]
    assert "pkgs.wl-clipboard" in files["home/linux.nix"]
    assert "wl-clipboard" not in files["home/common.nix"]
    inventory, files = planned("os-blocks.Brewfile")
    rows = build_accounting(inventory, hostname=HOST, system="aarch64-darwin")
    java = next(r for r in rows if r.name == "java" and r.source == "brewfile")
    assert 'only when `not (system "/usr/libexec/java_home' in java.reason
    xclip = next(r for r in rows if r.name == "xclip")
    assert xclip.where == "home/linux.nix: home.packages"
    assert "Linux-only" in xclip.reason
    assert "xclip" not in files[HOMEBREW_NIX]
    tray = next(r for r in rows if r.name.endswith("tray-sync"))
    assert (tray.where, "Linux-only" in tray.reason) == ("", True)


def test_the_options_brewfile_comes_out_in_nix_darwins_form(tmp_path: Path) -> None:
    _, files = planned("options.Brewfile")
    homebrew = evaluated_homebrew(files, tmp_path) if _has_nix() else None
    text = files[HOMEBREW_NIX]
    assert 'clone_target = "https://git.example.com/acme/homebrew-private.git";' in text
    assert "force_auto_update = true;" in text
    assert 'restart_service = "always";' in text
    assert "link = false;" in text
    # a tap's formula still declares its with-* options; homebrew/core's do not
    assert 'args = [ "with-xwidgets" "with-modern-icon" ];' in text
    assert "with-clang" not in text
    if homebrew is not None:
        assert homebrew["caskArgs"] == {
            "appdir": "~/Applications",
            "require_sha": True,
            "language": "en",
            "no_quarantine": True,
        }


def test_a_vscode_dump_lists_every_extension() -> None:
    inventory, files = planned("vscode-dump.Brewfile")
    assert inventory.brewfile is not None
    extensions = [e.name for e in inventory.brewfile.entries if e.kind == "vscode"]
    assert len(extensions) == 45
    text = files[HOMEBREW_NIX]
    assert all(f'"{name}"' in text for name in extensions)
    assert 'goPackages = [ "github.com/go-delve/delve/cmd/dlv"' in text
    assert (
        'extraConfig = "uv \\"some-internal-cli\\", with: [\\"requests\\", \\"rich\\"]";'
        in text
    )
    assert "pkgs.ruff" in files["home/common.nix"]


@pytest.mark.needs_nix
def test_hostile_names_never_reach_a_generated_file(tmp_path: Path) -> None:
    inventory, files = planned("hostile.Brewfile")
    assert inventory.brewfile is not None
    assert len(inventory.brewfile.skipped) == 7
    for relpath, text in files.items():
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if relpath.endswith(".nix"):
            done = subprocess.run(
                ["nix-instantiate", "--parse", str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, done.stderr
        for marker in ("pwned", "evil", "builtins.abort", "system(", "not an id"):
            assert marker not in text, (relpath, marker)
    assert '"Fine App" = 456;' in files[HOMEBREW_NIX]
    assert "/Apps" not in files[HOMEBREW_NIX]


def _has_nix() -> bool:
    try:
        done = subprocess.run(
            ["nix-instantiate", "--version"], capture_output=True, check=False
        )
    except FileNotFoundError:
        return False
    return done.returncode == 0


def test_no_phase_note_places_a_linux_only_entry_on_the_mac() -> None:
    inventory = mac_inventory(read_brewfile(SHAPES / "os-blocks.Brewfile"))
    notes = [n for phase in mac_plan(inventory).phases for n in phase.notes]
    for name in ("xclip", "xsel", "valgrind"):
        naming = [n for n in notes if name in n]
        assert all(n.startswith("Linux-only packages (home/linux.nix)") for n in naming)


@pytest.mark.needs_nix
@pytest.mark.parametrize("relpath", BREWFILES)
def test_every_generated_file_parses(relpath: str, tmp_path: Path) -> None:
    _, files = planned(relpath)
    paths = []
    for name, text in files.items():
        if name.endswith(".nix"):
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
    done = subprocess.run(
        ["nix-instantiate", "--parse", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_sesh_from_a_brewfile_comes_with_fzfs_tmux_integration() -> None:
    _, files = planned("split-hosts/Brewfile")
    home = files["home/common.nix"]
    assert "programs.sesh.enable = true;" in home
    assert "programs.fzf.tmux.enableShellIntegration = true;" in home
