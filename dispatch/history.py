"""The call history of one method set: argument classes -> outcome.

Keys are built from the ids of the argument classes at the specialized positions (an int for one
position, a tuple otherwise), so the history never keeps a class alive. Each class seen is held by
a weak reference whose callback forgets every entry mentioning it, and swaps out a dispatcher
that tests it, before the class's memory can be reused. That is the second half of

Invariant I2, everything embedded is alive: "Every address compiled into a dispatcher (types, eql
objects, outcomes, miss handler) is kept alive by the generic function for as long as that
dispatcher can run. Classes seen in the call history are held weakly with a callback that swaps
the dispatcher out before the class's memory can be reused (otherwise a new class at the same
address would be dispatched as the old one)." (The first half: :class:`dispatch.dispatcher.Dispatcher`
holds its outcomes, eql objects and miss handler.)

The callback runs inside garbage collection, possibly in any thread: it only performs single dict
operations (atomic under the GIL) and calls ``on_forget``, never takes a lock.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from dispatch.outcomes import Outcome, OutcomeBuilder

Key = Hashable


def key_function(positions: Sequence[int]) -> Callable[[Sequence[Any]], Key]:
    """The function mapping a call's arguments to its history key."""
    if not positions:
        return lambda args: ()
    if len(positions) == 1:
        (p,) = positions
        return lambda args: id(type(args[p]))
    if len(positions) == 2:
        p, q = positions
        return lambda args: (id(type(args[p])), id(type(args[q])))
    return lambda args: tuple([id(type(args[p])) for p in positions])


class CallHistory:
    """Outcomes learnt for one method set (``builder``) and dispatched parameters; replaced whole
    by every update of its generic function, which gives the new one the next ``epoch``."""

    def __init__(self, builder: OutcomeBuilder, dispatched: tuple[str, ...], epoch: int,
                 on_forget: Callable[[int], None]) -> None:
        self.builder = builder
        self.dispatched = dispatched
        self.nargs = len(dispatched)
        self.epoch = epoch
        self.positions = builder.specialized_positions
        self.key = key_function(self.positions)
        self.single = self.positions[0] if len(self.positions) == 1 else -1
        self.table: dict[Key, Outcome] = {}
        # class id -> (weak reference to the class, keys mentioning it)
        self._classes: dict[int, tuple[weakref.ref[type], set[Key]]] = {}
        self._on_forget = on_forget
        self._generation = itertools.count(1)
        self.generation = 0  # changes whenever the table does
        # Generation at which entries of a *live* class were last dropped (class_changed): a
        # dispatcher compiled from an earlier snapshot may hold their old outcomes.
        self.invalidated = 0

    def classes_for(self, args: Sequence[Any]) -> tuple[type, ...]:
        """Argument classes at every dispatched position (``object`` where none is specialized)."""
        classes: list[type] = [object] * self.nargs
        for p in self.positions:
            classes[p] = type(args[p])
        return tuple(classes)

    def add(self, key: Key, classes: tuple[type, ...], outcome: Outcome) -> Outcome:
        """Record ``outcome``; caller holds the generic function's lock. Returns the outcome now
        recorded (an earlier one wins, so outcomes stay stable)."""
        existing = self.table.get(key)
        if existing is not None:
            return existing
        for p in self.positions:
            cls = classes[p]
            cid = id(cls)
            entry = self._classes.get(cid)
            if entry is None:
                entry = self._classes[cid] = (weakref.ref(cls, self._dead_callback(cid)), set())
            entry[1].add(key)
        self.table[key] = outcome
        self.generation = next(self._generation)
        return outcome

    def _dead_callback(self, cid: int) -> Callable[[weakref.ref[type]], None]:
        def class_died(_ref: weakref.ref[type]) -> None:
            self.forget_class_id(cid)
        return class_died

    def forget_class_id(self, cid: int) -> None:
        entry = self._classes.pop(cid, None)
        if entry is None:
            return
        for key in entry[1]:
            self.table.pop(key, None)
        self.generation = next(self._generation)
        self._on_forget(cid)

    def live_classes(self) -> list[tuple[int, type]]:
        """(id, class) of every class the history mentions and that is still alive."""
        return [(cid, c) for cid, (ref, _) in dict(self._classes).items()
                if (c := ref()) is not None]

    def forget_changed(self, cids: Sequence[int]) -> None:
        """Drop the entries of these live classes (redefined: their outcomes may be stale);
        caller holds the generic function's lock."""
        for cid in cids:
            self.forget_class_id(cid)
        if cids:
            self.invalidated = self.generation

    def snapshot(self) -> tuple[int, list[tuple[Key, Outcome]], dict[int, weakref.ref[type]]]:
        """Generation, entries and class references, consistent with each other."""
        # A weak callback may run inside any allocation, even in this thread, so never iterate
        # the live dicts: dict(d) allocates its one tracked object before it copies. (Not
        # d.copy(): CPython 3.11 copies the entries, allocates the new dict -- a collection may
        # run there and drop entries -- and then takes the entry count, so the copy has more
        # entries than it counts.) Entries are copied before class references: a class dying in
        # between has no reference in the snapshot, and the install refuses it.
        generation = self.generation
        entries = list(dict(self.table).items())
        refs = {cid: ref for cid, (ref, _) in dict(self._classes).items()}
        return generation, entries, refs

    def __len__(self) -> int:
        return len(self.table)
