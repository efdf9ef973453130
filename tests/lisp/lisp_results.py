"""Helpers for tests that evaluate Lisp text and look at the results as Lisp prints them.

The library's table tests (tests/lisp/test_lib_*.py) give each case as (form, what :func:`results`
prints for it); the expected results were checked against SBCL, run with
``*read-default-float-format*`` double-float (this Lisp has one float type, CL's double-float).
"""

from __future__ import annotations

import pytest

from lisp import evaluator
from lisp.runtime.condition_classes import Condition
from lisp.runtime.host_errors import as_condition
from lisp.syntax.printer import prin1_to_string

# Every value of the form, or the standard class of the error it signals, printed with prin1.
_ALL_VALUES = ("(handler-case (multiple-value-list {}) (type-error () :type-error)"
               " (program-error () :program-error) (error (c) (type-of c)))")


def results(form: str) -> str:
    """``(multiple-value-list FORM)`` printed, or ``:TYPE-ERROR`` / ``:PROGRAM-ERROR`` / the type
    of any other error it signals."""
    return prin1_to_string(evaluator.eval_string(_ALL_VALUES.format(form)))


def value(text: str) -> str:
    """The primary value of the last form of ``text``, printed with prin1."""
    return prin1_to_string(evaluator.eval_string(text))


def raised(text: str) -> Condition:
    """The condition that escapes from evaluating ``text`` (the test fails if nothing does)."""
    with pytest.raises(Exception) as info:
        evaluator.eval_string(text)
    return as_condition(info.value)
