"""Which names and option values may reach a generated Brewfile or Nix file.

nix-darwin writes `homebrew.*` entries into a Ruby Brewfile as `brew "${name}"`
without escaping, and `brew bundle` evaluates that file: a `"` or `#{` in a name would
run code there. So every name must match its own grammar (Homebrew's, VS Code's, ...),
and every string option value must be plain text, before anything is written.

Shared by every stage (scan skips a Brewfile line with a bad name, mapping and plan
check again before writing), so it imports nothing from them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

NAME_PROBLEM: Final = "is not a valid"
"""Every name problem says this, so a skipped line can be told from other skips."""

_SEGMENT: Final = r"[a-z0-9][a-z0-9._-]*"
_HOMEBREW_NAME: Final = re.compile(
    rf"^(?:{_SEGMENT}/{_SEGMENT}/)?[a-z0-9][a-z0-9@._+-]*$"
)
_GRAMMARS: Final[Mapping[str, tuple[re.Pattern[str], str]]] = {
    "formula": (_HOMEBREW_NAME, "lowercase letters, digits and @ . _ + -"),
    "cask": (_HOMEBREW_NAME, "lowercase letters, digits and @ . _ + -"),
    "tap": (re.compile(rf"^{_SEGMENT}/{_SEGMENT}$"), "user/repo"),
    "vscode": (
        re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.[A-Za-z0-9][A-Za-z0-9._-]*$"),
        "publisher.name",
    ),
    "go": (re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~/+@-]*$"), "a Go package path"),
    "cargo": (re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$"), "a crate name"),
    "uv": (re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$"), "a Python package name"),
    "npm": (
        re.compile(r"^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$"),
        "an npm package name",
    ),
    "whalebrew": (re.compile(r"^[a-z0-9][a-z0-9._/:-]*$"), "an image name"),
    "flatpak": (re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$"), "an application id"),
}
_UNSAFE: Final = re.compile(r'["\\]|#\{|\$\{|[\x00-\x1f\x7f]')


def name_problem(kind: str, name: str) -> str | None:
    """Why `name` may not be written for an item of `kind`, or None when it may.

    Kinds without a grammar of their own (App Store apps) only have to be plain
    text: no quote, backslash, `#{`, `${` or control character.
    """
    grammar = _GRAMMARS.get(kind)
    if grammar is None:
        if not unsafe_text(name):
            return None
        what = "a quote, `\\`, `#{`, `${` or a control character"
        return f"{shown(name)} {NAME_PROBLEM} {kind} name ({what})"
    pattern, what = grammar
    if pattern.match(name):
        return None
    return f"{shown(name)} {NAME_PROBLEM} {kind} name ({what})"


def unsafe_text(value: str) -> bool:
    """Whether a string would not stay plain text in a Ruby or Nix string."""
    return _UNSAFE.search(value) is not None


def shown(name: str) -> str:
    """A name as the report shows it: quoted, control characters escaped."""
    return repr(name)
