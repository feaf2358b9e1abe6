"""git config records -> home-manager `programs.git.settings` and `programs.git.includes`.

home-manager renamed `programs.git.userName`, `extraConfig` and `aliases` into the one
`programs.git.settings` attribute set, so everything lands there:
`user.name` -> settings.user.name, `alias.co` -> settings.alias.co,
`url.git@github.com:.insteadof` -> settings.url."git@github.com:".insteadof.

Rules, chosen so that the generated file means what the original did:
- a key is split at its first dot (section) and its last dot (name); whatever lies
  between is the subsection, kept whole even when it holds dots (URLs, paths);
- names stay as git prints them (lower-case); git compares names case-insensitively;
- a key repeated in the file becomes a list, in file order;
- values stay strings, except exactly `true`/`false` (-> bool), plain decimal integers
  without a leading zero (-> int; `0644` stays a string) and a key written without `=`
  (git's implicit true -> True). Every converted value prints back to the same text;
- `include.path` / `includeIf.<condition>.path` become `programs.git.includes`
  entries; the included files are not inlined;
- secrets (see plan/secrets.py) are never put into settings: they are returned as
  findings so the planner can keep the file a mutable link and say why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, TypeAlias

from nixmigrate.plan.secrets import (
    SecretFinding,
    git_config_secret_reason,
    mask_secret,
    mask_url_passwords,
)
from nixmigrate.scan.gitconfig import GitConfigEntries, GitConfigEntry

GitScalar: TypeAlias = bool | int | str
GitValue: TypeAlias = GitScalar | list[GitScalar]
GitSettings: TypeAlias = dict[str, "GitSettings | GitValue"]

_INTEGER = re.compile(r"0|-?[1-9][0-9]*")
_NIX_INT_LIMIT: Final = 2**63


@dataclass(frozen=True, slots=True)
class GitConversion:
    settings: GitSettings = field(default_factory=dict)
    includes: tuple[dict[str, str], ...] = ()  # {"path"} or {"condition", "path"}
    secrets: tuple[SecretFinding, ...] = ()
    skipped: tuple[str, ...] = ()  # entries left out of settings, and why


@dataclass(frozen=True, slots=True)
class GitKey:
    section: str
    subsection: str | None
    name: str

    @classmethod
    def parse(cls, key: str) -> GitKey:
        """`section.name` or `section.sub.section.name` (the middle kept whole)."""
        section, _, rest = key.partition(".")
        subsection, dot, name = rest.rpartition(".")
        return cls(section, subsection if dot else None, name)

    @property
    def path(self) -> tuple[str, ...]:
        if self.subsection is None:
            return (self.section, self.name)
        return (self.section, self.subsection, self.name)


def git_value(raw: str | None) -> GitScalar:
    """Type a value conservatively (see the module notes)."""
    if raw is None:
        return True
    if raw in {"true", "false"}:
        return raw == "true"
    if _INTEGER.fullmatch(raw) and abs(int(raw)) < _NIX_INT_LIMIT:
        return int(raw)
    return raw


def _include(key: GitKey, value: str | None) -> dict[str, str] | None:
    """The includes entry for an include directive, or None if it is not one."""
    if key.name != "path" or value is None:
        return None
    if key.section == "include" and key.subsection is None:
        return {"path": value}
    if key.section == "includeif" and key.subsection is not None:
        return {"condition": key.subsection, "path": value}
    return None


def _add_setting(
    settings: GitSettings, path: tuple[str, ...], value: GitScalar
) -> bool:
    """Put value at path (repeats become a list); False if path clashes with a table."""
    node = settings
    for part in path[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            return False
        node = child
    leaf = path[-1]
    current = node.get(leaf)
    if current is None:
        node[leaf] = value
    elif isinstance(current, dict):
        return False
    elif isinstance(current, list):
        current.append(value)
    else:
        node[leaf] = [current, value]
    return True


def _secret(path: str, entry: GitConfigEntry, reason: str) -> SecretFinding:
    location = mask_url_passwords(entry.key)
    preview = f"{location} = {mask_secret(entry.value or '')}"
    return SecretFinding(path, reason, location, preview)


@dataclass
class _Collector:
    path: str
    settings: GitSettings = field(default_factory=dict)
    includes: list[dict[str, str]] = field(default_factory=list)
    secrets: list[SecretFinding] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def add(self, entry: GitConfigEntry) -> None:
        reason = git_config_secret_reason(entry.key, entry.value)
        if reason is not None:
            self.secrets.append(_secret(self.path, entry, reason))
            return
        key = GitKey.parse(entry.key)
        if key.section in {"include", "includeif"}:
            self._add_include(entry, key)
        elif not key.name:
            self.skipped.append(f"{entry.key}: not a section.name key")
        elif not _add_setting(self.settings, key.path, git_value(entry.value)):
            self.skipped.append(f"{entry.key}: clashes with a subsection of that name")

    def _add_include(self, entry: GitConfigEntry, key: GitKey) -> None:
        include = _include(key, entry.value)
        if include is None:
            self.skipped.append(f"{entry.key}: not an include path")
        else:
            self.includes.append(include)

    def result(self) -> GitConversion:
        return GitConversion(
            settings=self.settings,
            includes=tuple(self.includes),
            secrets=tuple(self.secrets),
            skipped=tuple(self.skipped),
        )


def gitconfig_to_settings(entries: GitConfigEntries) -> GitConversion:
    """Convert one file's records (see the module notes for the rules)."""
    collector = _Collector(entries.path)
    for entry in entries.entries:
        collector.add(entry)
    return collector.result()
