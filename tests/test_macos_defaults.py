from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from nixmigrate.errors import MappingError, ToolMissingError
from nixmigrate.mapping.macos_defaults import (
    DefaultsOption,
    DefaultsTable,
    Scalar,
    load_defaults_table,
    parse_defaults_table,
)
from nixmigrate.plan.macos_defaults import defaults_to_system_defaults
from nixmigrate.scan.macos_defaults import read_defaults
from tests.conftest import REPO
from tests.fakes import FakeRunner

MAPPINGS = REPO / "mappings"
DATA = REPO.parent / "shared" / "data"
FIXTURE_DOMAINS = (
    "NSGlobalDomain",
    "com.apple.dock",
    "com.apple.finder",
    "com.apple.AppleMultitouchTrackpad",
    "com.apple.driver.AppleBluetoothMultitouch.trackpad",
)


def defaults_runner(
    plist_dir: Path, failing: Mapping[str, str] | None = None
) -> FakeRunner:
    """Plays `defaults export DOMAIN -` from fixtures/defaults/DOMAIN.plist.

    A domain without a fixture answers like `defaults` for a domain never written;
    `failing` domains answer with another error.
    """
    failing = failing or {}

    def answer(argv: list[str]) -> CompletedProcess[str]:
        domain = argv[-2]
        if domain in failing:
            return CompletedProcess(argv, 1, "", failing[domain])
        plist = plist_dir / f"{domain}.plist"
        if not plist.exists():
            return CompletedProcess(argv, 1, "", f"Domain {domain} does not exist\n")
        return CompletedProcess(argv, 0, plist.read_text(encoding="utf-8"), "")

    return FakeRunner(answer)


def no_defaults_tool(argv: list[str]) -> CompletedProcess[str]:
    raise ToolMissingError(argv[0])


@pytest.fixture(scope="module")
def table() -> DefaultsTable:
    return load_defaults_table(MAPPINGS)


@pytest.fixture
def runner(fixtures_dir: Path) -> FakeRunner:
    return defaults_runner(fixtures_dir / "defaults")


# ---------------------------------------------------------------- the table


def test_the_table_maps_only_active_scalar_options(table: DefaultsTable) -> None:
    autohide = table.lookup("com.apple.dock", "autohide")
    assert autohide is not None
    assert (autohide.group, autohide.name, autohide.type) == (
        "dock",
        "autohide",
        "bool",
    )
    assert table.lookup("com.apple.dock", "expose-group-by-app") is None  # renamed
    assert table.lookup("/Library/Preferences/com.apple.alf", "globalstate") is None
    assert table.lookup("com.apple.dock", "persistent-apps") is None
    assert table.not_converted_for("com.apple.dock", "persistent-apps") is not None


def test_the_table_reads_the_global_domain_once_and_byhost_domains_per_host(
    table: DefaultsTable,
) -> None:
    scaling = table.lookup("NSGlobalDomain", "com.apple.mouse.scaling")

    assert scaling is not None
    assert scaling.group == ".GlobalPreferences"
    assert ".GlobalPreferences" not in table.domains
    assert "-g" not in table.domains
    assert "ByHost/com.apple.controlcenter" in table.domains


@pytest.mark.skipif(not DATA.exists(), reason="the fact tables are not on this host")
def test_the_committed_table_is_what_the_script_builds() -> None:
    from scripts import build_macos_defaults as script

    rows = list(script.read_tsv(DATA / script.TSV_NAME))
    options, not_converted = script.build(rows)

    expected = script.render(options, not_converted)
    assert (MAPPINGS / "macos-defaults.toml").read_text(encoding="utf-8") == expected


def test_a_malformed_table_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "macos-defaults.toml").write_text(
        'schema_version = 1\n[[option]]\ndomain = "com.apple.dock"\nkey = "x"\n'
        'group = "dock"\nname = "x"\ntype = "colour"\n',
        encoding="utf-8",
    )

    with pytest.raises(
        MappingError, match=r"macos-defaults\.toml.*unknown type 'colour'"
    ):
        load_defaults_table(tmp_path)


def test_a_missing_table_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=str(tmp_path)):
        load_defaults_table(tmp_path)


# ---------------------------------------------------------------- reading


def test_each_domain_is_exported_with_defaults(runner: FakeRunner) -> None:
    read_defaults(runner, ["com.apple.dock", "ByHost/com.apple.controlcenter"])

    assert runner.calls == [
        ["defaults", "export", "com.apple.dock", "-"],
        ["defaults", "-currentHost", "export", "com.apple.controlcenter", "-"],
    ]


def test_plist_values_keep_their_types(runner: FakeRunner) -> None:
    raw, warnings = read_defaults(runner, ["com.apple.dock"])

    dock = raw["com.apple.dock"]
    assert warnings == []
    assert dock["autohide"] is True
    assert dock["tilesize"] == 48
    assert dock["autohide-time-modifier"] == 0.4
    assert dock["orientation"] == "left"
    apps = dock["persistent-apps"]
    assert isinstance(apps, list)
    assert len(apps) == 2


def test_an_unwritten_domain_is_empty_and_a_failing_one_a_warning(
    fixtures_dir: Path,
) -> None:
    runner = defaults_runner(
        fixtures_dir / "defaults",
        failing={"com.apple.screencapture": "Could not open domain\n"},
    )

    raw, warnings = read_defaults(
        runner,
        ["com.apple.menuextra.clock", "com.apple.screencapture", "com.apple.dock"],
    )

    assert raw["com.apple.menuextra.clock"] == {}
    assert "com.apple.screencapture" not in raw
    assert "com.apple.dock" in raw
    assert warnings == [
        (
            "macOS defaults domain com.apple.screencapture was not read: "
            "'defaults export' exited 1: Could not open domain"
        )
    ]


def test_output_that_is_not_a_plist_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "com.apple.dock.plist").write_text("{ autohide = 1; }\n")
    runner = defaults_runner(tmp_path)

    raw, warnings = read_defaults(runner, ["com.apple.dock"])

    assert raw == {}
    assert len(warnings) == 1
    assert "did not print a property list" in warnings[0]


def test_without_the_defaults_tool_one_warning_is_given() -> None:
    runner = FakeRunner(no_defaults_tool)

    raw, warnings = read_defaults(runner, ["com.apple.dock", "com.apple.finder"])

    assert raw == {}
    assert warnings == ["'defaults' was not found; macOS settings were not read"]
    assert len(runner.calls) == 1


# ---------------------------------------------------------------- converting


def test_a_customised_mac_becomes_nix_darwin_system_defaults(
    runner: FakeRunner, table: DefaultsTable
) -> None:
    raw, _ = read_defaults(runner, FIXTURE_DOMAINS)

    system_defaults, _ = defaults_to_system_defaults(raw, table)

    assert system_defaults == {
        ".GlobalPreferences": {"com.apple.mouse.scaling": 1.5},
        "NSGlobalDomain": {
            "AppleInterfaceStyle": "Dark",
            "AppleKeyboardUIMode": 2,
            "ApplePressAndHoldEnabled": False,
            "AppleShowAllExtensions": True,
            "AppleShowScrollBars": "Always",
            "InitialKeyRepeat": 15,
            "KeyRepeat": 2,
            "NSAutomaticCapitalizationEnabled": False,
            "NSAutomaticSpellingCorrectionEnabled": False,
            "NSNavPanelExpandedStateForSaveMode": True,
            "com.apple.springing.delay": 0.5,
            "com.apple.springing.enabled": True,
            "com.apple.swipescrolldirection": False,
            "com.apple.trackpad.forceClick": True,
            "com.apple.trackpad.scaling": 2.0,
        },
        "dock": {
            "autohide": True,
            "autohide-delay": 0.0,
            "autohide-time-modifier": 0.4,
            "largesize": 72,
            "magnification": True,
            "mineffect": "scale",
            "mru-spaces": False,
            "orientation": "left",
            "show-recents": False,
            "showAppExposeGestureEnabled": True,
            "tilesize": 48,
            "wvous-br-corner": 14,
            "wvous-tl-corner": 2,
        },
        "finder": {
            "AppleShowAllFiles": True,
            "FXDefaultSearchScope": "SCcf",
            "FXEnableExtensionChangeWarning": False,
            "FXPreferredViewStyle": "Nlsv",
            "NewWindowTarget": "Home",
            "NewWindowTargetPath": "file:///Users/ada/",
            "ShowExternalHardDrivesOnDesktop": True,
            "ShowHardDrivesOnDesktop": False,
            "ShowPathbar": True,
            "ShowRemovableMediaOnDesktop": True,
            "ShowStatusBar": True,
            "_FXShowPosixPathInTitle": True,
            "_FXSortFoldersFirst": True,
        },
        "trackpad": {
            "ActuateDetents": True,
            "Clicking": True,
            "DragLock": False,
            "Dragging": False,
            "FirstClickThreshold": 1,
            "ForceSuppressed": False,
            "SecondClickThreshold": 1,
            "TrackpadCornerSecondaryClick": 0,
            "TrackpadMomentumScroll": True,
            "TrackpadRightClick": True,
            "TrackpadThreeFingerDrag": True,
            "TrackpadThreeFingerTapGesture": 0,
        },
    }


def test_everything_left_out_is_reported_with_its_reason(
    runner: FakeRunner, table: DefaultsTable
) -> None:
    raw, _ = read_defaults(runner, FIXTURE_DOMAINS)

    _, unsupported = defaults_to_system_defaults(raw, table)

    no_option = [line.split(":")[0] for line in unsupported if "no nix-darwin" in line]
    assert no_option == [
        "NSGlobalDomain 'AKLastIDMSEnvironment'",
        "NSGlobalDomain 'AppleAccentColor'",
        "NSGlobalDomain 'AppleAntiAliasingThreshold'",
        "NSGlobalDomain 'AppleLanguages'",
        "NSGlobalDomain 'AppleLocale'",
        "NSGlobalDomain 'AppleMiniaturizeOnDoubleClick'",
        "NSGlobalDomain 'NSLinguisticDataAssetsRequested'",
        "NSGlobalDomain 'NSUserDictionaryReplacementItems'",
        "NSGlobalDomain 'com.apple.sound.beep.flash'",
        "com.apple.dock 'lastShowIndicatorTime'",
        "com.apple.dock 'loc'",
        "com.apple.dock 'mod-count'",
        "com.apple.dock 'recent-apps'",
        "com.apple.dock 'region'",
        "com.apple.dock 'trash-full'",
        "com.apple.dock 'version'",
        "com.apple.dock 'wvous-br-modifier'",
        "com.apple.dock 'wvous-tl-modifier'",
        "com.apple.finder 'DesktopViewSettings'",
        "com.apple.finder 'FK_SidebarWidth'",
        "com.apple.finder 'FXICloudDriveDesktop'",
        "com.apple.finder 'FXRecentFolders'",
        "com.apple.finder 'GoToField'",
        "com.apple.finder 'SearchRecentsSavedViewStyle'",
        "com.apple.AppleMultitouchTrackpad 'TrackpadFiveFingerPinchGesture'",
        "com.apple.AppleMultitouchTrackpad 'USBMouseStopsTrackpad'",
        "com.apple.AppleMultitouchTrackpad 'UserPreferences'",
        "com.apple.AppleMultitouchTrackpad 'version'",
        "com.apple.driver.AppleBluetoothMultitouch.trackpad 'version'",
    ]
    by_hand = [line for line in unsupported if line.endswith("set it by hand")]
    assert [line.split(":")[0] for line in by_hand] == [
        "com.apple.dock 'persistent-apps'",
        "com.apple.dock 'persistent-others'",
    ]
    assert (
        "com.apple.driver.AppleBluetoothMultitouch.trackpad 'Clicking': "
        "False differs from com.apple.AppleMultitouchTrackpad (kept True)"
    ) in unsupported
    assert len(unsupported) == len(no_option) + len(by_hand) + 1


def _option(value_type: str = "int", **extra: object) -> DefaultsTable:
    lines = [
        "schema_version = 1",
        "[[option]]",
        'domain = "d"',
        'key = "k"',
        'group = "g"',
        'name = "n"',
        f'type = "{value_type}"',
        *(f"{name} = {value}" for name, value in extra.items()),
    ]
    return parse_defaults_table("\n".join(lines) + "\n", origin="test.toml")


@pytest.mark.parametrize(
    ("table_spec", "plist_value", "expected"),
    [
        (("bool", {}), True, True),
        (("bool", {}), 1, True),
        (("bool", {}), 0, False),
        (("bool", {}), "YES", True),
        (("bool", {}), "false", False),
        (("int", {}), 48, 48),
        (("int", {}), 48.0, 48),
        (("int", {}), "2", 2),
        (("float", {}), 1, 1.0),
        (("float", {}), "0.25", 0.25),
        (("string", {}), "png", "png"),
        (
            ("path", {}),
            "/System/Library/Sounds/Pop.aiff",
            "/System/Library/Sounds/Pop.aiff",
        ),
        (("enum", {"values": '["bottom", "left", "right"]'}), "left", "left"),
        (("enum", {"values": "[0, 2, 3]"}), 3, 3),
        (("int", {"minimum": 16, "maximum": 128}), 128, 128),
        (
            ("bool", {"decode": "[[18, true], [24, false]]"}),
            24,
            False,
        ),
    ],
)
def test_values_are_coerced_as_macos_reads_them(
    table_spec: tuple[str, dict[str, object]], plist_value: object, expected: Scalar
) -> None:
    value_type, extra = table_spec
    table = _option(value_type, **extra)

    result, unsupported = defaults_to_system_defaults({"d": {"k": plist_value}}, table)

    assert unsupported == ()
    assert result == {"g": {"n": expected}}
    assert type(result["g"]["n"]) is type(expected)


@pytest.mark.parametrize(
    ("table_spec", "plist_value", "why"),
    [
        (("bool", {}), 2, "expects a boolean"),
        (("bool", {}), "maybe", "expects a boolean"),
        (("int", {}), True, "expects an integer"),
        (("int", {}), 47.5, "expects an integer"),
        (("int", {}), "12px", "expects an integer"),
        (("float", {}), False, "expects a number"),
        (("string", {}), 5, "expects a string"),
        (("path", {}), "~/Pictures", "expects an absolute path"),
        (("enum", {"values": '["Dark"]'}), "Light", "must be one of 'Dark'"),
        (("enum", {"values": "[1]"}), True, "expects an integer"),
        (("int", {"minimum": 16, "maximum": 128}), 200, "must be at most 128"),
        (("int", {"minimum": 1}), 0, "must be at least 1"),
        (
            ("enum", {"values": '["Home"]', "decode": '[["PfHm", "Home"]]'}),
            "PfXX",
            "has no nix-darwin equivalent",
        ),
        (("bool", {}), b"\x00\x01", "expects a boolean"),
    ],
)
def test_values_that_do_not_fit_are_reported_not_emitted(
    table_spec: tuple[str, dict[str, object]], plist_value: object, why: str
) -> None:
    value_type, extra = table_spec
    table = _option(value_type, **extra)

    result, unsupported = defaults_to_system_defaults({"d": {"k": plist_value}}, table)

    assert result == {}
    assert len(unsupported) == 1
    assert unsupported[0].startswith("d 'k': ")
    assert why in unsupported[0]
    assert "(system.defaults.g.n)" in unsupported[0]


def test_a_table_option_and_its_lookup_agree() -> None:
    table = _option("bool")

    assert table.lookup("d", "k") == DefaultsOption("d", "k", "g", "n", "bool")
    assert table.domains == ("d",)
