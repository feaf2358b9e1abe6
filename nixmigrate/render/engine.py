"""The Jinja environment for the generated Nix files.

Strict: an undefined variable is an error, never an empty string. Every value a user
could influence reaches the output through a nixlang filter (`nix_str`, `nix_attr`,
`nix_attr_path`, `nix_path`, `nix_value`, `out_of_store`).
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from nixmigrate.nixlang import (
    nix_attr,
    nix_attr_path,
    nix_path,
    nix_str,
    nix_str_interpolated,
    nix_value,
)
from nixmigrate.plan.config import MutableLink

HOME_DIRECTORY_EXPR = "config.home.homeDirectory"


def dotted_attr(path: str) -> str:
    """`nerd-fonts.jetbrains-mono` -> each component bare or quoted."""
    return nix_attr_path(path.split("."))


def out_of_store(link: MutableLink) -> str:
    """The string given to mkOutOfStoreSymlink: absolute, via the home directory option.

    `${config.home.homeDirectory}` is an interpolation written on purpose; the rest of
    the path is user data and escaped like any other string.
    """
    if link.under_home:
        return nix_str_interpolated(HOME_DIRECTORY_EXPR, "/" + link.source)
    return nix_str(link.source)


@cache
def make_env() -> Environment:
    env = Environment(
        loader=PackageLoader("nixmigrate.render", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 -- Nix output: nixlang filters escape values
    )
    env.filters.update(
        nix_str=nix_str,
        nix_attr=nix_attr,
        nix_attr_path=dotted_attr,
        nix_path=nix_path,
        nix_value=nix_value,
        out_of_store=out_of_store,
    )
    return env


def render_template(name: str, **values: object) -> str:
    return make_env().get_template(name).render(**values)
