"""The import rules that keep the core pure (see the architecture notes in README)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "nixmigrate"

# module imported -> the only places (package-relative path prefixes) allowed to import it
ALLOWED: dict[str, tuple[str, ...]] = {
    "click": ("cli/",),
    "questionary": ("system/prompt.py",),
    "subprocess": ("system/runner.py",),
    "psutil": ("system/procs.py", "system/lockcheck.py"),
    "rich": ("cli/", "report/console.py", "report/plan_console.py"),
}
PURE_PACKAGES = (
    "mapping/",
    "plan/",
    "render/",
    "report/model.py",
    "report/journey.py",
    "report/page.py",
    "report/html.py",
)
SIDE_EFFECT_MODULES = {"subprocess", "psutil", "questionary", "click", "shutil"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _modules() -> list[tuple[str, set[str]]]:
    return [
        (str(p.relative_to(PACKAGE)), _imports(p))
        for p in sorted(PACKAGE.rglob("*.py"))
    ]


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_side_effect_libraries_stay_behind_their_boundary(module: str) -> None:
    offenders = [
        rel
        for rel, imported in _modules()
        if module in imported and not rel.startswith(ALLOWED[module])
    ]
    assert offenders == [], f"{module} imported outside {ALLOWED[module]}"


def test_pure_stages_do_not_touch_the_os() -> None:
    offenders = {
        rel: sorted(imported & SIDE_EFFECT_MODULES)
        for rel, imported in _modules()
        if rel.startswith(PURE_PACKAGES) and imported & SIDE_EFFECT_MODULES
    }
    assert offenders == {}


def test_the_layering_test_sees_the_package() -> None:
    names = {rel for rel, _ in _modules()}
    assert "system/runner.py" in names
    assert "cli/__init__.py" in names
