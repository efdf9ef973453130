"""Which methods apply to a call, and in what order (CLHS 7.6.6.1, steps 1 and 2).

Applicability and order are decided from the classes of the dispatched arguments plus, at the
positions where an :class:`~dispatch.specializers.Eql` of that class exists, the set of ``Eql``
specializers the argument matched (its *eql choice*).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

from dispatch.methods import Method
from dispatch.specializers import Eql

EqlChoice = Mapping[int, frozenset[Eql]]


def is_applicable(method: Method, cpls: Sequence[Sequence[type]], choice: EqlChoice) -> bool:
    for i, s in enumerate(method.specializers):
        if isinstance(s, Eql):
            if s not in choice.get(i, ()):
                return False
        elif s is not object and s not in cpls[i]:
            return False
    return True


def sort_by_specificity(methods: Sequence[Method], cpls: Sequence[Sequence[type]],
                        order: Sequence[int]) -> list[Method]:
    """``methods`` (all applicable) most specific first, comparing parameters in ``order``
    (the argument precedence order). Methods that tie keep their definition order."""
    ranks = [{c: r for r, c in enumerate(cpl)} for cpl in cpls]

    def compare(m1: Method, m2: Method) -> int:
        for i in order:
            s1, s2 = m1.specializers[i], m2.specializers[i]
            if s1 == s2:
                continue
            e1, e2 = isinstance(s1, Eql), isinstance(s2, Eql)
            if e1 or e2:
                # Two different Eqls that both match (different keys) are unordered.
                return 0 if e1 and e2 else (-1 if e1 else 1)
            return -1 if ranks[i][s1] < ranks[i][s2] else 1
        return 0

    return sorted(methods, key=functools.cmp_to_key(compare))


def applicable_methods(methods: Sequence[Method], cpls: Sequence[Sequence[type]],
                       choice: EqlChoice, order: Sequence[int]) -> list[Method]:
    """The applicable methods, most specific first."""
    return sort_by_specificity([m for m in methods if is_applicable(m, cpls, choice)], cpls, order)
