from __future__ import annotations

import json

import pytest

from nixmigrate.errors import NixmigrateError
from nixmigrate.plan.starship import PlainValue, starship_to_settings

STARSHIP_TOML = """\
"$schema" = 'https://starship.rs/config-schema.json'

# prompt layout
format = \"\"\"
$directory\\
$git_branch\\
$git_status\\
$line_break\\
$character\"\"\"
add_newline = false
command_timeout = 1000
scan_timeout = 30

[character]
success_symbol = "[\\u276f](bold green)"
error_symbol = "[\\u276f](bold red)"

[directory]
truncation_length = 3
truncate_to_repo = true
substitutions = { "Documents" = "󰈙 ", "~/src/github.com" = "gh" }

[git_branch]
symbol = " "
ignore_branches = ["master", "main"]

[git_status]
ahead = "⇡${count}"
diverged = "⇕⇡${ahead_count}⇣${behind_count}"

[aws]
disabled = true

[battery]
full_symbol = "🔋 "

[[battery.display]]
threshold = 10
style = "bold red"

[[battery.display]]
threshold = 30
style = "bold yellow"

[custom.jj]
command = "jj log -r@ --no-graph -T 'change_id.short()'"
when = "jj root"
symbol = "jj "

[directory.substitutions2]
"~/Work" = "W"

[time]
disabled = false
utc_time_offset = "local"
time_range = "10:00:00-14:00:00"
opacity = 0.5
"""


def _assert_plain(value: PlainValue) -> None:
    """Only builtin types, so the planner can render it without tomlkit."""
    if isinstance(value, dict):
        assert type(value) is dict
        for key, item in value.items():
            assert type(key) is str
            _assert_plain(item)
    elif isinstance(value, list):
        assert type(value) is list
        for item in value:
            _assert_plain(item)
    else:
        assert type(value) in {str, int, float, bool}


def test_a_real_starship_toml_becomes_plain_settings_in_file_order() -> None:
    settings = starship_to_settings(STARSHIP_TOML, origin="starship.toml")

    assert list(settings) == [
        "$schema",
        "format",
        "add_newline",
        "command_timeout",
        "scan_timeout",
        "character",
        "directory",
        "git_branch",
        "git_status",
        "aws",
        "battery",
        "custom",
        "time",
    ]
    assert settings["format"] == (
        "$directory$git_branch$git_status$line_break$character"
    )
    assert settings["add_newline"] is False
    assert settings["directory"] == {
        "truncation_length": 3,
        "truncate_to_repo": True,
        "substitutions": {"Documents": "󰈙 ", "~/src/github.com": "gh"},
        "substitutions2": {"~/Work": "W"},
    }
    assert settings["battery"] == {
        "full_symbol": "🔋 ",
        "display": [
            {"threshold": 10, "style": "bold red"},
            {"threshold": 30, "style": "bold yellow"},
        ],
    }
    assert settings["character"] == {
        "success_symbol": "[\u276f](bold green)",
        "error_symbol": "[\u276f](bold red)",
    }
    assert settings["git_status"] == {
        "ahead": "⇡${count}",
        "diverged": "⇕⇡${ahead_count}⇣${behind_count}",
    }
    assert settings["custom"] == {
        "jj": {
            "command": "jj log -r@ --no-graph -T 'change_id.short()'",
            "when": "jj root",
            "symbol": "jj ",
        }
    }
    assert settings["time"] == {
        "disabled": False,
        "utc_time_offset": "local",
        "time_range": "10:00:00-14:00:00",
        "opacity": 0.5,
    }
    _assert_plain(settings)
    json.dumps(settings)  # what the planner does with it must not fail


def test_an_empty_file_gives_empty_settings() -> None:
    assert starship_to_settings("# nothing yet\n", origin="starship.toml") == {}


def test_a_date_becomes_an_iso_string() -> None:
    settings = starship_to_settings("since = 2024-05-01\n", origin="starship.toml")

    assert settings == {"since": "2024-05-01"}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('add_newline = false\nformat = "$all\n', 2),
        ("add_newline = false\n\n[character\nsymbol = 1\n", 3),
        ("[character]\nsymbol = 1\n\nsymbol = 2\n", 4),
        ("a = 1\nb = \n", 2),
    ],
)
def test_invalid_toml_names_the_file_and_the_line(text: str, line: int) -> None:
    origin = "/home/ada/dotfiles/starship/.config/starship.toml"

    with pytest.raises(NixmigrateError) as caught:
        starship_to_settings(text, origin=origin)

    message = str(caught.value)
    assert message.startswith(f"{origin} is not valid TOML")
    assert f"line {line}" in message
    assert caught.value.hint is not None
