"""Where every input entry went: one row per Brewfile entry and per brew-listed item.

Pure. `report --json` carries these rows as `accounting[]`; the console, markdown and
HTML reports start from them ("N of N input entries accounted for").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from nixmigrate.mapping.model import Resolution
from nixmigrate.scan.inventory import Inventory

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


def destination_of(resolution: Resolution) -> Destination:
    return _DESTINATION_OF_ACTION[resolution.action]


def build_accounting(inventory: Inventory) -> tuple[AccountingRow, ...]:
    """One row per resolution (first version; see the issue on silent drops)."""
    return tuple(
        AccountingRow(
            kind=r.kind,
            name=r.name,
            source=r.source,
            line=None,
            condition=r.condition,
            destination=destination_of(r),
            where="",
            reason=r.reason,
        )
        for r in inventory.resolutions
    )
