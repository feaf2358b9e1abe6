"""Includes wrapped in a helper: `eval_file.call(path)`, `brewfile "fonts"`.

A lambda or one-parameter method whose body is one `instance_eval(File.read(p))`
is followed at every call like a direct include: the included file's entries,
their conditions, missing files, cycles and skipped lines. Any other helper is
skipped with the reason, and so are its calls.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from nixmigrate.report.accounting import accounted, build_accounting
from nixmigrate.scan.brewfile import parse_brewfile, read_brewfile
from nixmigrate.scan.inventory import Brewfile, BrewfileEntry, BrewfileSkip
from tests.helpers import make_tree
from tests.test_brewfile_real_shapes import HOST, mac_inventory
from tests.test_scan_brewfile import MAIN, FakeIncludes

COMMON = "/home/me/dotfiles/Brewfile.common"
WORK = "/home/me/.homebrew/Brewfile.work"
FILES = {
    COMMON: 'brew "jq"\nbrew "ripgrep"\n',
    WORK: 'cask "slack"\nbrew "awscli" if OS.mac?\n',
}


def parse(text: str, includes: FakeIncludes | None = None) -> Brewfile:
    loader = includes or FakeIncludes(FILES)
    return parse_brewfile(textwrap.dedent(text), path=MAIN, load_include=loader)


def found(parsed: Brewfile) -> list[tuple[str, str | None, str | None]]:
    return [(entry.name, entry.condition, entry.file) for entry in parsed.entries]


def reasons(parsed: Brewfile) -> list[tuple[int, str]]:
    return [(skip.line, skip.reason) for skip in parsed.skipped]


@pytest.mark.parametrize(
    "text",
    [
        'f = ->(p) { instance_eval(File.read(p)) }\nf.call("Brewfile.common")',
        'f = -> (p) { instance_eval(File.read(p)) }\nf.("Brewfile.common")',
        'f = -> p { eval File.read(p) }\nf.call "Brewfile.common"',
        'f = lambda { |p| instance_eval(IO.read(p)) }\nf["Brewfile.common"]',
        'f = proc { |p| eval(File.read(p)) }\nf.call("Brewfile.common")',
        'f = ->(p) do\n  instance_eval(File.read(p))\nend\nf.("Brewfile.common")',
        'f = lambda do |p| instance_eval(File.read(p)) end\nf["Brewfile.common"]',
        'f = lambda { |p|\n  instance_eval(File.read(p))\n}\nf.("Brewfile.common")',
        'def bf(name)\n  instance_eval(File.read("Brewfile.#{name}"))\nend\nbf "common"',
        'def bf(name)\n  eval(File.read(File.join(__dir__, "Brewfile." + name)))\nend\n'
        + 'bf("common")',
        'def bf name; instance_eval(File.read("Brewfile.#{name}")); end\nbf("common")',
        'def bf(name) = instance_eval(File.read("Brewfile.#{name}"))\nbf "common"',
    ],
)
def test_every_helper_form_is_followed_like_a_direct_include(text: str) -> None:
    includes = FakeIncludes(FILES)
    parsed = parse(text, includes)
    assert includes.requests == [COMMON]
    assert found(parsed) == [("jq", None, COMMON), ("ripgrep", None, COMMON)]
    assert parsed.includes == (COMMON,)
    assert parsed.skipped == ()
    assert parsed.format == "brew-bundle"


def test_calls_carry_their_conditions_into_the_included_entries() -> None:
    parsed = parse(
        """\
        def brewfile(name)
          instance_eval(File.read(File.join(__dir__, "Brewfile.#{name}")))
        end
        eval_file = ->(path) { instance_eval(File.read(File.expand_path(path))) }
        brewfile("common") if OS.mac?
        if OS.linux?
          eval_file.call("~/.homebrew/Brewfile.work")
        end
        eval_file.("~/.homebrew/Brewfile.work") unless ENV["CI"]
        """
    )
    assert found(parsed) == [
        ("jq", "macos", COMMON),
        ("ripgrep", "macos", COMMON),
        ("slack", "linux", WORK),
        ("awscli", "linux and macos", WORK),
        ("slack", 'not (ENV["CI"])', WORK),
        ("awscli", 'not (ENV["CI"]) and macos', WORK),
    ]
    assert parsed.skipped == ()


def test_an_exists_guard_in_the_helper_is_no_condition() -> None:
    parsed = parse(
        """\
        load = ->(f) { instance_eval(File.read(f)) if File.exist?(f) }
        load.call(File.join(Dir.home, ".homebrew/Brewfile.work"))
        load.call(File.join(Dir.home, ".homebrew/Brewfile.absent"))
        """
    )
    assert found(parsed) == [("slack", None, WORK), ("awscli", "macos", WORK)]
    # the absent file is reported, not silently taken as "guarded away"
    absent = "~/.homebrew/Brewfile.absent"
    assert reasons(parsed) == [(3, f"include not followed: {absent} could not be read")]


def test_a_loop_calls_the_helper_once_per_name() -> None:
    includes = FakeIncludes(
        {
            "/home/me/dotfiles/Brewfile.fonts": 'cask "font-fira-code"\n',
            "/home/me/dotfiles/Brewfile.dev": 'brew "go"\n',
        }
    )
    parsed = parse(
        """\
        def brewfile(name)
          instance_eval(File.read("Brewfile.#{name}"))
        end
        %w[fonts dev].each { |group| brewfile group }
        """,
        includes,
    )
    assert [entry.name for entry in parsed.entries] == ["font-fira-code", "go"]
    assert parsed.skipped == ()


def test_a_bare_name_argument_does_not_make_the_file_homebrew_file() -> None:
    # homebrew-file has a `brewfile PATH` command; a method of that name is Ruby
    includes = FakeIncludes(
        {
            "/home/me/dotfiles/Brewfile.fonts": 'cask "font-fira-code"\n',
            "/home/me/dotfiles/Brewfile.dev": 'brew "go"\n',
        }
    )
    parsed = parse(
        """\
        def brewfile(name)
          instance_eval(File.read("Brewfile.#{name}"))
        end
        %w[fonts dev].each do |group|
          brewfile group
        end
        """,
        includes,
    )
    assert parsed.format == "brew-bundle"
    assert [entry.name for entry in parsed.entries] == ["font-fira-code", "go"]
    assert parsed.skipped == ()


def test_missing_files_and_cycles_through_a_helper_are_skipped_like_includes() -> None:
    includes = FakeIncludes(
        {
            MAIN: "unused: the main file is not read through the loader",
            COMMON: (
                'brew "jq"\n'
                "back = ->(p) { instance_eval(File.read(p)) }\n"
                'back.call(File.join(__dir__, "Brewfile"))\n'
            ),
        }
    )
    parsed = parse(
        """\
        def brewfile(name)
          instance_eval(File.read("Brewfile.#{name}"))
        end
        brewfile "common"
        brewfile "missing"
        """,
        includes,
    )
    assert found(parsed) == [("jq", None, COMMON)]
    assert parsed.skipped == (
        BrewfileSkip(
            3,
            'back.call(File.join(__dir__, "Brewfile"))',
            f"include not followed: {MAIN} is already being read (a cycle)",
            COMMON,
        ),
        BrewfileSkip(
            5,
            'brewfile "missing"',
            "include not followed: /home/me/dotfiles/Brewfile.missing"
            " could not be read",
            MAIN,
        ),
    )


def test_a_call_whose_argument_is_not_known_is_skipped_naming_the_helper() -> None:
    parsed = parse(
        """\
        def brewfile(name)
          instance_eval(File.read("Brewfile.#{name}"))
        end
        eval_file = ->(path) { instance_eval(File.read(path.strip)) }
        brewfile Dir.glob("*.Brewfile").first
        brewfile "a", "b"
        eval_file.call("Brewfile.common")
        brewfile `hostname`
        brewfile name: "fonts"
        brewfile()
        brew "git"
        """
    )
    assert [entry.name for entry in parsed.entries] == ["git"]
    method, block = "the method 'brewfile' (line 1)", "the lambda 'eval_file' (line 4)"
    not_run = "is Ruby code whose value is only known by running it"
    assert reasons(parsed) == [
        (5, f"the argument of {method} is not evaluated: 'Dir.glob' {not_run}"),
        (6, f"{method} takes one path; this call passes 2 values"),
        (7, f"include through {block} not followed: expected ')' at '.strip)'"),
        (8, f"the argument of {method} is not evaluated: '`hostname`' {not_run}"),
        (9, f"{method} takes one path; this call passes options"),
        (10, f"{method} takes one path; this call passes 0 values"),
    ]


def test_helpers_that_do_more_than_include_stay_skipped_and_so_do_their_calls() -> None:
    parsed = parse(
        """\
        log = ->(message) { puts message }
        def extras
          brew "inside-extras"
        end
        def both(name)
          instance_eval(File.read(name))
          brew "also"
        end
        two = ->(a, b) { instance_eval(File.read(a)) }
        log.("hello")
        extras
        both "Brewfile.common"
        two.call("Brewfile.common", "x")
        brew "after"
        """
    )
    assert [entry.name for entry in parsed.entries] == ["after"]
    one_include = "its body is not one instance_eval(File.read(...))"
    two_parameters = (
        "the lambda 'two' (line 9) is not run: it takes 2 parameters;"
        " only one-parameter helpers are followed"
    )
    assert reasons(parsed) == [
        (1, f"the lambda 'log' (line 1) is not run: {one_include}"),
        (3, "inside a 'def' block (line 2) that is not evaluated"),
        (6, "inside a 'def' block (line 5) that is not evaluated"),
        (7, "inside a 'def' block (line 5) that is not evaluated"),
        (9, two_parameters),
        (10, f"the lambda 'log' (line 1) is not run: {one_include}"),
        (11, f"the method 'extras' (line 2) is not run: {one_include}"),
        (12, f"the method 'both' (line 5) is not run: {one_include}"),
        (13, two_parameters),
    ]


def test_a_helper_inside_a_block_that_is_not_run_is_not_defined() -> None:
    parsed = parse(
        """\
        Dir.glob("*").each do |f|
          def brewfile(name)
            instance_eval(File.read("Brewfile.#{name}"))
          end
        end
        brewfile "common"
        """
    )
    assert parsed.entries == ()
    assert reasons(parsed)[-1] == (
        6,
        "'brewfile' is not a Homebrew Bundle command; Ruby is not run",
    )


def test_a_reassigned_lambda_is_no_longer_followed() -> None:
    parsed = parse(
        """\
        f = ->(p) { instance_eval(File.read(p)) }
        f = "Brewfile.common"
        f.call("Brewfile.common")
        """
    )
    assert parsed.entries == ()
    assert reasons(parsed) == [
        (3, "'f' is not a Homebrew Bundle command; Ruby is not run")
    ]


# ---------------------------------------------------------------- on disk


def write_helper_brewfiles(root: Path, home: Path) -> Path:
    make_tree(
        root,
        {
            "dotfiles/Brewfile": """\
                tap "homebrew/bundle"
                brew "git"
                eval_file = -> (path) { instance_eval(File.read(File.expand_path(path))) }
                eval_file.call("~/.homebrew/Brewfile.common")
                def brewfile(name)
                  instance_eval(File.read(File.join(__dir__, "Brewfile.#{name}")))
                end
                brewfile "fonts"
                brewfile("linux") if OS.linux?
                load_file = lambda { |f| instance_eval(IO.read(f)) }
                load_file[File.join(Dir.home, ".Brewfile.local")]
                brewfile "absent"
            """,
            "dotfiles/Brewfile.fonts": """\
                cask "font-fira-code"
                cask "font-jetbrains-mono"
            """,
            "dotfiles/Brewfile.linux": """\
                brew "xclip"
                brew "lxc", args: ["HEAD"] unless OS.mac?
                Dir.glob("*.rb").each { |f| require f }
            """,
        },
    )
    make_tree(
        home,
        {
            ".homebrew/Brewfile.common": """\
                brew "jq"
                cask "iterm2" if OS.mac?
            """,
            ".Brewfile.local": 'mas "Xcode", id: 497799835\n',
        },
    )
    return root / "dotfiles" / "Brewfile"


def test_read_brewfile_follows_helpers_on_disk(tmp_path: Path) -> None:
    home = Path(os.environ["HOME"])  # the test's own home (see conftest)
    parsed = read_brewfile(write_helper_brewfiles(tmp_path, home))
    dotfiles = tmp_path.resolve() / "dotfiles"
    common = str((home / ".homebrew/Brewfile.common").resolve())
    fonts, linux = str(dotfiles / "Brewfile.fonts"), str(dotfiles / "Brewfile.linux")
    local = str((home / ".Brewfile.local").resolve())
    assert [(e.name, e.condition, e.file) for e in parsed.entries] == [
        ("homebrew/bundle", None, parsed.path),
        ("git", None, parsed.path),
        ("jq", None, common),
        ("iterm2", "macos", common),
        ("font-fira-code", None, fonts),
        ("font-jetbrains-mono", None, fonts),
        ("xclip", "linux", linux),
        ("lxc", "linux", linux),
        ("Xcode", None, local),
    ]
    assert parsed.includes == (common, fonts, linux, local)
    assert [(s.file, s.line, s.reason) for s in parsed.skipped] == [
        (linux, 3, "a Ruby block ({ ... }) is not evaluated"),
        (
            parsed.path,
            12,
            f"include not followed: {dotfiles}/Brewfile.absent could not be read",
        ),
    ]


def test_the_report_accounts_for_every_entry_of_files_a_helper_includes(
    tmp_path: Path,
) -> None:
    home = Path(os.environ["HOME"])
    brewfile = read_brewfile(write_helper_brewfiles(tmp_path, home))
    inventory = mac_inventory(brewfile)
    rows = build_accounting(inventory, hostname=HOST, system="aarch64-darwin")
    expected = len(brewfile.entries) + len(brewfile.skipped)
    assert expected == 11
    assert len(rows) == expected
    assert accounted(rows) == expected
    brewfile_rows = {(row.name, row.line) for row in rows if row.source == "brewfile"}
    for entry in brewfile.entries:
        if entry.kind != "tap":
            assert any(name.endswith(entry.name) for name, _ in brewfile_rows), entry


def test_an_included_entry_keeps_its_own_file_and_line() -> None:
    parsed = parse(
        """\
        brew "git"
        f = ->(p) { instance_eval(File.read(p)) }
        f.call("Brewfile.common")
        brew "zsh"
        """
    )
    assert parsed.entries == (
        BrewfileEntry("brew", "git", 1, {}, None, MAIN),
        BrewfileEntry("brew", "jq", 1, {}, None, COMMON),
        BrewfileEntry("brew", "ripgrep", 2, {}, None, COMMON),
        BrewfileEntry("brew", "zsh", 4, {}, None, MAIN),
    )
