"""What a plan asks `apply` to do, as plain values.

Generated configuration files are `WriteFile`s (paths relative to the config dir). Steps
that change the home directory or Homebrew are the other kinds; each has a known inverse
that the checkpoint records before the step runs.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WriteFile:
    relpath: str  # relative to the config dir, e.g. "home/common.nix"
    content: str
    mode: int = 0o644

    def describe(self) -> str:
        return f"write {self.relpath}"


@dataclass(frozen=True, slots=True)
class Unstow:
    """`stow -D` one package; `links` are the paths (relative to target) that go away."""

    package: str
    stow_dir: str
    target: str
    links: tuple[str, ...] = ()
    dotfiles: bool = False  # the package was stowed with --dotfiles
    no_folding: bool = False  # ... and with --no-folding (re-stowed the same way)
    # the --ignore, --defer and --override patterns of the .stowrc files Stow read
    # when the package was stowed: the stow directory's own is read only from inside
    # it, and apply, rollback and the commands a plan prints run stow from anywhere
    ignore: tuple[str, ...] = ()
    defer: tuple[str, ...] = ()
    override: tuple[str, ...] = ()

    def describe(self) -> str:
        count = len(self.links)
        links = "1 link" if count == 1 else f"{count} links"
        return f"unstow {self.package} ({links} in {self.target})"

    def flags(self) -> tuple[str, ...]:
        """The options the package was stowed with, for `stow` and `stow -D` alike."""
        return (
            *(["--dotfiles"] if self.dotfiles else []),
            *(["--no-folding"] if self.no_folding else []),
            *(f"--ignore={pattern}" for pattern in self.ignore),
            *(f"--defer={pattern}" for pattern in self.defer),
            *(f"--override={pattern}" for pattern in self.override),
        )


@dataclass(frozen=True, slots=True)
class BrewUninstall:
    """`brew uninstall NAME`; inverse `brew install NAME`. Casks are never uninstalled.

    With `stop_service`, `brew services stop NAME` runs first (inverse
    `brew services start NAME`): its nix-darwin service takes over at the switch.
    """

    name: str
    reason: str = ""
    stop_service: bool = False

    def describe(self) -> str:
        if self.stop_service:
            return f"brew services stop {self.name}, brew uninstall {self.name}"
        return f"brew uninstall {self.name}"


@dataclass(frozen=True, slots=True)
class LaunchdService:
    """A service the switch must leave loaded: `launchctl print DOMAIN/LABEL`."""

    option: str  # the nix-darwin option, e.g. "services.yabai"
    label: str  # e.g. "org.nixos.yabai"
    domain: str = "gui"  # "gui" (the user's, gui/<uid>) or "system"


@dataclass(frozen=True, slots=True)
class Archive:
    """Move a directory aside (`mv src dst`); inverse `mv dst src`."""

    src: str
    dst: str

    def describe(self) -> str:
        return f"archive {self.src} -> {self.dst}"


@dataclass(frozen=True, slots=True)
class Activate:
    """The switch (`darwin-rebuild switch --flake DIR#HOST` or `home-manager switch ...`).

    After it runs, every path in `managed` (relative to home) must be a link that
    home-manager made (it resolves into /nix/store), and every one of `services` must
    be loaded in launchd; otherwise the phase is rolled back.
    """

    argv: tuple[str, ...]
    managed: tuple[str, ...] = ()
    services: tuple[LaunchdService, ...] = ()  # checked with `launchctl print`
    stops: tuple[str, ...] = ()  # brew services to stop first: the switch replaces them

    def describe(self) -> str:
        stopping = "".join(f"brew services stop {name}, " for name in self.stops)
        return f"{stopping}activate: {shlex.join(self.argv)}"


Step = Unstow | BrewUninstall | Archive | Activate
