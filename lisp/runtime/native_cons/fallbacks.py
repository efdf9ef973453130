"""The Python meaning of each native list primitive: what runs where native code cannot be
trusted, and where the native code sends every call it does not handle (keywords, an argument
count it does not take, an unusual list), with the same arguments, so that error reports come
from ordinary Python code. Each function has the name of the primitive it is the meaning of.

Also the list iterators' classes (:class:`ListIterator`, :class:`LoopListIterator`), whose
``__next__`` is the meaning of their native step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lisp.runtime import hooks
from lisp.runtime.data import NIL, Cons, T, cl_symbol, make_list
from lisp.runtime.ratio import REAL_TYPES


def cons(car: Any, cdr: Any) -> Cons:
    """A new cons (CONS)."""
    return Cons(car, cdr)


def make_cons(car: Any, cdr: Any = NIL) -> Cons:
    """A new cons, with ``Cons``'s own signature (compiled code's ``Cons(...)``)."""
    return Cons(car, cdr)


def list_of(*items: Any) -> Any:
    """The list of the arguments (LIST)."""
    return make_list(items)


def list_star(first: Any, *rest: Any) -> Any:
    """The arguments as a chain whose tail is the last one (LIST*)."""
    if not rest:
        return first
    return make_list((first, *rest[:-1]), rest[-1])


def list_cells(lst: Any, who: str | None = None) -> tuple[list[Cons], Any]:
    """The conses of a list and what ends it (NIL or a dotted tail), taken in one bounded walk;
    TYPE-ERROR for a non-list or a circular list. What callers do with the snapshot cannot hang or
    crash whatever another thread does to the list meanwhile."""
    if lst is not NIL and not isinstance(lst, Cons):
        _list_error(lst, f"the value {_show(lst)} is not of type LIST", who)
    out = []
    cell = lst
    # Brent's cycle check: compare with a cell saved at each power of two.
    saved, power, steps = lst, 1, 0
    while isinstance(cell, Cons):
        out.append(cell)
        cell = cell.cdr
        if cell is saved:
            _list_error(lst, "a circular list is not a proper list", who)
        steps += 1
        if steps == power:
            saved, power, steps = cell, power * 2, 0
    return out, cell


def cells_of(lst: Any, who: str | None = None) -> list[Cons]:
    """The conses of a list that may be dotted (its tail is the last one's cdr); TYPE-ERROR for a
    non-list or a circular list."""
    return list_cells(lst, who)[0]


def to_list(lst: Any, who: str | None = None) -> list[Any]:
    """The elements of a proper list; TYPE-ERROR for a non-list, a dotted tail or a cycle."""
    cells, end = list_cells(lst, who)
    if end is not NIL:
        _list_error(end, f"the list ends in the dotted tail {_show(end)}, not NIL", who)
    return [cell.car for cell in cells]


def length(lst: Any, who: str | None = None) -> int:
    """The length of a proper list; TYPE-ERROR for a non-list, a dotted tail or a cycle."""
    return len(to_list(lst, who))


def last_cons(lst: Any, who: str | None = None) -> Any:
    """The last cons of a list (a dotted one too), NIL for NIL; TYPE-ERROR for a non-list or a
    circular list."""
    cells, _ = list_cells(lst, who)
    return cells[-1] if cells else NIL


def map_items(fn: Callable[[Any], Any], lst: Any, who: str | None = None) -> Any:
    """The chain of ``fn(x)`` for each element of the proper list ``lst``, in order."""
    return make_list(map(fn, to_list(lst, who)))


def keep_if(pred: Callable[[Any], Any], lst: Any, who: str | None = None) -> Any:
    """The chain of the elements of the proper list ``lst`` for which ``pred`` is true (not NIL)."""
    return make_list([x for x in to_list(lst, who) if pred(x) is not NIL])


def keep_if_not(pred: Callable[[Any], Any], lst: Any, who: str | None = None) -> Any:
    """The chain of the elements of the proper list ``lst`` for which ``pred`` is NIL."""
    return make_list([x for x in to_list(lst, who) if pred(x) is NIL])


def replace_cars(lst: Any, items: list[Any]) -> Any:
    """Store ``items`` into the cars of the conses of ``lst`` in turn; ``lst``. It must have as
    many conses (sort and nreverse give it its own elements)."""
    cell = lst
    for x in items:
        if not isinstance(cell, Cons):
            raise ValueError(f"replace_cars: fewer conses than the {len(items)} items")
        cell.car = x
        cell = cell.cdr
    return lst


def evenp(x: Any) -> Any:
    """T if the integer ``x`` is even, else NIL; TYPE-ERROR for a non-integer."""
    if type(x) is not int:
        _integer_error(x)
    return NIL if x & 1 else T


def oddp(x: Any) -> Any:
    """T if the integer ``x`` is odd, else NIL; TYPE-ERROR for a non-integer."""
    if type(x) is not int:
        _integer_error(x)
    return T if x & 1 else NIL


def all_reals(items: list[Any]) -> Any:
    """T if every element of the Python list ``items`` is a real (its type exactly one of
    :data:`REAL_TYPES`), else NIL: SORT's check before Python's own comparison sorts numbers."""
    return T if REAL_TYPES.issuperset(map(type, items)) else NIL


class ListIterator:
    """The elements of a list in order, for a Python ``for`` loop (DOLIST): NIL ends it; a tail
    that is neither NIL nor a cons (SourceCons and other subclasses count) is a TYPE-ERROR naming
    ``who`` and the tail, raised when the walk reaches it. A circular list never ends (as in
    SBCL). Native code replaces ``__iter__`` and ``__next__`` (N12); these are their meaning."""

    __slots__ = ("cell",)
    who = "DOLIST"

    def __init__(self, lst: Any) -> None:
        self.cell = lst

    def __iter__(self) -> ListIterator:
        return self

    def __next__(self) -> Any:
        cell = self.cell
        if cell is NIL:
            raise StopIteration
        if not isinstance(cell, Cons):
            _list_error(cell, f"{_show(cell)} is not a list", self.who)
        car = cell.car
        self.cell = cell.cdr
        return car


class LoopListIterator(ListIterator):
    """A :class:`ListIterator` for LOOP's ``for var in list``."""

    __slots__ = ()
    who = "LOOP FOR IN"


def list_iter(lst: Any) -> ListIterator:
    """An iterator over the elements of ``lst`` (:class:`ListIterator`)."""
    return ListIterator(lst)


def loop_list_iter(lst: Any) -> LoopListIterator:
    """An iterator over the elements of ``lst`` (:class:`LoopListIterator`)."""
    return LoopListIterator(lst)


def _integer_error(datum: Any) -> None:
    from lisp.runtime.signals import type_error

    type_error(datum, cl_symbol("INTEGER"))


def _list_error(datum: Any, message: str, who: str | None) -> None:
    from lisp.runtime.signals import type_error

    type_error(datum, cl_symbol("LIST"), message if who is None else f"{who}: {message}")


def _show(x: Any) -> str:
    return hooks.prin1_to_string(x)
