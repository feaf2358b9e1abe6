"""Phase 4 decisions: converted configs become `programs.*` settings.

Only files of Stow packages marked "declarative" are replaced. Every other file of such
a package (and every file holding a secret) stays a mutable link, because the package
is unstowed as a whole and nothing may get lost; secrets never enter the Nix store.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from nixmigrate.plan.config import MutableLink, ProgramModule
from nixmigrate.plan.links import (
    StowContext,
    declarative_packages,
    home_path_of,
    link_source,
    make_link,
    stowed_with_dotfiles,
    unfold_command,
    unstow_step,
    with_links,
)
from nixmigrate.plan.options import DeclarativeConfigs, SecretFile
from nixmigrate.plan.packages import Bucket, bucket_of, installed, program_package
from nixmigrate.plan.program_files import generated_paths, owned_paths, program_files
from nixmigrate.plan.steps import Unstow
from nixmigrate.resolution import Resolution
from nixmigrate.scan.inventory import StowLink, StowPackage
from nixmigrate.scan.stow.tree import in_package

# tools whose home-manager module is worth enabling as soon as the tool is installed
SHELL_TOOLS: Final = ("bat", "direnv", "eza", "fzf", "zoxide")


@dataclass(frozen=True, slots=True)
class Converter:
    program: str
    reads: tuple[str, ...]  # home-relative files the settings replace
    writes: str  # the file home-manager writes instead


CONVERTERS: Final = (
    Converter("git", (".gitconfig", ".config/git/config"), ".config/git/config"),
    Converter("starship", (".config/starship.toml",), ".config/starship.toml"),
)


@dataclass(frozen=True, slots=True)
class DeclarativePlan:
    modules: tuple[ProgramModule, ...] = ()
    buckets: Mapping[str, Bucket] = field(default_factory=dict)  # program -> file
    links: tuple[MutableLink, ...] = ()
    unstow: tuple[Unstow, ...] = ()
    managed: tuple[str, ...] = ()
    provided_attrs: frozenset[str] = frozenset()  # installed by a program module now
    secret_links: tuple[str, ...] = ()  # home paths kept as links because of secrets
    notes: tuple[str, ...] = ()

    @property
    def programs(self) -> frozenset[str]:
        return frozenset(m.name for m in self.modules)


@dataclass(frozen=True, slots=True)
class _Active:
    converter: Converter
    source: str  # the home-relative file the settings were read from


@dataclass(frozen=True, slots=True)
class _Candidate:
    name: str
    package: str | None
    bucket: Bucket
    attr: str | None
    values: tuple[tuple[str, object], ...] = ()


def home_files_to_check() -> tuple[str, ...]:
    """The files the scan looks for in $HOME: what modules and converters write."""
    return tuple(sorted({*generated_paths(), *(c.writes for c in CONVERTERS)}))


def plan_declarative(
    ctx: StowContext | None,
    resolutions: Iterable[Resolution],
    configs: DeclarativeConfigs,
    *,
    home_files: Iterable[str] = (),
    not_enabled: frozenset[str] = frozenset(),
) -> DeclarativePlan:
    """Phase 4's modules, kept links and unstow steps.

    `home_files` are config files already in $HOME (from the scan); `not_enabled` are
    programs phase 2 leaves disabled because their files are the user's.
    """
    chosen = installed(resolutions)
    packages = with_links(declarative_packages(ctx.stow)) if ctx else ()
    all_links = [(p, link) for p in packages for link in p.links]
    active, notes = _active_converters(ctx, all_links, configs, frozenset(home_files))
    tools = _tools(chosen, not_enabled)
    candidates = [*_converted_programs(active, chosen, configs), *tools]
    kept, secret_links, link_notes = _kept_links(
        ctx, packages, active, configs.secret_files()
    )
    modules = tuple(
        ProgramModule(f"home/programs/{c.name}.nix", c.name, c.package, c.values)
        for c in sorted(candidates, key=lambda c: c.name)
    )
    managed = {a.converter.writes for a in active} | {link.home_path for link in kept}
    return DeclarativePlan(
        modules=modules,
        buckets={c.name: c.bucket for c in candidates},
        links=kept,
        unstow=tuple(unstow_step(ctx, p) for p in packages) if ctx else (),
        managed=tuple(sorted(managed)),
        provided_attrs=frozenset(c.attr for c in candidates if c.attr),
        secret_links=secret_links,
        notes=(*notes, *link_notes, *_tool_notes(candidates)),
    )


def _active_converters(
    ctx: StowContext | None,
    declarative_links: list[tuple[StowPackage, StowLink]],
    configs: DeclarativeConfigs,
    home_files: frozenset[str],
) -> tuple[tuple[_Active, ...], tuple[str, ...]]:
    given = {"git": configs.git_settings, "starship": configs.starship_settings}
    if ctx is None:
        return (), ()
    owned = {home_path_of(ctx, link) for _, link in declarative_links}
    active: list[_Active] = []
    notes: list[str] = []
    for conv in CONVERTERS:
        if given[conv.program] is None:
            continue
        if folded := _folded_over(ctx, conv):
            notes.append(f"programs.{conv.program} not written: {folded}")
        elif not owned & set(conv.reads):
            notes.append(
                f"programs.{conv.program} not written: no Stow package marked "
                f"declarative links {' or '.join('~/' + r for r in conv.reads)}"
            )
        elif kept := _kept_file(ctx, conv, home_files):
            notes.append(f"programs.{conv.program} not written: {kept}")
        else:
            source = min(owned & set(conv.reads))
            active.append(_Active(conv, source))
    return tuple(active), tuple(notes)


def _folded_over(ctx: StowContext, conv: Converter) -> str:
    """Why a folded link that holds a file the converter reads keeps it ("" if none)."""
    linked = (
        (home_path_of(ctx, link), p.name) for p in ctx.stow.packages for link in p.links
    )
    folded = sorted(
        (path, name)
        for path, name in linked
        if any(_is_ancestor(path, r) for r in conv.reads)
    )
    if not folded:
        return ""
    path, name = folded[0]
    package = ctx.stow.package(name)
    unfold = f": `{unfold_command(ctx, package)}`" if package else ""
    return (
        f"~/{path} is one folded link that also holds {conv.writes}; it stays a "
        f"mutable link (re-stow its package with --no-folding to convert it{unfold})"
    )


def _kept_file(ctx: StowContext, conv: Converter, home_files: frozenset[str]) -> str:
    """Why a file the module writes must stay the user's ("" when none must).

    Files of packages marked declarative are replaced on purpose (the package is
    unstowed); a file of any other package, or one outside Stow, is not.
    """
    owned = owned_paths(ctx, ctx.stow.packages)
    user_files = (user for user, _ in program_files(conv.program))
    for path in dict.fromkeys((conv.writes, *user_files)):
        found = owned.owner(path)
        package = found[1] if found else None
        if package is not None and not (
            package.include and package.mode == "declarative"
        ):
            return (
                f"~/{path} is linked from the Stow package {package.name}, which is "
                "not marked declarative; it stays your file"
            )
        if package is None and path in home_files:
            return (
                f"~/{path} already exists outside your Stow packages and Home Manager "
                "would replace it; move it into a Stow package marked declarative"
            )
    return ""


def _is_ancestor(path: str, other: str) -> bool:
    return other.startswith(path.rstrip("/") + "/")


def _resolution_for(name: str, chosen: Iterable[Resolution]) -> Resolution | None:
    return next(
        (r for r in chosen if name in (r.program, r.attr) or (r.name == name)), None
    )


def _converted_programs(
    active: Iterable[_Active],
    chosen: tuple[Resolution, ...],
    configs: DeclarativeConfigs,
) -> list[_Candidate]:
    found: list[_Candidate] = []
    for item in active:
        conv = item.converter
        res = _resolution_for(conv.program, chosen)
        found.append(
            _Candidate(
                name=conv.program,
                package=program_package(conv.program, res.attr) if res else None,
                bucket="common",
                attr=res.attr if res else None,
                values=_program_values(item, configs),
            )
        )
    return found


def _program_values(
    item: _Active, configs: DeclarativeConfigs
) -> tuple[tuple[str, object], ...]:
    if item.converter.program == "starship":
        return (("settings", dict(configs.starship_settings or {})),)
    values: list[tuple[str, object]] = [("settings", dict(configs.git_settings or {}))]
    includes = [
        {"path": _include_path(i.path, item)}
        | ({"condition": i.condition} if i.condition else {})
        for i in configs.includes()
    ]
    if includes:
        values.append(("includes", includes))
    return tuple(values)


def _include_path(path: str, item: _Active) -> str:
    """Keep a relative include pointing at the same file once the config moves.

    git reads a relative include path relative to the including file, and the
    settings now live in ~/.config/git/config rather than, say, ~/.gitconfig.
    """
    old_dir = posixpath.dirname(item.source)
    if path.startswith(("/", "~")) or old_dir == posixpath.dirname(
        item.converter.writes
    ):
        return path
    return "~/" + posixpath.normpath(posixpath.join(old_dir, path))


def _tools(
    chosen: tuple[Resolution, ...], not_enabled: frozenset[str]
) -> list[_Candidate]:
    found: dict[str, _Candidate] = {}
    for res in chosen:
        names = (res.program, res.attr, res.name)
        name = next((n for n in names if n in SHELL_TOOLS), None)
        if name and name not in found and name not in not_enabled:
            found[name] = _Candidate(
                name=name,
                package=program_package(name, res.attr),
                bucket=bucket_of(res.platforms),
                attr=res.attr,
            )
    return list(found.values())


def _tool_notes(candidates: Iterable[_Candidate]) -> tuple[str, ...]:
    tools = sorted(c.name for c in candidates if c.name in SHELL_TOOLS)
    if not tools:
        return ()
    enabled = ", ".join(f"programs.{t}" for t in tools)
    note = (
        f"{enabled} enabled; their shell hooks only take effect "
        "when home-manager manages your shell (programs.zsh/bash/fish.enable). With a "
        'linked .zshrc keep your own init lines (e.g. eval "$(zoxide init zsh)")'
    )
    return (note,)


def _kept_links(
    ctx: StowContext | None,
    packages: Iterable[StowPackage],
    active: Iterable[_Active],
    secrets: tuple[SecretFile, ...],
) -> tuple[tuple[MutableLink, ...], tuple[str, ...], tuple[str, ...]]:
    """The links a declarative package keeps, which of them hold secrets, and notes."""
    if ctx is None:
        return (), (), ()
    replaced = {r for item in active for r in item.converter.reads}
    kept: list[MutableLink] = []
    secret_paths: list[str] = []
    notes: list[str] = []
    for package in packages:
        for link in package.links:
            made = make_link(ctx, package, link)
            secret = _secret_for(ctx, package, made, secrets)
            if secret is not None:
                secret_paths.append(made.home_path)
                notes.append(
                    f"~/{made.home_path} stays a mutable link to the dotfiles repo because "
                    f"{secret.reason}; a Nix setting would copy it into the "
                    "world-readable Nix store"
                )
            elif made.home_path in replaced:
                continue
            else:
                notes.append(
                    f"~/{made.home_path} (package {package.name}) has no converter; it stays "
                    "a mutable link"
                )
            kept.append(made)
    return tuple(kept), tuple(secret_paths), tuple(notes)


def _secret_for(
    ctx: StowContext,
    package: StowPackage,
    link: MutableLink,
    secrets: Iterable[SecretFile],
) -> SecretFile | None:
    stow_link = next(s for s in package.links if home_path_of(ctx, s) == link.home_path)
    inside = link_source(stow_link, dotfiles=stowed_with_dotfiles(ctx, package))
    names = {link.home_path, inside, in_package(package.name, inside)}
    for secret in secrets:
        path = posixpath.normpath(secret.path)
        if path in names or any(_is_ancestor(n, path) for n in names):
            return secret
    return None
