"""`nixmigrate verify` against the user's own nixpkgs: which one, and promotions."""

from __future__ import annotations

import json
import os
import platform
import shutil
import tarfile
from collections.abc import Mapping
from pathlib import Path

import pytest

from nixmigrate.app.verify import verify_attrs
from nixmigrate.mapping.rules import Rules
from nixmigrate.mapping.verify.candidates import promote, trials_for
from nixmigrate.resolution import Resolution
from nixmigrate.scan.inventory import (
    BrewInventory,
    Inventory,
    inventory_from_json,
    inventory_to_json,
)
from nixmigrate.system.nixpkgs import find_nixpkgs
from nixmigrate.system.paths import Paths
from nixmigrate.system.runner import SubprocessRunner
from tests.conftest import FIXTURES
from tests.helpers import make_tree
from tests.test_mapping_cmds import run

STANDIN = FIXTURES / "nixpkgs-standin"
ON_DARWIN = platform.system() == "Darwin"


def unmapped(name: str) -> Resolution:
    return Resolution(
        kind="formula",
        name=name,
        action="unmapped",
        confidence="none",
        reason="no nixpkgs attribute found",
        chain=("curated [formula.x]: no entry",),
    )


def mapped(name: str, attr: str) -> Resolution:
    return Resolution(
        kind="formula",
        name=name,
        action="nix",
        confidence="curated",
        reason=f"curated mapping to {attr}",
        attr=attr,
    )


def lock_file(config_dir: Path, locked: Mapping[str, object]) -> Path:
    """A flake.lock like `nix flake lock` writes, with nixpkgs locked to `locked`."""
    nodes = {
        "nixpkgs": {"locked": locked, "original": locked},
        "root": {"inputs": {"nixpkgs": "nixpkgs"}},
    }
    lock = {"nodes": nodes, "root": "root", "version": 7}
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "flake.lock"
    path.write_text(json.dumps(lock, indent=2), encoding="utf-8")
    return path


def config_with_standin(tmp_path: Path) -> Path:
    """A generated-flake dir whose flake.lock pins a copy of the stand-in nixpkgs."""
    copy = tmp_path / "standin-nixpkgs"
    shutil.copytree(STANDIN, copy, symlinks=True)
    config = tmp_path / "nix-config"
    make_tree(
        config,
        {"flake.nix": '{ inputs.nixpkgs.url = "path:../standin-nixpkgs"; }\n'},
    )
    lock_file(config, {"type": "path", "path": str(copy), "lastModified": 1})
    return config


# ---------------------------------------------------------------- which nixpkgs


def test_the_flake_lock_of_the_config_dir_comes_first(tmp_path: Path) -> None:
    lock_file(tmp_path / "cfg", {"type": "path", "path": "/nix/store/abc-source"})
    source = find_nixpkgs(tmp_path / "cfg", Path("/src/nixpkgs"), ())
    assert source.kind == "flake-lock"
    assert source.import_expr == '"/nix/store/abc-source"'
    assert "flake.lock of" in source.described
    assert "path:/nix/store/abc-source" in source.described


def test_a_locked_github_input_is_fetched_by_its_locked_revision(
    tmp_path: Path,
) -> None:
    locked = {
        "type": "github",
        "owner": "NixOS",
        "repo": "nixpkgs",
        "rev": 'a"b${c}',
        "narHash": "sha256-x",
        "lastModified": 1700000000,
    }
    lock_file(tmp_path, locked)
    source = find_nixpkgs(tmp_path, None, ())
    assert source.flakes is True
    assert source.import_expr.startswith("builtins.fetchTree (builtins.fromJSON ")
    assert "\\${c}" in source.import_expr  # the revision stays data, never code
    assert source.described.endswith('github:NixOS/nixpkgs/a"b${c}')


def test_an_input_that_follows_another_is_walked(tmp_path: Path) -> None:
    nodes: dict[str, object] = {
        "darwin": {"inputs": {"nixpkgs": "nixpkgs_2"}},
        "nixpkgs_2": {"locked": {"type": "path", "path": "/p"}},
        "root": {"inputs": {"darwin": "darwin", "nixpkgs": ["darwin", "nixpkgs"]}},
    }
    lock = {
        "nodes": nodes,
        "root": "root",
        "version": 7,
    }
    (tmp_path / "flake.lock").write_text(json.dumps(lock), encoding="utf-8")
    assert find_nixpkgs(tmp_path, None, ()).import_expr == '"/p"'
    nodes["darwin"] = {"inputs": {"nixpkgs": ["darwin", "nixpkgs"]}}
    (tmp_path / "flake.lock").write_text(json.dumps(lock), encoding="utf-8")
    assert find_nixpkgs(tmp_path, None, ()).kind == "nix-path"  # a loop: ignored


def test_without_a_lock_the_path_given_then_the_registry_then_nix_path(
    tmp_path: Path,
) -> None:
    registry = tmp_path / "registry.json"
    entry = {
        "from": {"type": "indirect", "id": "nixpkgs"},
        "to": {"type": "path", "path": "/reg"},
    }
    registry.write_text(json.dumps({"flakes": [entry], "version": 2}), "utf-8")
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "flake.lock").write_text("{not json", encoding="utf-8")
    given = find_nixpkgs(tmp_path / "cfg", Path("/src"), (registry,))
    assert (given.kind, given.search_path) == ("path", Path("/src"))
    from_registry = find_nixpkgs(tmp_path / "cfg", None, (tmp_path / "none", registry))
    assert from_registry.kind == "registry"
    assert from_registry.import_expr == '"/reg"'
    last = find_nixpkgs(tmp_path / "cfg", None, (tmp_path / "none",))
    assert (last.kind, last.import_expr) == ("nix-path", "<nixpkgs>")


# ---------------------------------------------------------------- candidates


RULES = Rules(
    formula_aliases={"quux-cli": "quux"},
    formula_executables={"frobnicate-tool": ("frob",)},
)


def test_candidates_are_tried_only_for_unmapped_formulae() -> None:
    trials = trials_for(
        [unmapped("frobnicate-tool"), mapped("ripgrep", "ripgrep"), unmapped("quux")],
        RULES,
    )
    assert [(t.item, t.attr, t.command) for t in trials] == [
        ("frobnicate-tool", "frobnicate-tool", "frob"),
        ("frobnicate-tool", "frobnicate_tool", "frob"),
        ("frobnicate-tool", "frob", "frob"),
        ("quux", "quux", "quux"),
        ("quux", "quux-cli", "quux"),
    ]
    versioned = trials_for([unmapped("foo-bar@1.2")], Rules())
    assert [(t.attr, t.how) for t in versioned] == [
        ("foo-bar_1_2", "versioned name"),
        ("foo-bar12", "versioned name"),
        ("foo-bar_12", "versioned name"),
    ]


@pytest.mark.needs_nix
def test_real_nix_promotes_a_candidate_that_provides_the_command(
    tmp_path: Path,
) -> None:
    config = config_with_standin(tmp_path)
    items = (
        mapped("ripgrep", "ripgrep"),
        mapped("exa", "exa"),
        unmapped("frobnicate-tool"),
        unmapped("quux"),
        unmapped("mac-only-tool"),
        unmapped("nothing-like-it"),
    )
    trials = trials_for(items, RULES)
    source = find_nixpkgs(config, None, ())
    report = verify_attrs(
        SubprocessRunner(), ["ripgrep", "exa"], source=source, trials=trials
    )
    assert report.source == "flake-lock"
    assert {c.attr: c.status for c in report.checks} == {
        "ripgrep": "ok",
        "exa": "broken",  # throws; the candidates still come back
    }
    broken = [r for r in report.trials if r.trial.attr == "frob"]
    assert broken[0].check.status == "broken"
    after = {r.name: r for r in promote(items, report)}
    frob = after["frobnicate-tool"]
    assert (frob.action, frob.confidence, frob.attr) == (
        "nix",
        "verified",
        "frobnicate_tool",
    )
    assert frob.chain[-1].startswith("verify candidate spelling variant")
    assert "meta.mainProgram" in frob.chain[-1]
    quux = after["quux"]  # `quux` has another mainProgram; its alias has bin/quux
    assert (quux.action, quux.attr) == ("nix", "quux-cli")
    assert "bin/quux in its store path" in quux.chain[-1]
    mac = after["mac-only-tool"]
    assert mac.action == ("nix" if ON_DARWIN else "unmapped")
    assert after["nothing-like-it"] == items[-1]
    assert after["ripgrep"] == items[0]


@pytest.mark.needs_nix
@pytest.mark.skipif(
    os.geteuid() != 0, reason="fetching needs a writable Nix store (root here)"
)
def test_real_nix_fetches_a_locked_input_with_the_flakes_feature(
    tmp_path: Path,
) -> None:
    """A locked tarball goes through builtins.fetchTree, like a github input."""
    tarball = tmp_path / "nixpkgs.tar.gz"
    with tarfile.open(tarball, "w:gz") as archive:
        archive.add(STANDIN, arcname="nixpkgs")
    lock_file(tmp_path / "cfg", {"type": "tarball", "url": tarball.as_uri()})
    source = find_nixpkgs(tmp_path / "cfg", None, ())
    assert source.flakes is True
    report = verify_attrs(SubprocessRunner(), ["ripgrep"], source=source)
    assert [(c.attr, c.status, c.version) for c in report.checks] == [
        ("ripgrep", "ok", "14.1.1")
    ]
    assert report.nixpkgs.endswith(f"tarball:{tarball.as_uri()}")


# ---------------------------------------------------------------- the command


@pytest.fixture
def mappings(tmp_path: Path) -> Path:
    root = tmp_path / "mappings"
    make_tree(
        root,
        {
            "formulae.toml": 'schema_version = 1\n[formula.ripgrep]\nnix = "ripgrep"\n',
            "casks.toml": "schema_version = 1\n",
            "taps.toml": "schema_version = 1\n",
            "brew-names.toml": (
                "schema_version = 1\n[formula.executables]\n"
                '"frobnicate-tool" = ["frob"]\n'
            ),
            "nixpkgs-names.txt": "ripgrep\n",
        },
    )
    return root


def save_inventory(*resolutions: Resolution) -> Path:
    path = Paths.from_env().inventory_file
    path.parent.mkdir(parents=True, exist_ok=True)
    inventory = Inventory(brew=BrewInventory(available=True), resolutions=resolutions)
    path.write_text(inventory_to_json(inventory), encoding="utf-8")
    return path


@pytest.mark.needs_nix
def test_verify_uses_the_flake_lock_and_maps_an_unmapped_item(
    tmp_path: Path, mappings: Path
) -> None:
    config = config_with_standin(tmp_path)
    path = save_inventory(mapped("ripgrep", "ripgrep"), unmapped("frobnicate-tool"))
    args = [
        "verify",
        "--json",
        "--config-dir",
        str(config),
        "--mappings",
        str(mappings),
    ]
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["nixpkgs_source"] == "flake-lock"
    assert report["nixpkgs"].startswith(f"flake.lock of {config}")
    assert report["promoted"] == [
        {"name": "frobnicate-tool", "attr": "frobnicate_tool"}
    ]
    saved = {
        r.name: r for r in inventory_from_json(path.read_text("utf-8")).resolutions
    }
    assert saved["frobnicate-tool"].confidence == "verified"
    assert saved["frobnicate-tool"].attr == "frobnicate_tool"
    table = run("verify", "--config-dir", str(config), "--mappings", str(mappings))
    assert "nixpkgs: flake.lock of" in table.stderr


def test_without_nix_verify_says_so_in_one_line_and_changes_nothing(
    mappings: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = save_inventory(mapped("ripgrep", "ripgrep"), unmapped("frobnicate-tool"))
    before = path.read_bytes()
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = run("verify", "--mappings", str(mappings))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip().splitlines() == [
        "Nix is not installed: nothing verified, nothing changed"
    ]
    assert path.read_bytes() == before


def test_a_locked_nixpkgs_out_of_reach_offline_changes_nothing(
    mappings: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    locked = {"type": "github", "owner": "NixOS", "repo": "nixpkgs", "rev": "0" * 40}
    lock_file(tmp_path / "cfg", locked)
    path = save_inventory(mapped("ripgrep", "ripgrep"))
    before = path.read_bytes()
    offline = tmp_path / "bin" / "nix-instantiate"  # Nix as it answers without network
    make_tree(
        offline.parent,
        {
            "nix-instantiate": (
                "#!/bin/sh\n"
                "echo \"error: unable to download 'https://github.com/NixOS/nixpkgs"
                "/archive/0.tar.gz': Couldn't resolve host name (6)\" >&2\n"
                "exit 1\n"
            )
        },
    )
    offline.chmod(0o755)
    monkeypatch.setenv("PATH", str(offline.parent))
    args = [
        "verify",
        "--config-dir",
        str(tmp_path / "cfg"),
        "--mappings",
        str(mappings),
    ]
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert "cannot fetch flake.lock of" in result.stderr
    assert "(offline?): nothing changed" in result.stderr
    assert path.read_bytes() == before
