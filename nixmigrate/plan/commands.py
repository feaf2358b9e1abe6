"""The commands a plan runs or tells the user to run, built as argv (pure)."""

from __future__ import annotations

import shlex
from typing import Final

from nixmigrate.plan.config import BACKUP_EXTENSION
from nixmigrate.plan.hosts import RASPBERRY_PI_FLAKE
from nixmigrate.plan.options import PlanOptions, SecondHost
from nixmigrate.scan.inventory import HostInfo

# flakes may not be enabled yet in a fresh Nix installation
NIX_FLAKES: Final = ("nix", "--extra-experimental-features", "nix-command flakes")
DARWIN_REBUILD_FLAKE: Final = "nix-darwin/master#darwin-rebuild"
HOME_MANAGER_FLAKE: Final = "home-manager/master"
NIXOS_REBUILD_FLAKE: Final = "nixpkgs#nixos-rebuild"  # nixos-rebuild-ng since 25.11
# nixos-rebuild-ng's flag for activating with sudo on --target-host (was --use-remote-sudo)
NIXOS_REBUILD_SUDO: Final = "--sudo"


def flake_ref(options: PlanOptions, attr: str) -> str:
    return f"{options.config_dir}#{attr}"


def primary_attr(options: PlanOptions) -> str:
    return options.hostname if options.is_darwin else options.user


def _tool_installed(options: PlanOptions, host: HostInfo) -> bool:
    return host.nix_darwin if options.is_darwin else host.home_manager


def rebuild_argv(
    options: PlanOptions, action: str, *, installed: bool
) -> tuple[str, ...]:
    """`darwin-rebuild ACTION` / `home-manager ACTION` for this machine's flake output.

    When the tool is not installed yet, the same command runs through `nix run`.
    nix-darwin activates as root, so its switch runs under sudo.
    """
    ref = flake_ref(options, primary_attr(options))
    if options.is_darwin:
        tool = (
            ("darwin-rebuild",)
            if installed
            else (*NIX_FLAKES, "run", DARWIN_REBUILD_FLAKE, "--")
        )
        sudo = ("sudo",) if action == "switch" else ()
        return (*sudo, *tool, action, "--flake", ref)
    tool = (
        ("home-manager",)
        if installed
        else (*NIX_FLAKES, "run", HOME_MANAGER_FLAKE, "--")
    )
    backup = ("-b", BACKUP_EXTENSION) if action == "switch" else ()
    return (*tool, action, *backup, "--flake", ref)


def build_command(options: PlanOptions, host: HostInfo) -> str:
    return shlex.join(
        rebuild_argv(options, "build", installed=_tool_installed(options, host))
    )


def switch_command(options: PlanOptions, host: HostInfo) -> str:
    return shlex.join(
        rebuild_argv(options, "switch", installed=_tool_installed(options, host))
    )


def activate_argv(options: PlanOptions, *, installed: bool) -> tuple[str, ...]:
    return rebuild_argv(options, "switch", installed=installed)


def rollback_command(options: PlanOptions) -> str:
    if options.is_darwin:
        return "sudo darwin-rebuild --rollback"
    return "home-manager generations, then run `activate` in the previous generation"


def deploy_command(options: PlanOptions, other: SecondHost, user: str) -> str:
    """How the second machine gets its configuration."""
    if other.kind == "standalone":
        ref = f".#{user}@{other.name}"
        argv = (*NIX_FLAKES, "run", HOME_MANAGER_FLAKE, "--", "switch", "--flake", ref)
        return f"on {other.name}, in a clone of this repository: {shlex.join(argv)}"
    target = f"{user}@{other.address or other.name}"
    build_remote = ("--build-host", target) if other.system != options.system else ()
    argv = (
        *NIX_FLAKES,
        "run",
        NIXOS_REBUILD_FLAKE,
        "--",
        "switch",
        "--flake",
        flake_ref(options, other.name),
        "--target-host",
        target,
        *build_remote,
        NIXOS_REBUILD_SUDO,
    )
    return shlex.join(argv)


def sd_image_command(options: PlanOptions, other: SecondHost) -> str:
    """The host's own SD card image, from nixos-raspberrypi's sd-image module."""
    attr = f"nixosConfigurations.{other.name}.config.system.build.sdImage"
    argv = (*NIX_FLAKES, "build", "--accept-flake-config", flake_ref(options, attr))
    return shlex.join(argv)


def installer_image_command(other: SecondHost) -> str:
    """nixos-raspberrypi's own installer image for the board (its `installerImages`)."""
    attr = f"installerImages.rpi{other.pi_model}"
    argv = (
        *NIX_FLAKES,
        "build",
        "--accept-flake-config",
        f"{RASPBERRY_PI_FLAKE}#{attr}",
    )
    return shlex.join(argv)
