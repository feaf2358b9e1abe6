"""`case`/`when` in a Brewfile: each branch's entries carry its test.

Before, every line of a `case` was skipped as Ruby that is not run, so a
per-user or per-platform list of packages appeared nowhere in the plan.
"""

from __future__ import annotations

from tests.test_brewfile_helpers import WORK, parse
from tests.test_scan_brewfile import MAIN


def conditions(text: str) -> list[tuple[str, str | None]]:
    parsed = parse(text)
    assert parsed.skipped == ()
    return [(entry.name, entry.condition) for entry in parsed.entries]


def test_when_branches_and_else_are_conditions_on_the_subject() -> None:
    jane, joe_or_jim = (
        'ENV["USER"] == "jane"',
        'ENV["USER"] == "joe" || ENV["USER"] == "jim"',
    )
    assert conditions(
        """\
        case ENV["USER"]
        when "jane"
          brew "awscli"
        when "joe", "jim" then brew "ansible"
        else
          brew "cowsay"
        end
        brew "git"
        """
    ) == [
        ("awscli", jane),
        ("ansible", f"not ({jane}) and ({joe_or_jim})"),
        ("cowsay", f"not ({jane}) and not ({joe_or_jim})"),
        ("git", None),
    ]


def test_a_platform_case_becomes_the_os_condition() -> None:
    assert conditions(
        """\
        case RUBY_PLATFORM
        when /darwin/ then cask "iterm2"
        when /linux/ then brew "xclip"
        end
        case
        when OS.mac? then brew "mas"
        end
        """
    ) == [("iterm2", "macos"), ("xclip", "linux"), ("mas", "macos")]


def test_a_case_on_one_line_follows_a_helper_under_its_test() -> None:
    parsed = parse(
        """\
        eval_file = -> (path) { instance_eval(File.read(File.expand_path(path))) }
        case ENV["USER"] when "jane" then eval_file.("~/.homebrew/Brewfile.work") end
        """
    )
    jane = 'ENV["USER"] == "jane"'
    assert [(e.name, e.condition, e.file) for e in parsed.entries] == [
        ("slack", jane, WORK),
        ("awscli", f"{jane} and macos", WORK),
    ]
    assert parsed.skipped == ()


def test_pattern_matching_and_a_stray_when_are_skipped_with_the_reason() -> None:
    parsed = parse(
        """\
        case config
        in {work: true}
          brew "slack"
        end
        when "x"
        brew "git"
        """
    )
    assert [entry.name for entry in parsed.entries] == ["git"]
    assert [(s.line, s.reason, s.file) for s in parsed.skipped] == [
        (2, "inside a 'case' block (line 1) that is not evaluated", MAIN),
        (3, "inside a 'case' block (line 1) that is not evaluated", MAIN),
        (5, "'when' outside a 'case' block", MAIN),
    ]
