"""The switch (`home-manager switch` / `darwin-rebuild switch`) and the check after it:
every managed path must now be a link into the Nix store, made by Home Manager.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from pathlib import Path

from nixmigrate.apply.steps import StepContext, StepOutcome, home_path, run_recorded
from nixmigrate.errors import CommandFailedError, NixmigrateError, ToolMissingError
from nixmigrate.plan.steps import Activate
from nixmigrate.state.checkpoints import CommandKind, paths_to_record


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
    return StepOutcome(step.describe(), done=True)
