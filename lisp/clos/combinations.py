"""What the built-in method combinations (CLHS 7.6.6.4) need from the Lisp: NIL is the only false
value, ``list``/``append``/``nconc`` make Lisp lists, and a value that is not a method's own is
the call's only value (the multiple values a method recorded are forgotten).

The combinations themselves are dispatch's one table (:mod:`dispatch.operators`); every Lisp
generic function is made with :data:`LISP_VALUES`.
"""

from __future__ import annotations

from typing import Any

from dispatch import ValueModel
from lisp.library.lists import append, nconc
from lisp.runtime import values as mv
from lisp.runtime.data import NIL, make_list


class LispValues(ValueModel):
    """Lisp truth and lists, and Lisp's multiple values, for dispatch's operators."""

    def is_true(self, value: Any) -> bool:
        return value is not NIL

    def make_list(self, values: list[Any]) -> Any:
        return make_list(values)

    def append(self, lists: list[Any]) -> Any:
        return append(*lists)

    def nconc(self, lists: list[Any]) -> Any:
        return nconc(*lists)

    def one_value(self, value: Any) -> Any:
        mv.clear()
        return value


LISP_VALUES = LispValues()
