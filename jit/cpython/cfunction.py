"""Builtin function objects (``PyCFunction``) over a ``PyMethodDef`` we own, whose C function is
generated code with the vectorcall signature.

CPython calls a builtin function with flags ``METH_FASTCALL | METH_KEYWORDS`` as ``(self, args,
nargs, kwnames)``: the vectorcall signature, with ``self`` the object given here (code reading a
slot of its ``self``, like ``Function.tail_call_slot``, reads that object's) and ``nargs`` without
``PY_VECTORCALL_ARGUMENTS_OFFSET``. Calls of an exact builtin function with these flags are
specialized by CPython into a direct C call (3.11 ``PRECALL_BUILTIN_FAST_WITH_KEYWORDS``, 3.12-3.13
``CALL_BUILTIN_FAST_WITH_KEYWORDS``), which a call of another callable object does not get (about
80 instructions less per call on 3.11). CPython checks the result of the call.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

from .layout import METH_FASTCALL_KEYWORDS, PyMethodDef

_new_cfunction = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.c_void_p, ctypes.py_object, ctypes.py_object,
                                   ctypes.c_void_p)(("PyCMethod_New", ctypes.pythonapi))
# CPython keeps pointing at a PyMethodDef (and its name) for as long as a function made over it
# lives, which we do not track: each lives as long as the process.
_definitions: list[PyMethodDef] = []


def builtin_function(name: str, code: int, self: object, doc: str | None = None) -> Callable[..., Any]:
    """A builtin function object called ``name`` running the code at ``code`` (vectorcall
    signature) with ``self`` as its first argument; ``self`` lives as long as the function."""
    # The structure keeps the name and doc bytes it points at.
    definition = PyMethodDef(name.encode(), code, METH_FASTCALL_KEYWORDS, None if doc is None else doc.encode())
    function = _new_cfunction(ctypes.addressof(definition), self, None, None)
    _definitions.append(definition)
    return function
