"""The database on formulae from real public Brewfiles: decided, sure, and right."""

from __future__ import annotations

from functools import cache

import pytest

from nixmigrate.mapping.db import MappingDB, load_mappings
from scripts.mapping_coverage import (
    BREWFILE_SET,
    VERIFIED_SAMPLE,
    Figure,
    Findings,
    brewfile_figures,
    main,
    read_names,
    read_sample,
)
from tests.conftest import REPO


@cache
def database() -> MappingDB:
    return load_mappings(REPO / "mappings")


def figures(sample: dict[str, str] | None = None) -> dict[str, Figure]:
    names = read_names(BREWFILE_SET)
    found = brewfile_figures(
        database(), names, sample or read_sample(VERIFIED_SAMPLE), Findings()
    )
    return {figure.label: figure for figure in found}


def test_the_test_set_comes_from_many_brewfiles_not_the_demo() -> None:
    names = read_names(BREWFILE_SET)
    assert len(names) >= 300
    assert len(read_sample(VERIFIED_SAMPLE)) >= 100
    assert set(read_sample(VERIFIED_SAMPLE)) <= set(names)


def test_real_brewfile_formulae_are_decided_surely_and_rightly() -> None:
    found = figures()
    decided = found["Brewfile formulae decided"]
    sure = found["Brewfile formulae decided by a curated entry or a rule"]
    right = found["hand-verified sample right"]
    assert decided.have >= 0.95 * decided.total
    assert sure.have >= 0.85 * sure.total
    assert right.have >= 0.97 * right.total


def test_a_wrong_decision_in_the_sample_is_counted_and_named() -> None:
    details = Findings()
    sample = {"stow": "nix:stow", "poppler": "nix:poppler"}  # poppler-utils is right
    names = read_names(BREWFILE_SET)
    (_, _, right) = brewfile_figures(database(), names, sample, details)
    assert (right.have, right.total, right.ok) == (1, 2, False)
    assert any("WRONG poppler: nix:poppler-utils" in ln for ln in details.lines)


def test_commands_decide_between_a_library_and_its_commands() -> None:
    sample = {
        "poppler": "nix:poppler-utils",
        "telnet": "nix:inetutils",
        "openblas": "skip",
        "glib": "skip",
    }
    assert figures(sample)["hand-verified sample right"].have == len(sample)
    openblas = database().formula("openblas")
    assert openblas is not None and openblas.reason is not None
    assert "installs no command" in openblas.reason
    assert "nixmigrate map openblas openblas" in openblas.reason


def test_the_script_prints_the_three_figures(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "Brewfile formulae decided:" in out
    assert "hand-verified sample right:" in out
