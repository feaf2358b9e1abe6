from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from nixmigrate.scan.host import (
    DARWIN_VERSION_FILE,
    DETERMINATE_NIXD,
    HostProbes,
    app_bundle,
    nix_system,
    parse_nix_flavor,
    parse_nix_version,
    running_cask_apps,
    running_services,
    scan_host,
)
from nixmigrate.scan.inventory import BrewCask, BrewService
from nixmigrate.system import hostos, procs
from nixmigrate.system.procs import ProcessInfo
from nixmigrate.system.replay import ReplayRunner
from nixmigrate.system.runner import SubprocessRunner
from tests.conftest import REPO
from tests.fakebrew import install_fake_tool, invocations, log_invocations

REDIS = ProcessInfo(
    501, "redis-server", "/opt/homebrew/Cellar/redis/8.10.1/bin/redis-server"
)
POSTGRES = ProcessInfo(
    502, "postgres", "/opt/homebrew/Cellar/postgresql@16/16.15/bin/postgres"
)
FIREFOX = ProcessInfo(
    600, "firefox", "/Applications/Firefox.app/Contents/MacOS/firefox"
)
WEZTERM = ProcessInfo(
    601,
    "wezterm-gui",
    "/Users/alex/Applications/WezTerm.app/Contents/MacOS/wezterm-gui",
)
SAFARI = ProcessInfo(602, "Safari", "/Applications/Safari.app/Contents/MacOS/Safari")
HIDDEN = ProcessInfo(1, "launchd", "")


def cask(token: str, *apps: str) -> BrewCask:
    return BrewCask(token=token, version="1.0", apps=apps)


CASKS = (
    cask("firefox", "Firefox.app"),
    cask("wezterm", "WezTerm.app"),
    cask("iterm2", "iTerm.app"),
    cask("font-jetbrains-mono-nerd-font"),
)
SERVICES = (
    BrewService(name="redis", status="started"),
    BrewService(name="postgresql@16", status="started"),
    BrewService(name="unbound", status="none"),
)


def mac_probes(**changes: object) -> HostProbes:
    probes = HostProbes(
        system=lambda: "darwin",
        machine=lambda: "arm64",
        os_release=dict,
        socket_hostname=lambda: "alexs-mbp.local",
        user=lambda: "alex",
        home=lambda: "/Users/alex",
        login_shell=lambda: "/bin/zsh",
        path_exists=lambda path: path == "/nix",
        is_executable=lambda _: False,
        disk_free=lambda _: 123_456_789,
        processes=lambda: (REDIS, FIREFOX, HIDDEN),
    )
    return replace(probes, **changes)  # type: ignore[arg-type]


def linux_probes(**changes: object) -> HostProbes:
    release = {"PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)", "VERSION_ID": "12"}
    base = mac_probes(
        system=lambda: "linux",
        machine=lambda: "x86_64",
        os_release=lambda: release,
        socket_hostname=lambda: "devbox",
        home=lambda: "/home/alex",
        login_shell=lambda: "/bin/bash",
        processes=tuple,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def recording(root: Path, commands: dict[str, dict[str, object]]) -> Path:
    root.mkdir(parents=True)
    (root / "commands.json").write_text(json.dumps(commands), encoding="utf-8")
    return root


MAC_COMMANDS: dict[str, dict[str, object]] = {
    "sw_vers -productVersion": {"stdout_text": "15.6.1\n"},
    "scutil --get LocalHostName": {"stdout_text": "alexs-MacBook-Pro\n"},
    "nix --version": {"stdout_text": "nix (Nix) 2.28.4\n"},
    "home-manager --version": {"stdout_text": "25.05-pre\n"},
}


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bin"
    path.mkdir()
    monkeypatch.setenv("PATH", str(path))
    return path


def install_tools(
    bin_dir: Path, rec: Path, monkeypatch: pytest.MonkeyPatch, *names: str
) -> None:
    for name in names:
        install_fake_tool(bin_dir, name, rec, monkeypatch)


# ---------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("os_name", "arch", "expected"),
    [
        ("darwin", "arm64", "aarch64-darwin"),
        ("darwin", "x86_64", "x86_64-darwin"),
        ("linux", "aarch64", "aarch64-linux"),
        ("linux", "x86_64", "x86_64-linux"),
        ("linux", "AMD64", "x86_64-linux"),
        ("linux", "riscv64", ""),
        ("freebsd", "x86_64", ""),
    ],
)
def test_nix_system_double(os_name: str, arch: str, expected: str) -> None:
    assert nix_system(os_name, arch) == expected


def test_parse_nix_version() -> None:
    assert parse_nix_version("nix (Nix) 2.24.10\n") == "2.24.10"
    assert parse_nix_version("nix (Lix, like Nix) 2.91.1\n") == "2.91.1"
    assert parse_nix_version("") is None
    assert parse_nix_version("nix (Determinate Nix 3.19.1) 2.34.6\n") == "2.34.6"


@pytest.mark.parametrize(
    ("output", "flavor"),
    [
        ("nix (Determinate Nix 3.19.1) 2.34.6\n", "determinate"),
        ("nix (Lix, like Nix) 2.91.1\n", "lix"),
        ("nix (Nix) 2.28.4\n", "nix"),
        ("", None),
        ("2.28.4", None),
    ],
)
def test_parse_nix_flavor(output: str, flavor: str | None) -> None:
    assert parse_nix_flavor(output) == flavor


def test_running_services_match_by_keg_path_or_process_name() -> None:
    processes = (REDIS, POSTGRES, SAFARI, HIDDEN)
    assert running_services(SERVICES, processes, "/opt/homebrew") == (
        "postgresql@16",
        "redis",
    )
    # without a prefix only names can match: postgres does not look like postgresql@16
    assert running_services(SERVICES, processes, None) == ("redis",)


def test_a_stopped_service_is_not_running_even_if_named_alike() -> None:
    stopped = (BrewService(name="redis", status="none"),)
    assert running_services(stopped, (REDIS,), "/opt/homebrew") == ()


def test_app_bundle_of_a_process() -> None:
    assert app_bundle(FIREFOX.exe, "/Users/alex") == "Firefox.app"
    assert app_bundle(WEZTERM.exe, "/Users/alex") == "WezTerm.app"
    assert app_bundle("/opt/homebrew/bin/redis-server", "/Users/alex") is None
    assert (
        app_bundle("/Volumes/Installer/Foo.app/Contents/MacOS/foo", "/Users/alex")
        is None
    )


def test_running_cask_apps_are_the_casks_whose_app_runs() -> None:
    processes = (FIREFOX, WEZTERM, SAFARI, HIDDEN)
    assert running_cask_apps(CASKS, processes, "/Users/alex") == ("firefox", "wezterm")


def test_parse_os_release_handles_quotes_and_comments() -> None:
    text = (
        "# comment\n"
        'NAME="Ubuntu"\n'
        "VERSION_ID='24.04'\n"
        "ID=ubuntu\n"
        'PRETTY_NAME="Ubuntu 24.04.1 LTS"\n'
    )
    fields = hostos.parse_os_release(text)
    assert fields == {
        "NAME": "Ubuntu",
        "VERSION_ID": "24.04",
        "ID": "ubuntu",
        "PRETTY_NAME": "Ubuntu 24.04.1 LTS",
    }


# ---------------------------------------------------------------- scan_host


def test_scan_host_on_a_mac(
    bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = recording(tmp_path / "rec", MAC_COMMANDS)
    install_tools(bin_dir, rec, monkeypatch, "sw_vers", "scutil", "nix", "home-manager")
    log = log_invocations(tmp_path / "calls.jsonl", monkeypatch)
    host, warnings = scan_host(
        SubprocessRunner(),
        brew_prefix="/opt/homebrew",
        services=SERVICES,
        casks=CASKS,
        probes=mac_probes(),
    )
    assert warnings == []
    assert (host.os, host.os_name, host.os_version) == ("darwin", "macOS", "15.6.1")
    assert (host.arch, host.system) == ("arm64", "aarch64-darwin")
    assert host.hostname == "alexs-MacBook-Pro"
    assert (host.user, host.home, host.shell) == ("alex", "/Users/alex", "/bin/zsh")
    assert host.brew_prefix == "/opt/homebrew"
    assert host.nix_version == "2.28.4"
    assert host.nix_flavor == "nix"
    assert host.home_manager
    assert not host.nix_darwin
    assert host.nix_free_bytes == 123_456_789
    assert host.running_services == ("redis",)
    assert host.running_cask_apps == ("firefox",)
    assert invocations(log) == [
        "sw_vers -productVersion",
        "scutil --get LocalHostName",
        "nix --version",
    ]


def test_a_determinate_nix_on_path_is_recorded_as_determinate(
    bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands: dict[str, dict[str, object]] = {
        **MAC_COMMANDS,
        "nix --version": {"stdout_text": "nix (Determinate Nix 3.19.1) 2.34.6\n"},
    }
    rec = recording(tmp_path / "rec", commands)
    install_tools(bin_dir, rec, monkeypatch, "sw_vers", "scutil", "nix")
    host, warnings = scan_host(
        SubprocessRunner(), brew_prefix=None, services=(), casks=(), probes=mac_probes()
    )
    assert warnings == []
    assert (host.nix_version, host.nix_flavor) == ("2.34.6", "determinate")


def test_determinate_nixd_marks_determinate_even_without_nix_on_path(
    bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = recording(tmp_path / "rec", MAC_COMMANDS)
    install_tools(bin_dir, rec, monkeypatch, "sw_vers", "scutil")
    probes = mac_probes(path_exists=lambda path: path == DETERMINATE_NIXD)
    host, _ = scan_host(
        SubprocessRunner(), brew_prefix=None, services=(), casks=(), probes=probes
    )
    assert (host.nix_version, host.nix_flavor) == (None, "determinate")
    host, _ = scan_host(
        SubprocessRunner(),
        brew_prefix=None,
        services=(),
        casks=(),
        probes=mac_probes(),
    )
    assert (host.nix_version, host.nix_flavor) == (None, None)


def test_nix_darwin_is_seen_from_its_darwin_version_file(
    bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = recording(tmp_path / "rec", MAC_COMMANDS)
    install_tools(bin_dir, rec, monkeypatch, "sw_vers", "scutil")
    probes = mac_probes(path_exists=lambda path: path == DARWIN_VERSION_FILE)
    host, _ = scan_host(
        SubprocessRunner(), brew_prefix=None, services=(), casks=(), probes=probes
    )
    assert host.nix_darwin
    assert not host.home_manager


def test_free_space_is_read_where_nix_would_live(
    bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = recording(tmp_path / "rec", MAC_COMMANDS)
    install_tools(bin_dir, rec, monkeypatch, "sw_vers", "scutil")
    asked: list[str] = []

    def disk_free(path: str) -> int:
        asked.append(path)
        return 1

    probes = mac_probes(path_exists=lambda _: False, disk_free=disk_free)
    scan_host(
        SubprocessRunner(), brew_prefix=None, services=(), casks=(), probes=probes
    )
    assert asked == ["/"]


def test_nix_outside_path_is_found_in_the_default_profile(
    bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = recording(tmp_path / "rec", MAC_COMMANDS)
    install_tools(bin_dir, rec, monkeypatch, "sw_vers", "scutil")
    profile_nix = tmp_path / "profile" / "nix"
    install_fake_tool(profile_nix.parent, "nix", rec, monkeypatch)
    monkeypatch.setenv("PATH", str(bin_dir))  # the profile is not on PATH
    monkeypatch.setattr(
        "nixmigrate.scan.host.NIX_CANDIDATES", ("/nonexistent/nix", str(profile_nix))
    )
    probes = mac_probes(is_executable=hostos.is_executable)
    host, _ = scan_host(
        SubprocessRunner(), brew_prefix=None, services=(), casks=(), probes=probes
    )
    assert host.nix_version == "2.28.4"


def test_failing_probes_become_warnings_naming_the_command(
    bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands: dict[str, dict[str, object]] = {
        **MAC_COMMANDS,
        "sw_vers -productVersion": {"stderr": "sw_vers: unknown error\n", "exit": 1},
    }
    rec = recording(tmp_path / "rec", commands)
    install_tools(bin_dir, rec, monkeypatch, "sw_vers", "scutil")

    def no_disk(_: str) -> int:
        raise FileNotFoundError(2, "No such file or directory")

    def no_processes() -> tuple[ProcessInfo, ...]:
        raise PermissionError(1, "Operation not permitted")

    probes = mac_probes(disk_free=no_disk, processes=no_processes)
    host, warnings = scan_host(
        SubprocessRunner(),
        brew_prefix=None,
        services=SERVICES,
        casks=CASKS,
        probes=probes,
    )
    sw_vers = "`sw_vers -productVersion` failed (exit 1: sw_vers: unknown error)"
    assert warnings == [
        f"{sw_vers}; macOS version unknown",
        "could not list running processes (Operation not permitted); "
        + "running apps and services unknown",
        "could not read free disk space on /nix (No such file or directory); skipped",
    ]
    assert (host.os_version, host.nix_free_bytes, host.running_services) == (
        "",
        None,
        (),
    )
    assert host.hostname == "alexs-MacBook-Pro"


def test_scan_host_on_linux_reads_os_release_and_runs_nothing(
    bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = log_invocations(tmp_path / "calls.jsonl", monkeypatch)
    host, warnings = scan_host(
        SubprocessRunner(),
        brew_prefix="/home/linuxbrew/.linuxbrew",
        services=(),
        casks=(),
        probes=linux_probes(),
    )
    assert warnings == []
    assert (host.os, host.os_name, host.os_version) == (
        "linux",
        "Debian GNU/Linux 12 (bookworm)",
        "12",
    )
    assert (host.system, host.hostname, host.shell) == (
        "x86_64-linux",
        "devbox",
        "/bin/bash",
    )
    assert host.nix_version is None
    assert invocations(log) == []


def test_an_unsupported_platform_is_a_warning(bin_dir: Path) -> None:
    probes = linux_probes(machine=lambda: "riscv64", os_release=dict)
    host, warnings = scan_host(
        SubprocessRunner(), brew_prefix=None, services=(), casks=(), probes=probes
    )
    assert host.system == ""
    assert warnings == [
        "no Nix system for linux on riscv64",
        "/etc/os-release is missing or unreadable; Linux distribution unknown",
    ]


# ---------------------------------------------------------------- the real OS reads


def test_real_process_listing_includes_this_test() -> None:
    me = [p for p in procs.running_processes() if p.pid == os.getpid()]
    assert len(me) == 1
    assert me[0].name


def test_real_disk_free_is_positive_and_absent_paths_raise() -> None:
    assert procs.disk_free_bytes("/") > 0
    with pytest.raises(OSError):
        procs.disk_free_bytes("/nonexistent/nix")


def test_real_account_reads_describe_this_user() -> None:
    assert hostos.home_dir() == os.environ["HOME"]
    assert hostos.current_user()
    assert hostos.platform_system() in {"linux", "darwin"}
    assert not hostos.is_executable("/nonexistent/brew")


def test_the_demo_recording_describes_a_mac_host() -> None:
    demo = REPO / "nixmigrate" / "demo" / "brew"
    host, warnings = scan_host(
        ReplayRunner(demo),
        brew_prefix="/opt/homebrew",
        services=(),
        casks=(),
        probes=mac_probes(),
    )
    assert warnings == []
    assert (host.os_version, host.hostname) == ("15.6.1", "alexs-MacBook-Pro")
