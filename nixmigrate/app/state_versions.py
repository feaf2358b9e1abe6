"""The stateVersions an existing generated configuration has, read from its files.

A stateVersion must never change under the user: Home Manager, NixOS and nix-darwin
keep data in the formats of that release. A re-plan writes back what is there; only a
new configuration gets the newest release (plan/config.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from nixmigrate.plan.config import StateVersions, home_module_path
from nixmigrate.plan.hosts import host_module_path
from nixmigrate.plan.options import SecondHost

_HOME: Final = re.compile(r'^\s*home\.stateVersion = "(\d+\.\d+)";$', re.MULTILINE)
_NIXOS: Final = re.compile(r'^\s*system\.stateVersion = "(\d+\.\d+)";$', re.MULTILINE)
_DARWIN: Final = re.compile(r"^\s*system\.stateVersion = (\d+);$", re.MULTILINE)


def existing_state_versions(
    config_dir: Path, hostname: str, second: SecondHost | None
) -> StateVersions:
    """What the generated files in `config_dir` say; the newest release where absent."""
    new = StateVersions()
    home = _found(config_dir / home_module_path("common"), _HOME)
    darwin = _found(config_dir / host_module_path(hostname), _DARWIN)
    nixos = (
        _found(config_dir / host_module_path(second.name), _NIXOS) if second else None
    )
    return StateVersions(
        home=home or new.home,
        nixos=nixos or new.nixos,
        darwin=int(darwin) if darwin else new.darwin,
    )


def _found(path: Path, pattern: re.Pattern[str]) -> str | None:
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None
    match = pattern.search(text)
    return match.group(1) if match else None
