from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from nixmigrate.scan.brew import (
    BREW_ENV,
    UnreadableOutputError,
    brew_info_cmd,
    brew_leaves_cmd,
    brew_list_casks_cmd,
    brew_list_formulae_cmd,
    brew_prefix_cmd,
    brew_services_json_cmd,
    brew_services_table_cmd,
    brew_tap_cmd,
    brew_version_cmd,
    cask_apps,
    fallback_formulae,
    mas_list_cmd,
    parse_brew_version,
    parse_info_v2,
    parse_leaves,
    parse_list_versions,
    parse_mas_list,
    parse_services_json,
    parse_services_table,
    parse_taps,
    scan_brew,
)
from nixmigrate.scan.inventory import (
    BrewCask,
    BrewFormula,
    BrewInventory,
    BrewService,
    MasApp,
)
from nixmigrate.system.replay import ReplayRunner
from nixmigrate.system.runner import DEFAULT_TIMEOUT, SubprocessRunner
from tests.conftest import FIXTURES, REPO
from tests.fakebrew import (
    copy_recording,
    install_fake_tool,
    invocations,
    log_invocations,
    set_recording,
    write_fake_tool,
)

BREW = FIXTURES / "brew"
DEMO = REPO / "nixmigrate" / "demo" / "brew"
NOWHERE = ("/nonexistent/opt/homebrew/bin/brew",)


def read(scenario: str, name: str) -> str:
    return (BREW / scenario / name).read_text(encoding="utf-8")


def by_name(formulae: Sequence[BrewFormula]) -> dict[str, BrewFormula]:
    return {f.name: f for f in formulae}


def never(_: str) -> bool:
    return False


# ---------------------------------------------------------------- argv builders


def test_the_commands_nixmigrate_runs() -> None:
    assert brew_prefix_cmd() == ["brew", "--prefix"]
    assert brew_version_cmd() == ["brew", "--version"]
    assert brew_info_cmd() == ["brew", "info", "--json=v2", "--installed"]
    assert brew_list_formulae_cmd() == ["brew", "list", "--formula", "--versions"]
    assert brew_leaves_cmd() == ["brew", "leaves", "--installed-on-request"]
    assert brew_list_casks_cmd() == ["brew", "list", "--cask", "--versions"]
    assert brew_tap_cmd() == ["brew", "tap"]
    assert brew_services_json_cmd() == ["brew", "services", "list", "--json"]
    assert brew_services_table_cmd() == ["brew", "services", "list"]
    assert mas_list_cmd("/opt/homebrew/bin/mas") == ["/opt/homebrew/bin/mas", "list"]
    assert brew_tap_cmd("/usr/local/bin/brew")[0] == "/usr/local/bin/brew"


def test_brew_runs_without_auto_update_analytics_hints_or_colour() -> None:
    assert BREW_ENV == {
        "HOMEBREW_NO_AUTO_UPDATE": "1",
        "HOMEBREW_NO_ANALYTICS": "1",
        "HOMEBREW_NO_ENV_HINTS": "1",
        "HOMEBREW_NO_COLOR": "1",
    }


# ---------------------------------------------------------------- parse_info_v2


@pytest.fixture(scope="module")
def mac_arm() -> tuple[dict[str, BrewFormula], dict[str, BrewCask]]:
    formulae, casks = parse_info_v2(read("mac-arm", "info.json"))
    return by_name(formulae), {c.token: c for c in casks}


def test_requested_formulae_are_told_apart_from_dependencies(
    mac_arm: tuple[dict[str, BrewFormula], dict[str, BrewCask]],
) -> None:
    formulae, _ = mac_arm
    requested = {name for name, f in formulae.items() if f.on_request}
    assert requested == {
        "fd", "fzf", "gh", "git", "go", "jq", "mas", "node@20", "postgresql@16",
        "python@3.12", "redis", "ripgrep", "terraform",
    }  # fmt: skip
    assert not formulae["openssl@3"].on_request
    assert len(formulae) == 31


def test_a_keg_receipt_with_neither_flag_counts_as_requested(
    mac_arm: tuple[dict[str, BrewFormula], dict[str, BrewCask]],
) -> None:
    # jq was poured before Homebrew recorded installed_on_request/as_dependency
    assert mac_arm[0]["jq"].on_request


def test_the_newest_installed_keg_gives_the_version(
    mac_arm: tuple[dict[str, BrewFormula], dict[str, BrewCask]],
) -> None:
    formulae, _ = mac_arm
    assert formulae["node@20"].version == "20.20.2"  # 20.19.4 is still installed too
    assert formulae["pcre2"].version == "10.47_1"  # Homebrew revision suffix kept
    assert formulae["go"].version == "1.26.4"  # pinned below the current 1.27.0
    assert formulae["go"].pinned
    assert not formulae["git"].pinned


def test_formula_facts_come_through(
    mac_arm: tuple[dict[str, BrewFormula], dict[str, BrewCask]],
) -> None:
    formulae, _ = mac_arm
    git = formulae["git"]
    assert git.tap == "homebrew/core"
    assert git.desc == "Distributed revision control system"
    assert git.homepage == "https://git-scm.com"
    assert set(git.dependencies) == {"gettext", "libunistring", "pcre2"}
    assert formulae["ripgrep"].aliases == ("rg",)
    assert formulae["postgresql@16"].keg_only
    assert not git.keg_only


def test_third_party_tap_formulae_keep_their_tap(
    mac_arm: tuple[dict[str, BrewFormula], dict[str, BrewCask]],
) -> None:
    terraform = mac_arm[0]["terraform"]
    assert (terraform.tap, terraform.full_name) == (
        "hashicorp/tap",
        "hashicorp/tap/terraform",
    )
    assert terraform.version == "1.14.3"


def test_casks_report_installed_version_and_app_bundles(
    mac_arm: tuple[dict[str, BrewFormula], dict[str, BrewCask]],
) -> None:
    casks = mac_arm[1]
    firefox = casks["firefox"]
    assert firefox.version == "146.0.1"  # installed, though 147.0.3 is current
    assert firefox.auto_updates
    assert firefox.apps == ("Firefox.app",)
    assert casks["wezterm"].apps == ("WezTerm.app",)  # nested in the zip
    assert casks["visual-studio-code"].names == (
        "Microsoft Visual Studio Code",
        "VS Code",
    )
    assert casks["font-jetbrains-mono-nerd-font"].apps == ()
    assert not casks["wezterm"].auto_updates


def test_older_homebrew_json_shapes_still_parse() -> None:
    formulae, casks = parse_info_v2(read("services-table", "info.json"))
    ripgrep = by_name(formulae)["ripgrep"]
    assert (ripgrep.version, ripgrep.dependencies) == ("12.1.1_1", ("pcre",))
    assert {c.token: c.apps for c in casks} == {
        "firefox": ("Firefox.app",),
        "iterm2": ("iTerm.app",),
        "visual-studio-code": ("Visual Studio Code.app",),
    }


def test_app_targets_rename_the_bundle() -> None:
    artifacts = [
        {"app": ["Foo.app", {"target": "Bar.app"}]},
        {
            "binary": ["/Applications/Bar.app/Contents/bin/bar"],
            "target": "/usr/bin/bar",
        },
        {"zap": [{"trash": ["~/Library/Foo"]}]},
    ]
    assert cask_apps(artifacts) == ("Bar.app",)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Error: something went wrong\n",
        '[{"name": "git"}]',
        '{"formulae": [{"full_name": "git"}], "casks": []}',
        '{"formulae": [], "casks": {"token": "x"}}',
    ],
)
def test_unreadable_info_output_is_rejected(text: str) -> None:
    with pytest.raises(UnreadableOutputError):
        parse_info_v2(text)


def test_truncated_info_output_is_rejected() -> None:
    with pytest.raises(UnreadableOutputError, match="not JSON"):
        parse_info_v2(read("broken-output", "info.json"))


def test_linux_info_without_casks_parses() -> None:
    assert parse_info_v2('{"formulae": []}') == ((), ())


# ---------------------------------------------------------------- text parsers


def test_parse_list_versions_keeps_the_newest_version() -> None:
    rows = parse_list_versions(read("json-fails", "list-formula-versions.txt"))
    assert dict(rows)["node@20"] == "20.20.2"
    assert dict(rows)["zstd"] == "1.5.7_1"
    casks = dict(parse_list_versions(read("json-fails", "list-cask-versions.txt")))
    assert casks["wezterm"] == "20240203-110809,5046fc22"


def test_parse_leaves_and_taps() -> None:
    assert "hashicorp/tap/terraform" in parse_leaves(read("json-fails", "leaves.txt"))
    assert parse_taps("felixkratz/formulae\nhashicorp/tap\n\n") == (
        "felixkratz/formulae",
        "hashicorp/tap",
    )


def test_fallback_marks_leaves_as_requested_and_takes_their_tap() -> None:
    formulae = by_name(
        fallback_formulae(
            [("terraform", "1.14.3"), ("pcre2", "10.47_1"), ("git", "2.55.0")],
            ["git", "hashicorp/tap/terraform"],
        )
    )
    assert formulae["terraform"].tap == "hashicorp/tap"
    assert formulae["terraform"].full_name == "hashicorp/tap/terraform"
    assert formulae["git"].on_request
    assert not formulae["pcre2"].on_request


def test_parse_services_json() -> None:
    services = parse_services_json(read("mac-arm", "services.json"))
    assert services == (
        BrewService(
            name="postgresql@16",
            status="none",
            file="/opt/homebrew/opt/postgresql@16/homebrew.mxcl.postgresql@16.plist",
        ),
        BrewService(
            name="redis",
            status="started",
            user="alex",
            file="/Users/alex/Library/LaunchAgents/homebrew.mxcl.redis.plist",
        ),
    )
    assert parse_services_json("") == ()


def test_parse_services_table_copes_with_blank_columns() -> None:
    services = {
        s.name: s
        for s in parse_services_table(read("services-table", "services-table.txt"))
    }
    assert services["dnsmasq"] == BrewService(
        name="dnsmasq",
        status="error",
        user="root",
        file="/Library/LaunchDaemons/homebrew.mxcl.dnsmasq.plist",
    )
    assert services["postgresql"].status == "started"
    assert (
        services["postgresql"].file
        == "~/Library/LaunchAgents/homebrew.mxcl.postgresql.plist"
    )
    assert services["redis"] == BrewService(name="redis", status="none")
    assert "Name" not in services


def test_parse_mas_list() -> None:
    apps = parse_mas_list(read("mac-arm", "mas.txt"))
    assert MasApp(name="Xcode", id=497799835, version="26.0.1") in apps
    assert len(apps) == 3
    # mas before 1.8 printed one space; some builds leave the version out
    older = parse_mas_list(
        "1333542190 1Password 7 - Password Manager (7.9.11)\n409183694 Keynote\n"
    )
    assert older == (
        MasApp(name="1Password 7 - Password Manager", id=1333542190, version="7.9.11"),
        MasApp(name="Keynote", id=409183694),
    )


def test_parse_brew_version() -> None:
    assert parse_brew_version("Homebrew 5.0.4\n") == "5.0.4"
    assert parse_brew_version("") is None
    assert parse_brew_version("zsh: command not found: brew\n") is None
    old = (
        "Homebrew 3.1.1\n"
        "Homebrew/homebrew-core (git revision 2f3e; last commit 2021-04-13)\n"
    )
    assert parse_brew_version(old) == "3.1.1"


# ---------------------------------------------------------------- scan_brew, real runner


@dataclass
class EnvSpy:
    """Wraps the real runner to see the environment and timeout each call gets."""

    inner: SubprocessRunner = field(default_factory=SubprocessRunner)
    envs: dict[str, Mapping[str, str] | None] = field(default_factory=dict)
    timeouts: set[float | None] = field(default_factory=set)

    def run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        env: Mapping[str, str] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        cwd: str | None = None,
        input_text: str | None = None,
    ) -> CompletedProcess[str]:
        self.envs[" ".join([Path(argv[0]).name, *argv[1:]])] = env
        self.timeouts.add(timeout)
        return self.inner.run(
            argv, check=check, env=env, timeout=timeout, cwd=cwd, input_text=input_text
        )

    def which(self, name: str) -> str | None:
        return self.inner.which(name)


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An otherwise empty PATH, so no real brew or mas can answer."""
    path = tmp_path / "bin"
    path.mkdir()
    monkeypatch.setenv("PATH", str(path))
    return path


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return log_invocations(tmp_path / "calls.jsonl", monkeypatch)


def fake_brew(
    bin_dir: Path,
    recording: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    mas: bool = False,
) -> None:
    install_fake_tool(bin_dir, "brew", recording, monkeypatch)
    if mas:
        install_fake_tool(bin_dir, "mas", recording, monkeypatch)


def test_scan_reads_everything_from_a_mac(
    bin_dir: Path, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_brew(bin_dir, BREW / "mac-arm", monkeypatch, mas=True)
    steps: list[str] = []
    inventory, warnings = scan_brew(
        SubprocessRunner(), progress=steps.append, is_executable=never
    )
    assert warnings == []
    assert invocations(log) == [
        "brew --prefix",
        "brew --version",
        "brew info --json=v2 --installed",
        "brew tap",
        "brew services list --json",
        "mas list",
    ]
    assert (inventory.available, inventory.source) == (True, "json")
    assert (inventory.prefix, inventory.version) == ("/opt/homebrew", "5.0.4")
    assert len(inventory.formulae) == 31
    assert len(inventory.casks) == 6
    assert inventory.taps == ("hashicorp/tap",)
    assert [s.name for s in inventory.services if s.status == "started"] == ["redis"]
    assert [a.name for a in inventory.mas] == ["Amphetamine", "Keynote", "Xcode"]
    assert "Reading installed formulae and casks (brew info)" in steps


def test_every_brew_command_runs_quietly_and_with_a_timeout(
    bin_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_brew(bin_dir, BREW / "mac-arm", monkeypatch, mas=True)
    spy = EnvSpy()
    scan_brew(spy, timeout=42, is_executable=never)
    brew_calls = {cmd: env for cmd, env in spy.envs.items() if cmd.startswith("brew ")}
    assert len(brew_calls) == 5
    assert all(env == BREW_ENV for env in brew_calls.values())
    assert spy.timeouts == {42}


def test_info_failure_falls_back_to_brew_list_and_says_so(
    bin_dir: Path, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_brew(bin_dir, BREW / "json-fails", monkeypatch)
    inventory, warnings = scan_brew(SubprocessRunner(), is_executable=never)
    assert inventory.source == "fallback"
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "`brew info --json=v2 --installed` failed (exit 1: Error: Cask "
        "'adobe-acrobat-reader' is unreadable"
    )
    assert "fell back to `brew list`" in warnings[0]
    assert invocations(log)[2:6] == [
        "brew info --json=v2 --installed",
        "brew list --formula --versions",
        "brew leaves --installed-on-request",
        "brew list --cask --versions",
    ]
    formulae = by_name(inventory.formulae)
    assert formulae["node@20"].version == "20.20.2"
    assert formulae["terraform"].tap == "hashicorp/tap"
    assert formulae["ripgrep"].on_request
    assert not formulae["pcre2"].on_request
    assert {c.token for c in inventory.casks} >= {"adobe-acrobat-reader", "firefox"}


def test_unreadable_info_output_also_falls_back(
    bin_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_brew(bin_dir, BREW / "broken-output", monkeypatch)
    inventory, warnings = scan_brew(SubprocessRunner(), is_executable=never)
    assert inventory.source == "fallback"
    assert len(inventory.formulae) == 31
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "`brew info --json=v2 --installed` printed output nixmigrate could not read "
        "(not JSON (Expecting"
    )
    assert warnings[0].endswith(
        "fell back to `brew list` and `brew leaves` "
        "(no descriptions, dependencies or pins)"
    )


def test_old_services_without_json_are_read_from_the_table(
    bin_dir: Path, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_brew(bin_dir, BREW / "services-table", monkeypatch)
    inventory, warnings = scan_brew(SubprocessRunner(), is_executable=never)
    expected = (
        "`brew services list --json` failed (exit 1: Error: invalid option: --json); "
        "read the `brew services list` table instead"
    )
    assert warnings == [expected]
    assert "brew services list" in invocations(log)
    assert {s.name: s.status for s in inventory.services} == {
        "dnsmasq": "error",
        "postgresql": "started",
        "redis": "none",
    }
    assert (inventory.prefix, inventory.version) == ("/usr/local", "3.1.1")
    assert inventory.source == "json"


def test_failing_services_are_skipped_with_a_warning_naming_the_commands(
    bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recording = copy_recording(BREW / "mac-arm", tmp_path / "rec")
    error = "Error: Failure while executing; `/bin/launchctl list` exited with 1.\n"
    set_recording(recording, "brew services list --json", stderr=error, exit=1)
    set_recording(recording, "brew services list", stderr=error, exit=1)
    fake_brew(bin_dir, recording, monkeypatch)
    inventory, warnings = scan_brew(SubprocessRunner(), is_executable=never)
    assert inventory.services == ()
    assert warnings[-1] == (
        "`brew services list` failed (exit 1: Error: Failure while executing; "
        "`/bin/launchctl list` exited with 1.); services skipped"
    )
    assert warnings[0].startswith(
        "`brew services list --json` failed (exit 1: Error: Failure"
    )
    assert len(inventory.formulae) == 31  # the rest of the scan carried on


def test_without_homebrew_the_scan_says_so_and_runs_nothing(
    bin_dir: Path, log: Path
) -> None:
    inventory, warnings = scan_brew(SubprocessRunner(), candidates=NOWHERE)
    assert inventory == BrewInventory(available=False, source="none")
    expected = (
        "Homebrew not found (not on PATH, nor at /nonexistent/opt/homebrew/bin/brew); "
        "Homebrew packages skipped"
    )
    assert warnings == [expected]
    assert invocations(log) == []


def test_brew_outside_path_is_found_at_a_standard_prefix(
    bin_dir: Path, tmp_path: Path, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    brew = write_fake_tool(tmp_path / "opt" / "homebrew" / "bin" / "brew")
    monkeypatch.setenv("NIXMIGRATE_REPLAY_DIR", str(BREW / "mac-arm"))
    inventory, _ = scan_brew(SubprocessRunner(), candidates=(*NOWHERE, str(brew)))
    assert inventory.available
    assert "brew info --json=v2 --installed" in invocations(log)


def test_mas_in_the_brew_prefix_is_used_when_not_on_path(
    bin_dir: Path, tmp_path: Path, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = tmp_path / "homebrew"
    write_fake_tool(prefix / "bin" / "mas")
    recording = copy_recording(BREW / "mac-arm", tmp_path / "rec")
    set_recording(recording, "brew --prefix", stdout_text=f"{prefix}\n")
    fake_brew(bin_dir, recording, monkeypatch)
    inventory, warnings = scan_brew(SubprocessRunner())
    assert warnings == []
    assert len(inventory.mas) == 3
    assert invocations(log)[-1] == "mas list"


def test_no_mas_means_no_app_store_apps_and_no_warning(
    bin_dir: Path, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_brew(bin_dir, BREW / "mac-arm", monkeypatch)
    inventory, warnings = scan_brew(SubprocessRunner(), is_executable=never)
    assert (inventory.mas, warnings) == ((), [])
    assert "mas list" not in invocations(log)


def test_a_hanging_command_becomes_a_warning(tmp_path: Path) -> None:
    recording = copy_recording(BREW / "mac-arm", tmp_path / "rec")
    set_recording(recording, "brew tap", stdout="taps.txt", sleep=600)
    inventory, warnings = scan_brew(ReplayRunner(recording), timeout=30)
    assert warnings == ["`brew tap` failed (timed out after 30s); taps skipped"]
    assert inventory.taps == ()


# ---------------------------------------------------------------- the demo recording


def test_the_demo_recording_is_a_full_developer_mac() -> None:
    inventory, warnings = scan_brew(ReplayRunner(DEMO))
    assert warnings == []
    requested = [f for f in inventory.formulae if f.on_request]
    assert 55 <= len(requested) <= 70
    assert len(inventory.formulae) > len(requested)
    assert 18 <= len(inventory.casks) <= 24
    assert inventory.taps == (
        "felixkratz/formulae",
        "hashicorp/tap",
        "koekeishiya/formulae",
    )
    assert {f.full_name for f in requested} >= {
        "koekeishiya/formulae/yabai",
        "hashicorp/tap/terraform",
        "pinentry-mac",
        "neovim",
    }
    assert len(inventory.mas) == 4
    assert {s.name for s in inventory.services if s.status == "started"} >= {"redis"}
