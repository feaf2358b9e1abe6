"""Small reads of the host: platform, os-release, hostname, the user's account.

Each function does one read and never raises for a missing or unreadable file, so
the scanners can call them freely and tests can replace any one of them.
"""

from __future__ import annotations

import os
import platform
import pwd
import socket
from pathlib import Path
from typing import Final

OS_RELEASE: Final = Path("/etc/os-release")


def platform_system() -> str:
    """'darwin', 'linux', ... (lower-cased platform.system())."""
    return platform.system().lower()


def machine() -> str:
    """The CPU architecture as the kernel names it: arm64, x86_64, aarch64."""
    return platform.machine()


def socket_hostname() -> str:
    return socket.gethostname()


def _account() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwuid(os.getuid())
    except KeyError:  # a uid without a passwd entry (some containers)
        return None


def current_user() -> str:
    account = _account()
    if account is not None:
        return account.pw_name
    return os.environ.get("USER", "")


def home_dir() -> str:
    """$HOME as the user's programs see it (falls back to the passwd entry)."""
    home = os.environ.get("HOME", "")
    if home:
        return home
    account = _account()
    return account.pw_dir if account is not None else ""


def login_shell() -> str:
    """The login shell from the passwd entry, else $SHELL."""
    account = _account()
    if account is not None and account.pw_shell:
        return account.pw_shell
    return os.environ.get("SHELL", "")


def read_text(path: Path) -> str | None:
    """The file's text, or None when it is missing or unreadable."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def parse_os_release(text: str) -> dict[str, str]:
    """KEY=value lines of os-release(5); values may be single- or double-quoted."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if not sep or key.startswith("#"):
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        fields[key] = value.replace('\\"', '"')
    return fields


def os_release(path: Path = OS_RELEASE) -> dict[str, str]:
    text = read_text(path)
    return parse_os_release(text) if text is not None else {}


def path_exists(path: str) -> bool:
    return Path(path).exists()


def is_executable(path: str) -> bool:
    candidate = Path(path)
    return candidate.is_file() and os.access(candidate, os.X_OK)
