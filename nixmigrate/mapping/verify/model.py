"""The values `nixmigrate verify` produces: one check per attribute, one per candidate.

Kept apart from the evaluation (__init__.py) and the candidates (candidates.py),
which both use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

CheckStatus = Literal["ok", "missing", "broken", "not-a-package", "unavailable"]
FAILED: Final[frozenset[CheckStatus]] = frozenset(
    {"missing", "broken", "not-a-package"}
)


@dataclass(frozen=True, slots=True)
class Trial:
    """One candidate attribute for one unmapped item."""

    item: str  # the item's name, as in its Resolution
    attr: str
    how: str  # "the brew name", "Homebrew alias ag", "its command rg", ...
    command: str  # the command it has to provide


@dataclass(frozen=True, slots=True)
class TrialCheck:
    trial: Trial
    check: AttrCheck
    main_program: str | None = None
    has_command: bool | None = None  # bin/<command> in its store path, when built

    @property
    def provides(self) -> bool:
        return self.main_program == self.trial.command or self.has_command is True

    @property
    def promotes(self) -> bool:
        return (
            self.check.status == "ok" and self.check.package is True and self.provides
        )


@dataclass(frozen=True, slots=True)
class AttrCheck:
    """What the user's nixpkgs says about one attribute path."""

    attr: str
    exists: bool
    error: str | None = None
    package: bool | None = None
    version: str | None = None
    available: bool | None = None  # on this machine; None when it could not be told
    unfree: bool = False

    @property
    def status(self) -> CheckStatus:
        if not self.exists:
            return "missing"
        if self.error is not None:
            return "broken"
        if self.package is False:
            return "not-a-package"
        if self.available is False:
            return "unavailable"
        return "ok"


@dataclass(frozen=True, slots=True)
class VerifyReport:
    system: str
    nixpkgs: str  # which nixpkgs: "<nixpkgs>", the path given, "flake.lock of ..."
    checks: tuple[AttrCheck, ...]
    trials: tuple[TrialCheck, ...] = ()
    source: str = "nix-path"  # flake-lock, path, registry or nix-path

    def check(self, attr: str) -> AttrCheck | None:
        return next((c for c in self.checks if c.attr == attr), None)

    @property
    def failed(self) -> tuple[AttrCheck, ...]:
        return tuple(c for c in self.checks if c.status in FAILED)
