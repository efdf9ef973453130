"""IR of the predicates most often given to the list primitives (EVENP, ODDP: called from a mapper
they run without a Python frame) and of SORT's check that a Python list holds only reals.

Invariant relied on here:

- N7 the parity predicates read an ``int`` (exactly, not a subclass) through
  ``PyLong_AsLongAndOverflow``, which calls no Python code for it; an integer beyond a C long
  goes to the fallback.
"""

from __future__ import annotations

from lisp.runtime.native_cons.context import IR, Context, entry


def parity(odd: bool) -> IR:
    """A generator of a vectorcall function of one ``int`` that fits a C long (N7): T if it is
    odd (``odd``) or even, else NIL. Any other call goes to the fallback (a bignum, a non-integer:
    its TYPE-ERROR)."""

    def generate(ctx: Context, symbol: str) -> None:
        start = entry(ctx, symbol, 1, stack=("i32",))
        f, (x,), (overflow,) = start.f, start.args, start.stack
        yes, no = (ctx.objects.t, ctx.objects.nil) if odd else (ctx.objects.nil, ctx.objects.t)
        convert, answer = f.label("convert"), f.label("answer")
        f.branch_on_exact_type(x, ctx.objects.int_type, convert, start.miss)
        f.block(convert)
        value = f.call_c("PyLong_AsLongAndOverflow", x, overflow, stem="value")
        big = f.icmp("ne", f.load("i32", overflow, stem="overflow", align=4), 0, "i32", stem="big")
        f.cbr(big, start.miss, answer)
        f.block(answer)
        is_odd = f.icmp("ne", f.binary("and", value, 1, stem="bit"), 0, "i64", stem="odd")
        result = f.select(is_odd, yes, no, stem="parity")
        f.call_c("Py_IncRef", result)
        f.ret(result)

    return generate


def all_reals(ctx: Context, symbol: str) -> None:
    """A vectorcall function of one Python list: T if every element's type is exactly one of
    :data:`lisp.runtime.ratio.REAL_TYPES`, else NIL (it calls no Python code, so the list cannot
    change meanwhile). Any other call goes to the fallback."""
    start = entry(ctx, symbol, 1)
    f, (items,), objects = start.f, start.args, ctx.objects
    begin, loop, check, yes, no = (f.label(s) for s in ("begin", "loop", "check", "yes", "no"))
    f.branch_on_exact_type(items, objects.list_type, begin, start.miss)
    f.block(begin)
    size = f.call_c("PyList_Size", items, stem="size")
    i_next = f.later("i")
    f.br(loop)
    f.block(loop)
    i = f.phi("i64", [(0, begin), (i_next, check)], stem="i")
    f.cbr(f.icmp("slt", i, size, "i64", stem="more"), check, yes)
    f.block(check)
    tp = f.type_of(f.call_c("PyList_GetItem", items, i, stem="item"))
    exact = f.binary("or", f.icmp("eq", tp, objects.int_type), f.icmp("eq", tp, objects.float_type), "i1")
    rational = f.binary("or", f.icmp("eq", tp, objects.ratio), f.icmp("eq", tp, objects.fraction), "i1")
    real = f.binary("or", exact, rational, "i1", stem="real")
    f.define(i_next, f"add i64 {i}, 1")
    f.cbr(real, loop, no)
    f.block(yes)
    f.call_c("Py_IncRef", objects.t)
    f.ret(objects.t)
    f.block(no)
    f.call_c("Py_IncRef", objects.nil)
    f.ret(objects.nil)
