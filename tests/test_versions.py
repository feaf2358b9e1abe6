from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from nixmigrate.mapping.versions import compare, parse_brew_version

releases = st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=4)


def _text(parts: list[int]) -> str:
    return ".".join(str(p) for p in parts)


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("1.2.3", "1.2.3_1"),  # a Homebrew revision is a later build
        ("1.2.3_1", "1.2.3_2"),
        ("1.2.3_9", "1.2.4"),
        ("8.9p1", "9.0p1"),
        ("9.0p1", "9.0p2"),
        ("1.1.1v", "1.1.1w"),
        ("1.1.1w", "1.1.2"),
        ("2024", "2024a"),  # tzdata: a letter is a later release, not an alpha
        ("2024a", "2024b"),
        ("2024b", "2025a"),
        ("1.0rc1", "1.0"),  # real pre-releases still sort first
        ("1.9", "1.10"),
        ("v1.2", "1.3"),
    ],
)
def test_brew_versions_sort_the_way_their_projects_mean(older: str, newer: str) -> None:
    assert parse_brew_version(older) < parse_brew_version(newer)
    assert parse_brew_version(newer) > parse_brew_version(older)


@pytest.mark.parametrize(
    "text", ["1.2.3_1", "8.9p1", "1.1.1w", "2024a", "HEAD-abc1234"]
)
def test_versions_packaging_cannot_read_are_flagged_as_fallback(text: str) -> None:
    version = parse_brew_version(text)
    assert version.fallback is (text != "1.2.3_1")
    assert str(version) == text


def test_a_revision_is_split_off_and_the_rest_is_pep440() -> None:
    version = parse_brew_version("1.2.3_1")
    assert (version.base, version.revision, version.fallback) == ("1.2.3", 1, False)


def test_2024a_is_not_a_prerelease() -> None:
    assert parse_brew_version("2024a") > parse_brew_version("2024")
    assert Version("2024a") < Version("2024")  # what packaging alone would say


def test_trailing_zeros_do_not_make_a_different_version() -> None:
    assert parse_brew_version("1.0") == parse_brew_version("1.0.0")
    assert hash(parse_brew_version("1.0")) == hash(parse_brew_version("1.0.0"))
    assert parse_brew_version("1.0") != parse_brew_version("1.0.1")


@pytest.mark.parametrize(
    ("installed", "nix", "expected"),
    [
        ("14.1.1", "14.1.1", "same"),
        ("14.1.1_2", "14.1.1", "same"),  # Nix has no Homebrew revisions
        ("14.1.1", "14.1.0", "older"),
        ("14.1.1", "15.0.0", "newer"),
        ("1.1.1w", "1.1.1v", "older"),
        ("2024a", "2024b", "newer"),
        ("8.9p1", "9.6p1", "newer"),
        ("HEAD", "1.0", "unknown"),
        ("1.0", "0-unstable-2024-05-01", "older"),
        ("1.0", "unstable-2024-05-01", "unknown"),
        ("", "1.0", "unknown"),
    ],
)
def test_compare_says_how_the_nix_version_relates_to_the_installed_one(
    installed: str, nix: str, expected: str
) -> None:
    assert compare(installed, nix) == expected


@given(releases, releases)
def test_plain_releases_order_exactly_like_packaging(
    a: list[int], b: list[int]
) -> None:
    mine = parse_brew_version(_text(a)), parse_brew_version(_text(b))
    theirs = Version(_text(a)), Version(_text(b))
    assert (mine[0] < mine[1]) == (theirs[0] < theirs[1])
    assert (mine[0] == mine[1]) == (theirs[0] == theirs[1])


@given(releases, st.sampled_from("abcdefwxyz"), releases)
def test_letter_suffixed_versions_are_totally_ordered(
    a: list[int], letter: str, b: list[int]
) -> None:
    x, y = parse_brew_version(_text(a) + letter), parse_brew_version(_text(b))
    assert x.fallback
    assert sum([x < y, x == y, x > y]) == 1
    assert parse_brew_version(_text(a)) < x  # 1.2a comes after 1.2


@given(releases, st.integers(min_value=1, max_value=9))
def test_a_revision_never_changes_the_upstream_comparison(
    parts: list[int], revision: int
) -> None:
    text = _text(parts)
    assert compare(f"{text}_{revision}", text) == "same"
