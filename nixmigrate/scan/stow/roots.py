"""The home and stow directories as Stow sees them: spellings, and probing paths.

Paths are strings handled with posixpath, because Stow judges link text lexically
and pathlib neither collapses `..` nor keeps a link's text verbatim.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from nixmigrate.scan.stow.tree import read_link_text

Probe = Literal["dir", "file", "missing", "loop", "outside", "unreadable"]
MAX_LINK_HOPS: Final = 40  # what Linux allows before ELOOP


def absolute(path: Path) -> str:
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
        stow = (absolute(stow_dir), os.path.realpath(stow_dir))
        home = (absolute(target), os.path.realpath(target))
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
