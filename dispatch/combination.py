"""Method combinations: which qualifiers a generic function accepts, and how the sorted
applicable methods become one *effective method* (CLHS 7.6.6.2 and 7.6.6.4).

An effective method is a plain callable taking the call's arguments. When only one method runs
and it does not ask for ``next_method``, the effective method is that method's function itself,
so the native hit path reaches it with no wrapper in between.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from dispatch.errors import InvalidMethodError
from dispatch.methods import Method

Runner = Callable[[tuple, dict], Any]
AROUND = ("around",)


class CallContext(Protocol):
    """What effective methods need from their generic function."""

    name: str

    def no_next_method(self, method: Method, args: tuple, kwargs: dict) -> Any: ...

    def no_primary_method(self, args: tuple, kwargs: dict) -> Any: ...


class NextMethod:
    """The ``next_method`` argument: call it with no arguments to pass the same arguments on,
    with arguments to pass those instead; ``bool(next_method)`` says whether there is one."""

    __slots__ = ("_run", "_args", "_kwargs", "_method", "_ctx")

    def __init__(self, run: Runner | None, args: tuple, kwargs: dict, method: Method,
                 ctx: CallContext) -> None:
        self._run, self._args, self._kwargs, self._method, self._ctx = run, args, kwargs, method, ctx

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args and not kwargs:
            args, kwargs = self._args, self._kwargs
        if self._run is None:
            return self._ctx.no_next_method(self._method, args, kwargs)
        return self._run(args, kwargs)

    def __bool__(self) -> bool:
        return self._run is not None

    def __repr__(self) -> str:
        return f"<next_method of {self._method!r}{'' if self._run else ' (none)'}>"


def _link(method: Method, nxt: Runner | None, ctx: CallContext) -> Runner:
    f = method.function
    if method.wants_next:
        def run(args: tuple, kwargs: dict) -> Any:
            return f(NextMethod(nxt, args, kwargs, method, ctx), *args, **kwargs)
    else:
        def run(args: tuple, kwargs: dict) -> Any:
            return f(*args, **kwargs)
    return run


def _chain(methods: Sequence[Method], tail: Runner | None, ctx: CallContext) -> Runner | None:
    """A runner for ``methods[0]`` whose next method is ``methods[1]``, ..., then ``tail``."""
    run = tail
    for m in reversed(methods):
        run = _link(m, run, ctx)
    return run


def _effective(run: Runner, methods: Sequence[Method]) -> Callable[..., Any]:
    def effective_method(*args: Any, **kwargs: Any) -> Any:
        return run(args, kwargs)
    effective_method.methods = tuple(methods)  # type: ignore[attr-defined]
    return effective_method


def _sole_function(methods: Sequence[Method]) -> Callable[..., Any] | None:
    if len(methods) == 1 and not methods[0].wants_next:
        return methods[0].function
    return None


class Combination:
    """Base of method combinations."""

    name: str
    primary_qualifiers: tuple[str, ...]

    def accepted(self) -> tuple[tuple[str, ...], ...]:
        raise NotImplementedError

    def check(self, method: Method) -> None:
        """Refuse a method this combination cannot run (at definition time)."""
        if method.qualifiers not in self.accepted():
            allowed = " ".join(repr(q[0]) if q else "no qualifier" for q in self.accepted())
            raise InvalidMethodError(
                f"method {method.where()} has qualifiers {method.qualifiers!r}; the {self.name!r} "
                f"method combination accepts {allowed}")
        if method.wants_next and not self.passes_next(method.qualifiers):
            raise InvalidMethodError(
                f"method {method.where()}: {' '.join(method.qualifiers)} methods cannot take "
                "next_method")

    def passes_next(self, qualifiers: tuple[str, ...]) -> bool:
        raise NotImplementedError

    def effective_method(self, methods: Sequence[Method], ctx: CallContext) -> Callable[..., Any]:
        """The effective method for ``methods`` (applicable, most specific first)."""
        raise NotImplementedError

    def _with_arounds(self, arounds: list[Method], inner: Runner, methods: Sequence[Method],
                      ctx: CallContext) -> Callable[..., Any]:
        return _effective(_chain(arounds, inner, ctx), methods)  # type: ignore[arg-type]


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
            return _effective(lambda args, kwargs: ctx.no_primary_method(args, kwargs), methods)
        if not (arounds or befores or afters) and (sole := _sole_function(primaries)):
            return sole
        run_primary = _chain(primaries, None, ctx)
        assert run_primary is not None
        if befores or afters:
            def inner(args: tuple, kwargs: dict) -> Any:
                for before in befores:
                    before(*args, **kwargs)
                result = run_primary(args, kwargs)
                for after in afters:
                    after(*args, **kwargs)
                return result
        else:
            inner = run_primary
        return self._with_arounds(arounds, inner, methods, ctx)


def _and(values: Iterator[Any]) -> Any:
    result = True
    for result in values:
        if not result:
            return result
    return result


def _or(values: Iterator[Any]) -> Any:
    result = False
    for result in values:
        if result:
            return result
    return result


def _progn(values: Iterator[Any]) -> Any:
    result = None
    for result in values:
        pass
    return result


def _nconc(values: Iterator[Any]) -> Any:
    first = next(values)
    for v in values:
        first.extend(v)
    return first


@dataclass(frozen=True)
class OperatorCombination(Combination):
    """A built-in (short-form) combination: the primary methods' values, most specific first
    (or last), are combined by ``reduce``, which receives them as a lazy iterator so ``and`` and
    ``or`` can stop early. With ``identity_with_one_argument`` one method's value is returned as
    is. A language with other truth or list types defines its own operators the same way."""

    name: str  # type: ignore[misc]
    reduce: Callable[[Iterator[Any]], Any]
    identity_with_one_argument: bool = False
    most_specific_last: bool = False

    @property
    def primary_qualifiers(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.name,)

    def accepted(self) -> tuple[tuple[str, ...], ...]:
        return ((self.name,), AROUND)

    def passes_next(self, qualifiers: tuple[str, ...]) -> bool:
        return qualifiers == AROUND

    def effective_method(self, methods: Sequence[Method], ctx: CallContext) -> Callable[..., Any]:
        arounds = [m for m in methods if m.qualifiers == AROUND]
        primaries = [m.function for m in methods if m.qualifiers == (self.name,)]
        if self.most_specific_last:
            primaries.reverse()
        if not primaries:
            return _effective(lambda args, kwargs: ctx.no_primary_method(args, kwargs), methods)
        if len(primaries) == 1 and self.identity_with_one_argument:
            if not arounds:
                return primaries[0]
            only = primaries[0]

            def inner(args: tuple, kwargs: dict) -> Any:
                return only(*args, **kwargs)
        else:
            reduce = self.reduce

            def inner(args: tuple, kwargs: dict) -> Any:
                return reduce(f(*args, **kwargs) for f in primaries)
        return self._with_arounds(arounds, inner, methods, ctx)


BUILTIN_OPERATORS: dict[str, tuple[Callable[[Iterator[Any]], Any], bool]] = {
    "+": (lambda values: functools.reduce(operator.add, values), True),
    "list": (list, False),
    "append": (lambda values: functools.reduce(operator.add, values), False),
    "nconc": (_nconc, False),
    "and": (_and, True),
    "or": (_or, True),
    "progn": (_progn, True),
    "max": (max, True),
    "min": (min, True),
}


def combination_named(name: str | Combination, most_specific_last: bool = False) -> Combination:
    """The combination called ``name`` ("standard" or one of :data:`BUILTIN_OPERATORS`), or
    ``name`` itself when it already is a :class:`Combination`."""
    if isinstance(name, Combination):
        if most_specific_last:
            raise ValueError("most_specific_last applies to a combination given by name")
        return name
    if name == "standard":
        if most_specific_last:
            raise ValueError("the standard method combination has no most_specific_last order")
        return StandardCombination()
    if name not in BUILTIN_OPERATORS:
        raise ValueError(f"unknown method combination {name!r}; known: standard, "
                         + ", ".join(BUILTIN_OPERATORS))
    reduce, identity = BUILTIN_OPERATORS[name]
    return OperatorCombination(name, reduce, identity, most_specific_last)
