"""What the native list code knows of Lisp objects: where a cons keeps its car and cdr and a list
iterator its cell, the objects the code names, and the test of a cons.

Invariant relied on by every piece of native list code:

- N2 ``car`` and ``cdr`` are at the offsets read from their member descriptors, checked at import
  by a round trip through ctypes; ``SourceCons`` (and any subclass) keeps them there.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from jit import cpython
from jit.cpython import Function, Module
from lisp.runtime.data import NIL, Cons, SourceCons, T
from lisp.runtime.native_cons.fallbacks import ListIterator, LoopListIterator
from lisp.runtime.ratio import Ratio


class Offsets(NamedTuple):
    """Byte offsets of a cons's slots and of a list iterator's ``cell``."""

    car: int
    cdr: int
    cell: int


def offsets() -> Offsets:
    """The slot offsets, each checked by reading an object made by Python (N2)."""
    car, cdr = cpython.member_offset(Cons, "car"), cpython.member_offset(Cons, "cdr")
    a, b = object(), object()
    for probe in (Cons(a, b), SourceCons(a, b, None)):
        if (cpython.load_pointer(probe, car), cpython.load_pointer(probe, cdr)) != (id(a), id(b)):
            raise RuntimeError(f"{type(probe).__name__} slots are not at offsets {car} and {cdr}")
    cell = cpython.member_offset(ListIterator, "cell")
    if cpython.load_pointer(LoopListIterator(a), cell) != id(a):
        raise RuntimeError(f"LoopListIterator's cell is not at offset {cell}")
    return Offsets(car, cdr, cell)


class Objects(NamedTuple):
    """The objects the code compares with or makes, as IR values (external symbols: the IR is the
    same in every process, so the JIT's object cache can keep it; all live as long as the
    process)."""

    nil: str
    t: str
    cons: str
    source_cons: str
    list_type: str
    int_type: str
    float_type: str
    ratio: str
    fraction: str
    iterator: str
    loop_iterator: str
    iterator_next: str  # ListIterator.__next__, the native step's fallback


def objects(m: Module) -> Objects:
    """The objects named in the module ``m``."""
    named = {"nil": ("_Py_NoneStruct", NIL), "t": ("gfjit_lisp_T", T), "cons": ("gfjit_lisp_Cons", Cons),
             "source_cons": ("gfjit_lisp_SourceCons", SourceCons), "list_type": ("PyList_Type", list),
             "int_type": ("PyLong_Type", int), "float_type": ("PyFloat_Type", float),
             "ratio": ("gfjit_lisp_Ratio", Ratio), "fraction": ("gfjit_lisp_Fraction", Fraction),
             "iterator": ("gfjit_lisp_ListIterator", ListIterator),
             "loop_iterator": ("gfjit_lisp_LoopListIterator", LoopListIterator),
             "iterator_next": ("gfjit_lisp_ListIterator_next", _ITERATOR_NEXT)}
    return Objects(**{field: m.external_object(symbol, obj) for field, (symbol, obj) in named.items()})


_ITERATOR_NEXT = ListIterator.__next__  # held here for good: the native code names it


def branch_on_cons(f: Function, objects: Objects, value: str, yes: str, no: str, subclasses: bool = True) -> None:
    """To ``yes`` if ``value`` is a Cons (SourceCons too, and other subclasses unless
    ``subclasses`` is false: then no call is made), else to ``no`` (also for NULL: a slot emptied
    by Python's ``del cell.cdr``)."""
    typed, other = f.label("typed"), f.label("other")
    f.cbr(f.icmp("eq", value, "null", stem="null"), no, typed)
    f.block(typed)
    tp = f.type_of(value)
    f.cbr(f.icmp("eq", tp, objects.cons, stem="cons"), yes, other)
    f.block(other)
    if not subclasses:
        f.cbr(f.icmp("eq", tp, objects.source_cons, stem="source"), yes, no)
        return
    subclass = f.label("subclass")
    f.cbr(f.icmp("eq", tp, objects.source_cons, stem="source"), yes, subclass)
    f.block(subclass)
    found = f.call_c("PyType_IsSubtype", tp, objects.cons)
    f.cbr(f.icmp("ne", found, 0, "i32", stem="sub"), yes, no)
