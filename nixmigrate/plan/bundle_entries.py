"""What nix-darwin's `homebrew` module lists, entry by entry, with the Brewfile's options.

Kept formulae, casks and taps become nix-darwin submodules when the Brewfile gave
them options (`{ name = "mysql@8.0"; restart_service = "changed"; }`), plain names
otherwise. Only entries that apply to macOS are listed: an `if OS.linux?` entry never
reaches a darwin module. Names and string values are checked once more here, so
an inventory edited by hand cannot put code into the Brewfile nix-darwin writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from nixmigrate.mapping.bundle.options import cask_arguments
from nixmigrate.mapping.db import tap_key
from nixmigrate.mapping.inventory_items import cask_args_entries
from nixmigrate.name_grammar import name_problem, unsafe_text
from nixmigrate.plan.config import BundleEntry
from nixmigrate.resolution import ItemKind, Resolution
from nixmigrate.scan.inventory import Inventory

DEFAULT_TAPS: Final = frozenset({"homebrew/core", "homebrew/cask"})
KEPT_IN_BREW: Final = frozenset({"keep-brew", "unmapped"})

# nix-darwin submodule options per kind, under their Brewfile names
_SUBMODULE_OPTIONS: Final[Mapping[str, frozenset[str]]] = {
    "formula": frozenset(
        {
            "args",
            "link",
            "restart_service",
            "start_service",
            "conflicts_with",
            "postinstall",
        }
    ),
    "cask": frozenset({"args", "greedy", "postinstall"}),
    "tap": frozenset({"clone_target", "force_auto_update"}),
}


def on_darwin(resolution: Resolution) -> bool:
    """Whether the entry applies to a Mac (no condition, or one that allows macOS)."""
    return not resolution.platforms or "darwin" in resolution.platforms


def writable(resolution: Resolution) -> bool:
    return name_problem(resolution.kind, resolution.name) is None


def qualified(name: str, tap: str) -> str:
    """`user/tap/name` for an item of a third-party tap, else the name as it is."""
    if not tap or tap in DEFAULT_TAPS or "/" in name:
        return name
    return f"{tap}/{name}"


def bundle_entry(resolution: Resolution, name: str) -> BundleEntry:
    """The entry for `name` with the options nix-darwin's submodule has."""
    allowed = _SUBMODULE_OPTIONS.get(resolution.kind, frozenset())
    options = {
        key: value
        for key, value in resolution.options.items()
        if key in allowed and _plain(value)
    }
    return BundleEntry(name, options)


def _plain(value: object) -> bool:
    if isinstance(value, str):
        return not unsafe_text(value)
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    return isinstance(value, bool | int)


def _entries(pairs: Iterable[tuple[Resolution, str]]) -> tuple[BundleEntry, ...]:
    """One entry per name (the first resolution's options), sorted by name."""
    found: dict[str, BundleEntry] = {}
    for resolution, name in pairs:
        found.setdefault(name, bundle_entry(resolution, name))
    return tuple(found[name] for name in sorted(found))


def kept_brew_entries(inventory: Inventory) -> tuple[BundleEntry, ...]:
    """Formulae Homebrew keeps on the Mac: `keep-brew`, and `unmapped` ones."""
    taps = {f.name: f.tap for f in inventory.brew.formulae}
    return _entries(
        (r, qualified(r.name, taps.get(r.name, "")))
        for r in inventory.resolutions
        if r.kind == "formula"
        and r.action in KEPT_IN_BREW
        and r.on_request
        and on_darwin(r)
        and writable(r)
    )


def kept_cask_entries(inventory: Inventory) -> tuple[BundleEntry, ...]:
    """`keep-cask`, and `unmapped` casks (nothing else provides them)."""
    taps = {c.token: c.tap for c in inventory.brew.casks}
    return _entries(
        (r, qualified(r.name, taps.get(r.name, "")))
        for r in inventory.resolutions
        if r.kind == "cask"
        and r.action in ("keep-cask", "unmapped")
        and on_darwin(r)
        and writable(r)
    )


def other_installed_cask_entries(
    inventory: Inventory, kept: Iterable[BundleEntry]
) -> tuple[BundleEntry, ...]:
    """Installed casks not kept: listed so cleanup leaves every cask alone, with the
    Brewfile's options (a `greedy` cask stays greedy while Homebrew has it)."""
    by_token = {r.name: r for r in inventory.resolutions if r.kind == "cask"}
    kept_names = {entry.name for entry in kept}
    pairs: list[tuple[Resolution, str]] = []
    for cask in inventory.brew.casks:
        name = qualified(cask.token, cask.tap)
        if name in kept_names or name_problem("cask", name) is not None:
            continue
        pairs.append((by_token.get(cask.token) or _placeholder("cask", name), name))
    return _entries(pairs)


def _placeholder(kind: ItemKind, name: str) -> Resolution:
    """An installed item the resolver did not see: listed as it is, no options."""
    return Resolution(kind, name, action="keep-brew", confidence="none", reason="")


def tap_entries(
    inventory: Inventory, needed_by: Iterable[BundleEntry]
) -> tuple[BundleEntry, ...]:
    """Third-party taps: installed, named by a kept `user/tap/name`, or kept by the
    resolver; never one it skipped."""
    taps = {tap_key(r.name): r for r in inventory.resolutions if r.kind == "tap"}
    skipped = {key for key, r in taps.items() if r.action == "skip"}
    names = {tap_key(t) for t in inventory.brew.taps}
    names |= {e.name.rsplit("/", 1)[0] for e in needed_by if e.name.count("/") == 2}
    names |= {
        key for key, r in taps.items() if r.action == "keep-brew" and on_darwin(r)
    }
    chosen = sorted(names - skipped - DEFAULT_TAPS)
    return _entries(
        (taps.get(name) or _placeholder("tap", name), name)
        for name in chosen
        if name_problem("tap", name) is None
    )


def names_of(inventory: Inventory, kind: str) -> tuple[str, ...]:
    """VS Code extensions, Go packages, Cargo crates kept with Homebrew Bundle."""
    return tuple(
        sorted(
            {
                r.name
                for r in inventory.resolutions
                if r.kind == kind
                and r.action == "keep-brew"
                and on_darwin(r)
                and writable(r)
            }
        )
    )


def uv_lines(inventory: Inventory) -> tuple[str, ...]:
    """`uv "name"` lines for homebrew.extraConfig: uv tools nixpkgs lacks. Every
    name written here passed the Python package name grammar (no quote, no `#{`)."""
    extras = {
        r.name: r.options.get("with", [])
        for r in inventory.resolutions
        if r.kind == "uv"
    }
    lines = []
    for name in names_of(inventory, "uv"):
        with_ = [w for w in extras.get(name, []) if name_problem("uv", w) is None]
        listed = ", ".join(f'"{w}"' for w in with_)
        lines.append(f'uv "{name}"' + (f", with: [{listed}]" if with_ else ""))
    return tuple(lines)


def cask_args(inventory: Inventory) -> dict[str, Any]:
    """`cask_args` lines merged (later keys win), as nix-darwin's homebrew.caskArgs."""
    merged: dict[str, Any] = {}
    for entry in cask_args_entries(inventory):
        if "linux" not in (entry.condition or "").split(" and "):
            merged.update(cask_arguments(dict(entry.options))[0])
    return merged
