"""The built-in method combinations (CLHS 7.6.6.4) with Lisp values: NIL is the only false value
for ``and``/``or``, and ``list``/``append``/``nconc`` build Lisp lists.

dispatch's own operators follow Python (``0`` is false, lists are Python lists), so a Lisp generic
function gets one of these :class:`dispatch.OperatorCombination` objects instead."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterator
from typing import Any

from dispatch import OperatorCombination
from lisp.runtime import values as mv
from lisp.runtime.data import NIL, Cons, T, iter_list, make_list


def _and(values: Iterator[Any]) -> Any:
    result: Any = T
    for result in values:
        if result is NIL:
            return NIL
    return result


def _or(values: Iterator[Any]) -> Any:
    for result in values:
        if result is not NIL:
            return result
    return NIL


def _progn(values: Iterator[Any]) -> Any:
    result: Any = NIL
    for result in values:
        pass
    return result


def _append(values: Iterator[Any]) -> Any:
    lists = list(values)
    result = lists.pop() if lists else NIL
    for lst in reversed(lists):
        result = make_list(iter_list(lst), result)
    return result


def _nconc(values: Iterator[Any]) -> Any:
    result: Any = NIL
    last: Cons | None = None
    for lst in values:
        if lst is NIL:
            continue
        if last is None:
            result = lst
        else:
            last.cdr = lst
        last = lst
        while isinstance(last.cdr, Cons):
            last = last.cdr
    return result


# name -> (operator over the primary methods' values, whether one method's value is used as is)
OPERATORS: dict[str, tuple[Callable[[Iterator[Any]], Any], bool]] = {
    "+": (lambda values: functools.reduce(operator.add, values), True),
    "list": (make_list, False),
    "append": (_append, True),
    "nconc": (_nconc, True),
    "and": (_and, True),
    "or": (_or, True),
    "progn": (_progn, True),
    "max": (max, True),
    "min": (min, True),
}


# Operators whose value is one method's value as is: its multiple values are the result's, as those
# of the last form of (progn (m1) (m2)). The others make one new value.
_KEEPING_VALUES = {"and", "or", "progn"}


def _own_values(values: Iterator[Any]) -> Iterator[Any]:
    """The methods' values, each method called with the values register cleared: a method may
    record nothing of its own (see lisp.compiler.core.one_value), and must not pass on another's."""
    it = iter(values)
    mv.clear()
    previous = None
    while True:
        try:
            value = next(it)
        except StopIteration:  # asked for after the last method: its values stand
            mv.restore(previous)
            return
        yield value
        previous = mv.clear()


def _with_lisp_values(name: str, reduce: Callable[[Iterator[Any]], Any]) -> Callable[[Iterator[Any]], Any]:
    keeps = name in _KEEPING_VALUES

    def combined(values: Iterator[Any]) -> Any:
        result = reduce(_own_values(values))
        if not keeps:
            mv.clear()
        return result

    return combined


def lisp_combination(name: str, most_specific_last: bool) -> OperatorCombination | str:
    """The combination a Lisp generic function uses: ``"standard"`` or a Lisp operator one."""
    if name == "standard" or name not in OPERATORS:
        return name  # dispatch reports an unknown name
    reduce, identity = OPERATORS[name]
    return OperatorCombination(name, _with_lisp_values(name, reduce), identity, most_specific_last)
