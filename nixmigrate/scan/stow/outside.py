"""Packages stowed outside the home: `sudo stow -t /etc keyd`, `sudo stow -t / pacman`.

Home Manager cannot take such a package over, and the scan of the home finds
none of its links, so it reads as unstowed; yet moving the stow directory away
would break the links in /etc. Each package that links nothing in the home is
looked for in the usual system targets: a link there whose text leads into the
package is the evidence. Read-only: lstat and readlink only, links never
followed, real directories descended a few levels at most.
"""

from __future__ import annotations

import os
import posixpath
import stat
from typing import Final

from nixmigrate.scan.stow.roots import Roots
from nixmigrate.scan.stow.tree import PackageNode, read_link_text

SYSTEM_TARGETS: Final = ("/etc", "/usr/local", "/")
_DEPTH: Final = 4


def outside_link(roots: Roots, package: str, root: PackageNode) -> str | None:
    """A link in a system target that leads into `package`, or None."""
    for target in SYSTEM_TARGETS:
        if found := _find(target, (roots, package), root, _DEPTH):
            return found
    return None


def _find(
    directory: str, into: tuple[Roots, str], node: PackageNode, depth: int
) -> str | None:
    if depth == 0:
        return None
    for child in node.children:
        path = posixpath.join(directory, child.name)
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            continue
        if stat.S_ISLNK(mode):
            if _leads_into(path, *into):
                return path
            continue
        below = stat.S_ISDIR(mode) and child.is_dir
        if below and (found := _find(path, into, child, depth - 1)):
            return found
    return None


def _leads_into(link: str, roots: Roots, package: str) -> bool:
    try:
        text = read_link_text(link)
    except OSError:
        return False
    where = roots.in_stow(roots.destination(posixpath.dirname(link), text))
    return where is not None and where.startswith(f"{package}/")
