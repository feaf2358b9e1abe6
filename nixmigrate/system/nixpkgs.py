"""Which nixpkgs `nixmigrate verify` checks against, and how Nix is told to import it.

In order: the nixpkgs input locked in the generated flake's `flake.lock` (the exact
nixpkgs `darwin-rebuild` builds), then `--nixpkgs PATH`, then the `nixpkgs` entry of
the user's or the system's flake registry, then `<nixpkgs>` from NIX_PATH. Files are
only read here; nothing is fetched. A locked input reaches Nix as JSON text inside a
Nix string (`builtins.fetchTree (builtins.fromJSON "...")`), so no path or revision is
ever pasted into Nix source.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from nixmigrate.nixlang import nix_str

SourceKind = Literal["flake-lock", "path", "registry", "nix-path"]
SYSTEM_REGISTRY: Final = Path("/etc/nix/registry.json")
LOCK_FILE: Final = "flake.lock"
_MAX_FOLLOWS: Final = 16  # a lock whose `follows` loop is damaged, not a nixpkgs
_FETCH_KEYS: Final = frozenset(
    {
        "type",
        "owner",
        "repo",
        "rev",
        "ref",
        "narHash",
        "lastModified",
        "path",
        "url",
        "host",
        "dir",
        "revCount",
        "submodules",
    }
)


@dataclass(frozen=True, slots=True)
class NixpkgsSource:
    """Where the nixpkgs to check comes from.

    `import_expr` is the Nix expression to `import` (`<nixpkgs>` or a fetchTree call);
    `search_path` is handed to Nix as `-I nixpkgs=PATH`; `flakes` says whether the
    expression needs Nix's flakes feature (builtins.fetchTree).
    """

    kind: SourceKind
    described: str  # for people: "flake.lock of ~/nix-config: github:NixOS/nixpkgs/abc"
    import_expr: str = "<nixpkgs>"
    search_path: Path | None = None
    flakes: bool = False


def find_nixpkgs(
    config_dir: Path | None,
    explicit: Path | None,
    registries: Sequence[Path],
) -> NixpkgsSource:
    """The first of: the config dir's flake.lock, --nixpkgs, a registry, NIX_PATH."""
    if config_dir is not None:
        locked = locked_nixpkgs(config_dir / LOCK_FILE)
        if locked is not None:
            where = f"flake.lock of {config_dir}: {describe_locked(locked)}"
            return fetched("flake-lock", where, locked)
    if explicit is not None:
        return NixpkgsSource(
            kind="path", described=f"--nixpkgs {explicit}", search_path=explicit
        )
    for registry in registries:
        target = registry_nixpkgs(registry)
        if target is not None:
            where = f"flake registry {registry}: {describe_locked(target)}"
            return fetched("registry", where, target)
    return NixpkgsSource(kind="nix-path", described="<nixpkgs> from NIX_PATH")


def user_registries(home: Path, xdg_config: Path | None) -> tuple[Path, ...]:
    """The user's registry, then the system's (nix-darwin writes the latter)."""
    config = xdg_config or home / ".config"
    return (config / "nix" / "registry.json", SYSTEM_REGISTRY)


def fetched(
    kind: SourceKind, described: str, attrs: Mapping[str, object]
) -> NixpkgsSource:
    """A locked input: a local path is imported where it is (no copy, no flakes
    feature needed); anything else goes through builtins.fetchTree."""
    path = attrs.get("path")
    if attrs.get("type") == "path" and isinstance(path, str) and path.startswith("/"):
        return NixpkgsSource(kind=kind, described=described, import_expr=nix_str(path))
    text = json.dumps(dict(sorted(attrs.items())), sort_keys=True)
    expr = f"builtins.fetchTree (builtins.fromJSON {nix_str(text)})"
    return NixpkgsSource(kind=kind, described=described, import_expr=expr, flakes=True)


def locked_nixpkgs(lock_file: Path) -> dict[str, object] | None:
    """The `locked` attributes of the root's nixpkgs input, or None."""
    document = _read_json(lock_file)
    nodes = document.get("nodes") if document else None
    if not isinstance(nodes, dict):
        return None
    root = nodes.get(str(document.get("root", "root")) if document else "root")
    node_name = _input_node(nodes, root, "nixpkgs")
    node = nodes.get(node_name) if node_name else None
    locked = node.get("locked") if isinstance(node, dict) else None
    return _fetch_attrs(locked)


def _input_node(
    nodes: Mapping[str, object], node: object, name: str, depth: int = 0
) -> str | None:
    """The node an input points to; a `follows` list is walked from the root."""
    inputs = node.get("inputs") if isinstance(node, dict) else None
    target = inputs.get(name) if isinstance(inputs, dict) else None
    if isinstance(target, str):
        return target
    if not isinstance(target, list) or not target or depth > _MAX_FOLLOWS:
        return None
    current: object = nodes.get("root")
    found: str | None = None
    for step in target:
        found = _input_node(nodes, current, str(step), depth + 1)
        current = nodes.get(found) if found else None
    return found


def registry_nixpkgs(registry: Path) -> dict[str, object] | None:
    """Where a registry file sends `nixpkgs` (its `to` attributes), or None."""
    document = _read_json(registry)
    flakes = document.get("flakes") if document else None
    if not isinstance(flakes, list):
        return None
    for entry in flakes:
        source = entry.get("from") if isinstance(entry, dict) else None
        if isinstance(source, dict) and source.get("id") == "nixpkgs":
            return _fetch_attrs(entry.get("to"))
    return None


def _fetch_attrs(raw: object) -> dict[str, object] | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        return None
    return {k: v for k, v in raw.items() if k in _FETCH_KEYS}


def describe_locked(attrs: Mapping[str, object]) -> str:
    kind = attrs.get("type")
    if kind in ("github", "gitlab", "sourcehut"):
        rev = attrs.get("rev") or attrs.get("ref") or ""
        return f"{kind}:{attrs.get('owner')}/{attrs.get('repo')}/{rev}".rstrip("/")
    if kind == "path":
        return f"path:{attrs.get('path')}"
    return f"{kind}:{attrs.get('url', '')}"


def _read_json(path: Path) -> dict[str, object] | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return document if isinstance(document, dict) else None
