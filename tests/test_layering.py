"""The import rules that keep the core pure (see the architecture notes in README)."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
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
    "rich": (
        "cli/",
        "report/console.py",
        "report/plan_console.py",
        "report/scan_console.py",
    ),
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


# ------------------------------------------------------------ nixmigrate's own imports

# Leaves hold what every stage shares (errors, the JSON codec, Nix syntax, the name
# grammar, the Resolution vocabulary, the OS boundary): importable from anywhere,
# they import only each other. "__init__" is the package itself (its __version__).
LEAVES: frozenset[str] = frozenset(
    {
        "__init__",
        "errors",
        "jsonable",
        "nixlang",
        "name_grammar",
        "resolution",
        "system",
    }
)
# The one-way flow: a stage imports only itself, leaves and the stages before it.
# demo (the fake Mac `nixmigrate demo` builds) needs only scan today; it sits just
# below app, the one stage that drives it, so no stage of the migration can use it.
STAGES: tuple[str, ...] = (
    "scan",
    "mapping",
    "plan",
    "render",
    "state",
    "apply",
    "report",
    "demo",
    "app",
    "cli",
    "__main__",
)
# No import from these reaches nixmigrate.system: the OS stays behind app/ and cli/.
NO_SYSTEM = ("mapping/", "plan/", "render/", *PURE_PACKAGES[3:])


@dataclass(frozen=True, slots=True)
class Import:
    importer: str  # dotted module name
    imported: str  # the nixmigrate module it names (a package means its __init__)
    where: str  # path:line, package-relative

    def __str__(self) -> str:
        return f"{self.where} imports {self.imported}"


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _named_module(name: str, known: frozenset[str]) -> str | None:
    """The longest known module a dotted name starts with (`a.b.func` -> `a.b`)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _targets(
    node: ast.Import | ast.ImportFrom, module: str, is_package: bool
) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        anchor = module.split(".")
        anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
        base = ".".join([*anchor, base] if base else anchor)
    for alias in node.names:  # `from pkg import mod` names a module too
        yield f"{base}.{alias.name}"


def project_imports(root: Path = PACKAGE) -> list[Import]:
    """Every import of one nixmigrate module by another: top-level ones, those
    inside functions and those under TYPE_CHECKING alike."""
    files = {_module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    known = frozenset(files)
    found: list[Import] = []
    for module, path in files.items():
        rel = path.relative_to(root)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _targets(node, module, path.name == "__init__.py"):
                imported = _named_module(target, known)
                if imported is not None and imported != module:
                    where = f"{rel}:{node.lineno}"
                    found.append(Import(module, imported, where))
    return found


def import_cycle(imports: list[Import]) -> list[Import]:
    """One import cycle as the imports that make it, or [] when there is none."""
    graph: dict[str, list[Import]] = {}
    for imp in imports:
        graph.setdefault(imp.importer, []).append(imp)
    done: set[str] = set()
    for start in sorted(graph):
        cycle = _cycle_from(start, graph, done, [], {})
        if cycle:
            return cycle
    return []


def _cycle_from(
    module: str,
    graph: Mapping[str, list[Import]],
    done: set[str],
    path: list[Import],
    on_path: dict[str, int],
) -> list[Import]:
    if module in on_path:
        return path[on_path[module] :]
    if module in done:
        return []
    on_path[module] = len(path)
    for imp in graph.get(module, []):
        cycle = _cycle_from(imp.imported, graph, done, [*path, imp], on_path)
        if cycle:
            return cycle
    del on_path[module]
    done.add(module)
    return []


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def order_violations(imports: list[Import]) -> list[str]:
    """Imports that go against the flow, each with where it is and why it is wrong."""
    rank = {stage: i for i, stage in enumerate(STAGES)}
    wrong: list[str] = []
    for imp in imports:
        mine, theirs = stage_of(imp.importer), stage_of(imp.imported)
        if mine == theirs or theirs in LEAVES:
            continue
        if mine in LEAVES:
            wrong.append(f"{imp}: {mine} is a leaf, it may import only leaves")
        elif rank[theirs] > rank[mine]:
            wrong.append(f"{imp}: {theirs} comes after {mine} in the flow")
    return wrong


def system_imports_in_pure_code(imports: list[Import]) -> list[str]:
    return [
        str(imp)
        for imp in imports
        if imp.where.startswith(NO_SYSTEM) and stage_of(imp.imported) == "system"
    ]


@cache
def _ours() -> list[Import]:
    return project_imports()


def test_no_import_cycle_between_nixmigrate_modules() -> None:
    cycle = import_cycle(_ours())
    assert cycle == [], "import cycle: " + " -> ".join(map(str, cycle))


def test_every_package_has_its_place_in_the_flow() -> None:
    placed = LEAVES | set(STAGES)
    stages = {stage_of(_module_name(p, PACKAGE)) for p in PACKAGE.rglob("*.py")}
    assert stages - placed == set(), "add it to LEAVES or STAGES in this test"


def test_stages_import_only_earlier_stages_and_leaves() -> None:
    wrong = order_violations(_ours())
    assert wrong == [], "\n".join(wrong)


def test_pure_packages_never_import_system() -> None:
    wrong = system_imports_in_pure_code(_ours())
    assert wrong == [], "\n".join(wrong)


def test_the_import_graph_sees_imports_inside_functions() -> None:
    imports = {(i.importer, i.imported) for i in _ours()}
    # cli/scan_cmd.py imports the scan use case inside its command function
    assert ("nixmigrate.cli.scan_cmd", "nixmigrate.app.scan") in imports
    assert ("nixmigrate.__main__", "nixmigrate.cli") in imports


def _package(root: Path, files: Mapping[str, str]) -> Path:
    package = root / "nixmigrate"
    for rel, text in {"__init__.py": "", **files}.items():
        (package / rel).parent.mkdir(parents=True, exist_ok=True)
        (package / rel).write_text(text, encoding="utf-8")
    return package


LAZY_CYCLE = {
    "app/__init__.py": "",
    "app/scan.py": "def run():\n    from nixmigrate.app.mapping import resolve\n",
    "app/mapping.py": "from nixmigrate.app import scan\n",
}


def test_a_cycle_through_an_import_inside_a_function_is_named(tmp_path: Path) -> None:
    cycle = import_cycle(project_imports(_package(tmp_path, LAZY_CYCLE)))
    assert sorted(map(str, cycle)) == [
        "app/mapping.py:1 imports nixmigrate.app.scan",
        "app/scan.py:2 imports nixmigrate.app.mapping",
    ]


def test_an_import_against_the_flow_is_named(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "plan/__init__.py": "",
            "plan/planner.py": "def f():\n    from nixmigrate.render.outputs import x\n",
            "render/__init__.py": "",
            "render/outputs.py": "from nixmigrate.plan import planner\n",
            "errors.py": "from nixmigrate.scan import inventory\n",
            "scan/__init__.py": "",
            "scan/inventory.py": "",
        },
    )
    leaf = "errors is a leaf, it may import only leaves"
    later = "render comes after plan in the flow"
    assert order_violations(project_imports(package)) == [
        f"errors.py:1 imports nixmigrate.scan.inventory: {leaf}",
        f"plan/planner.py:2 imports nixmigrate.render.outputs: {later}",
    ]


def test_a_system_import_in_pure_code_is_named(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "mapping/verify/__init__.py": "def run():\n    import nixmigrate.system.nix\n",
            "app/verify.py": "from nixmigrate.system import nix\n",
            "system/__init__.py": "",
            "system/nix.py": "",
        },
    )
    assert system_imports_in_pure_code(project_imports(package)) == [
        "mapping/verify/__init__.py:2 imports nixmigrate.system.nix"
    ]
