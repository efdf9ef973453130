"""Native list primitives, JIT-compiled: making conses and lists, walking a list.

``Cons(a, b)`` through Python's ``type.__call__`` runs ``__init__`` as Python code (about 190 ns);
the functions here make conses in machine code (a cell from a freelist or ``PyType_GenericAlloc``,
and two stores), called through vectorcall as callables of the CPython-ABI kit
(:func:`jit.cpython.make_callable_type`):

- ``cons`` -- ``CONS`` (exactly two arguments); ``make_cons`` -- ``Cons``'s own signature (``car``
  and an optional ``cdr``), for compiled code;
- ``cells_of`` -- the conses of a list (a dotted one too: natively for a proper list) as a Python
  list, one bounded walk whose snapshot callers can use whatever another thread does to the list;
- ``list_of`` -- ``LIST``; ``list_star`` -- ``LIST*``; :func:`from_items` -- a Python sequence (and
  a tail) as a chain;
- ``to_list`` -- the elements of a proper list as a Python list, ``length`` -- its length; a dotted
  tail, a circular list or a non-list is a TYPE-ERROR (never a hang); ``last_cons`` -- the last
  cons of a list (NIL for NIL);
- ``map_items``, ``keep_if``, ``keep_if_not`` -- a function called on each element of a proper
  list, making the list of its results or of the elements it found true (not NIL) / NIL (MAPCAR,
  REMOVE-IF-NOT, REMOVE-IF);
- ``replace_cars`` -- new elements stored into a list's conses (SORT, NREVERSE);
- ``list_iter`` -- a :class:`ListIterator` over a list, whose step is native code: DOLIST is a
  Python ``for`` loop over it (one ``FOR_ITER`` per element); ``loop_list_iter`` -- the same for
  LOOP's ``for var in list`` (its TYPE-ERRORs name LOOP);
- ``all_reals`` -- whether every element of a Python list is a real (SORT's check);
- ``evenp``, ``oddp`` -- ``EVENP`` and ``ODDP``, the predicates most often given to the list
  functions: called from the mappers above they run without a Python frame;
- :func:`named` -- a walker or mapper for one Lisp function: the same machine code, its
  TYPE-ERRORs naming that function.

Each is one row of :data:`.table.PRIMITIVES`, which also makes the Lisp functions among them
(CONS, LIST, LIST*, EVENP, ODDP) and the global names compiled code calls them by
(:data:`DIRECT_CALLS` for the compiler). Modules: :mod:`.fallbacks` (the Python meaning of each),
:mod:`.table` (the rows), the IR of :mod:`.builders`, :mod:`.walkers`, :mod:`.mappers`,
:mod:`.predicates` and :mod:`.iterators`, Cons's own slot functions (:mod:`.cells`), the slots put
in place (:mod:`.slots`), and the compile-and-install step (:mod:`.install`), on the shared
pieces of :mod:`.objects` and :mod:`.context`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lisp.runtime.data import NIL
from lisp.runtime.native_cons.cells import FREELIST_MAX
from lisp.runtime.native_cons.fallbacks import ListIterator, LoopListIterator
from lisp.runtime.native_cons.install import install
from lisp.runtime.native_cons.iterators import ITERATOR_FREELIST_MAX
from lisp.runtime.native_cons.table import DIRECT_CALLS, PRIMITIVES

_installed = install()
globals().update(_installed.functions)  # cons, list_of, to_list, ... (one per row)
native_enabled: bool = _installed.native
named = _installed.named
freelist_length = _installed.freelist_length


def from_items(items: Iterable[Any], tail: Any = NIL) -> Any:
    """A chain of ``items`` ending in ``tail``."""
    functions = _installed.functions
    if tail is NIL:
        return functions["list_of"](*items)
    return functions["list_star"](*items, tail)


__all__ = ["DIRECT_CALLS", "FREELIST_MAX", "ITERATOR_FREELIST_MAX", "ListIterator", "LoopListIterator",
           "from_items", "freelist_length", "named", "native_enabled", *(row.name for row in PRIMITIVES)]
