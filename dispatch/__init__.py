"""CLOS-style generic functions over Python classes with JIT-compiled native dispatchers.

Python use::

    from dispatch import generic, Eql

    @generic
    def area(shape):
        "Area of a shape."

    @area.method
    def _(shape: Circle): ...

    @area.method(qualifier="around")
    def _(next_method, shape: Shape):
        return 2 * next_method()

The object ``@generic`` returns is itself the native callable: calling it runs a JIT-compiled
decision tree over the argument classes that tail-calls the method. The invariants this relies on
are stated where they are relied on: I1 (no frame, no GIL release) in :mod:`dispatch.codegen`, I2
(everything embedded is alive) in :mod:`dispatch.history`, I3 (linearizable updates) in
:mod:`dispatch.generic`, I4 (bad calls are Python errors) in :mod:`dispatch.errors`.

Modules, in the order a call meets them: :mod:`~dispatch.function` (the callable and its API),
:mod:`~dispatch.generic` (its state, call path and updates), :mod:`~dispatch.history` (class
tuples -> outcomes), :mod:`~dispatch.outcomes`, :mod:`~dispatch.applicable` and
:mod:`~dispatch.precedence` (which methods run, in which order), :mod:`~dispatch.combination` and
:mod:`~dispatch.operators` (how they run), :mod:`~dispatch.steps` (native next-method chains),
:mod:`~dispatch.background` (the compile pool), :mod:`~dispatch.dispatcher` (a call-history
snapshot to a native dispatcher: :mod:`~dispatch.dtree` builds the decision tree,
:mod:`~dispatch.codegen` emits its IR, :mod:`~dispatch.jitlink` compiles it),
:mod:`~dispatch.native` (the callable's heap type).

Protocol for a language layer (lisp/) building its own generic functions on this one
------------------------------------------------------------------------------------

- Make one: ``make_generic(name, dispatched_parameter_names, combination=...,
  argument_precedence_order=[...], values=..., no_applicable_method=hook, no_next_method=hook,
  invalid_method=hook, on_change=hook)``. ``on_change()`` runs after every update, under the
  generic function's lock: a language drops its caches derived from the method set there (no
  calls back). ``no_applicable_method(gf, *args, **kwargs)`` and ``no_next_method(gf, method,
  *args, **kwargs)`` return the call's value instead of raising. With ``invalid_method(gf,
  method, message, *args, **kwargs)`` a method the combination cannot run is accepted, and a
  call it applies to runs the hook (CLOS's rule, CLHS 7.6.6); without it such a method is refused
  when added, and by ``reinitialize``.
- Methods: ``Method(function, specializers, qualifiers=(), wants_next=False, metaobject=None)``
  (``metaobject``: the language's object for the method, kept for it); specializers are
  classes or :class:`Eql`. ``gf.add_method(m)`` (replaces the method with the same specializers and
  qualifiers), ``gf.remove_method(m)``, ``gf.find_method(specializers, qualifiers)``,
  ``gf.methods``. A method with ``wants_next=True`` is called as ``function(next_method, *args,
  **kwargs)``; ``next_method()`` passes the same arguments on, ``next_method(*a, **kw)`` others,
  ``bool(next_method)`` is next-method-p. Without ``wants_next`` the function gets the arguments only.
- Combinations: ``"standard"`` or a built-in operator name (``+ list append nconc and or progn
  max min``, with ``most_specific_last=True``), or a :class:`Combination`. The operators are one
  table (:mod:`dispatch.operators`); a language supplies only what true and a list are, and how a
  call returns one value, as a :class:`ValueModel` given to ``make_generic(..., values=...)``.
- Redefinition: ``gf.reinitialize(dispatched=..., combination=..., most_specific_last=...,
  argument_precedence_order=...)`` changes the generic function in place (the same object, so
  references to it see the change), keeping its methods.
- Class of an object: ``type(obj)`` (native code reads the type pointer). Class precedence:
  ``add_precedence_provider(fn)``; ``fn(cls)`` returns the CLOS precedence list of the classes it
  knows (most specific first, starting with ``cls``) and ``None`` for the others, whose ``__mro__`` is
  used. When a class is redefined call ``class_changed(cls)``: call histories mentioning it or a
  subclass are dropped.
- A language layer's own locks that dispatch calls may run under: ``hold_across_fork(lock)``
  makes a child of ``os.fork()`` find the lock free, as dispatch's own are (:mod:`dispatch.forking`).
- Eql: ``Eql(value, identity=True)`` matches that object only (native test);
  ``Eql(value, identity=False, key=k)`` matches objects of exactly ``type(value)`` with
  ``k(arg) == k(value)`` (Python table). CL ``eql``: numbers ``identity=False`` with the default key
  (class and value), characters ``identity=True``.
- ``gf.compute_applicable_methods(*args)``: applicable methods, most specific first.
- ``gf.stats``: ``misses``, ``compiles``, ``installs``, ``discarded`` (compiled but out of date at
  install), ``deopts``, ``native``.

Python-facing extras: abstract classes (``numbers.Number``, ``collections.abc``, runtime-checkable
Protocols) as specializers with ``functools.singledispatch``'s precedence and ambiguity rules (see
:mod:`dispatch.abstract`; importing dispatch wraps ``abc.ABCMeta.register`` so registrations reach
existing dispatchers), ``Optional``/``X | None``, ``Literal[...]`` (eql specializers). Native mode:
``generic(native=False)``, ``set_native_default(False)`` or ``GFJIT_NATIVE=0`` give the Python
path (same tables, same semantics); ``gf.compile()`` compiles now; ``wait_for_compiles()`` waits
for the background pool (a worker that dies is replaced), ``configure_compiler(workers, debounce)``
sizes it. ``os.fork()`` is safe while other threads define methods and call: the child gets
every generic function's lock free and a compile pool that starts workers on its first request
(:mod:`dispatch.forking`). Dispatchers are compiled at LLVM codegen level 0
(``dispatch.jitlink.set_opt_level``).
"""

from dispatch.abstract import AmbiguousDispatch
from dispatch.background import configure as configure_compiler, pool as _pool
from dispatch.combination import Combination, MissingNextMethod, StandardCombination
from dispatch.errors import (InvalidMethodError, MethodNameWarning, MethodRedefinitionWarning, NoApplicableMethod,
                             NoNextMethod, NoPrimaryMethod)
from dispatch.forking import hold_across_fork
from dispatch.function import (GenericFunction, PythonGenericFunction, generic, make_generic,
                               set_native_default)
from dispatch.generic import Stats
from dispatch.methods import Method
from dispatch.operators import OPERATORS, Operator, OperatorCombination, ValueModel, define_operator
from dispatch.precedence import (add_precedence_provider, class_changed, class_precedence_list,
                                 remove_precedence_provider)
from dispatch.specializers import Eql


def wait_for_compiles(timeout: float | None = None) -> bool:
    """Wait until the background compile pool is idle; False on timeout."""
    return _pool().drain(timeout)


__all__ = [
    "AmbiguousDispatch", "Combination", "Eql", "GenericFunction", "InvalidMethodError", "Method",
    "MethodNameWarning", "MethodRedefinitionWarning", "MissingNextMethod",
    "NoApplicableMethod", "NoNextMethod", "NoPrimaryMethod", "OPERATORS", "Operator",
    "OperatorCombination", "PythonGenericFunction", "StandardCombination", "Stats", "ValueModel",
    "add_precedence_provider", "class_changed", "class_precedence_list", "configure_compiler", "define_operator",
    "generic", "hold_across_fork", "make_generic", "remove_precedence_provider", "set_native_default",
    "wait_for_compiles",
]
