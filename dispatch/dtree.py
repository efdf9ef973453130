"""Decision trees over argument classes, built from a call-history snapshot.

A tree tests the class of one argument per level (in the order of the specialized positions);
at a leaf whose outcome is an identity-only :class:`~dispatch.outcomes.EqlSelector` it goes on
testing argument identities. Nodes are interned, so equal subtrees -- and equal outcomes -- are
one node, emitted once.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Union

from dispatch.outcomes import EqlSelector, Outcome


@dataclass(frozen=True)
class Leaf:
    """Tail-call the outcome at this address."""

    outcome: int


@dataclass(frozen=True)
class Miss:
    """Tail-call the miss handler."""


@dataclass(frozen=True)
class Switch:
    """Compare a value of argument ``position`` against ``cases`` (sorted by address):
    its class's address (``on_type``) or its own address (an identity eql test)."""

    position: int
    on_type: bool
    cases: tuple[tuple[int, Node], ...]
    default: Node


Node = Union[Leaf, Miss, Switch]


@dataclass
class Tree:
    root: Node
    outcomes: dict[int, Outcome]   # address -> outcome (the tree's references, invariant I2)
    eql_values: list[Any]          # identity eql objects whose addresses the tree compares
    class_ids: frozenset[int]      # class addresses the tree compares

    def nodes(self) -> list[Node]:
        """Every distinct node, root first, each once."""
        seen: dict[int, Node] = {}
        stack = [self.root]
        while stack:
            n = stack.pop()
            if id(n) in seen:
                continue
            seen[id(n)] = n
            if isinstance(n, Switch):
                stack.append(n.default)
                stack.extend(child for _, child in reversed(n.cases))
        return list(seen.values())


class _Builder:
    def __init__(self) -> None:
        self._interned: dict[Node, Node] = {}
        self.outcomes: dict[int, Outcome] = {}
        self.eql_values: list[Any] = []
        self.miss = self.intern(Miss())

    def intern(self, node: Node) -> Node:
        return self._interned.setdefault(node, node)

    def leaf(self, outcome: Outcome) -> Node:
        if isinstance(outcome, EqlSelector) and outcome.identity_cases() is not None:
            return self._identity_tree(outcome)
        return self._leaf(outcome)

    def _leaf(self, outcome: Outcome) -> Node:
        self.outcomes[id(outcome)] = outcome
        return self.intern(Leaf(id(outcome)))

    def _identity_tree(self, selector: EqlSelector) -> Node:
        cases = selector.identity_cases()
        assert cases is not None
        expanded = [(tuple(matched.get(i) for i, _ in cases), outcome)
                    for matched, outcome in selector.expanded()]
        for _, eqls in cases:
            self.eql_values.extend(e.value for e in eqls)
        return self._identity_level([i for i, _ in cases], expanded, 0)

    def _identity_level(self, positions: list[int], rows: list[tuple[tuple[Any, ...], Outcome]],
                        depth: int) -> Node:
        if depth == len(positions):
            (_, outcome), = rows
            return self._leaf(outcome)
        groups: dict[Any, list[tuple[tuple[Any, ...], Outcome]]] = {}
        for row in rows:
            groups.setdefault(row[0][depth], []).append(row)
        default = self._identity_level(positions, groups.pop(None), depth + 1)
        cases = tuple(sorted((id(e.value), self._identity_level(positions, g, depth + 1))
                             for e, g in groups.items()))
        return self.switch(positions[depth], False, cases, default)

    def switch(self, position: int, on_type: bool, cases: tuple[tuple[int, Node], ...],
               default: Node) -> Node:
        cases = tuple(c for c in cases if c[1] is not default)
        if not cases:
            return default
        return self.intern(Switch(position, on_type, cases, default))


def build_tree(positions: Sequence[int], entries: Sequence[tuple[Hashable, Outcome]]) -> Tree:
    """The tree for a call-history snapshot (keys as made by :func:`dispatch.history.key_function`)."""
    b = _Builder()
    rows = [((k,) if len(positions) == 1 else tuple(k), b.leaf(o))  # type: ignore[arg-type]
            for k, o in entries]

    def level(rows: list[tuple[tuple[int, ...], Node]], depth: int) -> Node:
        if depth == len(positions):
            return rows[0][1] if rows else b.miss
        groups: dict[int, list[tuple[tuple[int, ...], Node]]] = {}
        for row in rows:
            groups.setdefault(row[0][depth], []).append(row)
        cases = tuple(sorted((cid, level(g, depth + 1)) for cid, g in groups.items()))
        return b.switch(positions[depth], True, cases, b.miss)

    root = level(rows, 0)
    class_ids = frozenset(cid for key, _ in rows for cid in key)
    return Tree(root, b.outcomes, b.eql_values, class_ids)
