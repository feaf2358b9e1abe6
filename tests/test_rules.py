from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from nixmigrate.errors import MappingError
from nixmigrate.mapping.heuristics import load_known_names
from nixmigrate.mapping.rules import (
    Move,
    Rules,
    exact_versioned,
    load_rules,
    moved,
    newer_versioned,
    split_tap_name,
    split_versioned,
)
from scripts.build_brew_names import follow
from tests.conftest import REPO

MAPPINGS = REPO / "mappings"


@pytest.fixture(scope="module")
def shipped() -> Rules:
    return load_rules(MAPPINGS)


EMPTY = "schema_version = 1\n"


def _rules(tmp_path: Path, versioned: str = EMPTY, names: str = EMPTY) -> Rules:
    (tmp_path / "versioned.toml").write_text(versioned, encoding="utf-8")
    (tmp_path / "brew-names.toml").write_text(names, encoding="utf-8")
    return load_rules(tmp_path)


PYTHON = """
schema_version = 1
[family.python.versions]
"3.11" = "python311"
"3.12" = "python312"
"3.14" = "python314"
[family.scala.versions]
"2.13" = "scala_2_13"
"3" = "scala_3"
[family.mysql.versions]
"8.4" = "mysql84"
"""


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("python@3.12", ("python", "3.12")),
        ("openjdk@17", ("openjdk", "17")),
        ("python", None),
        ("python@latest", None),
        ("user/tap/python@3.12", None),
    ],
)
def test_split_versioned(name: str, expected: tuple[str, str] | None) -> None:
    assert split_versioned(name) == expected


def test_split_tap_name() -> None:
    assert split_tap_name("hashicorp/tap/terraform") == ("hashicorp/tap", "terraform")
    assert split_tap_name("terraform") is None
    assert split_tap_name("hashicorp/tap") is None


def test_exact_version_picks_its_attribute(tmp_path: Path) -> None:
    pick = exact_versioned(_rules(tmp_path, PYTHON), "python@3.12")
    assert pick is not None
    assert (pick.attr, pick.match) == ("python312", "exact")


def test_a_gone_version_is_not_an_exact_match_but_the_nearest_newer_one(
    tmp_path: Path,
) -> None:
    rules = _rules(tmp_path, PYTHON)
    assert exact_versioned(rules, "python@3.13") is None
    pick = newer_versioned(rules, "python@3.13")
    assert pick is not None
    assert (pick.attr, pick.chosen, pick.match) == ("python314", "3.14", "newer")


def test_nothing_newer_means_no_pick(tmp_path: Path) -> None:
    assert newer_versioned(_rules(tmp_path, PYTHON), "python@3.15") is None


def test_a_series_key_covers_its_minor_versions(tmp_path: Path) -> None:
    pick = exact_versioned(_rules(tmp_path, PYTHON), "scala@3.3")
    assert pick is not None
    assert (pick.attr, pick.match) == ("scala_3", "series")


def test_a_bare_major_version_means_the_newest_of_that_series(tmp_path: Path) -> None:
    pick = newer_versioned(_rules(tmp_path, PYTHON), "python@3")
    assert pick is not None
    assert (pick.attr, pick.match) == ("python314", "latest")


def test_x_dot_0_is_its_own_version_not_the_whole_series(tmp_path: Path) -> None:
    rules = _rules(tmp_path, PYTHON)
    assert exact_versioned(rules, "mysql@8.0") is None
    pick = newer_versioned(rules, "mysql@8.0")
    assert pick is not None
    assert (pick.attr, pick.match) == ("mysql84", "newer")


def test_moves_name_where_the_item_went(tmp_path: Path) -> None:
    rules = _rules(
        tmp_path,
        names="""
        schema_version = 1
        [formula.moved]
        chromedriver = "homebrew/cask"
        app-engine-go-64 = "homebrew/cask/google-cloud-sdk"
        [cask.moved]
        docker-compose = "homebrew/core"
        """,
    )
    assert moved(rules, "formula", "chromedriver") == Move(
        "cask", "chromedriver", "homebrew/cask"
    )
    assert moved(rules, "formula", "app-engine-go-64") == Move(
        "cask", "google-cloud-sdk", "homebrew/cask"
    )
    assert moved(rules, "cask", "docker-compose") == Move(
        "formula", "docker-compose", "homebrew/core"
    )
    assert moved(rules, "formula", "ripgrep") is None


def test_missing_rule_files_mean_no_rules(tmp_path: Path) -> None:
    assert load_rules(tmp_path) == Rules()


@pytest.mark.parametrize(
    ("versioned", "names", "fragment"),
    [
        ("schema_version = 1\n[family.python]\n", EMPTY, "[family.python]"),
        ('schema_version = 1\n[family.go.versions]\n"1.x" = "go"\n', EMPTY, "'1.x'"),
        ("schema_version = 7\n", EMPTY, "versioned.toml"),
        (EMPTY, "schema_version = 1\n[formula]\naliases = 3\n", "brew-names.toml"),
        (EMPTY, "schema_version = 1\n[formula.aliases\n", "brew-names.toml"),
    ],
)
def test_malformed_rule_files_are_reported_with_the_file(
    tmp_path: Path, versioned: str, names: str, fragment: str
) -> None:
    with pytest.raises(MappingError) as caught:
        _rules(tmp_path, versioned, names)
    assert str(tmp_path) in str(caught.value)
    assert fragment in str(caught.value)


# ---------------------------------------------------------------- the shipped data


@pytest.mark.parametrize(
    ("name", "attr"),
    [
        ("python@3.12", "python312"),
        ("node@20", "nodejs_20"),
        ("postgresql@16", "postgresql_16"),
        ("openjdk@17", "jdk17"),
        ("go@1.26", "go_1_26"),
        ("ruby@3.3", "ruby_3_3"),
        ("php@8.3", "php83"),
        ("llvm@18", "llvm_18"),
        ("gcc@14", "gcc14"),
        ("mysql@8.4", "mysql84"),
        ("openssl@3", "openssl_3"),
    ],
)
def test_shipped_versioned_table_has_the_common_families(
    shipped: Rules, name: str, attr: str
) -> None:
    pick = exact_versioned(shipped, name)
    assert pick is not None
    assert pick.attr == attr


@pytest.mark.parametrize(
    ("name", "attr"),
    [
        ("node@18", "nodejs_20"),
        ("go@1.22", "go_1_25"),
        ("postgresql@13", "postgresql_14"),
    ],
)
def test_shipped_table_moves_removed_versions_to_the_nearest_newer(
    shipped: Rules, name: str, attr: str
) -> None:
    assert exact_versioned(shipped, name) is None
    pick = newer_versioned(shipped, name)
    assert pick is not None
    assert pick.attr == attr


def test_every_shipped_versioned_attribute_is_known_to_exist(shipped: Rules) -> None:
    known = load_known_names(MAPPINGS)
    attrs = {attr for f in shipped.families.values() for _, _, attr in f.versions}
    assert attrs, "versioned.toml is empty"
    assert sorted(attrs - known) == []


def test_shipped_names_know_homebrew_aliases_and_renames(shipped: Rules) -> None:
    assert shipped.formula_aliases["rg"] == "ripgrep"
    assert shipped.formula_aliases["python3"].startswith("python@3.")
    document = tomllib.loads((MAPPINGS / "brew-names.toml").read_text("utf-8"))
    assert document["formula"]["renames"], "no formula renames generated"
    assert document["cask"]["renames"], "no cask renames generated"


def test_rename_chains_end_at_todays_name_even_with_a_cycle() -> None:
    assert follow({"a": "b", "b": "c"}, "a") == "c"
    assert follow({"a": "b", "b": "a"}, "a") == "b"
    assert follow({}, "a") == "a"
