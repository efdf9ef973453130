"""The import graph of the project: one-way packages, one-way layers inside the Lisp, no circles.

Every import counts: at module level, inside functions, under ``TYPE_CHECKING``, and the module
names given to ``importlib.import_module`` or ``__import__`` (a constant, or the constant start of
an f-string or a concatenation).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import lisp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("jit", "dispatch", "lisp", "stress")
# What each package may import of the others (itself always).
ALLOWED = {"jit": set(), "dispatch": {"jit"}, "lisp": {"dispatch", "jit"}, "stress": {"jit", "dispatch", "lisp"}}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def _resolve(name: str) -> str:
    """The module of ours that importing ``name`` names: ``a.b.c`` if it is a module, else the
    longest prefix that is one."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _dynamic_target(call: ast.Call) -> str | None:
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if called not in ("import_module", "__import__") or not call.args:
        return None
    arg = call.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        return str(arg.values[0].value).rstrip(".")
    if isinstance(arg, ast.BinOp) and isinstance(arg.left, ast.Constant) and isinstance(arg.left.value, str):
        return arg.left.value.rstrip(".")
    return None


def imports_of(module: str) -> Iterator[tuple[str, int]]:
    """(imported module of ours, line) for every import in ``module``."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            names = [f"{base}.{alias.name}" for alias in node.names] or [base]
        elif isinstance(node, ast.Call) and (target := _dynamic_target(node)) is not None:
            names = [target]
        for name in names:
            found = _resolve(name)
            if found and found != module:
                yield found, node.lineno


GRAPH = {module: sorted(set(imports_of(module))) for module in MODULES}


def _layer(module: str) -> int:
    best = (-1, -1)
    for index, (_, members) in enumerate(lisp.LAYERS):
        for member in members:
            if (module == member or module.startswith(member + ".")) and len(member) > best[0]:
                best = (len(member), index)
    return best[1]


def test_every_lisp_module_belongs_to_a_layer() -> None:
    assert [m for m in MODULES if m.startswith("lisp") and _layer(m) < 0] == []


def test_packages_import_only_the_packages_below_them() -> None:
    wrong = [f"{module}:{line} imports {target}" for module, edges in GRAPH.items() for target, line in edges
             if (top := module.split(".")[0]) != (other := target.split(".")[0]) and other not in ALLOWED[top]]
    assert wrong == []


def test_lisp_modules_import_no_higher_layer() -> None:
    names = [name for name, _ in lisp.LAYERS]
    wrong = [f"{module}:{line} ({names[_layer(module)]}) imports {target} ({names[_layer(target)]})"
             for module, edges in GRAPH.items() if module.startswith("lisp")
             for target, line in edges if target.startswith("lisp") and _layer(target) > _layer(module)]
    assert wrong == []


def _circles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []
    for start in GRAPH:
        if start in index:
            continue
        work = [(start, iter(GRAPH[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target, _ in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(GRAPH[target])))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        circles.append(sorted(component))
    return circles


# Circles being taken apart on other branches of this work (issue 14): each mark goes when they land.
_OPEN_CIRCLES: dict[str, str] = {}


@pytest.mark.parametrize("package", [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=_OPEN_CIRCLES[p]) if p in _OPEN_CIRCLES else ())
    for p in ("jit", "dispatch", "lisp.runtime", "lisp.syntax", "lisp.compiler", "lisp.library", "lisp.clos",
              "lisp.repl", "stress")])
def test_no_module_imports_itself_round_a_circle(package: str) -> None:
    def ties(circle: list[str]) -> list[str]:
        return [f"{m}:{line} -> {t}" for m in circle for t, line in GRAPH[m] if t in circle]

    mine = [circle for circle in _circles() if any(m == package or m.startswith(package + ".") for m in circle)]
    assert [ties(circle) for circle in mine] == []


@pytest.mark.parametrize("source, expected", [
    ("import importlib\nimportlib.import_module('stress.cli')", "stress.cli"),
    ("import importlib\nimportlib.import_module(f'lisp.library.{name}')", "lisp.library"),
    ("__import__('dispatch' + '.native')", "dispatch"),
    ("def f():\n    from lisp.runtime import data", "lisp.runtime.data"),
])
def test_the_checker_sees_every_kind_of_import(tmp_path: Path, source: str, expected: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    probe = ROOT / "jit" / "_layers_probe.py"
    monkeypatch.setitem(MODULES, "jit._layers_probe", probe)
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source)
    assert expected in [target for target, _ in imports_of("jit._layers_probe")]
