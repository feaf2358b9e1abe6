"""psutil queries: running processes and free disk space."""

from __future__ import annotations

from dataclasses import dataclass

import psutil


@dataclass(frozen=True, slots=True)
class ProcessInfo:
    pid: int
    name: str
    exe: str  # "" when the OS does not tell us (another user's process)


def running_processes() -> tuple[ProcessInfo, ...]:
    """Every process we can see; exe is empty where access is denied."""
    found: list[ProcessInfo] = []
    for proc in psutil.process_iter(["pid", "name", "exe"]):
        info = proc.info
        found.append(
            ProcessInfo(
                pid=int(info.get("pid") or 0),
                name=str(info.get("name") or ""),
                exe=str(info.get("exe") or ""),
            )
        )
    return tuple(found)


def disk_free_bytes(path: str) -> int:
    """Free bytes on the filesystem holding path (raises OSError if it is absent)."""
    return int(psutil.disk_usage(path).free)
