"""Facts about the machine: OS, architecture, account, Nix tooling, what is running.

Every read goes through `HostProbes` (plain functions from nixmigrate.system) or the
Runner, so tests swap any single one. A fact that cannot be read leaves its default
in HostInfo and adds a warning; nothing here raises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Final

from nixmigrate.scan.brew.commands import run_for_output, shown
from nixmigrate.scan.inventory import BrewCask, BrewService, HostInfo
from nixmigrate.system import hostos, procs
from nixmigrate.system.procs import ProcessInfo
from nixmigrate.system.runner import Runner

HOST_TIMEOUT: Final = 15.0
NIX_CANDIDATES: Final = (
    "/nix/var/nix/profiles/default/bin/nix",  # multi-user installs, before a login shell
    "/run/current-system/sw/bin/nix",  # NixOS and nix-darwin
)
DARWIN_VERSION_FILE: Final = "/run/current-system/darwin-version"
# Determinate Nix's daemon; present even when `nix` is not on PATH yet
DETERMINATE_NIXD: Final = "/usr/local/bin/determinate-nixd"
_NIX_ARCH: Final = {
    "arm64": "aarch64",
    "aarch64": "aarch64",
    "x86_64": "x86_64",
    "amd64": "x86_64",
}
_NIX_OS: Final = frozenset({"darwin", "linux"})


@dataclass(frozen=True)
class HostProbes:
    """The OS reads scan_host makes, one replaceable function each."""

    system: Callable[[], str] = hostos.platform_system
    machine: Callable[[], str] = hostos.machine
    os_release: Callable[[], Mapping[str, str]] = hostos.os_release
    socket_hostname: Callable[[], str] = hostos.socket_hostname
    user: Callable[[], str] = hostos.current_user
    home: Callable[[], str] = hostos.home_dir
    login_shell: Callable[[], str] = hostos.login_shell
    path_exists: Callable[[str], bool] = hostos.path_exists
    is_executable: Callable[[str], bool] = hostos.is_executable
    disk_free: Callable[[str], int] = procs.disk_free_bytes
    processes: Callable[[], Sequence[ProcessInfo]] = procs.running_processes


# ---------------------------------------------------------------- pure helpers


def sw_vers_cmd() -> list[str]:
    return ["sw_vers", "-productVersion"]


def scutil_hostname_cmd() -> list[str]:
    return ["scutil", "--get", "LocalHostName"]


def nix_version_cmd(nix: str = "nix") -> list[str]:
    return [nix, "--version"]


def nix_system(os_name: str, arch: str) -> str:
    """The Nix system double: ("darwin", "arm64") -> "aarch64-darwin"; "" if unsupported."""
    nix_arch = _NIX_ARCH.get(arch.lower())
    if nix_arch is None or os_name not in _NIX_OS:
        return ""
    return f"{nix_arch}-{os_name}"


def parse_nix_version(text: str) -> str | None:
    """`nix (Nix) 2.24.10` -> "2.24.10" (also Lix: `nix (Lix, like Nix) 2.91.1`)."""
    words = text.split()
    return words[-1] if words else None


def parse_nix_flavor(text: str) -> str | None:
    """Which Nix `nix --version` describes: "determinate", "lix", "nix", or None.

    `nix (Determinate Nix 3.19.1) 2.34.6`, `nix (Lix, like Nix) 2.91.1`, `nix (Nix) 2.28.4`.
    """
    label, paren, _ = text.partition(")")
    if not paren or "(" not in label:
        return None
    name = label.split("(", 1)[1].strip().lower()
    if name.startswith("determinate nix"):
        return "determinate"
    if name.startswith("lix"):
        return "lix"
    return "nix"


def running_services(
    services: Iterable[BrewService],
    processes: Iterable[ProcessInfo],
    brew_prefix: str | None,
) -> tuple[str, ...]:
    """Started services that have a live process (found by keg path or process name)."""
    procs_seen = tuple(processes)
    started = (s.name for s in services if s.status == "started")
    return tuple(
        sorted(
            name
            for name in started
            if any(_runs(name, p, brew_prefix) for p in procs_seen)
        )
    )


def _runs(service: str, proc: ProcessInfo, brew_prefix: str | None) -> bool:
    if brew_prefix and proc.exe:
        kegs = (f"{brew_prefix}/Cellar/{service}/", f"{brew_prefix}/opt/{service}/")
        if proc.exe.startswith(kegs):
            return True
    # by name: redis runs as redis-server, dnsmasq as dnsmasq, php@8.3 as php-fpm
    base = service.partition("@")[0]
    return proc.name in {service, base} or proc.name.startswith(f"{base}-")


def app_bundle(exe: str, home: str) -> str | None:
    """`/Applications/Foo.app/Contents/MacOS/foo` -> "Foo.app" (also ~/Applications)."""
    roots = (
        "/Applications/",
        f"{home.rstrip('/')}/Applications/" if home else "/Applications/",
    )
    if not exe.startswith(roots):
        return None
    return next(
        (part for part in PurePosixPath(exe).parts if part.endswith(".app")), None
    )


def running_cask_apps(
    casks: Iterable[BrewCask], processes: Iterable[ProcessInfo], home: str
) -> tuple[str, ...]:
    """Tokens of casks whose .app has a running process."""
    bundles = {app_bundle(p.exe, home) for p in processes if p.exe}
    return tuple(sorted(c.token for c in casks if bundles.intersection(c.apps)))


# ---------------------------------------------------------------- reads


@dataclass
class _Reader:
    runner: Runner
    probes: HostProbes
    warnings: list[str]

    def output(self, argv: Sequence[str], consequence: str) -> str | None:
        outcome = run_for_output(self.runner, argv, timeout=HOST_TIMEOUT)
        if outcome.stdout is None:
            self.warnings.append(
                f"`{shown(argv)}` failed ({outcome.problem}); {consequence}"
            )
            return None
        return outcome.stdout.strip()

    def os_name_and_version(self, os_name: str) -> tuple[str, str]:
        if os_name == "darwin":
            return "macOS", self.output(sw_vers_cmd(), "macOS version unknown") or ""
        if os_name == "linux":
            return self.linux_release()
        return "", ""

    def linux_release(self) -> tuple[str, str]:
        release = self.probes.os_release()
        if not release:
            self.warnings.append(
                "/etc/os-release is missing or unreadable; Linux distribution unknown"
            )
        pretty = release.get("PRETTY_NAME") or release.get("NAME", "")
        return pretty, release.get("VERSION_ID", "")

    def hostname(self, os_name: str) -> str:
        if os_name == "darwin" and self.runner.which("scutil"):
            local = self.output(
                scutil_hostname_cmd(), "used the network hostname instead"
            )
            if local:
                return local
        return self.probes.socket_hostname()

    def nix_version_and_flavor(self) -> tuple[str | None, str | None]:
        """The Nix version and which Nix it is (see parse_nix_flavor)."""
        determinate = self.probes.path_exists(DETERMINATE_NIXD)
        nix = self.runner.which("nix") or next(
            (c for c in NIX_CANDIDATES if self.probes.is_executable(c)), None
        )
        if nix is None:
            return None, "determinate" if determinate else None
        out = self.output(nix_version_cmd(nix), "Nix version unknown")
        flavor = parse_nix_flavor(out) if out else None
        if determinate:
            flavor = "determinate"
        return (parse_nix_version(out) if out else None), flavor or "nix"

    def nix_darwin(self) -> bool:
        if self.runner.which("darwin-rebuild"):
            return True
        return self.probes.path_exists(DARWIN_VERSION_FILE)

    def nix_free_bytes(self) -> int | None:
        where = "/nix" if self.probes.path_exists("/nix") else "/"
        try:
            return self.probes.disk_free(where)
        except OSError as err:
            problem = err.strerror or err
            self.warnings.append(
                f"could not read free disk space on {where} ({problem}); skipped"
            )
            return None

    def processes(self) -> Sequence[ProcessInfo]:
        try:
            return self.probes.processes()
        except OSError as err:
            self.warnings.append(
                f"could not list running processes ({err.strerror or err}); "
                "running apps and services unknown"
            )
            return ()


def scan_host(
    runner: Runner,
    *,
    brew_prefix: str | None,
    services: Sequence[BrewService],
    casks: Sequence[BrewCask],
    probes: HostProbes | None = None,
) -> tuple[HostInfo, list[str]]:
    """What kind of machine this is, and what a migration would disturb on it."""
    reader = _Reader(runner, probes or HostProbes(), [])
    p = reader.probes
    os_name, arch, home = p.system(), p.machine(), p.home()
    system = nix_system(os_name, arch)
    if not system:
        reader.warnings.append(
            f"no Nix system for {os_name or 'unknown OS'} on {arch or 'unknown CPU'}"
        )
    pretty, version = reader.os_name_and_version(os_name)
    processes = reader.processes()
    hostname = reader.hostname(os_name)
    nix_version, nix_flavor = reader.nix_version_and_flavor()
    info = HostInfo(
        os=os_name or "unknown",
        os_version=version,
        os_name=pretty,
        arch=arch,
        system=system,
        hostname=hostname,
        user=p.user(),
        home=home,
        shell=p.login_shell(),
        brew_prefix=brew_prefix,
        nix_version=nix_version,
        nix_flavor=nix_flavor,
        nix_darwin=reader.nix_darwin(),
        home_manager=runner.which("home-manager") is not None,
        nix_free_bytes=reader.nix_free_bytes(),
        running_services=running_services(services, processes, brew_prefix),
        running_cask_apps=running_cask_apps(casks, processes, home),
    )
    return info, reader.warnings
