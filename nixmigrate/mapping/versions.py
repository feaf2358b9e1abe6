"""Homebrew and nixpkgs versions, compared tolerantly on top of `packaging`.

Homebrew versions are often not PEP 440: `1.2.3_1` (a Homebrew revision), `8.9p1`,
`1.1.1w`, `2024a`. `packaging` rejects the first three and reads `2024a` as the
*pre-release* `2024a0`, which would sort it before `2024`. Here a bare trailing letter
is a later release (`2024a` > `2024`), and whatever `packaging` cannot read is compared
part by part, with `fallback=True` saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import total_ordering
from typing import Final, Literal

from packaging.version import InvalidVersion, Version

Comparison = Literal["older", "same", "newer", "unknown"]

_REVISION: Final = re.compile(r"^(?P<base>.+?)_(?P<revision>\d+)$")
_BARE_LETTER_SUFFIX: Final = re.compile(r"\d[A-Za-z]$")
_TOKEN: Final = re.compile(r"\d+|[a-z]+")
_V_PREFIX: Final = re.compile(r"^[vV](?=\d)")

# One part of a version: numbers sort above words at the same position ("1.1" > "1.a").
Part = tuple[int, int, str]


@total_ordering
@dataclass(frozen=True, slots=True, eq=False)
class BrewVersion:
    """A parsed version. `fallback` is True when PEP 440 could not read it."""

    text: str
    base: str
    revision: int = 0
    pep440: Version | None = field(default=None, repr=False)
    parts: tuple[Part, ...] = field(default=(), repr=False)

    @property
    def fallback(self) -> bool:
        return self.pep440 is None

    @property
    def comparable(self) -> bool:
        """True when it starts with a number, so part-wise comparison means something."""
        return bool(self.parts) and self.parts[0][0] == 1

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BrewVersion):
            return NotImplemented
        return _order_key(self, other) == _order_key(other, self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, BrewVersion):
            return NotImplemented
        return _order_key(self, other) < _order_key(other, self)

    def __hash__(self) -> int:
        return hash((_leading_release(self.parts), self.revision))

    def __str__(self) -> str:
        return self.text


def parse_brew_version(text: str) -> BrewVersion:
    """Parse a Homebrew (or nixpkgs) version string; never raises."""
    cleaned = text.strip()
    base, revision = _split_revision(cleaned)
    pep440 = _pep440(base)
    normal = str(pep440) if pep440 is not None else base
    return BrewVersion(
        text=cleaned,
        base=base,
        revision=revision,
        pep440=pep440,
        parts=_parts(normal),
    )


def compare(installed: str, nix_version: str) -> Comparison:
    """How the Nix version relates to the installed one.

    "older" means moving to Nix would give an older version than Homebrew has now,
    "newer" a newer one. The Homebrew revision (`_1`) is ignored: Nix has none.
    "unknown" when either side is empty or does not start with a number
    (`HEAD`, `unstable-2024-05-01`).
    """
    mine = _without_revision(parse_brew_version(installed))
    theirs = parse_brew_version(nix_version)
    if not (mine.comparable and theirs.comparable):
        return "unknown"
    if theirs == mine:
        return "same"
    return "newer" if theirs > mine else "older"


def _without_revision(version: BrewVersion) -> BrewVersion:
    return BrewVersion(
        text=version.base,
        base=version.base,
        pep440=version.pep440,
        parts=version.parts,
    )


def _split_revision(text: str) -> tuple[str, int]:
    match = _REVISION.match(text)
    if match is None:
        return text, 0
    return match["base"], int(match["revision"])


def _pep440(base: str) -> Version | None:
    if not base or _BARE_LETTER_SUFFIX.search(base):
        return None  # `2024a`, `1.1.1w`: a later release, not an alpha
    try:
        return Version(base)
    except InvalidVersion:
        return None


def _parts(text: str) -> tuple[Part, ...]:
    tokens = _TOKEN.findall(_V_PREFIX.sub("", text).lower())
    parts = [(1, int(tok), "") if tok.isdigit() else (0, 0, tok) for tok in tokens]
    while len(parts) > 1 and parts[-1] == (1, 0, ""):
        parts.pop()  # "1.0" == "1.0.0"
    return tuple(parts)


def _leading_release(parts: tuple[Part, ...]) -> tuple[int, ...]:
    numbers: list[int] = []
    for kind, number, _ in parts:
        if kind != 1:
            break
        numbers.append(number)
    while numbers and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def _order_key(
    version: BrewVersion, other: BrewVersion
) -> tuple[Version | tuple[Part, ...], int]:
    """PEP 440 when both sides have it, else the part-wise key for both."""
    if version.pep440 is not None and other.pep440 is not None:
        return version.pep440, version.revision
    return version.parts, version.revision
