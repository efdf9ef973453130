"""Method metaobjects and eql specializers of Lisp generic functions.

A :class:`LispMethod` is what ``defmethod`` makes and ``find-method`` returns: qualifiers (Lisp
symbols), specializers (Lisp classes or :class:`EqlSpecializer`), the lambda list, and the Python
function of its body. Its :attr:`LispMethod.dispatch_method` is the :class:`dispatch.Method` the
generic function actually runs: the same function, with the specializers' dispatch keys and the
qualifiers' names (:func:`qualifier_name`: ``:around`` -> ``"around"``, ``+`` -> ``"+"``). A body
that uses ``call-next-method`` or ``next-method-p`` is compiled to take the next-method object first
(``wants_next``); any other body is a plain function of the arguments, which the native dispatcher
calls with no wrapper. The dispatch method's ``metaobject`` is the :class:`LispMethod`, which is
how the Lisp finds its methods in dispatch's method set.
"""

from __future__ import annotations

import fractions
import functools
import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from dispatch import Eql, Method
from lisp.clos.classes import LispClass, display_name
from lisp.clos.lambda_lists import Shape
from lisp.runtime import values as mv
from lisp.runtime.data import COMMON_LISP, Symbol, keyword

_NUMBERS = (int, float, fractions.Fraction, complex)


def _eql_key(value: Any) -> Hashable:
    # CL eql on numbers: same type and value, and 0.0 is not eql to -0.0.
    if isinstance(value, float):
        return (value, math.copysign(1.0, value))
    return value


class EqlSpecializer:
    """``(eql object)``: matches arguments ``eql`` to ``object`` (CLHS 7.6.2)."""

    __slots__ = ("object", "dispatch_key")

    def __init__(self, obj: Any) -> None:
        self.object = obj
        # Numbers by type and value; everything else (characters are interned) by identity.
        if isinstance(obj, _NUMBERS):
            self.dispatch_key = Eql(obj, key=_eql_key)
        else:
            self.dispatch_key = Eql(obj, identity=True)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EqlSpecializer) and self.dispatch_key == other.dispatch_key

    def __hash__(self) -> int:
        return hash(self.dispatch_key)

    def __repr__(self) -> str:
        return f"(EQL {self.object!r})"


Specializer = LispClass | EqlSpecializer


def dispatch_specializer(spec: Specializer) -> type | Eql:
    return spec.dispatch_key if isinstance(spec, EqlSpecializer) else spec.python_type


AFTER = keyword("AFTER")
BEFORE = keyword("BEFORE")
AROUND = keyword("AROUND")


def qualifier_name(q: Any) -> str:
    """The dispatch qualifier of a Lisp qualifier (a non-NIL atom, normally a symbol): the bare
    name, lower case, for the symbols the built-in combinations accept (``:before``/``:after``/
    ``:around`` and the COMMON-LISP operator symbols), so that dispatch's check of a method
    against its combination is the Lisp's; any other symbol by its unique name, which no
    combination accepts (``:and`` is not ``and``)."""
    if not isinstance(q, Symbol):
        return str(q).lower()
    if q in (BEFORE, AFTER, AROUND) or q.package is COMMON_LISP:
        return q.name.lower()
    return q.unique_name().lower()


def _keeping_values(after: Callable[..., Any]) -> Callable[..., Any]:
    """An :after method runs once the primary methods have returned, and the generic function's
    values are theirs: the after method's own tail would clear the multiple values the primary
    recorded (see lisp.runtime.values), so they are saved around it."""

    @functools.wraps(after)
    def keeping_values(*args: Any, **kwargs: Any) -> Any:
        saved = mv.recorded()
        try:
            return after(*args, **kwargs)
        finally:
            mv.restore(saved)

    return keeping_values


def _forgetting_values(before: Callable[..., Any]) -> Callable[..., Any]:
    """A :before method's values are never the generic function's: they are forgotten at once, as
    the primary method may record nothing of its own (see lisp.compiler.core.one_value)."""

    @functools.wraps(before)
    def forgetting_values(*args: Any, **kwargs: Any) -> Any:
        result = before(*args, **kwargs)
        mv.clear()
        return result

    return forgetting_values


@dataclass(eq=False)
class LispMethod:
    """A method of a Lisp generic function (a ``standard-method``)."""

    qualifiers: tuple[Any, ...]
    specializers: tuple[Specializer, ...]
    lambda_list: Any
    function: Callable[..., Any]
    wants_next: bool
    shape: Shape
    documentation: str | None = None
    # The generic function it was last added to (lisp.clos.generic.owner_of: whether it still is).
    generic_function: Any = None
    # Made from the fields above, unless given: the method of a metaobject made for a method
    # added from Python (see lisp.clos.generic.python_method_metaobject).
    dispatch_method: Method = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.dispatch_method is not None:
            return
        function = self.function
        if self.qualifiers == (AFTER,):
            function = _keeping_values(function)
        elif self.qualifiers == (BEFORE,):
            function = _forgetting_values(function)
        self.dispatch_method = Method(function,
                                      tuple(dispatch_specializer(s) for s in self.specializers),
                                      tuple(qualifier_name(q) for q in self.qualifiers),
                                      self.wants_next, metaobject=self)

    @property
    def from_python(self) -> bool:
        """Whether the method was added from Python (its body is not Lisp)."""
        return self.dispatch_method.metaobject is not self

    @property
    def key(self) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """Methods with equal keys replace one another (same specializers and qualifiers)."""
        return (self.qualifiers, self.specializers)

    def describe_specializers(self) -> str:
        return " ".join(repr(s) if isinstance(s, EqlSpecializer) else display_name(s)
                        for s in self.specializers)

    def __repr__(self) -> str:
        gf = getattr(self.generic_function, "__name__", "?")
        quals = "".join(f" {q!r}" for q in self.qualifiers)
        return f"#<STANDARD-METHOD {gf}{quals} ({self.describe_specializers()})>"
