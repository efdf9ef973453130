"""A failed native compile: recorded in ``compile_error``, the Python path serves the calls, and a
compile is tried again once the generic function changes (issue 20, the dispatch part)."""

import sys

import pytest

import dispatch
from dispatch import native as native_layout

# The module, which the decorator dispatch.generic hides as an attribute of the package.
state_module = sys.modules["dispatch.generic"]

pytestmark = [
    pytest.mark.skipif(native_layout.unavailable_reason() is not None,
                       reason=f"native mode unavailable: {native_layout.unavailable_reason()}"),
    pytest.mark.filterwarnings("ignore:gfjit. compiling a dispatcher:RuntimeWarning"),
]


class A:
    pass


class B:
    pass


class CompileFault(Exception):
    pass


@pytest.fixture
def failing_compiles(monkeypatch):
    """Every dispatcher compile fails while ``state["failing"]``; counts the attempts."""
    real = state_module.compile_dispatcher
    state = {"failing": True, "attempts": 0}

    def compile_dispatcher(spec):
        state["attempts"] += 1
        if state["failing"]:
            raise CompileFault(f"no native code for {spec.name}")
        return real(spec)

    monkeypatch.setattr(state_module, "compile_dispatcher", compile_dispatcher)
    return state


def _gf():
    @dispatch.generic(native=True)
    def f(x):
        """Doc."""

    @f.method
    def on_a(x: A):
        return "a"

    return f


def _failed_once(f):
    f(A())
    assert dispatch.wait_for_compiles(timeout=60)
    assert isinstance(f.compile_error, CompileFault)
    assert f._gf_state.compiled is None


def test_a_failed_compile_is_recorded_and_the_python_path_serves_calls(failing_compiles):
    f = _gf()
    _failed_once(f)
    assert "no native code for f" in str(f.compile_error)
    assert f(A()) == "a"


def test_compile_raises_what_failed_and_records_it(failing_compiles):
    f = _gf()
    f(A())
    assert dispatch.wait_for_compiles(timeout=60)
    with pytest.raises(CompileFault):
        f.compile()
    assert isinstance(f.compile_error, CompileFault)


def test_calls_on_the_history_that_failed_ask_for_no_compile_again(failing_compiles):
    f = _gf()
    _failed_once(f)
    attempts = failing_compiles["attempts"]
    for _ in range(5):
        assert f(A()) == "a"
    assert dispatch.wait_for_compiles(timeout=60)
    assert failing_compiles["attempts"] == attempts


def test_a_successful_install_clears_compile_error(failing_compiles):
    f = _gf()
    _failed_once(f)
    failing_compiles["failing"] = False
    assert f.compile()
    assert f.compile_error is None
    assert f._gf_state.compiled is not None
    assert f(A()) == "a"


def test_a_new_method_retries_the_compile(failing_compiles):
    f = _gf()
    _failed_once(f)
    failing_compiles["failing"] = False

    @f.method
    def on_b(x: B):
        return "b"

    assert f(B()) == "b"  # a miss on the new history asks the pool again
    assert dispatch.wait_for_compiles(timeout=60)
    assert f.compile_error is None
    assert f._gf_state.compiled is not None
    assert (f(A()), f(B())) == ("a", "b")


def test_a_class_tuple_learnt_after_the_failure_retries_the_compile(failing_compiles):
    f = _gf()

    @f.method
    def on_b(x: B):
        return "b"

    _failed_once(f)
    failing_compiles["failing"] = False
    assert f(B()) == "b"  # the call history grew: another chance
    assert dispatch.wait_for_compiles(timeout=60)
    assert f.compile_error is None
    assert f._gf_state.compiled is not None


def test_a_failure_for_the_new_history_is_recorded_again(failing_compiles):
    f = _gf()
    _failed_once(f)
    first = f.compile_error
    f.reinitialize(dispatched=["y"])
    f(A())
    assert dispatch.wait_for_compiles(timeout=60)
    assert isinstance(f.compile_error, CompileFault) and f.compile_error is not first
