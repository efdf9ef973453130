"""os.fork() while other threads define methods and classes and call generic functions: every
child can define and call (the object system's locks are free in the child)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = r"""
import sys
import lisp, lisp.clos
from fork_children import fork_while
from lisp.clos import functions as clos
from lisp.runtime.data import NIL, make_list

lisp.clos.install()
ev = lisp.eval_string
ev("(defgeneric fk-size (x)) (defmethod fk-size ((x t)) :any)")
ev("(defclass fk-base () ((a :initarg :a :accessor fk-a))) (defclass fk-other () ())")
size, make_instance = lisp.function("fk-size"), lisp.function("make-instance")
fk_size, x, fk_base, fk_other, key_a, *subclasses = lisp.read_from_string(
    "(fk-size (x) fk-base fk-other :a fk-sub0 fk-sub1)")


# The parent's threads go through the object system's functions, not through the compiler and
# the printer: their locks are not the object system's (a CPython 3.11 functools.cached_property
# in the printer holds one lock for all instances, which a child may find held for good).
def definer(k):
    def define(stop):
        i = 0
        while not stop.is_set():
            i += 1
            eql = clos.eql_specializer((k + 1) * 1000000 + i)
            clos.defmethod(fk_size, NIL, make_list([eql]), x, lambda x: "any", NIL, NIL)
            superclass = fk_base if i % 2 else fk_other
            clos.defclass(subclasses[k], make_list([superclass]), NIL, NIL, NIL)
    return define


def call(stop):
    while not stop.is_set():
        size(1)
        make_instance(fk_base, key_a, 1)


def child():
    ev("(defmethod fk-size ((x integer)) :integer)")
    ev("(defclass fk-child (fk-base) ())")
    assert ev("(fk-size 1)") is ev(":integer")
    assert ev("(fk-a (make-instance 'fk-child :a 7))") == 7


fork_while([definer(0), definer(1), call], int(sys.argv[1]), child)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork")
@pytest.mark.timeout(300)
def test_children_forked_while_threads_define_methods_and_classes_can_define_and_call():
    done = subprocess.run([sys.executable, "-c", _SCRIPT, "50"], capture_output=True, text=True,
                          timeout=280,
                          env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"})
    assert done.returncode == 0, done.stdout + done.stderr
