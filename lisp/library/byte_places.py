"""``(setf ldb)`` and ``(setf mask-field)``: a byte of an integer place as a place (CLHS 12.2).

``(setf (ldb bytespec place) new)`` evaluates the byte specifier, then the place's subforms, then
the new value; it stores ``(dpb new bytespec old)`` (``deposit-field`` for ``mask-field``) into the
place and returns the new value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lisp.compiler.core import program_error, show
from lisp.compiler.env import Env
from lisp.compiler.macros import gensym
from lisp.compiler.places import COMPOUND, Expansion, expansion
from lisp.runtime.data import cl_symbol
from lisp.runtime.data import lisp_list as L


def _byte_place(access: str, combine: str) -> Callable[[Any, list[Any], Env | None], Expansion]:
    reader_op, combine_op = cl_symbol(access), cl_symbol(combine)

    def expand(place: Any, args: list[Any], env: Env | None) -> Expansion:
        if len(args) != 2:
            raise program_error(f"{access} takes a byte specifier and a place: {show(place)}", place)
        inner = expansion(args[1], env)
        byte, store = gensym("BYTE"), gensym("NEW")
        writer = L(cl_symbol("LET"), L(L(inner.stores[0], L(combine_op, store, byte, inner.reader))),
                   inner.writer, store)
        return Expansion([byte, *inner.temps], [args[0], *inner.vals], [store], writer,
                         L(reader_op, byte, inner.reader))

    return expand


COMPOUND[cl_symbol("LDB")] = _byte_place("LDB", "DPB")
COMPOUND[cl_symbol("MASK-FIELD")] = _byte_place("MASK-FIELD", "DEPOSIT-FIELD")
