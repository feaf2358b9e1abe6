"""Which package files Stow leaves alone, and `--dotfiles` name translation.

This follows Stow 2.3.1's `Stow.pm` exactly:

* The ignore list is the package's `.stow-local-ignore`, else `~/.stow-global-ignore`,
  else the built-in list below. Patterns are Perl regular expressions, one a line;
  `#` starts a comment unless escaped as `\\#`.
* A pattern containing `/` must match whole components of the path from the
  package root, written with a leading `/` (`^/README.*` only matches at the top).
  Any other pattern must match the whole basename.
* `--ignore=REGEX` options match the end of the path (`REGEX\\z`), unanchored at
  the start.
* The path used is the target-side path of the parent (already translated under
  `--dotfiles`) joined with the entry's own name as written in the package.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

LOCAL_IGNORE: Final = ".stow-local-ignore"
GLOBAL_IGNORE: Final = ".stow-global-ignore"

# Copied verbatim from the __DATA__ section of Stow.pm (GNU Stow 2.3.1).
DEFAULT_IGNORE_LIST: Final = r"""# Comments and blank lines are allowed.

RCS
.+,v

CVS
\.\#.+       # CVS conflict files / emacs lock files
\.cvsignore

\.svn
_darcs
\.hg

\.git
\.gitignore

.+~          # emacs backup files
\#.*\#       # emacs autosave files

^/README.*
^/LICENSE.*
^/COPYING
"""

# Stow adds this to every list it reads: the local ignore file is never stowed.
_ALWAYS_IGNORED: Final = r"^/\.stow\-local\-ignore$"
_RIGHT_COMMENT: Final = re.compile(r"\s+#.+")


@dataclass(frozen=True, slots=True)
class IgnoreRules:
    source: str  # "built-in" or the ignore file's path
    path_regex: re.Pattern[str] | None = None
    segment_regex: re.Pattern[str] | None = None
    suffix_regexes: tuple[re.Pattern[str], ...] = ()  # from --ignore
    path_anchored: bool = False  # every path pattern starts with `^`
    # basename -> ignored: names repeat across packages (init.lua, config)
    segments: dict[str, bool] = field(default_factory=dict, compare=False)

    def ignores(self, path: str) -> bool:
        """`path`: relative to the target, parent translated, own name as written."""
        return self.name_ignored(path.rpartition("/")[2]) or self.path_ignored(path)

    def name_ignored(self, name: str) -> bool:
        """What the patterns without a `/` say of an entry's own name."""
        known = self.segments.get(name)
        if known is None:
            regex = self.segment_regex
            known = self.segments[name] = bool(regex and regex.search(name))
        return known

    def path_ignored(self, path: str) -> bool:
        """What the patterns with a `/` and the `--ignore` options say of `path`."""
        for regex in self.suffix_regexes:
            if regex.search(path):
                return True
        if self.path_regex is None:
            return False
        # a list of only `^/...` patterns can match at the start alone
        find = self.path_regex.match if self.path_anchored else self.path_regex.search
        return bool(find(f"/{path}"))


def parse_ignore_list(text: str) -> list[str]:
    """The patterns of an ignore file, cleaned the way Stow cleans them."""
    return list(_parsed(text))


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> tuple[str, ...]:
    """Packages share the built-in and the global list: parse each text once."""
    patterns: dict[str, None] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = _RIGHT_COMMENT.sub("", line, count=1).replace("\\#", "#")
        patterns[line] = None
    patterns[_ALWAYS_IGNORED] = None
    return tuple(patterns)


def _valid(patterns: Iterable[str], source: str, problems: list[str]) -> list[str]:
    kept = []
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as err:
            problems.append(
                f"ignore pattern {pattern!r} from {source} was skipped: "
                f"Python cannot read it as a regular expression ({err})"
            )
        else:
            kept.append(pattern)
    return kept


def compile_ignore_rules(
    patterns: Sequence[str], ignore_options: Sequence[str], *, source: str
) -> tuple[IgnoreRules, list[str]]:
    """Build the matchers Stow builds; patterns Python cannot compile are reported."""
    rules, problems = _compiled(tuple(patterns), tuple(ignore_options), source)
    return rules, list(problems)


@functools.lru_cache(maxsize=64)
def _compiled(
    patterns: tuple[str, ...], ignore_options: tuple[str, ...], source: str
) -> tuple[IgnoreRules, tuple[str, ...]]:
    """One set of rules per list: packages sharing the global list share its cache."""
    problems: list[str] = []
    kept = _valid(patterns, source, problems)
    paths = [p for p in kept if "/" in p]
    segments = [p for p in kept if "/" not in p]
    suffixes = _valid(ignore_options, "--ignore", problems)
    rules = IgnoreRules(
        source=source,
        path_regex=re.compile(f"(^|/)({'|'.join(paths)})(/|$)") if paths else None,
        segment_regex=re.compile(f"^({'|'.join(segments)})$") if segments else None,
        # Stow appends \z without a group, so `a|b` means `a` anywhere or `b` at the end
        suffix_regexes=tuple(re.compile(f"{p}\\Z") for p in suffixes),
        path_anchored=all(p.startswith("^") for p in paths),
    )
    return rules, tuple(problems)


def _exists(path: Path) -> bool:
    """Perl's -e: false for anything that cannot be stat'ed."""
    try:
        path.stat()
    except (OSError, ValueError):
        return False
    return True


def load_ignore_rules(
    package_dir: Path | None, home: Path, ignore_options: Sequence[str]
) -> tuple[IgnoreRules, list[str]]:
    """The rules for one package: its local list, else the global one, else built-in.

    Without a package directory: the global list, else the built-in one.
    """
    candidates = [home / GLOBAL_IGNORE]
    if package_dir is not None:
        candidates.insert(0, package_dir / LOCAL_IGNORE)
    for candidate in candidates:
        if not _exists(candidate):
            continue
        try:
            text = candidate.read_text(encoding="utf-8", errors="surrogateescape")
        except OSError as err:
            # Stow then ignores nothing at all (it returns no regexps)
            rules, problems = compile_ignore_rules(
                (), ignore_options, source=str(candidate)
            )
            problems.append(
                f"cannot read {candidate} ({err.strerror}); like Stow, nothing is ignored"
            )
            return rules, problems
        return compile_ignore_rules(
            _parsed(text), ignore_options, source=str(candidate)
        )
    return compile_ignore_rules(
        _parsed(DEFAULT_IGNORE_LIST), ignore_options, source="built-in"
    )


def dotfile_name(component: str) -> str:
    """`dot-zshrc` -> `.zshrc`; `dot-` and `dot-.` stay as they are (Stow's rule)."""
    if component.startswith("dot-") and component not in ("dot-", "dot-."):
        return "." + component[len("dot-") :]
    return component
