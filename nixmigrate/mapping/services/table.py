"""Which Homebrew services nix-darwin can run, and which servers keep data in Homebrew.

Facts, not decisions (those are in the package's __init__). The nix-darwin modules
are the ones in nix-darwin's option tree (render/options/nix-darwin-options.txt, checked
by the tests); a module's default package and launchd agent come from its source.
User agents get the label `org.nixos.<agent>` in the `gui/<uid>` domain; daemons
live in the `system` domain, some under their own label.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

Domain = Literal["gui", "system"]


@dataclass(frozen=True, slots=True)
class ServiceModule:
    option: str  # "services.yabai"
    package: str | None  # the module's default package attribute (None: no default)
    label: str  # the launchd label nix-darwin gives the service
    domain: Domain = "gui"
    config: str = ""  # the user's own configuration file the service reads (~-relative)
    package_option: bool = True  # the module has a `package` option

    def package_to_write(self, attr: str | None) -> str | None:
        """The `package = pkgs.<attr>` to write, or None when the default is right."""
        if not self.package_option or attr is None or attr == self.package:
            return None
        return attr

    def launchctl_target(self, uid: int | str) -> str:
        """`gui/501/org.nixos.yabai`, or `system/<label>` for a daemon."""
        return (
            f"gui/{uid}/{self.label}"
            if self.domain == "gui"
            else f"system/{self.label}"
        )


def _agent(name: str, package: str | None = None, config: str = "") -> ServiceModule:
    return ServiceModule(
        f"services.{name}",
        package if package is not None else name,
        f"org.nixos.{name}",
        "gui",
        config,
    )


def _daemon(
    name: str, package: str | None = None, *, label: str = "", agent: str = ""
) -> ServiceModule:
    return ServiceModule(
        f"services.{name}",
        package if package is not None else name,
        label or f"org.nixos.{agent or name}",
        "system",
    )


# Homebrew formula or cask name (without its tap) -> the nix-darwin module running it.
SERVICE_MODULES: Final[Mapping[str, ServiceModule]] = {
    "yabai": _agent("yabai", config=".config/yabai/yabairc"),
    "skhd": _agent("skhd", config=".config/skhd/skhdrc"),
    "sketchybar": _agent("sketchybar", config=".config/sketchybar/sketchybarrc"),
    "borders": _agent("jankyborders", config=".config/borders/bordersrc"),
    "jankyborders": _agent("jankyborders", config=".config/borders/bordersrc"),
    "spacebar": _agent("spacebar", config=".config/spacebar/spacebarrc"),
    "aerospace": _agent("aerospace", config=".aerospace.toml"),
    "emacs": _agent("emacs", "emacs"),
    "emacs-plus": _agent("emacs", "emacs"),
    "emacs-mac": _agent("emacs", "emacs"),
    "ipfs": _agent("ipfs", "kubo"),
    "kubo": _agent("ipfs", "kubo"),
    "privoxy": _agent("privoxy", config=""),
    "spotifyd": _agent("spotifyd", config=".config/spotifyd/spotifyd.conf"),
    "offlineimap": _agent("offlineimap", config=".offlineimaprc"),
    "karabiner-elements": _daemon(
        "karabiner-elements", label="org.pqrs.karabiner.karabiner_grabber"
    ),
    "tailscale": _daemon("tailscale", label="com.tailscale.tailscaled"),
    "dnsmasq": _daemon("dnsmasq"),
    "dnscrypt-proxy": _daemon("dnscrypt-proxy"),
    "gitlab-runner": _daemon("gitlab-runner"),
    "netbird": _daemon("netbird"),
    "netdata": _daemon("netdata", label="netdata"),
    "nextdns": ServiceModule(
        "services.nextdns", None, "org.nixos.nextdns", "system", package_option=False
    ),
    "telegraf": _daemon("telegraf"),
}

# Casks whose app nix-darwin runs as a login service (others stay casks).
SERVICE_CASKS: Final = frozenset({"aerospace", "karabiner-elements"})

# Modules for the stateful servers: used only when the user maps one to Nix.
_POSTGRESQL: Final = ServiceModule(
    "services.postgresql", None, "org.nixos.postgresql", "gui"
)
_REDIS: Final = _agent("redis")


@dataclass(frozen=True, slots=True)
class StatefulServer:
    data_dir: str  # relative to the Homebrew prefix, e.g. "var/postgresql@16"
    move: str  # what moving the data to a Nix-run server takes
    module: ServiceModule | None = None  # nix-darwin's module, when there is one


_PG_MOVE: Final = (
    "a dump and restore (`pg_dumpall` from the Homebrew server, `psql -f` into the "
    "new one), or `pg_upgrade` when the Nix package is a new PostgreSQL major version"
)
_MYSQL_MOVE: Final = (
    "a dump and restore (`mysqldump --all-databases`, then `mysql < dump.sql`)"
)
_REDIS_MOVE: Final = (
    "`redis-cli SAVE`, then copying dump.rdb (and any appendonly files) into the new "
    "server's data directory"
)
_MONGO_MOVE: Final = "a dump and restore (`mongodump`, then `mongorestore`)"
_GENERIC_MOVE: Final = (
    "stopping the service and copying its data directory to where the Nix-run "
    "service expects it"
)

_STATEFUL: Final[tuple[tuple[re.Pattern[str], str, str, ServiceModule | None], ...]] = (
    (re.compile(r"^postgresql$"), "var/postgres", _PG_MOVE, _POSTGRESQL),
    (re.compile(r"^postgresql@\d+$"), "var/{name}", _PG_MOVE, _POSTGRESQL),
    (
        re.compile(r"^(mysql|mariadb|percona-server)(@[\d.]+)?$"),
        "var/mysql",
        _MYSQL_MOVE,
        None,
    ),
    (re.compile(r"^redis(@[\d.]+)?$"), "var/db/redis", _REDIS_MOVE, _REDIS),
    (re.compile(r"^valkey$"), "var/db/valkey", _REDIS_MOVE, None),
    (re.compile(r"^mongodb-community(@[\d.]+)?$"), "var/mongodb", _MONGO_MOVE, None),
)

_PREFIX_VAR: Final = "$HOMEBREW_PREFIX/"


def module_for_option(option: str) -> ServiceModule | None:
    """The module behind a resolution's `service` option."""
    known = (*SERVICE_MODULES.values(), _POSTGRESQL, _REDIS)
    return next((m for m in known if m.option == option), None)


def stateful_server(name: str, service_data_dir: str | None) -> StatefulServer | None:
    """A known database server, or any formula whose service works under var/."""
    for pattern, data_dir, move, module in _STATEFUL:
        if pattern.match(name):
            return StatefulServer(data_dir.format(name=name), move, module)
    if service_data_dir and service_data_dir.startswith(_PREFIX_VAR):
        return StatefulServer(service_data_dir[len(_PREFIX_VAR) :], _GENERIC_MOVE)
    return None


def service_module(name: str) -> ServiceModule | None:
    return SERVICE_MODULES.get(short_name(name))


def short_name(name: str) -> str:
    """`felixkratz/formulae/borders` -> `borders`; `emacs-plus@30` -> `emacs-plus`."""
    base = name.rsplit("/", 1)[-1]
    return base if base in SERVICE_MODULES else base.split("@", 1)[0]
