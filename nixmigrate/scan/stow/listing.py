"""The target directories the packages name, each read once with `os.scandir`.

A directory's entries come with their kind from `d_type` (no `stat` per entry),
and the text of every link in it is read right then, relative to the open
directory, so packages sharing `.config` or `.local/bin` cost one listing between
them and the search for stale links reads nothing twice.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from nixmigrate.scan.stow.tree import read_link_text

Kind = Literal["link", "dir", "file"]


def join(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


@dataclass(frozen=True, slots=True)
class Listing:
    kinds: dict[str, Kind]  # name -> what it is (links not followed)
    texts: dict[str, str]  # name -> link text, for the links


def _read(path: str) -> Listing:
    kinds: dict[str, Kind] = {}
    texts: dict[str, str] = {}
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with os.scandir(fd) as scan:
            for entry in scan:
                name = entry.name
                if entry.is_symlink():
                    kinds[name] = "link"
                    try:
                        texts[name] = os.readlink(name, dir_fd=fd)
                    except OSError:
                        continue  # gone since the listing: read again when asked
                elif entry.is_dir(follow_symlinks=False):
                    kinds[name] = "dir"
                else:
                    kinds[name] = "file"
    finally:
        os.close(fd)
    return Listing(kinds, texts)


@dataclass
class Listings:
    root: str  # the resolved target; every path below is relative to it
    _dirs: dict[str, Listing | OSError] = field(default_factory=dict)

    def full(self, rel: str) -> str:
        return f"{self.root.rstrip('/')}/{rel}" if rel else self.root

    def entries(self, rel_dir: str) -> Listing | OSError:
        """The real directory `rel_dir`, or why it cannot be read."""
        found = self._dirs.get(rel_dir)
        if found is None:
            try:
                found = _read(self.full(rel_dir))
            except OSError as err:
                found = err
            self._dirs[rel_dir] = found
        return found

    def kind(self, rel: str) -> Kind | None:
        """What is at `rel` without following links; None when nothing (or unreadable)."""
        parent, _, name = rel.rpartition("/")
        if parent and self.kind(parent) != "dir":
            return None
        entries = self.entries(parent)
        return None if isinstance(entries, OSError) else entries.kinds.get(name)

    def text(self, rel: str) -> str:
        """The text of the link at `rel`."""
        parent, _, name = rel.rpartition("/")
        entries = self.entries(parent)
        if isinstance(entries, OSError) or name not in entries.texts:
            return read_link_text(self.full(rel))
        return entries.texts[name]
