"""Scan GNU Stow dotfiles: the packages, and how each one stands in the home directory.

Read-only. The rules are Stow 2.3.1's own (see rc.py, ignore.py):

* Packages are the top-level real directories of the stow directory, except
  dot-directories and names the ignore lists exclude.
* A link "belongs" to a package when its text, joined to the link's directory
  and normalised without touching the disk (as Stow does), names that package's
  entry. A link to a directory is a folded tree and covers everything below it.
* A target Stow could fix on its own is not a conflict: a dangling link into the
  stow directory (Stow replaces it), a link to another package's directory where
  this package needs a directory too (Stow unfolds it), paths `--override`
  matches. Paths `--defer` matches and another package holds are left out of the
  status.
* Stow neither restows nor unstows absolute links, so an absolute link to the
  package's own file is listed with the package's links *and* as an
  `absolute-link` conflict.

Only the paths the packages name are examined, and the entries of the real
directories those paths pass through (where Stow itself looks for stale links).
Symlinks are never followed out of the home or stow directory. Paths inside the
scan are strings handled with posixpath, because Stow judges link text lexically
and pathlib neither collapses `..` nor keeps a link's text verbatim.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final, Literal

from nixmigrate.errors import UsageError
from nixmigrate.scan.inventory import (
    StowConflict,
    StowInventory,
    StowLink,
    StowOptions,
    StowPackage,
    StowStatus,
)
from nixmigrate.scan.stow.rc import read_stow_options, resolve_stow_location
from nixmigrate.scan.stow.tree import (
    PackageNode,
    PackageTree,
    odd_name,
    package_names,
    printable,
    read_link_text,
    read_package,
)

__all__ = ["resolve_stow_location", "scan_stow"]

Probe = Literal["dir", "file", "missing", "loop", "outside", "unreadable"]
MAX_LINK_HOPS: Final = 40  # what Linux allows before ELOOP


def _absolute(path: Path) -> str:
    return posixpath.normpath(path.absolute())


@dataclass(frozen=True, slots=True)
class _Follow:
    """A link was met while probing: carry on from this path."""

    path: str


@dataclass(frozen=True, slots=True)
class Roots:
    """The home and stow directories, each as given and as resolved by the OS."""

    target: str  # resolved: every link's directory is spelled from here
    stow_forms: tuple[str, ...]
    trees: tuple[tuple[str, str], ...]  # (spelling, resolved), stow dir first

    @classmethod
    def of(cls, stow_dir: Path, target: Path) -> Roots:
        stow = (_absolute(stow_dir), os.path.realpath(stow_dir))
        home = (_absolute(target), os.path.realpath(target))
        pairs = [stow, (stow[1], stow[1]), home, (home[1], home[1])]
        trees = tuple(dict.fromkeys(pairs))
        return cls(home[1], tuple(dict.fromkeys(stow)), trees)

    def destination(self, link_dir: str, text: str) -> str:
        """Where a link points, joined and normalised without reading the disk."""
        return posixpath.normpath(posixpath.join(link_dir, text))

    def in_stow(self, path: str) -> str | None:
        """`path` relative to the stow directory, or None when it lies outside."""
        for form in self.stow_forms:
            if path == form:
                return ""
            if path.startswith(f"{form.rstrip('/')}/"):
                return path[len(form.rstrip("/")) + 1 :]
        return None

    def _inside(self, path: str) -> tuple[str, list[str]] | None:
        for spelling, real in self.trees:
            if path == spelling:
                return real, []
            if path.startswith(f"{spelling.rstrip('/')}/"):
                return real, path[len(spelling.rstrip("/")) + 1 :].split("/")
        return None

    def probe(self, path: str) -> Probe:
        """What is at `path`, following links only while they stay in the two trees."""
        for _hop in range(MAX_LINK_HOPS):
            inside = self._inside(path)
            if inside is None:
                return "outside"
            found = _walk(*inside)
            if not isinstance(found, _Follow):
                return found
            path = found.path
        return "loop"


def _walk(cursor: str, parts: Sequence[str]) -> Probe | _Follow:
    """Step down `parts` from the real directory `cursor`, stopping at the first link."""
    mode = stat.S_IFDIR
    for index, part in enumerate(parts):
        step = posixpath.join(cursor, part)
        try:
            mode = os.lstat(step).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return "missing"
        except OSError:
            return "unreadable"
        if stat.S_ISLNK(mode):
            rest = posixpath.join(read_link_text(step), *parts[index + 1 :])
            return _Follow(posixpath.normpath(posixpath.join(cursor, rest)))
        if index < len(parts) - 1 and not stat.S_ISDIR(mode):
            return "missing"
        cursor = step
    return "dir" if stat.S_ISDIR(mode) else "file"


def _compile(
    patterns: Sequence[str], option: str, problems: list[str]
) -> list[re.Pattern[str]]:
    compiled = []
    for pattern in patterns:
        try:
            # Stow builds qr(\A$regex): the anchor binds to the first alternative only
            compiled.append(re.compile(f"\\A{pattern}"))
        except re.error as err:
            problems.append(f"{option}={pattern!r} was skipped: {err}")
    return compiled


@dataclass
class _Tally:
    """One package's findings while its targets are checked."""

    linked: set[str] = field(default_factory=set)
    deferred: set[str] = field(default_factory=set)
    links: list[StowLink] = field(default_factory=list)
    conflicts: list[StowConflict] = field(default_factory=list)

    def link(self, link: StowLink, node: PackageNode) -> None:
        self.links.append(link)
        self.linked.update(node.files())

    def conflict(self, node: PackageNode, kind: str, detail: str) -> None:
        self.conflicts.append(StowConflict(node.target, kind, detail))

    def status(self, files: Sequence[str]) -> StowStatus:
        if self.conflicts:
            return "conflict"
        wanted = set(files) - self.deferred
        present = self.linked & wanted
        if not wanted:
            return "stowed" if files else "unstowed"
        if present == wanted:
            return "stowed"
        return "partial" if present else "unstowed"


@dataclass
class _Scanner:
    roots: Roots
    defer: list[re.Pattern[str]]
    override: list[re.Pattern[str]]
    label: str  # how messages name the target: "~" for the home directory
    problems: list[str] = field(default_factory=list)
    examined: set[str] = field(default_factory=lambda: {""})

    def shown(self, rel: str) -> str:
        return f"{self.label}/{printable(rel)}" if rel else self.label

    def check(self, package: str, node: PackageNode, tally: _Tally) -> None:
        if node.absolute_link is not None:
            detail = "the package entry is an absolute symlink; stow refuses it"
            tally.conflict(node, "absolute-link", detail)
            return
        path = posixpath.join(self.roots.target, node.target)
        if self.roots.in_stow(path) is not None:
            return  # Stow skips its own directory when it lies inside the target
        try:
            mode = os.lstat(path).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as err:
            self.problems.append(
                f"cannot check {self.shown(node.target)} ({err.strerror})"
            )
            return
        if stat.S_ISLNK(mode):
            self.check_link(package, node, path, tally)
        elif stat.S_ISDIR(mode) and node.is_dir:
            self.examined.add(node.target)
            for child in node.children:
                self.check(package, child, tally)
        elif stat.S_ISDIR(mode):
            tally.conflict(
                node, "directory", "a directory is where the package has a file"
            )
        else:
            tally.conflict(node, "file", "a file that is not a link is in the way")

    def check_link(
        self, package: str, node: PackageNode, path: str, tally: _Tally
    ) -> None:
        text = read_link_text(path)
        absolute = posixpath.isabs(text)
        where = self.roots.in_stow(
            self.roots.destination(posixpath.dirname(path), text)
        )
        if where == f"{package}/{node.source}":
            tally.link(
                StowLink(node.target, text, absolute, node.is_dir, node.source), node
            )
            if absolute:
                detail = (
                    "absolute link into this package: stow will not restow or unstow it"
                )
                tally.conflict(node, "absolute-link", detail)
            return
        if absolute or where is None:
            tally.conflict(node, "foreign-link", f"links to {printable(text)}")
            return
        self.check_stow_link(node, where, tally)

    def check_stow_link(self, node: PackageNode, where: str, tally: _Tally) -> None:
        """A relative link into the stow directory, but not to this entry."""
        found = self.roots.probe(posixpath.join(self.roots.stow_forms[0], where))
        if found in ("missing", "loop"):
            return  # a dangling link into the stow dir: Stow replaces it
        if any(regex.search(node.target) for regex in self.defer):
            tally.deferred.update(node.files())
        elif any(regex.search(node.target) for regex in self.override):
            return
        elif node.is_dir and found == "dir":
            return  # Stow unfolds the other package's directory link
        else:
            tally.conflict(node, "other-package", f"linked to {printable(where)}")

    def scan_package(self, tree: PackageTree) -> StowPackage:
        tally = _Tally()
        for node in tree.root.children:
            self.check(tree.name, node, tally)
        files = tree.files()
        self.problems.extend(tree.problems)
        return StowPackage(
            name=tree.name,
            status=tally.status(files),
            targets=files,
            links=tuple(sorted(tally.links, key=lambda link: link.path)),
            conflicts=tuple(tally.conflicts),
        )

    def loose_links(self, owned: set[str]) -> tuple[list[StowLink], list[StowLink]]:
        """Stale links (into the stow dir, no owner) and broken ones, where Stow looks."""
        stale: list[StowLink] = []
        broken: list[StowLink] = []
        for directory in sorted(self.examined):
            for found, destination in self.links_in(directory):
                where = self.roots.in_stow(destination)
                link = replace(found, source=where or "")
                # where == "": a link to the stow directory itself, not into a package
                is_stale = bool(where) and link.path not in owned
                is_broken = self.dangles(link, destination)
                if is_stale:
                    stale.append(link)
                if is_broken:
                    broken.append(link)
                if (is_stale or is_broken) and (reason := odd_name(link.path)):
                    self.problems.append(f"{self.shown(link.path)} {reason}")
        return stale, broken

    def links_in(self, directory: str) -> list[tuple[StowLink, str]]:
        """The symlinks directly in `directory`, each with where it points."""
        full = posixpath.join(self.roots.target, directory)
        try:
            entries = sorted(os.scandir(full), key=lambda e: e.name)
        except OSError as err:
            self.problems.append(
                f"cannot read {self.shown(directory)} ({err.strerror})"
            )
            return []
        found = []
        for entry in entries:
            if entry.is_symlink():
                text = read_link_text(entry.path)
                rel = f"{directory}/{entry.name}" if directory else entry.name
                link = StowLink(rel, text, posixpath.isabs(text))
                found.append((link, self.roots.destination(full, text)))
        return found

    def dangles(self, link: StowLink, destination: str) -> bool:
        found = self.roots.probe(destination)
        if found == "loop":
            self.problems.append(f"{self.shown(link.path)} is part of a symlink loop")
        return found in ("missing", "loop")


def _quoted_patterns(options: StowOptions) -> list[str]:
    written = [
        *(("ignore", p) for p in options.ignore),
        *(("defer", p) for p in options.defer),
        *(("override", p) for p in options.override),
    ]
    return [
        f"--{option}={pattern} keeps its quotes (Stow 2.3.1 does not strip them), "
        "so it probably matches nothing"
        for option, pattern in written
        if len(pattern) >= 2 and pattern[0] == pattern[-1] and pattern[0] in "'\""
    ]


def _require_dir(path: Path, what: str, hint: str) -> None:
    if not path.is_dir():
        msg = f"{what} {path} does not exist or is not a directory"
        raise UsageError(msg, hint=hint)


def scan_stow(
    stow_dir: Path,
    target: Path,
    *,
    home: Path | None = None,
    options: StowOptions | None = None,
) -> StowInventory:
    """Every package in `stow_dir` and its state in `target`; nothing is written.

    `home` holds `.stowrc` and `.stow-global-ignore` (default: `target`). Without
    `options`, they are read from `home/.stowrc` and `stow_dir/.stowrc`; pass the
    options `resolve_stow_location` returned to avoid reading them twice.

    In the result, a package link's `source` is its path inside the package; a
    stale link's `source` is its path inside the stow directory (`tmux/.tmux.conf`).
    `stale_links` point into the stow directory and belong to no package;
    `broken_links` dangle. A stale link whose file was deleted is in both. Links
    that lead out of the home and stow directories are not followed, so whether
    they dangle is not checked.
    """
    _require_dir(stow_dir, "dotfiles directory", "pass --dotfiles DIR")
    _require_dir(target, "stow target", "fix --target in .stowrc")
    home = target if home is None else home
    options = read_stow_options(home, stow_dir) if options is None else options
    problems = _quoted_patterns(options)
    scanner = _Scanner(
        Roots.of(stow_dir, target),
        defer=_compile(options.defer, "--defer", problems),
        override=_compile(options.override, "--override", problems),
        label="~" if _absolute(target) == _absolute(home) else _absolute(target),
        problems=problems,
    )
    names, name_problems = package_names(stow_dir, home=home, options=options)
    problems.extend(name_problems)
    packages = tuple(
        scanner.scan_package(read_package(stow_dir, name, home=home, options=options))
        for name in names
    )
    owned = {link.path for package in packages for link in package.links}
    stale, broken = scanner.loose_links(owned)
    return StowInventory(
        dir=_absolute(stow_dir),
        target=_absolute(target),
        options=options,
        packages=packages,
        stale_links=tuple(stale),
        broken_links=tuple(broken),
        problems=tuple(dict.fromkeys(scanner.problems)),
    )
