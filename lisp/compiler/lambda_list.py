"""Parsing lambda lists: ordinary ones (``lambda``, ``defun``) and macro/destructuring ones.

A destructuring lambda list is rewritten into ordinary ones (:func:`destructure`): each nested
pattern becomes a gensym whose value is destructured again, ``&body`` is ``&rest``, a dotted tail
is ``&rest``, ``&whole`` and ``&environment`` are bound by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lisp.compiler.forms import items, program_error, show
from lisp.runtime.data import Cons, Symbol, cl_symbol, keyword, make_list

AMP_OPTIONAL = cl_symbol("&OPTIONAL")
AMP_REST = cl_symbol("&REST")
AMP_KEY = cl_symbol("&KEY")
AMP_AUX = cl_symbol("&AUX")
AMP_BODY = cl_symbol("&BODY")
AMP_WHOLE = cl_symbol("&WHOLE")
AMP_ENVIRONMENT = cl_symbol("&ENVIRONMENT")
AMP_ALLOW_OTHER_KEYS = cl_symbol("&ALLOW-OTHER-KEYS")
LAMBDA_LIST_KEYWORDS = {AMP_OPTIONAL, AMP_REST, AMP_KEY, AMP_AUX, AMP_BODY, AMP_WHOLE,
                        AMP_ENVIRONMENT, AMP_ALLOW_OTHER_KEYS}


@dataclass
class Optional:
    var: Any
    init: Any = None
    supplied: Symbol | None = None


@dataclass
class Key:
    key: Symbol
    var: Any
    init: Any = None
    supplied: Symbol | None = None


@dataclass
class LambdaList:
    """The parts of an ordinary lambda list, in order."""

    required: list[Any] = field(default_factory=list)
    optional: list[Optional] = field(default_factory=list)
    rest: Symbol | None = None
    keys: list[Key] = field(default_factory=list)
    has_keys: bool = False
    allow_other_keys: bool = False
    aux: list[tuple[Symbol, Any]] = field(default_factory=list)


def _variable(x: Any, where: Any, what: str = "a variable") -> Symbol:
    if not isinstance(x, Symbol) or x.is_keyword or x in LAMBDA_LIST_KEYWORDS or x is cl_symbol("T"):
        raise program_error(f"{show(x)} cannot be {what} in the lambda list {show(where)}", where)
    return x


def parse_lambda_list(lst: Any, where: Any = None) -> LambdaList:
    """Parse an ordinary lambda list; PROGRAM-ERROR naming the problem if it is malformed."""
    where = lst if where is None else where
    if lst is not None and not isinstance(lst, Cons):
        raise program_error(f"{show(lst)} is not a lambda list", where)
    parsed = LambdaList()
    state = "required"
    order = ["required", "&OPTIONAL", "&REST", "&KEY", "&ALLOW-OTHER-KEYS", "&AUX"]
    seen_rest_var = False
    for item in items(lst, where):
        if item in LAMBDA_LIST_KEYWORDS:
            new = item.name
            if new not in order or order.index(new) <= order.index(state) or \
                    (new == "&ALLOW-OTHER-KEYS" and state != "&KEY"):
                raise program_error(f"misplaced {new} in the lambda list {show(lst)}", where)
            if state == "&REST" and not seen_rest_var:
                raise program_error(f"&REST needs a variable in the lambda list {show(lst)}", where)
            state = new
            if new == "&KEY":
                parsed.has_keys = True
            if new == "&ALLOW-OTHER-KEYS":
                parsed.allow_other_keys = True
            continue
        if state == "required":
            parsed.required.append(_variable(item, where))
        elif state == "&OPTIONAL":
            var, init, supplied = _with_default(item, where)
            parsed.optional.append(Optional(_variable(var, where), init, supplied))
        elif state == "&REST":
            if seen_rest_var:
                raise program_error(f"&REST takes one variable in the lambda list {show(lst)}", where)
            parsed.rest = _variable(item, where)
            seen_rest_var = True
        elif state == "&KEY":
            var, init, supplied = _with_default(item, where)
            if isinstance(var, Cons):
                key, var = items(var, where)
            else:
                key = keyword(_variable(var, where).name)
            parsed.keys.append(Key(key, _variable(var, where), init, supplied))
        elif state == "&AUX":
            var, init, _ = _with_default(item, where)
            parsed.aux.append((_variable(var, where), init))
        else:
            raise program_error(f"nothing may follow {state} in the lambda list {show(lst)}", where)
    if state == "&REST" and not seen_rest_var:
        raise program_error(f"&REST needs a variable in the lambda list {show(lst)}", where)
    return parsed


def _with_default(item: Any, where: Any) -> tuple[Any, Any, Symbol | None]:
    if not isinstance(item, Cons):
        return item, None, None
    parts = items(item, where)
    if len(parts) > 3:
        raise program_error(f"malformed parameter {show(item)} in lambda list", where)
    var = parts[0]
    init = parts[1] if len(parts) > 1 else None
    supplied = _variable(parts[2], where) if len(parts) > 2 else None
    return var, init, supplied


# -- destructuring ------------------------------------------------------------------------------

@dataclass
class Destructuring:
    """A destructuring lambda list as an ordinary one plus the nested patterns to destructure."""

    whole: Symbol | None
    environment: Symbol | None
    ordinary: Any
    nested: list[tuple[Symbol, Any]]


def destructure(lst: Any, gensym: Any, where: Any = None) -> Destructuring:
    """Rewrite a macro lambda list; ``gensym(hint)`` makes the variables of nested patterns."""
    where = lst if where is None else where
    whole = environment = None
    flat: list[Any] = []
    nested: list[tuple[Symbol, Any]] = []
    cell = lst
    state = "required"
    while isinstance(cell, Cons):
        item = cell.car
        cell = cell.cdr
        if item is AMP_WHOLE or item is AMP_ENVIRONMENT:
            if not isinstance(cell, Cons):
                raise program_error(f"{item.name} needs a variable in {show(lst)}", where)
            if item is AMP_WHOLE:
                whole = _variable(cell.car, where)
            else:
                environment = _variable(cell.car, where)
            cell = cell.cdr
            continue
        if item is AMP_BODY:
            item = AMP_REST
        if item in LAMBDA_LIST_KEYWORDS:
            state = item.name
        elif isinstance(item, Cons) and state in ("required", "&REST"):
            var = gensym("PATTERN")
            nested.append((var, item))
            item = var
        elif isinstance(item, Cons) and state == "&OPTIONAL" and isinstance(item.car, Cons):
            var = gensym("PATTERN")
            nested.append((var, item.car))
            item = Cons(var, item.cdr)
        flat.append(item)
    if cell is not None:
        if not isinstance(cell, Symbol):
            raise program_error(f"malformed lambda list {show(lst)}", where)
        flat.extend([AMP_REST, cell])
    return Destructuring(whole, environment, make_list(flat), nested)
