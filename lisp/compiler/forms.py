"""The shape of forms, as every part of the compiler reads it: their elements, the position a
macro's expansion takes, and the PROGRAM-ERROR that names a malformed form and where it was read."""

from __future__ import annotations

from typing import Any

from lisp.runtime.condition_classes import ProgramError
from lisp.runtime.data import Cons, ImproperListError, SourceCons, SourcePos, iter_list, source_pos
from lisp.syntax.messages import show


def program_error(message: str, form: Any = None) -> Exception:
    """The condition for malformed code, naming where ``form`` was read when known."""
    return ProgramError(message, pos=source_pos(form))


def items(lst: Any, where: Any, least: int = 0) -> list[Any]:
    """The elements of the proper list ``lst``, at least ``least`` of them, else a PROGRAM-ERROR
    naming ``lst`` and the form ``where`` it is part of."""
    try:
        found = list(iter_list(lst))
    except ImproperListError as bad:  # a circular form too: its walk ends, and so does its message
        raise program_error(f"{show(lst)} is not a proper list ({bad.problem}), in {show(where)}", where) from None
    except TypeError:
        raise program_error(f"{show(lst)} is not a proper list, in {show(where)}", where) from None
    if len(found) < least:
        raise program_error(f"{show(lst)} is too short (at least {least} elements), in {show(where)}", where)
    return found


def arguments(form: Any) -> list[Any]:
    """The elements after the operator of a compound form (a proper list, else PROGRAM-ERROR)."""
    return items(form.cdr, form)


def inherit_pos(expansion: Any, form: Any) -> Any:
    """``expansion`` (of the macro call ``form``), carrying the call's position if it has none."""
    pos: SourcePos | None = source_pos(form)
    if pos is not None and isinstance(expansion, Cons) and source_pos(expansion) is None:
        return SourceCons(expansion.car, expansion.cdr, pos)
    return expansion


def check_count(form: Any, args: list[Any], low: int, high: int | None) -> None:
    """A PROGRAM-ERROR unless the operator of ``form`` has from ``low`` to ``high`` (None: any
    number more) arguments ``args``."""
    if len(args) < low or (high is not None and len(args) > high):
        want = f"{low}" if low == high else (f"at least {low}" if high is None else f"{low} to {high}")
        raise program_error(f"{show(form.car)} takes {want} arguments, not {len(args)}, in {show(form)}", form)
