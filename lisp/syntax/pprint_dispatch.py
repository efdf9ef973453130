"""Pprint dispatch tables (CLHS 22.2.1.4): which function prints an object when ``*print-pretty*``
is true.

:class:`PprintDispatchTable` holds entries of a type specifier, a function of ``(stream object)``
(or a symbol naming one) and a priority. ``lookup(obj)`` is the function of the entry of highest
priority whose type ``obj`` is of, or None. Entries whose type is ``(cons (member s...))`` or
``(cons (eql s))`` are kept by the symbols (the car of the conses they match), as SBCL does.

:data:`INITIAL` is the table a Lisp starts with; the functions of its entries (SBCL's standard
table: code laid out as SBCL does, lists filled, arrays) are added by
:mod:`lisp.syntax.standard_pprint`, each marked ``code`` when it lays out a form as code.
``*print-pprint-dispatch*`` starts as a copy of it and :data:`STANDARD`, the table
``with-standard-io-syntax`` binds, has its entries and cannot be modified (both made by
:func:`install_initial_entries`). A table made only of initial
entries says so (``initial_only``): the printer then needs no pretty stream where no line is laid
out (see :mod:`lisp.syntax.printer`).

Type specifiers of entries added by programs are tested by :data:`type_predicate`, which the
library (``typep``) provides.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lisp.runtime.condition_classes import LispTypeError
from lisp.runtime.data import NIL, Cons, Symbol, cl_symbol, iter_list
from lisp.runtime.namespace import global_value_is_set, proclaim_special, set_symbol_value, symbol_value
from lisp.runtime.streams import shown

PRINT_PPRINT_DISPATCH = cl_symbol("*PRINT-PPRINT-DISPATCH*")
_CONS, _MEMBER, _EQL = cl_symbol("CONS"), cl_symbol("MEMBER"), cl_symbol("EQL")


def _no_types(spec: Any) -> Callable[[Any], bool]:
    raise LispTypeError(f"no type test for {shown(spec)}: the library is not loaded", datum=spec)


#: ``type_predicate(spec)`` -> a test of ``(typep obj spec)``; set by the library.
type_predicate: Callable[[Any], Callable[[Any], bool]] = _no_types


class Entry:
    """One entry: ``test`` decides whether it applies (unused for entries kept by a car symbol)."""

    __slots__ = ("type", "function", "priority", "test", "code")

    def __init__(self, type_spec: Any, function: Any, priority: float, test: Callable[[Any], bool],
                 code: bool = False) -> None:
        self.type = type_spec
        self.function = function
        self.priority = priority
        self.test = test
        self.code = code  # an initial entry laying out code (not used where lines are unbounded)


class PprintDispatchTable:
    """A pprint dispatch table; see the module docstring."""

    def __init__(self, *, standard: bool = False) -> None:
        self.entries: list[Entry] = []  # highest priority first; equal ones in the order added
        self.cons_entries: dict[Any, Entry] = {}
        self.initial_only = True
        self.standard = standard

    def __repr__(self) -> str:
        return "#<PPRINT-DISPATCH-TABLE>"

    def copy(self, *, standard: bool = False) -> PprintDispatchTable:
        table = PprintDispatchTable(standard=standard)
        table.entries = list(self.entries)
        table.cons_entries = dict(self.cons_entries)
        table.initial_only = self.initial_only
        return table

    def lookup(self, obj: Any, *, code: bool = True) -> Any:
        """The function printing ``obj`` (None: print it as without ``*print-pretty*``); with
        ``code`` false, the initial code layouts are passed over."""
        cons_entry = None
        if isinstance(obj, Cons):
            car = obj.car
            try:
                cons_entry = self.cons_entries.get(car)
            except TypeError:  # an unhashable car (a vector) has no entry of its own
                pass
            if cons_entry is not None and not code and cons_entry.code:
                cons_entry = None
        for entry in self.entries:
            if cons_entry is not None and entry.priority < cons_entry.priority:
                return cons_entry.function
            if (code or not entry.code) and entry.test(obj):
                return entry.function
        return None if cons_entry is None else cons_entry.function

    def add_initial(self, type_spec: Any, function: Any, test: Callable[[Any], bool], *, code: bool = False) -> None:
        """An entry of the initial table, of the lowest priority (SBCL: -infinity)."""
        self.entries.append(Entry(type_spec, function, float("-inf"), test, code))

    def add_initial_forms(self, operators: list[Symbol], function: Any, *, code: bool = True) -> None:
        """Conses whose car is one of ``operators`` (initial layouts, of code unless told)."""
        entry = Entry(None, function, -3.4028234663852886e38, _never, code)  # SBCL: most-negative-single-float
        for operator in operators:
            self.cons_entries[operator] = entry

    def set(self, type_spec: Any, function: Any, priority: float) -> None:
        """``set-pprint-dispatch``: add, replace (same type, by EQUAL) or, when ``function`` is NIL,
        remove the entry for ``type_spec``."""
        if self.standard:
            raise LispTypeError("the standard pprint dispatch table cannot be modified; "
                                "use (copy-pprint-dispatch nil)", datum=self)
        self.initial_only = False
        keys = _cons_keys(type_spec)
        if keys is not None:
            entry = Entry(type_spec, function, priority, _never)
            for key in keys:
                if function is NIL:
                    self.cons_entries.pop(key, None)
                else:
                    self.cons_entries[key] = entry
            return
        test = type_predicate(type_spec) if function is not NIL else _never
        kept = [e for e in self.entries if not _equal(e.type, type_spec)]
        if function is not NIL:
            position = next((k for k, e in enumerate(kept) if e.priority < priority), len(kept))
            kept.insert(position, Entry(type_spec, function, priority, test))
        self.entries = kept


def _never(obj: Any) -> bool:
    return False


def _cons_keys(spec: Any) -> list[Any] | None:
    """The car symbols of ``(cons (member ...))`` / ``(cons (eql x))`` (the cdr any object), else None."""
    if not (isinstance(spec, Cons) and spec.car is _CONS):
        return None
    args = list(iter_list(spec.cdr))
    if not args or len(args) > 2 or (len(args) == 2 and args[1] not in (cl_symbol("T"), cl_symbol("*"))):
        return None
    car_type = args[0]
    if isinstance(car_type, Cons) and car_type.car is _MEMBER:
        return list(iter_list(car_type.cdr))
    if isinstance(car_type, Cons) and car_type.car is _EQL and isinstance(car_type.cdr, Cons):
        return [car_type.cdr.car]
    return None


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, Cons) and isinstance(b, Cons):
        return _equal(a.car, b.car) and _equal(a.cdr, b.cdr)
    return a is b or (type(a) is type(b) and not isinstance(a, (Symbol, Cons)) and a == b)


INITIAL = PprintDispatchTable()
STANDARD = PprintDispatchTable(standard=True)


def install_initial_entries() -> None:
    """Called once :data:`INITIAL` has its entries: :data:`STANDARD` gets them, and
    ``*print-pprint-dispatch*`` (INITIAL itself until now) becomes a copy."""
    STANDARD.entries = list(INITIAL.entries)
    STANDARD.cons_entries = dict(INITIAL.cons_entries)
    if symbol_value(PRINT_PPRINT_DISPATCH) is INITIAL:
        set_symbol_value(PRINT_PPRINT_DISPATCH, INITIAL.copy())


def current_table() -> PprintDispatchTable:
    """The value of ``*print-pprint-dispatch*`` (a TYPE-ERROR if it is not a table)."""
    table = symbol_value(PRINT_PPRINT_DISPATCH)
    if not isinstance(table, PprintDispatchTable):
        raise LispTypeError(f"*PRINT-PPRINT-DISPATCH* is {shown(table)}, not a pprint dispatch table",
                            datum=table, expected_type=cl_symbol("PPRINT-DISPATCH-TABLE"))
    return table


proclaim_special(PRINT_PPRINT_DISPATCH)
if not global_value_is_set(PRINT_PPRINT_DISPATCH):
    set_symbol_value(PRINT_PPRINT_DISPATCH, INITIAL)
