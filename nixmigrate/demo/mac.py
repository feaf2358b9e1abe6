"""The demo's Mac: recorded Homebrew, a simulated switch, and real git/nix where present.

`nixmigrate demo` runs the real scan, plan, apply and rollback code against this
Runner. Reading commands replay what a real Mac printed; the commands that would
change a Mac (brew install/uninstall, brew services start/stop, darwin-rebuild switch,
launchctl) are simulated inside the demo's temporary directory, and say so when they
are echoed.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nixmigrate.demo.dotfiles_setup import link_package, unlink_package
from nixmigrate.system.fs import LocalFS
from nixmigrate.system.replay import ReplayRunner
from nixmigrate.system.runner import DEFAULT_TIMEOUT, CompletedProcess, SubprocessRunner

REPLAYED = frozenset({"brew", "mas", "sw_vers", "scutil"})
BREW_PREFIX = "/opt/homebrew"


def _quiet(_: str) -> None:
    return None


@dataclass
class DemoMac:
    recording: Path
    root: Path  # the demo's temporary directory
    home: Path
    dotfiles: Path
    echo: Callable[[str], None] = _quiet
    formulae: dict[str, str] = field(default_factory=dict)  # installed: name -> version
    casks: tuple[str, ...] = ()
    nix_commands: set[str] = field(default_factory=set)  # on PATH after a switch
    switch_links: dict[str, str | None] = field(default_factory=dict)  # path -> source
    started: set[str] = field(default_factory=set)  # brew services running
    switch_services: set[str] = field(default_factory=set)  # labels a switch loads
    loaded: set[str] = field(default_factory=set)  # launchd labels loaded now
    live_services: bool = False  # `brew services list` answers from `started`
    simulated: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._replay = ReplayRunner(self.recording, echo=self.echo)
        self._real = SubprocessRunner(echo=self.echo)

    @property
    def store(self) -> Path:
        return self.root / "nix" / "store"

    @property
    def profile(self) -> Path:
        return self.root / "nix" / "profile"

    def which(self, name: str) -> str | None:
        if name in self.nix_commands:
            return str(self.profile / "bin" / name)
        if name in REPLAYED:
            return self._replay.which(name)
        if name == "stow":
            return self._real.which(name) or "/usr/local/bin/stow"
        if name in {"darwin-rebuild", "defaults"}:
            return None
        return self._real.which(name)

    def run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        env: Mapping[str, str] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        cwd: str | None = None,
        input_text: str | None = None,
    ) -> CompletedProcess[str]:
        args = list(argv)
        if Path(args[0]).name == "launchctl":
            return self._launchctl(args)
        simulated = self._simulate(args)
        if simulated is not None:
            self.echo(f"$ {shlex.join(args)}   (simulated in the demo)")
            self.simulated.append(shlex.join(args))
            return CompletedProcess(args, 0, simulated, "")
        runner = self._replay if Path(args[0]).name in REPLAYED else self._real
        return runner.run(
            args, check=check, env=env, timeout=timeout, cwd=cwd, input_text=input_text
        )

    # ------------------------------------------------------------ simulations

    def _simulate(self, args: list[str]) -> str | None:
        if _is_switch(args):
            return self._switch()
        program = Path(args[0]).name
        if program == "stow" and self._real.which("stow") is None:
            return self._stow(args)
        if program != "brew":
            return None
        match args[1:]:
            case ["list", "--formula", name]:
                return self._brew_list(name)
            case ["uninstall", "--formula", name]:
                self.formulae.pop(name, None)
                return f"Uninstalling {BREW_PREFIX}/Cellar/{name}... (demo)\n"
            case ["install", "--formula", name]:
                self.formulae.setdefault(name, "reinstalled")
                return f"==> Installing {name} (demo)\n"
            case ["bundle", "dump", "--file=-"]:
                return self._brewfile()
            case ["services", "list", "--json"] if self.live_services:
                return self._services_json()
            case ["services", "stop", name]:
                self.started.discard(name)
                return f"==> Successfully stopped `{name}` (demo)\n"
            case ["services", "start", name]:
                self.started.add(name)
                return f"==> Successfully started `{name}` (demo)\n"
            case _:
                return None

    def _launchctl(self, args: list[str]) -> CompletedProcess[str]:
        """`print` of a label the switch did not load fails as on a Mac (exit 113)."""
        self.echo(f"$ {shlex.join(args)}   (simulated in the demo)")
        self.simulated.append(shlex.join(args))
        label = args[-1].rsplit("/", 1)[-1]
        match args[1:]:
            case ["print", target] if label in self.loaded:
                return CompletedProcess(
                    args, 0, f"{target} = {{\n\tstate = running\n}}\n", ""
                )
            case ["bootout", _]:
                self.loaded.discard(label)
                return CompletedProcess(args, 0, "", "")
            case _:
                message = f'Could not find service "{label}" in domain\n'
                return CompletedProcess(args, 113, "", message)

    def _services_json(self) -> str:
        """The recorded list, with each status as the simulated Mac has it now."""
        recorded = json.loads((self.recording / "services.json").read_text("utf-8"))
        for service in recorded:
            running = service["name"] in self.started
            service["status"] = "started" if running else "none"
        return json.dumps(recorded, indent=2) + "\n"

    def _brew_list(self, name: str) -> str:
        version = self.formulae.get(name, "0")
        return f"{BREW_PREFIX}/Cellar/{name}/{version}/bin/{name}\n"

    def _brewfile(self) -> str:
        lines = [f'brew "{name}"' for name in sorted(self.formulae)]
        lines += [f'cask "{token}"' for token in self.casks]
        return "\n".join(lines) + "\n"

    def _stow(self, args: list[str]) -> str:
        package = args[-1]
        if "-D" in args:
            unlink_package(self.dotfiles, self.home, package)
        else:
            link_package(self.dotfiles, self.home, package)
        return ""

    def _switch(self) -> str:
        """What home-manager does on a switch: managed paths become store links."""
        fs = LocalFS()
        generation = self.store / "demo-home-manager-files"
        for rel, source in sorted(self.switch_links.items()):
            target = self.home / rel
            if target.is_symlink() or target.exists():
                continue
            in_store = generation / rel
            if not (in_store.is_symlink() or in_store.exists()):
                if source is None:
                    fs.write_bytes(in_store, b"# generated by home-manager (demo)\n")
                else:
                    fs.symlink(in_store, source)
            fs.symlink(target, str(in_store))
        for name in sorted(self.nix_commands):
            tool = self.store / f"demo-{name}" / "bin" / name
            if not tool.exists():
                fs.write_bytes(tool, b"#!/bin/sh\n", mode=0o755)
            link = self.profile / "bin" / name
            if not link.is_symlink():
                fs.symlink(link, str(tool))
        self.loaded |= self.switch_services
        return "Activating home-manager configuration (demo)\n"


def _is_switch(args: list[str]) -> bool:
    return "switch" in args and any(
        "darwin-rebuild" in a or "home-manager" in a for a in args
    )
