"""Phase 1: the flake skeleton beside Homebrew. Nothing in $HOME changes."""

from __future__ import annotations

from typing import Final

from nixmigrate.plan.commands import build_command
from nixmigrate.plan.facts import Facts
from nixmigrate.plan.model import PhasePlan
from nixmigrate.plan.phases import PHASES, Phase

NIX_INSTALL: Final = (
    "sh <(curl --proto '=https' --tlsv1.2 -L https://nixos.org/nix/install) --daemon"
)
_LOW_DISK_BYTES: Final = 10 * 1024**3


def foundation_phase(facts: Facts) -> PhasePlan:
    options, host = facts.options, facts.inventory.host
    build = build_command(options, host)
    return PhasePlan(
        phase=Phase.FOUNDATION,
        title=PHASES[Phase.FOUNDATION].title,
        preconditions=(_nix_precondition(host.nix_version),),
        commands=(f"cd {options.config_dir}", build),
        verify=(
            "the build ends without an error and leaves a ./result link",
            f"nix flake show {options.config_dir} lists this machine",
        ),
        undo=(f"delete {options.config_dir}; nothing else was changed",),
        notes=_notes(facts),
    )


def _nix_precondition(nix_version: str | None) -> str:
    if nix_version is None:
        return (
            f"Nix is not installed: install it with `{NIX_INSTALL}` and open a new "
            "terminal (with the Determinate installer, plan with --determinate-nix)"
        )
    return f"Nix {nix_version} is installed"


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
