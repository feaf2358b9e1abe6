"""Inventory -> the items to resolve: every kind the scan reads, each once.

Installed items come first; a Brewfile entry for something installed marks it as
wanted and adds its condition, options and line instead of appearing twice. Brewfile
entries of the other package managers Homebrew Bundle drives (vscode, go, cargo, uv,
npm, whalebrew, flatpak) are items too; `cask_args` is not an item but a setting.
Pure: no resolver here (see `resolutions`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final, Literal

from nixmigrate.mapping.db import tap_key
from nixmigrate.mapping.rules import Rules, split_tap_name
from nixmigrate.resolution import ITEM_KINDS, ItemKind

if TYPE_CHECKING:
    from nixmigrate.scan.inventory import BrewfileEntry, Inventory

BREWFILE_KIND: Final[Mapping[str, ItemKind]] = {
    "brew": "formula",
    "cask": "cask",
    "tap": "tap",
    "mas": "mas",
    "vscode": "vscode",
    "go": "go",
    "cargo": "cargo",
    "uv": "uv",
    "npm": "npm",
    "whalebrew": "whalebrew",
    "flatpak": "flatpak",
}

_CONDITION_PLATFORMS: Final = {"macos": ("darwin",), "linux": ("linux",)}


@dataclass(frozen=True, slots=True)
class HomebrewItem:
    """One Homebrew item to resolve, from `brew` or a Brewfile."""

    kind: ItemKind
    name: str  # as Homebrew reported it or the Brewfile wrote it
    query: str  # what is resolved: `user/tap/name` for a third-party tap's items
    key: str  # items with the same key are the same item
    source: Literal["brew", "brewfile"] = "brew"
    on_request: bool = True
    homepage: str = ""
    tap: str = ""  # third-party tap it comes from, if known
    platforms: tuple[str, ...] = ()  # platforms a Brewfile `if OS.mac?` limits it to
    mas_id: int | None = None
    condition: str | None = None  # the Brewfile entry's condition, as read
    options: dict[str, Any] = field(default_factory=dict)  # as the Brewfile wrote them
    line: int | None = None  # the Brewfile line that lists it


def cask_args_entries(inventory: Inventory) -> tuple[BrewfileEntry, ...]:
    """The Brewfile's `cask_args` lines, in order (later ones win per key)."""
    if inventory.brewfile is None:
        return ()
    return tuple(e for e in inventory.brewfile.entries if e.kind == "cask_args")


def collect_items(inventory: Inventory, rules: Rules) -> tuple[HomebrewItem, ...]:
    """Installed items first, then Brewfile entries not already installed."""
    found: dict[str, HomebrewItem] = {}
    for item in _brew_items(inventory, rules):
        found.setdefault(item.key, item)
    for item in _brewfile_items(inventory, rules):
        known = found.get(item.key)
        found[item.key] = item if known is None else _listed_in_brewfile(known, item)
    return tuple(sorted(found.values(), key=lambda i: ITEM_KINDS.index(i.kind)))


def _listed_in_brewfile(installed: HomebrewItem, listed: HomebrewItem) -> HomebrewItem:
    """The user asked for it in the Brewfile, so it is wanted even if brew installed
    it as a dependency; the Brewfile's condition and options still apply."""
    if installed.line is not None:  # listed again: first line's options, both OSes
        same = installed.condition == listed.condition
        return replace(
            installed,
            platforms=_either(installed.platforms, listed.platforms),
            condition=installed.condition if same else None,
        )
    return replace(
        installed,
        on_request=True,
        platforms=installed.platforms or listed.platforms,
        condition=listed.condition,
        options=listed.options,
        line=listed.line,
    )


def _either(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    """Platforms of an entry listed twice (`if OS.mac?` here, `if OS.linux?` there)."""
    both = set(first) | set(second)
    if not first or not second or both >= {"darwin", "linux"}:
        return ()
    return tuple(sorted(both))


def _brew_items(inventory: Inventory, rules: Rules) -> Iterable[HomebrewItem]:
    brew = inventory.brew
    for formula in brew.formulae:
        tap = _third_party(formula.tap)
        yield HomebrewItem(
            kind="formula",
            name=formula.name,
            query=_qualified_name(tap, formula.full_name, formula.name),
            key=_key("formula", formula.name, rules),
            on_request=formula.on_request,
            homepage=formula.homepage,
            tap=tap,
        )
    for cask in brew.casks:
        tap = _third_party(cask.tap)
        yield HomebrewItem(
            kind="cask",
            name=cask.token,
            query=_qualified_name(tap, cask.full_token, cask.token),
            key=_key("cask", cask.token, rules),
            homepage=cask.homepage,
            tap=tap,
        )
    for tap_name in brew.taps:
        yield HomebrewItem(
            kind="tap", name=tap_name, query=tap_name, key=_key("tap", tap_name, rules)
        )
    for app in brew.mas:
        yield HomebrewItem(
            kind="mas",
            name=app.name,
            query=app.name,
            key=f"mas:{app.id}",
            mas_id=app.id,
        )


def _brewfile_items(inventory: Inventory, rules: Rules) -> Iterable[HomebrewItem]:
    if inventory.brewfile is None:
        return
    for entry in inventory.brewfile.entries:
        kind = BREWFILE_KIND.get(entry.kind)
        if kind is None:
            continue
        mas_id = _mas_id(entry.options.get("id")) if kind == "mas" else None
        qualified = split_tap_name(entry.name) if kind in ("formula", "cask") else None
        options = {
            k: v for k, v in entry.options.items() if not _not_an_option(kind, k)
        }
        yield HomebrewItem(
            kind=kind,
            name=entry.name,
            query=entry.name,
            key=f"mas:{mas_id}"
            if mas_id is not None
            else _key(kind, entry.name, rules),
            source="brewfile",
            tap=_third_party(qualified[0]) if qualified else "",
            platforms=_condition_platforms(entry.condition),
            mas_id=mas_id,
            condition=entry.condition,
            options=options,
            line=entry.line,
        )


def _not_an_option(kind: ItemKind, key: str) -> bool:
    """Keys the scan adds that are facts, not options (a mas id, a removal note)."""
    return (kind == "mas" and key == "id") or key == "deprecated"


def _condition_platforms(condition: str | None) -> tuple[str, ...]:
    """`macos and Hardware::CPU.arm?` -> ("darwin",): the OS part of a condition."""
    atoms = (condition or "").split(" and ")
    return next(
        (_CONDITION_PLATFORMS[a] for a in atoms if a in _CONDITION_PLATFORMS), ()
    )


def _key(kind: ItemKind, name: str, rules: Rules) -> str:
    if kind == "tap":
        return f"tap:{tap_key(name)}"
    if kind not in ("formula", "cask"):
        return f"{kind}:{name.lower()}"
    short = name.rsplit("/", 1)[-1]
    if kind == "formula":
        short = rules.formula_aliases.get(short) or rules.formula_renames.get(
            short, short
        )
    else:
        short = rules.cask_renames.get(short, short)
    return f"{kind}:{short}"


def _qualified_name(tap: str, full_name: str, name: str) -> str:
    """`user/tap/name` for a third-party tap's item, else the short name."""
    if not tap:
        return name
    return full_name if full_name.count("/") == 2 else f"{tap}/{name}"


def _third_party(tap: str) -> str:
    """The tap if it is a third-party one, else ""."""
    return "" if not tap or tap.lower().startswith("homebrew/") else tap


def _mas_id(raw: object) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None
