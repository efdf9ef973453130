"""Native list primitives, JIT-compiled: making conses and lists, walking a list.

``Cons(a, b)`` through Python's ``type.__call__`` runs ``__init__`` as Python code (about 190 ns);
the functions here make conses in machine code (a cell from a freelist or ``PyType_GenericAlloc``,
and two stores), called through vectorcall like dispatch's native generic functions, whose callable
type they reuse:

- :data:`cons` -- ``CONS`` (exactly two arguments); :data:`make_cons` -- ``Cons``'s own signature
  (``car`` and an optional ``cdr``), for compiled code;
- :data:`cells_of` -- the conses of a list (a dotted one too: natively for a proper list) as a
  Python list, one bounded walk whose snapshot callers can use whatever another thread does to
  the list;
- :data:`list_of` -- ``LIST``; :data:`list_star` -- ``LIST*``; :func:`from_items` -- a Python
  sequence (and a tail) as a chain;
- :data:`to_list` -- the elements of a proper list as a Python list, :data:`length` -- its
  length; a dotted tail, a circular list or a non-list is a TYPE-ERROR (never a hang);
  :data:`last_cons` -- the last cons of a list (NIL for NIL);
- :data:`map_items`, :data:`keep_if`, :data:`keep_if_not` -- a function called on each element of
  a proper list, making the list of its results or of the elements it found true (not NIL) / NIL
  (MAPCAR, REMOVE-IF-NOT, REMOVE-IF);
- :data:`replace_cars` -- new elements stored into a list's conses (SORT, NREVERSE);
- :data:`list_iter` -- a :class:`ListIterator` over a list, whose step is native code: DOLIST is a
  Python ``for`` loop over it (one ``FOR_ITER`` per element); :data:`loop_list_iter` -- the same
  for LOOP's ``for var in list`` (its TYPE-ERRORs name LOOP);
- :data:`all_reals` -- whether every element of a Python list is a real (SORT's check);
- :data:`evenp`, :data:`oddp` -- ``EVENP`` and ``ODDP``, the predicates most often given to the
  list functions: called from the mappers above they run without a Python frame.
- :func:`named` -- a walker or mapper for one Lisp function: the same machine code, its
  TYPE-ERRORs naming that function.

Every native function has a Python fallback with the same meaning, stored at the miss-handler slot
of its callable: the native code sends every call it does not handle (keywords, an argument count
it does not take, an unusual list) there, with the same arguments, so error reports come from
ordinary Python code. Where native code cannot be trusted (``dispatch.native.unavailable_reason``,
or ``GFJIT_NATIVE=0``, or the layout check below fails) the fallbacks are the functions, with one
warning.

Invariants the native code relies on (CPython 3.11-3.13, GIL builds only):

- N1 ``PyType_GenericAlloc(Cons, 0)`` (and a cell from the freelist, N9) returns a new reference
  to a zero-filled, GC-tracked instance and takes a reference to ``Cons`` (a heap type) that ``subtype_dealloc`` gives back; a
  zero slot reads as unset and ``subtype_traverse``/``subtype_dealloc`` skip it. So a half-made
  cons is always safe for the collector, which may run inside the allocation on 3.11. Storing a
  reference into a slot is what ``Cons.__init__`` does, and it does nothing else (see
  ``lisp.runtime.data.Cons``): skipping it makes the same object.
- N2 ``car`` and ``cdr`` are at the offsets read from their member descriptors, checked at import
  by a round trip through ctypes; ``SourceCons`` (and any subclass) keeps them there.
- N3 the chain builders read only their argument array, which the caller keeps alive and no
  Python code can change while they run; the only objects they own are the cells made so far
  (one reference, dropped on failure).
- N4 the chain walkers call no Python code while they count the cells, so the chain cannot change
  under them. Making the Python list may run the collector (3.11) and so finalizers, which could
  change the chain: filling it checks every cell again and gives up to the fallback on a change.
- N5 the mappers check the list like the walkers (N4), then own a reference to every object they
  hold across a call of ``fn`` (the cell being visited, its item, the head and the tail of the
  chain so far), so nothing ``fn`` does can free them. They read the next cell after the call
  and take it before letting the current one go; they visit at most as many cells as they
  counted and stop at the first non-cons, so a list that ``fn`` changes (undefined in CLHS 3.6)
  can end the mapping early but never crash it or make it loop forever. A new cell is complete
  (car and cdr NIL) before it is linked, so the collector may see the chain at any call.
- N6 ``replace_cars`` owns the cell it stands on and the next one before it releases an old car
  (which may run a finalizer), and stores each item once: giving up half-way and storing again
  from the start gives the same result.
- N7 the parity predicates read an ``int`` (exactly, not a subclass) through
  ``PyLong_AsLongAndOverflow``, which calls no Python code for it; an integer beyond a C long
  goes to the fallback.
- N8 Cons's ``tp_dealloc`` is native (:data:`FREELIST_MAX`): it puts a dead exact Cons on a freelist
  of at most that many cells (about 3 MB: 48 bytes a cell with its GC header, never given back to
  the allocator), or frees it with ``PyObject_GC_Del`` when the list is full. Cells on the freelist
  own no reference to Cons: each live cons owns one (``PyObject_Init`` takes it again), so
  ``sys.getrefcount(Cons)`` counts live conses only; Cons itself is kept for the life of the
  process, as the native code names it. Python's own ``Cons(...)`` still allocates with
  ``PyType_GenericAlloc``; its cells go to the freelist too when they die. Cons has no finalizer,
  weak references or dict (checked when the dealloc is installed) and must not get one later.
  Cells that die inside the release loop (N10) are not reported to a 3.13 ``PyRefTracer``.
- N9 A cell on the freelist is dead: untracked, both slots NULL, unreachable from any object, its
  ``ob_refcnt`` word holding the link to the next cell. Taking one (``gfjit_lisp_cons_alloc``) runs
  no Python code: ``PyObject_Init`` (reference count 1, a reference to Cons) and
  ``PyObject_GC_Track`` make it what N1 says ``PyType_GenericAlloc`` returns. The collector's
  young-generation count is neither raised nor lowered for a reused cell (as CPython's tuple and
  list freelists do). Every freelist update is done before any call out of the native code, and
  with the GIL held (GIL builds, one interpreter), so threads and reentrant calls always see it
  whole.
- N10 Releasing a dead cons is a loop, never a recursion: a car or cdr that is an exact Cons held
  only by the dying cell dies in the same loop (untracked, then pushed on a stack threaded through
  the ``ob_refcnt`` words of such cells, which still own their slots; a cdr is taken next at
  once), so a list a million long or a million deep frees in constant C stack. Anything else is
  released with ``Py_DecRef``, which may run any Python code (finalizers, weak reference callbacks)
  that makes and drops conses: each dealloc has its own stack of cells nothing else can reach, the
  cell being freed is on the freelist before its slots are released, and a slot is tested for
  "held only by us" after the previous call out, never before.
- N11 A subclass instance (SourceCons, any Python subclass) still dies through
  ``subtype_dealloc``, which clears the subclass's own slots, dict and weak references, finalizes
  it, then calls the ``tp_dealloc`` of its first base that has another: ours. It then does what
  ``object``'s dealloc and ``subtype_dealloc`` would have done for the rest: untrack (it was
  tracked again), take car and cdr, free the memory with the type's ``tp_free``, release the type
  (``subtype_dealloc`` leaves that to a heap base, N8), and release car and cdr (N10).
- N12 ListIterator's (and LoopListIterator's, the same layout) ``tp_iter`` is ``PyObject_SelfIter``
  and its ``tp_iternext`` native: NIL in its ``cell`` slot returns NULL with no exception set,
  which ``FOR_ITER`` (3.11 ceval.c, 3.13 bytecodes.c) and ``PyIter_Next`` take as the normal end
  (the slot stays NIL: it stays ended). An exact Cons, SourceCons or other subclass (read by slot,
  N2) gives a new reference to its car, after the slot was moved to a new reference to the cdr
  and before the old cell is released (the only step that may run Python code), so a finalizer
  meeting the iterator sees it whole. Anything else (a non-list tail, an unset slot) goes to the
  Python ``__next__``, which raises. Neither slot may be changed later by assigning ``__iter__``
  or ``__next__`` on the classes.
- N13 Cons's ``tp_traverse`` is native: it visits car, cdr (skipping unset slots) and
  ``Py_TYPE(self)``, stopping at a non-zero result. A subclass keeps ``subtype_traverse``
  (typeobject.c, 3.11-3.13), which visits its own slots and dict, then, as its nearest base with
  another traverse (ours) belongs to a heap type, leaves the type visit to it: every instance
  visits its type exactly once (twice would corrupt the collector's counts).
- N14 Hot paths change reference counts inline, as ``Py_INCREF``/``Py_DECREF`` of a release build
  do (64-bit, little-endian, checked by ``dispatch.native``): 3.11 adds to the word at offset 0;
  3.12-3.13 leave an immortal object alone (the low 32 bits all set: an increment would wrap them
  to 0; a decrement sees them as a negative i32) and otherwise change the word. A count reaching 0
  calls ``_Py_Dealloc``, which is what ``Py_DECREF`` calls. A debug build calls ``Py_IncRef`` and
  ``Py_DecRef`` instead (it keeps a total of references).
- N15 The list iterators' ``tp_dealloc`` is native (both classes: the same size, no finalizer,
  weak references or dict, checked when it is installed): it untracks the iterator, empties its
  slot, puts it on a freelist of at most :data:`ITERATOR_FREELIST_MAX` (its ``ob_refcnt`` word the
  link, as N9) or frees it with ``PyObject_GC_Del``, and only then releases its type and its cell
  (either may run Python code). A freelist entry owns no reference to a type: the constructors
  take one with ``PyObject_Init`` for the class they make, then track it (N1 holds for it).
- N16 Compiled code calls the constructors and iterators through :func:`direct`: a builtin
  function object (``PyCFunction``, flags ``METH_FASTCALL | METH_KEYWORDS``) whose C function is
  the native code and whose ``self`` is the native callable. CPython calls such a function as
  ``(self, args, nargs, kwnames)``: the vectorcall signature the code has, with ``self`` where the
  code reads its miss handler and ``nargs`` without ``PY_VECTORCALL_ARGUMENTS_OFFSET`` (which the
  code masks off anyway). CPython specializes calls of exact builtin functions with these flags
  into a direct C call (3.11 ``PRECALL_BUILTIN_FAST_WITH_KEYWORDS``, 3.12-3.13
  ``CALL_BUILTIN_FAST_WITH_KEYWORDS``); a call of the native callable object takes the generic
  path, about 80 instructions more on 3.11. The ``PyMethodDef`` lives as long as the process.
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys
import warnings
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

from lisp.runtime import hooks
from lisp.runtime.data import NIL, Cons, SourceCons, T, cl_symbol, make_list
from lisp.runtime.ratio import REAL_TYPES, Ratio

# -- the Python meaning of each function (also the fallback of its native code) ---------------------


def _cons(car: Any, cdr: Any) -> Cons:
    return Cons(car, cdr)


def _make_cons(car: Any, cdr: Any = NIL) -> Cons:
    return Cons(car, cdr)


def _list_of(*items: Any) -> Any:
    return make_list(items)


def _list_star(first: Any, *rest: Any) -> Any:
    if not rest:
        return first
    return make_list((first, *rest[:-1]), rest[-1])


def _list_cells(lst: Any, who: str | None = None) -> tuple[list[Cons], Any]:
    """The conses of a list and what ends it (NIL or a dotted tail), taken in one bounded walk;
    TYPE-ERROR for a non-list or a circular list. What callers do with the snapshot cannot hang or
    crash whatever another thread does to the list meanwhile."""
    if lst is not NIL and not isinstance(lst, Cons):
        _list_error(lst, f"the value {_show(lst)} is not of type LIST", who)
    out = []
    cell = lst
    # Brent's cycle check: compare with a cell saved at each power of two.
    saved, power, steps = lst, 1, 0
    while isinstance(cell, Cons):
        out.append(cell)
        cell = cell.cdr
        if cell is saved:
            _list_error(lst, "a circular list is not a proper list", who)
        steps += 1
        if steps == power:
            saved, power, steps = cell, power * 2, 0
    return out, cell


def _cells_of(lst: Any, who: str | None = None) -> list[Cons]:
    """The conses of a list that may be dotted (its tail is the last one's cdr); TYPE-ERROR for a
    non-list or a circular list."""
    return _list_cells(lst, who)[0]


def _to_list(lst: Any, who: str | None = None) -> list[Any]:
    """The elements of a proper list; TYPE-ERROR for a non-list, a dotted tail or a cycle."""
    cells, end = _list_cells(lst, who)
    if end is not NIL:
        _list_error(end, f"the list ends in the dotted tail {_show(end)}, not NIL", who)
    return [cell.car for cell in cells]


def _length(lst: Any, who: str | None = None) -> int:
    """The length of a proper list; TYPE-ERROR for a non-list, a dotted tail or a cycle."""
    return len(_to_list(lst, who))


def _last_cons(lst: Any, who: str | None = None) -> Any:
    """The last cons of a list (a dotted one too), NIL for NIL; TYPE-ERROR for a non-list or a
    circular list."""
    cells, _ = _list_cells(lst, who)
    return cells[-1] if cells else NIL


def _map_items(fn: Callable[[Any], Any], lst: Any, who: str | None = None) -> Any:
    """The chain of ``fn(x)`` for each element of the proper list ``lst``, in order."""
    return list_of(*map(fn, _to_list(lst, who)))


def _keep_if(pred: Callable[[Any], Any], lst: Any, who: str | None = None) -> Any:
    """The chain of the elements of the proper list ``lst`` for which ``pred`` is true (not NIL)."""
    return list_of(*[x for x in _to_list(lst, who) if pred(x) is not NIL])


def _keep_if_not(pred: Callable[[Any], Any], lst: Any, who: str | None = None) -> Any:
    """The chain of the elements of the proper list ``lst`` for which ``pred`` is NIL."""
    return list_of(*[x for x in _to_list(lst, who) if pred(x) is NIL])


def _replace_cars(lst: Any, items: list[Any]) -> Any:
    """Store ``items`` into the cars of the conses of ``lst`` in turn; ``lst``. It must have as
    many conses (sort and nreverse give it its own elements)."""
    cell = lst
    for x in items:
        if not isinstance(cell, Cons):
            raise ValueError(f"replace_cars: fewer conses than the {len(items)} items")
        cell.car = x
        cell = cell.cdr
    return lst


def _evenp(x: Any) -> Any:
    """T if the integer ``x`` is even, else NIL; TYPE-ERROR for a non-integer."""
    if type(x) is not int:
        _integer_error(x)
    return NIL if x & 1 else T


def _oddp(x: Any) -> Any:
    """T if the integer ``x`` is odd, else NIL; TYPE-ERROR for a non-integer."""
    if type(x) is not int:
        _integer_error(x)
    return T if x & 1 else NIL



def _all_reals(items: list[Any]) -> Any:
    """T if every element of the Python list ``items`` is a real (its type exactly one of
    :data:`REAL_TYPES`), else NIL: SORT's check before Python's own comparison sorts numbers."""
    return T if REAL_TYPES.issuperset(map(type, items)) else NIL


class ListIterator:
    """The elements of a list in order, for a Python ``for`` loop (DOLIST): NIL ends it; a tail
    that is neither NIL nor a cons (SourceCons and other subclasses count) is a TYPE-ERROR naming
    ``who`` and the tail, raised when the walk reaches it. A circular list never ends (as in
    SBCL). Native code replaces ``__iter__`` and ``__next__`` (N12); these are their meaning."""

    __slots__ = ("cell",)
    who = "DOLIST"

    def __init__(self, lst: Any) -> None:
        self.cell = lst

    def __iter__(self) -> ListIterator:
        return self

    def __next__(self) -> Any:
        cell = self.cell
        if cell is NIL:
            raise StopIteration
        if not isinstance(cell, Cons):
            _list_error(cell, f"{_show(cell)} is not a list", self.who)
        car = cell.car
        self.cell = cell.cdr
        return car


class LoopListIterator(ListIterator):
    """A :class:`ListIterator` for LOOP's ``for var in list``."""

    __slots__ = ()
    who = "LOOP FOR IN"


def _list_iter(lst: Any) -> ListIterator:
    """An iterator over the elements of ``lst`` (:class:`ListIterator`)."""
    return ListIterator(lst)


def _loop_list_iter(lst: Any) -> LoopListIterator:
    """An iterator over the elements of ``lst`` (:class:`LoopListIterator`)."""
    return LoopListIterator(lst)


def _integer_error(datum: Any) -> None:
    from lisp.runtime.signals import type_error

    type_error(datum, cl_symbol("INTEGER"))


def _list_error(datum: Any, message: str, who: str | None) -> None:
    from lisp.runtime.signals import type_error

    type_error(datum, cl_symbol("LIST"), message if who is None else f"{who}: {message}")


def _show(x: Any) -> str:
    return hooks.prin1_to_string(x)


# -- native code ----------------------------------------------------------------------------------

_MASK = (1 << 63) - 1  # clears PY_VECTORCALL_ARGUMENTS_OFFSET from nargsf


# The objects the code compares with or makes, as external symbols: the IR is the same in every
# process (so the JIT's object cache can keep it), the addresses come at link time.
_NIL, _LIST_TYPE, _CONS, _SOURCE_CONS = "@_Py_NoneStruct", "@PyList_Type", "@gfjit_lisp_Cons", "@gfjit_lisp_SourceCons"
_INT_TYPE, _FLOAT_TYPE, _T = "@PyLong_Type", "@PyFloat_Type", "@gfjit_lisp_T"
_RATIO, _FRACTION = "@gfjit_lisp_Ratio", "@gfjit_lisp_Fraction"
_ITERATOR, _LOOP_ITERATOR = "@gfjit_lisp_ListIterator", "@gfjit_lisp_LoopListIterator"
_ITERATOR_NEXT = "@gfjit_lisp_ListIterator_next"
_NEXT = ListIterator.__next__  # the native __next__'s fallback, held here for good
# All live as long as the process.
_IMPORTS = {_CONS[1:]: id(Cons), _SOURCE_CONS[1:]: id(SourceCons), _T[1:]: id(T), _ITERATOR[1:]: id(ListIterator),
            _LOOP_ITERATOR[1:]: id(LoopListIterator), _ITERATOR_NEXT[1:]: id(_NEXT), _RATIO[1:]: id(Ratio),
            _FRACTION[1:]: id(Fraction)}


def _miss_ir(offset: int) -> str:
    """Block ``miss``: the same call, made to the fallback kept at ``offset`` in the callable."""
    return f"""miss:
  %slot = getelementptr i8, ptr %self, i64 {offset}
  %handler = load ptr, ptr %slot, align 8
  %r = musttail call ptr @PyObject_Vectorcall(ptr %handler, ptr %args, i64 %nargsf, ptr %kwnames)
  ret ptr %r"""


def _builder_ir(name: str, nmin: int, nmax: int | None, tail_from: int | None, offsets: tuple[int, int],
                miss: int) -> str:
    """A vectorcall function making a chain of its arguments. With ``nargs >= tail_from`` the last
    argument is the tail (LIST*), else the tail is NIL; other argument counts go to the fallback."""
    car, cdr = offsets
    counts = [f"%wrongn = icmp ult i64 %n, {nmin}"] if nmax is None else [
        f"%few = icmp ult i64 %n, {nmin}", f"%many = icmp ugt i64 %n, {nmax}", "%wrongn = or i1 %few, %many"]
    if tail_from is None:
        tail = f"""  %tail = bitcast ptr {_NIL} to ptr
  %count = add i64 %n, 0"""
    else:
        tail = f"""  %has_tail = icmp uge i64 %n, {tail_from}
  %last = sub i64 %n, 1
  %lastp = getelementptr ptr, ptr %args, i64 %last
  %lastv = load ptr, ptr %lastp, align 8
  %tail = select i1 %has_tail, ptr %lastv, ptr {_NIL}
  %count = select i1 %has_tail, i64 %last, i64 %n"""
    return f"""
{_prologue_ir(name, counts, "", miss)}
{tail}
  call void @Py_IncRef(ptr %tail)
  br label %loop
loop:
  %i = phi i64 [ %count, %start ], [ %i1, %fill ]
  %acc = phi ptr [ %tail, %start ], [ %cell, %fill ]
  %done = icmp eq i64 %i, 0
  br i1 %done, label %exit, label %alloc
alloc:
  %i1 = sub i64 %i, 1
  %cell = call ptr @gfjit_lisp_cons_alloc()
  %failed = icmp eq ptr %cell, null
  br i1 %failed, label %fail, label %fill
fill:
  %itemp = getelementptr ptr, ptr %args, i64 %i1
  %item = load ptr, ptr %itemp, align 8
  call void @Py_IncRef(ptr %item)
  %carp = getelementptr i8, ptr %cell, i64 {car}
  store ptr %item, ptr %carp, align 8
  %cdrp = getelementptr i8, ptr %cell, i64 {cdr}
  store ptr %acc, ptr %cdrp, align 8
  br label %loop
fail:
  call void @Py_DecRef(ptr %acc)
  ret ptr null
exit:
  ret ptr %acc
}}
"""


def _exact_type_ir(prefix: str, value: str, type_: str, yes: str, no: str) -> str:
    """Branch to ``yes`` if the type of ``value`` (not NULL) is exactly ``type_``, else ``no``."""
    return f"""  %{prefix}tp = getelementptr i8, ptr {value}, i64 8
  %{prefix}type = load ptr, ptr %{prefix}tp, align 8
  %{prefix}exact = icmp eq ptr %{prefix}type, {type_}
  br i1 %{prefix}exact, label %{yes}, label %{no}"""


def _is_cons_ir(prefix: str, value: str, yes: str, no: str, subclasses: bool = True) -> str:
    """Branch to ``yes`` if ``value`` is a Cons (SourceCons too, and other subclasses unless
    ``subclasses`` is false: then no call is made), else ``no`` (also for NULL: a slot emptied by
    Python's ``del cell.cdr``)."""
    other = f"""{prefix}sub:
  %{prefix}r = call i32 @PyType_IsSubtype(ptr %{prefix}type, ptr {_CONS})
  %{prefix}ok = icmp ne i32 %{prefix}r, 0
  br i1 %{prefix}ok, label %{yes}, label %{no}""" if subclasses else ""
    return f"""  %{prefix}null = icmp eq ptr {value}, null
  br i1 %{prefix}null, label %{no}, label %{prefix}get
{prefix}get:
  %{prefix}t = getelementptr i8, ptr {value}, i64 8
  %{prefix}type = load ptr, ptr %{prefix}t, align 8
  %{prefix}c = icmp eq ptr %{prefix}type, {_CONS}
  br i1 %{prefix}c, label %{yes}, label %{prefix}src
{prefix}src:
  %{prefix}s = icmp eq ptr %{prefix}type, {_SOURCE_CONS}
  br i1 %{prefix}s, label %{yes}, label %{prefix + "sub" if subclasses else no}
{other}"""


def _prologue_ir(name: str, counts: list[str], alloca: str, miss: int) -> str:
    """The start of a vectorcall function: ``alloca`` (IR, may be empty) in the entry block; a call
    with keywords, or for which the IR ``counts`` (reading the argument count ``%n``) sets
    ``%wrongn``, goes to the fallback; the others go on in block ``start``."""
    checks = "\n  ".join(counts)
    return f"""define ptr @{name}(ptr %self, ptr %args, i64 %nargsf, ptr %kwnames) {{
entry:
  {alloca}
  %n = and i64 %nargsf, {_MASK}
  %kw = icmp ne ptr %kwnames, null
  {checks}
  %bad = or i1 %kw, %wrongn
  br i1 %bad, label %miss, label %start
{_miss_ir(miss)}
start:"""


def _cells_loop_ir(label: str, cell: str, first: tuple[str, str], again: tuple[str, str], bound: str, body: str,
                   done: str, not_cons: str, extra: str = "") -> str:
    """Block ``label``, the head of a loop over at most ``bound`` conses: ``cell`` is ``first[0]``
    coming from block ``first[1]``, then ``again[0]`` from block ``again[1]``; ``%i`` counts the
    rounds from 0 (the body sets ``%i1``, the next count). ``extra`` (IR: more phis, then anything)
    follows the phis. On to ``body`` for a cons, ``not_cons`` for anything else, ``done`` after
    ``bound`` rounds."""
    (start, entry), (step, back) = first, again
    return f"""{label}:
  {cell} = phi ptr [ {start}, %{entry} ], [ {step}, %{back} ]
  %i = phi i64 [ 0, %{entry} ], [ %i1, %{back} ]
{extra}
  %{label}more = icmp slt i64 %i, {bound}
  br i1 %{label}more, label %{label}check, label %{done}
{label}check:
{_is_cons_ir(label, cell, body, not_cons)}"""


def _entry_ir(name: str, loads: list[str], alloca: str, miss: int) -> str:
    """The start of a vectorcall function of ``len(loads)`` arguments (:func:`_prologue_ir`), the
    arguments loaded into the names ``loads`` in block ``start``."""
    loaded = "\n".join(f"""  %argp{i} = getelementptr ptr, ptr %args, i64 {i}
  {target} = load ptr, ptr %argp{i}, align 8""" for i, target in enumerate(loads))
    return f"""{_prologue_ir(name, [f"%wrongn = icmp ne i64 %n, {len(loads)}"], alloca, miss)}
{loaded}"""


def _walker_ir(entry: str, finish: str, offsets: tuple[int, int]) -> str:
    """A vectorcall function that starts with the IR ``entry`` (:func:`_entry_ir`, loading the
    list into ``%lst``), walks a proper, non-circular chain, counting its conses (``%len``) and
    keeping the last (``%last``, NIL for an empty list), then runs the IR ``finish`` (which starts
    with block ``done``). Any other list goes to the fallback."""
    cdr = offsets[1]
    return f"""
{entry}
  br label %count
count:
  %cell = phi ptr [ %lst, %start ], [ %next, %step ]
  %last = phi ptr [ %lst, %start ], [ %cell, %step ]
  %len = phi i64 [ 0, %start ], [ %len1, %step ]
  %saved = phi ptr [ %lst, %start ], [ %saved1, %step ]
  %power = phi i64 [ 1, %start ], [ %power1, %step ]
  %steps = phi i64 [ 0, %start ], [ %steps1, %step ]
  %end = icmp eq ptr %cell, {_NIL}
  br i1 %end, label %done, label %check
check:
{_is_cons_ir("k", "%cell", "advance", "miss")}
advance:
  %cdrp = getelementptr i8, ptr %cell, i64 {cdr}
  %next = load ptr, ptr %cdrp, align 8
  %len1 = add i64 %len, 1
  %cycle = icmp eq ptr %next, %saved
  br i1 %cycle, label %miss, label %step
step:
  ; Brent's cycle check: compare with a cell saved at each power of two.
  %stepsp = add i64 %steps, 1
  %rebase = icmp eq i64 %stepsp, %power
  %saved1 = select i1 %rebase, ptr %next, ptr %saved
  %power2 = shl i64 %power, 1
  %power1 = select i1 %rebase, i64 %power2, i64 %power
  %steps1 = select i1 %rebase, i64 0, i64 %stepsp
  br label %count
{finish}
}}
"""


def _pair_with_list_ir(name: str, first: str, miss: int) -> str:
    """The start of a vectorcall function of two arguments, the second a Python list: ``first``
    and ``%items`` loaded, on to block ``begin``; any other call goes to the fallback."""
    return f"""{_entry_ir(name, [first, "%items"], "", miss)}
{_exact_type_ir("items", "%items", _LIST_TYPE, "begin", "miss")}"""


def _replace_cars_ir(name: str, offsets: tuple[int, int], miss: int) -> str:
    """A vectorcall function ``(lst, items)``: store the items of a Python list into the cars of
    the conses of ``lst`` in turn; returns ``lst``. Anything else (a chain with fewer conses) goes
    to the fallback, which stores again from the start (N6)."""
    car, cdr = offsets
    return f"""
{_pair_with_list_ir(name, "%lst", miss)}
begin:
  call void @Py_IncRef(ptr %lst)
  br label %loop
{_cells_loop_ir("loop", "%cell", ("%lst", "begin"), ("%next", "store"), "%size", "store", "done", "short",
                extra="  %size = call i64 @PyList_Size(ptr %items)")}
short:
  call void @Py_DecRef(ptr %cell)
  br label %miss
store:
  %item = call ptr @PyList_GetItem(ptr %items, i64 %i)
  call void @Py_IncRef(ptr %item)
  %carp = getelementptr i8, ptr %cell, i64 {car}
  %old = load ptr, ptr %carp, align 8
  store ptr %item, ptr %carp, align 8
  %cdrp = getelementptr i8, ptr %cell, i64 {cdr}
  %next = load ptr, ptr %cdrp, align 8
  call void @Py_IncRef(ptr %next)
  call void @Py_DecRef(ptr %old)
  call void @Py_DecRef(ptr %cell)
  %i1 = add i64 %i, 1
  br label %loop
done:
  call void @Py_DecRef(ptr %cell)
  call void @Py_IncRef(ptr %lst)
  ret ptr %lst
}}
"""


def _elements_finish(offsets: tuple[int, int], cells: bool = False) -> str:
    """The cars (or with ``cells`` the conses themselves) as a new Python list (N4: each cell is
    checked again while the list is filled; a car emptied by Python's ``del cell.car`` goes to
    the fallback too)."""
    car, cdr = offsets
    return f"""done:
  %list = call ptr @PyList_New(i64 %len)
  %failed = icmp eq ptr %list, null
  br i1 %failed, label %fail, label %fill
{_cells_loop_ir("fill", "%fcell", ("%lst", "done"), ("%fnext", "put"), "%len", "store", "exit", "changed")}
changed:
  call void @Py_DecRef(ptr %list)
  br label %miss
store:
  %carp = getelementptr i8, ptr %fcell, i64 {car}
  %item = load ptr, ptr %carp, align 8
  %nocar = icmp eq ptr %item, null
  br i1 %nocar, label %changed, label %put
put:
  call void @Py_IncRef(ptr {"%fcell" if cells else "%item"})
  %ignored = call i32 @PyList_SetItem(ptr %list, i64 %i, ptr {"%fcell" if cells else "%item"})
  %fcdrp = getelementptr i8, ptr %fcell, i64 {cdr}
  %fnext = load ptr, ptr %fcdrp, align 8
  %i1 = add i64 %i, 1
  br label %fill
fail:
  ret ptr null
exit:
  ret ptr %list"""


_LENGTH_FINISH = """done:
  %length = call ptr @PyLong_FromSsize_t(i64 %len)
  ret ptr %length"""

_LAST_FINISH = """done:
  call void @Py_IncRef(ptr %last)
  ret ptr %last"""


def _mapper_ir(name: str, keep: str | None, offsets: tuple[int, int], miss: int) -> str:
    """A vectorcall function ``(fn, list)`` over a proper list: the chain of ``fn(item)`` for each
    item (``keep`` None), or of the items for which ``fn`` returns NIL (``keep`` "nil") or anything
    else (``keep`` "true"), calling ``fn`` in order; an error from ``fn`` propagates (N5)."""
    car, cdr = offsets
    nil = _NIL

    def from_drop(value: str) -> str:
        return "" if keep is None else f", [ {value}, %drop ]"

    if keep is None:
        decide = """  call void @Py_DecRef(ptr %item)
  br label %make"""
        value = "%res"
    else:
        cmp = "eq" if keep == "nil" else "ne"
        decide = f"""  %isnil = icmp {cmp} ptr %res, {nil}
  call void @Py_DecRef(ptr %res)
  br i1 %isnil, label %make, label %drop
drop:
  call void @Py_DecRef(ptr %item)
  br label %onward"""
        value = "%item"
    # %cur: the cell whose car goes to fn next, owned; at most %len cells, the list as fn leaves it
    chain = """  %head = phi ptr [ null, %done ], [ %head1, %onward ]
  %tail = phi ptr [ null, %done ], [ %tail1, %onward ]"""
    walk = f"""done:
  call void @Py_IncRef(ptr %lst)
  br label %loop
{_cells_loop_ir("loop", "%cur", ("%lst", "done"), ("%after", "onward"), "%len", "getcar", "finished", "finished", chain)}
getcar:
  %itemp = getelementptr i8, ptr %cur, i64 {car}
  %item = load ptr, ptr %itemp, align 8
  %noitem = icmp eq ptr %item, null
  br i1 %noitem, label %finished, label %call
call:
  call void @Py_IncRef(ptr %item)
  store ptr %item, ptr %slotp, align 8
  %res = call ptr @PyObject_Vectorcall(ptr %fn, ptr %slotp, i64 1, ptr null)
  %failed = icmp eq ptr %res, null
  br i1 %failed, label %callfail, label %decide
callfail:
  call void @Py_DecRef(ptr %item)
  br label %fail
decide:
{decide}
make:
  %new = call ptr @gfjit_lisp_cons_alloc()
  %nonew = icmp eq ptr %new, null
  br i1 %nonew, label %allocfail, label %fill
allocfail:
  call void @Py_DecRef(ptr {value})
  br label %fail
fill:
  %newcarp = getelementptr i8, ptr %new, i64 {car}
  store ptr {value}, ptr %newcarp, align 8
  call void @Py_IncRef(ptr {nil})
  %newcdrp = getelementptr i8, ptr %new, i64 {cdr}
  store ptr {nil}, ptr %newcdrp, align 8
  %first = icmp eq ptr %tail, null
  br i1 %first, label %begin, label %link
begin:
  ; the head's reference is ours; the tail's too (an extra one, so the tail outlives any change
  ; made to the chain by code that found it through the collector)
  call void @Py_IncRef(ptr %new)
  br label %onward
link:
  %tcdrp = getelementptr i8, ptr %tail, i64 {cdr}
  %old = load ptr, ptr %tcdrp, align 8
  store ptr %new, ptr %tcdrp, align 8
  call void @Py_IncRef(ptr %new)
  call void @Py_DecRef(ptr %tail)
  call void @Py_DecRef(ptr %old)
  br label %onward
onward:
  %head1 = phi ptr [ %new, %begin ], [ %head, %link ]{from_drop("%head")}
  %tail1 = phi ptr [ %new, %begin ], [ %new, %link ]{from_drop("%tail")}
  ; the next cell is read now, after the call; taken before the current one is let go
  %curcdrp = getelementptr i8, ptr %cur, i64 {cdr}
  %curcdr = load ptr, ptr %curcdrp, align 8
  %nocdr = icmp eq ptr %curcdr, null
  %after = select i1 %nocdr, ptr {nil}, ptr %curcdr
  call void @Py_IncRef(ptr %after)
  call void @Py_DecRef(ptr %cur)
  %i1 = add i64 %i, 1
  br label %loop
fail:
  call void @Py_DecRef(ptr %cur)
  %hadtail = icmp ne ptr %tail, null
  br i1 %hadtail, label %release, label %failed_out
release:
  call void @Py_DecRef(ptr %tail)
  call void @Py_DecRef(ptr %head)
  br label %failed_out
failed_out:
  ret ptr null
finished:
  call void @Py_DecRef(ptr %cur)
  %empty = icmp eq ptr %head, null
  br i1 %empty, label %nil, label %result
nil:
  call void @Py_IncRef(ptr {nil})
  ret ptr {nil}
result:
  call void @Py_DecRef(ptr %tail)
  ret ptr %head"""
    return _walker_ir(_entry_ir(name, ["%fn", "%lst"], "%slotp = alloca ptr, align 8", miss), walk, offsets)


def _parity_ir(name: str, odd: bool, miss: int) -> str:
    """A vectorcall function of one ``int`` that fits a C long (N7): T if it is odd (``odd``) or
    even, else NIL. Any other call goes to the fallback (a bignum, a non-integer: its TYPE-ERROR)."""
    yes, no = (_T, _NIL) if odd else (_NIL, _T)
    return f"""
{_entry_ir(name, ["%x"], "%overflowp = alloca i32, align 4", miss)}
{_exact_type_ir("x", "%x", _INT_TYPE, "convert", "miss")}
convert:
  %v = call i64 @PyLong_AsLongAndOverflow(ptr %x, ptr %overflowp)
  %overflow = load i32, ptr %overflowp, align 4
  %big = icmp ne i32 %overflow, 0
  br i1 %big, label %miss, label %answer
answer:
  %bit = and i64 %v, 1
  %isodd = icmp ne i64 %bit, 0
  %parity = select i1 %isodd, ptr {yes}, ptr {no}
  call void @Py_IncRef(ptr %parity)
  ret ptr %parity
}}
"""


def _all_reals_ir(name: str, miss: int) -> str:
    """A vectorcall function of one Python list: T if every element's type is exactly one of
    :data:`REAL_TYPES`, else NIL (it calls no Python code, so the list cannot change meanwhile).
    Any other call goes to the fallback."""
    return f"""
{_entry_ir(name, ["%items"], "", miss)}
{_exact_type_ir("items", "%items", _LIST_TYPE, "begin", "miss")}
begin:
  %size = call i64 @PyList_Size(ptr %items)
  br label %loop
loop:
  %i = phi i64 [ 0, %begin ], [ %i1, %check ]
  %more = icmp slt i64 %i, %size
  br i1 %more, label %check, label %yes
check:
  %item = call ptr @PyList_GetItem(ptr %items, i64 %i)
  %tp = getelementptr i8, ptr %item, i64 8
  %type = load ptr, ptr %tp, align 8
  %isint = icmp eq ptr %type, {_INT_TYPE}
  %isfloat = icmp eq ptr %type, {_FLOAT_TYPE}
  %isratio = icmp eq ptr %type, {_RATIO}
  %isfraction = icmp eq ptr %type, {_FRACTION}
  %exact = or i1 %isint, %isfloat
  %rational = or i1 %isratio, %isfraction
  %real = or i1 %exact, %rational
  %i1 = add i64 %i, 1
  br i1 %real, label %loop, label %no
yes:
  call void @Py_IncRef(ptr {_T})
  ret ptr {_T}
no:
  call void @Py_IncRef(ptr {_NIL})
  ret ptr {_NIL}
}}
"""


def _list_iter_ir(name: str, iterator: str, cell: int, miss: int) -> str:
    """A vectorcall function of one argument: a new :class:`ListIterator` (of the class named
    ``iterator``; its ``cell`` slot at offset ``cell``) standing on it (N1 for the iterator: a zero
    slot is unset)."""
    return f"""
{_entry_ir(name, ["%lst"], "", miss)}
  %it = call ptr @gfjit_lisp_iter_alloc(ptr {iterator})
  %failed = icmp eq ptr %it, null
  br i1 %failed, label %fail, label %fill
fail:
  ret ptr null
fill:
  call void @Py_IncRef(ptr %lst)
  %cellp = getelementptr i8, ptr %it, i64 {cell}
  store ptr %lst, ptr %cellp, align 8
  ret ptr %it
}}
"""


_DEBUG_BUILD = hasattr(sys, "gettotalrefcount")  # it counts every reference: its own calls do (N14)


def _incref_ir(value: str, label: str) -> str:
    """IR: ``Py_INCREF(value)`` (not NULL) inline, as this CPython does it (N14); on in block
    ``label``."""
    if _DEBUG_BUILD:
        return f"""  call void @Py_IncRef(ptr {value})
  br label %{label}
{label}:"""
    if sys.version_info >= (3, 12):
        return f"""  %{label}lo = load i32, ptr {value}, align 8
  %{label}n = add i32 %{label}lo, 1
  %{label}immortal = icmp eq i32 %{label}n, 0
  br i1 %{label}immortal, label %{label}, label %{label}add
{label}add:
  store i32 %{label}n, ptr {value}, align 8
  br label %{label}
{label}:"""
    return f"""  %{label}rc = load i64, ptr {value}, align 8
  %{label}n = add i64 %{label}rc, 1
  store i64 %{label}n, ptr {value}, align 8
  br label %{label}
{label}:"""


def _decref_ir(value: str, label: str, dead: str | None = None) -> str:
    """IR: ``Py_DECREF(value)`` (not NULL) inline, as this CPython does it (N14): the object's
    ``tp_dealloc`` runs (through ``_Py_Dealloc``) when the count reaches 0, or the code branches
    to block ``dead`` then if given; on in block ``label``."""
    if _DEBUG_BUILD:
        return f"""  call void @Py_DecRef(ptr {value})
  br label %{label}
{label}:"""
    immortal = f"""  %{label}lo = load i32, ptr {value}, align 8
  %{label}immortal = icmp slt i32 %{label}lo, 0
  br i1 %{label}immortal, label %{label}, label %{label}sub
{label}sub:""" if sys.version_info >= (3, 12) else ""
    free = "" if dead else f"""{label}free:
  call void @_Py_Dealloc(ptr {value})
  br label %{label}
"""
    return f"""{immortal}
  %{label}rc = load i64, ptr {value}, align 8
  %{label}n = sub i64 %{label}rc, 1
  store i64 %{label}n, ptr {value}, align 8
  %{label}dead = icmp eq i64 %{label}n, 0
  br i1 %{label}dead, label %{dead or label + "free"}, label %{label}
{free}{label}:"""


def _list_next_ir(offsets: tuple[int, int], cell: int) -> str:
    """``gfjit_lisp_list_next(it)``: the ``tp_iternext`` of :class:`ListIterator` (N12);
    ``gfjit_lisp_iter_alloc(type)`` and ``gfjit_lisp_iter_dealloc(it)``: a new iterator of either
    class, from a freelist when it has one, and their ``tp_dealloc`` (N15)."""
    car, cdr = offsets
    return f"""
{_pool_ir("gfjit_lisp_iter", ITERATOR_FREELIST_MAX, None)}

define void @gfjit_lisp_iter_dealloc(ptr %it) {{
entry:
  call void @PyObject_GC_UnTrack(ptr %it)
  %cellp = getelementptr i8, ptr %it, i64 {cell}
  %cell = load ptr, ptr %cellp, align 8
  store ptr null, ptr %cellp, align 8
  %tp = getelementptr i8, ptr %it, i64 8
  %type = load ptr, ptr %tp, align 8
  call void @gfjit_lisp_iter_keep(ptr %it)
  ; last, when the iterator is gone: these may run any Python code
  call void @Py_DecRef(ptr %type)
  %nocell = icmp eq ptr %cell, null
  br i1 %nocell, label %done, label %dropcell
dropcell:
  call void @Py_DecRef(ptr %cell)
  br label %done
done:
  ret void
}}

; The step's fast path calls nothing, so it needs no stack frame (LLVM saves registers only on
; paths with calls): everything else is a tail call of a helper. A subclass of Cons other than
; SourceCons takes the Python __next__, which accepts it.
define ptr @gfjit_lisp_list_next(ptr %it) {{
entry:
  %cellp = getelementptr i8, ptr %it, i64 {cell}
  %cell = load ptr, ptr %cellp, align 8
  %end = icmp eq ptr %cell, {_NIL}
  br i1 %end, label %stop, label %check
stop:
  ; N12: NULL and no exception set is the end of the iteration for FOR_ITER and PyIter_Next
  ret ptr null
check:
{_is_cons_ir("k", "%cell", "take", "miss", subclasses=False)}
take:
  %carp = getelementptr i8, ptr %cell, i64 {car}
  %item = load ptr, ptr %carp, align 8
  %cdrp = getelementptr i8, ptr %cell, i64 {cdr}
  %next = load ptr, ptr %cdrp, align 8
  %nocar = icmp eq ptr %item, null
  %nocdr = icmp eq ptr %next, null
  %unset = or i1 %nocar, %nocdr
  br i1 %unset, label %miss, label %advance
advance:
{_incref_ir("%item", "counted")}
{_incref_ir("%next", "counted2")}
  store ptr %next, ptr %cellp, align 8
{_decref_ir("%cell", "released", dead="dead")}
  ret ptr %item
dead:
  %freed = tail call ptr @gfjit_lisp_dealloc_returning(ptr %cell, ptr %item)
  ret ptr %freed
miss:
  ; not a list, or a slot emptied by Python's del: the Python __next__ says what is wrong
  %r = tail call ptr @gfjit_lisp_list_next_miss(ptr %it)
  ret ptr %r
}}

define ptr @gfjit_lisp_dealloc_returning(ptr %dead, ptr %result) noinline {{
entry:
  call void @_Py_Dealloc(ptr %dead)
  ret ptr %result
}}

define ptr @gfjit_lisp_list_next_miss(ptr %it) noinline {{
entry:
  %slotp = alloca ptr, align 8
  store ptr %it, ptr %slotp, align 8
  %r = call ptr @PyObject_Vectorcall(ptr {_ITERATOR_NEXT}, ptr %slotp, i64 1, ptr null)
  ret ptr %r
}}
"""


def _traverse_ir(offsets: tuple[int, int]) -> str:
    """``gfjit_lisp_cons_traverse(self, visit, arg)``: the ``tp_traverse`` of Cons (N13)."""
    car, cdr = offsets

    def visit(slot: str, offset: int, then: str) -> str:
        return f"""{slot}:
  %{slot}p = getelementptr i8, ptr %self, i64 {offset}
  %{slot}v = load ptr, ptr %{slot}p, align 8
  %{slot}null = icmp eq ptr %{slot}v, null
  br i1 %{slot}null, label %{then}, label %{slot}visit
{slot}visit:
  %{slot}r = call i32 %visit(ptr %{slot}v, ptr %arg)
  %{slot}stop = icmp ne i32 %{slot}r, 0
  br i1 %{slot}stop, label %{slot}out, label %{then}
{slot}out:
  ret i32 %{slot}r"""

    # Py_TYPE(self), not Cons: a subclass's subtype_traverse leaves its type to us (N13)
    return f"""
define i32 @gfjit_lisp_cons_traverse(ptr %self, ptr %visit, ptr %arg) {{
entry:
  br label %car
{visit("car", car, "cdr")}
{visit("cdr", cdr, "type")}
{visit("type", 8, "done")}
done:
  ret i32 0
}}
"""


# A freed list iterator goes to a freelist of at most this many (N15): a DOLIST makes one each time.
ITERATOR_FREELIST_MAX = 64

# A freed Cons goes to a freelist (N8-N11) of at most this many cells: 48 bytes each with the GC
# header, about 3 MB kept at most.
FREELIST_MAX = 65536
# Offsets in PyTypeObject (3.11-3.13).
_TP_DEALLOC, _TP_TRAVERSE, _TP_ITER, _TP_ITERNEXT, _TP_BASE, _TP_FREE = 48, 184, 216, 224, 256, 320


def _take_slots_ir(cell: str, car_to: str, cdr_to: str, offsets: tuple[int, int]) -> str:
    """Move the references in the slots of the dead ``cell`` into ``car_to`` and ``cdr_to``,
    leaving the slots NULL."""
    car, cdr = offsets
    return f"""  {car_to}p = getelementptr i8, ptr {cell}, i64 {car}
  {car_to} = load ptr, ptr {car_to}p, align 8
  store ptr null, ptr {car_to}p, align 8
  {cdr_to}p = getelementptr i8, ptr {cell}, i64 {cdr}
  {cdr_to} = load ptr, ptr {cdr_to}p, align 8
  store ptr null, ptr {cdr_to}p, align 8"""


def _pool_ir(prefix: str, limit: int, type_: str | None) -> str:
    """A freelist of dead GC objects of one size (N9, N15): ``@{prefix}_alloc`` (of ``type_``, or
    of its argument ``%type`` when None): a new object of that type, taken from the freelist
    (``PyObject_Init``: count 1, a reference to the type; then tracked) or from
    ``PyType_GenericAlloc``; ``@{prefix}_keep(obj)``: a dead, untracked object put on the freelist
    while it holds fewer than ``limit``, else freed with ``PyObject_GC_Del``. Its link to the next
    is kept in the ``ob_refcnt`` word; ``@{prefix}_free_count`` counts them."""
    param, tp = ("", type_) if type_ is not None else ("ptr %type", "%type")
    return f"""
@{prefix}_free_head = internal global ptr null
@{prefix}_free_count = global i64 0

define ptr @{prefix}_alloc({param}) {{
entry:
  %head = load ptr, ptr @{prefix}_free_head, align 8
  %empty = icmp eq ptr %head, null
  br i1 %empty, label %fresh, label %reuse
fresh:
  %new = call ptr @PyType_GenericAlloc(ptr {tp}, i64 0)
  ret ptr %new
reuse:
  %link = load ptr, ptr %head, align 8
  store ptr %link, ptr @{prefix}_free_head, align 8
  %count = load i64, ptr @{prefix}_free_count, align 8
  %count1 = sub i64 %count, 1
  store i64 %count1, ptr @{prefix}_free_count, align 8
  %ignored = call ptr @PyObject_Init(ptr %head, ptr {tp})
  call void @PyObject_GC_Track(ptr %head)
  ret ptr %head
}}

define internal void @{prefix}_keep(ptr %obj) {{
entry:
  %count = load i64, ptr @{prefix}_free_count, align 8
  %full = icmp uge i64 %count, {limit}
  br i1 %full, label %free, label %keep
keep:
  %head = load ptr, ptr @{prefix}_free_head, align 8
  store ptr %head, ptr %obj, align 8
  store ptr %obj, ptr @{prefix}_free_head, align 8
  %count1 = add i64 %count, 1
  store i64 %count1, ptr @{prefix}_free_count, align 8
  ret void
free:
  call void @PyObject_GC_Del(ptr %obj)
  ret void
}}
"""


def _freelist_ir(offsets: tuple[int, int]) -> str:
    """``gfjit_lisp_cons_alloc()``: a new Cons (N1), from the freelist when it has one;
    ``gfjit_lisp_cons_dealloc(self)``: the ``tp_dealloc`` of Cons (N8-N11)."""
    return f"""
{_pool_ir("gfjit_lisp_cons", FREELIST_MAX, _CONS)}

define internal void @gfjit_lisp_cons_recycle(ptr %cell) {{
entry:
  ; %cell: a dead exact Cons, untracked, both slots NULL (N9)
  call void @gfjit_lisp_cons_keep(ptr %cell)
  call void @Py_DecRef(ptr {_CONS})
  ret void
}}

define internal i1 @gfjit_lisp_cons_dying(ptr %x) {{
entry:
  ; an exact Cons whose only reference is the one being released
  %null = icmp eq ptr %x, null
  br i1 %null, label %no, label %typed
typed:
{_exact_type_ir("x", "%x", _CONS, "counted", "no")}
counted:
  %refcnt = load i64, ptr %x, align 8
  %last = icmp eq i64 %refcnt, 1
  ret i1 %last
no:
  ret i1 0
}}

define internal void @gfjit_lisp_cons_release(ptr %a0, ptr %b0) {{
entry:
  br label %loop
loop:
  ; %a, %b: references owned here; %stack: dead cells still owning their slots (N10)
  %a = phi ptr [ %a0, %entry ], [ %na, %take ]
  %b = phi ptr [ %b0, %entry ], [ %nb, %take ]
  %stack = phi ptr [ null, %entry ], [ %stack2, %take ]
  %adying = call i1 @gfjit_lisp_cons_dying(ptr %a)
  br i1 %adying, label %pusha, label %decrefa
pusha:
  call void @PyObject_GC_UnTrack(ptr %a)
  store ptr %stack, ptr %a, align 8
  br label %handleb
decrefa:
  call void @Py_DecRef(ptr %a)
  br label %handleb
handleb:
  %stack1 = phi ptr [ %a, %pusha ], [ %stack, %decrefa ]
  %bdying = call i1 @gfjit_lisp_cons_dying(ptr %b)
  br i1 %bdying, label %killb, label %decrefb
killb:
  call void @PyObject_GC_UnTrack(ptr %b)
  br label %take
decrefb:
  call void @Py_DecRef(ptr %b)
  %empty = icmp eq ptr %stack1, null
  br i1 %empty, label %exit, label %pop
pop:
  %link = load ptr, ptr %stack1, align 8
  br label %take
take:
  %cur = phi ptr [ %b, %killb ], [ %stack1, %pop ]
  %stack2 = phi ptr [ %stack1, %killb ], [ %link, %pop ]
{_take_slots_ir("%cur", "%na", "%nb", offsets)}
  call void @gfjit_lisp_cons_recycle(ptr %cur)
  br label %loop
exit:
  ret void
}}

define void @gfjit_lisp_cons_dealloc(ptr %self) {{
entry:
  call void @PyObject_GC_UnTrack(ptr %self)
{_take_slots_ir("%self", "%a", "%b", offsets)}
  %tp = getelementptr i8, ptr %self, i64 8
  %type = load ptr, ptr %tp, align 8
  %exact = icmp eq ptr %type, {_CONS}
  br i1 %exact, label %own, label %subclass
own:
  call void @gfjit_lisp_cons_recycle(ptr %self)
  br label %release
subclass:
  ; N11: what object's dealloc and a heap type's subtype_dealloc would do after subtype_dealloc
  ; of the subclass called us
  %freep = getelementptr i8, ptr %type, i64 {_TP_FREE}
  %free = load ptr, ptr %freep, align 8
  call void %free(ptr %self)
  call void @Py_DecRef(ptr %type)
  br label %release
release:
  call void @gfjit_lisp_cons_release(ptr %a, ptr %b)
  ret void
}}
"""


_DECLARATIONS = f"""
{_NIL} = external global i8
{_LIST_TYPE} = external global i8
{_CONS} = external global i8
{_SOURCE_CONS} = external global i8
{_INT_TYPE} = external global i8
{_FLOAT_TYPE} = external global i8
{_RATIO} = external global i8
{_FRACTION} = external global i8
{_T} = external global i8
{_ITERATOR} = external global i8
{_LOOP_ITERATOR} = external global i8
{_ITERATOR_NEXT} = external global i8
declare i64 @PyLong_AsLongAndOverflow(ptr, ptr)
declare ptr @PyObject_Vectorcall(ptr, ptr, i64, ptr)
declare ptr @PyType_GenericAlloc(ptr, i64)
declare i32 @PyType_IsSubtype(ptr, ptr)
declare ptr @PyList_New(i64)
declare ptr @PyLong_FromSsize_t(i64)
declare i64 @PyList_Size(ptr)
declare ptr @PyList_GetItem(ptr, i64)
declare i32 @PyList_SetItem(ptr, i64, ptr)
declare void @Py_IncRef(ptr)
declare void @Py_DecRef(ptr)
declare void @_Py_Dealloc(ptr)
declare ptr @PyObject_Init(ptr, ptr)
declare void @PyObject_GC_Track(ptr)
declare void @PyObject_GC_UnTrack(ptr)
declare void @PyObject_GC_Del(ptr)
"""

_IR = Callable[[str, tuple[int, int], int], str]  # (symbol, car/cdr offsets, fallback offset) -> IR


def _builder(nmin: int, nmax: int | None, tail_from: int | None) -> _IR:
    return lambda symbol, offsets, miss: _builder_ir(symbol, nmin, nmax, tail_from, offsets, miss)


def _walker(finish: Callable[[tuple[int, int]], str]) -> _IR:
    return lambda symbol, offsets, miss: _walker_ir(_entry_ir(symbol, ["%lst"], "", miss), finish(offsets), offsets)


def _iterator(iterator: str) -> _IR:
    return lambda symbol, _, miss: _list_iter_ir(symbol, iterator, _member_offset(ListIterator, "cell"), miss)


def _mapper(keep: str | None) -> _IR:
    return lambda symbol, offsets, miss: _mapper_ir(symbol, keep, offsets, miss)


# Python name -> (native symbol, fallback, its IR, the Lisp function it is or None).
_FUNCTIONS: dict[str, tuple[str, Callable[..., Any], _IR, str | None]] = {
    "cons": ("gfjit_lisp_cons", _cons, _builder(2, 2, 2), "CONS"),
    "make_cons": ("gfjit_lisp_make_cons", _make_cons, _builder(1, 2, 2), None),
    "list_of": ("gfjit_lisp_list", _list_of, _builder(0, None, None), "LIST"),
    "list_star": ("gfjit_lisp_list_star", _list_star, _builder(1, None, 1), "LIST*"),
    "to_list": ("gfjit_lisp_to_list", _to_list, _walker(_elements_finish), None),
    "cells_of": ("gfjit_lisp_cells_of", _cells_of, _walker(lambda offsets: _elements_finish(offsets, cells=True)), None),
    "length": ("gfjit_lisp_length", _length, _walker(lambda _: _LENGTH_FINISH), None),
    "last_cons": ("gfjit_lisp_last_cons", _last_cons, _walker(lambda _: _LAST_FINISH), None),
    "map_items": ("gfjit_lisp_map_items", _map_items, _mapper(None), None),
    "keep_if": ("gfjit_lisp_keep_if", _keep_if, _mapper("true"), None),
    "keep_if_not": ("gfjit_lisp_keep_if_not", _keep_if_not, _mapper("nil"), None),
    "replace_cars": ("gfjit_lisp_replace_cars", _replace_cars, _replace_cars_ir, None),
    "list_iter": ("gfjit_lisp_list_iter", _list_iter, _iterator(_ITERATOR), None),
    "loop_list_iter": ("gfjit_lisp_loop_list_iter", _loop_list_iter, _iterator(_LOOP_ITERATOR), None),
    "evenp": ("gfjit_lisp_evenp", _evenp, lambda symbol, _, miss: _parity_ir(symbol, False, miss), "EVENP"),
    "oddp": ("gfjit_lisp_oddp", _oddp, lambda symbol, _, miss: _parity_ir(symbol, True, miss), "ODDP"),
    "all_reals": ("gfjit_lisp_all_reals", _all_reals, lambda symbol, _, miss: _all_reals_ir(symbol, miss), None),
}


for _pyname, (_, _fallback, _, _) in _FUNCTIONS.items():
    # One name for both forms of a function, so an argument-count error names it either way.
    _fallback.__name__ = _fallback.__qualname__ = _pyname


def _member_offset(cls: type, name: str) -> int:
    """The offset of a ``__slots__`` member, read from its descriptor's PyMemberDef (N2)."""
    descriptor = cls.__dict__[name]
    # PyMemberDescrObject: PyObject_HEAD, d_type, d_name, d_qualname, then d_member.
    if ctypes.c_void_p.from_address(id(descriptor) + 16).value != id(cls):
        raise RuntimeError(f"{cls.__name__}.{name}: unexpected member descriptor layout")
    member = ctypes.c_void_p.from_address(id(descriptor) + 40).value
    if member is None or ctypes.c_char_p.from_address(member).value != name.encode():
        raise RuntimeError(f"{cls.__name__}.{name}: unexpected PyMemberDef layout")
    return ctypes.c_ssize_t.from_address(member + 16).value


def _slot_offsets() -> tuple[int, int]:
    """car and cdr offsets, checked by reading a cons made by Python (N2)."""
    offsets = (_member_offset(Cons, "car"), _member_offset(Cons, "cdr"))
    a, b = object(), object()
    for probe_type, probe in ((Cons, Cons(a, b)), (SourceCons, SourceCons(a, b, None))):
        read = tuple(ctypes.c_void_p.from_address(id(probe) + off).value for off in offsets)
        if read != (id(a), id(b)):
            raise RuntimeError(f"{probe_type.__name__} slots are not at offsets {offsets}")
    return offsets


class NativeListFunction:
    """Base of the native callable type: a Lisp list primitive run as machine code."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<native list function {getattr(self, '__name__')}>"


def _native_functions() -> dict[str, Any] | None:
    """The native callables, or None (warned once) when native code cannot be trusted here."""
    from dispatch import native

    reason = native.unavailable_reason()
    if os.environ.get("GFJIT_NATIVE", "1") in ("0", "false", "no", "off"):
        reason = "GFJIT_NATIVE is off"
    if reason is None:
        try:
            return _compile(native)
        except Exception as e:  # noqa: BLE001 - any failure means: do not trust native code
            reason = f"{type(e).__name__}: {e}"
    warnings.warn(f"gfjit: native conses disabled ({reason}); using Python code", RuntimeWarning, stacklevel=2)
    return None


def _compile(native: Any) -> dict[str, Any]:
    import jit

    offsets = _slot_offsets()
    miss = native.MISS_HANDLER_OFFSET
    ir = [_DECLARATIONS, _freelist_ir(offsets)]
    for symbol, _, make_ir, _ in _FUNCTIONS.values():
        ir.append(make_ir(symbol, offsets, miss))
    symbols = [symbol for symbol, _, _, _ in _FUNCTIONS.values()]
    # Compiled once per process and never released: the functions live as long as the process.
    # Level 2: level 0 spills every value to the stack, about twice the instructions on each
    # step (callgrind: a DOLIST step 122 -> 101 instructions against a Python list's 82, the
    # lists benchmark 396 -> 357 M). Compiling takes about 50 ms instead of 14, once: the gfjit
    # command's object cache keeps the result.
    ir.extend([_list_next_ir(offsets, _member_offset(ListIterator, "cell")), _traverse_ir(offsets)])
    slots = ["gfjit_lisp_cons_dealloc", "gfjit_lisp_cons_traverse", "gfjit_lisp_list_next", "gfjit_lisp_iter_dealloc"]
    code = jit.default_pool().add("".join(ir), exports=[*symbols, *slots, "gfjit_lisp_cons_free_count"], imports=_IMPORTS,
                                  name="gfjit_lisp_lists", opt_level=2)
    callable_type = native.make_native_type(NativeListFunction, "lisp.NativeListFunction")
    made = {}
    for pyname, (symbol, fallback, _, lisp_name) in _FUNCTIONS.items():
        fn = made[pyname] = _native_callable(callable_type, pyname, fallback, code, code.address(symbol))
        if lisp_name:
            fn.lisp_name = cl_symbol(lisp_name)  # the printer's #<FUNCTION CONS>
    dealloc, traverse, list_next, iter_dealloc = (code.address(symbol) for symbol in slots)
    _check(made)
    _check_slots(traverse, list_next)
    # Last: nothing is patched unless every check passed.
    _install_slots(dealloc, traverse, list_next, iter_dealloc)
    global _free_count
    _free_count = ctypes.c_int64.from_address(code.address("gfjit_lisp_cons_free_count"))
    return made


def _native_callable(callable_type: type, name: str, fallback: Callable[..., Any], code: Any, address: int) -> Any:
    """A callable running the machine code at ``address`` (in ``code``), sending its misses to
    ``fallback``."""
    from dispatch import native

    fn = callable_type()
    # The fallback lives in the callable's __dict__ for as long as the callable (I2).
    fn.__name__, fn.__doc__, fn.fallback, fn.code = name, fallback.__doc__, fallback, code
    native.store_pointer(fn, native.MISS_HANDLER_OFFSET, id(fallback))
    native.store_pointer(fn, native.VECTORCALL_OFFSET, address)
    return fn


def _type_slot(cls: type, offset: int) -> ctypes.c_void_p:
    return ctypes.c_void_p.from_address(id(cls) + offset)


def _install_slots(dealloc: int, traverse: int, list_next: int, iter_dealloc: int) -> None:
    """Make the native functions at these addresses Cons's ``tp_dealloc`` (N8, N11) and
    ``tp_traverse`` (N13) and the list iterators' ``tp_iternext`` (N12; ``tp_iter`` becomes
    CPython's ``PyObject_SelfIter``) and ``tp_dealloc`` (N15), after checking that each slot holds
    what CPython gives such a class."""
    gc_del = ctypes.cast(ctypes.pythonapi.PyObject_GC_Del, ctypes.c_void_p).value
    self_iter = ctypes.cast(ctypes.pythonapi.PyObject_SelfIter, ctypes.c_void_p).value

    class Probe(Cons):
        __slots__ = ()

    class IteratorProbe:
        __slots__ = ()
        __iter__, __next__ = ListIterator.__iter__, ListIterator.__next__

    expected = {_TP_FREE: gc_del, _TP_DEALLOC: _type_slot(Probe, _TP_DEALLOC).value,
                _TP_TRAVERSE: _type_slot(Probe, _TP_TRAVERSE).value}
    for cls in (Cons, SourceCons):
        if any(_type_slot(cls, offset).value != value for offset, value in expected.items()):
            raise RuntimeError(f"{cls.__name__}: unexpected tp_free, tp_dealloc or tp_traverse")
    if _type_slot(Cons, _TP_BASE).value != id(object) or Cons.__weakrefoffset__ or Cons.__dictoffset__:
        raise RuntimeError("Cons: unexpected base, weak references or __dict__")
    iterators = (ListIterator, LoopListIterator)
    if any(_type_slot(cls, offset).value != _type_slot(IteratorProbe, offset).value
           for cls in iterators for offset in (_TP_ITER, _TP_ITERNEXT, _TP_DEALLOC, _TP_FREE)):
        raise RuntimeError("ListIterator: unexpected tp_iter, tp_iternext, tp_dealloc or tp_free")
    if (any(cls.__weakrefoffset__ or cls.__dictoffset__ or hasattr(cls, "__del__") for cls in iterators)
            or LoopListIterator.__basicsize__ != ListIterator.__basicsize__):
        raise RuntimeError("ListIterator: unexpected weak references, __dict__, finalizer or size")
    # N8: Cons lives as long as the process (cells on the freelist hold no reference to it).
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(Cons))
    _type_slot(Cons, _TP_DEALLOC).value = dealloc
    _type_slot(Cons, _TP_TRAVERSE).value = traverse
    for cls in iterators:
        _type_slot(cls, _TP_ITER).value = self_iter
        _type_slot(cls, _TP_ITERNEXT).value = list_next
        _type_slot(cls, _TP_DEALLOC).value = iter_dealloc


def _check_slots(traverse: int, list_next: int) -> None:
    """Call the native traverse and iterator step as CPython would, comparing with Python."""
    a, b = object(), object()
    seen: list[int] = []
    visit = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(lambda o, _: seen.append(o) or len(seen) == 4)
    run = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.py_object, ctypes.c_void_p, ctypes.c_void_p)(traverse)
    for cell in (Cons(a, b), SourceCons(a, b, None)):
        seen.clear()
        if run(cell, visit, None) != 0 or seen != [id(a), id(b), id(type(cell))]:
            raise RuntimeError("the native tp_traverse of Cons does not visit car, cdr and the type")
    # An address, not a py_object: ctypes cannot take NULL with no exception set (N12) for one.
    step = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.py_object)(list_next)
    it = ListIterator(Cons(a, SourceCons(b, NIL, None)))
    got = [step(it) for _ in range(3)]
    for item, address in zip((a, b), got):
        if address == id(item):  # a new reference to it
            ctypes.pythonapi.Py_DecRef(ctypes.py_object(item))
    if got != [id(a), id(b), None] or it.cell is not NIL:
        raise RuntimeError("the native ListIterator step disagrees with Python")


def _check(made: dict[str, Any]) -> None:
    """Make a few lists natively and test a few parities, comparing with Python (N1, N2, N7)."""
    a, b = object(), object()
    cell = made["cons"](a, b)
    if type(cell) is not Cons or cell.car is not a or cell.cdr is not b:
        raise RuntimeError("the native cons did not make the expected Cons")
    chain = made["list_star"](1, 2, made["list_of"](a))
    cells = made["cells_of"](chain)
    if (made["to_list"](chain) != [1, 2, a] or chain.cdr.cdr.cdr is not NIL or made["length"](chain) != 3
            or made["last_cons"](chain) is not chain.cdr.cdr or len(cells) != 3 or cells[2] is not chain.cdr.cdr):
        raise RuntimeError("the native list functions disagree with Python")
    parities = [(made["evenp"](x), made["oddp"](x)) for x in (0, 7, -2, -(2 ** 62), 2 ** 70 + 1)]
    if parities != [(T, NIL), (NIL, T), (T, NIL), (T, NIL), (NIL, T)]:
        raise RuntimeError("the native EVENP/ODDP disagree with Python")
    reals = [made["all_reals"](xs) for xs in ([], [1, 2.5, Ratio(1, 3), Fraction(1, 2)], [1, True], [1, "a"])]
    if reals != [T, T, NIL, NIL]:
        raise RuntimeError("the native REAL check disagrees with Python")
    front = _front(made["cons"])  # N16: the code called as a builtin function, and its misses
    cell, keyword_cell = front(a, b), front(a, cdr=b)  # a keyword: the fallback's call
    if type(front).__name__ != "builtin_function_or_method" or cell.car is not a or cell.cdr is not b \
            or keyword_cell.car is not a or keyword_cell.cdr is not b:
        raise RuntimeError("the native CONS called as a builtin function disagrees with Python")


class _MethodDef(ctypes.Structure):
    _fields_ = [("ml_name", ctypes.c_char_p), ("ml_meth", ctypes.c_void_p), ("ml_flags", ctypes.c_int),
                ("ml_doc", ctypes.c_char_p)]


_METH_FASTCALL_KEYWORDS = 0x0080 | 0x0002
_PyCMethod_New = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.c_void_p, ctypes.py_object, ctypes.py_object,
                                   ctypes.c_void_p)(("PyCMethod_New", ctypes.pythonapi))
_DIRECT_DEFS: list[_MethodDef] = []  # N16: alive as long as the process


def direct(fn: Callable[..., Any]) -> Callable[..., Any]:
    """What compiled code should call for the list function ``fn``: the same machine code as a
    builtin function object, whose calls CPython makes directly (N16); ``fn`` itself without
    native code."""
    return _front(fn) if native_enabled else fn


def _front(fn: Any) -> Callable[..., Any]:
    from dispatch import native

    definition = _MethodDef(fn.__name__.encode(), native.load_pointer(fn, native.VECTORCALL_OFFSET),
                            _METH_FASTCALL_KEYWORDS, None)
    front = _PyCMethod_New(ctypes.addressof(definition), fn, None, None)
    _DIRECT_DEFS.append(definition)
    return front


_free_count: ctypes.c_int64 | None = None  # the freelist's length, once the native code is in
_native = _native_functions()

cons: Callable[[Any, Any], Cons] = _native["cons"] if _native else _cons
make_cons: Callable[..., Cons] = _native["make_cons"] if _native else _make_cons
list_of: Callable[..., Any] = _native["list_of"] if _native else _list_of
list_star: Callable[..., Any] = _native["list_star"] if _native else _list_star
to_list: Callable[[Any], list[Any]] = _native["to_list"] if _native else _to_list
cells_of: Callable[[Any], list[Cons]] = _native["cells_of"] if _native else _cells_of
length: Callable[[Any], int] = _native["length"] if _native else _length
last_cons: Callable[[Any], Any] = _native["last_cons"] if _native else _last_cons
map_items: Callable[[Callable[[Any], Any], list[Any]], Any] = _native["map_items"] if _native else _map_items
keep_if: Callable[[Callable[[Any], Any], list[Any]], Any] = _native["keep_if"] if _native else _keep_if
keep_if_not: Callable[[Callable[[Any], Any], list[Any]], Any] = _native["keep_if_not"] if _native else _keep_if_not
replace_cars: Callable[[Any, list[Any]], Any] = _native["replace_cars"] if _native else _replace_cars
evenp: Callable[[Any], Any] = _native["evenp"] if _native else _evenp
oddp: Callable[[Any], Any] = _native["oddp"] if _native else _oddp
all_reals: Callable[[list[Any]], Any] = _native["all_reals"] if _native else _all_reals
list_iter: Callable[[Any], ListIterator] = _native["list_iter"] if _native else _list_iter
loop_list_iter: Callable[[Any], LoopListIterator] = _native["loop_list_iter"] if _native else _loop_list_iter
native_enabled = _native is not None


def named(fn: Callable[..., Any], who: str) -> Callable[..., Any]:
    """The list function ``fn`` (a walker or a mapper above, not a builder) for the Lisp function
    ``who``: the same code, whose TYPE-ERRORs start with ``who`` (its fallback is told the name)."""
    if not native_enabled:
        return functools.partial(fn, who=who)
    from dispatch import native

    fallback = functools.partial(fn.fallback, who=who)
    return _native_callable(type(fn), fn.__name__, fallback, fn.code, native.load_pointer(fn, native.VECTORCALL_OFFSET))


def freelist_length() -> int:
    """How many freed conses wait on the freelist for reuse (0 without native code)."""
    return _free_count.value if _free_count is not None else 0


def from_items(items: Iterable[Any], tail: Any = NIL) -> Any:
    """A chain of ``items`` ending in ``tail``."""
    if tail is NIL:
        return list_of(*items)
    return list_star(*items, tail)

