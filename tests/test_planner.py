"""The planner: what each phase generates and asks `apply` to do, for a small machine.

`sample_inventory()` and the option builders here are shared with test_render.py,
test_optioncheck.py and test_generated_nix.py.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import replace

import pytest

from nixmigrate.errors import UsageError
from nixmigrate.plan.config import DARWIN_STATE_VERSION, NEWEST_RELEASE, StateVersions
from nixmigrate.plan.model import Plan
from nixmigrate.plan.options import (
    DeclarativeConfigs,
    GitInclude,
    PlanOptions,
    SecondHost,
    SecretFile,
    sanitize_host_name,
)
from nixmigrate.plan.phases import Phase
from nixmigrate.plan.steps import Activate, Archive, BrewUninstall, Unstow
from nixmigrate.render.plan_tree import build_plan
from nixmigrate.resolution import Action, ItemKind, Resolution
from nixmigrate.scan.inventory import (
    BrewCask,
    BrewFormula,
    BrewInventory,
    HostInfo,
    Inventory,
    MasApp,
    StowInventory,
    StowLink,
    StowOptions,
    StowPackage,
)
from tests.conftest import REPO

# ---------------------------------------------------------------- sample machine


def _res(
    name: str,
    action: Action,
    attr: str | None = None,
    *,
    kind: ItemKind = "formula",
    program: str | None = None,
    platforms: tuple[str, ...] = (),
    unfree: bool = False,
) -> Resolution:
    return Resolution(
        kind=kind,
        name=name,
        action=action,
        confidence="curated",
        reason="sample",
        attr=attr,
        program=program,
        platforms=platforms,
        unfree=unfree,
    )


RESOLUTIONS = (
    _res("ripgrep", "nix", "ripgrep"),
    _res("fd", "nix", "fd"),
    _res("git", "program", "git", program="git"),
    _res("neovim", "program", "neovim", program="neovim"),
    _res("gh", "program", "gh-wrapped", program="gh"),
    _res("zoxide", "nix", "zoxide"),
    _res("direnv", "program", "direnv-patched", program="direnv"),
    _res("pinentry-mac", "nix", "pinentry_mac", platforms=("darwin",)),
    _res("inotify-tools", "nix", "inotify-tools", platforms=("linux",)),
    _res("terraform", "nix", "terraform", unfree=True),
    _res("p7zip", "nix", "7zz"),
    _res("mysql-client", "keep-brew"),
    _res("widget", "keep-brew"),
    _res("legacy-tool", "unmapped"),
    _res(
        "font-jetbrains-mono-nerd-font", "nix", "nerd-fonts.jetbrains-mono", kind="cask"
    ),
    _res("firefox", "keep-cask", kind="cask"),
    _res("visual-studio-code", "nix", "vscode", kind="cask", unfree=True),
    _res("Xcode", "mas", kind="mas"),
    replace(_res("Things 3", "mas", kind="mas"), mas_id=904280696),
)

FORMULAE = (
    BrewFormula("ripgrep", "14.1.0"),
    BrewFormula("fd", "10.1.0"),
    BrewFormula("git", "2.45.0"),
    BrewFormula("neovim", "0.10.0"),
    BrewFormula("gh", "2.50.0"),
    BrewFormula("zoxide", "0.9.4"),
    BrewFormula("direnv", "2.34.0"),
    BrewFormula("pinentry-mac", "1.1.1"),
    BrewFormula("terraform", "1.5.7"),
    BrewFormula("p7zip", "17.05"),
    BrewFormula("mysql-client", "8.4.0"),
    BrewFormula("widget", "1.0", tap="acme/tools", full_name="acme/tools/widget"),
    BrewFormula("legacy-tool", "0.1"),
)
CASKS = (
    BrewCask("firefox", "126.0"),
    BrewCask("font-jetbrains-mono-nerd-font", "3.2.1"),
    BrewCask("visual-studio-code", "1.90.0"),
)


def _link(path: str, *, folded: bool = False) -> StowLink:
    return StowLink(path=path, link=f"dotfiles/x/{path}", folded=folded)


def stow_packages() -> tuple[StowPackage, ...]:
    return (
        StowPackage("nvim", "stowed", links=(_link(".config/nvim", folded=True),)),
        StowPackage("zsh", "stowed", links=(_link(".zshrc"), _link(".zprofile"))),
        StowPackage(
            "vscode",
            "stowed",
            links=(_link("Library/Application Support/Code/User/settings.json"),),
        ),
        StowPackage(
            "git",
            "stowed",
            links=(_link(".gitconfig"), _link(".gitconfig.local")),
            mode="declarative",
        ),
        StowPackage(
            "starship",
            "stowed",
            links=(_link(".config/starship.toml"),),
            mode="declarative",
        ),
        StowPackage("tmux", "stowed", links=(_link(".tmux.conf"),), include=False),
    )


def sample_inventory(*, darwin: bool = True) -> Inventory:
    home = "/Users/jane" if darwin else "/home/jane"
    host = HostInfo(
        os="darwin" if darwin else "linux",
        system="aarch64-darwin" if darwin else "x86_64-linux",
        hostname="Jane's MacBook Pro" if darwin else "box",
        user="jane",
        home=home,
        nix_version="2.24.9",
    )
    stow = StowInventory(
        dir=f"{home}/dotfiles",
        target=home,
        options=StowOptions(dotfiles=not darwin),
        packages=stow_packages(),
    )
    brew = BrewInventory(
        available=True,
        formulae=FORMULAE,
        casks=CASKS if darwin else (),
        taps=("homebrew/core", "acme/tools"),
        mas=(MasApp("Xcode", 497799835),) if darwin else (),
    )
    return Inventory(host=host, brew=brew, stow=stow, resolutions=RESOLUTIONS)


GIT_SETTINGS = {
    "user": {"name": "Jane Doe", "email": "jane@example.com"},
    "alias": {"co": "checkout", "lg": "log --graph"},
    "url": {"git@github.com:": {"insteadOf": "https://github.com/"}},
    "pull": {"rebase": True},
}
STARSHIP_SETTINGS = {
    "add_newline": False,
    "character": {"success_symbol": "[>](bold green)"},
}


def declarative_configs() -> DeclarativeConfigs:
    return DeclarativeConfigs(
        git_settings=GIT_SETTINGS,
        git_includes=(GitInclude(".gitconfig.local"),),
        starship_settings=STARSHIP_SETTINGS,
        secrets=(SecretFile(".gitconfig.local", "it holds a GitHub token"),),
        macos_defaults={
            "dock": {"autohide": True, "tilesize": 48},
            "NSGlobalDomain": {"KeyRepeat": 2},
        },
    )


def darwin_options(**changes: object) -> PlanOptions:
    options = PlanOptions(
        config_dir="/Users/jane/nix-config",
        hostname="Janes-MacBook-Pro",
        user="jane",
        system="aarch64-darwin",
        home="/Users/jane",
        touch_id=True,
        second_host=SecondHost("pi", "aarch64-linux", "raspberry-pi"),
        declarative=declarative_configs(),
    )
    return replace(options, **changes)  # type: ignore[arg-type]


def linux_options(**changes: object) -> PlanOptions:
    options = PlanOptions(
        config_dir="/home/jane/nix-config",
        hostname="box",
        user="jane",
        system="x86_64-linux",
        home="/home/jane",
        second_host=SecondHost("server", "x86_64-linux", "nixos"),
        declarative=declarative_configs(),
    )
    return replace(options, **changes)  # type: ignore[arg-type]


def darwin_plan(**changes: object) -> Plan:
    return build_plan(sample_inventory(), darwin_options(**changes))


def linux_plan(**changes: object) -> Plan:
    return build_plan(sample_inventory(darwin=False), linux_options(**changes))


def file(plan: Plan, relpath: str) -> str:
    found = {f.relpath: f.content for f in plan.files}
    assert relpath in found, f"{relpath} not generated; got {sorted(found)}"
    return found[relpath]


def strings_in(nix_list: str) -> list[str]:
    return re.findall(r'"([^"]*)"', nix_list)


HOST = "hosts/Janes-MacBook-Pro"

# ---------------------------------------------------------------- phase 1


def test_phase_1_is_a_flake_beside_homebrew_and_changes_nothing_at_home() -> None:
    plan = darwin_plan(through=Phase.FOUNDATION)
    phase = plan.phase(Phase.FOUNDATION)
    assert phase.steps == ()
    assert set(phase.writes) == {f.relpath for f in plan.files}
    assert {f.relpath for f in plan.files} == {
        ".gitignore",
        "flake.nix",
        "home/common.nix",
        "home/darwin.nix",
        "home/linux.nix",
        f"{HOST}/default.nix",
    }
    assert "home.packages" not in file(plan, "home/common.nix")
    assert ["build", "--flake", "/Users/jane/nix-config#Janes-MacBook-Pro"] in [
        shlex.split(c)[-3:] for c in phase.commands
    ]
    assert any("darwin-rebuild" in c for c in phase.commands)


def test_phase_1_explains_how_to_install_nix_when_it_is_missing() -> None:
    inventory = sample_inventory()
    inventory = replace(inventory, host=replace(inventory.host, nix_version=None))
    phase = build_plan(inventory, darwin_options(through=Phase.FOUNDATION)).phase(
        Phase.FOUNDATION
    )
    assert "nixos.org/nix/install" in " ".join(phase.preconditions)


def _foundation_needs(flavor: str | None, **changes: object) -> str:
    inventory = sample_inventory()
    host = replace(inventory.host, nix_flavor=flavor)
    if flavor is None:
        host = replace(host, nix_version=None)
    options = darwin_options(through=Phase.FOUNDATION, **changes)
    phase = build_plan(replace(inventory, host=host), options).phase(Phase.FOUNDATION)
    return " ".join(phase.preconditions)


def test_phase_1_install_advice_matches_the_nix_that_was_found() -> None:
    determinate = _foundation_needs("determinate", determinate_nix=True)
    assert "Determinate Nix 2.24.9 is installed" in determinate
    assert "nix.enable = false" in determinate
    assert "install" not in determinate.replace("is installed", "")
    plain = _foundation_needs("nix")
    assert "Nix 2.24.9 is installed" in plain
    assert "nix.enable = true" in plain
    # Determinate found but overridden: say what breaks and how to undo it
    assert "plan with --determinate-nix" in _foundation_needs("determinate")
    assert "--no-determinate-nix" in _foundation_needs("nix", determinate_nix=True)
    missing = _foundation_needs(None, determinate_nix=True)
    assert "install.determinate.systems/nix | sh -s -- install" in missing
    assert "nixos.org" not in missing
    assert "--determinate-nix" in _foundation_needs(None)


def test_darwin_host_leaves_the_daemon_to_determinate_nix() -> None:
    host = file(darwin_plan(determinate_nix=True), f"{HOST}/default.nix")
    assert "  nix.enable = false;\n" in host
    assert "experimental-features" not in host
    host = file(darwin_plan(), f"{HOST}/default.nix")
    assert "  nix.enable = true;\n" in host


def test_the_newest_release_is_the_newest_home_manager_state_version() -> None:
    """The constant is one that current Home Manager accepts, and its newest."""
    options = REPO / "nixmigrate" / "render" / "options" / "home-manager-options.txt"
    line = next(
        ln
        for ln in options.read_text().splitlines()
        if ln.startswith("home.stateVersion\t")
    )
    allowed = re.findall(r'"(\d+\.\d+)"', line)
    newest = max(allowed, key=lambda v: tuple(int(x) for x in v.split(".")))
    assert newest == NEWEST_RELEASE


def test_a_new_mac_gets_the_newest_nix_darwin_state_version() -> None:
    options = REPO / "nixmigrate" / "render" / "options" / "nix-darwin-options.txt"
    line = next(
        ln
        for ln in options.read_text().splitlines()
        if ln.startswith("system.stateVersion\t")
    )
    assert f"between 1 and {DARWIN_STATE_VERSION} (both inclusive)" in line


def test_state_versions_come_from_the_options_not_from_the_release() -> None:
    kept = StateVersions(home="24.05", nixos="23.11", darwin=4)
    plan = darwin_plan(through=Phase.SECOND_MACHINE, state_versions=kept)
    assert 'home.stateVersion = "24.05";' in file(plan, "home/common.nix")
    assert "system.stateVersion = 4;" in file(plan, f"{HOST}/default.nix")
    assert 'system.stateVersion = "23.11";' in file(plan, "hosts/pi/default.nix")
    fresh = darwin_plan(through=Phase.SECOND_MACHINE)
    assert f'home.stateVersion = "{NEWEST_RELEASE}";' in file(fresh, "home/common.nix")


def test_linux_first_build_uses_standalone_home_manager() -> None:
    phase = linux_plan(through=Phase.FOUNDATION).phase(Phase.FOUNDATION)
    assert ["build", "--flake", "/home/jane/nix-config#jane"] in [
        shlex.split(c)[-3:] for c in phase.commands
    ]
    assert any("home-manager" in c for c in phase.commands)
    assert 'homeConfigurations."jane"' in file(linux_plan(), "flake.nix")


def test_darwin_wires_home_manager_as_a_nix_darwin_module() -> None:
    host = file(darwin_plan(through=Phase.FOUNDATION), f"{HOST}/default.nix")
    for line in (
        'system.primaryUser = "jane";',
        'users.users.jane.home = "/Users/jane";',
        "useGlobalPkgs = true;",
        "useUserPackages = true;",
        'backupFileExtension = "before-nix";',
        "users.jane = {",
        "system.stateVersion = 7;",
        'nixpkgs.hostPlatform = "aarch64-darwin";',
    ):
        assert line in host
    assert "nix-daemon" not in host


# ---------------------------------------------------------------- phase 2


def test_packages_split_into_common_darwin_only_and_linux_only() -> None:
    plan = darwin_plan(through=Phase.PACKAGES)
    common = file(plan, "home/common.nix")
    darwin = file(plan, "home/darwin.nix")
    linux = file(plan, "home/linux.nix")
    assert "pkgs.ripgrep" in common
    assert "pkgs.pinentry_mac" not in common
    assert "pkgs.pinentry_mac" in darwin
    assert "pkgs.inotify-tools" in linux
    assert "pkgs.inotify-tools" not in common + darwin


def test_unfree_predicate_lists_exactly_the_unfree_packages() -> None:
    plan = darwin_plan(through=Phase.PACKAGES)
    assert strings_in(file(plan, "unfree.nix")) == ["terraform", "vscode"]
    assert "(import ../../unfree.nix)" in file(plan, f"{HOST}/default.nix")
    linux = linux_plan(through=Phase.PACKAGES)
    assert "import ./unfree.nix" in file(linux, "flake.nix")


def test_without_unfree_packages_nothing_unfree_is_allowed() -> None:
    inventory = sample_inventory()
    free = tuple(r for r in inventory.resolutions if not r.unfree)
    plan = build_plan(replace(inventory, resolutions=free), darwin_options())
    assert "unfree.nix" not in {f.relpath for f in plan.files}
    assert all("allowUnfree" not in f.content for f in plan.files)


def test_programs_set_package_only_when_the_attr_is_not_the_default() -> None:
    inventory = sample_inventory()
    assert inventory.stow is not None
    unlinked = tuple(p for p in inventory.stow.packages if p.name != "nvim")
    inventory = replace(inventory, stow=replace(inventory.stow, packages=unlinked))
    plan = build_plan(inventory, darwin_options(through=Phase.PACKAGES))
    common = file(plan, "home/common.nix")
    assert "programs.neovim.enable = true;" in common
    assert "package = pkgs.neovim" not in common
    assert (
        "programs.gh = {\n    enable = true;\n    package = pkgs.gh-wrapped;" in common
    )
    assert "pkgs.neovim\n" not in common  # a program is not also a plain package


def test_a_module_that_would_write_into_a_folded_link_is_not_enabled() -> None:
    plan = darwin_plan(through=Phase.PACKAGES)
    common = file(plan, "home/common.nix")
    assert "programs.neovim" not in common
    assert "pkgs.neovim\n" in common
    note = next(n for n in plan.phase(Phase.PACKAGES).notes if "neovim" in n)
    assert "~/.config/nvim/init.lua is inside ~/.config/nvim" in note
    assert "would write it into the dotfiles repo" in note


def test_a_held_back_module_installs_the_package_users_run_not_its_raw_input() -> None:
    inventory = sample_inventory()
    resolutions = tuple(
        replace(r, attr="neovim-unwrapped") if r.name == "neovim" else r
        for r in inventory.resolutions
    )
    plan = build_plan(
        replace(inventory, resolutions=resolutions),
        darwin_options(through=Phase.PACKAGES),
    )
    common = file(plan, "home/common.nix")
    assert "pkgs.neovim\n" in common  # the wrapped editor, as `nvim` on PATH
    assert "neovim-unwrapped" not in common


def test_dotted_and_odd_attribute_names_render_as_nix_attribute_paths() -> None:
    common = file(darwin_plan(through=Phase.PACKAGES), "home/common.nix")
    assert "pkgs.nerd-fonts.jetbrains-mono\n" in common
    assert 'pkgs."7zz"\n' in common


def test_kept_formulae_go_to_homebrew_brews_from_phase_2() -> None:
    plan = darwin_plan(through=Phase.PACKAGES)
    brew = file(plan, f"{HOST}/homebrew.nix")
    assert '"mysql-client"' in brew
    assert '"acme/tools/widget"' in brew
    assert '"legacy-tool"' in brew  # nothing replaces it, so Homebrew keeps it
    assert '"ripgrep"' not in brew
    assert "casks" not in brew
    assert 'cleanup = "none";' in brew
    assert "./homebrew.nix" in file(plan, f"{HOST}/default.nix")
    assert f"{HOST}/homebrew.nix" in plan.phase(Phase.PACKAGES).writes


def test_linux_has_no_homebrew_module() -> None:
    assert all("homebrew" not in f.relpath for f in linux_plan().files)


# ---------------------------------------------------------------- phase 3


def test_folded_directory_becomes_one_xdg_config_file_entry() -> None:
    common = file(darwin_plan(through=Phase.CONFIGS), "home/common.nix")
    assert common.count('xdg.configFile."nvim"') == 1
    assert 'xdg.configFile."nvim/' not in common
    assert (
        'xdg.configFile."nvim".source =\n    config.lib.file.mkOutOfStoreSymlink '
        '"${config.home.homeDirectory}/dotfiles/nvim/.config/nvim";'
    ) in common


def test_links_are_absolute_through_the_home_directory_option() -> None:
    for plan in (darwin_plan(), linux_plan()):
        sources = re.findall(
            r"mkOutOfStoreSymlink (\S+);", "".join(f.content for f in plan.files)
        )
        assert sources
        assert all(
            s.startswith('"${config.home.homeDirectory}/dotfiles/') for s in sources
        )


def test_dotfiles_outside_home_are_linked_by_absolute_path() -> None:
    common = file(darwin_plan(dotfiles_dir="/srv/dotfiles"), "home/common.nix")
    assert 'mkOutOfStoreSymlink "/srv/dotfiles/zsh/.zshrc";' in common


def test_stow_dotfiles_names_map_to_the_real_file_in_the_package() -> None:
    common = file(linux_plan(), "home/common.nix")
    assert (
        'home.file.".zshrc".source =\n    config.lib.file.mkOutOfStoreSymlink '
        '"${config.home.homeDirectory}/dotfiles/zsh/dot-zshrc";'
    ) in common
    assert "/dotfiles/nvim/dot-config/nvim" in common


def test_macos_only_links_go_to_darwin_nix() -> None:
    plan = darwin_plan()
    assert 'home.file."Library/Application Support/Code/User/settings.json"' in file(
        plan, "home/darwin.nix"
    )
    assert "Library/" not in file(plan, "home/common.nix")


def test_phase_3_unstows_each_mutable_package_then_switches() -> None:
    phase = darwin_plan().phase(Phase.CONFIGS)
    unstowed = [s.package for s in phase.steps if isinstance(s, Unstow)]
    assert unstowed == ["nvim", "vscode", "zsh"]
    activate = phase.steps[-1]
    assert isinstance(activate, Activate)
    assert "switch" in activate.argv
    assert "/Users/jane/nix-config#Janes-MacBook-Pro" in activate.argv
    assert activate.argv[0] == "sudo"
    assert set(activate.managed) == {
        ".config/nvim",
        ".zprofile",
        ".zshrc",
        "Library/Application Support/Code/User/settings.json",
    }


def test_first_switch_bootstraps_only_when_the_tool_is_missing() -> None:
    installed = sample_inventory()
    installed = replace(installed, host=replace(installed.host, nix_darwin=True))
    plan = build_plan(installed, darwin_options())
    argv = next(
        s for s in plan.phase(Phase.CONFIGS).steps if isinstance(s, Activate)
    ).argv
    assert argv == (
        "sudo",
        "darwin-rebuild",
        "switch",
        "--flake",
        "/Users/jane/nix-config#Janes-MacBook-Pro",
    )
    fresh = darwin_plan().phase(Phase.CONFIGS).steps[-1]
    assert isinstance(fresh, Activate)
    assert "nix-darwin/master#darwin-rebuild" in fresh.argv


def test_linux_switch_is_home_manager_for_the_user() -> None:
    step = linux_plan().phase(Phase.DECLARATIVE).steps[-1]
    assert isinstance(step, Activate)
    assert step.argv[:2] == ("home-manager", "switch")
    assert step.argv[-1] == "/home/jane/nix-config#jane"


def test_excluded_packages_are_not_linked() -> None:
    plan = darwin_plan()
    assert all(".tmux.conf" not in f.content for f in plan.files)


# ---------------------------------------------------------------- phase 4


def test_declarative_git_becomes_settings_in_its_own_file() -> None:
    plan = darwin_plan(through=Phase.DECLARATIVE)
    git = file(plan, "home/programs/git.nix")
    assert 'name = "Jane Doe";' in git
    assert '"git@github.com:" = {' in git
    assert "./programs/git.nix" in file(plan, "home/common.nix")
    assert 'home.file.".gitconfig".source' not in file(plan, "home/common.nix")
    assert "programs.git.enable" not in file(plan, "home/common.nix")


def test_secrets_stay_mutable_links_and_the_plan_says_why() -> None:
    plan = darwin_plan(through=Phase.DECLARATIVE)
    common = file(plan, "home/common.nix")
    assert 'home.file.".gitconfig.local".source' in common
    notes = " ".join(plan.phase(Phase.DECLARATIVE).notes)
    assert "~/.gitconfig.local" in notes
    assert "GitHub token" in notes


def test_relative_git_includes_keep_pointing_at_the_same_file() -> None:
    git = file(darwin_plan(), "home/programs/git.nix")
    assert 'path = "~/.gitconfig.local";' in git


def test_a_folded_git_directory_is_not_converted() -> None:
    inventory = sample_inventory()
    assert inventory.stow is not None
    folded_git = StowPackage(
        "git", "stowed", links=(_link(".config/git", folded=True),), mode="declarative"
    )
    others = [p for p in inventory.stow.packages if p.name != "git"]
    packages = (*others, folded_git)
    inventory = replace(inventory, stow=replace(inventory.stow, packages=packages))
    plan = build_plan(inventory, darwin_options())
    assert "home/programs/git.nix" not in {f.relpath for f in plan.files}
    assert 'xdg.configFile."git".source' in file(plan, "home/common.nix")
    assert any("--no-folding" in n for n in plan.phase(Phase.DECLARATIVE).notes)


def test_shell_tools_are_enabled_only_when_installed() -> None:
    plan = darwin_plan(through=Phase.DECLARATIVE)
    relpaths = {f.relpath for f in plan.files}
    assert "home/programs/zoxide.nix" in relpaths
    assert "home/programs/fzf.nix" not in relpaths
    assert "pkgs.zoxide" not in file(plan, "home/common.nix")
    direnv = file(plan, "home/programs/direnv.nix")
    assert "package = pkgs.direnv-patched;" in direnv
    assert "programs.direnv" not in file(plan, "home/common.nix")


def test_phase_4_unstows_declarative_packages_and_hands_files_to_home_manager() -> None:
    phase = darwin_plan().phase(Phase.DECLARATIVE)
    assert [s.package for s in phase.steps if isinstance(s, Unstow)] == [
        "git",
        "starship",
    ]
    activate = phase.steps[-1]
    assert isinstance(activate, Activate)
    assert set(activate.managed) == {
        ".config/git/config",
        ".config/starship.toml",
        ".gitconfig.local",
    }


# ---------------------------------------------------------------- phase 5


def test_macos_phase_declares_casks_taps_mas_apps_and_nix_homebrew() -> None:
    plan = darwin_plan(through=Phase.MACOS)
    brew = file(plan, f"{HOST}/homebrew.nix")
    assert strings_in(brew[brew.index("casks") :].split("];")[0]) == ["firefox"]
    assert '"acme/tools"' in brew
    assert '"Xcode" = 497799835;' in brew
    assert '"Things 3" = 904280696;' in brew
    assert "autoMigrate = true;" in brew
    assert "enableRosetta = true;" in brew
    assert 'cleanup = "none";' in brew
    host = file(plan, f"{HOST}/default.nix")
    assert "security.pam.services.sudo_local.touchIdAuth = true;" in host
    assert "autohide = true;" in host
    assert "KeyRepeat = 2;" in host


def test_touch_id_and_defaults_wait_for_phase_5() -> None:
    host = file(darwin_plan(through=Phase.DECLARATIVE), f"{HOST}/default.nix")
    assert "touchIdAuth" not in host
    assert "system.defaults" not in host


def test_macos_phase_is_skipped_on_linux() -> None:
    phase = linux_plan().phase(Phase.MACOS)
    assert phase.writes == ()
    assert phase.steps == ()
    assert "skipped" in phase.notes[0]


# ---------------------------------------------------------------- phase 6


def test_raspberry_pi_shares_common_home_and_leaves_macos_items_out() -> None:
    plan = darwin_plan(through=Phase.SECOND_MACHINE)
    flake = file(plan, "flake.nix")
    assert 'nixos-raspberrypi.url = "github:nvmd/nixos-raspberrypi/main";' in flake
    assert "raspberry-pi-nix" not in flake
    # its own nixpkgs, the one its binary cache holds the kernel for
    assert flake.count('inputs.nixpkgs.follows = "nixpkgs";') == 2
    assert (
        "nixosConfigurations.pi = inputs.nixos-raspberrypi.lib.nixosSystem {" in flake
    )
    assert "inherit (inputs) nixos-raspberrypi;" in flake
    assert "inputs.nixos-raspberrypi.nixosModules.raspberry-pi-5.base\n" in flake
    assert "inputs.nixos-raspberrypi.nixosModules.sd-image\n" in flake
    assert '"https://nixos-raspberrypi.cachix.org"' in flake
    assert (
        '"nixos-raspberrypi.cachix.org-1:4iMO9LXa8BqhU+Rpg6LQKiGa2lsNh/j2oiYLNOQ5sPI="'
        in flake
    )
    pi = file(plan, "hosts/pi/default.nix")
    assert "raspberry-pi-nix" not in pi
    assert "# Raspberry Pi 5: kernel, firmware, boot loader" in pi
    assert "boot.loader" not in pi
    assert "../../home/common.nix" in pi
    assert "../../home/darwin.nix" not in pi
    phase = plan.phase(Phase.SECOND_MACHINE)
    left_out = next(n for n in phase.notes if n.startswith("left out"))
    assert "pinentry_mac" in left_out
    assert "firefox" in left_out
    image, deploy = phase.commands
    assert image.endswith(
        "'/Users/jane/nix-config#nixosConfigurations.pi.config.system.build.sdImage'"
    )
    # nixos-rebuild-ng: --sudo replaced --use-remote-sudo
    assert "--target-host jane@pi" in deploy
    assert deploy.endswith(" --sudo")
    assert "--use-remote-sudo" not in deploy
    installer = next(n for n in phase.notes if "installer image" in n)
    assert "github:nvmd/nixos-raspberrypi/main#installerImages.rpi5" in installer


@pytest.mark.parametrize("model", ["4", "3", "02"])
def test_the_pi_model_picks_the_board_module_and_installer_image(model: str) -> None:
    other = SecondHost("pi", "aarch64-linux", "raspberry-pi", pi_model=model)
    plan = darwin_plan(through=Phase.SECOND_MACHINE, second_host=other)
    flake = file(plan, "flake.nix")
    assert f"nixosModules.raspberry-pi-{model}.base\n" in flake
    assert "raspberry-pi-5" not in flake
    notes = " ".join(plan.phase(Phase.SECOND_MACHINE).notes)
    assert f"#installerImages.rpi{model}'" in notes


def test_an_unknown_pi_model_is_a_usage_error() -> None:
    other = SecondHost("pi", "aarch64-linux", "raspberry-pi", pi_model="6")
    with pytest.raises(UsageError, match="Raspberry Pi model '6'"):
        darwin_plan(second_host=other)


def test_no_raspberry_pi_input_or_cache_without_a_pi() -> None:
    for flake in (
        file(linux_plan(), "flake.nix"),
        file(darwin_plan(second_host=None), "flake.nix"),
    ):
        assert "raspberry" not in flake
        assert "nixConfig" not in flake


def test_nixos_second_host_uses_its_hardware_configuration() -> None:
    plan = linux_plan()
    server = file(plan, "hosts/server/default.nix")
    assert "./hardware-configuration.nix" in server
    assert 'networking.hostName = "server";' in server
    assert "hardware-configuration.nix" in " ".join(
        plan.phase(Phase.SECOND_MACHINE).preconditions
    )


def test_standalone_second_host_gets_user_at_host_output() -> None:
    plan = darwin_plan(second_host=SecondHost("laptop", "x86_64-linux", "standalone"))
    assert 'homeConfigurations."jane@laptop"' in file(plan, "flake.nix")
    assert 'home.homeDirectory = "/home/jane";' in file(
        plan, "hosts/laptop/default.nix"
    )
    commands = plan.phase(Phase.SECOND_MACHINE).commands
    assert any("switch --flake '.#jane@laptop'" in c for c in commands)


def test_sops_is_wired_in_only_when_chosen() -> None:
    assert "sops-nix" not in file(darwin_plan(), "flake.nix")
    plan = darwin_plan(sops=True)
    assert "inputs.sops-nix.darwinModules.sops" in file(plan, "flake.nix")
    assert "homeManagerModules.sops" in file(plan, f"{HOST}/default.nix")


# ---------------------------------------------------------------- phase 7


def test_cleanup_uninstalls_only_formulae_nix_now_provides() -> None:
    phase = darwin_plan().phase(Phase.CLEANUP)
    removed = {s.name for s in phase.steps if isinstance(s, BrewUninstall)}
    assert removed == {
        "direnv",
        "fd",
        "gh",
        "git",
        "neovim",
        "p7zip",
        "pinentry-mac",
        "ripgrep",
        "terraform",
        "zoxide",
    }
    assert "firefox" not in removed


def test_cleanup_unstows_what_is_still_stowed() -> None:
    phase = darwin_plan().phase(Phase.CLEANUP)
    assert [s.package for s in phase.steps if isinstance(s, Unstow)] == ["tmux"]


def test_cleanup_switches_homebrew_to_uninstall_and_never_zaps_unasked() -> None:
    brew = file(darwin_plan(), f"{HOST}/homebrew.nix")
    assert 'cleanup = "uninstall";' in brew
    casks = strings_in(brew[brew.index("casks") :].split("];")[0])
    assert sorted(casks) == [
        "firefox",
        "font-jetbrains-mono-nerd-font",
        "visual-studio-code",
    ]
    assert 'cleanup = "zap";' in file(
        darwin_plan(homebrew_zap=True), f"{HOST}/homebrew.nix"
    )


def test_cleanup_does_not_archive_dotfiles_that_links_still_point_into() -> None:
    phase = darwin_plan().phase(Phase.CLEANUP)
    assert not any(isinstance(s, Archive) for s in phase.steps)
    refusal = next(n for n in phase.notes if "not archived" in n)
    assert "~/.config/nvim" in refusal
    assert "~/.gitconfig.local" in refusal


def test_cleanup_archives_dotfiles_once_nothing_points_into_them() -> None:
    inventory = sample_inventory()
    assert inventory.stow is not None
    only_starship = tuple(p for p in inventory.stow.packages if p.name == "starship")
    inventory = replace(inventory, stow=replace(inventory.stow, packages=only_starship))
    steps = build_plan(inventory, darwin_options()).phase(Phase.CLEANUP).steps
    archives = [s for s in steps if isinstance(s, Archive)]
    assert archives == [
        Archive("/Users/jane/dotfiles", "/Users/jane/dotfiles.stow-archive")
    ]


# ---------------------------------------------------------------- the plan as a whole


def test_plan_holds_phases_one_to_n_and_the_tree_for_n() -> None:
    plan = darwin_plan(through=Phase.CONFIGS)
    assert [p.phase for p in plan.phases] == [
        Phase.FOUNDATION,
        Phase.PACKAGES,
        Phase.CONFIGS,
    ]
    assert plan.phase(Phase.CONFIGS).writes == ("home/common.nix", "home/darwin.nix")
    assert "home/programs/git.nix" not in {f.relpath for f in plan.files}


def test_each_phase_lists_what_it_writes_and_how_to_verify_and_undo() -> None:
    for plan in (darwin_plan(), linux_plan()):
        for phase in plan.phases:
            if phase.writes or phase.steps:
                assert phase.verify, phase.phase
                assert phase.undo, phase.phase


def test_user_data_is_escaped_wherever_it_lands() -> None:
    inventory = sample_inventory()
    assert inventory.stow is not None
    odd = StowPackage('we"ird\\${pkg}', "stowed", links=(_link('.config/a"${b}'),))
    inventory = replace(inventory, stow=replace(inventory.stow, packages=(odd,)))
    common = file(build_plan(inventory, darwin_options()), "home/common.nix")
    assert 'xdg.configFile."a\\"\\${b}".source' in common
    assert '/dotfiles/we\\"ird\\\\\\${pkg}/.config/a\\"\\${b}";' in common


def test_the_same_inputs_give_byte_identical_plans() -> None:
    first = darwin_plan()
    shuffled = sample_inventory()
    shuffled = replace(shuffled, resolutions=tuple(reversed(shuffled.resolutions)))
    assert darwin_plan() == first
    assert build_plan(shuffled, darwin_options()).files == first.files


def test_paths_under_home_may_be_written_with_a_tilde() -> None:
    plan = darwin_plan(config_dir="~/nix-config", dotfiles_dir="~/src/dotfiles")
    assert plan.config_dir == "/Users/jane/nix-config"
    assert "/src/dotfiles/zsh/.zshrc" in file(plan, "home/common.nix")
    activate = plan.phase(Phase.CONFIGS).steps[-1]
    assert isinstance(activate, Activate)
    assert activate.argv[-1] == "/Users/jane/nix-config#Janes-MacBook-Pro"


def test_a_stow_target_outside_home_is_not_linked() -> None:
    inventory = sample_inventory()
    assert inventory.stow is not None
    inventory = replace(
        inventory, stow=replace(inventory.stow, target="/opt/elsewhere")
    )
    plan = build_plan(inventory, darwin_options())
    assert all("mkOutOfStoreSymlink" not in f.content for f in plan.files)
    assert "/opt/elsewhere" in plan.phase(Phase.CONFIGS).notes[0]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"system": "riscv64-linux"}, "unsupported system"),
        ({"hostname": "Jane's Mac"}, "host name"),
        ({"second_host": SecondHost("pi", "x86_64-linux", "raspberry-pi")}, "aarch64"),
        ({"config_dir": "/tmp/a#b"}, "flake URL"),
        ({"config_dir": "nix-config"}, "flake URL"),
    ],
)
def test_unusable_options_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        darwin_plan(**changes)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jane's MacBook Pro", "Janes-MacBook-Pro"),
        ("mbp.local", "mbp"),
        ("  ", "host"),
        ("--x__y--", "x-y"),
    ],
)
def test_host_names_are_made_usable(raw: str, expected: str) -> None:
    assert sanitize_host_name(raw) == expected
