"""Where nixmigrate keeps its state and reads user configuration.

The files inside the state dir that belong to checkpoints (state.toml, the lock,
checkpoints/) are named by nixmigrate.state.store.CheckpointStore.

One object, resolved from the environment once, so tests redirect everything in one place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


def _env_dir(env: Mapping[str, str], name: str) -> Path | None:
    value = env.get(name, "")
    return Path(value).expanduser() if value else None


@dataclass(frozen=True, slots=True)
class Paths:
    home: Path
    state_dir: Path
    config_dir: Path
    nix_store: Path = Path("/nix/store")  # NIX_STORE_DIR, as Nix itself reads it

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Paths:
        env = os.environ if env is None else env
        home = _env_dir(env, "HOME") or Path.home()
        state = _env_dir(env, "NIXMIGRATE_STATE_DIR")
        if state is None:
            xdg_state = _env_dir(env, "XDG_STATE_HOME") or home / ".local" / "state"
            state = xdg_state / "nixmigrate"
        xdg_config = _env_dir(env, "XDG_CONFIG_HOME") or home / ".config"
        return cls(
            home=home,
            state_dir=state,
            config_dir=xdg_config / "nixmigrate",
            nix_store=_env_dir(env, "NIX_STORE_DIR") or Path("/nix/store"),
        )

    @property
    def inventory_file(self) -> Path:
        return self.state_dir / "inventory.json"

    @property
    def user_mappings(self) -> Path:
        return self.config_dir / "mappings.toml"
