"""Check that every option a generated module sets exists today (and is not renamed).

Option paths are read back from the generated Nix source itself, so the check sees
exactly what the templates produced. The reference lists (package data, `options/`)
are `path<TAB>type<TAB>flags` lines where `<name>` stands for any attribute name and
`*` for a list element. A path is accepted when it names a listed option, or lies
below one that takes free-form values (a leaf such as `programs.git.settings`, or a
`freeform` submodule such as `nix.settings`). `hidden` and `internal` options are
rejected: the lists keep renamed and removed options under `hidden`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Final

from nixmigrate.plan.steps import WriteFile
from nixmigrate.render.nixscan import assigned_paths
from nixmigrate.render.outputs import ModuleScope

OptionPath = tuple[str, ...]
_ANY_NAME: Final = "<name>"
_LIST_ITEM: Final = "*"
_REJECTED_FLAGS: Final = frozenset({"hidden", "internal"})
_HOME_MANAGER_USERS: Final = ("home-manager", "users")
_OPTION_FILES: Final[Mapping[ModuleScope, tuple[str, ...]]] = {
    "darwin": ("nix-darwin-options.txt", "nix-homebrew-options.txt"),
    "home": ("home-manager-options.txt",),
    "nixos": ("nixos-options.txt",),
}


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    flags: frozenset[str] | None = None  # set when an option ends here


@dataclass(frozen=True, slots=True)
class OptionIndex:
    """The options of one module system, as a tree of path components."""

    root: _Node

    @classmethod
    def parse(cls, *texts: str) -> OptionIndex:
        root = _Node()
        for text in texts:
            for line in text.splitlines():
                if not line.strip() or line.startswith("#"):
                    continue
                path, _type, flags = [*line.split("\t"), "", ""][:3]
                node = root
                for part in path.split("."):
                    node = node.children.setdefault(part, _Node())
                node.flags = frozenset(f for f in flags.split(",") if f)
        return cls(root)

    def problem(self, path: OptionPath) -> str | None:
        """None when `path` may be set; otherwise why not."""
        verdicts = set(_walk(self.root, path, 0))
        if "ok" in verdicts:
            return None
        if "rejected" in verdicts:
            return "renamed, removed or internal"
        return "no such option"


def _walk(node: _Node, path: OptionPath, depth: int) -> Iterator[str]:
    if depth and node.flags is not None:
        if node.flags & _REJECTED_FLAGS:
            yield "rejected"
        elif depth == len(path) or not node.children or "freeform" in node.flags:
            yield "ok"
    if depth == len(path):
        return
    part = path[depth]
    keys = [_LIST_ITEM] if part == _LIST_ITEM else [part, _ANY_NAME]
    for key in keys:
        child = node.children.get(key)
        if child is not None:
            yield from _walk(child, path, depth + 1)


@dataclass(frozen=True, slots=True)
class OptionProblem:
    relpath: str
    option: str
    problem: str

    def describe(self) -> str:
        return f"{self.relpath}: {self.option}: {self.problem}"


@cache
def default_indexes() -> Mapping[ModuleScope, OptionIndex]:
    """The shipped option lists (home-manager, nix-darwin + nix-homebrew, NixOS)."""
    folder = files("nixmigrate.render").joinpath("options")
    return {
        scope: OptionIndex.parse(
            *(folder.joinpath(name).read_text(encoding="utf-8") for name in names)
        )
        for scope, names in _OPTION_FILES.items()
    }


def scoped_paths(
    source: str, scope: ModuleScope
) -> Iterator[tuple[ModuleScope, OptionPath]]:
    """Each option path a module sets, with the option tree it belongs to.

    What a system module puts under `home-manager.users.<user>` is a home-manager
    module, so it is checked against the home-manager options.
    """
    for path in assigned_paths(source):
        if path[0] == "imports":
            continue
        users = len(_HOME_MANAGER_USERS)
        if (
            scope != "home"
            and path[:users] == _HOME_MANAGER_USERS
            and len(path) > users + 1
        ):
            inner = path[users + 1 :]
            if inner[0] != "imports":
                yield "home", inner
            continue
        yield scope, path


def check_files(
    generated: Sequence[WriteFile],
    scopes: Mapping[str, ModuleScope],
    indexes: Mapping[ModuleScope, OptionIndex] | None = None,
) -> tuple[OptionProblem, ...]:
    """Every option set by a generated module that the option lists do not allow."""
    known = indexes if indexes is not None else default_indexes()
    problems: list[OptionProblem] = []
    for item in generated:
        scope = scopes.get(item.relpath)
        if scope is None:
            continue
        for tree, path in scoped_paths(item.content, scope):
            problem = known[tree].problem(path)
            if problem is not None:
                problems.append(OptionProblem(item.relpath, ".".join(path), problem))
    return tuple(problems)
