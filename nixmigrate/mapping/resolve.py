"""Inventory x mapping database -> one Resolution per Homebrew item.

Order of authority: the user's overrides, then the curated database, then rules
(versioned names, Homebrew aliases, renames and moves, `user/tap/name`), then heuristics
that only pick nixpkgs attributes known to exist. Every decision says how sure it is
(`confidence`), why (`reason`), and which steps were tried (`chain`).

This module walks that chain for one name (`Resolver`). What a decision is lives in
`decisions`; which items an inventory holds in `inventory_items`; how their decisions
become Resolutions (`resolve_inventory`, `explain_name`) in `resolutions`, which
imports this module and never the other way round.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from nixmigrate.mapping.decisions import (
    Decision,
    TapUsers,
    decision_from_entry,
    describe_entry,
    keep_cask_decision,
    tap_decision,
    unmapped_decision,
    versioned_decision,
    weakest,
)
from nixmigrate.mapping.heuristics import (
    Candidate,
    cask_candidates,
    formula_candidates,
    load_known_names,
)
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
from nixmigrate.resolution import Action, Confidence

if TYPE_CHECKING:
    from nixmigrate.mapping.db import MappingDB
    from nixmigrate.mapping.schema import MappingEntry

__all__ = ["Decision", "Resolver", "make_resolver", "weakest"]

_EntryKind = Literal["formula", "cask", "tap"]


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
            return unmapped_decision(name, [name])
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
            return versioned_decision(exact, trace)
        other = self._other_name(name, trace, seen)
        if other is not None:
            return other
        newer = newer_versioned(self.rules, name)
        if newer is not None:
            return versioned_decision(newer, trace)
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
            return unmapped_decision(name, [c.attr for c in candidates])
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
            return keep_cask_decision(token, ())
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
        return keep_cask_decision(token, near)

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

    def _tap(self, name: str, users: TapUsers, trace: list[str]) -> Decision:
        found = self._lookup("tap", name, trace)
        return found or tap_decision(name, users, trace)

    # -- the database and the overrides

    def _lookup(self, kind: _EntryKind, name: str, trace: list[str]) -> Decision | None:
        sources: tuple[tuple[MappingDB, Confidence], ...] = (
            (self.overrides, "override"),
            (self.db, "curated"),
        )
        for source, confidence in sources:
            entry = self._entry(source, kind, name)
            if entry is not None:
                trace.append(f"{confidence} [{kind}.{name}]: {describe_entry(entry)}")
                return decision_from_entry(entry, confidence)
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
