"""The evaluation thread of the toplevel: results, errors, deep recursion, Ctrl-C."""

import functools
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from lisp.repl.worker import RECURSION_LIMIT, EvalThread, allow_deep_recursion


@pytest.fixture(scope="module")
def worker():
    # The limit is process-wide: restore it, as other tests recurse in the main thread.
    saved = sys.getrecursionlimit()
    allow_deep_recursion()
    yield EvalThread()
    sys.setrecursionlimit(saved)


def test_a_call_returns_the_value_of_the_function(worker):
    assert worker.call(lambda a, b: a + b, 1, 2) == 3


def test_a_call_raises_the_exception_of_the_function(worker):
    with pytest.raises(ZeroDivisionError):
        worker.call(lambda: 1 / 0)


def test_every_call_runs_in_the_same_thread_which_is_not_the_callers(worker):
    first = worker.call(threading.get_ident)
    assert worker.call(threading.get_ident) == first != threading.get_ident()


def _through_c(n):
    # Each level re-enters the interpreter through a C function, which uses C stack.
    return 0 if n == 0 else functools.reduce(lambda _a, _b: _through_c(n - 1) + 1, [0, 0])


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="CPython 3.12+ cap C recursion themselves")
def test_recursion_through_c_calls_far_deeper_than_the_main_thread_allows(worker):
    # The main thread's 8 MiB stack overflows (a crash) at about 15,000 such levels.
    assert worker.call(_through_c, 30_000) == 30_000


def _plain(n):
    return 0 if n == 0 else _plain(n - 1) + 1


def test_plain_recursion_goes_ninety_thousand_deep(worker):
    assert worker.call(_plain, 90_000) == 90_000


def test_recursion_past_the_limit_is_a_recursion_error_and_the_thread_lives_on(worker):
    with pytest.raises(RecursionError):
        worker.call(_through_c, RECURSION_LIMIT * 2)
    assert worker.call(lambda: "alive") == "alive"


def _forever():
    # In a function of its own: CPython 3.11-3.13 may skip a `finally` whose try body is a bare
    # loop when an interrupt lands on the loop's backward jump (cpython#108214, #130279).
    n = 0
    while n >= 0:
        n += 1


def _spinner(started, cleaned_up):
    """A function that says it started, then loops for ever in a try whose finally records."""

    def spin():
        started.set()
        try:
            _forever()
        finally:
            cleaned_up.append(True)

    return spin


@pytest.mark.timeout(30)
def test_sigint_interrupts_the_running_call_which_unwinds_through_finally(worker):
    started = threading.Event()
    cleaned_up = []
    spin = _spinner(started, cleaned_up)

    def press_ctrl_c():
        started.wait()
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=press_ctrl_c).start()
    with pytest.raises(KeyboardInterrupt):
        worker.call(spin)
    assert cleaned_up == [True]
    assert worker.call(lambda: "alive") == "alive"


@pytest.mark.timeout(120)
def test_gfjit_eval_under_a_profiler_returns(tmp_path):
    # CPython 3.11: clearing a pending async exception that was never sent hung the profiled
    # main thread's next Event.wait for good.
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(tmp_path / "profile"), "-m", "lisp", "eval",
                           "(+ 1 2)"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "3\n"), done.stderr


# -- the channel back to the waiting thread --------------------------------------------------

def test_ask_runs_a_function_in_the_thread_waiting_for_the_call(worker):
    assert worker.call(lambda: worker.ask(threading.get_ident)) == threading.get_ident()


def test_ask_raises_in_the_evaluation_thread_what_the_function_raised(worker):
    def asks():
        try:
            worker.ask(lambda: 1 / 0)
        except ZeroDivisionError:
            return "raised here"

    assert worker.call(asks) == "raised here"


def test_ask_is_refused_outside_a_call(worker):
    with pytest.raises(RuntimeError):
        worker.ask(lambda: None)


# -- Ctrl-C that breaks in where the evaluation is -------------------------------------------

def _press_ctrl_c_when(event):
    def press():
        event.wait()
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=press).start()


@pytest.mark.timeout(30)
def test_with_on_interrupt_ctrl_c_calls_it_inside_the_evaluation_which_then_goes_on():
    worker = EvalThread()
    started, stop, seen = threading.Event(), [], []

    def on_interrupt():
        frames = []
        frame = sys._getframe()
        while frame is not None:
            frames.append(frame.f_code.co_name)
            frame = frame.f_back
        seen.append("spin" in frames)
        stop.append(True)

    def spin():
        started.set()
        while not stop:
            pass
        return "finished"

    worker.on_interrupt = on_interrupt
    _press_ctrl_c_when(started)
    assert worker.call(spin) == "finished"
    assert seen == [True]


@pytest.mark.timeout(30)
def test_on_interrupt_may_raise_into_the_evaluation_which_unwinds_through_finally():
    worker = EvalThread()
    started, cleaned_up = threading.Event(), []
    spin = _spinner(started, cleaned_up)

    def on_interrupt():
        raise KeyboardInterrupt

    worker.on_interrupt = on_interrupt
    _press_ctrl_c_when(started)
    with pytest.raises(KeyboardInterrupt):
        worker.call(spin)
    assert cleaned_up == [True]
    assert worker.call(lambda: "alive") == "alive"


@pytest.mark.timeout(30)
def test_a_break_during_a_long_c_call_is_taken_when_it_returns_and_leaves_no_trace():
    worker = EvalThread()
    calls = []
    worker.on_interrupt = lambda: calls.append(True)
    started = threading.Event()

    def long_c_call():
        started.set()
        time.sleep(1)  # no bytecode runs: the break waits for it
        return "done"

    _press_ctrl_c_when(started)
    assert worker.call(long_c_call) == "done"
    assert calls == [True]
    assert worker.call(sys.gettrace) is None
