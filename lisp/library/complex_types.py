"""``upgraded-complex-part-type``.

A complex here is a Python complex, whose parts are doubles (the README's deviation "complexes have
float parts"): ``(complex 1 2)`` is ``#C(1.0 2.0)``. The standard asks for a type that contains the
part type given, so the answer is REAL for every subtype of REAL (SBCL answers the type itself, or
an upgraded integer range); any other type is an error, as in SBCL.
"""

from __future__ import annotations

from typing import Any

from lisp.library.arguments import show
from lisp.library.types import subtype
from lisp.runtime.condition_classes import SimpleError
from lisp.runtime.data import NIL, cl_symbol
from lisp.runtime.namespace import builtin
from lisp.runtime.signals import raise_error

_REAL = cl_symbol("REAL")


@builtin("UPGRADED-COMPLEX-PART-TYPE")
def upgraded_complex_part_type(typespec: Any, environment: Any = NIL) -> Any:
    if not subtype(typespec, _REAL)[0]:
        raise_error(SimpleError(f"UPGRADED-COMPLEX-PART-TYPE: the part type of a complex must be a "
                                f"subtype of REAL, not {show(typespec)}"))
    return _REAL
