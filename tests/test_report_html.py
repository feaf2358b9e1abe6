"""`nixmigrate report --html`: one page that says where the migration is, at each point.

The journey runs through the command line on a stowed home (real GNU Stow, a fake
switch, a recorded Mac's Homebrew). The hostile-name page is rendered in-process and
loaded in real headless Chromium.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nixmigrate.cli import cli
from nixmigrate.demo.dotfiles_setup import install_demo_dotfiles
from nixmigrate.report.accounting import build_accounting
from nixmigrate.report.html import render_html
from nixmigrate.report.journey import build_journey
from nixmigrate.report.model import Progress, next_steps
from nixmigrate.report.page import PageInputs, build_page
from nixmigrate.report.services import build_services
from nixmigrate.resolution import Resolution
from nixmigrate.scan.inventory import (
    BrewCask,
    BrewFormula,
    BrewInventory,
    BrewService,
    HostInfo,
    Inventory,
    StowInventory,
    StowPackage,
    inventory_from_json,
)
from tests.browser import dump_dom, external_references, parse
from tests.fakebrew import install_fake_tool
from tests.fakeswitch import install_fake_switch

SECTIONS = ["journey", "glance", "entries", "needs", "dotfiles", "files"]
_PHASE_ROW = re.compile(r'<li class="state-([a-z-]+)[^"]*" id="phase-(\d)">')


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def report_page(path: Path) -> str:
    result = run("report", "--html", str(path))
    assert result.exit_code == 0, result.stderr
    return path.read_text(encoding="utf-8")


def phase_states(page: str) -> list[str]:
    return [state for state, _ in _PHASE_ROW.findall(page)]


def headline(page: str) -> str:
    found = re.search(r'<p class="headline" id="headline">([^<]*)</p>', page)
    assert found, "no headline"
    return html.unescape(found.group(1))


def next_command(page: str) -> str:
    found = re.search(r'<span class="label">Next:</span><code>([^<]*)</code>', page)
    assert found, "no next command"
    return html.unescape(found.group(1))


@pytest.fixture
def scanned(
    tmp_path: Path, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Inventory:
    home = Path(os.environ["HOME"])
    install_demo_dotfiles(home)
    bin_dir, store = tmp_path / "bin", tmp_path / "store"
    store.mkdir()
    install_fake_tool(bin_dir, "brew", fixtures_dir / "brew" / "mac-arm", monkeypatch)
    monkeypatch.setenv("NIX_STORE_DIR", str(store))
    install_fake_switch(bin_dir, home=home, store_dir=store, managed=())
    result = run("scan", "--no-input", "--json")
    assert result.exit_code == 0, result.stderr
    return inventory_from_json(result.stdout)


@pytest.mark.needs_stow
@pytest.mark.needs_git
def test_the_page_states_each_point_of_the_journey(
    scanned: Inventory, tmp_path: Path
) -> None:
    page = report_page(tmp_path / "scan.html")
    assert headline(page) == "Scanned; nothing planned yet"
    assert phase_states(page) == ["not-planned"] * 7
    assert next_command(page) == "nixmigrate plan --phase 1"
    assert "Nothing generated yet" in page

    assert run("plan", "--phase", "2", "--no-input").exit_code == 0
    page = report_page(tmp_path / "plan.html")
    assert headline(page) == "Planned through phase 2; nothing applied yet"
    assert phase_states(page) == ["planned"] * 2 + ["not-planned"] * 5
    assert next_command(page) == "nixmigrate apply --phase 1"
    assert re.search(
        r"flake\.nix</span> <span class=\"count\">phase 1[^<]*as generated", page
    )
    assert "edited since" not in page  # the files of phases 1-2, as `plan` wrote them
    assert "not on disk" not in page

    applied = run("apply", "--phase", "2", "--yes")
    assert applied.exit_code == 0, applied.stderr
    page = report_page(tmp_path / "apply.html")
    assert headline(page) == "Phases 1-2 applied"
    assert phase_states(page) == ["applied"] * 2 + ["not-planned"] * 5
    assert next_command(page) == "nixmigrate plan --phase 3"
    checkpoints = _checkpoint_ids()
    for phase in (1, 2):
        (own,) = [c for c in checkpoints if c.endswith(f"-phase{phase}")]
        assert own in page

    rolled = run("rollback", "--yes")
    assert rolled.exit_code == 0, rolled.stderr
    page = report_page(tmp_path / "rollback.html")
    assert headline(page) == "Phase 1 applied; phase 2 rolled back"
    assert phase_states(page) == ["applied", "rolled-back"] + ["not-planned"] * 5
    assert next_command(page) == "nixmigrate apply --phase 2"
    assert re.search(r"-phase2</span> · applied [^,]+, rolled back 20\d\d-", page)


def _checkpoint_ids() -> list[str]:
    checkpoints = Path(os.environ["XDG_STATE_HOME"]) / "nixmigrate" / "checkpoints"
    return sorted(p.name for p in checkpoints.iterdir())


@pytest.mark.needs_git
def test_output_dir_gets_a_self_contained_page_naming_every_entry(
    scanned: Inventory, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run("report", "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "report.html",
        "report.json",
        "report.md",
    ]
    page = (out / "report.html").read_text(encoding="utf-8")
    parsed = parse(page)
    assert parsed.section_ids == SECTIONS
    assert parsed.tags.get("script", 0) == 0
    assert external_references(page) == []
    text = html.unescape("".join(parsed.text))
    rows = build_accounting(scanned)
    assert rows
    missing = [r.name for r in rows if r.name not in text]
    assert missing == []
    assert scanned.stow is not None
    assert all(p.name in text for p in scanned.stow.packages)
    assert f"{len(rows)} of {len(rows)} input entries accounted for" in text


def test_the_external_reference_scan_finds_what_it_must() -> None:
    bad = '<img src="https://x.invalid/a.png"><a href="http://x"></a>'
    bad += '<div style="background: url(//cdn.invalid/b.png)"></div>'
    good = '<a href="#journey"></a><img src="data:image/png;base64,AA">'
    assert len(external_references(bad)) == 3
    assert external_references(good) == []


HOSTILE_FORMULA = "<script>alert('f')</script>"
HOSTILE_CASK = 'a&b"c<i>'
HOSTILE_PACKAGE = "<img src=x onerror=alert(1)>"
HOSTILE_SERVICE = "svc</td><b>x"
NOT_UTF8 = "caf\udce9"  # b"caf\xe9" decoded with surrogateescape


def hostile_page() -> str:
    resolutions = (
        Resolution("formula", HOSTILE_FORMULA, "unmapped", "none", "no <b>rule</b>"),
        Resolution("cask", HOSTILE_CASK, "keep-cask", "curated", "a & b"),
        Resolution("formula", HOSTILE_SERVICE, "keep-brew", "curated", "kept"),
    )
    inventory = Inventory(
        host=HostInfo(os="darwin", hostname="<h>", system="aarch64-darwin"),
        brew=BrewInventory(
            available=True,
            formulae=(
                BrewFormula(name=HOSTILE_FORMULA, version="1"),
                BrewFormula(name=HOSTILE_SERVICE, version="1"),
            ),
            casks=(BrewCask(token=HOSTILE_CASK, version="1"),),
            services=(BrewService(name=HOSTILE_SERVICE, status="started"),),
        ),
        stow=StowInventory(
            dir="/h/dotfiles",
            target="/h",
            packages=(
                StowPackage(HOSTILE_PACKAGE, "stowed", targets=(".<x>rc",)),
                StowPackage(NOT_UTF8, "stowed", targets=(f".{NOT_UTF8}",)),
            ),
        ),
        resolutions=resolutions,
    )
    progress = Progress()
    inputs = PageInputs(
        inventory=inventory,
        journey=build_journey(progress, (), None, next_steps(inventory, progress)),
        accounting=build_accounting(inventory),
        accounted_line="3 of 3 input entries accounted for",
        services=build_services(inventory),
        context=None,
        config_dir="",
        on_disk={},
        planned=False,
        generated_at="2026-01-01T00:00:00+00:00",
    )
    return render_html(build_page(inputs))


def test_hostile_names_are_text_not_markup() -> None:
    page = hostile_page()
    parsed = parse(page)
    assert parsed.tags.get("script", 0) == 0
    assert parsed.tags.get("img", 0) == 0
    assert parsed.tags.get("i", 0) == 0
    text = "".join(parsed.text)
    for name in (HOSTILE_FORMULA, HOSTILE_CASK, HOSTILE_PACKAGE, HOSTILE_SERVICE):
        assert name in text
    assert "nixmigrate map '<script>alert('\"'\"'f'\"'\"')</script>' ATTR" in text
    assert "caf\\udce9" in text  # shown escaped, and the page encodes as UTF-8
    page.encode("utf-8")


@pytest.mark.needs_chromium
def test_hostile_names_stay_text_in_a_real_browser(tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    path.write_text(hostile_page(), encoding="utf-8")
    loaded = dump_dom(path)
    dom = parse(loaded.dom)
    assert dom.tags.get("script", 0) == 0
    assert dom.tags.get("img", 0) == 0
    assert dom.section_ids == SECTIONS
    assert HOSTILE_PACKAGE in "".join(dom.text)
    assert loaded.blocked_loads == []


@pytest.mark.needs_chromium
def test_the_browser_log_shows_a_blocked_external_load(tmp_path: Path) -> None:
    """The check above would see a load: the page's policy blocks and logs it."""
    page = hostile_page().replace(
        "</main>", '<img src="https://example.invalid/x.png"></main>'
    )
    path = tmp_path / "leaky.html"
    path.write_text(page, encoding="utf-8")
    assert dump_dom(path).blocked_loads != []


@pytest.mark.needs_git
def test_report_json_is_unchanged_by_html(scanned: Inventory, tmp_path: Path) -> None:
    plain = run("report", "--json")
    with_html = run("report", "--json", "--html", str(tmp_path / "r.html"))
    assert with_html.exit_code == 0, with_html.stderr
    assert json.loads(with_html.stdout) == json.loads(plain.stdout)
    assert (tmp_path / "r.html").exists()
