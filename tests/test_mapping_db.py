"""The mapping database loader: where the data lives, validation, lookups, digest."""

from __future__ import annotations

import json
import textwrap
import tomllib
from collections.abc import Mapping
from pathlib import Path

import pytest

from nixmigrate.errors import MappingError
from nixmigrate.mapping import db as db_module
from nixmigrate.mapping.db import (
    COMPILED_FILE,
    ENV_VAR,
    MAPPING_FILES,
    compile_documents,
    load_mappings,
    locate_mappings,
    mappings_digest,
    tap_key,
)
from tests.conftest import REPO

FORMULAE = """\
schema_version = 1

[formula."ripgrep"]
nix = "ripgrep"

[formula."git"]
program = "git"

[formula."openssl@3"]
skip = true
reason = "library; Nix packages bring their own"

[formula."mas"]
keep = "brew"
reason = "talks to the Mac App Store"
platforms = ["darwin"]

[formula."hashicorp/tap/terraform"]
nix = "terraform"
unfree = true
"""
CASKS = """\
schema_version = 1

[cask."iterm2"]
nix = "iterm2"
platforms = ["darwin"]

[cask."docker"]
keep = "cask"
reason = "installs privileged helpers"
"""
TAPS = """\
schema_version = 1

[tap."homebrew/cask-fonts"]
skip = true
reason = "deprecated: fonts moved into homebrew/cask"

[tap."hashicorp/tap"]
keep = "tap"
reason = "HashiCorp's tools left Homebrew's core"
"""
VALID = {"formulae.toml": FORMULAE, "casks.toml": CASKS, "taps.toml": TAPS}


def write_db(root: Path, overrides: Mapping[str, str] | None = None) -> Path:
    """A mappings directory holding the valid files, with some replaced."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in {**VALID, **(overrides or {})}.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def load_error(root: Path, overrides: Mapping[str, str]) -> str:
    with pytest.raises(MappingError) as caught:
        load_mappings(write_db(root, overrides))
    return str(caught.value)


# ---------------------------------------------------------------- loading and lookups


def test_loads_every_entry_kind(tmp_path: Path) -> None:
    db = load_mappings(write_db(tmp_path / "m"))
    assert (len(db.formulae), len(db.casks), len(db.taps)) == (5, 2, 2)
    assert len(db) == 9
    assert db.directory == tmp_path / "m"


def test_formula_lookup_returns_the_decision(tmp_path: Path) -> None:
    db = load_mappings(write_db(tmp_path / "m"))
    ripgrep = db.formula("ripgrep")
    assert ripgrep is not None
    assert ripgrep.nix == "ripgrep"
    openssl = db.formula("openssl@3")
    assert openssl is not None
    assert openssl.skip
    assert openssl.reason == "library; Nix packages bring their own"
    mas = db.formula("mas")
    assert mas is not None
    assert (mas.keep, mas.platforms) == ("brew", ("darwin",))
    assert db.formula("not-a-formula") is None


def test_core_formulae_can_be_named_with_their_tap(tmp_path: Path) -> None:
    db = load_mappings(write_db(tmp_path / "m"))
    assert db.formula("homebrew/core/ripgrep") == db.formula("ripgrep")


def test_third_party_formulae_are_keyed_by_full_name(tmp_path: Path) -> None:
    db = load_mappings(write_db(tmp_path / "m"))
    terraform = db.formula("hashicorp/tap/terraform")
    assert terraform is not None
    assert terraform.unfree
    assert db.formula("terraform") is None


def test_cask_lookup(tmp_path: Path) -> None:
    db = load_mappings(write_db(tmp_path / "m"))
    docker = db.cask("docker")
    assert docker is not None
    assert docker.keep == "cask"
    assert db.cask("ripgrep") is None


@pytest.mark.parametrize(
    "spelling",
    ["hashicorp/tap", "HashiCorp/Tap", "hashicorp/homebrew-tap", " HASHICORP/TAP "],
)
def test_taps_match_the_way_homebrew_spells_them(tmp_path: Path, spelling: str) -> None:
    db = load_mappings(write_db(tmp_path / "m"))
    entry = db.tap(spelling)
    assert entry is not None
    assert entry.name == "hashicorp/tap"


def test_tap_key_folds_case_and_repo_prefix() -> None:
    assert tap_key("Homebrew/homebrew-cask-fonts") == "homebrew/cask-fonts"
    assert tap_key("user/repo") == "user/repo"


# ---------------------------------------------------------------- digest


def test_digest_is_stable_across_loads(tmp_path: Path) -> None:
    first = load_mappings(write_db(tmp_path / "a")).digest
    again = load_mappings(write_db(tmp_path / "b")).digest
    assert first == again
    assert len(first) == 64


def test_digest_changes_when_any_file_changes(tmp_path: Path) -> None:
    before = load_mappings(write_db(tmp_path / "a")).digest
    after = load_mappings(write_db(tmp_path / "b", {"taps.toml": TAPS + "\n"})).digest
    assert before != after


def test_digest_is_over_the_file_bytes(tmp_path: Path) -> None:
    root = write_db(tmp_path / "m")
    files = {name: (root / name).read_bytes() for name in MAPPING_FILES}
    assert load_mappings(root).digest == mappings_digest(files)


# ---------------------------------------------------------------- compiled twin


def write_compiled(root: Path, digest: str, documents: Mapping[str, object]) -> None:
    (root / COMPILED_FILE).write_text(compile_documents(documents, digest), "utf-8")


def parsed(root: Path) -> dict[str, object]:
    return {
        name: tomllib.loads((root / name).read_text("utf-8")) for name in MAPPING_FILES
    }


def test_compiled_twin_gives_the_same_database(tmp_path: Path) -> None:
    root = write_db(tmp_path / "m")
    from_toml = load_mappings(root)
    write_compiled(root, from_toml.digest, parsed(root))
    from_json = load_mappings(root)
    assert from_json == from_toml


def test_stale_compiled_twin_is_ignored(tmp_path: Path) -> None:
    root = write_db(tmp_path / "m")
    documents = parsed(root)
    documents["formulae.toml"] = {"schema_version": 1, "formula": {}}
    write_compiled(root, "0" * 64, documents)
    ripgrep = load_mappings(root).formula("ripgrep")
    assert ripgrep is not None


def test_corrupt_compiled_twin_is_ignored(tmp_path: Path) -> None:
    root = write_db(tmp_path / "m")
    (root / COMPILED_FILE).write_text("{not json", encoding="utf-8")
    assert load_mappings(root).formula("ripgrep") is not None


def test_compiled_twin_is_still_validated(tmp_path: Path) -> None:
    root = write_db(tmp_path / "m")
    documents = parsed(root)
    documents["casks.toml"] = {
        "schema_version": 1,
        "cask": {"x": {"nix": "x", "keep": "cask"}},
    }
    write_compiled(root, load_mappings(root).digest, documents)
    with pytest.raises(MappingError, match=r"\[cask\.x\]"):
        load_mappings(root)


def test_compiled_text_is_deterministic(tmp_path: Path) -> None:
    root = write_db(tmp_path / "m")
    first = compile_documents(parsed(root), "d")
    assert first == compile_documents(parsed(root), "d")
    assert json.loads(first)["digest"] == "d"


# ---------------------------------------------------------------- validation errors


def test_unknown_key_names_file_and_table(tmp_path: Path) -> None:
    message = load_error(
        tmp_path / "m",
        {
            "formulae.toml": 'schema_version = 1\n[formula."jq"]\nnix = "jq"\nattr = "jq"\n'
        },
    )
    assert "formulae.toml" in message
    assert "[formula.jq]" in message
    assert "attr" in message


def test_two_decisions_are_rejected(tmp_path: Path) -> None:
    message = load_error(
        tmp_path / "m",
        {
            "casks.toml": 'schema_version = 1\n[cask."kitty"]\nnix = "kitty"\n'
            'keep = "cask"\nreason = "x"\n'
        },
    )
    assert "casks.toml" in message
    assert "[cask.kitty]" in message
    assert "exactly one" in message


def test_keep_without_reason_is_rejected(tmp_path: Path) -> None:
    message = load_error(
        tmp_path / "m", {"taps.toml": 'schema_version = 1\n[tap."a/b"]\nkeep = "tap"\n'}
    )
    assert "taps.toml" in message
    assert "[tap.a/b]" in message
    assert "reason" in message


def test_keep_target_must_match_the_kind(tmp_path: Path) -> None:
    message = load_error(
        tmp_path / "m",
        {
            "formulae.toml": 'schema_version = 1\n[formula."x"]\nkeep = "cask"\nreason = "r"\n'
        },
    )
    assert "[formula.x]" in message


def test_bad_platforms_are_rejected(tmp_path: Path) -> None:
    message = load_error(
        tmp_path / "m",
        {
            "formulae.toml": 'schema_version = 1\n[formula."x"]\nnix = "x"\n'
            'platforms = ["windows"]\n'
        },
    )
    assert "formulae.toml" in message
    assert "[formula.x]" in message
    assert "platforms" in message


@pytest.mark.parametrize(
    "first_line",
    ["schema_version = 2", 'schema_version = "1"', "schema_version = true", ""],
)
def test_bad_schema_version_is_rejected(tmp_path: Path, first_line: str) -> None:
    message = load_error(tmp_path / "m", {"taps.toml": first_line + "\n"})
    assert "taps.toml" in message
    assert "schema_version" in message


def test_unknown_top_level_table_is_rejected(tmp_path: Path) -> None:
    message = load_error(
        tmp_path / "m", {"taps.toml": 'schema_version = 1\n[cask."x"]\nnix = "x"\n'}
    )
    assert "taps.toml" in message
    assert "cask" in message


def test_entry_must_be_a_table(tmp_path: Path) -> None:
    message = load_error(
        tmp_path / "m", {"formulae.toml": 'schema_version = 1\n[formula]\njq = "jq"\n'}
    )
    assert "[formula.jq]" in message


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    message = load_error(tmp_path / "m", {"casks.toml": "schema_version = = 1\n"})
    assert "casks.toml" in message
    assert "invalid TOML" in message


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    root = write_db(tmp_path / "m")
    (root / "taps.toml").unlink()
    with pytest.raises(MappingError, match=r"taps\.toml"):
        load_mappings(root)


def test_taps_differing_only_in_case_are_rejected(tmp_path: Path) -> None:
    message = load_error(
        tmp_path / "m",
        {
            "taps.toml": 'schema_version = 1\n[tap."a/b"]\nnix = "x"\n'
            '[tap."A/B"]\nnix = "y"\n'
        },
    )
    assert "[tap.A/B]" in message


def test_errors_carry_a_hint(tmp_path: Path) -> None:
    with pytest.raises(MappingError) as caught:
        load_mappings(write_db(tmp_path / "m", {"taps.toml": "schema_version = 9\n"}))
    assert caught.value.hint


# ---------------------------------------------------------------- locating the data


def test_explicit_directory_wins(tmp_path: Path) -> None:
    explicit = write_db(tmp_path / "explicit")
    env_dir = write_db(tmp_path / "env")
    assert locate_mappings(explicit, {ENV_VAR: str(env_dir)}) == explicit


def test_environment_variable_comes_next(tmp_path: Path) -> None:
    env_dir = write_db(tmp_path / "env")
    assert locate_mappings(None, {ENV_VAR: str(env_dir)}) == env_dir


def test_missing_explicit_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="--mappings"):
        locate_mappings(tmp_path / "nowhere", {})


def test_missing_environment_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=ENV_VAR):
        locate_mappings(None, {ENV_VAR: str(tmp_path / "nowhere")})


def test_source_checkout_falls_back_to_the_repository_mappings() -> None:
    assert locate_mappings(None, {}) == REPO / "mappings"


def test_packaged_data_comes_before_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged = write_db(tmp_path / "site-packages" / "nixmigrate" / "mappings")
    monkeypatch.setattr(db_module, "_packaged_dir", lambda: packaged)
    assert locate_mappings(None, {}) == packaged


def test_reads_the_process_environment_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_dir = write_db(tmp_path / "env")
    monkeypatch.setenv(ENV_VAR, str(env_dir))
    assert locate_mappings() == env_dir


def test_no_directory_anywhere_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "_packaged_dir", lambda: None)
    monkeypatch.setattr(db_module, "_checkout_dir", lambda: tmp_path / "absent")
    with pytest.raises(MappingError, match="no mappings directory"):
        locate_mappings(None, {})
