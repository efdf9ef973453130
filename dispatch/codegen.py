"""LLVM IR text for a decision tree: one vectorcall-compatible function per dispatcher, written
with the CPython-ABI kit's builder (:mod:`jit.cpython.ir`).

The function has exactly the vectorcall signature and leaves by a ``musttail`` call of the
outcome with its own arguments, which is what makes this hold:

**I1 no frame, no GIL release.** The dispatcher never releases the GIL and never has a frame on
the stack after it calls out (`musttail`). So once the pointer is swapped no thread can enter the
old code, and none is inside it: old code may be freed under the GIL right after the swap. On a
free-threaded build this does not hold: refuse native mode there and use the Python-level path.

Class tests compare ``Py_TYPE(args[i])`` against type addresses; identity eql tests compare
``args[i]`` itself. Two ways to emit a test over many addresses, chosen by ``strategy``:
``"switch"`` (an LLVM ``switch``; LLVM lowers sparse cases to a balanced compare tree) and
``"bisect"`` (our own balanced ``icmp ult`` tree with ``icmp eq`` at the bottom).
"""

from __future__ import annotations

from typing import Any

from dispatch.dtree import Leaf, Miss, Node, Switch, Tree
from jit.cpython import ir, vectorcall_offset

STRATEGIES = ("switch", "bisect")
# Below this many cases "bisect" is a linear chain of equality tests.
_LINEAR_CASES = 4


class _Emitter:
    def __init__(self, f: ir.Function, strategy: str) -> None:
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown decision-tree strategy {strategy!r}; known: {STRATEGIES}")
        self.f = f
        self.strategy = strategy
        self._labels: dict[int, str] = {}

    def label(self, node: Node) -> str:
        if id(node) not in self._labels:
            kind = "miss" if isinstance(node, Miss) else "leaf" if isinstance(node, Leaf) else "test"
            self._labels[id(node)] = self.f.label(kind)
        return self._labels[id(node)]

    def tail_call(self, target: Any) -> None:
        """Leave by a tail call of ``target`` (a live Python callable)."""
        self.f.tail_vectorcall(ir.constant(target), offset=vectorcall_offset(target))

    def node(self, node: Node, tree: Tree, miss_handler: Any, values: dict[int, str],
             types: dict[int, str]) -> None:
        self.f.block(self.label(node))
        if isinstance(node, Miss):
            self.tail_call(miss_handler)
        elif isinstance(node, Leaf):
            self.tail_call(tree.outcomes[node.outcome])
        else:
            value = types[node.position] if node.on_type else values[node.position]
            if self.strategy == "switch":
                self.f.switch(value, self.label(node.default),
                              [(addr, self.label(n)) for addr, n in node.cases])
            else:
                self.bisect(value, list(node.cases), self.label(node.default))

    def bisect(self, value: str, cases: list[tuple[int, Node]], default: str) -> None:
        f = self.f
        if len(cases) <= _LINEAR_CASES:
            for i, (addr, target) in enumerate(cases):
                nxt = default if i == len(cases) - 1 else f.label("eq")
                f.cbr(f.icmp("eq", value, addr, "i64"), self.label(target), nxt)
                if nxt != default:
                    f.block(nxt)
            return
        mid = len(cases) // 2
        lo, hi = f.label("lo"), f.label("hi")
        f.cbr(f.icmp("ult", value, cases[mid][0], "i64"), lo, hi)
        f.block(lo)
        self.bisect(value, cases[:mid], default)
        f.block(hi)
        self.bisect(value, cases[mid:], default)


def emit(tree: Tree, name: str, nargs: int, miss_handler: Any,
         strategy: str = "switch") -> str:
    """IR of the dispatcher function ``name``. ``nargs``: dispatched arguments (fewer go to the
    miss handler, which raises Python's error); ``miss_handler``: a callable that outlives the
    dispatcher, like the tree's outcomes (invariant I2)."""
    module = ir.Module()
    f = module.function(name)
    e = _Emitter(f, strategy)
    nodes = list(tree.nodes())
    used_types = sorted({n.position for n in nodes if isinstance(n, Switch) and n.on_type})
    used_values = sorted({n.position for n in nodes if isinstance(n, Switch)})
    classes, short = f.label("classes"), f.label("short")
    f.branch_on_arg_count(f.nargs(), classes, short, minimum=nargs)
    f.block(short)
    e.tail_call(miss_handler)
    f.block(classes)
    values: dict[int, str] = {}
    types: dict[int, str] = {}
    for p in used_values:
        arg = f.arg(p)
        values[p] = f.assign("v", f"ptrtoint ptr {arg} to i64")
        if p in used_types:
            types[p] = f.type_of(arg, "i64")
    f.br(e.label(tree.root))
    for node in nodes:
        e.node(node, tree, miss_handler, values, types)
    return module.text()
