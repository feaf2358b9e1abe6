from __future__ import annotations

import json
import platform
from pathlib import Path

import pytest

from nixmigrate.app.verify import verify_attrs
from nixmigrate.errors import CommandFailedError, NixmigrateError, ToolMissingError
from nixmigrate.mapping.verify import (
    apply_verification,
    attrs_to_verify,
    verify_expression,
)
from nixmigrate.mapping.verify.model import AttrCheck, VerifyReport
from nixmigrate.nixlang import nix_attr, nix_attr_path, nix_str
from nixmigrate.resolution import Resolution
from nixmigrate.system.nix import nix_eval_cmd, nix_instantiate_eval_cmd
from nixmigrate.system.runner import SubprocessRunner
from tests.conftest import FIXTURES
from tests.fakes import canned

STANDIN = FIXTURES / "nixpkgs-standin"
ODD_NAME = 'odd "name" \\ with ${dollar}'


NIX_INSTANTIATE = ("nix-instantiate",)


def host_system() -> str:
    machine = platform.machine().lower().replace("arm64", "aarch64")
    return f"{machine}-{platform.system().lower()}"


def resolution(name: str, attr: str, note: str | None = None) -> Resolution:
    return Resolution(
        kind="formula",
        name=name,
        action="nix",
        confidence="curated",
        reason=f"curated mapping to {attr}",
        attr=attr,
        note=note,
    )


# ---------------------------------------------------------------- escaping


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("ripgrep", '"ripgrep"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("${HOME}", '"\\${HOME}"'),
        ("$${x}", '"$\\${x}"'),
        ("a\nb\tc", '"a\\nb\\tc"'),
    ],
)
def test_nix_str_escapes_what_nix_would_interpret(value: str, literal: str) -> None:
    assert nix_str(value) == literal


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("ripgrep", "ripgrep"),
        ("nodejs_22", "nodejs_22"),
        ("in", '"in"'),
        ("3d", '"3d"'),
    ],
)
def test_nix_attr_quotes_only_when_needed(name: str, written: str) -> None:
    assert nix_attr(name) == written
    assert nix_attr_path(["pkgs", name]) == f"pkgs.{written}"


@pytest.mark.needs_nix
def test_nix_str_round_trips_through_real_nix() -> None:
    values = [
        ODD_NAME,
        "$${x}",
        "\\${x}",
        "${",
        "$",
        "\\",
        "'' ${x} ''",
        "a\nb\r\tc",
        "é",
    ]
    expr = "[ " + " ".join(nix_str(v) for v in values) + " ]"
    done = SubprocessRunner().run(["nix-instantiate", "--eval", "--json", "-E", expr])
    assert json.loads(done.stdout) == values


# ---------------------------------------------------------------- the command


def test_attribute_paths_are_quoted_into_the_expression() -> None:
    expr = verify_expression(["python3Packages.black", ODD_NAME])
    assert '[ "python3Packages" "black" ]' in expr
    assert '[ "odd \\"name\\" \\\\ with \\${dollar}" ]' in expr
    assert "allowUnfree = true" in expr


def test_all_attributes_are_checked_in_one_call_against_the_given_nixpkgs() -> None:
    answer = {"system": "x86_64-linux", "results": [{"exists": False}] * 2}
    runner = canned(json.dumps(answer), on_path=NIX_INSTANTIATE)
    report = verify_attrs(runner, ["jq", "ripgrep", "jq"], nixpkgs=Path("/src/nixpkgs"))
    assert len(runner.calls) == 1
    assert runner.calls[0][:6] == [
        "nix-instantiate",
        "--eval",
        "--strict",
        "--json",
        "-I",
        "nixpkgs=/src/nixpkgs",
    ]
    assert [c.attr for c in report.checks] == ["jq", "ripgrep"]
    assert report.nixpkgs == "/src/nixpkgs"


def test_nix_eval_is_used_when_only_the_new_cli_is_there() -> None:
    answer = {"system": "aarch64-darwin", "results": [{"exists": True}]}
    runner = canned(json.dumps(answer), on_path=("nix",))
    verify_attrs(runner, ["jq"])
    assert runner.calls[0][:6] == nix_eval_cmd("x")[:6]
    assert "--impure" in runner.calls[0]


def test_without_nix_the_error_says_to_install_it() -> None:
    with pytest.raises(ToolMissingError) as caught:
        verify_attrs(canned(on_path=()), ["jq"])
    assert caught.value.hint is not None
    assert "install Nix" in caught.value.hint


def test_a_missing_nixpkgs_gets_a_hint_about_nix_path() -> None:
    runner = canned(
        on_path=NIX_INSTANTIATE,
        returncode=1,
        stderr="error: file 'nixpkgs' was not found in the Nix search path",
    )
    with pytest.raises(CommandFailedError) as caught:
        verify_attrs(runner, ["jq"])
    assert caught.value.hint is not None
    assert "--nixpkgs" in caught.value.hint


@pytest.mark.parametrize("stdout", ["not json", '{"system": "x"}', '{"results": []}'])
def test_an_unexpected_answer_is_an_error_not_a_crash(stdout: str) -> None:
    with pytest.raises(NixmigrateError):
        verify_attrs(canned(stdout, on_path=NIX_INSTANTIATE), ["jq"])


def test_argv_builders_pass_the_expression_as_one_argument() -> None:
    assert nix_instantiate_eval_cmd("1 + 1")[-2:] == ["-E", "1 + 1"]
    assert nix_eval_cmd("1 + 1")[-2:] == ["--expr", "1 + 1"]


# ---------------------------------------------------------------- results


REPORT = VerifyReport(
    system="aarch64-darwin",
    nixpkgs="<nixpkgs>",
    checks=(
        AttrCheck("ripgrep", exists=True, package=True, version="14.1.0"),
        AttrCheck("gone", exists=False),
        AttrCheck("strace", exists=True, package=True, available=False),
        AttrCheck("vscode", exists=True, package=True, unfree=True),
        AttrCheck("exa", exists=True, error="evaluating it failed"),
    ),
)


def test_a_missing_or_broken_attribute_makes_the_item_unmapped() -> None:
    updated = apply_verification(
        [resolution("gone-tool", "gone"), resolution("exa", "exa")], REPORT
    )
    assert [(r.action, r.confidence, r.attr) for r in updated] == [
        ("unmapped", "none", None),
        ("unmapped", "none", None),
    ]
    assert "gone is missing in your nixpkgs" in updated[0].reason
    assert "`nixmigrate map gone-tool ATTR`" in updated[0].reason
    assert updated[1].chain[-1].startswith("verify exa: broken")


def test_platform_unfree_and_version_findings_become_notes() -> None:
    updated = apply_verification(
        [
            resolution("strace", "strace"),
            resolution("vscode", "vscode"),
            resolution("ripgrep", "ripgrep", note="fast grep"),
        ],
        REPORT,
        {"ripgrep": "14.1.1_1"},
    )
    strace, vscode, ripgrep = updated
    assert strace.action == "nix"
    assert strace.note == "strace is not available on aarch64-darwin"
    assert vscode.unfree is True
    assert (
        ripgrep.note
        == "fast grep; nixpkgs has 14.1.0, older than the 14.1.1_1 installed"
    )


def test_only_installable_attributes_are_verified() -> None:
    kept = Resolution(
        kind="formula", name="x", action="keep-brew", confidence="curated", reason="r"
    )
    items = [resolution("a", "jq"), kept, resolution("b", "jq"), resolution("c", "fd")]
    assert attrs_to_verify(items) == ("jq", "fd")
    assert apply_verification([kept], REPORT) == (kept,)


# ---------------------------------------------------------------- real nix


@pytest.mark.needs_nix
def test_real_nix_checks_the_standin_nixpkgs_in_one_batch() -> None:
    attrs = [
        "ripgrep",
        "terminal-notifier",
        "strace",
        "vscode",
        "unrar",
        "exa",
        "python3Packages.aria2p",
        "python3Packages",
        "no-such-package",
        ODD_NAME,
    ]
    report = verify_attrs(SubprocessRunner(), attrs, nixpkgs=STANDIN)
    status = {c.attr: c.status for c in report.checks}
    on_darwin = report.system.endswith("-darwin")
    assert report.system == host_system()
    assert status == {
        "ripgrep": "ok",
        "terminal-notifier": "ok" if on_darwin else "unavailable",
        "strace": "unavailable" if on_darwin else "ok",
        "vscode": "ok",  # unfree, and only evaluates with allowUnfree
        "unrar": "ok",
        "exa": "broken",  # throws: the rest of the batch still comes back
        "python3Packages.aria2p": "ok",
        "python3Packages": "not-a-package",
        "no-such-package": "missing",
        ODD_NAME: "ok",
    }
    unfree = {c.attr for c in report.checks if c.unfree}
    assert unfree == {"vscode", "unrar"}
    ripgrep = report.check("ripgrep")
    assert ripgrep is not None
    assert ripgrep.version == "14.1.1"
