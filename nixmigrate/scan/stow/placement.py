"""How each package was stowed, worked out from the links that exist.

People stow from a script or by hand (`stow --dotfiles bash`, `stow -t ~/.config/nvim
nvim`) as often as through `.stowrc`, so the links are the evidence. A package is
judged first the way `.stowrc` (or the scan's own flags) says; if that does not
account for all of it, the other ways Stow could have placed it are judged too:
with the other `--dotfiles` setting, into the usual deeper targets that exist as
real directories, and into any directory directly in the target (`~/.emacs.d`), or
under `.config`, `.local/share` or `Library/Application Support` (two levels down),
holding a link that is named like one of the package's entries and passes through
the package. The way under which most of its files are linked wins; on a
tie, the default. Nothing links into a package by accident, so a package no way
accounts for keeps the default and is reported as it is (unstowed, or partial).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

from nixmigrate.scan.stow.listing import join
from nixmigrate.scan.stow.scanner import Scanner, Tally
from nixmigrate.scan.stow.tree import PackageTree

# Deeper targets people give `stow -t`, relative to the scan's target.
TARGET_GUESSES: Final = (
    ".config/{name}",
    ".config",
    ".local/share/{name}",
    ".local/share",
    ".local/bin",
    "bin",
    ".local",
    "Library/Application Support/{name}",
)
# Where other deeper targets are looked for, and how many levels down: directories
# holding a link named like one of the package's own entries, into the package.
# The target itself ("") for `stow -t ~/.emacs.d emacs`, `stow -t ~/.newsboat ...`.
LINKED_TARGET_BASES: Final = (
    ("", 1),
    (".config", 2),
    (".local/share", 2),
    ("Library/Application Support", 2),
)


@dataclass(frozen=True, slots=True)
class Inference:
    """What the links may decide; an explicit scan flag pins the other."""

    dotfiles: bool = True
    target: bool = True


@dataclass(frozen=True, slots=True)
class Placement:
    prefix: str  # the package's target relative to the scan's target ("" for it)
    dotfiles: bool


@dataclass(frozen=True, slots=True)
class Placed:
    """A package judged under one placement."""

    placement: Placement
    tree: PackageTree
    tally: Tally
    files: tuple[str, ...]  # the package's files, relative to the scan's target

    @property
    def found(self) -> int:
        return self.tally.found(self.files)


def place_package(
    scanner: Scanner,
    read: Callable[[bool], PackageTree],
    *,
    default_dotfiles: bool,
    infer: Inference,
    base: str = "",
) -> Placed:
    """The placement the package's links agree with (the default unless shown).

    `base` is the default target, relative to the scan's ("" for it).
    """
    trees: dict[bool, PackageTree] = {default_dotfiles: read(default_dotfiles)}

    def judge(placement: Placement) -> Placed:
        if placement.dotfiles not in trees:
            trees[placement.dotfiles] = read(placement.dotfiles)
        tally = Tally(placement.prefix)
        tree = trees[placement.dotfiles]
        scanner.check_tree(tree.name, tree.root, tally)
        prefix = placement.prefix
        files = tree.files()
        if prefix:
            files = tuple(f"{prefix}/{f}" for f in files)
        return Placed(placement, tree, tally, files)

    best = judge(Placement(base, default_dotfiles))
    if best.tally.status(best.files) == "stowed":
        return best
    for placement in _alternatives(scanner, best.tree, base, default_dotfiles, infer):
        placed = judge(placement)
        if placed.found > best.found:
            best = placed
    return best


def _alternatives(
    scanner: Scanner,
    tree: PackageTree,
    base: str,
    default_dotfiles: bool,
    infer: Inference,
) -> Iterator[Placement]:
    modes = [default_dotfiles]
    if infer.dotfiles and tree.dot_names:
        modes.append(not default_dotfiles)
    prefixes = [base]
    if infer.target:
        prefixes.extend(_deeper_targets(scanner, tree.name))
        prefixes.extend(p for p in _linked_targets(scanner, tree) if p not in prefixes)
    for prefix in prefixes:
        for dotfiles in modes:
            if (prefix, dotfiles) != (base, default_dotfiles):
                yield Placement(prefix, dotfiles)


def _deeper_targets(scanner: Scanner, name: str) -> list[str]:
    """The guessed targets that exist as real directories outside the stow dir."""
    found: dict[str, None] = {}
    for guess in TARGET_GUESSES:
        prefix = guess.format(name=name)
        if scanner.listings.kind(prefix) == "dir" and not scanner.in_stow_dir(prefix):
            found[prefix] = None
    return list(found)


def _linked_targets(scanner: Scanner, tree: PackageTree) -> list[str]:
    """Directories under the usual config bases that hold a link named like one of
    the package's top-level entries whose text passes through the package: the
    links themselves prove the target (`stow -t ~/.config/Code/User vscode`)."""
    names = {child.name for child in tree.root.children}
    names |= {"." + n.removeprefix("dot-") for n in names if n.startswith("dot-")}
    found: list[str] = []
    for base, depth in LINKED_TARGET_BASES:
        for directory in _subdirectories(scanner, base, depth):
            if directory not in found and _links_into(
                scanner, directory, names, tree.name
            ):
                found.append(directory)
    return found


def _subdirectories(scanner: Scanner, base: str, depth: int) -> Iterator[str]:
    if depth == 0 or scanner.in_stow_dir(base):
        return
    if base and scanner.listings.kind(base) != "dir":
        return  # "" is the target itself, always a directory
    entries = scanner.listings.entries(base)
    if isinstance(entries, OSError):
        return
    for name, kind in sorted(entries.kinds.items()):
        directory = join(base, name)
        if kind == "dir" and not scanner.in_stow_dir(directory):
            yield directory
            yield from _subdirectories(scanner, directory, depth - 1)


def _links_into(
    scanner: Scanner, directory: str, names: set[str], package: str
) -> bool:
    entries = scanner.listings.entries(directory)
    if isinstance(entries, OSError):
        return False
    return any(
        package in text.split("/")
        for name, text in entries.texts.items()
        if name in names
    )
