"""Backquote: expand the reader's ``SYS::QUASIQUOTE`` forms into list-building code (CLHS 2.4.6).

Nested backquotes count levels: an unquote belongs to the innermost backquote, and an inner
backquote's unquotes of deeper levels are rebuilt as unquote forms. The code calls three private
functions rather than ``list``/``append``, so it depends on nothing a user can redefine.
"""

from __future__ import annotations

from typing import Any

from lisp.compiler.forms import program_error, show
from lisp.compiler.macros import macro
from lisp.runtime import namespace
from lisp.runtime.data import SYSTEM, Cons, Symbol, cl_symbol, iter_list, lisp_list, make_list
from lisp.syntax.reader import QUASIQUOTE, UNQUOTE, UNQUOTE_NSPLICING, UNQUOTE_SPLICING

QUOTE = cl_symbol("QUOTE")
BQ_LIST = SYSTEM.intern("%BQ-LIST")
BQ_APPEND = SYSTEM.intern("%BQ-APPEND")
BQ_VECTOR = SYSTEM.intern("%BQ-VECTOR")
_SPLICES = (UNQUOTE_SPLICING, UNQUOTE_NSPLICING)


def _quote(x: Any) -> Any:
    if isinstance(x, (Symbol, Cons, list)):
        return lisp_list(QUOTE, x)
    return x


def _unary(form: Any) -> Any:
    if not (isinstance(form.cdr, Cons) and form.cdr.cdr is None):
        raise program_error(f"malformed {show(form.car)} form {show(form)}", form)
    return form.cdr.car


def expand(x: Any, depth: int = 1) -> Any:
    """The code that builds the value of `` `x `` at backquote level ``depth``."""
    if isinstance(x, list):
        return lisp_list(BQ_VECTOR, expand(make_list(x), depth))
    if not isinstance(x, Cons):
        return _quote(x)
    if x.car is UNQUOTE:
        if depth == 1:
            return _unary(x)
        # Its arguments are a list at the level below, so an inner ,@ splices into them: ,,@x
        # becomes (unquote v1 v2 ...), which the next evaluation reads as ,v1 ,v2 ... (Bawden).
        return _rebuilt(x, depth)
    if x.car is QUASIQUOTE:
        return lisp_list(BQ_LIST, _quote(QUASIQUOTE), expand(_unary(x), depth + 1))
    if x.car in _SPLICES:
        raise program_error(f",@ right after a backquote, in {show(x)}", x)
    segments: list[Any] = []
    cell: Any = x
    while isinstance(cell, Cons):
        if cell.car is UNQUOTE and cell is not x:  # `(a . ,b) reads as (a unquote b)
            break
        item = cell.car
        if isinstance(item, Cons) and item.car in _SPLICES:
            if depth == 1:  # (unquote-splicing a b) from a ,,@ one level up splices a, then b
                segments.extend(_arguments(item))
            else:
                segments.append(lisp_list(BQ_LIST, _rebuilt(item, depth)))
        elif depth == 1 and isinstance(item, Cons) and item.car is UNQUOTE \
                and isinstance(item.cdr, Cons) and item.cdr.cdr is not None:
            segments.extend(lisp_list(BQ_LIST, arg) for arg in _arguments(item))  # ,a ,b
        else:
            segments.append(lisp_list(BQ_LIST, expand(item, depth)))
        cell = cell.cdr
    singles = [s.cdr.car for s in segments if isinstance(s, Cons) and s.car is BQ_LIST and s.cdr.cdr is None]
    if cell is None and len(singles) == len(segments):
        return make_list([BQ_LIST, *singles])
    if cell is not None:
        segments.append(expand(cell, depth))
    return make_list([BQ_APPEND, *segments])


def _rebuilt(form: Any, depth: int) -> Any:
    """The code that rebuilds the unquote form ``form`` (of a deeper backquote) one level down:
    its operator, then its arguments expanded as a list at ``depth - 1``."""
    return lisp_list(BQ_APPEND, lisp_list(BQ_LIST, _quote(form.car)), expand(form.cdr, depth - 1))


def _arguments(form: Any) -> list[Any]:
    """The arguments of the unquote form ``form`` (a proper list, else PROGRAM-ERROR)."""
    try:
        return list(iter_list(form.cdr))
    except TypeError:
        raise program_error(f"malformed {show(form.car)} form {show(form)}", form) from None


@macro("QUASIQUOTE", SYSTEM)
def _quasiquote(form: Any, env: Any) -> Any:
    return expand(_unary(form))


def bq_append(*parts: Any) -> Any:
    """Append lists, copying all but the last (which becomes the tail, as with ``append``)."""
    if not parts:
        return None
    items: list[Any] = []
    for part in parts[:-1]:
        items.extend(iter_list(part))
    return make_list(items, parts[-1])


namespace.builtin("%BQ-LIST", SYSTEM)(lisp_list)
namespace.builtin("%BQ-APPEND", SYSTEM)(bq_append)
namespace.builtin("%BQ-VECTOR", SYSTEM)(lambda lst: list(iter_list(lst)))
