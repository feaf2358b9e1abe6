"""The steps `apply` runs inside a phase checkpoint, each with its check, its record
(what to save before it runs) and its inverse.

Unstow   `stow -D -d DIR -t TARGET [FLAGS] PKG`  <->  `stow -d DIR -t TARGET [FLAGS] PKG`
         (FLAGS: --dotfiles, --no-folding, as the package was stowed)
Brew     `brew uninstall --formula NAME`               <->  `brew install --formula NAME`
Service  `brew services stop NAME`                     <->  `brew services start NAME`
Archive  `mv SRC DST`                                  <->  `mv DST SRC`
"""

from __future__ import annotations

import os
import posixpath
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from nixmigrate.apply.nixprofile import check_formula_replaced
from nixmigrate.errors import CommandFailedError, ConflictError, NixmigrateError
from nixmigrate.plan.steps import Archive, BrewUninstall, Unstow
from nixmigrate.scan.brew.commands import brew_services_json_cmd
from nixmigrate.scan.brew.output import UnreadableOutputError, parse_services_json
from nixmigrate.state.checkpoints import (
    Checkpoint,
    CommandKind,
    CommandRecord,
    CommandStatus,
    paths_to_record,
)
from nixmigrate.state.store import CheckpointStore
from nixmigrate.system.runner import Runner


@dataclass(frozen=True, slots=True)
class StepContext:
    store: CheckpointStore
    cp: Checkpoint
    runner: Runner
    home: Path
    nix_roots: tuple[Path, ...]  # where commands installed by Nix resolve to
    store_dirs: tuple[Path, ...]  # Nix store directories (the activation check)


@dataclass(frozen=True, slots=True)
class StepOutcome:
    description: str
    done: bool  # False: the step was skipped and the reason says why
    reason: str = ""


def home_path(value: str, home: Path) -> Path:
    """A plan path: `~/x` and relative paths are taken from home."""
    if value == "~" or value.startswith("~/"):
        return home / value[2:]
    path = Path(value)
    return path if path.is_absolute() else home / path


# ---------------------------------------------------------------- commands


def run_recorded(
    ctx: StepContext,
    kind: CommandKind,
    argv: Sequence[str],
    inverse: Sequence[str],
    step: str,
) -> None:
    """Record the command and its inverse, run it, mark it done."""
    record = CommandRecord(
        kind, tuple(argv), tuple(inverse), CommandStatus.STARTED, step
    )
    index = ctx.store.add_command(ctx.cp, record)
    ctx.runner.run(argv, timeout=None)
    ctx.store.set_command_status(ctx.cp, index, CommandStatus.DONE)


def undo_command(runner: Runner, command: CommandRecord) -> None:
    """Run a recorded command's inverse (a move only while it can be moved back)."""
    if command.kind is CommandKind.MOVE:
        _undo_move(runner, command)
        return
    if command.kind is CommandKind.LAUNCHD:  # not loaded any more is just as good
        runner.run(command.inverse, check=False, timeout=None)
        return
    runner.run(command.inverse, timeout=None)


def _undo_move(runner: Runner, command: CommandRecord) -> None:
    src, dst = Path(command.argv[-2]), Path(command.argv[-1])
    if _exists(src) and not _exists(dst):
        return  # it never moved
    if _exists(src):
        msg = f"cannot move {dst} back to {src}: {src} exists"
        raise ConflictError(msg, hint=f"move {src} aside, then roll back again")
    runner.run(command.inverse, timeout=None)


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


# ---------------------------------------------------------------- unstow


def stow_cmd(step: Unstow, home: Path, *, delete: bool) -> list[str]:
    stow_dir, target = home_path(step.stow_dir, home), home_path(step.target, home)
    delete_flag = ["-D"] if delete else []
    return [
        "stow",
        *delete_flag,
        "-d",
        str(stow_dir),
        "-t",
        str(target),
        *step.flags(),
        step.package,
    ]


def _target_name(part: str, *, dotfiles: bool) -> str:
    return "." + part[4:] if dotfiles and part.startswith("dot-") else part


def package_entries(step: Unstow, home: Path) -> Iterator[str]:
    """Every path (relative to the target) the package can link."""
    package_dir = home_path(step.stow_dir, home) / step.package
    for current, dirs, files in os.walk(package_dir):
        dirs.sort()
        rel_dir = Path(current).relative_to(package_dir)
        for name in sorted(files) + [d for d in dirs if Path(current, d).is_symlink()]:
            parts = [*rel_dir.parts, name]
            yield str(Path(*(_target_name(p, dotfiles=step.dotfiles) for p in parts)))


def record_unstow(ctx: StepContext, step: Unstow) -> None:
    target = home_path(step.target, ctx.home)
    rels = [*package_entries(step, ctx.home), *step.links]
    ctx.store.add_paths(ctx.cp, target, paths_to_record(target, rels))


def _one_hop(link: Path) -> Path:
    """Where `link` leads, its directories resolved but not the entry it names: a
    package may hold symlinks of its own (`x.service -> /usr/lib/...`)."""
    text = str(link.readlink())  # a link's text never ends in a slash to strip
    hop = posixpath.normpath(posixpath.join(os.path.realpath(link.parent), text))
    directory, _, name = hop.rpartition("/")
    return Path(os.path.realpath(directory or "/"), name)


def _link_problem(step: Unstow, home: Path, rel: str) -> str | None:
    """Why target/rel is not the stow link we expect, or None if it is."""
    target = home_path(step.target, home)
    package_dir = Path(os.path.realpath(home_path(step.stow_dir, home) / step.package))
    current = target
    for part in Path(rel).parts:
        current = current / part
        if current.is_symlink():
            if _one_hop(current).is_relative_to(package_dir):
                return None
            return (
                f"{current} is a link to {current.readlink()}, not into {package_dir}"
            )
        if not current.exists():
            return f"{current} is missing (expected a link into {package_dir})"
        if not current.is_dir():
            return f"{current} is a file where a link into {package_dir} should be"
    return f"{current} is a directory where a link into {package_dir} should be"


def check_unstow(step: Unstow, home: Path) -> None:
    """Every listed link is still the link into the package; else ConflictError."""
    problems = [p for rel in step.links if (p := _link_problem(step, home, rel))]
    if problems:
        raise ConflictError(
            f"cannot unstow {step.package}: " + "; ".join(problems),
            hint="nothing was changed; move those files aside (or restow the "
            "package), then run `nixmigrate scan` and `nixmigrate plan` again",
        )


def unstow(ctx: StepContext, step: Unstow) -> StepOutcome:
    check_unstow(step, ctx.home)
    argv = stow_cmd(step, ctx.home, delete=True)
    inverse = stow_cmd(step, ctx.home, delete=False)
    run_recorded(ctx, CommandKind.STOW, argv, inverse, step.describe())
    left = [rel for rel in step.links if _link_problem(step, ctx.home, rel) is None]
    if left:
        msg = f"stow -D left links of {step.package} in place: {', '.join(left)}"
        dry_run = ["stow", "-n", "-v", *argv[1:]]
        raise ConflictError(msg, hint=f"check the package with `{shlex.join(dry_run)}`")
    return StepOutcome(step.describe(), done=True)


# ---------------------------------------------------------------- brew


def brew_uninstall_cmd(name: str) -> list[str]:
    return ["brew", "uninstall", "--formula", name]


def brew_install_cmd(name: str) -> list[str]:
    return ["brew", "install", "--formula", name]


def brew_services_cmd(action: str, name: str) -> list[str]:
    return ["brew", "services", action, name]


def brew_uninstall(ctx: StepContext, step: BrewUninstall) -> StepOutcome:
    """Uninstall only if every command of the formula already comes from Nix.

    A running service is stopped first (its inverse starts it again); if the
    uninstall then fails, the service is started again at once.
    """
    check = check_formula_replaced(ctx.runner, step.name, ctx.nix_roots)
    if not check.replaced:
        return StepOutcome(step.describe(), done=False, reason=check.reason)
    stopped = step.stop_service and stop_brew_service(ctx, step.name, step.describe())
    argv, inverse = brew_uninstall_cmd(step.name), brew_install_cmd(step.name)
    try:
        run_recorded(ctx, CommandKind.BREW, argv, inverse, step.describe())
    except CommandFailedError as err:  # e.g. another formula depends on it
        if stopped:
            start, stop = (brew_services_cmd(a, step.name) for a in ("start", "stop"))
            run_recorded(ctx, CommandKind.BREW, start, stop, step.describe())
        return StepOutcome(step.describe(), done=False, reason=str(err))
    return StepOutcome(step.describe(), done=True)


def brew_service_started(runner: Runner, name: str) -> bool:
    """Does `brew services list --json` say it runs? (True when it cannot tell.)"""
    try:
        done = runner.run(brew_services_json_cmd(), check=False)
        services = parse_services_json(done.stdout) if done.returncode == 0 else None
    except (NixmigrateError, UnreadableOutputError):
        services = None
    if services is None:
        return True
    return any(s.name == name and s.status == "started" for s in services)


def stop_brew_service(ctx: StepContext, name: str, step: str) -> bool:
    """`brew services stop NAME` (inverse: start) if it runs; True if it was stopped.

    A service an earlier switch already handed over to nix-darwin is left alone.
    """
    if not brew_service_started(ctx.runner, name):
        return False
    stop, start = brew_services_cmd("stop", name), brew_services_cmd("start", name)
    run_recorded(ctx, CommandKind.BREW, stop, start, step)
    return True


# ---------------------------------------------------------------- archive


def archive_paths(step: Archive, home: Path) -> tuple[Path, Path]:
    return home_path(step.src, home), home_path(step.dst, home)


def check_archive(step: Archive, home: Path, *, now: bool = True) -> None:
    """Refuse a missing source or an existing destination. `now=False` (checking a
    whole phase up front) allows a parent an earlier step of the phase will create.
    """
    src, dst = archive_paths(step, home)
    if not _exists(src):
        msg = f"cannot archive {src}: it does not exist"
        raise ConflictError(
            msg, hint="run `nixmigrate scan` and `nixmigrate plan` again"
        )
    if _exists(dst):
        msg = f"cannot archive {src} to {dst}: {dst} already exists"
        raise ConflictError(
            msg, hint=f"move {dst} aside, or remove it if it is not needed"
        )
    if now and not dst.parent.is_dir():
        msg = f"cannot archive {src} to {dst}: {dst.parent} is not a directory"
        raise ConflictError(msg, hint=f"create {dst.parent} first")


def archive(ctx: StepContext, step: Archive) -> StepOutcome:
    check_archive(step, ctx.home)
    src, dst = archive_paths(step, ctx.home)
    argv, inverse = ["mv", str(src), str(dst)], ["mv", str(dst), str(src)]
    run_recorded(ctx, CommandKind.MOVE, argv, inverse, step.describe())
    return StepOutcome(step.describe(), done=True)
