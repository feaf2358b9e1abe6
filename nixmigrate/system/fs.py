"""File-system writes in one place: atomic, and replaceable by a recorder for --dry-run."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


def atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write via a temp file in the same directory, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        if mode is not None:
            tmp.chmod(mode)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_text(path: Path, content: str, *, mode: int | None = None) -> None:
    atomic_write_bytes(path, content.encode("utf-8"), mode=mode)


class FileSystem(Protocol):
    """What the apply and state layers may do to the disk."""

    def write_bytes(
        self, path: Path, data: bytes, *, mode: int | None = None
    ) -> None: ...

    def symlink(self, path: Path, target: str) -> None: ...

    def unlink(self, path: Path) -> None: ...

    def rmtree(self, path: Path) -> None: ...

    def mkdir(self, path: Path) -> None: ...

    def rename(self, src: Path, dst: Path) -> None: ...


@dataclass(frozen=True)
class LocalFS:
    """The real disk."""

    def write_bytes(self, path: Path, data: bytes, *, mode: int | None = None) -> None:
        atomic_write_bytes(path, data, mode=mode)

    def symlink(self, path: Path, target: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)

    def unlink(self, path: Path) -> None:
        path.unlink(missing_ok=True)

    def rmtree(self, path: Path) -> None:
        shutil.rmtree(path)

    def mkdir(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)

    def rename(self, src: Path, dst: Path) -> None:
        dst.parent.mkdir(parents=True, exist_ok=True)
        src.rename(dst)


@dataclass
class RecordingFS:
    """Records what would be written, writes nothing (--dry-run)."""

    actions: list[tuple[str, str]] = field(default_factory=list)

    def write_bytes(self, path: Path, data: bytes, *, mode: int | None = None) -> None:
        mode_note = f" mode {mode:o}" if mode is not None else ""
        self.actions.append(("write", f"{path} ({len(data)} bytes{mode_note})"))

    def symlink(self, path: Path, target: str) -> None:
        self.actions.append(("symlink", f"{path} -> {target}"))

    def unlink(self, path: Path) -> None:
        self.actions.append(("unlink", str(path)))

    def rmtree(self, path: Path) -> None:
        self.actions.append(("rmtree", str(path)))

    def mkdir(self, path: Path) -> None:
        self.actions.append(("mkdir", str(path)))

    def rename(self, src: Path, dst: Path) -> None:
        self.actions.append(("rename", f"{src} -> {dst}"))


def copy_tree(source: Path, destination: Path) -> None:
    """A copy of a directory tree; links are copied as links, modes are kept."""
    shutil.copytree(source, destination, symlinks=True)


TreeSnapshot = dict[str, tuple[str, str | bytes, int]]


def snapshot_tree(root: Path, *, skip: tuple[str, ...] = ()) -> TreeSnapshot:
    """Every entry under root, except relative paths starting with `skip`:
    ('link', target, 0), ('file', bytes, mode) or ('dir', '', mode). Links are not
    followed, so two snapshots are equal only if bytes, modes and link targets are.
    """
    out: TreeSnapshot = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if skip and rel.startswith(skip):
            continue
        if path.is_symlink():
            out[rel] = ("link", str(path.readlink()), 0)
        elif path.is_dir():
            out[rel] = ("dir", "", path.stat().st_mode & 0o7777)
        else:
            out[rel] = ("file", path.read_bytes(), path.stat().st_mode & 0o7777)
    return out
