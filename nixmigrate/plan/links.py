"""Stow links -> home-manager links that point back into the dotfiles repo (phase 3).

Each Stow link becomes `xdg.configFile."x".source` (under `.config/`) or
`home.file.".x".source`, set to `config.lib.file.mkOutOfStoreSymlink` of the file in
the repo, so editors keep writing into the repo. A folded directory link stays one
entry: `.config/nvim` -> `xdg.configFile."nvim"`, which is what LazyVim needs.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final

from nixmigrate.plan.config import LinkOption, MutableLink
from nixmigrate.plan.steps import Unstow
from nixmigrate.scan.inventory import StowInventory, StowLink, StowPackage
from nixmigrate.scan.stow.tree import in_package, odd_name, printable

_XDG_PREFIX: Final = ".config/"
_DARWIN_ONLY_PREFIXES: Final = ("Library/",)
_STOW_DOTFILES_PREFIX: Final = "dot-"


@dataclass(frozen=True, slots=True)
class StowContext:
    """Where Stow links live (relative to home) and where their files are."""

    stow: StowInventory
    home: str
    dotfiles_dir: str  # the Stow directory, absolute

    @property
    def target_prefix(self) -> str | None:
        """The Stow target relative to home ("" for home itself), None if outside."""
        return relative_to(self.stow.target, self.home)


def relative_to(path: str, base: str) -> str | None:
    """`path` relative to `base` ("" when equal), or None when it is not inside it."""
    path_n, base_n = posixpath.normpath(path), posixpath.normpath(base)
    if path_n == base_n:
        return ""
    if base_n == "/" or path_n.startswith(base_n.rstrip("/") + "/"):
        return posixpath.relpath(path_n, base_n)
    return None


def dotfiles_source(path: str) -> str:
    """The package-relative name Stow's --dotfiles reads for a target path."""
    return "/".join(
        _STOW_DOTFILES_PREFIX + part[1:]
        if part.startswith(".") and part != "."
        else part
        for part in path.split("/")
    )


def link_source(link: StowLink, *, dotfiles: bool) -> str:
    """Where in the package the link's file lives (honouring --dotfiles `dot-` names)."""
    if link.source:
        return link.source
    return dotfiles_source(link.path) if dotfiles else link.path


def home_path_of(ctx: StowContext, link: StowLink) -> str:
    """The link's path relative to home (Stow paths are relative to the target)."""
    prefix = ctx.target_prefix or ""
    return posixpath.join(prefix, link.path) if prefix else link.path


def stowed_with_dotfiles(ctx: StowContext, package: StowPackage) -> bool:
    """How the package was stowed (an inventory from before per-package flags: .stowrc)."""
    return package.dotfiles if package.target else ctx.stow.options.dotfiles


def package_target(ctx: StowContext, package: StowPackage) -> str:
    """The directory the package was stowed into (`stow -t`)."""
    return package.target or ctx.stow.target


def home_path_in_package_target(
    ctx: StowContext, package: StowPackage, path: str
) -> str | None:
    """`path` (relative to the package's target) relative to home; None outside it."""
    below = relative_to(package_target(ctx, package), ctx.home)
    if below is None:
        return None
    return posixpath.join(below, path) if below else path


def make_link(ctx: StowContext, package: StowPackage, link: StowLink) -> MutableLink:
    home_path = home_path_of(ctx, link)
    inside = link_source(link, dotfiles=stowed_with_dotfiles(ctx, package))
    absolute = posixpath.join(ctx.dotfiles_dir, in_package(package.name, inside))
    under_home = relative_to(absolute, ctx.home)
    option, name = link_option(home_path)
    return MutableLink(
        option=option,
        name=name,
        source=under_home if under_home is not None else absolute,
        under_home=under_home is not None,
        home_path=home_path,
        package=package.name,
    )


def link_option(home_path: str) -> tuple[LinkOption, str]:
    """`.config/x` -> xdg.configFile "x"; anything else -> home.file ".x"."""
    if home_path.startswith(_XDG_PREFIX):
        return "xdg.configFile", home_path.removeprefix(_XDG_PREFIX)
    return "home.file", home_path


def package_links(ctx: StowContext, package: StowPackage) -> tuple[MutableLink, ...]:
    return tuple(make_link(ctx, package, link) for link in package.links)


def is_darwin_only(link: MutableLink) -> bool:
    return link.home_path.startswith(_DARWIN_ONLY_PREFIXES)


def sort_links(links: Iterable[MutableLink]) -> tuple[MutableLink, ...]:
    """Sorted, one per target: Nix rejects an attribute defined twice."""
    unique: dict[tuple[str, str], MutableLink] = {}
    for link in sorted(links, key=lambda link: (link.option, link.name, link.package)):
        unique.setdefault((link.option, link.name), link)
    return tuple(unique.values())


def unstow_step(ctx: StowContext, package: StowPackage) -> Unstow:
    """`stow -D` with the flags, target and .stowrc patterns the package was stowed
    with, so it does the same from any directory."""
    target = package_target(ctx, package)
    below = relative_to(target, ctx.stow.target) or ""
    return Unstow(
        package=package.name,
        stow_dir=ctx.stow.dir,
        target=target,
        links=tuple(sorted(_below(link.path, below) for link in package.links)),
        dotfiles=stowed_with_dotfiles(ctx, package),
        no_folding=package.no_folding or ctx.stow.options.no_folding,
        ignore=ctx.stow.options.ignore,
        defer=ctx.stow.options.defer,
        override=ctx.stow.options.override,
    )


def _below(path: str, prefix: str) -> str:
    """A scan path (relative to the scan's target) relative to the package's target."""
    return posixpath.relpath(path, prefix) if prefix else path


def restow_command(ctx: StowContext, package: StowPackage) -> str:
    """The `stow` command line that links the package again the way it was."""
    return _command_line(unstow_step(ctx, package))


def unfold_command(ctx: StowContext, package: StowPackage) -> str:
    """The `stow -R --no-folding` command line that re-links the package with real
    directories in place of its folded links (and otherwise as it was)."""
    return _command_line(replace(unstow_step(ctx, package), no_folding=True), "-R")


def _command_line(step: Unstow, *action: str) -> str:
    argv = ["stow", *action, *step.flags(), "-d", step.stow_dir, "-t", step.target]
    return shlex.join([*argv, step.package])


def with_links(packages: Iterable[StowPackage]) -> tuple[StowPackage, ...]:
    return tuple(p for p in packages if p.links)


def _awkward_links(package: StowPackage) -> list[tuple[str, str]]:
    """(path, why) for each link whose name cannot go into a Nix file as it is."""
    found = []
    for link in package.links:
        for name in (link.path, link.source):
            if reason := odd_name(name):
                found.append((link.path, reason))
                break
    return found


def _plannable(package: StowPackage) -> bool:
    return package.include and not _awkward_links(package)


def kept_for_names(stow: StowInventory) -> tuple[StowPackage, ...]:
    """Included packages an odd link name keeps stowed (see left_out_for_names)."""
    return tuple(p for p in stow.packages if p.include and _awkward_links(p))


def left_out_for_names(stow: StowInventory | None) -> tuple[str, ...]:
    """One warning per oddly named link: its package stays stowed, out of the plan."""
    if stow is None:
        return ()
    return tuple(
        f"~/{printable(path)} {reason}: package {printable(package.name)} stays "
        "stowed and is left out of the plan (rename the file to migrate it)"
        for package in stow.packages
        if package.include
        for path, reason in _awkward_links(package)
    )


def mutable_packages(stow: StowInventory) -> tuple[StowPackage, ...]:
    return tuple(
        sorted(
            (p for p in stow.packages if _plannable(p) and p.mode == "mutable"),
            key=lambda p: p.name,
        )
    )


def declarative_packages(stow: StowInventory) -> tuple[StowPackage, ...]:
    return tuple(
        sorted(
            (p for p in stow.packages if _plannable(p) and p.mode == "declarative"),
            key=lambda p: p.name,
        )
    )


def wide_folds(links: Iterable[MutableLink]) -> tuple[MutableLink, ...]:
    """Links that fold a whole shared directory (`~/.config`), which HM also writes to."""
    return tuple(link for link in links if link.home_path in (".config", ".local"))
