"""Inventory x mapping database -> one Resolution per Homebrew item.

Order of authority: the user's overrides, then the curated database, then rules
(versioned names, Homebrew aliases, renames and moves, `user/tap/name`), then heuristics
that only pick nixpkgs attributes known to exist. Every decision says how sure it is
(`confidence`), why (`reason`), and which steps were tried (`chain`).

Brewfile entries of other package managers (vscode, go, cargo, uv, flatpak,
whalebrew) are not Homebrew items and get no Resolution: `other_brewfile_entries`
lists them for the report.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Final, Literal

from nixmigrate.mapping.heuristics import (
    Candidate,
    cask_candidates,
    formula_candidates,
    load_known_names,
)
from nixmigrate.mapping.model import Action, Confidence, ItemKind, Resolution
from nixmigrate.mapping.rules import (
    Rules,
    exact_versioned,
    family_versions,
    load_rules,
    moved,
    newer_versioned,
    split_tap_name,
    split_versioned,
)

if TYPE_CHECKING:
    from nixmigrate.mapping.db import MappingDB
    from nixmigrate.mapping.rules import VersionedPick
    from nixmigrate.mapping.schema import MappingEntry
    from nixmigrate.scan.inventory import BrewfileEntry, Inventory

HOMEBREW_KINDS: Final = frozenset({"brew", "cask", "tap", "mas"})
_BREWFILE_KIND: Final[Mapping[str, ItemKind]] = {
    "brew": "formula",
    "cask": "cask",
    "tap": "tap",
    "mas": "mas",
}
_CONDITION_PLATFORMS: Final = {"macos": ("darwin",), "linux": ("linux",)}
_RANK: Final[Mapping[Confidence, int]] = {
    "override": 0,
    "curated": 1,
    "rule": 2,
    "heuristic": 3,
    "none": 4,
}
_STILL_IN_BREW: Final = frozenset({"keep-brew", "keep-cask", "unmapped"})
_EntryKind = Literal["formula", "cask", "tap"]


@dataclass(frozen=True, slots=True)
class Decision:
    """What one name resolves to, before it is tied to an inventory item."""

    action: Action
    confidence: Confidence
    reason: str
    attr: str | None = None
    program: str | None = None
    platforms: tuple[str, ...] = ()
    unfree: bool = False
    note: str | None = None
    chain: tuple[str, ...] = ()

    def via(self, why: str, *, weaken: bool = True) -> Decision:
        """This decision, reached through a rule: `why` goes in front of the reason."""
        confidence = weakest(self.confidence, "rule") if weaken else self.confidence
        return replace(self, confidence=confidence, reason=f"{why}; {self.reason}")


def weakest(first: Confidence, second: Confidence) -> Confidence:
    return first if _RANK[first] >= _RANK[second] else second


# ---------------------------------------------------------------- one name


@dataclass(frozen=True)
class Resolver:
    """Resolves single names; `resolve_inventory` ties the decisions to items."""

    db: MappingDB
    overrides: MappingDB
    rules: Rules = field(default_factory=Rules)
    names: Collection[str] = frozenset()

    def formula(self, name: str, *, homepage: str = "") -> Decision:
        trace: list[str] = []
        found = self._formula(name, homepage, trace, set())
        return replace(found, chain=tuple(trace))

    def cask(self, token: str) -> Decision:
        trace: list[str] = []
        found = self._cask(token, trace, set())
        return replace(found, chain=tuple(trace))

    def tap(
        self,
        name: str,
        *,
        kept: Sequence[str] = (),
        moved: Sequence[str] = (),
        unknown: Sequence[str] = (),
    ) -> Decision:
        """`kept`/`moved`: its items that stay in Homebrew / move to Nix; `unknown`:
        items staying in Homebrew whose tap is not known (Brewfile short names)."""
        trace: list[str] = []
        found = self._tap(name, (kept, moved, unknown), trace)
        return replace(found, chain=tuple(trace))

    def knows(self, kind: _EntryKind, name: str) -> bool:
        """Whether the overrides, the database or Homebrew's rename tables name it."""
        if self._entry(self.overrides, kind, name) or self._entry(self.db, kind, name):
            return True
        if kind == "cask":
            return name in self.rules.cask_renames or name in self.rules.cask_moved
        return False

    # -- formulae

    def _formula(
        self, name: str, homepage: str, trace: list[str], seen: set[str]
    ) -> Decision:
        if name in seen:
            trace.append(f"rule {name}: Homebrew's name tables loop back here")
            return _unmapped(name, [name])
        seen.add(name)
        qualified = split_tap_name(name)
        if qualified is not None:
            return self._qualified(name, qualified, trace, seen)
        found = self._lookup("formula", name, trace)
        if found is None:
            found = self._formula_rules(name, trace, seen)
        return found or self._formula_heuristics(name, homepage, trace)

    def _formula_rules(
        self, name: str, trace: list[str], seen: set[str]
    ) -> Decision | None:
        exact = exact_versioned(self.rules, name)
        if exact is not None:
            return _versioned(exact, trace)
        other = self._other_name(name, trace, seen)
        if other is not None:
            return other
        newer = newer_versioned(self.rules, name)
        if newer is not None:
            return _versioned(newer, trace)
        if split_versioned(name) and family_versions(self.rules, name):
            have = ", ".join(family_versions(self.rules, name))
            trace.append(f"rule versioned {name}: nixpkgs has only {have}")
        return None

    def _other_name(
        self, name: str, trace: list[str], seen: set[str]
    ) -> Decision | None:
        for table, what in (
            (self.rules.formula_aliases, "a Homebrew alias"),
            (self.rules.formula_renames, "the old Homebrew name"),
        ):
            target = table.get(name)
            if target is not None:
                why = f"{name} is {what} of {target}"
                trace.append(f"rule {name}: {why}")
                return self._formula(target, "", trace, seen).via(why)
        move = moved(self.rules, "formula", name)
        if move is None:
            return None
        why = f"{name} moved from homebrew/core to {move.tap}"
        trace.append(f"rule {name}: {why}")
        if move.kind == "cask":
            return self._cask(move.name, trace, seen).via(why)
        return self._formula(f"{move.tap}/{move.name}", "", trace, seen).via(why)

    def _formula_heuristics(
        self, name: str, homepage: str, trace: list[str]
    ) -> Decision:
        commands = self.rules.formula_executables.get(name, ())
        candidates = formula_candidates(name, commands=commands, homepage=homepage)
        hit = self._try_candidates(candidates, trace)
        if hit is None:
            return _unmapped(name, [c.attr for c in candidates])
        return Decision(
            action="nix",
            confidence="heuristic",
            reason=f"nixpkgs has {hit.attr} ({hit.how}); check it is the same program",
            attr=hit.attr,
        )

    def _try_candidates(
        self, candidates: Iterable[Candidate], trace: list[str]
    ) -> Candidate | None:
        for candidate in candidates:
            known = candidate.attr in self.names
            outcome = "known nixpkgs attribute" if known else "not a known attribute"
            trace.append(f"heuristic {candidate.how} {candidate.attr}: {outcome}")
            if known:
                return candidate
        return None

    def _qualified(
        self,
        name: str,
        qualified: tuple[str, str],
        trace: list[str],
        seen: set[str],
    ) -> Decision:
        tap, short = qualified
        if tap.lower() == "homebrew/core":
            trace.append(f"rule {name}: the homebrew/core formula {short}")
            return self._formula(short, "", trace, seen)
        found = self._lookup("formula", name, trace) or self._kept_by_tap(
            tap, "keep-brew", trace
        )
        if found is not None:
            return found
        why = f"{name} is {short} from the {tap} tap"
        trace.append(f"rule {name}: resolving by its short name {short}")
        return self._formula(short, "", trace, seen).via(why)

    def _kept_by_tap(
        self, tap: str, action: Action, trace: list[str]
    ) -> Decision | None:
        entry, confidence = self._tap_entry(tap)
        if entry is None or entry.keep is None:
            return None
        trace.append(f"{confidence} [tap.{tap}]: keep its items in Homebrew")
        return Decision(
            action=action,
            confidence=weakest(confidence, "rule"),
            reason=f"items from the {tap} tap stay in Homebrew: {entry.reason}",
            platforms=entry.platforms,
            note=entry.note,
        )

    # -- casks

    def _cask(self, token: str, trace: list[str], seen: set[str]) -> Decision:
        key = f"cask:{token}"
        if key in seen:
            trace.append(f"rule {token}: Homebrew's name tables loop back here")
            return _keep_cask(token, ())
        seen.add(key)
        qualified = split_tap_name(token)
        if qualified is not None:
            return self._qualified_cask(token, qualified, trace, seen)
        found = self._lookup("cask", token, trace) or self._cask_rules(
            token, trace, seen
        )
        if found is not None:
            return found
        near = [c for c in cask_candidates(token) if c.attr in self.names]
        for candidate in near:
            trace.append(f"heuristic {candidate.how} {candidate.attr}: known attribute")
        return _keep_cask(token, near)

    def _cask_rules(
        self, token: str, trace: list[str], seen: set[str]
    ) -> Decision | None:
        target = self.rules.cask_renames.get(token)
        if target is not None:
            why = f"{token} is the old name of the cask {target}"
            trace.append(f"rule {token}: {why}")
            return self._cask(target, trace, seen).via(why)
        move = moved(self.rules, "cask", token)
        if move is None:
            return None
        why = f"the cask {token} moved to {move.tap}"
        trace.append(f"rule {token}: {why}")
        if move.kind == "formula":
            return self._formula(move.name, "", trace, seen).via(why)
        return self._cask(f"{move.tap}/{move.name}", trace, seen).via(why)

    def _qualified_cask(
        self, token: str, qualified: tuple[str, str], trace: list[str], seen: set[str]
    ) -> Decision:
        tap, short = qualified
        if tap.lower() == "homebrew/cask":
            trace.append(f"rule {token}: the homebrew/cask cask {short}")
            return self._cask(short, trace, seen)
        found = self._lookup("cask", token, trace) or self._kept_by_tap(
            tap, "keep-cask", trace
        )
        if found is not None:
            return found
        trace.append(f"rule {token}: resolving by its short name {short}")
        return self._cask(short, trace, seen).via(f"{token} is {short} from {tap}")

    # -- taps

    def _tap(
        self,
        name: str,
        users: tuple[Sequence[str], Sequence[str], Sequence[str]],
        trace: list[str],
    ) -> Decision:
        kept, moved_items, unknown = users
        found = self._lookup("tap", name, trace)
        if found is not None:
            return found
        if name.lower().startswith("homebrew/"):
            trace.append(f"rule {name}: an official Homebrew tap")
            return _rule(
                "skip", f"{name} is an official Homebrew tap; nothing to declare"
            )
        if kept:
            trace.append(f"rule {name}: still used by {', '.join(kept)}")
            return _rule(
                "keep-brew", f"needed by {_names(kept)}, which stay in Homebrew"
            )
        if unknown:
            trace.append(f"rule {name}: may be used by {', '.join(unknown)}")
            return _rule(
                "keep-brew",
                f"{_names(unknown)} stay in Homebrew and may come from it "
                "(the Brewfile does not say which tap)",
            )
        trace.append(f"rule {name}: nothing installed from it stays in Homebrew")
        if moved_items:
            return _rule(
                "skip", f"everything from it ({_names(moved_items)}) moves to Nix"
            )
        return _rule("skip", "nothing installed comes from this tap")

    # -- the database and the overrides

    def _lookup(self, kind: _EntryKind, name: str, trace: list[str]) -> Decision | None:
        sources: tuple[tuple[MappingDB, Confidence], ...] = (
            (self.overrides, "override"),
            (self.db, "curated"),
        )
        for source, confidence in sources:
            entry = self._entry(source, kind, name)
            if entry is not None:
                trace.append(f"{confidence} [{kind}.{name}]: {_describe(entry)}")
                return _from_entry(entry, confidence)
            trace.append(f"{confidence} [{kind}.{name}]: no entry")
        return None

    def _tap_entry(self, tap: str) -> tuple[MappingEntry | None, Confidence]:
        found = self.overrides.tap(tap)
        if found is not None:
            return found, "override"
        return self.db.tap(tap), "curated"

    @staticmethod
    def _entry(source: MappingDB, kind: _EntryKind, name: str) -> MappingEntry | None:
        if kind == "formula":
            return source.formula(name)
        if kind == "cask":
            return source.cask(name)
        return source.tap(name)


def make_resolver(
    db: MappingDB,
    overrides: MappingDB,
    *,
    names: Collection[str] | None = None,
    rules: Rules | None = None,
) -> Resolver:
    """A resolver; rules and known names default to the files next to the database."""
    return Resolver(
        db=db,
        overrides=overrides,
        rules=load_rules(db.directory) if rules is None else rules,
        names=load_known_names(db.directory) if names is None else names,
    )


# ---------------------------------------------------------------- decisions


def _from_entry(entry: MappingEntry, confidence: Confidence) -> Decision:
    whose = "your override" if confidence == "override" else "curated mapping"
    action, default_reason = _entry_action(entry, whose)
    return Decision(
        action=action,
        confidence=confidence,
        reason=entry.reason or default_reason,
        attr=entry.nix if action in ("nix", "program") else None,
        program=entry.program if action == "program" else None,
        platforms=entry.platforms,
        unfree=entry.unfree,
        note=entry.note,
    )


def _entry_action(entry: MappingEntry, whose: str) -> tuple[Action, str]:
    if entry.skip:
        return "skip", whose
    if entry.keep == "cask":
        return "keep-cask", whose
    if entry.keep is not None:
        return "keep-brew", whose
    if entry.program is not None:
        return "program", f"{whose}: home-manager programs.{entry.program}"
    return "nix", f"{whose} to {entry.nix}"


def _describe(entry: MappingEntry) -> str:
    if entry.skip:
        return "skip"
    if entry.keep is not None:
        return f"keep = {entry.keep}"
    if entry.program is not None:
        return f"program = {entry.program}" + (
            f", nix = {entry.nix}" if entry.nix else ""
        )
    return f"nix = {entry.nix}"


def _versioned(pick: VersionedPick, trace: list[str]) -> Decision:
    name = f"{pick.family}@{pick.requested}"
    if pick.match == "newer":
        reason = (
            f"nixpkgs no longer has {pick.family} {pick.requested}; "
            f"{pick.attr} is the nearest newer version ({pick.chosen})"
        )
    elif pick.match == "series":
        reason = f"nixpkgs {pick.attr} is the {pick.chosen} series, which has {name}"
    elif pick.match == "latest":
        reason = (
            f"the newest {pick.requested}.x in nixpkgs is {pick.attr} ({pick.chosen})"
        )
    else:
        reason = f"versioned formula {name} is nixpkgs {pick.attr}"
    trace.append(f"rule versioned {name}: {pick.attr} ({pick.match} match)")
    return Decision(
        action="nix", confidence="rule", reason=reason, attr=pick.attr, note=pick.note
    )


def _unmapped(name: str, tried: Sequence[str]) -> Decision:
    under = ", ".join(dict.fromkeys(tried)) or name
    return Decision(
        action="unmapped",
        confidence="none",
        reason=(
            f"no nixpkgs attribute found under {under}; "
            f"map it with `nixmigrate map {name} ATTR`"
        ),
    )


def _keep_cask(token: str, near: Sequence[Candidate]) -> Decision:
    note = None
    if near:
        attr = near[0].attr
        note = (
            f"nixpkgs has {attr}; if it works on your Mac, "
            f"`nixmigrate map --cask {token} {attr}`"
        )
    return Decision(
        action="keep-cask",
        confidence="rule",
        reason="no Nix mapping for this app; it stays a cask (nix-darwin homebrew.casks)",
        platforms=("darwin",),
        note=note,
    )


def _rule(action: Action, reason: str) -> Decision:
    return Decision(action=action, confidence="rule", reason=reason)


def _names(items: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# ---------------------------------------------------------------- the inventory


@dataclass(frozen=True, slots=True)
class _Item:
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


def resolve_inventory(
    inventory: Inventory,
    db: MappingDB,
    overrides: MappingDB,
    *,
    names: Collection[str] | None = None,
    rules: Rules | None = None,
) -> tuple[Resolution, ...]:
    """One Resolution per formula, cask, tap and App Store app, Brewfile included.

    `names` (attributes known to exist) and `rules` default to the files next to the
    database. An item both installed and in the Brewfile appears once, as `brew`.
    """
    resolver = make_resolver(db, overrides, names=names, rules=rules)
    items = collect_items(inventory, resolver.rules)
    users = _dependents(inventory)
    packages = [
        (item, _resolve_package(resolver, item, users))
        for item in items
        if item.kind in ("formula", "cask")
    ]
    taps = _resolve_taps(resolver, [i for i in items if i.kind == "tap"], packages)
    mas = [_resolve_mas(item) for item in items if item.kind == "mas"]
    return tuple(r for _, r in packages) + taps + tuple(mas)


def explain_name(
    resolver: Resolver, name: str, *, kind: ItemKind | None = None
) -> Resolution:
    """A name outside any inventory: a formula, or a cask when `kind` says so or
    when only a cask mapping knows the name (the formula would be a mere guess).
    A name nothing knows is explained as an unmapped formula."""
    if kind == "mas":
        return _resolve_mas(_Item(kind="mas", name=name, query=name, key=name))
    if kind == "tap":
        return _resolution(_Item("tap", name, name, name), resolver.tap(name))
    if kind == "cask":
        return _resolution(_Item("cask", name, name, name), resolver.cask(name))
    decision = resolver.formula(name)
    only_a_guess = decision.confidence in ("heuristic", "none")
    if kind is None and only_a_guess and resolver.knows("cask", name):
        return _resolution(_Item("cask", name, name, name), resolver.cask(name))
    return _resolution(_Item("formula", name, name, name), decision)


def other_brewfile_entries(inventory: Inventory) -> tuple[BrewfileEntry, ...]:
    """Brewfile entries for other package managers (vscode, go, cargo, uv, ...)."""
    if inventory.brewfile is None:
        return ()
    return tuple(
        entry
        for entry in inventory.brewfile.entries
        if entry.kind not in HOMEBREW_KINDS and entry.kind != "cask_args"
    )


def collect_items(inventory: Inventory, rules: Rules) -> tuple[_Item, ...]:
    """Installed items first, then Brewfile entries not already installed."""
    found: dict[str, _Item] = {}
    for item in _brew_items(inventory, rules):
        found.setdefault(item.key, item)
    for item in _brewfile_items(inventory, rules):
        known = found.get(item.key)
        found[item.key] = item if known is None else _listed_in_brewfile(known, item)
    order: tuple[ItemKind, ...] = ("formula", "cask", "tap", "mas")
    return tuple(sorted(found.values(), key=lambda i: order.index(i.kind)))


def _listed_in_brewfile(installed: _Item, listed: _Item) -> _Item:
    """The user asked for it in the Brewfile, so it is wanted even if brew installed
    it as a dependency; a Brewfile `if OS.mac?` still applies."""
    return replace(
        installed, on_request=True, condition=installed.condition or listed.condition
    )


def _brew_items(inventory: Inventory, rules: Rules) -> Iterable[_Item]:
    brew = inventory.brew
    for formula in brew.formulae:
        tap = _third_party(formula.tap)
        yield _Item(
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
        yield _Item(
            kind="cask",
            name=cask.token,
            query=_qualified_name(tap, cask.full_token, cask.token),
            key=_key("cask", cask.token, rules),
            homepage=cask.homepage,
            tap=tap,
        )
    for tap_name in brew.taps:
        yield _Item(
            kind="tap", name=tap_name, query=tap_name, key=_key("tap", tap_name, rules)
        )
    for app in brew.mas:
        yield _Item(
            kind="mas",
            name=app.name,
            query=app.name,
            key=f"mas:{app.id}",
            mas_id=app.id,
        )


def _brewfile_items(inventory: Inventory, rules: Rules) -> Iterable[_Item]:
    if inventory.brewfile is None:
        return
    for entry in inventory.brewfile.entries:
        kind = _BREWFILE_KIND.get(entry.kind)
        if kind is None:
            continue
        mas_id = _mas_id(entry.options.get("id")) if kind == "mas" else None
        qualified = split_tap_name(entry.name) if kind in ("formula", "cask") else None
        yield _Item(
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


def _dependents(inventory: Inventory) -> dict[str, list[str]]:
    """formula name -> the installed formulae that depend on it."""
    users: dict[str, list[str]] = {}
    for formula in inventory.brew.formulae:
        for dependency in formula.dependencies:
            users.setdefault(dependency.rsplit("/", 1)[-1], []).append(formula.name)
    return users


def _resolve_package(
    resolver: Resolver, item: _Item, users: Mapping[str, list[str]]
) -> Resolution:
    if item.kind == "formula":
        decision = resolver.formula(item.query, homepage=item.homepage)
        if not item.on_request:
            decision = _as_dependency(decision, item.name, users.get(item.name, []))
    else:
        decision = resolver.cask(item.query)
    return _resolution(item, decision)


def _as_dependency(decision: Decision, name: str, users: Sequence[str]) -> Decision:
    if users:
        reason = f"dependency of {_names(sorted(users))}; comes with their Nix packages"
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
    tap_items: Sequence[_Item],
    packages: Sequence[tuple[_Item, Resolution]],
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
        _Item(kind="tap", name=tap, query=tap, key=f"tap:{tap}", source=source)
        for tap, source in _taps_of_kept(packages, listed)
    ]
    return tuple(
        _resolution(
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
    packages: Sequence[tuple[_Item, Resolution]], listed: set[str]
) -> list[tuple[str, Literal["brew", "brewfile"]]]:
    """Third-party taps that kept items need but that no `tap` line names."""
    from nixmigrate.mapping.db import tap_key

    needed: dict[str, Literal["brew", "brewfile"]] = {}
    for item, resolution in packages:
        key = tap_key(item.tap) if item.tap else ""
        if key and key not in listed and resolution.action in _STILL_IN_BREW:
            needed.setdefault(key, item.source)
    return list(needed.items())


def _resolve_mas(item: _Item) -> Resolution:
    where = f" (id {item.mas_id})" if item.mas_id is not None else ""
    decision = Decision(
        action="mas",
        confidence="rule",
        reason=f"Mac App Store app{where}; nix-darwin keeps it with homebrew.masApps",
        platforms=("darwin",),
        chain=(f"rule {item.name}: App Store apps are installed by mas",),
    )
    return _resolution(item, decision)


def _resolution(item: _Item, decision: Decision) -> Resolution:
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
