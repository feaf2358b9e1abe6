"""The report: what was found, what maps where and why, what is left, what to run next.

Pure: built from the inventory (with resolutions) and the run state, rendered elsewhere.
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from nixmigrate.plan.phases import PHASES, Phase
from nixmigrate.report.accounting import AccountingRow, accounted, build_accounting
from nixmigrate.report.services import ServiceRow, build_services
from nixmigrate.resolution import ACTIONS, CONFIDENCES, Resolution
from nixmigrate.scan.inventory import Inventory, StowPackage


@dataclass(frozen=True, slots=True)
class Progress:
    """What has happened since the scan (from the state file)."""

    config_dir: str | None = None
    completed: tuple[int, ...] = ()  # phases applied
    planned_through: int | None = None
    checkpoints: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    found: dict[str, int]
    by_action: dict[str, int]
    by_confidence: dict[str, int]
    mapped: tuple[Resolution, ...]
    kept: tuple[Resolution, ...]
    unmapped: tuple[Resolution, ...]
    skipped: tuple[Resolution, ...]
    stow: dict[str, str]  # package -> "status, mode" (or "not included")
    warnings: tuple[str, ...]
    progress: Progress
    next_steps: tuple[str, ...] = field(default=())
    accounting: tuple[AccountingRow, ...] = field(default=())
    services: tuple[ServiceRow, ...] = field(default=())

    @property
    def accounted_line(self) -> str:
        """The report's first line: "N of N input entries accounted for"."""
        total = len(self.accounting)
        return f"{accounted(self.accounting)} of {total} input entries accounted for"


def build_report(
    inventory: Inventory,
    progress: Progress | None = None,
    *,
    hostname: str | None = None,
    system: str | None = None,
    program_files: frozenset[str] = frozenset(),
) -> Report:
    """`hostname`/`system` are the plan's, for where entries live (default: scan's);
    `program_files` the programs with their own file under home/programs/."""
    progress = progress or Progress()
    resolutions = inventory.resolutions
    return Report(
        found=_found(inventory),
        by_action=_count(resolutions, ACTIONS, lambda r: r.action),
        by_confidence=_count(resolutions, CONFIDENCES, lambda r: r.confidence),
        mapped=_pick(resolutions, {"nix", "program", "service"}),
        kept=_pick(resolutions, {"keep-brew", "keep-cask", "mas"}),
        unmapped=_pick(resolutions, {"unmapped"}),
        skipped=_pick(resolutions, {"skip"}),
        stow=_stow_summary(inventory),
        warnings=inventory.warnings,
        progress=progress,
        next_steps=next_steps(inventory, progress),
        accounting=build_accounting(
            inventory, hostname=hostname, system=system, program_files=program_files
        ),
        services=build_services(inventory),
    )


def next_steps(inventory: Inventory, progress: Progress) -> tuple[str, ...]:
    if not inventory.resolutions:
        return ("nixmigrate scan  # map what you have to Nix",)
    unmapped = [r.name for r in inventory.resolutions if r.action == "unmapped"]
    steps: list[str] = []
    if unmapped:
        steps.append(
            f"nixmigrate map {shlex.quote(unmapped[0])} ATTR  # or --keep; "
            f"{len(unmapped)} item(s) have no Nix attribute yet"
        )
    done = max(progress.completed, default=0)
    if done >= max(Phase):
        steps.append(
            "done: every phase is applied; `nixmigrate rollback --list` to review"
        )
        return tuple(steps)
    upcoming = Phase(done + 1)
    verb = "plan" if (progress.planned_through or 0) < upcoming else "apply"
    steps.append(
        f"nixmigrate {verb} --phase {int(upcoming)}  # {PHASES[upcoming].title}"
    )
    return tuple(steps)


def _found(inventory: Inventory) -> dict[str, int]:
    brew = inventory.brew
    stow_packages = inventory.stow.packages if inventory.stow else ()
    brewfile = inventory.brewfile
    return {
        "formulae on request": sum(1 for f in brew.formulae if f.on_request),
        "formulae as dependencies": sum(1 for f in brew.formulae if not f.on_request),
        "casks": len(brew.casks),
        "taps": len(brew.taps),
        "Mac App Store apps": len(brew.mas),
        "services": len(brew.services),
        "Brewfile entries": len(brewfile.entries) if brewfile else 0,
        "Brewfile lines skipped": len(brewfile.skipped) if brewfile else 0,
        "Stow packages": len(stow_packages),
        "Stow packages stowed": sum(1 for p in stow_packages if p.status == "stowed"),
    }


def _count(
    resolutions: tuple[Resolution, ...],
    keys: tuple[str, ...],
    key_of: Callable[[Resolution], str],
) -> dict[str, int]:
    counts = Counter(key_of(r) for r in resolutions)
    return {k: counts.get(k, 0) for k in keys}


def _pick(
    resolutions: tuple[Resolution, ...], actions: set[str]
) -> tuple[Resolution, ...]:
    chosen = (r for r in resolutions if r.action in actions)
    return tuple(sorted(chosen, key=lambda r: (r.kind, r.name)))


def _stow_summary(inventory: Inventory) -> dict[str, str]:
    if inventory.stow is None:
        return {}
    return {p.name: _stow_state(p) for p in inventory.stow.packages}


def _stow_state(package: StowPackage) -> str:
    if package.outside:
        return f"stowed outside the home ({package.outside}), left as it is"
    how = package.mode if package.include else "not included"
    return f"{package.status}, {how}"
