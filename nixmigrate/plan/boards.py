"""Raspberry Pi boards a second machine may be (kept import-free for the CLI)."""

from __future__ import annotations

from typing import Final

# boards nvmd/nixos-raspberrypi supports, as its module names spell them
# (nixosModules.raspberry-pi-<model>.base, installerImages.rpi<model>)
PI_MODELS: Final = ("5", "4", "3", "02")
DEFAULT_PI_MODEL: Final = "5"
