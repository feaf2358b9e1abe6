"""Reading the configs that phases 4 and 5 turn into Nix settings.

The converters are pure (plan/); this module does the reading: the package files through
the Stow tree, `.gitconfig` through real `git config`, macOS settings through `defaults`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nixmigrate.app.env import Env
from nixmigrate.errors import NixmigrateError
from nixmigrate.plan.links import (
    StowContext,
    home_path_in_package_target,
    stowed_with_dotfiles,
)
from nixmigrate.plan.options import DeclarativeConfigs, SecretFile
from nixmigrate.plan.phases import Phase
from nixmigrate.scan.inventory import Inventory, StowInventory, StowPackage
from nixmigrate.scan.stow.tree import PackageNode, read_package

GITCONFIG_TARGETS = (".gitconfig", ".config/git/config")
STARSHIP_TARGET = ".config/starship.toml"
_MAX_SECRET_SCAN_BYTES = 1 << 20  # larger files are not configs worth reading


@dataclass(frozen=True, slots=True)
class PackageFile:
    package: str
    target: str  # relative to home
    path: Path  # the file inside the dotfiles


def gather_declarative(
    env: Env, inventory: Inventory, through: Phase, mappings_dir: Path
) -> tuple[DeclarativeConfigs, list[str]]:
    """Converted configs and secret files for the included Stow packages."""
    warnings: list[str] = []
    files = list(_included_files(inventory))
    secrets = tuple(_secret_files(files, warnings))
    git_settings: dict[str, object] | None = None
    git_includes: tuple[dict[str, str], ...] = ()
    starship: dict[str, object] | None = None
    if through >= Phase.DECLARATIVE:
        declarative = [f for f in files if _is_declarative(inventory.stow, f.package)]
        git_settings, git_includes, git_secrets = _git(env, declarative, warnings)
        secrets += git_secrets
        starship = _starship(declarative, warnings)
    macos = (
        {} if through < Phase.MACOS else _macos(env, inventory, mappings_dir, warnings)
    )
    configs = DeclarativeConfigs(
        git_settings=git_settings,
        git_includes=git_includes,
        starship_settings=starship,
        secrets=secrets,
        macos_defaults=macos,
    )
    return configs, warnings


def _included_files(inventory: Inventory) -> Iterator[PackageFile]:
    """Each file of the included packages, at the home path its package put it:
    read with the package's own `--dotfiles` and below its own target."""
    stow = inventory.stow
    if stow is None:
        return
    ctx = StowContext(stow, inventory.host.home or stow.target, stow.dir)
    for package in stow.packages:
        if not package.include:
            continue
        tree = read_package(
            Path(stow.dir),
            package.name,
            home=Path(ctx.home),
            options=stow.options,
            dotfiles=stowed_with_dotfiles(ctx, package),
        )
        for node in _file_nodes(tree.root):
            target = home_path_in_package_target(ctx, package, node.target)
            if target is not None:
                path = Path(stow.dir) / package.name / node.source
                yield PackageFile(package.name, target, path)


def _file_nodes(node: PackageNode) -> Iterator[PackageNode]:
    if not node.is_dir:
        yield node
    for child in node.children:
        yield from _file_nodes(child)


def _is_declarative(stow: StowInventory | None, name: str) -> bool:
    package: StowPackage | None = stow.package(name) if stow else None
    return package is not None and package.mode == "declarative"


def _secret_files(
    files: list[PackageFile], warnings: list[str]
) -> Iterator[SecretFile]:
    from nixmigrate.plan.secrets import scan_file_for_secrets

    for f in files:
        try:
            if f.path.is_symlink() or f.path.stat().st_size > _MAX_SECRET_SCAN_BYTES:
                continue
            content = f.path.read_bytes()
        except OSError as err:
            warnings.append(f"{f.path} was not read for secrets: {err.strerror}")
            continue
        for finding in scan_file_for_secrets(f.target, content):
            yield SecretFile(f.target, finding.reason)


def _git(
    env: Env, files: list[PackageFile], warnings: list[str]
) -> tuple[
    dict[str, object] | None, tuple[dict[str, str], ...], tuple[SecretFile, ...]
]:
    from nixmigrate.plan.gitconfig import gitconfig_to_settings
    from nixmigrate.scan.gitconfig import read_gitconfig

    found = next((f for f in files if f.target in GITCONFIG_TARGETS), None)
    if found is None:
        return None, (), ()
    try:
        conversion = gitconfig_to_settings(read_gitconfig(env.runner, found.path))
    except NixmigrateError as err:
        warnings.append(f"{found.path} kept as a link: {err}")
        return None, (), ()
    secrets = tuple(SecretFile(found.target, s.reason) for s in conversion.secrets)
    return dict(conversion.settings), conversion.includes, secrets


def _starship(
    files: list[PackageFile], warnings: list[str]
) -> dict[str, object] | None:
    from nixmigrate.plan.starship import starship_to_settings

    found = next((f for f in files if f.target == STARSHIP_TARGET), None)
    if found is None:
        return None
    try:
        text = found.path.read_text(encoding="utf-8")
        return dict(starship_to_settings(text, origin=str(found.path)))
    except (OSError, UnicodeDecodeError, NixmigrateError) as err:
        warnings.append(f"{found.path} kept as a link: {err}")
        return None


def _macos(
    env: Env, inventory: Inventory, mappings_dir: Path, warnings: list[str]
) -> dict[str, dict[str, object]]:
    if inventory.host.os != "darwin" or env.runner.which("defaults") is None:
        return {}
    from nixmigrate.mapping.macos_defaults import load_defaults_table
    from nixmigrate.plan.macos_defaults import defaults_to_system_defaults
    from nixmigrate.scan.macos_defaults import read_defaults

    table = load_defaults_table(mappings_dir)
    env.progress("Reading macOS settings (defaults export)")
    raw, found_warnings = read_defaults(env.runner, table.domains)
    warnings.extend(found_warnings)
    converted, unsupported = defaults_to_system_defaults(raw, table)
    if unsupported:
        warnings.append(
            f"{len(unsupported)} macOS setting(s) have no nix-darwin option and stay as "
            "they are (see `defaults read`)"
        )
    return {group: dict(values) for group, values in converted.items()}
