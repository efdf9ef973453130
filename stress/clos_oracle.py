"""A reference model of CLOS method dispatch, brute force and independent of `dispatch/`.

Given the methods a generic function should have (as plain descriptions) and a call's arguments,
`expected_call` recomputes from scratch what the call must do: which methods apply (CLHS 7.6.2),
their order by specificity (7.6.6.1.2, argument precedence order), and how the method combination
runs them (standard: 7.6.6.2; built-in operator combinations: 7.6.6.4). Methods are described by
what their bodies do, so the model can predict both the value and the trace: the ids of the
method bodies that ran, in order.

Nothing here imports or mirrors dispatch's code; the model is written from the standard.
Class precedence of a Python class is its `__mro__` (dispatch's documented rule for Python classes).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Classes whose Eql specializers match by class and value; every other Eql matches by identity.
VALUE_CLASSES = (int, str)

STANDARD = "standard"
OPERATORS = ("+", "list", "append", "nconc", "and", "or", "progn", "max", "min")
# What a method body does. Primary or around: return, call next_method, call it if there is one
# (next-method-p), or raise. Before and after bodies only note themselves (or raise).
BEHAVIOURS = ("return", "next", "next-if", "raise")


@dataclass(frozen=True)
class EqlSpec:
    """An eql specializer on `value` (by class and value for ints and strs, else by identity)."""

    value: Any

    def matches(self, arg: Any) -> bool:
        if type(arg) is not type(self.value):
            return False
        return arg == self.value if isinstance(self.value, VALUE_CLASSES) else arg is self.value

    def same_as(self, other: object) -> bool:
        return isinstance(other, EqlSpec) and type(other.value) is type(self.value) and (
            other.value == self.value if isinstance(self.value, VALUE_CLASSES) else other.value is self.value
        )


Spec = type | EqlSpec


def same_specializer(a: Spec, b: Spec) -> bool:
    if isinstance(a, EqlSpec):
        return a.same_as(b)
    return a is b


@dataclass(frozen=True)
class MethodSpec:
    """A method as the model sees it: an id, specializers, a qualifier (None for a primary of the
    standard combination), what its body does, and, for operator combinations, its value."""

    ident: str
    specializers: tuple[Spec, ...]
    qualifier: str | None
    behaviour: str = "return"
    value: int = 0

    def same_key(self, other: MethodSpec) -> bool:
        """Methods with the same specializers and qualifier replace each other."""
        return self.qualifier == other.qualifier and all(
            same_specializer(a, b) for a, b in zip(self.specializers, other.specializers, strict=True)
        )


@dataclass(frozen=True)
class Raised:
    """The call raised: `what` is one of no-applicable-method, no-primary-method,
    no-next-method, or method-raised (a body that raises on purpose)."""

    what: str


@dataclass(frozen=True)
class Expected:
    """What a call must produce: a value or a `Raised`, and the ids of the bodies that ran."""

    outcome: Any
    trace: tuple[str, ...]


def with_method(methods: Sequence[MethodSpec], new: MethodSpec) -> tuple[MethodSpec, ...]:
    """The method set after adding `new`: it replaces a method with the same key."""
    return tuple(m for m in methods if not m.same_key(new)) + (new,)


def applicable(method: MethodSpec, args: Sequence[Any]) -> bool:
    return all(
        spec.matches(arg) if isinstance(spec, EqlSpec) else spec in type(arg).__mro__
        for spec, arg in zip(method.specializers, args)
    )


def _compare(a: MethodSpec, b: MethodSpec, args: Sequence[Any], order: Sequence[int]) -> int:
    """-1 if `a` is more specific than `b` for `args`, 1 if less, 0 if equally specific."""
    for index in order:
        sa, sb = a.specializers[index], b.specializers[index]
        if same_specializer(sa, sb):
            continue
        if isinstance(sa, EqlSpec):
            return -1
        if isinstance(sb, EqlSpec):
            return 1
        mro = type(args[index]).__mro__
        return -1 if mro.index(sa) < mro.index(sb) else 1
    return 0


def sorted_applicable(
    methods: Sequence[MethodSpec], args: Sequence[Any], order: Sequence[int] | None = None
) -> list[MethodSpec]:
    """The applicable methods, most specific first."""
    order = range(len(args)) if order is None else order
    found = [m for m in methods if applicable(m, args)]
    return sorted(found, key=functools.cmp_to_key(lambda a, b: _compare(a, b, args, order)))


class _Raise(Exception):
    def __init__(self, what: str) -> None:
        self.what = what


def expected_call(
    methods: Sequence[MethodSpec],
    args: Sequence[Any],
    combination: str = STANDARD,
    *,
    order: Sequence[int] | None = None,
    most_specific_last: bool = False,
) -> Expected:
    """What calling a generic function with `methods` and `combination` on `args` must do."""
    ran: list[str] = []
    found = sorted_applicable(methods, args, order)
    try:
        if not found:
            raise _Raise("no-applicable-method")
        arounds = [m for m in found if m.qualifier == "around"]
        if combination == STANDARD:
            inner = _standard(found, ran)
        else:
            inner = _operator(found, ran, combination, most_specific_last)
        outcome = _chain(arounds, inner, ran, "around")
    except _Raise as raised:
        outcome = Raised(raised.what)
    return Expected(outcome, tuple(ran))


def _body(method: MethodSpec, ran: list[str], next_call: Any) -> Any:
    """Run a primary or around body as the workload writes them."""
    ran.append(method.ident)
    tag = "around" if method.qualifier == "around" else "p"
    if method.behaviour == "raise":
        raise _Raise("method-raised")
    if method.behaviour == "next":
        if next_call is None:
            raise _Raise("no-next-method")
        return (tag, method.ident, next_call())
    if method.behaviour == "next-if":
        return (tag, method.ident, next_call() if next_call is not None else None)
    return (tag, method.ident)


def _chain(methods: list[MethodSpec], last: Any, ran: list[str], qualifier: str) -> Any:
    """Run methods[0] with methods[1:] (then `last`, a thunk or None) as its next methods."""
    if not methods:
        if last is None:
            raise _Raise("no-next-method")
        return last()
    head, rest = methods[0], methods[1:]
    nxt = (lambda: _chain(rest, last, ran, qualifier)) if rest or last is not None else None
    return _body(head, ran, nxt)


def _simple(method: MethodSpec, ran: list[str]) -> None:
    ran.append(method.ident)
    if method.behaviour == "raise":
        raise _Raise("method-raised")


def _standard(found: list[MethodSpec], ran: list[str]) -> Any:
    primaries = [m for m in found if m.qualifier is None]
    if not primaries:
        raise _Raise("no-primary-method")

    def inner() -> Any:
        for before in (m for m in found if m.qualifier == "before"):
            _simple(before, ran)
        value = _chain(primaries, None, ran, "primary")
        for after in reversed([m for m in found if m.qualifier == "after"]):
            _simple(after, ran)
        return value

    return inner


def operator_value(method: MethodSpec, combination: str) -> Any:
    """What a primary of an operator combination returns: its value, as a fresh list for list ones."""
    return [method.value] if combination in ("append", "nconc") else method.value


def _operator(found: list[MethodSpec], ran: list[str], combination: str, most_specific_last: bool) -> Any:
    primaries = [m for m in found if m.qualifier == combination]
    if not primaries:
        raise _Raise("no-primary-method")
    if most_specific_last:
        primaries.reverse()

    def values():
        for method in primaries:
            _simple(method, ran)
            yield operator_value(method, combination)

    def inner() -> Any:
        if combination == "and":
            result = True
            for result in values():
                if not result:
                    break
            return result
        if combination == "or":
            result = False
            for result in values():
                if result:
                    break
            return result
        collected = list(values())
        if combination == "+":
            return sum(collected)
        if combination == "list":
            return collected
        if combination in ("append", "nconc"):
            return [item for part in collected for item in part]
        if combination == "progn":
            return collected[-1]
        return max(collected) if combination == "max" else min(collected)

    return inner
