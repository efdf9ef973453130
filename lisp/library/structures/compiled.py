"""Structure slots in compiled code: accessor calls as attribute loads and stores.

``(point-x p)`` compiles to ``P.s17_0_X``, and ``(setf (point-x p) v)`` (and ``incf``, ``push``...
through the places of :mod:`lisp.compiler.places`) to ``P.s17_0_X; P.s17_0_X = V``, when at
compile time ``point-x`` and ``(setf point-x)`` are still the functions ``defstruct`` made: each of
those carries the attribute it reads or writes (``structure_attribute``). The load before the
store checks that P is a POINT (invariants S1 and S2 of :mod:`lisp.clos.structures`); a slot with a
type other than T is checked by a call of the writer's ``structure_check`` before the store. Code
compiled after an accessor was redefined (``defun``, ``(setf fdefinition)``) calls the new
definition, and the accessor is no longer open-coded.

A constructor's ``(sys::%struct-new 'description v...)`` calls the description's allocator
(``DESCRIPTION.allocate(V, ...)``), which ``%defstruct`` sets before the constructor runs.
"""

from __future__ import annotations

import ast
from typing import Any

from lisp.compiler.core import (
    OPEN_CODED,
    Result,
    call,
    compile_args,
    compile_form,
    literal,
    temp,
)
from lisp.compiler.env import Env
from lisp.compiler.result import Dest
from lisp.compiler.macros import gensym
from lisp.compiler.places import ACCESSORS, CALL_SETF, DIRECT
from lisp.runtime.data import SYSTEM, Symbol, cl_symbol, make_list
from lisp.runtime.data import lisp_list as L
from lisp.runtime.namespace import GLOBALS, function_key, setf_function_key

STRUCT_NEW = SYSTEM.intern("%STRUCT-NEW")
STRUCT_SET = SYSTEM.intern("%STRUCT-SET")
QUOTE, LET_STAR = cl_symbol("QUOTE"), cl_symbol("LET*")


def _struct_new(args: list[Any], env: Env) -> Result:
    """``(sys::%struct-new 'description value...)``: ``DESCRIPTION.allocate(VALUE, ...)``."""
    description = args[0].cdr.car
    compiled = compile_args(args[1:], env)
    stmts, values = compiled.stmts, compiled.exprs
    allocate = ast.Attribute(value=literal(description, env), attr="allocate", ctx=ast.Load())
    return Result(stmts, call(allocate, *values))


def _attribute(fn: Any) -> str | None:
    return getattr(fn, "structure_attribute", None)


def open_code_reader(accessor: Symbol) -> None:
    """Compile calls of ``accessor`` (just defined by ``defstruct``) as attribute loads."""
    key = function_key(accessor)

    def reader(args: list[Any], env: Env) -> Result | None:
        attribute = _attribute(GLOBALS.get(key))
        if attribute is None:  # redefined: an ordinary call from now on
            OPEN_CODED.pop(accessor, None)
            return None
        if len(args) != 1:
            return None  # the function reports the wrong argument count
        compiled = compile_args(args, env)
        stmts, (obj,) = compiled.stmts, compiled.exprs
        return Result(stmts, ast.Attribute(value=obj, attr=attribute, ctx=ast.Load()))

    OPEN_CODED[accessor] = reader


# The place writers open_code_writer registered, by accessor (a DEFSETF may replace one since).
_writers: dict[Symbol, Any] = {}


def open_code_writer(accessor: Symbol) -> None:
    """Make ``(setf (accessor obj) value)`` a ``sys::%struct-set`` (compiled by :func:`_struct_set`)."""
    writer = _writers[accessor] = lambda args, store: make_list([STRUCT_SET, L(QUOTE, accessor), *args, store])
    ACCESSORS[accessor] = writer
    DIRECT.add(accessor)


def forget_writer(accessor: Symbol) -> None:
    """``accessor`` has no setf function any more (its slot is read-only now)."""
    writer = _writers.pop(accessor, None)
    if writer is not None and ACCESSORS.get(accessor) is writer:
        del ACCESSORS[accessor]
        DIRECT.discard(accessor)


def _struct_set(args: list[Any], env: Env) -> Result:
    """``(sys::%struct-set 'accessor obj value)``: ``OBJ.attr; OBJ.attr = VALUE``, the value; or,
    when the setf function is no longer the one ``defstruct`` made (or does not take one object),
    a call of it with the arguments evaluated in their order."""
    accessor, operands = args[0].cdr.car, args[1:]
    writer = GLOBALS.get(setf_function_key(accessor))
    attribute = _attribute(writer)
    if attribute is None or len(operands) != 2:
        temps = [gensym("ARG") for _ in operands]
        call_form = make_list([CALL_SETF, accessor, temps[-1], *temps[:-1]])
        return compile_form(L(LET_STAR, make_list([L(t, v) for t, v in zip(temps, operands)]), call_form), env, Dest.ONE)
    compiled = compile_args(operands, env)
    stmts, (obj, value) = compiled.stmts, compiled.exprs
    more, obj = temp(Result([], obj), env, "%o")
    stmts += more
    more, value = temp(Result([], value), env, "%v")
    stmts += more
    stmts.append(ast.Expr(ast.Attribute(value=obj, attr=attribute, ctx=ast.Load())))
    check = writer.structure_check
    if check is not None:
        stmts.append(ast.Expr(call(literal(check, env), value)))
    stmts.append(ast.Assign(targets=[ast.Attribute(value=obj, attr=attribute, ctx=ast.Store())], value=value))
    return Result(stmts, value)


OPEN_CODED[STRUCT_NEW] = _struct_new
OPEN_CODED[STRUCT_SET] = _struct_set
