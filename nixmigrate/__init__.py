"""nixmigrate: move from Homebrew + GNU Stow to Nix + Home Manager, in phases."""

from __future__ import annotations

__version__ = "0.1.0"
