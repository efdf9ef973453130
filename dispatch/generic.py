"""The state behind one generic function: its call path, its updates and its native dispatcher.

The call path (Closette's discriminating function, tiered):

1. native: the instance's vectorcall pointer runs the compiled decision tree, which tail-calls
   the outcome for the argument classes, or the miss handler;
2. the miss handler (:meth:`GenericState.dispatch`) looks the classes up in the call history's
   Python table;
3. a class tuple never seen runs the slow path once (:meth:`GenericState._learn`) and asks the
   background pool (:mod:`dispatch.background`) for a dispatcher that covers it.

With native mode off, ``__call__`` is step 2 directly, with the same tables and outcomes.

Everything a call reads is in one immutable-once-published :class:`CallHistory`: the dispatched
parameters, the method set, the combination and argument precedence order (in its
:class:`OutcomeBuilder`), the epoch, and the table it fills. An update builds a new one.
"""

from __future__ import annotations

import atexit
import os
import threading
import types
import warnings
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dispatch import native
from dispatch.background import pool
from dispatch.combination import Combination
from dispatch.dispatcher import Dispatcher, DispatcherSpec, compile_dispatcher
from dispatch.errors import InvalidMethodError, NoApplicableMethod, NoNextMethod, NoPrimaryMethod
from dispatch.history import CallHistory
from dispatch.methods import Method
from dispatch.operators import ValueModel, combination_named
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


def definition(name: str, dispatched: Sequence[str], combination: str | Combination,
               most_specific_last: bool, argument_precedence_order: Sequence[str] | None,
               values: ValueModel) -> tuple[tuple[str, ...], Combination, tuple[int, ...]]:
    """The dispatched parameters, the combination and the argument precedence order (as
    positions) of a generic function, checked; ValueError names what is wrong."""
    dispatched = tuple(dispatched)
    if len(set(dispatched)) != len(dispatched):
        raise ValueError(f"{name}: duplicate dispatched parameter in {dispatched!r}")
    if argument_precedence_order is None:
        order = tuple(range(len(dispatched)))
    else:
        apo = tuple(argument_precedence_order)
        if sorted(apo) != sorted(dispatched):
            raise ValueError(f"{name}: argument_precedence_order {apo!r} must name each of "
                             f"{dispatched!r} exactly once")
        order = tuple(dispatched.index(p) for p in apo)
    return dispatched, combination_named(combination, most_specific_last, values), order


class GenericState:
    """Everything one generic function knows.

    Invariant I3, linearizable updates: "Adding or removing a method, or redefining a class,
    happens under the generic function's lock: install the new method set, recompute or drop the
    call history, point the callable at the slow path, bump an epoch. A background compile
    installs its dispatcher only if its epoch is still current. Every call behaves as if it ran
    wholly before or wholly after an update." Changing the combination, the argument precedence
    order or the dispatched parameters (:meth:`reinitialize`) is such an update too. Here: every
    update ends in :meth:`_publish`, the epoch is the call history's, and readers never lock: a
    call reads ``_history`` once and uses that snapshot.
    """

    def __init__(self, name: str, dispatched: Sequence[str], combination: Combination,
                 order: Sequence[int], native_mode: bool, values: ValueModel,
                 no_applicable_method: Callable[..., Any] | None,
                 no_next_method: Callable[..., Any] | None,
                 invalid_method: Callable[..., Any] | None,
                 on_change: Callable[[], None] | None) -> None:
        self.name = name
        self.values = values
        self.no_applicable_hook = no_applicable_method
        self.no_next_hook = no_next_method
        self.invalid_method_hook = invalid_method
        self.on_change = on_change
        self._lock = threading.RLock()
        self._gf: Any = None
        self.stats = Stats(native=native_mode)
        self._native_mode = native_mode
        self.native_steps = native_mode  # dispatch.combination.CallContext
        self.miss_handler = self.dispatch
        self._compiled: Dispatcher | None = None  # the installed dispatcher
        self._compiled_generation = -1            # history generation it covers
        self._compile_pending = False
        # The last compile's failure, cleared by an install. It stops requests while the call
        # history is the one it failed for ((epoch, generation) in _failed_for): a change of the
        # methods, the definition or the table is a new chance.
        self.compile_error: Exception | None = None
        self._failed_for: tuple[int, int] | None = None
        self._released = False  # at interpreter exit: no more requests, for good
        self._history = self._new_history((), tuple(dispatched), combination, tuple(order), 0)
        add_class_change_listener(self)
        with _states_lock:
            _states.add(self)

    # -- wiring ----------------------------------------------------------------------------------

    def attach(self, gf: Any) -> None:
        """Bind to the callable object (a strong reference: the state never outlives it)."""
        self._gf = gf
        if self._native_mode:
            # The gf owns a reference to its handler, hence to this state (I2: alive as long as the gf).
            native.set_fallback(gf, self.miss_handler)
            native.store_pointer(gf, native.VECTORCALL_OFFSET, native.trampoline_address())

    def _new_history(self, methods: Sequence[Method], dispatched: tuple[str, ...],
                     combination: Combination, order: tuple[int, ...], epoch: int) -> CallHistory:
        builder = OutcomeBuilder(methods, combination, order, self)
        return CallHistory(builder, dispatched, epoch, self._class_forgotten)

    @property
    def methods(self) -> tuple[Method, ...]:
        return self._history.builder.methods

    @property
    def dispatched(self) -> tuple[str, ...]:
        return self._history.dispatched

    @property
    def nargs(self) -> int:
        return self._history.nargs

    @property
    def combination(self) -> Combination:
        return self._history.builder.combination

    @property
    def epoch(self) -> int:
        """Bumped by every update (invariant I3)."""
        return self._history.epoch

    # -- the call path ---------------------------------------------------------------------------

    def dispatch(self, *args: Any, **kwargs: Any) -> Any:
        """Miss handler and Python-mode call: the Python table, then the slow path."""
        history = self._history
        if len(args) < history.nargs:
            args, kwargs = self._bind_required(history, args, kwargs)
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

    def _bind_required(self, history: CallHistory, args: tuple,
                       kwargs: dict) -> tuple[tuple, dict]:
        """Move dispatched arguments given by keyword into place, or fail like Python would."""
        missing = history.dispatched[len(args):]
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
        history = self._history
        dispatched = args[:history.nargs]
        raise NoApplicableMethod(self.name, dispatched,
                                 history.builder.explain(history.dispatched, dispatched))

    def no_primary_method(self, args: tuple, kwargs: dict) -> Any:
        raise NoPrimaryMethod(self.name, args[:self.nargs])

    @property
    def checks_at_call(self) -> bool:
        return self.invalid_method_hook is not None

    def invalid_method(self, method: Method, message: str, args: tuple, kwargs: dict) -> Any:
        assert self.invalid_method_hook is not None  # else such a method was refused
        return self.invalid_method_hook(self._gf, method, message, *args, **kwargs)

    def no_next_method(self, method: Method, args: tuple, kwargs: dict) -> Any:
        if self.no_next_hook is not None:
            return self.no_next_hook(self._gf, method, *args, **kwargs)
        raise NoNextMethod(self.name, method, args[:self.nargs])

    # -- updates (I3) ----------------------------------------------------------------------------

    def add_methods(self, new: Iterable[Method]) -> list[tuple[Method, Method]]:
        """Add methods, replacing those with the same specializers and qualifiers. All or none.
        Returns the (replaced, replacement) pairs."""
        new = list(new)
        with self._lock:
            history = self._history
            for m in new:
                self._check(m, history.dispatched, history.builder.combination)
            by_key = {m.key: m for m in history.builder.methods}
            replaced = [(by_key[m.key], m) for m in new if m.key in by_key]
            for m in new:
                by_key[m.key] = m
            self._publish(tuple(by_key.values()), history.dispatched, history.builder.combination,
                          history.builder.order)
        return replaced

    def _check(self, m: Method, dispatched: tuple[str, ...], combination: Combination) -> None:
        if not isinstance(m, Method):
            raise InvalidMethodError(f"{self.name}: expected a Method, not {m!r}")
        if len(m.specializers) != len(dispatched):
            raise InvalidMethodError(
                f"{m.where()} has {len(m.specializers)} specializer(s); {self.name}() dispatches "
                f"on {len(dispatched)} parameter(s): {', '.join(dispatched)}")
        if not self.checks_at_call:
            combination.check(m)

    def remove_method(self, method: Method | Callable[..., Any]) -> None:
        """Remove a method, or every method defined by a function. Unknown methods are an error."""
        with self._lock:
            history = self._history
            methods = history.builder.methods
            kept = tuple(m for m in methods if m is not method and m.function is not method)
            if len(kept) == len(methods):
                raise ValueError(f"{method!r} is not a method of {self.name}()")
            self._publish(kept, history.dispatched, history.builder.combination,
                          history.builder.order)

    def find_method(self, specializers: Sequence[Specializer],
                    qualifiers: Sequence[str] = ()) -> Method | None:
        key = (tuple(specializers), tuple(qualifiers))
        return next((m for m in self.methods if m.key == key), None)

    def reinitialize(self, dispatched: Sequence[str] | None = None,
                     combination: str | Combination | None = None, most_specific_last: bool = False,
                     argument_precedence_order: Sequence[str] | None = None) -> None:
        """Change what is given (None keeps it), keeping the methods, all or nothing: the
        dispatched parameters (renamed, or another number of them if there is no method), the
        combination (by name, with ``most_specific_last``, or a :class:`Combination`), the
        argument precedence order (kept as positions when the number of dispatched parameters
        stays, else left to right). Raises ValueError, or InvalidMethodError for a method the new
        definition cannot run."""
        with self._lock:
            history = self._history
            builder = history.builder
            names = history.dispatched if dispatched is None else tuple(dispatched)
            if argument_precedence_order is None and len(names) == history.nargs:
                argument_precedence_order = [names[i] for i in builder.order]
            if combination is None:
                combination = builder.combination  # with most_specific_last: a ValueError
            names, comb, order = definition(self.name, names, combination, most_specific_last,
                                            argument_precedence_order, self.values)
            for m in builder.methods:
                self._check(m, names, comb)
            self._publish(builder.methods, names, comb, order)

    def forget_class(self, cls: type) -> None:
        """A class was redefined: forget what was learnt about it and its subclasses.

        Precedence providers are asked outside the lock: a provider may take its own lock (the
        Lisp's class lock), and its owner may call into this generic function while holding it;
        asking under our lock would invert that order and deadlock. Entries recorded after the
        snapshot below were computed after the change (``_learn`` checks the class-change epoch,
        not this generic function's), and a new history has none from before it, so forgetting
        the snapshot's stale classes suffices."""
        history = self._history
        stale = [cid for cid, c in history.live_classes()
                 if c is cls or cls in class_precedence_list(c)]
        with self._lock:
            if history is self._history:
                history.forget_changed(stale)

    def _publish(self, methods: tuple[Method, ...], dispatched: tuple[str, ...],
                 combination: Combination, order: tuple[int, ...]) -> None:
        # Caller holds the lock. Slow path first, then the new history: a call that still sees
        # the old dispatcher or table ran before the update, and none after it can.
        epoch = self._history.epoch + 1
        self._swap(None)
        self._history = self._new_history(methods, dispatched, combination, order, epoch)
        if self.on_change is not None:
            self.on_change()

    def _deoptimize(self) -> None:
        if self._native_mode:
            native.store_pointer(self._gf, native.VECTORCALL_OFFSET, native.trampoline_address())
        self._compiled_generation = -1

    def _swap(self, new: Dispatcher | None) -> None:
        """Point the callable at ``new`` (None: the slow path) and release the dispatcher it
        replaces, at once: by invariant I1 (stated in :mod:`dispatch.codegen`, whose code makes
        it hold) no thread can be inside the old code once the pointer has moved. Caller holds
        the lock."""
        old, self._compiled = self._compiled, new
        if new is None:
            self._deoptimize()
        else:
            native.store_pointer(self._gf, native.VECTORCALL_OFFSET, new.address)
            self._compiled_generation = new.spec.generation
        if old is not None:
            old.release()

    def _class_forgotten(self, cid: int) -> None:
        # Runs inside a weakref callback (see dispatch.history): no lock, single stores only.
        compiled = self._compiled
        if compiled is not None and cid in compiled.class_ids:
            self._deoptimize()
            self.stats.deopts += 1

    # -- native compilation ----------------------------------------------------------------------

    def _request_compile(self) -> None:
        if self._compile_pending or self._released:
            return
        if self._failed_for is not None:
            history = self._history
            if self._failed_for == (history.epoch, history.generation):
                return  # it failed for this very history: wait for a change
        self._compile_pending = True
        pool().schedule(self.compile_job)

    def compile_job(self) -> None:
        """The background pool's job: compile and install; a failure is reported and recorded
        (``compile_error``), and the Python path stays in charge until a compile succeeds."""
        try:
            self.compile_now()
        except Exception as e:  # noqa: BLE001 - any failure leaves the slow path in charge
            warnings.warn(f"gfjit: compiling a dispatcher for {self.name}() failed: {e}",
                          RuntimeWarning, stacklevel=1)

    def dispatcher_spec(self) -> DispatcherSpec:
        """What a dispatcher for the current call history is made from."""
        history = self._history
        generation, entries, refs = history.snapshot()
        return DispatcherSpec(self.name, history.nargs, history.positions, tuple(entries),
                              types.MappingProxyType(refs), self.miss_handler, history.epoch,
                              generation)

    def compile_now(self) -> bool:
        """Compile a dispatcher for the current call history and install it; False if the
        history changed meanwhile (the result is then discarded) or native mode is off. A
        failure is recorded in ``compile_error`` and raised."""
        self._compile_pending = False
        if not self._native_mode:
            return False
        spec = self.dispatcher_spec()
        try:
            dispatcher = compile_dispatcher(spec)
        except Exception as e:
            with self._lock:
                self.compile_error, self._failed_for = e, (spec.epoch, spec.generation)
            raise
        with self._lock:
            self.stats.compiles += 1
            return self._install(dispatcher)

    def _install(self, dispatcher: Dispatcher) -> bool:
        # Caller holds the lock: the epoch check and the store are one step (I3).
        spec, history = dispatcher.spec, self._history
        alive = dispatcher.resolve_classes()  # strong references until the store is done (I2)
        if spec.epoch != history.epoch or alive is None or history.invalidated > spec.generation:
            self.stats.discarded += 1
            dispatcher.release()
            return False
        self._swap(dispatcher)
        self.stats.installs += 1
        self.compile_error, self._failed_for = None, None
        del alive
        return True

    def release_native_code(self) -> None:
        """Go back to the slow path for good and release the dispatcher (at interpreter exit)."""
        with self._lock:
            self._released = True
            self._swap(None)

    @property
    def compiled(self) -> Dispatcher | None:
        """The installed dispatcher, if any."""
        return self._compiled

    @property
    def history(self) -> CallHistory:
        return self._history


_states: weakref.WeakSet[GenericState] = weakref.WeakSet()
_states_lock = threading.Lock()  # adding to a WeakSet while another thread iterates it raises


@atexit.register
def _release_native_code_at_exit() -> None:
    # Release dispatchers while the jit layer is still whole, instead of in finalizers during
    # module teardown. (Runs after the compile pool has stopped: registered earlier.)
    with _states_lock:
        states = list(_states)
    for state in states:
        state.release_native_code()


# -- os.fork() ---------------------------------------------------------------------------------
# The rule of dispatch.forking, for every generic function's lock; no generic function is made
# while they are taken.

_held_for_fork: list[GenericState] = []


def _before_fork() -> None:
    _states_lock.acquire()
    _held_for_fork.extend(_states)
    for state in _held_for_fork:
        state._lock.acquire()


def _after_fork(in_child: bool) -> None:
    for state in _held_for_fork:
        if in_child:
            state._compile_pending = False  # the request stayed in the parent's pool
        state._lock.release()  # in the child too: the thread that took it is this one
    _held_for_fork.clear()
    _states_lock.release()


os.register_at_fork(before=_before_fork, after_in_parent=lambda: _after_fork(False),
                    after_in_child=lambda: _after_fork(True))
