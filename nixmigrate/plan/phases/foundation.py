"""Phase 1: the flake skeleton beside Homebrew. Nothing in $HOME changes."""

from __future__ import annotations

from typing import Final

from nixmigrate.plan.commands import build_command
from nixmigrate.plan.facts import Facts
from nixmigrate.plan.model import PhasePlan
from nixmigrate.plan.options import PlanOptions
from nixmigrate.plan.phases import PHASES, Phase
from nixmigrate.scan.inventory import HostInfo

NIX_INSTALL: Final = (
    "sh <(curl --proto '=https' --tlsv1.2 -L https://nixos.org/nix/install) --daemon"
)
DETERMINATE_INSTALL: Final = (
    "curl --proto '=https' --tlsv1.2 -sSf -L https://install.determinate.systems/nix"
    " | sh -s -- install"
)
_FLAVOR_NAMES: Final = {"determinate": "Determinate Nix", "lix": "Lix", "nix": "Nix"}
_LOW_DISK_BYTES: Final = 10 * 1024**3


def foundation_phase(facts: Facts) -> PhasePlan:
    options, host = facts.options, facts.inventory.host
    build = build_command(options, host)
    return PhasePlan(
        phase=Phase.FOUNDATION,
        title=PHASES[Phase.FOUNDATION].title,
        preconditions=(_nix_precondition(options, host),),
        commands=(f"cd {options.config_dir}", build),
        verify=(
            "the build ends without an error and leaves a ./result link",
            f"nix flake show {options.config_dir} lists this machine",
        ),
        undo=(f"delete {options.config_dir}; nothing else was changed",),
        notes=_notes(facts),
    )


def _nix_precondition(options: PlanOptions, host: HostInfo) -> str:
    """What to install, matching what the scan found and what the plan assumes."""
    # inventories scanned before nix_flavor existed have only the version
    flavor = host.nix_flavor or ("nix" if host.nix_version else None)
    if flavor is None:
        return _install_advice(determinate=options.determinate_nix)
    name = _FLAVOR_NAMES.get(flavor, "Nix")
    found = f"{name} {host.nix_version or '(version unknown)'} is installed"
    if not options.is_darwin:
        return found
    return _who_runs_the_daemon(found, flavor, determinate=options.determinate_nix)


def _install_advice(*, determinate: bool) -> str:
    if determinate:
        return (
            f"Nix is not installed: install Determinate Nix with "
            f"`{DETERMINATE_INSTALL}` and open a new terminal"
        )
    return (
        f"Nix is not installed: install it with `{NIX_INSTALL}` and open a new "
        "terminal (or install Determinate Nix and plan with --determinate-nix)"
    )


def _who_runs_the_daemon(found: str, flavor: str, *, determinate: bool) -> str:
    """nix-darwin's nix.enable against the Nix that is installed."""
    if determinate and flavor == "determinate":
        return (
            f"{found} and manages the Nix daemon and /etc/nix/nix.conf itself, so "
            "nix-darwin leaves them alone (nix.enable = false)"
        )
    if determinate:
        return (
            f"{found}, but the plan is for Determinate Nix (nix.enable = false): "
            "plan with --no-determinate-nix to let nix-darwin manage this Nix"
        )
    if flavor == "determinate":
        return (
            f"{found}, but the plan lets nix-darwin manage the Nix daemon "
            "(nix.enable = true), which Determinate Nix refuses: plan with "
            "--determinate-nix"
        )
    return (
        f"{found}; nix-darwin takes over its daemon and /etc/nix/nix.conf "
        "(nix.enable = true)"
    )


def _notes(facts: Facts) -> tuple[str, ...]:
    notes = [
        (
            "only files in the config directory are written; Homebrew and your dotfiles "
            "stay as they are"
        ),
        (
            "flakes only see files git tracks: after adding a file, run `git add` in the "
            "config directory"
        ),
    ]
    free = facts.inventory.host.nix_free_bytes
    if free is not None and free < _LOW_DISK_BYTES:
        notes.append(
            f"only {free // 1024**3} GiB free where /nix lives; builds need several GiB"
        )
    return tuple(notes)
