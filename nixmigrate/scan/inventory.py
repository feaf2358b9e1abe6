"""The inventory: everything the scan found, as frozen values, plus its JSON snapshot.

The JSON keys are a contract read by other tools (see README "Inventory JSON").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from nixmigrate.errors import StateError
from nixmigrate.jsonable import from_plain, to_plain
from nixmigrate.resolution import Resolution

INVENTORY_SCHEMA: Final = 1

# ---------------------------------------------------------------- host


@dataclass(frozen=True, slots=True)
class HostInfo:
    os: str = "unknown"  # "darwin" | "linux" | other platform.system().lower()
    os_version: str = ""
    arch: str = ""  # machine as reported: arm64, x86_64, aarch64
    system: str = ""  # nix system double: aarch64-darwin, x86_64-linux, ...
    hostname: str = ""
    user: str = ""
    home: str = ""
    shell: str = ""
    brew_prefix: str | None = None
    nix_version: str | None = None
    nix_darwin: bool = False
    home_manager: bool = False
    nix_free_bytes: int | None = None  # free space where /nix lives (or would)
    running_services: tuple[str, ...] = ()  # brew services whose process is running
    running_cask_apps: tuple[str, ...] = ()  # cask tokens whose app is running
    os_name: str = ""  # "macOS", or PRETTY_NAME from /etc/os-release
    nix_flavor: str | None = None  # "determinate" | "nix" | "lix" | None (no Nix)


# ---------------------------------------------------------------- brew


@dataclass(frozen=True, slots=True)
class BrewFormula:
    name: str
    version: str
    tap: str = "homebrew/core"
    on_request: bool = True
    full_name: str = ""
    pinned: bool = False
    desc: str = ""
    homepage: str = ""
    aliases: tuple[str, ...] = ()
    oldnames: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    keg_only: bool = False
    # where the formula's service keeps its data: the first `$HOMEBREW_PREFIX/var/...`
    # path in its `service` block (run arguments, working_dir), logs excluded
    service_data_dir: str | None = None


@dataclass(frozen=True, slots=True)
class BrewCask:
    token: str
    version: str
    tap: str = "homebrew/cask"
    full_token: str = ""
    names: tuple[str, ...] = ()
    desc: str = ""
    homepage: str = ""
    auto_updates: bool = False
    apps: tuple[str, ...] = ()  # "Foo.app" artifacts


@dataclass(frozen=True, slots=True)
class MasApp:
    name: str
    id: int
    version: str = ""


@dataclass(frozen=True, slots=True)
class BrewService:
    name: str
    status: str  # started, stopped, none, error, scheduled, ...
    user: str | None = None
    file: str | None = None


BrewSource = Literal["json", "fallback", "none"]


@dataclass(frozen=True, slots=True)
class BrewInventory:
    available: bool = False
    source: BrewSource = "none"
    prefix: str | None = None
    version: str | None = None
    formulae: tuple[BrewFormula, ...] = ()
    casks: tuple[BrewCask, ...] = ()
    taps: tuple[str, ...] = ()
    mas: tuple[MasApp, ...] = ()
    services: tuple[BrewService, ...] = ()


# ---------------------------------------------------------------- Brewfile


@dataclass(frozen=True, slots=True)
class BrewfileEntry:
    kind: str  # tap brew cask cask_args mas vscode go cargo uv flatpak whalebrew
    name: str
    line: int
    options: dict[str, Any] = field(default_factory=dict)
    condition: str | None = None  # "macos" | "linux" | raw Ruby expression text
    file: str = ""  # the Brewfile (or included file) the entry came from


@dataclass(frozen=True, slots=True)
class BrewfileSkip:
    line: int
    text: str
    reason: str
    file: str = ""


BrewfileFormat = Literal["brew-bundle", "homebrew-file", "empty", "unknown"]


@dataclass(frozen=True, slots=True)
class Brewfile:
    path: str
    format: BrewfileFormat = "brew-bundle"
    entries: tuple[BrewfileEntry, ...] = ()
    skipped: tuple[BrewfileSkip, ...] = ()
    includes: tuple[str, ...] = ()  # files followed through instance_eval / eval


# ---------------------------------------------------------------- stow

StowStatus = Literal["stowed", "partial", "unstowed", "conflict"]
Mode = Literal["mutable", "declarative"]


@dataclass(frozen=True, slots=True)
class StowLink:
    path: str  # relative to the stow target (home), e.g. ".config/nvim"
    link: str  # the symlink's own text, e.g. "../dotfiles/nvim/.config/nvim"
    absolute: bool = False
    folded: bool = False  # a directory link standing for a whole package subtree
    source: str = ""  # relative path inside the package it resolves to


@dataclass(frozen=True, slots=True)
class StowConflict:
    path: str  # relative to the stow target
    kind: str  # "file" | "directory" | "foreign-link" | "other-package"
    detail: str = ""


@dataclass(frozen=True, slots=True)
class StowPackage:
    name: str
    status: StowStatus
    targets: tuple[str, ...] = ()  # paths (relative to home) the package owns
    links: tuple[StowLink, ...] = ()
    conflicts: tuple[StowConflict, ...] = ()
    include: bool = True
    mode: Mode = "mutable"
    dotfiles: bool = False  # stowed with --dotfiles (inferred from the links)
    target: str = ""  # the directory the package was stowed into (absolute)
    no_folding: bool = False  # its directories are real ones holding only its links
    # the stow directory itself, stowed as one package (`stow .` inside it); its
    # name is then "." and link sources are paths inside the stow directory
    whole: bool = False
    # a link outside the home leading into the package (`stow -t /etc`): it is
    # stowed there, where Home Manager does not reach
    outside: str = ""

    @property
    def label(self) -> str:
        """How messages name it: Stow's "." alone reads like a typo."""
        return (
            f"{self.name} (the whole directory, as `stow .`)"
            if self.whole
            else self.name
        )


@dataclass(frozen=True, slots=True)
class StowOptions:
    """What .stowrc (and the defaults) say; only the parts the scan honours."""

    dotfiles: bool = False
    no_folding: bool = False
    ignore: tuple[str, ...] = ()
    defer: tuple[str, ...] = ()
    override: tuple[str, ...] = ()
    rc_files: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StowInventory:
    dir: str
    target: str
    options: StowOptions = field(default_factory=StowOptions)
    packages: tuple[StowPackage, ...] = ()
    stale_links: tuple[StowLink, ...] = ()  # into the stow dir, owned by no package
    broken_links: tuple[StowLink, ...] = ()
    problems: tuple[str, ...] = ()  # loops, unreadable dirs, odd names

    def package(self, name: str) -> StowPackage | None:
        return next((p for p in self.packages if p.name == name), None)

    @property
    def unowned_links(self) -> tuple[StowLink, ...]:
        """Stale links that still lead to a file in the stow directory (`stow .`
        from inside it makes them): moving the directory would break them."""
        broken = {link.path for link in self.broken_links}
        return tuple(link for link in self.stale_links if link.path not in broken)


# ---------------------------------------------------------------- aggregate


@dataclass(frozen=True, slots=True)
class Inventory:
    schema_version: int = INVENTORY_SCHEMA
    nixmigrate_version: str = ""
    created: str = ""  # ISO 8601, UTC
    host: HostInfo = field(default_factory=HostInfo)
    brew: BrewInventory = field(default_factory=BrewInventory)
    brewfile: Brewfile | None = None
    stow: StowInventory | None = None
    warnings: tuple[str, ...] = ()
    resolutions: tuple[Resolution, ...] = ()
    # well-known config files found in home (home-relative); only a fixed list is
    # looked for (see scan/home_files.py), never a walk of the home directory
    home_files: tuple[str, ...] = ()

    def with_resolutions(self, resolutions: tuple[Resolution, ...]) -> Inventory:
        return replace(self, resolutions=resolutions)


def inventory_to_json(inventory: Inventory) -> str:
    return json.dumps(to_plain(inventory), indent=2, sort_keys=False) + "\n"


def inventory_from_json(text: str, *, origin: str = "inventory") -> Inventory:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        msg = f"{origin} is not valid JSON ({err.msg} at line {err.lineno})"
        raise StateError(msg, hint="run 'nixmigrate scan' again") from err
    version = raw.get("schema_version") if isinstance(raw, dict) else None
    if version != INVENTORY_SCHEMA:
        msg = f"{origin} has unsupported schema_version {version!r}"
        raise StateError(msg, hint="run 'nixmigrate scan' again with this version")
    try:
        return from_plain(Inventory, raw)
    except (TypeError, ValueError, KeyError) as err:
        msg = f"{origin} is malformed: {err}"
        raise StateError(msg, hint="run 'nixmigrate scan' again") from err
