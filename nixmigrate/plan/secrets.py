"""The one place that decides what counts as a secret in a user's dotfiles.

Anything written into a Nix expression ends up in the world-readable Nix store, so a
file that holds a password, token or private key must stay a mutable link. Files are
judged by their path (`.ssh/id_ed25519`, `.netrc`, `.aws/credentials`, ...), by path
plus content (`.npmrc` with `_authToken`, `.docker/config.json` with `auths`) and by
content alone (GitHub and AWS tokens, private key blocks, `password = ...` lines).

Findings never carry the secret: `preview` shows at most a token's well-known prefix.
Everything here is pure; the caller reads the files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Final

MASK: Final = "****"
_SCAN_LIMIT: Final = 1_000_000  # bytes of a file that content rules look at
_BINARY_PROBE: Final = 8192


@dataclass(frozen=True, slots=True)
class SecretFinding:
    """Why a file (or one git config key) holds a secret; never the secret itself."""

    path: str  # the file, as the caller named it
    reason: str  # for the user: what kind of secret and why it matters
    location: str = ""  # "line 3", or the git config key; empty for the whole file
    preview: str = ""  # the matched text with the secret masked


# ---------------------------------------------------------------- masking

_KNOWN_PREFIXES: Final = (
    "github_pat_",
    "glpat-",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "AKIA",
    "ASIA",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxo-",
    "xoxr-",
    "xoxs-",
)


def mask_secret(value: str) -> str:
    """`ghp_****` for a token with a well-known prefix, `****` for anything else."""
    prefix = next((p for p in _KNOWN_PREFIXES if value.startswith(p)), "")
    return f"{prefix}{MASK}"


_URL_CREDENTIALS = re.compile(
    r"(?P<head>[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^/\s@]+@", re.IGNORECASE
)


def mask_url_passwords(text: str) -> str:
    """`https://me:hunter2@host/` -> `https://me:****@host/`."""
    return _URL_CREDENTIALS.sub(lambda m: f"{m['head']}{MASK}@", text)


# ---------------------------------------------------------------- content rules

_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_TOKEN_PATTERNS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
        "a GitHub access token",
    ),
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), "a GitLab access token"),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), "a Slack token"),
)
# the key must end in the secret word: `oauth_token`, `API_KEY`, `client_secret`
_SENSITIVE_KEY_END = r"(?:password|passwd|passphrase|secret|token|api[_-]?key)\d*"
_ASSIGNMENT = re.compile(
    r"""^\s*(?:export\s+|local\s+|const\s+|let\s+|var\s+)?
        ["']?(?P<key>[\w.-]*"""
    + _SENSITIVE_KEY_END
    + r""")["']?
        \s*(?:=|:)\s*
        (?P<value>"[^"\n]*"|'[^'\n]*'|[^\s"'#;,(){}\[\]]+)
        \s*[,;]?\s*(?:(?:\#|//|;).*)?$""",
    re.IGNORECASE | re.VERBOSE,
)
_PLACEHOLDERS: Final = frozenset(
    {"", "null", "none", "nil", "true", "false", "yes", "no", "changeme", "xxx"}
)
# a reference to where the secret lives: $VAR, <placeholder>, %(x)s, {{ }}, !cmd, paths
_INDIRECT_VALUE_STARTS: Final = ("$", "<", "%", "{", "!", "`", "@", "~", "/")
_MIN_LITERAL_SECRET: Final = 6


def _literal_secret(raw_value: str) -> bool:
    """An assignment holds a literal secret, not a reference to where one lives."""
    value = raw_value.strip("\"'")
    if value.lower() in _PLACEHOLDERS or "{{" in value:
        return False
    if value.startswith(_INDIRECT_VALUE_STARTS):
        return False
    return len(value) >= _MIN_LITERAL_SECRET


def _token_findings(text: str) -> Iterator[tuple[str, str]]:
    """(reason, preview) for private key blocks and well-known token formats."""
    if match := _PRIVATE_KEY.search(text):
        yield "a private key block", match.group(0)
        return
    for pattern, reason in _TOKEN_PATTERNS:
        for token in pattern.finditer(text):
            yield reason, mask_secret(token.group(0))


def _line_findings(line: str) -> Iterator[tuple[str, str]]:
    """(reason, preview) for each secret on one line, most specific rule first."""
    specific = list(_token_findings(line))
    if specific:
        yield from specific
        return
    assignment = _ASSIGNMENT.match(line)
    if assignment and _literal_secret(assignment["value"]):
        yield (
            "a password or token written in plain text",
            f"{assignment['key']} = {MASK}",
        )


def scan_text_for_secrets(path: str, text: str) -> tuple[SecretFinding, ...]:
    """Content rules only: tokens, private keys and `password = ...` style lines."""
    findings: list[SecretFinding] = []
    for number, line in enumerate(text.splitlines(), start=1):
        findings.extend(
            SecretFinding(path, reason, f"line {number}", preview)
            for reason, preview in _line_findings(line)
        )
    return tuple(findings)


# ---------------------------------------------------------------- path rules

_SSH_KEY_NAME = re.compile(r"^id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?$")
_KEY_SUFFIXES: Final = frozenset({".pem", ".key", ".p12", ".pfx"})


def _ends_with(path: PurePosixPath, *tail: str) -> bool:
    return path.parts[-len(tail) :] == tail


def _ssh_private_key(path: PurePosixPath) -> bool:
    if path.suffix == ".pub":
        return False
    in_ssh_dir = ".ssh" in path.parts[:-1] and path.name.startswith("id_")
    return in_ssh_dir or bool(_SSH_KEY_NAME.match(path.name))


def _gnupg_private(path: PurePosixPath) -> bool:
    return "private-keys-v1.d" in path.parts or path.name == "secring.gpg"


def reason_for_path(relpath: str) -> str | None:
    """Why a file is a secret by its path alone, or None."""
    path = PurePosixPath(relpath)
    if _ssh_private_key(path):
        return "an SSH private key"
    if path.suffix.lower() in _KEY_SUFFIXES:
        return f"a key or certificate file ({path.suffix}) that may hold a private key"
    if path.name in {".netrc", "_netrc", ".authinfo", ".authinfo.gpg"}:
        return f"{path.name} holds machine logins and passwords"
    if _ends_with(path, "gh", "hosts.yml"):
        return "gh/hosts.yml holds the GitHub CLI's login tokens"
    if _ends_with(path, ".aws", "credentials"):
        return ".aws/credentials holds AWS access keys"
    if path.name == ".git-credentials":
        return ".git-credentials holds stored git passwords and tokens"
    if _gnupg_private(path):
        return "GnuPG private key material"
    return None


# ---------------------------------------------------------------- path + content rules

_NPM_AUTH = re.compile(
    r"^\s*[^#;\s]*:?_(?:authToken|auth|password)\s*=\s*\S", re.MULTILINE
)
_PYPIRC_PASSWORD = re.compile(r"^\s*password\s*[=:]\s*\S", re.MULTILINE | re.IGNORECASE)


def _docker_has_auths(text: str) -> bool:
    try:
        config = json.loads(text)
    except json.JSONDecodeError:
        return '"auth"' in text or '"identitytoken"' in text
    auths = config.get("auths") if isinstance(config, dict) else None
    if not isinstance(auths, dict):
        return False
    return any(
        isinstance(entry, dict) and (entry.get("auth") or entry.get("identitytoken"))
        for entry in auths.values()
    )


_CONTENT_FILE_RULES: Final[
    tuple[tuple[tuple[str, ...], Callable[[str], bool], str], ...]
] = (
    (
        (".npmrc",),
        lambda text: bool(_NPM_AUTH.search(text)),
        ".npmrc holds an npm registry auth token",
    ),
    (
        (".pypirc",),
        lambda text: bool(_PYPIRC_PASSWORD.search(text)),
        ".pypirc holds a package index password",
    ),
    (
        (".docker", "config.json"),
        _docker_has_auths,
        ".docker/config.json holds registry credentials (auths)",
    ),
)


def reason_for_path_and_content(relpath: str, text: str) -> str | None:
    """Files that are secrets only when their content says so (.npmrc, .pypirc, ...)."""
    path = PurePosixPath(relpath)
    for tail, holds_secret, reason in _CONTENT_FILE_RULES:
        if _ends_with(path, *tail) and holds_secret(text):
            return reason
    return None


# ---------------------------------------------------------------- files and packages


def _as_text(content: bytes) -> str | None:
    """The content as text for the content rules, or None for a binary file."""
    if b"\0" in content[:_BINARY_PROBE]:
        return None
    return content[:_SCAN_LIMIT].decode("utf-8", errors="replace")


def scan_file_for_secrets(relpath: str, content: bytes) -> tuple[SecretFinding, ...]:
    """Every reason `relpath` must not be copied into the Nix store (empty if none)."""
    by_path = reason_for_path(relpath)
    if by_path is not None:
        return (SecretFinding(relpath, by_path),)
    text = _as_text(content)
    if text is None:
        return ()
    by_content = reason_for_path_and_content(relpath, text)
    if by_content is not None:
        return (SecretFinding(relpath, by_content),)
    return scan_text_for_secrets(relpath, text)


def scan_package_for_secrets(files: Mapping[str, bytes]) -> tuple[SecretFinding, ...]:
    """Scan a dotfiles package: {path relative to the package: content}."""
    return tuple(
        finding
        for relpath in sorted(files)
        for finding in scan_file_for_secrets(relpath, files[relpath])
    )


# ---------------------------------------------------------------- git config keys

_AUTH_HEADER = re.compile(r"authorization|private-token|bearer|basic\s", re.IGNORECASE)
_PASSWORD_NAMES: Final = frozenset({"password", "pass", "passwd", "smtppass"})


def git_config_secret_reason(key: str, value: str | None) -> str | None:
    """Why one `git config --list` entry holds a secret, or None.

    `key` is as git prints it: `section.name` or `section.subsection.name`.
    """
    name = key.rsplit(".", 1)[-1].lower()
    text = value or ""
    shown = mask_url_passwords(key)
    if key.lower() == "user.signingkey":
        return "user.signingkey names a private signing key"
    if name in _PASSWORD_NAMES or name.endswith("password"):
        return f"{shown} is a password"
    if name.endswith("token"):
        return f"{shown} is an access token"
    if name == "extraheader" and _AUTH_HEADER.search(text):
        return f"{shown} sends an HTTP authorization header"
    if _URL_CREDENTIALS.search(key) or _URL_CREDENTIALS.search(text):
        return f"{shown} has a URL with an embedded password"
    token_reason = next((reason for reason, _ in _token_findings(text)), None)
    if token_reason is not None:
        return f"{shown} contains {token_reason}"
    return None
