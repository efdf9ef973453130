"""Method objects, and how a Python function becomes methods of a generic function."""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dispatch.errors import InvalidMethodError
from dispatch.specializers import Eql, Specializer, specializer_name, specializers_from_annotation

NEXT_METHOD_PARAMETER = "next_method"


@dataclass(frozen=True, eq=False)
class Method:
    """One method: a function, one specializer per dispatched parameter, and qualifiers.

    ``wants_next`` says whether the function's first argument is the next-method object; a
    function that does not ask for it is called with the call's arguments only. ``metaobject`` is
    dispatch's to keep, not to use: a language layer's own object for the method (so that layer
    can find it again from the generic function's method set, the only one there is).
    """

    function: Callable[..., Any]
    specializers: tuple[Specializer, ...]
    qualifiers: tuple[str, ...] = ()
    wants_next: bool = False
    metaobject: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not callable(self.function):
            raise InvalidMethodError(f"a method's function must be callable, not {self.function!r}")
        if not isinstance(self.qualifiers, tuple) or \
                not all(isinstance(q, str) for q in self.qualifiers):
            raise InvalidMethodError(f"qualifiers must be a tuple of strings, not {self.qualifiers!r}")
        for s in self.specializers:
            if not isinstance(s, (type, Eql)):
                raise InvalidMethodError(f"{self.where()}: specializer {s!r} is neither a class nor an Eql")

    @property
    def key(self) -> tuple[tuple[Specializer, ...], tuple[str, ...]]:
        """Methods with equal keys replace each other."""
        return (self.specializers, self.qualifiers)

    def where(self) -> str:
        code = getattr(self.function, "__code__", None)
        name = getattr(self.function, "__qualname__", repr(self.function))
        return f"{name} at {code.co_filename}:{code.co_firstlineno}" if code else name

    def __repr__(self) -> str:
        quals = " ".join(self.qualifiers)
        specs = ", ".join(specializer_name(s) for s in self.specializers)
        name = getattr(self.function, "__qualname__", repr(self.function))
        return f"<Method {name} {quals + ' ' if quals else ''}({specs})>"


def methods_from_function(function: Callable[..., Any], dispatched: int,
                          qualifiers: tuple[str, ...]) -> list[Method]:
    """The methods a decorated function defines: specializers come from the annotations of its
    first ``dispatched`` required positional parameters (after an optional ``next_method``); a
    union annotation gives one method per combination."""
    if not callable(function):
        raise InvalidMethodError(f"a method must be callable, not {function!r}")
    try:
        sig = inspect.signature(function, eval_str=True)
    except (NameError, SyntaxError) as e:
        raise InvalidMethodError(f"cannot evaluate the annotations of {function!r}: {e}") from None
    except (TypeError, ValueError):
        raise InvalidMethodError(f"{function!r} has no inspectable signature; build a Method "
                                 "with explicit specializers instead") from None
    params = [p for p in sig.parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    wants_next = bool(params) and params[0].name == NEXT_METHOD_PARAMETER
    if wants_next:
        params = params[1:]
    required = [p for p in params if p.default is p.empty]
    name = getattr(function, "__qualname__", repr(function))
    if len(required) != dispatched:
        raise InvalidMethodError(
            f"method {name} has {len(required)} required positional parameter(s) "
            f"(not counting next_method); the generic function dispatches on {dispatched}")
    choices = [specializers_from_annotation(p.annotation, f"{name}, parameter {p.name!r}")
               for p in required]
    return [Method(function, combo, qualifiers, wants_next) for combo in itertools.product(*choices)]
