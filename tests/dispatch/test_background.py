"""The background compile pool: workers that die are replaced, and compiling goes on."""

import threading

import pytest

import dispatch
from dispatch import background
from dispatch.background import CompilePool


class WorkerKilled(BaseException):
    """Not an Exception: the worker does not survive it (like an asynchronous SystemExit)."""


def _native_gf(name):
    gf = dispatch.make_generic(name, ["x"], native=True)
    if not gf.native:
        pytest.skip("native dispatch unavailable here")
    gf.add_method(dispatch.Method(lambda x: "int", (int,)))
    return gf


def _killing(state):
    """Make ``state``'s next compile kill the worker running it."""
    def compile_now():
        del state.compile_now
        state._compile_pending = False
        raise WorkerKilled
    state.compile_now = compile_now


@pytest.fixture
def one_worker():
    dispatch.configure_compiler(workers=1, debounce=0)
    yield background.pool()
    dispatch.configure_compiler()


@pytest.mark.timeout(60)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_dead_compile_worker_is_replaced_and_later_generic_functions_compile(one_worker):
    victim = _native_gf("victim")
    _killing(victim._gf_state)
    victim(1)
    assert dispatch.wait_for_compiles(timeout=30)
    later = _native_gf("later")
    later(1)
    assert dispatch.wait_for_compiles(timeout=30)
    assert later.stats.installs == 1
    assert sum(t.is_alive() for t in one_worker._threads) == 1


@pytest.mark.timeout(60)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_work_queued_behind_a_dying_worker_is_compiled_without_a_new_request():
    pool = CompilePool(workers=1, debounce=0)
    try:
        victim, queued = _native_gf("victim2"), _native_gf("queued")
        victim(1)
        queued(1)
        dispatch.wait_for_compiles(timeout=30)
        release = threading.Event()
        victim_state = victim._gf_state

        def compile_now():
            del victim_state.compile_now
            release.wait(30)  # the queued request arrives while this worker is busy
            raise WorkerKilled
        victim_state.compile_now = compile_now
        pool.schedule(victim_state.compile_job)
        pool.schedule(queued._gf_state.compile_job)
        release.set()
        assert pool.drain(timeout=30)
        assert queued.stats.compiles >= 2
    finally:
        pool.stop()
