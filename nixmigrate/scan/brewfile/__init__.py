"""Read a Brewfile without running Ruby (see `reader`).

One module per part: the lexer and statement splitter, literal values, conditions,
the DSL interpreter, entry building, includes, and homebrew-file's plain format.
"""

from __future__ import annotations

from nixmigrate.scan.brewfile.reader import (
    load_include_from_disk,
    parse_brewfile,
    read_brewfile,
)

__all__ = ["load_include_from_disk", "parse_brewfile", "read_brewfile"]
