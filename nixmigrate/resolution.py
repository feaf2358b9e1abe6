"""What the resolver decides for one Homebrew item.

Data only, shared by every stage: the saved scan (scan/inventory.py) carries the
resolutions mapping/ made, and plan/ and report/ read them. Kept out of mapping/ so
that scan need not import the stage after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal, get_args

ItemKind = Literal[
    "formula",
    "cask",
    "tap",
    "mas",
    "vscode",
    "go",
    "cargo",
    "uv",
    "npm",
    "whalebrew",
    "flatpak",
]
ITEM_KINDS: Final[tuple[ItemKind, ...]] = get_args(ItemKind)  # in report order
Action = Literal[
    "nix", "program", "service", "keep-brew", "keep-cask", "mas", "skip", "unmapped"
]
Confidence = Literal["override", "curated", "verified", "rule", "heuristic", "none"]

ACTIONS: Final[tuple[Action, ...]] = (
    "nix",
    "program",
    "service",
    "keep-brew",
    "keep-cask",
    "mas",
    "skip",
    "unmapped",
)
CONFIDENCES: Final[tuple[Confidence, ...]] = (
    "override",
    "curated",
    "verified",  # found by `nixmigrate verify` in the user's own nixpkgs
    "rule",
    "heuristic",
    "none",
)


@dataclass(frozen=True, slots=True)
class Resolution:
    """One Homebrew item and what it becomes under Nix, with how sure we are and why.

    `attr` is the nixpkgs attribute (for `nix`, and the package behind `program`);
    `program` is the home-manager module name (`git` means `programs.git`);
    `platforms` is empty when the item works everywhere, else e.g. ("darwin",).
    `chain` lists each resolution step that was tried, for `nixmigrate explain`.
    `mas_id` is the App Store id of a `mas` item.
    `condition` is copied from the Brewfile entry: "macos", "linux", None (everywhere)
    or the kept Ruby expression text of an unknown condition.
    `service` names the nix-darwin option that runs the item's service
    (e.g. "services.yabai"), for action `service`.
    `options` are the Homebrew Bundle options a kept item carries into nix-darwin's
    `homebrew.*` submodules, under their Brewfile names (`args`, `link`,
    `restart_service`, `start_service`, `conflicts_with`, `greedy`, ...); options
    nix-darwin cannot express are left out, and `note` says so.
    """

    kind: ItemKind
    name: str
    action: Action
    confidence: Confidence
    reason: str
    attr: str | None = None
    program: str | None = None
    platforms: tuple[str, ...] = ()
    unfree: bool = False
    note: str | None = None
    source: Literal["brew", "brewfile"] = "brew"
    on_request: bool = True
    chain: tuple[str, ...] = ()
    mas_id: int | None = None  # App Store id, for `mas` (homebrew.masApps)
    condition: str | None = None
    service: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    line: int | None = None  # the Brewfile line that lists it, if one does
