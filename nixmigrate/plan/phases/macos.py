"""Phase 5: macOS settings and declarative Homebrew (casks, taps, Mac App Store)."""

from __future__ import annotations

import shlex

from nixmigrate.mapping.services.rows import ServiceRow, service_rows
from nixmigrate.plan.bundle_entries import names_of
from nixmigrate.plan.commands import activate_argv, rollback_command
from nixmigrate.plan.facts import Facts
from nixmigrate.plan.homebrew import kept_casks, mas_apps
from nixmigrate.plan.model import PhasePlan
from nixmigrate.plan.phases import PHASES, Phase
from nixmigrate.plan.services import service_checks


def macos_phase(facts: Facts) -> PhasePlan:
    options = facts.options
    title = PHASES[Phase.MACOS].title
    if not options.is_darwin:
        note = (
            f"skipped: {options.system} is not macOS (no nix-darwin, no Homebrew casks)"
        )
        return PhasePlan(phase=Phase.MACOS, title=title, notes=(note,))
    return PhasePlan(
        phase=Phase.MACOS,
        title=title,
        preconditions=("phase 4 was applied (or skipped on purpose)",),
        commands=(shlex.join(activate_argv(options, installed=True)),),
        verify=(
            "`brew list --cask` still shows every app",
            "System Settings show the declared defaults (some need a log out and in)",
            *(f"after phase 7: {check}" for check in service_checks(facts.inventory)),
        ),
        undo=(rollback_command(options),),
        notes=_notes(facts),
    )


def _notes(facts: Facts) -> tuple[str, ...]:
    options, inventory = facts.options, facts.inventory
    notes = [
        (
            "nix-homebrew takes over the existing Homebrew installation (autoMigrate); "
            "installed formulae and casks stay"
        ),
        'onActivation.cleanup stays "none" until phase 7: a switch removes nothing',
    ]
    casks = kept_casks(inventory)
    if casks:
        notes.append(f"casks declared: {', '.join(casks)}")
    for kind, what in (
        ("vscode", "VS Code extensions"),
        ("go", "Go packages"),
        ("cargo", "Cargo crates"),
    ):
        names = names_of(inventory, kind)
        if names:
            notes.append(f"{what} declared (brew bundle installs them): {len(names)}")
    apps = mas_apps(inventory)
    if apps:
        notes.append(f"Mac App Store apps declared: {', '.join(a.name for a in apps)}")
    if options.declarative.macos_defaults:
        groups = ", ".join(sorted(options.declarative.macos_defaults))
        notes.append(f"system.defaults written for: {groups}")
    if options.touch_id:
        notes.append("sudo accepts Touch ID (security.pam.services.sudo_local)")
    notes.extend(_services_notes(service_rows(inventory)))
    return tuple(notes)


def _services_notes(rows: tuple[ServiceRow, ...]) -> list[str]:
    """The Services table: name, running now, becomes, why, data directory."""
    if not rows:
        return []
    header = (
        "Services (they keep running: a nix-darwin one starts only in phase 7, "
        "after its Homebrew service stops):"
    )
    notes = [header]
    for row in rows:
        becomes = f"{row.becomes} ({row.option})" if row.option else row.becomes
        running = "running now" if row.running else "not running"
        data = f"; data directory {row.data_dir}" if row.data_dir else ""
        notes.append(f"  {row.name}: {running}; {becomes}; {row.why}{data}")
    return notes
