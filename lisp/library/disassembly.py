"""``disassemble``: the code behind a function, at the levels gfjit has.

- A function made by ``defun`` (or ``defmacro``): the Python it compiles to, regenerated from its
  defining form (:mod:`lisp.runtime.docstrings`) in the null lexical environment, as a top-level
  ``defun`` is compiled (the macros as they are now; names the compiler numbers, such as the key
  of a self-call, may differ from the first compilation's), then its CPython bytecode (``dis``).
- Other compiled Lisp code (a ``lambda``, a closure): its bytecode.
- A Lisp function written in Python: its Python source, then its bytecode; one written in C (the
  native conses) has neither.
- A generic function: its native dispatcher's assembly, compiled by LLVM for the call history so
  far (``:dispatch NAME asm`` at the REPL shows the same), then its decision tree.
"""

from __future__ import annotations

import ast
import dis
import inspect
import io
import sys
from typing import Any

from lisp.clos.generic import info_of
from lisp.compiler import eval_form
from lisp.compiler.core import compile_form
from lisp.compiler.env import Env
from lisp.compiler.result import Dest
from lisp.library.arguments import function_designator
from lisp.library.describing import source_location
from lisp.runtime import docstrings
from lisp.runtime.data import (
    NIL,
    SYSTEM,
    Cons,
    Symbol,
    cl_symbol,
    make_list,
    source_pos,
)
from lisp.runtime.namespace import GLOBALS, builtin
from lisp.runtime.streams import output_stream
from lisp.syntax.printer import prin1_to_string

_NAMED_LAMBDA = SYSTEM.intern("%NAMED-LAMBDA")
_LAMBDA = cl_symbol("LAMBDA")


@builtin("DISASSEMBLE")
def disassemble(fn: Any) -> Any:
    """Print the code of ``fn`` (a function, a name of one, or a lambda expression); NIL."""
    if isinstance(fn, Cons) and fn.car is _LAMBDA:
        fn = eval_form(make_list([cl_symbol("FUNCTION"), fn]))
    fn = function_designator(fn)
    output_stream(NIL).write_string(disassembly(fn))
    return NIL


def disassembly(fn: Any) -> str:
    """The text :func:`disassemble` prints for the function ``fn``."""
    info = info_of(fn)
    if info is not None:
        return _generic(fn, prin1_to_string(info.name))
    lisp_name = getattr(fn, "lisp_name", None)
    name = prin1_to_string(lisp_name) if isinstance(lisp_name, Symbol) else getattr(fn, "__name__", "the function")
    sections = []
    definition = docstrings.definition(fn)
    code = getattr(fn, "__code__", None)
    if definition is not None:
        where = source_pos(definition)
        sections.append((f"Python compiled from the definition of {name}" + (f" at {where}" if where else ""),
                         python_of(definition)))
    elif code is not None and getattr(fn, "__globals__", None) is not GLOBALS:
        sections.append((f"Python source of {name} ({source_location(fn)})", _source(fn)))
    if code is not None:
        out = io.StringIO()
        dis.dis(code, file=out)
        sections.append((f"CPython {sys.version_info[0]}.{sys.version_info[1]} bytecode of {name}", out.getvalue()))
    if not sections:
        return f"; {name} is written in C: it has no Python code.\n"
    return "".join(f"; {title}:\n{text.rstrip()}\n\n" for title, text in sections)


def python_of(definition: Any) -> str:
    """The Python code of the function a ``(defun name lambda-list . body)`` (or ``defmacro``)
    defines, compiled again as a top-level form is."""
    _defun, name, lambda_list, *body = list(_items(definition))
    form = make_list([_NAMED_LAMBDA, name, lambda_list, *body])
    pos = source_pos(definition)
    env = Env.toplevel(pos.file if pos is not None else "<lisp>")
    result = compile_form(form, env, Dest.TAIL)
    return ast.unparse(ast.fix_missing_locations(ast.Module(body=result.stmts, type_ignores=[])))


def _items(form: Any) -> list[Any]:
    items = []
    while isinstance(form, Cons):
        items.append(form.car)
        form = form.cdr
    return items


def _source(fn: Any) -> str:
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return "(the source is not available)"


def _generic(gf: Any, name: str) -> str:
    try:
        asm = gf.asm()
    except Exception as failure:  # noqa: BLE001 - no dispatcher yet, or no native mode here
        asm = f"(no native dispatcher: {failure})"
    return (f"; Native dispatcher of the generic function {name}, for its calls so far "
            f"(machine code from LLVM):\n{asm.rstrip()}\n\n; Its decision tree:\n{gf.describe().rstrip()}\n")

