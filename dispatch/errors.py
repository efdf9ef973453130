"""The exceptions dispatch raises: at call time (no method) and at definition time (bad method).

Invariant I4, bad calls are Python errors: "Too few arguments, no applicable method, no next
method: a proper exception naming the generic function and the argument classes; nothing
crashes." A dispatcher sends a call with too few arguments to the miss handler, which raises
Python's own TypeError for it (:meth:`dispatch.generic.GenericState.dispatch`); the other two are
the classes below, raised by outcomes unless the generic function has a hook for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _class_names(args: Sequence[Any]) -> str:
    return ", ".join(type(a).__qualname__ for a in args)


class NoApplicableMethod(TypeError):
    """No method of a generic function applies to the arguments of a call."""

    def __init__(self, name: str, args: Sequence[Any], detail: str = "") -> None:
        self.generic_name = name
        self.args_classes = tuple(type(a) for a in args)
        msg = f"no applicable method for {name}() with argument classes ({_class_names(args)})"
        super().__init__(msg + (f"\n{detail}" if detail else ""))


class NoPrimaryMethod(NoApplicableMethod):
    """Methods apply (before, after, around) but no primary method does (CLHS 7.6.6.2)."""

    def __init__(self, name: str, args: Sequence[Any]) -> None:
        super().__init__(name, args)
        self.args = (f"no primary method for {name}() with argument classes ({_class_names(args)}); "
                     "only qualified methods apply",)


class NoNextMethod(TypeError):
    """A method called ``next_method()`` and there is no next method."""

    def __init__(self, name: str, method: Any, args: Sequence[Any]) -> None:
        self.generic_name = name
        self.method = method
        super().__init__(f"no next method for {name}() after {method!r} "
                         f"with argument classes ({_class_names(args)})")


class MethodRedefinitionWarning(UserWarning):
    """A method defined elsewhere replaced one with the same specializers and qualifiers."""


class MethodNameWarning(UserWarning):
    """``@gf.method`` decorated a function named like the generic function, whose name the
    decorator then rebinds to the method (the decorator returns the function it is given)."""


class InvalidMethodError(TypeError):
    """A method definition was refused; the generic function is unchanged."""
