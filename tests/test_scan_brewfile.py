"""The Brewfile parser: every brew-bundle form, conditions, includes, bad input."""

from __future__ import annotations

import os
import posixpath
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nixmigrate.errors import UsageError
from nixmigrate.scan.brewfile import parse_brewfile, read_brewfile
from nixmigrate.scan.brewfile.entries import WHALEBREW_REMOVED
from nixmigrate.scan.inventory import (
    Brewfile,
    BrewfileEntry,
    BrewfileSkip,
    Inventory,
    inventory_from_json,
    inventory_to_json,
)
from tests.conftest import REPO
from tests.helpers import make_tree

MAIN_DIR = "/home/me/dotfiles"
MAIN = f"{MAIN_DIR}/Brewfile"


@dataclass
class FakeIncludes:
    """Include files held in memory; `~` is /home/me."""

    files: Mapping[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def __call__(self, expression: str) -> tuple[str, str] | None:
        self.requests.append(expression)
        path = posixpath.normpath(expression.replace("~", "/home/me", 1))
        return (path, self.files[path]) if path in self.files else None


def parse(text: str, includes: FakeIncludes | None = None) -> Brewfile:
    return parse_brewfile(
        textwrap.dedent(text), path=MAIN, load_include=includes or FakeIncludes()
    )


def only_entry(text: str) -> BrewfileEntry:
    parsed = parse(text)
    assert parsed.skipped == ()
    assert len(parsed.entries) == 1, parsed.entries
    return parsed.entries[0]


def brew(name: str, line: int = 1, **options: object) -> BrewfileEntry:
    return BrewfileEntry("brew", name, line, dict(options), file=MAIN)


def names(parsed: Brewfile) -> list[tuple[str, str]]:
    return [(entry.kind, entry.name) for entry in parsed.entries]


def conditions(parsed: Brewfile) -> dict[str, str | None]:
    return {entry.name: entry.condition for entry in parsed.entries}


# ---------------------------------------------------------------- entries


def test_tap_with_clone_url_and_trusted() -> None:
    entry = only_entry(
        'tap "user/tap-repo", "https://user@bitbucket.org/user/homebrew-tap-repo.git",'
        " trusted: true"
    )
    assert entry == BrewfileEntry(
        "tap",
        "user/tap-repo",
        1,
        {
            "clone_target": "https://user@bitbucket.org/user/homebrew-tap-repo.git",
            "trusted": True,
        },
        file=MAIN,
    )


def test_tap_names_are_normalised_like_brew_bundle() -> None:
    entry = only_entry('tap "Denji/homebrew-Nginx"')
    assert entry == BrewfileEntry("tap", "denji/nginx", 1, {}, file=MAIN)


def test_brew_fully_qualified_with_args_and_restart_on_change() -> None:
    entry = only_entry(
        'brew "denji/nginx/nginx-full", args: ["with-rmtp"], restart_service: :changed'
    )
    assert entry == brew(
        "denji/nginx/nginx-full", args=["with-rmtp"], restart_service="changed"
    )


def test_brew_versioned_with_link_and_conflicts() -> None:
    entry = only_entry(
        'brew "mysql@5.6", restart_service: true, link: true, conflicts_with: ["mysql"]'
    )
    assert entry == brew(
        "mysql@5.6", restart_service=True, link=True, conflicts_with=["mysql"]
    )


def test_brew_start_service_and_version_file() -> None:
    entry = only_entry(
        'brew "postgresql@16", start_service: true, version_file: ".pg-version"'
    )
    assert entry == brew(
        "postgresql@16", start_service=True, version_file=".pg-version"
    )


def test_brew_tap_prefix_in_a_qualified_name_is_dropped() -> None:
    assert only_entry('brew "user/homebrew-tools/Foo"').name == "user/tools/foo"


def test_cask_qualified_with_args_hash_and_greedy() -> None:
    entry = only_entry(
        'cask "nikitabobko/tap/aerospace", '
        'args: { appdir: "~/Applications", require_sha: true }, greedy: true'
    )
    assert entry == BrewfileEntry(
        "cask",
        "nikitabobko/tap/aerospace",
        1,
        {"args": {"appdir": "~/Applications", "require_sha": True}, "greedy": True},
        file=MAIN,
    )


def test_cask_args_is_an_entry_without_a_name() -> None:
    entry = only_entry('cask_args appdir: "~/Applications", require_sha: true')
    assert entry == BrewfileEntry(
        "cask_args",
        "",
        1,
        {"appdir": "~/Applications", "require_sha": True},
        file=MAIN,
    )


def test_mas_app_keeps_its_name_and_numeric_id() -> None:
    entry = only_entry('mas "Things 3", id: 904280696')
    assert entry == BrewfileEntry("mas", "Things 3", 1, {"id": 904280696}, file=MAIN)


def test_mas_without_an_id_is_skipped_with_the_reason() -> None:
    parsed = parse('mas "Xcode"')
    assert parsed.entries == ()
    assert parsed.skipped == (
        BrewfileSkip(
            1, 'mas "Xcode"', 'mas needs a numeric id: mas "Xcode", id: 497799835', MAIN
        ),
    )


@pytest.mark.parametrize(
    ("line", "kind", "name", "options"),
    [
        ('vscode "GitHub.copilot"', "vscode", "GitHub.copilot", {}),
        ('go "golang.org/x/tools/gopls"', "go", "golang.org/x/tools/gopls", {}),
        ('cargo "cargo-edit"', "cargo", "cargo-edit", {}),
        ('uv "ruff"', "uv", "ruff", {}),
        ('uv "mkdocs", with: ["mkdocs-material"]', "uv", "mkdocs", {"with": ["mkdocs-material"]}),
        ('npm "prettier"', "npm", "prettier", {}),
        (
            'flatpak "org.gnome.Calculator", remote: "flathub"',
            "flatpak",
            "org.gnome.Calculator",
            {"remote": "flathub"},
        ),
    ],
)  # fmt: skip
def test_other_package_managers(
    line: str, kind: str, name: str, options: dict[str, object]
) -> None:
    assert only_entry(line) == BrewfileEntry(kind, name, 1, options, file=MAIN)


def test_whalebrew_is_kept_but_flagged_as_removed() -> None:
    entry = only_entry('whalebrew "whalebrew/wget"')
    assert entry == BrewfileEntry(
        "whalebrew", "whalebrew/wget", 1, {"deprecated": WHALEBREW_REMOVED}, file=MAIN
    )
    assert "4.7" in WHALEBREW_REMOVED


def test_option_values_become_json_values() -> None:
    entry = only_entry(
        'brew "x", args: %w[with-a with-b], level: -3, ratio: 1.5, extra: nil, '
        ':rocket => :sym, "quoted" => { nested: [1, "two", false] }'
    )
    assert entry.options == {
        "args": ["with-a", "with-b"],
        "level": -3,
        "ratio": 1.5,
        "extra": None,
        "rocket": "sym",
        "quoted": {"nested": [1, "two", False]},
    }


def test_an_explicit_options_hash_is_merged_into_the_options() -> None:
    assert only_entry('brew("x", { link: false })') == brew("x", link=False)


# ---------------------------------------------------------------- syntax


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("brew 'single'", "single"),
        ('brew("parens")', "parens"),
        ('brew ( "spaced" )', "spaced"),
        ('   brew     "odd-spacing"    ', "odd-spacing"),
        ('brew "trailing" # a comment', "trailing"),
    ],
)
def test_quoting_spacing_parentheses_and_comments(line: str, name: str) -> None:
    assert only_entry(line).name == name


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("'it\\'s'", "it's"),
        ("'back\\\\slash'", "back\\slash"),
        ("'no\\tescape'", "no\\tescape"),
        ('"say \\"hi\\""', 'say "hi"'),
        ('"tab\\there"', "tab\there"),
        ('"hash#not-a-comment"', "hash#not-a-comment"),
    ],
)
def test_string_escapes_are_read_as_ruby_reads_them(literal: str, value: str) -> None:
    assert only_entry(f"cask_args appdir: {literal}").options == {"appdir": value}


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("brew 'it\\'s'", '"it\'s"'),
        ('brew "say \\"hi\\""', "'say \"hi\"'"),
        ('brew "tab\\there"', "'tab\\there'"),
        ('cask "a#{1}"', "'a#{1}'"),
        ('tap "user/repo\\" ; x"', "'user/repo\" ; x'"),
        ('mas "App \\" X", id: 1', "'App \" X'"),
        ('vscode "not an id"', "'not an id'"),
        ('brew "in${jection}"', "'in${jection}'"),
    ],
)
def test_a_name_outside_its_grammar_is_skipped_with_the_reason(
    line: str, shown: str
) -> None:
    parsed = parse(line)
    assert parsed.entries == ()
    (skip,) = parsed.skipped
    assert skip.line == 1
    assert skip.reason.startswith(f"{shown} is not a valid")


def test_multi_line_argument_list_with_comments_inside() -> None:
    parsed = parse(
        """\
        # leading comment
        brew "ffmpeg",
             args: [
               "with-fdk-aac",   # the AAC codec
               "with-sdl2",
             ],
             link: false
        brew "next"
        """
    )
    assert parsed.skipped == ()
    assert parsed.entries == (
        brew("ffmpeg", 2, args=["with-fdk-aac", "with-sdl2"], link=False),
        brew("next", 8),
    )


def test_multi_line_hash_and_backslash_continuation() -> None:
    parsed = parse(
        """\
        cask "font-fira-code", args: {
          appdir: "~/Fonts",
        }
        brew "long", \\
          link: true
        """
    )
    assert [(e.line, e.name, e.options) for e in parsed.entries] == [
        (1, "font-fira-code", {"args": {"appdir": "~/Fonts"}}),
        (4, "long", {"link": True}),
    ]


def test_semicolons_separate_statements_on_one_line() -> None:
    parsed = parse('brew "a"; cask "b"')
    assert names(parsed) == [("brew", "a"), ("cask", "b")]


def test_an_unfinished_line_does_not_swallow_the_next_command() -> None:
    parsed = parse(
        """\
        brew "x", args: [
        brew "y"
        """
    )
    assert names(parsed) == [("brew", "y")]
    assert [(s.line, s.text) for s in parsed.skipped] == [(1, 'brew "x", args: [')]


def test_comment_blocks_and_end_marker_are_ignored() -> None:
    parsed = parse(
        """\
        =begin
        brew "commented-out"
        =end
        brew "kept"
        __END__
        brew "after-end"
        """
    )
    assert parsed.entries == (brew("kept", 4),)


def test_windows_line_ends_and_a_byte_order_mark_are_read(tmp_path: Path) -> None:
    brewfile = tmp_path / "Brewfile"
    brewfile.write_bytes(b'\xef\xbb\xbfbrew "a"\r\nbrew "b"\r\n')
    parsed = read_brewfile(brewfile)
    assert [(e.line, e.name) for e in parsed.entries] == [(1, "a"), (2, "b")]


# ---------------------------------------------------------------- conditions


def test_if_elsif_else_blocks_attach_the_right_os() -> None:
    parsed = parse(
        """\
        if OS.mac?
          cask "iterm2"
        elsif OS.linux?
          brew "xclip"
        end
        if OS.linux?
          brew "glibc"
        else
          cask "rectangle"
        end
        brew "everywhere"
        """
    )
    assert parsed.skipped == ()
    assert conditions(parsed) == {
        "iterm2": "macos",
        "xclip": "linux",
        "glibc": "linux",
        "rectangle": "macos",
        "everywhere": None,
    }


def test_the_else_of_if_os_mac_is_linux() -> None:
    parsed = parse(
        """\
        if OS.mac?
          brew "a"
        else
          brew "b"
        end
        """
    )
    assert conditions(parsed) == {"a": "macos", "b": "linux"}


def test_unless_blocks_and_their_else() -> None:
    parsed = parse(
        """\
        unless OS.linux?
          brew "mac-only"
        else
          brew "linux-only"
        end
        unless ENV["CI"]
          brew "not-on-ci"
        end
        """
    )
    assert conditions(parsed) == {
        "mac-only": "macos",
        "linux-only": "linux",
        "not-on-ci": 'not (ENV["CI"])',
    }


def test_nested_blocks_combine_with_and() -> None:
    parsed = parse(
        """\
        if OS.mac?
          if Hardware::CPU.arm?
            brew "asitop"
          else
            cask "intel-power-gadget"
          end
          unless ENV["WORK"]
            cask "steam"
          end
        end
        """
    )
    assert conditions(parsed) == {
        "asitop": "macos and Hardware::CPU.arm?",
        "intel-power-gadget": "macos and not (Hardware::CPU.arm?)",
        "steam": 'macos and not (ENV["WORK"])',
    }


@pytest.mark.parametrize(
    ("line", "condition"),
    [
        ('brew "gnupg" if OS.mac?', "macos"),
        ('brew "glibc" if OS.linux?', "linux"),
        ('brew "x" unless OS.linux?', "macos"),
        ('brew "x" unless OS.mac?', "linux"),
        ('brew "x" if !OS.mac?', "linux"),
        ('brew "x" if (OS.mac?)', "macos"),
        ('brew "x" if OS.mac? && Hardware::CPU.arm?', "macos and Hardware::CPU.arm?"),
        ('brew "x" if OS::Mac.version >= :ventura', "OS::Mac.version >= :ventura"),
        ('brew "x" if ENV["WORK"]', 'ENV["WORK"]'),
        ('brew "x" if File.exist?("/x")', 'File.exist?("/x")'),
        ('brew "x" if OS.mac? || ENV["Y"]', 'OS.mac? || ENV["Y"]'),
        ('cask "java" unless system "/usr/libexec/java_home"',
         'not (system "/usr/libexec/java_home")'),
        ('brew "x" if OS.mac? unless ENV["CI"]', 'macos and not (ENV["CI"])'),
    ],
)  # fmt: skip
def test_statement_modifiers(line: str, condition: str) -> None:
    assert only_entry(line).condition == condition


@pytest.mark.parametrize(
    ("test", "condition"),
    [
        ("(/darwin/ =~ RUBY_PLATFORM) != nil", "macos"),
        ("RUBY_PLATFORM =~ /darwin/", "macos"),
        ("/linux/ =~ RUBY_PLATFORM", "linux"),
        ('RUBY_PLATFORM.include?("darwin")', "macos"),
        ("RUBY_PLATFORM.include?('linux')", "linux"),
        ("!(RUBY_PLATFORM =~ /darwin/)", "linux"),
        ("RUBY_PLATFORM =~ /darwin|freebsd/", "RUBY_PLATFORM =~ /darwin|freebsd/"),
    ],
)
def test_ruby_platform_tests_are_os_conditions(test: str, condition: str) -> None:
    parsed = parse(f'if {test}\n  cask "mac-app"\nelse\n  brew "other"\nend\n')
    other = {"macos": "linux", "linux": "macos"}.get(condition, f"not ({condition})")
    assert conditions(parsed) == {"mac-app": condition, "other": other}


def test_modifiers_combine_with_the_enclosing_block() -> None:
    parsed = parse(
        """\
        if OS.mac?
          brew "arm-tool" if Hardware::CPU.arm?
        end
        """
    )
    assert conditions(parsed) == {"arm-tool": "macos and Hardware::CPU.arm?"}


def test_one_line_if_then_else_end() -> None:
    parsed = parse('if OS.mac? then brew "a" else brew "b" end')
    assert parsed.skipped == ()
    assert conditions(parsed) == {"a": "macos", "b": "linux"}


def test_unclosed_and_unmatched_blocks_are_reported_but_entries_kept() -> None:
    parsed = parse(
        """\
        end
        if OS.mac?
          brew "a"
        """
    )
    assert conditions(parsed) == {"a": "macos"}
    assert [(s.line, s.reason) for s in parsed.skipped] == [
        (1, "'end' without an open block"),
        (2, "'if' is never closed with 'end'"),
    ]


# ---------------------------------------------------------------- loops, Ruby


def test_each_loops_over_literal_lists_are_expanded() -> None:
    parsed = parse(
        """\
        %w[bat fd].each do |tool|
          brew tool
        end
        apps = ["slack", "zoom"]
        apps.each { |app| cask app }
        ["a"].each do |name|
          brew "#{name}-extra" if OS.mac?
        end
        """
    )
    assert parsed.skipped == ()
    assert [(e.line, e.kind, e.name, e.condition) for e in parsed.entries] == [
        (2, "brew", "bat", None),
        (2, "brew", "fd", None),
        (5, "cask", "slack", None),
        (5, "cask", "zoom", None),
        (7, "brew", "a-extra", "macos"),
    ]


def test_ruby_that_is_not_brew_bundle_is_skipped_per_line() -> None:
    parsed = parse(
        """\
        require "json"
        brew "a"
        puts "hello"
        brew name_from_somewhere
        brew "b"
        """
    )
    assert names(parsed) == [("brew", "a"), ("brew", "b")]
    assert [(s.line, s.text) for s in parsed.skipped] == [
        (1, 'require "json"'),
        (3, 'puts "hello"'),
        (4, "brew name_from_somewhere"),
    ]
    assert "'require' is not a Homebrew Bundle command" in parsed.skipped[0].reason
    assert "name_from_somewhere" in parsed.skipped[2].reason


def test_bodies_of_methods_and_unknown_blocks_are_skipped_not_run() -> None:
    parsed = parse(
        """\
        def extras
          brew "inside-def"
        end
        Dir.glob("*.brew").each do |file|
          brew "inside-glob"
        end
        brew "after"
        """
    )
    assert names(parsed) == [("brew", "after")]
    assert [(s.line, s.reason) for s in parsed.skipped] == [
        (2, "inside a 'def' block (line 1) that is not evaluated"),
        (4, "a Ruby block (do ... end) is not evaluated"),
        (5, "inside a 'do' block (line 4) that is not evaluated"),
    ]


def test_percent_literals_and_backticks_stay_inside_their_statement() -> None:
    # the `#` of `#{...}` inside %r{} is no comment: the brace it opens must not
    # run on and hide the loop below it, whose body would then pass for top level
    parsed = parse(
        """\
        IGNORED = [
          %r{^#{root}/(work|home)/Brewfile$},
          %r{^#{root}/[\\w.-]+\\.lock\\.json$},
        ]
        FLAGS = `brew options ffmpeg | grep -- --with-`.split("\\n")
        Dir.glob("*.Brewfile").each do |file|
          brew "inside-the-loop"
        end
        NAME = %q(ripgrep)
        brew NAME
        brew "jq"
        """
    )
    assert names(parsed) == [("brew", "ripgrep"), ("brew", "jq")]
    reasons = {s.line: s.reason for s in parsed.skipped}
    assert reasons[6] == "a Ruby block (do ... end) is not evaluated"
    assert reasons[7] == "inside a 'do' block (line 6) that is not evaluated"
    assert "only known by running it" in reasons[1]
    assert "`brew options ffmpeg" in reasons[5]
    assert "only known by running it" in reasons[5]
    assert "unterminated" not in reasons[5]


def test_an_unterminated_string_spoils_only_its_line() -> None:
    parsed = parse(
        """\
        brew "broken
        brew "fine"
        """
    )
    assert parsed.entries == (brew("fine", 2),)
    assert parsed.skipped[0].line == 1
    assert "unterminated" in parsed.skipped[0].reason


def test_a_name_built_by_ruby_code_is_not_guessed() -> None:
    parsed = parse('brew "python@#{PYTHON_VERSION}"')
    assert parsed.entries == ()
    assert "computed by Ruby code" in parsed.skipped[0].reason


# ---------------------------------------------------------------- includes

INCLUDED = {
    "/home/me/dotfiles/Brewfile.common": 'brew "jq"\nbrew "ripgrep"\n',
    "/home/me/.Brewfile.local": '\ncask "local-app"\n',
}


@pytest.mark.parametrize(
    ("line", "requested"),
    [
        ('instance_eval(File.read("Brewfile.common"))',
         "/home/me/dotfiles/Brewfile.common"),
        ('instance_eval File.read("Brewfile.common")', "/home/me/dotfiles/Brewfile.common"),
        ('eval File.read(File.join(__dir__, "Brewfile.common"))',
         "/home/me/dotfiles/Brewfile.common"),
        ('eval(IO.read(File.expand_path("Brewfile.common", __dir__)))',
         "/home/me/dotfiles/Brewfile.common"),
        ("instance_eval(File.read(\"#{ENV['HOME']}/.Brewfile.local\"))",
         "~/.Brewfile.local"),
        ('instance_eval(File.read(File.expand_path("~/.Brewfile.local")))',
         "~/.Brewfile.local"),
        ('instance_eval(File.read(File.join(Dir.home, ".Brewfile.local")))',
         "~/.Brewfile.local"),
        ('instance_eval(File.read("#{Dir.home}/.Brewfile.local"))', "~/.Brewfile.local"),
    ],
)  # fmt: skip
def test_include_forms_and_path_expressions(line: str, requested: str) -> None:
    includes = FakeIncludes(INCLUDED)
    parsed = parse(line, includes)
    assert includes.requests == [requested]
    assert parsed.skipped == ()
    assert parsed.includes == (posixpath.normpath(requested.replace("~", "/home/me")),)


def test_included_entries_keep_their_file_line_order_and_condition() -> None:
    parsed = parse(
        """\
        brew "git"
        if OS.mac?
          instance_eval(File.read(File.join(__dir__, "Brewfile.common")))
        end
        brew "zsh"
        """,
        FakeIncludes(INCLUDED),
    )
    common = "/home/me/dotfiles/Brewfile.common"
    assert parsed.entries == (
        brew("git", 1),
        BrewfileEntry("brew", "jq", 1, {}, "macos", common),
        BrewfileEntry("brew", "ripgrep", 2, {}, "macos", common),
        brew("zsh", 5),
    )


def test_a_variable_holding_the_path_and_an_exists_check() -> None:
    parsed = parse(
        """\
        local = File.expand_path("~/.Brewfile.local")
        instance_eval(File.read(local)) if File.exist?(local)
        """,
        FakeIncludes(INCLUDED),
    )
    # the exists check is true for the file that was read, so it is no condition
    assert parsed.entries == (
        BrewfileEntry("cask", "local-app", 2, {}, None, "/home/me/.Brewfile.local"),
    )


def test_includes_that_cannot_be_followed_are_skipped_with_the_reason() -> None:
    parsed = parse(
        """\
        instance_eval(File.read("missing.Brewfile"))
        instance_eval(File.read(Dir.glob("*.Brewfile").first))
        instance_eval(File.read(some_path))
        """
    )
    not_run = "is Ruby code whose value is only known by running it"
    assert parsed.format == "brew-bundle"
    assert [(s.line, s.reason) for s in parsed.skipped] == [
        (1, f"include not followed: {MAIN_DIR}/missing.Brewfile could not be read"),
        (2, f"include not followed: 'Dir.glob' {not_run}"),
        (3, f"include not followed: 'some_path' {not_run}"),
    ]


def test_include_cycles_are_not_followed_twice() -> None:
    includes = FakeIncludes(
        {
            MAIN: "unused: the main file is not read through the loader",
            "/home/me/dotfiles/a.Brewfile": (
                'brew "a"\ninstance_eval(File.read(File.join(__dir__, "Brewfile")))\n'
            ),
        }
    )
    parsed = parse(
        """\
        brew "main"
        instance_eval(File.read("a.Brewfile"))
        """,
        includes,
    )
    assert names(parsed) == [("brew", "main"), ("brew", "a")]
    assert parsed.skipped == (
        BrewfileSkip(
            2,
            'instance_eval(File.read(File.join(__dir__, "Brewfile")))',
            f"include not followed: {MAIN} is already being read (a cycle)",
            "/home/me/dotfiles/a.Brewfile",
        ),
    )


def test_include_chains_are_bounded() -> None:
    counter = iter(range(10_000))

    def endless(expression: str) -> tuple[str, str]:
        return f"/generated/{next(counter)}", 'brew "x"\neval File.read("next")\n'

    parsed = parse_brewfile('eval File.read("next")', path=MAIN, load_include=endless)
    assert 1 < len(parsed.entries) <= 20
    assert "nested more than" in parsed.skipped[-1].reason


def test_read_brewfile_follows_includes_on_disk(tmp_path: Path) -> None:
    home = Path(os.environ["HOME"])  # the test's own home (see conftest)
    make_tree(
        tmp_path,
        {
            "dotfiles/Brewfile": """\
                brew "git"
                instance_eval(File.read(File.join(__dir__, "hosts", "laptop.rb")))
                instance_eval(File.read("#{ENV["HOME"]}/.Brewfile.local"))
                instance_eval(File.read(ENV.fetch("NOT_SET_ANYWHERE")))
            """,
            "dotfiles/hosts/laptop.rb": 'cask "rectangle"\n',
        },
    )
    (home / ".Brewfile.local").write_text('brew "local"\n', encoding="utf-8")
    (home / ".Brewfile").symlink_to(tmp_path / "dotfiles/Brewfile")
    parsed = read_brewfile(home / ".Brewfile")
    laptop = str((tmp_path / "dotfiles/hosts/laptop.rb").resolve())
    local = str((home / ".Brewfile.local").resolve())
    assert parsed.path == str((tmp_path / "dotfiles/Brewfile").resolve())
    assert [(e.name, e.file) for e in parsed.entries] == [
        ("git", parsed.path),
        ("rectangle", laptop),
        ("local", local),
    ]
    assert parsed.includes == (laptop, local)
    assert [s.reason for s in parsed.skipped] == [
        "include not followed: ${NOT_SET_ANYWHERE} could not be read"
    ]


# ---------------------------------------------------------------- formats


def test_homebrew_file_format_is_recognised_and_read(fixtures_dir: Path) -> None:
    parsed = read_brewfile(fixtures_dir / "brewfile/homebrew-file.Brewfile")
    assert parsed.format == "homebrew-file"
    assert [(e.line, e.kind, e.name, e.options) for e in parsed.entries] == [
        (4, "tap", "homebrew/cask", {}),
        (5, "tap", "rcmdnk/file", {"tapall": True}),
        (8, "brew", "git", {}),
        (9, "brew", "wget", {}),
        (10, "brew", "macvim", {"args": ["with-lua", "with-override-system-vim"]}),
        (13, "cask", "firefox", {}),
        (14, "cask", "iterm2", {}),
        (17, "mas", "Xcode", {"id": 497799835}),
        (18, "mas", "Keynote", {"id": 409183694}),
    ]
    note, *others = parsed.skipped
    assert "homebrew-file" in note.reason
    assert "entries were read" in note.reason
    assert [(s.line, s.text) for s in others] == [
        (20, "pip docker-compose"),
        (21, "file ~/.config/brewfile/Brewfile.${HOSTNAME}"),
        (22, "after echo done"),
    ]


def test_plain_unquoted_lines_are_homebrew_file_format() -> None:
    parsed = parse("tap homebrew/cask\nbrew git # VCS\ncask firefox\n")
    assert parsed.format == "homebrew-file"
    assert [(e.line, e.kind, e.name) for e in parsed.entries] == [
        (1, "tap", "homebrew/cask"),
        (2, "brew", "git"),
        (3, "cask", "firefox"),
    ]
    assert len(parsed.skipped) == 1


def test_one_unquoted_typo_does_not_make_a_dsl_file_homebrew_file() -> None:
    parsed = parse('brew "a"\nbrew "b"\nbrew c\n')
    assert parsed.format == "brew-bundle"
    assert names(parsed) == [("brew", "a"), ("brew", "b")]
    assert [s.line for s in parsed.skipped] == [3]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n   \n# another\n"])
def test_empty_files(text: str) -> None:
    parsed = parse(text)
    assert (parsed.format, parsed.entries, parsed.skipped) == ("empty", (), ())


def test_a_file_that_is_not_a_brewfile_is_unknown() -> None:
    parsed = parse('#!/bin/sh\nset -e\necho "installing"\n')
    assert parsed.format == "unknown"
    assert parsed.entries == ()
    assert [s.line for s in parsed.skipped] == [2, 3]


# ---------------------------------------------------------------- fixtures, demo


def test_bundle_dump_fixture(fixtures_dir: Path) -> None:
    parsed = read_brewfile(fixtures_dir / "brewfile/bundle-dump.Brewfile")
    assert parsed.skipped == ()
    assert names(parsed) == [
        ("tap", "homebrew/bundle"),
        ("tap", "homebrew/services"),
        ("tap", "mongodb/brew"),
        ("brew", "python@3.12"),
        ("brew", "cmake"),
        ("brew", "git"),
        ("brew", "jq"),
        ("brew", "postgresql@14"),
        ("brew", "mongodb/brew/mongodb-community"),
        ("brew", "redis"),
        ("cask", "visual-studio-code"),
        ("cask", "firefox"),
        ("mas", "Xcode"),
        ("vscode", "ms-python.python"),
        ("vscode", "golang.go"),
        ("go", "golang.org/x/tools/gopls"),
        ("cargo", "cargo-edit"),
        ("uv", "ruff"),
    ]


def test_messy_fixture_keeps_every_good_line(fixtures_dir: Path) -> None:
    parsed = read_brewfile(fixtures_dir / "brewfile/messy.Brewfile")
    assert [entry.name for entry in parsed.entries] == [
        "homebrew/cask-fonts", "wget", "curl", "ffmpeg", "font-fira-code",
        "second-on-line", "after-the-bad-line",
        "htop", "tree", "bat", "fd", "last",
    ]  # fmt: skip
    assert [s.line for s in parsed.skipped] == [15, 16, 17, 18, 19, 26, 27]


def test_includes_fixture(fixtures_dir: Path) -> None:
    parsed = read_brewfile(fixtures_dir / "brewfile/includes/Brewfile")
    assert [(e.name, e.condition, Path(e.file).name) for e in parsed.entries] == [
        ("git", None, "Brewfile"),
        ("jq", None, "Brewfile.common"),
        ("ripgrep", None, "Brewfile.common"),
        ("rectangle", "macos", "laptop.Brewfile"),
        ("zsh", None, "Brewfile"),
    ]
    assert [(Path(s.file).name, s.line) for s in parsed.skipped] == [
        ("laptop.Brewfile", 3),  # the cycle back to Brewfile
        ("Brewfile", 7),  # ~/.Brewfile.local does not exist
        ("Brewfile", 8),  # $WORK_BREWFILE is not set
        ("Brewfile", 9),  # Dir.glob is Ruby code
    ]
    assert all(s.reason.startswith("include not followed") for s in parsed.skipped)


def test_demo_brewfile_reads_cleanly() -> None:
    parsed = read_brewfile(REPO / "nixmigrate/demo/Brewfile")
    kinds = [entry.kind for entry in parsed.entries]
    assert parsed.format == "brew-bundle"
    assert parsed.skipped == ()
    assert kinds.count("brew") >= 25
    assert kinds.count("cask") >= 12
    assert {"tap", "cask_args", "mas", "vscode"} <= set(kinds)
    assert {e.name: e.condition for e in parsed.entries}["xclip"] == "linux"
    assert {e.condition for e in parsed.entries if e.kind in ("cask", "mas")} == {
        "macos"
    }
    assert any("args" in e.options for e in parsed.entries if e.kind == "brew")
    assert any("restart_service" in e.options for e in parsed.entries)


def test_a_parsed_brewfile_survives_the_inventory_snapshot(fixtures_dir: Path) -> None:
    parsed = read_brewfile(fixtures_dir / "brewfile/messy.Brewfile")
    snapshot = inventory_to_json(Inventory(brewfile=parsed))
    assert inventory_from_json(snapshot).brewfile == parsed


# ---------------------------------------------------------------- read_brewfile


def test_missing_file_is_a_usage_error_naming_the_path(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist") as caught:
        read_brewfile(tmp_path / "nope")
    assert str(tmp_path / "nope") in str(caught.value)
    assert caught.value.hint


def test_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory") as caught:
        read_brewfile(tmp_path)
    assert caught.value.hint == f"pass the file inside it, e.g. {tmp_path / 'Brewfile'}"


def test_a_binary_file_is_a_usage_error(tmp_path: Path) -> None:
    binary = tmp_path / "Brewfile"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(UsageError, match="binary"):
        read_brewfile(binary)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_an_unreadable_file_is_a_usage_error(tmp_path: Path) -> None:
    locked = tmp_path / "Brewfile"
    locked.write_text('brew "x"\n', encoding="utf-8")
    locked.chmod(0)
    try:
        with pytest.raises(UsageError, match="cannot be read") as caught:
            read_brewfile(locked)
        assert caught.value.hint == "check the file's permissions"
    finally:
        locked.chmod(0o600)


# ---------------------------------------------------------------- properties

NEAR_VALID = [
    'brew "x"', "cask 'y'", 'tap "a/b", "https://x.test/r.git"', "if OS.mac?",
    "elsif OS.linux?", "else", "end", 'unless ENV["X"]', 'brew "z" if OS.mac?',
    'brew "q",', 'args: ["a",', '"b"]', '{ appdir: "~/A" }', "]", ")", "(", "}",
    'instance_eval(File.read("inc"))', 'eval File.read(File.join(__dir__, "inc"))',
    "%w[a b].each do |f|", "brew f", "[1].each { |n| brew n }", '"unterminated',
    '"#{', 'mas "M", id: 1', "mas 'M', id: :x", "def x", "begin", "rescue", "=begin",
    "=end", "__END__", ";", "\\", "then", "do |x|", "brew x", "tap a/b", "tapall x",
    "appstore 1 App", 'whalebrew "w"', "cask_args", "x = %w[", ":", "::", "=>",
    'brew("a", { link: false }, 3)', "brew " + "[" * 100, "brew " + "{a: " * 80,
    "f = ->(p) { instance_eval(File.read(p)) }", "f = lambda do |p|", 'f.call("inc")',
    "f[", 'f.("inc")', "def g(p)", "instance_eval(File.read(p))", 'g "inc"', "g a: 1",
    "g()", 'case ENV["U"]', 'when "a", /b/', 'case x when "y" then g "inc" end',
]  # fmt: skip
near_valid_text = st.lists(
    st.one_of(st.sampled_from(NEAR_VALID), st.text(max_size=12)), max_size=25
).map("\n".join)


def _check_invariants(text: str, parsed: Brewfile) -> None:
    line_count = max(1, len(text.splitlines()))
    lines = [e.line for e in parsed.entries if e.file == MAIN]
    lines += [s.line for s in parsed.skipped if s.file == MAIN]
    assert all(1 <= line <= line_count for line in lines), (parsed, text)
    for entry in parsed.entries:
        assert entry.kind in {
            "tap", "brew", "cask", "cask_args", "mas", "vscode", "go", "cargo", "uv",
            "npm", "flatpak", "whalebrew",
        }  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    parsed = parse_brewfile(text, path=MAIN, load_include=FakeIncludes())
    _check_invariants(text, parsed)


@settings(max_examples=200, deadline=None)
@given(near_valid_text)
def test_near_valid_brewfiles_never_raise(text: str) -> None:
    def include_itself(expression: str) -> tuple[str, str]:
        return "/home/me/dotfiles/inc", text

    parsed = parse_brewfile(text, path=MAIN, load_include=include_itself)
    _check_invariants(text, parsed)
