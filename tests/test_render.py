"""Rendering: golden trees for a Mac and a Linux box, Nix value formatting, strictness."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest

from nixmigrate.nixlang import nix_path, nix_str_interpolated, nix_value
from nixmigrate.plan.model import Plan
from nixmigrate.plan.steps import WriteFile
from nixmigrate.render.engine import make_env
from tests.test_planner import darwin_plan, linux_plan


def _compare_with_golden(
    files: tuple[WriteFile, ...], golden: Path, request: pytest.FixtureRequest
) -> None:
    if request.config.getoption("--update-golden"):
        shutil.rmtree(golden, ignore_errors=True)
        for item in files:
            target = golden / item.relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(item.content, encoding="utf-8")
    expected = {
        str(p.relative_to(golden)): p.read_text(encoding="utf-8")
        for p in sorted(golden.rglob("*"))
        if p.is_file()
    }
    assert sorted(expected) == [f.relpath for f in files]
    for item in files:
        assert item.content == expected[item.relpath], item.relpath


def test_darwin_tree_matches_golden(
    fixtures_dir: Path, request: pytest.FixtureRequest
) -> None:
    _compare_with_golden(
        darwin_plan().files, fixtures_dir / "expected" / "darwin", request
    )


def test_linux_tree_matches_golden(
    fixtures_dir: Path, request: pytest.FixtureRequest
) -> None:
    _compare_with_golden(
        linux_plan().files, fixtures_dir / "expected" / "linux", request
    )


@pytest.mark.parametrize("plan", [darwin_plan(), linux_plan()], ids=["darwin", "linux"])
def test_files_are_tidy(plan: Plan) -> None:
    for item in plan.files:
        assert item.content.endswith("\n"), item.relpath
        assert not item.content.endswith("\n\n"), item.relpath
        assert all(line == line.rstrip() for line in item.content.splitlines()), (
            item.relpath
        )
        assert "\t" not in item.content, item.relpath


def test_files_are_sorted_and_unique() -> None:
    relpaths = [f.relpath for f in darwin_plan().files]
    assert relpaths == sorted(set(relpaths))


def test_a_missing_template_value_is_an_error_not_an_empty_string() -> None:
    template = make_env().get_template("home-host.nix.j2")
    with pytest.raises(jinja2.UndefinedError):
        template.render()


def test_nix_value_sorts_keys_and_nests_with_indentation() -> None:
    value = {"b": {"y": 1, "x": [True, None]}, "a": "s", "odd key": 1.5}
    assert nix_value(value) == (
        "{\n"
        '  a = "s";\n'
        "  b = {\n"
        "    x = [ true null ];\n"
        "    y = 1;\n"
        "  };\n"
        '  "odd key" = 1.5;\n'
        "}"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1e-05, "1.0e-05"),
        (-2, "(-2)"),
        (-0.5, "(-0.5)"),
        ({}, "{ }"),
        ([], "[ ]"),
        ("${HOME}", '"\\${HOME}"'),
        ([{"path": "~/a"}], '[\n  {\n    path = "~/a";\n  }\n]'),
    ],
)
def test_nix_value_writes_literals_nix_reads_back(value: object, expected: str) -> None:
    assert nix_value(value) == expected


@pytest.mark.parametrize("bad", [float("nan"), {1: "x"}, object()])
def test_nix_value_refuses_what_nix_cannot_hold(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        nix_value(bad)


def test_nix_path_quotes_segments_a_path_literal_cannot_hold() -> None:
    assert nix_path("hosts/mac") == "./hosts/mac"
    assert nix_path("../../home/common.nix") == "../../home/common.nix"
    assert nix_path("hosts/my mac") == '(./. + "/hosts/my mac")'


def test_interpolated_prefix_keeps_the_user_part_literal() -> None:
    assert nix_str_interpolated("config.home.homeDirectory", '/a"${b}') == (
        '"${config.home.homeDirectory}/a\\"\\${b}"'
    )
