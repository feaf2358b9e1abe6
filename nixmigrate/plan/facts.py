"""Decisions that do not depend on how far the plan goes, computed once per plan."""

from __future__ import annotations

from dataclasses import dataclass

from nixmigrate.plan.config import MutableLink
from nixmigrate.plan.declarative import DeclarativePlan, plan_declarative
from nixmigrate.plan.links import (
    StowContext,
    mutable_packages,
    package_links,
    sort_links,
    with_links,
)
from nixmigrate.plan.options import PlanOptions
from nixmigrate.plan.packages import PackageSet, installed, plan_packages
from nixmigrate.plan.program_files import (
    FileClash,
    login_shells_left_alone,
    program_clashes,
)
from nixmigrate.scan.inventory import Inventory, StowPackage


@dataclass(frozen=True, slots=True)
class Facts:
    inventory: Inventory
    options: PlanOptions
    stow: StowContext | None
    mutable: tuple[StowPackage, ...]  # included, mode "mutable", with links
    mutable_links: tuple[MutableLink, ...]
    declarative: DeclarativePlan
    clashes: tuple[FileClash, ...]  # programs not enabled: their files are the user's
    login_shells: tuple[str, ...]  # shells not enabled: not chosen as declarative
    packages_before_programs: PackageSet  # phases 2-3
    packages_with_programs: PackageSet  # phase 4 on: some move to home/programs/

    @property
    def host_dir(self) -> str:
        return f"hosts/{self.options.hostname}"

    def packages(self, *, declarative: bool) -> PackageSet:
        return (
            self.packages_with_programs
            if declarative
            else self.packages_before_programs
        )


def gather_facts(inventory: Inventory, options: PlanOptions) -> Facts:
    stow = _stow_context(inventory, options)
    mutable = with_links(mutable_packages(stow.stow)) if stow else ()
    links = [link for p in mutable for link in package_links(stow, p)] if stow else []
    chosen = installed(inventory.resolutions)
    clashes = program_clashes(stow, chosen, inventory.home_files)
    shells = login_shells_left_alone(stow, chosen)
    not_enabled = _not_enabled(clashes, shells)
    declarative = plan_declarative(
        stow,
        inventory.resolutions,
        options.declarative,
        home_files=inventory.home_files,
        not_enabled=not_enabled,
    )
    return Facts(
        inventory=inventory,
        options=options,
        stow=stow,
        mutable=mutable,
        mutable_links=sort_links(links),
        declarative=declarative,
        clashes=clashes,
        login_shells=shells,
        packages_before_programs=plan_packages(inventory, not_enabled=not_enabled),
        packages_with_programs=plan_packages(
            inventory,
            own_program_files=declarative.programs,
            provided_by_programs=declarative.provided_attrs,
            not_enabled=not_enabled,
        ),
    )


def held_back_programs(inventory: Inventory) -> frozenset[str]:
    """Home Manager modules the plan leaves off although their item maps to one: they
    would write over the user's own files, or they are login shells not chosen as
    declarative. Their packages are installed instead (see gather_facts)."""
    stow = _context(inventory, inventory.host.home, "")
    chosen = installed(inventory.resolutions)
    return _not_enabled(
        program_clashes(stow, chosen, inventory.home_files),
        login_shells_left_alone(stow, chosen),
    )


def _not_enabled(
    clashes: tuple[FileClash, ...], shells: tuple[str, ...]
) -> frozenset[str]:
    return frozenset(c.program for c in clashes) | frozenset(shells)


def _stow_context(inventory: Inventory, options: PlanOptions) -> StowContext | None:
    return _context(inventory, options.home, options.dotfiles_dir)


def _context(inventory: Inventory, home: str, dotfiles_dir: str) -> StowContext | None:
    """None without a Stow directory, or when its target is not inside home."""
    if inventory.stow is None:
        return None
    dotfiles = dotfiles_dir or inventory.stow.dir
    context = StowContext(stow=inventory.stow, home=home, dotfiles_dir=dotfiles)
    return context if context.target_prefix is not None else None
