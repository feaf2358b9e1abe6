"""The plan use case: inventory + choices -> generated configuration, written safely.

The choices (host, user, system, config dir, ...) are saved in the state dir so that
`apply` and later `plan` runs build exactly the same configuration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from nixmigrate.app.env import Env
from nixmigrate.errors import StateError, UsageError
from nixmigrate.jsonable import from_plain, to_plain
from nixmigrate.plan.model import Plan
from nixmigrate.plan.options import (
    DARWIN_SYSTEMS,
    DEFAULT_CONFIG_DIR,
    LINUX_SYSTEMS,
    PlanOptions,
    SecondHost,
    expand_home,
    sanitize_host_name,
)
from nixmigrate.plan.phases import Phase
from nixmigrate.scan.inventory import Inventory
from nixmigrate.system.fs import atomic_write_text

CHOICES_FILE = "plan-choices.json"


@dataclass(frozen=True, slots=True)
class PlanChoices:
    """What the user chose once, reused by every later plan and apply."""

    config_dir: str = DEFAULT_CONFIG_DIR
    hostname: str = ""
    user: str = ""
    system: str = ""
    home: str = ""
    touch_id: bool = False
    second_host: SecondHost | None = None
    sops: bool = False
    homebrew_zap: bool = False
    determinate_nix: bool | None = None  # None: as the scan found (host.nix_flavor)


@dataclass(frozen=True, slots=True)
class ChoiceOverrides:
    """Flags given on this run (None: keep the saved or scanned value)."""

    config_dir: Path | None = None
    hostname: str | None = None
    user: str | None = None
    system: str | None = None
    touch_id: bool | None = None
    second_host: SecondHost | None = None
    sops: bool | None = None
    homebrew_zap: bool | None = None
    determinate_nix: bool | None = None


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    plan: Plan
    options: PlanOptions
    warnings: tuple[str, ...]
    option_problems: tuple[str, ...]


def choose(env: Env, inventory: Inventory, overrides: ChoiceOverrides) -> PlanChoices:
    """Saved choices, then this run's flags, then what the scan found."""
    saved = load_choices(env)
    host = inventory.host
    system = _pick(overrides.system, saved.system, host.system)
    user = _pick(overrides.user, saved.user, host.user)
    if system not in DARWIN_SYSTEMS | LINUX_SYSTEMS:
        msg = f"cannot plan for system '{system or host.os}'"
        raise UsageError(
            msg, hint="pass --system aarch64-darwin, x86_64-darwin or x86_64-linux ..."
        )
    if not user:
        msg = "the user name is unknown"
        raise UsageError(msg, hint="pass --user NAME")
    hostname = sanitize_host_name(
        _pick(overrides.hostname, saved.hostname, host.hostname)
    )
    home = _home_for(system, user, host.os, host.home or str(env.paths.home), saved)
    config_dir = str(overrides.config_dir) if overrides.config_dir else saved.config_dir
    return PlanChoices(
        config_dir=expand_home(config_dir, str(env.paths.home)),
        hostname=hostname,
        user=user,
        system=system,
        home=home,
        touch_id=_flag(overrides.touch_id, saved.touch_id),
        second_host=overrides.second_host or saved.second_host,
        sops=_flag(overrides.sops, saved.sops),
        homebrew_zap=_flag(overrides.homebrew_zap, saved.homebrew_zap),
        determinate_nix=(
            saved.determinate_nix
            if overrides.determinate_nix is None
            else overrides.determinate_nix
        ),
    )


def build(
    env: Env,
    inventory: Inventory,
    choices: PlanChoices,
    through: Phase,
    mappings_dir: Path,
) -> PlanOutcome:
    from nixmigrate.plan.links import left_out_for_names
    from nixmigrate.render.plan_tree import checked_plan

    inventory, options, warnings = plan_inputs(
        env, inventory, choices, through, mappings_dir
    )
    plan, problems = checked_plan(inventory, options)
    warnings = [*warnings, *left_out_for_names(inventory.stow)]
    return PlanOutcome(plan, options, tuple(warnings), problems)


def plan_inputs(
    env: Env,
    inventory: Inventory,
    choices: PlanChoices,
    through: Phase,
    mappings_dir: Path,
) -> tuple[Inventory, PlanOptions, list[str]]:
    """The inventory as planned for the chosen home, the plan's options (with the
    configs read for phase 4), and what reading them warned of."""
    from nixmigrate.app.declarative import gather_declarative
    from nixmigrate.app.state_versions import existing_state_versions

    declarative, warnings = gather_declarative(env, inventory, through, mappings_dir)
    inventory = _rebased(inventory, choices.home)
    options = PlanOptions(
        config_dir=choices.config_dir,
        hostname=choices.hostname,
        user=choices.user,
        system=choices.system,
        home=choices.home,
        dotfiles_dir=inventory.stow.dir if inventory.stow else "",
        through=through,
        touch_id=choices.touch_id,
        second_host=choices.second_host,
        sops=choices.sops,
        declarative=declarative,
        homebrew_zap=choices.homebrew_zap,
        determinate_nix=uses_determinate_nix(choices, inventory),
        state_versions=existing_state_versions(
            Path(choices.config_dir), choices.hostname, choices.second_host
        ),
    )
    return inventory, options, warnings


def uses_determinate_nix(choices: PlanChoices, inventory: Inventory) -> bool:
    """--determinate-nix/--no-determinate-nix, else what the scan found."""
    if choices.determinate_nix is not None:
        return choices.determinate_nix
    return inventory.host.nix_flavor == "determinate"


def load_choices(env: Env) -> PlanChoices:
    path = env.paths.state_dir / CHOICES_FILE
    if not path.exists():
        return PlanChoices()
    try:
        return from_plain(PlanChoices, json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError, KeyError) as err:
        msg = f"{path} is damaged: {err}"
        raise StateError(msg, hint="delete it; the next plan asks again") from err


def save_choices(env: Env, choices: PlanChoices) -> None:
    path = env.paths.state_dir / CHOICES_FILE
    atomic_write_text(path, json.dumps(to_plain(choices), indent=2) + "\n")


def _rebased(inventory: Inventory, target_home: str) -> Inventory:
    """Dotfiles keep their place relative to home on the machine being planned for.

    Planning a Mac's configuration from a Linux box moves `/home/jane/dotfiles` to
    `/Users/jane/dotfiles`; on the scanned machine itself nothing changes.
    """
    stow = inventory.stow
    if stow is None or stow.target == target_home:
        return inventory
    old = Path(stow.target)

    def moved(path: str) -> str:
        try:
            return str(Path(target_home) / Path(path).relative_to(old))
        except ValueError:
            return path

    return replace(
        inventory, stow=replace(stow, dir=moved(stow.dir), target=target_home)
    )


def _pick(flag: str | None, saved: str, scanned: str) -> str:
    return flag or saved or scanned


def _flag(flag: bool | None, saved: bool) -> bool:
    return saved if flag is None else flag


def _home_for(
    system: str, user: str, host_os: str, scanned_home: str, saved: PlanChoices
) -> str:
    """The home on the target machine: the scanned one, unless planning for another OS."""
    if saved.home and saved.user == user and saved.system == system:
        return saved.home
    target_os = "darwin" if system in DARWIN_SYSTEMS else "linux"
    if target_os == host_os:
        return scanned_home
    return f"/Users/{user}" if target_os == "darwin" else f"/home/{user}"
