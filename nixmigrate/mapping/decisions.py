"""What one name resolves to, and the ways such a decision is built.

A `Decision` is not yet tied to an inventory item: `resolve.Resolver` reaches one
per name, and `inventory_items` turns it into a `Resolution` for an item.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from nixmigrate.resolution import Action, Confidence

if TYPE_CHECKING:
    from nixmigrate.mapping.heuristics import Candidate
    from nixmigrate.mapping.rules import VersionedPick
    from nixmigrate.mapping.schema import MappingEntry

_RANK: Final[Mapping[Confidence, int]] = {
    "override": 0,
    "curated": 1,
    "verified": 2,
    "rule": 3,
    "heuristic": 4,
    "none": 5,
}

TapUsers = tuple[Sequence[str], Sequence[str], Sequence[str]]
"""A tap's items: kept in Homebrew, moved to Nix, and kept Brewfile short names that
may come from it (the Brewfile does not say which tap)."""


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
    """The less sure of two confidences."""
    return first if _RANK[first] >= _RANK[second] else second


# ---------------------------------------------------------------- from an entry


def decision_from_entry(entry: MappingEntry, confidence: Confidence) -> Decision:
    """What a database or override entry says, with that source's confidence."""
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


def describe_entry(entry: MappingEntry) -> str:
    """An entry as one step of a decision's chain: `nix = ripgrep`, `skip`, ..."""
    if entry.skip:
        return "skip"
    if entry.keep is not None:
        return f"keep = {entry.keep}"
    if entry.program is not None:
        return f"program = {entry.program}" + (
            f", nix = {entry.nix}" if entry.nix else ""
        )
    return f"nix = {entry.nix}"


# ---------------------------------------------------------------- from a rule


def versioned_decision(pick: VersionedPick, trace: list[str]) -> Decision:
    """The nixpkgs attribute picked for a versioned formula (`name@version`)."""
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


def unmapped_decision(name: str, tried: Sequence[str]) -> Decision:
    """Nothing maps `name`; `tried` are the attributes that were looked for."""
    under = ", ".join(dict.fromkeys(tried)) or name
    return Decision(
        action="unmapped",
        confidence="none",
        reason=(
            f"no nixpkgs attribute found under {under}; "
            f"map it with `nixmigrate map {shlex.quote(name)} ATTR`"
        ),
    )


def keep_cask_decision(token: str, near: Sequence[Candidate]) -> Decision:
    """An unmapped cask stays a cask; `near` are known attributes worth a look."""
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


def rule_decision(action: Action, reason: str) -> Decision:
    return Decision(action=action, confidence="rule", reason=reason)


def tap_decision(name: str, users: TapUsers, trace: list[str]) -> Decision:
    """A tap no entry maps: official taps are skipped; a third-party one stays while
    something staying in Homebrew needs it, or may need it."""
    kept, moved_items, unknown = users
    if name.lower().startswith("homebrew/"):
        trace.append(f"rule {name}: an official Homebrew tap")
        return rule_decision(
            "skip", f"{name} is an official Homebrew tap; nothing to declare"
        )
    if kept:
        trace.append(f"rule {name}: still used by {', '.join(kept)}")
        return rule_decision(
            "keep-brew",
            f"needed by {name_list(kept)}, which {_stay(kept)} in Homebrew",
        )
    if unknown:
        trace.append(f"rule {name}: may be used by {', '.join(unknown)}")
        return rule_decision(
            "keep-brew",
            f"{name_list(unknown)} {_stay(unknown)} in Homebrew and may come from it "
            "(the Brewfile does not say which tap)",
        )
    trace.append(f"rule {name}: nothing installed from it stays in Homebrew")
    if moved_items:
        return rule_decision(
            "skip", f"everything from it ({name_list(moved_items)}) moves to Nix"
        )
    return rule_decision("skip", "nothing installed comes from this tap")


def _stay(items: Sequence[str]) -> str:
    return "stays" if len(items) == 1 else "stay"


def name_list(items: Sequence[str], limit: int = 5) -> str:
    """`a, b, c, d, e and 2 more`: at most `limit` names, then how many are left."""
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
