"""Phase 2: command-line packages from Nix; formulae Homebrew keeps in homebrew.brews."""

from __future__ import annotations

from nixmigrate.plan.commands import build_command, rollback_command, switch_command
from nixmigrate.plan.declarative import CONVERTERS
from nixmigrate.plan.facts import Facts
from nixmigrate.plan.model import PhasePlan
from nixmigrate.plan.packages import installed, installed_attr, unmapped_formulae
from nixmigrate.plan.phases import PHASES, Phase
from nixmigrate.plan.program_files import describe_clash, describe_login_shell
from nixmigrate.resolution import Resolution


def packages_phase(facts: Facts) -> PhasePlan:
    options, host = facts.options, facts.inventory.host
    return PhasePlan(
        phase=Phase.PACKAGES,
        title=PHASES[Phase.PACKAGES].title,
        preconditions=("phase 1 builds",),
        commands=(build_command(options, host), switch_command(options, host)),
        verify=_verify(facts),
        undo=(
            rollback_command(options),
            "brew still has every formula: nothing was uninstalled",
        ),
        notes=_notes(facts),
    )


def _profile_bin(facts: Facts) -> str:
    options = facts.options
    if options.is_darwin:
        return f"/etc/profiles/per-user/{options.user}/bin"
    return f"{options.home}/.nix-profile/bin"


def _verify(facts: Facts) -> tuple[str, ...]:
    packages = facts.packages_before_programs.packages["common"]
    example = packages[0].rsplit(".", 1)[-1] if packages else None
    checks = [
        f"commands from Nix resolve into {_profile_bin(facts)} (open a new shell)"
    ]
    if example:
        checks.append(f"`command -v {example}` (for a package of the same name)")
    return tuple(checks)


def _notes(facts: Facts) -> tuple[str, ...]:
    pkgs = facts.packages_before_programs
    notes: list[str] = []
    if pkgs.unfree:
        notes.append(f"unfree packages allowed by name: {', '.join(pkgs.unfree)}")
    if pkgs.packages["darwin"]:
        notes.append(
            f"macOS-only packages (home/darwin.nix): {', '.join(pkgs.packages['darwin'])}"
        )
    if pkgs.packages["linux"]:
        notes.append(
            f"Linux-only packages (home/linux.nix): {', '.join(pkgs.packages['linux'])}"
        )
    notes.extend(_clash_notes(facts))
    unmapped = unmapped_formulae(facts.inventory, darwin=facts.options.is_darwin)
    if unmapped:
        where = "homebrew.brews" if facts.options.is_darwin else "Homebrew"
        notes.append(f"no Nix mapping, kept in {where}: {', '.join(unmapped)}")
    if facts.options.is_darwin and pkgs.brews:
        notes.append(
            'homebrew.enable is on with onActivation.cleanup = "none": nothing is '
            "uninstalled by a switch"
        )
    return tuple(notes)


def _clash_notes(facts: Facts) -> list[str]:
    """One note per program left disabled because its files are the user's."""
    chosen = installed(facts.inventory.resolutions)
    convertible = {c.program for c in CONVERTERS}
    notes: list[str] = []
    for clash in facts.clashes:
        res = _resolution(clash.program, chosen)
        notes.append(
            describe_clash(
                clash,
                installed_attr(clash.program, res.attr if res else None),
                convertible=clash.program in convertible,
                converted=clash.program in facts.declarative.programs,
            )
        )
    clashed = {clash.program for clash in facts.clashes}
    for shell in facts.login_shells:
        if shell not in clashed:
            res = _resolution(shell, chosen)
            attr = installed_attr(shell, res.attr if res else None)
            notes.append(describe_login_shell(shell, attr))
    return notes


def _resolution(program: str, chosen: tuple[Resolution, ...]) -> Resolution | None:
    return next((r for r in chosen if r.program == program), None)
