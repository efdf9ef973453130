"""The shape of generic-function and method lambda lists, and their congruence (CLHS 7.6.4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lisp.clos import errors
from lisp.compiler.lambda_list import LAMBDA_LIST_KEYWORDS, parse_lambda_list
from lisp.runtime.data import Cons, Symbol, T, iter_list, make_list


@dataclass(frozen=True)
class Shape:
    """What congruence looks at: counts of required and optional parameters, &rest, &key names."""

    required: int
    optional: int
    rest: bool
    has_key: bool
    keys: tuple[Symbol, ...]
    allow_other_keys: bool

    @property
    def accepts_any_key(self) -> bool:
        return self.allow_other_keys or (self.rest and not self.has_key)


def split_specialized(lambda_list: Any, where: str) -> tuple[Any, list[Any]]:
    """A method lambda list without its specializers, and the specializer forms (``T`` for an
    unspecialized parameter): ``((x circle) y &key z)`` -> ``(x y &key z)``, ``[circle, t]``."""
    try:
        items = list(iter_list(lambda_list))
    except TypeError:
        raise errors.program_error(f"{where}: the lambda list {lambda_list!r} is not a proper "
                                   f"list") from None
    plain: list[Any] = []
    specializers: list[Any] = []
    for i, item in enumerate(items):
        if item in LAMBDA_LIST_KEYWORDS:
            return make_list(plain + items[i:]), specializers
        if isinstance(item, Cons):
            parts = list(iter_list(item))
            if len(parts) != 2:
                raise errors.program_error(f"{where}: malformed specialized parameter "
                                           f"{errors.show(item)}")
            plain.append(parts[0])
            specializers.append(parts[1])
        else:
            plain.append(item)
            specializers.append(T)
    return make_list(plain), specializers


def shape_of(lambda_list: Any) -> Shape:
    """The :class:`Shape` of an ordinary (unspecialized) lambda list; a malformed one is a
    PROGRAM-ERROR."""
    parsed = parse_lambda_list(lambda_list, lambda_list)
    return Shape(len(parsed.required), len(parsed.optional), parsed.rest is not None,
                 parsed.has_keys, tuple(k.key for k in parsed.keys), parsed.allow_other_keys)


def check_congruent(gf: Shape, method: Shape, where: str) -> None:
    """Raise a PROGRAM-ERROR naming ``where`` unless a method's shape is congruent with its
    generic function's (CLHS 7.6.4, rules 1-4)."""
    if gf.required != method.required:
        raise errors.program_error(f"{where}: the method has {method.required} required "
                                   f"parameter(s), the generic function {gf.required}")
    if gf.optional != method.optional:
        raise errors.program_error(f"{where}: the method has {method.optional} optional "
                                   f"parameter(s), the generic function {gf.optional}")
    if (gf.rest or gf.has_key) != (method.rest or method.has_key):
        which = "does not accept" if gf.rest or gf.has_key else "accepts"
        raise errors.program_error(f"{where}: the method {which} &rest or &key arguments, "
                                   f"unlike the generic function")
    if gf.has_key and not method.accepts_any_key:
        missing = [k for k in gf.keys if k not in method.keys]
        if missing:
            raise errors.program_error(
                f"{where}: the method does not accept the keyword argument(s) "
                f"{' '.join(':' + k.name for k in missing)} of the generic function")


def gf_shape_from_method(method: Shape) -> Shape:
    """The shape of a generic function created implicitly by ``defmethod`` (CLHS 7.6.4)."""
    return Shape(method.required, method.optional, method.rest and not method.has_key,
                 method.has_key, (), False)
