"""The code's shape: layers import only downwards, no import cycles, no private Amaranth attribute.

Read from the source with ``ast`` (nothing is imported): a module's imports,
at the top and inside functions, must stay within the packages its layer may
use (model < hw < flow/link/boards/report/formal < scripts/examples), and go
through the one import name ``sigmoid_hw`` (a bare ``import hw`` would load a
second copy of a module from the source tree, and fails from the wheel).
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROJECT = ("model", "hw", "flow", "link", "boards", "report", "formal", "scripts", "examples")
ALLOWED = {
    "model": {"model"},
    "hw": {"model", "hw"},
    "flow": {"model", "hw", "flow"},
    "link": {"model", "hw", "link"},
    "report": {"model", "hw", "flow", "report"},
    "formal": {"model", "hw", "formal"},
    "boards": {"model", "hw", "flow", "link", "boards"},
    "scripts": set(PROJECT) - {"examples"},
    "examples": set(PROJECT) - {"scripts"},
}


PREFIX = "sigmoid_hw."


def _modules():
    for package in PROJECT:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            yield package, name.removesuffix(".__init__"), path


def _raw_imports(path, top_only=False):
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (node.module + "." + alias.name for alias in node.names)


def _imports(path, top_only=False):
    """The project modules ``path`` imports, named without the ``sigmoid_hw.`` prefix."""
    for name in _raw_imports(path, top_only):
        yield name[len(PREFIX):] if name.startswith(PREFIX) else name


MODULES = list(_modules())


@pytest.mark.parametrize("package,name,path", MODULES, ids=[m[1] for m in MODULES])
def test_imports_only_downwards(package, name, path):
    bad = sorted({imp for imp in _imports(path) if imp.split(".")[0] in PROJECT
                  and imp.split(".")[0] not in ALLOWED[package]})
    assert not bad, "{} ({}) imports {}".format(name, package, bad)


TEST_FILES = sorted((ROOT / "tests").rglob("*.py")) + sorted((ROOT / "docs").glob("*.py"))


@pytest.mark.parametrize("path", [m[2] for m in MODULES] + TEST_FILES,
                         ids=[m[1] for m in MODULES] + [p.name for p in TEST_FILES])
def test_imports_use_the_one_import_name(path):
    # examples/ is not part of the package (the tests import it from the checkout)
    bare = sorted({imp for imp in _raw_imports(path)
                   if imp.split(".")[0] in PROJECT and imp.split(".")[0] != "examples"})
    assert not bare, "{} imports {} (expected sigmoid_hw.{})".format(path.name, bare, bare[0])


def test_no_import_cycles():
    known = {name for _, name, _ in MODULES}
    graph = {name: {imp for imp in _imports(path, top_only=True) if imp in known and imp != name}
             for _, name, path in MODULES}
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in graph[node]:
            if state.get(nxt) == "open":
                raise AssertionError("import cycle: " + " -> ".join(stack + [node, nxt]))
            if nxt not in state:
                visit(nxt, stack + [node])
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node, [])


def test_no_private_amaranth_attributes():
    for _, name, path in MODULES:
        assert "_MustUse" not in path.read_text(), name
    for path in (ROOT / "tests").rglob("*.py"):
        if path.name != "test_layout.py":
            assert "_MustUse" not in path.read_text(), path.name


@pytest.mark.parametrize("package,name,path", [m for m in MODULES if m[0] != "examples"],
                         ids=[m[1] for m in MODULES if m[0] != "examples"])
def test_modules_are_small(package, name, path):
    lines = len(path.read_text().splitlines())
    assert lines <= 420, "{} has {} lines".format(name, lines)
