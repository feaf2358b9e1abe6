from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from nixmigrate.app.mapping import record_override
from nixmigrate.errors import MappingError
from nixmigrate.mapping.overrides import DEFAULT_KEEP_REASON, load_overrides

USER_FILE = """\
# my own mappings, do not lose this comment
schema_version = 1

# prefer the fork
[formula.ripgrep]
nix = "ripgrep"  # the attribute I checked
note = "pinned on purpose"

[cask.iterm2]
keep = "cask"
reason = "its auto-updater"
"""


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_an_absent_file_is_an_empty_override_set(tmp_path: Path) -> None:
    overrides = load_overrides(tmp_path / "mappings.toml")
    assert (len(overrides), overrides.directory) == (0, tmp_path)


def test_entries_of_every_kind_are_loaded(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mappings.toml",
        USER_FILE + '\n[tap."Hashicorp/homebrew-tap"]\nkeep = "tap"\nreason = "x"\n',
    )
    overrides = load_overrides(path)
    ripgrep = overrides.formula("ripgrep")
    assert ripgrep is not None
    assert (ripgrep.nix, ripgrep.note) == ("ripgrep", "pinned on purpose")
    assert overrides.cask("iterm2") is not None
    assert overrides.tap("hashicorp/tap") is not None  # Homebrew's spelling


def test_schema_version_may_be_left_out_of_a_hand_written_file(tmp_path: Path) -> None:
    path = write(tmp_path / "mappings.toml", '[formula.jq]\nnix = "jq"\n')
    assert load_overrides(path).formula("jq") is not None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[formula.jq\n", "invalid TOML"),
        ('[brew.jq]\nnix = "jq"\n', "unknown table(s) brew"),
        ('[formula.jq]\nnix = "jq"\nkeep = "brew"\n', "[formula.jq]"),
        ('[formula.jq]\nattr = "jq"\n', "[formula.jq] has unknown key(s) attr"),
        ("[formula]\njq = 3\n", "[formula.jq] must be a table"),
        ("schema_version = 2\n", "schema_version 2"),
    ],
)
def test_a_malformed_file_names_the_file_and_the_table(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = write(tmp_path / "mappings.toml", text)
    with pytest.raises(MappingError) as caught:
        load_overrides(path)
    assert str(path) in str(caught.value)
    assert fragment in str(caught.value)


def test_recording_into_a_new_file_creates_a_valid_commented_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "config" / "mappings.toml"
    change = record_override(path, "formula", "python@3.12", attr="python312")
    assert change.before is None
    assert change.after.nix == "python312"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert '[formula."python@3.12"]\nnix = "python312"\n' in text
    assert load_overrides(path).formula("python@3.12") == change.after


def test_recording_keeps_comments_and_other_entries(tmp_path: Path) -> None:
    path = write(tmp_path / "mappings.toml", USER_FILE)
    record_override(path, "formula", "jq", attr="jq")
    text = path.read_text(encoding="utf-8")
    comments = [line for line in USER_FILE.splitlines() if "#" in line]
    assert [line for line in text.splitlines() if "#" in line] == comments
    assert '[cask.iterm2]\nkeep = "cask"\nreason = "its auto-updater"\n' in text
    assert '[formula.jq]\nnix = "jq"\n' in text
    overrides = load_overrides(path)
    assert {*overrides.formulae} == {"ripgrep", "jq"}


def test_changing_an_entry_replaces_only_its_decision(tmp_path: Path) -> None:
    path = write(tmp_path / "mappings.toml", USER_FILE)
    change = record_override(path, "formula", "ripgrep", attr="ripgrep-all")
    assert change.before is not None
    assert (change.before.nix, change.after.nix) == ("ripgrep", "ripgrep-all")
    text = path.read_text(encoding="utf-8")
    assert 'nix = "ripgrep-all"  # the attribute I checked' in text
    assert 'note = "pinned on purpose"' in text
    assert "# prefer the fork" in text


def test_keeping_replaces_a_mapping_and_gets_a_reason(tmp_path: Path) -> None:
    path = write(tmp_path / "mappings.toml", USER_FILE)
    change = record_override(path, "formula", "ripgrep", keep=True)
    assert (change.after.keep, change.after.nix) == ("brew", None)
    assert change.after.reason == DEFAULT_KEEP_REASON
    assert change.after.note == "pinned on purpose"
    cask = record_override(path, "cask", "firefox", keep=True, reason="profiles")
    assert (cask.after.keep, cask.after.reason) == ("cask", "profiles")


def test_a_tap_is_found_under_any_of_its_spellings(tmp_path: Path) -> None:
    path = tmp_path / "mappings.toml"
    record_override(path, "tap", "Hashicorp/homebrew-tap", keep=True, reason="a")
    change = record_override(path, "tap", "hashicorp/tap", keep=True, reason="b")
    assert change.before is not None
    assert path.read_text(encoding="utf-8").count("[tap.") == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda path: record_override(path, "formula", "jq", attr="jq", keep=True),
        lambda path: record_override(path, "formula", "jq"),
        lambda path: record_override(path, "formula", "jq", attr=""),
    ],
    ids=["both", "neither", "empty-attr"],
)
def test_a_change_must_say_exactly_one_thing(
    tmp_path: Path, change: Callable[[Path], object]
) -> None:
    path = write(tmp_path / "mappings.toml", USER_FILE)
    with pytest.raises(MappingError):
        change(path)
    assert path.read_text(encoding="utf-8") == USER_FILE  # untouched


def test_a_broken_file_is_not_overwritten(tmp_path: Path) -> None:
    path = write(tmp_path / "mappings.toml", "[formula.jq\n")
    with pytest.raises(MappingError, match="invalid TOML"):
        record_override(path, "formula", "jq", attr="jq")
    assert path.read_text(encoding="utf-8") == "[formula.jq\n"
