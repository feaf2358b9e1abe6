"""Write mappings/macos-defaults.toml: which `defaults` keys nix-darwin can set.

From nix-darwin-system-defaults.tsv (see the data README): every *active*
`system.defaults.<group>.<name>` option with a scalar type becomes one `[[option]]`
per defaults domain it is written to, with its value type. Renamed and removed
options, the free-form Custom*Preferences and the list-valued Dock options are left
out; the last are listed under `[[not_converted]]` so the report can name them.

nix-darwin translates a few values before writing them (its `apply` functions); the
table records the reverse (`decode`: plist value -> option value), kept by hand in
DECODE below from modules/system/defaults/{finder,hitoolbox,iCal,controlcenter}.nix.

    python scripts/build_macos_defaults.py --data ../shared/data
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

REPO: Final = Path(__file__).resolve().parent.parent
DEFAULT_DATA: Final = REPO.parent / "shared" / "data"
TSV_NAME: Final = "nix-darwin-system-defaults.tsv"
SOURCE: Final = "nix-darwin a1fa429e945becaf60468600daf649be4ba0350c (2026-06-18)"
SCHEMA: Final = 1
BYHOST: Final = "ByHost/"

Scalar = bool | int | float | str

_CONTROL_CENTER_ICON: Final[tuple[tuple[Scalar, Scalar], ...]] = (
    (18, True),
    (24, False),
)
# "group.name" -> (plist value, option value) pairs
DECODE: Final[Mapping[str, tuple[tuple[Scalar, Scalar], ...]]] = {
    "finder.NewWindowTarget": (
        ("PfCm", "Computer"),
        ("PfVo", "OS volume"),
        ("PfHm", "Home"),
        ("PfDe", "Desktop"),
        ("PfDo", "Documents"),
        ("PfAF", "Recents"),
        ("PfID", "iCloud Drive"),
        ("PfLo", "Other"),
    ),
    "hitoolbox.AppleFnUsageType": (
        (0, "Do Nothing"),
        (1, "Change Input Source"),
        (2, "Show Emoji & Symbols"),
        (3, "Start Dictation"),
    ),
    "iCal.first day of week": (
        (0, "System Setting"),
        (1, "Sunday"),
        (2, "Monday"),
        (3, "Tuesday"),
        (4, "Wednesday"),
        (5, "Thursday"),
        (6, "Friday"),
        (7, "Saturday"),
    ),
    **{
        f"controlcenter.{name}": _CONTROL_CENTER_ICON
        for name in ("AirDrop", "Bluetooth", "Display", "FocusModes", "NowPlaying")
    },
    "controlcenter.Sound": _CONTROL_CENTER_ICON,
}

_ENUM = re.compile(r"null or one of (?P<values>.+)")
_SINGULAR = re.compile(r"null or value (?P<value>.+) \(singular enum\)")
_BETWEEN = re.compile(
    r"null or integer between (?P<low>-?\d+) and (?P<high>-?\d+) \(both inclusive\)"
)
_SIMPLE_TYPES: Final[Mapping[str, str]] = {
    "null or boolean": "bool",
    "null or signed integer": "int",
    "null or (positive integer, meaning >0)": "int",
    "null or floating point number": "float",
    "null or string": "string",
    "null or absolute path": "path",
}


@dataclass
class Option:
    domain: str
    key: str
    group: str
    name: str
    type: str
    values: list[Scalar] = field(default_factory=list)
    minimum: int | None = None
    maximum: int | None = None
    decode: tuple[tuple[Scalar, Scalar], ...] = ()


def read_tsv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)


def defaults_domain(raw: str) -> str:
    """The domain as `defaults export` takes it (ByHost/ means -currentHost)."""
    scope, _, domain = raw.partition(":")
    if scope not in {"user", "system"}:
        msg = f"unexpected domain {raw!r}"
        raise ValueError(msg)
    if domain in {"-g", ".GlobalPreferences"}:  # both are ~/Library/Preferences/.Gl…
        return "NSGlobalDomain"
    if "/ByHost/" in domain:
        return BYHOST + domain.rsplit("/", 1)[1]
    return domain


def _enum_value(text: str) -> Scalar:
    text = text.strip()
    return json.loads(text) if text.startswith('"') else int(text)


def _enum_values(text: str) -> list[Scalar]:
    return [_enum_value(part) for part in re.findall(r'"[^"]*"|-?\d+', text)]


def parse_type(type_text: str, option: Option) -> bool:
    """Fill option.type (and values/bounds) from the tsv type; False if unsupported."""
    if type_text in _SIMPLE_TYPES:
        option.type = _SIMPLE_TYPES[type_text]
        if "positive" in type_text:
            option.minimum = 1
        return True
    if match := _BETWEEN.fullmatch(type_text):
        option.type = "int"
        option.minimum, option.maximum = int(match["low"]), int(match["high"])
        return True
    if match := _SINGULAR.fullmatch(type_text):
        option.type, option.values = "enum", [_enum_value(match["value"])]
        return True
    if match := _ENUM.fullmatch(type_text):
        option.type, option.values = "enum", _enum_values(match["values"])
        return True
    return False


def option_name(option_path: str, group: str) -> str:
    prefix = f"system.defaults.{json.dumps(group) if '.' in group else group}."
    if not option_path.startswith(prefix):
        msg = f"{option_path} does not start with {prefix}"
        raise ValueError(msg)
    rest = option_path.removeprefix(prefix)
    return json.loads(rest) if rest.startswith('"') else rest


def _check_decode(option: Option) -> None:
    targets = [target for _, target in option.decode]
    if (
        option.decode
        and option.type == "enum"
        and sorted(map(str, targets)) != sorted(map(str, option.values))
    ):
        msg = f"DECODE for {option.group}.{option.name} does not cover its values"
        raise ValueError(msg)


def build(
    rows: Sequence[Mapping[str, str]],
) -> tuple[list[Option], list[dict[str, str]]]:
    options: list[Option] = []
    not_converted: list[dict[str, str]] = []
    for row in rows:
        if row["status"] != "active" or not row["defaults_domain"]:
            continue
        if ".*." in row["option"]:
            continue  # parts of a list element's submodule
        name = option_name(row["option"], row["group"])
        for raw_domain in row["defaults_domain"].split():
            option = Option(
                defaults_domain(raw_domain), row["defaults_key"], row["group"], name, ""
            )
            if not parse_type(row["type"], option):
                not_converted.append(_not_converted(option, row["type"]))
                continue
            option.decode = DECODE.get(f"{option.group}.{option.name}", ())
            _check_decode(option)
            options.append(option)
    return options, not_converted


def _not_converted(option: Option, type_text: str) -> dict[str, str]:
    return {
        "domain": option.domain,
        "key": option.key,
        "option": f"{option.group}.{option.name}",
        "reason": f"nix-darwin takes it in another form ({type_text})",
    }


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON escapes are TOML escapes
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    msg = f"cannot write {value!r} as TOML"
    raise TypeError(msg)


def _option_lines(option: Option) -> list[str]:
    lines = ["[[option]]"]
    for key in ("domain", "key", "group", "name", "type"):
        lines.append(f"{key} = {toml_value(getattr(option, key))}")
    if option.values:
        lines.append(f"values = {toml_value(option.values)}")
    if option.minimum is not None:
        lines.append(f"minimum = {option.minimum}")
    if option.maximum is not None:
        lines.append(f"maximum = {option.maximum}")
    if option.decode:
        lines.append(f"decode = {toml_value([list(pair) for pair in option.decode])}")
    return [*lines, ""]


def render(
    options: Sequence[Option], not_converted: Sequence[Mapping[str, str]]
) -> str:
    lines = [
        "# Generated by scripts/build_macos_defaults.py from " + TSV_NAME + ".",
        "# Edit the script, not this file.",
        "#",
        "# One [[option]] per (defaults domain, key) that an active nix-darwin option",
        "# `system.defaults.<group>.<name>` writes. `domain` is what `defaults export`",
        "# takes; `ByHost/<domain>` means `defaults -currentHost export <domain>`.",
        "# type: bool | int | float | string | path | enum (`values`); int may have",
        "# minimum/maximum. `decode` lists [plist value, option value] pairs for",
        "# options whose value nix-darwin translates before writing it.",
        f"schema_version = {SCHEMA}",
        f"source = {toml_value(SOURCE)}",
        "",
    ]
    for option in sorted(options, key=lambda o: (o.group.lower(), o.name.lower())):
        lines.extend(_option_lines(option))
    for entry in not_converted:
        lines.append("[[not_converted]]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in entry.items())
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--out", type=Path, default=REPO / "mappings" / "macos-defaults.toml"
    )
    args = parser.parse_args(argv)
    options, not_converted = build(list(read_tsv(args.data / TSV_NAME)))
    args.out.write_text(render(options, not_converted), encoding="utf-8")
    print(
        f"wrote {len(options)} options, {len(not_converted)} not converted to {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
