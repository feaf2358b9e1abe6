"""Homebrew Bundle's other kinds and options, as far as nix-darwin can carry them.

kinds.py decides what becomes of VS Code extensions, Go, Cargo, uv, npm, whalebrew
and Flatpak entries; options.py decides which Brewfile options a kept item keeps.
"""
