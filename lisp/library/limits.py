"""The implementation limits of CLHS 3.3 and 15 that a program may read (``call-arguments-limit``,
``array-rank-limit``...). CPython sets no count of its own on arguments, parameters or values, so
those are SBCL's values (the largest fixnum); arrays are bounded by the fixnum range of indices."""

from __future__ import annotations

from lisp.runtime.data import cl_symbol
from lisp.runtime.namespace import proclaim_constant

MOST_POSITIVE_FIXNUM = 2 ** 62 - 1
LIMITS = {
    "CALL-ARGUMENTS-LIMIT": MOST_POSITIVE_FIXNUM,
    "LAMBDA-PARAMETERS-LIMIT": MOST_POSITIVE_FIXNUM,
    "MULTIPLE-VALUES-LIMIT": MOST_POSITIVE_FIXNUM,
    "ARRAY-RANK-LIMIT": 129,
    "ARRAY-DIMENSION-LIMIT": MOST_POSITIVE_FIXNUM - 2,
    "ARRAY-TOTAL-SIZE-LIMIT": MOST_POSITIVE_FIXNUM - 2,
}
for _name, _value in LIMITS.items():
    proclaim_constant(cl_symbol(_name), _value)
