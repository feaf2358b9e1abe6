"""Scan GNU Stow dotfiles: the packages, how each was stowed, and how it stands now.

`rc` reads `.stowrc`, `ignore` the ignore lists, `tree` a package's entries,
`scanner` judges one package against the target, `placement` works out per
package the target and `--dotfiles` setting the links that exist agree with, and
`whole` finds a stow directory stowed as one package (`stow .` inside it), and
`outside` a package stowed outside the home (`stow -t /etc`).
"""

from __future__ import annotations

from nixmigrate.scan.stow.placement import Inference
from nixmigrate.scan.stow.rc import resolve_stow_location
from nixmigrate.scan.stow.scan import scan_stow

__all__ = ["Inference", "resolve_stow_location", "scan_stow"]
