"""report/accounting.py: one row per input entry, and where it now lives."""

from __future__ import annotations

from typing import Any

from nixmigrate.report.accounting import accounted, build_accounting, dropped
from nixmigrate.report.files import report_to_json, report_to_markdown
from nixmigrate.report.model import build_report
from nixmigrate.resolution import Action, ItemKind, Resolution
from nixmigrate.scan.inventory import (
    Brewfile,
    BrewfileEntry,
    BrewfileSkip,
    BrewFormula,
    BrewInventory,
    HostInfo,
    Inventory,
)


def _res(kind: ItemKind, name: str, action: Action, **more: Any) -> Resolution:
    reason = f"{name} because"
    return Resolution(kind, name, action, confidence="rule", reason=reason, **more)


def inventory(system: str = "aarch64-darwin") -> Inventory:
    brewfile = Brewfile(
        path="/Users/jane/Brewfile",
        entries=(
            BrewfileEntry("brew", "ripgrep", 1),
            BrewfileEntry("brew", "xclip", 2, condition="linux"),
            BrewfileEntry("vscode", "golang.go", 3),
            BrewfileEntry(
                "cask_args", "", 4, options={"appdir": "~/Applications", "x": 1}
            ),
            BrewfileEntry("brew", "mysql@8.0", 5, options={"args": ["with-debug"]}),
            BrewfileEntry("npm", "prettier", 6),
        ),
        skipped=(BrewfileSkip(7, 'brew "a\\"b"', "'a\"b' is not a valid formula"),),
    )
    resolutions = (
        _res("formula", "ripgrep", "nix", attr="ripgrep", source="brew", line=1),
        _res("formula", "libyaml", "skip", on_request=False),
        _res("formula", "xclip", "unmapped", platforms=("linux",), line=2),
        _res("vscode", "golang.go", "keep-brew", line=3, source="brewfile"),
        _res(
            "formula",
            "mysql@8.0",
            "keep-brew",
            line=5,
            note="option args 'with-debug' dropped: Homebrew removed `with-*`",
        ),
        _res("npm", "prettier", "skip", line=6),
    )
    return Inventory(
        host=HostInfo(os="darwin", system=system, hostname="Jane's Mac"),
        brew=BrewInventory(
            available=True,
            formulae=(
                BrewFormula("ripgrep", "14"),
                BrewFormula("libyaml", "0.2", on_request=False),
            ),
        ),
        brewfile=brewfile,
        resolutions=resolutions,
    )


def test_one_row_per_brew_item_brewfile_entry_and_skipped_line() -> None:
    rows = build_accounting(inventory())
    assert [(r.source, r.kind, r.name) for r in rows] == [
        ("brew", "formula", "ripgrep"),
        ("brew", "formula", "libyaml"),
        ("brewfile", "formula", "ripgrep"),
        ("brewfile", "formula", "xclip"),
        ("brewfile", "vscode", "golang.go"),
        ("brewfile", "cask_args", "appdir, x"),
        ("brewfile", "formula", "mysql@8.0"),
        ("brewfile", "npm", "prettier"),
        ("brewfile", "line", 'brew "a\\"b"'),
    ]
    assert accounted(rows) == len(rows)


def test_where_names_the_generated_file_and_option_path() -> None:
    rows = {(r.source, r.name): r for r in build_accounting(inventory())}
    assert rows["brewfile", "ripgrep"].where == "home/common.nix: home.packages"
    assert rows["brewfile", "golang.go"].where == (
        "hosts/Janes-Mac/homebrew.nix: homebrew.vscode"
    )
    assert rows["brewfile", "appdir, x"].where.endswith(": homebrew.caskArgs")
    assert "option args.x dropped" in rows["brewfile", "appdir, x"].reason
    assert rows["brewfile", "mysql@8.0"].where.endswith(": homebrew.brews")
    assert rows["brewfile", "xclip"].where == ""
    assert "Linux-only" in rows["brewfile", "xclip"].reason
    assert rows["brew", "libyaml"].dependency


def test_on_linux_nothing_is_placed_in_a_homebrew_module() -> None:
    rows = build_accounting(inventory(), system="x86_64-linux")
    assert not any("homebrew" in r.where for r in rows)
    xclip = next(r for r in rows if r.name == "xclip")
    assert "Linux-only" not in xclip.reason
    assert all("macOS-only" not in r.reason for r in rows)  # nothing here is


def test_on_linux_a_mac_only_entry_says_so() -> None:
    mac_only = Inventory(
        host=HostInfo(os="linux", system="x86_64-linux", hostname="box"),
        brewfile=Brewfile(
            path="Brewfile", entries=(BrewfileEntry("cask", "iterm2", 1, {}, "macos"),)
        ),
        resolutions=(
            _res("cask", "iterm2", "keep-cask", platforms=("darwin",), line=1),
        ),
    )
    (row,) = build_accounting(mac_only)
    assert (row.where, "macOS-only" in row.reason) == ("", True)
    assert dropped((row,)) == (row,)


def test_dropped_lists_skips_lost_options_and_linux_entries_not_dependencies() -> None:
    names = [r.name for r in dropped(build_accounting(inventory()))]
    assert names == ["xclip", "appdir, x", "mysql@8.0", "prettier", 'brew "a\\"b"']


def test_reports_start_with_the_accounted_line_and_list_what_was_dropped() -> None:
    report = build_report(inventory())
    assert report.accounted_line == "9 of 9 input entries accounted for"
    markdown = report_to_markdown(report).splitlines()
    assert markdown[:3] == ["# nixmigrate report", "", report.accounted_line]
    assert "## Dropped or not on this machine (5)" in markdown
    assert '"accounting": [' in report_to_json(report)
