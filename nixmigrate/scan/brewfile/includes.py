"""`instance_eval(File.read(PATH))`: which file a Brewfile includes.

Real Brewfiles split machine-specific packages into other files and pull them
in with `instance_eval`/`eval` of `File.read`/`IO.read`. The path is worked out
from literals and the few expressions in `brewfile_values` (`__dir__`,
`ENV["HOME"]`, `File.join`, ...); `~` and `${VAR}` are left for the loader.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from nixmigrate.scan.brewfile.lexer import Token
from nixmigrate.scan.brewfile.syntax import (
    first_call_argument,
    without_call_parentheses,
)
from nixmigrate.scan.brewfile.values import (
    HOME,
    Cursor,
    RubyScope,
    UnsupportedStatementError,
    Value,
)

INCLUDE_COMMANDS: Final = frozenset({"instance_eval", "eval"})
_READERS: Final = frozenset({"File", "IO"})
_FILE_CHECKS: Final = frozenset({"exist?", "exists?", "file?", "readable?"})


def include_path(arguments: Sequence[Token], scope: RubyScope) -> str:
    """The tokens after `instance_eval`: `(File.read(PATH))` -> PATH."""
    cursor = Cursor(without_call_parentheses(arguments), scope)
    reader = cursor.peek()
    if reader is None or not (reader.kind == "const" and reader.value in _READERS):
        cursor.fail("only File.read(...) is followed")
    cursor.advance()
    cursor.expect_punct(".")
    method = cursor.peek()
    if method is None or not method.is_ident("read"):
        cursor.fail("only File.read(...) is followed")
    cursor.advance()
    path = first_call_argument(cursor)
    if cursor.accept_punct(","):
        # instance_eval(code, file_name): the name only labels Ruby's errors
        cursor.pos = len(cursor.tokens)
    cursor.expect_end()
    return anchored_path(path, scope)


def anchored_path(path: Value, scope: RubyScope) -> str:
    """A relative path is taken as relative to the including Brewfile (brew
    bundle is normally run from the Brewfile's directory)."""
    if not isinstance(path, str) or not path or "#{" in path:
        msg = f"the path {path!r} is computed by Ruby code, which is not run"
        raise UnsupportedStatementError(msg)
    if path.startswith(("/", HOME, "$")):
        return path
    return f"{scope.directory}/{path}"


def checks_file(condition: Sequence[Token], scope: RubyScope, path: str) -> bool:
    """Is the condition `File.exist?(path)` (or file?/readable?) for this path?

    Such a guard is true for a file that was read, so it is no condition.
    """
    is_check = (
        len(condition) > 3  # File . exist? argument
        and condition[0].kind == "const"
        and condition[0].value == "File"
        and condition[1].is_punct(".")
        and condition[2].is_ident(*_FILE_CHECKS)
    )
    if not is_check:
        return False
    cursor = Cursor(condition[3:], scope)
    try:
        checked = first_call_argument(cursor)
        cursor.expect_end()
        return anchored_path(checked, scope) == path
    except UnsupportedStatementError:
        return False
