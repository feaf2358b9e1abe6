"""Read macOS preference domains with `defaults export <domain> -` (macOS only).

`defaults export` prints the domain as an XML property list, parsed here with plistlib.
Values keep their plist types: bool, int, float, str, bytes (data), datetime (date),
list (array) and dict. A domain named `ByHost/<domain>` is read with
`defaults -currentHost export <domain> -` (per-host preferences such as Control Centre).

The caller decides whether the host is a Mac. A domain that cannot be read or parsed
becomes a warning and the other domains are still read; a domain the user never
changed (`defaults` says it does not exist) is simply empty.
"""

from __future__ import annotations

import plistlib
from collections.abc import Iterable
from typing import Final
from xml.parsers.expat import ExpatError

from nixmigrate.errors import CommandFailedError, NixmigrateError, ToolMissingError
from nixmigrate.system.runner import Runner

BYHOST_PREFIX: Final = "ByHost/"
_MISSING_DOMAIN: Final = "does not exist"

RawDefaults = dict[str, dict[str, object]]


class UnreadableDomainError(NixmigrateError):
    """One preference domain could not be read; the scan carries on without it."""


def defaults_export_argv(domain: str) -> list[str]:
    if domain.startswith(BYHOST_PREFIX):
        name = domain.removeprefix(BYHOST_PREFIX)
        return ["defaults", "-currentHost", "export", name, "-"]
    return ["defaults", "export", domain, "-"]


def parse_defaults_export(domain: str, output: str) -> dict[str, object]:
    """The domain's keys and values; UnreadableDomainError if not a plist dict."""
    if not output.strip():
        return {}
    try:
        parsed = plistlib.loads(output.encode("utf-8", errors="surrogateescape"))
    except (plistlib.InvalidFileException, ExpatError, ValueError) as err:
        msg = f"'defaults export {domain}' did not print a property list ({err})"
        raise UnreadableDomainError(msg) from err
    if not isinstance(parsed, dict):
        msg = (
            f"'defaults export {domain}' printed a {type(parsed).__name__}, not a dict"
        )
        raise UnreadableDomainError(msg)
    return {str(key): value for key, value in parsed.items()}


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _read_domain(runner: Runner, domain: str) -> dict[str, object]:
    """One domain; UnreadableDomainError (with the reason) when it cannot be read."""
    argv = defaults_export_argv(domain)
    try:
        done = runner.run(argv, check=False)
    except CommandFailedError as err:  # a timeout
        raise UnreadableDomainError(str(err)) from err
    if done.returncode != 0:
        if _MISSING_DOMAIN in done.stderr:
            return {}
        detail = _first_line(done.stderr) or "no message"
        msg = f"'defaults export' exited {done.returncode}: {detail}"
        raise UnreadableDomainError(msg)
    return parse_defaults_export(domain, done.stdout)


def read_defaults(
    runner: Runner, domains: Iterable[str]
) -> tuple[RawDefaults, list[str]]:
    """{domain: {key: value}} for every domain that could be read, and warnings."""
    found: RawDefaults = {}
    warnings: list[str] = []
    for domain in dict.fromkeys(domains):
        try:
            found[domain] = _read_domain(runner, domain)
        except ToolMissingError:
            warnings.append("'defaults' was not found; macOS settings were not read")
            break
        except UnreadableDomainError as err:
            warnings.append(f"macOS defaults domain {domain} was not read: {err}")
    return found, warnings
