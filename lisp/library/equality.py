"""The Lisp functions ``eq``, ``eql``, ``equal``, ``equalp`` (CLHS 5.3) over the predicates of
:mod:`lisp.runtime.equality`."""

from __future__ import annotations

from typing import Any

from lisp.library.arguments import truth
from lisp.runtime.equality import eq_p, eql_p, equal_p, equalp_p
from lisp.runtime.namespace import builtin


@builtin("EQ")
def eq(a: Any, b: Any) -> Any:
    return truth(eq_p(a, b))


@builtin("EQL")
def eql(a: Any, b: Any) -> Any:
    return truth(eql_p(a, b))


@builtin("EQUAL")
def equal(a: Any, b: Any) -> Any:
    return truth(equal_p(a, b))


@builtin("EQUALP")
def equalp(a: Any, b: Any) -> Any:
    return truth(equalp_p(a, b))
