"""The HTML report's content: every section as plain values, in page order.

Pure. The accounting and services rows come from report/accounting.py and
report/services.py; the journey from report/journey.py; the plan context (links,
modules held back, secrets) from the plan when it can be built. Rendered by
report/html.py.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from nixmigrate.plan.config import MutableLink
from nixmigrate.plan.model import Plan
from nixmigrate.plan.phases import Phase
from nixmigrate.plan.program_files import FileClash
from nixmigrate.plan.steps import WriteFile
from nixmigrate.report.accounting import DESTINATIONS, AccountingRow
from nixmigrate.report.journey import Journey
from nixmigrate.report.services import ServiceRow
from nixmigrate.scan.inventory import Inventory

DESTINATION_LABELS: Final[Mapping[str, str]] = {
    "nix": "Nix packages",
    "program": "Home Manager programs",
    "service": "nix-darwin services",
    "homebrew": "still in Homebrew",
    "skipped": "skipped",
    "unmapped": "unmapped",
}
KIND_GROUPS: Final = ("formulae", "casks", "other kinds")


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What the plan decided beyond its files (None in the page: no plan yet)."""

    plan: Plan  # every phase
    files: tuple[WriteFile, ...]  # the generated tree for phases 1..through
    through: Phase
    links: tuple[MutableLink, ...] = ()  # mkOutOfStoreSymlink links, every phase
    clashes: tuple[FileClash, ...] = ()  # modules held back: the file is the user's
    secrets: tuple[str, ...] = ()  # files kept out of Nix, each with why


@dataclass(frozen=True, slots=True)
class Bar:
    destination: str
    label: str
    counts: tuple[int, ...]  # per KIND_GROUPS

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class EntryGroup:
    destination: str
    label: str
    rows: tuple[AccountingRow, ...]


@dataclass(frozen=True, slots=True)
class NeedsYou:
    unmapped: tuple[tuple[AccountingRow, str], ...] = ()  # row, `nixmigrate map` line
    held_back: tuple[str, ...] = ()
    services_kept: tuple[ServiceRow, ...] = ()
    secrets: tuple[str, ...] = ()
    linux_only: tuple[AccountingRow, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.unmapped
            or self.held_back
            or self.services_kept
            or self.secrets
            or self.linux_only
        )


@dataclass(frozen=True, slots=True)
class DotfilesRow:
    package: str
    status: str
    mode: str  # "mutable", "declarative" or "not included"
    links: tuple[str, ...]  # home paths made by mkOutOfStoreSymlink
    owns: tuple[str, ...]  # home paths the Stow package owns today


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    relpath: str
    first_phase: int
    last_phase: int
    lines: int
    on_disk: str  # "as generated", "edited since", "not on disk"
    content: str


@dataclass(frozen=True, slots=True)
class Page:
    title: str
    host: str
    generated_at: str
    journey: Journey
    total_entries: int
    accounted_line: str
    bars: tuple[Bar, ...]
    services: tuple[ServiceRow, ...]
    entries: tuple[EntryGroup, ...]
    needs: NeedsYou
    dotfiles: tuple[DotfilesRow, ...]
    dotfiles_dir: str
    config_dir: str
    files: tuple[GeneratedFile, ...]
    planned: bool
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class PageInputs:
    inventory: Inventory
    journey: Journey
    accounting: tuple[AccountingRow, ...]
    accounted_line: str  # "N of N input entries accounted for"
    services: tuple[ServiceRow, ...]
    context: PlanContext | None
    config_dir: str
    on_disk: Mapping[str, str]  # relpath -> content now in the config dir
    planned: bool  # `plan` has written the config dir at least once
    generated_at: str
    notes: tuple[str, ...] = ()


def build_page(inputs: PageInputs) -> Page:
    inventory = inputs.inventory
    host = inventory.host
    return Page(
        title=f"nixmigrate report: {host.hostname or 'this machine'}",
        host=_describe_host(inventory),
        generated_at=inputs.generated_at,
        journey=inputs.journey,
        total_entries=len(inputs.accounting),
        accounted_line=inputs.accounted_line,
        bars=_bars(inputs.accounting),
        services=inputs.services,
        entries=_groups(inputs.accounting),
        needs=_needs(inputs),
        dotfiles=_dotfiles(inventory, inputs.context),
        dotfiles_dir=inventory.stow.dir if inventory.stow else "",
        config_dir=inputs.config_dir,
        files=_files(inputs.context, inputs.on_disk) if inputs.planned else (),
        planned=inputs.planned,
        notes=inputs.notes,
    )


def _describe_host(inventory: Inventory) -> str:
    host = inventory.host
    system = host.system or host.arch
    return f"{host.hostname or '?'} ({host.os_name or host.os} {host.os_version}, {system})"


def _ordered_destinations(rows: Sequence[AccountingRow]) -> list[str]:
    """The known destinations in their order, then any other one the rows name."""
    extra = sorted({str(r.destination) for r in rows} - set(DESTINATIONS))
    return [*DESTINATIONS, *extra]


def kind_group(kind: str) -> int:
    return {"formula": 0, "cask": 1}.get(kind, 2)


def _bars(rows: Sequence[AccountingRow]) -> tuple[Bar, ...]:
    bars: list[Bar] = []
    for destination in _ordered_destinations(rows):
        counts = [0, 0, 0]
        for row in rows:
            if row.destination == destination:
                counts[kind_group(row.kind)] += 1
        label = DESTINATION_LABELS.get(destination, destination)
        bars.append(Bar(destination, label, tuple(counts)))
    return tuple(bars)


def _groups(rows: Sequence[AccountingRow]) -> tuple[EntryGroup, ...]:
    groups: list[EntryGroup] = []
    for destination in _ordered_destinations(rows):
        chosen = sorted(
            (r for r in rows if r.destination == destination),
            key=lambda r: (kind_group(r.kind), r.kind, r.name.lower(), r.line or 0),
        )
        if chosen:
            label = DESTINATION_LABELS.get(destination, destination)
            groups.append(EntryGroup(destination, label, tuple(chosen)))
    return tuple(groups)


def map_command(row: AccountingRow) -> str:
    flag = " --cask" if row.kind == "cask" else ""
    return f"nixmigrate map {shlex.quote(row.name)} ATTR{flag}  # or --keep"


def _needs(inputs: PageInputs) -> NeedsYou:
    rows = inputs.accounting
    seen: set[tuple[str, str]] = set()
    unmapped: list[tuple[AccountingRow, str]] = []
    for row in rows:
        if row.destination == "unmapped" and (row.kind, row.name) not in seen:
            seen.add((row.kind, row.name))
            unmapped.append((row, map_command(row)))
    context = inputs.context
    return NeedsYou(
        unmapped=tuple(unmapped),
        held_back=tuple(_held_back(c) for c in context.clashes) if context else (),
        services_kept=tuple(
            s for s in inputs.services if s.becomes != "nix-darwin service"
        ),
        secrets=context.secrets if context else (),
        linux_only=tuple(r for r in rows if (r.condition or "") == "linux"),
    )


def _held_back(clash: FileClash) -> str:
    owner = f"Stow package {clash.package}" if clash.package else "a file in your home"
    return (
        f"programs.{clash.program} is not enabled: it would write over "
        f"~/{clash.path} ({owner}); its package is installed instead"
    )


def _dotfiles(
    inventory: Inventory, context: PlanContext | None
) -> tuple[DotfilesRow, ...]:
    if inventory.stow is None:
        return ()
    links = context.links if context else ()
    return tuple(
        DotfilesRow(
            package=p.label,
            status=str(p.status),
            mode=p.mode if p.include else "not included",
            links=tuple(
                sorted({f"~/{m.home_path}" for m in links if m.package == p.name})
            ),
            owns=tuple(f"~/{t}" for t in p.targets),
        )
        for p in inventory.stow.packages
    )


def _files(
    context: PlanContext | None, on_disk: Mapping[str, str]
) -> tuple[GeneratedFile, ...]:
    if context is None:
        return ()
    written: dict[str, list[int]] = {}
    for pp in context.plan.phases:
        if pp.phase > context.through:
            continue
        for relpath in pp.writes:
            written.setdefault(relpath, []).append(int(pp.phase))
    result: list[GeneratedFile] = []
    for f in sorted(context.files, key=lambda f: f.relpath):
        phases = written.get(f.relpath) or [int(context.through)]
        now = on_disk.get(f.relpath)
        status = (
            "not on disk"
            if now is None
            else ("as generated" if now == f.content else "edited since")
        )
        result.append(
            GeneratedFile(
                relpath=f.relpath,
                first_phase=min(phases),
                last_phase=max(phases),
                lines=f.content.count("\n"),
                on_disk=status,
                content=f.content,
            )
        )
    return tuple(result)
