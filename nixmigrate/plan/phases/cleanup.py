"""Phase 7: unstow the rest, uninstall migrated formulae, archive the dotfiles repo.

A formula whose Homebrew service runs is uninstalled only when nix-darwin runs the
service instead (action `service`): its Homebrew service is stopped first, and the
switch that follows enables the nix-darwin one and checks it is loaded.
"""

from __future__ import annotations

from nixmigrate.mapping.services import base_name, data_dir, server_of
from nixmigrate.plan.assemble import links_for
from nixmigrate.plan.commands import activate_argv
from nixmigrate.plan.facts import Facts
from nixmigrate.plan.links import (
    home_path_of,
    kept_for_names,
    restow_command,
    unstow_step,
)
from nixmigrate.plan.model import PhasePlan
from nixmigrate.plan.packages import installed
from nixmigrate.plan.phases import PHASES, Phase
from nixmigrate.plan.services import (
    launchd_services,
    service_checks,
    service_resolutions,
    started_formulae,
)
from nixmigrate.plan.steps import Activate, Archive, BrewUninstall, Step
from nixmigrate.resolution import Resolution
from nixmigrate.scan.inventory import StowPackage
from nixmigrate.scan.stow.tree import printable

ARCHIVE_SUFFIX = ".stow-archive"


def cleanup_phase(facts: Facts) -> PhasePlan:
    remaining = _remaining_packages(facts)
    uninstall = _brew_uninstalls(facts)
    steps: list[Step] = []
    if facts.stow is not None:
        steps.extend(unstow_step(facts.stow, p) for p in remaining)
    steps.extend(uninstall)
    if facts.options.is_darwin:
        services = launchd_services(facts.inventory)
        argv = activate_argv(facts.options, installed=True)
        steps.append(Activate(argv, services=services))
    archive, archive_note = _archive(facts)
    steps.extend(archive)
    return PhasePlan(
        phase=Phase.CLEANUP,
        title=PHASES[Phase.CLEANUP].title,
        preconditions=(
            "phases 1-6 (as far as wanted) were applied and you have used the result",
            *_data_moves(facts),
        ),
        steps=tuple(steps),
        commands=("nixmigrate apply --phase 7",),
        verify=(
            "`brew list --formula` shows only what homebrew.brews keeps",
            *service_checks(facts.inventory),
        ),
        undo=(
            (
                "nixmigrate rollback (re-stows packages, reinstalls uninstalled formulae, "
                "starts their Homebrew services again, moves the archive back)"
            ),
        ),
        notes=_notes(facts, remaining, uninstall, archive_note),
    )


def _remaining_packages(facts: Facts) -> tuple[StowPackage, ...]:
    stow = facts.inventory.stow
    if stow is None:
        return ()
    handled = (
        {p.name for p in facts.mutable}
        | {u.package for u in facts.declarative.unstow}
        | {p.name for p in kept_for_names(stow)}  # they stay stowed, as promised
    )
    return tuple(
        sorted(
            (p for p in stow.packages if p.links and p.name not in handled),
            key=lambda p: p.name,
        )
    )


def _brew_uninstalls(facts: Facts) -> tuple[BrewUninstall, ...]:
    """Migrated formulae; one whose service runs only if nix-darwin runs it now."""
    inventory = facts.inventory
    present = {f.name for f in inventory.brew.formulae}
    running = started_formulae(inventory)
    found: dict[str, BrewUninstall] = {}
    for r in installed(inventory.resolutions):
        if r.kind != "formula" or r.name not in present:
            continue
        started = base_name(r.name) in running
        if started and (r.action != "service" or not facts.options.is_darwin):
            continue  # nothing would run its service
        found[r.name] = BrewUninstall(r.name, _replacement(r), stop_service=started)
    return tuple(found[name] for name in sorted(found))


def _replacement(r: Resolution) -> str:
    if r.action == "service" and r.service:
        return f"replaced by {r.service} (pkgs.{r.attr})"
    if r.program:
        return f"replaced by programs.{r.program}"
    return f"replaced by pkgs.{r.attr}"


def _archive(facts: Facts) -> tuple[tuple[Archive, ...], str]:
    if facts.stow is None:
        return (), "no dotfiles directory to archive"
    source = facts.stow.dotfiles_dir.rstrip("/")
    kept = kept_for_names(facts.stow.stow)
    if kept:
        names = ", ".join(printable(p.name) for p in kept)
        return (), (
            f"{source} is not archived: packages with oddly named files stay stowed "
            f"from it: {names}"
        )
    outside = [p for p in facts.stow.stow.packages if p.outside]
    if outside:
        shown = ", ".join(f"{printable(p.name)} ({p.outside})" for p in outside)
        return (), (
            f"{source} is not archived: packages stowed outside the home link into "
            f"it and would break: {shown}"
        )
    unowned = facts.stow.stow.unowned_links
    if unowned:
        shown = ", ".join(
            f"~/{printable(home_path_of(facts.stow, link))}" for link in unowned
        )
        return (), (
            f"{source} is not archived: these links lead into it but belong to no "
            f"package, so nixmigrate cannot unstow them and they would break: {shown}"
        )
    pointing = [link.home_path for link in links_for(facts, Phase.CLEANUP)]
    if pointing:
        shown = ", ".join(f"~/{p}" for p in pointing)
        return (), (
            f"{source} is not archived: these home-manager links point into it and "
            f"would break: {shown}"
        )
    return (
        Archive(source, source + ARCHIVE_SUFFIX),
    ), f"{source} moves to {source}{ARCHIVE_SUFFIX}"


def _skipped_formulae(facts: Facts) -> tuple[str, ...]:
    present = {f.name for f in facts.inventory.brew.formulae if f.on_request}
    return tuple(
        sorted(
            r.name
            for r in facts.inventory.resolutions
            if r.kind == "formula" and r.action == "skip" and r.name in present
        )
    )


def _notes(
    facts: Facts,
    remaining: tuple[StowPackage, ...],
    uninstall: tuple[BrewUninstall, ...],
    archive_note: str,
) -> tuple[str, ...]:
    notes = [archive_note]
    if remaining and facts.stow is not None:
        names = ", ".join(p.label for p in remaining)
        commands = "; ".join(f"`{restow_command(facts.stow, p)}`" for p in remaining)
        notes.append(
            f"not migrated, unstowed now (their files stay in the repo): {names}; "
            f"this brings them back: {commands}"
        )
    if uninstall:
        notes.append(
            "apply uninstalls a formula only when its commands already resolve into a "
            "Nix profile, and lists the ones it keeps"
        )
    notes.extend(_service_notes(facts, uninstall))
    if facts.options.is_darwin:
        mode = "zap" if facts.options.homebrew_zap else "uninstall"
        notes.append(
            f'homebrew.onActivation.cleanup = "{mode}": a switch removes formulae '
            "not in homebrew.brews (add any formula apply kept); casks are all listed, "
            "so none is removed"
        )
        skipped = _skipped_formulae(facts)
        if skipped:
            notes.append(f"marked skip, so cleanup removes them: {', '.join(skipped)}")
    return tuple(notes)


def _data_moves(facts: Facts) -> tuple[str, ...]:
    """A server the user moved to Nix: its data must be dumped while Homebrew's runs."""
    moves: list[str] = []
    for r, module in service_resolutions(facts.inventory):
        server = server_of(facts.inventory, r.name)
        if server is not None:
            where = data_dir(facts.inventory, r.name)
            moves.append(
                f"{r.name} moves to {module.option}: this phase stops and uninstalls "
                f"the Homebrew server, so first save its data ({where}); moving it "
                f"takes {server.move}"
            )
    return tuple(moves)


def _service_notes(facts: Facts, uninstall: tuple[BrewUninstall, ...]) -> list[str]:
    stopped = [u.name for u in uninstall if u.stop_service]
    notes: list[str] = []
    if stopped:
        notes.append(
            "Homebrew services stopped before their formula goes (rollback starts "
            f"them again): {', '.join(stopped)}"
        )
    enabled = [m.option for _, m in service_resolutions(facts.inventory)]
    if enabled and facts.options.is_darwin:
        notes.append(
            f"nix-darwin services enabled by the switch: {', '.join(enabled)}; "
            "apply checks each is loaded (`launchctl print`)"
        )
        notes.append(
            "applied together with earlier phases, this configuration is switched "
            "to first by an earlier phase: that switch stops the Homebrew services "
            "and starts these, so the two never run at once"
        )
    return notes
