"""The report use case: inventory + run state -> Report, and the report files."""

from __future__ import annotations

from pathlib import Path

from nixmigrate.app.env import Env
from nixmigrate.app.planning import ChoiceOverrides, choose, load_choices, plan_inputs
from nixmigrate.app.saved_scan import load_inventory
from nixmigrate.errors import NixmigrateError
from nixmigrate.plan.facts import gather_facts
from nixmigrate.plan.options import resolved_options
from nixmigrate.plan.phases import Phase
from nixmigrate.report.files import report_to_json, report_to_markdown
from nixmigrate.report.model import Progress, Report, build_report
from nixmigrate.scan.inventory import Inventory
from nixmigrate.state.store import CheckpointStore, RunState, load_state
from nixmigrate.system.fs import atomic_write_text


def make_report(env: Env) -> Report:
    store = CheckpointStore.from_paths(env.paths)
    return report_of(env, load_inventory(env.paths), load_state(store.state_file))


def report_of(env: Env, inventory: Inventory, state: RunState) -> Report:
    choices = load_choices(env)
    return build_report(
        inventory,
        progress_from(state),
        hostname=choices.hostname or None,
        system=choices.system or None,
        program_files=program_files(env, inventory),
    )


def program_files(env: Env, inventory: Inventory) -> frozenset[str]:
    """The programs phase 4 writes into their own home/programs/<name>.nix, as
    `plan` would decide now; none while no plan can be made."""
    from nixmigrate.mapping.db import locate_mappings

    if not inventory.resolutions:
        return frozenset()
    try:
        choices = choose(env, inventory, ChoiceOverrides())
        planned, options, _ = plan_inputs(
            env, inventory, choices, Phase.CLEANUP, locate_mappings(None)
        )
        facts = gather_facts(planned, resolved_options(options))
    except (NixmigrateError, OSError, ValueError):
        return frozenset()
    return facts.declarative.programs


def progress_from(state: RunState) -> Progress:
    return Progress(
        config_dir=state.config_dir or None,
        completed=tuple(int(p) for p in state.completed),
        planned_through=state.planned_through,
        checkpoints=state.checkpoints,
    )


def write_report_files(report: Report, directory: Path) -> tuple[Path, Path]:
    markdown, json_file = directory / "report.md", directory / "report.json"
    atomic_write_text(markdown, report_to_markdown(report))
    atomic_write_text(json_file, report_to_json(report))
    return markdown, json_file
