"""GNU Stow's resource files (`.stowrc`), read the way Stow 2.3.1 reads them.

Stow reads `~/.stowrc` and then `./.stowrc` (the directory it is run from) and
treats their words as command-line options placed before the real ones. People
run stow from inside their dotfiles directory, so nixmigrate reads:

1. the home directory's `.stowrc`, then
2. the stow directory's own `.stowrc`.

Each line is split on whitespace and nothing else: quotes are kept, so
`--ignore='~'` is the regular expression `'~'` (Stow 2.3.1 behaves the same).
Only `--dir` and `--target` get `~`, `$VAR` and `${VAR}` expansion.
"""

from __future__ import annotations

import os
import pwd
import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from nixmigrate.errors import UsageError
from nixmigrate.scan.inventory import StowOptions

RC_NAME: Final = ".stowrc"
DEFAULT_DOTFILES: Final = "dotfiles"

_Kind = Literal["value", "flag", "optional"]

# Every option stow 2.3.1 accepts (Getopt::Long names); most do not matter to a scan.
_LONG: Final[Mapping[str, _Kind]] = {
    "dir": "value",
    "target": "value",
    "ignore": "value",
    "defer": "value",
    "override": "value",
    "dotfiles": "flag",
    "no-folding": "flag",
    "adopt": "flag",
    "simulate": "flag",
    "no": "flag",
    "compat": "flag",
    "help": "flag",
    "version": "flag",
    "delete": "flag",
    "stow": "flag",
    "restow": "flag",
    "verbose": "optional",
}
_SHORT: Final[Mapping[str, str]] = {
    "d": "dir",
    "t": "target",
    "v": "verbose",
    "h": "help",
    "n": "simulate",
    "V": "version",
    "p": "compat",
    "D": "delete",
    "S": "stow",
    "R": "restow",
}

_BRACED_VAR: Final = re.compile(r"(?<!\\)\$\{((?:\w|\s)+)\}")
_PLAIN_VAR: Final = re.compile(r"(?<!\\)\$(\w+)")
_LEADING_TILDE: Final = re.compile(r"^~([^/]*)")


@dataclass(frozen=True, slots=True)
class StowArgs:
    """The options one resource file sets; `dir`/`target` as written (unexpanded)."""

    dir: str | None = None
    target: str | None = None
    dotfiles: bool = False
    no_folding: bool = False
    ignore: tuple[str, ...] = ()
    defer: tuple[str, ...] = ()
    override: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RcFile:
    path: Path
    args: StowArgs


@dataclass
class _Seen:
    values: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, value: str = "") -> None:
        self.values.setdefault(name, []).append(value)

    def to_args(self) -> StowArgs:
        def last(name: str) -> str | None:
            found = self.values.get(name)
            return found[-1] if found else None

        return StowArgs(
            dir=last("dir"),
            target=last("target"),
            dotfiles="dotfiles" in self.values,
            no_folding="no-folding" in self.values,
            ignore=tuple(self.values.get("ignore", ())),
            defer=tuple(self.values.get("defer", ())),
            override=tuple(self.values.get("override", ())),
        )


def rc_words(text: str) -> list[str]:
    """The words of a resource file, split as Stow does (`split " ", $line`)."""
    return [word for line in text.splitlines() for word in line.split()]


def parse_stow_args(words: Sequence[str], *, origin: str) -> StowArgs:
    """Parse options like Getopt::Long with bundling; package names are skipped."""
    queue = deque(words)
    seen = _Seen()
    while queue:
        word = queue.popleft()
        if word == "--":
            break
        if word.startswith("--"):
            _take_long(word[2:], queue, seen, origin)
        elif word.startswith("-") and word != "-":
            _take_short(word[1:], queue, seen, origin)
        # anything else names a package: Stow ignores packages named in .stowrc
    return seen.to_args()


def _long_name(written: str, origin: str) -> str:
    if written in _LONG:
        return written
    matches = [name for name in _LONG if name.startswith(written)]
    if len(matches) == 1:
        return matches[0]
    problem = "ambiguous" if matches else "unknown"
    msg = f"{origin}: {problem} option '--{written}'"
    raise UsageError(msg, hint=f"GNU Stow rejects it too; fix it in {origin}")


def _missing_value(name: str, origin: str) -> UsageError:
    msg = f"{origin}: option '--{name}' needs a value"
    return UsageError(msg, hint=f"write --{name}=VALUE in {origin}")


def _take_long(body: str, queue: deque[str], seen: _Seen, origin: str) -> None:
    written, has_value, value = body.partition("=")
    name = _long_name(written, origin)
    kind = _LONG[name]
    if kind == "value" and not has_value:
        if not queue:
            raise _missing_value(name, origin)
        value = queue.popleft()
    elif kind == "flag" and has_value:
        msg = f"{origin}: option '--{name}' takes no value"
        raise UsageError(msg, hint=f"write just --{name} in {origin}")
    elif kind == "optional" and not has_value and queue and queue[0].isdigit():
        queue.popleft()
    seen.add(name, value)


def _take_short(bundle: str, queue: deque[str], seen: _Seen, origin: str) -> None:
    for index, letter in enumerate(bundle):
        name = _SHORT.get(letter)
        if name is None:
            msg = f"{origin}: unknown option '-{letter}'"
            raise UsageError(msg, hint=f"GNU Stow rejects it too; fix it in {origin}")
        if _LONG[name] != "value":
            seen.add(name)
            continue
        value = bundle[index + 1 :]
        if not value:
            if not queue:
                raise _missing_value(name, origin)
            value = queue.popleft()
        seen.add(name, value)
        return


def merge_args(first: StowArgs, second: StowArgs) -> StowArgs:
    """Later files win for single values; lists are appended, as Stow does."""
    return StowArgs(
        dir=second.dir if second.dir is not None else first.dir,
        target=second.target if second.target is not None else first.target,
        dotfiles=first.dotfiles or second.dotfiles,
        no_folding=first.no_folding or second.no_folding,
        ignore=first.ignore + second.ignore,
        defer=first.defer + second.defer,
        override=first.override + second.override,
    )


def expand_rc_path(
    value: str, *, home: Path, env: Mapping[str, str], origin: str
) -> str:
    """Expand `$VAR`, `${VAR}` and a leading `~`/`~user` like Stow's expand_filepath."""

    def variable(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "HOME":
            return str(home)
        if name not in env:
            msg = f"{origin} uses the undefined environment variable ${name}"
            raise UsageError(msg, hint=f"set {name}, or write the path out in {origin}")
        return env[name]

    def tilde(match: re.Match[str]) -> str:
        user = match.group(1)
        if not user:
            return str(home)
        try:
            return pwd.getpwnam(user).pw_dir
        except KeyError:
            msg = f"{origin} names the unknown user '~{user}'"
            raise UsageError(msg, hint=f"write the path out in {origin}") from None

    value = _BRACED_VAR.sub(variable, value)
    value = _PLAIN_VAR.sub(variable, value)
    value = value.replace("\\$", "$")
    value = _LEADING_TILDE.sub(tilde, value)
    return value.replace("\\~", "~")


def display_path(path: Path, home: Path) -> str:
    """`~/dotfiles` rather than `/Users/me/dotfiles`, for messages."""
    try:
        rel = path.relative_to(home)
    except ValueError:
        return str(path)
    return "~" if rel == Path() else f"~/{rel}"


def read_rc_file(path: Path, *, home: Path) -> RcFile | None:
    """Parse one resource file; None when it does not exist or cannot be read."""
    try:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except OSError as err:
        msg = f"cannot read {display_path(path, home)}: {err.strerror}"
        raise UsageError(msg, hint="fix its permissions, or move it aside") from err
    origin = display_path(path, home)
    return RcFile(path, parse_stow_args(rc_words(text), origin=origin))


def read_rc_files(home: Path, stow_dir: Path) -> tuple[RcFile, ...]:
    """`~/.stowrc` then the stow directory's `.stowrc` (once if they are the same)."""
    paths = [home / RC_NAME]
    if os.path.normpath(stow_dir / RC_NAME) != os.path.normpath(paths[0]):
        paths.append(stow_dir / RC_NAME)
    return tuple(rc for p in paths if (rc := read_rc_file(p, home=home)) is not None)


def options_from(rc_files: Sequence[RcFile]) -> StowOptions:
    merged = _merged(rc_files)
    return StowOptions(
        dotfiles=merged.dotfiles,
        no_folding=merged.no_folding,
        ignore=merged.ignore,
        defer=merged.defer,
        override=merged.override,
        rc_files=tuple(str(rc.path) for rc in rc_files),
    )


def read_stow_options(home: Path, stow_dir: Path) -> StowOptions:
    """What `~/.stowrc` and `<stow dir>/.stowrc` say (their --dir/--target aside)."""
    return options_from(read_rc_files(home, stow_dir))


def _merged(rc_files: Sequence[RcFile]) -> StowArgs:
    merged = StowArgs()
    for rc in rc_files:
        merged = merge_args(merged, rc.args)
    return merged


def _rc_location(
    rc_files: Sequence[RcFile],
    option: Literal["dir", "target"],
    *,
    home: Path,
    env: Mapping[str, str],
) -> tuple[Path, str] | None:
    """The last file's --dir/--target, expanded; relative to that file's directory."""
    for rc in reversed(rc_files):
        written = getattr(rc.args, option)
        if written is None:
            continue
        origin = display_path(rc.path, home)
        expanded = expand_rc_path(written, home=home, env=env, origin=origin)
        location = Path(os.path.normpath(rc.path.parent / expanded))
        return location, f"--{option} in {origin}"
    return None


def _missing_dotfiles(path: Path, home: Path, source: str | None) -> UsageError:
    where = f" (from {source})" if source else ""
    msg = f"dotfiles directory {display_path(path, home)}{where} does not exist"
    hint = "pass --dotfiles DIR to point at the directory that holds your Stow packages"
    alternative = home / ".dotfiles"
    if path != alternative and alternative.is_dir():
        hint = f"{hint} (did you mean --dotfiles {display_path(alternative, home)}?)"
    return UsageError(msg, hint=hint)


def resolve_stow_location(
    dotfiles: Path | None, home: Path, *, env: Mapping[str, str] | None = None
) -> tuple[Path, Path, StowOptions]:
    """Find the stow directory, the target and the options, as `stow` would.

    An explicit `dotfiles` wins over any `--dir` (like `stow -d`). Otherwise
    `~/.stowrc`'s `--dir` decides, else `~/dotfiles`; that directory's own
    `.stowrc` is read next and may redirect `--dir` and `--target`. Without a
    `--target` the target is `home` (Stow's own default is the stow directory's
    parent, which is the same thing for `~/dotfiles`).
    """
    env = os.environ if env is None else env
    candidate, source = _first_stow_dir(dotfiles, home, env)
    if not candidate.is_dir():
        raise _missing_dotfiles(candidate, home, source)
    rc_files = read_rc_files(home, candidate)
    stow_dir = candidate
    if dotfiles is None and (
        found := _rc_location(rc_files, "dir", home=home, env=env)
    ):
        stow_dir, source = found
        if not stow_dir.is_dir():
            raise _missing_dotfiles(stow_dir, home, source)
    return stow_dir, _target(rc_files, home, env), options_from(rc_files)


def _first_stow_dir(
    dotfiles: Path | None, home: Path, env: Mapping[str, str]
) -> tuple[Path, str | None]:
    """`dotfiles`, else `--dir` from `~/.stowrc`, else `~/dotfiles`; and whence."""
    if dotfiles is not None:
        return dotfiles.absolute(), None
    home_rc = read_rc_file(home / RC_NAME, home=home)
    if home_rc and (found := _rc_location([home_rc], "dir", home=home, env=env)):
        return found
    return home / DEFAULT_DOTFILES, None


def _target(rc_files: Sequence[RcFile], home: Path, env: Mapping[str, str]) -> Path:
    found = _rc_location(rc_files, "target", home=home, env=env)
    if found is None:
        return home
    target, source = found
    if not target.is_dir():
        msg = f"target {display_path(target, home)} (from {source}) does not exist"
        raise UsageError(msg, hint="fix --target in that .stowrc")
    return target
