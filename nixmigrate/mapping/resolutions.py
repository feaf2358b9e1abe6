"""Inventory x resolver -> one Resolution per item, of every kind the scan reads.

`inventory_items` says which items an inventory holds; `resolve.Resolver` decides
one name; this module ties the two together (taps after the packages that need
them, App Store apps, the other Brewfile kinds) and is what callers use:
`resolve_inventory` and `explain_name`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Final, Literal

from nixmigrate.mapping.bundle.kinds import BUNDLE_KINDS, bundle_decision
from nixmigrate.mapping.bundle.options import carried_options
from nixmigrate.mapping.db import tap_key
from nixmigrate.mapping.decisions import Decision, name_list
from nixmigrate.mapping.inventory_items import HomebrewItem, collect_items
from nixmigrate.mapping.resolve import Resolver, make_resolver
from nixmigrate.mapping.services import apply_service_decisions
from nixmigrate.name_grammar import name_problem
from nixmigrate.resolution import ItemKind, Resolution

if TYPE_CHECKING:
    from nixmigrate.mapping.db import MappingDB
    from nixmigrate.mapping.rules import Rules
    from nixmigrate.scan.inventory import Inventory

_STILL_IN_BREW: Final = frozenset({"keep-brew", "keep-cask", "unmapped"})


def resolve_inventory(
    inventory: Inventory,
    db: MappingDB,
    overrides: MappingDB,
    *,
    names: Collection[str] | None = None,
    rules: Rules | None = None,
) -> tuple[Resolution, ...]:
    """One Resolution per inventory item, Brewfile included.

    `names` (attributes known to exist) and `rules` default to the files next to the
    database. An item both installed and in the Brewfile appears once, as `brew`.
    """
    resolver = make_resolver(db, overrides, names=names, rules=rules)
    return apply_service_decisions(resolve_items(resolver, inventory), inventory)


def explain_name(
    resolver: Resolver, name: str, *, kind: ItemKind | None = None
) -> Resolution:
    """A name outside any inventory: a formula, or a cask when `kind` says so or
    when only a cask mapping knows the name (the formula would be a mere guess).
    A name nothing knows is explained as an unmapped formula."""
    if kind == "mas":
        return resolve_mas(_named("mas", name))
    if kind == "tap":
        return resolution_for(_named("tap", name), resolver.tap(name))
    if kind == "cask":
        return resolution_for(_named("cask", name), resolver.cask(name))
    decision = resolver.formula(name)
    only_a_guess = decision.confidence in ("heuristic", "none")
    if kind is None and only_a_guess and resolver.knows("cask", name):
        return resolution_for(_named("cask", name), resolver.cask(name))
    return resolution_for(_named("formula", name), decision)


def _named(kind: ItemKind, name: str) -> HomebrewItem:
    """An item known only by the name it was asked about."""
    return HomebrewItem(kind=kind, name=name, query=name, key=name)


def resolve_items(resolver: Resolver, inventory: Inventory) -> tuple[Resolution, ...]:
    """One Resolution per collected item: packages, then taps, then App Store apps,
    then the other Brewfile kinds. A name that may not be written is skipped."""
    items = collect_items(inventory, resolver.rules)
    users = _dependents(inventory)
    valid = [item for item in items if _name_problem(item) is None]
    packages = [
        (item, _resolve_package(resolver, item, users))
        for item in valid
        if item.kind in ("formula", "cask")
    ]
    taps = _resolve_taps(resolver, [i for i in valid if i.kind == "tap"], packages)
    mas = [resolve_mas(item) for item in valid if item.kind == "mas"]
    others = [
        resolution_for(item, bundle_decision(resolver, item.kind, item.name))
        for item in valid
        if item.kind in BUNDLE_KINDS
    ]
    invalid = [_invalid(item) for item in items if _name_problem(item) is not None]
    return (*(r for _, r in packages), *taps, *mas, *others, *invalid)


def _name_problem(item: HomebrewItem) -> str | None:
    return name_problem(item.kind, item.name)


def _invalid(item: HomebrewItem) -> Resolution:
    where = f"Brewfile line {item.line}: " if item.line is not None else ""
    problem = _name_problem(item) or ""
    decision = Decision(
        action="skip",
        confidence="rule",
        reason=f"{where}{problem}; it is never written into a generated file",
        chain=(f"rule: {problem}",),
    )
    return resolution_for(replace(item, options={}), decision)


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
        and resolution.platforms != ("linux",)  # never tapped on a Mac
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
    """`decision` tied to `item`. The Brewfile's condition decides the platforms
    before the decision's own; its options are carried as far as nix-darwin can."""
    options, dropped = carried_options(item.kind, item.options, tap=item.tap)
    note = "; ".join(filter(None, (decision.note, *dropped))) or None
    return Resolution(
        kind=item.kind,
        name=item.name,
        action=decision.action,
        confidence=decision.confidence,
        reason=decision.reason,
        attr=decision.attr,
        program=decision.program,
        platforms=item.platforms or decision.platforms,
        unfree=decision.unfree,
        note=note,
        source=item.source,
        on_request=item.on_request,
        chain=decision.chain,
        mas_id=item.mas_id,
        condition=item.condition,
        options=options,
        line=item.line,
    )
