"""A real headless Chromium for the HTML report tests, and a stdlib PNG reader."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"
_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars")
# what Chromium logs when the page's Content-Security-Policy blocks a load
CSP_BLOCKED = "Content Security Policy"


@dataclass(frozen=True, slots=True)
class Loaded:
    dom: str
    log: str

    @property
    def blocked_loads(self) -> list[str]:
        return [line for line in self.log.splitlines() if CSP_BLOCKED in line]


def dump_dom(page: Path) -> Loaded:
    """The DOM after loading `page`, and the browser's log (console messages)."""
    done = _chromium("--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri())
    return Loaded(done.stdout, done.stderr)


def screenshot(page: Path, png: Path, *, width: int, height: int) -> bytes:
    _chromium(f"--screenshot={png}", f"--window-size={width},{height}", page.as_uri())
    return png.read_bytes()


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium once; it must succeed."""
    done = subprocess.run(
        [CHROMIUM, *_FLAGS, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


@dataclass(frozen=True, slots=True)
class Image:
    width: int
    height: int
    channels: int
    rows: tuple[bytes, ...]

    def pixel(self, x: int, y: int) -> tuple[int, ...]:
        start = x * self.channels
        return tuple(self.rows[y][start : start + 3])


def decode_png(data: bytes) -> Image:
    """8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes), unfiltered."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, header, compressed = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            compressed += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color in (2, 6) and interlace == 0, "unexpected PNG format"
    channels = 3 if color == 2 else 4
    raw = zlib.decompress(compressed)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        row = _unfilter(
            raw[start], raw[start + 1 : start + 1 + stride], previous, channels
        )
        rows.append(row)
        previous = row
    return Image(width, height, channels, tuple(rows))


def _unfilter(kind: int, line: bytes, up: bytes, bpp: int) -> bytes:
    if kind == 0:
        return bytes(line)
    if kind == 2:
        return bytes((a + b) & 0xFF for a, b in zip(line, up, strict=True))
    out = bytearray(line)
    for i in range(len(out)):
        left = out[i - bpp] if i >= bpp else 0
        if kind == 1:
            out[i] = (out[i] + left) & 0xFF
        elif kind == 3:
            out[i] = (out[i] + (left + up[i]) // 2) & 0xFF
        else:
            upper_left = up[i - bpp] if i >= bpp else 0
            out[i] = (out[i] + _paeth(left, up[i], upper_left)) & 0xFF
    return bytes(out)


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def luminance_variance(image: Image, *, step: int = 4) -> float:
    values = [
        sum(image.pixel(x, y)) / 3
        for y in range(0, image.height, step)
        for x in range(0, image.width, step)
    ]
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def rows_with_line(
    image: Image, rgb: tuple[int, int, int], *, length: int
) -> list[int]:
    """The y of every row holding a horizontal line of this colour, `length` long."""
    pixel = bytes(rgb) if image.channels == 3 else bytes((*rgb, 255))
    line = pixel * length
    found: list[int] = []
    for y, row in enumerate(image.rows):
        at = row.find(line)
        while at != -1 and at % image.channels:
            at = row.find(line, at + 1)
        if at != -1:
            found.append(y)
    return found


EXTERNAL = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']?\s*|url\(\s*["']?\s*)(?!#|data:)([^"'\s>)]+)""",
    re.IGNORECASE,
)


def external_references(html: str) -> list[str]:
    """Every src/href/url(...) value that is not an in-page anchor or data: URI."""
    return EXTERNAL.findall(html)


class ElementCounter(HTMLParser):
    """Counts elements by tag and collects the ids of sections, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.section_ids: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "section":
            self.section_ids.append(dict(attrs).get("id") or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> ElementCounter:
    counter = ElementCounter()
    counter.feed(html)
    counter.close()
    return counter
