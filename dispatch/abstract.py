"""Abstract classes as specializers: ABCs (``numbers``, ``collections.abc``, user ABCs, classes
with ``__subclasshook__`` or ``register()``-ed virtual subclasses) and runtime-checkable
``typing.Protocol`` classes.

Rules (those of ``functools.singledispatch``):

- A method specialized on an abstract class ``S`` applies to an argument of class ``C`` when
  ``issubclass(C, S)``, decided once per class and kept in the call history, so the hit path
  stays native.
- Precedence: ``C``'s MRO extended with the abstract specializers it implements, inserted where
  ``functools.singledispatch`` inserts them (``functools._compose_mro``, CPython's rule). When a
  precedence provider (the Lisp's CLOS lists) supplies ``C``'s list instead of its MRO, each
  abstract specializer ``C`` implements is inserted right after the last entry of that list that
  is itself a subclass of it (:func:`composed_into_provided`).
- When the most specific applicable specializer of an argument and the class right after it in
  the composed MRO are both applicable, both implemented by ``C`` only virtually (neither in
  ``C.__mro__``) and the first is not a subclass of the second, they cannot be ordered: the call
  raises :class:`AmbiguousDispatch` naming both, exactly where singledispatch raises, instead of
  picking one. (Less specific methods keep the composed MRO order.)
- ``SomeABC.register(C)`` after ``C`` was dispatched takes effect on the next call: registering
  makes every generic function with abstract specializers forget ``C`` and its subclasses. It
  costs nothing on the hit path. Limit: a ``__subclasshook__`` whose answer changes later without
  a ``register()`` call is not noticed (call ``dispatch.class_changed(C)``).
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Sequence
from typing import Any

from dispatch.errors import InvalidMethodError
from dispatch.precedence import class_changed, class_precedence_list


class AmbiguousDispatch(TypeError):
    """Two abstract classes an argument's class implements cannot be ordered."""


def is_abstract(spec: Any) -> bool:
    """Whether applicability of ``spec`` is ``issubclass`` rather than MRO membership."""
    return isinstance(spec, abc.ABCMeta)


def check_abstract(spec: type, where: str) -> None:
    """Refuse abstract classes ``issubclass`` cannot decide (non-runtime protocols, protocols
    with data members)."""
    try:
        issubclass(object, spec)
    except TypeError as e:
        raise InvalidMethodError(
            f"{where}: {spec.__qualname__} cannot be a specializer: issubclass() refuses it ({e}). "
            "Decorate a Protocol with @typing.runtime_checkable (methods only) or dispatch on a "
            "class") from None


def composed_precedence(cls: type, abstract: Sequence[type]) -> tuple[type, ...]:
    """``cls``'s MRO with the abstract classes of ``abstract`` it implements inserted."""
    return tuple(functools._compose_mro(cls, abstract))  # type: ignore[attr-defined]


def composed_into_provided(cls: type, cpl: Sequence[type], abstract: Sequence[type]) -> tuple[type, ...]:
    """A precedence list supplied by a provider (not ``cls.__mro__``), with the abstract classes of
    ``abstract`` that ``cls`` implements inserted: each right after the last entry that is itself
    a subclass of it. (For ``int`` under the Lisp's provider and a ``Number`` specializer:
    ``(int, Number, <rational>, <real>, <number>, object)``.)"""
    result = list(cpl)
    for spec in abstract:
        if spec in result or not issubclass(cls, spec):
            continue
        last = max(k for k, c in enumerate(result) if c is cls or _implements(c, spec))
        result.insert(last + 1, spec)
    return tuple(result)


def _implements(c: type, spec: type) -> bool:
    try:
        return c is not object and issubclass(c, spec)
    except TypeError:  # a provider's marker type that issubclass() refuses
        return False


def ambiguity(cls: type, cpl: Sequence[type], applicable: Sequence[type]) -> tuple[type, type] | None:
    """The most specific applicable specializer and the class right after it in ``cpl``, if that
    one is applicable too and they cannot be ordered (both implemented only virtually, i.e. absent
    from ``cls``'s own precedence list, the first not a subclass of the second); else None.
    Exactly singledispatch's test (``_find_impl``)."""
    present = set(applicable)
    explicit = set(class_precedence_list(cls))
    for k, first in enumerate(cpl):
        if first in present:
            second = cpl[k + 1] if k + 1 < len(cpl) else None
            if second in present and first not in explicit and second not in explicit \
                    and not issubclass(first, second):
                return first, second
            return None
    return None


_original_register = abc.ABCMeta.register


def _register(cls: abc.ABCMeta, subclass: type) -> type:
    result = _original_register(cls, subclass)
    class_changed(subclass)
    return result


_register.__doc__ = _original_register.__doc__
# Registering a virtual subclass changes which methods apply to it: tell the generic functions.
abc.ABCMeta.register = _register  # type: ignore[method-assign]
