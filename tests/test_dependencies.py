"""Dependency hygiene (pyproject.toml): what the code imports is declared where it belongs.

- every third-party module imported by ``pipelines/`` and ``schemas/`` (what ``make run`` and the
  ``floorboard`` command need) comes from a runtime dependency;
- the notebooks need only the runtime dependencies and the ``notebooks`` group;
- the tests and ``bench/`` need only those and the ``dev`` group;
- notebook-only and test-only packages are not runtime dependencies;
- no private Dagster module is imported, and no bare ``except:`` hides an error.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tests.conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
LOCAL = {"pipelines", "schemas", "tests", "bench", "__future__"}
LOCAL |= {p.stem for p in (REPO / "tests").glob("*.py")}


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", requirement)[0]).lower()


def _group(name: str) -> set[str]:
    names = set()
    for item in PYPROJECT["dependency-groups"][name]:
        if isinstance(item, dict):
            names |= _group(item["include-group"])
        else:
            names.add(_name(item))
    return names


RUNTIME = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
NOTEBOOKS = _group("notebooks")
DEV = _group("dev")
DISTRIBUTIONS = {
    module: {_name(d) for d in dists} for module, dists in packages_distributions().items()
}


def _imports(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found - LOCAL - set(sys.stdlib_module_names)


def _python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (REPO / folder).rglob("*.py"))


def _undeclared(modules: set[str], allowed: set[str]) -> dict[str, set[str]]:
    """Modules whose distribution is not among ``allowed`` (module -> its distributions)."""
    return {
        m: DISTRIBUTIONS.get(m, set())
        for m in sorted(modules)
        if not DISTRIBUTIONS.get(m, set()) & allowed
    }


def test_runtime_code_imports_only_runtime_dependencies():
    modules = set().union(*(_imports(p.read_text()) for p in _python_files("pipelines", "schemas")))
    assert modules  # the walk found the imports
    assert _undeclared(modules, RUNTIME) == {}


def test_notebooks_import_runtime_and_notebook_dependencies():
    modules = set()
    for notebook in (REPO / "notebooks").glob("*.ipynb"):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                modules |= _imports("".join(cell["source"]))
    assert "matplotlib" in modules
    assert _undeclared(modules, RUNTIME | NOTEBOOKS) == {}


def test_tests_and_bench_import_runtime_and_dev_dependencies():
    modules = set().union(*(_imports(p.read_text()) for p in _python_files("tests", "bench")))
    assert _undeclared(modules, RUNTIME | DEV) == {}


@pytest.mark.parametrize(
    "package",
    ["ipykernel", "matplotlib", "nbclient", "nbformat", "pytest", "pytest-xdist", "playwright"],
)
def test_notebook_and_test_packages_are_not_runtime_dependencies(package: str):
    assert package not in RUNTIME
    assert package in DEV


def test_the_console_command_and_its_libraries_are_declared():
    # console(): main(), then an exit without the interpreter's teardown (pipelines/fastexit.py)
    assert PYPROJECT["project"]["scripts"]["floorboard"] == "pipelines.cli:console"
    assert {"click", "rich", "pyyaml", "jinja2", "markupsafe"} <= RUNTIME


def test_no_private_dagster_import_and_no_bare_except():
    for path in _python_files("pipelines", "schemas"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not re.match(r"dagster\w*\._", node.module), f"{path}: {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not re.match(r"dagster\w*\._", alias.name), f"{path}: {alias.name}"
            if isinstance(node, ast.ExceptHandler):
                assert node.type is not None, f"{path}:{node.lineno}: bare except"
