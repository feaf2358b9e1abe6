"""ConfigModel -> the files of the generated flake (pure, sorted, byte-stable)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final, Literal

from nixmigrate.plan.config import ConfigModel
from nixmigrate.plan.steps import WriteFile
from nixmigrate.render.engine import render_template

# which option tree a generated file's top-level attributes belong to
ModuleScope = Literal["darwin", "nixos", "home"]
UNFREE_FILE: Final = "unfree.nix"


def render_files(model: ConfigModel) -> tuple[WriteFile, ...]:
    files = dict(_rendered(model))
    return tuple(WriteFile(relpath, files[relpath]) for relpath in sorted(files))


def _rendered(model: ConfigModel) -> Iterator[tuple[str, str]]:
    yield "flake.nix", render_template("flake.nix.j2", flake=model.flake)
    yield ".gitignore", render_template("gitignore.j2", patterns=model.gitignore)
    if model.unfree:
        yield UNFREE_FILE, render_template("unfree.nix.j2", names=model.unfree)
    for host in model.darwin_hosts:
        yield host.relpath, render_template("darwin-host.nix.j2", host=host)
    for nixos in model.nixos_hosts:
        yield nixos.relpath, render_template("nixos-host.nix.j2", host=nixos)
    for home_host in model.home_hosts:
        yield home_host.relpath, render_template("home-host.nix.j2", host=home_host)
    for brew in model.homebrew:
        yield brew.relpath, render_template("homebrew.nix.j2", brew=brew)
    for module in model.home_modules:
        yield module.relpath, render_template("home.nix.j2", module=module)
    for program in model.program_modules:
        yield program.relpath, render_template("program.nix.j2", program=program)


def module_scopes(model: ConfigModel) -> dict[str, ModuleScope]:
    """The generated files that are modules, and whose options they set."""
    scopes: dict[str, ModuleScope] = {}
    scopes.update({h.relpath: "darwin" for h in model.darwin_hosts})
    scopes.update({b.relpath: "darwin" for b in model.homebrew})
    scopes.update({h.relpath: "nixos" for h in model.nixos_hosts})
    scopes.update({h.relpath: "home" for h in model.home_hosts})
    scopes.update({m.relpath: "home" for m in model.home_modules})
    scopes.update({p.relpath: "home" for p in model.program_modules})
    return scopes
