"""os.fork() while other threads define methods, redefine generic functions and call them: every
child finishes its calls (dispatch.forking). Run in a child interpreter of its own, so the forks
happen with no pytest threads around."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = r"""
import os, signal, sys, threading, warnings
warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+ warns of fork with threads running
import dispatch

NATIVE, FORKS = sys.argv[1] == "native", int(sys.argv[2])


class A:
    pass


classes = [type(f"C{i}", (A,), {}) for i in range(6)]
gfs = [dispatch.make_generic(f"g{k}", ["x"], native=NATIVE) for k in range(3)]
for g in gfs:
    g.add_method(dispatch.Method(lambda x: "a", (A,)))
stop = threading.Event()


def define(g):
    i = 0
    while not stop.is_set():
        i += 1
        method = dispatch.Method(lambda x: "a", (classes[i % len(classes)],))  # what A's does
        g.add_method(method)
        g.remove_method(method)
        g.reinitialize(argument_precedence_order=["x"])


def call(g):
    while not stop.is_set():
        for c in classes:
            g(c())


def make_and_change():
    k = 0
    while not stop.is_set():
        k += 1
        dispatch.make_generic(f"made{k}", ["x"], native=NATIVE)
        dispatch.class_changed(classes[k % len(classes)])


threads = [threading.Thread(target=define, args=(g,)) for g in gfs]
threads += [threading.Thread(target=call, args=(g,)) for g in gfs]
threads.append(threading.Thread(target=make_and_change))
for t in threads:
    t.start()
failed = []
try:
    for n in range(FORKS):
        pid = os.fork()
        if pid == 0:
            signal.alarm(30)  # a child that hangs dies of SIGALRM: its exit status says so
            try:
                for g in gfs:
                    for c in classes:
                        assert g(c()) == "a"
                g = dispatch.make_generic("in_child", ["x"], native=NATIVE)
                g.add_method(dispatch.Method(lambda x: "child", (A,)))
                assert g(A()) == "child"
            except BaseException:
                os._exit(1)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            failed.append((n, status))
finally:
    stop.set()
    for t in threads:
        t.join()
print(f"{len(failed)} of {FORKS} children failed: {failed}")
sys.exit(1 if failed else 0)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork")
@pytest.mark.timeout(300)
@pytest.mark.parametrize("mode", ["native", "python"])
def test_children_forked_while_threads_update_and_call_finish_their_calls(mode):
    done = subprocess.run([sys.executable, "-c", _SCRIPT, mode, "60"], capture_output=True,
                          text=True, timeout=280, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stdout + done.stderr
