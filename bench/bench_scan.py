"""How fast the scanners are, next to a reference run side by side.

Cases:
  * `scan_stow` over a synthetic dotfiles repo (--packages Stow packages of --files
    files each, all stowed with the real `stow`), against GNU Stow's own dry run
    `stow -n -v -R` over the same packages, which reads the same trees and decides
    the same links;
  * `parse_info_v2` on the demo recording nixmigrate/demo/brew/info.json, against
    `jq -c . FILE > /dev/null` (or python's `json.load` alone when jq is absent), to
    show the cost of parsing beside a raw JSON reader;
  * `nixmigrate scan --no-input --json --no-brew` over the same repo end to end as a
    subprocess, against `stow -n -v -R` again: total command cost with start-up;
  * `scan_stow` over a big repo stowed with `--no-folding` (--big-packages x
    --big-files, 300 x 100 = 30,000 links by default, so every file is one link),
    against `find DOTFILES` over the same tree and, unless --big-dry-run 0, against
    `stow -n -v -R --no-folding` over at most --big-dry-run packages (Stow's dry run
    takes about a minute on all 300); --linear adds the same case at 100,000 files
    to show the scan grows linearly. Beside it, the reads any such scan must make
    (walk the packages, list the home directories they name, read every link's
    text), timed alone: the floor under `scan_stow`, which `find` does not pay.

The repo spreads each package over a shared `.config` and `.local`, so Stow folds
the directories only one package owns (`.config/pkg07` becomes one link) and unfolds
the ones several packages fill (`.config`, `.config/shared/conf.d`, `.local/bin`).
Before timing, every package must scan as `stowed`. Each figure is the best of
--repeat runs; the stow rows are skipped when `stow` is not installed.

    python -m bench.bench_scan [--packages 60] [--files 40] [--repeat 5]
        [--big-packages 300] [--big-files 100] [--big-dry-run 300] [--linear]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bench.table import Row, best_of, render
from nixmigrate.scan.brew import parse_info_v2
from nixmigrate.scan.inventory import StowInventory
from nixmigrate.scan.stow import scan_stow

REPO: Final = Path(__file__).resolve().parent.parent
INFO_JSON: Final = REPO / "nixmigrate" / "demo" / "brew" / "info.json"


@dataclass(frozen=True)
class Repo:
    """A synthetic dotfiles repo, stowed into its own home."""

    dotfiles: Path
    home: Path
    packages: tuple[str, ...]
    files: int


def package_file(package: str, index: int) -> str:
    """Where a package's `index`-th file lives, relative to the package."""
    if index == 0:
        return f".{package}rc"  # a top-level file: one link in the home itself
    match index % 4:
        case 1:  # only this package: `.config/<package>` folds into one link
            return f".config/{package}/sub{index % 3}/deep/file{index}.conf"
        case 2:  # only this package too, two shared levels down
            return f".local/share/{package}/data{index}.txt"
        case 3:  # every package: `.config/shared/conf.d` unfolds to file links
            return f".config/shared/conf.d/{package}-{index}.conf"
        case _:  # every package: `.local/bin` holds one link per file
            return f".local/bin/{package}-{index}"


def build_repo(root: Path, packages: int, files: int) -> Repo:
    home = root / "home"
    dotfiles = home / "dotfiles"
    names = tuple(f"pkg{number:03d}" for number in range(packages))
    for name in names:
        for index in range(files):
            path = dotfiles / name / package_file(name, index)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"# {name} file {index}\n", encoding="utf-8")
    return Repo(dotfiles=dotfiles, home=home, packages=names, files=files)


def stow_argv(repo: Repo, *flags: str) -> list[str]:
    where = ["-d", str(repo.dotfiles), "-t", str(repo.home)]
    return ["stow", *flags, *where, *repo.packages]


def _run(argv: list[str], env: dict[str, str] | None = None) -> None:
    subprocess.run(argv, check=True, capture_output=True, cwd=REPO, env=env)


def _scan(repo: Repo) -> StowInventory:
    return scan_stow(repo.dotfiles, repo.home)


def check_stowed(repo: Repo) -> None:
    """The scan must see every package as stowed, or the timings measure nothing."""
    inventory = _scan(repo)
    statuses = {package.name: package.status for package in inventory.packages}
    wrong = {
        name: statuses.get(name, "missing")
        for name in repo.packages
        if statuses.get(name) != "stowed"
    }
    if wrong or inventory.problems:
        sys.exit(f"scan_stow does not see a clean stow: {wrong} {inventory.problems}")


def scan_command(repo: Repo, state: Path) -> tuple[list[str], dict[str, str]]:
    argv = [sys.executable, "-m", "nixmigrate", "scan", "--no-input", "--json"]
    argv += ["--no-brew", "--dotfiles", str(repo.dotfiles), "--home", str(repo.home)]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XDG_", "NIXMIGRATE_"))
    }
    env |= {"HOME": str(repo.home), "NIXMIGRATE_STATE_DIR": str(state)}
    return argv, env


def check_command(argv: list[str], env: dict[str, str], repo: Repo) -> None:
    """The command must report the same clean stow as the library call."""
    done = subprocess.run(argv, check=True, capture_output=True, cwd=REPO, env=env)
    stow = json.loads(done.stdout)["stow"]
    stowed = [p["name"] for p in stow["packages"] if p["status"] == "stowed"]
    if sorted(stowed) != sorted(repo.packages):
        sys.exit(f"`nixmigrate scan` does not see a clean stow: {stow['packages']}")


def stow_rows(root: Path, packages: int, files: int, repeat: int) -> list[Row]:
    repo = build_repo(root, packages, files)
    _run(stow_argv(repo))
    check_stowed(repo)
    dry_run = stow_argv(repo, "-n", "-v", "-R")
    _run(dry_run)  # the reference must succeed on this repo too
    argv, env = scan_command(repo, root / "state")
    check_command(argv, env, repo)
    size = f"{packages} packages x {files} files"
    reference = "stow -n -v -R (dry run, same packages)"
    stow_seconds = best_of(repeat, lambda: _run(dry_run))
    return [
        Row(
            f"scan_stow, {size}",
            packages * files,
            best_of(repeat, lambda: _scan(repo)),
            reference,
            stow_seconds,
        ),
        Row(
            f"`nixmigrate scan --no-brew` end to end, {size}",
            packages * files,
            best_of(repeat, lambda: _run(argv, env)),
            reference,
            stow_seconds,
        ),
    ]


def _find(repo: Repo) -> None:
    _run(["find", str(repo.dotfiles)])


def _package_dirs(path: str, rel: str, found: set[str]) -> None:
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                below = f"{rel}/{entry.name}" if rel else entry.name
                found.add(below)
                _package_dirs(entry.path, below, found)


def _home_links(home: str, rel: str) -> int:
    fd = os.open(f"{home}/{rel}" if rel else home, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with os.scandir(fd) as entries:
            links = [entry.name for entry in entries if entry.is_symlink()]
        return len([os.readlink(name, dir_fd=fd) for name in links])
    finally:
        os.close(fd)


def reads_alone(repo: Repo) -> int:
    """What any scan of this repo has to read, judged not at all: every package
    tree walked with os.scandir, every home directory the packages name listed,
    and the text of every link in those read with os.readlink."""
    wanted = {""}
    for package in repo.packages:
        _package_dirs(str(repo.dotfiles / package), "", wanted)
    return sum(_home_links(str(repo.home), rel) for rel in sorted(wanted))


def big_rows(
    root: Path, packages: int, files: int, dry_run: int, repeat: int
) -> list[Row]:
    """The --no-folding repo: one link per file, beside `find` and Stow's dry run."""
    repo = build_repo(root, packages, files)
    _run(stow_argv(repo, "--no-folding"))
    check_stowed(repo)
    size = f"{packages} packages x {files} files, --no-folding"
    ours = best_of(repeat, lambda: _scan(repo))
    find = best_of(repeat, lambda: _find(repo))
    rows = [
        Row(f"scan_stow, {size}", packages * files, ours, "find DOTFILES", find),
        Row(
            f"its reads alone (os.scandir + os.readlink, nothing judged), {size}",
            reads_alone(repo),
            best_of(repeat, lambda: reads_alone(repo)),
            "find DOTFILES",
            find,
        ),
    ]
    if dry_run:
        some = Repo(repo.dotfiles, repo.home, repo.packages[:dry_run], files)
        argv = stow_argv(some, "-n", "-v", "-R", "--no-folding")
        rows.append(
            Row(
                f"scan_stow, {size}",
                packages * files,
                ours,
                f"stow -n -v -R --no-folding ({len(some.packages)} packages, once)",
                best_of(1, lambda: _run(argv)),
            )
        )
    return rows


def _parse_file(path: Path) -> int:
    formulae, casks = parse_info_v2(path.read_text(encoding="utf-8"))
    return len(formulae) + len(casks)


def _json_load(path: Path) -> object:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _jq(path: Path) -> None:
    subprocess.run(
        ["jq", "-c", ".", str(path)], check=True, stdout=subprocess.DEVNULL, cwd=REPO
    )


def brew_row(repeat: int) -> Row:
    size_kb = INFO_JSON.stat().st_size // 1024
    if shutil.which("jq") is not None:
        reference = "jq -c . FILE > /dev/null"
        theirs = best_of(repeat, lambda: _jq(INFO_JSON))
    else:
        reference = "python json.load alone (jq not installed)"
        theirs = best_of(repeat, lambda: _json_load(INFO_JSON))
    return Row(
        f"parse_info_v2, demo info.json ({size_kb} KB)",
        _parse_file(INFO_JSON),
        best_of(repeat, lambda: _parse_file(INFO_JSON)),
        reference,
        theirs,
    )


def measure(args: argparse.Namespace) -> list[Row]:
    repeat = args.repeat
    if shutil.which("stow") is None:
        print(
            "stow is not installed: skipping the scan_stow and `nixmigrate scan` rows"
        )
        return [brew_row(repeat)]
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        library, command = stow_rows(Path(tmp), args.packages, args.files, repeat)
    rows = [library, brew_row(repeat), command]
    sizes = [args.big_packages]
    if args.linear:
        sizes.append(100_000 // args.big_files)
    for packages in sizes:
        dry_run = min(args.big_dry_run, packages) if packages == sizes[0] else 0
        with tempfile.TemporaryDirectory(prefix="bench-scan-big-") as tmp:
            rows += big_rows(Path(tmp), packages, args.big_files, dry_run, repeat)
    return rows


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        msg = f"must be at least 1, not {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=_positive, default=60)
    parser.add_argument("--files", type=_positive, default=40)
    parser.add_argument("--repeat", type=_positive, default=5)
    parser.add_argument("--big-packages", type=_positive, default=300)
    parser.add_argument("--big-files", type=_positive, default=100)
    parser.add_argument(
        "--big-dry-run",
        type=int,
        default=300,
        help="packages for Stow's dry run on the big repo (0: skip it)",
    )
    parser.add_argument("--linear", action="store_true", help="add 100,000 files")
    args = parser.parse_args()
    print(render(measure(args)))


if __name__ == "__main__":
    main()
