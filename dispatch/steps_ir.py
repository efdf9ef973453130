"""IR of the native steps' vectorcall functions (see :mod:`dispatch.steps`), written with the
CPython-ABI kit's builder (:mod:`jit.cpython.ir`), and the layouts it relies on.

Layouts (64-bit CPython 3.11-3.13, GIL-enabled; native mode is off elsewhere)::

    link                        next-method object                  wrap
    0   PyObject_HEAD           0   PyObject_HEAD                   0   PyObject_HEAD
    16  methods (Python slot)   16  vectorcall pointer: nm_call     16  methods (Python slot)
    24  vectorcall: step_call   24  following                       24  vectorcall: wrap_call
    32  function                32  kwnames (NULL: none)            32  befores (a tuple)
    40  following               40  positional arguments stored     40  primary
    48  general                 48  truth                           48  afters (a tuple)
    56  cache                   56  STORED argument slots
    64  truth (0 or 1)              (positional, then keyword values)

``methods`` names the methods of an effective method, for people.

Object fields are hidden object members of the kit's heap types (:mod:`jit.cpython.heaptype`):
the collector visits and may clear them, deallocation releases them, Python code cannot set or
delete them. Only the collector's clear can make them NULL, which the native code checks (it
raises ``RuntimeError`` instead of following a NULL).

Reference counts change as ``Py_INCREF``/``Py_DECREF`` of the running version do (the builder's
``incref``/``decref``), inline. The cache tests read a next-method object's whole count
(``refcount``): it is never immortal.
"""

from __future__ import annotations

from jit.cpython import ir
from jit.cpython.ir import ARGS, KWNAMES, NARGSF, SELF
from jit.cpython.layout import OB_SIZE, TUPLE_ITEMS, VECTORCALL_ARGUMENTS_OFFSET

STORED = 8  # argument slots of a next-method object; calls with more go to the Python step

STEP_VECTORCALL, STEP_FUNCTION, STEP_FOLLOWING = 24, 32, 40  # after StepBase's slot
STEP_GENERAL, STEP_CACHE, STEP_TRUTH, STEP_SIZE = 48, 56, 64, 72
NM_VECTORCALL, NM_FOLLOWING, NM_KWNAMES, NM_NARGS, NM_TRUTH, NM_ARGS = 16, 24, 32, 40, 48, 56
NM_SIZE = NM_ARGS + 8 * STORED
WRAP_VECTORCALL, WRAP_BEFORES, WRAP_PRIMARY, WRAP_AFTERS, WRAP_SIZE = 24, 32, 40, 48, 56

_DEAD = "gfjit: method step used after the garbage collector cleared it"


# -- pieces shared by the three functions ------------------------------------------------------------

def _dead_function(m: ir.Module) -> str:
    """``@dead()``: raise RuntimeError (a field was cleared by the collector), return NULL."""
    f = m.function("dead", (), linkage="private", attributes="cold noinline")
    f.set_error(RuntimeError, _DEAD)
    f.ret("null")
    return f"@{f.name}"


def _leave_dead(f: ir.Function, dead: str, dead_function: str) -> None:
    """Block ``dead``: return what ``@dead()`` returns."""
    f.block(dead)
    f.ret(f.call("ptr", dead_function, []))


def _fields_or_dead(f: ir.Function, dead: str, *offsets: int) -> list[str]:
    """The object fields of ``self`` at ``offsets``; on in a new block, or to ``dead`` if any is
    NULL (cleared)."""
    values = [f.field(SELF, offset) for offset in offsets]
    nulls = [f.icmp("eq", value, "null", stem="null") for value in values]
    cleared = nulls[0]
    for more in nulls[1:]:
        cleared = f.binary("or", cleared, more, "i1", stem="cleared")
    live = f.label("live")
    f.cbr(cleared, dead, live)
    f.block(live)
    return values


# -- the next-method object ----------------------------------------------------------------------------

def _branch_on_no_arguments(f: ir.Function, n: str, none: str, some: str) -> None:
    """To ``none`` if the call passes no positional arguments (``n``) and no keywords (NULL or
    empty kwnames), else to ``some``."""
    kwcheck, kwsize = f.label("kwcheck"), f.label("kwsize")
    f.cbr(f.icmp("eq", n, 0, "i64"), kwcheck, some)
    f.block(kwcheck)
    f.cbr(f.icmp("eq", KWNAMES, "null"), none, kwsize)
    f.block(kwsize)
    f.cbr(f.icmp("eq", f.field(KWNAMES, OB_SIZE, "i64"), 0, "i64"), none, some)


def nm_ir() -> ir.Module:
    m = ir.Module()
    dead_function = _dead_function(m)

    f = m.function("gfjit_nm_call")
    f.comment("A next-method object called: no arguments -> the stored ones, else the given ones.")
    dead = f.label("dead")
    following, = _fields_or_dead(f, dead, NM_FOLLOWING)
    stored, given = f.label("stored"), f.label("given")
    _branch_on_no_arguments(f, f.nargs(), stored, given)
    f.block(stored)
    f.tail_vectorcall(following, f.gep(SELF, NM_ARGS), f.field(SELF, NM_NARGS, "i64"), f.field(SELF, NM_KWNAMES))
    f.block(given)
    f.tail_vectorcall(following)
    _leave_dead(f, dead, dead_function)

    truth = m.function("gfjit_nm_bool", (("ptr", "self"),), returns="i32")
    truth.comment("next-method-p")
    truth.ret(truth.assign("t", f"trunc i64 {truth.field(SELF, NM_TRUTH, 'i64')} to i32"))
    return m


# -- the link ---------------------------------------------------------------------------------------

def _argument_total(f: ir.Function, n: str) -> tuple[str, str]:
    """Whether the call has keywords, and its positional and keyword argument count."""
    start, kwlen, count = f.current, f.label("kwlen"), f.label("count")
    has_keywords = f.icmp("ne", KWNAMES, "null", stem="haskw")
    f.cbr(has_keywords, kwlen, count)
    f.block(kwlen)
    kwsize = f.field(KWNAMES, OB_SIZE, "i64", stem="kwsize")
    f.br(count)
    f.block(count)
    nkw = f.phi("i64", [(kwsize, kwlen), (0, start)], stem="nkw")
    return has_keywords, f.binary("add", n, nkw, stem="total")


def _next_method_object(f: ir.Function, nm_type: type, nm_call: int, following: str) -> str:
    """A next-method object for this call (new blocks; its value in the last): the link's cached
    one if nobody else holds it, else a new one (adopted by the cache if it is empty). Without
    memory: the link's reference is dropped and NULL returned."""
    f.comment("The cached object is free when the cache holds its only reference. Nothing between this")
    f.comment("test and the store of 2 can run Python code, so under the GIL no other thread can take it.")
    cachep = f.gep(SELF, STEP_CACHE, stem="cachep")
    cache = f.load("ptr", cachep, stem="cache")
    check, reuse, alloc, fill = f.label("cachecheck"), f.label("reuse"), f.label("alloc"), f.label("fill")
    f.cbr(f.icmp("ne", cache, "null"), check, alloc)
    f.block(check)
    f.cbr(f.icmp("eq", f.refcount(cache), 1, "i64", stem="free"), reuse, alloc)
    f.block(reuse)
    f.set_refcount(cache, 2)
    f.br(fill)

    f.block(alloc)
    new = f.call_c("PyType_GenericAlloc", f.module.external_object("gfjit_step_nm_type", nm_type), 0, stem="new")
    assert new is not None
    fail, init = f.label("fail"), f.label("init")
    f.cbr(f.icmp("eq", new, "null"), fail, init)
    f.block(fail)
    f.decref(SELF)
    f.ret("null")
    f.block(init)
    f.comment("The object holds what its link's next method is, not the link: a cached object would")
    f.comment("otherwise make a reference cycle with its link.")
    f.set_field(new, NM_VECTORCALL, f.module.external_address("gfjit_step_nm_call", nm_call))
    f.incref(following)
    f.set_field(new, NM_FOLLOWING, following)
    f.set_field(new, NM_TRUTH, f.field(SELF, STEP_TRUTH, "i64"), "i64")
    f.comment("Allocating may have run the collector, hence Python code: look at the cache again.")
    initialized, adopt = f.current, f.label("adopt")
    f.cbr(f.icmp("eq", f.load("ptr", cachep), "null", stem="empty"), adopt, fill)
    f.block(adopt)
    f.set_refcount(new, 2)
    f.store("ptr", new, cachep)
    f.br(fill)

    f.block(fill)
    return f.phi("ptr", [(cache, reuse), (new, initialized), (new, adopt)], stem="nm")


def _store_arguments(f: ir.Function, nm: str, n: str, has_keywords: str, total: str, buf: str) -> str:
    """Store the call's arguments into ``nm`` with new references, and into ``buf`` after its
    first slot; the address of ``nm``'s argument slots."""
    f.set_field(nm, NM_NARGS, n, "i64")
    keywords, arguments = f.label("storekw"), f.label("storeargs")
    f.cbr(has_keywords, keywords, arguments)
    f.block(keywords)
    f.incref(KWNAMES)
    f.set_field(nm, NM_KWNAMES, KWNAMES)
    f.br(arguments)
    f.block(arguments)
    slots, copies = f.gep(nm, NM_ARGS, stem="nmargs"), f.gep(buf, 1, "ptr", stem="bufargs")
    stored = f.label("stored")
    with f.for_range(total, stored) as i:
        arg = f.arg(i)
        f.incref(arg)
        f.store("ptr", arg, f.gep(slots, i, "ptr"))
        f.store("ptr", arg, f.gep(copies, i, "ptr"))
    f.block(stored)
    return slots


def _call_with_next_method(f: ir.Function, function: str, nm: str, n: str, buf: str) -> str:
    """``function(nm, *args, **kwargs)``: its value, in a new block."""
    n1 = f.binary("add", n, 1, stem="n")
    prepend, copied, called = f.label("prepend"), f.label("copied"), f.label("called")
    offset = f.binary("and", NARGSF, VECTORCALL_ARGUMENTS_OFFSET, stem="offset")
    f.cbr(f.icmp("ne", offset, 0, "i64", stem="mayprepend"), prepend, copied)
    f.block(prepend)
    f.comment("PY_VECTORCALL_ARGUMENTS_OFFSET: args[-1] is ours to change during the call.")
    slot = f.gep(ARGS, -1, "ptr", stem="slot")
    saved = f.load("ptr", slot, stem="saved")
    f.store("ptr", nm, slot)
    prepended = f.vectorcall(function, slot, n1, KWNAMES)
    f.store("ptr", saved, slot)
    after_prepended = f.current
    f.br(called)
    f.block(copied)
    f.store("ptr", nm, buf)
    copied_result = f.vectorcall(function, buf, n1, KWNAMES)
    after_copied = f.current
    f.br(called)
    f.block(called)
    return f.phi("ptr", [(prepended, after_prepended), (copied_result, after_copied)], stem="result")


def _release_next_method(f: ir.Function, nm: str, slots: str, total: str, result: str) -> None:
    """Drop this call's references (to ``nm`` and to the link) and return ``result``; a cached
    ``nm`` nobody kept is emptied of its arguments and stays in the cache."""
    cachep = f.gep(SELF, STEP_CACHE, stem="cachep")
    owncheck, clear, uncache, drop = f.label("owncheck"), f.label("clear"), f.label("uncache"), f.label("drop")
    f.cbr(f.icmp("eq", f.load("ptr", cachep), nm, stem="cached"), owncheck, drop)
    f.block(owncheck)
    f.comment("Two references, the cache's and ours: nobody kept the object. Release its arguments (an")
    f.comment("object kept alive by the cache must not keep them alive) and give it back to the cache.")
    f.cbr(f.icmp("eq", f.refcount(nm), 2, "i64", stem="alone"), clear, uncache)
    f.block(clear)
    kwnamesp = f.gep(nm, NM_KWNAMES)
    kwnames = f.load("ptr", kwnamesp, stem="kwnames")
    f.store("ptr", "null", kwnamesp)
    f.set_field(nm, NM_NARGS, 0, "i64")
    cleared = f.label("cleared")
    with f.for_range(total, cleared, stem="j") as j:
        f.comment("Each slot is emptied before its reference goes: releasing may run Python code.")
        slot = f.gep(slots, j, "ptr")
        arg = f.load("ptr", slot, stem="arg")
        f.store("ptr", "null", slot)
        f.xdecref(arg)
    f.block(cleared)
    f.xdecref(kwnames)
    f.comment("The cache still holds a reference, so ours can go without a deallocation check.")
    f.set_refcount(nm, f.binary("sub", f.refcount(nm), 1, stem="rc"))
    f.decref(SELF)
    f.ret(result)
    f.block(uncache)
    f.comment("Kept by the method: it keeps its arguments, but the cache lets it go.")
    f.store("ptr", "null", cachep)
    f.decref(nm)
    f.br(drop)
    f.block(drop)
    f.decref(nm)
    f.decref(SELF)
    f.ret(result)


def step_ir(nm_type: type, nm_call: int) -> ir.Module:
    """``gfjit_step_call``, a link called: run ``function(next_method, *args, **kwargs)`` with a
    next-method object of ``nm_type`` (whose code is at ``nm_call``), both external symbols."""
    m = ir.Module()
    dead_function = _dead_function(m)
    f = m.function("gfjit_step_call")
    buf = f.alloca(f"[{STORED + 1} x ptr]", stem="buf")
    dead = f.label("dead")
    function, following = _fields_or_dead(f, dead, STEP_FUNCTION, STEP_FOLLOWING)
    n = f.nargs()
    has_keywords, total = _argument_total(f, n)
    general, take = f.label("general"), f.label("take")
    f.cbr(f.icmp("ugt", total, STORED, "i64", stem="many"), general, take)
    f.block(general)
    f.tail_vectorcall(*_fields_or_dead(f, dead, STEP_GENERAL))
    f.block(take)
    f.comment("The dispatcher tail-called us without a reference (I1): hold one, or a method that changes")
    f.comment("its generic function could free this step while we still read it after the call.")
    f.incref(SELF)
    nm = _next_method_object(f, nm_type, nm_call, following)
    slots = _store_arguments(f, nm, n, has_keywords, total, buf)
    result = _call_with_next_method(f, function, nm, n, buf)
    _release_next_method(f, nm, slots, total, result)
    _leave_dead(f, dead, dead_function)
    return m


# -- the wrap ---------------------------------------------------------------------------------------

def _call_each(f: ir.Function, items: str, on_error: str) -> None:
    """Call each item of the tuple ``items`` with the call's arguments, dropping the values; on
    in a new block, or to ``on_error`` at the first failure."""
    done = f.label("each")
    first = f.gep(items, TUPLE_ITEMS, stem="items")
    with f.for_range(f.field(items, OB_SIZE, "i64", stem="count"), done) as i:
        value = f.vectorcall(f.load("ptr", f.gep(first, i, "ptr"), stem="item"))
        ok = f.label("ok")
        f.cbr(f.icmp("eq", value, "null", stem="failed"), on_error, ok)
        f.block(ok)
        f.decref(value)
    f.block(done)


def wrap_ir() -> ir.Module:
    """``gfjit_wrap_call``, a wrap called: befores, primary (its value), afters."""
    m = ir.Module()
    dead_function = _dead_function(m)
    f = m.function("gfjit_wrap_call")
    dead, fail, after_fail = f.label("dead"), f.label("fail"), f.label("afterfail")
    # The tuples and the primary are the wrap's for as long as a caller holds the wrap; a
    # cleared wrap (collector) has NULL fields, tested first.
    befores, primary, afters = _fields_or_dead(f, dead, WRAP_BEFORES, WRAP_PRIMARY, WRAP_AFTERS)
    f.comment("Held until we return, as a link holds itself (see gfjit_step_call).")
    f.incref(SELF)
    _call_each(f, befores, fail)
    result = f.vectorcall(primary)
    afterwards = f.label("afters")
    f.cbr(f.icmp("eq", result, "null", stem="failed"), fail, afterwards)
    f.block(afterwards)
    _call_each(f, afters, after_fail)
    f.decref(SELF)
    f.ret(result)
    f.block(after_fail)
    f.decref(result)
    f.br(fail)
    f.block(fail)
    f.decref(SELF)
    f.ret("null")
    _leave_dead(f, dead, dead_function)
    return m
