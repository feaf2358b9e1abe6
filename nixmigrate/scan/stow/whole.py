"""Links Stow made for the stow directory itself: `stow -t ~ .` run inside it.

Such a repo is one package, the directory, rather than a directory of packages:
`~/.bashrc -> dotfiles/.bashrc`, and with `--no-folding` links deep in real
directories (`~/.config/vim/vimrc`). Each link's path below the target is the
entry's own path in the stow directory. The stow directory is walked only where
the target has a real directory of the same name, so a repo of packages costs a
listing of its top level and little more. Read-only; links are not followed.
"""

from __future__ import annotations

import os
import posixpath

from nixmigrate.scan.inventory import StowLink
from nixmigrate.scan.stow.listing import Listings, join
from nixmigrate.scan.stow.roots import Roots

_NEVER_STOWED = frozenset({".git", ".hg", ".svn"})  # Stow's default ignore list


def whole_directory_links(
    roots: Roots, listings: Listings, stow_inside: frozenset[str]
) -> list[StowLink]:
    """Links in the target to the stow directory's entry at the same path."""
    found: list[StowLink] = []
    _visit(roots, listings, stow_inside, "", found)
    return found


def _entries(roots: Roots, rel: str) -> list[tuple[str, bool]]:
    """(name, is a real directory) for each entry of the stow directory's `rel`."""
    path = posixpath.join(roots.stow_forms[0], rel) if rel else roots.stow_forms[0]
    try:
        with os.scandir(path) as scan:
            return [(e.name, e.is_dir(follow_symlinks=False)) for e in scan]
    except OSError:
        return []


def _visit(
    roots: Roots,
    listings: Listings,
    stow_inside: frozenset[str],
    rel: str,
    found: list[StowLink],
) -> None:
    here = listings.entries(rel)
    if isinstance(here, OSError):
        return
    for name, is_dir in sorted(_entries(roots, rel)):
        if not rel and name in _NEVER_STOWED:
            continue
        path = join(rel, name)
        kind = here.kinds.get(name)
        if kind == "link":
            text = here.texts.get(name) or listings.text(path)
            destination = roots.destination(listings.full(rel), text)
            if roots.in_stow(destination) == path:
                found.append(
                    StowLink(path, text, posixpath.isabs(text), is_dir, source=path)
                )
        elif kind == "dir" and is_dir and path not in stow_inside:
            _visit(roots, listings, stow_inside, path, found)
