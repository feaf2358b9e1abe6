"""Small test helpers shared by many test modules."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

from nixmigrate.system.fs import snapshot_tree

__all__ = ["make_tree", "snapshot_tree"]


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
