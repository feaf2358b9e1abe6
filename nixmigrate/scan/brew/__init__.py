"""Read what Homebrew has installed: formulae, casks, taps, services, App Store apps.

Three layers, so the tests read like a spec of the commands nixmigrate runs:
argv builders (`brew_info_cmd()` ..., commands.py), pure parsers of each command's
stdout (`parse_info_v2()` ..., output.py), and `scan_brew()` here, which runs them
through a Runner. Nothing here raises for a failing command: every problem becomes a
warning that names the command, and the scan carries on with what it could read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from nixmigrate.scan.brew.commands import (
    BREW_CANDIDATES,
    BREW_ENV,
    BREW_TIMEOUT,
    Outcome,
    brew_info_cmd,
    brew_leaves_cmd,
    brew_list_casks_cmd,
    brew_list_formulae_cmd,
    brew_prefix_cmd,
    brew_services_json_cmd,
    brew_services_table_cmd,
    brew_tap_cmd,
    brew_version_cmd,
    mas_list_cmd,
    run_for_output,
    shown,
)
from nixmigrate.scan.brew.output import (
    CORE_TAP,
    UnreadableOutputError,
    cask_apps,
    cask_from_json,
    fallback_formulae,
    formula_from_json,
    parse_brew_version,
    parse_info_v2,
    parse_leaves,
    parse_list_versions,
    parse_mas_list,
    parse_services_json,
    parse_services_table,
    parse_taps,
    service_data_dir,
)
from nixmigrate.scan.inventory import (
    BrewCask,
    BrewFormula,
    BrewInventory,
    BrewService,
    MasApp,
)
from nixmigrate.system import hostos
from nixmigrate.system.runner import Runner

__all__ = [
    "BREW_CANDIDATES",
    "BREW_ENV",
    "BREW_TIMEOUT",
    "CORE_TAP",
    "Outcome",
    "UnreadableOutputError",
    "brew_info_cmd",
    "brew_leaves_cmd",
    "brew_list_casks_cmd",
    "brew_list_formulae_cmd",
    "brew_prefix_cmd",
    "brew_services_json_cmd",
    "brew_services_table_cmd",
    "brew_tap_cmd",
    "brew_version_cmd",
    "cask_apps",
    "cask_from_json",
    "fallback_formulae",
    "find_brew",
    "formula_from_json",
    "mas_list_cmd",
    "parse_brew_version",
    "parse_info_v2",
    "parse_leaves",
    "parse_list_versions",
    "parse_mas_list",
    "parse_services_json",
    "parse_services_table",
    "parse_taps",
    "run_for_output",
    "scan_brew",
    "service_data_dir",
    "shown",
]

Progress = Callable[[str], None]


def _silent(_: str) -> None:
    return None


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
