"""Homebrew Bundle commands (`brew "x", args: [...]`) as `BrewfileEntry` values.

Names are normalised the way `brew bundle` does it (lower case, `homebrew-`
dropped from tap repositories); options are exactly the keyword arguments
written, as JSON values, plus the positional extras Bundle names (a tap's
`clone_target`). `Output` collects a file's entries and skipped lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, NoReturn

from nixmigrate.name_grammar import NAME_PROBLEM, name_problem
from nixmigrate.scan.brewfile.lexer import Statement
from nixmigrate.scan.brewfile.values import Arguments, UnsupportedStatementError, Value
from nixmigrate.scan.inventory import BrewfileEntry, BrewfileSkip

ENTRY_KINDS: Final = frozenset(
    {
        "tap", "brew", "cask", "cask_args", "mas", "vscode", "go", "cargo", "uv",
        "npm", "flatpak", "whalebrew",
    }
)  # fmt: skip
WHALEBREW_REMOVED: Final = "whalebrew was removed from Homebrew Bundle in 4.7"

# `user/homebrew-repo` -> `user/repo`, with or without a formula/cask after it
_TAP_PREFIX: Final = re.compile(r"^([\w-]+)/(?:homebrew-)?([\w-]+)(/.+)?$")

Options = dict[str, Value]


@dataclass(slots=True)
class Output:
    file: str
    entries: list[BrewfileEntry] = field(default_factory=list)
    skipped: list[BrewfileSkip] = field(default_factory=list)
    commands_seen: int = 0  # Bundle commands and includes, read or not

    def skip(self, statement: Statement, reason: str) -> None:
        self.skipped.append(
            BrewfileSkip(statement.line, statement.text, reason, self.file)
        )


def build_entry(
    kind: str, arguments: Arguments, *, line: int, file: str, condition: str | None
) -> BrewfileEntry:
    """The entry for `kind` called with `arguments`; raises when Bundle would."""
    name, options = _BUILDERS.get(kind, _named)(kind, arguments)
    problem = entry_name_problem(kind, name)
    if problem:
        _fail(problem)
    if kind == "whalebrew":
        options["deprecated"] = WHALEBREW_REMOVED
    return BrewfileEntry(kind, name, line, options, condition, file)


def entry_name_problem(kind: str, name: str) -> str | None:
    """Why a Brewfile entry's name may not be used (see nixmigrate/name_grammar.py)."""
    if kind == "cask_args":
        return None
    return name_problem("formula" if kind == "brew" else kind, name)


def _named(kind: str, arguments: Arguments) -> tuple[str, Options]:
    """`vscode "publisher.ext"`, `go "pkg"`, `flatpak "app", remote: "flathub"`."""
    name = _name(kind, arguments)
    return name, _options(kind, arguments, extra_positional=0)


def _formula_or_cask(kind: str, arguments: Arguments) -> tuple[str, Options]:
    """`brew "user/tap/name@1", args: [...]`, `cask "name", args: {...}`."""
    return _tap_qualified(_name(kind, arguments)), _options(kind, arguments, 0)


def _tap(kind: str, arguments: Arguments) -> tuple[str, Options]:
    name = _tap_qualified(_name(kind, arguments))
    if len(arguments.positional) > 1 and isinstance(arguments.positional[1], str):
        clone_target: Value = arguments.positional[1]
        options = _options(kind, arguments, extra_positional=1)
        return name, {"clone_target": clone_target, **options}
    return name, _options(kind, arguments, extra_positional=0)


def _cask_args(kind: str, arguments: Arguments) -> tuple[str, Options]:
    if not arguments.options and not arguments.positional:
        _fail(f"'{kind}' needs a hash, e.g. {kind} appdir: \"~/Applications\"")
    if arguments.positional and not isinstance(arguments.positional[0], dict):
        _fail(f"'{kind}' takes a hash, not {arguments.positional[0]!r}")
    return "", dict(arguments.options) | _hash_argument(kind, arguments.positional)


def _mas(kind: str, arguments: Arguments) -> tuple[str, Options]:
    name = _name(kind, arguments)
    options = _options(kind, arguments, extra_positional=0)
    app_id = options.get("id")
    if isinstance(app_id, str) and app_id.isascii() and app_id.isdigit():
        options["id"] = app_id = int(app_id)
    if not isinstance(app_id, int) or isinstance(app_id, bool):
        _fail(f'mas needs a numeric id: mas "{name}", id: 497799835')
    return name, options


def _name(kind: str, arguments: Arguments) -> str:
    if not arguments.positional:
        _fail(f"'{kind}' needs a name")
    name = arguments.positional[0]
    if not isinstance(name, str) or not name.strip():
        _fail(f"'{kind}' needs a name in quotes, not {name!r}")
    if "#{" in name:
        _fail(
            f"{name!r} {NAME_PROBLEM} name: it is computed by Ruby code, which is not run"
        )
    return name.strip()


def _options(kind: str, arguments: Arguments, extra_positional: int) -> Options:
    """Keyword options, plus a trailing `{...}` hash passed positionally."""
    rest = arguments.positional[1 + extra_positional :]
    return dict(arguments.options) | _hash_argument(kind, rest)


def _hash_argument(kind: str, values: tuple[Value, ...]) -> Options:
    if not values:
        return {}
    if len(values) > 1 or not isinstance(values[0], dict):
        _fail(f"'{kind}' got an unexpected argument {values[0]!r}")
    return dict(values[0])


def _tap_qualified(name: str) -> str:
    """brew bundle's normalisation: `User/homebrew-Tap/Foo` -> `user/tap/foo`."""
    name = name.lower()
    match = _TAP_PREFIX.match(name)
    if not match:
        return name
    user, repo, rest = match.groups()
    return f"{user}/{repo}{rest or ''}"


def _fail(reason: str) -> NoReturn:
    raise UnsupportedStatementError(reason)


_BUILDERS: Final[dict[str, Callable[[str, Arguments], tuple[str, Options]]]] = {
    "brew": _formula_or_cask,
    "cask": _formula_or_cask,
    "tap": _tap,
    "cask_args": _cask_args,
    "mas": _mas,
}
