"""Phase 2 decisions: which resolutions become `home.packages`, `programs.*` or stay brews.

Resolutions drive everything: action `nix` -> a package, `program` -> a home-manager
module, `keep-brew` (and `unmapped`, which nothing replaces) -> `homebrew.brews`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from nixmigrate.plan.bundle_entries import kept_brew_entries, on_darwin
from nixmigrate.plan.config import ProgramEnable
from nixmigrate.resolution import Resolution
from nixmigrate.scan.inventory import Inventory

Bucket = Literal["common", "darwin", "linux"]
BUCKETS: Final[tuple[Bucket, ...]] = ("common", "darwin", "linux")

# home-manager modules whose default package is not `pkgs.<module name>`
# (from the modules' `package` defaults, home-manager-programs.tsv)
_DEFAULT_PACKAGE: Final[Mapping[str, str]] = {
    "awscli": "awscli2",
    "bash": "bashInteractive",
    "concord": "concord-tui",
    "cursor": "code-cursor",
    "dbeaver": "dbeaver-bin",
    "dircolors": "coreutils",
    "floorp": "floorp-bin",
    "gpg": "gnupg",
    "grep": "gnugrep",
    "info": "texinfoInteractive",
    "java": "jdk",
    "kakoune": "kakoune-unwrapped",
    "kraftkit": "kraft",
    "mbsync": "isync",
    "neovim": "neovim-unwrapped",
    "npm": "nodejs",
    "onlyoffice": "onlyoffice-desktopeditors",
    "parallel": "parallel-full",
    "password-store": "pass",
    "qalculate": "libqalculate",
    "retroarch": "retroarch-bare",
    "riff": "riffdiff",
    "sagemath": "sage",
    "sherlock": "sherlock-launcher",
    "taskwarrior": "taskwarrior2",
    "urxvt": "rxvt-unicode",
}
# modules without a settable `package` option (absent or read-only)
_NO_PACKAGE_OPTION: Final = frozenset(
    {
        "command-not-found",
        "diff-highlight",
        "diff-so-fancy",
        "docker-cli",
        "glab",
        "home-manager",
        "jetbrains-remote",
        "just",
        "macos-terminal",
        "matplotlib",
        "mcp",
        "niriswitcher",
        "radicle",
        "readline",
        "texlive",
        "vim",
        "yarn",
    }
)
# a `service` item's package is installed too: its commands come from Nix before
# phase 7 stops the Homebrew service and lets nix-darwin run it
_INSTALLS: Final = frozenset({"nix", "program", "service"})


@dataclass(frozen=True, slots=True)
class PackageSet:
    packages: Mapping[Bucket, tuple[str, ...]]
    programs: Mapping[Bucket, tuple[ProgramEnable, ...]]
    unfree: tuple[str, ...]
    brews: tuple[str, ...]


def bucket_of(platforms: Iterable[str]) -> Bucket:
    wanted = set(platforms)
    if wanted == {"darwin"}:
        return "darwin"
    if wanted == {"linux"}:
        return "linux"
    return "common"


def installed(resolutions: Iterable[Resolution]) -> tuple[Resolution, ...]:
    """Formulae, casks and uv tools the user asked for that Nix provides
    (nix, program, service)."""
    return tuple(
        r
        for r in resolutions
        if r.kind in ("formula", "cask", "uv")
        and r.action in _INSTALLS
        and r.on_request
    )


def program_package(program: str, attr: str | None) -> str | None:
    """The `package = pkgs.<attr>` to write, or None when the module default is right."""
    if attr is None or program in _NO_PACKAGE_OPTION:
        return None
    if attr in (program, _DEFAULT_PACKAGE.get(program)):
        return None
    return attr


# A module wraps some packages itself; installed on their own, the wrapped one is
# what a user runs (programs.neovim uses neovim-unwrapped and adds its wrapper).
_STANDALONE_PACKAGE: Final[Mapping[str, str]] = {"neovim-unwrapped": "neovim"}


def installed_attr(program: str, attr: str | None) -> str:
    """The attribute to put in `home.packages` for a module that is not enabled."""
    chosen = attr or _DEFAULT_PACKAGE.get(program, program)
    return _STANDALONE_PACKAGE.get(chosen, chosen)


def unfree_name(attr: str) -> str:
    """What `lib.getName` returns for the package, as far as the attribute tells."""
    return attr.rsplit(".", 1)[-1]


def plan_packages(
    inventory: Inventory,
    *,
    own_program_files: frozenset[str] = frozenset(),
    provided_by_programs: frozenset[str] = frozenset(),
    not_enabled: frozenset[str] = frozenset(),
) -> PackageSet:
    """Split the resolutions into packages, programs, unfree names and kept brews.

    `own_program_files` are programs rendered in `home/programs/<name>.nix` (phase 4),
    so they are left out here; `provided_by_programs` are attributes such a program
    installs itself, so they are not listed in `home.packages` as well.
    `not_enabled` are programs whose module would overwrite the user's own files:
    their package goes to `home.packages` instead (see plan/program_files.py).
    """
    chosen = installed(inventory.resolutions)
    packages: dict[Bucket, set[str]] = {b: set() for b in BUCKETS}
    programs: dict[Bucket, dict[str, ProgramEnable]] = {b: {} for b in BUCKETS}
    for res in chosen:
        bucket = bucket_of(res.platforms)
        attr = res.attr
        if res.action == "program" and res.program:
            if res.program in own_program_files:
                continue
            if res.program not in not_enabled:
                package = program_package(res.program, res.attr)
                programs[bucket][res.program] = ProgramEnable(res.program, package)
                continue
            attr = installed_attr(res.program, res.attr)
        if attr and attr not in provided_by_programs:
            packages[bucket].add(attr)
    return PackageSet(
        packages={b: tuple(sorted(packages[b])) for b in BUCKETS},
        programs={
            b: tuple(programs[b][n] for n in sorted(programs[b])) for b in BUCKETS
        },
        unfree=tuple(
            sorted({unfree_name(r.attr) for r in chosen if r.unfree and r.attr})
        ),
        brews=kept_brews(inventory),
    )


def kept_brews(inventory: Inventory) -> tuple[str, ...]:
    """Formulae Homebrew keeps on the Mac: `keep-brew`, and `unmapped` ones."""
    return tuple(entry.name for entry in kept_brew_entries(inventory))


def unmapped_formulae(inventory: Inventory, *, darwin: bool = False) -> tuple[str, ...]:
    """Formulae nothing maps; on a Mac, only those that apply to it."""
    return tuple(
        sorted(
            r.name
            for r in inventory.resolutions
            if r.kind == "formula"
            and r.action == "unmapped"
            and r.on_request
            and (not darwin or on_darwin(r))
        )
    )
