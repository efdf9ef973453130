"""Class precedence lists by the CLOS algorithm (CLHS 4.3.5).

The CPL of a class C is a topological sort of C and its superclasses under the relation R, the union
of every class's *local precedence order* (a class precedes its direct superclasses, which precede
one another left to right). When several classes could come next, the one chosen has a direct
subclass rightmost in the list built so far. Unlike Python's C3, the CPLs of the direct superclasses
need not be subsequences of the result, so some hierarchies that C3 rejects are accepted here, and
some that both accept come out in a different order.

This module knows only that a class has ``direct_superclasses`` (a sequence) and a ``name`` used in
error messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class ClassLike(Protocol):
    name: Any
    direct_superclasses: Sequence[Any]


class InconsistentPrecedence(Exception):
    """The local precedence orders of a class and its superclasses contradict each other."""

    def __init__(self, cls: ClassLike, remaining: list[ClassLike]) -> None:
        names = " ".join(str(_name(c)) for c in remaining)
        super().__init__(f"inconsistent precedence graph for class {_name(cls)}: "
                         f"no consistent order among {names}")
        self.cls = cls
        self.remaining = remaining


def _name(cls: ClassLike) -> Any:
    return getattr(cls, "name", cls)


def superclass_closure(cls: ClassLike) -> list[ClassLike]:
    """``cls`` and all its superclasses, each once, in depth-first left-to-right order."""
    seen: dict[int, ClassLike] = {}
    stack = [cls]
    while stack:
        c = stack.pop()
        if id(c) in seen:
            continue
        seen[id(c)] = c
        stack.extend(reversed(list(c.direct_superclasses)))
    return list(seen.values())


def compute_class_precedence_list(cls: ClassLike) -> list[ClassLike]:
    """The CLOS class precedence list of ``cls``, most specific first.

    Raises :class:`InconsistentPrecedence` when no order satisfies every local precedence order.
    """
    classes = superclass_closure(cls)
    # predecessors[c]: classes that must precede c under R, still unplaced.
    predecessors: dict[int, set[int]] = {id(c): set() for c in classes}
    for c in classes:
        local = [c, *c.direct_superclasses]
        for before, after in zip(local, local[1:]):
            predecessors[id(after)].add(id(before))
    by_id = {id(c): c for c in classes}
    # Candidates are examined in closure order so the result is deterministic.
    order = [id(c) for c in classes]
    result: list[ClassLike] = []
    while order:
        free = [i for i in order if not predecessors[i]]
        if not free:
            raise InconsistentPrecedence(cls, [by_id[i] for i in order])
        chosen = free[0] if len(free) == 1 else _tie_break(free, result, by_id)
        result.append(by_id[chosen])
        order.remove(chosen)
        for preds in predecessors.values():
            preds.discard(chosen)
    return result


def _tie_break(free: list[int], placed: list[ClassLike], by_id: dict[int, ClassLike]) -> int:
    # CLHS 4.3.5: take the candidate with a direct subclass rightmost in the list so far.
    for c in reversed(placed):
        supers = {id(s) for s in c.direct_superclasses}
        for i in free:
            if i in supers:
                return i
    return free[0]
