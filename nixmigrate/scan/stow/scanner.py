"""How one Stow package stands in the target, placed one given way.

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
* A symlink in the package with absolute text is refused at the package's top
  level only; deeper ones Stow links like files (`default.target.wants/x.service
  -> /usr/lib/systemd/user/x.service`).

Only the paths the packages name are examined, and the entries of the real
directories those paths pass through (where Stow itself looks for stale links).
Symlinks are never followed out of the home or stow directory.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from dataclasses import dataclass, field
from typing import Final

from nixmigrate.scan.inventory import StowConflict, StowLink, StowStatus
from nixmigrate.scan.stow.listing import Kind, Listings, join
from nixmigrate.scan.stow.roots import Roots
from nixmigrate.scan.stow.tree import PackageNode, in_package, odd_name, printable

_ABSOLUTE_OURS: Final = (
    "absolute link into this package: stow will not restow or unstow it"
)


@dataclass
class Tally:
    """One package's findings, placed `prefix` below the scan's target."""

    prefix: str  # the package's own target, relative to the scan's ("" for it)
    linked: set[str] = field(default_factory=set)
    deferred: set[str] = field(default_factory=set)
    links: list[StowLink] = field(default_factory=list)
    conflicts: list[StowConflict] = field(default_factory=list)
    # real dirs passed through -> names of our links in them that cannot dangle
    examined: dict[str, set[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    unfolded: bool = False  # a real dir holds only our links: stowed --no-folding

    def at(self, node: PackageNode) -> str:
        return join(self.prefix, node.target)

    def link(self, link: StowLink, node: PackageNode) -> None:
        self.links.append(link)
        if not node.is_link:
            directory, _, name = link.path.rpartition("/")
            self.examined.setdefault(directory, set()).add(name)
        if node.is_dir:
            self.linked.update(join(self.prefix, f) for f in node.files())
        else:
            self.linked.add(link.path)

    def conflict(self, node: PackageNode, kind: str, detail: str) -> None:
        self.conflicts.append(StowConflict(self.at(node), kind, detail))

    def found(self, files: tuple[str, ...]) -> int:
        """How many of the package's files are linked (the placement's evidence)."""
        return len(self.linked.intersection(files))

    def status(self, files: tuple[str, ...]) -> StowStatus:
        if self.conflicts:
            return "conflict"
        if not self.deferred and files and self.linked.issuperset(files):
            return "stowed"  # the common case, without building a set of the files
        wanted = set(files) - self.deferred
        if not wanted:
            return "stowed" if files else "unstowed"
        if wanted <= self.linked:
            return "stowed"
        return "partial" if self.linked & wanted else "unstowed"


@dataclass
class Scanner:
    roots: Roots
    listings: Listings
    defer: list[re.Pattern[str]]
    override: list[re.Pattern[str]]
    label: str  # how messages name the target: "~" for the home directory
    stow_inside: frozenset[str]  # the stow dir relative to the target, if inside
    _up: dict[str, str] = field(default_factory=dict)

    def shown(self, rel: str) -> str:
        return f"{self.label}/{printable(rel)}" if rel else self.label

    def in_stow_dir(self, rel: str) -> bool:
        return any(rel == s or rel.startswith(f"{s}/") for s in self.stow_inside)

    def check_tree(self, package: str, root: PackageNode, tally: Tally) -> None:
        self.check_children(package, root, tally.prefix, tally)

    def check_children(
        self, package: str, node: PackageNode, rel_dir: str, tally: Tally
    ) -> bool:
        """Judge the entries of a real directory; True if it holds only ours."""
        sound = tally.examined.setdefault(rel_dir, set())
        listing = self.listings.entries(rel_dir)
        if isinstance(listing, OSError):
            for child in node.children:
                self.check(package, child, tally, self._lstat(tally.at(child), tally))
            return False
        kinds, texts = listing.kinds, listing.texts
        ours = 0
        up = f"{self.up_to_stow(rel_dir)}/{in_package(package, '')}"
        base = f"{rel_dir}/" if rel_dir else ""
        links, linked = tally.links, tally.linked
        for child in node.children:
            name = child.name
            kind = kinds.get(name)
            if kind == "link" and child.absolute_link is None:
                text = texts.get(name)
                source = child.source
                if text is not None and text == up + source:  # as Stow writes it
                    # the common case, inlined: tens of thousands of links per scan
                    path = base + name
                    links.append(StowLink(path, text, False, child.is_dir, source))
                    if not child.is_link:
                        sound.add(name)
                    if child.is_dir:
                        linked.update(join(tally.prefix, f) for f in child.files())
                    else:
                        linked.add(path)
                    ours += 1
                    continue
            if kind is not None or child.absolute_link is not None:
                ours += self.check(package, child, tally, kind)
        return ours == len(kinds) > 0

    def _lstat(self, rel: str, tally: Tally) -> Kind | None:
        try:
            mode = os.lstat(self.listings.full(rel)).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as err:
            tally.problems.append(f"cannot check {self.shown(rel)} ({err.strerror})")
            return None
        if stat.S_ISLNK(mode):
            return "link"
        return "dir" if stat.S_ISDIR(mode) else "file"

    def check(
        self, package: str, node: PackageNode, tally: Tally, kind: Kind | None
    ) -> bool:
        """Judge one entry whose target holds `kind`; True if the target is ours."""
        if node.absolute_link is not None and "/" not in node.target:
            # Stow 2.3.1 tests `-l` on the link text it would write, from the
            # target's top: only there does it find (and refuse) the symlink
            detail = "the package entry is an absolute symlink; stow refuses it"
            tally.conflict(node, "absolute-link", detail)
            return False
        rel = tally.at(node)
        if kind is None or rel in self.stow_inside:
            return False  # Stow skips its own directory when it lies inside the target
        if kind == "link":
            return self.check_link(package, node, rel, tally)
        if kind == "dir" and node.is_dir:
            only_ours = self.check_children(package, node, rel, tally)
            tally.unfolded = tally.unfolded or only_ours
            return only_ours
        if kind == "dir":
            tally.conflict(
                node, "directory", "a directory is where the package has a file"
            )
        else:
            tally.conflict(node, "file", "a file that is not a link is in the way")
        return False

    def up_to_stow(self, rel_dir: str) -> str:
        """The stow directory as Stow spells it in a link made in `rel_dir`."""
        up = self._up.get(rel_dir)
        if up is None:
            base = self._up.get("")
            if base is None:
                base = posixpath.relpath(self.roots.stow_forms[-1], self.roots.target)
                self._up[""] = base
            # rel_dir holds real directory names only (no "." or ".."), so each
            # of its components is one step up
            depth = rel_dir.count("/") + 1 if rel_dir else 0
            up = self._up[rel_dir] = posixpath.normpath("../" * depth + base)
        return up

    def check_link(
        self, package: str, node: PackageNode, rel: str, tally: Tally
    ) -> bool:
        text = self.listings.text(rel)
        absolute = posixpath.isabs(text)
        link_dir = posixpath.dirname(self.listings.full(rel))
        where = self.roots.in_stow(self.roots.destination(link_dir, text))
        if where == in_package(package, node.source):
            tally.link(StowLink(rel, text, absolute, node.is_dir, node.source), node)
            if absolute:
                tally.conflict(node, "absolute-link", _ABSOLUTE_OURS)
            return not absolute
        if absolute or where is None:
            tally.conflict(node, "foreign-link", f"links to {printable(text)}")
            return False
        self.check_stow_link(node, where, tally)
        return False

    def check_stow_link(self, node: PackageNode, where: str, tally: Tally) -> None:
        """A relative link into the stow directory, but not to this entry."""
        found = self.roots.probe(posixpath.join(self.roots.stow_forms[0], where))
        if found in ("missing", "loop"):
            return  # a dangling link into the stow dir: Stow replaces it
        if any(regex.search(node.target) for regex in self.defer):
            tally.deferred.update(join(tally.prefix, f) for f in node.files())
        elif any(regex.search(node.target) for regex in self.override):
            return
        elif node.is_dir and found == "dir":
            return  # Stow unfolds the other package's directory link
        else:
            tally.conflict(node, "other-package", f"linked to {printable(where)}")

    def loose_links(
        self, examined: dict[str, set[str]], owned: set[str]
    ) -> tuple[list[StowLink], list[StowLink], list[str]]:
        """Stale links (into the stow dir, no owner) and broken ones, where Stow looks.

        `examined`: the real directories passed through, each with the names of
        the packages' links in it that cannot dangle (nothing to check there).
        """
        stale: list[StowLink] = []
        broken: list[StowLink] = []
        problems: list[str] = []
        for directory in sorted(examined):
            entries = self.listings.entries(directory)
            if isinstance(entries, OSError):
                problems.append(
                    f"cannot read {self.shown(directory)} ({entries.strerror})"
                )
                continue
            full = self.listings.full(directory)
            for name in sorted(entries.texts.keys() - examined[directory]):
                rel = join(directory, name)
                text = entries.texts[name]
                destination = self.roots.destination(full, text)
                where = self.roots.in_stow(destination)
                link = StowLink(rel, text, posixpath.isabs(text), source=where or "")
                # where == "": a link to the stow directory itself, not into a package
                is_stale = bool(where) and rel not in owned
                is_broken = self.dangles(rel, destination, problems)
                if is_stale:
                    stale.append(link)
                if is_broken:
                    broken.append(link)
                if (is_stale or is_broken) and (reason := odd_name(rel)):
                    problems.append(f"{self.shown(rel)} {reason}")
        return stale, broken, problems

    def dangles(self, rel: str, destination: str, problems: list[str]) -> bool:
        found = self.roots.probe(destination)
        if found == "loop":
            problems.append(f"{self.shown(rel)} is part of a symlink loop")
        return found in ("missing", "loop")
