"""os.fork() while other threads define methods, redefine generic functions and call them: every
child finishes its calls (dispatch.forking)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = r"""
import sys
import dispatch
from fork_children import fork_while

NATIVE, FORKS = sys.argv[1] == "native", int(sys.argv[2])


class A:
    pass


classes = [type(f"C{i}", (A,), {}) for i in range(6)]
gfs = [dispatch.make_generic(f"g{k}", ["x"], native=NATIVE) for k in range(3)]
for g in gfs:
    g.add_method(dispatch.Method(lambda x: "a", (A,)))


def definer(g):
    def define(stop):
        i = 0
        while not stop.is_set():
            i += 1
            method = dispatch.Method(lambda x: "a", (classes[i % len(classes)],))  # what A's does
            g.add_method(method)
            g.remove_method(method)
            g.reinitialize(argument_precedence_order=["x"])
    return define


def caller(g):
    def call(stop):
        while not stop.is_set():
            for c in classes:
                g(c())
    return call


def make_and_change(stop):
    k = 0
    while not stop.is_set():
        k += 1
        dispatch.make_generic(f"made{k}", ["x"], native=NATIVE)
        dispatch.class_changed(classes[k % len(classes)])


def child():
    for g in gfs:
        for c in classes:
            assert g(c()) == "a"
    g = dispatch.make_generic("in_child", ["x"], native=NATIVE)
    g.add_method(dispatch.Method(lambda x: "child", (A,)))
    assert g(A()) == "child"


fork_while([*map(definer, gfs), *map(caller, gfs), make_and_change], FORKS, child)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork")
@pytest.mark.timeout(300)
@pytest.mark.parametrize("mode", ["native", "python"])
def test_children_forked_while_threads_update_and_call_finish_their_calls(mode):
    done = subprocess.run([sys.executable, "-c", _SCRIPT, mode, "60"], capture_output=True,
                          text=True, timeout=280,
                          env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"})
    assert done.returncode == 0, done.stdout + done.stderr
