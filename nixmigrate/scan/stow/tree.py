"""A Stow package as a tree: what is in it, and where each entry lands in the target.

Reading never follows a symlink: a symlink inside a package is one entry, and
only real directories are descended into.
"""

from __future__ import annotations

import os
import posixpath
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from nixmigrate.errors import UsageError
from nixmigrate.scan.inventory import StowOptions
from nixmigrate.scan.stow.ignore import IgnoreRules, dotfile_name, load_ignore_rules


# Not frozen: a frozen dataclass costs a setattr call per field, and scans build
# tens of thousands of nodes. Nothing changes a node once the reader made it.
@dataclass(slots=True, eq=False)
class PackageNode:
    source: str  # path inside the package as written, e.g. "dot-config/nvim"
    target: str  # path relative to the target, e.g. ".config/nvim"
    is_dir: bool
    children: tuple[PackageNode, ...] = ()
    absolute_link: str | None = None  # the text, when the entry is an absolute symlink
    is_link: bool = False  # the entry is a symlink (a link to it may still dangle)
    name: str = ""  # the entry's own name on the target side

    def files(self) -> Iterator[str]:
        """Target paths of every non-directory entry at or below this one."""
        if not self.is_dir:
            yield self.target
        for child in self.children:
            yield from child.files()

    def find(self, source: str) -> PackageNode | None:
        """The node at `source` (a path inside the package) at or below this one."""
        if self.source == source:
            return self
        for child in self.children:
            if source == child.source or source.startswith(f"{child.source}/"):
                return child.find(source)
        return None


@dataclass(frozen=True, slots=True)
class PackageTree:
    name: str
    root: PackageNode  # source "" and target "": the package directory itself
    problems: tuple[str, ...] = ()
    dot_names: bool = False  # some entry is named `dot-...` (--dotfiles renames it)
    file_targets: tuple[str, ...] = ()  # target paths of every file, sorted

    def files(self) -> tuple[str, ...]:
        return self.file_targets


def read_link_text(path: str | os.PathLike[str]) -> str:
    """A symlink's text exactly as stored (Path.readlink() would normalise it)."""
    return os.readlink(path)  # noqa: PTH115 - the exact text is part of the answer


def printable(text: str) -> str:
    """A one-line, printable form of a file name: bad bytes as \\xNN, controls escaped."""
    try:
        raw = os.fsencode(text)
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "backslashreplace")
    decoded = raw.decode("utf-8", "backslashreplace")
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
        for ch in decoded
    )


def odd_name(text: str) -> str | None:
    """Why a name will be awkward to carry into Nix files, or None."""
    if text.isascii() and text.isprintable():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid UTF-8"
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        return "contains a newline or another control character"
    return None


WHOLE: Final = "."  # the package name of the stow directory stowed whole


def in_package(package: str, source: str) -> str:
    """A package entry's path inside the stow directory (`stow .` has no prefix)."""
    return source if package == WHOLE else f"{package}/{source}"


def _join(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


def package_names(
    stow_dir: Path, *, home: Path, options: StowOptions
) -> tuple[list[str], list[str]]:
    """Top-level real directories of the stow dir, minus dot-dirs and ignored names."""
    rules, problems = load_ignore_rules(None, home, options.ignore)
    try:
        entries = sorted(os.scandir(stow_dir), key=lambda e: e.name)
    except OSError as err:
        msg = f"cannot read the dotfiles directory {stow_dir} ({err.strerror})"
        raise UsageError(msg, hint="check its permissions") from err
    names = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            if entry.is_dir():  # one stat, to tell a linked package from a linked file
                problems.append(
                    f"{printable(entry.name)} in the stow directory is a symlink to "
                    "a directory; it is not followed, so not scanned as a package"
                )
            continue
        if entry.is_dir(follow_symlinks=False) and not rules.ignores(entry.name):
            names.append(entry.name)
    return names, problems


@dataclass
class _Reader:
    package: str
    package_dir: str
    rules: IgnoreRules
    dotfiles: bool
    problems: list[str] = field(default_factory=list)
    dot_names: bool = False
    files: list[str] = field(default_factory=list)

    def read_dir(self, source_dir: str, target_dir: str) -> tuple[PackageNode, ...]:
        where = f"{self.package_dir}/{source_dir}" if source_dir else self.package_dir
        try:
            with os.scandir(where) as scan:
                entries = list(scan)
        except OSError as err:
            shown = printable(_join(self.package, source_dir))
            self.problems.append(
                f"cannot read {shown} in the stow directory ({err.strerror})"
            )
            return ()
        files, translate = self.files, self.dotfiles
        name_ignored, path_ignored = self.rules.name_ignored, self.rules.path_ignored
        source_base = f"{source_dir}/" if source_dir else ""
        target_base = f"{target_dir}/" if target_dir else ""
        nodes = []
        for entry in entries:
            raw = entry.name
            if name_ignored(raw) or path_ignored(target_base + raw):
                continue
            source = source_base + raw
            name = raw
            if raw.startswith("dot-"):
                self.dot_names = True
                name = dotfile_name(raw) if translate else raw
            target = target_base + name
            if not (raw.isascii() and raw.isprintable()):
                self.odd(raw, source)
            if entry.is_dir(follow_symlinks=False):
                children = self.read_dir(source, target)
                nodes.append(
                    PackageNode(source, target, True, children, None, False, name)
                )
                continue
            files.append(target)
            if entry.is_symlink():
                text = read_link_text(entry.path)
                absolute = text if posixpath.isabs(text) else None
                nodes.append(
                    PackageNode(source, target, False, (), absolute, True, name)
                )
            else:
                nodes.append(PackageNode(source, target, False, (), None, False, name))
        return tuple(nodes)

    def odd(self, raw: str, source: str) -> None:
        if reason := odd_name(raw):
            self.problems.append(f"{printable(_join(self.package, source))} {reason}")


def read_package(
    stow_dir: Path,
    name: str,
    *,
    home: Path,
    options: StowOptions,
    dotfiles: bool | None = None,
) -> PackageTree:
    """Every entry Stow would consider for `name`, ignored ones left out.

    `dotfiles` (default: `options.dotfiles`) says whether `dot-` names are read
    the way `stow --dotfiles` reads them.
    """
    package_dir = stow_dir / name
    rules, problems = load_ignore_rules(package_dir, home, options.ignore)
    translate = options.dotfiles if dotfiles is None else dotfiles
    reader = _Reader(name, str(package_dir), rules, translate, problems)
    root = PackageNode("", "", True, reader.read_dir("", ""))
    return PackageTree(
        name,
        root,
        tuple(reader.problems),
        reader.dot_names,
        tuple(sorted(reader.files)),
    )
