"""Method combinations: which qualifiers a generic function accepts, and how the sorted
applicable methods become one *effective method* (CLHS 7.6.6.2); the standard combination here,
the operator ones (CLHS 7.6.6.4) in :mod:`dispatch.operators`.

An effective method is a plain callable taking the call's arguments. When only one method runs
and it does not ask for ``next_method``, the effective method is that method's function itself,
so the native hit path reaches it with no wrapper in between. Otherwise, in native mode, the
steps that pass ``next_method`` and run before/primary/after methods are native objects
(:mod:`dispatch.steps`); with native mode off they are Python closures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from dispatch import steps
from dispatch.errors import InvalidMethodError
from dispatch.methods import Method

Step = Callable[..., Any]  # called with the call's arguments
AROUND = ("around",)


class CallContext(Protocol):
    """What effective methods need from their generic function."""

    name: str
    nargs: int  # dispatched (required positional) parameters
    native_steps: bool  # chain methods with native steps (dispatch.steps)
    # Methods the combination cannot run were accepted: an applicable one makes the call run
    # invalid_method (see dispatch.make_generic), checked by OutcomeBuilder.
    checks_at_call: bool

    def no_next_method(self, method: Method, args: tuple, kwargs: dict) -> Any: ...

    def no_primary_method(self, args: tuple, kwargs: dict) -> Any: ...

    def invalid_method(self, method: Method, message: str, args: tuple, kwargs: dict) -> Any: ...


class MissingNextMethod:
    """The ``next_method`` argument of a method that has no next method: false, and calling it
    runs the generic function's no-next-method hook (by default raises ``NoNextMethod``)."""

    __slots__ = ("_method", "_ctx", "_args", "_kwargs")

    def __init__(self, method: Method, ctx: CallContext, args: tuple, kwargs: dict) -> None:
        self._method, self._ctx, self._args, self._kwargs = method, ctx, args, kwargs

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args and not kwargs:
            args, kwargs = self._args, self._kwargs
        return self._ctx.no_next_method(self._method, args, kwargs)

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"<no next method after {self._method!r}>"


def _link(method: Method, nxt: Step | None, ctx: CallContext) -> Step:
    """The step running ``method`` with ``nxt`` as its next method: native (see
    :mod:`dispatch.steps`) when ``ctx.native_steps``, else Python."""
    if not method.wants_next:
        return method.function
    step = _python_link(method, nxt, ctx)
    if not ctx.native_steps:
        return step
    if nxt is None:
        def missing(*args: Any, **kwargs: Any) -> Any:
            return ctx.no_next_method(method, args, kwargs)
        return steps.make_step(method.function, missing, step, truth=False)
    return steps.make_step(method.function, nxt, step, truth=True)


def _python_link(method: Method, nxt: Step | None, ctx: CallContext) -> Step:
    """:func:`_link` in Python. When there is a next method, ``next_method`` is a closure made
    per call: a plain Python function, so calling it is an inlined Python-to-Python call (no
    ``tp_call`` slot), and it is true, as next-method-p must be."""
    f = method.function
    if nxt is None:
        def step(*args: Any, **kwargs: Any) -> Any:
            return f(MissingNextMethod(method, ctx, args, kwargs), *args, **kwargs)
        return step
    following = nxt

    def step(*args: Any, **kwargs: Any) -> Any:
        def next_method(*new_args: Any, **new_kwargs: Any) -> Any:
            if new_args or new_kwargs:
                return following(*new_args, **new_kwargs)
            return following(*args, **kwargs)
        return f(next_method, *args, **kwargs)
    return step


def _chain(methods: Sequence[Method], tail: Step | None, ctx: CallContext) -> Step | None:
    """The step running ``methods[0]`` whose next method is ``methods[1]``, ..., then ``tail``."""
    step = tail
    for m in reversed(methods):
        step = _link(m, step, ctx)
    return step


def _effective(step: Step, methods: Sequence[Method]) -> Callable[..., Any]:
    """``step`` as an effective method of its own (never a method's function itself)."""
    def effective_method(*args: Any, **kwargs: Any) -> Any:
        return step(*args, **kwargs)
    effective_method.methods = tuple(methods)  # type: ignore[attr-defined]
    return effective_method


def _labelled(step: Step, methods: Sequence[Method], plain: Sequence[Callable[..., Any]]) -> Step:
    """``step`` labelled with its methods for introspection, unless it is a method function."""
    if any(step is f for f in plain):
        return _effective(step, methods)
    step.methods = tuple(methods)  # type: ignore[attr-defined]
    return step


def _sole_function(primaries: Sequence[Method]) -> Callable[..., Any] | None:
    """The function that is the whole effective method when only primaries apply: the most
    specific one's, if it does not take ``next_method`` (the others can then never run)."""
    if primaries and not primaries[0].wants_next:
        return primaries[0].function
    return None


class Combination:
    """Base of method combinations."""

    name: str
    primary_qualifiers: tuple[str, ...]

    def accepted(self) -> tuple[tuple[str, ...], ...]:
        raise NotImplementedError

    def check(self, method: Method) -> None:
        """Refuse a method this combination cannot run: InvalidMethodError says why."""
        if method.qualifiers not in self.accepted():
            names = [repr(q[0]) if q else "no qualifier" for q in self.accepted()]
            allowed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
            raise InvalidMethodError(
                f"method {method.where()} has qualifiers {method.qualifiers!r}; the {self.name!r} "
                f"method combination accepts: {allowed}")
        if method.wants_next and not self.passes_next(method.qualifiers):
            raise InvalidMethodError(
                f"method {method.where()}: {' '.join(method.qualifiers)} methods cannot take "
                "next_method")

    def passes_next(self, qualifiers: tuple[str, ...]) -> bool:
        raise NotImplementedError

    def effective_method(self, methods: Sequence[Method], ctx: CallContext) -> Callable[..., Any]:
        """The effective method for ``methods`` (applicable, most specific first)."""
        raise NotImplementedError

    def without_primary(self, methods: Sequence[Method], ctx: CallContext) -> Callable[..., Any]:
        """The effective method when only qualified methods apply: the no-primary-method error."""
        return _effective(lambda *args, **kwargs: ctx.no_primary_method(args, kwargs), methods)

    def with_arounds(self, arounds: list[Method], inner: Step, methods: Sequence[Method],
                     ctx: CallContext) -> Callable[..., Any]:
        """``inner`` (running the other methods) inside the around methods, labelled with
        ``methods`` for introspection."""
        step = _chain(arounds, inner, ctx)
        assert step is not None
        return _labelled(step, methods, [m.function for m in methods])


class StandardCombination(Combination):
    """CLOS standard method combination: around, before, primary, after."""

    name = "standard"
    primary_qualifiers = ()

    def accepted(self) -> tuple[tuple[str, ...], ...]:
        return ((), ("before",), ("after",), AROUND)

    def passes_next(self, qualifiers: tuple[str, ...]) -> bool:
        return qualifiers in ((), AROUND)

    def effective_method(self, methods: Sequence[Method], ctx: CallContext) -> Callable[..., Any]:
        arounds = [m for m in methods if m.qualifiers == AROUND]
        befores = [m.function for m in methods if m.qualifiers == ("before",)]
        primaries = [m for m in methods if m.qualifiers == ()]
        afters = [m.function for m in reversed(methods) if m.qualifiers == ("after",)]
        if not primaries:
            return self.without_primary(methods, ctx)
        if not (arounds or befores or afters) and (sole := _sole_function(primaries)):
            return sole
        primary = _chain(primaries, None, ctx)
        assert primary is not None
        if (befores or afters) and ctx.native_steps:
            inner = steps.make_wrap(befores, primary, afters)
        elif befores or afters:
            def inner(*args: Any, **kwargs: Any) -> Any:
                for before in befores:
                    before(*args, **kwargs)
                result = primary(*args, **kwargs)
                for after in afters:
                    after(*args, **kwargs)
                return result
        else:
            inner = primary
        return self.with_arounds(arounds, inner, methods, ctx)
