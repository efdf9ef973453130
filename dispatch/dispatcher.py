"""From a call-history snapshot to a native dispatcher ready to install, and out as text.

:func:`compile_dispatcher` runs outside the generic function's lock, on anything that holds a
:class:`DispatcherSpec`: it knows nothing of the generic function it works for. Installing (the
pointer store, and the check that the spec is still current) is the generic function's job
(:mod:`dispatch.generic`).
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from dispatch import codegen, jitlink
from dispatch.dtree import Tree, build_tree
from dispatch.outcomes import Outcome

_serial = itertools.count(1)
_strategy = "bisect"  # at opt level 0 LLVM lowers a switch to a linear chain


def set_tree_strategy(strategy: str) -> None:
    """How decision-tree tests are emitted from now on: "switch" or "bisect" (see codegen)."""
    global _strategy
    if strategy not in codegen.STRATEGIES:
        raise ValueError(f"unknown decision-tree strategy {strategy!r}; known: {codegen.STRATEGIES}")
    _strategy = strategy


@dataclass(frozen=True)
class DispatcherSpec:
    """Everything a dispatcher is made from, taken at one moment under no lock: the entries and
    class references of one call-history snapshot, and the numbers that say whether the result
    is still current when it comes to be installed."""

    name: str                                   # the generic function's, for the symbol
    nargs: int                                  # dispatched arguments; fewer go to the miss handler
    positions: tuple[int, ...]                  # the specialized positions, in test order
    entries: tuple[tuple[Hashable, Outcome], ...]   # history key -> outcome
    classes: Mapping[int, weakref.ref[type]]    # class id -> the class, for every key's ids
    miss_handler: Callable[..., Any]
    epoch: int                                  # the generic function's update count
    generation: int                             # the call history's

    def tree(self) -> Tree:
        return build_tree(self.positions, self.entries)


class Dispatcher:
    """A compiled dispatcher and everything whose address it embeds (invariant I2): outcomes,
    eql objects and the miss handler strongly (``tree``, ``spec``); classes weakly (their death
    swaps the dispatcher out first)."""

    def __init__(self, spec: DispatcherSpec, tree: Tree, ir: str, symbol: str, handle: Any) -> None:
        self.spec, self.tree, self.ir, self.symbol = spec, tree, ir, symbol
        self.class_ids = tree.class_ids
        self._handle = handle
        self.address: int = handle.address(symbol)

    def resolve_classes(self) -> list[type] | None:
        """Strong references to every class the tree tests, or None if one has died."""
        alive = []
        for cid in self.class_ids:
            ref = self.spec.classes.get(cid)
            cls = ref() if ref is not None else None
            if cls is None:
                return None
            alive.append(cls)
        return alive

    def release(self) -> None:
        self._handle.release()


def _symbol(name: str) -> str:
    return f"gfjit_{re.sub(r'[^A-Za-z0-9_]', '_', name)[:40]}_{next(_serial)}"


def _ir(spec: DispatcherSpec, tree: Tree, symbol: str) -> str:
    return codegen.emit(tree, symbol, spec.nargs, spec.miss_handler, _strategy)


def compile_dispatcher(spec: DispatcherSpec) -> Dispatcher:
    """Build the decision tree, emit its IR and compile it (on this thread)."""
    tree = spec.tree()
    symbol = _symbol(spec.name)
    ir = _ir(spec, tree, symbol)
    return Dispatcher(spec, tree, ir, symbol, jitlink.compile_module(ir, symbol))


def ir_for(spec: DispatcherSpec) -> str:
    """The IR :func:`compile_dispatcher` would compile for ``spec``."""
    return _ir(spec, spec.tree(), "gfjit_" + re.sub(r"\W", "_", spec.name))


def asm_for(spec: DispatcherSpec) -> str:
    """The assembly of :func:`ir_for`."""
    return jitlink.assembly(ir_for(spec), spec.name)
