"""What the user chose for a plan: where, for whom, how far, and the converted configs.

The CLI fills these from the scan (`HostInfo`) and its flags; the planner only reads them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Final, Literal, Protocol

from nixmigrate.errors import UsageError
from nixmigrate.plan.boards import DEFAULT_PI_MODEL, PI_MODELS
from nixmigrate.plan.config import StateVersions
from nixmigrate.plan.phases import Phase

HostKind = Literal["nixos", "raspberry-pi", "standalone"]
HOST_KINDS: Final[tuple[HostKind, ...]] = ("nixos", "raspberry-pi", "standalone")
DARWIN_SYSTEMS: Final = frozenset({"aarch64-darwin", "x86_64-darwin"})
LINUX_SYSTEMS: Final = frozenset({"x86_64-linux", "aarch64-linux"})
DEFAULT_CONFIG_DIR: Final = "~/nix-config"

_NOT_IN_LABEL: Final = re.compile(r"[^A-Za-z0-9-]+")
_MAX_LABEL: Final = 63


@dataclass(frozen=True, slots=True)
class SecondHost:
    """The Linux machine phase 6 adds, sharing `home/common.nix` with the first one."""

    name: str  # flake attribute, `hosts/<name>/` and networking.hostName
    system: str  # x86_64-linux | aarch64-linux
    kind: HostKind
    user: str = ""  # "" means the same user as on the first machine
    address: str = ""  # ssh address for deploys; "" means `name`
    pi_model: str = DEFAULT_PI_MODEL  # raspberry-pi only: one of PI_MODELS


@dataclass(frozen=True, slots=True)
class GitInclude:
    """One `programs.git.includes` entry: an `[include]` or `[includeIf "cond"]`."""

    path: str
    condition: str | None = None


@dataclass(frozen=True, slots=True)
class SecretFile:
    """A file that holds credentials: it stays a mutable link, never enters the store.

    `path` is home-relative (`.config/gh/hosts.yml`) or relative to its Stow package.
    """

    path: str
    reason: str = "it holds credentials"


class SecretLike(Protocol):
    """Anything naming a secret file and why (SecretFile, the converters' findings)."""

    @property
    def path(self) -> str: ...

    @property
    def reason(self) -> str: ...


GitIncludeLike = GitInclude | str | Mapping[str, str]


@dataclass(frozen=True, slots=True)
class DeclarativeConfigs:
    """Configs already converted to plain values (phase 4 and 5 inputs).

    `git_settings` is the `programs.git.settings` value; `starship_settings` the
    `programs.starship.settings` value; `macos_defaults` maps a `system.defaults` group
    (`dock`, `NSGlobalDomain`, `CustomUserPreferences`, ...) to its keys and values.
    A plain string in `git_includes` or `secrets` is a path with no further detail; an
    include may also be a `{"path": ..., "condition": ...}` mapping.
    """

    git_settings: Mapping[str, object] | None = None
    git_includes: tuple[GitIncludeLike, ...] = ()
    starship_settings: Mapping[str, object] | None = None
    secrets: tuple[SecretLike | str, ...] = ()
    macos_defaults: Mapping[str, Mapping[str, object]] = field(default_factory=dict)

    def includes(self) -> tuple[GitInclude, ...]:
        return tuple(_git_include(i) for i in self.git_includes)

    def secret_files(self) -> tuple[SecretFile, ...]:
        found = {
            SecretFile(s) if isinstance(s, str) else SecretFile(s.path, s.reason)
            for s in self.secrets
        }
        return tuple(sorted(found, key=lambda s: (s.path, s.reason)))


def _git_include(raw: GitIncludeLike) -> GitInclude:
    if isinstance(raw, GitInclude):
        return raw
    if isinstance(raw, str):
        return GitInclude(raw)
    return GitInclude(raw["path"], raw.get("condition"))


@dataclass(frozen=True, slots=True)
class PlanOptions:
    config_dir: str  # where the flake is written, e.g. /Users/jane/nix-config
    hostname: str  # the flake attribute of this machine (see sanitize_host_name)
    user: str
    system: str  # aarch64-darwin, x86_64-darwin, x86_64-linux, aarch64-linux
    home: str  # the user's home directory, absolute
    dotfiles_dir: str = ""  # "" means the Stow directory the scan found
    through: Phase = Phase.CLEANUP
    touch_id: bool = False
    second_host: SecondHost | None = None
    sops: bool = False
    declarative: DeclarativeConfigs = field(default_factory=DeclarativeConfigs)
    homebrew_zap: bool = False  # phase 7 cleanup "zap" instead of "uninstall"
    determinate_nix: bool = (
        False  # Determinate Nix manages nix.conf: nix.enable = false
    )
    state_versions: StateVersions = field(default_factory=StateVersions)

    @property
    def is_darwin(self) -> bool:
        return self.system in DARWIN_SYSTEMS


def sanitize_host_name(raw: str, *, fallback: str = "host") -> str:
    """A name usable as flake attribute, directory and hostname: `Jane's MBP` -> `Janes-MBP`.

    Keeps the first DNS label (`mbp.local` -> `mbp`), drops apostrophes, turns other
    runs of characters outside `A-Za-z0-9-` into one `-`.
    """
    label = raw.strip().split(".", 1)[0].replace("'", "").replace("\u2019", "")
    cleaned = _NOT_IN_LABEL.sub("-", label).strip("-")[:_MAX_LABEL].strip("-")
    return cleaned or fallback


def expand_home(path: str, home: str) -> str:
    """`~/x` -> `<home>/x` (the plan is pure: no environment lookups)."""
    if path == "~":
        return home
    if path.startswith("~/"):
        return home.rstrip("/") + path[1:]
    return path


def resolved_options(options: PlanOptions) -> PlanOptions:
    """The options with `~` expanded, checked: what the planner works from."""
    options = replace(
        options,
        config_dir=expand_home(options.config_dir, options.home),
        dotfiles_dir=expand_home(options.dotfiles_dir, options.home),
    )
    validate_options(options)
    return options


def validate_options(options: PlanOptions) -> None:
    """Raise UsageError for a combination the planner cannot turn into a working flake."""
    supported = DARWIN_SYSTEMS | LINUX_SYSTEMS
    if options.system not in supported:
        msg = f"unsupported system '{options.system}'"
        raise UsageError(msg, hint=f"use one of {', '.join(sorted(supported))}")
    if sanitize_host_name(options.hostname) != options.hostname:
        msg = f"host name '{options.hostname}' cannot be a flake attribute as is"
        raise UsageError(msg, hint=f"use '{sanitize_host_name(options.hostname)}'")
    if not options.user or not options.home.startswith("/"):
        msg = f"need a user and an absolute home directory (got '{options.home}')"
        raise UsageError(msg, hint="pass --user and check $HOME")
    config_dir = options.config_dir
    if not config_dir.startswith("/") or "#" in config_dir or "?" in config_dir:
        msg = f"config directory '{config_dir}' cannot be used in a flake URL"
        raise UsageError(msg, hint="choose an absolute path without '#' or '?'")
    if options.second_host is not None:
        _validate_second_host(options.second_host, options.hostname)


def _validate_second_host(host: SecondHost, first: str) -> None:
    if host.system not in LINUX_SYSTEMS:
        msg = f"second machine system '{host.system}' is not a Linux system"
        raise UsageError(msg, hint="use x86_64-linux or aarch64-linux")
    if host.kind == "raspberry-pi" and host.system != "aarch64-linux":
        msg = "a Raspberry Pi host must be aarch64-linux"
        raise UsageError(msg, hint="pass --second-system aarch64-linux")
    if host.kind == "raspberry-pi" and host.pi_model not in PI_MODELS:
        msg = f"unknown Raspberry Pi model '{host.pi_model}'"
        raise UsageError(msg, hint=f"use one of {', '.join(PI_MODELS)}")
    if sanitize_host_name(host.name) != host.name or host.name == first:
        msg = f"second machine name '{host.name}' is not usable"
        raise UsageError(msg, hint="choose a short name different from this machine's")
