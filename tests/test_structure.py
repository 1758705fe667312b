"""The shape of the package (issue 10): one room per job, and the rules that keep it so.

- no module over 450 lines;
- no import cycle between modules (counting imports made when a module is loaded, not those
  inside functions, which run later);
- `__init__.py` files only hand names on;
- only `engine/` imports durable-rules;
- the command line's modules import nothing heavy when loaded, so `closure-check --help` is quick.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import closure_check

PACKAGE = Path(closure_check.__file__).parent
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
MAX_LINES = 450


def name_of(path: Path) -> str:
    parts = ["closure_check", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imports_when_loaded(path: Path) -> set[str]:
    """The closure_check modules that loading `path` imports (top level and module-level
    `if`/`try` blocks; not inside functions, nor under `if TYPE_CHECKING`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = name_of(path).split(".")
    package = here if is_package(path) else here[:-1]
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If):
                if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("closure_check"))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                if not module.startswith("closure_check"):
                    continue
                found.add(module)
                for alias in node.names:  # `from . import cache` imports a module
                    candidate = f"{module}.{alias.name}"
                    if candidate in KNOWN:
                        found.add(candidate)

    visit(tree.body)
    # importing `a.b.c` runs the faces of packages `a` and `a.b` first, unless they are the
    # importing module's own (already being imported): a circle can pass through a face
    mine = {".".join(here[:i]) for i in range(1, len(here) + 1)}
    for module in list(found):
        parts = module.split(".")
        found |= {".".join(parts[:i]) for i in range(1, len(parts))} - mine
    return found - {name_of(path)}


KNOWN = {name_of(p) for p in MODULES}


@pytest.mark.parametrize("path", MODULES, ids=name_of)
def test_no_module_is_over_450_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name_of(path)} has {lines} lines"


def test_no_modules_import_each_other_in_a_circle() -> None:
    graph = {name_of(p): {m for m in imports_when_loaded(p) if m in KNOWN} for p in MODULES}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                raise AssertionError(
                    "import cycle: " + " -> ".join([*path[path.index(nxt) :], nxt])
                )
            if state.get(nxt) is None:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


@pytest.mark.parametrize("path", [p for p in MODULES if is_package(p)], ids=name_of)
def test_package_faces_only_hand_names_on(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for i, node in enumerate(tree.body):
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == [
            "__all__"
        ]:
            continue
        raise AssertionError(f"{name_of(path)} line {node.lineno}: more than handing names on")


def test_only_the_engine_package_imports_durable_rules() -> None:
    users = [
        name_of(p)
        for p in MODULES
        if "durable" in p.read_text(encoding="utf-8")
        and any(
            (
                isinstance(n, ast.Import | ast.ImportFrom)
                and any("durable" in (a.name or "") for a in n.names)
            )
            or (isinstance(n, ast.ImportFrom) and "durable" in (n.module or ""))
            for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        )
    ]
    assert users and all(u.startswith("closure_check.engine.") for u in users), users


def test_the_help_loads_neither_the_engine_nor_the_record_models_nor_jinja() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from closure_check.cli import main\n"
        "assert CliRunner().invoke(main, ['--help']).exit_code == 0\n"
        "heavy = [m for m in ('durable_rules_engine', 'pydantic', 'jinja2', 'yaml')\n"
        "         if m in sys.modules]\n"
        "print(' '.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"--help imported {out.stdout.strip()}"


def test_listing_the_rules_does_not_start_the_rules_engine() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from closure_check.cli import main\n"
        "result = CliRunner().invoke(main, ['rules', 'list'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print('durable_rules_engine' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    """setup.cfg lists the packages a wheel holds: a subpackage missing there would be missing
    from an installed closure-check (tests/test_install.py then runs the installed command)."""
    import configparser

    setup_cfg = PACKAGE.parents[1] / "setup.cfg"
    if not setup_cfg.exists():
        pytest.skip("run from a checkout: the installed package has no setup.cfg beside it")
    config = configparser.ConfigParser()
    config.read(setup_cfg)
    listed = set(config["options"]["packages"].split())
    found = {name_of(p.parent / "__init__.py") for p in MODULES}  # every folder holding code
    assert found <= listed, sorted(found - listed)
    assert {"closure_check.rules", "closure_check.templates"} <= listed
