"""The HTML report use case: inventory, run state, checkpoints and plan -> report.html.

Reads the state dir and the config dir; builds the plan again (in memory, nothing is
written) so the page can say which file each entry lives in and what each phase does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from nixmigrate.app.env import Env
from nixmigrate.app.planning import (
    ChoiceOverrides,
    _rebased,
    build,
    choose,
)
from nixmigrate.app.reporting import report_of
from nixmigrate.app.saved_scan import load_inventory
from nixmigrate.errors import NixmigrateError
from nixmigrate.plan.facts import gather_facts
from nixmigrate.plan.options import DeclarativeConfigs, resolved_options
from nixmigrate.plan.phases import Phase
from nixmigrate.render.plan_tree import render_tree
from nixmigrate.report.html import render_html
from nixmigrate.report.journey import CheckpointView, build_journey, readable_time
from nixmigrate.report.model import Report
from nixmigrate.report.page import Page, PageInputs, PlanContext, build_page
from nixmigrate.scan.inventory import Inventory
from nixmigrate.state.store import CheckpointStore, RunState, load_state
from nixmigrate.system.fs import atomic_write_text


def make_page(
    env: Env,
    *,
    report: Report | None = None,
    notes: tuple[str, ...] = (),
    config_copy: Path | None = None,
) -> Page:
    """The page, from `report` when the caller has made it already.

    `config_copy` stands in for the config dir (the demo keeps one).
    """
    inventory = load_inventory(env.paths)
    store = CheckpointStore.from_paths(env.paths)
    state = load_state(store.state_file)
    report = report or report_of(env, inventory, state)
    context = plan_context(env, inventory, state)
    journey = build_journey(
        report.progress,
        _checkpoints(store),
        context.plan if context else None,
        report.next_steps,
    )
    config_dir = state.config_dir or (context.plan.config_dir if context else "")
    if config_copy is not None:
        config_dir = str(config_copy)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    inputs = PageInputs(
        inventory=inventory,
        journey=journey,
        accounting=report.accounting,
        accounted_line=report.accounted_line,
        services=report.services,
        context=context,
        config_dir=config_dir,
        on_disk=_on_disk(Path(config_dir), context) if config_dir else {},
        planned=state.planned_through is not None,
        generated_at=readable_time(now),
        notes=notes,
    )
    return build_page(inputs)


def write_html(
    env: Env,
    path: Path,
    *,
    report: Report | None = None,
    notes: tuple[str, ...] = (),
    config_copy: Path | None = None,
) -> Path:
    page = make_page(env, report=report, notes=notes, config_copy=config_copy)
    atomic_write_text(path, render_html(page))
    return path


def plan_context(env: Env, inventory: Inventory, state: RunState) -> PlanContext | None:
    """The plan of every phase as `plan` would build it now, and the files of the
    phases planned so far; None when it cannot be built (yet)."""
    from nixmigrate.mapping.db import locate_mappings

    if not inventory.resolutions:
        return None
    try:
        choices = choose(env, inventory, ChoiceOverrides())
        outcome = build(env, inventory, choices, Phase.CLEANUP, locate_mappings(None))
        facts = gather_facts(
            _rebased(inventory, choices.home), resolved_options(outcome.options)
        )
    except (NixmigrateError, OSError, ValueError):
        return None
    declarative = facts.declarative
    through = Phase(state.planned_through or Phase.CLEANUP)
    return PlanContext(
        plan=outcome.plan,
        files=render_tree(facts, through),  # what `plan` wrote, for its phases
        through=through,
        links=(*facts.mutable_links, *declarative.links),
        clashes=facts.clashes,
        secrets=_secrets(outcome.options.declarative, declarative.secret_links),
    )


def _secrets(
    configs: DeclarativeConfigs, kept_links: tuple[str, ...]
) -> tuple[str, ...]:
    described = {f"{s.path}: {s.reason}" for s in configs.secret_files()}
    described |= {
        f"~/{path}: stays a link to your dotfiles"
        for path in kept_links
        if not any(d.startswith(f"{path}:") for d in described)
    }
    return tuple(sorted(described))


def _checkpoints(store: CheckpointStore) -> tuple[CheckpointView, ...]:
    return tuple(
        CheckpointView(
            id=c.id,
            phase=c.phase,
            created=c.created,
            status=c.status,
            rolled_back_at=c.rolled_back_at,
        )
        for c in store.list_checkpoints()
    )


def _on_disk(config_dir: Path, context: PlanContext | None) -> dict[str, str]:
    if context is None:
        return {}
    found: dict[str, str] = {}
    for f in context.files:
        try:
            found[f.relpath] = (config_dir / f.relpath).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return found
