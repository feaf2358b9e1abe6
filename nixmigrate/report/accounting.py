"""Where every input entry went: one row per Brewfile entry and per brew-listed item.

Pure. `report --json` carries these rows as `accounting[]`; the console, markdown and
HTML reports start from them ("N of N input entries accounted for"). A row says
where the entry now lives (the generated file and option path), or why it lives
nowhere: skipped with a reason, Linux-only on a Mac, or still unmapped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from nixmigrate.mapping.bundle.options import cask_arguments
from nixmigrate.mapping.inventory_items import BREWFILE_KIND
from nixmigrate.plan.bundle_entries import on_darwin
from nixmigrate.plan.facts import held_back_programs
from nixmigrate.plan.options import sanitize_host_name
from nixmigrate.plan.packages import bucket_of
from nixmigrate.resolution import Resolution
from nixmigrate.scan.inventory import BrewfileEntry, Inventory

Destination = Literal["nix", "program", "service", "homebrew", "skipped", "unmapped"]
DESTINATIONS: Final[tuple[Destination, ...]] = (
    "nix",
    "program",
    "service",
    "homebrew",
    "skipped",
    "unmapped",
)

_DESTINATION_OF_ACTION: Final[dict[str, Destination]] = {
    "nix": "nix",
    "program": "program",
    "service": "service",
    "keep-brew": "homebrew",
    "keep-cask": "homebrew",
    "mas": "homebrew",
    "skip": "skipped",
    "unmapped": "unmapped",
}
# the nix-darwin option each kind stays under while Homebrew keeps it
HOMEBREW_OPTION: Final[Mapping[str, str]] = {
    "formula": "homebrew.brews",
    "cask": "homebrew.casks",
    "tap": "homebrew.taps",
    "mas": "homebrew.masApps",
    "vscode": "homebrew.vscode",
    "go": "homebrew.goPackages",
    "cargo": "homebrew.cargoPackages",
    "uv": "homebrew.extraConfig",
}


@dataclass(frozen=True, slots=True)
class AccountingRow:
    """One input entry and where it now lives.

    `where` is the generated file and option path, e.g.
    "hosts/mac/homebrew.nix: homebrew.vscode"; empty when nothing is generated for it.
    """

    kind: str
    name: str
    source: Literal["brew", "brewfile"]
    line: int | None
    condition: str | None
    destination: Destination
    where: str
    reason: str
    dependency: bool = False  # installed only as another formula's dependency


@dataclass(frozen=True, slots=True)
class _Host:
    name: str
    darwin: bool
    held_back: frozenset[str] = frozenset()  # programs.* the plan leaves off
    own_files: frozenset[str] = frozenset()  # programs in home/programs/<name>.nix

    @property
    def homebrew_file(self) -> str:
        return f"hosts/{self.name}/homebrew.nix"


def destination_of(resolution: Resolution) -> Destination:
    return _DESTINATION_OF_ACTION[resolution.action]


def build_accounting(
    inventory: Inventory,
    *,
    hostname: str | None = None,
    system: str | None = None,
    program_files: frozenset[str] = frozenset(),
) -> tuple[AccountingRow, ...]:
    """One row per Brewfile entry (skipped lines too) and per brew-listed item.

    `hostname` and `system` are the plan's (default: what the scan found).
    `program_files` are the programs phase 4 writes into their own
    `home/programs/<name>.nix` (the plan's `declarative.programs`).
    """
    host = _Host(
        name=sanitize_host_name(hostname or inventory.host.hostname),
        darwin=(system or inventory.host.system).endswith("-darwin"),
        held_back=held_back_programs(inventory),
        own_files=program_files,
    )
    index = _Index(inventory.resolutions)
    return (
        *_brew_rows(inventory, index, host),
        *_brewfile_rows(inventory, index, host),
    )


def accounted(rows: Iterable[AccountingRow]) -> int:
    """Rows that say where the entry went, or why it went nowhere."""
    return sum(1 for row in rows if row.where or row.reason)


def dropped(rows: Iterable[AccountingRow]) -> tuple[AccountingRow, ...]:
    """Entries that reach no generated file, and Brewfile entries that lost an
    option; dependencies nobody asked for are not listed (they come with what needs
    them), nor is an installed item twice when its Brewfile line says it already."""
    return tuple(
        row
        for row in rows
        if not row.dependency
        and (
            not row.where
            or "-only: not installed" in row.reason
            or (row.source == "brewfile" and " dropped" in row.reason)
        )
    )


# ---------------------------------------------------------------- matching


class _Index:
    """Resolutions by (kind, name), by short name, by App Store id and by line."""

    def __init__(self, resolutions: Iterable[Resolution]) -> None:
        self.by_name: dict[tuple[str, str], Resolution] = {}
        self.by_line: dict[tuple[str, int], Resolution] = {}
        self.by_mas_id: dict[int, Resolution] = {}
        for r in resolutions:
            self.by_name.setdefault((r.kind, r.name.lower()), r)
            self.by_name.setdefault((r.kind, _short(r.name)), r)
            if r.line is not None:
                self.by_line.setdefault((r.kind, r.line), r)
            if r.mas_id is not None:
                self.by_mas_id.setdefault(r.mas_id, r)

    def find(
        self, kind: str, name: str, *, line: int | None = None, mas_id: object = None
    ) -> Resolution | None:
        if isinstance(mas_id, int) and mas_id in self.by_mas_id:
            return self.by_mas_id[mas_id]
        found = self.by_name.get((kind, name.lower())) or self.by_name.get(
            (kind, _short(name))
        )
        if found is None and line is not None:
            found = self.by_line.get((kind, line))
        return found


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1].lower() if name.count("/") == 2 else name.lower()


# ---------------------------------------------------------------- rows


def _brew_rows(
    inventory: Inventory, index: _Index, host: _Host
) -> Iterator[AccountingRow]:
    brew = inventory.brew
    listed: list[tuple[str, str, object]] = [
        *(("formula", f.name, None) for f in brew.formulae),
        *(("cask", c.token, None) for c in brew.casks),
        *(("tap", t, None) for t in brew.taps),
        *(("mas", a.name, a.id) for a in brew.mas),
    ]
    for kind, name, mas_id in listed:
        found = index.find(kind, name, mas_id=mas_id)
        yield _row(kind, name, "brew", None, found, host)


def _brewfile_rows(
    inventory: Inventory, index: _Index, host: _Host
) -> Iterator[AccountingRow]:
    brewfile = inventory.brewfile
    if brewfile is None:
        return
    for entry in brewfile.entries:
        if entry.kind == "cask_args":
            yield _cask_args_row(entry, host)
            continue
        kind = BREWFILE_KIND.get(entry.kind, entry.kind)
        found = index.find(
            kind, entry.name, line=entry.line, mas_id=entry.options.get("id")
        )
        yield _row(kind, entry.name, "brewfile", entry.line, found, host, entry)
    for skip in brewfile.skipped:
        yield AccountingRow(
            kind="line",
            name=skip.text,
            source="brewfile",
            line=skip.line,
            condition=None,
            destination="skipped",
            where="",
            reason=f"{skip.file or brewfile.path}:{skip.line}: {skip.reason}",
        )


def _cask_args_row(entry: BrewfileEntry, host: _Host) -> AccountingRow:
    keys = ", ".join(sorted(entry.options))
    linux = "linux" in (entry.condition or "").split(" and ")
    kept = host.darwin and not linux
    return AccountingRow(
        kind="cask_args",
        name=keys,
        source="brewfile",
        line=entry.line,
        condition=entry.condition,
        destination="homebrew" if kept else "skipped",
        where=f"{host.homebrew_file}: homebrew.caskArgs" if kept else "",
        reason="; ".join(
            (
                "arguments for every cask (nix-darwin homebrew.caskArgs)"
                if kept
                else "cask arguments apply only to a Mac",
                *cask_arguments(dict(entry.options))[1],
            )
        ),
    )


def _row(
    kind: str,
    name: str,
    source: Literal["brew", "brewfile"],
    line: int | None,
    found: Resolution | None,
    host: _Host,
    entry: BrewfileEntry | None = None,
) -> AccountingRow:
    condition = entry.condition if entry else (found.condition if found else None)
    if found is None:
        return AccountingRow(
            kind, name, source, line, condition, "unmapped", "", "no decision yet"
        )
    return AccountingRow(
        kind=kind,
        name=name,
        source=source,
        line=line,
        condition=condition,
        destination="nix" if _held_back(found, host) else destination_of(found),
        where=where(found, host),
        reason=_reason(found, host, condition),
        dependency=not found.on_request,
    )


def where(resolution: Resolution, host: _Host) -> str:
    """The generated file and option path that holds the entry, or ""."""
    bucket = bucket_of(resolution.platforms)
    home = f"home/{bucket}.nix"
    match resolution.action:
        case "nix":
            return f"{home}: home.packages" if resolution.on_request else ""
        case "program" if _held_back(resolution, host):
            return f"{home}: home.packages"
        case "program" if resolution.program in host.own_files:
            program = resolution.program
            return f"home/programs/{program}.nix: programs.{program}"
        case "program":
            return f"{home}: programs.{resolution.program}"
        case "service":
            return f"hosts/{host.name}/default.nix: {resolution.service or 'services'}"
        case "keep-brew" | "keep-cask" | "mas" | "unmapped":
            return _homebrew_where(resolution, host)
        case "skip":
            return ""


def _homebrew_where(resolution: Resolution, host: _Host) -> str:
    option = HOMEBREW_OPTION.get(resolution.kind)
    if option is None or not host.darwin or not on_darwin(resolution):
        return ""
    if resolution.action == "unmapped" and resolution.kind != "formula":
        return ""
    if resolution.kind == "formula" and not resolution.on_request:
        return ""
    return f"{host.homebrew_file}: {option}"


def _held_back(resolution: Resolution, host: _Host) -> bool:
    return resolution.action == "program" and resolution.program in host.held_back


def _reason(resolution: Resolution, host: _Host, condition: str | None) -> str:
    parts = [resolution.reason]
    if _held_back(resolution, host):
        parts.append(
            f"programs.{resolution.program} is left off (it would write startup or "
            "config files that are yours); its package is installed instead"
        )
    if resolution.note:
        parts.append(resolution.note)
    replaced = resolution.kind == "formula" and resolution.action in ("nix", "program")
    if replaced and resolution.options:
        names = ", ".join(sorted(resolution.options))
        parts.append(f"Brewfile options {names} dropped: Nix replaces the formula")
    if host.darwin and not on_darwin(resolution):
        parts.append("Linux-only: not installed on this Mac")
    if not host.darwin and resolution.platforms == ("darwin",):
        parts.append("macOS-only: not installed on this machine")
    if condition and condition not in ("macos", "linux"):
        parts.append(f"the Brewfile installs it only when `{condition}`; kept here")
    return "; ".join(parts)
