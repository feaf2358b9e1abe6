"""Phase 6: a second (Linux/NixOS) machine sharing home/common.nix."""

from __future__ import annotations

from nixmigrate.plan.assemble import links_for
from nixmigrate.plan.commands import (
    deploy_command,
    installer_image_command,
    sd_image_command,
)
from nixmigrate.plan.facts import Facts
from nixmigrate.plan.homebrew import kept_casks, mas_apps
from nixmigrate.plan.hosts import second_user
from nixmigrate.plan.links import is_darwin_only
from nixmigrate.plan.model import PhasePlan
from nixmigrate.plan.options import SecondHost
from nixmigrate.plan.phases import PHASES, Phase


def second_host_phase(facts: Facts) -> PhasePlan:
    title = PHASES[Phase.SECOND_MACHINE].title
    other = facts.options.second_host
    if other is None:
        note = "no second machine chosen (plan with --second-host NAME to add one)"
        return PhasePlan(phase=Phase.SECOND_MACHINE, title=title, notes=(note,))
    user = second_user(facts.options, other)
    return PhasePlan(
        phase=Phase.SECOND_MACHINE,
        title=title,
        preconditions=_preconditions(other, user),
        commands=_commands(facts, other, user),
        verify=(f"ssh {user}@{other.address or other.name} home-manager generations",),
        undo=_undo(other),
        notes=_notes(facts, other),
    )


def _preconditions(other: SecondHost, user: str) -> tuple[str, ...]:
    address = other.address or other.name
    if other.kind == "standalone":
        return (
            f"Nix is installed on {other.name} and this repository is cloned there",
        )
    sudo = (
        f"`ssh {user}@{address}` works and {user} may use sudo there (if sudo asks "
        "for a password, add --ask-sudo-password to the deploy command)"
    )
    found = [sudo]
    if other.kind == "nixos":
        found.append(
            f"copy /etc/nixos/hardware-configuration.nix from {other.name} to "
            f"hosts/{other.name}/ and `git add` it"
        )
    else:
        found.append(
            f"{other.name} runs NixOS already, or boots the SD image built below; set a "
            f"password or SSH key for {user} in hosts/{other.name} before building it"
        )
    return tuple(found)


def _commands(facts: Facts, other: SecondHost, user: str) -> tuple[str, ...]:
    deploy = deploy_command(facts.options, other, user)
    if other.kind == "raspberry-pi":
        return (sd_image_command(facts.options, other), deploy)
    return (deploy,)


def _undo(other: SecondHost) -> tuple[str, ...]:
    if other.kind == "standalone":
        return (
            f"on {other.name}: home-manager generations, then activate an older one",
        )
    return (f"on {other.name}: sudo nixos-rebuild switch --rollback",)


def _notes(facts: Facts, other: SecondHost) -> tuple[str, ...]:
    left_out = _darwin_only_items(facts)
    notes = [
        "home/common.nix is shared; home/darwin.nix is not imported on this machine",
        (
            "links into the dotfiles repo need the repo cloned at the same place under the "
            f"home directory on {other.name}"
        ),
    ]
    if left_out:
        notes.append(f"left out on {other.name} (macOS only): {', '.join(left_out)}")
    if other.kind == "raspberry-pi":
        notes.extend(_raspberry_pi_notes(facts, other))
    if other.system != facts.options.system:
        notes.append(f"{other.system} is built on {other.name} itself (--build-host)")
    return tuple(notes)


def _raspberry_pi_notes(facts: Facts, other: SecondHost) -> list[str]:
    notes = [
        (
            f"Raspberry Pi {other.pi_model} support comes from nvmd/nixos-raspberrypi "
            f"(board module raspberry-pi-{other.pi_model}.base); flake.nix offers its "
            "binary cache in nixConfig so the vendor kernel is downloaded, not built "
            "(Nix uses it for trusted users; otherwise add it to nix.conf)"
        ),
        (
            "instead of this host's own image you may boot nixos-raspberrypi's "
            f"installer image (`{installer_image_command(other)}`, credentials shown "
            "on its screen) and deploy to it as root"
        ),
    ]
    if facts.options.system != other.system:
        notes.append(
            f"building the {other.system} image on this machine needs an "
            f"{other.system} builder (a remote builder in nix.conf's `builders`)"
        )
    return notes


def _darwin_only_items(facts: Facts) -> list[str]:
    packages = facts.packages_with_programs
    items = [f"pkgs.{attr}" for attr in packages.packages["darwin"]]
    items.extend(f"programs.{p.name}" for p in packages.programs["darwin"])
    if facts.options.is_darwin:
        items.extend(f"cask {c}" for c in kept_casks(facts.inventory))
        items.extend(f"Mac App Store {a.name}" for a in mas_apps(facts.inventory))
        items.extend(f"brew {b}" for b in packages.brews)
        # on a Linux machine its ~/Library links are in linux.nix, shared with Linux
        items.extend(
            f"~/{link.home_path}"
            for link in links_for(facts, Phase.CLEANUP)
            if is_darwin_only(link)
        )
    return items
