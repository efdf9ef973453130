"""Generalized references (CLHS 5.1): ``setf`` and the macros that read and write places.

A place's *expansion* is the standard five parts (:class:`Expansion`): temporaries, the forms
whose values they take, store variables, the form that writes the stores, the form that reads.
Where a place comes from, in the order the standard gives: a place made of places (``getf``,
``values``) or a ``define-setf-expander`` (:data:`COMPOUND`), a ``defsetf`` or built-in accessor
(:data:`ACCESSORS`), a macro call or symbol macro (expanded, then tried again), else a call of the
function ``(setf name)`` (how the library's ``aref``, ``gethash``, ``elt``... are places).
``setf`` of a simple accessor (:data:`DIRECT`) calls the writer directly with the subforms,
without temporaries.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lisp.compiler.core import Result, call, call_to, compile_args, special_form
from lisp.compiler.core import name as py_name
from lisp.compiler.definitions import ALWAYS
from lisp.compiler.env import Env
from lisp.compiler.forms import arguments, program_error, show
from lisp.compiler.macros import QUOTE, expander_form, gensym, macro, macroexpand_1
from lisp.compiler.result import Dest
from lisp.runtime import namespace
from lisp.runtime.condition_classes import LispTypeError
from lisp.runtime.data import COMMON_LISP, SYSTEM, Cons, Symbol, cl_symbol, iter_list, make_list
from lisp.runtime.data import lisp_list as L
from lisp.runtime.values import values

LET_STAR = cl_symbol("LET*")
LET = cl_symbol("LET")
SETQ = cl_symbol("SETQ")
PROGN = cl_symbol("PROGN")
CALL_SETF = SYSTEM.intern("%CALL-SETF")


@dataclass
class Expansion:
    temps: list[Symbol]
    vals: list[Any]
    stores: list[Symbol]
    writer: Any
    reader: Any

    def bind(self, body: Any) -> Any:
        """``body`` with the temporaries bound to their values, in order."""
        if not self.temps:
            return body
        return L(LET_STAR, make_list([L(t, v) for t, v in zip(self.temps, self.vals)]), body)


# An accessor's writer: a function of (the subform temporaries, the store variable) -> form.
Writer = Callable[[list[Any], Symbol], Any]
ACCESSORS: dict[Symbol, Writer] = {}
# Accessors whose writer is one call taking the subforms in order and then the new value.
DIRECT: set[Symbol] = set()


def _setter(name: str) -> Writer:
    """A writer calling the SYS function ``name`` with the subforms and then the new value."""
    sym = SYSTEM.intern(name)
    return lambda args, store: make_list([sym, *args, store])


def defsetf_short(access: Symbol, update: Symbol) -> Symbol:
    """``(defsetf access update)``: ``(setf (access . args) v)`` is ``(update ,@args v)``."""
    ACCESSORS[access] = lambda args, store: make_list([update, *args, store])
    DIRECT.add(access)
    COMPOUND.pop(access, None)
    return access


def expansion(place: Any, env: Env | None) -> Expansion:
    """The setf expansion of ``place``; PROGRAM-ERROR if it is no place."""
    while True:
        place = _cxr(place)
        if isinstance(place, Symbol):
            expanded, did = macroexpand_1(place, env)
            if did:
                place = expanded
                continue
            if place.is_keyword or namespace.is_constant(place):
                raise program_error(f"{show(place)} is a constant, not a place")
            store = gensym("NEW")
            return Expansion([], [], [store], L(SETQ, place, store), place)
        if not isinstance(place, Cons) or not isinstance(place.car, Symbol):
            raise program_error(f"{show(place)} is not a place", place)
        head = place.car
        args = arguments(place)
        local = env.lookup_function(head) if env is not None else None
        if local is None and head in COMPOUND:
            return COMPOUND[head](place, args, env)
        if local is None and head in ACCESSORS:
            temps = [gensym("ARG") for _ in args]
            store = gensym("NEW")
            return Expansion(temps, args, [store], ACCESSORS[head](temps, store), make_list([head, *temps]))
        expanded, did = macroexpand_1(place, env)
        if did:
            place = expanded
            continue
        temps = [gensym("ARG") for _ in args]
        store = gensym("NEW")
        return Expansion(temps, args, [store], make_list([CALL_SETF, head, store, *temps]),
                         make_list([head, *temps]))


def _getf_expansion(place: Any, args: list[Any], env: Env | None) -> Expansion:
    """``(getf plist indicator [default])``: a place within the place ``plist``."""
    if not 2 <= len(args) <= 3:
        raise program_error(f"GETF takes a place, an indicator and an optional default: {show(place)}", place)
    inner = expansion(args[0], env)
    extra = [gensym("INDICATOR")] + ([gensym("DEFAULT")] if len(args) == 3 else [])
    store = gensym("NEW")
    writer = L(LET, L(L(inner.stores[0], L(SYSTEM.intern("%PUTF"), inner.reader, extra[0], store))),
               inner.writer, store)
    return Expansion(inner.temps + extra, inner.vals + args[1:], [store], writer,
                     make_list([cl_symbol("GETF"), inner.reader, *extra]))


def _values_expansion(place: Any, args: list[Any], env: Env | None) -> Expansion:
    """``(values place...)``: each place takes the corresponding value (a place of several
    stores, such as a nested ``values``, takes it in its first and NIL in the others)."""
    parts = [expansion(p, env) for p in args]
    return Expansion([t for e in parts for t in [*e.temps, *e.stores[1:]]],
                     [v for e in parts for v in [*e.vals, *[None] * len(e.stores[1:])]],
                     [e.stores[0] for e in parts], make_list([cl_symbol("VALUES"), *(e.writer for e in parts)]),
                     make_list([cl_symbol("VALUES"), *(e.reader for e in parts)]))


def _the_expansion(place: Any, args: list[Any], env: Env | None) -> Expansion:
    """``(the type place)``: the place, its new value declared of the type (CLHS 5.1.2.6)."""
    if len(args) != 2:
        raise program_error(f"THE takes a type and a form: {show(place)}", place)
    inner = expansion(args[1], env)
    return Expansion(inner.temps, inner.vals, inner.stores, inner.writer, L(cl_symbol("THE"), args[0], inner.reader))


def _apply_expansion(place: Any, args: list[Any], env: Env | None) -> Expansion:
    """``(apply #'f args...)`` whose last argument is a list (CLHS 5.1.2.5): stored with
    ``(apply #'(setf f) new args...)``."""
    function = args[0] if args else None
    if len(args) < 2 or not (isinstance(function, Cons) and function.car is cl_symbol("FUNCTION")
                             and isinstance(function.cdr.car, Symbol)):
        raise program_error(f"APPLY is a place only as (apply #'name args...): {show(place)}", place)
    temps = [gensym("ARG") for _ in args[1:]]
    store = gensym("NEW")
    writer = make_list([cl_symbol("APPLY"), L(cl_symbol("FUNCTION"), L(cl_symbol("SETF"), function.cdr.car)),
                        store, *temps])
    return Expansion(temps, args[1:], [store], writer, make_list([cl_symbol("APPLY"), function, *temps]))


# Places made of other places: operator -> function of (place, its arguments, env) -> Expansion.
COMPOUND: dict[Symbol, Callable[[Any, list[Any], Env | None], Expansion]] = {
    cl_symbol("GETF"): _getf_expansion,
    cl_symbol("VALUES"): _values_expansion,
    cl_symbol("THE"): _the_expansion,
    cl_symbol("APPLY"): _apply_expansion,
}


def _putf(plist: Any, indicator: Any, value: Any) -> Any:
    """The property list with ``indicator`` set to ``value``: changed in place, or extended."""
    cell = plist
    while isinstance(cell, Cons) and isinstance(cell.cdr, Cons):
        if cell.car is indicator:
            cell.cdr.car = value
            return plist
        cell = cell.cdr.cdr
    return Cons(indicator, Cons(value, plist))


def _cxr(place: Any) -> Any:
    """``(cadr x)`` as ``(car (cdr x))``, for every c[ad]{2,4}r accessor."""
    if isinstance(place, Cons) and isinstance(place.car, Symbol) and place.car.package is COMMON_LISP and \
            re.fullmatch(r"C[AD]{2,4}R", place.car.name) and isinstance(place.cdr, Cons):
        inner = place.cdr.car
        for letter in reversed(place.car.name[2:-1]):
            inner = L(cl_symbol(f"C{letter}R"), inner)
        return L(cl_symbol(f"C{place.car.name[1]}R"), inner)
    return place


def _set_one(place: Any, value: Any, env: Env | None) -> Any:
    place = _cxr(place)
    if isinstance(place, Cons) and place.car in DIRECT and (env is None or env.lookup_function(place.car) is None):
        # The call evaluates the subforms and then the value, in order: no temporaries needed.
        writer = ACCESSORS[place.car](arguments(place), gensym("NEW"))
        return make_list([*list(iter_list(writer))[:-1], value])
    exp = expansion(place, env)
    if not exp.temps and isinstance(exp.writer, Cons) and exp.writer.car is SETQ:
        return L(SETQ, exp.writer.cdr.car, value)
    if len(exp.stores) != 1:  # (values ...) of several places, or of none
        return exp.bind(L(cl_symbol("MULTIPLE-VALUE-BIND"), make_list(exp.stores), value, exp.writer))
    return exp.bind(L(LET, L(L(exp.stores[0], value)), exp.writer))


@macro("SETF")
def setf(form: Any, env: Any) -> Any:
    args = arguments(form)
    if len(args) % 2:
        raise program_error(f"odd number of arguments to SETF in {show(form)}", form)
    steps = [_set_one(args[i], args[i + 1], env) for i in range(0, len(args), 2)]
    return steps[0] if len(steps) == 1 else make_list([PROGN, *steps])


@macro("PSETF")
def psetf(form: Any, env: Any) -> Any:
    args = arguments(form)
    if len(args) % 2:
        raise program_error(f"odd number of arguments to PSETF in {show(form)}", form)
    bindings, writes = [], []
    for i in range(0, len(args), 2):
        exp = expansion(args[i], env)
        bindings.extend(L(t, v) for t, v in zip(exp.temps, exp.vals))
        if len(exp.stores) == 1:
            bindings.append(L(exp.stores[0], args[i + 1]))
        else:  # a (values ...) place: one store for each value
            received = gensym("VALUES")
            bindings.append(L(received, L(cl_symbol("MULTIPLE-VALUE-LIST"), args[i + 1])))
            bindings.extend(L(store, L(cl_symbol("NTH"), n, received)) for n, store in enumerate(exp.stores))
        writes.append(exp.writer)
    return make_list([LET_STAR, make_list(bindings), *writes, None])


def _modify(place: Any, env: Any, new_value: Callable[[Any], Any], before: list[tuple[Symbol, Any]] = ()) -> Any:
    """Read ``place`` once, store ``new_value(reader)``; ``before`` binds forms evaluated first."""
    exp = expansion(place, env)
    bindings = [L(s, v) for s, v in before] + [L(t, v) for t, v in zip(exp.temps, exp.vals)]
    bindings.append(L(exp.stores[0], new_value(exp.reader)))
    return L(LET_STAR, make_list(bindings), exp.writer)


def _arith(op: str) -> Callable[[Any, Any], Any]:
    def expander(form: Any, env: Any) -> Any:
        args = arguments(form)
        if not 1 <= len(args) <= 2:
            raise program_error(f"{show(form.car)} takes a place and an optional delta: {show(form)}", form)
        delta = args[1] if len(args) > 1 else 1
        return _modify(args[0], env, lambda old: L(cl_symbol(op), old, delta))

    return expander


macro("INCF")(_arith("+"))
macro("DECF")(_arith("-"))


@macro("PUSH")
def push(form: Any, env: Any) -> Any:
    item, place = _two(form)
    tmp = gensym("ITEM")
    return _modify(place, env, lambda old: L(cl_symbol("CONS"), tmp, old), [(tmp, item)])


@macro("PUSHNEW")
def pushnew(form: Any, env: Any) -> Any:
    args = arguments(form)
    if len(args) < 2:
        raise program_error(f"PUSHNEW needs an item and a place: {show(form)}", form)
    tmp = gensym("ITEM")
    return _modify(args[1], env, lambda old: make_list([cl_symbol("ADJOIN"), tmp, old, *args[2:]]), [(tmp, args[0])])


@macro("POP")
def pop(form: Any, env: Any) -> Any:
    args = arguments(form)
    if len(args) != 1:
        raise program_error(f"POP takes one place: {show(form)}", form)
    exp = expansion(args[0], env)
    head = gensym("LIST")
    bindings = [L(t, v) for t, v in zip(exp.temps, exp.vals)] + [L(head, exp.reader),
                                                                 L(exp.stores[0], L(cl_symbol("CDR"), head))]
    return L(LET_STAR, make_list(bindings), exp.writer, L(cl_symbol("CAR"), head))


def _two(form: Any) -> tuple[Any, Any]:
    args = arguments(form)
    if len(args) != 2:
        raise program_error(f"{show(form.car)} takes two arguments: {show(form)}", form)
    return args[0], args[1]


def _shift(form: Any, env: Any, rotate: bool) -> Any:
    places = arguments(form)
    if rotate and not places:
        return None
    values_ = places if rotate else places[:-1]
    exps = [expansion(p, env) for p in values_]
    olds = [gensym("OLD") for _ in exps]
    bindings = [L(t, v) for e in exps for t, v in zip(e.temps, e.vals)]
    bindings += [L(o, e.reader) for o, e in zip(olds, exps)]
    new_values = olds[1:] + ([olds[0]] if rotate else [places[-1]])
    bindings += [L(e.stores[0], n) for e, n in zip(exps, new_values)]
    result = None if rotate else olds[0]
    return make_list([LET_STAR, make_list(bindings), *(e.writer for e in exps), result])


@macro("ROTATEF")
def rotatef(form: Any, env: Any) -> Any:
    return _shift(form, env, rotate=True)


@macro("SHIFTF")
def shiftf(form: Any, env: Any) -> Any:
    if len(arguments(form)) < 2:
        raise program_error(f"SHIFTF needs at least a place and a value: {show(form)}", form)
    return _shift(form, env, rotate=False)


@macro("DEFSETF")
def defsetf(form: Any, env: Any) -> Any:
    args = arguments(form)
    if len(args) >= 1 and not isinstance(args[0], Symbol):
        raise program_error(f"DEFSETF of {show(args[0])}, which is not a symbol", form)
    if len(args) in (2, 3) and isinstance(args[1], Symbol):
        return L(SYSTEM.intern("%DEFSETF-SHORT"), L(QUOTE, args[0]), L(QUOTE, args[1]))
    if len(args) < 3:
        raise program_error(f"malformed DEFSETF {show(form)}", form)
    access, params, stores, *body = args
    if not isinstance(stores, Cons) or stores.cdr is not None:
        raise program_error(f"DEFSETF {show(access)}: only one store variable is supported, in {show(form)}", form)
    # The long form's body computes the writer form from the temporaries' and store's names.
    fn = make_list([cl_symbol("LAMBDA"), L(stores.car, cl_symbol("&REST"), SYSTEM.intern("%TEMPS")),
                    make_list([cl_symbol("DESTRUCTURING-BIND"), params, SYSTEM.intern("%TEMPS"), *body])])
    return L(SYSTEM.intern("%DEFSETF-LONG"), L(QUOTE, access), L(cl_symbol("FUNCTION"), fn))


def defsetf_long(access: Symbol, writer_of: Callable[..., Any]) -> Symbol:
    ACCESSORS[access] = lambda temps, store: writer_of(store, *temps)
    DIRECT.discard(access)
    COMPOUND.pop(access, None)
    return access


@macro("DEFINE-SETF-EXPANDER")
def define_setf_expander(form: Any, env: Any) -> Any:
    args = arguments(form)
    if len(args) < 2 or not isinstance(args[0], Symbol):
        raise program_error(f"malformed DEFINE-SETF-EXPANDER {show(form)}", form)
    name, lambda_list, *body = args
    return L(cl_symbol("EVAL-WHEN"), ALWAYS, L(SYSTEM.intern("%DEFINE-SETF-EXPANDER"), L(QUOTE, name),
                                                expander_form(name, lambda_list, body)))


def _install_setf_expander(name: Symbol, expander: Callable[[Any, Any], Any]) -> Symbol:
    """Make ``(name ...)`` a place whose five-part expansion ``expander(place, env)`` returns."""

    def expand(place: Any, args: list[Any], env: Env | None) -> Expansion:
        from lisp.runtime import values as mv

        mv.clear()
        parts = mv.take(expander(place, env))
        if len(parts) != 5:
            raise program_error(f"the setf expander of {show(name)} returned {len(parts)} values, not 5", place)
        temps, vals, stores, writer, reader = parts
        return Expansion(list(iter_list(temps)), list(iter_list(vals)), list(iter_list(stores)), writer, reader)

    COMPOUND[name] = expand
    ACCESSORS.pop(name, None)
    DIRECT.discard(name)
    return name


@macro("DEFINE-MODIFY-MACRO")
def define_modify_macro(form: Any, env: Any) -> Any:
    args = arguments(form)
    if len(args) < 3 or not isinstance(args[0], Symbol):
        raise program_error(f"malformed DEFINE-MODIFY-MACRO {show(form)}", form)
    name, lambda_list, function = args[:3]
    keywords = (cl_symbol("&OPTIONAL"), cl_symbol("&REST"))
    variables = [p.car if isinstance(p, Cons) else p for p in iter_list(lambda_list) if p not in keywords]
    has_rest = any(p is cl_symbol("&REST") for p in iter_list(lambda_list))
    extra = make_list([cl_symbol("LIST*" if has_rest else "LIST"), *variables])
    place, environment = gensym("PLACE"), gensym("ENV")
    return L(cl_symbol("DEFMACRO"), name, make_list([place, *iter_list(lambda_list), cl_symbol("&ENVIRONMENT"),
                                                     environment]),
             L(SYSTEM.intern("%MODIFY"), place, L(QUOTE, function), extra, environment))


def _modify_builtin(place: Any, function: Symbol, extra: Any, env: Any) -> Any:
    return _modify(place, env, lambda old: make_list([function, old, *iter_list(extra)]))


def _get_setf_expansion(place: Any, env: Any = None) -> Any:
    exp = expansion(place, env)
    return values(make_list(exp.temps), make_list(exp.vals), make_list(exp.stores), exp.writer, exp.reader)


@special_form("%CALL-SETF", SYSTEM)
def call_setf(form: Any, env: Env, dest: Dest) -> Result:
    """``(sys::%call-setf name new . args)``: call the global function ``(setf name)``."""
    fname, *args = arguments(form)
    setter = py_name(namespace.setf_function_key(fname))
    return call_to(compile_args(args, env), env, dest, lambda exprs: Result([], call(setter, *exprs)))


# -- the built-in accessors --------------------------------------------------------------------

_NTH_NAMES = ("FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH", "TENTH")


def _register_accessors() -> None:
    # The library defines (setf elt), (setf aref), (setf gethash)... as setf functions.
    for name, setter in (("CAR", "%SET-CAR"), ("CDR", "%SET-CDR"), ("REST", "%SET-CDR"), ("NTH", "%SET-NTH")):
        ACCESSORS[cl_symbol(name)] = _setter(setter)
        DIRECT.add(cl_symbol(name))
    for i, name in enumerate(_NTH_NAMES):
        ACCESSORS[cl_symbol(name)] = lambda args, store, i=i: make_list([SYSTEM.intern("%SET-NTH"), i, *args, store])
        DIRECT.add(cl_symbol(name))


def _set_car(cell: Any, value: Any) -> Any:
    _check_cons(cell, "CAR")
    cell.car = value
    return value


def _set_cdr(cell: Any, value: Any) -> Any:
    _check_cons(cell, "CDR")
    cell.cdr = value
    return value


def _set_nth(n: Any, lst: Any, value: Any) -> Any:
    if not isinstance(n, int) or n < 0:
        raise LispTypeError(f"(SETF NTH): the index {show(n)} is not a non-negative integer", datum=n,
                            expected_type=cl_symbol("UNSIGNED-BYTE"))
    cell = lst
    for _ in range(n):
        _check_cons(cell, "NTH")
        cell = cell.cdr
    return _set_car(cell, value)


def _check_cons(cell: Any, accessor: str) -> None:
    if not isinstance(cell, Cons):
        raise LispTypeError(f"(SETF {accessor}): {show(cell)} is not a cons", datum=cell,
                            expected_type=cl_symbol("CONS"))


_register_accessors()
for _name, _fn in (("%SET-CAR", _set_car), ("%SET-CDR", _set_cdr), ("%SET-NTH", _set_nth),
                   ("%DEFSETF-SHORT", defsetf_short), ("%PUTF", _putf),
                   ("%DEFINE-SETF-EXPANDER", _install_setf_expander), ("%DEFSETF-LONG", defsetf_long),
                   ("%MODIFY", _modify_builtin)):
    namespace.builtin(_name, SYSTEM)(_fn)
namespace.builtin("GET-SETF-EXPANSION")(_get_setf_expansion)
