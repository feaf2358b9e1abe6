from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from nixmigrate.state.store import CheckpointStore
from nixmigrate.system.paths import Paths

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"

# marker -> the binary it needs
_NEEDS: dict[str, str] = {
    "needs_nix": "nix-instantiate",
    "needs_stow": "stow",
    "needs_git": "git",
    "needs_chromium": "chromium",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite fixtures/expected/*"
    )


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Skip tests whose tool is absent, visibly; under CI a missing tool is an error."""
    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    for item in items:
        for marker, binary in _NEEDS.items():
            if item.get_closest_marker(marker) and shutil.which(binary) is None:
                reason = (
                    f"{binary} is not installed "
                    "(apt-get install nix-bin stow git chromium)"
                )
                # CI installs every tool (.ci/run): there the test runs and fails loudly
                if not in_ci:
                    item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _isolate_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real home, state, git or Homebrew configuration."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("NIXMIGRATE_STATE_DIR", raising=False)
    monkeypatch.delenv("NIXMIGRATE_MAPPINGS", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("HOMEBREW_NO_AUTO_UPDATE", "1")
    monkeypatch.setenv("HOMEBREW_NO_ANALYTICS", "1")
    if os.geteuid() != 0:  # as root nix-bin needs no daemon; others need no store
        monkeypatch.setenv("NIX_REMOTE", "dummy://")


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def store() -> CheckpointStore:
    """The checkpoint store of the isolated state dir (see _isolate_env)."""
    return CheckpointStore.from_paths(Paths.from_env())
