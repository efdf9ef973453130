"""The shape of generic-function and method lambda lists, and their congruence (CLHS 7.6.4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lisp.clos import errors
from lisp.data import Cons, Symbol, iter_list, keyword

_KEYWORDS = ("&OPTIONAL", "&REST", "&KEY", "&ALLOW-OTHER-KEYS", "&AUX", "&BODY")


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


def _marker(x: Any) -> str | None:
    return x.name if isinstance(x, Symbol) and x.name in _KEYWORDS else None


def _key_name(spec: Any, where: str) -> Symbol:
    # x | (x default [supplied-p]) | ((:k x) default [supplied-p])
    var = spec.car if isinstance(spec, Cons) else spec
    if isinstance(var, Cons):
        return var.car
    if not isinstance(var, Symbol):
        raise errors.program_error(f"{where}: {var!r} is not a variable name in &key")
    return keyword(var.name)


def shape_of(lambda_list: Any, where: str, *, method: bool = False) -> Shape:
    """The :class:`Shape` of a lambda list; in a method lambda list required parameters may be
    ``(var specializer)``. Malformed lists are PROGRAM-ERRORs naming ``where``."""
    try:
        items = list(iter_list(lambda_list))
    except TypeError:
        raise errors.program_error(f"{where}: the lambda list {lambda_list!r} is not a proper list") \
            from None
    section = "required"
    counts = {"required": 0, "&OPTIONAL": 0}
    rest = has_key = allow = False
    keys: list[Symbol] = []
    for item in items:
        mark = _marker(item)
        if mark == "&ALLOW-OTHER-KEYS":
            allow = True
            continue
        if mark is not None:
            section = mark
            rest |= mark in ("&REST", "&BODY")
            has_key |= mark == "&KEY"
            continue
        if section == "required":
            if isinstance(item, Cons) and not method:
                raise errors.program_error(f"{where}: a generic function lambda list cannot "
                                           f"specialize a parameter ({item!r})")
            counts["required"] += 1
        elif section == "&OPTIONAL":
            counts["&OPTIONAL"] += 1
        elif section == "&KEY":
            keys.append(_key_name(item, where))
    return Shape(counts["required"], counts["&OPTIONAL"], rest, has_key, tuple(keys), allow)


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
