"""The native list primitives, one row each: adding one is a row here, its Python meaning in
:mod:`.fallbacks` and its IR generator.

A row says what the installation (:mod:`.install`) does with the primitive: the native symbol is
``gfjit_lisp_<name>``; with ``lisp_name`` it is that COMMON-LISP function (and printed
``#<FUNCTION CONS>``); with ``direct`` compiled code calls it through that global name, in the form
CPython calls fastest (N16), and a ``lisp_name`` call compiles to it (:data:`DIRECT_CALLS`); with
``who`` its fallback takes the name of the Lisp function its TYPE-ERRORs name
(:func:`lisp.runtime.native_cons.named`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from lisp.runtime.data import Symbol, cl_symbol
from lisp.runtime.native_cons import fallbacks as py
from lisp.runtime.native_cons.builders import chain
from lisp.runtime.native_cons.context import IR
from lisp.runtime.native_cons.iterators import constructor
from lisp.runtime.native_cons.mappers import mapper
from lisp.runtime.native_cons.predicates import all_reals, parity
from lisp.runtime.native_cons.walkers import elements, last, length, replace_cars, walker


class Primitive(NamedTuple):
    """One native list primitive (see the module's docstring)."""

    fallback: Callable[..., Any]  # its meaning; its __name__ is the primitive's Python name
    ir: IR
    lisp_name: str | None = None
    direct: str | None = None
    who: bool = False

    @property
    def name(self) -> str:
        return self.fallback.__name__

    @property
    def symbol(self) -> str:
        return f"gfjit_lisp_{self.name}"


PRIMITIVES: tuple[Primitive, ...] = (
    Primitive(py.cons, chain(2, 2, tail_from=2), "CONS", direct="%cons"),
    Primitive(py.make_cons, chain(1, 2, tail_from=2), direct="%Cons"),  # compiled code's Cons(...)
    Primitive(py.list_of, chain(0, None, tail_from=None), "LIST", direct="%list_of"),
    Primitive(py.list_star, chain(1, None, tail_from=1), "LIST*", direct="%list_star"),
    Primitive(py.to_list, walker(elements(cells=False)), who=True),
    Primitive(py.cells_of, walker(elements(cells=True)), who=True),
    Primitive(py.length, walker(length), who=True),
    Primitive(py.last_cons, walker(last), who=True),
    Primitive(py.map_items, mapper(None), who=True),
    Primitive(py.keep_if, mapper("true"), who=True),
    Primitive(py.keep_if_not, mapper("nil"), who=True),
    Primitive(py.replace_cars, replace_cars),
    Primitive(py.list_iter, constructor("iterator"), direct="%list_iter"),  # DOLIST
    Primitive(py.loop_list_iter, constructor("loop_iterator"), direct="%loop_list_iter"),  # LOOP FOR IN
    Primitive(py.evenp, parity(odd=False), "EVENP"),
    Primitive(py.oddp, parity(odd=True), "ODDP"),
    Primitive(py.all_reals, all_reals),
)

# COMMON-LISP functions that compiled calls reach through another global name: the same function
# in a form CPython calls faster (N16). Redefining a COMMON-LISP function is undefined (CLHS
# 11.1.2.1.2), as for the compiler's open-coded operators.
DIRECT_CALLS: dict[Symbol, str] = {cl_symbol(p.lisp_name): p.direct for p in PRIMITIVES
                                   if p.lisp_name is not None and p.direct is not None}
