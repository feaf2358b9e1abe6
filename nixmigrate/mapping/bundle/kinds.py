"""Decisions for the Brewfile kinds of other package managers that Homebrew Bundle drives.

VS Code extensions, Go packages and Cargo crates stay with Homebrew Bundle, which
nix-darwin declares (`homebrew.vscode`, `goPackages`, `cargoPackages`). A `uv` tool
becomes the nixpkgs package when one exists, else a line in `homebrew.extraConfig`.
Kinds Homebrew Bundle no longer installs (npm, whalebrew) and Flatpak apps (Linux
only) are skipped with what to do instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from nixmigrate.mapping.decisions import Decision

if TYPE_CHECKING:
    from nixmigrate.mapping.resolve import Resolver

BUNDLE_KINDS: Final = frozenset(
    {"vscode", "go", "cargo", "uv", "npm", "whalebrew", "flatpak"}
)

_KEPT: Final = {
    "vscode": (
        "a VS Code extension: brew bundle installs it with the `code` CLI, however "
        "VS Code itself is installed (nix-darwin homebrew.vscode)"
    ),
    "go": "a Go package: brew bundle runs `go install` (nix-darwin homebrew.goPackages)",
    "cargo": (
        "a Rust crate: brew bundle runs `cargo install` "
        "(nix-darwin homebrew.cargoPackages)"
    ),
}
_SKIPPED: Final = {
    "npm": (
        "Homebrew Bundle does not install npm packages; install it with "
        "`npm install -g {name}`, or map it to a nixpkgs package with "
        "`nixmigrate map {name} ATTR`"
    ),
    "whalebrew": (
        "whalebrew was removed from Homebrew Bundle in 4.7; run the image with "
        "`docker run` (a shell alias keeps the command name)"
    ),
    "flatpak": (
        "a Flatpak app, which exists only on Linux: on NixOS enable services.flatpak "
        "and run `flatpak install {name}`"
    ),
}


def bundle_decision(resolver: Resolver, kind: str, name: str) -> Decision:
    """What a vscode/go/cargo/uv/npm/whalebrew/flatpak entry becomes."""
    if kind in _KEPT:
        return Decision(
            action="keep-brew",
            confidence="rule",
            reason=_KEPT[kind],
            platforms=("darwin",),
            chain=(f"rule {name}: {kind} entries stay with Homebrew Bundle",),
        )
    if kind == "uv":
        return _uv_decision(resolver, name)
    return Decision(
        action="skip",
        confidence="rule",
        reason=_SKIPPED[kind].format(name=name),
        platforms=("linux",) if kind == "flatpak" else (),
        chain=(f"rule {name}: {kind} entries are not installed by Homebrew Bundle",),
    )


def _uv_decision(resolver: Resolver, name: str) -> Decision:
    found = resolver.formula(name.lower())
    # a home-manager module's package is, unless the mapping says otherwise, its name
    attr = found.attr or found.program
    if found.action in ("nix", "program") and attr:
        return Decision(
            action="nix",
            confidence=found.confidence,
            reason=f"a uv tool that nixpkgs packages as {attr}",
            attr=attr,
            unfree=found.unfree,
            chain=(*found.chain, f"rule {name}: the uv tool as a nixpkgs package"),
        )
    return Decision(
        action="keep-brew",
        confidence="rule",
        reason=(
            "a uv tool with no nixpkgs package found: brew bundle installs it with "
            "`uv tool install` (a line in nix-darwin homebrew.extraConfig)"
        ),
        platforms=("darwin",),
        chain=(*found.chain, f"rule {name}: stays a uv tool"),
    )
