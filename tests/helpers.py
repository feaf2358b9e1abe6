"""Small test helpers shared by many test modules."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path


def make_tree(root: Path, spec: Mapping[str, str | bytes | Path]) -> None:
    """Create files (str/bytes content) and symlinks (Path value = link target)."""
    for rel, content in spec.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            path.symlink_to(content)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")


def snapshot_tree(root: Path) -> dict[str, tuple[str, str | bytes, int]]:
    """Every entry under root: ('link', target, 0) / ('file', bytes, mode) / ('dir', '', mode)."""
    out: dict[str, tuple[str, str | bytes, int]] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            out[rel] = ("link", str(path.readlink()), 0)
        elif path.is_dir():
            out[rel] = ("dir", "", path.stat().st_mode & 0o7777)
        else:
            out[rel] = ("file", path.read_bytes(), path.stat().st_mode & 0o7777)
    return out
