"""Circular lists given where a proper list is needed: a TYPE-ERROR naming the list, never a hang
with growing memory (issue 15 item 7). Each case runs under a time limit in a child process, so a
regression fails instead of hanging the suite."""

import subprocess
import sys

import pytest

CIRCULAR = "(let ((l (list 1 2))) (setf (cddr l) l) l)"

TYPE_ERROR_CASES = {
    "values-list": "(values-list {c})",
    "progv": "(progv (let ((l (list '*cd-x* '*cd-y*))) (setf (cddr l) l) l) '(1 2) 3)",
    "write-sequence": "(write-sequence {c} (make-broadcast-stream))",
    "equal-hash-key": "(setf (gethash {c} (make-hash-table :test 'equal)) 1)",
    "equalp-hash-key": "(setf (gethash {c} (make-hash-table :test 'equalp)) 1)",
    "py-list": "(py:list {c})",
    "py-tuple": "(py:tuple {c})",
}

PROBE = """
import sys, lisp
from lisp.runtime.condition_classes import LispTypeError
try:
    lisp.eval_string(sys.argv[1])
except LispTypeError as e:
    print("TYPE-ERROR", type(e.slots.get("DATUM")).__name__)
else:
    print("NO ERROR")
"""


def _run(form: str) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE, form], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", sorted(TYPE_ERROR_CASES))
def test_a_circular_list_is_a_type_error_not_a_hang(case: str) -> None:
    assert _run(TYPE_ERROR_CASES[case].format(c=CIRCULAR)) == "TYPE-ERROR Cons"


@pytest.mark.timeout(120)
def test_sxhash_of_a_circular_list_ends_and_agrees_with_equal() -> None:
    out = _run("(let ((a (list 1 2)) (b (list 1 2))) (setf (cddr a) a (cddr b) b)"
               " (unless (= (sxhash a) (sxhash b)) (error \"sxhash differs\")))")
    assert out == "NO ERROR"
