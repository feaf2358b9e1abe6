"""The seven phases of a migration, and what each one is allowed to do.

Each phase's steps are planned by the module of its name beside this one
(foundation, packages, configs, declarative, macos, second_host, cleanup);
plan/planner.py runs them in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Final


class Phase(IntEnum):
    FOUNDATION = 1  # flake skeleton beside Homebrew; nothing in $HOME changes
    PACKAGES = 2  # home.packages from resolved formulae; kept ones -> homebrew.brews
    CONFIGS = 3  # Stow packages -> mkOutOfStoreSymlink (unstow, then switch)
    DECLARATIVE = 4  # stable configs -> programs.* settings
    MACOS = 5  # system.defaults, declarative Homebrew (casks/taps/mas)
    SECOND_MACHINE = 6  # Linux/NixOS host sharing home/common.nix
    CLEANUP = 7  # unstow the rest, uninstall migrated brews, archive dotfiles


@dataclass(frozen=True, slots=True)
class PhaseSpec:
    title: str
    changes_home: bool  # `apply` has steps for it (unstow, uninstall, archive, switch)
    reversible: bool


PHASES: Final[Mapping[Phase, PhaseSpec]] = {
    Phase.FOUNDATION: PhaseSpec(
        "Create the flake beside Homebrew", changes_home=False, reversible=True
    ),
    Phase.PACKAGES: PhaseSpec(
        "Install command-line packages with Nix", changes_home=False, reversible=True
    ),
    Phase.CONFIGS: PhaseSpec(
        "Link dotfiles through Home Manager (mutable)",
        changes_home=True,
        reversible=True,
    ),
    Phase.DECLARATIVE: PhaseSpec(
        "Turn stable configs into programs.* settings",
        changes_home=True,
        reversible=True,
    ),
    Phase.MACOS: PhaseSpec(
        "macOS settings and declarative Homebrew", changes_home=False, reversible=True
    ),
    Phase.SECOND_MACHINE: PhaseSpec(
        "Add a second (Linux/NixOS) machine", changes_home=False, reversible=True
    ),
    Phase.CLEANUP: PhaseSpec(
        "Unstow the rest, uninstall migrated Homebrew packages, archive dotfiles",
        changes_home=True,
        reversible=True,
    ),
}
