"""Run the one Nix evaluation that checks attributes against the user's nixpkgs.

nixmigrate.mapping.verify writes the expression and reads the answer; this runs Nix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from nixmigrate.mapping.verify import parse_verify_output, verify_expression
from nixmigrate.mapping.verify.model import Trial, VerifyReport
from nixmigrate.system.nix import eval_json
from nixmigrate.system.nixpkgs import NixpkgsSource
from nixmigrate.system.runner import Runner


def verify_attrs(
    runner: Runner,
    attrs: Sequence[str],
    *,
    nixpkgs: Path | None = None,
    source: NixpkgsSource | None = None,
    trials: Sequence[Trial] = (),
) -> VerifyReport:
    """Evaluate every attribute and candidate in one call to nix-instantiate (or
    `nix eval`), against `source`, else the nixpkgs at `nixpkgs`, else <nixpkgs>."""
    if source is None:
        source = (
            NixpkgsSource(kind="path", described=str(nixpkgs), search_path=nixpkgs)
            if nixpkgs is not None
            else NixpkgsSource(kind="nix-path", described="<nixpkgs>")
        )
    unique = tuple(dict.fromkeys(attrs))
    expr = verify_expression(unique, trials, nixpkgs_expr=source.import_expr)
    raw = eval_json(runner, expr, nixpkgs=source.search_path, flakes=source.flakes)
    report = parse_verify_output(raw, unique, trials=trials)
    return replace(report, nixpkgs=source.described, source=source.kind)
