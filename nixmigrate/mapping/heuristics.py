"""Guessing a nixpkgs attribute for what the database and the rules left open.

Every guess is checked against a list of attribute names known to exist
(mappings/nixpkgs-names.txt); a name that is not on the list is never chosen.
Candidates, in order: the same name, the normalised name (lower case, `_` -> `-`,
without `@N`), the formula's one command (`rg`), names taken from its homepage.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

NAMES_FILE: Final = "nixpkgs-names.txt"

_ATTR_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_'+-]*$")
_VERSION_SUFFIX: Final = re.compile(r"@[0-9][0-9.]*$")
_CODE_HOSTS: Final = frozenset(
    {"github.com", "gitlab.com", "codeberg.org", "bitbucket.org", "git.sr.ht", "sr.ht"}
)
# host -> the path segment before the project name (`gnu.org/software/sed`)
_PROJECT_PATHS: Final = {
    "gnu.org": "software",
    "savannah.gnu.org": "projects",
    "savannah.nongnu.org": "projects",
    "sourceforge.net": "projects",
    "pypi.org": "project",
    "crates.io": "crates",
    "rubygems.org": "gems",
    "npmjs.com": "package",
    "hackage.haskell.org": "package",
    "launchpad.net": "",
    "metacpan.org": "pod",
}
# hosting sites and umbrella organisations: their domain names no single project
_GENERIC_LABELS: Final = frozenset(
    {
        "apache",
        "apple",
        "bitbucket",
        "codeberg",
        "crates",
        "freedesktop",
        "github",
        "gitlab",
        "gnome",
        "gnu",
        "google",
        "googlesource",
        "hackage",
        "kde",
        "launchpad",
        "metacpan",
        "microsoft",
        "mozilla",
        "nongnu",
        "npmjs",
        "pypi",
        "readthedocs",
        "rubygems",
        "savannah",
        "sourceforge",
        "sr",
    }
)
_SECOND_LEVEL: Final = frozenset({"co", "com", "org", "net", "ac", "gov", "edu"})


@dataclass(frozen=True, slots=True)
class Candidate:
    attr: str
    how: str  # "same name", "normalised name", "its command `rg`", "homepage ..."


def load_known_names(directory: Path) -> frozenset[str]:
    """Attribute names known to exist in nixpkgs (empty when the list is absent)."""
    try:
        text = (directory / NAMES_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return frozenset()
    return parse_known_names(text)


def parse_known_names(text: str) -> frozenset[str]:
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def normalise(name: str) -> str:
    """Repology's spelling: lower case, `_` -> `-`, no `@N` version suffix."""
    return _VERSION_SUFFIX.sub("", name.strip().lower().replace("_", "-"))


def formula_candidates(
    name: str, *, commands: Iterable[str] = (), homepage: str = ""
) -> tuple[Candidate, ...]:
    """Names worth trying for a formula, best first, without repeats.

    A homepage name counts only when it extends the formula's name (`node` ->
    `nodejs`): a homepage often belongs to a bigger project (`sqlite.org/dbhash`).
    """
    short = normalise(name)
    found = [Candidate(name, "same name"), Candidate(short, _normalised_how(name))]
    found += [Candidate(c, f"its command `{c}`") for c in commands]
    if short and short in homepage.lower().replace("_", "-"):  # cheap pre-check
        found += [
            Candidate(n, f"its homepage {homepage}")
            for n in homepage_names(homepage)
            if n.startswith(short)
        ]
    return _unique_valid(found)


def _normalised_how(name: str) -> str:
    suffix = _VERSION_SUFFIX.search(name)
    if suffix is None:
        return "normalised name"
    return f"name without its version {suffix.group()}; check the version"


def cask_candidates(token: str) -> tuple[Candidate, ...]:
    return _unique_valid(
        [Candidate(token, "same name"), Candidate(normalise(token), "normalised name")]
    )


def first_known(
    candidates: Iterable[Candidate], known: Collection[str]
) -> Candidate | None:
    return next((c for c in candidates if c.attr in known), None)


def homepage_names(url: str) -> tuple[str, ...]:
    """Project names a homepage suggests: `github.com/BurntSushi/ripgrep` -> ripgrep."""
    if not url:
        return ()
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    names = _from_path(host, segments) or _from_site_root(host, segments)
    return tuple(normalise(n.removesuffix(".git")) for n in names if n)


def _from_path(host: str, segments: list[str]) -> list[str]:
    if host in _CODE_HOSTS and len(segments) >= 2:
        return [segments[1]]
    marker = _PROJECT_PATHS.get(host)
    if marker is None:
        return []
    if not marker:
        return segments[:1]
    if len(segments) >= 2 and segments[0] == marker:
        return [segments[1]]
    return []


def _from_site_root(host: str, segments: list[str]) -> list[str]:
    """`https://neovim.io/` -> neovim; only a site of its own (no sub-domain other
    than www, no path), since `odbc.postgresql.org` is not postgresql."""
    labels = host.split(".")
    if len(labels) == 3 and labels[1:] in (["github", "io"], ["gitlab", "io"]):
        return segments[:1] or labels[:1]  # owner.github.io/project
    if len(labels) == 3 and labels[1] == "sourceforge":
        return labels[:1]  # project.sourceforge.net
    if len(labels) == 3 and labels[1] in _SECOND_LEVEL:
        labels = labels[:-1]  # example.co.uk -> example.co
    if len(labels) != 2 or segments[:1] not in ([], ["index.html"]):
        return []
    return [] if labels[0] in _GENERIC_LABELS else labels[:1]


def _unique_valid(candidates: Iterable[Candidate]) -> tuple[Candidate, ...]:
    seen: set[str] = set()
    unique: list[Candidate] = []
    for candidate in candidates:
        if candidate.attr in seen or not _ATTR_NAME.match(candidate.attr):
            continue
        seen.add(candidate.attr)
        unique.append(candidate)
    return tuple(unique)
