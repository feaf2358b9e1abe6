"""Inventory -> the Homebrew items to resolve, and their resolutions.

Installed items come first; a Brewfile entry for something installed marks it as
wanted and adds its `if OS.mac?` condition instead of appearing twice. Dependencies
nobody asked for are skipped, third-party taps stay while anything kept in Homebrew
needs them, and App Store apps stay with mas.

Brewfile entries of other package managers (vscode, go, cargo, uv, flatpak,
whalebrew) are not Homebrew items and get no Resolution: `other_brewfile_entries`
lists them for the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final, Literal

from nixmigrate.mapping.decisions import Decision, name_list
from nixmigrate.mapping.model import ItemKind, Resolution
from nixmigrate.mapping.rules import Rules, split_tap_name

if TYPE_CHECKING:
    from nixmigrate.mapping.resolve import Resolver
    from nixmigrate.scan.inventory import BrewfileEntry, Inventory

HOMEBREW_KINDS: Final = frozenset({"brew", "cask", "tap", "mas"})
_BREWFILE_KIND: Final[Mapping[str, ItemKind]] = {
    "brew": "formula",
    "cask": "cask",
    "tap": "tap",
    "mas": "mas",
}
_CONDITION_PLATFORMS: Final = {"macos": ("darwin",), "linux": ("linux",)}
_STILL_IN_BREW: Final = frozenset({"keep-brew", "keep-cask", "unmapped"})


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
    condition: tuple[str, ...] = ()  # platforms a Brewfile `if OS.mac?` limits it to
    mas_id: int | None = None


def other_brewfile_entries(inventory: Inventory) -> tuple[BrewfileEntry, ...]:
    """Brewfile entries for other package managers (vscode, go, cargo, uv, ...)."""
    if inventory.brewfile is None:
        return ()
    return tuple(
        entry
        for entry in inventory.brewfile.entries
        if entry.kind not in HOMEBREW_KINDS and entry.kind != "cask_args"
    )


def collect_items(inventory: Inventory, rules: Rules) -> tuple[HomebrewItem, ...]:
    """Installed items first, then Brewfile entries not already installed."""
    found: dict[str, HomebrewItem] = {}
    for item in _brew_items(inventory, rules):
        found.setdefault(item.key, item)
    for item in _brewfile_items(inventory, rules):
        known = found.get(item.key)
        found[item.key] = item if known is None else _listed_in_brewfile(known, item)
    order: tuple[ItemKind, ...] = ("formula", "cask", "tap", "mas")
    return tuple(sorted(found.values(), key=lambda i: order.index(i.kind)))


def _listed_in_brewfile(installed: HomebrewItem, listed: HomebrewItem) -> HomebrewItem:
    """The user asked for it in the Brewfile, so it is wanted even if brew installed
    it as a dependency; a Brewfile `if OS.mac?` still applies."""
    return replace(
        installed, on_request=True, condition=installed.condition or listed.condition
    )


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
        kind = _BREWFILE_KIND.get(entry.kind)
        if kind is None:
            continue
        mas_id = _mas_id(entry.options.get("id")) if kind == "mas" else None
        qualified = split_tap_name(entry.name) if kind in ("formula", "cask") else None
        yield HomebrewItem(
            kind=kind,
            name=entry.name,
            query=entry.name,
            key=f"mas:{mas_id}"
            if mas_id is not None
            else _key(kind, entry.name, rules),
            source="brewfile",
            tap=_third_party(qualified[0]) if qualified else "",
            condition=_condition_platforms(entry.condition),
            mas_id=mas_id,
        )


def _condition_platforms(condition: str | None) -> tuple[str, ...]:
    """`macos and Hardware::CPU.arm?` -> ("darwin",): the OS part of a condition."""
    atoms = (condition or "").split(" and ")
    return next(
        (_CONDITION_PLATFORMS[a] for a in atoms if a in _CONDITION_PLATFORMS), ()
    )


def _key(kind: ItemKind, name: str, rules: Rules) -> str:
    if kind == "tap":
        from nixmigrate.mapping.db import tap_key

        return f"tap:{tap_key(name)}"
    if kind == "mas":
        return f"mas:{name.lower()}"
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


# ---------------------------------------------------------------- resolutions


def resolve_items(resolver: Resolver, inventory: Inventory) -> tuple[Resolution, ...]:
    """One Resolution per collected item: packages, then taps, then App Store apps."""
    items = collect_items(inventory, resolver.rules)
    users = _dependents(inventory)
    packages = [
        (item, _resolve_package(resolver, item, users))
        for item in items
        if item.kind in ("formula", "cask")
    ]
    taps = _resolve_taps(resolver, [i for i in items if i.kind == "tap"], packages)
    mas = [resolve_mas(item) for item in items if item.kind == "mas"]
    return tuple(r for _, r in packages) + taps + tuple(mas)


def _dependents(inventory: Inventory) -> dict[str, list[str]]:
    """formula name -> the installed formulae that depend on it."""
    users: dict[str, list[str]] = {}
    for formula in inventory.brew.formulae:
        for dependency in formula.dependencies:
            users.setdefault(dependency.rsplit("/", 1)[-1], []).append(formula.name)
    return users


def _resolve_package(
    resolver: Resolver, item: HomebrewItem, users: Mapping[str, list[str]]
) -> Resolution:
    if item.kind == "formula":
        decision = resolver.formula(item.query, homepage=item.homepage)
        if not item.on_request:
            decision = _as_dependency(decision, item.name, users.get(item.name, []))
    else:
        decision = resolver.cask(item.query)
    return resolution_for(item, decision)


def _as_dependency(decision: Decision, name: str, users: Sequence[str]) -> Decision:
    if users:
        reason = (
            f"dependency of {name_list(sorted(users))}; comes with their Nix packages"
        )
    else:
        reason = (
            "installed as a dependency, and nothing installed needs it now "
            "(`brew autoremove` would remove it)"
        )
    would_be = " ".join(filter(None, [decision.action, decision.attr]))
    step = f"rule {name}: a dependency, not promoted (on its own: {would_be})"
    return Decision(
        action="skip",
        confidence="rule",
        reason=reason,
        chain=(*decision.chain, step),
    )


def _resolve_taps(
    resolver: Resolver,
    tap_items: Sequence[HomebrewItem],
    packages: Sequence[tuple[HomebrewItem, Resolution]],
) -> tuple[Resolution, ...]:
    from nixmigrate.mapping.db import tap_key

    kept: dict[str, list[str]] = {}
    moved_items: dict[str, list[str]] = {}
    for item, resolution in packages:
        if item.tap:
            bucket = kept if resolution.action in _STILL_IN_BREW else moved_items
            bucket.setdefault(tap_key(item.tap), []).append(item.name)
    unknown = [
        item.name
        for item, resolution in packages
        if item.source == "brewfile"
        and not item.tap
        and resolution.action in _STILL_IN_BREW
    ]
    listed = {tap_key(item.name) for item in tap_items}
    implied = [
        HomebrewItem(kind="tap", name=tap, query=tap, key=f"tap:{tap}", source=source)
        for tap, source in _taps_of_kept(packages, listed)
    ]
    return tuple(
        resolution_for(
            item,
            resolver.tap(
                item.query,
                kept=kept.get(tap_key(item.name), []),
                moved=moved_items.get(tap_key(item.name), []),
                unknown=unknown,
            ),
        )
        for item in (*tap_items, *implied)
    )


def _taps_of_kept(
    packages: Sequence[tuple[HomebrewItem, Resolution]], listed: set[str]
) -> list[tuple[str, Literal["brew", "brewfile"]]]:
    """Third-party taps that kept items need but that no `tap` line names."""
    from nixmigrate.mapping.db import tap_key

    needed: dict[str, Literal["brew", "brewfile"]] = {}
    for item, resolution in packages:
        key = tap_key(item.tap) if item.tap else ""
        if key and key not in listed and resolution.action in _STILL_IN_BREW:
            needed.setdefault(key, item.source)
    return list(needed.items())


def resolve_mas(item: HomebrewItem) -> Resolution:
    """App Store apps stay with mas, which only nix-darwin can declare."""
    where = f" (id {item.mas_id})" if item.mas_id is not None else ""
    decision = Decision(
        action="mas",
        confidence="rule",
        reason=f"Mac App Store app{where}; nix-darwin keeps it with homebrew.masApps",
        platforms=("darwin",),
        chain=(f"rule {item.name}: App Store apps are installed by mas",),
    )
    return resolution_for(item, decision)


def resolution_for(item: HomebrewItem, decision: Decision) -> Resolution:
    """`decision` tied to `item`; a Brewfile condition fills in missing platforms."""
    return Resolution(
        kind=item.kind,
        name=item.name,
        action=decision.action,
        confidence=decision.confidence,
        reason=decision.reason,
        attr=decision.attr,
        program=decision.program,
        platforms=decision.platforms or item.condition,
        unfree=decision.unfree,
        note=decision.note,
        source=item.source,
        on_request=item.on_request,
        chain=decision.chain,
        mas_id=item.mas_id,
    )
