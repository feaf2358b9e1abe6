"""Read a Brewfile without running Ruby.

`brew bundle` evaluates a Brewfile as Ruby. nixmigrate reads it as data
instead: the commands Homebrew Bundle defines (tap, brew, cask, mas, vscode,
...), `if OS.mac?`-style conditions and `case`/`when`, loops over literal
lists and `instance_eval(File.read(...))` includes, also called through a
lambda or method whose body is one such include. Anything else is reported per line as
skipped, with the reason, and never stops the parse. homebrew-file's plain
`brew name` format is recognised and read too.

`parse_brewfile` is pure (includes are read through the `load_include`
callback); `read_brewfile` is the file-system wrapper.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

from nixmigrate.errors import UsageError
from nixmigrate.scan.brewfile.conditions import Condition
from nixmigrate.scan.brewfile.dsl import DslInterpreter
from nixmigrate.scan.brewfile.entries import Output
from nixmigrate.scan.brewfile.homebrew_file import (
    NOTE,
    IncludeRequest,
    looks_like_homebrew_file,
    parse_homebrew_file,
)
from nixmigrate.scan.brewfile.lexer import tokenize
from nixmigrate.scan.brewfile.statements import split_statements
from nixmigrate.scan.brewfile.values import RubyScope
from nixmigrate.scan.inventory import (
    Brewfile,
    BrewfileEntry,
    BrewfileFormat,
    BrewfileSkip,
)

IncludeLoader = Callable[[str], tuple[str, str] | None]
"""path expression ("~/x", "${VAR}/x", "/abs/x") -> (resolved path, text) or None"""

MAX_INCLUDE_DEPTH: Final = 16
MAX_INCLUDED_FILES: Final = 256  # bounds a Brewfile that includes others many times
_BINARY_SAMPLE: Final = 8192
_MAX_REPLACED_SHARE: Final = 0.1  # more undecodable bytes than this: not text


def read_brewfile(path: Path) -> Brewfile:
    """Parse the Brewfile at path, following the includes it names.

    The path is resolved (symlinks too) as Ruby's `__dir__` is, so a Brewfile
    linked into $HOME by Stow finds the files next to it in the dotfiles.
    """
    text = _read_text(path)
    return parse_brewfile(
        text, path=str(path.resolve()), load_include=load_include_from_disk
    )


def parse_brewfile(text: str, *, path: str, load_include: IncludeLoader) -> Brewfile:
    """Parse Brewfile text; never raises for anything the text holds."""
    run = _Run(load_include, open_files=[path])
    found = run.parse_file(text, path, Condition())
    return Brewfile(
        path=path,
        format=found,
        entries=tuple(run.entries),
        skipped=tuple(run.skipped),
        includes=tuple(run.includes),
    )


@dataclass(slots=True)
class _Run:
    load_include: IncludeLoader
    open_files: list[str]  # the chain of files being read, to stop include cycles
    entries: list[BrewfileEntry] = field(default_factory=list)
    skipped: list[BrewfileSkip] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    files_read: int = 0

    def parse_file(self, text: str, path: str, inherited: Condition) -> BrewfileFormat:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        tokens = tokenize(text)
        if all(token.kind == "newline" for token in tokens):
            return "empty"
        if looks_like_homebrew_file(text):
            self._parse_homebrew_file(text, path, inherited)
            return "homebrew-file"
        # the lists are shared so included entries keep their place in the order
        output = Output(path, self.entries, self.skipped)
        skipped_before = len(self.skipped)

        def follow(
            path_expression: str, *, line: int, text: str, condition: Condition
        ) -> None:
            at = BrewfileSkip(line, text, "", path)
            self._follow_include(path_expression, at, condition)

        interpreter = DslInterpreter(RubyScope(path, text), output, follow, inherited)
        interpreter.run(split_statements(text, tokens))
        # no tap/brew/cask/... at all, only lines that were skipped: not a Brewfile
        only_skipped = len(self.skipped) > skipped_before and not output.commands_seen
        return "unknown" if only_skipped else "brew-bundle"

    def _parse_homebrew_file(self, text: str, path: str, inherited: Condition) -> None:
        lines = text.split("\n")
        first = next(
            (n for n, line in enumerate(lines, 1) if _is_command_line(line)), 1
        )
        self.skipped.append(BrewfileSkip(first, lines[first - 1].strip(), NOTE, path))
        for item in parse_homebrew_file(text, path=path):
            if isinstance(item, IncludeRequest):
                at = BrewfileSkip(item.line, lines[item.line - 1].strip(), "", path)
                self._follow_include(_anchor(item.path_expression, path), at, inherited)
            elif isinstance(item, BrewfileEntry) and inherited.atoms:
                self.entries.append(replace(item, condition=inherited.as_field()))
            elif isinstance(item, BrewfileEntry):
                self.entries.append(item)
            else:
                self.skipped.append(item)

    def _follow_include(
        self, expression: str, at: BrewfileSkip, condition: Condition
    ) -> None:
        """Parse the file `expression` names, or record why it was not followed.

        `at` is the including line; its reason is filled in when it is skipped.
        """
        if too_many := self._include_limit_reached():
            self.skipped.append(replace(at, reason=f"include not followed: {too_many}"))
            return
        loaded = self.load_include(expression)
        if loaded is None:
            reason = f"include not followed: {expression} could not be read"
            self.skipped.append(replace(at, reason=reason))
            return
        resolved, text = loaded
        if resolved in self.open_files:
            reason = f"include not followed: {resolved} is already being read (a cycle)"
            self.skipped.append(replace(at, reason=reason))
            return
        if resolved not in self.includes:
            self.includes.append(resolved)
        self.files_read += 1
        self.open_files.append(resolved)
        try:
            self.parse_file(text, resolved, condition)
        finally:
            self.open_files.pop()

    def _include_limit_reached(self) -> str:
        if len(self.open_files) > MAX_INCLUDE_DEPTH:
            return f"includes are nested more than {MAX_INCLUDE_DEPTH} deep"
        if self.files_read >= MAX_INCLUDED_FILES:
            return f"more than {MAX_INCLUDED_FILES} files were included already"
        return ""


def _is_command_line(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _anchor(expression: str, including_file: str) -> str:
    """A relative include path is relative to the including file's directory."""
    if expression.startswith(("/", "~", "$")):
        return expression
    directory = including_file.rpartition("/")[0] or "."
    return f"{directory}/{expression}"


# ---------------------------------------------------------------- file system


def load_include_from_disk(expression: str) -> tuple[str, str] | None:
    """Expand `~` and `${VAR}` in an include path and read the file, if it can be."""
    expanded = os.path.expandvars(expression)
    if "$" in expanded:
        return None  # an unset variable: the path cannot be known
    path = Path(expanded).expanduser().resolve()  # as Ruby's __dir__ does
    try:
        return str(path), _read_text(path)
    except UsageError:
        return None


def _read_text(path: Path) -> str:
    hint = "pass --brewfile with the path of a Homebrew Bundle Brewfile"
    if not path.exists():
        msg = f"Brewfile {path} does not exist"
        raise UsageError(msg, hint=hint)
    if path.is_dir():
        msg = f"Brewfile {path} is a directory, not a file"
        raise UsageError(msg, hint=f"pass the file inside it, e.g. {path / 'Brewfile'}")
    try:
        data = path.read_bytes()
    except OSError as err:
        msg = f"Brewfile {path} cannot be read: {err.strerror or err}"
        raise UsageError(msg, hint="check the file's permissions") from err
    text = data.decode("utf-8-sig", errors="replace")
    if b"\0" in data[:_BINARY_SAMPLE] or _mostly_undecodable(text):
        msg = f"Brewfile {path} is a binary file, not a text Brewfile"
        raise UsageError(msg, hint=hint)
    return text


def _mostly_undecodable(text: str) -> bool:
    return text.count("\ufffd") > _MAX_REPLACED_SHARE * max(len(text), 1)
