"""Compiling the native list primitives and putting them in place: one module of IR for every row
of :data:`.table.PRIMITIVES` and the type slots, compiled once per process, each function checked
against Python, then the type slots replaced; or, where native code cannot be trusted
(:func:`jit.cpython.unavailable_reason`, ``GFJIT_NATIVE=0``, or a check failed), the Python
functions, with one warning. Either way each primitive is then registered: its COMMON-LISP
function and the global name compiled code calls it by.

Invariant relied on here:

- N16 Compiled code calls the constructors and iterators through their direct form: a builtin
  function object (``PyCFunction``, flags ``METH_FASTCALL | METH_KEYWORDS``) whose C function is
  the native code and whose ``self`` is the native callable. CPython calls such a function as
  ``(self, args, nargs, kwnames)``: the vectorcall signature the code has, with ``self`` where the
  code reads its miss handler and ``nargs`` without ``PY_VECTORCALL_ARGUMENTS_OFFSET`` (which the
  code masks off anyway). CPython specializes calls of exact builtin functions with these flags
  into a direct C call (3.11 ``PRECALL_BUILTIN_FAST_WITH_KEYWORDS``, 3.12-3.13
  ``CALL_BUILTIN_FAST_WITH_KEYWORDS``); a call of the native callable object takes the generic
  path, about 80 instructions more on 3.11. The ``PyMethodDef`` lives as long as the process.
"""

from __future__ import annotations

import ctypes
import functools
import os
import warnings
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import jit
from jit import cpython
from jit.cpython import Module
from lisp.runtime import namespace
from lisp.runtime.data import NIL, Cons, T, cl_symbol
from lisp.runtime.native_cons import cells, iterators, objects, slots
from lisp.runtime.native_cons.context import Context
from lisp.runtime.native_cons.table import PRIMITIVES, Primitive
from lisp.runtime.ratio import Ratio


class NativeListFunction:
    """Base of the native callable type: a Lisp list primitive run as machine code."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<native list function {getattr(self, '__name__')}>"


class Installed:
    """The primitives as put in place: :attr:`functions` by Python name, native or not."""

    def __init__(self, functions: dict[str, Callable[..., Any]], code: Any = None) -> None:
        self.functions = functions
        self.native = code is not None
        # Kept for the life of the process: the machine code every native callable runs.
        self._code = code
        self._free_count = None if code is None else ctypes.c_int64.from_address(code.address(_CELLS_FREE))

    def named(self, fn: Callable[..., Any], who: str) -> Callable[..., Any]:
        """The primitive ``fn`` (a walker or a mapper) for the Lisp function ``who``: the same
        code, whose TYPE-ERRORs start with ``who`` (its fallback is told the name)."""
        row = _BY_NAME.get(getattr(fn, "__name__", ""))
        if row is None or not row.who or self.functions[row.name] is not fn:
            raise TypeError(f"{fn!r} is not a list walker or mapper of lisp.runtime.native_cons")
        fallback = functools.partial(row.fallback, who=who)
        if not self.native:
            return fallback
        return _native_callable(type(fn), row, fallback, cpython.load_pointer(fn, cpython.CALLABLE_VECTORCALL))

    def freelist_length(self) -> int:
        """How many freed conses wait on the freelist for reuse (0 without native code)."""
        return 0 if self._free_count is None else self._free_count.value


_BY_NAME = {row.name: row for row in PRIMITIVES}
_CELLS_FREE = "gfjit_lisp_cons_free_count"


def install() -> Installed:
    """The primitives, native when native code can be trusted here (else warned once), each
    registered (see the module's docstring)."""
    reason = cpython.unavailable_reason()
    if os.environ.get("GFJIT_NATIVE", "1") in ("0", "false", "no", "off"):
        reason = "GFJIT_NATIVE is off"
    installed = None
    if reason is None:
        try:
            installed = _compile()
        except Exception as e:  # noqa: BLE001 - any failure means: do not trust native code
            reason = f"{type(e).__name__}: {e}"
    if installed is None:
        warnings.warn(f"gfjit: native conses disabled ({reason}); using Python code", RuntimeWarning, stacklevel=3)
        installed = Installed({row.name: row.fallback for row in PRIMITIVES})
    for row in PRIMITIVES:
        fn = installed.functions[row.name]
        if row.lisp_name is not None:
            namespace.set_function(cl_symbol(row.lisp_name), fn)
        if row.direct is not None:
            namespace.GLOBALS[row.direct] = _direct(fn) if installed.native else fn
    return installed


def _compile() -> Installed:
    offsets = objects.offsets()
    m = Module()
    named = objects.objects(m)
    cell_slots = cells.define_slots(m, named, offsets)
    iterator_slots = iterators.define_slots(m, named, offsets)
    ctx = Context(m, named, offsets, cell_slots.alloc, iterator_slots.alloc)
    for row in PRIMITIVES:
        row.ir(ctx, row.symbol)
    slot_symbols = [cell_slots.dealloc, cell_slots.traverse, iterator_slots.iternext, iterator_slots.dealloc]
    # Compiled once per process and never released: the functions live as long as the process.
    # Level 2: level 0 spills every value to the stack, about twice the instructions on each
    # step (callgrind: a DOLIST step 122 -> 101 instructions against a Python list's 82, the
    # lists benchmark 396 -> 357 M). Compiling takes about 50 ms instead of 14, once: the gfjit
    # command's object cache keeps the result.
    code = jit.default_pool().add(m.text(), exports=[*(row.symbol for row in PRIMITIVES), *slot_symbols, _CELLS_FREE],
                                  imports=m.imports(), name="gfjit_lisp_lists", opt_level=2)
    callable_type = cpython.make_callable_type(NativeListFunction, "lisp.NativeListFunction")
    made = {row.name: _native_callable(callable_type, row, row.fallback, code.address(row.symbol))
            for row in PRIMITIVES}
    _check(made)
    # Last: nothing is patched unless every check passed.
    slots.install(*(code.address(symbol) for symbol in slot_symbols))
    return Installed(made, code)


def _native_callable(callable_type: type, row: Primitive, fallback: Callable[..., Any], address: int) -> Any:
    """A callable running the machine code at ``address``, sending its misses to ``fallback``
    (which it owns)."""
    fn = callable_type()
    fn.__name__, fn.__doc__ = row.name, row.fallback.__doc__
    if row.lisp_name is not None:
        fn.lisp_name = cl_symbol(row.lisp_name)  # the printer's #<FUNCTION CONS>
    cpython.set_fallback(fn, fallback)
    cpython.store_pointer(fn, cpython.CALLABLE_VECTORCALL, address)  # last: now it may be called
    return fn


def _direct(fn: Any) -> Callable[..., Any]:
    """The direct form of the native callable ``fn`` (N16)."""
    return cpython.builtin_function(fn.__name__, cpython.load_pointer(fn, cpython.CALLABLE_VECTORCALL), fn)


def _check(made: dict[str, Any]) -> None:
    """Make a few lists natively and test a few parities, comparing with Python (N1, N2, N7, N16)."""
    a, b = object(), object()
    cell = made["cons"](a, b)
    if type(cell) is not Cons or cell.car is not a or cell.cdr is not b:
        raise RuntimeError("the native cons did not make the expected Cons")
    chain = made["list_star"](1, 2, made["list_of"](a))
    cells_made = made["cells_of"](chain)
    if (made["to_list"](chain) != [1, 2, a] or chain.cdr.cdr.cdr is not NIL or made["length"](chain) != 3
            or made["last_cons"](chain) is not chain.cdr.cdr or len(cells_made) != 3
            or cells_made[2] is not chain.cdr.cdr):
        raise RuntimeError("the native list functions disagree with Python")
    parities = [(made["evenp"](x), made["oddp"](x)) for x in (0, 7, -2, -(2 ** 62), 2 ** 70 + 1)]
    if parities != [(T, NIL), (NIL, T), (T, NIL), (T, NIL), (NIL, T)]:
        raise RuntimeError("the native EVENP/ODDP disagree with Python")
    reals = [made["all_reals"](xs) for xs in ([], [1, 2.5, Ratio(1, 3), Fraction(1, 2)], [1, True], [1, "a"])]
    if reals != [T, T, NIL, NIL]:
        raise RuntimeError("the native REAL check disagrees with Python")
    front = _direct(made["cons"])  # N16: the code called as a builtin function, and its misses
    cell, keyword_cell = front(a, b), front(a, cdr=b)  # a keyword: the fallback's call
    if type(front).__name__ != "builtin_function_or_method" or cell.car is not a or cell.cdr is not b \
            or keyword_cell.car is not a or keyword_cell.cdr is not b:
        raise RuntimeError("the native CONS called as a builtin function disagrees with Python")
