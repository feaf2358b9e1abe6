"""A package stowed into ~/Library/Application Support, planned for each system.

Makefiles run `mkdir -p ~/Library/Application\\ Support/harper-ls && stow
--target=... harper-ls` on every machine; some apps (harper-ls, VS Code forks)
read that path on Linux too. Phase 3 unstows the package, so its link must come
back from a module the planned host imports: darwin.nix on a Mac, linux.nix on
Linux, never a module the host leaves out.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nixmigrate.cli import cli
from tests.helpers import make_tree
from tests.test_scan_stow_real import stow

pytestmark = pytest.mark.needs_stow

LINK = "Library/Application Support/harper-ls/dictionary.txt"


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])  # a fresh tmp dir per test (see conftest)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _imported_modules(config: Path, host: str) -> str:
    """The text of the host file and every home module it imports."""
    host_file = config / "hosts" / host / "default.nix"
    text = host_file.read_text(encoding="utf-8")
    imported = [
        (host_file.parent / line.strip()).resolve()
        for line in text.splitlines()
        if line.strip().endswith(".nix") and line.strip().startswith("../")
    ]
    assert imported, text
    return "".join(path.read_text(encoding="utf-8") for path in imported)


@pytest.mark.parametrize(
    ("system", "module"), [("aarch64-darwin", "darwin"), ("x86_64-linux", "linux")]
)
def test_the_link_is_in_a_module_the_planned_host_imports(
    home: Path, system: str, module: str
) -> None:
    repo = home / "dotfiles"
    make_tree(
        repo,
        {
            "harper-ls/dictionary.txt": "nixmigrate\n",
            "git/.gitconfig": "[user]\n  name = Ada\n",
        },
    )
    target = home / "Library/Application Support/harper-ls"
    target.mkdir(parents=True)
    assert stow(home, "--target", str(target), "harper-ls", cwd=repo).returncode == 0
    assert stow(home, "git", cwd=repo).returncode == 0
    assert run("scan", "--no-input", "--no-brew").exit_code == 0

    planned = run(
        *("plan", "--phase", "3", "--no-input", "--system", system),
        *("--user", "u", "--hostname", "h"),
    )

    assert planned.exit_code == 0, planned.stderr
    assert "unstow harper-ls (1 link in" in " ".join(planned.output.split())
    config = home / "nix-config"
    assert f'home.file."{LINK}".source' in _imported_modules(config, "h")
    assert LINK in (config / "home" / f"{module}.nix").read_text(encoding="utf-8")
    assert LINK not in (config / "home" / "common.nix").read_text(encoding="utf-8")
