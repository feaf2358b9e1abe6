"""Packages stowed outside the home: `sudo stow --target=/etc keyd udev`.

Repos keep system files beside the dotfiles and stow them into /etc. The scan of
the home finds none of their links, yet archiving the directory in phase 7
would break them. Each such package must be named, with the link that proves
it, and phase 7 must keep the directory. /etc itself is never touched here: the
system targets are pointed at a tmp directory.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nixmigrate.cli import cli
from nixmigrate.scan.stow import outside, scan_stow
from tests.helpers import make_tree
from tests.test_scan_stow_real import stow

pytestmark = pytest.mark.needs_stow


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])  # a fresh tmp dir per test (see conftest)


@pytest.fixture
def etc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    fake = tmp_path / "rootfs" / "etc"
    (fake / "udev").mkdir(parents=True)  # the system has it: stow links inside
    monkeypatch.setattr(outside, "SYSTEM_TARGETS", (str(fake),))
    return fake


def build(home: Path, etc: Path) -> Path:
    repo = home / "dotfiles"
    make_tree(
        repo,
        {
            "git/.gitconfig": "[user]\n  name = Ada\n",
            "keyd/keyd/default.conf": "[ids]\n*\n",
            "udev/udev/rules.d/99-power.rules": 'SUBSYSTEM=="power_supply"\n',
            "notes/todo.txt": "never stowed\n",
        },
    )
    assert stow(home, "git", cwd=repo).returncode == 0
    done = stow(home, "--target", str(etc), "keyd", "udev", cwd=repo)
    assert done.returncode == 0, done.stderr
    return repo


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_each_package_stowed_into_etc_is_named_with_its_link(
    home: Path, etc: Path
) -> None:
    repo = build(home, etc)

    inventory = scan_stow(repo, home)

    found = {p.name: (p.status, p.outside) for p in inventory.packages}
    assert found == {
        "git": ("stowed", ""),
        "keyd": ("unstowed", f"{etc}/keyd"),
        "notes": ("unstowed", ""),
        "udev": ("unstowed", f"{etc}/udev/rules.d"),
    }
    left = "nixmigrate leaves it as it is and does not archive the directory"
    assert [p for p in inventory.problems if "outside the home" in p] == [
        f"package {name} is stowed outside the home ({etc}/{link} leads into it): "
        + left
        for name, link in (("keyd", "keyd"), ("udev", "udev/rules.d"))
    ]


def test_phase_7_keeps_the_directory_and_the_report_says_where(
    home: Path, etc: Path
) -> None:
    build(home, etc)
    assert run("scan", "--no-input", "--no-brew").exit_code == 0

    planned = run("plan", "--phase", "7", "--no-input", "--system", "x86_64-linux")

    assert planned.exit_code == 0, planned.stderr
    phase7 = " ".join(planned.output.split("Phase 7:", 1)[1].split())
    assert "dotfiles.stow-archive" not in phase7
    assert (
        f"{home}/dotfiles is not archived: packages stowed outside the home link "
        f"into it and would break: keyd ({etc}/keyd), udev ({etc}/udev/rules.d)"
    ) in phase7
    report = run("report", "--json")
    assert report.exit_code == 0, report.stderr
    stow_part = json.loads(report.stdout)["stow"]
    assert stow_part["keyd"] == f"stowed outside the home ({etc}/keyd), left as it is"
    assert stow_part["notes"] == "unstowed, not included"
    assert (etc / "keyd").is_symlink()
