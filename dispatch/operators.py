"""The operator method combinations (CLHS 7.6.6.4), in one table for every language.

An operator combination runs the applicable primary methods, most specific first (or last), and
combines their values with its operator, named like the combination and like the primary
methods' qualifier; around methods wrap that as in the standard combination. What counts as true
and what a list is are the language's: a generic function is made with a :class:`ValueModel`
(Python's by default), and the operators below use nothing else of the language.

As in SBCL, every operator but ``list`` has *identity with one argument* (the short form of
``define-method-combination``): when only one primary method applies, that method is the effective
method, so its value -- all its values, in a language with multiple values -- is the call's
(``append`` of one method returning ``(values '(1 2) 'x)`` returns both values, ``list`` returns
``((1 2))``).

To add an operator: one :class:`Operator` row in :data:`OPERATORS` (and a :class:`ValueModel`
method only if it needs a notion of the language that is not there yet).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dispatch.combination import AROUND, CallContext, Combination, StandardCombination, Step
from dispatch.methods import Method


class ValueModel:
    """A language's notions of truth and lists, as the operator combinations use them. This
    class is Python's (:data:`PYTHON_VALUES`); a language layer overrides every method."""

    def is_true(self, value: Any) -> bool:
        """Whether ``and`` goes on past ``value`` and ``or`` stops at it."""
        return bool(value)

    def make_list(self, values: list[Any]) -> Any:
        """A new list of ``values`` (``list``)."""
        return values

    def append(self, lists: list[Any]) -> Any:
        """The concatenation of ``lists``, the lists left as they are (``append``)."""
        return functools.reduce(operator.add, lists)

    def nconc(self, lists: list[Any]) -> Any:
        """The concatenation of ``lists``, made by changing them (``nconc``)."""
        first = lists[0]
        for more in lists[1:]:
            first.extend(more)
        return first

    def one_value(self, value: Any) -> Any:
        """``value`` as the only value of the call: a language whose calls may return several
        values forgets the others here (those a method recorded), and returns ``value``."""
        return value


PYTHON_VALUES = ValueModel()

# Made once per effective method: (the language's values, the primary methods' functions in
# calling order) -> the step calling them all and returning the combined value.
Runner = Callable[[ValueModel, tuple[Step, ...]], Step]


def combining(combine: Callable[[ValueModel, list[Any]], Any]) -> Runner:
    """An operator that calls every primary method and makes one new value of their values."""
    def runner(values: ValueModel, functions: tuple[Step, ...]) -> Step:
        one_value = values.one_value

        def run(*args: Any, **kwargs: Any) -> Any:
            return one_value(combine(values, [f(*args, **kwargs) for f in functions]))
        return run
    return runner


def short_circuit(stops: Callable[[ValueModel, Any], bool]) -> Runner:
    """An operator that works like the special form of its name: the methods run in turn until
    one's value ``stops`` the form, which returns it (as one value); the last method's value is
    returned as it is."""
    def runner(values: ValueModel, functions: tuple[Step, ...]) -> Step:
        *leading, last = functions
        one_value = values.one_value

        def run(*args: Any, **kwargs: Any) -> Any:
            for f in leading:
                value = f(*args, **kwargs)
                if stops(values, value):
                    return one_value(value)
                one_value(value)  # forgotten: only the last method's values may be the call's
            return last(*args, **kwargs)
        return run
    return runner


@dataclass(frozen=True)
class Operator:
    """One operator combination: its name (the primary methods' qualifier), whether one primary
    method's value is the call's as it is, and how the primary methods run."""

    name: str
    identity_with_one_argument: bool
    runner: Runner


OPERATORS: dict[str, Operator] = {op.name: op for op in (
    Operator("+", True, combining(lambda values, xs: functools.reduce(operator.add, xs))),
    Operator("max", True, combining(lambda values, xs: max(xs))),
    Operator("min", True, combining(lambda values, xs: min(xs))),
    Operator("list", False, combining(lambda values, xs: values.make_list(xs))),
    Operator("append", True, combining(lambda values, lists: values.append(lists))),
    Operator("nconc", True, combining(lambda values, lists: values.nconc(lists))),
    Operator("and", True, short_circuit(lambda values, x: not values.is_true(x))),
    Operator("or", True, short_circuit(lambda values, x: values.is_true(x))),
    Operator("progn", True, short_circuit(lambda values, x: False)),
)}


def define_operator(op: Operator) -> None:
    """Add ``op`` to :data:`OPERATORS` under its name, or replace the one of that name (a
    language's ``define-method-combination``); generic functions made from then on by that name
    use it, those made before keep the one they had."""
    OPERATORS[op.name] = op


@dataclass(frozen=True)
class OperatorCombination(Combination):
    """An operator of :data:`OPERATORS` (or one made the same way) over a language's values."""

    operator: Operator
    values: ValueModel = PYTHON_VALUES
    most_specific_last: bool = False

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.operator.name

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
            return self.without_primary(methods, ctx)
        if len(primaries) == 1 and self.operator.identity_with_one_argument:
            if not arounds:
                return primaries[0]
            inner = primaries[0]
        else:
            inner = self.operator.runner(self.values, tuple(primaries))
        return self.with_arounds(arounds, inner, methods, ctx)


def combination_named(name: str | Combination, most_specific_last: bool = False,
                      values: ValueModel = PYTHON_VALUES) -> Combination:
    """The combination called ``name`` ("standard" or one of :data:`OPERATORS`, over ``values``),
    or ``name`` itself when it already is a :class:`Combination`."""
    if isinstance(name, Combination):
        if most_specific_last:
            raise ValueError("most_specific_last applies to a combination given by name")
        return name
    if name == "standard":
        if most_specific_last:
            raise ValueError("the standard method combination has no most_specific_last order")
        return StandardCombination()
    if name not in OPERATORS:
        raise ValueError(f"unknown method combination {name!r}; known: standard, "
                         + ", ".join(OPERATORS))
    return OperatorCombination(OPERATORS[name], values, most_specific_last)
