"""Pure parsers of each Homebrew command's stdout: JSON (`brew info --json=v2`,
`brew services list --json`) and text (`brew list --versions`, `brew leaves`,
`brew tap`, `brew services list`, `mas list`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any, Final

from nixmigrate.scan.inventory import BrewCask, BrewFormula, BrewService, MasApp

CORE_TAP: Final = "homebrew/core"


class UnreadableOutputError(ValueError):
    """A command's stdout is not in the shape its parser expects."""


# ---------------------------------------------------------------- parsers: JSON


def _load_json(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        msg = f"not JSON ({err.msg} at line {err.lineno} column {err.colno})"
        raise UnreadableOutputError(msg) from err


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return value if isinstance(value, str) else ""


def _entry(raw: object, key: str, kind: str) -> tuple[Mapping[str, Any], str]:
    """The entry as a mapping, and its name under `key` (which must be a string)."""
    if not isinstance(raw, dict) or not isinstance(raw.get(key), str):
        msg = f"a {kind} entry has no '{key}'"
        raise UnreadableOutputError(msg)
    return raw, str(raw[key])


def _short_name(full_name: str) -> str:
    return full_name.rpartition("/")[2]


def _runtime_dependencies(
    raw: Mapping[str, Any], keg: Mapping[str, Any]
) -> tuple[str, ...]:
    recorded = keg.get("runtime_dependencies")
    if isinstance(recorded, list):
        names = (d.get("full_name") for d in recorded if isinstance(d, dict))
        return tuple(_short_name(n) for n in names if isinstance(n, str))
    # kegs poured before Homebrew recorded runtime dependencies: use the declared ones
    return _strings(raw.get("dependencies"))


def _oldnames(raw: Mapping[str, Any]) -> tuple[str, ...]:
    if "oldnames" in raw:
        return _strings(raw.get("oldnames"))
    oldname = raw.get("oldname")  # Homebrew < 4.1 reported a single name
    return (oldname,) if isinstance(oldname, str) else ()


def formula_from_json(raw: object) -> BrewFormula:
    """One element of `formulae` in `brew info --json=v2` output."""
    raw, name = _entry(raw, "name", "formula")
    kegs = [k for k in raw.get("installed") or [] if isinstance(k, dict)]
    newest: Mapping[str, Any] = kegs[-1] if kegs else {}  # brew sorts kegs by version
    versions = raw.get("versions")
    stable = _text(versions, "stable") if isinstance(versions, dict) else ""
    # Kegs from before the install receipt tracked either flag claim neither;
    # Homebrew itself treats those as requested, and so do we.
    on_request = bool(newest.get("installed_on_request")) or not bool(
        newest.get("installed_as_dependency")
    )
    return BrewFormula(
        name=name,
        version=_text(newest, "version") or stable,
        tap=_text(raw, "tap"),
        on_request=on_request,
        full_name=_text(raw, "full_name") or name,
        pinned=bool(raw.get("pinned")),
        desc=_text(raw, "desc"),
        homepage=_text(raw, "homepage"),
        aliases=_strings(raw.get("aliases")),
        oldnames=_oldnames(raw),
        dependencies=_runtime_dependencies(raw, newest),
        keg_only=bool(raw.get("keg_only")),
        service_data_dir=service_data_dir(raw.get("service")),
    )


_PREFIX_VAR: Final = "$HOMEBREW_PREFIX/var"
_NOT_DATA: Final = ("/log", "/run")


def service_data_dir(service: object) -> str | None:
    """The `$HOMEBREW_PREFIX/var/...` directory a formula's service works in.

    From `run` (a list, or a dict of per-OS lists) and `working_dir`; log and
    run directories do not count as data.
    """
    if not isinstance(service, dict):
        return None
    run = service.get("run")
    if isinstance(run, dict):
        run = next((v for v in run.values() if isinstance(v, list)), [])
    candidates = [*_strings(run), service.get("working_dir")]
    for value in candidates:
        if not isinstance(value, str) or not value.startswith(_PREFIX_VAR):
            continue
        rest = value[len(_PREFIX_VAR) :]
        if rest and not rest.startswith("/"):
            continue
        if not rest.startswith(_NOT_DATA):
            return value.rstrip("/")
    return None


def _app_name(artifact: Mapping[str, Any]) -> str | None:
    """`{"app": ["Foo.app", {"target": "Bar.app"}], "target": "/Applications/Bar.app"}`."""
    args = artifact.get("app")
    if not isinstance(args, list) or not args or not isinstance(args[0], str):
        return None
    target = artifact.get("target")  # only newer Homebrew adds the resolved target
    if not isinstance(target, str):
        options = next((a for a in args[1:] if isinstance(a, dict)), {})
        target = options.get("target")
    return PurePosixPath(target if isinstance(target, str) else args[0]).name


def _legacy_app_name(artifact: list[Any]) -> str | None:
    """Older Homebrew listed bare argument arrays: `["Firefox.app"]`."""
    first = artifact[0] if artifact else None
    if isinstance(first, str) and first.endswith(".app"):
        return PurePosixPath(first).name
    return None


def cask_apps(artifacts: object) -> tuple[str, ...]:
    """The .app bundles a cask installs, from its `artifacts` list."""
    if not isinstance(artifacts, list):
        return ()
    names: list[str | None] = []
    for artifact in artifacts:
        if isinstance(artifact, dict):
            names.append(_app_name(artifact))
        elif isinstance(artifact, list):
            names.append(_legacy_app_name(artifact))
    return tuple(n for n in names if n)


def cask_from_json(raw: object) -> BrewCask:
    """One element of `casks` in `brew info --json=v2` output."""
    raw, token = _entry(raw, "token", "cask")
    return BrewCask(
        token=token,
        version=_text(raw, "installed") or _text(raw, "version"),
        tap=_text(raw, "tap"),
        full_token=_text(raw, "full_token") or token,
        names=_strings(raw.get("name")),
        desc=_text(raw, "desc"),
        homepage=_text(raw, "homepage"),
        auto_updates=bool(raw.get("auto_updates")),
        apps=cask_apps(raw.get("artifacts")),
    )


def parse_info_v2(text: str) -> tuple[tuple[BrewFormula, ...], tuple[BrewCask, ...]]:
    """`brew info --json=v2 --installed`: {"formulae": [...], "casks": [...]}."""
    data = _load_json(text)
    if not isinstance(data, dict) or not isinstance(data.get("formulae"), list):
        msg = "expected an object with a 'formulae' list"
        raise UnreadableOutputError(msg)
    casks = data.get("casks") or []  # Linux Homebrew has no casks
    if not isinstance(casks, list):
        msg = "'casks' is not a list"
        raise UnreadableOutputError(msg)
    formulae = tuple(formula_from_json(f) for f in data["formulae"])
    return formulae, tuple(cask_from_json(c) for c in casks)


def _service_from_json(raw: object) -> BrewService:
    raw, name = _entry(raw, "name", "service")
    return BrewService(
        name=name,
        status=_text(raw, "status") or "unknown",
        user=_text(raw, "user") or None,
        file=_text(raw, "file") or None,
    )


def parse_services_json(text: str) -> tuple[BrewService, ...]:
    """`brew services list --json`: a list of {name, status, user, file, exit_code}."""
    if not text.strip():  # brew prints nothing when no formula has a service
        return ()
    data = _load_json(text)
    if not isinstance(data, list):
        msg = "expected a list of services"
        raise UnreadableOutputError(msg)
    return tuple(_service_from_json(s) for s in data)


# ---------------------------------------------------------------- parsers: text


def _lines(text: str) -> Iterable[str]:
    return (line.strip() for line in text.splitlines() if line.strip())


def parse_list_versions(text: str) -> tuple[tuple[str, str], ...]:
    """`brew list --formula|--cask --versions`: `name v1 [v2 ...]` -> (name, newest)."""
    rows: list[tuple[str, str]] = []
    for line in _lines(text):
        name, *versions = line.split()
        rows.append((name, versions[-1] if versions else ""))
    return tuple(rows)


def parse_leaves(text: str) -> tuple[str, ...]:
    """`brew leaves --installed-on-request`: one full name per line."""
    return tuple(_lines(text))


def parse_taps(text: str) -> tuple[str, ...]:
    """`brew tap`: one `user/repo` per line."""
    return tuple(_lines(text))


def parse_brew_version(text: str) -> str | None:
    """`brew --version`: `Homebrew 4.4.15` (older releases add more lines)."""
    first = next(iter(_lines(text)), "")
    _, sep, version = first.partition("Homebrew ")
    if not sep:
        return None
    return version.strip() or None


def _is_table_header(tokens: Sequence[str]) -> bool:
    return len(tokens) >= 2 and tokens[0] == "Name" and tokens[1] == "Status"


def _table_row(tokens: Sequence[str]) -> BrewService:
    name, status, *rest = tokens
    if status == "error" and rest and rest[0].isdigit():  # "error  256": exit code
        rest = rest[1:]
    file_at = next((i for i, t in enumerate(rest) if t.startswith(("/", "~"))), None)
    users = rest if file_at is None else rest[:file_at]
    file = None if file_at is None else " ".join(rest[file_at:])
    return BrewService(
        name=name, status=status, user=users[0] if users else None, file=file
    )


def parse_services_table(text: str) -> tuple[BrewService, ...]:
    """Plain `brew services list`: `Name Status User File` columns, blanks allowed."""
    services: list[BrewService] = []
    for line in _lines(text):
        tokens = line.split()
        if len(tokens) >= 2 and not _is_table_header(tokens):
            services.append(_table_row(tokens))
    return tuple(services)


_MAS_LINE: Final = re.compile(
    r"^(?P<id>\d+)\s+(?P<name>.+?)(?:\s+\((?P<version>[^()]*)\))?$"
)


def parse_mas_list(text: str) -> tuple[MasApp, ...]:
    """`mas list`: `<id>  <name padded>  (<version>)`, ids right-aligned."""
    apps: list[MasApp] = []
    for line in _lines(text):
        match = _MAS_LINE.match(line)
        if match:
            version = match["version"] or ""
            apps.append(
                MasApp(name=match["name"], id=int(match["id"]), version=version)
            )
    return tuple(apps)


def fallback_formulae(
    versions: Iterable[tuple[str, str]], leaves: Iterable[str]
) -> tuple[BrewFormula, ...]:
    """Formulae from `brew list --versions`, marked requested when `brew leaves` says so."""
    requested = {_short_name(leaf): leaf for leaf in leaves}
    formulae: list[BrewFormula] = []
    for name, version in versions:
        full_name = requested.get(name, name)
        tap = full_name.rpartition("/")[0] if full_name.count("/") == 2 else CORE_TAP
        formulae.append(
            BrewFormula(
                name=name,
                version=version,
                tap=tap,
                on_request=name in requested,
                full_name=full_name,
            )
        )
    return tuple(formulae)
