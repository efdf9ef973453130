"""Which Python frames are Lisp's: compiled Lisp code, and Lisp functions written in Python.

Compiled Lisp code runs with :data:`lisp.runtime.namespace.GLOBALS` as its globals, so its frames
are those whose globals are GLOBALS. A global Lisp function written in Python (``/``, ``mapcar``)
is known by its code object (:func:`builtin_name`), so that a backtrace or the stepper can show a
frame of it as a call of the Lisp function.
"""

from __future__ import annotations

import inspect
import re
from types import CodeType, FrameType
from typing import Any

from lisp.runtime import hooks
from lisp.runtime.namespace import GLOBALS

_builtins: dict[CodeType, Any] | None = None


def is_lisp_frame(frame: FrameType) -> bool:
    """Whether ``frame`` runs compiled Lisp code."""
    return frame.f_globals is GLOBALS


def builtin_name(code: CodeType) -> Any | None:
    """The name of the global Lisp function written in Python whose code is ``code``, or None
    (also for a code object that several functions share: a wrapper's)."""
    global _builtins
    if _builtins is None:
        # Made once, at the first use (by then the library has defined its functions).
        table: dict[CodeType, Any] = {}
        shared: set[CodeType] = set()
        for key, fn in list(GLOBALS.items()):
            code = getattr(fn, "__code__", None)
            if not key.startswith("#'") or code is None or getattr(fn, "__globals__", None) is GLOBALS:
                continue
            if code in table:
                shared.add(code)
            table[code] = getattr(fn, "lisp_name", key[2:])
        for code in shared:
            del table[code]
        _builtins = table
    return _builtins.get(code)


# The compiler names the function of a top-level form so (lisp.compiler.toplevel); a local
# function's Python name ends in ".N" when its Lisp name is used twice in a unit.
TOPLEVEL_FUNCTION = "%toplevel"
_UNIQUE_SUFFIX = re.compile(r"\.\d+$")


def lisp_name(python_name: str) -> str:
    """The Lisp name under which the compiler made the Python name ``python_name``."""
    return _UNIQUE_SUFFIX.sub("", python_name)


def function_name(frame: FrameType) -> str | None:
    """The function a Lisp frame runs, as Lisp names it (``FIB``, ``(H :IN G)``, ``(top-level
    form)``), or the name of the Lisp function written in Python it runs; None for other code."""
    code = frame.f_code
    if not is_lisp_frame(frame):
        name = builtin_name(code)
        return None if name is None else hooks.prin1_to_string(name)
    name = lisp_name(code.co_name)
    if name == TOPLEVEL_FUNCTION:
        return "(top-level form)"
    outer = [p for p in code.co_qualname.split(".<locals>.")[:-1] if p not in ("%unit", TOPLEVEL_FUNCTION)]
    return f"({name} :IN {lisp_name(outer[-1])})" if outer else name


def frame_arguments(frame: FrameType) -> list[Any]:
    """The values of a frame's parameters now (a parameter may have been assigned since); a
    Lisp frame's ``&rest`` arguments included, the compiler's own parameters (``%...``) left out."""
    code, found = frame.f_code, frame.f_locals
    count = code.co_argcount + code.co_kwonlyargcount
    lisp = is_lisp_frame(frame)
    args = [found[n] for n in code.co_varnames[:count] if n in found and not (lisp and n.startswith("%"))]
    if code.co_flags & inspect.CO_VARARGS:
        args.extend(found.get(code.co_varnames[count], ()))
    return args
