"""The switch (`home-manager switch` / `darwin-rebuild switch`) and the check after it:
every managed path must now be a link into the Nix store, made by Home Manager, and
every nix-darwin service the switch enabled must be loaded (`launchctl print`).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from pathlib import Path

from nixmigrate.apply.steps import (
    StepContext,
    StepOutcome,
    home_path,
    run_recorded,
    stop_brew_service,
)
from nixmigrate.errors import CommandFailedError, NixmigrateError, ToolMissingError
from nixmigrate.plan.steps import Activate, LaunchdService
from nixmigrate.state.checkpoints import (
    CommandKind,
    CommandRecord,
    CommandStatus,
    paths_to_record,
)


class ActivationError(NixmigrateError):
    """The switch failed, or did not leave the managed paths as Nix store links."""


def _in_store(path: str, store_dirs: Sequence[Path]) -> bool:
    candidate = Path(path)
    return any(
        candidate.is_relative_to(form)
        for root in store_dirs
        for form in {root, Path(os.path.realpath(root))}
    )


def managed_path_problem(path: Path, store_dirs: Sequence[Path]) -> str | None:
    """Why path is not a Home Manager link into the store (None if it is)."""
    if not path.is_symlink():
        what = (
            "a directory" if path.is_dir() else "a file" if path.exists() else "missing"
        )
        return f"{path} is {what}, not a link into the Nix store"
    target = path.readlink()
    first_hop = os.path.normpath(
        target if target.is_absolute() else path.parent / target
    )
    if _in_store(first_hop, store_dirs) or _in_store(
        os.path.realpath(path), store_dirs
    ):
        return None
    return f"{path} is a link to {target}, not into the Nix store"


def record_activation(ctx: StepContext, step: Activate) -> None:
    ctx.store.add_paths(ctx.cp, ctx.home, paths_to_record(ctx.home, step.managed))


def activate(ctx: StepContext, step: Activate) -> StepOutcome:
    """Run the switch, then check every managed path; ActivationError if not right."""
    switch = shlex.join(step.argv)
    for name in step.stops:  # the switch starts their nix-darwin replacement
        stop_brew_service(ctx, name, step.describe())
    try:
        run_recorded(ctx, CommandKind.SWITCH, step.argv, (), step.describe())
    except (CommandFailedError, ToolMissingError) as err:
        msg = f"the switch failed: {err}"
        raise ActivationError(
            msg, hint=f"fix the configuration, test with `{switch}`"
        ) from err
    problems = [
        p
        for rel in step.managed
        if (p := managed_path_problem(home_path(rel, ctx.home), ctx.store_dirs))
    ]
    if problems:
        msg = f"`{switch}` finished, but " + "; ".join(problems)
        raise ActivationError(
            msg, hint="check the Home Manager configuration links those paths"
        )
    check_services(ctx, step)
    return StepOutcome(step.describe(), done=True)


def launchctl_target(service: LaunchdService, uid: int) -> str:
    if service.domain == "gui":
        return f"gui/{uid}/{service.label}"
    return f"system/{service.label}"


def check_services(ctx: StepContext, step: Activate) -> None:
    """Every enabled nix-darwin service is loaded; rollback unloads them again.

    Each is recorded (inverse `launchctl bootout`) before any is checked, so a
    failed check leaves none of them running beside the restored Homebrew service.
    """
    if not step.services:
        return
    uid = os.getuid()
    targets = [(s, launchctl_target(s, uid)) for s in step.services]
    for service, target in targets:
        record = CommandRecord(
            CommandKind.LAUNCHD,
            ("launchctl", "print", target),
            ("launchctl", "bootout", target),
            CommandStatus.DONE,
            f"{service.option} loaded by the switch",
        )
        ctx.store.add_command(ctx.cp, record)
    ctx.store.add_note(
        ctx.cp,
        "rolling back unloads the nix-darwin services "
        f"({', '.join(s.option for s in step.services)}) and starts the Homebrew "
        "ones; their launchd files stay until you switch to a configuration "
        "without them (`darwin-rebuild switch --rollback`)",
    )
    missing = [
        f"{service.option} ({target})"
        for service, target in targets
        if ctx.runner.run(["launchctl", "print", target], check=False).returncode
    ]
    if missing:
        msg = "the switch did not load " + ", ".join(missing)
        raise ActivationError(
            msg,
            hint="see `launchctl print` and the service's log, fix the "
            "configuration, then apply again",
        )
