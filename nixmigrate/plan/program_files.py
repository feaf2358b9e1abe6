"""Files home-manager writes in $HOME as soon as a `programs.<name>` module is enabled.

Phase 2 enables modules with no settings. Most modules then write nothing (their files
wait for `settings != { }`), but the ones below always generate a file. With the
user's own file linked from the dotfiles repo (phase 3) that is two definitions of the
same path, or a generated file written into the repo through a folded directory link;
with a plain file in $HOME it is a file replaced. Such a module is not enabled: its
package goes to `home.packages` instead.

`PROGRAM_FILES` lists the home-relative files each module writes with default options
(from the modules' sources in nix-community/home-manager, modules/programs/<name>.nix);
modules whose files depend on settings are not listed. `SHADOWED` lists user files a
generated one takes precedence over, so that the user's file stops counting.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from nixmigrate.plan.links import StowContext, home_path_of
from nixmigrate.resolution import Resolution
from nixmigrate.scan.inventory import StowPackage

_DARWIN_APP_SUPPORT: Final = "Library/Application Support"

PROGRAM_FILES: Final[Mapping[str, tuple[str, ...]]] = {
    "alot": (".config/alot/config",),
    "bash": (".bashrc", ".profile", ".bash_profile"),
    "broot": (
        ".config/broot/conf.toml",
        ".config/broot/conf.hjson",
        ".config/broot/verbs.hjson",
        ".config/broot/launcher/installed",
    ),
    "cmus": (".config/cmus/rc",),
    "fish": (".config/fish/config.fish",),
    "gh": (".config/gh/config.yml",),
    "git": (".config/git/config",),
    "gpg": (".gnupg/gpg.conf", ".gnupg/scdaemon.conf"),
    "himalaya": (".config/himalaya/config.toml",),
    "irssi": (".irssi/config",),
    "kakoune": (".config/kak/kakrc",),
    "khal": (".config/khal/config",),
    "khard": (".config/khard/khard.conf",),
    "kitty": (".config/kitty/kitty.conf",),
    "lf": (".config/lf/lfrc",),
    "mercurial": (".config/hg/hgrc",),
    "micro": (".config/micro/settings.json",),
    "mr": (".mrconfig",),
    "msmtp": (".config/msmtp/config",),
    "neovim": (".config/nvim/init.lua",),
    "newsboat": (".config/newsboat/config",),
    "notmuch": (".config/notmuch/default/config",),
    # config.nu is written once any module adds aliases or init code to nushell;
    # on macOS without xdg.enable the directory is ~/Library/Application Support
    "nushell": (
        ".config/nushell/config.nu",
        ".config/nushell/env.nu",
        f"{_DARWIN_APP_SUPPORT}/nushell/config.nu",
        f"{_DARWIN_APP_SUPPORT}/nushell/env.nu",
    ),
    "offlineimap": (
        ".config/offlineimap/config",
        ".config/offlineimap/get_settings.py",
        ".config/offlineimap/get_settings.pyc",
    ),
    "pet": (".config/pet/config.toml",),
    "pianobar": (".config/pianobar/config",),
    "ranger": (".config/ranger/rc.conf",),
    "readline": (".inputrc",),
    "rofi": (".config/rofi/config.rasi",),
    "sapling": (
        ".config/sapling/sapling.conf",
        "Library/Preferences/sapling/sapling.conf",
    ),
    "senpai": (".config/senpai/senpai.scfg",),
    "ssh": (".ssh/config",),
    "tmux": (".config/tmux/tmux.conf",),
    "todoman": (".config/todoman/config.py",),
    "vdirsyncer": (".config/vdirsyncer/config",),
    "xplr": (".config/xplr/init.lua",),
    "zsh": (".zshrc", ".zshenv"),
}


# program -> {user file: the generated file used instead of it}
SHADOWED: Final[Mapping[str, Mapping[str, str]]] = {
    # bash reads the first of .bash_profile, .bash_login, .profile
    "bash": {".bash_login": ".bash_profile"},
    # tmux loads ~/.tmux.conf, then ~/.config/tmux/tmux.conf over it
    "tmux": {".tmux.conf": ".config/tmux/tmux.conf"},
    # neovim refuses init.vim next to init.lua (E5422) and uses init.lua
    "neovim": {".config/nvim/init.vim": ".config/nvim/init.lua"},
}


# Login shells: enabling the module writes the shell's startup files, on a machine that
# may have had none. A formula alone installs the package; the module is enabled only
# for a shell whose Stow package the user chose as declarative (named after the shell,
# or holding one of its startup files).
LOGIN_SHELL_PACKAGES: Final[Mapping[str, frozenset[str]]] = {
    "bash": frozenset({"bash"}),
    "fish": frozenset({"fish"}),
    "nushell": frozenset({"nushell", "nu"}),
    "zsh": frozenset({"zsh"}),
}


def program_files(program: str) -> tuple[tuple[str, str], ...]:
    """(user file, generated file) pairs for `program`, generated files first."""
    written = tuple((path, path) for path in PROGRAM_FILES.get(program, ()))
    return written + tuple(SHADOWED.get(program, {}).items())


def generated_paths() -> tuple[str, ...]:
    """Every user file of the tables, sorted: what the scan looks for in $HOME."""
    return tuple(
        sorted({user for name in PROGRAM_FILES for user, _ in program_files(name)})
    )


@dataclass(frozen=True, slots=True)
class FileClash:
    """A file a home-manager module would write that the user already has."""

    program: str
    path: str  # home-relative
    generated: str  # the file home-manager writes: `path`, or one used instead of it
    package: str | None = None  # the Stow package linking it; None: a file in $HOME
    linked: str = ""  # the package's link: `path` itself or a folded directory above
    declarative: bool = False  # that package is marked declarative
    excluded: bool = False  # that package stays with Stow (not migrated)


@dataclass(frozen=True, slots=True)
class OwnedPaths:
    """Home-relative paths of Stow packages: their links, and the files behind them."""

    links: Mapping[str, StowPackage]
    files: Mapping[str, StowPackage]

    def owner(self, path: str) -> tuple[str, StowPackage] | None:
        """The link covering `path` (itself or a directory above it) and its package.

        A link is preferred, so a file under a folded directory is reported with it;
        a file of a package that is not linked right now is reported as itself.
        """
        for candidate in (path, *_parents(path)):
            if candidate in self.links:
                return candidate, self.links[candidate]
        if path in self.files:
            return path, self.files[path]
        return None


def owned_paths(ctx: StowContext | None, packages: Iterable[StowPackage]) -> OwnedPaths:
    """What `packages` link, and the files of the included ones.

    A package left out of the migration still counts by its links: they stay in $HOME
    until the cleanup phase.
    """
    links: dict[str, StowPackage] = {}
    files: dict[str, StowPackage] = {}
    if ctx is None:
        return OwnedPaths(links, files)
    prefix = ctx.target_prefix or ""
    for package in sorted(packages, key=lambda p: (not p.include, p.name)):
        for link in package.links:
            links.setdefault(home_path_of(ctx, link), package)
        for target in package.targets if package.include else ():
            files.setdefault(
                posixpath.join(prefix, target) if prefix else target, package
            )
    return OwnedPaths(links, files)


def find_clash(
    program: str, owned: OwnedPaths, home_files: Iterable[str]
) -> FileClash | None:
    """The first file `program` would write that is linked or already in $HOME."""
    existing = frozenset(home_files)
    for path, generated in program_files(program):
        found = owned.owner(path)
        if found is not None:
            linked, package = found
            return FileClash(
                program,
                path,
                generated,
                package.name,
                linked,
                declarative=package.include and package.mode == "declarative",
                excluded=not package.include,
            )
        if path in existing:
            return FileClash(program, path, generated)
    return None


def program_clashes(
    ctx: StowContext | None,
    chosen: Iterable[Resolution],
    home_files: Iterable[str],
) -> tuple[FileClash, ...]:
    """Programs phase 2 must not enable, one clash each, sorted by program."""
    owned = owned_paths(ctx, ctx.stow.packages if ctx else ())
    files = tuple(home_files)
    found: dict[str, FileClash] = {}
    for res in chosen:
        if res.action != "program" or not res.program or res.program in found:
            continue
        clash = find_clash(res.program, owned, files)
        if clash is not None:
            found[res.program] = clash
    return tuple(found[name] for name in sorted(found))


def login_shells_left_alone(
    ctx: StowContext | None, chosen: Iterable[Resolution]
) -> tuple[str, ...]:
    """Login shells installed as a package only: no declarative Stow package of theirs."""
    packages = ctx.stow.packages if ctx else ()
    declarative = _declarative_shells(owned_paths(ctx, packages), packages)
    return tuple(
        sorted(
            {
                res.program
                for res in chosen
                if res.action == "program"
                and res.program is not None
                and res.program in LOGIN_SHELL_PACKAGES
                and res.program not in declarative
            }
        )
    )


def _declarative_shells(
    owned: OwnedPaths, packages: Iterable[StowPackage]
) -> frozenset[str]:
    def chosen(package: StowPackage) -> bool:
        return package.include and package.mode == "declarative"

    found = {
        shell
        for shell, names in LOGIN_SHELL_PACKAGES.items()
        for package in packages
        if chosen(package) and package.name.lower() in names
    }
    for shell in LOGIN_SHELL_PACKAGES:
        for path, _ in program_files(shell):
            owner = owned.owner(path)
            if owner is not None and chosen(owner[1]):
                found.add(shell)
    return frozenset(found)


def describe_login_shell(shell: str, attr: str) -> str:
    """The plan note for a login shell whose module is left off."""
    files = ", ".join(f"~/{path}" for path in PROGRAM_FILES[shell])
    return (
        f"programs.{shell} not enabled: it would write {files}, the startup files of "
        f"a login shell; pkgs.{attr} is installed instead (mark your {shell} Stow "
        "package declarative to let Home Manager write them)"
    )


def describe_clash(
    clash: FileClash, attr: str, *, convertible: bool, converted: bool
) -> str:
    """The plan note: which module, which file, why, and what to do about it.

    `convertible`: phase 4 has a converter for the program; `converted`: it runs.
    """
    module = f"programs.{clash.program}"
    why = f"{_where(clash)}, and {_effect(clash)}"
    if converted:
        todo = f"phase 4 replaces it with {module} settings"
    elif convertible and clash.package is not None and not clash.declarative:
        todo = (
            f"mark the {clash.package} package declarative to let phase 4 convert it "
            "and Home Manager write it"
        )
    else:
        todo = f"to let Home Manager write it, move its content into {module} settings"
    return f"{module} not enabled: {why}; pkgs.{attr} is installed instead ({todo})"


def _where(clash: FileClash) -> str:
    path, linked, package = clash.path, clash.linked, clash.package
    if package is None:
        return f"~/{path} already exists outside your Stow packages"
    if clash.excluded:
        where = f"~/{path} is" if linked == path else f"~/{path} is inside ~/{linked},"
        return f"{where} linked by the Stow package {package}, which stays with Stow"
    if linked == path:
        return f"~/{path} is your linked dotfile (Stow package {package})"
    return (
        f"~/{path} is inside ~/{linked}, your linked directory (Stow package {package})"
    )


def _effect(clash: FileClash) -> str:
    if clash.generated != clash.path:
        return (
            f"Home Manager's generated ~/{clash.generated} would take precedence "
            "over it"
        )
    if clash.package is None or clash.excluded:
        return "Home Manager would replace it"
    if clash.linked == clash.path:
        return "Home Manager would write its own"
    return "Home Manager would write it into the dotfiles repo"


def _parents(path: str) -> tuple[str, ...]:
    parts = path.split("/")
    return tuple("/".join(parts[:i]) for i in range(len(parts) - 1, 0, -1))
