"""Native steps (dispatch.steps): next_method objects and before/after wraps. Behaviour tests run
native and Python (the ``make`` fixture); the rest look at the native objects themselves."""

import gc
import os
import subprocess
import sys
import threading
import weakref

import pytest

import dispatch
from dispatch import native as native_layout
from dispatch import steps

needs_native = pytest.mark.skipif(native_layout.unavailable_reason() is not None,
                                  reason="native mode unavailable")


class A:
    pass


class B(A):
    pass


def _around_gf(make, around):
    """f(x) whose primary returns ("primary", x, more, kw) under the around method given."""
    @make
    def f(x):
        pass

    @f.method
    def primary(x: A, *more, **kw):
        return ("primary", x, more, kw)

    f.method(around, qualifier="around")
    f(B())  # the miss: the call the history learns from
    f.compile()
    return f


def test_next_method_kept_and_called_after_the_call_uses_the_call_arguments(make):
    kept = []

    def around(next_method, x: A, *more, **kw):
        kept.append(next_method)
        return "around"

    f = _around_gf(make, around)
    kept.clear()
    a, b = A(), A()
    assert f(a, 1, k=2) == "around"
    assert f(b) == "around"
    assert [nm() for nm in kept] == [("primary", a, (1,), {"k": 2}), ("primary", b, (), {})]


def test_next_method_kept_and_called_from_another_thread(make):
    kept = []

    def around(next_method, x: A):
        kept.append(next_method)
        return "around"

    f = _around_gf(make, around)
    kept.clear()
    a = A()
    f(a)
    results = []
    t = threading.Thread(target=lambda: results.append(kept[0]()))
    t.start()
    t.join(timeout=30)
    assert results == [("primary", a, (), {})]


def test_next_method_with_new_arguments_calls_the_next_method_with_those(make):
    def around(next_method, x: A):
        return next_method(x, "extra", key="word")

    f = _around_gf(make, around)
    a = A()
    assert f(a) == ("primary", a, ("extra",), {"key": "word"})


def test_next_method_p_is_true_with_a_next_method_and_false_without(make):
    @make
    def f(x):
        pass

    @f.method
    def last(next_method, x: A):
        return ("last", bool(next_method))

    @f.method
    def first(next_method, x: B):
        return ("first", bool(next_method), next_method())

    assert f(B()) == ("first", True, ("last", False))
    f.compile()
    assert f(B()) == ("first", True, ("last", False))


def test_calling_a_missing_next_method_raises_no_next_method(make):
    @make
    def f(x):
        pass

    @f.method
    def only(next_method, x: A):
        return next_method()

    with pytest.raises(dispatch.NoNextMethod):
        f(A())
    f.compile()
    with pytest.raises(dispatch.NoNextMethod):
        f(A())


def test_an_error_in_the_next_method_reaches_the_caller_and_the_chain_still_works(make):
    def around(next_method, x: A, fail=False):
        return next_method()

    @make
    def f(x):
        pass

    @f.method
    def primary(x: A, fail=False):
        if fail:
            raise ValueError("inner")
        return "ok"

    f.method(around, qualifier="around")
    f(A())
    f.compile()
    with pytest.raises(ValueError, match="inner"):
        f(A(), fail=True)
    assert f(A()) == "ok"


def test_an_error_in_the_around_method_reaches_the_caller(make):
    def around(next_method, x: A):
        if type(x) is A:  # not the setup's B
            raise KeyError("around")

    f = _around_gf(make, around)
    with pytest.raises(KeyError, match="around"):
        f(A())


def test_recursion_through_the_same_generic_function_keeps_each_calls_arguments(make):
    @make
    def depth(n):
        pass

    @depth.method
    def primary(n: int):
        return [n]

    @depth.method(qualifier="around")
    def around(next_method, n: int):
        below = depth(n - 1) if n > 0 else []
        return next_method() + below

    assert depth(3) == [3, 2, 1, 0]
    depth.compile()
    assert depth(30) == list(range(30, -1, -1))


def test_more_arguments_than_a_next_method_stores_take_the_general_step(make):
    def around(next_method, x: A, *more, **kw):
        return next_method()

    f = _around_gf(make, around)
    a = A()
    more = tuple(range(steps.STORED + 3))
    assert f(a, *more, k=1) == ("primary", a, more, {"k": 1})


def test_before_primary_after_run_in_order_with_the_call_arguments(make):
    @make
    def f(x):
        pass

    trace = []

    @f.method(qualifier="before")
    def before(x: A, *more):
        trace.append(("before", more))

    @f.method
    def primary(x: A, *more):
        trace.append(("primary", more))
        return "value"

    @f.method(qualifier="after")
    def after(x: A, *more):
        trace.append(("after", more))

    f(A())
    f.compile()
    trace.clear()
    assert f(A(), 1) == "value"
    assert trace == [("before", (1,)), ("primary", (1,)), ("after", (1,))]


def test_an_error_in_a_before_method_stops_the_call(make):
    @make
    def f(x):
        pass

    ran = []

    @f.method(qualifier="before")
    def before(x: A):
        raise ValueError("before")

    @f.method
    def primary(x: A):
        ran.append("primary")

    with pytest.raises(ValueError, match="before"):
        f(A())
    f.compile()
    with pytest.raises(ValueError, match="before"):
        f(A())
    assert ran == []


# -- the native objects ------------------------------------------------------------------------

def _native_around(around):
    @dispatch.generic(native=True)
    def f(x):
        pass

    @f.method
    def primary(x: A, *more, **kw):
        return x

    f.method(around, qualifier="around")
    f(A())
    f.compile()
    return f


@needs_native
def test_many_calls_leave_the_arguments_reference_counts_unchanged():
    f = _native_around(lambda next_method, x, *more, **kw: next_method())
    a, extra, value = A(), object(), object()
    many = tuple(object() for _ in range(steps.STORED + 1))
    before = [sys.getrefcount(o) for o in (a, extra, value, *many)]
    for _ in range(1000):
        f(a)
        f(a, extra, k=value)
        f(a, *many)
    assert [sys.getrefcount(o) for o in (a, extra, value, *many)] == before


@needs_native
def test_many_calls_leave_immortal_and_shared_arguments_reference_counts_unchanged():
    f = _native_around(lambda next_method, x, *more, **kw: next_method())
    a = A()
    shared = (None, True, 1, "s", ())
    # On 3.11 these are mortal and every thread changes their counts: let no other thread run
    # Python code while we count (the compile pool's workers would).
    dispatch.wait_for_compiles()
    old = sys.getswitchinterval()
    sys.setswitchinterval(1000)
    try:
        before = [sys.getrefcount(o) for o in shared]
        for _ in range(1000):
            f(a, *shared, k=None)
        after = [sys.getrefcount(o) for o in shared]
    finally:
        sys.setswitchinterval(old)
    assert after == before


@needs_native
def test_an_error_leaves_the_arguments_reference_counts_unchanged():
    def around(next_method, x, extra=None):
        next_method()
        if extra is not None:
            raise ValueError("after the next method")

    f = _native_around(around)
    a, extra = A(), object()
    before = sys.getrefcount(a), sys.getrefcount(extra)
    for _ in range(100):
        with pytest.raises(ValueError):
            f(a, extra)
    assert (sys.getrefcount(a), sys.getrefcount(extra)) == before


@needs_native
def test_the_cached_next_method_does_not_keep_the_arguments_alive():
    f = _native_around(lambda next_method, x: next_method())
    a = A()
    f(a)
    gone = weakref.ref(a)
    del a
    assert gone() is None


@needs_native
def test_a_kept_next_method_keeps_its_arguments_until_it_is_dropped():
    kept = []
    f = _native_around(lambda next_method, x: kept.append(next_method))
    a = A()
    f(a)
    gone = weakref.ref(a)
    del a
    assert gone() is not None
    kept.clear()
    assert gone() is None


@needs_native
def test_a_cycle_through_a_kept_next_method_is_collected():
    def around(next_method, x):
        x.saved = next_method  # x -> next method -> x

    f = _native_around(around)
    a = A()
    f(a)
    gone = weakref.ref(a)
    del a
    gc.collect()
    assert gone() is None


@needs_native
def test_next_method_objects_are_reused_when_nobody_keeps_them():
    seen = []
    f = _native_around(lambda next_method, x: seen.append(id(next_method)))
    a = A()
    for _ in range(5):
        f(a)
    assert len(set(seen)) == 1


@needs_native
def test_step_fields_cannot_be_reached_from_python():
    kept = []
    f = _native_around(lambda next_method, x: kept.append(next_method))
    f(A())
    (_, link), = f.call_history
    for name in ("_function", "_following", "_general", "_cache"):
        assert not hasattr(link, name)
    for name in ("_step", "_kwnames", "_a0"):
        assert not hasattr(kept[0], name)


@needs_native
def test_next_method_type_cannot_be_instantiated_and_an_empty_link_is_a_type_error():
    kept = []
    f = _native_around(lambda next_method, x: kept.append(next_method))
    f(A())
    with pytest.raises(TypeError):
        type(kept[0])()
    (_, link), = f.call_history
    with pytest.raises(TypeError):
        type(link)()(1)


@needs_native
@pytest.mark.timeout(60)
def test_threads_calling_one_around_chain_each_get_their_own_arguments():
    f = _native_around(lambda next_method, x: next_method())
    errors = []
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, inside the chain too

    def work():
        objs = [A() for _ in range(50)]
        for _ in range(200):
            for o in objs:
                if f(o) is not o:
                    errors.append(o)

    try:
        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=50)
    finally:
        sys.setswitchinterval(old)
    assert errors == []


@needs_native
def test_a_dropped_generic_function_releases_its_around_method_and_arguments():
    def around(next_method, x):
        return next_method()

    f = _native_around(around)
    a = A()
    f(a)
    assert dispatch.wait_for_compiles(timeout=60)  # a pending compile holds the function
    gone_around, gone_arg = weakref.ref(around), weakref.ref(a)
    del f, around, a
    gc.collect()
    assert gone_around() is None and gone_arg() is None


@needs_native
def test_unbounded_recursion_through_an_around_chain_is_a_recursion_error():
    @dispatch.generic(native=True)
    def down(n):
        pass

    @down.method
    def primary(n: int):
        return n

    @down.method(qualifier="around")
    def around(next_method, n: int):
        return down(n + 1)

    down.compile()
    with pytest.raises(RecursionError):
        down(0)
    assert down.compute_applicable_methods(0)  # still usable afterwards


@needs_native
def test_a_link_and_its_cached_next_method_make_no_reference_cycle():
    def around(next_method, x):
        return next_method()

    link = steps.make_step(around, lambda x: x, lambda *args: None, truth=True)
    assert link(5) == 5  # now it caches a next-method object
    gone = weakref.ref(around)
    del around
    gc.disable()
    try:
        del link  # reference counting alone frees the link, its cache and its function
        assert gone() is None
    finally:
        gc.enable()


@needs_native
@pytest.mark.timeout(60)
def test_calls_through_around_chains_see_whole_method_sets_while_methods_change():
    @dispatch.generic(native=True)
    def f(x):
        pass

    @f.method
    def primary(x: A):
        return "p"

    def around(next_method, x: A):
        return ("around", next_method())

    f(A())
    stop = threading.Event()
    wrong = []
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)

    def call():
        a = A()
        while not stop.is_set():
            got = f(a)
            if got not in ("p", ("around", "p")):
                wrong.append(got)

    try:
        callers = [threading.Thread(target=call) for _ in range(3)]
        for t in callers:
            t.start()
        for _ in range(50):
            f.method(around, qualifier="around")
            f.compile()
            f.remove_method(around)
            f.compile()
    finally:
        stop.set()
        for t in callers:
            t.join(timeout=30)
        sys.setswitchinterval(old)
    assert wrong == []


@needs_native
@pytest.mark.timeout(60)
def test_kept_next_methods_called_from_other_threads_while_calls_go_on():
    kept = []
    f = _native_around(lambda next_method, x: kept.append(next_method) or next_method())
    objs = [A() for _ in range(200)]
    results = []

    def call_kept(start):
        for i in range(start, len(objs), 2):
            while len(kept) <= i:
                pass  # the main thread is making them
            results.append((i, kept[i]()))

    kept.clear()
    readers = [threading.Thread(target=call_kept, args=(s,)) for s in (0, 1)]
    for t in readers:
        t.start()
    for o in objs:
        assert f(o) is o
    for t in readers:
        t.join(timeout=50)
    assert sorted(results, key=lambda r: r[0]) == list(enumerate(objs))


_REMOVES_A_STEP = """
import gc
import dispatch
from dispatch.background import pool as background

class A:
    pass

f = dispatch.generic(lambda x: None)
removing = False

def remove(method):
    global removing
    if removing:
        removing = False
        f.remove_method(method)
        gc.collect()  # the old call history is in a cycle: the step's last references go now
        junk = [bytearray(64) for _ in range(2000)]  # reuse the freed memory

def around(next_method, x: A):  # a link: its method removes it
    remove(around)
    return next_method()

def primary(x: A):  # under a wrap: the primary removes the wrap's after method
    if STEP == "wrap":
        remove(after)
    return "primary"

def after(x: A):
    pass

f.method(primary)
f.method(around if STEP == "link" else after, qualifier="around" if STEP == "link" else "after")
f(A())
background().drain(30)
assert f.compile()
removing = True
print(f(A()), f(A()))
"""


@needs_native
@pytest.mark.timeout(120)
@pytest.mark.parametrize("step", ["link", "wrap"])
def test_a_step_whose_method_removes_it_from_its_generic_function_finishes_the_call(step):
    # The dispatcher tail-calls the step without a reference: the removal drops the step's last
    # one while it runs, so it must hold its own until it returns.
    code = f"STEP = {step!r}\n" + _REMOVES_A_STEP
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONMALLOC": "pymalloc"}, timeout=100)
    assert (out.returncode, out.stdout.split()) == (0, ["primary", "primary"]), out.stderr
