"""Which Brewfile options nix-darwin's `homebrew.*` submodules can carry.

Options keep their Brewfile names (`args`, `link`, `restart_service`, ...); the
values must have the types nix-darwin declares (../shared data:
nix-darwin-homebrew-options.tsv). What cannot be expressed is dropped here, once,
with a sentence for the report: `with-*` build options homebrew/core removed
(third-party taps such as d12frosted/emacs-plus still declare theirs), unknown keys,
values of the wrong type, and strings that would not stay plain text in the
Brewfile nix-darwin generates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from nixmigrate.name_grammar import name_problem, unsafe_text

Check = Callable[[object], object | None]
"""A value -> the value to keep, or None when nix-darwin cannot take it."""


def _bool(value: object) -> object | None:
    return value if isinstance(value, bool) else None


def _text(value: object) -> object | None:
    return value if isinstance(value, str) and not unsafe_text(value) else None


def _one_of(*allowed: object) -> Check:
    def check(value: object) -> object | None:
        if isinstance(value, bool) and True in allowed:
            return value
        return value if isinstance(value, str) and value in allowed else None

    return check


def _formula_names(value: object) -> object | None:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names:
        return None
    if all(isinstance(n, str) and name_problem("formula", n) is None for n in names):
        return list(names)
    return None


CASK_ARGS_BOOLEAN: Final = frozenset(
    {"ignore_dependencies", "no_binaries", "no_quarantine", "require_sha"}
)
CASK_ARGS_TEXT: Final = frozenset(
    {
        "appdir",
        "audio_unit_plugindir",
        "colorpickerdir",
        "dictionarydir",
        "fontdir",
        "input_methoddir",
        "internet_plugindir",
        "language",
        "mdimporterdir",
        "prefpanedir",
        "qlplugindir",
        "screen_saverdir",
        "servicedir",
        "vst3_plugindir",
        "vst_plugindir",
    }
)

_FORMULA: Final[Mapping[str, Check]] = {
    "link": _one_of(True, "overwrite"),
    "restart_service": _one_of(True, "changed", "always"),
    "start_service": _bool,
    "conflicts_with": _formula_names,
    "postinstall": _text,
}


def _python_packages(value: object) -> object | None:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names:
        return None
    if all(isinstance(n, str) and name_problem("uv", n) is None for n in names):
        return list(names)
    return None


_CASK: Final[Mapping[str, Check]] = {"greedy": _bool, "postinstall": _text}
_TAP: Final[Mapping[str, Check]] = {"clone_target": _text, "force_auto_update": _bool}
_CHECKS: Final[Mapping[str, Mapping[str, Check]]] = {
    "formula": _FORMULA,
    "cask": _CASK,
    "tap": _TAP,
    "uv": {"with": _python_packages},  # extra packages for the tool's environment
}


def carried_options(
    kind: str, options: Mapping[str, Any], *, tap: str = ""
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The options nix-darwin can carry for an item of `kind`, and what was dropped.

    `tap` is the third-party tap a formula was named with (`user/tap/name`)."""
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for key, value in options.items():
        if key == "args" and kind == "formula":
            args, why = formula_args(value, tap=tap)
            kept.update({"args": args} if args else {})
            dropped.extend(why)
        elif key == "args" and kind == "cask":
            cask_args, why = cask_arguments(value)
            kept.update({"args": cask_args} if cask_args else {})
            dropped.extend(why)
        else:
            check = _CHECKS.get(kind, {}).get(key)
            value_kept = check(value) if check is not None else None
            if value_kept is None:
                dropped.append(_cannot(kind, key, value, known=check is not None))
            else:
                kept[key] = value_kept
    return kept, tuple(dropped)


def formula_args(value: object, *, tap: str = "") -> tuple[list[str], tuple[str, ...]]:
    """`args: ["with-debug", "HEAD"]`: flags for `brew install`, minus removed ones.

    homebrew/core formulae take no `with-*` options any more; a formula from a
    third-party `tap` may still declare them (`option "with-fdk-aac"`), so its are kept.
    """
    flags = [value] if isinstance(value, str) else value
    if not isinstance(flags, list):
        return [], (f"option args = {value!r} dropped: not a list of flags",)
    kept: list[str] = []
    dropped: list[str] = []
    for flag in flags:
        if not isinstance(flag, str) or unsafe_text(flag):
            dropped.append(f"option args {flag!r} dropped: not a plain flag")
        elif flag.startswith(("with-", "without-")) and not tap:
            dropped.append(
                f"option args {flag!r} dropped: homebrew/core formulae no longer "
                "accept `with-*` build options (a tap's formula may: name it "
                "user/tap/formula in the Brewfile to keep them)"
            )
        else:
            kept.append(flag)
    return kept, tuple(dropped)


def cask_arguments(value: object) -> tuple[dict[str, Any], tuple[str, ...]]:
    """`args: { appdir: "~/Applications" }` (also `cask_args`): the known keys."""
    if not isinstance(value, dict):
        return {}, (f"option args = {value!r} dropped: not a hash",)
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for key, item in value.items():
        if (key in CASK_ARGS_BOOLEAN and isinstance(item, bool)) or (
            key in CASK_ARGS_TEXT and _text(item) is not None
        ):
            kept[key] = item
        else:
            known = key in CASK_ARGS_BOOLEAN | CASK_ARGS_TEXT
            dropped.append(_cannot("cask", f"args.{key}", item, known=known))
    return kept, tuple(dropped)


def _cannot(kind: str, key: str, value: object, *, known: bool) -> str:
    if known:
        return f"option {key} = {value!r} dropped: not a value nix-darwin accepts"
    return f"option {key} dropped: nix-darwin's {kind} entries have no such option"
