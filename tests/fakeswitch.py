"""Fakes for apply tests: a home stowed with real GNU Stow, and fake
`home-manager` / `darwin-rebuild` executables.

`build_stowed_home(tmp_path)` makes a dotfiles dir with three packages (git; nvim,
whose `.config` stow folds into one link; zsh, stowed with --dotfiles) and stows
them into the test's $HOME, beside files of the user's own.

`install_fake_switch(bin_dir, home=..., store_dir=..., managed=[...], behaviour=...)`
writes a small Python script (`#!{sys.executable}`) named like the real tool:

- "link": a successful switch. Each managed path becomes a link into a fake
  /nix/store directory under tmp; like Home Manager, it refuses (exit 1) when a
  file or a foreign link is in the way.
- "fail": prints an evaluation error and exits 1, changing nothing.
- "no-links": exits 0 without linking anything.
- "foreign-links": exits 0, but links the managed paths somewhere outside the store.
- "kill-parent": kills the process that ran it (SIGKILL), like a crash or power loss
  in the middle of a phase.

Every invocation is appended as a JSON line to `<bin_dir>/<name>.log`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import pytest

from nixmigrate.apply.executor import ApplyOptions
from nixmigrate.plan.model import PhasePlan
from nixmigrate.plan.phases import Phase
from nixmigrate.plan.steps import Activate, Unstow
from tests.fakebrew import install_fake_tool, log_invocations, set_recording
from tests.helpers import make_tree, snapshot_tree

Behaviour = Literal["link", "fail", "no-links", "foreign-links", "kill-parent"]

_SCRIPT = """\
#!{python}
import json, os, signal, sys
from pathlib import Path

CONFIG = json.loads({config!r})
with open(CONFIG["log"], "a", encoding="utf-8") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")

home = Path(CONFIG["home"])
store = Path(CONFIG["store_dir"]) / "0000000000000000-home-manager-files"
behaviour = CONFIG["behaviour"]

if behaviour == "fail":
    sys.stderr.write("error: attribute 'homeConfigurations' missing\\n")
    sys.exit(1)
if behaviour == "kill-parent":
    os.kill(os.getppid(), signal.SIGKILL)
    sys.exit(1)
if behaviour == "no-links":
    sys.exit(0)

for rel in CONFIG["managed"]:
    path = home / rel
    if os.path.lexists(path):
        target = os.readlink(path) if path.is_symlink() else ""
        if not target.startswith(str(store)):
            sys.stderr.write(f"Existing file '{{path}}' is in the way\\n")
            sys.exit(1)
        path.unlink()
for rel in CONFIG["managed"]:
    path = home / rel
    if behaviour == "foreign-links":
        source = Path(CONFIG["foreign_dir"]) / rel
    else:
        source = store / rel
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(f"managed by home-manager: {{rel}}\\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(source)
sys.exit(0)
"""


def install_fake_switch(
    bin_dir: Path,
    *,
    home: Path,
    store_dir: Path,
    managed: Sequence[str],
    behaviour: Behaviour = "link",
    name: str = "home-manager",
) -> Path:
    """Write the fake switch executable `bin_dir/name`; returns its path."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    config = {
        "home": str(home),
        "store_dir": str(store_dir),
        "foreign_dir": str(store_dir.parent / "not-the-store"),
        "managed": list(managed),
        "behaviour": behaviour,
        "log": str(switch_log(bin_dir, name)),
    }
    script = bin_dir / name
    script.write_text(
        _SCRIPT.format(python=sys.executable, config=json.dumps(config)),
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


def switch_log(bin_dir: Path, name: str = "home-manager") -> Path:
    return bin_dir / f"{name}.log"


def switch_calls(bin_dir: Path, name: str = "home-manager") -> list[list[str]]:
    """The argument lists the fake switch was called with, oldest first."""
    log = switch_log(bin_dir, name)
    if not log.exists():
        return []
    lines = log.read_text(encoding="utf-8").splitlines()
    return [list(json.loads(line)) for line in lines if line.strip()]


@dataclass(frozen=True)
class StowedHome:
    root: Path  # the test's tmp dir
    home: Path
    dotfiles: Path
    config_dir: Path  # where the generated Nix configuration goes (absent at first)
    store_dir: Path  # a stand-in for /nix/store
    bin_dir: Path  # fake executables, first on PATH

    @classmethod
    def under(cls, root: Path, home: Path) -> StowedHome:
        """The usual layout: dotfiles in home, config, store and bin beside it."""
        return cls(
            root=root,
            home=home,
            dotfiles=home / "dotfiles",
            config_dir=root / "nix-config",
            store_dir=root / "nix" / "store",
            bin_dir=root / "bin",
        )

    def snapshot(self) -> dict[str, object]:
        """Home, dotfiles and config dir: bytes, modes and link targets."""
        return {
            name: snapshot_tree(path) if path.exists() else None
            for name, path in (
                ("home", self.home),
                ("dotfiles", self.dotfiles),
                ("config", self.config_dir),
            )
        }


DOTFILES: dict[str, str | bytes] = {
    "git/.gitconfig": "[user]\n  name = Ada\n",
    "nvim/.config/nvim/init.lua": "require('plugins')\n",
    "nvim/.config/nvim/lua/plugins.lua": "return {}\n",
    "zsh/dot-zshrc": "source ~/.zsh/aliases.zsh\n",
    "zsh/dot-zsh/aliases.zsh": "alias ll='ls -l'\n",
    "zsh/dot-zsh/prompt.sh": "#!/bin/sh\necho '$ '\n",
    "README.md": "my dotfiles\n",
}


def _stow(*args: str) -> None:
    subprocess.run(["stow", *args], check=True, capture_output=True, text=True)


def build_stowed_home(root: Path) -> StowedHome:
    """A $HOME (the conftest one) with git, nvim and zsh stowed from root/dotfiles."""
    home = Path(os.environ["HOME"])
    world = StowedHome(
        root=root,
        home=home,
        dotfiles=root / "dotfiles",
        config_dir=root / "nix-config",
        store_dir=root / "nix" / "store",
        bin_dir=root / "bin",
    )
    make_tree(world.dotfiles, DOTFILES)
    (world.dotfiles / "nvim/.config/nvim/lua/plugins.lua").chmod(0o600)
    (world.dotfiles / "zsh/dot-zsh/prompt.sh").chmod(0o755)
    make_tree(home, {".profile": "export EDITOR=nvim\n", "notes.txt": b"\x00private"})
    (home / "notes.txt").chmod(0o600)
    stow_args = ["-d", str(world.dotfiles), "-t", str(home)]
    _stow(*stow_args, "git", "nvim")
    _stow(*stow_args, "--dotfiles", "zsh")
    world.store_dir.mkdir(parents=True)
    return world


MANAGED = (".gitconfig", ".config/nvim")


def configs_phase(world: StowedHome, *, tool: str = "home-manager") -> PhasePlan:
    """A phase-3-like plan: unstow git and nvim, then switch to Home Manager links."""
    stow_dir, target = str(world.dotfiles), str(world.home)
    return PhasePlan(
        phase=Phase.CONFIGS,
        title="Link dotfiles through Home Manager",
        steps=(
            Unstow("git", stow_dir, target, links=(".gitconfig",)),
            Unstow("nvim", stow_dir, target, links=(".config",)),
            Activate((tool, "switch", "--flake", f"{world.config_dir}#me"), MANAGED),
        ),
    )


def apply_options(world: StowedHome, **changes: Any) -> ApplyOptions:
    options = ApplyOptions(
        home=world.home,
        store_dirs=(world.store_dir,),
        nix_roots=(world.store_dir, world.root / "profile"),
    )
    return replace(options, **changes)


def install_fake_brew(
    world: StowedHome,
    monkeypatch: pytest.MonkeyPatch,
    answers: Mapping[str, Mapping[str, Any]] | None = None,
) -> Path:
    """A replaying `brew` on PATH (logging to the returned file); dumps a Brewfile."""
    recording = world.root / "brew-recording"
    recording.mkdir(exist_ok=True)
    set_recording(recording, "brew bundle dump --file=-", stdout_text='brew "stow"\n')
    for command, answer in (answers or {}).items():
        set_recording(recording, command, **answer)
    install_fake_tool(world.bin_dir, "brew", recording, monkeypatch)
    return log_invocations(world.root / "brew.log", monkeypatch)


def put_first_on_path(bin_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")


def yes(_question: str) -> bool:
    return True
