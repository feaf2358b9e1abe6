"""The Nix commands nixmigrate runs: argv builders, and one evaluation call.

`nixpkgs` (a path) is handed to Nix as `-I nixpkgs=PATH`, so expressions always say
`<nixpkgs>` and no path is ever pasted into Nix source.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Final

from nixmigrate.errors import CommandFailedError, NixmigrateError, ToolMissingError

if TYPE_CHECKING:
    from nixmigrate.system.runner import Runner

EVAL_TIMEOUT: Final = 600.0  # evaluating a few hundred nixpkgs attributes takes a while
_NO_NIXPKGS_HINT: Final = (
    "pass --nixpkgs PATH (a nixpkgs checkout), or set NIX_PATH=nixpkgs=... "
    "(flake users: NIX_PATH=nixpkgs=flake:nixpkgs with Nix >= 2.19)"
)


def nix_instantiate_eval_cmd(
    expr: str, *, nixpkgs: Path | None = None, flakes: bool = False
) -> list[str]:
    features = ["--extra-experimental-features", "nix-command flakes"] if flakes else []
    return [
        "nix-instantiate",
        "--eval",
        "--strict",
        "--json",
        *_search_path(nixpkgs),
        *features,
        "-E",
        expr,
    ]


def nix_eval_cmd(
    expr: str, *, nixpkgs: Path | None = None, flakes: bool = False
) -> list[str]:
    return [
        "nix",
        "--extra-experimental-features",
        "nix-command flakes" if flakes else "nix-command",
        "eval",
        "--impure",  # <nixpkgs> and builtins.currentSystem
        "--json",
        *_search_path(nixpkgs),
        "--expr",
        expr,
    ]


def eval_json(
    runner: Runner, expr: str, *, nixpkgs: Path | None = None, flakes: bool = False
) -> object:
    """Evaluate `expr` strictly and return its JSON value (one process).

    `flakes` turns on Nix's flakes feature, which builtins.fetchTree needs."""
    argv = _eval_argv(runner, expr, nixpkgs, flakes=flakes)
    try:
        done = runner.run(argv, timeout=EVAL_TIMEOUT)
    except CommandFailedError as err:
        if "nixpkgs" in err.stderr and "search path" in err.stderr:
            raise CommandFailedError(
                err.argv, err.returncode, err.stderr, hint=_NO_NIXPKGS_HINT
            ) from err
        raise
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as err:
        msg = f"'{argv[0]}' printed something that is not JSON ({err.msg})"
        raise NixmigrateError(msg, hint="re-run with --debug and report it") from err


def nix_available(runner: Runner) -> bool:
    return bool(runner.which("nix-instantiate") or runner.which("nix"))


def _eval_argv(
    runner: Runner, expr: str, nixpkgs: Path | None, *, flakes: bool
) -> list[str]:
    if runner.which("nix-instantiate"):
        return nix_instantiate_eval_cmd(expr, nixpkgs=nixpkgs, flakes=flakes)
    if runner.which("nix"):
        return nix_eval_cmd(expr, nixpkgs=nixpkgs, flakes=flakes)
    tool = "nix-instantiate"
    raise ToolMissingError(tool, hint="install Nix first (https://nixos.org/download)")


def _search_path(nixpkgs: Path | None) -> list[str]:
    return [] if nixpkgs is None else ["-I", f"nixpkgs={nixpkgs}"]


def nix_parse_cmd() -> list[str]:
    """Parse Nix from stdin; Nix 2.8 also rejects undefined variables here."""
    return ["nix-instantiate", "--parse", "-"]


def parse_problems(runner: Runner, sources: dict[str, str]) -> tuple[str, ...] | None:
    """`relpath: error` for each source that does not parse; None without Nix."""
    if runner.which("nix-instantiate") is None:
        return None
    problems: list[str] = []
    for relpath, source in sorted(sources.items()):
        done = runner.run(nix_parse_cmd(), check=False, input_text=source, timeout=60)
        if done.returncode != 0:
            problems.append(f"{relpath}: {_nix_error(done.stderr)}")
    return tuple(problems)


def _nix_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    error = next((ln for ln in lines if ln.startswith("error:")), "does not parse")
    where = next((ln for ln in lines if ln.startswith("at «stdin»")), "")
    return f"{error} {where.removeprefix('at «stdin»')}".strip()
