"""From a call-history snapshot to an installable native dispatcher, and back out as text."""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

from dispatch import codegen, jitlink
from dispatch.dtree import Tree, build_tree
from dispatch.history import CallHistory
from dispatch.outcomes import Outcome

if TYPE_CHECKING:
    from dispatch.generic import GenericState

_serial = itertools.count(1)
_strategy = "bisect"  # at opt level 0 LLVM lowers a switch to a linear chain


def set_tree_strategy(strategy: str) -> None:
    """How decision-tree tests are emitted from now on: "switch" or "bisect" (see codegen)."""
    global _strategy
    if strategy not in codegen.STRATEGIES:
        raise ValueError(f"unknown decision-tree strategy {strategy!r}; known: {codegen.STRATEGIES}")
    _strategy = strategy


def _symbol(name: str) -> str:
    return f"gfjit_{re.sub(r'[^A-Za-z0-9_]', '_', name)[:40]}_{next(_serial)}"


class Compiled:
    """A compiled dispatcher and everything whose address it embeds (invariant I2): outcomes and
    eql objects strongly; classes weakly (their death swaps the dispatcher out first)."""

    def __init__(self, tree: Tree, ir: str, symbol: str, generation: int,
                 refs: dict[int, weakref.ref[type]], handle: Any, miss_handler: Any) -> None:
        self.tree, self.ir, self.symbol, self.generation = tree, ir, symbol, generation
        self.class_ids = tree.class_ids
        self._refs = refs
        self._handle = handle
        self._miss_handler = miss_handler
        self.address: int = handle.address(symbol)

    def resolve_classes(self) -> list[type] | None:
        """Strong references to every class the tree tests, or None if one has died."""
        alive = []
        for cid in self.class_ids:
            ref = self._refs.get(cid)
            cls = ref() if ref is not None else None
            if cls is None:
                return None
            alive.append(cls)
        return alive

    def release(self) -> None:
        self._handle.release()


def _tree(history: CallHistory, entries: Sequence[tuple[Hashable, Outcome]]) -> Tree:
    return build_tree(history.positions, entries)


def _ir(state: GenericState, history: CallHistory, tree: Tree, symbol: str) -> str:
    handler = state.miss_handler
    return codegen.emit(tree, symbol, history.nargs, handler, _strategy)


def compile_dispatcher(state: GenericState, history: CallHistory, generation: int,
                       entries: Sequence[tuple[Hashable, Outcome]],
                       refs: dict[int, weakref.ref[type]]) -> Compiled:
    """Build, emit and compile (outside the generic function's lock)."""
    tree = _tree(history, entries)
    symbol = _symbol(state.name)
    ir = _ir(state, history, tree, symbol)
    handle = jitlink.compile_module(ir, symbol)
    return Compiled(tree, ir, symbol, generation, refs, handle, state.miss_handler)


def ir_for(state: GenericState) -> str:
    history = state.history
    _, entries, _ = history.snapshot()
    return _ir(state, history, _tree(history, entries), "gfjit_" + re.sub(r"\W", "_", state.name))


def asm_for(state: GenericState) -> str:
    ir = ir_for(state)
    return jitlink.assembly(ir, state.name)
