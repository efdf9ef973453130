"""Abstract classes as specializers: ABCs (``numbers``, ``collections.abc``, user ABCs, classes
with ``__subclasshook__`` or ``register()``-ed virtual subclasses) and runtime-checkable
``typing.Protocol`` classes.

Rules (those of ``functools.singledispatch``):

- A method specialized on an abstract class ``S`` applies to an argument of class ``C`` when
  ``issubclass(C, S)``, decided once per class and kept in the call history, so the hit path
  stays native.
- Precedence: ``C``'s MRO extended with the abstract specializers it implements, inserted where
  ``functools.singledispatch`` inserts them (``functools._compose_mro``, CPython's rule).
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
    """The most specific applicable specializer and the class right after it in ``cpl``, if that
    one is applicable too and they cannot be ordered (both implemented only virtually, the first
    not a subclass of the second); else None. Exactly singledispatch's test (``_find_impl``)."""
    present = set(applicable)
    for k, first in enumerate(cpl):
        if first in present:
            second = cpl[k + 1] if k + 1 < len(cpl) else None
            if second in present and first not in cls.__mro__ and second not in cls.__mro__ \
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
