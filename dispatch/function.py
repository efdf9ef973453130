"""The object ``@generic`` returns, and the ways to make one.

In native mode it is an instance of a heap type (see :mod:`dispatch.native`) whose vectorcall
pointer is the dispatcher; otherwise an instance of :class:`PythonGenericFunction`, whose
``__call__`` runs the same Python tables. Both share this module's API class.
"""

from __future__ import annotations

import inspect
import os
import threading
import types
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from dispatch import native, steps
from dispatch.combination import Combination
from dispatch.describe import describe, history_entries
from dispatch.dispatcher import asm_for, ir_for
from dispatch.errors import InvalidMethodError, MethodNameWarning, MethodRedefinitionWarning
from dispatch.forking import hold_across_fork
from dispatch.generic import GenericState, Stats, definition
from dispatch.methods import Method, methods_from_function
from dispatch.operators import PYTHON_VALUES, ValueModel
from dispatch.specializers import Specializer

_OMITTED: Any = object()


class GenericFunction:
    """A generic function (abstract: instances are native or Python generic functions)."""

    __slots__ = ()
    _gf_state: GenericState

    def __reduce__(self) -> str:
        """Pickled, copied and deep-copied by reference, as functions are: ``pickle`` stores its
        module and qualified name (a generic function it cannot find there is a
        ``PicklingError`` naming both), ``copy.copy`` and ``copy.deepcopy`` return it."""
        return self.__qualname__

    def method(self, function: Callable[..., Any] | None = None, *,
               qualifier: str | None = _OMITTED) -> Any:
        """Decorator adding ``function`` as a method (or several, for union annotations).
        ``qualifier``: "before", "after", "around" (standard combination), the combination's
        name or "around" (built-in combinations); omitted means primary. Returns ``function``."""
        state = self._gf_state
        if qualifier is _OMITTED:
            qualifiers = state.combination.primary_qualifiers
        else:
            qualifiers = () if qualifier is None else (qualifier,)

        def add(fn: Callable[..., Any]) -> Callable[..., Any]:
            if state.name.isidentifier() and getattr(fn, "__name__", None) == state.name \
                    and getattr(fn, "__qualname__", None) == getattr(self, "__qualname__", None):
                warnings.warn(f"@{state.name}.method decorates a function named {state.name}: the name now "
                              f"means the method, not the generic function (name methods _)",
                              MethodNameWarning, stacklevel=3)
            for old, new in state.add_methods(methods_from_function(fn, state.nargs, qualifiers)):
                if old.where() != new.where():
                    warnings.warn(f"{state.name}(): method {new.where()} replaces {old.where()}, "
                                  "which has the same specializers and qualifiers",
                                  MethodRedefinitionWarning, stacklevel=3)
            return fn

        return add if function is None else add(function)

    def add_method(self, method: Method) -> Method:
        """Add a :class:`Method` (replacing one with the same specializers and qualifiers)."""
        self._gf_state.add_methods([method])
        return method

    def remove_method(self, method: Method | Callable[..., Any]) -> None:
        """Remove a method, or all methods a function defined."""
        self._gf_state.remove_method(method)

    def find_method(self, specializers: Sequence[Specializer],
                    qualifiers: Sequence[str] = ()) -> Method | None:
        """The method with exactly these specializers and qualifiers, or None."""
        return self._gf_state.find_method(specializers, qualifiers)

    @property
    def methods(self) -> tuple[Method, ...]:
        """The current methods, in definition order."""
        return self._gf_state.methods

    def reinitialize(self, *, dispatched: Sequence[str] | None = None,
                     combination: str | Combination | None = None, most_specific_last: bool = False,
                     argument_precedence_order: Sequence[str] | None = None) -> None:
        """Change the generic function in place, keeping its methods and this object: the
        dispatched parameters' names (their number too, if it has no methods), the method
        combination (by name, with ``most_specific_last``, or a :class:`Combination`), the
        argument precedence order. What is not given is kept (the order too, as positions, while
        the number of dispatched parameters stays; else it goes back to left to right). All or
        nothing: ``ValueError`` for a bad definition, ``InvalidMethodError`` when a method does
        not fit the new one. Calls running meanwhile complete wholly before or wholly after."""
        self._gf_state.reinitialize(dispatched, combination, most_specific_last,
                                    argument_precedence_order)

    def compute_applicable_methods(self, *args: Any) -> list[Method]:
        """The methods applicable to these arguments, most specific first (all qualifiers)."""
        state = self._gf_state
        if len(args) < state.nargs:
            raise TypeError(f"{state.name}() dispatches on {state.nargs} argument(s), "
                            f"got {len(args)}")
        return state.history.builder.applicable_to(args[:state.nargs])

    def compile(self) -> bool:
        """Compile and install a native dispatcher for the call history now; returns whether a
        dispatcher was installed (False with native mode off or if methods changed meanwhile)."""
        return self._gf_state.compile_now()

    @property
    def compile_error(self) -> Exception | None:
        """Why the last native compile failed, None once one succeeds. While it stands, calls
        take the Python path, and a compile is tried again when the methods, the definition or
        the call history change."""
        return self._gf_state.compile_error

    @property
    def native(self) -> bool:
        return self._gf_state.stats.native

    @property
    def stats(self) -> Stats:
        """A snapshot of the counters: misses, compiles, installs, discarded, deopts, native."""
        s = self._gf_state.stats
        return Stats(**vars(s))

    @property
    def call_history(self) -> list[tuple[tuple[type, ...], Any]]:
        """(argument classes at the specialized positions, outcome) for each class tuple seen."""
        return history_entries(self._gf_state.history)

    def describe(self) -> str:
        """The installed decision tree (or the Python table) as text."""
        return describe(self._gf_state)

    def ir(self) -> str:
        """LLVM IR of the dispatcher for the current call history."""
        return ir_for(self._gf_state.dispatcher_spec())

    def asm(self) -> str:
        """Assembly of the dispatcher for the current call history."""
        return asm_for(self._gf_state.dispatcher_spec())

    def __repr__(self) -> str:
        s = self._gf_state
        mode = "native" if s.stats.native else "python"
        installed = " compiled" if s.compiled is not None else ""
        return (f"<generic function {s.name}({', '.join(s.dispatched)}) {len(s.methods)} methods, "
                f"{len(s.history)} class tuples, {mode}{installed}>")


class PythonGenericFunction(GenericFunction):
    """A generic function dispatched by Python code only (native mode off or unavailable)."""

    __slots__ = ("__dict__", "__weakref__")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # The Python table's hit path inlined (one frame less than GenericState.dispatch, which
        # serves everything else: dispatched arguments given by keyword, misses).
        history = self._gf_state._history  # not the property: no extra frame
        if len(args) >= history.nargs:
            p = history.single
            outcome = history.table.get(id(type(args[p])) if p >= 0 else history.key(args))
            if outcome is not None:
                return outcome(*args, **kwargs)
        return self._gf_state.dispatch(*args, **kwargs)

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        """Bound as a function is: through an instance, a method with the instance first."""
        return self if instance is None else types.MethodType(self, instance)


_native_switch: bool | None = None


def set_native_default(enabled: bool | None) -> None:
    """Whether generic functions made from now on (without ``native=``) use native dispatchers;
    ``None`` goes back to the environment (``GFJIT_NATIVE=0`` turns native mode off)."""
    global _native_switch
    _native_switch = enabled


def _native_default() -> bool:
    if _native_switch is not None:
        return _native_switch
    return os.environ.get("GFJIT_NATIVE", "1") not in ("0", "false", "no", "off")


_native_type: type | None = None
_native_lock = threading.Lock()
hold_across_fork(_native_lock)
_warned = False


def _native_type_or_none(requested: bool | None) -> type | None:
    """The native type, or None when native mode is off or cannot be trusted (warned once)."""
    global _native_type, _warned
    if requested is False or (requested is None and not _native_default()):
        return None
    with _native_lock:
        if _native_type is None and not _warned:
            reason = native.unavailable_reason()
            if reason is None:
                try:
                    native.trampoline_address()
                    steps.prepare()
                    _native_type = native.make_native_type(GenericFunction,
                                                           "dispatch.NativeGenericFunction")
                except Exception as e:  # noqa: BLE001 - any failure means: do not trust native code
                    reason = f"{type(e).__name__}: {e}"
            if reason is not None:
                _warned = True
                warnings.warn(f"gfjit: native dispatch disabled ({reason}); using the Python path",
                              RuntimeWarning, stacklevel=4)
        return _native_type


def make_generic(name: str, dispatched: Sequence[str], *, combination: str | Combination = "standard",
                 most_specific_last: bool = False,
                 argument_precedence_order: Sequence[str] | None = None,
                 native: bool | None = None, values: ValueModel = PYTHON_VALUES,
                 no_applicable_method: Callable[..., Any] | None = None,
                 no_next_method: Callable[..., Any] | None = None,
                 invalid_method: Callable[..., Any] | None = None,
                 on_change: Callable[[], None] | None = None) -> GenericFunction:
    """A generic function called ``name`` dispatching on the parameters ``dispatched``.

    ``values``: what the operator combinations take as true and as lists (Python's by default;
    see :class:`dispatch.operators.ValueModel`). ``no_applicable_method(gf, *args, **kwargs)``
    and ``no_next_method(gf, method, *args, **kwargs)`` replace the default errors; their value
    is the call's value. Without ``invalid_method`` a method the combination cannot run (its
    qualifiers, or ``wants_next`` where no next method is passed) is refused when added
    (``InvalidMethodError``); with it, such a method is accepted and the error is the call's, as
    CLOS has it (CLHS 7.6.6): a call to which it is applicable runs ``invalid_method(gf, method,
    message, *args, **kwargs)``. ``on_change()`` is called after every update (methods added or removed,
    ``reinitialize``), under the generic function's lock: it may only note the change (a cache
    of the language's own to drop), never call into the generic function.
    """
    dispatched, comb, order = definition(name, dispatched, combination, most_specific_last,
                                         argument_precedence_order, values)
    tp = _native_type_or_none(native)
    state = GenericState(name, dispatched, comb, order, tp is not None, values,
                         no_applicable_method, no_next_method, invalid_method, on_change)
    gf = (tp or PythonGenericFunction)()
    gf._gf_state = state
    state.attach(gf)
    gf.__name__ = gf.__qualname__ = name
    return gf


def _dispatched_parameters(fn: Callable[..., Any]) -> tuple[str, ...]:
    sig = inspect.signature(fn)
    return tuple(p.name for p in sig.parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty)


def generic(function: Callable[..., Any] | None = None, **options: Any) -> Any:
    """Decorator making a generic function from a function whose required positional parameters
    are the dispatched ones. Its name, docstring and signature are kept; its body is not a
    method. Options as :func:`make_generic`."""
    def make(fn: Callable[..., Any]) -> GenericFunction:
        if not callable(fn):
            raise InvalidMethodError(f"@generic needs a function, not {fn!r}")
        gf = make_generic(fn.__name__, _dispatched_parameters(fn), **options)
        for attr in ("__module__", "__qualname__", "__doc__"):
            if hasattr(fn, attr):
                setattr(gf, attr, getattr(fn, attr))
        gf.__signature__ = inspect.signature(fn)
        gf.__wrapped__ = fn
        return gf

    return make if function is None else make(function)


__all__ = ["GenericFunction", "PythonGenericFunction", "generic", "make_generic",
           "set_native_default"]
