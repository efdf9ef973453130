"""Builtin function objects over generated code (jit.cpython.cfunction), calling native code and
the fallback of their ``self``."""

import pytest

from jit import cpython
from jit.cpython import ir

pytestmark = pytest.mark.skipif(cpython.unavailable_reason() is not None,
                                reason=f"kit unavailable: {cpython.unavailable_reason()}")


class Base:
    __slots__ = ()


@pytest.fixture
def first(pool):
    """A callable whose code returns its first argument for calls of one positional argument and
    sends every other call to its fallback."""
    m = ir.Module()
    f = m.function("t_first")
    ok, miss = f.label("ok"), f.label("miss")
    f.branch_on_arg_count(f.nargs(), ok, miss, minimum=1, maximum=1, keywords=False)
    f.block(miss)
    f.tail_call_slot(cpython.CALLABLE_MISS)
    f.block(ok)
    x = f.arg(0)
    f.incref(x)
    f.ret(x)
    code = pool.add(m.text(), exports=["t_first"], imports=m.imports())
    fn = cpython.make_callable_type(Base, "test.First")()
    cpython.set_fallback(fn, lambda *args, **kw: ("fallback", args, kw))
    fn.code = code
    cpython.store_pointer(fn, cpython.CALLABLE_VECTORCALL, code.address("t_first"))
    yield fn
    cpython.store_pointer(fn, cpython.CALLABLE_VECTORCALL, 0)  # before the code is released


def test_a_builtin_function_runs_the_native_code(first):
    front = cpython.builtin_function("first", cpython.load_pointer(first, cpython.CALLABLE_VECTORCALL), first)
    thing = object()
    assert type(front).__name__ == "builtin_function_or_method"
    assert front(thing) is thing


def test_a_builtin_function_sends_misses_to_its_selfs_fallback(first):
    front = cpython.builtin_function("first", cpython.load_pointer(first, cpython.CALLABLE_VECTORCALL), first)
    assert front(1, k=2) == ("fallback", (1,), {"k": 2})
    assert front() == ("fallback", (), {})


def test_a_builtin_function_has_its_name_and_doc(first):
    front = cpython.builtin_function("first", cpython.load_pointer(first, cpython.CALLABLE_VECTORCALL), first,
                                     doc="The first argument.")
    assert (front.__name__, front.__doc__, front.__self__) == ("first", "The first argument.", first)
