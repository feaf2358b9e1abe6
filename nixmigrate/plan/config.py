"""The generated configuration as values: every decision made, nothing rendered yet.

The planner builds one `ConfigModel` for "phases 1..N"; `render/outputs.py` turns it
into files. Templates only place these values; they choose nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

# The newest Home Manager / NixOS release this version knows: the stateVersion of a new
# configuration. An existing one keeps its own (see StateVersions). Change it together
# with the option lists in render/options/ and say so in the CHANGELOG.
NEWEST_RELEASE: Final = "26.11"
HOME_STATE_VERSION: Final = NEWEST_RELEASE
NIXOS_STATE_VERSION: Final = NEWEST_RELEASE
DARWIN_STATE_VERSION: Final = 7  # nix-darwin counts its own (system.maxStateVersion)
BACKUP_EXTENSION: Final = "before-nix"

LinkOption = Literal["xdg.configFile", "home.file"]


def home_module_path(bucket: str) -> str:
    """home/common.nix, home/darwin.nix, home/linux.nix."""
    return f"home/{bucket}.nix"


@dataclass(frozen=True, slots=True)
class StateVersions:
    """The stateVersions to write: the newest release for a new configuration, or the
    ones the generated files already have, which must never change under the user."""

    home: str = HOME_STATE_VERSION
    nixos: str = NIXOS_STATE_VERSION
    darwin: int = DARWIN_STATE_VERSION


@dataclass(frozen=True, slots=True)
class FlakeInput:
    name: str
    url: str
    follows_nixpkgs: bool = True


@dataclass(frozen=True, slots=True)
class FlakeOutput:
    """One `darwinConfigurations` / `homeConfigurations` / `nixosConfigurations` entry.

    `modules` are module expressions from flake inputs (fixed strings chosen by the
    planner, e.g. `inputs.home-manager.darwinModules.home-manager`); `host_dir` is the
    config-dir relative directory of the host's own module.
    """

    kind: Literal["darwin", "home", "nixos"]
    key: str
    system: str
    host_dir: str
    modules: tuple[str, ...] = ()
    unfree: bool = False  # standalone home: the flake builds pkgs with the predicate
    builder: str = "inputs.nixpkgs.lib.nixosSystem"  # nixos: the function called
    special_inputs: tuple[str, ...] = ()  # nixos: inputs passed in specialArgs by name


@dataclass(frozen=True, slots=True)
class BinaryCache:
    """A substituter the flake's `nixConfig` offers, with its public key."""

    url: str
    public_key: str


@dataclass(frozen=True, slots=True)
class FlakeModel:
    inputs: tuple[FlakeInput, ...]
    outputs: tuple[FlakeOutput, ...]
    caches: tuple[BinaryCache, ...] = ()


@dataclass(frozen=True, slots=True)
class ProgramEnable:
    """`programs.<name>.enable = true;` and `package` only when it is not the default."""

    name: str
    package: str | None = None  # nixpkgs attribute path


@dataclass(frozen=True, slots=True)
class MutableLink:
    """A home-manager link to a file in the dotfiles repo, outside the Nix store."""

    option: LinkOption
    name: str  # the key under `option` (relative to ~/.config or to ~)
    source: str  # relative to the home directory when `under_home`, else absolute
    under_home: bool
    home_path: str  # the link's path relative to home, e.g. ".config/nvim"
    package: str  # the Stow package it comes from


@dataclass(frozen=True, slots=True)
class HomeModule:
    relpath: str  # home/common.nix, home/darwin.nix, home/linux.nix
    imports: tuple[str, ...] = ()  # paths relative to this file
    packages: tuple[str, ...] = ()  # nixpkgs attribute paths
    programs: tuple[ProgramEnable, ...] = ()
    links: tuple[MutableLink, ...] = ()
    state_version: str | None = None  # only in common.nix
    settings: tuple[tuple[str, object], ...] = ()  # option path, value (see
    # plan/module_requirements.py: what enabled modules' assertions demand)


@dataclass(frozen=True, slots=True)
class ProgramModule:
    """`home/programs/<name>.nix`: one program with its settings."""

    relpath: str
    name: str
    package: str | None = None
    values: tuple[tuple[str, object], ...] = ()  # option below programs.<name>, value


@dataclass(frozen=True, slots=True)
class MasApp:
    name: str
    id: int


@dataclass(frozen=True, slots=True)
class BundleEntry:
    """One `homebrew.brews`/`casks`/`taps` entry: a name, or a nix-darwin submodule
    when the Brewfile gave it options (under their Brewfile names)."""

    name: str
    options: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HomebrewModel:
    """`hosts/<host>/homebrew.nix` (nix-darwin `homebrew` + nix-homebrew)."""

    relpath: str
    user: str
    brews: tuple[BundleEntry, ...] = ()
    casks: tuple[BundleEntry, ...] = ()
    casks_left_installed: tuple[BundleEntry, ...] = ()  # listed so cleanup keeps them
    taps: tuple[BundleEntry, ...] = ()
    mas_apps: tuple[MasApp, ...] = ()
    cask_args: Mapping[str, object] = field(default_factory=dict)
    vscode: tuple[str, ...] = ()
    go_packages: tuple[str, ...] = ()
    cargo_packages: tuple[str, ...] = ()
    extra_config: tuple[str, ...] = ()  # Brewfile lines nix-darwin has no option for
    cleanup: Literal["none", "uninstall", "zap"] = "none"
    nix_homebrew: bool = False
    rosetta: bool = False


@dataclass(frozen=True, slots=True)
class ServiceEnable:
    """`services.<x>.enable = true;` (+ `package = pkgs.<attr>;` when not the default)."""

    option: str  # "services.yabai"
    package: str | None = None


@dataclass(frozen=True, slots=True)
class DarwinHost:
    relpath: str  # hosts/<host>/default.nix
    system: str
    user: str
    home: str
    home_imports: tuple[str, ...]  # relative to the host file
    imports: tuple[str, ...] = ()
    unfree: bool = False
    nix_enable: bool = True
    touch_id: bool = False
    defaults: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    sops: bool = False
    services: tuple[ServiceEnable, ...] = ()  # nix-darwin services (phase 7)
    state_version: int = DARWIN_STATE_VERSION
    backup_extension: str = BACKUP_EXTENSION


@dataclass(frozen=True, slots=True)
class NixosHost:
    relpath: str
    hostname: str
    system: str
    user: str
    home: str
    home_imports: tuple[str, ...]
    imports: tuple[str, ...] = ()  # e.g. ./hardware-configuration.nix
    raspberry_pi_model: str | None = None  # "5", "4", "3", "02": board from the flake
    systemd_boot: bool = False
    unfree: bool = False
    sops: bool = False
    state_version: str = NIXOS_STATE_VERSION
    backup_extension: str = BACKUP_EXTENSION


@dataclass(frozen=True, slots=True)
class HomeHost:
    """A standalone home-manager machine: `hosts/<host>/default.nix` is a HM module."""

    relpath: str
    user: str
    home: str
    imports: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConfigModel:
    flake: FlakeModel
    home_modules: tuple[HomeModule, ...]
    program_modules: tuple[ProgramModule, ...] = ()
    darwin_hosts: tuple[DarwinHost, ...] = ()
    nixos_hosts: tuple[NixosHost, ...] = ()
    home_hosts: tuple[HomeHost, ...] = ()
    homebrew: tuple[HomebrewModel, ...] = ()
    unfree: tuple[str, ...] = ()  # package names (lib.getName) allowed although unfree
    gitignore: tuple[str, ...] = ("result", "result-*")
