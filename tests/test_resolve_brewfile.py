"""Every Brewfile entry, of every kind, gets exactly one resolution with its
condition and the options nix-darwin can carry."""

from __future__ import annotations

import ast
from pathlib import Path

from nixmigrate.mapping.db import MappingDB, load_mappings
from nixmigrate.mapping.resolutions import resolve_inventory
from nixmigrate.scan.inventory import (
    BrewCask,
    Brewfile,
    BrewfileEntry,
    BrewFormula,
    BrewInventory,
    Inventory,
)
from tests.conftest import REPO
from tests.test_resolve import one, resolve


def brewfile(*entries: BrewfileEntry) -> Inventory:
    return Inventory(brewfile=Brewfile(path="Brewfile", entries=entries))


def test_every_kind_the_scan_reads_gets_exactly_one_resolution() -> None:
    entries = (
        BrewfileEntry("brew", "ripgrep", 1),
        BrewfileEntry("cask", "iterm2", 2),
        BrewfileEntry("tap", "hashicorp/tap", 3),
        BrewfileEntry("mas", "Xcode", 4, options={"id": 497799835}),
        BrewfileEntry("vscode", "ms-python.python", 5),
        BrewfileEntry("go", "golang.org/x/tools/gopls", 6),
        BrewfileEntry("cargo", "cargo-edit", 7),
        BrewfileEntry("uv", "ripgrep", 8),
        BrewfileEntry("uv", "some-python-tool", 9),
        BrewfileEntry("npm", "@google/gemini-cli", 10),
        BrewfileEntry("whalebrew", "whalebrew/wget", 11),
        BrewfileEntry("flatpak", "org.gimp.GIMP", 12),
        BrewfileEntry("cask_args", "", 13, options={"appdir": "~/Applications"}),
    )
    resolutions = resolve(brewfile(*entries))
    by_line = {r.line: r for r in resolutions}
    assert len(resolutions) == len(by_line) == 12  # cask_args is a setting
    actions = {line: (r.kind, r.action) for line, r in by_line.items()}
    assert actions == {
        1: ("formula", "nix"),
        2: ("cask", "keep-cask"),
        3: ("tap", "keep-brew"),
        4: ("mas", "mas"),
        5: ("vscode", "keep-brew"),
        6: ("go", "keep-brew"),
        7: ("cargo", "keep-brew"),
        8: ("uv", "nix"),
        9: ("uv", "keep-brew"),
        10: ("npm", "skip"),
        11: ("whalebrew", "skip"),
        12: ("flatpak", "skip"),
    }
    assert by_line[8].attr == "ripgrep"
    assert "homebrew.extraConfig" in by_line[9].reason
    assert "npm install -g @google/gemini-cli" in by_line[10].reason
    assert "docker run" in by_line[11].reason
    assert "homebrew.vscode" in by_line[5].reason


def test_the_condition_is_copied_as_read() -> None:
    resolutions = resolve(
        brewfile(
            BrewfileEntry("brew", "xclip", 1, condition="linux"),
            BrewfileEntry("cask", "iterm2", 2, condition="macos"),
            BrewfileEntry("brew", "jq", 3, condition='not (ENV["NO_JQ"])'),
            BrewfileEntry("brew", "eza", 4),
        )
    )
    assert [(r.name, r.condition) for r in resolutions] == [
        ("xclip", "linux"),
        ("jq", 'not (ENV["NO_JQ"])'),
        ("eza", None),
        ("iterm2", "macos"),
    ]
    assert one(resolutions, "xclip").platforms == ("linux",)
    assert one(resolutions, "jq").platforms == ()  # an unknown condition keeps it


def test_options_nix_darwin_can_express_survive_and_the_rest_is_noted() -> None:
    resolutions = resolve(
        brewfile(
            BrewfileEntry(
                "brew",
                "mysql@8.0",
                1,
                options={
                    "args": ["with-debug", "HEAD"],
                    "restart_service": "changed",
                    "link": True,
                    "conflicts_with": ["mysql"],
                    "frobnicate": True,
                },
            ),
            BrewfileEntry(
                "cask",
                "firefox",
                2,
                options={"args": {"appdir": "/Applications"}, "greedy": True},
            ),
            BrewfileEntry(
                "tap",
                "me/private",
                3,
                options={"clone_target": "git@example.com:me/tap.git"},
            ),
            BrewfileEntry("brew", "nginx", 4, options={"postinstall": 'x"; y'}),
        )
    )
    mysql = one(resolutions, "mysql@8.0")
    assert mysql.options == {
        "args": ["HEAD"],
        "restart_service": "changed",
        "link": True,
        "conflicts_with": ["mysql"],
    }
    assert "'with-debug' dropped: homebrew/core formulae no longer" in (
        mysql.note or ""
    )
    assert "frobnicate dropped" in (mysql.note or "")
    firefox = one(resolutions, "firefox")
    assert firefox.options == {"args": {"appdir": "/Applications"}, "greedy": True}
    tap = one(resolutions, "me/private")
    assert tap.options == {"clone_target": "git@example.com:me/tap.git"}
    nginx = one(resolutions, "nginx")
    assert nginx.options == {}
    assert "postinstall" in (nginx.note or "")


def test_an_installed_item_takes_the_brewfiles_options_condition_and_line() -> None:
    inventory = Inventory(
        brew=BrewInventory(
            available=True,
            formulae=(BrewFormula("curl", "8"),),
            casks=(BrewCask("wezterm", "1"),),
        ),
        brewfile=Brewfile(
            path="Brewfile",
            entries=(
                BrewfileEntry("brew", "curl", 7, options={"link": True}),
                BrewfileEntry("cask", "wezterm", 8, {"greedy": True}, "macos"),
            ),
        ),
    )
    resolutions = resolve(inventory)
    curl, wezterm = one(resolutions, "curl"), one(resolutions, "wezterm")
    assert (curl.source, curl.line, curl.options) == ("brew", 7, {"link": True})
    assert (wezterm.line, wezterm.condition) == (8, "macos")
    assert wezterm.options == {"greedy": True}


def test_a_hostile_name_from_brew_is_skipped_and_never_carried() -> None:
    inventory = Inventory(
        brew=BrewInventory(
            available=True,
            formulae=(BrewFormula('evil"; system("id"); "', "1"),),
            taps=("user/tap#{x}",),
        )
    )
    resolutions = resolve(inventory)
    assert {r.action for r in resolutions} == {"skip"}
    assert all("is not a valid" in r.reason for r in resolutions)


def _imports_in(package: Path) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in package.glob("*.py"):
        name = f"nixmigrate.mapping.{path.stem}"
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
        graph[name] = {m for m in found if m.startswith("nixmigrate.mapping.")}
    return graph


def test_the_mapping_package_has_no_import_circle() -> None:
    graph = _imports_in(REPO / "nixmigrate" / "mapping")
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module in done:
            return
        for imported in sorted(graph.get(module, ())):
            visit(imported, (*path, module))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())


def test_an_entry_listed_twice_keeps_its_first_line_and_options() -> None:
    inventory = Inventory(
        brew=BrewInventory(available=True, formulae=(BrewFormula("curl", "8"),)),
        brewfile=Brewfile(
            path="Brewfile",
            entries=(
                BrewfileEntry("brew", "curl", 3, options={"link": True}),
                BrewfileEntry("brew", "curl", 9),
                BrewfileEntry("brew", "jq", 4),
                BrewfileEntry("brew", "jq", 10, condition="linux"),
                BrewfileEntry("brew", "eza", 5, condition="macos"),
                BrewfileEntry("brew", "eza", 11, condition="linux"),
                BrewfileEntry("brew", "fd", 6, condition="linux"),
                BrewfileEntry("brew", "fd", 12, condition="linux"),
            ),
        ),
    )
    resolutions = resolve(inventory)
    assert (one(resolutions, "curl").line, one(resolutions, "curl").options) == (
        3,
        {"link": True},
    )
    assert (one(resolutions, "jq").line, one(resolutions, "jq").condition) == (4, None)
    eza, fd = one(resolutions, "eza"), one(resolutions, "fd")
    assert (eza.platforms, eza.condition) == ((), None)  # both OSes
    assert (fd.platforms, fd.condition) == (("linux",), "linux")


def test_powerlevel10k_by_its_short_name_follows_its_tap_into_nix() -> None:
    # the theme's install guide: `tap "romkatv/powerlevel10k"`, `brew "powerlevel10k"`;
    # with the tap in Nix, a formula left in homebrew.brews would have no tap to
    # come from (and be installed twice)
    shipped = load_mappings(REPO / "mappings")
    empty = MappingDB(REPO / "mappings", "none", {}, {}, {})
    inventory = brewfile(
        BrewfileEntry("tap", "romkatv/powerlevel10k", 1),
        BrewfileEntry("brew", "powerlevel10k", 2),
        BrewfileEntry("brew", "chromaprint", 3),
        BrewfileEntry("brew", "exif", 4),
    )
    resolutions = list(resolve_inventory(inventory, shipped, empty))
    assert one(resolutions, "romkatv/powerlevel10k").attr == "zsh-powerlevel10k"
    theme = one(resolutions, "powerlevel10k")
    assert (theme.action, theme.attr) == ("nix", "zsh-powerlevel10k")
    assert one(resolutions, "chromaprint").attr == "chromaprint"
    assert one(resolutions, "exif").attr == "exif"
