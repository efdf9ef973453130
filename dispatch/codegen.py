"""LLVM IR text for a decision tree: one vectorcall-compatible function per dispatcher.

The function has exactly the vectorcall signature and leaves by a ``musttail`` call of the
outcome with its own arguments (see :mod:`dispatch.vectorcall`), so it never has a frame on the
stack once it calls out and never releases the GIL (invariant I1). Class tests compare ``Py_TYPE(args[i])`` (offset 8)
against type addresses; identity eql tests compare ``args[i]`` itself.

Two ways to emit a test over many addresses, chosen by ``strategy``:
``"switch"`` (an LLVM ``switch``; LLVM lowers sparse cases to a balanced compare tree) and
``"bisect"`` (our own balanced ``icmp ult`` tree with ``icmp eq`` at the bottom).
"""

from __future__ import annotations

from typing import Any

from dispatch import vectorcall
from dispatch.dtree import Leaf, Miss, Node, Switch, Tree
from dispatch.native import OB_TYPE_OFFSET, vectorcall_offset

STRATEGIES = ("switch", "bisect")
# Below this many cases "bisect" is a linear chain of equality tests.
_LINEAR_CASES = 4


class _Emitter:
    def __init__(self, strategy: str) -> None:
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown decision-tree strategy {strategy!r}; known: {STRATEGIES}")
        self.strategy = strategy
        self.lines: list[str] = []
        self._labels: dict[int, str] = {}
        self._fresh = 0

    def fresh(self, stem: str) -> str:
        self._fresh += 1
        return f"{stem}{self._fresh}"

    def label(self, node: Node) -> str:
        if id(node) not in self._labels:
            kind = "miss" if isinstance(node, Miss) else "leaf" if isinstance(node, Leaf) else "test"
            self._labels[id(node)] = self.fresh(kind)
        return self._labels[id(node)]

    def tail_call(self, target: Any) -> None:
        """Leave by a tail call of ``target`` (a live Python callable)."""
        self.lines += vectorcall.call(self.fresh("call"), f"inttoptr (i64 {id(target)} to ptr)",
                                      "ptr %args, i64 %nargsf, ptr %kwnames",
                                      offset=vectorcall_offset(target))

    def node(self, node: Node, tree: Tree, miss_handler: Any) -> None:
        self.lines.append(f"{self.label(node)}:")
        if isinstance(node, Miss):
            self.tail_call(miss_handler)
        elif isinstance(node, Leaf):
            self.tail_call(tree.outcomes[node.outcome])
        else:
            value = f"%t{node.position}" if node.on_type else f"%v{node.position}"
            if self.strategy == "switch":
                cases = " ".join(f"i64 {addr}, label %{self.label(n)}" for addr, n in node.cases)
                self.lines.append(f"  switch i64 {value}, label %{self.label(node.default)} "
                                  f"[ {cases} ]")
            else:
                self.bisect(value, list(node.cases), self.label(node.default))

    def bisect(self, value: str, cases: list[tuple[int, Node]], default: str) -> None:
        if len(cases) <= _LINEAR_CASES:
            for i, (addr, target) in enumerate(cases):
                c = self.fresh("%c")
                nxt = default if i == len(cases) - 1 else self.fresh("eq")
                self.lines.append(f"  {c} = icmp eq i64 {value}, {addr}")
                self.lines.append(f"  br i1 {c}, label %{self.label(target)}, label %{nxt}")
                if nxt != default:
                    self.lines.append(f"{nxt}:")
            return
        mid = len(cases) // 2
        c = self.fresh("%c")
        lo, hi = self.fresh("lo"), self.fresh("hi")
        self.lines.append(f"  {c} = icmp ult i64 {value}, {cases[mid][0]}")
        self.lines.append(f"  br i1 {c}, label %{lo}, label %{hi}")
        self.lines.append(f"{lo}:")
        self.bisect(value, cases[:mid], default)
        self.lines.append(f"{hi}:")
        self.bisect(value, cases[mid:], default)


def emit(tree: Tree, name: str, nargs: int, miss_handler: Any,
         strategy: str = "switch") -> str:
    """IR of the dispatcher function ``name``. ``nargs``: dispatched arguments (fewer go to the
    miss handler, which raises Python's error); ``miss_handler``: a callable that outlives the
    dispatcher, like the tree's outcomes (invariant I2)."""
    e = _Emitter(strategy)
    used_types = sorted({n.position for n in tree.nodes() if isinstance(n, Switch) and n.on_type})
    used_values = sorted({n.position for n in tree.nodes() if isinstance(n, Switch)})
    out = [vectorcall.DECLARATION, "",
           f"define ptr @{name}(ptr %self, ptr %args, i64 %nargsf, ptr %kwnames) {{",
           "entry:",
           "  %n = and i64 %nargsf, 9223372036854775807  ; without PY_VECTORCALL_ARGUMENTS_OFFSET",
           f"  %enough = icmp uge i64 %n, {nargs}",
             "  br i1 %enough, label %classes, label %short",
           "short:"]
    e.tail_call(miss_handler)
    out += e.lines
    e.lines = ["classes:"]
    for p in used_values:
        e.lines.append(f"  %p{p} = getelementptr ptr, ptr %args, i64 {p}")
        e.lines.append(f"  %a{p} = load ptr, ptr %p{p}, align 8")
        e.lines.append(f"  %v{p} = ptrtoint ptr %a{p} to i64")
        if p in used_types:
            e.lines.append(f"  %tp{p} = getelementptr i8, ptr %a{p}, i64 {OB_TYPE_OFFSET}")
            e.lines.append(f"  %t{p} = load i64, ptr %tp{p}, align 8")
    e.lines.append(f"  br label %{e.label(tree.root)}")
    for node in tree.nodes():
        e.node(node, tree, miss_handler)
    out += e.lines
    out.append("}")
    return "\n".join(out) + "\n"
