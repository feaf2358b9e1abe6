"""Which Stow packages to migrate, and how: the scan's questions.

Without a person at the keyboard every stowed package is included and kept mutable.
"""

from __future__ import annotations

from dataclasses import replace

from nixmigrate.scan.inventory import Mode, StowInventory, StowPackage
from nixmigrate.system.prompt import Choice, Prompter

_MODES = (
    Choice("keep mutable (mkOutOfStoreSymlink: edit in place, as today)", "mutable"),
    Choice("make declarative (programs.* settings in Nix)", "declarative"),
)


def default_selection(stow: StowInventory) -> StowInventory:
    packages = tuple(
        replace(p, include=p.status == "stowed", mode="mutable") for p in stow.packages
    )
    return replace(stow, packages=packages)


def ask_selection(stow: StowInventory, prompter: Prompter) -> StowInventory:
    if not prompter.interactive or not stow.packages:
        return default_selection(stow)
    chosen = set(
        prompter.checkbox(
            "Stow packages to bring under Home Manager",
            [_package_choice(p) for p in stow.packages],
        )
    )
    packages = tuple(_ask_mode(p, prompter, p.name in chosen) for p in stow.packages)
    return replace(stow, packages=packages)


def _package_choice(package: StowPackage) -> Choice:
    title = f"{package.label}  ({package.status}, {len(package.targets)} paths)"
    return Choice(title, package.name, checked=package.status == "stowed")


def _ask_mode(package: StowPackage, prompter: Prompter, include: bool) -> StowPackage:
    if not include:
        return replace(package, include=False)
    answer = prompter.select(f"{package.label}:", _MODES, default="mutable")
    mode: Mode = "declarative" if answer == "declarative" else "mutable"
    return replace(package, include=True, mode=mode)
