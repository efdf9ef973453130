"""Human-readable views of a generic function's call history and decision tree."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dispatch.dtree import Leaf, Miss, Node, Switch
from dispatch.history import CallHistory

if TYPE_CHECKING:
    from dispatch.generic import GenericState


def _outcome_text(outcome: Any) -> str:
    methods = getattr(outcome, "methods", None)
    if methods is not None:
        return "effective method [" + ", ".join(repr(m) for m in methods) + "]"
    return getattr(outcome, "__qualname__", None) or repr(outcome)


def history_entries(history: CallHistory) -> list[tuple[tuple[type, ...], Any]]:
    _, entries, refs = history.snapshot()
    out = []
    for key, outcome in entries:
        ids = (key,) if len(history.positions) == 1 else tuple(key)  # type: ignore[arg-type]
        classes = tuple(refs[cid]() if cid in refs else None for cid in ids)
        if all(c is not None for c in classes):
            out.append((classes, outcome))
    return out


def describe(state: GenericState) -> str:
    history = state.history
    lines = [f"generic function {state.name}({', '.join(state.dispatched)}), "
             f"{len(state.methods)} methods, specialized positions {list(history.positions)}"]
    compiled = state.compiled
    if compiled is None:
        lines.append("no native dispatcher installed; Python table:")
        for classes, outcome in history_entries(history):
            names = ", ".join(c.__qualname__ for c in classes)
            lines.append(f"  ({names}) -> {_outcome_text(outcome)}")
        return "\n".join(lines)
    _, _, refs = history.snapshot()
    names = {cid: (r() or type(None)).__qualname__ for cid, r in refs.items()}
    lines.append(f"native dispatcher {compiled.symbol} (history generation {compiled.spec.generation}):")
    seen: set[int] = set()

    def walk(node: Node, indent: str) -> None:
        if isinstance(node, Miss):
            lines.append(f"{indent}miss -> Python table")
        elif isinstance(node, Leaf):
            lines.append(f"{indent}-> {_outcome_text(compiled.tree.outcomes[node.outcome])}")
        else:
            assert isinstance(node, Switch)
            if id(node) in seen:
                lines.append(f"{indent}(shared subtree, see above)")
                return
            seen.add(id(node))
            for addr, child in node.cases:
                what = names.get(addr, hex(addr)) if node.on_type else f"is object@{addr:#x}"
                lines.append(f"{indent}arg {node.position} {'class ' if node.on_type else ''}{what}:")
                walk(child, indent + "  ")
            lines.append(f"{indent}arg {node.position} otherwise:")
            walk(node.default, indent + "  ")

    walk(compiled.tree.root, "  ")
    return "\n".join(lines)
