"""homebrew-file's Brewfile: plain `command name options` lines, not Ruby.

rcmdnk/homebrew-file (`brew file`) reads lines like `brew macvim --with-lua`,
`cask install firefox`, `tap homebrew/cask`, `appstore 497799835 Xcode` and
`file ~/.Brewfile.host`. brew bundle cannot read such a file, so it is
recognised first and its entries are read from those plain lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from nixmigrate.scan.brewfile.entries import entry_name_problem
from nixmigrate.scan.inventory import BrewfileEntry, BrewfileSkip

NOTE: Final = (
    "this is a homebrew-file (brew file) Brewfile, not Homebrew Bundle's Ruby DSL; "
    "its entries were read from the plain 'command name options' lines"
)

_PACKAGE_VERBS: Final = {"brew": "brew", "install": "brew", "cask": "cask"}
_TAP_VERBS: Final = frozenset({"tap", "tapall"})
_INCLUDE_VERBS: Final = frozenset({"file", "brewfile"})
_ONLY_IN_HOMEBREW_FILE: Final = frozenset(
    {"tapall", "appstore", "file", "brewfile", "before", "after", "pip", "gem"}
)
_QUOTED_OR_CALL: Final = re.compile(r"""^["'(:]""")
_COMMENT: Final = re.compile(r"(^|\s)#.*$")
_RUBY_KEYWORD: Final = frozenset({"if", "unless", "end", "else", "elsif", "do", "def"})


@dataclass(frozen=True, slots=True)
class IncludeRequest:
    """A `file PATH` line: the caller resolves and reads the file."""

    path_expression: str
    line: int


HomebrewFileItem = BrewfileEntry | BrewfileSkip | IncludeRequest


def looks_like_homebrew_file(text: str) -> bool:
    """True when unquoted `brew name` lines outnumber Ruby-style `brew "name"`
    ones, or a homebrew-file-only command (tapall, appstore, file...) is used."""
    bare = quoted = 0
    for words in _command_lines(text):
        verb, argument = words[0], words[1]
        if verb in _RUBY_KEYWORD:
            return False
        if _QUOTED_OR_CALL.match(argument):
            quoted += verb in _PACKAGE_VERBS or verb in _TAP_VERBS
        elif verb in _ONLY_IN_HOMEBREW_FILE or argument == "install":
            return True
        elif verb in _PACKAGE_VERBS or verb in _TAP_VERBS:
            bare += 1
    return bare > quoted


def _command_lines(text: str) -> Iterator[list[str]]:
    for line in text.split("\n"):
        words = _COMMENT.sub("", line).split()
        if len(words) >= 2:
            yield words


def parse_homebrew_file(text: str, *, path: str) -> Iterator[HomebrewFileItem]:
    for number, line in enumerate(text.split("\n"), start=1):
        words = [_unquote(word) for word in _COMMENT.sub("", line).split()]
        if words:
            yield _item(words, number, line.strip(), path)


def _item(words: list[str], line: int, text: str, path: str) -> HomebrewFileItem:
    verb, rest = words[0], words[1:]
    if verb in ("brew", "cask") and rest[:1] == ["install"]:
        rest = rest[1:]  # `brew install x` is the same as `brew x`
    if not rest:
        return BrewfileSkip(line, text, f"'{verb}' without a name", path)
    if verb in _PACKAGE_VERBS:
        return _checked(_package(_PACKAGE_VERBS[verb], rest, line, path), text)
    if verb in _TAP_VERBS:
        return _checked(_tap(verb, rest, line, path), text)
    if verb == "appstore":
        return _checked(_app_store(rest, line, text, path), text)
    if verb in _INCLUDE_VERBS:
        return IncludeRequest(rest[0], line)
    if verb in ("pip", "gem"):
        reason = f"'{verb}' packages (brew {verb}) have no Homebrew Bundle equivalent"
        return BrewfileSkip(line, text, reason, path)
    return BrewfileSkip(line, text, "a shell command; it is not run", path)


def _checked(item: HomebrewFileItem, text: str) -> HomebrewFileItem:
    """An entry whose name may not be used becomes a skipped line saying why."""
    if not isinstance(item, BrewfileEntry):
        return item
    problem = entry_name_problem(item.kind, item.name)
    if problem is None:
        return item
    return BrewfileSkip(item.line, text, problem, item.file)


def _package(kind: str, rest: list[str], line: int, path: str) -> BrewfileEntry:
    name, flags = rest[0], rest[1:]
    options: dict[str, object] = {}
    if flags and kind == "brew":
        options["args"] = [flag.removeprefix("--") for flag in flags]
    elif flags:
        options["args"] = dict(_cask_flag(flag) for flag in flags)
    return BrewfileEntry(kind, name, line, options, file=path)


def _cask_flag(flag: str) -> tuple[str, object]:
    """`--appdir=~/Apps` -> ("appdir", "~/Apps"); `--no-quarantine` -> (.., True)."""
    key, has_value, value = flag.removeprefix("--").partition("=")
    return key.replace("-", "_"), value if has_value else True


def _tap(verb: str, rest: list[str], line: int, path: str) -> BrewfileEntry:
    options: dict[str, object] = {}
    if len(rest) > 1:
        options["clone_target"] = rest[1]
    if verb == "tapall":
        options["tapall"] = True  # homebrew-file also installs every formula in it
    return BrewfileEntry("tap", rest[0], line, options, file=path)


def _app_store(rest: list[str], line: int, text: str, path: str) -> HomebrewFileItem:
    if not (rest[0].isascii() and rest[0].isdigit()) or len(rest) < 2:
        reason = "App Store line without a numeric id and a name"
        return BrewfileSkip(line, text, reason, path)
    name = " ".join(rest[1:])
    return BrewfileEntry("mas", name, line, {"id": int(rest[0])}, file=path)


def _unquote(word: str) -> str:
    word = word.rstrip(",")
    if len(word) >= 2 and word[0] == word[-1] and word[0] in "\"'":
        return word[1:-1]
    return word
