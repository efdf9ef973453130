"""Outcomes: what a call with given argument classes runs (Closette's
``compute-applicable-methods-using-classes`` + ``compute-effective-method-function``).

An :class:`OutcomeBuilder` is made for one method set. For a tuple of argument classes it gives a
Python callable: the effective method, a hook caller when no method applies, or an
:class:`EqlSelector` when the outcome also depends on which ``Eql`` specializers the arguments
match. Equal method lists share one effective-method object, so equal outcomes are equal objects
(the decision tree merges them by identity).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Protocol

from dispatch.abstract import (AmbiguousDispatch, ambiguity, composed_into_provided, composed_precedence,
                               is_abstract)
from dispatch.applicable import applicable_methods, is_applicable
from dispatch.combination import CallContext, Combination
from dispatch.errors import InvalidMethodError
from dispatch.methods import Method
from dispatch.precedence import class_precedence_list
from dispatch.specializers import Eql, specializer_name

Outcome = Callable[..., Any]

# An EqlSelector whose identity choices multiply past this is not expanded into native code.
MAX_NATIVE_EQL_CHOICES = 256


class OutcomeContext(CallContext, Protocol):
    def no_applicable_method(self, args: tuple, kwargs: dict) -> Any: ...


class _EqlGroup:
    """The Eql specializers of one class at one position that share an equality test."""

    __slots__ = ("identity", "key", "by_key")

    def __init__(self, identity: bool, key: Callable[[Any], Hashable] | None) -> None:
        self.identity, self.key = identity, key
        self.by_key: dict[Hashable, Eql] = {}

    def match(self, arg: Any) -> Eql | None:
        return self.by_key.get(id(arg) if self.identity else self.key(arg))  # type: ignore[misc]


class EqlSelector:
    """Outcome for a class tuple at which some argument positions have ``Eql`` specializers of
    exactly the argument's class: picks the effective method by the Eqls the arguments match."""

    def __init__(self, builder: OutcomeBuilder, classes: tuple[type, ...],
                 groups: dict[int, list[_EqlGroup]]) -> None:
        self._builder, self.classes, self.groups = builder, classes, groups
        self._positions = tuple(groups)
        self._by_choice: dict[tuple[frozenset[Eql], ...], Outcome] = {}
        self.all_identity = all(g.identity for gs in groups.values() for g in gs)

    def choice_of(self, args: Sequence[Any]) -> tuple[frozenset[Eql], ...]:
        return tuple(frozenset(e for g in self.groups[i] if (e := g.match(args[i])) is not None)
                     for i in self._positions)

    def outcome_for(self, choice: tuple[frozenset[Eql], ...]) -> Outcome:
        outcome = self._by_choice.get(choice)
        if outcome is None:
            outcome = self._builder.for_choice(self.classes, dict(zip(self._positions, choice)))
            self._by_choice[choice] = outcome
        return outcome

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.outcome_for(self.choice_of(args))(*args, **kwargs)

    def identity_cases(self) -> list[tuple[int, list[Eql]]] | None:
        """For native expansion: per position, the Eqls an argument may be identical to; None
        when this selector must stay in Python (value tests, or too many combinations)."""
        if not self.all_identity:
            return None
        cases = [(i, [e for g in self.groups[i] for e in g.by_key.values()])
                 for i in self._positions]
        n = 1
        for _, eqls in cases:
            n *= len(eqls) + 1
        return cases if n <= MAX_NATIVE_EQL_CHOICES else None

    def expanded(self) -> list[tuple[dict[int, Eql], Outcome]]:
        """Every identity choice with its outcome (position -> matched Eql; absent = none)."""
        cases = self.identity_cases()
        assert cases is not None
        out = []
        options = [[None, *eqls] for _, eqls in cases]
        for combo in itertools.product(*options):
            choice = tuple(frozenset((e,)) if e is not None else frozenset() for e in combo)
            matched = {i: e for (i, _), e in zip(cases, combo) if e is not None}
            out.append((matched, self.outcome_for(choice)))
        return out

    def __repr__(self) -> str:
        return f"<eql selector on positions {self._positions}>"


class OutcomeBuilder:
    """Computes outcomes for one method set under one combination and argument precedence
    order (``order``: the dispatched positions, compared first to last); all three immutable."""

    def __init__(self, methods: Sequence[Method], combination: Combination, order: Sequence[int],
                 ctx: OutcomeContext) -> None:
        self.methods = tuple(methods)
        self.combination, self.order, self._ctx = combination, tuple(order), ctx
        self._effective: dict[tuple[Method, ...], Outcome] = {}
        self._no_applicable = self._make_no_applicable(ctx)
        # position -> class -> groups of Eql specializers of that class at that position
        self._eqls: dict[int, dict[type, list[_EqlGroup]]] = {}
        # position -> abstract classes specialized on there (see dispatch.abstract)
        self._abstract: dict[int, list[type]] = {}
        for m in self.methods:
            for i, s in enumerate(m.specializers):
                if isinstance(s, Eql):
                    self._add_eql(i, s)
                elif is_abstract(s) and s not in self._abstract.setdefault(i, []):
                    self._abstract[i].append(s)

    @staticmethod
    def _make_no_applicable(ctx: OutcomeContext) -> Outcome:
        def no_applicable_method(*args: Any, **kwargs: Any) -> Any:
            return ctx.no_applicable_method(args, kwargs)
        return no_applicable_method

    def _add_eql(self, i: int, e: Eql) -> None:
        groups = self._eqls.setdefault(i, {}).setdefault(e.cls, [])
        for g in groups:
            if g.identity == e.identity and g.key is e.key:
                break
        else:
            g = _EqlGroup(e.identity, e.key)
            groups.append(g)
        g.by_key.setdefault(e.lookup_key, e)

    @property
    def specialized_positions(self) -> tuple[int, ...]:
        """Positions whose argument class can change the outcome."""
        n = len(self.methods[0].specializers) if self.methods else 0
        return tuple(i for i in range(n) if any(m.specializers[i] is not object for m in self.methods))

    def for_classes(self, classes: tuple[type, ...]) -> Outcome:
        """The outcome for arguments of these classes (``object`` at unspecialized positions)."""
        groups = {i: self._eqls[i][c] for i, c in enumerate(classes)
                  if i in self._eqls and c in self._eqls[i]}
        if groups:
            return EqlSelector(self, classes, groups)
        return self.for_choice(classes, {})

    def _precedence(self, classes: Sequence[type]) -> list[tuple[type, ...]]:
        cpls = []
        for i, c in enumerate(classes):
            cpl = class_precedence_list(c)
            abstract = self._abstract.get(i)
            if abstract:
                cpl = (composed_precedence(c, abstract) if cpl == c.__mro__
                       else composed_into_provided(c, cpl, abstract))
            cpls.append(cpl)
        return cpls

    def for_choice(self, classes: tuple[type, ...], choice: dict[int, frozenset[Eql]]) -> Outcome:
        cpls = self._precedence(classes)
        methods = tuple(applicable_methods(self.methods, cpls, choice, self.order))
        if not methods:
            return self._no_applicable
        if self._abstract and (unordered := self._ambiguity(classes, cpls, methods)):
            return unordered
        outcome = self._effective.get(methods)
        if outcome is None:
            outcome = self._effective.setdefault(methods, self._effective_method(methods))
        return outcome

    def _effective_method(self, methods: tuple[Method, ...]) -> Outcome:
        ctx = self._ctx
        if ctx.checks_at_call:
            for m in methods:
                try:
                    self.combination.check(m)
                except InvalidMethodError as e:
                    message = str(e)

                    def invalid(*args: Any, **kwargs: Any) -> Any:
                        return ctx.invalid_method(m, message, args, kwargs)
                    return invalid
        return self.combination.effective_method(methods, ctx)

    def _ambiguity(self, classes: Sequence[type], cpls: Sequence[Sequence[type]],
                   methods: Sequence[Method]) -> Outcome | None:
        # Judged on whole specializer tuples in argument precedence order (CLOS 7.6.6.1): at an
        # argument, only methods tied on every argument before it compete, so an argument that
        # already ordered two methods makes a later unorderable pair harmless.
        tied = [list(methods)]
        for i in self.order:
            if i >= len(classes):
                break
            still_tied = []
            for group in tied:
                if i in self._abstract:
                    pair = ambiguity(classes[i], cpls[i], [m.specializers[i] for m in group
                                                           if isinstance(m.specializers[i], type)])
                    if pair is not None:
                        return self._ambiguous(i, classes[i], pair)
                by_specializer: dict[Any, list[Method]] = {}
                for m in group:
                    by_specializer.setdefault(m.specializers[i], []).append(m)
                still_tied.extend(g for g in by_specializer.values() if len(g) > 1)
            tied = still_tied
        return None

    def _ambiguous(self, i: int, cls: type, pair: tuple[type, type]) -> Outcome:
        message = (f"{self._ctx.name}(): ambiguous dispatch on argument {i} of class "
                   f"{cls.__qualname__}: it implements both {pair[0].__qualname__} "
                   f"and {pair[1].__qualname__}, which are not ordered; register it "
                   "with one of them explicitly or add a method for it")

        def ambiguous(*args: Any, **kwargs: Any) -> Any:
            raise AmbiguousDispatch(message)
        return ambiguous

    def _choice(self, args: Sequence[Any]) -> dict[int, frozenset[Eql]]:
        classes = [type(a) for a in args]
        return {i: frozenset(e for g in self._eqls[i].get(classes[i], ())
                             if (e := g.match(args[i])) is not None)
                for i in self._eqls if i < len(args)}

    def applicable_to(self, args: Sequence[Any]) -> list[Method]:
        """Applicable methods for actual arguments, most specific first."""
        cpls = self._precedence([type(a) for a in args])
        return applicable_methods(self.methods, cpls, self._choice(args), self.order)

    def explain(self, names: Sequence[str], args: Sequence[Any]) -> str:
        """For an error message: each method, where it is defined, and which argument it refused."""
        if not self.methods:
            return "it has no methods"
        cpls = self._precedence([type(a) for a in args])
        choice = self._choice(args)
        lines = ["its methods:"]
        for m in self.methods:
            specs = ", ".join(f"{n}: {specializer_name(s)}" for n, s in zip(names, m.specializers))
            quals = f"{' '.join(m.qualifiers)} " if m.qualifiers else ""
            refused = [f"{n!r} ({type(a).__qualname__}) is not {specializer_name(s)}"
                       for i, (n, s, a) in enumerate(zip(names, m.specializers, args))
                       if not is_applicable(_only(m, i), cpls, choice)]
            why = "; ".join(refused) if refused else "applies"
            lines.append(f"  {quals}({specs}), {m.where()}: {why}")
        return "\n".join(lines)


def _only(method: Method, i: int) -> Method:
    """``method`` with every specializer but the ``i``-th relaxed to ``object``."""
    specs = tuple(s if j == i else object for j, s in enumerate(method.specializers))
    return Method(method.function, specs, method.qualifiers, method.wants_next)
