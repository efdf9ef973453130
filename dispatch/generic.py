"""Generic functions: the state behind one generic function, its Python API, and ``@generic``.

The call path (Closette's discriminating function, tiered):

1. native: the instance's vectorcall pointer runs the compiled decision tree, which tail-calls
   the outcome for the argument classes, or the miss handler;
2. the miss handler (:meth:`GenericState.dispatch`) looks the classes up in the call history's
   Python table;
3. a class tuple never seen runs the slow path once (:meth:`GenericState._learn`) and asks the
   background compiler for a dispatcher that covers it.

With native mode off, ``__call__`` is step 2 directly, with the same tables and outcomes.
"""

from __future__ import annotations

import atexit
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dispatch import native
from dispatch.combination import Combination
from dispatch.errors import InvalidMethodError, NoApplicableMethod, NoNextMethod, NoPrimaryMethod
from dispatch.history import CallHistory
from dispatch.methods import Method
from dispatch.outcomes import OutcomeBuilder
from dispatch.precedence import (add_class_change_listener, class_change_epoch,
                                 class_precedence_list)
from dispatch.specializers import Specializer



@dataclass
class Stats:
    """Counters of one generic function (read them as a snapshot: ``gf.stats``)."""

    native: bool
    misses: int = 0          # class tuples that ran the slow path
    compiles: int = 0        # dispatchers compiled
    installs: int = 0        # dispatchers installed
    discarded: int = 0       # compiled dispatchers thrown away: methods or classes changed meanwhile
    deopts: int = 0          # dispatchers swapped out because a class they mention died


class GenericState:
    """Everything one generic function knows. Updates happen under ``_lock`` (invariant I3):
    swap the native pointer to the slow path, then publish the new call history. Readers never
    lock: they read ``_history`` once and use that snapshot."""

    def __init__(self, name: str, dispatched: Sequence[str], combination: Combination,
                 order: Sequence[int], native_mode: bool,
                 no_applicable_method: Callable[..., Any] | None,
                 no_next_method: Callable[..., Any] | None) -> None:
        self.name = name
        self.dispatched = tuple(dispatched)
        self.nargs = len(self.dispatched)
        self.combination = combination
        self.order = tuple(order)
        self.no_applicable_hook = no_applicable_method
        self.no_next_hook = no_next_method
        self._lock = threading.RLock()
        self._gf: Any = None
        self.stats = Stats(native=native_mode)
        self._native_mode = native_mode
        self.native_steps = native_mode  # dispatch.combination.CallContext
        self._compiled: Any = None          # the installed dispatcher (dispatch.compiled.Compiled)
        self._compiled_generation = -1      # history generation it covers
        self._compile_pending = False
        self.compile_error: Exception | None = None  # the last failed compile stops requests
        self._history = self._new_history(())
        add_class_change_listener(self)
        _states.add(self)

    # -- wiring ----------------------------------------------------------------------------------

    def attach(self, gf: Any) -> None:
        """Bind to the callable object (a strong reference: the state never outlives it)."""
        self._gf = gf
        if self._native_mode:
            # The gf owns a reference to its handler, hence to this state (I2: alive as long as the gf).
            self.miss_handler = self.dispatch
            native.set_fallback(gf, self.miss_handler)
            native.store_pointer(gf, native.VECTORCALL_OFFSET, native.trampoline_address())

    def _new_history(self, methods: Sequence[Method]) -> CallHistory:
        builder = OutcomeBuilder(methods, self.combination, self.order, self)
        return CallHistory(builder, self.nargs, self._class_forgotten)

    @property
    def methods(self) -> tuple[Method, ...]:
        return self._history.builder.methods

    # -- the call path ---------------------------------------------------------------------------

    def dispatch(self, *args: Any, **kwargs: Any) -> Any:
        """Miss handler and Python-mode call: the Python table, then the slow path."""
        history = self._history
        if len(args) < self.nargs:
            args, kwargs = self._bind_required(args, kwargs)
        if history.single >= 0:  # the common case, without a call for the key
            outcome = history.table.get(id(type(args[history.single])))
        else:
            outcome = history.table.get(history.key(args))
        if outcome is None:
            outcome = self._learn(history, args)
        elif self._native_mode and self._compiled_generation != history.generation:
            self._request_compile()
        return outcome(*args, **kwargs)

    def _learn(self, history: CallHistory, args: tuple) -> Any:
        classes = history.classes_for(args)
        epoch = class_change_epoch()
        # Computed outside the lock (see forget_class). A class redefined meanwhile may have made
        # it stale: then it serves this call, which overlaps the change, but is not recorded.
        outcome = history.builder.for_classes(classes)
        with self._lock:
            if history is self._history and epoch == class_change_epoch():
                outcome = history.add(history.key(args), classes, outcome)
                self.stats.misses += 1
        if self._native_mode:
            self._request_compile()
        return outcome

    def _bind_required(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        """Move dispatched arguments given by keyword into place, or fail like Python would."""
        missing = self.dispatched[len(args):]
        if all(name in kwargs for name in missing):
            kwargs = dict(kwargs)
            return args + tuple(kwargs.pop(name) for name in missing), kwargs
        absent = [n for n in missing if n not in kwargs]
        names = " and ".join(", ".join(repr(n) for n in absent).rsplit(", ", 1))
        raise TypeError(f"{self.name}() missing {len(absent)} required positional "
                        f"argument{'s' if len(absent) > 1 else ''}: {names}")

    # -- hooks used by outcomes (dispatch.combination.CallContext) ---------------------------------

    def no_applicable_method(self, args: tuple, kwargs: dict) -> Any:
        if self.no_applicable_hook is not None:
            return self.no_applicable_hook(self._gf, *args, **kwargs)
        dispatched = args[:self.nargs]
        raise NoApplicableMethod(self.name, dispatched,
                                 self._history.builder.explain(self.dispatched, dispatched))

    def no_primary_method(self, args: tuple, kwargs: dict) -> Any:
        raise NoPrimaryMethod(self.name, args[:self.nargs])

    def no_next_method(self, method: Method, args: tuple, kwargs: dict) -> Any:
        if self.no_next_hook is not None:
            return self.no_next_hook(self._gf, method, *args, **kwargs)
        raise NoNextMethod(self.name, method, args[:self.nargs])

    # -- updates (I3) ----------------------------------------------------------------------------

    def add_methods(self, new: Iterable[Method]) -> list[tuple[Method, Method]]:
        """Add methods, replacing those with the same specializers and qualifiers. All or none.
        Returns the (replaced, replacement) pairs."""
        new = list(new)
        for m in new:
            self._check(m)
        with self._lock:
            by_key = {m.key: m for m in self.methods}
            replaced = [(by_key[m.key], m) for m in new if m.key in by_key]
            for m in new:
                by_key[m.key] = m
            self._publish(tuple(by_key.values()))
        return replaced

    def _check(self, m: Method) -> None:
        if not isinstance(m, Method):
            raise InvalidMethodError(f"{self.name}: expected a Method, not {m!r}")
        if len(m.specializers) != self.nargs:
            raise InvalidMethodError(
                f"{m.where()} has {len(m.specializers)} specializer(s); {self.name}() dispatches "
                f"on {self.nargs} parameter(s): {', '.join(self.dispatched)}")
        self.combination.check(m)

    def remove_method(self, method: Method | Callable[..., Any]) -> None:
        """Remove a method, or every method defined by a function. Unknown methods are an error."""
        with self._lock:
            kept = tuple(m for m in self.methods if m is not method and m.function is not method)
            if len(kept) == len(self.methods):
                raise ValueError(f"{method!r} is not a method of {self.name}()")
            self._publish(kept)

    def find_method(self, specializers: Sequence[Specializer],
                    qualifiers: Sequence[str] = ()) -> Method | None:
        key = (tuple(specializers), tuple(qualifiers))
        return next((m for m in self.methods if m.key == key), None)

    def forget_class(self, cls: type) -> None:
        """A class was redefined: forget what was learnt about it and its subclasses.

        Precedence providers are asked outside the lock: a provider may take its own lock (the
        Lisp's class lock), and its owner may call into this generic function while holding it;
        asking under our lock would invert that order and deadlock. Entries recorded after the
        snapshot below were computed after the change (``_learn`` checks the epoch), and a new
        history has none from before it, so forgetting the snapshot's stale classes suffices."""
        history = self._history
        stale = [cid for cid, c in history.live_classes()
                 if c is cls or cls in class_precedence_list(c)]
        with self._lock:
            if history is self._history:
                history.forget_changed(stale)

    def _publish(self, methods: tuple[Method, ...]) -> None:
        # Caller holds the lock. Slow path first, then the new history: a call that still sees
        # the old dispatcher or table ran before the update, and none after it can.
        self._deoptimize()
        self._history = self._new_history(methods)
        old, self._compiled = self._compiled, None
        if old is not None:
            old.release()  # I1: the pointer no longer leads to it

    def _deoptimize(self) -> None:
        if self._native_mode:
            native.store_pointer(self._gf, native.VECTORCALL_OFFSET, native.trampoline_address())
        self._compiled_generation = -1

    def _class_forgotten(self, cid: int) -> None:
        # Runs inside a weakref callback (see dispatch.history): no lock, single stores only.
        compiled = self._compiled
        if compiled is not None and cid in compiled.class_ids:
            self._deoptimize()
            self.stats.deopts += 1

    # -- native compilation ----------------------------------------------------------------------

    def _request_compile(self) -> None:
        if not self._compile_pending and self.compile_error is None:
            self._compile_pending = True
            from dispatch.compiler import background
            background().schedule(self)

    def compile_now(self) -> bool:
        """Compile a dispatcher for the current call history and install it; False if the
        history changed meanwhile (the result is then discarded) or native mode is off."""
        from dispatch import compiled as compiled_mod
        self._compile_pending = False
        if not self._native_mode:
            return False
        history = self._history
        generation, entries, refs = history.snapshot()
        result = compiled_mod.compile_dispatcher(self, history, generation, entries, refs)
        with self._lock:
            self.stats.compiles += 1
            return self._install(history, result)

    def _install(self, history: CallHistory, result: Any) -> bool:
        alive = result.resolve_classes()  # strong references until the store is done (I2)
        if history is not self._history or alive is None or \
                history.invalidated > result.generation:
            self.stats.discarded += 1
            result.release()
            return False
        old, self._compiled = self._compiled, result
        native.store_pointer(self._gf, native.VECTORCALL_OFFSET, result.address)
        self._compiled_generation = result.generation
        self.stats.installs += 1
        del alive
        if old is not None:
            old.release()  # I1: no thread can be inside the old code once the pointer moved
        return True

    def compile_failed(self, error: Exception) -> None:
        self.compile_error = error

    def release_native_code(self) -> None:
        """Go back to the slow path for good and release the dispatcher (at interpreter exit)."""
        with self._lock:
            self.compile_error = RuntimeError("native code released")
            if self._native_mode:
                self._deoptimize()
            old, self._compiled = self._compiled, None
        if old is not None:
            old.release()

    @property
    def compiled(self) -> Any:
        return self._compiled

    @property
    def history(self) -> CallHistory:
        return self._history


_states: weakref.WeakSet[GenericState] = weakref.WeakSet()


@atexit.register
def _release_native_code_at_exit() -> None:
    # Release dispatchers while the jit layer is still whole, instead of in finalizers during
    # module teardown. (Runs after the compile pool has stopped: registered earlier.)
    for state in list(_states):
        state.release_native_code()
