"""Read what Homebrew has installed: formulae, casks, taps, services, App Store apps.

Three layers, so the tests read like a spec of the commands nixmigrate runs:
argv builders (`brew_info_cmd()` ...), pure parsers of each command's stdout
(`parse_info_v2()` ...), and `scan_brew()`, which runs them through a Runner.
Nothing here raises for a failing command: every problem becomes a warning that
names the command, and the scan carries on with what it could read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Final

from nixmigrate.errors import CommandFailedError, ToolMissingError
from nixmigrate.scan.inventory import (
    BrewCask,
    BrewFormula,
    BrewInventory,
    BrewService,
    MasApp,
)
from nixmigrate.system import hostos
from nixmigrate.system.runner import Runner

# Homebrew must not update itself, phone home or colour its output while we read it.
BREW_ENV: Final[Mapping[str, str]] = {
    "HOMEBREW_NO_AUTO_UPDATE": "1",
    "HOMEBREW_NO_ANALYTICS": "1",
    "HOMEBREW_NO_ENV_HINTS": "1",
    "HOMEBREW_NO_COLOR": "1",
}
BREW_CANDIDATES: Final = (
    "/opt/homebrew/bin/brew",  # Apple Silicon
    "/usr/local/bin/brew",  # Intel Macs
    "/home/linuxbrew/.linuxbrew/bin/brew",  # Linux
)
BREW_TIMEOUT: Final = 120.0
CORE_TAP: Final = "homebrew/core"

Progress = Callable[[str], None]


class UnreadableOutputError(ValueError):
    """A command's stdout is not in the shape its parser expects."""


def _silent(_: str) -> None:
    return None


# ---------------------------------------------------------------- argv builders


def brew_prefix_cmd(brew: str = "brew") -> list[str]:
    return [brew, "--prefix"]


def brew_version_cmd(brew: str = "brew") -> list[str]:
    return [brew, "--version"]


def brew_info_cmd(brew: str = "brew") -> list[str]:
    return [brew, "info", "--json=v2", "--installed"]


def brew_list_formulae_cmd(brew: str = "brew") -> list[str]:
    return [brew, "list", "--formula", "--versions"]


def brew_leaves_cmd(brew: str = "brew") -> list[str]:
    return [brew, "leaves", "--installed-on-request"]


def brew_list_casks_cmd(brew: str = "brew") -> list[str]:
    return [brew, "list", "--cask", "--versions"]


def brew_tap_cmd(brew: str = "brew") -> list[str]:
    return [brew, "tap"]


def brew_services_json_cmd(brew: str = "brew") -> list[str]:
    return [brew, "services", "list", "--json"]


def brew_services_table_cmd(brew: str = "brew") -> list[str]:
    return [brew, "services", "list"]


def mas_list_cmd(mas: str = "mas") -> list[str]:
    return [mas, "list"]


def shown(argv: Sequence[str]) -> str:
    """How a command appears in messages: `brew info ...`, whatever its path."""
    return " ".join([PurePosixPath(argv[0]).name, *argv[1:]])


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


# ---------------------------------------------------------------- running


@dataclass(frozen=True, slots=True)
class Outcome:
    """A command's stdout, or why there is none ("exit 1: Error: ...")."""

    stdout: str | None
    problem: str = ""


def _first_line(text: str) -> str:
    return next(iter(_lines(text)), "")


def run_for_output(
    runner: Runner,
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = BREW_TIMEOUT,
) -> Outcome:
    """Run argv; never raise: a failure comes back as a short problem text."""
    try:
        done = runner.run(argv, check=False, env=env, timeout=timeout)
    except ToolMissingError as err:
        return Outcome(None, err.hint or "not found")
    except CommandFailedError as err:
        if err.returncode is None:
            return Outcome(None, f"timed out after {timeout:g}s")
        return Outcome(None, f"exit {err.returncode}")
    if done.returncode != 0:
        detail = _first_line(done.stderr) or _first_line(done.stdout)
        return Outcome(
            None, f"exit {done.returncode}" + (f": {detail}" if detail else "")
        )
    return Outcome(done.stdout)


@dataclass
class _Session:
    runner: Runner
    brew: str
    timeout: float
    progress: Progress
    warnings: list[str] = field(default_factory=list)

    def run(
        self, argv: Sequence[str], *, env: Mapping[str, str] | None = BREW_ENV
    ) -> Outcome:
        return run_for_output(self.runner, argv, env=env, timeout=self.timeout)

    def failed(self, argv: Sequence[str], problem: str, consequence: str) -> None:
        self.warnings.append(f"`{shown(argv)}` failed ({problem}); {consequence}")

    def output(self, argv: Sequence[str], consequence: str) -> str | None:
        """stdout, or None after warning "`cmd` failed (why); consequence"."""
        outcome = self.run(argv)
        if outcome.stdout is None:
            self.failed(argv, outcome.problem, consequence)
        return outcome.stdout


def find_brew(
    runner: Runner,
    candidates: Sequence[str] = BREW_CANDIDATES,
    is_executable: Callable[[str], bool] = hostos.is_executable,
) -> str | None:
    """brew on PATH, else the first standard prefix that has one."""
    return runner.which("brew") or next(
        (c for c in candidates if is_executable(c)), None
    )


def _read_packages(
    s: _Session,
) -> tuple[tuple[BrewFormula, ...], tuple[BrewCask, ...], bool]:
    """(formulae, casks, from_json) from `brew info --json=v2`, else from `brew list`."""
    s.progress("Reading installed formulae and casks (brew info)")
    argv = brew_info_cmd(s.brew)
    consequence = (
        "fell back to `brew list` and `brew leaves` "
        "(no descriptions, dependencies or pins)"
    )
    outcome = s.run(argv)
    if outcome.stdout is None:
        s.failed(argv, outcome.problem, consequence)
    else:
        try:
            formulae, casks = parse_info_v2(outcome.stdout)
        except UnreadableOutputError as err:
            s.warnings.append(
                f"`{shown(argv)}` printed output nixmigrate could not read ({err}); "
                f"{consequence}"
            )
        else:
            return formulae, casks, True
    formulae, casks = _read_fallback(s)
    return formulae, casks, False


def _read_fallback(s: _Session) -> tuple[tuple[BrewFormula, ...], tuple[BrewCask, ...]]:
    s.progress("Listing installed formulae and casks (brew list)")
    listed = s.output(brew_list_formulae_cmd(s.brew), "formulae skipped")
    leaves = s.output(brew_leaves_cmd(s.brew), "every formula counted as a dependency")
    casks = s.output(brew_list_casks_cmd(s.brew), "casks skipped")
    formulae = fallback_formulae(
        parse_list_versions(listed or ""), parse_leaves(leaves or "")
    )
    cask_values = tuple(
        BrewCask(token=t, version=v) for t, v in parse_list_versions(casks or "")
    )
    return formulae, cask_values


def _read_services(s: _Session) -> tuple[BrewService, ...]:
    s.progress("Reading services (brew services list)")
    json_argv = brew_services_json_cmd(s.brew)
    outcome = s.run(json_argv)
    if outcome.stdout is not None:
        try:
            return parse_services_json(outcome.stdout)
        except UnreadableOutputError as err:
            problem = f"unreadable output: {err}"
    else:
        problem = outcome.problem
    table_argv = brew_services_table_cmd(s.brew)
    s.failed(json_argv, problem, f"read the `{shown(table_argv)}` table instead")
    table = s.output(table_argv, "services skipped")
    return parse_services_table(table) if table is not None else ()


def _find_mas(
    s: _Session, prefix: str | None, is_executable: Callable[[str], bool]
) -> str | None:
    in_prefix = str(PurePosixPath(prefix) / "bin" / "mas") if prefix else None
    return s.runner.which("mas") or (
        in_prefix if in_prefix and is_executable(in_prefix) else None
    )


def _read_mas(s: _Session, mas: str) -> tuple[MasApp, ...]:
    s.progress("Reading Mac App Store apps (mas list)")
    argv = mas_list_cmd(mas)
    outcome = s.run(argv, env=None)
    if outcome.stdout is None:
        s.failed(argv, outcome.problem, "App Store apps skipped")
        return ()
    return parse_mas_list(outcome.stdout)


def _no_brew_warning(candidates: Sequence[str]) -> str:
    places = ", ".join(candidates)
    return (
        f"Homebrew not found (not on PATH, nor at {places}); Homebrew packages skipped"
    )


def scan_brew(
    runner: Runner,
    *,
    brew_path: str | None = None,
    progress: Progress = _silent,
    candidates: Sequence[str] = BREW_CANDIDATES,
    timeout: float = BREW_TIMEOUT,
    is_executable: Callable[[str], bool] = hostos.is_executable,
) -> tuple[BrewInventory, list[str]]:
    """Everything Homebrew knows about this machine, plus warnings for what failed."""
    progress("Looking for Homebrew")
    brew = brew_path or find_brew(runner, candidates, is_executable)
    if brew is None:
        return BrewInventory(available=False, source="none"), [
            _no_brew_warning(candidates)
        ]
    s = _Session(runner, brew, timeout, progress)
    progress("Asking Homebrew for its prefix and version")
    prefix = (s.output(brew_prefix_cmd(brew), "Homebrew prefix unknown") or "").strip()
    version_out = s.output(brew_version_cmd(brew), "Homebrew version unknown")
    formulae, casks, from_json = _read_packages(s)
    s.progress("Reading taps (brew tap)")
    taps = s.output(brew_tap_cmd(brew), "taps skipped")
    services = _read_services(s)
    mas = _find_mas(s, prefix or None, is_executable)
    inventory = BrewInventory(
        available=True,
        source="json" if from_json else "fallback",
        prefix=prefix or None,
        version=parse_brew_version(version_out) if version_out is not None else None,
        formulae=formulae,
        casks=casks,
        taps=parse_taps(taps or ""),
        mas=_read_mas(s, mas) if mas else (),
        services=services,
    )
    return inventory, s.warnings
