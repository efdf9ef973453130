"""What an IR generator of a primitive gets (:class:`Context`), the start of its vectorcall
function (:func:`entry`) and the loop over a list's conses several of them share
(:func:`cells_loop`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from jit import cpython
from jit.cpython import Function, Module
from lisp.runtime.native_cons.objects import Objects, Offsets, branch_on_cons


class Context(NamedTuple):
    """The module being written, the objects it names, the slot offsets, and the allocators
    (IR functions) of conses and of list iterators (which take the iterator's type)."""

    module: Module
    objects: Objects
    offsets: Offsets
    cons_alloc: str
    iterator_alloc: str


# An IR generator of a primitive: defines the vectorcall function of the symbol it is given.
IR = Callable[[Context, str], None]


class Entry(NamedTuple):
    """A vectorcall function past its argument checks, in its block ``start``."""

    f: Function
    nargs: str  # the positional argument count
    args: list[str]  # the arguments loaded, for a fixed count
    miss: str  # the block sending the call, as made, to the fallback
    stack: list[str]  # the stack slots asked for


def entry(ctx: Context, symbol: str, minimum: int, maximum: int | None = None, *, load: bool = True,
          stack: tuple[str, ...] = ()) -> Entry:
    """The vectorcall function ``@symbol`` taking ``minimum``..``maximum`` positional arguments
    (None: no bound; ``maximum`` defaults to ``minimum``) and no keywords. Every other call goes to
    its fallback, at ``CALLABLE_MISS`` in the callable (``self``). With a fixed count and ``load``
    the arguments are loaded; ``stack`` are IR types given a stack slot each."""
    maximum = minimum if maximum is None and load else maximum
    f = ctx.module.function(symbol)
    slots = [f.alloca(type_) for type_ in stack]
    n = f.nargs()
    start, miss = f.label("start"), f.label("miss")
    f.branch_on_arg_count(n, start, miss, minimum=minimum, maximum=maximum, keywords=False)
    f.block(miss)
    f.tail_call_slot(cpython.CALLABLE_MISS)
    f.block(start)
    args = [f.arg(i) for i in range(minimum)] if load and minimum == maximum else []
    return Entry(f, n, args, miss, slots)


def phi(type_: str, incoming: Sequence[tuple[str | int, str]]) -> str:
    """The right-hand side of a phi, for a value named before its block (:meth:`Function.later`)."""
    return f"phi {type_} " + ", ".join(f"[ {value}, %{block} ]" for value, block in incoming)


class CellsLoop(NamedTuple):
    """A loop over a list's conses (:func:`cells_loop`): in block ``head``, ``cell`` is the cell
    visited and ``i`` the rounds before; the block going back defines ``following`` (the next
    cell) and ``i_next`` with :meth:`Function.define`."""

    head: str
    cell: str
    i: str
    following: str
    i_next: str


def cells_loop(ctx: Context, f: Function, first: str, back: str, bound: str | Callable[[], str], body: str,
               done: str, not_cons: str, phis: Callable[[str], None] | None = None) -> CellsLoop:
    """Go to the head of a loop over at most ``bound`` conses (an i64, or a function writing it
    in the head), starting at ``first``, coming back from the block ``back``. The head has the
    loop's phis, then what ``phis`` writes (given the block the loop was entered from); it goes on
    to ``body`` for a cons, ``not_cons`` for anything else and ``done`` after ``bound`` rounds."""
    head, check = f.label("cells"), f.label("check")
    following, i_next = f.later("next"), f.later("i")
    entered = f.current
    f.br(head)
    f.block(head)
    cell = f.phi("ptr", [(first, entered), (following, back)], stem="cell")
    i = f.phi("i64", [(0, entered), (i_next, back)], stem="i")
    if phis is not None:
        phis(entered)
    limit = bound if isinstance(bound, str) else bound()
    f.cbr(f.icmp("slt", i, limit, "i64", stem="more"), check, done)
    f.block(check)
    branch_on_cons(f, ctx.objects, cell, body, not_cons)
    return CellsLoop(head, cell, i, following, i_next)
