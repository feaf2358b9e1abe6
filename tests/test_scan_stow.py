from __future__ import annotations

import os
from pathlib import Path

import pytest

from nixmigrate.errors import UsageError
from nixmigrate.scan.inventory import StowInventory, StowOptions, StowPackage
from nixmigrate.scan.stow import resolve_stow_location, scan_stow
from nixmigrate.scan.stow.ignore import compile_ignore_rules
from nixmigrate.scan.stow.rc import (
    StowArgs,
    expand_rc_path,
    parse_stow_args,
    rc_words,
)
from tests.helpers import make_tree


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"  # created (and set as $HOME) by conftest


def scan(
    home: Path,
    spec: dict[str, str | bytes | Path],
    *,
    options: StowOptions | None = None,
) -> StowInventory:
    make_tree(home, spec)
    return scan_stow(home / "dotfiles", home, options=options)


def package(inventory: StowInventory, name: str) -> StowPackage:
    found = inventory.package(name)
    assert found is not None, f"no package {name}"
    return found


# ---------------------------------------------------------------- .stowrc words


def test_rc_words_split_on_whitespace_only_and_keep_quotes() -> None:
    text = "--ignore='~'   --dir /x\n\n  -t ~  # not a comment\n"
    assert rc_words(text) == [
        "--ignore='~'",
        "--dir",
        "/x",
        "-t",
        "~",
        "#",
        "not",
        "a",
        "comment",
    ]


@pytest.mark.parametrize(
    "words",
    [
        ["--dir=/d"],
        ["--dir", "/d"],
        ["-d", "/d"],
        ["-d/d"],
        ["--di=/d"],
        ["-nv", "-d", "/d"],
        ["-nd/d"],
        ["--dir=/first", "--dir=/d"],
    ],
)
def test_dir_option_in_every_spelling_stow_accepts(words: list[str]) -> None:
    assert parse_stow_args(words, origin="~/.stowrc").dir == "/d"


@pytest.mark.parametrize(
    "words", [["--target=~"], ["--target", "~"], ["-t", "~"], ["-t~"]]
)
def test_target_option_in_every_spelling(words: list[str]) -> None:
    assert parse_stow_args(words, origin="~/.stowrc").target == "~"


def test_flags_and_repeatable_options_are_collected_and_packages_skipped() -> None:
    words = [
        "--dotfiles", "--no-folding", "--ignore=a", "--ignore", "b", "--defer=man",
        "--override", "bin", "-v", "--verbose=3", "-n", "git", "--adopt",
    ]  # fmt: skip
    assert parse_stow_args(words, origin="x") == StowArgs(
        dotfiles=True,
        no_folding=True,
        ignore=("a", "b"),
        defer=("man",),
        override=("bin",),
    )


@pytest.mark.parametrize(
    ("words", "problem"),
    [
        (["--frobnicate"], "unknown option '--frobnicate'"),
        (["--d=/x"], "ambiguous option '--d'"),
        (["-x"], "unknown option '-x'"),
        (["--dir"], "option '--dir' needs a value"),
        (["--dotfiles=yes"], "option '--dotfiles' takes no value"),
    ],
)
def test_options_stow_rejects_are_errors_naming_the_file(
    words: list[str], problem: str
) -> None:
    with pytest.raises(UsageError) as err:
        parse_stow_args(words, origin="~/.stowrc")
    assert str(err.value) == f"~/.stowrc: {problem}"
    assert err.value.hint


@pytest.mark.parametrize(
    ("written", "expanded"),
    [
        ("~/dots", "/h/dots"),
        ("~", "/h"),
        ("$HOME/dots", "/h/dots"),
        ("${HOME}/dots", "/h/dots"),
        ("$CODE/dots", "/code/dots"),
        (r"\$HOME/x", "$HOME/x"),
        (r"\~/x", "~/x"),
        ("/abs/~x", "/abs/~x"),
    ],
)
def test_rc_paths_expand_tilde_and_variables(written: str, expanded: str) -> None:
    result = expand_rc_path(
        written, home=Path("/h"), env={"CODE": "/code"}, origin="rc"
    )
    assert result == expanded


def test_an_undefined_variable_is_an_error_like_in_stow() -> None:
    with pytest.raises(UsageError, match=r"undefined environment variable \$NOPE"):
        expand_rc_path("$NOPE/x", home=Path("/h"), env={}, origin="~/.stowrc")


# ---------------------------------------------------------------- locating the stow dir


def test_missing_default_dotfiles_dir_is_a_usage_error_with_a_hint(home: Path) -> None:
    with pytest.raises(UsageError) as err:
        resolve_stow_location(None, home)
    assert str(err.value) == "dotfiles directory ~/dotfiles does not exist"
    assert err.value.hint is not None
    assert "--dotfiles DIR" in err.value.hint


def test_the_hint_points_at_a_dot_dotfiles_dir_when_there_is_one(home: Path) -> None:
    (home / ".dotfiles").mkdir()
    with pytest.raises(UsageError) as err:
        resolve_stow_location(None, home)
    assert "--dotfiles ~/.dotfiles" in (err.value.hint or "")


def test_default_is_home_dotfiles_with_home_as_target(home: Path) -> None:
    (home / "dotfiles").mkdir()
    stow_dir, target, options = resolve_stow_location(None, home, env={})
    assert (stow_dir, target) == (home / "dotfiles", home)
    assert options == StowOptions()


def test_home_stowrc_sets_dir_and_target(home: Path) -> None:
    make_tree(
        home,
        {
            ".stowrc": "--dir=~/src/dots\n--target $HOME\n--ignore=\\.md\n",
            "src/dots/.stowrc": "--ignore=\\.orig --dotfiles\n",
        },
    )
    stow_dir, target, options = resolve_stow_location(None, home, env={})
    assert (stow_dir, target) == (home / "src/dots", home)
    assert options.ignore == (r"\.md", r"\.orig")  # ~/.stowrc first, as stow reads it
    assert options.dotfiles
    assert options.rc_files == (str(home / ".stowrc"), str(home / "src/dots/.stowrc"))


def test_an_explicit_dotfiles_dir_wins_over_stowrc_dir(home: Path) -> None:
    make_tree(home, {".stowrc": "--dir=~/elsewhere\n", "mine/git/.gitconfig": ""})
    stow_dir, _, _ = resolve_stow_location(home / "mine", home, env={})
    assert stow_dir == home / "mine"


def test_relative_target_in_the_stow_dirs_own_stowrc_is_relative_to_it(
    home: Path,
) -> None:
    make_tree(home, {"code/dotfiles/.stowrc": "--target=../..\n"})
    _, target, _ = resolve_stow_location(home / "code/dotfiles", home, env={})
    assert target == home


def test_stowrc_pointing_at_a_missing_dir_says_where_it_came_from(home: Path) -> None:
    make_tree(home, {".stowrc": "-d ~/gone\n"})
    with pytest.raises(UsageError) as err:
        resolve_stow_location(None, home, env={})
    assert str(err.value) == (
        "dotfiles directory ~/gone (from --dir in ~/.stowrc) does not exist"
    )


def test_stowrc_target_that_does_not_exist_is_an_error(home: Path) -> None:
    make_tree(home, {"dotfiles/.stowrc": "--target=/no/such/dir\n"})
    with pytest.raises(UsageError, match="target /no/such/dir"):
        resolve_stow_location(None, home, env={})


# ---------------------------------------------------------------- ignore lists


@pytest.mark.parametrize(
    ("pattern", "ignored"),
    [  # the worked example from the Stow manual, "Types And Syntax Of Ignore Lists"
        ("bazqux", True),
        ("baz.*", True),
        (".*qux", True),
        ("bar/.*x", True),
        ("^/foo/.*qux", True),
        ("bar", False),
        ("baz", False),
        ("qux", False),
        ("o/bar/b", False),
        ("ar/bazqux", False),  # a pattern with "/" matches whole components
    ],
)
def test_ignore_patterns_match_like_the_manual_says(
    pattern: str, ignored: bool
) -> None:
    rules, problems = compile_ignore_rules([pattern], [], source="test")
    assert rules.ignores("foo/bar/bazqux") is ignored
    assert problems == []


def test_builtin_ignore_list_applies_when_no_list_is_given(home: Path) -> None:
    inventory = scan(
        home,
        {
            "dotfiles/git/.gitconfig": "",
            "dotfiles/git/README.md": "top level: ignored",
            "dotfiles/git/LICENSE.txt": "",
            "dotfiles/git/COPYING": "",
            "dotfiles/git/docs/README.md": "not top level: kept",
            "dotfiles/git/.git/config": "",
            "dotfiles/git/.gitignore": "",
            "dotfiles/git/.gitconfig~": "",
            "dotfiles/git/#.gitconfig#": "",
            "dotfiles/git/.#lock": "",
            "dotfiles/git/CVS/Entries": "",
            "dotfiles/git/x,v": "",
        },
    )
    assert package(inventory, "git").targets == (".gitconfig", "docs/README.md")


def test_a_local_ignore_list_replaces_the_builtin_one(home: Path) -> None:
    inventory = scan(
        home,
        {
            "dotfiles/git/.stow-local-ignore": "secret.*   # keep out\n\\#hash\n",
            "dotfiles/git/secret.txt": "",
            "dotfiles/git/#hash": "",
            "dotfiles/git/README.md": "",
            "dotfiles/git/.gitconfig": "",
        },
    )
    assert package(inventory, "git").targets == (".gitconfig", "README.md")


def test_the_global_ignore_list_in_home_is_used_without_a_local_one(home: Path) -> None:
    inventory = scan(
        home,
        {
            ".stow-global-ignore": "\\.DS_Store\n",
            "dotfiles/git/.DS_Store": "",
            "dotfiles/git/README.md": "",
        },
    )
    assert package(inventory, "git").targets == ("README.md",)


def test_ignore_option_is_anchored_at_the_end_only(home: Path) -> None:
    inventory = scan(
        home,
        {"dotfiles/x/notes.md": "", "dotfiles/x/cmd": "", "dotfiles/x/md.txt": ""},
        options=StowOptions(ignore=("md",)),
    )
    assert package(inventory, "x").targets == ("md.txt",)


def test_quoted_ignore_patterns_are_reported(home: Path) -> None:
    inventory = scan(home, {"dotfiles/x/a": ""}, options=StowOptions(ignore=("'~'",)))
    assert any("--ignore='~' keeps its quotes" in p for p in inventory.problems)


# ---------------------------------------------------------------- --dotfiles


def test_dotfiles_option_translates_every_dot_component(home: Path) -> None:
    inventory = scan(
        home,
        {
            "dotfiles/zsh/dot-zshrc": "",
            "dotfiles/zsh/dot-config/zsh/dot-aliases": "",
            "dotfiles/zsh/dot-": "",
            "dotfiles/zsh/dot-gitignore": "the raw name is matched: not ignored",
            ".zshrc": Path("dotfiles/zsh/dot-zshrc"),
        },
        options=StowOptions(dotfiles=True),
    )
    zsh = package(inventory, "zsh")
    assert zsh.targets == (".config/zsh/.aliases", ".gitignore", ".zshrc", "dot-")
    assert [(link.path, link.source) for link in zsh.links] == [(".zshrc", "dot-zshrc")]
    assert zsh.status == "partial"


def test_dotfiles_from_the_stow_dirs_stowrc_are_honoured(home: Path) -> None:
    inventory = scan(
        home,
        {
            "dotfiles/.stowrc": "--dotfiles\n",
            "dotfiles/zsh/dot-zshrc": "",
            ".zshrc": Path("dotfiles/zsh/dot-zshrc"),
        },
    )
    assert package(inventory, "zsh").status == "stowed"
    assert inventory.options.rc_files == (str(home / "dotfiles/.stowrc"),)


# ---------------------------------------------------------------- packages


def test_packages_are_top_level_real_directories(home: Path, tmp_path: Path) -> None:
    make_tree(tmp_path, {"elsewhere/pkg/.x": ""})
    inventory = scan(
        home,
        {
            "dotfiles/git/.gitconfig": "",
            "dotfiles/.git/config": "",
            "dotfiles/README.md": "",
            "dotfiles/CVS/Root": "",
            "dotfiles/linked": tmp_path / "elsewhere/pkg",
            "dotfiles/install.sh": Path("git/.gitconfig"),
        },
    )
    assert [p.name for p in inventory.packages] == ["git"]
    [problem] = inventory.problems
    assert problem.startswith(
        "linked in the stow directory is a symlink to a directory"
    )


def test_a_symlinked_stow_dir_is_recognised_in_both_spellings(
    home: Path, tmp_path: Path
) -> None:
    make_tree(
        tmp_path,
        {"code/dotfiles/git/.gitconfig": "", "code/dotfiles/git/.gitmessage": ""},
    )
    inventory = scan(
        home,
        {
            "dotfiles": tmp_path / "code/dotfiles",
            ".gitconfig": Path("dotfiles/git/.gitconfig"),  # through the symlink
            ".gitmessage": Path("../code/dotfiles/git/.gitmessage"),  # as stow writes
        },
    )
    assert package(inventory, "git").status == "stowed"
    assert inventory.stale_links == ()


def test_a_missing_stow_dir_is_a_usage_error(home: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        scan_stow(home / "nope", home)


# ---------------------------------------------------------------- status in the home


def test_a_folded_directory_link_covers_everything_below_it(home: Path) -> None:
    inventory = scan(
        home,
        {
            "dotfiles/nvim/.config/nvim/init.lua": "",
            "dotfiles/nvim/.config/nvim/lua/opts.lua": "",
            ".config/nvim": Path("../dotfiles/nvim/.config/nvim"),
        },
    )
    nvim = package(inventory, "nvim")
    assert nvim.status == "stowed"
    assert nvim.targets == (".config/nvim/init.lua", ".config/nvim/lua/opts.lua")
    [link] = nvim.links
    assert (link.path, link.link, link.folded, link.absolute, link.source) == (
        ".config/nvim",
        "../dotfiles/nvim/.config/nvim",
        True,
        False,
        ".config/nvim",
    )


def test_per_file_links_in_real_directories_are_stowed(home: Path) -> None:
    inventory = scan(
        home,
        {
            "dotfiles/nvim/.config/nvim/init.lua": "",
            ".config/nvim/init.lua": Path("../../dotfiles/nvim/.config/nvim/init.lua"),
        },
    )
    nvim = package(inventory, "nvim")
    assert nvim.status == "stowed"
    assert [(link.path, link.folded) for link in nvim.links] == [
        (".config/nvim/init.lua", False)
    ]


def test_some_links_missing_is_partial_and_none_is_unstowed(home: Path) -> None:
    inventory = scan(
        home,
        {
            "dotfiles/git/.gitconfig": "",
            "dotfiles/git/.gitmessage": "",
            "dotfiles/tmux/.tmux.conf": "",
            ".gitconfig": Path("dotfiles/git/.gitconfig"),
        },
    )
    assert package(inventory, "git").status == "partial"
    assert package(inventory, "tmux").status == "unstowed"


@pytest.mark.parametrize(
    ("in_home", "kind"),
    [
        ("a file", "file"),
        (Path("/etc/zshrc-elsewhere"), "foreign-link"),
        (Path("../outside/zshrc"), "foreign-link"),
        (Path("dotfiles/bash/.zshrc"), "other-package"),
    ],
)
def test_something_not_ours_in_the_way_is_a_conflict(
    home: Path, in_home: str | Path, kind: str
) -> None:
    inventory = scan(
        home,
        {
            "dotfiles/zsh/.zshrc": "",
            "dotfiles/bash/.zshrc": "",
            ".zshrc": in_home,
        },
    )
    zsh = package(inventory, "zsh")
    assert zsh.status == "conflict"
    assert [(c.path, c.kind) for c in zsh.conflicts] == [(".zshrc", kind)]


def test_a_directory_where_the_package_has_a_file_is_a_conflict(home: Path) -> None:
    inventory = scan(home, {"dotfiles/vim/.vimrc": "", ".vimrc/x": ""})
    assert [(c.path, c.kind) for c in package(inventory, "vim").conflicts] == [
        (".vimrc", "directory")
    ]


def test_another_packages_folded_directory_is_not_a_conflict(home: Path) -> None:
    # stow would unfold .config into a real directory holding both packages' links
    inventory = scan(
        home,
        {
            "dotfiles/nvim/.config/nvim/init.lua": "",
            "dotfiles/starship/.config/starship.toml": "",
            ".config": Path("dotfiles/nvim/.config"),
        },
    )
    assert package(inventory, "nvim").status == "stowed"
    assert package(inventory, "starship").status == "unstowed"


def test_defer_leaves_a_path_to_the_other_package(home: Path) -> None:
    spec: dict[str, str | bytes | Path] = {
        "dotfiles/zsh/.zshrc": "",
        "dotfiles/zsh/.zprofile": "",
        "dotfiles/prezto/.zshrc": "",
        ".zshrc": Path("dotfiles/prezto/.zshrc"),
        ".zprofile": Path("dotfiles/zsh/.zprofile"),
    }
    deferred = scan(home, spec, options=StowOptions(defer=(r"\.zsh",)))
    overridden = scan_stow(
        home / "dotfiles", home, options=StowOptions(override=("[.]z",))
    )
    plain = scan_stow(home / "dotfiles", home, options=StowOptions())
    assert package(deferred, "zsh").status == "stowed"
    assert package(overridden, "zsh").status == "partial"
    assert package(plain, "zsh").status == "conflict"


def test_an_absolute_link_to_our_file_is_listed_and_flagged(home: Path) -> None:
    inventory = scan(
        home,
        {
            "dotfiles/zsh/.zshrc": "",
            ".zshrc": home / "dotfiles/zsh/.zshrc",
        },
    )
    zsh = package(inventory, "zsh")
    [link] = zsh.links
    assert link.absolute
    assert link.link == str(home / "dotfiles/zsh/.zshrc")
    assert zsh.status == "conflict"  # stow neither restows nor unstows it
    assert [(c.path, c.kind) for c in zsh.conflicts] == [(".zshrc", "absolute-link")]


def test_an_absolute_symlink_inside_a_package_is_a_conflict(home: Path) -> None:
    inventory = scan(home, {"dotfiles/x/.rc": Path("/etc/hostname")})
    assert [c.kind for c in package(inventory, "x").conflicts] == ["absolute-link"]


# ---------------------------------------------------------------- stale and broken links


def test_links_left_by_deleted_files_and_packages_are_stale(home: Path) -> None:
    inventory = scan(
        home,
        {
            "dotfiles/git/.gitconfig": "",
            "dotfiles/nvim/.config/nvim/init.lua": "",
            "dotfiles/starship/.config/starship.toml": "",
            ".gitconfig": Path("dotfiles/git/.gitconfig"),
            ".gitmessage": Path("dotfiles/git/.gitmessage"),  # file deleted
            ".tmux.conf": Path("dotfiles/tmux/.tmux.conf"),  # package deleted
            ".config/nvim": Path("../dotfiles/nvim/.config/nvim"),
            ".config/kitty": Path("../dotfiles/kitty/.config/kitty"),
            ".config/fine": Path("nvim"),
            "projects/app/.envrc": Path("../../dotfiles/direnv/.envrc"),
        },
    )
    stale = {(link.path, link.source) for link in inventory.stale_links}
    assert stale == {
        (".gitmessage", "git/.gitmessage"),
        (".tmux.conf", "tmux/.tmux.conf"),
        (".config/kitty", "kitty/.config/kitty"),
    }  # projects/ is named by no package, so it is never looked at
    assert {link.path for link in inventory.broken_links} == {
        ".gitmessage",
        ".tmux.conf",
        ".config/kitty",
    }
    assert package(inventory, "git").status == "stowed"
    assert inventory.unowned_links == ()  # all dangle: archiving breaks none
    assert not any("belong to no package" in p for p in inventory.problems)


def test_a_dangling_link_into_the_stow_dir_is_replaceable_not_a_conflict(
    home: Path,
) -> None:
    inventory = scan(
        home,
        {
            "dotfiles/git/.gitconfig": "",
            ".gitconfig": Path("dotfiles/git/old/.gitconfig"),
        },
    )
    assert package(inventory, "git").status == "unstowed"
    assert [link.path for link in inventory.stale_links] == [".gitconfig"]


def test_a_foreign_dangling_link_in_home_is_broken_not_stale(home: Path) -> None:
    inventory = scan(
        home, {"dotfiles/git/.gitconfig": "", ".oldrc": Path(".old-dotfiles/oldrc")}
    )
    assert [link.path for link in inventory.broken_links] == [".oldrc"]
    assert inventory.stale_links == ()


# ---------------------------------------------------------------- robustness


def test_symlink_loops_are_reported_not_fatal(home: Path) -> None:
    inventory = scan(
        home,
        {
            "dotfiles/zsh/.zshrc": "",
            ".zshrc": Path(".zshrc"),
            ".loop-a": Path(".loop-b"),
            ".loop-b": Path(".loop-a"),
        },
    )
    assert package(inventory, "zsh").status == "conflict"
    loops = [p for p in inventory.problems if "symlink loop" in p]
    assert loops == [
        "~/.loop-a is part of a symlink loop",
        "~/.loop-b is part of a symlink loop",
        "~/.zshrc is part of a symlink loop",
    ]


def test_links_out_of_the_home_are_not_followed(home: Path, tmp_path: Path) -> None:
    # if the scan followed .config out of home it would find a link to nvim there
    make_tree(tmp_path, {"outside/nvim": Path("../home/dotfiles/nvim/.config/nvim")})
    inventory = scan(
        home,
        {
            "dotfiles/nvim/.config/nvim/init.lua": "",
            ".config": tmp_path / "outside",
        },
    )
    nvim = package(inventory, "nvim")
    assert nvim.links == ()
    assert [(c.path, c.kind) for c in nvim.conflicts] == [(".config", "foreign-link")]
    assert inventory.stale_links == ()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any directory")
def test_an_unreadable_directory_is_reported_not_fatal(home: Path) -> None:
    make_tree(home, {"dotfiles/nvim/.config/nvim/init.lua": "", ".config/x": ""})
    (home / ".config").chmod(0)
    try:
        inventory = scan_stow(home / "dotfiles", home)
    finally:
        (home / ".config").chmod(0o755)
    assert any(".config" in problem for problem in inventory.problems)


def test_a_directory_that_cannot_be_listed_is_reported_not_fatal(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(home, {"dotfiles/nvim/.config/nvim/init.lua": "", ".config/x": ""})
    real_open = os.open

    def refuse_config(path: str, flags: int, *args: int, **kwargs: int) -> int:
        if str(path) == str(home / ".config"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse_config)
    inventory = scan_stow(home / "dotfiles", home)
    assert "cannot read ~/.config (Permission denied)" in inventory.problems
    assert package(inventory, "nvim").status == "unstowed"


def test_odd_file_names_are_scanned_and_the_awkward_ones_reported(home: Path) -> None:
    latin1 = os.fsdecode(b"caf\xe9")
    names = ["with space", 'it\'s "quoted"', "new\nline", latin1]
    spec: dict[str, str | bytes | Path] = {f"dotfiles/odd/{n}": "x" for n in names}
    spec.update({n: Path(f"dotfiles/odd/{n}") for n in names})
    inventory = scan(home, spec)
    odd = package(inventory, "odd")
    assert odd.status == "stowed"
    assert set(odd.targets) == set(names)
    assert sorted(inventory.problems) == [
        "odd/caf\\xe9 is not valid UTF-8",
        "odd/new\\nline contains a newline or another control character",
    ]
