"""Put the demo dotfiles into a throw-away home, linked exactly as GNU Stow links them.

GNU Stow is not needed (the demo runs on a fresh Mac). The linking follows Stow's
rules: relative links, folding a directory into one link while only one package
uses it, unfolding it into a real directory with per-package links once a second
package needs it, and the ignore lists. One package is left unstowed, as in many
real dotfiles repositories.

Everything written stays inside the given home.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

from nixmigrate.errors import ConflictError, NixmigrateError
from nixmigrate.scan.inventory import StowOptions
from nixmigrate.scan.stow import scan_stow
from nixmigrate.scan.stow.rc import DEFAULT_DOTFILES, read_stow_options
from nixmigrate.scan.stow.tree import (
    PackageNode,
    PackageTree,
    package_names,
    read_link_text,
    read_package,
)
from nixmigrate.system.fs import FileSystem, LocalFS

DEMO_PACKAGES: Final = (
    "bat",
    "gh",
    "ghostty",
    "git",
    "nvim",
    "ssh",
    "starship",
    "tmux",
    "wezterm",
    "zsh",
)
DEMO_UNSTOWED: Final = "wezterm"  # replaced by ghostty, its config never stowed
FILE_MODE: Final = 0o644


def demo_dotfiles_source() -> Traversable:
    """The demo dotfiles shipped inside the package."""
    return files("nixmigrate.demo") / "dotfiles"


def install_demo_dotfiles(home: Path) -> Path:
    """Copy the demo dotfiles to `home/dotfiles` and stow all but one package.

    Returns the dotfiles directory. Raises ConflictError, writing nothing, when
    `home/dotfiles` exists or a file in `home` stands where a link must go.
    """
    home = home.absolute()
    dotfiles = home / DEFAULT_DOTFILES
    if dotfiles.exists() or dotfiles.is_symlink():
        msg = f"{dotfiles} already exists"
        raise ConflictError(msg, hint="install the demo into an empty directory")
    fs = LocalFS()
    stowed = [name for name in DEMO_PACKAGES if name != DEMO_UNSTOWED]
    _copy_tree(fs, demo_dotfiles_source(), dotfiles)
    try:
        options = read_stow_options(home, dotfiles)
        _check_shipped(dotfiles, home, options)
        _refuse_conflicts(dotfiles, home, options, stowed)
    except NixmigrateError:
        fs.rmtree(dotfiles)  # only what this call created; no link is made yet
        raise
    linker = _Linker(fs, dotfiles, home, options)
    for name in stowed:
        linker.stow(name)
    return dotfiles


def _copy_tree(fs: FileSystem, source: Traversable, destination: Path) -> None:
    fs.mkdir(destination)
    for entry in sorted(source.iterdir(), key=lambda item: item.name):
        if entry.is_dir():
            _copy_tree(fs, entry, destination / entry.name)
        else:
            fs.write_bytes(destination / entry.name, entry.read_bytes(), mode=FILE_MODE)


def _check_shipped(dotfiles: Path, home: Path, options: StowOptions) -> None:
    found, _problems = package_names(dotfiles, home=home, options=options)
    missing = sorted(set(DEMO_PACKAGES) - set(found))
    if missing:
        msg = f"the demo dotfiles shipped with nixmigrate lack {', '.join(missing)}"
        raise NixmigrateError(msg, hint="reinstall nixmigrate")


def _refuse_conflicts(
    dotfiles: Path, home: Path, options: StowOptions, stowed: list[str]
) -> None:
    inventory = scan_stow(dotfiles, home, options=options)
    blocked = [
        f"{conflict.path} ({package.name})"
        for package in inventory.packages
        if package.name in stowed
        for conflict in package.conflicts
    ]
    if blocked:
        msg = f"{home} already has files where the demo links go: {', '.join(blocked)}"
        raise ConflictError(msg, hint="install the demo into an empty directory")


@dataclass
class _Linker:
    """Stow's stow_node/stow_contents, for a home with no conflicts left."""

    fs: FileSystem
    stow_dir: Path
    home: Path
    options: StowOptions
    trees: dict[str, PackageTree] = field(default_factory=dict)

    def tree(self, name: str) -> PackageTree:
        if name not in self.trees:
            self.trees[name] = read_package(
                self.stow_dir, name, home=self.home, options=self.options
            )
        return self.trees[name]

    def stow(self, name: str) -> None:
        for node in self.tree(name).root.children:
            self.stow_node(name, node)

    def stow_node(self, package: str, node: PackageNode) -> None:
        path = self.home / node.target
        if path.is_symlink():
            self.meet_link(package, node, path)
        elif path.is_dir():
            self.stow_children(package, node)
        elif self.options.no_folding and node.is_dir:
            self.fs.mkdir(path)
            self.stow_children(package, node)
        else:
            source = self.stow_dir / package / node.source
            self.fs.symlink(path, posixpath.relpath(source, path.parent))

    def stow_children(self, package: str, node: PackageNode) -> None:
        for child in node.children:
            self.stow_node(package, child)

    def meet_link(self, package: str, node: PackageNode, path: Path) -> None:
        owner, owner_node = self.owner_of(path)
        if (
            owner == package
            and owner_node is not None
            and owner_node.source == node.source
        ):
            return
        if (
            owner is None
            or owner_node is None
            or not (node.is_dir and owner_node.is_dir)
        ):
            msg = f"{path} is in the way of the {package} package"
            raise ConflictError(msg, hint="install the demo into an empty directory")
        # unfold: a real directory holding both packages' links
        self.fs.unlink(path)
        self.fs.mkdir(path)
        self.stow_children(owner, owner_node)
        self.stow_children(package, node)

    def owner_of(self, path: Path) -> tuple[str | None, PackageNode | None]:
        text = read_link_text(path)
        destination = posixpath.normpath(posixpath.join(path.parent, text))
        inside = posixpath.relpath(destination, self.stow_dir)
        if inside.startswith("..") or "/" not in inside:
            return None, None
        owner, source = inside.split("/", 1)
        return owner, self.tree(owner).root.find(source)


def link_package(dotfiles: Path, home: Path, package: str) -> None:
    """`stow PACKAGE` without GNU Stow, for the demo on machines that lack it."""
    options = read_stow_options(home, dotfiles)
    _Linker(LocalFS(), dotfiles, home, options).stow(package)


def unlink_package(dotfiles: Path, home: Path, package: str) -> None:
    """`stow -D PACKAGE` without GNU Stow: remove the links the package owns."""
    options = read_stow_options(home, dotfiles)
    found = scan_stow(dotfiles, home, options=options).package(package)
    fs = LocalFS()
    for link in found.links if found else ():
        fs.unlink(home / link.path)
