"""The stow directory stowed as one package: `stow -t ~ .` run inside it.

Or into a deeper target: `stow -d ./etc -t ~/.config .` links ~/.config/nvim to
etc/nvim, and the stow directory `etc` is then one package stowed to ~/.config.

Such a repo is one package, the directory, rather than a directory of packages:
`~/.bashrc -> dotfiles/.bashrc`, and with `--no-folding` links deep in real
directories (`~/.config/vim/vimrc`). Each link's path below the target is the
entry's own path in the stow directory (its `dot-` names read as `.` under
`--dotfiles`). The stow directory is walked only where the target has a real
directory of the same name, so a repo of packages costs a listing of its top
level and little more. Read-only; links are not followed.

When some such link belongs to no package, the directory is judged as the
package "." (Stow's own name for it) the way any package is, and the packages
its links already account for, or that link nothing, are its directories
misread as packages: they are dropped.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Mapping, Sequence
from typing import Final

from nixmigrate.scan.inventory import StowLink
from nixmigrate.scan.stow.ignore import dotfile_name
from nixmigrate.scan.stow.listing import join
from nixmigrate.scan.stow.placement import Inference, Placed, place_package
from nixmigrate.scan.stow.roots import Roots
from nixmigrate.scan.stow.scanner import Scanner
from nixmigrate.scan.stow.tree import PackageTree

_NEVER_STOWED = frozenset({".git", ".hg", ".svn"})  # Stow's default ignore list
# Where a whole stow directory is looked for, relative to the scan's target:
# the target itself, and the deeper targets people give `stow -t DIR .`.
WHOLE_TARGETS: Final = ("", ".config", ".local", ".local/share", ".local/bin", "bin")


def whole_directory_links(
    scanner: Scanner, *, deeper: bool
) -> dict[str, list[StowLink]]:
    """Per target in WHOLE_TARGETS (relative to the scan's; only the scan's own
    unless `deeper`), the links in it to the stow directory's entry at the same
    path below it."""
    found: dict[str, list[StowLink]] = {}
    for target in WHOLE_TARGETS if deeper else ("",):
        if target and (
            scanner.listings.kind(target) != "dir" or scanner.in_stow_dir(target)
        ):
            continue
        found[target] = []
        _visit(scanner, (target, ""), found[target])
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
    scanner: Scanner,
    at: tuple[str, str],  # (path in the target, path in the stow directory)
    found: list[StowLink],
) -> None:
    roots, listings = scanner.roots, scanner.listings
    rel, source_dir = at
    here = listings.entries(rel)
    if isinstance(here, OSError):
        return
    for name, is_dir in sorted(_entries(roots, source_dir)):
        if not source_dir and name in _NEVER_STOWED:
            continue
        source = join(source_dir, name)
        for shown in dict.fromkeys((name, dotfile_name(name))):
            path = join(rel, shown)
            kind = here.kinds.get(shown)
            if kind == "link":
                text = here.texts.get(shown) or listings.text(path)
                destination = roots.destination(listings.full(rel), text)
                if roots.in_stow(destination) == source:
                    absolute = posixpath.isabs(text)
                    found.append(StowLink(path, text, absolute, is_dir, source))
            elif kind == "dir" and is_dir and path not in scanner.stow_inside:
                _visit(scanner, (path, source), found)


def with_whole_package(
    scanner: Scanner,
    placed: Sequence[Placed],
    read: Callable[[bool], PackageTree],
    whole_links: Mapping[str, Sequence[StowLink]],
    *,
    default_dotfiles: bool,
    infer: Inference,
) -> list[Placed]:
    """`placed`, or the stow directory as one package if it was stowed whole.

    `whole_links`: what `whole_directory_links` found. The directory is placed in
    the target where most links belong to no package (the scan's target on a tie).
    """
    owned = {link.path for one in placed for link in one.tally.links}
    unowned = {
        target: sum(link.path not in owned for link in links)
        for target, links in whole_links.items()
    }
    target = max(unowned, key=unowned.__getitem__, default="")
    if not unowned.get(target):
        return list(placed)
    # the links showed the target: only --dotfiles is left to them
    pinned = Inference(dotfiles=infer.dotfiles, target=False)
    whole = place_package(
        scanner, read, default_dotfiles=default_dotfiles, infer=pinned, base=target
    )
    if not whole.tally.links:
        return list(placed)  # only links of entries Stow now ignores: stale ones
    covered = {link.path for link in whole.tally.links}
    kept = [one for one in placed if not _accounted_for(one, covered)]
    return [whole, *kept]


def _accounted_for(one: Placed, covered: set[str]) -> bool:
    """Every link of the package is one of the whole directory's, or lies below one."""
    return all(_under(link.path, covered) for link in one.tally.links)


def _under(path: str, covered: set[str]) -> bool:
    while path:
        if path in covered:
            return True
        path = path.rpartition("/")[0]
    return False
