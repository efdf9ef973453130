"""The native callable: installation, swapping, invariants I1-I4, introspection."""

import gc
import os
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

import dispatch
from dispatch import native as native_layout
from dispatch.dispatcher import set_tree_strategy

pytestmark = pytest.mark.skipif(native_layout.unavailable_reason() is not None,
                                reason=f"native mode unavailable: {native_layout.unavailable_reason()}")

ROOT = Path(__file__).resolve().parents[2]


class A:
    pass


class B(A):
    pass


def _pointer(gf):
    return native_layout.load_pointer(gf, native_layout.VECTORCALL_OFFSET)


def _gf():
    @dispatch.generic(native=True)
    def f(x):
        """Doc."""
    return f


def test_generic_returns_the_native_callable_itself():
    f = _gf()
    assert type(f).__name__ == "NativeGenericFunction"
    assert isinstance(f, dispatch.GenericFunction)
    assert f.native


def test_compile_installs_a_dispatcher_whose_leaf_is_the_method_itself():
    f = _gf()

    @f.method
    def on_a(x: A):
        return "a"

    f(A())
    assert f.compile()
    assert dispatch.wait_for_compiles(timeout=60)  # the miss also asked the background pool
    assert _pointer(f) == f._gf_state.compiled.address
    assert f"inttoptr (i64 {id(on_a)} to ptr)" in f.ir()
    assert f(A()) == "a"


def test_cold_generic_function_is_not_compiled():
    f = _gf()
    f.method(lambda x: 1)
    assert f.stats.compiles == 0
    assert _pointer(f) == native_layout.trampoline_address()


def test_adding_a_method_swaps_the_dispatcher_out_before_anyone_sees_it():
    f = _gf()

    @f.method
    def _(x: A):
        return "a"

    f(B())
    f.compile()

    @f.method
    def _(x: B):
        return "b"

    assert _pointer(f) == native_layout.trampoline_address()
    assert f(B()) == "b"


def test_background_compile_installs_after_misses():
    f = _gf()

    @f.method
    def _(x: A):
        return "a"

    f(A())
    assert dispatch.wait_for_compiles(timeout=60)
    assert f.stats.installs >= 1
    assert _pointer(f) == f._gf_state.compiled.address


def test_dead_class_is_swapped_out_of_the_dispatcher_before_its_memory_is_reused():
    f = _gf()

    @f.method
    def _(x: object):
        return "object"

    @f.method
    def _(x: int):  # so that the argument's class matters
        return "int"

    def make_and_call():
        Temp = type("Temp", (), {})
        f(Temp())
        f.compile()
        return id(Temp), weakref.ref(Temp)

    cid, ref = make_and_call()
    assert cid in f._gf_state.compiled.class_ids
    gc.collect()
    assert ref() is None
    compiled = f._gf_state.compiled  # the background pool may have installed a newer one since
    assert _pointer(f) == native_layout.trampoline_address() or cid not in compiled.class_ids
    assert all(cid not in (k if isinstance(k, tuple) else (k,)) for k in f._gf_state.history.table)
    assert f.stats.deopts >= 1


def test_class_changed_forgets_the_class_and_its_subclasses():
    f = _gf()

    @f.method
    def _(x: A | int):
        return "a or int"

    f(A()), f(B()), f(1)
    dispatch.class_changed(A)
    assert [c for c, _ in f.call_history] == [(int,)]


def test_precedence_provider_decides_specificity():
    class X:
        pass

    class Y:
        pass

    class XY(X, Y):
        pass

    f = _gf()

    @f.method
    def _(x: X):
        return "X"

    @f.method
    def _(x: Y):
        return "Y"

    assert f(XY()) == "X"

    def provider(cls):
        return (XY, Y, X, object) if cls is XY else None

    dispatch.add_precedence_provider(provider)
    try:
        dispatch.class_changed(XY)
        assert f(XY()) == "Y"
    finally:
        dispatch.remove_precedence_provider(provider)
        dispatch.class_changed(XY)


def test_generic_function_is_garbage_collected():
    f = _gf()
    f.method(lambda x: f)  # a cycle through the method
    f(1)
    f.compile()
    ref = weakref.ref(f)
    del f
    assert dispatch.wait_for_compiles(timeout=60)  # a compile in flight holds its function
    gc.collect()
    assert ref() is None


def test_keyword_arguments_pass_through_the_native_path():
    f = _gf()

    @f.method
    def _(x: int, **kw):
        return kw

    f(1, a=2)
    f.compile()
    assert f(1, a=3) == {"a": 3}


def test_too_few_arguments_on_the_native_path_raise_type_error():
    f = _gf()
    f.method(lambda x: 1)
    f(1)
    f.compile()
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'x'"):
        f()


def test_call_through_tp_call_works():
    f = _gf()
    f.method(lambda x: x + 1)
    f(1)
    f.compile()
    assert list(map(f, [1, 2])) == [2, 3]
    assert type(f).__call__(f, 5) == 6


@pytest.mark.parametrize("strategy", ["switch", "bisect"])
@pytest.mark.parametrize("nclasses", [2, 20, 200])
def test_tree_strategies_dispatch_every_class(strategy, nclasses):
    classes = [type(f"C{i}", (), {}) for i in range(nclasses)]
    f = _gf()
    for i, c in enumerate(classes):
        def m(x, _i=i):
            return _i
        m.__annotations__ = {"x": c}
        f.method(m)
    objs = [c() for c in classes]
    for o in objs:
        f(o)
    set_tree_strategy(strategy)
    try:
        f.compile()
    finally:
        set_tree_strategy("switch")
    assert [f(o) for o in objs] == list(range(nclasses))
    with pytest.raises(dispatch.NoApplicableMethod):
        f(1)


def test_introspection_texts():
    f = _gf()

    @f.method
    def on_a(x: A):
        return 1

    f(A())
    assert "Python table" in f.describe()
    f.compile()
    text = f.describe()
    assert "native dispatcher" in text and "class A" in text and "on_a" in text
    assert "musttail call ptr @PyObject_Vectorcall" in f.ir()
    assert f.asm().strip()
    assert "native compiled" in repr(f) and "f(x)" in repr(f)
    assert f.call_history == [((A,), on_a)]


def test_native_mode_off_by_argument_gives_a_python_generic_function():
    f = dispatch.generic(lambda x: None, native=False)
    assert isinstance(f, dispatch.PythonGenericFunction)
    assert not f.compile()


def test_native_mode_off_by_api_switch():
    dispatch.set_native_default(False)
    try:
        assert isinstance(dispatch.generic(lambda x: None), dispatch.PythonGenericFunction)
    finally:
        dispatch.set_native_default(None)
    assert dispatch.generic(lambda x: None).native


def test_native_mode_off_by_environment():
    code = "import dispatch; f = dispatch.generic(lambda x: None); print(type(f).__name__)"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "GFJIT_NATIVE": "0"},
                         capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "PythonGenericFunction"


PY313 = Path("/work/venv313/bin/python")


@pytest.mark.skipif(not PY313.exists(), reason="no CPython 3.13 venv with llvmlite")
def test_native_dispatch_works_on_python_3_13():
    code = ("import dispatch\n"
            "f = dispatch.generic(lambda x: None)\n"
            "f.method(lambda x: x * 2)\n"
            "f(2); assert f.compile(); print(type(f).__name__, f(21))\n")
    out = subprocess.run([str(PY313), "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["NativeGenericFunction", "42"]


def test_dispatcher_compiled_before_a_class_change_is_not_installed():
    from dispatch.dispatcher import compile_dispatcher

    f = _gf()
    f.method(lambda x: "old")

    @f.method
    def _(x: A):
        return "a"

    f(B())
    assert dispatch.wait_for_compiles(timeout=60)
    state = f._gf_state
    stale = compile_dispatcher(state.dispatcher_spec())
    dispatch.class_changed(B)  # e.g. B got a new superclass
    with state._lock:
        assert not state._install(stale)
    assert f(B()) == "a"


def test_call_with_the_vectorcall_arguments_offset_flag():
    f = _gf()
    f.method(lambda x, y=0: (x, y))
    f(1)
    f.compile()

    class K:
        g = staticmethod(f)  # unbound: K().g(1) is a method-style call passing the offset flag

    assert K().g(1) == (1, 0)
    assert K.g(2, y=3) == (2, 3)


def test_many_identity_eqls_stay_correct_beyond_native_expansion():
    objs = [object() for _ in range(300)]
    f = _gf()
    f.method(lambda x: "other")
    for i, o in enumerate(objs):
        f.add_method(dispatch.Method(lambda x, _i=i: _i, (dispatch.Eql(o),)))
    assert f(objs[7]) == 7
    f.compile()
    assert [f(o) for o in objs[:50]] == list(range(50))
    assert f(object()) == "other"


def _around_chain():
    f = _gf()
    seen = []

    @f.method
    def primary(x: A, *more, **kw):
        return ("primary", x, more, kw)

    @f.method(qualifier="around")
    def outer(next_method, x: A, *more, **kw):
        seen.append((more, kw))
        return next_method()

    f(A())
    f.compile()
    return f, seen


def test_an_around_chain_is_a_native_link_whose_address_the_dispatcher_calls():
    f, _ = _around_chain()
    (_, outcome), = f.call_history
    assert type(outcome).__name__ == "NativeLink"
    assert f"inttoptr (i64 {id(outcome)} to ptr)" in f.ir()
    a = A()
    assert f(a) == ("primary", a, (), {})


def test_extra_positional_and_keyword_arguments_take_the_general_step_natively():
    f, seen = _around_chain()
    a = A()
    assert f(a, 1, 2) == ("primary", a, (1, 2), {})
    assert f(a, k=3) == ("primary", a, (), {"k": 3})
    assert seen[-2:] == [((1, 2), {}), ((), {"k": 3})]


def test_next_method_with_new_arguments_natively():
    f = _gf()

    @f.method
    def primary(x: A):
        return x

    @f.method(qualifier="around")
    def outer(next_method, x: A):
        return next_method("replaced")

    f(A())
    f.compile()
    assert f(A()) == "replaced"


def test_an_overriding_method_without_next_method_is_the_outcome_itself():
    f = _gf()

    @f.method
    def on_a(x: A):
        return "a"

    @f.method
    def on_b(x: B):
        return "b"

    assert f(B()) == "b"
    f.compile()
    assert f(B()) == "b"
    assert [outcome for _, outcome in f.call_history] == [on_b]
    assert f"inttoptr (i64 {id(on_b)} to ptr)" in f.ir()


def test_before_and_after_methods_run_in_order_in_a_native_wrap():
    f = _gf()
    trace = []

    @f.method
    def primary(x: A, *more):
        trace.append("primary")
        return more

    @f.method(qualifier="before")
    def before(x: A, *more):
        trace.append("before")

    @f.method(qualifier="after")
    def after(x: A, *more):
        trace.append("after")

    f(A())
    f.compile()
    (_, outcome), = f.call_history
    assert type(outcome).__name__ == "NativeWrap"
    trace.clear()
    assert f(A()) == ()
    assert f(A(), 1) == (1,)
    assert trace == ["before", "primary", "after"] * 2


def test_native_mode_is_refused_where_tp_vectorcall_offset_is_not_found(monkeypatch):
    from jit.cpython import layout

    monkeypatch.setattr(layout, "TP_VECTORCALL_OFFSET", layout.TP_VECTORCALL_OFFSET + 8)
    assert "tp_vectorcall_offset" in layout.check()
