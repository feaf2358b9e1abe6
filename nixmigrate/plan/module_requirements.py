"""Settings a home-manager module's assertions demand when it is enabled.

Some modules assert on other modules' options; enabling one alone makes the whole
configuration fail to evaluate. The plan enables such a module only together with
the settings below (each an option path and its value).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

Setting = tuple[str, object]

MODULE_REQUIREMENTS: Final[Mapping[str, tuple[Setting, ...]]] = {
    # modules/programs/sesh.nix: with enableTmuxIntegration (on by default) it
    # asserts config.programs.fzf.tmux.enableShellIntegration
    "sesh": (("programs.fzf.tmux.enableShellIntegration", True),),
}


def required_settings(programs: Iterable[str]) -> tuple[Setting, ...]:
    """What the enabled `programs` need set beside them, once each, sorted."""
    found: dict[str, object] = {}
    for program in programs:
        for option, value in MODULE_REQUIREMENTS.get(program, ()):
            found.setdefault(option, value)
    return tuple(sorted(found.items()))
