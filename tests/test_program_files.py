"""Modules that write their own config file are not enabled over the user's files.

Phase 2 turns `program` resolutions into `programs.<name>.enable`; a module that then
generates ~/.zshrc (or ~/.config/git/config, ...) would clash with the user's linked
dotfile, write into the dotfiles repo through a folded link, or replace a plain file.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from nixmigrate.cli import cli
from nixmigrate.demo.dotfiles_setup import install_demo_dotfiles
from nixmigrate.plan.declarative import home_files_to_check
from nixmigrate.plan.model import Plan
from nixmigrate.plan.phases import Phase
from nixmigrate.plan.program_files import PROGRAM_FILES
from nixmigrate.render.plan_tree import build_plan
from nixmigrate.resolution import Resolution
from nixmigrate.scan.home_files import existing_config_files
from nixmigrate.scan.inventory import Inventory, StowPackage
from tests.test_planner import _link, _res, darwin_options, file, sample_inventory


def _with(
    *resolutions: Resolution,
    packages: tuple[StowPackage, ...] = (),
    home_files: tuple[str, ...] = (),
) -> Inventory:
    """The sample machine plus these resolutions, Stow packages and home files."""
    inventory = sample_inventory()
    assert inventory.stow is not None
    names = {p.name for p in packages}
    kept = tuple(p for p in inventory.stow.packages if p.name not in names)
    return replace(
        inventory,
        resolutions=(*inventory.resolutions, *resolutions),
        stow=replace(inventory.stow, packages=(*kept, *packages)),
        home_files=home_files,
    )


def _plan(inventory: Inventory, through: Phase = Phase.PACKAGES) -> Plan:
    return build_plan(inventory, darwin_options(through=through))


def _note(plan: Plan, phase: Phase, program: str) -> str:
    return next(n for n in plan.phase(phase).notes if f"programs.{program} " in n)


ZSH = _res("zsh", "program", "zsh", program="zsh")
BASH = _res("bash", "program", "bashInteractive", program="bash")

# ---------------------------------------------------------------- phase 2


def test_zsh_with_a_mutable_zsh_package_is_installed_not_enabled() -> None:
    plan = _plan(_with(ZSH))
    common = file(plan, "home/common.nix")
    assert "programs.zsh" not in common
    assert "    pkgs.zsh\n" in common
    note = _note(plan, Phase.PACKAGES, "zsh")
    assert "~/.zshrc is your linked dotfile (Stow package zsh)" in note
    assert "pkgs.zsh is installed instead" in note
    # the dotfile is still linked by phase 3, once
    assert (
        file(_plan(_with(ZSH), Phase.CONFIGS), "home/common.nix").count(
            'home.file.".zshrc".source'
        )
        == 1
    )


def test_bash_with_a_plain_bashrc_in_home_is_not_enabled() -> None:
    plan = _plan(_with(BASH, home_files=(".bashrc",)))
    common = file(plan, "home/common.nix")
    assert "programs.bash" not in common
    assert "    pkgs.bashInteractive\n" in common
    note = _note(plan, Phase.PACKAGES, "bash")
    assert "~/.bashrc already exists outside your Stow packages" in note


@pytest.mark.parametrize(
    ("shell", "attr"),
    [
        ("bash", "bashInteractive"),
        ("zsh", "zsh"),
        ("fish", "fish"),
        ("nushell", "nushell"),
    ],
)
def test_a_login_shell_formula_installs_the_shell_and_writes_no_startup_files(
    shell: str, attr: str
) -> None:
    """`brew "bash"` on a Mac with no ~/.bashrc must not make one (nor .profile...)."""
    res = _res(shell, "program", attr, program=shell)
    inventory = _with(res)
    assert inventory.stow is not None
    others = tuple(p for p in inventory.stow.packages if p.name != shell)
    plan = _plan(replace(inventory, stow=replace(inventory.stow, packages=others)))
    common = file(plan, "home/common.nix")
    assert f"programs.{shell}" not in common
    assert f"    pkgs.{attr}\n" in common
    note = _note(plan, Phase.PACKAGES, shell)
    assert f"pkgs.{attr} is installed instead" in note
    assert f"mark your {shell} Stow package declarative" in note
    # nor later: phase 4 has nothing of the user's to convert into its settings
    last = _plan(
        replace(inventory, stow=replace(inventory.stow, packages=others)),
        Phase.CLEANUP,
    )
    assert not any(f"programs.{shell}" in f.content for f in last.files)


def test_a_declarative_shell_package_lets_home_manager_write_the_shell() -> None:
    aliases = StowPackage("bash", "stowed", links=(_link(".bash_aliases"),))
    mutable = _plan(_with(BASH, packages=(aliases,)))
    assert "programs.bash" not in file(mutable, "home/common.nix")
    chosen = replace(aliases, mode="declarative")
    common = file(_plan(_with(BASH, packages=(chosen,))), "home/common.nix")
    assert "programs.bash.enable = true;" in common
    assert "pkgs.bashInteractive" not in common
    # left out of the migration, it is not the user's choice either
    left_out = replace(chosen, include=False)
    assert "programs.bash" not in file(
        _plan(_with(BASH, packages=(left_out,))), "home/common.nix"
    )


def test_files_of_an_included_package_count_even_before_it_is_stowed() -> None:
    ranger = StowPackage("ranger", "unstowed", targets=(".config/ranger/rc.conf",))
    res = _res("ranger", "program", "ranger", program="ranger")
    plan = _plan(_with(res, packages=(ranger,)))
    assert "programs.ranger" not in file(plan, "home/common.nix")
    note = _note(plan, Phase.PACKAGES, "ranger")
    assert "~/.config/ranger/rc.conf is your linked dotfile" in note
    left_out = replace(ranger, include=False)
    plan = _plan(_with(res, packages=(left_out,)))
    assert "programs.ranger.enable = true;" in file(plan, "home/common.nix")


def test_modules_that_write_nothing_without_settings_are_still_enabled() -> None:
    tools = tuple(
        _res(name, "program", name, program=name)
        for name in ("bat", "jq", "fd", "ripgrep")
    )
    # bat writes bat/config only once programs.bat.config is set
    bat = StowPackage("bat", "stowed", links=(_link(".config/bat", folded=True),))
    inventory = _with(packages=(bat,), home_files=(".config/bat/config",))
    others = tuple(r for r in inventory.resolutions if r.name not in ("fd", "ripgrep"))
    plan = _plan(replace(inventory, resolutions=(*others, *tools)))
    common = file(plan, "home/common.nix")
    for name in ("bat", "jq", "fd", "ripgrep"):
        assert f"programs.{name}.enable = true;" in common
    notes = " ".join(plan.phase(Phase.PACKAGES).notes)
    assert all(f"programs.{n} not" not in notes for n in ("bat", "jq", "fd", "rip"))


def test_git_with_a_folded_config_git_link_is_not_enabled_in_phase_2() -> None:
    folded = StowPackage("git", "stowed", links=(_link(".config/git", folded=True),))
    plan = _plan(_with(packages=(folded,)))
    common = file(plan, "home/common.nix")
    assert "programs.git" not in common
    assert "    pkgs.git\n" in common
    note = _note(plan, Phase.PACKAGES, "git")
    assert "~/.config/git/config is inside ~/.config/git" in note
    assert "mark the git package declarative" in note


def test_a_package_left_with_stow_still_protects_its_files() -> None:
    tmux = _res("tmux", "program", "tmux", program="tmux")
    plan = _plan(_with(tmux))  # the sample's tmux package is excluded but stowed
    assert "programs.tmux" not in file(plan, "home/common.nix")
    note = _note(plan, Phase.PACKAGES, "tmux")
    assert (
        "~/.tmux.conf is linked by the Stow package tmux, which stays with Stow" in note
    )
    assert "generated ~/.config/tmux/tmux.conf would take precedence over it" in note


# ---------------------------------------------------------------- phase 4


def test_git_marked_declarative_still_becomes_settings_in_phase_4() -> None:
    plan = _plan(_with(), Phase.DECLARATIVE)
    git = file(plan, "home/programs/git.nix")
    assert "programs.git = {" in git
    assert "settings = {" in git
    assert 'name = "Jane Doe";' in git
    assert "pkgs.git\n" not in file(plan, "home/common.nix")


def test_a_declarative_package_linking_the_generated_file_is_converted() -> None:
    git = StowPackage(
        "git", "stowed", links=(_link(".config/git/config"),), mode="declarative"
    )
    plan = _plan(_with(packages=(git,)), Phase.DECLARATIVE)
    before = file(_plan(_with(packages=(git,))), "home/common.nix")
    assert "programs.git" not in before
    assert "    pkgs.git\n" in before
    assert "phase 4 replaces it" in _note(plan, Phase.PACKAGES, "git")
    assert "settings = {" in file(plan, "home/programs/git.nix")
    common = file(plan, "home/common.nix")
    assert "pkgs.git\n" not in common
    assert 'xdg.configFile."git/config"' not in common


def test_phase_4_leaves_git_alone_when_a_mutable_package_links_its_file() -> None:
    mutable = StowPackage("gitxdg", "stowed", links=(_link(".config/git/config"),))
    plan = _plan(_with(packages=(mutable,)), Phase.DECLARATIVE)
    relpaths = {f.relpath for f in plan.files}
    assert "home/programs/git.nix" not in relpaths
    common = file(plan, "home/common.nix")
    assert 'xdg.configFile."git/config".source' in common
    assert "programs.git" not in common
    assert "    pkgs.git\n" in common
    assert "Stow package gitxdg, which is not marked declarative" in _note(
        plan, Phase.DECLARATIVE, "git"
    )


def test_phase_4_leaves_git_alone_when_its_file_already_exists() -> None:
    plan = _plan(_with(home_files=(".config/git/config",)), Phase.DECLARATIVE)
    assert "home/programs/git.nix" not in {f.relpath for f in plan.files}
    assert "already exists outside your Stow packages" in _note(
        plan, Phase.DECLARATIVE, "git"
    )


# ---------------------------------------------------------------- the table and scan


def test_the_table_is_home_relative_and_covers_the_shells_and_git() -> None:
    for program in ("bash", "zsh", "fish", "git", "tmux", "ssh", "gpg", "neovim"):
        assert PROGRAM_FILES[program], program
    for paths in PROGRAM_FILES.values():
        assert all(not p.startswith(("/", "~", ".config/.")) for p in paths)
    assert {"bat", "ripgrep", "jq", "fd", "starship"}.isdisjoint(PROGRAM_FILES)
    checked = home_files_to_check()
    assert ".config/starship.toml" in checked  # what the starship converter writes
    assert list(checked) == sorted(set(checked))


def test_only_listed_paths_are_checked_and_links_count(tmp_path: Path) -> None:
    (tmp_path / ".bashrc").write_text("# mine\n")
    (tmp_path / ".config" / "git").mkdir(parents=True)
    (tmp_path / ".config" / "git" / "config").write_text("[user]\n")
    (tmp_path / ".zshrc").symlink_to(tmp_path / "dotfiles" / "zsh" / ".zshrc")
    (tmp_path / ".inputrc").write_text("set editing-mode vi\n")
    found = existing_config_files(
        tmp_path, (".zshrc", ".bashrc", ".profile", ".config/git/config", "../x")
    )
    assert found == (".bashrc", ".config/git/config", ".zshrc")


def test_scan_records_the_config_files_already_in_home() -> None:
    home = Path(os.environ["HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / ".bashrc").write_text("# mine\n")
    install_demo_dotfiles(home)
    result = CliRunner().invoke(
        cli, ["scan", "--no-input", "--no-brew", "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)["home_files"]
    assert {".bashrc", ".zshrc", ".ssh/config", ".config/nvim/init.lua"} <= set(found)
    assert ".profile" not in found
