"""Regenerate mappings/{formulae,casks,taps}.toml from the fact data and the curated seed.

Maintainer tool, run from the repository root:

    python scripts/build_mappings.py            # rewrite the three files
    python scripts/build_mappings.py --check    # exit 1 when they are out of date

Entries come from two places:
- the curated seed, scripts/mapping_seed.toml (same schema as the output; hand-written,
  always wins), and
- rules over ../shared/data (same-name nixpkgs attributes, home-manager modules,
  versioned formulae, libraries, Nerd Fonts, cask metadata), limited to nixpkgs
  attributes that are known to exist: `present` in nixpkgs-attrs.tsv or listed with
  evidence in mappings/nixpkgs-verified.tsv, and never an alias or a removed name.

Hand edits are never lost silently: every generated file records the sha256 of its
body, and a file whose body no longer matches is left alone (exit 2) until the edit is
moved into the seed or --force is given. Output is deterministic (sorted, no dates).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

if __package__ in {None, ""}:  # run as a script: make `nixmigrate` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nixmigrate.mapping.db import COMPILED_FILE, compile_documents, mappings_digest
from scripts.formula_commands import (
    commands_file,
    dependency_only,
    library_split,
    read_commands,
)

REPO: Final = Path(__file__).resolve().parent.parent
DEFAULT_DATA: Final = REPO.parent / "shared" / "data"
DEFAULT_OUT: Final = REPO / "mappings"
SEED: Final = REPO / "scripts" / "mapping_seed.toml"
VERIFIED_FILE: Final = "nixpkgs-verified.tsv"
SCHEMA_VERSION: Final = 1
SNAPSHOT_DATE: Final = "2026-08-22"  # homebrew-core snapshot in ../shared/data
DIGEST_PREFIX: Final = "# body-sha256: "
KEY_ORDER: Final = (
    "nix",
    "program",
    "keep",
    "skip",
    "reason",
    "platforms",
    "unfree",
    "note",
)
TABLES: Final = {"formulae.toml": "formula", "casks.toml": "cask", "taps.toml": "tap"}

Row = dict[str, str]
Entry = dict[str, object]

# nixpkgs attributes whose licence makes them unfree (allowUnfree is needed)
UNFREE: Final = frozenset(
    {
        "_1password-cli",
        "claude-code",
        "code-cursor",
        "consul",
        "discord",
        "google-chrome",
        "mongodb",
        "ngrok",
        "nomad",
        "obsidian",
        "packer",
        "postman",
        "raycast",
        "slack",
        "spotify",
        "terraform",
        "unrar",
        "vagrant",
        "vault",
        "vscode",
        "zoom-us",
    }
)
# same-named attributes that are a different program than the Homebrew formula
NOT_THE_SAME: Final = frozenset(
    {
        "amber",
        "ares",
        "arf",
        "asar",
        "asc",
        "asdf",
        "cot",
        "httptap",
        "kubelogin",
        "mako",
        "river",
        "rust",
        "sherlock",
        "spark",
        "task",
        "wally",
        "yq",
    }
)
# (Homebrew versioned formula, nixpkgs attribute pattern); groups fill the pattern
VERSIONED: Final = (
    (re.compile(r"python@3\.(\d+)"), "python3{0}"),
    (re.compile(r"postgresql@(\d+)"), "postgresql_{0}"),
    (re.compile(r"node@(\d+)"), "nodejs_{0}"),
    (re.compile(r"openjdk@(\d+)"), "jdk{0}"),
    (re.compile(r"go@1\.(\d+)"), "go_1_{0}"),
    (re.compile(r"ruby@3\.(\d+)"), "ruby_3_{0}"),
    (re.compile(r"php@8\.(\d+)"), "php8{0}"),
    (re.compile(r"gcc@(\d+)"), "gcc{0}"),
    (re.compile(r"llvm@(\d+)"), "llvm_{0}"),
    (re.compile(r"lld@(\d+)"), "lld_{0}"),
    (re.compile(r"mariadb@(\d+)\.(\d+)"), "mariadb_{0}{1}"),
    (re.compile(r"mysql@(\d+)\.(\d+)"), "mysql{0}{1}"),
    (re.compile(r"lua@5\.(\d+)"), "lua5_{0}"),
    (re.compile(r"dotnet@(\d+)"), "dotnet-sdk_{0}"),
    (re.compile(r"gradle@(\d+)"), "gradle_{0}"),
    (re.compile(r"pnpm@(\d+)"), "pnpm_{0}"),
    (re.compile(r"erlang@(\d+)"), "erlang_{0}"),
)
RENAME_KINDS: Final = frozenset({"alias", "warn-alias", "throw-renamed"})
FORBIDDEN_STATUS: Final = frozenset(
    {"alias", "alias-deprecated", "removed", "removed-renamed", "removed-moved"}
)
MACOS_ONLY_REASON: Final = "macOS-only tool with no confirmed nixpkgs attribute yet"
FONT_NOTE: Final = "install through fonts.packages (nix-darwin) or home.packages"


# ---------------------------------------------------------------- fact data


def read_tsv(path: Path) -> list[Row]:
    lines = [
        ln for ln in path.read_text(encoding="utf-8").splitlines() if ln[:1] != "#"
    ]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


@dataclass(frozen=True)
class Facts:
    formulae: list[Row]
    casks: list[Row]
    present: frozenset[str]
    forbidden: frozenset[str]
    verified: Mapping[str, str]
    renames: Mapping[str, str]
    hm_packages: Mapping[str, str]
    darwin_services: frozenset[str]
    commands: Mapping[str, tuple[str, ...]]  # formula -> the commands it installs

    def emittable(self, attr: str) -> bool:
        known = attr in self.present or attr in self.verified
        return known and attr not in self.forbidden


def load_facts(data: Path, verified_file: Path) -> Facts:
    attrs = read_tsv(data / "nixpkgs-attrs.tsv")
    aliases = read_tsv(data / "nixpkgs-aliases.tsv")
    forbidden = {r["attr"] for r in aliases} | {
        r["attr"] for r in attrs if r["status"] in FORBIDDEN_STATUS
    }
    renames = {
        r["attr"]: r["target"]
        for r in aliases
        if r["kind"] in RENAME_KINDS and re.fullmatch(r"[\w.+-]+", r["target"])
    }
    return Facts(
        formulae=read_tsv(data / "homebrew-formulae.tsv"),
        casks=read_tsv(data / "homebrew-casks.tsv"),
        present=frozenset(r["attr"] for r in attrs if r["status"] == "present"),
        forbidden=frozenset(forbidden),
        verified=load_verified(verified_file),
        renames=renames,
        hm_packages=_hm_packages(read_tsv(data / "home-manager-programs.tsv")),
        darwin_services=_darwin_services(data / "nix-darwin-options.txt"),
        commands=read_commands(read_tsv(commands_file(data))),
    )


def load_verified(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    return {r["attr"]: r["evidence"] for r in read_tsv(path)}


def _hm_packages(rows: Iterable[Row]) -> dict[str, str]:
    """home-manager `programs.<name>` module -> its default package attribute."""
    found: dict[str, str] = {}
    for row in rows:
        match = re.fullmatch(r"pkgs\.([\w+-]+)", row["package_default"])
        if row["kind"] == "programs" and match:
            found[row["name"]] = match.group(1)
    return found


def _darwin_services(path: Path) -> frozenset[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"services\.([\w-]+)\.", line)
        if match:
            names.add(match.group(1))
    return frozenset(names)


# ---------------------------------------------------------------- formulae


def formula_entries(facts: Facts, seed: Mapping[str, Entry]) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for row in facts.formulae:
        if row["name"] in seed:
            continue
        entry = decide_formula(row, facts)
        if entry is not None:
            entries[row["name"]] = entry
    entries.update(seed)
    return entries


def decide_formula(row: Row, facts: Facts) -> Entry | None:
    if retired(row["deprecated"]) or retired(row["disabled"]):
        return None
    entry = (
        commands_choice(row, facts)
        or nix_choice(row, facts)
        or macos_only_choice(row, facts)
    )
    if entry is None:
        return None
    return decorate_formula(entry, row, facts)


def retired(stanza: str) -> bool:
    """A deprecate!/disable! stanza that is in force at the snapshot's date.

    Homebrew schedules many of them years ahead (`date: "2028-11-01"`)."""
    if not stanza:
        return False
    match = re.search(r'date: "(\d{4}-\d{2}-\d{2})"', stanza)
    return match is None or match.group(1) <= SNAPSHOT_DATE


def nix_choice(row: Row, facts: Facts) -> Entry | None:
    name = row["name"]
    if name in NOT_THE_SAME:
        return None
    program = hm_program(name, facts)
    if program is not None:
        return program
    if facts.emittable(name):
        return {"nix": name}
    versioned = versioned_attr(name, facts)
    if versioned is not None:
        return {"nix": versioned}
    target = facts.renames.get(name)
    if target is not None and facts.emittable(target):
        return {"nix": target, "note": f"nixpkgs renamed '{name}' to '{target}'"}
    return None


def hm_program(name: str, facts: Facts) -> Entry | None:
    package = facts.hm_packages.get(name)
    if package is None or not facts.emittable(package):
        return None
    entry: Entry = {"program": name}
    if package != name:
        entry["nix"] = package
    return entry


def versioned_attr(name: str, facts: Facts) -> str | None:
    for pattern, template in VERSIONED:
        match = pattern.fullmatch(name)
        if match:
            attr = template.format(*match.groups())
            return attr if facts.emittable(attr) else None
    return None


def commands_choice(row: Row, facts: Facts) -> Entry | None:
    """What the formula's commands decide: a library with none is skipped, one whose
    commands nixpkgs splits out maps to the split (see scripts/formula_commands.py)."""
    name = row["name"]
    if name in NOT_THE_SAME:
        return None
    same = name if facts.emittable(name) else None
    return dependency_only(row, facts.commands, attr=same) or library_split(
        row, facts.commands, facts.emittable
    )


def macos_only_choice(row: Row, facts: Facts) -> Entry | None:
    if row["macos_only"] == "1" and facts.commands.get(row["name"]):
        return {"keep": "brew", "reason": MACOS_ONLY_REASON}
    return None


def decorate_formula(entry: Entry, row: Row, facts: Facts) -> Entry:
    if row["macos_only"] == "1":
        entry["platforms"] = ["darwin"]
    elif row["linux_only"] == "1":
        entry["platforms"] = ["linux"]
    attr = entry.get("nix")
    if isinstance(attr, str) and attr in UNFREE:
        entry["unfree"] = True
    if row["has_service"] == "1" and "skip" not in entry and "note" not in entry:
        entry["note"] = service_note(row["name"], facts)
    return entry


def service_note(name: str, facts: Facts) -> str:
    base = name.split("@")[0]
    if base in facts.darwin_services:
        return f"`brew services` does not carry over: on nix-darwin use services.{base}"
    return (
        "`brew services` does not carry over: run it with a launchd agent "
        "(launchd.agents in nix-darwin or home-manager)"
    )


# ---------------------------------------------------------------- casks


def cask_entries(facts: Facts, seed: Mapping[str, Entry]) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for row in facts.casks:
        token = row["token"]
        if token in seed or not wanted_cask(row, facts):
            continue
        entries[token] = decide_cask(row, facts)
    entries.update(seed)
    return entries


def wanted_cask(row: Row, facts: Facts) -> bool:
    token = row["token"]
    return bool(
        row["popularity_rank"]
        or nerd_font_attr(token, facts)
        or token in facts.hm_packages
        or (facts.emittable(token) and row["is_font"] != "1")
    )


def decide_cask(row: Row, facts: Facts) -> Entry:
    font = nerd_font_attr(row["token"], facts)
    if font is not None:
        return {"nix": font, "note": FONT_NOTE}
    entry: Entry = {"keep": "cask", "reason": cask_keep_reason(row)}
    if retired(row["deprecated"]) or retired(row["disabled"]):
        entry["note"] = "deprecated in Homebrew Cask; look for a replacement"
    return entry


def nerd_font_attr(token: str, facts: Facts) -> str | None:
    match = re.fullmatch(r"font-(.+)-nerd-font", token)
    if match is None:
        return None
    name = match.group(1)
    attr = "nerd-fonts." + ("_" + name if name[:1].isdigit() else name)
    return attr if facts.emittable(attr) else None


def cask_keep_reason(row: Row) -> str:
    if row["pkgs"]:
        first = re.sub(r"#\{[^}]*\}", "*", row["pkgs"].split("|")[0])
        reason = f"installs through a .pkg installer ({first}) that Nix cannot run"
    elif row["auto_updates"] == "1":
        reason = (
            "updates itself in place (auto_updates), which a Nix store path forbids"
        )
    elif row["is_font"] == "1":
        reason = "font with no confirmed nixpkgs attribute"
    elif "app" in row["artifact_kinds"].split():
        reason = (
            "macOS app bundle: Homebrew keeps it in /Applications, where Spotlight, "
            "Launchpad and the app's own updates find it"
        )
    else:
        reason = "vendor binary distribution with no confirmed nixpkgs attribute"
    needs = macos_requirement(row["depends_on_macos"])
    if needs:
        reason += f"; needs macOS {needs}"
    return reason


def macos_requirement(stanza: str) -> str:
    """`">= :sonoma"` -> `Sonoma or newer`; other forms are shown as written."""
    text = stanza.strip('"').strip()
    match = re.fullmatch(r"(>=|<=)\s*:(\w+)", text)
    if match is None:
        return text.replace(":", "")
    name = match.group(2).replace("_", " ").title()
    return f"{name} or {'newer' if match.group(1) == '>=' else 'older'}"


# ---------------------------------------------------------------- output


def toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_string(str(v)) for v in value) + "]"
    msg = f"cannot write {value!r} as TOML"
    raise TypeError(msg)


def render_body(kind: str, entries: Mapping[str, Entry]) -> str:
    lines = [f"schema_version = {SCHEMA_VERSION}", ""]
    for name in sorted(entries):
        lines.append(f"[{kind}.{toml_string(name)}]")
        entry = entries[name]
        lines.extend(
            f"{key} = {toml_value(entry[key])}" for key in KEY_ORDER if key in entry
        )
        lines.append("")
    return "\n".join(lines)


def render_file(kind: str, entries: Mapping[str, Entry]) -> str:
    body = render_body(kind, entries)
    header = (
        "# Generated by scripts/build_mappings.py from ../shared/data and\n"
        "# scripts/mapping_seed.toml. Edit the seed and re-run; see mappings/README.md.\n"
        f"{DIGEST_PREFIX}{sha256(body)}\n"
    )
    return header + body


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def hand_edited(text: str) -> bool:
    """True when a generated file's body no longer matches the digest it recorded."""
    header, sep, body = text.partition(f"\nschema_version = {SCHEMA_VERSION}\n")
    recorded = next(
        (
            ln.removeprefix(DIGEST_PREFIX)
            for ln in header.splitlines()
            if ln.startswith(DIGEST_PREFIX)
        ),
        None,
    )
    if recorded is None or not sep:
        return True
    return recorded != sha256(f"schema_version = {SCHEMA_VERSION}\n" + body)


def load_seed(path: Path) -> dict[str, dict[str, Entry]]:
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    return {kind: dict(document.get(kind, {})) for kind in TABLES.values()}


def build(data: Path, out: Path) -> dict[str, str]:
    """File name -> the text it should hold."""
    facts = load_facts(data, out / VERIFIED_FILE)
    seed = load_seed(SEED)
    tables = {
        "formula": formula_entries(facts, seed["formula"]),
        "cask": cask_entries(facts, seed["cask"]),
        "tap": dict(seed["tap"]),
    }
    texts = {name: render_file(kind, tables[kind]) for name, kind in TABLES.items()}
    texts[COMPILED_FILE] = compiled(texts)
    return texts


def compiled(texts: Mapping[str, str]) -> str:
    """The JSON twin of the TOML files that lets the loader skip tomllib."""
    documents = {name: tomllib.loads(texts[name]) for name in TABLES}
    digest = mappings_digest({name: texts[name].encode() for name in TABLES})
    return compile_documents(documents, digest)


def stale_files(out: Path, wanted: Mapping[str, str]) -> Iterator[str]:
    for name, text in wanted.items():
        path = out / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            yield name


def write(out: Path, wanted: Mapping[str, str], *, force: bool) -> int:
    edited = [
        name
        for name in TABLES
        if (out / name).is_file() and hand_edited((out / name).read_text("utf-8"))
    ]
    if edited and not force:
        print(f"refusing to overwrite hand-edited {', '.join(edited)}", file=sys.stderr)
        print(
            "move those edits into scripts/mapping_seed.toml, or pass --force",
            file=sys.stderr,
        )
        return 2
    for name in stale_files(out, wanted):
        (out / name).write_text(wanted[name], encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="only report stale files")
    parser.add_argument("--force", action="store_true", help="overwrite hand edits")
    args = parser.parse_args(argv)
    wanted = build(args.data, args.out)
    if args.check:
        stale = list(stale_files(args.out, wanted))
        for name in stale:
            print(f"{name} is out of date: run scripts/build_mappings.py")
        return 1 if stale else 0
    return write(args.out, wanted, force=args.force)


if __name__ == "__main__":
    sys.exit(main())
