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
    facts = gather_facts(inventory, resolved_options(options))
    through = facts.options.through
    trees = {phase: render_tree(facts, phase) for phase in phases_through(through)}
    return assemble_plan(facts, trees)


def render_tree(facts: Facts, through: Phase) -> tuple[WriteFile, ...]:
    return render_files(build_config(facts, through))


def option_problems(inventory: Inventory, options: PlanOptions) -> tuple[str, ...]:
    """Options the generated modules set that current home-manager/nix-darwin lack."""
    facts = gather_facts(inventory, resolved_options(options))
    model = build_config(facts, options.through)
    problems = check_files(render_files(model), module_scopes(model))
    return tuple(p.describe() for p in problems)
