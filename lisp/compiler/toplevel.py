"""Top-level forms: compile one into a Python code unit and run it.

A unit is ``def %unit(<literals>): def %toplevel(): ...; return %toplevel``: literal objects
arrive as parameters, so compiled code reads them as closure cells. The unit's function is made
directly from its code object with ``namespace.GLOBALS`` as globals, so nothing is left in GLOBALS.

At top level, ``progn``, ``eval-when`` and macro calls are processed form by form (CLHS 3.2.3.1),
so a ``defmacro`` or ``defvar`` takes effect for the forms after it.
"""

from __future__ import annotations

import ast
import types
from collections.abc import Callable
from typing import Any

from lisp.compiler.compilation_unit import ToplevelForm, compilation_unit
from lisp.compiler.compilation_unit import current as current_unit
from lisp.compiler.core import TAIL, compile_form, name
from lisp.compiler.env import Env
from lisp.compiler.forms import arguments, items
from lisp.compiler.macros import macroexpand
from lisp.compiler.result import stamp
from lisp.compiler.runtime import NonLocalExit
from lisp.runtime import hooks, namespace
from lisp.runtime import values as mv
from lisp.runtime.condition_classes import ControlError, ProgramError
from lisp.runtime.data import Cons, SourcePos, cl_symbol, keyword, source_pos

PROGN = cl_symbol("PROGN")
EVAL_WHEN = cl_symbol("EVAL-WHEN")
_NOW = {keyword("COMPILE-TOPLEVEL"), cl_symbol("COMPILE"), keyword("LOAD-TOPLEVEL"), cl_symbol("LOAD"),
        keyword("EXECUTE"), cl_symbol("EVAL")}


def compile_toplevel(form: Any, pos: SourcePos | None = None) -> Callable[[], Any]:
    """Compile ``form`` into a function of no arguments that evaluates it.

    ``pos`` is where the form was read, for a form that does not carry its position (an atom).
    """
    pos = source_pos(form) or pos
    file = pos.file if pos is not None else "<lisp>"
    env = Env.toplevel(file)
    try:
        result = compile_form(form, env, TAIL)
    except ProgramError as error:
        if error.pos is None:
            error.pos = pos
        raise
    toplevel = ast.FunctionDef(name="%toplevel", args=_no_args(), body=[*result.stmts, ast.Return(result.expr)],
                               decorator_list=[], returns=None, type_params=[])
    unit_args = _no_args()
    unit_args.args = [ast.arg(arg=n) for n in env.unit.literal_names]
    unit = ast.FunctionDef(name="%unit", args=unit_args, body=[toplevel, ast.Return(name("%toplevel"))],
                           decorator_list=[], returns=None, type_params=[])
    module = ast.Module(body=[unit], type_ignores=[])
    stamp([unit], pos or SourcePos(file, 1, 1))
    ast.fix_missing_locations(module)
    try:
        code = compile(module, file, "exec")
    except SyntaxError as exc:  # CPython's limits, e.g. 20 statically nested loops and trys
        where = SourcePos(file, exc.lineno or 1, (exc.offset or 0) + 1) if exc.lineno else pos
        raise ProgramError(f"the form is beyond what CPython can compile: {exc.msg}", pos=where) from exc
    unit_code = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    unit_code = _named(unit_code, env.unit.code_names)
    return types.FunctionType(unit_code, namespace.GLOBALS)(*env.unit.literals)


def _named(code: types.CodeType, names: dict[str, str]) -> types.CodeType:
    """``code`` with the code objects of named functions called by their Lisp names (tracebacks
    and argument-count errors show them). Done on the code, before any function exists: assigning
    a function's ``__code__`` would stop CPython >= 3.12 from specializing calls of it."""
    if not names:
        return code
    consts = tuple(_named(c, names) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    label = names.get(code.co_name)
    if label is not None:
        return code.replace(co_consts=consts, co_name=label, co_qualname=label)
    return code.replace(co_consts=consts)


def _no_args() -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
                         defaults=[])


def eval_form(form: Any, pos: SourcePos | None = None) -> Any:
    """Evaluate a top-level form; its primary value (all values stay in the values register).

    ``pos``: where the form was read, if the form does not carry it (an atom). A RETURN-FROM, GO
    or THROW out of the form (a handler or a closure the form calls) passes on to its block,
    tagbody or catch around the evaluation, as ``eval``'s must: one whose target was no longer
    established was refused where it happened (CONTROL-ERROR).
    """
    if current_unit() is not None:  # the usual case, inside a file's or the REPL form's unit
        return _process(form, source_pos(form) or pos)
    with compilation_unit(explicit=False):
        return _process(form, source_pos(form) or pos)


def eval_values(form: Any, pos: SourcePos | None = None) -> tuple[Any, ...]:
    """Evaluate a top-level form of the REPL or a program; all its values. No Lisp code of this
    thread is around it, so an exit that leaves it (to a block another thread established) has no
    target here: a CONTROL-ERROR."""
    mv.clear()
    try:
        with compilation_unit(explicit=False, override=True):  # a debugger's level has its own
            return mv.take(eval_form(form, pos))
    except NonLocalExit as exc:
        raise ControlError("a RETURN-FROM, GO or THROW to an exit that is not established in this thread",
                           pos=source_pos(form) or pos) from exc


def _process(form: Any, pos: SourcePos | None) -> Any:
    expanded, _ = macroexpand(form)
    if isinstance(expanded, Cons) and expanded.car is PROGN:
        result = None
        for sub in arguments(expanded):
            result = _process(sub, source_pos(sub) or pos)
        return result
    if isinstance(expanded, Cons) and expanded.car is EVAL_WHEN and isinstance(expanded.cdr, Cons):
        situations = set(items(expanded.cdr.car, form))
        result = None
        if situations & _NOW:
            for sub in arguments(expanded.cdr):
                result = _process(sub, source_pos(sub) or pos)
        return result
    with ToplevelForm(form, pos.file if pos is not None else None):
        compiled = compile_toplevel(expanded, pos)
    return compiled()


hooks.register("evaluate", eval_form)
