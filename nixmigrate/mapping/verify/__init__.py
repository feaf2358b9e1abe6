"""Check the chosen nixpkgs attributes against the user's own nixpkgs, in one Nix call.

For each attribute path the evaluation reports whether it exists, its version,
whether `meta.platforms` includes this machine (no platforms means all), and whether
it is unfree. Every lookup is wrapped in `builtins.tryEval`, so one attribute that
throws (a removed alias, say) does not fail the batch. The same evaluation tries the
candidate attributes of unmapped items (see candidates.py) and reports whether
each provides the command it needs.

Pure: this module writes the expression and reads Nix's answer; app/verify.py runs
Nix between the two. Beside it: model.py, the checks it produces, and candidates.py.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from nixmigrate.errors import NixmigrateError
from nixmigrate.mapping.verify.model import (
    FAILED,
    AttrCheck,
    Trial,
    TrialCheck,
    VerifyReport,
)
from nixmigrate.mapping.versions import compare
from nixmigrate.nixlang import nix_list, nix_str

if TYPE_CHECKING:
    from pathlib import Path

    from nixmigrate.resolution import Resolution

# The helpers take `pkgs` from the `let` that imports nixpkgs; see verify_expression.
_PRELUDE: Final = """
  hostSystem = pkgs.stdenv.hostPlatform.system or builtins.currentSystem;
  lookup = path: builtins.foldl'
    (set: name:
      if set != null && builtins.isAttrs set && builtins.hasAttr name set
      then builtins.getAttr name set else null)
    pkgs path;
  attempt = value:
    let tried = builtins.tryEval (builtins.deepSeq value value);
    in if tried.success then tried.value else null;
  asList = value: if builtins.isList value then value else [ value ];
  isUnfree = drv: (drv.meta.unfree or false) || builtins.any
    (license: builtins.isAttrs license && (license.free or true) == false)
    (asList (drv.meta.license or [ ]));
  onHost = drv:
    if pkgs ? lib.meta.availableOn && pkgs ? stdenv.hostPlatform
    then pkgs.lib.meta.availableOn pkgs.stdenv.hostPlatform drv
    else (let platforms = drv.meta.platforms or null;
          in platforms == null || builtins.elem hostSystem platforms);
  describe = drv: {
    exists = true;
    error = null;
    package = attempt ((drv.type or null) == "derivation");
    version = attempt (drv.version or null);
    available = attempt (onHost drv);
    unfree = attempt (isUnfree drv);
  };
  check = path:
    let found = builtins.tryEval (lookup path);
    in if !found.success then { exists = true; error = "evaluating it failed"; }
       else if found.value == null then { exists = false; error = null; }
       else describe found.value;
  # only a store path that is already there is looked at: nothing gets built
  hasCommand = drv: command:
    let out = drv.outPath or null;
    in out != null && builtins.pathExists
      "${builtins.unsafeDiscardStringContext (toString out)}/bin/${command}";
  probe = trial:
    let found = builtins.tryEval (lookup trial.path);
        drv = found.value;
        usable = found.success && drv != null && builtins.isAttrs drv;
    in check trial.path // (if usable then {
      mainProgram = attempt (drv.meta.mainProgram or null);
      hasCommand = attempt (hasCommand drv trial.command);
    } else { });
"""


def attr_path(attr: str) -> tuple[str, ...]:
    """`python3Packages.aria2p` -> ("python3Packages", "aria2p")."""
    return tuple(attr.split("."))


def verify_expression(
    attrs: Sequence[str],
    trials: Sequence[Trial] = (),
    *,
    nixpkgs_expr: str = "<nixpkgs>",
) -> str:
    """One Nix expression that checks every attribute path of `attrs` and tries every
    candidate of `trials`; `nixpkgs_expr` is what to import (see system/nixpkgs)."""
    paths = nix_list(_path_list(a) for a in attrs)
    tried = nix_list(
        f"{{ path = {_path_list(t.attr)}; command = {nix_str(t.command)}; }}"
        for t in trials
    )
    return (
        "let\n"
        f"  pkgs = import ({nixpkgs_expr}) "
        "{ config = { allowUnfree = true; }; overlays = [ ]; };"
        f"{_PRELUDE}"
        "in {\n"
        "  system = hostSystem;\n"
        f"  results = map check {paths};\n"
        f"  trials = map probe {tried};\n"
        "}\n"
    )


def _path_list(attr: str) -> str:
    return nix_list(nix_str(c) for c in attr_path(attr))


def parse_verify_output(
    raw: object,
    attrs: Sequence[str],
    *,
    nixpkgs: Path | None = None,
    trials: Sequence[Trial] = (),
) -> VerifyReport:
    if not isinstance(raw, dict) or not isinstance(raw.get("results"), list):
        msg = "the Nix evaluation did not return {system, results}"
        raise NixmigrateError(msg, hint="re-run with --debug and report it")
    results = raw["results"]
    answered = raw.get("trials", [])
    if len(results) != len(attrs) or not isinstance(answered, list):
        msg = f"asked Nix about {len(attrs)} attributes, got {len(results)} answers"
        raise NixmigrateError(msg, hint="re-run with --debug and report it")
    if trials and len(answered) != len(trials):
        msg = f"asked Nix about {len(trials)} candidates, got {len(answered)} answers"
        raise NixmigrateError(msg, hint="re-run with --debug and report it")
    return VerifyReport(
        system=str(raw.get("system", "")),
        nixpkgs=str(nixpkgs) if nixpkgs is not None else "<nixpkgs>",
        checks=tuple(
            _check(attr, item) for attr, item in zip(attrs, results, strict=True)
        ),
        trials=tuple(
            _trial_check(trial, item)
            for trial, item in zip(trials, answered[: len(trials)], strict=True)
        ),
    )


def _trial_check(trial: Trial, item: object) -> TrialCheck:
    fields = item if isinstance(item, dict) else {}
    return TrialCheck(
        trial=trial,
        check=_check(trial.attr, item),
        main_program=_opt_str(fields.get("mainProgram")),
        has_command=_opt_bool(fields.get("hasCommand")),
    )


def _check(attr: str, item: object) -> AttrCheck:
    fields = item if isinstance(item, dict) else {}
    return AttrCheck(
        attr=attr,
        exists=fields.get("exists") is True,
        error=_opt_str(fields.get("error")),
        package=_opt_bool(fields.get("package")),
        version=_opt_str(fields.get("version")),
        available=_opt_bool(fields.get("available")),
        unfree=fields.get("unfree") is True,
    )


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _opt_bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


# ---------------------------------------------------------------- resolutions


def attrs_to_verify(resolutions: Iterable[Resolution]) -> tuple[str, ...]:
    """Each attribute the resolutions would install, once, in order."""
    return tuple(
        dict.fromkeys(
            r.attr for r in resolutions if r.attr and r.action in ("nix", "program")
        )
    )


def apply_verification(
    resolutions: Iterable[Resolution],
    report: VerifyReport,
    installed_versions: Mapping[str, str] | None = None,
) -> tuple[Resolution, ...]:
    """The resolutions with what the check found: a missing attribute makes the item
    `unmapped`; availability, unfree and version differences become notes."""
    versions = installed_versions or {}
    updated: list[Resolution] = []
    for resolution in resolutions:
        check = report.check(resolution.attr) if resolution.attr else None
        if check is None or resolution.action not in ("nix", "program"):
            updated.append(resolution)
        else:
            updated.append(_verified(resolution, check, report, versions))
    return tuple(updated)


def _verified(
    resolution: Resolution,
    check: AttrCheck,
    report: VerifyReport,
    versions: Mapping[str, str],
) -> Resolution:
    step = f"verify {check.attr}: {describe_check(check)} in {report.nixpkgs}"
    chain = (*resolution.chain, step)
    if check.status in FAILED:
        return replace(
            resolution,
            action="unmapped",
            confidence="none",
            attr=None,
            program=None,
            reason=(
                f"{check.attr} is {describe_check(check)} in your nixpkgs "
                f"({report.nixpkgs}); was: {resolution.reason}; "
                f"map it with `nixmigrate map {shlex.quote(resolution.name)} ATTR`"
            ),
            chain=chain,
        )
    notes = [resolution.note] if resolution.note else []
    if check.status == "unavailable":
        notes.append(f"{check.attr} is not available on {report.system}")
    notes += _version_note(check, versions.get(resolution.name, ""))
    return replace(
        resolution,
        unfree=resolution.unfree or check.unfree,
        note="; ".join(notes) or None,
        chain=chain,
    )


def _version_note(check: AttrCheck, installed: str) -> list[str]:
    if not installed or not check.version:
        return []
    relation = compare(installed, check.version)
    if relation in ("same", "unknown"):
        return []
    return [f"nixpkgs has {check.version}, {relation} than the {installed} installed"]


def describe_check(check: AttrCheck) -> str:
    match check.status:
        case "missing":
            return "missing"
        case "broken":
            return f"broken ({check.error})"
        case "not-a-package":
            return "not a package (an attribute set)"
        case "unavailable":
            return "present but not for this platform"
        case "ok":
            return f"present ({check.version})" if check.version else "present"
