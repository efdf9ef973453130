"""Code built with the CPython-ABI kit's IR builder (jit.cpython.ir), compiled and run: reference
counts, type tests, argument counts, vectorcall calls and exits, errors, loops."""

import ctypes
import sys
import weakref

import pytest

from jit import cpython
from jit.cpython import ir, layout

pytestmark = pytest.mark.skipif(cpython.unavailable_reason() is not None,
                                reason=f"kit unavailable: {cpython.unavailable_reason()}")

ON_ADDRESS = ctypes.PYFUNCTYPE(None, ctypes.c_void_p)  # void f(PyObject *), the GIL held
VECTORCALL = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.py_object, ctypes.c_void_p, ctypes.c_size_t,
                               ctypes.c_void_p)


def _compile(pool, module, *names):
    code = pool.add(module.text(), exports=list(names), imports=module.imports())
    return code, [code.address(n) for n in names]


def _refcount_functions(pool):
    """incref(obj) and decref(obj), as the builder writes them."""
    m = ir.Module()
    for name, operation in (("t_incref", ir.Function.incref), ("t_decref", ir.Function.decref)):
        f = m.function(name, (("ptr", "obj"),), returns="void")
        operation(f, "%obj")
        f.ret()
    code, (incref, decref) = _compile(pool, m, "t_incref", "t_decref")
    return code, ON_ADDRESS(incref), ON_ADDRESS(decref)


class Thing:
    pass


@pytest.mark.skipif(layout.DEBUG_BUILD, reason="counts checked on a release build")
def test_incref_and_decref_change_the_count_by_one(pool):
    _code, incref, decref = _refcount_functions(pool)
    thing = Thing()
    before = sys.getrefcount(thing)
    incref(id(thing))
    assert sys.getrefcount(thing) == before + 1
    decref(id(thing))
    assert sys.getrefcount(thing) == before


def test_decref_of_the_last_reference_deallocates(pool):
    _code, incref, decref = _refcount_functions(pool)
    thing = Thing()
    gone = weakref.ref(thing)
    address = id(thing)
    incref(address)  # a reference only the code knows of
    del thing
    assert gone() is not None
    decref(address)
    assert gone() is None


@pytest.mark.skipif(not layout.IMMORTAL_OBJECTS, reason="immortal objects: CPython 3.12+")
def test_an_immortal_objects_count_does_not_change(pool):
    _code, incref, decref = _refcount_functions(pool)
    word = ctypes.c_int64.from_address(id(None))
    before = word.value
    incref(id(None))
    decref(id(None))
    decref(id(None))
    assert word.value == before


def test_the_debug_build_form_calls_the_c_api_and_counts_the_same(pool, monkeypatch):
    monkeypatch.setattr(ir, "DEBUG_BUILD", True)
    _code, incref, decref = _refcount_functions(pool)
    thing = Thing()
    gone = weakref.ref(thing)
    address = id(thing)
    incref(address)
    del thing
    decref(address)
    assert gone() is None


def _dies(pool):
    """dies(obj): Py_DECREF(obj); 1 if that was the last reference (then deallocated), else 0."""
    m = ir.Module()
    f = m.function("t_dies", (("ptr", "obj"),), returns="i32")
    dead = f.label("dead")
    f.decref("%obj", dead=dead)
    f.ret(0)
    f.block(dead)
    f.call_c("_Py_Dealloc", "%obj")
    f.ret(1)
    code, (address,) = _compile(pool, m, "t_dies")
    return code, ctypes.PYFUNCTYPE(ctypes.c_int32, ctypes.c_void_p)(address)


@pytest.mark.skipif(layout.DEBUG_BUILD, reason="a debug build deallocates in Py_DecRef")
def test_decref_goes_to_the_dead_block_instead_of_deallocating(pool):
    _code, dies = _dies(pool)
    thing = Thing()
    gone = weakref.ref(thing)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(thing))
    assert dies(id(thing)) == 0  # our reference is left
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(thing))
    address = id(thing)
    del thing
    assert dies(address) == 1
    assert gone() is None


def _call(address, callable_, *args, kwnames=()):
    """Call the code at ``address`` as a vectorcall of ``callable_``: ``args`` end with the values
    of the keywords ``kwnames``."""
    argv = (ctypes.py_object * max(len(args), 1))(*args)
    return VECTORCALL(address)(callable_, ctypes.addressof(argv), len(args) - len(kwnames),
                               id(kwnames) if kwnames else None)


def test_an_exact_type_test_takes_the_type_only_not_a_subclass(pool):
    m = ir.Module()
    f = m.function("t_is_int")
    yes, no = f.label("yes"), f.label("no")
    f.branch_on_exact_type(f.arg(0), ir.constant(int), yes, no)
    for block, answer in ((yes, True), (no, False)):
        f.block(block)
        f.incref(ir.constant(answer))
        f.ret(ir.constant(answer))
    _code, (address,) = _compile(pool, m, "t_is_int")
    assert [_call(address, None, x) for x in (3, True, 3.0)] == [True, False, False]


def _counted(pool, name, **bounds):
    """Code returning True for a call within ``bounds``, else tail-calling the fallback."""
    m = ir.Module()
    f = m.function(name)
    ok, miss = f.label("ok"), f.label("miss")
    f.branch_on_arg_count(f.nargs(), ok, miss, **bounds)
    f.block(miss)
    f.tail_call_slot(cpython.CALLABLE_MISS)
    f.block(ok)
    f.incref(ir.constant(True))
    f.ret(ir.constant(True))
    code, (address,) = _compile(pool, m, name)
    tp = cpython.make_callable_type(Base, "test.Counted")
    fn = tp()
    cpython.set_fallback(fn, lambda *args, **kw: "fallback")
    cpython.store_pointer(fn, cpython.CALLABLE_VECTORCALL, address)
    fn.code = code
    return fn


class Base:
    __slots__ = ()


def test_calls_with_the_wrong_argument_count_go_to_the_fallback(pool):
    fn = _counted(pool, "t_one_or_two", minimum=1, maximum=2)
    assert [fn(), fn(1), fn(1, 2), fn(1, 2, 3)] == ["fallback", True, True, "fallback"]


def test_calls_of_another_count_than_the_exact_one_go_to_the_fallback(pool):
    fn = _counted(pool, "t_exactly_two", minimum=2, maximum=2)
    assert [fn(1), fn(1, 2), fn(1, 2, 3)] == ["fallback", True, "fallback"]


def test_keywords_or_a_wrong_count_go_to_the_fallback_when_keywords_are_refused(pool):
    fn = _counted(pool, "t_one_or_two_strict", minimum=1, maximum=2, keywords=False)
    assert [fn(1), fn(1, 2, k=3), fn(), fn(1, 2, 3)] == [True, "fallback", "fallback", "fallback"]


def test_keywords_go_to_the_fallback_unless_allowed(pool):
    strict = _counted(pool, "t_strict", minimum=1, keywords=False)
    lenient = _counted(pool, "t_lenient", minimum=1)
    assert [strict(1), strict(1, k=2), lenient(1, k=2)] == [True, "fallback", True]


def test_the_count_ignores_the_arguments_offset_flag(pool):
    fn = _counted(pool, "t_flagged", minimum=2, maximum=2)
    argv = (ctypes.py_object * 3)(None, 1, 2)  # args[-1] is ours: the flag may be set
    flagged = VECTORCALL(cpython.load_pointer(fn, cpython.CALLABLE_VECTORCALL))(
        fn, ctypes.addressof(argv) + 8, 2 | layout.VECTORCALL_ARGUMENTS_OFFSET, None)
    assert flagged is True


def _forwarder(pool, name, target, offset, tail):
    """Code calling ``target`` with its own arguments, as a tail call or not (then returning the
    value)."""
    m = ir.Module()
    f = m.function(name)
    if tail:
        f.tail_vectorcall(ir.constant(target), offset=offset)
    else:
        f.ret(f.vectorcall(ir.constant(target), offset=offset))
    code, (address,) = _compile(pool, m, name)
    return code, address


class NoVectorcall:
    def __call__(self, *args, **kw):
        return ("called", args, kw)


def _targets():
    def function(*args, **kw):
        return ("called", args, kw)

    return [function, NoVectorcall()]


@pytest.mark.parametrize("tail", [True, False], ids=["tail", "value"])
@pytest.mark.parametrize("known", [True, False], ids=["offset known", "offset read"])
@pytest.mark.parametrize("which", [0, 1], ids=["function", "no vectorcall"])
def test_a_vectorcall_passes_positional_and_keyword_arguments(pool, tail, known, which):
    target = _targets()[which]
    offset = layout.vectorcall_offset(target) if known else None
    _code, address = _forwarder(pool, f"t_fwd_{tail}_{known}_{which}", target, offset, tail)
    kwnames = ("k",)
    assert _call(address, None, 1, 2, kwnames=kwnames) == ("called", (1,), {"k": 2})
    assert _call(address, None) == ("called", (), {})


def test_an_exception_from_the_callee_propagates(pool):
    def fails(*args):
        raise KeyError("from the callee")

    _code, address = _forwarder(pool, "t_fails", fails, None, tail=False)
    with pytest.raises(KeyError, match="from the callee"):
        _call(address, None, 1)


def test_set_error_raises_the_exception_with_the_message(pool):
    m = ir.Module()
    f = m.function("t_raise")
    f.set_error(LookupError, "nothing here")
    f.ret("null")
    _code, (address,) = _compile(pool, m, "t_raise")
    with pytest.raises(LookupError, match="nothing here"):
        _call(address, None)


def test_for_range_visits_each_index_once(pool):
    m = ir.Module()
    f = m.function("t_incref_each")
    done = f.label("done")
    n = f.nargs()
    with f.for_range(n, done) as i:
        f.incref(f.arg(i))  # each argument once: a new reference for the list built below
    f.block(done)
    f.ret(f.call_c("PyList_New", 0))
    _code, (address,) = _compile(pool, m, "t_incref_each")
    things = [Thing() for _ in range(3)]
    counts = [sys.getrefcount(t) for t in things]
    assert _call(address, None, *things) == []
    assert [sys.getrefcount(t) - 1 for t in things] == counts
    for t in things:
        ctypes.pythonapi.Py_DecRef(ctypes.py_object(t))


def test_an_instruction_after_a_block_ended_is_refused():
    f = ir.Module().function("t_bad")
    f.ret("null")
    with pytest.raises(ValueError, match="outside any block"):
        f.nargs()


def test_a_block_started_before_the_last_one_ended_is_refused():
    f = ir.Module().function("t_bad")
    with pytest.raises(ValueError, match="does not end"):
        f.block(f.label("next"))


def test_a_c_function_without_a_signature_is_refused():
    f = ir.Module().function("t_bad")
    with pytest.raises(KeyError, match="C_API"):
        f.call_c("PyNoSuchFunction")


def test_an_external_object_is_bound_at_link_time(pool):
    m = ir.Module()
    f = m.function("t_answer")
    answer = m.external_object("t_the_answer", Thing)
    f.incref(answer)
    f.ret(answer)
    assert "inttoptr" not in m.text()
    _code, (address,) = _compile(pool, m, "t_answer")
    assert _call(address, None) is Thing


def test_a_phi_may_name_a_value_defined_later(pool):
    m = ir.Module()
    f = m.function("t_last")
    n = f.nargs()
    start, empty, loop, done = f.label("start"), f.label("empty"), f.label("loop"), f.label("done")
    f.branch_on_arg_count(n, start, empty, minimum=1)
    f.block(empty)
    f.incref(ir.constant(None))
    f.ret(ir.constant(None))
    f.block(start)
    following = f.later("i")
    f.br(loop)
    f.block(loop)
    i = f.phi("i64", [(0, start), (following, loop)])
    last = f.arg(i)
    f.define(following, f"add i64 {i}, 1")
    f.cbr(f.icmp("ult", following, n, "i64"), loop, done)
    f.block(done)
    f.incref(last)
    f.ret(last)
    _code, (address,) = _compile(pool, m, "t_last")
    assert [_call(address, None, *args) for args in ((), (1,), (1, 2, 3))] == [None, 1, 3]
