"""Abstract classes as specializers: ABCs (``numbers``, ``collections.abc``, user ABCs, classes
with ``__subclasshook__`` or ``register()``-ed virtual subclasses) and runtime-checkable
``typing.Protocol`` classes.

Rules (those of ``functools.singledispatch``):

- A method specialized on an abstract class ``S`` applies to an argument of class ``C`` when
  ``issubclass(C, S)``, decided once per class and kept in the call history, so the hit path
  stays native.
- Precedence: ``C``'s MRO extended with the abstract specializers it implements, inserted where
  ``functools.singledispatch`` inserts them (``functools._compose_mro``, CPython's rule).
- Two abstract classes that ``C`` implements only virtually (neither in ``C.__mro__``) and that
  are not subclasses of one another cannot be ordered: the call raises :class:`AmbiguousDispatch`
  naming both, as singledispatch does, instead of picking one.
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
from dispatch.precedence import class_changed


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


def ambiguity(cls: type, cpl: Sequence[type], applicable: Sequence[type]) -> tuple[type, type] | None:
    """Two applicable specializers at one position that cannot be ordered, or None."""
    virtual = sorted((s for s in set(applicable) if s not in cls.__mro__), key=cpl.index)
    for i, s1 in enumerate(virtual):
        for s2 in virtual[i + 1:]:
            if not issubclass(s1, s2):
                return s1, s2
    return None


_original_register = abc.ABCMeta.register


def _register(cls: abc.ABCMeta, subclass: type) -> type:
    result = _original_register(cls, subclass)
    class_changed(subclass)
    return result


_register.__doc__ = _original_register.__doc__
# Registering a virtual subclass changes which methods apply to it: tell the generic functions.
abc.ABCMeta.register = _register  # type: ignore[method-assign]
