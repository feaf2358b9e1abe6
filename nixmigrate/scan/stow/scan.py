"""`scan_stow`: every package of a stow directory, how it was stowed and how it stands.

Read-only. Only the paths the packages name are examined, and the entries of the
real directories those paths pass through (where Stow itself looks for stale
links); each package tree is walked once per way it is judged (see placement.py).
"""

from __future__ import annotations

import gc
import posixpath
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from operator import attrgetter
from pathlib import Path
from typing import Final

from nixmigrate.errors import UsageError
from nixmigrate.scan.inventory import (
    StowInventory,
    StowLink,
    StowOptions,
    StowPackage,
)
from nixmigrate.scan.stow.listing import Listings
from nixmigrate.scan.stow.outside import outside_link
from nixmigrate.scan.stow.placement import Inference, Placed, place_package
from nixmigrate.scan.stow.rc import read_stow_options
from nixmigrate.scan.stow.roots import Roots, absolute
from nixmigrate.scan.stow.scanner import Scanner
from nixmigrate.scan.stow.tree import WHOLE, PackageTree, package_names, read_package
from nixmigrate.scan.stow.whole import whole_directory_links, with_whole_package


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


def _stow_inside(roots: Roots) -> frozenset[str]:
    """The stow directory relative to the target, in each spelling, if inside it."""
    found = set()
    for spelling, real in roots.trees:
        if real != roots.target:
            continue
        for form in roots.stow_forms:
            if form.startswith(f"{spelling.rstrip('/')}/"):
                found.add(form[len(spelling.rstrip("/")) + 1 :])
    return frozenset(found)


def _package(placed: Placed, target: str) -> StowPackage:
    tally, placement = placed.tally, placed.placement
    files = placed.files
    links = tuple(sorted(tally.links, key=attrgetter("path")))
    return StowPackage(
        name=placed.tree.name,
        status=tally.status(files),
        targets=files,
        links=links,
        conflicts=tuple(sorted(tally.conflicts, key=lambda c: c.path)),
        dotfiles=placement.dotfiles,
        target=posixpath.join(target, placement.prefix) if placement.prefix else target,
        no_folding=tally.unfolded and not any(link.folded for link in links),
        whole=placed.tree.name == WHOLE,
    )


def _with_outside(package: StowPackage, placed: Placed, roots: Roots) -> StowPackage:
    """The package, with where it is stowed outside the home if it links nothing in it."""
    if package.links or package.whole:
        return package
    found = outside_link(roots, package.name, placed.tree.root)
    return replace(package, outside=found) if found else package


def _outside_problem(package: StowPackage) -> str:
    return (
        f"package {package.name} is stowed outside the home ({package.outside} leads "
        "into it): nixmigrate leaves it as it is and does not archive the directory"
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A scan builds tens of thousands of objects and frees none: the cyclic
    collector would only walk them over and over (about 15% of a big scan)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def scan_stow(
    stow_dir: Path,
    target: Path,
    *,
    home: Path | None = None,
    options: StowOptions | None = None,
    infer: Inference | None = None,
) -> StowInventory:
    """Every package in `stow_dir` and its state in `target`; nothing is written.

    `home` holds `.stowrc` and `.stow-global-ignore` (default: `target`). Without
    `options`, they are read from `home/.stowrc` and `stow_dir/.stowrc`; pass the
    options `resolve_stow_location` returned to avoid reading them twice.
    `options.dotfiles` and `target` are the defaults; what `infer` allows (both,
    unless given) is worked out per package from the links (see placement.py).
    A stow directory stowed whole (`stow .` inside it, or `stow -d DIR -t
    ~/.config .`) is the one package "." (`whole`), with the packages its links account for left out (see whole.py).

    In the result, paths are relative to `target`; a package's own `target` says
    where it was stowed. A package link's `source` is its path inside the package;
    a stale link's `source` is its path inside the stow directory
    (`tmux/.tmux.conf`). `stale_links` point into the stow directory and belong to
    no package; `broken_links` dangle. A stale link whose file was deleted is in
    both. Links that lead out of the home and stow directories are not followed,
    so whether they dangle is not checked.
    """
    _require_dir(stow_dir, "dotfiles directory", "pass --dotfiles DIR")
    _require_dir(target, "stow target", "fix --target in .stowrc")
    home = target if home is None else home
    options = read_stow_options(home, stow_dir) if options is None else options
    with _collector_paused():
        return _scan(stow_dir, target, home, options, infer or Inference())


def _scan(
    stow_dir: Path, target: Path, home: Path, options: StowOptions, infer: Inference
) -> StowInventory:
    problems = _quoted_patterns(options)
    roots = Roots.of(stow_dir, target)
    scanner = Scanner(
        roots,
        Listings(roots.target),
        defer=_compile(options.defer, "--defer", problems),
        override=_compile(options.override, "--override", problems),
        label="~" if absolute(target) == absolute(home) else absolute(target),
        stow_inside=_stow_inside(roots),
    )
    names, name_problems = package_names(stow_dir, home=home, options=options)
    problems.extend(name_problems)

    def reader(name: str) -> Callable[[bool], PackageTree]:
        return lambda dotfiles: read_package(
            stow_dir, name, home=home, options=options, dotfiles=dotfiles
        )

    placed = [
        place_package(
            scanner,
            reader(name),
            default_dotfiles=options.dotfiles,
            infer=infer,
        )
        for name in names
    ]
    whole_links = whole_directory_links(scanner, deeper=infer.target)
    placed = with_whole_package(
        scanner,
        placed,
        reader(WHOLE),
        whole_links,
        default_dotfiles=options.dotfiles,
        infer=infer,
    )
    for one in placed:
        problems.extend(one.tree.problems)
        problems.extend(one.tally.problems)
    packages = tuple(
        _with_outside(_package(one, absolute(target)), one, roots) for one in placed
    )
    problems.extend(_outside_problem(p) for p in packages if p.outside)
    examined: dict[str, set[str]] = {}
    for one in placed:
        for directory, sound in one.tally.examined.items():
            examined.setdefault(directory, set()).update(sound)
    owned = {link.path for package in packages for link in package.links}
    stale, broken, loose_problems = scanner.loose_links(examined, owned)
    problems.extend(loose_problems)
    every_whole_link = [link for links in whole_links.values() for link in links]
    stale = _with_whole_directory_links(stale, every_whole_link, owned)
    inventory = StowInventory(
        dir=absolute(stow_dir),
        target=absolute(target),
        options=options,
        packages=packages,
        stale_links=tuple(stale),
        broken_links=tuple(broken),
    )
    problems.extend(_unowned_problem(scanner, inventory.unowned_links))
    return replace(inventory, problems=tuple(dict.fromkeys(problems)))


def _with_whole_directory_links(
    stale: list[StowLink], whole_links: list[StowLink], owned: set[str]
) -> list[StowLink]:
    """The stale links, and those `stow .` made anywhere in the target that no
    package (the whole directory included) owns."""
    found = {link.path: link for link in stale}
    for link in whole_links:
        if link.path not in owned:
            found.setdefault(link.path, link)
    return sorted(found.values(), key=attrgetter("path"))


_SHOWN_LINKS: Final = 5


def _unowned_problem(scanner: Scanner, links: Sequence[StowLink]) -> list[str]:
    """Live links into the stow directory that no package accounts for."""
    if not links:
        return []
    shown = ", ".join(scanner.shown(link.path) for link in links[:_SHOWN_LINKS])
    if len(links) > _SHOWN_LINKS:
        shown += f" and {len(links) - _SHOWN_LINKS} more"
    if all(link.source == link.path for link in links):
        how = "the directory itself was stowed, as `stow .` inside it does"
    elif nested := _nested_stow_dir(links):
        inner, package = nested
        how = (
            f"`stow -d {inner} {package}` makes them: {inner} is a stow directory "
            "of its own, to scan with --dotfiles"
        )
    else:
        how = "no package in it makes them"
    problem = (
        f"{len(links)} link(s) lead into the dotfiles directory but belong to no "
        f"package ({how}): {shown}; nixmigrate leaves them as they are and does not "
        "archive the directory"
    )
    return [problem]


def _nested_stow_dir(links: Sequence[StowLink]) -> tuple[str, str] | None:
    """(`macos`, `bash`) when every link is `X -> macos/bash/X`: made by Stow run
    with a directory inside the scanned one as its stow directory."""
    found = set()
    for link in links:
        inner, _, rest = link.source.partition("/")
        package, _, path = rest.partition("/")
        if not path or path != link.path:
            return None
        found.add((inner, package))
    return found.pop() if len(found) == 1 else None
