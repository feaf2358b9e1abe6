"""Which of a fixed list of config files exist in the home directory.

Only the given paths are looked at (one `lstat` each); the home directory is never
walked. A Stow link counts as present, and so does a dangling link: a file
home-manager would put there is in the way either way.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def existing_config_files(home: Path, candidates: Iterable[str]) -> tuple[str, ...]:
    """The home-relative `candidates` that exist in `home`, sorted and unique."""
    found = {
        rel for rel in candidates if _is_relative(rel) and os.path.lexists(home / rel)
    }
    return tuple(sorted(found))


def _is_relative(rel: str) -> bool:
    parts = Path(rel).parts
    return bool(parts) and not Path(rel).is_absolute() and ".." not in parts
