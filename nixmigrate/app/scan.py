"""The scan use case: host, Homebrew, Brewfile and Stow into one saved inventory."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from nixmigrate import __version__
from nixmigrate.app.env import Env
from nixmigrate.app.mapping import resolve_for
from nixmigrate.app.saved_scan import save_inventory
from nixmigrate.app.selection import ask_selection
from nixmigrate.errors import NothingScannedError, UsageError
from nixmigrate.name_grammar import NAME_PROBLEM
from nixmigrate.scan.inventory import (
    Brewfile,
    BrewInventory,
    HostInfo,
    Inventory,
    StowInventory,
)


@dataclass(frozen=True, slots=True)
class ScanRequest:
    home: Path
    dotfiles: Path | None = None  # None: ~/dotfiles if it exists (or what .stowrc says)
    brewfile: Path | None = None
    no_brew: bool = False
    stow_dotfiles: bool | None = None  # None: per package, from the links
    stow_target: Path | None = None  # None: per package, from the links


def run_scan(env: Env, request: ScanRequest) -> Inventory:
    """Scan everything that can be scanned; what cannot be is a warning, not a failure."""
    _check_request(request)
    warnings: list[str] = []
    brew = BrewInventory() if request.no_brew else _scan_brew(env, warnings)
    brewfile = _read_brewfile(env, request.brewfile)
    stow = _scan_stow(env, request, warnings)
    host = _scan_host(env, brew, warnings)
    if not (brew.available or brewfile or stow):
        msg = (
            "nothing could be scanned: no Homebrew, no Brewfile, no dotfiles directory"
        )
        raise NothingScannedError(
            msg, hint="pass --brewfile FILE or --dotfiles DIR, or run it on the machine"
        )
    inventory = Inventory(
        nixmigrate_version=__version__,
        created=env.clock().isoformat(timespec="seconds"),
        host=host,
        brew=brew,
        brewfile=brewfile,
        stow=stow,
        warnings=tuple(warnings) + _brewfile_warnings(brewfile),
        home_files=_home_files(request.home),
    )
    return inventory


def _check_request(request: ScanRequest) -> None:
    _require_dir(
        request.home,
        "home directory",
        "pass --home DIR pointing at an existing directory",
    )
    if request.dotfiles is not None:
        _require_dir(
            request.dotfiles,
            "dotfiles directory",
            "pass --dotfiles DIR with your Stow packages",
        )
    if request.stow_target is not None:
        _require_dir(
            request.stow_target,
            "stow target",
            "pass --stow-target DIR, the directory you stowed into",
        )


def _require_dir(path: Path, what: str, hint: str) -> None:
    if path.is_dir():
        return
    state = "is not a directory" if path.exists() else "does not exist"
    msg = f"{what} {path} {state}"
    raise UsageError(msg, hint=hint)


def _scan_brew(env: Env, warnings: list[str]) -> BrewInventory:
    from nixmigrate.scan.brew import scan_brew

    brew, found = scan_brew(env.runner, progress=env.progress)
    warnings.extend(found)
    return brew


def _read_brewfile(env: Env, path: Path | None) -> Brewfile | None:
    if path is None:
        return None
    from nixmigrate.scan.brewfile import read_brewfile

    env.progress(f"Reading {path}")
    return read_brewfile(path)


def _brewfile_warnings(brewfile: Brewfile | None) -> tuple[str, ...]:
    if brewfile is None:
        return ()
    notes: list[str] = []
    if brewfile.format == "homebrew-file":
        notes.append(
            f"{brewfile.path} is in homebrew-file's format, not Homebrew Bundle's; "
            "entries were read from its plain lines"
        )
    for skip in brewfile.skipped:
        if NAME_PROBLEM in skip.reason:
            where = f"{skip.file or brewfile.path}:{skip.line}"
            notes.append(f"{where}: skipped, {skip.reason}")
    if brewfile.skipped:
        notes.append(
            f"{brewfile.path}: {len(brewfile.skipped)} line(s) skipped "
            "(see brewfile.skipped in the inventory)"
        )
    return tuple(notes)


def _scan_stow(
    env: Env, request: ScanRequest, warnings: list[str]
) -> StowInventory | None:
    from nixmigrate.scan.stow import Inference, resolve_stow_location, scan_stow

    try:
        stow_dir, target, options = resolve_stow_location(
            request.dotfiles, request.home
        )
    except UsageError as err:
        if request.dotfiles is not None:
            raise
        warnings.append(f"{err}; Stow dotfiles skipped (pass --dotfiles DIR)")
        return None
    if not _confirm_dotfiles(env, stow_dir):
        warnings.append(f"Stow dotfiles in {stow_dir} skipped at your request")
        return None
    if request.stow_dotfiles is not None:
        options = replace(options, dotfiles=request.stow_dotfiles)
    infer = Inference(
        dotfiles=request.stow_dotfiles is None, target=request.stow_target is None
    )
    env.progress(f"Reading Stow packages in {stow_dir}")
    stow = scan_stow(
        stow_dir,
        request.stow_target.absolute() if request.stow_target else target,
        home=request.home,
        options=options,
        infer=infer,
    )
    warnings.extend(stow.problems)
    return ask_selection(stow, env.prompter)


def _confirm_dotfiles(env: Env, stow_dir: Path) -> bool:
    if not env.prompter.interactive:
        return True
    return env.prompter.confirm(
        f"Migrate the Stow packages in {stow_dir}?", default=True
    )


def _home_files(home: Path) -> tuple[str, ...]:
    """Config files home-manager modules would write that already exist in home."""
    from nixmigrate.plan.declarative import home_files_to_check
    from nixmigrate.scan.home_files import existing_config_files

    return existing_config_files(home, home_files_to_check())


def _scan_host(env: Env, brew: BrewInventory, warnings: list[str]) -> HostInfo:
    from nixmigrate.scan.host import scan_host

    env.progress("Reading host facts")
    host, found = scan_host(
        env.runner, brew_prefix=brew.prefix, services=brew.services, casks=brew.casks
    )
    warnings.extend(found)
    return host


def resolve_and_save(
    env: Env, inventory: Inventory, mappings: Path | None
) -> tuple[Inventory, Path]:
    """Attach a decision for every Homebrew item, then save the inventory."""
    env.progress("Mapping Homebrew items to Nix")
    resolved = inventory.with_resolutions(resolve_for(env, inventory, mappings))
    return resolved, save_inventory(env.paths, resolved)
