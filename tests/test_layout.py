"""The package's shape: layers that import one way, no cycles, small modules and
functions, a test file for every module, and a cold ``import gradviz`` that loads
neither numpy nor networkx."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gradviz"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# layer of each sub-package: a module may import only its own layer and lower ones
LAYERS = {"core": 0, "views": 1, "display": 2, "api": 2, "teaching": 2, "course": 3,
          "cli": 4, "gallery": 4, "scenes": 4, "__main__": 5, "__init__": 5}


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        out[".".join(rel.parts)] = path
    return out


def layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1]] if len(parts) > 1 else LAYERS["__init__"]


def imports(path: Path) -> set[str]:
    """The gradviz modules a file imports (at any depth: lazy imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gradviz"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("gradviz"))
    mods = modules()
    return {m for m in found if m in mods}


@pytest.mark.parametrize("module", sorted(modules()))
def test_imports_flow_one_way(module):
    if module == "gradviz.__init__":
        return  # the package front door loads every layer lazily, by name
    for target in imports(modules()[module]):
        assert layer(target) <= layer(module), f"{module} imports {target} from a layer above"


def test_no_import_cycles():
    import networkx as nx

    g = nx.DiGraph()
    for module, path in modules().items():
        if module.endswith("__init__"):
            continue
        g.add_edges_from((module, t) for t in imports(path) if not t.endswith("__init__"))
    cycles = list(nx.simple_cycles(g))
    assert not cycles, cycles[:3]


def oversized(module: str) -> list[str]:
    """What in a module breaks the size limits."""
    text = modules()[module].read_text(encoding="utf-8")
    out = [f"{module} has {len(text.splitlines())} lines"] \
        if len(text.splitlines()) > MAX_MODULE_LINES else []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            size = node.end_lineno - node.lineno + 1
            if size > MAX_FUNCTION_LINES:
                out.append(f"{module}.{node.name} has {size} lines")
    return out


@pytest.mark.parametrize("module", sorted(modules()))
def test_module_and_function_sizes(module):
    assert not oversized(module)


@pytest.mark.parametrize("module", sorted(m for m in modules() if not m.endswith("__init__")
                                          and not m.endswith("__main__")))
def test_every_module_has_its_test_file(module):
    parts = module.split(".")[1:]
    name = parts[-1].lstrip("_")
    expected = ROOT.joinpath("tests", *parts[:-1], f"test_{name}.py")
    assert expected.exists(), f"{module} has no {expected.relative_to(ROOT)}"


def test_import_gradviz_is_light():
    code = ("import sys, gradviz; print(sorted(m for m in ('numpy', 'networkx', 'scipy', "
            "'manim') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.strip()
    assert out == "[]"
