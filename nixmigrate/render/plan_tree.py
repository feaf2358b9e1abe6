"""Inventory + options -> Plan: render the generated tree for phases 1..N.

Pure: the same inventory and options always give the same plan, byte for byte.
plan/ decides what each phase does; this module renders the files each phase
leaves behind and hands the trees to plan.planner.assemble_plan.
"""

from __future__ import annotations

from nixmigrate.plan.assemble import build_config
from nixmigrate.plan.facts import Facts, gather_facts
from nixmigrate.plan.model import Plan
from nixmigrate.plan.options import PlanOptions, resolved_options
from nixmigrate.plan.phases import Phase
from nixmigrate.plan.planner import assemble_plan, phases_through
from nixmigrate.plan.steps import WriteFile
from nixmigrate.render.optioncheck import check_files
from nixmigrate.render.outputs import module_scopes, render_files
from nixmigrate.scan.inventory import Inventory


def build_plan(inventory: Inventory, options: PlanOptions) -> Plan:
    return checked_plan(inventory, options, check=False)[0]


def checked_plan(
    inventory: Inventory, options: PlanOptions, *, check: bool = True
) -> tuple[Plan, tuple[str, ...]]:
    """The plan, and the options its final tree sets that current home-manager and
    nix-darwin lack (none looked for without `check`): one rendering serves both."""
    facts = gather_facts(inventory, resolved_options(options))
    through = facts.options.through
    models = {phase: build_config(facts, phase) for phase in phases_through(through)}
    trees = {phase: render_files(model) for phase, model in models.items()}
    problems = (
        check_files(trees[through], module_scopes(models[through])) if check else ()
    )
    return assemble_plan(facts, trees), tuple(p.describe() for p in problems)


def render_tree(facts: Facts, through: Phase) -> tuple[WriteFile, ...]:
    return render_files(build_config(facts, through))


def option_problems(inventory: Inventory, options: PlanOptions) -> tuple[str, ...]:
    """Options the generated modules set that current home-manager/nix-darwin lack."""
    return checked_plan(inventory, options)[1]
